"""Normalise text into a matching *view* that keeps a map back to the original offsets.

``normalize(text) -> NormText``: NFC, lower case, straight quotes, ASCII hyphens, one
kind of space, and one placement of Vietnamese tone marks ("hoà" = "hòa", "thuỷ" =
"thủy") and of the final i/y ("sỹ" = "sĩ").  Digits and punctuation that carry meaning
stay as they are: the conflict stage needs "7,5" and "100.000" intact.

Most text is already NFC and keeps its length under these rules, so the view is built
with ``str.translate`` and equal-length regex substitutions and the offset map is the
identity (no per-character Python loop).  Only NFD input, deleted invisible characters
or case changes that alter length take the slow path, which records an explicit map.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .codepoints import CodepointTable

__all__ = ["NormText", "OffsetMap", "fold_char", "normalize"]

# Characters mapped one-to-one.  Quotes and dashes vary between outlets and editors;
# they never change what a sentence says.
_QUOTES_DOUBLE = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u301d\u301e\uff02"
_QUOTES_SINGLE = "\u2018\u2019\u201a\u201b\u2039\u203a\u2032\u0060\u00b4"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SPACES = "\t\x0b\x0c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_LINEBREAKS = "\r\x85\u2028\u2029"
_TRANSLATE = str.maketrans(
    {
        **{c: '"' for c in _QUOTES_DOUBLE},
        **{c: "'" for c in _QUOTES_SINGLE},
        **{c: "-" for c in _DASHES},
        **{c: " " for c in _SPACES},
        **{c: "\n" for c in _LINEBREAKS},
    }
)
_MAP = {chr(k): v for k, v in _TRANSLATE.items()}
_SPECIAL = re.compile("[" + re.escape("".join(_MAP)) + "]")
# Invisible characters that are dropped (they change length, so they force the slow path).
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_COMBINING = re.compile("[\u0300-\u036f]")  # combining diacritics (Vietnamese tones among them)

# Vietnamese tone-mark placement in open syllables ending in oa/oe/uy: the old style puts
# the mark on the first vowel ("hòa", "thủy"), the new style on the second ("hoà",
# "thuỷ").  We rewrite to the new style.  After "q" the "u" is part of the consonant
# ("quý"), so it is left alone.  Every rewrite keeps the length (NFC, one code point).
_TONED = {
    "o": "òóỏõọ",
    "u": "ùúủũụ",
    "a": "àáảãạ",
    "e": "èéẻẽẹ",
    "y": "ỳýỷỹỵ",
    "i": "ìíỉĩị",
}
# Two patterns, not one alternation: a pattern that starts with a character set lets
# the regex engine skip to the next candidate letter (3.5x faster on news text).
_OLD_TONE_O = re.compile(r"([òóỏõọ])([ae])(?!\w)")
_OLD_TONE_U = re.compile(r"([ùúủũụ])(y)(?!\w)")
# Final "y" after a consonant is interchangeable with "i" in Vietnamese ("Mỹ"/"Mĩ",
# "sỹ"/"sĩ", "kỹ"/"kĩ").  The same rewrite is applied to both sides, so English is unharmed.
# The consonant is checked by a look-behind placed after the "y" (the pattern still starts
# with a character set, which the regex engine skips to): most final y's follow a vowel
# ("này", "ngày") and are not matched at all.
_FINAL_Y = re.compile(r"([yỳýỷỹỵ])(?<=[bcdđghklmnprstvx].)(?!\w)")
_Y_TO_I = str.maketrans("yỳýỷỹỵ", "iìíỉĩị")
_Y_I = {y: y.translate(_Y_TO_I) for y in "yỳýỷỹỵ"}


def _move_tone(m: re.Match[str]) -> str:
    start = m.start()
    if start and m.string[start - 1] == "q":  # checked here: a lookbehind makes the regex slow
        return m.group(0)
    vowel, second = m.group(1), m.group(2)
    if vowel in _TONED["o"]:
        return "o" + _TONED[second][_TONED["o"].index(vowel)]
    return "u" + _TONED["y"][_TONED["u"].index(vowel)]


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Per view character, the original half-open range that produced it, kept by pieces.

    The view is cut into pieces in order.  A *plain* piece maps view position ``v`` to
    the original ``[o + v - v0, o + v - v0 + 1)`` (one character for one, nothing stored
    per character); a *cluster* piece reads two explicit arrays.  A text that is nearly
    all plain (a huge document with one decomposed word) then costs a few numbers, not
    8 bytes a character; a text with clusters everywhere (NFD) is one cluster piece, the
    two arrays of before.

    ``vstart``: first view position of each piece (non-empty pieces, increasing);
    ``ostart``: a plain piece's original start, -1 for a cluster piece; ``dstart``: a
    cluster piece's first index in ``dense_s``/``dense_e``, -1 for a plain piece;
    ``first_s``/``first_e``: each piece's first original start and end (for ``count_*``).
    Original starts and ends are non-decreasing along the view.
    """

    size: int
    vstart: np.ndarray
    ostart: np.ndarray
    dstart: np.ndarray
    first_s: np.ndarray
    first_e: np.ndarray
    dense_s: np.ndarray
    dense_e: np.ndarray

    @classmethod
    def dense(cls, starts: np.ndarray, ends: np.ndarray) -> "OffsetMap":
        """One cluster piece holding the whole map."""
        one = np.zeros(1, dtype=np.int64)
        first = (starts[:1].astype(np.int64), ends[:1].astype(np.int64)) if len(starts) else (one, one)
        return cls(len(starts), one, one - 1, one, first[0], first[1], starts, ends)

    def _pieces(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Piece of each view position, offset in it, and cluster rows (-1 where plain)."""
        p = np.searchsorted(self.vstart, idx, side="right") - 1
        off = idx - self.vstart[p]
        d = self.dstart[p]
        return p, off, np.where(d < 0, -1, d + off)

    def _at(self, idx: np.ndarray, dense: np.ndarray, plus: int) -> np.ndarray:
        if len(self.vstart) == 1 and self.dstart[0] == 0:  # one cluster piece: the arrays
            return np.asarray(dense[idx])
        out = np.empty(len(idx), dtype=dense.dtype)
        for lo in range(0, len(idx), _CHUNK):  # a slice at a time: the temporaries are 8 bytes an index each
            p, off, rows = self._pieces(idx[lo : lo + _CHUNK])
            val = self.ostart[p] + off + plus
            cl = rows >= 0
            if cl.any():
                val[cl] = dense[rows[cl]]
            out[lo : lo + len(val)] = val
        return out

    def starts_at(self, idx: np.ndarray) -> np.ndarray:
        """Original start of each view position in ``idx`` (``starts[idx]`` of a dense map)."""
        return self._at(np.asarray(idx), self.dense_s, 0)

    def ends_at(self, idx: np.ndarray) -> np.ndarray:
        """Original end of each view position in ``idx``."""
        return self._at(np.asarray(idx), self.dense_e, 1)

    def start(self, i: int) -> int:
        return int(self.starts_at(np.array([i]))[0])

    def end(self, i: int) -> int:
        return int(self.ends_at(np.array([i]))[0])

    def _count(self, x: int, first: np.ndarray, dense: np.ndarray, side: Literal["left", "right"], plus: int) -> int:
        """View positions whose original start (``plus`` 0) or end (1) is below ``x``
        (``side="left"``) or at most ``x`` (``"right"``): ``searchsorted`` of a dense map."""
        p = int(np.searchsorted(first, x, side=side)) - 1
        if p < 0:
            return 0
        v0 = int(self.vstart[p])
        length = (int(self.vstart[p + 1]) if p + 1 < len(self.vstart) else self.size) - v0
        d = int(self.dstart[p])
        if d < 0:  # plain: values o + plus, o + plus + 1, ...
            o = int(self.ostart[p]) + plus
            within = min(length, max(0, x - o + (side == "right")))
        else:
            kind = dense.dtype.type  # the probe in the array's dtype: no converted copy
            within = int(np.searchsorted(dense[d : d + length], kind(x), side=side))
        return v0 + within

    def count_ends_upto(self, x: int) -> int:
        """View positions whose original end is at most ``x``."""
        return self._count(x, self.first_e, self.dense_e, "right", 1)

    def count_starts_below(self, x: int) -> int:
        """View positions whose original start is below ``x``."""
        return self._count(x, self.first_s, self.dense_s, "left", 0)


# View positions per slice where a map is read for many positions at once.
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class NormText:
    """A normalised view of ``original``.

    ``text`` is what matching sees.  ``offsets`` maps each view character back to the
    original half-open range that produced it; it is ``None`` when the view has the
    same length as the original and positions map one to one.
    """

    original: str
    text: str
    offsets: OffsetMap | None = None

    @property
    def identity(self) -> bool:
        """True when view offsets equal original offsets."""
        return self.offsets is None

    @property
    def starts(self) -> np.ndarray | None:
        """Per view character, its original start (int32, int64 past 2**31 characters),
        built whole on each call: ``orig_starts`` reads only the positions asked for."""
        if self.offsets is None:
            return None
        return self.offsets.starts_at(np.arange(len(self.text)))

    @property
    def ends(self) -> np.ndarray | None:
        """Per view character, its original end (see ``starts``)."""
        if self.offsets is None:
            return None
        return self.offsets.ends_at(np.arange(len(self.text)))

    def orig_starts(self, idx: np.ndarray) -> np.ndarray:
        """Original start of each view position in ``idx`` (``idx`` itself for an identity view)."""
        return idx if self.offsets is None else self.offsets.starts_at(idx)

    def orig_ends(self, idx: np.ndarray) -> np.ndarray:
        """Original end of each view position in ``idx`` (``idx + 1`` for an identity view)."""
        return np.asarray(idx) + 1 if self.offsets is None else self.offsets.ends_at(idx)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open view range to the original text's range that produced it."""
        if self.offsets is None:
            return start, end
        n = len(self.text)
        if start >= n:
            return len(self.original), len(self.original)
        if end <= start:
            s = self.offsets.start(start)
            return s, s
        return self.offsets.start(start), self.offsets.end(end - 1)

    def to_view(self, start: int, end: int) -> tuple[int, int]:
        """Map an original half-open range to the smallest view range covering it."""
        if self.offsets is None:
            return start, end
        vs = self.offsets.count_ends_upto(start)
        ve = self.offsets.count_starts_below(end)
        return vs, max(vs, ve)


def _final_y(m: re.Match[str]) -> str:
    return _Y_I[m.group()]


def _fold(text: str) -> str:
    """Equal-length folding of NFC text: case, quotes, dashes, spaces, tone placement, final y.

    A long text is folded a slice at a time, cut just before a space or line break: each
    regex substitution holds its matches' pieces and a new copy of what it is given, so
    a whole 50 MB text needed several copies at once.  No rule looks across such a cut: the
    tone and final-y patterns need a letter after the match and the letter before it,
    and lower-casing depends on context only for a final sigma, whose context a space
    or line break ends.
    """
    n = len(text)
    if n <= _FOLD_SLICE:
        return _fold_slice(text)
    out: list[str] = []
    lo = 0
    while lo < n:
        m = _CUT.search(text, lo + _FOLD_SLICE)
        hi = m.start() if m else n
        out.append(_fold_slice(text[lo:hi]))
        lo = hi
    return "".join(out)


_FOLD_SLICE = 1 << 20  # characters folded at a time (at least)
_CUT = re.compile("[ \n]")


def _fold_slice(text: str, lowered: str | None = None) -> str:
    """``_fold`` of one slice; ``lowered``: ``text.lower()`` when the caller has it."""
    # str.translate looks every character up in a dict; a regex over the few characters
    # that change is about 3x faster on Vietnamese text.
    folded = _SPECIAL.sub(lambda m: _MAP[m.group()], text.lower() if lowered is None else lowered)
    folded = _OLD_TONE_U.sub(_move_tone, _OLD_TONE_O.sub(_move_tone, folded))
    return _FINAL_Y.sub(_final_y, folded)


def normalize(text: str) -> NormText:
    """Return the matching view of ``text`` with its map back to original offsets.

    >>> v = normalize("Hoà BÌNH “Thuỷ”")
    >>> v.text
    'hoà bình "thuỷ"'
    >>> normalize("Ho\\u0300a").text == normalize("Hoà").text == normalize("Hòa").text
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize() expects str, got {type(text).__name__}")
    # A combining mark almost always means decomposed text: go straight to the cluster
    # path (same result), not through ``is_normalized``, which then NFCs the whole text.
    if not _COMBINING.search(text) and unicodedata.is_normalized("NFC", text) and not any(c in text for c in _INVISIBLE):
        lowered = text.lower()
        if len(lowered) == len(text):
            # One slice: fold the lower-cased text already made (``_fold_slice`` would
            # lower it again).
            return NormText(text, _fold_slice(text, lowered) if len(text) <= _FOLD_SLICE else _fold(text))
    return _slow(text)


def _slow(text: str) -> NormText:
    """Normalise cluster by cluster (a base character and its combining marks).

    Only clusters that NFC, lower-casing or deletion can change take the per-cluster
    Python loop (``_cluster_view``); the runs of plain characters between them are
    lowered whole with a one-to-one map built by numpy.  A 50 MB text with one soft
    hyphen used to walk every character in Python and keep two Python ints per
    character (about 70 bytes each); now a plain run's map is its start (``OffsetMap``).
    """
    n = len(text)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cls = _PLAIN.values(cps)
    del cps  # 4 bytes a character: gone before the pieces are built
    plain = cls == 1
    comb = cls == 2
    del cls
    # A plain character heads a cluster of its own unless a combining mark follows it.
    plain[:-1] &= ~comb[1:]
    # Runs of plain characters, and the (few) stretches of clusters between them.
    edges = np.flatnonzero(np.diff(np.concatenate(([False], plain, [False])).astype(np.int8)))
    del plain, comb
    bounds = edges.reshape(-1, 2).tolist()
    pieces: list[str] = []
    parts: list[_Part] = []  # (original lo, hi, map) per piece
    pos = 0
    for run_start, run_end in [*bounds, [n, n]]:
        if pos < run_start:
            view, vs, ve = _cluster_view(text, pos, run_start)
            pieces.append(view)
            parts.append((pos, run_start, vs, ve))
        if run_start < run_end:
            pieces.append(text[run_start:run_end].lower())
            parts.append((run_start, run_end, None, None))
        pos = run_end
    view = "".join(pieces)
    lengths = [len(p) for p in pieces]
    del pieces  # a second copy of the view
    # Folding after NFC keeps the length, so the map built here still holds.
    return NormText(text, _fold(view), _offset_map(parts, lengths, n))


_Part = tuple[int, int, np.ndarray | None, np.ndarray | None]  # original lo, hi, cluster map
_PIECE_CHARS = 8  # view characters per piece below which one dense map costs less


def _offset_map(parts: list[_Part], lengths: list[int], n: int) -> OffsetMap:
    """The map of ``_slow``'s pieces: plain runs by their start alone, cluster pieces by
    their arrays; one dense pair of arrays when pieces are so many (decomposed text:
    about one per accented letter) that the piece table would cost more."""
    # 32-bit offsets while they fit: the map is the largest thing kept for a huge text.
    dtype = np.int32 if n < 2**31 - 1 else np.int64
    size = sum(lengths)
    if len(parts) * _PIECE_CHARS > size:  # a piece costs 40 bytes, a dense map 8 a character
        st = np.empty(size, dtype=dtype)
        en = np.empty(size, dtype=dtype)
        at = 0
        for (lo, hi, map_s, map_e), m in zip(parts, lengths):  # filled in place: no second copy
            if map_s is not None and map_e is not None:
                st[at : at + m] = map_s
                en[at : at + m] = map_e
            else:
                st[at : at + m] = np.arange(lo, hi, dtype=dtype)
                np.add(st[at : at + m], 1, out=en[at : at + m])
            at += m
        return OffsetMap.dense(st, en)
    cols: list[list[int]] = [[], [], [], [], []]  # vstart, ostart, dstart, first_s, first_e
    held_s: list[np.ndarray] = []
    held_e: list[np.ndarray] = []
    at = dn = 0
    for (lo, _, map_s, map_e), m in zip(parts, lengths):
        if not m:
            continue  # invisible characters only: nothing in the view
        if map_s is None or map_e is None:
            row = (at, lo, -1, lo, lo + 1)
        else:
            row = (at, -1, dn, int(map_s[0]), int(map_e[0]))
            held_s.append(map_s)
            held_e.append(map_e)
            dn += m
        for col, v in zip(cols, row):
            col.append(v)
        at += m
    vstart, ostart, dstart, first_s, first_e = (np.array(c, dtype=np.int64) for c in cols)
    ds = np.concatenate(held_s).astype(dtype) if held_s else np.zeros(0, dtype=dtype)
    de = np.concatenate(held_e).astype(dtype) if held_e else np.zeros(0, dtype=dtype)
    return OffsetMap(size, vstart, ostart, dstart, first_s, first_e, ds, de)


def _cluster_view(text: str, i: int, end: int) -> tuple[str, np.ndarray, np.ndarray]:
    """``text[i:end]`` normalised cluster by cluster, with its map (``i`` starts a cluster)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    combining = unicodedata.combining
    n = len(text)
    while i < end:
        j = i + 1
        while j < n and combining(text[j]):
            j += 1
        piece = text[i:j]
        if piece in _INVISIBLE:
            i = j
            continue
        piece = unicodedata.normalize("NFC", piece).lower()
        for ch in piece:
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return "".join(out), np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)


def _plain_class(ch: str) -> int:
    """1 plain (a cluster of its own maps to itself lowered, one character for one: not
    invisible, NFC-stable, lowers to one character, not the context-dependent capital
    sigma), 2 combining mark, 0 other."""
    if unicodedata.combining(ch):
        return 2
    cp = ord(ch)
    return int(
        ch not in _INVISIBLE
        and ch != "\u03a3"
        and not 0xD800 <= cp < 0xE000
        and unicodedata.normalize("NFC", ch) == ch
        and len(ch.lower()) == 1
    )


_PLAIN = CodepointTable(_plain_class)


def fold_char(ch: str) -> str | None:
    """The character ``normalize`` turns ``ch`` into before the tone rules: one character,
    ``""`` for an invisible character it deletes, or None when a text holding ``ch`` needs
    the cluster-by-cluster path (not NFC-stable on its own, a combining character, case
    folding that changes the length or depends on context as Greek capital sigma does, a
    lone surrogate).

    For a text made only of characters with a fold, ``normalize(text).text`` is the folds
    in order followed by the tone and final-y rules; ``overlap.textpass`` compiles that.
    """
    cp = ord(ch)
    if ch in _INVISIBLE:
        return ""
    if cp == 0x3A3 or 0xD800 <= cp <= 0xDFFF:
        return None
    # Characters that can change a text's NFC form by their neighbours: combining marks,
    # Hangul vowel/trailing jamo, and characters that are not NFC on their own.
    if unicodedata.combining(ch) or unicodedata.category(ch).startswith("M") or 0x1160 <= cp <= 0x11FF:
        return None
    if not unicodedata.is_normalized("NFC", ch):
        return None
    low = ch.lower()
    if len(low) != 1:
        return None
    return _MAP.get(low, low)
