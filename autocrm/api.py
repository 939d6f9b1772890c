"""The HTTP API under /api/v1/: one NinjaAPI, one router per app, one error envelope."""

from __future__ import annotations

from ninja import NinjaAPI

from autocrm.accounts.api import router as accounts_router
from autocrm.accounts.auth import ActiveSessionAuth, BearerTokenAuth
from autocrm.activities.api import router as activities_router
from autocrm.analytics.api import router as analytics_router
from autocrm.commissions.api import router as commissions_router
from autocrm.core.api import router as core_router
from autocrm.core.api_errors import install_error_handlers
from autocrm.customers.api import router as customers_router
from autocrm.customers.api_lookup import router as lookup_router
from autocrm.imports.api import router as imports_router
from autocrm.network.api import router as network_router
from autocrm.orders.api import router as orders_router
from autocrm.sales.api import public_router as public_sales_router
from autocrm.sales.api import router as sales_router
from autocrm.vehicles.api import router as vehicles_router

api = NinjaAPI(
    title="autocrm API",
    version="1",
    description="The automotive CRM's API. Authenticate with a personal token "
    "(`Authorization: Bearer ...`, created on your profile page) or a browser session.",
    auth=[BearerTokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/", core_router)
api.add_router("/network", network_router)
# Before customers: its fixed paths (/customers/merge) must win over /customers/{customer_id}.
api.add_router("/", imports_router)
api.add_router("/", customers_router)
api.add_router("/", vehicles_router)
api.add_router("/", activities_router)
api.add_router("/", sales_router)
api.add_router("/", orders_router)
api.add_router("/", commissions_router)
api.add_router("/public", public_sales_router)
api.add_router("/", lookup_router)
api.add_router("/analytics", analytics_router)
