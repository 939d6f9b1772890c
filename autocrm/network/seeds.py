"""Demo data for the dealer network: sales areas with real provinces and cities (GB/T 2260 codes),
HQ departments, dealer groups and dealers. Run by ``manage.py seed_demo``."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from autocrm.core.seeding import SeedContext, register_seeder

# ---------------------------------------------------------------------------------------------
# The dealer network. Region codes are the national administrative division codes (GB/T 2260);
# areas are the OEM's sales areas. Each city: code, name, telephone area code, weight (how many
# dealers it attracts), districts.
# ---------------------------------------------------------------------------------------------

City = tuple[str, str, str, int, str]
Province = tuple[str, str, str, list[City]]
NETWORK: list[tuple[str, str, list[Province]]] = [
    ("EAST", "华东", [
        ("310000", "上海市", "SH", [("310100", "上海市", "021", 8, "浦东新区 徐汇区 闵行区 嘉定区 宝山区 松江区 普陀区 长宁区 杨浦区 青浦区")]),  # noqa: E501
        ("320000", "江苏省", "JS", [
            ("320100", "南京市", "025", 5, "江宁区 鼓楼区 建邺区 栖霞区 浦口区 秦淮区"),
            ("320500", "苏州市", "0512", 5, "工业园区 吴中区 相城区 姑苏区 虎丘区 吴江区"),
            ("320200", "无锡市", "0510", 3, "滨湖区 梁溪区 新吴区 锡山区 惠山区"),
            ("320400", "常州市", "0519", 2, "武进区 新北区 天宁区 钟楼区"),
            ("321000", "扬州市", "0514", 2, "邗江区 广陵区 江都区")]),
        ("330000", "浙江省", "ZJ", [
            ("330100", "杭州市", "0571", 5, "西湖区 滨江区 余杭区 萧山区 拱墅区 上城区"),
            ("330200", "宁波市", "0574", 3, "鄞州区 海曙区 江北区 北仑区 镇海区"),
            ("330300", "温州市", "0577", 2, "鹿城区 瓯海区 龙湾区"),
            ("330400", "嘉兴市", "0573", 2, "南湖区 秀洲区"),
            ("330600", "绍兴市", "0575", 2, "越城区 柯桥区 上虞区")]),
        ("340000", "安徽省", "AH", [
            ("340100", "合肥市", "0551", 3, "蜀山区 包河区 庐阳区 瑶海区"),
            ("340200", "芜湖市", "0553", 2, "镜湖区 鸠江区 弋江区")]),
        ("370000", "山东省", "SD", [
            ("370100", "济南市", "0531", 3, "历下区 市中区 槐荫区 天桥区 历城区"),
            ("370200", "青岛市", "0532", 3, "市南区 市北区 黄岛区 崂山区 李沧区 城阳区"),
            ("370600", "烟台市", "0535", 2, "芝罘区 莱山区 福山区"),
            ("370700", "潍坊市", "0536", 2, "奎文区 潍城区 寒亭区")]),
    ]),
    ("NORTH", "华北", [
        ("110000", "北京市", "BJ", [("110100", "北京市", "010", 8, "朝阳区 海淀区 丰台区 大兴区 通州区 顺义区 昌平区 石景山区")]),  # noqa: E501
        ("120000", "天津市", "TJ", [("120100", "天津市", "022", 5, "河西区 南开区 滨海新区 西青区 东丽区 北辰区")]),  # noqa: E501
        ("130000", "河北省", "HE", [
            ("130100", "石家庄市", "0311", 3, "长安区 桥西区 新华区 裕华区"),
            ("130200", "唐山市", "0315", 2, "路北区 路南区 丰润区"),
            ("130600", "保定市", "0312", 2, "竞秀区 莲池区")]),
        ("140000", "山西省", "SX", [("140100", "太原市", "0351", 3, "小店区 迎泽区 杏花岭区")]),
        ("150000", "内蒙古自治区", "NM", [
            ("150100", "呼和浩特市", "0471", 2, "新城区 回民区 赛罕区"),
            ("150200", "包头市", "0472", 2, "昆都仑区 青山区 九原区")]),
    ]),
    ("SOUTH", "华南", [
        ("440000", "广东省", "GD", [
            ("440100", "广州市", "020", 8, "天河区 白云区 番禺区 海珠区 黄埔区 花都区"),
            ("440300", "深圳市", "0755", 8, "福田区 南山区 宝安区 龙岗区 龙华区"),
            ("440600", "佛山市", "0757", 3, "禅城区 南海区 顺德区"),
            ("441900", "东莞市", "0769", 3, "南城街道 东城街道 长安镇"),
            ("440400", "珠海市", "0756", 2, "香洲区 金湾区 斗门区")]),
        ("350000", "福建省", "FJ", [
            ("350100", "福州市", "0591", 3, "鼓楼区 台江区 仓山区 晋安区"),
            ("350200", "厦门市", "0592", 3, "思明区 湖里区 集美区 海沧区"),
            ("350500", "泉州市", "0595", 2, "丰泽区 鲤城区 洛江区")]),
        ("450000", "广西壮族自治区", "GX", [
            ("450100", "南宁市", "0771", 3, "青秀区 兴宁区 江南区 西乡塘区"),
            ("450200", "柳州市", "0772", 2, "城中区 鱼峰区 柳南区")]),
        ("460000", "海南省", "HI", [("460100", "海口市", "0898", 2, "龙华区 美兰区 秀英区")]),
    ]),
    ("SOUTHWEST", "西南", [
        ("500000", "重庆市", "CQ", [("500100", "重庆市", "023", 5, "渝北区 江北区 九龙坡区 南岸区 沙坪坝区 渝中区")]),  # noqa: E501
        ("510000", "四川省", "SC", [
            ("510100", "成都市", "028", 5, "武侯区 锦江区 青羊区 金牛区 成华区 双流区"),
            ("510700", "绵阳市", "0816", 2, "涪城区 游仙区")]),
        ("520000", "贵州省", "GZ", [("520100", "贵阳市", "0851", 3, "南明区 云岩区 观山湖区")]),
        ("530000", "云南省", "YN", [("530100", "昆明市", "0871", 3, "五华区 盘龙区 官渡区 西山区")]),  # noqa: E501
    ]),
    ("CENTRAL", "华中", [
        ("420000", "湖北省", "HB", [
            ("420100", "武汉市", "027", 5, "江汉区 武昌区 洪山区 汉阳区 东西湖区 江岸区"),
            ("420500", "宜昌市", "0717", 2, "西陵区 伍家岗区 夷陵区"),
            ("420600", "襄阳市", "0710", 2, "樊城区 襄城区 襄州区")]),
        ("410000", "河南省", "HA", [
            ("410100", "郑州市", "0371", 3, "金水区 二七区 中原区 惠济区 郑东新区"),
            ("410300", "洛阳市", "0379", 2, "洛龙区 西工区 涧西区")]),
        ("430000", "湖南省", "HN", [
            ("430100", "长沙市", "0731", 3, "岳麓区 芙蓉区 天心区 开福区 雨花区"),
            ("430200", "株洲市", "0731", 2, "天元区 荷塘区 芦淞区")]),
        ("360000", "江西省", "JX", [
            ("360100", "南昌市", "0791", 3, "东湖区 西湖区 青山湖区 红谷滩区"),
            ("360400", "九江市", "0792", 2, "浔阳区 濂溪区 柴桑区")]),
    ]),
    ("NORTHWEST", "西北", [
        ("610000", "陕西省", "SN", [("610100", "西安市", "029", 5, "雁塔区 未央区 长安区 碑林区 莲湖区")]),  # noqa: E501
        ("620000", "甘肃省", "GS", [("620100", "兰州市", "0931", 2, "城关区 七里河区 安宁区")]),
        ("630000", "青海省", "QH", [("630100", "西宁市", "0971", 1, "城西区 城东区 城北区")]),
        ("640000", "宁夏回族自治区", "NX", [("640100", "银川市", "0951", 1, "兴庆区 金凤区 西夏区")]),  # noqa: E501
        ("650000", "新疆维吾尔自治区", "XJ", [("650100", "乌鲁木齐市", "0991", 2, "天山区 沙依巴克区 新市区")]),  # noqa: E501
    ]),
    ("NORTHEAST", "东北", [
        ("210000", "辽宁省", "LN", [
            ("210100", "沈阳市", "024", 3, "和平区 沈河区 皇姑区 铁西区 浑南区"),
            ("210200", "大连市", "0411", 3, "中山区 西岗区 沙河口区 甘井子区")]),
        ("220000", "吉林省", "JL", [("220100", "长春市", "0431", 3, "朝阳区 南关区 宽城区 绿园区")]),  # noqa: E501
        ("230000", "黑龙江省", "HL", [("230100", "哈尔滨市", "0451", 3, "南岗区 道里区 道外区 香坊区")]),  # noqa: E501
    ]),
]  # fmt: skip

# Trade names are built from two syllables (汇+通 = 汇通); all are brand-neutral.
_NAME_HEADS = "汇恒鑫瑞德嘉润博金华盛鼎安永宏锦天众联远"
_NAME_TAILS = "通达信源丰泰成程和隆昌骏诚航发"

# HQ departments: code, name, kind, the role its staff have, staff per scale factor.
DEPARTMENTS = [
    ("CC", "客户服务呼叫中心", "call_center", "call_center_agent", 4),
    ("TS", "技术支持中心", "technical_support", "technical_support", 2),
    ("MKT", "市场部", "marketing", "marketing", 2),
    ("QA", "质量与召回管理部", "quality", "quality_manager", 1),
    ("BI", "数据分析部", "analytics", "analyst", 1),
    ("IT", "信息技术部", "it", "administrator", 1),
]


@dataclass(frozen=True)
class SeededCity:
    region: Any
    name: str
    province_name: str
    dealer_prefix: str
    phone_area_code: str
    weight: int
    districts: tuple[str, ...]


def short_place_name(name: str) -> str:
    """ "上海市" -> "上海", "浦东新区" -> "浦东", "高新区" -> "高新", "长安镇" -> "长安"."""
    if name.endswith("新区") and len(name) > 3:
        return name[:-2]
    for suffix in ("街道", "市", "区", "镇"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _trade_names(rng: random.Random, count: int) -> list[str]:
    pool = [head + tail for head in _NAME_HEADS for tail in _NAME_TAILS]
    return rng.sample(pool, count)


def seed_departments(context: SeedContext) -> None:
    from autocrm.accounts.models import User
    from autocrm.network.services import department_create

    for code, name, kind, _role, _count in DEPARTMENTS:
        department = department_create(
            actor=context.actor, data={"code": code, "name": name, "kind": kind}
        )
        context.add("departments", [department])
        if kind == "it" and context.actor.hq_department_id is None:
            User.objects.filter(pk=context.actor.pk).update(hq_department=department)
            context.actor.hq_department = department


def seed_regions(context: SeedContext) -> None:
    """Sales areas with real provinces and cities; ``region_create`` computes each path."""
    from autocrm.network.choices import RegionLevel
    from autocrm.network.services import region_create

    scale = context.scale
    for area_code, area_name, provinces in NETWORK[: scale.areas]:
        area = region_create(
            actor=context.actor,
            data={"code": area_code, "name": area_name, "level": RegionLevel.AREA},
        )
        context.add("areas", [area])
        for province_code, province_name, prefix, cities in provinces:
            province = region_create(
                actor=context.actor,
                data={
                    "code": province_code,
                    "name": province_name,
                    "level": RegionLevel.PROVINCE,
                    "parent": area,
                },
            )
            context.add("provinces", [province])
            for city_code, city_name, phone_code, weight, districts in cities[
                : scale.cities_per_province
            ]:
                city = region_create(
                    actor=context.actor,
                    data={
                        "code": city_code,
                        "name": city_name,
                        "level": RegionLevel.CITY,
                        "parent": province,
                    },
                )
                seeded = SeededCity(
                    city, city_name, province_name, prefix, phone_code, weight,
                    tuple(districts.split()),
                )  # fmt: skip
                context.add("cities", [seeded])


def seed_dealer_groups(context: SeedContext) -> None:
    from autocrm.network.services import dealer_group_create

    for number, word in enumerate(_trade_names(context.rng, context.scale.dealer_groups), 1):
        group = dealer_group_create(
            actor=context.actor, data={"code": f"G{number:03d}", "name": f"{word}汽车集团"}
        )
        context.add("dealer_groups", [group])


# Dealer type: weight, name suffix, sells vehicles, services vehicles, sells parts.
_DEALER_TYPES = {
    "4s": (70, "汽车4S店", True, True, True),
    "sales": (10, "汽车销售中心", True, False, False),
    "service": (20, "汽车服务站", False, True, True),
}


def seed_dealers(context: SeedContext) -> None:
    """Dealers spread over the cities by weight; the first one is a 4S dealer in the first city
    (the demo dealer staff work there). About 60 % belong to a dealer group and carry its name."""
    from autocrm.network.models import Dealer
    from autocrm.network.services import dealer_create

    rng, faker, scale = context.rng, context.faker, context.scale
    cities: list[SeededCity] = context.created["cities"]
    groups = context.created.get("dealer_groups", [])
    independent_words = _trade_names(rng, 60)
    weights = [city.weight for city in cities]
    numbers: Counter[str] = Counter()
    used_names: set[str] = set()
    rows: list[dict[str, Any]] = []
    for index in range(scale.dealers):
        city = cities[0] if index == 0 else rng.choices(cities, weights)[0]
        dealer_type = "4s" if index == 0 else rng.choices(
            list(_DEALER_TYPES), [kind[0] for kind in _DEALER_TYPES.values()]
        )[0]  # fmt: skip
        _weight, suffix, sells, services, parts = _DEALER_TYPES[dealer_type]
        group = rng.choice(groups) if groups and rng.random() < 0.6 else None
        district = rng.choice(city.districts)
        word = group.name.removesuffix("汽车集团") if group else rng.choice(independent_words)
        name = f"{short_place_name(city.name)}{short_place_name(district)}{word}{suffix}"
        for attempt in range(1, 30):
            if name not in used_names:
                break
            # Taken (a group twice in one district): another district, later another trade name.
            district = rng.choice(city.districts)
            if attempt > 5:
                group, word = None, rng.choice(independent_words)
            name = f"{short_place_name(city.name)}{short_place_name(district)}{word}{suffix}"
        else:
            name = f"{name}{index}"
        used_names.add(name)
        numbers[city.dealer_prefix] += 1
        place = city.name if city.name == city.province_name else city.province_name + city.name
        rows.append(
            {
                "code": f"{city.dealer_prefix}{numbers[city.dealer_prefix]:03d}",
                "name": name,
                "dealer_type": dealer_type,
                "sells_vehicles": sells,
                "services_vehicles": services,
                "sells_parts": parts,
                "region": city.region,
                "group": group,
                "address": f"{place}{district}{faker.street_name()}{rng.randint(1, 999)}号",
                "phone": f"{city.phone_area_code}-{rng.randint(2, 8)}{rng.randint(0, 9999999):07d}",
                "opened_on": datetime.date(1999, 1, 1) + datetime.timedelta(rng.randint(0, 9500)),
            }
        )
    if scale.through_services:
        dealers = [dealer_create(actor=context.actor, data=row) for row in rows]
    else:
        Dealer.objects.bulk_create([Dealer(**row) for row in rows], batch_size=500)
        by_code = Dealer.objects.in_bulk([row["code"] for row in rows], field_name="code")
        dealers = [by_code[row["code"]] for row in rows]
    context.add("dealers", dealers)


register_seeder("network.departments", seed_departments, order=20)
register_seeder("network.regions", seed_regions, order=30)
register_seeder("network.dealer_groups", seed_dealer_groups, order=40)
register_seeder("network.dealers", seed_dealers, order=50)
