"""The reminder rules' keys (also the ``source`` of the tasks they create)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKey(models.TextChoices):
    LEAD_TIMEFRAME = "lead_timeframe", _("Lead timeframe treatment")
    LEAD_REVIEW = "lead_review", _("Lead card review")
    LEAD_CONTACT = "lead_contact", _("Lead calls and visits")
    INACTIVITY = "inactivity", _("No activity")
    AFTER_DELIVERY = "after_delivery", _("After delivery")
    LOYALTY_CONTACT = "loyalty_contact", _("Keeping in touch after a purchase")
    PURCHASE_ANNIVERSARY = "purchase_anniversary", _("Purchase anniversary")
    BIRTHDAY = "birthday", _("Birthday")
    REPURCHASE = "repurchase", _("Repurchase offer")
