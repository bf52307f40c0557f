from __future__ import annotations

import importlib.util
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings
from pypdf import PdfReader

from dsr import registry
from dsr.cli import main

# Hypothesis: the same examples in every run, so CI is reproducible and a failure
# reruns as it was. DSR_HYPOTHESIS=explore draws new examples, DSR_EXAMPLES=10 draws
# ten times as many (tests that set max_examples scale it with ``examples()``).
settings.register_profile("dsr", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile("explore" if os.environ.get("DSR_HYPOTHESIS") == "explore" else "dsr")
EXAMPLES = float(os.environ.get("DSR_EXAMPLES", "1"))


def examples(count: int) -> int:
    """``count`` examples, times DSR_EXAMPLES: more when asked for, locally."""
    return max(1, round(count * EXAMPLES))


ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"  # beside the checkout, in CI and on developers' machines


def shared_reference(*parts: str) -> Path:
    """A file or folder of ../shared/reference; the test is skipped where it is absent."""
    path = SHARED.joinpath("reference", *parts)
    if not path.exists():
        pytest.skip(f"the shared reference data is not beside this checkout: {path}")
    return path


GOLDEN = Path(__file__).parent / "golden"

MEMBERS = {
    "DE": {
        "name": "Erika Mustermann",
        "address": "Hauptstraße 1, 10115 Berlin",
        "account-email": "erika@example.org",
        "profile-url": "https://www.linkedin.com/in/erika",
    },
    "FR": {
        "name": "Marie Dupont",
        "address": "12 rue de la Paix, 75002 Paris",
        "account-email": "marie@example.org",
        "profile-url": "https://www.linkedin.com/in/marie-dupont",
    },
    "IE": {
        "name": "Aoife Murphy",
        "address": "5 Main Street, Dublin 8, D08 XY12",
        "account-email": "aoife@example.ie",
        "profile-url": "https://ie.linkedin.com/in/aoife",
    },
}

SITUATION = (
    "As a journalist I protect my sources; my posts and contacts must not be "
    "reproduced or inferred by AI models."
)


@pytest.fixture(autouse=True)
def dsr_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own data folder and key folder; nothing touches the real ones."""
    home = tmp_path_factory.mktemp("dsr-home")
    monkeypatch.setenv("DSR_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    # Companies a command made known for its process (--controller-file, a tracked
    # request's record): each test starts as a new process does.
    monkeypatch.setattr(registry, "_SESSION_CONTROLLERS", {})
    return home


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden from current output"
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def with_values(args: list[str], **values: str) -> list[str]:
    """``args`` with the values of options it already gives replaced (date="2025-10-01")."""
    out = list(args)
    for key, value in values.items():
        out[out.index(f"--{key.replace('_', '-')}") + 1] = value
    return out


def letter_args(kind: str, jurisdiction: str, lang: str, output: Path, **extra: str) -> list[str]:
    """CLI arguments for a member living in ``jurisdiction`` (DE-BE counts as DE)."""
    member = MEMBERS[jurisdiction.split("-")[0]]
    args = ["letter", "--kind", kind, "--jurisdiction", jurisdiction, "--controller", "linkedin"]
    for key, value in member.items():
        args += [f"--{key}", value]
    args += ["--lang", lang, "--date", "2026-11-22", "-o", str(output)]
    if kind == "art21":
        args += ["--situation", SITUATION]
    if kind == "complaint":
        args += ["--request-date", "2026-09-01", "--request-kind", "objection"]
    for key, value in extra.items():
        args += [f"--{key.replace('_', '-')}", value]
    return args


@pytest.fixture
def run() -> Callable[..., Result]:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def pdf_text(data: bytes | Path) -> str:
    """The text a reader sees, page by page, whitespace normalised per line."""
    reader = PdfReader(io.BytesIO(data) if isinstance(data, bytes) else data)
    pages = []
    for page in reader.pages:
        text = page.extract_text() or ""
        lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
        pages.append("\n".join(line for line in lines if line))
    return "\n\f\n".join(pages)


def _in_lines(words: list[tuple[float, float, str]]) -> list[str]:
    """Words (middle, left, text) whose middles are within 3 pt make a line, read left to right."""
    lines: list[list[tuple[float, float, str]]] = []
    for item in sorted(words):
        if lines and item[0] - lines[-1][0][0] <= 3:
            lines[-1].append(item)
        else:
            lines.append([item])
    return [content for line in lines for _, _, content in sorted(line, key=lambda w: w[1])]


@dataclass(frozen=True)
class Word:
    """A word on a page and its box, in points from the top left (poppler's ``-bbox``)."""

    text: str
    left: float
    top: float
    bottom: float


def pdf_words(path: Path) -> list[tuple[float, float, list[Word]]]:
    """Each page's width, height and words, as poppler's ``pdftotext -bbox`` finds them."""
    import html
    import subprocess

    output = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8", "replace")  # poppler writes astral characters in <meta> as CESU-8
    word = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>'
    )
    pages = []
    for page in output.split("<page ")[1:]:
        width = float(re.search(r'width="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        height = float(re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        words = [
            Word(html.unescape(content), float(x), float(top), float(bottom))
            for x, top, bottom, content in word.findall(page)
        ]
        pages.append((width, height, words))
    return pages


def printed_text(path: Path) -> str:
    """The words as a reader takes them in, without whitespace or page furniture.

    Words are read line by line; on page 1 the address zone (45 to 98 mm
    down) is read column by column, the window and the information block
    apart. Page numbers (in the bottom margin) and the running header (in the
    top margin from page 2) are left out. So PDFs whose lines and pages break
    at other words compare equal when they carry the same text in the same
    order.
    """
    mm = 72 / 25.4
    text = []
    for number, (width, height, words) in enumerate(pdf_words(path)):
        above, left, right, below = [], [], [], []
        for word in words:
            middle = (word.top + word.bottom) / 2
            item = (middle, word.left, word.text)
            if middle > height - 22 * mm or (number and middle < 25 * mm):
                continue  # the page number, the running header
            if number or middle > 98 * mm:
                below.append(item)
            elif middle < 45 * mm:
                above.append(item)
            else:
                (left if word.left < width / 2 else right).append(item)
        for part in (above, left, right, below):
            text += _in_lines(part)
    return re.sub(r"\s+", "", "".join(text))


def flat(text: str) -> str:
    """Text with all whitespace collapsed, for phrase checks across line breaks."""
    return " ".join(text.split())


def pango_runs(text: str, language: str = "en") -> list[str]:
    """``text`` cut where Pango (WeasyPrint's line breaker) may break a line: what it cannot.

    Each run without the spaces a line may end in (they hang in the margin).
    An oracle for dsr's own measures of unbreakable text, not dsr's code.
    """
    from weasyprint.text.line_break import get_log_attrs

    attributes = get_log_attrs(text, language)
    runs, start = [], 0
    for index in range(1, len(text)):
        if attributes[index].is_line_break:
            runs.append(text[start:index])
            start = index
    runs.append(text[start:])
    return [run.rstrip(" \t\r\n") for run in runs if run.strip(" \t\r\n")]


def mark_stack(text: str) -> int:
    """The most combining marks (nonspacing or enclosing) on one character (joiners aside)."""
    import unicodedata

    longest = count = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me"):
            count += 1
            longest = max(longest, count)
        elif char not in "\u200c\u200d":
            count = 0
    return longest


def invoke_split(*args: str) -> tuple[int, str, str]:
    """Run dsr; its exit code, standard output and standard error apart."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def pdf_producer(data: Path | bytes) -> str:
    """What set a PDF (its /Producer): WeasyPrint or Typst."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data) if isinstance(data, bytes) else data) as document:
        return str(document.docinfo.get("/Producer", ""))


def i18n_script() -> ModuleType:
    """scripts/i18n.py as a module (its checks, fingerprints and record rules)."""
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
