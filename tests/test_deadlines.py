"""Tests for dsr.deadlines.

Every expected date was worked out by hand from `calendar.month(...)` and the
`holidays` package's list for that country and year, not from the code under test.
"""

from __future__ import annotations

from datetime import date

import pytest

from dsr import registry
from dsr.deadlines import (
    Calendar,
    DeadlineRule,
    add_business_days,
    deadline_for,
    deadline_in,
    extended_deadline,
    is_working_day,
)

ONE_MONTH = DeadlineRule(months=1)
TWO_MONTHS = DeadlineRule(months=2)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 31 Jan + 1 month clips to Sat 28 Feb 2026 -> Sun 1 Mar -> Mon 2 Mar.
        (date(2026, 1, 31), date(2026, 3, 2)),
        # Leap year: clips to 29 Feb 2028, a Tuesday and no Irish holiday.
        (date(2028, 1, 31), date(2028, 2, 29)),
        # Non-leap: clips to 28 Feb 2027, a Sunday -> Mon 1 Mar 2027.
        (date(2027, 1, 31), date(2027, 3, 1)),
        # 15 Apr 2026 is an ordinary Wednesday: no move.
        (date(2026, 3, 15), date(2026, 4, 15)),
    ],
)
def test_one_month_ireland_month_end_and_plain_dates(start: date, expected: date) -> None:
    assert deadline_for(ONE_MONTH, start, "IE") == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # St Patrick's Day, Tue 17 Mar 2026 -> Wed 18 Mar.
        (date(2026, 2, 17), date(2026, 3, 18)),
        # Easter Monday, 6 Apr 2026 -> Tue 7 Apr.
        (date(2026, 3, 6), date(2026, 4, 7)),
        # May Bank Holiday, Mon 4 May 2026 -> Tue 5 May.
        (date(2026, 4, 4), date(2026, 5, 5)),
        # Good Friday (3 Apr 2026) is not an Irish public holiday: no move.
        (date(2026, 3, 3), date(2026, 4, 3)),
    ],
)
def test_one_month_ireland_public_holiday_rolls(start: date, expected: date) -> None:
    assert deadline_for(ONE_MONTH, start, "IE") == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Sat 2 May 2026, Sun 3, Mon 4 May Bank Holiday -> Tue 5 May.
        (date(2026, 4, 2), date(2026, 5, 5)),
        # Sat 30 May 2026, Sun 31, Mon 1 Jun June Bank Holiday -> Tue 2 Jun.
        (date(2026, 4, 30), date(2026, 6, 2)),
        # Sat 1 Aug 2026, Sun 2, Mon 3 Aug August Bank Holiday -> Tue 4 Aug.
        (date(2026, 7, 1), date(2026, 8, 4)),
        # Sat 4 Apr 2026 (Easter Saturday), Sun 5, Mon 6 Easter Monday -> Tue 7 Apr.
        (date(2026, 3, 4), date(2026, 4, 7)),
    ],
)
def test_weekend_followed_by_bank_holiday_monday_rolls_to_tuesday(
    start: date, expected: date
) -> None:
    assert deadline_for(ONE_MONTH, start, "IE") == expected


@pytest.mark.parametrize(
    ("rule", "start", "country", "expected"),
    [
        # Fri 25 Dec 2026 Christmas, Sat 26 St Stephen's Day, Sun 27 -> Mon 28 Dec.
        (ONE_MONTH, date(2026, 11, 25), "IE", date(2026, 12, 28)),
        # Fri 1 Jan 2027 New Year's Day, Sat 2, Sun 3 -> Mon 4 Jan 2027.
        (ONE_MONTH, date(2026, 12, 1), "IE", date(2027, 1, 4)),
        # 2 Dec 2026 + 30 days = Fri 1 Jan 2027 -> Mon 4 Jan 2027.
        (DeadlineRule(days=30), date(2026, 12, 2), "IE", date(2027, 1, 4)),
        # GB: Boxing Day falls on Sat 26 Dec 2026 and is observed on Mon 28 Dec -> Tue 29.
        (ONE_MONTH, date(2026, 11, 25), "GB", date(2026, 12, 29)),
    ],
)
def test_year_end_holidays_roll_into_next_working_day(
    rule: DeadlineRule, start: date, country: str, expected: date
) -> None:
    assert deadline_for(rule, start, country) == expected


@pytest.mark.parametrize(
    ("start", "subdivision", "expected"),
    [
        # Tue 6 Jan 2026, Epiphany: a holiday in Bavaria only.
        (date(2025, 12, 6), "BY", date(2026, 1, 7)),
        (date(2025, 12, 6), "BE", date(2026, 1, 6)),
        (date(2025, 12, 6), None, date(2026, 1, 6)),
        # Mon 8 Mar 2027, International Women's Day: a holiday in Berlin only.
        (date(2027, 2, 8), "BE", date(2027, 3, 9)),
        (date(2027, 2, 8), "BY", date(2027, 3, 8)),
    ],
)
def test_germany_honours_land_holidays(
    start: date, subdivision: str | None, expected: date
) -> None:
    assert deadline_for(ONE_MONTH, start, "DE", subdivision) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 1 Jul 2026 + 30 days = Fri 31 Jul: no move.
        (date(2026, 7, 1), date(2026, 7, 31)),
        # 14 Apr 2026 + 30 days = Thu 14 May, Ascension Day -> Fri 15 May.
        (date(2026, 4, 14), date(2026, 5, 15)),
        # 2 Jul 2026 + 30 days = Sat 1 Aug, National Day, Sun 2 -> Mon 3 Aug.
        (date(2026, 7, 2), date(2026, 8, 3)),
    ],
)
def test_thirty_days_switzerland(start: date, expected: date) -> None:
    assert deadline_for(DeadlineRule.parse("30 days"), start, "CH") == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 6 Apr 2026 + 40 days = Sat 16 May: Saturdays do not move the deadline.
        (date(2026, 4, 6), date(2026, 5, 16)),
        # 7 Apr 2026 + 40 days = Sun 17 May -> Mon 18 May.
        (date(2026, 4, 7), date(2026, 5, 18)),
        # 22 May 2026 + 40 days = Wed 1 Jul, HKSAR Establishment Day -> Thu 2 Jul.
        (date(2026, 5, 22), date(2026, 7, 2)),
        # 17 Aug 2026 + 40 days = Sat 26 Sep, day following Mid-Autumn (a general
        # holiday that falls on a Saturday), Sun 27 -> Mon 28 Sep.
        (date(2026, 8, 17), date(2026, 9, 28)),
        # 22 Feb 2026 + 40 days = Fri 3 Apr, Good Friday; Sat 4 (day following
        # Good Friday), Sun 5, Mon 6 and Tue 7 Apr are all general holidays
        # under Cap. 149 -> Wed 8 Apr. Good Friday is not a *statutory* holiday
        # in 2026, so this fails if the statutory list were used instead.
        (date(2026, 2, 22), date(2026, 4, 8)),
    ],
)
def test_forty_days_hong_kong_sunday_and_holiday(start: date, expected: date) -> None:
    rule = DeadlineRule.parse("40 days, sunday_and_holiday")
    assert deadline_for(rule, start, "HK") == expected


def test_hong_kong_saturday_would_move_under_working_day_roll() -> None:
    # Same start as the Saturday case above: the roll, not the arithmetic, differs.
    assert deadline_for(DeadlineRule(days=40), date(2026, 4, 6), "HK") == date(2026, 5, 18)


@pytest.mark.parametrize(
    ("start", "subdivision", "expected"),
    [
        # 14 Feb 2026 + 45 days = Tue 31 Mar, Cesar Chavez Day (California only).
        (date(2026, 2, 14), "CA", date(2026, 4, 1)),
        (date(2026, 2, 14), None, date(2026, 3, 31)),
        # 12 Oct 2026 + 45 days = Thu 26 Nov, Thanksgiving. California also
        # closes Fri 27 Nov -> Sat, Sun -> Mon 30 Nov; federally -> Fri 27 Nov.
        (date(2026, 10, 12), "CA", date(2026, 11, 30)),
        (date(2026, 10, 12), None, date(2026, 11, 27)),
    ],
)
def test_forty_five_days_united_states(
    start: date, subdivision: str | None, expected: date
) -> None:
    assert deadline_for(DeadlineRule.parse("45 days"), start, "US", subdivision) == expected


def test_forty_five_days_without_roll_stays_on_holiday() -> None:
    # 12 Oct 2026 + 45 days = Thanksgiving, Thu 26 Nov 2026.
    rule = DeadlineRule.parse("45 days, none")
    assert deadline_for(rule, date(2026, 10, 12), "US", "CA") == date(2026, 11, 26)


@pytest.mark.parametrize(
    ("subdivision", "expected"),
    [
        # 25 May 2026 + 30 days = Wed 24 Jun, Saint-Jean-Baptiste (Quebec only).
        ("QC", date(2026, 6, 25)),
        (None, date(2026, 6, 24)),
    ],
)
def test_canada_honours_province_holidays(subdivision: str | None, expected: date) -> None:
    assert deadline_for(DeadlineRule(days=30), date(2026, 5, 25), "CA", subdivision) == expected


def test_country_code_is_case_insensitive() -> None:
    assert deadline_for(ONE_MONTH, date(2026, 2, 17), "ie") == date(2026, 3, 18)


@pytest.mark.parametrize(
    ("first_deadline", "expected"),
    [
        # 2 Mar 2026 + 2 months = Sat 2 May, Sun 3, Mon 4 May Bank Holiday -> Tue 5 May.
        (date(2026, 3, 2), date(2026, 5, 5)),
        # 31 Dec 2026 + 2 months clips to Sun 28 Feb 2027 -> Mon 1 Mar 2027.
        (date(2026, 12, 31), date(2027, 3, 1)),
        # 31 Dec 2027 + 2 months clips to leap day, Tue 29 Feb 2028.
        (date(2027, 12, 31), date(2028, 2, 29)),
    ],
)
def test_extended_deadline_two_further_months(first_deadline: date, expected: date) -> None:
    assert extended_deadline(TWO_MONTHS, first_deadline, "IE") == expected


def test_extension_runs_from_end_of_first_period() -> None:
    # Request on 31 Jan 2026: first deadline Mon 2 Mar 2026, extended to Tue 5 May.
    first = deadline_for(ONE_MONTH, date(2026, 1, 31), "IE")
    assert extended_deadline(DeadlineRule.parse("2 months"), first, "IE") == date(2026, 5, 5)


@pytest.mark.parametrize(
    ("day", "country", "subdivision", "roll", "expected"),
    [
        (date(2026, 5, 16), "HK", None, "sunday_and_holiday", True),  # Saturday
        (date(2026, 5, 16), "HK", None, "working_day", False),  # Saturday
        (date(2026, 5, 17), "HK", None, "sunday_and_holiday", False),  # Sunday
        (date(2026, 7, 1), "HK", None, "sunday_and_holiday", False),  # HKSAR Day
        (date(2026, 3, 17), "IE", None, "working_day", False),  # St Patrick's Day
        (date(2026, 3, 18), "IE", None, "working_day", True),  # Wednesday
        (date(2026, 3, 17), "IE", None, "none", True),
        (date(2026, 3, 15), "IE", None, "none", True),  # Sunday
        (date(2026, 1, 6), "DE", "BY", "working_day", False),
        (date(2026, 1, 6), "DE", "BE", "working_day", True),
    ],
)
def test_is_working_day(
    day: date, country: str, subdivision: str | None, roll: str, expected: bool
) -> None:
    assert is_working_day(day, country, subdivision, roll) is expected


def test_is_working_day_rejects_unknown_roll() -> None:
    with pytest.raises(ValueError, match="unknown roll 'saturday'"):
        is_working_day(date(2026, 3, 18), "IE", roll="saturday")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 month", DeadlineRule(months=1)),
        ("2 months", DeadlineRule(months=2)),
        ("30 days", DeadlineRule(days=30)),
        ("1 day", DeadlineRule(days=1)),
        (
            "40 days, sunday_and_holiday",
            DeadlineRule(days=40, roll="sunday_and_holiday"),
        ),
        ("45 days, none", DeadlineRule(days=45, roll="none")),
        ("1 month, working_day", DeadlineRule(months=1, roll="working_day")),
        ("  45 Days ,NONE ", DeadlineRule(days=45, roll="none")),
    ],
)
def test_parse_valid(text: str, expected: DeadlineRule) -> None:
    assert DeadlineRule.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "",
            r"cannot parse deadline rule '': expected '<number> day\(s\)\|business_day\(s\)",
        ),
        ("one month", r"cannot parse deadline rule 'one month': expected"),
        ("30", r"cannot parse deadline rule '30': expected"),
        ("4 weeks", r"cannot parse deadline rule '4 weeks': expected"),
        ("-1 month", r"cannot parse deadline rule '-1 month': expected"),
        ("1.5 months", r"cannot parse deadline rule '1.5 months': expected"),
        ("1 month 10 days", r"cannot parse deadline rule '1 month 10 days': expected"),
        ("30 days, none, extra", r"cannot parse deadline rule '30 days, none, extra'"),
        ("0 days", r"'0 days': the period must be longer than 0"),
        ("1 month, saturday", r"unknown roll 'saturday', expected one of none, "),
    ],
)
def test_parse_invalid(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DeadlineRule.parse(text)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "at least one day, business day or month"),
        ({"days": -1}, "cannot be negative"),
        ({"months": 1, "roll": "weekend"}, "unknown roll 'weekend'"),
    ],
)
def test_rule_construction_is_validated(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DeadlineRule(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("rule", [ONE_MONTH, DeadlineRule(days=45, roll="none")])
def test_unknown_country_raises(rule: DeadlineRule) -> None:
    with pytest.raises(ValueError, match="country 'XX'"):
        deadline_for(rule, date(2026, 3, 15), "XX")


def test_unknown_subdivision_raises() -> None:
    with pytest.raises(ValueError, match="country 'DE' with subdivision 'ZZ'"):
        deadline_for(ONE_MONTH, date(2026, 3, 15), "DE", "ZZ")


# --- Registry calendars (law.toml [deadline_calendars.*]) ----------------------
# Weekdays from `calendar.month(2026, m)`; holidays from the statutes quoted in
# each record's sources, not from the code under test.


def _calendar(calendar_id: str, controller_country: str = "US") -> Calendar:
    return registry.deadline_calendars()[calendar_id].calendar.bind(controller_country)


def _family_deadline(family_id: str, kind: str, start: date, controller_country: str) -> date:
    family = registry.law_families()[family_id]
    rule = DeadlineRule.parse(family.deadline_rule_for(kind))
    return deadline_in(rule, start, _calendar(family.deadline_calendar, controller_country))


@pytest.mark.parametrize(
    ("start", "controller_country", "expected"),
    [
        # 1 Oct 2026 + 30 days = Sat 31 Oct (CO Art. 78, SR 173.110.3 Art. 1); Sun 1 Nov -> Mon 2 Nov.
        (date(2026, 10, 1), "IE", date(2026, 11, 2)),
        # 6 Nov 2026 + 30 days = Sun 6 Dec -> Mon 7 Dec.
        (date(2026, 11, 6), "IE", date(2026, 12, 7)),
        # 26 Nov 2026 + 30 days = Sat 26 Dec (St Stephen's Day), Sun 27 -> Mon 28 Dec.
        (date(2026, 11, 26), "IE", date(2026, 12, 28)),
        # 14 Apr 2026 + 30 days = Thu 14 May, Ascension Day (all cantons) -> Fri 15 May.
        (date(2026, 4, 14), "IE", date(2026, 5, 15)),
        # 15 Feb 2026 + 30 days = Tue 17 Mar, St Patrick's Day: a holiday at the Irish
        # controller's seat (the place of performance), not at a Dutch one.
        (date(2026, 2, 15), "IE", date(2026, 3, 18)),
        (date(2026, 2, 15), "NL", date(2026, 3, 17)),
    ],
)
def test_switzerland_co_art_78(start: date, controller_country: str, expected: date) -> None:
    assert _family_deadline("ch", "access", start, controller_country) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 6 Nov 2026 + 30 days = Sun 6 Dec, a s.35 holiday -> Mon 7 Dec.
        (date(2026, 11, 6), date(2026, 12, 7)),
        # 5 Nov 2026 + 30 days = Sat 5 Dec: counted as non-juridical (province
        # unknown; conservative) -> Mon 7 Dec.
        (date(2026, 11, 5), date(2026, 12, 7)),
        # 12 Oct 2026 + 30 days = Wed 11 Nov, Remembrance Day -> Thu 12 Nov.
        (date(2026, 10, 12), date(2026, 11, 12)),
        # 31 Aug 2026 + 30 days = Wed 30 Sep, National Day for Truth and Reconciliation -> 1 Oct.
        (date(2026, 8, 31), date(2026, 10, 1)),
        # 4 Mar 2026 + 30 days = Fri 3 Apr, Good Friday; Sat 4, Sun 5, Mon 6 Easter
        # Monday (s.35, not in the package's federal list) -> Tue 7 Apr.
        (date(2026, 3, 4), date(2026, 4, 7)),
    ],
)
def test_canada_interpretation_act(start: date, expected: date) -> None:
    assert _family_deadline("ca", "access", start, "US") == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 6 Nov 2026 + 30 days = Sun 6 Dec (s.61(23)(a)) -> Mon 7 Dec.
        (date(2026, 11, 6), date(2026, 12, 7)),
        # 5 Nov 2026 + 30 days = Sat 5 Dec: not a jour férié, no move.
        (date(2026, 11, 5), date(2026, 12, 5)),
        # 25 May 2026 + 30 days = Wed 24 Jun (s.61(23)(e)) -> Thu 25 Jun.
        (date(2026, 5, 25), date(2026, 6, 25)),
        # 4 Mar 2026 + 30 days = Fri 3 Apr, Good Friday; Sat 4 is no jour ouvrable,
        # Sun 5, Mon 6 Easter Monday (s.61(23)(d)) -> Tue 7 Apr.
        (date(2026, 3, 4), date(2026, 4, 7)),
        # 3 Dec 2025 + 30 days = Fri 2 Jan 2026: a non-juridical day of the Code of
        # Civil Procedure, but no jour férié of s.61(23): no move.
        (date(2025, 12, 3), date(2026, 1, 2)),
    ],
)
def test_quebec_interpretation_act(start: date, expected: date) -> None:
    assert _family_deadline("qc", "access", start, "US") == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 3 Jun 2026 + 45 days = Sat 18 Jul (Code Civ. Proc. § 12a), Sun 19 -> Mon 20 Jul.
        (date(2026, 6, 3), date(2026, 7, 20)),
        # 4 Jun 2026 + 45 days = Sun 19 Jul (Civ. Code § 7) -> Mon 20 Jul.
        (date(2026, 6, 4), date(2026, 7, 20)),
        # 12 Oct 2026 + 45 days = Thu 26 Nov, Thanksgiving; Fri 27 (judicial holiday,
        # CCP § 135), Sat, Sun -> Mon 30 Nov.
        (date(2026, 10, 12), date(2026, 11, 30)),
        # 29 Dec 2025 + 45 days = Thu 12 Feb 2026, Lincoln Day (Gov. Code § 6700) -> Fri 13 Feb.
        (date(2025, 12, 29), date(2026, 2, 13)),
        # 26 Jul 2026 + 45 days = Wed 9 Sep, Admission Day -> Thu 10 Sep.
        (date(2026, 7, 26), date(2026, 9, 10)),
        # 11 Aug 2026 + 45 days = Fri 25 Sep, Native American Day (fourth Friday), Sat,
        # Sun -> Mon 28 Sep.
        (date(2026, 8, 11), date(2026, 9, 28)),
        # 28 Aug 2026 + 45 days = Mon 12 Oct, Columbus Day -> Tue 13 Oct.
        (date(2026, 8, 28), date(2026, 10, 13)),
    ],
)
def test_california_forty_five_days_civ_code_10(start: date, expected: date) -> None:
    assert _family_deadline("ccpa", "access", start, "US") == expected
    assert _family_deadline("ccpa", "erasure", start, "US") == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # Mon 16 Nov 2026: Nov 17-20 (4), 23-25 (7), Thu 26 Thanksgiving and Fri 27
        # skipped, Nov 30-Dec 4 (12), Dec 7, 8, 9 (15) -> Wed 9 Dec.
        (date(2026, 11, 16), date(2026, 12, 9)),
        # Fri 11 Dec 2026: Dec 14-18 (5), 21-24 (9), Fri 25 skipped, 28-31 (13),
        # Fri 1 Jan 2027 skipped, Jan 4, 5 (15) -> Tue 5 Jan 2027.
        (date(2026, 12, 11), date(2027, 1, 5)),
        # Mon 6 Jul 2026, no holiday in the way: three weeks -> Mon 27 Jul.
        (date(2026, 7, 6), date(2026, 7, 27)),
    ],
)
def test_california_opt_out_fifteen_business_days(received: date, expected: date) -> None:
    assert _family_deadline("ccpa", "objection", received, "US") == expected


def test_ccpa_objection_is_statutory_fifteen_business_days() -> None:
    family = registry.law_families()["ccpa"]
    assert family.deadline_rule_for("objection") == "15 business_days"
    assert family.deadline_rule_for("access") == "45 days"
    assert "objection" in family.statutory_deadline_kinds
    for provision_id in ("ccparegs.7026.f", "ccparegs.7027.g"):
        assert registry.provisions()[provision_id].sources


@pytest.mark.parametrize(
    ("family_id", "start", "controller_country", "country", "subdivision"),
    [
        ("gdpr", date(2026, 1, 31), "IE", "IE", None),
        ("gdpr", date(2026, 2, 17), "IE", "IE", None),
        ("gdpr", date(2025, 12, 6), "DE", "DE", None),
        ("uk", date(2026, 11, 25), "US", "GB", "ENG"),
        ("uk", date(2026, 4, 2), "US", "GB", "ENG"),
    ],
)
def test_gdpr_and_uk_calendars_match_the_old_rule(
    family_id: str, start: date, controller_country: str, country: str, subdivision: str | None
) -> None:
    old = deadline_for(ONE_MONTH, start, country, subdivision)
    assert _family_deadline(family_id, "access", start, controller_country) == old


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 4, 6), date(2026, 5, 16)),  # Saturday: no move
        (date(2026, 4, 7), date(2026, 5, 18)),  # Sunday
        (date(2026, 2, 22), date(2026, 4, 8)),  # Good Friday to Easter Tuesday
    ],
)
def test_hong_kong_calendar_matches_the_old_rule(start: date, expected: date) -> None:
    assert _family_deadline("hk", "access", start, "US") == expected


@pytest.mark.parametrize(
    ("spec", "year", "expected"),
    [
        ("4th fri of sep", 2026, date(2026, 9, 25)),
        ("last mon of may", 2026, date(2026, 5, 25)),
        ("1st mon of sep", 2026, date(2026, 9, 7)),
        ("easter+1", 2026, date(2026, 4, 6)),
        ("easter-2", 2027, date(2027, 3, 26)),
        ("02-12", 2027, date(2027, 2, 12)),
    ],
)
def test_extra_holiday_specs(spec: str, year: int, expected: date) -> None:
    assert Calendar(places=("IE",), extra_holidays=(spec,)).holidays(year) >= {expected}


@pytest.mark.parametrize("spec", ["5th fri of feb", "feb 12", "easter+", "2nd xyz of jan"])
def test_extra_holiday_specs_invalid(spec: str) -> None:
    with pytest.raises(ValueError, match="extra holiday"):
        Calendar(places=("IE",), extra_holidays=(spec,)).holidays(2026)


def test_business_days_rule_parses_and_validates() -> None:
    assert DeadlineRule.parse("15 business_days") == DeadlineRule(business_days=15)
    assert DeadlineRule.parse("1 business_day") == DeadlineRule(business_days=1)
    with pytest.raises(ValueError, match="cannot also have months or days"):
        DeadlineRule(days=3, business_days=15)


def test_business_days_skip_weekend_and_holidays_of_the_calendar() -> None:
    # Ireland: Fri 13 Mar 2026 + 2 business days: Mon 16 (1), Tue 17 St Patrick's
    # Day skipped, Wed 18 (2).
    calendar = Calendar.for_roll("working_day", "IE")
    assert add_business_days(date(2026, 3, 13), 2, calendar) == date(2026, 3, 18)
    assert deadline_for(DeadlineRule(business_days=2), date(2026, 3, 13), "IE") == date(2026, 3, 18)


def test_unbound_controller_place_is_an_error() -> None:
    calendar = registry.deadline_calendars()["eu_1182_71"].calendar
    with pytest.raises(ValueError, match="bound to a country"):
        deadline_in(ONE_MONTH, date(2026, 3, 15), calendar)
