"""Browser tests: Playwright (sync API) driving Debian's Chromium against ``live_server``.

No browser is downloaded: the tests use /usr/bin/chromium (``apt-get install chromium``). When it
is missing they are skipped, unless ``AUTOCRM_REQUIRE_BROWSER=1`` (set by CI), which makes them
fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("AUTOCRM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (AUTOCRM_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Chromium for this package's tests; closed when they are done, so the rest of the suite
    runs without Playwright's event loop and with Django's async-safety checks on."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable(
            "the playwright package is not installed (pip install -r requirements/dev.lock)"
        )
    node_modules = Path(django_settings.NODE_MODULES_DIR)
    if not node_modules.is_dir():
        _unavailable("node_modules is missing: run npm ci")
    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the
    # database calls the tests make themselves (fixtures, factories) while that loop exists.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _plain_static_files(settings: Any) -> None:
    """live_server serves static files through the finders (node_modules included); the
    templates must then name files without a manifest hash."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) whose browser asks for Chinese, as our users' do."""
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
