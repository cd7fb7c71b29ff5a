"""medops drift with recorded data: host state parsing, the baseline comparison, check-mode results,
redaction and the report. Recorded on a lab image converged as spare1 (base and pgbackrest in restore
mode), clean and then with drift made by hand: sshd_config appended to, a listener on tcp/8081, an
account `intruder` with a password and sudo, curl installed, /etc/issue edited.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from medops.drift.baseline import Finding, allowed_from, baseline_packages, compare, role_declarations
from medops.drift.checkmode import Declared, parse_results
from medops.drift.redact import MIN_LENGTH, Redactor, redactor_for, secret_values
from medops.drift.report import drift_document, terminal_lines, unified
from medops.drift.run import DriftRun, HostDrift, drift_data, host_drift, items
from medops.drift.state import HostState, parse_accounts, parse_listen, parse_state, parse_verify, sudo_users
from medops.inspect.targets import Target
from medops.report.render import to_html, to_markdown

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "drift"
NO_SECRETS = Redactor({})
SPARE = Target("spare1", ("spare",), "172.30.77.61", "docker", ("true",))


def _state(name: str) -> HostState:
    text = (DATA / f"state-{name}.txt").read_text(encoding="utf-8")
    return parse_state(text, (DATA / f"state-{name}.nonce").read_text(encoding="utf-8").strip())


def _lab_hostvars() -> dict[str, Any]:
    """What spare1 sees of the lab inventory that drift reads (plain group_vars, no vault)."""
    hostvars: dict[str, Any] = {}
    for group in ("all", "spare"):
        for path in sorted((ROOT / "inventory" / "lab" / "group_vars" / group).glob("*.yml")):
            if path.name != "vault.yml":
                hostvars.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return hostvars


def _declared(name: str = "clean") -> Declared:
    run = parse_results((DATA / f"check-{name}.json").read_text(encoding="utf-8"), NO_SECRETS)
    return run.declared["spare1"]


def _roles() -> dict[str, dict[str, object]]:
    return role_declarations(ROOT / "roles")


def test_state_parses_every_section_of_a_recorded_host() -> None:
    state = _state("clean")
    assert state.problems == ()
    assert state.meta is not None and state.meta.os_id == "debian"
    assert state.packages is not None and "openssh-server" in state.packages
    assert {(s.proto, s.port) for s in state.listeners} == {("tcp", 22), ("udp", 323)}
    assert state.accounts["opsadmin"].login_capable
    assert not state.accounts["postgres"].login_capable  # a shell, but locked and no keys
    assert not state.accounts["root"].login_capable
    assert sudo_users(state.sudoers, state.accounts) == {
        "root": "/etc/sudoers: root\tALL=(ALL:ALL) ALL",
        "opsadmin": "/etc/sudoers.d/medops-admins: opsadmin ALL=(ALL:ALL) ALL",
    }
    assert state.enabled is not None and any(u.unit == "ssh.service" for u in state.enabled)
    assert state.fact is not None and set(state.fact.roles) == {"base", "pgbackrest"}


def test_parsers_read_literal_lines() -> None:
    listeners = parse_listen(
        'tcp LISTEN 0 5 0.0.0.0:8081 0.0.0.0:* users:(("python3",pid=9,fd=3))\n'
        "udp UNCONN 0 0 [::1]:323 [::]:*\n"
        "tcp LISTEN 0 128 [fe80::1%eth0]:9000 [::]:*\n"
    )
    assert [(x.proto, x.port, x.address, x.process) for x in listeners] == [
        ("tcp", 8081, "0.0.0.0", "python3"),  # noqa: S104 - text, not a bind
        ("tcp", 9000, "fe80::1", ""),
        ("udp", 323, "::1", ""),
    ]
    assert listeners[2].loopback
    changed = parse_verify("??5??????   c /etc/issue\nmissing     /usr/share/doc/x\ndpkg: warning: junk\n")
    assert [(c.path, c.conffile, c.missing) for c in changed] == [
        ("/etc/issue", True, False),
        ("/usr/share/doc/x", False, True),
    ]
    accounts = parse_accounts(
        "eve:x:1001:1001::/home/eve:/bin/sh\nsvc:x:999:999::/srv:/usr/sbin/nologin\n",
        "eve NP 2026-01-01 0 99999 7 -1\nsvc P 2026-01-01 0 99999 7 -1\n",
        "",
        "eve:x:1001:\nsvc:x:999:\n",
    )
    assert accounts["eve"].login_capable  # an empty password is a way in
    assert not accounts["svc"].login_capable  # a password, but no shell


def test_a_converged_host_has_no_undeclared_state() -> None:
    assert compare(_state("clean"), _declared(), _lab_hostvars(), _roles()) == []


def test_drift_names_exactly_what_was_done_by_hand() -> None:
    found = compare(_state("drift"), _declared(), _lab_hostvars(), _roles())
    assert [(f.kind, f.subject) for f in found] == [
        ("package", "curl"),
        ("port", "tcp/8081"),
        ("user", "intruder"),
        ("file", "/etc/issue"),
    ]
    assert "libcurl4" in found[0].detail  # brought in by curl: named with it, not apart
    assert "sudo" in found[2].detail


def test_without_the_role_declarations_chronyds_port_is_undeclared() -> None:
    found = compare(_state("clean"), _declared(), _lab_hostvars(), {})
    assert [(f.kind, f.subject) for f in found] == [("port", "udp/323"), ("port", "udp/323")]


def test_a_package_nothing_declares_is_drift_with_its_unit() -> None:
    state = _state("clean")
    declared = _declared()
    without = Declared(
        declared.packages - {"postgresql-common"}, declared.enabled, declared.users, declared.files
    )
    packages = {(f.kind, f.subject) for f in compare(state, without, _lab_hostvars(), _roles())}
    # postgresql-15 depends on postgresql-common, so only a package nothing needs is undeclared.
    assert ("package", "postgresql-common") not in packages
    assert state.packages is not None
    assert "postgresql-common" in baseline_packages(state.packages, ["postgresql-15"])


def test_allowances_merge_group_entries() -> None:
    allowed = allowed_from(
        {
            "drift_allowed_packages": ["a*"],
            "drift_allowed_packages__web": [{"name": "nginx-extras", "why": "web"}],
        },
        {"base": {"drift_allowed": {"units": [{"name": "x.service", "why": "role"}]}}},
    )
    assert allowed.match("packages", "apt") is not None
    assert allowed.match("packages", "nginx-extras") is not None
    assert allowed.match("units", "x.service") is not None
    assert allowed.match("packages", "curl") is None


def test_check_run_after_a_new_commit_is_only_a_version_stamp() -> None:
    run = parse_results((DATA / "check-clean.json").read_text(encoding="utf-8"), NO_SECRETS)
    assert run.changes == ()
    assert run.fact_only == ("spare1",)
    assert [(b.role, b.task, b.reason) for b in run.blind] == [
        (
            "pgbackrest",
            "Let pgBackRest parse the configuration (option names and values, no connection made)",
            "when: pgbackrest_register_conf is changed and not ansible_check_mode",
        ),
        (
            "pgbackrest",
            "Remove the backups of pgbackrest.conf (the repository's holds the passphrase)",
            "Command would have run if not in check mode",
        ),
    ]
    declared = run.declared["spare1"]
    assert {"openssh-server", "postgresql-15", "pgbackrest"} <= declared.packages
    assert {"chrony", "ssh", "nftables"} <= declared.enabled
    assert "/etc/ssh/sshd_config" in declared.files
    assert not any("{{" in name for name in declared.enabled)


def test_check_run_with_drift_groups_changes_and_handlers() -> None:
    run = parse_results((DATA / "check-drift.json").read_text(encoding="utf-8"), NO_SECRETS)
    assert [(c.role, c.task, c.path) for c in run.changes] == [
        ("base", "Write the sshd configuration", "/etc/ssh/sshd_config")
    ]
    assert "X11Forwarding yes" in unified(
        {"before": run.changes[0].diffs[0].before, "after": run.changes[0].diffs[0].after}
    )
    assert [h.task for h in run.handlers] == ["Restart the sshd service"]
    assert run.changes[0].diffs[0].after_header == "sshd_config.j2 (rendered)"
    assert "Check the sshd configuration again" in [b.task for b in run.blind]  # a handler's command


def _fake_results(secret: str) -> str:
    return json.dumps(
        {
            "playbook": "site.yml",
            "results": [
                {
                    "host": "h1",
                    "role": "app",
                    "task": "Write the environment file",
                    "action": "ansible.builtin.template",
                    "status": "changed",
                    "path": "/etc/medops-app/app.env",
                    "diff": [{"before": f"DB_PASSWORD={secret}\n", "after": "DB_PASSWORD=new\n"}],
                }
            ],
        }
    )


def test_redaction_covers_values_lines_and_json_escapes() -> None:
    key = "\n".join(
        [
            "-----BEGIN PRIVATE KEY-----",
            "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49",
            "AwEHBG0wawIBAQQg",
            "-----END PRIVATE KEY-----",
        ]
    )
    secrets = secret_values(
        {
            "h1": {
                "vault_db": {"app": "s3cret-value", "short": "abc"},
                "vault_ca": {"key": key},
                "plain": "s3cret-value-not-a-vault",
            }
        }
    )
    redactor = Redactor(secrets)
    assert redactor.redact("password s3cret-value!") == "password [redacted: vault_db.app]!"
    whole = redactor.redact(json.dumps({"after": key}))
    assert whole == '{"after": "[redacted: vault_ca.key]"}'  # the value, JSON-escaped
    diff = "\n".join(f"+{line}" for line in key.splitlines())  # a diff shows it a line at a time
    text = redactor.redact(json.dumps({"diff": diff}))
    assert "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49" not in text and "AwEHBG0wawIBAQQg" not in text
    assert "BEGIN PRIVATE KEY" in text  # the PEM boundary is not a secret
    assert redactor.too_short == ("vault_db.short",)
    assert len("abc") < MIN_LENGTH
    run = parse_results(_fake_results("s3cret-value"), redactor)
    assert "s3cret-value" not in run.changes[0].diffs[0].before


def test_report_in_both_languages_holds_no_secret_and_every_host() -> None:
    canary = "medops-canary-0123456789"
    redactor = redactor_for({"spare1": {"vault_canary": canary}})
    check = parse_results((DATA / "check-drift.json").read_text(encoding="utf-8"), redactor)
    text = (DATA / "state-drift.txt").read_text(encoding="utf-8") + f"\n{canary}\n"
    host = host_drift(
        SPARE,
        output=redactor.redact(text),
        nonce=(DATA / "state-drift.nonce").read_text(encoding="utf-8").strip(),
        error="",
        check=check,
        hostvars=_lab_hostvars(),
        roles=_roles(),
    )
    assert host.status == "drift"
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
    run = DriftRun("lab", ("inventory/lab",), None, None, moment, moment, "playbooks/site.yml", (host,))
    data = drift_data(run)
    assert run.exit_code == 2
    assert items(data["hosts"][0]) == [
        ("change", "base: Write the sshd configuration (/etc/ssh/sshd_config)"),
        ("package", "curl"),
        ("port", "tcp/8081"),
        ("user", "intruder"),
        ("file", "/etc/issue"),
    ]
    for lang in ("en", "zh-CN"):
        document = drift_document(data, lang, "0.0.0")
        for rendered in (to_html(document), to_markdown(document), json.dumps(data)):
            assert canary not in rendered
            assert "spare1" in rendered
        assert "<pre>" in to_html(document)
        assert terminal_lines(data, lang)[0]


@pytest.mark.parametrize("status", ["clean", "drift", "incomplete"])
def test_exit_code_is_zero_only_when_every_host_is_clean(status: str) -> None:
    from datetime import UTC, datetime

    failures = ("host state: unreachable",) if status == "incomplete" else ()
    findings: tuple[Finding, ...] = (Finding("port", "tcp/1", "x"),) if status == "drift" else ()
    host = HostDrift("h", (), (), (), False, findings, (), failures)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    run = DriftRun("lab", (), None, None, moment, moment, "site.yml", (host,))
    assert host.status == status
    assert run.exit_code == (0 if status == "clean" else 2)


def test_ara_is_enabled_beside_the_medops_callbacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from medops import runhistory

    monkeypatch.setattr(runhistory, "ara_callbacks", lambda: tmp_path / "ara" / "callback")
    env = runhistory.ara_env(ROOT, {"ANSIBLE_CALLBACKS_ENABLED": "medops_summary,medops_drift"}, "run-1")
    assert env["ANSIBLE_CALLBACKS_ENABLED"] == "medops_summary,medops_drift,ara_default"
    assert env["ANSIBLE_CALLBACK_PLUGINS"].split(":") == [
        str(ROOT / "plugins" / "callback"),
        str(tmp_path / "ara" / "callback"),
    ]
    assert env["ARA_BASE_DIR"] == str(ROOT / ".lab" / "ara")
    assert env["ARA_DEFAULT_LABELS"] == "medops,run-1"
    shared = runhistory.ara_env(ROOT, {"ARA_API_CLIENT": "http", "ARA_API_SERVER": "https://ara.example"})
    assert "ARA_BASE_DIR" not in shared
    monkeypatch.setattr(runhistory, "ara_callbacks", lambda: None)
    assert runhistory.ara_env(ROOT, {"A": "b"}) == {"A": "b"}
