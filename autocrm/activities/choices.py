from django.db import models
from django.utils.translation import gettext_lazy as _


class InteractionChannel(models.TextChoices):
    INBOUND_CALL = "inbound_call", _("Inbound call")
    OUTBOUND_CALL = "outbound_call", _("Outbound call")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    WEB = "web", _("Web")
    EVENT = "event", _("Event")
    WECHAT = "wechat", _("WeChat")


class InteractionOutcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    NO_ANSWER = "no_answer", _("No answer")
    CALL_BACK = "call_back", _("Call back later")
    INFORMATION_SENT = "information_sent", _("Information sent")
    APPOINTMENT_MADE = "appointment_made", _("Appointment made")
    COMPLAINT = "complaint", _("Complaint raised")
    NOT_INTERESTED = "not_interested", _("Not interested")
