"""Translatable text as data: a label key and its parameters, worded only when a report is rendered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Msg:
    """A sentence or value to show, as a key of the label dictionaries plus its parameters.

    Parameter names say how they are shown (see `medops.report.labels.render`):
    `*_seconds` a duration, `*_bytes` a size, `*_label` another label key (translated), anything else as is.
    """

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


def msg(key: str, **params: object) -> Msg:
    """Shorthand: msg("msg.count", count=3)."""
    return Msg(key, params)
