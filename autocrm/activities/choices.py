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


class TaskKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    SEND_MATERIAL = "send_material", _("Send material")
    REVIEW = "review", _("Review")
    FOLLOW_UP = "follow_up", _("Follow-up")
    OTHER = "other", _("Other")


class TaskPriority(models.IntegerChoices):
    """Lower sorts first: "my day" lists high-priority tasks before the others."""

    HIGH = 1, _("High")
    NORMAL = 2, _("Normal")
    LOW = 3, _("Low")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class AppointmentKind(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment")
    VISIT = "visit", _("Visit")
    TEST_DRIVE = "test_drive", _("Test drive")
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")


class AppointmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
