"""Every file dsr writes goes through here.

The rules (DESIGN.md, "Safety rules"): dsr writes only inside the folder it
was given, under names it chose; it never follows a symbolic link for its own
files (every operation is relative to the folder's descriptor, with
``O_NOFOLLOW``); writes are atomic (a file that gets its name only once its
data is on disk: on Linux it has none before, elsewhere a temporary name
with the run's id, then a rename); a final name is created exclusively
unless replacing was asked for; files holding personal data are 0600 in
0700 folders.

What dsr reads that must be a regular file (its own files, and the batch
file, profile and annexes the user names) is opened by ``open_regular``:
checked before the open, so a FIFO never blocks dsr and a device is never
opened, and refused (exit 2) as "not a regular file".
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, Final

from .errors import REPLACE, DsrError, InputError, Option, Words, words

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
SLUG_RULE = "use lower-case letters a-z, digits and hyphens, starting with a letter or digit"
_COMPONENT = re.compile(r"[A-Za-z0-9._-]+")
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SHARED_FILE = 0o644
SHARED_DIR = 0o755
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
LOCK_FILE = ".dsr-batch.lock"
# Why no file below a folder (its descriptor, its path) may be read, or None: open_confined.
FolderCheck = Callable[[int, Path], str | None]


class FileError(DsrError):
    """A file could not be written (a full disk, a missing folder...)."""


class UnsafeFile(FileError, InputError):
    """Refused: a link, a name taken from data, or a file dsr did not write (exit 2)."""


class OutputExists(UnsafeFile):
    """The file exists and replacing it was not asked for (the ``force`` option)."""

    def __init__(self, path: Path | str, said: Words | None = None) -> None:
        self.path = path
        self.said = said
        super().__init__(said or words(f"{path} exists; use ", REPLACE, " to replace it"))

    def __reduce__(self) -> tuple[type[OutputExists], tuple[Path | str, Words | None]]:
        return (type(self), (self.path, self.said))


class NotRegular(UnsafeFile):
    """A FIFO, a device, a folder or a socket where dsr needs a regular file (exit 2)."""


class FolderBusy(FileError, InputError):
    """Another dsr run is writing into the folder: not usable for this run (exit 2)."""


def new_run_id() -> str:
    """An id for this run; its temporary files carry it, so cleanup removes only those."""
    return "dsr" + secrets.token_hex(6)


RUN_ID = new_run_id()


def is_slug(text: str) -> bool:
    return SLUG.fullmatch(text) is not None


def check_slug(text: str, what: str) -> str:
    """``text`` if it is a slug; otherwise refuse, naming it: it would leave the folder."""
    if not is_slug(text):
        raise UnsafeFile(f"{what} {text!r} cannot name a file: {SLUG_RULE}")
    return text


def is_file_name(text: str) -> bool:
    """One plain file name: no folder, no ``..``, nothing but letters, digits and ``._-``."""
    return text not in (".", "..") and not text.startswith(".") and bool(_COMPONENT.fullmatch(text))


def name_parts(name: str) -> list[str]:
    """The components of a relative name; anything that could leave the folder fails.

    Names dsr makes from data are slugs already; a name the member typed
    (``-o "Widerspruch Müller.pdf"``) may hold any printable characters. Only
    what could leave the folder or mislead a reader is refused: an empty part,
    "." and "..", NUL and control characters, the invisible controls of text
    direction (a right-to-left override shows ``letter\u202efdp.exe`` as
    ``letterexe.pdf``) and other characters shown as nothing or as a line break
    (see :func:`_misleading`), and a part too long to exist.
    """
    parts = name.split("/")
    for part in parts:
        if _misleading(part):
            raise UnsafeFile(
                f"{name!r} cannot name a file inside the output folder: use printable "
                f"characters, with {NO_INVISIBLE}, no empty part, '.' or '..'"
            )
        size = len(part.encode("utf-8", "surrogateescape"))
        if size > MAX_NAME_BYTES:
            raise UnsafeFile(
                f"{name!r} cannot name a file: a name may have at most {MAX_NAME_BYTES} "
                f"bytes (this part has {size}); choose a shorter name"
            )
    return parts


def _misleading(part: str) -> bool:
    """Whether one part of a name could leave the folder or mislead a reader.

    Refused: a name of spaces only; control characters, bytes that are not
    UTF-8, private-use characters, more than 4 marks on one letter; line and
    paragraph separators (a file manager
    shows ``report\u2028.pdf\u2028.txt`` on three lines); format characters,
    such as the direction controls, U+200B ZERO WIDTH SPACE and U+00AD SOFT
    HYPHEN; and what is shown as nothing (Hangul fillers, U+034F). A joiner
    or a selector that a script needs (Persian's zero-width non-joiner, an
    emoji's variation selector) is kept where it does its work: after a
    visible character outside ASCII, and for a joiner before one too.
    """
    stem = part.rsplit(".", 1)[0]
    if part in ("", ".", "..") or not part.split() or (stem and not stem.split()):
        return True  # nothing, or a name of spaces only (" .txt")
    marks = 0
    for index, char in enumerate(part):
        category = unicodedata.category(char)
        before = part[index - 1] if index else ""
        # Cs: a byte that is not UTF-8 (kept as a lone surrogate); Co: private use,
        # shown as an empty box; more than 4 marks on one letter overprint its line.
        marks = marks + 1 if category in ("Mn", "Me") else 0
        if category in ("Cc", "Cs", "Co", "Zl", "Zp") or marks > 4:
            return True
        if char in DIRECTION_CONTROLS or _blank(char):
            return True
        if _selector(char):
            if not _visible(before):
                return True
        elif char in JOINERS:
            after = part[index + 1 : index + 2]
            if not (_visible(before) or _selector(before)) or not _visible(after):
                return True
        elif category == "Cf":
            return True
    return False


def _selector(char: str) -> bool:
    """A variation selector (emoji, CJK) or a Mongolian free variation selector."""
    code = ord(char) if len(char) == 1 else 0
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or char in MONGOLIAN_SELECTORS


def _blank(char: str) -> bool:
    """A character that is not a format character but shows as nothing."""
    code = ord(char)
    if 0xE0000 <= code <= 0xE0FFF:  # tags (format characters) and their unassigned block
        return not _selector(char)
    return char in BLANKS or 0xFFF0 <= code <= 0xFFF8


def _visible(char: str) -> bool:
    """A visible character outside ASCII: one a joiner or a selector may follow."""
    return (
        len(char) == 1
        and not char.isascii()
        and unicodedata.category(char)[0] in "LMNS"
        and not (_blank(char) or _selector(char))
    )


# Marks and embeddings that change how a name is displayed, not what it is.
DIRECTION_CONTROLS: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Shown as nothing, though letters or marks: the grapheme joiner, Hangul and Khmer
# fillers, the blank braille pattern.
BLANKS: Final = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
# Zero-width (non-)joiners, which Persian, the Indic scripts and emoji need; and
# Mongolian's vowel separator.
JOINERS: Final = frozenset("\u180e\u200c\u200d")
MONGOLIAN_SELECTORS: Final = frozenset("\u180b\u180c\u180d\u180f")
NO_INVISIBLE = "no text-direction control or invisible character"
MAX_NAME_BYTES = 200  # room for the ".<name>.<run id>.part" of a file being written


def describe(error: OSError, path: Path | str, doing: str = "write") -> FileError:
    """An OSError as a message a member understands."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return FileError(f"the disk is full: cannot {doing} {path}; free some space and try again")
    if error.errno in (errno.ELOOP, errno.ENOTDIR) or (
        error.errno == errno.EEXIST and doing == "create"
    ):
        if error.errno == errno.EEXIST:
            return OutputExists(path)
        return UnsafeFile(
            f"{path} is a symbolic link (or not a folder); dsr does not follow links "
            "for the files it writes: remove it, or choose another folder"
        )
    return FileError(f"cannot {doing} {path}: {error.strerror or error}")


def check_new_names(path: Path, *, folder: bool = False) -> None:
    """Refuse (exit 2) a name dsr would create on the way to ``path``, before anything is.

    ``path`` itself if nothing is there (a ``folder`` or a file), and each
    folder missing above it, must be a name :func:`name_parts` accepts:
    ``-o "new\u202efdp.exe/a.txt"`` would make a folder shown as ``newexe.pdf``.
    What exists already was named by someone else and is left as it is.
    """
    current = path
    while not os.path.lexists(current) and current != current.parent:
        kind = "file" if current == path and not folder else "folder"
        size = len(current.name.encode("utf-8", "surrogateescape"))
        if _misleading(current.name):
            raise UnsafeFile(
                f"{current.name!r} cannot name a new {kind}: use printable characters, with "
                f"{NO_INVISIBLE}, no empty part, '.' or '..'"
            )
        if size > MAX_NAME_BYTES:
            raise UnsafeFile(
                f"{current.name!r} cannot name a new {kind}: a name may have at most "
                f"{MAX_NAME_BYTES} bytes (this part has {size}); choose a shorter name"
            )
        current = current.parent


def make_dir(path: Path, mode: int = PRIVATE_DIR) -> None:
    """Create ``path`` (and missing parents) with ``mode``; an existing folder is kept as it is.

    Something else at ``path`` (a file, a FIFO) is refused (exit 2), naming it, and
    so is a name no new folder gets (:func:`check_new_names`), before any is made.
    """
    check_new_names(path, folder=True)
    missing = []
    current = path
    while not current.exists() and current != current.parent:
        if current.is_symlink():
            raise describe(OSError(errno.ELOOP, "link"), current)
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=mode)
        except FileExistsError:
            continue
        except OSError as error:
            raise describe(error, folder, "create the folder") from error
        os.chmod(folder, mode)  # mkdir's mode is filtered by the umask
    if not path.is_dir():
        raise UnsafeFile(f"{path} is not a folder; remove it, or choose another folder")


# Folders a run holds the lock of, by absolute path: the (device, inode) they had when
# it was taken. dsr opens a folder by its path for each file it writes; had the folder
# been swapped meanwhile (renamed, a link put at its name), the next file would go to
# another folder. A folder opened that is not the one pinned is refused.
_PINNED: dict[str, tuple[int, int]] = {}


def pinned_identity(path: Path | str) -> tuple[int, int] | None:
    """The identity ``path`` is pinned to in this process, if any (for a worker)."""
    return _PINNED.get(os.path.abspath(path))


@contextmanager
def pinned(path: Path | str, identity: tuple[int, int] | None) -> Iterator[None]:
    """While it lasts, ``path`` must open as the folder ``identity`` names (None: no pin)."""
    key = os.path.abspath(path)
    before = _PINNED.get(key)
    if identity is not None:
        _PINNED[key] = identity
    try:
        yield
    finally:
        if before is None:
            _PINNED.pop(key, None)
        else:
            _PINNED[key] = before


def _open_dir(path: Path | str) -> int:
    """``os.open`` of a folder by its path, checked against its pin."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    identity = _PINNED.get(os.path.abspath(path))
    if identity is not None:
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) != identity:
            os.close(fd)
            raise UnsafeFile(
                f"{path} was replaced while dsr wrote into it (renamed, or a link put at its "
                "name): nothing more is written there; check the folder and run again"
            )
    return fd


@contextmanager
def open_folder(path: Path, *, create: bool = True, mode: int = PRIVATE_DIR) -> Iterator[int]:
    """A descriptor of the folder the user gave (it may be a link the user made)."""
    if create:
        make_dir(path, mode)
    try:
        fd = _open_dir(path)
    except OSError as error:
        raise describe(error, path, "open the folder") from error
    try:
        yield fd
    finally:
        os.close(fd)


def _subfolder(dir_fd: int, parts: list[str], base: Path, create: bool, mode: int) -> int:
    """Walk down ``parts`` below ``dir_fd`` without following a link; a new descriptor."""
    fd = os.dup(dir_fd)
    for part in parts:
        base = base / part
        try:
            made = False
            if create:
                with suppress(FileExistsError):
                    os.mkdir(part, mode, dir_fd=fd)
                    made = True
            child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            if made:
                os.fchmod(child, mode)  # mkdir's mode is filtered by the umask
        except OSError as error:
            os.close(fd)
            raise describe(error, base, "open the folder") from error
        os.close(fd)
        fd = child
    return fd


def not_regular(path: Path | str, hint: str = "remove it (or move it aside)") -> NotRegular:
    return NotRegular(f"{path} is not a regular file; {hint}")


def check_regular(
    path: Path | str,
    *,
    dir_fd: int | None = None,
    follow: bool = False,
    shown: Path | str | None = None,
    hint: str = "remove it (or move it aside)",
) -> os.stat_result | None:
    """What is at ``path`` if it is a regular file; None if nothing is there.

    Checked without opening it: a FIFO would block the open, and opening some
    devices does something. Anything but a regular file is refused (exit 2),
    and so is a symbolic link unless ``follow`` (a file the user named).
    """
    shown = path if shown is None else shown
    try:
        info = os.stat(path, dir_fd=dir_fd, follow_symlinks=follow)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise describe(error, shown, "read") from error
    if stat.S_ISLNK(info.st_mode):
        raise describe(OSError(errno.ELOOP, "link"), shown)
    if not stat.S_ISREG(info.st_mode):
        raise not_regular(shown, hint)
    return info


def open_regular(
    path: Path | str,
    *,
    dir_fd: int | None = None,
    follow: bool = False,
    shown: Path | str | None = None,
    hint: str = "remove it (or move it aside)",
) -> int:
    """A read-only descriptor of the regular file at ``path``; it never blocks.

    Everything dsr reads that must be a regular file is opened here: its own
    files (a link is never followed) and the files the user named (``follow``):
    checked before the open (see check_regular) and again after it, in case
    something else was put there meanwhile. Raises FileNotFoundError if there
    is nothing, NotRegular or UnsafeFile (exit 2), or the OSError of the open.
    """
    shown = path if shown is None else shown
    if check_regular(path, dir_fd=dir_fd, follow=follow, shown=shown, hint=hint) is None:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(shown))
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    fd = os.open(path, flags, dir_fd=dir_fd)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise not_regular(shown, hint)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_confined(path: Path, refuse: FolderCheck | None = None) -> int:
    """A descriptor of the regular file at the absolute, resolved ``path``, which was checked.

    The path is opened one folder at a time from the root without following
    any link, and must still name a regular file with one name: a folder or
    file swapped for a link (or a hard link) since the check cannot bring
    another file in. ``refuse(folder_fd, folder)``, called for each folder as
    it is opened, says why no file below it may be read (UnsafeFile), or None.
    The caller closes the descriptor.
    """
    changed = f"{path} changed since it was checked (now a link, a hard link or gone)"
    if not path.is_absolute() or len(path.parts) < 2:
        raise UnsafeFile(f"{path}: not an absolute path")
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for depth, part in enumerate(path.parts[1:-1], start=1):
            reason = refuse(fd, Path(*path.parts[:depth])) if refuse else None
            if reason:
                raise UnsafeFile(f"{path}: {reason}")
            inner = os.open(
                part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd
            )
            os.close(fd)
            fd = inner
        reason = refuse(fd, path.parent) if refuse else None
        if reason:
            raise UnsafeFile(f"{path}: {reason}")
        file_fd = os.open(
            path.parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=fd
        )
    except OSError:
        raise UnsafeFile(changed) from None
    finally:
        os.close(fd)
    info = os.fstat(file_fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(file_fd)
        raise UnsafeFile(changed)
    return file_fd


def read_confined(path: Path, refuse: FolderCheck | None = None) -> bytes:
    """The bytes of the regular file at the absolute, resolved ``path``, which was checked.

    Read again later (a batch row's annex, in a worker), it is opened as
    :func:`open_confined` opens it, ``refuse`` checking each folder on the way.
    """
    with os.fdopen(open_confined(path, refuse), "rb") as handle:
        return handle.read()


def read_input(path: Path, hint: str = "name a PDF file") -> bytes:
    """The bytes of a regular file the user named (a link of theirs is followed); never blocks."""
    try:
        fd = open_regular(path, follow=True, hint=hint)
    except FileNotFoundError as error:
        raise InputError(f"{path}: no such file") from error
    except OSError as error:
        raise describe(error, path, "read") from error
    with os.fdopen(fd, "rb") as handle:
        try:
            return handle.read()
        except OSError as error:
            raise describe(error, path, "read") from error


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file: the same device and inode, or the same real path."""
    try:
        if os.path.samefile(first, second):
            return True
    except OSError:
        pass
    return os.path.realpath(first) == os.path.realpath(second)


def refuse_output_among_inputs(output: Path, inputs: list[tuple[str, Path]]) -> None:
    """Refuse (exit 2) an output that is one of the command's inputs: writing would destroy it.

    ``inputs`` are (what, path) pairs, ``what`` as the caller names that input (the
    CLI: its option).
    """
    for option, path in inputs:
        if same_file(output, path):
            raise UnsafeFile(
                words(
                    Option("output"),
                    f": {output} is also {option} {path}; dsr never replaces a file it "
                    "reads: choose another output file",
                )
            )


def _is_regular(dir_fd: int, name: str) -> bool | None:
    """True for a regular file, False for anything else (a link), None if there is none."""
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    return stat.S_ISREG(info.st_mode)


def write_file(
    folder: Path,
    name: str,
    data: bytes,
    *,
    mode: int = PRIVATE_FILE,
    replace: bool = False,
    before_replace: Callable[[], None] | None = None,
    run_id: str = RUN_ID,
    dir_mode: int | None = None,
) -> Path:
    """Write ``data`` to ``folder/name`` atomically; ``name`` may hold subfolders dsr chose.

    Without ``replace`` the final name is created exclusively: of two writers,
    one gets "exists". With it, a file (or a link, never its target) is
    replaced. ``before_replace`` runs once the data is on disk, before the
    rename (dsr batch records the finished file there).
    """

    def fill(handle: int) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]

    return _write_atomically(
        folder, name, fill, mode=mode, replace=replace, before_replace=before_replace,
        run_id=run_id, dir_mode=dir_mode,
    )  # fmt: skip


def write_streamed(
    folder: Path,
    name: str,
    produce: Callable[[BinaryIO], None],
    *,
    mode: int = PRIVATE_FILE,
    replace: bool = False,
    before_replace: Callable[[], None] | None = None,
    run_id: str = RUN_ID,
) -> Path:
    """``write_file`` for data too large to hold: ``produce(stream)`` writes it, in
    order, to a stream that cannot seek; the same rules (atomic, no link followed)."""

    def fill(handle: int) -> None:
        with os.fdopen(handle, "wb", closefd=False) as stream:
            produce(stream)

    return _write_atomically(
        folder, name, fill, mode=mode, replace=replace, before_replace=before_replace,
        run_id=run_id,
    )  # fmt: skip


def _write_atomically(
    folder: Path,
    name: str,
    fill: Callable[[int], None],
    *,
    mode: int,
    replace: bool,
    before_replace: Callable[[], None] | None,
    run_id: str,
    dir_mode: int | None = None,
) -> Path:
    """``write_file``'s work: ``fill(descriptor)`` writes the data."""
    *subfolders, base = name_parts(name)
    if dir_mode is None:
        dir_mode = PRIVATE_DIR if mode == PRIVATE_FILE else SHARED_DIR
    path = folder / name
    temp = f".{base}.{run_id}.part"
    with open_folder(folder, mode=dir_mode) as top:
        fd = _subfolder(top, subfolders, folder, True, dir_mode)
        try:
            try:
                handle = _unnamed_file(fd, mode)
                unnamed = handle is not None
                if handle is None:
                    handle = os.open(
                        temp,
                        os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                        mode,
                        dir_fd=fd,
                    )
            except OSError as error:
                raise describe(error, path) from error
            try:
                try:
                    fill(handle)
                    os.fchmod(handle, mode)  # the umask does not widen or narrow it
                    os.fsync(handle)
                    if before_replace is not None:
                        before_replace()
                    if unnamed:  # named only now, whole: the final name, or the rename's
                        os.link(f"/proc/self/fd/{handle}", temp if replace else base, dst_dir_fd=fd)
                finally:
                    os.close(handle)
                if replace:
                    os.replace(temp, base, src_dir_fd=fd, dst_dir_fd=fd)
                elif not unnamed:
                    _create_exclusively(fd, temp, base)
            except OSError as error:
                with suppress(OSError):
                    os.unlink(temp, dir_fd=fd)
                raise describe(error, path, "write" if replace else "create") from error
            except BaseException:
                with suppress(OSError):
                    os.unlink(temp, dir_fd=fd)
                raise
        finally:
            os.close(fd)
    return path


def _unnamed_file(dir_fd: int, mode: int) -> int | None:
    """A file without a name in the folder (Linux's O_TMPFILE), or None where there is none.

    It is named once its data is on disk: dsr killed while writing (SIGKILL,
    a power cut) leaves nothing, where a temporary name would stay behind
    for good (only a batch, through its lock, removes a dead run's files).
    """
    if not hasattr(os, "O_TMPFILE") or not os.path.isdir("/proc/self/fd"):
        return None  # the link that names it goes through /proc
    try:
        return os.open(".", os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, mode, dir_fd=dir_fd)
    except OSError as error:
        if error.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return None  # not on this file system (or kernel)
        raise


def _create_exclusively(dir_fd: int, temp: str, base: str) -> None:
    """Give ``temp`` the name ``base`` only if nothing has it: of two writers, one fails."""
    try:
        os.link(temp, base, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # No hard links here (FAT, some network drives): reserve the name, then rename.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        os.close(os.open(base, flags, PRIVATE_FILE, dir_fd=dir_fd))
        os.replace(temp, base, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    else:
        os.unlink(temp, dir_fd=dir_fd)


def linked_message(path: Path | str) -> str:
    return (
        f"{path} has more than one hard link; dsr does not write to a file that also "
        "appears elsewhere: remove it (or move it aside), then run dsr again"
    )


def check_own_file(folder: Path, name: str) -> None:
    """Refuse (exit 2) dsr's own ``folder/name`` if it is no plain file of its own.

    A FIFO, a device or a folder there (an open would block, or fail naming a
    descriptor), or a file with more than one hard link (a write would reach
    elsewhere). A symbolic link is left to the open, which refuses it, or to
    the rename, which replaces it.
    """
    try:
        info = os.stat(folder / name, follow_symlinks=False)
    except OSError:
        return
    if stat.S_ISLNK(info.st_mode):
        return
    if not stat.S_ISREG(info.st_mode):
        raise not_regular(folder / name)
    if info.st_nlink > 1:
        raise UnsafeFile(linked_message(folder / name))


def append(folder: Path, name: str, data: bytes, mode: int = PRIVATE_FILE) -> None:
    """Append to dsr's own file (O_APPEND lines are safe from several processes); no link."""
    name_parts(name)
    with open_folder(folder) as dir_fd:
        check_regular(name, dir_fd=dir_fd, shown=folder / name)  # a FIFO would block the open
        try:
            fd = os.open(
                name,
                os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
                | os.O_CLOEXEC,
                mode,
                dir_fd=dir_fd,
            )  # fmt: skip
        except OSError as error:
            raise describe(error, folder / name) from error
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise not_regular(folder / name)
            if info.st_nlink > 1:  # a hard link: the lines would land in another file too
                raise UnsafeFile(linked_message(folder / name))
            os.write(fd, data)
            os.fsync(fd)
        except OSError as error:
            raise describe(error, folder / name) from error
        finally:
            os.close(fd)


@contextmanager
def opened(folder: Path, name: str) -> Iterator[BinaryIO | None]:
    """dsr's own file opened to read, or None if there is none; a link or a FIFO is
    refused, never opened. For files too large to read whole (print.pdf into a zip)."""
    *subfolders, base = name_parts(name)
    try:
        top = _open_dir(folder)
    except FileNotFoundError:
        yield None
        return
    except OSError as error:
        raise describe(error, folder, "read") from error
    try:
        dir_fd = _subfolder(top, subfolders, folder, False, PRIVATE_DIR)
    finally:
        os.close(top)
    try:
        fd = open_regular(base, dir_fd=dir_fd, shown=folder / name)
    except FileNotFoundError:
        fd = None
    except OSError as error:
        raise describe(error, folder / name, "read") from error
    finally:
        os.close(dir_fd)
    if fd is None:
        yield None
        return
    with os.fdopen(fd, "rb") as handle:
        yield handle


def read(folder: Path, name: str) -> bytes | None:
    """dsr's own file, or None if there is none; a link or a FIFO is refused, never opened."""
    with opened(folder, name) as handle:
        if handle is None:
            return None
        try:
            return handle.read()
        except OSError as error:
            raise describe(error, folder / name, "read") from error


def remove(folder: Path, name: str) -> bool:
    """Delete dsr's own regular file ``folder/name``; a link or a folder is left alone."""
    *subfolders, base = name_parts(name)
    try:
        top = _open_dir(folder)
    except OSError:
        return False
    try:
        try:
            fd = _subfolder(top, subfolders, folder, False, PRIVATE_DIR)
        except FileError:
            return False
        try:
            if not _is_regular(fd, base):
                return False
            os.unlink(base, dir_fd=fd)
            return True
        finally:
            os.close(fd)
    finally:
        os.close(top)


def remove_empty_folder(path: Path) -> bool:
    """Remove ``path`` if it is an empty folder (and not a link)."""
    if path.is_symlink() or not path.is_dir():
        return False
    try:
        path.rmdir()
    except OSError:
        return False
    return True


def remove_temp_files(folder: Path, run_id: str) -> int:
    """Remove the temporary files of one run (their names carry its id), nothing else."""
    suffix = f".{run_id}.part"
    count = 0
    if not folder.is_dir():
        return 0
    for entry in os.scandir(folder):
        if entry.name.startswith(".") and entry.name.endswith(suffix):
            count += remove(folder, entry.name)
    return count


def archive_path(folder: Path) -> Path:
    """``<folder>.zip`` beside the folder, whatever dots the folder's name holds."""
    resolved = folder.resolve()
    if resolved == resolved.parent:
        raise UnsafeFile(f"{folder} has no name to give its archive; choose another folder")
    return resolved.parent / f"{resolved.name}.zip"


@contextmanager
def folder_lock(folder: Path, run_id: str = RUN_ID) -> Iterator[None]:
    """One dsr run writing into ``folder`` at a time: an advisory lock (flock) on a lock file.

    The lock is held, not merely present: the kernel releases it when its run
    ends, however it ends. A lock file that nobody holds is left from a run
    that is gone: that run's temporary files (its id is in the file) are
    removed and the lock is taken over. The file is checked to be the one
    still at its name after locking, so two runs never both hold it.
    """
    line = f"{os.getpid()} {run_id}\n".encode()
    with open_folder(folder) as dir_fd:
        for _ in range(20):
            try:
                check_own_file(folder, LOCK_FILE)
                fd = os.open(
                    LOCK_FILE,
                    os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK,
                    PRIVATE_FILE,
                    dir_fd=dir_fd,
                )
            except FileNotFoundError:
                continue  # removed as it was checked: try again
            except OSError as error:
                raise describe(error, folder / LOCK_FILE) from error
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held = os.pread(fd, 64, 0).decode("utf-8", "replace").split()
                os.close(fd)
                pid = held[0] if held and re.fullmatch(r"[0-9]{1,10}", held[0]) else "?"
                raise FolderBusy(
                    f"another dsr run (process {pid}) is writing into {folder}; "
                    "wait for it to finish"
                ) from None
            try:
                info, now = os.fstat(fd), os.stat(LOCK_FILE, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                os.close(fd)  # the run before removed it as it finished: take the next one
                continue
            if (info.st_dev, info.st_ino) != (now.st_dev, now.st_ino) or info.st_nlink != 1:
                os.close(fd)
                continue
            break
        else:
            raise FolderBusy(f"cannot lock {folder}: {folder / LOCK_FILE} keeps changing")
        try:
            before = os.pread(fd, 64, 0).decode("utf-8", "replace").split()
            if len(before) > 1 and re.fullmatch(r"dsr[0-9a-f]{12}", before[1]):
                remove_temp_files(folder, before[1])  # left by a run that is gone
            os.ftruncate(fd, 0)
            os.pwrite(fd, line, 0)
        except OSError as error:
            os.close(fd)
            raise describe(error, folder / LOCK_FILE) from error
        info = os.fstat(dir_fd)
        try:
            with pinned(folder, (info.st_dev, info.st_ino)):
                yield
        finally:
            with suppress(OSError):
                os.unlink(LOCK_FILE, dir_fd=dir_fd)  # still locked: nobody else holds it
            os.close(fd)
