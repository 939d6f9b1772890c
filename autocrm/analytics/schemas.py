"""The funnel API's schemas: the query parameters (the page's filters) and the figures."""

from __future__ import annotations

import datetime

from ninja import Schema


class FunnelParams(Schema):
    from_month: str | None = None
    to_month: str | None = None
    dealer: int | None = None
    region: int | None = None
    source: str | None = None
    model: int | None = None
    group_by: str | None = None
    top: int | None = None
    fresh: bool = False


class PeriodOut(Schema):
    from_month: str
    to_month: str


class SummaryOut(Schema):
    leads: int
    converted: int
    won: int
    converted_percent: float | None
    won_percent: float | None


class StageOut(Schema):
    key: str
    label: str
    phase: str
    reached: int
    percent_of_previous: float | None
    percent_of_leads: float | None


class SourceOut(SummaryOut):
    key: str
    label: str


class TimeInStageOut(Schema):
    key: str
    label: str
    phase: str
    stays: int
    average_days: float | None
    median_days: float | None


class LostReasonOut(Schema):
    reason: str
    count: int


class LostReasonsOut(Schema):
    leads: list[LostReasonOut]
    opportunities: list[LostReasonOut]


class MonthOut(SummaryOut):
    month: str


class GroupOut(SummaryOut):
    key: int | str | None
    label: str
    counts: list[int]


class FunnelOut(Schema):
    period: PeriodOut
    summary: SummaryOut
    stages: list[StageOut]
    sources: list[SourceOut]
    time_in_stage: list[TimeInStageOut]
    lost_reasons: LostReasonsOut
    months: list[MonthOut]
    group_by: str
    groups: list[GroupOut]
    computed_at: datetime.datetime
