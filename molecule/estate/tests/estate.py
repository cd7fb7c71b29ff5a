"""What the estate scenarios' test files share: where things are, the hosts, and how a test runs what an
engineer runs (a playbook, a medops verb) against the scenario's inventory.

Playbooks run with the scenario's environment (molecule.yml's provisioner: roles, the vault, ARA) plus
medops's run summary; medops runs from this checkout, not from whatever the venv installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import testinfra
import yaml

ROOT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[3]))
EPHEMERAL = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent"))
RECORDS = EPHEMERAL / "records"
# The inventory folder molecule passes to every run: its inventory file, the group_vars it writes, and
# the vault's canary (an inventory source of its own, prepare.yml). The file alone lacks the canary;
# it is what `medops patch status` reads the estate's host names from.
INVENTORY_FILE = Path(os.environ.get("MOLECULE_INVENTORY_FILE", "/nonexistent/inventory.yml"))
INVENTORY = INVENTORY_FILE.parent

# The estate scenarios (molecule/estate and its copy molecule/estate-patch-dr) name their hosts and
# network after themselves; each host's address is its medops_address in the scenario's inventory.
SCENARIO = os.environ.get("MOLECULE_SCENARIO_NAME", "estate")
DB, BACKUP, SPARE = (f"molecule-{SCENARIO}-{role}" for role in ("db", "backup", "spare"))
APP, APP2 = f"molecule-{SCENARIO}-app", f"molecule-{SCENARIO}-app2"
HOSTS = (DB, BACKUP, SPARE, APP, APP2)
NETWORK = f"medops-molecule-{SCENARIO}"


def _address(name: str) -> str:
    """The host's medops_address, from the host_vars molecule wrote (molecule.yml's inventory)."""
    path = INVENTORY / "host_vars" / name
    if not path.is_file():
        raise RuntimeError(f"{path} is missing: run the tests with molecule verify -s {SCENARIO}")
    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["medops_address"])


ADDRESSES = {name: _address(name) for name in HOSTS}


def host(name: str) -> testinfra.host.Host:
    return testinfra.get_host(f"docker://{name}")


def _plain(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment without colour: molecule forces Ansible's colours on, and the tests read the text."""
    env = {k: v for k, v in environ.items() if k not in ("ANSIBLE_FORCE_COLOR", "PY_COLORS")}
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def _joined(env: dict[str, str], key: str, value: str, sep: str) -> str:
    return sep.join(dict.fromkeys([*(p for p in env.get(key, "").split(sep) if p), value]))


def playbook(name: str, *extra: str, summary: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`ansible-playbook playbooks/<name>` on the scenario's inventory, records in the scenario's folder."""
    env = _plain(os.environ)
    env["MEDOPS_RECORDS"] = str(RECORDS)
    env["ANSIBLE_CALLBACK_PLUGINS"] = _joined(
        env, "ANSIBLE_CALLBACK_PLUGINS", str(ROOT / "plugins" / "callback"), ":"
    )
    env["ANSIBLE_CALLBACKS_ENABLED"] = _joined(env, "ANSIBLE_CALLBACKS_ENABLED", "medops_summary", ",")
    if summary is not None:
        env["MEDOPS_RUN_SUMMARY"] = str(summary)
    return subprocess.run(
        [
            "ansible-playbook",
            "-i",
            str(INVENTORY),
            *extra,
            str(ROOT / "playbooks" / name),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def medops(*args: str, records: Path = RECORDS, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    """`python -m medops <args>` from this checkout, from the repository root."""
    env = {
        **_plain(os.environ),
        "MEDOPS_RECORDS": str(records),
        "MEDOPS_ROOT": str(ROOT),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "scripts"), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "medops", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def said(result: subprocess.CompletedProcess[str]) -> str:
    """What the run printed, on one line: messages may be wrapped by the callback or go to stderr."""
    return " ".join((result.stdout + result.stderr).split())


def tail(result: subprocess.CompletedProcess[str]) -> str:
    return said(result)[-5000:]
