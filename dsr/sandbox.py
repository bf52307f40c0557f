"""User templates (``--template-dir``): confined to their folder, bounded in work.

Jinja's sandbox keeps a template away from Python's internals, but not from
the file system (its loader follows symbolic links) nor from running for
ever (``range(100000)`` in ``range(100000)``). Here every template, include
and import resolves inside the folder, and one render has a budget of work
and of time; a template that spends it stops with a SecurityError naming
its file and line.
"""

from __future__ import annotations

import contextvars
import functools
import os
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import _PassArg, generate_lorem_ipsum

from . import files
from .errors import Command, Option, UserTemplateError, words
from .resources import resource_dir

_TEMPLATE_DIR = Option("template-dir", keyword="template_dir")  # the CLI: --template-dir
MAX_TEMPLATE_BYTES = 256 * 1024  # dsr's largest template is under 20 KB
WORK_BUDGET = 5_000_000  # loop steps plus characters made, per render; a letter takes ~100,000
TIME_BUDGET = 5.0  # seconds per render; a letter takes milliseconds
MAX_SIZE = 1_000_000  # the largest number, string or list one step may make
MAX_LIPSUM_WORDS = 10_000  # lipsum(n, max=...) makes up to n * max words
INCLUDE_COST = 1_000  # an include in a loop body, whose text is not known when compiling


class TemplateOutsideFolder(SecurityError):
    """A template name that leads outside the template folder, or to no regular file."""


class TemplateTooCostly(SecurityError):
    """A template used up its budget of work or time."""


class _Budget:
    def __init__(self) -> None:
        self.left = WORK_BUDGET
        self.deadline = time.monotonic() + TIME_BUDGET

    def charge(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise TemplateTooCostly(
                f"it does more than {WORK_BUDGET:,} steps of work; a letter needs far fewer"
            )
        if time.monotonic() > self.deadline:
            raise TemplateTooCostly(f"it ran for more than {TIME_BUDGET:g} seconds")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("budget", default=None)


def _charge(units: int) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.charge(units)


def _size(value: Any) -> int:
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset | range):
        return len(value)
    return 0


def _weight(value: Any) -> int:
    """Characters a string, or a list of strings, will make when joined or repeated."""
    if isinstance(value, list | tuple):
        return sum(len(item) if isinstance(item, str) else 1 for item in value)
    return _size(value)


def _check_made(made: int, what: str) -> None:
    if made > MAX_SIZE * 4:
        raise TemplateTooCostly(f"{what} would make {made:,} characters")


def _check_amplifier(
    name: str, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any] | None = None
) -> None:
    """Refuse a replace, join, indent or wordwrap whose result would be huge, before it is made."""
    options = kwargs or {}
    if name in ("do_indent", "do_wordwrap") and args and isinstance(args[0], str):
        text = args[0]
        if name == "do_indent":
            width = args[1] if len(args) > 1 else options.get("width", 4)
            per_line = len(width) if isinstance(width, str) else width
            if isinstance(per_line, int):
                _check_made(len(text) + (text.count("\n") + 1) * per_line, "indent")
        else:
            wrapstring = args[3] if len(args) > 3 else options.get("wrapstring")
            if isinstance(wrapstring, str):
                _check_made(len(text) * (1 + len(wrapstring)), "wordwrap")
    elif name in ("replace", "do_replace"):
        if name == "do_replace":
            target, args = (args[0], args[1:]) if args else (None, ())
        if isinstance(target, str) and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
            old, new = args[0], args[1]
            hits = target.count(old) if old else len(target) + 1
            _check_made(len(target) + hits * len(new), "replace")
    elif name in ("join", "do_join"):
        items = args[0] if args else None  # str.join(items), or the filter's value
        separator = target if name == "join" else (args[1] if len(args) > 1 else "")
        if isinstance(items, list | tuple):
            _check_made(_weight(items) + len(items) * _size(separator), "join")


_LONG_NUMBER = re.compile(r"\d{7,}")  # a width or precision in a format string


def _check_arguments(args: Iterable[Any]) -> None:
    for value in args:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
            raise TemplateTooCostly(f"the number {value} is too large (at most {MAX_SIZE:,})")


_DIGITS = re.compile(r"\s*[+-]?\d{7,}\s*")  # an argument that could be such a width


def _check_format(text: Any, fields: bool = False) -> None:
    """``"%0999999999d"`` or ``"{:>999999999}"`` would make a gigabyte in one step.

    With ``fields`` (``str.format``), a replacement field nested in a format
    spec (``"{0:{1}}"``) is refused too: its width comes from an argument,
    which text built at run time (``'90000' ~ '0000'``) can make huge.
    """
    if not isinstance(text, str):
        return
    if _LONG_NUMBER.search(text):
        raise TemplateTooCostly(f"a format string asks for a width over {MAX_SIZE:,}")
    if fields and "{" in text:
        try:
            specs = [spec for _, _, spec, _ in string.Formatter().parse(text) if spec]
        except ValueError:
            return  # not a format string: str.format refuses it itself
        if any("{" in spec for spec in specs):
            raise TemplateTooCostly(
                "a format string takes its width from an argument ('{0:{1}}'); "
                "write the width in the format string"
            )


def _check_format_arguments(args: Iterable[Any], kwargs: dict[str, Any] | None = None) -> None:
    """Refuse a text argument of a format (or a value of its mapping) that is a number
    of 7 or more digits."""
    values = [*args, *(kwargs or {}).values()]
    values += [item for value in values if isinstance(value, dict) for item in value.values()]
    for value in values:
        if isinstance(value, str) and _DIGITS.fullmatch(value):
            raise TemplateTooCostly(
                f"a format's text argument is a number of {len(value.strip()):,} digits, "
                f"which could be a width over {MAX_SIZE:,}; pass it through ~ instead"
            )


class ConfinedLoader(jinja2.BaseLoader):
    """Templates from one folder, by relative names that stay inside it.

    Symbolic links are resolved and must land in the folder; absolute names,
    ``..``, and anything but a regular file of at most MAX_TEMPLATE_BYTES are
    refused. A name that is simply absent falls through to dsr's templates.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.root = Path(os.path.realpath(folder))

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        shown = f"{template!r} in the template folder {self.folder}"
        if "\\" in template:
            raise TemplateOutsideFolder(
                f"{shown}: a backslash is refused; separate folders with '/' (letters/x.jinja)"
            )
        if template.startswith("/") or ":" in template:
            raise TemplateOutsideFolder(f"{shown}: absolute paths are refused; use a name inside")
        parts = [part for part in template.split("/") if part not in ("", ".")]
        if ".." in parts:
            raise TemplateOutsideFolder(f"{shown}: '..' is refused; use a name inside the folder")
        path = self.root.joinpath(*parts)
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        try:
            real = Path(os.path.realpath(path))
        except (OSError, ValueError) as error:  # a loop of links, or one changing as it is read
            raise TemplateOutsideFolder(f"{shown}: cannot be read: {error}") from error
        if not real.is_relative_to(self.root):
            raise TemplateOutsideFolder(
                f"{shown} is a symbolic link to {real}, outside the folder; refused"
            )
        if not os.path.lexists(real):  # a dangling link inside the folder
            raise jinja2.TemplateNotFound(template)
        if os.path.isdir(real) or not os.path.isfile(real):
            raise TemplateOutsideFolder(f"{shown} is not a regular file")
        try:
            # Opened one folder at a time without following links: a folder swapped
            # for a link since realpath() looked cannot lead outside.
            fd = files.open_confined(real)
        except files.UnsafeFile as error:
            raise TemplateOutsideFolder(
                f"{shown} is a hard link, or changed while it was read (a link swapped in); "
                "refused. Use a plain copy inside the folder"
            ) from error
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if info.st_size > MAX_TEMPLATE_BYTES:
                raise TemplateOutsideFolder(
                    f"{shown} is {info.st_size:,} bytes; the limit is {MAX_TEMPLATE_BYTES:,}"
                )
            data = handle.read(MAX_TEMPLATE_BYTES + 1)
        if len(data) > MAX_TEMPLATE_BYTES:
            raise TemplateOutsideFolder(f"{shown} is larger than {MAX_TEMPLATE_BYTES:,} bytes")
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise jinja2.TemplateError(f"{shown} is not UTF-8 text") from error
        mtime = info.st_mtime

        def uptodate() -> bool:
            try:
                return os.stat(real).st_mtime == mtime
            except OSError:
                return False

        return source, str(path), uptodate


def _builtin_names() -> list[str]:
    """The names of dsr's own templates, relative to their folder ('letters/x.html.jinja')."""
    root = resource_dir("templates")
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _overrides(folder: Path, names: list[str]) -> list[str]:
    return [name for name in names if os.path.lexists(folder / name)]


def user_template_dir(folder: Path) -> tuple[Path, list[str]]:
    """The folder to load user templates from, and notes for the user.

    ``dsr templates --source -o src`` writes ``src/templates`` and
    ``src/locales``; ``--template-dir src`` means ``src/templates`` when
    ``src`` holds no template of its own. A folder that overrides none of
    dsr's templates is refused (UserTemplateError), naming it.
    """
    names = _builtin_names()
    inner = folder / "templates"
    if (
        not _overrides(folder, names)
        and os.path.isdir(inner)
        and not os.path.islink(inner)
        and _overrides(inner, names)
    ):
        named = words("(the folder ", _TEMPLATE_DIR, " names)")
        return inner, [f"Note: using the templates in {inner} {named}."]
    if not _overrides(folder, names):
        # A folder that changes nothing is a mistake (a misspelt folder, the wrong one):
        # refused by name, so that no letter goes out as the member did not mean it.
        raise UserTemplateError(
            words(
                Option("template-dir", str(folder), keyword="template_dir"),
                " holds none of dsr's templates (such as base.html.jinja or "
                "letters/objection.html.jinja); give the folder ",
                Command(("templates",), (Option("source"),)),
                " wrote, or one whose templates have those names",
            )
        )
    return folder, []


def _literal_size(node: nodes.Node) -> int:
    """Characters of template text a loop body writes per step, includes at a flat rate."""
    size = sum(len(data.data) for data in node.find_all(nodes.TemplateData))
    return size + INCLUDE_COST * sum(1 for _ in node.find_all(nodes.Include))


class BoundedEnvironment(SandboxedEnvironment):
    """A sandbox whose loops, calls, filters, operators and output draw on one budget.

    A budget starts when a template is rendered (``Template.render`` joins
    its output with ``concat``, as do macros and blocks inside it).
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("finalize", self._finalize)
        kwargs.setdefault("optimized", False)  # no filter runs at compile time, unbudgeted
        super().__init__(*args, **kwargs)
        self.globals["range"] = self._range
        self.globals["lipsum"] = self._lipsum

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for join in tree.find_all(nodes.Concat):  # ``a ~ b``
            join.nodes = [
                nodes.Call(
                    nodes.EnvironmentAttribute("bounded_part", lineno=part.lineno),
                    [part],
                    [],
                    None,
                    None,
                    lineno=part.lineno,
                )
                for part in join.nodes
            ]
        for loop in tree.find_all(nodes.For):
            cost = 1 + sum(_literal_size(child) for child in loop.body)
            loop.iter = nodes.Call(
                nodes.EnvironmentAttribute("bounded_steps", lineno=loop.lineno),
                [loop.iter, nodes.Const(cost, lineno=loop.lineno)],
                [],
                None,
                None,
                lineno=loop.lineno,
            )
        return tree

    @staticmethod
    def bounded_steps(iterable: Iterable[Any], cost: int) -> Iterator[Any]:
        for item in iterable:
            _charge(cost)
            yield item

    @staticmethod
    def bounded_part(value: Any) -> Any:
        _charge(_size(value))
        return value

    @staticmethod
    def _range(*args: int) -> range:
        _check_arguments(args)
        numbers = range(*args)
        _charge(len(numbers))
        return numbers

    @staticmethod
    def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        """Jinja's ``lipsum``, which ``lipsum(1000000)`` kept busy for minutes, bounded."""
        if not (isinstance(n, int) and isinstance(max, int)) or n * abs(max) > MAX_LIPSUM_WORDS:
            raise TemplateTooCostly(
                f"lipsum({n!r}, max={max!r}) asks for too much text "
                f"(at most {MAX_LIPSUM_WORDS:,} words)"
            )
        _charge(n * abs(max) * 8)
        text: str = generate_lorem_ipsum(n=n, html=html, min=min, max=max)
        return text

    @staticmethod
    def _finalize(value: Any) -> Any:
        _charge(_size(value))
        return value

    def concat(self, chunks: Iterable[str]) -> str:
        budget = _BUDGET.get()
        token = _BUDGET.set(_Budget()) if budget is None else None
        try:
            out = []
            for chunk in chunks:
                _charge(len(chunk))
                out.append(chunk)
            return "".join(out)
        finally:
            if token is not None:
                _BUDGET.reset(token)

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and max(left.bit_length(), 1) * right > 4 * 1024:
                raise TemplateTooCostly(f"{left} ** {right} is too large a number")
        if operator == "*":
            count = right if isinstance(right, int) else left if isinstance(left, int) else 1
            made = max(_weight(left), _weight(right)) * abs(count)
            if made > MAX_SIZE:
                raise TemplateTooCostly(f"the result of * would have {made:,} items")
            _charge(made)
        if operator == "+":
            _charge(_size(left) + _size(right))
        if operator == "%" and isinstance(left, str):
            # "%0900000000d" % 1, or "%0*d" % (900000000, 1): a width in the format
            # or among its arguments would make a gigabyte in one step.
            _check_format(left)
            _check_arguments(right if isinstance(right, tuple) else (right,))
            _check_format_arguments(right if isinstance(right, tuple) else (right,))
            made = super().call_binop(context, operator, left, right)
            _charge(_size(made))
            return made
        return super().call_binop(context, operator, left, right)

    def call(
        __self,
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        _check_arguments(args)
        _check_arguments(kwargs.values())
        if getattr(__obj, "__name__", "") in ("format", "format_map"):
            method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
            _check_format(getattr(method, "__self__", None), fields=True)
            _check_format_arguments(args, kwargs)
        name = getattr(__obj, "__name__", "")
        _check_amplifier(name, getattr(__obj, "__self__", None), args)
        _charge(1)
        result = super().call(__context, __obj, *args, **kwargs)
        _charge(_size(result))
        return result


def _bounded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` drawing on the budget; it takes the context, so Jinja never runs it
    at compile time (unbudgeted) to fold a constant such as ``"x"|center(999999)``."""
    passes = getattr(function, "jinja_pass_arg", None)

    def bounded(context: jinja2.runtime.Context, *args: Any, **kwargs: Any) -> Any:
        _check_arguments(args)
        _check_arguments(kwargs.values())
        if function.__name__ == "do_format":
            _check_format(next((a for a in args if isinstance(a, str)), None))
            _check_format_arguments(args[1:], kwargs)
        _check_amplifier(function.__name__, None, args, kwargs)
        _charge(1)
        if passes is _PassArg.context:
            result = function(context, *args, **kwargs)
        elif passes is _PassArg.eval_context:
            result = function(context.eval_ctx, *args, **kwargs)
        elif passes is _PassArg.environment:
            result = function(context.environment, *args, **kwargs)
        else:
            result = function(*args, **kwargs)
        _charge(_size(result))
        return result

    functools.update_wrapper(bounded, function, updated=())
    return jinja2.pass_context(bounded)


def bound_filters(env: jinja2.Environment) -> None:
    """Wrap every filter of ``env`` so that it draws on the render's budget."""
    for name, function in list(env.filters.items()):
        env.filters[name] = _bounded_filter(function)


RAW_TEXT = ("style", "script", "textarea", "title")
_END_TAGS = {name: re.compile(f"</{name}", re.IGNORECASE) for name in RAW_TEXT}


def unclosed_markup(document: str) -> str | None:
    """Where the output of a user's template leaves a tag or comment open, or None.

    Python's HTMLParser rescans the rest of the document for every ``<`` of an
    unclosed construct: 20,000 ``<a b='`` (120 KB) took 75 s. Every closed
    document is parsed in linear time, so a template's output is checked
    first, here in one pass.
    """
    length = len(document)
    position = 0
    while (start := document.find("<", position)) >= 0:
        following = document[start + 1 : start + 2]
        if document.startswith("<!--", start):
            end = document.find("-->", start + 4)
            if end < 0:
                return f"an unclosed comment at character {start:,}"
            position = end + 3
            continue
        if not (following.isascii() and following.isalpha()) and following not in ("/", "!", "?"):
            position = start + 1
            continue
        index = start + 1
        quote = last = ""
        while index < length:  # to the '>' outside a quoted attribute value
            char = document[index]
            if quote:
                if char == quote:
                    quote = ""
            elif char in "\"'" and last == "=":
                quote = char
            elif char == ">":
                break
            if not char.isspace():
                last = char
            index += 1
        if index >= length:
            return f"an unclosed tag at character {start:,}: {document[start : start + 20]!r}"
        name = (
            document[start + 1 : index].split(maxsplit=1)[0].lower() if following.isalpha() else ""
        )
        position = index + 1
        if name in RAW_TEXT:  # its text may hold '<'; it ends at its end tag
            found = _END_TAGS[name].search(document, position)
            if found is None:
                return f"an unclosed <{name}> at character {start:,}"
            position = found.start()
    return None
