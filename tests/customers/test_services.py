"""Customer services: creation with the duplicate check, identifiers, optimistic locking,
contact points, consents, relationships, dealer links, and audited ID number reads."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.core.models import AuditAction, AuditEntry
from autocrm.customers import identifiers, services
from autocrm.customers.models import Consent, ConsentChange, ContactPoint, Customer, CustomerDealer
from autocrm.customers.services import ContactInput
from tests.customers.conftest import credit_code, full_width, resident_id
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _create(actor: Any, name: str = "张三丰", **kwargs: Any) -> Customer:
    data = {"name": name, **kwargs.pop("data", {})}
    return services.customer_create(actor=actor, data=data, **kwargs)


def _errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def test_create_assigns_number_folded_name_and_initials(user_in: Any) -> None:
    customer = _create(user_in(Role.CALL_CENTER_AGENT), name="張 三丰")

    stored = Customer.objects.get(pk=customer.pk)
    assert stored.number == f"C{customer.pk:09d}"
    assert stored.name == "張 三丰"
    assert stored.name_folded == "张三丰"
    assert stored.name_initials == "zsf"
    assert AuditEntry.objects.filter(object_id=str(customer.pk), action="create").count() == 1


def test_id_number_is_stored_protected_and_fills_birth_date_and_gender(user_in: Any) -> None:
    number = resident_id(birth="19851120", sequence="122")

    customer = _create(user_in(Role.ADMINISTRATOR), id_number=number.lower().replace("", " "))

    stored = Customer.objects.get(pk=customer.pk)
    assert number not in (stored.id_number_encrypted, stored.id_number_hash)
    assert identifiers.decrypt_identifier(stored.id_number_encrypted) == number
    assert stored.id_number_hash == identifiers.identifier_hash(number)
    assert stored.id_number_masked == number[:6] + "********" + number[14:]
    assert stored.birth_date == datetime.date(1985, 11, 20)
    assert stored.gender == "female"


def test_id_numbers_sealed_before_and_now_both_read_back_and_altered_ones_do_not() -> None:
    number = resident_id(birth="19851120", sequence="122")
    sealed = identifiers.encrypt_identifier(number)
    # Values stored by earlier releases are Fernet tokens under the same derived key.
    earlier = identifiers._keys(settings.AUTOCRM_IDENTIFIER_KEY).fernet.encrypt(number.encode())

    assert sealed.startswith("g1:") and number not in sealed
    assert sealed != identifiers.encrypt_identifier(number)  # a fresh nonce each time
    assert identifiers.decrypt_identifier(sealed) == number
    assert identifiers.decrypt_identifier(earlier.decode()) == number
    altered = sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]
    assert identifiers.decrypt_identifier(altered) == ""
    assert identifiers.decrypt_identifier("g1:not base64!") == ""


def test_id_number_with_a_wrong_check_digit_names_the_expected_digit(user_in: Any) -> None:
    number = resident_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")

    with pytest.raises(ValidationError) as error:
        _create(user_in(Role.ADMINISTRATOR), id_number=wrong)

    assert _errors(error) == {
        "id_number": [f"The check digit of this ID number should be {number[-1]}, not {wrong[-1]}."]
    }
    assert not Customer.objects.exists()


def test_a_birth_date_contradicting_the_id_number_is_a_field_error(user_in: Any) -> None:
    with pytest.raises(ValidationError) as error:
        _create(
            user_in(Role.ADMINISTRATOR),
            id_number=resident_id(birth="19900307"),
            data={"birth_date": datetime.date(1991, 3, 7)},
        )

    assert _errors(error) == {"birth_date": ["The ID number gives the birth date 1990-03-07."]}


def test_duplicates_are_refused_naming_the_existing_customer(user_in: Any) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    first = _create(
        agent,
        id_number=resident_id(),
        contact_points=[ContactInput(kind="phone", value="138 1234 5678", field="phone")],
    )

    with pytest.raises(ValidationError) as same_id:
        _create(agent, name="另一个人", id_number=resident_id())
    with pytest.raises(ValidationError) as same_mobile_and_name:
        _create(
            agent,
            name="张 三丰",
            contact_points=[ContactInput(kind="phone", value="+86 13812345678", field="phone")],
        )

    assert _errors(same_id) == {
        "id_number": [f"A customer with this ID number already exists: {first.number}."]
    }
    assert _errors(same_mobile_and_name) == {
        "phone": [f"A customer with this name and mobile number already exists: {first.number}."]
    }
    # the same mobile under another name is not the same customer (it goes to review elsewhere)
    _create(
        agent,
        name="李四",
        contact_points=[ContactInput(kind="phone", value="13812345678", field="phone")],
    )
    assert Customer.objects.count() == 2


def test_companies_need_a_valid_credit_code_and_have_no_personal_details(user_in: Any) -> None:
    admin = user_in(Role.ADMINISTRATOR)
    code = credit_code()
    company = _create(
        admin, name="上海远东物流有限公司", data={"kind": "company", "credit_code": code}
    )
    assert company.credit_code == code

    with pytest.raises(ValidationError) as duplicate:
        _create(admin, name="别名公司", data={"kind": "company", "credit_code": code.lower()})
    with pytest.raises(ValidationError) as personal:
        _create(
            admin,
            name="某公司",
            id_number=resident_id(),
            data={"kind": "company", "gender": "male"},
        )
    with pytest.raises(ValidationError) as bad_code:
        _create(admin, name="错码公司", data={"kind": "company", "credit_code": code[:-1] + "0"})

    assert _errors(duplicate) == {
        "credit_code": [f"A company with this credit code already exists: {company.number}."]
    }
    assert _errors(personal) == {
        "gender": ["A company has no personal details."],
        "id_number": ["A company has no resident ID number."],
    }
    assert "should be" in _errors(bad_code)["credit_code"][0]


def test_a_salesperson_s_new_customer_is_assigned_to_their_dealer_and_managed_by_them(
    network: Any, user_in: Any
) -> None:
    salesperson = user_in(Role.SALESPERSON)

    customer = _create(salesperson)

    assert customer.manager == salesperson
    links = CustomerDealer.objects.filter(customer=customer)
    assert [(link.dealer, link.relation) for link in links] == [
        (network["east_dealer"], "assigned_to")
    ]
    assert Customer.objects.visible_to(salesperson).filter(pk=customer.pk).exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.QUALITY_MANAGER, Role.REGION_MANAGER])
def test_read_only_roles_cannot_create_customers(user_in: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        _create(user_in(role))
    assert not Customer.objects.exists()


def test_update_with_an_old_version_is_refused_and_overwrites_nothing(user_in: Any) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    customer = _create(agent)
    services.customer_update(
        actor=agent, customer=customer, data={"occupation": "教师"}, expected_version=1
    )

    with pytest.raises(StaleRecord):
        services.customer_update(
            actor=agent, customer=customer, data={"occupation": "医生"}, expected_version=1
        )

    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.occupation, stored.version) == ("教师", 2)


def test_renaming_keeps_folded_name_and_initials_in_step(user_in: Any) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    customer = _create(agent)

    services.customer_update(actor=agent, customer=customer, data={"name": "李 小龍"})

    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.name_folded, stored.name_initials) == ("李小龙", "lxl")


def test_contact_points_normalise_refuse_repeats_and_keep_one_primary(user_in: Any) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    customer = CustomerFactory()

    first = services.contact_point_add(
        actor=agent, customer=customer, kind="phone", value=full_width("0138-1234-5678")
    )
    second = services.contact_point_add(
        actor=agent, customer=customer, kind="phone", value="0086 139 0000 1111", is_primary=True
    )
    with pytest.raises(ValidationError) as repeated:
        services.contact_point_add(
            actor=agent, customer=customer, kind="phone", value="13812345678"
        )
    with pytest.raises(ValidationError) as bad:
        services.contact_point_add(actor=agent, customer=customer, kind="email", value="a@@b")

    first.refresh_from_db()
    assert first.normalised == "+8613812345678"
    assert first.is_mobile
    assert (first.is_primary, second.is_primary) == (False, True)
    assert _errors(repeated) == {"value": ["This customer already has this contact."]}
    assert _errors(bad) == {"value": ["“a@@b” is not an e-mail address (name@example.com)."]}

    services.contact_point_remove(actor=agent, contact_point=second)
    first.refresh_from_db()
    assert first.is_primary
    assert ContactPoint.objects.filter(customer=customer).count() == 1


def test_consent_changes_are_kept_and_a_late_older_answer_does_not_win(user_in: Any) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    customer = CustomerFactory()
    now = timezone.now()

    services.consent_set(
        actor=agent,
        customer=customer,
        channel="sms",
        purpose="marketing",
        granted=False,
        source="呼叫中心",
        at=now,
    )
    services.consent_set(
        actor=agent,
        customer=customer,
        channel="sms",
        purpose="marketing",
        granted=True,
        source="纸质表格",
        at=now - datetime.timedelta(days=30),
    )

    consent = Consent.objects.get(customer=customer, channel="sms", purpose="marketing")
    assert (consent.granted, consent.source) == (False, "呼叫中心")
    history = list(ConsentChange.objects.filter(customer=customer))
    assert [(c.granted, c.source, c.recorded_by) for c in history] == [
        (False, "呼叫中心", agent),
        (True, "纸质表格", agent),
    ]


def test_consent_without_a_source_is_refused(user_in: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.consent_set(
            actor=user_in(Role.MARKETING),
            customer=CustomerFactory(),
            channel="email",
            purpose="marketing",
            granted=True,
            source=" ",
        )
    assert list(_errors(error)) == ["source"]
    assert not ConsentChange.objects.exists()


def test_relationships_check_their_kind(user_in: Any) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    person = CustomerFactory()
    company = CustomerFactory(kind="company", name="远东物流")

    contact = services.relationship_add(
        actor=agent, customer=company, other=person, kind="company_contact", role="采购经理"
    )
    with pytest.raises(ValidationError) as not_a_company:
        services.relationship_add(
            actor=agent, customer=person, other=company, kind="company_contact"
        )
    with pytest.raises(ValidationError) as twice:
        services.relationship_add(
            actor=agent, customer=company, other=person, kind="company_contact"
        )
    with pytest.raises(ValidationError) as itself:
        services.relationship_add(
            actor=agent, customer=person, other=person, kind="household_member"
        )

    assert contact.role == "采购经理"
    assert _errors(not_a_company)["kind"] == ["Only a company has contact persons."]
    assert _errors(twice) == {"other": ["This relationship is already recorded."]}
    assert _errors(itself) == {"other": ["A customer cannot be related to themselves."]}


def test_dealer_staff_manage_only_their_own_dealer_s_links(network: Any, user_in: Any) -> None:
    manager = user_in(Role.DEALER_MANAGER)
    customer = CustomerFactory(dealers=[network["east_dealer"]])

    with pytest.raises(PermissionDenied):
        services.dealer_link_add(
            actor=manager, customer=customer, dealer=network["west_dealer"], relation="sold_by"
        )
    link = services.dealer_link_add(
        actor=manager, customer=customer, dealer=network["east_dealer"], relation="sold_by"
    )

    assert link.relation == "sold_by"
    assert CustomerDealer.objects.filter(customer=customer).count() == 2


def test_reading_an_id_number_in_full_is_audited_and_role_bound(user_in: Any) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    customer = _create(agent, id_number=resident_id())

    number = services.id_number_reveal(actor=agent, customer=customer)
    with pytest.raises(PermissionDenied):
        services.id_number_reveal(actor=user_in(Role.MARKETING), customer=customer)

    assert number == resident_id()
    views = AuditEntry.objects.filter(action=AuditAction.VIEW_IDENTIFIER)
    assert [(v.actor, v.object_id) for v in views] == [(agent, str(customer.pk))]


def test_tags_are_replaced_and_audited(user_in: Any) -> None:
    agent = user_in(Role.MARKETING)
    customer = CustomerFactory()

    services.tags_set(actor=agent, customer=customer, names=["VIP", " 车主俱乐部 ", "VIP"])

    assert sorted(customer.tags.values_list("name", flat=True)) == ["VIP", "车主俱乐部"]
    entry = AuditEntry.objects.get(object_id=str(customer.pk))
    assert entry.changes == {"tags": [[], ["VIP", "车主俱乐部"]]}


def test_a_new_customer_s_contacts_keep_one_primary_per_kind(user_in: Any) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    customer = _create(
        agent,
        contact_points=[
            ContactInput(kind="phone", value="13812345678"),
            ContactInput(kind="email", value="zsf@example.com"),
            ContactInput(kind="phone", value="13900001111"),
            ContactInput(kind="phone", value="13700002222", is_primary=True),
        ],
    )

    primaries = dict(
        customer.contact_points.filter(is_primary=True).values_list("kind", "normalised")
    )
    assert primaries == {"phone": "+8613700002222", "email": "zsf@example.com"}
    assert customer.contact_points.count() == 4
    # the demotion of the first phone is in its history
    first = customer.contact_points.get(normalised="+8613812345678")
    assert AuditEntry.objects.filter(
        object_id=str(first.pk), action=AuditAction.UPDATE, changes__is_primary=[True, False]
    ).exists()
