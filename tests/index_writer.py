"""Helper process for tests/test_index.py: add generated documents to an index.

``python tests/index_writer.py INDEX PREFIX BATCH [COUNT] [--stall-after N]`` adds
documents ``PREFIX-0, PREFIX-1, ...`` (``make_document``) in batches of ``BATCH``: ``COUNT``
of them, or without end when ``COUNT`` is omitted (the kill test stops it with SIGKILL).

``--stall-after N``: after ``N`` committed batches, write batch ``N + 1`` up to the last
statement before its COMMIT, print ``STALLED`` and sleep, so the kill test can kill the
process at a known point inside an open write transaction.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
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
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("prefix")
    ap.add_argument("batch", type=int)
    ap.add_argument("count", type=int, nargs="?")
    ap.add_argument("--stall-after", type=int)
    args = ap.parse_args(argv)
    with Index(args.path) as index:
        if args.stall_after is not None:
            _stall_after(index, args.stall_after)
        index.add(stream(args.prefix, args.count), batch_size=args.batch)


def _stall_after(index: Index, batches: int) -> None:
    """Test seam: stall inside the write transaction of batch ``batches + 1``.  The
    passage keys are the last rows a batch writes before COMMIT."""
    insert = index._insert_keys
    written = 0

    def stalling(table: str, items: list) -> None:
        nonlocal written
        insert(table, items)
        if table == "passages":
            written += 1
            if written > batches:
                print("STALLED", flush=True)
                time.sleep(120)

    index._insert_keys = stalling  # type: ignore[method-assign]


if __name__ == "__main__":
    main(sys.argv[1:])
