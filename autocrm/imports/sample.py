"""A generated source file for measuring the import (``make bench``, one-off runs): people with
valid mobiles, ID numbers and OEM VINs, with a share of rows repeating an earlier person."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from stdnum.cn import ric

from autocrm.vehicles.vin import with_check_digit

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许"
    "韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚"
    "桂英华建国志强文斌晓东海燕红玉兰子涵雨轩浩然思远"
)
HEADER = [
    "客户编号",
    "姓名",
    "手机",
    "身份证号",
    "车架号",
    "车型",
    "车牌号",
    "购车日期",
    "经销商代码",
]


def _resident_id(rng: random.Random) -> str:
    body = f"110105{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def write_sample_csv(
    path: str | Path,
    rows: int,
    *,
    model_code: str,
    dealer_codes: list[str],
    seed: int = 1,
    repeat_share: float = 0.05,
) -> None:
    rng = random.Random(seed)
    people: list[list[str]] = []
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(1, rows + 1):
            if people and rng.random() < repeat_share:
                # The same person again, with a second car: resolves to the same customer.
                person = rng.choice(people)
                name, mobile, id_number = person[1], person[2], person[3]
            else:
                name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
                mobile = f"13{rng.randint(0, 9)}{number:08d}"
                id_number = _resident_id(rng) if rng.random() < 0.5 else ""
            vin = with_check_digit(f"LSGPC54U0{rng.choice('TSR')}{number % 10_000_000:07d}")
            row = [
                f"S{number:08d}",
                name,
                mobile,
                id_number,
                vin,
                model_code,
                f"沪A{number % 100000:05d}",
                f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                rng.choice(dealer_codes),
            ]
            writer.writerow(row)
            if len(people) < 100_000:
                people.append(row)
