"""Citations of legal provisions, in each language's own style.

Citations are built from structured provisions and never typed into prose:
"Art. 21(1) GDPR", "Art. 21 Abs. 1 DSGVO", "article 21, paragraphe 1, du RGPD".
The styles follow shared/reference/terminology.md (Table A). A no-break space
binds each label to its number ("Art. 21", "Abs. 1"), so a line never ends
on "Art.".
"""

from __future__ import annotations

from collections.abc import Callable

from .model import Instrument, Provision

CitationStyle = Callable[[Provision, str], str]


NBSP = "\u00a0"


def _english(p: Provision, law: str) -> str:
    text = f"Art.{NBSP}{p.article}"
    if p.paragraph:
        text += f"({p.paragraph})"
    if p.point:
        text += f"({p.point})"
    return f"{text} {law}"


def _german(p: Provision, law: str) -> str:
    text = f"Art.{NBSP}{p.article}"
    if p.paragraph:
        text += f" Abs.{NBSP}{p.paragraph}"
    if p.point:
        text += f" lit.{NBSP}{p.point}"
    return f"{text} {law}"


def _french(p: Provision, law: str) -> str:
    text = f"article{NBSP}{p.article}"
    if p.paragraph:
        text += f", paragraphe{NBSP}{p.paragraph}"
    if p.point:
        text += f", point{NBSP}{p.point})"
    if p.paragraph or p.point:
        return f"{text}, du{NBSP}{law}"
    return f"{text} du{NBSP}{law}"


STYLES: dict[str, CitationStyle] = {
    "en": _english,
    "de": _german,
    "fr": _french,
}


def base_language(language: str) -> str:
    """``de-CH`` -> ``de``: citation style and law names follow the base language."""
    return language.split("-")[0].split("_")[0]


def format_citation(provision: Provision, instrument: Instrument, language: str) -> str:
    """Cite ``provision`` the way a legal writer in ``language`` would."""
    base = base_language(language)
    try:
        style = STYLES[base]
        law = instrument.abbreviation[base]
    except KeyError as error:
        raise KeyError(f"no citation style for language {language!r}") from error
    return style(provision, law)
