"""The records a corpus scan produces; each has ``to_dict()`` (the ``--json`` schema).

``ScanResult``
    What a scan finds; ``to_dict()`` is the ``--json`` document, ``records()`` the
    ``--jsonl`` stream, ``text(doc_id)`` a document's text for quoting spans,
    ``document(doc_id)`` its ``DocInfo`` (kept fields, date), ``pair_rows()`` /
    ``conflict_rows()`` / ``write_csv(path, table)`` the ``--csv`` tables.
``DocInfo``, ``PairResult``, ``SameEvent``, ``Link``, ``Cluster``, ``Occurrence``,
``Spelling``, ``NameVariant``, ``ReusedPassage``, ``ScanStats``
    The frozen records inside a ``ScanResult``.
``LinkColumns``, ``LinkRun``
    A story's evidence as a read-only sequence of ``Link`` made on access from shared
    columns (a large scan has millions of story links).
``duplicate_id_error(doc_id, origin, first_origin) -> InputError``
    The one error both engines raise for a repeated document id.
``doc_info(doc_id, origin, length, metadata, date_field) -> DocInfo``
    The one ``DocInfo`` both engines record: kept fields, and the date parsed.
``first_published(members, infos) -> str | None``
    A cluster's earliest-dated member.
``CSV_TABLES``
    The tables ``ScanResult.write_csv`` writes: ``"pairs"``, ``"conflicts"``.
``SCHEMA``
    Version of the ``to_dict()`` / JSONL layout.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, overload

from ..errors import InputError
from ..records import Conflict, DuplicateReason, Passage, Similarity, Span
from ..stories import link_weight
from . import tables
from .found_text import EXCERPT, NameVariant, Occurrence, ReusedPassage, Spelling, excerpt
from .options import ScanOptions
from .store import TextStore

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "CSV_TABLES",
    "SCHEMA",
    "Cluster",
    "DocInfo",
    "Link",
    "LinkColumns",
    "LinkRun",
    "NameVariant",
    "Occurrence",
    "PairResult",
    "ReusedPassage",
    "SameEvent",
    "ScanResult",
    "ScanStats",
    "Spelling",
    "doc_info",
    "duplicate_id_error",
    "excerpt",
    "first_published",
    "passage_dict",
]

SCHEMA = 1
"""Version of the ``to_dict()`` / JSONL layout; bumped on any incompatible change."""

CSV_TABLES = tables.CSV_TABLES
"""The tables ``ScanResult.write_csv`` writes (``overlap scan --csv TABLE``)."""


def duplicate_id_error(doc_id: str, origin: str, first_origin: str) -> InputError:
    """The error for a document id seen twice, naming where each copy came from."""
    return InputError(
        f"{origin or doc_id}: duplicate document id {doc_id!r} (first seen at {first_origin or '?'}); "
        "ids must be unique (use --id-field '' to number records by file:line)"
    )


@dataclass(frozen=True, slots=True)
class DocInfo:
    """One scanned document: ``id``, ``origin`` (file or file:line) and ``length`` in characters.

    ``fields``: the metadata its reader kept (``keep_fields``: title, url, date...), or
    None when none was kept; ``date``: seconds since the epoch of its
    ``ScanOptions.date_field``, None when undated or no date field is set.
    """

    id: str
    origin: str
    length: int
    fields: dict[str, Any] | None = None
    date: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "origin": self.origin, "length": self.length}
        if self.fields is not None:
            out["fields"] = self.fields
        return out


def doc_info(doc_id: str, origin: str, length: int, metadata: dict[str, Any] | None, date_field: str | None) -> DocInfo:
    """The ``DocInfo`` both drivers record for a document: its kept metadata, and its date
    parsed (``InputError`` naming its origin when the value is not a date)."""
    from ..dedup_inputs import parse_date

    date = parse_date((metadata or {}).get(date_field), origin or doc_id) if date_field else math.nan
    return DocInfo(doc_id, origin, length, metadata or None, None if math.isnan(date) else date)


def first_published(members: tuple[str, ...], infos: dict[str, DocInfo]) -> str | None:
    """The member with the earliest date (the first in input order on a tie); None when
    no member is dated."""
    dated = [(d, k) for k, m in enumerate(members) if (d := infos[m].date) is not None]
    return members[min(dated)[1]] if dated else None


@dataclass(frozen=True, slots=True)
class SameEvent:
    """Evidence that two documents report the same event without sharing a passage.

    ``names``: the distinctive name phrases both contain (capitalised runs such as
    "Ned Price", or acronyms such as "OSCE", found in few documents of the corpus);
    ``dates``: the day/month dates both mention ("12/1").
    """

    names: tuple[str, ...]
    dates: tuple[str, ...]

    @property
    def confidence(self) -> float:
        """How sure the evidence alone is, in [0, 1]: ``overlap.stories.link_weight`` of
        its names (at most 8 are kept); alone it never joins a story."""
        return link_weight(same_event_names=len(self.names))[0]

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "dates": list(self.dates), "confidence": round(self.confidence, 4)}


@dataclass(frozen=True, slots=True)
class PairResult:
    """A verified pair of documents ``a`` and ``b`` (ids; ``a`` comes first in input order).

    ``similarity`` is the exact shingle overlap, ``near_duplicate`` whether its Jaccard
    reaches the threshold; ``passages`` and ``conflicts`` are ``compare``'s, with spans
    into ``a``'s and ``b``'s texts.  ``same_event`` is set when the pair is linked by
    shared names and dates.  Only linked pairs are kept (see ``link``).  ``duplicate``
    says which near-duplicate rule fired (None when not a near-duplicate).  ``evidence``
    and ``confidence`` are the pair's story evidence (``overlap.stories.link_weight``:
    ``near_duplicate``, ``long_passage``, ``short_passage``, ``same_event`` or
    ``shared_vocabulary``; "" and 0 for boilerplate only) and its weight in [0, 1].
    """

    a: str
    b: str
    similarity: Similarity
    near_duplicate: bool
    passages: tuple[Passage, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    same_event: SameEvent | None = None
    boilerplate: bool = False
    duplicate: DuplicateReason | None = None
    evidence: str = ""
    confidence: float = 0.0

    @property
    def link(self) -> str:
        """The strongest reason the pair is linked.

        ``"near_duplicate"``, ``"passage"``, ``"same_event"``, or ``"boilerplate"`` when
        its only shared passages are boilerplate (a site footer; see ``ReusedPassage``):
        such pairs are listed but do not join stories.
        """
        if self.near_duplicate:
            return "near_duplicate"
        if self.passages and not self.boilerplate:
            return "passage"
        if self.same_event is not None:
            return "same_event"
        return "boilerplate" if self.passages else "same_event"

    def to_dict(self, a_text: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "a": self.a,
            "b": self.b,
            "link": self.link,
            "similarity": self.similarity.to_dict(),
            "near_duplicate": self.near_duplicate,
            "near_duplicate_reason": self.duplicate.to_dict() if self.duplicate else None,
            "evidence": self.evidence,
            "confidence": round(self.confidence, 4),
            "boilerplate": self.boilerplate,
            "passages": [passage_dict(p, a_text) for p in self.passages],
            "conflicts": [c.to_dict() for c in self.conflicts],
        }
        out["same_event"] = self.same_event.to_dict() if self.same_event else None
        return out


def passage_dict(p: Passage, a_text: str | None) -> dict[str, Any]:
    """A shared passage as JSON: both spans, the score, and (given ``a``'s text) an excerpt."""
    d: dict[str, Any] = {"a": p.a.to_dict(), "b": p.b.to_dict(), "score": round(p.score, 4)}
    if a_text is not None:
        d["text"] = excerpt(p.a.of(a_text))
    return d


@dataclass(frozen=True, slots=True)
class Link:
    """One piece of a cluster's evidence: documents ``a`` and ``b`` are linked.

    ``reason`` is the strongest evidence (``near_duplicate``, ``long_passage``,
    ``short_passage``, ``same_event``, ``shared_vocabulary``) and ``confidence`` the
    link's weight in [0, 1] (``overlap.stories``).  ``pair`` is the verified
    ``PairResult`` (its passages are the shared text), or None for a link found only
    through shared rare vocabulary, whose cosine is ``vocabulary``.
    """

    a: str
    b: str
    reason: str
    pair: PairResult | None
    confidence: float = 0.0
    vocabulary: float = 0.0

    def to_dict(self, a_text: str | None = None) -> dict[str, Any]:
        p = self.pair
        out: dict[str, Any] = {
            "a": self.a,
            "b": self.b,
            "reason": self.reason,
            "confidence": round(self.confidence, 4),
            "jaccard": round(p.similarity.jaccard, 4) if p is not None else None,
            "passages": [passage_dict(x, a_text) for x in p.passages] if p is not None else [],
        }
        if p is not None and p.same_event is not None:
            out["same_event"] = p.same_event.to_dict()
        if self.vocabulary:
            out["vocabulary_cosine"] = round(self.vocabulary, 4)
        return out


@dataclass(frozen=True, slots=True)
class LinkColumns:
    """Links as columns: pair ``codes[k] = a * n + b`` (``a``, ``b`` positions in ``ids``),
    ``reason[k]`` an index into ``reasons``, ``weight`` and ``cosine`` (0.0 for none);
    ``pairs`` gives a code's verified ``PairResult`` (absent for vocabulary-only links)."""

    ids: Sequence[str]
    n: int
    codes: np.ndarray  # int64
    reason: np.ndarray  # int8
    weight: np.ndarray  # float64
    cosine: np.ndarray  # float64
    pairs: Mapping[int, PairResult]
    reasons: tuple[str, ...]

    def links(self, start: int, stop: int) -> list[Link]:
        """The ``Link`` records of rows ``start:stop``; one ``map`` per field, no loop body."""
        a, b = divmod(self.codes[start:stop], self.n)
        return list(map(
            Link, map(self.ids.__getitem__, a.tolist()), map(self.ids.__getitem__, b.tolist()),
            map(self.reasons.__getitem__, self.reason[start:stop].tolist()),
            map(self.pairs.get, self.codes[start:stop].tolist()),
            self.weight[start:stop].tolist(), self.cosine[start:stop].tolist(),
        ))


class LinkRun(Sequence[Link]):
    """Rows ``start:stop`` of ``LinkColumns`` as a read-only sequence of ``Link``: a story's
    evidence, made on access instead of held as millions of records.  Equal to any
    sequence of the same links (a tuple included); indexing O(1), slicing gives a run."""

    __slots__ = ("_cols", "_start", "_stop")
    _BLOCK = 4096

    def __init__(self, cols: LinkColumns, start: int, stop: int) -> None:
        self._cols, self._start, self._stop = cols, start, max(start, stop)

    def __len__(self) -> int:
        return self._stop - self._start

    @overload
    def __getitem__(self, k: int) -> Link: ...
    @overload
    def __getitem__(self, k: slice) -> LinkRun: ...
    def __getitem__(self, k: int | slice) -> Link | LinkRun:
        if isinstance(k, slice):
            lo, hi, step = k.indices(len(self))
            if step != 1:
                raise ValueError("a LinkRun slices with step 1 only")
            return LinkRun(self._cols, self._start + lo, self._start + max(lo, hi))
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError("link index out of range")
        return self._cols.links(self._start + k, self._start + k + 1)[0]

    def __iter__(self) -> Iterator[Link]:
        for s in range(self._start, self._stop, self._BLOCK):
            yield from self._cols.links(s, min(s + self._BLOCK, self._stop))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(x == y for x, y in zip(self, other))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"LinkRun({len(self)} links)"


@dataclass(frozen=True, slots=True)
class Cluster:
    """A group of documents: ``kind`` is ``"near_duplicate"`` or ``"story"``.

    ``members`` are document ids in input order; ``evidence`` the links among them that
    carry the cluster's kind (for a story: every link inside it, strongest first, as a
    ``LinkRun`` that makes each ``Link`` on access).
    ``headline``: the first line of the first member's text; ``strength``: the mean link
    weight over all pairs of members (a missing link counts 0; ``overlap.stories``).
    Only groups of two or more documents are clusters.
    """

    kind: str
    members: tuple[str, ...]
    evidence: Sequence[Link]
    headline: str = ""
    strength: float = 0.0

    def to_dict(self, texts: Callable[[str], str] | None = None) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "size": len(self.members),
            "headline": self.headline,
            "strength": round(self.strength, 4),
            "members": list(self.members),
            "evidence": [e.to_dict(texts(e.a) if texts else None) for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class ScanStats:
    """Counts of each stage's work, and wall-clock seconds per stage (``timings``)."""

    documents: int
    characters: int
    passage_windows: int
    doc_candidates: int
    passage_candidates: int
    event_candidates: int
    compared: int
    linked_pairs: int
    timings: tuple[tuple[str, float], ...] = ()

    @property
    def seconds(self) -> float:
        return sum(t for _, t in self.timings)

    def to_dict(self, include_timings: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "timings"}
        if include_timings:
            out["timings"] = {k: round(v, 3) for k, v in self.timings}
        return out


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What ``scan`` finds.

    ``documents``: every document scanned, in input order.  ``pairs``: linked pairs
    (near-duplicate, shared passage or same event), ordered by input position.
    ``near_duplicate_clusters`` and ``story_clusters``: groups of 2+ documents, largest
    first.  ``name_variants``: names spelled differently across the corpus, each once.
    ``reused_passages``: the most widely shared passages, most documents first.
    ``stats``: work counts and timings; ``options``: the options used.
    ``text(doc_id)`` returns a document's text, to quote any span above, and
    ``document(doc_id)`` its ``DocInfo`` (the kept ``fields``, the date).
    When documents carry kept fields, every pair and cluster record names its
    documents' fields, and with a date field who published first.
    """

    documents: tuple[DocInfo, ...]
    pairs: tuple[PairResult, ...]
    near_duplicate_clusters: tuple[Cluster, ...]
    story_clusters: tuple[Cluster, ...]
    name_variants: tuple[NameVariant, ...]
    reused_passages: tuple[ReusedPassage, ...]
    stats: ScanStats
    options: ScanOptions
    store: TextStore | None = field(default=None, repr=False, compare=False)
    # Built on first use (``_by_id``), never changed after: documents by id, kept field names.
    _index: tuple[dict[str, DocInfo], tuple[str, ...]] | None = field(
        default=None, init=False, repr=False, compare=False)

    def text(self, doc_id: str) -> str:
        """The text of document ``doc_id`` (decompressed or fetched on demand); ``KeyError``
        for an id that was not scanned."""
        if self.store is None:
            raise KeyError(doc_id)
        return self.store.get(doc_id)

    @property
    def conflicts(self) -> tuple[tuple[PairResult, Conflict], ...]:
        """Every conflict of every pair, with its pair, in pair order."""
        return tuple((p, c) for p in self.pairs for c in p.conflicts)

    @property
    def singletons(self) -> tuple[str, ...]:
        """Ids of documents in no story cluster, in input order."""
        inside = {m for c in self.story_clusters for m in c.members}
        return tuple(d.id for d in self.documents if d.id not in inside)

    def document(self, doc_id: str) -> DocInfo:
        """The ``DocInfo`` of document ``doc_id`` (its kept ``fields`` and ``date``);
        ``KeyError`` for an id that was not scanned.  The first call indexes the
        documents (linear), later calls are O(1)."""
        return self._by_id()[0][doc_id]

    def _by_id(self) -> tuple[dict[str, DocInfo], tuple[str, ...]]:
        """Documents by id, and the kept field names in first-seen order (empty when no
        document has fields), made once: a frozen record may cache what it derives."""
        index = self._index
        if index is None:
            names = dict.fromkeys(k for d in self.documents if d.fields for k in d.fields)
            index = ({d.id: d for d in self.documents}, tuple(names))
            object.__setattr__(self, "_index", index)
        return index

    def first_published(self, item: Cluster | PairResult) -> str | None:
        """Who published first (``ScanOptions.date_field``); None without a date field.

        For a cluster: the id of its earliest-dated member (the first in input order on
        a tie), None when no member is dated.  For a pair: the id of the side with the
        earlier date, None unless both sides are dated and the dates differ (as
        ``overlap.dedup``'s removals).
        """
        if self.options.date_field is None:
            return None
        by_id = self._by_id()[0]
        if isinstance(item, PairResult):
            da, db = by_id[item.a].date, by_id[item.b].date
            if da is None or db is None or da == db:
                return None
            return item.a if da < db else item.b
        return first_published(item.members, by_id)

    def _cluster_dict(self, c: Cluster, texts: Callable[[str], str] | None) -> dict[str, Any]:
        """``c.to_dict()``, plus the members' kept ``fields`` (in member order) when any
        document has some, and ``first_published`` when a date field is set."""
        out = c.to_dict(texts)
        by_id, names = self._by_id()
        if names:
            out["fields"] = [by_id[m].fields for m in c.members]
        first = self.first_published(c)
        if first is not None:
            out["first_published"] = first
        return out

    def pair_sides(self, p: PairResult) -> dict[str, Any]:
        """What a pair record says about its two documents beyond their ids: both sides'
        kept fields (``fields_a``, ``fields_b``; only when any document has some) and
        ``first_published`` (only with a date field; None when it cannot be said)."""
        out: dict[str, Any] = {}
        by_id, names = self._by_id()
        if names:
            out["fields_a"] = by_id[p.a].fields
            out["fields_b"] = by_id[p.b].fields
        if self.options.date_field is not None:
            out["first_published"] = self.first_published(p)
        return out

    def _pair_dict(self, p: PairResult, texts: Callable[[str], str] | None) -> dict[str, Any]:
        """``p.to_dict()`` with ``_pair_sides`` right after the ids (unchanged without them)."""
        out = p.to_dict(texts(p.a) if texts else None)
        sides = self.pair_sides(p)
        return {"a": out.pop("a"), "b": out.pop("b"), **sides, **out} if sides else out

    def field_names(self) -> tuple[str, ...]:
        """The kept field names, in first-seen order (empty when no document has fields)."""
        return self._by_id()[1]

    def csv_columns(self, table: str = "pairs") -> list[str]:
        """The header of ``table`` (``overlap.corpus.tables.csv_columns``)."""
        return tables.csv_columns(self, table)

    def pair_rows(self) -> Iterator[dict[str, Any]]:
        """The ``--csv pairs`` table, row by row (``overlap.corpus.tables.pair_rows``)."""
        return tables.pair_rows(self)

    def conflict_rows(self) -> Iterator[dict[str, Any]]:
        """The ``--csv conflicts`` table, row by row (``overlap.corpus.tables.conflict_rows``)."""
        return tables.conflict_rows(self)

    def write_csv(self, path: str | os.PathLike[str], table: str = "pairs") -> None:
        """Write ``table`` as CSV to ``path`` atomically (``overlap.corpus.tables.write_csv``)."""
        tables.write_csv(self, path, table)

    def to_dict(self, *, include_timings: bool = False) -> dict[str, Any]:
        """The ``--json`` document (schema in the README); deterministic unless timings are included."""
        texts = self.text if self.store is not None else None
        return {
            "schema": SCHEMA,
            "type": "scan",
            "options": self.options.to_dict(),
            "stats": self.stats.to_dict(include_timings),
            "documents": [d.to_dict() for d in self.documents],
            "near_duplicate_clusters": [self._cluster_dict(c, texts) for c in self.near_duplicate_clusters],
            "story_clusters": [self._cluster_dict(c, texts) for c in self.story_clusters],
            "reused_passages": [r.to_dict() for r in self.reused_passages],
            "name_variants": [v.to_dict() for v in self.name_variants],
            "pairs": [self._pair_dict(p, texts) for p in self.pairs],
        }

    def records(self, *, include_timings: bool = False) -> Iterator[dict[str, Any]]:
        """The ``--jsonl`` stream: one dict per line, each with a ``"type"``.

        Order: ``summary`` (schema, options, stats), then every ``document``, ``pair``,
        ``cluster`` (near-duplicate clusters, then stories), ``reused_passage`` and
        ``name_variant``.
        """
        texts = self.text if self.store is not None else None
        yield {
            "type": "summary",
            "schema": SCHEMA,
            "options": self.options.to_dict(),
            "stats": self.stats.to_dict(include_timings),
        }
        for d in self.documents:
            yield {"type": "document", **d.to_dict()}
        for p in self.pairs:
            yield {"type": "pair", **self._pair_dict(p, texts)}
        for c in (*self.near_duplicate_clusters, *self.story_clusters):
            yield {"type": "cluster", **self._cluster_dict(c, texts)}
        for r in self.reused_passages:
            yield {"type": "reused_passage", **r.to_dict()}
        for v in self.name_variants:
            yield {"type": "name_variant", **v.to_dict()}
