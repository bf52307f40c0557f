"""dsr controllers import and dsr forget: what dsr stores for the member."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import cli
from .. import track as tracking
from ..cli import ExitCode, NamedPath, confirm_or_stop, counted, fail, shown
from ..controller_files import record_from_file, toml_records
from ..datenanfragen import import_directory
from ..errors import RegistryError
from ..files import SLUG_RULE, is_slug
from ..registry import builtin_controllers, controller_from_record
from ..userdata import OtherMembersRecord, data_home, save_controller
from ..userdata import forget as forget_all


@click.group()
def controllers() -> None:
    """Manage the companies dsr can write to."""


@controllers.command(name="import")
@click.argument("source", type=NamedPath(exists=True, path_type=Path))
def controllers_import(source: Path) -> None:
    """Import controller records from SOURCE (a folder or one file).

    Takes dsr's own format or datarequests.org company records (JSON). Imported
    controllers are stored in your data folder and can be used with
    --controller SLUG. Every skipped file is listed with the reason.
    """

    if source.is_dir():
        report = import_directory(source)
        converted = report.converted
        skipped = [(item.path, item.reason) for item in report.skipped]
        in_toml, toml_skipped = toml_records(source)  # dsr's own format
        skipped += toml_skipped
        for slug, record in in_toml.items():
            if slug in converted:
                skipped.append((slug, "duplicate slug: a .json file in the folder has it too"))
            else:
                converted[slug] = record
        if not converted and not skipped:
            fail([f"{shown(str(source))}: no controller records in it (*.json, *.toml)"])
    else:
        converted, skipped = {}, []
        try:
            slug, record = record_from_file(source)
            converted[slug] = record
        except RegistryError as error:
            skipped.append((str(source), str(error).removeprefix(f"{source}: ")))
    builtin = builtin_controllers()
    saved = 0
    for slug, record in sorted(converted.items()):
        if not is_slug(slug):
            skipped.append((repr(slug), f"not a controller key: {SLUG_RULE}"))
            continue
        if slug in builtin:
            skipped.append((slug, "a built-in controller has this slug; the built-in record wins"))
            continue
        try:
            controller_from_record(slug, record, slug)
        except RegistryError as error:
            skipped.append((slug, str(error)))
            continue
        try:
            save_controller(slug, record)
        except OtherMembersRecord as error:
            skipped.append((slug, str(error)))
            continue
        saved += 1
    for path, reason in skipped:
        click.echo(f"skipped {shown(str(path))}: {shown(reason)}", err=True)
    click.echo(f"Imported {counted(saved, 'controller')}, skipped {len(skipped)}.", err=True)
    if skipped:  # the good records are stored; the exit status says not all were
        sys.exit(ExitCode.USAGE)


@click.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget(yes: bool) -> None:
    """Remove what dsr stored in your data folder (only the files dsr wrote)."""

    home = data_home()
    if not yes and cli.is_interactive():
        confirm_or_stop(f"Remove the files dsr stored in {home}?", "nothing was removed")
    elif not yes:
        fail(["forget: add --yes to remove your stored data without a prompt"])

    own, others = tracking.rows_by_sealer()
    if others:
        # A shared data folder: the other members' requests stay; the member's go.
        tracking.remove_own(own)
    done = forget_all(keep_store=bool(others))
    click.echo(f"Removed {len(done.removed)} files and folders from {home}.", err=True)
    if others:
        click.echo(
            f"Kept the tracking store {shown(str(tracking.database_path()))}: it holds "
            f"{counted(len(others), 'request')} dsr did not record with your key (other "
            f"members', where members share this data folder); your own "
            f"{counted(len(own), 'request')} were removed from it.",
            err=True,
        )
    for path in done.others:
        click.echo(
            f"Kept {shown(str(path))}: another member imported it (sealed with another key, "
            "where members share this data folder).",
            err=True,
        )
    if done.others or others:
        click.echo(
            f"Kept dsr's list of what it stored in {shown(str(home))}: it names the other "
            "members' files; your own lines were taken out of it.",
            err=True,
        )
    for path in done.changed:
        click.echo(
            f"Kept {shown(str(path))}: it changed after dsr wrote it (or dsr did not note "
            "what it wrote); delete it yourself if it is yours to delete.",
            err=True,
        )
    for path in done.kept:
        click.echo(f"Kept {shown(str(path))}: dsr did not write it.", err=True)
    if done.more_kept:
        click.echo(
            f"Kept more files that dsr did not write in {shown(str(home))} (the first "
            f"{len(done.kept)} are named): is DSR_HOME the folder you meant?",
            err=True,
        )
    if done.home_kept:
        click.echo(f"Kept {shown(str(home))}: {done.home_kept}.", err=True)
    for folder in done.batches:
        click.echo(
            f"Not removed: {folder} holds letters, report.csv and "
            ".dsr-batch-state.jsonl with members' data from dsr batch; delete it yourself.",
            err=True,
        )
