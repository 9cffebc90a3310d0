"""Guess a text's language, for the stages whose rules depend on it (paraphrase units).

``detect(text) -> str``: ``"vi"`` (Vietnamese), ``"en"`` (English), ``"id"``
(Indonesian/Malay) or ``"other"``.  ``LANGUAGES`` lists the codes ``--language`` accepts.

Why this way: only the paraphrase stage needs a language, and it needs few of them
(which stemmer, which stop words, words or syllables).  Vietnamese is told apart by the
letters only it uses; English and Indonesian by the share of their commonest function
words among the first few thousand characters.  Cost: linear in at most 4,000
characters (one regex pass and set lookups), no model, no dependency.
"""

from __future__ import annotations

import re

__all__ = ["LANGUAGES", "detect"]

LANGUAGES = ("auto", "en", "vi", "id", "other")

# Letters only Vietnamese uses (as ``pipeline`` counts for its number convention).
_VI_MARKS = frozenset("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
_EN = frozenset("the of and to in is that for it was on with as be by at this are from his her have not".split())
_ID = frozenset("yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke karena adalah".split())
_WORD = re.compile(r"[^\W\d_]+")
_SAMPLE = 4000


def detect(text: str) -> str:
    """The language code of ``text`` (``"other"`` when nothing is sure, and for empty text).

    >>> detect("The minister said that the talks were useful and would go on.")
    'en'
    >>> detect("Bộ trưởng cho biết cuộc đàm phán rất hữu ích.")
    'vi'
    """
    sample = text[:_SAMPLE].lower()
    if not sample:
        return "other"
    marks = sum(1 for c in sample if c in _VI_MARKS)
    if marks > len(sample) // 100:
        return "vi"
    words = _WORD.findall(sample)
    if not words:
        return "other"
    en = sum(1 for w in words if w in _EN)
    ind = sum(1 for w in words if w in _ID)
    if en >= ind and en >= 0.08 * len(words):
        return "en"
    if ind > en and ind >= 0.06 * len(words):
        return "id"
    return "other"
