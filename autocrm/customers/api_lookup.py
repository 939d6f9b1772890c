"""Screen pop: ``GET /api/v1/lookup`` answers a caller's card(s) by phone, VIN, plate or text."""

from ninja import Router

router = Router(tags=["lookup"])
