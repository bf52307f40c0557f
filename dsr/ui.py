"""The interface's words: the ``ui`` gettext domain (the web page, the library's problems).

Messages are translated when they are built, in the language of the current
context: the web page builds a request's problems inside ``speaking(tag)``, so
they come out in the member's language; the command line never sets one and
stays English. Catalogs are ``locales/<locale>/LC_MESSAGES/ui.po`` (compiled
``ui.mo`` in a wheel; a source checkout compiles the ``.po`` in memory, as
dsr.i18n does for the letters). A regional form without a catalog of its own
speaks its language's (``de-CH`` is ``de`` with Swiss spelling, ``en-GB`` is
``en``); a language without a catalog, or a message without a translation,
is the English msgid.

Extraction (``babel-ui.cfg``) knows the keywords ``gettext``, ``ngettext``,
``pgettext``, ``_`` and ``N_`` (a marker: the text is translated where shown).
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Final

from babel import Locale, UnknownLocaleError, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from .resources import resource_dir

DOMAIN: Final = "ui"
SOURCE_LANGUAGE: Final = "en"

_CURRENT: ContextVar[str] = ContextVar("dsr_ui_language", default=SOURCE_LANGUAGE)

# Regional forms whose interface differs from their language's by a spelling rule only
# (Swiss Standard German writes "ss" for "ß"); a real <lang>_<REGION> catalog wins.
_REGIONAL_SPELLING: Final = {"de-CH": (("ß", "ss"),)}
# Languages a browser may ask for under another code: Norwegian is written in Bokmål.
_SAME_LANGUAGE: Final = {"no": "nb", "nn": "nb"}
_TAG: Final = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


def N_(message: str) -> str:
    """Mark ``message`` for extraction only: it is translated where it is shown."""
    return message


def _folder_name(language: str) -> str:
    """``de-CH`` -> ``de_CH``, ``zh-Hant`` -> ``zh_Hant`` (the locales/ folder's name)."""
    try:
        return str(Locale.parse(language, sep="-"))
    except (ValueError, TypeError, UnknownLocaleError):
        return language.replace("-", "_")


@cache
def ui_languages() -> tuple[str, ...]:
    """The interface's languages as BCP 47 tags, sorted: every language with a ``ui``
    catalog and the regional forms (locale folders) of those languages."""
    root = resource_dir("locales")
    with_catalog = {p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    with_catalog |= {p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    tags = set()
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        if folder.name in with_catalog or folder.name.split("_")[0] in with_catalog:
            tags.add(folder.name.replace("_", "-"))
    return tuple(sorted(tags))


def _load(folder: str) -> Translations | None:
    """The catalog in ``locales/<folder>``: its ``.mo`` if built and fresh, else its ``.po``."""
    path = resource_dir("locales") / folder / "LC_MESSAGES"
    mo, po = path / f"{DOMAIN}.mo", path / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if not po.is_file():
        return None
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=folder, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The ``ui`` catalog for ``language`` (cached: one object per language, shared by
    every thread, which only reads it); the msgids themselves where there is none."""
    folder = _folder_name(language)
    own = _load(folder)
    if own is not None:
        return own
    base = folder.split("_")[0]
    if base == folder:
        return NullTranslations()
    found = translations(base)
    rules = _REGIONAL_SPELLING.get(language)
    if not rules or not isinstance(found, Translations):
        return found
    spelt = Translations()
    spelt._catalog = {
        key: _respelt(value, rules) if isinstance(value, str) else value
        for key, value in found._catalog.items()
    }
    spelt.plural = found.plural
    spelt.domain = found.domain
    return spelt


def _respelt(text: str, rules: tuple[tuple[str, str], ...]) -> str:
    for old, new in rules:
        text = text.replace(old, new)
    return text


def current() -> str:
    """The interface language of this thread or context (``"en"`` unless set)."""
    return _CURRENT.get()


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Within it, messages built in this thread or context are in ``language``."""
    token = _CURRENT.set(language)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def gettext(message: str) -> str:
    """``message`` in the current language (``message`` itself where untranslated)."""
    language = _CURRENT.get()
    if language == SOURCE_LANGUAGE or not message:  # "" would be the catalog's header
        return message
    return translations(language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    language = _CURRENT.get()
    if language == SOURCE_LANGUAGE:
        return singular if n == 1 else plural
    return translations(language).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in ``context`` (a word that reads two ways), in the current language."""
    language = _CURRENT.get()
    if language == SOURCE_LANGUAGE:
        return message
    return translations(language).pgettext(context, message)


_ = gettext


def _candidates(tag: str) -> list[str]:
    """``tag`` and what else may stand for it: its script (``zh-TW`` is ``zh-Hant``)."""
    out = [tag]
    try:
        locale = Locale.parse(tag, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return out
    if locale.script:
        out.append(f"{locale.language}-{locale.script}")
    if locale.language in _SAME_LANGUAGE:
        out.append(_SAME_LANGUAGE[locale.language])
    return out


def negotiate(accept_language: str | None) -> str:
    """The interface language for an ``Accept-Language`` header, among ``ui_languages()``:
    the first the member prefers that dsr speaks (a regional form, else its language),
    English when none is."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not _TAG.fullmatch(tag):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if 0 < quality <= 1:
            weighted.append((-quality, index, tag))
    preferred = [c for _, _, tag in sorted(weighted) for c in _candidates(tag)]
    available = ui_languages()
    found = negotiate_locale(preferred, available, sep="-", aliases={}) if preferred else None
    by_key = {tag.lower(): tag for tag in available}
    return by_key.get((found or "").lower(), SOURCE_LANGUAGE)
