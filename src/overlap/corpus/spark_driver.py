"""The Spark driver: ``overlap scan``'s stages and results, on a cluster.

``scan_spark(source, *, options=None, spark=None, master="local[2]", output=None, fmt="parquet", **keywords) -> ScanResult``
    Scan paths (text directories, .txt, JSONL, Parquet, CSV), a Spark DataFrame with
    id and text (and optionally origin) columns, or ``Document`` records; optionally
    write the ``--jsonl`` records as Parquet or JSONL.

The stages are the local driver's (``overlap.corpus.local``), each a Spark job on RDDs
of plain Python values, calling the same stage functions (``spark_stages``):

1. **Read** on the executors (``spark_input``); ``zipWithIndex`` gives every document
   its input position, which is what makes the result identical.
2. **Sign** with ``mapPartitions`` over ``signing.sign_batch`` in batches of ``BATCH_DOCS``.
3. **Candidates**: ``(band, key) -> doc`` rows grouped by key (document LSH with the
   same ``max_bucket`` chaining; passage windows and name phrases with
   ``candidates.group_pairs``), and the estimated-Jaccard filter (``estimate_margin``)
   on a join of the pairs with their signatures.
4. **Verify**: pairs joined to both texts and compared on the executors
   (``verify.compare_chunk``); texts never travel to the driver.  With more candidates
   than ``max_compares``, ``verify.compare_within_budget`` picks the pairs on the driver
   and each batch is compared on the executors, so the same pairs are verified.
5. **Same event** on the executors, for name-sharing pairs that are not already linked
   and whose documents share a rare date (checked before any text is fetched).
6. **Cluster**: connected components on the executors (``spark_components``); the
   driver files each linked pair under its component and assembles the rest with
   ``assembly.assemble``, from the linked pairs only.

Determinism: documents are numbered by input order and every pair is a code
``i * n + j``; the driver sorts before assembling, so the result depends only on the
input and the options, never on partitioning or the number of executors.  It equals
the local engine's (``to_dict()`` is identical; ``tests/test_spark.py`` checks it).

Memory: the driver holds one ``DocInfo`` per document, the linked pairs and the texts
of linked documents; executors hold signatures (``4 * num_perm`` bytes per document)
and texts.  Cost: see the README section "Running on Spark".
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dedup_inputs import check_keep_fields
from ..errors import ConfigError, InputError
from ..records import Comparison, Document
from ..sources import check_globs
from .assembly import VocabularyLinks, assemble, linked_pairs, scan_counts, vocabulary_codes
from .candidates import STAR_ABOVE
from .events import rare_dates
from .options import ScanOptions, resolve_options
from .records import Cluster, DocInfo, Link, SameEvent, ScanResult, doc_info, duplicate_id_error
from .signing import SignConfig
from .spark_components import star_components
from .spark_input import DOCS_PER_PARTITION, read_dataframe, read_documents, read_paths
from .spark_output import write_records
from .spark_session import spark_session
from .spark_stages import (
    bucket_pairs,
    compare_partition,
    estimate,
    estimate_ok,
    event_pair,
    group_codes,
    pair_texts,
    share_rare_date,
    sign_partition,
    tag_counts,
    with_sigs,
)
from .store import DriverTextStore
from .verify import compare_budget, compare_within_budget, is_linked

__all__ = ["EDGES_PER_PARTITION", "scan_spark"]

EDGES_PER_PARTITION = 200_000
"""Graph edges per partition of the connected-components rounds."""


def _fetcher(docs: Any) -> Any:
    """``fetch(i)``: the text of document ``i`` from the documents RDD (one Spark job)."""

    def fetch(i: int) -> str:
        got = docs.filter(lambda kv: kv[0] == i).map(lambda kv: kv[1][2]).collect()
        if not got:
            raise KeyError(i)
        text: str = got[0]
        return text

    return fetch


def scan_spark(
    source: Any,
    *,
    options: ScanOptions | None = None,
    spark: Any = None,
    master: str | None = "local[2]",
    output: str | os.PathLike[str] | None = None,
    fmt: str = "parquet",
    id_col: str = "id",
    text_col: str = "text",
    origin_col: str | None = None,
    text_field: str = "text",
    id_field: str | None = "id",
    encoding: str = "utf-8",
    input_format: str | None = None,
    on_bad: Any = None,
    partitions: int | None = None,
    diagnostics: dict[str, Any] | None = None,
    keep_fields: Sequence[str] = (),
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    **overrides: Any,
) -> ScanResult:
    """``overlap.scan`` on Spark: the same ``ScanResult`` (``to_dict()`` identical).

    ``source``: a path or list of paths (as ``overlap.sources.iter_documents`` reads
    them; ``text_field``, ``id_field``, ``encoding``, ``input_format`` and ``on_bad``
    mean the same), or a Spark DataFrame with columns ``id_col`` and ``text_col`` (and
    ``origin_col``, each row's ``DocInfo.origin``; without it origins are
    ``dataframe:rowN``), or ``Document`` records as ``overlap.scan`` takes them (sent
    from the driver; ids and origins kept, so ``to_dict()`` equals ``scan``'s on them).
    ``spark``: a SparkSession to use; otherwise one is started with ``master``
    (``spark_session``).  ``output``: also write ``result.records()`` there, as Parquet
    (a directory with one dataset per record type) or JSONL (one file), per ``fmt``.
    ``partitions``: partitions of the shuffles (default: 2 per core, at least one per
    20,000 documents).  Options as ``scan``: a ``ScanOptions`` or its fields as keywords
    (``workers`` is ignored: Spark's executors are the workers).  ``diagnostics``: a dict
    to fill with Spark-only figures (``component_rounds``, ``component_changes`` per
    round, ``story_edges``, ``duplicate_edges``, ``candidates`` to verify, ``budgeted``:
    whether ``max_compares`` cut them).

    ``keep_fields``: record fields (JSONL, CSV, Parquet, DataFrame columns) kept as each
    document's ``DocInfo.fields``, as ``iter_documents``' ``keep_fields``; with the
    option ``date_field`` (one of them), clusters name the member published first.
    ``include``/``exclude``: which files of a directory source are read (globs, as
    ``iter_documents``').

    ``result.text(id)`` works for every scanned document, as the local engine's: texts of
    linked documents are on the driver, any other is fetched by a Spark job (the session
    must still be running).  Cost: see the module docstring and the README.
    """
    o = resolve_options(options, overrides)
    check_globs(include, exclude)
    if fmt not in ("parquet", "jsonl"):
        raise ConfigError(f"fmt must be 'parquet' or 'jsonl': {fmt!r}")
    if spark is None:
        spark = spark_session(master)
    reading = _Reading(id_col, text_col, origin_col, text_field, id_field, encoding, input_format, on_bad,
                       _with_date(check_keep_fields(keep_fields), o.date_field), (include, tuple(exclude)))
    result = _run_stages(source, reading, spark, o, partitions, diagnostics)
    if output is not None:
        write_records(result, output, fmt, spark=spark)
    return result


def _run_stages(
    source: Any, reading: _Reading, spark: Any, o: ScanOptions, partitions: int | None,
    diagnostics: dict[str, Any] | None,
) -> ScanResult:
    """The stages of ``scan_spark`` in order, each timed; every persisted RDD released at the end."""
    sc = spark.sparkContext
    timings: list[tuple[str, float]] = []
    with _Cache() as keep:
        t0 = time.perf_counter()
        docs, infos = _read(source, reading, spark, keep, o.date_field)
        n = len(infos)
        parts = partitions or max(max(2, 2 * sc.defaultParallelism), math.ceil(n / DOCS_PER_PARTITION))
        if docs.getNumPartitions() < parts // 2:
            docs = keep(docs.repartition(parts))
        signed, windows = _sign(docs, o, keep)
        timings.append(("sign", time.perf_counter() - t0))

        t0 = time.perf_counter()
        cand = _candidates(signed, o, n, parts, keep)
        timings.append(("candidates", time.perf_counter() - t0))

        t0 = time.perf_counter()
        texts = docs.mapValues(lambda v: v[2])
        checked = _verify(cand, texts, o, n, parts, keep, diagnostics)
        timings.append(("compare", time.perf_counter() - t0))

        t0 = time.perf_counter()
        events, event_cmp = _same_event(cand, checked.compared, signed, texts, o, n, parts, keep)
        timings.append(("events", time.perf_counter() - t0))

        t0 = time.perf_counter()
        counts = scan_counts(
            passage_windows=windows, doc_candidates=cand.doc_count, passage_candidates=cand.passage_count,
            event_candidates=cand.event_count, compared=checked.count,
        )
        return _assemble(o, infos, docs, signed, checked, events, event_cmp, counts, timings, t0, diagnostics)


class _Cache:
    """The RDDs a scan persists (``keep(rdd)``), all unpersisted when the scan ends."""

    def __init__(self) -> None:
        self.persisted: list[Any] = []

    def __enter__(self) -> Callable[[Any], Any]:
        from pyspark import StorageLevel

        def keep(rdd: Any) -> Any:
            rdd.persist(StorageLevel.MEMORY_AND_DISK)
            self.persisted.append(rdd)
            return rdd

        return keep

    def __exit__(self, *exc: object) -> None:
        for rdd in self.persisted:
            try:
                rdd.unpersist()
            except Exception:  # the session may already be gone
                pass


@dataclass(frozen=True, slots=True)
class _Reading:
    """How ``scan_spark`` reads its source (its keyword arguments of the same names)."""

    id_col: str
    text_col: str
    origin_col: str | None
    text_field: str
    id_field: str | None
    encoding: str
    input_format: str | None
    on_bad: Any
    keep_fields: tuple[str, ...]
    globs: tuple[Sequence[str] | None, Sequence[str]]


@dataclass(frozen=True, slots=True)
class _SparkCandidates:
    """Stage 3's output: RDDs of the pairs to verify and of the name-sharing pairs, and
    the counts ``ScanStats`` reports."""

    to_compare: Any  # RDD of pair codes
    sigs: Any  # RDD of (document, signature bytes)
    events: Any  # RDD of (code, shared distinctive name hashes)
    rare_dates: np.ndarray
    doc_count: int
    passage_count: int
    to_compare_count: int
    event_count: int


@dataclass(frozen=True, slots=True)
class _Verified:
    """Stage 4's output: every comparison (RDD), the linked ones on the driver, and an
    RDD of ``(code, near_duplicate)`` of the linked pairs."""

    compared: Any
    count: int
    linked: dict[int, Comparison]
    flags: Any


def _read(
    source: Any, how: _Reading, spark: Any, keep: Callable[[Any], Any], date_field: str | None = None
) -> tuple[Any, list[DocInfo]]:
    """Stage 1 on the executors: ``(index, (id, origin, text))`` in input order, and each
    document's ``DocInfo`` on the driver.  Bad inputs go to ``on_bad`` or raise the
    first one's ``InputError``; so do an empty input and a repeated id."""
    sc = spark.sparkContext
    slots = max(2, 2 * sc.defaultParallelism)
    if hasattr(source, "rdd") and hasattr(source, "columns"):
        raw = read_dataframe(source, how.id_col, how.text_col, how.origin_col, how.keep_fields)
    else:
        paths = [source] if isinstance(source, (str, os.PathLike)) else list(source)
        if any(isinstance(p, Document) for p in paths):
            raw = read_documents(sc, paths, slots)
        else:
            raw = read_paths(sc, spark, [str(p) for p in paths], text_field=how.text_field, id_field=how.id_field,
                             encoding=how.encoding, fmt=how.input_format, partitions=slots, keep_fields=how.keep_fields,
                             globs=how.globs)
    raw = keep(raw)
    bad = raw.zipWithIndex().filter(lambda it: it[0][0] == "bad").map(lambda it: (it[1], it[0][1]))
    bad_list = bad.sortByKey().collect() if how.on_bad is not None else bad.takeOrdered(1)
    if bad_list and how.on_bad is None:
        raise InputError(bad_list[0][1])
    for _, msg in bad_list:
        how.on_bad(InputError(msg))
    # Not persisted: ``raw`` is, and only ``docs`` (without the kept fields) should hold texts.
    ok = raw.filter(lambda r: r[0] == "ok").zipWithIndex().map(lambda it: (it[1], it[0]))
    docs = keep(ok.mapValues(lambda r: (r[1], r[2], r[3])))            # (idx, (id, origin, text))
    infos_rows = ok.map(lambda kv: (kv[0], kv[1][1], kv[1][2], len(kv[1][3]), kv[1][4])).collect()
    infos_rows.sort(key=lambda row: row[0])
    if not infos_rows:
        raise InputError("no documents to scan")
    infos = [doc_info(d, origin, length, meta, date_field) for _, d, origin, length, meta in infos_rows]
    _check_unique(infos)
    return docs, infos


def _candidates(signed: Any, o: ScanOptions, n: int, parts: int, keep: Callable[[Any], Any]) -> _SparkCandidates:
    """Stage 3 (shuffles: band rows, window rows, name rows): document LSH pairs
    (``lsh.bucket_pairs``), passage-window and name pairs (``candidates.group_pairs``),
    the estimated-Jaccard filter, and the rare dates (``events.rare_dates``)."""
    sc = signed.context
    max_bucket, max_pdocs = o.max_bucket, o.max_passage_docs
    doc_codes = (
        signed.filter(lambda r: r[2] is not None)
        .flatMap(lambda r: [((b, k), r[0]) for b, k in enumerate(r[2])])
        .groupByKey(parts)
        .flatMap(lambda kv: bucket_pairs(kv[1], n, max_bucket))
        .distinct(parts)
    )
    passage_codes = (
        signed.flatMap(lambda r: {((b, int(k)), r[0]) for row in r[3] for b, k in enumerate(row)})
        .groupByKey(parts)
        .flatMap(lambda kv: group_codes(kv[1], n, max_pdocs, STAR_ABOVE))
    )
    max_df = o.name_doc_limit(n)
    min_names = o.min_shared_names
    if o.same_event:
        event_cands = keep(
            signed.flatMap(lambda r: [(h, r[0]) for h in r[4]])
            .groupByKey(parts)
            .flatMap(lambda kv: [(c, kv[0]) for c in group_codes(kv[1], n, max_df)])
            .groupByKey(parts)
            .mapValues(lambda hs: tuple(sorted(hs)))
            .filter(lambda kv: len(kv[1]) >= min_names)
        )
    else:
        event_cands = keep(sc.parallelize([], 1))
    date_counts = dict(signed.flatMap(lambda r: [(d, 1) for d in r[5]]).reduceByKey(lambda a, b: a + b).collect())
    du = np.array(sorted(date_counts), dtype=np.int16)
    rare = rare_dates(du, np.array([date_counts[int(d)] for d in du], dtype=np.int64), max_df)
    # Cheapest filter first, as the local engine: a document candidate below
    # ``estimate_cut`` is dropped unless a passage window also collided.
    cut = o.estimate_cut
    sigs = signed.map(lambda r: (r[0], r[1]))
    judged = with_sigs(doc_codes, sigs, n, parts).map(lambda row: estimate_ok(row, cut))
    # One shuffle tags every candidate: 1 = document candidate at or above the cut,
    # 2 = below it, 4 = passage candidate; one pass counts them all.
    tags = keep(
        judged.mapValues(lambda ok: 1 if ok else 2)
        .union(passage_codes.map(lambda c: (c, 4)))
        .reduceByKey(lambda a, b: a | b, parts)
    )
    n_doc, n_passage, n_to_compare = tags.map(lambda kv: tag_counts(kv[1])).fold(
        (0, 0, 0), lambda x, y: (x[0] + y[0], x[1] + y[1], x[2] + y[2]))
    return _SparkCandidates(
        tags.filter(lambda kv: kv[1] & 5).keys(), sigs, event_cands, rare, n_doc, n_passage, n_to_compare,
        event_cands.count(),
    )


def _verify(
    cand: _SparkCandidates, texts: Any, o: ScanOptions, n: int, parts: int, keep: Callable[[Any], Any],
    diagnostics: dict[str, Any] | None,
) -> _Verified:
    """Stage 4 on the executors, pairs joined to both texts; under ``max_compares``, the
    local engine's budget loop (``_compare_budgeted``)."""
    sc = texts.context
    copts = o.compare_options
    budget = compare_budget(o, cand.to_compare_count)
    if diagnostics is not None:
        diagnostics["budgeted"] = cand.to_compare_count > budget
        diagnostics["candidates"] = int(cand.to_compare_count)
    if cand.to_compare_count <= budget:
        # Every candidate, compared where its texts are.
        compared = keep(pair_texts(cand.to_compare, texts, n, parts).mapPartitions(lambda it: compare_partition(it, n, copts)))
        linked_rdd = compared.filter(lambda kv: is_linked(kv[1]))
        return _Verified(
            compared, compared.count(), dict(linked_rdd.collect()), linked_rdd.map(lambda kv: (kv[0], kv[1].near_duplicate))
        )
    # More candidates than max_compares: the local engine's Kruskal-order budget
    # (``verify.compare_within_budget``), run on the driver over the candidates' codes
    # and estimates (16 bytes each), each batch compared on the executors.
    comparisons = _compare_budgeted(sc, cand.to_compare, cand.sigs, texts, n, budget, o, parts)
    linked = {c: r for c, r in comparisons.items() if is_linked(r)}
    return _Verified(
        keep(sc.parallelize(sorted(comparisons.items()), parts)), len(comparisons), linked,
        sc.parallelize(sorted((c, r.near_duplicate) for c, r in linked.items()), parts),
    )


def _same_event(
    cand: _SparkCandidates, compared: Any, signed: Any, texts: Any, o: ScanOptions, n: int, parts: int,
    keep: Callable[[Any], Any],
) -> tuple[dict[int, SameEvent], dict[int, Comparison]]:
    """Stage 5 on the executors, for name-sharing pairs not already linked: their
    evidence and comparison (the verified one, or an exact similarity) by code."""
    events: dict[int, SameEvent] = {}
    event_cmp: dict[int, Comparison] = {}
    if not cand.event_count:
        return events, event_cmp
    rd, k, min_names = cand.rare_dates, o.shingle_size, o.min_shared_names
    open_pairs = (
        cand.events.leftOuterJoin(compared, parts)
        .filter(lambda kv: kv[1][1] is None or not is_linked(kv[1][1]))
    )
    # Cheapest filter first, as the local engine: only pairs whose documents share a
    # rare date (dates from signing, a few bytes each) have their texts fetched.
    bdates = signed.context.broadcast(rd)
    dates = signed.map(lambda r: (r[0], r[5]))
    open_pairs = keep(
        open_pairs.map(lambda kv: (kv[0] // n, kv)).join(dates, parts)
        .map(lambda x: (x[1][0][0] % n, (x[1][0], x[1][1]))).join(dates, parts)
        .filter(lambda x: share_rare_date(x[1][0][1], x[1][1], bdates.value))
        .map(lambda x: x[1][0][0])
    )
    with_texts = pair_texts(open_pairs.keys(), texts, n, parts).join(open_pairs, parts)  # (c, ((ti,tj), (h, r)))
    for c, ev, r in with_texts.flatMap(lambda kv: event_pair((kv[0], (kv[1][1], kv[1][0])), rd, min_names, k)).collect():
        events[c] = ev
        event_cmp[c] = r
    return events, event_cmp


def _sign(docs: Any, o: ScanOptions, keep: Callable[[Any], Any]) -> tuple[Any, int]:
    """Stage 2 on the executors, with the local kernel (``spark_stages.sign_partition``):
    the signed rows, and how many passage windows they hold."""
    bands, rows = o.document_bands
    cfg = SignConfig.from_options(o)
    signed = keep(docs.mapPartitions(lambda it: sign_partition(it, cfg, bands, rows)))
    return signed, int(signed.map(lambda r: len(r[3])).sum())


def _assemble(
    o: ScanOptions, infos: list[DocInfo], docs: Any, signed: Any, checked: _Verified, events: dict[int, SameEvent],
    event_cmp: dict[int, Comparison], counts: dict[str, int], timings: list[tuple[str, float]], t0: float,
    diagnostics: dict[str, Any] | None,
) -> ScanResult:
    """Stages 6-8 on the driver, with the local engine's code (``assembly``).

    Rare-vocabulary terms (about 1 KB per document) come to the driver, which links
    documents by them as the local engine does; the texts of every linked document come
    too (a story's headline may be a document linked only by vocabulary).
    """
    n = len(infos)
    found = linked_pairs(checked.linked, events, event_cmp.__getitem__)
    vocab_rows = sorted(signed.map(lambda r: (r[0], r[6])).collect())
    vlinks = vocabulary_codes([np.frombuffer(b, dtype=np.uint32) for _, b in vocab_rows], n)
    del vocab_rows
    need = {x for c, _ in found for x in divmod(c, n)} | set(vlinks.documents(n).tolist())
    store = _driver_store(docs, infos, need)
    edge_flags = checked.flags.union(signed.context.parallelize(sorted((c, False) for c in events), 1))
    return _assemble_components(o, infos, store, found, events, counts, timings, t0, edge_flags, diagnostics, vlinks)


def _driver_store(docs: Any, infos: list[DocInfo], need: set[int]) -> DriverTextStore:
    """The texts of documents ``need`` on the driver; any other is fetched when asked for."""
    bneed = docs.context.broadcast(need)
    linked_texts = dict(docs.filter(lambda kv: kv[0] in bneed.value).map(lambda kv: (kv[0], kv[1][2])).collect())
    return DriverTextStore([d.id for d in infos], linked_texts, _fetcher(docs))


def _compare_budgeted(
    sc: Any, to_compare: Any, sigs: Any, texts: Any, n: int, budget: int, o: ScanOptions, partitions: int,
) -> dict[int, Comparison]:
    """Stage 4 under ``max_compares``: the local engine's own budget loop, batches compared on the executors.

    The candidates' codes and estimated Jaccards come to the driver (16 bytes per
    candidate), where ``verify.compare_within_budget`` picks each batch in
    Kruskal order; a batch's texts are selected on the executors (a filter of the
    cached texts by a broadcast set of at most ``2 x batch`` indices) and joined to
    its pairs there.  Same picks, same comparisons, same estimate-linked pairs as
    the local engine.  Cost: one Spark job per batch (``max(1024, budget / 20)`` pairs).
    """
    rows = with_sigs(to_compare, sigs, n, partitions).map(estimate).collect()
    rows.sort()
    codes = np.array([c for c, _ in rows], dtype=np.int64)
    est = np.array([e for _, e in rows], dtype=np.float64)
    del rows
    copts = o.compare_options
    comparisons: dict[int, Comparison] = {}
    slices = max(1, sc.defaultParallelism)

    def run(batch: list[int]) -> None:
        if not batch:
            return
        need = sc.broadcast({x for c in batch for x in divmod(c, n)})
        sub = texts.filter(lambda kv: kv[0] in need.value)
        got = pair_texts(sc.parallelize(batch, slices), sub, n, slices).mapPartitions(
            lambda it: compare_partition(it, n, copts)).collect()
        comparisons.update(got)
        need.unpersist()

    compare_within_budget(codes, est, n, budget, run, comparisons, o)
    return comparisons


def _assemble_components(
    o: ScanOptions, infos: list[DocInfo], store: DriverTextStore, found: list[tuple[int, Comparison]],
    events: dict[int, SameEvent], counts: dict[str, int], timings: list[tuple[str, float]], t0: float,
    edge_flags: Any, diagnostics: dict[str, Any] | None, vlinks: VocabularyLinks | None = None,
) -> ScanResult:
    """Stages 6-8: ``assembly.assemble`` with cluster membership from ``star_components``.

    ``edge_flags``: an RDD of ``(code, near_duplicate)`` for every linked pair.  The
    driver finds boilerplate-only pairs (``overlap.reuse``: they are listed but do
    not join stories) and broadcasts them; the executors turn each pair into a story
    edge and, if near-duplicate, a near-duplicate edge, and run connected components
    on both graphs at once (node ``2 * doc + graph``, so a component's smallest node is
    its smallest document).  The driver gets ``(document, component)`` back and files
    each pair's link as evidence under its component, in code order: the same clusters,
    member order and evidence as ``assembly.clusters``' union-find, by construction (members
    ascending, clusters by smallest member, then stably by size).  The rest (pairs,
    reused passages, name variants) is the local engine's code.
    """
    n = len(infos)
    ids = [d.id for d in infos]

    def cluster_fn(pair_by_code: dict[int, Any], boiler_codes: set[int]) -> tuple[tuple[Cluster, ...], tuple[Cluster, ...]]:
        # Connected components on the executors.
        t1 = time.perf_counter()
        sc = edge_flags.context
        bboiler = sc.broadcast(frozenset(boiler_codes))
        bevents = sc.broadcast(frozenset(events))

        def edges(kv: tuple[int, bool]) -> list[tuple[int, int]]:
            c, near = kv
            i, j = divmod(c, n)
            out = []
            # Not a story link only when its one reason is boilerplate (PairResult.link).
            if near or c in bevents.value or c not in bboiler.value:
                out.append((2 * i, 2 * j))
            if near:
                out.append((2 * i + 1, 2 * j + 1))
            return out

        parts = max(1, min(2 * sc.defaultParallelism, math.ceil(2 * len(found) / EDGES_PER_PARTITION)))
        stars, changes = star_components(edge_flags.flatMap(edges), parts)
        labels = stars.collect()
        stars.unpersist()
        bboiler.unpersist()
        bevents.unpersist()
        timings.append(("components", time.perf_counter() - t1))

        comp: tuple[dict[int, int], dict[int, int]] = ({}, {})
        for node, root in labels:
            comp[node & 1][node >> 1] = comp[node & 1][root >> 1] = root >> 1

        def clusters(kind: str, where: dict[int, int], keep: Any) -> tuple[Cluster, ...]:
            members: dict[int, list[int]] = {}
            for d in sorted(where):
                members.setdefault(where[d], []).append(d)
            evidence: dict[int, list[Link]] = {root: [] for root in members}
            for c, p in pair_by_code.items():
                if keep(p):
                    i, j = divmod(c, n)
                    if where.get(i) != where.get(j) or i not in where:
                        raise RuntimeError(f"internal error: pair ({i}, {j}) split across components")
                    evidence[where[i]].append(Link(p.a, p.b, "near_duplicate" if kind == "near_duplicate" else p.link, p))
            out = [Cluster(kind, tuple(ids[m] for m in members[root]), tuple(evidence[root])) for root in sorted(members)]
            out.sort(key=lambda cl: -len(cl.members))  # stable: ties keep first-member order
            return tuple(out)

        if diagnostics is not None:
            pairs = pair_by_code.values()
            diagnostics.update({
                "component_rounds": len(changes),
                "component_changes": changes,
                "story_edges": sum(1 for p in pairs if p.link != "boilerplate"),
                "duplicate_edges": sum(1 for p in pairs if p.near_duplicate),
            })
        return (
            clusters("near_duplicate", comp[1], lambda p: p.near_duplicate),
            clusters("story", comp[0], lambda p: p.link != "boilerplate"),
        )

    return assemble(o, infos, store, found, events, counts, timings, t0, cluster_fn=cluster_fn, vlinks=vlinks)


def _with_date(keep: tuple[str, ...], date_field: str | None) -> tuple[str, ...]:
    """The fields to read: ``keep``, and the date field when it is not among them."""
    return keep if date_field is None or date_field in keep else (*keep, date_field)


def _check_unique(infos: list[DocInfo]) -> None:
    """The local engine's duplicate-id error, for the first repeated id in input order."""
    first: dict[str, int] = {}
    for i, d in enumerate(infos):
        j = first.setdefault(d.id, i)
        if j != i:
            raise duplicate_id_error(d.id, d.origin, infos[j].origin)
