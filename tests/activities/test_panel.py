"""The interaction panel of the customer 360 page: timeline pages, channel filter, quick log."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.activities.models import Interaction
from autocrm.customers.panels import registered_panels, render_panels
from tests.factories import OwnershipFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
BASE = datetime.datetime(2026, 1, 1, 8, tzinfo=datetime.UTC)


def timeline_url(customer: Any) -> str:
    return f"/activities/customers/{customer.pk}/timeline/"


def log_url(customer: Any) -> str:
    return f"/activities/customers/{customer.pk}/log/"


def subjects(page: str) -> list[str]:
    return re.findall(r'data-testid="timeline-subject">([^<]*)<', page)


def more_url(page: str) -> str | None:
    found = re.search(r'data-testid="timeline-more"\s+hx-get="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def history(customer: Any, count: int, **extra: Any) -> list[Interaction]:
    """``count`` interactions an hour apart, the last one newest; written in one statement."""
    rows = [
        Interaction(
            customer=customer,
            channel=extra.get("channel", "inbound_call" if n % 2 else "visit"),
            occurred_at=BASE + datetime.timedelta(hours=n),
            subject=f"第{n}次",
        )
        for n in range(count)
    ]
    return Interaction.objects.bulk_create(rows)


def test_the_panel_is_registered_on_the_customer_page_main_column() -> None:
    panel = next(panel for panel in registered_panels() if panel.key == "interactions")
    assert (panel.order, panel.column) == (100, "main")


def test_the_panel_shows_the_newest_twenty_and_a_more_button(
    user_in: Any, east_customer: Any
) -> None:
    history(east_customer, 45)
    request = RequestFactory().get("/")
    request.user = user_in(Role.CALL_CENTER_AGENT)
    html = next(
        p["html"]
        for p in render_panels(request, east_customer)["main"]
        if p["key"] == "interactions"
    )
    assert subjects(html) == [f"第{n}次" for n in range(44, 24, -1)]
    assert 'data-testid="log-call"' in html
    assert more_url(html) is not None


def test_more_appends_the_next_page_and_the_last_page_has_no_button(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    history(east_customer, 45)
    client = client_as(user_in(Role.SALESPERSON))
    first = client.get(timeline_url(east_customer), **HTMX).content.decode()
    second = client.get(more_url(first), **HTMX).content.decode()
    # the "more" answer is rows only (it replaces the button's row), not a new timeline
    assert 'data-testid="timeline-filter"' not in second
    assert subjects(second) == [f"第{n}次" for n in range(24, 4, -1)]
    third = client.get(more_url(second), **HTMX).content.decode()
    assert subjects(third) == [f"第{n}次" for n in range(4, -1, -1)]
    assert more_url(third) is None


def test_the_channel_filter_shows_one_channel_and_keeps_it_when_paging(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    history(east_customer, 50)  # odd hours are calls, even hours visits
    client = client_as(user_in(Role.SALESPERSON))
    page = client.get(timeline_url(east_customer), {"channel": "visit"}, **HTMX).content.decode()
    assert subjects(page) == [f"第{n}次" for n in range(48, 8, -2)]
    assert '<option value="visit" selected>' in page
    more = client.get(more_url(page), **HTMX).content.decode()
    assert subjects(more) == [f"第{n}次" for n in range(8, -1, -2)]
    empty = client.get(timeline_url(east_customer), {"channel": "letter"}, **HTMX).content.decode()
    assert "No interactions on this channel yet." in empty


def test_log_call_opens_a_form_preset_to_an_inbound_call_and_saving_puts_it_on_top(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    history(east_customer, 3)
    agent = user_in(Role.CALL_CENTER_AGENT)
    client = client_as(agent)

    # first click: the form, preset
    form = client.get(log_url(east_customer), {"channel": "inbound_call"}, **HTMX).content.decode()
    assert re.search(r'<option value="inbound_call" selected>', form)
    assert 'name="subject" value="Inbound call"' in form

    # second click: save what the form holds
    response = client.post(
        log_url(east_customer), {"channel": "inbound_call", "subject": "Inbound call"}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert subjects(page)[0] == "Inbound call"
    assert "The interaction was logged." in page
    # the form's slot is emptied out of band
    assert f'id="interaction-form-slot-{east_customer.pk}" hx-swap-oob="true"' in page
    logged = Interaction.objects.get(subject="Inbound call")
    assert (logged.user, logged.channel, logged.customer) == (agent, "inbound_call", east_customer)


def test_the_channel_can_be_changed_and_a_vehicle_chosen_among_the_customers(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    vehicle = OwnershipFactory(customer=east_customer).vehicle
    client = client_as(user_in(Role.SERVICE_ADVISOR))
    form = client.get(log_url(east_customer), **HTMX).content.decode()
    assert f'<option value="{vehicle.pk}">{vehicle.vin}</option>' in form
    response = client.post(
        log_url(east_customer),
        {
            "channel": "wechat",
            "subject": "微信咨询",
            "vehicle": vehicle.pk,
            "outcome": "information_sent",
        },
        **HTMX,
    )
    assert response.status_code == 200
    logged = Interaction.objects.get()
    assert (logged.channel, logged.vehicle, logged.outcome) == (
        "wechat",
        vehicle,
        "information_sent",
    )


def test_an_invalid_quick_log_shows_the_form_again_in_its_slot(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    response = client.post(
        log_url(east_customer), {"channel": "inbound_call", "subject": ""}, **HTMX
    )
    assert response["HX-Retarget"] == f"#interaction-form-slot-{east_customer.pk}"
    assert 'data-testid="field-error">This field is required.<' in response.content.decode()
    assert not Interaction.objects.exists()


def test_an_analyst_reads_the_timeline_but_may_not_log(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    history(east_customer, 1)
    analyst = user_in(Role.ANALYST)
    client = client_as(analyst)
    page = client.get(timeline_url(east_customer), **HTMX).content.decode()
    assert subjects(page) == ["第0次"]
    request = RequestFactory().get("/")
    request.user = analyst
    html = next(
        p["html"]
        for p in render_panels(request, east_customer)["main"]
        if p["key"] == "interactions"
    )
    assert 'data-testid="log-call"' not in html
    assert client.get(log_url(east_customer), **HTMX).status_code == 403
    assert (
        client.post(log_url(east_customer), {"channel": "visit", "subject": "x"}).status_code == 403
    )
    assert Interaction.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "where", "status"),
    [
        (Role.ADMINISTRATOR, "east", 200),
        (Role.REGION_MANAGER, "east", 200),
        (Role.REGION_MANAGER, "west", 404),
        (Role.DEALER_MANAGER, "east", 200),
        (Role.SALESPERSON, "west", 404),
    ],
)
def test_panel_fragments_scoping(
    role: str, where: str, status: int, user_in: Any, client_as: Any, east_customer: Any
) -> None:
    client = client_as(user_in(role, where))
    assert client.get(timeline_url(east_customer), **HTMX).status_code == status
    assert client.get(log_url(east_customer), **HTMX).status_code == status
    posted = client.post(log_url(east_customer), {"channel": "visit", "subject": "到店"}, **HTMX)
    assert posted.status_code == status
    assert Interaction.objects.exists() == (status == 200)


def test_anonymous_users_are_sent_to_the_login_page(client: Any, east_customer: Any) -> None:
    for url in (timeline_url(east_customer), log_url(east_customer), "/activities/interactions/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_timeline_costs_the_same_queries_with_2000_interactions(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    client = client_as(user_in(Role.DEALER_MANAGER))
    history(east_customer, 5)
    url = timeline_url(east_customer)
    client.get(url, **HTMX)
    with CaptureQueriesContext(connection) as few:
        client.get(url, **HTMX)
    Interaction.objects.all().delete()
    history(east_customer, 2000)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, **HTMX).content.decode()
        client.get(more_url(page), **HTMX)
    assert len(subjects(page)) == 20
    assert len(many) == 2 * len(few)


def test_the_quick_log_asks_when_it_happened_defaulting_to_now(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    # given an agent opening the quick log
    client = client_as(user_in(Role.CALL_CENTER_AGENT))
    before = timezone.localtime().replace(second=0, microsecond=0)
    form = client.get(log_url(east_customer), **HTMX).content.decode()
    after = timezone.localtime().replace(second=0, microsecond=0)

    # then the time field holds the current minute, as the browser's picker shows it
    shown = re.search(r'type="datetime-local" name="occurred_at" value="([^"]+)"', form)
    assert shown is not None
    assert shown.group(1) in {before.strftime("%Y-%m-%dT%H:%M"), after.strftime("%Y-%m-%dT%H:%M")}


def test_a_call_logged_afterwards_keeps_the_time_it_happened(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    client = client_as(user_in(Role.CALL_CENTER_AGENT))
    earlier = timezone.localtime() - datetime.timedelta(hours=3)

    response = client.post(
        log_url(east_customer),
        {
            "channel": "inbound_call",
            "subject": "补记来电",
            "occurred_at": earlier.strftime("%Y-%m-%dT%H:%M"),
        },
        **HTMX,
    )

    assert response.status_code == 200
    logged = Interaction.objects.get()
    assert logged.occurred_at == earlier.replace(second=0, microsecond=0)


def test_a_quick_log_in_the_future_is_refused_on_the_time_field(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)

    response = client.post(
        log_url(east_customer),
        {
            "channel": "visit",
            "subject": "到店",
            "occurred_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
        },
        **HTMX,
    )

    page = response.content.decode()
    time_field = re.search(r'id="quick-log-occurred_at">(.*?)</div>\s*</div>', page, re.S)
    assert time_field is not None
    assert "An interaction cannot be logged in the future." in time_field.group(1)
    assert not Interaction.objects.exists()


def test_a_quick_log_without_a_time_is_logged_now(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    before = timezone.now()

    client.post(
        log_url(east_customer), {"channel": "visit", "subject": "到店", "occurred_at": ""}, **HTMX
    )

    logged = Interaction.objects.get()
    assert before <= logged.occurred_at <= timezone.now()
