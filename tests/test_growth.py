"""Hostile and very large inputs (issue 16): same results as the plain algorithms on
ordinary input, correct and bounded results on hostile input.

Each fast path here is checked against a plain statement of the rule it replaced
(quadratic, so only run on small inputs).  How time grows is measured in
``benchmarks/bench_growth.py``, never asserted here.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
import unicodedata

import numpy as np
import pytest

import overlap.align as A
import overlap.normalization as N
import overlap.segment as S
import overlap.shingle as SH
from kernel_cases import PLAIN_BREAK
from overlap import compare
from overlap.align import LONG_PASSAGE, Alignment, token_opcodes, token_similarity
from overlap.fuzz import indel_similarity, opcodes
from overlap.jit import aligner
from overlap.normalization import normalize
from overlap.shingle import Tokens, tokenize

# --------------------------------------------------------------------------- segment




def _all_breaks(text: str) -> list[tuple[int, int]]:
    """Every break match, tried at every terminator (the old, quadratic loop)."""
    return [m.span() for m in PLAIN_BREAK.finditer(text)]


def test_breaks_skipping_terminator_runs_equal_trying_every_mark() -> None:
    rng = random.Random(16)
    alphabet = list("..…!?  \nAbc1\"')-") + ["…"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert [m.span() for m in S._BREAK.finditer(text)] == _all_breaks(text), repr(text)


def test_a_long_run_of_dots_is_one_sentence_and_the_next_one_is_found() -> None:
    text = "Mở đầu" + "." * 20_000 + "\u2026" * 20_000 + " Kết thúc ở đây."
    got = [text[s.start : s.end] for s in S.sentences(text)]
    assert got == [text[: -len(" Kết thúc ở đây.")], "Kết thúc ở đây."]


def _blocks_copying(text: str) -> list[tuple[int, int]]:
    """``segment._blocks`` as it was: the joined block copied for every line."""
    out: list[tuple[int, int]] = []
    prev_end = -1
    for m in S._LINE.finditer(text):
        s, e = m.start(), m.end()
        if out and (head := S._FIRST_SOLID.search(text, s, e)) and head.group().islower():
            gap = text[prev_end:s]
            if gap.count("\n") + gap.count("\r") == 1:
                last = text[out[-1][0] : out[-1][1]].rstrip()
                if last and last[-1] not in S._CLOSERS:
                    out[-1] = (out[-1][0], e)
                    prev_end = e
                    continue
        out.append((s, e))
        prev_end = e
    return out


def test_blocks_equal_the_copying_version() -> None:
    rng = random.Random(3)
    lines = ["Đầu dòng", "viết thường", "kết thúc.", "   ", "", "  thụt vào", "Câu hỏi?", "x:", "|"]
    for _ in range(2000):
        text = rng.choice(["\n", "\r\n", "\n\n"]).join(rng.choice(lines) for _ in range(rng.randint(0, 12)))
        assert S._blocks(text) == _blocks_copying(text), repr(text)


def test_lowercase_lines_join_into_one_sentence() -> None:
    text = "Mở đầu\n" + "\n".join(f"dòng thứ {i} viết thường" for i in range(5000))
    (only,) = S.sentences(text)
    assert (only.start, only.end) == (0, len(text))


# --------------------------------------------------------------------------- align


def _one_to_one_all_pairs(alns: list[Alignment]) -> list[Alignment]:
    order = sorted(alns, key=lambda x: (-x.matched, x.a_start, x.b_start))
    kept: list[Alignment] = []
    for x in order:
        if any(
            2 * A._inter(x.a_start, x.a_end, y.a_start, y.a_end) > x.a_end - x.a_start
            or 2 * A._inter(x.b_start, x.b_end, y.b_start, y.b_end) > x.b_end - x.b_start
            for y in kept
        ):
            continue
        kept.append(x)
    kept.sort(key=lambda x: (x.a_start, x.b_start))
    return kept


def test_one_to_one_equals_the_all_pairs_check() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        span = rng.choice([10, 60, 400])
        alns = []
        for _ in range(rng.randint(0, 40)):
            a0, b0 = rng.randint(0, span), rng.randint(0, span)
            alns.append(Alignment(a0, a0 + rng.randint(0, 50), b0, b0 + rng.randint(0, 50), rng.randint(0, 50)))
        assert A._one_to_one(alns) == _one_to_one_all_pairs(alns)


def _align_extending_each_chain_alone(ta: Tokens, tb: Tokens) -> list[Alignment]:
    """``align``'s Python path with every chain extended from scratch (no shared memo)."""
    o = A.AlignOptions()
    ha, hb = ta.hashes, tb.hashes
    runs = A._runs(A._seed_pairs(ha, hb, o.seed_size, o.max_seed_repeats), o.seed_size)
    out = []
    for c in A._chain(runs, o.max_gap, o.seed_size):
        if c[4] + 4 < o.min_tokens:
            continue
        A._extend(c, ha, hb)
        a0, a1, b0, b1, m = c
        if m >= o.min_tokens and m >= o.min_density * (a1 - a0) and m >= o.min_density * (b1 - b0):
            out.append(Alignment(a0, a1, b0, b1, m))
    return A._one_to_one(out)


def _repeated_token_text(n_passages: int, gap: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    parts = []
    for _ in range(n_passages):
        parts.append(" ".join(f"w{rng.randrange(5000)}" for _ in range(20)))
        parts.append(" ".join(["la"] * gap))
    return " ".join(parts)


@pytest.fixture()
def python_aligner() -> Iterator[None]:
    was_on = aligner() is not None
    A.use_jit(False)
    yield
    A.use_jit(was_on)


@pytest.mark.parametrize("gap", [13, 40, 200])
def test_shared_extension_memo_changes_nothing(python_aligner: None, gap: int, seeds: dict[int, str]) -> None:
    text = _repeated_token_text(12, gap)
    cases = [(text, text + " x"), (text, _repeated_token_text(12, gap + 1)), (seeds[0], seeds[1]), (seeds[2], seeds[2])]
    for a, b in cases:
        ta, tb = tokenize(normalize(a).text), tokenize(normalize(b).text)
        assert A.align(ta, tb) == _align_extending_each_chain_alone(ta, tb)


def test_repeated_tokens_give_one_passage_over_the_whole_text(python_aligner: None) -> None:
    text = _repeated_token_text(30, 200)
    c = compare(text, text + " x")
    (p,) = c.passages
    assert (p.a.start, p.a.end) == (0, len(text))


def test_compiled_aligner_equals_python_on_repeated_tokens() -> None:
    pytest.importorskip("numba", reason="numba not installed: the compiled aligner is not available")
    was_on = aligner() is not None
    A.use_jit(False)
    try:
        for gap, n in ((13, 20), (200, 12), (500, 4)):
            a = _repeated_token_text(n, gap, seed=gap)
            for b in (a + " x", _repeated_token_text(n, gap + 2, seed=gap), a.replace("la la", "le", 7)):
                ta, tb = tokenize(normalize(a).text), tokenize(normalize(b).text)
                A.use_jit(False)
                py = A.align(ta, tb)
                if not A.use_jit():
                    pytest.skip("compiled aligner unavailable")
                assert A.align(ta, tb) == py
    finally:
        A.use_jit(was_on)


def test_many_separate_passages_are_each_found_once(seeds: dict[int, str]) -> None:
    rng = random.Random(9)
    words = " ".join(seeds.values()).split()
    passages = [words[i : i + 30] for i in range(0, 30 * 80, 30)]

    def filler() -> list[str]:
        return [f"x{rng.randrange(10**9)}" for _ in range(30)]

    a = " ".join(t for p in passages for t in p + filler())
    order = list(range(len(passages)))
    rng.shuffle(order)
    b = " ".join(t for i in order for t in passages[i] + filler())
    c = compare(a, b)
    found = {c_.a.of(a) for c_ in c.passages}
    # Every passage is reported (its edges may be trimmed to sentence or word
    # boundaries), none twice.
    assert len(c.passages) <= len(passages)
    for p in passages:
        assert any(" ".join(p[5:25]) in f for f in found), " ".join(p)


# --------------------------------------------------------------------------- long passages


def _near_copy(n: int, every: int, seed: int = 0) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    a = [rng.randrange(10**6) for _ in range(n)]
    b = list(a)
    for i in range(0, n, every):
        b[i] = rng.randrange(10**6)
    del b[n // 3 : n // 3 + 7]
    b[n // 2 : n // 2] = [1, 2, 3]
    return a, b


def test_long_passage_opcodes_are_a_valid_script_and_match_the_exact_distance() -> None:
    a, b = _near_copy(3 * LONG_PASSAGE, 37)
    ops = token_opcodes(a, b)
    rebuilt, at = [], 0
    for tag, i1, i2, j1, j2 in ops:
        assert i1 == at
        at = i2
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
        rebuilt.extend(b[j1:j2])
    assert at == len(a) and rebuilt == b
    # Scattered edits leave plenty of anchors: the pieces lose nothing here.
    assert len(ops) == len(opcodes(a, b))
    assert token_similarity(a, b) == pytest.approx(indel_similarity(a, b), abs=1e-12)


def test_short_passages_use_the_exact_functions() -> None:
    a, b = _near_copy(LONG_PASSAGE, 11, seed=2)
    assert token_opcodes(a, b) == opcodes(a, b)
    assert token_similarity(a, b) == indel_similarity(a, b)


# --------------------------------------------------------------------------- tokenize, normalize


def test_tokenizing_in_passes_gives_the_same_tokens(monkeypatch: pytest.MonkeyPatch, seeds: dict[int, str]) -> None:
    rng = random.Random(4)
    texts = [normalize(t).text for t in seeds.values()]
    texts += ["".join(rng.choice("ab1.,'-/ \n\tđ9") for _ in range(2000)) for _ in range(50)]
    for text in texts:
        whole = tokenize(text)
        monkeypatch.setattr(SH, "_CHUNK", rng.randint(1, 64))
        parts = tokenize(text)
        monkeypatch.setattr(SH, "_CHUNK", 1 << 20)
        for x, y in ((whole.starts, parts.starts), (whole.ends, parts.ends), (whole.hashes, parts.hashes)):
            assert np.array_equal(x, y)


def _slow_per_character(text: str) -> tuple[str, list[int], list[int]]:
    """``normalization._slow`` as it was: every cluster through NFC and ``lower``."""
    out, starts, ends = [], [], []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = text[i:j]
        if piece not in N._INVISIBLE:
            for ch in unicodedata.normalize("NFC", piece).lower():
                out.append(ch)
                starts.append(i)
                ends.append(j)
        i = j
    return N._fold("".join(out)), starts, ends


def test_slow_normalisation_equals_the_per_character_loop() -> None:
    rng = random.Random(12)
    alphabet = list("aAΣσİéÉ\u0301\u0300\u0323\u00ad\u200b\u2126\u212bK hoà Hòa“”—ßǅ\u0345") + ["\U0001f600"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        v = N._slow(text)
        want, st, en = _slow_per_character(text)
        assert v.text == want and v.starts is not None and v.ends is not None
        assert v.starts.tolist() == st and v.ends.tolist() == en, repr(text)


def test_one_invisible_character_keeps_offsets_right_in_a_long_text(seeds: dict[int, str]) -> None:
    prefix = " ".join(seeds[n] for n in (1, 2, 3, 4)) + "\n"
    s0 = seeds[0]
    k = s0.index("phái đoàn") + 3  # inside a word
    at = len(prefix) + k
    clean = compare(prefix + s0, s0)
    soft = compare(prefix + s0[:k] + "\u00ad" + s0[k:], s0)
    assert clean.passages and len(soft.passages) == len(clean.passages)

    def shifted(x: int) -> int:
        return x + 1 if x > at else x

    for p, q in zip(clean.passages, soft.passages):
        assert q.b == p.b
        assert (q.a.start, q.a.end) == (shifted(p.a.start), shifted(p.a.end))


# --------------------------------------------------------------------------- capped work is stated


def _long_near_copy(seeds: dict[int, str]) -> tuple[str, str]:
    """Real words, over ``LONG_PASSAGE`` tokens, and a copy with one word in 60 changed."""
    words = " ".join(seeds.values()).split()
    words = (words * (1 + 2 * LONG_PASSAGE // len(words)))[: 2 * LONG_PASSAGE]
    rng = random.Random(16)
    other = list(words)
    for i in range(0, len(other), 60):
        other[i] = rng.choice(words) + "x"
    return " ".join(words), " ".join(other)


def test_a_piecewise_diff_is_stated_in_json_and_report(seeds: dict[int, str]) -> None:
    from io import StringIO

    from rich.console import Console

    from overlap.report import render_comparison

    a, b = _long_near_copy(seeds)
    c = compare(a, b, paraphrase=False)
    long = [k for k, p in enumerate(c.passages, 1) if len(p.a.of(a).split()) > LONG_PASSAGE]
    assert long, "the test needs a passage over LONG_PASSAGE tokens"
    d = c.to_dict()
    assert [k for k, p in enumerate(d["passages"], 1) if p["piecewise"]] == long
    assert any(f"passage {long[0]} " in s and "piecewise" in s for s in d["capped"])
    out = StringIO()
    render_comparison(c, a, b, console=Console(file=out, width=100, color_system=None))
    assert "capped: passage" in out.getvalue() and "piecewise" in out.getvalue()
    from overlap.html import comparison_html

    page = comparison_html(c, a, b, a_name="a.txt", b_name="b.txt")
    assert f"<li>capped: passage {long[0]} is over" in page and "computed piecewise" in page
    # An ordinary pair: nothing capped, no passage piecewise.
    small = compare(seeds[0], seeds[0].replace("Nga", "Mỹ"))
    assert small.capped == () and not any(p.piecewise for p in small.passages)


def test_skipping_the_reworded_stage_over_its_cap_is_stated(monkeypatch: pytest.MonkeyPatch, seeds: dict[int, str]) -> None:
    import overlap.pipeline as P

    a, b = seeds[0], seeds[1]
    full = compare(a, b)
    assert not any("reworded" in s for s in full.capped)
    monkeypatch.setattr(P, "REWORDED_MAX_PAIRS", 10)
    capped = compare(a, b)
    assert any("reworded passages were not searched" in s for s in capped.capped)
    assert capped.passages == compare(a, b, paraphrase=False).passages
    # Without the paraphrase stage nothing was skipped, so nothing is said.
    assert not compare(a, b, paraphrase=False).capped


def test_nfc_text_with_a_combining_mark_gives_the_plain_view_and_offsets(seeds: dict[int, str]) -> None:
    # "q" + grave has no precomposed form, so the text is NFC: the cluster path it now
    # takes (a combining mark skips ``is_normalized``) must give the plain path's view.
    for text in ("q\u0300 và x", seeds[0] + " q\u0301 " + seeds[1]):
        assert unicodedata.is_normalized("NFC", text)
        v = normalize(text)
        assert v.text == N._fold(text)
        # Offsets at cluster edges (where tokens start and end) are the same; the cluster
        # path widens a range that starts or ends inside a cluster to the whole cluster.
        edges = [k for k in range(len(text) + 1) if k == len(text) or not unicodedata.combining(text[k])]
        rng = random.Random(len(text))
        for _ in range(300):
            i, j = sorted(rng.sample(edges, 2))
            assert v.to_original(i, j) == (i, j)


@pytest.mark.parametrize("memo_max", [1 << 20, 64])
def test_sparse_walk_memo_on_a_long_near_copy_equals_plain_and_compiled(
    monkeypatch: pytest.MonkeyPatch, memo_max: int, seeds: dict[int, str]
) -> None:
    # Real words repeated (common trigrams split the main diagonal into many chains,
    # each of which walks on through the rest of the text) with a few words changed.
    words = " ".join(seeds.values()).split()
    a = (words * 4)[:12_000]
    b = list(a)
    rng = random.Random(3)
    for i in rng.sample(range(len(b)), 15):
        b[i] = "đổi"
    ta, tb = tokenize(normalize(" ".join(a)).text), tokenize(normalize(" ".join(b)).text)
    monkeypatch.setattr(A, "_MEMO_MAX", memo_max)
    was_on = aligner() is not None
    A.use_jit(False)
    try:
        py = A.align(ta, tb)
        assert py == _align_extending_each_chain_alone(ta, tb)
        if A.use_jit():
            assert A.align(ta, tb) == py
    finally:
        A.use_jit(was_on)


def _combine_all_pairs(verbatim, reworded, gap=300):  # type: ignore[no-untyped-def]
    """``combine.combine`` as it was: every pair of items and of groups compared."""
    from overlap.combine import Merged, _distance, _meets
    from overlap.records import Span

    kept_r = [k for k, (ra, rb) in enumerate(reworded) if not any(_meets(ra, va) != _meets(rb, vb) for va, vb in verbatim)]
    items = [("v", i, va, vb) for i, (va, vb) in enumerate(verbatim)] + [("r", k, *reworded[k]) for k in kept_r]
    parent = list(range(len(items)))

    def find(x):  # type: ignore[no-untyped-def]
        while parent[x] != x:
            x = parent[x]
        return x

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if items[i][0] == items[j][0] == "v":
                continue
            if _distance(items[i][2], items[j][2]) <= gap and _distance(items[i][3], items[j][3]) <= gap:
                parent[find(i)] = find(j)
    changed = True
    while changed:
        groups: dict = {}
        for i in range(len(items)):
            groups.setdefault(find(i), []).append(i)
        hull = {g: tuple(Span(min(items[i][s].start for i in m), max(items[i][s].end for i in m)) for s in (2, 3)) for g, m in groups.items()}
        changed = False
        keys = sorted(hull)
        for x in range(len(keys)):
            for y in range(x + 1, len(keys)):
                gx, gy = keys[x], keys[y]
                if all(items[i][0] == "v" for i in groups[gx] + groups[gy]):
                    continue
                if _meets(hull[gx][0], hull[gy][0]) or _meets(hull[gx][1], hull[gy][1]):
                    parent[find(gx)] = find(gy)
                    changed = True
    out = [Merged(*hull[g], tuple(sorted(items[i][1] for i in m if items[i][0] == "v")),
                  tuple(sorted(items[i][1] for i in m if items[i][0] == "r"))) for g, m in groups.items()]
    return sorted(out, key=lambda m: (m.a.start, m.b.start))


def test_combine_comparing_only_pairs_with_a_reworded_item_equals_all_pairs() -> None:
    from overlap.combine import combine
    from overlap.records import Span

    rng = random.Random(13)

    def spans(n: int, span: int) -> list[tuple[Span, Span]]:
        out = []
        for _ in range(n):
            a0, b0 = rng.randrange(span), rng.randrange(span)
            out.append((Span(a0, a0 + rng.randrange(1, 400)), Span(b0, b0 + rng.randrange(1, 400))))
        return out

    for _ in range(400):
        span = rng.choice([500, 3000, 20000])
        v, r = spans(rng.randint(0, 25), span), spans(rng.randint(0, 6), span)
        gap = rng.choice([0, 300])
        assert combine(v, r, gap=gap) == _combine_all_pairs(v, r, gap)


def test_covered_sentences_equal_the_sum_over_every_span() -> None:
    from overlap.paraphrase import Units, _covered
    from overlap.records import Span

    rng = random.Random(21)
    for _ in range(300):
        n = rng.randint(1, 30)
        cuts = sorted(rng.sample(range(1, 2000), n))
        sents = tuple(Span(s, e) for s, e in zip([0, *cuts], cuts) if e >= s)
        known = [Span(a, a + rng.randrange(0, 300)) for a in (rng.randrange(2000) for _ in range(rng.randint(0, 12)))]
        x = Units(sents, tuple(() for _ in sents), 2000)
        share = rng.choice([0.5, 0.1, 1.0])
        plain = [sum(max(0, min(sp.end, s.end) - max(sp.start, s.start)) for s in known) >= share * max(1, len(sp)) for sp in sents]
        assert _covered(x, known, share).tolist() == plain
