"""Demo leads and routing: a territory (the dealer's city) for every seeded dealer selling
cars, open leads on seeded customers at their own dealer (about 200,000 at large scale), and a
handful for the demo salesperson (user ``salesperson``), the first of them to buy immediately.

Leads are written straight into the table (``BulkWriter``) with explicit keys, numbered like
the service numbers them, one per customer, so the one-open-lead-per-dealer rule holds; no
assignment history or audit entries (demo data has no history of its own).
"""

from __future__ import annotations

import datetime
import itertools
import time
from typing import Any

from django.db import connection

from autocrm.core.bulkload import BulkWriter, after_explicit_ids, next_id
from autocrm.core.seeding import SeedContext, register_seeder
from autocrm.customers.seeds import PROSPECT, calendar, now_text, plan_of

LEADS_PER_SCALE = {"small": 40, "medium": 10_000, "large": 200_000}
DEMO_SALESPERSON_LEADS = 5

_SOURCES = (
    ("call_center", 15), ("website", 30), ("auto_show", 10), ("event", 8), ("referral", 10),
    ("walk_in", 17), ("campaign", 7), ("purchased_list", 3),
)  # fmt: skip
_TIMEFRAMES = (("immediately", 10), ("3_months", 30), ("6_months", 30), ("1_year", 30))
_GRADE = {"immediately": "A", "3_months": "B", "6_months": "C", "1_year": "C"}
_STATUSES = (("new", 50), ("contacted", 35), ("qualified", 15))
_CONFIGURATIONS = ("", "", "精英型", "豪华型", "旗舰型", "运动版")
_NOTES = ("", "", "关注油耗和空间", "计划置换旧车", "需要贷款方案", "周末可到店试驾")
_COLUMNS = (
    "id", "number", "source", "kind", "name", "phone", "email", "city_id", "postcode",
    "vehicle_model_id", "configuration", "budget", "timeframe", "money", "money_note",
    "authority", "authority_note", "need", "need_note", "grade", "status", "lost_reason",
    "notes", "dealer_id", "salesperson_id", "customer_id", "submission_id", "version",
    "created_at", "updated_at", "last_activity_at",
)  # fmt: skip


_LEAD_STEPS = ("new", "contacted", "qualified", "converted")
_STEP_COLUMNS = ("lead_id", "from_status", "to_status", "changed_at", "changed_by_id")


def write_status_steps(
    writer: BulkWriter,
    lead_id: int,
    status: str,
    cal: Any,
    day: int,
    second: int,
    by: int | None,
    *,
    last_day: int | None = None,
) -> int:
    """One ``LeadStatusChange`` per step up to ``status``, a few days apart (derived from the
    key, so the lead's own random draws stay as they were), never after ``last_day`` (today by
    default); answers the day of the last step."""
    last_day = cal.today if last_day is None else last_day
    previous = ""
    for index, step in enumerate(_LEAD_STEPS[: _LEAD_STEPS.index(status) + 1]):
        if index:
            day = min(last_day, day + 1 + (lead_id * (index + 3)) % 6)
        writer.add(lead_id, previous, step, cal.moment(day, second + index * 600), by)
        previous = step
    return day


def seed_territories(context: SeedContext) -> None:
    """Each dealer selling cars covers its own city (so routed leads reach every dealer)."""
    from autocrm.sales.models import Territory

    territories = [
        Territory(dealer=dealer, region_id=dealer.region_id)
        for dealer in context.created["dealers"]
        if dealer.sells_vehicles
    ]
    Territory.objects.bulk_create(territories, batch_size=2000)


def _customer_rows(first_id: int, total: int, step: int) -> dict[int, tuple[str, str, int]]:
    """(name, kind, city id) of every ``step``-th seeded customer, in one scan."""
    table = connection.ops.quote_name("customers_customer")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, name, kind, city_id FROM {table} WHERE id >= %s AND id < %s"
            " AND (id - %s) %% %s = 0",
            [first_id, first_id + total, first_id, step],
        )
        return {row[0]: (row[1], row[2], row[3]) for row in cursor.fetchall()}


def seed_leads(context: SeedContext) -> None:
    from autocrm.accounts.choices import Role
    from autocrm.sales.models import Lead, LeadStatusChange

    started = time.perf_counter()
    rng, cal, now = context.rng, calendar(), now_text()
    plan = plan_of(context)
    total = len(plan)
    count = min(LEADS_PER_SCALE[context.scale.name], total)
    step = max(1, total // count)
    demo = next((u for u in context.created["users"] if u.username == Role.SALESPERSON.value), None)
    dealer_ids = [dealer.pk for dealer in plan.dealers]
    demo_positions: list[int] = []
    if demo is not None:
        demo_positions = [
            position
            for position in range(2, total)
            if position % step
            and dealer_ids[plan.dealer[position]] == demo.dealer_id
            and plan.status[position] == PROSPECT
        ][:DEMO_SALESPERSON_LEADS]
    rows = _customer_rows(plan.first_id, total, step)
    for position in demo_positions:
        rows.update(_customer_rows(plan.first_id + position, 1, 1))
    models = [model.pk for model in context.created.get("vehicle_models", [])] or [None]
    sources, source_weights = [s for s, _w in _SOURCES], [w for _s, w in _SOURCES]
    timeframes, timeframe_weights = [t for t, _w in _TIMEFRAMES], [w for _t, w in _TIMEFRAMES]
    statuses, status_weights = [s for s, _w in _STATUSES], [w for _s, w in _STATUSES]
    write = BulkWriter(Lead, _COLUMNS, batch_size=50_000)
    steps = BulkWriter(LeadStatusChange, _STEP_COLUMNS, batch_size=50_000)
    pk = next_id(Lead)
    picks = list(range(0, total, step))[:count]
    positions: list[tuple[int, Any]] = [(p, None) for p in picks]
    positions += [(p, demo) for p in demo_positions]
    for number, (position, owner) in enumerate(positions):
        customer_id = plan.first_id + position
        name, kind, city_id = rows[customer_id]
        dealer = dealer_ids[plan.dealer[position]]
        staff: list[int | None] = [*plan.staff.get(dealer, [])] or [None]
        timeframe = (
            "immediately"
            if owner is not None and number == len(picks)
            else rng.choices(timeframes, timeframe_weights)[0]
        )
        status = "new" if owner is not None else rng.choices(statuses, status_weights)[0]
        created_day = cal.today - rng.randint(0, 120)
        created_second = 3600 + rng.randint(0, 39600)
        created = cal.moment(created_day, created_second)
        model = rng.choice(models)
        write.add(
            pk, f"L{pk:09d}", rng.choices(sources, source_weights)[0], kind, name,
            plan.phone[position], "" if plan.phone[position] else f"c{customer_id}@example.cn",
            city_id, "", model, rng.choice(_CONFIGURATIONS) if model else "",
            rng.randint(10, 50) * 10_000, timeframe,
            "yes" if status == "qualified" else "unknown", "", "unknown", "",
            "yes" if status != "new" else "unknown", "", _GRADE[timeframe], status, "",
            rng.choice(_NOTES), dealer, owner.pk if owner is not None else rng.choice(staff),
            customer_id, None, 1, created, now, created,
        )  # fmt: skip
        write_status_steps(
            steps, pk, status, cal, created_day, created_second,
            owner.pk if owner is not None else None,
        )  # fmt: skip
        pk += 1
    write.flush()
    steps.flush()
    after_explicit_ids(Lead)
    context.log(f"  leads: {write.count:,} in {time.perf_counter() - started:.1f} s")


register_seeder("sales.territories", seed_territories, order=125)
register_seeder(
    "sales.leads", seed_leads, order=130, loads=("sales.Lead", "sales.LeadStatusChange")
)


# --- opportunities and quotes ------------------------------------------------------------------

OPPORTUNITIES_PER_SCALE = {"small": 30, "medium": 5_000, "large": 80_000}
# The first (demo) dealer gets a big share, so its pipeline has thousands of cards at large.
FIRST_DEALER_OPPORTUNITIES = {"small": 10, "medium": 1_000, "large": 3_000}
_STAGES = (
    ("need_analysis", 25), ("test_drive", 20), ("negotiation", 15), ("order", 8),
    ("delivery", 7), ("won", 15), ("lost", 10),
)  # fmt: skip
_SEQUENCE = ("need_analysis", "test_drive", "negotiation", "order", "delivery", "won")
_PROBABILITY = {
    "need_analysis": 10, "test_drive": 25, "negotiation": 50, "order": 80, "delivery": 95,
    "won": 100, "lost": 0,
}  # fmt: skip
_COMPETITORS = ("", "", "", "丰田凯美瑞", "本田雅阁", "大众帕萨特", "比亚迪汉", "特斯拉Model 3")
_LOST_REASONS = ("价格高于竞品", "客户暂缓购车", "选择了竞品", "贷款未获批", "联系不上客户")
_TRADE_INS = ("", "", "", "2015款速腾 8万公里", "2017款卡罗拉 6万公里", "2014款福克斯")
_OPPORTUNITY_COLUMNS = (
    "id", "number", "customer_id", "lead_id", "dealer_id", "salesperson_id", "vehicle_model_id",
    "stage", "amount", "probability", "expected_close", "competitor", "trade_in_vehicle_id",
    "trade_in_description", "trade_in_value", "lost_reason", "notes", "stage_changed_at",
    "version", "last_activity_at", "created_at", "updated_at",
)  # fmt: skip
_STAGE_COLUMNS = (
    "opportunity_id", "from_stage", "to_stage", "changed_at", "changed_by_id",
    "time_in_previous_stage",
)  # fmt: skip
_QUOTE_COLUMNS = (
    "id", "number", "revision", "opportunity_id", "customer_id", "dealer_id", "status",
    "valid_until", "notes", "net_total", "tax_total", "gross_total", "vehicle_order_id",
    "created_by_id", "sent_at", "decided_at", "created_at", "updated_at",
)  # fmt: skip
_LINE_COLUMNS = (
    "quote_id", "position", "kind", "description", "quantity", "unit_price", "tax_rate", "net",
    "tax", "gross",
)  # fmt: skip
_QUOTE_STATUS = {
    "negotiation": ("draft", "sent"), "order": ("accepted",), "delivery": ("accepted",),
    "won": ("accepted",), "lost": ("rejected",),
}  # fmt: skip


def _opportunity_positions(
    context: SeedContext, plan: Any, count: int, first_dealer_share: int
) -> list[int]:
    """Customer positions: ``first_dealer_share`` customers of the first dealer, the rest
    spread evenly over everyone, each customer once."""
    total = len(plan)
    first_dealer = [p for p in range(total) if plan.dealer[p] == 0][:first_dealer_share]
    chosen = set(first_dealer)
    rest = max(0, count - len(first_dealer))
    step = max(1, total // max(1, rest))
    for position in itertools.chain(range(step // 2, total, step), range(total)):
        if len(chosen) >= count:
            break
        chosen.add(position)
    return sorted(chosen)


def seed_opportunities(context: SeedContext) -> None:
    """Opportunities from converted leads (one each, with its status steps), their stage
    history (one row per step), and a quote for those past the need analysis and test drive,
    at every scale: about 60,000 open at large, thousands at the first dealer."""
    from decimal import Decimal

    from autocrm.sales.models import (
        Lead,
        LeadStatusChange,
        Opportunity,
        OpportunityStageChange,
        Quote,
        QuoteLine,
    )
    from autocrm.sales.services.quotes import line_amounts

    started = time.perf_counter()
    rng, cal, now = context.rng, calendar(), now_text()
    plan = plan_of(context)
    scale = context.scale.name
    positions = _opportunity_positions(
        context, plan, min(OPPORTUNITIES_PER_SCALE[scale], len(plan)),
        FIRST_DEALER_OPPORTUNITIES[scale],
    )  # fmt: skip
    rows = _customer_rows(plan.first_id, len(plan), 1)
    models = list(context.created.get("vehicle_models", []))
    stages, stage_weights = [s for s, _w in _STAGES], [w for _s, w in _STAGES]
    leads = BulkWriter(Lead, _COLUMNS, batch_size=50_000)
    lead_steps = BulkWriter(LeadStatusChange, _STEP_COLUMNS, batch_size=50_000)
    opportunities = BulkWriter(Opportunity, _OPPORTUNITY_COLUMNS, batch_size=50_000)
    stage_rows = BulkWriter(OpportunityStageChange, _STAGE_COLUMNS, batch_size=50_000)
    quotes = BulkWriter(Quote, _QUOTE_COLUMNS, batch_size=50_000)
    lines = BulkWriter(QuoteLine, _LINE_COLUMNS, batch_size=50_000)
    lead_pk, opportunity_pk, quote_pk = next_id(Lead), next_id(Opportunity), next_id(Quote)
    duration_field = OpportunityStageChange._meta.get_field("time_in_previous_stage")

    def duration(value: datetime.timedelta) -> Any:
        return duration_field.get_db_prep_value(value, connection)

    rate = Decimal("0.13")
    for position in positions:
        customer_id = plan.first_id + position
        name, kind, city_id = rows[customer_id]
        dealer = plan.dealers[plan.dealer[position]].pk
        salesperson = rng.choice(plan.staff.get(dealer) or [None])
        model = rng.choice(models) if models else None
        stage = rng.choices(stages, stage_weights)[0]
        second = 3600 + rng.randint(0, 36000)
        closed = stage in ("won", "lost")
        lead_day = cal.today - rng.randint(40 if closed else 5, 240 if closed else 150)
        lead_created = cal.moment(lead_day, second)
        leads.add(
            lead_pk, f"L{lead_pk:09d}", rng.choices([s for s, _w in _SOURCES])[0], kind, name,
            plan.phone[position], "" if plan.phone[position] else f"c{customer_id}@example.cn",
            city_id, "", model.pk if model else None, "", None, "3_months", "yes", "", "yes", "",
            "yes", "", "B", "converted", "", "", dealer, salesperson, customer_id, None, 1,
            lead_created, now, lead_created,
        )  # fmt: skip
        day = write_status_steps(
            lead_steps, lead_pk, "converted", cal, lead_day, second, salesperson
        )
        # The stages the opportunity went through; a lost one fell out after some of them.
        if stage == "lost":
            path = [*_SEQUENCE[: rng.randint(1, 4)], "lost"]
        else:
            path = list(_SEQUENCE[: _SEQUENCE.index(stage) + 1])
        created = cal.moment(day, second + 1800)
        previous, previous_day, moment = "", day, created
        for index, step in enumerate(path):
            if index:
                day = min(cal.today, day + rng.randint(1, 12))
            moment = cal.moment(day, second + 1800 + index * 60)
            stage_rows.add(
                opportunity_pk, previous, step, moment, salesperson,
                None if not index
                else duration(datetime.timedelta(days=day - previous_day, seconds=60)),
            )  # fmt: skip
            previous, previous_day = step, day
        price = model.price if model is not None else Decimal(rng.randint(12, 40) * 10_000)
        amount = Decimal(price)
        close_day = day + rng.randint(7, 120) if not closed else day
        trade_in = rng.choice(_TRADE_INS)
        opportunities.add(
            opportunity_pk, f"O{opportunity_pk:09d}", customer_id, lead_pk, dealer, salesperson,
            model.pk if model else None, stage, amount, _PROBABILITY[stage],
            cal.day(min(close_day, cal.today + 360)), rng.choice(_COMPETITORS), None, trade_in,
            Decimal(rng.randint(3, 9) * 10_000) if trade_in else None,
            rng.choice(_LOST_REASONS) if stage == "lost" else "", "", moment, len(path),
            moment, created, now,
        )  # fmt: skip
        if stage in _QUOTE_STATUS and "negotiation" in path:
            status = rng.choice(_QUOTE_STATUS[stage])
            net_price = (amount / Decimal("1.13")).quantize(Decimal("0.01"))
            discount = Decimal(rng.choice((0, 2000, 5000, 8000)))
            items = [("vehicle", str(model) if model else "整车", 1, net_price)]
            if rng.random() < 0.5:
                items.append(("accessory", "全车脚垫及行车记录仪", 1, Decimal("1800")))
            if rng.random() < 0.4:
                items.append(("insurance", "首年商业保险", 1, Decimal("5200")))
            if discount:
                items.append(("discount", "店内优惠", 1, discount))
            totals = [Decimal("0"), Decimal("0"), Decimal("0")]
            for position_in_quote, (kind_of_line, text, quantity, unit) in enumerate(items, 1):
                line = line_amounts(kind_of_line, quantity, unit, rate)
                lines.add(
                    quote_pk, position_in_quote, kind_of_line, text[:200], quantity, unit, rate,
                    line.net, line.tax, line.gross,
                )  # fmt: skip
                totals = [totals[0] + line.net, totals[1] + line.tax, totals[2] + line.gross]
            quoted_at = cal.moment(max(lead_day, previous_day - 1), second)
            decided = moment if status in ("accepted", "rejected") else None
            quotes.add(
                quote_pk, f"Q{quote_pk:09d}", 1, opportunity_pk, customer_id, dealer, status,
                cal.day(min(cal.today + 14, day + 14)), "", *totals, None, salesperson,
                None if status == "draft" else quoted_at, decided, quoted_at, now,
            )  # fmt: skip
            quote_pk += 1
        lead_pk += 1
        opportunity_pk += 1
    for writer in (leads, lead_steps, opportunities, stage_rows, quotes, lines):
        writer.flush()
    for model_class in (Lead, Opportunity, Quote):
        after_explicit_ids(model_class)
    from autocrm.sales import pipeline_totals

    pipeline_totals.rebuild()  # the rows above were copied, not saved one by one
    context.log(
        f"  opportunities: {opportunities.count:,} ({stage_rows.count:,} stage steps), "
        f"quotes: {quotes.count:,} in {time.perf_counter() - started:.1f} s"
    )


register_seeder(
    "sales.opportunities",
    seed_opportunities,
    order=135,
    loads=(
        "sales.Opportunity",
        "sales.OpportunityStageChange",
        "sales.Quote",
        "sales.QuoteLine",
    ),
)
