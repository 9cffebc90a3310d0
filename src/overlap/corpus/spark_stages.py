"""The Spark driver's executor work: the local stage functions applied to RDD rows.

``sign_partition``  signing (``signing.sign_batch``) of a partition's documents;
``bucket_pairs``, ``group_codes``  candidate pairs of one LSH bucket / window or name group;
``estimate``, ``estimate_ok``, ``with_sigs``  estimated Jaccard of pairs joined to signatures;
``tag_counts``  candidate counts as the local driver counts them;
``pair_texts``, ``compare_partition``  verification (``verify.compare_chunk``);
``event_pair``, ``share_rare_date``  same-event evidence (``events``).

Every rule here is the local one, called, not copied: the engines must agree exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ..records import Comparison
from ..lsh import band_keys, candidate_pairs
from ..signatures import EMPTY, estimate_jaccard
from . import verify
from .candidates import group_pairs
from .events import dates, hashed_phrases, same_event
from .records import SameEvent
from .signing import BATCH_CHARS, BATCH_DOCS, SignConfig, sign_batch
from .verify import exact_similarity

if TYPE_CHECKING:
    from ..pipeline import CompareOptions

__all__ = [
    "bucket_pairs",
    "compare_partition",
    "estimate",
    "estimate_ok",
    "event_pair",
    "group_codes",
    "pair_texts",
    "share_rare_date",
    "sign_partition",
    "tag_counts",
    "with_sigs",
]

SignedRow = tuple[int, bytes, "tuple[int, ...] | None", np.ndarray, tuple[int, ...], tuple[int, ...], bytes]
"""``(idx, sig bytes, doc band keys | None, window keys, name hashes, dates, vocabulary terms
as uint32 bytes)`` of one document."""
SigRow = tuple[int, tuple[tuple[int, bytes], bytes]]
"""A pair joined to both signatures: ``(j, ((code, sig_i), sig_j))``."""


def sign_partition(
    rows: Iterable[tuple[int, tuple[str, str, str]]], cfg: SignConfig, bands: int, rows_per_band: int
) -> Iterator[SignedRow]:
    """``(idx, sig bytes, doc band keys | None, window keys (m, pbands), name hashes, dates,
    vocabulary terms as uint32 bytes)`` per document, signed in batches as the local engine signs them (``signing.sign_batch``)."""

    def flush(batch: list[tuple[int, str]]) -> Iterator[SignedRow]:
        texts = [t for _, t in batch]
        sigs, wkeys, wdoc, names, dates, _, vocab = sign_batch((texts, cfg))
        dkeys = band_keys(sigs, bands, rows_per_band)
        empty = (sigs == EMPTY).all(axis=1)
        starts = np.searchsorted(wdoc, np.arange(len(batch) + 1))
        for k, (idx, _) in enumerate(batch):
            yield (
                idx,
                sigs[k].tobytes(),
                None if empty[k] else tuple(int(x) for x in dkeys[k]),
                wkeys[starts[k] : starts[k + 1]],
                tuple(int(h) for h in names[k]),
                tuple(int(d) for d in dates[k]),
                vocab[k].tobytes(),
            )

    batch: list[tuple[int, str]] = []
    size = 0
    for idx, (_, _, text) in rows:
        batch.append((idx, text))
        size += len(text)
        if len(batch) >= BATCH_DOCS or size >= BATCH_CHARS:
            yield from flush(batch)
            batch, size = [], 0
    if batch:
        yield from flush(batch)


def bucket_pairs(members: Iterable[int], n: int, max_bucket: int) -> list[int]:
    """One document LSH bucket's pair codes: ``overlap.lsh.candidate_pairs`` of the
    bucket's members (all pairs, or a chain when there are more than ``max_bucket``)."""
    m = np.array(sorted(members), dtype=np.int64)
    if len(m) < 2:
        return []
    pairs = candidate_pairs(np.zeros((len(m), 1), dtype=np.uint64), max_bucket=max_bucket)
    codes: list[int] = (m[pairs[:, 0]] * np.int64(n) + m[pairs[:, 1]]).tolist()
    return codes


def group_codes(members: Iterable[int], n: int, max_group: int, star_above: int | None = None) -> list[int]:
    """One window or name group's pair codes: ``candidates.group_pairs`` of a single key
    (skipped when oversized; a star above ``star_above`` members)."""
    m = np.fromiter(members, dtype=np.int64)
    codes: list[int] = group_pairs(np.zeros(len(m), dtype=np.uint64), m, max_group, n, star_above).tolist()
    return codes


def estimate(row: SigRow) -> tuple[int, float]:
    """``(code, estimated Jaccard)`` from a pair joined to both signatures (``with_sigs``)."""
    j, ((code, sig_a), sig_b) = row
    est = estimate_jaccard(np.frombuffer(sig_a, dtype=np.uint32), np.frombuffer(sig_b, dtype=np.uint32))
    return code, float(est)


def estimate_ok(row: SigRow, cut: float) -> tuple[int, bool]:
    """``(code, whether its estimate reaches cut)``."""
    code, est = estimate(row)
    return code, bool(est >= cut)


def with_sigs(codes: Any, sigs: Any, n: int, partitions: int) -> Any:
    """Pair codes joined to both signatures, rows as ``estimate`` takes them."""
    return (
        codes.map(lambda c: (c // n, c)).join(sigs, partitions)
        .map(lambda kv: (kv[1][0] % n, (kv[1][0], kv[1][1]))).join(sigs, partitions)
    )


def tag_counts(tag: int) -> tuple[int, int, int]:
    """``(document candidate kept, passage candidate, to compare)`` as 0/1 for a candidate's tag bits.

    As the local engine counts: a document candidate below the cut still counts (and is
    compared) when it is also a passage candidate.
    """
    to_compare = int(bool(tag & 5))
    return int(bool(tag & 3)) & to_compare, int(bool(tag & 4)), to_compare


def pair_texts(pairs: Any, texts: Any, n: int, partitions: int) -> Any:
    """``(code, (text_i, text_j))`` for an RDD of pair codes: two joins, texts stay on executors."""
    left = pairs.map(lambda c: (c // n, c)).join(texts, partitions)           # (i, (c, ti))
    right = left.map(lambda kv: (kv[1][0] % n, (kv[1][0], kv[1][1]))).join(texts, partitions)  # (j, ((c, ti), tj))
    return right.map(lambda kv: (kv[1][0][0], (kv[1][0][1], kv[1][1])))


def compare_partition(
    rows: Iterable[tuple[int, tuple[str, str]]], n: int, copts: CompareOptions
) -> Iterator[tuple[int, Comparison]]:
    """Compare a partition's pairs in chunks of ``verify.COMPARE_CHUNK``, sorted, reusing prepared texts."""
    ordered = sorted(rows, key=lambda r: r[0])
    size = verify.COMPARE_CHUNK
    for s in range(0, len(ordered), size):
        chunk = ordered[s : s + size]
        pairs = [divmod(c, n) for c, _ in chunk]
        texts: dict[int, verify.CompareText] = {}
        for (i, j), (_, (ti, tj)) in zip(pairs, chunk):
            texts[i] = ti
            texts[j] = tj
        for (c, _), r in zip(chunk, verify.compare_chunk((pairs, texts, copts))):
            yield c, r


def event_pair(
    row: tuple[int, tuple[tuple[tuple[int, ...], Comparison | None], tuple[str, str]]],
    rare_dates: np.ndarray, min_names: int, k: int,
) -> list[tuple[int, SameEvent, Comparison]]:
    """Stage 5 for one name-sharing pair, as the local driver does it.

    ``hashes`` are the distinctive name hashes the pair shares: the groups that paired
    them are exactly the distinctive ones (2 to ``max_df`` documents), so they stand in
    for the local engine's corpus-wide ``distinctive`` set.
    """
    code, ((hashes, compared), (ti, tj)) = row
    di = np.array(sorted(dates(ti)), dtype=np.int16)
    dj = np.array(sorted(dates(tj)), dtype=np.int16)
    shared = np.intersect1d(np.intersect1d(di, dj), rare_dates)
    if len(shared) == 0:
        return []
    ev = same_event(hashed_phrases(ti), set(hashes), shared, min_names)
    if ev is None:
        return []
    r = compared if compared is not None else Comparison(len(ti), len(tj), exact_similarity(ti, tj, k), False)
    return [(code, ev, r)]


def share_rare_date(di: tuple[int, ...], dj: tuple[int, ...], rare_dates: np.ndarray) -> bool:
    """Whether two documents' day/month dates (from signing) share one in ``rare_dates``."""
    shared = set(di) & set(dj)
    return bool(shared) and bool(np.isin(np.fromiter(shared, dtype=np.int16), rare_dates).any())
