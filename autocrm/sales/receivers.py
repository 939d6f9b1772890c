"""What the sales app does when other apps report something.

``orders.signals.vehicle_delivered``: the car of an accepted quote's order reached its customer,
so the quote's opportunity is won (through "delivery" if the salesperson had not moved it
there), with its stage history, in the delivering transaction.
"""

from __future__ import annotations

from typing import Any

from autocrm.sales.choices import OpportunityStage, QuoteStatus
from autocrm.sales.models import Quote
from autocrm.sales.services.opportunities import opportunity_advance_system


def opportunity_won_on_delivery(sender: Any, order: Any = None, **kwargs: Any) -> None:
    if order is None:
        return
    opportunity_ids = Quote.objects.filter(
        vehicle_order_id=order.pk, status=QuoteStatus.ACCEPTED
    ).values_list("opportunity_id", flat=True)
    for opportunity_id in opportunity_ids:
        opportunity_advance_system(
            opportunity_id, to=(OpportunityStage.DELIVERY, OpportunityStage.WON)
        )


def connect() -> None:
    from autocrm.orders.signals import vehicle_delivered

    vehicle_delivered.connect(
        opportunity_won_on_delivery, dispatch_uid="sales.opportunity_won_on_delivery"
    )
