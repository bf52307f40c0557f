"""Conventions of well-liked command lines: -V, completion, colour, --debug anywhere,
examples in --help, and a hint for a URL given where a file is expected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import dsr
from dsr.cli import debug_first, main
from tests.conftest import letter_args

RED_ERROR = "\x1b[31m\x1b[1mError:\x1b[0m"
YELLOW_WARNING = "\x1b[33m\x1b[1mWarning:\x1b[0m"


def invoke(*args: str, color: bool = False, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="dsr", color=color, env=env)


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag: str) -> None:
    result = invoke(flag)
    assert result.exit_code == 0
    assert result.stdout == f"dsr {dsr.__version__}\n"


def complete(*words: str) -> list[str]:
    """What bash completion offers for the last of ``words`` (Click's bash_complete)."""
    line = ["dsr", *words]
    result = CliRunner().invoke(
        main,
        [],
        prog_name="dsr",
        env={
            "_DSR_COMPLETE": "bash_complete",
            "COMP_WORDS": " ".join(line),
            "COMP_CWORD": str(len(line) - 1),
        },
    )
    assert result.exit_code == 0, result.output
    return [line.split(",", 1)[1] for line in result.stdout.splitlines()]


def test_completion_offers_kinds_jurisdictions_languages_and_controllers() -> None:
    assert complete("letter", "--kind", "") == [k.value for k in dsr.Kind]
    assert complete("letter", "--kind", "co") == ["complaint", "controller-complaint"]
    assert complete("letter", "--request-kind", "") == [k.value for k in dsr.Kind.requests()]
    offered = complete("letter", "--jurisdiction", "de")
    assert offered[0] == "DE"
    assert "DE-BY" in offered
    assert all(code.startswith("DE") for code in offered)
    assert complete("letter", "--lang", "zh") == ["zh-Hant"]
    assert "fr-CH" in complete("letter", "--also-lang", "fr")
    assert complete("letter", "--controller", "linked") == ["linkedin"]
    assert "frcnil" in complete("letter", "--authority", "")
    assert "DE-BY" in complete("templates", "--jurisdiction", "DE-")
    assert complete("templates", "--lang", "de") == ["de", "de-CH"]


def test_errors_are_red_on_a_terminal_and_plain_with_no_color(tmp_path: Path) -> None:
    args = [*letter_args("objection", "FR", "fr", tmp_path / "a.pdf"), "--kind", "letter"]
    coloured = invoke(*args, color=True)
    assert coloured.exit_code == 2
    assert coloured.stderr.startswith(f"{RED_ERROR} --kind: 'letter' is not a letter kind")
    plain = invoke(*args, color=True, env={"NO_COLOR": "1"})
    assert plain.exit_code == 2
    assert plain.stderr.startswith("Error: --kind: 'letter' is not a letter kind")
    assert "\x1b[" not in plain.stderr
    piped = invoke(*args)  # not a terminal: no escape codes either
    assert piped.stderr.startswith("Error: --kind:")


@pytest.mark.parametrize(("env", "label"), [({}, YELLOW_WARNING), ({"NO_COLOR": "1"}, "Warning:")])
def test_warnings_are_yellow_on_a_terminal(dsr_home: Path, env: dict[str, str], label: str) -> None:
    (dsr_home / "controllers").mkdir()
    fifo = dsr_home / "controllers" / "zz.json"
    os.mkfifo(fifo)  # a file dsr skips, with a warning
    result = invoke("list", "controllers", color=True, env=env)
    assert result.exit_code == 0, result.output
    assert f"{label} ignored {fifo}: not a regular file; fix it, or remove it\n" in result.stderr
    assert ("\x1b[" in result.stderr) is not bool(env)


@pytest.mark.parametrize(
    ("args", "moved"),
    [
        (["letter", "--kind", "x", "--debug"], ["--debug", "letter", "--kind", "x"]),
        (["--debug", "list", "kinds"], ["--debug", "list", "kinds"]),
        (["list", "kinds"], ["list", "kinds"]),
        (["letter", "--", "--debug"], ["letter", "--", "--debug"]),
    ],
)
def test_debug_is_moved_to_the_front(args: list[str], moved: list[str]) -> None:
    assert debug_first(args) == moved


def test_debug_is_accepted_after_the_command(tmp_path: Path) -> None:
    assert invoke("list", "kinds", "--debug").exit_code == 0
    args = [*letter_args("objection", "FR", "fr", tmp_path / "a.pdf"), "--kind", "letter"]
    quiet = invoke(*args)
    assert quiet.exit_code == 2
    assert quiet.exception is not None  # SystemExit, after one line per problem
    assert isinstance(quiet.exception, SystemExit)
    traced = invoke(*args, "--debug")  # --debug: the library's exception itself
    assert isinstance(traced.exception, dsr.InvalidRequest)


def test_help_shows_examples_and_completion() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "  Examples:\n    dsr letter -o objection.pdf " in result.stdout
    assert "_DSR_COMPLETE=bash_source dsr" in result.stdout
    assert "-V, --version" in result.stdout


def test_a_url_given_as_profile_points_to_profile_url(tmp_path: Path) -> None:
    url = "https://www.linkedin.com/in/erika"
    result = invoke("letter", "--profile", url, "-o", str(tmp_path / "a.pdf"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--profile': {url!r} is a web address, not a file of "
        "your details; did you mean --profile-url?"
    )
