"""Correcting an interaction: the edit page (author or manager, audited, optimistic lock), its
link on the timeline, and the version on the API."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.activities import services
from autocrm.activities.models import Interaction
from autocrm.core.audit import history_of
from tests.factories import OwnershipFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
A_DAY_AGO = timezone.localtime() - datetime.timedelta(days=1)


def edit_url(interaction: Interaction) -> str:
    return f"/activities/interactions/{interaction.pk}/edit/"


def minute(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def logged_by(author: Any, customer: Any, **data: Any) -> Interaction:
    return services.interaction_log(
        actor=author,
        customer=customer,
        data={"channel": "outbound_call", "subject": "回访", "occurred_at": A_DAY_AGO} | data,
    )


def form_data(interaction: Interaction, **changes: Any) -> dict[str, Any]:
    return {
        "channel": interaction.channel,
        "occurred_at": minute(interaction.occurred_at),
        "subject": interaction.subject,
        "outcome": interaction.outcome,
        "vehicle": interaction.vehicle_id or "",
        "duration_seconds": interaction.duration_seconds or "",
        "notes": interaction.notes,
        "version": interaction.version,
    } | changes


def field_errors(page: str, name: str) -> list[str]:
    block = re.search(rf'<div class="mb-3" id="field-{name}">(.*?)\n</div>', page, re.S)
    assert block is not None, f"field {name} is not on the page"
    return re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', block.group(1))


def test_the_author_corrects_an_interaction_and_the_change_is_audited(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    # given a call a salesperson logged yesterday, about one of the customer's cars
    author = user_in(Role.SALESPERSON)
    vehicle = OwnershipFactory(customer=east_customer).vehicle
    interaction = logged_by(author, east_customer)
    client = client_as(author)

    # when they open the edit page and correct the subject, time, outcome and vehicle
    page = client.get(edit_url(interaction)).content.decode()
    earlier = A_DAY_AGO - datetime.timedelta(hours=2)
    response = client.post(
        edit_url(interaction),
        form_data(
            interaction,
            subject="保养回访",
            occurred_at=minute(earlier),
            outcome="appointment_made",
            vehicle=vehicle.pk,
        ),
    )

    # then the page showed the interaction as stored, and saving leads back to the customer
    assert f'value="{minute(A_DAY_AGO)}"' in page
    assert 'name="version" value="1"' in page
    assert response.status_code == 302
    assert response["Location"] == east_customer.get_absolute_url()
    stored = Interaction.objects.get(pk=interaction.pk)
    assert (stored.subject, stored.outcome, stored.vehicle, stored.version) == (
        "保养回访",
        "appointment_made",
        vehicle,
        2,
    )
    assert minute(stored.occurred_at) == minute(earlier)
    change = history_of(interaction).first()
    assert change is not None and change.actor == author
    assert change.changes["subject"] == ["回访", "保养回访"]
    # and the customer page says so
    followed = client.get(response["Location"]).content.decode()
    assert "The interaction “保养回访” was saved." in followed


@pytest.mark.parametrize(
    ("role", "where", "status"),
    [
        (Role.SALESPERSON, "east", 403),  # a colleague, not the author
        (Role.ANALYST, "east", 403),  # reads only
        (Role.DEALER_MANAGER, "east", 200),
        (Role.REGION_MANAGER, "east", 200),
        (Role.ADMINISTRATOR, "east", 200),
        (Role.DEALER_MANAGER, "west", 404),  # another dealer's manager never sees it
    ],
)
def test_who_may_open_and_save_the_edit_page(
    user_in: Any, client_as: Any, east_customer: Any, role: str, where: str, status: int
) -> None:
    interaction = logged_by(user_in(Role.SALESPERSON), east_customer)
    client = client_as(user_in(role, where=where))

    opened = client.get(edit_url(interaction))
    saved = client.post(edit_url(interaction), form_data(interaction, subject="改过"))

    assert opened.status_code == status
    assert saved.status_code == (302 if status == 200 else status)
    expected_subject = "改过" if status == 200 else "回访"
    assert Interaction.objects.get(pk=interaction.pk).subject == expected_subject


def test_a_save_based_on_an_old_copy_is_refused_and_overwrites_nothing(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    # given the author and their manager both opened the interaction (version 1)
    author = user_in(Role.SALESPERSON)
    interaction = logged_by(author, east_customer)
    manager_client = client_as(user_in(Role.DEALER_MANAGER))
    manager_client.post(edit_url(interaction), form_data(interaction, notes="经理补充"))

    # when the author saves the copy they opened
    client = client_as(author)
    page = client.post(edit_url(interaction), form_data(interaction, subject="作者改")).content

    # then it is refused with the stale-record message, and the manager's notes stay
    assert "Someone else changed this record after you opened it." in page.decode()
    stored = Interaction.objects.get(pk=interaction.pk)
    assert (stored.subject, stored.notes, stored.version) == ("回访", "经理补充", 2)


def test_a_time_in_the_future_is_an_inline_error_on_the_time_field(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    author = user_in(Role.SALESPERSON)
    interaction = logged_by(author, east_customer)
    client = client_as(author)
    tomorrow = minute(timezone.now() + datetime.timedelta(days=1))

    inline = client.post(
        edit_url(interaction),
        form_data(interaction, occurred_at=tomorrow, _validate="1", _field="occurred_at"),
        **HTMX,
    ).content.decode()
    saved = client.post(edit_url(interaction), form_data(interaction, occurred_at=tomorrow))

    message = "An interaction cannot be logged in the future."
    assert field_errors(inline, "occurred_at") == [message]
    assert field_errors(saved.content.decode(), "occurred_at") == [message]
    assert Interaction.objects.get(pk=interaction.pk).version == 1


def test_the_timeline_links_to_the_edit_page_only_where_the_user_may_edit(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    # given one call logged by a salesperson, one by their colleague
    author = user_in(Role.SALESPERSON)
    own = logged_by(author, east_customer, subject="我的")
    colleague_s = logged_by(user_in(Role.SALESPERSON), east_customer, subject="同事的")

    def edit_links(user: Any) -> list[str]:
        page = client_as(user).get(east_customer.get_absolute_url()).content.decode()
        return re.findall(r'href="([^"]+)" data-testid="timeline-edit"', page)

    # then the author may edit their own, their manager both, an analyst none
    assert edit_links(author) == [edit_url(own)]
    assert sorted(edit_links(user_in(Role.DEALER_MANAGER))) == sorted(
        [edit_url(own), edit_url(colleague_s)]
    )
    assert edit_links(user_in(Role.ANALYST)) == []


def test_the_api_refuses_a_change_based_on_an_old_version(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    author = user_in(Role.SALESPERSON)
    interaction = logged_by(author, east_customer)
    client = client_as(author)
    url = f"/api/v1/interactions/{interaction.pk}"

    first = client.patch(url, {"notes": "一", "version": 1}, content_type="application/json")
    stale = client.patch(url, {"notes": "二", "version": 1}, content_type="application/json")

    assert (first.status_code, first.json()["version"]) == (200, 2)
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert Interaction.objects.get(pk=interaction.pk).notes == "一"
