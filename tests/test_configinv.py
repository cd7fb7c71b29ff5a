"""medops inventory: snapshots built from recorded host state, the change history between two of them with
its causes, and the static site (every host a page in both languages, CSV, no secret)."""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from medops.configinv.history import causes, history, load_causes
from medops.configinv.run import host_context, read_policy
from medops.configinv.site import host_file, site_files
from medops.configinv.snapshot import build_snapshot, host_entry, load_snapshots, write_snapshot
from medops.drift.redact import redactor_for
from medops.drift.state import parse_state

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "drift"


def _entry(name: str, recorded: str) -> dict[str, Any]:
    text = (DATA / f"state-{recorded}.txt").read_text(encoding="utf-8")
    state = parse_state(text, (DATA / f"state-{recorded}.nonce").read_text(encoding="utf-8").strip())
    policy = read_policy(ROOT / "inventory" / "lab", date(2026, 11, 22))
    context = host_context(name, ("spare",), policy=policy, patches=[], inspections=[], drills=[])
    return host_entry(name, ("spare",), state, "", context)


def _snapshot(taken: datetime, hosts: list[dict[str, Any]]) -> dict[str, Any]:
    return build_snapshot(
        taken_at=taken, environment="lab", inventory=["inventory/lab"], medops_version="0", hosts=hosts
    )


def test_snapshot_entry_holds_the_auditors_facts_and_no_password_hash() -> None:
    entry = _entry("spare1", "clean")
    assert entry["os"]["pretty"].startswith("Debian GNU/Linux 12")
    assert entry["packages"]["openssh-server"]
    assert {"name": "opsadmin"}.items() <= next(
        a for a in entry["accounts"] if a["name"] == "opsadmin"
    ).items()
    assert any(s["unit"] == "ssh.service" for s in entry["services"])
    assert entry["firewall"].startswith("table inet medops")
    assert set(entry["roles"]) == {"base", "pgbackrest"}
    assert "$6$" not in json.dumps(entry)


def test_history_names_each_change_and_its_cause(tmp_path: Path) -> None:
    first = _snapshot(datetime(2026, 11, 20, 1, 0, tzinfo=UTC), [_entry("spare1", "clean")])
    second = _snapshot(datetime(2026, 11, 22, 1, 0, tzinfo=UTC), [_entry("spare1", "drift")])
    for snapshot in (first, second):
        write_snapshot(tmp_path, snapshot, json.dumps(snapshot))
    snapshots, problems = load_snapshots(tmp_path)
    assert problems == [] and len(snapshots) == 2
    changes = history(snapshots)["spare1"]
    seen = {(c.what, c.subject) for c in changes}
    assert {("package", "curl"), ("account", "intruder"), ("port", "tcp/8081 0.0.0.0")} <= seen
    assert ("service", "drift-listener.service") in seen
    folder = tmp_path / "patches" / "CHG-1"
    folder.mkdir(parents=True)
    (folder / "spare1.json").write_text(
        json.dumps(
            {"host": "spare1", "finished": "2026-11-21T02:00:00Z", "change_id": "CHG-1", "outcome": "ok"}
        ),
        encoding="utf-8",
    )
    found = causes(
        "spare1", groups=["spare"], entry=second["hosts"][0], since=first["taken_at"], at=second["taken_at"],
        recorded=load_causes(tmp_path),
    )  # fmt: skip
    assert [(c.kind, c.source) for c in found] == [("patch", "records/patches/CHG-1/spare1.json")]


def test_site_has_every_host_in_both_languages_and_no_secret(tmp_path: Path) -> None:
    canary = "medops-canary-feedfacefeedfacefeedface"
    entry = _entry("spare1", "drift")
    entry["sudo_rules"].append(f"/etc/sudoers.d/x: # {canary}")
    other = copy.deepcopy(entry) | {"name": "backup1", "groups": ["backup"]}
    latest = _snapshot(datetime(2026, 11, 22, 1, 0, tzinfo=UTC), [entry, other])
    redactor = redactor_for({"spare1": {"vault_canary": canary}})
    write_snapshot(tmp_path, latest, redactor.redact(json.dumps(latest)))
    snapshots, _ = load_snapshots(tmp_path)
    files = site_files(snapshots, [], "0.0.0", "2026-11-22T01:00:00+00:00")
    for lang in ("en", "zh-CN"):
        for host in ("spare1", "backup1"):
            assert host_file(host, lang) in files
    assert "index.html" in files and "index.zh-CN.html" in files
    assert 'type="search"' in files["index.html"]
    assert all(canary not in text for text in files.values())
    rows = list(csv.reader(io.StringIO(files["csv/packages.csv"].lstrip("\ufeff"))))
    assert rows[0] == ["Host", "Package", "Version"]
    assert ["spare1", "curl"] in [r[:2] for r in rows]
    assert "软件包" in files["csv/packages.zh-CN.csv"]


def test_cli_rebuilds_the_site_and_judges_the_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from medops.cli import main

    snapshot = _snapshot(datetime(2026, 11, 22, 1, 0, tzinfo=UTC), [_entry("spare1", "clean")])
    write_snapshot(tmp_path, snapshot, json.dumps(snapshot))
    assert main(["inventory", "site", "--records", str(tmp_path)]) == 0
    assert (tmp_path / "config-inventory" / "site" / "hosts" / "spare1.zh-CN.html").is_file()
    code = main(
        [
            "compliance",
            "--records",
            str(tmp_path),
            "--today",
            "2026-11-22",
            "--html",
            str(tmp_path / "c.html"),
        ]
    )
    assert code == 2  # no inspection on record: weeks missed
    assert "Configuration inventory up to date" in capsys.readouterr().out
    assert (tmp_path / "c.html").is_file()
