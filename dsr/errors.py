"""The library's exceptions: one root, so callers catch one thing."""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """A setting the member can change, named by its field (``"force"``, ``"output"``):
    each front end words it its own way (the CLI as ``--force``). ``keyword`` is the
    library's name for it, when that differs; ``value`` what to give it."""

    name: str
    value: str = ""
    keyword: str = ""
    short: bool = False  # the CLI's one-letter spelling (``-o``) where it used that


@dataclass(frozen=True)
class Command:
    """Something the member can do next (``("track", "remove", "12")``, with options):
    the CLI words it as the command to run."""

    words: tuple[str, ...]
    options: tuple[Option, ...] = ()


REPLACE = Option("force", keyword="force=True")  # "use --force to replace it" in the CLI
# What to run for the valid values (the library's own listings are in dsr.choices).
LIST_JURISDICTIONS = Command(("list", "jurisdictions"))
LIST_AUTHORITIES = Command(("list", "authorities"))
LIST_CONTROLLERS = Command(("list", "controllers"))


def plain_option(option: Option) -> str:
    name = option.keyword or option.name.replace("-", "_")
    return f"{name}={option.value}" if option.value else name


def plain_command(command: Command) -> str:
    return " ".join([*command.words, *(plain_option(o) for o in command.options)])


Wording = tuple[Callable[[Option], str], Callable[[Command], str]]
_WORDING: ContextVar[Wording] = ContextVar("dsr_wording", default=(plain_option, plain_command))


def current_wording() -> Wording:
    """The wording in effect (to hand to a worker process, which starts without it)."""
    return _WORDING.get()


@contextmanager
def wording(option: Callable[[Option], str], command: Callable[[Command], str]) -> Iterator[None]:
    """Within it, ``str()`` of every ``Words`` words options and commands by ``option``
    and ``command``: a front end (the CLI) sets its own spelling once, around a command,
    so that messages built anywhere (a batch row's, report.csv's) speak its language.
    Outside it, the library's plain wording (keyword arguments, no flag)."""
    token = _WORDING.set((option, command))
    try:
        yield
    finally:
        _WORDING.reset(token)


@dataclass(frozen=True)
class Words:
    """A message whose remedies are data (options, commands), not one front end's
    spelling: ``str()`` words them as the current ``wording`` says (the library's plain
    sentence by default); ``render`` words them as asked."""

    parts: tuple[str | Option | Command, ...]

    def render(self, option: Callable[[Option], str], command: Callable[[Command], str]) -> str:
        said = []
        for part in self.parts:
            if isinstance(part, Option):
                said.append(option(part))
            elif isinstance(part, Command):
                said.append(command(part))
            else:
                said.append(part)
        return "".join(said)

    @property
    def options(self) -> tuple[Option, ...]:
        """The options the message names (a remedy: ``force``, ``multiline-cells``...)."""
        named = [p for p in self.parts if isinstance(p, Option)]
        for command in (p for p in self.parts if isinstance(p, Command)):
            named += command.options
        return tuple(named)

    def __str__(self) -> str:
        return self.render(*_WORDING.get())

    def __add__(self, other: str | Words) -> Words:
        return words(self, other)

    def __radd__(self, other: str) -> Words:
        return words(other, self)


def words(*parts: str | Option | Command | Words) -> Words:
    """A message of text, options and commands (``Words`` in it are spliced in)."""
    flat: list[str | Option | Command] = []
    for part in parts:
        flat += part.parts if isinstance(part, Words) else [part]
    return Words(tuple(flat))


def worded(template: str, **values: object) -> Words:
    """``template`` (a translated message) with its ``{name}`` placeholders filled in:
    an ``Option`` or ``Command`` stays data, to be worded by the front end; other
    values are formatted as ``str.format`` would (``{name!r:.40}``)."""
    parts: list[str | Option | Command] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if name is None:
            continue
        value = values[name]
        if isinstance(value, Option | Command):
            parts.append(value)
            continue
        if conversion == "r":
            value = repr(value)
        elif conversion == "s":
            value = str(value)
        elif conversion == "a":
            value = ascii(value)
        parts.append(format(value, spec or ""))
    return words(*parts)


class DsrError(Exception):
    """Root of every error dsr raises on purpose. Its message may be ``Words`` (kept
    as ``.words``): ``str()`` is the plain sentence, the CLI words the remedies."""

    def __init__(self, *args: object) -> None:
        first = args[0] if args else ""
        self.words = first if isinstance(first, Words) else Words((str(first),))
        super().__init__(*((str(first), *args[1:]) if args else ()))

    @property
    def options(self) -> tuple[Option, ...]:
        """The options the message names as remedies, as data (``Option("force")``)."""
        return self.words.options


@dataclass(frozen=True)
class Problem:
    """One invalid or missing input, named the way the user typed it."""

    field: str
    message: str  # a ``Words`` is given as str(): worded when the problem is found

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidRequest(DsrError):
    """The input does not describe a request dsr can write; lists every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InputError(DsrError):
    """A file, ID or template the user gave cannot be used; the CLI exits 2, as for a bad value."""


class RegistryError(DsrError):
    """A registry record is missing or malformed (a bug in dsr's data)."""


class RenderError(DsrError):
    """A letter could not be rendered or written."""


class AnnexError(RenderError, InputError):
    """An annex the member named cannot be appended (unreadable, or a PDF pikepdf cannot
    copy): bad input, not a fault of dsr."""


class UserTemplateError(RenderError, InputError):
    """A template in the user's template folder failed: bad input, not a fault of dsr."""
