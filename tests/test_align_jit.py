"""The compiled aligner (``align.use_jit()``) against the Python steps it replaces.

Both paths must give the same alignments, so ``scan`` (which switches the compiled path
on in its workers) reports what ``overlap compare`` reports.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import overlap.align as A
import overlap.jit as jit_switch
from conftest import seed_path
from overlap.align import AlignOptions, align
from overlap.normalization import normalize
from overlap.pipeline import compare_prepared, prepare
from overlap.shingle import Tokens, tokenize

pytest.importorskip("numba", reason="numba not installed: the compiled aligner is not available")


@pytest.fixture()
def jit(monkeypatch: pytest.MonkeyPatch):
    """Run a test body with the compiled path on, restoring the module state after."""
    monkeypatch.setenv("OVERLAP_JIT", "1")  # compile in the foreground if the cache is cold
    assert A.use_jit()
    yield
    A.use_jit(False)


def _both(ta: Tokens, tb: Tokens, o: AlignOptions | None = None) -> tuple[list, list]:
    was_on = jit_switch.aligner() is not None
    try:
        A.use_jit(False)
        py = align(ta, tb, o)
        A.use_jit()
        return py, align(ta, tb, o)
    finally:
        A.use_jit(was_on)


def _skip_without_jit() -> None:
    """Skip when the compiled aligner cannot load (tried without changing the module state)."""
    was_on = jit_switch.aligner() is not None
    try:
        if not A.use_jit():
            pytest.skip("compiled aligner unavailable")
    finally:
        A.use_jit(was_on)


def _tokens(symbols: list[int]) -> Tokens:
    # Symbol hashes spread like real token hashes; positions are not read by ``align``.
    rng = np.random.default_rng(7)
    table = rng.integers(0, 2**63, size=64, dtype=np.uint64)  # symbols 0-63
    pos = np.arange(len(symbols), dtype=np.int64)
    return Tokens(pos, pos + 1, table[np.asarray(symbols, dtype=np.int64)] if symbols else np.zeros(0, np.uint64))


def test_seed_pairs_give_the_same_passages(jit) -> None:
    texts = [tokenize(normalize(seed_path(n).read_text(encoding="utf-8")).text) for n in range(5)]
    found = 0
    for ta in texts:
        for tb in texts:
            py, jt = _both(ta, tb)
            assert jt == py
            found += len(py)
    assert found > 10  # the seeds share passages, so this compared real chains


def test_edited_copy_gives_the_same_passages(jit) -> None:
    """Deleted, inserted and changed words make gaps, extensions and repeated seeds."""
    words = seed_path(0).read_text(encoding="utf-8").split()
    rng = np.random.default_rng(3)
    for trial in range(20):
        b = list(words)
        for _ in range(40):
            i = int(rng.integers(len(b)))
            op = rng.integers(3)
            if op == 0:
                del b[i]
            elif op == 1:
                b.insert(i, words[int(rng.integers(len(words)))])
            else:
                b[i] = "X" + b[i]
        if trial % 2:
            b = b[len(b) // 2 :] + b[: len(b) // 2]  # reordered halves: two diagonals
        ta = tokenize(normalize(" ".join(words)).text)
        tb = tokenize(normalize(" ".join(b)).text)
        for o in (None, AlignOptions(max_gap=3, min_tokens=5), AlignOptions(seed_size=2, max_seed_repeats=2)):
            py, jt = _both(ta, tb, o)
            assert py and jt == py


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 5), max_size=60),
    st.lists(st.integers(0, 5), max_size=60),
    st.integers(1, 4),
    st.integers(1, 8),
    st.integers(0, 12),
    st.integers(1, 20),
    st.sampled_from([0.0, 0.3, 0.5, 1.0]),
)
def test_random_tokens_give_the_same_passages(a, b, seed_size, max_rep, max_gap, min_tokens, density) -> None:
    """A six-symbol alphabet: shingles repeat, many runs and chains compete for each other."""
    o = AlignOptions(seed_size=seed_size, max_seed_repeats=max_rep, max_gap=max_gap, min_tokens=min_tokens, min_density=density)
    _skip_without_jit()
    py, jt = _both(_tokens(a), _tokens(b), o)
    assert jt == py


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 40), min_size=1, max_size=120),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 2), st.integers(0, 40)), max_size=25),
    st.integers(2, 4),
    st.integers(0, 12),
    st.integers(5, 30),
)
def test_edited_random_tokens_give_the_same_passages(a, ops, seed_size, max_gap, min_tokens) -> None:
    """b is a with words deleted, inserted and changed: long chains with gaps and ends to extend."""
    b = list(a)
    for pos, op, sym in ops:
        i = pos % (len(b) + 1)
        if op == 0 and i < len(b):
            del b[i]
        elif op == 1:
            b.insert(i, sym)
        elif i < len(b):
            b[i] = sym
    o = AlignOptions(seed_size=seed_size, max_gap=max_gap, min_tokens=min_tokens)
    _skip_without_jit()
    py, jt = _both(_tokens(a), _tokens(b), o)
    assert jt == py


def test_compare_prepared_is_the_same_with_the_compiled_aligner(jit, seeds: dict[int, str]) -> None:
    docs = {n: prepare(t) for n, t in seeds.items()}
    jt = [compare_prepared(docs[i], docs[j]).to_dict() for i in range(5) for j in range(5)]
    A.use_jit(False)
    docs = {n: prepare(t) for n, t in seeds.items()}
    py = [compare_prepared(docs[i], docs[j]).to_dict() for i in range(5) for j in range(5)]
    assert jt == py


def test_overlap_jit_0_keeps_the_python_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLAP_JIT", "0")
    assert A.use_jit() is False
    assert jit_switch.aligner() is None
    monkeypatch.setenv("OVERLAP_JIT", "1")
    assert A.use_jit() is True
    assert jit_switch.aligner() is not None
    monkeypatch.setenv("OVERLAP_JIT", "0")  # the switch is read on every call
    assert jit_switch.aligner() is None
    monkeypatch.setenv("OVERLAP_JIT", "1")
    assert A.use_jit(False) is False
    assert jit_switch.aligner() is None
