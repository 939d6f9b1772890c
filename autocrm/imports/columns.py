"""The fields a source column can be mapped to, and the mapping suggested from its header."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from autocrm.customers.identifiers import fold_width

KEY = "key"

# (field, label): the order is the order of the select on the mapping page.
FIELDS: list[tuple[str, Any]] = [
    (KEY, _("Source key (customer number in the source)")),
    ("name", _("Name")),
    ("company_name", _("Company name")),
    ("mobile", _("Mobile")),
    ("phone", _("Other phone")),
    ("email", _("E-mail")),
    ("address", _("Address")),
    ("id_number", _("Resident ID number")),
    ("credit_code", _("Unified social credit code")),
    ("gender", _("Gender")),
    ("birth_date", _("Birth date")),
    ("vin", _("VIN")),
    ("engine_number", _("Engine number")),
    ("model_code", _("Model code")),
    ("plate", _("Licence plate")),
    ("purchase_date", _("Purchase date")),
    ("dealer_code", _("Dealer code")),
]
FIELD_NAMES = frozenset(name for name, _label in FIELDS)

_SYNONYMS: dict[str, tuple[str, ...]] = {
    KEY: (
        "客户编号",
        "编号",
        "客户编码",
        "客户id",
        "customerid",
        "customerno",
        "customernumber",
        "key",
    ),
    "name": (
        "姓名",
        "客户姓名",
        "客户名称",
        "车主姓名",
        "车主",
        "name",
        "customername",
        "fullname",
    ),
    "company_name": ("公司名称", "单位名称", "企业名称", "company", "companyname"),
    "mobile": (
        "手机",
        "手机号",
        "手机号码",
        "移动电话",
        "mobile",
        "mobilephone",
        "cellphone",
        "cell",
    ),
    "phone": ("联系电话", "电话", "固定电话", "座机", "phone", "telephone", "tel"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "mail"),
    "address": ("地址", "联系地址", "住址", "通讯地址", "address"),
    "id_number": (
        "身份证号",
        "身份证",
        "身份证号码",
        "证件号码",
        "证件号",
        "idnumber",
        "idno",
        "id",
    ),
    "credit_code": ("统一社会信用代码", "信用代码", "creditcode", "uscc"),
    "gender": ("性别", "gender", "sex"),
    "birth_date": ("出生日期", "生日", "birthdate", "birthday", "dateofbirth"),
    "vin": ("车架号", "vin", "底盘号", "车辆识别代号", "车辆识别号", "vincode"),
    "engine_number": ("发动机号", "发动机号码", "enginenumber", "engineno"),
    "model_code": ("车型", "车型代码", "车型编码", "model", "modelcode"),
    "plate": ("车牌号", "车牌", "车牌号码", "plate", "licenceplate", "licenseplate", "platenumber"),
    "purchase_date": ("购车日期", "购买日期", "销售日期", "purchasedate", "saledate"),
    "dealer_code": ("经销商代码", "经销商编码", "经销商编号", "dealercode", "dealer"),
}


def _plain_header(header: str) -> str:
    return re.sub(r"[\s_\-.:()]+", "", fold_width(header)).lower()


_BY_HEADER = {
    _plain_header(synonym): field for field, synonyms in _SYNONYMS.items() for synonym in synonyms
}


def suggest_mapping(headers: list[str]) -> dict[str, str]:
    """{header: field} for the headers recognised; each field is suggested once (first wins)."""
    mapping: dict[str, str] = {}
    for header in headers:
        field = _BY_HEADER.get(_plain_header(header))
        if field and field not in mapping.values():
            mapping[header] = field
    return mapping


def label_of(field: str) -> str:
    return str(dict(FIELDS).get(field, field))
