"""Reading input on Spark executors, with the local reader's rules and messages.

``read_paths(sc, spark, paths, *, text_field, id_field, encoding, fmt, partitions) -> RDD``
    Text directories, ``.txt``, JSONL and Parquet read on the executors (CSV and stdin
    on the driver), as ``("ok", id, origin, text)`` / ``("bad", message, "", "")`` rows
    in input order.
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
from typing import Any

from ..errors import ConfigError, InputError
from ..records import Document
from ..sources import check_input_options, input_kind, iter_documents, record_document, text_document, walk_txt
from ..textio import MAX_BYTES, check_encoding

__all__ = ["DOCS_PER_PARTITION", "read_dataframe", "read_documents", "read_paths"]

DOCS_PER_PARTITION = 20_000
"""Documents per partition at most when reading and signing."""


def _ok(doc: Document) -> tuple[str, str, str, str]:
    return ("ok", doc.id, doc.origin, doc.text)


def _bad(message: str) -> tuple[str, str, str, str]:
    return ("bad", message, "", "")


def _jsonl_line(item: tuple[bytes, int], path: str, text_field: str, id_field: str | None, encoding: str) -> list[tuple[str, str, str, str]]:
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
        return [_ok(record_document(rec, where, text_field, id_field))]
    except InputError as e:
        return [_bad(str(e))]


def _record(item: tuple[Any, int], where_prefix: str, text_field: str, id_field: str | None) -> tuple[str, str, str, str]:
    """One table row ``((id, text[, origin]), index)``, as the local reader checks a
    record; its origin is the row's third value when there is one, else where it is."""
    row, index = item
    doc_id, text = row[0], row[1]
    rec = {text_field: text}
    if id_field is not None:
        rec[id_field] = doc_id
    try:
        doc = record_document(rec, f"{where_prefix}{index + 1}", text_field, id_field)
    except InputError as e:
        return _bad(str(e))
    if len(row) > 2:
        origin = row[2]
        if not isinstance(origin, str):
            return _bad(f"{where_prefix}{index + 1}: origin must be a string, got {type(origin).__name__}")
        return ("ok", doc.id, origin, doc.text)
    return _ok(doc)


def _txt_file(path: str, encoding: str, root: str | None = None) -> tuple[str, str, str, str]:
    """One ``.txt`` file, read on an executor as the local reader reads it."""
    try:
        if not os.path.isfile(path):
            raise InputError(f"{path}: not a regular file")
        return _ok(text_document(path, root, encoding))
    except InputError as e:
        return _bad(str(e))


def read_paths(
    sc: Any, spark: Any, paths: list[str], *, text_field: str, id_field: str | None, encoding: str,
    fmt: str | None, partitions: int,
) -> Any:
    """An RDD of ``("ok", id, origin, text)`` / ``("bad", message, "", "")`` in input order."""
    id_field = check_input_options(paths, fmt, text_field, id_field)
    check_encoding(encoding)
    parts = []
    for path in paths:
        s, kind = input_kind(path, fmt)
        if kind == "dir":
            files = sorted(walk_txt(s))
            if not files:
                raise InputError(f"{s}: no .txt files in this directory (searched recursively)")
            n_slices = max(1, min(len(files), max(partitions, len(files) // DOCS_PER_PARTITION)))
            parts.append(sc.parallelize(files, n_slices).map(lambda f, e=encoding, r=s: _txt_file(f, e, r)))
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


def read_dataframe(df: Any, id_col: str, text_col: str, origin_col: str | None = None) -> Any:
    """An RDD as ``read_paths`` gives, from a DataFrame's ``id_col`` and ``text_col``.

    Origins come from ``origin_col`` when given (a DataFrame made from files can carry
    their paths, so the result equals the local engine's on the same ``Document``s),
    else they are the row numbers ``dataframe:rowN``."""
    cols = [id_col, text_col] + ([origin_col] if origin_col is not None else [])
    for c in cols:
        if c not in df.columns:
            raise InputError(
                f"DataFrame has no column {c!r} (columns: {', '.join(df.columns)}); pass id_col/text_col/origin_col"
            )
    rows = df.select(*cols).rdd.map(tuple).zipWithIndex()
    return rows.map(lambda it, t=text_col, i=id_col: _record(it, "dataframe:row", t, i))


def read_documents(sc: Any, documents: list[Any], partitions: int) -> Any:
    """An RDD as ``read_paths`` gives, from ``Document`` records already on the driver,
    with their ids and origins as they are (the local engine's input, unchanged).
    Cost: the texts travel from the driver to the executors once."""
    for n, d in enumerate(documents):
        if not isinstance(d, Document):
            raise ConfigError(f"scan_spark() takes paths, a DataFrame or Document records; item {n} is a {type(d).__name__}")
    rows = [_ok(d) for d in documents]
    return sc.parallelize(rows, max(1, min(len(rows), partitions)))
