"""Round 23b (whole product, MEDIUM): a courtesy translation dropped from an e-mail
without a word, a PDF/UA-1 claim over untagged translated pages, an internal error for
a template without <body>, and follow-up errors naming options the command lacks.
Read as the member sees them: the e-mail's parts, the PDF's pages, the messages."""

from __future__ import annotations

import email
import json
from datetime import date, timedelta
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from dsr.cli import main

from .conftest import letter_args, pdf_text, with_values


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def test_an_e_mail_carries_its_courtesy_translation_in_body_and_pdf(tmp_path: Path) -> None:
    output = tmp_path / "t.eml"
    code, message = run(
        *letter_args("objection", "DE", "de", output, controller="openai"), "--also-lang", "fr"
    )
    assert code == 0, message
    parsed = email.message_from_bytes(output.read_bytes(), policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    german, _, french = text.partition("-" * 40)
    assert "Widerspruch" in german
    assert "opposition" in french.lower()
    (attachment,) = list(parsed.iter_attachments())
    pdf = tmp_path / "attached.pdf"
    pdf.write_bytes(attachment.get_content())
    pages = pdf_text(pdf).split("\f")
    assert any("Widerspruch" in page for page in pages)
    assert "opposition" in pages[-1].lower() or "opposition" in pages[-2].lower()


def test_annexes_follow_the_letter_and_its_translation(tmp_path: Path) -> None:
    from .test_attack_9 import annex_pdf

    annex = annex_pdf(tmp_path / "annex.pdf", "GOODANNEX")
    output = tmp_path / "c.pdf"
    code, message = run(
        *letter_args("complaint", "DE-BE", "de", output), "--also-lang", "en",
        "--enclose", str(annex),
    )  # fmt: skip
    assert code == 0, message
    pages = pdf_text(output).split("\f")
    pages = [page for page in pages if page.strip()]
    assert "GOODANNEX" in pages[-1]
    assert not any("GOODANNEX" in page for page in pages[:-1])


def test_pdf_ua_with_a_courtesy_translation_is_refused_not_claimed(tmp_path: Path) -> None:
    output = tmp_path / "ua.pdf"
    code, message = run(
        *letter_args("objection", "DE", "de", output), "--also-lang", "en",
        "--pdf-variant", "pdf/ua-1",
    )  # fmt: skip
    assert code == 2, message
    assert "Error: --also-lang:" in message
    assert not output.exists()
    alone = tmp_path / "alone.pdf"
    code, message = run(*letter_args("objection", "DE", "de", alone), "--pdf-variant", "pdf/ua-1")
    assert code == 0, message
    assert PdfReader(alone).trailer["/Root"].get("/StructTreeRoot") is not None


def test_a_template_without_body_and_a_translation_is_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "src"
    assert run("templates", "--source", "-o", str(source))[0] == 0
    base = source / "templates" / "base.html.jinja"
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("<body", "<div").replace("</body>", "</div>"), encoding="utf-8")
    output = tmp_path / "nb.html"
    code, message = run(
        *letter_args("objection", "DE", "de", output), "--template-dir", str(source),
        "--also-lang", "en",
    )  # fmt: skip
    assert code == 2, message
    assert "<body>" in message
    assert not output.exists()


def test_follow_up_errors_name_date_and_the_date_used(tmp_path: Path) -> None:
    gb = ["letter", "--kind", "access", "--jurisdiction", "GB", "--lang", "en",
          "--name", "Bob Brown", "--address", "1 High St, London SW1A 1AA",
          "--account-email", "bob@example.org", "--date", "2026-07-01",
          "-o", str(tmp_path / "a.txt")]  # fmt: skip
    code, message = run(*gb, "--track")
    assert code == 0, message
    code, message = run(
        "track", "remind", "1", "--date", "2026-07-31", "-o", str(tmp_path / "r.txt")
    )
    assert code == 2, message
    assert message.startswith(
        "Error: --date: 2026-07-31 (the letter's date; the request was sent 2026-07-01)"
    )
    assert "--request-date" not in message
    assert (
        run("track", "escalate", "1", "--date", "2026-08-01", "-o", str(tmp_path / "cc.txt"))[0]
        == 0
    )
    code, message = run(
        "track", "escalate", "1", "--date", "2026-07-31", "-o", str(tmp_path / "ico.txt")
    )
    assert code == 2, message
    assert "Error: --date: 2026-07-31" in message
    assert "--controller-complaint-date" not in message


# Round 24b #1 (HIGH): a letter dated before the controller began to train AI models
# said "since 3 November 2025 … has used its members' data" three months early.


def training_start() -> date:
    from dsr import registry

    controller = registry.controllers()["linkedin"]
    assert controller.ai_training_since is not None
    return controller.ai_training_since


@pytest.mark.parametrize("objection", ["objection", "art21"])
def test_no_letter_states_training_before_it_began(tmp_path: Path, objection: str) -> None:
    """Rounds 24b #1, 25b #3, 26b #1: each objection kind, and complaints about one."""
    since = training_start()
    before = (since - timedelta(days=30)).isoformat()
    args = letter_args(objection, "DE", "de", tmp_path / "o.txt")
    code, message = run(*with_values(args, date=before))
    assert code == 2, message
    assert f"Error: --date: {before} is before {since.isoformat()}" in message
    complaint = letter_args("complaint", "DE-BE", "de", tmp_path / "c.txt")
    after = (since + timedelta(days=60)).isoformat()
    code, message = run(
        *with_values(complaint, request_kind=objection, request_date=before, date=after)
    )
    assert code == 2, message
    assert f"Error: --request-date: {before} is before" in message
    # A complaint about an access request, dated before: the training is not stated.
    earlier = (since - timedelta(days=90)).isoformat()
    code, message = run(
        *with_values(complaint, request_kind="access", request_date=earlier, date=before)
    )
    assert code == 0, message
    assert "Seit dem" not in " ".join((tmp_path / "c.txt").read_text(encoding="utf-8").split())
    later = letter_args("complaint", "DE-BE", "de", tmp_path / "later.txt")
    code, message = run(*later)
    assert code == 0, message
    text = " ".join((tmp_path / "later.txt").read_text(encoding="utf-8").split())
    assert f"Seit dem {since.day}." in text


# Round 24b #2 (HIGH): on a data folder two members share, one could remove the other's
# tracked request (dsr itself advised it), and the owner was not told.


def test_a_request_sealed_by_another_member_is_not_removed_and_its_loss_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim_config = tmp_path / "victim-config"
    other_config = tmp_path / "other-config"
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(victim_config))
        code, message = run(*letter_args("objection", "DE", "de", tmp_path / "v.txt"), "--track")
        assert code == 0, message
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(other_config))
        own = letter_args("access", "DE", "de", tmp_path / "o.txt")
        code, message = run(*own, "--track")  # the other member's own request, 2
        assert code == 0, message
        code, message = run("track", "list")
        assert code == 0, message  # a shared folder's normal state: a note (round 35b)
        assert "other members', where members share this data folder" in message
        assert "--not-mine" in message
        code, message = run("track", "remove", "1", "--yes")
        assert code == 2, message
        assert "does not carry your seal" in message
        assert run("track", "remove", "1", "--yes", "--not-mine")[0] == 0
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(victim_config))
        code, message = run("track", "list")
        assert code == 2, message
        assert "request 1, which you tracked with your key" in message
        assert "no longer in that store" in message
        code, message = run("track", "remind", "1", "-o", str(tmp_path / "r.txt"))
        assert code == 2, message
        assert "no longer in that store" in message
        assert run("track", "remove", "1", "--yes")[0] == 0  # forgotten here too
        code, message = run("track", "list")
        assert "request 1" not in message
        assert "holds request 2, which dsr did not record with your key" in message


def test_adopt_names_another_member_s_request_as_theirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round 26b #2: a newcomer to a shared data folder was told to adopt the store, and
    adopt called a colleague's request only "changed by another program or person"."""
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path / "victim-config"))
        code, message = run(*letter_args("objection", "DE", "de", tmp_path / "v.txt"), "--track")
        assert code == 0, message
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path / "newcomer-config"))
        code, message = run("track", "list")
        assert code == 2, message
        assert "leave out the other members'" in message
        code, message = run("track", "adopt", "--yes")
        assert code == 2, message  # nothing is adopted by default
        assert "NOT sealed with your key, but with another: another member's request" in message
        assert "left out: dsr cannot check a request your key did not seal" in message
        code, message = run("track", "adopt", "--also", "1", "--yes")  # nor when named
        assert code == 2, message


# Round 24b #4: a PDF/A-3b letter claimed PDF/A over an annex that is not (fonts not
# embedded), and an annex's JavaScript ran in the recipient's viewer when its page opened.


def scripted_annex(path: Path, pdfa: bool = False) -> Path:
    import pikepdf

    from .test_attack_9 import annex_pdf

    annex_pdf(path, "SCRIPTED")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0].obj
        script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        page.AA = pikepdf.Dictionary(O=script)

        def annotation(row: int, action: object = None, subtype: str = "/Link") -> object:
            """An annotation in the page's ``row``th strip, with its action if any."""
            found = pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name(subtype),
                Rect=pikepdf.Array([0, 100 * row, 100, 100 * (row + 1)]),
            )  # fmt: skip
            if action is not None:
                found.A = action
            return found

        def uri(target: str, **more: object) -> object:
            return pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(target), **more)

        link = annotation(0, script)
        web = annotation(1, uri("https://example.org"))
        chained = annotation(2, uri("https://example.org/a", Next=script))
        scheme = annotation(3, uri("javascript:alert(1)"))
        attached = annotation(4, subtype="/FileAttachment")
        page.Annots = pdf.make_indirect(pikepdf.Array([link, web, chained, scheme, attached]))
        if pdfa:
            with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
                meta["pdfaid:part"] = "3"
                meta["pdfaid:conformance"] = "B"
        pdf.save(path)
    return path


def test_an_annex_s_scripts_are_dropped_and_its_links_kept(tmp_path: Path) -> None:
    annex = scripted_annex(tmp_path / "annex.pdf")
    output = tmp_path / "c.pdf"
    code, message = run(*letter_args("complaint", "DE-BE", "de", output), "--enclose", str(annex))
    assert code == 0, message
    last = PdfReader(output).pages[-1]
    assert "/AA" not in last
    actions = [a.get_object()["/A"]["/S"] for a in last.get("/Annots", [])]
    assert actions == ["/URI"]


def test_a_pdf_a_letter_holds_only_pdf_a_annexes(tmp_path: Path) -> None:
    plain = scripted_annex(tmp_path / "plain.pdf")
    output = tmp_path / "a.pdf"
    args = letter_args("complaint", "DE-BE", "de", output)
    code, message = run(*args, "--pdf-variant", "pdf/a-3b", "--enclose", str(plain))
    assert code == 2, message
    assert "is not a PDF/A file" in message
    assert not output.exists()
    # Round 25b #5: a PDF/A claim over fonts not embedded is no PDF/A file.
    claimed = scripted_annex(tmp_path / "claimed.pdf", pdfa=True)
    code, message = run(*args, "--pdf-variant", "pdf/a-3b", "--enclose", str(claimed))
    assert code == 2, message
    assert "fonts are not embedded" in message
    archival = tmp_path / "archival.pdf"  # a PDF/A-3b letter dsr wrote: fonts embedded
    code, message = run(
        *letter_args("objection", "DE", "de", archival), "--pdf-variant", "pdf/a-3b"
    )
    assert code == 0, message
    code, message = run(*args, "--pdf-variant", "pdf/a-3b", "--enclose", str(archival))
    assert code == 0, message
    assert len(PdfReader(output).pages) > len(PdfReader(archival).pages)


def test_a_kit_that_matches_nothing_says_what_there_is(tmp_path: Path) -> None:
    """Round 24b #5: `templates --jurisdiction GB --lang en` wrote 0 letters, exit 0.
    Issue 17 (L10): "en" is GB's en-GB, as dsr batch takes it; a language GB's kit
    has not is refused, naming those it has."""
    code, message = run(
        "templates", "-o", str(tmp_path / "k"), "--jurisdiction", "GB", "--lang", "en"
    )
    assert code == 0, message
    assert (tmp_path / "k" / "GB" / "objection-en-GB.pdf").exists()
    code, message = run(
        "templates", "-o", str(tmp_path / "fr"), "--jurisdiction", "GB", "--lang", "fr"
    )
    assert code == 2, message
    assert "no blank letter matches" in message
    assert "en-GB" in message
    assert not (tmp_path / "fr").exists()


# Round 25b #1 (HIGH): in a shared data folder, one member's `forget` deleted the store
# with the other's requests, and the other's `track list` then said "No tracked requests".


def test_forget_in_a_shared_data_folder_keeps_the_other_members_requests(
    tmp_path: Path, dsr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim, other = tmp_path / "victim-config", tmp_path / "other-config"
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(victim))
        assert run(*letter_args("objection", "DE", "de", tmp_path / "v.txt"), "--track")[0] == 0
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(other))
        assert run(*letter_args("access", "DE", "de", tmp_path / "o.txt"), "--track")[0] == 0
        code, message = run("forget", "--yes")
        assert code == 0, message
        assert "Kept the tracking store" in message
        assert "1 request dsr did not record with your key" in message
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(victim))
        code, message = run("track", "list", "--json")
        assert code == 0, message  # the victim's request 1 is there, and only it
        assert [row["id"] for row in json.loads(message)] == [1]
        (dsr_home / "tracking.sqlite3").unlink()  # removed behind dsr's back
        code, message = run("track", "list")
        assert code == 2, message
        assert "request 1, which you tracked with your key" in message


# Round 26b: an unembedded font hid in a form XObject or an annotation's appearance under
# a PDF/A claim; an action that is an array made pypdf fail as an internal error.


def claimed_pdfa(path: Path, build: str) -> Path:
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "3"
        meta["pdfaid:conformance"] = "B"
    page = pdf.pages[0].obj
    helvetica = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    drawing = pdf.make_stream(
        b"BT /F1 12 Tf 72 700 Td (ANNEX) Tj ET", Type=Name.XObject, Subtype=Name.Form,
        BBox=[0, 0, 595, 842], Resources=Dictionary(Font=Dictionary(F1=helvetica)),
    )  # fmt: skip
    if build == "xobject":
        page.Resources = Dictionary(XObject=Dictionary(X1=drawing))
        page.Contents = pdf.make_stream(b"q /X1 Do Q")
    elif build == "appearance":
        page.Annots = Array([pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.FreeText, Rect=[72, 700, 272, 730],
            Contents=String("ANNEX"), DA=String("/Helv 12 Tf 0 g"), AP=Dictionary(N=drawing),
        ))])  # fmt: skip
    else:  # an action that is an array, not a dictionary
        page.Annots = Array([pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=[72, 72, 200, 100], A=Array([Name.URI]),
        ))])  # fmt: skip
    pdf.save(path)
    return path


@pytest.mark.parametrize("build", ["xobject", "appearance"])
def test_fonts_in_xobjects_and_appearances_count_for_pdf_a(tmp_path: Path, build: str) -> None:
    annex = claimed_pdfa(tmp_path / f"{build}.pdf", build)
    output = tmp_path / "a.pdf"
    code, message = run(
        *letter_args("complaint", "DE-BE", "de", output), "--pdf-variant", "pdf/a-3b",
        "--enclose", str(annex),
    )  # fmt: skip
    assert code == 2, message
    assert "fonts are not embedded" in message
    assert not output.exists()


def test_an_annex_with_an_array_for_an_action_is_appended_without_that_link(
    tmp_path: Path,
) -> None:
    """pypdf failed on it (an internal error, then bad input); pikepdf reads it, and the
    link whose action is no dictionary is dropped like any action that is no plain link."""
    annex = claimed_pdfa(tmp_path / "array.pdf", "array-action")
    output = tmp_path / "c.pdf"
    code, message = run(*letter_args("complaint", "DE-BE", "de", output), "--enclose", str(annex))
    assert code == 0, message
    assert "internal error" not in message
    last = PdfReader(output).pages[-1]
    assert not last.get("/Annots")
