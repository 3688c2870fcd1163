"""The benchmark's own logic (``bench/pipeline.py``): what it offers and how it searches.

``make bench`` prints the issue's figures; a wrong mix or a wrong search would print wrong ones
without failing, so the parts that decide what is measured are tested here."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections import Counter
from itertools import pairwise
from types import ModuleType

import pytest

from tests.conftest import REPO


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_pipeline", REPO / "bench" / "pipeline.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and annotations look their module up
    spec.loader.exec_module(module)
    return module


bench = _load()
#: Which of six samples escalate: four of them, as 8 of the 12 bundled ones do.
ESCALATES = [True, True, False, True, False, True]


def test_without_a_share_the_samples_come_in_turn() -> None:
    assert bench.sample_order(ESCALATES, 14, None) == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1]


@pytest.mark.parametrize(("share", "n"), [(0.1, 1000), (0.25, 1000), (0.1, 5000), (0.5, 7), (1 / 3, 300)])
def test_the_share_of_escalating_articles_is_exact(share: float, n: int) -> None:
    order = bench.sample_order(ESCALATES, n, share)
    assert len(order) == n
    assert sum(ESCALATES[j] for j in order) == int(n * share + 1e-9)


def test_escalating_articles_are_spread_evenly_not_bunched() -> None:
    order = bench.sample_order(ESCALATES, 1000, 0.1)
    positions = [i for i, j in enumerate(order) if ESCALATES[j]]
    assert {b - a for a, b in pairwise(positions)} == {10}


def test_each_kind_takes_its_own_samples_in_turn() -> None:
    order = bench.sample_order(ESCALATES, 400, 0.25)
    hot = Counter(j for j in order if ESCALATES[j])
    cold = Counter(j for j in order if not ESCALATES[j])
    assert set(hot) == {0, 1, 3, 5} and max(hot.values()) - min(hot.values()) <= 1
    assert set(cold) == {2, 4} and max(cold.values()) - min(cold.values()) <= 1


def test_none_and_all() -> None:
    assert not any(ESCALATES[j] for j in bench.sample_order(ESCALATES, 50, 0.0))
    assert all(ESCALATES[j] for j in bench.sample_order(ESCALATES, 50, 1.0))


@pytest.mark.parametrize(("escalates", "share"), [([True, True], 0.5), ([False], 0.1), (ESCALATES, 1.5)])
def test_a_share_the_samples_cannot_give_is_refused(escalates: list[bool], share: float) -> None:
    with pytest.raises(ValueError, match="cannot make"):
        bench.sample_order(escalates, 10, share)


def test_the_search_halves_towards_the_highest_rate_met(capsys: pytest.CaptureFixture[str]) -> None:
    tried: list[float] = []

    async def run(rate: float, label: str) -> float:  # p99 under 100 ms up to 300/s
        tried.append(rate)
        return 80.0 if rate <= 300 else 150.0

    asyncio.run(bench.highest_rate_under(100.0, 500.0, 4, run))
    assert tried == [500.0, 250.0, 380.0, 320.0]
    assert "met at up to 250 articles/s" in capsys.readouterr().out


def test_the_search_stops_at_once_when_the_top_rate_is_met(capsys: pytest.CaptureFixture[str]) -> None:
    tried: list[float] = []

    async def run(rate: float, label: str) -> float:
        tried.append(rate)
        return 60.0

    asyncio.run(bench.highest_rate_under(100.0, 500.0, 4, run))
    assert tried == [500.0]
    assert "met at 500 articles/s" in capsys.readouterr().out
