"""The repository run the way AWX / Automation Platform runs a job: `ansible-runner run` with this
repository as the project directory (its ansible.cfg, roles and plugins, nothing edited or copied),
playbooks/site.yml as the playbook and the scenario's hosts as the inventory; then the run's artifacts
are read as AWX reads them: status, rc and the job events.

The scenario's inventory holds only the base role's hosts: site.yml's baseline play (`hosts: all`, the
same role and variables as converge.yml) runs on them, and every play for another group (db_servers,
app_servers, backup, ...) finds no host. Molecule converged these hosts already, so the job changes
nothing. docs/awx.md explains the job templates built on this.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[3]))
HOSTS = {"molecule-base-debian12", "molecule-base-debian13"}
# The job's stdout carries the colours AWX shows.
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Job:
    """What a finished `ansible-runner run` left in artifacts/<ident>/."""

    status: str
    rc: int
    events: list[dict[str, Any]]
    stdout: str
    command: dict[str, Any]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("event") == kind]

    def stats(self) -> dict[str, dict[str, int]]:
        found = self.of("playbook_on_stats")
        assert len(found) == 1, f"{len(found)} playbook_on_stats events\n{self.stdout[-3000:]}"
        data: dict[str, dict[str, int]] = found[0]["event_data"]
        return data


def _runner() -> str:
    beside = Path(sys.executable).parent / "ansible-runner"
    found = str(beside) if beside.exists() else shutil.which("ansible-runner")
    assert found, "ansible-runner is not installed (make venv)"
    return found


def run_job(
    folder: Path,
    ident: str,
    inventory: str,
    *,
    extravars: dict[str, Any] | None = None,
    cmdline: str = "",
    limit: str = "",
) -> Job:
    """`ansible-runner run` of playbooks/site.yml, as AWX starts a job: a private data directory with the
    job's extra variables, environment and command-line options, the project directory, an inventory."""
    private = folder / ident
    (private / "env").mkdir(parents=True)
    # What the job's environment adds (AWX: the credentials' and the "extra environment variables").
    # ansible-runner sets ANSIBLE_CALLBACK_PLUGINS to its own folder, which hides ansible.cfg's
    # callback_plugins: the run summary's folder is named here, as docs/awx.md tells AWX to.
    # The scenario's variables read the throwaway credentials from molecule's ephemeral directory.
    envvars = {
        "ANSIBLE_CALLBACK_PLUGINS": str(ROOT / "plugins" / "callback"),
        "MOLECULE_EPHEMERAL_DIRECTORY": os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", ""),
    }
    (private / "env" / "envvars").write_text(json.dumps(envvars), encoding="utf-8")
    if extravars:
        (private / "env" / "extravars").write_text(json.dumps(extravars), encoding="utf-8")
    if cmdline:
        (private / "env" / "cmdline").write_text(cmdline, encoding="utf-8")
    argv = [
        _runner(), "run", str(private), "--ident", ident,
        "--project-dir", str(ROOT), "--inventory", inventory, "--playbook", "playbooks/site.yml",
    ]  # fmt: skip
    if limit:
        argv += ["--limit", limit]
    # Nothing of molecule's own Ansible setup (ANSIBLE_CONFIG, roles path ...) reaches the job: the
    # repository's ansible.cfg must be the one that applies, as in AWX.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_"))}
    env["HOME"] = str(folder / "home")
    subprocess.run(argv, env=env, capture_output=True, text=True, timeout=1800, check=False)
    artifacts = private / "artifacts" / ident
    events = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((artifacts / "job_events").glob("*.json"))
    ]
    events.sort(key=lambda e: int(e.get("counter", 0)))
    return Job(
        status=(artifacts / "status").read_text(encoding="utf-8").strip(),
        rc=int((artifacts / "rc").read_text(encoding="utf-8").strip()),
        events=events,
        stdout=ANSI.sub("", (artifacts / "stdout").read_text(encoding="utf-8", errors="replace")),
        command=json.loads((artifacts / "command").read_text(encoding="utf-8")),
    )


def _git_status() -> str:
    result = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--ignored=no"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return result.stdout if result.returncode == 0 else "(not a git checkout)"


@pytest.fixture(scope="module")
def jobs_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runner")


@pytest.fixture(scope="module")
def site(jobs_folder: Path) -> tuple[Job, str, str]:
    """site.yml against the scenario's hosts, with the git status of the project before and after."""
    before = _git_status()
    job = run_job(jobs_folder, "site", os.environ["MOLECULE_INVENTORY_FILE"])
    return job, before, _git_status()


def test_site_job_is_successful(site: tuple[Job, str, str]) -> None:
    job, _, _ = site
    assert job.status == "successful", job.stdout[-3000:]
    assert job.rc == 0
    stats = job.stats()
    assert set(stats["ok"]) == HOSTS
    assert stats["failures"] == {}
    assert stats["dark"] == {}


def test_site_job_ran_in_the_repository_with_its_configuration(site: tuple[Job, str, str]) -> None:
    job, before, after = site
    # The project directory is the repository itself: the playbook runs there, so its ansible.cfg applies.
    assert Path(job.command["cwd"]).resolve() == ROOT.resolve()
    argv = job.command["command"]
    assert argv[-1] == "playbooks/site.yml"
    assert argv[argv.index("-i") + 1] == os.environ["MOLECULE_INVENTORY_FILE"]
    # The repository's ansible.cfg applied: its run summary callback (callbacks_enabled) spoke at the end.
    assert "Skipping callback plugin 'medops_summary'" not in job.stdout
    assert "MEDOPS SUMMARY" in job.stdout
    assert "site.yml: 2 hosts, 0 changed tasks, 0 hosts failed" in job.stdout
    # Nothing in the checkout was written or edited (the fact cache lives in the job's artifacts).
    assert after == before


def test_site_job_changes_nothing_after_converge(site: tuple[Job, str, str]) -> None:
    job, _, _ = site
    changed = job.stats()["changed"]
    tasks = sorted(
        f"{e['event_data'].get('host')}: {e['event_data'].get('task')}"
        for e in job.of("runner_on_ok")
        if e["event_data"].get("res", {}).get("changed")
    )
    assert changed == {}, f"the job changed converged hosts: {tasks}"


def _plays(playbook: Path) -> list[dict[str, Any]]:
    """The plays of a playbook, with those of the playbooks it imports in their place."""
    plays: list[dict[str, Any]] = []
    for entry in yaml.safe_load(playbook.read_text(encoding="utf-8")):
        imported = entry.get("ansible.builtin.import_playbook")
        plays += _plays(playbook.parent / imported) if imported else [entry]
    return plays


def test_site_plays_for_other_groups_find_no_hosts(site: tuple[Job, str, str]) -> None:
    job, _, _ = site
    plays = _plays(ROOT / "playbooks" / "site.yml")
    others = [p["name"] for p in plays if p["hosts"] != "all"]
    assert len(job.of("playbook_on_play_start")) == len(plays)
    assert len(job.of("playbook_on_no_hosts_matched")) == len(others)


def test_bad_extra_var_fails_the_job_before_anything_changes(jobs_folder: Path) -> None:
    """A wrong value in the job's extra variables (AWX: the survey or the template's extra vars) stops the
    baseline in its input checks on every host, with the variable named, before any change."""
    job = run_job(
        jobs_folder,
        "bad-extra-var",
        os.environ["MOLECULE_INVENTORY_FILE"],
        extravars={"base_admin_networks": ["10.0.0.0/33"]},
    )
    assert job.status == "failed"
    assert job.rc != 0
    stats = job.stats()
    assert set(stats["failures"]) == HOSTS
    assert stats["changed"] == {}
    messages = [json.dumps(e["event_data"].get("res", {})) for e in job.of("runner_on_failed")]
    assert messages and all("base_admin_networks[0]" in m for m in messages), messages


def test_missing_vault_credential_fails_the_job_before_any_host_is_reached(jobs_folder: Path) -> None:
    """The production inventory without the `prod` vault password (AWX: a job template without the vault
    credential): site.yml's first play cannot open the vault values and fails every host on the control
    node, so no task reaches a host. The job's extra variables point the connection at a container that
    does not exist, so even a regression could not contact a production address from here."""
    job = run_job(
        jobs_folder,
        "no-vault",
        str(ROOT / "inventory" / "production"),
        extravars={"ansible_connection": "community.docker.docker", "ansible_host": "medops-no-such-host"},
        cmdline="--check",
        limit="backup1",
    )
    assert job.status == "failed"
    assert job.rc != 0
    assert "Decryption failed" in job.stdout or "no vault secrets" in job.stdout, job.stdout[-2000:]
    ran = [
        (e["event"], e["event_data"].get("task", ""))
        for e in job.events
        if str(e.get("event", "")).startswith("runner_on_") and e["event"] != "runner_on_start"
    ]
    assert ran == [("runner_on_failed", "Open every vault value of the host")], ran
