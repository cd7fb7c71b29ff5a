"""systemd OnCalendar= expressions, checked and measured in pure Python (no systemd-analyze needed).

The syntax is systemd.time(7), "Calendar Events": ``[weekdays] [[year-]month-day] [hour:minute[:second]]
[timezone]``, or one of the shorthands (``hourly``, ``daily``, ``weekly``, ``monthly`` …). Each numeric
component is ``*``, a value, a list ``1,15``, a range ``08..20``, or a repetition ``*/2``, ``0/15``,
``08..20/2``; ``~`` before the day counts from the end of the month. Weekdays are names or abbreviations
(case does not matter) in lists and ranges: ``Mon..Sat``, ``Sat,Sun``.

Besides validity, `schedule_gaps` enumerates when an expression fires over four calendar years, which gives
the longest gap between two runs: what a review needs to judge whether the newest backup is overdue.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise

WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tuesday": 1,
    "wed": 2,
    "wednesday": 2,
    "thu": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
SHORTHANDS = {
    "minutely": "*-*-* *:*:00",
    "hourly": "*-*-* *:00:00",
    "daily": "*-*-* 00:00:00",
    "weekly": "Mon *-*-* 00:00:00",
    "monthly": "*-*-01 00:00:00",
    "quarterly": "*-01,04,07,10-01 00:00:00",
    "semiannually": "*-01,07-01 00:00:00",
    "yearly": "*-01-01 00:00:00",
    "annually": "*-01-01 00:00:00",
}
YEAR_RANGE = (1970, 2199)
# Four years from a leap year: every weekday, month length and 29 February comes up.
WINDOW_START = date(2024, 1, 1)
WINDOW_DAYS = 4 * 365 + 1

_ITEM = re.compile(r"(?P<start>\d+)(?:\.\.(?P<end>\d+))?(?:/(?P<repeat>\d+))?")
_STAR = re.compile(r"\*(?:/(?P<repeat>\d+))?")
_TIMEZONE = re.compile(r"UTC|GMT|[A-Z][A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+")
_FRACTION = re.compile(r"(?<=\d)\.\d+")


class CalendarError(ValueError):
    """An expression systemd would refuse; the message says which part and why."""


@dataclass(frozen=True)
class CalendarSpec:
    """A parsed OnCalendar expression: the values each component may take."""

    expression: str
    weekdays: frozenset[int]
    years: frozenset[int] | None  # None: every year
    months: frozenset[int]
    days: frozenset[int]
    days_from_end: bool  # "~": days count back from the end of the month (~1 is the last day)
    hours: frozenset[int]
    minutes: frozenset[int]
    seconds: frozenset[int]
    timezone: str | None

    def matches_day(self, day: date) -> bool:
        """Whether the expression fires at some time of `day`."""
        if day.weekday() not in self.weekdays or day.month not in self.months:
            return False
        if self.years is not None and day.year not in self.years:
            return False
        if self.days_from_end:
            last = calendar.monthrange(day.year, day.month)[1]
            return last - day.day + 1 in self.days
        return day.day in self.days

    def times_of_day(self) -> tuple[int, ...]:
        """The seconds after midnight at which the expression fires on a matching day, in order."""
        return tuple(
            sorted(h * 3600 + m * 60 + s for h in self.hours for m in self.minutes for s in self.seconds)
        )


@dataclass(frozen=True)
class ScheduleGaps:
    """How often an expression fires: the shortest and longest time between two runs."""

    shortest: timedelta
    longest: timedelta
    first: datetime  # first run in the measuring window (naive, the timer's local time)


def _component(text: str, name: str, low: int, high: int) -> frozenset[int]:
    if not text:
        raise CalendarError(f"the {name} is empty")
    values: set[int] = set()
    for item in text.split(","):
        star = _STAR.fullmatch(item)
        if star:
            step = int(star["repeat"] or 1)
            if step == 0:
                raise CalendarError(f"{name} repetition {item!r} must be at least 1")
            values.update(range(low, high + 1, step))
            continue
        match = _ITEM.fullmatch(item)
        if not match:
            raise CalendarError(f"{name} {item!r} is not a number, a range (a..b), a repetition (a/n) or *")
        start = int(match["start"])
        end = int(match["end"]) if match["end"] is not None else None
        repeat = int(match["repeat"]) if match["repeat"] is not None else None
        for value in (start, end):
            if value is not None and not low <= value <= high:
                raise CalendarError(f"{name} {value} is out of range {low}..{high}")
        if end is not None and end < start:
            raise CalendarError(f"{name} range {item!r} runs backwards")
        if repeat == 0:
            raise CalendarError(f"{name} repetition {item!r} must be at least 1")
        if end is None and repeat is None:
            values.add(start)
        else:
            values.update(range(start, (high if end is None else end) + 1, repeat or 1))
    return frozenset(values)


def _weekday(name: str) -> int:
    try:
        return WEEKDAYS[name.lower()]
    except KeyError:
        raise CalendarError(f"unknown weekday {name!r} (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)") from None


def _weekdays(text: str) -> frozenset[int]:
    days: set[int] = set()
    for item in text.split(","):
        parts = re.split(r"\.\.|-", item)
        if len(parts) == 1:
            days.add(_weekday(parts[0]))
        elif len(parts) == 2:
            first, last = _weekday(parts[0]), _weekday(parts[1])
            if last < first:
                raise CalendarError(f"weekday range {item!r} runs backwards (weeks start on Monday)")
            days.update(range(first, last + 1))
        else:
            raise CalendarError(f"weekday {item!r} is not a name, a list (Sat,Sun) or a range (Mon..Fri)")
    return frozenset(days)


def _date(text: str) -> tuple[frozenset[int] | None, frozenset[int], frozenset[int], bool]:
    from_end = "~" in text
    if from_end:
        head, _, day = text.partition("~")
        parts = [*head.split("-"), day]
    else:
        parts = text.split("-")
    if len(parts) == 2:
        year_text, (month_text, day_text) = "*", parts
    elif len(parts) == 3:
        year_text, month_text, day_text = parts
    else:
        raise CalendarError(f"date {text!r} is not [year-]month-day")
    years = None if year_text == "*" else _component(year_text, "year", *YEAR_RANGE)
    return years, _component(month_text, "month", 1, 12), _component(day_text, "day", 1, 31), from_end


def _time(text: str) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    parts = text.split(":")
    if len(parts) == 2:
        parts.append("00")
    if len(parts) != 3:
        raise CalendarError(f"time {text!r} is not hour:minute[:second]")
    hour, minute, second = parts
    return (
        _component(hour, "hour", 0, 23),
        _component(minute, "minute", 0, 59),
        _component(_FRACTION.sub("", second), "second", 0, 59),
    )


def parse_calendar(expression: str) -> CalendarSpec:
    """Parse an OnCalendar expression; raise CalendarError naming the part systemd would refuse."""
    text = " ".join(expression.split())
    if not text:
        raise CalendarError("the expression is empty")
    tokens = SHORTHANDS.get(text.lower(), text).split(" ")
    timezone = None
    if len(tokens) > 1 and _TIMEZONE.fullmatch(tokens[-1]):
        timezone = tokens.pop()
    weekdays = frozenset(range(7))
    if tokens[0][:1].isalpha():
        weekdays = _weekdays(tokens.pop(0))
    date_text = time_text = None
    for token in tokens:
        if ":" in token and time_text is None:
            time_text = token
        elif ("-" in token or "~" in token) and date_text is None and time_text is None:
            date_text = token
        else:
            raise CalendarError(
                f"unexpected {token!r} (expected [weekdays] [year-]month-day hour:minute[:second])"
            )
    years, months, days, from_end = _date(date_text or "*-*-*")
    hours, minutes, seconds = _time(time_text or "00:00:00")
    return CalendarSpec(
        expression=expression,
        weekdays=weekdays,
        years=years,
        months=months,
        days=days,
        days_from_end=from_end,
        hours=hours,
        minutes=minutes,
        seconds=seconds,
        timezone=timezone,
    )


def calendar_problem(expression: str) -> str | None:
    """Why systemd would refuse `expression` (or why it would never fire), or None when it is fine."""
    try:
        spec = parse_calendar(expression)
    except CalendarError as exc:
        return str(exc)
    if not _firing_days(spec):
        return "it never fires (no date matches all of its parts)"
    return None


def _firing_days(spec: CalendarSpec) -> tuple[date, ...]:
    return tuple(
        day for day in (WINDOW_START + timedelta(days=n) for n in range(WINDOW_DAYS)) if spec.matches_day(day)
    )


@lru_cache(maxsize=256)
def schedule_gaps(expression: str) -> ScheduleGaps | None:
    """The shortest and longest gap between consecutive runs over four calendar years.

    None when the expression fires fewer than twice in that window (or is not valid). The timezone part
    is ignored: the gaps are the same in any zone without daylight saving time, such as Asia/Shanghai.
    """
    try:
        spec = parse_calendar(expression)
    except CalendarError:
        return None
    days = _firing_days(spec)
    times = spec.times_of_day()
    if not days or len(days) * len(times) < 2:
        return None
    gaps = [b - a for a, b in pairwise(times)]
    for earlier, later in pairwise(days):
        gaps.append((later - earlier).days * 86400 - times[-1] + times[0])
    first = datetime.combine(days[0], time()) + timedelta(seconds=times[0])
    return ScheduleGaps(timedelta(seconds=min(gaps)), timedelta(seconds=max(gaps)), first)


def first_collision(first: str, second: str) -> datetime | None:
    """The first time both expressions fire at the same moment (in the measuring window), if ever."""
    try:
        a, b = parse_calendar(first), parse_calendar(second)
    except CalendarError:
        return None
    common_times = sorted(set(a.times_of_day()) & set(b.times_of_day()))
    if not common_times:
        return None
    for day in _firing_days(a):
        if b.matches_day(day):
            return datetime.combine(day, time()) + timedelta(seconds=common_times[0])
    return None
