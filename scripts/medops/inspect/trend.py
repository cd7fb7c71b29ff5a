"""Trends over past inspections: per-host series of load, memory and disk use, and days-until-full forecasts.

A forecast fits a least-squares line through a file system's used bytes at each inspection of the window
(the last 13 weekly records, one quarter, by default) and divides the space still available by the
slope. It says "not enough data" with fewer than two inspections and "not growing" when the slope is
zero or negative: it never invents a date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from medops.inspect.parse import HostData

WINDOW = 13  # inspections a forecast looks back over (weekly: one quarter)
DAY = 86400.0


@dataclass(frozen=True)
class MountSample:
    size: int
    used: int
    available: int

    @property
    def used_ratio(self) -> float:
        usable = self.used + self.available
        return self.used / usable if usable else 0.0


@dataclass(frozen=True)
class Sample:
    """One host at one inspection: what the charts and forecasts need."""

    week: str
    at: datetime
    load15: float | None
    cpus: int | None
    memory_ratio: float | None
    mounts: Mapping[str, MountSample]


@dataclass(frozen=True)
class Forecast:
    mountpoint: str
    points: int
    slope_per_day: float | None  # bytes a day; None with fewer than two points
    days_until_full: float | None  # None: not enough data, or not growing

    @property
    def weekly_growth(self) -> float:
        return (self.slope_per_day or 0.0) * 7


def least_squares(points: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """Slope and intercept of the least-squares line through (x, y); None for < 2 points or one x."""
    n = len(points)
    if n < 2:
        return None
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return slope, mean_y - slope * mean_x


def forecast(samples: Sequence[Sample], mountpoint: str, window: int = WINDOW) -> Forecast:
    """Days until `mountpoint` is full at its growth over the last `window` samples (oldest first)."""
    series = [(s.at, s.mounts[mountpoint]) for s in samples if mountpoint in s.mounts][-window:]
    if len(series) < 2:
        return Forecast(mountpoint, len(series), None, None)
    start = series[0][0]
    fit = least_squares([((at - start).total_seconds() / DAY, float(m.used)) for at, m in series])
    if fit is None:
        return Forecast(mountpoint, len(series), None, None)
    slope = fit[0]
    latest = series[-1][1]
    if slope <= 0:
        return Forecast(mountpoint, len(series), slope, None)
    return Forecast(mountpoint, len(series), slope, max(latest.available, 0) / slope)


def sample_from_data(week: str, at: datetime, data: HostData, ignored: Any = None) -> Sample:
    """This run's sample of a host, from its parsed data (file systems the thresholds ignore left out)."""
    mounts = {
        m.mountpoint: MountSample(m.size, m.used, m.available)
        for m in data.mounts
        if not m.readonly and not (ignored is not None and ignored(m.mountpoint))
    }
    return Sample(
        week=week,
        at=at,
        load15=data.cpu.load15 if data.cpu else None,
        cpus=data.cpu.count if data.cpu else None,
        memory_ratio=data.memory.used_ratio if data.memory else None,
        mounts=mounts,
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def sample_from_entry(week: str, entry: Mapping[str, Any]) -> Sample | None:
    """A host's sample from a record's host entry; None when the host was not reached then."""
    data = entry.get("data")
    at_text = entry.get("collected_at")
    if not isinstance(data, Mapping) or not isinstance(at_text, str):
        return None
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        return None
    cpu = _mapping(data.get("cpu"))
    memory = _mapping(data.get("memory"))
    total, available = _number(memory.get("total_bytes")), _number(memory.get("available_bytes"))
    mounts: dict[str, MountSample] = {}
    for mount in data.get("mounts") or []:
        if not isinstance(mount, Mapping) or mount.get("readonly") or mount.get("ignored"):
            continue
        size, used, free = (_number(mount.get(k)) for k in ("size_bytes", "used_bytes", "available_bytes"))
        if (
            isinstance(mount.get("mountpoint"), str)
            and size is not None
            and used is not None
            and free is not None
        ):
            mounts[str(mount["mountpoint"])] = MountSample(int(size), int(used), int(free))
    count = _number(cpu.get("count"))
    return Sample(
        week=week,
        at=at,
        load15=_number(cpu.get("load15")),
        cpus=int(count) if count else None,
        memory_ratio=(total - available) / total if total and available is not None else None,
        mounts=mounts,
    )


def host_samples(records: Sequence[Mapping[str, Any]], host: str) -> list[Sample]:
    """The host's sample in each record (oldest first); records without the host are skipped."""
    samples = []
    for record in records:
        week = str(record.get("week", ""))
        for entry in record.get("hosts") or []:
            if isinstance(entry, Mapping) and entry.get("name") == host:
                sample = sample_from_entry(week, entry)
                if sample is not None:
                    samples.append(sample)
    return sorted(samples, key=lambda s: s.at)
