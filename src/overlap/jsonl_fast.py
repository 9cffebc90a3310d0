"""JSONL to code points for ``overlap.dedup_files``, compiled, without a Python string per line.

``usable(text_field, id_field, date_field, encoding, keep_fields) -> bool``
    Whether ``codepoint_batches`` can read with these settings now: UTF-8, no kept fields,
    distinct field names, and the compiled kernels loaded (``overlap.jit``).
``codepoint_batches(paths, slow, *, text_field, id_field, date_field, size) -> Iterator[CodepointBatch]``
    The good records of the JSONL files ``paths`` in batches of ``size``: ids, texts as
    code points with offsets, dates and stream rows, the arrays
    ``signature_store.sign_codepoints`` takes.

The kernel (``overlap.kernels_jsonl``) reads a few MB of whole lines at a time: it splits
them, finds the text, id and date fields of each line's JSON object and decodes the text
(escapes, surrogate pairs, UTF-8) straight into a ``uint32`` buffer.  A line it does not
accept exactly (bad JSON or UTF-8, a BOM, a missing, repeated or non-string field, ...)
is handed to ``slow(path, lineno, raw)``, the caller's ``json.loads`` path, when the
stream reaches it: records, their order and rows, error messages and ``on_bad`` calls are
those of the per-line reader (so a bad line after a batch boundary is reported after that
batch is signed, as before).  Ids are decoded in bulk into a numpy ``str`` array; a date
field's value is read with ``json.loads`` on its bytes alone.

Cost: linear in the bytes; memory a few times the block size plus one batch.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from .dedup_inputs import parse_date
from .errors import InputError
from .jit import load_kernels
from .textio import MAX_BYTES

__all__ = ["CodepointBatch", "codepoint_batches", "usable"]

SlowLine = Callable[[str, int, bytes], tuple[str, str, float] | None]
"""``(path, lineno, raw line) -> (id, text, date)``, or None for a blank or skipped bad
line (the callee calls ``on_bad`` or raises)."""

_BLOCK = 1 << 22  # bytes read per kernel call (whole lines are carried over)
_OK, _BLANK, _DECLINE, _LONG = 0, 1, 2, 3  # line status: the kernel's three, and too long
# Python's str.isspace() code points all lie below U+3001 (tests/test_jsonl_fast.py checks).
_SPACE = np.array([chr(c).isspace() for c in range(0x3001)], dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class CodepointBatch:
    """Good records in stream order: ``ids`` (numpy ``str``), text ``i`` is
    ``cps[offsets[i]:offsets[i + 1]]`` (``uint32`` code points), ``dates`` (epoch
    seconds, NaN when undated), ``rows`` (the record's row in the input stream).  ``cps``
    is a view of a buffer the next batch reuses: use a batch before asking for the next."""

    ids: np.ndarray
    cps: np.ndarray
    offsets: np.ndarray
    dates: np.ndarray
    rows: np.ndarray


def usable(text_field: str, id_field: str | None, date_field: str | None, encoding: str,
           keep_fields: Sequence[str] = ()) -> bool:
    """Whether ``codepoint_batches`` reads these settings exactly (module docstring)."""
    try:
        utf8 = codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False
    names = [f for f in (text_field, id_field, date_field) if f]
    return utf8 and id_field != "" and not keep_fields and bool(text_field) and len(set(names)) == len(names) and _kernels() is not None


def _kernels() -> ModuleType | None:
    """``overlap.kernels_jsonl`` when compiled code is usable now (``overlap.jit``), else None."""
    if load_kernels() is None:
        return None
    from . import kernels_jsonl

    return kernels_jsonl


def _key(name: str | None) -> np.ndarray:
    return np.frombuffer((name or "").encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()


def _blocks(path: str, pad: int) -> Iterator[tuple[np.ndarray, int]]:
    """``(buf, n)``: ``buf[:n]`` holds whole lines of ``path`` (the last may lack its
    ``\\n``), followed by ``pad`` zero bytes.  ``buf`` is reused: the consumer must be done
    with one block before asking for the next."""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    with f:
        store = np.empty(2 * _BLOCK + pad, dtype=np.uint8)
        carry = 0  # bytes of an unfinished line at the front of ``store``
        while True:
            if len(store) < carry + _BLOCK + pad:
                store = np.concatenate((store[:carry], np.empty(carry + _BLOCK + pad, dtype=np.uint8)))
            end = carry + (f.readinto(store[carry : carry + _BLOCK].data) or 0)
            if end == carry:  # end of file: what is left is the last line
                if end:
                    store[end : end + pad] = 0
                    yield store, end
                return
            cut = _after_last_newline(store, carry, end)
            if cut < 0:  # no newline yet: a line longer than a block, read on
                carry = end
                continue
            rest = store[cut:end].copy()
            store[cut : cut + pad] = 0
            yield store, cut
            store[: len(rest)] = rest
            carry = len(rest)


def _after_last_newline(buf: np.ndarray, start: int, end: int) -> int:
    """Index after the last ``\\n`` of ``buf[start:end]``, or -1 when there is none."""
    lo = max(start, end - 65536)  # lines are usually shorter: look at the tail first
    while True:
        hits = np.flatnonzero(buf[lo:end] == 10)
        if len(hits):
            return lo + int(hits[-1]) + 1
        if lo == start:
            return -1
        end, lo = lo, max(start, lo - 65536 * 16)


class _Builder:
    """Collects fast runs and slow records into batches of ``size`` records."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.parts: list[tuple[np.ndarray, np.ndarray | list[str], np.ndarray, np.ndarray]] = []
        self.count = 0
        self.mixed = False
        self.cps = np.empty(1 << 20, dtype=np.uint32)  # reused batch after batch: no fresh pages
        self.used = 0

    def room(self) -> int:
        return self.size - self.count

    def reserve(self, n: int) -> np.ndarray:
        """The ``n`` code points of room after the batch so far, for a block's kernel to
        decode into (``advance`` then takes its lines without a copy)."""
        if self.used + n > len(self.cps):
            grown = np.empty(max(2 * len(self.cps), self.used + n), dtype=np.uint32)
            grown[: self.used] = self.cps[: self.used]
            self.cps = grown
        return self.cps[self.used : self.used + n]

    def advance(self, lens: np.ndarray, ids: np.ndarray | list[str], dates: np.ndarray, rows: np.ndarray) -> None:
        """``add`` for texts already in place right after the batch so far."""
        self.used += int(lens.sum())
        self.parts.append((lens, ids, dates, rows))
        self.count += len(lens)

    def add(self, cps: np.ndarray, lens: np.ndarray, ids: np.ndarray | list[str], dates: np.ndarray,
            rows: np.ndarray, slow: bool = False) -> None:
        if self.used + len(cps) > len(self.cps):
            grown = np.empty(max(2 * len(self.cps), self.used + len(cps)), dtype=np.uint32)
            grown[: self.used] = self.cps[: self.used]
            self.cps = grown
        self.cps[self.used : self.used + len(cps)] = cps
        self.used += len(cps)
        self.parts.append((lens, ids, dates, rows))
        self.count += len(lens)
        self.mixed = self.mixed or slow

    def take(self) -> CodepointBatch:
        """The batch so far; its ``cps`` is a view that the next batch overwrites."""
        parts, self.parts, self.count = self.parts, [], 0
        cps, self.used = self.cps[: self.used], 0
        lens = np.concatenate([p[0] for p in parts])
        offsets = np.zeros(len(lens) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        if self.mixed or any(isinstance(p[1], list) for p in parts):
            # as ``np.array(list_of_ids, dtype=str)`` does for the per-line reader
            ids = np.array([x for p in parts for x in (p[1] if isinstance(p[1], list) else p[1].tolist())], dtype=str)
        else:
            arrays = [p[1] for p in parts if isinstance(p[1], np.ndarray)]
            ids = arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
        self.mixed = False
        return CodepointBatch(ids=np.asarray(ids), cps=cps, offsets=offsets,
                              dates=np.concatenate([p[2] for p in parts]), rows=np.concatenate([p[3] for p in parts]))


def _id_array(id_cps: np.ndarray, id_off: np.ndarray) -> np.ndarray:
    """A numpy ``str`` array of the ids ``id_cps[id_off[i]:id_off[i + 1]]`` (no NULs)."""
    lens = np.diff(id_off)
    m, w = len(lens), max(1, int(lens.max()) if len(lens) else 1)
    mat = np.zeros((m, w), dtype=np.uint32)
    starts = np.repeat(id_off[:-1] - id_off[0], lens)
    pos = np.repeat(np.arange(m, dtype=np.int64) * w, lens) + np.arange(int(id_off[-1] - id_off[0])) - starts
    mat.ravel()[pos] = id_cps[id_off[0] : id_off[-1]]
    return mat.view(f"<U{w}").ravel()


class _Block:
    """One block's kernel output and the rules to turn its lines into records."""

    def __init__(self, kern: ModuleType, block: tuple[np.ndarray, int], keys: tuple[np.ndarray, np.ndarray, np.ndarray],
                 scratch: dict[str, np.ndarray], cps: np.ndarray) -> None:
        buf, size = block
        buf = buf[: size + kern.PAD]
        self.buf = buf
        # Reused block after block (fresh pages cost more than decoding); the line arrays
        # have room for a line per byte, and only the used part is ever touched.  The
        # texts go to ``cps`` (room for ``size``): the batch's own buffer.
        for name, dtype, length in (("id_cps", np.uint32, size), ("line_end", np.int64, size + 1),
                                    ("status", np.uint8, size + 1), ("cp_off", np.int64, size + 2),
                                    ("id_off", np.int64, size + 2), ("date_span", np.int64, 2 * size + 2)):
            if len(scratch.get(name, ())) < length:
                scratch[name] = np.empty(length, dtype=dtype)
        self.cps, self.id_cps, self.cp_off, self.id_off = cps, scratch["id_cps"], scratch["cp_off"], scratch["id_off"]
        self.line_end, status = scratch["line_end"], scratch["status"]
        self.date_span = scratch["date_span"][: 2 * size + 2].reshape(-1, 2)
        n = int(kern.jsonl_records_into(buf, size, *keys, _SPACE, self.line_end, status, self.cps, self.cp_off,
                                        self.id_cps, self.id_off, self.date_span))
        if n < 0:
            raise RuntimeError("jsonl_records_into: the buffer is not padded with zero bytes")
        self.n = n
        self.line_end = self.line_end[:n]
        self.date_span = self.date_span[:n]
        self.starts = np.concatenate(([0], self.line_end[:-1]))
        status = status[:n]
        status[self.line_end - self.starts > MAX_BYTES] = _LONG
        self.status = status

    def raw(self, i: int) -> bytes:
        return bytes(self.buf[self.starts[i] : self.line_end[i]])

    def dates(self, date_field: str | None) -> np.ndarray:
        """Dates of the OK lines (NaN elsewhere); a date ``parse_date`` refuses sends its
        line to the slow path, which reports it exactly as before."""
        out = np.full(self.n, np.nan)
        if not date_field:
            return out
        for i in np.flatnonzero((self.status == _OK) & (self.date_span[:, 0] >= 0)).tolist():
            lo, hi = self.date_span[i]
            try:
                out[i] = parse_date(json.loads(bytes(self.buf[lo:hi])))
            except (InputError, ValueError, TypeError, OverflowError):
                self.status[i] = _DECLINE
        return out


def _in_place(out: _Builder, blk: _Block, dates: np.ndarray, path: str, lineno: int, row: int, special: list[int],
              want_ids: bool) -> Iterator[CodepointBatch]:
    """The good lines of a block without per-line records, whose texts the kernel wrote
    right after ``out``'s batch so far: taken where they are, batch by batch."""
    base = out.used  # text of line l starts at base + cp_off[l]
    pos = 0
    for s in special:
        while pos < s:
            hi = min(s, pos + out.room())
            ids: np.ndarray | list[str]
            if want_ids:
                ids = _id_array(blk.id_cps, blk.id_off[pos : hi + 1])
            else:
                ids = [f"{path}:{lineno + i + 1}" for i in range(pos, hi)]
            out.advance(np.diff(blk.cp_off[pos : hi + 1]), ids, dates[pos:hi], np.arange(row + pos, row + hi, dtype=np.int64))
            pos = hi
            if out.room() == 0:
                yield out.take()
                lo, rest = base + int(blk.cp_off[pos]), int(blk.cp_off[blk.n] - blk.cp_off[pos])
                out.cps[:rest] = out.cps[lo : lo + rest]  # the block's remaining texts to the front
                base = -int(blk.cp_off[pos])
        pos = s + 1  # a blank line (or the end)


def codepoint_batches(paths: Sequence[str], slow: SlowLine, *, text_field: str = "text", id_field: str | None = "id",
                      date_field: str | None = None, size: int = 4096) -> Iterator[CodepointBatch]:
    """Good records of the JSONL files ``paths`` in batches of ``size`` (module docstring).

    Call only when ``usable(...)``; rows count every line of every file, as
    ``overlap.dedup_io.iter_records`` counts them."""
    kern = _kernels()
    if kern is None:
        raise RuntimeError("codepoint_batches needs the compiled kernels: check usable() first")
    keys = (_key(text_field), _key(id_field), _key(date_field))
    out = _Builder(size)
    scratch: dict[str, np.ndarray] = {}
    row = 0
    for path in paths:
        lineno = 0
        for block in _blocks(path, int(kern.PAD)):
            # The kernel decodes the texts right after the batch so far: when every line
            # is good or blank they are in place, and a batch boundary only moves the
            # block's remaining texts to the front; otherwise they are moved aside first
            # and copied in run by run around the records of the per-line path.
            blk = _Block(kern, block, keys, scratch, out.reserve(block[1]))
            dates = blk.dates(date_field)
            special = np.flatnonzero(blk.status != _OK).tolist() + [blk.n]
            if all(blk.status[s] == _BLANK for s in special[:-1]):
                yield from _in_place(out, blk, dates, path, lineno, row, special, bool(id_field))
                row += blk.n
                lineno += blk.n
                continue
            blk.cps = blk.cps[: blk.cp_off[blk.n]].copy()
            pos = 0
            for s in special:
                while pos < s:  # a run of OK lines, cut at batch boundaries
                    hi = min(s, pos + out.room())
                    ids: np.ndarray | list[str]
                    if id_field:
                        ids = _id_array(blk.id_cps, blk.id_off[pos : hi + 1])
                    else:
                        ids = [f"{path}:{lineno + i + 1}" for i in range(pos, hi)]
                    out.add(blk.cps[blk.cp_off[pos] : blk.cp_off[hi]], np.diff(blk.cp_off[pos : hi + 1]), ids,
                            dates[pos:hi], np.arange(row + pos, row + hi, dtype=np.int64))
                    pos = hi
                    if out.room() == 0:
                        yield out.take()
                if s == blk.n:
                    break
                if blk.status[s] == _LONG:
                    raise InputError(f"{path}:{lineno + s + 1}: line longer than {MAX_BYTES:,} bytes")
                if blk.status[s] != _BLANK:
                    rec = slow(path, lineno + s + 1, blk.raw(s))
                    if rec is not None:
                        doc_id, text, date = rec
                        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
                        out.add(cps, np.array([len(text)], dtype=np.int64), [doc_id], np.array([date]),
                                np.array([row + s], dtype=np.int64), slow=True)
                        if out.room() == 0:
                            yield out.take()
                pos = s + 1
            row += blk.n
            lineno += blk.n
    if out.count:
        yield out.take()
