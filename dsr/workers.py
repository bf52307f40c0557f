"""Groups of letters rendered in worker processes, stopped cleanly by Ctrl-C.

``dsr batch`` and ``dsr templates`` hand out groups of letters (one
language each, so a group's PDFs share their font subsets). Each worker loads
WeasyPrint and the fonts once. Ctrl-C reaches the whole process group; the
workers leave it to the parent, which asks them to stop: a worker then writes
what it has laid out and takes no further letter. Workers are forked from a
fork server, which ends when this process does; a worker whose parent (the
server) ends dies with it, so nothing goes on writing into the folder.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import chain, islice
from pathlib import Path
from queue import SimpleQueue
from typing import Any, TypeVar

from . import pdf

Group = TypeVar("Group")
Result = TypeVar("Result")

PARENT_VARIABLE = "DSR_FORK_SERVER_PARENT"  # tells the fork server whose death ends it
_stop: Any = None  # an Event: the parent's (in a worker) or this process's own (jobs 1)
_parent: int | None = None  # in a worker: the process that handed out the groups


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def stop_requested() -> bool:
    """True in a worker once the user pressed Ctrl-C, or once the parent is gone."""
    return (_stop is not None and bool(_stop.is_set())) or _parent_gone()


def _parent_gone() -> bool:
    """The process that handed out the groups ended (killed, say): stop writing.

    A worker's own parent is the fork server, which ends soon after and takes
    the workers with it (PR_SET_PDEATHSIG); this check, made before each
    letter, stops them at once.
    """
    if _parent is None:
        return False
    try:
        stat = Path(f"/proc/{_parent}/stat").read_text()
    except FileNotFoundError:
        return True
    except OSError:  # no /proc (not Linux): ask the kernel whether it exists
        try:
            os.kill(_parent, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False
    return stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X")  # dead, not yet reaped


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Layout allocates millions of short-lived objects; collect cycles less often.

    Callers end each group with ``gc.collect()``, so memory stays bounded by a group.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _run_here(
    work: Callable[[Group], Result], groups: Iterable[Group], collect: Callable[[Result], None]
) -> None:
    """The groups in this process; Ctrl-C, as with workers, stops after the letter under way.

    A second Ctrl-C interrupts at once.
    """
    import signal
    import threading

    global _stop
    if threading.current_thread() is not threading.main_thread():
        for group in groups:  # signals reach the main thread only
            collect(work(group))
        return
    flag = threading.Event()  # set by the signal handler; the loop only reads it

    def stop(signum: int, frame: Any) -> None:
        flag.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous_stop, _stop = _stop, flag
    previous = signal.signal(signal.SIGINT, stop)
    try:
        for group in groups:
            if flag.is_set():
                break
            collect(work(group))
    finally:
        signal.signal(signal.SIGINT, previous)
        _stop = previous_stop
    if flag.is_set():
        raise KeyboardInterrupt


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies."""
    import ctypes
    import ctypes.util
    import signal

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere a worker finishes its group and then stops


def load_weasyprint() -> None:
    """WeasyPrint and the fonts, once per worker."""
    pdf.font_config()


def _start(stop: Any, parent: int, prepare: Callable[[], None] | None) -> None:
    import signal

    global _stop, _parent
    _stop, _parent = stop, parent
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if _parent_gone():  # it ended while this worker started: nobody waits for it
        os._exit(0)
    if prepare is not None:
        prepare()
    gc.freeze()  # what is loaded now lives as long as the worker
    gc.set_threshold(100_000, 50, 100)


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """A Ctrl-C during the block takes effect when it ends.

    Around what launches, stops or waits for workers: interrupted inside
    ``submit``, the pool loses track of a worker it has just forked (it
    hung, or said "cannot join thread"); this process then ended while that
    worker was still reading what it was sent, and the worker printed a
    traceback once this process's semaphores were gone. Elsewhere (validating
    rows, waiting for results) Ctrl-C interrupts at once.
    """
    import signal
    import threading

    previous = signal.getsignal(signal.SIGINT)
    if (
        threading.current_thread() is not threading.main_thread()  # not ours to handle
        or previous is None  # a handler Python did not install
        or previous is signal.SIG_IGN
    ):
        yield
        return
    held: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:
            signal.raise_signal(signal.SIGINT)  # to the handler it was meant for


def _start_fork_server() -> None:
    """Start the fork server deaf to Ctrl-C, importing dsr from where this process did.

    SIGINT stays blocked while the server starts: the mask survives exec and
    fork, so neither the server, while it loads WeasyPrint, nor a worker,
    before ``_start`` ignores the signal, can be interrupted; a Ctrl-C
    meanwhile waits for this process's handler. Python 3.11's fork server
    ignores the import path it is given (python/cpython#117378) and puts the
    current folder first: a ``weasyprint.py`` or ``dsr/`` there ran in it, and
    a ``python -S`` start found no dsr, so no quiet ``_fork_server`` either.
    It gets this process's path instead, and no current folder.
    """
    import signal
    import threading
    from multiprocessing import forkserver, resource_tracker

    # The fork server starts the resource tracker first, and CPython unblocks
    # SIGINT once the tracker runs: start it before blocking.
    resource_tracker.ensure_running()
    paths = [str(Path(__file__).resolve().parent.parent)]  # the folder holding this dsr
    paths += [os.path.abspath(p) for p in sys.path if p]  # "" is the current folder
    environment = {"PYTHONPATH": os.pathsep.join(dict.fromkeys(paths)), "PYTHONSAFEPATH": "1"}
    if threading.current_thread() is threading.main_thread():
        # The server dies with this process (``dsr._fork_server``), and its workers
        # with it: they hold its "alive" pipe, so it would not see this process end.
        # Only from the main thread: the kernel watches the thread that starts it.
        environment[PARENT_VARIABLE] = str(os.getpid())
    saved = {name: os.environ.get(name) for name in environment}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        os.environ.update(environment)
        forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def run_groups(
    work: Callable[[Group], Result],
    groups: Iterable[Group],
    jobs: int,
    collect: Callable[[Result], None],
    prepare: Callable[[], None] | None = load_weasyprint,
) -> None:
    """``collect(work(group))`` for every group, in ``jobs`` processes if more than one.

    ``work`` and ``prepare`` must be picklable (module-level functions or
    partials of them); ``prepare`` runs once in each worker as it starts
    (by default it loads WeasyPrint, which the fork server has imported).
    ``groups`` may be a generator (``dsr batch`` validates rows as it makes
    them): each group goes to a worker as soon as it is made, and results
    are collected in the parent as groups finish, between one group and the
    next as well as after the last. On Ctrl-C the groups
    under way are finished and collected, the others dropped, and
    KeyboardInterrupt is raised again. If a group fails (or its worker dies),
    no further group is started and the error is raised.
    """
    with fewer_collections():
        groups = iter(groups)
        first = list(islice(groups, 2))
        if jobs <= 1 or len(first) <= 1:
            _run_here(work, chain(first, groups), collect)
            return
        import multiprocessing

        # Workers come from a fork server: a fresh process that has imported
        # dsr (and WeasyPrint, if they need it), so they start fast and share
        # its pages. Forking this process instead would copy the state of
        # Typst's threads, if it ran Typst, without the threads, and a worker
        # would wait on them forever.
        methods = multiprocessing.get_all_start_methods()
        method = "forkserver" if "forkserver" in methods else "spawn"  # spawn: Windows
        context = multiprocessing.get_context(method)
        with _ctrl_c_held():
            if method == "forkserver":
                modules = ["dsr._fork_server", "dsr.workers", "dsr.batch", "dsr.kits"]
                if prepare is load_weasyprint:
                    modules.append("weasyprint")
                multiprocessing.set_forkserver_preload(modules)
                _start_fork_server()
            stop = context.Event()
            start = (stop, os.getpid(), prepare)
            pool = ProcessPoolExecutor(
                max_workers=jobs, mp_context=context, initializer=_start, initargs=start
            )
        try:
            futures: set[Future[Result]] = set()  # handed out, not yet collected
            finished: SimpleQueue[Future[Result]] = SimpleQueue()
            started = False  # a group has come back: the workers are running

            def collect_one() -> None:
                nonlocal started
                future = finished.get()
                collect(future.result())
                futures.discard(future)
                started = True

            try:
                for group in chain(first, groups):
                    with _ctrl_c_held():
                        future = pool.submit(work, group)
                        futures.add(future)
                        future.add_done_callback(finished.put)
                    # Until the workers are running, making more groups (validating
                    # rows) would only take the CPUs they start on.
                    while not finished.empty() or (not started and len(futures) >= jobs):
                        collect_one()
                while futures:
                    collect_one()
            except BaseException as error:  # Ctrl-C, or a worker that failed or died
                with _ctrl_c_held():
                    stop.set()
                    for future in futures:
                        future.cancel()
                if isinstance(error, KeyboardInterrupt):
                    for future in list(futures):
                        if not future.cancelled():
                            collect(future.result())
                raise
        finally:
            # Every worker has ended when this returns: none is left starting
            # up after this process has gone.
            with _ctrl_c_held():
                pool.shutdown()
