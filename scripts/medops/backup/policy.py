"""The backup policy (`inventory/<env>/group_vars/all/backup_policy.yml`) as typed, validated data.

The file defines one variable, `backup_policy`, which the backup roles read through Ansible and which this
module reads directly as YAML. Jinja strings (`"{{ vault_… }}"`) stay opaque: nothing here ever needs a
vault value. Every problem is one line that names the field, for example
``systems.qcis.retention.full is 0; keep at least 1 full backup``; the field-by-field reference is
docs/backup-policy.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from medops.backup.oncalendar import calendar_problem, first_collision
from medops.errors import MedopsError

POLICY_FILE = Path("group_vars/all/backup_policy.yml")
VARIABLE = "backup_policy"
CIPHER_TYPES = ("aes-256-cbc",)
# pgBackRest's compress-level range per compress-type (none ignores the level).
COMPRESS_LEVELS = {"zst": (-7, 22), "lz4": (-5, 12), "gz": (0, 9), "none": None}
REVIEW_INTERVAL_DAYS = 184
REVIEWS_PER_YEAR = 2
VAULTED = "<vaulted>"
Day = date  # a Review has a field named `date`, which hides the type inside its class body
_STANZA_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_VAULT_REFERENCE = re.compile(r"\{\{\s*vault_[a-z0-9_]+(\[[^\]]+\])?\s*\}\}")

REPOSITORY_FIELDS = (
    "cipher_type",
    "cipher_pass",
    "compress_type",
    "compress_level",
    "process_max_backup",
    "process_max_restore",
    "archive_timeout_seconds",
)
SYSTEM_FIELDS = ("rpo_minutes", "rto_hours", "database_size_gb", "schedule", "retention", "files")
SCHEDULE_FIELDS = ("full", "diff", "verify", "restore_test")
RETENTION_FIELDS = ("full", "diff")
FILES_FIELDS = ("paths", "schedule", "keep_daily", "keep_weekly", "keep_monthly")
REVIEW_FIELDS = ("date", "reviewer", "summary", "next_due")


class PolicyFileError(MedopsError):
    """The policy file is missing or cannot be read at all (as opposed to holding a bad policy)."""


@dataclass(frozen=True)
class Repository:
    """The pgBackRest repository on the backup host, shared by every stanza."""

    cipher_type: str
    cipher_pass: str  # a Jinja reference to a vault_* variable, never the passphrase
    compress_type: str
    compress_level: int
    process_max_backup: int
    process_max_restore: int
    archive_timeout_seconds: int


@dataclass(frozen=True)
class Schedule:
    """systemd OnCalendar expressions of one system's backup jobs."""

    full: str
    diff: str
    incr: str | None
    verify: str
    restore_test: str

    def for_type(self, backup_type: str) -> str | None:
        return {"full": self.full, "diff": self.diff, "incr": self.incr}.get(backup_type)


@dataclass(frozen=True)
class Retention:
    """How many backups pgBackRest keeps (repo-retention-full, -diff, -archive)."""

    full: int
    diff: int
    archive_full: int | None


@dataclass(frozen=True)
class FileBackup:
    """Encrypted file-level backup (restic) of /etc and the application's shared data."""

    paths: tuple[str, ...]
    schedule: str
    keep_daily: int
    keep_weekly: int
    keep_monthly: int


@dataclass(frozen=True)
class SystemPolicy:
    """One system (one pgBackRest stanza of the same name)."""

    name: str
    rpo_minutes: int
    rto_hours: float
    database_size_gb: float
    schedule: Schedule
    retention: Retention
    files: FileBackup


@dataclass(frozen=True)
class Review:
    """One recorded review of the policy."""

    date: Day
    reviewer: str
    summary: str
    next_due: Day


@dataclass(frozen=True)
class Policy:
    """The whole backup policy of one environment."""

    owner: str
    version: int
    repository: Repository
    systems: tuple[SystemPolicy, ...]
    reviews: tuple[Review, ...]  # oldest first

    def system(self, name: str) -> SystemPolicy | None:
        return next((s for s in self.systems if s.name == name), None)

    def newest_review(self, before: date | None = None) -> Review | None:
        """The newest review, or the newest dated before `before`."""
        eligible = [r for r in self.reviews if before is None or r.date < before]
        return eligible[-1] if eligible else None


@dataclass(frozen=True)
class PolicyCheck:
    """The outcome of checking a policy file: the policy when it is well-formed, and every problem."""

    path: Path
    policy: Policy | None
    problems: tuple[str, ...]


# --- Reading the file ------------------------------------------------------------------------------------


class _PolicyLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, vaulted values opaque, and refuses duplicate keys."""


def _vaulted(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return VAULTED


def _scalar_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(None, None, "expected a scalar", node.start_mark)
    return str(loader.construct_scalar(node))


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.Node) -> dict[Any, Any]:
    if not isinstance(node, yaml.MappingNode):
        raise yaml.constructor.ConstructorError(None, None, "expected a mapping", node.start_mark)
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (the second would silently win)", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_PolicyLoader.add_constructor("!vault", _vaulted)
_PolicyLoader.add_constructor("!unsafe", _scalar_text)
_PolicyLoader.add_constructor("tag:yaml.org,2002:timestamp", _scalar_text)
_PolicyLoader.add_constructor("tag:yaml.org,2002:map", _mapping_without_duplicates)


def parse_policy_yaml(text: str, source: str) -> tuple[object, list[str]]:
    """The value of `backup_policy` in a group_vars file's text, or the problems that stop reading it."""
    try:
        data = yaml.load(text, Loader=_PolicyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return None, [f"{source} is not valid YAML{where}: {exc.problem or exc.context}"]
    except yaml.YAMLError as exc:
        return None, [f"{source} is not valid YAML: {exc}"]
    if not isinstance(data, dict):
        return None, [f"{source} does not hold a mapping of variables (it holds {_kind(data)})"]
    if VARIABLE not in data:
        return None, [f"{source} does not define {VARIABLE}"]
    return data[VARIABLE], []


def read_policy_file(path: Path) -> tuple[object, list[str]]:
    """Read `path`; raise PolicyFileError when it is missing or unreadable, return YAML problems as data."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyFileError(f"no backup policy at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PolicyFileError(f"cannot read the backup policy {path}: {reason}") from None
    return parse_policy_yaml(text, str(path))


# --- Validation ------------------------------------------------------------------------------------------


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _is_template(value: object) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value or value == VAULTED)


class _Checker:
    """Collects one-line problems while reading nested values."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, text: str) -> None:
        self.problems.append(f"{where} {text}")

    def mapping(self, value: object, where: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(where, f"is {_kind(value)}; expected a mapping")
        return None

    def fields(
        self, data: Mapping[str, Any], where: str, required: Sequence[str], optional: Sequence[str] = ()
    ) -> None:
        for name in required:
            if name not in data:
                self.add(_join(where, name), "is missing")
        known = (*required, *optional)
        for name in data:
            if name not in known:
                self.add(_join(where, name), f"is not a policy field (known: {', '.join(known)})")

    def integer(
        self, data: Mapping[str, Any], key: str, where: str, minimum: int | None = None, hint: str = ""
    ) -> int | None:
        if key not in data:
            return None
        value = data[key]
        path = _join(where, key)
        if _is_template(value):
            self.add(path, f"is a template ({value}); the policy holds literal values")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"is {_kind(value)}; expected a whole number")
            return None
        if minimum is not None and value < minimum:
            self.add(path, f"is {value}; {hint or f'it must be at least {minimum}'}")
            return None
        return value

    def number(self, data: Mapping[str, Any], key: str, where: str, hint: str) -> float | None:
        """A positive number (int or float)."""
        if key not in data:
            return None
        value = data[key]
        path = _join(where, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(path, f"is {_kind(value)}; expected a number")
            return None
        if value <= 0:
            self.add(path, f"is {value}; {hint}")
            return None
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.add(_join(where, key), f"is {_kind(value) if value != '' else 'empty'}; expected some text")
            return None
        return value.strip()

    def choice(self, data: Mapping[str, Any], key: str, where: str, choices: Iterable[str]) -> str | None:
        if key not in data:
            return None
        value, options = data[key], tuple(choices)
        if value not in options:
            self.add(_join(where, key), f"is {_kind(value)}; expected one of {', '.join(options)}")
            return None
        return str(value)

    def calendar(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, str):
            self.add(_join(where, key), f"is {_kind(value)}; expected a systemd OnCalendar expression")
            return None
        problem = calendar_problem(value)
        if problem:
            self.add(_join(where, key), f"{value!r} is not a valid OnCalendar expression: {problem}")
            return None
        return value

    def day(self, data: Mapping[str, Any], key: str, where: str) -> date | None:
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError as exc:
                self.add(_join(where, key), f"is {value!r}, not a real date ({exc})")
                return None
        self.add(_join(where, key), f"is {_kind(value)}; expected a date as YYYY-MM-DD")
        return None


def _repository(check: _Checker, value: object) -> Repository | None:
    where = "repository"
    data = check.mapping(value, where)
    if data is None:
        return None
    check.fields(data, where, REPOSITORY_FIELDS)
    cipher_type = check.choice(data, "cipher_type", where, CIPHER_TYPES)
    cipher_pass = data.get("cipher_pass")
    if "cipher_pass" in data and not (
        cipher_pass == VAULTED or (isinstance(cipher_pass, str) and _VAULT_REFERENCE.fullmatch(cipher_pass))
    ):
        check.add(
            f"{where}.cipher_pass",
            "must refer to a vault variable "
            '("{{ vault_pgbackrest_repo_cipher_pass }}"), never hold the passphrase',
        )
        cipher_pass = None
    compress_type = check.choice(data, "compress_type", where, COMPRESS_LEVELS)
    compress_level = check.integer(data, "compress_level", where)
    if compress_type and compress_level is not None:
        limits = COMPRESS_LEVELS[compress_type]
        if limits and not limits[0] <= compress_level <= limits[1]:
            check.add(
                f"{where}.compress_level",
                f"is {compress_level}; {compress_type} takes {limits[0]}..{limits[1]}",
            )
            compress_level = None
    workers = "at least 1 process is needed"
    process_max_backup = check.integer(data, "process_max_backup", where, 1, workers)
    process_max_restore = check.integer(data, "process_max_restore", where, 1, workers)
    archive_timeout = check.integer(
        data, "archive_timeout_seconds", where, 1, "pgBackRest needs at least 1 second"
    )
    if archive_timeout is not None and archive_timeout > 86400:
        check.add(
            f"{where}.archive_timeout_seconds", f"is {archive_timeout}; pgBackRest allows 86400 at most"
        )
        archive_timeout = None
    parts = (
        cipher_type,
        cipher_pass,
        compress_type,
        compress_level,
        process_max_backup,
        process_max_restore,
        archive_timeout,
    )
    if any(part is None for part in parts):
        return None
    return Repository(
        cipher_type=str(cipher_type),
        cipher_pass=str(cipher_pass),
        compress_type=str(compress_type),
        compress_level=int(compress_level or 0),
        process_max_backup=int(process_max_backup or 0),
        process_max_restore=int(process_max_restore or 0),
        archive_timeout_seconds=int(archive_timeout or 0),
    )


def _schedule(check: _Checker, value: object, where: str) -> Schedule | None:
    data = check.mapping(value, where)
    if data is None:
        return None
    check.fields(data, where, SCHEDULE_FIELDS, ("incr",))
    full, diff, incr, verify, restore_test = (
        check.calendar(data, key, where) for key in ("full", "diff", "incr", "verify", "restore_test")
    )
    jobs = [("full", full), ("diff", diff), ("incr", incr)]
    for index, (first_name, first) in enumerate(jobs):
        for second_name, second in jobs[index + 1 :]:
            when = first_collision(first, second) if first and second else None
            if when:
                check.add(
                    f"{where}.{second_name}",
                    f"fires together with {where}.{first_name} (for example {when:%a %H:%M}); "
                    "pgBackRest runs one backup per stanza at a time, so one of them would fail",
                )
    if full is None or diff is None or verify is None or restore_test is None:
        return None
    if "incr" in data and incr is None:
        return None
    return Schedule(full=full, diff=diff, incr=incr, verify=verify, restore_test=restore_test)


def _retention(check: _Checker, value: object, where: str) -> Retention | None:
    data = check.mapping(value, where)
    if data is None:
        return None
    check.fields(data, where, RETENTION_FIELDS, ("archive_full",))
    full = check.integer(data, "full", where, 1, "keep at least 1 full backup")
    diff = check.integer(data, "diff", where, 1, "keep at least 1 differential backup")
    archive_full = check.integer(
        data, "archive_full", where, 1, "keep the WAL of at least 1 full backup (or leave it out)"
    )
    if full is not None and archive_full is not None and archive_full > full:
        check.add(
            f"{where}.archive_full",
            f"is {archive_full}, more than retention.full ({full}); WAL cannot outlive its backups",
        )
        return None
    if full is None or diff is None or ("archive_full" in data and archive_full is None):
        return None
    return Retention(full=full, diff=diff, archive_full=archive_full)


def _files(check: _Checker, value: object, where: str) -> FileBackup | None:
    data = check.mapping(value, where)
    if data is None:
        return None
    check.fields(data, where, FILES_FIELDS)
    paths = data.get("paths")
    good_paths: tuple[str, ...] | None = None
    if "paths" in data:
        if not isinstance(paths, list) or not paths:
            check.add(f"{where}.paths", f"is {_kind(paths)}; expected a list of absolute paths")
        elif bad := [p for p in paths if not isinstance(p, str) or not p.startswith("/")]:
            check.add(f"{where}.paths", f"holds {', '.join(map(repr, bad))}; every path must be absolute")
        else:
            good_paths = tuple(paths)
    schedule = check.calendar(data, "schedule", where)
    keep = [check.integer(data, key, where, 0) for key in ("keep_daily", "keep_weekly", "keep_monthly")]
    if all(k is not None for k in keep) and not any(keep):
        check.add(f"{where}.keep_daily", "and keep_weekly and keep_monthly are 0; restic would keep nothing")
        return None
    if good_paths is None or schedule is None or any(k is None for k in keep):
        return None
    daily, weekly, monthly = (int(k or 0) for k in keep)
    return FileBackup(good_paths, schedule, daily, weekly, monthly)


def _system(check: _Checker, name: object, value: object) -> SystemPolicy | None:
    where = f"systems.{name}"
    if not isinstance(name, str) or not _STANZA_NAME.fullmatch(name):
        check.add(where, "is not a valid system name (lower-case letters, digits, - and _; the stanza name)")
        return None
    data = check.mapping(value, where)
    if data is None:
        return None
    check.fields(data, where, SYSTEM_FIELDS)
    rpo = check.integer(data, "rpo_minutes", where, 1, "it must be more than 0 minutes")
    rto = check.number(data, "rto_hours", where, "it must be more than 0 hours")
    size = check.number(data, "database_size_gb", where, "it must be more than 0 GB")
    schedule = _schedule(check, data["schedule"], f"{where}.schedule") if "schedule" in data else None
    retention = _retention(check, data["retention"], f"{where}.retention") if "retention" in data else None
    files = _files(check, data["files"], f"{where}.files") if "files" in data else None
    if rpo is None or rto is None or size is None or schedule is None or retention is None or files is None:
        return None
    return SystemPolicy(name, rpo, rto, size, schedule, retention, files)


def _reviews(check: _Checker, value: object) -> tuple[Review, ...] | None:
    if not isinstance(value, list):
        check.add("reviews", f"is {_kind(value)}; expected a list of reviews (it may be empty)")
        return None
    reviews: list[Review] = []
    good = True
    for index, item in enumerate(value):
        where = f"reviews[{index}]"
        data = check.mapping(item, where)
        if data is None:
            good = False
            continue
        check.fields(data, where, REVIEW_FIELDS)
        day = check.day(data, "date", where)
        reviewer = check.text(data, "reviewer", where)
        summary = check.text(data, "summary", where)
        next_due = check.day(data, "next_due", where)
        if day and next_due and next_due <= day:
            check.add(f"{where}.next_due", f"{next_due} is not after the review's date {day}")
            next_due = None
        elif day and next_due and (next_due - day).days > REVIEW_INTERVAL_DAYS:
            check.add(
                f"{where}.next_due",
                f"{next_due} is {(next_due - day).days} days after the review; "
                f"reviews are due at least every {REVIEW_INTERVAL_DAYS} days",
            )
            next_due = None
        if day is None or reviewer is None or summary is None or next_due is None:
            good = False
            continue
        reviews.append(Review(day, reviewer, summary, next_due))
    return tuple(sorted(reviews, key=lambda r: r.date)) if good else None


def validate_policy(
    value: object, inventory_groups: Iterable[str] | None = None
) -> tuple[Policy | None, list[str]]:
    """Turn the `backup_policy` value into a Policy, or list every problem (one line each, field named).

    Problems name fields as a person edits them (`systems.qcis.retention.full`), without the variable.
    When `inventory_groups` is given, every system must also be a group of the inventory.
    """
    check = _Checker()
    data = check.mapping(value, VARIABLE)
    if data is None:
        return None, check.problems
    check.fields(data, "", ("owner", "version", "repository", "systems", "reviews"))
    owner = check.text(data, "owner", "")
    version = check.integer(data, "version", "", 1, "policy versions start at 1")
    repository = _repository(check, data["repository"]) if "repository" in data else None
    systems = _systems(check, data["systems"], inventory_groups) if "systems" in data else None
    reviews = _reviews(check, data["reviews"]) if "reviews" in data else None
    if check.problems or owner is None or version is None or repository is None:
        return None, check.problems
    if systems is None or reviews is None:
        return None, check.problems
    return Policy(owner, version, repository, systems, reviews), []


def _systems(
    check: _Checker, value: object, inventory_groups: Iterable[str] | None
) -> tuple[SystemPolicy, ...] | None:
    data = check.mapping(value, "systems")
    if data is None:
        return None
    if not data:
        check.add("systems", "is empty; the policy must cover at least one system")
        return None
    groups = set(inventory_groups) if inventory_groups is not None else None
    systems: list[SystemPolicy] = []
    good = True
    for name, item in data.items():
        system = _system(check, name, item)
        if groups is not None and isinstance(name, str) and name not in groups:
            check.add(f"systems.{name}", f"names no group {name!r} of the inventory (hosts.yml)")
            good = False
        if system is None:
            good = False
        else:
            systems.append(system)
    return tuple(systems) if good else None


# --- Review compliance -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewGap:
    """One way the review record falls short (see check_reviews); `kind` says which rule."""

    kind: str  # "none" | "future" | "overdue" | "year"
    day: date | None = None  # the review concerned (future, overdue: the newest review)
    age_days: int = 0  # overdue: days since the newest review
    year: int = 0  # year: the completed calendar year short of reviews
    dates: tuple[date, ...] = ()  # year: the reviews held that year


def review_gaps(policy: Policy, today: date) -> list[ReviewGap]:
    """The review rules as data; check_reviews words them. Reviews dated after `today` do not count."""
    gaps = [ReviewGap("future", day=r.date) for r in policy.reviews if r.date > today]
    held = [r.date for r in policy.reviews if r.date <= today]
    if not held:
        return [*gaps, ReviewGap("none")]
    newest = held[-1]
    age = (today - newest).days
    if age > REVIEW_INTERVAL_DAYS:
        gaps.append(ReviewGap("overdue", day=newest, age_days=age))
    for year in range(held[0].year, today.year):
        dates = tuple(d for d in held if d.year == year)
        if len(dates) < REVIEWS_PER_YEAR:
            gaps.append(ReviewGap("year", year=year, dates=dates))
    return gaps


def describe_review_gap(gap: ReviewGap, today: date) -> str:
    """One line in English for a ReviewGap (the reports translate the same data themselves)."""
    if gap.kind == "none":
        return "reviews is empty: the policy has never been reviewed; record a review (docs/backup-policy.md)"
    if gap.kind == "future":
        return f"reviews: the review dated {gap.day} is after today ({today}); it does not count yet"
    if gap.kind == "overdue":
        return (
            f"reviews: the newest review ({gap.day}) is {gap.age_days} days old; "
            f"a review is due at least every {REVIEW_INTERVAL_DAYS} days"
        )
    held = ", ".join(str(d) for d in gap.dates) or "none"
    return (
        f"reviews: {gap.year} had {len(gap.dates)} review{'s' if len(gap.dates) != 1 else ''} ({held}); "
        f"every calendar year needs at least {REVIEWS_PER_YEAR}"
    )


def check_reviews(policy: Policy, today: date) -> list[str]:
    """Problems with the policy's review record as of `today`, one line each; empty when compliant.

    The rules:

    - there must be at least one review;
    - the newest review must be at most 184 days old (`REVIEW_INTERVAL_DAYS`);
    - every *completed* calendar year, from the year of the first review up to last year, must hold at
      least two reviews. The current year is judged by the 184-day rule alone until it ends: on
      1 January it becomes a completed year and must show its two reviews;
    - reviews dated after `today` do not count (and are reported).
    """
    return [describe_review_gap(gap, today) for gap in review_gaps(policy, today)]


# --- The whole check -------------------------------------------------------------------------------------


def policy_path(inventory: Path) -> Path:
    """Where an inventory keeps its backup policy."""
    return inventory / POLICY_FILE


def inventory_groups(inventory: Path) -> set[str] | None:
    """The group names of `<inventory>/hosts.yml`, or None when the inventory has no such file."""
    hosts = inventory / "hosts.yml"
    try:
        data = yaml.safe_load(hosts.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MedopsError(f"cannot read the inventory's groups from {hosts}: {exc}") from None
    groups: set[str] = set()

    def walk(name: str, node: object) -> None:
        groups.add(name)
        children = node.get("children") if isinstance(node, Mapping) else None
        if isinstance(children, Mapping):
            for child, sub in children.items():
                walk(str(child), sub)

    if isinstance(data, Mapping):
        for name, node in data.items():
            walk(str(name), node)
    return groups


def check_policy_file(path: Path, today: date, groups: Iterable[str] | None = None) -> PolicyCheck:
    """Read, validate and judge the reviews of one policy file.

    Raises PolicyFileError only when the file is missing or unreadable; every other problem is returned.
    """
    value, problems = read_policy_file(path)
    if problems:
        return PolicyCheck(path, None, tuple(problems))
    policy, problems = validate_policy(value, groups)
    if policy is None:
        return PolicyCheck(path, None, tuple(problems))
    return PolicyCheck(path, policy, tuple(check_reviews(policy, today)))


def summarize_policy(policy: Policy, today: date) -> str:
    """One line: version, owner, systems with RTO/RPO, the last review and when the next is due."""
    systems = ", ".join(
        f"{s.name} (RTO {s.rto_hours:g} h, RPO {s.rpo_minutes} min, {s.retention.full} fulls kept)"
        for s in policy.systems
    )
    last = policy.newest_review(before=today + timedelta(days=1))
    reviewed = "never reviewed"
    if last:
        reviewed = f"last review {last.date} by {last.reviewer}, next due {last.next_due}"
    return f"version {policy.version}, owner {policy.owner}: {systems}; {reviewed}"
