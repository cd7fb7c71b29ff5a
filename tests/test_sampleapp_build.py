"""`medops app build`: release tarballs of the sample application, their checksums and contents."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from medops.app.build import DEFAULT_MTIME, build, source_date_epoch
from medops.cli import main
from medops.errors import MedopsError
from medops_sampleapp.config import parse_release

VERSIONS = ["1.0.0", "1.1.0", "1.2.0"]
GOOD_ENTRY = """\
  - version: 1.0.0
    schema_version: 1
    notes: {en: First., zh-CN: 首个。}
    broken: false
"""


@pytest.fixture(scope="module")
def built(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every release of the repository's releases.yml, built once."""
    out = tmp_path_factory.mktemp("releases")
    build(root / "sampleapp" / "releases.yml", out)
    return out


@pytest.fixture
def app_copy(root: Path, tmp_path: Path) -> Path:
    """A copy of sampleapp/ to break or touch."""
    copy = tmp_path / "sampleapp"
    shutil.copytree(root / "sampleapp", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _members(tarball: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(tarball) as archive:
        return {member.name: member for member in archive.getmembers()}


def _read(tarball: Path, name: str) -> bytes:
    with tarfile.open(tarball) as archive:
        handle = archive.extractfile(name)
        assert handle is not None
        return handle.read()


def test_every_release_has_a_tarball_and_a_matching_checksum(built: Path) -> None:
    names = sorted(path.name for path in built.iterdir())
    assert names == sorted(
        [f"medops-sampleapp-{v}.tar.gz" for v in VERSIONS]
        + [f"medops-sampleapp-{v}.tar.gz.sha256" for v in VERSIONS]
    )
    for version in VERSIONS:
        name = f"medops-sampleapp-{version}.tar.gz"
        digest = hashlib.sha256((built / name).read_bytes()).hexdigest()
        assert (built / f"{name}.sha256").read_text(encoding="ascii") == f"{digest}  {name}\n"


def test_checksum_file_is_what_sha256sum_checks(built: Path) -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum is not installed")
    result = subprocess.run(
        ["sha256sum", "-c", "medops-sampleapp-1.1.0.tar.gz.sha256"],
        cwd=built,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "medops-sampleapp-1.1.0.tar.gz: OK"


def test_the_same_inputs_give_the_same_bytes(app_copy: Path, tmp_path: Path) -> None:
    first = build(app_copy / "releases.yml", tmp_path / "one")
    # What must not matter: file times on disk, compiled caches, editor droppings.
    for path in app_copy.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    (app_copy / "medops_sampleapp" / "__pycache__").mkdir()
    (app_copy / "medops_sampleapp" / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0compiled")
    (app_copy / "medops_sampleapp" / "__pycache__" / "stale.txt").write_bytes(b"cache")
    (app_copy / "medops_sampleapp" / ".app.py.swp").write_bytes(b"swap")
    second = build(app_copy / "releases.yml", tmp_path / "two")
    assert [a.sha256 for a in first] == [a.sha256 for a in second]
    for artifact in first:
        name = artifact.path.name
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_a_source_change_changes_the_bytes(app_copy: Path, tmp_path: Path) -> None:
    before = build(app_copy / "releases.yml", tmp_path / "one", ["1.0.0"])
    with (app_copy / "medops_sampleapp" / "db.py").open("a", encoding="utf-8") as handle:
        handle.write("# changed\n")
    after = build(app_copy / "releases.yml", tmp_path / "two", ["1.0.0"])
    assert before[0].sha256 != after[0].sha256


def test_entries_are_sorted_owned_by_root_with_fixed_modes_and_times(built: Path) -> None:
    tarball = built / "medops-sampleapp-1.1.0.tar.gz"
    assert tarball.read_bytes()[4:8] == b"\0\0\0\0"  # gzip header mtime
    with tarfile.open(tarball) as archive:
        members = archive.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names)
    for member in members:
        assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "root", "root")
        assert member.mtime == DEFAULT_MTIME
        assert member.mode == (0o755 if member.isdir() else 0o644), member.name
        assert member.isdir() or member.isfile(), member.name


def test_the_mtime_comes_from_source_date_epoch(app_copy: Path, tmp_path: Path) -> None:
    assert source_date_epoch({}) == DEFAULT_MTIME
    assert source_date_epoch({"SOURCE_DATE_EPOCH": "1700000000"}) == 1_700_000_000
    with pytest.raises(MedopsError, match="SOURCE_DATE_EPOCH=yesterday is not a number"):
        source_date_epoch({"SOURCE_DATE_EPOCH": "yesterday"})
    [artifact] = build(app_copy / "releases.yml", tmp_path, ["1.0.0"], mtime=1_700_000_000)
    assert {m.mtime for m in _members(artifact.path).values()} == {1_700_000_000}


def test_one_top_folder_with_release_json_package_and_migrations(built: Path) -> None:
    members = _members(built / "medops-sampleapp-1.0.0.tar.gz")
    top = "medops-sampleapp-1.0.0"
    assert {name.split("/")[0] for name in members} == {top}
    assert f"{top}/release.json" in members
    assert f"{top}/medops_sampleapp/wsgi.py" in members
    assert f"{top}/medops_sampleapp/migrate.py" in members
    assert not [n for n in members if "__pycache__" in n or n.endswith(".pyc") or "/." in n]


@pytest.mark.parametrize(
    ("version", "migrations", "broken"),
    [
        ("1.0.0", ["0001_reports.sql"], False),
        ("1.1.0", ["0001_reports.sql", "0002_report_templates.sql"], False),
        ("1.2.0", ["0001_reports.sql", "0002_report_templates.sql"], True),
    ],
)
def test_each_release_carries_its_migrations_and_flags(
    built: Path, root: Path, version: str, migrations: list[str], broken: bool
) -> None:
    tarball = built / f"medops-sampleapp-{version}.tar.gz"
    top = f"medops-sampleapp-{version}"
    shipped = sorted(n.rsplit("/", 1)[1] for n in _members(tarball) if n.startswith(f"{top}/migrations/"))
    assert shipped == migrations
    for name in migrations:  # byte for byte what the repository holds
        assert (
            _read(tarball, f"{top}/migrations/{name}")
            == (root / "sampleapp" / "migrations" / name).read_bytes()
        )
    data = json.loads(_read(tarball, f"{top}/release.json"))
    assert data["name"] == "medops-sampleapp"
    assert data["version"] == version
    assert data["schema_version"] == len(migrations)
    assert data["broken"] is broken
    assert set(data["notes"]) == {"en", "zh-CN"}
    assert all(data["notes"].values())


def test_release_json_is_what_the_application_reads(built: Path) -> None:
    text = _read(built / "medops-sampleapp-1.2.0.tar.gz", "medops-sampleapp-1.2.0/release.json").decode()
    release = parse_release(text, "release.json")
    assert (release.version, release.schema_version, release.broken) == ("1.2.0", 2, True)


def test_version_selects_releases(root: Path, tmp_path: Path) -> None:
    artifacts = build(root / "sampleapp" / "releases.yml", tmp_path, ["1.1.0"])
    assert [a.version for a in artifacts] == ["1.1.0"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "medops-sampleapp-1.1.0.tar.gz",
        "medops-sampleapp-1.1.0.tar.gz.sha256",
    ]


def test_an_unknown_version_names_the_known_ones_and_writes_nothing(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(MedopsError) as exc:
        build(root / "sampleapp" / "releases.yml", out, ["1.1.0", "9.9.9"])
    assert str(exc.value) == "unknown release version 9.9.9 (known: 1.0.0, 1.1.0, 1.2.0)"
    assert not out.exists()


@pytest.mark.parametrize(
    ("releases", "message"),
    [
        (
            "releases:\n  - version: 1.0.0\n    schema_version: 1\n    broken: false\n",
            "releases.yml: release 1.0.0: field notes is missing",
        ),
        (
            "releases:\n" + GOOD_ENTRY + GOOD_ENTRY.replace("schema_version: 1", "schema_version: 2"),
            "releases.yml: release 1.0.0: version 1.0.0 appears twice (entries 1 and 2)",
        ),
        (
            "releases:\n" + GOOD_ENTRY.replace("schema_version: 1", "schema_version: 3"),
            "releases.yml: release 1.0.0: schema_version 3 is beyond the migrations present (0001 to 0002)",
        ),
        (
            "releases:\n" + GOOD_ENTRY.replace("version: 1.0.0", "version: v1.0"),
            "releases.yml: entry 1: version 'v1.0' is not X.Y.Z",
        ),
        (
            "releases:\n" + GOOD_ENTRY.replace("version: 1.0.0", "version: 1.0"),
            "releases.yml: entry 1: version 1.0 is not X.Y.Z, e.g. 1.2.0 (quote it in YAML)",
        ),
        (
            "releases:\n" + GOOD_ENTRY.replace("schema_version: 1", "schema_version: one"),
            "releases.yml: release 1.0.0: schema_version 'one' is not a migration number",
        ),
        (
            "releases:\n" + GOOD_ENTRY.replace("broken: false", "broken: sometimes"),
            "releases.yml: release 1.0.0: broken 'sometimes' is not true or false",
        ),
        (
            "releases:\n" + GOOD_ENTRY.replace("zh-CN: 首个。", "fr: Premier."),
            "releases.yml: release 1.0.0: notes must have exactly the languages en, zh-CN",
        ),
        (
            "releases:\n" + GOOD_ENTRY + "    hotfix: true\n",
            "releases.yml: release 1.0.0: unknown field hotfix",
        ),
        (
            "releases:\n"
            + GOOD_ENTRY.replace("schema_version: 1", "schema_version: 2")
            + GOOD_ENTRY.replace("version: 1.0.0", "version: 1.1.0"),
            "releases.yml: release 1.1.0: schema_version 1 is lower than release 1.0.0's 2",
        ),
        ("releases: []\n", "releases.yml: expected a mapping with a non-empty list `releases`"),
        ("releases:\n  - version: [1.0.0\n", "releases.yml is not valid YAML at line"),
    ],
    ids=[
        "missing-field",
        "duplicate-version",
        "schema-beyond-migrations",
        "bad-version-string",
        "version-as-number",
        "schema-not-a-number",
        "broken-not-bool",
        "notes-language",
        "unknown-field",
        "schema-goes-down",
        "empty",
        "not-yaml",
    ],
)
def test_a_malformed_releases_file_is_one_line_naming_entry_and_field(
    app_copy: Path, tmp_path: Path, releases: str, message: str
) -> None:
    (app_copy / "releases.yml").write_text(releases, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(MedopsError) as exc:
        build(app_copy / "releases.yml", out, source="releases.yml")
    assert str(exc.value).startswith(message)
    assert "\n" not in str(exc.value)
    assert not out.exists()


def test_a_gap_in_the_migrations_is_refused(app_copy: Path, tmp_path: Path) -> None:
    (app_copy / "migrations" / "0004_later.sql").write_text("SELECT 1;\n", encoding="utf-8")
    with pytest.raises(MedopsError, match="numbered 0001, 0002 … without gaps"):
        build(app_copy / "releases.yml", tmp_path)


def test_cli_builds_into_out_and_prints_checksums(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MEDOPS_ROOT", str(root))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert main(["app", "build", "--out", str(tmp_path), "--version", "1.0.0", "1.2.0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("built 2 releases into ")
    digest = hashlib.sha256((tmp_path / "medops-sampleapp-1.0.0.tar.gz").read_bytes()).hexdigest()
    assert lines[0] == f"{digest}  {tmp_path / 'medops-sampleapp-1.0.0.tar.gz'}"


def test_cli_unknown_version_is_one_line(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MEDOPS_ROOT", str(root))
    assert main(["app", "build", "--out", str(tmp_path / "out"), "--version", "2.0.0"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["medops: error: unknown release version 2.0.0 (known: 1.0.0, 1.1.0, 1.2.0)"]
    assert not (tmp_path / "out").exists()


def test_make_help_lists_releases(root: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(["make", "-s", "help"], cwd=root, capture_output=True, text=True, check=True)
    assert any(line.split()[0] == "releases" for line in result.stdout.splitlines() if line.strip())


def test_tarball_extracts_with_the_data_filter(built: Path, tmp_path: Path) -> None:
    """Nothing in it that Python's strictest extraction filter would refuse (links, absolute paths …)."""
    with tarfile.open(built / "medops-sampleapp-1.1.0.tar.gz") as archive:
        archive.extractall(tmp_path, filter="data")
    assert (tmp_path / "medops-sampleapp-1.1.0" / "migrations" / "0002_report_templates.sql").is_file()
