"""ISO weeks across year boundaries, and which weeks of a year were inspected or missed."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from medops.inspect.status import status_lines, year_status
from medops.inspect.weeks import IsoWeek, parse_week, week_of, weeks_in_year, year_weeks


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2026, 12, 31), "2026-W53"),  # a Thursday: 2026 has 53 weeks
        (date(2027, 1, 1), "2026-W53"),  # Friday 1 January still belongs to 2026's last week
        (date(2027, 1, 3), "2026-W53"),
        (date(2027, 1, 4), "2027-W01"),  # the first Monday of 2027
        (date(2025, 12, 29), "2026-W01"),  # Monday 29 December 2025 starts 2026's first week
        (date(2024, 12, 30), "2025-W01"),
        (date(2026, 11, 22), "2026-W47"),
        (date(2020, 12, 31), "2020-W53"),
    ],
)
def test_week_of(day: date, week: str) -> None:
    assert str(week_of(day)) == week


def test_weeks_in_year() -> None:
    assert [weeks_in_year(y) for y in (2020, 2021, 2025, 2026, 2027, 2032)] == [53, 52, 52, 53, 52, 53]
    assert len(year_weeks(2026)) == 53 and year_weeks(2026)[-1] == IsoWeek(2026, 53)


def test_a_week_is_taken_in_beijing_time() -> None:
    # Sunday 23:30 UTC is already Monday 07:30 in Beijing: the next week.
    late_sunday = datetime(2026, 11, 22, 23, 30, tzinfo=timezone.utc)  # noqa: UP017 - reads as what it is
    assert str(week_of(late_sunday.astimezone(timezone(timedelta(hours=8))))) == "2026-W48"


def test_parse_week() -> None:
    week = parse_week("2026-W53")
    assert (week.monday, week.sunday) == (date(2026, 12, 28), date(2027, 1, 3))
    assert str(week.next()) == "2027-W01" and str(parse_week("2027-W01").previous()) == "2026-W53"
    for bad, reason in [
        ("2027-W53", "2027 has weeks W01 to W52"),
        ("2026-W00", "2026 has weeks W01 to W53"),
        ("2026-47", "not an ISO week"),
        ("26-W47", "not an ISO week"),
        ("1969-W01", "before any record"),
    ]:
        with pytest.raises(ValueError, match=reason):
            parse_week(bad)


def _record(folder: Path, week: str, reachable: bool = True, severity: str = "ok") -> None:
    (folder / "inspections").mkdir(parents=True, exist_ok=True)
    record = {
        "record": "medops.inspection",
        "schema": 1,
        "week": week,
        "severity": severity,
        "hosts": [{"name": "qcis-app1", "reachable": reachable, "status": severity}],
        "earlier_runs": [],
    }
    (folder / "inspections" / f"{week}.json").write_text(json.dumps(record))


def test_year_status(tmp_path: Path) -> None:
    for n in [*range(1, 10), *range(12, 47)]:
        _record(tmp_path, f"2026-W{n:02d}")
    _record(tmp_path, "2026-W10", reachable=False)  # no host reached: not an inspection
    (tmp_path / "inspections" / "2026-W11.json").write_text("{not json")
    status = year_status(tmp_path, 2026, date(2026, 11, 22))
    assert [w.week.week for w in status.of("missed")] == [10, 11]
    assert [w.week.week for w in status.of("due")] == [47]
    assert len(status.of("to come")) == 6 and len(status.of("inspected")) == 44
    assert not status.on_track and status.attainable == 51
    lines = status_lines(status)
    assert (
        lines[0] == "inspections 2026: 44 of 53 weeks inspected, 2 missed (as of 2026-11-22, week 2026-W47)"
    )
    assert "  inspected: W01-W09, W12-W46" in lines
    assert "  missed:    W10-W11" in lines
    assert "  due now:   2026-W47 (not inspected yet)" in lines
    assert any("no longer attainable (44 done, at most 51 possible this year)" in line for line in lines)
    assert any(line.startswith("  unreadable: 2026-W11.json is not JSON") for line in lines)


def test_a_past_year_fully_inspected(tmp_path: Path) -> None:
    for week in year_weeks(2025):
        _record(tmp_path, str(week))
    status = year_status(tmp_path, 2025, date(2026, 1, 10))
    assert status.on_track and len(status.of("inspected")) == 52
    assert "contract (at least 52 a year): met" in "\n".join(status_lines(status))


def test_a_week_inspected_late_says_so(tmp_path: Path) -> None:
    _record(tmp_path, "2026-W46")
    path = tmp_path / "inspections" / "2026-W46.json"
    record = json.loads(path.read_text())
    record["started_at"] = "2026-11-23T01:30:00+00:00"  # Monday 09:30 in Beijing: the week after
    path.write_text(json.dumps(record))
    status = year_status(tmp_path, 2026, date(2026, 11, 23))
    assert status.of("inspected")[0].late
    assert "  2026-W46: ok, 1 hosts, inspected late (in the week after)" in status_lines(status)


def test_no_records_yet(tmp_path: Path) -> None:
    status = year_status(tmp_path / "none", 2026, date(2026, 1, 7))
    assert [w.week.week for w in status.of("missed")] == [1]
    assert [w.week.week for w in status.of("due")] == [2]
