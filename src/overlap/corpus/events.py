"""Same-event evidence: distinctive name phrases and day/month dates two articles share.

``dates(text) -> set[int]``
    Day/month dates a text mentions ("12/1", "23-10-2013", "ngày 10 tháng 1"), as
    ``month * 32 + day``; ``date_label(code)`` spells one back ("12/1").
``name_phrases(text) -> dict[str, str]``
    Capitalised name phrases ("Vladimir Putin", "OSCE"): case-folded key -> spelling.
``name_hashes_many(texts) -> [array] | None``
    The hashed name phrases of many texts, found by one compiled pass.
``hash64(s) -> int``, ``hashed_phrases(text)``
    The process-independent hash workers and drivers agree on.
``event_candidates(options, n, name_hashes, dates) -> EventCandidates``
    Pairs sharing enough distinctive names and a rare date, in bulk, from signing's features.
``rare_dates(values, counts, max_df) -> array``
    The dates few enough documents hold to be evidence (both drivers' rule).
``same_event(phrases_a, shared_names, shared_dates, min_names) -> SameEvent | None``
    The evidence record of one pair; ``spell_events`` makes it for many pairs.

Two articles report the same event when they share at least ``min_shared_names``
distinctive name phrases and a distinctive date, distinctive meaning found in few
documents of the corpus (``ScanOptions.name_doc_limit``).  Every function here is
linear in its text (or in the features it is given).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .._arrays import frequent, isin_sorted, unique, unique_counts
from ..codepoints import CodepointBatch
from .candidates import group_pairs
from .phrases import phrase_spans
from .options import ScanOptions
from .records import SameEvent
from .store import TextStore

__all__ = [
    "EventCandidates",
    "date_label",
    "dates",
    "event_candidates",
    "hash64",
    "hashed_phrases",
    "name_hashes_many",
    "name_phrases",
    "rare_dates",
    "same_event",
    "spell_events",
]

_DATE_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\w/])")
# A full date must not be followed, in the same run of word characters and ".,/-", by
# another digit ("1.2.2013.5" is no date).  That test is made in code (``_RunTail``): as a
# look-ahead here it would rescan the rest of the run for every date in it (quadratic).
_DATE_FULL = re.compile(r"(\d{1,2})[-.](\d{1,2})[-.](\d{4})")
_DATE_TAIL = re.compile(r"[\w.,/-]*")
_LAST_DIGIT = re.compile(r"\d(?=\D*\Z)")
_DATE_DM = re.compile(r"(\d{1,2})[-.](\d{1,2})(?![\d])(?![.,]\d)")
_DATE_WORD_BEFORE = re.compile(r"(?i:\b(?:ngày|hôm nay|sáng|chiều|tối|trưa|đêm|hôm)\s*\(?)$")
_DATE_THANG = re.compile(r"(?i:ngày)\s+(\d{1,2})\s+tháng\s+(\d{1,2})\b")
# Where a numeric date can start: a whole run of digits, a separator, a digit.  One pass
# of this finds the few places the three patterns above are tried at.  The look-behind
# (after the first digit, so non-digits are skipped fast) keeps the pattern from being
# tried again inside a run of digits, which made a long run quadratic.
_DATE_CANDIDATE = re.compile(r"\d(?<!\d\d)\d*(?=[-./]\d)")


def dates(text: str) -> set[int]:
    """Day/month dates a text mentions, as ``month * 32 + day``.

    Forms: "12/1", "11/01/2022", "23-10-2013", "ngày 23-10", "sáng 23.10",
    "ngày 10 tháng 1".  A bare "2-1" is not a date (a football score); "7,5" never is.
    A numeric date must start a run of digits; the patterns are tried only where
    ``_DATE_CANDIDATE`` matched, and what stands before a match is checked in code.
    """
    out: set[int] = set()
    ends = [0, 0, 0]  # per pattern: matches do not overlap, as with finditer
    tail = _RunTail(text)
    for c in _DATE_CANDIDATE.finditer(text):
        st = c.start()
        prev = text[st - 1] if st else ""
        if prev.isdecimal() or prev == "_":
            continue  # inside a longer number
        for k, (rx, bad) in enumerate(((_DATE_SLASH, "/.,"), (_DATE_FULL, ".,/-"), (_DATE_DM, None))):
            if st < ends[k]:
                continue
            m = rx.match(text, st)
            if m is None or (rx is _DATE_FULL and tail.digit_after(m.end())):
                continue
            ends[k] = m.end()
            if bad is None:
                if _DATE_WORD_BEFORE.search(text, max(0, st - 20), st):
                    _add_date(out, m)
            elif not prev.isalnum() and prev not in bad:
                _add_date(out, m)
    if "háng" in text or "HÁNG" in text:  # "tháng" in any case: the pattern is rarely needed
        for m in _DATE_THANG.finditer(text):
            st = m.start()
            if not st or not (text[st - 1].isalnum() or text[st - 1] == "_"):
                _add_date(out, m)
    return out


class _RunTail:
    """Whether a digit follows a position within its run of ``[\\w.,/-]`` characters.

    Asked at increasing positions; each run is measured once (its end and its last
    digit), so all the questions about one text cost time linear in the text.
    """

    __slots__ = ("_text", "_start", "_end", "_last")

    def __init__(self, text: str) -> None:
        self._text = text
        self._start = self._end = self._last = -1

    def digit_after(self, pos: int) -> bool:
        """Whether ``re.match(r"[\\w.,/-]*\\d", text[pos:])`` matches (cheap for increasing ``pos``)."""
        if not self._start <= pos < self._end:
            self._start = pos
            m = _DATE_TAIL.match(self._text, pos)
            self._end = m.end() if m else pos
            d = _LAST_DIGIT.search(self._text, pos, self._end)
            self._last = d.start() if d else -1
        return self._last >= pos


def _add_date(out: set[int], m: re.Match[str]) -> None:
    d, mo = int(m.group(1)), int(m.group(2))
    if 1 <= d <= 31 and 1 <= mo <= 12:
        out.add(mo * 32 + d)


def date_label(code: int) -> str:
    return f"{code % 32}/{code // 32}"


@lru_cache(maxsize=1)
def _capitalised() -> re.Pattern[str]:
    """Words (letters, with an inner apostrophe) that start with an upper-case letter
    (the class of every upper-case letter is built once per process)."""
    upper = [c for c in range(0x10000) if chr(c).isupper()]
    ranges, start = [], upper[0]
    for prev, cur in zip(upper, upper[1:] + [-1]):
        if cur != prev + 1:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev != start else ""))
            start = cur
    # No look-behind for "not after a letter": it would be tried at every position,
    # while a pattern that starts with a character set skips straight to upper case.
    # name_phrases checks the character before in code.
    return re.compile(r"[" + "".join(ranges) + r"][^\W\d_]*(?:['’][^\W\d_]+)?")


def name_phrases(text: str) -> dict[str, str]:
    """Name phrases of a text: case-folded key -> first spelling seen.

    A phrase is two adjacent capitalised words separated by one space ("Ned Price",
    "Vladimir Putin"; longer names give each adjacent pair), or one all-capital word of
    three or more letters ("NATO", "OSCE").  Pairs rather than whole runs, so that
    "Tổng thống Nga Vladimir Putin" and "ông Vladimir Putin" still share "Vladimir Putin".
    Found by the compiled pass of ``phrases.phrase_spans`` when this process has loaded
    the kernels already (the same phrases in the same order), else by the regex loop below.
    """
    got = phrase_spans([text], _NOT_NAME_WORDS, load=False)
    if got is None or got[0] is None:
        return _python_name_phrases(text)
    out: dict[str, str] = {}
    for a, b in got[0].tolist():
        w = text[a:b]
        out.setdefault(w.casefold(), w)
    return out


def _python_name_phrases(text: str) -> dict[str, str]:
    """``name_phrases`` by a regex over capitalised words (no compiled code)."""
    out: dict[str, str] = {}
    prev_end = -2
    prev: str | None = None
    # Only capitalised words are visited (about one word in ten): a lower-case word
    # between two of them breaks their adjacency, which the position check sees.
    for m in _capitalised().finditer(text):
        st = m.start()
        if st and text[st - 1].isalnum() and not text[st - 1].isdecimal():
            continue  # upper case inside a word ("iPhone"), not a capitalised word
        w = m.group()
        if w.casefold() in _NOT_NAME_WORDS:
            prev = None
            continue
        if len(w) >= 3 and w.isupper():
            out.setdefault(w.casefold(), w)
        if prev is not None and m.start() == prev_end + 1 and text[prev_end] == " ":
            phrase = f"{prev} {w}"
            out.setdefault(phrase.casefold(), phrase)
        prev, prev_end = w, m.end()
    return out


# Capitalised words that are titles, places of every story, or sentence openers rather
# than parts of a distinctive name: "Bộ Ngoại giao", "Mỹ Ned Price", "Theo Reuters".
_NOT_NAME_WORDS = frozenset(
    """
    bộ mỹ nga anh pháp đức ý nhật hàn trung quốc việt nam ấn độ triều tiên thái lan hà nội tp hcm
    ông bà cô chú anh chị em theo tại trong khi sau trước ngày hôm sáng chiều tối đêm năm tháng
    tổng thống thủ tướng chủ tịch phó bí thư thứ trưởng giám đốc trưởng phòng ban sở ủy uỷ
    tỉnh thành phố quận huyện xã phường hội đồng nhân dân đảng nhà nước chính phủ quốc hội
    người của và là có không những các một này đó với cho đã sẽ đang được bị
    the a an of in on at for and to by with from as mr mrs ms dr president minister
    """.split()
)


def name_hashes_many(texts: Sequence[str] | CodepointBatch) -> list[np.ndarray] | None:
    """``np.array(sorted({hash64(k) for k in name_phrases(t)}), dtype=uint64)`` for each
    text, from one compiled pass over all of them (``phrases.phrase_spans``); None when
    the compiled kernels are not loaded.  Texts the kernel declines are done in Python.
    Linear in the characters, plus one hash per distinct phrase."""
    got = phrase_spans(texts, _NOT_NAME_WORDS)
    if got is None:
        return None
    out: list[np.ndarray] = []
    for t, spans in zip(texts.texts if isinstance(texts, CodepointBatch) else texts, got):
        if spans is None:
            found = {hash64(k) for k in _python_name_phrases(t)}
        else:
            found = {hash64(k.casefold()) for k in {t[a:b] for a, b in spans.tolist()}}
        out.append(np.array(sorted(found), dtype=np.uint64))
    return out


def hash64(s: str) -> int:
    """A 64-bit hash of ``s`` that every process agrees on (``hash()`` of a str is salted
    per process)."""
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True, slots=True)
class EventCandidates:
    """Same-event pairs as far as event features tell, before verification.

    ``shared_names``: how many pairs share ``min_shared_names`` name phrases (a stat);
    ``codes``: those that also share a rare date and ``min_shared_names`` distinctive
    names, ascending: exactly the pairs ``same_event`` accepts.  ``distinctive``: name
    hashes in 2 to ``max_df`` documents; ``rare``: dates in at most ``max_df``.
    """

    shared_names: int
    codes: np.ndarray
    distinctive: set[int]
    rare: set[int]


def rare_dates(values: np.ndarray, counts: np.ndarray, max_df: int) -> np.ndarray:
    """The dates of ``values`` (distinct, ascending) held by at most ``max_df`` documents
    (``counts``, one per value): only those are evidence of one event."""
    return values[np.asarray(counts, dtype=np.int64) <= max_df] if len(values) else values


def event_candidates(o: ScanOptions, n: int, name_h: list[np.ndarray], dates: list[np.ndarray]) -> EventCandidates:
    """Pairs that share enough distinctive names and a rare date, in bulk.

    A name phrase or date is evidence only when few documents hold it: in a week of
    news, "6/2" is in hundreds of articles about different things.  Pairs sharing a rare
    date (a date in more than ``max_df`` documents is no group) are met with the pairs
    that share enough names.  Runs in a thread of the main process while the workers
    verify candidates: it needs only the features signing found.
    """
    if not o.same_event or not name_h:
        return EventCandidates(0, np.zeros(0, dtype=np.int64), set(), set())
    max_df = o.name_doc_limit(n)
    counts = np.fromiter((len(x) for x in name_h), dtype=np.int64, count=len(name_h))
    h = np.concatenate(name_h)
    d = np.repeat(np.arange(n, dtype=np.int64), counts)
    shared_names = frequent(group_pairs(h, d, max_df, n), o.min_shared_names)
    hu, hc = unique_counts(h)  # each document's name hashes are distinct already
    distinctive = set(hu[(hc >= 2) & (hc <= max_df)].tolist())
    del h, d, hu, hc
    all_dates = np.concatenate(dates) if dates else np.zeros(0, dtype=np.int16)
    date_doc = np.repeat(np.arange(n, dtype=np.int64), [len(x) for x in dates]) if dates else np.zeros(0, dtype=np.int64)
    date_codes = unique(group_pairs(all_dates.astype(np.int64), date_doc, max_df, n))
    rare = set(rare_dates(*unique_counts(all_dates), max_df).tolist())
    both = shared_names[isin_sorted(shared_names, date_codes)]
    del date_codes, all_dates, date_doc
    # same_event's test on hashes alone: each document's phrases hash to distinct values,
    # so the phrases both share are as many as the hashes both share.
    keep: list[int] = []
    cur, names_i = -1, set()
    for c in both.tolist():
        i, j = divmod(c, n)
        if i != cur:
            cur, names_i = i, set(name_h[i].tolist()) & distinctive
        if len(names_i.intersection(name_h[j].tolist())) >= o.min_shared_names:
            keep.append(c)
    return EventCandidates(len(shared_names), np.array(keep, dtype=np.int64), distinctive, rare)


def spell_events(
    codes: list[int], n: int, store: TextStore, name_h: list[np.ndarray], dates: list[np.ndarray],
    ev: EventCandidates, min_names: int,
) -> dict[int, SameEvent]:
    """``SameEvent`` evidence of each pair of ``codes`` (ascending, so sorted by first document,
    whose name phrases spell the evidence: each first document's phrases are found once)."""
    events: dict[int, SameEvent] = {}
    cur, phrases_i, names_i, dates_i = -1, [], set(), set()
    # The copies of a story that pair with document i mostly share the same names and
    # dates with it, so their (frozen) evidence is made once per distinct overlap.
    seen: dict[tuple[frozenset[int], tuple[int, ...]], SameEvent | None] = {}
    for c in codes:
        i, j = divmod(c, n)
        if i != cur:
            cur, phrases_i = i, hashed_phrases(store.at(i))
            names_i = set(name_h[i].tolist()) & ev.distinctive
            dates_i = set(dates[i].tolist()) & ev.rare
            seen.clear()
        key = (frozenset(names_i.intersection(name_h[j].tolist())), tuple(sorted(dates_i.intersection(dates[j].tolist()))))
        if key not in seen:
            seen[key] = same_event(phrases_i, key[0], np.array(key[1], dtype=np.int16), min_names)
        found = seen[key]
        if found is not None:
            events[c] = found
    return events


def hashed_phrases(text: str) -> list[tuple[int, str]]:
    """``(hash of the case-folded key, first spelling)`` of each name phrase of ``text``."""
    return [(hash64(k), v) for k, v in name_phrases(text).items()]


def same_event(
    phrases_a: list[tuple[int, str]], shared_names: set[int] | frozenset[int], shared_dates: np.ndarray, min_names: int
) -> SameEvent | None:
    """Evidence that two texts report one event: the distinctive name phrases both contain
    (``shared_names``, hashes; spelled as the first text spells them) and shared dates."""
    shared = [spelled for h, spelled in phrases_a if h in shared_names]
    if len(shared) < min_names:
        return None
    # Longest first: the full names read best as evidence.
    shared.sort(key=lambda s: (-len(s), s))
    return SameEvent(tuple(shared[:8]), tuple(date_label(int(c)) for c in shared_dates[:8]))
