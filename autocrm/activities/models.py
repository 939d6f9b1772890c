"""Interactions (every touchpoint with a customer, in one timeline), tasks (what someone has to
do, by when) and appointments (the calendar), with the secret tokens of the calendar feeds.

Scoping: an interaction is visible with its customer, so the dealer, the call center and the
region see the same history. Tasks and appointments belong to a person and their dealer: the
dealer's and the region's managers see them, and everyone sees their own and those they created
(``autocrm.activities.planning`` narrows this further per role).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autocrm.activities.choices import (
    AppointmentKind,
    AppointmentStatus,
    InteractionChannel,
    InteractionOutcome,
    TaskKind,
    TaskPriority,
    TaskStatus,
)
from autocrm.core.scoping import Scope, ScopedQuerySet
from autocrm.customers.models import CustomerOwnedScope


class Interaction(CustomerOwnedScope, models.Model):
    """One touchpoint with a customer (a call, a visit, a message, an event), by whom and where.
    Its author or a manager may correct it later; ``version`` refuses a correction based on an
    old copy."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="interactions",
        verbose_name=_("customer"),
    )
    vehicle = models.ForeignKey(
        "vehicles.Vehicle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("vehicle"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("by"),
    )
    dealer = models.ForeignKey(
        "network.Dealer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("dealer"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=InteractionChannel.choices)
    occurred_at = models.DateTimeField(_("when"))
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=InteractionOutcome.choices, blank=True
    )
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The database fills it for rows bulk loads write without it.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        # The customer's timeline, newest first, keyset-paged; and every interaction in scope,
        # newest first (the list page and the API without a customer), which would otherwise
        # sort the whole table for each page.
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="interaction_recent_idx"),
            models.Index(
                fields=["customer", "-occurred_at", "-id"], name="interaction_timeline_idx"
            ),
            models.Index(
                fields=["customer", "channel", "-occurred_at", "-id"],
                name="interaction_channel_idx",
            ),
            # The reminder engine's "last activity" of a lead: the newest interaction with its
            # customer at its dealer, one index-only probe per lead.
            models.Index(
                fields=["customer", "dealer", "-occurred_at"], name="interaction_dealer_recent_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        """An interaction is shown on its customer's page, in the timeline."""
        return reverse("customers:customer_detail", args=[self.customer_id])


def _personal_scope(scope: Scope, person_field: str) -> Q:
    """A planning record (task, appointment) is visible to its person and its creator, and,
    through its dealer, to the dealer's staff and the managers of the regions above it.

    A region's dealers are looked up first and compared as a list of ids: PostgreSQL then
    answers each part of the OR from an index (``task_team_idx``, ``appointment_dealer_idx``)
    and combines them, where a join to the region's path made it read the whole table."""
    from autocrm.network.models import Dealer

    own = Q(**{f"{person_field}_id": scope.user_id}) | Q(created_by_id=scope.user_id)
    if scope.region_path:
        dealers = Dealer.objects.filter(region__path__startswith=scope.region_path)
        return own | Q(dealer_id__in=list(dealers.values_list("pk", flat=True)))
    return own | Q(dealer_id=scope.dealer_id)


class Task(models.Model):
    """Something a person has to do by a day: call, visit, send material, review a lead card.

    People create tasks by hand; rules (the reminder engine) create them with a ``source`` and a
    ``source_key``, and the unique ``dedupe_key`` (``"<source>:<source_key>"``) makes running a
    rule twice create nothing new (``INSERT ... ON CONFLICT DO NOTHING``). ``dealer`` is the
    assignee's dealer when the task was created (the scope). Done and cancelled tasks keep who
    closed them, when, and the outcome; ``version`` refuses an edit based on an old copy."""

    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=TaskKind.choices, default=TaskKind.FOLLOW_UP
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_index=False,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks_created",
        verbose_name=_("created by"),
    )
    dealer = models.ForeignKey(
        "network.Dealer",
        db_index=False,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("dealer"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("customer"),
    )
    vehicle = models.ForeignKey(
        "vehicles.Vehicle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("vehicle"),
    )
    source = models.CharField(_("source"), max_length=40, blank=True)
    source_key = models.CharField(_("source key"), max_length=160, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, editable=False)
    outcome = models.TextField(_("outcome"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks_completed",
        verbose_name=_("completed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                name="task_dedupe_key_unique",
                violation_error_message=_("This rule already created this task."),
            ),
        ]
        # "My day" (one person's open tasks up to today) and the team view (a dealer's).
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"], name="task_my_day_idx"),
            models.Index(fields=["dealer", "status", "due_on"], name="task_team_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return _personal_scope(scope, "assignee")

    @staticmethod
    def dedupe_key_for(source: str, source_key: str) -> str | None:
        """The key that makes a rule's task unique; manual tasks (no source key) have none."""
        return f"{source}:{source_key}" if source and source_key else None


class Appointment(models.Model):
    """A booking in someone's calendar: an appointment, a visit, a test drive, a meeting, a call.

    It ends after it starts. A new or moved booking that overlaps its owner's other planned
    bookings, or the bookings of the same vehicle (a test-drive car), is refused unless the
    person confirms (``autocrm.activities.appointments``). ``version`` is the optimistic lock
    and the iCalendar ``SEQUENCE``, so a calendar client sees each move as an update."""

    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=AppointmentKind.choices,
        default=AppointmentKind.APPOINTMENT,
    )
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_index=False,
        on_delete=models.CASCADE,
        related_name="appointments",
        verbose_name=_("with"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments_created",
        verbose_name=_("created by"),
    )
    dealer = models.ForeignKey(
        "network.Dealer",
        db_index=False,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("dealer"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("customer"),
    )
    vehicle = models.ForeignKey(
        "vehicles.Vehicle",
        db_index=False,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("vehicle"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.PLANNED,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_start",
                violation_error_message=_("A booking must end after it starts."),
            ),
        ]
        # A person's week, feed and overlap check; a test-drive car's bookings; a dealer's
        # team. Each asks for the bookings overlapping a range (starting before its end, ending
        # after its start): ``ends_at`` comes right after the person (car, dealer), so the scan
        # skips the years of past bookings, and ``starts_at`` is checked in the index too. The
        # foreign keys have no index of their own: these (and ``task_my_day_idx``,
        # ``task_team_idx``) start with them.
        indexes = [
            models.Index(fields=["owner", "ends_at", "starts_at"], name="appointment_owner_idx"),
            models.Index(
                fields=["vehicle", "ends_at", "starts_at"], name="appointment_vehicle_idx"
            ),
            models.Index(fields=["dealer", "ends_at", "starts_at"], name="appointment_dealer_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return _personal_scope(scope, "owner")


class CalendarFeedToken(models.Model):
    """The secret in a person's calendar feed address (``/activities/calendar/<token>.ics``).
    Only its SHA-256 hash is stored, like API tokens; regenerating revokes the previous one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class ReminderRule(models.Model):
    """The settings of one reminder rule (``autocrm.activities.reminders``): whether it runs,
    the priority of its tasks, and its numbers (days, months, years; which ones a rule uses and
    their defaults are in ``reminders.rules.RULES``). One row per rule key, created with the
    defaults on first read; changed only by ``reminders.settings.reminder_rule_update`` under
    the optimistic lock (``version``)."""

    key = models.CharField(_("rule"), max_length=40, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    escalation_days = models.PositiveSmallIntegerField(
        _("days before the manager is told"), null=True, blank=True
    )
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    years = models.PositiveSmallIntegerField(_("years"), null=True, blank=True)
    # The last day the daily run looked at: the next run starts after it, so each day's
    # occurrences are read once (``reminders.windows``). Events never change it.
    covered_until = models.DateField(_("covered until"), null=True, blank=True, editable=False)
    # When that run started: records changed since then are looked at again.
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["id"]

    def __str__(self) -> str:
        from autocrm.activities.reminders.keys import RuleKey

        return str(RuleKey(self.key).label) if self.key in RuleKey.values else self.key

    def get_absolute_url(self) -> str:
        return reverse("activities:reminder_rule_list")
