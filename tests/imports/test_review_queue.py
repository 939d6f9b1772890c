"""Ambiguous pairs go to the review queue; decisions are remembered; "same" merges."""

from __future__ import annotations

import pytest

from autocrm.accounts.choices import Role
from autocrm.core.errors import PermissionDenied
from autocrm.customers.models import ContactPoint, Customer
from autocrm.imports.models import IdentityReview, SourceRecord
from autocrm.imports.services import ReviewAlreadyDecided, review_decide
from tests.factories import CustomerFactory, PhoneFactory
from tests.imports.conftest import csv_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def existing():
    customer = CustomerFactory(name="王小明")
    PhoneFactory(customer=customer, value="13800001111")
    ContactPoint.objects.create(
        customer=customer,
        kind="address",
        value="上海市 世纪大道1号",
        normalised="上海市 世纪大道1号",
    )
    return customer


def test_same_mobile_other_name_is_queued_and_lands_as_a_new_customer(import_file, existing):
    run = import_file(csv_text("K1,王晓明,13800001111,,,,,,,"))

    assert (run.customers_created, run.rows_for_review) == (1, 1)
    review = IdentityReview.objects.get()
    candidate = SourceRecord.objects.get(key="K1").customer
    assert (review.existing, review.candidate, review.reason) == (
        existing, candidate, "same_mobile_other_name")  # fmt: skip
    assert review.incoming["name"] == "王晓明"
    assert review.decision == "open"


def test_same_name_and_address_other_phone_is_queued(import_file, existing):
    run = import_file(csv_text("K1,王小明,13800002222,,,,,,,上海市  世纪大道1号"))

    assert run.rows_for_review == 1
    assert IdentityReview.objects.get().reason == "same_name_address_other_phone"


def test_a_decision_is_remembered_and_never_asked_again(import_file, existing, admin):
    import_file(csv_text("K1,王晓明,13800001111,,,,,,,"))
    review_decide(actor=admin, review=IdentityReview.objects.get(), same=False)

    run = import_file(csv_text("X9,王晓明,13800001111,,,,,,,"), source="CALLCENTER")

    assert run.rows_for_review == 0
    assert IdentityReview.objects.count() == 1
    # "different": the second source's row is the candidate kept apart from the existing one.
    assert SourceRecord.objects.get(source="CALLCENTER").customer != existing


def test_same_merges_the_new_customer_into_the_existing_one(import_file, existing, admin):
    import_file(csv_text("K1,王晓明,13800001111,,,,,,,北京市"))
    review = IdentityReview.objects.get()
    candidate = review.candidate

    review_decide(actor=admin, review=review, same=True)

    candidate.refresh_from_db()
    assert (candidate.is_active, candidate.merged_into) == (False, existing)
    assert SourceRecord.objects.get(key="K1").customer == existing
    assert existing.contact_points.filter(kind="address", normalised="北京市").exists()
    # A later file with the same person from another source resolves to the survivor.
    run = import_file(csv_text("Z1,王晓明,13800001111,,,,,,,北京市"), source="WEB")
    assert (run.rows_for_review, run.customers_matched) == (0, 1)
    assert SourceRecord.objects.get(source="WEB").customer == existing
    with pytest.raises(ReviewAlreadyDecided):
        review_decide(actor=admin, review=review, same=False)


def test_only_reviewers_decide(import_file, existing, user_in):
    import_file(csv_text("K1,王晓明,13800001111,,,,,,,"))
    review = IdentityReview.objects.get()

    with pytest.raises(PermissionDenied):
        review_decide(actor=user_in(Role.ANALYST), review=review, same=True)

    review_decide(actor=user_in(Role.CALL_CENTER_AGENT), review=review, same=False)
    assert IdentityReview.objects.get().decision == "different"
    assert Customer.objects.filter(is_active=True).count() == 2
