"""One inspection run, end to end: inventory → targets → collect → parse → evaluate → record.

`prepare` reads and checks everything on this machine (inventory, thresholds, the week, the records) and
contacts no host: bad input stops here, with one line, before anything is collected or written.
`execute` collects from every host at once and judges; `run_inspection` does both and writes the record.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from medops.backup.restore_tests import load_restore_tests
from medops.errors import MedopsError
from medops.inspect.collect import Collected, Job, ProgressCallback, collect_all
from medops.inspect.evaluate import Context, Deploy, Previous, assess
from medops.inspect.parse import HostData, parse_host
from medops.inspect.record import (
    HostResult,
    build_record,
    load_records,
    read_record,
    record_path,
    write_record,
)
from medops.inspect.targets import Inventory, load_inventory, targets
from medops.inspect.thresholds import Thresholds, thresholds_for
from medops.inspect.trend import forecast, host_samples, sample_from_data
from medops.inspect.weeks import IsoWeek, week_of

ESTATE_TZ = timezone(timedelta(hours=8), "CST")  # weeks are the estate's (Asia/Shanghai) weeks
DEFAULT_SINCE = timedelta(days=7)
BACKUP_JOBS = ("full", "diff", "incr", "verify", "restore_test")


@dataclass(frozen=True)
class Options:
    root: Path  # the repository (ansible.cfg applies)
    inventories: tuple[Path, ...]
    records: Path
    limit: str | None = None
    week: IsoWeek | None = None
    workers: int = 32
    timeout: float = 60.0
    vault_ids: tuple[str, ...] = ()
    shown_inventories: tuple[str, ...] = ()  # as the record names them (repository-relative)


@dataclass(frozen=True)
class Plan:
    options: Options
    now: datetime
    week: IsoWeek
    environment: str
    jobs: tuple[Job, ...]
    thresholds: Mapping[str, Thresholds]
    history: tuple[dict[str, Any], ...]  # records before this week, oldest first
    this_week: dict[str, Any] | None  # the week's record when it exists (an earlier run)
    context: Mapping[str, Context]
    problems: tuple[str, ...] = ()  # records that could not be read (reported, not fatal)


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    record: dict[str, Any]  # this run
    results: tuple[HostResult, ...]
    collect_seconds: float
    written: dict[str, Any] | None = None  # the week's record as written (merged)
    path: Path | None = None
    kept_earlier: bool = False
    history: tuple[dict[str, Any], ...] = field(default_factory=tuple)  # records up to and including the week


def _schedules(inventory: Inventory) -> dict[str, dict[str, str]]:
    """stanza → job → OnCalendar, from the backup policy the hosts share (when the inventory has one)."""
    for hostvars in inventory.hosts.values():
        policy = hostvars.get("backup_policy")
        systems = policy.get("systems") if isinstance(policy, Mapping) else None
        if not isinstance(systems, Mapping):
            continue
        found: dict[str, dict[str, str]] = {}
        for name, system in systems.items():
            schedule = system.get("schedule") if isinstance(system, Mapping) else None
            if isinstance(schedule, Mapping):
                found[str(name)] = {
                    job: str(schedule[job])
                    for job in BACKUP_JOBS
                    if isinstance(schedule.get(job), str) and schedule[job]
                }
        return found
    return {}


def _deploys(records: Path) -> dict[str, Deploy]:
    """The newest successful deploy (or rollback) of each system, from records/deploys."""
    newest: dict[str, tuple[str, Deploy]] = {}
    folder = records / "deploys"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if not isinstance(data, dict) or data.get("outcome") != "success":
            continue
        system, finished = str(data.get("system", "")), str(data.get("finished") or "")
        if system and (system not in newest or finished > newest[system][0]):
            deploy = Deploy(str(data.get("version", "")), finished, str(data.get("who", "")))
            newest[system] = (finished, deploy)
    return {system: deploy for system, (_, deploy) in newest.items()}


def _previous(records: Sequence[Mapping[str, Any]], host: str) -> Previous | None:
    """The newest reached inspection of `host` in these records (earlier runs of a week included)."""
    best: Previous | None = None
    for record in records:
        runs = [record, *(record.get("earlier_runs") or [])]
        for run in runs:
            for entry in run.get("hosts") or []:
                if not isinstance(entry, Mapping) or entry.get("name") != host:
                    continue
                data = entry.get("data")
                if not isinstance(data, Mapping) or not isinstance(data.get("clock"), str):
                    continue
                try:
                    clock = datetime.fromisoformat(data["clock"])
                    boot = (
                        datetime.fromisoformat(data["boot_at"])
                        if isinstance(data.get("boot_at"), str)
                        else None
                    )
                except ValueError:
                    continue
                if best is None or clock > best.clock:
                    best = Previous(clock, boot)
    return best


def prepare(options: Options, now: datetime | None = None) -> Plan:
    """Everything but the hosts: MedopsError, naming what is wrong, before any host is contacted."""
    now = now or datetime.now(UTC)
    current = week_of(now.astimezone(ESTATE_TZ))
    week = options.week or current
    if week > current:
        raise MedopsError(
            f"--week {week} has not begun (this is {current}); an inspection records a week that has"
        )
    if week < current.previous():
        raise MedopsError(
            f"--week {week} ended more than a week ago (this is {current}): a record is the evidence of an "
            "inspection made in its week, or late, in the week after"
        )
    inventory = load_inventory(options.inventories, options.vault_ids, cwd=options.root)
    chosen = targets(inventory, options.limit)
    thresholds: dict[str, Thresholds] = {}
    for target in chosen:
        try:
            thresholds[target.name] = thresholds_for(target.hostvars)
        except MedopsError as exc:
            raise MedopsError(f"{target.name}: {exc}") from None
    existing = record_path(options.records, week)
    this_week = read_record(existing) if existing.exists() else None
    earlier, problems = load_records(options.records, until=week.previous())
    restore = load_restore_tests(options.records)
    schedules = _schedules(inventory)
    deploys = _deploys(options.records)
    everything = [*earlier, *([this_week] if this_week else [])]
    jobs: list[Job] = []
    contexts: dict[str, Context] = {}
    for target in chosen:
        previous = _previous(everything, target.name)
        since = previous.clock if previous else now - DEFAULT_SINCE
        limits = thresholds[target.name]
        jobs.append(Job(target, int(since.timestamp()), limits.services, limits.certificates))
        contexts[target.name] = Context(
            now=now,
            previous=previous,
            since=since,
            schedules=schedules,
            restore_tests=restore.tests,
            deploys=deploys,
        )
    return Plan(
        options=options,
        now=now,
        week=week,
        environment=inventory.environment or (options.inventories[0].name if options.inventories else ""),
        jobs=tuple(jobs),
        thresholds=thresholds,
        history=tuple(earlier),
        this_week=this_week,
        context=contexts,
        problems=(*problems, *restore.problems),
    )


def _result(plan: Plan, collected: Collected) -> HostResult:
    name = collected.target.name
    limits = plan.thresholds[name]
    context = plan.context[name]
    data: HostData | None = parse_host(collected.output, collected.nonce) if collected.output else None
    if data is not None and data.meta is None and collected.error:
        data = None
    if data is not None:
        samples = host_samples(plan.history, name)
        samples.append(sample_from_data(str(plan.week), collected.started_at, data, limits.ignored))
        forecasts = {m.mountpoint: forecast(samples, m.mountpoint) for m in data.mounts if not m.readonly}
        context = Context(
            now=context.now,
            previous=context.previous,
            since=context.since,
            schedules=context.schedules,
            restore_tests=context.restore_tests,
            deploys=context.deploys,
            forecasts=forecasts,
        )
    return HostResult(collected, data, limits, assess(collected, data, limits, context), context.since)


def execute(
    plan: Plan, version: str, progress: ProgressCallback | None = None, *, body: str | None = None
) -> Outcome:
    """Collect from every host of the plan at once and judge: this run's record (not written)."""
    started = datetime.now(UTC)
    clock = time.monotonic()
    collected = collect_all(
        plan.jobs, workers=plan.options.workers, timeout=plan.options.timeout, progress=progress, body=body
    )
    collect_seconds = time.monotonic() - clock
    results = tuple(_result(plan, c) for c in collected)
    finished = started + timedelta(seconds=time.monotonic() - clock)
    record = build_record(
        week=plan.week,
        environment=plan.environment,
        inventory=plan.options.shown_inventories or tuple(p.name for p in plan.options.inventories),
        limit=plan.options.limit,
        started_at=started,
        finished_at=finished,
        medops_version=version,
        results=results,
        workers=plan.options.workers,
        timeout=plan.options.timeout,
    )
    return Outcome(plan, record, results, collect_seconds, history=(*plan.history, record))


def save(outcome: Outcome) -> Outcome:
    """Write the week's record (merging an earlier run of the week into it)."""
    plan = outcome.plan
    path, written, kept = write_record(plan.options.records, plan.week, outcome.record)
    return Outcome(
        plan,
        outcome.record,
        outcome.results,
        outcome.collect_seconds,
        written,
        path,
        kept,
        (*plan.history, written),
    )
