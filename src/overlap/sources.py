"""Corpus readers: stream ``Document`` records out of directories, JSONL, CSV and Parquet.

``iter_documents(paths, *, text_field="text", id_field="id", encoding="utf-8", fmt=None, on_bad=None) -> Iterator[Document]``
    Every document of every path, in order, one at a time (nothing is held in memory).
``detect_format(path) -> str``
    ``"txt"``, ``"dir"``, ``"jsonl"``, ``"csv"`` or ``"parquet"`` from a path's name.
``FORMATS``
    The formats ``fmt`` accepts.

Formats, chosen by extension unless ``fmt`` says otherwise:

* a **directory** is searched recursively for ``*.txt`` files, in sorted path order so
  runs are deterministic; other files are ignored.  ``include``/``exclude`` (CLI
  ``--include GLOB``/``--exclude GLOB``, repeatable) choose other files: a file is read
  when its path relative to the directory (``/`` separators) matches an ``include``
  pattern (default ``*.txt`` and ``*.text``) and no ``exclude`` pattern, by ``fnmatch``,
  where ``*`` also matches ``/`` (``--exclude '*.info.txt'``).  Each file is one
  document whose id is the directory's own name and the file's path inside it
  (``seeds/000.txt``), the same whatever the working directory and however the
  directory was typed (``seeds``, ``./seeds/``, ``/abs/seeds``);
* a **.txt** file given by name is one document, id = the path as given (the user's
  own name for it);
* text files' ``origin`` is their absolute path, so where a document came from is kept
  apart from its id (an index stores both);
* **.jsonl** / **.ndjson**: one JSON object per line; blank lines are skipped;
* **.csv**: a header row names the fields (RFC 4180 quoting, multi-line cells allowed);
* **.parquet**: columns named by the fields; needs ``pyarrow``
  (``pip install 'overlap[parquet]'``);
* ``-`` is JSONL on standard input.

``keep_fields`` (CLI ``--keep-fields title,url,date``) copies those fields of each
record into ``Document.metadata`` (``None`` where a JSON record lacks one; a CSV or
Parquet input without the column is an error).

In records, ``text_field`` must hold a non-empty string and ``id_field`` a string or an
integer (turned into a string).  With ``id_field=None`` (CLI: ``--id-field ''``) ids are
``<file>:<line>`` (``<file>:row<n>`` for Parquet).

Errors.  Every problem is an ``InputError`` whose message starts with ``file:line``
(``feed.jsonl:17: not valid JSON (Expecting ',' delimiter at column 40)``,
``feed.jsonl:3: no field 'text' (fields: body, title)``).  By default the first bad
record stops the run: a silently shortened corpus gives silently wrong clusters.  Pass
``on_bad`` (a callable taking the ``InputError``) to skip bad records instead; the CLI's
``--skip-bad`` prints each one on stderr.  Whole-input problems (a missing path, an
empty directory, an unreadable file, an unknown format, a missing Parquet column) are
never skipped.

Duplicate ids are *not* checked here: ``overlap.scan`` rejects them (naming both
origins) and ``overlap.Index.add`` applies its ``on_duplicate`` policy.

Cost: one pass over the input; memory is one record (plus one Parquet batch).
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from .errors import ConfigError, InputError
from .records import Document
from .textio import MAX_BYTES, check_encoding, read_text

__all__ = ["FORMATS", "check_input_options", "detect_format", "input_kind", "iter_documents", "text_document"]

FORMATS = ("txt", "dir", "jsonl", "csv", "parquet")

_EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_PARQUET_BATCH = 1024  # rows per Parquet batch: bounded memory, few Python calls


def detect_format(path: str | os.PathLike[str]) -> str:
    """Format of ``path`` from its name: ``"dir"`` for a directory, else by extension.

    >>> detect_format("feed.ndjson"), detect_format("-")
    ('jsonl', 'jsonl')
    """
    s = str(path)
    if s == "-":
        return "jsonl"
    if Path(s).is_dir():
        return "dir"
    fmt = _EXTENSIONS.get(Path(s).suffix.lower())
    if fmt is None:
        raise InputError(
            f"{s}: unknown input format {Path(s).suffix or '(no extension)'!r}; expected a directory, "
            ".txt, .jsonl, .csv or .parquet (or pass --format)"
        )
    return fmt


def check_input_options(paths: list[Any], fmt: str | None, text_field: str, id_field: str | None) -> str | None:
    """Validate reader options before any input is read; returns the id field (None for ``''``)."""
    if not paths:
        raise ConfigError("no input paths given")
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if not isinstance(text_field, str) or not text_field:
        raise ConfigError(f"text field must be a non-empty name: {text_field!r}")
    return None if id_field == "" else id_field


def input_kind(path: str | os.PathLike[str], fmt: str | None) -> tuple[str, str]:
    """``(path as str, how to read it)``: ``fmt``, else detected, "dir" for a directory;
    ``InputError`` when the path does not exist (``-`` is stdin)."""
    s = str(path)
    if s != "-" and not os.path.exists(s):
        raise InputError(f"{s}: no such file or directory")
    kind = fmt or detect_format(s)
    if kind == "txt" and Path(s).is_dir():
        kind = "dir"
    return s, kind


def iter_documents(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    text_field: str = "text",
    id_field: str | None = "id",
    encoding: str = "utf-8",
    fmt: str | None = None,
    on_bad: Callable[[InputError], None] | None = None,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    keep_fields: Sequence[str] = (),
) -> Iterator[Document]:
    """Yield the documents of ``paths`` in order; see the module docstring for the rules."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    id_field = check_input_options(paths, fmt, text_field, id_field)
    check_globs(include, exclude)
    keep = _check_keep(keep_fields)
    for path in paths:
        s, kind = input_kind(path, fmt)
        if kind == "dir":
            yield from _read_dir(s, encoding, on_bad, include, exclude)
        elif kind == "txt":
            yield text_document(s, None, encoding)
        elif kind == "jsonl":
            yield from _read_jsonl(s, text_field, id_field, encoding, on_bad, keep)
        elif kind == "csv":
            yield from _read_csv(s, text_field, id_field, encoding, on_bad, keep)
        else:
            yield from _read_parquet(s, text_field, id_field, on_bad, keep)


def _check_keep(keep_fields: Sequence[str]) -> tuple[str, ...]:
    if isinstance(keep_fields, str) or not all(isinstance(k, str) and k for k in keep_fields):
        raise ConfigError(f"keep_fields must be a list of field names, e.g. ['title', 'url']: {keep_fields!r}")
    return tuple(dict.fromkeys(keep_fields))


def document_count(
    paths: Iterable[str | os.PathLike[str]], *, fmt: str | None = None,
    include: Sequence[str] | None = None, exclude: Sequence[str] = (),
) -> int | None:
    """How many documents ``iter_documents(paths)`` will yield, when that is cheap to know
    (directories and ``.txt`` files: their files are counted, none is read); None when an
    input is a record file (JSONL, CSV, Parquet) or stdin.  For progress bars."""
    total = 0
    for path in paths:
        if str(path) == "-":
            return None
        try:
            s, kind = input_kind(path, fmt)
            if kind == "dir":
                total += sum(1 for _ in _walk_txt(s, include, exclude))
            elif kind == "txt":
                total += 1
            else:
                return None
        except (InputError, OSError):
            return None  # the real read reports the error
    return total


def _bad(error: InputError, on_bad: Callable[[InputError], None] | None) -> None:
    """Raise ``error``, or hand it to ``on_bad`` when bad records are being skipped."""
    if on_bad is None:
        raise error
    on_bad(error)


# --------------------------------------------------------------------------- text files


def check_globs(include: Sequence[str] | None, exclude: Sequence[str]) -> None:
    """``include``/``exclude`` are sequences of non-empty glob strings (not one string)."""
    for name, globs in (("include", include), ("exclude", exclude)):
        if globs is None:
            continue
        if isinstance(globs, str) or not all(isinstance(g, str) and g for g in globs):
            raise ConfigError(f"{name} must be a list of non-empty glob patterns: {globs!r}")


def text_document(path: str, root: str | None, encoding: str) -> Document:
    """The document of one text file: id = its path inside ``root`` prefixed by the
    directory's own name (``root=None``: the path as given), origin = its absolute path."""
    if root is None:
        doc_id = path
    else:
        name = os.path.basename(os.path.normpath(os.path.abspath(root)))
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        doc_id = f"{name}/{rel}" if name else rel
    return Document(doc_id, read_text(path, encoding=encoding), os.path.abspath(path))


def _read_dir(
    root: str, encoding: str, on_bad: Callable[[InputError], None] | None,
    include: Sequence[str] | None = None, exclude: Sequence[str] = (),
) -> Iterator[Document]:
    files = sorted(_walk_txt(root, include, exclude))
    if not files:
        what = "files matching --include/--exclude" if include is not None or exclude else ".txt files"
        raise InputError(f"{root}: no {what} in this directory (searched recursively)")
    for path in files:
        try:
            if not os.path.isfile(path):
                raise InputError(f"{path}: not a regular file")
            yield text_document(path, root, encoding)
        except InputError as e:
            _bad(e, on_bad)


def _walk_txt(root: str, include: Sequence[str] | None = None, exclude: Sequence[str] = ()) -> Iterator[str]:
    def onerror(e: OSError) -> None:
        raise InputError(f"{e.filename or root}: cannot read directory ({e.strerror or e})")

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror):
        dirnames.sort()
        for name in filenames + dirnames:
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            if include is None and not exclude:
                if name.lower().endswith((".txt", ".text")):
                    yield full
                continue
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if include is None:
                wanted = name.lower().endswith((".txt", ".text"))
            else:
                wanted = any(fnmatch.fnmatchcase(rel, g) for g in include)
            if wanted and not any(fnmatch.fnmatchcase(rel, g) for g in exclude):
                yield full


# --------------------------------------------------------------------------- records


def _record_document(
    rec: Any, where: str, text_field: str, id_field: str | None, keep: tuple[str, ...] = ()
) -> Document:
    """Turn one parsed record (a dict) into a Document, or raise InputError naming ``where``."""
    if not isinstance(rec, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    if text_field not in rec:
        raise InputError(f"{where}: no field {text_field!r} (fields: {_fields(rec)}); pass --text-field")
    text = rec[text_field]
    if not isinstance(text, str):
        raise InputError(f"{where}: field {text_field!r} must be a string, got {_type(text)}")
    _no_surrogate(text, where, text_field)
    if not text.strip():
        raise InputError(f"{where}: field {text_field!r} is empty")
    if id_field is None:
        doc_id = where
    else:
        if id_field not in rec:
            raise InputError(
                f"{where}: no field {id_field!r} (fields: {_fields(rec)}); "
                "pass --id-field, or --id-field '' to use file:line as ids"
            )
        raw = rec[id_field]
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise InputError(f"{where}: field {id_field!r} must be a string or integer, got {_type(raw)}")
        doc_id = str(raw)
        _no_surrogate(doc_id, where, id_field)
        if not doc_id:
            raise InputError(f"{where}: field {id_field!r} is empty")
    return Document(doc_id, text, where, {k: rec.get(k) for k in keep} if keep else {})


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogate(s: str, where: str, field: str) -> None:
    """JSON may escape a lone surrogate (``"\\ud800"``): not text, and not writable as UTF-8."""
    m = _SURROGATE.search(s)
    if m:
        raise InputError(f"{where}: field {field!r} holds a lone surrogate (U+{ord(m.group()):04X}) at character {m.start()}")


def _fields(rec: dict[str, Any]) -> str:
    names = sorted(str(k) for k in rec)
    return ", ".join(names[:12]) + (", ..." if len(names) > 12 else "") if names else "none"


def _type(v: Any) -> str:
    return "null" if v is None else type(v).__name__


def _open_text(path: str, encoding: str) -> TextIO:
    try:
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory, expected a file")
        return open(path, encoding=encoding, errors="strict", newline="")
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except LookupError:
        raise ConfigError(f"unknown encoding: {encoding!r} (try utf-8, cp1258 or latin-1)") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None


def _read_jsonl(
    path: str, text_field: str, id_field: str | None, encoding: str, on_bad: Callable[[InputError], None] | None,
    keep: tuple[str, ...] = (),
) -> Iterator[Document]:
    name = "<stdin>" if path == "-" else path
    check_encoding(encoding)
    # Bytes, decoded line by line, so a decoding error names its own line.
    f = _open_binary(path)
    lineno = 0
    with f:
        while True:
            try:
                raw = f.readline(MAX_BYTES + 1)
            except OSError as e:
                raise InputError(f"{name}: cannot read ({e.strerror or e})") from None
            if not raw:
                break
            lineno += 1
            where = f"{name}:{lineno}"
            if len(raw) > MAX_BYTES:
                raise InputError(f"{where}: line longer than {MAX_BYTES:,} bytes")
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            try:
                try:
                    line = raw.decode(encoding)
                except UnicodeDecodeError as e:
                    raise InputError(f"{where}: not valid {encoding} at byte {e.start} ({e.reason}); pass --encoding") from None
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(f"{where}: not valid JSON ({e.msg} at column {e.colno})") from None
                except ValueError as e:  # an integer over the 4,300-digit limit
                    raise InputError(f"{where}: not usable JSON ({str(e).splitlines()[0][:80]})") from None
                except RecursionError:
                    raise InputError(f"{where}: JSON nested too deeply") from None
                doc = _record_document(rec, where, text_field, id_field, keep)
            except InputError as e:
                _bad(e, on_bad)
                continue
            yield doc
    if lineno == 0:
        raise InputError(f"{name}: empty input, expected JSON lines")


def _open_binary(path: str) -> BinaryIO:
    try:
        if path == "-":
            return open(sys.stdin.fileno(), "rb", closefd=False)
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory, expected a file")
        return open(path, "rb")
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None


def _read_csv(
    path: str, text_field: str, id_field: str | None, encoding: str, on_bad: Callable[[InputError], None] | None,
    keep: tuple[str, ...] = (),
) -> Iterator[Document]:
    csv.field_size_limit(MAX_BYTES)
    f = _open_text(path, encoding)
    with f:
        reader = csv.DictReader(f)
        try:
            header = reader.fieldnames
        except UnicodeDecodeError as e:
            raise InputError(f"{path}:1: not valid {encoding} ({e.reason}); pass --encoding") from None
        except csv.Error as e:
            raise InputError(f"{path}:1: not valid CSV ({e})") from None
        if not header:
            raise InputError(f"{path}: empty CSV, expected a header row")
        missing = [fld for fld in (text_field, id_field, *keep) if fld is not None and fld not in header]
        if missing:
            raise InputError(
                f"{path}:1: no column {missing[0]!r} (columns: {', '.join(header)}); pass --text-field/--id-field"
            )
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError as e:
                raise InputError(f"{path}:{reader.line_num + 1}: not valid {encoding} ({e.reason}); pass --encoding") from None
            except csv.Error as e:
                raise InputError(f"{path}:{reader.line_num}: not valid CSV ({e})") from None
            where = f"{path}:{start}"
            start = reader.line_num + 1
            try:
                if None in row:
                    raise InputError(f"{where}: more cells than header columns")
                doc = _record_document(row, where, text_field, id_field, keep)
            except InputError as e:
                _bad(e, on_bad)
                continue
            yield doc


def _first_line(e: BaseException) -> str:
    return (str(e).splitlines() or [type(e).__name__])[0][:120]


def _read_parquet(
    path: str, text_field: str, id_field: str | None, on_bad: Callable[[InputError], None] | None,
    keep: tuple[str, ...] = (),
) -> Iterator[Document]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{path}: reading Parquet needs pyarrow: pip install 'overlap[parquet]'") from None
    try:
        pf = pq.ParquetFile(path)
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except Exception as e:  # pyarrow raises ArrowInvalid/OSError for non-Parquet bytes
        raise InputError(f"{path}: not a Parquet file ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
    columns = pf.schema_arrow.names
    wanted = [text_field] + ([id_field] if id_field is not None else []) + list(keep)
    for c in wanted:
        if c not in columns:
            raise InputError(f"{path}: no column {c!r} (columns: {', '.join(columns)}); pass --text-field/--id-field")
    row = 0
    batches = pf.iter_batches(batch_size=_PARQUET_BATCH, columns=sorted(set(wanted)))
    while True:
        try:
            batch = next(batches, None)
        except Exception as e:  # a corrupt page or header: pyarrow's OSError/ArrowException
            raise InputError(f"{path}: damaged Parquet after row {row} ({_first_line(e)})") from None
        if batch is None:
            break
        try:
            data: dict[str, list[Any]] | None = batch.to_pydict()
        except Exception:  # invalid UTF-8 in a string column: find the row below
            data = None
        for i in range(batch.num_rows):
            row += 1
            try:
                if data is not None:
                    rec = {c: data[c][i] for c in data}
                else:
                    try:
                        rec = {c: batch.column(c)[i].as_py() for c in batch.schema.names}
                    except Exception as e:
                        raise InputError(f"{path}:row{row}: unreadable value ({_first_line(e)})") from None
                doc = _record_document(rec, f"{path}:row{row}", text_field, id_field, keep)
            except InputError as e:
                _bad(e, on_bad)
                continue
            yield doc



# Public names for the Spark reader (``overlap.corpus.spark_input``), which applies the
# same per-record rules on the executors.
record_document = _record_document
walk_txt = _walk_txt
