"""Citations of legal provisions, in each language's own style.

Citations are built from structured provisions and never typed into prose:
"Art. 21(1) GDPR", "Art. 21 Abs. 1 DSGVO", "article 21, paragraphe 1, du RGPD",
"Art. 30 Abs. 2 Bst. b DSG", "s. 8(3) PIPEDA", "Cal. Civ. Code § 1798.105".
An instrument's ``style`` says how its law is cited (EU regulation, Swiss
federal act, Canadian statute...), a provision's ``unit`` whether it is an
article, a section, a schedule clause or a data protection principle. The
EU styles follow shared/reference/terminology.md (Table A). A no-break space
binds each label to its number ("Art. 21", "Abs. 1"), so a line never ends
on "Art.".
"""

from __future__ import annotations

from collections.abc import Callable

from .model import Instrument, Provision

NBSP = "\u00a0"

CitationStyle = Callable[[Provision, str], str]


def base_language(language: str) -> str:
    """``de-CH`` -> ``de``: citation style and law names follow the base language."""
    return language.split("-")[0].split("_")[0]


# --- EU regulations (GDPR, UK GDPR) --------------------------------------------


def _eu_en(p: Provision, law: str) -> str:
    text = f"Art.{NBSP}{p.article}"
    if p.paragraph:
        text += f"({p.paragraph})"
    if p.point:
        text += f"({p.point})"
    return f"{text} {law}"


def _eu_de(p: Provision, law: str) -> str:
    text = f"Art.{NBSP}{p.article}"
    if p.paragraph:
        text += f" Abs.{NBSP}{p.paragraph}"
    if p.point:
        text += f" lit.{NBSP}{p.point}"
    return f"{text} {law}"


def _eu_fr(p: Provision, law: str) -> str:
    text = f"article{NBSP}{p.article}"
    if p.paragraph:
        text += f", paragraphe{NBSP}{p.paragraph}"
    if p.point:
        text += f", point{NBSP}{p.point})"
    if p.paragraph or p.point:
        return f"{text}, du{NBSP}{law}"
    return f"{text} du{NBSP}{law}"


# --- Swiss federal acts (FADP/DSG/LPD): "Art. 30 Abs. 2 Bst. b DSG" --------------


def _ch_en(p: Provision, law: str) -> str:
    return _eu_en(p, law)


def _ch_de(p: Provision, law: str) -> str:
    text = f"Art.{NBSP}{p.article}"
    if p.paragraph:
        text += f" Abs.{NBSP}{p.paragraph}"
    if p.point:
        text += f" Bst.{NBSP}{p.point}"
    return f"{text} {law}"


def _ch_fr(p: Provision, law: str) -> str:
    text = f"art.{NBSP}{p.article}"
    if p.paragraph:
        text += f", al.{NBSP}{p.paragraph}"
    if p.point:
        text += f", let.{NBSP}{p.point}"
    return f"{text}, {law}" if p.paragraph or p.point else f"{text} {law}"


# --- Statutes cited by section: UK Acts, PIPEDA, Quebec, Hong Kong --------------


def _subsections(p: Provision) -> str:
    return (f"({p.paragraph})" if p.paragraph else "") + (f"({p.point})" if p.point else "")


def _section_en(p: Provision, law: str) -> str:
    if p.unit == "clause":
        return f"Sch.{NBSP}1, cl.{NBSP}{p.article} {law}"
    if p.unit == "principle":
        return f"DPP{NBSP}{p.article}{_subsections(p)}, Sch.{NBSP}1 {law}"
    return f"s.{NBSP}{p.article}{_subsections(p)} {law}"


def _ca_fr(p: Provision, law: str) -> str:
    if p.unit == "clause":
        return f"article{NBSP}{p.article} de l\u2019annexe{NBSP}1 de la{NBSP}{law}"
    if p.paragraph:
        return f"paragraphe{NBSP}{p.article}{_subsections(p)} de la{NBSP}{law}"
    return f"article{NBSP}{p.article} de la{NBSP}{law}"


def _qc_en(p: Provision, law: str) -> str:
    return f"s.{NBSP}{p.article}{_subsections(p)} of the {law}"


def _qc_fr(p: Provision, law: str) -> str:
    return f"article{NBSP}{p.article} de la {law}"


# --- California codes: "Cal. Civ. Code § 1798.130(a)(2)" -------------------------


def _us(p: Provision, law: str) -> str:
    return f"{law} §{NBSP}{p.article}{_subsections(p)}"


STYLES: dict[tuple[str, str], CitationStyle] = {
    ("eu", "en"): _eu_en,
    ("eu", "de"): _eu_de,
    ("eu", "fr"): _eu_fr,
    ("ch", "en"): _ch_en,
    ("ch", "de"): _ch_de,
    ("ch", "fr"): _ch_fr,
    ("uk-act", "en"): _section_en,
    ("ca", "en"): _section_en,
    ("ca", "fr"): _ca_fr,
    ("qc", "en"): _qc_en,
    ("qc", "fr"): _qc_fr,
    ("hk", "en"): _section_en,
    ("us", "en"): _us,
}


ENGLISH_FORM_ELSEWHERE = {"uk-act", "ca", "qc", "hk", "us"}


def format_citation(provision: Provision, instrument: Instrument, language: str) -> str:
    """Cite ``provision`` the way a legal writer in ``language`` would."""
    base = base_language(language)
    style = STYLES.get((instrument.style, base))
    if style is None and instrument.style in ENGLISH_FORM_ELSEWHERE:
        # These statutes keep their English citation form in letters written
        # in other languages (s. 8(3) PIPEDA); EU and Swiss law never do.
        style = STYLES.get((instrument.style, "en"))
    law = instrument.abbreviation.get(base) or instrument.abbreviation.get("en")
    if style is None or law is None:
        raise KeyError(
            f"no citation style for language {language!r} and instrument {instrument.id!r}"
        )
    return style(provision, law)
