from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from autocrm.accounts.models import authenticated_user

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    dealer_id: int | None
    region_id: int | None
    hq_department_id: int | None


@router.get("/me", response=MeOut, summary="The user the request is authenticated as")
def me(request: HttpRequest) -> MeOut:
    user = authenticated_user(request)
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=str(user),
        role=user.role,
        role_label=str(user.get_role_display()),
        dealer_id=user.dealer_id,
        region_id=user.region_id,
        hq_department_id=user.hq_department_id,
    )
