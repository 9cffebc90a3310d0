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
# The run of terminators is matched from its first mark only (the look-behind after that
# mark rejects a mark that follows another): a match inside a run would need the same
# characters to follow the run, and failed at its start.  So ``finditer`` fails at once
# inside a run of 20,000 dots (linear, not quadratic), and the pattern still starts with
# a character set, which the regex engine skips to.
_T = "[.!?\u2026\u3002\uff01\uff1f]"  # a sentence-ending mark
_BREAK = re.compile(
    r"""(""" + _T + "(?<!" + _T + _T + ")" + _T + r"""*)   # terminator run, from its start
        (["'\u201d\u2019\u00bb)\]]*)            # closing quotes / brackets
        (\s+)                                   # whitespace
        (?=(["'\u201c\u2018\u00ab(\[\-\u2013\u2014]*)(\S))  # opening marks, next char
    """,
    re.VERBOSE,
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_FIRST_SOLID = re.compile(r"\S")


def _is_break(text: str, base: int, m: re.Match[str]) -> bool:
    term, nxt = m.group(1, 5)
    if not (nxt.isupper() or nxt.isdigit() or (m.group(4) and nxt.isalpha())):
        return False
    if term == ".":
        # Look only at a short window before the mark (inside its line): searching from
        # the line start would make long lines quadratic.
        raw = _word_before(text, max(base, m.start() - 40), m.start())
        if raw:
            word = raw.lower().strip(".")
            if word in ABBREVIATIONS or "." in word:
                return False
            if len(raw) == 1 and raw.isalpha() and raw.isupper():
                return False  # an initial: "J. K. Rowling"
    return True


def _word_before(text: str, lo: int, at: int) -> str:
    """The run of word characters and dots ending at ``at`` (or right before a newline
    there), not before ``lo``: what ``_WORD_BEFORE.search(text, lo, at)`` finds, by a
    backward scan of a few characters instead of a regex tried at every position."""
    end = at - 1 if at > lo and text[at - 1] == "\n" else at
    i = end
    while i > lo and (text[i - 1].isalnum() or text[i - 1] in "._"):
        i -= 1
    return text[i:end]


def sentences(text: str) -> tuple[Span, ...]:
    """Sentence spans of ``text`` (original offsets, surrounding whitespace trimmed).

    >>> t = "Cuộc gặp kéo dài 7,5 giờ. Ông Ryabkov nói… rằng 100.000 quân là đủ.\\nẢnh: TASS"
    >>> [t[s.start:s.end] for s in sentences(t)]
    ['Cuộc gặp kéo dài 7,5 giờ.', 'Ông Ryabkov nói… rằng 100.000 quân là đủ.', 'Ảnh: TASS']
    """
    out: list[Span] = []
    # The regexes run on the whole text between ``pos`` and ``endpos`` (no copy of each
    # line); a lookahead or ``$`` cannot see past ``endpos``, so this equals matching
    # on the line alone.  ``_BREAK``'s look-behind can see before ``pos``, but a block
    # starts the text or follows a line break, which is no terminator.
    for base, end in _blocks(text):
        start = base
        for m in _BREAK.finditer(text, base, end):
            if _is_break(text, base, m):
                _emit(out, text, start, m.start(3))
                start = m.end(3)
        _emit(out, text, start, end)
    return tuple(out)


def _blocks(text: str) -> list[tuple[int, int]]:
    """Lines, with hard-wrapped lines joined: a line that ends without closing punctuation
    continues when the next line (no blank line between) starts in lower case."""
    out: list[tuple[int, int]] = []
    prev_end = -1
    last_line = 0  # start of the last line in ``out[-1]``
    for m in _LINE.finditer(text):
        s, e = m.start(), m.end()
        # Cheapest check first: most lines do not start in lower case.
        if out and (head := _FIRST_SOLID.search(text, s, e)) and head.group().islower():
            gap = text[prev_end:s]
            if gap.count("\n") + gap.count("\r") == 1:
                # The block's last solid character is its last line's: a joined line
                # always holds one.  Copying the whole block here instead was quadratic
                # in the number of joined lines.
                last = text[last_line : out[-1][1]].rstrip()
                if last and last[-1] not in _CLOSERS:
                    out[-1] = (out[-1][0], e)
                    prev_end = e
                    last_line = s
                    continue
        out.append((s, e))
        prev_end = e
        last_line = s
    return out


_CLOSERS = frozenset(".!?…:;\"'”’»)]|")


def _emit(out: list[Span], text: str, start: int, end: int) -> None:
    """Append ``text[start:end]`` without surrounding whitespace, if it holds a word character."""
    first = _FIRST_SOLID.search(text, start, end)
    if first is None or not _WORDCHAR.search(text, first.start(), end):
        return
    s = first.start()
    out.append(Span(s, s + len(text[s:end].rstrip())))
