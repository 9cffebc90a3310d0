"""The compiled name-phrase pass (``events.name_hashes_many``) hashes exactly the keys of
``events.name_phrases`` on news, English essays, edge cases and random text."""

from __future__ import annotations

import importlib.util
import os
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given

from kernel_cases import RANDOM_RUNS, random_texts, real_texts
from overlap.corpus.events import hash64, name_hashes_many, name_phrases

SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
pytestmark = pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba not installed")

EDGE = [
    "", "A", "iPhone Pro Max", "ABC DEF gh IJK", "O'Neil Smith", "Tổng thống Nga Vladimir Putin", "xAbc Def",
    "ΣΑΣ ΟΔΟΣ", "A  B", "A B\nC D", "NATO-OSCE Ab Cd-Ef Gh", "Straße Berlin", "Hans STRASSE Weiß", "ǅemal Bijedić",
    "Ǆ ABǅ NATǅ", "1Abc Def", "_Abc Def", "Abc' Def", "Abc’d Efg", "ⅫⅫⅫ Ⅻ Ab", "𝐀BC DEF", "Ông Bà Putin Biden",
    "Bộ Ngoại giao Mỹ Ned Price", "THE NATO", "İstanbul Ankara", "Ab\u0301c Def",
    # as many keys as characters allow: the kernel's output bound (half the characters)
    "ABC DEF GHI JKL " * 50, "A B C D E F " * 50, "ABC" + " ABC" * 100, "X Y",
]


def _same(texts: list[str]) -> int:
    """The compiled pass (batch and one text at a time) against the regex loop."""
    got = name_hashes_many(texts)
    compiled = [name_phrases(t) for t in texts]
    os.environ["OVERLAP_JIT"] = "0"  # the regex loop: the reference
    try:
        assert name_hashes_many(texts) is None
        python = [name_phrases(t) for t in texts]
    finally:
        os.environ["OVERLAP_JIT"] = "1"
    assert got is not None and len(got) == len(texts)
    for t, g, c, p in zip(texts, got, compiled, python):
        ref = np.array(sorted({hash64(k) for k in p}), dtype=np.uint64)
        assert g.dtype == np.uint64 and g.tolist() == ref.tolist(), t[:80]
        assert list(c.items()) == list(p.items()), t[:80]  # same phrases, spellings and order
    return sum(len(g) for g in got)


@pytest.fixture(autouse=True)
def _compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLAP_JIT", "1")


def test_edge_cases_and_seeds() -> None:
    texts = EDGE + [p.read_text(encoding="utf-8") for p in SEEDS]
    texts += [unicodedata.normalize("NFD", t) for t in texts] + [t.upper() for t in texts]
    assert _same(texts) > 100  # the seeds name people and places: phrases are found


def test_real_news_and_essays(data_dir: Path) -> None:
    _same(real_texts(data_dir))


@RANDOM_RUNS
@given(random_texts("AbCdẞßǅǄİÂâ'’ _1١\n-ΣσΟNATOôngBộ"))
def test_random_text(texts: list[str]) -> None:
    _same(texts)


def test_without_compiled_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLAP_JIT", "0")
    assert name_hashes_many(["Vladimir Putin"]) is None
