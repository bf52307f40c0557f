"""The command line: parses, prompts, calls the library, reports.

This is the only module that imports Click. Heavy modules (Jinja, Babel,
WeasyPrint) load inside the commands, so ``dsr --help`` and ``dsr list``
stay fast.
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
    import json
    import logging
    import time
    import tomllib
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
    from .formats import Engine, Format, PdfVariant, WriteOptions
    from .limits import MAX_ROWS
    from .model import Kind, Outcome, field_key
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


KIND_HELP = {
    Kind.OBJECTION: "objection to AI training, short enough for the controller's web form",
    Kind.ART21: "formal Art. 21(1) GDPR objection with your particular situation",
    Kind.ERASURE: "erasure request, including data in training datasets and models",
    Kind.ACCESS: "access request: was my data used for AI training, which models, who got it",
    Kind.COMPLAINT: "complaint to the supervisory authority of your place of residence",
    Kind.REMINDER: "reminder after the deadline of your request passed (needs --request-date)",
    Kind.CONTROLLER_COMPLAINT: "UK only: complaint to the controller under s.164A DPA 2018, "
    "the step the Information Commissioner expects before a complaint to it",
}
REQUEST_KINDS = "|".join(k.value for k in Kind.requests())

PROMPTS = {
    "kind": "Letter kind (" + ", ".join(k.value for k in Kind) + ")",
    "jurisdiction": "Where do you live? Country code, e.g. DE, FR, IE, DE-BY",
    "name": "Your full name",
    "address": "Your postal address (lines separated by commas)",
    "account-email": "The e-mail address of your account",
    "request-date": "Date of your earlier request (YYYY-MM-DD)",
    "request-kind": "What did that request ask for (" + REQUEST_KINDS.replace("|", ", ") + ")",
}

MISSING_HINTS = {
    "kind": "the letter kind, one of " + ", ".join(k.value for k in Kind),
    "jurisdiction": "where you live, e.g. DE, FR, IE or DE-BY ('dsr list jurisdictions')",
    "name": "your full name",
    "address": "your postal address",
    "account-email": "the e-mail address your account is registered with",
    "situation": "grounds relating to your particular situation, required for art21",
    "request-date": "the date of your request to the controller, YYYY-MM-DD",
    "request-kind": "the kind of request you sent the controller, one of " + REQUEST_KINDS,
    "output": "the file to write, .pdf, .html, .txt or .eml (- for standard output)",
}

SITUATION_HELP = """\
An Art. 21(1) objection must give grounds relating to your particular
situation: why the processing of your data affects you in particular.
For example:
  - "As a journalist I protect my sources; my posts and contacts must not
    be reproduced or inferred by AI models."
  - "My profile shows my health-related volunteer work; I do not want it
    used to train models that others can query."
  - "I was harassed online; AI outputs that reproduce my name and career
    details put me at risk."
"""


# A tracked request's number: SQLite's integers end at 2**63 - 1.
TRACK_ID = click.IntRange(1, 2**63 - 1)
# dsr.track.Verdict's values, without loading dsr.track for --help (a test keeps them equal).
VERDICT_CHOICES = ("complete", "partial", "refused")


def shown(text: str) -> str:
    """``text`` safe for a terminal: control, bidi and surrogate characters escaped."""
    from .text import printable

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


class DsrGroup(click.Group):
    """Turns library errors into messages and exit codes; tracebacks only with --debug."""

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


def output_option(help: str, *, folder: bool = False, dash: bool = False) -> Decorator:
    """``-o/--output``: a file (``dash``: or ``-``, standard output) or a folder."""
    if folder:
        kind: click.Path = NamedPath(file_okay=False, path_type=Path)
        return click.option("-o", "--output", "out_dir", type=kind, required=True, help=help)
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


def _completion(what: str) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    """Shell completion of an option's values from ``dsr.choices`` (``_DSR_COMPLETE``)."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        from . import choices  # loads the registries: only when completing, not for --help

        found: list[tuple[str, str]]
        if what == "kinds":
            found = [(k.code, k.description) for k in choices.kinds()]
        elif what == "request-kinds":
            requests = {k.value for k in Kind.requests()}
            found = [(k.code, k.description) for k in choices.kinds() if k.code in requests]
        elif what == "jurisdictions":
            found = [(j.code, j.name) for j in choices.jurisdictions()]
        elif what == "languages":
            found = [(lang.code, lang.english_name) for lang in choices.languages()]
        elif what == "controllers":
            found = [(c.code, c.service) for c in choices.controllers()]
        else:
            found = [(a.code, a.name_en) for a in choices.authorities()]
        typed = incomplete.casefold()
        return [CompletionItem(code, help=text) for code, text in found
                if code.casefold().startswith(typed)]  # fmt: skip

    return complete


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


def _load_profile(path: Path, option: str = "--profile") -> dict[str, Any]:
    """The values of a TOML file of option names (``option`` names it in errors)."""
    from .limits import MAX_DEPTH, TOO_MANY_DIGITS, LimitError, check_depth, read_limited

    try:
        data = check_depth(tomllib.loads(read_limited(path).decode("utf-8")), str(path))
    except LimitError as error:  # /dev/zero, a FIFO, a huge file
        fail([f"{option}: {said(error)}"])
    except UnicodeDecodeError:
        fail([f"{option}: {path} is not UTF-8 text"])
    except RecursionError:
        fail([f"{option}: {path}: nested more than {MAX_DEPTH} levels deep"])
    except tomllib.TOMLDecodeError as error:
        fail([f"{option}: {path} is not valid TOML: {said(error)}"])
    except ValueError:  # a number of thousands of digits
        fail([f"{option}: {path} {TOO_MANY_DIGITS}"])
    from .inputs import FIELDS, field_key

    values: dict[str, Any] = {}
    unknown = []
    for key, value in data.items():
        name = field_key(key)  # as parse_request and batch columns read it
        if name in values:
            fail([f"{option}: {path}: the key {name!r} appears more than once; keep one"])
        if name in FIELDS:
            values[name] = value
        else:
            unknown.append(key)
    if unknown:
        fail([f"{option}: {path}: unknown key {k!r}; use {', '.join(FIELDS)}" for k in unknown])
    return values


def today() -> date:
    """Today in the user's own time zone: a letter is dated where it is signed."""
    return datetime.now(UTC).astimezone().date()


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


@main.command()
@click.option(
    "--kind",
    metavar="KIND",
    help="Letter kind: " + ", ".join(k.value for k in Kind) + ".",
    shell_complete=_completion("kinds"),
)
@click.option(
    "--jurisdiction",
    metavar="CODE",
    help="Where you live: DE, FR, IE, DE-BY... ('dsr list jurisdictions').",
    shell_complete=_completion("jurisdictions"),
)
@click.option(
    "--controller",
    metavar="SLUG",
    help="The company you write to (default: linkedin).",
    shell_complete=_completion("controllers"),
)
@click.option("--name", help="Your full name.")
@click.option("--address", help="Your postal address; lines separated by commas or newlines.")
@click.option("--email", help="Your e-mail address for replies (default: the account e-mail).")
@click.option("--account-email", help="The e-mail address your account is registered with.")
@click.option("--profile-url", help="Your public profile URL.")
@click.option(
    "--lang",
    metavar="LANG",
    help="Letter language ('dsr list languages'); default: your country's, "
    "or the authority's for complaints.",
    shell_complete=_completion("languages"),
)
@date_option("the letter", dest="date_")
@click.option("--situation", help="art21: grounds relating to your particular situation.")
@click.option(
    "--request-date",
    metavar="YYYY-MM-DD",
    help="complaint: date of your request to the controller.",
)
@click.option(
    "--request-kind",
    metavar="KIND",
    help="complaint, reminder: what your request to the controller was: " + REQUEST_KINDS + ".",
    shell_complete=_completion("request-kinds"),
)
@click.option(
    "--controller-complaint-date",
    metavar="YYYY-MM-DD",
    help="complaint in GB: date of your complaint to the controller under s.164A DPA 2018.",
)
@click.option(
    "--outcome",
    metavar="OUTCOME",
    help="complaint: what happened since: "
    + ", ".join(o.value for o in Outcome)
    + " (default: none, no answer).",
)
@click.option(
    "--enclose",
    multiple=True,
    metavar="FILE.pdf",
    help="complaint: an earlier letter to list and append as an annex (repeatable).",
)
@click.option(
    "--authority",
    metavar="SLUG",
    help="complaint: send to this authority instead ('dsr list authorities').",
    shell_complete=_completion("authorities"),
)
@click.option(
    "--place",
    help="Place before the date, printed as typed, in the form your language writes it there "
    "(cs 'V Praze', fi 'Helsingissä'). Default: your town from the address, where the "
    "language's letters name it in the nominative; cs, sk, fi, et, lv, en, ga, mt letters "
    "then give the date alone.",
)
@click.option("--reference", help="Reference number (default: derived from the request).")
@click.option(
    "--profile",
    "profile_file",
    type=ProfileFile(dir_okay=False, path_type=Path),
    help="TOML file with your details (name, address, email, account-email, ...).",
)
@click.option(
    "--also-lang",
    metavar="LANG",
    help="Append a courtesy translation into LANG; the letter's own language prevails.",
    shell_complete=_completion("languages"),
)
@click.option(
    "--controller-file",
    type=NamedPath(dir_okay=False, exists=True, path_type=Path),
    help="Write to a company described in FILE (dsr's format or a datarequests.org record).",
)
@click.option(
    "--template-dir",
    type=NamedPath(file_okay=False, exists=True, path_type=Path),
    help="Folder of templates overriding the built-in ones (run sandboxed).",
)
@output_option(
    "Output file: .pdf, .html, .txt or .eml; - for standard output. On a terminal "
    "dsr proposes one when it is left out.",
    dash=True,
)
@force_option("the output file, if it exists (never a letter the tracking store records)")
@click.option(
    "--track", is_flag=True, help="Record the request to follow its deadline ('dsr track')."
)
@pdf_variant_option
@click.option("--mailto", is_flag=True, help="Also print a mailto: link (or the web form to use).")
@format_option("the suffix of -o, else pdf")
@engine_option("weasyprint")
@click.option("--open", "open_file", is_flag=True, help="Open the written file.")
def letter(
    profile_file: Path | None,
    fmt: Format | None,
    engine: Engine,
    open_file: bool,
    also_lang: str | None,
    controller_file: Path | None,
    output: Path | None,
    force: bool,
    template_dir: Path | None,
    track: bool,
    pdf_variant: PdfVariant | None,
    mailto: bool,
    date_: str | None,
    enclose: tuple[str, ...],
    **options: str | None,
) -> None:
    """Write one letter.

    \b
    Example:
      dsr letter --kind objection --jurisdiction DE --controller linkedin \\
        --name "Erika Mustermann" --address "Hauptstraße 1, 10115 Berlin" \\
        --account-email erika@example.org --lang de -o objection.pdf
    """
    if output is not None:  # else asked for on a terminal, or reported missing, below
        fmt = _checked_output(output, fmt, force)
    if str(output) == "-" and (track or open_file):
        option = "--track" if track else "--open"
        fail([f"{option}: a letter written to standard output (-o -) has no file to "
              f"{'track' if track else 'open'}; give -o a file name"])  # fmt: skip
    if template_dir is not None:
        from .sandbox import user_template_dir

        template_dir, notes = user_template_dir(template_dir)
        for note in notes:
            click.echo(shown(note), err=True)

    values: dict[str, Any] = _load_profile(profile_file) if profile_file else {}
    if profile_file is not None and "enclose" in values and not enclose:
        # A profile may be someone else's (a kit, a shared drive): its annexes are held
        # to its own folder, as a batch row's are to the annex folder.
        from .batch import profile_enclosures

        try:
            values["enclose"] = profile_enclosures(profile_file, values["enclose"])
        except ValueError as error:
            fail([f"--profile: {profile_file}: enclose: {shown(said(error))}"])
    for key, value in options.items():
        if value is not None:
            values[key.replace("_", "-")] = value
    if date_ is not None:
        values["date"] = date_
    if also_lang is not None:
        values["also-lang"] = also_lang  # checked by parse_request, as a batch column is
    if enclose:
        values["enclose"] = list(enclose)
    controller_record: dict[str, Any] | None = None
    if controller_file is not None:
        from . import registry
        from .controller_files import load_controller_file
        from .errors import RegistryError

        try:
            loaded, controller_record = load_controller_file(controller_file)
        except RegistryError as error:
            fail([f"--controller-file: {said(error)}"])
        registry.register_controller(loaded)
        values["controller"] = loaded.slug

    from . import guide
    from .inputs import missing_fields, parse_request

    missing = missing_fields(values)
    guided = is_interactive() and bool(missing or output is None)  # questions were asked
    if is_interactive():
        if missing:
            wording = guide.Wording(PROMPTS, KIND_HELP, SITUATION_HELP)
            guide.ask_missing(values, wording, today())
        guide.ask_for_subdivision(values)
        if output is None:
            output = guide.ask_output(values, Path.cwd(), force, fmt)
    elif missing or output is None:
        lines = [f"missing --{field}: {MISSING_HINTS.get(field, field)}" for field in missing]
        if output is None:
            lines.append(f"missing -o/--output: {MISSING_HINTS['output']}")
        try:
            parse_request(values, today=today())
        except InvalidRequest as error:
            lines += [format_problem(p) for p in error.problems if p.message != "is required"]
        fail(lines)
    if output is None:  # asked for on a terminal, reported missing without one
        fail([f"missing -o/--output: {MISSING_HINTS['output']}"])
    fmt = _checked_output(output, fmt, force)
    try:
        request = parse_request(values, today=today())
    except InvalidRequest as error:
        if profile_file is None or enclose:
            raise
        # The profile's annexes: named as the profile's, not as an option never typed.
        fail([
            f"--profile: {profile_file}: enclose: {problem.message}"
            if problem.field == "enclose" else format_problem(problem)
            for problem in error.problems
        ])  # fmt: skip
    from .files import refuse_output_among_inputs

    refuse_output_among_inputs(
        output,
        [("--enclose", Path(p)) for p in request.enclosures]
        + [(option, path) for option, path in (("--profile", profile_file),
           ("--controller-file", controller_file)) if path is not None],
    )  # fmt: skip
    if request.enclosures and not enclose:  # from the profile: say what it adds
        for annex in request.enclosures:
            click.echo(
                f"Encloses {shown(annex)} (from --profile {shown(str(profile_file))})", err=True
            )
    if request.enclosures and enclose:  # what dsr batch refuses is the member's own choice here
        from .batch import OutputFolders

        try:
            known = OutputFolders.known()
        except (DsrError, OSError):  # a warning never stops the letter: the mark is still read
            known = OutputFolders()
        for annex in request.enclosures:
            reason = known.written_by_dsr(Path(annex))
            if reason:
                click.echo(
                    f"Warning: --enclose {shown(annex)}: {shown(reason)}; it is enclosed as "
                    "you asked: make sure it is your own letter, not another member's.",
                    err=True,
                )
    from .composition import compose, compose_with_translation
    from .pipeline import Document, WriteOptions, write_letter

    translation = None
    if request.also_lang:  # a courtesy translation follows the letter
        composed, translation = compose_with_translation(request, request.also_lang)
    else:
        composed = compose(request)
    if not track and str(output) != "-" and guided:
        track = guide.offer_tracking()  # asked before the letter is written, as --track is
    if track:  # a date the store could not read back, or a store dsr cannot use (opened,
        # and made if there is none), is refused before the letter is written
        from .track import check_trackable, check_usable

        check_trackable(composed, "--date")
        check_usable()
    document = Document(composed, translation, tuple(Path(p) for p in request.enclosures))
    write_options = WriteOptions(fmt, engine, pdf_variant, template_dir)
    if str(output) == "-":
        made = write_letter(document, sys.stdout.buffer, write_options)
    else:
        made = write_letter(document, output, write_options, force=force)
    if made.note:
        click.echo(f"Note: {shown(made.note)}", err=True)
    if track:
        from . import track as tracking
        from .registry import builtin_controllers, imported_record

        if controller_record is None and request.controller not in builtin_controllers():
            # An imported company: its record as it is now goes with the request.
            controller_record = imported_record(request.controller)
        try:
            recorded = tracking.record_letter(
                composed,
                {**values, "jurisdiction": request.jurisdiction, "date": composed.date.isoformat()},
                [output],
                controller_record,
            )
        except tracking.StoreError as error:
            fail([f"--track: wrote {output}, which is kept, but could not track it: {said(error)}"])
        _say_tracked(recorded, composed.date)
    recipient = composed.recipient.name
    click.echo(
        f"Wrote {'the letter' if str(output) == '-' else shown(str(output))} "
        f"({composed.kind.value}, {composed.language}, "
        f"to {shown(recipient)}; reference {composed.reference})",
        err=True,
    )
    if composed.kind is Kind.CONTROLLER_COMPLAINT:
        click.echo(f"Acknowledgement due by {composed.deadline.isoformat()}.", err=True)
    elif composed.kind is not Kind.COMPLAINT and composed.deadline:
        click.echo(f"Reply due by {composed.deadline.isoformat()}.", err=True)
    if composed.remedy_deadline is not None and composed.outcome is Outcome.NONE:
        _remedy_note(composed)
    if (
        composed.kind is Kind.COMPLAINT
        and "controller_complaint" in composed.citations
        and not composed.controller_complaint_date
    ):
        click.echo(
            f"Note: the {composed.recipient.name} generally expects you to complain to "
            f"{composed.controller_name} first ({composed.citations['controller_complaint']}): "
            "write that with --kind controller-complaint, and give its date here with "
            "--controller-complaint-date.",
            err=True,
        )
    if fmt is Format.TXT and composed.objection_form and composed.kind is Kind.OBJECTION:
        click.echo(f"Paste the text into {composed.objection_form}", err=True)
    if fmt is Format.EML and not composed.recipient_email:
        # The e-mail has no To: (round 33b): say where the letter goes instead.
        where = (
            f"submit the text through {composed.web_form}"
            if composed.web_form
            else "send the PDF by post (its address is in the letter)"
        )
        click.echo(
            f"Note: {composed.recipient.name} publishes no e-mail address, so the e-mail has "
            f"no recipient; {where}",
            err=True,
        )
    guided_next = is_interactive() and str(output) != "-"
    step = guide.next_step(composed, fmt, output) if guided_next else None
    if step:
        click.echo(shown(step), err=True)
    if mailto:
        from .outputs import mailto as mailto_link

        link = mailto_link(composed, template_dir)
        if link:
            click.echo(link)
        elif composed.web_form:
            click.echo(
                f"{composed.recipient.name} takes no e-mail; use its form: {composed.web_form}"
            )
        else:
            click.echo(f"{composed.recipient.name} publishes no e-mail address; send it by post.")
    if open_file and click.launch(str(output.resolve())) != 0:  # never read as a URL or option
        click.echo(f"Note: could not open {shown(str(output))}; open it yourself.", err=True)


@main.group()
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
    from .controller_files import record_from_file, toml_records
    from .datenanfragen import import_directory
    from .errors import RegistryError
    from .files import SLUG_RULE, is_slug
    from .registry import builtin_controllers, controller_from_record
    from .userdata import OtherMembersRecord, save_controller

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


@main.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget(yes: bool) -> None:
    """Remove what dsr stored in your data folder (only the files dsr wrote)."""
    from .userdata import data_home
    from .userdata import forget as forget_all

    home = data_home()
    if not yes and is_interactive():
        confirm_or_stop(f"Remove the files dsr stored in {home}?", "nothing was removed")
    elif not yes:
        fail(["forget: add --yes to remove your stored data without a prompt"])
    from . import track as tracking

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


jobs_option = click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Worker processes.  [default: one per CPU]",
)


def counted(number: int, noun: str) -> str:
    """``1 letter``, ``2 letters``: the CLI's own messages are English."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar with position, ETA and letters/s on a terminal; nothing otherwise."""
    if not is_interactive():
        yield None
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


def _line_ranges(value: str | None) -> frozenset[tuple[int, int]]:
    """--trust-quotes: "2-5,9-12" as the (first, last) lines dsr named; else a usage error."""
    if not value:
        return frozenset()
    ranges = set()
    for part in value.split(","):
        first, dash, last = part.strip().partition("-")
        if not (dash and first.isdigit() and last.isdigit() and 0 < int(first) < int(last)):
            raise click.BadParameter(
                f"{part.strip()!r} is not a range of lines as dsr names them; give them as "
                "its message does, such as 2-5,9-12",
                param_hint="'--trust-quotes'",
            )
        ranges.add((int(first), int(last)))
    return frozenset(ranges)


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


BATCH_RECAP = 20  # failed rows listed again at the end of a batch; all are in report.csv


@main.command()
@click.argument("source", type=FilePath(dir_okay=False, path_type=Path))
@output_option("Folder for the letters and report.csv.", folder=True)
@format_option("pdf")
@jobs_option
@engine_option("typst")
@pdf_variant_option
@click.option(
    "--defaults",
    "defaults_file",
    type=NamedPath(dir_okay=False, exists=True, path_type=Path),
    help="TOML file with values shared by every row.",
)
@click.option(
    "--zip", "make_zip", is_flag=True, help="Also bundle the letters and the report into DIR.zip."
)
@force_option(
    "the folder's existing letters and report.csv: made from other input, changed since, "
    "or not written by dsr batch"
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=MAX_ROWS,
    show_default=True,
    help="Refuse a file with more rows than this (a guard against a wrong or hostile file).",
)
@click.option(
    "--trust-quotes",
    "trusted",
    metavar="LINES",
    callback=lambda ctx, param, value: _line_ranges(value),
    help="Lines of a CSV file (such as 2-5,9-12) that dsr refused as a stray quote's, "
    "which you checked: each is one member's row as written.",
)
@click.option(
    "--multiline-cells",
    "multiline",
    is_flag=True,
    help="The CSV file's cells may run over several lines (an address typed in one "
    "cell); without it such a row is refused, as a stray quote would make one.",
)
@click.option(
    "--annexes",
    type=NamedPath(file_okay=False, exists=True, path_type=Path),
    metavar="DIR",
    help="The folder the rows' `enclose` files must be in (or in its subfolders); their "
    "names are read in it.  [default: the batch file's folder]",
)
def batch(
    source: Path,
    out_dir: Path,
    fmt: Format | None,
    jobs: int | None,
    engine: Engine,
    pdf_variant: PdfVariant | None,
    defaults_file: Path | None,
    make_zip: bool,
    force: bool,
    max_rows: int,
    trusted: frozenset[tuple[int, int]],
    multiline: bool,
    annexes: Path | None,
) -> None:
    """Write one letter per row of a CSV (comma or semicolon), TSV, YAML or JSONL file.

    Columns are the `dsr letter` option names (kind, jurisdiction, name,
    address, account-email, lang, ...). Rows are validated as they are read,
    and written while later rows are still read: a bad row is reported with its
    row number as soon as it is found (and again at the end), and the good
    ones are still written.
    Re-running the same command skips finished rows, so a killed run resumes.

    A row's `enclose` column names PDFs to append to its letter: files in the
    annex folder (--annexes; default: the batch file's folder) or in its
    subfolders, so a row can enclose any PDF there. Keep members' own files
    out of it, or name a folder of shared annexes only. A row never encloses a
    letter dsr wrote (nor a copy of one: it may be another member's), nor a
    file from a folder dsr batch writes into; while rows enclose files, -o may
    not be the annex folder or above it. report.csv lists each letter's annexes.

    \b
    Example:
      dsr batch members.csv -o letters/ --zip
      dsr batch members.csv -o letters/ --annexes shared-annexes/
    """
    from .batch import BatchFileError, DefaultsError, RowResult, run_batch, zip_outputs
    from .files import archive_path
    from .workers import available_cpus

    jobs = jobs or available_cpus()
    defaults = _load_profile(defaults_file, "--defaults") if defaults_file else {}
    from .files import NotRegular, check_regular

    try:  # without opening it: a FIFO would block, a device might act
        if check_regular(source, follow=True) is None:
            fail([f"SOURCE: {source} does not exist"])
    except NotRegular:
        fail([f"SOURCE: {source} is not a regular file; name a CSV, TSV, YAML or JSONL file"])
    _refuse_new_names("--output", out_dir, folder=True)
    if make_zip:
        archive = archive_path(out_dir)
        if (archive.exists() or archive.is_symlink()) and not force:
            fail([f"--zip: {archive} exists; use --force to replace it"])
        _refuse_new_names("--zip", archive)  # DIR.zip: found before any letter is written
    try:
        with progress_bar("Writing letters") as step:
            clear = "\r\x1b[K" if step is not None else ""  # the progress bar's line

            def found(result: RowResult) -> None:  # as soon as a row fails
                click.echo(f"{clear}Error: row {result.row}: {shown(result.message)}", err=True)

            report = run_batch(
                source, out_dir, today=today(), fmt=(fmt or Format.PDF).value, jobs=jobs,
                defaults=defaults, force=force, progress=step, engine=engine.value,
                max_rows=max_rows, on_error=found, annexes=annexes, trusted=trusted,
                multiline=multiline, pdf_variant=pdf_variant and pdf_variant.value,
            )  # fmt: skip
    except BatchFileError as error:
        fail([said(error)])
    except DefaultsError as error:  # before any row
        fail([f"--defaults: {problem}" for problem in error.problems])
    if report.failed:  # again at the end, in row order, as a list under the summary's head
        shown_rows = report.failed[:BATCH_RECAP]
        more = len(report.failed) - len(shown_rows)
        head = f"the first {len(shown_rows)} of " if more else ""
        click.echo(f"Rows that failed ({head}{len(report.failed)}; all in report.csv):", err=True)
        for result in shown_rows:
            click.echo(f"  row {result.row}: {shown(result.message)}", err=True)
    fallbacks = [r for r in report.results if r.status == "written" and r.message]
    if fallbacks:
        click.echo(
            f"Note: {counted(len(fallbacks), 'letter')} set with WeasyPrint, not Typst "
            f"(row {fallbacks[0].row}: {fallbacks[0].message.split(': ', 1)[-1]}); "
            "see report.csv",
            err=True,
        )
    written = sum(r.status == "written" for r in report.results)
    unchanged = sum(r.status == "unchanged" for r in report.results)
    click.echo(
        f"Wrote {counted(written, 'letter')} to {shown(str(out_dir))}, {unchanged} unchanged, "
        f"{len(report.failed)} failed; see {shown(str(out_dir / 'report.csv'))}",
        err=True,
    )
    if report.earlier:  # rows joined or removed since an earlier run: its letters stay
        named = ", ".join(shown(name) for name in report.earlier[:5])
        others = f" and {len(report.earlier) - 5} more" if len(report.earlier) > 5 else ""
        click.echo(
            f"Note: {counted(len(report.earlier), 'letter')} in {shown(str(out_dir))} "
            f"{'was' if len(report.earlier) == 1 else 'were'} written by an earlier run for "
            f"rows this file no longer has at those numbers (rows joined, moved or removed "
            f"since): {named}{others}; kept: remove those you do not want.",
            err=True,
        )
    enclosing = len(report.with_annexes)
    if enclosing:  # what went into the letters, for the NGO to check
        click.echo(
            f"Note: {counted(enclosing, 'letter')} {'has' if enclosing == 1 else 'have'} "
            "files enclosed; report.csv lists them in its annexes column.",
            err=True,
        )
    if make_zip:
        click.echo(f"Bundled into {zip_outputs(out_dir, report, force)}", err=True)
    if report.failed:
        sys.exit(ExitCode.USAGE)


@main.command()
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
    default="en",
    show_default=True,
    metavar="LANG",
    help="Language of the kit's index.",
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
def templates(
    out_dir: Path,
    kinds: tuple[str, ...],
    jurisdictions: tuple[str, ...],
    languages: tuple[str, ...],
    index_lang: str,
    fmt: str,
    make_zip: bool,
    source: bool,
    force: bool,
    fillable: bool,
    jobs: int | None,
    engine: Engine,
) -> None:
    """Write a template kit: blank letters to print and fill in by hand.

    One letter per kind x jurisdiction x language that applies, with every
    legal fact filled in and the member's details left blank, plus an
    index.html in the advocate's language.
    """
    from . import registry
    from .files import archive_path
    from .i18n import shipped_languages

    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        fail([f"--output: {out_dir} already holds files; use --force to write into it"])
    _refuse_new_names("--output", out_dir, folder=True)
    if make_zip:
        archive = archive_path(out_dir)
        if (archive.exists() or archive.is_symlink()) and not force:
            fail([f"--zip: {archive} exists; use --force to replace it"])
        _refuse_new_names("--zip", archive)
    if source:
        from .kits import write_sources

        written = write_sources(out_dir, force=force)
        click.echo(
            f"Wrote {len(written)} template and catalog files to {shown(str(out_dir))}", err=True
        )
        if make_zip:
            from .outputs import zip_folder

            names = [path.relative_to(out_dir).as_posix() for path in written]
            click.echo(f"Bundled into {zip_folder(out_dir, names, 0o644, force=force)}", err=True)
        return
    problems = [
        f"--jurisdiction: {code!r} is not a jurisdiction dsr knows; run 'dsr list jurisdictions'"
        for code in jurisdictions
        if code.upper() not in registry.jurisdictions()
    ]
    offered_languages = {field_key(lang): lang for lang in shipped_languages()}  # any case
    problems += [
        f"--{option}: {lang!r} is not offered; use one of {', '.join(shipped_languages())}"
        for option, lang in (*(("lang", lang) for lang in languages), ("index-lang", index_lang))
        if field_key(lang) not in offered_languages
    ]
    if problems:
        fail(problems)
    languages = tuple(offered_languages[field_key(lang)] for lang in languages)
    index_lang = offered_languages[field_key(index_lang)]
    from .kits import combinations, write_kit
    from .workers import available_cpus

    codes = [c.upper() for c in jurisdictions] or None
    if not any(True for _ in combinations(list(kinds) or None, codes, list(languages) or None)):
        # Nothing matches (GB's letters are en-GB, not en; no reminder in DE-BE's kit):
        # say what the named jurisdictions offer, not "Wrote 0 blank letters".
        offered = list(combinations(None, codes, None))
        fail(
            [
                "no blank letter matches --kind, --jurisdiction and --lang together; "
                + (
                    f"the kit{' of ' + ', '.join(codes) if codes else ''} has the kinds "
                    f"{', '.join(sorted({kind for _, kind, _ in offered}))}, in "
                    f"{', '.join(sorted({lang for _, _, lang in offered}))}"
                    if offered
                    else "choose other jurisdictions"
                )
            ]
        )

    with progress_bar("Writing blank letters") as step:
        entries = write_kit(
            out_dir,
            kinds=list(kinds) or None,
            jurisdictions=[c.upper() for c in jurisdictions] or None,
            languages=list(languages) or None,
            fmt=fmt,
            index_language=index_lang,
            fillable=fillable,
            engine=engine.value,
            jobs=jobs or available_cpus(),
            progress=step,
        )
    click.echo(
        f"Wrote {counted(len(entries), 'blank letter')} and index.html to {shown(str(out_dir))}",
        err=True,
    )
    if make_zip:
        from .outputs import zip_folder

        names = [*(entry.file for entry in entries), "index.html"]
        target = zip_folder(out_dir, names, 0o644, force=force)
        click.echo(f"Bundled into {target}", err=True)


def _say_tracked(recorded: Any, sent: date) -> None:
    """Tell the member which request tracks the letter just written (``dsr letter --track``):
    a new one, or the one with its reference, company and kind, updated."""
    if not recorded.updated:
        click.echo(f"Tracking it as request {recorded.id} ('dsr track list').", err=True)
        return
    before = ", ".join(shown(name) for name in recorded.files_before) or "no file"
    click.echo(
        f"Request {recorded.id} already tracked this reference, company and kind: updated "
        f"it with this letter (it listed {before}; those files are kept, but follow-ups no "
        "longer append them).",
        err=True,
    )
    if recorded.sent_before is not None and recorded.sent_before != sent:
        click.echo(
            f"Its sending date is now {sent.isoformat()} (was "
            f"{recorded.sent_before.isoformat()}); if the letter went out on another day: "
            f"'dsr track sent {recorded.id} --date YYYY-MM-DD'.",
            err=True,
        )


@main.group(name="track")
def track_group() -> None:
    """Follow tracked requests: deadlines, answers, reminders, complaints."""


@track_group.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
def track_list(as_json: bool) -> None:
    """Show each tracked request: its company, deadline and status (the last step
    taken, with its date: "reminded 2026-12-01", "escalated to <authority> ...")."""
    from . import track as tracking

    found = tracking.read_requests()
    unreadable = _unreadable_of(found)
    day = today()

    def on(value: date | None) -> str | None:
        return value.isoformat() if value else None

    rows = [
        {
            "id": t.id,
            "reference": t.reference,
            "company": t.company,
            "controller": t.controller,
            "kind": t.kind,
            "jurisdiction": t.jurisdiction,
            "recipient": t.recipient,
            "sent": t.sent.isoformat(),
            "deadline": t.deadline.isoformat(),
            "status": t.status(day).value,
            "status_text": t.status_text(day),
            "reminded": on(t.reminded),
            "controller_complaint": on(t.controller_complaint),
            "escalated": on(t.escalated),
            "escalated_to": t.escalated_to,
            "answered": on(t.answered),
            "verdict": t.verdict.value if t.verdict else None,
        }
        for t in found
        if isinstance(t, tracking.Tracked)
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif rows:
        shown_rows = [{**row, "status": row["status_text"]} for row in rows]
        columns = ("id", "reference", "company", "kind", "jurisdiction", "sent", "deadline")
        _table(shown_rows, (*columns, "status"))
    elif not unreadable:
        click.echo("No tracked requests. Add --track to 'dsr letter'.", err=True)
    if unreadable:  # the others are listed; the exit status says not all were
        fail(unreadable)


def _unreadable_of(found: list[Any]) -> list[str]:
    """The rows of the store the member must act on, each named; rows no ledger of the
    member's key lists (other members', where members share a data folder) are the
    normal state of a shared folder: counted in one note, not an error (round 35b)."""
    from . import track as tracking

    bad = [row for row in found if isinstance(row, tracking.Unreadable)]
    others = [row for row in bad if row.column == "seal"]
    if others:
        ids = ", ".join(str(row.id) for row in others[:10])
        more = f" and {len(others) - 10} more" if len(others) > 10 else ""
        what = f"request {ids}" if len(others) == 1 else f"requests {ids}{more}"
        click.echo(
            f"Note: {shown(str(tracking.database_path()))} holds {what}, which dsr did not "
            "record with your key: other members', where members share this data folder "
            "(or changed by someone else); not shown. If one is no one's, 'dsr track remove "
            f"{others[0].id} --not-mine' drops it.",
            err=True,
        )
    return [str(row) for row in bad if row.column != "seal"]


@track_group.command()
@click.argument("request_id", metavar="ID", type=TRACK_ID)
@date_option("the answer")
@click.option(
    "--verdict",
    type=click.Choice(VERDICT_CHOICES),
    default="complete",
    show_default=True,
)
def answered(request_id: int, when: str | None, verdict: str) -> None:
    """Record the controller's answer to request ID."""
    from . import track as tracking

    day = _stored_date("--date", when)
    try:
        sent: Any = tracking.get(request_id).sent
    except tracking.StoreError:
        sent = None  # a row dsr cannot read: answering it is how it is corrected
    if sent is not None and day < sent:
        fail([f"--date: {day} is before request {request_id} was sent ({sent})"])
    if day > today():
        fail([f"--date: {day} is after today ({today()}); record an answer once it came"])
    tracking.mark_answered(request_id, day, tracking.Verdict(verdict))
    click.echo(f"Request {request_id}: answered ({verdict}).", err=True)


@track_group.command(name="sent")
@click.argument("request_id", metavar="ID", type=TRACK_ID)
@click.option(
    "--date",
    "when",
    metavar="YYYY-MM-DD",
    required=True,
    help="The day the letter went out (not after today, nor after a reminder, complaint "
    "or answer recorded for it).",
)
def track_sent(request_id: int, when: str) -> None:
    """Correct the day request ID was sent: 'dsr letter --track' records the letter's
    date (--date, else today), which may not be the day you posted it. The deadline
    that 'dsr track list' and 'dsr track ics' show is counted again from this day, as
    the letter counted it; reminders and complaints cite it as the request's date."""
    from . import track as tracking

    day = _stored_date("--date", when)
    tracked = tracking.get(request_id)
    problem = tracking.sending_date_problem(tracked, day, today())
    if problem is not None:
        fail([f"--date: {problem}"])
    try:
        tracking.set_sent(request_id, day, today())
    except InvalidRequest as error:
        values = {**tracked.inputs, "date": day.isoformat()}
        raise _as_follow_up_problems(error, values) from error
    now = tracking.get(request_id)
    click.echo(
        f"Request {request_id}: sent {now.sent.isoformat()} (was {tracked.sent.isoformat()}); "
        f"reply due by {now.deadline.isoformat()} (was {tracked.deadline.isoformat()}).",
        err=True,
    )


@track_group.command(name="close")
@click.argument("request_id", metavar="ID", type=TRACK_ID)
def close_request(request_id: int) -> None:
    """Close request ID: nothing more to do."""
    from . import track as tracking

    tracking.close(request_id)
    click.echo(f"Request {request_id}: closed.", err=True)


@track_group.command(name="adopt")
@click.option(
    "--also",
    "also",
    metavar="ID",
    type=TRACK_ID,
    multiple=True,
    help="Adopt request ID too, sealed with your key but not as dsr last left it (an "
    "older copy; repeatable).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def adopt_store(also: tuple[int, ...], yes: bool) -> None:
    """Trust the tracking store in your data folder: one you moved, or reach by another
    path, whose requests your key sealed (named with --also, an older copy of one).
    Each request is listed first, with the files a follow-up would append and whom it
    would write to; check them. A request your key did not seal is never adopted."""
    from . import track as tracking

    store = tracking.database_path()
    if not store.is_file():
        fail([f"track adopt: there is no tracking store at {store}"])
    plan = tracking.adoption_plan()
    for entry in plan:
        taken = entry.by_default or entry.id in also
        if entry.state not in tracking.ADOPTABLE_STATES:
            verdict = tracking.NOT_ADOPTABLE
        else:
            verdict = "adopted" if taken else f"left out (add --also {entry.id} to adopt it)"
        click.echo(f"Request {entry.id}: {entry.summary}", err=True)
        click.echo(f"  {tracking.ADOPTION_STATES[entry.state]}: {verdict}", err=True)
        if entry.sends_to:
            click.echo(f"  a follow-up writes to: {shown(entry.sends_to)}", err=True)
        if entry.other_company:
            click.echo(
                "  CHECK: that is not the company the letter went to: the company record "
                "kept with the request was changed; adopt it only if you changed it",
                err=True,
            )
        for name in entry.files:
            click.echo(f"  a follow-up appends {shown(name)}", err=True)
    chosen = [entry for entry in plan if entry.by_default or entry.id in also]
    if not chosen:
        fail(["track adopt: no request to adopt; name the ones you checked with --also ID"])
    if not yes and is_interactive():
        confirm_or_stop(
            f"Adopt {counted(len(chosen), 'request')} as listed above?", "nothing was adopted"
        )
    elif not yes:
        fail(["track adopt: add --yes to adopt the requests listed without a prompt"])
    adopted = tracking.adopt(frozenset(also))
    click.echo(
        f"Adopted {counted(len(adopted), 'request')} in {store}, sealed with your key; the "
        "others are still refused ('dsr track remove ID --not-mine' drops one).",
        err=True,
    )


@track_group.command(name="remove")
@click.argument("request_id", metavar="ID", type=TRACK_ID)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--not-mine",
    is_flag=True,
    help="Remove it even though it does not carry your seal (in a data folder others use "
    "too, it may be another member's request).",
)
def remove_request(request_id: int, yes: bool, not_mine: bool) -> None:
    """Stop tracking request ID (also one dsr cannot read); its letters are kept."""
    from . import track as tracking

    if not yes and is_interactive():
        confirm_or_stop(f"Remove request {request_id} from tracking?", "nothing was removed")
    elif not yes:
        fail([f"track remove: add --yes to remove request {request_id} without a prompt"])
    if tracking.remove(request_id, not_mine=not_mine) == "forgotten":
        click.echo(
            f"Request {request_id}: forgotten (it was no longer in the store as you tracked it; "
            "what the store holds under that number is left as it is: 'dsr track remove "
            f"{request_id} --not-mine' removes it).",
            err=True,
        )
        return
    click.echo(f"Request {request_id}: removed from tracking (its letters are kept).", err=True)


@track_group.command()
@output_option("The .ics file.")
@force_option()
def ics(output: Path, force: bool) -> None:
    """Write a calendar with each open deadline and an alarm the day before."""
    from . import track as tracking
    from .outputs import atomic_write

    tracking.refuse_own_file(output)  # the store, its manifest, a tracked letter
    if output.suffix.lower() != ".ics":
        fail([f"--output: {output.name!r} is not a .ics name; use one, such as deadlines.ics"])
    if output.exists() and not force:
        fail([f"--output: {output} exists; use --force to overwrite it"])
    _refuse_new_names("--output", output)
    found = tracking.read_requests()
    requests = [row for row in found if isinstance(row, tracking.Tracked)]
    atomic_write(output, tracking.calendar(requests, today()), replace=force)
    click.echo(f"Wrote {shown(str(output))}", err=True)
    unreadable = _unreadable_of(found)
    if unreadable:  # its deadline is not in the calendar: say so, and how to correct it
        fail(unreadable)


@track_group.command()
@click.argument("request_id", metavar="ID", type=TRACK_ID)
@output_option("Reminder file (.pdf, .html, .txt, .eml).")
@date_option("the reminder")
@force_option("the output file, if it exists (never a letter the tracking store records)")
@engine_option("weasyprint")
@pdf_variant_option
def remind(
    request_id: int,
    output: Path,
    when: str | None,
    force: bool,
    engine: Engine,
    pdf_variant: PdfVariant | None,
) -> None:
    """Write a reminder for request ID, in the language of the request."""
    from . import track as tracking

    tracked = tracking.get(request_id)
    tracking.use_controller(tracked)
    day = _stored_date("--date", when)
    _write_tracked(
        tracking.reminder_values(tracked, day),
        output,
        force,
        tracked_of=tracked,
        rewrites=tracking.rewritable(tracked, "reminder_file"),  # recorded again, new
        options=WriteOptions(engine=engine, pdf_variant=pdf_variant),
    )
    tracking.mark_reminded(request_id, day, output)


@track_group.command()
@click.argument("request_id", metavar="ID", type=TRACK_ID)
@output_option("Complaint file (.pdf, .html, .txt, .eml).")
@date_option("the complaint")
@click.option(
    "--jurisdiction",
    metavar="CODE",
    help="Where you live, if the complaint needs more detail (DE-BY...).",
)
@click.option("--authority", metavar="SLUG", help="Send to this authority instead.")
@click.option(
    "--situation",
    help="Your reasons, where the letter needs them (a late application in Quebec).",
)
@click.option(
    "--to-authority",
    is_flag=True,
    help="GB: complain to the Information Commissioner now, without first complaining to "
    "the controller under s.164A DPA 2018.",
)
@force_option("the output file, if it exists (never a letter the tracking store records)")
@engine_option("weasyprint")
@pdf_variant_option
def escalate(
    request_id: int,
    output: Path,
    when: str | None,
    jurisdiction: str | None,
    authority: str | None,
    situation: str | None,
    to_authority: bool,
    force: bool,
    engine: Engine,
    pdf_variant: PdfVariant | None,
) -> None:
    """Write the complaint about request ID to the competent authority.

    It is written in the authority's language, recounts the correspondence and
    appends the original letter and the reminder as annexes.

    In the UK the Information Commissioner generally expects a complaint to
    the controller first (s.164A DPA 2018): where none was made, this writes
    that complaint; run it again for the complaint to the Commissioner.
    """
    from . import track as tracking

    tracked = tracking.get(request_id)
    tracking.use_controller(tracked)
    day = _parse_date("--date", when)
    if tracked.answered and day < tracked.answered:
        fail([f"--date: {day} is before the answer recorded for request {request_id} "
              f"({tracked.answered}); a complaint comes after it"])  # fmt: skip
    if tracking.needs_controller_complaint(tracked, authority) and not to_authority:
        tracking.check_storable(day, "--date")  # its date is stored: refused before writing
        _write_tracked(
            tracking.controller_complaint_values(tracked, day),
            output,
            force,
            tracked_of=tracked,
            rewrites=tracking.rewritable(tracked, "controller_complaint_file"),
            options=WriteOptions(engine=engine, pdf_variant=pdf_variant),
        )
        tracking.mark_controller_complaint(request_id, day, output)
        click.echo(
            "This is your complaint to the controller under s.164A DPA 2018, which the "
            "Information Commissioner generally expects first. The controller must "
            "acknowledge it within 30 days. If it does not resolve the matter, run "
            f"'dsr track escalate {request_id} -o complaint.pdf' again to complain to the "
            "Information Commissioner (or use --to-authority to do so now).",
            err=True,
        )
        return
    tracking.check_storable(day, "--date")  # its date is stored: refused before writing
    values = tracking.escalation_values(tracked, day, jurisdiction, authority)
    if situation:
        values["situation"] = situation
    options = WriteOptions(engine=engine, pdf_variant=pdf_variant)
    _write_tracked(values, output, force, timeline_of=tracked, options=options)
    tracking.mark_escalated(request_id, day, tracking.complaint_authority(values))


def _remedy_note(composed: Any) -> None:
    """Quebec: the application against an unanswered request has its own 30 days (s.43)."""
    last_day = composed.remedy_deadline.isoformat()
    if composed.kind is Kind.REMINDER:
        ends = "ended" if composed.date > composed.remedy_deadline else "ends"
        click.echo(
            f"Note: a reminder does not stop the law's period for applying to the authority "
            f"about the unanswered request; it {ends} on {last_day} ('--kind complaint').",
            err=True,
        )
    elif composed.date > composed.remedy_deadline:
        reason = "" if composed.situation else " Give your reason with --situation."
        click.echo(
            f"Note: the law's period for this application ended on {last_day}; the letter "
            f"asks to be released from that delay for reasonable cause.{reason}",
            err=True,
        )
    else:
        click.echo(f"Note: send it by {last_day}, the last day the law allows.", err=True)


def _checked_output(
    output: Path, fmt: Format | None, force: bool, rewrites: tuple[int, str] | None = None
) -> Format:
    """The format a letter is written in (``--format``, else ``-o``'s suffix), once ``-o``
    is known to be a file dsr may write: ``-`` (standard output), or a new file, or
    (with ``--force``) one that is not the tracking store's."""
    if str(output) == "-":
        chosen = fmt or Format.PDF
        if chosen in (Format.PDF, Format.EML) and sys.stdout.isatty():
            fail([f"--output: -: a {chosen.value} file is not for a terminal; redirect it "
                  "(-o - > letter.pdf) or choose --format txt"])  # fmt: skip
        return chosen
    try:
        named = Format.of(output)
    except InputError as error:
        fail([f"--output: {said(error)}"])
    if fmt is not None and fmt is not named:
        fail([f"--output: {output.name!r} names a {named.value} file, --format {fmt.value}; "
              f"end it in {fmt.suffix} or leave --format out"])  # fmt: skip
    from .track import refuse_own_file

    refuse_own_file(output, rewrites)  # the store, its manifest, a tracked letter; --force or not
    if output.exists() and not force:
        fail([f"--output: {output} exists; use --force to overwrite it"])
    _refuse_new_names("--output", output)
    return named


def _refuse_new_names(option: str, path: Path, *, folder: bool = False) -> None:
    """Refuse (exit 2) a file or folder name ``option`` would have dsr create (a
    text-direction control in it, say), before anything is written. A file's name
    that is taken must be a file (or a link, which is replaced): a folder or a FIFO
    there would stop the run at its end, with everything else written."""
    from .files import UnsafeFile, check_new_names, check_regular

    try:
        check_new_names(path, folder=folder)
        if not folder and not path.is_symlink():
            check_regular(path)
    except UnsafeFile as error:
        fail([f"{option}: {said(error)}"])


def _parse_date(option: str, value: str | None) -> date:
    if value is None:
        return today()
    from .inputs import ISO_DAY

    try:
        if not ISO_DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        fail([f"{option}: {value!r} is not a date; use YYYY-MM-DD"])


def _stored_date(option: str, value: str | None) -> date:
    """A date the tracking store will hold: refused (exit 2) if it could not read it back."""
    from .track import check_storable

    day = _parse_date(option, value)
    check_storable(day, option)
    return day


def _write_tracked(
    values: dict[str, Any],
    output: Path,
    force: bool,
    timeline_of: Any = None,
    tracked_of: Any = None,
    rewrites: tuple[int, str] | None = None,
    options: WriteOptions | None = None,
) -> None:
    """Compose a follow-up from the store and write it through dsr.pipeline (the
    letter of ``dsr letter`` with the same values, byte for byte)."""
    from .composition import compose
    from .inputs import parse_request
    from .pipeline import Document, write_letter

    _checked_output(output, None, force, rewrites)
    try:
        request = parse_request(values, today=today())
    except InvalidRequest as error:
        raise _as_follow_up_problems(error, values) from error
    from .files import refuse_output_among_inputs

    refuse_output_among_inputs(output, [("an annex,", Path(p)) for p in request.enclosures])
    try:
        composed = compose(request)
    except InvalidRequest as error:
        raise _as_follow_up_problems(error, values) from error
    if timeline_of is not None:
        from .track import with_timeline

        composed = with_timeline(composed, timeline_of)
    from .track import annex_contents

    tracked = timeline_of if timeline_of is not None else tracked_of
    annexes = annex_contents(tracked, list(request.enclosures))
    made = write_letter(Document(composed, annexes=annexes), output, options, force=force)
    if made.note:
        click.echo(f"Note: {shown(made.note)}", err=True)
    click.echo(
        f"Wrote {shown(str(output))} ({composed.kind.value}, {composed.language}, to "
        f"{shown(composed.recipient.name)})",
        err=True,
    )


# Dates a follow-up takes from the store, not from its own options: a problem with one
# is a problem with the follow-up's --date, the one date the member gives here.
_TRACKED_DATES: dict[str, str] = {
    "request-date": "the request was sent",
    "controller-complaint-date": "the complaint to the controller was made",
}


class FollowUpProblems(click.ClickException):
    """A tracked request's follow-up cannot be written: one line per problem, exit 2,
    each naming the command's own option or the tracked request, never an option of
    'dsr letter' the member did not give here."""

    exit_code = ExitCode.USAGE

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines

    def show(self, file: Any = None) -> None:
        for line in self.lines:
            click.echo(f"Error: {shown(line)}", err=True)


def _own_options() -> frozenset[str]:
    """The long options of the command running now (``date``, ``jurisdiction``...)."""
    context = click.get_current_context(silent=True)
    if context is None:
        return frozenset({"date"})
    return frozenset(
        option[2:]
        for parameter in context.command.params
        for option in parameter.opts
        if option.startswith("--")
    )


def _as_follow_up_problems(error: InvalidRequest, values: dict[str, Any]) -> FollowUpProblems:
    """``error`` as a follow-up's member reads it: a tracked date's problem named as
    --date, with the date the letter would carry and the tracked one; a problem with
    an option of this command named as that option; any other (a value the request
    was tracked with, which dsr now refuses) named as the tracked request's."""
    letter_date = values.get("date") or today().isoformat()
    own = _own_options()
    context = click.get_current_context(silent=True)
    request_id = context.params.get("request_id") if context is not None else None
    request = f"request {request_id}" if request_id else "the tracked request"
    lines = []
    for problem in error.problems:
        what = _TRACKED_DATES.get(problem.field)
        if what is not None:
            tracked = values.get(problem.field)
            lines.append(
                f"--date: {letter_date} (the letter's date; {what} {tracked}): {problem.message}"
            )
        elif problem.field in own:
            lines.append(format_problem(problem))
        else:
            lines.append(
                f"{request}: its {problem.field.replace('-', ' ')}, as it was tracked: "
                f"{problem.message}; write and track the letter again ('dsr letter … "
                f"--track'), or remove this request ('dsr track remove {request_id or 'ID'}')"
            )
    return FollowUpProblems(lines)


LISTS = ("kinds", "jurisdictions", "languages", "controllers", "authorities")


def _rows(what: str) -> list[dict[str, Any]]:
    """``dsr list WHAT``'s rows, from the library's lists (``dsr.choices``)."""
    from . import choices  # loads the registries: only for this command, not for --help

    if what == "kinds":
        return [{"kind": k.code, "description": k.description} for k in choices.kinds()]
    if what == "jurisdictions":
        return [
            {
                "code": j.code,
                "country": j.name,
                "law": j.law,
                "default_language": j.default_language,
                "paper": j.paper,
                "authority": j.authority,
            }
            for j in choices.jurisdictions()
        ]
    if what == "languages":
        return [
            {"code": lang.code, "name": lang.name, "english_name": lang.english_name}
            for lang in choices.languages()
        ]
    if what == "controllers":
        return [
            {
                "slug": c.code,
                "service": c.service,
                "entities": [
                    {"name": e.name, "country": e.country, "jurisdictions": list(e.jurisdictions)}
                    for e in c.entities
                ],
                "objection_form": c.objection_form,
                "ai_setting_url": c.ai_setting_url,
                "last_verified": c.last_verified.isoformat(),
            }
            for c in choices.controllers()
        ]
    return [
        {
            "slug": a.code,
            "jurisdictions": list(a.jurisdictions),
            "name": a.name,
            "name_en": a.name_en,
            "address": list(a.address),
            "email": a.email,
            "webform": a.webform,
            "complaint_languages": list(a.complaint_languages),
            "last_verified": a.last_verified.isoformat(),
        }
        for a in choices.authorities()
    ]


def _table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    def cell(value: Any) -> str:  # stored or imported text: escaped, one line per row
        if isinstance(value, list):
            return shown(", ".join(str(v) for v in value))
        return "" if value is None else shown(str(value))

    widths = {c: max(len(c), *(len(cell(r[c])) for r in rows)) for c in columns}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        click.echo("  ".join(cell(row[c]).ljust(widths[c]) for c in columns).rstrip())


TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "kinds": ("kind", "description"),
    "jurisdictions": ("code", "country", "law", "default_language", "paper", "authority"),
    "languages": ("code", "name", "english_name"),
    "controllers": ("slug", "service", "objection_form"),
    "authorities": ("slug", "jurisdictions", "complaint_languages", "name"),
}


@main.command(name="list")
@click.argument("what", type=click.Choice(LISTS))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
def list_(what: str, as_json: bool) -> None:
    """List kinds, jurisdictions, languages, controllers or authorities."""
    rows = _rows(what)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _table(rows, TABLE_COLUMNS[what])


@main.command()
def schema() -> None:
    """Print a JSON Schema of a request.

    The schema (draft 2020-12) gives the keys a profile, a batch row or
    dsr.parse_request takes, their types and choices, and which are required.
    """
    from .choices import request_schema

    click.echo(json.dumps(request_schema(), ensure_ascii=False, indent=2))
