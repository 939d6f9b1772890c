"""Calendar arithmetic the rules do in Python, once per run (never per row): periods, adding
months and years with the day clipped to the month's end, and the anchor dates (a purchase, a
birthday) whose yearly or monthly occurrence falls in a window of days."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def days(first: datetime.date, last: datetime.date) -> Iterable[datetime.date]:
    """Every day from ``first`` to ``last``, both included."""
    for offset in range((last - first).days + 1):
        yield first + datetime.timedelta(days=offset)


def anchors_for(
    window: tuple[datetime.date, datetime.date], steps_in_months: Iterable[int]
) -> dict[datetime.date, tuple[datetime.date, int]]:
    """The anchor dates (purchases) whose occurrence ``anchor + step months`` falls in
    ``window`` (both ends included), for each step: {anchor: (occurrence, step)}. With steps at
    least a month apart and a window shorter than a month, an anchor has one occurrence in it."""
    first, last = window
    found: dict[datetime.date, tuple[datetime.date, int]] = {}
    for step in steps_in_months:
        # Clipping to the month's end maps up to four anchors to one day: look 3 days wider.
        earliest = add_months(first, -step) - datetime.timedelta(days=3)
        latest = add_months(last, -step) + datetime.timedelta(days=3)
        for anchor in days(earliest, latest):
            occurrence = add_months(anchor, step)
            if first <= occurrence <= last:
                found.setdefault(anchor, (occurrence, step))
    return found


def birthdays_in(
    window: tuple[datetime.date, datetime.date],
) -> dict[tuple[int, int], datetime.date]:
    """{(month, day) of a birth date: the day it is celebrated} for the days in ``window``;
    29 February is celebrated on 28 February in other years."""
    found: dict[tuple[int, int], datetime.date] = {}
    for day in days(*window):
        found[(day.month, day.day)] = day
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            found[(2, 29)] = day
    return found


def period_keys(day: datetime.date) -> dict[str, tuple[str, datetime.date, datetime.date]]:
    """The periods ``day`` is in: {name: (key, first day, last day)}."""
    quarter = (day.month - 1) // 3
    half = (day.month - 1) // 6
    week_first = day - datetime.timedelta(days=day.weekday())
    month_first = day.replace(day=1)
    quarter_first = datetime.date(day.year, quarter * 3 + 1, 1)
    half_first = datetime.date(day.year, half * 6 + 1, 1)
    year_first = datetime.date(day.year, 1, 1)
    one_day = datetime.timedelta(days=1)
    iso = day.isocalendar()
    return {
        "day": (day.isoformat(), day, day),
        "week": (f"{iso.year}-W{iso.week:02d}", week_first, week_first + 6 * one_day),
        "month": (f"{day:%Y-%m}", month_first, add_months(month_first, 1) - one_day),
        "quarter": (
            f"{day.year}-Q{quarter + 1}",
            quarter_first,
            add_months(quarter_first, 3) - one_day,
        ),
        "half": (f"{day.year}-H{half + 1}", half_first, add_months(half_first, 6) - one_day),
        "year": (str(day.year), year_first, datetime.date(day.year, 12, 31)),
    }
