"""The per-document arrays ``overlap.dedup`` decides on: signing, saving, loading.

``sign_batch(items, *, num_perm, seed, shingle_size, method="fss") -> SignedBatch``
    The arrays of one batch of ``(id, text, date, row[, fields])`` items: the costly,
    independent part (normalise, shingle, sign, exact key, distinct shingle sets), so
    the local driver and the Spark executors run the same function.
``sign_codepoints(ids, cps, offsets, dates, rows, *, num_perm, seed, shingle_size, method="fss", scratch=None) -> SignedBatch``
    The same arrays for texts given as code points (``overlap.jsonl_fast``'s batches).
``SignatureStore``
    The arrays of a whole corpus: ``build(items)``, ``from_batches(signed)``,
    ``save(dir)``, ``load(dir)``, ``fields_of(i)``.

Memory: numpy arrays per batch; the signatures and shingle sets are spooled to a
temporary file as each batch is signed and mapped when the store is complete (a loaded
store maps them from its ``.npy`` files); no Python object per document (the duplicate-id
check keeps 64-bit hashes in numpy).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError
from .signatures import DEFAULT_METHOD, METHODS, shingle_batch, signatures_from_shingles

__all__ = ["SignatureStore", "SignedBatch", "batches", "exact_keys", "sign_batch", "sign_codepoints"]

BATCH = 4096
"""Documents signed at once: bounded memory, few Python calls."""
_STORE_VERSION = 1

SignedBatch = dict[str, Any]
"""``sign_batch``'s result: ``ids``, ``signatures``, ``exact``, ``shingles``, ``counts``
(distinct shingles per document), ``lengths``, ``dates``, ``rows`` (numpy arrays),
``blob`` (the documents' kept fields as concatenated UTF-8 JSON), ``blob_sizes`` and
``has_fields``."""


def batches(items: Iterable[tuple[Any, ...]], size: int = BATCH) -> Iterator[list[tuple[Any, ...]]]:
    """``items`` in lists of ``size`` (``SignatureStore.from_batches`` checks that the ids
    are unique)."""
    it = iter(items)
    while True:
        batch = [x for _, x in zip(range(size), it)]
        if not batch:
            return
        yield batch


class _UniqueIds:
    """Raises ``InputError`` at the first id seen twice, without a Python object per id.

    Sorted runs of 64-bit hashes of the ids so far, merged like a binary counter (each
    hash is re-sorted ``log2(n / batch)`` times: O(n log n) in all, 8 bytes per id);
    only on a hash match are the strings compared, so a collision never rejects input."""

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []

    def add(self, ids: np.ndarray, earlier: list[np.ndarray]) -> None:
        """Check one batch's ``ids`` against themselves and the ``earlier`` batches' ids."""
        h = np.fromiter(map(hash, ids.tolist()), dtype=np.int64, count=len(ids))
        hs = np.sort(h)
        suspect = hs[1:][hs[1:] == hs[:-1]]
        for run in self.runs:
            p = np.minimum(np.searchsorted(run, hs), len(run) - 1)
            suspect = np.concatenate([suspect, hs[run[p] == hs]])
        if len(suspect):
            for i in np.flatnonzero(np.isin(h, suspect)).tolist():
                x = ids[i]
                if (ids[:i] == x).any() or any((e == x).any() for e in earlier):
                    raise InputError(f"duplicate document id {str(x)!r}: ids must be unique "
                                     "(pass --id-field '' to number records)")
        self.runs.append(hs)
        while len(self.runs) > 1 and len(self.runs[-1]) >= len(self.runs[-2]):
            b, a = self.runs.pop(), self.runs.pop()
            self.runs.append(np.sort(np.concatenate([a, b])))


def _concat_freeing(chunks: list[np.ndarray]) -> np.ndarray:
    """``np.concatenate(chunks)``, emptying ``chunks`` as it copies: the result's pages
    are touched as each chunk is freed, so the peak is the result plus one chunk, not
    twice the result (``np.concatenate`` holds every chunk until it returns)."""
    dtype = np.result_type(*chunks)
    out = np.empty((sum(len(c) for c in chunks),) + chunks[0].shape[1:], dtype=dtype)
    pos = 0
    for i in range(len(chunks)):
        c = chunks[i]
        out[pos:pos + len(c)] = c
        pos += len(c)
        chunks[i] = out[:0]  # drop the reference: the chunk's memory goes back now
    chunks.clear()
    return out


def sign_batch(batch: list[tuple[Any, ...]], *, num_perm: int, seed: int, shingle_size: int,
               method: str = DEFAULT_METHOD) -> SignedBatch:
    """The arrays of one batch (module docstring).  Cost: ``overlap.minhash``'s pass
    over the texts plus one sort of the batch's shingles."""
    texts = [b[1] for b in batch]
    flat, offs = shingle_batch(texts, shingle_size)
    blobs = []
    has_fields = False
    for b in batch:
        f = b[4] if len(b) > 4 else None
        has_fields = has_fields or f is not None
        blobs.append(json.dumps(f, ensure_ascii=False, default=str).encode("utf-8") if f is not None else b"")
    signed = _signed(flat, offs, num_perm=num_perm, seed=seed, method=method)
    signed.update({
        "ids": np.array([b[0] for b in batch], dtype=str),
        "lengths": np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts)),
        "dates": np.array([b[2] for b in batch], dtype=np.float64),
        "rows": np.array([b[3] for b in batch], dtype=np.int64),
        "blob": b"".join(blobs),
        "blob_sizes": np.fromiter((len(x) for x in blobs), dtype=np.int64, count=len(blobs)),
        "has_fields": has_fields,
    })
    return signed


def sign_codepoints(ids: np.ndarray, cps: np.ndarray, offsets: np.ndarray, dates: np.ndarray, rows: np.ndarray, *,
                    num_perm: int, seed: int, shingle_size: int, method: str = DEFAULT_METHOD,
                    scratch: list[np.ndarray] | None = None) -> SignedBatch:
    """``sign_batch`` of texts given as code points: text ``i`` is ``cps[offsets[i]:offsets[i
    + 1]]`` (``uint32``), with its id, date and row; no kept fields.  Same arrays as
    ``sign_batch`` on the decoded texts, without a Python string per text.  ``scratch``:
    ``textpass.shingle_codepoints``' reusable shingle buffer (none of the arrays returned
    is a view of it)."""
    from .textpass import shingle_codepoints

    flat, offs = shingle_codepoints(cps, offsets, shingle_size, scratch=scratch)
    signed = _signed(flat, offs, num_perm=num_perm, seed=seed, method=method)
    n = len(ids)
    signed.update({"ids": ids, "lengths": np.diff(offsets).astype(np.int64), "dates": dates.astype(np.float64),
                   "rows": rows.astype(np.int64), "blob": b"", "blob_sizes": np.zeros(n, dtype=np.int64),
                   "has_fields": False})
    return signed


def _signed(flat: np.ndarray, offs: np.ndarray, *, num_perm: int, seed: int, method: str) -> SignedBatch:
    """The arrays computed from a batch's shingles: signatures, exact keys, distinct sets."""
    sets, per_doc = _distinct_sets(flat, offs)
    return {"signatures": signatures_from_shingles(flat, offs, num_perm=num_perm, seed=seed, method=method),
            "exact": exact_keys(flat, offs), "shingles": sets, "counts": per_doc}


@dataclass(frozen=True, slots=True, eq=False)
class SignatureStore:
    """The per-document arrays ``dedup`` decides on, all in input order.

    ``ids`` (str), ``signatures`` ``(n, num_perm)`` uint32, ``shingles`` (the distinct
    32-bit-folded shingle hashes of each document, sorted, concatenated) cut by
    ``offsets`` (``n + 1`` int64), ``exact`` (uint64 key of the normalised token
    sequence), ``lengths`` (characters, int64), ``dates`` (epoch seconds, NaN when
    undated), ``rows`` (the record's row in the input stream, int64, for writers), the
    kept metadata fields as one UTF-8 JSON object per document in ``fields_blob`` cut by
    ``fields_offsets`` (``None`` when no fields were kept), and the MinHash settings
    (``method``: the signature scheme, ``overlap.signatures.METHODS``; a store saved
    before it was recorded holds ``"minmax"``).  ``meta`` is free-form JSON-able data
    saved alongside (the CLI keeps its input description there).
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
    method: str = DEFAULT_METHOD
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
        method: str = DEFAULT_METHOD,
        meta: dict[str, Any] | None = None,
    ) -> SignatureStore:
        """Sign ``(id, text, date, row)`` or ``(id, text, date, row, fields)`` items batch by
        batch (``date`` NaN when none; ``fields`` a dict of metadata to carry, or None).

        Cost: ``overlap.minhash``'s pass over the texts plus one sort per batch."""
        signed = (sign_batch(b, num_perm=num_perm, seed=seed, shingle_size=shingle_size, method=method) for b in batches(items))
        return cls.from_batches(signed, num_perm=num_perm, seed=seed, shingle_size=shingle_size, method=method, meta=meta)

    @classmethod
    def from_batches(
        cls, signed: Iterable[SignedBatch], *, num_perm: int, seed: int, shingle_size: int,
        method: str = DEFAULT_METHOD, meta: dict[str, Any] | None = None,
    ) -> SignatureStore:
        """The store of ``sign_batch`` results, in input order.

        The two big arrays (signatures and shingle sets, about 95% of the store) are
        appended batch by batch to anonymous temporary files (``_Spool``: in memory while
        they stay under a quarter of the available memory, else in ``TMPDIR``) and mapped
        copy-on-write when all batches are in: the process never holds a list of
        per-batch chunks next to their concatenation, and the freed batch buffers are
        reused rather than left as heap holes between kept chunks.  The mapped pages are
        counted in RSS once touched.  Cost: one write and one mapping of the two arrays."""
        keys = ("ids", "exact", "lengths", "dates", "rows")
        parts: dict[str, list[np.ndarray]] = {k: [] for k in keys}
        counts: list[np.ndarray] = []
        blobs: list[bytes] = []
        blob_sizes: list[np.ndarray] = []
        any_fields = False
        budget = [_memory_budget()]
        with _Spool("overlap-sigs-", budget) as sig_file, _Spool("overlap-shingles-", budget) as sh_file:
            unique = _UniqueIds()
            for s in signed:
                unique.add(s["ids"], parts["ids"])
                for k in keys:
                    parts[k].append(s[k])
                sig_file.append(s["signatures"])
                sh_file.append(s["shingles"])
                counts.append(s["counts"])
                blobs.append(s["blob"])
                blob_sizes.append(s["blob_sizes"])
                any_fields = any_fields or bool(s["has_fields"])
                del s  # the batch's buffers go back before the next one is signed
            n = sum(len(c) for c in counts)
            offsets = np.zeros(n + 1, dtype=np.int64)
            if counts:
                np.cumsum(np.concatenate(counts), out=offsets[1:])
            signatures = sig_file.mapped((n, num_perm))
            shingles = sh_file.mapped((int(offsets[-1]),))
        empty = {
            "ids": np.zeros(0, dtype=str), "exact": np.zeros(0, dtype=np.uint64),
            "lengths": np.zeros(0, dtype=np.int64), "dates": np.zeros(0, dtype=np.float64),
            "rows": np.zeros(0, dtype=np.int64),
        }
        arrays = {k: (_concat_freeing(v) if v else empty[k]) for k, v in parts.items()}
        f_off = None
        if any_fields:
            f_off = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.concatenate(blob_sizes), out=f_off[1:])
        blob = np.frombuffer(b"".join(blobs), dtype=np.uint8) if any_fields else np.zeros(0, dtype=np.uint8)
        return cls(offsets=offsets, num_perm=num_perm, seed=seed, shingle_size=shingle_size, method=method, meta=dict(meta or {}),
                   fields_blob=blob, fields_offsets=f_off, signatures=signatures, shingles=shingles, **arrays)

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
            info = {"version": _STORE_VERSION, "num_perm": self.num_perm, "seed": self.seed, "shingle_size": self.shingle_size,
                    "method": self.method, "documents": len(self), "meta": self.meta}
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
            # The two big arrays are mapped copy-on-write, as ``from_batches`` leaves them.
            arrays = {name: np.load(d / f"{name}.npy", allow_pickle=False,
                                    mmap_mode="c" if name in ("signatures", "shingles") else None)
                      for name in cls._ARRAYS}
            if (d / "fields_offsets.npy").exists():
                arrays.update({name: np.load(d / f"{name}.npy", allow_pickle=False) for name in cls._OPTIONAL})
        except FileNotFoundError as e:
            raise InputError(f"{directory}: not a saved signature store (missing {Path(e.filename or '').name}); "
                             "make one with --save-signatures DIR") from None
        except (OSError, ValueError) as e:
            raise InputError(f"{directory}: damaged signature store ({e})") from None
        method = info.get("method", "minmax")  # stores saved before the method was recorded are min-max
        if method not in METHODS:
            raise InputError(f"{directory}: damaged signature store (unknown method {method!r})")
        store = cls(num_perm=int(info["num_perm"]), seed=int(info["seed"]), shingle_size=int(info["shingle_size"]),
                    method=method, meta=dict(info.get("meta") or {}), **arrays)
        n = len(store)
        if store.signatures.shape != (n, store.num_perm) or len(store.offsets) != n + 1 or store.offsets[-1] != len(store.shingles):
            raise InputError(f"{directory}: damaged signature store (array sizes disagree)")
        return store


_MEMORY_SHARE = 4  # a memory spool may take up to 1/4 of the memory available when it starts


def _memory_budget() -> int:
    """Bytes the spools of one store may keep in memory: ``MemAvailable / 4`` (Linux),
    else 0 (always on disk)."""
    if not hasattr(os, "memfd_create"):
        return 0
    try:
        with open("/proc/meminfo", "rb") as f:
            for line in f:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024 // _MEMORY_SHARE
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _Spool:
    """An append-only temporary file of uint32 values, mapped when complete.

    In memory (``os.memfd_create``) while the store's spools together hold less than
    ``budget[0]`` bytes: writing there costs about a third of a write into a disk
    filesystem's page cache (no block reservation or journal per page).  Past the budget
    the data moves to ``tempfile.TemporaryFile`` in ``TMPDIR``, whose clean pages the
    kernel can drop under memory pressure.  Same bytes either way."""

    def __init__(self, prefix: str, budget: list[int]) -> None:
        self.prefix, self.budget = prefix, budget
        self.file: Any = None
        self.in_memory = False
        if budget[0] > 0:
            try:
                self.file = open(os.memfd_create(prefix), "w+b")  # noqa: SIM115  (closed by __exit__)
                self.in_memory = True
            except OSError:
                pass
        if self.file is None:
            try:
                self.file = tempfile.TemporaryFile(prefix=prefix)
            except OSError as e:
                raise InputError(f"cannot make a temporary file for the signatures ({e.strerror or e}); "
                                 "set TMPDIR") from None

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def append(self, a: np.ndarray) -> None:
        """Write ``a`` as uint32 at the end; ``InputError`` when the disk is full."""
        data = np.ascontiguousarray(a, dtype=np.uint32).reshape(-1).data.cast("B")  # a view: no bytes copy
        try:
            if self.in_memory:
                self.budget[0] -= len(data)
                if self.budget[0] < 0:
                    self._to_disk()
            self.file.write(data)
        except OSError as e:
            raise InputError(f"cannot spool signatures to the temporary directory ({e.strerror or e}); "
                             "set TMPDIR to a disk with space") from None

    def _to_disk(self) -> None:
        """Move what is in memory to a file in ``TMPDIR`` and append there from now on."""
        disk = tempfile.TemporaryFile(prefix=self.prefix)
        try:
            self.file.flush()
            self.file.seek(0)
            while chunk := self.file.read(1 << 24):
                disk.write(chunk)
        except BaseException:
            disk.close()
            raise
        self.file.close()
        self.file, self.in_memory = disk, False

    def mapped(self, shape: tuple[int, ...]) -> np.ndarray:
        """The uint32 array of ``shape`` appended so far: a copy-on-write mapping
        (writable, so the compiled kernels take it; nothing writes to it), or an empty
        array.  The mapping outlives the file, which may then be closed."""
        if math.prod(shape) == 0:
            return np.zeros(shape, dtype=np.uint32)
        self.file.flush()
        return np.memmap(self.file, dtype=np.uint32, mode="c", shape=shape)


def exact_keys(flat: np.ndarray, offs: np.ndarray) -> np.ndarray:
    """The 64-bit key of each document's shingle sequence ``flat[offs[i]:offs[i + 1]]``:
    ``fmix64(sum_j fmix64(h_j + (j + 1) Q) + n P)``, wrapping (``overlap.hashing``'s
    constants).  Equal sequences share a key; two different ones with probability about
    ``2**-64``.  Compiled (``kernels.exact_keys_into``) or numpy, same keys; linear."""
    from .hashing import P, Q, fmix64
    from .jit import load_kernels

    flat = np.ascontiguousarray(flat, dtype=np.uint64)
    offs = np.ascontiguousarray(offs, dtype=np.int64)
    n = len(offs) - 1
    out = np.zeros(n, dtype=np.uint64)
    kern = load_kernels()
    if kern is not None:
        kern.exact_keys_into(flat, offs, out)
        return out
    counts = np.diff(offs)
    pos = np.arange(1, len(flat) + 1, dtype=np.uint64) - np.repeat(offs[:-1], counts).astype(np.uint64)
    with np.errstate(over="ignore"):
        terms = fmix64(flat + pos * Q)
        full = counts > 0
        if len(terms):
            out[full] = np.add.reduceat(terms, offs[:-1][full])
        out[:] = fmix64(out + counts.astype(np.uint64) * P)
    return out


def _distinct_sets(flat: np.ndarray, offs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per document, its distinct shingle hashes folded to 32 bits as ``overlap.signatures``
    folds them, sorted: ``(values uint32, count per document int64)``.  Compiled: one
    small sort per document (``kernels.distinct_sets_into``); numpy: one sort of
    ``(document << 32) | value`` keys does every document at once (same arrays)."""
    from .jit import load_kernels

    n = len(offs) - 1
    kern = load_kernels()
    if kern is not None:  # one small sort per document: about half the time, same arrays
        out = np.empty(len(flat), dtype=np.uint32)
        per_doc = np.empty(n, dtype=np.int64)
        w = kern.distinct_sets_into(np.ascontiguousarray(flat, dtype=np.uint64),
                                    np.ascontiguousarray(offs, dtype=np.int64), out, per_doc)
        return out[:w], per_doc
    doc = np.repeat(np.arange(n, dtype=np.uint64), np.diff(offs))
    folded = (flat ^ (flat >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    keys = np.sort((doc << np.uint64(32)) | folded)  # np.unique hashes first: several times slower here
    if len(keys) > 1:
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]]
    per_doc = np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=n).astype(np.int64)
    return (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), per_doc
