"""One configuration inventory run: every host's state (one round trip each), the records about it, a
snapshot written to the records, and the static site rebuilt from all snapshots."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from medops.backup.policy import Policy, check_policy_file, inventory_groups, policy_path
from medops.compliance.obligations import Drill, PatchRecord, load_drills, load_patch_records
from medops.configinv.history import load_causes
from medops.configinv.site import site_files
from medops.configinv.snapshot import build_snapshot, host_entry, load_snapshots, write_snapshot
from medops.drift.redact import Redactor, redactor_for
from medops.drift.run import Options, select
from medops.drift.state import collect_states, parse_state
from medops.inspect.record import load_records
from medops.inspect.targets import load_inventory

SYSTEMS = ("qcis", "chfms")


def read_policy(inventory: Path, today: date) -> Policy | None:
    """The inventory's backup policy when well-formed (`medops backup check-policy` reports its problems)."""
    path = policy_path(inventory)
    if not path.exists():
        return None
    return check_policy_file(path, today, inventory_groups(inventory)).policy


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def host_context(
    name: str,
    groups: Sequence[str],
    *,
    policy: Policy | None,
    patches: Sequence[PatchRecord],
    inspections: Sequence[Mapping[str, Any]],
    drills: Sequence[Drill],
) -> dict[str, Any]:
    """What the records say about one host, as a snapshot keeps it (pure)."""
    system = next((s for s in SYSTEMS if s in groups), "")
    context: dict[str, Any] = {"system": system or None}
    mine = policy.system(system) if policy and system else None
    context["backup"] = (
        {
            "system": mine.name,
            "rpo_minutes": mine.rpo_minutes,
            "rto_hours": mine.rto_hours,
            "full": mine.schedule.full,
            "restore_test": mine.schedule.restore_test,
        }
        if mine
        else None
    )
    review = policy.newest_review() if policy else None
    context["last_review"] = {"date": str(review.date), "reviewer": review.reviewer} if review else None
    context["patches"] = [
        {"change_id": p.change_id, "finished": _iso(p.finished), "outcome": p.outcome, "source": p.source}
        for p in sorted(patches, key=lambda p: p.finished)
        if p.host == name
    ]
    last = None
    for record in inspections:
        for entry in record.get("hosts") or []:
            if isinstance(entry, Mapping) and entry.get("name") == name:
                last = {"week": record.get("week"), "status": entry.get("status")}
    context["last_inspection"] = last
    system_drills = sorted((d for d in drills if d.system == system), key=lambda d: d.started_at)
    context["last_drill"] = (
        {
            "started_at": _iso(system_drills[-1].started_at),
            "rto_seconds": system_drills[-1].rto_seconds,
            "rpo_seconds": system_drills[-1].rpo_seconds,
            "source": system_drills[-1].source,
        }
        if system_drills
        else None
    )
    return context


def take_snapshot(options: Options, records: Path, version: str) -> tuple[dict[str, Any], Redactor]:
    """Collect every selected host and the records about it; the snapshot (not yet written)."""
    taken = datetime.now(UTC).replace(microsecond=0)
    inventory = load_inventory(options.inventories, options.vault_ids, cwd=options.root)
    redactor = redactor_for(inventory.hosts)
    chosen = select(inventory, options.limit, options.system)
    collected = collect_states(chosen, workers=options.workers, timeout=options.timeout)
    policy = read_policy(options.inventories[0], taken.date())
    patches, _ = load_patch_records(records)
    inspections, _ = load_records(records)
    drills, _ = load_drills(records)
    hosts = []
    for item in collected:
        state = parse_state(redactor.redact(item.output), item.nonce) if item.output else None
        context = host_context(
            item.target.name,
            item.target.groups,
            policy=policy,
            patches=patches,
            inspections=inspections,
            drills=drills,
        )
        hosts.append(
            host_entry(item.target.name, item.target.groups, state, redactor.redact(item.error), context)
        )
    snapshot = build_snapshot(
        taken_at=taken,
        environment=inventory.environment or options.inventories[0].name,
        inventory=options.shown_inventories or tuple(p.name for p in options.inventories),
        medops_version=version,
        hosts=hosts,
    )
    return snapshot, redactor


def save_snapshot(records: Path, snapshot: Mapping[str, Any], redactor: Redactor) -> Path:
    text = redactor.redact(json.dumps(snapshot, ensure_ascii=False, indent=1) + "\n")
    return write_snapshot(records, snapshot, text)


def build_site(
    records: Path, out: Path, version: str, redactor: Redactor | None = None
) -> tuple[list[Path], list[str]]:
    """Write the site from every snapshot on record: the files written, and unreadable snapshots."""
    snapshots, problems = load_snapshots(records)
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    files = site_files(snapshots, load_causes(records), version, generated)
    written = []
    for name, text in files.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(redactor.redact(text) if redactor else text, encoding="utf-8")
        written.append(target)
    return written, problems
