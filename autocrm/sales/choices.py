"""The sales app's choices: where leads come from, how soon they buy, how they are qualified."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadSource(models.TextChoices):
    CALL_CENTER = "call_center", _("Call center")
    WEBSITE = "website", _("Website form")
    AUTO_SHOW = "auto_show", _("Auto show")
    EVENT = "event", _("Event")
    REFERRAL = "referral", _("Referral")
    WALK_IN = "walk_in", _("Walk-in")
    CAMPAIGN = "campaign", _("Campaign")
    PURCHASED_LIST = "purchased_list", _("Purchased list")


# Leads headquarters collects; they are routed to a dealer by the lead's city (routing.py).
HQ_SOURCES = frozenset({LeadSource.CALL_CENTER, LeadSource.WEBSITE})


class PurchaseTimeframe(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    WITHIN_3_MONTHS = "3_months", _("Within 3 months")
    WITHIN_6_MONTHS = "6_months", _("Within 6 months")
    WITHIN_1_YEAR = "1_year", _("Within 1 year")


class Qualification(models.TextChoices):
    """One MAN criterion (money, authority, need)."""

    UNKNOWN = "unknown", _("Unknown")
    YES = "yes", _("Yes")
    NO = "no", _("No")


class LeadGrade(models.TextChoices):
    A = "A", _("A (review daily)")
    B = "B", _("B (review weekly)")
    C = "C", _("C (review monthly)")


# The grade a new lead gets from its timeframe when none is given.
GRADE_OF_TIMEFRAME = {
    PurchaseTimeframe.IMMEDIATELY: LeadGrade.A,
    PurchaseTimeframe.WITHIN_3_MONTHS: LeadGrade.B,
    PurchaseTimeframe.WITHIN_6_MONTHS: LeadGrade.C,
    PurchaseTimeframe.WITHIN_1_YEAR: LeadGrade.C,
}


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    LOST = "lost", _("Lost")


OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)
# The steps a lead may take by an edit; "lost" only through an approved loss request.
NEXT_STATUSES = {
    LeadStatus.NEW: (LeadStatus.CONTACTED,),
    LeadStatus.CONTACTED: (LeadStatus.QUALIFIED,),
    LeadStatus.QUALIFIED: (LeadStatus.CONVERTED,),
    LeadStatus.CONVERTED: (),
    LeadStatus.LOST: (),
}


class LossDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AssignmentRule(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin over the salespeople")
    MANUAL = "manual", _("Manual: the dealer manager assigns")


class OpportunityStage(models.TextChoices):
    NEED_ANALYSIS = "need_analysis", _("Need analysis")
    TEST_DRIVE = "test_drive", _("Test drive")
    NEGOTIATION = "negotiation", _("Negotiation")
    ORDER = "order", _("Order")
    DELIVERY = "delivery", _("Delivery")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


# The open stages in their order: the kanban's columns. "won" follows "delivery" only.
OPEN_STAGES = (
    OpportunityStage.NEED_ANALYSIS,
    OpportunityStage.TEST_DRIVE,
    OpportunityStage.NEGOTIATION,
    OpportunityStage.ORDER,
    OpportunityStage.DELIVERY,
)
STAGE_SEQUENCE = (*OPEN_STAGES, OpportunityStage.WON)
CLOSED_STAGES = (OpportunityStage.WON, OpportunityStage.LOST)
# The probability (per cent) an opportunity gets on entering a stage; the salesperson may
# change it afterwards.
DEFAULT_PROBABILITY = {
    OpportunityStage.NEED_ANALYSIS: 10,
    OpportunityStage.TEST_DRIVE: 25,
    OpportunityStage.NEGOTIATION: 50,
    OpportunityStage.ORDER: 80,
    OpportunityStage.DELIVERY: 95,
    OpportunityStage.WON: 100,
    OpportunityStage.LOST: 0,
}


class ForecastGrouping(models.TextChoices):
    SALESPERSON = "salesperson", _("Salesperson")
    DEALER = "dealer", _("Dealer")
    REGION = "region", _("Region")


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class QuoteLineKind(models.TextChoices):
    VEHICLE = "vehicle", _("Vehicle configuration")
    OPTION = "option", _("Option")
    ACCESSORY = "accessory", _("Accessory")
    WARRANTY = "warranty", _("Extended warranty")
    INSURANCE = "insurance", _("Insurance")
    DISCOUNT = "discount", _("Discount")
