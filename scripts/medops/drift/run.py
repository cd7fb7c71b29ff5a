"""One drift check, end to end: inventory → hosts → (host state ‖ site.yml in check mode) → comparison.

`run_drift` returns data (a DriftRun); `drift_data` is its JSON shape (schema 1), which the reports and
the lab tests read. Exit status: 0 when every host is as declared, 2 when any drifted or could not be
checked completely (a check that could not look is not a clean one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medops.drift.baseline import Finding, compare, counts, role_declarations
from medops.drift.checkmode import PLAYBOOK, BlindSpot, Change, CheckRun, Declared, run_check
from medops.drift.redact import Redactor, redactor_for
from medops.drift.state import collect_states, parse_state
from medops.errors import MedopsError
from medops.inspect.targets import Inventory, Target, load_inventory, select_hosts, target_for

KIND = "medops.drift"
SCHEMA = 1
EXIT_DRIFT = 2


@dataclass(frozen=True)
class Options:
    root: Path
    inventories: tuple[Path, ...]
    limit: str | None = None
    system: str | None = None
    vault_ids: tuple[str, ...] = ()
    workers: int = 32
    timeout: float = 180.0
    shown_inventories: tuple[str, ...] = ()


@dataclass(frozen=True)
class HostDrift:
    name: str
    groups: tuple[str, ...]
    changes: tuple[Change, ...]
    handlers: tuple[Change, ...]
    fact_only: bool
    findings: tuple[Finding, ...]
    blind: tuple[BlindSpot, ...]
    failures: tuple[str, ...]  # why the host's check is incomplete

    @property
    def status(self) -> str:
        if self.failures:
            return "incomplete"
        return "drift" if self.changes or self.findings else "clean"


@dataclass(frozen=True)
class DriftRun:
    environment: str
    inventory: tuple[str, ...]
    limit: str | None
    system: str | None
    started_at: datetime
    finished_at: datetime
    playbook: str
    hosts: tuple[HostDrift, ...]
    too_short: tuple[str, ...] = ()
    ansible_tail: str = field(default="", repr=False)
    ara_run: str = ""  # the check run in ARA: a URL or the command that shows it

    def of(self, status: str) -> tuple[HostDrift, ...]:
        return tuple(h for h in self.hosts if h.status == status)

    @property
    def exit_code(self) -> int:
        return 0 if all(h.status == "clean" for h in self.hosts) else EXIT_DRIFT


def select(inventory: Inventory, limit: str | None, system: str | None) -> list[Target]:
    """The hosts of --limit, narrowed to the inventory group of --system."""
    names = select_hosts(inventory, limit)
    if system:
        if system not in inventory.groups:
            raise MedopsError(f"--system {system!r} is not a group of the inventory")
        names = [n for n in names if n in inventory.groups[system]]
        if not names:
            raise MedopsError(f"--limit {limit!r} and --system {system} select no host together")
    return [target_for(name, inventory) for name in names]


def host_drift(
    target: Target,
    *,
    output: str,
    nonce: str,
    error: str,
    check: CheckRun,
    hostvars: Mapping[str, object],
    roles: Mapping[str, Mapping[str, object]] | None = None,
) -> HostDrift:
    """One host's result from its state output and the check run (pure)."""
    failures = [*check.failed.get(target.name, ())]
    findings: list[Finding] = []
    if error:
        failures.append(f"host state: {error}")
    if output:
        state = parse_state(output, nonce)
        failures += [f"host state: {p}" for p in state.problems]
        if state.meta is not None:
            declared = check.declared.get(target.name, Declared())
            if target.name not in check.hosts:
                failures.append("site.yml in check mode did not reach the host")
            findings = compare(state, declared, hostvars, roles)
    return HostDrift(
        target.name,
        target.groups,
        tuple(c for c in check.changes if c.host == target.name),
        tuple(c for c in check.handlers if c.host == target.name),
        target.name in check.fact_only,
        tuple(findings),
        tuple(b for b in check.blind if b.host == target.name),
        tuple(dict.fromkeys(failures)),
    )


def run_drift(options: Options) -> tuple[DriftRun, Redactor]:
    """Check every selected host; the run (already redacted) and the redactor for what is written."""
    started = datetime.now(UTC)
    inventory = load_inventory(options.inventories, options.vault_ids, cwd=options.root)
    redactor = redactor_for(inventory.hosts)
    chosen = select(inventory, options.limit, options.system)
    limit = ",".join(t.name for t in chosen)
    roles = role_declarations(options.root / "roles")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="drift-state") as pool:
        states = pool.submit(collect_states, chosen, workers=options.workers, timeout=options.timeout)
        label = f"medops-drift-{started:%Y%m%dT%H%M%SZ}"
        check, tail, link = run_check(
            options.root, options.inventories, limit, options.vault_ids, redactor, label=label
        )
        collected = states.result()
    hosts = tuple(
        host_drift(
            c.target,
            output=redactor.redact(c.output),
            nonce=c.nonce,
            error=redactor.redact(c.error),
            check=check,
            hostvars=inventory.hosts.get(c.target.name, {}),
            roles=roles,
        )
        for c in collected
    )
    run = DriftRun(
        environment=inventory.environment or options.inventories[0].name,
        inventory=options.shown_inventories or tuple(p.name for p in options.inventories),
        limit=options.limit,
        system=options.system,
        started_at=started,
        finished_at=datetime.now(UTC),
        playbook=str(PLAYBOOK),
        hosts=hosts,
        too_short=redactor.too_short,
        ansible_tail=tail,
        ara_run=link,
    )
    return run, redactor


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _change(change: Change) -> dict[str, Any]:
    return {
        "role": change.role,
        "task": change.task,
        "action": change.action,
        "item": change.item or None,
        "path": change.path or None,
        "censored": change.censored,
        "diff": [
            {
                "before_header": d.before_header,
                "after_header": d.after_header,
                "before": d.before,
                "after": d.after,
            }
            | ({"prepared": d.prepared} if d.prepared else {})
            for d in change.diffs
        ],
    }


def drift_data(run: DriftRun) -> dict[str, Any]:
    """The run as JSON-ready data (schema 1); secrets were redacted when the run was read."""
    return {
        "record": KIND,
        "schema": SCHEMA,
        "environment": run.environment,
        "inventory": list(run.inventory),
        "limit": run.limit,
        "system": run.system,
        "playbook": run.playbook,
        "ara_run": run.ara_run or None,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "exit_code": run.exit_code,
        "counts": {
            "hosts": len(run.hosts),
            "clean": len(run.of("clean")),
            "drift": len(run.of("drift")),
            "incomplete": len(run.of("incomplete")),
        },
        "unredacted_short_values": list(run.too_short),
        "hosts": [
            {
                "name": h.name,
                "groups": list(h.groups),
                "status": h.status,
                "changes": [_change(c) for c in h.changes],
                "handlers": sorted({f"{c.role}: {c.task}" for c in h.handlers}),
                "fact_version_only": h.fact_only,
                "findings": [{"kind": f.kind, "subject": f.subject, "detail": f.detail} for f in h.findings],
                "finding_counts": counts(h.findings),
                "blind_spots": [{"role": b.role, "task": b.task, "reason": b.reason} for b in h.blind],
                "failures": list(h.failures),
            }
            for h in run.hosts
        ],
    }


def items(host: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, subject) of everything that drifted on a host of drift_data: what the lab test compares."""
    found = [
        ("change", f"{c['role']}: {c['task']}" + (f" ({c['path']})" if c.get("path") else ""))
        for c in host["changes"]
    ]
    found += [(f["kind"], f["subject"]) for f in host["findings"]]
    return found


def check_data(data: object, source: str) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("record") != KIND or data.get("schema") != SCHEMA:
        raise MedopsError(f"{source} is not a drift report of schema {SCHEMA}")
    return data


def shown_hosts(hosts: Sequence[HostDrift]) -> str:
    return ", ".join(h.name for h in hosts) or "-"
