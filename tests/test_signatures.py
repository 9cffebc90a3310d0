"""overlap.signatures: batch signatures against plain references and exact Jaccard."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.errors import ConfigError
from overlap.signatures import EMPTY, estimate_jaccard, minhash, permutations, shingle_batch, signatures_from_shingles
from overlap.normalization import normalize
from overlap.shingle import shingles, tokenize

M = importlib.import_module("overlap.signatures")

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
    sig = minhash(["Hà Nội mưa to kéo dài"], num_perm=4, method="minmax")[0].tolist()
    assert sig == [1753640356, 1493793648, 1399809754, 505354482]
    assert minhash(["hà nội MƯA TO kéo dài"], num_perm=4, method="minmax")[0].tolist() == sig  # normalised first
    # The default, fss: positions from bucket rounds 1 and 2 (tags 0, 1) and from a permutation (3).
    fss = minhash(["Hà Nội mưa to kéo dài"], num_perm=4)[0].tolist()
    assert fss == [1311472982, 436697991, 3284119996, 918867192]
    assert [v >> 30 for v in fss] == [1, 0, 3, 0]


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
    sig = signatures_from_shingles([np.array(d, dtype=np.uint64) for d in docs], num_perm=num_perm, seed=seed, method="minmax")
    assert sig.shape == (len(docs), num_perm)
    for row, d in zip(sig, docs):
        assert row.tolist() == _reference_signature(d, num_perm, seed)


def test_chunking_does_not_change_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    flat, offs = shingle_batch(SEEDS + [""] + SEEDS)
    whole = signatures_from_shingles(flat, offs, num_perm=20)
    monkeypatch.setattr(M, "_CHUNK_SHINGLES", 97)  # chunks cut between most documents
    assert np.array_equal(signatures_from_shingles(flat, offs, num_perm=20), whole)
    import overlap.textpass as T

    monkeypatch.setattr(T, "BATCH_CHARS", 50)  # every text its own batch
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
    # Positions of fss (the default) are negatively correlated, as min-max's pairs are: the
    # estimate's variance is at most J(1-J)/num_perm.
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


def _mean_abs_errors(flat: np.ndarray, offs: np.ndarray, pairs: list[tuple[int, int]], seeds: range) -> tuple[dict[str, float], float]:
    """Mean absolute error of overlap (fss, the default, and min-max, what scan stores)
    and of datasketch MinHash on the same shingle hashes."""
    from datasketch import MinHash

    docs = [flat[offs[i] : offs[i + 1]] for i in range(len(offs) - 1)]
    as_bytes = [[int(v).to_bytes(8, "little") for v in d] for d in docs]
    exact = np.array([_exact_jaccard(docs[i], docs[j]) for i, j in pairs])
    ours: dict[str, list[float]] = {"fss": [], "minmax": []}
    theirs = []
    for seed in seeds:
        for method, errors in ours.items():
            sig = signatures_from_shingles(docs, num_perm=128, seed=seed, method=method)
            errors += [abs(estimate_jaccard(sig[i], sig[j]) - e) for (i, j), e in zip(pairs, exact)]
        mh = []
        for b in as_bytes:
            m = MinHash(num_perm=128, seed=seed)
            m.update_batch(b)
            mh.append(m)
        theirs += [abs(mh[i].jaccard(mh[j]) - e) for (i, j), e in zip(pairs, exact)]
    return {m: float(np.mean(e)) for m, e in ours.items()}, float(np.mean(theirs))


def test_not_less_accurate_than_datasketch_on_seed_pairs() -> None:
    pairs = _pairs_with_a_spread_of_jaccard()
    flat, offs = shingle_batch([t for p in pairs for t in p])
    ours, theirs = _mean_abs_errors(flat, offs, [(2 * n, 2 * n + 1) for n in range(len(pairs))], range(1, 9))
    # Same expected error; the margin covers sampling noise of ~230 pair estimates.
    assert max(ours.values()) <= theirs + 0.006, (ours, theirs)


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
    assert max(ours.values()) <= theirs + 0.006, (ours, theirs)


# --- compiled kernels (numba) against the numpy path, one-permutation hashing ----------

numba_missing = importlib.util.find_spec("numba") is None


def _texts_with_edge_cases() -> list[str]:
    """Seeds, edited copies, an empty text, texts shorter than the shingle size."""
    rng = np.random.default_rng(3)
    edited = [_edited(t, f, rng) for t, f in zip(SEEDS, (0.02, 0.1, 0.3, 0.5, 0.05))]
    return SEEDS + ["", "một", "Hà Nội", _light_edit(SEEDS[0])] + edited + ["", "a b c d"]


@pytest.mark.skipif(numba_missing, reason="numba not installed: only the numpy path exists")
@pytest.mark.parametrize("method", ["minmax", "oph", "fss"])
@pytest.mark.parametrize("num_perm", [1, 64, 127, 128])
def test_compiled_kernels_equal_numpy_bit_for_bit(monkeypatch: pytest.MonkeyPatch, method: str, num_perm: int) -> None:
    texts = _texts_with_edge_cases()
    flat, offs = shingle_batch(texts)
    compiled = signatures_from_shingles(flat, offs, num_perm=num_perm, seed=5, method=method)
    threads = signatures_from_shingles(flat, offs, num_perm=num_perm, seed=5, method=method, workers=2)
    monkeypatch.setenv("OVERLAP_JIT", "0")
    plain = signatures_from_shingles(flat, offs, num_perm=num_perm, seed=5, method=method)
    assert M._jit() is None
    assert np.array_equal(compiled, plain) and np.array_equal(threads, plain)
    assert (plain[len(SEEDS)] == EMPTY).all()  # the empty text


@pytest.mark.skipif(numba_missing, reason="numba not installed: only the numpy path exists")
@pytest.mark.parametrize("k", [1, 3, 5])
def test_compiled_shingle_windows_equal_numpy(monkeypatch: pytest.MonkeyPatch, k: int) -> None:
    texts = _texts_with_edge_cases()
    flat, offs = shingle_batch(texts, shingle_size=k)
    monkeypatch.setenv("OVERLAP_JIT", "0")
    flat0, offs0 = shingle_batch(texts, shingle_size=k)
    assert np.array_equal(offs, offs0) and np.array_equal(flat, flat0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=40), max_size=6),
    st.integers(1, 70),
    st.integers(0, 2**64 - 1),
    st.sampled_from(["minmax", "oph", "fss"]),
)
def test_numpy_path_equals_default_path_on_generated_shingles(docs: list[list[int]], num_perm: int, seed: int, method: str) -> None:
    arrays = [np.array(d, dtype=np.uint64) for d in docs]
    default = signatures_from_shingles(arrays, num_perm=num_perm, seed=seed, method=method)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OVERLAP_JIT", "0")
        assert np.array_equal(signatures_from_shingles(arrays, num_perm=num_perm, seed=seed, method=method), default)


def _splitmix64_int(state: int) -> int:
    z = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


def _reference_oph(values: list[int], num_perm: int, seed: int) -> list[int]:
    """Plain-Python one-permutation hashing with optimal densification (the documented scheme)."""
    mul, add, probe_key = (int(v) for v in M._oph_keys(seed))
    row = [MASK32] * num_perm
    for h in values:
        x = (h ^ (h >> 32)) & MASK32
        v = min(((mul * x + add) & (2**64 - 1)) >> 32, MASK32 - 1)
        k = (v * num_perm) >> 32
        row[k] = min(row[k], v)
    if all(v == MASK32 for v in row):
        return row
    out = list(row)
    for k in range(num_perm):
        if row[k] != MASK32:
            continue
        j = 0
        for t in range(1, 65):
            j = ((_splitmix64_int(probe_key ^ (k << 32) ^ t) >> 32) * num_perm) >> 32
            if row[j] != MASK32:
                break
        else:
            j = next((j + s) % num_perm for s in range(1, num_perm + 1) if row[(j + s) % num_perm] != MASK32)
        out[k] = row[j]
    return out


@pytest.mark.parametrize("num_perm", [128, 100])
def test_oph_long_documents_match_plain_python_reference(num_perm: int) -> None:
    """Documents around the kernel's 192-shingle chunk and 1,024-shingle block, at odd and even lengths."""
    flat, _ = shingle_batch([" ".join(SEEDS)])
    assert len(flat) > 2100
    docs = [flat[:n] for n in (191, 192, 193, 384, 577, 1023, 1024, 1025, 2049, len(flat))]
    sig = signatures_from_shingles(docs, num_perm=num_perm, seed=5, method="oph")
    for row, d in zip(sig, docs):
        assert row.tolist() == _reference_oph(d.tolist(), num_perm, 5)


def test_oph_is_deterministic_and_fills_every_bin() -> None:
    texts = ["", "một", "một hai ba bốn năm sáu"] + SEEDS
    sig = minhash(texts, num_perm=128, seed=3, method="oph")
    assert np.array_equal(sig, minhash(texts, num_perm=128, seed=3, method="oph"))
    assert (sig != minhash(texts, num_perm=128, seed=4, method="oph"))[1:].mean() > 0.9
    assert (sig[0] == EMPTY).all()  # an empty text has nothing to copy
    # One shingle fills one bin; densification copies it into the other 127.
    assert (sig[1:] != EMPTY).all()
    assert len(set(sig[1].tolist())) == 1
    flat, offs = shingle_batch(texts[2:3])
    expected = _reference_oph(flat.tolist(), 128, 3)  # two shingles: one or two bins
    assert sig[2].tolist() == expected and set(expected) <= {min(expected), max(expected)}
    assert not np.array_equal(sig, minhash(texts, num_perm=128, seed=3))  # a different scheme


def test_oph_identical_and_disjoint_texts() -> None:
    sig = minhash([SEEDS[0], SEEDS[0] + " ", SEEDS[0].upper(), "hoàn toàn khác " * 40], num_perm=128, method="oph")
    assert estimate_jaccard(sig[0], sig[1]) == 1.0 and estimate_jaccard(sig[0], sig[2]) == 1.0
    assert estimate_jaccard(sig[0], sig[3]) <= 0.02
    i, j = np.triu_indices(len(SEEDS), 1)
    seeds = minhash(SEEDS, num_perm=128, method="oph")
    assert estimate_jaccard(seeds[i], seeds[j]).max() <= 0.1  # unrelated articles


def test_oph_estimates_on_seed_pairs_within_tolerance() -> None:
    pairs = _pairs_with_a_spread_of_jaccard()
    flat, offs = shingle_batch([t for p in pairs for t in p])
    errors = []
    for seed in (1, 2, 3):
        sig = signatures_from_shingles(flat, offs, num_perm=256, seed=seed, method="oph")
        for n in range(len(pairs)):
            exact = _exact_jaccard(flat[offs[2 * n] : offs[2 * n + 1]], flat[offs[2 * n + 1] : offs[2 * n + 2]])
            est = estimate_jaccard(sig[2 * n], sig[2 * n + 1])
            assert abs(est - exact) <= 5 * np.sqrt(exact * (1 - exact) / 256) + 1e-12, (seed, n, est, exact)
            errors.append(est - exact)
    assert np.mean(np.abs(errors)) < 0.03
    assert abs(np.mean(errors)) < 0.01  # unbiased: P[equal] = J per position


def test_oph_not_less_accurate_than_datasketch_on_seed_pairs() -> None:
    pairs = _pairs_with_a_spread_of_jaccard()
    flat, offs = shingle_batch([t for p in pairs for t in p])
    docs = [flat[offs[i] : offs[i + 1]] for i in range(len(offs) - 1)]
    exact = np.array([_exact_jaccard(docs[2 * n], docs[2 * n + 1]) for n in range(len(pairs))])
    ours = []
    for seed in range(1, 9):
        sig = signatures_from_shingles(docs, num_perm=128, seed=seed, method="oph")
        ours += np.abs(estimate_jaccard(sig[0::2], sig[1::2]) - exact).tolist()
    _, theirs = _mean_abs_errors(flat, offs, [(2 * n, 2 * n + 1) for n in range(len(pairs))], range(1, 9))
    assert np.mean(ours) <= theirs + 0.006, (np.mean(ours), theirs)


def _reference_fss(values: list[int], num_perm: int, seed: int) -> list[int]:
    """Plain-Python fast similarity sketching (the documented scheme), without early stops."""
    muls, adds = (v.tolist() for v in M._fss_keys(seed))
    a, b = (v.tolist() for v in M.permutations(num_perm, seed))
    row = [MASK32] * num_perm
    if not values:
        return row
    xs = [(h ^ (h >> 32)) & MASK32 for h in values]
    for r, (mul, add) in enumerate(zip(muls, adds)):
        for x in xs:
            w = min(((mul * x + add) & (2**64 - 1)) >> 32, MASK32 - 1)
            k = (w * num_perm) >> 32
            row[k] = min(row[k], (r << 30) | (w >> 2))
    for k in range(num_perm):  # the per-position permutation, which every earlier tag beats
        least = min(((a[k] * x + b[k]) & MASK32) >> 2 for x in xs)
        row[k] = min(row[k], (len(muls) << 30) | min(least, (MASK32 - 1) >> 2))
    return row


@pytest.mark.parametrize("method", ["oph", "fss"])
@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=40), max_size=5),
    st.integers(1, 300),
    st.integers(0, 2**64 - 1),
)
def test_sketch_matches_plain_python_reference(method: str, docs: list[list[int]], num_perm: int, seed: int) -> None:
    """OPH and fss against their plain-Python references (``_reference_oph``, ``_reference_fss``)."""
    reference = {"oph": _reference_oph, "fss": _reference_fss}[method]
    sig = signatures_from_shingles([np.array(d, dtype=np.uint64) for d in docs], num_perm=num_perm, seed=seed, method=method)
    for row, d in zip(sig, docs):
        assert row.tolist() == reference(d, num_perm, seed)


@pytest.mark.parametrize("num_perm", [128, 100])
def test_fss_long_documents_match_plain_python_reference(num_perm: int) -> None:
    """Documents filled in the first bucket round, in a later one, and around the 1,024 block."""
    flat, _ = shingle_batch([" ".join(SEEDS)])
    docs = [flat[:n] for n in (5, 60, 200, 577, 1023, 1024, 1025, 2049)]
    sig = signatures_from_shingles(docs, num_perm=num_perm, seed=5, method="fss")
    for row, d in zip(sig, docs):
        assert row.tolist() == _reference_fss(d.tolist(), num_perm, 5)
    assert (sig[0] >> 30 == 3).sum() > 64  # five shingles leave most positions to the permutations
    assert (sig[-1] >> 30 == 0).all()  # 2,049 shingles fill every bucket in the first round


def test_fss_later_rounds_match_reference_whether_few_or_many_buckets_are_left() -> None:
    """A later round searches a few empty buckets (``_FSS_OPEN`` or fewer, four per pass),
    or all of them by one scatter pass: both give the reference's bits.  The documents are
    sized so that each way is taken, after round 1 and after round 2 (over several blocks),
    and with a count of empty buckets that four does not divide."""
    rng = np.random.default_rng(3)
    cases = [(128, [400, 450, 120, 60]), (2048, [6000, 6500])]
    for num_perm, sizes in cases:
        docs = [rng.integers(0, 2**64, n, dtype=np.uint64) for n in sizes]
        sig = signatures_from_shingles(docs, num_perm=num_perm, seed=9, method="fss")
        for row, d in zip(sig, docs):
            assert row.tolist() == _reference_fss(d.tolist(), num_perm, 9)
        left_after = [[int((row >> 30 >= r).sum()) for r in (1, 2)] for row in sig]
        if num_perm == 128:  # round 2 searches a few (400, 450 shingles), or scatters (120, 60)
            assert 1 <= left_after[0][0] <= 16 and 1 <= left_after[1][0] <= 16, left_after
            assert left_after[0][0] % 4 or left_after[1][0] % 4, left_after
            assert left_after[2][0] > 16 and left_after[3][0] > 16, left_after
        else:  # round 2 scatters; round 3 searches a few over 1,024-shingle blocks
            assert all(left[0] > 16 and 1 <= left[1] <= 16 for left in left_after), left_after


def _short_pairs(sizes: tuple[int, ...] = (8, 16, 32)) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Pairs of ``n``-shingle subsets of the seed articles sharing ``k`` of ``n`` (exact J known)."""
    flat, offs = shingle_batch(SEEDS)
    rng = np.random.default_rng(11)
    side_a, side_b, exact = [], [], []
    for i in range(len(SEEDS)):
        distinct = np.unique(flat[offs[i] : offs[i + 1]])
        for n in sizes:
            for _ in range(12):
                rng.shuffle(distinct)
                k = int(rng.integers(0, n + 1))
                side_a.append(distinct[:n].copy())
                side_b.append(np.concatenate([distinct[:k], distinct[n : 2 * n - k]]))
                exact.append(k / (2 * n - k))
    return side_a, side_b, np.array(exact)


def test_fss_more_accurate_than_minmax_and_oph_on_short_texts() -> None:
    """Table 4b's finding on the seeds: on 8-32-shingle pairs, bucket rounds plus a permutation
    per empty position beat min-max, and one-permutation hashing (densified) is the worst."""
    side_a, side_b, exact = _short_pairs()
    m = len(side_a)
    error = {}
    for method in ("fss", "minmax", "oph"):
        e = [estimate_jaccard((s := signatures_from_shingles(side_a + side_b, num_perm=128, seed=seed, method=method))[:m], s[m:]) - exact
             for seed in range(1, 21)]
        error[method] = float(np.mean(np.abs(e)))
    assert error["fss"] < error["minmax"] < error["oph"], error
    assert abs(np.mean(e)) < 0.01  # the last method is unbiased too


@pytest.mark.parametrize("method", ["OPH", "minhash", "", None])
def test_bad_method_quotes_the_value(method: object) -> None:
    with pytest.raises(ConfigError, match=re.escape(repr(method))):
        minhash(["a b c"], method=method)
    with pytest.raises(ConfigError, match=re.escape(repr(method))):
        signatures_from_shingles([np.arange(3, dtype=np.uint64)], method=method)


@pytest.mark.skipif(numba_missing, reason="numba not installed: the numpy path splits by documents only")
def test_signature_threads_start_only_for_enough_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting threads costs a fraction of a millisecond: a few thousand shingles stay in
    one thread, 900,000 get two for min-max and fss (not yet for OPH, the cheapest)."""
    if M._jit() is None:
        pytest.skip("compiled kernels off (OVERLAP_JIT=0): the numpy path splits by documents only")
    started: list[int] = []
    real = M.split_rows
    monkeypatch.setattr(M, "split_rows", lambda run, offs, out, workers: started.append(workers) or real(run, offs, out, workers))
    flat, offs = shingle_batch(SEEDS)
    for method in M.METHODS:
        assert np.array_equal(signatures_from_shingles(flat, offs, method=method, workers=2),
                              signatures_from_shingles(flat, offs, method=method))
    assert started == []
    big = np.random.default_rng(0).integers(0, 2**64 - 1, 900_000, dtype=np.uint64)
    big_offs = np.linspace(0, len(big), 1801).astype(np.int64)
    for method in M.METHODS:
        assert np.array_equal(signatures_from_shingles(big, big_offs, method=method, workers=2),
                              signatures_from_shingles(big, big_offs, method=method))
    assert started == [2, 2]  # min-max and fss


def test_signature_workers_are_threads_with_identical_result() -> None:
    flat, offs = shingle_batch(SEEDS * 3 + [""])
    one = signatures_from_shingles(flat, offs, num_perm=64)
    assert np.array_equal(signatures_from_shingles(flat, offs, num_perm=64, workers=2), one)
    assert np.array_equal(signatures_from_shingles(flat, offs, num_perm=64, workers=7), one)
    with pytest.raises(ConfigError, match="workers"):
        signatures_from_shingles(flat, offs, workers=0)
