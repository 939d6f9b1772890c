"""The sales app's models: leads and their routing (``leads``), opportunities and their stage
history (``opportunities``), quotes and their lines (``quotes``)."""

from autocrm.sales.models.leads import (
    DealerLeadRule,
    Lead,
    LeadAssignment,
    LeadLossRequest,
    LeadStatusChange,
    Territory,
)
from autocrm.sales.models.opportunities import Opportunity, OpportunityStageChange
from autocrm.sales.models.quotes import Quote, QuoteLine

__all__ = [
    "DealerLeadRule",
    "Lead",
    "LeadAssignment",
    "LeadLossRequest",
    "LeadStatusChange",
    "Opportunity",
    "OpportunityStageChange",
    "Quote",
    "QuoteLine",
    "Territory",
]
