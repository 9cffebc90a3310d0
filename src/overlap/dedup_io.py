"""Deduplicate files: read a corpus, decide with ``overlap.deduplication``, write it back.

``dedup_files(paths, output=None, *, removed=None, removed_format=None, options=None, text_field="text", id_field="id", date_field=None, encoding="utf-8", fmt=None, on_bad=None, save_signatures=None) -> DedupResult``
    Two streaming passes: the first signs every record, the second copies the kept
    records to ``output`` in the input's own format, every field as it was.
``dedup_saved(directory, output=None, *, removed=None, removed_format=None, options=None, **overrides) -> DedupResult``
    Decide again from signatures saved with ``save_signatures`` (new threshold, mode or
    keep rule) without reading or signing any text; ``output`` re-reads the inputs
    recorded in the store to write the kept records.
``iter_records(paths, *, text_field="text", id_field="id", date_field=None, encoding="utf-8", fmt=None, on_bad=None) -> Iterator[tuple[str, str, float, int]]``
    ``(id, text, date, row)`` for every good record; ``row`` counts every record read.

Formats and what "the input's format" means for the output:

* **JSONL** (``.jsonl``/``.ndjson``, or ``-`` for stdin): the kept lines are copied byte
  for byte into one JSONL file; stdin is spooled to a temporary file first because it is
  read twice;
* **CSV**: one CSV file with the first input's header; every input must have it;
* **Parquet**: one Parquet file with the first input's schema, rows filtered in batches;
* a **directory** of ``.txt`` files or **.txt** files: ``output`` is a directory that
  receives a copy of each kept file at its path relative to its input directory (a
  ``.txt`` given by name goes at the top).

Ids follow ``overlap.sources``: the id field, or ``file:line`` with ``id_field=None``;
for a directory's files the directory's name and the path inside it, for a ``.txt``
given by name the path as given.  ``include``/``exclude`` choose a directory's files
as in ``overlap.sources``.  Records are validated as ``overlap.sources`` does
(non-empty string text, string or integer id) and ``on_bad`` skips bad ones in both
passes, so they are left out of the output.

JSONL in UTF-8 (without ``keep_fields``) is read by ``overlap.jsonl_fast`` when the
compiled kernels are available: whole blocks of lines decoded to code points in one call,
with any line it cannot read exactly handed to the per-line ``json.loads`` path, so
records, errors and ``on_bad`` calls are the same either way.

Cost: two reads of the input; memory is the signature store plus one batch.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .dedup_inputs import check_keep_fields, parse_date
from .deduplication import DedupOptions, DedupResult, SignatureStore, dedup_store
from .errors import ConfigError, InputError
from .outputs import atomic_writer, check_output_path, output_stream
from .sources import FORMATS, check_globs, detect_format, text_document, walk_txt
from .textio import MAX_BYTES, check_encoding

__all__ = ["dedup_files", "dedup_saved", "iter_records"]

OnBad = Callable[[InputError], None] | None
Globs = tuple[Sequence[str] | None, Sequence[str]]  # (include, exclude) for directory inputs
_PARQUET_BATCH = 1024


def _kinds(paths: list[str], fmt: str | None) -> list[tuple[str, str]]:
    if not paths:
        raise ConfigError("no input paths given")
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if paths.count("-") > 1:
        raise ConfigError("- (stdin) can be given only once")
    out = []
    for p in paths:
        if p != "-" and not os.path.exists(p):
            raise InputError(f"{p}: no such file or directory")
        kind = fmt or detect_format(p)
        if kind in ("txt", "dir"):
            kind = "dir" if os.path.isdir(p) else "txt"
        out.append((p, kind))
    family = {("text" if k in ("txt", "dir") else k) for _, k in out}
    if len(family) > 1:
        raise InputError("inputs mix formats (" + ", ".join(sorted(family)) + "); dedup writes the input's format, so give one kind")
    return out


def _check(path: str, id_field: str | None, text_field: str, date_field: str | None, rec: Any, where: str) -> tuple[str, str, float]:
    if not isinstance(rec, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    text = rec.get(text_field)
    if text_field not in rec:
        raise InputError(f"{where}: no field {text_field!r} (fields: {', '.join(sorted(map(str, rec)))}); pass --text-field")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: field {text_field!r} must be a non-empty string")
    if id_field is None:
        doc_id = where
    else:
        raw = rec.get(id_field)
        if isinstance(raw, bool) or not isinstance(raw, (str, int)) or raw == "":
            raise InputError(f"{where}: field {id_field!r} must be a non-empty string or integer "
                             "(pass --id-field, or --id-field '' to use file:line as ids)")
        doc_id = str(raw)
    date = parse_date(rec.get(date_field), where) if date_field else math.nan
    return doc_id, text, date


def _bad(e: InputError, on_bad: OnBad) -> None:
    if on_bad is None:
        raise e
    on_bad(e)


def _text_files(path: str, kind: str, globs: Globs = (None, ())) -> list[tuple[str, str]]:
    """``(file, path relative to the output directory)`` of a text input, sorted."""
    if kind == "txt":
        return [(path, os.path.basename(path))]
    found = [(full, os.path.relpath(full, path)) for full in walk_txt(path, *globs) if os.path.isfile(full)]
    if not found:
        what = "files matching --include/--exclude" if globs != (None, ()) else ".txt files"
        raise InputError(f"{path}: no {what} in this directory (searched recursively)")
    return sorted(found)


def _jsonl_lines(path: str, encoding: str) -> Iterator[tuple[int, bytes]]:
    try:
        f = open(path, "rb")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    with f:
        for lineno, raw in enumerate(f, 1):
            if len(raw) > MAX_BYTES:
                raise InputError(f"{path}:{lineno}: line longer than {MAX_BYTES:,} bytes")
            yield lineno, raw


def _parse_line(raw: bytes, lineno: int, encoding: str, where: str) -> Any:
    if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    try:
        line = raw.decode(encoding)
    except UnicodeDecodeError as e:
        raise InputError(f"{where}: not valid {encoding} at byte {e.start} ({e.reason}); pass --encoding") from None
    if not line.strip():
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(f"{where}: not valid JSON ({e.msg} at column {e.colno})") from None


def _jsonl_record(path: str, lineno: int, raw: bytes, encoding: str, fields: tuple[str, str | None, str | None],
                  on_bad: OnBad) -> tuple[str, str, float, dict[str, Any]] | None:
    """``(id, text, date, record)`` of one JSONL line; None for a blank line or (after
    ``on_bad``) a bad one.  Also ``jsonl_fast``'s path for the lines it declines."""
    where = f"{path}:{lineno}"
    try:
        rec = _parse_line(raw, lineno, encoding, where)
        if rec is None:
            return None
        return (*_check(path, fields[1], fields[0], fields[2], rec, where), rec)
    except InputError as e:
        _bad(e, on_bad)
        return None


def _csv_rows(path: str, encoding: str) -> Iterator[tuple[list[str], dict[str, Any], str]]:
    csv.field_size_limit(MAX_BYTES)
    try:
        f = open(path, encoding=encoding, newline="")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    with f:
        reader = csv.DictReader(f)
        try:
            header = list(reader.fieldnames or [])
            if not header:
                raise InputError(f"{path}: empty CSV, expected a header row")
            start = reader.line_num + 1
            for row in reader:
                where = f"{path}:{start}"
                start = reader.line_num + 1
                yield header, row, where
        except UnicodeDecodeError as e:
            raise InputError(f"{path}:{reader.line_num + 1}: not valid {encoding} ({e.reason}); pass --encoding") from None
        except csv.Error as e:
            raise InputError(f"{path}:{reader.line_num}: not valid CSV ({e})") from None


def _parquet_file(path: str) -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{path}: reading Parquet needs pyarrow: pip install 'overlap[parquet]'") from None
    try:
        return pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises ArrowInvalid/OSError for non-Parquet bytes
        raise InputError(f"{path}: not a Parquet file ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None


def iter_records(
    paths: list[str],
    *,
    text_field: str = "text",
    id_field: str | None = "id",
    date_field: str | None = None,
    encoding: str = "utf-8",
    fmt: str | None = None,
    on_bad: OnBad = None,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    keep_fields: Sequence[str] = (),
) -> Iterator[tuple[Any, ...]]:
    """``(id, text, date, row, fields)`` of every good record of ``paths`` (module
    docstring); ``fields`` holds the ``keep_fields`` of a record (None when none asked)."""
    check_encoding(encoding)
    check_globs(include, exclude)
    keep = check_keep_fields(keep_fields)

    def kept(rec: dict[str, Any]) -> dict[str, Any] | None:
        return {k: rec.get(k) for k in keep} if keep else None

    row = -1
    for path, kind in _kinds(paths, fmt):
        if kind in ("txt", "dir"):
            for full, _ in _text_files(path, kind, (include, exclude)):
                row += 1
                try:
                    doc = text_document(full, path if kind == "dir" else None, encoding)
                    yield doc.id, doc.text, math.nan, row, ({k: None for k in keep} if keep else None)
                except InputError as e:
                    _bad(e, on_bad)
        elif kind == "jsonl":
            for lineno, raw in _jsonl_lines(path, encoding):
                row += 1
                got = _jsonl_record(path, lineno, raw, encoding, (text_field, id_field, date_field), on_bad)
                if got is not None:
                    yield (*got[:3], row, kept(got[3]))
        elif kind == "csv":
            for header, rec, where in _csv_rows(path, encoding):
                row += 1
                missing = [k for k in keep if k not in header]
                if missing:
                    raise InputError(f"{path}:1: no column {missing[0]!r} (columns: {', '.join(header)}); check --keep-fields")
                try:
                    if None in rec:
                        raise InputError(f"{where}: more cells than header columns")
                    yield (*_check(path, id_field, text_field, date_field, rec, where), row, kept(rec))
                except InputError as e:
                    _bad(e, on_bad)
        else:
            pf = _parquet_file(path)
            names = pf.schema_arrow.names
            wanted = [c for c in (text_field, id_field, date_field, *keep) if c is not None]
            for c in wanted:
                if c not in names:
                    raise InputError(f"{path}: no column {c!r} (columns: {', '.join(names)}); pass --text-field/--id-field")
            n = 0
            for batch in pf.iter_batches(batch_size=_PARQUET_BATCH, columns=sorted(set(wanted))):
                data = batch.to_pydict()
                for i in range(batch.num_rows):
                    row += 1
                    n += 1
                    try:
                        rec = {c: data[c][i] for c in data}
                        yield (*_check(path, id_field, text_field, date_field, rec, f"{path}:row{n}"), row, kept(rec))
                    except InputError as e:
                        _bad(e, on_bad)


def _write_kept(inputs: list[str], fmt: str | None, output: str, rows: np.ndarray, encoding: str,
                globs: Globs = (None, ())) -> None:
    """Copy the records whose stream row is in ``rows`` (sorted) to ``output``."""
    keep = set(rows.tolist())
    kinds = _kinds(inputs, fmt)
    kind = kinds[0][1]
    row = -1
    try:
        if kind in ("txt", "dir"):
            if output == "-":
                raise ConfigError("-o - (standard output) needs JSONL or CSV input; text files are written to a directory")
            out = Path(output)
            if out.exists() and (not out.is_dir() or any(out.iterdir())):
                raise InputError(f"{output}: exists and is not an empty directory; text inputs are written as a directory of .txt files")
            out.mkdir(parents=True, exist_ok=True)
            for path, k in kinds:
                for full, rel in _text_files(path, k, globs):
                    row += 1
                    if row in keep:
                        dest = out / rel
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        if dest.exists():
                            raise InputError(f"{dest}: two inputs have this relative path; dedup them separately")
                        shutil.copyfile(full, dest)
            return
        if output == "-" and kind not in ("jsonl", "csv"):
            raise ConfigError("-o - (standard output) needs JSONL or CSV input; Parquet is written to a file")
        if output != "-":
            check_output_path(output, inputs=[p for p in inputs if p != "-"])
        if kind == "jsonl":
            with output_stream(output, mode="wb") as f:
                for path, _ in kinds:
                    for _, raw in _jsonl_lines(path, encoding):
                        row += 1
                        if row in keep:
                            f.write(raw if raw.endswith(b"\n") else raw + b"\n")
        elif kind == "csv":
            with output_stream(output, encoding=encoding) as f:
                writer: Any = None
                for path, _ in kinds:
                    for header, rec, _where in _csv_rows(path, encoding):
                        if writer is None:
                            writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
                            writer.writeheader()
                            first = header
                        elif header != first:
                            raise InputError(f"{path}: header differs from the first CSV input's; dedup them separately")
                        row += 1
                        if row in keep:
                            writer.writerow(rec)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            with atomic_writer(output, mode="wb") as f:
                writer = None
                for path, _ in kinds:
                    pf = _parquet_file(path)
                    if writer is None:
                        writer = pq.ParquetWriter(f, pf.schema_arrow)
                        schema = pf.schema_arrow
                    elif not pf.schema_arrow.equals(schema):
                        raise InputError(f"{path}: schema differs from the first Parquet input's; dedup them separately")
                    for batch in pf.iter_batches(batch_size=_PARQUET_BATCH):
                        mask = np.fromiter(((row + 1 + i) in keep for i in range(batch.num_rows)), dtype=bool, count=batch.num_rows)
                        row += batch.num_rows
                        if mask.any():
                            writer.write_table(pa.Table.from_batches([batch]).filter(pa.array(mask)))
                if writer is not None:
                    writer.close()
    except OSError as e:
        raise InputError(f"{output}: cannot write ({e.strerror or e})") from None


def _spool_stdin(paths: list[str]) -> tuple[list[str], str | None]:
    """Replace ``-`` by a temporary copy of stdin (read twice); returns the temp path."""
    if "-" not in paths:
        return paths, None
    fd, tmp = tempfile.mkstemp(prefix="overlap-stdin-", suffix=".jsonl")
    with os.fdopen(fd, "wb") as f:
        shutil.copyfileobj(sys.stdin.buffer, f)
    return [tmp if p == "-" else p for p in paths], tmp


def dedup_files(
    paths: list[str],
    output: str | None = None,
    *,
    removed: str | None = None,
    removed_format: str | None = None,
    options: DedupOptions | None = None,
    text_field: str = "text",
    id_field: str | None = "id",
    date_field: str | None = None,
    encoding: str = "utf-8",
    fmt: str | None = None,
    on_bad: OnBad = None,
    save_signatures: str | None = None,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    keep_fields: Sequence[str] = (),
    engine: str = "local",
    master: str | None = None,
    spark: Any = None,
) -> DedupResult:
    """Deduplicate the files ``paths`` and write the kept records to ``output`` and the
    removal list to ``removed`` (module docstring); both optional.  ``engine="spark"``
    signs on Spark (``overlap.dedup_spark``; ``master`` or a running ``spark`` session)
    with the same result."""
    opts = options or DedupOptions()
    if engine not in ("local", "spark"):
        raise ConfigError(f"engine must be 'local' or 'spark': {engine!r}")
    if engine == "spark" and spark is None:
        from .corpus.spark_session import check_requirements

        check_requirements()  # before any reading: a one-line install hint
    if opts.keep == "earliest" and not date_field:
        raise ConfigError("keep='earliest' needs a date field (--date-field F)")
    named = [x for x in paths if x != "-"]
    if removed is not None and removed != "-":
        check_output_path(removed, inputs=named, what="removal list")
    if output is not None and output != "-" and not _is_text(paths, fmt):
        check_output_path(output, inputs=named)
    if output == "-" and removed == "-":
        raise ConfigError("only one of the output and the removal list can go to standard output (-)")
    paths, tmp = _spool_stdin(list(paths))
    try:
        if output == "-" and _kinds(paths, fmt)[0][1] not in ("jsonl", "csv"):
            raise ConfigError("-o - (standard output) needs JSONL or CSV input; write Parquet and text to a file")
        _kinds(paths, fmt)
        meta = {"inputs": [os.path.abspath(p) for p in paths] if tmp is None else [], "format": fmt,
                "text_field": text_field, "id_field": id_field, "date_field": date_field, "encoding": encoding,
                "include": None if include is None else list(include), "exclude": list(exclude)}
        items = iter_records(paths, text_field=text_field, id_field=id_field, date_field=date_field,
                             encoding=encoding, fmt=fmt, on_bad=on_bad, include=include, exclude=exclude,
                             keep_fields=keep_fields)
        fast = engine == "local" and _fast_batches(paths, fmt, encoding, on_bad, (text_field, id_field, date_field),
                                                    keep_fields, (include, exclude))
        if fast:
            from .signature_store import sign_codepoints
            scratch: list[np.ndarray] = []  # one shingle buffer for every batch
            signed = (sign_codepoints(b.ids, b.cps, b.offsets, b.dates, b.rows, num_perm=opts.num_perm, seed=opts.seed,
                                      shingle_size=opts.shingle_size, method=opts.method, scratch=scratch) for b in fast)
            store = SignatureStore.from_batches(signed, num_perm=opts.num_perm, seed=opts.seed,
                                                shingle_size=opts.shingle_size, method=opts.method, meta=meta)
        elif engine == "spark":
            from .dedup_spark import build_store_spark

            store = build_store_spark(items, num_perm=opts.num_perm, seed=opts.seed, shingle_size=opts.shingle_size,
                                      method=opts.method, meta=meta, spark=spark, master=master)
        else:
            store = SignatureStore.build(items, num_perm=opts.num_perm, seed=opts.seed, shingle_size=opts.shingle_size,
                                         method=opts.method, meta=meta)
        if save_signatures:
            store.save(save_signatures)
        result = dedup_store(store, opts)
        if removed:
            result.write_removed(removed, fmt=removed_format)
        if output:
            _write_kept(paths, fmt, output, store.rows[result.keep_mask], encoding, (include, exclude))
        return result
    finally:
        if tmp:
            os.unlink(tmp)


def _fast_batches(paths: list[str], fmt: str | None, encoding: str, on_bad: OnBad,
                  fields: tuple[str, str | None, str | None], keep_fields: Sequence[str], globs: Globs) -> Any:
    """``jsonl_fast.codepoint_batches`` of JSONL inputs when it can read them exactly
    (declined lines go through ``_jsonl_record``), else None: ``iter_records`` reads."""
    from . import jsonl_fast

    check_encoding(encoding)
    check_globs(*globs)
    if any(k != "jsonl" for _, k in _kinds(paths, fmt)) or not jsonl_fast.usable(*fields, encoding, keep_fields):
        return None

    def slow(path: str, lineno: int, raw: bytes) -> tuple[str, str, float] | None:
        got = _jsonl_record(path, lineno, raw, encoding, fields, on_bad)
        return None if got is None else got[:3]

    return jsonl_fast.codepoint_batches(paths, slow, text_field=fields[0], id_field=fields[1], date_field=fields[2])


def _is_text(paths: list[str], fmt: str | None) -> bool:
    return fmt in ("txt", "dir") or (fmt is None and any(p != "-" and (os.path.isdir(p) or p.lower().endswith((".txt", ".text"))) for p in paths))


def dedup_saved(
    directory: str,
    output: str | None = None,
    *,
    removed: str | None = None,
    removed_format: str | None = None,
    options: DedupOptions | None = None,
    **overrides: Any,
) -> DedupResult:
    """Decide again on a store saved by ``dedup_files(save_signatures=...)``."""
    store = SignatureStore.load(directory)
    result = dedup_store(store, options, **overrides)
    if removed:
        result.write_removed(removed, fmt=removed_format)
    if output:
        inputs = list(store.meta.get("inputs") or [])
        if not inputs:
            raise InputError(f"{directory}: the signatures were made from stdin, which cannot be read again; "
                             "use --removed, or run dedup on a file")
        globs = (store.meta.get("include"), list(store.meta.get("exclude") or ()))
        _write_kept(inputs, store.meta.get("format"), output, store.rows[result.keep_mask],
                    str(store.meta.get("encoding") or "utf-8"), globs)
    return result
