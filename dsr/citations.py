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

import re
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


# The other EU/EEA languages, after terminology.md Table A ("customary citation").

CYRILLIC_POINTS = dict(zip("abcdefgh", "абвгдежз", strict=True))
GREEK_POINTS = dict(zip("abcdef", ["α", "β", "γ", "δ", "ε", "στ"], strict=True))
SLOVENE_ORDINALS = {"1": "prvi", "2": "drugi", "3": "tretji", "4": "četrti", "5": "peti"}
SLOVENE_GENITIVE = {"1": "prvega", "2": "drugega", "3": "tretjega", "4": "četrtega", "5": "petega"}


def _simple(
    article: str, paragraph: str, point: str, law_before: str = "", law_after: str = ""
) -> CitationStyle:
    """Styles that join ``article``, ``paragraph`` and ``point`` templates in order."""

    def style(p: Provision, law: str) -> str:
        text = article.format(a=p.article)
        if p.paragraph:
            text += paragraph.format(p=p.paragraph)
        if p.point:
            text += point.format(x=p.point)
        before = law_before.format(law=law)
        after = law_after.format(law=law)
        if after and not (p.paragraph or p.point):
            after = " " + after.lstrip(", ")  # "art. 19 GDPR", not "art. 19, GDPR"
        return f"{before}{text}{after}"

    return style


def _bg(p: Provision, law: str) -> str:
    text = f"чл.{NBSP}{p.article}"
    if p.paragraph:
        text += f", пар.{NBSP}{p.paragraph}"
    if p.point:
        text += f", буква „{CYRILLIC_POINTS.get(p.point, p.point)}“"
    return f"{text} от{NBSP}{law}"


def _el(p: Provision, law: str) -> str:
    text = f"άρθρο{NBSP}{p.article}"
    if p.paragraph:
        text += f" παρ.{NBSP}{p.paragraph}"
    if p.point:
        text += f" στοιχ.{NBSP}{GREEK_POINTS.get(p.point, p.point)}΄"
    return f"{text} {law}"


def _da(p: Provision, law: str) -> str:
    text = f"artikel{NBSP}{p.article}"
    if p.paragraph:
        text += f", stk.{NBSP}{p.paragraph}"
    if p.point:
        text += f", litra{NBSP}{p.point}"
    # The genitive: "forordningens", but after an abbreviation an apostrophe: "UK GDPR's".
    genitive = f"{law}'s" if law[-1:].isupper() or law[-1:].isdigit() else f"{law}s"
    return f"{genitive} {text}"


def _fi(p: Provision, law: str) -> str:
    if p.point:
        return f"{law} {p.article}{NBSP}artiklan {p.paragraph}{NBSP}kohdan {p.point}{NBSP}alakohta"
    if p.paragraph:
        return f"{law} {p.article}{NBSP}artiklan {p.paragraph}{NBSP}kohta"
    return f"{law} {p.article}{NBSP}artikla"


def _hu(p: Provision, law: str) -> str:
    text = f"{law} {p.article}.{NBSP}cikk"
    if p.paragraph:
        text += f" ({p.paragraph}){NBSP}bekezdés"
    if p.point:
        text += f" {p.point}){NBSP}pont"
    return text


def _lt(p: Provision, law: str) -> str:
    if p.point:
        return f"{law} {p.article}{NBSP}straipsnio {p.paragraph}{NBSP}dalies {p.point}{NBSP}punktas"
    if p.paragraph:
        return f"{law} {p.article}{NBSP}straipsnio {p.paragraph}{NBSP}dalis"
    return f"{law} {p.article}{NBSP}straipsnis"


def _lv(p: Provision, law: str) -> str:
    if p.point:
        return (
            f"{law} {p.article}.{NBSP}panta {p.paragraph}.{NBSP}punkta {p.point}){NBSP}apakšpunkts"
        )
    if p.paragraph:
        return f"{law} {p.article}.{NBSP}panta {p.paragraph}.{NBSP}punkts"
    return f"{law} {p.article}.{NBSP}pants"


def _sl(p: Provision, law: str) -> str:
    if p.point and p.paragraph:
        return (
            f"točka ({p.point}) {SLOVENE_GENITIVE.get(p.paragraph, p.paragraph + '.')} "
            f"odstavka {p.article}.{NBSP}člena {law}"
        )
    if p.paragraph:
        ordinal = SLOVENE_ORDINALS.get(p.paragraph, p.paragraph + ".")
        return f"{ordinal} odstavek {p.article}.{NBSP}člena {law}"
    return f"{p.article}.{NBSP}člen {law}"


def _is(p: Provision, law: str) -> str:
    text = ""
    if p.point:
        text += f"{p.point}-liður "
    if p.paragraph:
        text += f"{p.paragraph}.{NBSP}mgr. "
    return f"{text}{p.article}.{NBSP}gr. {law}"


MALTESE_SUN_LETTERS = frozenset("ċdnrstxżz")


def _mt_of(law: str) -> str:
    """Maltese "of the" before ``law``: the article assimilates to a sun letter
    ("tad-DSG", "tad-DPA 2018"), and stays "tal-" otherwise ("tal-GDPR")."""
    first = law[:1].lower()
    return f"ta{first}-{law}" if first in MALTESE_SUN_LETTERS else f"tal-{law}"


def _mt(p: Provision, law: str) -> str:
    text = f"l-Artikolu{NBSP}{p.article}"
    if p.paragraph:
        text += f"({p.paragraph})"
    if p.point:
        text += f"({p.point})"
    return f"{text} {_mt_of(law)}"


def _ga(p: Provision, law: str) -> str:
    reference = f"Airteagal{NBSP}{p.article}" + (f"({p.paragraph})" if p.paragraph else "")
    if p.point:
        return f"pointe ({p.point}) d’{reference} den{NBSP}{law}"
    return f"{reference} den{NBSP}{law}"


def _pt_number(article: str) -> str:
    """ "21.º"; an inserted article "164.º-A" (not "164A.º"); a decimal one as it is."""
    inserted = re.fullmatch(r"(\d+)([A-Z]+)", article)
    if inserted:
        return f"{inserted.group(1)}.º-{inserted.group(2)}"
    return article if "." in article else f"{article}.º"


def _pt(p: Provision, law: str, of: str = "do") -> str:
    text = f"artigo{NBSP}{_pt_number(p.article)}"
    if p.paragraph:
        text += f", n.º{NBSP}{p.paragraph}"
    if p.point:
        text += f", alínea{NBSP}{p.point})"
    return f"{text}, {of}{NBSP}{law}" if p.paragraph or p.point else f"{text} {of}{NBSP}{law}"


EU_STYLES: dict[str, CitationStyle] = {
    "bg": _bg,
    "cs": _simple("čl.\u00a0{a}", " odst.\u00a0{p}", " písm.\u00a0{x})", law_after=" {law}"),
    "da": _da,
    "el": _el,
    "es": _simple("artículo\u00a0{a}", ".{p}", ", letra\u00a0{x}),", law_after=" del\u00a0{law}"),
    "et": _simple("art\u00a0{a}", " lg\u00a0{p}", " p\u00a0{x}", law_before="{law} "),
    "fi": _fi,
    "ga": _ga,
    "hr": _simple("članak\u00a0{a}.", " stavak\u00a0{p}.", " točka\u00a0({x})", law_after=" {law}"),
    "hu": _hu,
    "it": _simple("art.\u00a0{a}", ", par.\u00a0{p}", ", lett.\u00a0{x})", law_after=", {law}"),
    "lt": _lt,
    "lv": _lv,
    "mt": _mt,
    "nl": _simple("artikel\u00a0{a}", ", lid\u00a0{p}", ", onder\u00a0{x}", law_after=", {law}"),
    "pl": _simple("art.\u00a0{a}", " ust.\u00a0{p}", " lit.\u00a0{x}", law_after=" {law}"),
    "pt": _pt,
    "ro": _simple(
        "art.\u00a0{a}", " alin.\u00a0({p})", " lit.\u00a0{x})", law_after=" din\u00a0{law}"
    ),
    "sk": _simple("čl.\u00a0{a}", " ods.\u00a0{p}", " písm.\u00a0{x})", law_after=" {law}"),
    "sl": _sl,
    "sv": _simple("artikel\u00a0{a}", ".{p}", " {x}", law_after=" i\u00a0{law}"),
    "nb": _simple("artikkel\u00a0{a}", " nr.\u00a0{p}", " bokstav\u00a0{x}", law_before="{law} "),
    "is": _is,
}


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


def _ch_it(p: Provision, law: str) -> str:
    text = f"art.{NBSP}{p.article}"
    if p.paragraph:
        text += f" cpv.{NBSP}{p.paragraph}"
    if p.point:
        text += f" lett.{NBSP}{p.point}"
    return f"{text} {law}"


# --- Foreign statutes in a language they have no official text in -------------
# A member in Switzerland, the UK or Canada may write in their own language: the
# statute is cited in that language's own pattern, by an official abbreviation of
# the enacting country (law.toml), as native legal translators set out for each
# language (review records, locales/<lang>/REVIEW.md). A section of a UK, Canadian
# or Québec Act is cited with the language's word for an article (as official
# Canadian French does), or with "§" where the language's statutes are in §§;
# PIPEDA's Schedule 1 clauses with the language's words for an annex and a point.


def _ordinals(words: str) -> dict[str, str]:
    """ "1" to "10" as ``words`` name them."""
    return dict(zip(map(str, range(1, 11)), words.split(), strict=True))


LATVIAN_ORDINALS = _ordinals("pirmā otrā trešā ceturtā piektā sestā septītā astotā devītā desmitā")
NORWEGIAN_ORDINALS = _ordinals(
    "første annet tredje fjerde femte sjette sjuende åttende niende tiende"
)


def _fi_section(p: Provision, law: str) -> str:
    if p.point:
        return f"{law} {p.article}{NBSP}§:n {p.paragraph}{NBSP}momentin {p.point}{NBSP}kohta"
    if p.paragraph:
        return f"{law} {p.article}{NBSP}§:n {p.paragraph}{NBSP}momentti"
    return f"{law} {p.article}{NBSP}§"


def _ga_section(p: Provision, law: str) -> str:
    return f"alt{NBSP}{p.article}{_subsections(p)} den{NBSP}{law}"


def _hu_section(p: Provision, law: str) -> str:
    text = f"{law} {p.article}.{NBSP}§"
    if p.paragraph:
        text += f" ({p.paragraph}){NBSP}bekezdés"
    if p.point:
        text += f" {p.point}){NBSP}pont"
    return text


def _lv_section(p: Provision, law: str) -> str:
    if not p.paragraph:
        return f"{law} {p.article}.{NBSP}pants"
    ordinal = LATVIAN_ORDINALS.get(p.paragraph)
    if ordinal is None:
        return f"{law} {p.article}.{NBSP}panta {p.paragraph}.{NBSP}daļa"
    if p.point:
        return f"{law} {p.article}.{NBSP}panta {ordinal}s{NBSP}daļas {p.point}){NBSP}punkts"
    return f"{law} {p.article}.{NBSP}panta {ordinal}{NBSP}daļa"


def _nb_section(p: Provision, law: str) -> str:
    text = f"{law} §{NBSP}{p.article}"
    if p.paragraph:
        text += f" {NORWEGIAN_ORDINALS.get(p.paragraph, p.paragraph + '.')}{NBSP}ledd"
    if p.point:
        text += f" bokstav{NBSP}{p.point}"
    return text


SWEDISH_ORDINALS = _ordinals("första andra tredje fjärde femte sjätte sjunde åttonde nionde tionde")


def _sv_section(p: Provision, law: str) -> str:
    """A section as Swedish cites a §: "8 § tredje stycket PIPEDA"; the EU form
    "artikel 8.3" would read as a section numbered 8.3, which PIPEDA also has."""
    text = f"{p.article}{NBSP}§"
    if p.paragraph:
        text += f" {SWEDISH_ORDINALS.get(p.paragraph, p.paragraph + '.')}{NBSP}stycket"
    if p.point:
        text += f" led{NBSP}{p.point}"
    return f"{text} {law}"


def _pt_foreign(p: Provision, law: str) -> str:
    """As the EU pattern, but these are laws (a lei): "da", not "do"."""
    return _pt(p, law, of="da")


_BG_FOREIGN = _simple("чл.\u00a0{a}", ", ал.\u00a0{p}", ", буква „{x}“", law_after=" от\u00a0{law}")
# "artículo 8, apartado 1": "8.1" would read as a section numbered 8.1, as PIPEDA has.
_ES_FOREIGN = _simple(
    "artículo\u00a0{a}", ", apartado\u00a0{p}", ", letra\u00a0{x})", law_after=", de la\u00a0{law}"
)

# language: (a section of a UK/Canadian/Québec Act, an article of the Swiss Act,
# a clause of PIPEDA's Schedule 1 as a pattern with {a} and {law}).
FOREIGN_STYLES: dict[str, tuple[CitationStyle, CitationStyle, str]] = {
    "bg": (_BG_FOREIGN, _BG_FOREIGN, "т.\u00a0{a} от приложение\u00a01 към\u00a0{law}"),
    "cs": (
        _simple("§\u00a0{a}", " odst.\u00a0{p}", " písm.\u00a0{x})", law_after=" {law}"),
        EU_STYLES["cs"],
        "čl.\u00a0{a} přílohy\u00a01 {law}",
    ),
    "da": (
        _simple("§\u00a0{a}", ", stk.\u00a0{p}", ", litra\u00a0{x}", law_after=", i\u00a0{law}"),
        _da,
        "punkt\u00a0{a} i bilag\u00a01 til\u00a0{law}",
    ),
    "de": (
        _simple("§\u00a0{a}", " Abs.\u00a0{p}", " lit.\u00a0{x}", law_after=" {law}"),
        _ch_de,
        "Anhang\u00a01 Ziff.\u00a0{a} {law}",
    ),
    "el": (_el, _el, "σημείο\u00a0{a} του παραρτήματος\u00a01 {law}"),
    "es": (_ES_FOREIGN, _ES_FOREIGN, "punto\u00a0{a} del anexo\u00a01 de la\u00a0{law}"),
    "et": (
        _simple("§\u00a0{a}", " lg\u00a0{p}", " p\u00a0{x}", law_before="{law} "),
        EU_STYLES["et"],
        "{law} lisa\u00a01 p\u00a0{a}",
    ),
    "fi": (_fi_section, _fi, "{law} liitteen\u00a01 {a}\u00a0kohta"),
    "fr": (_eu_fr, _ch_fr, "article\u00a0{a} de l\u2019annexe\u00a01 de la\u00a0{law}"),
    "ga": (_ga_section, _ga, "Sceideal\u00a01, clásal\u00a0{a} den\u00a0{law}"),
    "hr": (EU_STYLES["hr"], EU_STYLES["hr"], "točka\u00a0{a}. Priloga\u00a01. {law}"),
    "hu": (_hu_section, _hu, "{law} 1.\u00a0melléklet {a}.\u00a0pont"),
    "is": (_is, _is, "tölul.\u00a0{a} í 1.\u00a0viðauka við {law}"),
    "it": (EU_STYLES["it"], _ch_it, "punto\u00a0{a} dell\u2019allegato\u00a01 alla\u00a0{law}"),
    "lt": (_lt, _lt, "{law} 1\u00a0priedo {a}\u00a0punktas"),
    "lv": (_lv_section, _lv, "{law} 1.\u00a0pielikuma {a}.\u00a0punkts"),
    "mt": (_mt, _mt, "il-paragrafu\u00a0{a} tal-Iskeda\u00a01 {of_law}"),
    "nb": (_nb_section, EU_STYLES["nb"], "{law} vedlegg\u00a01 punkt\u00a0{a}"),
    "nl": (EU_STYLES["nl"], EU_STYLES["nl"], "bijlage\u00a01, punt\u00a0{a}, {law}"),
    "pl": (EU_STYLES["pl"], EU_STYLES["pl"], "pkt\u00a0{a} zał.\u00a01 do\u00a0{law}"),
    "pt": (_pt_foreign, _pt_foreign, "ponto\u00a0{a} do anexo\u00a01 da\u00a0{law}"),
    "ro": (EU_STYLES["ro"], EU_STYLES["ro"], "pct.\u00a0{a} din anexa nr.\u00a01 la\u00a0{law}"),
    "sk": (
        _simple("§\u00a0{a}", " ods.\u00a0{p}", " písm.\u00a0{x})", law_after=" {law}"),
        EU_STYLES["sk"],
        "príl. č.\u00a01 bod\u00a0{a} {law}",
    ),
    "sl": (_sl, _sl, "točka\u00a0{a} Priloge\u00a01 {law}"),
    "sv": (_sv_section, EU_STYLES["sv"], "punkt\u00a0{a} i bilaga\u00a01 till\u00a0{law}"),
}


def _foreign_style(styles: tuple[CitationStyle, CitationStyle, str], swiss: bool) -> CitationStyle:
    """The citation of a foreign statute's provisions in a language's own pattern."""
    section, article, clause = styles
    if swiss:
        return article

    def style(p: Provision, law: str) -> str:
        if p.unit == "clause":
            return clause.format(a=p.article, law=law, of_law=_mt_of(law))
        if p.unit == "principle":  # Hong Kong's principles: en and zh only
            raise KeyError("a data protection principle is cited in English or Chinese")
        return section(p, law)

    return style


# --- Chinese (Hong Kong): 《個人資料(私隱)條例》第19(1)條 ----------------------


def _zh(p: Provision, law: str) -> str:
    if p.unit == "principle":
        return f"{law}附表1保障資料第{p.article}{_subsections(p)}原則"
    return f"{law}第{p.article}{_subsections(p)}條"


# --- California codes: "Cal. Civ. Code § 1798.130(a)(2)" -------------------------


def _us(p: Provision, law: str) -> str:
    return f"{law} §{NBSP}{p.article}{_subsections(p)}"


STYLES: dict[tuple[str, str], CitationStyle] = {
    ("eu", "en"): _eu_en,
    ("eu", "de"): _eu_de,
    ("eu", "fr"): _eu_fr,
    **{("eu", language): style for language, style in EU_STYLES.items()},
    ("ch", "en"): _ch_en,
    ("ch", "de"): _ch_de,
    ("ch", "fr"): _ch_fr,
    ("ch", "it"): _ch_it,
    ("hk", "zh"): _zh,
    ("eu", "zh"): _zh,
    ("uk-act", "en"): _section_en,
    ("ca", "en"): _section_en,
    ("ca", "fr"): _ca_fr,
    ("qc", "en"): _qc_en,
    ("qc", "fr"): _qc_fr,
    ("hk", "en"): _section_en,
    ("us", "en"): _us,
}


def format_citation(provision: Provision, instrument: Instrument, language: str) -> str:
    """Cite ``provision`` the way a legal writer in ``language`` would."""
    base = base_language(language)
    style = STYLES.get((instrument.style, base))
    if style is None and instrument.style in ("ch", "uk-act", "ca", "qc"):
        styles = FOREIGN_STYLES.get(base)
        if styles is not None:
            style = _foreign_style(styles, instrument.style == "ch")
    if style is None and instrument.style != "eu":
        # California's code sections (§ 1798.105) and Hong Kong's ordinance are
        # cited in their English form in the other languages.
        style = STYLES.get((instrument.style, "en"))
    law = instrument.abbreviation.get(base) or instrument.abbreviation.get("en")
    if style is None or law is None:
        raise KeyError(
            f"no citation style for language {language!r} and instrument {instrument.id!r}"
        )
    return style(provision, law)
