"""The library's exceptions: one root, so callers catch one thing."""

from __future__ import annotations

from dataclasses import dataclass


class DsrError(Exception):
    """Root of every error dsr raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One invalid or missing input, named the way the user typed it."""

    field: str
    message: str

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
    """An annex the member named cannot be appended (unreadable, or a PDF pypdf cannot
    copy): bad input, not a fault of dsr."""


class UserTemplateError(RenderError, InputError):
    """A template in the user's --template-dir failed: bad input, not a fault of dsr."""
