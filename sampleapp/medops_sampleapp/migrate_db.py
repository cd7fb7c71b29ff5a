"""The database side of the migration runner (psycopg2); migrations.plan_migrations decides what to apply."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import cursor

from medops_sampleapp.db import first_line
from medops_sampleapp.migrations import (
    BOOKKEEPING,
    LOCK_KEY,
    Applied,
    Migration,
    MigrationError,
    Plan,
    plan_migrations,
)

CONNECT_TIMEOUT = 10
LOCK_TIMEOUT = (
    "15s"  # a migration waiting this long for a table lock fails instead of queueing the app behind it
)

CREATE_BOOKKEEPING = f"""
CREATE TABLE IF NOT EXISTS {BOOKKEEPING} (
    version integer PRIMARY KEY,
    name text NOT NULL,
    sha256 text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""

# What the application role must be able to do after each migration: read and write every table in
# public (schema_migrations: read only) and use every sequence (bigserial ids).
MISSING_APP_RIGHTS = """
SELECT c.relname, p.priv
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p(priv)
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.oid <> 'public.schema_migrations'::regclass
  AND NOT has_table_privilege(%(role)s, c.oid, p.priv)
UNION ALL
SELECT c.relname, 'USAGE'
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public'
  -- CASE: the planner may test rows of any kind, and has_sequence_privilege fails on a non-sequence
  AND CASE WHEN c.relkind = 'S' THEN NOT has_sequence_privilege(%(role)s, c.oid, 'USAGE') ELSE false END
UNION ALL
SELECT 'schema_migrations', 'SELECT'
WHERE NOT has_table_privilege(%(role)s, 'public.schema_migrations', 'SELECT')
ORDER BY 1, 2"""


def _read_applied(cur: cursor) -> dict[int, Applied]:
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (BOOKKEEPING,))
    row = cur.fetchone()
    if row is None or not row[0]:
        return {}
    cur.execute(f"SELECT version, name, sha256 FROM {BOOKKEEPING} ORDER BY version")  # noqa: S608 (a constant)
    return {int(v): Applied(int(v), str(name), str(digest)) for v, name, digest in cur.fetchall()}


def _check_app_rights(cur: cursor, app_role: str, migration: Migration) -> None:
    cur.execute(MISSING_APP_RIGHTS, {"role": app_role})
    missing = [f"{priv} on {relation}" for relation, priv in cur.fetchall()]
    if missing:
        raise MigrationError(
            f"migration {migration.name} rolled back: role {app_role} would lack {', '.join(missing)} "
            "(are the owner's default privileges in place? run the postgresql role, and pass --role)"
        )


def run(
    migrations: Sequence[Migration],
    *,
    dbname: str,
    role: str | None,
    app_role: str | None,
    target: int | None,
    dry_run: bool,
) -> Plan:
    """Apply the pending migrations, each in its own transaction; the plan that was carried out."""
    step = f"cannot connect to database {dbname}"
    applied_now: list[str] = []
    try:
        conn = psycopg2.connect(
            dbname=dbname, connect_timeout=CONNECT_TIMEOUT, application_name="medops-sampleapp-migrate"
        )
    except psycopg2.Error as exc:
        raise MigrationError(f"{step}: {first_line(exc)}") from None
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            if role:
                step = f"cannot SET ROLE {role}"
                cur.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
            step = "cannot prepare the session"
            cur.execute("SET search_path TO public")
            cur.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
            cur.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
            locked = cur.fetchone()
            if locked is None or not locked[0]:
                raise MigrationError(
                    f"another migration run is working on database {dbname}; try again later"
                )
            step = f"cannot read {BOOKKEEPING}"
            applied = _read_applied(cur)
        plan = plan_migrations(migrations, applied, target)
        if dry_run:
            return plan
        conn.autocommit = False
        step = f"cannot create {BOOKKEEPING}"
        with conn, conn.cursor() as cur:
            cur.execute(CREATE_BOOKKEEPING)
            if app_role:  # the application reads the schema version; only migrations write it
                grantee = sql.Identifier(app_role)
                cur.execute(
                    sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                        sql.SQL(BOOKKEEPING), grantee
                    )
                )
                cur.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.SQL(BOOKKEEPING), grantee))
        for migration in plan.pending:
            step = f"migration {migration.name} failed and was rolled back"
            with conn, conn.cursor() as cur:
                cur.execute(migration.sql)
                cur.execute(
                    f"INSERT INTO {BOOKKEEPING} (version, name, sha256) VALUES (%s, %s, %s)",  # noqa: S608
                    (migration.version, migration.name, migration.sha256),
                )
                if app_role:
                    _check_app_rights(cur, app_role, migration)
            applied_now.append(migration.name)
        return plan
    except psycopg2.Error as exc:
        kept = f" (applied before it and kept: {', '.join(applied_now)})" if applied_now else ""
        raise MigrationError(f"{step}{kept}: {first_line(exc)}") from None
    except MigrationError as exc:
        if applied_now:
            raise MigrationError(f"{exc} (applied before it and kept: {', '.join(applied_now)})") from None
        raise
    finally:
        conn.close()
