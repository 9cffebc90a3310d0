"""The compiled rare-vocabulary kernels (``overlap.kernels_vocabulary``: ``term_buckets``,
``rare_postings_of``, ``postings_by_document``, ``vocabulary_links_of``) against numpy
definitions and against ``overlap.vocabulary``'s numpy path, bit for bit."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from overlap.jit import load_kernels
from overlap.normalization import normalize
from overlap.shingle import shingles, shingles_many, tokenize_many
from overlap.vocabulary import MAX_DF, terms, terms_from_bigrams, terms_many, vocabulary_link_arrays


def _kernels() -> ModuleType:
    kernels = load_kernels()
    if kernels is None:
        pytest.skip("numba kernels unavailable (OVERLAP_JIT=0 or numba missing)")
    return kernels


def _random_docs(rng: np.random.Generator, n: int, pool: np.ndarray) -> list[np.ndarray]:
    """``n`` documents of distinct terms drawn from ``pool`` (0 to 60 each, some empty)."""
    return [np.unique(rng.choice(pool, size=int(rng.integers(0, 60)))).astype(np.uint32) for _ in range(n)]


def _pools(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Terms spread over the 32-bit space, crowded into three top-16-bit buckets (large
    buckets, low bits colliding across them), and in the first and last buckets."""
    return {
        "spread": rng.integers(0, 2**32, size=3_000, dtype=np.uint64).astype(np.uint32),
        "crowded": (rng.integers(0, 3, size=3_000) << 16 | rng.integers(0, 2**16, size=3_000)).astype(np.uint32),
        "edges": np.concatenate((
            np.arange(1_000), np.arange(2**16 - 500, 2**16 + 500), np.arange(2**32 - 1_000, 2**32)
        )).astype(np.uint32),
    }


def _rare_by_definition(
    docs: list[np.ndarray], max_df: int, wsq: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rare postings by term, then document: document, df, later postings of the term;
    and each document's ``sum(wsq[df])`` over its rare terms, added in term order."""
    n = len(docs)
    term = np.concatenate(docs).astype(np.int64)
    doc = np.repeat(np.arange(n), [len(d) for d in docs])
    order = np.lexsort((doc, term))
    term, doc = term[order], doc[order]
    _, first, counts = np.unique(term, return_index=True, return_counts=True)
    df = np.repeat(counts, counts)
    partners = df - 1 - (np.arange(len(term)) - np.repeat(first, counts))
    rare = (df >= 2) & (df <= max_df)
    norms = [0.0] * n
    for d, f in zip(doc[rare].tolist(), df[rare].tolist()):
        norms[d] += float(wsq[f])
    return doc[rare], df[rare], partners[rare], np.array(norms)


def _rare_postings(kernels: ModuleType, docs: list[np.ndarray], max_df: int, wsq: np.ndarray) -> tuple[np.ndarray, ...]:
    lens = np.array([len(d) for d in docs], dtype=np.int64)
    flat = np.concatenate(docs).astype(np.uint32)
    low, doc, bucket_starts = kernels.term_buckets(flat, lens)
    return tuple(kernels.rare_postings_of(low, doc, bucket_starts, len(docs), max_df, wsq))


def _wsq(n: int, max_df: int) -> np.ndarray:
    wsq = np.zeros(max_df + 1)
    wsq[2:] = np.log(n / np.arange(2, max_df + 1)) ** 2
    return wsq


@pytest.mark.parametrize("pool", ["spread", "crowded", "edges"])
@pytest.mark.parametrize("max_df", [2, 7, 100])
def test_compiled_rare_postings_match_their_definition(pool: str, max_df: int) -> None:
    kernels = _kernels()
    rng = np.random.default_rng(max_df)
    docs = _random_docs(rng, 400, _pools(rng)[pool])
    wsq = _wsq(len(docs), max_df)
    want = _rare_by_definition(docs, max_df, wsq)
    got = _rare_postings(kernels, docs, max_df, wsq)
    assert len(want[0]) > 0
    for x, y in zip(want, got):
        assert x.tolist() == y.tolist()
    # The order numpy's path gives its norms in (np.bincount) is the same as well.
    numpy_norms = np.bincount(want[0], weights=wsq[want[1]], minlength=len(docs))
    assert numpy_norms.tolist() == got[3].tolist()


def test_compiled_postings_by_document_are_a_stable_sort_by_document_then_df() -> None:
    kernels = _kernels()
    rng = np.random.default_rng(5)
    docs = _random_docs(rng, 300, _pools(rng)["crowded"])
    doc, size, partners, _ = _rare_postings(kernels, docs, 12, _wsq(len(docs), 12))
    starts, first, count, df = kernels.postings_by_document(doc, size, partners, len(docs), 13)
    has = np.flatnonzero(partners > 0)
    want = has[np.argsort(doc[has].astype(np.int64) * 13 + size[has], kind="stable")]
    assert first.tolist() == (want + 1).tolist()
    assert count.tolist() == partners[want].tolist() and df.tolist() == size[want].tolist()
    assert starts.tolist() == np.searchsorted(doc[want], np.arange(len(docs) + 1)).tolist()


def _paths_agree(docs: list[np.ndarray], **options: Any) -> int:
    """How many links ``vocabulary_link_arrays(docs, **options)`` finds, after asserting
    that its compiled and numpy paths give the same arrays (dtype and every value)."""
    numpy_links = vocabulary_link_arrays(docs, compiled=False, **options)
    compiled = vocabulary_link_arrays(docs, compiled=True, **options)
    for x, y in zip(numpy_links, compiled):
        assert x.dtype == y.dtype and x.tolist() == y.tolist()
    return len(numpy_links[0])


@pytest.mark.parametrize("pool", ["spread", "crowded", "edges"])
def test_compiled_vocabulary_links_equal_the_numpy_path_on_random_terms(pool: str) -> None:
    _kernels()
    rng = np.random.default_rng(11)
    docs = _random_docs(rng, 500, _pools(rng)[pool])
    for max_df in (5, 40):
        for min_shared, min_cosine in ((1, 0.0), (2, 0.05), (3, 0.2)):
            links = _paths_agree(docs, max_df=max_df, min_shared=min_shared, min_cosine=min_cosine)
            if (min_shared, min_cosine) == (1, 0.0):
                assert links > 100


def test_compiled_vocabulary_links_accept_terms_of_other_integer_types() -> None:
    _kernels()
    rng = np.random.default_rng(2)
    docs = _random_docs(rng, 200, _pools(rng)["spread"])
    wide = [d.astype(np.int64) for d in docs]
    for x, y in zip(vocabulary_link_arrays(docs, max_df=9, compiled=True), vocabulary_link_arrays(wide, max_df=9, compiled=True)):
        assert x.tolist() == y.tolist()


def test_compiled_vocabulary_links_equal_the_numpy_path_on_baomoi(data_dir: Path) -> None:
    # Real articles: terms from every Baomoi text, with the scan's max_df (18 here) and a
    # wide one; every link and cosine, including the pairs sharing one rare bigram.
    _kernels()
    files = sorted((data_dir / "baomoi").glob("*.txt"))
    docs = [terms(f.read_text(encoding="utf-8")) for f in files]
    assert len(docs) > 3_000
    wsq = _wsq(len(docs), MAX_DF)
    want = _rare_by_definition(docs, MAX_DF, wsq)
    for x, y in zip(want, _rare_postings(_kernels(), docs, MAX_DF, wsq)):
        assert x.tolist() == y.tolist()
    for max_df, min_shared, min_cosine in ((None, 2, 0.05), (MAX_DF, 1, 0.0)):
        assert _paths_agree(docs, max_df=max_df, min_shared=min_shared, min_cosine=min_cosine) > 1_000


def test_terms_many_equal_terms_from_bigrams_on_random_hashes() -> None:
    _kernels()
    rng = np.random.default_rng(4)
    arrays = [rng.integers(0, 2**64, size=int(rng.integers(0, 40)), dtype=np.uint64) for _ in range(300)]
    arrays += [np.array([2**40 + 2, 2**40 + 3, 2**41, 2**40 + 2, 5 << 32], dtype=np.uint64), np.zeros(0, dtype=np.uint64)]
    arrays.append(np.repeat(rng.integers(0, 2**64, size=5, dtype=np.uint64), 9))  # repeated hashes
    got = terms_many(arrays)
    assert got[-3].tolist() == [5, 256, 512]
    assert len(got) == len(arrays)
    for a, g in zip(arrays, got):
        want = terms_from_bigrams(a)
        assert g.dtype == want.dtype == np.uint32 and g.tolist() == want.tolist()
    assert terms_many([]) == []


def test_terms_many_equal_terms_on_real_articles(seeds: dict[int, str], data_dir: Path) -> None:
    # What the signing workers do for a batch: the bigrams of every text's tokens at once.
    _kernels()
    texts = list(seeds.values()) + [f.read_text(encoding="utf-8") for f in sorted((data_dir / "baomoi").glob("*.txt"))[:500]]
    texts += ["", "một", "Hai từ"]
    tokens = tokenize_many([normalize(t).text for t in texts])
    got = terms_many(shingles_many([t.hashes for t in tokens], 2))
    for text, tok, g in zip(texts, tokens, got):
        assert g.tolist() == terms_from_bigrams(shingles(tok.hashes, 2)).tolist()
        if len(tok) >= 2:
            assert g.tolist() == terms(text).tolist()
    assert len(got[-3]) == 0 and sum(map(len, got)) > 50_000
