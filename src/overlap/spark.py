"""Run ``overlap scan`` on Apache Spark: the same stages and the same results, on a cluster.

``scan_spark(source, *, options=None, spark=None, master="local[2]", output=None, fmt="parquet", **keywords) -> ScanResult``
    Scan paths (text directories, .txt, JSONL, Parquet, CSV) or a Spark DataFrame with
    id and text columns; optionally write the ``--jsonl`` records as Parquet or JSONL.
``spark_session(master="local[2]", *, config=None) -> SparkSession``
    A quiet session (no UI, log level ERROR) with the settings ``scan_spark`` expects.
``write_records(result, output, fmt="parquet", *, spark=None) -> None``
    ``result.records()`` as one JSONL file, or as Parquet: one dataset per record type.
``check_requirements() -> None``
    ``ConfigError`` with a one-line install hint when PySpark or Java 17+ is missing.

The stages are those of ``overlap.scan`` (its module docstring explains them), each a
Spark job on RDDs of plain Python values:

1. **Read** on the executors: JSONL lines (``textFile``, decoded and validated line by
   line with the local reader's rules and ``file:line`` ids), Parquet rows
   (``file:rowN``), or ``.txt`` files listed on the driver and read where they land.
   CSV and stdin are read on the driver (no splittable form).  ``zipWithIndex`` gives
   every document its input position, which is what makes the result identical.
2. **Sign** with ``mapPartitions`` calling the local engine's ``_sign_batch`` (the same
   vectorised MinHash kernel) on batches of 256 documents.
3. **Candidates**: ``(band, key) -> doc`` rows grouped by key (document LSH with the
   same ``max_bucket`` chaining; passage windows with the same ``max_passage_docs``
   boilerplate cut; distinctive name phrases), candidate pairs de-duplicated, and the
   estimated-Jaccard filter on a join of the pairs with their signatures.
4. **Verify**: pairs joined to both texts and compared on the executors, in chunks that
   reuse prepared texts, as the local engine does.  Texts never travel to the driver.
   With more candidates than ``max_compares``, the local engine's budget loop picks
   the pairs (Kruskal order, on the driver from codes and estimates) and each batch is
   compared on the executors, so the same pairs are verified.
5. **Same event** on the executors, for name-sharing pairs that are not already linked
   and whose documents share a rare date (checked before any text is fetched).
6. **Cluster**: connected components on the executors (``_star_components``:
   alternating large-star/small-star until no edge changes), over the story links and
   the near-duplicate links at once.  The driver gets ``(document, component)`` back,
   files each linked pair under its component as evidence, and assembles the rest
   (pair records, reused passages, name variants) with the local engine's code, from
   the linked pairs only.

Determinism: documents are numbered by input order and every pair is a code
``i * n + j``; the driver sorts before assembling, so the result depends only on the
input and the options, never on partitioning or the number of executors.  It equals
``overlap.scan``'s (``to_dict()`` is identical; ``tests/test_spark.py`` checks it).

Memory: the driver holds one ``DocInfo`` per document (about 150 bytes), the linked
pairs and the texts of linked documents; executors hold signatures (``4 * num_perm``
bytes per document) and texts (about 2x UTF-8 size in Python).  Cost: see the README
section "Running on Spark".
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ConfigError, InputError
from .records import Comparison, Document
from .scan import _STAR_ABOVE, DocInfo, SameEvent, ScanOptions, ScanResult

__all__ = ["check_requirements", "scan_spark", "spark_session", "write_records"]

PYSPARK_HINT = "the Spark engine needs PySpark: pip install 'overlap[spark]'"
JAVA_HINT = "the Spark engine needs Java 17+ (set JAVA_HOME or put java on PATH): apt-get install openjdk-17-jre-headless"

_BATCH_DOCS = 256          # documents per _sign_batch call, as the local engine
_BATCH_CHARS = 1 << 20
_COMPARE_CHUNK = 128       # pairs per _compare_chunk call, as the local engine
_DOCS_PER_PARTITION = 20_000
_PAIRS_PER_PARTITION = 5_000


# =========================================================================== session


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    for line in (out.stderr + out.stdout).splitlines():
        if "version" in line and '"' in line:
            v = line.split('"')[1]
            head = v.split(".")[1] if v.startswith("1.") else v.split(".")[0]
            digits = "".join(ch for ch in head if ch.isdigit())
            return int(digits) if digits else None
    return None


def check_requirements() -> None:
    """Raise ``ConfigError`` (one line, with the install command) if PySpark or Java 17+ is missing.

    Cost: one ``java -version`` (about 0.1 s).
    """
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ConfigError(PYSPARK_HINT) from None
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home and os.path.exists(os.path.join(home, "bin", "java")) else shutil.which("java")
    if java is None:
        raise ConfigError(JAVA_HINT)
    major = _java_major(java)
    if major is None or major < 17:
        raise ConfigError(f"{JAVA_HINT} (found {java}, version {major or 'unknown'})")


_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def spark_session(master: str | None = "local[2]", *, config: dict[str, str] | None = None) -> Any:
    """A SparkSession for ``scan_spark``: no UI, log level ERROR, this Python on the workers.

    ``master``: ``"local[N]"``, ``"spark://host:7077"``, ``"yarn"``...; ``None`` leaves it to
    ``spark-submit`` (``local[*]`` when not run under it).  ``config`` adds or overrides Spark settings.  An existing active
    session is reused as it is (``getOrCreate``).  Cost: 5-10 s to start a JVM.
    """
    check_requirements()
    from pyspark.sql import SparkSession

    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        master = "local[*]"  # plain python, not under spark-submit: use this machine

    log4j = Path(tempfile.gettempdir()) / "overlap-spark-log4j2.properties"
    if not log4j.exists():
        log4j.write_text(_LOG4J)
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "8",
        "spark.python.worker.reuse": "true",
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{log4j}",
    }
    if (master is None or master.startswith("local")) and "PYSPARK_PYTHON" not in os.environ:
        # Local workers must run this interpreter (the one overlap is installed in).
        os.environ["PYSPARK_PYTHON"] = sys.executable
    conf.update(config or {})
    from pyspark import SparkConf, SparkContext

    if SparkContext._active_spark_context is None:
        # Start the JVM ourselves so its start-up banner and log go to a file, not the
        # terminal: a CLI's stderr should carry overlap's own messages only.
        sconf = SparkConf().setAppName("overlap")
        if master is not None:
            sconf.setMaster(master)
        for k, v in conf.items():
            sconf.set(k, v)
        from pyspark.java_gateway import launch_gateway

        log = open(Path(tempfile.gettempdir()) / f"overlap-spark-{os.getpid()}.log", "ab")
        gateway = launch_gateway(sconf, popen_kwargs={"stdout": log, "stderr": log})
        SparkContext(conf=sconf, gateway=gateway)
    builder = SparkSession.builder.appName("overlap")
    if master is not None:
        builder = builder.master(master)
    for k, v in conf.items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


# =========================================================================== input


def _ok(doc: Document) -> tuple[str, str, str, str]:
    return ("ok", doc.id, doc.origin, doc.text)


def _bad(message: str) -> tuple[str, str, str, str]:
    return ("bad", message, "", "")


def _jsonl_line(item: tuple[bytes, int], path: str, text_field: str, id_field: str | None, encoding: str) -> list[tuple[str, str, str, str]]:
    """One JSONL line, as the local reader handles it (same checks, same messages)."""
    import codecs

    from .sources import _record_document
    from .textio import MAX_BYTES

    raw, index = item
    lineno = index + 1
    where = f"{path}:{lineno}"
    if len(raw) > MAX_BYTES:
        return [_bad(f"{where}: line longer than {MAX_BYTES:,} bytes")]
    if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    try:
        line = raw.decode(encoding)
    except UnicodeDecodeError as e:
        return [_bad(f"{where}: not valid {encoding} at byte {e.start} ({e.reason}); pass --encoding")]
    if not line.strip():
        return []
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        return [_bad(f"{where}: not valid JSON ({e.msg} at column {e.colno})")]
    try:
        return [_ok(_record_document(rec, where, text_field, id_field))]
    except InputError as e:
        return [_bad(str(e))]


def _record(item: tuple[Any, int], where_prefix: str, text_field: str, id_field: str | None) -> tuple[str, str, str, str]:
    from .sources import _record_document

    (doc_id, text), index = item
    rec = {text_field: text}
    if id_field is not None:
        rec[id_field] = doc_id
    try:
        return _ok(_record_document(rec, f"{where_prefix}{index + 1}", text_field, id_field))
    except InputError as e:
        return _bad(str(e))


def _txt_file(path: str, encoding: str) -> tuple[str, str, str, str]:
    from .textio import read_text

    try:
        if not os.path.isfile(path):
            raise InputError(f"{path}: not a regular file")
        return _ok(Document(path, read_text(path, encoding=encoding), path))
    except InputError as e:
        return _bad(str(e))


def _read_paths(
    sc: Any, spark: Any, paths: list[str], *, text_field: str, id_field: str | None, encoding: str,
    fmt: str | None, partitions: int,
) -> Any:
    """An RDD of ``("ok", id, origin, text)`` / ``("bad", message, "", "")`` in input order."""
    from .sources import _walk_txt, check_input_options, input_kind, iter_documents
    from .textio import check_encoding

    id_field = check_input_options(paths, fmt, text_field, id_field)
    check_encoding(encoding)
    parts = []
    for path in paths:
        s, kind = input_kind(path, fmt)
        if kind == "dir":
            files = sorted(_walk_txt(s))
            if not files:
                raise InputError(f"{s}: no .txt files in this directory (searched recursively)")
            n_slices = max(1, min(len(files), max(partitions, len(files) // _DOCS_PER_PARTITION)))
            parts.append(sc.parallelize(files, n_slices).map(lambda f, e=encoding: _txt_file(f, e)))
        elif kind == "txt":
            parts.append(sc.parallelize([s], 1).map(lambda f, e=encoding: _txt_file(f, e)))
        elif kind == "jsonl" and s != "-":
            if os.path.isdir(s):
                raise InputError(f"{s}: is a directory, expected a file")
            lines = sc.textFile(s, minPartitions=partitions, use_unicode=False)
            # The empty-file check of the local reader.
            if os.path.getsize(s) == 0:
                raise InputError(f"{s}: empty input, expected JSON lines")
            parts.append(lines.zipWithIndex().flatMap(
                lambda it, p=s, t=text_field, i=id_field, e=encoding: _jsonl_line(it, p, t, i, e)))
        elif kind == "parquet":
            df = spark.read.parquet(s)
            wanted = [text_field] + ([id_field] if id_field is not None else [])
            for c in wanted:
                if c not in df.columns:
                    raise InputError(f"{s}: no column {c!r} (columns: {', '.join(df.columns)}); pass --text-field/--id-field")
            cols = [id_field if id_field is not None else text_field, text_field]
            rows = df.select(*cols).rdd.map(tuple).zipWithIndex()
            parts.append(rows.map(lambda it, p=f"{s}:row", t=text_field, i=id_field: _record(it, p, t, i)))
        else:
            # CSV and stdin have no splittable form here: read on the driver, in order.
            docs = [
                _ok(d) for d in iter_documents([s], text_field=text_field, id_field=id_field, encoding=encoding, fmt=kind)
            ]
            parts.append(sc.parallelize(docs, max(1, min(len(docs), partitions))))
    return parts[0] if len(parts) == 1 else sc.union(parts)


def _read_dataframe(df: Any, id_col: str, text_col: str) -> Any:
    for c in (id_col, text_col):
        if c not in df.columns:
            raise InputError(f"DataFrame has no column {c!r} (columns: {', '.join(df.columns)}); pass id_col/text_col")
    rows = df.select(id_col, text_col).rdd.map(tuple).zipWithIndex()
    return rows.map(lambda it, t=text_col, i=id_col: _record(it, "dataframe:row", t, i))


# =========================================================================== executor work


def _sign_partition(rows: Iterable[tuple[int, tuple[str, str, str]]], cfg: Any, bands: int, rows_per_band: int) -> Iterator[tuple]:
    """``(idx, sig bytes, doc band keys | None, window keys (m, pbands), name hashes, dates,
    vocabulary terms as uint32 bytes)`` per document."""
    from .lsh import band_keys
    from .signatures import EMPTY
    from .scan import _sign_batch

    def flush(batch: list[tuple[int, str]]) -> Iterator[tuple]:
        texts = [t for _, t in batch]
        sigs, wkeys, wdoc, names, dates, _, vocab = _sign_batch((texts, cfg))
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
        if len(batch) >= _BATCH_DOCS or size >= _BATCH_CHARS:
            yield from flush(batch)
            batch, size = [], 0
    if batch:
        yield from flush(batch)


def _bucket_pairs(members: Iterable[int], n: int, max_bucket: int) -> list[int]:
    """Document LSH bucket -> pair codes, as ``overlap.lsh.candidate_pairs`` (chained when oversized)."""
    m = sorted(members)
    if len(m) < 2:
        return []
    if len(m) > max_bucket:
        return [m[t] * n + m[t + 1] for t in range(len(m) - 1)]
    return [a * n + b for x, a in enumerate(m) for b in m[x + 1 :]]


def _group_codes(members: Iterable[int], n: int, max_group: int, star_above: int | None = None) -> list[int]:
    """Window or name group -> pair codes, as ``overlap.scan._group_pairs`` (skipped when
    oversized; a star above ``star_above`` members)."""
    m = sorted(set(members))
    if not 2 <= len(m) <= max_group:
        return []
    if star_above is not None and len(m) > star_above:
        return [m[0] * n + b for b in m[1:]]
    return [a * n + b for x, a in enumerate(m) for b in m[x + 1 :]]


def _estimate(row: tuple[int, tuple[tuple[int, bytes], bytes]]) -> tuple[int, float]:
    """``(code, estimated Jaccard)`` from a pair joined to both signatures."""
    j, ((code, sig_a), sig_b) = row
    a = np.frombuffer(sig_a, dtype=np.uint32)
    b = np.frombuffer(sig_b, dtype=np.uint32)
    # The same float as overlap.signatures.estimate_jaccard: count / num_perm.
    return code, float(np.count_nonzero(a == b) / a.shape[-1])


def _estimate_ok(row: tuple[int, tuple[tuple[int, bytes], bytes]], cut: float) -> tuple[int, bool]:
    code, est = _estimate(row)
    return code, bool(est >= cut)


def _with_sigs(codes: Any, sigs: Any, n: int, partitions: int) -> Any:
    """Pair codes joined to both signatures, rows as ``_estimate`` takes them."""
    return (
        codes.map(lambda c: (c // n, c)).join(sigs, partitions)
        .map(lambda kv: (kv[1][0] % n, (kv[1][0], kv[1][1]))).join(sigs, partitions)
    )


def _tag_counts(tag: int) -> tuple[int, int, int]:
    """``(document candidate kept, passage candidate, to compare)`` as 0/1 for a candidate's tag bits.

    As the local engine counts: a document candidate below the cut still counts (and is
    compared) when it is also a passage candidate.
    """
    to_compare = int(bool(tag & 5))
    return int(bool(tag & 3)) & to_compare, int(bool(tag & 4)), to_compare


def _pair_texts(pairs: Any, texts: Any, n: int, partitions: int) -> Any:
    """``(code, (text_i, text_j))`` for an RDD of pair codes: two joins, texts stay on executors."""
    left = pairs.map(lambda c: (c // n, c)).join(texts, partitions)           # (i, (c, ti))
    right = left.map(lambda kv: (kv[1][0] % n, (kv[1][0], kv[1][1]))).join(texts, partitions)  # (j, ((c, ti), tj))
    return right.map(lambda kv: (kv[1][0][0], (kv[1][0][1], kv[1][1])))


def _compare_partition(rows: Iterable[tuple[int, tuple[str, str]]], n: int, copts: Any) -> Iterator[tuple[int, Comparison]]:
    """Compare a partition's pairs in chunks of ``_COMPARE_CHUNK``, sorted, reusing prepared texts."""
    from .scan import _compare_chunk

    rows = sorted(rows, key=lambda r: r[0])
    for s in range(0, len(rows), _COMPARE_CHUNK):
        chunk = rows[s : s + _COMPARE_CHUNK]
        pairs = [divmod(c, n) for c, _ in chunk]
        texts: dict[int, str] = {}
        for (i, j), (_, (ti, tj)) in zip(pairs, chunk):
            texts[i] = ti
            texts[j] = tj
        for (c, _), r in zip(chunk, _compare_chunk((pairs, texts, copts))):
            yield c, r


def _event_pair(
    row: tuple[int, tuple[tuple[tuple[int, ...], Comparison | None], tuple[str, str]]],
    rare_dates: np.ndarray, min_names: int, k: int,
) -> list[tuple[int, SameEvent, Comparison]]:
    """Stage 5 for one name-sharing pair, as ``overlap.scan.scan`` does it on the driver.

    ``hashes`` are the distinctive name hashes the pair shares: the groups that paired
    them are exactly the distinctive ones (2 to ``max_df`` documents), so they stand in
    for the local engine's corpus-wide ``distinctive`` set.
    """
    from .scan import _dates, _exact_similarity, _hashed_phrases, _same_event

    code, ((hashes, compared), (ti, tj)) = row
    di = np.array(sorted(_dates(ti)), dtype=np.int16)
    dj = np.array(sorted(_dates(tj)), dtype=np.int16)
    shared = np.intersect1d(np.intersect1d(di, dj), rare_dates)
    if len(shared) == 0:
        return []
    ev = _same_event(_hashed_phrases(ti), set(hashes), shared, min_names)
    if ev is None:
        return []
    r = compared if compared is not None else Comparison(len(ti), len(tj), _exact_similarity(ti, tj, k), False)
    return [(code, ev, r)]


# =========================================================================== components

_CHECKPOINT_EVERY = 4  # rounds between lineage cuts in _star_components


def _large_star(u: int, neighbours: Iterable[int], changed: Any) -> list[tuple[int, int]]:
    """Large-star at ``u``: each strictly larger neighbour is linked to the smallest of ``u`` and its neighbours.

    Adds to ``changed`` the edges rewired: those from larger neighbours when ``u`` has a smaller one.
    """
    nb = set(neighbours)
    m = min(nb | {u})
    out = [(v, m) for v in nb if v > u]
    if m < u and out:
        changed.add(len(out))
    return out


def _small_star(u: int, smaller: Iterable[int], changed: Any) -> list[tuple[int, int]]:
    """Small-star at ``u``: ``u`` and its smaller neighbours are linked to the smallest of them.

    Adds to ``changed`` the edges rewired: all but the one to the smallest.
    """
    nb = set(smaller)
    m = min(nb)
    if len(nb) > 1:
        changed.add(len(nb) - 1)
    return [(v, m) for v in nb | {u} if v != m]


def _star_components(edges: Any, partitions: int, *, max_rounds: int = 200) -> tuple[Any, list[int]]:
    """Connected components of an undirected graph, on the executors: ``(stars, changes)``.

    ``edges``: an RDD of ``(u, v)`` integer pairs (any orientation; repeats and
    self-loops are fine).  ``stars``: an RDD with one ``(node, root)`` per node that is
    not the smallest of its component, ``root`` being that smallest node (the root's
    own label is itself); persisted, the caller unpersists it.  ``changes``: the edges
    each round rewired, one entry per round; the last is 0.

    Alternating large-star and small-star (Kiveris, Lattanzi, Mirrokni, Rastogi and
    Vassilvitskii, "Connected Components in MapReduce and Beyond", SoCC 2014).  Edges
    are kept as ``(larger, smaller)``.  Large-star groups each node with all its
    neighbours and links every larger neighbour to the smallest node it sees;
    small-star groups each node with its smaller neighbours and links them and itself
    to the smallest.  Neither changes the components, and the graph converges to one
    star per component centred on its smallest node.  A round is those two shuffles
    in one Spark job; an accumulator counts the edges the round rewired, and the loop
    ends at the first round that rewires none (its output equals its input: a star
    forest).  A retried task can only over-count, so the zero test is safe.  Every
    ``_CHECKPOINT_EVERY`` rounds the edge set is checkpointed (reliably when the
    SparkContext has a checkpoint directory, else ``localCheckpoint``) so the lineage
    Spark keeps, and would replay on a lost partition, stays short.

    Cost: O(log^2 n) rounds in the worst case, a handful in practice (a path of 200
    nodes takes about 8); each round shuffles the edge set twice (about 2 x 2 x 16
    bytes per edge).  Only ``(node, component)`` pairs come back, never the graph.
    """
    from pyspark import StorageLevel

    sc = edges.context
    checkpoint_dir = sc.getCheckpointDir()
    cur = edges.filter(lambda e: e[0] != e[1]).map(lambda e: (max(e), min(e)))
    cur.persist(StorageLevel.MEMORY_AND_DISK)
    held = [cur]
    changes: list[int] = []
    while True:
        if len(changes) >= max_rounds:
            raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
        changed = sc.accumulator(0)
        nxt = (
            cur.flatMap(lambda e: (e, (e[1], e[0])))
            .groupByKey(partitions)
            .flatMap(lambda kv: _large_star(kv[0], kv[1], changed))   # (v, m), m < v: keyed by the larger end
            .groupByKey(partitions)
            .flatMap(lambda kv: _small_star(kv[0], kv[1], changed))
        )
        nxt.persist(StorageLevel.MEMORY_AND_DISK)
        if (len(changes) + 1) % _CHECKPOINT_EVERY == 0:
            if checkpoint_dir:
                nxt.checkpoint()
            else:
                nxt.localCheckpoint()
        nxt.count()  # one job: both stars; fills the accumulator
        changes.append(int(changed.value))
        for rdd in held:
            rdd.unpersist()
        held, cur = [nxt], nxt
        if changes[-1] == 0:
            break
    # Converged: one star per component, exactly one edge (node, smallest node) per
    # non-root node (large-star emits each leaf once, small-star keys by the leaf).
    return cur, changes


def _share_rare_date(di: tuple[int, ...], dj: tuple[int, ...], rare_dates: np.ndarray) -> bool:
    """Whether two documents' day/month dates (from signing) share one in ``rare_dates``."""
    shared = set(di) & set(dj)
    return bool(shared) and bool(np.isin(np.fromiter(shared, dtype=np.int16), rare_dates).any())


class _DriverStore:
    """The texts of linked documents on the driver, with ``_TextStore``'s interface.

    ``at(i)`` takes the global input position; ``_index`` lists ids in input order (what
    ``_name_variants`` sorts by).  Texts of unlinked documents are not here: ``text(id)``
    of a ``ScanResult`` from ``scan_spark`` raises ``KeyError`` for them.
    """

    __slots__ = ("_by_pos", "_index")

    def __init__(self, rows: list[tuple[int, str, str]]) -> None:
        rows = sorted(rows)
        self._by_pos = {i: t for i, _, t in rows}
        self._index = {d: i for i, d, _ in rows}

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._index

    def index(self, doc_id: str) -> int:
        return self._index[doc_id]

    def at(self, i: int) -> str:
        return self._by_pos[i]

    def get(self, doc_id: str) -> str:
        return self._by_pos[self._index[doc_id]]


# =========================================================================== scan


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
    text_field: str = "text",
    id_field: str | None = "id",
    encoding: str = "utf-8",
    input_format: str | None = None,
    on_bad: Any = None,
    partitions: int | None = None,
    diagnostics: dict[str, Any] | None = None,
    **overrides: Any,
) -> ScanResult:
    """``overlap.scan`` on Spark: the same ``ScanResult`` (``to_dict()`` identical).

    ``source``: a path or list of paths (as ``overlap.sources.iter_documents`` reads
    them; ``text_field``, ``id_field``, ``encoding``, ``input_format`` and ``on_bad``
    mean the same), or a Spark DataFrame with columns ``id_col`` and ``text_col``.
    ``spark``: a SparkSession to use; otherwise one is started with ``master``
    (``spark_session``).  ``output``: also write ``result.records()`` there, as Parquet
    (a directory with one dataset per record type) or JSONL (one file), per ``fmt``.
    ``partitions``: partitions of the shuffles (default: 2 per core, at least one per
    20,000 documents).  Options as ``scan``: a ``ScanOptions`` or its fields as keywords
    (``workers`` is ignored: Spark's executors are the workers).  ``diagnostics``: a dict
    to fill with Spark-only figures (``component_rounds``, ``component_changes`` per
    round, ``story_edges``, ``duplicate_edges``, ``candidates`` to verify, ``budgeted``:
    whether ``max_compares`` cut them).

    ``result.text(id)`` works for documents in linked pairs only.  Cost: see the module
    docstring; on ``local[2]`` about as fast as the local engine with 2 workers, plus a
    few seconds of Spark start-up per session.
    """
    from .scan import _SignConfig, _resolve

    o = _resolve(options, overrides)
    if fmt not in ("parquet", "jsonl"):
        raise ConfigError(f"fmt must be 'parquet' or 'jsonl': {fmt!r}")
    if spark is None:
        spark = spark_session(master)
    sc = spark.sparkContext
    from pyspark import StorageLevel

    timings: list[tuple[str, float]] = []
    persisted: list[Any] = []

    def keep(rdd: Any) -> Any:
        rdd.persist(StorageLevel.MEMORY_AND_DISK)
        persisted.append(rdd)
        return rdd

    try:
        # ---- 1: read (executors), number documents in input order
        t0 = time.perf_counter()
        base_parts = max(2, 2 * sc.defaultParallelism)
        if hasattr(source, "rdd") and hasattr(source, "columns"):
            raw = _read_dataframe(source, id_col, text_col)
        else:
            paths = [source] if isinstance(source, (str, os.PathLike)) else list(source)
            raw = _read_paths(sc, spark, [str(p) for p in paths], text_field=text_field, id_field=id_field,
                              encoding=encoding, fmt=input_format, partitions=base_parts)
        raw = keep(raw)
        bad = raw.zipWithIndex().filter(lambda it: it[0][0] == "bad").map(lambda it: (it[1], it[0][1]))
        bad_list = bad.sortByKey().collect() if on_bad is not None else bad.takeOrdered(1)
        if bad_list and on_bad is None:
            raise InputError(bad_list[0][1])
        for _, msg in bad_list:
            on_bad(InputError(msg))
        docs = keep(raw.filter(lambda r: r[0] == "ok").map(lambda r: (r[1], r[2], r[3])).zipWithIndex()
                    .map(lambda it: (it[1], it[0])))                        # (idx, (id, origin, text))
        infos_rows = docs.map(lambda kv: (kv[0], kv[1][0], kv[1][1], len(kv[1][2]))).collect()
        infos_rows.sort()
        n = len(infos_rows)
        if n == 0:
            raise InputError("no documents to scan")
        infos = [DocInfo(d, origin, length) for _, d, origin, length in infos_rows]
        _check_unique(infos)
        parts = partitions or max(base_parts, math.ceil(n / _DOCS_PER_PARTITION))
        if docs.getNumPartitions() < parts // 2:
            docs = keep(docs.repartition(parts))

        # ---- 2: sign (executors, the local kernel)
        from .lsh import optimal_params

        pbands, prows = optimal_params(o.passage_threshold, o.passage_num_perm)
        bands, rows = optimal_params(o.near_duplicate, o.num_perm)
        cfg = _SignConfig(
            o.num_perm, o.seed, o.shingle_size, o.passage_shingle_size, o.passage_sentences, o.passage_stride,
            o.passage_min_tokens, o.passage_num_perm, pbands, prows, o.same_event,
        )
        signed = keep(docs.mapPartitions(lambda it: _sign_partition(it, cfg, bands, rows)))
        windows = signed.map(lambda r: len(r[3])).sum()
        timings.append(("sign", time.perf_counter() - t0))

        # ---- 3: candidates (shuffles: band rows, window rows, name rows)
        t0 = time.perf_counter()
        max_bucket, max_pdocs = o.max_bucket, o.max_passage_docs
        doc_codes = (
            signed.filter(lambda r: r[2] is not None)
            .flatMap(lambda r: [((b, k), r[0]) for b, k in enumerate(r[2])])
            .groupByKey(parts)
            .flatMap(lambda kv: _bucket_pairs(kv[1], n, max_bucket))
            .distinct(parts)
        )
        passage_codes = (
            signed.flatMap(lambda r: {((b, int(k)), r[0]) for row in r[3] for b, k in enumerate(row)})
            .groupByKey(parts)
            .flatMap(lambda kv: _group_codes(kv[1], n, max_pdocs, _STAR_ABOVE))
        )
        max_df = o.max_name_docs or min(200, max(10, n // 100))
        min_names = o.min_shared_names
        if o.same_event:
            event_cands = keep(
                signed.flatMap(lambda r: [(h, r[0]) for h in r[4]])
                .groupByKey(parts)
                .flatMap(lambda kv: [(c, kv[0]) for c in _group_codes(kv[1], n, max_df)])
                .groupByKey(parts)
                .mapValues(lambda hs: tuple(sorted(hs)))
                .filter(lambda kv: len(kv[1]) >= min_names)
            )
        else:
            event_cands = keep(sc.parallelize([], 1))
        date_counts = dict(signed.flatMap(lambda r: [(d, 1) for d in r[5]]).reduceByKey(lambda a, b: a + b).collect())
        du = np.array(sorted(date_counts), dtype=np.int16)
        rare_dates = du[np.array([date_counts[int(d)] for d in du], dtype=np.int64) <= max_df] if len(du) else du
        # Cheapest filter first, as the local engine: a document candidate far below the
        # threshold (3 standard errors) is dropped unless a passage window also collided.
        margin = 3 * math.sqrt(o.near_duplicate * (1 - o.near_duplicate) / o.num_perm)
        cut = o.near_duplicate - margin
        sigs = signed.map(lambda r: (r[0], r[1]))
        judged = _with_sigs(doc_codes, sigs, n, parts).map(lambda row: _estimate_ok(row, cut))
        # One shuffle tags every candidate: 1 = document candidate at or above the cut,
        # 2 = below it, 4 = passage candidate; one pass counts them all.
        tags = keep(
            judged.mapValues(lambda ok: 1 if ok else 2)
            .union(passage_codes.map(lambda c: (c, 4)))
            .reduceByKey(lambda a, b: a | b, parts)
        )
        n_doc, n_passage, n_to_compare = tags.map(lambda kv: _tag_counts(kv[1])).fold(
            (0, 0, 0), lambda x, y: (x[0] + y[0], x[1] + y[1], x[2] + y[2]))
        to_compare = tags.filter(lambda kv: kv[1] & 5).keys()
        n_event = event_cands.count()
        timings.append(("candidates", time.perf_counter() - t0))

        # ---- 4: verify on the executors (pairs joined to both texts)
        t0 = time.perf_counter()
        texts = docs.mapValues(lambda v: v[2])
        copts = o.compare_options
        budget = n_to_compare if o.max_compares is None else o.max_compares
        if n_to_compare <= budget:
            # Every candidate, compared where its texts are.
            compared = keep(_pair_texts(to_compare, texts, n, parts).mapPartitions(lambda it: _compare_partition(it, n, copts)))
            n_compared = compared.count()
            linked_rdd = compared.filter(lambda kv: kv[1].near_duplicate or bool(kv[1].passages))
            linked = dict(linked_rdd.collect())
            flags = linked_rdd.map(lambda kv: (kv[0], kv[1].near_duplicate))
        else:
            # More candidates than max_compares: the local engine's Kruskal-order budget
            # (``_compare_within_budget``), run on the driver over the candidates' codes
            # and estimates (16 bytes each), each batch compared on the executors.
            comparisons = _compare_budgeted(sc, to_compare, sigs, texts, n, budget, o, parts)
            compared = keep(sc.parallelize(sorted(comparisons.items()), parts))
            n_compared = len(comparisons)
            linked = {c: r for c, r in comparisons.items() if r.near_duplicate or r.passages}
            flags = sc.parallelize(sorted((c, r.near_duplicate) for c, r in linked.items()), parts)
        if diagnostics is not None:
            diagnostics["budgeted"] = n_to_compare > budget
            diagnostics["candidates"] = int(n_to_compare)
        timings.append(("compare", time.perf_counter() - t0))

        # ---- 5: same event on the executors, for name-sharing pairs not already linked
        t0 = time.perf_counter()
        events: dict[int, SameEvent] = {}
        event_cmp: dict[int, Comparison] = {}
        if n_event:
            rd = rare_dates
            k = o.shingle_size
            open_pairs = (
                event_cands.leftOuterJoin(compared, parts)
                .filter(lambda kv: kv[1][1] is None or not (kv[1][1].near_duplicate or kv[1][1].passages))
            )
            # Cheapest filter first, as the local engine: only pairs whose documents share a
            # rare date (dates from signing, a few bytes each) have their texts fetched.
            bdates = sc.broadcast(rd)
            dates = signed.map(lambda r: (r[0], r[5]))
            open_pairs = keep(
                open_pairs.map(lambda kv: (kv[0] // n, kv)).join(dates, parts)
                .map(lambda x: (x[1][0][0] % n, (x[1][0], x[1][1]))).join(dates, parts)
                .filter(lambda x: _share_rare_date(x[1][0][1], x[1][1], bdates.value))
                .map(lambda x: x[1][0][0])
            )
            with_texts = _pair_texts(open_pairs.keys(), texts, n, parts).join(open_pairs, parts)  # (c, ((ti,tj), (h, r)))
            found_ev = with_texts.flatMap(
                lambda kv: _event_pair((kv[0], (kv[1][1], kv[1][0])), rd, min_names, k)
            ).collect()
            for c, ev, r in found_ev:
                events[c] = ev
                event_cmp[c] = r
        timings.append(("events", time.perf_counter() - t0))

        # ---- 6-8: assemble on the driver, with the local engine's code
        t0 = time.perf_counter()
        codes = sorted(set(linked) | set(events))
        found = [(c, linked[c] if c in linked else event_cmp[c]) for c in codes]
        need = {x for c in codes for x in divmod(c, n)}
        # Rare-vocabulary terms (about 1 KB per document) come to the driver, which links
        # documents by them as the local engine does; their documents' texts come too
        # (a story's headline may be a document linked only by vocabulary).
        from .vocabulary import vocabulary_links

        vocab_rows = sorted(signed.map(lambda r: (r[0], r[6])).collect())
        vocab = [np.frombuffer(b, dtype=np.uint32) for _, b in vocab_rows]
        need |= {x for i, j, _ in vocabulary_links(vocab) for x in (i, j)}
        bneed = sc.broadcast(need)
        store = _DriverStore(docs.filter(lambda kv: kv[0] in bneed.value).map(lambda kv: (kv[0], kv[1][0], kv[1][2])).collect())
        counts = {
            "passage_windows": int(windows),
            "doc_candidates": int(n_doc),
            "passage_candidates": int(n_passage),
            "event_candidates": int(n_event),
            "compared": int(n_compared),
        }
        edge_flags = flags.union(sc.parallelize(sorted((c, False) for c in events), 1))
        result = _assemble_components(o, infos, store, found, events, counts, timings, t0, edge_flags, diagnostics, vocab)
    finally:
        for rdd in persisted:
            try:
                rdd.unpersist()
            except Exception:  # the session may already be gone
                pass
    if output is not None:
        write_records(result, output, fmt, spark=spark)
    return result


def _compare_budgeted(
    sc: Any, to_compare: Any, sigs: Any, texts: Any, n: int, budget: int, o: ScanOptions, partitions: int,
) -> dict[int, Comparison]:
    """Stage 4 under ``max_compares``: the local engine's own budget loop, batches compared on the executors.

    The candidates' codes and estimated Jaccards come to the driver (16 bytes per
    candidate), where ``overlap.scan._compare_within_budget`` picks each batch in
    Kruskal order; a batch's texts are selected on the executors (a filter of the
    cached texts by a broadcast set of at most ``2 x batch`` indices) and joined to
    its pairs there.  Same picks, same comparisons, same estimate-linked pairs as
    the local engine.  Cost: one Spark job per batch (``max(1024, budget / 20)`` pairs).
    """
    from .scan import _compare_within_budget

    rows = _with_sigs(to_compare, sigs, n, partitions).map(_estimate).collect()
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
        got = _pair_texts(sc.parallelize(batch, slices), sub, n, slices).mapPartitions(
            lambda it: _compare_partition(it, n, copts)).collect()
        comparisons.update(got)
        need.unpersist()

    _compare_within_budget(codes, est, n, budget, run, comparisons, o)
    return comparisons


_EDGES_PER_PARTITION = 200_000


def _assemble_components(
    o: ScanOptions, infos: list[DocInfo], store: _DriverStore, found: list[tuple[int, Comparison]],
    events: dict[int, SameEvent], counts: dict[str, int], timings: list[tuple[str, float]], t0: float,
    edge_flags: Any, diagnostics: dict[str, Any] | None, vocab: list[np.ndarray] | None = None,
) -> ScanResult:
    """Stages 6-8: ``overlap.scan._assemble`` with cluster membership from ``_star_components``.

    ``edge_flags``: an RDD of ``(code, near_duplicate)`` for every linked pair.  The
    driver finds boilerplate-only pairs (``overlap.reuse``: they are listed but do
    not join stories) and broadcasts them; the executors turn each pair into a story
    edge and, if near-duplicate, a near-duplicate edge, and run connected components
    on both graphs at once (node ``2 * doc + graph``, so a component's smallest node is
    its smallest document).  The driver gets ``(document, component)`` back and files
    each pair's link as evidence under its component, in code order: the same clusters,
    member order and evidence as ``_clusters``' union-find, by construction (members
    ascending, clusters by smallest member, then stably by size).  The rest (pairs,
    reused passages, name variants) is the local engine's code.
    """
    from .scan import Cluster, Link, _assemble

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

        parts = max(1, min(2 * sc.defaultParallelism, math.ceil(2 * len(found) / _EDGES_PER_PARTITION)))
        stars, changes = _star_components(edge_flags.flatMap(edges), parts)
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

    return _assemble(o, infos, store, found, events, counts, timings, t0, cluster_fn=cluster_fn, vocab=vocab)


def _check_unique(infos: list[DocInfo]) -> None:
    """The local engine's duplicate-id error, for the first repeated id in input order."""
    first: dict[str, int] = {}
    for i, d in enumerate(infos):
        j = first.setdefault(d.id, i)
        if j != i:
            raise InputError(
                f"{d.origin or d.id}: duplicate document id {d.id!r} (first seen at {infos[j].origin or '?'}); "
                "ids must be unique (use --id-field '' to number records by file:line)"
            )


# =========================================================================== output


def write_records(result: ScanResult, output: str | os.PathLike[str], fmt: str = "parquet", *, spark: Any = None) -> None:
    """Write ``result.records()`` (the ``--jsonl`` stream) to ``output``.

    ``fmt="jsonl"``: one file, one JSON record per line, exactly ``overlap scan --jsonl``.
    ``fmt="parquet"``: a directory with one Parquet dataset per record type
    (``summary``, ``document``, ``pair``, ``cluster``, ``reused_passage``,
    ``name_variant``), columns as the JSON fields (nested records as structs), written
    by Spark; read back with ``spark.read.parquet(f"{output}/pair")``.  Existing
    output is replaced.
    """
    if fmt == "jsonl":
        with open(output, "w", encoding="utf-8") as f:
            for rec in result.records():
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return
    if fmt != "parquet":
        raise ConfigError(f"fmt must be 'parquet' or 'jsonl': {fmt!r}")
    if spark is None:
        spark = spark_session()
    by_type: dict[str, list[str]] = {}
    for rec in result.records():
        by_type.setdefault(rec["type"], []).append(json.dumps(rec, ensure_ascii=False))
    sc = spark.sparkContext
    for kind, lines in by_type.items():
        df = spark.read.json(sc.parallelize(lines, max(1, min(len(lines) // 10_000, 64))))
        df.write.mode("overwrite").parquet(os.path.join(str(output), kind))
