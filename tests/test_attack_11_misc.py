"""Attack reviews 11b (#6, #7, #9) and 11a (#12, #13): templates, kit names, names, JSONL, YAML."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr import files, render
from dsr.batch import BatchFileError, read_rows
from dsr.cli import main
from tests.conftest import letter_args

ROW = {
    "kind": "objection",
    "jurisdiction": "DE",
    "name": "Alice A",
    "address": "Hauptstraße 1, 10115 Berlin",
    "account-email": "a@example.org",
    "date": "2026-11-22",
}
NOT_REGULAR = "is not a regular file; remove it (or move it aside)"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
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


# 11b #6 (MEDIUM): a user template's failure ended in "internal error", exit 1.


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ('{% include "letters/objection.html.jinja" %}', "TypeError"),  # the attack: Dating()
        ("{{ letter.language() }}", "TypeError: 'str' object is not callable"),
        ("{{ 1 // 0 }}", "ZeroDivisionError"),
        ('{{ "abc" | truncate(-5) }}', "AssertionError"),
        ('{{ "x" | date }}', "template error"),  # dsr's filter, given what it cannot take
        ("{{ letter.nope.deeper.still }}", "template error"),
        ("{{ nope.a.b }}", "template error"),
        ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "calls itself too deeply"),
    ],
    ids=["self-include", "not-callable", "zero-division", "assertion", "date", "chain", "undef", "recursion"],
)  # fmt: skip
def test_6_any_failure_of_a_user_template_is_a_template_error(
    tmp_path: Path, body: str, shown: str
) -> None:
    folder = template_folder(tmp_path, body)
    out = tmp_path / "o.txt"
    code, output = invoke(*letter_args("objection", "DE", "de", out), "--template-dir", str(folder))
    assert code == 2, output
    assert output.startswith(f"Error: {folder.resolve()}/"), output  # the user's file, named
    assert ".html.jinja, line " in output
    assert shown in output
    assert "internal error" not in output
    assert not out.exists()


def test_6_a_fault_in_dsr_after_a_user_template_stays_dsr_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(document: str, language: str) -> str:
        raise TypeError("dsr's own bug")

    monkeypatch.setattr(render, "typeset_running_text", broken)
    folder = template_folder(tmp_path, "{{ letter.language }}")
    out = tmp_path / "o.txt"
    result = CliRunner().invoke(
        main, [*letter_args("objection", "DE", "de", out), "--template-dir", str(folder)]
    )
    assert result.exit_code == 1, result.output
    assert "internal error: TypeError: dsr's own bug" in result.output


# 11b #7 (MEDIUM): a folder at a kit file's name gave exit 1 and a half-replaced kit.

MAKERS: list[Callable[[Path], None]] = [os.mkdir, os.mkfifo]


@pytest.mark.parametrize("make", MAKERS, ids=["folder", "fifo"])
def test_7_kit_names_are_checked_before_anything_is_written(
    tmp_path: Path, make: Callable[[Path], None]
) -> None:
    kit = tmp_path / "KB"
    args = ["templates", "-o", str(kit), "--kind", "objection", "--jurisdiction", "DE"]
    args += ["--format", "html", "--jobs", "1"]
    code, output = invoke(*args)
    assert code == 0, output
    first = kit / "DE" / "objection-de.html"  # written before objection-en.html
    first.write_text("MINE", encoding="utf-8")
    bad = kit / "DE" / "objection-en.html"
    bad.unlink()
    make(bad)
    code, output = invoke(*args, "--force")
    assert code == 2, output
    assert output == f"Error: {bad} {NOT_REGULAR}\n"
    assert first.read_text(encoding="utf-8") == "MINE"


def batch_file(tmp_path: Path) -> Path:
    source = tmp_path / "rows.jsonl"
    source.write_text(json.dumps(ROW) + "\n", encoding="utf-8")
    return source


@pytest.mark.parametrize("force", [False, True], ids=["again", "force"])
def test_7_a_folder_at_a_batch_letter_s_name_is_named(tmp_path: Path, force: bool) -> None:
    source = batch_file(tmp_path)
    out = tmp_path / "out"
    args = ["batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "1"]
    code, output = invoke(*args)
    assert code == 0, output
    (letter,) = out.glob("0001-*.txt")
    letter.unlink()
    letter.mkdir()
    code, output = invoke(*args, *(["--force"] if force else []))
    assert code == 2, output
    assert f"{letter} {NOT_REGULAR}" in output
    assert "changed after dsr wrote it" not in output
    assert "Is a directory" not in output
    assert letter.is_dir()


@pytest.mark.parametrize("command", ["templates", "batch"])
def test_7_a_folder_at_the_zip_s_name_is_refused_before_anything_is_written(
    tmp_path: Path, command: str
) -> None:
    out = tmp_path / "K"
    (tmp_path / "K.zip").mkdir()
    if command == "templates":
        args = ["templates", "--kind", "objection", "--jurisdiction", "DE", "--format", "html"]
    else:
        args = ["batch", str(batch_file(tmp_path)), "--format", "txt"]
    code, output = invoke(*args, "-o", str(out), "--jobs", "1", "--zip", "--force")
    assert code == 2, output
    assert output == f"Error: --zip: {tmp_path / 'K.zip'} {NOT_REGULAR}\n"
    assert not out.exists()


# 11b #9 (LOW): invisible and line-breaking characters in names dsr creates.

INVISIBLE = [
    "\u2028",
    "\u2029",
    "\u200b",
    "\u00ad",
    "\u034f",
    "\u115f",
    "\u1160",
    "\u3164",
    "\uffa0",
    "\u2060",
    "\ufeff",
    "\u180e",
    "\ufe0f",
    "\U000e0041",
    "\u2800",
    "\u200c",
    "\u200d",
]  # fmt: skip (a joiner or a selector between letters of ASCII joins nothing)


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_9_an_invisible_character_names_no_new_file_or_folder(tmp_path: Path, char: str) -> None:
    for path, kind in (
        (tmp_path / f"x{char}x.txt", "file"),
        (tmp_path / f"d{char}/x.txt", "folder"),
    ):
        code, output = invoke(*letter_args("objection", "DE", "de", path))
        assert code == 2, output
        assert "Error: --output: " in output
        assert f"cannot name a new {kind}: use printable characters" in output
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(files.UnsafeFile, match="use printable characters"):
        files.name_parts(f"a/b{char}.txt")


@pytest.mark.parametrize(
    "name",
    [
        "Widerspruch Müller (Kopie), 2.pdf",
        "Μαρία Παπαδοπούλου.pdf",
        "Жалоба — копия.pdf",
        "申し立て「山田」.pdf",
        "이의 신청서.pdf",
        "اعتراض علی.pdf",
        "می\u200cخواهم.pdf",  # noqa: RUF001 - Persian: a zero-width non-joiner inside a word
        "क्\u200dष.pdf",  # Devanagari: a joiner after a virama (a half form)
        "שלום עולם.pdf",
        "ตัวอย่าง.pdf",
        "Ǆemal.pdf",
        "letter\u3000copy.pdf",  # an ideographic space is a space
        "\u2764\ufe0f Brief.pdf",  # an emoji with its variation selector
        "\U0001f468\u200d\U0001f469\u200d\U0001f467.pdf",  # a family: joined emoji
    ],
)
def test_9_names_in_every_script_stay_allowed(tmp_path: Path, name: str) -> None:
    assert files.name_parts(f"folder/{name}") == ["folder", name]
    files.check_new_names(tmp_path / name / name)


# 11a #12 (LOW): a BOM at the start of a later JSONL line (cat a.jsonl b.jsonl).


def test_12_a_bom_on_a_later_jsonl_line_is_skipped(tmp_path: Path) -> None:
    source = tmp_path / "rows.jsonl"
    line = json.dumps(ROW)
    source.write_text(f"\ufeff{line}\n\ufeff{line}\n\ufeff\n", encoding="utf-8")
    rows = list(read_rows(source))
    assert [number for number, _ in rows] == [1, 2]
    assert rows[1][1] == rows[0][1]
    assert rows[1][1]["account-email"] == "a@example.org"


# 11a #13 (LOW): YAML errors printed "\u000a" for their line breaks.


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "- kind: objection\n  situation: |\n      I am a nurse.\n    #nurselife\n"
            "      Then they wait.\n",
            ("line 5, column 7: ", " (while parsing a block mapping at line 1, column 3)"),
        ),
        (
            '- kind: objection\n  name: "Äl\x01ice"\n',  # column 12 in characters, 13 in bytes
            ("line 2, column 12: unacceptable character #x0001: ", " are not allowed"),
        ),
    ],
    ids=["block", "character"],
)
def test_13_a_yaml_error_is_one_readable_line(
    tmp_path: Path, text: str, problem: tuple[str, str]
) -> None:
    source = tmp_path / "rows.yaml"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(BatchFileError) as caught:
        list(read_rows(source))
    message = str(caught.value)  # the parser's words differ between libyaml and PyYAML
    assert message.startswith(f"{source}: not valid YAML: {problem[0]}"), message
    assert message.endswith(problem[1]), message
    assert "\n" not in message
    assert "<unicode string>" not in message
    code, output = invoke("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 2, output
    assert output == f"Error: {message}\n"
    code, output = invoke("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 2, output
    assert output == f"Error: {message}\n"


# Attack 12b #1 (MEDIUM): "%" formatting in a user template made 900 MB.
@pytest.mark.parametrize(
    "expression", ["('%0900000000d' % 1)|length", "('%0*d' % (900000000, 1))|length"]
)
def test_12_percent_formatting_in_a_user_template_is_bounded(
    expression: str, tmp_path: Path
) -> None:
    from dsr.sandbox import BoundedEnvironment, TemplateTooCostly

    environment = BoundedEnvironment()
    with pytest.raises(TemplateTooCostly):
        environment.from_string("{{ " + expression + " }}").render()
    assert environment.from_string("{{ '%s, %d' % ('a', 3) }}").render() == "a, 3"


# Attack 12b #4 (LOW): names not valid UTF-8, private use, stacked marks, only spaces.
@pytest.mark.parametrize(
    "name",
    ["\udcff\udcfe.txt", "\U000f0000.txt", "a\u0338\u0338\u0338\u0338\u0338.txt", "\u00a0.txt", " .txt"],
)  # fmt: skip
def test_12_unreadable_or_blank_names_are_refused(name: str) -> None:
    from dsr import files

    with pytest.raises(files.UnsafeFile):
        files.name_parts(name)
