"""The ``Index`` class: opens the file, adds documents in batches, and hands queries and
the lifecycle to ``query`` and ``lifecycle``.  See ``overlap.index`` for the design."""

from __future__ import annotations

import json
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

import numpy as np

from .. import _arrays
from ..errors import ConfigError, InputError, OverlapError
from ..records import Document
from . import lifecycle
from .features import Features, features
from .query import run_query
from .records import AddReport, IndexEntry, IndexStats, Match, RemoveReport
from .storage import (
    Settings, check_document, check_settings, db_errors, delete_docs, existing_ids, file_bytes, insert_keys,
    looks_like_sqlite, open_index,
)

__all__ = ["Index"]

_POLICIES = ("replace", "reject", "skip")


class Index:
    """An on-disk index of documents for near-duplicate and passage-reuse queries.

    See ``overlap.index`` for what is stored, the transaction rules and the costs.
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
        reworded: bool | None = None,
    ) -> None:
        check_settings(num_perm, seed, shingle_size, threshold, reworded)
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
        if exists and os.path.getsize(self.path) > 0 and not looks_like_sqlite(self.path):
            raise InputError(f"{self.path}: not an overlap index (not an SQLite database)")
        if read_only and not exists:
            raise InputError(f"{self.path}: no such index")
        given = {
            "num_perm": num_perm, "seed": seed, "shingle_size": shingle_size, "threshold": threshold, "reworded": reworded,
        }
        self._con, s = open_index(self.path, create=create, read_only=read_only, given=given)
        self._settings: Settings = s
        self.num_perm: int = s.num_perm
        self.seed: int = s.seed
        self.shingle_size: int = s.shingle_size
        self.threshold: float = s.threshold
        self.bands: int = s.bands
        self.rows: int = s.rows
        self.schema_version: int = s.schema_version
        self.reworded: bool = s.reworded

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
        with db_errors(self.path):
            return int(self._connection.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def __contains__(self, id: object) -> bool:
        if not isinstance(id, str):
            return False
        return self._connection.execute("SELECT 1 FROM docs WHERE id = ?", (id,)).fetchone() is not None

    def _features(self, texts: Sequence[str], *, every_sentence: bool = False) -> Features:
        """Signatures and band keys of ``texts`` with this index's settings (``features``)."""
        return features(texts, self._settings, every_sentence=every_sentence)

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
                    check_document(doc)
                    batch.append(doc)
            except Exception as e:
                error = e
            if batch:
                with db_errors(self.path, committed=added + replaced):
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
        pkeys = _passage_keys(feats, len(batch))
        con = self._connection
        now = time.time()
        con.execute("BEGIN IMMEDIATE")
        try:
            plan, (added, replaced, skipped), rejected, old = _plan(batch, existing_ids(con, [d.id for d in batch]), policy)
            if old:
                delete_docs(con, self._settings, old)
            base = int(con.execute("SELECT COALESCE(MAX(num), 0) FROM docs").fetchone()[0]) + 1
            positions = sorted(plan.values())
            nums = {p: base + t for t, p in enumerate(positions)}
            con.executemany(
                "INSERT INTO docs (num, id, origin, length, added_at, signature, passage_keys, text, metadata) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (nums[p], batch[p].id, batch[p].origin, len(batch[p].text), now, sig_blobs[p],
                     pkeys[p].tobytes(), texts[p], _metadata_json(batch[p]))
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

    def _insert_keys(self, table: str, items: list[tuple[np.ndarray, int]]) -> None:
        # A method (not a direct call) so tests can stall a batch inside its transaction.
        insert_keys(self._connection, table, items)

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
        with db_errors(self.path):
            out, self.last_query = run_query(
                self._connection, self._settings, text, top=top, min_similarity=float(min_similarity), passages=passages
            )
            return out

    # ---------------------------------------------------------------- stats and lifecycle

    def stats(self) -> IndexStats:
        """Counts and settings.  Cost: one count over the id index."""
        with db_errors(self.path):
            s = self._settings
            return IndexStats(
                path=self.path, documents=len(self), schema_version=s.schema_version, num_perm=s.num_perm,
                seed=s.seed, shingle_size=s.shingle_size, threshold=s.threshold, bands=s.bands, rows=s.rows,
                passage_num_perm=s.passage_num_perm, passage_bands=s.passage_bands, passage_rows=s.passage_rows,
                file_bytes=file_bytes(self.path), reworded=s.reworded,
            )

    def remove(self, ids: Iterable[str]) -> RemoveReport:
        """Delete the documents ``ids`` and their band rows in one transaction: a process
        killed during ``remove`` leaves all of them or none.  Ids not in the index are
        reported, not an error.  Cost: a B-tree delete per band key of each document."""
        return lifecycle.remove(self._connection, self._settings, ids)

    def entries(self) -> Iterator[IndexEntry]:
        """Every stored document in the order added (no texts).  Streams: one row at a time."""
        return lifecycle.entries(self._connection, self._settings)

    def export(self, path: str | os.PathLike[str]) -> int:
        """Write every document as a JSON line (``id``, ``text``, ``origin``, ``added_at``)
        to ``path`` atomically; ``overlap index add`` reads the file back.  Returns the count.
        Cost: one pass over the stored texts, decompressing each."""
        return lifecycle.export(self._connection, self._settings, self.path, path)

    def vacuum(self) -> tuple[int, int]:
        """Rewrite the file without the pages freed by ``remove`` and replaced documents;
        returns the file size in bytes ``(before, after)``.  Needs free disk space about
        the size of the index and blocks writers while it runs."""
        return lifecycle.vacuum(self._connection, self.path)


def _metadata_json(doc: Document) -> str:
    """The stored form of ``doc.metadata``: a JSON object, or ``''`` when it is empty."""
    return json.dumps(doc.metadata, ensure_ascii=False, default=str) if doc.metadata else ""


def _passage_keys(feats: Features, n: int) -> list[np.ndarray]:
    """The distinct block, anchor and sentence-bag keys of each of the ``n`` texts of a batch."""
    order = np.argsort(feats.block_doc, kind="stable")
    bounds = np.searchsorted(feats.block_doc[order], np.arange(n + 1))
    a_order = np.argsort(feats.anchor_doc, kind="stable")
    a_bounds = np.searchsorted(feats.anchor_doc[a_order], np.arange(n + 1))
    g_bounds = np.searchsorted(feats.bag_doc, np.arange(n + 1))  # bags come in text order
    return [
        _arrays.unique(np.concatenate((
            feats.block_keys[order[bounds[d] : bounds[d + 1]]].ravel(),
            feats.anchor_keys[a_order[a_bounds[d] : a_bounds[d + 1]]].ravel(),
            feats.bag_keys[g_bounds[d] : g_bounds[d + 1]].ravel(),
        )))
        for d in range(n)
    ]


def _plan(
    batch: list[Document], existing: dict[str, int], policy: str
) -> tuple[dict[str, int], tuple[int, int, int], Document | None, list[int]]:
    """Which version of each id to write (``id -> position in batch``), the counts
    ``(added, replaced, skipped)``, the document ``"reject"`` stopped at, and the stored
    documents to delete first."""
    plan: dict[str, int] = {}
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
    return plan, (added, replaced, skipped), rejected, old
