"""overlap: find shared passages between texts and the details they disagree on.

Public API (everything is importable from ``overlap``; heavy parts load on first use):

``compare(a, b, *, options=None, **overrides) -> Comparison``
    Similarity, shared passages (offsets into both texts) and conflicts of two strings.
``compare_files(path_a, path_b, *, options=None, **overrides) -> Comparison``
    The same for two files (UTF-8; see ``read_text`` for the decoding rules).
``scan(documents, *, options=None, **overrides) -> ScanResult``
    Across a collection: near-duplicate clusters, story clusters with their evidence,
    reused passages, conflicts and name variants, without comparing all pairs.
``dedup(documents, *, options=None, **overrides) -> DedupResult``
    Exact and near-duplicate removal: kept ids, removals with reasons, clusters.
``iter_documents(paths, *, text_field="text", id_field="id", ...) -> Iterator[Document]``
    Stream documents from text directories, JSONL, CSV, Parquet or stdin.
``Index(path, ...)``
    A persistent SQLite index: ``add`` documents, ``query`` a text for earlier
    matches with scores and shared passages, ``stats``.
``minhash(texts, *, num_perm=128, seed=1, ...) -> ndarray``
    MinHash signatures of many texts at once, shape ``(len(texts), num_perm)``.
``estimate_jaccard(sig_a, sig_b)``
    Jaccard estimate from signatures (row-wise for 2-D inputs).
``read_text(path) -> str``
    Read a text file, with a clear ``InputError`` for missing, binary or empty files.
``normalize(text) -> NormText``
    The matching view of a text, with its map back to original offsets.
``sentences(text) -> tuple[Span, ...]``
    Sentence spans of a news text.
``CompareOptions``, ``ScanOptions``
    Thresholds and sizes for ``compare`` and ``scan``, validated on construction.
``DedupOptions``, ``DedupResult``, ``Removal``
    Settings and results of ``dedup``.
``ScanResult``, ``AddReport``, ``Match``, ``IndexStats``
    Results of ``scan`` and of the index; each has ``to_dict()``.
``Document``
    One input document (id, text, origin) as corpus readers yield it.
``Comparison``, ``Passage``, ``SentencePair``, ``Edit``, ``Conflict``, ``Variant``, ``Similarity``, ``Span``,
``DuplicateReason``
    The frozen result records; each has ``to_dict()``.
``OverlapError``, ``ConfigError``, ``InputError``
    The exceptions raised on purpose.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, InputError, OverlapError
from .records import Comparison, Conflict, Document, DuplicateReason, Edit, Passage, SentencePair, Similarity, Span, Variant

if TYPE_CHECKING:
    # What the lazy names below resolve to, so type checkers see the real signatures.
    # No public name is also a submodule's name, so importing a submodule never
    # shadows a function here (``overlap.scan`` is ``overlap.corpus.scan``).
    from .corpus import ScanOptions, ScanResult, scan
    from .index import AddReport, Index, IndexStats, Match
    from .normalization import NormText, normalize
    from .pipeline import CompareOptions, compare, compare_files
    from .segment import sentences
    from .signatures import estimate_jaccard, minhash
    from .sources import iter_documents
    from .textio import read_text

# Public names that live in modules with heavier imports, loaded on first access.
_LAZY = {
    "AddReport": "overlap.index",
    "CompareOptions": "overlap.pipeline",
    "DedupOptions": "overlap.deduplication",
    "DedupResult": "overlap.deduplication",
    "Removal": "overlap.deduplication",
    "dedup": "overlap.deduplication",
    "Index": "overlap.index",
    "IndexStats": "overlap.index",
    "Match": "overlap.index",
    "ScanOptions": "overlap.corpus",
    "ScanResult": "overlap.corpus",
    "estimate_jaccard": "overlap.signatures",
    "iter_documents": "overlap.sources",
    "minhash": "overlap.signatures",
    "scan": "overlap.corpus",
    "NormText": "overlap.normalization",
    "compare": "overlap.pipeline",
    "compare_files": "overlap.pipeline",
    "normalize": "overlap.normalization",
    "read_text": "overlap.textio",
    "sentences": "overlap.segment",
}

__all__ = sorted(
    [
        "Comparison",
        "ConfigError",
        "Conflict",
        "Document",
        "DuplicateReason",
        "Edit",
        "InputError",
        "OverlapError",
        "Passage",
        "SentencePair",
        "Similarity",
        "Span",
        "Variant",
        "__version__",
        *_LAZY,
    ]
)


def _version() -> str:
    # importlib.metadata is slow to import: read it only when asked.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("overlap")
    except PackageNotFoundError:  # running from a source tree without install
        return "0.0.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()[name] = v = _version()
        return v
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'overlap' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
