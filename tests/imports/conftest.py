from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autocrm.accounts.choices import Role
from autocrm.imports.models import ImportRun
from autocrm.imports.pipeline import run_import
from autocrm.imports.services import import_run_create
from tests.factories import VehicleModelFactory, oem_vin

HEADER = "客户编号,姓名,手机,身份证号,车架号,车型,车牌号,购车日期,经销商代码,地址"

# Valid resident ID numbers (GB 11643 check digits).
ID_A = "11010519491231002X"
ID_B = "440524188001010014"


@pytest.fixture(autouse=True)
def english(client: Any, settings: Any) -> Any:
    """Messages in English, so assertions can quote the source strings."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


@pytest.fixture
def admin(user_in: Any) -> Any:
    return user_in(Role.ADMINISTRATOR)


@pytest.fixture
def catalogue(network: dict[str, Any]) -> dict[str, Any]:
    """Model code M1 and the east dealer's code, as the files below name them."""
    model = VehicleModelFactory(code="M1")
    return {"model": model, "dealer": network["east_dealer"]}


@pytest.fixture
def import_file(tmp_path: Path, admin: Any) -> Any:
    """Write ``content`` (str: encoded with ``encoding``; bytes: as is) and import it."""

    def run(
        content: str | bytes,
        *,
        source: str = "DMS",
        name: str = "customers.csv",
        encoding: str = "utf-8",
        mapping: dict[str, str] | None = None,
        actor: Any = None,
    ) -> ImportRun:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        run = import_run_create(
            actor=actor or admin,
            source=source,
            path=path,
            original_name=name,
            mapping=mapping,
            keep_file=False,
        )
        run_import(run, path, actor=actor or admin)
        run.refresh_from_db()
        return run

    return run


def vin(serial: int) -> str:
    return oem_vin(serial)
