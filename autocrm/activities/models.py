"""Interactions: every touchpoint with a customer, on every channel, in one timeline.

Scoping: an interaction is visible with its customer, so the dealer, the call center and the
region see the same history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autocrm.activities.choices import InteractionChannel, InteractionOutcome
from autocrm.core.scoping import ScopedQuerySet
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
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        """An interaction is shown on its customer's page, in the timeline."""
        return reverse("customers:customer_detail", args=[self.customer_id])
