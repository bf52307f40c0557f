"""dsr list and dsr schema: what dsr knows, for people and programs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from .. import (
    choices,  # loads the registries: only for this command, not for --help
)
from ..choices import request_schema
from ..cli import shown

LISTS = ("kinds", "jurisdictions", "languages", "controllers", "authorities")


def _rows(what: str) -> list[dict[str, Any]]:
    """``dsr list WHAT``'s rows, from the library's lists (``dsr.choices``)."""

    if what == "kinds":
        return [{"kind": k.code, "description": k.description} for k in choices.kinds()]
    if what == "jurisdictions":
        return [
            {
                "code": j.code,
                "country": j.name,
                "law": j.law,
                "default_language": j.default_language,
                "paper": j.paper,
                "authority": j.authority,
            }
            for j in choices.jurisdictions()
        ]
    if what == "languages":
        return [
            {"code": lang.code, "name": lang.name, "english_name": lang.english_name}
            for lang in choices.languages()
        ]
    if what == "controllers":
        return [
            {
                "slug": c.code,
                "service": c.service,
                "entities": [
                    {"name": e.name, "country": e.country, "jurisdictions": list(e.jurisdictions)}
                    for e in c.entities
                ],
                "objection_form": c.objection_form,
                "ai_setting_url": c.ai_setting_url,
                "last_verified": c.last_verified.isoformat(),
            }
            for c in choices.controllers()
        ]
    return [
        {
            "slug": a.code,
            "jurisdictions": list(a.jurisdictions),
            "name": a.name,
            "name_en": a.name_en,
            "address": list(a.address),
            "email": a.email,
            "webform": a.webform,
            "complaint_languages": list(a.complaint_languages),
            "last_verified": a.last_verified.isoformat(),
        }
        for a in choices.authorities()
    ]


def _table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    def cell(value: Any) -> str:  # stored or imported text: escaped, one line per row
        if isinstance(value, list):
            return shown(", ".join(str(v) for v in value))
        return "" if value is None else shown(str(value))

    widths = {c: max(len(c), *(len(cell(r[c])) for r in rows)) for c in columns}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        click.echo("  ".join(cell(row[c]).ljust(widths[c]) for c in columns).rstrip())


TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "kinds": ("kind", "description"),
    "jurisdictions": ("code", "country", "law", "default_language", "paper", "authority"),
    "languages": ("code", "name", "english_name"),
    "controllers": ("slug", "service", "objection_form"),
    "authorities": ("slug", "jurisdictions", "complaint_languages", "name"),
}


@click.command(name="list")
@click.argument("what", type=click.Choice(LISTS))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
def list_(what: str, as_json: bool) -> None:
    """List kinds, jurisdictions, languages, controllers or authorities."""
    rows = _rows(what)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _table(rows, TABLE_COLUMNS[what])


@click.command()
def schema() -> None:
    """Print a JSON Schema of a request.

    The schema (draft 2020-12) gives the keys a profile, a batch row or
    dsr.parse_request takes, their types and choices, and which are required.
    """

    click.echo(json.dumps(request_schema(), ensure_ascii=False, indent=2))
