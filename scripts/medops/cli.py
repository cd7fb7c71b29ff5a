"""The `medops` command line: one verb per job, each a thin layer over a library function."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medops import __version__
from medops.errors import MedopsError
from medops.paths import repo_root

if TYPE_CHECKING:
    from medops.drift.run import Options as HostSelection
    from medops.inspect.weeks import IsoWeek

BUILD_SCRIPT = Path("scripts/lab/build-image.sh")
APT_CACHE_SCRIPT = Path("scripts/lab/apt-cache.sh")


def _lab_images(args: argparse.Namespace) -> int:
    from medops.lab.estate import load_estate
    from medops.lab.images import ensure_images

    root = repo_root()
    releases = args.release or sorted({h.release for h in load_estate(root).hosts} | {12, 13})
    for line in ensure_images(root / BUILD_SCRIPT, releases, force=args.force):
        print(line)
    return 0


def _lab_apt_cache(_: argparse.Namespace) -> int:
    import subprocess

    from medops.lab.images import debian_mirror

    # The script says what it did; it never fails the caller (hosts go direct without a cache).
    return subprocess.run(
        ["bash", str(repo_root() / APT_CACHE_SCRIPT), debian_mirror()], check=False
    ).returncode


def _lab_secrets(_: argparse.Namespace) -> int:
    from medops.lab.secrets import ensure_lab_secrets

    for line in ensure_lab_secrets(repo_root()):
        print(line)
    return 0


def _lab_up(_: argparse.Namespace) -> int:
    from medops.lab import containers
    from medops.lab.estate import load_estate

    started = time.monotonic()
    estate = load_estate(repo_root())
    print(containers.ensure_network(estate))
    for host in estate.hosts:
        print(containers.ensure_host(estate, host))
    for host in estate.hosts:
        print(containers.wait_for_systemd(host))
    print(f"lab up: {len(estate.hosts)} hosts in {time.monotonic() - started:.0f} s")
    return 0


def _lab_down(_: argparse.Namespace) -> int:
    from medops.lab import containers
    from medops.lab.estate import load_estate

    estate = load_estate(repo_root())
    for line in containers.remove_lab(estate.network):
        print(line)
    return 0


def _lab_status(_: argparse.Namespace) -> int:
    from medops.lab import containers
    from medops.lab.estate import load_estate

    estate = load_estate(repo_root())
    rows = containers.status(estate)
    width = max(len(name) for name, _, _ in rows)
    for name, address, state in rows:
        print(f"{name:<{width}}  {address:<15}  {state}")
    return 0 if all(state == "running" for _, _, state in rows) else 1


def _lab_drill(args: argparse.Namespace) -> int:
    from medops.lab.drill import newest_record, plan_drill, run_drill
    from medops.lab.estate import load_estate

    root = repo_root()
    estate = load_estate(root)
    plan = plan_drill(estate, args.system, float(args.write_seconds), float(args.temporary_seconds))
    started = time.time()
    run_drill(root, estate, plan)
    records = _records(args.records)
    drill_id = newest_record(records, args.system, started)
    if drill_id is None:
        raise MedopsError(f"the drill ran but wrote no record in {_shown(records / 'drills')}")
    report = argparse.Namespace(drill=drill_id, records=args.records, out=None, lang=None, no_write=False)
    return _drill_report(report)


def _day(text: str) -> date:
    """argparse type: a date written YYYY-MM-DD."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def _inventory(value: str) -> Path:
    """An inventory folder: as given when it exists from here, else relative to the repository root."""
    path = Path(value)
    if path.is_absolute() or path.exists():
        return path.resolve()
    return repo_root() / path


def _shown(path: Path) -> str:
    """A path as the person typing should see it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _in_repository(path: Path, fallback: str) -> str:
    """A path for a record: relative to the repository root, never a machine path."""
    try:
        return str(path.resolve().relative_to(repo_root()))
    except (MedopsError, ValueError):
        return fallback


def _records(value: str | None) -> Path:
    """--records, else $MEDOPS_RECORDS, else records/ at the repository root."""
    chosen = value or os.environ.get("MEDOPS_RECORDS")
    return Path(chosen).resolve() if chosen else repo_root() / "records"


def _backup_check_policy(args: argparse.Namespace) -> int:
    from medops.backup.policy import check_policy_file, inventory_groups, policy_path, summarize_policy

    today = args.today or date.today()
    if args.policy:
        path, groups = Path(args.policy), None
    else:
        inventory = _inventory(args.inventory)
        path, groups = Path(_shown(policy_path(inventory))), inventory_groups(inventory)
    result = check_policy_file(path, today, groups)
    if result.problems:
        count = len(result.problems)
        print(f"{count} problem{'s' if count != 1 else ''} in {_shown(path)} (as of {today}):")
        for problem in result.problems:
            print(problem)
        return 1
    if result.policy is None:  # check_policy_file returns a problem whenever it returns no policy
        raise MedopsError(f"{_shown(path)} could not be checked")
    print(f"policy ok: {_shown(path)}: {summarize_policy(result.policy, today)}")
    return 0


def _backup_review(args: argparse.Namespace) -> int:
    from medops import __version__
    from medops.backup.collect import INFO_COMMAND, collect_info
    from medops.backup.info import parse_info
    from medops.backup.policy import check_policy_file, inventory_groups, policy_path
    from medops.backup.report import Sources, review_data, review_document
    from medops.backup.restore_tests import SUBDIR, load_restore_tests
    from medops.backup.review import Severity, as_of_for, build_review
    from medops.report.render import to_html, to_json, to_markdown

    today = args.today or date.today()
    inventory = _inventory(args.inventory)
    path = Path(_shown(policy_path(inventory)))
    checked = check_policy_file(path, today, inventory_groups(inventory))
    if checked.policy is None:
        raise MedopsError(
            f"{_shown(path)} has {len(checked.problems)} problem(s), the first: {checked.problems[0]} "
            f"(see medops backup check-policy -i {args.inventory})"
        )
    records = _records(args.records)
    out = Path(args.out).resolve() if args.out else records / "backup-reviews"
    targets = {ext: out / f"{today}.{ext}" for ext in ("md", "html", "json")}
    existing = [t for t in targets.values() if t.exists()]
    if existing and not args.force:
        raise MedopsError(
            f"{_shown(existing[0])} already exists: a review of {today} is on record and is not overwritten "
            "(use --force to replace it, or --out DIR to write elsewhere)"
        )
    if args.info_json:
        info_file = Path(args.info_json)
        try:
            info_text = info_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MedopsError(f"cannot read {info_file}: {exc}") from None
        info_source = info_file.name
    else:
        host, info_text = collect_info(repo_root(), inventory, args.vault_id or ())
        info_source = f"{host}: {INFO_COMMAND}"
    now = datetime.now(UTC)
    review = build_review(
        checked.policy,
        parse_info(info_text),
        load_restore_tests(records),
        environment=inventory.name,
        today=today,
        as_of=as_of_for(today, None if args.today else now),
    )
    sources = Sources(
        policy=_in_repository(path, path.name),
        records=_in_repository(records / SUBDIR, SUBDIR),
        info=info_source,
        version=__version__,
        generated=now,
    )
    document = review_document(review, args.lang, sources)
    texts = {
        "md": to_markdown(document),
        "html": to_html(document),
        "json": to_json(review_data(review, args.lang, sources)),
    }
    out.mkdir(parents=True, exist_ok=True)
    for ext, target in targets.items():
        verb = "replaced" if target.exists() else "wrote"
        try:
            with target.open("w" if args.force else "x", encoding="utf-8") as handle:
                handle.write(texts[ext])
        except FileExistsError:
            raise MedopsError(
                f"{_shown(target)} appeared while writing; not overwritten (use --force)"
            ) from None
        print(f"{verb} {_shown(target)}")
    counts = ", ".join(f"{review.count(s)} {s.value}" for s in reversed(Severity))
    print(f"backup review {today} ({review.environment}): {review.severity.value} ({counts})")
    for system in review.systems:
        worst = [f.check for f in system.findings if f.severity == system.severity]
        detail = f" ({', '.join(worst)})" if system.severity != Severity.OK else ""
        print(f"  {system.policy.name}: {system.severity.value}{detail}")
    policy_worst = max((f.severity for f in review.findings), key=lambda s: s.rank, default=Severity.OK)
    print(f"  policy: {policy_worst.value}")
    return {Severity.OK: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}[review.severity]


def _app_build(args: argparse.Namespace) -> int:
    from medops.app.build import DEFAULT_OUT, RELEASES_FILE, build, source_date_epoch

    root = repo_root()
    releases = Path(args.releases).resolve() if args.releases else root / RELEASES_FILE
    out = Path(args.out).resolve() if args.out else root / DEFAULT_OUT
    artifacts = build(
        releases,
        out,
        args.version or (),
        mtime=source_date_epoch(os.environ),
        source=_shown(releases),
    )
    for artifact in artifacts:
        print(f"{artifact.sha256}  {_shown(artifact.path)}")
    print(f"built {len(artifacts)} release{'s' if len(artifacts) != 1 else ''} into {_shown(out)}")
    return 0


def _week(text: str) -> IsoWeek:
    """argparse type: an ISO week written YYYY-Www."""
    from medops.inspect.weeks import parse_week

    try:
        return parse_week(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(kind: type[int] | type[float], what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {what}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be above 0")
        return value

    return parse


class _Progress:
    """A progress bar on a terminal (plain text, rewritten in place); nothing when stdout is not one."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and total > 0
        self.started = time.monotonic()

    def __call__(self, collected: Any, done: int, total: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = round(width * done / total)
        state = "unreachable" if collected.error else "ok"
        line = (
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} hosts "
            f"{time.monotonic() - self.started:5.1f} s  {collected.target.name}: {state}"
        )
        sys.stdout.write(f"{line:<100}"[:100])
        sys.stdout.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stdout.write("\r" + " " * 100 + "\r")
            sys.stdout.flush()


def _write_reports(
    record: dict[str, Any],
    history: Sequence[dict[str, Any]],
    langs: Sequence[str],
    out: Path,
    record_shown: str,
) -> list[Path]:
    from medops.inspect.report import Sources, inspection_data, inspection_document
    from medops.report.render import to_html, to_json, to_markdown

    sources = Sources(record=record_shown, version=__version__, generated=datetime.now(UTC))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in langs:
        document = inspection_document(record, history, lang, sources)
        texts = {
            "html": to_html(document),
            "md": to_markdown(document),
            "json": to_json(inspection_data(record, history, lang, sources)),
        }
        for ext, text in texts.items():
            target = out / f"{record['week']}.{lang}.{ext}"
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


def _inspect(args: argparse.Namespace) -> int:
    from medops.inspect.record import SUBDIR
    from medops.inspect.report import terminal_lines
    from medops.inspect.run import Options, execute, prepare, save

    started = time.monotonic()
    root = repo_root()
    inventories = tuple(_inventory(i) for i in (args.inventory or ["inventory/lab"]))
    records = _records(args.records)
    options = Options(
        root=root,
        inventories=inventories,
        records=records,
        limit=args.limit,
        week=args.week,
        workers=int(args.jobs),
        timeout=float(args.timeout),
        vault_ids=tuple(args.vault_id or ()),
        shown_inventories=tuple(_in_repository(i, i.name) for i in inventories),
    )
    plan = prepare(options)
    prepared = time.monotonic() - started
    for problem in plan.problems:
        print(f"medops: warning: {problem}", file=sys.stderr)
    progress = _Progress(len(plan.jobs), sys.stdout.isatty())
    try:
        outcome = execute(plan, __version__, progress)
    finally:
        progress.close()
    langs = [args.lang]
    if args.no_record:
        shown = "(not recorded)"
        history = outcome.history
        record = outcome.record
    else:
        outcome = save(outcome)
        assert outcome.path is not None and outcome.written is not None  # noqa: S101 - save sets both
        shown = _in_repository(outcome.path, f"{SUBDIR}/{outcome.path.name}")
        verb = "updated" if outcome.kept_earlier else "wrote"
        kept = " (earlier run of the week kept in earlier_runs)" if outcome.kept_earlier else ""
        print(f"{verb} {_shown(outcome.path)}{kept}")
        history = outcome.history
        record = outcome.written
    out = Path(args.out).resolve() if args.out else records / "inspection-reports"
    if not args.no_record or args.out:
        for path in _write_reports(record, history, langs, out, shown):
            print(f"wrote {_shown(path)}")
    lines = terminal_lines(outcome.record, args.lang, detail=args.summary)
    for line in lines:
        print(line)
    elapsed = time.monotonic() - started
    hosts = len(plan.jobs)
    print(
        f"inspected {hosts} host{'s' if hosts != 1 else ''} in {elapsed:.1f} s (inventory {prepared:.1f} s, "
        f"collection {outcome.collect_seconds:.1f} s with up to {options.workers} at a time)"
    )
    return {"ok": 0, "warning": 1, "critical": 2}[str(outcome.record["severity"])]


def _inspect_status(args: argparse.Namespace) -> int:
    from medops.inspect.run import ESTATE_TZ
    from medops.inspect.status import status_lines, year_status

    # The estate's day (Asia/Shanghai), as `medops inspect` names its weeks.
    today = args.today or datetime.now(ESTATE_TZ).date()
    year = args.year or today.year
    status = year_status(_records(args.records), year, today)
    for line in status_lines(status):
        print(line)
    return 0 if status.on_track else 1


def _inspect_report(args: argparse.Namespace) -> int:
    from medops.inspect.record import SUBDIR, load_records, read_record, record_path

    records = _records(args.records)
    path = record_path(records, args.week)
    if not path.exists():
        raise MedopsError(f"no inspection record for {args.week} ({_shown(path)})")
    record = read_record(path)
    history, problems = load_records(records, until=args.week.previous())
    for problem in problems:
        print(f"medops: warning: {problem}", file=sys.stderr)
    out = Path(args.out).resolve() if args.out else records / "inspection-reports"
    shown = _in_repository(path, f"{SUBDIR}/{path.name}")
    for written in _write_reports(record, [*history, record], [args.lang], out, shown):
        print(f"wrote {_shown(written)}")
    return 0


def _write_texts(out: Path, texts: dict[str, str]) -> list[Path]:
    """Write name → text into `out` (created); the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in texts.items():
        target = out / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def _add_host_options(
    parser: argparse.ArgumentParser,
    *,
    timeout: float = 180.0,
    timeout_help: str = "seconds a host's state collection may take",
    system: bool = True,
) -> None:
    """The options of a verb that reads hosts: which inventory and hosts, how many at a time, the vault."""
    parser.add_argument(
        "-i",
        "--inventory",
        action="append",
        metavar="INVENTORY",
        help="inventory, repeatable (default: inventory/lab)",
    )
    parser.add_argument(
        "--limit", metavar="PATTERN", help="only these hosts (Ansible patterns: a:b, &g, !h, globs)"
    )
    if system:
        parser.add_argument("--system", metavar="GROUP", help="only the hosts of this system (qcis, chfms)")
    parser.add_argument(
        "--jobs", type=_positive(int, "number"), default=32, metavar="N", help="hosts at a time (default: 32)"
    )
    parser.add_argument(
        "--timeout",
        type=_positive(float, "number of seconds"),
        default=timeout,
        metavar="S",
        help=f"{timeout_help} (default: {timeout:g})",
    )
    parser.add_argument(
        "--vault-id", action="append", metavar="ID@SOURCE", help="passed to Ansible, e.g. prod@prompt"
    )


def _host_selection(args: argparse.Namespace) -> HostSelection:
    from medops.drift.run import Options

    inventories = tuple(_inventory(i) for i in (args.inventory or ["inventory/lab"]))
    return Options(
        root=repo_root(),
        inventories=inventories,
        limit=args.limit,
        system=args.system,
        vault_ids=tuple(args.vault_id or ()),
        workers=int(args.jobs),
        timeout=float(args.timeout),
        shown_inventories=tuple(_in_repository(i, i.name) for i in inventories),
    )


def _drift(args: argparse.Namespace) -> int:
    from medops.drift.report import drift_document, terminal_lines
    from medops.drift.run import drift_data, run_drift
    from medops.report.render import to_html, to_json, to_markdown

    options = _host_selection(args)
    run, redactor = run_drift(options)
    data = drift_data(run)
    langs = args.lang or ["en", "zh-CN"]
    if not args.no_record or args.out:
        out = Path(args.out).resolve() if args.out else _records(args.records) / "drift"
        stamp = run.started_at.strftime("%Y%m%dT%H%M%SZ")
        texts = {f"{stamp}.json": to_json(data)}
        for lang in langs:
            document = drift_document(data, lang, __version__)
            texts[f"{stamp}.{lang}.html"] = to_html(document)
            texts[f"{stamp}.{lang}.md"] = to_markdown(document)
        # Everything written passes the redactor once more, whatever path a value took to get there.
        for path in _write_texts(out, {n: redactor.redact(t) for n, t in texts.items()}):
            print(f"wrote {_shown(path)}")
    for line in terminal_lines(data, langs[0]):
        print(redactor.redact(line))
    return run.exit_code


def _add_drift_verb(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    drift = verbs.add_parser(
        "drift",
        help="declared against actual configuration of every host (exit 0 no drift, 2 drift or incomplete)",
        description=(
            "Run playbooks/site.yml in check mode with diffs and read every host's state in one round trip: "
            "what Ansible would change, and what it does not manage but nothing declares (packages, "
            "listening ports, accounts, enabled units, changed package files under /etc). Vault values are "
            "redacted. "
            "Reports (HTML, Markdown, JSON; English and Chinese) go to <records>/drift/. "
            "Runbook: docs/runbooks/drift.md"
        ),
    )
    _add_host_options(drift)
    drift.add_argument(
        "--lang", action="append", choices=["en", "zh-CN"], help="report language, repeatable (default: both)"
    )
    drift.add_argument(
        "--records", metavar="DIR", help="records folder (default: $MEDOPS_RECORDS, else records/)"
    )
    drift.add_argument("--out", metavar="DIR", help="write the reports here (default: <records>/drift)")
    drift.add_argument("--no-record", action="store_true", help="print only (reports only with --out)")
    drift.set_defaults(func=_drift)


def _config_inventory(args: argparse.Namespace) -> int:
    from medops.configinv.run import build_site, save_snapshot, take_snapshot

    records = _records(args.records)
    options = _host_selection(args)
    snapshot, redactor = take_snapshot(options, records, __version__)
    path = save_snapshot(records, snapshot, redactor)
    print(f"wrote {_shown(path)}")
    unreached = [h["name"] for h in snapshot["hosts"] if not h.get("reached")]
    out = Path(args.site).resolve() if args.site else records / "config-inventory" / "site"
    written, problems = build_site(records, out, __version__, redactor)
    for problem in problems:
        print(f"medops: warning: unreadable snapshot {problem}", file=sys.stderr)
    print(f"built the site in {_shown(out)} ({len(written)} files): {_shown(out / 'index.html')}")
    hosts = len(snapshot["hosts"])
    print(
        f"inventory of {hosts} host{'s' if hosts != 1 else ''}"
        + (f"; not reached: {', '.join(unreached)}" if unreached else "")
    )
    return 1 if unreached else 0


def _config_inventory_site(args: argparse.Namespace) -> int:
    from medops.configinv.run import build_site

    records = _records(args.records)
    out = Path(args.site).resolve() if args.site else records / "config-inventory" / "site"
    written, problems = build_site(records, out, __version__)
    for problem in problems:
        print(f"medops: warning: unreadable snapshot {problem}", file=sys.stderr)
    if not written:
        raise MedopsError(
            f"no snapshot in {_shown(records / 'config-inventory' / 'snapshots')}: run medops inventory"
        )
    print(f"built the site in {_shown(out)} ({len(written)} files)")
    return 0


def _compliance(args: argparse.Namespace) -> int:
    from medops.compliance.report import compliance_data, compliance_document, gather, terminal_lines
    from medops.inspect.run import ESTATE_TZ
    from medops.report.render import to_html, to_json

    today = args.today or datetime.now(ESTATE_TZ).date()
    year = args.year or today.year
    inventory = _inventory(args.inventory)
    records = _records(args.records)
    result = gather(inventory, records, year, today, args.within)
    environment = inventory.name
    shown = _in_repository(inventory, inventory.name)
    for line in terminal_lines(result, environment, args.lang):
        print(line)
    if args.html or not args.no_record:
        out = Path(args.html).resolve().parent if args.html else records / "compliance"
        name = Path(args.html).name if args.html else f"{today}.{args.lang}.html"
        texts = {name: to_html(compliance_document(result, environment, args.lang, __version__, shown))}
        if not args.html:
            texts[f"{today}.json"] = to_json(compliance_data(result, environment))
        for path in _write_texts(out, texts):
            print(f"wrote {_shown(path)}")
    return result.exit_code


def _add_site_options(parser: argparse.ArgumentParser, records_help: str) -> None:
    """Where the configuration inventory's records are and where its site is built."""
    parser.add_argument("--records", metavar="DIR", help=records_help)
    parser.add_argument(
        "--site", metavar="DIR", help="build the site here (default: <records>/config-inventory/site)"
    )


def _add_audit_verbs(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    records_help = "records folder (default: $MEDOPS_RECORDS, else records/ at the repository root)"
    inventory = verbs.add_parser(
        "inventory",
        help="auditors' configuration inventory: snapshot the hosts, rebuild the site (exit 1 unreached)",
        description=(
            "Read every host's configuration in one round trip each, write a snapshot to "
            "<records>/config-inventory/snapshots/ (commit it), and rebuild the static site (index by system "
            "and host, a page per host with its change history, CSV) in English and Chinese. "
            "Guide: docs/auditors-guide.md"
        ),
    )
    _add_host_options(inventory)
    _add_site_options(inventory, records_help)
    inventory.set_defaults(func=_config_inventory)
    inventory_verbs = inventory.add_subparsers(dest="inventory_verb", metavar="<action>", required=False)
    site = inventory_verbs.add_parser(
        "site", help="rebuild the static site from the snapshots on record only"
    )
    _add_site_options(site, records_help)
    site.set_defaults(func=_config_inventory_site)

    compliance = verbs.add_parser(
        "compliance",
        help="every O&M obligation of a year with its evidence (exit 0 ok, 1 due soon, 2 missed)",
        description=(
            "Inspections, patch cycles with approvals, backup policy reviews, restore tests, DR drills with "
            "measured RTO, configuration inventory age: status and evidence from the records. Writes "
            "<records>/compliance/<date>.<lang>.html and .json. Guide: docs/auditors-guide.md"
        ),
    )
    compliance.add_argument(
        "-i", "--inventory", default="inventory/lab", help="inventory (default: inventory/lab)"
    )
    compliance.add_argument("--year", type=int, help="the year (default: this year)")
    compliance.add_argument("--today", type=_day, metavar="YYYY-MM-DD", help="judge as of this day")
    compliance.add_argument(
        "--within",
        type=int,
        default=14,
        metavar="DAYS",
        help="due soon: a deadline within DAYS (default: 14)",
    )
    compliance.add_argument("--records", metavar="DIR", help=records_help)
    compliance.add_argument("--lang", choices=["en", "zh-CN"], default="en", help="language (default: en)")
    compliance.add_argument(
        "--html", metavar="FILE", help="write the page to FILE instead of <records>/compliance"
    )
    compliance.add_argument("--no-record", action="store_true", help="print only")
    compliance.set_defaults(func=_compliance)


def _add_inspect_verbs(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inspect = verbs.add_parser(
        "inspect",
        help="the weekly inspection of every host (exit 0 ok, 1 warnings, 2 critical)",
        description=(
            "Gather from every host at once (one round trip each), judge against the inventory's thresholds "
            "(group_vars/all/inspection.yml), write the week's record "
            "<records>/inspections/<YYYY-Www>.json and "
            "its reports (HTML, Markdown, JSON). Exit 0 ok, 1 warnings, 2 critical or unreachable hosts. "
            "Runbook: docs/runbooks/weekly-inspection.md"
        ),
    )
    records_help = "records folder (default: $MEDOPS_RECORDS, else records/ at the repository root)"
    _add_host_options(
        inspect,
        timeout=60.0,
        timeout_help="seconds a host may take before it counts as unreachable",
        system=False,
    )
    inspect.add_argument(
        "--week",
        type=_week,
        metavar="YYYY-Www",
        help="record as this ISO week: the current one (default, UTC+8) or, run late, the previous one",
    )
    inspect.add_argument("--records", metavar="DIR", help=records_help)
    inspect.add_argument(
        "--out", metavar="DIR", help="write the reports here (default: <records>/inspection-reports)"
    )
    inspect.add_argument(
        "--lang", choices=["en", "zh-CN"], default="en", help="report language (default: en)"
    )
    inspect.add_argument(
        "--summary", action="store_true", help="print every finding that needs action with its recommendation"
    )
    inspect.add_argument(
        "--no-record",
        action="store_true",
        help="collect and judge, print; write no record (reports only with --out)",
    )
    inspect.set_defaults(func=_inspect)
    inspect_verbs = inspect.add_subparsers(dest="inspect_verb", metavar="<action>", required=False)
    status = inspect_verbs.add_parser(
        "status", help="the weeks of a year inspected and missed (exit 1 when an ended week was missed)"
    )
    status.add_argument("--year", type=int, help="the year (default: this year)")
    status.add_argument("--records", metavar="DIR", help=records_help)
    status.add_argument(
        "--today", type=_day, metavar="YYYY-MM-DD", help="judge as of this day (default: today)"
    )
    status.set_defaults(func=_inspect_status)
    report = inspect_verbs.add_parser(
        "report", help="write a week's reports again from its record (any language)"
    )
    report.add_argument(
        "--week", type=_week, required=True, metavar="YYYY-Www", help="the week of the record"
    )
    report.add_argument("--records", metavar="DIR", help=records_help)
    report.add_argument(
        "--out", metavar="DIR", help="write the reports here (default: <records>/inspection-reports)"
    )
    report.add_argument("--lang", choices=["en", "zh-CN"], default="en", help="report language (default: en)")
    report.set_defaults(func=_inspect_report)


def _add_app_verbs(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    app = verbs.add_parser("app", help="the sample application standing in for qcis and chfms (sampleapp/)")
    app_verbs = app.add_subparsers(dest="app_verb", metavar="<action>", required=True)
    build = app_verbs.add_parser(
        "build",
        help="build the release tarballs and .sha256 files from sampleapp/releases.yml (reproducible)",
    )
    build.add_argument(
        "--out", metavar="DIR", help="write here (default: build/releases at the repository root)"
    )
    build.add_argument(
        "--version",
        action="extend",
        nargs="+",
        metavar="V",
        help="only these release versions (default: every release in releases.yml)",
    )
    build.add_argument(
        "--releases", metavar="FILE", help="the releases file (default: sampleapp/releases.yml)"
    )
    build.set_defaults(func=_app_build)


def _add_backup_verbs(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = verbs.add_parser("backup", help="the backup policy (inventory) and its semiannual review")
    backup_verbs = backup.add_subparsers(dest="backup_verb", metavar="<action>", required=True)
    inventory_help = (
        "inventory folder whose group_vars/all/backup_policy.yml to read (default: inventory/lab)"
    )
    today_help = "judge as of this day, YYYY-MM-DD (default: today)"

    check = backup_verbs.add_parser(
        "check-policy",
        help="validate the backup policy and its review record (exit 0 ok, 1 problems, 2 unreadable)",
    )
    check.add_argument("-i", "--inventory", default="inventory/lab", help=inventory_help)
    check.add_argument("--policy", metavar="FILE", help="check this policy file instead of the inventory's")
    check.add_argument("--today", type=_day, metavar="YYYY-MM-DD", help=today_help)
    check.set_defaults(func=_backup_check_policy)

    review = backup_verbs.add_parser(
        "review",
        help="write the semiannual review, policy against repository (exit 0 ok, 1 warnings, 2 critical)",
    )
    review.add_argument("-i", "--inventory", default="inventory/lab", help=inventory_help)
    review.add_argument(
        "--info-json",
        metavar="FILE",
        help="pgbackrest --output=json info saved earlier (default: run it on the backup host via Ansible)",
    )
    review.add_argument(
        "--records",
        metavar="DIR",
        help="records folder: restore-tests/ is read, backup-reviews/ written "
        "(default: $MEDOPS_RECORDS, else records/ at the repository root)",
    )
    review.add_argument("--lang", choices=["en", "zh-CN"], default="en", help="report language (default: en)")
    review.add_argument(
        "--out", metavar="DIR", help="write the report here instead of <records>/backup-reviews"
    )
    review.add_argument("--today", type=_day, metavar="YYYY-MM-DD", help=today_help)
    review.add_argument("--force", action="store_true", help="replace a report of the same date")
    review.add_argument(
        "--vault-id",
        action="append",
        metavar="ID@SOURCE",
        help="passed to ansible for live collection, e.g. prod@prompt (repeatable)",
    )
    review.set_defaults(func=_backup_review)


def _now(text: str) -> datetime:
    """argparse type: a moment with its time zone (ISO 8601)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time like 2026-05-16T23:00:00+08:00") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone (add +08:00 or Z)")
    return moment


def _environment(args: argparse.Namespace, inventory: Path) -> str:
    name = args.environment or (inventory.name if inventory.is_dir() else inventory.stem)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise MedopsError(
            f"environment {name!r} may hold lower-case letters, digits and '-' only (--environment)"
        )
    return name


def _who() -> str:
    return os.environ.get("SUDO_USER") or os.environ.get("USER") or "unknown"


def _write_new(target: Path, text: str) -> None:
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise MedopsError(f"{_shown(target)} already exists; records are never overwritten") from None


def _patch_plan(args: argparse.Namespace) -> int:
    import shutil
    import tempfile

    from medops.patch.collect import collect
    from medops.patch.plan import Proposal, proposal_data, proposal_dir, proposal_id, read_collections
    from medops.patch.report import proposal_document
    from medops.report.render import to_html, to_json, to_markdown

    inventory = _inventory(args.inventory)
    if not inventory.exists():
        raise MedopsError(f"inventory {args.inventory} does not exist")
    environment = _environment(args, inventory)
    records = _records(args.records)
    with tempfile.TemporaryDirectory(prefix="medops-patch-") as scratch:
        if args.from_collected:
            source = Path(args.from_collected)
            if not source.is_dir():
                raise MedopsError(f"--from-collected {args.from_collected} is not a folder")
        else:
            source = collect(
                repo_root(), inventory, Path(scratch) / "collected", args.limit, args.vault_id or ()
            )
        plans = read_collections(source)
        created = max(p.collected_at for p in plans).astimezone(UTC)
        proposal = Proposal(
            id=proposal_id(environment, created),
            environment=environment,
            created=created,
            created_by=_who(),
            hosts=tuple(plans),
        )
        folder = proposal_dir(records, proposal.id)
        if folder.exists():
            raise MedopsError(f"{_shown(folder)} already exists; records are never overwritten")
        (folder / "collected").mkdir(parents=True)
        for path in sorted(source.glob("*.json")):
            shutil.copyfile(path, folder / "collected" / path.name)
    now = datetime.now(UTC)
    _write_new(folder / "proposal.json", to_json(proposal_data(proposal)))
    for lang, suffix in (("en", ""), ("zh-CN", ".zh-CN")):
        document = proposal_document(proposal, lang, __version__, now)
        _write_new(folder / f"proposal{suffix}.md", to_markdown(document))
        _write_new(folder / f"proposal{suffix}.html", to_html(document))
    print(f"wrote {_shown(folder)}/proposal.{{json,md,html}} (and proposal.zh-CN.{{md,html}})")
    for plan in proposal.hosts:
        extra = []
        if plan.services:
            extra.append(f"restart {', '.join(plan.services)}")
        if plan.reboot_likely:
            extra.append("reboot likely")
        if plan.removals:
            extra.append(f"apt would REMOVE {', '.join(n for n, _ in plan.removals)}")
        detail = f"; {'; '.join(extra)}" if extra else ""
        print(f"  {plan.host}: {len(plan.packages)} pending ({plan.security_count} security){detail}")
    total = sum(len(h.packages) for h in proposal.hosts)
    print(f"proposal {proposal.id}: {total} package updates on {len(proposal.hosts)} hosts")
    print(f"content hash {proposal.content_hash}")
    if total:
        print(
            f"next: medops patch approval-template {proposal.id} > records/patches/approvals/<change id>.yml"
        )
    return 0


def _patch_approval_template(args: argparse.Namespace) -> int:
    from medops.patch.approval import CHANGE_ID, template
    from medops.patch.plan import load_proposal

    proposal = load_proposal(_records(args.records), args.proposal)
    today = args.today or date.today()
    change_id = (
        args.change_id or f"CHG-{today.year}-{'H1' if today.month <= 6 else 'H2'}-{proposal.environment}"
    )
    if not CHANGE_ID.match(change_id):
        raise MedopsError(f"--change-id {change_id!r} may hold letters, digits, '.', '_' and '-' only")
    if not any(h.packages for h in proposal.hosts):
        raise MedopsError(f"proposal {proposal.id} has nothing pending; there is nothing to approve")
    sys.stdout.write(template(proposal, change_id, today))
    return 0


def _patch_check_approval(args: argparse.Namespace) -> int:
    import json

    from medops.patch.approval import apply_plan, check_current, load_for_apply
    from medops.patch.plan import read_collections

    records = _records(args.records)
    now = args.now or (datetime.now(UTC) if args.current else None)
    approval, proposal = load_for_apply(records, args.change_id, now)
    detail = f"proposal {proposal.id}, {approval.content_hash}, approved by {approval.approved_by}"
    if args.current:
        current = read_collections(Path(args.current))
        check_current(approval, proposal, current)
        detail += f"; pending now on {', '.join(h.host for h in current)} matches"
    if args.apply_plan:
        Path(args.apply_plan).write_text(
            json.dumps(apply_plan(approval, proposal), indent=2) + "\n", encoding="utf-8"
        )
    print(f"approval {approval.change_id} is valid: {detail}")
    return 0


def _patch_status(args: argparse.Namespace) -> int:
    import json

    from medops.patch.plan import list_proposals
    from medops.patch.report import status_document
    from medops.patch.status import build_status, inventory_hosts, load_records, read_max_age, status_data
    from medops.report.render import to_html, to_json, to_markdown

    inventory = _inventory(args.inventory)
    if not inventory.exists():
        raise MedopsError(f"inventory {args.inventory} does not exist")
    environment = _environment(args, inventory)
    today = args.today or date.today()
    year = args.year or today.year
    if year > today.year:
        raise MedopsError(f"--year {year} is after {today.year}; there is nothing to judge yet")
    max_age = args.max_age_days or read_max_age(inventory)
    records = _records(args.records)
    host_records, problems = load_records(records)
    status = build_status(
        environment,
        hosts=inventory_hosts(inventory),
        year=year,
        today=today,
        max_age_days=max_age,
        records=host_records,
        proposals=list_proposals(records),
        problems=problems,
    )
    data = status_data(status)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        document = status_document(status, args.lang, __version__, now)
        stem = f"patch-status-{environment}-{year}"
        for ext, text in (
            ("md", to_markdown(document)),
            ("html", to_html(document)),
            ("json", to_json(data)),
        ):
            (out / f"{stem}.{ext}").write_text(text, encoding="utf-8")
            print(f"wrote {_shown(out / f'{stem}.{ext}')}")
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(f"patch status {year} ({environment}, as of {today}; security max age {max_age} days)")
        width = max((len(h.host) for h in status.hosts), default=4)
        for host in status.hosts:
            overdue = [p for p in host.pending if p.overdue]
            cycles = ", ".join(f"{r.change_id} {r.finished.date()}" for r in host.cycles) or "none"
            line = (
                f"  {host.host:<{width}}  {host.severity.value:<8}  cycles {len(host.cycles)}/2 "
                f"(due by today {host.due_now}: {cycles}); security pending {len(host.pending)}"
            )
            if overdue:
                line += (
                    f", {len(overdue)} older than {max_age} days ({', '.join(p.package for p in overdue)})"
                )
            if host.plan is None:
                line += "; never planned"
            print(line)
        for problem in status.problems:
            print(f"  unreadable: {problem}")
    return {"ok": 0, "warning": 1, "critical": 2}[status.severity.value]


def _add_patch_verbs(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    patch = verbs.add_parser(
        "patch", help="patch cycles: plan, approval, compliance (docs/runbooks/patching.md)"
    )
    patch_verbs = patch.add_subparsers(dest="patch_verb", metavar="<action>", required=True)
    records_help = "records folder (default: $MEDOPS_RECORDS, else records/ at the repository root)"
    env_help = "environment name in ids and reports (default: the inventory folder's name)"

    plan = patch_verbs.add_parser(
        "plan",
        help="collect pending updates read-only (playbooks/patch-plan.yml) and write the proposal",
    )
    plan.add_argument("-i", "--inventory", default="inventory/lab", help="inventory (default: inventory/lab)")
    plan.add_argument("--limit", metavar="PATTERN", help="only these hosts (ansible --limit)")
    plan.add_argument("--records", metavar="DIR", help=records_help)
    plan.add_argument("--environment", metavar="NAME", help=env_help)
    plan.add_argument(
        "--from-collected",
        metavar="DIR",
        help="build the proposal from collections saved earlier (<host>.json), not from a playbook run",
    )
    plan.add_argument("--vault-id", action="append", metavar="ID@SOURCE", help="passed to ansible-playbook")
    plan.set_defaults(func=_patch_plan)

    tmpl = patch_verbs.add_parser(
        "approval-template",
        help="print a filled-in approval for a proposal (save it yourself; medops never does)",
    )
    tmpl.add_argument("proposal", help="proposal id, e.g. lab-20260510T020000Z")
    tmpl.add_argument("--change-id", metavar="ID", help="change id (default: CHG-<year>-H1|H2-<environment>)")
    tmpl.add_argument("--records", metavar="DIR", help=records_help)
    tmpl.add_argument("--today", type=_day, metavar="YYYY-MM-DD", help="date to fill in (default: today)")
    tmpl.set_defaults(func=_patch_approval_template)

    check = patch_verbs.add_parser(
        "check-approval", help="validate records/patches/approvals/<change id>.yml against its proposal"
    )
    check.add_argument("change_id", help="change id (the approval file's name without .yml)")
    check.add_argument("--records", metavar="DIR", help=records_help)
    check.add_argument(
        "--current",
        metavar="DIR",
        help="collections of the targeted hosts taken now: recompute the hash from them (patch.yml does)",
    )
    check.add_argument(
        "--now", type=_now, metavar="TIME", help="judge the window at this time (default: now with --current)"
    )
    check.add_argument(
        "--apply-plan", metavar="FILE", help="write the per-host packages to install as JSON here"
    )
    check.set_defaults(func=_patch_check_approval)

    status = patch_verbs.add_parser(
        "status",
        help="per host: patch cycles of the year (two required) and old security updates (exit 0 ok, 1, 2)",
    )
    status.add_argument(
        "-i", "--inventory", default="inventory/lab", help="inventory (default: inventory/lab)"
    )
    status.add_argument("--year", type=int, help="calendar year (default: this year)")
    status.add_argument("--today", type=_day, metavar="YYYY-MM-DD", help="judge as of this day")
    status.add_argument("--records", metavar="DIR", help=records_help)
    status.add_argument("--environment", metavar="NAME", help=env_help)
    status.add_argument(
        "--max-age-days", type=int, metavar="N", help="override patch_security_max_age_days of the inventory"
    )
    status.add_argument("--format", choices=["text", "json"], default="text", help="stdout format")
    status.add_argument("--out", metavar="DIR", help="also write the report (md, html, json) here")
    status.add_argument("--lang", choices=["en", "zh-CN"], default="en", help="report language (default: en)")
    status.set_defaults(func=_patch_status)


def _vault_path(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise MedopsError(f"{value} does not exist or is not a file")
    return path


@contextlib.contextmanager
def _about(path: Path) -> Iterator[None]:
    """Errors about a file's content start with the file's name."""
    try:
        yield
    except MedopsError as exc:
        raise MedopsError(f"{_shown(path)}: {exc}") from None


def _vault_set(args: argparse.Namespace) -> int:
    import getpass

    from medops.vault.crypt import read_secret
    from medops.vault.edit import set_value, value_from_stdin

    path = _vault_path(args.file)
    secret = read_secret(args.vault_id)
    if sys.stdin.isatty():
        value = getpass.getpass(f"Value of {args.name}: ")
        if getpass.getpass(f"Again, value of {args.name}: ") != value:
            raise MedopsError("the two values differ; nothing was changed")
    else:
        value = value_from_stdin(sys.stdin.read())
    with _about(path):
        result = set_value(path, args.name, value, secret, add=args.add)
    verb = "added" if result.added else "set"
    print(f"{verb} {result.name} in {_shown(path)} (vault id {secret.vault_id})")
    return 0


def _vault_check(args: argparse.Namespace) -> int:
    from medops.vault.crypt import parse_identity, read_secret
    from medops.vault.edit import check_file

    path = _vault_path(args.file)
    vault_id, source = parse_identity(args.vault_id)
    secret = read_secret(args.vault_id) if source else None
    with _about(path):
        result = check_file(path, vault_id, secret)
    if result.problem:
        print(f"{_shown(path)}: {result.problem}")
        return 1
    opened = ", and the password opens each" if result.decrypted else ""
    print(f"{_shown(path)}: {result.count} values, each a !vault string of vault id {vault_id}{opened}")
    if result.placeholders:
        print(f"{len(result.placeholders)} still hold a placeholder: {', '.join(result.placeholders)}")
        if args.no_placeholders:
            return 1
    return 0


def _vault_rekey(args: argparse.Namespace) -> int:
    from medops.vault.crypt import read_secret
    from medops.vault.edit import rekey_file

    path = _vault_path(args.file)
    old = read_secret(args.vault_id)
    new = read_secret(args.new_vault_id, new=True)
    with _about(path):
        count = rekey_file(path, old, new)
    print(f"rekeyed {count} values of {_shown(path)}: vault id {old.vault_id} -> {new.vault_id}")
    return 0


def _add_vault_verbs(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    vault = verbs.add_parser(
        "vault", help="vault files of per-value encrypted strings: set, check, rekey (docs/secrets.md)"
    )
    vault_verbs = vault.add_subparsers(dest="vault_verb", metavar="<action>", required=True)
    file_help = "the vault file, e.g. inventory/production/group_vars/all/vault.yml"
    name_help = "the value's name: vault_x, vault_x.key or vault_x['key.with.dots']"

    set_ = vault_verbs.add_parser(
        "set",
        help="encrypt one value (from stdin, else asked twice without echo) into the file; the rest is kept",
    )
    set_.add_argument("file", help=file_help)
    set_.add_argument("name", help=name_help)
    set_.add_argument(
        "--vault-id", default="prod@prompt", metavar="ID@SOURCE", help="encrypt with (default: prod@prompt)"
    )
    set_.add_argument("--add", action="store_true", help="create the name when it does not exist yet")
    set_.set_defaults(func=_vault_set)

    check = vault_verbs.add_parser(
        "check", help="every value is a !vault string of the vault id (exit 1 naming the first that is not)"
    )
    check.add_argument("file", help=file_help)
    check.add_argument(
        "--vault-id",
        default="prod",
        metavar="ID[@SOURCE]",
        help="expected vault id (default: prod); with @SOURCE every value must also decrypt",
    )
    check.add_argument(
        "--no-placeholders",
        action="store_true",
        help="with @SOURCE: exit 1 when a value still holds CHANGE-ME or PLACEHOLDER",
    )
    check.set_defaults(func=_vault_check)

    rekey = vault_verbs.add_parser(
        "rekey", help="re-encrypt every value with a new vault id or password: all values or none"
    )
    rekey.add_argument("file", help=file_help)
    rekey.add_argument(
        "--vault-id",
        default="prod@prompt",
        metavar="ID@SOURCE",
        help="the current password (default: prod@prompt)",
    )
    rekey.add_argument(
        "--new-vault-id",
        default="prod@prompt",
        metavar="ID@SOURCE",
        help="the new one (default: prod@prompt, asked twice)",
    )
    rekey.set_defaults(func=_vault_rekey)


def _drill_report(args: argparse.Namespace) -> int:
    from medops.drill.record import SUBDIR, load_drills
    from medops.drill.report import Sources, drill_data, drill_document, headline, verdict
    from medops.report.render import to_html, to_json, to_markdown

    records = _records(args.records)
    loaded = load_drills(records)
    for problem in loaded.problems:
        print(f"medops: warning: unreadable drill record {problem}", file=sys.stderr)
    if not loaded.drills:
        raise MedopsError(
            f"no drill records in {_shown(records / SUBDIR)} (playbooks/dr-rebuild.yml writes them)"
        )
    try:
        drill = loaded.find(args.drill) if args.drill else loaded.drills[-1]
    except LookupError as exc:
        raise MedopsError(str(exc)) from None
    out = Path(args.out).resolve() if args.out else records / "drill-reports"
    langs = [args.lang] if args.lang else ["en", "zh-CN"]
    sources = Sources(record=drill.source, version=__version__, generated=datetime.now(UTC))
    if not args.no_write:
        out.mkdir(parents=True, exist_ok=True)
        for lang in langs:
            document = drill_document(drill, lang, sources)
            texts = {
                "html": to_html(document),
                "md": to_markdown(document),
                "json": to_json(drill_data(drill, lang, sources)),
            }
            for ext, text in texts.items():
                target = out / f"{drill.id}.{lang}.{ext}"
                target.write_text(text, encoding="utf-8")
                print(f"wrote {_shown(target)}")
    for line in headline(drill, langs[0]):
        print(line)
    return verdict(drill)


def _add_drill_verbs(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    drill = verbs.add_parser(
        "drill", help="disaster-recovery drills: the records of dr-rebuild and dr-failback, reported"
    )
    drill_verbs = drill.add_subparsers(dest="drill_verb", metavar="<action>", required=True)
    report = drill_verbs.add_parser(
        "report",
        help="write a drill's report (HTML with timelines, Markdown, JSON; English and Chinese) and print "
        "its headline figures (exit 0 all met, 1 an objective missed or the fail-back pending, "
        "2 failed or refused)",
    )
    report.add_argument(
        "drill",
        nargs="?",
        help="record id (qcis-20261122T020000Z) or system (its newest); default: the newest",
    )
    report.add_argument(
        "--records",
        metavar="DIR",
        help="records folder (default: $MEDOPS_RECORDS, else records/ at the repository root)",
    )
    report.add_argument(
        "--out", metavar="DIR", help="write the reports here (default: <records>/drill-reports)"
    )
    report.add_argument("--lang", choices=["en", "zh-CN"], help="only this language (default: both)")
    report.add_argument("--no-write", action="store_true", help="print the headline figures only")
    report.set_defaults(func=_drill_report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medops",
        description="Operations tooling for the qcis and chfms public-health information systems.",
        epilog="Run `medops <verb> --help` for a verb's options. Docs: README.md and docs/.",
    )
    parser.add_argument("--version", action="version", version=f"medops {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="<verb>", required=True)

    lab = verbs.add_parser("lab", help="the lab of systemd containers named as in inventory/lab")
    lab_verbs = lab.add_subparsers(dest="lab_verb", metavar="<action>", required=True)
    images = lab_verbs.add_parser(
        "images", help="build the Debian base images (debootstrap) when absent or stale"
    )
    images.add_argument(
        "--release", type=int, action="append", choices=[12, 13], help="only this Debian release (repeatable)"
    )
    images.add_argument("--force", action="store_true", help="rebuild even when the recipe is unchanged")
    images.set_defaults(func=_lab_images)
    lab_verbs.add_parser(
        "apt-cache", help="make the lab's APT cache (apt-cacher-ng, port 3142) answer on this machine"
    ).set_defaults(func=_lab_apt_cache)
    lab_verbs.add_parser(
        "secrets", help="generate the lab's secrets where missing (never overwrites)"
    ).set_defaults(func=_lab_secrets)
    lab_verbs.add_parser("up", help="create or start the lab hosts and wait for systemd").set_defaults(
        func=_lab_up
    )
    lab_verbs.add_parser("down", help="remove the lab's containers and network, nothing else").set_defaults(
        func=_lab_down
    )
    lab_verbs.add_parser("status", help="show each lab host's container state").set_defaults(func=_lab_status)
    drill = lab_verbs.add_parser(
        "drill",
        help="a whole DR drill of one system on the lab: write load, crash of the primary, rebuild, "
        "writes on the temporary environment, fail-back, report (docs/runbooks/dr-drill.md)",
    )
    drill.add_argument("--system", default="qcis", help="the system to drill (default: qcis)")
    drill.add_argument(
        "--write-seconds",
        type=_positive(float, "number of seconds"),
        default=90.0,
        metavar="S",
        help="write load on the primary before the crash (default: 90)",
    )
    drill.add_argument(
        "--temporary-seconds",
        type=_positive(float, "number of seconds"),
        default=60.0,
        metavar="S",
        help="write load on the temporary environment (default: 60)",
    )
    drill.add_argument(
        "--records", metavar="DIR", help="records folder (default: $MEDOPS_RECORDS, else records/)"
    )
    drill.set_defaults(func=_lab_drill)
    _add_backup_verbs(verbs)
    _add_app_verbs(verbs)
    _add_inspect_verbs(verbs)
    _add_patch_verbs(verbs)
    _add_drift_verb(verbs)
    _add_audit_verbs(verbs)
    _add_vault_verbs(verbs)
    _add_drill_verbs(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except MedopsError as exc:
        print(f"medops: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("medops: interrupted", file=sys.stderr)
        return 130
