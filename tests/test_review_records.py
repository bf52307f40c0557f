"""`make i18n-check` holds each language to its review record (locales/<locale>/REVIEW.md)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import i18n_script as _i18n_script


def _record(fingerprint: str, *, date: str = "2026-12-07", sections: bool = True) -> str:
    body = (
        "# Review record: Czech (cs)\n\n"
        f"- **Date:** {date}\n"
        f"- **Catalog:** `sha256:{fingerprint}` (after the fixes below)\n\n"
    )
    if sections:
        body += "## What was read\n\nart21.\n\n## What changed\n\nNothing.\n\n## Doubts that remain\n\nNone.\n"
    return body


@pytest.fixture
def script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = _i18n_script()
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "LOCALES", tmp_path / "locales")
    monkeypatch.setattr(module, "shipped_languages", lambda: ("cs", "de-CH"))
    (tmp_path / "locales" / "cs").mkdir(parents=True)
    (tmp_path / "locales" / "de_CH").mkdir(parents=True)
    return module


def test_a_record_that_names_the_current_catalog_passes(script: ModuleType) -> None:
    for language, folder in (("cs", "cs"), ("de-CH", "de_CH")):
        record = script.LOCALES / folder / "REVIEW.md"
        record.write_text(_record(script.fingerprint(language)), encoding="utf-8")
    assert script.review_problems(require_all=True) == []


def test_a_catalog_changed_after_its_review_fails(script: ModuleType) -> None:
    (script.LOCALES / "cs" / "REVIEW.md").write_text(_record("0" * 64), encoding="utf-8")
    found = script.review_problems(require_all=False)
    assert len(found) == 1
    assert "cs catalog changed after this review" in found[0]


def test_a_regional_form_has_its_own_fingerprint(script: ModuleType) -> None:
    # de-CH is derived from de by rules; a record of de's catalog does not cover it.
    assert script.fingerprint("de-CH") != script.fingerprint("de")
    (script.LOCALES / "de_CH" / "REVIEW.md").write_text(
        _record(script.fingerprint("de")), encoding="utf-8"
    )
    assert any("de-CH catalog changed" in p for p in script.review_problems(require_all=False))


def test_missing_records_fail_once_all_are_required(script: ModuleType) -> None:
    assert script.review_problems(require_all=False) == []
    found = script.review_problems(require_all=True)
    assert [p.split(":")[0] for p in found] == ["locales/cs/REVIEW.md", "locales/de_CH/REVIEW.md"]


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (_record("a" * 64, date="2026-13-45"), "is not a date"),
        (_record("a" * 64, date="2999-01-01"), "dated in the future"),
        (_record("a" * 64, sections=False), "no '## What was read' section"),
        ("# Review record\n\n- **Date:** 2026-12-07\n", "naming what was reviewed"),
    ],
)
def test_a_malformed_record_fails(script: ModuleType, record: str, problem: str) -> None:
    (script.LOCALES / "cs" / "REVIEW.md").write_text(record, encoding="utf-8")
    assert any(problem in p for p in script.review_problems(require_all=False))
