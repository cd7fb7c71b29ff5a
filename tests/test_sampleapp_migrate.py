"""The sample application's migration runner: discovery, checksums and planning (no database)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medops_sampleapp.migrate import main
from medops_sampleapp.migrations import (
    Applied,
    Migration,
    MigrationError,
    load_migrations,
    parse_migrations,
    plan_migrations,
    result_line,
)

CLOSED_PORT = {"PGHOST": "127.0.0.1", "PGPORT": "9"}  # discard: nothing listens there


def _files(**named: str) -> dict[str, bytes]:
    return {f"{name}.sql": sql.encode() for name, sql in named.items()}


def _migrations(count: int) -> list[Migration]:
    return parse_migrations(
        {f"{n:04d}_step{n}.sql": f"CREATE TABLE t{n} (id int);\n".encode() for n in range(1, count + 1)}
    )


def _applied(*migrations: Migration, sha256: str | None = None) -> dict[int, Applied]:
    return {m.version: Applied(m.version, m.name, sha256 or m.sha256) for m in migrations}


def test_the_repository_migrations_load_in_order_with_their_checksums(root: Path) -> None:
    directory = root / "sampleapp" / "migrations"
    migrations = load_migrations(directory)
    assert [(m.version, m.name) for m in migrations] == [(1, "0001_reports"), (2, "0002_report_templates")]
    for migration in migrations:
        data = (directory / f"{migration.name}.sql").read_bytes()
        assert migration.sha256 == hashlib.sha256(data).hexdigest()
        assert migration.sql == data.decode()
    assert "CREATE TABLE reports" in migrations[0].sql
    assert "template_code" in migrations[1].sql


def test_other_files_in_the_folder_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE a (id int);\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("notes\n", encoding="utf-8")
    assert [m.name for m in load_migrations(tmp_path)] == ["0001_a"]


def test_a_missing_or_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="is not a folder of migrations"):
        load_migrations(tmp_path / "nowhere")
    with pytest.raises(MigrationError, match=r"holds no migrations \(\*\.sql\)"):
        load_migrations(tmp_path)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"1_reports.sql": b"SELECT 1;"}, "1_reports.sql: not a migration file name"),
        ({"0001_Reports.sql": b"SELECT 1;"}, "0001_Reports.sql: not a migration file name"),
        ({"0000_zero.sql": b"SELECT 1;"}, "0000_zero.sql: migrations are numbered from 0001"),
        (
            {"0001_a.sql": b"SELECT 1;", "0001_b.sql": b"SELECT 2;"},
            "0001_b.sql: version 1 is also 0001_a.sql",
        ),
        ({"0001_a.sql": b"SELECT 1;", "0003_c.sql": b"SELECT 3;"}, "migration 0002 is missing"),
        ({"0001_a.sql": b"-- only a comment\n"}, "0001_a.sql: holds no SQL"),
        ({"0001_a.sql": "SELECT 'é';".encode("latin-1")}, "0001_a.sql: not UTF-8"),
        ({"0001_a.sql": b"BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n"}, "0001_a.sql: contains 'BEGIN;'"),
        ({"0001_a.sql": b"CREATE TABLE a (id int);\ncommit;\n"}, "0001_a.sql: contains 'commit'"),
        ({"0001_a.sql": b"START TRANSACTION;\nSELECT 1;\n"}, "0001_a.sql: contains 'START TRANSACTION'"),
    ],
    ids=[
        "short-number",
        "upper-case",
        "zero",
        "duplicate",
        "gap",
        "empty",
        "not-utf8",
        "begin",
        "commit",
        "start",
    ],
)
def test_bad_migration_files_are_refused_naming_the_file(files: dict[str, bytes], message: str) -> None:
    with pytest.raises(MigrationError) as exc:
        parse_migrations(files)
    assert str(exc.value).startswith(message)


def test_a_plpgsql_block_is_not_transaction_control() -> None:
    sql = "DO $$\nBEGIN\n  IF true THEN\n    PERFORM 1;\n  END IF;\nEND\n$$;\n-- COMMIT; in a comment\n"
    [migration] = parse_migrations({"0001_block.sql": sql.encode()})
    assert migration.sql == sql


def test_a_fresh_database_gets_every_migration() -> None:
    migrations = _migrations(3)
    plan = plan_migrations(migrations, {}, None)
    assert [m.version for m in plan.pending] == [1, 2, 3]
    assert (plan.current, plan.after, plan.not_in_release) == (0, 3, ())


def test_only_what_is_not_applied_is_pending() -> None:
    migrations = _migrations(3)
    plan = plan_migrations(migrations, _applied(*migrations[:2]), None)
    assert [m.name for m in plan.pending] == ["0003_step3"]
    assert (plan.current, plan.after) == (2, 3)


def test_an_up_to_date_database_gets_nothing() -> None:
    migrations = _migrations(2)
    plan = plan_migrations(migrations, _applied(*migrations), None)
    assert plan.pending == ()
    assert (plan.current, plan.after) == (2, 2)


@pytest.mark.parametrize(
    ("target", "pending", "after"), [(0, [], 0), (1, [1], 1), (2, [1, 2], 2), (3, [1, 2, 3], 3)]
)
def test_target_stops_at_that_migration(target: int, pending: list[int], after: int) -> None:
    plan = plan_migrations(_migrations(3), {}, target)
    assert [m.version for m in plan.pending] == pending
    assert plan.after == after


@pytest.mark.parametrize("target", [-1, 4])
def test_a_target_that_is_not_a_migration_is_refused(target: int) -> None:
    with pytest.raises(MigrationError, match=rf"target {target} is not a migration here \(0 to 3\)"):
        plan_migrations(_migrations(3), {}, target)


def test_a_target_below_the_schema_reverses_nothing() -> None:
    migrations = _migrations(3)
    plan = plan_migrations(migrations, _applied(*migrations), 1)
    assert plan.pending == ()
    assert plan.after == 3


def test_a_changed_applied_migration_refuses_the_whole_run() -> None:
    migrations = _migrations(3)
    applied = _applied(migrations[0]) | _applied(migrations[1], sha256="0" * 64)
    with pytest.raises(MigrationError) as exc:
        plan_migrations(migrations, applied, None)  # 0003 is pending, yet nothing may be applied
    message = str(exc.value)
    assert message.startswith(
        "migration 0002_step2 was applied with sha256 000000000000… but the file now has "
    )
    assert migrations[1].sha256[:12] in message
    assert "an applied migration must not change" in message


def test_every_changed_migration_is_counted() -> None:
    migrations = _migrations(3)
    with pytest.raises(MigrationError, match=r"\(and 2 more changed\)"):
        plan_migrations(migrations, _applied(*migrations, sha256="f" * 64), None)


def test_a_file_edited_after_apply_is_caught_by_its_checksum(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE a (id int);\n", encoding="utf-8")
    applied = _applied(*load_migrations(tmp_path))
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE a (id bigint);\n", encoding="utf-8")
    with pytest.raises(MigrationError, match="0001_a was applied with sha256"):
        plan_migrations(load_migrations(tmp_path), applied, None)


def test_a_hole_in_the_applied_history_is_refused() -> None:
    migrations = _migrations(3)
    with pytest.raises(MigrationError, match="0001_step1 is not applied but the later 0002 is"):
        plan_migrations(migrations, _applied(migrations[1]), None)


def test_an_older_release_on_a_newer_schema_applies_nothing_and_says_so() -> None:
    newer = _migrations(3)
    plan = plan_migrations(newer[:2], _applied(*newer), None)
    assert plan.pending == ()
    assert (plan.current, plan.after, plan.not_in_release) == (3, 3, (3,))


def test_result_line_shape() -> None:
    migrations = _migrations(2)
    line = result_line(plan_migrations(migrations, _applied(migrations[0]), None), dry_run=True)
    assert "\n" not in line
    assert json.loads(line) == {
        "applied": [2],
        "schema_version": 2,
        "dry_run": True,
        "previous_schema_version": 1,
        "not_in_release": [],
    }


def test_cli_usage_error_is_exit_1_and_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--dbname", "qcis"])
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--migrations" in err[0]


def test_cli_bad_migrations_stop_before_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "0001_a.sql").write_text("COMMIT;\n", encoding="utf-8")
    assert main(["--dbname", "qcis", "--migrations", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "medops_sampleapp.migrate: 0001_a.sql: contains 'COMMIT'; "
        "the runner wraps each file in a transaction of its own\n"
    )


def test_module_run_reports_an_unreachable_database_in_one_line(root: Path) -> None:
    """python3 -m medops_sampleapp.migrate as the deploy runs it, against a port where nothing listens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")} | CLOSED_PORT
    result = subprocess.run(
        [sys.executable, "-m", "medops_sampleapp.migrate", "--dbname", "qcis", "--migrations", "migrations"],
        cwd=root / "sampleapp",
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    err = result.stderr.splitlines()
    assert len(err) == 1
    assert err[0].startswith("medops_sampleapp.migrate: cannot connect to database qcis: ")
    assert "9" in err[0]
