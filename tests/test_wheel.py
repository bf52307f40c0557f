"""A plain wheel install works in every shipped language, with no compile step."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from dsr import registry
from dsr.i18n import DERIVED, shipped_languages
from tests.conftest import ROOT, letter_args, pdf_text

pytestmark = pytest.mark.slow

CATALOGUED = [tag for tag in shipped_languages() if tag not in DERIVED]


def test_wheel_installs_and_renders_every_language(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
    )
    wheel = next(dist.glob("dsr-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "dsr/templates/base.html.jinja" in names
    assert "dsr/templates/layout.toml" in names  # the page geometry both engines read
    assert "dsr/data/law.toml" in names
    assert "dsr/py.typed" in names  # PEP 561: type checkers read the library's hints
    for lang in CATALOGUED:
        folder = lang.replace("-", "_")
        assert f"dsr/locales/{folder}/LC_MESSAGES/letters.mo" in names, lang

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    gdpr = registry.instruments()["gdpr"]
    for lang in CATALOGUED:
        out = work / f"letter-{lang}.pdf"
        result = subprocess.run(
            [str(env_dir / "bin" / "dsr"), *letter_args("art21", "FR", lang, out)],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        law = gdpr.abbreviation[lang.split("-")[0]]
        assert " ".join(law.split()) in " ".join(pdf_text(out).split()), lang
    # The installed package reads nothing from this checkout.
    where = subprocess.run(
        [str(python), "-c", "import dsr.resources as r; print(r.resource_dir('locales'))"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert str(env_dir) in where
