"""How the CLI words the library's remedies: its flags and commands (CLI-only).

The library names no CLI flag: its messages carry options and commands as data
(``errors.Option``, ``errors.Command`` in ``errors.Words``). This module spells
them as the command line does; ``dsr.cli`` sets it around every command
(``errors.wording``), and batch hands it to its worker processes, which is why
it is a module of its own: a worker imports it without Click or ``dsr.cli``.
"""

from __future__ import annotations

from .errors import Command, DsrError, Option, Words


def cli_option(option: Option) -> str:
    """A library ``Option`` as the CLI spells it: ``--force``, ``--trust-quotes 3-5``, ``-o``."""
    flag = f"-{option.name[0]}" if option.short else f"--{option.name}"
    return flag + (f" {option.value}" if option.value else "")


def cli_command(command: Command) -> str:
    """A library ``Command`` as the command to run: ``dsr track remove 12 --not-mine``."""
    return " ".join(["dsr", *command.words, *(cli_option(o) for o in command.options)])


def said(message: object) -> str:
    """A library message (an error, ``Words``, a string) as the CLI says it."""
    if isinstance(message, DsrError):
        message = message.words
    if isinstance(message, Words):
        return message.render(cli_option, cli_command)
    return str(message)
