"""The funnel report's filters, shared by the page, the CSV export and the API, so all three
answer the same question the same way. Choice lists come from the user's scope: a dealer or a
region the user cannot see is refused like an unknown one."""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from autocrm.analytics.funnel import GROUPINGS, MAX_TOP, FunnelFilters
from autocrm.core.forms import ANY_CHOICE, StyledFormMixin
from autocrm.core.scoping import visible_to
from autocrm.network.models import Dealer, Region
from autocrm.sales.choices import LeadSource
from autocrm.vehicles.models import VehicleModel

# The period shown when none is asked for: this month and the eleven before it.
DEFAULT_MONTHS = 12
# A longer period would be a different report (and a longer scan).
MAX_MONTHS = 60
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_start(text: str) -> datetime.date:
    """The first day of the month written ``YYYY-MM``; a ``ValueError`` for anything else."""
    match = _MONTH.match(text.strip())
    if match is None:
        raise ValueError(text)
    year, month = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        raise ValueError(text)
    return datetime.date(year, month, 1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> int:
    """How many months from ``start``'s month to ``end``'s, both counted."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (the browser's month input), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return month_start(text)
        except ValueError:
            raise ValidationError(
                _("Enter a month as year-month, for example 2026-03."), code="invalid"
            ) from None


class QuickSelect(forms.Select):
    """A select whose options are joined in Python. Django renders every option through a
    template, which for a large network's 1,500 dealers and 510 models took longer than the
    whole report."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if key == chosen else "", label)
                for key, label in ((str(option), label) for option, label in self.choices)
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class FunnelFilterForm(StyledFormMixin, forms.Form):
    from_month = MonthField(label=_("From month"), required=False)
    to_month = MonthField(label=_("To month"), required=False)
    dealer = forms.ModelChoiceField(
        widget=QuickSelect,
        label=_("Dealer"),
        queryset=Dealer.objects.none(),
        required=False,
        empty_label=ANY_CHOICE[1],
        error_messages={"invalid_choice": _("No such dealer.")},
    )
    region = forms.ModelChoiceField(
        widget=QuickSelect,
        label=_("Region"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=ANY_CHOICE[1],
        error_messages={"invalid_choice": _("No such region.")},
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[ANY_CHOICE, *LeadSource.choices],
        required=False,
        widget=QuickSelect,
    )
    model = forms.ModelChoiceField(
        widget=QuickSelect,
        label=_("Model"),
        queryset=VehicleModel.objects.none(),
        required=False,
        empty_label=ANY_CHOICE[1],
        error_messages={"invalid_choice": _("No such model.")},
    )
    group_by = forms.ChoiceField(
        label=_("Group by"),
        choices=[("", _("No grouping")), *GROUPINGS],
        required=False,
        widget=QuickSelect,
    )
    top = forms.IntegerField(
        label=_("Lost reasons shown"),
        min_value=1,
        max_value=MAX_TOP,
        required=False,
        error_messages={
            "min_value": _("Show at least one lost reason."),
            "max_value": _("Show at most %(limit_value)s lost reasons."),
            "invalid": _("Enter a whole number of lost reasons."),
        },
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if self.is_bound and not self.data.get("from_month") and not self.data.get("to_month"):
            # Show the default period in the month inputs, not empty ones.
            this_month = timezone.localdate().replace(day=1)
            data = QueryDict(mutable=True)
            data.update(self.data)
            data["to_month"] = this_month.strftime("%Y-%m")
            data["from_month"] = add_months(this_month, 1 - DEFAULT_MONTHS).strftime("%Y-%m")
            self.data = data
        dealers = visible_to(user, Dealer.objects.filter(sells_vehicles=True))
        regions = visible_to(user, Region.objects.all())
        self._choice(
            "dealer", dealers.only("id", "code", "name").order_by("code"), self._dealer_label
        )
        self._choice("region", regions.only("id", "name", "level", "path").order_by("path"), str)
        self._choice(
            "model",
            VehicleModel.objects.only(
                "id", "brand", "series", "name", "configuration", "model_year"
            ).order_by("code"),
            str,
        )

    def _choice(self, name: str, queryset: Any, label: Any) -> None:
        field = cast(forms.ModelChoiceField, self.fields[name])
        field.queryset = queryset
        field.label_from_instance = label  # type: ignore[method-assign]

    @staticmethod
    def _dealer_label(dealer: Dealer) -> str:
        return f"{dealer.code} {dealer.name}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        start, end = cleaned.get("from_month"), cleaned.get("to_month")
        if "from_month" in self.errors or "to_month" in self.errors:
            return cleaned
        this_month = timezone.localdate().replace(day=1)
        if end is None:
            end = max(this_month, start) if start else this_month
        if start is None:
            start = add_months(end, 1 - DEFAULT_MONTHS)
        if start > end:
            self.add_error("to_month", _("The period ends before it starts."))
        elif months_between(start, end) > MAX_MONTHS:
            self.add_error(
                "to_month",
                _("The period may span at most %(months)s months.") % {"months": MAX_MONTHS},
            )
        cleaned["from_month"], cleaned["to_month"] = start, end
        return cleaned

    def filters(self) -> FunnelFilters:
        """The valid form's filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return FunnelFilters(
            start=data["from_month"],
            end=data["to_month"],
            dealer=data.get("dealer"),
            region=data.get("region"),
            source=data.get("source") or "",
            vehicle_model=data.get("model"),
            group_by=data.get("group_by") or "",
            top=data.get("top") or 10,
        )
