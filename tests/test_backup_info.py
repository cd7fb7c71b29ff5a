"""pgbackrest info parsing, fed with the recorded fixtures (tests/data/pgbackrest/README.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from medops.backup.info import parse_info, summarize_stanza, wal_continuity
from medops.backup.restore_tests import RecordError, load_restore_tests, parse_restore_test
from medops.errors import MedopsError

DATA = Path(__file__).resolve().parent / "data" / "pgbackrest"
AS_OF = datetime(2026, 11, 22, 12, 0, tzinfo=timezone(timedelta(hours=8)))
FIXTURES = sorted(p.name for p in DATA.glob("*.json"))


def _stanzas(name: str) -> dict[str, object]:
    return {s.name: s for s in parse_info((DATA / name).read_text())}


def test_the_four_required_cases_and_more_are_recorded() -> None:
    assert {
        "healthy-two-stanzas.json",
        "stanza-error.json",
        "empty-stanza.json",
        "old-full.json",
        "wal-gap.json",
    } <= set(FIXTURES)


@pytest.mark.parametrize("name", FIXTURES)
def test_every_fixture_parses_in_order(name: str) -> None:
    stanzas = parse_info((DATA / name).read_text())
    assert [s.name for s in stanzas] == ["chfms", "qcis"]
    for stanza in stanzas:
        starts = [b.start for b in stanza.backups]
        assert starts == sorted(starts)
        for backup in stanza.backups:
            assert backup.stop >= backup.start
            assert backup.start.tzinfo is UTC
            assert backup.type in ("full", "diff", "incr")
        summary = summarize_stanza(stanza, AS_OF)
        assert sum(summary.counts.values()) == len(stanza.backups)


def test_healthy_stanza_summary() -> None:
    qcis = parse_info((DATA / "healthy-two-stanzas.json").read_text())[1]
    summary = summarize_stanza(qcis, AS_OF)
    assert qcis.ok and qcis.status_text == "ok" and qcis.cipher == "aes-256-cbc"
    assert dict(summary.counts) == {"full": 2, "diff": 6, "incr": 7}
    full = summary.newest["full"]
    assert full.backup.label == "20261122-010004F"
    assert full.age == AS_OF - full.backup.stop
    assert timedelta(hours=10) < full.age < timedelta(hours=11)
    assert timedelta(minutes=2) < full.backup.duration < timedelta(minutes=5)
    assert full.backup.database_size > 2 * (1 << 30)
    assert 0 < full.backup.repo_delta < full.backup.database_size
    assert summary.newest["diff"].backup.label == "20261115-010004F_20261121-010003D"
    assert summary.newest["incr"].backup.label == "20261115-010004F_20261121-130001I"
    assert summary.newest["incr"].backup.prior == "20261115-010004F_20261121-010003D"
    assert summary.wal.ok and summary.wal.gaps == ()
    assert (summary.wal.min, summary.wal.max) == ("00000001000000650000001E", "000000010000006E000000E7")


def test_error_status_keeps_the_repository_message() -> None:
    chfms = parse_info((DATA / "stanza-error.json").read_text())[0]
    assert not chfms.ok and chfms.status_code == 99
    assert chfms.status_text.startswith("other; [PathOpenError] unable to list file info")
    assert chfms.backups == () and chfms.archives == ()
    summary = summarize_stanza(chfms, AS_OF)
    assert summary.newest == {} and not summary.wal.ok and not summary.wal.status_ok


def test_empty_stanza_has_wal_but_no_backup() -> None:
    chfms = parse_info((DATA / "empty-stanza.json").read_text())[0]
    assert (chfms.status_code, chfms.status_message) == (2, "no valid backups")
    summary = summarize_stanza(chfms, AS_OF)
    assert dict(summary.counts) == {"full": 0, "diff": 0, "incr": 0}
    assert summary.wal.min is not None and summary.wal.max is not None
    assert not summary.wal.ok  # the stanza's status is not ok


def test_old_full_is_three_weeks_old() -> None:
    chfms = parse_info((DATA / "old-full.json").read_text())[0]
    summary = summarize_stanza(chfms, AS_OF)
    assert summary.newest["full"].backup.label == "20261101-010004F"
    assert timedelta(days=21) < summary.newest["full"].age < timedelta(days=22)
    assert summary.newest["diff"].age < timedelta(days=2)
    assert summary.wal.ok


def test_wal_gap_and_backup_error() -> None:
    qcis = parse_info((DATA / "wal-gap.json").read_text())[1]
    continuity = wal_continuity(qcis)
    assert not continuity.ok and continuity.status_ok
    assert [(g.label, g.edge) for g in continuity.gaps] == [("20261115-010004F", "start")]
    assert [b.label for b in qcis.backups if b.error] == ["20261115-010004F_20261119-010002D"]


def test_backup_lock_is_read() -> None:
    data = json.loads((DATA / "healthy-two-stanzas.json").read_text())
    data[0]["status"]["lock"]["backup"] = {"held": True, "size": 100, "size-cplt": 40}
    assert parse_info(json.dumps(data))[0].backup_running


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "pgbackrest info output is not JSON"),
        ('{"name": "qcis"}', "pgbackrest info output is not a list of stanzas"),
        ('[{"name": "qcis"}]', "pgbackrest info: stanza qcis: status is missing"),
        (
            '[{"name": "qcis", "status": {"code": 0}, '
            '"backup": [{"label": "20261122-010004F", "type": "full"}]}]',
            r"stanza qcis.backup\[0\] \(20261122-010004F\): timestamp is missing",
        ),
        (
            '[{"name": "qcis", "status": {"code": 0}, "backup": [{"label": "x", "type": "snapshot"}]}]',
            "type 'snapshot' is not one of",
        ),
    ],
)
def test_bad_output_names_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(MedopsError, match=message):
        parse_info(text)


def test_empty_repository() -> None:
    assert parse_info("[]") == ()


# --- Restore-test records ------------------------------------------------------------------------------

RECORD = {
    "system": "qcis",
    "started_at": "2026-11-01T03:00:04+08:00",
    "finished_at": "2026-11-01T03:41:37+08:00",
    "duration_seconds": 2493,
    "backup_label": "20261025-010002F_20261031-010003D",
    "size_bytes": 44023414784,
    "outcome": "passed",
    "detail": "restored on spare1; PostgreSQL started; row counts of 17 tables match",
}


def test_record_parses() -> None:
    test = parse_restore_test(json.dumps(RECORD), "restore-tests/qcis.json")
    assert test.passed and test.system == "qcis" and test.duration_seconds == 2493
    assert test.finished_at - test.started_at == timedelta(minutes=41, seconds=33)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcome": "ok"}, "outcome is 'ok'; expected passed or failed"),
        ({"started_at": "2026-11-01 03:00"}, "started_at '2026-11-01 03:00' has no UTC offset"),
        ({"finished_at": "2026-10-31T03:00:00+08:00"}, "finished_at is before started_at"),
        ({"duration_seconds": -1}, "duration_seconds is -1"),
        ({"backup_label": "latest"}, "backup_label is 'latest'; expected a pgBackRest label"),
        ({"size_bytes": 1.5}, "size_bytes is 1.5"),
        ({"system": ""}, "system is ''"),
        ({"detail": None}, "detail is None"),
    ],
)
def test_bad_record_names_the_field(change: dict[str, object], message: str) -> None:
    with pytest.raises(RecordError, match=message.replace("(", r"\(")):
        parse_restore_test(json.dumps({**RECORD, **change}), "x")


def test_missing_fields_are_named() -> None:
    with pytest.raises(RecordError, match="missing outcome, detail"):
        parse_restore_test(
            json.dumps({k: v for k, v in RECORD.items() if k not in ("outcome", "detail")}), "x"
        )


def test_load_records_keeps_the_good_and_names_the_bad(tmp_path: Path) -> None:
    assert load_restore_tests(tmp_path).tests == ()
    folder = tmp_path / "restore-tests"
    folder.mkdir()
    (folder / "b.json").write_text(json.dumps({**RECORD, "started_at": "2026-10-01T03:00:00+08:00"}))
    (folder / "a.json").write_text(json.dumps(RECORD))
    (folder / "broken.json").write_text("{")
    (folder / "notes.txt").write_text("ignored")
    records = load_restore_tests(tmp_path)
    assert [t.source for t in records.tests] == ["restore-tests/b.json", "restore-tests/a.json"]
    assert len(records.problems) == 1 and records.problems[0].startswith(
        "restore-tests/broken.json: not JSON"
    )
