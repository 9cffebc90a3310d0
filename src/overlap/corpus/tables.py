"""A scan's findings as flat CSV tables: one row per linked pair, or per conflict.

``csv_columns(result, table) -> [str]``, ``pair_rows(result)``, ``conflict_rows(result)``
    The header and rows of ``"pairs"`` and ``"conflicts"`` (``CSV_TABLES``).
``write_csv(result, path, table)``
    One table written atomically (``overlap scan --csv TABLE``), its text cells guarded
    against spreadsheet formulas (``overlap.outputs.spreadsheet_safe``); the row
    functions give the values unguarded.

``ScanResult`` offers each as a method.  Linear in the rows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, InputError

if TYPE_CHECKING:
    from .records import PairResult, ScanResult

__all__ = ["CSV_TABLES", "conflict_rows", "csv_columns", "pair_rows", "write_csv"]

CSV_TABLES = ("pairs", "conflicts")
"""The tables ``write_csv`` writes (``overlap scan --csv TABLE``)."""


def csv_columns(result: ScanResult, table: str = "pairs") -> list[str]:
    """The header of ``table`` (one of ``CSV_TABLES``): the ids, each kept field of
    each side (``fields_a.NAME``, ``fields_b.NAME``), ``first_published`` with a date
    field, then the table's own columns (see ``pair_rows``, ``conflict_rows``)."""
    if table not in CSV_TABLES:
        raise ConfigError(f"table must be one of {', '.join(CSV_TABLES)}: {table!r}")
    names = result.field_names()
    return ["a", "b", *(f"fields_{s}.{k}" for s in "ab" for k in names),
            *(["first_published"] if result.options.date_field is not None else []),
            *(_PAIR_COLUMNS if table == "pairs" else _CONFLICT_COLUMNS)]

def _side_cells(result: ScanResult, p: PairResult) -> dict[str, Any]:
    """The leading cells of a CSV row: ids, both sides' kept fields flattened."""
    out: dict[str, Any] = {"a": p.a, "b": p.b}
    for k, v in result.pair_sides(p).items():
        if k.startswith("fields_"):
            out.update({f"{k}.{name}": _cell(x) for name, x in (v or {}).items()})
        else:
            out[k] = v
    return out

def pair_rows(result: ScanResult) -> Iterator[dict[str, Any]]:
    """The ``--csv pairs`` table: one flat row per linked pair, in pair order.

    Beyond ``csv_columns``' leading cells: ``link``, ``evidence``, ``confidence``,
    ``jaccard``, ``containment_a``, ``containment_b``, ``near_duplicate``,
    ``near_duplicate_rule`` (``jaccard``/``coverage``, empty when not one),
    ``boilerplate``, ``passages`` (count), ``shared_a``/``shared_b`` (characters of
    each text in shared passages), ``conflicts`` (count) and ``same_event_names``
    (``; ``-separated).  Numbers rounded as in ``to_dict``; booleans ``true``/``false``.
    """
    for p in result.pairs:
        s = p.similarity
        yield {
            **_side_cells(result, p), "link": p.link, "evidence": p.evidence, "confidence": round(p.confidence, 4),
            "jaccard": round(s.jaccard, 4), "containment_a": round(s.containment_a, 4),
            "containment_b": round(s.containment_b, 4), "near_duplicate": _cell(p.near_duplicate),
            "near_duplicate_rule": p.duplicate.rule if p.duplicate else None,
            "boilerplate": _cell(p.boilerplate), "passages": len(p.passages),
            "shared_a": sum(len(x.a) for x in p.passages), "shared_b": sum(len(x.b) for x in p.passages),
            "conflicts": len(p.conflicts),
            "same_event_names": "; ".join(p.same_event.names) if p.same_event else None,
        }

def conflict_rows(result: ScanResult) -> Iterator[dict[str, Any]]:
    """The ``--csv conflicts`` table: one flat row per conflict, in pair order.

    Beyond ``csv_columns``' leading cells: ``kind``, ``a_start``, ``a_end``,
    ``a_text``, ``b_start``, ``b_end``, ``b_text`` (character spans into each text
    and the quoted values), ``confidence``, ``reason``, ``explanation``.
    """
    for p in result.pairs:
        if not p.conflicts:
            continue
        sides = _side_cells(result, p)
        for c in p.conflicts:
            yield {
                **sides, "kind": c.kind, "a_start": c.a.start, "a_end": c.a.end, "a_text": c.a_text,
                "b_start": c.b.start, "b_end": c.b.end, "b_text": c.b_text,
                "confidence": round(c.confidence, 3), "reason": c.reason, "explanation": c.explanation,
            }

def write_csv(result: ScanResult, path: str | os.PathLike[str], table: str = "pairs") -> None:
    """Write ``table`` (``"pairs"``: ``pair_rows``; ``"conflicts"``: ``conflict_rows``)
    as CSV with a header row to ``path`` atomically (``"-"``: standard output).
    Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``,
    tab, carriage return first) get a leading ``'`` (``spreadsheet_safe``); numbers
    are written as they are.  ``ConfigError`` for another table, ``InputError`` when it
    cannot be written.  Cost: linear in the rows."""
    import csv

    from ..outputs import output_stream, spreadsheet_safe

    columns = csv_columns(result, table)
    try:
        with output_stream(path, encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            w.writeheader()
            rows = pair_rows(result) if table == "pairs" else conflict_rows(result)
            w.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
    except OSError as e:
        raise InputError(f"{path}: cannot write ({e.strerror or e})") from None


_PAIR_COLUMNS = (
    "link", "evidence", "confidence", "jaccard", "containment_a", "containment_b", "near_duplicate",
    "near_duplicate_rule", "boilerplate", "passages", "shared_a", "shared_b", "conflicts", "same_event_names",
)
_CONFLICT_COLUMNS = (
    "kind", "a_start", "a_end", "a_text", "b_start", "b_end", "b_text", "confidence", "reason", "explanation",
)


def _cell(v: Any) -> Any:
    """A value as one CSV cell: text and numbers as they are, booleans ``true``/``false``
    (as in JSON), None empty, lists and objects as JSON."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None or isinstance(v, (str, int, float)):
        return v
    return json.dumps(v, ensure_ascii=False)
