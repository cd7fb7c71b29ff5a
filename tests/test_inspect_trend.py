"""Least squares, days-until-full forecasts and the series read back from records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from medops.inspect.trend import MountSample, Sample, forecast, host_samples, least_squares

START = datetime(2026, 9, 7, 1, 0, tzinfo=UTC)
GIB = 1 << 30


def _samples(used_gib: list[float], size_gib: float = 100) -> list[Sample]:
    return [
        Sample(
            week=f"2026-W{37 + n}",
            at=START + timedelta(days=7 * n),
            load15=0.5,
            cpus=2,
            memory_ratio=0.4,
            mounts={"/var": MountSample(int(size_gib * GIB), int(u * GIB), int((size_gib - u) * GIB))},
        )
        for n, u in enumerate(used_gib)
    ]


def test_least_squares() -> None:
    assert least_squares([(0, 1), (1, 3), (2, 5)]) == pytest.approx((2.0, 1.0))
    slope, intercept = least_squares([(0, 1), (1, 2), (2, 2), (3, 4)]) or (0, 0)
    assert slope == pytest.approx(0.9) and intercept == pytest.approx(0.9)
    assert least_squares([(0, 1)]) is None
    assert least_squares([(5, 1), (5, 2)]) is None  # one x: no line


def test_steady_growth_forecast() -> None:
    # 60, 67, 74, 81 GiB used of 100: 7 GiB a week, 19 GiB left.
    result = forecast(_samples([60, 67, 74, 81]), "/var")
    assert result.points == 4
    assert result.weekly_growth == pytest.approx(7 * GIB)
    assert result.days_until_full == pytest.approx(19 / 1.0, rel=1e-6)


def test_noisy_growth_is_fitted_not_taken_from_the_last_two_points() -> None:
    result = forecast(_samples([50, 58, 54, 62, 66]), "/var")
    assert result.slope_per_day is not None
    # Slope: sum((x - 2)(y - 58)) / sum((x - 2)^2) = 36 / 10 GiB a week (the last two points say 4).
    assert result.weekly_growth == pytest.approx(3.6 * GIB)
    assert result.days_until_full == pytest.approx(34 / (3.6 / 7))


def test_not_enough_data_and_not_growing() -> None:
    one = forecast(_samples([70]), "/var")
    assert (one.points, one.slope_per_day, one.days_until_full) == (1, None, None)
    flat = forecast(_samples([70, 70, 70]), "/var")
    assert flat.slope_per_day == 0 and flat.days_until_full is None
    shrinking = forecast(_samples([80, 70, 60]), "/var")
    assert shrinking.slope_per_day is not None and shrinking.slope_per_day < 0
    assert shrinking.days_until_full is None
    assert forecast(_samples([60, 70]), "/srv").points == 0


def test_a_full_file_system_is_full_now() -> None:
    assert forecast(_samples([90, 95, 100]), "/var").days_until_full == 0


def test_window_keeps_the_recent_trend() -> None:
    old_then_fast = [10.0] * 20 + [20, 30, 40]
    recent = forecast(_samples(old_then_fast), "/var", window=3)
    assert recent.weekly_growth == pytest.approx(10 * GIB)


def test_samples_from_records_skip_unreached_hosts_and_ignored_mounts() -> None:
    def entry(week: int, used: int, reachable: bool = True) -> dict[str, object]:
        return {
            "name": "qcis-db1",
            "collected_at": (START + timedelta(days=7 * week)).isoformat(),
            "data": (
                {
                    "cpu": {"count": 4, "load15": 1.2},
                    "memory": {"total_bytes": 1000, "available_bytes": 250},
                    "mounts": [
                        {
                            "mountpoint": "/",
                            "size_bytes": 100,
                            "used_bytes": used,
                            "available_bytes": 100 - used,
                        },
                        {
                            "mountpoint": "/dev",
                            "size_bytes": 1,
                            "used_bytes": 0,
                            "available_bytes": 1,
                            "ignored": True,
                        },
                        {
                            "mountpoint": "/media",
                            "size_bytes": 9,
                            "used_bytes": 9,
                            "available_bytes": 0,
                            "readonly": True,
                        },
                    ],
                }
                if reachable
                else None
            ),
        }

    records: list[dict[str, Any]] = [
        {"week": "2026-W38", "hosts": [entry(1, 40)]},
        {"week": "2026-W37", "hosts": [entry(0, 30), {"name": "other"}]},
        {"week": "2026-W39", "hosts": [entry(2, 0, reachable=False)]},
    ]
    samples = host_samples(records, "qcis-db1")
    assert [s.week for s in samples] == ["2026-W37", "2026-W38"]
    assert samples[0].memory_ratio == 0.75 and samples[0].cpus == 4 and samples[0].load15 == 1.2
    assert set(samples[0].mounts) == {"/"}
