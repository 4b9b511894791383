"""Shared fixtures: where the seed report and its gold facts live.

The seed and gold files sit in ``../shared/`` beside a developer's checkout.  A user's clone
has no such folder: tests that need it skip with a reason.  CI sets
``PLANWATCH_REQUIRE_SHARED=1`` so that a missing seed fails instead of silently skipping.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("PLANWATCH_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
SEED = SHARED / "seeds" / "dongcheng-2021-h1-plan-execution-report.txt"
GOLD = SHARED / "gold" / "dongcheng-2021-h1.facts.jsonl"
GOLD_SCORE = SHARED / "gold" / "score.py"


def _need(path: Path) -> Path:
    if path.exists():
        return path
    if os.environ.get("PLANWATCH_REQUIRE_SHARED") == "1":
        pytest.fail(f"PLANWATCH_REQUIRE_SHARED=1 but {path} is missing")
    pytest.skip(f"{path} is absent (the shared seed folder is not part of a user's clone)")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return _need(SEED)


@pytest.fixture(scope="session")
def seed_text(seed_path) -> str:
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def gold_path() -> Path:
    return _need(GOLD)


@pytest.fixture(scope="session")
def gold_score_path() -> Path:
    return _need(GOLD_SCORE)
