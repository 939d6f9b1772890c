"""May we contact this customer on channel C for purpose P now? The one answer every feature
(calls, campaigns, reminders, recall notices) must ask for, one customer at a time
(``may_contact``) or for a whole queryset (``contactable``). Both apply the same rules, in order:

1. An inactive customer (merged into another) is never contacted.
2. An explicit withdrawal for the channel and purpose is honoured, whatever the purpose.
3. Marketing needs an explicit grant (opt-in); service and safety notices are allowed unless
   withdrawn.
4. There must be somewhere to send it: a phone number for calls, a mobile for SMS, an e-mail
   address, a postal address, a WeChat handle.
5. The customer's maximum contacts per month counts this calendar month's outbound interactions
   (outbound calls, e-mails, SMS, letters, WeChat messages; in the server's time zone), up to
   ``at``; when reached, no more contacts this month.
6. Outside the customer's preferred time of day a phone call is not allowed "now"
   (morning 9-12, afternoon 12-18, evening 18-21, local time); other channels are not
   interrupting and may be sent at any time.
7. Safety notices (recalls) skip rules 5 and 6: a safety notice is never postponed.

The decision carries a stable ``code`` and a translated ``reason`` for people.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.activities.models import Interaction
from autocrm.customers.choices import ConsentChannel, ConsentPurpose, ContactKind, TimeOfDay
from autocrm.customers.models import Consent, ContactPoint, Customer

# Interactions that count against the monthly maximum: the ones we started.
OUTBOUND_CHANNELS = ("outbound_call", "email", "sms", "letter", "wechat")
# Local hours [start, end) of each preferred time of day.
TIME_WINDOWS = {
    TimeOfDay.MORNING: (9, 12),
    TimeOfDay.AFTERNOON: (12, 18),
    TimeOfDay.EVENING: (18, 21),
}
# The contact point a channel needs (SMS also needs it to be a mobile).
CHANNEL_CONTACT_KIND = {
    ConsentChannel.PHONE: ContactKind.PHONE,
    ConsentChannel.SMS: ContactKind.PHONE,
    ConsentChannel.EMAIL: ContactKind.EMAIL,
    ConsentChannel.POST: ContactKind.ADDRESS,
    ConsentChannel.WECHAT: ContactKind.WECHAT,
}


@dataclass(frozen=True)
class ContactDecision:
    allowed: bool
    code: str
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


@dataclass
class _Facts:
    """What the rules need about one customer, read once for any number of questions."""

    consents: dict[tuple[str, str], Consent] = field(default_factory=dict)
    contact_kinds: set[str] = field(default_factory=set)
    has_mobile: bool = False
    contacts_this_month: int = 0


def _check(channel: str, purpose: str) -> None:
    if channel not in ConsentChannel.values or purpose not in ConsentPurpose.values:
        raise ValueError(f"unknown channel or purpose: {channel!r}, {purpose!r}")


def month_start(at: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(at)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def in_preferred_time(preferred_time: str, at: datetime.datetime) -> bool:
    window = TIME_WINDOWS.get(preferred_time)  # type: ignore[call-overload]
    if window is None:
        return True
    hour = timezone.localtime(at).hour
    return bool(window[0] <= hour < window[1])


def _facts(customer: Customer, at: datetime.datetime) -> _Facts:
    facts = _Facts()
    facts.consents = {(c.channel, c.purpose): c for c in Consent.objects.filter(customer=customer)}
    for kind, mobile in ContactPoint.objects.filter(customer=customer).values_list(
        "kind", "is_mobile"
    ):
        facts.contact_kinds.add(kind)
        facts.has_mobile = facts.has_mobile or mobile
    if customer.max_contacts_per_month is not None:
        facts.contacts_this_month = Interaction.objects.filter(
            customer=customer,
            channel__in=OUTBOUND_CHANNELS,
            occurred_at__gte=month_start(at),
            occurred_at__lte=at,
        ).count()
    return facts


def _decide(
    customer: Customer, channel: str, purpose: str, at: datetime.datetime, facts: _Facts
) -> ContactDecision:
    labels = {"channel": ConsentChannel(channel).label, "purpose": ConsentPurpose(purpose).label}
    if not customer.is_active:
        return ContactDecision(False, "inactive", _("This customer was merged into another."))
    consent = facts.consents.get((channel, purpose))
    if consent is not None and not consent.granted:
        when = timezone.localtime(consent.changed_at).date().isoformat()
        return ContactDecision(
            False,
            "withdrawn",
            _("The customer withdrew consent to %(purpose)s on %(channel)s on %(date)s.")
            % {**labels, "date": when},
        )
    if purpose == ConsentPurpose.MARKETING and consent is None:
        return ContactDecision(
            False,
            "no_opt_in",
            _("Marketing on %(channel)s needs the customer's consent, which was never given.")
            % labels,
        )
    kind = CHANNEL_CONTACT_KIND[ConsentChannel(channel)]
    reachable = facts.has_mobile if channel == ConsentChannel.SMS else kind in facts.contact_kinds
    if not reachable:
        return ContactDecision(
            False, "no_contact_point", _("The customer has no contact for %(channel)s.") % labels
        )
    if purpose != ConsentPurpose.SAFETY:
        cap = customer.max_contacts_per_month
        if cap is not None and facts.contacts_this_month >= cap:
            return ContactDecision(
                False,
                "monthly_cap",
                _(
                    "The customer was already contacted %(count)s times this month "
                    "(maximum %(cap)s)."
                )
                % {"count": facts.contacts_this_month, "cap": cap},
            )
        if channel == ConsentChannel.PHONE and not in_preferred_time(customer.preferred_time, at):
            return ContactDecision(
                False,
                "outside_preferred_time",
                _("The customer prefers calls in the %(time)s.")
                % {"time": TimeOfDay(customer.preferred_time).label},
            )
    if consent is not None:
        return ContactDecision(True, "granted", _("The customer consented to this."))
    return ContactDecision(True, "not_withdrawn", _("Allowed: the customer has not objected."))


def may_contact(
    customer: Customer, channel: str, purpose: str, at: datetime.datetime | None = None
) -> ContactDecision:
    """Whether ``customer`` may be contacted on ``channel`` for ``purpose`` at ``at`` (now)."""
    _check(channel, purpose)
    at = at or timezone.now()
    return _decide(customer, channel, purpose, at, _facts(customer, at))


def contact_matrix(
    customer: Customer, at: datetime.datetime | None = None
) -> dict[tuple[str, str], ContactDecision]:
    """Every channel and purpose at once, for the customer page (three queries in all)."""
    at = at or timezone.now()
    facts = _facts(customer, at)
    return {
        (channel, purpose): _decide(customer, channel, purpose, at, facts)
        for channel in ConsentChannel.values
        for purpose in ConsentPurpose.values
    }


def contactable(
    queryset: QuerySet[Customer],
    channel: str,
    purpose: str,
    at: datetime.datetime | None = None,
) -> QuerySet[Customer]:
    """The customers of ``queryset`` that ``may_contact`` would allow, in one SQL query."""
    _check(channel, purpose)
    at = at or timezone.now()
    consents = Consent.objects.filter(customer=OuterRef("pk"), channel=channel, purpose=purpose)
    queryset = queryset.filter(is_active=True).exclude(Exists(consents.filter(granted=False)))
    if purpose == ConsentPurpose.MARKETING:
        queryset = queryset.filter(Exists(consents.filter(granted=True)))
    contacts = ContactPoint.objects.filter(
        customer=OuterRef("pk"), kind=CHANNEL_CONTACT_KIND[ConsentChannel(channel)]
    )
    if channel == ConsentChannel.SMS:
        contacts = contacts.filter(is_mobile=True)
    queryset = queryset.filter(Exists(contacts))
    if purpose == ConsentPurpose.SAFETY:
        return queryset
    contacted = (
        Interaction.objects.filter(
            customer=OuterRef("pk"),
            channel__in=OUTBOUND_CHANNELS,
            occurred_at__gte=month_start(at),
            occurred_at__lte=at,
        )
        .order_by()
        .values("customer")
        .annotate(count=Count("pk"))
        .values("count")
    )
    queryset = queryset.annotate(
        contacts_this_month=Coalesce(Subquery(contacted, output_field=IntegerField()), Value(0))
    ).filter(
        Q(max_contacts_per_month__isnull=True)
        | Q(max_contacts_per_month__gt=F("contacts_this_month"))
    )
    if channel == ConsentChannel.PHONE:
        allowed_times = [TimeOfDay.ANY] + [
            time for time in TIME_WINDOWS if in_preferred_time(time, at)
        ]
        queryset = queryset.filter(preferred_time__in=allowed_times)
    return queryset
