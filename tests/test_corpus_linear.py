"""The corpus stages stay linear on hostile input (issue 16), with results unchanged.

Each hostile input here is sized so the old quadratic code took many seconds and the
new code well under one; the growth itself is measured in ``benchmarks/``, not asserted.
Each test also checks the result against a direct reference implementation.
"""

from __future__ import annotations

import random
import re

from overlap.corpus.assembly import blank_spans
from overlap.corpus.events import dates
from overlap.records import Document

# ``events.dates`` as it was, with the look-aheads that rescanned runs (the reference).
_OLD_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\w/])")
_OLD_FULL = re.compile(r"(\d{1,2})[-.](\d{1,2})[-.](\d{4})(?![\w.,/-]*\d)")
_OLD_DM = re.compile(r"(\d{1,2})[-.](\d{1,2})(?![\d])(?![.,]\d)")
_OLD_WORD_BEFORE = re.compile(r"(?i:\b(?:ngày|hôm nay|sáng|chiều|tối|trưa|đêm|hôm)\s*\(?)$")
_OLD_CANDIDATE = re.compile(r"\d+(?=[-./]\d)")


def _old_dates(text: str) -> set[int]:
    out: set[int] = set()

    def add(m: re.Match[str]) -> None:
        d, mo = int(m.group(1)), int(m.group(2))
        if 1 <= d <= 31 and 1 <= mo <= 12:
            out.add(mo * 32 + d)

    ends = [0, 0, 0]
    for c in _OLD_CANDIDATE.finditer(text):
        st = c.start()
        prev = text[st - 1] if st else ""
        if prev.isdecimal() or prev == "_":
            continue
        for k, (rx, bad) in enumerate(((_OLD_SLASH, "/.,"), (_OLD_FULL, ".,/-"), (_OLD_DM, None))):
            if st < ends[k]:
                continue
            m = rx.match(text, st)
            if m is None:
                continue
            ends[k] = m.end()
            if bad is None:
                if _OLD_WORD_BEFORE.search(text, max(0, st - 20), st):
                    add(m)
            elif not prev.isalnum() and prev not in bad:
                add(m)
    return out


def test_many_dot_separated_dates_in_one_run() -> None:
    # 20,000 dates in one run of dots: the first is followed by more digits in its run,
    # every other one follows a dot, so none is a date (a version or serial number).
    run = ".".join(f"{1 + i % 28}.{1 + i % 12}.2013" for i in range(20_000))
    assert dates("Ngày " + run + " là hạn.") == set()
    assert dates("Ngày " + run + " và ngày 23.10.2013.") == {10 * 32 + 23}
    assert dates("Ngày 23.10.2013. Sau đó 5.6.2014x2 và 7-8-2015") == {10 * 32 + 23, 8 * 32 + 7}


def test_dates_equal_the_look_ahead_patterns() -> None:
    """On short random texts of digits and separators, the linear ``dates`` finds exactly
    what the old patterns found (real articles: ``benchmarks/check_identity.py``)."""
    rng = random.Random(7)
    alphabet = "0123456789012345.-/, a_\u0661"
    found = 0
    for _ in range(20_000):
        text = rng.choice(["", "ngày ", "sáng (", "x"]) + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        want = _old_dates(text)
        assert dates(text) == want, text
        found += bool(want)
    assert found > 100  # not vacuous: hundreds of the texts hold dates


def test_a_long_run_of_digits() -> None:
    assert dates("1" * 300_000 + ".5") == set()
    assert dates("x " + "7" * 300_000 + " ngày 3.4") == {4 * 32 + 3}


def test_blank_spans_equals_blanking_one_span_at_a_time() -> None:
    rng = random.Random(1)
    text = "".join(rng.choice("Ab Cd. ") for _ in range(500))
    for _ in range(200):
        spans = [(s, min(500, s + rng.randint(0, 40))) for s in (rng.randrange(500) for _ in range(rng.randint(0, 8)))]
        want = text
        for s, e in spans:  # the old way: a copy of the text per span
            want = want[:s] + " " * (e - s) + want[e:]
        assert blank_spans(text, spans) == want


def _capitalised_run(words: int, seed: int) -> tuple[str, str]:
    rng = random.Random(seed)
    heads = ["Nguyễn", "Minh", "Hoàng", "Trần", "Quang", "Thanh", "Bình", "Hải"]
    run = [rng.choice(heads) + "".join(rng.choice("aeiounmt") for _ in range(3)) for _ in range(words)]
    other = list(run)
    for i in range(0, words, 7):
        other[i] += "h"
    return " ".join(run), " ".join(other)


def test_name_variants_in_long_capitalised_runs() -> None:
    """Thousands of name variants in two long runs of capitalised words: every
    occurrence is what one regex per variant finds (the old search, read once per
    variant: quadratic), found in one pass over each text."""
    from overlap.corpus import scan

    a, b = _capitalised_run(4_000, 3)
    r = scan([Document("a", a), Document("b", b)], workers=1)
    assert len(r.name_variants) > 300
    texts = {"a": a, "b": b}
    for v in r.name_variants:
        alts = sorted((s.text for s in v.spellings), key=lambda t: (-len(t), t))
        rx = re.compile("(?:" + "|".join(map(re.escape, alts)) + r")(?!\w)")
        for s in v.spellings:
            got = [(o.doc, o.span.start, o.span.end) for o in s.occurrences]
            want = [
                (d, m.start(), m.end())
                for d in ("a", "b")
                for m in rx.finditer(texts[d])
                if m.group() == s.text and not (m.start() and re.match(r"\w", texts[d][m.start() - 1]))
            ]
            assert got == want
