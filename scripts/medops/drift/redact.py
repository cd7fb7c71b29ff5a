"""Redaction: every value of every `vault_*` variable is replaced before anything is shown or written.

The values come from the inventory as Ansible resolves it with the vault (`ansible-inventory --list`),
held in memory only. Each string in a value (nested mappings and lists included) is a secret; a
multi-line secret (a PEM key) is also redacted line by line, because diffs show it a line at a time, and
in its JSON-escaped form, because the drift callback writes JSON. Values too short to redact safely
(they would match ordinary words) are named in `too_short` so a report can say so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

PREFIX = "vault_"
MIN_LENGTH = 6  # shorter values would match ordinary text; they are reported instead
PEM_BOUNDARY = re.compile(r"^-----(BEGIN|END) [A-Z0-9 ]+-----$")


def _strings(value: object, path: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, nested in value.items():
            yield from _strings(nested, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, nested in enumerate(value):
            yield from _strings(nested, f"{path}[{index}]")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield path, str(value)


def secret_values(hostvars: Mapping[str, Mapping[str, object]]) -> dict[str, str]:
    """secret text → the variable it came from, for every vault_* variable of every host."""
    found: dict[str, str] = {}
    for variables in hostvars.values():
        for name, value in variables.items():
            if not name.startswith(PREFIX):
                continue
            for path, raw in _strings(value, name):
                text = raw.strip()
                if not text:
                    continue
                found.setdefault(text, path)
                for line in (part.strip() for part in text.splitlines()):
                    if line and not PEM_BOUNDARY.match(line):
                        found.setdefault(line, path)
    return found


class Redactor:
    """Replaces secrets in text and data; built once per run from the vault values."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self.secrets = dict(secrets)  # text → variable path
        self._names: dict[str, str] = {}
        for text, variable in self.secrets.items():
            if len(text) < MIN_LENGTH:
                continue
            self._names.setdefault(text, variable)
            self._names.setdefault(json.dumps(text)[1:-1], variable)
            self._names.setdefault(json.dumps(text, ensure_ascii=False)[1:-1], variable)
        ordered = sorted(self._names, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(f) for f in ordered)) if ordered else None

    @property
    def too_short(self) -> tuple[str, ...]:
        return tuple(sorted({v for s, v in self.secrets.items() if len(s) < MIN_LENGTH}))

    def redact(self, text: str) -> str:
        """The text with every secret replaced by `[redacted: <variable>]` (safe inside JSON strings)."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: f"[redacted: {self._names[m[0]]}]", text)

    def redact_data(self, data: object) -> object:
        """The same over data: every string inside mappings and lists."""
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, Mapping):
            return {k: self.redact_data(v) for k, v in data.items()}
        if isinstance(data, list | tuple):
            return [self.redact_data(v) for v in data]
        return data


def redactor_for(hostvars: Mapping[str, Mapping[str, object]]) -> Redactor:
    return Redactor(secret_values(hostvars))
