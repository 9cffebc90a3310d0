"""Reading input on Spark executors, with the local reader's rules and messages.

``read_paths(sc, spark, paths, *, text_field, id_field, encoding, fmt, partitions) -> RDD``
    Text directories, ``.txt``, JSONL and Parquet read on the executors (CSV and stdin
    on the driver), as ``("ok", id, origin, text, fields)`` / ``("bad", message, "", "",
    None)`` rows in input order.
``read_dataframe(df, id_col, text_col, origin_col=None) -> RDD``
    The same rows from a DataFrame (origins from ``origin_col``, else ``dataframe:rowN``).
``read_documents(sc, documents, partitions) -> RDD``
    The same rows from ``Document`` records on the driver (their own origins).
``DOCS_PER_PARTITION``
    At least one partition per this many documents.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Sequence
from typing import Any

from ..errors import ConfigError, InputError
from ..records import Document
from ..sources import check_input_options, input_kind, iter_documents, record_document, text_document, walk_txt
from ..textio import MAX_BYTES, check_encoding

__all__ = ["DOCS_PER_PARTITION", "read_dataframe", "read_documents", "read_paths"]

DOCS_PER_PARTITION = 20_000
"""Documents per partition at most when reading and signing."""


_Row = tuple[str, str, str, str, "dict[str, Any] | None"]
"""``("ok", id, origin, text, kept fields or None)`` or ``("bad", message, "", "", None)``."""


def _ok(doc: Document) -> _Row:
    return ("ok", doc.id, doc.origin, doc.text, doc.metadata or None)


def _bad(message: str) -> _Row:
    return ("bad", message, "", "", None)


def _jsonl_line(
    item: tuple[bytes, int], path: str, text_field: str, id_field: str | None, encoding: str, keep: tuple[str, ...] = ()
) -> list[_Row]:
    """One JSONL line, as the local reader handles it (same checks, same messages)."""
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
        return [_ok(record_document(rec, where, text_field, id_field, keep))]
    except InputError as e:
        return [_bad(str(e))]


def _record(
    item: tuple[dict[str, Any], int], where_prefix: str, text_field: str, id_field: str | None,
    keep: tuple[str, ...] = (), origin_col: str | None = None,
) -> _Row:
    """One table row ``(columns as a dict, index)``, as the local reader checks a record;
    its origin is column ``origin_col`` when given, else where it is."""
    rec, index = item
    where = f"{where_prefix}{index + 1}"
    try:
        doc = record_document(rec, where, text_field, id_field, keep)
    except InputError as e:
        return _bad(str(e))
    if origin_col is None:
        return _ok(doc)
    origin = rec[origin_col]
    if not isinstance(origin, str):
        return _bad(f"{where}: column {origin_col!r} must hold strings, got {type(origin).__name__}")
    return ("ok", doc.id, origin, doc.text, doc.metadata or None)


def _txt_file(path: str, encoding: str, cwd: str, root: str | None = None) -> _Row:
    """One ``.txt`` file, read on an executor as the local reader reads it.

    ``path`` and ``root`` are as the driver saw them, relative to the driver's working
    directory ``cwd``: an executor of a cluster runs elsewhere (a standalone worker in
    its own work directory), so it reads ``cwd/path``, while ids and messages keep the
    path as given, as the local reader's do."""
    full = os.path.join(cwd, path)
    try:
        if not os.path.isfile(full):
            raise InputError(f"{path}: not a regular file")
        doc = text_document(full, None if root is None else os.path.join(cwd, root), encoding)
    except InputError as e:
        return _bad(str(e).replace(full, path, 1))
    return ("ok", path if root is None else doc.id, doc.origin, doc.text, None)


def read_paths(
    sc: Any, spark: Any, paths: list[str], *, text_field: str, id_field: str | None, encoding: str,
    fmt: str | None, partitions: int, keep_fields: tuple[str, ...] = (),
    globs: tuple[Sequence[str] | None, Sequence[str]] = (None, ()),
) -> Any:
    """An RDD of rows (``_Row``) in input order (``keep_fields`` as ``iter_documents``'s;
    ``globs``: its ``include`` and ``exclude`` for directories)."""
    keep = keep_fields
    id_field = check_input_options(paths, fmt, text_field, id_field)
    check_encoding(encoding)
    parts = []
    cwd = os.getcwd()
    for path in paths:
        s, kind = input_kind(path, fmt)
        if kind == "dir":
            files = sorted(walk_txt(s, *globs))
            if not files:
                what = "files matching --include/--exclude" if globs != (None, ()) else ".txt files"
                raise InputError(f"{s}: no {what} in this directory (searched recursively)")
            n_slices = max(1, min(len(files), max(partitions, len(files) // DOCS_PER_PARTITION)))
            parts.append(sc.parallelize(files, n_slices).map(lambda f, e=encoding, r=s: _txt_file(f, e, cwd, r)))
        elif kind == "txt":
            parts.append(sc.parallelize([s], 1).map(lambda f, e=encoding: _txt_file(f, e, cwd)))
        elif kind == "jsonl" and s != "-":
            if os.path.isdir(s):
                raise InputError(f"{s}: is a directory, expected a file")
            lines = sc.textFile(s, minPartitions=partitions, use_unicode=False)
            # The empty-file check of the local reader.
            if os.path.getsize(s) == 0:
                raise InputError(f"{s}: empty input, expected JSON lines")
            parts.append(lines.zipWithIndex().flatMap(
                lambda it, p=s, t=text_field, i=id_field, e=encoding, k=keep: _jsonl_line(it, p, t, i, e, k)))
        elif kind == "parquet":
            df = spark.read.parquet(s)
            wanted = [text_field] + ([id_field] if id_field is not None else []) + list(keep)
            for c in wanted:
                if c not in df.columns:
                    raise InputError(f"{s}: no column {c!r} (columns: {', '.join(df.columns)}); pass --text-field/--id-field")
            rows = df.select(*dict.fromkeys(wanted)).rdd.map(lambda r: r.asDict(recursive=True)).zipWithIndex()
            parts.append(rows.map(lambda it, p=f"{s}:row", t=text_field, i=id_field, k=keep: _record(it, p, t, i, k)))
        else:
            # CSV and stdin have no splittable form here: read on the driver, in order.
            docs = [
                _ok(d) for d in iter_documents([s], text_field=text_field, id_field=id_field, encoding=encoding, fmt=kind,
                                               keep_fields=keep)
            ]
            parts.append(sc.parallelize(docs, max(1, min(len(docs), partitions))))
    return parts[0] if len(parts) == 1 else sc.union(parts)


def read_dataframe(df: Any, id_col: str, text_col: str, origin_col: str | None = None, keep_fields: tuple[str, ...] = ()) -> Any:
    """An RDD as ``read_paths`` gives, from a DataFrame's ``id_col`` and ``text_col``.

    Origins come from ``origin_col`` when given (a DataFrame made from files can carry
    their paths, so the result equals the local engine's on the same ``Document``s),
    else they are the row numbers ``dataframe:rowN``.  ``keep_fields``: columns kept as
    each document's fields."""
    cols = [id_col, text_col] + ([origin_col] if origin_col is not None else []) + list(keep_fields)
    for c in cols:
        if c not in df.columns:
            raise InputError(
                f"DataFrame has no column {c!r} (columns: {', '.join(df.columns)}); pass id_col/text_col/origin_col"
            )
    rows = df.select(*dict.fromkeys(cols)).rdd.map(lambda r: r.asDict(recursive=True)).zipWithIndex()
    return rows.map(lambda it, t=text_col, i=id_col, k=keep_fields, o=origin_col: _record(it, "dataframe:row", t, i, k, o))


def read_documents(sc: Any, documents: list[Any], partitions: int) -> Any:
    """An RDD as ``read_paths`` gives, from ``Document`` records already on the driver,
    with their ids and origins as they are (the local engine's input, unchanged).
    Cost: the texts travel from the driver to the executors once."""
    for n, d in enumerate(documents):
        if not isinstance(d, Document):
            raise ConfigError(f"scan_spark() takes paths, a DataFrame or Document records; item {n} is a {type(d).__name__}")
    rows = [_ok(d) for d in documents]
    return sc.parallelize(rows, max(1, min(len(rows), partitions)))
