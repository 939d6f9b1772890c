from django.db import models
from django.utils.translation import gettext_lazy as _


class Powertrain(models.TextChoices):
    PETROL = "petrol", _("Petrol")
    DIESEL = "diesel", _("Diesel")
    HYBRID = "hybrid", _("Hybrid")
    PLUG_IN_HYBRID = "phev", _("Plug-in hybrid")
    ELECTRIC = "bev", _("Battery electric")


class VehicleStatus(models.TextChoices):
    IN_PRODUCTION = "in_production", _("In production")
    IN_STOCK = "in_stock", _("In the plant's stock")
    IN_TRANSIT = "in_transit", _("In transit")
    AT_DEALER = "at_dealer", _("At the dealer")
    SOLD = "sold", _("Sold")
    REGISTERED = "registered", _("Registered")
    SCRAPPED = "scrapped", _("Scrapped")


class OwnershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    DRIVER = "driver", _("Driver")
    FLEET = "fleet", _("Fleet")


class EventKind(models.TextChoices):
    BUILT = "built", _("Built")
    PAINTED = "painted", _("Painted")
    STORED = "stored", _("Stored in the warehouse")
    SHIPPED = "shipped", _("Shipped")
    ARRIVED = "arrived", _("Arrived at the dealer")
    SOLD = "sold", _("Sold")
    REGISTERED = "registered", _("Registered")
    TRANSFERRED = "transferred", _("Transferred")
    SCRAPPED = "scrapped", _("Scrapped")


# The status a vehicle moves to when an event of each kind is recorded.
STATUS_AFTER_EVENT = {
    EventKind.BUILT: VehicleStatus.IN_PRODUCTION,
    EventKind.PAINTED: VehicleStatus.IN_PRODUCTION,
    EventKind.STORED: VehicleStatus.IN_STOCK,
    EventKind.SHIPPED: VehicleStatus.IN_TRANSIT,
    EventKind.ARRIVED: VehicleStatus.AT_DEALER,
    EventKind.SOLD: VehicleStatus.SOLD,
    EventKind.REGISTERED: VehicleStatus.REGISTERED,
    EventKind.TRANSFERRED: VehicleStatus.REGISTERED,
    EventKind.SCRAPPED: VehicleStatus.SCRAPPED,
}
