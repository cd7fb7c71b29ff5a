"""Approvals: the owner's written yes to one proposal, in records/patches/approvals/<change id>.yml.

A person writes the file (`medops patch approval-template <proposal>` prints one to start from);
medops only reads it. The format (docs/runbooks/patching.md):

    change_id: CHG-2026-H1-qcis          # the file's name without .yml
    proposal: lab-20260510T020000Z       # records/patches/<proposal>/proposal.json
    content_hash: sha256:…               # the proposal's hash, copied from it
    hosts: [qcis-db1, qcis-app1]         # the proposal's hosts (the hash covers their packages)
    approved_by: Wang Fang (system owner, qcis)
    approved_on: 2026-05-12
    window:                              # the change window; patch.yml runs only inside it
      start: 2026-05-16T22:00:00+08:00
      end: 2026-05-17T06:00:00+08:00
    reason: Half-yearly patch cycle 2026 H1
    exclude:                             # optional: not approved now (stays pending)
      hosts: [qcis-app2]
      packages:
        - {host: "*", package: tzdata}   # "*": on every host

An approval is valid when every field is there, the proposal exists and is untampered, the hash equals
the proposal's, and (at apply time) the window is open and the hash recomputed from what the targeted
hosts have pending *now* still equals it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from medops.errors import MedopsError
from medops.patch.plan import (
    HASH_PREFIX,
    HostPlan,
    Proposal,
    approved_entries,
    content_hash,
    load_proposal,
)

CHANGE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
FIELDS = ("change_id", "proposal", "content_hash", "hosts", "approved_by", "approved_on", "window", "reason")
OPTIONAL = ("exclude",)


@dataclass(frozen=True)
class Approval:
    change_id: str
    proposal: str
    content_hash: str
    hosts: tuple[str, ...]
    approved_by: str
    approved_on: date
    window_start: datetime
    window_end: datetime
    reason: str
    excluded_hosts: tuple[str, ...] = ()  # not patched in this change
    excluded_packages: tuple[tuple[str, str], ...] = ()  # (host or "*", package) not installed

    def excludes(self, host: str, package: str) -> bool:
        return host in self.excluded_hosts or any(
            h in (host, "*") and p == package for h, p in self.excluded_packages
        )


def approvals_dir(records: Path) -> Path:
    return records / "patches" / "approvals"


def _moment(value: object, where: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise MedopsError(f"{where} is {value!r}, not a time like 2026-05-16T22:00:00+08:00") from None
    else:
        raise MedopsError(f"{where} is {value!r}; expected a time like 2026-05-16T22:00:00+08:00")
    if moment.tzinfo is None:
        raise MedopsError(f"{where} has no time zone; write it like 2026-05-16T22:00:00+08:00")
    return moment


def _date(value: object, where: str) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise MedopsError(f"{where} {value!r} is not a date as YYYY-MM-DD") from None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise MedopsError(f"{where} is not a date as YYYY-MM-DD")
    return value


def _exclusions(value: object, source: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """exclude: {hosts: [...], packages: [{host: h|"*", package: p}, ...]} (both optional)."""
    if value is None:
        return (), ()
    if not isinstance(value, dict) or not set(value) <= {"hosts", "packages"}:
        raise MedopsError(f"{source}: exclude may hold hosts and packages only")
    hosts = value.get("hosts") or []
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        raise MedopsError(f"{source}: exclude.hosts is not a list of host names")
    packages = []
    for index, item in enumerate(value.get("packages") or []):
        if not isinstance(item, dict) or set(item) != {"host", "package"}:
            raise MedopsError(
                f"{source}: exclude.packages[{index}] must be {{host: <host or *>, package: <name>}}"
            )
        packages.append((str(item["host"]), str(item["package"])))
    return tuple(hosts), tuple(packages)


def parse_approval(text: str, source: str) -> Approval:
    """An approval from its YAML text; the first problem found is raised as one line."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MedopsError(f"{source} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise MedopsError(f"{source} does not hold an approval (a mapping of {', '.join(FIELDS)})")
    for name in FIELDS:
        if name not in data or data[name] in (None, "", []):
            raise MedopsError(f"{source}: {name} is missing")
    unknown = sorted(str(k) for k in data if k not in (*FIELDS, *OPTIONAL))
    if unknown:
        raise MedopsError(
            f"{source}: {unknown[0]} is not an approval field (known: {', '.join(FIELDS + OPTIONAL)})"
        )
    change_id = str(data["change_id"])
    if not CHANGE_ID.match(change_id):
        raise MedopsError(
            f"{source}: change_id {change_id!r} may hold letters, digits, '.', '_' and '-' only"
        )
    digest = str(data["content_hash"])
    if not re.fullmatch(re.escape(HASH_PREFIX) + "[0-9a-f]{64}", digest):
        raise MedopsError(f"{source}: content_hash {digest!r} is not sha256:<64 hex digits>")
    hosts = data["hosts"]
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        raise MedopsError(f"{source}: hosts is not a list of host names")
    window = data["window"]
    if not isinstance(window, dict) or set(window) != {"start", "end"}:
        raise MedopsError(f"{source}: window must hold exactly start and end")
    start = _moment(window["start"], f"{source}: window.start")
    end = _moment(window["end"], f"{source}: window.end")
    if end <= start:
        raise MedopsError(f"{source}: window.end {end.isoformat()} is not after window.start")
    excluded_hosts, excluded_packages = _exclusions(data.get("exclude"), source)
    return Approval(
        change_id=change_id,
        proposal=str(data["proposal"]),
        content_hash=digest,
        hosts=tuple(hosts),
        approved_by=str(data["approved_by"]).strip(),
        approved_on=_date(data["approved_on"], f"{source}: approved_on"),
        window_start=start,
        window_end=end,
        reason=str(data["reason"]).strip(),
        excluded_hosts=excluded_hosts,
        excluded_packages=excluded_packages,
    )


def read_approval(records: Path, change_id: str) -> Approval:
    if not CHANGE_ID.match(change_id):
        raise MedopsError(f"{change_id!r} is not a change id (letters, digits, '.', '_', '-')")
    path = approvals_dir(records) / f"{change_id}.yml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MedopsError(
            f"no approval {change_id}: records/patches/approvals/{change_id}.yml does not exist "
            "(write it from `medops patch approval-template <proposal>`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MedopsError(f"cannot read approval {change_id}: {exc}") from None
    approval = parse_approval(text, f"approval {change_id}")
    if approval.change_id != change_id:
        raise MedopsError(f"approval {change_id}: its change_id says {approval.change_id}; they must match")
    return approval


def check_approval(approval: Approval, proposal: Proposal, now: datetime | None) -> None:
    """Raise when the approval does not approve `proposal` as it is; `now` given: the window must be open."""
    if approval.proposal != proposal.id:
        raise MedopsError(
            f"approval {approval.change_id} is for proposal {approval.proposal}, not {proposal.id}"
        )
    if approval.content_hash != proposal.content_hash:
        raise MedopsError(
            f"approval {approval.change_id}: content_hash {approval.content_hash} is not the hash of "
            f"proposal {proposal.id} ({proposal.content_hash}); refused"
        )
    planned = sorted(h.host for h in proposal.hosts)
    if sorted(approval.hosts) != planned:
        raise MedopsError(
            f"approval {approval.change_id}: hosts {', '.join(sorted(approval.hosts))} are not the "
            f"proposal's ({', '.join(planned)})"
        )
    for host in approval.excluded_hosts:
        if proposal.host(host) is None:
            raise MedopsError(
                f"approval {approval.change_id}: exclude.hosts names {host}, not a host of the proposal"
            )
    for host, package in approval.excluded_packages:
        plans = proposal.hosts if host == "*" else [p for p in (proposal.host(host),) if p is not None]
        if not any(pkg.name == package for plan in plans for pkg in plan.packages):
            raise MedopsError(
                f"approval {approval.change_id}: exclude.packages names {package} on {host}, "
                "which the proposal does not update there"
            )
    if approval.approved_on > approval.window_end.date():
        raise MedopsError(f"approval {approval.change_id}: approved_on is after the end of its window")
    if now is not None:
        if now < approval.window_start:
            raise MedopsError(
                f"approval {approval.change_id}: its window opens {approval.window_start.isoformat()}; "
                "not before"
            )
        if now > approval.window_end:
            raise MedopsError(
                f"approval {approval.change_id}: its window closed {approval.window_end.isoformat()}; "
                "plan again and get a new approval"
            )


def check_current(approval: Approval, proposal: Proposal, current: Sequence[HostPlan]) -> str:
    """Recompute the hash from what the targeted hosts have pending now; raise when it is not approved.

    Hosts of the proposal that are not targeted (a `--limit`ed run) count with their approved packages.
    """
    if not current:
        raise MedopsError("no targeted host reported its pending updates")
    names = [h.host for h in current]
    strangers = sorted(set(names) - {h.host for h in proposal.hosts})
    if strangers:
        raise MedopsError(
            f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not in proposal {proposal.id}; "
            f"approval {approval.change_id} does not cover them"
        )
    others = [h.host for h in proposal.hosts if h.host not in names]
    entries = [e for plan in current for e in plan.entries()] + approved_entries(proposal, others)
    recomputed = content_hash(entries)
    if recomputed != approval.content_hash:
        changed = []
        for plan in current:
            approved = proposal.host(plan.host)
            if approved is None or set(approved.entries()) != set(plan.entries()):
                changed.append(plan.host)
        raise MedopsError(
            f"the pending updates changed since proposal {proposal.id} "
            f"(now {recomputed}, approved {approval.content_hash}; changed on {', '.join(changed)}); "
            "refused: plan again and get the new proposal approved"
        )
    return recomputed


def template(proposal: Proposal, change_id: str, today: date) -> str:
    """A filled-in approval for a person to review, complete and save (printed, never written)."""
    counts = sum(len(h.packages) for h in proposal.hosts)
    security = sum(h.security_count for h in proposal.hosts)
    reboot = [h.host for h in proposal.hosts if h.reboot_likely]
    lines = [
        f"# Approval of patch proposal {proposal.id} ({counts} packages, {security} security updates,",
        f"# {len(proposal.hosts)} hosts{'; reboot likely on ' + ', '.join(reboot) if reboot else ''}).",
        "# Read records/patches/<proposal>/proposal.html before signing. Fill in approved_by, the window",
        "# and the reason, then save as records/patches/approvals/<change_id>.yml and commit it.",
        "# medops never writes this file; patch.yml refuses it once the hosts' pending updates change.",
        f"change_id: {change_id}",
        f"proposal: {proposal.id}",
        f"content_hash: {proposal.content_hash}",
        f"hosts: [{', '.join(h.host for h in proposal.hosts)}]",
        'approved_by: ""  # name and role of the system owner who approves',
        f'approved_on: "{today.isoformat()}"',
        "window:  # the change window (with time zone); patch.yml refuses to run outside it",
        f'  start: "{today.isoformat()}T22:00:00+08:00"',
        f'  end: "{today.isoformat()}T23:59:00+08:00"',
        f'reason: "Half-yearly patch cycle {today.year} {"H1" if today.month <= 6 else "H2"}"',
    ]
    return "\n".join(lines) + "\n"


def apply_plan(approval: Approval, proposal: Proposal) -> dict[str, Any]:
    """What patch.yml installs per host: exactly the approved name=version pairs, and what follows."""
    hosts: dict[str, Any] = {}
    for plan in proposal.hosts:
        chosen = [p for p in plan.packages if not approval.excludes(plan.host, p.name)]
        hosts[plan.host] = {
            "excluded": plan.host in approval.excluded_hosts,
            "upgrade": [f"{p.name}={p.target}" for p in chosen if p.action == "upgrade"],
            "install": [f"{p.name}={p.target}" for p in chosen if p.action == "install"],
            "versions": {p.name: p.target for p in chosen},
            "held": sorted(p.name for p in plan.packages if p not in chosen),
            "services": list(plan.services),
            "pid1": plan.pid1,
            "reboot_likely": any(p.reboot_likely for p in chosen),
        }
    return {
        "change_id": approval.change_id,
        "proposal": proposal.id,
        "content_hash": approval.content_hash,
        "approved_by": approval.approved_by,
        "window": {"start": approval.window_start.isoformat(), "end": approval.window_end.isoformat()},
        "hosts": hosts,
    }


def load_for_apply(records: Path, change_id: str, now: datetime | None) -> tuple[Approval, Proposal]:
    approval = read_approval(records, change_id)
    proposal = load_proposal(records, approval.proposal)
    check_approval(approval, proposal, now)
    return approval, proposal
