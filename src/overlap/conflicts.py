"""Classify what differs inside an aligned passage: spelling, name, number or date.

The aligner hands over *edit blocks*: maximal runs of tokens that differ between the two
sides of a passage, with equal tokens around them.  ``classify(block) -> Conflict | None``
decides whether a block is a conflicting detail:

* **number / date** when both sides carry quantities and their *values* differ.  Values
  are read the way Vietnamese and English write them: "7,5" = 7.5, "100.000" = 100000
  (Vietnamese), "1,000" = 1000 and "3.5" = 3.5 (English), "100 nghìn" = 100000,
  "hai" = 2, "two million" = 2000000; durations compare in seconds ("7,5 giờ" =
  "7,5 tiếng" = "450 phút").  Dates compare as their numbers: "tháng 6-2021" =
  "tháng 6/2021", "10/1" != "11/1", "năm 2014" != "năm 2015".
* **spelling** when both sides are names (capitalised where a sentence does not start)
  and close as strings ("Alexander"/"Alexandr", "Dimitry"/"Dmitry", "Nguyễn"/"Nguyen").
* **name** when both sides are names and not close ("Ryabkov"/"Lavrov").

Anything else (rewording, inserted clauses, one side giving a number the other leaves
out) is not a conflict: only a changed detail in the same slot is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Quantity", "Side", "classify", "quantities"]

_VI_UNITS = {
    # word -> (dimension, factor to base unit)
    "giây": ("s", 1.0), "phút": ("s", 60.0), "giờ": ("s", 3600.0), "tiếng": ("s", 3600.0),
    "seconds": ("s", 1.0), "second": ("s", 1.0), "minutes": ("s", 60.0), "minute": ("s", 60.0),
    "hours": ("s", 3600.0), "hour": ("s", 3600.0), "hrs": ("s", 3600.0), "h": ("s", 3600.0),
}
_MULTIPLIERS = {
    "nghìn": 1e3, "ngàn": 1e3, "vạn": 1e4, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9,
    "thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9,
    "trillion": 1e12, "k": 1e3, "m": 1e6, "bn": 1e9, "tr": 1e6,
}
_WORDS = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "sáu": 6, "bảy": 7,
    "bẩy": 7, "tám": 8, "chín": 9, "mười": 10, "mươi": 10, "trăm": 100, "rưỡi": 0.5,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}
_DATE_MARKERS = {"ngày", "tháng", "năm", "hôm", "đêm", "sáng", "chiều", "tối", "rạng"}
_EN_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")]
    )
    for m in names
}
_YEAR_CONTEXT = {"năm", "in", "since", "year", "từ", "đến", "of", "until", "by", "before", "after"}

_RE_DATE3 = re.compile(r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$")
_RE_DATE2 = re.compile(r"^(\d{1,2})[/-](\d{1,4})$")
_RE_PLAIN = re.compile(r"^\d+$")
_RE_GROUPED_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")
_RE_GROUPED_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")
_RE_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")
_RE_DECIMAL_DOT = re.compile(r"^\d+\.\d+$")


@dataclass(frozen=True, slots=True)
class Side:
    """One side of an edit block: the tokens' original strings and where they sit.

    ``tokens`` are the original texts of the block's tokens, ``before``/``after`` the
    neighbouring tokens (``""`` at a text edge), ``names`` whether each block token is
    written as a name, ``vietnamese`` the document's number convention.
    """

    tokens: tuple[str, ...]
    before: str
    after: str
    names: tuple[bool, ...]
    vietnamese: bool


@dataclass(frozen=True, slots=True)
class Quantity:
    """A value read from text: ``kind`` is "number" or "date"; ``value`` compares."""

    kind: str
    value: tuple[float, ...]
    dim: str = ""
    raw: float = 0.0  # the number as written, before a unit's factor


def _number(tok: str, vietnamese: bool) -> float | None:
    """The value of a numeric token under the document's convention, else None."""
    if _RE_PLAIN.match(tok):
        return float(tok)
    if _RE_GROUPED_DOT.match(tok) and (vietnamese or tok.count(".") > 1):
        return float(tok.replace(".", ""))
    if _RE_GROUPED_COMMA.match(tok) and (not vietnamese or tok.count(",") > 1):
        return float(tok.replace(",", ""))
    if _RE_DECIMAL_COMMA.match(tok):
        return float(tok.replace(",", "."))
    if _RE_DECIMAL_DOT.match(tok):
        return float(tok)
    return None


def quantities(words: list[str], vietnamese: bool) -> list[tuple[int, int, Quantity]]:
    """Quantities in a list of lower-cased tokens: (first index, end index, Quantity).

    >>> [q.value for _, _, q in quantities("kéo dài 7,5 giờ với 100 nghìn quân".split(), True)]
    [(27000.0,), (100000.0,)]
    >>> [q.kind for _, _, q in quantities("tháng 6-2021 và năm 2014".split(), True)]
    ['date', 'date']
    """
    out: list[tuple[int, int, Quantity]] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        prev = words[i - 1] if i else ""
        m3 = _RE_DATE3.match(w)
        if m3 and not _number(w, vietnamese):
            out.append((i, i + 1, Quantity("date", tuple(float(g) for g in m3.groups()))))
            i += 1
            continue
        m2 = _RE_DATE2.match(w)
        if m2:
            out.append((i, i + 1, Quantity("date", tuple(float(g) for g in m2.groups()))))
            i += 1
            continue
        month = _EN_MONTHS.get(w)
        if month and i + 1 < n and _RE_PLAIN.match(words[i + 1]) and len(words[i + 1]) <= 2:
            out.append((i, i + 2, Quantity("date", (float(words[i + 1]), float(month)))))
            i += 2
            continue
        value = _number(w, vietnamese)
        is_word = False
        if value is None and w in _WORDS and w != "năm" or (w == "năm" and i + 1 < n and words[i + 1] in _VI_UNITS):
            value, is_word = float(_WORDS[w]), True
        if value is None:
            i += 1
            continue
        j = i + 1
        if is_word:  # "hai mươi lăm", "two hundred": accumulate a run of number words
            while j < n and words[j] in _WORDS and words[j] != "năm":
                v = _WORDS[words[j]]
                value = value * v if v in (10, 100) and value < v else value + v
                j += 1
        if j < n and words[j] in _MULTIPLIERS:
            value *= _MULTIPLIERS[words[j]]
            j += 1
        if j < n and words[j] == "rưỡi":
            value += 0.5
            j += 1
        kind = "number"
        dim = ""
        if prev in _DATE_MARKERS or prev in _EN_MONTHS:
            kind = "date"
        elif _RE_PLAIN.match(w) and len(w) == 4 and 1800 <= value <= 2100 and (prev in _YEAR_CONTEXT or j >= n or words[j] not in _VI_UNITS):
            kind = "date"
        raw = value
        if kind == "number" and j < n and words[j] in _VI_UNITS:
            dim, factor = _VI_UNITS[words[j]]
            value *= factor
            j += 1
        out.append((i, j, Quantity(kind, (value,), dim, raw)))
        i = j
    return out


def _values(side: Side) -> list[Quantity]:
    """Quantities that touch the block, read with one token of context on each side."""
    words = [side.before.lower()] + [t.lower() for t in side.tokens] + [side.after.lower()]
    if not side.before:
        words[0] = ""
    found = quantities(words, side.vietnamese)
    n = len(side.tokens)
    return [q for s, e, q in found if s < n + 1 and e > 1]


def _same(x: Quantity, y: Quantity) -> bool:
    """Same value, allowing a unit named on one side only ("7,5" / "7,5 giờ") and a date
    given with less detail on one side ("tháng 6" / "tháng 6-2021", "10/1" / "10/1/2022")."""
    if x.kind == "date" and y.kind == "date":
        n = min(len(x.value), len(y.value))
        return x.value[:n] == y.value[:n]
    if x.dim and y.dim and x.dim != y.dim:
        return False
    if x.dim != y.dim:  # one side has a unit: compare the numbers as written
        return x.raw == y.raw
    return x.value == y.value


def _strip_marks(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).replace("đ", "d")


def _close(a: str, b: str) -> bool:
    """Two spellings of one name: close as strings, or equal without diacritics."""
    from rapidfuzz.distance import Indel

    a, b = a.lower(), b.lower()
    if _strip_marks(a) == _strip_marks(b):
        return True
    if a[:1] != b[:1] and _strip_marks(a[:1]) != _strip_marks(b[:1]):
        return False
    return Indel.normalized_similarity(_strip_marks(a), _strip_marks(b)) >= 0.75


def classify(a: Side, b: Side) -> str | None:
    """The kind of conflict an edit block is, or None when it is not a conflicting detail.

    >>> s = lambda toks, names=None, before="", after="": Side(tuple(toks), before, after, tuple(names or [False]*len(toks)), True)
    >>> classify(s(["7,5"], after="giờ"), s(["8"], after="giờ"))
    'number'
    >>> classify(s(["7,5", "giờ"]), s(["7,5", "tiếng"])) is None
    True
    >>> classify(s(["Alexander"], [True]), s(["Alexandr"], [True]))
    'spelling'
    >>> classify(s(["Ryabkov"], [True]), s(["Lavrov"], [True]))
    'name'
    """
    if not a.tokens or not b.tokens:
        return None
    qa, qb = _values(a), _values(b)
    if qa and qb:
        if sorted((q.value, q.dim) for q in qa) == sorted((q.value, q.dim) for q in qb):
            return None
        if len(qa) == len(qb) and all(_same(x, y) for x, y in zip(qa, qb)):
            return None
        return "date" if any(q.kind == "date" for q in qa + qb) else "number"
    if qa or qb:
        return None
    if len(a.tokens) > 4 or len(b.tokens) > 4 or not all(a.names) or not all(b.names):
        return None
    return "spelling" if _close(" ".join(a.tokens), " ".join(b.tokens)) else "name"
