"""How sure a reported conflict is: a confidence in [0, 1], a reason and an explanation.

A conflict is only worth a fact-checker's time when both sides state *the same fact*
and differ in its value.  ``assess`` looks at each conflict ``overlap.conflicts`` found
and asks, in this order (cheapest and surest first):

1. Is it the same value written another way?  Then it becomes a ``Variant`` with its
   reason: another date separator or less detail ("26/1" / "26.1", "tháng 8/2008" /
   "ngày 20/8/2008"), a rounded figure ("159 tỉ" / "159.232.985.000"), compatible
   approximations ("trên 3,15 tỷ" / "hơn 3,1 tỉ"), an age against a birth year ("SN 1989"
   / "29 tuổi"), a Roman numeral or ordinal ("quý III" / "quý 3"), spacing or
   hyphenation ("VH-TT" / "VHTT", "201 2" / "2012"), an anonymised initial ("anh H." /
   "anh Hải") or an abbreviation found in full on the other side.
2. Otherwise, how well do the two sides frame the same slot?  The confidence grows with
   the words shared right before and after the value on both sides (slot agreement) and
   with the similarity of the aligned passage, and falls when other figures nearby
   differ too (a template filled in for something else: spec sheets, price and sports
   tables, legal scales of penalties), when the pair holds many differing figures, when
   the value sits on a short standalone line (bylines, headline lists), or when both
   sides are acronyms or both names appear in both texts (naming, not a fact).

``DEFAULT_MIN_CONFIDENCE`` is the level reports show by default.

- ``assess(a, b, passages, conflicts, variants) -> (conflicts, variants)``: the records
  with ``confidence``, ``reason`` and ``explanation`` filled in; conflicts that are the
  same value written another way move to the variants.

Cost: a few regex scans of about 300 characters around each conflict, linear in the
number of conflicts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from itertools import islice

from .quantities import age_and_birth_year, compact, date_parts, readings, rounded, values
from .records import Conflict, Passage, Variant

__all__ = ["DEFAULT_MIN_CONFIDENCE", "assess"]

DEFAULT_MIN_CONFIDENCE = 0.7

_TOKEN = re.compile(r"\w+(?:[.,/]\w+)*")
_PARTS = re.compile(r"\w+(?:[.,]\d+)*")  # "III/2016" -> "III", "2016"
_WINDOW = 300  # characters read on each side of a conflict
_SLOT = 6  # shared words counted on each side of the slot
_LINE_MAX = 2000  # characters of a conflict's line read on each side
_NEAR = 12  # words on each side where other differing figures betray a template
_NUMBER_WORDS = frozenset(
    "một hai ba bốn tư năm sáu bảy tám chín mười mươi lăm trăm nghìn triệu tỷ tỉ "
    "one two three four five six seven eight nine ten eleven twelve hundred thousand million billion".split()
)
_APPROX = {
    "hơn": "over", "trên": "over", "over": "over", "more": "over", "gần": "under", "dưới": "under",
    "nearly": "under", "almost": "under", "under": "under", "khoảng": "about", "about": "about",
    "around": "about", "chừng": "about", "roughly": "about", "approximately": "about",
}
# A different name in one slot is, in independent reports, most often a different
# statement (another official quoted, another city's shops), so names start lower.
_PRIOR = {"spelling": 0.95, "number": 0.95, "date": 0.95, "name": 0.65}
_ATTRIBUTION = frozenset({"pv", "phóng viên", "ptv", "reporter", "chúng tôi", "nhóm pv"})
_DETAIL = re.compile(r"^\W*([A-ZÀ-ỸĐ])\W*$")


def _before(text: str, pos: int, n: int) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text[max(0, pos - _WINDOW) : pos])][-n:][::-1]


def _run(x: list[str], y: list[str]) -> int:
    """Length of the common run at the start of two token lists."""
    k = 0
    for p, q in zip(x, y):
        if p != q:
            break
        k += 1
    return k


def _figures(tokens: list[str]) -> Counter[str]:
    # A token of letters only holds no digit: most tokens skip the per-character test.
    return Counter(t.lower() for t in tokens if t in _NUMBER_WORDS or (not t.isalpha() and any(c.isdigit() for c in t)))


def _around(text: str, start: int, end: int) -> tuple[list[str], list[str]]:
    """The tokens of the ``_WINDOW`` characters before ``start`` and after ``end``, found
    once for the slot words and the figures nearby."""
    return _TOKEN.findall(text[max(0, start - _WINDOW) : start]), _TOKEN.findall(text[end : end + _WINDOW])


def _lowered(tokens: list[str]) -> list[str]:
    return [t.lower() for t in tokens]


def _few_tokens(line: str, most: int = 6) -> bool:
    """``len(_TOKEN.findall(line)) <= most``, counting no further than ``most + 1``."""
    return sum(1 for _ in islice(_TOKEN.finditer(line), most + 1)) <= most


def _clause_edge(s: str) -> bool:
    """``s`` (read outward from a value) starts with clause punctuation or a line break."""
    s = s.lstrip(" ")
    return not s or s[0] in ".;:!?\n"


def _line(text: str, start: int, end: int) -> str:
    """The line around ``[start, end)``, at most ``_LINE_MAX`` characters on each side
    (a one-line document would otherwise be read whole for every conflict)."""
    lo = max(text.rfind("\n", max(0, start - _LINE_MAX), start) + 1, start - _LINE_MAX, 0)
    hi = text.find("\n", end, end + _LINE_MAX)
    return text[lo : hi if hi >= 0 else min(len(text), end + _LINE_MAX)]


def _qualifier(text: str, start: int, written: str) -> str:
    words = _before(text, start, 1) + [t.lower() for t in _TOKEN.findall(written)][:1]
    return next((_APPROX[w] for w in words if w in _APPROX), "")


def _same_value(c: Conflict, a: str, b: str) -> tuple[str, str] | None:
    """(reason, explanation) when the conflict is one value written two ways, else None."""
    at, bt = c.a_text, c.b_text
    a_wide = a[max(0, c.a.start - 40) : c.a.end + 40]
    b_wide = b[max(0, c.b.start - 40) : c.b.end + 40]
    if c.kind in ("number", "date") and age_and_birth_year(at, bt):
        return "age-vs-birth-year", f"'{at}' and '{bt}': an age and a birth year that fit together"
    if compact(at) == compact(bt) or compact(_chunk(a, c.a.start, c.a.end)) == compact(_chunk(b, c.b.start, c.b.end)):
        return "spacing", f"'{at}' and '{bt}' differ only in spaces or hyphens"
    if c.kind in ("number", "date"):
        pa, pb = date_parts(at), date_parts(bt)
        ta = [t for t in _PARTS.findall(at) if t.lower() not in {x.lower() for x in _PARTS.findall(bt)}]
        tb = [t for t in _PARTS.findall(bt) if t.lower() not in {x.lower() for x in _PARTS.findall(at)}]
        if ta and tb and len(ta) == len(tb) and all(readings(x) & readings(y) for x, y in zip(ta, tb)):
            return "numeral-form", f"'{at}' and '{bt}': the same number as a Roman numeral, ordinal or in another convention"
        if pa and pb and pa == pb:
            return "other-convention", f"'{at}' and '{bt}' are the same numbers with other separators"
        if c.kind == "date" and pa and pb and (pa[-len(pb):] == pb or pb[-len(pa):] == pa):
            return "less-detail", f"'{at}' and '{bt}': one date gives more detail, the rest agrees"
        va, vb = values(at), values(bt)
        if len(va) == 1 and len(vb) == 1:
            if rounded(va[0], vb[0]):
                return "rounded", f"'{at}' and '{bt}': one figure is the other rounded"
            qa, qb = _qualifier(a, c.a.start, at), _qualifier(b, c.b.start, bt)
            xv, yv = va[0][0], vb[0][0]
            if qa and qa == qb and xv and yv and abs(xv - yv) <= 0.05 * max(abs(xv), abs(yv)):
                return "approximation", f"'{at}' and '{bt}': two approximations that can both hold"
    fa = [t for t in at.split() if any(ch.isdigit() for ch in t)]
    fb = [t for t in bt.split() if any(ch.isdigit() for ch in t)]
    da, db = re.sub(r"\D", "", " ".join(fa)), re.sub(r"\D", "", " ".join(fb))
    if c.kind in ("number", "date") and len(da) >= 4 and da == db and not re.search(r"[^\d\s.,/-]", "".join(fa + fb)):
        return "separators", f"'{at}' and '{bt}' hold the same digits with other separators"
    if c.kind == "number":
        for x, y in ((at, bt), (bt, at)):
            band = _vague(x)
            vy = values(y)
            if band and len(vy) == 1 and band[0] <= _bare(vy[0][0], y) < band[1]:
                return "vague-quantity", f"'{x}' is a vague quantity that '{y}' falls in"
    if c.kind in ("name", "spelling"):
        if re.sub(r"[\s.&-]", "", at).lower() == re.sub(r"[\s.&-]", "", bt).lower():
            return "spacing", f"'{at}' and '{bt}' differ only in spaces, dots or '&'"
        if at.lower() + "s" == bt.lower() or bt.lower() + "s" == at.lower():
            return "plural", f"'{at}' and '{bt}': a plural ending, the same name"
        for x, y in ((at, bt), (bt, at)):
            last_x, last_y = x.split()[-1], y.split()[-1]
            # "bà H." / "bà Phúc", "Nguyễn Văn Th." / "Nguyễn Văn Thuận": an anonymised name.
            core = last_x.rstrip(".")
            if core[:1].isupper() and len(last_y) > len(core) and (len(core) == 1 or (len(core) == 2 and last_y.startswith(core))):
                return "initial", f"'{x}' shortens a name to its initial(s), as news does to anonymise"
        for x, y, tx in ((at, bt, a[c.a.end : c.a.end + 1]), (bt, at, b[c.b.end : c.b.end + 1])):
            # "anh H." / "anh Hải", "Nguyễn Văn Th." / "Nguyễn Văn Thuận": a name cut short.
            if tx == "." and y.startswith(x) and len(x) < len(y):
                return "initial", f"'{x}.' abbreviates '{y}' (an anonymised or shortened name)"
            if _DETAIL.match(x) and y[:1] == x.strip()[:1]:
                return "initial", f"'{x}' is the initial of '{y}'"
        if _acronym(at) and at in b_wide or _acronym(bt) and bt in a_wide:
            return "abbreviation", f"'{at}' and '{bt}': the abbreviation stands on the other side too"
    return None


_VAGUE = {"hàng chục": (10.0, 100.0), "hàng trăm": (100.0, 1e3), "hàng nghìn": (1e3, 1e4), "hàng ngàn": (1e3, 1e4),
          "hàng vạn": (1e4, 1e5), "hàng triệu": (1e6, 1e7), "dozens": (10.0, 100.0), "hundreds": (100.0, 1e3),
          "thousands": (1e3, 1e4), "millions": (1e6, 1e7)}


def _unit(text: str, end: int, written: str) -> str:
    """What a figure counts: the word right after the span's last figure ("23 vụ" ->
    "vụ", "26%" -> "%"), else the word after the span in the text."""
    tail = written.split()
    for i in range(len(tail) - 1, -1, -1):
        if any(ch.isdigit() for ch in tail[i]):
            words = re.findall(r"%|[^\W\d_]+", " ".join([tail[i].rsplit("(", 1)[0]] + tail[i + 1 :]))
            if words:
                return str(words[0]).lower()
            break
    nxt = re.match(r"\s*(%|[^\W\d_]+)", text[end : end + 30])
    return str(nxt.group(1)).lower() if nxt else ""


def _bare(value: float, written: str) -> float:
    """The figure without its multiplier words, which the vague side shares after it
    ("hàng trăm tỷ" / "hơn 108,3 tỷ" compare 100-1000 with 108,3)."""
    for word, mult in (("nghìn", 1e3), ("ngàn", 1e3), ("triệu", 1e6), ("tỷ", 1e9), ("tỉ", 1e9),
                       ("thousand", 1e3), ("million", 1e6), ("billion", 1e9)):
        if word in written.lower().split():
            value /= mult
    return value


def _vague(x: str) -> tuple[float, float] | None:
    """The range a vague quantity ("hàng trăm", "hundreds") allows, else None."""
    low = " ".join(x.lower().split())
    return next((band for word, band in _VAGUE.items() if word in low), None)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # the regex ``\w``


def _token_in(w: str, text: str) -> bool:
    """``w in _TOKEN.findall(text)`` for a token ``w``, without tokenising the text: some
    occurrence of ``w`` is a whole token, neither continued by a word character nor
    joined to one by a ".", "," or "/" on either side (``_TOKEN`` takes those in)."""
    n, k = len(text), len(w)
    p = text.find(w)
    while p >= 0:
        q = p + k
        if not (
            (p > 0 and _is_word_char(text[p - 1]))
            or (p > 1 and text[p - 1] in ".,/" and _is_word_char(text[p - 2]))
            or (q < n and _is_word_char(text[q]))
            or (q + 1 < n and text[q] in ".,/" and _is_word_char(text[q + 1]))
        ):
            return True
        p = text.find(w, p + 1)
    return False


def _all_in(x: str, y: str, other: str) -> bool:
    """Every word of ``x`` that ``y`` lacks stands somewhere in the other text."""
    own = set(_TOKEN.findall(y))
    return all(_token_in(w, other) for w in _TOKEN.findall(x) if w not in own)


def _acronym(s: str) -> bool:
    s = s.strip()
    return len(s) >= 2 and s.isupper() and " " not in s


def _chunk(text: str, start: int, end: int) -> str:
    """The span widened to the whole non-space run around it ("VH-[TT]" -> "VH-TT")."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end].rstrip(".,;:!?)\"'").lstrip("(\"'")


_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n")
# A quote that moves during the day: gold and currency prices, listed rates.
_LIVE_QUOTE = re.compile(r"niêm yết|/lượng|/ounce|/oz\b|tỷ giá|tỉ giá|exchange rate|per ounce|an ounce", re.IGNORECASE)
_DATED = re.compile(r"\b\d{1,2}[/-]\d{1,2}\b|\bphiên\b|\bsession\b|\bclosed?\b", re.IGNORECASE)
# A time reference relative to the day of writing: "tuần tới" / "tuần này", "next week".
_RELATIVE_TIME = re.compile(
    r"\b(tuần|tháng|năm|ngày|quý|hôm|kỳ)\s+(tới|này|trước|sau|qua|nay|ngoái)\b"
    r"|\b(this|next|last|previous|coming)\s+(week|month|year|quarter)\b",
    re.IGNORECASE,
)


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence (or line) holding ``text[start:end]``."""
    lo = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - _WINDOW), start)), default=max(0, start - _WINDOW))
    m = _SENTENCE_END.search(text, end, end + _WINDOW)
    return text[lo : m.start() if m else min(len(text), end + _WINDOW)]


def _time_bound(c: Conflict, a: str, b: str, conf: float, reason: str, notes: list[str]) -> tuple[float, str]:
    """Lower the confidence of a figure that both sides may state truly at different
    times: a live price quote (gold, currency) that no date or trading session pins
    down, or a sentence whose relative time reference differs ("tuần tới" / "tuần này")."""
    sa, sb = _sentence(a, c.a.start, c.a.end), _sentence(b, c.b.start, c.b.end)
    # Both pinned to the same session ("chốt phiên 23/10"): one close, a fact.
    dated = {m.lower() for m in _DATED.findall(sa)}
    dated = dated if dated == {m.lower() for m in _DATED.findall(sb)} else set()
    if _LIVE_QUOTE.search(sa) and _LIVE_QUOTE.search(sb) and not dated:
        notes.append("a live price quote, read at different times")
        return conf * 0.3, "live quote"
    ta = {" ".join(m.group(0).lower().split()) for m in _RELATIVE_TIME.finditer(sa)}
    tb = {" ".join(m.group(0).lower().split()) for m in _RELATIVE_TIME.finditer(sb)}
    if ta and tb and ta != tb:
        notes.append(f"the sentences refer to other times ({', '.join(sorted(ta ^ tb))})")
        return conf * 0.3, "different time reference"
    return conf, reason


def _score(c: Conflict, a: str, b: str, passage: Passage | None, figures_in_pair: int) -> tuple[float, str, str]:
    """(confidence, reason, explanation) of a conflict that is not a variant."""
    notes: list[str] = []
    before_a, after_a = _around(a, c.a.start, c.a.end)
    before_b, after_b = _around(b, c.b.start, c.b.end)
    left = _run(_lowered(before_a[-_SLOT:])[::-1], _lowered(before_b[-_SLOT:])[::-1])
    right = _run(_lowered(after_a[:_SLOT]), _lowered(after_b[:_SLOT]))
    # A clause that ends (or starts) right at the value on both sides frames the slot as
    # well as shared words would: "... Alexander Fomin; trưởng" / "... Alexandr Fomin. Phía".
    if right == 0 and _clause_edge(a[c.a.end : c.a.end + 2]) and _clause_edge(b[c.b.end : c.b.end + 2]):
        right = _SLOT // 2
    if left == 0 and _clause_edge(a[max(0, c.a.start - 2) : c.a.start][::-1]) and _clause_edge(b[max(0, c.b.start - 2) : c.b.start][::-1]):
        left = _SLOT // 2
    slot = (left + right) / (2 * _SLOT)
    if min(left, right) == 0:
        slot *= 0.6
    conf = _PRIOR.get(c.kind, 0.8) * (0.3 + 0.7 * slot)
    notes.append(f"{left} word(s) shared before and {right} after")
    reason = "differs in the same slot" if slot >= 0.5 else "weak slot agreement"
    if passage is not None:
        conf *= 0.7 + 0.3 * passage.score
        notes.append(f"passage similarity {passage.score:.2f}")
    # Figures on one side only are a rewrite ("1 cây" / "một cây" aside); figures that
    # differ on *both* sides near the slot are a template filled in for something else.
    # Number words count in lower case only ("Ba Vì" is a place).
    near_a = _figures(before_a[-_NEAR:] + after_a[:_NEAR])
    near_b = _figures(before_b[-_NEAR:] + after_b[:_NEAR])
    other = min(sum((near_a - near_b).values()), sum((near_b - near_a).values()))
    if other:
        conf *= 0.55 ** min(other, 3)
        notes.append(f"{other} other figure(s) nearby differ too")
        reason = "template: other figures nearby differ"
    if figures_in_pair >= 3 and c.kind in ("number", "date"):
        conf *= 0.7
        notes.append(f"{figures_in_pair} differing figures in this pair")
        if not other:
            reason = "template: many figures differ in the pair"
    line_a, line_b = _line(a, c.a.start, c.a.end), _line(b, c.b.start, c.b.end)
    if _few_tokens(line_a) or _few_tokens(line_b):
        conf *= 0.3
        notes.append("on a short standalone line (byline, headline)")
        reason = "standalone line"
    if c.kind in ("name", "spelling") and _acronym(c.a_text) and _acronym(c.b_text):
        conf *= 0.5
        notes.append("both sides are acronyms")
        reason = "acronyms"
    if c.kind == "date" and not (any(ch.isdigit() for ch in c.a_text) and any(ch.isdigit() for ch in c.b_text)):
        conf *= 0.3
        notes.append("a date against words without a digit")
        reason = "date against words"
    if c.kind == "number":
        ua, ub = _unit(a, c.a.end, c.a_text), _unit(b, c.b.end, c.b_text)
        if ua and ub and ua != ub and (ua == "%" or ub == "%" or not (ua in ub or ub in ua)):
            conf *= 0.3
            notes.append(f"units differ ('{ua}' / '{ub}')")
            reason = "units differ"
    if c.kind in ("number", "date"):
        conf, reason = _time_bound(c, a, b, conf, reason, notes)
    if " | " in line_a or " | " in line_b:
        conf *= 0.3
        notes.append("on a page-furniture line ('|' separated)")
        reason = "page furniture"
    if "\n" in c.a_text or "\n" in c.b_text:
        conf *= 0.3
        notes.append("the value runs across a line break")
        reason = "crosses a line"
    if max(len(_TOKEN.findall(c.a_text)), len(_TOKEN.findall(c.b_text))) >= 4:
        conf *= 0.6
        notes.append("a long rewritten stretch, not one detail")
        reason = "long rewritten stretch"
    if c.a_text.lower() in _ATTRIBUTION or c.b_text.lower() in _ATTRIBUTION:
        conf *= 0.2
        notes.append("an attribution to the outlet's own reporter")
        reason = "attribution"
    if c.kind == "name" and _all_in(c.a_text, c.b_text, b) and _all_in(c.b_text, c.a_text, a):
        conf *= 0.4
        notes.append("both names appear in both texts")
        reason = "both names in both texts"
    return round(min(max(conf, 0.0), 1.0), 3), reason, "; ".join(notes)


def assess(
    a: str, b: str, passages: Sequence[Passage], conflicts: Sequence[Conflict], variants: Sequence[Variant]
) -> tuple[list[Conflict], list[Variant]]:
    """Confidence, reason and explanation for each conflict; same values moved to variants.

    ``a``/``b`` are the two texts in the records' orientation, ``passages`` the aligned
    passages the conflicts sit in.  Variants the pipeline found keep confidence 1.0 and
    get their reason from their kind.
    """
    out_c: list[Conflict] = []
    out_v: list[Variant] = [
        v if v.reason else replace(v, reason=_VARIANT_REASON.get(v.kind, v.kind)) for v in variants
    ]
    figures = sum(1 for c in conflicts if c.kind in ("number", "date"))
    for c in conflicts:
        same = _same_value(c, a, b)
        if same is not None:
            out_v.append(Variant(c.kind, c.a, c.b, c.a_text, c.b_text, 0.9, same[0], same[1]))
            continue
        p = next((p for p in passages if p.a.start <= c.a.start and c.a.end <= p.a.end), None)
        conf, reason, why = _score(c, a, b, p, figures)
        out_c.append(replace(c, confidence=conf, reason=reason, explanation=why))
    out_v.sort(key=lambda v: (v.a.start, v.b.start))
    return out_c, out_v


_VARIANT_REASON = {"number": "same-value", "date": "same-value", "name": "same-entity", "orthography": "orthography"}
