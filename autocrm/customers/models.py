"""The customer record: people and companies, their contact points, consents, relationships and
the dealers they belong to.

Scoping: a customer belongs to the dealers it is linked to (sold by, serviced by, assigned to);
dealer staff see the customers linked to their dealer, region managers those linked to a dealer
in their region, headquarters everyone. Records hanging off a customer follow the customer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autocrm.core.scoping import Scope, ScopedQuerySet
from autocrm.customers.choices import (
    CompanySize,
    ConsentChannel,
    ConsentPurpose,
    ContactKind,
    ContactLabel,
    CustomerKind,
    CustomerStatus,
    DealerRelation,
    Education,
    Gender,
    IncomeBand,
    InterestLevel,
    MaritalStatus,
    PurchaseType,
    RelationshipKind,
    TimeOfDay,
)


def customer_ids_in_scope(scope: Scope) -> models.QuerySet[Any, Any]:
    """The ids of the customers ``scope`` may see (scope is not "everything"): a subquery."""
    links = CustomerDealer.objects.all()
    if scope.region_path:
        links = links.filter(dealer__region__path__startswith=scope.region_path)
    else:
        links = links.filter(dealer_id=scope.dealer_id or 0)
    return links.values("customer_id")


class CustomerOwnedScope:
    """Mixin for records that belong to one customer: they are visible with that customer."""

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return Q(customer_id__in=customer_ids_in_scope(scope))


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A person or a company the OEM and its dealers have a relationship with."""

    number = models.CharField(_("customer number"), max_length=20, unique=True, null=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.INDIVIDUAL
    )
    name = models.CharField(_("name"), max_length=200)
    # Maintained by the services: the name as compared (width folded, simplified, no spaces)
    # and its pinyin initials (张三丰 -> zsf), both indexed for search and matching.
    # Searched by equality and by prefix: one pattern-ops index each (Meta) serves both.
    name_folded = models.CharField(max_length=200, editable=False, default="")
    name_initials = models.CharField(max_length=32, editable=False, default="")
    status = models.CharField(
        _("status"), max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT
    )
    purchase_type = models.CharField(
        _("private or corporate"),
        max_length=16,
        choices=PurchaseType.choices,
        default=PurchaseType.PRIVATE,
    )
    interest_level = models.CharField(
        _("interest level"), max_length=8, choices=InterestLevel.choices, blank=True
    )
    owner_club_member = models.BooleanField(_("owner club member"), default=False)
    owner_club_since = models.DateField(_("owner club member since"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_customers",
        db_index=False,  # customer_manager_idx (manager, id) serves it
    )
    city = models.ForeignKey(
        "network.Region",
        verbose_name=_("city"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # customer_city_idx: most customers have none
    )

    # People (DOMAIN.md 1: personal information).
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    marital_status = models.CharField(
        _("marital status"), max_length=16, choices=MaritalStatus.choices, blank=True
    )
    household_size = models.PositiveSmallIntegerField(_("household size"), null=True, blank=True)
    family_notes = models.CharField(_("family"), max_length=255, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    nationality = models.CharField(_("nationality"), max_length=50, blank=True)
    education = models.CharField(
        _("education"), max_length=16, choices=Education.choices, blank=True
    )
    income_band = models.CharField(
        _("income band"), max_length=16, choices=IncomeBand.choices, blank=True
    )
    hobbies = models.CharField(_("hobbies"), max_length=255, blank=True)
    lifestyle = models.CharField(_("lifestyle"), max_length=255, blank=True)
    # The resident ID number never sits in the database in clear: encrypted, a keyed hash for
    # exact search, and the masked form for display (see customers.identifiers).
    id_number_encrypted = models.TextField(editable=False, blank=True, default="")
    id_number_hash = models.CharField(
        max_length=64, editable=False, blank=True, default="", db_index=True
    )
    id_number_masked = models.CharField(
        _("ID number"), max_length=18, editable=False, blank=True, default=""
    )

    # Companies.
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    company_size = models.CharField(
        _("company size"), max_length=16, choices=CompanySize.choices, blank=True
    )

    # Contact preferences (consents per channel and purpose are in Consent).
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=ConsentChannel.choices, blank=True
    )
    preferred_time = models.CharField(
        _("preferred time of day"), max_length=16, choices=TimeOfDay.choices, default="any"
    )
    max_contacts_per_month = models.PositiveSmallIntegerField(
        _("maximum contacts per month"), null=True, blank=True
    )

    notes = models.TextField(_("notes"), blank=True)
    # A customer merged into another stays, inactive, pointing at the survivor, so old links
    # (source records, bookmarks) still lead somewhere.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,  # customer_merged_into_idx: only merged customers have one
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["number"]
        indexes = [
            models.Index(fields=["manager", "id"], name="customer_manager_idx"),
            models.Index(fields=["status", "id"], name="customer_status_idx"),
            # Pattern operators: the index answers LIKE 'prefix%' whatever the database's
            # collation, and equality too (a second, plain index would double every insert).
            models.Index(
                fields=["name_folded"],
                name="customer_name_folded_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_initials"],
                name="customer_name_initials_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            # Partial: an index entry for each of a million NULLs is written and never read.
            models.Index(
                fields=["merged_into"],
                name="customer_merged_into_idx",
                condition=Q(merged_into__isnull=False),
            ),
            models.Index(
                fields=["city"], name="customer_city_idx", condition=Q(city__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})" if self.number else self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.pk])

    @property
    def is_company(self) -> bool:
        return self.kind == CustomerKind.COMPANY

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return Q(pk__in=customer_ids_in_scope(scope))


class CustomerDealer(models.Model):
    """A customer's link to a dealer: who sold to them, who services them, who is assigned."""

    # The unique (customer, dealer, relation) and customer_dealer_scope_idx (dealer, customer)
    # serve each column.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="dealer_links",
        verbose_name=_("customer"),
        db_index=False,
    )
    dealer = models.ForeignKey(
        "network.Dealer",
        on_delete=models.CASCADE,
        related_name="customer_links",
        verbose_name=_("dealer"),
        db_index=False,
    )
    relation = models.CharField(_("relation"), max_length=16, choices=DealerRelation.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer's dealer")
        verbose_name_plural = _("customer's dealers")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "dealer", "relation"], name="customer_dealer_relation_unique"
            )
        ]
        # The scoping subquery reads (dealer -> customer ids) from this index alone.
        indexes = [models.Index(fields=["dealer", "customer"], name="customer_dealer_scope_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.relation} {self.dealer_id}"

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return Q(customer_id__in=customer_ids_in_scope(scope))


class CustomerRelationship(CustomerOwnedScope, models.Model):
    """``customer`` is related to ``other``: e.g. other is a household member of customer, a
    contact person of the company customer (with role and department), or referred customer."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="relationships", verbose_name=_("customer")
    )
    other = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="reverse_relationships",
        verbose_name=_("related customer"),
    )
    kind = models.CharField(_("relationship"), max_length=24, choices=RelationshipKind.choices)
    role = models.CharField(_("role"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "other", "kind"], name="customer_relationship_unique"
            ),
            models.CheckConstraint(
                condition=~Q(customer=models.F("other")),
                name="customer_relationship_not_self",
                violation_error_message=_("A customer cannot be related to themselves."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.other_id}"


class ContactPoint(CustomerOwnedScope, models.Model):
    """A phone, e-mail, postal address or other handle: as entered, and normalised (phones in
    E.164) for matching and search."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="contact_points",
        verbose_name=_("customer"),
        db_index=False,  # contact_point_unique (customer, kind, normalised) serves it
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    label = models.CharField(
        _("label"), max_length=16, choices=ContactLabel.choices, default=ContactLabel.OTHER
    )
    value = models.CharField(_("as entered"), max_length=255)
    normalised = models.CharField(_("normalised"), max_length=255, editable=False)
    is_primary = models.BooleanField(_("primary"), default=False)
    is_mobile = models.BooleanField(_("mobile"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["kind", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind", "normalised"], name="contact_point_unique"
            ),
            models.UniqueConstraint(
                fields=["customer", "kind"],
                condition=Q(is_primary=True),
                name="contact_point_one_primary_per_kind",
            ),
        ]
        # Screen pop: (kind, normalised) -> customer ids, one index probe.
        indexes = [
            models.Index(fields=["kind", "normalised", "customer"], name="contact_point_lookup_idx")
        ]

    def __str__(self) -> str:
        return self.value


class Consent(CustomerOwnedScope, models.Model):
    """The current answer for one channel and purpose; every change is kept in ConsentChange."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="consents", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=ConsentChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"))
    changed_at = models.DateTimeField(_("changed at"))
    source = models.CharField(_("source"), max_length=100)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["channel", "purpose"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "channel", "purpose"], name="consent_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.purpose}: {self.granted}"


class ConsentChange(CustomerOwnedScope, models.Model):
    """One grant or withdrawal, as it happened (append-only)."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="consent_changes",
        verbose_name=_("customer"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=ConsentChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"))
    changed_at = models.DateTimeField(_("changed at"))
    source = models.CharField(_("source"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["customer", "-changed_at"], name="consent_change_idx")]

    def __str__(self) -> str:
        return f"{self.channel}/{self.purpose}: {self.granted} @ {self.changed_at}"


class CustomerMerge(models.Model):
    """One merge: which customers were folded into the survivor, what each looked like before,
    and how many related records moved (per relation)."""

    survivor = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="merges", verbose_name=_("survivor")
    )
    merged_customer_ids = models.JSONField(_("merged customers"), default=list)
    snapshots = models.JSONField(default=list)
    moved = models.JSONField(default=dict)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_customer_ids} -> {self.survivor_id}"

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return Q(survivor_id__in=customer_ids_in_scope(scope))
