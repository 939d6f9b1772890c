"""Which customers a reminder may be about, by consent, as a condition on a queryset.

The rules of ``autocrm.customers.consent.may_contact`` that hold whatever the moment (1-4: an
active customer; no withdrawal for the channel and purpose; marketing needs an opt-in; a contact
point for the channel) decide whether a task to contact the customer is created: a customer
qualifies when at least one channel passes them. The rules of the moment (5: this month's cap,
6: the preferred time of day) are left to the person doing the task, who asks ``may_contact``
when they call; a task due next week must not depend on the hour the daily run started.
``tests/activities/reminders/test_consent.py`` checks this against ``may_contact`` on a matrix
of cases.
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, CharField, Exists, OuterRef, Q, Value, When

from autocrm.customers.choices import ConsentChannel, ConsentPurpose, ContactKind
from autocrm.customers.consent import CHANNEL_CONTACT_KIND
from autocrm.customers.models import Consent, ContactPoint, Customer

# may_contact's decision codes that depend on the moment, not on the customer's standing wishes.
MOMENT_CODES = frozenset({"monthly_cap", "outside_preferred_time"})


def _customer_ref(customer_path: str) -> OuterRef:
    return OuterRef(f"{customer_path}_id" if customer_path else "pk")


def _marketing_opt_in(customer_path: str) -> Q:
    """An opt-in (a granted marketing consent: its channel is not withdrawn) on a channel the
    customer has a contact point for: one correlated probe of the customer's consents, each
    checked against their contact points. The SMS channel needs a mobile: ``is_mobile`` must
    be at least the consent's ``mobile_needed`` (true for SMS, false otherwise)."""
    opt_ins = Consent.objects.filter(
        customer_id=_customer_ref(customer_path), purpose=ConsentPurpose.MARKETING, granted=True
    ).annotate(
        contact_kind=Case(
            *[
                When(channel=channel, then=Value(str(kind)))
                for channel, kind in CHANNEL_CONTACT_KIND.items()
            ],
            output_field=CharField(),
        ),
        mobile_needed=Case(
            When(channel=ConsentChannel.SMS, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
    usable = ContactPoint.objects.filter(
        customer_id=OuterRef("customer_id"),
        kind=OuterRef("contact_kind"),
        is_mobile__gte=OuterRef("mobile_needed"),
    )
    return Q(Exists(opt_ins.filter(Exists(usable))))


def _not_withdrawn_somewhere(purpose: str, customer_path: str) -> Q:
    """A contact point whose channel (a phone: the phone, or SMS when it is a mobile) the
    customer has not withdrawn ``purpose`` from: one correlated probe of their contact points."""
    withdrawn = Consent.objects.filter(
        customer_id=OuterRef("customer_id"), purpose=purpose, granted=False
    )
    channel_of_kind = {
        kind: channel
        for channel, kind in CHANNEL_CONTACT_KIND.items()
        if channel != ConsentChannel.SMS
    }
    contacts = ContactPoint.objects.filter(
        customer_id=_customer_ref(customer_path), kind__in=list(channel_of_kind)
    ).annotate(
        channel=Case(
            *[
                When(kind=kind, then=Value(str(channel)))
                for kind, channel in channel_of_kind.items()
            ],
            output_field=CharField(),
        )
    )
    open_channel = ~Q(Exists(withdrawn.filter(channel=OuterRef("channel")))) | Q(
        Q(kind=ContactKind.PHONE, is_mobile=True)
        & ~Q(Exists(withdrawn.filter(channel=ConsentChannel.SMS)))
    )
    return Q(Exists(contacts.filter(open_channel)))


def reachable_for(purpose: str, customer_path: str = "") -> Q:
    """A condition on a queryset whose rows are customers (``customer_path=""``) or point to
    one (``customer_path="customer"``): the customer is active and some channel passes the
    standing consent rules for ``purpose``."""
    if purpose not in ConsentPurpose.values:
        raise ValueError(f"unknown purpose: {purpose!r}")
    # Rows pointing to a customer probe it by key rather than join it: a join makes
    # PostgreSQL hash the whole customer table and check these conditions twice.
    if customer_path:
        active = Q(Exists(Customer.objects.filter(pk=_customer_ref(customer_path), is_active=True)))
    else:
        active = Q(is_active=True)
    if purpose == ConsentPurpose.MARKETING:
        return active & _marketing_opt_in(customer_path)
    return active & _not_withdrawn_somewhere(purpose, customer_path)
