from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    AREA = "area", _("Sales area")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")


# A region's parent must be of the level just above it.
PARENT_LEVEL = {RegionLevel.PROVINCE: RegionLevel.AREA, RegionLevel.CITY: RegionLevel.PROVINCE}


class DealerType(models.TextChoices):
    FULL_4S = "4s", _("4S dealer")
    SALES_ONLY = "sales", _("Sales only")
    SERVICE_ONLY = "service", _("Service only")


class DepartmentKind(models.TextChoices):
    CALL_CENTER = "call_center", _("Call center")
    TECHNICAL_SUPPORT = "technical_support", _("Technical support")
    MARKETING = "marketing", _("Marketing")
    QUALITY = "quality", _("Quality")
    IT = "it", _("Information technology")
    ANALYTICS = "analytics", _("Analytics")
