"""Terminal report (overlap.report) and HTML markup (overlap.html) on the real seed texts.

The comparisons here are built by hand at offsets found with ``str.index`` in seeds 000
and 001, so these tests pin the rendering independently of the pipeline's tuning; the
browser test (test_html_browser.py) renders real ``overlap.compare`` output.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from overlap.html import comparison_html
from overlap.records import Comparison, Conflict, Edit, Passage, SentencePair, Similarity, Span
from overlap.report import make_console, render_comparison

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def seed(n: int) -> str:
    return next((ROOT / "seeds").glob(f"{n:03d}_*.txt")).read_text(encoding="utf-8")


def _find(text: str, s: str, after: int = 0) -> Span:
    i = text.index(s, after)
    return Span(i, i + len(s))


def seed_comparison() -> tuple[Comparison, str, str]:
    """Seeds 000 vs 001 with four hand-made passages and two conflicts at real offsets.

    Passage 1 is the delegation sentence (Alexander/Alexandr Fomin, a spelling conflict);
    2 is an exact match; 3 has a three-word/one-word edit and lies far down in 001; 4 holds
    a (made-up) date conflict, 2021 vs 2014.
    """
    a, b = seed(0), seed(1)
    head = "Dẫn đầu phái đoàn Nga là Thứ trưởng Ngoại giao Sergei Ryabkov và Thứ trưởng Quốc phòng "
    p1a, p1b = _find(a, head + "Alexander Fomin"), _find(b, head + "Alexandr Fomin")
    ea, eb = _find(a, "Alexander"), _find(b, "Alexandr")
    p1 = Passage(p1a, p1b, 0.97, (SentencePair(p1a, p1b, 0.97),), (Edit(ea, eb),))
    sherman = "Thứ trưởng Ngoại giao Mỹ Wendy Sherman"
    p2a, p2b = _find(a, sherman), _find(b, sherman)
    p2 = Passage(p2a, p2b, 1.0, (SentencePair(p2a, p2b, 1.0),))
    p3a, p3b = _find(a, "họp báo sau khi kết thúc đàm phán"), _find(b, "họp báo sau cuộc đàm phán")
    e3 = Edit(_find(a, "khi kết thúc", p3a.start), _find(b, "cuộc", p3b.start))
    p3 = Passage(p3a, p3b, 0.8, (SentencePair(p3a, p3b, 0.8),), (e3,))
    p4a, p4b = _find(a, "hồi tháng 6-2021"), _find(b, "trong năm 2014")
    p4 = Passage(p4a, p4b, 0.5, (), (Edit(_find(a, "6-2021"), _find(b, "2014")),))
    conflicts = (
        Conflict("spelling", ea, eb, "Alexander", "Alexandr"),
        Conflict("date", _find(a, "2021", p4a.start), _find(b, "2014"), "2021", "2014"),
    )
    cmp = Comparison(
        len(a),
        len(b),
        Similarity(0.043, 0.081, 0.054),
        False,
        (p1, p2, p3, p4),
        conflicts,
        "seeds/000_7b86045e079bb756.txt",
        "seeds/001_0d560c797fe07008.txt",
    )
    return cmp, a, b


def _render(cmp: Comparison, a: str, b: str, **kw: object) -> str:
    buf = io.StringIO()
    render_comparison(cmp, a, b, console=make_console(file=buf, **kw))  # type: ignore[arg-type]
    return buf.getvalue()


# --------------------------------------------------------------------------- terminal


def test_piped_output_is_plain_text_with_bracket_markers() -> None:
    cmp, a, b = seed_comparison()
    out = _render(cmp, a, b, width=120)
    assert "\x1b" not in out  # a StringIO is not a terminal: no control codes at all
    # Differing words survive without colour as [markers], on each side.
    assert "[Alexander] Fomin" in out
    assert "[Alexandr] Fomin" in out
    assert "họp báo sau [khi kết thúc] đàm phán" in out
    assert "họp báo sau [cuộc] đàm phán" in out
    # Summary table and conflicts table.
    assert re.search(r"Jaccard.*0\.043", out)
    assert re.search(r"near-duplicate\s+no", out)
    assert re.search(r"shared passages\s+4", out)
    assert "2: 1 spelling, 1 date" in out
    assert re.search(r"spelling\s+Alexander\s+169–178\s+Alexandr\s+189–197", out)
    # Offsets of each passage on each side, and the Vietnamese text intact.
    assert f"a {cmp.passages[0].a.start}–{cmp.passages[0].a.end}" in out
    assert f"b {cmp.passages[2].b.start}–{cmp.passages[2].b.end}" in out
    assert "Thứ trưởng Ngoại giao Mỹ Wendy Sherman" in out


@pytest.mark.parametrize("width", [60, 100, 160])
def test_width_is_respected(width: int) -> None:
    from rich.cells import cell_len

    cmp, a, b = seed_comparison()
    lines = _render(cmp, a, b, width=width).splitlines()
    assert max(cell_len(line) for line in lines) <= width
    # Side-by-side: the delegation passage's two panels start on the same line.
    assert any(line.count("╭") == 2 for line in lines)


def test_forced_colour_styles_the_differing_words_without_brackets() -> None:
    cmp, a, b = seed_comparison()
    out = _render(cmp, a, b, width=120, color=True)
    assert "\x1b[" in out
    plain = ANSI.sub("", out)
    assert "[Alexander]" not in plain and "Alexander Fomin" in plain
    # Differing words are bold, underlined and coloured (31 red on side a, 32 green on b)...
    assert re.search(r"\x1b\[1;4;31mkhi kết thúc\x1b\[0m", out)
    assert re.search(r"\x1b\[1;4;32mcuộc\x1b\[0m", out)
    # ...except inside a conflict, which takes its kind's colour (spelling: 33 yellow).
    assert re.search(r"\x1b\[1;4;33mAlexander\x1b\[0m", out)
    assert re.search(r"\x1b\[1;4;33mAlexandr\x1b\[0m", out)


class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_color_env_on_a_terminal_drops_colour_and_adds_markers(monkeypatch: pytest.MonkeyPatch) -> None:
    cmp, a, b = seed_comparison()
    monkeypatch.setenv("NO_COLOR", "1")
    tty = _TTY()
    monkeypatch.setattr(sys, "stdout", tty)
    render_comparison(cmp, a, b, width=100)  # default console: stdout, colour decided from env
    out = tty.getvalue()
    colour_codes = re.findall(r"\x1b\[[0-9;]*(?:3[0-7]|9[0-7])[;m]", out)
    assert colour_codes == []
    assert "[Alexander]" in ANSI.sub("", out)


def test_no_color_flag_overrides_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    cmp, a, b = seed_comparison()
    monkeypatch.delenv("NO_COLOR", raising=False)
    tty = _TTY()
    render_comparison(cmp, a, b, console=make_console(file=tty, width=100, color=False))
    assert "[Alexandr]" in ANSI.sub("", tty.getvalue())
    assert not re.search(r"\x1b\[[0-9;]*3[0-7]m", tty.getvalue())


def test_gap_marker_and_no_conflicts() -> None:
    a = "Ông Ryabkov nói rằng tình hình là vô vọng."
    b = "Ông Ryabkov nói tình hình là vô vọng."
    ins = a.index("rằng ")
    p = Passage(Span(0, len(a)), Span(0, len(b)), 0.9, (), (Edit(Span(ins, ins + 5), Span(ins, ins)),))
    cmp = Comparison(len(a), len(b), Similarity(0.7, 0.8, 0.9), True, (p,))
    out = _render(cmp, a, b, width=100)
    assert "nói [rằng ]tình hình" in out
    assert "nói []tình hình" in out
    assert "No conflicting details." in out
    assert re.search(r"near-duplicate\s+yes", out)


def test_texts_must_match_the_comparison() -> None:
    cmp, a, b = seed_comparison()
    with pytest.raises(ValueError, match="b_text has 3 characters but the comparison says"):
        render_comparison(cmp, a, "abc", console=make_console(file=io.StringIO()))
    with pytest.raises(ValueError, match="a_text has 1 characters"):
        comparison_html(cmp, "x", b)


@pytest.mark.parametrize("width", [0, 5, -1, True, 80.0])
def test_make_console_rejects_bad_width(width: object) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(width))):
        make_console(width=width)  # type: ignore[arg-type]


def test_import_overlap_does_not_import_rich() -> None:
    code = "import sys, overlap, overlap.report, overlap.html; print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- HTML markup


class _Tree(HTMLParser):
    """Checks nesting and collects the text inside each pane's ``div.text``."""

    VOID = {"meta", "br", "img", "input", "link", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.pane_text: dict[str, list[str]] = {}
        self._pane: str | None = None
        self._pane_depth = 0
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.open_pids: list[str | None] = []
        self.nested_pids: set[tuple[str, str]] = set()  # (outer pid, inner pid)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        self.elements.append((tag, d))
        if tag in self.VOID:
            return
        pid = d.get("data-pid")
        if pid:
            self.nested_pids.update((outer, pid) for outer in self.open_pids if outer and outer != pid)
        self.stack.append(tag)
        self.open_pids.append(pid)
        if tag == "div" and d.get("class") == "text":
            self._pane = str(d["id"])
            self._pane_depth = len(self.stack)
            self.pane_text[self._pane] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        if self._pane and len(self.stack) == self._pane_depth:
            self._pane = None
        self.stack.pop()
        self.open_pids.pop()

    def handle_data(self, data: str) -> None:
        if self._pane:
            self.pane_text[self._pane].append(data)


def _parse(doc: str) -> _Tree:
    t = _Tree()
    t.feed(doc)
    t.close()
    assert t.errors == [] and t.stack == []
    return t


def test_html_is_well_formed_and_panes_hold_the_original_text_verbatim() -> None:
    cmp, a, b = seed_comparison()
    doc = comparison_html(cmp, a, b, a_name="000.txt", b_name="001.txt")
    tree = _parse(doc)
    assert "".join(tree.pane_text["cmp-a"]) == a
    assert "".join(tree.pane_text["cmp-b"]) == b
    assert '<meta charset="utf-8">' in doc
    assert "Dẫn đầu phái đoàn Nga" in doc  # Vietnamese as characters, not entities


def test_html_marks_passages_in_matching_colours_and_conflicts_with_the_other_value() -> None:
    cmp, a, b = seed_comparison()
    tree = _parse(comparison_html(cmp, a, b, a_name="000.txt", b_name="001.txt"))
    firsts = {
        (d["id"][0], d["data-pid"]): d["style"]
        for tag, d in tree.elements
        if tag == "span" and (d.get("class") or "").startswith("psg first")
    }
    assert len(firsts) == 2 * len(cmp.passages)
    styles = {firsts[("a", str(i))] for i in range(1, 5)}
    assert len(styles) == 4  # a colour of its own per passage
    assert all(firsts[("a", str(i))] == firsts[("b", str(i))] for i in range(1, 5))
    titles = {d["id"]: d["title"] for tag, d in tree.elements if d.get("id", "").endswith("-c1")}
    assert titles == {"a-c1": "spelling: 001.txt has “Alexandr”", "b-c1": "spelling: 000.txt has “Alexander”"}


def test_html_escapes_text_and_names_and_loads_nothing_from_the_network() -> None:
    a = 'Tin <script>alert("x")</script> & "trích dẫn" cùng nguồn.'
    b = 'Bản khác: <script>alert("x")</script> & "trích dẫn" cùng nguồn.'
    sa, sb = _find(a, "<script>"), _find(b, "<script>")
    pa, pb = Span(sa.start, len(a)), Span(sb.start, len(b))
    cmp = Comparison(len(a), len(b), Similarity(0.5, 0.6, 0.6), False, (Passage(pa, pb, 1.0),))
    doc = comparison_html(cmp, a, b, a_name='<b onmouseover="x">', b_name="b&b", title="</title><i>")
    assert "<script>alert" not in doc and "<b onmouseover" not in doc and "</title><i>" not in doc
    tree = _parse(doc)
    assert "".join(tree.pane_text["cmp-a"]) == a
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", doc)
    assert "<link" not in doc and "@import" not in doc and "url(" not in doc
    assert "default-src 'none'" in doc


def test_html_crossing_ranges_are_split_not_broken() -> None:
    # Two passages overlapping on a, a conflict crossing an edit's end, an insertion point.
    a = "Nga và Mỹ nhất trí tiến hành cuộc đối thoại về ổn định chiến lược."
    b = "Nga, Mỹ nhất trí tiến hành đối thoại về ổn định chiến lược song phương."
    cuoc = _find(a, "cuộc ")
    p1 = Passage(
        Span(0, cuoc.end + 3),
        Span(0, b.index("đối") + 3),
        0.7,
        (),
        (Edit(_find(a, " và"), _find(b, ",")), Edit(cuoc, Span(b.index("đối"), b.index("đối")))),
    )
    p2 = Passage(_find(a, "tiến hành cuộc đối thoại về ổn định"), _find(b, "tiến hành đối thoại về ổn định"), 0.8)
    conf = Conflict("name", _find(a, "và Mỹ"), _find(b, "Mỹ"), "và Mỹ", "Mỹ")
    cmp = Comparison(len(a), len(b), Similarity(0.4, 0.5, 0.5), False, (p1, p2), (conf,))
    doc = comparison_html(cmp, a, b)
    tree = _parse(doc)
    assert "".join(tree.pane_text["cmp-a"]) == a
    assert "".join(tree.pane_text["cmp-b"]) == b
    # Where the passages overlap, passage 2 nests inside passage 1; passage 2 continues after
    # passage 1 ends as a second element carrying the same pid.
    assert ("1", "2") in tree.nested_pids
    a_pane = doc[doc.index('id="cmp-a"') : doc.index('id="cmp-b"')]
    assert a_pane.count('data-pid="2"') == 2 and a_pane.count('class="psg first" data-pid="2"') == 1
    # The conflict starts inside the " và" edit and runs past it: split in two elements.
    assert a_pane.count('data-cid="1"') == 2
    # The words only a has show on b as a zero-width marker with the words in its tooltip.
    assert '<span class="gap" title="a has “cuộc” here"></span>đối' in doc


def _luminance(css: str) -> float:
    """WCAG relative luminance of ``hsl(H S% L%)`` or ``#rrggbb``."""
    import colorsys

    if css.startswith("#"):
        rgb = [int(css[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    else:
        h, s, light = (float(x.rstrip("%")) for x in css[4:-1].split())
        rgb = list(colorsys.hls_to_rgb(h / 360, light / 100, s / 100))
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(x: str, y: str) -> float:
    hi, lo = sorted((_luminance(x), _luminance(y)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_html_colours_keep_text_readable() -> None:
    from overlap.html import KIND_COLOURS, passage_colour

    for i in range(60):
        bg, border = passage_colour(i)
        assert _contrast("#161616", bg) >= 7.0, (i, bg)  # WCAG AAA for body text
        assert _contrast("#ffffff", border) >= 4.5, (i, border)  # white badge digits
        assert _contrast(border, bg) >= 3.0, (i, border, bg)  # the underline shows on its passage
    for kind, colour in KIND_COLOURS.items():
        assert _contrast("#ffffff", colour) >= 4.5, kind
    # Neighbouring passages get clearly different hues.
    hues = [int(passage_colour(i)[0][4:].split()[0]) for i in range(8)]
    assert min(min(abs(x - y), 360 - abs(x - y)) for k, x in enumerate(hues) for y in hues[k + 1 :]) >= 20


# --------------------------------------------------------------------------- scan views


@pytest.fixture(scope="module")
def seed_scan() -> object:
    from overlap.corpus import scan
    from overlap.sources import iter_documents

    return scan(iter_documents([str(ROOT / "seeds")]), workers=1)


def test_render_scan_lists_clusters_conflicts_and_variants(seed_scan: object) -> None:
    from overlap.report import render_scan

    buf = io.StringIO()
    render_scan(seed_scan, console=make_console(file=buf, width=200))
    out = buf.getvalue()
    assert "\x1b" not in out
    assert "overlap scan  5 documents" in out
    # ids are the directory's own name and the path inside it, however it was typed
    assert "document ids below are relative to seeds/" in out
    assert re.search(r"story 1: 3 documents  \S", out)  # numbered from 1, with its headline
    assert re.search(r"000_\S+\s+002_\S+\s+passage\s+0\.\d\d", out)  # evidence with its confidence
    assert re.search(r"spelling\s+\S*000_\S+ 169–184\s+Alexander Fomin\s+\S*001_\S+ 189–203\s+Alexandr Fomin", out)
    assert "Alexander Fomin (2 docs)  |  Alexandr Fomin (1 doc)" in out
    assert "Dẫn đầu phái đoàn Nga" in out  # the most reused passage, quoted


def test_render_scan_cuts_long_tables_and_says_so(seed_scan: object) -> None:
    from overlap.report import render_scan

    buf = io.StringIO()
    render_scan(seed_scan, console=make_console(file=buf, width=120), max_rows=1)
    out = buf.getvalue()
    assert "… and 1 more conflicts" in out and "… and 2 more reused passages" in out
    with pytest.raises(ValueError, match="max_rows must be an integer >= 1: 0"):
        render_scan(seed_scan, console=make_console(file=io.StringIO()), max_rows=0)


def test_scan_html_embeds_a_compare_view_per_pair_with_unique_ids(seed_scan: object) -> None:
    from overlap.html import scan_html

    doc = scan_html(seed_scan)
    tree = _parse(doc)
    ids = [d["id"] for _, d in tree.elements if d.get("id")]
    assert len(ids) == len(set(ids))
    targets = {d["href"][1:] for t, d in tree.elements if t == "a" and (d.get("href") or "").startswith("#")}
    assert targets <= set(ids)
    pairs = seed_scan.pairs  # type: ignore[attr-defined]
    views = [d["id"] for t, d in tree.elements if t == "section" and d.get("class") == "pairview"]
    assert len(views) == len(pairs) == 4
    # Every embedded pane holds its document verbatim.
    panes = {k: "".join(v) for k, v in tree.pane_text.items()}
    texts = {seed_scan.text(d.id) for d in seed_scan.documents}  # type: ignore[attr-defined]
    assert len(panes) == 8 and set(panes.values()) <= texts
    # The conflicts section links each conflict into its pair's view.
    assert doc.count("data-then='.conf[data-cid=&quot;1&quot;]'") == 2
    assert "same names Ned Price" in doc
    # max_pairs limits the embedded views but still lists every pair.
    small = scan_html(seed_scan, max_pairs=1)
    assert small.count('class="pairview"') == 1 and "3 more pairs have no embedded view" in small


def test_scan_html_views_every_chosen_pair_when_max_pairs_cuts(data_dir: Path) -> None:
    """Regression: ``scan_html`` chose the embedded pairs by section (top clusters and
    conflicts first) but built the views of the best ``max_pairs`` pairs by rank, and
    raised ``KeyError`` when the two sets differed (300 VietnameseMDS articles,
    ``max_pairs=30``).  Every chosen pair now gets its view and every link a target."""
    from overlap import Document, scan
    from overlap.html import scan_html

    files = sorted((data_dir / "vietnamese_mds").rglob("*.body.txt"))[:300]
    r = scan([Document(f"{p.parent.name}/{p.name}", p.read_text(encoding="utf-8")) for p in files], workers=1)
    assert len(r.pairs) > 30
    doc = scan_html(r, max_pairs=30)
    tree = _parse(doc)
    ids = {d["id"] for _, d in tree.elements if d.get("id")}
    views = [d["id"] for t, d in tree.elements if t == "section" and d.get("class") == "pairview"]
    assert sorted(views) == sorted(f"pair-{k}" for k in range(1, 31))
    targets = {d["href"][1:] for t, d in tree.elements if t == "a" and (d.get("href") or "").startswith("#")}
    assert targets <= ids
