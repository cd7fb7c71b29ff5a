"""`medops backup check-policy` and `medops backup review`, end to end (no live hosts: --info-json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medops.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
HEALTHY = str(DATA / "pgbackrest" / "healthy-two-stanzas.json")
TODAY = "2026-11-22"
RECORD = {
    "started_at": "2026-11-01T03:00:04+08:00",
    "finished_at": "2026-11-01T03:04:31+08:00",
    "duration_seconds": 267,
    "backup_label": "20261025-010002F_20261031-010003D",
    "size_bytes": 2254857830,
    "outcome": "passed",
    "detail": "restored on spare1; PostgreSQL started; row counts match",
}


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """A records folder with this month's restore test of each system."""
    folder = tmp_path / "records"
    (folder / "restore-tests").mkdir(parents=True)
    for system in ("qcis", "chfms"):
        (folder / "restore-tests" / f"{system}-20261101T030004.json").write_text(
            json.dumps({"system": system, **RECORD})
        )
    return folder


def _review(records: Path, *extra: str, info: str = HEALTHY) -> int:
    return main(
        ["backup", "review", "--info-json", info, "--records", str(records), "--today", TODAY, *extra]
    )


# --- check-policy --------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["lab", "production"])
def test_real_policies_pass(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", "check-policy", "-i", str(ROOT / "inventory" / env), "--today", TODAY]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert out[0].startswith("policy ok: ") and "qcis (RTO 8 h" in out[0] and "chfms (RTO 4 h" in out[0]


def test_default_inventory_is_the_lab(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["backup", "check-policy", "--today", TODAY]) == 0
    assert "inventory/lab/group_vars/all/backup_policy.yml" in capsys.readouterr().out


def test_overdue_reviews_fail_with_today(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["backup", "check-policy", "-i", str(ROOT / "inventory" / "lab"), "--today", "2027-06-01"]) == 1
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1 problem in ") and out[0].endswith("(as of 2027-06-01):")
    assert out[1] == (
        "reviews: the newest review (2026-11-18) is 195 days old; a review is due at least every 184 days"
    )


def test_malformed_policy_lists_each_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (DATA / "policies" / "valid.yml").read_text()
    text = text.replace("process_max_backup: 4", "process_max_backup: 0").replace(
        "compress_type: zst", "compress_type: xz"
    )
    policy = tmp_path / "policy.yml"
    policy.write_text(text)
    assert main(["backup", "check-policy", "--policy", str(policy), "--today", TODAY]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2 problems in ")
    assert out[1:] == [
        "repository.compress_type is 'xz'; expected one of zst, lz4, gz, none",
        "repository.process_max_backup is 0; at least 1 process is needed",
    ]


@pytest.mark.parametrize("name", ["missing.yml", "a-folder"])
def test_missing_or_unreadable_file_is_one_line(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-folder").mkdir()
    assert main(["backup", "check-policy", "--policy", str(tmp_path / name)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("medops: error: ")


def test_bad_today_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["backup", "check-policy", "--today", "22.11.2026"])
    assert exc.value.code == 2
    assert "'22.11.2026' is not a date as YYYY-MM-DD" in capsys.readouterr().err


# --- review --------------------------------------------------------------------------------------------


def test_review_writes_three_files_in_english(records: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _review(records, "-i", str(ROOT / "inventory" / "lab")) == 0
    out = capsys.readouterr().out
    folder = records / "backup-reviews"
    for ext in ("md", "html", "json"):
        assert (folder / f"{TODAY}.{ext}").is_file()
        assert f"wrote {folder / f'{TODAY}.{ext}'}" in out
    assert f"backup review {TODAY} (lab): ok (0 critical, 0 warning, 25 ok)" in out
    html = (folder / f"{TODAY}.html").read_text()
    assert "<svg" in html and "@media print" in html and "@page" in html and "size: A4" in html
    assert "Semiannual backup policy review" in html and "Reviewed by" in html
    data = json.loads((folder / f"{TODAY}.json").read_text())
    assert data["report"] == "medops.backup-review" and data["lang"] == "en" and data["severity"] == "ok"
    assert [s["name"] for s in data["systems"]] == ["qcis", "chfms"]
    assert data["sources"]["policy"] == "inventory/lab/group_vars/all/backup_policy.yml"
    markdown = (folder / f"{TODAY}.md").read_text()
    assert "| Newest full backup | OK |" in markdown
    assert str(ROOT) not in markdown + html + json.dumps(data)  # no machine paths in records


def test_review_in_chinese(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "zh"
    assert _review(records, "--lang", "zh-CN", "--out", str(out)) == 0
    html = (out / f"{TODAY}.html").read_text()
    markdown = (out / f"{TODAY}.md").read_text()
    data = json.loads((out / f"{TODAY}.json").read_text())
    assert '<html lang="zh-CN">' in html and "<svg" in html and "@media print" in html
    for text in ("备份策略半年度评审", "最新全量备份", "评审人", "签名"):
        assert text in html and text in markdown
    assert data["lang"] == "zh-CN" and data["findings"][0]["check_label"] == "策略评审"
    assert not (records / "backup-reviews").exists()


def test_exit_codes_follow_the_worst_finding(records: Path, tmp_path: Path) -> None:
    old_full = str(DATA / "pgbackrest" / "old-full.json")
    assert _review(records, "--out", str(tmp_path / "critical"), info=old_full) == 2
    empty = tmp_path / "no-records"
    empty.mkdir()
    assert _review(empty, "--out", str(tmp_path / "warning")) == 1


def test_review_never_overwrites_without_force(records: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _review(records) == 0
    report = records / "backup-reviews" / f"{TODAY}.md"
    report.write_text("signed paper copy transcribed here")
    capsys.readouterr()
    assert _review(records) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    error = captured.err.strip().splitlines()
    assert len(error) == 1
    assert "already exists: a review of 2026-11-22 is on record and is not overwritten" in error[0]
    assert "--force" in error[0]
    assert report.read_text() == "signed paper copy transcribed here"
    assert _review(records, "--force") == 0
    assert "replaced" in capsys.readouterr().out
    assert report.read_text().startswith("# Semiannual backup policy review")


def test_records_default_to_the_environment_variable(
    records: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MEDOPS_RECORDS", str(records))
    assert main(["backup", "review", "--info-json", HEALTHY, "--today", TODAY]) == 0
    assert (records / "backup-reviews" / f"{TODAY}.html").is_file()


def test_unreadable_info_json_is_one_line(records: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _review(records, info=str(records / "absent.json")) == 2
    assert capsys.readouterr().err.startswith("medops: error: cannot read ")


def test_broken_policy_stops_the_review(
    tmp_path: Path, records: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "inventory" / "broken"
    (inventory / "group_vars" / "all").mkdir(parents=True)
    (inventory / "group_vars" / "all" / "backup_policy.yml").write_text(
        (DATA / "policies" / "retention-zero.yml").read_text()
    )
    assert _review(records, "-i", str(inventory)) == 2
    err = capsys.readouterr().err
    assert "1 problem(s), the first: systems.qcis.retention.full is 0; keep at least 1 full backup" in err
    assert not (records / "backup-reviews").exists()
