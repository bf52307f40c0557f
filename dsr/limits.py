"""Bounds on what dsr reads: regular files only, sizes, nesting depth, no YAML aliases or tags.

A member list, a profile or a controller record is small, flat data. A
device (``/dev/zero``), a FIFO, a file of gigabytes, a YAML "billion laughs"
or 100,000 nested ``[`` would make dsr hang, swell or crash; each is refused
here with a message naming the file and the limit.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import InputError
from .files import FileError, NotRegular, open_regular

MAX_DEPTH = 32  # a row or record nests two or three levels
MAX_RECORD_BYTES = 4 * 1024 * 1024  # a profile, defaults or controller file
MAX_BATCH_BYTES = 256 * 1024 * 1024  # a member list: about a million CSV rows
MAX_ROWS = 100_000  # rows of one batch file; dsr batch --max-rows raises it
YAML_TEXT = "tag:yaml.org,2002:str"  # !!str, the one tag accepted


class LimitError(InputError):
    """An input file is not a regular file, or exceeds one of dsr's limits."""


def read_limited(path: Path, limit: int = MAX_RECORD_BYTES) -> bytes:
    """The bytes of the regular file ``path``, if it has at most ``limit`` of them."""
    try:
        fd = open_regular(path, follow=True)  # checked first: a FIFO or device is never opened
    except NotRegular:
        raise LimitError(f"{path}: not a regular file") from None
    except FileError as error:  # a link loop, a file where a folder should be
        raise LimitError(str(error)) from error
    except OSError as error:
        raise LimitError(f"{path}: cannot read: {error.strerror}") from error
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if info.st_size > limit:
            raise LimitError(f"{path}: {info.st_size:,} bytes; the limit is {limit:,}")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise LimitError(f"{path}: more than {limit:,} bytes; the limit is {limit:,}")
    return data


def check_depth(data: Any, where: str, limit: int = MAX_DEPTH) -> Any:
    """``data`` itself, if its lists and mappings nest at most ``limit`` levels."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                raise LimitError(f"{where}: nested more than {limit} levels deep")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return data


TOO_MANY_DIGITS = "holds a number of more than 4,300 digits, which dsr does not read"


def load_json(text: str, where: str) -> Any:
    """Parse JSON; ``where`` names the file (and line) in errors. Raises ValueError if not JSON."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise LimitError(f"{where}: nested more than {MAX_DEPTH} levels deep") from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # a number of thousands of digits
        raise LimitError(f"{where}: {TOO_MANY_DIGITS}") from None
    return check_depth(data, where)


def yaml_events(text: str, where: str) -> Iterator[Any]:
    """The events of a YAML text, checked as they come: no alias, no tag, MAX_DEPTH levels.

    Aliases (``*name``) are refused: eight levels of them in 600 bytes made
    millions of values. Tags (``!!python/object``, ``!!int``) are refused
    too, but for ``!!str``: dsr's values are text. Nothing is built here;
    the caller builds what it needs as the events come (``dsr.batch`` one
    row at a time), so a large file never becomes millions of objects at
    once. Parsed by libyaml where it is installed. Raises yaml.YAMLError
    for YAML that is not valid.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    deep = LimitError(f"{where}: nested more than {MAX_DEPTH} levels deep")
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            line = event.start_mark.line + 1 if event.start_mark else 0
            if isinstance(event, yaml.AliasEvent):
                raise LimitError(
                    f"{where}: line {line}: YAML aliases (*{event.anchor}) are not accepted; "
                    "write the values out"
                )
            tag = getattr(event, "tag", None)
            if tag not in (None, "!", YAML_TEXT):
                shown = tag.replace("tag:yaml.org,2002:", "!!")
                raise LimitError(
                    f"{where}: line {line}: YAML tags ({shown:.40}) are not accepted; "
                    "write the value as plain text"
                )
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise deep
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
            yield event
    except yaml.YAMLError as error:
        if "maximum nesting depth" in str(error):  # libyaml's own limit, met reading ahead
            raise deep from None
        raise


def yaml_problem(error: Exception, text: str) -> str:
    """A YAML parser's error on one line, with where it is: "line 9, column 7: did not
    find expected key (while parsing a block mapping at line 1, column 3)".

    The parser's own message spans lines, each naming "<unicode string>".
    """
    import yaml

    if isinstance(error, yaml.MarkedYAMLError) and error.problem:
        mark, context, opened = error.problem_mark, error.context, error.context_mark
        found = error.problem
        where = None if mark is None else (mark.line, mark.column)
        if where is not None:
            found = f"line {where[0] + 1}, column {where[1] + 1}: {found}"
        if context and opened is not None and (opened.line, opened.column) != where:
            found += f" ({context} at line {opened.line + 1}, column {opened.column + 1})"
        elif context:
            found += f" ({context})"
        return found
    if isinstance(error, yaml.reader.ReaderError) and isinstance(error.character, int):
        # Its position counts bytes or characters, as the parser does: the first
        # of its characters is where the reader stopped.
        index = text.find(chr(error.character))
        if index >= 0:
            column = index - text.rfind("\n", 0, index)
            line = text.count("\n", 0, index) + 1
            return f"line {line}, column {column}: {str(error).splitlines()[0]}"
    return "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
