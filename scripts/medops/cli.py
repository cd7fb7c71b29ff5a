"""The `medops` command line: one verb per job, each a thin layer over a library function."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from medops import __version__
from medops.errors import MedopsError
from medops.paths import repo_root

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
