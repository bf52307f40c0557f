"""Letters made by many threads at once, as `dsr serve`'s worker threads make them
(issue 16, "A pitfall"): one Typst compiler shared by every thread failed with
"Already borrowed", and the pipeline then set the letter with WeasyPrint instead,
noted. Each thread now has its own compiler; WeasyPrint is checked the same way."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from dsr.formats import Engine, Format, WriteOptions
from dsr.inputs import parse_request
from dsr.pipeline import Made, document_of, make_letter
from tests.conftest import pdf_producer, pdf_text

THREADS = 8
LETTERS = 3  # per thread
KINDS = ("objection", "erasure", "access")
LANGUAGES = ("de", "fr", "es", "it", "pl", "nl", "pt", "en")


def member(thread: int, letter: int) -> dict[str, str]:
    """A member of their own, named so that their letter can be told from the others'."""
    surname = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[thread * LETTERS + letter]
    return {
        "kind": KINDS[letter % len(KINDS)],
        "jurisdiction": "DE",
        "name": f"Erika Thread{thread}Letter{letter} Muster{surname}",
        "address": f"Hauptstraße {thread + 1}{letter}, 10115 Berlin",
        "account-email": f"erika.t{thread}l{letter}@example.org",
        "lang": LANGUAGES[thread % len(LANGUAGES)],
        "date": "2026-11-22",
    }


def made_at_once(engine: Engine) -> dict[tuple[int, int], Made | BaseException]:
    """Every thread's letters, the threads released together."""
    options = WriteOptions(Format.PDF, engine)
    start = threading.Barrier(THREADS)
    results: dict[tuple[int, int], Made | BaseException] = {}

    def work(thread: int) -> None:
        start.wait()
        for letter in range(LETTERS):
            try:
                request = parse_request(member(thread, letter), today=date(2026, 11, 22))
                results[thread, letter] = make_letter(document_of(request), options)
            except BaseException as error:  # reported below, with the letter it stopped
                results[thread, letter] = error

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


@pytest.mark.parametrize("engine", [Engine.TYPST, Engine.WEASYPRINT])
def test_threads_set_their_own_letters_at_once(engine: Engine) -> None:
    results = made_at_once(engine)
    assert len(results) == THREADS * LETTERS
    failed = {key: repr(made) for key, made in results.items() if not isinstance(made, Made)}
    assert failed == {}
    # Set by the engine asked for: a Typst failure would be hidden by WeasyPrint's fallback.
    notes = {key: made.note for key, made in results.items() if isinstance(made, Made)}
    assert notes == dict.fromkeys(results, "")
    for (thread, letter), made in sorted(results.items()):
        assert isinstance(made, Made)
        assert made.warnings == ()
        assert pdf_producer(made.data).lower().startswith(engine.value)
        text = " ".join(pdf_text(made.data).split())
        own = member(thread, letter)
        assert own["name"] in text, (thread, letter)
        assert own["account-email"] in text, (thread, letter)
        others = [
            member(t, n)["name"]
            for t in range(THREADS)
            for n in range(LETTERS)
            if (t, n) != (thread, letter)
        ]
        assert [name for name in others if name in text] == [], (thread, letter)
