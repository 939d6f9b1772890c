"""Vehicles endpoints."""

from ninja import Router

router = Router(tags=["vehicles"])
