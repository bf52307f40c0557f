"""The web page: a guided form, a preview, downloads, and (locally) the tracking page.

``create_app()`` is the WSGI application ``dsr serve`` runs on waitress; an NGO
runs ``create_app(hosted=True)`` behind its own server (gunicorn, several
workers). Every letter goes through dsr.pipeline, as the CLI's do.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import logging
import os
import secrets
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, Literal, overload

from babel.dates import format_date
from flask import Flask, Request, Response, abort, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect
from platformdirs import user_documents_dir
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, ServiceUnavailable
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import sending, ui
from ..errors import DsrError
from ..formats import Engine, Format, WriteOptions
from ..i18n import language_name, locale_id
from ..model import Kind
from ..pipeline import Document, email_with
from . import api, flow, tracking, uploads
from .flow import Annex, Checked, Step
from .security import HEADERS, Busy, RenderSlots, Settings, from_this_site, host_allowed

ACCESS_LOG = logging.getLogger("dsr.web.access")
LOG = logging.getLogger("dsr.web")
MAX_BODY = (flow.MAX_ANNEXES * flow.MAX_ANNEX_BYTES) * 2 + 256 * 1024  # base64 grows 4/3
PREVIEW_SCALE = 96 / 72  # page images at 96 dpi
MAX_PREVIEW_PIXELS = 1600
MAX_PREVIEW_PAGES = 12
DOWNLOADS = {
    "pdf": ("application/pdf", Format.PDF),
    "txt": ("text/plain; charset=utf-8", Format.TXT),
    "eml": ("message/rfc822", Format.EML),
    "html": ("text/html; charset=utf-8", Format.HTML),
}


class InMemoryRequest(Request):
    """A request whose uploads stay in memory (bounded by MAX_BODY): a hosted page
    writes nothing to disk, not even a spooled upload."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()


class CsrfCookie(SecureCookieSessionInterface):
    """The one cookie (the CSRF token's): Secure whenever the page is served over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request.is_secure)


def create_app(
    *,
    hosted: bool = False,
    operator: str | None = None,
    privacy_url: str | None = None,
    max_renders: int | None = None,
    render_queue: int | None = None,
    render_wait: float = 10.0,
    rate_limit: str | None = None,
    secret_key: bytes | str | None = None,
    hosts: tuple[str, ...] = (),
    engine: Engine = Engine.TYPST,
    folder: Path | None = None,
    proxies: int = 0,
) -> Flask:
    """The page as a WSGI application.

    ``hosted`` serves members of an NGO: nothing is stored, there is no tracking
    page, ``operator`` and ``privacy_url`` name who runs it. Without it the page is
    a member's own, on loopback: it answers only to loopback names (and ``hosts``),
    and shares the tracking store with the CLI. ``max_renders`` letters are rendered
    at once (default: the CPU count); up to ``render_queue`` more (default: eight times
    as many) wait up to ``render_wait`` seconds for one; past that the answer is 503
    with Retry-After.
    ``rate_limit`` is per client (default "30/minute;300/hour" for letters, hosted).
    Several instances share CSRF tokens through one ``secret_key`` (or the
    ``DSR_SECRET_KEY`` environment variable). Behind ``proxies`` reverse proxies,
    the client's address (for the rate limit) and scheme are read from their
    X-Forwarded-For and X-Forwarded-Proto headers.
    """
    app = Flask(__name__)
    app.request_class = InMemoryRequest
    app.session_interface = CsrfCookie()
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0
        )
    key = secret_key or os.environ.get("DSR_SECRET_KEY")
    if not key:
        if hosted:
            LOG.warning(
                "DSR_SECRET_KEY is not set: a form is accepted only by the process that made "
                "it; with several workers or instances, set the same DSR_SECRET_KEY on each"
            )
        key = secrets.token_bytes(32)
    app.config.update(
        SECRET_KEY=key,
        MAX_CONTENT_LENGTH=MAX_BODY,
        MAX_FORM_MEMORY_SIZE=MAX_BODY,
        SESSION_COOKIE_NAME="dsr_csrf",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        WTF_CSRF_TIME_LIMIT=4 * 3600,
        # The page sends no Referer (Referrer-Policy: no-referrer), so Flask-WTF's
        # HTTPS Referer check would refuse every form; Origin and Sec-Fetch-Site are
        # checked instead (_start).
        WTF_CSRF_SSL_STRICT=False,
    )
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        ui.gettext, ui.ngettext, newstyle=True, pgettext=ui.pgettext
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.extensions["dsr"] = serving = Settings(
        hosted=hosted,
        operator=operator,
        privacy_url=privacy_url,
        slots=RenderSlots(max_renders or os.cpu_count() or 2, render_queue, render_wait),
        hosts=frozenset(h.lower() for h in hosts),
        engine=engine,
        folder=folder or Path(user_documents_dir()) / "dsr",
    )
    csrf = CSRFProtect(app)
    # Initialised on the app after _start, so that every request is timed from its start.
    # Per process by default; several workers share one limit through a storage they
    # all reach (DSR_RATE_LIMIT_STORAGE=redis://..., as Flask-Limiter takes it).
    storage = os.environ.get("DSR_RATE_LIMIT_STORAGE") or "memory://"
    limiter = Limiter(get_remote_address, storage_uri=storage, default_limits=[])
    letters_limit = rate_limit or ("30/minute;300/hour" if hosted else "600/minute")

    csrf.exempt(api.blueprint)
    limiter.limit(letters_limit, methods=["POST"])(api.blueprint)
    app.register_blueprint(api.blueprint)
    if not hosted:
        app.register_blueprint(tracking.blueprint)

    @app.before_request
    def _start() -> Response | None:
        g.started = time.perf_counter()
        if not hosted and not host_allowed(request.host, serving.hosts):
            abort(400, "This server answers only to its own address.")
        checked_origin = not hosted or not request.path.startswith("/api/")
        if (
            request.method == "POST"
            and checked_origin
            and not from_this_site(
                request.headers.get("Origin"),
                request.headers.get("Sec-Fetch-Site"),
                request.host,
                request.scheme,
            )
        ):
            abort(
                403, ui.gettext("A form on another website cannot send information to this page.")
            )
        g.ui = _ui_language()
        g.speaking = flow.speaking(g.ui)
        g.speaking.__enter__()
        return None

    limiter.init_app(app)

    @app.errorhandler(429)
    def _too_many(error: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            response, status = api.http_problem(error)
        else:
            message = ui.gettext("You have asked for many letters in a short time. Wait a minute.")
            response, status = Response(render_template("error.html", message=message)), 429
        response.status_code = status
        response.headers["Retry-After"] = "60"
        return response

    @app.teardown_request
    def _end(error: BaseException | None) -> None:
        speaking = g.pop("speaking", None)
        if speaking is not None:
            speaking.__exit__(None, None, None)

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        response.headers["Vary"] = "Accept-Language"
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        # The path only: no query string, no form data, no address reaches the log.
        ACCESS_LOG.info("%s %s %s %.0fms", request.method, request.path, response.status_code,
                        elapsed)  # fmt: skip
        return response

    @app.context_processor
    def _page() -> dict[str, Any]:
        return {
            "ui_language": g.get("ui", "en"),
            "ui_direction": "ltr",
            "ui_languages": [(tag, language_name(tag)) for tag in ui.ui_languages()],
            "hosted": hosted,
            "operator": operator,
            "privacy_url": privacy_url,
            "label": flow.label,
        }

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        message = ui.gettext(
            "This form has expired or was not sent from this page. Start again from the first step."
        )
        return render_template("error.html", message=message), 400

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge) -> Any:
        if request.path.startswith("/api/"):
            return api.http_problem(error)
        message = ui.gettext("What you sent is too large: each enclosure may be up to {limit} MB.")
        return render_template(
            "error.html", message=message.format(limit=flow.MAX_ANNEX_BYTES // 2**20)
        ), 413

    @app.errorhandler(Busy)
    def _busy(error: Busy) -> Any:
        if request.path.startswith("/api/"):
            return api.http_problem(ServiceUnavailable("Busy: try again in a moment."))
        message = ui.gettext("Many letters are being written right now. Try again in a moment.")
        response = Response(render_template("error.html", message=message), 503)
        response.headers["Retry-After"] = "2"
        return response

    @app.errorhandler(500)
    def _fault(error: Exception) -> tuple[str, int]:
        message = ui.gettext(
            "Something went wrong on our side. Nothing you entered was kept; please try again."
        )
        return render_template("error.html", message=message), 500

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
        if request.path.startswith("/api/"):
            return api.http_problem(error)  # type: ignore[return-value]
        return render_template("error.html", message=error.description), error.code or 500

    limited = limiter.limit(letters_limit, methods=["POST"])

    @app.get("/")
    def start() -> str:
        values = flow.posted(request.args)
        return _place(values, Checked(values))

    @app.post("/letter")
    @limited
    def letter() -> str | Response:
        values = flow.posted(request.form)
        step = _step(request.form.get("step"))
        if request.form.get("stay"):  # the page's language changed: the same step again
            return _show(step, values, Checked(values))
        if request.form.get("back"):
            return _show(_earlier(step), values, Checked(values))
        checked = flow.check(values, step, flow.today())
        if step is Step.DETAILS:
            annexes = _uploads(checked)
            if checked.ok:
                return _preview(checked, annexes)
            return _show(Step.DETAILS, values, checked)
        if not checked.ok:
            return _show(step, values, checked)
        return _show(_later(step), values, Checked(values))

    @app.post("/edit")
    def edit() -> str:
        values = flow.posted(request.form)
        return _show(Step.DETAILS, values, Checked(values))

    @app.post("/download")
    @limited
    def download() -> Response | str:
        values = flow.posted(request.form)
        checked = flow.check(values, Step.DETAILS, flow.today())
        with serving.slots.slot():  # reading uploads is work too: within the cap
            annexes, problems = flow.carried_annexes(request.form.getlist(flow.ANNEX_FIELD))
        for problem in problems:
            checked.add("enclose", problem)
        if not checked.ok or checked.request is None:
            return _show(Step.DETAILS, values, checked)
        kind = request.form.get("format", "pdf")
        document = flow.with_annexes(checked, annexes)
        if kind == "ics":
            data = flow.deadline_calendar(document.letter, lambda: datetime.now(UTC))
            name = flow.file_name(document.letter, "ics")
            return _attachment(data, "text/calendar; charset=utf-8", name)
        if kind not in DOWNLOADS or kind == "html":
            abort(400, ui.gettext("Choose PDF, text, e-mail or calendar."))
        content_type, fmt = DOWNLOADS[kind]
        if fmt is Format.EML and not document.letter.recipient_email:
            abort(
                400,
                ui.gettext(
                    "This company does not publish an e-mail address for this kind of request."
                ),
            )
        if document.annexes and fmt.carries_pdf:
            found = _with_annexes(document, fmt)
            if found is None:
                checked.add("enclose", ui.gettext("This PDF cannot be read."))
                return _show(Step.DETAILS, values, checked)
            data = found
        else:
            data = render(document, fmt)
        return _attachment(data, content_type, flow.file_name(document.letter, kind))

    def _with_annexes(document: Document, fmt: Format) -> bytes | None:
        """The letter, the member's annexes appended in a bounded child process (the
        server never copies a hostile file's objects itself)."""
        with serving.slots.slot():
            try:
                pages = api.make(dataclasses.replace(document, annexes=()), Format.PDF)
            except DsrError as error:
                abort(422, str(error))
            annexes = tuple(a for a in document.annexes if isinstance(a, bytes))
            pdf = uploads.appended(document.letter, pages, annexes)
            if pdf is None or fmt is Format.PDF:
                return pdf
            return email_with(document, WriteOptions(fmt, engine=serving.engine), pdf)

    def _show(step: Step, values: dict[str, str], checked: Checked) -> str:
        if step is Step.PLACE:
            return _place(values, checked)
        if step is Step.KIND:
            offered = flow.kinds_offered(values)
            return render_template(
                "kind.html",
                step=step,
                values=values,
                checked=checked,
                kinds=offered,
                setting=flow.setting_of(values),
                objection_law=flow.objection_law(values),
                company=flow.company_name(values),
            )
        language = values.get("lang") or flow.default_language(values)
        kind = values.get("kind", "")
        return render_template(
            "details.html",
            step=step,
            values={**values, "lang": language},
            checked=checked,
            kind=kind,
            follows_up=kind in {k.value for k in Kind if k.follows_up},
            request_kinds=[(k.value, sending.kind_name(k)) for k in Kind.requests()],
            outcomes=[(o, flow.outcome_name(o)) for o in ("none", "refused", "insufficient")],
            languages=[(c.code, c.name) for c in flow.letter_languages(g.ui)],
            authorities=[(c.code, c.name) for c in flow.authorities()],
            max_annexes=flow.MAX_ANNEXES,
            annex_limit=flow.MAX_ANNEX_BYTES // 2**20,
        )

    def _place(values: dict[str, str], checked: Checked) -> str:
        query = request.args.get("q", "")[:80]
        companies = flow.companies(query)
        if values.get("controller") and not any(c.code == values["controller"] for c in companies):
            companies = [*companies, *flow.companies(values["controller"])]
        return render_template(
            "place.html",
            step=Step.PLACE,
            values=values,
            checked=checked,
            countries=flow.countries(g.ui),
            companies=companies,
            query=query,
        )

    def _uploads(checked: Checked) -> list[Annex]:
        with serving.slots.slot():  # reading uploads is work too: within the cap
            return _read_uploads(checked)

    def _read_uploads(checked: Checked) -> list[Annex]:
        annexes, problems = flow.carried_annexes(request.form.getlist(flow.ANNEX_FIELD))
        files = [f for f in request.files.getlist("enclose") if f.filename]
        if len(files) + len(annexes) > flow.MAX_ANNEXES:
            checked.add(
                "enclose",
                ui.ngettext(
                    "You can attach up to %(num)d file.",
                    "You can attach up to %(num)d files.",
                    flow.MAX_ANNEXES,
                )
                % {"num": flow.MAX_ANNEXES},
            )
        for number, upload in enumerate(files[: flow.MAX_ANNEXES], start=len(annexes) + 1):
            data = upload.stream.read(flow.MAX_ANNEX_BYTES + 1)
            name = flow.annex_name(upload.filename or "", number)
            problem = flow.annex_problem(data)
            if problem:
                problems.append(f"{name}: {problem}")
                break  # one refused file is enough to say: the others wait for the next try
            annexes.append(Annex(name, data))
        for problem in problems:
            checked.add("enclose", problem)
        return annexes

    def _preview(checked: Checked, annexes: list[Annex]) -> str:
        document = flow.with_annexes(checked, annexes)
        # The pages shown are the letter's own (and its translation's): an enclosure is
        # the member's file, listed by name, never rasterised (a page of any size or a
        # thousand pages would cost the server what the member did not ask for).
        pages = render(dataclasses.replace(document, annexes=()), Format.PDF, images=True)
        text = render(document, Format.TXT).decode()
        letter = document.letter
        return render_template(
            "preview.html",
            step=None,
            values=checked.values,
            annexes=annexes,
            pages=pages,
            text=text,
            letter=letter,
            kind_name=sending.letter_kind_name(letter),
            deadline_label=sending.deadline_label(letter),
            language_label=language_name(letter.language, g.ui),
            how_to_send=sending.how_to_send(letter),
            deadline=_date_in(letter.deadline),
            form_url=sending.form_of(letter),
            to_authority=letter.recipient_is_authority,
            can_email=bool(letter.recipient_email),
            shows_deadline=sending.has_deadline(letter),
        )

    @overload
    def render(document: Document, fmt: Format, images: Literal[False] = False) -> bytes: ...
    @overload
    def render(document: Document, fmt: Format, images: Literal[True]) -> list[str]: ...
    def render(document: Document, fmt: Format, images: bool = False) -> bytes | list[str]:
        """The letter in ``fmt`` (or its pages as images), within the render cap."""
        try:
            with serving.slots.slot():
                data = api.make(document, fmt)
                return page_images(data) if images else data
        except DsrError as error:
            abort(422, str(error))

    return app


def _step(value: str | None) -> Step:
    try:
        return Step(value or "place")
    except ValueError:
        return Step.PLACE


def _earlier(step: Step) -> Step:
    steps = list(Step)
    return steps[max(0, steps.index(step) - 1)]


def _later(step: Step) -> Step:
    steps = list(Step)
    return steps[min(len(steps) - 1, steps.index(step) + 1)]


def _ui_language() -> str:
    chosen = request.values.get("ui", "")
    if chosen in ui.ui_languages():
        return chosen
    return ui.negotiate(request.headers.get("Accept-Language", ""))


def _date_in(day: date) -> str:
    return format_date(day, format="long", locale=locale_id(g.get("ui", "en")))


def _attachment(data: bytes, content_type: str, name: str) -> Response:
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def page_images(pdf: bytes) -> list[str]:
    """A letter's pages as PNG data URIs, as they will print (PDFium, 96 dpi, each
    image at most MAX_PREVIEW_PIXELS on its longer side, at most MAX_PREVIEW_PAGES)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        images = []
        for number, page in enumerate(document):
            if number >= MAX_PREVIEW_PAGES:
                page.close()
                break
            width, height = page.get_size()
            scale = min(PREVIEW_SCALE, MAX_PREVIEW_PIXELS / max(width, height, 1))
            bitmap = page.render(scale=scale)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG", optimize=False)
            images.append("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode())
            page.close()
        return images
    finally:
        document.close()
