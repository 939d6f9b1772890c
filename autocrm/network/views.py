"""Provisional network pages; the full list/detail/create/edit pages replace these."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from autocrm.core.scoping import access_object
from autocrm.network.models import Dealer, DealerGroup, HQDepartment, Region


@login_required
def dealer_list(request: HttpRequest) -> HttpResponse:
    return render(request, "network/dealer_list.html", {"dealers": Dealer.objects.visible_to(request.user)})


@login_required
def dealer_detail(request: HttpRequest, dealer_id: int) -> HttpResponse:
    dealer = access_object(request.user, Dealer.objects.select_related("region"), pk=dealer_id)
    return render(request, "network/dealer_detail.html", {"dealer": dealer})


@login_required
def region_detail(request: HttpRequest, region_id: int) -> HttpResponse:
    region = access_object(request.user, Region.objects.all(), pk=region_id)
    return render(request, "network/dealer_detail.html", {"dealer": region})


@login_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_object(request.user, DealerGroup.objects.all(), pk=group_id)
    return render(request, "network/dealer_detail.html", {"dealer": group})


@login_required
def department_detail(request: HttpRequest, department_id: int) -> HttpResponse:
    department = access_object(request.user, HQDepartment.objects.all(), pk=department_id)
    return render(request, "network/dealer_detail.html", {"dealer": department})
