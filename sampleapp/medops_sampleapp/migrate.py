"""Apply the schema: `python3 -m medops_sampleapp.migrate --dbname DB --migrations DIR [--role OWNER] …`.

Run on the database host as the postgres OS user (peer authentication over the local socket), with
--role naming the database's owner role: the runner does SET ROLE, so every object it creates is
owned by that role, and the default privileges the postgresql role set for the owner give the
application and read-only roles their rights (--app-role checks that they did). Each pending
migration runs in its own transaction and is recorded in public.schema_migrations with its file's
SHA-256; a migration applied earlier whose file has changed since stops the run before anything
is applied.

Output: one JSON line on stdout, {"applied": [...], "schema_version": N, "dry_run": bool, ...};
exit 0, or exit 1 with one line on stderr (usage errors too).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from medops_sampleapp.migrations import MigrationError, load_migrations, result_line

PROG = "medops_sampleapp.migrate"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # usage errors are errors too: exit 1, one line
        self.exit(1, f"{PROG}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=f"python3 -m {PROG}", description="Apply the sample application's schema migrations."
    )
    parser.add_argument(
        "--dbname", required=True, help="database to migrate (local socket, peer authentication)"
    )
    parser.add_argument(
        "--migrations", required=True, type=Path, metavar="DIR", help="folder of NNNN_name.sql"
    )
    parser.add_argument(
        "--role", help="owner role to SET ROLE to, so it owns what is created (e.g. qcis_owner)"
    )
    parser.add_argument(
        "--app-role",
        help="application role (e.g. qcis_app): each migration is rolled back unless this role can read and "
        "write every table and use every sequence in schema public afterwards",
    )
    parser.add_argument("--dry-run", action="store_true", help="report what would be applied; change nothing")
    parser.add_argument("--target", type=int, metavar="N", help="apply up to migration N (default: the last)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        migrations = load_migrations(args.migrations)
        try:
            from medops_sampleapp import migrate_db  # psycopg2 is needed only from here on
        except ImportError as exc:
            raise MigrationError(
                f"cannot load the database driver ({exc}); install python3-psycopg2"
            ) from None
        plan = migrate_db.run(
            migrations,
            dbname=args.dbname,
            role=args.role,
            app_role=args.app_role,
            target=args.target,
            dry_run=args.dry_run,
        )
    except MigrationError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    print(result_line(plan, dry_run=args.dry_run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
