"""Findings 13-17 of the December 2026 law review (Quebec, Hong Kong, California).

Every test renders letters through the CLI to .txt and reads the text a
reader sees.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dsr import registry
from dsr.cli import main

MEMBERS = {
    "CA-QC": "1000 rue Sherbrooke Ouest, Montréal QC H3A 3G4",
    "HK": "Flat 1, 1 Queen's Road Central, Central",
    "US-CA": "1 Market Street, San Francisco, CA 94105",
}
KINDS = ["objection", "erasure", "access", "complaint"]


def invoke(tmp_path: Path, kind: str, jurisdiction: str, lang: str, *extra: str) -> Result:
    out = tmp_path / f"{kind}-{jurisdiction}-{lang}.txt"
    args = [
        "letter", "--kind", kind, "--jurisdiction", jurisdiction, "--controller", "linkedin",
        "--name", "Alex Example", "--address", MEMBERS[jurisdiction],
        "--account-email", "alex@example.org", "--lang", lang, "--date", "2026-11-22",
        "-o", str(out), "--force", *extra,
    ]  # fmt: skip
    if kind == "complaint" and "--request-kind" not in extra:
        args += ["--request-kind", "objection"]
    if kind == "complaint":
        args += ["--request-date", "2026-10-01"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def text_of(tmp_path: Path, kind: str, jurisdiction: str, lang: str, *extra: str) -> str:
    """The letter as text, whitespace (line breaks, no-break spaces) collapsed."""
    invoke(tmp_path, kind, jurisdiction, lang, *extra)
    raw = (tmp_path / f"{kind}-{jurisdiction}-{lang}.txt").read_text("utf-8")
    return " ".join(raw.split())


# --- 13. California: a sworn complaint through the CPPA's form ------------------


@pytest.mark.parametrize("request_kind", ["objection", "erasure", "access"])
@pytest.mark.parametrize("outcome", ["none", "refused", "insufficient"])
def test_cppa_complaint_is_a_sworn_complaint_asking_for_notice(
    tmp_path: Path, request_kind: str, outcome: str
) -> None:
    text = text_of(
        tmp_path, "complaint", "US-CA", "en", "--request-kind", request_kind, "--outcome", outcome
    )
    assert "Under Cal. Civ. Code § 1798.199.45(a), I submit this complaint" in text
    assert "I make it as a sworn complaint (Cal. Civ. Code § 1798.199.45(a))" in text
    assert (
        "Notify me in writing of the action, if any, the Agency takes or plans to take on this "
        "complaint, and of the reasons for that action or nonaction "
        "(Cal. Civ. Code § 1798.199.45(b))"
    ) in text
    assert "does not represent individual consumers" in text
    assert "Inform me of the progress" not in text


def test_cppa_complaint_goes_to_the_form_not_the_general_mailbox(tmp_path: Path) -> None:
    result = invoke(tmp_path, "complaint", "US-CA", "en", "--mailto")
    assert "info@cppa.ca.gov" not in result.output
    assert "https://cppa.ca.gov/webapplications/complaint" in result.output
    cppa = registry.authorities()["uscppa"]
    assert cppa.email is None
    assert cppa.webform == "https://cppa.ca.gov/webapplications/complaint"


# --- 14. Quebec: a refused access request goes to the CAI under s.42 -----------


@pytest.mark.parametrize("outcome", ["none", "refused", "insufficient"])
def test_cai_letter_about_access_is_an_application_under_s42(tmp_path: Path, outcome: str) -> None:
    text = text_of(
        tmp_path, "complaint", "CA-QC", "en", "--request-kind", "access", "--outcome", outcome
    )
    assert text.startswith(
        "Application for the examination of a disagreement with LinkedIn Corporation "
        "(s. 42 of the Private Sector Act)"
    )
    assert (
        "Under s. 42 of the Private Sector Act, I submit to the Commission an application for "
        "the examination of a disagreement"
    ) in text
    assert "concerning access to my personal information" in text
    assert (
        "must be submitted within 30 days of the refusal or of the expiry of the time limit "
        "(s. 43 of the Private Sector Act)"
    ) in text
    assert "order LinkedIn Corporation to communicate my personal information to me" in text
    if outcome == "none":
        # request of 1 October 2026, 30 days under s.32: deemed refused on 31 October
        assert "deemed to be a refusal" in text
        assert "here the time limit expired on October 31, 2026" in text


def test_cai_letter_about_erasure_is_an_application_about_rectification(tmp_path: Path) -> None:
    text = text_of(tmp_path, "complaint", "CA-QC", "en", "--request-kind", "erasure")
    assert "(s. 42 of the Private Sector Act)" in text
    assert "concerning the rectification of my personal information" in text
    assert "(s. 43 of the Private Sector Act)" in text


def test_cai_letter_in_french_cites_s42_and_s43(tmp_path: Path) -> None:
    text = text_of(tmp_path, "complaint", "CA-QC", "fr", "--request-kind", "access")
    assert "article 42 de la Loi sur le privé" in text
    assert "article 43 de la Loi sur le privé" in text


def test_cai_complaint_about_an_objection_stays_under_s81(tmp_path: Path) -> None:
    text = text_of(tmp_path, "complaint", "CA-QC", "en", "--request-kind", "objection")
    assert text.startswith(
        "Complaint against LinkedIn Corporation (s. 81 of the Private Sector Act)"
    )
    assert "s. 42 of the Private Sector Act" not in text


# --- 15. Quebec: s.30, the person concerned proves it ---------------------------


@pytest.mark.parametrize("kind", ["access", "erasure"])
def test_quebec_request_meets_s30(tmp_path: Path, kind: str) -> None:
    text = text_of(tmp_path, kind, "CA-QC", "en")
    assert (
        "I make this request in writing as the person concerned (s. 30 of the Private Sector Act)"
        in text
    )
    assert (
        "will confirm this request from within my account or from the e-mail address registered with it"
        in text
    )
    assert "I do not enclose a copy of an identity document" in text
    assert "addressed to the person in charge of the protection of personal information" in text


def test_quebec_access_questions_are_questions(tmp_path: Path) -> None:
    text = text_of(tmp_path, "access", "CA-QC", "en")
    assert "Please tell me in particular" not in text
    assert "They go beyond what s. 27 of the Private Sector Act requires" in text
    assert text.index("They go beyond") < text.index("which training datasets contain")
    assert "Under s. 8 of the Private Sector Act, please also inform me" in text


def test_quebec_erasure_asks_for_the_s35_attestation(tmp_path: Path) -> None:
    text = text_of(tmp_path, "erasure", "CA-QC", "en")
    assert "an attestation of the deletion (s. 35 of the Private Sector Act)" in text
    assert (
        "failure to reply within that time is deemed a refusal (s. 32 of the Private Sector Act)"
        in text
    )
    assert "which recipients you have notified" not in text


def test_quebec_objection_gives_opinion_as_opinion(tmp_path: Path) -> None:
    text = text_of(tmp_path, "objection", "CA-QC", "en")
    assert (
        "In my view, a setting that allows the use of personal information for AI training" in text
    )
    assert "are achieved (s. 23 of the Private Sector Act)" in text


# --- 16. Hong Kong: s.18 gives (a) whether data are held and (b) a copy ---------


def test_hk_access_asks_the_further_questions_as_questions(tmp_path: Path) -> None:
    text = text_of(tmp_path, "access", "HK", "en")
    assert (
        "I request to be informed whether LinkedIn Corporation holds personal data of which I am "
        "the data subject and, if so, to be supplied with a copy of that data."
    ) in text
    assert "Please tell me in particular" not in text
    assert "They are not part of my data access request under s. 18 PDPO" in text
    assert text.index("They are not part") < text.index("which training datasets contain")


def test_hk_access_in_chinese_no_longer_asks_in_particular(tmp_path: Path) -> None:
    text = text_of(tmp_path, "access", "HK", "zh-Hant")
    assert "請特別告知本人" not in text  # the old "Please tell me in particular"
    assert text.count("《個人資料(私隱)條例》第18條") >= 2


# --- 17. Hong Kong: the Ordinance in full at its first mention -----------------

FULL = {
    "en": "Personal Data (Privacy) Ordinance (Cap. 486)",
    "zh-Hant": "《個人資料(私隱)條例》(第486章)",
}
SHORT = {"en": ("PDPO", "Ordinance"), "zh-Hant": ("《個人資料(私隱)條例》", "條例")}


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
@pytest.mark.parametrize("kind", KINDS)
def test_hk_letters_name_the_ordinance_in_full_first(tmp_path: Path, kind: str, lang: str) -> None:
    text = text_of(tmp_path, kind, "HK", lang)
    if lang == "zh-Hant":
        text = re.sub(r"\s+", "", text)
    full = FULL[lang]
    assert full in text, text[:400]
    first_full = text.index(full)
    for short in SHORT[lang]:
        assert text.index(short) >= first_full, (short, text[:400])


# --- the rest of the review: statements the statutes support -------------------


def test_hk_erasure_states_the_all_practicable_steps_duty(tmp_path: Path) -> None:
    text = text_of(tmp_path, "erasure", "HK", "en")
    assert "You must take all practicable steps to erase personal data no longer required" in text
    assert "which recipients you have notified" not in text


def test_ccpa_erasure_asks_for_notification_of_the_need_to_delete(tmp_path: Path) -> None:
    text = text_of(tmp_path, "erasure", "US-CA", "en")
    assert "direct its service providers" not in text
    assert (
        "notify its service providers and contractors, and the third parties to which it has "
        "sold or shared that information, of the need to delete it"
    ) in text


def test_ccpa_access_asks_about_ai_as_a_question(tmp_path: Path) -> None:
    text = text_of(tmp_path, "access", "US-CA", "en")
    # US English (the letter to a Californian): the serial comma.
    assert (
        "(I ask in particular whether these purposes include developing, training, or improving AI models)"
        in text
    )


def test_registry_records_the_new_provisions_with_sources() -> None:
    provisions = registry.provisions()
    for key in (
        "qc.35",
        "qc.42",
        "qc.43",
        "qc.44",
        "qc.55",
        "ccpa.1798.199.45.a",
        "ccpa.1798.199.45.b",
    ):
        assert provisions[key].sources, key
        assert str(provisions[key].last_verified) == "2026-12-07", key
    families = registry.law_families()
    assert families["qc"].roles["disagreement"] == "qc.42"
    assert families["qc"].roles["disagreement_time"] == "qc.43"
    assert families["ccpa"].roles["complaint"] == "ccpa.1798.199.45.a"
