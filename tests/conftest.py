"""Shared fixtures: the bundled seed articles and the optional real corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests compare the compiled and the numpy paths explicitly; by default they run compiled,
# compiling in the foreground if the cache is cold (``overlap.jit``), never in the background.
os.environ.setdefault("OVERLAP_JIT", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT.parent / "shared" / "data"


def seed_path(n: int) -> Path:
    """Path of seed article ``n`` (0-4)."""
    (path,) = SEEDS.glob(f"{n:03d}_*.txt")
    return path


@pytest.fixture(scope="session")
def seeds() -> dict[int, str]:
    """The five seed articles, by number."""
    return {n: seed_path(n).read_text(encoding="utf-8") for n in range(5)}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """``../shared/data`` beside the repository; the test is skipped when it is absent."""
    if not DATA.is_dir():
        pytest.skip(f"real corpora not found at {DATA} (../shared/data beside the repo); skipping")
    return DATA
