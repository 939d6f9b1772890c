"""Writes to leads and their routing. Every service is atomic, checks the actor's role,
validates before saving and writes the audit trail. Scope is the caller's job: views and the
API fetch the lead with ``access_object`` (through ``sales.selectors.leads_visible``) first.

``actor`` ``None`` is the system (the public web form, seeding)."""

from autocrm.sales.services.assignment import (
    dealer_rule_set,
    lead_loss_decide,
    lead_loss_request,
    lead_reassign,
    territory_add,
    territory_remove,
)
from autocrm.sales.services.leads import (
    CREATE_FIELDS,
    EDITABLE_FIELDS,
    check_status_step,
    lead_create,
    lead_update,
)

__all__ = [
    "CREATE_FIELDS",
    "EDITABLE_FIELDS",
    "check_status_step",
    "dealer_rule_set",
    "lead_create",
    "lead_loss_decide",
    "lead_loss_request",
    "lead_reassign",
    "lead_update",
    "territory_add",
    "territory_remove",
]
