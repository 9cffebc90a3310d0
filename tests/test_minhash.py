"""overlap.minhash: batch signatures against plain references and exact Jaccard."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.errors import ConfigError
from overlap.minhash import EMPTY, estimate_jaccard, minhash, permutations, shingle_batch, signatures_from_shingles
from overlap.normalize import normalize
from overlap.shingle import shingles, tokenize

M = importlib.import_module("overlap.minhash")  # the module: ``overlap.minhash`` is the function

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
BAOMOI = ROOT.parent / "shared" / "data" / "baomoi"
MASK32 = 2**32 - 1


def _reference_signature(values: list[int], num_perm: int, seed: int) -> list[int]:
    """Plain-Python min-max MinHash of 64-bit values (the documented scheme)."""
    a, b = permutations((num_perm + 1) // 2, seed)
    half = len(a)
    if not values:
        return [MASK32] * num_perm
    xs = [(v ^ (v >> 32)) & MASK32 for v in values]
    out = [0] * num_perm
    for k in range(half):
        images = [(int(a[k]) * x + int(b[k])) & MASK32 for x in xs]
        out[k] = min(images)
        if half + k < num_perm:
            out[half + k] = MASK32 - max(images)
    return out


def _exact_jaccard(x: np.ndarray, y: np.ndarray) -> float:
    sx, sy = set(x.tolist()), set(y.tolist())
    return len(sx & sy) / len(sx | sy)


def _light_edit(text: str) -> str:
    """Change a few words and drop one sentence: a republication with light edits."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = sentences[:3] + sentences[4:]
    return " ".join(kept).replace("Nga", "Liên bang Nga", 2).replace("Mỹ", "Hoa Kỳ", 1)


def _edited(text: str, fraction: float, rng: np.random.Generator) -> str:
    """Replace a fraction of the words with other words: a spread of Jaccard values."""
    words = text.split()
    idx = rng.choice(len(words), int(len(words) * fraction), replace=False)
    for i in idx:
        words[i] = f"từ{rng.integers(1000)}"
    return " ".join(words)


# --- shape, dtype, determinism, validation --------------------------------------------


def test_shape_dtype_and_determinism() -> None:
    sig = minhash(SEEDS, num_perm=128, seed=1)
    assert sig.shape == (len(SEEDS), 128) and sig.dtype == np.uint32
    assert np.array_equal(sig, minhash(SEEDS, num_perm=128, seed=1))
    other = minhash(SEEDS, num_perm=128, seed=2)
    assert (sig != other).mean() > 0.9  # a different seed is a different family
    odd = minhash(SEEDS[:2], num_perm=33, seed=1)
    assert odd.shape == (2, 33)


def test_permutations_are_fixed_for_a_seed() -> None:
    # Pinned values: a change here silently invalidates every stored signature and index.
    a, b = permutations(3, seed=1)
    assert a.tolist() == [755968199, 1971679093, 2255797187]
    assert b.tolist() == [1545423271, 2364347694, 3275432985]
    sig = minhash(["Hà Nội mưa to kéo dài"], num_perm=4)[0].tolist()
    assert sig == [1753640356, 1493793648, 1399809754, 505354482]
    assert minhash(["hà nội MƯA TO kéo dài"], num_perm=4)[0].tolist() == sig  # normalised first


def test_empty_and_short_texts() -> None:
    sig = minhash(["", "   ...  ", "một", "một hai ba"], num_perm=16)
    assert (sig[0] == EMPTY).all() and (sig[1] == EMPTY).all()
    assert not (sig[2] == EMPTY).all()
    assert not np.array_equal(sig[2], sig[3])
    assert minhash([], num_perm=8).shape == (0, 8)


@pytest.mark.parametrize(
    "kwargs",
    [{"num_perm": 0}, {"num_perm": 2.5}, {"seed": -1}, {"shingle_size": 0}, {"workers": 0}, {"seed": True}],
)
def test_bad_options_quote_the_value(kwargs: dict) -> None:
    with pytest.raises(ConfigError, match=re.escape(repr(next(iter(kwargs.values()))))):
        minhash(["a b c"], **kwargs)


def test_bad_inputs() -> None:
    with pytest.raises(ConfigError, match="wrap it in a list"):
        minhash("one string")
    with pytest.raises(ConfigError, match=r"texts\[1\]"):
        minhash(["ok", 3])
    with pytest.raises(ConfigError, match="offsets"):
        signatures_from_shingles(np.arange(5, dtype=np.uint64), [0, 3])


# --- the batch paths equal the per-document definitions -------------------------------


def test_shingle_batch_equals_per_document_shingles_on_seeds() -> None:
    texts = SEEDS + ["", "một", "a b", _light_edit(SEEDS[0])]
    flat, offs = shingle_batch(texts, shingle_size=5)
    assert offs[0] == 0 and offs[-1] == len(flat)
    for i, t in enumerate(texts):
        ref = shingles(tokenize(normalize(t).text).hashes, 5)
        assert np.array_equal(flat[offs[i] : offs[i + 1]], ref)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="ab cđ1.,'\n\u0301", max_size=30), max_size=8),
    st.integers(1, 4),
)
def test_shingle_batch_equals_per_document_on_generated_text(texts: list[str], k: int) -> None:
    flat, offs = shingle_batch(texts, shingle_size=k)
    for i, t in enumerate(texts):
        assert flat[offs[i] : offs[i + 1]].tolist() == shingles(tokenize(normalize(t).text).hashes, k).tolist()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=12), max_size=6),
    st.integers(1, 9),
    st.integers(0, 2**64 - 1),
)
def test_kernel_matches_plain_python_reference(docs: list[list[int]], num_perm: int, seed: int) -> None:
    sig = signatures_from_shingles([np.array(d, dtype=np.uint64) for d in docs], num_perm=num_perm, seed=seed)
    assert sig.shape == (len(docs), num_perm)
    for row, d in zip(sig, docs):
        assert row.tolist() == _reference_signature(d, num_perm, seed)


def test_chunking_does_not_change_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    flat, offs = shingle_batch(SEEDS + [""] + SEEDS)
    whole = signatures_from_shingles(flat, offs, num_perm=20)
    monkeypatch.setattr(M, "_CHUNK_SHINGLES", 97)  # chunks cut between most documents
    assert np.array_equal(signatures_from_shingles(flat, offs, num_perm=20), whole)
    monkeypatch.setattr(M, "_BATCH_CHARS", 50)  # every text its own tokenize batch
    assert np.array_equal(minhash(SEEDS + [""] + SEEDS, num_perm=20), whole)


def test_flat_and_list_inputs_agree_and_order_and_repeats_do_not_matter() -> None:
    flat, offs = shingle_batch(SEEDS)
    a = signatures_from_shingles(flat, offs)
    parts = [flat[offs[i] : offs[i + 1]] for i in range(len(SEEDS))]
    b = signatures_from_shingles(parts)
    c = signatures_from_shingles([np.concatenate((p[::-1], p[:7])) for p in parts])
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert np.array_equal(a, minhash(SEEDS))


def test_workers_give_identical_result() -> None:
    texts = SEEDS * 4 + [""]
    assert np.array_equal(minhash(texts, workers=2), minhash(texts, workers=1))


# --- accuracy ---------------------------------------------------------------------------


def test_estimate_jaccard_forms() -> None:
    sig = minhash(SEEDS, num_perm=64)
    assert estimate_jaccard(sig[0], sig[0]) == 1.0
    i, j = np.triu_indices(len(SEEDS), 1)
    many = estimate_jaccard(sig[i], sig[j])
    assert many.shape == (len(i),)
    assert many[0] == estimate_jaccard(sig[0], sig[1])
    assert np.array_equal(estimate_jaccard(sig[0], sig), [estimate_jaccard(sig[0], s) for s in sig])
    with pytest.raises(ConfigError, match="num_perm"):
        estimate_jaccard(sig[0], sig[0, :10])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 2**32))
def test_estimate_within_five_sigma_of_exact_jaccard(common: int, only_a: int, only_b: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 2**64, common + only_a + only_b, dtype=np.uint64, endpoint=False)
    a = values[: common + only_a]
    b = np.concatenate((values[:common], values[common + only_a :]))
    if len(a) == 0 or len(b) == 0:
        return
    exact = _exact_jaccard(a, b)
    num_perm = 256
    sig = signatures_from_shingles([a, b], num_perm=num_perm, seed=seed % 1000)
    est = estimate_jaccard(sig[0], sig[1])
    # Min-max positions have variance <= J(1-J)/num_perm (sampling without replacement).
    sigma = np.sqrt(exact * (1 - exact) / num_perm)
    assert abs(est - exact) <= 5 * sigma + 1e-12


def _pairs_with_a_spread_of_jaccard() -> list[tuple[str, str]]:
    rng = np.random.default_rng(0)
    pairs = [(SEEDS[0], _light_edit(SEEDS[0]))]
    for text in SEEDS:
        for fraction in (0.02, 0.05, 0.1, 0.2, 0.35):
            pairs.append((text, _edited(text, fraction, rng)))
    pairs += [(SEEDS[0], SEEDS[1]), (SEEDS[2], SEEDS[3])]
    return pairs


def test_estimates_on_seed_pairs_within_tolerance() -> None:
    pairs = _pairs_with_a_spread_of_jaccard()
    flat, offs = shingle_batch([t for p in pairs for t in p])
    sig = signatures_from_shingles(flat, offs, num_perm=256)
    errors = []
    for n in range(len(pairs)):
        exact = _exact_jaccard(flat[offs[2 * n] : offs[2 * n + 1]], flat[offs[2 * n + 1] : offs[2 * n + 2]])
        est = estimate_jaccard(sig[2 * n], sig[2 * n + 1])
        assert abs(est - exact) <= 5 * np.sqrt(exact * (1 - exact) / 256) + 1e-12
        errors.append(abs(est - exact))
    assert np.mean(errors) < 0.03  # sqrt(J(1-J)/256) <= 0.031 at worst, ~0.8 of that on average


def _mean_abs_errors(flat: np.ndarray, offs: np.ndarray, pairs: list[tuple[int, int]], seeds: range) -> tuple[float, float]:
    """Mean absolute error of overlap and of datasketch MinHash on the same shingle hashes."""
    from datasketch import MinHash

    docs = [flat[offs[i] : offs[i + 1]] for i in range(len(offs) - 1)]
    as_bytes = [[int(v).to_bytes(8, "little") for v in d] for d in docs]
    exact = np.array([_exact_jaccard(docs[i], docs[j]) for i, j in pairs])
    ours, theirs = [], []
    for seed in seeds:
        sig = signatures_from_shingles(docs, num_perm=128, seed=seed)
        ours += [abs(estimate_jaccard(sig[i], sig[j]) - e) for (i, j), e in zip(pairs, exact)]
        mh = []
        for b in as_bytes:
            m = MinHash(num_perm=128, seed=seed)
            m.update_batch(b)
            mh.append(m)
        theirs += [abs(mh[i].jaccard(mh[j]) - e) for (i, j), e in zip(pairs, exact)]
    return float(np.mean(ours)), float(np.mean(theirs))


def test_not_less_accurate_than_datasketch_on_seed_pairs() -> None:
    pairs = _pairs_with_a_spread_of_jaccard()
    flat, offs = shingle_batch([t for p in pairs for t in p])
    ours, theirs = _mean_abs_errors(flat, offs, [(2 * n, 2 * n + 1) for n in range(len(pairs))], range(1, 9))
    # Same expected error; the margin covers sampling noise of ~230 pair estimates.
    assert ours <= theirs + 0.006, (ours, theirs)


@pytest.mark.skipif(not BAOMOI.is_dir(), reason="real data ../shared/data/baomoi not present")
def test_not_less_accurate_than_datasketch_on_baomoi() -> None:
    files = sorted(BAOMOI.glob("*.txt"))[:600]
    texts = [f.read_text(encoding="utf-8") for f in files]
    flat, offs = shingle_batch(texts)
    sig = signatures_from_shingles(flat, offs, num_perm=64, seed=99)
    # Pairs that share anything (estimated J >= 0.05), cheapest first: signatures.
    i, j = np.triu_indices(len(texts), 1)
    est = estimate_jaccard(sig[i], sig[j])
    keep = np.flatnonzero(est >= 0.05)[:150]
    assert len(keep) >= 20
    pairs = list(zip(i[keep].tolist(), j[keep].tolist()))
    used = sorted({d for p in pairs for d in p})
    remap = {d: n for n, d in enumerate(used)}
    sub_flat = np.concatenate([flat[offs[d] : offs[d + 1]] for d in used])
    sub_offs = np.concatenate(([0], np.cumsum([offs[d + 1] - offs[d] for d in used])))
    ours, theirs = _mean_abs_errors(sub_flat, sub_offs, [(remap[a], remap[b]) for a, b in pairs], range(1, 5))
    assert ours <= theirs + 0.006, (ours, theirs)
