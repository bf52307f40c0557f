"""dsr: data-subject request letters that work.

The library API, for code that renders letters itself::

    from datetime import date
    from dsr import compose, parse_request, render_html

    request = parse_request({...}, today=date.today())
    letter = compose(request)
    html = render_html(letter)

Nothing here imports Click or WeasyPrint; PDF output lives in ``dsr.outputs``.
Names load on first use, so ``dsr --help`` stays fast.
"""

from __future__ import annotations

# Nothing is imported here at run time: the command line's Ctrl-C handling
# starts in dsr.cli, which Python reaches only after running this file.
TYPE_CHECKING = False  # True for type checkers; typing's would import typing

__version__ = "0.1.0"

_EXPORTS = {
    "compose": "dsr.compose",
    "DsrError": "dsr.errors",
    "InvalidRequest": "dsr.errors",
    "Problem": "dsr.errors",
    "parse_request": "dsr.inputs",
    "Kind": "dsr.model",
    "Letter": "dsr.model",
    "Outcome": "dsr.model",
    "Request": "dsr.model",
    "render_html": "dsr.render",
    "render_text": "dsr.render",
    "render_to": "dsr.outputs",
}

__all__ = [
    "DsrError",
    "InvalidRequest",
    "Kind",
    "Letter",
    "Outcome",
    "Problem",
    "Request",
    "compose",
    "parse_request",
    "render_html",
    "render_text",
    "render_to",
]

if TYPE_CHECKING:
    from typing import Any

    from .compose import compose
    from .errors import DsrError, InvalidRequest, Problem
    from .inputs import parse_request
    from .model import Kind, Letter, Outcome, Request
    from .outputs import render_to
    from .render import render_html, render_text


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'dsr' has no attribute {name!r}")
