"""Consolidating the data islands: import runs, the lineage of every source row, and the
identity-review queue whose decisions are remembered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autocrm.core.scoping import Scope, ScopedQuerySet
from autocrm.customers.models import customer_ids_in_scope


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    MAPPED = "mapped", _("Columns mapped")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReviewReason(models.TextChoices):
    SAME_MOBILE_OTHER_NAME = "same_mobile_other_name", _("Same mobile, different name")
    SAME_NAME_ADDRESS_OTHER_PHONE = (
        "same_name_address_other_phone",
        _("Same name and address, different phone"),
    )


class ReviewDecision(models.TextChoices):
    OPEN = "open", _("To review")
    SAME = "same", _("Same customer")
    DIFFERENT = "different", _("Different customers")


class ImportRun(models.Model):
    """One file brought in from one source system: its mapping, progress and outcome."""

    source = models.CharField(_("source"), max_length=50)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    # {source column header: target field name}; the key column names the source's row key.
    mapping = models.JSONField(_("column mapping"), default=dict)
    key_column = models.CharField(_("key column"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    customers_created = models.PositiveIntegerField(_("customers created"), default=0)
    customers_matched = models.PositiveIntegerField(_("customers matched"), default=0)
    vehicles_created = models.PositiveIntegerField(_("vehicles created"), default=0)
    vehicles_matched = models.PositiveIntegerField(_("vehicles matched"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    rows_failed = models.PositiveIntegerField(_("rows failed"), default=0)
    rows_for_review = models.PositiveIntegerField(_("rows for review"), default=0)
    error_report = models.FileField(_("error report"), upload_to="imports/errors/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source}: {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("imports:import_detail", args=[self.pk])

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        # Imports consolidate the whole customer base: a headquarters task.
        return Q(pk__in=[])


class SourceRecord(models.Model):
    """Lineage: the row ``key`` of source system ``source`` became this customer and vehicle."""

    source = models.CharField(_("source"), max_length=50)
    key = models.CharField(_("key"), max_length=100)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_records",
    )
    vehicle = models.ForeignKey(
        "vehicles.Vehicle",
        verbose_name=_("vehicle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_records",
    )
    # A digest of the row's mapped values: an unchanged row on re-import is skipped.
    row_hash = models.CharField(max_length=64)
    run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        # The customer foreign key has its own index: a second one on the same column only
        # doubled the cost of writing lineage.
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="source_record_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.key}"

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return Q(customer_id__in=customer_ids_in_scope(scope))


class IdentityReview(models.Model):
    """A pair that may be one customer: the incoming ``candidate`` and the ``existing`` one.

    ``fingerprint`` identifies the incoming identity (folded name, mobile, address); with
    ``existing`` it is unique, so a decision made once is found again and never asked twice.
    """

    fingerprint = models.CharField(max_length=64)
    existing = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("existing customer"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    candidate = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("new customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    incoming = models.JSONField(_("incoming data"), default=dict)
    reason = models.CharField(_("reason"), max_length=40, choices=ReviewReason.choices)
    source_record = models.ForeignKey(
        SourceRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(
        _("decision"), max_length=16, choices=ReviewDecision.choices, default=ReviewDecision.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("identity review")
        verbose_name_plural = _("identity reviews")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint", "existing"], name="identity_review_pair_unique"
            )
        ]
        indexes = [models.Index(fields=["decision", "id"], name="identity_review_queue_idx")]

    def __str__(self) -> str:
        return f"{self.fingerprint[:8]} ~ {self.existing_id}: {self.decision}"

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return Q(pk__in=[])
