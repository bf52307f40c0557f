"""Template kits: blank letters for every kind x jurisdiction x language.

Advocates print and hand these out; members fill in their details by hand.
Every legal fact (law, citations, controller, authority) is resolved as in a
real letter; only the member's details and the dates are left blank.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from . import files, registry
from .composition import compose
from .errors import Option, Words, words
from .formats import Engine, Format, UnknownFormat, WriteOptions
from .i18n import language_name, locale_id, shipped_languages
from .model import Account, Blank, Kind, LawFamily, Letter, PostalAddress, Request, Requester
from .pipeline import Document, grouped, make_letters
from .render import DATE_FIELDS, environment
from .resources import resource_dir
from .workers import load_weasyprint, run_groups, stop_requested

KIT_OPTIONS = WriteOptions(Format.PDF, Engine.TYPST)  # kits are set with Typst
KIT_FORMATS = (Format.PDF, Format.HTML)  # printed, or adapted
DOTS = "…" * 18
# What a kit leaves blank, by the Letter field it stands for (see dsr.model.Blank):
# the fields keep their printed text (dots, and lines for the dates), and the
# templates set each as a blank: a dotted line, or a form field named as here.
# Each blank has a field of its own: only the same value shares one (the sender's
# name, street and town in the letterhead and the return line; the reference in the
# info block and the subject). Every date is its own: the letter's date, its reply
# deadline, the earlier request's date and deadline...
BLANKS = {
    "sender.name": Blank("name", "wide"),
    "sender.lines.0": Blank("street", "wide"),
    "sender.lines.1": Blank("town", "field"),
    "account.email": Blank("account_email", "wide"),
    "account.profile_url": Blank("profile_url", "wide"),
    "place": Blank("place", "field"),
    "reference": Blank("reference", "field"),
    "situation": Blank("situation", "text"),
    "signature": Blank("signature_name", "wide"),
    **{key: Blank(key, "date") for key in DATE_FIELDS},
}


@dataclass(frozen=True)
class KitEntry:
    jurisdiction: str
    kind: str
    language: str
    file: str
    name: str = ""  # what the letter is under its own law (letter_name); else its kind


def kit_file(code: str, kind: str, language: str, fmt: Format | str) -> str:
    """The name of one blank letter in a kit: ``DE/objection-de.pdf``."""
    return f"{code}/{kind}-{language}{Format(fmt).suffix}"


def languages_for(code: str, kind: str) -> list[str]:
    """The jurisdiction's language, the authority's, and English, as shipped."""
    jurisdiction = registry.jurisdictions()[code]
    shipped = shipped_languages()
    found: list[str] = []
    candidates = [jurisdiction.default_language]
    authority = registry.authority_for(code)
    if authority is not None:
        candidates += list(authority.complaint_languages)
    candidates.append("en")
    for language in candidates:
        language = jurisdiction.regional_forms.get(language, language)
        allowed = jurisdiction.letter_languages
        if language in shipped and language not in found and (not allowed or language in allowed):
            found.append(language)
    return found


def law_family(code: str, controller: str = "linkedin") -> LawFamily | None:
    """The law a letter to the controller from a resident of ``code`` rests on, or None
    where the controller has no entity for its residents."""
    found = registry.controller(controller)
    entity = found.entity_for(code) if found else None
    if found is not None and entity is None:
        return None
    return registry.applicable_law(code, entity)[0]


def letter_name(letter: Letter) -> str:
    """What the letter is, as its own law makes it (the index names it so): for the
    objection kind ``objection``, a ``withdrawal`` of consent (HK, CA) or an ``opt_out``
    (US-CA); ``report`` for a complaint to an authority that acts on reports (CH); else
    the kind."""
    family = registry.law_families()[letter.family]
    if letter.kind is Kind.OBJECTION:
        return family.objection_lever
    if letter.kind is Kind.COMPLAINT and family.complaint_is_report:
        return "report"
    return letter.kind.value


def combinations(
    kinds: list[str] | None = None,
    jurisdictions: list[str] | None = None,
    languages: list[str] | None = None,
    controller: str = "linkedin",
) -> Iterator[tuple[str, str, str]]:
    """(jurisdiction, kind, language) for every letter that applies.

    The kinds are those of the law that applies to the controller's entity for
    residents of the jurisdiction (the GDPR for an entity in the EU, Art. 3(1)).
    """
    for code, jurisdiction in registry.jurisdictions().items():
        if jurisdictions and code not in jurisdictions:
            continue
        family = law_family(code, controller)
        if family is None:
            continue
        for kind in family.kinds:
            if kinds and kind not in kinds:
                continue
            subdivision = "-" in code
            if kind == "complaint":
                if jurisdiction.complaint_needs_subdivision:
                    continue  # the Länder have their own entries
            elif subdivision and code.split("-")[0] in registry.jurisdictions():
                continue  # a Land differs from its country only for complaints
            # A language as dsr batch takes it: "en" is IE's en-GB, "de" CH's de-CH.
            chosen = {jurisdiction.regional_forms.get(lang, lang) for lang in languages or ()}
            for language in languages_for(code, kind):
                if languages and language not in chosen and language not in languages:
                    continue
                yield code, kind, language


def why_none(
    kinds: list[str] | None,
    jurisdictions: list[str] | None,
    languages: list[str] | None,
    controller: str = "linkedin",
) -> list[Words]:
    """Why no blank letter has these kinds, jurisdictions and languages, and what would
    be valid instead: one sentence per choice that leaves nothing, naming its option."""
    reasons: list[Words] = []
    known = registry.jurisdictions()
    codes: list[str | None] = list(jurisdictions) if jurisdictions else [None]
    for code in codes:
        where = f"{code}'s kit" if code else "the kit"
        offered = list(combinations(None, [code] if code else None, None, controller))
        if code and not offered:
            reasons.append(words(Option("jurisdiction", code), f": no blank letter is for {code}"))
            continue
        offered_kinds = sorted({kind for _, kind, _ in offered})
        for kind in kinds or ():
            if kind in offered_kinds:
                continue
            regions = [other for other in known if code and other.startswith(code + "-")]
            parent = code.split("-")[0] if code and "-" in code else None
            if kind == "complaint" and code and regions and known[code].complaint_needs_subdivision:
                reason = words(
                    f": in {code}, complaints go to the authority of the member's region; use ",
                    Option("jurisdiction"),
                    f" with one of {', '.join(regions)}",
                )
            elif parent in known:
                reason = words(
                    f": {code}'s kit holds only complaints to its own authority; its other "
                    f"letters are {parent}'s: use ",
                    Option("jurisdiction", str(parent)),
                )
            else:
                reason = words(f": {where} has no {kind} letter; it has {', '.join(offered_kinds)}")
            reasons.append(words(Option("kind", kind), reason))
        chosen = [entry for entry in offered if not kinds or entry[1] in kinds]
        if chosen and languages:
            written_in = sorted({language for _, _, language in chosen})
            chosen_kinds = sorted({kind for _, kind, _ in chosen})
            letters = f"{'/'.join(chosen_kinds)} letters" if kinds else "letters"
            reasons.append(
                words(
                    Option("lang", keyword="languages"),
                    f": {where} has its {letters} in {', '.join(written_in)}",
                )
            )
    return reasons


def blank_letter(
    code: str, kind: str, language: str, controller: str = "linkedin", fillable: bool = False
) -> Letter:
    """A letter with every fact resolved and the member's details left blank.

    The blanks are listed in ``Letter.blanks`` (see BLANKS); with ``fillable``
    the templates make them PDF form fields instead of dotted lines.
    """
    jurisdiction = registry.jurisdictions()[code]
    request = Request(
        kind=Kind(kind),
        jurisdiction=code,
        controller=controller,
        requester=Requester(
            name=DOTS,
            address=PostalAddress((DOTS, DOTS), jurisdiction.country),
            email=None,
            place=DOTS[:10],
            place_typed=True,  # filled in by hand, as the language writes it before the date
        ),
        account=Account(email=DOTS, profile_url=DOTS),
        language=language,
        date=date_for_deadlines(),
        situation="\n\n\n" if kind == Kind.ART21 else None,
        request_date=(
            date_for_deadlines(earlier=True) if kind in (Kind.COMPLAINT, Kind.REMINDER) else None
        ),
        reference="_" * 12,
    )
    letter = compose(request)
    blanks = dict(BLANKS)
    if letter.situation is None:
        del blanks["situation"]
    for key in DATE_FIELDS:
        if getattr(letter, key) is None:
            del blanks[key]
    # A date is set as its blank by its value (dsr.render): two blank dates of one value
    # would be set as one field, the date's field standing for a deadline.
    dates = [getattr(letter, key) for key in DATE_FIELDS if key in blanks]
    if len(set(dates)) < len(dates):
        raise ValueError(f"the blank {code} {kind} letter has two dates of one value: {dates}")
    return replace(letter, fillable=fillable, blanks=blanks)


def date_for_deadlines(earlier: bool = False) -> date:
    """Deadlines are computed and then blanked, but the law cited is the law in force today."""
    today = date.today()  # noqa: DTZ011 - the kit's law is that of the day it is made
    return today - timedelta(days=150) if earlier else today


def write_kit(
    out_dir: Path,
    *,
    kinds: list[str] | None = None,
    jurisdictions: list[str] | None = None,
    languages: list[str] | None = None,
    options: WriteOptions = KIT_OPTIONS,
    index_language: str = "en",
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[KitEntry]:
    """Write the blank letters and an index.html into ``out_dir``, as ``options`` say:
    their format (PDF or HTML), the engine that sets PDFs (Typst by default), a
    template folder, and ``fillable`` (the blanks as PDF form fields; WeasyPrint).

    Letters go to the workers in groups of one language; a group's PDFs are
    written together, fonts subset once (see pdf.write_separately). Fillable
    PDFs are written one by one, as the split would lose their form.
    """
    wanted = list(combinations(kinds, jurisdictions, languages))
    numbered = [(number, *combination) for number, combination in enumerate(wanted)]
    groups = list(grouped(numbered, lambda item: item[3]))  # of one language each
    written: dict[int, KitEntry] = {}

    def collect(done: list[tuple[int, KitEntry]]) -> None:
        written.update(done)
        if progress is not None:
            progress(len(done), len(wanted))

    if options.format not in KIT_FORMATS:
        raise UnknownFormat(f"a kit is written as {' or '.join(KIT_FORMATS)}, not {options.format}")
    work = partial(_write_group, out_dir=out_dir, options=options)
    # Typst's workers load WeasyPrint only for a letter Typst cannot set (as dsr batch's).
    weasyprint = options.format is Format.PDF and (
        options.engine is Engine.WEASYPRINT or options.fillable
    )
    files.make_dir(out_dir, mode=files.SHARED_DIR)
    with files.folder_lock(out_dir):  # a second kit or batch into the folder is refused
        names = [kit_file(code, kind, language, options.format) for code, kind, language in wanted]
        check_targets(out_dir, [*names, "index.html"], force=True)  # replaced: the CLI asks first
        run_groups(work, groups, jobs, collect, load_weasyprint if weasyprint else None)
        entries = [written[number] for number in sorted(written)]
        index = index_html(entries, index_language, options.template_dir, options.fillable)
        _write(out_dir, "index.html", index.encode())
    return entries


def _write_group(
    group: list[tuple[int, str, str, str]], out_dir: Path, options: WriteOptions
) -> list[tuple[int, KitEntry]]:
    """Write one group of blank letters (in a worker), through dsr.pipeline; returns
    what was written. A letter that cannot be made stops the kit: it is dsr's own."""
    entries: list[tuple[int, KitEntry]] = []
    documents: list[Document] = []
    for number, code, kind, language in group:
        letter = blank_letter(code, kind, language, fillable=options.fillable)
        file = kit_file(code, kind, language, options.format)
        entries.append((number, KitEntry(code, kind, language, file, letter_name(letter))))
        documents.append(Document(letter))
    done: list[tuple[int, KitEntry]] = []
    for (number, entry), made in zip(
        entries, make_letters(documents, options, stop_requested), strict=False
    ):
        if isinstance(made, Exception):
            raise made
        _write(out_dir, entry.file, made.data)
        done.append((number, entry))
    del documents
    gc.collect()  # see workers.fewer_collections
    return done


def index_html(
    entries: list[KitEntry],
    language: str,
    template_dir: Path | None = None,
    fillable: bool = False,
) -> str:
    """The kit's index, in the advocate's language (its own template and catalog, or
    the template folder's); a ``fillable`` kit's says the forms are filled in on screen."""
    from babel import Locale

    if language not in shipped_languages():
        language = "en"
    territories = Locale.parse(locale_id(language)).territories
    rows = []
    for entry in entries:
        country = entry.jurisdiction.split("-")[0]
        place = territories.get(country, country)
        if "-" in entry.jurisdiction:
            place += f" ({entry.jurisdiction})"
        rows.append(
            {
                "place": place,
                "kind": entry.kind,
                "name": entry.name or entry.kind,
                "language_name": language_name(entry.language, language),
                "file": entry.file,
            }
        )
    template = environment(language, template_dir).get_template("kit-index.html.jinja")
    return template.render(entries=rows, language=language, fillable=fillable)


def _write(out_dir: Path, name: str, data: bytes) -> None:
    """A blank kit holds no one's data: readable by all, but links are never followed."""
    files.write_file(out_dir, name, data, mode=files.SHARED_FILE, replace=True)


def check_targets(out_dir: Path, names: list[str], *, force: bool) -> None:
    """Refuse (exit 2), before the first file is written, what would stop a kit half-way.

    A link or a file where a folder goes, a file that exists (unless ``force``),
    and, even with ``force``, a folder, a FIFO or a device where a file goes.
    """
    for name in names:
        parts = files.name_parts(name)
        for depth in range(1, len(parts)):
            folder = out_dir.joinpath(*parts[:depth])
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                raise files.UnsafeFile(
                    f"{folder} is a link or not a folder; dsr does not follow links, and "
                    "writes only into folders of its own: remove it, or choose another folder"
                )
        target = out_dir / name
        if not force and (target.is_symlink() or target.exists()):
            raise files.OutputExists(target)
        if not target.is_symlink():  # a link is replaced, never followed
            files.check_regular(target)


def write_sources(out_dir: Path, force: bool = False) -> list[Path]:
    """Copy the built-in templates and catalogs, for --template-dir adaptations.

    An existing file is replaced only with ``force``, never through a link.
    """
    sources = [
        (f"{folder}/{path.relative_to(resource_dir(folder)).as_posix()}", path)
        for folder, pattern in (("templates", "*.jinja"), ("locales", "*.po"))
        for path in sorted(resource_dir(folder).rglob(pattern))
    ]
    check_targets(out_dir, [name for name, _ in sources], force=force)
    return [
        files.write_file(out_dir, name, path.read_bytes(), mode=files.SHARED_FILE, replace=force)
        for name, path in sources
    ]
