"""The local driver: ``scan`` runs every corpus stage on this machine, in worker processes.

``scan(documents, *, options=None, progress=None, **overrides) -> ScanResult``
    Near-duplicates, shared passages, stories and name variants of a collection.

Stages (``overlap.corpus`` explains each; this function is the one place that knows
their order on this engine):

1. **Read** the documents once; their texts go to a ``ZstdTextStore``.
2. **Sign** batches in the workers (``signing``).
3. **Candidates** from signature bands, passage windows and event features (``candidates``, ``events``).
4. **Verify** candidates with ``compare``, within ``max_compares`` (``verify``).
5. **Same event** evidence for name-and-date pairs not already linked (``events``).
6-8. **Assemble** pairs, clusters, reused passages and name variants (``assembly``).

Determinism: the result depends only on the documents (and their order) and the
options, never on ``workers`` or timing.  Cost: linear in the corpus for stages 1-3,
plus one ``compare`` per verified pair (at most ``max_compares``); memory per document
is its compressed text, its signature, its window keys and event features.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._arrays import isin_sorted, unique
from ..allocator import release_free_memory
from ..cluster import UnionFind
from ..errors import ConfigError, InputError
from ..records import Comparison, Document, Similarity
from . import verify
from .assembly import assemble, linked_pairs, scan_counts, vocabulary_codes
from .candidates import band_codes, doc_candidates, estimates
from .events import EventCandidates, event_candidates, spell_events
from .options import ProgressFn, ScanOptions, resolve_options
from .records import DocInfo, SameEvent, ScanResult, doc_info, duplicate_id_error
from .signing import BATCH_CHARS, BATCH_DOCS, SignConfig, sign_and_pack
from .store import ZstdTextStore, utf8
from .verify import compare_budget, compare_within_budget, is_linked, similarity_chunk

__all__ = ["scan"]

SIMILARITY_CHUNK = 512
"""Same-event pairs per worker job of exact similarity."""


class _Pool:
    """A process pool when ``workers > 1``, else in-process ``map``; results in input order."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._ex = None
        if workers > 1:
            self._ex = ProcessPoolExecutor(max_workers=workers)

    def imap(self, fn: Callable[[Any], Any], jobs: Iterable[Any]) -> Iterator[Any]:
        """Results of ``fn`` over ``jobs`` in order, with at most ``2 * workers`` jobs in flight."""
        if self._ex is None:
            for j in jobs:
                yield fn(j)
            return
        from collections import deque

        pending: deque[Any] = deque()
        for j in jobs:
            pending.append(self._ex.submit(fn, j))
            if len(pending) >= 2 * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def start(self, fn: Callable[[Any], Any], jobs: list[Any]) -> Iterator[Any]:
        """Submit every job now (the workers start while the caller goes on); iterate the
        result for ``fn``'s results in order.  In-process, the jobs run when iterated."""
        if self._ex is None:
            return (fn(j) for j in jobs)
        futures = [self._ex.submit(fn, j) for j in jobs]
        return (f.result() for f in futures)

    def close(self) -> None:
        if self._ex is not None:
            self._ex.shutdown(cancel_futures=True)


def _batches(
    documents: Iterable[Document], store: ZstdTextStore, infos: list[DocInfo], date_field: str | None = None
) -> Iterator[list[str]]:
    """Stream documents in batches of texts, registering their ids; reject duplicate ids.

    The texts reach the store compressed by the signing workers (``sign_and_pack``)."""
    batch: list[str] = []
    size = 0
    for doc in documents:
        if not isinstance(doc, Document):
            raise ConfigError(f"scan() takes Document records, got {type(doc).__name__}")
        if doc.id in store:
            raise duplicate_id_error(doc.id, doc.origin, infos[store.index(doc.id)].origin)
        store.register(doc.id)
        infos.append(doc_info(doc.id, doc.origin, len(doc.text), doc.metadata, date_field))
        batch.append(doc.text)
        size += len(doc.text)
        if len(batch) >= BATCH_DOCS or size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _event_similarities(
    codes: list[int], n: int, store: ZstdTextStore, k: int, pool: _Pool
) -> Callable[[], dict[int, Similarity]]:
    """Start computing the exact similarity of the pairs ``codes`` in the workers; the
    returned function waits for them.  Chunks hold pairs that share documents.

    Pairs go in order of their connected component (copies of one story share names and
    dates with each other), so a chunk holds a few whole components and most texts are
    shingled once, not once per pair.  The work starts at once, so the caller can spell
    the same-event evidence meanwhile.
    """
    if not codes:
        return dict
    uf = UnionFind(n)
    for c in codes:
        uf.union(*divmod(c, n))
    ordered = sorted(codes, key=lambda c: (uf.find(c // n), c))
    chunks = [ordered[i : i + SIMILARITY_CHUNK] for i in range(0, len(ordered), SIMILARITY_CHUNK)]
    jobs = []
    for chunk in chunks:
        pairs = [divmod(c, n) for c in chunk]
        jobs.append((pairs, {i: store.blob(i) for i in sorted({x for p in pairs for x in p})}, k))
    results = pool.start(similarity_chunk, jobs)

    def collect() -> dict[int, Similarity]:
        out: dict[int, Similarity] = {}
        for chunk, sims in zip(chunks, results):
            out.update(zip(chunk, sims))
        return out

    return collect


@dataclass(slots=True)
class _Features:
    """What signing found, per document (lists) or for all documents (arrays).

    Mutable on purpose: each stage drops what no later stage reads (``sigs`` after the
    estimates, ``key_parts`` after the window bands, ``sent_spans`` after verification),
    which keeps the memory peak of a large scan down.
    """

    n: int
    sigs: np.ndarray | None
    key_parts: list[np.ndarray]  # per batch: its window band keys (m, pbands)
    wdoc: np.ndarray  # per window: its document
    name_h: list[np.ndarray]  # per document: its name phrases' hashes, sorted
    sent_spans: list[np.ndarray | None]  # per document: its sentence spans (for compare)
    dates: list[np.ndarray]
    vocab: list[np.ndarray]  # per document: its rare-vocabulary terms


@dataclass(frozen=True, slots=True)
class _Candidates:
    """Stage 3's output: the pairs to verify, with their estimated Jaccard."""

    doc_codes: np.ndarray  # document candidates kept by the estimate filter
    passage_codes: np.ndarray
    to_compare: np.ndarray  # ascending
    est: np.ndarray  # estimated Jaccard of each of ``to_compare``


def scan(
    documents: Iterable[Document],
    *,
    options: ScanOptions | None = None,
    progress: ProgressFn | None = None,
    **overrides: Any,
) -> ScanResult:
    """Find near-duplicates, shared passages, stories and name variants in ``documents``.

    ``documents`` is any iterable of ``Document`` (``overlap.sources.iter_documents``
    streams them from files); it is read once.  Ids must be unique (``InputError``
    otherwise).  Options are a ``ScanOptions`` or its fields as keywords.  ``progress``,
    if given, is called as ``progress(stage, done, total)``.  Cost: see the module
    docstring.

    >>> from overlap import Document
    >>> r = scan([Document("a", "Một hai ba bốn năm sáu bảy tám chín mười."),
    ...           Document("b", "Một hai ba bốn năm sáu bảy tám chín mười!")], workers=1)
    >>> [c.members for c in r.near_duplicate_clusters]
    [('a', 'b')]
    """
    o = resolve_options(options, overrides)
    report = progress or (lambda stage, done, total: None)
    timings: list[tuple[str, float]] = []
    store = ZstdTextStore()
    infos: list[DocInfo] = []
    pool = _Pool(o.workers or os.cpu_count() or 1)
    try:
        t0 = time.perf_counter()
        f = _sign(documents, SignConfig.from_options(o), store, infos, pool, report, o.date_field)
        timings.append(("sign", time.perf_counter() - t0))
        release_free_memory()  # the batches' texts and the workers' replies
        found, events, counts = _link(f, o, store, infos, pool, report, timings)
    finally:
        pool.close()

    # Drop each document's features once the links are made, before assembly's peak.
    t0 = time.perf_counter()
    f.name_h.clear()
    f.wdoc = f.wdoc[:0].copy()  # a copy: a view would keep the array
    vlinks = vocabulary_codes(f.vocab, f.n)
    f.vocab.clear()
    f.dates.clear()
    release_free_memory()
    return assemble(o, infos, store, found, events, counts, timings, t0, vlinks=vlinks)


def _link(
    f: _Features, o: ScanOptions, store: ZstdTextStore, infos: list[DocInfo], pool: _Pool, report: ProgressFn,
    timings: list[tuple[str, float]],
) -> tuple[list[tuple[int, Comparison]], dict[int, SameEvent], dict[str, int]]:
    """Stages 3-5: candidates, verification, same-event evidence.  Returns the linked
    pairs (``assembly.linked_pairs``), the same-event evidence by code and the counts of
    ``ScanStats``; what only these stages read (the candidates, the unlinked comparisons,
    the event similarities) is freed on return, before assembly."""
    t0 = time.perf_counter()
    n = f.n
    doc_codes = doc_candidates(_sigs(f), o, n)
    passage_codes = _window_candidates(f, o)
    # Same-event candidates in a thread, from here until verification is done (not
    # beside the band loop: both at once raised the memory peak).
    side = ThreadPoolExecutor(max_workers=1)
    event_job = side.submit(event_candidates, o, n, f.name_h, f.dates)
    side.shutdown(wait=False)
    cand = _estimate_filter(f, doc_codes, passage_codes, o)
    timings.append(("candidates", time.perf_counter() - t0))

    t0 = time.perf_counter()
    comparisons = _verify(cand, f, store, o, pool, report)
    timings.append(("compare", time.perf_counter() - t0))
    f.sent_spans.clear()  # only verification reads them

    t0 = time.perf_counter()
    ev = event_job.result()
    events, collect = _same_event(ev, comparisons, f, store, o, pool)
    sims = collect()
    timings.append(("events", time.perf_counter() - t0))

    def event_comparison(c: int) -> Comparison:
        r = comparisons.get(c)
        if r is not None:
            return r
        i, j = divmod(c, n)
        return Comparison(infos[i].length, infos[j].length, sims[c], False)

    found = linked_pairs({c: r for c, r in comparisons.items() if is_linked(r)}, events, event_comparison)
    counts = scan_counts(
        passage_windows=len(f.wdoc), doc_candidates=len(cand.doc_codes), passage_candidates=len(cand.passage_codes),
        event_candidates=ev.shared_names, compared=len(comparisons),
    )
    return found, events, counts


def _sign(
    documents: Iterable[Document], cfg: SignConfig, store: ZstdTextStore, infos: list[DocInfo], pool: _Pool,
    report: ProgressFn, date_field: str | None = None,
) -> _Features:
    """Stages 1-2: read the documents once and sign them in the workers, streaming; the
    compressed texts go to ``store``.  ``InputError`` when there is no document."""
    sig_parts: list[np.ndarray] = []
    win_parts: list[np.ndarray] = []
    f = _Features(0, None, [], np.zeros(0, dtype=np.int32), [], [], [], [])
    jobs = (([utf8(t) for t in batch], cfg) for batch in _batches(documents, store, infos, date_field))
    for (sigs, keys, wdoc, names, ds, ss, vt), blobs in pool.imap(sign_and_pack, jobs):
        store.extend(blobs)
        f.sent_spans.extend(ss)
        f.vocab.extend(vt)
        sig_parts.append(sigs)
        f.key_parts.append(keys)
        win_parts.append(wdoc + f.n)
        f.name_h.extend(names)
        f.dates.extend(ds)
        f.n += len(sigs)
        report("sign", f.n, None)
    if f.n == 0:
        raise InputError("no documents to scan")
    f.sigs = np.concatenate(sig_parts)
    del sig_parts
    if win_parts:
        f.wdoc = np.concatenate(win_parts)
    return f


def _sigs(f: _Features) -> np.ndarray:
    if f.sigs is None:
        raise RuntimeError("internal error: signatures used after they were dropped")
    return f.sigs


def _window_candidates(f: _Features, o: ScanOptions) -> np.ndarray:
    """Pairs sharing a passage window in some band, one band at a time (threads over the
    bands were a little faster but held much more memory: freed arrays stay in each
    thread's malloc arena).  Drops the window keys."""
    pcodes = [band_codes(f.key_parts, f.wdoc, o.max_passage_docs, f.n, b) for b in range(o.passage_bands[0])]
    f.key_parts.clear()
    return unique(np.concatenate(pcodes)) if pcodes else np.zeros(0, dtype=np.int64)


def _estimate_filter(f: _Features, doc_codes: np.ndarray, passage_codes: np.ndarray, o: ScanOptions) -> _Candidates:
    """The pairs to verify, with their estimates; drops the signatures.

    Cheapest filter first: a document candidate whose estimated Jaccard is below
    ``estimate_cut`` (3 standard errors under the threshold) is dropped unless a passage
    window also collided; the estimate is exact in expectation, so this loses little.
    """
    sigs, n = _sigs(f), f.n
    if len(doc_codes):
        est = estimates(sigs, doc_codes, n)
        doc_codes = doc_codes[(est >= o.estimate_cut) | isin_sorted(doc_codes, passage_codes)]
    to_compare = unique(np.concatenate((doc_codes, passage_codes)))
    est_all = estimates(sigs, to_compare, n)
    f.sigs = None
    return _Candidates(doc_codes, passage_codes, to_compare, est_all)


def _verify(
    cand: _Candidates, f: _Features, store: ZstdTextStore, o: ScanOptions, pool: _Pool, report: ProgressFn
) -> dict[int, Comparison]:
    """Stage 4: compare the candidates in the workers, within ``max_compares``
    (``verify.compare_within_budget`` picks them when there are more)."""
    n, copts = f.n, o.compare_options
    comparisons: dict[int, Comparison] = {}
    budget = compare_budget(o, len(cand.to_compare))

    def run(codes: list[int]) -> None:
        size = verify.COMPARE_CHUNK
        chunks = [codes[i : i + size] for i in range(0, len(codes), size)]

        def jobs() -> Iterator[tuple[list[tuple[int, int]], dict[int, verify.CompareText], Any]]:
            for chunk in chunks:
                pairs = [divmod(c, n) for c in chunk]
                need = sorted({x for p in pairs for x in p})
                yield pairs, {i: (store.blob(i), f.sent_spans[i]) for i in need}, copts

        for chunk, results in zip(chunks, pool.imap(verify.compare_chunk, jobs())):
            for c, r in zip(chunk, results):
                comparisons[c] = r
            report("compare", len(comparisons), min(len(cand.to_compare), budget))

    if len(cand.to_compare) <= budget:
        run(sorted(cand.to_compare.tolist()))
    else:
        compare_within_budget(cand.to_compare, cand.est, n, budget, run, comparisons, o)
    return comparisons


def _same_event(
    ev: EventCandidates, comparisons: dict[int, Comparison], f: _Features, store: ZstdTextStore, o: ScanOptions,
    pool: _Pool,
) -> tuple[dict[int, SameEvent], Callable[[], dict[int, Similarity]]]:
    """Stage 5: same-event evidence of the event candidates not already linked, and a
    function that waits for their exact similarities (started in the workers first, so
    they run while this process spells the evidence).  Drops the name hashes."""
    n = f.n
    linked_codes = {c for c, r in comparisons.items() if is_linked(r)}
    ev_codes = ev.codes
    if linked_codes and len(ev_codes):
        linked = unique(np.fromiter(linked_codes, dtype=np.int64, count=len(linked_codes)))
        ev_codes = ev_codes[~isin_sorted(ev_codes, linked)]
    ev_codes_list = ev_codes.tolist()
    collect = _event_similarities([c for c in ev_codes_list if c not in comparisons], n, store, o.shingle_size, pool)
    events = spell_events(ev_codes_list, n, store, f.name_h, f.dates, ev, o.min_shared_names)
    f.name_h.clear()
    return events, collect
