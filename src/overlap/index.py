"""A persistent near-duplicate index in one SQLite file: add articles, ask "seen before?".

``Index(path, *, create=True, read_only=False, num_perm=None, seed=None, shingle_size=None, threshold=None)``
    Open (or create) the index file at ``path``.  ``None`` settings mean "the stored value"
    for an existing index and the defaults (128, 1, 5, 0.5) for a new one.  ``read_only``
    opens an existing index for ``query``/``stats`` without writing anything, so a
    read-only file or directory works.  SQLite errors (full disk, read-only file, damaged
    pages, tampered settings or texts) surface as one-line ``InputError``s.
``Index.add(documents, *, on_duplicate="replace", batch_size=500) -> AddReport``
    Add ``Document`` records, one transaction per batch.
``Index.query(text, *, top=10, min_similarity=0.0, passages=True) -> tuple[Match, ...]``
    Stored documents that share text with ``text``: exact scores, shared passages, conflicts.
``Index.stats() -> IndexStats``
    Document count, LSH and MinHash settings, file size, schema version.
``Index.remove(ids) -> RemoveReport``, ``Index.entries() -> Iterator[IndexEntry]``,
``Index.export(path) -> int``, ``Index.vacuum() -> tuple[int, int]``
    The lifecycle: delete documents (one transaction), list them, write them all as
    JSONL that ``add`` reads back, and give the space of deleted rows back to the disk.
``len(index)``, ``id in index``, ``Index.close()``, ``with Index(...) as index:``
``AddReport``, ``Match``, ``IndexStats``, ``RemoveReport``, ``IndexEntry``
    The frozen result records; each has ``to_dict()``.

What is stored.  Table ``meta`` holds the settings and the schema version; ``docs`` one
row per document (``id`` unique, ``origin``, length in characters, ``added_at`` in Unix
seconds, the ``uint32`` MinHash signature, its passage band keys so a replace can
delete their rows, and the text as zlib-compressed UTF-8); ``bands`` and ``passages`` map
LSH band keys to documents.

Two levels of LSH.  *Document* keys: the whole text's signature (``num_perm`` positions,
``overlap.signatures``) cut into ``bands x rows`` from ``overlap.lsh.optimal_params(threshold,
num_perm)``; they find near-duplicates (whole-text Jaccard around ``threshold`` and up).
*Passage* keys: the stored text is cut at sentence boundaries (``overlap.segment``) into
consecutive blocks of at least 3 sentences and 30 tokens; each block gets a 32-position
signature cut into 8 bands of 4 rows.  A query forms the block starting at *every* one
of its sentences, so any run of stored sentences long enough to contain a whole stored
block (3 to 5 sentences, depending on where the run starts), reused in an article that
adds, drops or rewrites the rest, is found even when the whole-text Jaccard is low: a
news agency's paragraphs inside a longer local story.  A block reused with one word in
20 changed (block Jaccard about 0.8) shares a given band with probability 0.8**4 = 0.41,
one of the 8 with 0.985.  Shorter reuse (one or two sentences) is reported only when the
document is found some other way; ``compare`` then shows every shared passage.

Band keys are unsigned 64-bit (``overlap.lsh.band_keys``); SQLite integers are signed, so
they are stored as the same 64 bits read as ``int64``.  ``band_keys`` mixes the band
number into the key, so one ``(key, doc)`` table per level needs no band column.

Writes.  WAL journal, ``synchronous=FULL`` (each committed batch is fsynced: it survives
power loss too, for one fsync per batch of 500), ``busy_timeout`` 30 s.  All hashing is
done before a batch's transaction opens (``BEGIN IMMEDIATE``), so the write lock is held
only for the inserts.  A process killed during ``add`` loses at most the batch in
flight; every committed batch is complete and the file opens and answers.  Two
processes adding at once take turns per batch.

Re-adding an id (``on_duplicate``): ``"replace"`` (default) deletes the old document and
its band keys and inserts the new one in the same transaction; ``"skip"`` keeps the old
one and counts the new one as skipped; ``"reject"`` commits every document before the
offending one, writes nothing from it on, and raises ``InputError`` naming the id.  The
same rules apply to an id repeated within one call.

Queries.  The query's band keys (one per document band, eight per sentence block) are
looked up in the B-trees: the cost is ``O((bands + 8 * sentences) log N)`` plus the
candidates found, never a scan of the index.  Candidates are ranked by the MinHash
estimate and the share of query blocks that hit them; the best ``max(4 * top, 40)`` are
verified exactly from their stored texts (``jaccard`` and ``containment`` are exact
shingle-set scores, the same as ``overlap.compare``), and the ``top`` best run through
``overlap.compare`` for shared passages and conflicting details.  Buckets holding more
than 1000 documents (boilerplate) are skipped.

Size.  About 4.9 KB per news article of 2,600 characters (3.4 KB of UTF-8) at the
defaults, measured on baomoi: the zlib-compressed text (about 1.4 KB, 42% of the UTF-8;
kept because passages, conflicts and exact scores need it), 512 bytes of signature, 25
document band rows and about 55 passage band rows (with their B-tree overhead).

>>> import tempfile, os
>>> from overlap.records import Document
>>> path = os.path.join(tempfile.mkdtemp(), "news.db")
>>> with Index(path) as index:
...     r = index.add([Document("a", "Ông Ryabkov nói cuộc gặp với phái đoàn Mỹ kéo dài 7,5 giờ tại Geneva.")])
...     [(m.id, m.jaccard) for m in index.query("Ông Ryabkov nói cuộc gặp với phái đoàn Mỹ kéo dài 7,5 giờ tại Geneva.")]
[('a', 1.0)]
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
import urllib.parse
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np

from . import _arrays
from .errors import ConfigError, InputError, OverlapError
from .lsh import band_keys, optimal_params
from .signatures import estimate_jaccard, signatures_from_shingles
from .normalization import normalize
from .records import Conflict, Document, Passage
from .segment import sentences
from .shingle import shingles, tokenize

__all__ = ["AddReport", "Index", "IndexEntry", "IndexStats", "Match", "RemoveReport"]

SCHEMA_VERSION = 2
# Sentence anchors: a sentence of at least _ANCHOR_MIN_TOKENS tokens is also keyed by the
# hashes of its first and of its last _ANCHOR tokens, so one reused sentence (a quote, the
# line naming a delegation) finds its source even with a word changed in its middle.
_ANCHOR = 8
_ANCHOR_MIN_TOKENS = 12
_ANCHOR_SALT = np.uint64(0xA5C3_9E37_79B9_7F4A)
"""Version of the table layout; an index with another version is refused."""

FORMAT = "overlap-index"
"""Value of ``meta.format``: how an overlap index is told from other SQLite files."""

DEFAULTS = {"num_perm": 128, "seed": 1, "shingle_size": 5, "threshold": 0.5}
"""Settings of a new index when the caller gives none."""

# Passage level (fixed in schema version 1, stored in meta so a later version can vary it).
_PASSAGE_SENTENCES = 3  # sentences per block, at least
_PASSAGE_MIN_TOKENS = 30  # tokens per block, at least (short lines join the next block)
_PASSAGE_MAX_SENTENCES = 12  # cap, so a run of one-word lines does not swallow the text
_PASSAGE_NUM_PERM = 32
_PASSAGE_BANDS = 8
_PASSAGE_ROWS = 4

_BUSY_TIMEOUT_MS = 30_000
_MAX_BUCKET = 1000  # band buckets larger than this are boilerplate: skipped by queries
_SQL_CHUNK = 500  # host parameters per IN (...) list, well under SQLite's limit
_POLICIES = ("replace", "reject", "skip")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class AddReport:
    """What one ``Index.add`` call did: new ids ``added``, old ones ``replaced`` by a new
    text, and documents ``skipped`` because their id was already there (``"skip"``)."""

    added: int
    replaced: int
    skipped: int

    def to_dict(self) -> dict[str, int]:
        return {"added": self.added, "replaced": self.replaced, "skipped": self.skipped}


@dataclass(frozen=True, slots=True)
class Match:
    """A stored document that shares text with a query.

    ``jaccard`` is the exact Jaccard similarity of the two texts' word-shingle sets,
    recomputed from the stored text (the same number as ``compare(query, stored)``);
    ``containment`` is the share of the query's shingles found in the stored document
    (1.0: every sentence of the query was seen before).  ``passages`` and ``conflicts``
    come from ``overlap.compare(query, stored)``: span ``a`` is in the query, ``b`` in
    the stored text.  They are empty when the query asked for ``passages=False``.
    """

    id: str
    origin: str
    jaccard: float
    containment: float
    passages: tuple[Passage, ...] = ()
    conflicts: tuple[Conflict, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "origin": self.origin,
            "jaccard": round(self.jaccard, 4),
            "containment": round(self.containment, 4),
            "passages": [p.to_dict() for p in self.passages],
            "conflicts": [c.to_dict() for c in self.conflicts],
        }


@dataclass(frozen=True, slots=True)
class IndexStats:
    """Size and settings of an index.  ``file_bytes`` counts the database file and its
    write-ahead log; ``passage_*`` are the sentence-block LSH settings."""

    path: str
    documents: int
    schema_version: int
    num_perm: int
    seed: int
    shingle_size: int
    threshold: float
    bands: int
    rows: int
    passage_num_perm: int
    passage_bands: int
    passage_rows: int
    file_bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "documents": self.documents,
            "schema_version": self.schema_version,
            "num_perm": self.num_perm,
            "seed": self.seed,
            "shingle_size": self.shingle_size,
            "threshold": self.threshold,
            "bands": self.bands,
            "rows": self.rows,
            "passage_num_perm": self.passage_num_perm,
            "passage_bands": self.passage_bands,
            "passage_rows": self.passage_rows,
            "file_bytes": self.file_bytes,
        }


@dataclass(frozen=True, slots=True)
class RemoveReport:
    """What ``Index.remove`` did: how many documents it deleted, and the ids it was given
    that were not in the index (in the order given)."""

    removed: int
    missing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"removed": self.removed, "missing": list(self.missing)}


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One stored document as ``Index.entries`` lists it: ``id``, ``origin`` (where it was
    read from), ``length`` in characters and ``added_at`` in Unix seconds."""

    id: str
    origin: str
    length: int
    added_at: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "origin": self.origin, "length": self.length, "added_at": self.added_at}


# --------------------------------------------------------------------------- schema

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS docs (
    num INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    origin TEXT NOT NULL,
    length INTEGER NOT NULL,
    added_at REAL NOT NULL,
    signature BLOB NOT NULL,
    passage_keys BLOB NOT NULL,
    text BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS passages (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
"""


def _check_settings(num_perm: Any, seed: Any, shingle_size: Any, threshold: Any) -> None:
    def integer(name: str, v: Any, lo: int, hi: int) -> None:
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi):
            raise ConfigError(f"{name} must be an integer in [{lo}, {hi}]: {v!r}")

    integer("num_perm", num_perm, 2, 1024)
    integer("seed", seed, 0, 2**63 - 1)
    integer("shingle_size", shingle_size, 1, 100)
    if threshold is not None and (
        isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 < threshold <= 1.0
    ):
        raise ConfigError(f"threshold must be a number in (0, 1]: {threshold!r}")


# --------------------------------------------------------------------------- features


@dataclass(slots=True)
class _Features:
    """Hashes of a batch of texts: one signature per text, band keys per text and block."""

    signatures: np.ndarray  # (n, num_perm) uint32
    nonempty: np.ndarray  # (n,) bool: the text has at least one shingle
    doc_keys: np.ndarray  # (n, bands) uint64
    block_doc: np.ndarray  # (w,) int64: text of each sentence block
    block_keys: np.ndarray  # (w, passage_bands) uint64
    anchor_doc: np.ndarray  # (m,) int64: text of each long sentence
    anchor_keys: np.ndarray  # (m, 2) uint64: hashes of its first and last _ANCHOR tokens


# --------------------------------------------------------------------------- index


class Index:
    """An on-disk index of documents for near-duplicate and passage-reuse queries.

    See the module docstring for what is stored, the transaction rules and the costs.
    Not thread-safe: use one ``Index`` per thread or process (processes may share the file).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        read_only: bool = False,
        num_perm: int | None = None,
        seed: int | None = None,
        shingle_size: int | None = None,
        threshold: float | None = None,
    ) -> None:
        _check_settings(num_perm, seed, shingle_size, threshold)
        self.path = os.fspath(path)
        self._con: sqlite3.Connection | None = None
        self.last_query: dict[str, float] = {}
        """Work done by the last ``query``, for benchmarks: band ``lookups``, ``candidates``
        found, texts ``verified``; ``hash_ms`` (query signatures), ``lookup_ms`` (band
        lookups and candidate ranking), ``verify_ms`` (exact scores and ``compare``)."""
        exists = os.path.exists(self.path)
        if os.path.isdir(self.path):
            raise InputError(f"{self.path}: is a directory, not an index file")
        if not exists and not create:
            raise InputError(f"{self.path}: no such index")
        if exists and os.path.getsize(self.path) > 0 and not _looks_like_sqlite(self.path):
            raise InputError(f"{self.path}: not an overlap index (not an SQLite database)")
        if read_only and not exists:
            raise InputError(f"{self.path}: no such index")
        given = {"num_perm": num_perm, "seed": seed, "shingle_size": shingle_size, "threshold": threshold}
        # A read-only open of a WAL file needs its -shm beside it; in a directory we cannot
        # write, fall back to immutable (nobody can be writing there either).
        for uri in (["?mode=ro", "?mode=ro&immutable=1"] if read_only else [None]):
            with _db_errors(self.path):
                try:
                    if uri is None:
                        con = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
                    else:
                        target = "file:" + urllib.parse.quote(os.path.abspath(self.path)) + uri
                        con = sqlite3.connect(target, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None, uri=True)
                except sqlite3.Error as e:
                    raise InputError(f"{self.path}: cannot open index: {e}") from None
                self._con = con
                try:
                    con.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
                    meta = self._meta_or_create(create and not read_only, given)
                    if not read_only:
                        _wal(con, self.path)
                        con.execute("PRAGMA synchronous = FULL")
                    con.execute("PRAGMA cache_size = -65536")  # 64 MB of page cache for the B-trees
                except sqlite3.OperationalError as e:
                    con.close()
                    self._con = None
                    if uri == "?mode=ro" and "unable to open" in str(e):
                        continue
                    raise
                except BaseException:
                    con.close()
                    self._con = None
                    raise
                break
        with _db_errors(self.path, close=self):
            self._apply_meta(meta, given)

    # ---------------------------------------------------------------- open / settings

    def _meta_or_create(self, create: bool, given: dict[str, Any]) -> dict[str, str]:
        con = self._connection
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as e:
            if "unable to open" in str(e):
                raise  # a read-only directory, not a foreign file: Index() retries or reports it
            raise InputError(f"{self.path}: not an overlap index ({e})") from None
        if tables and "meta" not in tables:
            raise InputError(f"{self.path}: not an overlap index (an SQLite file without overlap's tables)")
        if not tables:
            if not create:
                raise InputError(f"{self.path}: no such index (the file is empty)")
            self._create(given)
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != FORMAT:
            raise InputError(f"{self.path}: not an overlap index (meta.format is {meta.get('format')!r})")
        version = int(meta.get("schema_version", "0"))
        if version != SCHEMA_VERSION:
            raise InputError(
                f"{self.path}: index schema version {version}, this overlap reads version {SCHEMA_VERSION}; "
                "rebuild the index with this version"
            )
        return meta

    def _create(self, given: dict[str, Any]) -> None:
        con = self._connection
        settings = {k: (DEFAULTS[k] if v is None else v) for k, v in given.items()}
        bands, rows = optimal_params(float(settings["threshold"]), int(settings["num_perm"]))
        meta = {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            **settings,
            "bands": bands,
            "rows": rows,
            "passage_sentences": _PASSAGE_SENTENCES,
            "passage_min_tokens": _PASSAGE_MIN_TOKENS,
            "passage_max_sentences": _PASSAGE_MAX_SENTENCES,
            "passage_num_perm": _PASSAGE_NUM_PERM,
            "passage_bands": _PASSAGE_BANDS,
            "passage_rows": _PASSAGE_ROWS,
            "created_at": time.time(),
        }
        # Two processes may create the same new file at once: the schema is created with
        # IF NOT EXISTS and meta with OR IGNORE inside one write transaction, so the first
        # one wins and the second reads (and checks) its settings.  WAL first, so the
        # creating transaction is already logged the way every later one is.
        _wal(con, self.path)
        con.execute("BEGIN IMMEDIATE")
        try:
            for stmt in _SCHEMA.strip().split(";\n"):
                if stmt.strip():
                    con.execute(stmt)
            con.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _apply_meta(self, meta: dict[str, str], given: dict[str, Any]) -> None:
        stored = {
            "num_perm": int(meta["num_perm"]),
            "seed": int(meta["seed"]),
            "shingle_size": int(meta["shingle_size"]),
            "threshold": float(meta["threshold"]),
        }
        for name, value in given.items():
            if value is not None and value != stored[name]:
                self.close()
                raise ConfigError(
                    f"{self.path} was built with {name}={stored[name]!r}, not {value!r}; "
                    f"omit {name} to use the stored value, or build a new index"
                )
        self.num_perm: int = stored["num_perm"]
        self.seed: int = stored["seed"]
        self.shingle_size: int = stored["shingle_size"]
        self.threshold: float = stored["threshold"]
        self.bands = int(meta["bands"])
        self.rows = int(meta["rows"])
        self.schema_version = int(meta["schema_version"])
        self._p_sentences = int(meta["passage_sentences"])
        self._p_min_tokens = int(meta["passage_min_tokens"])
        self._p_max_sentences = int(meta["passage_max_sentences"])
        self._p_num_perm = int(meta["passage_num_perm"])
        self._p_bands = int(meta["passage_bands"])
        self._p_rows = int(meta["passage_rows"])

    @property
    def _connection(self) -> sqlite3.Connection:
        if self._con is None:
            raise InputError(f"{self.path}: index is closed")
        return self._con

    def close(self) -> None:
        """Close the file (idempotent).  The last connection to close folds the WAL back in."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = "closed" if self._con is None else f"num_perm={self.num_perm}, bands={self.bands}x{self.rows}"
        return f"Index({self.path!r}, {state})"

    def __len__(self) -> int:
        with _db_errors(self.path):
            return int(self._connection.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def __contains__(self, id: object) -> bool:
        if not isinstance(id, str):
            return False
        return self._connection.execute("SELECT 1 FROM docs WHERE id = ?", (id,)).fetchone() is not None

    # ---------------------------------------------------------------- features

    def _blocks(self, counts: list[int], every_sentence: bool) -> Iterator[tuple[int, int]]:
        """Sentence ranges ``[i, j)`` of the blocks: consecutive for a stored text, one
        starting at every sentence for a query.  ``block(i)`` depends only on the
        sentences from ``i`` on, so a query block equals a stored block whenever the
        same sentences follow the same start."""
        n = len(counts)
        i = 0
        while i < n:
            j, tokens = i, 0
            while j < n and (j - i < self._p_sentences or tokens < self._p_min_tokens) and j - i < self._p_max_sentences:
                tokens += counts[j]
                j += 1
            if tokens >= self._p_min_tokens:
                yield i, j
            i = i + 1 if every_sentence else j

    def _features(self, texts: Sequence[str], *, every_sentence: bool = False) -> _Features:
        """Signatures and band keys of ``texts``, batched: one ``tokenize`` call and one
        signature kernel call per level for the whole batch (``overlap.signatures`` does the
        same joins; the document signatures equal ``overlap.signatures.minhash(texts)``)."""
        k = self.shingle_size
        views = [normalize(t) for t in texts]
        n = len(texts)
        lengths = np.fromiter((len(v.text) for v in views), dtype=np.int64, count=n)
        char_starts = np.zeros(n, dtype=np.int64)
        if n > 1:
            np.cumsum(lengths[:-1] + 1, out=char_starts[1:])
        toks = tokenize("\n".join(v.text for v in views))  # tokens never cross the "\n"
        hashes = toks.hashes
        tok_lo = np.searchsorted(toks.starts, char_starts, "left")
        tok_hi = np.append(tok_lo[1:], len(hashes))
        # all_sh[t] hashes tokens t .. t+k-1 of the joined stream; a slice is a text's
        # (or block's) shingles when it stops k - 1 tokens before the range ends.
        all_sh = shingles(hashes, k) if len(hashes) >= k else np.zeros(0, dtype=np.uint64)
        empty = np.zeros(0, dtype=np.uint64)
        doc_sh: list[np.ndarray] = []
        block_sh: list[np.ndarray] = []
        block_doc: list[int] = []
        anchor_doc: list[int] = []
        anchor_at: list[tuple[int, int]] = []  # token positions of a sentence's first and last anchor
        all_an = shingles(hashes, _ANCHOR) if len(hashes) >= _ANCHOR else np.zeros(0, dtype=np.uint64)
        for d in range(n):
            lo, hi = int(tok_lo[d]), int(tok_hi[d])
            if hi - lo >= k:
                doc_sh.append(all_sh[lo : hi - k + 1])
            elif hi > lo:
                doc_sh.append(shingles(hashes[lo:hi], k))  # fewer than k tokens: one shingle
            else:
                doc_sh.append(empty)
                continue
            view_starts = toks.starts[lo:hi] - char_starts[d]
            view = views[d]
            orig = view_starts if view.identity else view.starts[view_starts]  # type: ignore[index]
            spans = sentences(texts[d])
            if not spans:
                continue
            s_lo = np.searchsorted(orig, [s.start for s in spans], "left")
            s_hi = np.searchsorted(orig, [s.end for s in spans], "left")
            counts = (s_hi - s_lo).tolist()
            for i, c in enumerate(counts):
                if c >= _ANCHOR_MIN_TOKENS:
                    anchor_doc.append(d)
                    anchor_at.append((lo + int(s_lo[i]), lo + int(s_hi[i]) - _ANCHOR))
            for i, j in self._blocks(counts, every_sentence):
                a, b = lo + int(s_lo[i]), lo + int(s_hi[j - 1])
                if b - a >= k:
                    block_sh.append(all_sh[a : b - k + 1])
                    block_doc.append(d)
        sig = signatures_from_shingles(doc_sh, num_perm=self.num_perm, seed=self.seed)
        nonempty = np.fromiter((len(s) > 0 for s in doc_sh), dtype=bool, count=n)
        doc_keys = band_keys(sig, self.bands, self.rows)
        if block_sh:
            bsig = signatures_from_shingles(block_sh, num_perm=self._p_num_perm, seed=self.seed)
            bkeys = band_keys(bsig, self._p_bands, self._p_rows)
        else:
            bkeys = np.zeros((0, self._p_bands), dtype=np.uint64)
        at = np.asarray(anchor_at, dtype=np.int64).reshape(-1, 2)
        akeys = all_an[at] ^ _ANCHOR_SALT if len(at) else np.zeros((0, 2), dtype=np.uint64)
        return _Features(
            sig, nonempty, doc_keys, np.asarray(block_doc, dtype=np.int64), bkeys,
            np.asarray(anchor_doc, dtype=np.int64), akeys,
        )

    # ---------------------------------------------------------------- add

    def add(
        self, documents: Iterable[Document], *, on_duplicate: str = "replace", batch_size: int = 500
    ) -> AddReport:
        """Add ``documents`` (``overlap.Document``), committing every ``batch_size`` of them.

        ``on_duplicate`` says what an id already in the index (or earlier in this call)
        does: ``"replace"`` the stored document, ``"skip"`` it, or ``"reject"`` it with
        ``InputError`` after committing every document before it.  ``documents`` may be a
        lazy iterator; an error it raises propagates after the batches already committed.

        Cost: about 1 ms of hashing per 2,600-character article on one core (normalise,
        tokenise, segment, two signature levels), then about 90 B-tree inserts; one
        fsync per batch.  The write lock is held only while a batch is written.
        """
        if on_duplicate not in _POLICIES:
            raise ConfigError(f"on_duplicate must be one of {', '.join(_POLICIES)}: {on_duplicate!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= 100_000:
            raise ConfigError(f"batch_size must be an integer in [1, 100000]: {batch_size!r}")
        if isinstance(documents, (str, bytes, Document)):
            raise ConfigError("documents must be an iterable of Document records: wrap a single one in a list")
        added = replaced = skipped = 0
        it = iter(documents)
        while True:
            # A bad record (from the reader or here) ends the call, but the good documents
            # before it in the same batch are committed first and counted in the message.
            batch: list[Document] = []
            error: BaseException | None = None
            try:
                for doc in islice(it, batch_size):
                    _check_document(doc)
                    batch.append(doc)
            except Exception as e:
                error = e
            if batch:
                with _db_errors(self.path, committed=added + replaced):
                    a, r, s = self._add_batch(batch, on_duplicate)
                added, replaced, skipped = added + a, replaced + r, skipped + s
            if error is not None:
                if isinstance(error, OverlapError):
                    raise type(error)(f"{error}; {added + replaced:,} documents before it were committed") from None
                raise error
            if len(batch) < batch_size:
                break
        return AddReport(added, replaced, skipped)

    def _add_batch(self, batch: list[Document], policy: str) -> tuple[int, int, int]:
        feats = self._features([d.text for d in batch])
        texts = [zlib.compress(d.text.encode("utf-8"), 6) for d in batch]
        sig_blobs = [s.tobytes() for s in feats.signatures]
        order = np.argsort(feats.block_doc, kind="stable")
        bounds = np.searchsorted(feats.block_doc[order], np.arange(len(batch) + 1))
        a_order = np.argsort(feats.anchor_doc, kind="stable")
        a_bounds = np.searchsorted(feats.anchor_doc[a_order], np.arange(len(batch) + 1))
        pkeys = [
            _arrays.unique(np.concatenate((
                feats.block_keys[order[bounds[d] : bounds[d + 1]]].ravel(),
                feats.anchor_keys[a_order[a_bounds[d] : a_bounds[d + 1]]].ravel(),
            )))
            for d in range(len(batch))
        ]
        con = self._connection
        now = time.time()
        con.execute("BEGIN IMMEDIATE")
        try:
            existing = self._existing_ids([d.id for d in batch])
            plan: dict[str, int] = {}  # id -> position in batch of the version to write
            added = replaced = skipped = 0
            rejected: Document | None = None
            for i, doc in enumerate(batch):
                if doc.id in existing or doc.id in plan:
                    if policy == "skip":
                        skipped += 1
                        continue
                    if policy == "reject":
                        rejected = doc
                        break
                    replaced += 1
                else:
                    added += 1
                plan[doc.id] = i
            old = [existing[i] for i in plan if i in existing]
            if old:
                self._delete(old)
            base = int(con.execute("SELECT COALESCE(MAX(num), 0) FROM docs").fetchone()[0]) + 1
            positions = sorted(plan.values())
            nums = {p: base + t for t, p in enumerate(positions)}
            con.executemany(
                "INSERT INTO docs (num, id, origin, length, added_at, signature, passage_keys, text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (nums[p], batch[p].id, batch[p].origin, len(batch[p].text), now, sig_blobs[p],
                     pkeys[p].tobytes(), texts[p])
                    for p in positions
                ],
            )
            self._insert_keys("bands", [(feats.doc_keys[p], nums[p]) for p in positions if feats.nonempty[p]])
            self._insert_keys("passages", [(pkeys[p], nums[p]) for p in positions])
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        if rejected is not None:
            where = f"{rejected.origin}: " if rejected.origin else ""
            raise InputError(
                f"{where}id {rejected.id!r} is already in the index (on_duplicate='reject'); "
                "the documents before it were added"
            )
        return added, replaced, skipped

    def _existing_ids(self, ids: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        unique = list(dict.fromkeys(ids))
        for lo in range(0, len(unique), _SQL_CHUNK):
            chunk = unique[lo : lo + _SQL_CHUNK]
            marks = ",".join("?" * len(chunk))
            out.update(self._connection.execute(f"SELECT id, num FROM docs WHERE id IN ({marks})", chunk).fetchall())
        return out

    def _delete(self, nums: list[int]) -> None:
        """Delete documents and their band rows (inside the caller's transaction)."""
        con = self._connection
        for lo in range(0, len(nums), _SQL_CHUNK):
            chunk = nums[lo : lo + _SQL_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = con.execute(
                f"SELECT num, signature, passage_keys FROM docs WHERE num IN ({marks})", chunk
            ).fetchall()
            sigs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint32).reshape(len(rows), self.num_perm)
            keys = band_keys(sigs, self.bands, self.rows)
            doc_rows = []
            for (num, _, pk), ks in zip(rows, keys):
                doc_rows += [(k, num) for k in ks.view(np.int64).tolist()]
            con.executemany("DELETE FROM bands WHERE key = ? AND doc = ?", doc_rows)
            con.executemany(
                "DELETE FROM passages WHERE key = ? AND doc = ?",
                [(k, num) for num, _, pk in rows for k in np.frombuffer(pk, dtype=np.int64).tolist()],
            )
            con.executemany("DELETE FROM docs WHERE num = ?", [(r[0],) for r in rows])

    def _insert_keys(self, table: str, items: list[tuple[np.ndarray, int]]) -> None:
        if not items:
            return
        keys = np.concatenate([k.ravel() for k, _ in items]).view(np.int64)
        docs = np.concatenate([np.full(k.size, num, dtype=np.int64) for k, num in items])
        order = np.lexsort((docs, keys))  # key order: B-tree inserts walk the pages in order
        self._connection.executemany(
            f"INSERT OR IGNORE INTO {table} (key, doc) VALUES (?, ?)",
            zip(keys[order].tolist(), docs[order].tolist()),
        )

    # ---------------------------------------------------------------- query

    def query(
        self, text: str, *, top: int = 10, min_similarity: float = 0.0, passages: bool = True
    ) -> tuple[Match, ...]:
        """Stored documents sharing text with ``text``, best first.

        A match is kept when its ``jaccard`` or its ``containment`` is at least
        ``min_similarity`` and the two texts share at least one shingle; results are
        sorted by ``(-jaccard, -containment, id)``.  ``passages=False`` skips
        ``overlap.compare`` (the costly part: a few ms per match) and returns scores only.

        Cost: ``bands + 8 * sentences`` B-tree lookups, one signature read per candidate,
        exact verification of at most ``max(4 * top, 40)`` candidates from their stored
        texts, and ``top`` comparisons; independent of the index size except through
        the number of genuine candidates.
        """
        if not isinstance(text, str):
            raise ConfigError(f"query text must be str, got {type(text).__name__}")
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise ConfigError(f"top must be a positive integer: {top!r}")
        if isinstance(min_similarity, bool) or not isinstance(min_similarity, (int, float)) or not (
            0.0 <= min_similarity <= 1.0
        ):
            raise ConfigError(f"min_similarity must be in [0, 1]: {min_similarity!r}")
        with _db_errors(self.path):
            return self._query(text, top, float(min_similarity), passages)

    def _query(self, text: str, top: int, min_similarity: float, passages: bool) -> tuple[Match, ...]:
        t0 = time.perf_counter()
        feats = self._features([text], every_sentence=True)
        self.last_query = {"lookups": 0, "candidates": 0, "verified": 0}
        if not feats.nonempty[0]:
            return ()
        con = self._connection
        t1 = time.perf_counter()
        # One read transaction: every lookup and fetch sees the same snapshot, even while
        # another process commits batches (WAL readers never block writers).
        con.execute("BEGIN")
        try:
            nums = self._candidates(feats, top)
            t2 = time.perf_counter()
            rows = self._fetch_texts(nums)
        finally:
            con.execute("COMMIT")
        out = self._verify(text, rows, top, float(min_similarity), passages)
        t3 = time.perf_counter()
        self.last_query.update(hash_ms=(t1 - t0) * 1e3, lookup_ms=(t2 - t1) * 1e3, verify_ms=(t3 - t2) * 1e3)
        return out

    def _candidates(self, feats: _Features, top: int) -> list[int]:
        """Documents sharing a band key with the query, best ``max(4 * top, 40)`` first."""
        doc_hits: set[int] = set()
        for key in feats.doc_keys[0].view(np.int64).tolist():
            doc_hits.update(self._bucket("bands", key))
        block_hits: dict[int, set[int]] = {}
        # A query block or long sentence "hits" a document when any of its keys does.
        rows = feats.block_keys.view(np.int64).tolist() + feats.anchor_keys.view(np.int64).tolist()
        for w, row in enumerate(rows):
            for key in row:
                for d in self._bucket("passages", key):
                    block_hits.setdefault(d, set()).add(w)
        cands = sorted(doc_hits | block_hits.keys())
        lookups = len(feats.doc_keys[0]) + feats.block_keys.size + feats.anchor_keys.size
        self.last_query = {"lookups": lookups, "candidates": len(cands), "verified": 0}
        # Cheapest filter first: the MinHash estimate from the stored signature and the
        # share of query blocks that hit, before any stored text is decompressed.
        nblocks = max(len(rows), 1)
        scored: list[tuple[float, int]] = []
        for lo in range(0, len(cands), _SQL_CHUNK):
            chunk = cands[lo : lo + _SQL_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._connection.execute(f"SELECT num, signature FROM docs WHERE num IN ({marks})", chunk).fetchall()
            if not rows:
                continue
            sigs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint32).reshape(len(rows), self.num_perm)
            est = np.atleast_1d(estimate_jaccard(feats.signatures[0], sigs)).tolist()
            for (num, _), e in zip(rows, est):
                scored.append((max(e, len(block_hits.get(num, ())) / nblocks), num))
        scored.sort(key=lambda t: (-t[0], t[1]))
        verify = [num for _, num in scored[: max(4 * top, 40)]]
        self.last_query["verified"] = len(verify)
        return verify

    def _bucket(self, table: str, key: int) -> list[int]:
        rows = self._connection.execute(
            f"SELECT doc FROM {table} WHERE key = ? LIMIT {_MAX_BUCKET + 1}", (key,)
        ).fetchall()
        return [] if len(rows) > _MAX_BUCKET else [r[0] for r in rows]

    def _fetch_texts(self, nums: list[int]) -> list[tuple[str, str, str]]:
        """``(id, origin, text)`` of documents ``nums``."""
        out: list[tuple[str, str, str]] = []
        for lo in range(0, len(nums), _SQL_CHUNK):
            chunk = nums[lo : lo + _SQL_CHUNK]
            marks = ",".join("?" * len(chunk))
            for id_, origin, blob in self._connection.execute(
                f"SELECT id, origin, text FROM docs WHERE num IN ({marks})", chunk
            ):
                out.append((id_, origin, zlib.decompress(blob).decode("utf-8")))
        return out

    def _verify(
        self, text: str, rows: list[tuple[str, str, str]], top: int, min_sim: float, passages: bool
    ) -> tuple[Match, ...]:
        """Exact scores from the stored texts, filter, sort, and ``compare`` the best."""
        from .signatures import shingle_batch

        if not rows:
            return ()
        flat, offs = shingle_batch([text] + [r[2] for r in rows], self.shingle_size)
        q = _arrays.unique(flat[offs[0] : offs[1]])
        found: list[tuple[float, float, str, str, str]] = []
        for t, (id_, origin, stored) in enumerate(rows, start=1):
            s = _arrays.unique(flat[offs[t] : offs[t + 1]])
            inter = len(np.intersect1d(q, s, assume_unique=True))
            if inter == 0:
                continue  # an LSH false positive: not one shingle in common
            jac = inter / (len(q) + len(s) - inter)
            cont = inter / len(q)
            if max(jac, cont) >= min_sim:
                found.append((jac, cont, id_, origin, stored))
        found.sort(key=lambda f: (-f[0], -f[1], f[2]))
        out = []
        for jac, cont, id_, origin, stored in found[:top]:
            if passages:
                from .pipeline import compare

                c = compare(text, stored)
                out.append(Match(id_, origin, jac, cont, c.passages, c.conflicts))
            else:
                out.append(Match(id_, origin, jac, cont))
        return tuple(out)

    # ---------------------------------------------------------------- stats

    def stats(self) -> IndexStats:
        """Counts and settings.  Cost: one count over the id index."""
        with _db_errors(self.path):
            return self._stats()

    def _stats(self) -> IndexStats:
        size = 0
        for suffix in ("", "-wal"):
            try:
                size += os.path.getsize(self.path + suffix)
            except OSError:
                pass
        return IndexStats(
            path=self.path,
            documents=len(self),
            schema_version=self.schema_version,
            num_perm=self.num_perm,
            seed=self.seed,
            shingle_size=self.shingle_size,
            threshold=self.threshold,
            bands=self.bands,
            rows=self.rows,
            passage_num_perm=self._p_num_perm,
            passage_bands=self._p_bands,
            passage_rows=self._p_rows,
            file_bytes=size,
        )

    # ---------------------------------------------------------------- lifecycle

    def remove(self, ids: Iterable[str]) -> RemoveReport:
        """Delete the documents ``ids`` and their band rows in one transaction: a process
        killed during ``remove`` leaves all of them or none.  Ids not in the index are
        reported, not an error.  Cost: a B-tree delete per band key of each document."""
        if isinstance(ids, str):
            raise ConfigError("ids must be a collection of ids, not one string: wrap it in a list")
        wanted = list(dict.fromkeys(ids))
        for i in wanted:
            if not isinstance(i, str):
                raise ConfigError(f"ids must be strings, got {type(i).__name__}: {i!r}")
        con = self._connection
        con.execute("BEGIN IMMEDIATE")
        try:
            found = self._existing_ids(wanted)
            self._delete(sorted(found.values()))
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        return RemoveReport(len(found), tuple(i for i in wanted if i not in found))

    def entries(self) -> Iterator[IndexEntry]:
        """Every stored document in the order added (no texts).  Streams: one row at a time."""
        cur = self._connection.execute("SELECT id, origin, length, added_at FROM docs ORDER BY num")
        for id_, origin, length, added in cur:
            yield IndexEntry(id_, origin, int(length), float(added))

    def export(self, path: str | os.PathLike[str]) -> int:
        """Write every document as a JSON line (``id``, ``text``, ``origin``, ``added_at``)
        to ``path`` atomically; ``overlap index add`` reads the file back.  Returns the count.
        Cost: one pass over the stored texts, decompressing each."""
        import json

        from .outputs import atomic_writer, check_output_path

        check_output_path(path, inputs=[self.path], what="export")
        n = 0
        try:
            with atomic_writer(path) as f:
                cur = self._connection.execute("SELECT id, origin, added_at, text FROM docs ORDER BY num")
                for id_, origin, added, blob in cur:
                    rec = {"id": id_, "text": zlib.decompress(blob).decode("utf-8"), "origin": origin, "added_at": added}
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    n += 1
        except OSError as e:
            raise InputError(f"{path}: cannot write ({e.strerror or e})") from None
        return n

    def vacuum(self) -> tuple[int, int]:
        """Rewrite the file without the pages freed by ``remove`` and replaced documents;
        returns the file size in bytes ``(before, after)``.  Needs free disk space about
        the size of the index and blocks writers while it runs."""
        before = self.stats().file_bytes
        con = self._connection
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("VACUUM")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return before, self.stats().file_bytes


def _wal(con: sqlite3.Connection, path: str) -> None:
    """Switch to WAL journaling, waiting for other processes like a busy timeout would.

    Trap: SQLite answers "database is locked" to ``PRAGMA journal_mode = WAL`` at once,
    without calling the busy handler, while another process is creating the same file.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode == "wal":
                return
            raise InputError(f"{path}: cannot switch the index to WAL journaling (got {mode!r})")
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise InputError(f"{path}: {e}") from None
            if time.monotonic() > deadline:
                raise InputError(f"{path}: index is locked by another process ({e})") from None
            time.sleep(0.01)


@contextmanager
def _db_errors(path: str, *, committed: int | None = None, close: "Index | None" = None) -> Iterator[None]:
    """Turn what a damaged, full or read-only index raises into one ``InputError`` line."""
    try:
        yield
    except (sqlite3.Error, zlib.error, UnicodeError, ValueError, KeyError, OverflowError) as e:
        if isinstance(e, OverlapError):
            raise
        if close is not None:
            close.close()
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        if isinstance(e, (zlib.error, UnicodeError, ValueError, KeyError, OverflowError)) or "malformed" in msg:
            msg = f"index is damaged ({type(e).__name__}: {msg}); rebuild it from the sources"
        elif "disk I/O" in msg or "full" in msg:
            msg = f"cannot write the index ({msg}; disk full or over a file-size limit?)"
        kept = f"; {committed:,} documents before it were committed" if committed is not None else ""
        raise InputError(f"{path}: {msg}{kept}") from None


def _looks_like_sqlite(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == b"SQLite format 3\x00"
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_document(doc: object) -> None:
    if not isinstance(doc, Document):
        raise ConfigError(f"documents must be overlap.Document records, got {type(doc).__name__}: {doc!r:.80}")
    if not isinstance(doc.id, str) or not doc.id:
        raise InputError(f"{doc.origin or 'document'}: id must be a non-empty string: {doc.id!r}")
    if not isinstance(doc.text, str):
        raise InputError(f"{doc.origin or doc.id}: text must be str, got {type(doc.text).__name__}")
    for what, value in (("id", doc.id), ("text", doc.text)):
        m = _SURROGATE.search(value)
        if m:
            raise InputError(f"{doc.origin or 'document'}: {what} holds a lone surrogate (U+{ord(m.group()):04X}) "
                             f"at character {m.start()}; it cannot be stored as UTF-8")
