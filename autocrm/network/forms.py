"""Forms for the network pages. Choice lists only offer records the user may see.

The forms validate input; saving is the services' job (views pass ``cleaned_data`` to them).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from autocrm.core.forms import ANY_CHOICE, InlineValidationMixin, style_filter_form
from autocrm.network.choices import RegionLevel
from autocrm.network.models import Dealer, DealerGroup, HQDepartment, Region


def region_label(region: Region) -> str:
    return f"{region.name} ({region.code}, {region.get_level_display()})"


class RegionChoiceField(forms.ModelChoiceField):
    """Regions named with code and level, since names repeat across the tree."""

    def label_from_instance(self, obj: Any) -> str:
        return region_label(obj)


class RegionForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]
        field_classes = {"parent": RegionChoiceField}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Region.objects.visible_to(user).exclude(level=RegionLevel.CITY)
        if self.instance.pk:
            # A region cannot sit under itself or under one of its own descendants.
            parents = parents.exclude(path__startswith=self.instance.path)
        parent_field = cast(RegionChoiceField, self.fields["parent"])
        parent_field.queryset = parents.order_by("path")
        parent_field.help_text = _(
            "A province sits in a sales area, a city in a province; a sales area has no parent."
        )


class DealerGroupForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = DealerGroup
        fields = ["code", "name"]


class DealerForm(InlineValidationMixin, forms.ModelForm):
    # The version the editor opened, so a save after someone else's is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Dealer
        fields = [
            "code",
            "name",
            "dealer_type",
            "sells_vehicles",
            "services_vehicles",
            "sells_parts",
            "region",
            "group",
            "address",
            "phone",
            "opened_on",
            "is_active",
        ]
        widgets = {"opened_on": forms.DateInput}
        field_classes = {"region": RegionChoiceField}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        cities = Region.objects.visible_to(user).filter(level=RegionLevel.CITY)
        cast(RegionChoiceField, self.fields["region"]).queryset = cities.order_by("path")
        groups = DealerGroup.objects.visible_to(user).order_by("code")
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = groups

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if self.instance.pk and cleaned.get("version") is None:
            # Without the version it was opened at, an edit could silently overwrite another.
            raise forms.ValidationError(
                _("This form is missing the record's version; reload the page and try again.")
            )
        return cleaned


class HQDepartmentForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = HQDepartment
        fields = ["code", "name", "kind"]


def prepare_filter_form(form: forms.Form, *, user: Any) -> forms.Form:
    """Turn a FilterSet's form into the list page's filter bar: id filters shown as choice lists
    of the records the user may see, then the shared styling (``style_filter_form``)."""
    fields = form.fields
    if "region" in fields:
        regions = Region.objects.visible_to(user).order_by("path")
        fields["region"].widget = forms.Select(
            choices=[ANY_CHOICE, *((r.pk, region_label(r)) for r in regions)]
        )
    if "parent" in fields:
        parents = Region.objects.visible_to(user).exclude(level=RegionLevel.CITY).order_by("path")
        fields["parent"].widget = forms.Select(
            choices=[ANY_CHOICE, *((r.pk, region_label(r)) for r in parents)]
        )
    if "group" in fields:
        groups = DealerGroup.objects.visible_to(user).order_by("code")
        fields["group"].widget = forms.Select(
            choices=[ANY_CHOICE, *((g.pk, f"{g.name} ({g.code})") for g in groups)]
        )
    return style_filter_form(form)
