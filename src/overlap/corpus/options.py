"""Settings of a corpus scan, and the rules derived from them that both engines share.

``ScanOptions``
    Sizes, thresholds, seed and workers of ``scan``; validated on construction.
``resolve_options(options, overrides) -> ScanOptions``
    ``options`` (or the defaults) with keyword overrides applied, unknown names refused.
``ProgressFn``
    ``progress(stage, done, total)``, called as work advances.

The derived rules (``name_doc_limit``, ``estimate_margin``, ``passage_bands``) are
methods here so the local and Spark drivers cannot disagree on them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..pipeline import CompareOptions

__all__ = ["ProgressFn", "ScanOptions", "resolve_options"]

ProgressFn = Callable[[str, int, "int | None"], None]
"""``progress(stage, done, total)``: called as work advances; ``total`` may be None."""


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Settings of ``scan``, validated on construction.

    Signatures: ``num_perm`` (128) MinHash values per document, ``seed`` (1) for the
    permutations, ``shingle_size`` (5) tokens per shingle.
    ``near_duplicate``: Jaccard at or above which two documents are near-duplicates
    (0.5, as ``CompareOptions``); it is also the document-level LSH threshold.
    Passages: windows of ``passage_sentences`` (1) sentences every ``passage_stride``
    (1) sentences, at least ``passage_min_tokens`` (12) tokens, shingles of
    ``passage_shingle_size`` (3) tokens, signed with ``passage_num_perm`` (64) values
    and banded at ``passage_threshold`` (0.3).
    ``max_bucket`` (1000): document LSH buckets above this are chained (``overlap.lsh``).
    ``max_passage_docs`` (100): a window bucket spanning more documents is boilerplate.
    Same event: ``min_shared_names`` (3) distinctive name phrases and one distinctive
    shared date; a phrase or date is distinctive when at most ``max_name_docs`` documents
    contain it (None: ``max(10, n // 100)``, capped at 200).  ``same_event=False`` turns it off.
    ``top_passages`` (20): how many reused passages to report (0: all).
    ``max_compares`` (20,000): at most this many pairs go through ``compare``; beyond it the
    pairs that link stories are chosen first (``verify.compare_within_budget``).  None: all.
    ``workers``: processes (None: ``os.cpu_count()``; 1: no pool).
    ``compare``: the ``CompareOptions`` used to verify pairs (None: defaults, with
    ``shingle_size`` and ``near_duplicate`` taken from these options).
    ``reworded``: also find reworded reuse (opt-in, it costs more): each sentence's bag of
    content units becomes a passage window too (``overlap.corpus.reworded``), banded so
    that bags of Jaccard ``reworded_threshold`` (0.5) collide, and pairs are verified with
    the paraphrase stage (unless ``compare`` says otherwise).
    ``date_field``: the ``Document.metadata`` field holding each document's ISO 8601
    date; every cluster then names the member published first (None: no dates).
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
    compare: CompareOptions | None = None
    date_field: str | None = None
    reworded: bool = False
    reworded_threshold: float = 0.55

    def __post_init__(self) -> None:
        ints = {
            "num_perm": (2, 1024), "shingle_size": (1, 1000), "passage_sentences": (1, 100),
            "passage_stride": (1, 100), "passage_shingle_size": (1, 1000), "passage_min_tokens": (1, 10000),
            "passage_num_perm": (2, 1024), "max_bucket": (2, 10**9), "max_passage_docs": (2, 10**9),
            "min_shared_names": (1, 100), "top_passages": (0, 10**9),
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
        for name in ("near_duplicate", "passage_threshold", "reworded_threshold"):
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
        if self.date_field is not None and (not isinstance(self.date_field, str) or not self.date_field):
            raise ConfigError(f"date_field must be a non-empty field name or None: {self.date_field!r}")
        for name in ("same_event", "reworded"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be True or False: {getattr(self, name)!r}")
        if self.compare is not None:
            from ..pipeline import CompareOptions

            if not isinstance(self.compare, CompareOptions):
                raise ConfigError(f"compare must be a CompareOptions or None: {self.compare!r}")

    @property
    def compare_options(self) -> CompareOptions:
        """The ``CompareOptions`` pairs are verified with."""
        from ..pipeline import CompareOptions

        if self.compare is not None:
            return self.compare
        return CompareOptions(
            shingle_size=self.shingle_size, near_duplicate=self.near_duplicate, paraphrase=True if self.reworded else None
        )

    def name_doc_limit(self, n: int) -> int:
        """How many of ``n`` documents may hold a name phrase or date for it to be distinctive."""
        return self.max_name_docs or min(200, max(10, n // 100))

    @property
    def estimate_margin(self) -> float:
        """Three standard errors of a MinHash Jaccard estimate at the ``near_duplicate`` threshold.

        A document candidate estimated more than this below the threshold is dropped
        unverified; under a compare budget, one estimated more than this above it is
        linked on the estimate.
        """
        return 3 * math.sqrt(self.near_duplicate * (1 - self.near_duplicate) / self.num_perm)

    @property
    def estimate_cut(self) -> float:
        """The estimated Jaccard below which a document candidate is dropped unverified
        (unless a passage window also collided): ``near_duplicate - estimate_margin``."""
        return self.near_duplicate - self.estimate_margin

    @property
    def passage_bands(self) -> tuple[int, int]:
        """``(bands, rows)`` of the passage-window LSH at ``passage_threshold``."""
        from ..lsh import optimal_params

        return optimal_params(self.passage_threshold, self.passage_num_perm)

    @property
    def reworded_rows(self) -> int:
        """Rows per band of the reworded windows: ``passage_bands``' band count at
        ``reworded_threshold`` (``overlap.corpus.reworded.rows_for``)."""
        from .reworded import rows_for

        return rows_for(self.reworded_threshold, self.passage_bands[0])

    @property
    def document_bands(self) -> tuple[int, int]:
        """``(bands, rows)`` of the document LSH at ``near_duplicate``."""
        from ..lsh import optimal_params

        return optimal_params(self.near_duplicate, self.num_perm)

    def to_dict(self) -> dict[str, Any]:
        skip = ("workers", "compare", "date_field") + (() if self.reworded else ("reworded", "reworded_threshold"))
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}
        c = self.compare_options
        out["compare"] = {f.name: getattr(c, f.name) for f in fields(c)}
        if self.date_field is not None:  # only when set: results without dates keep their schema
            out["date_field"] = self.date_field
        return out


def resolve_options(options: ScanOptions | None, overrides: dict[str, Any]) -> ScanOptions:
    """``options`` (or ``ScanOptions()``) with keyword ``overrides``; unknown names are a ``ConfigError``."""
    from ..pipeline import with_overrides

    result: ScanOptions = with_overrides(ScanOptions, options, overrides)
    return result
