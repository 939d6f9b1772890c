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
from autocrm.sales.services.opportunities import (
    OPPORTUNITY_FIELDS,
    allowed_stages,
    lead_convert,
    opportunity_change_stage,
    opportunity_create,
    opportunity_update,
)
from autocrm.sales.services.quotes import (
    line_amounts,
    quote_accept,
    quote_create,
    quote_reject,
    quote_revise,
    quote_send,
)

__all__ = [
    "CREATE_FIELDS",
    "EDITABLE_FIELDS",
    "OPPORTUNITY_FIELDS",
    "allowed_stages",
    "check_status_step",
    "dealer_rule_set",
    "lead_convert",
    "lead_create",
    "lead_loss_decide",
    "lead_loss_request",
    "lead_reassign",
    "lead_update",
    "line_amounts",
    "opportunity_change_stage",
    "opportunity_create",
    "opportunity_update",
    "quote_accept",
    "quote_create",
    "quote_reject",
    "quote_revise",
    "quote_send",
    "territory_add",
    "territory_remove",
]
