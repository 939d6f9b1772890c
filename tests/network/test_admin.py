"""The admin site: network, audit trail and jobs are read-only; users carry their membership;
API token hashes are never shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from autocrm.accounts.services import api_token_create
from autocrm.core.audit import history_of
from autocrm.core.models import AuditAction
from autocrm.network import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client: Any, network: Any) -> Any:
    superuser = UserFactory(username="root", role="", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("model", ["region", "dealergroup", "dealer", "hqdepartment"])
def test_network_records_are_browsable_but_not_editable_in_the_admin(
    superuser_client: Any, network: Any, model: str
) -> None:
    changelist = superuser_client.get(reverse(f"admin:network_{model}_changelist"))
    add = superuser_client.get(reverse(f"admin:network_{model}_add"))

    assert changelist.status_code == 200
    assert add.status_code == 403


def test_a_dealer_admin_page_shows_values_read_only(superuser_client: Any, network: Any) -> None:
    dealer = network["east_dealer"]

    page = superuser_client.get(reverse("admin:network_dealer_change", args=[dealer.pk]))
    posted = superuser_client.post(
        reverse("admin:network_dealer_change", args=[dealer.pk]), {"name": "改名"}
    )

    assert dealer.name in page.content.decode()
    assert 'name="name"' not in page.content.decode()
    assert posted.status_code == 403
    dealer.refresh_from_db()
    assert dealer.name == "上海浦东4S店"


def test_api_token_admin_never_shows_the_hash(superuser_client: Any, user_in: Any) -> None:
    token, raw = api_token_create(user=user_in(Role.ANALYST), name="DMS")

    listing = superuser_client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    detail = superuser_client.get(
        reverse("admin:accounts_apitoken_change", args=[token.pk])
    ).content.decode()

    for page in (listing, detail):
        assert token.key_hash not in page
        assert raw not in page
        assert token.key_hint in page


def test_revoking_tokens_from_the_admin_goes_through_the_service(
    superuser_client: Any, user_in: Any
) -> None:
    token, _raw = api_token_create(user=user_in(Role.ANALYST), name="DMS")

    superuser_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert [entry.action for entry in history_of(token)] == [AuditAction.UPDATE, AuditAction.CREATE]


def test_user_admin_edits_role_and_membership_and_audits_it(
    superuser_client: Any, network: Any, user_in: Any
) -> None:
    # given a dealer manager of the east dealer
    user = user_in(Role.DEALER_MANAGER)
    page = superuser_client.get(
        reverse("admin:accounts_user_change", args=[user.pk])
    ).content.decode()
    assert 'name="role"' in page
    assert 'name="dealer"' in page

    # when the superuser makes them the west region's manager
    response = superuser_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "username": user.username,
            "display_name": user.display_name,
            "role": Role.REGION_MANAGER,
            "region": network["west"]["area"].pk,
            "dealer": "",
            "hq_department": "",
            "is_active": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    # then the change is saved and on the audit trail
    user = User.objects.get(pk=user.pk)
    assert response.status_code == 302
    assert (user.role, user.region, user.dealer) == (
        Role.REGION_MANAGER,
        network["west"]["area"],
        None,
    )
    [entry] = history_of(user)
    assert entry.changes["role"] == [Role.DEALER_MANAGER, Role.REGION_MANAGER]


def test_user_admin_refuses_a_membership_that_does_not_fit_the_role(
    superuser_client: Any, network: Any, user_in: Any
) -> None:
    user = user_in(Role.DEALER_MANAGER)

    response = superuser_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "username": user.username,
            "role": Role.REGION_MANAGER,
            "region": "",
            "dealer": "",
            "hq_department": "",
            "is_active": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 200
    assert "A region manager must belong to a region." in response.content.decode()
    user.refresh_from_db()
    assert user.role == Role.DEALER_MANAGER


def test_audit_trail_and_jobs_are_read_only_in_the_admin(
    superuser_client: Any, network: Any, user_in: Any
) -> None:
    services.dealer_update(
        actor=user_in(Role.ADMINISTRATOR), dealer=network["east_dealer"], data={"name": "新"}
    )
    entry = history_of(network["east_dealer"]).get()

    listing = superuser_client.get(reverse("admin:core_auditentry_changelist"))
    change = superuser_client.post(reverse("admin:core_auditentry_change", args=[entry.pk]), {})
    delete = superuser_client.post(
        reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    jobs = superuser_client.get(reverse("admin:core_job_changelist"))
    job_add = superuser_client.get(reverse("admin:core_job_add"))

    assert listing.status_code == 200
    assert entry.object_repr in listing.content.decode()
    assert (change.status_code, delete.status_code) == (403, 403)
    assert (jobs.status_code, job_add.status_code) == (200, 403)
    assert history_of(network["east_dealer"]).count() == 1
