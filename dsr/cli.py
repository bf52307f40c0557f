"""The command line's core: the group, errors and exit codes, the shared options.

Each command lives in its module under dsr/commands and loads when it runs
(``COMMANDS``), so ``dsr --help`` stays fast. Only the command line (this
module, dsr.commands, dsr.guide) imports Click: an import-linter contract in
pyproject.toml forbids it to every other module.
"""

from __future__ import annotations

import os
import sys


def _deliver_ctrl_c_again(unraisable: sys.UnraisableHookArgs) -> None:
    """Python drops a Ctrl-C that lands in a finaliser or a weakref callback (as
    an import's lock is let go), printing a traceback; deliver it again instead.

    Not from here: the main thread would raise it inside this hook, and lose it
    again. A thread delivers it once this hook has returned.
    """
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        import _thread  # built in, as is time: nothing to load while a lock may be held

        try:
            _thread.start_new_thread(_interrupt_main_soon, ())
        except RuntimeError:  # Python is exiting: nothing is left to interrupt
            pass
        return
    _unraisablehook(unraisable)


def _interrupt_main_soon() -> None:
    import _thread
    import time

    time.sleep(0.05)
    _thread.interrupt_main()  # as if Ctrl-C came now, to the main thread's handler


_unraisablehook, sys.unraisablehook = sys.unraisablehook, _deliver_ctrl_c_again

try:  # every import: a Ctrl-C while dsr starts gives no traceback either
    import enum
    import importlib
    import logging
    import time
    from collections.abc import Callable, Iterator, Sequence
    from contextlib import contextmanager
    from datetime import UTC, date, datetime
    from pathlib import Path
    from typing import Any, NoReturn

    import click

    from .cliwords import cli_command, cli_option, said
    from .errors import DsrError, InputError, InvalidRequest, Problem, Words
    from .errors import wording as _wording
    from .files import describe
    from .formats import Engine, Format, PdfVariant
    from .text import printable
except (KeyboardInterrupt, RuntimeError) as error:
    if isinstance(error, RuntimeError) and not isinstance(error.__cause__, KeyboardInterrupt):
        raise  # Python 3.11 wraps a Ctrl-C raised in __set_name__; nothing else is ours
    sys.stderr.write("Interrupted.\n")
    raise SystemExit(130) from None


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # what a shell shows for a program ended by SIGPIPE


def shown(text: str) -> str:
    """``text`` safe for a terminal: control, bidi and surrogate characters escaped."""
    return printable(text)


def colour() -> bool | None:
    """False where ``NO_COLOR`` is set (no-color.org); else None: colour on a terminal only."""
    return False if os.environ.get("NO_COLOR") else None


class Refused(click.ClickException):
    """What dsr refuses, one ``Error:`` line per problem, with its exit code (2: the
    input, as Click's UsageError; 1: dsr could not do it). Library errors become this
    in one place, DsrGroup.invoke."""

    exit_code = ExitCode.USAGE

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)

    def show(self, file: Any = None) -> None:
        label = click.style("Error:", fg="red", bold=True)
        for line in self.lines:
            click.echo(f"{label} {shown(line)}", err=True, color=colour())


class Failed(Refused):
    """What dsr could not do (exit 1): the input was fine."""

    exit_code = ExitCode.FAILURE


def fail(lines: Sequence[str], code: ExitCode = ExitCode.USAGE) -> NoReturn:
    raise (Failed if code is ExitCode.FAILURE else Refused)(lines)


def _quiet_broken_pipe() -> NoReturn:
    """End quietly once the reader of stdout has gone (``dsr list ... | head -1``).

    Exit 141, as a program ended by SIGPIPE does: the reader wanted no more,
    nothing failed, and nothing is said.
    """
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit finds nothing to say
    except (OSError, ValueError):
        pass
    sys.exit(ExitCode.BROKEN_PIPE)


class _Warnings(logging.Handler):
    """The library's warnings (a broken file in the data folder) as "Warning: ..." lines."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            label = click.style("Warning:", fg="yellow", bold=True)
            message = said(record.msg) if isinstance(record.msg, Words) else record.getMessage()
            click.echo(f"{label} {shown(message)}", err=True, color=colour())
        except OSError:  # stderr is gone: nothing to tell
            pass


def _show_warnings() -> None:
    logger = logging.getLogger("dsr")
    if not any(isinstance(handler, _Warnings) for handler in logger.handlers):
        logger.addHandler(_Warnings(logging.WARNING))
    logger.propagate = False  # said once, here, not again by a handler of the root logger


def format_problem(problem: Problem) -> str:
    return f"--{problem.field}: {said(problem.message)}"


def interrupted(error: BaseException) -> bool:
    """Ctrl-C caused ``error``: Python 3.11 turns a KeyboardInterrupt raised inside
    ``__set_name__`` (a class being made, as a module loads) into a RuntimeError."""
    cause = error.__cause__
    for _ in range(8):
        if cause is None:
            return False
        if isinstance(cause, KeyboardInterrupt):
            return True
        cause = cause.__cause__
    return False


# The commands, each in its module under dsr/commands, loaded only when run (or when its
# own help is asked for): `dsr --help` lists them from here without importing them.
# tests/test_cli.py checks each line against the command's own help.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "batch": ("dsr.commands.batch", "batch",
              "Write one letter per row of a spreadsheet (.xlsx, .ods), CSV (comma or "
              "semicolon), TSV, YAML or JSONL file."),
    "controllers": ("dsr.commands.store", "controllers",
                    "Manage the companies dsr can write to."),
    "forget": ("dsr.commands.store", "forget",
               "Remove what dsr stored in your data folder (only the files dsr wrote)."),
    "letter": ("dsr.commands.letter", "letter", "Write one letter."),
    "list": ("dsr.commands.lists", "list_",
             "List kinds, jurisdictions, languages, controllers or authorities."),
    "schema": ("dsr.commands.lists", "schema", "Print a JSON Schema of a request."),
    "serve": ("dsr.commands.serve", "serve",
              "Serve dsr's web page: a guided form, a preview, and the letter to download."),
    "templates": ("dsr.commands.templates", "templates",
                  "Write a template kit: blank letters to print and fill in by hand."),
    "track": ("dsr.commands.track", "track_group",
              "Follow tracked requests: deadlines, answers, reminders, complaints."),
}  # fmt: skip


class DsrGroup(click.Group):
    """Turns library errors into messages and exit codes; tracebacks only with --debug.
    Its commands load when run (Click's lazy subcommands), so ``dsr --help`` stays fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        if colour() is False:  # Click's own messages (usage errors, help) too
            extra.setdefault("color", False)
        try:  # --help and --version print here, before invoke
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except KeyboardInterrupt:  # Click's own answer would be "Aborted!" and exit 1
            click.echo("\nInterrupted.", err=True)
            sys.exit(ExitCode.INTERRUPTED)

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        """The program: once its result is decided, a Ctrl-C while Python exits
        changes nothing and prints nothing (it would print a traceback)."""
        program = args is None  # sys.argv: the program itself, not a caller's (tests, code)
        try:
            return super().main(debug_first(sys.argv[1:] if args is None else args), *rest, **extra)
        finally:
            if program:
                import signal

                signal.signal(signal.SIGINT, signal.SIG_IGN)

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            with _wording(cli_option, cli_command):  # every library message in CLI words
                result = super().invoke(ctx)
            if sys.stdout is not None:  # None when the command ran with stdout closed
                sys.stdout.flush()  # a closed pipe shows here, not at exit
            return result
        except click.Abort as error:
            if isinstance(error.__context__, KeyboardInterrupt):  # Ctrl-C at a prompt
                click.echo("\nInterrupted.", err=True)
                sys.exit(ExitCode.INTERRUPTED)
            if isinstance(error.__context__, EOFError):  # Ctrl-D: the answers end here
                click.echo("\nStopped at the end of the answers; nothing was written.", err=True)
                sys.exit(ExitCode.INTERRUPTED)
            raise
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            if debug:
                raise
            click.echo("Interrupted.", err=True)
            sys.exit(ExitCode.INTERRUPTED)
        except InvalidRequest as error:
            if debug:
                raise
            fail([format_problem(p) for p in error.problems])
        except InputError as error:  # an unusable file, ID or template of the user's
            if debug:
                raise
            fail([said(error)])
        except BrokenPipeError:  # `dsr list ... | head -1`: the reader is gone
            _quiet_broken_pipe()
        except DsrError as error:
            if debug:
                raise
            fail([said(error)], ExitCode.FAILURE)
        except OSError as error:  # a full disk, most likely: say so, no "internal error"
            if debug:
                raise
            name = error.filename if isinstance(error.filename, str | Path) else "a file"
            described = describe(error, name or "a file")  # never "cannot write 4" (a descriptor)
            code = ExitCode.USAGE if isinstance(described, InputError) else ExitCode.FAILURE
            fail([said(described)], code)
        except Exception as error:
            if debug:
                raise
            if interrupted(error):
                click.echo("Interrupted.", err=True)
                sys.exit(ExitCode.INTERRUPTED)
            fail(
                [
                    f"internal error: {type(error).__name__}: {error} "
                    "(rerun with --debug for details)"
                ],
                ExitCode.FAILURE,
            )


NAME_MAX = 255  # bytes in one name of a path, as Linux's file systems take them
PATH_MAX = 4095


class NamedPath(click.Path):
    """A path whose names a file system takes: none longer than 255 bytes."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            encoded = os.fsencode(value)
            if len(encoded) > PATH_MAX or any(len(part) > NAME_MAX for part in encoded.split(b"/")):
                self.fail(
                    f"{value[:40]!r}… is too long: a name in a path may have {NAME_MAX} bytes, "
                    f"a path {PATH_MAX}; choose a shorter one",
                    param,
                    ctx,
                )
            if not self.file_okay and os.path.exists(value) and not os.path.isdir(value):
                self.fail(f"{value!r} is not a folder", param, ctx)  # /dev/null, a FIFO
        return super().convert(value, param, ctx)


class FilePath(NamedPath):
    """A file's name: one that ends with "/", "/." or "/.." names a folder (``-o
    letters.txt/`` would otherwise write the file ``letters.txt``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.strip("/"):
            last = value.rsplit("/", 1)[-1]
            if last in ("", ".", ".."):
                self.fail(
                    f"{value!r} names a folder (it ends with /{last}); give a file's name",
                    param,
                    ctx,
                )
        return super().convert(value, param, ctx)


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def output_option(
    help: str, *, folder: bool = False, dash: bool = False, required: bool = True
) -> Decorator:
    """``-o/--output``: a file (``dash``: or ``-``, standard output) or a folder
    (``required=False``: the command asks for it itself where it needs one)."""
    if folder:
        kind: click.Path = NamedPath(file_okay=False, path_type=Path)
        return click.option("-o", "--output", "out_dir", type=kind, required=required, help=help)
    kind = FilePath(dir_okay=False, allow_dash=dash, path_type=Path)
    return click.option("-o", "--output", type=kind, required=not dash, help=help)


def force_option(replaces: str = "the output file, if it exists") -> Decorator:
    """``--force``: the same meaning everywhere (replace what dsr would otherwise keep);
    its help says exactly what it replaces. It never replaces a file dsr did not write
    where the command says so, nor one of dsr's own (the tracking store)."""
    return click.option("--force", is_flag=True, help=f"Replace {replaces}.")


def date_option(of: str, dest: str = "when") -> Decorator:
    """``--date``: the date of what the command writes or records, YYYY-MM-DD."""
    return click.option(
        "--date", dest, metavar="YYYY-MM-DD", help=f"Date of {of} (default: today)."
    )


def format_option(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format``: every command chooses the format this way (``default`` says how it
    is chosen when the option is not given)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice([member.value for member in Format], case_sensitive=False),
        callback=lambda ctx, param, value: Format(value.lower()) if value else None,
        help="pdf, html, txt or eml (an e-mail with the letter as text, the PDF attached).  "
        f"[default: {default}]",
    )


def engine_option(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--engine``: what sets a PDF, wherever dsr writes one."""
    return click.option(
        "--engine",
        type=click.Choice([member.value for member in Engine], case_sensitive=False),
        default=default,
        show_default=True,
        callback=lambda ctx, param, value: Engine(value.lower()),
        help="What sets the PDFs: typst (several times faster) or weasyprint (PDF variants "
        "and form fields). Both give the same text in the same window-envelope layout.",
    )


def pdf_variant_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--pdf-variant``: archival or tagged PDFs, wherever dsr writes one."""
    return click.option(
        "--pdf-variant",
        type=click.Choice([member.value for member in PdfVariant], case_sensitive=False),
        callback=lambda ctx, param, value: PdfVariant(value.lower()) if value else None,
        help="Archival PDF/A-3b (with the request embedded as JSON) or tagged PDF/UA-1 "
        "(set by WeasyPrint).",
    )(function)


def debug_first(args: Sequence[str]) -> list[str]:
    """``args`` with ``--debug`` moved to the front: it is accepted anywhere on the
    command line (``dsr letter ... --debug``), up to a ``--``."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    if "--debug" not in args[:end]:
        return args
    return ["--debug", *(a for a in args[:end] if a != "--debug"), *args[end:]]


class ProfileFile(FilePath):
    """``--profile``'s TOML file: a URL there was meant for ``--profile-url``."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "://" in value and not os.path.exists(value):
            self.fail(
                f"{value!r} is a web address, not a file of your details; did you mean "
                "--profile-url?",
                param,
                ctx,
            )
        return super().convert(value, param, ctx)


EXAMPLES = """\b
Examples:
  dsr letter -o objection.pdf           on a terminal, asks for what it needs
  dsr letter --kind objection --jurisdiction DE --name "Erika Mustermann" \\
    --address "Hauptstraße 1, 10115 Berlin" --account-email erika@example.org \\
    -o objection.pdf
  dsr list jurisdictions                the codes --jurisdiction takes
  dsr batch members.csv -o letters/     one letter per row
  dsr track list                        the deadlines of tracked letters
  dsr schema                            a JSON Schema of a request

Shell completion: eval "$(_DSR_COMPLETE=bash_source dsr)" in ~/.bashrc
(zsh_source, fish_source for zsh and fish).
"""


@click.group(
    cls=DsrGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXAMPLES
)
@click.option(
    "--debug", is_flag=True, help="Show tracebacks for unexpected errors (anywhere on the line)."
)
@click.version_option(None, "-V", "--version", package_name="dsr", message="%(prog)s %(version)s")
def main(debug: bool) -> None:
    """Write data-subject request letters that work: objections to AI
    training, GDPR Art. 21 objections, erasure requests and complaints to
    data protection authorities, as print-ready PDF, HTML or text.

    Everything runs locally; your personal data never leaves this machine.
    """
    _show_warnings()


def today() -> date:
    """Today in the user's own time zone: a letter is dated where it is signed."""
    return datetime.now(UTC).astimezone().date()


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


jobs_option = click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Worker processes.  [default: one per CPU]",
)


def counted(number: int, noun: str) -> str:
    """``1 letter``, ``2 letters``: the CLI's own messages are English."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@contextmanager
def progress_bar(
    label: str, noun: str | None = None
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar with position, ETA and letters/s on a terminal. Elsewhere (a log,
    a CI job), with ``noun``, a plain line on stderr at each tenth, every 10 s at most
    apart, and at the end: "Written 120 of 1,340 blank letters"; without, nothing."""
    if not is_interactive():
        yield None if noun is None else progress_lines(noun)
        return
    with click.progressbar(
        length=1, label=label, file=sys.stderr, show_pos=True, item_show_func=lambda rate: rate
    ) as bar:
        started = time.monotonic()

        def step(count: int, total: int) -> None:
            bar.length = max(total, 1)
            rate = (bar.pos + count) / max(time.monotonic() - started, 1e-3)
            bar.update(count, current_item=f"{rate:.1f} letters/s")

        yield step


def progress_lines(noun: str, seconds: float = 10) -> Callable[[int, int], None]:
    """``step(count, total)``: ``count`` more done of ``total``; says so in a plain line
    as each tenth of ``total`` is passed, after ``seconds`` without one, and at the end."""
    state = {"done": 0, "tenth": 0, "said": time.monotonic()}

    def step(count: int, total: int) -> None:
        state["done"] += count
        done, now = int(state["done"]), time.monotonic()
        tenth = done * 10 // max(total, 1)
        if tenth > state["tenth"] or done >= total or now - state["said"] >= seconds:
            state["tenth"], state["said"] = tenth, now
            nouns = noun if total == 1 else f"{noun}s"
            click.echo(f"Written {done:,} of {total:,} {nouns}", err=True)

    return step


def confirm_or_stop(question: str, not_done: str) -> None:
    """Ask ``question`` (no by default); a "no", or the end of input, stops the command
    with exit 2, saying what was not done (Ctrl-C stays exit 130)."""
    try:
        agreed = click.confirm(question, default=False, err=True)
    except click.Abort as error:
        if isinstance(error.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None  # Ctrl-C: "Interrupted.", exit 130
        agreed = False  # the end of input (Ctrl-D, a closed pipe)
    if not agreed:
        click.echo(f"Stopped: {not_done}.", err=True)
        sys.exit(ExitCode.USAGE)
