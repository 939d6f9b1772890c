"""Users, their role and their place in the dealer network, and their API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autocrm.accounts.choices import (
    ROLES_MANAGING_NETWORK,
    ROLES_MANAGING_USERS,
    ROLES_SEEING_FULL_IDENTIFIERS,
    Membership,
    Role,
    membership_of,
)
from autocrm.core.scoping import Scope


class User(AbstractUser):
    """A person who logs in. The role decides what they may do; the membership (HQ department,
    region or dealer) decides which records they may see (see ``autocrm.core.scoping``)."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    hq_department = models.ForeignKey(
        "network.HQDepartment",
        verbose_name=_("HQ department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    region = models.ForeignKey(
        "network.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    dealer = models.ForeignKey(
        "network.Dealer",
        verbose_name=_("dealer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    objects: UserManager[User] = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        """A region manager sees the staff of the dealers in their region's subtree, and
        themselves; dealer staff see the users of their own dealer."""
        if scope.region_path:
            return Q(dealer__region__path__startswith=scope.region_path) | Q(pk=scope.user_id)
        return Q(dealer_id=scope.dealer_id)

    @property
    def membership(self) -> Membership:
        return membership_of(self.role)

    @property
    def may_see_full_identifiers(self) -> bool:
        return self.role in ROLES_SEEING_FULL_IDENTIFIERS

    @property
    def may_manage_network(self) -> bool:
        return self.is_superuser or self.role in ROLES_MANAGING_NETWORK

    @property
    def may_manage_users(self) -> bool:
        """Whether the user may create users at all: administrators manage every user, a dealer
        manager the salespeople and service advisors of their own dealer
        (``autocrm.accounts.services.may_manage_user`` decides for one user)."""
        return self.may_manage_every_user or (
            self.role == Role.DEALER_MANAGER and self.dealer_id is not None
        )

    @property
    def may_manage_every_user(self) -> bool:
        return self.is_superuser or self.role in ROLES_MANAGING_USERS

    def clean(self) -> None:
        super().clean()
        if not self.role:
            return
        membership = self.membership
        errors = {}
        if membership == Membership.REGION and self.region_id is None:
            errors["region"] = _("A region manager must belong to a region.")
        if membership == Membership.DEALER and self.dealer_id is None:
            errors["dealer"] = _("Dealer staff must belong to a dealer.")
        if membership != Membership.REGION and self.region_id is not None:
            errors["region"] = _("Only region managers belong to a region.")
        if membership != Membership.DEALER and self.dealer_id is not None:
            errors["dealer"] = _("Only dealer staff belong to a dealer.")
        if membership != Membership.HQ and self.hq_department_id is not None:
            errors["hq_department"] = _("Only headquarters staff belong to an HQ department.")
        if errors:
            raise ValidationError(errors)


def authenticated_user(request: HttpRequest) -> User:
    """The logged-in user of a request that authentication has already let through."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 hash is stored; the token itself is shown once."""

    PREFIX = "acrm_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("token starts with"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
