"""Labelled edits injected into real articles, and the scorer for the conflicts overlap reports.

A case is a real article ``a`` and an edited copy ``b``.  Each injected edit carries its
sub-kind, the conflict ``kind`` it should be reported as (``None`` for a value-preserving
rewrite that must *not* be flagged), and its spans on both sides.

Flagged sub-kinds (expected conflict kind in brackets):

- ``number-vi`` [number]: a quantity changes, Vietnamese format ("5.000" -> "5.500", "7,5" -> "8,5").
- ``number-en`` [number]: the same in English format; ``a`` gets the number written
  "5,000" / "7.5" and ``b`` a different value in that format.
- ``date-dm`` [date]: day or month of "23-10", "23/10/2013" changes.
- ``date-month`` [date]: "tháng 7" -> "tháng 9".
- ``date-year`` [date]: a year changes ("2013" -> "2012").
- ``spell-drop`` [spelling]: a letter dropped from a name ("Rainsy" -> "Rainy").
- ``spell-translit`` [spelling]: a transliteration ("Putin" -> "Pu-tin", "Campuchia" -> "Cam-pu-chia").
- ``spell-tone-drop`` [spelling]: a tone mark dropped in a name ("Nguyễn" -> "Nguyên").
- ``name-swap`` [name]: a different name of the same shape in the same slot.

Value-preserving sub-kinds (must not be flagged): ``unit-synonym`` ("3 tiếng" -> "3 giờ",
"km" -> "cây số", "%" -> "phần trăm"), ``number-word`` ("2 người" -> "hai người"),
``number-scale`` ("100.000" -> "100 nghìn"), ``thousand-sep`` ("5.000" -> "5000"),
``date-format`` ("4-2016" -> "4/2016", "23/10" -> "23 tháng 10"), ``abbreviation``
("Ủy ban nhân dân" -> "UBND").

Orthographic sub-kinds (must not be flagged; expected among ``Comparison.variants`` as
"orthography"): ``spell-iy`` (final i/y in a name: "Lý" -> "Lí", "Mỹ" -> "Mĩ") and
``spell-tone-place`` (tone mark placement: "Hòa" -> "Hoà", "Thủy" -> "Thuỷ").  These are
Vietnamese spelling conventions for the *same* name ("Thụy Sỹ" = "Thụy Sĩ" in the
project brief), so overlap reports them as variants, not as conflicting details.  For
every value-preserving sub-kind the table also gives how often it was reported as a
variant.

API:

- ``inject(text, rng, n_edits=3, subs=None, counts=None) -> Case | None``: deterministic
  for a given ``random.Random`` state.
- ``build_cases(n_docs, seed=0, n_edits=3) -> list[Case]``: articles from
  ``../shared/data/baomoi`` and ``vietnamese_mds`` with edits balanced over sub-kinds.
- ``score(cases, compare=None) -> InjectScores``: a reported conflict matches an edit
  when their spans overlap on the edited side ``b``; precision per kind = reports of the
  kind matching an edit expected as that kind / all reports of the kind; recall per
  kind = edits of the kind matched by a report of the same kind; a value-preserving
  edit that gets any report counts as a false positive of the reported kind.

Cost: generation is regex work, milliseconds per article; scoring is one
``overlap.compare`` per case.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from benchmarks.quality import data_dir

__all__ = [
    "FLAGGED",
    "PRESERVING",
    "SUBKINDS",
    "Case",
    "Injected",
    "InjectScores",
    "build_cases",
    "inject",
    "load_articles",
    "score",
]

FLAGGED = {
    "number-vi": "number",
    "number-en": "number",
    "date-dm": "date",
    "date-month": "date",
    "date-year": "date",
    "spell-drop": "spelling",
    "spell-translit": "spelling",
    "spell-tone-drop": "spelling",
    "name-swap": "name",
}
# Vietnamese orthographic conventions: the same name, expected as an "orthography"
# *variant* (overlap.Comparison.variants), never as a conflict ("Thụy Sỹ" = "Thụy Sĩ").
ORTHOGRAPHIC = ("spell-iy", "spell-tone-place")
PRESERVING = ("unit-synonym", "number-word", "number-scale", "thousand-sep", "date-format", "abbreviation", *ORTHOGRAPHIC)
SUBKINDS = tuple(FLAGGED) + PRESERVING
KINDS = ("number", "date", "spelling", "name")


@dataclass(frozen=True, slots=True)
class Injected:
    """One injected edit: ``a[a_start:a_end]`` became ``b[b_start:b_end]``.

    ``kind`` is the conflict kind it should be reported as, or ``None`` when the rewrite
    keeps the value and must not be flagged.
    """

    sub: str
    kind: str | None
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Case:
    """An article ``a``, its edited copy ``b`` and the edits that turn one into the other."""

    doc: str
    a: str
    b: str
    edits: tuple[Injected, ...]


@dataclass(frozen=True, slots=True)
class _Site:
    start: int
    end: int
    a_new: str  # text for side a (usually the original text itself)
    b_new: str  # text for side b


# --- small language tables -----------------------------------------------------------

_UPPER = "A-ZÀ-ỸĐ"
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}  # huyền, sắc, hỏi, ngã, nặng
_TRANSLIT = [
    ("Campuchia", "Cam-pu-chia"),
    ("Phnom Penh", "Phnôm Pênh"),
    ("Putin", "Pu-tin"),
    ("Obama", "Ô-ba-ma"),
    ("Washington", "Oa-sinh-tơn"),
    ("Moscow", "Mát-xcơ-va"),
    ("Matxcơva", "Mát-xcơ-va"),
    ("Paris", "Pa-ri"),
    ("London", "Luân Đôn"),
    ("Ukraine", "U-crai-na"),
    ("Syria", "Xy-ri"),
    ("Iran", "I-ran"),
    ("Israel", "I-xra-en"),
    ("Malaysia", "Ma-lai-xi-a"),
    ("Indonesia", "In-đô-nê-xi-a"),
    ("Philippines", "Phi-líp-pin"),
    ("Myanmar", "Mi-an-ma"),
    ("Singapore", "Xin-ga-po"),
    ("Australia", "Ô-xtrây-li-a"),
    ("Brazil", "Bra-xin"),
    ("Mexico", "Mê-hi-cô"),
    ("Afghanistan", "Áp-ga-ni-xtan"),
    ("Pakistan", "Pa-ki-xtan"),
    ("Iraq", "I-rắc"),
    ("Berlin", "Béc-lin"),
    ("Bangkok", "Băng Cốc"),
    ("Tokyo", "Tô-ki-ô"),
    ("Seoul", "Xơ-un"),
    ("Merkel", "Méc-ken"),
    ("Hun Sen", "Hun Xen"),
    ("Rainsy", "Rên-xi"),
    ("Trump", "Tơ-răm"),
]
_ABBREV = [
    ("Ủy ban nhân dân", "UBND"),
    ("Uỷ ban nhân dân", "UBND"),
    ("Hội đồng nhân dân", "HĐND"),
    ("Liên Hợp Quốc", "LHQ"),
    ("Liên hợp quốc", "LHQ"),
    ("Liên Hiệp Quốc", "LHQ"),
    ("Thành phố Hồ Chí Minh", "TP.HCM"),
    ("TP Hồ Chí Minh", "TP.HCM"),
    ("Cảnh sát giao thông", "CSGT"),
    ("cảnh sát giao thông", "CSGT"),
    ("Trung học phổ thông", "THPT"),
    ("trung học phổ thông", "THPT"),
    ("Đồng bằng sông Cửu Long", "ĐBSCL"),
    ("Bảo hiểm xã hội", "BHXH"),
    ("bảo hiểm xã hội", "BHXH"),
    ("Bảo hiểm y tế", "BHYT"),
    ("bảo hiểm y tế", "BHYT"),
    ("Công an nhân dân", "CAND"),
    ("Hợp tác xã", "HTX"),
    ("hợp tác xã", "HTX"),
    ("Trung Quốc", "TQ"),
]
_NUM_WORDS = {2: "hai", 3: "ba", 4: "bốn", 6: "sáu", 7: "bảy", 8: "tám", 9: "chín", 10: "mười"}
_WORD_NUMS = {w: n for n, w in _NUM_WORDS.items() if w != "ba"}  # "ba" is also "father"
_COUNTED = (
    "người|ngày|tháng|năm|lần|chiếc|con|tuần|phút|giờ|km|bên|nước|đội|trận|bàn|tỷ|triệu|nghìn|ngàn|căn|vụ|xe|"
    "tầng|mét|cây|ca|nhóm|loại|đợt|vòng|lớp|trường|tỉnh|huyện|xã|đơn vị|đối tượng|thành viên|học sinh|trẻ"
)
_DATE_WORDS = re.compile(r"(?:ngày|tháng|năm|lúc|số|thứ|đoạn|khoản|điều|quý|lớp|kỳ|khóa|khoá)\s*$", re.IGNORECASE)


# --- site finders: each returns the candidate edits of one sub-kind ------------------


def _vi_number(text: str) -> Iterable[tuple[int, int, str]]:
    """Standalone numbers ("5", "5.000", "7,5") that are not part of a date, a code or a year."""
    for m in re.finditer(r"(?<![\w.,/:-])(\d{1,3}(?:\.\d{3})+|\d+,\d+|\d+)(?![\w/:-]|[.,]\d)", text):
        tok = m.group(1)
        if re.fullmatch(r"(19|20)\d\d", tok):
            continue
        if (m.start() == 0 or text[m.start() - 1] == "\n") and text[m.end() : m.end() + 1] in ".)":
            continue  # a list marker ("1. ..."), not a quantity
        if _DATE_WORDS.search(text[max(0, m.start() - 8) : m.start()]):
            continue
        yield m.start(1), m.end(1), tok


def _parse_vi(tok: str) -> tuple[int, int | None]:
    """(integer part, decimal digit) of a Vietnamese-format number."""
    if "," in tok:
        whole, dec = tok.split(",")
        return int(whole.replace(".", "")), int(dec) if len(dec) == 1 else None
    return int(tok.replace(".", "")), None


def _fmt_thousands(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def _changed_value(n: int, rng: random.Random) -> int:
    if n < 20:
        return n + rng.choice([1, 2, 3]) if n < 3 else n + rng.choice([-2, -1, 1, 2, 3])
    if n < 1000:
        return n + rng.choice([-1, 1]) * max(1, n // rng.choice([4, 5, 10]))
    return int(round(n * rng.choice([0.5, 0.8, 1.2, 1.5, 2, 8]), -(len(str(n)) - 2)))


def _sites_number_vi(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for s, e, tok in _vi_number(text):
        whole, dec = _parse_vi(tok)
        if "," in tok:
            if dec is None:
                continue
            new = f"{whole},{(dec + rng.choice([2, 3, 4])) % 10}" if rng.random() < 0.5 else f"{whole + 1},{dec}"
        else:
            v = _changed_value(whole, rng)
            new = _fmt_thousands(v, ".") if "." in tok or v >= 10000 else str(v)
        if new != tok:
            out.append(_Site(s, e, tok, new))
    return out


def _sites_number_en(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for s, e, tok in _vi_number(text):
        whole, dec = _parse_vi(tok)
        if "," in tok and dec is not None:
            out.append(_Site(s, e, f"{whole}.{dec}", f"{whole}.{(dec + rng.choice([2, 3, 4])) % 10}"))
        elif "." in tok:
            v = _changed_value(whole, rng)
            if v != whole and v >= 1000:
                out.append(_Site(s, e, _fmt_thousands(whole, ","), _fmt_thousands(v, ",")))
    return out


_DM = re.compile(r"(?<![\w/.,-])(\d{1,2})([/-])(\d{1,2})(?:([/-])((?:19|20)\d\d))?(?![\w/-]|[.,]\d)")
_MY = re.compile(r"(?<![\w/.,-])(\d{1,2})([/-])((?:19|20)\d\d)(?![\w/-]|[.,]\d)")


def _sites_date_dm(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for m in _DM.finditer(text):
        d, mo = int(m.group(1)), int(m.group(3))
        if not (1 <= d <= 31 and 1 <= mo <= 12):
            continue
        if rng.random() < 0.6:
            nd = d + rng.choice([1, 2, 3]) if d <= 25 else d - rng.choice([2, 3, 5])
            new = f"{nd}{m.group(2)}{m.group(3)}"
        else:
            nm = mo % 12 + 1
            new = f"{m.group(1)}{m.group(2)}{nm}"
        if m.group(5):
            new += m.group(4) + m.group(5)
        out.append(_Site(m.start(), m.end(), m.group(0), new))
    return out


def _sites_date_month(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for m in re.finditer(r"(?<!\w)(tháng|Tháng)\s+(\d{1,2})(?![\w/:-]|[.,]\d)", text):
        mo = int(m.group(2))
        if 1 <= mo <= 12:
            nm = (mo + rng.choice([1, 2, 4]) - 1) % 12 + 1
            out.append(_Site(m.start(2), m.end(2), m.group(2), str(nm)))
    return out


def _sites_date_year(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for m in re.finditer(r"(?<![\d.,])((?:19[5-9]|20[0-3])\d)(?![\d]|[.,]\d)", text):
        y = int(m.group(1))
        out.append(_Site(m.start(1), m.end(1), m.group(1), str(y + rng.choice([-2, -1, 1]))))
    return out


def _names(text: str, min_words: int = 1, max_words: int = 4) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Runs of capitalised words (proper names), skipping sentence-initial capitals."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    runs: list[list[tuple[int, int]]] = []
    for s, e in words:
        w = text[s:e]
        cap = w[0].isupper() and not w.isupper()
        if not cap:
            runs.append([])
            continue
        if runs and runs[-1] and text[runs[-1][-1][1] : s] == " ":
            runs[-1].append((s, e))
        else:
            runs.append([(s, e)])
    out = []
    for run in runs:
        if not run:
            continue
        before = text[: run[0][0]].rstrip(" ")
        if not before or before[-1] in ".!?\n:\"“”'(-–—…":
            run = run[1:]  # sentence-initial: the first capital may be grammar, not a name
        if min_words <= len(run) <= max_words:
            out.append((run[0][0], run[-1][1], run))
    return out


def _nfd_tone_drop(word: str) -> str | None:
    nfd = unicodedata.normalize("NFD", word)
    idx = [i for i, c in enumerate(nfd) if c in _TONES]
    if not idx:
        return None
    i = idx[0]
    return unicodedata.normalize("NFC", nfd[:i] + nfd[i + 1 :])


def _sites_spell_drop(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for _, _, run in _names(text, 1, 4):
        for s, e in run:
            w = text[s:e]
            if len(w) >= 5 and "-" not in w:
                i = rng.randrange(1, len(w) - 1)
                new = w[:i] + w[i + 1 :]
                if new.lower() != w.lower():
                    out.append(_Site(s, e, w, new))
    return out


def _sites_spell_translit(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for latin, viet in _TRANSLIT:
        for src, dst in ((latin, viet), (viet, latin)):
            for m in re.finditer(rf"(?<!\w){re.escape(src)}(?!\w)", text):
                out.append(_Site(m.start(), m.end(), src, dst))
    return out


_IY = re.compile(r"^([BCDĐGHKLMNPRSTVX][bcdđghklmnprstvx]?)([iíìỉĩịyýỳỷỹỵ])$")
_I2Y = str.maketrans("iíìỉĩịyýỳỷỹỵ", "yýỳỷỹỵiíìỉĩị")


def _sites_spell_iy(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for _, _, run in _names(text, 1, 4):
        for s, e in run:
            m = _IY.match(text[s:e])
            if m:
                out.append(_Site(s, e, m.group(0), m.group(1) + m.group(2).translate(_I2Y)))
    return out


_OLD_TONE = re.compile(r"([òóỏõọ])([ae])$|([ùúủũụ])(y)$")
_NEW_TONE = re.compile(r"o([àáảãạèéẻẽẹ])$|u([ỳýỷỹỵ])$")
_TONE_ROWS = {"o": "òóỏõọ", "u": "ùúủũụ", "a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ"}


def _swap_tone_place(w: str) -> str | None:
    if w.lower().startswith("qu"):
        return None
    m = _OLD_TONE.search(w)
    if m:
        if m.group(1):
            t = _TONE_ROWS["o"].index(m.group(1))
            return w[: m.start()] + "o" + _TONE_ROWS[m.group(2)][t]
        t = _TONE_ROWS["u"].index(m.group(3))
        return w[: m.start()] + "u" + _TONE_ROWS["y"][t]
    m = _NEW_TONE.search(w)
    if m:
        if m.group(1):
            row = "a" if m.group(1) in _TONE_ROWS["a"] else "e"
            t = _TONE_ROWS[row].index(m.group(1))
            return w[: m.start()] + _TONE_ROWS["o"][t] + row
        t = _TONE_ROWS["y"].index(m.group(2))
        return w[: m.start()] + _TONE_ROWS["u"][t] + "y"
    return None


def _sites_spell_tone_place(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for _, _, run in _names(text, 1, 4):
        for s, e in run:
            new = _swap_tone_place(text[s:e])
            if new:
                out.append(_Site(s, e, text[s:e], new))
    return out


def _sites_spell_tone_drop(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for s0, e0, run in _names(text, 2, 4):
        if not _is_person(text[s0:e0]):
            continue  # titles like "Bà" -> "Ba" would become other words ("three")
        for s, e in run:
            new = _nfd_tone_drop(text[s:e])
            if new and new != text[s:e]:
                out.append(_Site(s, e, text[s:e], new))
    return out


_SURNAMES = frozenset(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Lương Mai Đào Cao Tạ Hà"
    " Lâm Tô Chu Đoàn Kiều Quách Thái Triệu Lưu Tăng La Vương Châu Văn".split()
)


# Surnames that also start place names ("Hà Nội", "Thái Bình", "Hoàng Sa", "Châu Âu"):
# a two-syllable name starting with one of these is not taken for a person.
_PLACE_PREFIXES = frozenset("Hà Thái Hồ Hoàng Lâm Châu La Cao Triệu Mai Tô Chu Văn Lý".split())
_NOT_PERSONS = frozenset({"Hồ Chí Minh", "Thái Bình Dương", "Hoàng Sa", "Trường Sa", "Lý Sơn", "Hà Nội"})


def _is_person(name: str) -> bool:
    """A Vietnamese personal name: a common surname, then 1-3 more syllables."""
    words = name.split()
    if not (2 <= len(words) <= 4) or words[0] not in _SURNAMES or name in _NOT_PERSONS:
        return False
    if len(words) == 2 and words[0] in _PLACE_PREFIXES:
        return False
    return all(w[0].isupper() for w in words)


def _sites_name_swap(text: str, rng: random.Random, pool: Sequence[str] = ()) -> list[_Site]:
    """Vietnamese personal names replaced by another person's name of the same length,
    sharing no syllable with it (a different person, not a spelling)."""
    out = []
    by_len: dict[int, list[str]] = defaultdict(list)
    for name in pool:
        if _is_person(name):
            by_len[name.count(" ") + 1].append(name)
    for s, e, run in _names(text, 2, 4):
        name = text[s:e]
        if not _is_person(name):
            continue
        words = set(name.lower().split())
        options = [p for p in by_len.get(len(run), ()) if p not in text and not (set(p.lower().split()) & words)]
        if options:
            out.append(_Site(s, e, name, rng.choice(options)))
    return out


def _sites_unit_synonym(text: str, rng: random.Random) -> list[_Site]:
    out = []
    num = r"\d+(?:[.,]\d+)?"
    for m in re.finditer(rf"(?<![\w.,]){num}\s+(tiếng)(?!\w)", text):
        out.append(_Site(m.start(1), m.end(1), "tiếng", "giờ"))
    for m in re.finditer(rf"(?:trong|mất|sau|gần|hơn|suốt|khoảng)\s+{num}\s+(giờ)(?!\w)", text):
        if not re.match(r"\s*(sáng|chiều|tối|trưa|đêm|\d)", text[m.end() :]):
            out.append(_Site(m.start(1), m.end(1), "giờ", "tiếng"))
    for m in re.finditer(rf"(?<![\w.,]){num}\s*(km)(?!\w|/)", text):
        out.append(_Site(m.start(1), m.end(1), "km", "cây số"))
    for m in re.finditer(rf"(?<![\w.,]){num}(%)", text):
        out.append(_Site(m.start(1), m.end(1), "%", " phần trăm"))
    for m in re.finditer(rf"(?<![\w.,]){num}\s+(USD)(?!\w)", text):
        out.append(_Site(m.start(1), m.end(1), "USD", "đô la Mỹ"))
    return out


def _sites_number_word(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for m in re.finditer(rf"(?<![\w.,/:-])(\d{{1,2}})\s+(?={_COUNTED})", text):
        n = int(m.group(1))
        if n in _NUM_WORDS and not _DATE_WORDS.search(text[max(0, m.start() - 8) : m.start()]):
            out.append(_Site(m.start(1), m.end(1), m.group(1), _NUM_WORDS[n]))
    for m in re.finditer(rf"(?<!\w)({'|'.join(_WORD_NUMS)})\s+(?={_COUNTED})", text):
        if not _DATE_WORDS.search(text[max(0, m.start() - 8) : m.start()]):
            out.append(_Site(m.start(1), m.end(1), m.group(1), str(_WORD_NUMS[m.group(1)])))
    return out


def _sites_number_scale(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for m in re.finditer(r"(?<![\w.,/-])(\d{1,3})\.000(\.000)?(?![\w/-]|[.,]\d)", text):
        if _DATE_WORDS.search(text[max(0, m.start() - 8) : m.start()]):
            continue
        out.append(_Site(m.start(), m.end(), m.group(0), f"{m.group(1)} {'triệu' if m.group(2) else 'nghìn'}"))
    for m in re.finditer(r"(?<![\w.,/-])(\d{1,3})\s+(nghìn|ngàn|triệu)(?!\w)", text):
        if m.group(2) == "triệu" and re.match(r"\s+đồng", text[m.end() :]) is None and rng.random() < 0.5:
            continue
        zeros = ".000.000" if m.group(2) == "triệu" else ".000"
        out.append(_Site(m.start(), m.end(), m.group(0), m.group(1) + zeros))
    return out


def _sites_thousand_sep(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for s, e, tok in _vi_number(text):
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", tok):
            out.append(_Site(s, e, tok, tok.replace(".", "")))
        elif re.fullmatch(r"\d{5,}", tok):
            out.append(_Site(s, e, tok, _fmt_thousands(int(tok), ".")))
    return out


def _sites_date_format(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for m in _DM.finditer(text):
        d, mo = int(m.group(1)), int(m.group(3))
        if not (1 <= d <= 31 and 1 <= mo <= 12):
            continue
        sep = "/" if m.group(2) == "-" else "-"
        tail = f"{sep}{m.group(5)}" if m.group(5) else ""
        if re.search(r"ngày\s+$", text[max(0, m.start() - 6) : m.start()]) and not tail and rng.random() < 0.5:
            out.append(_Site(m.start(), m.end(), m.group(0), f"{m.group(1)} tháng {m.group(3)}"))
        else:
            out.append(_Site(m.start(), m.end(), m.group(0), f"{m.group(1)}{sep}{m.group(3)}{tail}"))
    for m in _MY.finditer(text):
        if 1 <= int(m.group(1)) <= 12:
            sep = "/" if m.group(2) == "-" else "-"
            out.append(_Site(m.start(), m.end(), m.group(0), f"{m.group(1)}{sep}{m.group(3)}"))
    return out


def _sites_abbreviation(text: str, rng: random.Random) -> list[_Site]:
    out = []
    for full, short in _ABBREV:
        for m in re.finditer(rf"(?<!\w){re.escape(full)}(?!\w)", text):
            out.append(_Site(m.start(), m.end(), full, short))
    fulls: dict[str, str] = {}
    for full, short in _ABBREV:
        if full[0].isupper():
            fulls.setdefault(short, full)
    for short, full in fulls.items():
        for m in re.finditer(rf"(?<![\w.]){re.escape(short)}(?![\w.])", text):
            out.append(_Site(m.start(), m.end(), short, full))
    return out


_FINDERS: dict[str, Callable[..., list[_Site]]] = {
    "number-vi": _sites_number_vi,
    "number-en": _sites_number_en,
    "date-dm": _sites_date_dm,
    "date-month": _sites_date_month,
    "date-year": _sites_date_year,
    "spell-drop": _sites_spell_drop,
    "spell-translit": _sites_spell_translit,
    "spell-iy": _sites_spell_iy,
    "spell-tone-place": _sites_spell_tone_place,
    "spell-tone-drop": _sites_spell_tone_drop,
    "name-swap": _sites_name_swap,
    "unit-synonym": _sites_unit_synonym,
    "number-word": _sites_number_word,
    "number-scale": _sites_number_scale,
    "thousand-sep": _sites_thousand_sep,
    "date-format": _sites_date_format,
    "abbreviation": _sites_abbreviation,
}


# --- generation ------------------------------------------------------------------------


def inject(
    text: str,
    rng: random.Random,
    *,
    n_edits: int = 3,
    subs: Sequence[str] | None = None,
    counts: Counter[str] | None = None,
    name_pool: Sequence[str] = (),
    min_gap: int = 80,
    doc: str = "",
) -> Case | None:
    """Inject up to ``n_edits`` edits of different sub-kinds into ``text``.

    Sub-kinds are tried least-used first (by ``counts``, which is updated), so a corpus
    built article by article stays balanced.  Edits are at least ``min_gap`` characters
    apart, so each sits in its own stretch of text.  Returns ``None`` when no site fits.
    """
    subs = list(subs or SUBKINDS)
    for s in subs:
        if s not in _FINDERS:
            raise ValueError(f"unknown sub-kind {s!r}; expected one of {SUBKINDS}")
    counts = counts if counts is not None else Counter()
    order = sorted(subs, key=lambda s: (counts[s], rng.random()))
    chosen: list[tuple[str, _Site]] = []
    for sub in order:
        if len(chosen) >= n_edits:
            break
        finder = _FINDERS[sub]
        sites = finder(text, rng, name_pool) if sub == "name-swap" else finder(text, rng)
        sites = [
            s
            for s in sites
            if all(s.end + min_gap <= c.start or c.end + min_gap <= s.start for _, c in chosen)
        ]
        if sites:
            chosen.append((sub, rng.choice(sites)))
            counts[sub] += 1
    if not chosen:
        return None
    chosen.sort(key=lambda x: x[1].start)
    a_parts, b_parts, edits = [], [], []
    pos = a_len = b_len = 0
    for sub, site in chosen:
        keep = text[pos : site.start]
        a_parts += [keep, site.a_new]
        b_parts += [keep, site.b_new]
        a0, b0 = a_len + len(keep), b_len + len(keep)
        a_len, b_len = a0 + len(site.a_new), b0 + len(site.b_new)
        edits.append(Injected(sub, FLAGGED.get(sub), a0, a_len, b0, b_len, site.a_new, site.b_new))
        pos = site.end
    a_parts.append(text[pos:])
    b_parts.append(text[pos:])
    return Case(doc, "".join(a_parts), "".join(b_parts), tuple(edits))


def load_articles(limit_per_source: int | None = None, *, min_chars: int = 600, max_chars: int = 8000) -> list[tuple[str, str]]:
    """``(id, text)`` of the baomoi articles and vietnamese_mds bodies, sorted by id."""
    out = []
    bm, mds = data_dir("baomoi"), data_dir("vietnamese_mds")
    if bm is not None:
        files = sorted(bm.glob("*.txt"))[:limit_per_source]
        out += [(f"baomoi/{f.name}", f.read_text(encoding="utf-8")) for f in files]
    if mds is not None:
        files = sorted(mds.glob("cluster_*/*.body.txt"))[:limit_per_source]
        out += [(f"vietnamese_mds/{f.parent.name}/{f.name}", f.read_text(encoding="utf-8")) for f in files]
    return [(i, t) for i, t in out if min_chars <= len(t) <= max_chars]


def _name_pool(articles: Sequence[tuple[str, str]]) -> list[str]:
    pool = set()
    for _, text in articles:
        for s, e, _ in _names(text, 2, 4):
            name = text[s:e]
            if _is_person(name):
                pool.add(name)
    return sorted(pool)


def build_cases(
    n_docs: int, seed: int = 0, *, n_edits: int = 3, subs: Sequence[str] | None = None,
    articles: Sequence[tuple[str, str]] | None = None,
) -> list[Case]:
    """``n_docs`` cases from real articles, deterministic for ``seed``."""
    rng = random.Random(seed)
    articles = list(articles if articles is not None else load_articles())
    if not articles:
        raise FileNotFoundError("no articles: ../shared/data/baomoi and vietnamese_mds not found")
    pool = _name_pool(articles[:: max(1, len(articles) // 400)])
    rng.shuffle(articles)
    counts: Counter[str] = Counter()
    cases = []
    for doc, text in articles:
        if len(cases) >= n_docs:
            break
        case = inject(text, rng, n_edits=n_edits, subs=subs, counts=counts, name_pool=pool, doc=doc)
        if case is not None:
            cases.append(case)
    return cases


# --- scoring ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    """A conflict overlap reported in a case, and what it matched."""

    doc: str
    kind: str
    a_text: str
    b_text: str
    matched_sub: str | None  # sub-kind of the injected edit it overlaps, None if spurious
    correct: bool


@dataclass(frozen=True, slots=True)
class InjectScores:
    """Per-kind precision/recall, per-sub-kind detection rates, and the misses and false alarms."""

    precision: dict[str, float]
    recall: dict[str, float]
    reports: dict[str, int]
    injected: dict[str, int]
    sub_rate: dict[str, float]  # flagged sub-kinds: recall; preserving: rate of being flagged
    sub_total: dict[str, int]
    variant_rate: dict[str, float] = field(default_factory=dict)  # preserving: rate reported as a variant
    false_positives: tuple[Report, ...] = field(default=())
    false_negatives: tuple[tuple[str, Injected], ...] = field(default=())
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)


def _overlaps(s0: int, e0: int, s1: int, e1: int) -> bool:
    return s0 < e1 and s1 < e0 or (s0 == e0 and s1 <= s0 <= e1) or (s1 == e1 and s0 <= s1 <= e0)


def score(
    cases: Sequence[Case], compare: Callable[[str, str], object] | None = None, *, min_confidence: float = 0.0
) -> InjectScores:
    """Run ``compare(case.a, case.b)`` (default ``overlap.compare``) and score its conflicts
    (those with ``confidence >= min_confidence``: the default report shows 0.7 and up)."""
    if compare is None:
        import overlap

        compare = overlap.compare
    tp: Counter[str] = Counter()
    rep: Counter[str] = Counter()
    inj: Counter[str] = Counter()
    hit_kind: Counter[str] = Counter()
    sub_hit: Counter[str] = Counter()
    sub_total: Counter[str] = Counter()
    fps: list[Report] = []
    fns: list[tuple[str, Injected]] = []
    confusion: Counter[tuple[str, str]] = Counter()
    variant_hit: Counter[str] = Counter()
    for case in cases:
        result = compare(case.a, case.b)
        conflicts = [c for c in result.conflicts if getattr(c, "confidence", 1.0) >= min_confidence]  # type: ignore[attr-defined]
        for i, e in enumerate(case.edits):
            if e.kind is None and any(
                _overlaps(v.b.start, v.b.end, e.b_start, e.b_end) for v in getattr(result, "variants", ())
            ):
                variant_hit[e.sub] += 1
        matched: dict[int, set[str]] = defaultdict(set)
        for c in conflicts:
            rep[c.kind] += 1
            hits = [i for i, e in enumerate(case.edits) if _overlaps(c.b.start, c.b.end, e.b_start, e.b_end)]
            for i in hits:
                matched[i].add(c.kind)
            good = [i for i in hits if case.edits[i].kind == c.kind]
            if good:
                tp[c.kind] += 1
            else:
                sub = case.edits[hits[0]].sub if hits else None
                fps.append(Report(case.doc, c.kind, c.a_text, c.b_text, sub, False))
            for i in hits:
                confusion[(case.edits[i].sub, c.kind)] += 1
        for i, e in enumerate(case.edits):
            sub_total[e.sub] += 1
            if e.kind is None:
                if matched[i]:
                    sub_hit[e.sub] += 1
                continue
            inj[e.kind] += 1
            if e.kind in matched[i]:
                hit_kind[e.kind] += 1
                sub_hit[e.sub] += 1
            else:
                fns.append((case.doc, e))
    precision = {k: (tp[k] / rep[k] if rep[k] else float("nan")) for k in KINDS}
    recall = {k: (hit_kind[k] / inj[k] if inj[k] else float("nan")) for k in KINDS}
    sub_rate = {s: sub_hit[s] / sub_total[s] for s in SUBKINDS if sub_total[s]}
    variant_rate = {s: variant_hit[s] / sub_total[s] for s in PRESERVING if sub_total[s]}
    return InjectScores(
        precision, recall, dict(rep), dict(inj), sub_rate, dict(sub_total),
        variant_rate=variant_rate, false_positives=tuple(fps), false_negatives=tuple(fns), confusion=dict(confusion),
    )


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description="inject labelled edits into real articles and score conflicts")
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if data_dir("baomoi") is None and data_dir("vietnamese_mds") is None:
        print("skipped: ../shared/data/baomoi and vietnamese_mds not found")
        return 0
    cases = build_cases(args.docs, args.seed)
    from overlap.confidence import DEFAULT_MIN_CONFIDENCE

    shown = score(cases, min_confidence=DEFAULT_MIN_CONFIDENCE)
    for k in KINDS:
        print(f"{k:9s} at confidence >= {DEFAULT_MIN_CONFIDENCE}: precision={shown.precision[k]:.3f} recall={shown.recall[k]:.3f}")
    res = score(cases)
    for k in KINDS:
        print(f"{k:9s} precision={res.precision[k]:.3f} recall={res.recall[k]:.3f} "
              f"reports={res.reports.get(k, 0)} injected={res.injected.get(k, 0)}")
    for s, r in res.sub_rate.items():
        print(f"  {s:18s} {'flagged' if s in PRESERVING else 'found'}={r:.3f} n={res.sub_total[s]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
