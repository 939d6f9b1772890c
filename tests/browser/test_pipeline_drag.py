"""The pipeline in a browser: a card dragged to the next column moves there (and is saved); a
card dragged two columns ahead snaps back with the refusal written on it."""

from __future__ import annotations

from typing import Any

import pytest

from autocrm.accounts.choices import Role
from autocrm.sales.models import Opportunity
from tests.factories import PASSWORD
from tests.sales.factories import OpportunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dragging_cards_on_the_pipeline(
    page: Any,
    live_server: Any,
    network: dict[str, Any],
    user_in: Any,
) -> None:
    seller = user_in(Role.SALESPERSON, username="seller")
    moved = OpportunityFactory(dealer=network["east_dealer"], salesperson=seller)
    jumper = OpportunityFactory(dealer=network["east_dealer"], salesperson=seller)
    page.goto("/accounts/login/")
    page.fill("#id_username", seller.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto("/sales/pipeline/")

    page.drag_and_drop(f"#opportunity-card-{moved.pk}", ".pipeline-drop[data-stage=test_drive]")
    page.wait_for_selector(
        f".pipeline-drop[data-stage=test_drive] #opportunity-card-{moved.pk}[data-stage=test_drive]"
    )
    assert Opportunity.objects.get(pk=moved.pk).stage == "test_drive"
    # A move reloads the whole board (its totals); the next drag waits for that, or its card
    # would be replaced while its answer is on the way.
    page.wait_for_load_state("networkidle")

    page.drag_and_drop(f"#opportunity-card-{jumper.pk}", ".pipeline-drop[data-stage=order]")
    page.wait_for_selector(f"#opportunity-card-{jumper.pk} [data-testid=card-refusal]")
    column = page.locator(f"#opportunity-card-{jumper.pk}").evaluate(
        "card => card.parentNode.dataset.stage"
    )
    assert column == "need_analysis"
    assert Opportunity.objects.get(pk=jumper.pk).stage == "need_analysis"
