# Chinese demo text uses the full-width comma on purpose.
# ruff: noqa: RUF001
"""Demo interactions: years of calls, visits, messages and events on every channel, by the
customer's dealer staff and the HQ call center. Runs last of the system-of-record seeders.
"""

from __future__ import annotations

import datetime
import time

from django.utils import timezone

from autocrm.core.bulkload import BulkWriter
from autocrm.core.seeding import SeedContext, register_seeder
from autocrm.customers.seeds import (
    FORMER_OWNER,
    OWNER,
    PROSPECT,
    calendar,
    now_text,
    plan_of,
)

# Channel: weight, taken by the call center (else the dealer), subjects with notes and outcomes.
Template = tuple[str, str, tuple[str, ...]]
CHANNELS: dict[str, tuple[int, bool, tuple[Template, ...]]] = {
    "inbound_call": (20, True, (
        ("咨询保养预约", "客户询问下次保养时间及费用，已预约。", ("appointment_made", "completed")),
        ("询问车辆保修政策", "解释整车三年十万公里质保条款。", ("completed", "information_sent")),
        ("投诉维修等待时间过长", "对上次维修等待时间不满，已转经销商服务经理。", ("complaint",)),
        ("咨询新车型价格", "客户关注新款车型配置和优惠。", ("information_sent", "call_back")),
        ("道路救援求助", "高速上爆胎，已安排救援车辆。", ("completed",)),
    )),
    "outbound_call": (25, True, (
        ("新车交付回访", "客户对交车流程满意。", ("completed", "no_answer")),
        ("保养到期提醒", "提醒客户首保到期。", ("appointment_made", "call_back", "no_answer")),
        ("满意度回访", "", ("completed", "no_answer", "not_interested")),
        ("试驾邀约", "邀请客户周末到店试驾新款车型。", ("appointment_made", "not_interested")),
        ("续保提醒", "商业险下月到期。", ("call_back", "completed")),
    )),
    "visit": (15, False, (
        ("展厅看车", "客户与家人到店看车，关注空间和油耗。", ("completed", "appointment_made")),
        ("试驾", "完成试驾，客户对动力表现满意。", ("completed",)),
        ("进店保养", "常规保养，更换机油机滤。", ("completed",)),
        ("新车交付", "交车仪式，讲解车辆功能。", ("completed",)),
    )),
    "sms": (12, False, (
        ("保养提醒短信", "", ("information_sent",)),
        ("服务评价邀请", "", ("information_sent",)),
    )),
    "wechat": (10, False, (
        ("企业微信沟通", "发送保养报价。", ("information_sent", "completed")),
        ("小程序预约保养", "客户通过小程序预约保养。", ("appointment_made",)),
    )),
    "email": (6, False, (
        ("电子发票发送", "", ("information_sent",)),
        ("车主权益说明", "", ("information_sent",)),
    )),
    "web": (5, True, (
        ("官网预约试驾", "线索已分配给经销商。", ("appointment_made",)),
        ("在线询价", "", ("call_back",)),
    )),
    "event": (4, False, (
        ("车主自驾游活动", "客户携家人参加。", ("completed",)),
        ("新车上市发布会", "", ("completed", "not_interested")),
    )),
    "letter": (3, True, (
        ("年检提醒函", "", ("information_sent",)),
        ("召回通知函", "按召回计划寄送挂号信。", ("information_sent",)),
    )),
}  # fmt: skip
_COLUMNS = (
    "customer_id", "vehicle_id", "user_id", "dealer_id", "channel", "occurred_at", "subject",
    "notes", "outcome", "duration_seconds", "created_at",
)  # fmt: skip
_PER_STATUS = {PROSPECT: (1, 3), OWNER: (2, 6), FORMER_OWNER: (1, 3)}


def seed_interactions(context: SeedContext) -> None:
    """Each customer's touchpoints since they became a customer; the demo customer has a dozen,
    the fleet customer (the benchmark's 360 page) two thousand."""
    from autocrm.accounts.choices import Role
    from autocrm.activities.models import Interaction
    from autocrm.customers.seeds import FLEET_INTERACTIONS

    started = time.perf_counter()
    rng, cal, now = context.rng, calendar(), now_text()
    plan = plan_of(context)
    vehicle_of: dict[int, int] = context.created.get("vehicle_of_customer", [{}])[0]
    agents = [u.pk for u in context.created["users"] if u.role == Role.CALL_CENTER_AGENT] or [0]
    names = list(CHANNELS)
    weights = [CHANNELS[name][0] for name in names]
    write = BulkWriter(Interaction, _COLUMNS, batch_size=50_000)
    for position in range(len(plan)):
        low, high = _PER_STATUS[plan.status[position]]
        count = (
            12 if position == 0 else FLEET_INTERACTIONS if position == 1 else rng.randint(low, high)
        )
        pk = plan.first_id + position
        dealer = plan.dealers[plan.dealer[position]].pk
        staff = plan.staff.get(dealer) or [0]
        vehicle = vehicle_of.get(position)
        since, last = plan.since[position], cal.today - 1
        for channel in rng.choices(names, weights, k=count):
            _weight, call_center, templates = CHANNELS[channel]
            subject, notes, outcomes = rng.choice(templates)
            by_center = call_center and rng.random() < 0.7
            write.add(
                pk, vehicle if vehicle and rng.random() < 0.6 else None,
                (rng.choice(agents) if by_center else rng.choice(staff)) or None,
                None if by_center else dealer, channel,
                cal.moment(rng.randint(since, last), 3600 + rng.randint(0, 39600)), subject,
                notes, rng.choice(outcomes),
                rng.randint(30, 900) if channel.endswith("_call") else None, now,
            )  # fmt: skip
    write.flush()
    context.log(f"  interactions: {write.count:,} in {time.perf_counter() - started:.1f} s")


register_seeder(
    "activities.interactions", seed_interactions, order=120, loads=("activities.Interaction",)
)

TASK_TEMPLATES = (
    ("call", "回访意向客户", "确认购车时间和预算。"),
    ("visit", "上门拜访车主", "交车一个月内回访。"),
    ("send_material", "寄送新车型资料", "客户关注混动车型。"),
    ("review", "审核线索卡片", ""),
    ("follow_up", "跟进报价", "客户在比较竞品价格，争取本周成交。"),
)  # fmt: skip
BOOKING_TEMPLATES = (
    ("appointment", "客户到店洽谈", "展厅洽谈区"),
    ("meeting", "销售晨会", "会议室"),
    ("call", "电话回访车主", ""),
    ("visit", "拜访车队客户", "客户公司"),
)  # fmt: skip
_TASK_COLUMNS = (
    "title", "notes", "kind", "priority", "due_on", "status", "assignee_id", "created_by_id",
    "dealer_id", "customer_id", "source", "source_key", "outcome", "created_at", "version",
)  # fmt: skip
_BOOKING_COLUMNS = (
    "kind", "title", "owner_id", "created_by_id", "dealer_id", "customer_id", "vehicle_id",
    "starts_at", "ends_at", "location", "notes", "status", "created_at", "updated_at", "version",
)  # fmt: skip
DEMO_PLANNERS = ("salesperson", "dealer_manager")


def _utc_text(day: datetime.date, hour: int) -> str:
    local = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return local.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")


def seed_tasks_and_bookings(context: SeedContext) -> None:
    """Open tasks (due today, overdue, coming) and this week's bookings for every dealer's
    salespeople and managers; the demo ``salesperson`` and ``dealer_manager`` get a fuller day,
    the salesperson with a test drive of one of the dealer's cars (free of overlaps) for the
    well-known customer. Bookings start at distinct hours per person, so none overlap."""
    from autocrm.accounts.choices import Role
    from autocrm.activities.models import Appointment, Task
    from autocrm.vehicles.models import Vehicle

    started = time.perf_counter()
    rng, now = context.rng, now_text()
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    plan = plan_of(context)
    well_known_dealer = plan.dealers[plan.dealer[0]].pk if len(plan) else None
    planners = [
        user
        for user in context.created["users"]
        if user.role in (Role.SALESPERSON, Role.DEALER_MANAGER) and user.dealer_id
    ]
    tasks = BulkWriter(Task, _TASK_COLUMNS, batch_size=50_000)
    bookings = BulkWriter(Appointment, _BOOKING_COLUMNS, batch_size=50_000)
    for user in planners:
        demo = user.username in DEMO_PLANNERS
        for offset in (-3, -1, 0, 0, 0, 2) if demo else (-1, 0, 3):
            kind, title, notes = rng.choice(TASK_TEMPLATES)
            tasks.add(
                title, notes, kind, rng.choice((1, 2, 2, 3)),
                (today + datetime.timedelta(days=offset)).isoformat(), "open", user.pk, user.pk,
                user.dealer_id, None, "", "", "", now, 1,
            )  # fmt: skip
        for weekday, hour in ((0, 10), (2, 15), (4, 11)) if demo else ((1, 10), (3, 16)):
            day = monday + datetime.timedelta(days=weekday)
            kind, title, location = rng.choice(BOOKING_TEMPLATES)
            bookings.add(
                kind, title, user.pk, user.pk, user.dealer_id, None, None,
                _utc_text(day, hour), _utc_text(day, hour + 1), location, "",
                "done" if day < today else "planned", now, now, 1,
            )  # fmt: skip
        if user.username == "salesperson":
            car = Vehicle.objects.filter(dealer_id=user.dealer_id).values_list("pk", flat=True)
            well_known = plan.first_id if user.dealer_id == well_known_dealer else None
            test_day = max(today + datetime.timedelta(days=1), monday + datetime.timedelta(days=5))
            bookings.add(
                "test_drive", "张三丰试驾", user.pk, user.pk, user.dealer_id, well_known,
                car.first(), _utc_text(test_day, 14), _utc_text(test_day, 15), "展厅门口",
                "带驾照。", "planned", now, now, 1,
            )  # fmt: skip
    tasks.flush()
    bookings.flush()
    context.log(
        f"  tasks: {tasks.count:,}, bookings: {bookings.count:,} "
        f"in {time.perf_counter() - started:.1f} s"
    )


register_seeder(
    "activities.tasks_and_bookings",
    seed_tasks_and_bookings,
    order=125,
    loads=("activities.Task", "activities.Appointment"),
)
