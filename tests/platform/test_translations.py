"""Both catalogues are complete, and the compiled catalogues match their sources."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "autocrm" / "locale"


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalogue_is_complete_and_compiled(language: str) -> None:
    source = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in source.untranslated_entries()]
    fuzzy = [entry.msgid for entry in source.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled_ids = {(entry.msgctxt, entry.msgid) for entry in compiled}
    missing = [
        entry.msgid
        for entry in source.translated_entries()
        if (entry.msgctxt, entry.msgid) not in compiled_ids
    ]
    assert missing == [], "run: make messages (compilemessages) and commit the .mo files"


def test_chinese_is_the_default_and_english_is_available(db: None) -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("Dealers") == "经销商"
    with translation.override("en"):
        assert translation.gettext("Dealers") == "Dealers"
    page = Client().get("/accounts/login/")
    assert '<html lang="zh-hans">' in page.content.decode()
    assert "登录" in page.content.decode()
