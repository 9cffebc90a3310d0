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

from .fuzz import indel_similarity

__all__ = ["Quantity", "Side", "classify", "may_hold_quantity", "quantities"]

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
# A qualifier before a number makes it a range: "hơn 782 tỷ" is consistent with 782,6 tỷ.
_QUALIFIERS = {
    "hơn": "over", "trên": "over", "over": "over", "exceeding": "over",
    "gần": "under", "dưới": "under", "nearly": "under", "almost": "under", "under": "under",
    "khoảng": "about", "chừng": "about", "xấp": "about", "xỉ": "about", "ước": "about",
    "about": "about", "around": "about", "roughly": "about", "approximately": "about", "some": "about",
}
_NOT_ONE = {"số", "vài", "loạt", "cách", "chút", "khi", "lúc", "mặt", "phần", "trong"}
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
_RE_DAY_DOT = re.compile(r"^(\d{1,2})\.(\d{1,2})$")
_RE_RANGE = re.compile(r"^(\d{1,2})-(\d{1,2})[/-](\d{1,2})$")
_ANY_DIGIT = re.compile(r"\d")
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
    written as a name (capitalised where no sentence starts, or capitalised elsewhere in
    its text), ``vietnamese`` the document's number convention, ``caps`` whether each
    block token is capitalised at all.
    """

    tokens: tuple[str, ...]
    before: str
    after: str
    names: tuple[bool, ...]
    vietnamese: bool
    caps: tuple[bool, ...] = ()  # capitalised, even if only because a sentence starts there
    text: str = ""  # the block as written, hyphens included ("Tơ-răm")
    initial: tuple[bool, ...] = ()  # each block token opens a sentence or a standalone line

    @property
    def written(self) -> str:
        return self.text or " ".join(self.tokens)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A value read from text: ``kind`` is "number" or "date"; ``value`` compares."""

    kind: str
    value: tuple[float, ...]
    dim: str = ""
    raw: float = 0.0  # the number as written, before a unit's factor
    approx: str = ""  # "over", "under" or "about" when a qualifier stands before it
    written: float = 0.0  # the figure as written, before multipliers ("14,505" of "14,505 triệu")


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


def may_hold_quantity(words: list[str]) -> bool:
    """False when ``quantities(words)`` is surely empty: no digit and no number word.

    Every reading in ``quantities`` needs a digit somewhere or a number word ("hai",
    "năm", "two"), and most edit blocks are plain words with neither.  ``words`` are
    lower-cased.  Cost: one regex search and one set test.
    """
    return bool(_ANY_DIGIT.search(" ".join(words))) or not _WORDS.keys().isdisjoint(words)


def quantities(words: list[str], vietnamese: bool) -> list[tuple[int, int, Quantity]]:
    """Quantities in a list of lower-cased tokens: (first index, end index, Quantity).

    Each position is tried as a date first (``_dates_at``: the stricter readings), then
    as a number (``_number_at``); a token that is neither is skipped.

    >>> [q.value for _, _, q in quantities("kéo dài 7,5 giờ với 100 nghìn quân".split(), True)]
    [(27000.0,), (100000.0,)]
    >>> [q.kind for _, _, q in quantities("tháng 6-2021 và năm 2014".split(), True)]
    ['date', 'date']
    """
    if not may_hold_quantity(words):
        return []
    out: list[tuple[int, int, Quantity]] = []
    i, n = 0, len(words)
    while i < n:
        dates = _dates_at(words, i, vietnamese)
        if dates is not None:
            end, found = dates
            out.extend((i, end, q) for q in found)
            i = end
            continue
        if words[i] == "một" and i + 1 < n and words[i + 1] in _NOT_ONE:
            i += 1  # "một số" = some, "một cách" = in a way: not the number one
            continue
        number = _number_at(words, i, vietnamese)
        if number is None:
            i += 1
            continue
        end, q = number
        out.append((i, end, q))
        i = end
    return out


def _dates_at(words: list[str], i: int, vietnamese: bool) -> tuple[int, list[Quantity]] | None:
    """The date (or pair of figures of a range) written at ``words[i]``: (end index,
    quantities), or None when no date reading starts there."""
    w, n = words[i], len(words)
    prev = words[i - 1] if i else ""
    rng = _RE_RANGE.match(w)
    if rng:  # "23-24/10" = two dates; "19-22" (no valid day/month) = two numbers
        d1, d2, m = (int(g) if g else 0 for g in rng.groups())
        if m and 1 <= m <= 12 and d1 <= 31 and d2 <= 31:
            return i + 1, [Quantity("date", (float(d1), float(m))), Quantity("date", (float(d2), float(m)))]
    m3 = _RE_DATE3.match(w)
    if m3 and not _number(w, vietnamese):
        return i + 1, [Quantity("date", tuple(float(g) for g in m3.groups()))]
    m2 = _RE_DATE2.match(w)
    if m2:
        x, y = int(m2.group(1)), int(m2.group(2))
        if (1 <= y <= 12 and 1 <= x <= 31) or (1 <= x <= 12 and 1000 <= y <= 2999):
            return i + 1, [Quantity("date", (float(x), float(y)))]
        # a range of numbers: "19-22 độ", "2-3 người"
        return i + 1, [Quantity("number", (float(x),), "", float(x)), Quantity("number", (float(y),), "", float(y))]
    dm = _RE_DAY_DOT.match(w)
    if dm and prev in _DATE_MARKERS and 1 <= int(dm.group(1)) <= 31 and 1 <= int(dm.group(2)) <= 12:
        return i + 1, [Quantity("date", (float(dm.group(1)), float(dm.group(2))))]  # "ngày 21.10"
    # "6 tháng 2" (day, month) and "6 tháng 2 năm 2017" written out in Vietnamese
    if _RE_PLAIN.match(w) and i + 2 < n and words[i + 1] == "tháng" and _RE_PLAIN.match(words[i + 2]) \
            and 1 <= int(w) <= 31 and 1 <= int(words[i + 2]) <= 12 and prev in ("ngày", "hôm", "sáng", "chiều", "tối", "đêm", ""):
        value_t: tuple[float, ...] = (float(w), float(words[i + 2]))
        j = i + 3
        if j + 1 < n and words[j] == "năm" and _RE_PLAIN.match(words[j + 1]):
            value_t, j = value_t + (float(words[j + 1]),), j + 2
        return j, [Quantity("date", value_t)]
    month = _EN_MONTHS.get(w)
    if month and i + 1 < n and _RE_PLAIN.match(words[i + 1]) and len(words[i + 1]) <= 2:
        return i + 2, [Quantity("date", (float(words[i + 1]), float(month)))]
    return None


def _number_at(words: list[str], i: int, vietnamese: bool) -> tuple[int, Quantity] | None:
    """The number written at ``words[i]`` (digits or number words, with multipliers,
    a unit and a qualifier before it): (end index, quantity), or None."""
    w, n = words[i], len(words)
    prev = words[i - 1] if i else ""
    value = _number(w, vietnamese)
    is_word = False
    if value is None and w in _WORDS and w != "năm" or (w == "năm" and i + 1 < n and words[i + 1] in _VI_UNITS):
        value, is_word = float(_WORDS[w]), True
    if value is None:
        return None
    j = i + 1
    if is_word:  # "hai mươi lăm", "two hundred": accumulate a run of number words
        while j < n and words[j] in _WORDS and words[j] != "năm":
            v = _WORDS[words[j]]
            value = value * v if v in (10, 100) and value < v else value + v
            j += 1
    written = value
    while j < n and words[j] in _MULTIPLIERS:  # "348 nghìn tỷ" = 348.000 tỷ
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
    approx = _QUALIFIERS.get(prev, "") if kind == "number" else ""
    return j, Quantity(kind, (value,), dim, raw, approx, written)


def _values(side: Side) -> list[Quantity]:
    """Quantities that touch the block, read with one token of context on each side."""
    # A number word written as a name is a name ("Võ Thị Sáu", "Võ Hữu Ba").
    words = [side.before.lower()] + ["" if nm else t.lower() for t, nm in zip(side.tokens, side.names)] + [side.after.lower()]
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
    vx, vy = (x.raw, y.raw) if x.dim != y.dim else (x.value[0], y.value[0])  # unit on one side only
    if x.approx == y.approx:  # "khoảng 7,5" vs "khoảng 8": the figures given differ
        return vx == vy or (x.raw * y.written == y.raw * x.written and _rounded(x.written, y.written))
    return _overlap(_interval(vx, x.approx), _interval(vy, y.approx))


def _rounded(x: float, y: float) -> bool:
    """One figure is the other rounded to its decimals ("14,505" / "14,5" million), within
    1%.  A whole number never counts as a rounding: "7,5" / "8" is a conflict."""
    for p, q in ((x, y), (y, x)):
        text = repr(q)
        decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
        if decimals and p != q and round(p, decimals) == q and abs(p - q) <= 0.01 * abs(q):
            return True
    return False


def _interval(v: float, approx: str) -> tuple[float, float]:
    """The values a qualified number allows: "hơn 10" = (10, 11], "gần 10" = [9, 10),
    "khoảng 10" = [9.5, 10.5]; an unqualified number is exact."""
    if approx == "over":
        return v, v * 1.1
    if approx == "under":
        return v * 0.9, v
    if approx == "about":
        return v * 0.95, v * 1.05
    return v, v


def _overlap(x: tuple[float, float], y: tuple[float, float]) -> bool:
    return x[0] <= y[1] and y[0] <= x[1]


def _strip_marks(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "D")


# Equivalent names of one entity in Vietnamese and English news (lower case).
_SYNONYMS = [
    {"mỹ", "hoa kỳ", "us", "usa", "united states", "america", "mĩ"},
    {"trung quốc", "tq", "china", "trung hoa"},
    {"anh", "uk", "britain", "vương quốc anh", "great britain", "united kingdom"},
    {"liên hợp quốc", "liên hiệp quốc", "lhq", "un", "united nations"},
    {"nga", "russia", "liên bang nga"},
    {"triều tiên", "bắc triều tiên", "north korea", "cộng hòa dân chủ nhân dân triều tiên", "cộng hoà dân chủ nhân dân triều tiên"},
    {"hàn quốc", "south korea", "nam hàn"},
    {"nhật bản", "nhật", "japan"},
    {"tp hcm", "tphcm", "tp.hcm", "thành phố hồ chí minh", "tp hồ chí minh", "tp.hồ chí minh", "sài gòn", "hồ chí minh"},
    {"hà nội", "hn", "thủ đô hà nội"},
    {"úc", "australia", "ô-xtrây-li-a", "ốt-xtrây-li-a"},
    {"pháp", "france"}, {"đức", "germany"}, {"ấn độ", "india"}, {"thái lan", "thailand"},
    {"campuchia", "cambodia", "cam-pu-chia"}, {"lào", "laos"}, {"đài loan", "taiwan"},
    {"philippines", "phi-líp-pin", "philippin"}, {"indonesia", "in-đô-nê-xi-a"},
    {"malaysia", "ma-lai-xi-a"}, {"singapore", "xin-ga-po", "singapo"}, {"canada", "ca-na-đa"},
    {"việt nam", "vn", "vietnam"}, {"ukraine", "ucraina", "u-crai-na"},
    {"liên minh châu âu", "eu"}, {"buôn ma thuột", "buôn mê thuột"},
]
# A capital stands for its government in news ("Washington", "Manila"): one entity.
_CAPITALS = {
    "mỹ": ["washington", "nhà trắng"], "nga": ["moscow", "matxcơva", "mát-xcơ-va", "điện kremlin", "kremlin"],
    "trung quốc": ["bắc kinh", "beijing"], "nhật bản": ["tokyo"], "anh": ["london"],
    "pháp": ["paris"], "đức": ["berlin"], "hàn quốc": ["seoul"],
    "triều tiên": ["bình nhưỡng", "pyongyang"], "philippines": ["manila"], "đài loan": ["đài bắc", "taipei"],
    "thái lan": ["bangkok"], "campuchia": ["phnom penh"], "ukraine": ["kiev", "kyiv"],
    "ấn độ": ["new delhi"], "úc": ["canberra"], "indonesia": ["jakarta"],
}
# (A capital's transliteration, "Luân Đôn" for "London", is one name spelled two ways:
# a spelling conflict, so transliterations stay out of this table.)
for _country, _cities in _CAPITALS.items():
    for _group in _SYNONYMS:
        if _country in _group:
            _group.update(_cities)
            break
    else:
        _SYNONYMS.append({_country, *_cities})
_SYNONYM_OF = {name: i for i, group in enumerate(_SYNONYMS) for name in group}
# Titles and forms of address: capitalised at a sentence start, never the name itself.
_TITLES = frozenset("ngài ông bà chị cô anh em chú bác cụ mr mrs ms miss dr sir mister".split())
_PHONETIC = [("ph", "f"), ("ck", "k"), ("kh", "k"), ("gh", "g"), ("c", "k"), ("q", "k"), ("y", "i"), ("w", "v")]


def _phonetic(s: str) -> str:
    """A rough sound key for transliterations: "Băng Cốc" ~ "Bangkok", "Béc-lin" ~ "Berlin"."""
    key = re.sub(r"[^a-z]", "", _strip_marks(s).lower())
    for x, y in _PHONETIC:
        key = key.replace(x, y)
    return key


_SKELETON = [("ph", "f"), ("ch", "k"), ("tr", "tr"), ("c", "k"), ("q", "k"), ("x", "s"), ("z", "s"), ("j", "d"), ("l", "n")]


def _skeleton(s: str) -> str:
    """Consonants only, with Vietnamese spellings of foreign sounds merged (x = s, c = k,
    l = n at syllable ends), and w/h dropped ("oa" spells w)."""
    key = re.sub(r"[^a-z]", "", _strip_marks(s).lower())
    for x, y in _SKELETON:
        key = key.replace(x, y)
    return re.sub(r"[aeiouywh]", "", key)


def _initials(tokens: tuple[str, ...]) -> str:
    """"Trung Quốc" -> "TQ", "TP Hồ Chí Minh" -> "TPHCM" (all-caps tokens count whole)."""
    return "".join(t if t.isupper() else t[:1] for t in tokens).upper()


def _is_acronym(tokens: tuple[str, ...]) -> bool:
    """Some token is written in capitals only ("LĐTB", "SCMP", "TP")."""
    return any(len(t) >= 2 and t.isupper() for t in tokens)


def _acronym(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    letters = "".join(short)
    if len(long) < 2 or not letters.isupper() or len(letters) < 2:
        return False
    return _strip_marks(letters) == _strip_marks(_initials(long))


def _forms(side: Side) -> set[str]:
    """The block alone and with one neighbour on either side, lower-cased."""
    core = " ".join(side.tokens)
    out = {core, f"{side.before} {core}".strip(), f"{core} {side.after}".strip(), f"{side.before} {core} {side.after}".strip()}
    return {x.lower() for x in out}


def _same_entity(a: Side, b: Side) -> bool:
    """Two ways of naming one entity: an acronym, a known synonym, a shorter form, a reordering."""
    if _acronym(a.tokens, b.tokens) or _acronym(b.tokens, a.tokens):
        return True
    caps_a = "".join(t for t in a.tokens if t.isupper())
    if len(caps_a) >= 2 and caps_a == "".join(t for t in b.tokens if t.isupper()):
        return True  # "Bộ LĐTB" / "LĐ-TB": the same capitals
    fa, fb = _forms(a), _forms(b)
    ga = {_SYNONYM_OF[x] for x in fa if x in _SYNONYM_OF}
    gb = {_SYNONYM_OF[x] for x in fb if x in _SYNONYM_OF}
    if ga & gb:
        return True
    # "Huyền" / "Lê Thị Thanh Huyền", "Manmohan Singh" / "Singh Manmohan": every word of one
    # side stands on the other side, in the block or right beside it.
    wa = {t.lower() for t in a.tokens}
    wb = {t.lower() for t in b.tokens}
    return wa <= wb | {b.before.lower(), b.after.lower()} or wb <= wa | {a.before.lower(), a.after.lower()}


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng


def _strip_tones(s: str) -> str:
    """Remove the five Vietnamese tone marks but keep vowel letters (ă, â, ê, ô, ơ, ư)."""
    nfd = unicodedata.normalize("NFD", s.lower())
    return unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONE_MARKS))


def _spelled_alike(a: str, b: str) -> bool:
    """Two spellings of one name rather than two names.

    * Both in plain ASCII letters: close as strings ("Alexander"/"Alexandr").
    * One in ASCII, one not: close by sound, which covers dropped diacritics
      ("Nguyễn"/"Nguyen") and Vietnamese transliterations ("Berlin"/"Béc-lin").
    * Neither: the same but for a tone mark ("Trần"/"Trân"), or one letter dropped from
      a long word ("Phiếu"/"Phếu"); a different vowel letter makes another name
      ("Hùng"/"Hưng").
    """
    la, lb = a.lower(), b.lower()
    if len(re.sub(r"\W", "", la)) < 2 or len(re.sub(r"\W", "", lb)) < 2:
        return False
    if la.isascii() and lb.isascii() and la[0] == lb[0] and indel_similarity(la, lb) >= 0.75:
        return True
    if (la.isascii() and "-" in lb) or (lb.isascii() and "-" in la):
        # A hyphenated Vietnamese transliteration keeps the consonants, not the vowels:
        # "Trump"/"Tơ-răm", "Brazil"/"Bra-xin", "Singapore"/"Xin-ga-po".
        sa, sb = _skeleton(a), _skeleton(b)
        if len(sa) >= 2 and len(sb) >= 2 and indel_similarity(sa, sb) >= 0.7:
            return True
    if la.isascii() or lb.isascii():
        ka, kb = _phonetic(a), _phonetic(b)
        return bool(ka) and bool(kb) and ka[0] == kb[0] and (ka == kb or indel_similarity(ka, kb) >= 0.75)
    ta, tb = _strip_tones(a), _strip_tones(b)
    if ta == tb:
        return True
    return ta[0] == tb[0] and min(len(ta), len(tb)) >= 4 and indel_similarity(ta, tb) >= 0.8


# Loanwords and units that Vietnamese news writes capitalised, in English or in
# Vietnamese spelling ("Top"/"Tốp", "Yen"/"Yên"): common nouns, not names.
_LOANWORDS = frozenset("top tốp yen euro show clip video fan game tour style online hot teen idol live".split())


def _common_word(side: Side) -> bool:
    """A one-word side that is a known loanword, or a unit right after a multiplier
    ("1,294 triệu Yên"): a common noun even when capitalised."""
    if len(side.tokens) != 1:
        return False
    word = side.tokens[0].lower()
    before = side.before.lower()
    return word in _LOANWORDS or (before in _MULTIPLIERS and len(before) > 2)  # not an initial "M"


def classify(a: Side, b: Side) -> tuple[str, bool] | None:
    """What an edit block is: ``(kind, is_conflict)``, or None when it is neither.

    ``is_conflict`` is False for the same fact written another way (a *variant*:
    "7,5 giờ"/"7,5 tiếng", "TQ"/"Trung Quốc"); ``kind`` says which kind of detail.

    >>> s = lambda toks, names=None, before="", after="": Side(tuple(toks), before, after, tuple(names or [False]*len(toks)), True)
    >>> classify(s(["7,5"], after="giờ"), s(["8"], after="giờ"))
    ('number', True)
    >>> classify(s(["giờ"], before="7,5"), s(["tiếng"], before="7,5"))
    ('number', False)
    >>> classify(s(["Alexander"], [True]), s(["Alexandr"], [True]))
    ('spelling', True)
    >>> classify(s(["Ryabkov"], [True], before="Sergei"), s(["Lavrov"], [True], before="Sergei"))
    ('name', True)
    >>> classify(s(["Trung", "Quốc"], [True, True]), s(["TQ"], [True]))
    ('name', False)
    """
    if not a.tokens or not b.tokens:
        return None
    qa, qb = _values(a), _values(b)
    if qa and qb:
        kind = "date" if any(q.kind == "date" for q in qa + qb) else "number"
        if sorted((q.value, q.dim) for q in qa) == sorted((q.value, q.dim) for q in qb):
            return kind, False
        if len(qa) == len(qb) and all(_same(x, y) for x, y in zip(qa, qb)):
            return kind, False
        short, long = (qa, qb) if len(qa) < len(qb) else (qb, qa)
        if len(short) < len(long) and all(_same(x, y) for x, y in zip(short, long)):
            return kind, False  # less detail on one side: "Nghị định 51" / "51/2010"
        # A long rewritten stretch that happens to hold numbers on both sides is not one
        # detail in one slot ("khóa VI nhiệm kỳ 2013-2018" / "với 45 ủy viên"), and a
        # row of figures that all differ is a table filled in for something else.
        if len(a.tokens) > 4 or len(b.tokens) > 4:
            return None
        if len(qa) >= 2 and len(qb) >= 2 and not any(_same(x, y) for x in qa for y in qb):
            return None
        return kind, True
    if qa or qb:
        return None
    if len(a.tokens) > 4 or len(b.tokens) > 4:
        return None
    # Capitalised on both sides, and written as a name on at least one: a word that opens
    # a sentence on one side is still a name when the other side shows it is one.
    if not all(a.caps or a.names) or not all(b.caps or b.names):
        return None
    if not (all(a.names) or all(b.names)):
        return None
    if all(t.lower() in _TITLES for t in a.tokens) or all(t.lower() in _TITLES for t in b.tokens):
        return None
    # An acronym against words is one entity abbreviated ("SCMP", "IPP" for "Chương trình"),
    # unless their letters clash as two acronyms would.
    if _is_acronym(a.tokens) != _is_acronym(b.tokens):
        return "name", False
    if _same_entity(a, b):
        return "name", False
    if _common_word(a) or _common_word(b):
        return None
    if _spelled_alike(a.written, b.written):
        # One word opening a sentence on both sides is a common word capitalised there
        # ("Qua báo cáo" / "Quận báo cáo"), not a name spelled two ways.
        if len(a.tokens) == 1 and len(b.tokens) == 1 and any(a.initial) and any(b.initial):
            return None
        return "spelling", True
    # One word opening a sentence or a standalone line on either side is too weak a slot
    # for a different name: a common noun ("Nhóm"/"Loại") or a byline ("Minh"/"Thanh")
    # is capitalised there.
    if (len(a.tokens) == 1 and any(a.initial)) or (len(b.tokens) == 1 and any(b.initial)):
        return None
    return "name", True
