"""Patch plans, approvals and the hash that binds them, from apt output recorded on a Debian 12 host."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from medops.backup.review import Severity
from medops.cli import main
from medops.errors import MedopsError
from medops.patch.approval import (
    Approval,
    apply_plan,
    check_approval,
    check_current,
    parse_approval,
    template,
)
from medops.patch.apt import parse_dpkg_query, parse_policy, parse_simulation, parse_unit_packages
from medops.patch.plan import (
    COLLECTION_SCHEMA,
    HostPlan,
    Proposal,
    content_hash,
    host_plan,
    proposal_data,
    proposal_from_data,
    proposal_id,
)
from medops.patch.status import HostRecord, build_status

DATA = Path(__file__).resolve().parent / "data" / "patch"
SIMULATE = (DATA / "bookworm-simulate.txt").read_text()
POLICY = (DATA / "bookworm-policy.txt").read_text()
UNITS = (DATA / "bookworm-units.txt").read_text()
CREATED = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)


def _collection(host: str, simulate: str = SIMULATE, **extra: Any) -> dict[str, Any]:
    return {
        "schema": COLLECTION_SCHEMA,
        "host": host,
        "collected_at": CREATED.isoformat(),
        "os": "Debian 12.12",
        "container": "docker",
        "apt_update": {"rc": 0, "stderr": ""},
        "simulate": simulate,
        "policy": POLICY,
        "units": UNITS,
        **extra,
    }


def _proposal(hosts: tuple[str, ...] = ("qcis-app1", "qcis-db1")) -> Proposal:
    plans = tuple(host_plan(_collection(h), h) for h in hosts)
    return Proposal(proposal_id("lab", CREATED), "lab", CREATED, "li.na", plans)


def _approval_text(proposal: Proposal, **override: str) -> str:
    fields = {
        "change_id": "CHG-2026-H1-lab",
        "proposal": proposal.id,
        "content_hash": proposal.content_hash,
        "hosts": "[" + ", ".join(h.host for h in proposal.hosts) + "]",
        "approved_by": "Wang Fang (system owner)",
        "approved_on": '"2026-05-12"',
        "window": '{start: "2026-05-16T22:00:00+08:00", end: "2026-05-17T06:00:00+08:00"}',
        "reason": "Half-yearly patch cycle 2026 H1",
    }
    fields.update(override)
    return "".join(f"{k}: {v}\n" for k, v in fields.items() if v != "DROP")


def _approval(proposal: Proposal, **override: str) -> Approval:
    return parse_approval(_approval_text(proposal, **override), "approval")


IN_WINDOW = datetime.fromisoformat("2026-05-16T23:00:00+08:00")

# --- apt output ------------------------------------------------------------------------------------------


def test_simulation_lists_every_upgrade_with_versions_and_origin() -> None:
    simulation = parse_simulation(SIMULATE)
    assert len(simulation.upgrades) == 14
    libssl = next(u for u in simulation.upgrades if u.name == "libssl3")
    assert (libssl.installed, libssl.candidate, libssl.arch) == (
        "3.0.20-1~deb12u2",
        "3.0.22-1~deb12u2",
        "amd64",
    )
    assert [str(r) for r in libssl.releases] == ["Debian-Security:12/oldstable-security"]
    assert libssl.security and libssl.action == "upgrade" and not libssl.reboot_likely
    # "Inst python3.11 [...] (...) []": the trailing broken-dependency marker is not part of the version.
    python = next(u for u in simulation.upgrades if u.name == "python3.11")
    assert python.candidate == "3.11.2-6+deb12u9"
    assert simulation.removals == () and simulation.held_back == 0


def test_simulation_reads_new_packages_removals_and_several_releases() -> None:
    text = (
        "Inst linux-image-6.1.0-41-amd64 (6.1.158-1 Debian:12.13/oldstable, "
        "Debian-Security:12/oldstable-security [amd64])\n"
        "Inst libc6 [2.36-9+deb12u10] (2.36-9+deb12u13 Debian:12.13/oldstable [amd64])\n"
        "Remv libold1 [1.0-1]\n"
        "1 upgraded, 1 newly installed, 1 to remove and 2 not upgraded.\n"
    )
    simulation = parse_simulation(text)
    libc, kernel = simulation.upgrades  # sorted by name
    assert (
        kernel.action == "install" and kernel.installed is None and kernel.security and kernel.reboot_likely
    )
    assert len(kernel.releases) == 2
    assert libc.reboot_likely and not libc.security
    assert simulation.removals == (("libold1", "1.0-1"),) and simulation.held_back == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Reading package lists...\n", "no summary line"),
        (
            "Inst libc6 garbage\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n",
            "cannot read",
        ),
        ("E: Could not get lock /var/lib/dpkg/lock-frontend\n", "apt simulation failed"),
        ("2 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n", "the summary counts 2 upgraded"),
    ],
)
def test_simulation_refuses_what_it_cannot_read(text: str, message: str) -> None:
    with pytest.raises(MedopsError, match=message):
        parse_simulation(text)


def test_policy_names_the_candidates_security_source() -> None:
    policy = parse_policy(POLICY)
    assert len(policy) == 14
    perl = policy["perl-base"]
    assert perl.installed == "5.36.0-7+deb12u3" and perl.candidate == "5.36.0-7+deb12u4"
    assert perl.sources == ("http://mirror.example/debian-security bookworm-security/main amd64 Packages",)
    assert perl.security


def test_restart_scan_names_services_and_pid1() -> None:
    units = parse_unit_packages(UNITS)
    assert "libc6" in units["init.scope"]
    plan = host_plan(_collection("qcis-app1"), "x")
    assert plan.services == (
        "dbus.service",
        "ssh.service",
        "systemd-journald.service",
        "systemd-logind.service",
    )
    assert plan.pid1  # systemd maps libssl3 and liblzma5
    with pytest.raises(MedopsError, match="line 1"):
        parse_unit_packages("no tab here\n")


def test_dpkg_query_keeps_installed_packages_only() -> None:
    text = "libssl3:amd64\t3.0.22-1~deb12u2\tii \nold\t1.0\trc \nheld\t2.0\thi \n"
    assert parse_dpkg_query(text) == {"libssl3": "3.0.22-1~deb12u2", "held": "2.0"}


# --- the hash --------------------------------------------------------------------------------------------


def test_hash_is_over_the_sorted_host_package_version_set() -> None:
    entries = [("b", "libssl3", "3.0.22-1~deb12u2"), ("a", "tzdata", "2026f-0+deb12u1")]
    assert content_hash(entries) == content_hash(list(reversed(entries)))
    # The format is an interface (approvals quote it, docs/runbooks/patching.md describes it).
    canonical = b"a\ttzdata\t2026f-0+deb12u1\nb\tlibssl3\t3.0.22-1~deb12u2\n"
    assert content_hash(entries) == "sha256:" + hashlib.sha256(canonical).hexdigest()
    assert content_hash([("b", "libssl3", "3.0.22-1~deb12u3"), entries[1]]) != content_hash(entries)
    assert content_hash([("c", "libssl3", "3.0.22-1~deb12u2"), entries[1]]) != content_hash(entries)


def test_proposal_round_trips_and_refuses_an_edited_copy() -> None:
    proposal = _proposal()
    data = json.loads(json.dumps(proposal_data(proposal)))
    assert proposal_from_data(data, "p").content_hash == proposal.content_hash
    assert data["counts"] == {"hosts": 2, "packages": 28, "security": 28}
    data["hosts"][0]["packages"][0]["to"] = "9.9"
    with pytest.raises(MedopsError, match="edited after it was written"):
        proposal_from_data(data, "p")


def test_a_failed_apt_update_stops_the_plan() -> None:
    with pytest.raises(MedopsError, match="apt-get update failed"):
        host_plan(_collection("h", apt_update={"rc": 100, "stderr": "E: Failed to fetch"}), "h.json")


# --- approvals -------------------------------------------------------------------------------------------


def test_valid_approval_inside_its_window() -> None:
    proposal = _proposal()
    approval = _approval(proposal)
    check_approval(approval, proposal, IN_WINDOW)
    assert approval.approved_on == date(2026, 5, 12)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"approved_by": "DROP"}, "approved_by is missing"),
        ({"content_hash": "abc"}, "is not sha256:<64 hex digits>"),
        ({"change_id": "'bad id'"}, "may hold letters"),
        (
            {"window": '{start: "2026-05-17T06:00:00+08:00", end: "2026-05-16T22:00:00+08:00"}'},
            "is not after",
        ),
        ({"window": '{start: "2026-05-16T22:00:00", end: "2026-05-17T06:00:00"}'}, "no time zone"),
        ({"approved_on": "yesterday"}, "is not a date"),
        ({"surprise": "1"}, "surprise is not an approval field"),
    ],
)
def test_malformed_approvals_are_refused(override: dict[str, str], message: str) -> None:
    with pytest.raises(MedopsError, match=message):
        _approval(_proposal(), **override)


def test_an_altered_hash_is_refused() -> None:
    proposal = _proposal()
    digest = proposal.content_hash
    altered = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    with pytest.raises(MedopsError, match="is not the hash of proposal"):
        check_approval(_approval(proposal, content_hash=altered), proposal, IN_WINDOW)


def test_hosts_must_be_the_proposals() -> None:
    proposal = _proposal()
    with pytest.raises(MedopsError, match="are not the proposal's"):
        check_approval(_approval(proposal, hosts="[qcis-app1]"), proposal, IN_WINDOW)


def test_outside_the_window_is_refused() -> None:
    proposal = _proposal()
    approval = _approval(proposal)
    with pytest.raises(MedopsError, match="window opens"):
        check_approval(approval, proposal, IN_WINDOW - timedelta(days=1))
    with pytest.raises(MedopsError, match="window closed"):
        check_approval(approval, proposal, IN_WINDOW + timedelta(days=1))


def test_current_pending_set_must_equal_the_approved_one() -> None:
    proposal = _proposal()
    approval = _approval(proposal)
    same = [host_plan(_collection("qcis-app1"), "a")]
    check_current(approval, proposal, same)  # a --limit'ed run: the other host counts as approved
    newer = SIMULATE.replace("3.0.22-1~deb12u2", "3.0.23-1~deb12u1")
    moved = _collection("qcis-app1", newer, policy=POLICY.replace("3.0.22-1~deb12u2", "3.0.23-1~deb12u1"))
    changed = [host_plan(moved, "a"), host_plan(_collection("qcis-db1"), "b")]
    with pytest.raises(MedopsError, match=r"changed since proposal .* changed on qcis-app1\); refused"):
        check_current(approval, proposal, changed)
    stranger = [host_plan(_collection("chfms-app1"), "c")]
    with pytest.raises(MedopsError, match="chfms-app1 is not in proposal"):
        check_current(approval, proposal, stranger)


def test_nothing_pending_any_more_is_refused() -> None:
    proposal = _proposal()
    done = "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
    with pytest.raises(MedopsError, match="changed since proposal"):
        check_current(_approval(proposal), proposal, [host_plan(_collection("qcis-db1", done), "b")])


def test_exclusions_leave_packages_out_of_the_apply_plan() -> None:
    proposal = _proposal()
    exclude = "{hosts: [qcis-db1], packages: [{host: '*', package: tzdata}]}"
    approval = _approval(proposal, exclude=exclude)
    check_approval(approval, proposal, IN_WINDOW)
    plan = apply_plan(approval, proposal)
    app = plan["hosts"]["qcis-app1"]
    assert "tzdata" not in app["versions"] and app["held"] == ["tzdata"]
    assert "libssl3=3.0.22-1~deb12u2" in app["upgrade"] and len(app["versions"]) == 13
    assert plan["hosts"]["qcis-db1"]["excluded"] is True
    typo = _approval(proposal, exclude="{packages: [{host: qcis-app1, package: tzdata-legacy}]}")
    with pytest.raises(MedopsError, match="tzdata-legacy on qcis-app1"):
        check_approval(typo, proposal, IN_WINDOW)


def test_template_is_a_valid_approval_once_filled_in() -> None:
    proposal = _proposal()
    text = template(proposal, "CHG-2026-H1-lab", date(2026, 5, 12)).replace(
        'approved_by: ""', 'approved_by: "Wang Fang"'
    )
    approval = parse_approval(text, "t")
    check_approval(approval, proposal, datetime.fromisoformat("2026-05-12T22:30:00+08:00"))


# --- compliance ------------------------------------------------------------------------------------------


def _record(host: str, change: str, day: str, outcome: str = "ok") -> HostRecord:
    return HostRecord(
        change, host, datetime.fromisoformat(f"{day}T03:00:00+08:00"), outcome, 5, "not-needed", "r"
    )


def _plan_on(day: str, pending: bool) -> Proposal:
    created = datetime.fromisoformat(f"{day}T02:00:00+00:00")
    simulate = SIMULATE if pending else "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
    plan = host_plan(_collection("qcis-db1", simulate, collected_at=created.isoformat()), "c")
    return Proposal(proposal_id("lab", created), "lab", created, "li.na", (plan,))


def test_two_cycles_a_year_and_old_security_updates() -> None:
    records = [
        _record("qcis-db1", "CHG-1", "2026-03-10"),
        _record("qcis-db1", "CHG-2", "2026-09-10", outcome="failed"),
        _record("qcis-app1", "CHG-1", "2026-03-10"),
        _record("qcis-app1", "CHG-2", "2026-09-12"),
    ]
    plans = [_plan_on("2026-08-01", True), _plan_on("2026-09-01", False), _plan_on("2026-10-01", True)]
    plans.append(_plan_on("2026-11-20", True))
    status = build_status(
        "lab",
        hosts=["qcis-app1", "qcis-db1", "spare1"],
        year=2026,
        today=date(2026, 11, 22),
        max_age_days=30,
        records=records,
        proposals=plans,
    )
    by_host = {h.host: h for h in status.hosts}
    app, db, spare = by_host["qcis-app1"], by_host["qcis-db1"], by_host["spare1"]
    # Two cycles, but never planned: its pending security updates are unknown, so a warning.
    assert app.met and app.severity is Severity.WARNING and app.plan is None
    # One ok cycle (the failed one does not count); the pending fixes were first seen 2026-10-01 (the
    # September plan showed none), so 52 days old: critical.
    assert [r.change_id for r in db.cycles] == ["CHG-1"] and not db.met
    assert {p.first_seen for p in db.pending} == {date(2026, 10, 1)}
    assert all(p.overdue and p.age_days == 52 for p in db.pending)
    assert db.severity is Severity.CRITICAL and db.problems == ("security",)
    assert spare.cycles == () and spare.severity is Severity.CRITICAL and spare.problems == ("cycles",)
    early = build_status(
        "lab", hosts=["spare1"], year=2026, today=date(2026, 5, 1), max_age_days=30, records=[], proposals=[]
    )
    assert early.hosts[0].severity is Severity.WARNING  # nothing due before 30 June


# --- the CLI ---------------------------------------------------------------------------------------------


def _collected(folder: Path, hosts: tuple[str, ...]) -> Path:
    folder.mkdir()
    for host in hosts:
        (folder / f"{host}.json").write_text(json.dumps(_collection(host)))
    return folder


def test_cli_plan_template_and_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    records = tmp_path / "records"
    collected = _collected(tmp_path / "c", ("qcis-app1", "qcis-db1"))
    monkeypatch.setenv("MEDOPS_RECORDS", str(records))
    assert main(["patch", "plan", "--from-collected", str(collected), "--environment", "lab"]) == 0
    out = capsys.readouterr().out
    pid = proposal_id("lab", CREATED)
    assert f"proposal {pid}: 28 package updates on 2 hosts" in out
    folder = records / "patches" / pid
    assert sorted(p.name for p in folder.iterdir()) == [
        "collected",
        "proposal.html",
        "proposal.json",
        "proposal.md",
        "proposal.zh-CN.html",
        "proposal.zh-CN.md",
    ]
    assert "安全更新" in (folder / "proposal.zh-CN.md").read_text()
    assert main(["patch", "plan", "--from-collected", str(collected), "--environment", "lab"]) == 2
    assert "never overwritten" in capsys.readouterr().err

    assert main(["patch", "approval-template", pid, "--change-id", "CHG-1", "--today", "2026-05-12"]) == 0
    text = capsys.readouterr().out.replace('approved_by: ""', 'approved_by: "Wang Fang"')
    (records / "patches" / "approvals").mkdir()
    (records / "patches" / "approvals" / "CHG-1.yml").write_text(text)
    assert main(["patch", "check-approval", "CHG-1", "--now", "2026-05-12T22:30:00+08:00"]) == 0
    assert "approval CHG-1 is valid" in capsys.readouterr().out
    assert main(["patch", "check-approval", "CHG-1", "--now", "2026-06-12T22:30:00+08:00"]) == 2
    assert "window closed" in capsys.readouterr().err
    plan = tmp_path / "plan.json"
    assert (
        main(
            [
                "patch",
                "check-approval",
                "CHG-1",
                "--current",
                str(collected),
                "--now",
                "2026-05-12T22:30:00+08:00",
                "--apply-plan",
                str(plan),
            ]
        )
        == 0
    )
    assert json.loads(plan.read_text())["hosts"]["qcis-db1"]["versions"]["libssl3"] == "3.0.22-1~deb12u2"
    assert main(["patch", "check-approval", "CHG-2"]) == 2
    assert "no approval CHG-2" in capsys.readouterr().err


def test_cli_status_reads_the_inventory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, root: Path
) -> None:
    monkeypatch.setenv("MEDOPS_RECORDS", str(tmp_path))
    monkeypatch.chdir(root)
    code = main(["patch", "status", "--today", "2026-11-22", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 2  # no lab host has a cycle on record
    assert "security max age 30 days" in out and "qcis-db1" in out and "never planned" in out
    assert (tmp_path / "out" / "patch-status-lab-2026.html").exists()
    assert main(["patch", "status", "--year", "2099", "--today", "2026-11-22"]) == 2
    assert "after 2026" in capsys.readouterr().err


def test_host_plan_counts_security_updates() -> None:
    plan: HostPlan = _proposal().hosts[0]
    assert plan.security_count == 14 and plan.container == "docker" and plan.collected_at.tzinfo == UTC


def test_the_policy_must_agree_with_the_simulation() -> None:
    newer = SIMULATE.replace("3.0.22-1~deb12u2", "3.0.23-1~deb12u1")
    with pytest.raises(MedopsError, match="package lists changed during collection"):
        host_plan(_collection("qcis-app1", newer), "a")
