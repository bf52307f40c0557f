"""The library never names a CLI flag; the CLI adds the hint (issue 15, "A thin CLI").

Library messages carry their remedies as data (``errors.Option``, ``errors.Command``):
``str()`` of a library error is a plain sentence, and ``dsr.cliwords`` (set by the CLI
around every command, and handed to batch's workers) words them as flags and commands.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr import files
from dsr.batch import BatchFileError, run_batch
from dsr.cli import main
from dsr.cliwords import cli_command, cli_option, said
from dsr.errors import REPLACE, Command, Option, wording, words
from dsr.formats import Format, WriteOptions

TXT = WriteOptions(Format.TXT)

DSR = Path(__file__).resolve().parent.parent / "dsr"
# The CLI's own modules: they name its flags.
CLI_MODULES = frozenset({"cli.py", "guide.py", "cliwords.py"})
FLAG = re.compile(r"--[a-z][a-z-]+|(?<![\w-])-o\b|'dsr ")
# Flag-like strings that are no dsr flag: another program's options.
ALLOWED = {("glyphs.py", "--format")}  # fc-list --format, the font lister's own option


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def flags_named(source: str, name: str = "module.py") -> list[str]:
    """Flag-like text in the string constants of ``source`` that are no docstring
    (the pieces of an f-string too); comments are not string constants."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    named = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in docstrings:
            continue
        for match in FLAG.finditer(node.value):
            if (name, match.group()) not in ALLOWED:
                named.append(f"{name}:{node.lineno}: {match.group()!r} in {node.value[:70]!r}")
    return named


def test_no_library_module_names_a_cli_flag() -> None:
    modules = sorted(p for p in DSR.glob("*.py") if p.name not in CLI_MODULES)
    assert len(modules) > 20  # the scan reads the library, not an empty folder
    named = [hit for p in modules for hit in flags_named(p.read_text("utf-8"), p.name)]
    assert named == []


def test_the_scan_finds_flags_in_strings_and_f_strings_not_in_docstrings_or_comments() -> None:
    source = (
        '"""Run ``dsr batch --force``."""\n'
        "def f(path):\n"
        '    """Docstring: --force is fine here."""\n'
        "    # a comment: --force\n"
        '    a = f"{path} exists; use --force to replace it"\n'
        '    b = "choose another folder with -o"\n'
        "    c = \"run 'dsr list jurisdictions'\"\n"
        '    return a, b, c, "--trust-quotes 3-5"\n'
    )
    named = flags_named(source)
    assert sorted(hit.split(": ", 1)[1].split(" in ")[0] for hit in named) == [
        '"\'dsr "',
        "'--force'",
        "'--trust-quotes'",
        "'-o'",
    ]


def test_a_library_error_is_a_plain_sentence_and_the_cli_adds_the_flag(tmp_path: Path) -> None:
    target = tmp_path / "letter.pdf"
    error = files.OutputExists(target)
    assert str(error) == f"{target} exists; use force=True to replace it"
    assert "--" not in str(error)
    assert error.path == target
    assert error.options == (REPLACE,)
    assert said(error) == f"{target} exists; use --force to replace it"


def test_options_and_commands_are_worded_by_the_front_end() -> None:
    message = words(
        "see '",
        Command(("track", "remove", "12"), (Option("not-mine", keyword="not_mine=True"),)),
        "', or run again with ",
        Option("trust-quotes", "3-5", keyword="trusted"),
        " in ",
        Option("output", keyword="out_dir", short=True),
    )
    assert (
        str(message)
        == "see 'track remove 12 not_mine=True', or run again with trusted=3-5 in out_dir"
    )
    assert (
        said(message)
        == "see 'dsr track remove 12 --not-mine', or run again with --trust-quotes 3-5 in -o"
    )
    with wording(cli_option, cli_command):  # what the CLI sets around each command
        assert f"{message}" == said(message)
    assert "--" not in str(message)  # and the library's plain wording again outside it


def test_a_batch_refusal_carries_its_remedies_as_options(tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    source.write_text(
        "name,account-email,address\n"
        'Erika Muster,erika@example.org,"Hauptstrasse 1\n10115 Berlin"\n'
        "Otto Normal,otto@example.org,Hauptstrasse 2 10115 Berlin\n",
        encoding="utf-8",
    )
    with pytest.raises(BatchFileError) as refused:
        run_batch(source, tmp_path / "out", today=date(2026, 11, 22), options=TXT)
    error = refused.value
    assert [(o.name, o.keyword) for o in error.options] == [
        ("multiline-cells", "multiline"),
        ("trust-quotes", "trusted"),
    ]
    assert error.options[1].value == "2-3"
    assert "--" not in str(error)
    assert "multiline" in str(error)
    assert said(error).endswith(
        "run again with --multiline-cells (dsr then still refuses cells whose lines read as "
        "members' rows), or vouch for just these rows with --trust-quotes 2-3"
    )


def test_the_cli_says_the_flag_the_library_leaves_out(tmp_path: Path) -> None:
    """Through the one mapping (DsrGroup.invoke), as a member sees it."""
    source = tmp_path / "members.csv"
    source.write_text("kind,jurisdiction\nobjection,DE\n" * 1 + "objection,DE\n" * 2)
    result = CliRunner().invoke(
        main, ["batch", str(source), "-o", str(tmp_path / "out"), "--max-rows", "1"]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {source}: more than 1 rows, the limit; split the file, or raise the limit "
        "with --max-rows\n"
    )
