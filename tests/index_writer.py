"""Helper process for tests/test_index.py: add generated documents to an index.

``python tests/index_writer.py INDEX PREFIX BATCH [COUNT]`` adds documents
``PREFIX-0, PREFIX-1, ...`` (``make_document``) in batches of ``BATCH``: ``COUNT`` of them,
or without end when ``COUNT`` is omitted (the kill test stops it with SIGKILL).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from itertools import count
from pathlib import Path

from overlap.index import Index
from overlap.records import Document

SEEDS = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))]
_SPLIT = [re.split(r"(?<=[.!?])\s+", t) for t in SEEDS]


def make_document(prefix: str, i: int) -> Document:
    """Document ``i`` of a stream: a seed article with its sentences rotated and a
    numbered closing line, so every document is distinct and reproducible."""
    sents = _SPLIT[i % len(_SPLIT)]
    r = (i // len(_SPLIT)) % len(sents)
    text = " ".join(sents[r:] + sents[:r]) + f"\nBản tin số {i} của {prefix}."
    return Document(f"{prefix}-{i}", text, f"{prefix}:{i}")


def stream(prefix: str, n: int | None = None) -> Iterator[Document]:
    for i in count() if n is None else range(n):
        yield make_document(prefix, i)


def main(argv: list[str]) -> None:
    path, prefix, batch = argv[0], argv[1], int(argv[2])
    n = int(argv[3]) if len(argv) > 3 else None
    with Index(path) as index:
        index.add(stream(prefix, n), batch_size=batch)


if __name__ == "__main__":
    main(sys.argv[1:])
