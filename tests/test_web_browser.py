"""``dsr serve`` in a real browser: Debian's Chromium, driven by Playwright.

The page is read as a member sees it: what the browser shows, the files it downloads, what it
puts on the clipboard. The server is the real one (``dsr serve --no-open`` in a child process,
tests/web_server.py). Every browser context routes every request and fails the test on one that
leaves the server (no CDN, no web fonts), on a script error and on a console error (a CSP
violation is one).

The browser is /usr/bin/chromium (``make test`` installs it). Without it the tests are skipped
on a developer's machine, and fail in CI (CI=true). DSR_SCREENSHOTS=1 also saves the README's
screenshots of the form and the preview to docs/screenshots/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from lingua import Language, LanguageDetectorBuilder
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Download,
    Error,
    Page,
    Route,
    sync_playwright,
)

from tests.conftest import ROOT, flat, pdf_text
from tests.web_server import CHROMIUM, CHROMIUM_ARGS, Server, serving

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = ROOT / "docs" / "screenshots"

# A member in Spain, as she types her details (the account e-mail first with a mistake).
LUCIA = {
    "name": "Lucía García Pérez",
    "address": "Calle Mayor 5\n28013 Madrid",
    "email": "lucia@example.es",
    "profile-url": "https://es.linkedin.com/in/lucia-garcia",
}
LUCIA_WRONG_EMAIL = "lucia.example.es"  # no @
LUCIA_EMAIL = "lucia@example.es"
SPANISH_OR_ENGLISH = LanguageDetectorBuilder.from_languages(
    Language.SPANISH, Language.ENGLISH
).build()
SITUATION_ES = (
    "Soy periodista y protejo a mis fuentes; mis publicaciones y contactos no deben "
    "reproducirse ni inferirse mediante modelos de IA."
)


# --- the browser and the server ---------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's Chromium: skipped without it on a developer's machine, a failure in CI."""
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"{CHROMIUM} is missing: `make test` installs Debian's chromium package"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the browser tests must run in CI, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Path) -> Iterator[Server]:
    """``dsr serve`` in local mode, with its own store."""
    with serving(tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watch:
    """What a context did that a member's page must never do."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.outside: list[str] = []  # requests to anything but the server
        self.errors: list[str] = []  # script errors and console errors

    def route(self, route: Route) -> None:
        url = route.request.url
        if self.server.is_own(url):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def page_error(self, error: Error) -> None:
        self.errors.append(f"script error: {error}")

    def page(self, page: Page) -> None:
        page.on("console", self.console)
        page.on("pageerror", self.page_error)


@pytest.fixture
def open_context(browser: Browser, server: Server) -> Iterator[Callable[..., BrowserContext]]:
    """New browser contexts (``locale=``, ``java_script_enabled=``, ...), watched and closed.

    ``on=`` names another server than the local one (the hosted one).
    """
    opened: list[tuple[BrowserContext, Watch]] = []

    def open_one(on: Server | None = None, **options: Any) -> BrowserContext:
        options.setdefault("accept_downloads", True)
        options.setdefault("viewport", {"width": 1100, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        watch = Watch(on or server)
        context.route("**/*", watch.route)
        context.on("page", watch.page)
        opened.append((context, watch))
        return context

    yield open_one
    for context, _ in opened:
        context.close()
    for _, watch in opened:
        assert not watch.outside, f"requests left the server: {watch.outside}"
        assert not watch.errors, f"the page reported errors: {watch.errors}"


# --- reading and filling the pages ------------------------------------------------------------


def axe_clean(page: Page, what: str) -> None:
    """axe-core finds no WCAG 2.2 A/AA violation on the page as it is now (once loaded:
    colour contrast is read from the stylesheet)."""
    page.wait_for_load_state("load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, f"axe on {what} ({page.url}):\n" + (
        results.generate_report()
    )


# The main form's forward button: "Continue", then "Preview the letter" (not the language
# switcher's, not the company filter's, not "Back").
NEXT = "form[method=post]:has(input[name=step]) button[type=submit]:not([name=back]) >> nth=-1"


def download_button(page: Page, fmt: str) -> str:
    """The button that downloads ``fmt`` (pdf, txt, eml, ics) from the preview page."""
    for selector in (
        f"form[action$='/download'] button[name=format][value={fmt}]",
        f"form[action$='/download']:has(input[name=format][value={fmt}]) button[type=submit]",
    ):
        if page.locator(selector).count():
            return f"{selector} >> nth=0"
    raise AssertionError(f"no button downloads {fmt!r} on {page.url}")


def saved(download: Download) -> bytes:
    return Path(download.path()).read_bytes()


def pdf_words(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), data[:40]
    return flat(pdf_text(data))


# --- the member's flow, with the mouse ---------------------------------------------------------


def fill_place(page: Page, country: str, controller: str = "linkedin") -> None:
    """Step 1: where the member lives (by the country's name) and the company."""
    page.select_option("#f-jurisdiction", label=country)
    first = page.locator("#f-controller option").first
    assert "LinkedIn" in first.inner_text(), "LinkedIn is not the first company"
    page.select_option("#f-controller", value=controller)
    page.click(NEXT)
    page.locator("input[name=kind]").first.wait_for()


def choose_kind(page: Page, kind: str) -> None:
    """Step 2: what the member wants."""
    page.check(f"input[name=kind][value={kind}]")
    page.click(NEXT)
    page.locator("#f-name").wait_for()


def fill_details(page: Page, member: dict[str, str], account_email: str) -> None:
    """Step 3: the member's details."""
    for field, value in member.items():
        page.fill(f"#f-{field}", value)
    page.fill("#f-account-email", account_email)


def to_preview(page: Page) -> None:
    page.click(NEXT)


def not_spanish(texts: list[str]) -> list[str]:
    """The texts that do not read as Spanish (English: the page's words untranslated)."""
    return [t for t in texts if SPANISH_OR_ENGLISH.detect_language_of(t) != Language.SPANISH]


def test_member_in_spain_fills_the_form_in_spanish(
    open_context: Callable[..., BrowserContext], server: Server
) -> None:
    context = open_context(locale="es-ES")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.origin)
    page = context.new_page()
    page.goto(server.url)
    assert page.locator("html").get_attribute("lang") == "es"
    read = [page.locator("h1").inner_text()]  # what she reads, checked for Spanish at the end
    fill_place(page, "España")
    read.append(page.locator("h1").inner_text())

    # The kinds Spanish law offers, each with one plain sentence; she objects.
    kinds = page.locator("input[name=kind]")
    assert kinds.count() >= 2
    for i in range(kinds.count()):
        sentence = page.locator("#" + (kinds.nth(i).get_attribute("aria-describedby") or "?"))
        assert sentence.inner_text().strip().endswith("."), sentence.inner_text()
    choose_kind(page, "objection")
    # Her details, with a mistake: an account e-mail address without @.
    fill_details(page, LUCIA, LUCIA_WRONG_EMAIL)
    if page.locator("#f-situation").count():
        page.fill("#f-situation", SITUATION_ES)
    to_preview(page)

    # The error is beside the field, in Spanish, and the field says it is invalid.
    error = page.locator("#e-account-email")
    error.wait_for()
    assert error.is_visible()
    assert page.locator("#f-account-email + #e-account-email").count() == 1, "not beside it"
    message = error.inner_text()
    assert "name@example.org" in message, message  # what an address looks like
    read.append(message.replace("name@example.org", ""))
    assert "must have an @-sign" not in message, f"part of the error is in English: {message}"
    field = page.locator("#f-account-email")
    assert field.get_attribute("aria-invalid") == "true"
    assert "e-account-email" in (field.get_attribute("aria-describedby") or "").split()
    summary = page.locator(".error-summary[role=alert]")
    assert summary.is_visible()
    assert summary.locator("a[href='#f-account-email']").count() == 1
    # What she typed is still there.
    assert page.input_value("#f-name") == LUCIA["name"]

    # She fixes it and previews: the letter's pages as images.
    page.fill("#f-account-email", LUCIA_EMAIL)
    to_preview(page)
    pages = page.locator("img.page")
    pages.first.wait_for()
    assert pages.count() >= 1
    assert all(
        pages.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        for i in range(pages.count())
    )
    assert not page.locator("#e-account-email").count()

    # The PDF: her name and the Spanish objection.
    with page.expect_download() as info:
        page.click(download_button(page, "pdf"))
    assert info.value.suggested_filename.endswith(".pdf")
    text = pdf_words(saved(info.value))
    assert LUCIA["name"] in text
    assert "Oposición" in text
    assert "me opongo" in text.lower()
    assert LUCIA_EMAIL in text

    # The text, copied with the button.
    letter = page.input_value("#letter-text")
    assert "Oposición" in letter
    assert LUCIA["name"] in letter
    page.click("#copy-text")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.replace("\r\n", "\n").strip() == letter.replace("\r\n", "\n").strip()
    status = page.locator("#copy-status[role=status]")  # said aloud by a screen reader
    status.filter(has_text=re.compile(r"\S")).wait_for()
    # ...to paste into LinkedIn's own form, linked beside it.
    assert page.locator("a[href^='https://www.linkedin.com/']").count() >= 1

    read += [
        page.locator("h1").inner_text(),
        page.locator("#copy-text").inner_text(),
        status.inner_text(),
    ]
    assert not not_spanish(read), f"she reads English on a Spanish page: {not_spanish(read)}"


# --- the keyboard alone -----------------------------------------------------------------------


def is_focused(page: Page, selector: str) -> bool:
    return bool(page.locator(selector).first.evaluate("e => e === document.activeElement"))


def tab_to(page: Page, selector: str, *, backwards: bool = False, limit: int = 300) -> None:
    """Tab (or Shift+Tab) until ``selector`` has the focus, as a keyboard user does."""
    for _ in range(limit):
        if is_focused(page, selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    active = page.evaluate("document.activeElement && document.activeElement.outerHTML")
    raise AssertionError(f"Tab never reached {selector} on {page.url}; focus is on {active}")


def choose_with_arrows(page: Page, selector: str, label: str) -> None:
    """Pick ``label`` in the focused <select> with Home and the arrow keys."""
    tab_to(page, selector)
    count = page.locator(f"{selector} option").count()
    page.keyboard.press("Home")
    for _ in range(count):
        chosen = page.locator(selector).evaluate("s => s.options[s.selectedIndex].text.trim()")
        if chosen == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label!r} is not an option of {selector}")


def choose_radio(page: Page, name: str, value: str) -> None:
    """Tab into the radio group and move with the arrow keys to ``value``; Space checks it."""
    tab_to(
        page,
        f"input[name={name}]:checked"
        if page.locator(f"input[name={name}]:checked").count()
        else f"input[name={name}] >> nth=0",
    )
    count = page.locator(f"input[name={name}]").count()
    for _ in range(count + 1):
        if is_focused(page, f"input[name={name}][value={value}]"):
            page.keyboard.press("Space")
            assert page.is_checked(f"input[name={name}][value={value}]")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never reached {name}={value}")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i:
            page.keyboard.press("Enter")  # a new line in a textarea
        page.keyboard.type(line)


def press_enter_on(page: Page, selector: str, *, backwards: bool = False) -> None:
    tab_to(page, selector, backwards=backwards)
    page.keyboard.press("Enter")


def test_the_whole_flow_from_the_keyboard(
    open_context: Callable[..., BrowserContext], server: Server
) -> None:
    context = open_context(locale="es-ES")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.origin)
    page = context.new_page()
    page.goto(server.url)

    choose_with_arrows(page, "#f-jurisdiction", "España")
    tab_to(page, "#f-controller")
    assert "LinkedIn" in page.locator("#f-controller").evaluate(
        "s => s.options[s.selectedIndex].text"
    )
    with page.expect_navigation():
        press_enter_on(page, NEXT)

    choose_radio(page, "kind", "objection")
    with page.expect_navigation():
        press_enter_on(page, NEXT)

    for field, value in LUCIA.items():
        type_into(page, f"#f-{field}", value)
    type_into(page, "#f-account-email", LUCIA_WRONG_EMAIL)
    with page.expect_navigation():
        press_enter_on(page, NEXT)

    assert page.locator("#e-account-email").is_visible()
    # The summary of errors has the focus; its link takes her to the field, and she fixes it.
    assert is_focused(page, ".error-summary"), "the summary of errors does not have the focus"
    press_enter_on(page, ".error-summary a[href='#f-account-email']")
    assert is_focused(page, "#f-account-email"), "the summary's link does not focus the field"
    type_into(page, "#f-account-email", LUCIA_EMAIL)
    # She checks her answers once more: down to the button, back up with Shift+Tab.
    tab_to(page, NEXT)
    tab_to(page, "#f-name", backwards=True)
    assert page.input_value("#f-account-email") == LUCIA_EMAIL
    with page.expect_navigation():
        press_enter_on(page, NEXT)

    page.locator("img.page").first.wait_for()
    with page.expect_download() as info:
        press_enter_on(page, download_button(page, "pdf"))
    text = pdf_words(saved(info.value))
    assert LUCIA["name"] in text
    assert "Oposición" in text

    tab_to(page, "#copy-text")
    page.keyboard.press("Enter")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "Oposición" in copied
    assert LUCIA["name"] in copied
    # The focus is visible: the focused control draws an outline or a ring.
    style = page.locator("#copy-text").evaluate(
        "e => { const s = getComputedStyle(e);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow].join(' '); }"
    )
    assert not re.fullmatch(r"none \S+ none", style), f"no visible focus on #copy-text: {style}"


# --- axe-core on every page, in several languages ---------------------------------------------


@pytest.mark.parametrize("ui", ["es", "de", "fi", "zh-Hant"])
def test_axe_finds_no_violation_on_any_page(
    open_context: Callable[..., BrowserContext], server: Server, ui: str
) -> None:
    context = open_context(extra_http_headers={"Accept-Language": ui})
    page = context.new_page()
    page.goto(f"{server.url}?ui=en")
    english = page.locator("h1").inner_text()
    page.goto(server.url)
    assert page.locator("html").get_attribute("lang") == ui
    heading = page.locator("h1").inner_text()
    axe_clean(page, f"step 1, where and which company ({ui})")

    country = page.locator("#f-jurisdiction option[value=ES]").inner_text().strip()
    fill_place(page, country)
    axe_clean(page, f"step 2, the kind ({ui})")

    choose_kind(page, "objection")
    axe_clean(page, f"step 3, the details ({ui})")

    fill_details(page, {**LUCIA, "name": ""}, LUCIA_WRONG_EMAIL)
    to_preview(page)
    page.locator("#e-account-email").wait_for()
    axe_clean(page, f"step 3 with errors ({ui})")

    page.fill("#f-name", LUCIA["name"])
    page.fill("#f-account-email", LUCIA_EMAIL)
    to_preview(page)
    page.locator("img.page").first.wait_for()
    axe_clean(page, f"the preview ({ui})")

    # Local mode: the letter is saved and followed up on; the page says where it is, and
    # the tracking page lists it.
    page.click("form[action$='/save'] button[type=submit]")
    page.locator(".notice[role=status]").wait_for()
    assert ".pdf" in page.locator(".notice[role=status]").inner_text()
    axe_clean(page, f"the saved page ({ui})")
    page.goto(f"{server.url}requests?ui={ui}")
    assert page.locator("table tbody tr").count() >= 1
    axe_clean(page, f"the tracking page ({ui})")
    # An answer recorded: the page comes back with a notice.
    page.click("table tbody tr >> nth=0 >> form[action$='/answered'] button[type=submit]")
    page.locator(".notice[role=status]").wait_for()
    axe_clean(page, f"the tracking page after an answer ({ui})")
    # Forgetting asks first: the confirmation page is checked too.
    page.click("table tbody tr >> nth=0 >> form[action$='/forget'] button[type=submit]")
    page.locator("h1").wait_for()
    axe_clean(page, f"the confirmation before forgetting ({ui})")
    # The pages were in that language (axe checks their lang attribute, not their words).
    assert heading != english, f"step 1 is not translated into {ui}: {heading!r}"


# --- reflow: a phone's width, or 400% zoom ---------------------------------------------------


def fits(page: Page, what: str) -> None:
    """Nothing sticks out sideways (WCAG 1.4.10 Reflow: 320 CSS pixels, no horizontal scroll).
    Measured once the page has loaded: before its stylesheet applies, nothing is laid out
    as the member sees it."""
    page.wait_for_load_state("load")
    wider = page.evaluate(
        """() => [...document.querySelectorAll('main *, header *, footer *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right
                > document.documentElement.clientWidth + 1))
            .map(e => e.outerHTML.slice(0, 120))"""
    )
    assert not wider, f"{what} is wider than 320 px; these stick out: {wider}"


def test_every_step_fits_a_narrow_screen(
    open_context: Callable[..., BrowserContext], server: Server
) -> None:
    # Finnish: long words, the hardest to fit. The tracking page's table is a data table,
    # which 1.4.10 lets scroll sideways.
    context = open_context(locale="fi-FI", viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(server.url)
    fits(page, "step 1")
    fill_place(page, page.locator("#f-jurisdiction option[value=ES]").inner_text().strip())
    fits(page, "step 2")
    choose_kind(page, "objection")
    fits(page, "step 3")
    fill_details(page, LUCIA, LUCIA_WRONG_EMAIL)
    to_preview(page)
    page.locator("#e-account-email").wait_for()
    fits(page, "step 3 with errors")
    page.fill("#f-account-email", LUCIA_EMAIL)
    to_preview(page)
    page.locator("img.page").first.wait_for()
    fits(page, "the preview")


# --- hosted by an NGO -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory, chromium: Path) -> Iterator[Server]:
    """``dsr serve --hosted``, naming its operator and privacy notice."""
    with serving(
        tmp_path_factory.mktemp("hosted"),
        "--hosted",
        "--operator",
        "Example NGO",
        "--privacy-url",
        "https://ngo.example/privacy",
    ) as running:
        yield running


def test_hosted_page_names_its_operator_and_stays_accessible(
    open_context: Callable[..., BrowserContext], hosted: Server
) -> None:
    context = open_context(on=hosted, locale="de-DE")
    page = context.new_page()
    page.goto(hosted.url)
    footer = page.locator("footer").inner_text()
    assert "Example NGO" in footer
    assert page.locator("footer a[href='https://ngo.example/privacy']").count() == 1
    assert not page.locator("a[href*='/requests']").count(), "a hosted page tracks nothing"
    axe_clean(page, "hosted step 1 (de)")
    fill_place(page, page.locator("#f-jurisdiction option[value=DE-BY]").inner_text().strip())
    choose_kind(page, "objection")
    fill_details(
        page,
        {"name": "Erika Mustermann", "address": "Hauptstraße 1\n80331 München"},
        "erika@example.org",
    )
    to_preview(page)
    page.locator("img.page").first.wait_for()
    axe_clean(page, "hosted preview (de)")
    assert not page.locator("form[action$='/save']").count(), "a hosted page saves nothing"
    with page.expect_download() as info:
        page.click(download_button(page, "pdf"))
    assert "Erika Mustermann" in pdf_words(saved(info.value))
    # No cookie but the CSRF protection's.
    assert {c["name"] for c in context.cookies()} <= {"dsr_csrf"}


# --- without JavaScript -----------------------------------------------------------------------


def test_the_page_works_without_javascript(
    open_context: Callable[..., BrowserContext], server: Server
) -> None:
    context = open_context(locale="es-ES", java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url)
    # The company filter is a plain GET form.
    search = page.locator("input[type=search][name=q]")
    if search.count():
        search.fill("linked")
        with page.expect_navigation():
            search.press("Enter")
        assert "q=linked" in page.url
    fill_place(page, "España")
    choose_kind(page, "objection")
    fill_details(page, LUCIA, LUCIA_WRONG_EMAIL)
    to_preview(page)
    assert page.locator("#e-account-email").is_visible()
    page.fill("#f-account-email", LUCIA_EMAIL)
    to_preview(page)
    page.locator("img.page").first.wait_for()
    # Without a script the text is there to select and copy by hand.
    assert "Oposición" in page.input_value("#letter-text")
    with page.expect_download() as info:
        page.click(download_button(page, "pdf"))
    assert LUCIA["name"] in pdf_words(saved(info.value))
    with page.expect_download() as info:
        page.click(download_button(page, "txt"))
    assert "Oposición" in saved(info.value).decode("utf-8")


# --- the README's screenshots -----------------------------------------------------------------


@pytest.mark.skipif(
    os.environ.get("DSR_SCREENSHOTS") != "1",
    reason="DSR_SCREENSHOTS=1 saves the README's screenshots to docs/screenshots/",
)
def test_screenshots_of_the_form_and_the_preview(
    open_context: Callable[..., BrowserContext], server: Server
) -> None:
    context = open_context(locale="en-GB", viewport={"width": 1000, "height": 800})
    page = context.new_page()
    page.goto(server.url)
    fill_place(page, "Ireland")
    choose_kind(page, "objection")
    fill_details(
        page,
        {
            "name": "Aoife Murphy",
            "address": "5 Main Street\nDublin 8, D08 XY12",
            "email": "aoife@example.ie",
            "profile-url": "https://ie.linkedin.com/in/aoife",
        },
        "aoife.example.ie",  # a mistake: the README shows the error beside its field
    )
    to_preview(page)
    page.locator("#e-account-email").wait_for()
    page.evaluate("document.activeElement.blur()")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "form.png"), full_page=True)
    page.fill("#f-account-email", "aoife@example.ie")
    to_preview(page)
    page.locator("img.page").first.wait_for()
    # The preview down to the first page of the letter (the whole page is 3-4 screens long).
    first_page = page.locator("img.page").first.bounding_box()
    assert first_page is not None
    bottom = first_page["y"] + first_page["height"] + 16
    page.screenshot(
        path=str(SCREENSHOTS / "preview.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1000, "height": bottom},
    )
    assert (SCREENSHOTS / "form.png").stat().st_size > 10_000
    assert (SCREENSHOTS / "preview.png").stat().st_size > 10_000
