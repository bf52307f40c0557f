"""An uploaded PDF checked in a process of its own, bounded in time and memory.

A hostile PDF can be small and cost a great deal to read: a page tree of a
million entries, one stream referenced thousands of times, an LZW stream that
unpacks to gigabytes (qpdf bounds deflate and run-length, not LZW). The page
therefore reads an upload in a child process with a CPU-time and an address-space
limit and a wall-clock timeout: whatever the file holds, reading it costs at most
that. The child answers with a verdict, which the page words in the member's
language.

The check itself reads every page as appending will (its box, its contents
unpacked once per stream, within one budget for the whole file) and refuses
filters the page does not take (LZW).
"""

from __future__ import annotations

import enum
import multiprocessing
import resource
from multiprocessing.connection import Connection
from typing import Any

from .. import pdf
from ..errors import AnnexError
from ..model import Letter
from ..pipeline import with_annexes

CPU_SECONDS = 3
MEMORY_BYTES = 1536 * 1024 * 1024
WALL_SECONDS = 6.0
APPEND_CPU_SECONDS = 10  # labels set by WeasyPrint, pages copied by pikepdf
APPEND_WALL_SECONDS = 20.0
DECODED_BUDGET = 40_000_000  # bytes unpacked in all, across the whole file (once a stream)
REFUSED_FILTERS = frozenset({"/LZWDecode", "/LZW"})  # qpdf bounds no LZW stream's size
MAX_OBJECTS = 50_000  # a PDF of 50 pages holds far fewer
MAX_ANNOTATIONS = 500  # on one page


class Verdict(enum.StrEnum):
    OK = "ok"
    ENCRYPTED = "encrypted"
    NO_PAGES = "no-pages"
    TOO_MANY_PAGES = "too-many-pages"
    UNREADABLE = "unreadable"
    TOO_COSTLY = "too-costly"


def verdict(data: bytes, max_pages: int) -> Verdict:
    """The check, in this process (the child calls it)."""
    import pikepdf

    try:
        document = pdf.open_upload(data)
    except AnnexError:
        return Verdict.ENCRYPTED
    except Exception:  # pikepdf raises many kinds of error on hostile files
        return Verdict.UNREADABLE
    try:
        if document.is_encrypted:
            return Verdict.ENCRYPTED
        count = document.Root.get("/Pages", {}).get("/Count", 0)
        if int(count) > max_pages:  # before the page tree is walked
            return Verdict.TOO_MANY_PAGES
        pages = len(document.pages)
        if not pages:
            return Verdict.NO_PAGES
        if pages > max_pages:
            return Verdict.TOO_MANY_PAGES
        if len(document.objects) > MAX_OBJECTS:
            return Verdict.TOO_COSTLY
        for page in document.pages:
            width, height = pdf.page_size(page)
            if not (0 < width <= pdf.MAX_PAGE_PT and 0 < height <= pdf.MAX_PAGE_PT):
                return Verdict.UNREADABLE
            annotations = page.obj.get("/Annots")
            if isinstance(annotations, pikepdf.Array) and len(annotations) > MAX_ANNOTATIONS:
                return Verdict.TOO_COSTLY
        # Every stream of the file but images, each once, unpacked as qpdf would (all
        # its general filters, under any name): within one budget, or refused. Images are
        # appended as they are and unpacked by nobody here (the letter is saved without
        # decoding its annexes' streams), so only their packed size counts.
        unpacked = 0
        for item in document.objects:
            if not isinstance(item, pikepdf.Stream):
                continue
            filters = item.get("/Filter")
            names = (
                {str(f) for f in filters} if isinstance(filters, pikepdf.Array) else {str(filters)}
            )
            if names & REFUSED_FILTERS:
                return Verdict.UNREADABLE
            if item.get("/Subtype") == pikepdf.Name.Image:
                unpacked += len(item.read_raw_bytes())
            else:
                try:  # qpdf stops a deflate bomb at pdf.MAX_DECODED_BYTES: an error here
                    unpacked += len(item.read_bytes(pikepdf.StreamDecodeLevel.generalized))
                except pikepdf.PdfError:
                    return Verdict.TOO_COSTLY
            if unpacked > DECODED_BUDGET:
                return Verdict.TOO_COSTLY
    except Exception:
        return Verdict.UNREADABLE
    return Verdict.OK


def _limits(cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _child(data: bytes, max_pages: int, answer: Connection) -> None:
    _limits(CPU_SECONDS)
    try:
        answer.send(verdict(data, max_pages).value)
    except MemoryError:
        answer.send(Verdict.TOO_COSTLY.value)
    finally:
        answer.close()


def _append_child(
    letter: Letter, pages: bytes, annexes: tuple[bytes, ...], answer: Connection
) -> None:
    _limits(APPEND_CPU_SECONDS)
    try:
        answer.send(with_annexes(letter, pages, tuple(annexes)))
    except BaseException:  # a hostile file: any failure, any limit reached, is a refusal
        answer.send(None)
    finally:
        answer.close()


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dsr.web.uploads", "pikepdf", "weasyprint"])
    return context


def _bounded(target: Any, args: tuple[Any, ...], wall: float) -> Any:
    """``target(*args, answer)`` in a child process; what it sends, or None if it sent
    nothing within ``wall`` seconds (killed at a limit, crashed, or still at work)."""
    context = _context()
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(*args, sending), daemon=True)
    child.start()
    sending.close()
    try:
        if receiving.poll(wall):
            try:
                return receiving.recv()
            except (EOFError, OSError):  # it died at its limit before it answered
                return None
        return None
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()


def checked(data: bytes, max_pages: int) -> Verdict:
    """The verdict on an upload, read in a child process within CPU_SECONDS of CPU,
    MEMORY_BYTES of memory and WALL_SECONDS in all; past any, TOO_COSTLY."""
    answer = _bounded(_child, (data, max_pages), WALL_SECONDS)
    try:
        return Verdict(answer)
    except ValueError:
        return Verdict.TOO_COSTLY


def appended(letter: Letter, pages: bytes, annexes: tuple[bytes, ...]) -> bytes | None:
    """The letter's PDF with the member's annexes appended (dsr.pipeline.with_annexes),
    done in a child process within the same limits: copying a hostile file's objects
    (a chain of nested forms, an inline array of millions) can exhaust or crash the
    process doing it. None if it could not be done there."""
    found = _bounded(_append_child, (letter, pages, annexes), APPEND_WALL_SECONDS)
    return found if isinstance(found, bytes) else None
