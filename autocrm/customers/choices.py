from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COMPANY = "company", _("Company")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    OWNER = "owner", _("Owner")
    FORMER_OWNER = "former_owner", _("Former owner")


class PurchaseType(models.TextChoices):
    PRIVATE = "private", _("Private")
    CORPORATE = "corporate", _("Corporate")


class InterestLevel(models.TextChoices):
    HOT = "hot", _("Hot")
    WARM = "warm", _("Warm")
    COLD = "cold", _("Cold")
    NONE = "none", _("No interest")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


class Education(models.TextChoices):
    SECONDARY = "secondary", _("Secondary school or below")
    VOCATIONAL = "vocational", _("Vocational college")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


class IncomeBand(models.TextChoices):
    """Monthly household income in yuan."""

    UNDER_10K = "under_10k", _("Under ¥10,000")
    FROM_10K = "10k_20k", _("¥10,000 - 20,000")
    FROM_20K = "20k_50k", _("¥20,000 - 50,000")
    FROM_50K = "50k_100k", _("¥50,000 - 100,000")
    OVER_100K = "over_100k", _("Over ¥100,000")


class CompanySize(models.TextChoices):
    MICRO = "micro", _("Under 10 employees")
    SMALL = "small", _("10 - 99 employees")
    MEDIUM = "medium", _("100 - 999 employees")
    LARGE = "large", _("1,000 employees or more")


class DealerRelation(models.TextChoices):
    SOLD_BY = "sold_by", _("Sold by")
    SERVICED_BY = "serviced_by", _("Serviced by")
    ASSIGNED_TO = "assigned_to", _("Assigned to")


class RelationshipKind(models.TextChoices):
    HOUSEHOLD_MEMBER = "household_member", _("Household member")
    COMPANY_CONTACT = "company_contact", _("Company contact")
    REFERRED_BY = "referred_by", _("Referred by")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    ADDRESS = "address", _("Postal address")
    WECHAT = "wechat", _("WeChat")
    OTHER = "other", _("Other")


class ContactLabel(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    HOME = "home", _("Home")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")


class ConsentChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")
    WECHAT = "wechat", _("WeChat")


class ConsentPurpose(models.TextChoices):
    MARKETING = "marketing", _("Marketing")
    SERVICE = "service", _("Service")
    SAFETY = "safety", _("Safety notices")


class TimeOfDay(models.TextChoices):
    ANY = "any", _("Any time")
    MORNING = "morning", _("Morning (9:00 - 12:00)")
    AFTERNOON = "afternoon", _("Afternoon (12:00 - 18:00)")
    EVENING = "evening", _("Evening (18:00 - 21:00)")
