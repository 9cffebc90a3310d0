"""What ``dedup`` reads: documents of any accepted kind, their dates, the fields to carry.

``document_items(documents, id_field, text_field, date_field, keep) -> iterator``
    ``(id, text, date, row, fields)`` per document, lazily, from ``Document`` records,
    strings, dicts or a pandas / Arrow table; a bad row is a one-line ``InputError``.
``parse_date(value, where) -> float``
    Seconds since the epoch of an ISO 8601 string, a number or a date object; NaN when
    undated (also used by the JSONL readers and the corpus records).
``check_keep_fields(keep_fields) -> tuple``
    The ``keep_fields`` option, validated.

Split from ``overlap.deduplication`` so that the readers (``dedup_io``, ``jsonl_fast``,
``corpus.records``) depend on input parsing only, not on the decision step.  Cost: linear
in the documents; a table is read column by column.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from .errors import ConfigError, InputError
from .records import Document

__all__ = ["check_keep_fields", "document_items", "parse_date"]


def parse_date(value: Any, where: str = "") -> float:
    """Seconds since the epoch of an ISO 8601 date/time string or a number; NaN for
    ``None`` or ``""`` (undated).  ``InputError`` naming ``where`` otherwise.

    >>> parse_date("2017-01-02") < parse_date("2017-01-02T08:00:00+07:00") < parse_date(1483351200.0)
    True
    """
    if value is None or value == "":
        return math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, datetime):
        d = value
    elif hasattr(value, "isoformat") and not isinstance(value, str):  # date, pandas Timestamp
        d = datetime.fromisoformat(value.isoformat())
    else:
        s = str(value).strip()
        try:
            d = datetime.fromisoformat(s[:-1] + "+00:00" if s.endswith("Z") else s)
        except ValueError:
            raise InputError(f"{where}: date {s[:40]!r} is not an ISO 8601 date (e.g. 2017-01-02 or 2017-01-02T08:00:00Z)") from None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.timestamp()


def document_items(
    documents: Any, id_field: str, text_field: str, date_field: str | None, keep: tuple[str, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """``(id, text, date, row, fields)`` per document of any kind ``dedup`` accepts: ``Document``
    records, plain strings (ids ``"0"``, ``"1"``, ...), dicts, or a pandas / Arrow table;
    ``fields`` holds the ``keep`` metadata fields (``None`` when none are asked for).
    Lazy over an iterable (a generator of dicts is never held whole); a table's columns
    are read whole, as the table already is."""
    if hasattr(documents, "column_names") and hasattr(documents, "to_pydict"):  # pyarrow Table / RecordBatch
        yield from _table_items(documents, list(documents.column_names), id_field, text_field, date_field, keep)
        return
    if hasattr(documents, "columns") and hasattr(documents, "iloc"):  # pandas DataFrame
        yield from _table_items(documents, [str(c) for c in documents.columns], id_field, text_field, date_field, keep)
        return
    if isinstance(documents, (str, bytes)):
        raise ConfigError("documents must be a collection of texts, not one string: wrap it in a list")
    for row, d in enumerate(documents):
        if isinstance(d, Document):
            yield d.id, d.text, math.nan, row, ({k: d.metadata.get(k) for k in keep} if keep else None)
        elif isinstance(d, str):
            yield str(row), d, math.nan, row, ({k: None for k in keep} if keep else None)
        elif isinstance(d, dict):
            where = f"documents[{row}]"
            text = d.get(text_field)
            if not isinstance(text, str):
                raise InputError(f"{where}: field {text_field!r} must be a string, got {type(text).__name__}")
            raw_id = d.get(id_field, row)
            date = parse_date(d.get(date_field), where) if date_field else math.nan
            yield str(raw_id), text, date, row, ({k: d.get(k) for k in keep} if keep else None)
        else:
            raise ConfigError(f"documents[{row}] must be a Document, str or dict, got {type(d).__name__}")


def _table_items(
    table: Any, columns: list[str], id_field: str, text_field: str, date_field: str | None, keep: tuple[str, ...]
) -> Iterator[tuple[Any, ...]]:
    """``document_items`` of a pandas or Arrow table: the named columns, each read once."""
    for c in (text_field, id_field, date_field, *keep):
        if c is not None and c not in columns:
            raise InputError(f"table has no column {c!r} (columns: {', '.join(columns)}); pass id_field/text_field")
    def column(name: str) -> list[Any]:
        return list(table[name].to_pylist() if hasattr(table[name], "to_pylist") else table[name].tolist())
    texts, ids = column(text_field), column(id_field)
    dates = column(date_field) if date_field else [None] * len(texts)
    kept = {k: column(k) for k in keep}
    for row, (i, t, dt) in enumerate(zip(ids, texts, dates)):
        if not isinstance(t, str):
            raise InputError(f"row {row}: column {text_field!r} must hold strings, got {type(t).__name__}")
        f = {k: v[row] for k, v in kept.items()} if keep else None
        yield str(i), t, parse_date(dt, f"row {row}") if date_field else math.nan, row, f


def check_keep_fields(keep_fields: Sequence[str]) -> tuple[str, ...]:
    """``keep_fields`` as a tuple of distinct non-empty names (not one string)."""
    if isinstance(keep_fields, str) or not all(isinstance(k, str) and k for k in keep_fields):
        raise ConfigError(f"keep_fields must be a list of field names, e.g. ['title', 'url']: {keep_fields!r}")
    return tuple(dict.fromkeys(keep_fields))
