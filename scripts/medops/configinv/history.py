"""Change history of each host between consecutive snapshots, and what caused each change where known.

Pure. A change is one line of data: what (package, service, port, account, sudo rule, firewall, PostgreSQL
setting, certificate, role, release, OS, hardware), the old and new value, and the window between the two
snapshots. A cause is a recorded job that touched the host inside that window: a patch record
(records/patches), a deploy or rollback (records/deploys), or a role applied by a converge (the role's
`applied_at` in the local fact, with the checkout version that applied it) — each with its ARA run when
the record cites one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from medops.paths import read_json_files


@dataclass(frozen=True)
class Change:
    host: str
    at: str  # the later snapshot's time (ISO 8601, UTC)
    since: str  # the earlier snapshot's time
    what: str  # package service port account sudo firewall postgresql certificate role release os hardware
    subject: str
    before: str
    after: str


@dataclass(frozen=True)
class Cause:
    kind: str  # patch | deploy | converge
    at: str
    text: str
    source: str
    run: str = ""


Item = Mapping[str, Any]


def _account(a: Item) -> str:
    return f"uid {a['uid']} {a['shell']} password {a['password']} keys {a['keys']}" + (
        " sudo" if a.get("sudo") else ""
    )


def _service(s: Item) -> str:
    return f"{s['active']}/{s['sub']} {s['enabled']}".strip()


def _listener_key(x: Item) -> str:
    return f"{x['proto']}/{x['port']} {x['address']}"


def _listener(x: Item) -> str:
    return f"{x['address']} {x['process']}".strip()


def _cert_key(c: Item) -> str:
    return f"{c['path']}#{c['index']}"


def _cert(c: Item) -> str:
    return f"{c['subject']} until {c['not_after']}"


# List fields of a snapshot entry: (what, field, key of an item, value of an item).
LISTS: tuple[tuple[str, str, Callable[[Item], str], Callable[[Item], str]], ...] = (
    ("service", "services", lambda s: str(s["unit"]), _service),
    ("port", "listeners", _listener_key, _listener),
    ("account", "accounts", lambda a: str(a["name"]), _account),
    ("certificate", "certificates", _cert_key, _cert),
)


def _map_changes(
    what: str, before: Mapping[str, str], after: Mapping[str, str]
) -> list[tuple[str, str, str, str]]:
    return [
        (what, key, before.get(key, ""), after.get(key, ""))
        for key in sorted(set(before) | set(after))
        if before.get(key, "") != after.get(key, "")
    ]


def _keyed(items: object, key: Callable[[Item], str], value: Callable[[Item], str]) -> dict[str, str]:
    return {key(i): value(i) for i in items if isinstance(i, Mapping)} if isinstance(items, list) else {}


def _role(r: Item) -> str:
    return f"{r.get('version')} {json.dumps(r.get('data'), sort_keys=True)}"


def host_changes(before: Mapping[str, Any], after: Mapping[str, Any], since: str, at: str) -> list[Change]:
    """What differs between two snapshot entries of one host."""
    if not before.get("reached") or not after.get("reached"):
        return []
    name = str(after["name"])
    pairs = _map_changes("package", before.get("packages") or {}, after.get("packages") or {})
    for what, field, key, value in LISTS:
        pairs += _map_changes(
            what, _keyed(before.get(field), key, value), _keyed(after.get(field), key, value)
        )
    pairs += _map_changes(
        "sudo",
        dict.fromkeys(before.get("sudo_rules") or [], "present"),
        dict.fromkeys(after.get("sudo_rules") or [], "present"),
    )
    if (before.get("firewall") or "") != (after.get("firewall") or ""):
        pairs.append(("firewall", "nftables ruleset", "", "changed"))
    for cluster in sorted(set(before.get("postgresql") or {}) | set(after.get("postgresql") or {})):
        pairs += _map_changes(
            "postgresql",
            {f"{cluster} {k}": v for k, v in ((before.get("postgresql") or {}).get(cluster) or {}).items()},
            {f"{cluster} {k}": v for k, v in ((after.get("postgresql") or {}).get(cluster) or {}).items()},
        )
    pairs += _map_changes(
        "role",
        {k: _role(v) for k, v in (before.get("roles") or {}).items()},
        {k: _role(v) for k, v in (after.get("roles") or {}).items()},
    )
    if before.get("app_release") != after.get("app_release"):
        pairs.append(
            ("release", "app", str(before.get("app_release") or ""), str(after.get("app_release") or ""))
        )
    for what, field, names in (
        ("os", "os", ("pretty", "kernel")),
        ("hardware", "hardware", ("cpus", "memory_bytes")),
    ):
        pairs += _map_changes(
            what,
            {n: str((before.get(field) or {}).get(n, "")) for n in names},
            {n: str((after.get(field) or {}).get(n, "")) for n in names},
        )
    return [Change(name, at, since, what, subject, old, new) for what, subject, old, new in pairs]


def history(snapshots: Sequence[Mapping[str, Any]]) -> dict[str, list[Change]]:
    """host → its changes, newest first, across consecutive snapshots that both reached it."""
    found: dict[str, list[Change]] = {}
    last: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for snapshot in snapshots:
        at = str(snapshot["taken_at"])
        for entry in snapshot.get("hosts") or []:
            if not isinstance(entry, Mapping) or not entry.get("reached"):
                continue
            name = str(entry["name"])
            if name in last:
                since, previous = last[name]
                found.setdefault(name, []).extend(host_changes(previous, entry, since, at))
            last[name] = (at, entry)
    return {host: sorted(changes, key=lambda c: c.at, reverse=True) for host, changes in found.items()}


def _in_window(moment: str, since: str, at: str) -> bool:
    try:
        value = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        return datetime.fromisoformat(since) < value <= datetime.fromisoformat(at)
    except ValueError:
        return False


def load_causes(records: Path) -> list[dict[str, Any]]:
    """Recorded jobs as data: patch records (per host) and deploy records (per system)."""
    found: list[dict[str, Any]] = []
    patches, _ = read_json_files(records / "patches", "*/*.json")
    deploys, _ = read_json_files(records / "deploys", "*.json")
    for path, data in patches:
        if isinstance(data, dict) and data.get("host") and data.get("finished"):
            found.append(
                {
                    "kind": "patch",
                    "host": data["host"],
                    "at": str(data["finished"]),
                    "text": f"patch {data.get('change_id', path.parent.name)}: {data.get('outcome', '')}",
                    "source": f"records/patches/{path.parent.name}/{path.name}",
                    "run": str(data.get("ara_run", "")),
                }
            )
    for path, data in deploys:
        if isinstance(data, dict) and data.get("system") and data.get("finished"):
            found.append(
                {
                    "kind": "deploy",
                    "system": data["system"],
                    "at": str(data["finished"]),
                    "text": f"{data.get('action', 'deploy')} {data.get('system')} {data.get('version', '')} "
                    f"by {data.get('who', '-')}: {data.get('outcome', '')}",
                    "source": f"records/deploys/{path.name}",
                    "run": str(data.get("ara_run", "")),
                }
            )
    return found


def causes(
    host: str,
    *,
    groups: Sequence[str],
    entry: Mapping[str, Any],
    since: str,
    at: str,
    recorded: Sequence[Mapping[str, Any]],
) -> list[Cause]:
    """The recorded jobs that touched `host` between two snapshots."""
    found = [
        Cause(str(r["kind"]), str(r["at"]), str(r["text"]), str(r["source"]), str(r.get("run", "")))
        for r in recorded
        if (r.get("host") == host or r.get("system") in groups) and _in_window(str(r["at"]), since, at)
    ]
    for role, data in (entry.get("roles") or {}).items():
        applied = str((data or {}).get("applied_at", ""))
        if applied and _in_window(applied, since, at):
            found.append(
                Cause(
                    "converge",
                    applied,
                    f"role {role} applied from checkout {data.get('version', '?')}",
                    "local fact",
                )
            )
    return sorted(found, key=lambda c: c.at)
