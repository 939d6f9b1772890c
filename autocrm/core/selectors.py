from __future__ import annotations

from typing import Any

from autocrm.core.models import Job
from autocrm.core.scoping import scope_for, visible_to


def home_summary(user: Any) -> dict[str, Any]:
    """What the home page shows a user: their scope and a few counts within it, and their day
    (tasks due and overdue, bookings today) when they keep tasks and a calendar."""
    from autocrm.activities.planning import day_summary
    from autocrm.network.models import Dealer, Region

    dealers = Dealer.objects.visible_to(user)
    return {
        "scope": scope_for(user),
        "dealer_count": dealers.count(),
        "service_station_count": dealers.filter(services_vehicles=True).count(),
        "region_count": Region.objects.visible_to(user).count(),
        "recent_jobs": list(visible_to(user, Job.objects.filter(created_by=user))[:5]),
        "day": day_summary(user),
    }
