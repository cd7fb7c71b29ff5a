"""`medops inspect`, `inspect status` and `inspect report` end to end, and their errors.

The end-to-end run inspects this machine itself (an inventory host with `ansible_connection: local`: the
real collection script runs under `sh -s`) next to a host whose container does not exist: the record is
written, the unreachable host is a finding, the other host is reported in full.
"""

# Chinese expectations use full-width punctuation, as the labels do.
# ruff: noqa: RUF001

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from medops.cli import main
from medops.inspect.run import ESTATE_TZ
from medops.inspect.weeks import week_of

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.yml"
    path.write_text(
        "all:\n"
        "  vars:\n"
        "    medops_environment: test\n"
        "  children:\n"
        "    control:\n"
        "      hosts:\n"
        "        self:\n"
        "          ansible_connection: local\n"
        "    lost:\n"
        "      hosts:\n"
        "        lost1:\n"
        "          ansible_connection: community.docker.docker\n"
        "          ansible_host: medops-inspect-test-no-such-container\n"
    )
    return path


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_a_week_not_written_as_an_iso_week_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["inspect", "--week", "2026-47"])
    assert exc.value.code == 2
    assert "'2026-47' is not an ISO week such as 2026-W47" in capsys.readouterr().err


def test_a_week_that_does_not_exist(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["inspect", "--week", "2027-W53"])
    assert "2027 has weeks W01 to W52" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_jobs_must_be_a_positive_number(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["inspect", "--jobs", value])
    assert "--jobs" in capsys.readouterr().err


def test_a_future_week_is_refused_before_anything(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    future = str(week_of(datetime.now(ESTATE_TZ)).next().next())
    assert main(["inspect", "-i", str(inventory), "--records", str(tmp_path / "r"), "--week", future]) == 2
    assert "has not begun" in _one_error_line(capsys)
    assert not (tmp_path / "r").exists()


def test_a_week_long_past_is_refused(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = str(week_of(datetime.now(ESTATE_TZ)).previous().previous())
    assert main(["inspect", "-i", str(inventory), "--records", str(tmp_path / "r"), "--week", old]) == 2
    assert "ended more than a week ago" in _one_error_line(capsys)
    assert not (tmp_path / "r").exists()


def test_a_limit_that_matches_nothing(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", "-i", str(inventory), "--records", str(tmp_path / "r"), "--limit", "web*"]) == 2
    assert _one_error_line(capsys) == "medops: error: --limit 'web*' matches no host of the inventory"
    assert not (tmp_path / "r").exists()


def test_a_missing_inventory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "-i", str(tmp_path / "nowhere"), "--records", str(tmp_path / "r")]) == 2
    assert "does not exist" in _one_error_line(capsys)


def test_bad_thresholds_name_the_host_and_the_variable(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = inventory.read_text().replace(
        "    medops_environment: test\n",
        "    medops_environment: test\n"
        "    inspection_thresholds: {disk_used: {warning: 0.95, critical: 0.9}}\n",
    )
    inventory.write_text(text)
    assert main(["inspect", "-i", str(inventory), "--records", str(tmp_path / "r")]) == 2
    assert _one_error_line(capsys) == (
        "medops: error: lost1: inspection_thresholds.disk_used: warning 0.95 must not be above critical 0.9 "
        "(higher is worse)"
    )
    assert not (tmp_path / "r").exists()


def test_an_unreadable_record_of_the_week_stops_the_run(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "r"
    path = records / "inspections" / f"{week_of(datetime.now(ESTATE_TZ))}.json"
    path.parent.mkdir(parents=True)
    path.write_text("{")
    assert main(["inspect", "-i", str(inventory), "--records", str(records)]) == 2
    assert "is not JSON" in _one_error_line(capsys)
    assert path.read_text() == "{"


def test_inspect_this_machine_and_a_lost_host(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "records"
    code = main(["inspect", "-i", str(inventory), "--records", str(records), "--lang", "zh-CN", "--summary"])
    out = capsys.readouterr().out
    assert code == 2  # an unreachable host is critical
    week = str(week_of(datetime.now(ESTATE_TZ)))
    record = json.loads((records / "inspections" / f"{week}.json").read_text())
    hosts = {h["name"]: h for h in record["hosts"]}
    assert hosts["lost1"]["status"] == "unreachable"
    assert [f["check"] for f in hosts["lost1"]["findings"]] == ["reachable"]
    me = hosts["self"]
    assert me["reachable"] and me["data"]["problems"] == []
    assert me["data"]["cpu"]["count"] >= 1 and me["data"]["mounts"]
    assert {f["check"] for f in me["findings"]} >= {"reachable", "load", "memory", "disk", "reboot"}
    for ext in ("html", "md", "json"):
        assert (records / "inspection-reports" / f"{week}.zh-CN.{ext}").is_file()
    assert "每周巡检报告" in (records / "inspection-reports" / f"{week}.zh-CN.md").read_text()
    assert f"巡检 {week}（test）" in out and "不可达" in out
    assert "inspected 2 hosts in " in out

    # The same week again: the record is replaced, the first run kept.
    assert main(["inspect", "-i", str(inventory), "--records", str(records), "--limit", "lost1"]) == 2
    again = json.loads((records / "inspections" / f"{week}.json").read_text())
    assert len(again["earlier_runs"]) == 1 and {h["name"] for h in again["hosts"]} == {"self", "lost1"}
    assert "kept in earlier_runs" in capsys.readouterr().out

    # Reports again, in English, from the record alone.
    assert main(["inspect", "report", "--week", week, "--records", str(records)]) == 0
    assert (records / "inspection-reports" / f"{week}.en.html").is_file()
    capsys.readouterr()

    # The year so far: this week inspected.
    code = main(["inspect", "status", "--records", str(records)])
    status = capsys.readouterr().out
    assert f"{week}:" in status and "1 of" in status.splitlines()[0]
    assert code == (0 if week.endswith("-W01") else 1)  # every earlier week of the year is missed here


def test_no_record_writes_nothing(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "records"
    assert (
        main(["inspect", "-i", str(inventory), "--records", str(records), "--no-record", "--limit", "lost1"])
        == 2
    )
    assert not records.exists()
    assert "Unreachable" in capsys.readouterr().out


def test_report_of_a_week_without_a_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "report", "--week", "2026-W01", "--records", str(tmp_path)]) == 2
    assert "no inspection record for 2026-W01" in _one_error_line(capsys)


def test_status_of_a_year_with_every_week_inspected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "inspections"
    folder.mkdir()
    for n in range(1, 53):
        week = f"2025-W{n:02d}"
        (folder / f"{week}.json").write_text(
            json.dumps(
                {
                    "record": "medops.inspection",
                    "schema": 1,
                    "week": week,
                    "severity": "ok",
                    "hosts": [{"name": "a", "reachable": True}],
                }
            )
        )
    assert (
        main(["inspect", "status", "--year", "2025", "--records", str(tmp_path), "--today", "2026-02-01"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("inspections 2025: 52 of 52 weeks inspected, 0 missed")
    assert "contract (at least 52 a year): met" in out
