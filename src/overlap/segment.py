"""Split news text into sentences, as half-open spans of the original text.

``sentences(text) -> tuple[Span, ...]``.  Rules, in order:

* Every line stands alone: headlines, bylines, captions and site-chrome lines are not
  glued to the paragraph after them.  Lines with no letter or digit ("|", "📞") are dropped.
  A hard-wrapped line (no closing punctuation, the next line starting in lower case
  right below it) is joined to the next.
* Inside a line a sentence ends at ``.``, ``!``, ``?``, ``…`` (or a run of them), plus any
  closing quotes or brackets, when whitespace and then a sentence start follow: an
  upper-case letter, a digit, or an opening quote, bracket or dash.
* No break inside numbers and dates ("7,5", "100.000", "11/01/2022", "6-2021": there is no
  space after the mark), after a known abbreviation ("Mr.", "TP.", "PGS."), after an
  initial ("J. K. Rowling"), inside dotted abbreviations ("U.S."), or before a lower-case
  word (an ellipsis mid-sentence: "kiên quyết… đẩy lùi").

Cost: one regex pass per line, linear in the text.
"""

from __future__ import annotations

import re

from .records import Span

__all__ = ["ABBREVIATIONS", "sentences"]

# Lower-cased, without the final dot.  Vietnamese titles and place prefixes first, then
# English.  A dotted abbreviation such as "u.s" or "ths.bs" is caught by the inner-dot rule.
ABBREVIATIONS = frozenset(
    """
    tp tt ths ts gs pgs bs ks cn th gđ pgđ ubnd hđnd q p x h tx ng tr vn ks đh thpt thcs
    mr mrs ms dr prof st sr jr mt ft vs etc fig no nos vol ed eds inc ltd co corp dept univ
    gen col lt sgt capt cmdr adm gov sen rep rev hon pres supt est approx dept
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)

_LINE = re.compile(r"[^\n\r\u2028\u2029\x85]+")
_WORDCHAR = re.compile(r"\w")
# Candidate break: terminators, closing marks, whitespace, then the next character.
_BREAK = re.compile(
    r"""([.!?\u2026\u3002\uff01\uff1f]+)       # terminator run
        (["'\u201d\u2019\u00bb)\]]*)            # closing quotes / brackets
        (\s+)                                   # whitespace
        (?=(["'\u201c\u2018\u00ab(\[\-\u2013\u2014]*)(\S))  # opening marks, next char
    """,
    re.VERBOSE,
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def _is_break(line: str, m: re.Match[str]) -> bool:
    term, nxt = m.group(1), m.group(5)
    if not (nxt.isupper() or nxt.isdigit() or (m.group(4) and nxt.isalpha())):
        return False
    if term == ".":
        # Look only at a short window before the mark: searching from the line start
        # would make long lines quadratic.
        w = _WORD_BEFORE.search(line, max(0, m.start() - 40), m.start())
        if w:
            word = w.group(1).lower().strip(".")
            if word in ABBREVIATIONS or "." in word:
                return False
            raw = w.group(1)
            if len(raw) == 1 and raw.isalpha() and raw.isupper():
                return False  # an initial: "J. K. Rowling"
    return True


def sentences(text: str) -> tuple[Span, ...]:
    """Sentence spans of ``text`` (original offsets, surrounding whitespace trimmed).

    >>> t = "Cuộc gặp kéo dài 7,5 giờ. Ông Ryabkov nói… rằng 100.000 quân là đủ.\\nẢnh: TASS"
    >>> [t[s.start:s.end] for s in sentences(t)]
    ['Cuộc gặp kéo dài 7,5 giờ.', 'Ông Ryabkov nói… rằng 100.000 quân là đủ.', 'Ảnh: TASS']
    """
    out: list[Span] = []
    for base, end in _blocks(text):
        line = text[base:end]
        start = 0
        for m in _BREAK.finditer(line):
            if _is_break(line, m):
                _emit(out, line, base, start, m.start(3))
                start = m.end(3)
        _emit(out, line, base, start, len(line))
    return tuple(out)


def _blocks(text: str) -> list[tuple[int, int]]:
    """Lines, with hard-wrapped lines joined: a line that ends without closing punctuation
    continues when the next line (no blank line between) starts in lower case."""
    out: list[tuple[int, int]] = []
    prev_end = -1
    for m in _LINE.finditer(text):
        s, e = m.start(), m.end()
        if out and text[prev_end:s].count("\n") + text[prev_end:s].count("\r") == 1:
            last = text[out[-1][0] : out[-1][1]].rstrip()
            head = m.group(0).lstrip()
            if last and head and head[0].islower() and last[-1] not in _CLOSERS:
                out[-1] = (out[-1][0], e)
                prev_end = e
                continue
        out.append((s, e))
        prev_end = e
    return out


_CLOSERS = frozenset(".!?…:;\"'”’»)]|")


def _emit(out: list[Span], line: str, base: int, start: int, end: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if not stripped or not _WORDCHAR.search(stripped):
        return
    lead = len(piece) - len(piece.lstrip())
    s = base + start + lead
    out.append(Span(s, s + len(stripped)))
