from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthStatus(models.TextChoices):
    """A dealer's commission month: computed live while open, stored once closed."""

    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RateBasis(models.TextChoices):
    """What a per-car rate applies to; the most specific rule for a car wins."""

    MODEL = "model", _("Vehicle model")
    SERIES = "series", _("Series")
    ANY = "any", _("Any model")
