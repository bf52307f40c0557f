"""dsr templates: template kits, and the templates' sources."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import (
    counted,
    engine_option,
    fail,
    force_option,
    jobs_option,
    output_option,
    progress_bar,
    shown,
)
from ..cliwords import said
from ..files import archive_path
from ..formats import Engine, Format, WriteOptions
from ..i18n import shipped_languages
from ..inputs import jurisdiction_named
from ..kits import combinations, why_none, write_kit, write_sources
from ..model import Kind, field_key
from ..outputs import zip_folder
from ..workers import available_cpus
from .common import _completion, _refuse_new_names, template_dir_option


@click.command()
@output_option("Folder for the kit.", folder=True)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([k.value for k in Kind], case_sensitive=False),
    help="Only this kind (repeatable).",
)
@click.option(
    "--jurisdiction",
    "jurisdictions",
    multiple=True,
    metavar="CODE",
    help="Only this jurisdiction (repeatable).",
    shell_complete=_completion("jurisdictions"),
)
@click.option(
    "--lang",
    "languages",
    multiple=True,
    metavar="LANG",
    help="Only this language (repeatable).",
    shell_complete=_completion("languages"),
)
@click.option(
    "--index-lang",
    default=None,
    metavar="LANG",
    help="Language of the kit's index [default: the one --lang given, else en].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html"]),
    default="pdf",
    show_default=True,
    help="Format of the blank letters.",
)
@click.option("--zip", "make_zip", is_flag=True, help="Also bundle the kit into DIR.zip.")
@click.option(
    "--source",
    is_flag=True,
    help="Write the built-in templates and catalogs instead, to adapt and use with --template-dir.",
)
@force_option("the kit's files in DIR, and write into DIR even if it already holds files")
@click.option(
    "--fillable", is_flag=True, help="Make the blanks PDF form fields, to fill in on screen."
)
@jobs_option
@engine_option("typst")
@template_dir_option
def templates(
    out_dir: Path,
    kinds: tuple[str, ...],
    jurisdictions: tuple[str, ...],
    languages: tuple[str, ...],
    index_lang: str | None,
    fmt: str,
    make_zip: bool,
    source: bool,
    force: bool,
    fillable: bool,
    jobs: int | None,
    engine: Engine,
    template_dir: Path | None,
) -> None:
    """Write a template kit: blank letters to print and fill in by hand.

    One letter per kind x jurisdiction x language that applies, with every
    legal fact filled in and the member's details left blank, plus an
    index.html in the advocate's language.
    """

    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        fail([f"--output: {out_dir} already holds files; use --force to write into it"])
    _refuse_new_names("--output", out_dir, folder=True)
    if make_zip:
        archive = archive_path(out_dir)
        if (archive.exists() or archive.is_symlink()) and not force:
            fail([f"--zip: {archive} exists; use --force to replace it"])
        _refuse_new_names("--zip", archive)
    if source:
        written = write_sources(out_dir, force=force)
        click.echo(
            f"Wrote {len(written)} template and catalog files to {shown(str(out_dir))}", err=True
        )
        if make_zip:
            names = [path.relative_to(out_dir).as_posix() for path in written]
            click.echo(f"Bundled into {zip_folder(out_dir, names, 0o644, force=force)}", err=True)
        return
    # A code in any case or a country's name, as dsr letter and dsr batch read it.
    named = [(given, *jurisdiction_named(given)) for given in jurisdictions]
    problems = [f"--jurisdiction: {why}" for _, code, why in named if code is None]
    offered_languages = {field_key(lang): lang for lang in shipped_languages()}  # any case
    if index_lang is None:  # the one language asked for, if dsr has it (else --lang says)
        one = languages[0] if len(languages) == 1 else "en"
        index_lang = one if field_key(one) in offered_languages else "en"
    problems += [
        f"--{option}: {lang!r} is not offered; use one of {', '.join(shipped_languages())}"
        for option, lang in (*(("lang", lang) for lang in languages), ("index-lang", index_lang))
        if field_key(lang) not in offered_languages
    ]
    if problems:
        fail(problems)
    languages = tuple(offered_languages[field_key(lang)] for lang in languages)
    index_lang = offered_languages[field_key(index_lang)]

    codes = list(dict.fromkeys(code for _, code, _ in named if code is not None)) or None
    if not any(True for _ in combinations(list(kinds) or None, codes, list(languages) or None)):
        # Nothing matches: say why, and what would (not "Wrote 0 blank letters").
        chosen = [
            *(f"--kind {kind}" for kind in kinds),
            *(f"--jurisdiction {code}" for code in codes or ()),
            *(f"--lang {lang}" for lang in languages),
        ]
        fail(
            [
                f"no blank letter matches {' '.join(chosen)}; nothing was written",
                *map(said, why_none(list(kinds) or None, codes, list(languages) or None)),
            ]
        )

    with progress_bar("Writing blank letters", "blank letter") as step:
        entries = write_kit(
            out_dir,
            kinds=list(kinds) or None,
            jurisdictions=codes,
            languages=list(languages) or None,
            options=WriteOptions(Format(fmt), engine, template_dir=template_dir, fillable=fillable),
            index_language=index_lang,
            jobs=jobs or available_cpus(),
            progress=step,
        )
    click.echo(
        f"Wrote {counted(len(entries), 'blank letter')} and index.html to {shown(str(out_dir))}",
        err=True,
    )
    if make_zip:
        names = [*(entry.file for entry in entries), "index.html"]
        target = zip_folder(out_dir, names, 0o644, force=force)
        click.echo(f"Bundled into {target}", err=True)
