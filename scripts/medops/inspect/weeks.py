"""ISO 8601 weeks: the name of an inspection record (2026-W47) and the weeks of a year (52 or 53).

An ISO week starts on Monday and belongs to the year that holds its Thursday, so 2026-12-31 (a Thursday)
is in 2026-W53 and 2027-01-01 (a Friday) too; 2027-01-04 starts 2027-W01.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_WEEK = re.compile(r"(?P<year>\d{4})-W(?P<week>\d{2})")


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 7)

    def next(self) -> IsoWeek:
        return week_of(self.monday + timedelta(days=7))

    def previous(self) -> IsoWeek:
        return week_of(self.monday - timedelta(days=7))


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December is always in the year's last ISO week."""
    return date(year, 12, 28).isocalendar().week


def week_of(day: date | datetime) -> IsoWeek:
    """The ISO week a day belongs to (a datetime is taken in its own time zone)."""
    calendar = day.isocalendar()
    return IsoWeek(calendar.year, calendar.week)


def parse_week(text: str) -> IsoWeek:
    """`2026-W47` → IsoWeek; ValueError with a reason for anything else."""
    match = _WEEK.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO week such as 2026-W47")
    year, week = int(match["year"]), int(match["week"])
    if year < 1970:
        raise ValueError(f"{text!r}: the year {year} is before any record could exist")
    last = weeks_in_year(year)
    if not 1 <= week <= last:
        raise ValueError(f"{text!r}: {year} has weeks W01 to W{last:02d}")
    return IsoWeek(year, week)


def year_weeks(year: int) -> tuple[IsoWeek, ...]:
    return tuple(IsoWeek(year, n) for n in range(1, weeks_in_year(year) + 1))
