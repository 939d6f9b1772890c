"""Connecting the reminder engine to the events it reacts to (from ``ActivitiesConfig.ready``)."""

from __future__ import annotations


def connect() -> None:
    from autocrm.activities.reminders.engine import on_lead_saved, on_vehicle_delivered
    from autocrm.orders.signals import vehicle_delivered
    from autocrm.sales.signals import lead_saved

    lead_saved.connect(on_lead_saved, dispatch_uid="reminders.lead_saved")
    vehicle_delivered.connect(on_vehicle_delivered, dispatch_uid="reminders.vehicle_delivered")
