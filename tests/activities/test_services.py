"""Logging and correcting interactions: defaults, validation, rights, audit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.activities import services
from autocrm.activities.models import Interaction
from autocrm.core import audit
from autocrm.core.errors import PermissionDenied
from tests.factories import OwnershipFactory, VehicleFactory


def test_a_logged_call_defaults_to_now_the_author_and_the_authors_dealer(
    user_in: Any, network: dict, east_customer: Any
) -> None:
    # given a salesperson of the east dealer
    salesperson = user_in(Role.SALESPERSON)
    before = timezone.now()

    # when they log a call without a time or a dealer
    interaction = services.interaction_log(
        actor=salesperson,
        customer=east_customer,
        data={"channel": "inbound_call", "subject": "询问保养"},
    )

    # then it is theirs, at their dealer, now, and audited
    assert interaction.user == salesperson
    assert interaction.dealer == network["east_dealer"]
    assert before <= interaction.occurred_at <= timezone.now()
    entries = list(audit.history_of(interaction))
    assert [entry.action for entry in entries] == ["create"]
    assert entries[0].changes["subject"] == [None, "询问保养"]


def test_an_interaction_in_the_future_is_refused_and_nothing_is_written(
    user_in: Any, east_customer: Any
) -> None:
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.interaction_log(
            actor=user_in(Role.CALL_CENTER_AGENT),
            customer=east_customer,
            data={"channel": "inbound_call", "subject": "x", "occurred_at": tomorrow},
        )
    assert refused.value.message_dict == {
        "occurred_at": ["An interaction cannot be logged in the future."]
    }
    assert not Interaction.objects.exists()


def test_the_vehicle_must_be_one_the_customer_owns_or_owned(
    user_in: Any, east_customer: Any
) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    stranger_vehicle = VehicleFactory()
    former = OwnershipFactory(
        customer=east_customer,
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2022, 1, 1),
    ).vehicle

    with pytest.raises(ValidationError) as refused:
        services.interaction_log(
            actor=agent,
            customer=east_customer,
            data={"channel": "visit", "subject": "试驾", "vehicle": stranger_vehicle},
        )
    assert refused.value.message_dict == {
        "vehicle": ["This vehicle is not one the customer owns or has owned."]
    }

    logged = services.interaction_log(
        actor=agent,
        customer=east_customer,
        data={"channel": "visit", "subject": "保养", "vehicle": former},
    )
    assert logged.vehicle == former


def test_an_unknown_channel_gets_a_field_error(user_in: Any, east_customer: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.interaction_log(
            actor=user_in(Role.CALL_CENTER_AGENT),
            customer=east_customer,
            data={"channel": "carrier_pigeon", "subject": "x"},
        )
    assert list(refused.value.message_dict) == ["channel"]


def test_an_analyst_may_not_log(user_in: Any, east_customer: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.interaction_log(
            actor=user_in(Role.ANALYST),
            customer=east_customer,
            data={"channel": "inbound_call", "subject": "x"},
        )
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("editor_role", "allowed"),
    [
        (Role.SALESPERSON, False),  # a colleague, not the author
        (Role.SERVICE_ADVISOR, False),
        (Role.DEALER_MANAGER, True),
        (Role.ADMINISTRATOR, True),
    ],
)
def test_the_author_or_a_manager_may_correct_an_interaction(
    editor_role: str, allowed: bool, user_in: Any, east_customer: Any
) -> None:
    author = user_in(Role.SALESPERSON)
    interaction = services.interaction_log(
        actor=author, customer=east_customer, data={"channel": "outbound_call", "subject": "回访"}
    )
    editor = user_in(editor_role)
    if not allowed:
        with pytest.raises(PermissionDenied):
            services.interaction_update(
                actor=editor, interaction=interaction, data={"subject": "改"}
            )
        interaction.refresh_from_db()
        assert interaction.subject == "回访"
        return
    services.interaction_update(
        actor=editor, interaction=interaction, data={"subject": "回访完成", "outcome": "completed"}
    )
    interaction.refresh_from_db()
    assert (interaction.subject, interaction.outcome) == ("回访完成", "completed")
    change = audit.history_of(interaction).first()
    assert change is not None and change.action == "update"
    assert change.changes["subject"] == ["回访", "回访完成"]


def test_the_author_corrects_their_own_entry(user_in: Any, east_customer: Any) -> None:
    author = user_in(Role.SALESPERSON)
    interaction = services.interaction_log(
        actor=author, customer=east_customer, data={"channel": "sms", "subject": "短信"}
    )
    services.interaction_update(actor=author, interaction=interaction, data={"notes": "已回复"})
    interaction.refresh_from_db()
    assert interaction.notes == "已回复"
