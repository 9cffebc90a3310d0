"""Compiled (numba) JSONL reader for ``overlap.jsonl_fast``: bytes to code points, no Python per line.

``jsonl_records_into(buf, n, text_key, id_key, date_key, space, line_end, status, cps, cp_off, id_cps, id_off, date_span) -> int``
    Split ``buf[:n]`` (whole lines of UTF-8 JSONL, then ``PAD`` zero bytes) at ``\\n`` and parse each line's top-level
    object just enough to find the text field (decoded to code points into ``cps``), the
    id field (string decoded, or an integer's digits, into ``id_cps``) and the date
    field (its value's byte span).  Returns the number of lines.

A line gets ``status`` ``OK`` (0) only when it is, by a strict subset of the JSON grammar
that Python's ``json.loads`` reads the same way, one object with the text field a
non-blank string and (when asked) the id field a non-empty string or a plain integer, in
valid UTF-8; ``BLANK`` (1) when it holds only JSON whitespace; ``DECLINE`` (2) in every
other case (bad JSON or UTF-8, a BOM, a missing or duplicated field, a lone surrogate
escape, a NaN literal, very long numbers or deep nesting, ...): the caller reads those
lines with ``json.loads`` as before, so errors and edge cases stay exactly as they were.
Nested values are skipped with an explicit stack, checked as strictly as the top level.

Only ``jsonl_records_into`` has an explicit signature: the helpers are compiled into it,
so importing this module loads one cached kernel.  Importing it imports numba and loads
(or compiles) the kernel; import it only
while ``overlap.jit.load_kernels()`` is not None (``jsonl_fast`` does): ``jit.warm()``
caches it with the others.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["BLANK", "DECLINE", "OK", "PAD", "jsonl_records_into"]

OK, BLANK, DECLINE = 0, 1, 2
_MAX_DEPTH = 64  # nesting deeper than this is declined (json.loads recurses per level)
_MAX_NUMBER = 1000  # longer numbers are declined (int() refuses over 4,300 digits)

_SPACE, _TAB, _CR, _LF = 32, 9, 13, 10
_QUOTE, _BACKSLASH = 34, 92
_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}
PAD = 8  # zero bytes the caller leaves after the data (``jsonl_records_into``)
# Lead byte -> 1, 2 or 3: a plain ASCII character (not a quote, backslash or control
# character) or a two- or three-byte UTF-8 form needing no range check; 0 otherwise.
_LEAD = np.zeros(256, dtype=np.int64)
_LEAD[0x20:0x80] = 1
_LEAD[_QUOTE] = 0
_LEAD[_BACKSLASH] = 0
_LEAD[0xC2:0xE0] = 2
_LEAD[0xE1:0xED] = 3
_LEAD[0xEE:0xF0] = 3


@numba.njit(inline="always", **_OPTS)
def _ws(buf, i, end):  # pragma: no cover - compiled
    """Index of the first byte at or after ``i`` that is not JSON whitespace within the
    line: ``\n`` ends a line, so it stops the scan like any other byte, and every parse
    step fails on it as it fails at the end of the data."""
    while i < end:
        c = buf[i]
        if c != _SPACE and c != _TAB and c != _CR:
            return i
        i += 1
    return i


@numba.njit(inline="always", **_OPTS)
def _hex4(buf, i, end):  # pragma: no cover - compiled
    """The value of 4 hex digits at ``i``, or -1."""
    if i + 4 > end:
        return -1
    v = 0
    for j in range(4):
        c = np.int64(buf[i + j])
        if 48 <= c <= 57:
            d = c - 48
        elif 97 <= c <= 102:
            d = c - 87
        elif 65 <= c <= 70:
            d = c - 55
        else:
            return -1
        v = v * 16 + d
    return v


@numba.njit(inline="always", **_OPTS)
def _utf8(buf, i, end):  # pragma: no cover - compiled
    """``(code point, next index)`` of the multi-byte UTF-8 sequence at ``i`` (lead byte
    >= 0x80), validated as Python's strict decoder does; ``(-1, i)`` when invalid."""
    c = np.int64(buf[i])
    if 0xC2 <= c <= 0xDF:
        n, cp, lo, hi = 1, c & 0x1F, 0x80, 0xBF
    elif 0xE0 <= c <= 0xEF:
        n, cp = 2, c & 0x0F
        lo = 0xA0 if c == 0xE0 else 0x80
        hi = 0x9F if c == 0xED else 0xBF  # 0xED A0..BF would be a surrogate
    elif 0xF0 <= c <= 0xF4:
        n, cp = 3, c & 0x07
        lo = 0x90 if c == 0xF0 else 0x80
        hi = 0x8F if c == 0xF4 else 0xBF  # above U+10FFFF
    else:
        return -1, i
    if i + n >= end:
        return -1, i
    for j in range(1, n + 1):
        b = np.int64(buf[i + j])
        if j == 1:
            if b < lo or b > hi:
                return -1, i
        elif b < 0x80 or b > 0xBF:
            return -1, i
        cp = (cp << 6) | (b & 0x3F)
    return cp, i + n + 1


@numba.njit(inline="always", **_OPTS)
def _escape(buf, i, end):  # pragma: no cover - compiled
    """``(code point, next index)`` of the escape whose backslash is at ``i`` (a surrogate
    pair as two ``\\u`` escapes), or ``(-1, i)`` to decline (bad escape, lone surrogate)."""
    if i + 1 >= end:
        return -1, i
    e = buf[i + 1]
    i += 2
    if e == 117:  # \uXXXX
        cp = _hex4(buf, i, end)
        if cp < 0 or 0xDC00 <= cp <= 0xDFFF:
            return -1, i
        i += 4
        if 0xD800 <= cp <= 0xDBFF:
            if i + 6 > end or buf[i] != _BACKSLASH or buf[i + 1] != 117:
                return -1, i
            lo = _hex4(buf, i + 2, end)
            if lo < 0xDC00 or lo > 0xDFFF:
                return -1, i
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
            i += 6
        return cp, i
    if e == _QUOTE or e == _BACKSLASH or e == 47:
        return np.int64(e), i
    if e == 98:
        return 8, i
    if e == 102:
        return 12, i
    if e == 110:
        return 10, i
    if e == 114:
        return 13, i
    if e == 116:
        return 9, i
    return -1, i


@numba.njit(**_OPTS)
def _string(buf, i, end, out, o):  # pragma: no cover - compiled
    """Decode the JSON string whose opening quote is at ``i - 1`` into ``out[o:]`` (room
    for one code point per byte).  Returns ``(index after the closing quote, code
    points)``, or ``(-1, 0)`` to decline (raw control character, bad escape or UTF-8, a
    lone surrogate, no closing quote before ``end``).

    The hot path is plain ASCII and the two- and three-byte UTF-8 forms (Vietnamese
    letters), told apart by one table read (``_LEAD``); their continuation bytes are
    checked into one flag read at the closing quote, and ``i < end`` only on the rare
    path: the caller pads the buffer with zero bytes, which stop a run past ``end``."""
    n = 0
    bad = np.int64(0)
    while True:
        c = np.int64(buf[i])
        k = _LEAD[c]
        if k == 1:
            out[o + n] = np.uint32(c)
            i += 1
        elif k == 2:
            c1 = np.int64(buf[i + 1])
            bad |= (c1 & 0xC0) ^ 0x80
            out[o + n] = np.uint32(((c & 0x1F) << 6) | (c1 & 0x3F))
            i += 2
        elif k == 3:
            c1 = np.int64(buf[i + 1])
            c2 = np.int64(buf[i + 2])
            bad |= ((c1 & 0xC0) ^ 0x80) | ((c2 & 0xC0) ^ 0x80)
            out[o + n] = np.uint32(((c & 0x0F) << 12) | ((c1 & 0x3F) << 6) | (c2 & 0x3F))
            i += 3
        else:
            if i >= end:
                return -1, 0
            if c == _QUOTE:
                return (-1, 0) if bad else (i + 1, n)
            if c == _BACKSLASH:
                cp, i = _escape(buf, i, end)
            elif c >= 0x80:
                cp, i = _utf8(buf, i, end)
            else:
                cp = -1  # a raw control character
            if cp < 0:
                return -1, 0
            out[o + n] = np.uint32(cp)
        n += 1


@numba.njit(inline="always", **_OPTS)
def _digits(buf, i, end):  # pragma: no cover - compiled
    """Index after the run of one or more ASCII digits at ``i``, or -1 when there is none."""
    if i >= end or not 48 <= buf[i] <= 57:
        return -1
    while i < end and 48 <= buf[i] <= 57:
        i += 1
    return i


@numba.njit(**_OPTS)
def _number(buf, i, end):  # pragma: no cover - compiled
    """``(index after the number at i, 1 if it is a plain integer else 0)`` for
    ``-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?``; ``(-1, 0)`` to decline (also a
    ``.`` or exponent without digits, which ``json.loads`` reads differently)."""
    start = i
    if i < end and buf[i] == 45:
        i += 1
    if i >= end:
        return -1, 0
    if buf[i] == 48:
        i += 1
    elif 49 <= buf[i] <= 57:
        while i < end and 48 <= buf[i] <= 57:
            i += 1
    else:
        return -1, 0
    plain = 1
    if i < end and buf[i] == 46:
        i = _digits(buf, i + 1, end)
        if i < 0:
            return -1, 0
        plain = 0
    if i < end and (buf[i] == 101 or buf[i] == 69):
        i += 1
        if i < end and (buf[i] == 43 or buf[i] == 45):
            i += 1
        i = _digits(buf, i, end)
        if i < 0:
            return -1, 0
        plain = 0
    if i - start > _MAX_NUMBER:
        return -1, 0
    return i, plain


@numba.njit(inline="always", **_OPTS)
def _word(buf, i, end, a, b, c, d):  # pragma: no cover - compiled
    """Index after the literal whose bytes are ``a b c [d]`` at ``i`` (``d == 0``: three
    bytes), or -1."""
    n = 3 if d == 0 else 4
    if i + n > end or buf[i] != a or buf[i + 1] != b or buf[i + 2] != c or (n == 4 and buf[i + 3] != d):
        return -1
    return i + n


@numba.njit(inline="always", **_OPTS)
def _after_key(buf, i, end, scratch):  # pragma: no cover - compiled
    """Index after the key string at ``i``, its colon and the white space after it (where
    the key's value starts), or -1 to decline."""
    if i >= end or buf[i] != _QUOTE:
        return -1
    i, _ = _string(buf, i + 1, end, scratch, 0)
    i = _ws(buf, i, end) if i >= 0 else -1
    if i < 0 or i >= end or buf[i] != 58:
        return -1
    return _ws(buf, i + 1, end)


@numba.njit(**_OPTS)
def _skip_value(buf, i, end, scratch, stack):  # pragma: no cover - compiled
    """Index after the JSON value at ``i`` (nested objects and arrays checked and
    skipped), or -1 to decline.  ``stack`` holds 1 for an open object, 2 for an array."""
    sp = 0
    while True:
        if i >= end:
            return -1
        c = buf[i]
        if c == 123 or c == 91:  # { or [
            i = _ws(buf, i + 1, end)
            if i < end and buf[i] == (125 if c == 123 else 93):
                i += 1
            else:
                if sp == stack.shape[0]:
                    return -1
                stack[sp] = 1 if c == 123 else 2
                sp += 1
                if c == 123:  # a key, then the loop reads its value
                    i = _after_key(buf, i, end, scratch)
                    if i < 0:
                        return -1
                continue
        elif c == _QUOTE:
            i, _ = _string(buf, i + 1, end, scratch, 0)
        elif c == 45 or 48 <= c <= 57:
            i, _ = _number(buf, i, end)
        elif c == 116:
            i = _word(buf, i, end, 116, 114, 117, 101)
        elif c == 102:
            i = _word(buf, i, end, 102, 97, 108, 115)
            i = i + 1 if i >= 0 and i < end and buf[i] == 101 else -1
        elif c == 110:
            i = _word(buf, i, end, 110, 117, 108, 108)
        else:
            return -1  # NaN, Infinity and anything else: declined
        if i < 0:
            return -1
        # after a value: close containers or move to the next element
        while True:
            if sp == 0:
                return i
            i = _ws(buf, i, end)
            if i >= end:
                return -1
            c = buf[i]
            top = stack[sp - 1]
            if (c == 125 and top == 1) or (c == 93 and top == 2):
                sp -= 1
                i += 1
                continue
            if c != 44:
                return -1
            i = _ws(buf, i + 1, end)
            if top == 1:
                i = _after_key(buf, i, end, scratch)
                if i < 0:
                    return -1
            break


@numba.njit(inline="always", **_OPTS)
def _is_key(key, n, want):  # pragma: no cover - compiled
    if want.shape[0] == 0 or n != want.shape[0]:
        return False
    for j in range(n):
        if key[j] != want[j]:
            return False
    return True


@numba.njit(**_OPTS)
def _fields_ok(cps, o, n_text, id_cps, io, n_id, need_id, space):  # pragma: no cover - compiled
    """Whether the decoded fields pass the per-line reader's checks as they are: a text
    that ``str.strip()`` leaves non-empty, and (when wanted) a non-empty id without U+0000
    (numpy's ``str`` arrays drop trailing NULs).  Otherwise ``json.loads``' path decides."""
    if n_text <= 0 or (need_id and n_id <= 0):
        return False
    for t in range(n_id):
        if id_cps[io + t] == 0:
            return False
    for t in range(n_text):
        c = cps[o + t]
        if c >= space.shape[0] or space[c] == 0:
            return True
    return False


@numba.njit(**_OPTS)
def _record(buf, lo, end, text_key, id_key, date_key, space, cps, o, id_cps, io, out, stack, key):  # pragma: no cover - compiled
    """Parse the line that starts at ``lo`` (``end``: the end of the data): ``OK`` with
    ``out`` = (text code points, id code points, date start, date end, index of the
    line's ``\\n`` or ``end``), ``BLANK`` (with ``out[4]``) or ``DECLINE``.

    The line is not cut out first: no step of the grammar reads ``\\n`` as part of a
    value (``_ws`` stops at it, strings decline it as a raw control character, numbers
    and literals end before it), so a step reaching it fails exactly as it would at the
    end of the line, and a line is taken only when nothing but white space separates
    its closing brace from the ``\\n``.  One pass over the bytes, not two."""
    i = _ws(buf, lo, end)
    if i == end or buf[i] == _LF:
        out[4] = i
        return BLANK
    if buf[i] != 123:
        return DECLINE
    i = _ws(buf, i + 1, end)
    n_text = -1
    n_id = -1
    out[2] = -1
    out[3] = -1
    if i < end and buf[i] == 125:
        return DECLINE  # {}: no text field
    while True:
        if i >= end or buf[i] != _QUOTE:
            return DECLINE
        i, nk = _string(buf, i + 1, end, key, 0)
        if i < 0:
            return DECLINE
        i = _ws(buf, i, end)
        if i >= end or buf[i] != 58:
            return DECLINE
        i = _ws(buf, i + 1, end)
        if i >= end:
            return DECLINE
        if _is_key(key, nk, text_key):
            if n_text >= 0 or buf[i] != _QUOTE:
                return DECLINE  # a repeated text field, or not a string: json.loads decides
            i, n_text = _string(buf, i + 1, end, cps, o)
        elif _is_key(key, nk, id_key):
            if n_id >= 0:
                return DECLINE
            if buf[i] == _QUOTE:
                i, n_id = _string(buf, i + 1, end, id_cps, io)
            elif buf[i] == 45 and i + 1 < end and buf[i + 1] == 48:
                return DECLINE  # -0 reads as 0
            else:
                j, plain = _number(buf, i, end)
                if j < 0 or not plain:
                    return DECLINE
                for t in range(j - i):
                    id_cps[io + t] = np.uint32(buf[i + t])
                n_id = j - i
                i = j
        elif _is_key(key, nk, date_key):
            if out[2] >= 0:
                return DECLINE
            out[2] = i
            i = _skip_value(buf, i, end, key, stack)
            out[3] = i
        else:
            i = _skip_value(buf, i, end, key, stack)
        if i < 0:
            return DECLINE
        i = _ws(buf, i, end)
        if i >= end:
            return DECLINE
        if buf[i] == 125:
            break
        if buf[i] != 44:
            return DECLINE
        i = _ws(buf, i + 1, end)
    j = _ws(buf, i + 1, end)
    if (j != end and buf[j] != _LF) or not _fields_ok(cps, o, n_text, id_cps, io, n_id, id_key.shape[0] > 0, space):
        return DECLINE
    out[0] = n_text
    out[1] = max(n_id, 0)
    out[4] = j
    return OK


@numba.njit(
    "int64(uint8[::1], int64, uint32[::1], uint32[::1], uint32[::1], uint8[::1], int64[::1], uint8[::1], uint32[::1],"
    " int64[::1], uint32[::1], int64[::1], int64[:, ::1])",
    **_OPTS,
)
def jsonl_records_into(buf, n, text_key, id_key, date_key, space, line_end, status, cps, cp_off,
                       id_cps, id_off, date_span):  # pragma: no cover - compiled
    """Parse every line of ``buf[:n]`` (module docstring); ``buf[n:n + PAD]`` must be zero
    bytes (returns -1 otherwise).  Line ``l`` ends at ``line_end[l]`` (after its ``\\n``);
    an ``OK`` line's text is ``cps[cp_off[l]:cp_off[l + 1]]``, its id
    ``id_cps[id_off[l]:id_off[l + 1]]`` (both empty for other lines) and its date value
    ``buf[date_span[l, 0]:date_span[l, 1]]`` (-1 when absent).  An empty ``id_key`` or
    ``date_key`` means the field is not wanted.  ``cps`` and ``id_cps`` need ``n`` room;
    the line arrays one entry per ``\\n`` plus one."""
    if buf.shape[0] < n + PAD:
        return -1
    for j in range(PAD):
        if buf[n + j] != 0:
            return -1
    stack = np.empty(_MAX_DEPTH, np.uint8)
    out = np.empty(5, np.int64)
    key = np.empty(n + 1, np.uint32)  # keys and skipped strings; pages are touched only as used
    lines = 0
    lo = 0
    o = 0
    io = 0
    cp_off[0] = 0
    id_off[0] = 0
    while lo < n:
        st = _record(buf, lo, n, text_key, id_key, date_key, space, cps, o, id_cps, io, out, stack, key)
        if st == DECLINE:  # the line's end is not known yet
            hi = lo
            while hi < n and buf[hi] != _LF:
                hi += 1
        else:
            hi = out[4]
        status[lines] = st
        if st == OK:
            o += out[0]
            io += out[1]
            date_span[lines, 0] = out[2]
            date_span[lines, 1] = out[3]
        else:
            date_span[lines, 0] = -1
            date_span[lines, 1] = -1
        cp_off[lines + 1] = o
        id_off[lines + 1] = io
        lo = hi + 1 if hi < n else n
        line_end[lines] = lo
        lines += 1
    return lines
