"""The sample application's HTTP API: routing, input checks and the health check.

No database is faked: where one is needed, libpq is pointed at a loopback port where nothing listens,
so these tests see exactly what the application does when its database is down. Behaviour against
a real PostgreSQL is verified in molecule.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest

from medops_sampleapp.app import MAX_BODY, Application, health_problems
from medops_sampleapp.config import ConfigError, Release, load_config, parse_release
from medops_sampleapp.reports import InputError, parse_json_body, validate_report

GOOD = {"institution_code": "110101001", "period": "2026-11", "indicator": "病历甲级率", "value": 0.975}


def _release_dir(
    path: Path, *, version: str = "1.1.0", schema_version: int = 2, broken: bool = False
) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    data = {
        "name": "medops-sampleapp",
        "version": version,
        "schema_version": schema_version,
        "broken": broken,
    }
    (path / "release.json").write_text(
        json.dumps(data | {"notes": {"en": "x", "zh-CN": "x"}}), encoding="utf-8"
    )
    return path


@pytest.fixture(autouse=True)
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """libpq aims at a loopback port where nothing listens (and no other PG* setting leaks in)."""
    for name in [k for k in os.environ if k.startswith("PG")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", "9")
    monkeypatch.setenv("PGDATABASE", "qcis")
    monkeypatch.setenv("PGUSER", "qcis_app")


def _app(tmp_path: Path, **release: object) -> Application:
    release_dir = _release_dir(tmp_path / "release", **release)  # type: ignore[arg-type]
    config = load_config(
        {
            "MEDOPS_APP_SYSTEM": "qcis",
            "MEDOPS_APP_RELEASE_DIR": str(release_dir),
            "MEDOPS_APP_SHARED_DIR": "/srv/qcis",
        }
    )
    return Application(config)


def _call(
    app: Application, method: str, path: str, body: bytes = b"", *, length: str | None = None
) -> tuple[int, dict[str, str], dict[str, object] | None]:
    environ: dict[str, object] = {}
    setup_testing_defaults(environ)
    environ.update(
        {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "CONTENT_LENGTH": str(len(body)) if length is None else length,
            "CONTENT_TYPE": "application/json",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
        }
    )
    seen: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        seen["status"], seen["headers"] = status, headers

    payload = b"".join(app(environ, start_response))  # type: ignore[arg-type]
    headers = dict(seen["headers"])  # type: ignore[call-overload]
    status = int(str(seen["status"]).split()[0])
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    if method == "HEAD":
        assert payload == b""
        return status, headers, None
    assert headers["Content-Length"] == str(len(payload))
    return status, headers, json.loads(payload.decode("utf-8"))


def _post(app: Application, data: object) -> tuple[int, dict[str, object] | None]:
    status, _, body = _call(app, "POST", "/api/reports", json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return status, body


# Routing


@pytest.mark.parametrize("path", ["/", "/nope", "/healthz/", "/api/reports/1", "/api/report"])
def test_an_unknown_path_is_404_json(tmp_path: Path, path: str) -> None:
    status, _, body = _call(_app(tmp_path), "GET", path)
    assert status == 404
    assert body == {"error": f"no such path: {path}"}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/healthz", "GET, HEAD"),
        ("DELETE", "/healthz", "GET, HEAD"),
        ("GET", "/api/reports", "POST"),
        ("PUT", "/api/reports", "POST"),
        ("POST", "/api/reports/counts", "GET, HEAD"),
    ],
)
def test_a_wrong_method_is_405_json_with_allow(tmp_path: Path, method: str, path: str, allowed: str) -> None:
    status, headers, body = _call(_app(tmp_path), method, path)
    assert status == 405
    assert headers["Allow"] == allowed
    assert body == {"error": f"method {method} is not allowed on {path} (allowed: {allowed})"}


def test_head_answers_like_get_without_a_body(tmp_path: Path) -> None:
    status, headers, _ = _call(_app(tmp_path), "HEAD", "/healthz")
    assert status == 503
    assert int(headers["Content-Length"]) > 0
    assert headers["Cache-Control"] == "no-store"


# Health


def test_healthz_with_the_database_down_is_503_with_a_reason_and_fast(tmp_path: Path) -> None:
    started = time.monotonic()
    status, _, body = _call(_app(tmp_path), "GET", "/healthz")
    assert time.monotonic() - started < 3
    assert status == 503
    assert body is not None
    reason = str(body.pop("reason"))
    assert body == {
        "status": "fail",
        "system": "qcis",
        "version": "1.1.0",
        "schema_version": None,
        "expected_schema_version": 2,
        "database": "fail",
        "shared_dir": "/srv/qcis",
    }
    assert reason.startswith("database unreachable or failing: ")
    assert "127.0.0.1" in reason
    assert "\n" not in reason


def test_a_broken_release_is_503_naming_itself(tmp_path: Path) -> None:
    status, _, body = _call(_app(tmp_path, version="1.2.0", broken=True), "GET", "/healthz")
    assert status == 503
    assert body is not None
    assert body["status"] == "fail"
    assert str(body["reason"]).startswith("release 1.2.0 is deliberately broken")


@pytest.mark.parametrize(
    ("release", "schema_version", "db_error", "problems"),
    [
        (Release("1.1.0", 2, False), 2, None, []),
        (Release("1.0.0", 1, False), 2, None, []),  # rolled back onto a newer, additive schema
        (
            Release("1.1.0", 2, False),
            1,
            None,
            ["database schema version 1 is lower than release 1.1.0 expects (2); run the migrations"],
        ),
        (
            Release("1.1.0", 2, False),
            0,
            None,
            ["database schema version 0 is lower than release 1.1.0 expects (2); run the migrations"],
        ),
        (
            Release("1.1.0", 2, False),
            None,
            "timeout expired",
            ["database unreachable or failing: timeout expired"],
        ),
        (
            Release("1.2.0", 2, True),
            2,
            None,
            ["release 1.2.0 is deliberately broken (a drill release: roll back)"],
        ),
    ],
    ids=["ok", "older-release-newer-schema", "schema-behind", "no-schema", "db-down", "broken"],
)
def test_health_problems(
    release: Release, schema_version: int | None, db_error: str | None, problems: list[str]
) -> None:
    assert health_problems(release, schema_version, db_error) == problems


# Reports


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([GOOD], "body must be a JSON object with institution_code, period, indicator, value"),
        ({k: v for k, v in GOOD.items() if k != "value"}, "value is required"),
        (
            GOOD | {"comment": "x"},
            "unknown field comment (expected: institution_code, period, indicator, value)",
        ),
        (GOOD | {"institution_code": 110101001}, "institution_code must be a string"),
        (GOOD | {"institution_code": "  "}, "institution_code must not be empty"),
        (GOOD | {"institution_code": "1101 01"}, "institution_code must not contain spaces"),
        (GOOD | {"institution_code": "x" * 65}, "institution_code is longer than 64 characters"),
        (GOOD | {"period": "2026-13"}, "period must be a month written YYYY-MM, e.g. 2026-11"),
        (GOOD | {"period": "2026-1"}, "period must be a month written YYYY-MM, e.g. 2026-11"),
        (GOOD | {"period": 202611}, "period must be a month written YYYY-MM, e.g. 2026-11"),
        (GOOD | {"indicator": ""}, "indicator must not be empty"),
        (GOOD | {"indicator": "a\nb"}, "indicator contains control characters"),
        (GOOD | {"value": "0.9"}, "value must be a number"),
        (GOOD | {"value": True}, "value must be a number"),
        (GOOD | {"value": None}, "value must be a number"),
        (GOOD | {"value": 1e16}, "value must be a finite number between -1e15 and 1e15"),
    ],
)
def test_bad_input_is_400_naming_the_field(tmp_path: Path, data: object, message: str) -> None:
    assert _post(_app(tmp_path), data) == (400, {"error": message})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "body is empty; send a JSON object"),
        (b"{not json", "body is not valid JSON: Expecting property name enclosed in double quotes"),
        (b'{"value": NaN}', "NaN is not a number JSON allows"),
        ('{"indicator": "é"}'.encode("latin-1"), "body is not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "body is larger than 65536 bytes"),
    ],
)
def test_an_unreadable_body_is_refused(tmp_path: Path, body: bytes, message: str) -> None:
    status, _, answer = _call(_app(tmp_path), "POST", "/api/reports", body)
    assert status == (413 if len(body) > MAX_BODY else 400)
    assert answer is not None
    assert str(answer["error"]).startswith(message)


def test_a_bad_content_length_is_400(tmp_path: Path) -> None:
    status, _, answer = _call(_app(tmp_path), "POST", "/api/reports", b"{}", length="ten")
    assert (status, answer) == (400, {"error": "Content-Length 'ten' is not a number"})


def test_a_valid_report_reaches_the_database_and_a_down_database_is_503(tmp_path: Path) -> None:
    assert _post(_app(tmp_path), GOOD) == (503, {"error": "database unavailable (see the application log)"})


def test_counts_with_the_database_down_is_503(tmp_path: Path) -> None:
    status, _, body = _call(_app(tmp_path), "GET", "/api/reports/counts")
    assert (status, body) == (503, {"error": "database unavailable (see the application log)"})


def test_values_keep_their_precision() -> None:
    report = validate_report(
        parse_json_body(
            b'{"institution_code": "A1", "period": "2026-01", '
            b'"indicator": "i", "value": 0.1000000000000000000001}'
        )
    )
    assert report.value == Decimal("0.1000000000000000000001")
    assert validate_report(GOOD | {"value": -3}).value == Decimal(-3)


def test_a_number_too_long_to_parse_is_an_input_error() -> None:
    with pytest.raises(InputError, match="a number too long or nesting too deep"):
        parse_json_body(b'{"value": ' + b"9" * 5000 + b"}")


# Configuration


def test_a_missing_system_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_config({"MEDOPS_APP_RELEASE_DIR": str(_release_dir(tmp_path))})
    assert str(exc.value) == "MEDOPS_APP_SYSTEM is not set (expected one of: qcis, chfms)"


def test_an_unknown_system_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MEDOPS_APP_SYSTEM=his is not one of: qcis, chfms"):
        load_config({"MEDOPS_APP_SYSTEM": "his", "MEDOPS_APP_RELEASE_DIR": str(_release_dir(tmp_path))})


def test_a_missing_release_json_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"release\.json.*set MEDOPS_APP_RELEASE_DIR"):
        load_config({"MEDOPS_APP_SYSTEM": "chfms", "MEDOPS_APP_RELEASE_DIR": str(tmp_path)})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "release.json is not JSON"),
        ("[]", "release.json is not a JSON object"),
        ('{"schema_version": 1, "broken": false}', "release.json: version is missing"),
        ('{"version": "1.0.0", "schema_version": "1", "broken": false}', "release.json: schema_version is"),
        ('{"version": "1.0.0", "schema_version": 1, "broken": "no"}', "release.json: broken is missing"),
    ],
)
def test_a_bad_release_json_is_refused(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_release(text, "release.json")


def test_the_release_dir_defaults_to_the_folder_above_the_package(tmp_path: Path, root: Path) -> None:
    # sampleapp/ holds no release.json (only a built release does), so the default is refused there.
    with pytest.raises(ConfigError, match=f"cannot read {root / 'sampleapp' / 'release.json'}"):
        load_config({"MEDOPS_APP_SYSTEM": "qcis"})


def _import_wsgi(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MEDOPS_APP_", "PG"))}
    return subprocess.run(
        [sys.executable, "-c", "import medops_sampleapp.wsgi as w; print(type(w.application).__name__)"],
        cwd=root / "sampleapp",
        env=base | env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_the_app_refuses_to_start_without_its_system(root: Path, tmp_path: Path) -> None:
    result = _import_wsgi(root, {"MEDOPS_APP_RELEASE_DIR": str(_release_dir(tmp_path))})
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == (
        "medops-sampleapp: cannot start: MEDOPS_APP_SYSTEM is not set (expected one of: qcis, chfms)"
    )


def test_the_app_starts_with_its_settings(root: Path, tmp_path: Path) -> None:
    result = _import_wsgi(
        root, {"MEDOPS_APP_SYSTEM": "chfms", "MEDOPS_APP_RELEASE_DIR": str(_release_dir(tmp_path))}
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "Application\n", "")
