"""What the orders app tells other apps when a car reaches its customer.

``vehicle_delivered`` is sent inside the delivering transaction, once per car handed over, with
``vehicle``, ``customer``, ``ownership`` (the ownership the delivery started), ``dealer``,
``salesperson`` (may be None), ``delivered_on`` (a date) and ``order`` (the vehicle order, or
None for a car sold from stock without one). Receivers (the reminder engine's after-delivery and
loyalty rules, the opportunity that becomes won) run in that transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

vehicle_delivered = Signal()
