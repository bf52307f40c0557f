"""Issue 17's kits: labelled blanks, the fillable kit's index, --lang in any case, an
empty selection refused, progress off a terminal, templates compiled once."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from dsr import layout
from dsr.cli import main
from dsr.i18n import translations
from dsr.render import environment
from tests.conftest import pdf_text
from tests.test_window import ZONE_BOTTOM, ZONE_TOP, crop


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def flat(text: str) -> str:
    return " ".join(text.split())


def words(language: str, *msgids: str) -> list[str]:
    """The letters' catalog's words for ``msgids`` in ``language`` (English until translated)."""
    return [translations(language).gettext(msgid) for msgid in msgids]


LABELS = ("Name", "Street and number", "Postcode and town", "Place")


def test_blank_lines_are_labelled_in_the_letters_language_outside_the_window(
    tmp_path: Path,
) -> None:
    out = tmp_path / "kit"
    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "FR", "--jurisdiction", "DE",
        "--kind", "objection", "--lang", "fr", "--lang", "de",
    )  # fmt: skip
    assert code == 0, output
    for path, language in (
        (out / "FR/objection-fr.pdf", "fr"),
        (out / "DE/objection-de.pdf", "de"),
    ):
        text = pdf_text(path)
        name, street, town, place = words(language, *LABELS)
        lines = text.splitlines()
        # Each label stands before its dotted line, in the letterhead and under the signature.
        assert lines[0].startswith(f"{name} …"), lines[:3]
        assert lines[1].startswith(f"{street} …"), lines[:3]
        assert lines[2].startswith(f"{town} …"), lines[:3]
        assert re.search(rf"^{re.escape(place)} …+,? ", text, re.MULTILINE), text[:600]
        assert sum(line.startswith(f"{name} …") for line in lines) == 2  # letterhead, signature
        # The window (return line and recipient) holds no label: it is the sender's dots
        # and the company's address only.
        window = layout.current().sections["window"]["left"]
        seen = crop(path, window["left_mm"], ZONE_TOP, window["width_mm"], ZONE_BOTTOM - ZONE_TOP)
        assert "LinkedIn Ireland Unlimited Company" in seen
        assert "…" in seen
        for label in (name, street, town, place):
            assert not re.search(rf"{re.escape(label)}\s*…", seen), (path, label, seen)


def test_fillable_kit_index_says_on_screen_and_the_printed_kit_by_hand(tmp_path: Path) -> None:
    by_hand = "Print a letter, fill in the blanks by hand, sign it and send it by post."
    on_screen = (
        "Open a letter, fill in its fields on screen, then print it, sign it and send it by post."
    )
    for language in ("es", "de"):
        plain, fillable = tmp_path / f"plain-{language}", tmp_path / f"fillable-{language}"
        common = ["--jurisdiction", "ES", "--kind", "art21", "--lang", "es"]
        common += ["--index-lang", language]
        assert invoke("templates", "-o", str(plain), *common)[0] == 0
        code, output = invoke("templates", "-o", str(fillable), *common, "--fillable")
        assert code == 0, output
        hand, screen = words(language, by_hand, on_screen)
        assert hand != screen
        plain_index = flat((plain / "index.html").read_text("utf-8"))
        fillable_index = flat((fillable / "index.html").read_text("utf-8"))
        assert hand in plain_index
        assert screen not in plain_index
        assert screen in fillable_index
        assert hand not in fillable_index
        assert f'<html lang="{language}">' in fillable_index
    assert "a mano" in flat((tmp_path / "plain-es" / "index.html").read_text("utf-8"))
    # The fillable letter keeps its labels beside its form fields.
    name, street, town, place = words("es", *LABELS)
    text = pdf_text(tmp_path / "fillable-es" / "ES" / "art21-es.pdf")
    assert all(label in text for label in (name, street, town, place)), text[:400]


def test_the_index_names_every_kind(tmp_path: Path) -> None:
    out = tmp_path / "kit"
    code, output = invoke("templates", "-o", str(out), "--jurisdiction", "GB", "--lang", "en-GB")
    assert code == 0, output
    index = flat((out / "index.html").read_text("utf-8"))
    for kind_name in (
        "Reminder of an earlier request",
        "Complaint to the company",
        "Complaint to the authority",
        "Access request",
    ):
        assert index.count(kind_name) == 1, kind_name


def test_lang_and_jurisdiction_in_any_case(tmp_path: Path) -> None:
    out = tmp_path / "es"
    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "es", "--lang", "ES", "--kind", "access",
        "--index-lang", "ES",
    )  # fmt: skip
    assert code == 0, output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf")) == ["ES/access-es.pdf"]
    assert "Solicitud de acceso (artículo 15.1 del RGPD)" in flat(
        pdf_text(out / "ES/access-es.pdf")
    )
    assert '<html lang="es">' in (out / "index.html").read_text("utf-8")
    # A regional form is named as such (GB's letters are en-GB): the refusal says so.
    code, output = invoke(
        "templates", "-o", str(tmp_path / "gb"), "--jurisdiction", "gb", "--lang", "EN"
    )
    assert code == 2
    assert output.splitlines()[-1] == "Error: --lang: GB's kit has its letters in en-GB"
    code, output = invoke(
        "templates", "-o", str(tmp_path / "gb"), "--jurisdiction", "gb", "--lang", "EN_gb"
    )
    assert code == 0, output
    assert (tmp_path / "gb" / "GB" / "objection-en-GB.pdf").exists()


def test_an_empty_selection_says_why_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "kit"
    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "DE", "--kind", "complaint"
    )
    assert code == 2
    lines = output.splitlines()
    assert lines[0] == (
        "Error: no blank letter matches --kind complaint --jurisdiction DE; nothing was written"
    )
    assert lines[1].startswith(
        "Error: --kind complaint: in DE, complaints go to the authority of the member's region; "
        "use --jurisdiction with one of DE-BW, DE-BY, "
    ), lines[1]
    assert "Wrote" not in output
    assert "Traceback" not in output
    assert not out.exists()

    code, output = invoke("templates", "-o", str(out), "--jurisdiction", "de", "--lang", "ES")
    assert code == 2
    assert output.splitlines() == [
        "Error: no blank letter matches --jurisdiction DE --lang es; nothing was written",
        "Error: --lang: DE's kit has its letters in de, en",
    ]
    assert not out.exists()

    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "DE-BY", "--kind", "erasure"
    )
    assert code == 2
    assert output.splitlines()[1] == (
        "Error: --kind erasure: DE-BY's kit holds only complaints to its own authority; "
        "its other letters are DE's: use --jurisdiction DE"
    )
    assert not out.exists()


def test_progress_lines_off_a_terminal(tmp_path: Path) -> None:
    """CliRunner is no terminal: plain lines, each a count of the total, ending at it."""
    out = tmp_path / "kit"
    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "FR", "--jurisdiction", "PL", "--jobs", "1"
    )
    assert code == 0, output
    written = len(list(out.rglob("*.pdf")))
    assert written == 24
    progress = [line for line in output.splitlines() if line.startswith("Written ")]
    assert len(progress) >= 2, output
    found = [re.fullmatch(r"Written (\d+) of 24 blank letters", line) for line in progress]
    counts = [int(match.group(1)) for match in found if match is not None]
    assert len(counts) == len(progress), progress
    assert counts == sorted(counts)
    assert counts[-1] == 24
    assert output.splitlines()[-1] == f"Wrote 24 blank letters and index.html to {out}"


def test_languages_share_compiled_templates_but_a_template_folder_does_not(
    tmp_path: Path,
) -> None:
    """A kit's 30 languages compile each template once (render.environment)."""
    german = environment("de", None).get_template("letters/objection.html.jinja")
    greek = environment("el", None).get_template("letters/objection.html.jinja")
    assert german is not greek
    assert german.root_render_func.__code__ is greek.root_render_func.__code__
    folder = tmp_path / "templates"
    folder.mkdir()
    own = environment("de", folder)
    assert own.bytecode_cache is None
    assert own.get_template("letters/objection.html.jinja").root_render_func.__code__ is not (
        german.root_render_func.__code__
    )
