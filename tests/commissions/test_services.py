"""Plans: who may set them, bad input refused with specific messages, one plan per dealer per
day; months: closing stores the statements, a closed month stays as it was, reopening."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from autocrm.accounts.choices import Role
from autocrm.commissions import services
from autocrm.commissions.choices import MonthStatus
from autocrm.commissions.computation import month_totals
from autocrm.commissions.models import (
    CommissionMonth,
    CommissionPlan,
    CommissionStatement,
    CommissionStatementLine,
)
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.core.models import AuditEntry
from tests.commissions.conftest import MONTH
from tests.commissions.factories import deliver, plan

pytestmark = pytest.mark.django_db

D = Decimal


def messages_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def create(actor: Any, dealer: Any, **data: Any) -> CommissionPlan:
    rates = data.pop("rates", [])
    tiers = data.pop("bonus_tiers", [])
    fields = {"name": "方案", "valid_from": datetime.date(2026, 1, 1), **data}
    return services.commission_plan_create(
        actor=actor, dealer=dealer, data=fields, rates=rates, bonus_tiers=tiers
    )


# --- who -------------------------------------------------------------------------------------


def test_a_dealer_manager_creates_a_plan_with_rates_and_tiers_audited(
    network: dict[str, Any], manager: Any, regal: Any
) -> None:
    created = create(
        manager,
        network["east_dealer"],
        margin_percent=D("2.5"),
        rates=[
            services.RateInput(amount="800", vehicle_model=regal),
            services.RateInput(amount="500", series="君越"),
            services.RateInput(amount="300"),
        ],
        bonus_tiers=[services.TierInput(min_cars=5, bonus="2000")],
    )

    assert {(r.basis, r.vehicle_model_id, r.series, r.amount) for r in created.rates.all()} == {
        ("model", regal.pk, "", D("800.00")),
        ("series", None, "君越", D("500.00")),
        ("any", None, "", D("300.00")),
    }
    assert [(t.min_cars, t.bonus) for t in created.bonus_tiers.all()] == [(5, D("2000.00"))]
    entries = AuditEntry.objects.filter(
        content_type__model="commissionplan", object_id=str(created.pk), actor=manager
    )
    assert entries.filter(action="create").count() == 1
    assert entries.filter(changes__has_key="rates").exists()


@pytest.mark.parametrize(
    "role", [Role.REGION_MANAGER, Role.SALESPERSON, Role.ANALYST, Role.CALL_CENTER_AGENT]
)
def test_roles_that_only_read_may_not_set_plans(
    user_in: Any, network: dict[str, Any], role: str
) -> None:
    with pytest.raises(PermissionDenied):
        create(user_in(role), network["east_dealer"])
    assert not CommissionPlan.objects.exists()


def test_a_dealer_manager_may_not_set_another_dealers_plan(
    network: dict[str, Any], manager: Any
) -> None:
    with pytest.raises(ValidationError) as error:
        create(manager, network["east_other_dealer"])

    assert messages_of(error) == {
        "dealer": ["You may set commissions only for the dealer you manage."]
    }


def test_the_administrator_sets_any_dealers_plan(network: dict[str, Any], user_in: Any) -> None:
    assert create(user_in(Role.ADMINISTRATOR), network["west_dealer"]).pk


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "message"),
    [
        (D("100.01"), "A percentage cannot be more than 100."),
        (D("-1"), "A percentage cannot be negative."),
        ("abc", "Enter a percentage between 0 and 100."),
    ],
)
def test_a_share_of_margin_outside_0_to_100_is_refused(
    network: dict[str, Any], manager: Any, percent: Any, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        create(manager, network["east_dealer"], margin_percent=percent)
    assert messages_of(error) == {"margin_percent": [message]}


def test_negative_amounts_are_refused_per_rate_and_tier(
    network: dict[str, Any], manager: Any
) -> None:
    with pytest.raises(ValidationError) as rates_error:
        create(manager, network["east_dealer"], rates=[services.RateInput(amount="-100")])
    with pytest.raises(ValidationError) as tiers_error:
        create(
            manager,
            network["east_dealer"],
            bonus_tiers=[
                services.TierInput(min_cars=3, bonus="100"),
                services.TierInput(min_cars=5, bonus="-1"),
            ],
        )

    assert messages_of(rates_error) == {"rates": ["Rate 1: An amount cannot be negative."]}
    assert messages_of(tiers_error) == {"bonus_tiers": ["Tier 2: An amount cannot be negative."]}
    assert not CommissionPlan.objects.exists()


def test_duplicate_rates_and_tiers_and_a_zero_target_are_refused(
    network: dict[str, Any], manager: Any, regal: Any
) -> None:
    with pytest.raises(ValidationError) as rates_error:
        create(
            manager,
            network["east_dealer"],
            rates=[
                services.RateInput(amount="1", vehicle_model=regal),
                services.RateInput(amount="2", vehicle_model=regal),
                services.RateInput(amount="3", vehicle_model=regal, series="君威"),
                services.RateInput(amount="0.001"),
            ],
        )
    with pytest.raises(ValidationError) as tiers_error:
        create(
            manager,
            network["east_dealer"],
            bonus_tiers=[
                services.TierInput(min_cars=0, bonus="1"),
                services.TierInput(min_cars=4, bonus="1"),
                services.TierInput(min_cars=4, bonus="2"),
            ],
        )

    assert messages_of(rates_error) == {
        "rates": [
            "Rate 2: The same model, series or any-model rate is given twice.",
            "Rate 3: Name a model or a series, not both.",
            "Rate 4: Enter an amount in yuan with at most two decimals (fen).",
        ]
    }
    assert messages_of(tiers_error) == {
        "bonus_tiers": [
            "Tier 1: A target is at least one car.",
            "Tier 3: Two tiers have the same target.",
        ]
    }


def test_a_plan_cannot_end_before_it_starts(network: dict[str, Any], manager: Any) -> None:
    with pytest.raises(ValidationError) as error:
        create(manager, network["east_dealer"], valid_to=datetime.date(2025, 12, 31))
    assert messages_of(error) == {"valid_to": ["A plan cannot end before it starts."]}


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (datetime.date(2026, 6, 30), None),  # starts on the existing plan's last day
        (datetime.date(2025, 1, 1), datetime.date(2026, 1, 1)),  # ends on its first day
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),  # inside it
        (datetime.date(2025, 1, 1), None),  # around it
    ],
)
def test_overlapping_validity_is_refused(
    network: dict[str, Any], manager: Any, valid_from: Any, valid_to: Any
) -> None:
    dealer = network["east_dealer"]
    create(manager, dealer, name="2026上半年", valid_to=datetime.date(2026, 6, 30))

    with pytest.raises(ValidationError) as error:
        create(manager, dealer, name="新方案", valid_from=valid_from, valid_to=valid_to)

    assert messages_of(error) == {
        "valid_from": [
            "The validity overlaps plan “2026上半年” (2026-01-01 to 2026-06-30): only one plan "
            "may be in force per dealer on any day."
        ]
    }


def test_an_open_ended_plan_blocks_later_plans_until_it_is_given_an_end(
    network: dict[str, Any], manager: Any
) -> None:
    dealer = network["east_dealer"]
    current = create(manager, dealer, name="现行")
    with pytest.raises(ValidationError) as error:
        create(manager, dealer, name="下半年", valid_from=datetime.date(2026, 7, 1))
    assert "(2026-01-01 to open-ended)" in messages_of(error)["valid_from"][0]

    services.commission_plan_update(
        actor=manager, plan=current, data={"valid_to": datetime.date(2026, 6, 30)}, version=1
    )
    later = create(manager, dealer, name="下半年", valid_from=datetime.date(2026, 7, 1))

    assert later.pk
    # Plans of other dealers do not clash.
    assert create(user_in_admin(network), network["west_dealer"], name="西南").pk


def user_in_admin(network: dict[str, Any]) -> Any:
    from tests.conftest import make_user

    return make_user(Role.ADMINISTRATOR, network=network)


def test_an_update_from_an_old_version_is_refused_and_changes_nothing(
    network: dict[str, Any], manager: Any
) -> None:
    current = create(manager, network["east_dealer"], margin_percent=D("1"))
    services.commission_plan_update(
        actor=manager, plan=current, data={"margin_percent": D("2")}, version=1
    )

    with pytest.raises(StaleRecord):
        services.commission_plan_update(
            actor=manager, plan=current, data={"margin_percent": D("3")}, version=1
        )

    current.refresh_from_db()
    assert (current.margin_percent, current.version) == (D("2.00"), 2)


def test_an_update_replaces_rates_and_tiers_only_when_given(
    network: dict[str, Any], manager: Any
) -> None:
    current = create(
        manager,
        network["east_dealer"],
        rates=[services.RateInput(amount="100")],
        bonus_tiers=[services.TierInput(min_cars=2, bonus="50")],
    )

    services.commission_plan_update(
        actor=manager, plan=current, data={"name": "新名称"}, rates=[services.RateInput("150")]
    )

    assert [r.amount for r in current.rates.all()] == [D("150.00")]
    assert [t.bonus for t in current.bonus_tiers.all()] == [D("50.00")]


# --- months ----------------------------------------------------------------------------------


@pytest.fixture
def march(network: dict[str, Any], manager: Any, seller: Any, other_seller: Any, regal: Any) -> Any:
    """March 2026 at the east dealer: a plan (300 per car, 10 % of margin, 1,000 from 2 cars),
    two cars for the seller and one for the other."""
    dealer = network["east_dealer"]
    current = plan(
        actor=manager,
        dealer=dealer,
        valid_from=datetime.date(2026, 1, 1),
        margin_percent="10",
        rates=[(None, "", "300")],
        tiers=[(2, "1000")],
    )
    for person, on in ((seller, 3), (seller, 20), (other_seller, 9)):
        deliver(
            dealer=dealer,
            vehicle_model=regal,
            salesperson=person,
            on=MONTH.replace(day=on),
            price="205000",
            cost="200000",
        )
    return current


def test_closing_a_month_stores_each_salespersons_statement_and_cars(
    network: dict[str, Any], manager: Any, seller: Any, other_seller: Any, march: Any
) -> None:
    month = services.commission_month_close(
        actor=manager, dealer=network["east_dealer"], month=MONTH
    )

    assert (month.status, month.closed_by) == (MonthStatus.CLOSED, manager)
    stored = {s.salesperson_id: s for s in CommissionStatement.objects.all()}
    assert set(stored) == {seller.pk, other_seller.pk}
    mine = stored[seller.pk]
    assert (mine.cars, mine.per_car_total, mine.margin_share_total, mine.bonus, mine.total) == (
        2,
        D("600.00"),
        D("1000.00"),
        D("1000.00"),
        D("2600.00"),
    )
    assert stored[other_seller.pk].total == D("800.00")
    assert CommissionStatementLine.objects.filter(statement=mine).count() == 2
    assert AuditEntry.objects.filter(
        content_type__model="commissionmonth", object_id=str(month.pk), action="create"
    ).exists()


def test_a_closed_month_does_not_change_when_the_plan_changes(
    network: dict[str, Any], manager: Any, seller: Any, march: Any
) -> None:
    dealer = network["east_dealer"]
    services.commission_month_close(actor=manager, dealer=dealer, month=MONTH)

    services.commission_plan_update(
        actor=manager,
        plan=march,
        data={"margin_percent": D("50")},
        rates=[services.RateInput("9999")],
        bonus_tiers=[],
    )

    statement = CommissionStatement.objects.get(salesperson=seller)
    assert statement.total == D("2600.00")
    # The live computation has moved on; the stored month has not.
    assert {r.salesperson_id: r.total for r in month_totals(dealer, MONTH)}[seller.pk] == D(
        "24998.00"
    )


def test_closing_a_closed_month_again_is_refused(
    network: dict[str, Any], manager: Any, march: Any
) -> None:
    dealer = network["east_dealer"]
    services.commission_month_close(actor=manager, dealer=dealer, month=MONTH)

    with pytest.raises(ValidationError) as error:
        services.commission_month_close(actor=manager, dealer=dealer, month=MONTH)

    assert messages_of(error) == {
        "month": [
            "This month is closed and its statements are stored; a manager must reopen it "
            "before it can be recomputed."
        ]
    }
    assert CommissionStatement.objects.count() == 2


def test_a_month_that_has_not_ended_cannot_be_closed(network: dict[str, Any], manager: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.commission_month_close(
            actor=manager, dealer=network["east_dealer"], month=datetime.date.today()
        )
    assert messages_of(error) == {"month": ["A month can be closed only after it has ended."]}


def test_reopening_needs_a_reason_and_a_manager_and_is_audited(
    network: dict[str, Any], manager: Any, seller: Any, user_in: Any, march: Any
) -> None:
    dealer = network["east_dealer"]
    services.commission_month_close(actor=manager, dealer=dealer, month=MONTH)

    with pytest.raises(ValidationError) as error:
        services.commission_month_reopen(actor=manager, dealer=dealer, month=MONTH, reason=" ")
    assert messages_of(error) == {"reason": ["Give a reason for reopening the month."]}
    with pytest.raises(PermissionDenied):
        services.commission_month_reopen(actor=seller, dealer=dealer, month=MONTH, reason="x")
    with pytest.raises(PermissionDenied):
        services.commission_month_reopen(
            actor=user_in(Role.REGION_MANAGER), dealer=dealer, month=MONTH, reason="x"
        )

    month = services.commission_month_reopen(
        actor=manager, dealer=dealer, month=MONTH, reason="漏录一台车"
    )

    assert (month.status, month.reopen_reason, month.reopened_by) == ("open", "漏录一台车", manager)
    assert not CommissionStatement.objects.exists()
    entry = AuditEntry.objects.get(
        content_type__model="commissionmonth", object_id=str(month.pk), action="update"
    )
    assert entry.changes["status"] == ["closed", "open"]
    assert entry.changes["reopen_reason"] == ["", "漏录一台车"]


def test_after_reopening_the_month_closes_again_with_the_current_plan(
    network: dict[str, Any], manager: Any, seller: Any, march: Any
) -> None:
    dealer = network["east_dealer"]
    services.commission_month_close(actor=manager, dealer=dealer, month=MONTH)
    services.commission_plan_update(actor=manager, plan=march, data={"margin_percent": D("0")})
    services.commission_month_reopen(actor=manager, dealer=dealer, month=MONTH, reason="更正")

    services.commission_month_close(actor=manager, dealer=dealer, month=MONTH)

    assert CommissionStatement.objects.get(salesperson=seller).total == D("1600.00")
    assert CommissionMonth.objects.get().version == 3


def test_reopening_an_open_month_is_refused(network: dict[str, Any], manager: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.commission_month_reopen(
            actor=manager, dealer=network["east_dealer"], month=MONTH, reason="x"
        )
    assert messages_of(error) == {"month": ["This month is not closed."]}


def test_another_dealers_manager_may_not_close_the_month(
    network: dict[str, Any], march: Any
) -> None:
    from tests.factories import UserFactory

    other_manager = UserFactory(role=Role.DEALER_MANAGER, dealer=network["east_other_dealer"])
    with pytest.raises(ValidationError) as error:
        services.commission_month_close(
            actor=other_manager, dealer=network["east_dealer"], month=MONTH
        )
    assert "dealer" in messages_of(error)
    assert not CommissionStatement.objects.exists()
