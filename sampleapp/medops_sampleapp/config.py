"""The application's settings: the system it serves (environment) and the release it is (release.json)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SYSTEMS = ("qcis", "chfms")
RELEASE_FILE = "release.json"
# The release root: the folder holding release.json, medops_sampleapp/ and migrations/.
DEFAULT_RELEASE_DIR = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """The application cannot start; the message is one line naming what to fix."""


@dataclass(frozen=True)
class Release:
    """What release.json says about the release being served."""

    version: str
    schema_version: int
    broken: bool


@dataclass(frozen=True)
class Config:
    system: str
    release: Release
    release_dir: Path
    shared_dir: str | None


def parse_release(text: str, source: str) -> Release:
    """Read release.json as written by `medops app build`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{source} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source} is not a JSON object")
    version, schema_version, broken = data.get("version"), data.get("schema_version"), data.get("broken")
    if not isinstance(version, str) or not version:
        raise ConfigError(f"{source}: version is missing or not a string")
    if not isinstance(schema_version, int) or isinstance(schema_version, bool) or schema_version < 0:
        raise ConfigError(f"{source}: schema_version is missing or not a whole number")
    if not isinstance(broken, bool):
        raise ConfigError(f"{source}: broken is missing or not true/false")
    return Release(version=version, schema_version=schema_version, broken=broken)


def load_config(environ: Mapping[str, str]) -> Config:
    """Settings from the environment (the env file the app role writes) and the release's release.json."""
    system = environ.get("MEDOPS_APP_SYSTEM", "")
    if not system:
        raise ConfigError(f"MEDOPS_APP_SYSTEM is not set (expected one of: {', '.join(SYSTEMS)})")
    if system not in SYSTEMS:
        raise ConfigError(f"MEDOPS_APP_SYSTEM={system} is not one of: {', '.join(SYSTEMS)}")
    release_dir = Path(environ.get("MEDOPS_APP_RELEASE_DIR") or DEFAULT_RELEASE_DIR)
    path = release_dir / RELEASE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read {path}: {getattr(exc, 'strerror', None) or exc} "
            "(run from a built release, or set MEDOPS_APP_RELEASE_DIR)"
        ) from None
    return Config(
        system=system,
        release=parse_release(text, str(path)),
        release_dir=release_dir,
        shared_dir=environ.get("MEDOPS_APP_SHARED_DIR") or None,
    )
