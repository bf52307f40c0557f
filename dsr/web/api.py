"""The API, for NGOs' own code: the letters and the lists the form offers, as JSON.

    POST /api/v1/letters        {"kind": "objection", "jurisdiction": "DE", ...,
                                 "format": "pdf"}  -> the file, or 422 {"problems": [...]}
    GET  /api/v1/kinds | jurisdictions | languages | controllers | authorities
    GET  /api/v1/openapi.json

Keys are the CLI's option names, with dashes or underscores; validation is
``parse_request``'s, so a problem names its field as the CLI and batch do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request
from werkzeug.exceptions import HTTPException

from .. import __version__, choices, errors
from ..errors import DsrError, InvalidRequest, Problem
from ..formats import Format, WriteOptions
from ..inputs import parse_request
from ..pipeline import Document, document_of, make_letter
from . import flow
from .security import settings

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

FORMATS = {
    "pdf": ("application/pdf", Format.PDF),
    "txt": ("text/plain; charset=utf-8", Format.TXT),
    "html": ("text/html; charset=utf-8", Format.HTML),
    "eml": ("message/rfc822", Format.EML),
}
MAX_KEYS = 40
MAX_BODY = 64 * 1024  # a request's fields, no annexes: far below the page's limit


@blueprint.before_request
def _limit_body() -> None:
    request.max_content_length = MAX_BODY


def make(document: Document, fmt: Format) -> bytes:
    """The letter in ``fmt``, by the app's engine (the caller holds a render slot)."""
    return make_letter(document, WriteOptions(fmt, engine=settings().engine)).data


def render(document: Document, fmt: Format) -> bytes:
    """The letter in ``fmt``, within the app's render cap (Busy past it: 503)."""
    with settings().slots.slot():
        return make(document, fmt)


def _problems(problems: list[Problem], status: int = 422) -> tuple[Response, int]:
    listed = [{"field": p.field.replace("-", "_") or None, "message": p.message} for p in problems]
    return jsonify({"problems": listed}), status


def http_problem(error: HTTPException) -> tuple[Response, int]:
    """An HTTP error of the API, in the API's shape."""
    response, status = _problems([Problem("", str(error.description))], error.code or 500)
    if error.code == 503:
        response.headers["Retry-After"] = "2"
    return response, status


@blueprint.post("/letters")
def letters() -> Response | tuple[Response, int]:
    if not request.is_json:
        abort(415, "Send the request as JSON (Content-Type: application/json).")
    if request.content_length is not None and request.content_length > MAX_BODY:
        abort(413, f"The body is larger than {MAX_BODY // 1024} KB.")
    try:
        body = json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError):  # not JSON, or nested past what Python parses
        return _problems([Problem("", "The body is not valid JSON.")])
    if not isinstance(body, dict):
        return _problems([Problem("", "The body must be a JSON object of a request's fields.")])
    if len(body) > MAX_KEYS:
        return _problems(
            [Problem("", f"The object has {len(body)} keys; the limit is {MAX_KEYS}.")]
        )
    values = dict(body)
    fmt_name = values.pop("format", "pdf")
    if not isinstance(fmt_name, str) or fmt_name not in FORMATS:
        shown = repr(fmt_name)[:40]
        message = f"{shown} is not a format; use one of {', '.join(FORMATS)}"
        return _problems([Problem("format", message)])
    found = [k for k in values if str(k).replace("_", "-").strip().lower() == "enclose"]
    if found:
        message = "the API takes no annexes; append them to the PDF yourself, or use the form"
        return _problems([Problem("enclose", message)])
    content_type, fmt = FORMATS[fmt_name]
    # Remedies are named as the API's keys, not as the form's labels.
    with errors.wording(errors.plain_option, _api_command):
        try:
            request_ = parse_request(values, today=flow.today())
            document = document_of(request_)
        except InvalidRequest as error:
            return _problems(error.problems)
        except DsrError as error:
            return _problems([Problem("", str(error))])
    if fmt is Format.EML and not document.letter.recipient_email:
        message = (
            f"{document.letter.recipient.name} publishes no e-mail address for this request; "
            "ask for pdf or txt"
        )
        return _problems([Problem("format", message)])
    try:
        data = render(document, fmt)
    except DsrError as error:
        return _problems([Problem("", str(error))])
    response = Response(data, content_type=content_type)
    name = flow.file_name(document.letter, fmt_name)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _api_command(command: errors.Command) -> str:
    """A remedy that names a listing, as the API's own address for it."""
    if command.words[:1] == ("list",) and len(command.words) == 2:
        return f"GET /api/v1/{command.words[1]}"
    return errors.plain_command(command)


def _plain(records: tuple[Any, ...]) -> list[dict[str, Any]]:
    def value(item: Any) -> Any:
        if isinstance(item, dt.date):
            return item.isoformat()
        if isinstance(item, (list, tuple)):
            return [value(i) for i in item]
        if isinstance(item, dict):
            return {k: value(v) for k, v in item.items()}
        return item

    return [value(dataclasses.asdict(record)) for record in records]


@blueprint.get("/kinds")
def kinds() -> Response:
    return jsonify(_plain(choices.kinds()))


@blueprint.get("/jurisdictions")
def jurisdictions() -> Response:
    return jsonify(_plain(choices.jurisdictions()))


@blueprint.get("/languages")
def languages() -> Response:
    return jsonify(_plain(choices.languages()))


@blueprint.get("/controllers")
def controllers() -> Response:
    return jsonify(_plain(choices.controllers()))


@blueprint.get("/authorities")
def authorities() -> Response:
    return jsonify(_plain(choices.authorities()))


def _list(name: str, description: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": description,
            "operationId": f"list_{name}",
            "responses": {
                "200": {
                    "description": f"The {name}",
                    "content": {
                        "application/json": {
                            "schema": {"type": "array", "items": {"type": "object"}}
                        }
                    },
                }
            },
        }
    }


def openapi_document() -> dict[str, Any]:
    """The API described in OpenAPI 3.1 (the request schema is dsr.request_schema())."""
    schema = choices.request_schema()
    schema.pop("$schema", None)
    schema["properties"]["format"] = {"type": "string", "enum": list(FORMATS), "default": "pdf"}
    schema["properties"].pop("enclose", None)
    problems = {
        "type": "object",
        "required": ["problems"],
        "properties": {
            "problems": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["field", "message"],
                    "properties": {
                        "field": {"type": ["string", "null"]},
                        "message": {"type": "string"},
                    },
                },
            }
        },
    }
    files = {
        ctype: {"schema": {"type": "string", "format": "binary"}} for ctype, _ in FORMATS.values()
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "dsr",
            "version": __version__,
            "description": "Data-subject request letters: objections to AI training, "
            "Art. 21 objections, erasure and access requests, reminders and complaints.",
        },
        "paths": {
            "/api/v1/letters": {
                "post": {
                    "summary": "Write one letter",
                    "operationId": "write_letter",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Request"}}
                        },
                    },
                    "responses": {
                        "200": {"description": "The letter", "content": files},
                        "415": {
                            "description": "Not JSON",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Problems"}
                                }
                            },
                        },
                        "422": {
                            "description": "The request's problems, each naming its field",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Problems"}
                                }
                            },
                        },
                        "429": {"description": "Too many requests from this client"},
                        "503": {"description": "Busy: try again after Retry-After seconds"},
                    },
                }
            },
            "/api/v1/kinds": _list("kinds", "The letter kinds"),
            "/api/v1/jurisdictions": _list("jurisdictions", "Where members may live"),
            "/api/v1/languages": _list("languages", "The letters' languages"),
            "/api/v1/controllers": _list("controllers", "The companies letters go to"),
            "/api/v1/authorities": _list("authorities", "The supervisory authorities"),
        },
        "components": {"schemas": {"Request": schema, "Problems": problems}},
    }


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
