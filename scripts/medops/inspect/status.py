"""Which weeks of a year have an inspection on record, which were missed, which are still to come.

The contract asks for at least 52 inspections a year: one per ISO week (a year has 52 or 53).
A week is *inspected* when `<records>/inspections/<week>.json` is a readable record of that week with at
least one host reached; *missed* when it has ended without one; *due* when it is the current week and
not yet inspected; *to come* when it lies ahead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from medops.inspect.record import load_records
from medops.inspect.weeks import IsoWeek, week_of, weeks_in_year, year_weeks

CONTRACT_PER_YEAR = 52
ESTATE_TZ = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True)
class WeekStatus:
    week: IsoWeek
    state: str  # inspected | missed | due | to come
    severity: str = ""  # the record's overall result, when inspected
    hosts: int = 0
    runs: int = 0  # runs in the week (the record and its earlier runs)
    late: bool = False  # the first run started after the week had ended (allowed in the week after)


@dataclass(frozen=True)
class YearStatus:
    year: int
    today: date
    weeks: tuple[WeekStatus, ...]
    problems: tuple[str, ...]  # records that could not be read

    def of(self, state: str) -> tuple[WeekStatus, ...]:
        return tuple(w for w in self.weeks if w.state == state)

    @property
    def on_track(self) -> bool:
        """No week missed so far: every ended week has its inspection."""
        return not self.of("missed")

    @property
    def attainable(self) -> int:
        """Inspections the year can still reach: inspected plus every week not yet ended."""
        return len(self.of("inspected")) + len(self.of("due")) + len(self.of("to come"))


def _late(record: Mapping[str, Any], week: IsoWeek) -> bool:
    """Whether the week's first run started after the week ended (Beijing time)."""
    runs = [record, *(record.get("earlier_runs") or [])]
    starts = []
    for run in runs:
        try:
            starts.append(datetime.fromisoformat(str(run.get("started_at"))))
        except ValueError:
            continue
    if not starts:
        return False
    return min(starts).astimezone(ESTATE_TZ).date() > week.sunday


def _reached(record: Mapping[str, Any]) -> int:
    return sum(1 for h in record.get("hosts") or [] if isinstance(h, Mapping) and h.get("reachable"))


def year_status(records: Path, year: int, today: date) -> YearStatus:
    found, problems = load_records(records)
    by_week = {r["week"]: r for r in found}
    current = week_of(today)
    weeks = []
    for week in year_weeks(year):
        record = by_week.get(str(week))
        if record is not None and _reached(record):
            weeks.append(
                WeekStatus(
                    week,
                    "inspected",
                    str(record.get("severity", "")),
                    len(record.get("hosts") or []),
                    1 + len(record.get("earlier_runs") or []),
                    _late(record, week),
                )
            )
        elif week < current:
            weeks.append(WeekStatus(week, "missed"))
        elif week == current:
            weeks.append(WeekStatus(week, "due"))
        else:
            weeks.append(WeekStatus(week, "to come"))
    return YearStatus(year, today, tuple(weeks), tuple(problems))


def _ranges(weeks: tuple[WeekStatus, ...]) -> str:
    """W03, W10-W12, W40: consecutive weeks folded into ranges."""
    numbers = [w.week.week for w in weeks]
    parts: list[str] = []
    start = previous = None
    for number in [*numbers, None]:
        if number is not None and previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None and previous is not None:
            parts.append(f"W{start:02d}" if start == previous else f"W{start:02d}-W{previous:02d}")
        start = previous = number
    return ", ".join(parts) or "none"


def status_lines(status: YearStatus) -> list[str]:
    inspected, missed = status.of("inspected"), status.of("missed")
    total = weeks_in_year(status.year)
    lines = [
        f"inspections {status.year}: {len(inspected)} of {total} weeks inspected, {len(missed)} missed"
        f" (as of {status.today}, week {week_of(status.today)})"
    ]
    lines.append(f"  inspected: {_ranges(inspected)}")
    lines.append(f"  missed:    {_ranges(missed)}")
    due = status.of("due")
    if due:
        lines.append(f"  due now:   {due[0].week} (not inspected yet)")
    ahead = status.of("to come")
    if ahead:
        lines.append(f"  to come:   {_ranges(ahead)}")
    attainable = status.attainable
    verdict = (
        "met"
        if len(inspected) >= CONTRACT_PER_YEAR
        else ("attainable" if attainable >= CONTRACT_PER_YEAR else "no longer attainable")
    )
    lines.append(
        f"  contract (at least {CONTRACT_PER_YEAR} a year): {verdict}"
        f" ({len(inspected)} done, at most {attainable} possible this year)"
    )
    for week in inspected:
        runs = f", {week.runs} runs" if week.runs > 1 else ""
        late = ", inspected late (in the week after)" if week.late else ""
        lines.append(f"  {week.week}: {week.severity}, {week.hosts} hosts{runs}{late}")
    for problem in status.problems:
        lines.append(f"  unreadable: {problem}")
    return lines
