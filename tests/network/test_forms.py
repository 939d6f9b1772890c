"""Creating and editing the network through the pages: who may, validation, stale edits, audit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.core.audit import history_of
from autocrm.core.models import AuditAction
from autocrm.network import services
from autocrm.network.choices import RegionLevel
from autocrm.network.forms import DealerForm, RegionForm
from autocrm.network.models import Dealer, DealerGroup, HQDepartment, Region
from tests.factories import DealerGroupFactory, HQDepartmentFactory
from tests.network.conftest import field_errors

pytestmark = pytest.mark.django_db


def dealer_form_data(city: Region, **overrides: Any) -> dict[str, Any]:
    data = {
        "code": "SH-PD-02",
        "name": "上海浦东第二4S店",
        "dealer_type": "4s",
        "sells_vehicles": "on",
        "services_vehicles": "on",
        "sells_parts": "on",
        "region": city.pk,
        "group": "",
        "address": "",
        "phone": "021-5555 0000",
        "opened_on": "2024-05-01",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_administrator_creates_a_dealer_and_the_creation_is_in_its_history(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given an administrator
    admin = user_in(Role.ADMINISTRATOR, display_name="张管理")
    client = client_as(admin)
    city = network["east"]["city"]

    # when they fill in the new dealer form
    response = client.post(reverse("network:dealer_create"), dealer_form_data(city))

    # then the dealer exists, the page goes to it, and its history shows the creation
    dealer = Dealer.objects.get(code="SH-PD-02")
    assert response.status_code == 302
    assert response["Location"] == dealer.get_absolute_url()
    assert (dealer.name, dealer.region, dealer.phone, dealer.version) == (
        "上海浦东第二4S店",
        city,
        "021-5555 0000",
        1,
    )
    entries = list(history_of(dealer))
    assert [(entry.action, entry.actor, entry.channel) for entry in entries] == [
        (AuditAction.CREATE, admin, "page")
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Dealer 上海浦东第二4S店 (SH-PD-02) was created." in page
    assert '<strong data-testid="history-action">Created</strong>' in page
    assert "by 张管理 via Web page" in page
    assert re.search(
        r'data-testid="history-change"><span class="text-secondary">Dealer code:</span>\s*SH-PD-02',
        page,
    )


def test_invalid_dealer_input_shows_errors_per_field_and_creates_nothing(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))

    response = client.post(
        reverse("network:dealer_create"),
        dealer_form_data(network["east"]["city"], code="浦东 02!", region=""),
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert field_errors(page, "code") == ["Use letters, digits, dashes and underscores only."]
    assert field_errors(page, "region") == ["This field is required."]
    assert field_errors(page, "name") == []
    assert 'name="code" value="浦东 02!"' in page
    assert Dealer.objects.count() == 3


def test_a_dealer_without_any_capability_is_refused(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))
    data = dealer_form_data(network["east"]["city"])
    for capability in ("sells_vehicles", "services_vehicles", "sells_parts"):
        del data[capability]

    page = client.post(reverse("network:dealer_create"), data).content.decode()

    assert "A dealer needs at least one capability." in page
    assert not Dealer.objects.filter(code="SH-PD-02").exists()


def test_a_province_is_not_a_valid_city_for_a_dealer(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))

    page = client.post(
        reverse("network:dealer_create"),
        dealer_form_data(network["east"]["province"]),
    ).content.decode()

    assert field_errors(page, "region") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Dealer.objects.filter(code="SH-PD-02").exists()


def test_form_choices_offer_only_records_in_scope(network: Any, user_in: Any) -> None:
    # given a group with a west dealer only, and the east region manager
    west_group = DealerGroupFactory()
    network["west_dealer"].group = west_group
    network["west_dealer"].save()
    east_group = DealerGroupFactory()
    network["east_dealer"].group = east_group
    network["east_dealer"].save()
    manager = user_in(Role.REGION_MANAGER)

    # when the forms are built for them
    dealer_form = DealerForm(user=manager)
    region_form = RegionForm(user=manager)

    # then only their cities, groups and parent regions are offered
    east = network["east"]
    assert list(dealer_form.fields["region"].queryset) == [east["city"]]
    assert list(dealer_form.fields["group"].queryset) == [east_group]
    assert list(region_form.fields["parent"].queryset) == [east["area"], east["province"]]


def test_a_stale_edit_is_refused_and_overwrites_nothing(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given an administrator opened the dealer's edit page at version 1
    admin = user_in(Role.ADMINISTRATOR)
    client = client_as(admin)
    dealer = network["east_dealer"]
    edit_url = reverse("network:dealer_edit", args=[dealer.pk])
    form_page = client.get(edit_url).content.decode()
    assert '<input type="hidden" name="version" value="1"' in form_page

    # and meanwhile someone else renamed it
    services.dealer_update(actor=admin, dealer=dealer, data={"name": "他人改的名字"})

    # when the first editor saves their version
    response = client.post(
        edit_url, dealer_form_data(dealer.region, code=dealer.code, name="我的名字", version="1")
    )

    # then the save is refused with an explanation and the other change stays
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this record after you opened it." in page
    dealer.refresh_from_db()
    assert (dealer.name, dealer.version, dealer.phone) == ("他人改的名字", 2, "")
    assert len(history_of(dealer)) == 1


def test_an_edit_without_a_version_is_refused(network: Any, user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))
    dealer = network["east_dealer"]

    page = client.post(
        reverse("network:dealer_edit", args=[dealer.pk]),
        dealer_form_data(dealer.region, code=dealer.code, name="我的名字"),
    ).content.decode()

    assert "This form is missing the record&#x27;s version; reload the page and try again." in page
    dealer.refresh_from_db()
    assert (dealer.name, dealer.version) == ("上海浦东4S店", 1)


def test_an_edit_at_the_current_version_is_saved_and_audited(
    network: Any, user_in: Any, client_as: Any
) -> None:
    admin = user_in(Role.ADMINISTRATOR)
    client = client_as(admin)
    dealer = network["east_dealer"]

    response = client.post(
        reverse("network:dealer_edit", args=[dealer.pk]),
        dealer_form_data(dealer.region, code=dealer.code, name="上海浦东旗舰店", version="1"),
    )

    dealer.refresh_from_db()
    assert response.status_code == 302
    assert (dealer.name, dealer.version) == ("上海浦东旗舰店", 2)
    [entry] = history_of(dealer)
    assert entry.changes["name"] == ["上海浦东4S店", "上海浦东旗舰店"]
    assert entry.actor == admin


@pytest.mark.parametrize(
    "role", [Role.DEALER_MANAGER, Role.REGION_MANAGER, Role.ANALYST, Role.CALL_CENTER_AGENT]
)
def test_a_user_who_may_not_manage_the_network_gets_403_on_an_in_scope_dealer(
    network: Any, user_in: Any, client_as: Any, role: str
) -> None:
    # given a user who may see the dealer but not manage the network
    client = client_as(user_in(role))
    dealer = network["east_dealer"]
    edit_url = reverse("network:dealer_edit", args=[dealer.pk])

    # when they open the edit page, post to it, or open the create page
    opened = client.get(edit_url)
    posted = client.post(edit_url, dealer_form_data(dealer.region, code=dealer.code, name="X"))
    create = client.post(reverse("network:dealer_create"), dealer_form_data(dealer.region))

    # then each is forbidden and nothing changed
    assert (opened.status_code, posted.status_code, create.status_code) == (403, 403, 403)
    dealer.refresh_from_db()
    assert (dealer.name, dealer.version) == ("上海浦东4S店", 1)
    assert Dealer.objects.count() == 3


@pytest.mark.parametrize(
    "url_name", ["network:region_create", "network:group_create", "network:department_create"]
)
def test_only_network_managers_open_the_other_create_pages(
    network: Any, user_in: Any, client_as: Any, url_name: str
) -> None:
    assert client_as(user_in(Role.ANALYST)).get(reverse(url_name)).status_code == 403
    page = client_as(user_in(Role.ADMINISTRATOR)).get(reverse(url_name)).content.decode()
    assert 'data-testid="network-form"' in page
    assert (
        f'name="code" maxlength="20" class="form-control" hx-post="{reverse(url_name)}" '
        'hx-trigger="change" '
        'hx-vals="{&quot;_validate&quot;: &quot;1&quot;, &quot;_field&quot;: &quot;code&quot;}" '
        'hx-target="#field-code" hx-select="#field-code" hx-swap="outerHTML"'
    ) in page


def test_inline_validation_answers_with_the_form_fragment_and_saves_nothing(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))

    # when htmx sends the half-filled form after the code field changed
    response = client.post(
        reverse("network:dealer_create"),
        {"code": "bad code", "_validate": "1", "_field": "code"},
        headers={"HX-Request": "true"},
    )
    fragment = response.content.decode()

    # then the fragment shows the code's error but not "required" on untouched fields
    assert fragment.lstrip().startswith('<div id="network-form-fields"')
    assert "<html" not in fragment
    assert field_errors(fragment, "code") == ["Use letters, digits, dashes and underscores only."]
    assert field_errors(fragment, "name") == []
    assert field_errors(fragment, "region") == []
    assert Dealer.objects.count() == 3


def test_inline_validation_of_a_complete_form_does_not_save(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))
    data = dealer_form_data(network["east"]["city"], _validate="1", _field="name")

    fragment = client.post(reverse("network:dealer_create"), data).content.decode()

    assert "invalid-feedback" not in fragment
    assert not Dealer.objects.filter(code="SH-PD-02").exists()


def test_region_is_created_under_a_parent_of_the_level_above(
    network: Any, user_in: Any, client_as: Any
) -> None:
    admin = user_in(Role.ADMINISTRATOR)
    client = client_as(admin)
    province = network["east"]["province"]

    response = client.post(
        reverse("network:region_create"),
        {"code": "SZ", "name": "苏州", "level": RegionLevel.CITY, "parent": province.pk},
    )

    region = Region.objects.get(code="SZ")
    assert response["Location"] == region.get_absolute_url()
    assert region.path == f"{province.path}{region.pk}/"
    assert [entry.action for entry in history_of(region)] == [AuditAction.CREATE]


def test_a_service_rule_error_is_shown_on_its_field(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given a city put directly under a sales area (the service refuses it)
    client = client_as(user_in(Role.ADMINISTRATOR))

    response = client.post(
        reverse("network:region_create"),
        {
            "code": "SZ",
            "name": "苏州",
            "level": RegionLevel.CITY,
            "parent": network["east"]["area"].pk,
        },
    )

    # then the refusal shows under the parent field and nothing was created
    assert field_errors(response.content.decode(), "parent") == [
        "The parent of a City must be a Province."
    ]
    assert not Region.objects.filter(code="SZ").exists()


def test_editing_a_region_records_the_change(network: Any, user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))
    city = network["east"]["city"]

    response = client.post(
        reverse("network:region_edit", args=[city.pk]),
        {"code": city.code, "name": "上海", "level": city.level, "parent": city.parent_id},
    )

    city.refresh_from_db()
    assert response.status_code == 302
    assert city.name == "上海"
    [entry] = history_of(city)
    assert entry.changes == {"name": ["华东市", "上海"]}


def test_a_region_is_not_offered_as_its_own_parent_nor_cities_as_parents(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))
    province = network["east"]["province"]

    page = client.get(reverse("network:region_edit", args=[province.pk])).content.decode()

    options = re.search(r'<select name="parent".*?</select>', page, re.S).group(0)
    offered = set(re.findall(r'<option value="(\d+)"', options))
    west = network["west"]
    assert offered == {
        str(region.pk) for region in (network["east"]["area"], west["area"], west["province"])
    }


def test_dealer_groups_and_departments_are_created_and_edited(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))

    created_group = client.post(reverse("network:group_create"), {"code": "FE", "name": "远东集团"})
    group = DealerGroup.objects.get(code="FE")
    created_department = client.post(
        reverse("network:department_create"),
        {"code": "CC", "name": "客服中心", "kind": "call_center"},
    )
    department = HQDepartment.objects.get(code="CC")
    client.post(
        reverse("network:group_edit", args=[group.pk]), {"code": "FE", "name": "远东汽车集团"}
    )
    client.post(
        reverse("network:department_edit", args=[department.pk]),
        {"code": "CC", "name": "客户服务中心", "kind": "call_center"},
    )

    group.refresh_from_db()
    department.refresh_from_db()
    assert created_group["Location"] == group.get_absolute_url()
    assert created_department["Location"] == department.get_absolute_url()
    assert (group.name, department.name) == ("远东汽车集团", "客户服务中心")
    assert [entry.action for entry in history_of(group)] == [AuditAction.UPDATE, AuditAction.CREATE]
    assert history_of(department).first().changes == {"name": ["客服中心", "客户服务中心"]}


def test_a_duplicate_code_is_refused_on_the_code_field(
    network: Any, user_in: Any, client_as: Any
) -> None:
    DealerGroupFactory(code="FE")
    HQDepartmentFactory(code="CC")
    client = client_as(user_in(Role.ADMINISTRATOR))

    page = client.post(
        reverse("network:group_create"), {"code": "FE", "name": "另一个"}
    ).content.decode()

    assert field_errors(page, "code") == ["Dealer group with this Code already exists."]
    assert DealerGroup.objects.count() == 1
