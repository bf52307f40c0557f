"""Rebuild dsr/data/authorities.json from ../shared/reference/authorities.json.

The shared file is a researcher's compilation of datarequests.org records
(CC0). This script keeps each fact's provenance: every record carries its
`sources` and `last_verified` (the date its source record was last changed),
and the overrides below say why they differ from the source.

    python scripts/import_authorities.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "reference" / "authorities.json"
TARGET = ROOT / "dsr" / "data" / "authorities.json"

LAENDER = {
    "debawueldb": "DE-BW",
    "debaylda": "DE-BY",
    "deberlbdi": "DE-BE",
    "debralda": "DE-BB",
    "debrelfdi": "DE-HB",
    "dehessbdi": "DE-HE",
    "dehmbbfdi": "DE-HH",
    "demvldi": "DE-MV",
    "dendslfd": "DE-NI",
    "denrwldi": "DE-NW",
    "derlpbdi": "DE-RP",
    "desaarudz": "DE-SL",
    "desaechsdsb": "DE-SN",
    "desalbd": "DE-ST",
    "deshuld": "DE-SH",
    "detlfdi": "DE-TH",
}

# Names whose source string is not the authority's own official name.
NAME_OVERRIDES = {
    "iedpc": ("Data Protection Commission", "the DPC's own name (dataprotection.ie)"),
    "frcnil": (
        "Commission nationale de l'informatique et des libertés (CNIL)",
        "English gloss dropped; CNIL's own capitalisation (cnil.fr)",
    ),
    "gbico": ("Information Commissioner's Office", "leading article dropped, ASCII apostrophe"),
}

# Complaint languages the source leaves empty: the authority's official languages.
OFFICIAL_AS_COMPLAINT = {"BE", "LU", "RO"}

COUNTRY_NAMES = {
    "Österreich",
    "Belgium",
    "Bulgaria",
    "Croatia",
    "Cyprus",
    "Czech Republic",
    "Denmark",
    "Estonia",
    "Finland",
    "France",
    "Deutschland",
    "Greece",
    "Hungary",
    "Ireland",
    "Italy",
    "Latvia",
    "Lithuania",
    "Luxembourg",
    "Malta",
    "The Netherlands",
    "Poland",
    "Portugal",
    "Romania",
    "Slovakia",
    "Slovenia",
    "Spain",
    "Sweden",
    "Iceland",
    "Liechtenstein",
    "Norway",
    "Schweiz",
    "United Kingdom",
}

ENGLISH_GLOSS = re.compile(r"^(?P<name>.+?)\s*\((?P<gloss>[A-Za-z ,'.-]+)\)$")


def split_name(name: str, name_en: str | None) -> tuple[str, str]:
    match = ENGLISH_GLOSS.match(name)
    if match and any(w in match["gloss"] for w in ("Data", "Commissioner", "Office", "Agency")):
        return match["name"], name_en or match["gloss"]
    return name, name_en or name


def slug_of(record: dict[str, object]) -> str:
    return str(record["record"]).split("/")[1].split(".json")[0]


def last_changed(record: dict[str, object]) -> str:
    found = re.search(r"last changed (\d{4}-\d{2}-\d{2})", str(record["record"]))
    if not found:
        raise SystemExit(f"no date in {record['record']}")
    return found[1]


def convert(source: dict[str, list[dict[str, object]]]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for rec in source["authorities"]:
        cc = str(rec["cc"])
        slug = slug_of(rec)
        name, name_en = split_name(str(rec["name"]), rec.get("name_en"))  # type: ignore[arg-type]
        note = ""
        if cc == "RO":
            # Romanian is written with comma-below ș/ț; the record has the old
            # cedilla forms (fonts' Romanian glyphs would print ș/ț anyway).
            name = name.translate(str.maketrans("ŞşŢţ", "ȘșȚț"))
        if slug in NAME_OVERRIDES:
            name, note = NAME_OVERRIDES[slug]
            name_en = name if cc in {"IE", "GB", "FR"} else name_en
        lines = [str(x) for x in rec["address"]]  # type: ignore[union-attr]
        if lines[-1] in COUNTRY_NAMES:
            lines = lines[:-1]
        if slug == "eeaki":
            # The record gives an English street form; Estonian writes "Tatari 39"
            # (legal-facts.md §8: "Tatari 39, 10134 Tallinn").
            lines = ["Tatari 39", "10134 Tallinn"]
        complaint = rec.get("complaint_language")
        languages = (
            list(rec["official_languages"])  # type: ignore[call-overload]
            if cc in OFFICIAL_AS_COMPLAINT or not complaint
            else [str(complaint)]
        )
        languages = ["nb" if x == "no" else x for x in languages]
        item: dict[str, object] = {
            "slug": slug,
            "name": name,
            "name_en": name_en,
            "jurisdictions": [cc],
            "address": lines,
            "country": cc,
            "email": rec.get("email"),
            "webform": rec.get("report_form_current") or rec.get("webform"),
            "web": rec.get("web"),
            "complaint_languages": languages,
            "sources": [
                f"datenanfragen/data@0a29c3d6 {rec['record']}",
                *[str(s) for s in rec.get("record_sources", [])],  # type: ignore[attr-defined]
            ],
            "last_verified": last_changed(rec),
        }
        if note:
            item["note"] = note
        if cc == "DE":
            item["note"] = (
                "federal authority; complaints about private companies go to the Land authority"
            )
        out.append(item)
    for rec in source["de_laender_private_sector"]:
        slug = str(rec["slug"])
        lines = [str(x) for x in rec["address"]]  # type: ignore[union-attr]
        if lines[-1] in COUNTRY_NAMES:
            lines = lines[:-1]
        out.append(
            {
                "slug": slug,
                "name": rec["name"],
                "name_en": rec["name"],
                "jurisdictions": [LAENDER[slug]],
                "address": lines,
                "country": "DE",
                "email": rec.get("email"),
                "webform": rec.get("webform"),
                "web": None,
                "complaint_languages": ["de"],
                "sources": [f"datenanfragen/data@0a29c3d6 supervisory-authorities/{slug}.json"],
                "last_verified": "2026-07-21",
            }
        )
    return out


# Official names in the local language(s) and English where the source has them
# (legal-facts.md §3 for the FDPIC; authorities.json name/name_fr/name_zh).
NAMES = {
    # The Bulgarian authority's own name (cpdp.bg; terminology.md source S3, KZLD).
    "bgcpdp": {
        "bg": "Комисия за защита на личните данни",
        "en": "Commission for Personal Data Protection",
    },
    "chedoeb": {
        "de": "Eidgenössischer Datenschutz- und Öffentlichkeitsbeauftragter (EDÖB)",
        "fr": "Préposé fédéral à la protection des données et à la transparence (PFPDT)",
        "it": "Incaricato federale della protezione dei dati e della trasparenza (IFPDT)",
        "en": "Federal Data Protection and Information Commissioner (FDPIC)",
    },
}

NON_EEA_SLUGS = {"CA": "caopc", "CA-QC": "qccai", "HK": "hkpcpd", "US-CA": "uscppa"}


def convert_non_eea(source: dict[str, list[dict[str, object]]]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for rec in source["non_eea"]:
        code = str(rec["cc"])
        slug = NON_EEA_SLUGS[code]
        names = {"en": str(rec["name"])}
        if "name_fr" in rec:
            names["fr"] = str(rec["name_fr"])
        if "name_zh" in rec:
            names["zh-Hant"] = str(rec["name_zh"])
        if code == "CA-QC":
            names = {"fr": str(rec["name"])}
        raw = rec.get("address_quebec") or rec.get("address")
        note = ""
        if isinstance(raw, list):
            lines = [str(x) for x in raw if str(x) not in {"Canada"}]
        else:
            lines = []
            note = f"postal address UNVERIFIED ({raw}); write by e-mail or the web form"
        languages = [str(x) for x in rec.get("official_languages", [])]  # type: ignore[attr-defined]
        item: dict[str, object] = {
            "slug": slug,
            "name": names.get("fr") if code == "CA-QC" else names["en"],
            "name_en": names["en"] if "en" in names else str(rec["name"]),
            "names": names,
            "jurisdictions": [code],
            "address": lines,
            "country": code.split("-")[0],
            "email": rec.get("email"),
            "webform": rec.get("complaint") or rec.get("complaint_form") or rec.get("web"),
            "web": rec.get("web"),
            "complaint_languages": languages,
            "sources": [str(rec["source"]), "shared/reference/authorities.json non_eea"],
            "last_verified": "2026-07-21",
        }
        if code == "CA-QC":
            item["name_en"] = "Commission d'accès à l'information du Québec (CAI)"
        if note:
            item["note"] = note
        out.append(item)
    return out


def main() -> int:
    source = json.loads(SHARED.read_text(encoding="utf-8"))
    records = convert(source) + convert_non_eea(source)
    for record in records:
        if record["slug"] in NAMES:
            names = NAMES[str(record["slug"])]
            local = names.get("de") or names.get("bg") or names["en"]
            record.update(names=names, name=local, name_en=names["en"])
    TARGET.write_text(
        json.dumps({"authorities": records}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(records)} authorities to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
