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
from typing import Any

import numpy as np

from .._arrays import isin_sorted, unique
from ..cluster import UnionFind
from ..errors import ConfigError, InputError
from ..records import Comparison, Document, Similarity
from . import verify
from .assembly import assemble
from .candidates import band_codes, doc_candidates, estimates
from .events import event_candidates, spell_events
from .options import ProgressFn, ScanOptions, resolve_options
from .records import DocInfo, ScanResult, duplicate_id_error
from .signing import BATCH_CHARS, BATCH_DOCS, SignConfig, sign_and_pack
from .store import ZstdTextStore, utf8
from .verify import compare_within_budget, similarity_chunk

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


def _batches(documents: Iterable[Document], store: ZstdTextStore, infos: list[DocInfo]) -> Iterator[list[str]]:
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
        infos.append(DocInfo(doc.id, doc.origin, len(doc.text)))
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


SIMILARITY_CHUNK = 512


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
    workers = o.workers or os.cpu_count() or 1
    report = progress or (lambda stage, done, total: None)
    timings: list[tuple[str, float]] = []
    cfg = SignConfig.from_options(o)
    store = ZstdTextStore()
    infos: list[DocInfo] = []
    pool = _Pool(workers)
    try:
        # ---- 1-2: read and sign, streaming
        t0 = time.perf_counter()
        sig_parts: list[np.ndarray] = []
        key_parts: list[np.ndarray] = []
        win_parts: list[np.ndarray] = []
        name_h: list[np.ndarray] = []  # per document: its name phrases' hashes, sorted
        sent_spans: list[np.ndarray | None] = []  # per document: its sentence spans (for compare)
        dates: list[np.ndarray] = []
        vocab: list[np.ndarray] = []  # per document: its rare-vocabulary terms
        done = 0
        jobs = (([utf8(t) for t in batch], cfg) for batch in _batches(documents, store, infos))
        for (sigs, keys, wdoc, names, ds, ss, vt), blobs in pool.imap(sign_and_pack, jobs):
            store.extend(blobs)
            sent_spans.extend(ss)
            vocab.extend(vt)
            sig_parts.append(sigs)
            key_parts.append(keys)
            win_parts.append(wdoc + done)
            name_h.extend(names)
            dates.extend(ds)
            done += len(sigs)
            report("sign", done, None)
        n = done
        if n == 0:
            raise InputError("no documents to scan")
        sigs = np.concatenate(sig_parts)
        del sig_parts
        wdoc = np.concatenate(win_parts) if win_parts else np.zeros(0, dtype=np.int32)
        del win_parts
        timings.append(("sign", time.perf_counter() - t0))

        # ---- 3: candidates
        t0 = time.perf_counter()
        # One band at a time: threads over the bands were a little faster but held much
        # more memory (freed arrays stay in each thread's malloc arena).
        doc_codes = doc_candidates(sigs, o, n)
        pcodes = [band_codes(key_parts, wdoc, o.max_passage_docs, n, b) for b in range(cfg.pbands)]
        del key_parts
        passage_codes = unique(np.concatenate(pcodes)) if pcodes else np.zeros(0, dtype=np.int64)
        del pcodes
        # Same-event candidates in a thread, from here until verification is done (not
        # beside the band loop: both at once raised the memory peak).
        side = ThreadPoolExecutor(max_workers=1)
        event_job = side.submit(event_candidates, o, n, name_h, dates)
        side.shutdown(wait=False)
        # Cheapest filter first: a document candidate whose estimated Jaccard is more
        # than 3 standard errors below the threshold is dropped unless a passage window
        # also collided; the estimate is exact in expectation, so this loses little.
        if len(doc_codes):
            est = estimates(sigs, doc_codes, n)
            doc_codes = doc_codes[(est >= o.near_duplicate - o.estimate_margin) | isin_sorted(doc_codes, passage_codes)]
        to_compare = unique(np.concatenate((doc_codes, passage_codes)))
        est_all = estimates(sigs, to_compare, n)
        del sigs
        timings.append(("candidates", time.perf_counter() - t0))

        # ---- 4: verify with compare
        t0 = time.perf_counter()
        copts = o.compare_options
        comparisons: dict[int, Comparison] = {}

        def run(codes: list[int]) -> None:
            size = verify.COMPARE_CHUNK
            chunks = [codes[i : i + size] for i in range(0, len(codes), size)]

            def jobs() -> Iterator[tuple[list[tuple[int, int]], dict[int, verify.CompareText], Any]]:
                for chunk in chunks:
                    pairs = [divmod(c, n) for c in chunk]
                    need = sorted({x for p in pairs for x in p})
                    yield pairs, {i: (store.blob(i), sent_spans[i]) for i in need}, copts

            for chunk, results in zip(chunks, pool.imap(verify.compare_chunk, jobs())):
                for c, r in zip(chunk, results):
                    comparisons[c] = r
                report("compare", len(comparisons), min(len(to_compare), budget))

        budget = len(to_compare) if o.max_compares is None else o.max_compares
        if len(to_compare) <= budget:
            run(sorted(to_compare.tolist()))
        else:
            compare_within_budget(to_compare, est_all, n, budget, run, comparisons, o)
        timings.append(("compare", time.perf_counter() - t0))
        sent_spans.clear()  # only verification reads them
        # ---- 5: same event: exact similarities start in the workers while the main
        # process spells the evidence
        t0 = time.perf_counter()
        ev = event_job.result()
        linked_codes = {c for c, r in comparisons.items() if r.near_duplicate or r.passages}
        ev_codes = ev.codes
        if linked_codes and len(ev_codes):
            ev_codes = ev_codes[~isin_sorted(ev_codes, unique(np.fromiter(linked_codes, dtype=np.int64, count=len(linked_codes))))]
        ev_codes_list = ev_codes.tolist()
        collect = _event_similarities([c for c in ev_codes_list if c not in comparisons], n, store, o.shingle_size, pool)
        events = spell_events(ev_codes_list, n, store, name_h, dates, ev, o.min_shared_names)
        del name_h
        timings.append(("events", time.perf_counter() - t0))

        # ---- 6: reused passages (boilerplate needs them), pairs and clusters
        t0 = time.perf_counter()
        sims = collect()
        found: list[tuple[int, Comparison]] = []
        for c in sorted(linked_codes | set(events)):
            r = comparisons.get(c)
            if r is None:
                i, j = divmod(c, n)
                r = Comparison(infos[i].length, infos[j].length, sims[c], False)
            found.append((c, r))
    finally:
        pool.close()

    counts = {
        "passage_windows": int(len(wdoc)),
        "doc_candidates": int(len(doc_codes)),
        "passage_candidates": int(len(passage_codes)),
        "event_candidates": ev.shared_names,
        "compared": len(comparisons),
    }
    return assemble(o, infos, store, found, events, counts, timings, t0, vocab=vocab)
