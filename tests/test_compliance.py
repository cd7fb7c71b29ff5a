"""medops compliance: counting each obligation from records written here, judged on chosen days."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from medops.backup.policy import check_policy_file, policy_path
from medops.compliance.obligations import (
    drills,
    inventory_age,
    load_approvals,
    load_drills,
    load_patch_records,
    patch_cycles,
    reviews,
)
from medops.compliance.report import compliance_data, compliance_document, gather, terminal_lines
from medops.report.render import to_html

DATA = Path(__file__).parent / "data"

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "inventory" / "lab"


def _policy(today: date):  # type: ignore[no-untyped-def]
    policy = check_policy_file(policy_path(LAB), today).policy
    assert policy is not None
    return policy


def _patch(records: Path, change: str, host: str, finished: str, outcome: str = "ok") -> None:
    folder = records / "patches" / change
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "schema": "medops.patch-record/1",
        "change_id": change,
        "host": host,
        "finished": finished,
        "outcome": outcome,
        "approved_by": "Wang Fang",
    }
    (folder / f"{host}.json").write_text(json.dumps(record), encoding="utf-8")


def _approve(records: Path, change: str) -> None:
    folder = records / "patches" / "approvals"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{change}.yml").write_text(
        f"change_id: {change}\napproved_by: Wang Fang (system owner)\napproved_on: 2026-05-12\n",
        encoding="utf-8",
    )


def test_patch_cycles_count_approved_changes_per_host(tmp_path: Path) -> None:
    _patch(tmp_path, "CHG-2026-H1", "qcis-db1", "2026-05-16T23:10:00Z")
    _patch(tmp_path, "CHG-2026-H2", "qcis-db1", "2026-11-14T23:10:00Z")
    _patch(tmp_path, "CHG-2026-H1", "qcis-app1", "2026-05-16T23:20:00Z")
    _patch(tmp_path, "CHG-2026-X", "qcis-app1", "2026-10-01T02:00:00Z")  # never approved: does not count
    _patch(tmp_path, "CHG-2026-H2", "qcis-app1", "2026-11-14T23:30:00Z", outcome="failed")
    _approve(tmp_path, "CHG-2026-H1")
    _approve(tmp_path, "CHG-2026-H2")
    patches, problems = load_patch_records(tmp_path)
    assert problems == [] and len(patches) == 5
    found = patch_cycles(
        ["qcis-db1", "qcis-app1", "spare1"],
        patches=patches,
        approvals=load_approvals(tmp_path),
        year=2026,
        today=date(2026, 12, 20),
        within=14,
    )
    by_host = {o.subject: o for o in found}
    assert (by_host["qcis-db1"].state, by_host["qcis-db1"].done) == ("met", 2)
    assert (by_host["qcis-app1"].state, by_host["qcis-app1"].done) == ("due", 1)  # 11 days to year end
    assert any("no approval" in e.text for e in by_host["qcis-app1"].evidence)
    assert by_host["spare1"].state == "missed"  # nothing by 30 June


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 11, 22), "met"),
        (date(2027, 3, 1), "ok"),
        (date(2027, 5, 10), "due"),
        (date(2027, 6, 1), "missed"),
    ],
)
def test_policy_reviews_two_a_year_and_at_most_184_days_apart(today: date, state: str) -> None:
    # The lab policy's reviews: 2026-05-20 and 2026-11-18; next one due by 2027-05-21.
    assert reviews(_policy(today), Path("/nonexistent"), today.year, today, 14).state == state


def _drill_record(system: str, rto_seconds: float, failback: str | None) -> dict[str, Any]:
    """A drill record as dr-rebuild.yml and dr-failback.yml write it, from a recorded one."""
    data: dict[str, Any] = json.loads(
        (DATA / "drills" / "qcis-20261122T020000Z.json").read_text(encoding="utf-8")
    )
    data["system"] = system
    data["id"] = f"{system}-20261122T020000Z"
    data["rebuild"]["rto"]["seconds"] = rto_seconds
    if failback is None:
        data["failback"] = None
    else:
        data["failback"]["outcome"] = failback
    return data


def test_drills_judge_the_measured_rto_against_the_policy(tmp_path: Path) -> None:
    folder = tmp_path / "drills"
    folder.mkdir()
    for name, data in {
        "qcis-20261122T020000Z.json": _drill_record("qcis", 262.0, "success"),
        "chfms-20261122T020000Z.json": _drill_record("chfms", 5 * 3600, "success"),
    }.items():
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
    (folder / "broken.json").write_text("{}", encoding="utf-8")
    found, problems = load_drills(tmp_path)
    assert [p.split(":")[0] for p in problems] == ["drills/broken.json"]
    result = {o.subject: o for o in drills(_policy(date(2026, 12, 1)), found, 2026, date(2026, 12, 1), 14)}
    assert result["qcis"].state == "met"
    assert result["qcis"].evidence[0].source == "records/drills/qcis-20261122T020000Z.json"
    assert result["qcis"].evidence[0].text.startswith("2026-11-22: success, RTO 262.0 s")
    assert result["chfms"].state == "due"  # 5 h against 4 h: not met; another drill is due this year
    late = {o.subject: o for o in drills(_policy(date(2026, 12, 25)), [], 2026, date(2026, 12, 25), 14)}
    assert late["qcis"].state == "due" and late["qcis"].detail == "no drill this year"


def test_a_refused_rebuild_is_no_drill_and_a_failed_failback_shows(tmp_path: Path) -> None:
    folder = tmp_path / "drills"
    folder.mkdir()
    refused = _drill_record("qcis", 262.0, None)
    refused["rebuild"]["outcome"] = "refused"
    (folder / "qcis-1.json").write_text(json.dumps(refused), encoding="utf-8")
    found, _ = load_drills(tmp_path)
    result = {o.subject: o for o in drills(_policy(date(2026, 12, 1)), found, 2026, date(2026, 12, 1), 14)}
    assert result["qcis"].done == 0 and result["qcis"].state == "due"
    (folder / "qcis-2.json").write_text(json.dumps(_drill_record("qcis", 262.0, "failed")), encoding="utf-8")
    found, _ = load_drills(tmp_path)
    assert [d.outcome for d in found] == ["refused", "fail-back failed"]


def test_inventory_age_follows_the_newest_change() -> None:
    snapshot = datetime(2026, 11, 1, tzinfo=UTC)
    assert inventory_age(snapshot, None, date(2026, 11, 10), 14).state == "ok"
    assert inventory_age(snapshot, None, date(2026, 11, 25), 14).state == "due"
    assert (
        inventory_age(snapshot, datetime(2026, 11, 5, tzinfo=UTC), date(2026, 11, 10), 14).state == "missed"
    )
    assert inventory_age(None, None, date(2026, 11, 10), 14).state == "missed"


def test_gather_reports_every_obligation_in_both_languages(tmp_path: Path) -> None:
    result = gather(LAB, tmp_path, 2026, date(2026, 11, 22), 14)
    keys = {o.key for o in result.obligations}
    assert keys == {"inspections", "patch", "review", "restore", "drill", "inventory"}
    assert len([o for o in result.obligations if o.key == "patch"]) == 7  # one per lab host
    assert result.exit_code == 2  # nothing on record: inspections and patch cycles missed
    data = compliance_data(result, "lab")
    assert data["exit_code"] == 2 and len(data["obligations"]) == len(result.obligations)
    for lang in ("en", "zh-CN"):
        html = to_html(compliance_document(result, "lab", lang, "0.0.0", "inventory/lab"))
        assert "qcis-db1" in html
        assert terminal_lines(result, "lab", lang)[0]
