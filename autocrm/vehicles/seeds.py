"""Demo vehicles: the OEM's model catalogue, cars with valid VINs under real Chinese manufacturer
codes, ownership histories (with transfers and trade-ins), odometer readings and the lifecycle
from the production line to the registration office. Runs after ``customers/seeds.py`` and
follows its plan (who owns how many cars, at which dealer, since when).

Rows are written with ``BulkWriter`` and explicit vehicle keys, as the customers are.
"""

from __future__ import annotations

import datetime
import time
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from autocrm.core.bulkload import BulkWriter, after_explicit_ids, next_id
from autocrm.core.seeding import SeedContext, register_seeder
from autocrm.customers.seeds import FORMER_OWNER, OWNER, Calendar, calendar, now_text, plan_of
from autocrm.vehicles.vin import check_digit

# Brand, WMI, series, VDS code, powertrain, price from (yuan), configurations.
CATALOGUE = [
    ("别克", "LSG", "英朗", "PA", "petrol", 119_900, ("1.5L 自动精英型", "1.5L 自动豪华型")),
    ("别克", "LSG", "君威", "PB", "petrol", 189_900, ("20T 精英型", "28T 豪华型")),
    ("别克", "LSG", "君越", "PC", "petrol", 229_900, ("28T 豪华型", "28T 艾维亚旗舰型")),
    ("别克", "LSG", "昂科威Plus", "PD", "petrol", 229_900, ("28T 两驱豪华型", "28T 四驱旗舰型")),
    ("别克", "LSG", "昂科拉", "PE", "petrol", 139_900, ("20T 精英型", "20T 豪华型")),
    ("别克", "LSG", "GL8 陆尊", "PF", "petrol", 269_900, ("ES 舒适型", "ES 豪华型")),
    ("别克", "LSG", "GL8 PHEV", "PG", "phev", 319_900, ("陆尊 智享型", "艾维亚 旗舰型")),
    ("别克", "LSG", "微蓝6", "PH", "bev", 159_900, ("互联智享型", "互联智选型")),
    ("别克", "LSG", "E5", "PJ", "bev", 208_900, ("长续航 豪华型", "四驱 旗舰型")),
    ("雪佛兰", "LSJ", "科鲁泽", "RA", "petrol", 109_900, ("1.5L 自动欣享版", "1.3T RS 版")),
    ("雪佛兰", "LSJ", "迈锐宝XL", "RB", "hybrid", 189_900, ("轻混 锐联版", "2.0T 锐尊版")),
    ("雪佛兰", "LSJ", "探界者", "RC", "petrol", 179_900, ("550T 两驱", "650T 四驱 Redline")),
    ("雪佛兰", "LSJ", "创酷", "RD", "petrol", 109_900, ("1.5T 舒适版", "1.5T 豪华版")),
    ("雪佛兰", "LSJ", "畅巡", "RE", "bev", 149_900, ("舒适型", "豪华型")),
    ("凯迪拉克", "LSG", "CT4", "SA", "petrol", 229_700, ("28T 豪华型", "28T 风尚型")),
    ("凯迪拉克", "LSG", "CT5", "SB", "petrol", 279_700, ("28T 时尚型", "28T 铂金型")),
    ("凯迪拉克", "LSG", "XT4", "SC", "petrol", 259_700, ("28T 两驱豪华型", "28T 四驱铂金版")),
    ("凯迪拉克", "LSG", "XT5", "SD", "petrol", 349_700, ("28T 豪华型", "28T 四驱铂金型")),
    ("凯迪拉克", "LSG", "XT6", "SE", "petrol", 409_700, ("28T 六座风尚型", "28T 七座铂金型")),
    ("凯迪拉克", "LSG", "锐歌 LYRIQ", "SF", "bev", 439_900, ("长续航后驱版", "四驱性能版")),
]  # fmt: skip
FIRST_MODEL_YEAR = 2012
EARLIEST_SALE = datetime.date(2012, 3, 1)
PLANTS = (("上海金桥", "S"), ("烟台东岳", "Y"), ("沈阳北盛", "N"), ("武汉分公司", "W"))
COLOURS = ("珍珠白", "曜石黑", "星空蓝", "钛银灰", "天青蓝", "宝石红", "香槟金")
# Other makers, for trade-ins (their VINs carry the right check digit)...
TRADE_IN_WMIS = ("LFV", "LSV", "LVS", "LBV", "LGB", "LHG", "LVG")
# ...and imports from regions that do not use the check digit (flagged on the vehicle).
IMPORT_WMIS = ("WBA", "WDD", "WVW", "VF1", "ZFA")
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY"  # position 10: 2010 = A, ... (no I, O, Q, U, Z)
_VDS_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_PROVINCES = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "贵", "53": "云", "61": "陕", "62": "甘", "63": "青",
    "64": "宁", "65": "新",
}  # fmt: skip
# The plate letter of each seeded city (GA 36); the capitals and Shanghai use several.
_CITY_LETTERS = {
    "310100": "ABDEFGHJKLMN", "110100": "ABCEFGHJKLMNPQ", "120100": "ABCDEFGH",
    "500100": "ABCDFGH", "320200": "B", "320400": "D", "320500": "E", "321000": "K",
    "330200": "B", "330300": "C", "330400": "F", "330600": "D", "340200": "B", "370200": "B",
    "370600": "F", "370700": "G", "130200": "B", "130600": "F", "150200": "B", "440300": "B",
    "440600": "E", "441900": "S", "440400": "C", "350200": "D", "350500": "C", "450200": "B",
    "510700": "B", "420500": "E", "420600": "F", "410300": "C", "430200": "B", "360400": "G",
    "210200": "B",
}  # fmt: skip


@dataclass(frozen=True)
class CatalogueEntry:
    pk: int
    wmi: str
    vds: str
    powertrain: str
    price: int


def vin_for(wmi: str, vds: str, year: int, plant: str, serial: int, *, correct: bool = True) -> str:
    """A VIN whose serial part (with one VDS character) is unique per ``serial``."""
    head = f"{wmi}{vds}{_VDS_CHARS[serial // 1_000_000 % len(_VDS_CHARS)]}"
    body = f"{head}0{_YEAR_CODES[(year - 2010) % len(_YEAR_CODES)]}{plant}{serial % 1_000_000:06d}"
    digit = check_digit(body)
    if not correct:
        digit = "1" if digit == "0" else "0"
    return body[:8] + digit + body[9:]


def plate_for(city_code: str, serial: int, powertrain: str) -> str:
    """沪A12345 (or 沪AD12345 for electric and plug-in cars), stored normalised."""
    letters = _CITY_LETTERS.get(city_code, "A")
    prefix = _PROVINCES.get(city_code[:2], "沪") + letters[serial % len(letters)]
    number = (serial * 7919 + 12_345) % 100_000
    if powertrain in ("bev", "phev"):
        return f"{prefix}{'D' if powertrain == 'bev' else 'F'}{number:05d}"
    return f"{prefix}{number:05d}"


def seed_catalogue(context: SeedContext) -> None:
    """Every series in two configurations for each model year from 2012 (electric series from
    2021), priced a little higher each year."""
    from autocrm.vehicles.models import VehicleModel

    this_year = int(calendar().day(calendar().today)[:4])
    models = []
    for brand, _wmi, series, code, powertrain, price, configurations in CATALOGUE:
        first = 2021 if powertrain in ("bev", "phev") else FIRST_MODEL_YEAR
        for year in range(first, this_year + 1):
            for number, configuration in enumerate(configurations, 1):
                yearly = price * (1 + 0.015 * (year - this_year)) + 20_000 * (number - 1)
                models.append(
                    VehicleModel(
                        code=f"{code}{year % 100:02d}{number}",
                        brand=brand,
                        series=series,
                        name=f"{brand} {series}",
                        configuration=configuration,
                        model_year=year,
                        powertrain=powertrain,
                        price=Decimal(round(yearly, -2)),
                        is_active=year >= this_year - 1,
                    )
                )
    VehicleModel.objects.bulk_create(models, batch_size=1000)
    by_code = VehicleModel.objects.in_bulk([model.code for model in models], field_name="code")
    context.add("vehicle_models", [by_code[model.code] for model in models])


_ENGINES = {"petrol": "LYX", "diesel": "LDA", "hybrid": "LXH", "phev": "LXP", "bev": "TZ220X"}
_VEHICLE_COLUMNS = (
    "id", "vin", "vin_tail", "vin_check_digit_ok", "model_id", "engine_number", "frame_number",
    "production_number", "production_date", "plant", "colour", "plate", "status", "dealer_id",
    "current_mileage", "mileage_read_on", "version", "created_at", "updated_at",
)  # fmt: skip
_OWNERSHIP_COLUMNS = ("vehicle_id", "customer_id", "role", "started_on", "ended_on",
                      "selling_dealer_id", "price", "created_at")  # fmt: skip
_EVENT_COLUMNS = ("vehicle_id", "kind", "occurred_at", "location", "dealer_id", "source",
                  "details", "recorded_at")  # fmt: skip
_READING_COLUMNS = ("vehicle_id", "reading_km", "read_on", "source", "flagged", "created_at")


class _VehicleRows:
    """Writes one vehicle with its ownerships, lifecycle events and odometer readings."""

    def __init__(self, context: SeedContext, cal: Calendar) -> None:
        from autocrm.vehicles.models import OdometerReading, Ownership, Vehicle, VehicleEvent

        self.rng, self.cal, self.now = context.rng, cal, now_text()
        self.plan = plan_of(context)
        self.next_pk = next_id(Vehicle)
        self.serial = 0
        self.city_codes = {city.region.pk: city.region.code for city in context.created["cities"]}
        wmis = {code: wmi for _b, wmi, _s, code, *_rest in CATALOGUE}
        self.by_year: dict[int, list[CatalogueEntry]] = {}
        for model in context.created["vehicle_models"]:
            entry = CatalogueEntry(
                model.pk, wmis[model.code[:2]], model.code[:2], model.powertrain, int(model.price)
            )
            self.by_year.setdefault(model.model_year, []).append(entry)
        self.vehicles = BulkWriter(Vehicle, _VEHICLE_COLUMNS, batch_size=10_000)
        self.ownerships = BulkWriter(Ownership, _OWNERSHIP_COLUMNS)
        self.events = BulkWriter(VehicleEvent, _EVENT_COLUMNS)
        self.readings = BulkWriter(OdometerReading, _READING_COLUMNS)

    def flush(self) -> None:
        for writer in (self.vehicles, self.ownerships, self.events, self.readings):
            writer.flush()

    def _event(self, pk: int, kind: str, day: int, location: str, dealer: Any, source: str) -> None:
        moment = self.cal.moment(day, 3600 + self.rng.randint(0, 36000))
        self.events.add(pk, kind, moment, location, dealer, source, "{}", self.now)

    def oem(self, owner: int, sale_day: int, *, earlier_owner: int | None = None) -> int:
        """A new car from the OEM sold at the owner's dealer on ``sale_day`` (to
        ``earlier_owner`` first, years before, when given: then transferred on ``sale_day``)."""
        rng, cal, plan = self.rng, self.cal, self.plan
        pk, serial = self.next_pk, self.serial
        self.next_pk, self.serial = pk + 1, serial + 1
        dealer = plan.dealers[plan.dealer[owner]]
        first_sale = sale_day
        if earlier_owner is not None:
            first_sale = max(cal.number(EARLIEST_SALE), sale_day - rng.randint(400, 2500))
        production = first_sale - rng.randint(20, 120)
        year = min(max(int(cal.day(production)[:4]), FIRST_MODEL_YEAR), max(self.by_year))
        imported = serial % 173 == 50
        plant, plant_code = rng.choice(PLANTS)
        if imported:
            model = None
            vin = vin_for(rng.choice(IMPORT_WMIS), "ZZ3K", year, "A", serial, correct=False)
            powertrain, price = "petrol", rng.randint(300, 900) * 1000
        else:
            model = rng.choice(self.by_year[year])
            vin = vin_for(model.wmi, f"{model.vds}1D", year, plant_code, serial)
            powertrain, price = model.powertrain, model.price
        registered = cal.today - first_sale > 10
        city = self.city_codes[dealer.region_id]
        plate = plate_for(city, serial, powertrain) if registered else ""
        mileage, read_on = self._readings(pk, first_sale)
        self.vehicles.add(
            pk, vin, vin[-6:], not imported, model.pk if model else None,
            "" if imported else f"{_ENGINES[powertrain]}{serial * 37 % 10**8:08d}", vin,
            None if imported else f"{plant_code}{year % 100:02d}{serial:08d}",
            None if imported else cal.day(production), "" if imported else plant,
            rng.choice(COLOURS), plate, "registered" if registered else "sold", dealer.pk,
            mileage, read_on, 1, self.now, self.now,
        )  # fmt: skip
        paid = round(price * rng.uniform(0.86, 1.0), -2)
        if earlier_owner is None:
            self.ownerships.add(pk, plan.first_id + owner, "owner", cal.day(sale_day), None,
                                dealer.pk, paid, self.now)  # fmt: skip
        else:
            self.ownerships.add(pk, plan.first_id + earlier_owner, "owner", cal.day(first_sale),
                                cal.day(sale_day), dealer.pk, paid, self.now)  # fmt: skip
            self.ownerships.add(pk, plan.first_id + owner, "owner", cal.day(sale_day), None, None,
                                round(paid * rng.uniform(0.4, 0.7), -2), self.now)  # fmt: skip
        if not imported:
            self._event(pk, "built", production, plant, None, "MES")
            self._event(pk, "stored", production + rng.randint(1, 3), f"{plant}成品库", None, "WMS")
            shipped = production + rng.randint(4, 10)
            self._event(pk, "shipped", shipped, plant, None, "TMS")
            self._event(pk, "arrived", shipped + rng.randint(2, 8), dealer.name, dealer.pk, "TMS")
        self._event(pk, "sold", first_sale, dealer.name, dealer.pk, "DMS")
        if registered:
            self._event(pk, "registered", first_sale + rng.randint(3, 10), "车辆管理所",
                        dealer.pk, "DMS")  # fmt: skip
        if earlier_owner is not None:
            self._event(pk, "transferred", sale_day, "车辆管理所", None, "DMS")
        return pk

    def trade_in(self, owner: int, handed_in: int) -> int:
        """Another maker's car the customer traded in at their dealer on ``handed_in``."""
        rng, cal, plan = self.rng, self.cal, self.plan
        pk, serial = self.next_pk, self.serial
        self.next_pk, self.serial = pk + 1, serial + 1
        dealer = plan.dealers[plan.dealer[owner]]
        bought = handed_in - rng.randint(900, 3000)
        year = int(cal.day(bought)[:4])
        vin = vin_for(rng.choice(TRADE_IN_WMIS), "A2B3", year, "N", serial)
        plate = plate_for(self.city_codes[dealer.region_id], serial, "petrol")
        km = (handed_in - bought) * rng.randint(25, 50)
        self.vehicles.add(
            pk, vin, vin[-6:], True, None, "", vin, None, None, "", rng.choice(COLOURS), plate,
            "at_dealer", dealer.pk, km, cal.day(handed_in), 1, self.now, self.now,
        )  # fmt: skip
        self.ownerships.add(pk, plan.first_id + owner, "owner", cal.day(bought),
                            cal.day(handed_in), None, None, self.now)  # fmt: skip
        self.readings.add(pk, km, cal.day(handed_in), "置换评估", False, self.now)
        self._event(pk, "arrived", handed_in, dealer.name, dealer.pk, "DMS")
        return pk

    def _readings(self, pk: int, sold: int) -> tuple[int | None, str | None]:
        """One reading per yearly service (up to four); now and then a lower one, flagged."""
        rng, cal = self.rng, self.cal
        km, last_km, last_day = 0, None, None
        per_day = rng.randint(20, 60)
        for year in range(1, min(4, (cal.today - sold) // 365) + 1):
            day = min(sold + 365 * year + rng.randint(-30, 30), cal.today - 1)
            km = (day - sold) * per_day
            self.readings.add(pk, km, cal.day(day), "保养进站", False, self.now)
            last_km, last_day = km, cal.day(day)
        if last_km and rng.random() < 0.02:
            self.readings.add(pk, max(0, last_km - 9000), last_day, "客户自报", True, self.now)
        return last_km, last_day


def seed_vehicles(context: SeedContext) -> None:
    """Each owner's cars (the first bought soon after becoming a customer); about one in ten
    changed hands from a former owner; other former owners and some owners traded a car in."""
    from autocrm.vehicles.models import Vehicle

    started = time.perf_counter()
    rng, cal = context.rng, calendar()
    rows = _VehicleRows(context, cal)
    earliest = cal.number(EARLIEST_SALE)
    plan = rows.plan
    formers = [p for p in range(len(plan)) if plan.status[p] == FORMER_OWNER]
    rng.shuffle(formers)
    waiting = deque(formers)
    vehicle_of: dict[int, int] = {}
    for position in range(len(plan)):
        if plan.status[position] != OWNER:
            continue
        since, last = plan.since[position], cal.today - 1
        for number in range(plan.vehicles[position]):
            day = min(since + rng.randint(0, 60), last) if number == 0 else rng.randint(since, last)
            transferable = day > earliest + 500 and rng.random() < 0.1
            earlier = waiting.popleft() if waiting and transferable else None
            pk = rows.oem(position, day, earlier_owner=earlier)
            vehicle_of.setdefault(position, pk)
            if earlier is not None:
                vehicle_of.setdefault(earlier, pk)
        if rng.random() < 0.05:
            rows.trade_in(position, min(since + rng.randint(0, 60), last))
    for position in waiting:
        handed_in = rng.randint(plan.since[position], cal.today - 1)
        vehicle_of[position] = rows.trade_in(position, handed_in)
    rows.flush()
    after_explicit_ids(Vehicle)
    first_pk = rows.next_pk - rows.serial
    context.created["vehicle_of_customer"] = [vehicle_of]
    context.add("vehicles", list(range(first_pk, rows.next_pk)))
    context.log(
        f"  vehicles: {rows.serial:,}, {rows.ownerships.count:,} ownerships, "
        f"{rows.events.count:,} events, {rows.readings.count:,} odometer readings in "
        f"{time.perf_counter() - started:.1f} s"
    )


register_seeder("vehicles.catalogue", seed_catalogue, order=105)
register_seeder(
    "vehicles.vehicles",
    seed_vehicles,
    order=110,
    loads=(
        "vehicles.Vehicle", "vehicles.Ownership", "vehicles.OdometerReading",
        "vehicles.VehicleEvent",
    ),
)  # fmt: skip
