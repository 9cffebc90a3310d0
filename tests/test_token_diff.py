"""Token-level diffs of long passages stay linear and close to exact (issue 16).

``token_diff`` cuts passages over ``LONG_PASSAGE`` tokens at shared 8-token runs; where a
stretch has none (every run edited), it cuts on the last cut's diagonal instead of
letting one piece grow quadratic.  Checked against rapidfuzz's exact answers on inputs
small enough for them.
"""

from __future__ import annotations

import random

import numpy as np

from overlap.fuzz import indel_similarity
from overlap.reuse import EXACT_CHARS, similarity
from overlap.token_diff import LONG_PASSAGE, _pieces, token_opcodes, token_similarity


def _every_seventh_edited(n: int, seed: int) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    a = [rng.randrange(1 << 40) for _ in range(n)]
    b = [x + 1 if i % 7 == 0 else x for i, x in enumerate(a)]
    return a, b


def test_no_shared_runs_still_cut_into_bounded_pieces():
    a, b = _every_seventh_edited(5 * LONG_PASSAGE, 1)
    pieces = _pieces(np.array(a, dtype=np.uint64), np.array(b, dtype=np.uint64))
    assert len(pieces) > 4
    assert max(max(i1 - i0, j1 - j0) for i0, i1, j0, j1 in pieces) <= 2 * LONG_PASSAGE
    # Contiguous, covering both sequences.
    assert pieces[0][0] == pieces[0][2] == 0 and pieces[-1][1] == len(a) and pieces[-1][3] == len(b)
    assert all(p[1] == q[0] and p[3] == q[2] for p, q in zip(pieces, pieces[1:]))


def test_piecewise_similarity_is_a_close_lower_bound():
    a, b = _every_seventh_edited(3 * LONG_PASSAGE, 2)
    exact = indel_similarity(a, b)
    got = token_similarity(a, b)
    assert got <= exact + 1e-12 and exact - got < 0.01
    # The opcodes still turn a into b.
    out: list[int] = []
    for tag, i1, i2, j1, j2 in token_opcodes(a, b):
        out += a[i1:i2] if tag == "equal" else b[j1:j2]
    assert out == b


def test_reuse_similarity_exact_when_short_and_bounded_when_long():
    rng = random.Random(3)
    words = ["Nguyễn", "Minh", "Hoàng", "Trần", "Quang", "Thanh", "Bình", "Hải"]
    short = " ".join(rng.choice(words) for _ in range(200))
    assert similarity(short, short.replace("Minh", "Minhh")) == indel_similarity(
        short.casefold(), short.replace("Minh", "Minhh").casefold()
    )
    run = [rng.choice(words) + "".join(rng.choice("aeiounmt") for _ in range(3)) for _ in range(3000)]
    x = " ".join(run)
    y = " ".join(w + "h" if i % 7 == 0 else w for i, w in enumerate(run))
    assert len(x) > EXACT_CHARS
    exact = indel_similarity(x.casefold(), y.casefold())
    got = similarity(x, y)
    assert got <= exact + 1e-12 and exact - got < 0.01
