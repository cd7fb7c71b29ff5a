"""Release tarballs of the sample application, from sampleapp/releases.yml: `medops app build`.

Each release becomes ``medops-sampleapp-<version>.tar.gz`` (one top folder
``medops-sampleapp-<version>/`` holding release.json, the medops_sampleapp package and the
migrations up to the release's schema_version) and a ``.sha256`` file in sha256sum's format.
The bytes depend only on the inputs: entries sorted, owner 0:0, fixed modes, every mtime set to
SOURCE_DATE_EPOCH (or a constant), gzip header time 0.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import json
import re
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from medops.errors import MedopsError

NAME = "medops-sampleapp"
PACKAGE = "medops_sampleapp"
MIGRATIONS = "migrations"
RELEASES_FILE = Path("sampleapp/releases.yml")
DEFAULT_OUT = Path("build/releases")
DEFAULT_MTIME = 1_767_225_600  # 2026-01-01 00:00 UTC, when SOURCE_DATE_EPOCH is not set
FIELDS = ("version", "schema_version", "notes", "broken")
LANGUAGES = ("en", "zh-CN")
_VERSION = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
_MIGRATION = re.compile(r"(\d{4})_[a-z0-9][a-z0-9_]*\.sql")
_SKIPPED_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True)
class Release:
    version: str
    schema_version: int
    broken: bool
    notes: dict[str, str]

    @property
    def key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))


@dataclass(frozen=True)
class MigrationFile:
    number: int
    name: str  # e.g. 0001_reports.sql
    data: bytes


@dataclass(frozen=True)
class Artifact:
    """A written tarball."""

    version: str
    path: Path
    sha256: str
    size: int


def find_migrations(directory: Path) -> list[MigrationFile]:
    """The sample application's migration files in order (numbered 1, 2, 3 … without gaps)."""
    if not directory.is_dir():
        raise MedopsError(f"{directory} is missing: the sample application's migrations live there")
    found: dict[int, MigrationFile] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix != ".sql":
            continue
        match = _MIGRATION.fullmatch(path.name)
        if match is None:
            raise MedopsError(f"{path}: not a migration file name (expected NNNN_name.sql)")
        number = int(match.group(1))
        if number in found:
            raise MedopsError(f"{path}: number {number} is also {found[number].name}")
        found[number] = MigrationFile(number, path.name, path.read_bytes())
    if sorted(found) != list(range(1, len(found) + 1)):
        raise MedopsError(f"{directory}: migrations must be numbered 0001, 0002 … without gaps")
    return [found[number] for number in sorted(found)]


def _entry_name(index: int, entry: object) -> str:
    version = entry.get("version") if isinstance(entry, dict) else None
    if isinstance(version, str) and _VERSION.fullmatch(version):
        return f"release {version}"
    return f"entry {index + 1}"


def _parse_entry(entry: object, where: str, migrations: int) -> Release:
    if not isinstance(entry, dict):
        raise MedopsError(f"{where}: is not a mapping of {', '.join(FIELDS)}")
    unknown = sorted(str(key) for key in entry if key not in FIELDS)
    if unknown:
        raise MedopsError(f"{where}: unknown field {unknown[0]} (expected: {', '.join(FIELDS)})")
    missing = [field for field in FIELDS if field not in entry]
    if missing:
        raise MedopsError(f"{where}: field {missing[0]} is missing")
    version = entry["version"]
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise MedopsError(f"{where}: version {version!r} is not X.Y.Z, e.g. 1.2.0 (quote it in YAML)")
    schema_version = entry["schema_version"]
    if not isinstance(schema_version, int) or isinstance(schema_version, bool) or schema_version < 1:
        raise MedopsError(f"{where}: schema_version {schema_version!r} is not a migration number (1 or more)")
    if schema_version > migrations:
        raise MedopsError(
            f"{where}: schema_version {schema_version} is beyond the migrations present "
            f"({f'0001 to {migrations:04d}' if migrations else 'none'})"
        )
    broken = entry["broken"]
    if not isinstance(broken, bool):
        raise MedopsError(f"{where}: broken {broken!r} is not true or false")
    notes = entry["notes"]
    if not isinstance(notes, dict) or set(notes) != set(LANGUAGES):
        raise MedopsError(f"{where}: notes must have exactly the languages {', '.join(LANGUAGES)}")
    for language in LANGUAGES:
        text = notes[language]
        if not isinstance(text, str) or not text.strip() or "\n" in text.strip():
            raise MedopsError(f"{where}: notes.{language} must be one line of text")
    return Release(
        version=version,
        schema_version=schema_version,
        broken=broken,
        notes={language: notes[language].strip() for language in LANGUAGES},
    )


def parse_releases(text: str, source: str, migrations: int) -> list[Release]:
    """The releases in releases.yml text, in version order; MedopsError naming the entry and field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise MedopsError(f"{source} is not valid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("releases"), list) or not data["releases"]:
        raise MedopsError(f"{source}: expected a mapping with a non-empty list `releases`")
    extra = sorted(str(key) for key in data if key != "releases")
    if extra:
        raise MedopsError(f"{source}: unknown top-level key {extra[0]} (only `releases`)")
    releases: list[Release] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(data["releases"]):
        where = f"{source}: {_entry_name(index, entry)}"
        release = _parse_entry(entry, where, migrations)
        if release.version in seen:
            raise MedopsError(
                f"{where}: version {release.version} appears twice (entries {seen[release.version] + 1} "
                f"and {index + 1})"
            )
        seen[release.version] = index
        releases.append(release)
    releases.sort(key=lambda r: r.key)
    for earlier, later in itertools.pairwise(releases):
        if later.schema_version < earlier.schema_version:
            raise MedopsError(
                f"{source}: release {later.version}: schema_version {later.schema_version} is lower than "
                f"release {earlier.version}'s {earlier.schema_version}; "
                "a later release never drops migrations"
            )
    return releases


def select_releases(releases: Sequence[Release], versions: Sequence[str]) -> list[Release]:
    """The releases asked for (all when none is named); MedopsError naming an unknown one."""
    if not versions:
        return list(releases)
    known = {release.version: release for release in releases}
    unknown = [version for version in versions if version not in known]
    if unknown:
        raise MedopsError(
            f"unknown release version {unknown[0]} (known: {', '.join(r.version for r in releases)})"
        )
    return [release for release in releases if release.version in set(versions)]


def release_json(release: Release) -> bytes:
    """release.json as the application reads it."""
    data = {
        "name": NAME,
        "version": release.version,
        "schema_version": release.schema_version,
        "broken": release.broken,
        "notes": {language: release.notes[language] for language in LANGUAGES},
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def package_files(package: Path) -> dict[str, bytes]:
    """The package's files by path relative to it (no caches, no compiled or hidden files)."""
    if not (package / "__init__.py").is_file():
        raise MedopsError(f"{package} is not the sample application's package (no __init__.py)")
    files: dict[str, bytes] = {}
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if any(part == "__pycache__" or part.startswith(".") for part in relative.parts):
            continue
        if path.is_symlink():
            raise MedopsError(f"{path} is a symbolic link; a release holds regular files only")
        if path.is_file() and path.suffix not in _SKIPPED_SUFFIXES:
            files[relative.as_posix()] = path.read_bytes()
    return files


def tarball(
    release: Release, package: Mapping[str, bytes], migrations: Sequence[MigrationFile], mtime: int
) -> bytes:
    """The release's .tar.gz, byte for byte the same for the same inputs."""
    top = f"{NAME}-{release.version}"
    files: dict[str, bytes] = {f"{top}/release.json": release_json(release)}
    files.update({f"{top}/{PACKAGE}/{name}": data for name, data in package.items()})
    files.update(
        {f"{top}/{MIGRATIONS}/{m.name}": m.data for m in migrations if m.number <= release.schema_version}
    )
    folders = {top, f"{top}/{MIGRATIONS}"}
    for name in files:
        parts = name.split("/")
        folders.update("/".join(parts[:depth]) for depth in range(1, len(parts)))
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name in sorted(folders | set(files)):
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "root", "root"
            if name in files:
                info.type, info.mode, info.size = tarfile.REGTYPE, 0o644, len(files[name])
                archive.addfile(info, io.BytesIO(files[name]))
            else:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(info)
    return gzip.compress(raw.getvalue(), compresslevel=9, mtime=0)


def source_date_epoch(environ: Mapping[str, str]) -> int:
    """The tarballs' timestamp: $SOURCE_DATE_EPOCH when set (reproducible-builds.org), else a constant."""
    value = environ.get("SOURCE_DATE_EPOCH", "")
    if not value:
        return DEFAULT_MTIME
    if not value.isdigit():
        raise MedopsError(f"SOURCE_DATE_EPOCH={value} is not a number of seconds since 1970")
    return int(value)


def _write(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (a temporary file beside it, then renamed)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise MedopsError(f"cannot write {path}: {exc.strerror or exc}") from None


def build(
    releases_file: Path,
    out: Path,
    versions: Sequence[str] = (),
    *,
    mtime: int = DEFAULT_MTIME,
    source: str | None = None,
) -> list[Artifact]:
    """Build the releases listed in releases_file (the ones named in versions, else all) into out.

    The package and migrations are read beside releases_file. Every release is checked and built
    before the first file is written, so a bad entry or an unknown version writes nothing.
    """
    app_dir = releases_file.parent
    migrations = find_migrations(app_dir / MIGRATIONS)
    try:
        text = releases_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MedopsError(f"cannot read {releases_file}: {getattr(exc, 'strerror', None) or exc}") from None
    releases = select_releases(parse_releases(text, source or str(releases_file), len(migrations)), versions)
    package = package_files(app_dir / PACKAGE)
    built = [(release, tarball(release, package, migrations, mtime)) for release in releases]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MedopsError(f"cannot create {out}: {exc.strerror or exc}") from None
    artifacts = []
    for release, data in built:
        name = f"{NAME}-{release.version}.tar.gz"
        digest = hashlib.sha256(data).hexdigest()
        _write(out / name, data)
        _write(out / f"{name}.sha256", f"{digest}  {name}\n".encode())
        artifacts.append(Artifact(release.version, out / name, digest, len(data)))
    return artifacts
