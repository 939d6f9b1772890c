"""Demo customers: people and companies with valid identifiers, contact points, consents with
their history, relationships and dealer links. Run by ``manage.py seed_demo`` after the network
and the users; ``vehicles/seeds.py`` and ``activities/seeds.py`` build on the plan made here.

Every scale writes rows straight into the tables (``BulkWriter``: COPY on PostgreSQL, batched
INSERTs on SQLite) with explicit primary keys, so that 1 million customers load in minutes. The
rows follow the services' conventions: the customer number C + the 9-digit key, the folded name
and its pinyin initials, ID numbers encrypted + hashed + masked, phones in E.164. No audit
entries are written: demo data has no history of its own.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from autocrm.core.bulkload import BulkWriter, after_explicit_ids, next_id
from autocrm.core.seeding import SeedContext, register_seeder

CUSTOMERS_PER_SCALE = {"small": 240, "medium": 50_000, "large": 1_000_000}

# The customer the README points at, and the fleet customer the benchmark's 360 page uses.
DEMO_CUSTOMER_NAME = "张三丰"
DEMO_CUSTOMER_MOBILE = "+8613812345678"
FLEET_CUSTOMER_NAME = "上海申程出租汽车有限公司"
FLEET_VEHICLES = 20
FLEET_INTERACTIONS = 2000

# Dates and times as text the database parses, indexed by day number (cheap in a hot loop).
EPOCH = datetime.date(1940, 1, 1)


@dataclass
class Calendar:
    today: int
    days: list[str]

    def day(self, number: int) -> str:
        return self.days[number]

    def moment(self, number: int, second_of_day: int) -> str:
        """Day ``number`` at a time of day, UTC (both backends store UTC)."""
        hours, rest = divmod(second_of_day, 3600)
        return f"{self.days[number]} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}"

    def number(self, date: datetime.date) -> int:
        return (date - EPOCH).days


def calendar() -> Calendar:
    today = timezone.localdate()
    span = (today - EPOCH).days + 400
    days = [(EPOCH + datetime.timedelta(days=n)).isoformat() for n in range(span)]
    return Calendar(today=(today - EPOCH).days, days=days)


def now_text() -> str:
    return timezone.now().strftime("%Y-%m-%d %H:%M:%S")


# ---------------------------------------------------------------------------------------------
# The plan later seeders build on
# ---------------------------------------------------------------------------------------------

PROSPECT, OWNER, FORMER_OWNER = 0, 1, 2


@dataclass
class CustomerPlan:
    """One entry per seeded customer, by position: customer id = first_id + position."""

    first_id: int
    dealers: list[Any]  # network.Dealer instances; ``dealer`` holds indexes into this list
    staff: dict[int, list[int]]  # dealer id -> user ids of its front-line staff
    is_company: bytearray = field(default_factory=bytearray)
    status: bytearray = field(default_factory=bytearray)
    vehicles: bytearray = field(default_factory=bytearray)
    dealer: array = field(default_factory=lambda: array("i"))
    since: array = field(default_factory=lambda: array("i"))  # day number (Calendar)
    manager: array = field(default_factory=lambda: array("q"))
    phone: list[str] = field(default_factory=list)  # the primary phone in E.164, or ""

    def __len__(self) -> int:
        return len(self.status)


def plan_of(context: SeedContext) -> CustomerPlan:
    plan: CustomerPlan = context.created["customer_plan"][0]
    return plan


def staff_by_dealer(users: Iterable[Any]) -> dict[int, list[int]]:
    """Dealer id -> salespeople (or, where a dealer has none, its other staff)."""
    from autocrm.accounts.choices import Role

    sales: dict[int, list[int]] = {}
    others: dict[int, list[int]] = {}
    for user in users:
        if user.dealer_id is None:
            continue
        bucket = sales if user.role == Role.SALESPERSON else others
        bucket.setdefault(user.dealer_id, []).append(user.pk)
    return {dealer: sales.get(dealer) or others[dealer] for dealer in {*sales, *others}}


def weighted_indexes(rng: Any, weights: Sequence[float], count: int) -> list[int]:
    return rng.choices(
        range(len(weights)), cum_weights=list(itertools.accumulate(weights)), k=count
    )


# ---------------------------------------------------------------------------------------------
# Vocabulary. Demo data, not user interface text: it stays Chinese in every language.
# ---------------------------------------------------------------------------------------------

_MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]
_EMAIL_DOMAINS = (
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "139.com",
    "outlook.com",
    "foxmail.com",
)
_OCCUPATIONS = [
    "教师",
    "工程师",
    "医生",
    "公务员",
    "销售经理",
    "会计",
    "律师",
    "软件工程师",
    "设计师",
    "个体经营",
    "企业主",
    "护士",
    "司机",
    "财务总监",
    "研究员",
    "退休",
    "项目经理",
    "银行职员",
    "自由职业",
]
_HOBBIES = [
    "自驾游",
    "摄影",
    "高尔夫",
    "钓鱼",
    "篮球",
    "羽毛球",
    "跑步",
    "露营",
    "音乐",
    "读书",
    "美食",
    "骑行",
    "登山",
    "游泳",
]
_LIFESTYLES = (
    "家庭出行为主",
    "城市通勤",
    "周末自驾",
    "商务接待",
    "户外运动",
    "注重科技配置",
    "注重安全",
    "追求性价比",
)
_FAMILY_NOTES = ("", "", "育有一子", "育有一女", "育有两个孩子", "与父母同住", "孩子在读大学")
_INDUSTRIES = (
    ("交通运输、仓储和邮政业", "物流"),
    ("信息传输、软件和信息技术服务业", "信息技术"),
    ("建筑业", "建设工程"),
    ("制造业", "机械制造"),
    ("批发和零售业", "商贸"),
    ("租赁和商务服务业", "汽车租赁"),
    ("住宿和餐饮业", "餐饮管理"),
    ("金融业", "投资管理"),
    ("卫生和社会工作", "医疗科技"),
    ("房地产业", "置业"),
)
_TRADE_WORDS = [
    "华信",
    "鼎盛",
    "嘉禾",
    "恒达",
    "永兴",
    "瑞丰",
    "宏远",
    "金桥",
    "天成",
    "新元",
    "博远",
    "众和",
    "安泰",
    "联创",
    "康宁",
]
_CONTACT_ROLES = (
    ("总经理", "总经办"), ("行政主管", "行政部"), ("采购经理", "采购部"),
    ("车队经理", "车队管理部"), ("财务经理", "财务部"),
)  # fmt: skip
_CONSENT_SOURCES = ("购车合同", "官网注册", "呼叫中心", "经销商展厅", "微信公众号", "售后服务单")
_TAGS = ("VIP", "车主俱乐部", "增购潜客", "置换意向", "投诉敏感", "企业大客户")
_FULL_WIDTH = {ord("0") + digit: 0xFF10 + digit for digit in range(10)}

_CUSTOMER_COLUMNS = (
    "id", "number", "kind", "name", "name_folded", "name_initials", "status", "purchase_type",
    "interest_level", "owner_club_member", "owner_club_since", "manager_id", "city_id", "gender",
    "birth_date", "marital_status", "household_size", "family_notes", "occupation", "nationality",
    "education", "income_band", "hobbies", "lifestyle", "id_number_encrypted", "id_number_hash",
    "id_number_masked", "credit_code", "industry", "company_size", "preferred_channel",
    "preferred_time", "max_contacts_per_month", "notes", "merged_into_id", "is_active", "version",
    "created_at", "updated_at",
)  # fmt: skip


def district_codes(city_code: str) -> list[str]:
    """The real county-level codes (GB/T 2260, python-stdnum's table) of one city."""
    from stdnum import numdb

    table = numdb.get("cn/loc")
    codes = []
    for number in range(1, 100):
        code = f"{city_code[:4]}{number:02d}"
        parts = table.info(code)
        if len(parts) > 1 and parts[-1][1].get("county", "市辖区") != "市辖区":
            codes.append(code)
    return codes or [city_code]


def resident_id(area: str, birth: str, sequence: int, male: bool) -> str:
    """A valid 18-character ID number: area, birth date (YYYY-MM-DD), sequence, check digit."""
    from stdnum.cn import ric

    digit = sequence % 5 * 2 + (1 if male else 0)
    body = f"{area}{birth.replace('-', '')}{sequence // 5 % 100:02d}{digit}"
    return body + ric.calc_check_digit(body + "0")


_ORG_VALUES = {char: value for value, char in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def credit_code(area: str, serial: int) -> str:
    """A unified social credit code (GB 32100): enterprise, ``area``, an organisation code
    (GB 11714, with its own check digit) made unique by ``serial``, and the check character."""
    from stdnum.cn import uscc

    organisation = f"{serial * 7919 % 10**8:08d}"
    total = sum(
        _ORG_VALUES[c] * w for c, w in zip(organisation, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    check = 11 - total % 11
    organisation += "X" if check == 10 else "0" if check == 11 else str(check)
    body = f"91{area}{organisation}"
    return body + uscc.calc_check_digit(body + "0")


def mobile_number(serial: int) -> str:
    """The ``serial``-th demo mobile (11 digits): distinct serials give distinct numbers."""
    count = len(_MOBILE_PREFIXES)
    prefix = _MOBILE_PREFIXES[serial % count]
    return f"{prefix}{(serial // count * 48271 + 13579) % 10**8:08d}"


def as_typed(rng: Any, national: str) -> str:
    """A mobile the way people enter it: bare, spaced, dashed, +86, or in full-width digits."""
    roll = rng.random()
    if roll < 0.45:
        return national
    if roll < 0.7:
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    if roll < 0.85:
        return f"{national[:3]}-{national[3:7]}-{national[7:]}"
    if roll < 0.95:
        return f"+86 {national[:3]} {national[3:7]} {national[7:]}"
    return national.translate(_FULL_WIDTH)


@dataclass
class _Writers:
    customers: BulkWriter
    contacts: BulkWriter
    links: BulkWriter
    consents: BulkWriter
    changes: BulkWriter
    relationships: BulkWriter
    tags: BulkWriter


def _writers() -> _Writers:
    from autocrm.customers.models import (
        Consent,
        ConsentChange,
        ContactPoint,
        Customer,
        CustomerDealer,
        CustomerRelationship,
    )

    return _Writers(
        customers=BulkWriter(Customer, _CUSTOMER_COLUMNS, batch_size=10_000),
        contacts=BulkWriter(ContactPoint, ("customer_id", "kind", "label", "value", "normalised",
                                           "is_primary", "is_mobile", "created_at", "updated_at")),
        links=BulkWriter(CustomerDealer, ("customer_id", "dealer_id", "relation", "since",
                                          "created_at")),
        consents=BulkWriter(Consent, ("customer_id", "channel", "purpose", "granted",
                                      "changed_at", "source")),
        changes=BulkWriter(ConsentChange, ("customer_id", "channel", "purpose", "granted",
                                           "changed_at", "source", "recorded_at")),
        relationships=BulkWriter(CustomerRelationship, ("customer_id", "other_id", "kind", "role",
                                                        "department", "note", "created_at")),
        tags=BulkWriter(Customer.tags.through, ("customer_id", "tag_id")),
    )  # fmt: skip


def seed_customers(context: SeedContext) -> None:
    """People (about 93 %) and companies at the seeded dealers, with their contact points,
    consents, dealer links, relationships and tags; the plan for vehicles and interactions."""
    import time

    from autocrm.customers.identifiers import (
        encrypt_identifier,
        fold_name,
        identifier_hash,
        mask_resident_id,
        name_initials,
        normalise_handle,
        normalise_phone,
    )
    from autocrm.customers.models import Customer, Tag

    started = time.perf_counter()
    rng, faker = context.rng, context.faker
    total = CUSTOMERS_PER_SCALE[context.scale.name]
    cal, now = calendar(), now_text()
    dealers = context.created["dealers"]
    cities = {city.region.pk: city for city in context.created["cities"]}
    plan = CustomerPlan(
        first_id=next_id(Customer), dealers=dealers, staff=staff_by_dealer(context.created["users"])
    )
    tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name in _TAGS]
    # Small pools keep the distinct names (and their costly pinyin) to tens of thousands.
    surnames = [faker.last_name() for _ in range(150)]
    given = ([faker.first_name_female() for _ in range(250)],
             [faker.first_name_male() for _ in range(250)])  # fmt: skip
    streets = [faker.street_name() for _ in range(200)]
    names: dict[str, tuple[str, str]] = {}
    districts = {pk: district_codes(city.region.code) for pk, city in cities.items()}
    # The first dealer gets more customers: the demo dealer logins see a fuller book.
    home = weighted_indexes(rng, [6.0] + [1.0] * (len(dealers) - 1), total)
    home[:2] = [0, 0]
    write = _writers()
    issued_ids: set[str] = set()
    mobile_serial = company_serial = 0
    people: list[int] = []
    companies: list[int] = []
    married_waiting = -1
    first_day, last_day = cal.number(datetime.date(2012, 1, 1)), cal.today - 14

    for position in range(total):
        pk = plan.first_id + position
        dealer = dealers[home[position]]
        city = cities[dealer.region_id]
        staff = plan.staff.get(dealer.pk) or [0]
        since = rng.randint(first_day, last_day)
        company = position == 1 or (position > 1 and rng.random() < 0.07)
        roll = rng.random()
        status = OWNER if position < 2 else PROSPECT if roll < 0.22 else (
            OWNER if roll < 0.92 else FORMER_OWNER)  # fmt: skip
        vehicles = 0
        if status == OWNER:
            vehicles = rng.choice((1, 1, 2, 3, 4, 6)) if company else rng.choice(
                (1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3))  # fmt: skip
        manager = rng.choice(staff)
        street = (
            f"{city.province_name if city.province_name != city.name else ''}{city.name}"
            f"{rng.choice(city.districts)}{rng.choice(streets)}{rng.randint(1, 999)}号"
        )
        preferred = rng.choice(("", "phone", "phone", "sms", "wechat", "email"))
        max_contacts = rng.choice((None, None, 2, 4, 8))
        interest = rng.choice(("hot", "warm", "warm", "cold")) if status == PROSPECT else (
            rng.choice(("", "", "warm", "cold")))  # fmt: skip
        club = status == OWNER and not company and rng.random() < 0.15
        created = cal.moment(since, 3600 + rng.randint(0, 30000))
        if company:
            industry, word = _INDUSTRIES[0] if position == 1 else rng.choice(_INDUSTRIES)
            name = (
                FLEET_CUSTOMER_NAME
                if position == 1
                else (f"{city.name.removesuffix('市')}{rng.choice(_TRADE_WORDS)}{word}有限公司")
            )
            if position == 1:
                vehicles = FLEET_VEHICLES
            company_serial += 1
            area = rng.choice(districts[city.region.pk])
            row: tuple[Any, ...] = (
                pk, f"C{pk:09d}", "company", name, fold_name(name), name_initials(name), "owner"
                if status == OWNER else "prospect" if status == PROSPECT else "former_owner",
                "corporate", interest, False, None, manager or None, city.region.pk, "", None,
                "", None, "", "", "", "", "", "", "", "", "", "", credit_code(area, company_serial),
                industry, "large" if position == 1 else rng.choice(("micro", "small", "medium")),
                preferred, "any", max_contacts, "", None, True, 1, created, now,
            )  # fmt: skip
            companies.append(position)
            landline = f"{city.phone_area_code}-{rng.randint(2, 8)}{rng.randint(0, 9999999):07d}"
            try:
                normalised = normalise_phone(landline)
            except ValidationError:  # an area whose local numbers are shorter: no landline
                normalised = ""
            if normalised:
                write.contacts.add(pk, "phone", "work", landline, normalised, True, False, now, now)
            plan.phone.append(normalised)
            local = f"info{company_serial}"
            domain = f"{name_initials(name)[:6] or 'corp'}.com.cn"
            write.contacts.add(pk, "email", "work", f"{local}@{domain}", f"{local}@{domain}", True,
                               False, now, now)  # fmt: skip
        else:
            male = position == 0 or rng.random() < 0.62
            if position == 0:
                name, birth, national = (
                    DEMO_CUSTOMER_NAME,
                    cal.number(datetime.date(1978, 5, 16)),
                    "13812345678",
                )
                manager = next(
                    (u.pk for u in context.created["users"] if u.username == "salesperson"), manager
                )
                status, vehicles, interest, club = OWNER, 3, "warm", True
            else:
                name = rng.choice(surnames) + rng.choice(given[male])
                birth = rng.randint(cal.number(datetime.date(1955, 1, 1)),
                                    cal.number(datetime.date(2003, 12, 31)))  # fmt: skip
                national = mobile_number(mobile_serial)
                mobile_serial += 1
                if national == DEMO_CUSTOMER_MOBILE[3:]:
                    national = mobile_number(mobile_serial)
                    mobile_serial += 1
            if name not in names:
                names[name] = (fold_name(name), name_initials(name))
            folded, initials = names[name]
            roll = rng.random()
            marital = "married" if roll < 0.65 else "single" if roll < 0.9 else (
                "divorced" if roll < 0.97 else "widowed")  # fmt: skip
            encrypted = hashed = masked = ""
            if position == 0 or rng.random() < 0.85:
                area = "310115" if position == 0 else rng.choice(districts[city.region.pk])
                number = resident_id(area, cal.day(birth), rng.randint(0, 499), male)
                while number in issued_ids:
                    number = resident_id(area, cal.day(birth), rng.randint(0, 499), male)
                issued_ids.add(number)
                encrypted, hashed = encrypt_identifier(number), identifier_hash(number)
                masked = mask_resident_id(number)
            row = (
                pk, f"C{pk:09d}", "individual", name, folded, initials, "owner"
                if status == OWNER else "prospect" if status == PROSPECT else "former_owner",
                "private", interest, club, cal.day(since + rng.randint(0, 300)) if club else None,
                manager or None, city.region.pk, "male" if male else "female", cal.day(birth),
                marital, rng.randint(2, 5) if marital == "married" else rng.randint(1, 3),
                rng.choice(_FAMILY_NOTES), rng.choice(_OCCUPATIONS), "中国",
                rng.choice(("secondary", "vocational", "bachelor", "bachelor", "master",
                            "doctorate")),
                rng.choice(("under_10k", "10k_20k", "10k_20k", "20k_50k", "50k_100k",
                            "over_100k")),
                "、".join(rng.sample(_HOBBIES, 2)), rng.choice(_LIFESTYLES), encrypted, hashed,
                masked, None, "", "", preferred, rng.choice(("any", "any", "morning", "afternoon",
                                                             "evening")),
                max_contacts, "", None, True, 1, created, now,
            )  # fmt: skip
            people.append(position)
            e164 = f"+86{national}"
            typed = "138 1234 5678" if position == 0 else as_typed(rng, national)
            write.contacts.add(pk, "phone", "mobile", typed, e164, True, True, now, now)
            plan.phone.append(e164)
            if rng.random() < 0.12:
                landline = (
                    f"{city.phone_area_code}-{rng.randint(2, 8)}{rng.randint(0, 9999999):07d}"
                )
                # An area whose local numbers are shorter gets no landline.
                with contextlib.suppress(ValidationError):
                    write.contacts.add(pk, "phone", "home", landline, normalise_phone(landline),
                                       False, False, now, now)  # fmt: skip
            if rng.random() < 0.45:
                email = f"{initials}{rng.randint(10, 99999)}@{rng.choice(_EMAIL_DOMAINS)}"
                write.contacts.add(pk, "email", "home", email, email, True, False, now, now)
            if rng.random() < 0.2:
                handle = f"wxid_{initials}{pk % 100000:05d}"
                write.contacts.add(pk, "wechat", "mobile", handle, handle, True, False, now, now)
            if marital == "married" and rng.random() < 0.25:
                if married_waiting >= 0:
                    write.relationships.add(plan.first_id + married_waiting, pk,
                                            "household_member", "", "", "配偶", now)  # fmt: skip
                    married_waiting = -1
                else:
                    married_waiting = position
        write.customers.add(*row)
        if rng.random() < 0.6:
            write.contacts.add(pk, "address", "home" if not company else "work", street,
                               normalise_handle(street), True, False, now, now)  # fmt: skip
        # Dealer links: everyone is assigned to the home dealer; buyers were sold to there.
        day = cal.day(since)
        write.links.add(pk, dealer.pk, "assigned_to", day, now)
        if status != PROSPECT and dealer.sells_vehicles:
            write.links.add(pk, dealer.pk, "sold_by", day, now)
        if status == OWNER and dealer.services_vehicles:
            write.links.add(pk, dealer.pk, "serviced_by", day, now)
        _consents(rng, cal, write, pk, since, status, now)
        if position > 10 and rng.random() < 0.06:
            referrer = plan.first_id + rng.randrange(position)
            write.relationships.add(pk, referrer, "referred_by", "", "", "", now)
        if rng.random() < 0.1:
            write.tags.add(pk, rng.choice(tag_ids))
        plan.is_company.append(company)
        plan.status.append(status)
        plan.vehicles.append(vehicles)
        plan.dealer.append(home[position])
        plan.since.append(since)
        plan.manager.append(manager)

    # Company contact persons: one or two of the seeded people, with role and department.
    for position in companies:
        for person in {rng.choice(people) for _ in range(rng.randint(1, 2))}:
            role, department = rng.choice(_CONTACT_ROLES)
            write.relationships.add(plan.first_id + position, plan.first_id + person,
                                    "company_contact", role, department, "", now)  # fmt: skip
    for writer in vars(write).values():
        writer.flush()
    after_explicit_ids(Customer)
    context.created["customer_plan"] = [plan]
    context.add("customers", list(range(plan.first_id, plan.first_id + total)))
    context.log(
        f"  customers: {total:,} ({len(companies):,} companies), {write.contacts.count:,} "
        f"contact points, {write.consents.count:,} consents, {write.changes.count:,} consent "
        f"changes, {write.relationships.count:,} relationships in "
        f"{time.perf_counter() - started:.1f} s"
    )


def _consents(
    rng: Any, cal: Calendar, write: _Writers, pk: int, since: int, status: int, now: str
) -> None:
    """Service calls and safety notices agreed with the purchase; marketing asked for, and
    sometimes withdrawn later (both steps kept in the history)."""
    wanted = [("phone", "service", True)]
    if status != PROSPECT:
        wanted.append(("sms", "safety", True))
    if rng.random() < 0.55:
        wanted.append(("sms", "marketing", rng.random() < 0.75))
    if rng.random() < 0.25:
        wanted.append(("email", "marketing", True))
    if rng.random() < 0.15:
        wanted.append(("wechat", "marketing", True))
    for channel, purpose, still_granted in wanted:
        source = rng.choice(_CONSENT_SOURCES)
        granted_at = cal.moment(since, 3600 + rng.randint(0, 30000))
        write.changes.add(pk, channel, purpose, True, granted_at, source, now)
        changed_at = granted_at
        if not still_granted:
            day = rng.randint(since, max(since, cal.today - 1))
            changed_at, source = cal.moment(day, 3600 + rng.randint(0, 30000)), "客户来电退订"
            write.changes.add(pk, channel, purpose, False, changed_at, source, now)
        write.consents.add(pk, channel, purpose, still_granted, changed_at, source)


register_seeder(
    "customers.customers",
    seed_customers,
    order=100,
    loads=(
        "customers.Customer", "customers.Customer_tags", "customers.ContactPoint",
        "customers.CustomerDealer", "customers.CustomerRelationship", "customers.Consent",
        "customers.ConsentChange",
    ),
)  # fmt: skip
