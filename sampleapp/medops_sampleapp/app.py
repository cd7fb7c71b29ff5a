"""The HTTP API: JSON in and out, UTF-8. Routing and input checks here, queries in db.py."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING

import psycopg2

from medops_sampleapp import NAME, db
from medops_sampleapp.config import Config, Release
from medops_sampleapp.reports import InputError, parse_json_body, validate_report

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

MAX_BODY = 64 * 1024


class BodyTooLargeError(InputError):
    """The request body is over MAX_BODY (413)."""


@dataclass
class Response:
    status: HTTPStatus
    body: dict[str, object]
    headers: list[tuple[str, str]] = field(default_factory=list)


def _error(status: HTTPStatus, message: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, {"error": message}, headers or [])


def _read_body(environ: WSGIEnvironment) -> bytes:
    """The request body, at most MAX_BODY bytes (InputError when it is longer or its length is unreadable)."""
    length_header = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    if not length_header:
        body: bytes = stream.read(MAX_BODY + 1)
    else:
        try:
            length = int(length_header)
        except ValueError:
            raise InputError(f"Content-Length {length_header!r} is not a number") from None
        if length < 0:
            raise InputError(f"Content-Length {length} is negative")
        if length > MAX_BODY:
            raise BodyTooLargeError(f"body is larger than {MAX_BODY} bytes")
        body = stream.read(length)
    if len(body) > MAX_BODY:
        raise BodyTooLargeError(f"body is larger than {MAX_BODY} bytes")
    return body


def health_problems(release: Release, schema_version: int | None, db_error: str | None) -> list[str]:
    """Why this instance should not get traffic (none: healthy)."""
    problems = []
    if release.broken:
        problems.append(f"release {release.version} is deliberately broken (a drill release: roll back)")
    if db_error is not None:
        problems.append(f"database unreachable or failing: {db_error}")
    elif schema_version is not None and schema_version < release.schema_version:
        problems.append(
            f"database schema version {schema_version} is lower than release {release.version} "
            f"expects ({release.schema_version}); run the migrations"
        )
    return problems


class Application:
    """The WSGI callable of one system's instance."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.db_name = f"{NAME}-{config.system}"
        self.routes: dict[str, dict[str, Callable[[WSGIEnvironment], Response]]] = {
            "/healthz": {"GET": self.healthz},
            "/api/reports": {"POST": self.create_report},
            "/api/reports/counts": {"GET": self.report_counts},
        }

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        try:
            response = self.dispatch(method, environ)
        except Exception:  # one request's bug must not take the worker down; the reader gets JSON
            environ["wsgi.errors"].write(
                f"{NAME}: {method} {environ.get('PATH_INFO', '')}: unexpected error\n"
            )
            environ["wsgi.errors"].write(traceback.format_exc())
            response = _error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error (see the application log)")
        payload = (json.dumps(response.body, ensure_ascii=False) + "\n").encode("utf-8")
        headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"),
            *response.headers,
        ]
        start_response(f"{response.status.value} {response.status.phrase}", headers)
        return [b"" if method == "HEAD" else payload]

    def dispatch(self, method: str, environ: WSGIEnvironment) -> Response:
        path = environ.get("PATH_INFO") or "/"
        handlers = self.routes.get(path)
        if handlers is None:
            return _error(HTTPStatus.NOT_FOUND, f"no such path: {path}")
        handler = handlers.get("GET" if method == "HEAD" and "GET" in handlers else method)
        if handler is None:
            allowed = sorted({*handlers, *(["HEAD"] if "GET" in handlers else [])})
            return _error(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"method {method} is not allowed on {path} (allowed: {', '.join(allowed)})",
                [("Allow", ", ".join(allowed))],
            )
        return handler(environ)

    def _log(self, environ: WSGIEnvironment, message: str) -> None:
        environ["wsgi.errors"].write(f"{NAME}: {environ.get('PATH_INFO', '')}: {message}\n")

    def healthz(self, _: WSGIEnvironment) -> Response:
        release = self.config.release
        schema_version: int | None = None
        db_error: str | None = None
        try:
            with db.transaction(self.db_name) as conn:
                schema_version = db.schema_version(conn)
        except psycopg2.Error as exc:
            db_error = db.first_line(exc)
        problems = health_problems(release, schema_version, db_error)
        body: dict[str, object] = {
            "status": "fail" if problems else "ok",
            "system": self.config.system,
            "version": release.version,
            "schema_version": schema_version,
            "expected_schema_version": release.schema_version,
            "database": "ok" if db_error is None else "fail",
            "shared_dir": self.config.shared_dir,
        }
        if not problems:
            return Response(HTTPStatus.OK, body)
        body["reason"] = "; ".join(problems)
        return Response(HTTPStatus.SERVICE_UNAVAILABLE, body)

    def create_report(self, environ: WSGIEnvironment) -> Response:
        try:
            report = validate_report(parse_json_body(_read_body(environ)))
        except BodyTooLargeError as exc:
            return _error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, str(exc))
        except InputError as exc:
            return _error(HTTPStatus.BAD_REQUEST, str(exc))
        try:
            with db.transaction(self.db_name) as conn:
                report_id = db.insert_report(conn, report)
        except psycopg2.Error as exc:
            self._log(environ, f"database error: {db.first_line(exc)}")
            return _error(HTTPStatus.SERVICE_UNAVAILABLE, "database unavailable (see the application log)")
        return Response(HTTPStatus.CREATED, {"id": report_id})

    def report_counts(self, environ: WSGIEnvironment) -> Response:
        try:
            with db.transaction(self.db_name) as conn:
                counts = db.report_counts(conn)
        except psycopg2.Error as exc:
            self._log(environ, f"database error: {db.first_line(exc)}")
            return _error(HTTPStatus.SERVICE_UNAVAILABLE, "database unavailable (see the application log)")
        return Response(HTTPStatus.OK, {"counts": counts, "total": sum(counts.values())})
