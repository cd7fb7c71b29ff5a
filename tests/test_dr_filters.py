"""The filters the DR playbooks use to work out a drill record (plugins/filter/medops_dr.py)."""

from __future__ import annotations

from types import ModuleType

import pytest


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("2026-11-22T01:59:30Z", 1795312770.0),
        ("2026-11-22T09:59:30+08:00", 1795312770.0),
        ("2026-11-22 09:59:30+08", 1795312770.0),
        ("2026-11-22T09:59:30.5+08:00", 1795312770.5),
        ("2026-11-22T09:59:30", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_epoch_needs_an_offset(medops_dr: ModuleType, text: str | None, epoch: float | None) -> None:
    assert medops_dr.epoch(text) == epoch


def test_time_problems_name_the_variable(medops_dr: ModuleType) -> None:
    assert medops_dr.time_problems("", "failed_at") == []
    assert medops_dr.time_problems("2026-11-22 09:59", "failed_at") == [
        "failed_at '2026-11-22 09:59' is not a time with its UTC offset, like 2026-11-22T09:59:30+08:00"
    ]


def test_utc_and_phases(medops_dr: ModuleType) -> None:
    assert medops_dr.utc(1795312770.25) == "2026-11-22T01:59:30.250Z"
    assert medops_dr.utc(None) is None
    assert medops_dr.phases([{"name": "base", "t0": 1795312770.0, "t1": 1795312831.04}]) == [
        {
            "name": "base",
            "started": "2026-11-22T01:59:30.000Z",
            "finished": "2026-11-22T02:00:31.040Z",
            "seconds": 61.0,
        }
    ]


def test_wal_positions(medops_dr: ModuleType) -> None:
    assert medops_dr.segment_lsn("000000010000000000000009") == "0/9000000"
    assert medops_dr.segment_lsn("00000002000000010000000A") == "1/A000000"
    assert medops_dr.segment_lsn("nonsense") is None
    span = medops_dr.wal_span("0/5000028", "0/9000000", "000000010000000000000008")
    assert span == {"bytes": 0x9000000 - 0x5000028, "segments": 4, "reached_archive_end": True}
    assert (
        medops_dr.wal_span("0/5000028", "0/7FFFFF0", "000000010000000000000008")["reached_archive_end"]
        is False
    )
    assert medops_dr.wal_span("0/5000028", "", "")["segments"] == 0


def test_history_switch(medops_dr: ModuleType) -> None:
    history = "1\t0/9000000\tno recovery target specified\n\n2\t0/C0000A0\tno recovery target specified\n"
    assert medops_dr.history_switch(history) == {
        "parent_timeline": 2,
        "lsn": "0/C0000A0",
        "reason": "no recovery target specified",
    }
    assert medops_dr.history_switch("") == {}


def test_last_deploy_and_last_counts(medops_dr: ModuleType) -> None:
    deploys = [
        {
            "system": "qcis",
            "outcome": "success",
            "version": "1.0.0",
            "finished": "2026-11-01T01:00:00Z",
            "_source": "a",
        },
        {"system": "qcis", "outcome": "rolled_back", "version": "1.2.0", "finished": "2026-11-03T01:00:00Z"},
        {
            "system": "qcis",
            "outcome": "success",
            "version": "1.1.0",
            "finished": "2026-11-02T01:00:00Z",
            "_source": "b",
        },
        {"system": "chfms", "outcome": "success", "version": "2.0.0", "finished": "2026-11-04T01:00:00Z"},
    ]
    assert medops_dr.last_deploy(deploys, "qcis") == {
        "version": "1.1.0",
        "source": "b",
        "finished": "2026-11-02T01:00:00Z",
    }
    assert medops_dr.last_deploy(deploys, "none") == {}
    tests = [
        {
            "system": "qcis",
            "outcome": "passed",
            "started_at": "2026-11-01T03:00:00+08:00",
            "row_counts": {"qcis": {}},
        },
        {"system": "qcis", "outcome": "failed", "started_at": "2026-12-01T03:00:00+08:00", "row_counts": {}},
        {
            "system": "qcis",
            "outcome": "passed",
            "started_at": "2026-10-01T03:00:00+08:00",
            "row_counts": {"qcis": {"t": 1}},
        },
    ]
    assert medops_dr.last_counts(tests, "qcis")["at"] == "2026-11-01T03:00:00+08:00"


def test_row_check_fails_missing_tables_and_warns_of_fewer_rows(medops_dr: ModuleType) -> None:
    known = {"qcis": {"public.reports": 10, "public.old": 3, "public.templates": 2}}
    restored = {"qcis": {"public.reports": 12, "public.templates": 1, "public.new": 4}}
    check = medops_dr.row_check(known, restored, False)
    assert check["problems"] == ["qcis public.old: missing after the restore (known 3 rows)"]
    assert check["fewer"] == ["qcis public.templates: 1 rows restored, 2 known earlier"]
    assert check["tables"]["qcis"]["public.new"] == {"known": None, "restored": 4}
    exact = medops_dr.row_check(known, restored, True)
    assert "qcis public.reports: 12 rows restored, 10 at the restore point" in exact["problems"]


def test_checksum_tables(medops_dr: ModuleType) -> None:
    rows = medops_dr.checksum_tables(
        {"qcis": {"public.a": "3:42", "public.b": "1:7"}}, {"qcis": {"public.a": "3:42"}}
    )
    assert rows == [
        {
            "database": "qcis",
            "table": "public.a",
            "rows": 3,
            "spare": "3:42",
            "primary": "3:42",
            "equal": True,
        },
        {
            "database": "qcis",
            "table": "public.b",
            "rows": 1,
            "spare": "1:7",
            "primary": "missing",
            "equal": False,
        },
    ]


def test_projection_scales_the_restore(medops_dr: ModuleType) -> None:
    phases = [{"name": "base", "t0": 0, "t1": 60}, {"name": "restore", "t0": 60, "t1": 70}]
    out = medops_dr.projection(phases, 2**30, 10, 350, 28800)
    assert out["restore_seconds"] == 3500.0 and out["total_seconds"] == 3560.0
    assert out["within_rto"] and out["measured_share"] == pytest.approx(1 / 350, abs=1e-6)
    assert medops_dr.projection(phases, 0, 10, 350, 28800) is None


def test_merge_phases_spans_every_host(medops_dr: ModuleType) -> None:
    merged = medops_dr.merge_phases(
        [
            {"name": "maintenance", "t0": 10, "t1": 12},
            {"name": "checks", "t0": 0, "t1": 9},
            {"name": "maintenance", "t0": 9.5, "t1": 13},
        ]
    )
    assert merged == [
        {"name": "checks", "t0": 0.0, "t1": 9.0},
        {"name": "maintenance", "t0": 9.5, "t1": 13.0},
    ]
