"""Legal response deadlines for data-subject requests.

Periods are counted as in Regulation (EEC, Euratom) No 1182/71, Art. 3, which
the EDPB applies to the GDPR's one-month period (Guidelines 01/2022 on the
right of access): the day of the event is not counted, a period in months ends
on the same date of the target month (or that month's last day), and a last
day that is not a working day moves to the next working day. Public holidays
come from the ``holidays`` package.

Other laws name other days: a :class:`Calendar` says which weekdays and whose
public holidays (country, subdivision, holiday categories, extra days) move a
last day, or are skipped when a period is counted in business days. The
registry (``[deadline_calendars.*]`` in ``law.toml``) holds one per law, with
its sources.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Final

import holidays
from dateutil.easter import easter
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
    r"^\s*(?P<count>\d+)\s+(?P<unit>business_days?|days?|months?)\s*"
    r"(?:,\s*(?P<roll>\S+)\s*)?$",
    re.IGNORECASE,
)
_RULE_SYNTAX: Final = (
    "'<number> day(s)|business_day(s)|month(s)' optionally followed by "
    "', working_day' | ', sunday_and_holiday' | ', none'"
)

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CONTROLLER: Final = "controller"
_ORDINALS: Final = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "last": -1}
_MONTHS: Final = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_FIXED_DAY: Final = re.compile(r"^(?P<month>\d\d)-(?P<day>\d\d)$")
_EASTER_DAY: Final = re.compile(r"^easter(?P<offset>[+-]\d+)?$")
_NTH_WEEKDAY: Final = re.compile(
    r"^(?P<nth>1st|2nd|3rd|4th|5th|last) (?P<weekday>\w{3}) of (?P<month>\w{3})$"
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

    With a :class:`Calendar` (``deadline_in``), any roll but ``"none"`` moves
    the last day as the calendar says.

    ``business_days`` counts only days that are not non-working days of the
    calendar (11 CCR § 7026(f): "15 business days"); such a period ends on a
    business day, so its roll never applies. It cannot be combined with
    ``months`` or ``days``.
    """

    months: int = 0
    days: int = 0
    roll: str = ROLL_WORKING_DAY
    business_days: int = 0

    def __post_init__(self) -> None:
        if self.months < 0 or self.days < 0 or self.business_days < 0:
            raise ValueError(
                f"deadline period cannot be negative: months={self.months}, days={self.days}, "
                f"business_days={self.business_days}"
            )
        if self.business_days and (self.months or self.days):
            raise ValueError("a period in business days cannot also have months or days")
        if self.months == 0 and self.days == 0 and self.business_days == 0:
            raise ValueError("deadline period must be at least one day, business day or month long")
        if self.roll not in ROLLS:
            raise ValueError(
                f"unknown roll {self.roll!r}: expected one of {', '.join(sorted(ROLLS))}"
            )

    @classmethod
    def parse(cls, text: str) -> DeadlineRule:
        """Parse a registry string: ``"1 month"``, ``"40 days, sunday_and_holiday"``,
        ``"15 business_days"``."""
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
        unit = match["unit"].lower()
        if unit.startswith("month"):
            return cls(months=count, roll=roll)
        if unit.startswith("business"):
            return cls(business_days=count, roll=roll)
        return cls(days=count, roll=roll)


def _weekday_numbers(names: Iterable[str], what: str) -> frozenset[int]:
    out = set()
    for name in names:
        key = name.strip().lower()[:3]
        if key not in WEEKDAYS:
            raise ValueError(f"unknown weekday {name!r} in {what}: expected one of {WEEKDAYS}")
        out.add(WEEKDAYS.index(key))
    return frozenset(out)


def _extra_day(spec: str, year: int) -> date:
    """One extra holiday in ``year``: ``"02-12"``, ``"easter+1"``, ``"4th fri of sep"``."""
    text = spec.strip().lower()
    if fixed := _FIXED_DAY.match(text):
        return date(year, int(fixed["month"]), int(fixed["day"]))
    if movable := _EASTER_DAY.match(text):
        return easter(year) + timedelta(days=int(movable["offset"] or 0))
    if nth := _NTH_WEEKDAY.match(text):
        if nth["weekday"] in WEEKDAYS and nth["month"] in _MONTHS:
            weekday = WEEKDAYS.index(nth["weekday"])
            month = _MONTHS.index(nth["month"]) + 1
            ordinal = _ORDINALS[nth["nth"]]
            if ordinal > 0:
                first = date(year, month, 1)
                day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))
            else:
                last = date(year, month, 1) + relativedelta(months=1, days=-1)
                day = last - timedelta(days=(last.weekday() - weekday) % 7)
            if day.month == month:
                return day
    raise ValueError(
        f"cannot parse extra holiday {spec!r}: expected 'MM-DD', 'easter[+-N]' "
        "or '<1st|2nd|3rd|4th|5th|last> <weekday> of <month>' (e.g. '4th fri of sep')"
    )


@dataclass(frozen=True)
class Calendar:
    """The days a law's periods treat as not working days.

    ``places`` are ``"CC"`` or ``"CC-SUB"`` codes known to ``holidays`` (or
    ``"controller"``, replaced by :meth:`bind`); their public holidays, in the
    holiday ``categories`` given (``None``: the package's default for each
    country), and the ``extra_holidays`` all count, together. A last day on one
    of them, or on a weekday in ``roll_weekdays``, moves to the next day that is
    neither a holiday nor in ``nonworking_weekdays``. Business days are days
    that are neither.
    """

    places: tuple[str, ...]
    nonworking_weekdays: frozenset[int] = frozenset({5, 6})
    roll_weekdays: frozenset[int] | None = None  # None: the nonworking weekdays
    categories: tuple[str, ...] | None = None
    extra_holidays: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.places:
            raise ValueError("a calendar needs at least one place")
        if not self.nonworking_weekdays.issuperset(self.moving_weekdays):
            raise ValueError("a weekday that moves a last day must also be non-working")
        for spec in self.extra_holidays:
            _extra_day(spec, 2000)

    @classmethod
    def from_record(
        cls,
        places: Iterable[str],
        nonworking_weekdays: Iterable[str] = ("sat", "sun"),
        roll_weekdays: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
        extra_holidays: Iterable[str] = (),
    ) -> Calendar:
        """Build a calendar from registry values (weekday names such as ``"sat"``)."""
        return cls(
            places=tuple(places),
            nonworking_weekdays=_weekday_numbers(nonworking_weekdays, "nonworking_weekdays"),
            roll_weekdays=(
                None if roll_weekdays is None else _weekday_numbers(roll_weekdays, "roll_weekdays")
            ),
            categories=None if categories is None else tuple(categories),
            extra_holidays=tuple(extra_holidays),
        )

    @classmethod
    def for_roll(cls, roll: str, country: str, subdivision: str | None = None) -> Calendar:
        """The calendar a legacy ``roll`` meant for one country (and subdivision)."""
        if roll not in ROLLS:
            raise ValueError(f"unknown roll {roll!r}: expected one of {', '.join(sorted(ROLLS))}")
        place = country.upper() + (f"-{subdivision}" if subdivision else "")
        weekend = frozenset({6}) if roll == ROLL_SUNDAY_AND_HOLIDAY else frozenset({5, 6})
        return cls(places=(place,), nonworking_weekdays=weekend)

    @property
    def moving_weekdays(self) -> frozenset[int]:
        """Weekdays that, as a last day, move a deadline."""
        return self.nonworking_weekdays if self.roll_weekdays is None else self.roll_weekdays

    def bind(self, controller_country: str) -> Calendar:
        """This calendar with ``"controller"`` replaced by the controller's country."""
        if CONTROLLER not in self.places:
            return self
        places = tuple(controller_country.upper() if p == CONTROLLER else p for p in self.places)
        return replace(self, places=tuple(dict.fromkeys(places)))

    def check(self, year: int) -> None:
        """Raise ValueError if a place has no holiday calendar (even if none is needed)."""
        self.holidays(year)

    def holidays(self, year: int) -> frozenset[date]:
        """Every holiday of every place in ``year``, and the extra ones."""
        return _holidays_of(self.places, self.categories, self.extra_holidays, year)

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays(day.year)

    def is_business_day(self, day: date) -> bool:
        """Neither a non-working weekday nor a holiday."""
        return day.weekday() not in self.nonworking_weekdays and not self.is_holiday(day)

    def moves_last_day(self, day: date) -> bool:
        """Whether a period that ends on ``day`` is extended."""
        return day.weekday() in self.moving_weekdays or self.is_holiday(day)


@lru_cache(maxsize=512)
def _holiday_calendar(
    country: str, subdivision: str | None, year: int, categories: tuple[str, ...] | None
) -> holidays.HolidayBase:
    """Public holidays of one country (and subdivision) for one year, built once."""
    try:
        return holidays.country_holidays(
            country,
            subdiv=subdivision,
            years=year,
            # None: the deadline rule's categories for that country, else the package default.
            categories=categories if categories is not None else _HOLIDAY_CATEGORIES.get(country),
        )
    except NotImplementedError as exc:
        where = f"country {country!r}" + (
            f" with subdivision {subdivision!r}" if subdivision is not None else ""
        )
        raise ValueError(f"no public-holiday calendar for {where}: {exc}") from exc


@lru_cache(maxsize=512)
def _holidays_of(
    places: tuple[str, ...],
    categories: tuple[str, ...] | None,
    extra: tuple[str, ...],
    year: int,
) -> frozenset[date]:
    days: set[date] = {_extra_day(spec, year) for spec in extra}
    for place in places:
        if place == CONTROLLER:
            raise ValueError("calendar place 'controller' must be bound to a country first")
        country, _, subdivision = place.partition("-")
        days.update(_holiday_calendar(country.upper(), subdivision or None, year, categories))
    return frozenset(days)


def is_working_day(
    day: date,
    country: str,
    subdivision: str | None = None,
    roll: str = ROLL_WORKING_DAY,
) -> bool:
    """Whether a period may end on ``day`` under ``roll``.

    With ``"none"`` every day qualifies, because that rule never moves a deadline.
    """
    calendar = Calendar.for_roll(roll, country, subdivision)
    if roll == ROLL_NONE:
        return True
    return not calendar.moves_last_day(day)


def add_business_days(start: date, count: int, calendar: Calendar) -> date:
    """The ``count``-th business day after ``start`` (``start`` itself not counted)."""
    if count < 1:
        raise ValueError(f"business-day count must be at least 1, not {count}")
    day = start
    counted = 0
    while counted < count:
        day += timedelta(days=1)
        if calendar.is_business_day(day):
            counted += 1
    return day


def deadline_in(rule: DeadlineRule, start: date, calendar: Calendar) -> date:
    """Last day of the period that starts on ``start`` (not counted), per ``calendar``.

    A period in months or days ends on the date reached (Art. 3(2)(c) clipping for
    months); unless ``rule.roll`` is ``"none"``, a last day that
    ``calendar.moves_last_day`` moves to the next business day of the calendar.
    A period in business days ends on its last business day.
    """
    # Fail on an unknown place even when the rule never consults holidays.
    calendar.check(start.year)
    if rule.business_days:
        return add_business_days(start, rule.business_days, calendar)
    # relativedelta clips 31 Jan + 1 month to the month's last day (Art. 3(2)(c)).
    last_day: date = start + relativedelta(months=rule.months, days=rule.days)
    return _moved(rule, last_day, calendar)


def period_beginning_with(rule: DeadlineRule, start: date, calendar: Calendar) -> date:
    """Last day of a period "beginning with" ``start``, which counts that day ("the
    period of one month beginning with the relevant time", Art. 12A(1) UK GDPR).

    A period of months ends on the day before the corresponding date (1 March: 31
    March; 15 March: 14 April), or on the last day of the month that has no such
    date (31 January: the last day of February); a period of days ends on its last
    day counted from ``start`` (30 days beginning with 1 June: 30 June). Not the
    day before plus a month: 28 February + 1 month is 28 March, a short month's end.
    """
    calendar.check(start.year)
    if rule.business_days or not rule.months:
        return deadline_in(rule, start - timedelta(days=1), calendar)
    corresponding: date = start + relativedelta(months=rule.months)
    has_corresponding = corresponding.day == start.day  # not so for 31 January
    last_day = corresponding - timedelta(days=1) if has_corresponding else corresponding
    return _moved(rule, last_day + timedelta(days=rule.days), calendar)


def _moved(rule: DeadlineRule, last_day: date, calendar: Calendar) -> date:
    """``last_day``, or the business day it moves to by ``rule``'s roll in ``calendar``."""
    if rule.roll == ROLL_NONE or not calendar.moves_last_day(last_day):
        return last_day
    last_day += timedelta(days=1)
    while not calendar.is_business_day(last_day):
        last_day += timedelta(days=1)
    return last_day


def deadline_for(
    rule: DeadlineRule, start: date, country: str, subdivision: str | None = None
) -> date:
    """Last day of the period that starts on ``start`` (the day of the event, not counted).

    ``country`` is an ISO 3166-1 alpha-2 code; ``subdivision`` a code known to
    ``holidays`` (e.g. ``"BY"`` with ``"DE"``, ``"CA"`` with ``"US"``). The
    roll's weekdays apply (``working_day``: Saturday and Sunday;
    ``sunday_and_holiday``: Sunday) with the country's public holidays.
    """
    roll = ROLL_WORKING_DAY if rule.roll == ROLL_NONE else rule.roll
    return deadline_in(rule, start, Calendar.for_roll(roll, country, subdivision))


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
    return deadline_for(rule_extension, first_deadline, country, subdivision)


def extended_deadline_in(
    rule_extension: DeadlineRule, first_deadline: date, calendar: Calendar
) -> date:
    """``extended_deadline`` with a registry :class:`Calendar`."""
    return deadline_in(rule_extension, first_deadline, calendar)
