"""dsr: data-subject request letters that work.

The library API, for code that renders letters itself::

    from datetime import date
    from pathlib import Path

    from dsr import compose, parse_request, render_html, render_to

    request = parse_request(                              # keys: dsr.FIELDS
        {"kind": "objection", "jurisdiction": "FR", "name": "Marie Dupont",
         "address": "12 rue de la Paix, 75002 Paris", "account_email": "marie@example.org"},
        today=date.today(),
    )
    letter = compose(request)
    html = render_html(letter)
    render_to(letter, Path("letter.pdf"))  # the Path written; a binary file: None

``kinds()``, ``jurisdictions()``, ``languages()``, ``controllers()`` and
``authorities()`` list the choices a form offers; ``request_schema()`` is a JSON
Schema of a request. Nothing here imports Click; WeasyPrint and Typst load
only when a PDF is made.
Names load on first use, so ``dsr --help`` stays fast.
"""

from __future__ import annotations

# Nothing is imported here at run time: the command line's Ctrl-C handling
# starts in dsr.cli, which Python reaches only after running this file.
TYPE_CHECKING = False  # True for type checkers; typing's would import typing

__version__ = "0.1.0"

_EXPORTS = {
    "AuthorityChoice": "dsr.choices",
    "ControllerChoice": "dsr.choices",
    "JurisdictionChoice": "dsr.choices",
    "KindChoice": "dsr.choices",
    "LanguageChoice": "dsr.choices",
    "authorities": "dsr.choices",
    "controllers": "dsr.choices",
    "jurisdictions": "dsr.choices",
    "kinds": "dsr.choices",
    "languages": "dsr.choices",
    "request_schema": "dsr.choices",
    "compose": "dsr.composition",
    "DsrError": "dsr.errors",
    "InvalidRequest": "dsr.errors",
    "Problem": "dsr.errors",
    "Engine": "dsr.formats",
    "Format": "dsr.formats",
    "PdfVariant": "dsr.formats",
    "WriteOptions": "dsr.formats",
    "FIELDS": "dsr.inputs",
    "field_key": "dsr.inputs",
    "parse_request": "dsr.inputs",
    "RawInput": "dsr.inputs",
    "raw_input": "dsr.inputs",
    "Kind": "dsr.model",
    "Letter": "dsr.model",
    "Outcome": "dsr.model",
    "Request": "dsr.model",
    "render_to": "dsr.pipeline",
    "letter_bytes": "dsr.pipeline",
    "write_letter": "dsr.pipeline",
    "render_html": "dsr.render",
    "render_text": "dsr.render",
}

__all__ = [
    "FIELDS",
    "AuthorityChoice",
    "ControllerChoice",
    "DsrError",
    "Engine",
    "Format",
    "InvalidRequest",
    "JurisdictionChoice",
    "Kind",
    "KindChoice",
    "LanguageChoice",
    "Letter",
    "Outcome",
    "PdfVariant",
    "Problem",
    "RawInput",
    "Request",
    "WriteOptions",
    "__version__",
    "authorities",
    "compose",
    "controllers",
    "field_key",
    "jurisdictions",
    "kinds",
    "languages",
    "letter_bytes",
    "parse_request",
    "raw_input",
    "render_html",
    "render_text",
    "render_to",
    "request_schema",
    "write_letter",
]

if TYPE_CHECKING:
    from typing import Any

    from .choices import (
        AuthorityChoice,
        ControllerChoice,
        JurisdictionChoice,
        KindChoice,
        LanguageChoice,
        authorities,
        controllers,
        jurisdictions,
        kinds,
        languages,
        request_schema,
    )
    from .composition import compose
    from .errors import DsrError, InvalidRequest, Problem
    from .formats import Engine, Format, PdfVariant, WriteOptions
    from .inputs import FIELDS, RawInput, field_key, parse_request, raw_input
    from .model import Kind, Letter, Outcome, Request
    from .pipeline import letter_bytes, render_to, write_letter
    from .render import render_html, render_text


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'dsr' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names (what ``help(dsr)`` and completion in a REPL show), not the submodules."""
    return sorted(__all__)
