"""Scan a whole collection: near-duplicates, reused passages, stories and name variants.

``scan(documents, *, options=None, progress=None, **overrides) -> ScanResult``
    Run every stage over an iterable of ``Document`` records (streamed once).
``ScanOptions``
    Sizes, thresholds, seed and workers; validated on construction.
``ScanResult``
    What a scan finds; ``to_dict()`` is the ``--json`` schema, ``records()`` the
    ``--jsonl`` stream, ``text(doc_id)`` a document's text for quoting spans.
``DocInfo``, ``PairResult``, ``SameEvent``, ``Link``, ``Cluster``, ``Occurrence``,
``Spelling``, ``NameVariant``, ``ReusedPassage``, ``ScanStats``
    The frozen records inside a ``ScanResult``; each has ``to_dict()``.

Stages (this module is the one place that knows their order):

1. **Read.**  Documents stream in once.  Their text is kept zstd-compressed in one
   growing buffer (46% of the UTF-8 size on news), because verification needs it again;
   the signing workers compress it, and verifying workers get it compressed.
2. **Sign.**  Per document, in worker processes, batch by batch: a MinHash signature of
   its word shingles (``overlap.signatures``; ``num_perm`` ``uint32`` values) and one
   signature per *passage window* (``passage_sentences`` consecutive sentences, every
   ``passage_stride`` sentences; ``passage_num_perm`` values), of which only the LSH band
   keys are kept.  Also the document's *event features*: distinctive capitalised name
   phrases and day/month dates (see ``SameEvent``).  Everything is numpy arrays.
3. **Candidates.**  Document signatures are banded at the ``near_duplicate`` Jaccard
   (``overlap.lsh``); window band keys are grouped per band, and two documents with a
   window in the same bucket become a passage candidate.  Buckets holding more than
   ``max_passage_docs`` documents are boilerplate (a wire-service footer) and are
   dropped.  No stage compares all pairs.
4. **Verify.**  Cheapest filter first: a document candidate whose *estimated* Jaccard
   is far below the threshold (by more than 3 standard errors) and that is not also a
   passage candidate is dropped without reading its texts.  Every remaining pair goes
   through ``overlap.compare`` (exact shingle Jaccard and containment, then passage
   alignment and conflicts), in worker processes, in deterministic order.
5. **Same event.**  Pairs sharing at least ``min_shared_names`` distinctive name
   phrases *and* at least one distinctive day/month date are "same event" links
   (``SameEvent``); distinctive means found in at most ``max_name_docs`` documents.
6. **Cluster.**  Union-find gives the near-duplicate clusters (Jaccard >=
   ``near_duplicate``, or shared passages covering ``duplicate_coverage`` of both).
   Stories come from ``overlap.stories``: each pair weighed by its evidence
   (near-duplicate, long or short shared passage, same event, and rare shared
   vocabulary from ``overlap.vocabulary``, whose terms the signing workers sample),
   then average linkage, so one weak link never chains two stories.  Each cluster
   lists its evidence, with a confidence per link, and its headline.
7. **Name variants.**  ``spelling`` conflicts of all pairs are grouped (union-find over
   case-folded spellings); each group is reported once, with every place each spelling
   occurs in the documents involved and their stories.
8. **Reused passages.**  ``overlap.reuse`` groups the passage spans of all pairs so
   that every occurrence matches its group's text; groups are ranked by how many
   documents hold them.

Determinism: the result depends only on the documents (and their order) and the
options, never on ``workers`` or timing; ``to_dict()`` leaves out timings.

Cost: linear in the corpus for stages 1-3 (about 0.43 ms of CPU per news article, most
of it Python over sentences, name phrases, normalising and dates; tokenising and the
MinHash kernels are compiled), plus one ``compare`` (about 1.7 ms of CPU, with the
compiled aligner the workers switch on) per verified candidate pair, at most ``max_compares``.
Memory per document: its compressed text, ``4 * num_perm`` bytes of signature,
``8 * bands`` bytes per passage window and a few hundred bytes of event features; pair
codes are generated a slice of groups at a time.  100k news articles: about 55 s and
1.5 GB on 2 cores, 0.55 GB of it the benchmark's texts (``benchmarks/bench_scan.py``).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
import math
import os
import re
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from ._arrays import frequent, isin_sorted, unique, unique_counts
from .cluster import UnionFind
from .lsh import _ranges
from .errors import ConfigError, InputError
from .records import Comparison, Conflict, Document, DuplicateReason, Passage, Similarity, Span
from .reuse import MIN_SIMILARITY as REUSE_MIN_SIMILARITY
from .stories import link_weight

__all__ = [
    "Cluster",
    "DocInfo",
    "Link",
    "NameVariant",
    "Occurrence",
    "PairResult",
    "ReusedPassage",
    "SameEvent",
    "ScanOptions",
    "ScanResult",
    "ScanStats",
    "Spelling",
    "scan",
]

SCHEMA = 1
"""Version of the ``to_dict()`` / JSONL layout; bumped on any incompatible change."""

ProgressFn = Callable[[str, int, "int | None"], None]
"""``progress(stage, done, total)``: called as work advances; ``total`` may be None."""

_EXCERPT = 300  # characters of passage text quoted in cluster evidence


# =========================================================================== options


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Settings of ``scan``, validated on construction.

    Signatures: ``num_perm`` (128) MinHash values per document, ``seed`` (1) for the
    permutations, ``shingle_size`` (5) tokens per shingle.
    ``near_duplicate``: Jaccard at or above which two documents are near-duplicates
    (0.5, as ``CompareOptions``); it is also the document-level LSH threshold.
    Passages: windows of ``passage_sentences`` (3) sentences every ``passage_stride``
    (1) sentences, at least ``passage_min_tokens`` (12) tokens, signed with
    ``passage_num_perm`` (64) values and banded at ``passage_threshold`` (0.3).
    ``max_bucket`` (1000): document LSH buckets above this are chained (``overlap.lsh``).
    ``max_passage_docs`` (100): a window bucket spanning more documents is boilerplate.
    Same event: ``min_shared_names`` (3) distinctive name phrases and one distinctive
    shared date; a phrase or date is distinctive when at most ``max_name_docs`` documents contain it
    (None: ``max(10, n // 100)``, capped at 200).  ``same_event=False`` turns it off.
    ``top_passages`` (20): how many reused passages to report (0: all).
    ``max_compares`` (20,000): at most this many pairs go through ``compare``; beyond it the
    pairs that link stories are chosen first (see ``_compare_within_budget``).  None: all.
    ``workers``: processes (None: ``os.cpu_count()``; 1: no pool).
    ``compare``: the ``CompareOptions`` used to verify pairs (None: defaults, with
    ``shingle_size`` and ``near_duplicate`` taken from these options).
    """

    num_perm: int = 128
    seed: int = 1
    shingle_size: int = 5
    near_duplicate: float = 0.5
    passage_sentences: int = 1
    passage_stride: int = 1
    passage_shingle_size: int = 3
    passage_min_tokens: int = 12
    passage_num_perm: int = 64
    passage_threshold: float = 0.3
    max_bucket: int = 1000
    max_passage_docs: int = 100
    same_event: bool = True
    min_shared_names: int = 3
    max_name_docs: int | None = None
    max_compares: int | None = 20_000
    top_passages: int = 20
    workers: int | None = None
    compare: Any = None

    def __post_init__(self) -> None:
        ints = {
            "num_perm": (2, 1024), "shingle_size": (1, 1000), "passage_sentences": (1, 100),
            "passage_stride": (1, 100), "passage_shingle_size": (1, 1000), "passage_min_tokens": (1, 10000), "passage_num_perm": (2, 1024),
            "max_bucket": (2, 10**9), "max_passage_docs": (2, 10**9), "min_shared_names": (1, 100),
            "top_passages": (0, 10**9),
        }
        for name, (lo, hi) in ints.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise ConfigError(f"{name} must be an integer in [{lo}, {hi}]: {v!r}")
        if self.max_compares is not None and (
            isinstance(self.max_compares, bool) or not isinstance(self.max_compares, int) or self.max_compares < 1
        ):
            raise ConfigError(f"max_compares must be a positive integer or None: {self.max_compares!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed < 2**64:
            raise ConfigError(f"seed must be an integer in [0, 2**64): {self.seed!r}")
        for name in ("near_duplicate", "passage_threshold"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 < v <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1]: {v!r}")
        if self.max_name_docs is not None and (
            isinstance(self.max_name_docs, bool) or not isinstance(self.max_name_docs, int) or self.max_name_docs < 2
        ):
            raise ConfigError(f"max_name_docs must be an integer >= 2 or None: {self.max_name_docs!r}")
        if self.workers is not None and (
            isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1
        ):
            raise ConfigError(f"workers must be a positive integer or None (all cores): {self.workers!r}")
        if not isinstance(self.same_event, bool):
            raise ConfigError(f"same_event must be True or False: {self.same_event!r}")
        if self.compare is not None:
            from .pipeline import CompareOptions

            if not isinstance(self.compare, CompareOptions):
                raise ConfigError(f"compare must be a CompareOptions or None: {self.compare!r}")

    @property
    def compare_options(self) -> Any:
        """The ``CompareOptions`` pairs are verified with."""
        from .pipeline import CompareOptions

        if self.compare is not None:
            return self.compare
        return CompareOptions(shingle_size=self.shingle_size, near_duplicate=self.near_duplicate)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("workers", "compare")}
        c = self.compare_options
        out["compare"] = {f.name: getattr(c, f.name) for f in fields(c)}
        return out


# =========================================================================== records


@dataclass(frozen=True, slots=True)
class DocInfo:
    """One scanned document: ``id``, ``origin`` (file or file:line) and ``length`` in characters."""

    id: str
    origin: str
    length: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "origin": self.origin, "length": self.length}


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
            "passages": [_passage_dict(p, a_text) for p in self.passages],
            "conflicts": [c.to_dict() for c in self.conflicts],
        }
        out["same_event"] = self.same_event.to_dict() if self.same_event else None
        return out


def _passage_dict(p: Passage, a_text: str | None) -> dict[str, Any]:
    d: dict[str, Any] = {"a": p.a.to_dict(), "b": p.b.to_dict(), "score": round(p.score, 4)}
    if a_text is not None:
        d["text"] = _excerpt(p.a.of(a_text))
    return d


def _excerpt(s: str, limit: int = _EXCERPT) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


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
            "passages": [_passage_dict(x, a_text) for x in p.passages] if p is not None else [],
        }
        if p is not None and p.same_event is not None:
            out["same_event"] = p.same_event.to_dict()
        if self.vocabulary:
            out["vocabulary_cosine"] = round(self.vocabulary, 4)
        return out


@dataclass(frozen=True, slots=True)
class Cluster:
    """A group of documents: ``kind`` is ``"near_duplicate"`` or ``"story"``.

    ``members`` are document ids in input order; ``evidence`` the links among them that
    carry the cluster's kind (for a story: every link inside it, strongest first).
    ``headline``: the first line of the first member's text; ``strength``: the mean link
    weight over all pairs of members (a missing link counts 0; ``overlap.stories``).
    Only groups of two or more documents are clusters.
    """

    kind: str
    members: tuple[str, ...]
    evidence: tuple[Link, ...]
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
class Occurrence:
    """Where a text occurs: document ``doc`` (id), characters ``span`` of its text."""

    doc: str
    span: Span
    similarity: float | None = None  # to its reused passage's text (None: not a passage)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc": self.doc, "start": self.span.start, "end": self.span.end}
        if self.similarity is not None:
            out["similarity"] = self.similarity
        return out


@dataclass(frozen=True, slots=True)
class Spelling:
    """One spelling of a name and every place it occurs in the documents involved."""

    text: str
    occurrences: tuple[Occurrence, ...]

    @property
    def docs(self) -> tuple[str, ...]:
        """Ids of the documents with this spelling, in input order."""
        return tuple(dict.fromkeys(o.doc for o in self.occurrences))

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "docs": list(self.docs), "occurrences": [o.to_dict() for o in self.occurrences]}


@dataclass(frozen=True, slots=True)
class NameVariant:
    """One name spelled more than one way across the corpus, reported once.

    ``spellings`` are ordered by how many documents use them (most first); ``pairs`` are
    the ``(a, b)`` document pairs whose aligned passages showed the difference.
    """

    spellings: tuple[Spelling, ...]
    pairs: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"spellings": [s.to_dict() for s in self.spellings], "pairs": [list(p) for p in self.pairs]}


@dataclass(frozen=True, slots=True)
class ReusedPassage:
    """A stretch of text found in several documents.

    ``text`` is the group's text (``overlap.reuse``: the span with the most aligned
    partners); ``occurrences`` every document span that holds it, each matching ``text``
    at ``overlap.reuse.MIN_SIMILARITY`` or more (its ``similarity`` says how much).
    ``boilerplate`` marks text such as a site footer: found in 5+ documents that, pair
    by pair, share nothing else (fewer than 20% of the pairs do: share another passage,
    near-duplicate text, or two capitalised name phrases outside this passage).
    Boilerplate does not link stories.
    """

    text: str
    occurrences: tuple[Occurrence, ...]
    boilerplate: bool = False

    @property
    def docs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o.doc for o in self.occurrences))

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": len(self.docs),
            "boilerplate": self.boilerplate,
            "min_similarity": REUSE_MIN_SIMILARITY,
            "text": _excerpt(self.text, 1000),
            "occurrences": [o.to_dict() for o in self.occurrences],
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
    ``text(doc_id)`` returns a document's text, to quote any span above.
    """

    documents: tuple[DocInfo, ...]
    pairs: tuple[PairResult, ...]
    near_duplicate_clusters: tuple[Cluster, ...]
    story_clusters: tuple[Cluster, ...]
    name_variants: tuple[NameVariant, ...]
    reused_passages: tuple[ReusedPassage, ...]
    stats: ScanStats
    options: ScanOptions
    _texts: Any = field(default=None, repr=False, compare=False)

    def text(self, doc_id: str) -> str:
        """The text of document ``doc_id`` (decompressed on demand)."""
        if self._texts is None:
            raise KeyError(doc_id)
        return self._texts.get(doc_id)

    @property
    def conflicts(self) -> tuple[tuple[PairResult, Conflict], ...]:
        """Every conflict of every pair, with its pair, in pair order."""
        return tuple((p, c) for p in self.pairs for c in p.conflicts)

    @property
    def singletons(self) -> tuple[str, ...]:
        """Ids of documents in no story cluster, in input order."""
        inside = {m for c in self.story_clusters for m in c.members}
        return tuple(d.id for d in self.documents if d.id not in inside)

    def to_dict(self, *, include_timings: bool = False) -> dict[str, Any]:
        """The ``--json`` document (schema in the README); deterministic unless timings are included."""
        texts = self.text if self._texts is not None else None
        return {
            "schema": SCHEMA,
            "type": "scan",
            "options": self.options.to_dict(),
            "stats": self.stats.to_dict(include_timings),
            "documents": [d.to_dict() for d in self.documents],
            "near_duplicate_clusters": [c.to_dict(texts) for c in self.near_duplicate_clusters],
            "story_clusters": [c.to_dict(texts) for c in self.story_clusters],
            "reused_passages": [r.to_dict() for r in self.reused_passages],
            "name_variants": [v.to_dict() for v in self.name_variants],
            "pairs": [p.to_dict(texts(p.a) if texts else None) for p in self.pairs],
        }

    def records(self, *, include_timings: bool = False) -> Iterator[dict[str, Any]]:
        """The ``--jsonl`` stream: one dict per line, each with a ``"type"``.

        Order: ``summary`` (schema, options, stats), then every ``document``, ``pair``,
        ``cluster`` (near-duplicate clusters, then stories), ``reused_passage`` and
        ``name_variant``.
        """
        texts = self.text if self._texts is not None else None
        yield {
            "type": "summary",
            "schema": SCHEMA,
            "options": self.options.to_dict(),
            "stats": self.stats.to_dict(include_timings),
        }
        for d in self.documents:
            yield {"type": "document", **d.to_dict()}
        for p in self.pairs:
            yield {"type": "pair", **p.to_dict(texts(p.a) if texts else None)}
        for c in (*self.near_duplicate_clusters, *self.story_clusters):
            yield {"type": "cluster", **c.to_dict(texts)}
        for r in self.reused_passages:
            yield {"type": "reused_passage", **r.to_dict()}
        for v in self.name_variants:
            yield {"type": "name_variant", **v.to_dict()}


# =========================================================================== text store


@lru_cache(maxsize=1)
def _zstd() -> tuple[Any, Any]:
    """zstd level-1 compressor and decompressor of this process (each used by one thread)."""
    import zstandard

    return zstandard.ZstdCompressor(level=1), zstandard.ZstdDecompressor()


def _utf8(text: str) -> bytes:
    """UTF-8 of ``text``; lone surrogates (JSON allows "\\ud800") pass through and come back."""
    return text.encode("utf-8", "surrogatepass")


def _pack(raw: bytes) -> bytes:
    """UTF-8 bytes (``_utf8``) zstd-compressed: level 1 gives zlib's ratio on news (0.46 of
    the UTF-8) at 3x its speed (17 vs 55 us per article to compress, 6 vs 19 to expand)."""
    return _zstd()[0].compress(raw)  # type: ignore[no-any-return]


def _unpack(blob: bytes | bytearray) -> str:
    return _zstd()[1].decompress(blob).decode("utf-8", "surrogatepass")  # type: ignore[no-any-return]


class _TextStore:
    """Document texts, zstd-compressed in one growing buffer with offsets.

    Python strings of Vietnamese news take 2 bytes per character plus overhead; the
    compressed UTF-8 about 0.6 (46% of the UTF-8 bytes).  ``get`` decompresses on demand (~15 us per article).
    ``register`` + ``extend`` let the signing workers compress (off the main process):
    ids are registered as documents are read, their blobs appended in the same order.
    """

    __slots__ = ("_buf", "_offs", "_index")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._offs = array("q", [0])
        self._index: dict[str, int] = {}

    def register(self, doc_id: str) -> int:
        """Reserve the next index for ``doc_id``; its text follows through ``extend``."""
        i = self._index[doc_id] = len(self._index)
        return i

    def extend(self, blobs: Iterable[bytes]) -> None:
        """Append compressed texts (``_pack``) of registered documents, in order."""
        for b in blobs:
            self._buf += b
            self._offs.append(len(self._buf))

    def __len__(self) -> int:
        return len(self._offs) - 1

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._index

    def index(self, doc_id: str) -> int:
        return self._index[doc_id]

    def blob(self, i: int) -> bytes:
        """Compressed text of document ``i`` (cheap to send to a worker; ``_unpack`` it there)."""
        return bytes(self._buf[self._offs[i] : self._offs[i + 1]])

    def at(self, i: int) -> str:
        return _unpack(self._buf[self._offs[i] : self._offs[i + 1]])

    def get(self, doc_id: str) -> str:
        return self.at(self._index[doc_id])


# =========================================================================== event features

_DATE_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\w/])")
_DATE_FULL = re.compile(r"(\d{1,2})[-.](\d{1,2})[-.](\d{4})(?![\w.,/-]*\d)")
_DATE_DM = re.compile(r"(\d{1,2})[-.](\d{1,2})(?![\d])(?![.,]\d)")
_DATE_WORD_BEFORE = re.compile(r"(?i:\b(?:ngày|hôm nay|sáng|chiều|tối|trưa|đêm|hôm)\s*\(?)$")
_DATE_THANG = re.compile(r"(?i:ngày)\s+(\d{1,2})\s+tháng\s+(\d{1,2})\b")
# Where a numeric date can start: a run of digits, a separator, a digit.  One pass of
# this finds the few places the three patterns above are tried at (each pattern run
# over the whole text costs as much as this pass).
_DATE_CANDIDATE = re.compile(r"\d+(?=[-./]\d)")


def _dates(text: str) -> set[int]:
    """Day/month dates a text mentions, as ``month * 32 + day``.

    Forms: "12/1", "11/01/2022", "23-10-2013", "ngày 23-10", "sáng 23.10",
    "ngày 10 tháng 1".  A bare "2-1" is not a date (a football score); "7,5" never is.
    A numeric date must start a run of digits; the patterns are tried only where
    ``_DATE_CANDIDATE`` matched, and what stands before a match is checked in code.
    """
    out: set[int] = set()
    ends = [0, 0, 0]  # per pattern: matches do not overlap, as with finditer
    for c in _DATE_CANDIDATE.finditer(text):
        st = c.start()
        prev = text[st - 1] if st else ""
        if prev.isdecimal() or prev == "_":
            continue  # inside a longer number
        for k, (rx, bad) in enumerate(((_DATE_SLASH, "/.,"), (_DATE_FULL, ".,/-"), (_DATE_DM, None))):
            if st < ends[k]:
                continue
            m = rx.match(text, st)
            if m is None:
                continue
            ends[k] = m.end()
            if bad is None:
                if _DATE_WORD_BEFORE.search(text, max(0, st - 20), st):
                    _add_date(out, m)
            elif not prev.isalnum() and prev not in bad:
                _add_date(out, m)
    if "háng" in text or "HÁNG" in text:  # "tháng" in any case: the pattern is rarely needed
        for m in _DATE_THANG.finditer(text):
            st = m.start()
            if not st or not (text[st - 1].isalnum() or text[st - 1] == "_"):
                _add_date(out, m)
    return out


def _add_date(out: set[int], m: re.Match[str]) -> None:
    d, mo = int(m.group(1)), int(m.group(2))
    if 1 <= d <= 31 and 1 <= mo <= 12:
        out.add(mo * 32 + d)


def _date_label(code: int) -> str:
    return f"{code % 32}/{code // 32}"


@lru_cache(maxsize=1)
def _capitalised() -> re.Pattern[str]:
    """Words (letters, with an inner apostrophe) that start with an upper-case letter
    (the class of every upper-case letter is built once per process)."""
    upper = [c for c in range(0x10000) if chr(c).isupper()]
    ranges, start = [], upper[0]
    for prev, cur in zip(upper, upper[1:] + [-1]):
        if cur != prev + 1:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev != start else ""))
            start = cur
    # No look-behind for "not after a letter": it would be tried at every position,
    # while a pattern that starts with a character set skips straight to upper case.
    # _name_phrases checks the character before in code.
    return re.compile(r"[" + "".join(ranges) + r"][^\W\d_]*(?:['’][^\W\d_]+)?")


def _name_phrases(text: str) -> dict[str, str]:
    """Name phrases of a text: case-folded key -> first spelling seen.

    A phrase is two adjacent capitalised words separated by one space ("Ned Price",
    "Vladimir Putin"; longer names give each adjacent pair), or one all-capital word of
    three or more letters ("NATO", "OSCE").  Pairs rather than whole runs, so that
    "Tổng thống Nga Vladimir Putin" and "ông Vladimir Putin" still share "Vladimir Putin".
    """
    out: dict[str, str] = {}
    prev_end = -2
    prev: str | None = None
    # Only capitalised words are visited (about one word in ten): a lower-case word
    # between two of them breaks their adjacency, which the position check sees.
    for m in _capitalised().finditer(text):
        st = m.start()
        if st and text[st - 1].isalnum() and not text[st - 1].isdecimal():
            continue  # upper case inside a word ("iPhone"), not a capitalised word
        w = m.group()
        if w.casefold() in _NOT_NAME_WORDS:
            prev = None
            continue
        if len(w) >= 3 and w.isupper():
            out.setdefault(w.casefold(), w)
        if prev is not None and m.start() == prev_end + 1 and text[prev_end] == " ":
            phrase = f"{prev} {w}"
            out.setdefault(phrase.casefold(), phrase)
        prev, prev_end = w, m.end()
    return out


# Capitalised words that are titles, places of every story, or sentence openers rather
# than parts of a distinctive name: "Bộ Ngoại giao", "Mỹ Ned Price", "Theo Reuters".
_NOT_NAME_WORDS = frozenset(
    """
    bộ mỹ nga anh pháp đức ý nhật hàn trung quốc việt nam ấn độ triều tiên thái lan hà nội tp hcm
    ông bà cô chú anh chị em theo tại trong khi sau trước ngày hôm sáng chiều tối đêm năm tháng
    tổng thống thủ tướng chủ tịch phó bí thư thứ trưởng giám đốc trưởng phòng ban sở ủy uỷ
    tỉnh thành phố quận huyện xã phường hội đồng nhân dân đảng nhà nước chính phủ quốc hội
    người của và là có không những các một này đó với cho đã sẽ đang được bị
    the a an of in on at for and to by with from as mr mrs ms dr president minister
    """.split()
)


def _hash64(s: str) -> int:
    # Not hash(): str hashes are salted per process, and workers must agree.
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little")


# =========================================================================== signing (workers)


@dataclass(frozen=True, slots=True)
class _SignConfig:
    num_perm: int
    seed: int
    k: int
    pk: int
    win: int
    stride: int
    min_tokens: int
    pnum_perm: int
    pbands: int
    prows: int
    events: bool


def _sign_batch(job: tuple[list[str], _SignConfig]) -> tuple[Any, ...]:
    """Signatures, window band keys and event features of a batch of texts.

    Returns ``(doc_sigs (n, num_perm) uint32, window_keys (m, pbands) uint64,
    window_doc (m,) int32 local index, name_hashes [n arrays uint64], dates [n arrays
    int16], sentences [n arrays (s, 2) int32 of sentence spans, or None when a text is too
    short to be split], vocabulary terms [n arrays uint32, ``overlap.vocabulary.terms``])``;
    ``compare`` reuses the sentences instead of splitting again.
    """
    from .lsh import band_keys
    from .signatures import signatures_from_shingles
    from .normalization import normalize
    from .segment import sentences
    from .shingle import shingles_many, tokenize_many
    from .vocabulary import terms_from_bigrams

    texts, c = job
    doc_sh: list[np.ndarray] = []
    win_sh: list[np.ndarray] = []
    win_doc: list[int] = []
    names: list[np.ndarray] = []
    dates: list[np.ndarray] = []
    k = c.k
    sents: list[np.ndarray | None] = [None] * len(texts)  # (start, end) rows, when split
    views = [normalize(t) for t in texts]
    all_toks = tokenize_many([v.text for v in views])  # compiled kernels, one call per batch
    all_sh = shingles_many([t.hashes for t in all_toks], k)
    all_psh = all_sh if c.pk == k else shingles_many([t.hashes for t in all_toks], c.pk)
    # Rare-vocabulary terms for story links (overlap.vocabulary): sampled word bigrams.
    all_bi = all_sh if k == 2 else all_psh if c.pk == 2 else shingles_many([t.hashes for t in all_toks], 2)
    vocab = [terms_from_bigrams(b) for b in all_bi]
    for i, (text, view, toks) in enumerate(zip(texts, views, all_toks)):
        sh = all_sh[i]
        doc_sh.append(sh)
        n = len(toks)
        pk = c.pk
        if n >= max(c.min_tokens, pk):
            psh = all_psh[i]
            starts = toks.starts if view.identity else view.starts[toks.starts]  # type: ignore[index]
            spans = sentences(text)
            sents[i] = np.array([(s.start, s.end) for s in spans], dtype=np.int32).reshape(-1, 2)
            sent_starts = sents[i][:, 0].astype(np.int64)
            # Token index where each sentence starts; tokens before the first sentence
            # (none, normally) join it, and empty sentences collapse.
            b = unique(np.concatenate(([0], np.searchsorted(starts, sent_starts), [n])))
            b = b[b <= n]
            ns = len(b) - 1
            for s in range(0, max(1, ns - c.win + 1), c.stride):
                lo, hi = int(b[s]), int(b[min(s + c.win, ns)])
                if hi - lo >= c.min_tokens:
                    win_sh.append(psh[lo : hi - pk + 1])
                    win_doc.append(i)
        if c.events:
            names.append(np.array(sorted({_hash64(key) for key in _name_phrases(text)}), dtype=np.uint64))
            dates.append(np.array(sorted(_dates(text)), dtype=np.int16))
        else:
            names.append(np.zeros(0, dtype=np.uint64))
            dates.append(np.zeros(0, dtype=np.int16))
    sigs = signatures_from_shingles(doc_sh, num_perm=c.num_perm, seed=c.seed)
    if win_sh:
        wsig = signatures_from_shingles(win_sh, num_perm=c.pnum_perm, seed=c.seed)
        keys = band_keys(wsig, c.pbands, c.prows)
    else:
        keys = np.zeros((0, c.pbands), dtype=np.uint64)
    return sigs, keys, np.array(win_doc, dtype=np.int32), names, dates, sents, vocab


def _sign_and_pack(job: tuple[list[bytes], _SignConfig]) -> tuple[Any, ...]:
    """``_sign_batch`` of texts sent as UTF-8 (``_utf8``), plus their compressed bytes for
    the store (the worker compresses).

    Bytes, not ``str``: pickling a ``str`` makes CPython keep a UTF-8 copy inside the
    caller's string object for good (3.3 KB per article, 330 MB at 100k documents)."""
    raw, c = job
    return (*_sign_batch(([b.decode("utf-8", "surrogatepass") for b in raw], c)), [_pack(b) for b in raw])


@dataclass(frozen=True, slots=True)
class _EventCandidates:
    """Same-event pairs as far as event features tell, before verification.

    ``shared_names``: how many pairs share ``min_shared_names`` name phrases (a stat);
    ``codes``: those that also share a rare date and ``min_shared_names`` distinctive
    names, ascending: exactly the pairs ``_same_event`` accepts.  ``distinctive``: name
    hashes in 2 to ``max_df`` documents; ``rare``: dates in at most ``max_df``.
    """

    shared_names: int
    codes: np.ndarray
    distinctive: set[int]
    rare: set[int]


def _event_candidates(o: "ScanOptions", n: int, name_h: list[np.ndarray], dates: list[np.ndarray]) -> _EventCandidates:
    """Pairs that share enough distinctive names and a rare date, in bulk.

    A name phrase or date is evidence only when few documents hold it: in a week of
    news, "6/2" is in hundreds of articles about different things.  Pairs sharing a rare
    date (a date in more than ``max_df`` documents is no group) are met with the pairs
    that share enough names.  Runs in a thread of the main process while the workers
    verify candidates: it needs only the features signing found.
    """
    if not o.same_event or not name_h:
        return _EventCandidates(0, np.zeros(0, dtype=np.int64), set(), set())
    max_df = o.max_name_docs or min(200, max(10, n // 100))
    counts = np.fromiter((len(x) for x in name_h), dtype=np.int64, count=len(name_h))
    h = np.concatenate(name_h)
    d = np.repeat(np.arange(n, dtype=np.int64), counts)
    shared_names = frequent(_group_pairs(h, d, max_df, n), o.min_shared_names)
    hu, hc = unique_counts(h)  # each document's name hashes are distinct already
    distinctive = set(hu[(hc >= 2) & (hc <= max_df)].tolist())
    del h, d, hu, hc
    all_dates = np.concatenate(dates) if dates else np.zeros(0, dtype=np.int16)
    date_doc = np.repeat(np.arange(n, dtype=np.int64), [len(x) for x in dates]) if dates else np.zeros(0, dtype=np.int64)
    date_codes = unique(_group_pairs(all_dates.astype(np.int64), date_doc, max_df, n))
    du, dcount = unique_counts(all_dates)
    rare = set(du[dcount <= max_df].tolist())
    both = shared_names[isin_sorted(shared_names, date_codes)]
    del date_codes, all_dates, date_doc
    # _same_event's test on hashes alone: each document's phrases hash to distinct values,
    # so the phrases both share are as many as the hashes both share.
    keep: list[int] = []
    cur, names_i = -1, set()
    for c in both.tolist():
        i, j = divmod(c, n)
        if i != cur:
            cur, names_i = i, set(name_h[i].tolist()) & distinctive
        if len(names_i.intersection(name_h[j].tolist())) >= o.min_shared_names:
            keep.append(c)
    return _EventCandidates(len(shared_names), np.array(keep, dtype=np.int64), distinctive, rare)


def _estimates(sigs: np.ndarray, codes: np.ndarray, n: int, chunk: int = 1 << 15) -> np.ndarray:
    """Estimated Jaccard of the pairs ``codes`` (``i * n + j``), a chunk of pairs at a time:
    gathering both signature rows of a million pairs at once would take 1 GB."""
    from .signatures import estimate_jaccard

    out = np.empty(len(codes), dtype=np.float64)
    for lo in range(0, len(codes), chunk):
        c = codes[lo : lo + chunk]
        out[lo : lo + len(c)] = estimate_jaccard(sigs[c // n], sigs[c % n])
    return out


def _doc_candidates(sigs: np.ndarray, o: "ScanOptions", n: int) -> np.ndarray:
    """Codes ``i * n + j`` of the document pairs that share a band of their signatures."""
    from .lsh import band_keys, candidate_pairs, optimal_params
    from .signatures import EMPTY

    bands, rows = optimal_params(o.near_duplicate, o.num_perm)
    nonempty = np.flatnonzero(~(sigs == EMPTY).all(axis=1))
    dc = candidate_pairs(band_keys(sigs[nonempty], bands, rows), max_bucket=o.max_bucket)
    if not len(dc):
        return np.zeros(0, dtype=np.int64)
    dc = nonempty[dc]
    return unique(dc[:, 0] * np.int64(n) + dc[:, 1])


def _band_codes(key_parts: list[np.ndarray], wdoc: np.ndarray, max_docs: int, n: int, b: int) -> np.ndarray:
    """Codes of the document pairs with a passage window in one bucket of band ``b``.

    One band's column at a time: no second copy of all window keys (280 MB per 100k documents)."""
    col = np.concatenate([k[:, b] for k in key_parts]) if key_parts else np.zeros(0, dtype=np.uint64)
    return unique(_group_pairs(col, wdoc, max_docs, n, _STAR_ABOVE))


def _compare_within_budget(
    codes: np.ndarray, est: np.ndarray, n: int, budget: int,
    run: Callable[[list[int]], None], comparisons: dict[int, Comparison], o: "ScanOptions",
) -> None:
    """Compare the pairs that matter most when there are more candidates than ``budget``.

    Kruskal's order: candidates by estimated Jaccard (best first), in ``_BUDGET_BATCHES``
    batches (a batch assumes its own picks link; the next batch corrects for those that
    did not); a pair is compared only when its documents are not yet in one story, so
    every story still gets a spanning tree of compared links, and the budget goes to
    links, not to the n**2 / 2 pairs inside big clusters of copies.  When the budget runs out, pairs whose estimate
    is clearly a near-duplicate (3 standard errors above the threshold) and that would
    still join two stories are linked on the estimate: their ``similarity`` is the MinHash
    estimate and they carry no passages.  Deterministic: the order and batches depend on
    the candidates only.
    """
    from .cluster import UnionFind

    order = np.lexsort((codes, -est))
    uf = UnionFind(n)
    batch = max(_COMPARE_CHUNK * 8, budget // _BUDGET_BATCHES)
    pos = 0
    while pos < len(order) and len(comparisons) < budget:
        scratch: dict[int, int] = {}  # unions made inside this batch, not yet verified

        def root(x: int) -> int:
            x = uf.find(x)
            while x in scratch:
                x = scratch[x]
            return x

        picks: list[int] = []
        while pos < len(order) and len(picks) < batch and len(comparisons) + len(picks) < budget:
            c = int(codes[order[pos]])
            pos += 1
            ri, rj = root(c // n), root(c % n)
            if ri != rj:
                picks.append(c)
                scratch[max(ri, rj)] = min(ri, rj)
        # Pairs that will join into one story go to the same chunk, so a worker prepares
        # each of their texts once (the order of work does not change any result).
        run(sorted(picks, key=lambda c: (root(c // n), c)))
        for c in picks:
            r = comparisons[c]
            if r.near_duplicate or r.passages:
                uf.union(c // n, c % n)
    margin = 3 * math.sqrt(o.near_duplicate * (1 - o.near_duplicate) / o.num_perm)
    for k in order[pos:].tolist():
        c, e = int(codes[k]), float(est[k])
        if e >= o.near_duplicate + margin and uf.find(c // n) != uf.find(c % n):
            uf.union(c // n, c % n)
            comparisons[c] = Comparison(0, 0, Similarity(e, e, e), True)


def _similarity_chunk(job: tuple[list[tuple[int, int]], dict[int, bytes], int]) -> list[Similarity]:
    """Exact shingle similarity of each pair of a chunk; each text's set is made once."""
    from .normalization import normalize
    from .pipeline import set_similarity
    from .shingle import shingles_many, tokenize_many

    pairs, blobs, k = job
    toks = tokenize_many([normalize(_unpack(b)).text for b in blobs.values()])
    sets = dict(zip(blobs, map(unique, shingles_many([t.hashes for t in toks], k))))
    return [set_similarity(sets[i], sets[j]) for i, j in pairs]


def _event_similarities(
    codes: list[int], n: int, store: "_TextStore", k: int, pool: "_Pool"
) -> Callable[[], dict[int, Similarity]]:
    """Start computing the exact similarity of the pairs ``codes`` in the workers; the
    returned function waits for them.  Chunks hold pairs that share documents.

    Pairs go in order of their connected component (copies of one story share names and
    dates with each other), so a chunk holds a few whole components and most texts are
    shingled once, not once per pair.  The work starts at once, so the caller can spell
    the same-event evidence meanwhile.
    """
    if not codes:
        return dict
    uf = UnionFind(n)
    for c in codes:
        uf.union(*divmod(c, n))
    ordered = sorted(codes, key=lambda c: (uf.find(c // n), c))
    chunks = [ordered[i : i + _SIMILARITY_CHUNK] for i in range(0, len(ordered), _SIMILARITY_CHUNK)]
    jobs = []
    for chunk in chunks:
        pairs = [divmod(c, n) for c in chunk]
        jobs.append((pairs, {i: store.blob(i) for i in sorted({x for p in pairs for x in p})}, k))
    results = pool.start(_similarity_chunk, jobs)

    def collect() -> dict[int, Similarity]:
        out: dict[int, Similarity] = {}
        for chunk, sims in zip(chunks, results):
            out.update(zip(chunk, sims))
        return out

    return collect


_SIMILARITY_CHUNK = 512


def _compare_chunk(job: tuple[list[tuple[int, int]], dict[int, Any], Any]) -> list[Comparison]:
    """Compare pairs ``(i, j)`` of a chunk; texts by index, as ``str`` or as ``(_pack``-ed
    bytes, sentence spans from signing or None``)``."""
    from .align import use_jit
    from .pipeline import compare_prepared, prepare

    use_jit()  # compiled alignment: workers load numba for signing anyway
    pairs, texts, options = job

    def prepared_text(t: Any) -> Any:
        if isinstance(t, str):
            return prepare(t)
        blob, spans = t
        if spans is None:
            return prepare(_unpack(blob))
        return prepare(_unpack(blob), sentence_spans=[Span(s, e) for s, e in spans.tolist()])

    # Each text is prepared once per chunk.
    prepared = {i: prepared_text(t) for i, t in texts.items()}
    return [compare_prepared(prepared[i], prepared[j], options=options) for i, j in pairs]


# =========================================================================== candidates


_STAR_ABOVE = 12  # passage-window groups above this size pair as a star (see _group_pairs)


def _group_pairs(
    keys: np.ndarray, members: np.ndarray, max_group: int, n: int, star_above: int | None = None
) -> np.ndarray:
    """Pair codes ``i * n + j`` (``i < j``) of members sharing a key, groups <= ``max_group``.

    ``(key, member)`` entries are de-duplicated first, so a member appears once per
    group.  Groups with more distinct members than ``max_group`` are skipped (too
    common to mean anything).  A group larger than ``star_above`` gives only the pairs of
    its first member with each other one (a star: it keeps the group connected with
    L - 1 pairs instead of L (L - 1) / 2; twenty copies of a story share every window).
    Returns the codes with repeats, one per shared key, so callers can count shared keys
    with ``_arrays.unique_counts``.
    """
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    mbits = max(1, (n - 1).bit_length())
    if mbits <= 32:
        # One sort of (key << mbits | member) instead of a lexsort: 3x faster.  The key
        # loses its top mbits bits; two keys that then agree make a false group whose
        # pairs ``compare`` rejects (a 2**-32 chance per pair of keys at worst).
        packed = unique((keys.astype(np.uint64) << np.uint64(mbits)) | members.astype(np.uint64))
        k, m = packed >> np.uint64(mbits), (packed & np.uint64((1 << mbits) - 1)).astype(np.int64)
    else:
        order = np.lexsort((members, keys))
        k, m = keys[order], members[order].astype(np.int64)
        keep = np.ones(len(k), dtype=bool)
        keep[1:] = (k[1:] != k[:-1]) | (m[1:] != m[:-1])
        k, m = k[keep], m[keep]
    starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    sizes = np.diff(np.append(starts, len(k)))
    ok = (sizes >= 2) & (sizes <= max_group)
    starts, sizes = starts[ok], sizes[ok]
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    star = sizes > star_above if star_above is not None else np.zeros(len(sizes), dtype=bool)
    per = np.where(star, sizes - 1, sizes * (sizes - 1) // 2)
    ends = np.cumsum(per)
    out = np.empty(int(ends[-1]), dtype=np.int64)
    # Groups a slice at a time, about _PAIRS_PER_SLICE pairs each: the temporaries of
    # one pass over 17M name pairs (100k articles) would take 700 MB.
    g0 = 0
    while g0 < len(starts):
        base = int(ends[g0 - 1]) if g0 else 0
        g1 = max(g0 + 1, int(np.searchsorted(ends, base + _PAIRS_PER_SLICE, side="right")))
        st, sz, sr = starts[g0:g1], sizes[g0:g1], star[g0:g1]
        # Member t of a group of size L pairs with the L - 1 - t members after it
        # (only the first member does, in a group that is a star).
        idx = np.repeat(st, sz) + _ranges(sz)
        after = np.repeat(st + sz, sz) - idx - 1
        after[np.repeat(sr, sz) & (idx != np.repeat(st, sz))] = 0
        left = np.repeat(idx, after)
        right = left + 1 + _ranges(after)
        # members ascend within a group, so m[left] < m[right]
        out[base : int(ends[g1 - 1])] = m[left] * np.int64(n) + m[right]
        g0 = g1
    return out


_PAIRS_PER_SLICE = 1 << 21


# =========================================================================== scan


def _resolve(options: ScanOptions | None, overrides: dict[str, Any]) -> ScanOptions:
    from .pipeline import with_overrides

    return with_overrides(ScanOptions, options, overrides)  # type: ignore[no-any-return]


class _Pool:
    """A process pool when ``workers > 1``, else in-process ``map``; results in input order."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._ex = None
        if workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            self._ex = ProcessPoolExecutor(max_workers=workers)

    def imap(self, fn: Callable[[Any], Any], jobs: Iterable[Any]) -> Iterator[Any]:
        """Results of ``fn`` over ``jobs`` in order, with at most ``2 * workers`` jobs in flight."""
        if self._ex is None:
            for j in jobs:
                yield fn(j)
            return
        from collections import deque

        pending: deque[Any] = deque()
        for j in jobs:
            pending.append(self._ex.submit(fn, j))
            if len(pending) >= 2 * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def start(self, fn: Callable[[Any], Any], jobs: list[Any]) -> Iterator[Any]:
        """Submit every job now (the workers start while the caller goes on); iterate the
        result for ``fn``'s results in order.  In-process, the jobs run when iterated."""
        if self._ex is None:
            return (fn(j) for j in jobs)
        futures = [self._ex.submit(fn, j) for j in jobs]
        return (f.result() for f in futures)

    def close(self) -> None:
        if self._ex is not None:
            self._ex.shutdown(cancel_futures=True)


_BATCH_DOCS = 256
_BATCH_CHARS = 1 << 20
_COMPARE_CHUNK = 128  # pairs per worker job; bigger chunks reuse prepared texts more
# A compare budget is spent in this many Kruskal batches.  Fewer batches pause less and
# prepare fewer texts (30k articles, 4 batches: 32 -> 29 s), but a batch assumes its picks
# link, so fewer batches correct fewer failed links: at 10k articles 4 batches compared
# 389 fewer pairs and left 8 more stories apart.  20 keeps close to Kruskal's order.
_BUDGET_BATCHES = 20


def _batches(documents: Iterable[Document], store: _TextStore, infos: list[DocInfo]) -> Iterator[list[str]]:
    """Stream documents in batches of texts, registering their ids; reject duplicate ids.

    The texts reach the store compressed by the signing workers (``_sign_batch``)."""
    batch: list[str] = []
    size = 0
    for doc in documents:
        if not isinstance(doc, Document):
            raise ConfigError(f"scan() takes Document records, got {type(doc).__name__}")
        if doc.id in store:
            first = infos[store.index(doc.id)].origin
            raise InputError(
                f"{doc.origin or doc.id}: duplicate document id {doc.id!r} (first seen at {first or '?'}); "
                "ids must be unique (use --id-field '' to number records by file:line)"
            )
        store.register(doc.id)
        infos.append(DocInfo(doc.id, doc.origin, len(doc.text)))
        batch.append(doc.text)
        size += len(doc.text)
        if len(batch) >= _BATCH_DOCS or size >= _BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def scan(
    documents: Iterable[Document],
    *,
    options: ScanOptions | None = None,
    progress: ProgressFn | None = None,
    **overrides: Any,
) -> ScanResult:
    """Find near-duplicates, shared passages, stories and name variants in ``documents``.

    ``documents`` is any iterable of ``Document`` (``overlap.sources.iter_documents``
    streams them from files); it is read once.  Ids must be unique (``InputError``
    otherwise).  Options are a ``ScanOptions`` or its fields as keywords.  ``progress``,
    if given, is called as ``progress(stage, done, total)``.  Cost: see the module
    docstring.

    >>> from overlap.records import Document
    >>> r = scan([Document("a", "Một hai ba bốn năm sáu bảy tám chín mười."),
    ...           Document("b", "Một hai ba bốn năm sáu bảy tám chín mười!")], workers=1)
    >>> [c.members for c in r.near_duplicate_clusters]
    [('a', 'b')]
    """
    o = _resolve(options, overrides)
    workers = o.workers or os.cpu_count() or 1
    report = progress or (lambda stage, done, total: None)
    timings: list[tuple[str, float]] = []
    from .lsh import optimal_params

    pbands, prows = optimal_params(o.passage_threshold, o.passage_num_perm)
    cfg = _SignConfig(
        o.num_perm, o.seed, o.shingle_size, o.passage_shingle_size, o.passage_sentences, o.passage_stride, o.passage_min_tokens,
        o.passage_num_perm, pbands, prows, o.same_event,
    )
    store = _TextStore()
    infos: list[DocInfo] = []
    pool = _Pool(workers)
    try:
        # ---- 1-2: read and sign, streaming
        t0 = time.perf_counter()
        sig_parts: list[np.ndarray] = []
        key_parts: list[np.ndarray] = []
        win_parts: list[np.ndarray] = []
        name_h: list[np.ndarray] = []  # per document: its name phrases' hashes, sorted
        sent_spans: list[np.ndarray | None] = []  # per document: its sentence spans (for compare)
        dates: list[np.ndarray] = []
        vocab: list[np.ndarray] = []  # per document: its rare-vocabulary terms
        done = 0
        jobs = (([_utf8(t) for t in batch], cfg) for batch in _batches(documents, store, infos))
        for sigs, keys, wdoc, names, ds, ss, vt, blobs in pool.imap(_sign_and_pack, jobs):
            store.extend(blobs)
            sent_spans.extend(ss)
            vocab.extend(vt)
            sig_parts.append(sigs)
            key_parts.append(keys)
            win_parts.append(wdoc + done)
            name_h.extend(names)
            dates.extend(ds)
            done += len(sigs)
            report("sign", done, None)
        n = done
        if n == 0:
            raise InputError("no documents to scan")
        sigs = np.concatenate(sig_parts)
        del sig_parts
        wdoc = np.concatenate(win_parts) if win_parts else np.zeros(0, dtype=np.int32)
        del win_parts
        timings.append(("sign", time.perf_counter() - t0))

        # ---- 3: candidates
        t0 = time.perf_counter()
        # One band at a time: threads over the bands were 1 s faster at 100k but held
        # 300 MB more (freed arrays stay in each thread's malloc arena).
        doc_codes = _doc_candidates(sigs, o, n)
        pcodes = [_band_codes(key_parts, wdoc, o.max_passage_docs, n, b) for b in range(pbands)]
        del key_parts
        passage_codes = unique(np.concatenate(pcodes)) if pcodes else np.zeros(0, dtype=np.int64)
        del pcodes
        # Same-event candidates in a thread, from here until verification is done (not
        # beside the band loop: both at once raised the memory peak by up to 250 MB).
        from concurrent.futures import ThreadPoolExecutor

        side = ThreadPoolExecutor(max_workers=1)
        event_job = side.submit(_event_candidates, o, n, name_h, dates)
        side.shutdown(wait=False)
        # Cheapest filter first: a document candidate whose estimated Jaccard is more
        # than 3 standard errors below the threshold is dropped unless a passage window
        # also collided; the estimate is exact in expectation, so this loses little.
        if len(doc_codes):
            est = _estimates(sigs, doc_codes, n)
            margin = 3 * math.sqrt(o.near_duplicate * (1 - o.near_duplicate) / o.num_perm)
            doc_codes = doc_codes[(est >= o.near_duplicate - margin) | isin_sorted(doc_codes, passage_codes)]
        to_compare = unique(np.concatenate((doc_codes, passage_codes)))
        est_all = _estimates(sigs, to_compare, n)
        del sigs
        timings.append(("candidates", time.perf_counter() - t0))

        # ---- 4: verify with compare
        t0 = time.perf_counter()
        copts = o.compare_options
        comparisons: dict[int, Comparison] = {}

        def run(codes: list[int]) -> None:
            chunks = [codes[i : i + _COMPARE_CHUNK] for i in range(0, len(codes), _COMPARE_CHUNK)]

            def jobs() -> Iterator[tuple[list[tuple[int, int]], dict[int, Any], Any]]:
                for chunk in chunks:
                    pairs = [divmod(c, n) for c in chunk]
                    need = sorted({x for p in pairs for x in p})
                    yield pairs, {i: (store.blob(i), sent_spans[i]) for i in need}, copts

            for chunk, results in zip(chunks, pool.imap(_compare_chunk, jobs())):
                for c, r in zip(chunk, results):
                    comparisons[c] = r
                report("compare", len(comparisons), min(len(to_compare), budget))

        budget = len(to_compare) if o.max_compares is None else o.max_compares
        if len(to_compare) <= budget:
            run(sorted(to_compare.tolist()))
        else:
            _compare_within_budget(to_compare, est_all, n, budget, run, comparisons, o)
        timings.append(("compare", time.perf_counter() - t0))
        sent_spans.clear()  # only verification reads them
        # ---- 5: same event: exact similarities start in the workers while the main
        # process spells the evidence
        t0 = time.perf_counter()
        ev = event_job.result()
        linked_codes = {c for c, r in comparisons.items() if r.near_duplicate or r.passages}
        ev_codes = ev.codes
        if linked_codes and len(ev_codes):
            ev_codes = ev_codes[~isin_sorted(ev_codes, unique(np.fromiter(linked_codes, dtype=np.int64, count=len(linked_codes))))]
        ev_codes_list = ev_codes.tolist()
        collect = _event_similarities([c for c in ev_codes_list if c not in comparisons], n, store, o.shingle_size, pool)
        events = _spell_events(ev_codes_list, n, store, name_h, dates, ev, o.min_shared_names)
        del name_h
        timings.append(("events", time.perf_counter() - t0))

        # ---- 6: reused passages (boilerplate needs them), pairs and clusters
        t0 = time.perf_counter()
        sims = collect()
        found: list[tuple[int, Comparison]] = []
        for c in sorted(linked_codes | set(events)):
            r = comparisons.get(c)
            if r is None:
                i, j = divmod(c, n)
                r = Comparison(infos[i].length, infos[j].length, sims[c], False)
            found.append((c, r))
    finally:
        pool.close()

    counts = {
        "passage_windows": int(len(wdoc)),
        "doc_candidates": int(len(doc_codes)),
        "passage_candidates": int(len(passage_codes)),
        "event_candidates": ev.shared_names,
        "compared": len(comparisons),
    }
    return _assemble(o, infos, store, found, events, counts, timings, t0, vocab=vocab)


# (pair_by_code, boilerplate-only codes) -> (near-duplicate clusters, story clusters)
ClusterFn = Callable[[dict[int, "PairResult"], set[int]], tuple[tuple["Cluster", ...], tuple["Cluster", ...]]]


def _assemble(
    o: ScanOptions,
    infos: list[DocInfo],
    store: Any,
    found: list[tuple[int, Comparison]],
    events: dict[int, SameEvent],
    counts: dict[str, int],
    timings: list[tuple[str, float]],
    t0: float,
    cluster_fn: ClusterFn | None = None,
    vocab: list[np.ndarray] | None = None,
) -> ScanResult:
    """Stages 6-8 from the verified pairs: pairs, clusters, reused passages, name variants.

    ``found``: ``(code, comparison)`` of every linked pair, ascending by code
    ``i * n + j``; ``events``: same-event evidence by code; ``counts``: the candidate
    and comparison counts of ``ScanStats``; ``vocab``: every document's rare-vocabulary
    terms (``overlap.vocabulary``), None for no vocabulary links.  ``store`` needs
    ``at(i)``, ``get(id)`` and an ``_index`` of ids in input order for at least the
    documents in ``found`` (the Spark engine passes only those).  Shared by ``scan`` and
    ``overlap.spark`` so both engines assemble identical results.
    ``cluster_fn(pair_by_code, boiler_codes)``, if given, returns the near-duplicate
    clusters in place of the local union-find (the Spark engine computes the components
    on its executors; its second item is ignored): stories are always clustered here,
    by ``overlap.stories`` on the weighted evidence.  Cost: small next to verification
    (linked pairs, their passages, and the vocabulary links' sort).
    """
    from .reuse import SharedSpan, passage_groups
    from .stories import Evidence, cluster

    n = len(infos)
    ids = [d.id for d in infos]
    shared = [
        SharedSpan(c, i, x.a.start, x.a.end, j, x.b.start, x.b.end)
        for c, r in found
        for i, j in (divmod(c, n),)
        for x in r.passages
    ]
    near = {c: r.near_duplicate for c, r in found}
    npass = {c: len(r.passages) for c, r in found}
    phrase_cache: dict[tuple[int, tuple[tuple[int, int], ...]], set[str]] = {}

    def shares_more(c: int, g: Any, inside: int) -> bool:
        # A pair shares more than this passage: near-duplicate text, another passage, or
        # two name phrases outside it.
        if near[c] or inside < npass[c]:
            return True
        spans: dict[int, list[tuple[int, int]]] = {}
        for d, s_, e, _ in g.occurrences:
            spans.setdefault(d, []).append((s_, e))
        return _share_names_outside(c, n, spans, store, phrase_cache)

    groups = passage_groups(shared, store.at, shares_more=shares_more)
    boiler_spans = {k for g in groups if g.boilerplate for k in g.spans}
    real = {x.pair for k, x in enumerate(shared) if k not in boiler_spans}
    boiler_codes = {shared[k].pair for k in boiler_spans} - real

    pair_by_code: dict[int, PairResult] = {}
    evidence: list[Evidence] = []
    vlinks: dict[int, float] = {}
    if vocab is not None:
        from .vocabulary import vocabulary_links

        vlinks = {i * n + j: cos for i, j, cos in vocabulary_links(vocab)}
    for c, r in found:
        i, j = divmod(c, n)
        boiler = c in boiler_codes
        ev = events.get(c)
        chars = 0 if boiler else min(r.shared_a, r.shared_b)
        cover = 0.0 if boiler else max(r.shared_a / max(1, infos[i].length), r.shared_b / max(1, infos[j].length))
        w, why = link_weight(
            near_duplicate=r.near_duplicate, passage_chars=chars, passage_coverage=cover,
            same_event_names=len(ev.names) if ev else 0, min_names=o.min_shared_names, vocabulary=vlinks.get(c, 0.0),
        )
        pair_by_code[c] = PairResult(
            ids[i], ids[j], r.similarity, r.near_duplicate, r.passages, r.conflicts, ev,
            boilerplate=boiler, duplicate=r.duplicate, evidence=why, confidence=w,
        )
        if w > 0:
            evidence.append(Evidence(i, j, w, why))
    for c, cos in vlinks.items():
        if c not in pair_by_code:
            w, why = link_weight(vocabulary=cos)
            evidence.append(Evidence(c // n, c % n, w, why))
    pairs = tuple(pair_by_code.values())
    if cluster_fn is None:
        dup_clusters = _clusters("near_duplicate", n, ids, pair_by_code, lambda p: p.near_duplicate)
    else:
        dup_clusters = cluster_fn(pair_by_code, boiler_codes)[0]
    dup_clusters = tuple(_with_headline(c, store) for c in dup_clusters)
    story_clusters = _stories(cluster(n, evidence), evidence, vlinks, pair_by_code, n, ids, store)
    timings.append(("cluster", time.perf_counter() - t0))

    # ---- 7-8: name variants and the most reused passages
    t0 = time.perf_counter()
    variants = _name_variants(pairs, story_clusters, store)
    top = groups[: o.top_passages] if o.top_passages else groups
    reused = tuple(
        ReusedPassage(
            store.at(g.text_doc)[g.text_start : g.text_end],
            tuple(Occurrence(ids[d], Span(s_, e), sim) for d, s_, e, sim in g.occurrences),
            g.boilerplate,
        )
        for g in top
    )
    timings.append(("report", time.perf_counter() - t0))

    stats = ScanStats(
        documents=n,
        characters=sum(d.length for d in infos),
        passage_windows=counts["passage_windows"],
        doc_candidates=counts["doc_candidates"],
        passage_candidates=counts["passage_candidates"],
        event_candidates=counts["event_candidates"],
        compared=counts["compared"],
        linked_pairs=len(pairs),
        timings=tuple(timings),
    )
    return ScanResult(
        documents=tuple(infos),
        pairs=pairs,
        near_duplicate_clusters=dup_clusters,
        story_clusters=story_clusters,
        name_variants=variants,
        reused_passages=reused,
        stats=stats,
        options=o,
        _texts=store,
    )


def _headline(text: str, limit: int = 200) -> str:
    """The first non-empty line of ``text`` (a news file's title), cut to ``limit`` characters."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


def _with_headline(c: Cluster, store: Any) -> Cluster:
    conf = [e.pair.duplicate.confidence for e in c.evidence if e.pair is not None and e.pair.duplicate is not None]
    evidence = tuple(
        Link(e.a, e.b, e.reason, e.pair, e.pair.duplicate.confidence if e.pair and e.pair.duplicate else 0.0)
        for e in c.evidence
    )
    k = len(c.members)
    return Cluster(c.kind, c.members, evidence, _headline(store.get(c.members[0])), sum(conf) / (k * (k - 1) / 2))


def _stories(
    groups: list[list[int]], evidence: list[Any], vlinks: dict[int, float], pair_by_code: dict[int, PairResult],
    n: int, ids: list[str], store: Any,
) -> tuple[Cluster, ...]:
    """Story ``Cluster`` records of ``groups`` (``overlap.stories.cluster``): members in input
    order, every evidence link inside, strongest first; ranked by size, then strength."""
    where = {m: g for g, members in enumerate(groups) for m in members}
    links: list[list[Link]] = [[] for _ in groups]
    weight = [0.0] * len(groups)
    for e in evidence:
        g = where.get(e.a)
        if g is None or where.get(e.b) != g:
            continue
        c = e.a * n + e.b
        links[g].append(Link(ids[e.a], ids[e.b], e.reason, pair_by_code.get(c), e.weight, vlinks.get(c, 0.0)))
        weight[g] += e.weight
    out = []
    order = {d: i for i, d in enumerate(ids)}
    for members, ev, w in zip(groups, links, weight):
        ev.sort(key=lambda x: (-x.confidence, order[x.a], order[x.b]))
        k = len(members)
        out.append((-k, -w / (k * (k - 1) / 2), members[0], ev, members))
    out.sort(key=lambda t: t[:3])
    return tuple(
        Cluster("story", tuple(ids[m] for m in members), tuple(ev), _headline(store.at(members[0])), -strength)
        for _, strength, _, ev, members in out
    )


def _exact_similarity(a: str, b: str, k: int) -> Similarity:
    from .normalization import normalize
    from .pipeline import set_similarity
    from .shingle import shingle_set

    return set_similarity(shingle_set(normalize(a).text, k), shingle_set(normalize(b).text, k))


def _spell_events(
    codes: list[int], n: int, store: "_TextStore", name_h: list[np.ndarray], dates: list[np.ndarray],
    ev: _EventCandidates, min_names: int,
) -> dict[int, SameEvent]:
    """``SameEvent`` evidence of each pair of ``codes`` (ascending, so sorted by first document,
    whose name phrases spell the evidence: each first document's phrases are found once)."""
    events: dict[int, SameEvent] = {}
    cur, phrases_i, names_i, dates_i = -1, [], set(), set()
    # The copies of a story that pair with document i mostly share the same names and
    # dates with it, so their (frozen) evidence is made once per distinct overlap.
    seen: dict[tuple[frozenset[int], tuple[int, ...]], SameEvent | None] = {}
    for c in codes:
        i, j = divmod(c, n)
        if i != cur:
            cur, phrases_i = i, _hashed_phrases(store.at(i))
            names_i = set(name_h[i].tolist()) & ev.distinctive
            dates_i = set(dates[i].tolist()) & ev.rare
            seen.clear()
        key = (frozenset(names_i.intersection(name_h[j].tolist())), tuple(sorted(dates_i.intersection(dates[j].tolist()))))
        if key not in seen:
            seen[key] = _same_event(phrases_i, key[0], np.array(key[1], dtype=np.int16), min_names)
        found = seen[key]
        if found is not None:
            events[c] = found
    return events


def _hashed_phrases(text: str) -> list[tuple[int, str]]:
    """``(hash of the case-folded key, first spelling)`` of each name phrase of ``text``."""
    return [(_hash64(k), v) for k, v in _name_phrases(text).items()]


def _same_event(
    phrases_a: list[tuple[int, str]], shared_names: set[int] | frozenset[int], shared_dates: np.ndarray, min_names: int
) -> SameEvent | None:
    """Evidence that two texts report one event: the distinctive name phrases both contain
    (``shared_names``, hashes; spelled as the first text spells them) and shared dates."""
    shared = [spelled for h, spelled in phrases_a if h in shared_names]
    if len(shared) < min_names:
        return None
    # Longest first: the full names read best as evidence.
    shared.sort(key=lambda s: (-len(s), s))
    return SameEvent(tuple(shared[:8]), tuple(_date_label(int(c)) for c in shared_dates[:8]))


def _clusters(
    kind: str, n: int, ids: list[str], pairs: dict[int, PairResult], keep: Callable[[PairResult], bool]
) -> tuple[Cluster, ...]:
    uf = UnionFind(n)
    chosen = [(c, p) for c, p in pairs.items() if keep(p)]
    for c, _ in chosen:
        uf.union(*divmod(c, n))
    groups = uf.groups()
    where = {m: g for g, members in enumerate(groups) for m in members}
    evidence: list[list[Link]] = [[] for _ in groups]
    for c, p in chosen:
        g = where[c // n]
        evidence[g].append(Link(p.a, p.b, "near_duplicate" if kind == "near_duplicate" else p.link, p))
    out = [
        Cluster(kind, tuple(ids[m] for m in members), tuple(ev))
        for members, ev in zip(groups, evidence)
    ]
    out.sort(key=lambda c: -len(c.members))  # stable: ties keep first-member order
    return tuple(out)


def _name_variants(pairs: tuple[PairResult, ...], stories: tuple[Cluster, ...], store: _TextStore) -> tuple[NameVariant, ...]:
    """Group ``spelling`` conflicts into one record per name; find each spelling's occurrences."""
    found: list[tuple[str, str, str, str]] = []  # (a_text, b_text, a_id, b_id)
    for p in pairs:
        for c in p.conflicts:
            if c.kind == "spelling":
                found.append((c.a_text, c.b_text, p.a, p.b))
    if not found:
        return ()
    keys: dict[str, int] = {}
    for a, b, _, _ in found:
        for s in (a, b):
            keys.setdefault(_variant_key(s), len(keys))
    uf = UnionFind(len(keys))
    for a, b, _, _ in found:
        uf.union(keys[_variant_key(a)], keys[_variant_key(b)])
    story_of = {m: c.members for c in stories for m in c.members}
    order = {d: i for i, d in enumerate(store._index)}
    by_root: dict[int, dict[str, Any]] = {}
    for a, b, da, db in found:
        g = by_root.setdefault(uf.find(keys[_variant_key(a)]), {"texts": {}, "pairs": {}, "docs": set()})
        g["texts"].setdefault(_variant_key(a), a)
        g["texts"].setdefault(_variant_key(b), b)
        g["pairs"][(da, db)] = None
        g["docs"].update(story_of.get(da, (da,)))
        g["docs"].update(story_of.get(db, (db,)))
    # One regex per group (its spellings, longest first, so a spelling that extends
    # another wins); no leading look-behind: it would be tried at every position (14x
    # slower), the character before a match is checked here instead.
    groups = list(by_root.values())
    found_at: list[dict[str, list[Occurrence]]] = []
    rxs: list[re.Pattern[str]] = []
    groups_of: dict[str, list[int]] = {}
    for gi, g in enumerate(groups):
        alts = sorted(g["texts"].values(), key=lambda t: (-len(t), t))
        rxs.append(re.compile(r"(?:" + "|".join(re.escape(t) for t in alts) + r")(?!\w)"))
        found_at.append({t: [] for t in alts})
        for d in g["docs"]:
            groups_of.setdefault(d, []).append(gi)
    # Each document is decompressed once for all the groups that search it: a big story
    # is searched by many groups (at 20k articles, once per group took 13 s).
    for d in sorted(groups_of, key=order.__getitem__):
        text = store.get(d)
        for gi in groups_of[d]:
            for m in rxs[gi].finditer(text):
                st = m.start()
                if st and (text[st - 1].isalnum() or text[st - 1] == "_"):
                    continue
                found_at[gi][m.group()].append(Occurrence(d, Span(st, m.end())))
    out: list[NameVariant] = []
    for g, occ in zip(groups, found_at):
        spellings = [Spelling(shown, tuple(occ[shown])) for shown in g["texts"].values()]
        spellings.sort(key=lambda s: (-len(s.docs), s.text))
        if len([s for s in spellings if s.occurrences]) < 2:
            continue
        out.append(NameVariant(tuple(spellings), tuple(g["pairs"])))
    out.sort(key=lambda v: (-sum(len(s.docs) for s in v.spellings), v.spellings[0].text))
    return tuple(out)


def _variant_key(s: str) -> str:
    return " ".join(s.casefold().split())


def _share_names_outside(
    c: int, n: int, spans: dict[int, list[tuple[int, int]]], store: _TextStore,
    cache: dict[tuple[int, tuple[tuple[int, int], ...]], set[str]],
) -> bool:
    """Whether pair ``c`` shares two name phrases outside the passage spans in question."""

    def names(d: int) -> set[str]:
        key = (d, tuple(spans.get(d, ())))
        got = cache.get(key)
        if got is None:
            text = store.at(d)
            for s, e in spans.get(d, ()):
                text = text[:s] + " " * (e - s) + text[e:]
            got = cache[key] = set(_name_phrases(text))
        return got

    i, j = divmod(c, n)
    return len(names(i) & names(j)) >= 2
