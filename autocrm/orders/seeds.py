"""Demo vehicle orders, consistent with the seeded customers and vehicles:

- delivered orders for cars the vehicles seeder sold in the last two years (the order of the
  car's first owner at its selling dealer, closed on the sale date, with the ownership);
- open orders of prospects (for a named customer) and of dealers (for stock) at every step of
  the road: awaiting the OEM, confirmed, on the line, in paint, in the warehouse, in transit,
  at the dealer; their new cars (VINs, production numbers) and lifecycle events are written
  here too, held by the ordering dealer;
- a few cancelled orders.

Rows are written with ``BulkWriter`` and explicit keys, no services and no audit, like the
other seeders. 张三丰, the demo's well-known customer, has an order whose car is in transit.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from autocrm.core.bulkload import BulkWriter, after_explicit_ids, next_id
from autocrm.core.seeding import SeedContext, register_seeder
from autocrm.customers.seeds import PROSPECT, calendar, now_text, plan_of

ORDERS_PER_SCALE = {"small": 60, "medium": 3_000, "large": 30_000}
# Shares of the orders: delivered (existing sold cars), cancelled, open (the rest).
DELIVERED_SHARE = 0.55
CANCELLED_SHARE = 0.05
# Open orders by step (item status, order status, events written), with weights.
OPEN_STEPS: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("pending", "submitted", (), 10),
    ("pending", "confirmed", (), 10),
    ("on_the_line", "in_production", ("built",), 15),
    ("painted", "in_production", ("built", "painted"), 10),
    ("in_warehouse", "in_production", ("built", "painted", "stored"), 15),
    ("in_transit", "in_transit", ("built", "painted", "stored", "shipped"), 20),
    ("at_dealer", "at_dealer", ("built", "painted", "stored", "shipped", "arrived"), 20),
)
_VEHICLE_STATUS = {
    "on_the_line": "in_production",
    "painted": "in_production",
    "in_warehouse": "in_stock",
    "in_transit": "in_transit",
    "at_dealer": "at_dealer",
}
# Days after the production start each event happens.
_EVENT_DAY = {"built": 0, "painted": 1, "stored": 3, "shipped": 6, "arrived": 10}
# VIN serials of the cars ordered here, far above those of the vehicles seeder.
FIRST_SERIAL = 5_000_000
_ORDER_COLUMNS = (
    "id", "number", "dealer_id", "kind", "customer_id", "salesperson_id", "vehicle_model_id",
    "colour", "quantity", "unit_price", "dealer_cost", "requested_delivery", "expected_delivery",
    "status", "notes", "cancel_reason", "confirmed_at", "delivered_on", "created_by_id",
    "version", "created_at", "updated_at",
)  # fmt: skip
_ITEM_COLUMNS = (
    "id", "order_id", "line", "vehicle_id", "production_number", "expected_delivery", "status",
    "allocated_at", "delivered_on", "customer_id", "salesperson_id", "price", "ownership_id",
    "delivered_by_id", "version",
)  # fmt: skip
_NOTES = ("", "", "客户要求尽快交车", "需加装行车记录仪", "上牌由店内代办", "分期付款", "")
_CANCEL_REASONS = ("客户放弃购买", "改订其他车型", "库存调整", "贷款未获批准")


def _delivered_cars(count: int, since: str) -> list[tuple[Any, ...]]:
    """Up to ``count`` cars the vehicles seeder sold new since ``since``: (vehicle, model,
    production number, first owner's ownership, customer, dealer, started, price), spread
    evenly over them."""
    from autocrm.vehicles.models import Ownership

    rows = (
        Ownership.objects.filter(
            role="owner",
            started_on__gte=since,
            selling_dealer__isnull=False,
            vehicle__model__isnull=False,
            vehicle__production_number__isnull=False,
        )
        .order_by("vehicle_id")
        .values_list(
            "vehicle_id",
            "vehicle__model_id",
            "vehicle__production_number",
            "pk",
            "customer_id",
            "selling_dealer_id",
            "started_on",
            "price",
            "vehicle__colour",
        )
    )
    total = rows.count()
    if not total:
        return []
    step = max(1, total // max(count, 1))
    return list(rows[::step][:count]) if step > 1 else list(rows[:count])


def seed_orders(context: SeedContext) -> None:
    from autocrm.orders.models import VehicleOrder, VehicleOrderItem
    from autocrm.orders.services import dealer_cost_of
    from autocrm.vehicles.models import Vehicle, VehicleEvent
    from autocrm.vehicles.seeds import CATALOGUE, COLOURS, PLANTS, vin_for

    started = time.perf_counter()
    rng, cal, now = context.rng, calendar(), now_text()
    plan = plan_of(context)
    total = ORDERS_PER_SCALE[context.scale.name]
    models = {model.pk: model for model in context.created.get("vehicle_models", [])}
    on_sale = [model for model in models.values() if model.is_active] or list(models.values())
    wmis = {code: wmi for _brand, wmi, _series, code, *_rest in CATALOGUE}
    dealer_ids = [dealer.pk for dealer in plan.dealers if dealer.sells_vehicles] or [
        dealer.pk for dealer in plan.dealers
    ]

    orders = BulkWriter(VehicleOrder, _ORDER_COLUMNS)
    items = BulkWriter(VehicleOrderItem, _ITEM_COLUMNS)
    vehicles = BulkWriter(Vehicle, (
        "id", "vin", "vin_tail", "vin_check_digit_ok", "model_id", "engine_number",
        "frame_number", "production_number", "production_date", "plant", "colour", "plate",
        "status", "dealer_id", "version", "created_at", "updated_at",
    ))  # fmt: skip
    events = BulkWriter(VehicleEvent, (
        "vehicle_id", "kind", "occurred_at", "location", "dealer_id", "source", "external_id",
        "details", "recorded_at",
    ))  # fmt: skip
    order_pk, item_pk, vehicle_pk = (
        next_id(VehicleOrder),
        next_id(VehicleOrderItem),
        next_id(Vehicle),
    )
    first_order = order_pk
    staff = plan.staff

    def salesperson_at(dealer: int) -> int | None:
        people = staff.get(dealer) or []
        return rng.choice(people) if people else None

    # Delivered: the first owner's order of a car sold new in the last two years.
    delivered = _delivered_cars(round(total * DELIVERED_SHARE), cal.day(cal.today - 730))
    for (
        vehicle,
        model_id,
        production,
        ownership,
        buyer,
        dealer,
        sold_on,
        price,
        colour,
    ) in delivered:
        day = cal.number(sold_on)
        ordered = day - rng.randint(35, 90)
        seller = salesperson_at(dealer)
        catalogue = models[model_id].price if model_id in models else price or Decimal(0)
        orders.add(
            order_pk, f"VO{order_pk:09d}", dealer, "customer", buyer, seller, model_id, colour,
            1, price, dealer_cost_of(catalogue), cal.day(ordered + 30), cal.day(day - 2),
            "delivered", rng.choice(_NOTES), "", cal.moment(ordered + 1, 30_000), cal.day(day),
            None, 1, cal.moment(ordered, 10_000 + rng.randint(0, 28_000)), now,
        )  # fmt: skip
        items.add(
            item_pk, order_pk, 1, vehicle, production, cal.day(day - 2), "delivered",
            cal.moment(ordered + 2, 30_000), cal.day(day), buyer, seller, price, ownership,
            seller, 1,
        )  # fmt: skip
        order_pk, item_pk = order_pk + 1, item_pk + 1

    # Open and cancelled: prospects' orders and dealers' stock orders.
    remaining = total - len(delivered)
    cancelled = round(total * CANCELLED_SHARE)
    prospects = [p for p in range(len(plan)) if plan.status[p] == PROSPECT]
    stride = max(1, len(prospects) // max(remaining, 1))
    # The demo's well-known customer (position 0) first: their new car is on its way.
    prospects = [0, *prospects[::stride]]
    demo_seller = next(
        (user.pk for user in context.created.get("users", []) if user.username == "salesperson"),
        None,
    )
    customer: int | None
    kinds: tuple[str, ...]
    steps, weights = OPEN_STEPS, [weight for *_rest, weight in OPEN_STEPS]
    serial = FIRST_SERIAL
    for number in range(remaining):
        demo = number == 0
        for_customer = demo or (number < len(prospects) and rng.random() < 0.7)
        if for_customer:
            position = prospects[number]
            customer = plan.first_id + position
            dealer = plan.dealers[plan.dealer[position]].pk
        else:
            customer, dealer = None, rng.choice(dealer_ids)
        model = rng.choice(on_sale)
        quantity = 1 if customer else rng.choice((1, 1, 2, 3))
        colour = rng.choice(COLOURS)
        seller = salesperson_at(dealer) if customer else None
        if demo and demo_seller is not None:
            seller = demo_seller
        catalogue_price = Decimal(model.price)
        price = (catalogue_price * Decimal(rng.uniform(0.9, 1.0))).quantize(Decimal("100"))
        if demo:
            item_status, status, kinds = OPEN_STEPS[5][0], OPEN_STEPS[5][1], OPEN_STEPS[5][2]
        elif number >= remaining - cancelled:
            item_status, status, kinds = "cancelled", "cancelled", ()
        else:
            step = rng.choices(steps, weights)[0]
            item_status, status, kinds = step[0], step[1], step[2]
        production_day = cal.today - _EVENT_DAY[kinds[-1]] - rng.randint(1, 4) if kinds else None
        ordered = (production_day or cal.today - rng.randint(0, 10)) - rng.randint(5, 20)
        expected = cal.today + (
            rng.randint(1, 7) if item_status == "at_dealer" else rng.randint(8, 60)
        )
        confirmed = (
            None if status in ("submitted", "cancelled") else cal.moment(ordered + 1, 30_000)
        )
        orders.add(
            order_pk, f"VO{order_pk:09d}", dealer, "customer" if customer else "stock", customer,
            seller, model.pk, colour, quantity, price, dealer_cost_of(catalogue_price),
            cal.day(ordered + 30), None if confirmed is None else cal.day(expected), status,
            rng.choice(_NOTES), rng.choice(_CANCEL_REASONS) if status == "cancelled" else "",
            confirmed, None, None, 1, cal.moment(ordered, 10_000 + rng.randint(0, 28_000)), now,
        )  # fmt: skip
        for line in range(1, quantity + 1):
            vehicle_id = production = None
            if kinds:
                assert production_day is not None
                plant, plant_code = rng.choice(PLANTS)
                year = int(cal.day(production_day)[:4])
                vin = vin_for(wmis.get(model.code[:2], "LSG"), f"{model.code[:2]}1D", year,
                              plant_code, serial)  # fmt: skip
                production = f"X{year % 100:02d}{serial:08d}"
                vehicle_id = vehicle_pk
                vehicles.add(
                    vehicle_pk, vin, vin[-6:], True, model.pk, "", vin, production,
                    cal.day(production_day), plant, colour, "", _VEHICLE_STATUS[item_status],
                    dealer, 1, now, now,
                )  # fmt: skip
                for kind in kinds:
                    day = production_day + _EVENT_DAY[kind]
                    where = plant if kind in ("built", "painted", "stored", "shipped") else ""
                    source = {"stored": "WMS", "shipped": "TMS", "arrived": "TMS"}.get(kind, "MES")
                    events.add(
                        vehicle_pk, kind, cal.moment(day, 3600 + rng.randint(0, 36_000)), where,
                        dealer if kind == "arrived" else None, source, f"seed-{production}-{kind}",
                        "{}", now,
                    )  # fmt: skip
                vehicle_pk, serial = vehicle_pk + 1, serial + 1
            items.add(
                item_pk, order_pk, line, vehicle_id, production,
                None if confirmed is None else cal.day(expected), item_status,
                cal.moment(production_day, 20_000) if production_day else None,
                None, None, None, None, None, None, 1,
            )  # fmt: skip
            item_pk += 1
        order_pk += 1
    for writer in (vehicles, events, orders, items):
        writer.flush()
    for model_class in (Vehicle, VehicleOrder, VehicleOrderItem):
        after_explicit_ids(model_class)
    context.add("vehicle_orders", list(range(first_order, order_pk)))
    context.log(
        f"  vehicle orders: {orders.count:,} ({len(delivered):,} delivered), {items.count:,} "
        f"cars, {vehicles.count:,} new vehicles, {events.count:,} events in "
        f"{time.perf_counter() - started:.1f} s"
    )


register_seeder(
    "orders.vehicle_orders",
    seed_orders,
    order=140,
    loads=("orders.VehicleOrder", "orders.VehicleOrderItem"),
)
