"""Writes to customers: create and update (with the duplicate check and optimistic locking),
contact points, consents and preferences, relationships, dealer links, tags, what owning a
vehicle changes, and reading an ID number in full. Every service is atomic, validates before
saving and writes the audit trail.

``actor`` is the user doing the work; ``None`` means the system itself (commands, seeding),
which is not subject to the role check. Scope is the caller's job: views and the API fetch the
customer with ``access_object`` before calling a service.

Callers import this package (``from autocrm.customers import services``); the modules in it
group the services by what they write.
"""

from autocrm.customers.services.contacts import (
    ContactInput,
    consent_set,
    contact_point_add,
    contact_point_remove,
    contact_point_update,
    normalise_contact,
)
from autocrm.customers.services.customers import (
    COMPANY_FIELDS,
    EDITABLE_FIELDS,
    PERSONAL_FIELDS,
    customer_create,
    customer_update,
    find_duplicate,
    id_number_reveal,
    preferences_set,
    tags_set,
)
from autocrm.customers.services.links import (
    customer_mark_former_owner,
    customer_mark_owner,
    dealer_link_add,
    dealer_link_remove,
    relationship_add,
    relationship_remove,
)

__all__ = [
    "COMPANY_FIELDS",
    "EDITABLE_FIELDS",
    "PERSONAL_FIELDS",
    "ContactInput",
    "consent_set",
    "contact_point_add",
    "contact_point_remove",
    "contact_point_update",
    "customer_create",
    "customer_mark_former_owner",
    "customer_mark_owner",
    "customer_update",
    "dealer_link_add",
    "dealer_link_remove",
    "find_duplicate",
    "id_number_reveal",
    "normalise_contact",
    "preferences_set",
    "relationship_add",
    "relationship_remove",
    "tags_set",
]
