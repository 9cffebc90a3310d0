"""The SQLite side of an index: schema, settings, opening, and the row-level writes.

``SCHEMA_VERSION``, ``FORMAT``, ``DEFAULTS``
    The table layout version, the ``meta.format`` marker, the settings of a new index.
``Settings``
    The stored settings of an open index (document and passage LSH levels).
``open_index(path, *, create, read_only, given) -> (connection, Settings)``
    Open or create the file, check it is an overlap index of this schema version, and
    reconcile the caller's settings with the stored ones.
``db_errors(path, ...)``
    Turns what a damaged, full or read-only file raises into one ``InputError`` line.
``existing_ids``, ``delete_docs``, ``insert_keys``
    Row-level work inside the caller's transaction; each costs a B-tree operation per row.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import ConfigError, InputError, OverlapError
from ..lsh import band_keys, optimal_params
from ..records import Document

SCHEMA_VERSION = 2
"""Version of the table layout; an index with another version is refused."""

FORMAT = "overlap-index"
"""Value of ``meta.format``: how an overlap index is told from other SQLite files."""

DEFAULTS = {"num_perm": 128, "seed": 1, "shingle_size": 5, "threshold": 0.5, "reworded": False}
"""Settings of a new index when the caller gives none."""

# Passage level (fixed in schema version 1, stored in meta so a later version can vary it).
PASSAGE_SENTENCES = 3  # sentences per block, at least
PASSAGE_MIN_TOKENS = 30  # tokens per block, at least (short lines join the next block)
PASSAGE_MAX_SENTENCES = 12  # cap, so a run of one-word lines does not swallow the text
PASSAGE_NUM_PERM = 32
PASSAGE_BANDS = 8
PASSAGE_ROWS = 4
# Reworded level (``meta.reworded``, opt-in at creation): each sentence's bag of content
# units (``overlap.corpus.reworded``) keyed by BAG_BANDS bands of BAG_ROWS MinHash rows,
# about Jaccard 0.5.  A file without the key has no bags (made before, or without it).
BAG_BANDS = 16
BAG_ROWS = 4

BUSY_TIMEOUT_MS = 30_000
MAX_BUCKET = 1000  # band buckets larger than this are boilerplate: skipped by queries
SQL_CHUNK = 500  # host parameters per IN (...) list, well under SQLite's limit

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
    text BLOB NOT NULL,
    metadata TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS passages (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings an index was built with, read from its ``meta`` table."""

    num_perm: int
    seed: int
    shingle_size: int
    threshold: float
    bands: int
    rows: int
    schema_version: int
    passage_sentences: int
    passage_min_tokens: int
    passage_max_sentences: int
    passage_num_perm: int
    passage_bands: int
    passage_rows: int
    reworded: bool = False
    """Whether every stored text is also keyed by its sentences' bags of content units."""
    has_metadata: bool = True
    """Whether ``docs`` has the ``metadata`` column (files made before it have not, until
    a writable open adds it)."""


def check_settings(num_perm: Any, seed: Any, shingle_size: Any, threshold: Any, reworded: Any = None) -> None:
    """Validate the settings a caller passes to ``Index`` (``None``: the stored value)."""

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
    if reworded is not None and not isinstance(reworded, bool):
        raise ConfigError(f"reworded must be True, False or None: {reworded!r}")


def open_index(path: str, *, create: bool, read_only: bool, given: dict[str, Any]) -> tuple[sqlite3.Connection, Settings]:
    """Open (or create) the index file ``path``: a checked connection and its settings.

    The caller has checked that ``path`` is not a directory and exists unless ``create``.
    """
    meta: dict[str, str] = {}
    con: sqlite3.Connection | None = None
    # A read-only open of a WAL file needs its -shm beside it; in a directory we cannot
    # write, fall back to immutable (nobody can be writing there either).
    for uri in (["?mode=ro", "?mode=ro&immutable=1"] if read_only else [None]):
        with db_errors(path):
            try:
                if uri is None:
                    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
                else:
                    target = "file:" + urllib.parse.quote(os.path.abspath(path)) + uri
                    con = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, uri=True)
            except sqlite3.Error as e:
                raise InputError(f"{path}: cannot open index: {e}") from None
            try:
                con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                meta = _meta_or_create(con, path, create and not read_only, given)
                if not read_only:
                    wal(con, path)
                    con.execute("PRAGMA synchronous = FULL")
                con.execute("PRAGMA cache_size = -65536")  # 64 MB of page cache for the B-trees
            except sqlite3.OperationalError as e:
                con.close()
                con = None
                if uri == "?mode=ro" and "unable to open" in str(e):
                    continue
                raise
            except BaseException:
                con.close()
                raise
            break
    assert con is not None
    with db_errors(path, close=con.close):
        settings = _apply_meta(con, path, meta, given)
        return con, replace(settings, has_metadata=_metadata_column(con, writable=not read_only))


def _metadata_column(con: sqlite3.Connection, *, writable: bool) -> bool:
    """Whether ``docs.metadata`` exists, adding it (one transaction) to an older file
    opened for writing.  Two processes may race here: the second sees the column."""
    def present() -> bool:
        return any(r[1] == "metadata" for r in con.execute("PRAGMA table_info(docs)"))

    if present() or not writable:
        return present()
    con.execute("BEGIN IMMEDIATE")
    try:
        if not present():
            con.execute("ALTER TABLE docs ADD COLUMN metadata TEXT NOT NULL DEFAULT ''")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


def _meta_or_create(con: sqlite3.Connection, path: str, create: bool, given: dict[str, Any]) -> dict[str, str]:
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as e:
        if "unable to open" in str(e):
            raise  # a read-only directory, not a foreign file: open_index retries or reports it
        raise InputError(f"{path}: not an overlap index ({e})") from None
    if tables and "meta" not in tables:
        raise InputError(f"{path}: not an overlap index (an SQLite file without overlap's tables)")
    if not tables:
        if not create:
            raise InputError(f"{path}: no such index (the file is empty)")
        _create(con, path, given)
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") != FORMAT:
        raise InputError(f"{path}: not an overlap index (meta.format is {meta.get('format')!r})")
    version = int(meta.get("schema_version", "0"))
    if version != SCHEMA_VERSION:
        raise InputError(
            f"{path}: index schema version {version}, this overlap reads version {SCHEMA_VERSION}; "
            "rebuild the index with this version"
        )
    return meta


def _create(con: sqlite3.Connection, path: str, given: dict[str, Any]) -> None:
    settings: dict[str, Any] = {k: (DEFAULTS[k] if v is None else v) for k, v in given.items()}
    settings["reworded"] = int(bool(settings.get("reworded")))
    bands, rows = optimal_params(float(settings["threshold"]), int(settings["num_perm"]))
    meta = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        **settings,
        "bands": bands,
        "rows": rows,
        "passage_sentences": PASSAGE_SENTENCES,
        "passage_min_tokens": PASSAGE_MIN_TOKENS,
        "passage_max_sentences": PASSAGE_MAX_SENTENCES,
        "passage_num_perm": PASSAGE_NUM_PERM,
        "passage_bands": PASSAGE_BANDS,
        "passage_rows": PASSAGE_ROWS,
        "created_at": time.time(),
    }
    # Two processes may create the same new file at once: the schema is created with
    # IF NOT EXISTS and meta with OR IGNORE inside one write transaction, so the first
    # one wins and the second reads (and checks) its settings.  WAL first, so the
    # creating transaction is already logged the way every later one is.
    wal(con, path)
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


def _apply_meta(con: sqlite3.Connection, path: str, meta: dict[str, str], given: dict[str, Any]) -> Settings:
    stored = {
        "num_perm": int(meta["num_perm"]),
        "seed": int(meta["seed"]),
        "shingle_size": int(meta["shingle_size"]),
        "threshold": float(meta["threshold"]),
        "reworded": meta.get("reworded", "0") == "1",
    }
    for name, value in given.items():
        if value is not None and value != stored[name]:
            con.close()
            raise ConfigError(
                f"{path} was built with {name}={stored[name]!r}, not {value!r}; "
                f"omit {name} to use the stored value, or build a new index"
            )
    return Settings(
        num_perm=int(stored["num_perm"]),
        seed=int(stored["seed"]),
        shingle_size=int(stored["shingle_size"]),
        threshold=float(stored["threshold"]),
        bands=int(meta["bands"]),
        rows=int(meta["rows"]),
        schema_version=int(meta["schema_version"]),
        passage_sentences=int(meta["passage_sentences"]),
        passage_min_tokens=int(meta["passage_min_tokens"]),
        passage_max_sentences=int(meta["passage_max_sentences"]),
        passage_num_perm=int(meta["passage_num_perm"]),
        passage_bands=int(meta["passage_bands"]),
        passage_rows=int(meta["passage_rows"]),
        reworded=bool(stored["reworded"]),
    )


def metadata_sql(settings: Settings) -> str:
    """The select expression of a document's metadata (``''`` on a file without the column)."""
    return "metadata" if settings.has_metadata else "''"


def wal(con: sqlite3.Connection, path: str) -> None:
    """Switch to WAL journaling, waiting for other processes like a busy timeout would.

    Trap: SQLite answers "database is locked" to ``PRAGMA journal_mode = WAL`` at once,
    without calling the busy handler, while another process is creating the same file.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
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
def db_errors(path: str, *, committed: int | None = None, close: Callable[[], None] | None = None) -> Iterator[None]:
    """Turn what a damaged, full or read-only index raises into one ``InputError`` line
    (calling ``close`` first when given)."""
    try:
        yield
    except (sqlite3.Error, zlib.error, UnicodeError, ValueError, KeyError, OverflowError) as e:
        if isinstance(e, OverlapError):
            raise
        if close is not None:
            close()
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        if isinstance(e, (zlib.error, UnicodeError, ValueError, KeyError, OverflowError)) or "malformed" in msg:
            msg = f"index is damaged ({type(e).__name__}: {msg}); rebuild it from the sources"
        elif "disk I/O" in msg or "full" in msg:
            msg = f"cannot write the index ({msg}; disk full or over a file-size limit?)"
        kept = f"; {committed:,} documents before it were committed" if committed is not None else ""
        raise InputError(f"{path}: {msg}{kept}") from None


def looks_like_sqlite(path: str) -> bool:
    """Whether ``path`` starts with the SQLite header (an empty file is checked elsewhere)."""
    try:
        with open(path, "rb") as f:
            return f.read(16) == b"SQLite format 3\x00"
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from None


def file_bytes(path: str) -> int:
    """Size of the database file and its write-ahead log."""
    size = 0
    for suffix in ("", "-wal"):
        try:
            size += os.path.getsize(path + suffix)
        except OSError:
            pass
    return size


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_document(doc: object) -> None:
    """A ``Document`` with a non-empty ``str`` id and a ``str`` text, both storable as UTF-8."""
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


def existing_ids(con: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
    """``id -> num`` of the ``ids`` already stored."""
    out: dict[str, int] = {}
    unique = list(dict.fromkeys(ids))
    for lo in range(0, len(unique), SQL_CHUNK):
        chunk = unique[lo : lo + SQL_CHUNK]
        marks = ",".join("?" * len(chunk))
        out.update(con.execute(f"SELECT id, num FROM docs WHERE id IN ({marks})", chunk).fetchall())
    return out


def delete_docs(con: sqlite3.Connection, settings: Settings, nums: list[int]) -> None:
    """Delete documents and their band rows (inside the caller's transaction)."""
    for lo in range(0, len(nums), SQL_CHUNK):
        chunk = nums[lo : lo + SQL_CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = con.execute(f"SELECT num, signature, passage_keys FROM docs WHERE num IN ({marks})", chunk).fetchall()
        sigs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint32).reshape(len(rows), settings.num_perm)
        keys = band_keys(sigs, settings.bands, settings.rows)
        doc_rows = []
        for (num, _, pk), ks in zip(rows, keys):
            doc_rows += [(k, num) for k in ks.view(np.int64).tolist()]
        con.executemany("DELETE FROM bands WHERE key = ? AND doc = ?", doc_rows)
        con.executemany(
            "DELETE FROM passages WHERE key = ? AND doc = ?",
            [(k, num) for num, _, pk in rows for k in np.frombuffer(pk, dtype=np.int64).tolist()],
        )
        con.executemany("DELETE FROM docs WHERE num = ?", [(r[0],) for r in rows])


def insert_keys(con: sqlite3.Connection, table: str, items: list[tuple[np.ndarray, int]]) -> None:
    """Insert ``(key, doc)`` rows into ``bands`` or ``passages`` in key order."""
    if not items:
        return
    keys = np.concatenate([k.ravel() for k, _ in items]).view(np.int64)
    docs = np.concatenate([np.full(k.size, num, dtype=np.int64) for k, num in items])
    order = np.lexsort((docs, keys))  # key order: B-tree inserts walk the pages in order
    con.executemany(
        f"INSERT OR IGNORE INTO {table} (key, doc) VALUES (?, ?)",
        zip(keys[order].tolist(), docs[order].tolist()),
    )
