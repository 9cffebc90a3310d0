"""Deduplicate a corpus: exact and near-duplicate removal with a reason for every drop.

``dedup(documents, *, options=None, id_field="id", text_field="text", date_field=None, keep_fields=(), **overrides) -> DedupResult``
    Which documents to keep and, for each one dropped, the kept document it duplicates,
    the estimated and exact similarity, and why.  ``documents`` may be ``Document``
    records, plain strings (ids ``"0"``, ``"1"``, ...), dicts, or a pandas / Arrow table
    with id and text columns.
``DedupOptions(threshold=0.8, mode="jaccard", keep="first", num_perm=128, seed=1, shingle_size=5)``
    The settings, validated on construction.
``SignatureStore``
    Everything ``dedup`` needs to decide, as numpy arrays (signatures, shingle sets, exact
    keys, lengths, dates), from ``overlap.signature_store``: ``build``, ``save(dir)``, ``load(dir)``.  Re-thresholding a
    saved store (``dedup_store``) gives the result of a fresh run without reading any text.
``dedup_store(store, options=None, **overrides) -> DedupResult``
    The decision step alone, on a built or loaded store.
``Removal``, ``DedupResult``
    The frozen result records; each has ``to_dict()``.

How it decides.  Each text is normalised and shingled exactly as ``overlap.minhash``
does.  *Exact duplicates* are documents whose normalised token sequence is identical (a
64-bit BLAKE2 key of the shingle sequence).  *Near-duplicates* are pairs that share an
LSH band of their MinHash signatures (bands chosen for Jaccard ``threshold - 0.1``, so a
pair at the threshold is missed with probability about 0.002) and whose **exact** similarity of shingle sets
reaches ``threshold``: Jaccard ``|A & B| / |A | B|`` in ``mode="jaccard"``, or
containment ``|A & B| / min(|A|, |B|)`` in ``mode="containment"`` (a short text copied
whole into a longer one).  The estimate only proposes pairs; the exact sets decide, so
the signature's sampling error never removes a document on its own.  For containment the
LSH threshold is lowered to ``t / (3 - t)``, the Jaccard of a pair where one text holds
``t`` of the other and is twice as long; longer containers can be missed.

Which copy stays.  Documents are ranked by ``keep``: ``"first"`` (input order),
``"longest"`` (most characters, then input order) or ``"earliest"`` (smallest date,
documents without a date last, then input order).  Going down the ranking, a document is
removed when it duplicates one already kept, and it points at the kept document it is
most similar to.  So every removal names a kept document it really matches (no chains:
A ~ B ~ C with A kept and C far from A keeps C), and the result does not depend on how
the pairs were found.

Memory.  No Python object per document during the run: signatures (``num_perm`` x 4
bytes), shingle sets (4 bytes per distinct shingle), keys, lengths and dates are numpy
arrays built batch by batch, the first two spooled to a temporary file and mapped
(``overlap.signature_store``); ids are one numpy string array.  The decision adds about
24 bytes per document and LSH band.  The result's removal records are Python objects,
one per *removed* document.

Cost: one normalise-shingle-sign pass over the texts (``overlap.minhash``'s cost), one
sort of the band keys, and an exact set intersection per document and *kept* document
sharing a band with it (compiled, cut short once it cannot decide; not per pair of bucket
members, so a story republished ``L`` times costs about ``L`` checks, not ``L**2 / 2``).

>>> r = dedup(["the cat sat on the mat today", "The cat sat on the mat today!", "a dog"])
>>> r.kept, [(x.id, x.duplicate_of, x.reason) for x in r.removed]
(('0', '2'), [('1', '0', 'exact')])
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from .dedup_inputs import check_keep_fields, document_items, parse_date
from .errors import ConfigError, InputError
from .dedup_buckets import band_keys_chunked, bucket_layout
from .signature_store import SignatureStore
from .signatures import DEFAULT_METHOD, METHODS

__all__ = [
    "DedupOptions",
    "DedupResult",
    "Removal",
    "SignatureStore",
    "check_keep_fields",
    "dedup",
    "dedup_store",
    "parse_date",
]

MODES = ("jaccard", "containment")
KEEP = ("first", "longest", "earliest")


@dataclass(frozen=True, slots=True)
class DedupOptions:
    """Settings of ``dedup``; every field is checked when the object is made.

    ``threshold``: exact similarity at or above which two documents are duplicates.
    ``mode``: ``"jaccard"`` or ``"containment"`` (module docstring).
    ``keep``: ``"first"``, ``"longest"`` or ``"earliest"`` (needs dates).
    ``num_perm``, ``seed``, ``shingle_size``, ``method``: the MinHash settings (as ``overlap.minhash``).
    """

    threshold: float = 0.8
    mode: str = "jaccard"
    keep: str = "first"
    num_perm: int = 128
    seed: int = 1
    shingle_size: int = 5
    method: str = DEFAULT_METHOD

    def __post_init__(self) -> None:
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0.0 < float(t) <= 1.0:
            raise ConfigError(f"threshold must be a number in (0, 1], e.g. 0.8: {t!r}")
        for name, allowed in (("mode", MODES), ("keep", KEEP), ("method", METHODS)):
            if getattr(self, name) not in allowed:
                raise ConfigError(f"{name} must be one of {', '.join(allowed)}: {getattr(self, name)!r}")
        for name, lo, hi in (("num_perm", 2, 1024), ("seed", 0, 2**63), ("shingle_size", 1, 1000)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise ConfigError(f"{name} must be an integer in [{lo}, {hi}]: {v!r}")


@dataclass(frozen=True, slots=True)
class Removal:
    """One dropped document: ``id`` duplicates the kept ``duplicate_of``.

    ``reason`` is ``"exact"`` (same normalised text), ``"near-duplicate"`` (Jaccard mode)
    or ``"contained"`` (containment mode).  ``similarity`` is the exact value of the
    mode's measure on the shingle sets, ``estimated`` the same measure estimated from the
    MinHash signatures, both in [0, 1].  ``fields`` and ``duplicate_of_fields`` are the
    metadata fields asked for with ``keep_fields`` (title, url, date...) of the two
    documents; ``first_published`` is whichever of the two ids has the earlier date
    (empty unless both are dated and the dates differ)."""

    id: str
    duplicate_of: str
    reason: str
    similarity: float
    estimated: float
    fields: dict[str, Any] | None = None
    duplicate_of_fields: dict[str, Any] | None = None
    first_published: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "duplicate_of": self.duplicate_of,
            "reason": self.reason,
            "similarity": round(self.similarity, 4),
            "estimated": round(self.estimated, 4),
        }
        if self.fields is not None:
            out["fields"] = self.fields
            out["duplicate_of_fields"] = self.duplicate_of_fields
        if self.first_published:
            out["first_published"] = self.first_published
        return out

    def flat_dict(self) -> dict[str, Any]:
        """``to_dict`` with the field maps spread into ``fields.NAME`` and
        ``duplicate_of_fields.NAME`` columns, for CSV."""
        out = self.to_dict()
        for side in ("fields", "duplicate_of_fields"):
            for k, v in (out.pop(side, None) or {}).items():
                out[f"{side}.{k}"] = v if isinstance(v, (str, int, float)) or v is None else json.dumps(v, ensure_ascii=False)
        return out


@dataclass(frozen=True, slots=True, eq=False)
class DedupResult:
    """What ``dedup`` decided.

    ``ids``: every document id in input order (numpy string array); ``keep_mask``: which
    of them stay (numpy bool, same order); ``removed``: one ``Removal`` per dropped
    document, in input order; ``options``: the settings used.
    """

    ids: np.ndarray
    keep_mask: np.ndarray
    removed: tuple[Removal, ...]
    options: DedupOptions

    @property
    def documents(self) -> int:
        return int(len(self.ids))

    @property
    def kept(self) -> tuple[str, ...]:
        """Ids of the kept documents, in input order."""
        return tuple(str(i) for i in self.ids[self.keep_mask])

    @property
    def clusters(self) -> tuple[tuple[str, ...], ...]:
        """Each kept document that has duplicates, followed by the ids it replaced
        (kept documents in input order, their duplicates in input order)."""
        groups: dict[str, list[str]] = {}
        for r in self.removed:
            groups.setdefault(r.duplicate_of, []).append(r.id)
        order = {str(i): n for n, i in enumerate(self.ids)}
        return tuple((k, *v) for k, v in sorted(groups.items(), key=lambda kv: order[kv[0]]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": 1,
            "documents": self.documents,
            "kept": len(self.ids) - len(self.removed),
            "removed": [r.to_dict() for r in self.removed],
            "clusters": [list(c) for c in self.clusters],
            "options": {f.name: getattr(self.options, f.name) for f in fields(self.options)},
        }

    def write_removed(self, path: str | os.PathLike[str], *, fmt: str | None = None) -> None:
        """Write the removal list to ``path`` atomically (``"-"``: standard output): JSONL,
        or CSV when ``fmt="csv"`` or the name ends in ``.csv``.  CSV text cells that a
        spreadsheet would run as a formula get a leading ``'``
        (``overlap.outputs.spreadsheet_safe``); numbers are written as they are."""
        import csv

        from .outputs import output_stream, spreadsheet_safe

        fmt = fmt or ("csv" if str(path).lower().endswith(".csv") else "jsonl")
        if fmt not in ("jsonl", "csv"):
            raise ConfigError(f"removal list format must be jsonl or csv: {fmt!r}")
        try:
            with output_stream(path, encoding="utf-8") as f:
                if fmt == "csv":
                    rows = [{k: spreadsheet_safe(v) for k, v in r.flat_dict().items()} for r in self.removed]
                    names = list(dict.fromkeys(["id", "duplicate_of", "reason", "similarity", "estimated"]
                                               + [k for row in rows for k in row]))
                    w = csv.DictWriter(f, fieldnames=names, lineterminator="\n")
                    w.writeheader()
                    w.writerows(rows)
                else:
                    for lo in range(0, len(self.removed), 4096):
                        f.write("".join(_jsonl_line(r) for r in self.removed[lo:lo + 4096]))
        except OSError as e:
            raise InputError(f"{path}: cannot write ({e.strerror or e})") from None


_STRING = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) quotes with


def _jsonl_line(r: Removal) -> str:
    """``json.dumps(r.to_dict(), ensure_ascii=False) + "\\n"``, formatted directly in the
    common case (no fields, no first-published id, finite similarities): the same
    characters, at a fraction of the cost of an encoder per record."""
    sim, est = round(r.similarity, 4), round(r.estimated, 4)
    if (r.fields is not None or r.first_published or type(sim) is not float or type(est) is not float
            or not math.isfinite(sim) or not math.isfinite(est)):
        return json.dumps(r.to_dict(), ensure_ascii=False) + "\n"
    return (f'{{"id": {_STRING(r.id)}, "duplicate_of": {_STRING(r.duplicate_of)}, "reason": {_STRING(r.reason)}, '
            f'"similarity": {sim!r}, "estimated": {est!r}}}\n')


# --------------------------------------------------------------------------- decide


def dedup(
    documents: Any,
    *,
    options: DedupOptions | None = None,
    id_field: str = "id",
    text_field: str = "text",
    date_field: str | None = None,
    keep_fields: Sequence[str] = (),
    **overrides: Any,
) -> DedupResult:
    """Deduplicate ``documents`` (module docstring); ``overrides`` are ``DedupOptions``
    fields (``dedup(texts, threshold=0.7, keep="longest")``).  ``keep="earliest"`` needs
    ``date_field`` for dicts and tables; with a ``date_field`` each removal also says
    which copy was published first.  ``keep_fields`` names metadata fields (of dicts,
    tables or ``Document.metadata``) copied into each removal for both documents.  Cost:
    one pass over the texts, then ``dedup_store``."""
    opts = _options(options, overrides)
    keep = check_keep_fields(keep_fields)
    store = SignatureStore.build(
        document_items(documents, id_field, text_field, date_field, keep),
        num_perm=opts.num_perm, seed=opts.seed, shingle_size=opts.shingle_size, method=opts.method,
    )
    return dedup_store(store, opts)


def _options(options: DedupOptions | None, overrides: dict[str, Any]) -> DedupOptions:
    names = {f.name for f in fields(DedupOptions)}
    bad = sorted(set(overrides) - names)
    if bad:
        raise ConfigError(f"unknown option {bad[0]!r}; expected one of {', '.join(sorted(names))}")
    return replace(options or DedupOptions(), **overrides)


def dedup_store(
    store: SignatureStore, options: DedupOptions | None = None, *, all_pairs: bool = False, **overrides: Any
) -> DedupResult:
    """Decide on a built or loaded ``SignatureStore``.  ``num_perm``, ``seed``,
    ``shingle_size`` and ``method`` come from the store (the signatures were made with them).

    With the compiled kernels, each document is checked only against the *kept*
    documents of its LSH buckets (``_bucket_greedy``): a bucket of ``L`` near-copies
    costs about ``L`` checks, not ``L (L - 1) / 2``, and no pair list is held.
    ``all_pairs=True`` (and the path without numba) lists every candidate pair first
    (``lsh.candidate_pairs``), then verifies and removes; both give the same result (the
    tests check it).  Cost: one sort of the ``n * bands`` band keys plus one exact
    intersection per pair checked, memory about 50 bytes per document and band."""
    from .jit import load_kernels
    from .lsh import candidate_pairs, optimal_params

    opts = _options(options, overrides)
    opts = replace(opts, num_perm=store.num_perm, seed=store.seed, shingle_size=store.shingle_size, method=store.method)
    n = len(store)
    rank = _rank(store, opts.keep)
    order = np.empty(n, dtype=np.int64)
    order[rank] = np.arange(n, dtype=np.int64)  # order[i] = position of document i in the ranking
    keep = np.ones(n, dtype=bool)
    removed: dict[int, Removal] = {}
    heads: dict[int, int] = {}  # exact duplicate -> the member of its group that stayed

    # 1. Exact duplicates: equal keys; the best-ranked member of each group stays.
    by_key = np.lexsort((order, store.exact))
    k = store.exact[by_key]
    if n > 1:
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
        sizes = np.diff(np.r_[starts, n])
        for s, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
            head = int(by_key[s])
            for j in by_key[s + 1:s + size].tolist():
                keep[j] = False
                heads[j] = head
                removed[j] = Removal(str(store.ids[j]), str(store.ids[head]), "exact", 1.0, 1.0)

    # 2. Near-duplicates among the survivors of step 1.
    alive = np.flatnonzero(keep)
    if len(alive) > 1:
        t = opts.threshold
        # Recall first: every candidate is verified exactly, so a false positive costs one
        # intersection while a false negative is a duplicate left in.  datasketch's even
        # weights at the threshold itself find a pair at exactly J = 0.8 only 40% of the
        # time with 128 permutations; banding for t - 0.1 with false negatives weighted
        # 0.95 misses such a pair with probability about 0.002.
        lsh_t = max(0.05, t - 0.1) if opts.mode == "jaccard" else t / (3.0 - t)
        bands, rows = optimal_params(lsh_t, store.num_perm, 0.05, 0.95)
        reason = "near-duplicate" if opts.mode == "jaccard" else "contained"
        if load_kernels() is not None and not all_pairs and max(len(alive) * bands, n) < 2**31:  # int32 positions, ids
            _bucket_greedy(store, (bands, rows), alive, order, keep, removed, opts, lsh_t, reason)
        else:
            keys = band_keys_chunked(store.signatures, alive, bands, rows)
            local = candidate_pairs(keys)
            del keys
            pairs = alive[local] if len(local) else np.zeros((0, 2), dtype=np.int64)
            edges = _verify(store, pairs, opts, lsh_t)
            _greedy(store, edges, order, keep, removed, reason)
        # A group's head removed in step 2 takes its exact copies along: they have the
        # same shingle set, hence the same similarity to the document that stayed.
        for j, head in heads.items():
            if not keep[head]:
                r = removed[head]
                removed[j] = Removal(str(store.ids[j]), r.duplicate_of, r.reason, r.similarity, r.estimated)
    return DedupResult(ids=store.ids, keep_mask=keep, removed=_annotate(store, removed), options=opts)


def _bucket_greedy(
    store: SignatureStore,
    banding: tuple[int, int],
    alive: np.ndarray,
    order: np.ndarray,
    keep: np.ndarray,
    removed: dict[int, Removal],
    opts: DedupOptions,
    lsh_t: float,
    reason: str,
) -> None:
    """Step 2 without a pair list (``kernels.bucket_greedy_into``).

    The keep rule only ever uses an edge from a document to an already *kept*, better-
    ranked one; so going down the ranking and checking each document against the kept
    members of its buckets (each once, same estimate cut, same exact test, same tie
    rule) finds the same removals as listing every pair of every bucket.  Buckets over
    ``lsh.DEFAULT_MAX_BUCKET`` keep ``candidate_pairs``' chain: neighbours in index
    order only.  Memory: about six ``int32`` per document and band."""
    from .jit import load_kernels
    from .lsh import DEFAULT_MAX_BUCKET
    from .signatures import estimate_jaccard

    kern = load_kernels()
    assert kern is not None
    bands, rows = banding
    members, pos, bstart, bsize = bucket_layout(store.signatures, alive, bands, rows)
    ranked = np.argsort(order[alive], kind="stable").astype(np.int64)
    chosen = np.full(len(keep), -1, dtype=np.int64)
    chosen_exact = np.zeros(len(keep), dtype=np.float64)
    kern.bucket_greedy_into(
        members, pos, bstart, bsize, np.ascontiguousarray(alive, dtype=np.int64), ranked,
        np.ascontiguousarray(order, dtype=np.int64), bands, DEFAULT_MAX_BUCKET,
        np.ascontiguousarray(store.signatures, dtype=np.uint32), np.ascontiguousarray(store.shingles, dtype=np.uint32),
        np.ascontiguousarray(store.offsets, dtype=np.int64), lsh_t - 0.15, float(opts.threshold),
        opts.mode != "jaccard", chosen, chosen_exact,
    )
    del members, pos, bstart, bsize
    gone = np.flatnonzero(chosen >= 0)
    if not len(gone):
        return
    keep[gone] = False
    heads = chosen[gone]
    e = np.asarray(estimate_jaccard(store.signatures[gone], store.signatures[heads]), dtype=np.float64)
    if opts.mode != "jaccard":  # the estimate of containment, as in ``_verify``
        sizes_all = np.diff(store.offsets)
        na, nb = sizes_all[gone], sizes_all[heads]
        lo = np.maximum(np.minimum(na, nb), 1)
        e = np.minimum(1.0, e * (na + nb) / ((1.0 + e) * lo))
    ex = chosen_exact[gone]
    for d, a, b, x, y in zip(gone.tolist(), store.ids[gone].tolist(), store.ids[heads].tolist(), ex.tolist(), e.tolist()):
        removed[d] = Removal(a, b, reason, x, y)


def _annotate(store: SignatureStore, removed: dict[int, Removal]) -> tuple[Removal, ...]:
    """The removals in input order, with the kept fields of both documents and which of
    the two was published first (when both are dated).  Cost: one sort of the ids."""
    idx = sorted(removed)
    if not idx or (store.fields_offsets is None and np.isnan(store.dates).all()):
        return tuple(removed[i] for i in idx)
    by_id = np.argsort(store.ids, kind="stable")
    targets = np.array([removed[i].duplicate_of for i in idx], dtype=store.ids.dtype)
    heads = by_id[np.searchsorted(store.ids, targets, sorter=by_id)].tolist()
    out = []
    for i, u in zip(idx, heads):
        r = removed[i]
        di, du = float(store.dates[i]), float(store.dates[u])
        first = "" if math.isnan(di) or math.isnan(du) or di == du else (r.id if di < du else r.duplicate_of)
        out.append(replace(r, fields=store.fields_of(i), duplicate_of_fields=store.fields_of(u), first_published=first))
    return tuple(out)


def _rank(store: SignatureStore, keep: str) -> np.ndarray:
    """Document indices from the one kept first to the one kept last."""
    n = len(store)
    index = np.arange(n, dtype=np.int64)
    if keep == "first":
        return index
    if keep == "longest":
        return np.lexsort((index, -store.lengths))
    dates = store.dates
    if n and np.isnan(dates).all():
        raise ConfigError("keep='earliest' needs dates, but no document has one; pass a date field (--date-field F)")
    return np.lexsort((index, np.where(np.isnan(dates), np.inf, dates)))


Edges = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # (i, j, exact, estimated), one row per pair


def _verify(store: SignatureStore, pairs: np.ndarray, opts: DedupOptions, lsh_t: float) -> Edges:
    """``(i, j, exact, estimated)`` for the candidate pairs that are duplicates.

    Cheapest filter first: the signature estimate (vectorised) drops pairs far below the
    LSH threshold (0.15 is about four standard errors of a 128-permutation estimate),
    then the exact intersection of the sorted shingle sets decides."""
    if not len(pairs):
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0), np.zeros(0)
    from .signatures import estimate_jaccard

    est = np.asarray(estimate_jaccard(store.signatures[pairs[:, 0]], store.signatures[pairs[:, 1]]), dtype=np.float64)
    sizes = np.diff(store.offsets)
    sel = est >= lsh_t - 0.15
    left = np.ascontiguousarray(pairs[sel, 0], dtype=np.int64)
    right = np.ascontiguousarray(pairs[sel, 1], dtype=np.int64)
    e = est[sel]
    inter = _intersections(store, left, right).astype(np.float64)
    na, nb = sizes[left], sizes[right]
    if opts.mode == "jaccard":
        union = na + nb - inter
        exact = np.divide(inter, union, out=np.ones_like(inter), where=union > 0)
        estimate = e
    else:
        lo = np.maximum(np.minimum(na, nb), 1)
        exact = inter / lo
        estimate = np.minimum(1.0, e * (na + nb) / ((1.0 + e) * lo))  # |A & B| = J (|A| + |B|) / (1 + J)
    hit = exact >= opts.threshold
    return left[hit], right[hit], exact[hit], np.asarray(estimate, dtype=np.float64)[hit]


def _intersections(store: SignatureStore, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``|A & B|`` of each pair's sorted shingle sets: the compiled merge
    (``overlap.kernels.intersections_into``), else ``np.intersect1d`` per pair (same counts)."""
    from .jit import load_kernels

    out = np.zeros(len(left), dtype=np.int64)
    kern = load_kernels()
    sh, off = store.shingles, store.offsets
    if kern is not None and len(left):
        kern.intersections_into(np.ascontiguousarray(sh, dtype=np.uint32), np.ascontiguousarray(off, dtype=np.int64),
                                left, right, out)
        return out
    for p, (i, j) in enumerate(zip(left.tolist(), right.tolist())):
        out[p] = len(np.intersect1d(sh[off[i]:off[i + 1]], sh[off[j]:off[j + 1]], assume_unique=True))
    return out


def _greedy(
    store: SignatureStore,
    edges: Edges,
    order: np.ndarray,
    keep: np.ndarray,
    removed: dict[int, Removal],
    reason: str,
) -> None:
    """Go down the ranking; remove a document with a duplicate already kept, pointing at
    the most similar such document (ties: the better-ranked one).

    The edges are sorted once by (rank of the worse-ranked end, -similarity, rank of the
    better-ranked end); then one pass (compiled: ``kernels.greedy_into``) takes, for each
    document, its first edge to a document still kept.  Every better-ranked document is
    decided before it, so that is the most similar kept duplicate.  Memory: a few arrays
    per edge, no Python object per edge."""
    i, j, exact, est = edges
    if not len(i):
        return
    swap = order[i] > order[j]
    u, v = np.where(swap, j, i), np.where(swap, i, j)
    by = np.lexsort((order[u], -exact, order[v]))
    u, v = np.ascontiguousarray(u[by]), np.ascontiguousarray(v[by])
    chosen = np.full(len(keep), -1, dtype=np.int64)  # the edge that removed each document
    alive = keep.astype(np.uint8)
    from .jit import load_kernels

    kern = load_kernels()
    if kern is not None:
        kern.greedy_into(u, v, alive, chosen)
    else:
        for e, (a, b) in enumerate(zip(u.tolist(), v.tolist())):
            if alive[b] and alive[a]:
                alive[b] = 0
                chosen[b] = e
    gone = np.flatnonzero(chosen >= 0)
    keep[gone] = False
    ex, es = exact[by], est[by]
    for d, e in zip(gone.tolist(), chosen[gone].tolist()):
        removed[d] = Removal(str(store.ids[d]), str(store.ids[u[e]]), reason, float(ex[e]), float(es[e]))
