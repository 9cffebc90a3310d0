"""overlap.shingle batch functions: tokenize_many / shingles_many (numba kernels) against
tokenize / shingles / the plain-Python reference, on the compiled and the numpy path."""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overlap import shingle
from overlap.normalization import normalize
from overlap.shingle import _reference_tokenize, shingles, shingles_many, tokenize, tokenize_many

SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
numba_missing = importlib.util.find_spec("numba") is None

# Both engines: the compiled kernel (when numba is installed) and the numpy fallback.
ENGINES = [
    pytest.param("jit", marks=pytest.mark.skipif(numba_missing, reason="numba not installed: only the numpy path exists")),
    "numpy",
]

EDGE_TEXTS = [
    "",
    "giá 100.000 đồng, 7,5 giờ ngày 11/01/2022 và 6-2021; don't 'quote' 1.a a.1 1. .1",
    "7,5", "100.000", "11/01/2022", ",7", "7,", "7,,5", "a'b'c", "'a'", "a''b", "½'a", "a'½", "Ⅷ'a", "e\u0301'a", "\u0301'a",
    unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết, Quảng Ngãi ngày 30/4"),
    "\U0001f600 emoji\U0001f600tách \U0001d400\U0001d401 \U0001d7ce,\U0001d7cf 𐐀𐐁 ٣,٤ 中文字 Жук",
    "one\nline\r\nbreaks\tand\ttabs", "\n", "\n\n", "a", "1", ".", "-", "'",
    "\ud800 lone surrogate \udfff",
]


@pytest.fixture(params=ENGINES)
def engine(request, monkeypatch) -> str:
    monkeypatch.setenv("OVERLAP_JIT", "0" if request.param == "numpy" else "1")
    return request.param


def _same(batch: list[shingle.Tokens], views: list[str]) -> None:
    assert len(batch) == len(views)
    for got, view in zip(batch, views):
        want = tokenize(view)
        assert got.starts.dtype == np.int64 and got.ends.dtype == np.int64 and got.hashes.dtype == np.uint64
        assert got.starts.tolist() == want.starts.tolist(), view
        assert got.ends.tolist() == want.ends.tolist(), view
        assert got.hashes.tolist() == want.hashes.tolist(), view


def test_jit_is_used_when_numba_is_installed(monkeypatch) -> None:
    if numba_missing:
        pytest.skip("numba not installed: only the numpy path exists")
    monkeypatch.setenv("OVERLAP_JIT", "1")
    assert shingle._jit() is not None
    monkeypatch.setenv("OVERLAP_JIT", "0")
    assert shingle._jit() is None


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_tokenize_many_equals_tokenize_on_seeds(path: Path, engine: str) -> None:
    raw = path.read_text(encoding="utf-8")
    views = [normalize(raw).text, raw, "", raw[:100]]
    batch = tokenize_many(views)
    _same(batch, views)
    got = batch[0]
    assert [(int(s), int(e), int(h)) for s, e, h in zip(got.starts, got.ends, got.hashes)] == _reference_tokenize(views[0])


def test_tokenize_many_on_edge_texts(engine: str) -> None:
    _same(tokenize_many(EDGE_TEXTS), EDGE_TEXTS)
    _same(tokenize_many(EDGE_TEXTS[::-1]), EDGE_TEXTS[::-1])
    for text in EDGE_TEXTS:  # alone, so every text is also first and last in its batch
        _same(tokenize_many([text]), [text])
    assert tokenize_many([]) == []


def test_tokenize_many_classifies_unseen_code_points(engine: str, monkeypatch) -> None:
    # A fresh class table: every code point is unknown, so the kernel stops and asks
    # again and again; the answers must still be tokenize's (on the fresh table too).
    monkeypatch.setattr(shingle, "_TABLE", np.full(0x110000, shingle._UNKNOWN, dtype=np.uint8))
    views = EDGE_TEXTS + [p.read_text(encoding="utf-8") for p in SEEDS[:2]]
    _same(tokenize_many(views), views)
    assert (shingle._TABLE[[ord("a"), ord("1"), ord(","), ord("'"), ord(" ")]] == [5, 2, 3, 4, 0]).all()


def test_tokenize_many_on_baomoi(data_dir: Path, engine: str) -> None:
    files = sorted((data_dir / "baomoi").glob("*.txt"))[:150]
    if not files:
        pytest.skip(f"no baomoi articles in {data_dir / 'baomoi'}")
    views = [normalize(f.read_text(encoding="utf-8")).text for f in files]
    for g in range(0, len(views), 16):
        _same(tokenize_many(views[g : g + 16]), views[g : g + 16])
    _same(tokenize_many(views), views)  # one call for all


# The characters the rules care about (as in test_shingle.py), plus newlines: the batch
# joins views with "\n", so a view's own newlines must change nothing.
_ALPHABET = st.sampled_from(
    list("aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệ")
    + list("AĂÂĐÊÔƠƯÀỆỸ0123456789.,/-''  \n\t;:!?\"()")
    + ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u00bd", "\u2167", "\u0661", "\u00b2"]
    + ["\U0001f600", "\U0001d400", "\U0001d7ce", "\U00010400", "\U0001e950", "\U000e0100", "\u4e2d", "\u0416"]
)
_VIEWS = st.lists(st.one_of(st.lists(_ALPHABET, max_size=40).map("".join), st.text(max_size=30)), max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_VIEWS)
def test_tokenize_many_matches_reference_on_generated_batches(engine: str, views: list[str]) -> None:
    batch = tokenize_many(views)
    for got, view in zip(batch, views):
        triples = [(int(s), int(e), int(h)) for s, e, h in zip(got.starts, got.ends, got.hashes)]
        assert triples == _reference_tokenize(view)
    _same(batch, views)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=10), max_size=5), st.integers(1, 6))
def test_shingles_many_equals_shingles(engine: str, docs: list[list[int]], k: int) -> None:
    arrays = [np.array(d, dtype=np.uint64) for d in docs]
    got = shingles_many(arrays, k)
    assert len(got) == len(arrays)
    for g, h in zip(got, arrays):
        assert g.dtype == np.uint64
        assert g.tolist() == shingles(h, k).tolist()


def test_shingles_many_on_seed_tokens(engine: str) -> None:
    views = [normalize(p.read_text(encoding="utf-8")).text for p in SEEDS] + ["một hai", ""]
    hashes = [t.hashes for t in tokenize_many(views)]
    for k in (1, 3, 5, 9):
        for got, h in zip(shingles_many(hashes, k), hashes):
            assert got.tolist() == shingles(h, k).tolist()
    assert shingles_many([], 5) == []
    with pytest.raises(ValueError, match="must be >= 1: 0"):
        shingles_many(hashes, 0)
