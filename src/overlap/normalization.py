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

import numpy as np

from .codepoints import CodepointTable

__all__ = ["NormText", "fold_char", "normalize"]

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
_FINAL_Y = re.compile(r"([yỳýỷỹỵ])(?!\w)")
_CONSONANTS = frozenset("bcdđghklmnprstvx")
_Y_TO_I = str.maketrans("yỳýỷỹỵ", "iìíỉĩị")


def _move_tone(m: re.Match[str]) -> str:
    start = m.start()
    if start and m.string[start - 1] == "q":  # checked here: a lookbehind makes the regex slow
        return m.group(0)
    vowel, second = m.group(1), m.group(2)
    if vowel in _TONED["o"]:
        return "o" + _TONED[second][_TONED["o"].index(vowel)]
    return "u" + _TONED["y"][_TONED["u"].index(vowel)]


@dataclass(frozen=True, slots=True)
class NormText:
    """A normalised view of ``original``.

    ``text`` is what matching sees.  ``starts[i]``/``ends[i]`` give the original
    half-open range that produced ``text[i]`` (int32 arrays, int64 past 2**31
    characters); both are ``None`` when the view has the same length as the original
    and positions map one to one.
    """

    original: str
    text: str
    starts: np.ndarray | None = None
    ends: np.ndarray | None = None

    @property
    def identity(self) -> bool:
        """True when view offsets equal original offsets."""
        return self.starts is None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open view range to the original text's range that produced it."""
        if self.starts is None or self.ends is None:
            return start, end
        n = len(self.text)
        if start >= n:
            return len(self.original), len(self.original)
        if end <= start:
            s = int(self.starts[start])
            return s, s
        return int(self.starts[start]), int(self.ends[end - 1])

    def to_view(self, start: int, end: int) -> tuple[int, int]:
        """Map an original half-open range to the smallest view range covering it."""
        if self.starts is None or self.ends is None:
            return start, end
        # The probe in the arrays' own dtype: an int64 (or Python int) probe would make
        # numpy convert the whole int32 array first, a full copy per call.
        kind = self.starts.dtype.type
        vs = int(np.searchsorted(self.ends, kind(start), side="right"))
        ve = int(np.searchsorted(self.starts, kind(end), side="left"))
        return vs, max(vs, ve)


def _final_y(m: re.Match[str]) -> str:
    start = m.start()
    if start and m.string[start - 1] in _CONSONANTS:
        return m.group(1).translate(_Y_TO_I)
    return m.group(0)


def _fold(text: str) -> str:
    """Equal-length folding of NFC text: case, quotes, dashes, spaces, tone placement, final y."""
    # str.translate looks every character up in a dict; a regex over the few characters
    # that change is about 3x faster on Vietnamese text.
    folded = _SPECIAL.sub(lambda m: _MAP[m.group()], text.lower())
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
            return NormText(text, _fold(text))
    return _slow(text)


def _slow(text: str) -> NormText:
    """Normalise cluster by cluster (a base character and its combining marks).

    Only clusters that NFC, lower-casing or deletion can change take the per-cluster
    Python loop (``_cluster_view``); the runs of plain characters between them are
    lowered whole with a one-to-one map built by numpy.  A 50 MB text with one soft
    hyphen used to walk every character in Python and keep two Python ints per
    character (about 70 bytes each); the map is now two int64 arrays.
    """
    n = len(text)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cls = _PLAIN.values(cps)
    plain = cls == 1
    comb = cls == 2
    # A plain character heads a cluster of its own unless a combining mark follows it.
    plain[:-1] &= ~comb[1:]
    # Runs of plain characters, and the (few) stretches of clusters between them.
    edges = np.flatnonzero(np.diff(np.concatenate(([False], plain, [False])).astype(np.int8)))
    del plain, comb
    bounds = edges.reshape(-1, 2).tolist()
    pieces: list[str] = []
    parts: list[tuple[int, int, np.ndarray | None, np.ndarray | None]] = []  # (original lo, hi, map) per piece
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
    # Filled in place: a concatenation of per-piece arrays would hold the map twice.
    # 32-bit offsets while they fit: the map is the largest thing kept for a huge text.
    dtype = np.int32 if n < 2**31 - 1 else np.int64
    st = np.empty(len(view), dtype=dtype)
    en = np.empty(len(view), dtype=dtype)
    at = 0
    for (lo, hi, map_s, map_e), piece in zip(parts, pieces):
        m = len(piece)
        if map_s is not None and map_e is not None:
            st[at : at + m] = map_s
            en[at : at + m] = map_e
        else:
            st[at : at + m] = np.arange(lo, hi, dtype=dtype)
            np.add(st[at : at + m], 1, out=en[at : at + m])
        at += m
    # Folding after NFC keeps the length, so the map built above still holds.
    return NormText(text, _fold(view), st, en)


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
