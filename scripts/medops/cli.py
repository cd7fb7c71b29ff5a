"""The `medops` command line: one verb per job, each a thin layer over a library function."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
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


def _lab_images(args: argparse.Namespace) -> int:
    from medops.lab.estate import load_estate
    from medops.lab.images import ensure_images

    root = repo_root()
    releases = args.release or sorted({h.release for h in load_estate(root).hosts} | {12, 13})
    for line in ensure_images(root / BUILD_SCRIPT, releases, force=args.force):
        print(line)
    return 0


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


def _add_host_options(parser: argparse.ArgumentParser) -> None:
    """The options of a verb that reads hosts: which inventory and hosts, how many at a time, the vault."""
    parser.add_argument(
        "-i", "--inventory", action="append", metavar="INVENTORY", help="inventory (default: inventory/lab)"
    )
    parser.add_argument("--limit", metavar="PATTERN", help="only these hosts (Ansible patterns)")
    parser.add_argument("--system", metavar="GROUP", help="only the hosts of this system (qcis, chfms)")
    parser.add_argument(
        "--jobs", type=_positive(int, "number"), default=32, metavar="N", help="hosts at a time (default: 32)"
    )
    parser.add_argument(
        "--timeout",
        type=_positive(float, "number of seconds"),
        default=180.0,
        metavar="S",
        help="seconds a host's state collection may take (default: 180)",
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
    inventory.add_argument("--records", metavar="DIR", help=records_help)
    inventory.add_argument(
        "--site", metavar="DIR", help="build the site here (default: <records>/config-inventory/site)"
    )
    inventory.set_defaults(func=_config_inventory)
    inventory_verbs = inventory.add_subparsers(dest="inventory_verb", metavar="<action>", required=False)
    site = inventory_verbs.add_parser(
        "site", help="rebuild the static site from the snapshots on record only"
    )
    site.add_argument("--records", metavar="DIR", help=records_help)
    site.add_argument(
        "--site", metavar="DIR", help="build the site here (default: <records>/config-inventory/site)"
    )
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
    inspect.add_argument(
        "-i",
        "--inventory",
        action="append",
        metavar="INVENTORY",
        help="inventory to inspect, repeatable (default: inventory/lab)",
    )
    inspect.add_argument(
        "--limit", metavar="PATTERN", help="only these hosts (Ansible patterns: a:b, &g, !h, globs)"
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
        "--jobs", type=_positive(int, "number"), default=32, metavar="N", help="hosts at a time (default: 32)"
    )
    inspect.add_argument(
        "--timeout",
        type=_positive(float, "number of seconds"),
        default=60.0,
        metavar="S",
        help="seconds a host may take before it counts as unreachable (default: 60)",
    )
    inspect.add_argument(
        "--no-record",
        action="store_true",
        help="collect and judge, print; write no record (reports only with --out)",
    )
    inspect.add_argument(
        "--vault-id",
        action="append",
        metavar="ID@SOURCE",
        help="passed to ansible-inventory, e.g. prod@prompt",
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
        "secrets", help="generate the lab's secrets where missing (never overwrites)"
    ).set_defaults(func=_lab_secrets)
    lab_verbs.add_parser("up", help="create or start the lab hosts and wait for systemd").set_defaults(
        func=_lab_up
    )
    lab_verbs.add_parser("down", help="remove the lab's containers and network, nothing else").set_defaults(
        func=_lab_down
    )
    lab_verbs.add_parser("status", help="show each lab host's container state").set_defaults(func=_lab_status)
    _add_backup_verbs(verbs)
    _add_app_verbs(verbs)
    _add_inspect_verbs(verbs)
    _add_drift_verb(verbs)
    _add_audit_verbs(verbs)
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
