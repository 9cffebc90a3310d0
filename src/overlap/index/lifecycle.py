"""The index lifecycle: delete documents, list them, export them, reclaim space.

``remove(con, settings, ids) -> RemoveReport``: one transaction; a B-tree delete per band key.
``entries(con) -> Iterator[IndexEntry]``: streams one row at a time, no texts.
``export(con, index_path, path) -> int``: every document as JSONL (``index add`` reads it back).
``vacuum(con, path) -> (before, after)``: rewrites the file; needs free space about its size.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator

from ..errors import ConfigError, InputError
from ..outputs import atomic_writer, check_output_path
from .records import IndexEntry, RemoveReport
from .storage import Settings, delete_docs, existing_ids, file_bytes, metadata_sql

__all__ = ["entries", "export", "remove", "vacuum"]


def remove(con: sqlite3.Connection, settings: Settings, ids: Iterable[str]) -> RemoveReport:
    """Delete the documents ``ids`` and their band rows in one transaction: a process
    killed during ``remove`` leaves all of them or none.  Ids not in the index are
    reported, not an error."""
    if isinstance(ids, str):
        raise ConfigError("ids must be a collection of ids, not one string: wrap it in a list")
    wanted = list(dict.fromkeys(ids))
    for i in wanted:
        if not isinstance(i, str):
            raise ConfigError(f"ids must be strings, got {type(i).__name__}: {i!r}")
    con.execute("BEGIN IMMEDIATE")
    try:
        found = existing_ids(con, wanted)
        delete_docs(con, settings, sorted(found.values()))
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    return RemoveReport(len(found), tuple(i for i in wanted if i not in found))


def entries(con: sqlite3.Connection, settings: Settings) -> Iterator[IndexEntry]:
    """Every stored document in the order added (no texts)."""
    cur = con.execute(f"SELECT id, origin, length, added_at, {metadata_sql(settings)} FROM docs ORDER BY num")
    for id_, origin, length, added, meta in cur:
        yield IndexEntry(id_, origin, int(length), float(added), json.loads(meta) if meta else {})


def export(con: sqlite3.Connection, settings: Settings, index_path: str, path: str | os.PathLike[str]) -> int:
    """Write every document as a JSON line (``id``, ``text``, ``origin``, ``added_at``, and
    ``metadata`` when it has any) to ``path`` atomically; returns the count.  One pass
    over the stored texts."""
    check_output_path(path, inputs=[index_path], what="export")
    n = 0
    try:
        with atomic_writer(path) as f:
            cur = con.execute(f"SELECT id, origin, added_at, text, {metadata_sql(settings)} FROM docs ORDER BY num")
            for id_, origin, added, blob, meta in cur:
                rec = {"id": id_, "text": zlib.decompress(blob).decode("utf-8"), "origin": origin, "added_at": added}
                if meta:
                    rec["metadata"] = json.loads(meta)
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
    except OSError as e:
        raise InputError(f"{path}: cannot write ({e.strerror or e})") from None
    return n


def vacuum(con: sqlite3.Connection, path: str) -> tuple[int, int]:
    """Rewrite the file without the pages freed by removed and replaced documents;
    returns the file size in bytes ``(before, after)``.  Blocks writers while it runs."""
    before = file_bytes(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("VACUUM")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return before, file_bytes(path)
