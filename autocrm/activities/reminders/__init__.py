"""The reminder engine: rules that create tasks for the right person at the right time.

``rules`` names the rules and their settings, ``engine`` runs them (daily, on events), set-based
(one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` per batch, see ``inserting``), ``consent``
is the set-based form of ``customers.consent.may_contact`` the rules filter with.
"""
