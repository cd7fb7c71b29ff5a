"""Checking a submitted report: each rule names the field it is about, in one line."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

FIELDS = ("institution_code", "period", "indicator", "value")
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
MAX_CODE = 64
MAX_INDICATOR = 200
MAX_VALUE = Decimal(10) ** 15
MAX_PLACES = 100


class InputError(ValueError):
    """The request is not a valid report; the message is one line naming the field."""


@dataclass(frozen=True)
class NewReport:
    institution_code: str
    period: str
    indicator: str
    value: Decimal


def _no_constant(name: str) -> Any:
    raise InputError(f"{name} is not a number JSON allows")


def parse_json_body(body: bytes) -> object:
    """The request body as JSON (numbers with a fraction or exponent as Decimal, so none is rounded)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("body is not UTF-8") from None
    if not text.strip():
        raise InputError("body is empty; send a JSON object")
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except InputError:  # NaN or Infinity, refused by _no_constant
        raise
    except (ValueError, RecursionError):  # an integer of thousands of digits, or nesting too deep
        raise InputError(
            "body is not JSON this service accepts (a number too long or nesting too deep)"
        ) from None


def _text(data: dict[str, object], field: str, limit: int) -> str:
    value = data[field]
    if not isinstance(value, str):
        raise InputError(f"{field} must be a string")
    if not value.strip():
        raise InputError(f"{field} must not be empty")
    if len(value) > limit:
        raise InputError(f"{field} is longer than {limit} characters")
    if not value.isprintable():
        raise InputError(f"{field} contains control characters")
    return value


def validate_report(data: object) -> NewReport:
    """A report from a decoded JSON body, or InputError naming the first field that is wrong."""
    if not isinstance(data, dict):
        raise InputError("body must be a JSON object with " + ", ".join(FIELDS))
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise InputError(f"unknown field {unknown[0]} (expected: {', '.join(FIELDS)})")
    missing = [field for field in FIELDS if field not in data]
    if missing:
        raise InputError(f"{missing[0]} is required")
    code = _text(data, "institution_code", MAX_CODE)
    if any(char.isspace() for char in code):
        raise InputError("institution_code must not contain spaces")
    period = data["period"]
    if not isinstance(period, str) or not PERIOD.fullmatch(period):
        raise InputError("period must be a month written YYYY-MM, e.g. 2026-11")
    indicator = _text(data, "indicator", MAX_INDICATOR)
    raw = data["value"]
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        raise InputError("value must be a number")
    value = Decimal(raw)
    if not value.is_finite() or abs(value) >= MAX_VALUE:
        raise InputError("value must be a finite number between -1e15 and 1e15")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_PLACES:
        raise InputError(f"value has more than {MAX_PLACES} decimal places")
    return NewReport(institution_code=code, period=period, indicator=indicator, value=value)
