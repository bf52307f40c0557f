"""render(): a Letter and its language's catalog -> HTML or plain text.

The Jinja environment is explicit: autoescape always, StrictUndefined, the
i18n extension with newstyle gettext and trimmed messages (babel.cfg uses the
same settings, or msgids stop matching).
"""

from __future__ import annotations

import html
import io
import os
import re
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final, NamedTuple

import jinja2
from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2.exceptions import SecurityError
from markupsafe import Markup, escape

from . import typography
from .addresses import postal_capitals
from .errors import InputError, RenderError, UserTemplateError
from .glyphs import ems
from .i18n import (
    DERIVED,
    DOMAIN,
    after_salutation,
    date_line,
    derived_translations,
    filled_in_rule,
    first_day_ordinal,
    locale_id,
    shipped_languages,
    translations,
)
from .layout import current as current_layout
from .layout import rows
from .model import Blank, Letter
from .plaintext import html_to_text
from .resources import resource_dir
from .sandbox import BoundedEnvironment, ConfinedLoader, bound_filters, unclosed_markup

PAGE_SIZES = {"A4": "A4", "Letter": "letter"}
BLANK_DAY = "_" * 16  # a blank date's printed text (template kits)
# The dates a template kit leaves blank: the letter's and every date computed from it.
DATE_FIELDS = (
    "date",
    "deadline",
    "general_deadline",
    "request_date",
    "request_deadline",
    "remedy_deadline",
    "controller_complaint_date",
)


def css_string(value: str) -> Markup:
    """Quote text as a CSS string; every character outside [A-Za-z0-9 ] is escaped.

    Each escape ends with a space, which CSS consumes as its terminator, so a
    real space after an escaped character survives ("Μαρία Παπαδοπούλου").
    """
    escaped = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):06x} " for ch in value
    )
    return Markup(f'"{escaped}"')


def css_counter_content(pattern: str) -> Markup:
    """``Page {page} of {pages}`` -> a CSS ``content`` value with page counters."""
    parts = re.split(r"(\{page\}|\{pages\})", pattern)
    tokens = []
    for part in parts:
        if part == "{page}":
            tokens.append("counter(page)")
        elif part == "{pages}":
            tokens.append("counter(pages)")
        elif part:
            tokens.append(css_string(part))
    return Markup(" ".join(tokens))


def _environment(loader: jinja2.BaseLoader, sandboxed: bool) -> jinja2.Environment:
    cls = BoundedEnvironment if sandboxed else jinja2.Environment
    env = cls(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.filters.update(
        postal_capitals=postal_capitals,
        date=_localized_date,
        css_string=css_string,
        css_counter_content=css_counter_content,
        page_size=_page_size,
        mm=_length("mm"),
        pt=_length("pt"),
        em=_length("em"),
        after_salutation=_after_salutation,
        blank=_blank,
    )
    env.globals.update(text_ems=ems, text_rows=rows)  # the header's measures, in Python
    env.globals.update(dating=_dating)
    # The page geometry (templates/layout.toml) for letter.css, page.css and base.html.
    env.globals.update(layout=_CurrentLayout())
    if sandboxed:
        bound_filters(env)
    return env


@jinja2.pass_context
def _after_salutation(context: jinja2.runtime.Context, value: str) -> Markup:
    """The letter's first words, lowered where the language goes on after a comma;
    a sentence that opens with the company's name keeps its capital."""
    letter = context["letter"]
    text = str(value).strip()
    if not text.startswith(str(getattr(letter, "controller_name", "")) or "\0"):
        text = after_salutation(text, letter.language)
    return Markup(text) if isinstance(value, Markup) else Markup.escape(text)


def _set_blank(context: jinja2.runtime.Context, blank: Blank, text: str) -> Markup:
    """A blank as templates/_blank.html.jinja's ``blank`` macro sets it (the one place)."""
    macros = context.environment.get_template("_blank.html.jinja").module
    return Markup(macros.blank(blank, text, context["letter"].fillable))  # type: ignore[attr-defined]


@jinja2.pass_context
def _blank(context: jinja2.runtime.Context, value: object, key: str) -> object:
    """``{{ letter.place|blank("place") }}``: the value, or the blank the letter has for
    ``key`` (a template kit's, see dsr.model.Blank), set by the ``blank`` macro."""
    found = context["letter"].blanks.get(key)
    if found is None:
        return value
    return _set_blank(context, found, "" if value is None else str(value))


def _blank_date(letter: Letter, value: date) -> Blank | None:
    """The blank a template kit has for this date, if the date is one of those it leaves blank."""
    for key in DATE_FIELDS:
        found = letter.blanks.get(key)
        if found is not None and getattr(letter, key) == value:
            return found
    return None


class _CompiledOnce(jinja2.BytecodeCache):
    """dsr's own templates compiled once per process for all languages: their
    environments differ only in what is bound at render time (the catalog, the rules).
    A kit of 30 languages compiled each template 30 times (17 ms of 21 a letter)."""

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, Any]] = {}  # by template: source checksum, code

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        checksum, code = self._code.get(bucket.key, ("", None))
        if code is not None and checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


_BUILT_IN_CODE: Final = _CompiledOnce()


@cache
def environment(language: str, template_dir: Path | None = None) -> jinja2.Environment:
    """One environment per language (gettext is bound to it) and template folder."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(resource_dir("templates"))]
    if template_dir is not None:
        loaders.insert(0, ConfinedLoader(template_dir))  # no link or name leads out
    env = _environment(jinja2.ChoiceLoader(loaders), sandboxed=template_dir is not None)
    if template_dir is None:  # never shared with a sandbox, which compiles differently
        env.bytecode_cache = _BUILT_IN_CODE
    catalog = translations(language)
    if template_dir is not None:
        catalog = _user_catalog(env, template_dir, language) or catalog
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    rule = filled_in_rule(language)
    if rule is not None:  # the words around a date or citation, once it is filled in
        for name in ("gettext", "ngettext", "pgettext", "npgettext"):
            installed = env.globals[name]
            assert callable(installed)
            env.globals[name] = _then(installed, rule)
    return env


def _then(gettext: Callable[..., str], rule: Callable[[str], str]) -> Callable[..., str]:
    """``gettext`` (Jinja's newstyle: it fills in the placeholders) followed by ``rule``."""

    @jinja2.pass_context
    def translated(context: jinja2.runtime.Context, *args: Any, **variables: Any) -> str:
        text = gettext(context, *args, **variables)
        # The rule changes words only, never markup: a Markup result stays Markup.
        return Markup(rule(str(text))) if isinstance(text, Markup) else rule(text)

    return translated


_MARKUP: Final = re.compile(r"<[^<>]*>")


class _Placeholders(dict[str, int]):
    """The values a message is filled with, as the templates fill it: only its own."""


@cache
def _shipped_placeholders() -> dict[str, frozenset[str]]:
    """The placeholders each message may use, by its msgid: the original's and those
    dsr's own translations use (a template may hand a sentence more than its original
    names: the Chinese closing takes the authority's name)."""
    found: dict[str, set[str]] = {}
    for language in shipped_languages():
        for key, text in translations(language)._catalog.items():  # as derived_translations
            # A message with a context is keyed "context\x04msgid".
            msgid = str(key[0] if isinstance(key, tuple) else key).rpartition("\x04")[2]
            names = found.setdefault(msgid, set(re.findall(r"%\((\w+)\)", msgid)))
            names.update(re.findall(r"%\((\w+)\)", str(text)))
    return {key: frozenset(value) for key, value in found.items()}


def _translation_problem(message: Any) -> str:
    """What in a member's translation would not be text as the original is: markup the
    original lacks (a catalog holds text; the templates hold the markup), or a % the
    templates' filling-in reads as a placeholder the original has not."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    original = " ".join(str(text) for text in ids)
    names = _shipped_placeholders().get(str(ids[0]), frozenset()) | set(
        re.findall(r"%\((\w+)\)", original)
    )
    values = _Placeholders({name: 1 for name in names})
    for text in (str(text) for text in strings if text):
        extra = Counter(_MARKUP.findall(text)) - Counter(_MARKUP.findall(original))
        if extra or any(ch in _MARKUP.sub("", text) for ch in "<>&"):
            return (
                "it holds markup the original has not (<, > or &): a catalog holds the "
                "text, the templates the markup; leave it out"
            )
        try:
            text % values
        except (KeyError, ValueError, TypeError) as error:
            return (
                f"{type(error).__name__}: {error} (a placeholder must be one of the "
                "original's, written as there; a % of the text is written %%)"
            )
    return ""


def _user_catalog(
    env: jinja2.Environment, template_dir: Path, language: str
) -> Translations | None:
    """The member's own catalog for ``language`` (an edited copy of what ``dsr templates
    --source`` wrote), over dsr's: ``locales/<lang>/LC_MESSAGES/letters.po`` in the
    template folder, or beside it when it is that folder's ``templates``. Read as a
    template is (inside the folder, no link leading out, bounded); a message it lacks
    or leaves untranslated is dsr's. None if there is none."""
    roots = [template_dir / "locales"]
    if template_dir.name == "templates":  # --template-dir SRC means SRC/templates
        roots.append(template_dir.parent / "locales")
    names = [f"{locale_id(language)}/LC_MESSAGES/{DOMAIN}.po"]
    if language in DERIVED:  # de-CH: its own file, else the edited de file with its rule
        names.append(f"{locale_id(DERIVED[language][0])}/LC_MESSAGES/{DOMAIN}.po")
    for root in roots:
        if os.path.islink(root):
            raise UserTemplateError(
                f"{root} is a symbolic link; the catalogs must be in the template folder "
                "itself: put a copy of the folder there"
            )
        if not os.path.isdir(root):
            continue
        loader = ConfinedLoader(root)
        for name in names:
            try:
                source, path, _ = loader.get_source(env, name)
            except jinja2.TemplateNotFound:
                continue
            except SecurityError as error:
                raise UserTemplateError(str(error)) from error
            except jinja2.TemplateError as error:
                raise UserTemplateError(str(error)) from error
            try:
                catalog = read_po(
                    io.StringIO(source),
                    locale=locale_id(language),
                    domain=DOMAIN,
                    abort_invalid=True,
                )
                checked = {id(message): errors for message, errors in catalog.check()}
                for message in catalog:  # placeholders of msgid and msgstr, and markup
                    if not message.id or not message.string:
                        continue
                    errors = checked.get(id(message))
                    problem = str(errors[0]) if errors else _translation_problem(message)
                    if problem:
                        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                        raise UserTemplateError(
                            f"{path}, line {message.lineno}: the translation of "
                            f"{str(msgid)[:80]!r}: {problem}"
                        )
                buffer = io.BytesIO()
                write_mo(buffer, catalog)
                buffer.seek(0)
                own = Translations(buffer, domain=DOMAIN)  # reads Plural-Forms: may fail
            except UserTemplateError:
                raise
            except Exception as error:  # Babel's parser raises many kinds on a broken file
                raise UserTemplateError(f"{path}: not a catalog dsr can read: {error}") from error
            if name != names[0]:  # the base language's file, for a derived language
                own = derived_translations(own, DERIVED[language][1])
            own.add_fallback(translations(language))
            return own
    return None


@jinja2.pass_context
def _localized_date(context: jinja2.runtime.Context, value: date, format: str = "long") -> str:
    """Dates in the letter's locale (Babel), never strftime.

    Long dates never break across lines; French, Italian and Greek write the
    first day of a month as an ordinal ("1er octobre"), which CLDR does not.
    """
    blank = _blank_date(context["letter"], value) if context["letter"].blanks else None
    if blank is not None:
        return _set_blank(context, blank, BLANK_DAY)  # filled in by hand (template kits)
    return letter_date(value, context["letter"].locale, format)


def letter_date(value: date, locale: str, format: str = "long") -> str:
    """``value`` as a letter in ``locale`` writes it (``Letter.locale``): the date filter of
    the templates, for what is said beside a letter (a campaign's cover pages)."""
    if format == "long":
        # A spelled-out month takes the day without a leading zero: CLDR's en_MT
        # pattern "dd MMMM y" would print "01 October 2026".
        pattern = Locale.parse(locale).date_formats["long"].pattern
        text = format_date(value, format=pattern.replace("dd", "d"), locale=locale)
    else:
        text = format_date(value, format=format, locale=locale)
    if format == "long":
        if value.day == 1:
            text = first_day_ordinal(text, locale.split("_")[0])
        text = text.replace(" ", "\u00a0")
    return text


class Dating(NamedTuple):
    """A letter's date line as its language writes it (dsr.i18n.DATE_LINES), and where."""

    text: Markup
    under_signature: bool  # below the signature, instead of above the subject


@jinja2.pass_context
def _dating(context: jinja2.runtime.Context) -> Dating:
    """``dating()`` in a template: the letter's date line, with its place where the
    language's custom takes the town as dsr has it (see dsr.i18n.DateLine)."""
    letter = context["letter"]
    line = date_line(letter.language)
    pattern = line.typed if letter.place_typed else line.town
    if not str(letter.place).strip():
        pattern = "{date}"
    day = _localized_date(context, letter.date)
    place = _blank(context, letter.place, "place")
    text = Markup(escape(pattern)).format(place=place, date=day)
    return Dating(text, line.under_signature)


def _page_size(paper: str) -> str:
    return PAGE_SIZES[paper]


def _length(unit: str) -> Callable[[float], str]:
    """A CSS length of a layout.toml number: ``{{ 29.700000000000003|mm }}`` is ``29.7mm``."""

    def length(value: float) -> str:
        return f"{round(float(value), 4):g}{unit}"

    return length


def render_html(letter: Letter, template_dir: Path | None = None) -> str:
    """The letter as a self-contained HTML document (CSS inlined)."""
    env = environment(letter.language, template_dir)
    # An error in the user's own templates is bad input (exit 2); in dsr's, dsr's fault.
    failure = RenderError if template_dir is None else UserTemplateError
    try:
        kind = letter.kind.value
        template = env.select_template(
            [f"letters/{letter.family}/{kind}.html.jinja", f"letters/{kind}.html.jinja"]
        )
        document = _rendered(template, letter, template_dir)
        unclosed = unclosed_markup(document) if template_dir is not None else None
        if unclosed:  # HTMLParser would take minutes over it
            raise failure(f"{template.filename}: the letter it makes has {unclosed}")
        return typeset_running_text(document, letter.language)
    except SecurityError as error:
        where = _template_position(error, template_dir)
        raise failure(f"{where}: the template tried something unsafe ({error})") from error
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or error.name}, line {error.lineno}"
        raise failure(f"{where}: {error}") from error
    except jinja2.TemplateError as error:
        where = _template_position(error, template_dir)
        raise failure(f"{where}: template error: {error}") from error
    except RecursionError as error:  # a macro calling itself
        where = _template_position(error, template_dir)
        raise failure(f"{where}: the template calls itself too deeply") from None


class _CurrentLayout(Mapping[str, Any]):
    """layout.toml's sections as dsr.layout reads them now (an environment is kept for
    the run; the layout is looked up at each use)."""

    def __getitem__(self, key: str) -> Any:
        return current_layout().sections[key]

    def __iter__(self) -> Iterator[str]:
        return iter(current_layout().sections)

    def __len__(self) -> int:
        return len(current_layout().sections)


def _rendered(template: jinja2.Template, letter: Letter, template_dir: Path | None) -> str:
    """The template's output. Whatever a user's template folder raises is a template
    error (exit 2), naming its file and line: a template can call a value that is no
    function (``dating`` once set), divide by zero, or give a filter what it cannot
    take. In dsr's own templates it is dsr's fault, and stays as it is (exit 1)."""
    try:
        return template.render(letter=letter)
    except (jinja2.TemplateError, RecursionError, OSError, InputError):
        raise  # each has its message above, or in the CLI
    except Exception as error:
        if template_dir is None or isinstance(error.__cause__, KeyboardInterrupt):
            raise
        where = _template_position(error, template_dir)
        raise UserTemplateError(
            f"{where}: template error: {type(error).__name__}: {error}".rstrip(": ")
        ) from error


MARKUP = re.compile(r"(<[^>]*>)")
# Elements whose content is code, not text (a user template may have them).
RAW_TEXT = re.compile(r"<(?:script|style|textarea)[\s>]", re.IGNORECASE)
# Inline elements: text before one of them goes on after it.
INLINE_START = re.compile(r"<(?:a|abbr|b|cite|em|i|q|small|span|strong)[\s>]", re.IGNORECASE)


def typeset_running_text(document: str, language: str) -> str:
    """The letter with its language's typesetting rules in the running text (dsr.typography).

    The running text is the letter's ``<main>`` (or its ``<body>``, in a
    template without one): the text every output carries, the translated
    sentences, the template's own words and what the member typed alike, as
    the rules belong to the language a text is set in, whoever wrote it.
    The letterhead and the address zone are left as they are: they are
    address lines set one by one, in sizes base.html.jinja chose for their
    boxes. Only text between tags changes, never a tag or an attribute.
    """
    if not typography.has_rules(language):
        return document
    for opening, closing in (("<main", "</main>"), ("<body", "</body>")):
        start, end = document.find(opening), document.rfind(closing)
        if 0 <= start < end:
            break
    else:
        return document
    parts = MARKUP.split(document[start:end])
    for index in range(0, len(parts), 2):  # text, tag, text, tag ... text
        text = html.unescape(parts[index])
        if not text.strip() or (index and RAW_TEXT.match(parts[index - 1])):
            continue
        following = parts[index + 1] if index + 1 < len(parts) else ""
        continued = INLINE_START.match(following) is not None
        typeset = typography.apply(text, language, continued=continued)
        if typeset != text:
            parts[index] = str(escape(typeset))
    return document[:start] + "".join(parts) + document[end:]


def _template_position(error: BaseException, template_dir: Path | None = None) -> str:
    """Where in a template an error arose: "letters/objection.html.jinja, line 12".

    The innermost line of the user's ``template_dir`` if the error passed one (a
    dsr template it extends may be where it failed, but the user's is what to fix).
    """
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".jinja")]
    if template_dir is not None:
        root = Path(os.path.realpath(template_dir))
        frames = [f for f in frames if Path(f.filename).is_relative_to(root)] or frames
    if frames:
        return f"{frames[-1].filename}, line {frames[-1].lineno}"
    return "template" if template_dir is None else f"the template folder {template_dir}"


def render_text(letter: Letter, template_dir: Path | None = None) -> str:
    """The letter as plain text, for an e-mail body or a web form."""
    return html_to_text(render_html(letter, template_dir))
