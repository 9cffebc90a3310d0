"""Read one written value under every convention, to tell a changed value from a rewrite.

``overlap.conflicts`` reads figures under the document's own convention ("7,5" is 7.5 in
Vietnamese).  News copies a figure across conventions and formats, so a value that
*looks* different is often the same: "26/1" / "26.1", "159 tỉ" / "159.232.985.000",
"quý III" / "quý 3", "SN 1989" / "29 tuổi".  These helpers answer "could both sides
state the same value?" and say which convention makes them equal.

- ``compact(s) -> str``: lower case without spaces, hyphens or dashes ("VH-TT" = "vhtt").
- ``date_parts(s) -> tuple[int, ...]``: the numbers of a written date, any separator.
- ``readings(token) -> set[float]``: a numeral's values under Vietnamese and English
  separators, Roman numerals and ordinals included.
- ``values(text) -> list[tuple[float, float]]``: (value, rounding step) of each figure,
  multipliers applied ("159 tỉ" -> (159e9, 1e9)).
- ``rounded(x, y) -> bool``: one figure is the other rounded to its written precision.
- ``age_and_birth_year(a, b) -> bool``: one side gives an age, the other a birth year,
  and they fit together.

Cost: regex work on a few words; nothing here looks at more than a conflict's context.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["age_and_birth_year", "compact", "date_parts", "readings", "rounded", "roman", "values"]

_SPACING = re.compile(r"[\s\-‐‑‒–—]+")
_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUE = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ORDINAL_EN = re.compile(r"^(\d+)(st|nd|rd|th)$")
_ORDINAL_WORDS = {
    "nhất": 1, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    # Vietnamese ordinals are "thứ" + a number word; the number word alone reads as itself.
    "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10,
}
_MULTIPLIERS = {
    "nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9,
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_AGE = re.compile(r"(\d{1,3})\s*(?:tuổi|years?\s+old|-year-old|yo\b)|\baged?\s+(\d{1,3})", re.IGNORECASE)
_BIRTH = re.compile(r"(?:\bSN|\bsinh\s+năm|\bsinh|\bborn(?:\s+in)?|\bb\.)\s*(\d{4})", re.IGNORECASE)


def compact(s: str) -> str:
    """``s`` in lower case (NFC) without whitespace, hyphens or dashes: spacing variants
    ("201 2" / "2012", "VH-TT" / "VHTT", "2 -3" / "2-3") compact to the same string."""
    return _SPACING.sub("", unicodedata.normalize("NFC", s)).lower()


def date_parts(s: str) -> tuple[int, ...]:
    """The numbers of a written date whatever the separator: "26/1", "26.1", "26-1" ->
    (26, 1); "ngày 20/8/2008" -> (20, 8, 2008)."""
    return tuple(int(d) for d in _DIGITS.findall(s))


def roman(token: str) -> int | None:
    """The value of an upper-case Roman numeral ("III" -> 3, "XIV" -> 14), else None."""
    if not token or not _ROMAN.match(token):
        return None
    total = 0
    for ch, nxt in zip(token, token[1:] + " "):
        v = _ROMAN_VALUE[ch]
        total += -v if nxt != " " and _ROMAN_VALUE[nxt] > v else v
    return total


def readings(token: str) -> set[float]:
    """Every value a numeral may have: both separator conventions ("1.234" is 1234 or
    1.234; "3,5" is 3.5 or 35... only when grouped by three), Roman numerals and
    ordinals ("2nd", "thứ hai" read as "hai").  Empty for a non-numeral.

    >>> sorted(readings("1.234"))
    [1.234, 1234.0]
    >>> readings("XIV"), readings("2nd"), readings("nhất")
    ({14.0}, {2.0}, {1.0})
    """
    out: set[float] = set()
    r = roman(token)
    if r is not None:
        out.add(float(r))
    m = _ORDINAL_EN.match(token.lower())
    if m:
        out.add(float(m.group(1)))
    if token.lower() in _ORDINAL_WORDS:
        out.add(float(_ORDINAL_WORDS[token.lower()]))
    if _NUMBER.fullmatch(token):
        for dec, group in ((",", "."), (".", ",")):
            parts = token.split(dec)
            if len(parts) > 2:
                continue
            whole = parts[0]
            if group in whole and not all(len(g) == 3 for g in whole.split(group)[1:]):
                continue
            text = whole.replace(group, "") + ("." + parts[1] if len(parts) == 2 else "")
            if group in text:
                continue
            out.add(float(text))
    return out


def values(text: str) -> list[tuple[float, float]]:
    """(value, rounding step) of each figure in ``text``, multipliers applied, under the
    convention that reads the most digits as one figure.

    >>> values("159 tỉ đồng")
    [(159000000000.0, 1000000000.0)]
    >>> values("159.232.985.000 đồng")
    [(159232985000.0, 1.0)]
    """
    out: list[tuple[float, float]] = []
    words = text.split()
    for i, w in enumerate(words):
        tok = w.strip("()[],;:!?\"'%")
        if not _NUMBER.fullmatch(tok):
            continue
        dec = ""
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", tok) or re.fullmatch(r"\d+,\d{1,2}", tok) or re.fullmatch(r"\d+(\.\d{3})*,\d+", tok):
            dec = ","  # Vietnamese: "." groups thousands, "," marks decimals
        elif re.fullmatch(r"\d{1,3}(,\d{3})+", tok) or re.fullmatch(r"\d+\.\d{1,2}", tok) or re.fullmatch(r"\d+(,\d{3})*\.\d+", tok):
            dec = "."
        group = {",": ".", ".": ","}.get(dec, "")
        plain = tok.replace(group, "") if group else tok
        if dec:
            plain = plain.replace(dec, ".")
        try:
            v = float(plain)
        except ValueError:
            continue
        if "." in plain:
            step = 10.0 ** -len(plain.split(".")[1])
        else:
            step = 1.0  # trailing zeros state no precision: "5.000" may be exact
        mult = 1.0
        j = i + 1
        while j < len(words) and words[j].lower().strip(",.;") in _MULTIPLIERS:
            mult *= _MULTIPLIERS[words[j].lower().strip(",.;")]
            j += 1
        out.append((v * mult, step * mult))
    return out


def rounded(x: tuple[float, float], y: tuple[float, float]) -> bool:
    """One figure is the other rounded to the step it is written with: "159 tỉ" and
    "159.232.985.000" (159.23 billion rounds to 159 billion), "3,1" and "3,15".

    A whole number written without a multiplier never counts as a rounding: "8" / "7,5"
    and "50" / "47" are different figures.
    """
    (vx, sx), (vy, sy) = x, y
    if sx == sy:
        return False
    coarse, fine = (x, y) if sx > sy else (y, x)
    if coarse[1] == 1.0:
        return False  # a plain whole number states no rounding
    return abs(coarse[0] - fine[0]) <= coarse[1] / 2 * (1 + 1e-9) and coarse[1] < abs(coarse[0])


def age_and_birth_year(a: str, b: str, *, years: tuple[int, int] = (1995, 2035)) -> bool:
    """One text gives an age ("29 tuổi", "aged 29"), the other a birth year ("SN 1989",
    "born 1989"), and birth year + age falls in ``years`` (the span news is written in):
    the same person described two ways, not two values.

    >>> age_and_birth_year("SN 1989, trú tỉnh Tiền Giang", "29 tuổi, quê Tiền Giang")
    True
    >>> age_and_birth_year("SN 1989", "SN 1990")
    False
    """
    for x, y in ((a, b), (b, a)):
        age = _AGE.search(x)
        birth = _BIRTH.search(y)
        if age and birth and not _AGE.search(y) and not _BIRTH.search(x):
            n = int(age.group(1) or age.group(2))
            year = int(birth.group(1))
            if 0 < n < 120 and 1880 <= year and years[0] <= year + n <= years[1]:
                return True
    return False
