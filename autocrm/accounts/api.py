"""Accounts endpoints: the authenticated user (``/me``) and user administration (``/users``:
read within scope for every role; create and change for those who may manage users, through
the same services as the pages)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from autocrm.accounts import services
from autocrm.accounts.filters import UserFilterSet
from autocrm.accounts.models import User, authenticated_user
from autocrm.accounts.schemas import UserIn, UserOut, UserPatch
from autocrm.core.api_schemas import PageOut, PageParams, answers
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object, visible_to
from autocrm.network.models import Dealer, HQDepartment, Region

router = Router(tags=["accounts"])

# Membership fields: the model's name, and the payload's name with the model it points to.
_REFERENCES: dict[str, tuple[str, Any]] = {
    "hq_department": ("hq_department_id", HQDepartment),
    "region": ("region_id", Region),
    "dealer": ("dealer_id", Dealer),
}


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    dealer_id: int | None
    region_id: int | None
    hq_department_id: int | None


@router.get(
    "/me", response=answers({200: MeOut}), summary="The user the request is authenticated as"
)
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


def _user_rows(request: HttpRequest) -> Any:
    return visible_to(request.user, User.objects.all())


def _user_data(user: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as service data: membership ids become records looked up within the user's
    scope; an unknown or invisible id is an error on the payload's field."""
    data = dict(payload)
    for field, (payload_field, model) in _REFERENCES.items():
        if payload_field not in data:
            continue
        pk = data.pop(payload_field)
        data[field] = None if pk is None else visible_to(user, model.objects.filter(pk=pk)).first()
        if pk is not None and data[field] is None:
            raise ValidationError({payload_field: _("No such record: %(id)s.") % {"id": pk}})
    return data


@contextmanager
def _payload_field_names() -> Iterator[None]:
    """Name the membership fields of service errors as the payload names them."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed = {
            _REFERENCES[name][0] if name in _REFERENCES else name: messages
            for name, messages in error.error_dict.items()
        }
        raise ValidationError(renamed) from error


@router.get(
    "/users", response=answers({200: PageOut[UserOut]}, 400, 422), summary="Users, by user name"
)
def user_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    filterset = UserFilterSet(request.GET, queryset=_user_rows(request))
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    result = keyset_page(filterset.qs, ordering=("username",), cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get("/users/{user_id}", response=answers({200: UserOut}, 404, 422))
def user_detail(request: HttpRequest, user_id: int) -> User:
    return access_object(request.user, _user_rows(request), pk=user_id)


@router.post("/users", response=answers({201: UserOut}, 400, 403, 422))
def user_create(request: HttpRequest, payload: UserIn) -> Status:
    data = payload.dict()
    password = data.pop("password")
    with _payload_field_names():
        user = services.user_create(
            actor=request.user, data=_user_data(request.user, data), password=password
        )
    return Status(201, user)


@router.patch("/users/{user_id}", response=answers({200: UserOut}, 400, 403, 404, 422))
def user_update(request: HttpRequest, user_id: int, payload: UserPatch) -> User:
    user = access_object(request.user, _user_rows(request), pk=user_id)
    sent = payload.dict(exclude_unset=True)
    active = sent.pop("is_active", None)
    with transaction.atomic(), _payload_field_names():
        if sent:
            user = services.user_update(
                actor=request.user, user=user, data=_user_data(request.user, sent)
            )
        if active is not None:
            user = services.user_set_active(actor=request.user, user=user, active=active)
    return user
