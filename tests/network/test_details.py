"""The network detail pages: scope (out of scope is "not found"), related records, history."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.network import services
from tests.factories import DealerGroupFactory, HQDepartmentFactory, UserFactory
from tests.network.conftest import row_codes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "where", "other_key"),
    [
        (Role.DEALER_MANAGER, "east", "east_other_dealer"),
        (Role.SERVICE_ADVISOR, "east", "west_dealer"),
        (Role.REGION_MANAGER, "east", "west_dealer"),
        (Role.REGION_MANAGER, "west", "east_dealer"),
    ],
)
def test_a_dealer_out_of_scope_is_not_found(
    network: Any, user_in: Any, client_as: Any, role: str, where: str, other_key: str
) -> None:
    # given a user who may not see the other dealer (another dealer, or another region's)
    other = network[other_key]
    client = client_as(user_in(role, where=where))

    # when they open its page, or its edit page
    detail = client.get(reverse("network:dealer_detail", args=[other.pk]))
    edit = client.get(reverse("network:dealer_edit", args=[other.pk]))

    # then both answer "not found"
    assert detail.status_code == 404
    assert edit.status_code == 404


def test_a_missing_dealer_is_not_found(network: Any, user_in: Any, client_as: Any) -> None:
    response = client_as(user_in(Role.ADMINISTRATOR)).get(
        reverse("network:dealer_detail", args=[999_999])
    )

    assert response.status_code == 404


def test_dealer_page_shows_fields_region_chain_group_and_staff(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given the Pudong dealer in a group, with a service advisor
    dealer = network["east_dealer"]
    dealer.group = DealerGroupFactory(name="远东集团")
    dealer.address = "浦东新区世纪大道1号"
    dealer.save()
    advisor = UserFactory(role=Role.SERVICE_ADVISOR, dealer=dealer, display_name="王师傅")
    manager = user_in(Role.DEALER_MANAGER)

    # when its dealer manager opens the dealer page
    page = (
        client_as(manager).get(reverse("network:dealer_detail", args=[dealer.pk])).content.decode()
    )

    # then the page shows its fields, its region from the area down, its group and its staff
    east = network["east"]
    chain = re.search(r'data-testid="region-chain">(.*?)</dd>', page, re.S).group(1)
    assert re.findall(r">([^<]+)</a>", chain) == [
        east["area"].name,
        east["province"].name,
        east["city"].name,
    ]
    assert "浦东新区世纪大道1号" in page
    assert f'href="{dealer.group.get_absolute_url()}">远东集团</a>' in page
    staff = re.search(r'data-testid="dealer-staff">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert "王师傅" in staff
    assert str(manager) in staff
    assert advisor.username != manager.username
    assert 'data-testid="edit-link"' not in page


def test_administrator_sees_the_edit_link(network: Any, user_in: Any, client_as: Any) -> None:
    dealer = network["east_dealer"]

    page = client_as(user_in(Role.ADMINISTRATOR)).get(dealer.get_absolute_url()).content.decode()

    assert (
        f'href="{reverse("network:dealer_edit", args=[dealer.pk])}" data-testid="edit-link"' in page
    )


def test_region_page_shows_children_and_dealers_of_the_subtree_in_scope(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given the east region manager
    client = client_as(user_in(Role.REGION_MANAGER))
    area = network["east"]["area"]

    # when they open their area
    page = client.get(reverse("network:region_detail", args=[area.pk])).content.decode()

    # then the province is listed within it, and the dealers of the whole subtree
    children = re.search(r'data-testid="child-regions">(.*?)</div>', page, re.S).group(1)
    assert network["east"]["province"].get_absolute_url() in children
    assert network["east"]["city"].get_absolute_url() not in children
    assert row_codes(page) == sorted(
        [network["east_dealer"].code, network["east_other_dealer"].code]
    )


def test_a_dealer_sees_its_own_regions_but_not_their_other_dealers(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.DEALER_MANAGER))
    city = network["east"]["city"]

    page = client.get(reverse("network:region_detail", args=[city.pk])).content.decode()
    west = client.get(reverse("network:region_detail", args=[network["west"]["city"].pk]))

    assert row_codes(page) == [network["east_dealer"].code]
    assert west.status_code == 404


def test_group_page_lists_only_its_dealers_in_scope(
    network: Any, user_in: Any, client_as: Any
) -> None:
    group = DealerGroupFactory()
    for key in ("east_dealer", "west_dealer"):
        network[key].group = group
        network[key].save()

    east_page = (
        client_as(user_in(Role.REGION_MANAGER)).get(group.get_absolute_url()).content.decode()
    )

    assert row_codes(east_page) == [network["east_dealer"].code]


def test_a_group_without_dealers_in_scope_is_not_found(
    network: Any, user_in: Any, client_as: Any
) -> None:
    group = DealerGroupFactory()
    network["west_dealer"].group = group
    network["west_dealer"].save()

    response = client_as(user_in(Role.REGION_MANAGER)).get(group.get_absolute_url())

    assert response.status_code == 404


def test_department_page_is_for_headquarters_only(
    network: Any, user_in: Any, client_as: Any
) -> None:
    department = HQDepartmentFactory(name="客服中心")
    agent = UserFactory(
        role=Role.CALL_CENTER_AGENT, hq_department=department, display_name="李客服"
    )

    hq_page = client_as(agent).get(department.get_absolute_url()).content.decode()
    region_response = client_as(user_in(Role.REGION_MANAGER)).get(department.get_absolute_url())

    assert "李客服" in re.search(
        r'data-testid="department-staff">(.*?)</div>\s*</div>', hq_page, re.S
    ).group(1)
    assert region_response.status_code == 404


def _history_changes(page: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r'<li data-testid="history-change">(.*?)</li>', page, re.S)
    ]


def test_history_shows_who_changed_what_with_field_labels_and_names(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given an administrator moved the dealer to another city and renamed it
    admin = user_in(Role.ADMINISTRATOR, display_name="张管理")
    dealer = network["east_dealer"]
    services.dealer_update(
        actor=admin,
        dealer=dealer,
        data={"name": "上海浦东新4S店", "region": network["west"]["city"], "dealer_type": "sales"},
    )

    # when the administrator opens the dealer page
    page = client_as(admin).get(dealer.get_absolute_url()).content.decode()

    # then the history shows the change, by whom, through which channel, field by field
    assert page.count('data-testid="history-entry"') == 1
    assert '<strong data-testid="history-action">Changed</strong>' in page
    assert "by 张管理 via System" in page
    assert _history_changes(page) == [
        "Name: 上海浦东4S店 → 上海浦东新4S店",
        "Type: 4S dealer → Sales only",
        f"City: {network['east']['city'].name} → {network['west']['city'].name}",
    ]


def test_history_of_a_record_without_changes_says_so(
    network: Any, user_in: Any, client_as: Any
) -> None:
    page = (
        client_as(user_in(Role.ANALYST))
        .get(network["east_dealer"].get_absolute_url())
        .content.decode()
    )

    assert 'data-testid="history-empty"' in page


def test_a_detail_pages_history_is_a_card_with_its_own_heading(
    network: Any, user_in: Any, client_as: Any
) -> None:
    page = (
        client_as(user_in(Role.ANALYST))
        .get(network["east_dealer"].get_absolute_url())
        .content.decode()
    )

    history = page[page.index('<div class="card" data-testid="history">') :]
    assert re.match(
        r'<div class="card" data-testid="history">\s*<div class="card-header">'
        r'<h3 class="card-title">History</h3></div>',
        history,
    )


def test_a_new_records_history_lists_only_the_values_it_was_given(
    network: Any, user_in: Any, client_as: Any
) -> None:
    admin = user_in(Role.ADMINISTRATOR)
    group = services.dealer_group_create(actor=admin, data={"code": "FE", "name": "远东集团"})

    page = client_as(admin).get(group.get_absolute_url()).content.decode()

    assert _history_changes(page) == ["Code: FE", "Name: 远东集团"]


def test_dealer_page_query_count_does_not_grow_with_history_and_staff(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given a dealer changed once, with one staff member
    admin = user_in(Role.ADMINISTRATOR)
    client = client_as(user_in(Role.REGION_MANAGER))
    dealer = network["east_dealer"]
    UserFactory(role=Role.SALESPERSON, dealer=dealer)
    group = DealerGroupFactory()
    services.dealer_update(actor=admin, dealer=dealer, data={"group": group})
    with CaptureQueriesContext(connection) as few:
        client.get(dealer.get_absolute_url())

    # when it has many more changes (to the same relations) and staff members
    for number in range(5):
        UserFactory(role=Role.SALESPERSON, dealer=dealer)
        services.dealer_update(
            actor=admin,
            dealer=dealer,
            data={"name": f"新名字{number}", "group": DealerGroupFactory()},
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(dealer.get_absolute_url()).content.decode()

    # then the page costs the same number of queries
    assert page.count('data-testid="history-entry"') == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_dealer_staff_link_to_their_user_pages(client: Any, user_in: Any, network: dict) -> None:
    # given a salesperson at the east dealer, viewed by the dealer's manager
    salesperson = user_in(Role.SALESPERSON, "east", display_name="李销售")
    client.force_login(user_in(Role.DEALER_MANAGER, "east"))

    # when the manager opens the dealer page
    page = client.get(f"/network/dealers/{network['east_dealer'].pk}/").content.decode()

    # then the salesperson is listed with a link to their user page
    assert f'href="{salesperson.get_absolute_url()}"' in page
    assert "李销售" in page
