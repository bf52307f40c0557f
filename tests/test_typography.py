"""Each language's typesetting rules, read where a reader reads them.

Czech, Slovak and Polish letters never end a line with a one-letter
preposition or conjunction; Chinese letters never break a line inside a
citation; the text output wraps Chinese at the display width, two columns a
character. Checked on the PDF as ``pdftotext -layout`` lays it out (both
engines) and on the text output, over every line of the letter.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import re
import subprocess
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from dsr import pdf, typeset, typography
from dsr.cli import main
from dsr.composition import compose
from dsr.inputs import parse_request
from dsr.render import render_html, render_text, typeset_running_text
from tests.conftest import examples, mark_stack, pango_runs, printed_text

# language: (jurisdiction, name, address, situation in the language, one-letter words)
MEMBERS = {
    "cs": (
        "CZ",
        "Jana Nováková",
        "Národní 1, 110 00 Praha 1",
        "Jsem novinářka a chráním své zdroje i kontakty. V příspěvcích a zprávách s lidmi "
        "z redakce píšu o zdrojích, k nimž mám závazek u soudu i v práci.",
        "ksvzouai",
    ),
    "sk": (
        "SK",
        "Mária Horváthová",
        "Hlavná 1, 811 01 Bratislava",
        "Som novinárka a chránim svoje zdroje i kontakty. V príspevkoch a správach s ľuďmi "
        "z redakcie píšem o zdrojoch, k nim mám záväzok u súdu i v práci.",
        "ksvzouai",
    ),
    "pl": (
        "PL",
        "Anna Kowalska",
        "ul. Prosta 1, 00-850 Warszawa",
        "Jestem dziennikarką i chronię swoje źródła. W postach i wiadomościach z redakcji "
        "piszę o źródłach, a u mnie w pracy o ludziach z sądu.",
        "aiouwz",
    ),
}
HK = ("HK", "陳大文", "Flat 1, 1 Queens Road Central, Central")
WIDTH = 76  # the text output's width, in columns
TODAY = date(2026, 11, 22)


def request_values(language: str, kind: str) -> dict[str, Any]:
    if language == "zh-Hant":
        code, name, address = HK
        situation = "本人是記者，須保護消息來源。"  # noqa: RUF001
    else:
        code, name, address, situation, _ = MEMBERS[language]
    values: dict[str, Any] = {
        "kind": kind,
        "jurisdiction": code,
        "lang": language,
        "name": name,
        "address": address,
        "controller": "linkedin",
        "account-email": "member@example.org",
        "profile-url": "https://www.linkedin.com/in/member",
        "date": "2026-11-22",
    }
    if kind == "art21":
        values["situation"] = situation
    if kind == "complaint":
        values["request-date"] = "2026-09-01"
        values["request-kind"] = "objection"
    return values


def cli_letter(values: dict[str, Any], output: Path) -> Path:
    """``dsr letter`` with these values, written to ``output`` (its suffix names the format)."""
    args = ["letter"]
    for key, value in values.items():
        args += [f"--{key}", value]
    result = CliRunner().invoke(main, [*args, "-o", str(output)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return output


def typst_letter(values: dict[str, Any], output: Path) -> Path:
    """The same letter set by Typst, as ``dsr batch --engine typst`` sets it."""
    letter = compose(parse_request(values, today=TODAY))
    output.write_bytes(typeset.letter_pdf(render_html(letter)))
    return output


ENGINES: dict[str, Callable[[dict[str, Any], Path], Path]] = {
    "weasyprint": cli_letter,
    "typst": typst_letter,
}


def layout_lines(path: Path) -> list[str]:
    """The PDF's lines as ``pdftotext -layout`` lays them out, stripped, without blank ones."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    return [line.strip() for line in text.splitlines() if line.strip()]


def ends_with_one_letter_word(line: str, letters: str) -> bool:
    return (
        re.search(rf"(?:^|\s)[{letters}{letters.upper()}]$", line.replace("\u00a0", " "))
        is not None
    )


# Chinese citations as a reader takes them: a title in book-title marks, a
# provision, and the company's name.
CITATIONS = re.compile(
    r"《[^《》]*》|〈[^〈〉]*〉|第[0-9]+(?:\([0-9a-z]+\))*(?:條|原則|章)|LinkedIn\s?Corporation"
    r"|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日"
)


def breaks_inside_citations(lines: list[str]) -> list[str]:
    """Citations split across two lines, shown with ``|`` where the line breaks."""
    joined = ""
    breaks = []
    for line in lines:
        if joined:
            breaks.append(len(joined))
        joined += re.sub(r"\s+", " ", line)
    found = []
    for match in CITATIONS.finditer(joined):
        inside = [at for at in breaks if match.start() < at < match.end()]
        if inside:
            at = inside[0] - match.start()
            found.append(match.group()[:at] + "|" + match.group()[at:])
    return found


# Czech, Slovak, Polish: one-letter words never end a line --------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["art21", "complaint", "objection"])
@pytest.mark.parametrize("language", MEMBERS)
def test_no_line_ends_with_a_one_letter_word(
    language: str, kind: str, engine: str, tmp_path: Path
) -> None:
    letters = MEMBERS[language][4]
    path = ENGINES[engine](request_values(language, kind), tmp_path / f"{language}-{kind}.pdf")
    lines = layout_lines(path)
    assert len(lines) > 30  # the whole letter was read
    assert [line for line in lines if ends_with_one_letter_word(line, letters)] == []


@pytest.mark.parametrize("language", MEMBERS)
def test_text_output_ends_no_line_with_a_one_letter_word(language: str, tmp_path: Path) -> None:
    letters = MEMBERS[language][4]
    for kind in ("art21", "complaint"):
        text = cli_letter(request_values(language, kind), tmp_path / f"{kind}.txt").read_text()
        lines = [line for line in text.splitlines() if line]
        assert [line for line in lines if ends_with_one_letter_word(line, letters)] == []
        assert max(len(line) for line in lines) <= WIDTH


# Chinese: citations stay whole ---------------------------------------------------

HK_KINDS = ["objection", "access", "erasure", "complaint"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", HK_KINDS)
def test_no_line_breaks_inside_a_chinese_citation(kind: str, engine: str, tmp_path: Path) -> None:
    path = ENGINES[engine](request_values("zh-Hant", kind), tmp_path / f"{kind}.pdf")
    lines = layout_lines(path)
    text = "".join(lines)
    assert text.count("《個人資料(私隱)條例》") >= 3  # the citations are there to be checked
    assert breaks_inside_citations(lines) == []
    assert [line for line in lines if line[-1] in "《（「"] == []  # opening marks end none  # noqa: RUF001
    assert [line for line in lines if line[0] in "》）」，。、；："] == []  # closing start none  # noqa: RUF001


def columns(line: str) -> int:
    """The line's width in a monospaced text, measured with Unicode's East Asian Width."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def first_unit(line: str) -> str:
    """What a line starts with that could not be split: opening marks with what they
    open, then a citation (a provision with its schedule), or a character with the
    closing marks after it, or a Latin word."""
    opening = re.match(r"[（「(]*", line).group()  # type: ignore[union-attr]  # noqa: RUF001
    rest = line[len(opening) :]
    citation = re.match(rf"附表\d+(?:保障資料)?(?:{CITATIONS.pattern})|{CITATIONS.pattern}", rest)
    if citation:
        return opening + citation.group()
    wide = re.match(r"[^\x00-\u2e7f][》）」，。、；：！？]*", rest)  # noqa: RUF001
    if wide:
        return opening + wide.group()
    return opening + re.match(r"[^\s\u2e80-\uffff]+", rest).group()  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", HK_KINDS)
def test_chinese_text_output_wraps_every_paragraph_at_the_display_width(
    kind: str, tmp_path: Path
) -> None:
    text = cli_letter(request_values("zh-Hant", kind), tmp_path / f"{kind}.txt").read_text()
    assert "\u2060" not in text  # no invisible joiner is left in what the member pastes
    paragraphs: list[list[str]] = []  # paragraphs and list items, each a list of lines
    for block in text.split("\n\n"):
        for line in block.splitlines():
            if not paragraphs or line.startswith("- ") or re.match(r"\d+\. ", line) or not block:
                paragraphs.append([])
            paragraphs[-1].append(line)
        paragraphs.append([])
    paragraphs = [lines for lines in paragraphs if lines]
    assert sum(len(lines) > 1 for lines in paragraphs) >= 3  # long paragraphs were wrapped
    for lines in paragraphs:
        for line in lines:
            # Wider only where nothing could break: one web address.
            assert columns(line) <= WIDTH or not re.search(r"[\s\u2e80-\uffff]", line), line
        for line, following in itertools.pairwise(lines):
            unit = first_unit(following)
            latin_gap = not re.search(r"[\u2e80-\uffff]", line[-1] + unit[0])
            # Filled: the next line's first unit did not fit on this one.
            assert columns(line) + latin_gap + columns(unit) > WIDTH, (line, following)
    assert breaks_inside_citations(text.splitlines()) == []
    assert re.search(r"LinkedIn\sCorporation", text)


def test_e_mail_body_follows_the_rules(tmp_path: Path) -> None:
    """The .eml's text part is the text output: bound in Czech, wrapped in Chinese."""
    for language, kind in (("cs", "complaint"), ("zh-Hant", "objection")):
        # An e-mail goes only to a company that publishes an address (OpenAI does).
        values = {**request_values(language, kind), "controller": "openai"}
        message = email.message_from_bytes(
            cli_letter(values, tmp_path / f"{language}.eml").read_bytes(),
            policy=email.policy.default,
        )
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        lines = [line for line in body.get_content().splitlines() if line]
        assert len(lines) > 10
        assert [line for line in lines if ends_with_one_letter_word(line, "ksvzouai")] == []
        assert [line for line in lines if columns(line) > WIDTH and " " in line] == []
        assert breaks_inside_citations(lines) == []
        assert "\u2060" not in body.get_content()


# The rules change whitespace only -------------------------------------------------


def without_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typography, "has_rules", lambda language: False)


@pytest.mark.parametrize(("language", "kind"), [("cs", "art21"), ("zh-Hant", "complaint")])
def test_the_rules_change_no_printed_character(
    language: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both engines print the same characters with and without the rules.

    pdftotext shows a no-break space as a space; a word joiner would show as
    a character of its own (printed_text drops only white space).
    """
    letter = compose(parse_request(request_values(language, kind), today=TODAY))
    ruled = render_html(letter)
    with monkeypatch.context() as patch:
        without_rules(patch)
        plain = render_html(letter)
    assert ruled != plain  # the rules did something in this letter
    texts = {}
    for name, document in (("ruled", ruled), ("plain", plain)):
        typst_file = tmp_path / f"{name}-typst.pdf"
        weasy_file = tmp_path / f"{name}-weasy.pdf"
        typst_file.write_bytes(typeset.letter_pdf(document))
        weasy_file.write_bytes(pdf.html_to_pdf(document)[0])
        texts[name] = (printed_text(typst_file), printed_text(weasy_file))
    assert texts["ruled"] == texts["plain"]


def test_rules_touch_only_text_between_tags() -> None:
    document = (
        '<html><body><header class="a b" data-x="s v">k domu</header><main>'
        '<p class="a i" title="a b">Zpráva k <strong>trénování</strong> a&#39;s a <a href="/a z">'
        "odkaz</a></p><style>p a { color: red }</style></main></body></html>"
    )
    result = typeset_running_text(document, "cs")
    assert result == document.replace("k <strong>", "k\u00a0<strong>").replace(
        "a <a href", "a\u00a0<a href"
    )


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(
        st.sampled_from(list("aksvzwiou AKVZ.,(《》第條原則123 LinkedInCorporation個人資料\n"))
    ),
    language=st.sampled_from(["cs", "sk", "pl", "zh-Hant", "de"]),
)
def test_rules_change_whitespace_kind_only(text: str, language: str) -> None:
    """The only changes: a space becomes a no-break space, or a word joiner is added;
    in Chinese, white space between two wide characters is dropped."""
    typeset_text = typography.apply(text, language)
    expected = text
    if language == "zh-Hant":
        expected = re.sub(
            r"(?<=\S)[ \t\r\n]+(?=\S)",
            lambda m: (
                "" if wide(m.string[m.start() - 1]) and wide(m.string[m.end()]) else m.group()
            ),
            text,
        )
    assert typography.strip_joiners(typeset_text).replace("\u00a0", " ") == expected.replace(
        "\u00a0", " "
    )


def wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


@pytest.mark.parametrize("kind", ["reminder", "art21", "complaint"])
def test_chinese_sets_no_space_between_sentences(kind: str, tmp_path: Path) -> None:
    """Template white space between two Chinese sentences or words is not printed."""
    values = request_values("zh-Hant", kind)
    if kind == "reminder":
        values |= {"request-date": "2026-09-01", "request-kind": "erasure"}
    if kind == "art21":
        values |= {
            "jurisdiction": "IE",
            "address": "1 Grafton Street, Dublin 2, D02 XY12",
            "situation": "本人是記者，須保護消息來源。本人的帖文和訊息載有可識別消息來源的細節。",  # noqa: RUF001
        }
    text = cli_letter(values, tmp_path / "letter.txt").read_text(encoding="utf-8")
    joined = re.sub(r"\n(?=\S)", "", text)  # the wrapping's own line breaks
    spaced = [
        joined[m.start() - 2 : m.end() + 2]
        for m in re.finditer(r"(?<=\S) +(?=\S)", joined)
        if wide(joined[m.start() - 1]) and wide(joined[m.end()])
    ]
    assert spaced == []


def test_a_chinese_address_is_not_followed_by_its_country_again(tmp_path: Path) -> None:
    values = request_values("zh-Hant", "erasure") | {"address": "香港中環皇后大道中12號"}
    lines = layout_lines(cli_letter(values, tmp_path / "letter.pdf"))
    return_line = next(line for line in lines if line.startswith("陳大文 ·"))
    assert return_line.count("香港") == 1, return_line


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        st.sampled_from(list("ab cd  個人資料，。《》（）\u00a0\u2060LinkedIn")),  # noqa: RUF001
        max_size=120,
    ),
    width=st.integers(min_value=4, max_value=40),
)
def test_wrapped_lines_keep_the_text_and_fit(text: str, width: int) -> None:
    lines = typography.wrap(text, width)
    # Lines break only at spaces (dropped) or between characters: nothing else is lost.
    assert "".join(lines).replace(" ", "") == "".join(text.split(" ")).replace(" ", "")
    for line in lines:
        pieces = typography._pieces(line)
        assert typography.display_width(line) <= width or len(pieces) == 1, (line, pieces)
        assert not line.startswith(tuple(typography.NO_BREAK_BEFORE)) or line == lines[0]


def test_chinese_characters_take_two_columns() -> None:
    assert typography.display_width("個人資料") == 8
    assert typography.display_width("LinkedIn") == 8
    assert typography.display_width("《》，") == 6  # noqa: RUF001
    assert typography.wrap("本人要求貴公司立即停止使用本人的個人資料。", 10) == [
        "本人要求貴",
        "公司立即停",
        "止使用本人",
        "的個人資",
        "料。",
    ]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("language", ["cs", "it", "pl", "de", "fr", "hu", "el"])
def test_the_reference_is_never_split(language: str, engine: str, tmp_path: Path) -> None:
    """The reference in the subject line stays on one line, hyphen and all."""
    values = request_values("cs", "objection") | {"lang": language, "reference": "2026-BHE069K"}
    lines = layout_lines(ENGINES[engine](values, tmp_path / "letter.pdf"))
    # Wherever the reference is printed (subject, info block, running header),
    # it is whole: no line ends in its first part or holds only its second.
    parts = [line for line in lines if "HE069K" in line or re.search(r"2026-B?$", line)]
    assert parts, lines[:30]
    assert all("2026-BHE069K" in line for line in parts), parts


# No rule makes a run no line can break wider than a line (attack review 3, finding 6) -----

LINE_EMS = (160 - 9) * typeset.MM / 10.5  # the body's narrowest line (the quote), in em
# Pieces of text for the rules to work on: one-letter words, citations, Latin
# names, Chinese, characters that hold on to their neighbour without a space,
# combining marks, glyphs two to eight ems wide, white space of every kind.
PIECES = [
    "a", "v", "k", "s", "z", "o", "u", "i", "w", "A", "V", "Z", "W", "Praze", "konec", "tom",
    "﷽", "⸻", "WWWWWW", "(", ")", "„", "“", "«", "»", ",", ".", "-", "/", "AT&T", "LinkedIn",
    "Corporation", "漢", "個人資料", "《", "》", "〈", "〉", "（", "）", "。", "，", "第2(3)條",  # noqa: RUF001
    "附表1", "第", "條", "2026年12月7日", "ー", "：", "％", "＄", "〪", "\u3000", "\u0301",  # noqa: RUF001
    " ", " ", " ", " ", "  ", "\n", "\u00a0",
]  # fmt: skip
RULE_TEXT = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)


def widest(runs: list[str]) -> float:
    return max((typeset.ems(typography.strip_joiners(run)) for run in runs), default=0.0)


@settings(max_examples=examples(300), deadline=None)
@given(text=RULE_TEXT, language=st.sampled_from(["cs", "sk", "pl", "zh-Hant"]))
@example(text="Situace: " + "a " * 400 + "konec.", language="cs")
@example(text="W sprawie " + "i " * 300 + "koniec.", language="pl")
@example(text="《" + "﷽ " * 5 + "﷽》", language="zh-Hant")
@example(text="本人" + " ー" * 100, language="zh-Hant")
@example(text="本人" + " ：" * 100, language="zh-Hant")  # noqa: RUF001
@example(text="本人 〪 〪 〪 〪 〪 〪", language="zh-Hant")
def test_no_rule_makes_a_run_wider_than_a_line(text: str, language: str) -> None:
    """Text a line can break every quarter line is still broken within a line after the
    rules, and no character carries more marks: where lines may break is Pango's word."""
    before = pango_runs(text, language)
    assume(widest(before) <= LINE_EMS / 4)
    typeset_text = typography.apply(text, language)
    after = pango_runs(typeset_text, language)
    assert widest(after) <= LINE_EMS, max(after, key=lambda run: typeset.ems(run))
    assert mark_stack(typeset_text) <= mark_stack(text), typeset_text


def test_a_czech_chain_of_one_letter_words_stays_in_the_text_output(tmp_path: Path) -> None:
    """Attack review 3, finding 6: "a a a ..." (400 times) made one line of 1,206 columns."""
    values = request_values("cs", "art21") | {"situation": "Situace: " + "a " * 400 + "konec."}
    letter = compose(parse_request(values, today=date(2026, 11, 22)))
    text = render_text(letter)
    assert "Situace:" in text
    assert max(typography.display_width(line) for line in text.splitlines()) <= 76
