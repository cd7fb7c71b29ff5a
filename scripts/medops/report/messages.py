"""Translatable text as data: a label key and its parameters, worded only when a report is rendered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Msg:
    """A sentence or value to show, as a key of the label dictionaries plus its parameters.

    Parameter names say how they are shown (see `medops.report.labels.render`):
    `*_seconds` a duration, `*_bytes` a size, `*_label` another label key (translated), a `Msg` worded in
    the same language, anything else as is.
    """

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


def msg(key: str, **params: object) -> Msg:
    """Shorthand: msg("msg.count", count=3)."""
    return Msg(key, params)


def msg_data(message: Msg) -> dict[str, Any]:
    """A Msg as JSON-ready data, so a record can be worded again later in any language."""
    return {
        "key": message.key,
        "params": {k: msg_data(v) if isinstance(v, Msg) else v for k, v in message.params.items()},
    }


def msg_from_data(data: object) -> Msg:
    """The inverse of msg_data; ValueError when the data is not a message."""
    if not isinstance(data, Mapping) or not isinstance(data.get("key"), str):
        raise ValueError(f"not a message: {data!r}")
    params = data.get("params") or {}
    if not isinstance(params, Mapping):
        raise ValueError(f"message {data['key']}: params is not a mapping")
    return Msg(
        data["key"],
        {
            str(k): msg_from_data(v) if isinstance(v, Mapping) and "key" in v and "params" in v else v
            for k, v in params.items()
        },
    )
