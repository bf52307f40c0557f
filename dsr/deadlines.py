"""Legal response deadlines for data-subject requests.

Periods are counted as in Regulation (EEC, Euratom) No 1182/71, Art. 3, which
the EDPB applies to the GDPR's one-month period (Guidelines 01/2022 on the
right of access): the day of the event is not counted, a period in months ends
on the same date of the target month (or that month's last day), and a last
day that is not a working day moves to the next working day. Public holidays
come from the ``holidays`` package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Final

import holidays
from dateutil.relativedelta import relativedelta

ROLL_WORKING_DAY: Final = "working_day"
ROLL_SUNDAY_AND_HOLIDAY: Final = "sunday_and_holiday"
ROLL_NONE: Final = "none"
ROLLS: Final = frozenset({ROLL_WORKING_DAY, ROLL_SUNDAY_AND_HOLIDAY, ROLL_NONE})

# Holiday categories to use where the package's default ("public") is not the
# set of days the deadline rule refers to. Hong Kong: Cap. 1 s.71 excludes
# "general holidays" (Cap. 149), which `holidays` files under "optional";
# its "public" category holds the Employment Ordinance's statutory holidays.
_HOLIDAY_CATEGORIES: Final[dict[str, tuple[str, ...]]] = {"HK": ("optional",)}

_RULE_PATTERN: Final = re.compile(
    r"^\s*(?P<count>\d+)\s+(?P<unit>days?|months?)\s*(?:,\s*(?P<roll>\S+)\s*)?$",
    re.IGNORECASE,
)
_RULE_SYNTAX: Final = (
    "'<number> day(s)|month(s)' optionally followed by "
    "', working_day' | ', sunday_and_holiday' | ', none'"
)


@dataclass(frozen=True)
class DeadlineRule:
    """How a law counts a response period.

    ``months`` are added before ``days`` (``relativedelta`` order). ``roll`` says
    how a last day that is not a working day is moved:

    * ``"working_day"``: Saturdays, Sundays and public holidays of the country
      move it to the next working day (Reg. 1182/71 Art. 3(4)).
    * ``"sunday_and_holiday"``: only Sundays and public (general) holidays move
      it, Saturdays do not (Hong Kong, Cap. 1 s.71(1)(b) with the Cap. 149
      Schedule, where "every Sunday" is a general holiday).
    * ``"none"``: the last day stays where it falls.
    """

    months: int = 0
    days: int = 0
    roll: str = ROLL_WORKING_DAY

    def __post_init__(self) -> None:
        if self.months < 0 or self.days < 0:
            raise ValueError(
                f"deadline period cannot be negative: months={self.months}, days={self.days}"
            )
        if self.months == 0 and self.days == 0:
            raise ValueError("deadline period must be at least one day or one month long")
        if self.roll not in ROLLS:
            raise ValueError(
                f"unknown roll {self.roll!r}: expected one of {', '.join(sorted(ROLLS))}"
            )

    @classmethod
    def parse(cls, text: str) -> DeadlineRule:
        """Parse a registry string: ``"1 month"``, ``"40 days, sunday_and_holiday"``."""
        match = _RULE_PATTERN.match(text)
        if match is None:
            raise ValueError(f"cannot parse deadline rule {text!r}: expected {_RULE_SYNTAX}")
        count = int(match["count"])
        if count == 0:
            raise ValueError(
                f"cannot parse deadline rule {text!r}: the period must be longer than 0"
            )
        roll = (match["roll"] or ROLL_WORKING_DAY).lower()
        if roll not in ROLLS:
            raise ValueError(
                f"cannot parse deadline rule {text!r}: unknown roll {match['roll']!r}, "
                f"expected one of {', '.join(sorted(ROLLS))}"
            )
        if match["unit"].lower().startswith("month"):
            return cls(months=count, roll=roll)
        return cls(days=count, roll=roll)


@lru_cache(maxsize=256)
def _holiday_calendar(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    """Public holidays of one country (and subdivision) for one year, built once."""
    try:
        return holidays.country_holidays(
            country,
            subdiv=subdivision,
            years=year,
            categories=_HOLIDAY_CATEGORIES.get(country),  # None: package default
        )
    except NotImplementedError as exc:
        where = f"country {country!r}" + (
            f" with subdivision {subdivision!r}" if subdivision is not None else ""
        )
        raise ValueError(f"no public-holiday calendar for {where}: {exc}") from exc


def is_working_day(
    day: date,
    country: str,
    subdivision: str | None = None,
    roll: str = ROLL_WORKING_DAY,
) -> bool:
    """Whether a period may end on ``day`` under ``roll``.

    With ``"none"`` every day qualifies, because that rule never moves a deadline.
    """
    if roll not in ROLLS:
        raise ValueError(f"unknown roll {roll!r}: expected one of {', '.join(sorted(ROLLS))}")
    if roll == ROLL_NONE:
        return True
    weekday = day.weekday()  # Monday == 0
    if weekday == 6 or (roll == ROLL_WORKING_DAY and weekday == 5):
        return False
    return day not in _holiday_calendar(country.upper(), subdivision, day.year)


def _end_of_period(rule: DeadlineRule, start: date, country: str, subdivision: str | None) -> date:
    """Add the period to ``start`` and move a non-working last day forward (Art. 3(1), (2), (4))."""
    # Fail on an unknown country even when the rule never consults holidays.
    _holiday_calendar(country.upper(), subdivision, start.year)
    # relativedelta clips 31 Jan + 1 month to the month's last day (Art. 3(2)(c)).
    last_day: date = start + relativedelta(months=rule.months, days=rule.days)
    while not is_working_day(last_day, country, subdivision, rule.roll):
        last_day += timedelta(days=1)
    return last_day


def deadline_for(
    rule: DeadlineRule, start: date, country: str, subdivision: str | None = None
) -> date:
    """Last day of the period that starts on ``start`` (the day of the event, not counted).

    ``country`` is an ISO 3166-1 alpha-2 code; ``subdivision`` a code known to
    ``holidays`` (e.g. ``"BY"`` with ``"DE"``, ``"CA"`` with ``"US"``).
    """
    return _end_of_period(rule, start, country, subdivision)


def extended_deadline(
    rule_extension: DeadlineRule,
    first_deadline: date,
    country: str,
    subdivision: str | None = None,
) -> date:
    """Last day of an extension counted from the end of the first period.

    GDPR Art. 12(3) lets the controller extend the one-month period "by two
    further months"; the extension runs from ``first_deadline`` (not counted),
    as given by ``deadline_for``, and its last day is moved per
    ``rule_extension.roll``.
    """
    return _end_of_period(rule_extension, first_deadline, country, subdivision)
