"""Shared fixtures: the bundled pipeline (loaded once) and the fixture articles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from streamproc.pipeline import Pipeline

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seed" / "article-ar-2020-07-13.txt"


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline()


def fixture_articles() -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((FIXTURES / "articles").glob("*.json"))]
