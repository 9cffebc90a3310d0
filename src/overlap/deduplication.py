"""Deduplicate a corpus: exact and near-duplicate removal with a reason for every drop.

``dedup(documents, *, options=None, id_field="id", text_field="text", date_field=None, keep_fields=(), **overrides) -> DedupResult``
    Which documents to keep and, for each one dropped, the kept document it duplicates,
    the estimated and exact similarity, and why.  ``documents`` may be ``Document``
    records, plain strings (ids ``"0"``, ``"1"``, ...), dicts, or a pandas / Arrow table
    with id and text columns.
``DedupOptions(threshold=0.8, mode="jaccard", keep="first", num_perm=128, seed=1, shingle_size=5)``
    The settings, validated on construction.
``SignatureStore``
    Everything ``dedup`` needs to decide, as numpy arrays (signatures, shingle sets, exact
    keys, lengths, dates): ``build``, ``save(dir)``, ``load(dir)``.  Re-thresholding a
    saved store (``dedup_store``) gives the result of a fresh run without reading any text.
``dedup_store(store, options=None, **overrides) -> DedupResult``
    The decision step alone, on a built or loaded store.
``Removal``, ``DedupResult``
    The frozen result records; each has ``to_dict()``.

How it decides.  Each text is normalised and shingled exactly as ``overlap.minhash``
does.  *Exact duplicates* are documents whose normalised token sequence is identical (a
64-bit BLAKE2 key of the shingle sequence).  *Near-duplicates* are pairs that share an
LSH band of their MinHash signatures (bands chosen for Jaccard ``threshold - 0.1``, so a
pair at the threshold is missed with probability about 0.002) and whose **exact** similarity of shingle sets
reaches ``threshold``: Jaccard ``|A & B| / |A | B|`` in ``mode="jaccard"``, or
containment ``|A & B| / min(|A|, |B|)`` in ``mode="containment"`` (a short text copied
whole into a longer one).  The estimate only proposes pairs; the exact sets decide, so
the signature's sampling error never removes a document on its own.  For containment the
LSH threshold is lowered to ``t / (3 - t)``, the Jaccard of a pair where one text holds
``t`` of the other and is twice as long; longer containers can be missed.

Which copy stays.  Documents are ranked by ``keep``: ``"first"`` (input order),
``"longest"`` (most characters, then input order) or ``"earliest"`` (smallest date,
documents without a date last, then input order).  Going down the ranking, a document is
removed when it duplicates one already kept, and it points at the kept document it is
most similar to.  So every removal names a kept document it really matches (no chains:
A ~ B ~ C with A kept and C far from A keeps C), and the result does not depend on how
the pairs were found.

Memory.  No Python object per document during the run: signatures (``num_perm`` x 4
bytes), shingle sets (4 bytes per distinct shingle), keys, lengths and dates are numpy
arrays built batch by batch; ids are one numpy string array.  The result's removal
records are Python objects, one per *removed* document.

Cost: one normalise-shingle-sign pass over the texts (``overlap.minhash``'s cost), one
sort of the band keys, and an exact set intersection per candidate pair.

>>> r = dedup(["the cat sat on the mat today", "The cat sat on the mat today!", "a dog"])
>>> r.kept, [(x.id, x.duplicate_of, x.reason) for x in r.removed]
(('0', '2'), [('1', '0', 'exact')])
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ConfigError, InputError
from .records import Document

__all__ = [
    "DedupOptions",
    "DedupResult",
    "Removal",
    "SignatureStore",
    "check_keep_fields",
    "dedup",
    "dedup_store",
    "parse_date",
]

MODES = ("jaccard", "containment")
KEEP = ("first", "longest", "earliest")
_BATCH = 4096  # documents signed at once: bounded memory, few Python calls
_STORE_VERSION = 1


@dataclass(frozen=True, slots=True)
class DedupOptions:
    """Settings of ``dedup``; every field is checked when the object is made.

    ``threshold``: exact similarity at or above which two documents are duplicates.
    ``mode``: ``"jaccard"`` or ``"containment"`` (module docstring).
    ``keep``: ``"first"``, ``"longest"`` or ``"earliest"`` (needs dates).
    ``num_perm``, ``seed``, ``shingle_size``: the MinHash settings (as ``overlap.minhash``).
    """

    threshold: float = 0.8
    mode: str = "jaccard"
    keep: str = "first"
    num_perm: int = 128
    seed: int = 1
    shingle_size: int = 5

    def __post_init__(self) -> None:
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0.0 < float(t) <= 1.0:
            raise ConfigError(f"threshold must be a number in (0, 1], e.g. 0.8: {t!r}")
        if self.mode not in MODES:
            raise ConfigError(f"mode must be one of {', '.join(MODES)}: {self.mode!r}")
        if self.keep not in KEEP:
            raise ConfigError(f"keep must be one of {', '.join(KEEP)}: {self.keep!r}")
        for name, lo, hi in (("num_perm", 2, 1024), ("seed", 0, 2**63), ("shingle_size", 1, 1000)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise ConfigError(f"{name} must be an integer in [{lo}, {hi}]: {v!r}")


@dataclass(frozen=True, slots=True)
class Removal:
    """One dropped document: ``id`` duplicates the kept ``duplicate_of``.

    ``reason`` is ``"exact"`` (same normalised text), ``"near-duplicate"`` (Jaccard mode)
    or ``"contained"`` (containment mode).  ``similarity`` is the exact value of the
    mode's measure on the shingle sets, ``estimated`` the same measure estimated from the
    MinHash signatures, both in [0, 1].  ``fields`` and ``duplicate_of_fields`` are the
    metadata fields asked for with ``keep_fields`` (title, url, date...) of the two
    documents; ``first_published`` is whichever of the two ids has the earlier date
    (empty unless both are dated and the dates differ)."""

    id: str
    duplicate_of: str
    reason: str
    similarity: float
    estimated: float
    fields: dict[str, Any] | None = None
    duplicate_of_fields: dict[str, Any] | None = None
    first_published: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "duplicate_of": self.duplicate_of,
            "reason": self.reason,
            "similarity": round(self.similarity, 4),
            "estimated": round(self.estimated, 4),
        }
        if self.fields is not None:
            out["fields"] = self.fields
            out["duplicate_of_fields"] = self.duplicate_of_fields
        if self.first_published:
            out["first_published"] = self.first_published
        return out

    def flat_dict(self) -> dict[str, Any]:
        """``to_dict`` with the field maps spread into ``fields.NAME`` and
        ``duplicate_of_fields.NAME`` columns, for CSV."""
        out = self.to_dict()
        for side in ("fields", "duplicate_of_fields"):
            for k, v in (out.pop(side, None) or {}).items():
                out[f"{side}.{k}"] = v if isinstance(v, (str, int, float)) or v is None else json.dumps(v, ensure_ascii=False)
        return out


@dataclass(frozen=True, slots=True, eq=False)
class DedupResult:
    """What ``dedup`` decided.

    ``ids``: every document id in input order (numpy string array); ``keep_mask``: which
    of them stay (numpy bool, same order); ``removed``: one ``Removal`` per dropped
    document, in input order; ``options``: the settings used.
    """

    ids: np.ndarray
    keep_mask: np.ndarray
    removed: tuple[Removal, ...]
    options: DedupOptions

    @property
    def documents(self) -> int:
        return int(len(self.ids))

    @property
    def kept(self) -> tuple[str, ...]:
        """Ids of the kept documents, in input order."""
        return tuple(str(i) for i in self.ids[self.keep_mask])

    @property
    def clusters(self) -> tuple[tuple[str, ...], ...]:
        """Each kept document that has duplicates, followed by the ids it replaced
        (kept documents in input order, their duplicates in input order)."""
        groups: dict[str, list[str]] = {}
        for r in self.removed:
            groups.setdefault(r.duplicate_of, []).append(r.id)
        order = {str(i): n for n, i in enumerate(self.ids)}
        return tuple((k, *v) for k, v in sorted(groups.items(), key=lambda kv: order[kv[0]]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": 1,
            "documents": self.documents,
            "kept": len(self.ids) - len(self.removed),
            "removed": [r.to_dict() for r in self.removed],
            "clusters": [list(c) for c in self.clusters],
            "options": {f.name: getattr(self.options, f.name) for f in fields(self.options)},
        }

    def write_removed(self, path: str | os.PathLike[str], *, fmt: str | None = None) -> None:
        """Write the removal list to ``path`` atomically (``"-"``: standard output): JSONL,
        or CSV when ``fmt="csv"`` or the name ends in ``.csv``."""
        import csv

        from .outputs import output_stream

        fmt = fmt or ("csv" if str(path).lower().endswith(".csv") else "jsonl")
        if fmt not in ("jsonl", "csv"):
            raise ConfigError(f"removal list format must be jsonl or csv: {fmt!r}")
        try:
            with output_stream(path, encoding="utf-8") as f:
                if fmt == "csv":
                    rows = [r.flat_dict() for r in self.removed]
                    names = list(dict.fromkeys(["id", "duplicate_of", "reason", "similarity", "estimated"]
                                               + [k for row in rows for k in row]))
                    w = csv.DictWriter(f, fieldnames=names, lineterminator="\n")
                    w.writeheader()
                    w.writerows(rows)
                else:
                    for r in self.removed:
                        f.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
        except OSError as e:
            raise InputError(f"{path}: cannot write ({e.strerror or e})") from None


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


# --------------------------------------------------------------------------- store


@dataclass(frozen=True, slots=True, eq=False)
class SignatureStore:
    """The per-document arrays ``dedup`` decides on, all in input order.

    ``ids`` (str), ``signatures`` ``(n, num_perm)`` uint32, ``shingles`` (the distinct
    32-bit-folded shingle hashes of each document, sorted, concatenated) cut by
    ``offsets`` (``n + 1`` int64), ``exact`` (uint64 key of the normalised token
    sequence), ``lengths`` (characters, int64), ``dates`` (epoch seconds, NaN when
    undated), ``rows`` (the record's row in the input stream, int64, for writers), the
    kept metadata fields as one UTF-8 JSON object per document in ``fields_blob`` cut by
    ``fields_offsets`` (``None`` when no fields were kept), and the MinHash settings.  ``meta`` is free-form JSON-able data saved alongside (the CLI
    keeps its input description there).
    """

    ids: np.ndarray
    signatures: np.ndarray
    shingles: np.ndarray
    offsets: np.ndarray
    exact: np.ndarray
    lengths: np.ndarray
    dates: np.ndarray
    rows: np.ndarray
    num_perm: int
    seed: int
    shingle_size: int
    meta: dict[str, Any] = field(default_factory=dict)
    fields_blob: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint8))
    fields_offsets: np.ndarray | None = None

    _ARRAYS = ("ids", "signatures", "shingles", "offsets", "exact", "lengths", "dates", "rows")
    _OPTIONAL = ("fields_blob", "fields_offsets")

    def fields_of(self, i: int) -> dict[str, Any] | None:
        """The kept metadata fields of document ``i`` (``None`` when none were kept)."""
        if self.fields_offsets is None:
            return None
        lo, hi = int(self.fields_offsets[i]), int(self.fields_offsets[i + 1])
        return dict(json.loads(self.fields_blob[lo:hi].tobytes().decode("utf-8"))) if hi > lo else {}

    def __len__(self) -> int:
        return int(len(self.ids))

    @classmethod
    def build(
        cls,
        items: Iterable[tuple[Any, ...]],
        *,
        num_perm: int = 128,
        seed: int = 1,
        shingle_size: int = 5,
        meta: dict[str, Any] | None = None,
    ) -> SignatureStore:
        """Sign ``(id, text, date, row)`` or ``(id, text, date, row, fields)`` items batch by
        batch (``date`` NaN when none; ``fields`` a dict of metadata to carry, or None).

        Cost: ``overlap.minhash``'s pass over the texts plus one sort per batch."""
        from .signatures import shingle_batch, signatures_from_shingles

        parts: dict[str, list[np.ndarray]] = {k: [] for k in cls._ARRAYS if k != "offsets"}
        counts: list[np.ndarray] = []
        blobs: list[bytes] = []
        blob_sizes: list[int] = []
        any_fields = False
        seen: set[str] = set()
        it = iter(items)
        while True:
            batch = [x for _, x in zip(range(_BATCH), it)]
            if not batch:
                break
            ids = [b[0] for b in batch]
            for i in ids:
                if i in seen:
                    raise InputError(f"duplicate document id {i!r}: ids must be unique (pass --id-field '' to number records)")
                seen.add(i)
            texts = [b[1] for b in batch]
            flat, offs = shingle_batch(texts, shingle_size)
            sig = signatures_from_shingles(flat, offs, num_perm=num_perm, seed=seed)
            parts["signatures"].append(sig)
            parts["exact"].append(
                np.fromiter(
                    (int.from_bytes(hashlib.blake2b(flat[offs[j]:offs[j + 1]].tobytes(), digest_size=8).digest(), "little")
                     for j in range(len(texts))),
                    dtype=np.uint64, count=len(texts),
                )
            )
            sets, per_doc = _distinct_sets(flat, offs)
            parts["shingles"].append(sets)
            counts.append(per_doc)
            parts["ids"].append(np.array(ids, dtype=str))
            parts["lengths"].append(np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts)))
            parts["dates"].append(np.array([b[2] for b in batch], dtype=np.float64))
            parts["rows"].append(np.array([b[3] for b in batch], dtype=np.int64))
            for b in batch:
                f = b[4] if len(b) > 4 else None
                any_fields = any_fields or f is not None
                raw = json.dumps(f, ensure_ascii=False, default=str).encode("utf-8") if f is not None else b""
                blobs.append(raw)
                blob_sizes.append(len(raw))
        del seen
        n = sum(len(c) for c in counts)
        offsets = np.zeros(n + 1, dtype=np.int64)
        if counts:
            np.cumsum(np.concatenate(counts), out=offsets[1:])
        empty = {
            "ids": np.zeros(0, dtype=str), "signatures": np.zeros((0, num_perm), dtype=np.uint32),
            "shingles": np.zeros(0, dtype=np.uint32), "exact": np.zeros(0, dtype=np.uint64),
            "lengths": np.zeros(0, dtype=np.int64), "dates": np.zeros(0, dtype=np.float64),
            "rows": np.zeros(0, dtype=np.int64),
        }
        arrays = {k: (np.concatenate(v) if v else empty[k]) for k, v in parts.items()}
        f_off = None
        if any_fields:
            f_off = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.asarray(blob_sizes, dtype=np.int64), out=f_off[1:])
        blob = np.frombuffer(b"".join(blobs), dtype=np.uint8) if any_fields else np.zeros(0, dtype=np.uint8)
        return cls(offsets=offsets, num_perm=num_perm, seed=seed, shingle_size=shingle_size, meta=dict(meta or {}),
                   fields_blob=blob, fields_offsets=f_off, **arrays)

    def save(self, directory: str | os.PathLike[str]) -> None:
        """Write the arrays (``.npy``) and settings (``store.json``) into ``directory``."""
        from .outputs import atomic_writer

        d = Path(directory)
        try:
            d.mkdir(parents=True, exist_ok=True)
            for name in self._ARRAYS + self._OPTIONAL:
                if getattr(self, name) is None:
                    continue
                with atomic_writer(d / f"{name}.npy", mode="wb") as f:
                    np.save(f, getattr(self, name), allow_pickle=False)
            info = {"version": _STORE_VERSION, "num_perm": self.num_perm, "seed": self.seed,
                    "shingle_size": self.shingle_size, "documents": len(self), "meta": self.meta}
            with atomic_writer(d / "store.json") as f:
                json.dump(info, f, ensure_ascii=False, indent=1)
        except OSError as e:
            raise InputError(f"{directory}: cannot save signatures ({e.strerror or e})") from None

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> SignatureStore:
        """Read a store written by ``save``; ``InputError`` when it is missing or damaged."""
        d = Path(directory)
        try:
            info = json.loads((d / "store.json").read_text(encoding="utf-8"))
            if info.get("version") != _STORE_VERSION:
                raise InputError(f"{directory}: signature store version {info.get('version')!r}, expected {_STORE_VERSION}")
            arrays = {name: np.load(d / f"{name}.npy", allow_pickle=False) for name in cls._ARRAYS}
            if (d / "fields_offsets.npy").exists():
                arrays.update({name: np.load(d / f"{name}.npy", allow_pickle=False) for name in cls._OPTIONAL})
        except FileNotFoundError as e:
            raise InputError(f"{directory}: not a saved signature store (missing {Path(e.filename or '').name}); "
                             "make one with --save-signatures DIR") from None
        except (OSError, ValueError) as e:
            raise InputError(f"{directory}: damaged signature store ({e})") from None
        store = cls(num_perm=int(info["num_perm"]), seed=int(info["seed"]), shingle_size=int(info["shingle_size"]),
                    meta=dict(info.get("meta") or {}), **arrays)
        n = len(store)
        if store.signatures.shape != (n, store.num_perm) or len(store.offsets) != n + 1 or store.offsets[-1] != len(store.shingles):
            raise InputError(f"{directory}: damaged signature store (array sizes disagree)")
        return store


def _distinct_sets(flat: np.ndarray, offs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per document, its distinct shingle hashes folded to 32 bits as ``overlap.signatures``
    folds them, sorted: ``(values uint32, count per document int64)``.  One sort of
    ``(document << 32) | value`` keys does every document at once."""
    n = len(offs) - 1
    doc = np.repeat(np.arange(n, dtype=np.uint64), np.diff(offs))
    folded = (flat ^ (flat >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    keys = np.sort((doc << np.uint64(32)) | folded)  # np.unique hashes first: several times slower here
    if len(keys) > 1:
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]]
    per_doc = np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=n).astype(np.int64)
    return (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), per_doc


# --------------------------------------------------------------------------- inputs


def _items(
    documents: Any, id_field: str, text_field: str, date_field: str | None, keep: tuple[str, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """``(id, text, date, row, fields)`` from any accepted kind of ``documents``."""
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


# --------------------------------------------------------------------------- decide


def dedup(
    documents: Any,
    *,
    options: DedupOptions | None = None,
    id_field: str = "id",
    text_field: str = "text",
    date_field: str | None = None,
    keep_fields: Sequence[str] = (),
    **overrides: Any,
) -> DedupResult:
    """Deduplicate ``documents`` (module docstring); ``overrides`` are ``DedupOptions``
    fields (``dedup(texts, threshold=0.7, keep="longest")``).  ``keep="earliest"`` needs
    ``date_field`` for dicts and tables; with a ``date_field`` each removal also says
    which copy was published first.  ``keep_fields`` names metadata fields (of dicts,
    tables or ``Document.metadata``) copied into each removal for both documents.  Cost:
    one pass over the texts, then ``dedup_store``."""
    opts = _options(options, overrides)
    keep = check_keep_fields(keep_fields)
    store = SignatureStore.build(
        _items(documents, id_field, text_field, date_field, keep),
        num_perm=opts.num_perm, seed=opts.seed, shingle_size=opts.shingle_size,
    )
    return dedup_store(store, opts)


def check_keep_fields(keep_fields: Sequence[str]) -> tuple[str, ...]:
    """``keep_fields`` as a tuple of distinct non-empty names (not one string)."""
    if isinstance(keep_fields, str) or not all(isinstance(k, str) and k for k in keep_fields):
        raise ConfigError(f"keep_fields must be a list of field names, e.g. ['title', 'url']: {keep_fields!r}")
    return tuple(dict.fromkeys(keep_fields))


def _options(options: DedupOptions | None, overrides: dict[str, Any]) -> DedupOptions:
    names = {f.name for f in fields(DedupOptions)}
    bad = sorted(set(overrides) - names)
    if bad:
        raise ConfigError(f"unknown option {bad[0]!r}; expected one of {', '.join(sorted(names))}")
    return replace(options or DedupOptions(), **overrides)


def dedup_store(store: SignatureStore, options: DedupOptions | None = None, **overrides: Any) -> DedupResult:
    """Decide on a built or loaded ``SignatureStore``.  ``num_perm``, ``seed`` and
    ``shingle_size`` come from the store (the signatures were made with them).

    Cost: one sort of the ``n * bands`` band keys plus one exact intersection per
    candidate pair above the estimate's cut."""
    from .lsh import band_keys, candidate_pairs, optimal_params

    opts = _options(options, overrides)
    opts = replace(opts, num_perm=store.num_perm, seed=store.seed, shingle_size=store.shingle_size)
    n = len(store)
    rank = _rank(store, opts.keep)
    order = np.empty(n, dtype=np.int64)
    order[rank] = np.arange(n, dtype=np.int64)  # order[i] = position of document i in the ranking
    keep = np.ones(n, dtype=bool)
    removed: dict[int, Removal] = {}
    heads: dict[int, int] = {}  # exact duplicate -> the member of its group that stayed

    # 1. Exact duplicates: equal keys; the best-ranked member of each group stays.
    by_key = np.lexsort((order, store.exact))
    k = store.exact[by_key]
    if n > 1:
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
        sizes = np.diff(np.r_[starts, n])
        for s, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
            head = int(by_key[s])
            for j in by_key[s + 1:s + size].tolist():
                keep[j] = False
                heads[j] = head
                removed[j] = Removal(str(store.ids[j]), str(store.ids[head]), "exact", 1.0, 1.0)

    # 2. Near-duplicates among the survivors of step 1.
    alive = np.flatnonzero(keep)
    if len(alive) > 1:
        t = opts.threshold
        # Recall first: every candidate is verified exactly, so a false positive costs one
        # intersection while a false negative is a duplicate left in.  datasketch's even
        # weights at the threshold itself find a pair at exactly J = 0.8 only 40% of the
        # time with 128 permutations; banding for t - 0.1 with false negatives weighted
        # 0.95 misses such a pair with probability about 0.002.
        lsh_t = max(0.05, t - 0.1) if opts.mode == "jaccard" else t / (3.0 - t)
        bands, rows = optimal_params(lsh_t, store.num_perm, 0.05, 0.95)
        pairs = candidate_pairs(band_keys(store.signatures[alive], bands, rows))
        pairs = alive[pairs] if len(pairs) else np.zeros((0, 2), dtype=np.int64)
        edges = _verify(store, pairs, opts, lsh_t)
        _greedy(store, edges, order, keep, removed, "near-duplicate" if opts.mode == "jaccard" else "contained")
        # A group's head removed in step 2 takes its exact copies along: they have the
        # same shingle set, hence the same similarity to the document that stayed.
        for j, head in heads.items():
            if not keep[head]:
                r = removed[head]
                removed[j] = Removal(str(store.ids[j]), r.duplicate_of, r.reason, r.similarity, r.estimated)
    return DedupResult(ids=store.ids, keep_mask=keep, removed=_annotate(store, removed), options=opts)


def _annotate(store: SignatureStore, removed: dict[int, Removal]) -> tuple[Removal, ...]:
    """The removals in input order, with the kept fields of both documents and which of
    the two was published first (when both are dated).  Cost: one sort of the ids."""
    idx = sorted(removed)
    if not idx or (store.fields_offsets is None and np.isnan(store.dates).all()):
        return tuple(removed[i] for i in idx)
    by_id = np.argsort(store.ids, kind="stable")
    targets = np.array([removed[i].duplicate_of for i in idx], dtype=store.ids.dtype)
    heads = by_id[np.searchsorted(store.ids, targets, sorter=by_id)].tolist()
    out = []
    for i, u in zip(idx, heads):
        r = removed[i]
        di, du = float(store.dates[i]), float(store.dates[u])
        first = "" if math.isnan(di) or math.isnan(du) or di == du else (r.id if di < du else r.duplicate_of)
        out.append(replace(r, fields=store.fields_of(i), duplicate_of_fields=store.fields_of(u), first_published=first))
    return tuple(out)


def _rank(store: SignatureStore, keep: str) -> np.ndarray:
    """Document indices from the one kept first to the one kept last."""
    n = len(store)
    index = np.arange(n, dtype=np.int64)
    if keep == "first":
        return index
    if keep == "longest":
        return np.lexsort((index, -store.lengths))
    dates = store.dates
    if n and np.isnan(dates).all():
        raise ConfigError("keep='earliest' needs dates, but no document has one; pass a date field (--date-field F)")
    return np.lexsort((index, np.where(np.isnan(dates), np.inf, dates)))


def _verify(store: SignatureStore, pairs: np.ndarray, opts: DedupOptions, lsh_t: float) -> list[tuple[int, int, float, float]]:
    """``(i, j, exact, estimated)`` for the candidate pairs that are duplicates.

    Cheapest filter first: the signature estimate (vectorised) drops pairs far below the
    LSH threshold (0.15 is about four standard errors of a 128-permutation estimate),
    then the exact intersection of the sorted shingle sets decides."""
    if not len(pairs):
        return []
    from .signatures import estimate_jaccard

    est = np.asarray(estimate_jaccard(store.signatures[pairs[:, 0]], store.signatures[pairs[:, 1]]), dtype=np.float64)
    sizes = np.diff(store.offsets)
    sel = est >= lsh_t - 0.15
    out: list[tuple[int, int, float, float]] = []
    sh, off = store.shingles, store.offsets
    for (i, j), e in zip(pairs[sel].tolist(), est[sel].tolist()):
        a, b = sh[off[i]:off[i + 1]], sh[off[j]:off[j + 1]]
        inter = len(np.intersect1d(a, b, assume_unique=True))
        na, nb = int(sizes[i]), int(sizes[j])
        if opts.mode == "jaccard":
            exact = inter / (na + nb - inter) if na + nb - inter else 1.0
            estimate = e
        else:
            lo = min(na, nb) or 1
            exact = inter / lo
            estimate = min(1.0, e * (na + nb) / ((1.0 + e) * lo))  # |A & B| = J (|A| + |B|) / (1 + J)
        if exact >= opts.threshold:
            out.append((i, j, exact, estimate))
    return out


def _greedy(
    store: SignatureStore,
    edges: list[tuple[int, int, float, float]],
    order: np.ndarray,
    keep: np.ndarray,
    removed: dict[int, Removal],
    reason: str,
) -> None:
    """Go down the ranking; remove a document with a duplicate already kept, pointing at
    the most similar such document (ties: the better-ranked one)."""
    better: dict[int, list[tuple[int, float, float]]] = {}
    for i, j, exact, est in edges:
        u, v = (i, j) if order[i] < order[j] else (j, i)
        better.setdefault(v, []).append((u, exact, est))
    for v in sorted(better, key=lambda x: int(order[x])):
        cands = [(u, s, e) for u, s, e in better[v] if keep[u]]
        if not cands:
            continue
        u, s, e = min(cands, key=lambda c: (-c[1], int(order[c[0]])))
        keep[v] = False
        removed[v] = Removal(str(store.ids[v]), str(store.ids[u]), reason, s, e)
