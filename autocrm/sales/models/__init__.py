"""The sales app's models: leads and their routing (``leads``), opportunities and their stage
history (``opportunities``), quotes and their lines (``quotes``),
the kanban's column totals (``pipeline_totals``)."""

from autocrm.sales.models.leads import (
    DealerLeadRule,
    Lead,
    LeadAssignment,
    LeadLossRequest,
    LeadStatusChange,
    Territory,
)
from autocrm.sales.models.opportunities import Opportunity, OpportunityStageChange
from autocrm.sales.models.pipeline_totals import PipelineTotal
from autocrm.sales.models.quotes import Quote, QuoteLine

__all__ = [
    "DealerLeadRule",
    "Lead",
    "LeadAssignment",
    "LeadLossRequest",
    "LeadStatusChange",
    "Opportunity",
    "OpportunityStageChange",
    "PipelineTotal",
    "Quote",
    "QuoteLine",
    "Territory",
]
