"""The application's queries. libpq reads PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE itself."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg2
from psycopg2.extensions import connection

from medops_sampleapp.reports import NewReport

CONNECT_TIMEOUT = 2  # seconds; libpq's smallest useful value, so /healthz answers quickly
STATEMENT_TIMEOUT = "5s"
BOOKKEEPING = "public.schema_migrations"


def first_line(exc: BaseException) -> str:
    """A database error as one line (libpq's messages run over several)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


@contextlib.contextmanager
def transaction(application_name: str) -> Iterator[connection]:
    """A new connection in one transaction: committed when the block ends, rolled back on error, closed."""
    conn = psycopg2.connect(connect_timeout=CONNECT_TIMEOUT, application_name=application_name)
    try:
        with conn:
            with conn.cursor() as cur:
                cur.execute(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}'")
            yield conn
    finally:
        conn.close()


def schema_version(conn: connection) -> int:
    """The highest migration applied to the database (0 when none has been)."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (BOOKKEEPING,))
        row = cur.fetchone()
        if row is None or not row[0]:
            return 0
        cur.execute(f"SELECT coalesce(max(version), 0) FROM {BOOKKEEPING}")  # noqa: S608 (a constant)
        row = cur.fetchone()
        return int(row[0]) if row is not None else 0


def insert_report(conn: connection, report: NewReport) -> int:
    """Store a report; its new id."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO reports (institution_code, period, indicator, value)"
            " VALUES (%s, %s, %s, %s) RETURNING id",
            (report.institution_code, report.period, report.indicator, report.value),
        )
        row = cur.fetchone()
    if row is None:  # INSERT … RETURNING returns its row or raises
        raise psycopg2.DatabaseError("INSERT returned no id")
    return int(row[0])


def report_counts(conn: connection) -> dict[str, int]:
    """How many reports each institution has submitted."""
    with conn.cursor() as cur:
        cur.execute("SELECT institution_code, count(*) FROM reports GROUP BY institution_code ORDER BY 1")
        return {str(code): int(count) for code, count in cur.fetchall()}
