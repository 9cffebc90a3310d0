"""overlap: find shared passages between texts and the details they disagree on.

Public API (everything is importable from ``overlap``; heavy parts load on first use):

``compare(a, b, *, options=None, **overrides) -> Comparison``
    Similarity, shared passages (offsets into both texts) and conflicts of two strings.
``compare_files(path_a, path_b, *, options=None, **overrides) -> Comparison``
    The same for two files (UTF-8; see ``read_text`` for the decoding rules).
``read_text(path) -> str``
    Read a text file, with a clear ``InputError`` for missing, binary or empty files.
``normalize(text) -> NormText``
    The matching view of a text, with its map back to original offsets.
``sentences(text) -> tuple[Span, ...]``
    Sentence spans of a news text.
``CompareOptions``
    Thresholds and sizes for ``compare``, validated on construction.
``Document``
    One input document (id, text, origin) as corpus readers yield it.
``Comparison``, ``Passage``, ``SentencePair``, ``Edit``, ``Conflict``, ``Variant``, ``Similarity``, ``Span``
    The frozen result records; each has ``to_dict()``.
``OverlapError``, ``ConfigError``, ``InputError``
    The exceptions raised on purpose.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import ConfigError, InputError, OverlapError
from .records import Comparison, Conflict, Document, Edit, Passage, SentencePair, Similarity, Span, Variant

# Public names that live in modules with heavier imports, loaded on first access.
_LAZY = {
    "CompareOptions": "overlap.pipeline",
    "NormText": "overlap.normalize",
    "compare": "overlap.pipeline",
    "compare_files": "overlap.pipeline",
    "normalize": "overlap.normalize",
    "read_text": "overlap.textio",
    "sentences": "overlap.segment",
}

__all__ = sorted(
    [
        "Comparison",
        "ConfigError",
        "Conflict",
        "Document",
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
    # importlib.metadata costs ~40 ms to import: read it only when asked.
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
