from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    CALL_CENTER_AGENT = "call_center_agent", _("Call-center agent")
    TECHNICAL_SUPPORT = "technical_support", _("Technical-support engineer")
    MARKETING = "marketing", _("Marketing")
    QUALITY_MANAGER = "quality_manager", _("Quality / recall manager")
    ANALYST = "analyst", _("Analyst")
    REGION_MANAGER = "region_manager", _("Region manager")
    DEALER_MANAGER = "dealer_manager", _("Dealer manager")
    SALESPERSON = "salesperson", _("Dealer salesperson")
    SERVICE_ADVISOR = "service_advisor", _("Service advisor")


class Membership(models.TextChoices):
    """Where in the organisation a role sits, which decides what its users may see."""

    HQ = "hq", _("Headquarters")
    REGION = "region", _("Region")
    DEALER = "dealer", _("Dealer")


HQ_ROLES = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.CALL_CENTER_AGENT,
        Role.TECHNICAL_SUPPORT,
        Role.MARKETING,
        Role.QUALITY_MANAGER,
        Role.ANALYST,
    }
)
REGION_ROLES = frozenset({Role.REGION_MANAGER})
DEALER_ROLES = frozenset({Role.DEALER_MANAGER, Role.SALESPERSON, Role.SERVICE_ADVISOR})

# Roles that may read personal identifiers (ID numbers) in full; every full read is audited.
ROLES_SEEING_FULL_IDENTIFIERS = frozenset(
    {Role.ADMINISTRATOR, Role.CALL_CENTER_AGENT, Role.QUALITY_MANAGER}
)
# Roles that may create and edit the dealer network.
ROLES_MANAGING_NETWORK = frozenset({Role.ADMINISTRATOR})
# Roles that may create, edit and deactivate any user.
ROLES_MANAGING_USERS = frozenset({Role.ADMINISTRATOR})
# A dealer manager manages the users of their own dealer, and may give them only these roles.
ROLES_A_DEALER_MANAGER_ASSIGNS = frozenset({Role.SALESPERSON, Role.SERVICE_ADVISOR})


def membership_of(role: str) -> Membership:
    if role in HQ_ROLES:
        return Membership.HQ
    if role in REGION_ROLES:
        return Membership.REGION
    return Membership.DEALER
