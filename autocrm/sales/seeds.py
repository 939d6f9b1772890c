"""Demo leads and routing: a territory (the dealer's city) for every seeded dealer selling
cars, open leads on seeded customers at their own dealer (about 200,000 at large scale), and a
handful for the demo salesperson (user ``salesperson``), the first of them to buy immediately.

Leads are written straight into the table (``BulkWriter``) with explicit keys, numbered like
the service numbers them, one per customer, so the one-open-lead-per-dealer rule holds; no
assignment history or audit entries (demo data has no history of its own).
"""

from __future__ import annotations

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
    from autocrm.sales.models import Lead

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
        created = cal.moment(cal.today - rng.randint(0, 120), 3600 + rng.randint(0, 39600))
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
        pk += 1
    write.flush()
    after_explicit_ids(Lead)
    context.log(f"  leads: {write.count:,} in {time.perf_counter() - started:.1f} s")


register_seeder("sales.territories", seed_territories, order=125)
register_seeder("sales.leads", seed_leads, order=130, loads=("sales.Lead",))
