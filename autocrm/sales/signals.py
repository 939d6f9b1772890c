"""What the sales app tells other apps, so they react without the sales services knowing them.

``lead_saved`` is sent inside the transaction that created or changed a lead (after its
number and assignment are written), with ``lead``, ``created`` (bool) and ``changed`` (the names
of the fields that changed; every field for a new lead). Receivers run in that transaction:
what they write is kept or rolled back with the lead.
"""

from __future__ import annotations

from django.dispatch import Signal

lead_saved = Signal()
