"""Answering "seen before?": band-key lookups, candidate ranking, exact verification.

``run_query(con, settings, text, *, top, min_similarity, passages) -> (matches, work)``
    Cost: ``bands + 8 * sentences`` B-tree lookups, one signature read per candidate,
    exact verification of at most ``max(4 * top, 40)`` candidates from their stored
    texts, and ``top`` comparisons; independent of the index size except through the
    number of genuine candidates.
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib

import numpy as np

from .. import _arrays
from ..signatures import estimate_jaccard
from .features import Features, features
from .records import Match
from .storage import MAX_BUCKET, SQL_CHUNK, Settings, metadata_sql

__all__ = ["run_query"]


def run_query(
    con: sqlite3.Connection, settings: Settings, text: str, *, top: int, min_similarity: float, passages: bool
) -> tuple[tuple[Match, ...], dict[str, float]]:
    """Matches for ``text`` and the work done (``lookups``, ``candidates``, ``verified``
    and the milliseconds of hashing, lookups and verification, for benchmarks)."""
    t0 = time.perf_counter()
    feats: Features | None = features([text], settings, every_sentence=True)
    work: dict[str, float] = {"lookups": 0, "candidates": 0, "verified": 0}
    if feats is None or not feats.nonempty[0]:
        return (), work
    t1 = time.perf_counter()
    # One read transaction: every lookup and fetch sees the same snapshot, even while
    # another process commits batches (WAL readers never block writers).
    con.execute("BEGIN")
    try:
        nums = _candidates(con, settings, feats, top, work)
        feats = None  # the query's keys are done with: free them before verification
        t2 = time.perf_counter()
        rows = _fetch_texts(con, settings, nums)
    finally:
        con.execute("COMMIT")
    # A stored text equal to the query (a document queried against an index holding
    # it) is kept as the query's own string: one copy of a huge text, not two.
    rows = [(id_, origin, text if stored == text else stored, meta) for id_, origin, stored, meta in rows]
    out = _verify(text, rows, settings.shingle_size, top, min_similarity, passages)
    t3 = time.perf_counter()
    work.update(hash_ms=(t1 - t0) * 1e3, lookup_ms=(t2 - t1) * 1e3, verify_ms=(t3 - t2) * 1e3)
    return out, work


def _candidates(con: sqlite3.Connection, settings: Settings, feats: Features, top: int, work: dict[str, float]) -> list[int]:
    """Documents sharing a band key with the query, best ``max(4 * top, 40)`` first."""
    doc_hits: set[int] = set()
    for key in feats.doc_keys[0].view(np.int64).tolist():
        doc_hits.update(_bucket(con, "bands", key))
    # A query block or long sentence "hits" a document when any of its keys does.
    rows = feats.block_keys.view(np.int64).tolist() + feats.anchor_keys.view(np.int64).tolist()
    block_hits = _hits(con, rows)
    bag_hits = _hits(con, feats.bag_keys.view(np.int64).tolist())  # none unless the index is reworded
    cands = sorted(doc_hits | block_hits.keys())
    work["lookups"] = len(feats.doc_keys[0]) + feats.block_keys.size + feats.anchor_keys.size + feats.bag_keys.size
    work["candidates"] = len(cands)
    # Cheapest filter first: the MinHash estimate from the stored signature and the
    # share of query blocks that hit, before any stored text is decompressed.
    nblocks = max(len(rows), 1)
    scored: list[tuple[float, int]] = []
    for lo in range(0, len(cands), SQL_CHUNK):
        chunk = cands[lo : lo + SQL_CHUNK]
        marks = ",".join("?" * len(chunk))
        sig_rows = con.execute(f"SELECT num, signature FROM docs WHERE num IN ({marks})", chunk).fetchall()
        if not sig_rows:
            continue
        sigs = np.frombuffer(b"".join(r[1] for r in sig_rows), dtype=np.uint32).reshape(len(sig_rows), settings.num_perm)
        est = np.atleast_1d(estimate_jaccard(feats.signatures[0], sigs)).tolist()
        for (num, _), e in zip(sig_rows, est):
            scored.append((max(e, len(block_hits.get(num, ())) / nblocks), num))
    scored.sort(key=lambda t: (-t[0], t[1]))
    verify = [num for _, num in scored[: max(4 * top, 40)]]
    # Reworded indexes: the ``top`` documents whose sentence bags most query bags hit
    # join the verification, after (never instead of) the verbatim candidates.
    chosen = set(verify)
    extra = sorted((-len(ws), d) for d, ws in bag_hits.items() if d not in chosen)
    verify += [d for _, d in extra[:top]]
    work["candidates"] += sum(1 for d in bag_hits if d not in doc_hits and d not in block_hits)
    work["verified"] = len(verify)
    return verify


def _hits(con: sqlite3.Connection, rows: list[list[int]]) -> dict[int, set[int]]:
    """For each stored document, the query key rows (blocks, anchors or bags) that hit it:
    a row hits when any of its keys is in the document's passage keys."""
    hits: dict[int, set[int]] = {}
    for w, row in enumerate(rows):
        for key in row:
            for d in _bucket(con, "passages", key):
                hits.setdefault(d, set()).add(w)
    return hits


def _bucket(con: sqlite3.Connection, table: str, key: int) -> list[int]:
    rows = con.execute(f"SELECT doc FROM {table} WHERE key = ? LIMIT {MAX_BUCKET + 1}", (key,)).fetchall()
    return [] if len(rows) > MAX_BUCKET else [r[0] for r in rows]


def _fetch_texts(con: sqlite3.Connection, settings: Settings, nums: list[int]) -> list[tuple[str, str, str, str]]:
    """``(id, origin, text, metadata JSON)`` of documents ``nums``."""
    out: list[tuple[str, str, str, str]] = []
    meta = metadata_sql(settings)
    for lo in range(0, len(nums), SQL_CHUNK):
        chunk = nums[lo : lo + SQL_CHUNK]
        marks = ",".join("?" * len(chunk))
        for id_, origin, blob, m in con.execute(f"SELECT id, origin, text, {meta} FROM docs WHERE num IN ({marks})", chunk):
            out.append((id_, origin, zlib.decompress(blob).decode("utf-8"), m))
    return out


def _verify(
    text: str, rows: list[tuple[str, str, str, str]], shingle_size: int, top: int, min_sim: float, passages: bool
) -> tuple[Match, ...]:
    """Exact scores from the stored texts, filter, sort, and ``compare`` the best.

    The query is prepared once for all its matches; a stored text equal to the query
    (a document queried against an index holding it) is not prepared a second time.
    """
    from ..pipeline import CompareOptions, compare_prepared, prepare

    found = _exact_scores(text, rows, shingle_size, min_sim)
    found.sort(key=lambda f: (-f[0], -f[1], f[2]))
    del found[top:]
    rows.clear()  # only the stored texts of the best ``top`` are kept from here on
    out = []
    query = prepare(text) if passages and found else None
    options = CompareOptions(paraphrase=True)  # what ``compare`` runs with by default
    for jac, cont, id_, origin, stored, meta in found:
        fields = json.loads(meta) if meta else {}
        if query is not None:
            c = compare_prepared(query, query if stored == text else prepare(stored), options=options)
            out.append(Match(id_, origin, jac, cont, c.passages, c.conflicts, fields))
        else:
            out.append(Match(id_, origin, jac, cont, metadata=fields))
    return tuple(out)


def _exact_scores(
    text: str, rows: list[tuple[str, str, str, str]], shingle_size: int, min_sim: float
) -> list[tuple[float, float, str, str, str, str]]:
    """``(jaccard, containment, id, origin, text, metadata)`` of the stored texts that
    share a shingle with ``text`` and reach ``min_sim``: one text's shingles at a time."""
    from ..signatures import shingle_batch

    if not rows:
        return []
    flat, _ = shingle_batch([text], shingle_size)
    q = _arrays.unique(flat)
    del flat
    found: list[tuple[float, float, str, str, str, str]] = []
    for id_, origin, stored, meta in rows:
        if stored is text:  # the query itself (see ``run_query``): its shingles again
            s = q
        else:
            s = _arrays.unique(shingle_batch([stored], shingle_size)[0])
        inter = len(np.intersect1d(q, s, assume_unique=True))
        if inter == 0:
            continue  # an LSH false positive: not one shingle in common
        jac = inter / (len(q) + len(s) - inter)
        cont = inter / len(q)
        if max(jac, cont) >= min_sim:
            found.append((jac, cont, id_, origin, stored, meta))
    return found
