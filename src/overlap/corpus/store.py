"""Where a scan keeps document texts for the stages that read them again.

``TextStore``
    The protocol the stages read texts through: ``index(id)`` (input position),
    ``at(i)``, ``get(id)``, ``len``, ``in``.
``ZstdTextStore``
    The local engine's store: every text zstd-compressed in one growing buffer.
``DriverTextStore``
    The Spark engine's store on the driver: the texts of linked documents, and any other
    document's text fetched from the executors on demand.
``utf8(text) -> bytes``, ``pack(raw) -> bytes``, ``unpack(blob) -> str``
    The byte forms texts travel in (to signing workers, and compressed to verifiers).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, Protocol

__all__ = ["DriverTextStore", "TextStore", "ZstdTextStore", "pack", "unpack", "utf8"]


class TextStore(Protocol):
    """Document texts by input position ``i`` (``0..n-1``) or by id."""

    def __len__(self) -> int: ...

    def __contains__(self, doc_id: str) -> bool: ...

    def index(self, doc_id: str) -> int:
        """Input position of ``doc_id``; ``KeyError`` if it was not scanned."""
        ...

    def at(self, i: int) -> str:
        """Text of the document at input position ``i``."""
        ...

    def get(self, doc_id: str) -> str:
        """Text of document ``doc_id``; ``KeyError`` if it was not scanned."""
        ...


@lru_cache(maxsize=1)
def _zstd() -> tuple[Any, Any]:
    """zstd level-1 compressor and decompressor of this process (each used by one thread)."""
    import zstandard

    return zstandard.ZstdCompressor(level=1), zstandard.ZstdDecompressor()


def utf8(text: str) -> bytes:
    """UTF-8 of ``text``; lone surrogates (JSON allows "\\ud800") pass through and come back."""
    return text.encode("utf-8", "surrogatepass")


def pack(raw: bytes) -> bytes:
    """UTF-8 bytes (``utf8``) zstd-compressed at level 1: zlib's ratio on news at a
    fraction of its time, both ways (``benchmarks/results``)."""
    out: bytes = _zstd()[0].compress(raw)
    return out


def unpack(blob: bytes | bytearray | memoryview) -> str:
    """The text ``pack(utf8(text))`` was made from."""
    raw: bytes = _zstd()[1].decompress(blob)
    return raw.decode("utf-8", "surrogatepass")


class ZstdTextStore:
    """Document texts, zstd-compressed in one growing buffer with offsets.

    A Python string of Vietnamese news takes 2 bytes per character plus overhead, the
    compressed UTF-8 under half of its UTF-8 bytes; ``get`` decompresses on demand
    (constant time per article).  ``register`` + ``extend`` let the signing workers
    compress (off the main process): ids are registered as documents are read, their
    blobs appended in the same order.
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
        """Append compressed texts (``pack``) of registered documents, in order."""
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
        """Compressed text of document ``i`` (cheap to send to a worker; ``unpack`` it there)."""
        return bytes(self._buf[self._offs[i] : self._offs[i + 1]])

    def at(self, i: int) -> str:
        return unpack(self._buf[self._offs[i] : self._offs[i + 1]])

    def get(self, doc_id: str) -> str:
        return self.at(self._index[doc_id])


class DriverTextStore:
    """The Spark driver's texts: those of linked documents held, any other fetched on demand.

    ``ids``: every document id in input order (the driver has them anyway); ``texts``:
    input position -> text for the documents the assembly stage reads; ``fetch(i)``
    returns another document's text (a Spark job over the executors' copy), cached.
    ``text(id)`` of a ``ScanResult`` from ``scan_spark`` so works for every scanned id,
    as the local engine's does, while only linked texts travel to the driver eagerly.
    """

    __slots__ = ("_ids", "_pos", "_texts", "_fetch")

    def __init__(self, ids: Sequence[str], texts: dict[int, str], fetch: Callable[[int], str] | None = None) -> None:
        self._ids = list(ids)
        self._pos = {d: i for i, d in enumerate(self._ids)}
        self._texts = dict(texts)
        self._fetch = fetch

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._pos

    def index(self, doc_id: str) -> int:
        return self._pos[doc_id]

    def at(self, i: int) -> str:
        text = self._texts.get(i)
        if text is None:
            if self._fetch is None or not 0 <= i < len(self._ids):
                raise KeyError(i)
            text = self._texts[i] = self._fetch(i)
        return text

    def get(self, doc_id: str) -> str:
        return self.at(self._pos[doc_id])
