"""Human output for the terminal, drawn with rich.

Contents:

- ``make_console(file=None, width=None, color=None) -> rich.console.Console``: a console
  that honours ``NO_COLOR``, a non-TTY output and a width override.
- ``render_comparison(cmp, a_text, b_text, *, console=None, width=None, color=None)``:
  header, summary table, each shared passage as two side-by-side panels (a | b) with the
  differing words highlighted, and a table of conflicts coloured by kind.
- ``render_scan(result, *, console=None, width=None, color=None, max_rows=50)``: the
  corpus view of an ``overlap.scan`` result (summary, clusters with their evidence,
  conflicts across the corpus, name variants, most reused passages).
- ``visible(s) -> str``: ``s`` with every control character (C0 but tab and newline, DEL,
  C1) replaced by one visible stand-in (``␛`` for ESC, ``�`` for C1), so text, ids and
  file names cannot move the cursor, clear the screen or set a window title.  Length is
  kept, so spans into a text stay valid on its visible form.

Colour is never the only signal.  When the output has no colour (``NO_COLOR`` set,
``color=False``, or stdout is not a terminal, e.g. piped into a file) the differing words
are wrapped in plain markers so the text stays readable as plain text::

    [Alexander]     words that differ from the other side's version of the passage
    []              the other side has words here that this side lacks

Conflict kinds are spelled out in the conflicts table, so they need no colour either.
rich is imported inside the functions: ``import overlap`` stays fast.  Cost: linear in
the length of the passages printed; rich's layout dominates (milliseconds per passage).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any

from .records import Comparison, Conflict, Span, Variant
from .reuse import MIN_SIMILARITY as REUSE_MIN_SIMILARITY

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console
    from rich.text import Text

__all__ = ["KIND_STYLES", "make_console", "render_comparison", "render_scan", "visible"]

# Colour of each conflict kind in the terminal (the kind is also printed as a word).
KIND_STYLES = {
    "spelling": "yellow",
    "name": "magenta",
    "number": "cyan",
    "date": "green",
}
_KIND_ORDER = ("spelling", "name", "number", "date")
# Differing words: removed-ish on a, added-ish on b, like a diff; bold+underline survive
# terminals that drop colour.
_EDIT_STYLE = {"a": "bold underline red", "b": "bold underline green"}
_GAP = "‸"


# One character for one character (spans stay valid): C0 controls become their Unicode
# "control picture" (ESC -> ␛), DEL -> ␡, C1 controls (CSI 0x9b acts like ESC [ on some
# terminals) -> U+FFFD.  Tab and newline are layout, not control.
_VISIBLE = {c: 0x2400 + c for c in range(32) if chr(c) not in "\t\n"}
_VISIBLE.update({0x7F: 0x2421, **{c: 0xFFFD for c in range(0x80, 0xA0)}})


def visible(s: str) -> str:
    """``s`` with control characters shown visibly (see the module docstring); linear time.

    >>> visible("a\x1b[2Jb")
    'a␛[2Jb'
    """
    return s.translate(_VISIBLE)


def _visible_hook() -> Any:
    """A rich render hook making every printed segment visible: the safety net that covers
    user text reaching a report by any path (ids, passages, names), colour on or off."""
    from rich.console import RenderHook
    from rich.measure import Measurement
    from rich.segment import Segment

    class _Visible:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __rich_console__(self, console: Any, options: Any) -> Any:
            for seg in console.render(self.inner, options):
                if seg.control or not seg.text:
                    yield seg
                else:
                    yield Segment(seg.text.translate(_VISIBLE), seg.style)

        def __rich_measure__(self, console: Any, options: Any) -> Any:
            return Measurement.get(console, options, self.inner)

    class _Hook(RenderHook):
        def process_renderables(self, renderables: list[Any]) -> list[Any]:
            return [_Visible(r) for r in renderables]

    return _Hook()


def make_console(file: IO[str] | None = None, width: int | None = None, color: bool | None = None) -> Console:
    """A rich ``Console`` for ``overlap``'s human output.

    ``color=None`` decides automatically: no colour when ``NO_COLOR`` is set or ``file``
    (stdout by default) is not a terminal; rich then writes no control codes at all.
    ``color=True`` forces colour even into a pipe (``--color``); ``color=False`` turns it
    off (``--no-color``).  ``width=None`` uses the terminal's width (80 when piped, or
    ``$COLUMNS``); an explicit width must be at least 20.
    """
    from rich.console import Console

    if width is not None and (not isinstance(width, int) or isinstance(width, bool) or width < 20):
        raise ValueError(f"width must be an integer >= 20: {width!r}")
    kwargs: dict[str, Any] = {
        "file": file if file is not None else sys.stdout,
        "width": width,
        "highlight": False,  # never colour numbers/URLs inside the articles
        "emoji": False,
        "soft_wrap": False,
    }
    if color is True:
        kwargs.update(force_terminal=True, no_color=False)
    elif color is False:
        kwargs.update(no_color=True)
    console = Console(**kwargs)
    console.push_render_hook(_visible_hook())
    return console


def _plain(console: Console) -> bool:
    """True when colour will not reach the reader, so plain-text markers are needed."""
    return console.no_color or console.color_system is None


def _name(path: str | None, default: str) -> str:
    if not path:
        return default
    return path.replace("\\", "/").rsplit("/", 1)[-1] or path


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "–"


def _kinds(kinds: Iterable[str]) -> list[tuple[str, int]]:
    counts = Counter(kinds)
    rank = {k: i for i, k in enumerate(_KIND_ORDER)}
    return sorted(counts.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def _merge(spans: Iterable[Span], within: Span) -> list[Span]:
    """``spans`` clipped to ``within``, empty ones dropped, overlapping ones merged."""
    out: list[Span] = []
    for s in sorted(spans):
        lo, hi = max(s.start, within.start), min(s.end, within.end)
        if lo >= hi:
            continue
        if out and lo <= out[-1].end:
            out[-1] = Span(out[-1].start, max(out[-1].end, hi))
        else:
            out.append(Span(lo, hi))
    return out


def _passage_text(
    text: str,
    span: Span,
    edits: Iterable[Span],
    edit_style: str,
    conflicts: Iterable[tuple[Span, str]],
    gaps: Iterable[int],
    plain: bool,
) -> Text:
    """``text[span]`` as rich Text: differing words styled (and ``[bracketed]`` when
    ``plain``), conflicts coloured by kind, and gaps (words only the other side has) shown
    as a caret, or ``[]`` when plain.  Brackets never nest: overlapping edits are merged.
    """
    from rich.text import Text

    runs = _merge(edits, span)
    confs = [(c, st) for c, st in conflicts if max(c.start, span.start) < min(c.end, span.end)]
    gap_at = {g for g in gaps if span.start <= g <= span.end}
    starts = {r.start for r in runs}
    ends = {r.end for r in runs}
    edges = {span.start, span.end, *starts, *ends, *gap_at, *(c.start for c, _ in confs), *(c.end for c, _ in confs)}
    cuts = sorted(x for x in edges if span.start <= x <= span.end)
    out = Text()
    inside = False  # inside an edit run
    for i, pos in enumerate(cuts):
        if pos in ends and inside:
            if plain:
                out.append("]", style=edit_style)
            inside = False
        if pos in gap_at and not (pos in starts):
            out.append("[]" if plain else _GAP, style="bold red")
        if pos in starts:
            if plain:
                out.append("[", style=edit_style)
            inside = True
        if i + 1 == len(cuts):
            break
        nxt = cuts[i + 1]
        styles = [edit_style] if inside else []
        styles += [st for c, st in confs if c.start <= pos and nxt <= c.end]
        out.append(text[pos:nxt], style=" ".join(styles))
    return out


def _summary_table(cmp: Comparison, a_name: str, b_name: str) -> Any:
    from rich.table import Table
    from rich.text import Text

    s = cmp.similarity
    table = Table(title="Summary", title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Jaccard (word shingles)", f"{s.jaccard:.3f}")
    table.add_row("a contained in b", f"{s.containment_a:.3f}")
    table.add_row("b contained in a", f"{s.containment_b:.3f}")
    table.add_row("near-duplicate", _duplicate_text(cmp))
    table.add_row("shared passages", str(len(cmp.passages)))
    table.add_row(
        "shared characters",
        f"a {cmp.shared_a:,} of {cmp.a_length:,} ({_pct(cmp.shared_a, cmp.a_length)}) · "
        f"b {cmp.shared_b:,} of {cmp.b_length:,} ({_pct(cmp.shared_b, cmp.b_length)})",
    )
    kinds = Text(f"{len(cmp.conflicts)}")
    for i, (kind, n) in enumerate(_kinds(c.kind for c in cmp.conflicts)):
        kinds.append(": " if i == 0 else ", ")
        kinds.append(f"{n} {kind}", style=KIND_STYLES.get(kind, "bold"))
    table.add_row("conflicts", kinds)
    return table


def _duplicate_text(cmp: Comparison) -> Any:
    """"yes" with the rule that fired ("Jaccard 0.62 >= 0.5", "passages cover 85% of both >= 80%"), or "no"."""
    from rich.text import Text

    if not cmp.near_duplicate:
        return Text("no")
    out = Text("yes", style="bold red")
    r = cmp.duplicate
    if r is not None:
        if r.rule == "jaccard":
            out.append(f" (Jaccard {r.jaccard:.3f} >= {r.threshold:g})")
        else:
            out.append(f" (shared passages cover {r.coverage:.0%} of both texts >= {r.threshold:.0%};"
                       f" Jaccard {r.jaccard:.3f})")
    return out


def _conflicts_table(cmp: Comparison, a_name: str, b_name: str, *, variants: bool = False, min_confidence: float = 0.0) -> Any:
    """The conflicts (or, with ``variants``, the same details written two ways) as a table;
    conflicts at ``min_confidence`` or more, most confident first."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    title = "Same detail, written differently (not conflicts)" if variants else "Conflicting details"
    rows: Sequence[Conflict | Variant] = cmp.variants if variants else cmp.conflicts
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column(Text(f"a: {a_name}"), ratio=1)
    table.add_column("a at", no_wrap=True)
    table.add_column(Text(f"b: {b_name}"), ratio=1)
    table.add_column("b at", no_wrap=True)
    if not variants:
        table.add_column("conf.", no_wrap=True, justify="right")
        rows = sorted((c for c in rows if c.confidence >= min_confidence), key=lambda c: (-c.confidence, c.a.start, c.b.start))
    else:
        rows = sorted(rows, key=lambda c: (c.a.start, c.b.start))
    for i, c in enumerate(rows, 1):
        style = "dim" if variants else KIND_STYLES.get(c.kind, "bold")
        table.add_row(
            str(i),
            Text(c.kind, style=f"bold {style}"),
            Text(c.a_text, style=style),
            f"{c.a.start}–{c.a.end}",
            Text(c.b_text, style=style),
            f"{c.b.start}–{c.b.end}",
            *(() if variants else (f"{c.confidence:.2f}",)),
        )
    return table


def render_comparison(
    cmp: Comparison,
    a_text: str,
    b_text: str,
    *,
    console: Console | None = None,
    width: int | None = None,
    color: bool | None = None,
    min_confidence: float = 0.0,
) -> None:
    """Print one comparison for a human: summary, passages side by side, conflicts.

    Conflicts below ``min_confidence`` are left out of the table, with a line that says
    how many (``overlap.confidence.DEFAULT_MIN_CONFIDENCE`` is what the CLI passes).

    ``a_text``/``b_text`` are the texts ``cmp`` was computed from (its spans index them;
    a ``ValueError`` if their lengths disagree with ``cmp``).  Prints to ``console`` if
    given, else to a console from ``make_console(width=width, color=color)`` on stdout.
    """
    from rich.panel import Panel
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    for side, text, length in (("a", a_text, cmp.a_length), ("b", b_text, cmp.b_length)):
        if len(text) != length:
            raise ValueError(
                f"{side}_text has {len(text)} characters but the comparison says {length}: "
                "pass the texts the comparison was made from"
            )
    con = console if console is not None else make_console(width=width, color=color)
    plain = _plain(con)
    # Visible forms before layout (same lengths, so the spans still index them).
    a_text, b_text = visible(a_text), visible(b_text)
    a_name, b_name = visible(_name(cmp.a_path, "a")), visible(_name(cmp.b_path, "b"))

    head = Text("overlap compare  ", style="bold")
    head.append(f"a: {a_name}", style="bold")
    head.append(f" ({cmp.a_length:,} chars)  ↔  ")
    head.append(f"b: {b_name}", style="bold")
    head.append(f" ({cmp.b_length:,} chars)")
    con.print(head)
    con.print()
    con.print(_summary_table(cmp, a_name, b_name))
    for note in cmp.capped:  # work cut short on a very large input (issue 16): say so
        con.print(Text(f"capped: {note}", style="yellow"))
    if plain and any(p.edits for p in cmp.passages):
        con.print(Text("Differing words are shown [in brackets]; [] marks words only the other side has.", style="dim"))

    for pid, p in enumerate(cmp.passages, 1):
        con.print()
        con.print(
            Rule(Text(f"passage {pid} of {len(cmp.passages)} · score {p.score:.2f} · verbatim {p.verbatim:.0%}",
                      style="bold"), align="left")
        )
        panels = []
        for side, text, span, name in (("a", a_text, p.a, a_name), ("b", b_text, p.b, b_name)):
            other = "b" if side == "a" else "a"
            edits = [getattr(e, side) for e in p.edits]
            # Conflicts take their kind's colour; where they cover differing words, the
            # kind's colour wins over the edit's (the later style in rich overrides).
            conflicts = [(getattr(c, side), f"underline {KIND_STYLES.get(c.kind, 'bold')}") for c in cmp.conflicts]
            gaps = [getattr(e, side).start for e in p.edits if len(getattr(e, side)) == 0 and len(getattr(e, other)) > 0]
            body = _passage_text(text, span, edits, _EDIT_STYLE[side], conflicts, gaps, plain)
            panels.append(
                Panel(
                    body,
                    title=Text(f"{side} {span.start}–{span.end} · {name}"),
                    title_align="left",
                    border_style="blue" if side == "a" else "magenta",
                )
            )
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1)
        grid.add_column(ratio=1)
        grid.add_row(*panels)
        con.print(grid)

    con.print()
    hidden = sum(1 for c in cmp.conflicts if c.confidence < min_confidence)
    if len(cmp.conflicts) > hidden:
        con.print(_conflicts_table(cmp, a_name, b_name, min_confidence=min_confidence))
    else:
        con.print(Text("No conflicting details.", style="dim"))
    if hidden:
        con.print(Text(f"{hidden} conflict{'s' if hidden != 1 else ''} below confidence {min_confidence:g} not shown "
                       "(--min-confidence 0 or --json shows them).", style="dim"))
    if cmp.variants:
        con.print(_conflicts_table(cmp, a_name, b_name, variants=True))


def render_scan(
    result: Any,
    *,
    console: Console | None = None,
    width: int | None = None,
    color: bool | None = None,
    max_rows: int = 50,
    min_confidence: float = 0.0,
) -> None:
    """Print an ``overlap.scan`` result for a human.

    Conflicts below ``min_confidence`` are counted, not listed; the rest are ranked by
    confidence.

    Sections: a summary table; each cluster (near-duplicate clusters, then stories) with
    its members and the evidence linking them; conflicts across the corpus (kind, both
    documents, both texts) and the name variants; the most reused passages.  Tables are
    cut at ``max_rows`` rows with a note saying how many were left out (``--json`` has
    everything).  Console as in ``render_comparison``.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise ValueError(f"max_rows must be an integer >= 1: {max_rows!r}")
    con = console if console is not None else make_console(width=width, color=color)
    conflicts = list(result.conflicts)
    st = result.stats
    prefix = _common_dir([d.id for d in result.documents])

    def name(doc_id: str) -> str:
        # Ids share a long directory prefix when a directory is scanned by absolute path;
        # it is said once above and left out of the tables.
        return doc_id[len(prefix) :] if prefix and doc_id.startswith(prefix) else doc_id

    # Ids never wrap or get cut by the table: they are shortened to fit two per row
    # (``_short_id``) and their columns are given that width.
    id_limit = max(12, min(32, (con.width - 44) // 2))

    def short(doc_id: str) -> str:
        return _short_id(name(doc_id), id_limit)

    def more(n: int, what: str) -> None:
        if n > max_rows:
            con.print(Text(f"… and {n - max_rows:,} more {what} (see --json or --html)", style="dim"))

    con.print(Text(f"overlap scan  {st.documents:,} documents, {st.characters:,} characters", style="bold"))
    if prefix:
        con.print(Text(f"document ids below are relative to {prefix}", style="dim"))
    con.print()
    summary = Table(title="Summary", title_justify="left", show_header=False, box=None, padding=(0, 2))
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("linked pairs", f"{len(result.pairs):,}")
    summary.add_row("near-duplicate clusters", f"{len(result.near_duplicate_clusters):,}")
    summary.add_row("story clusters", f"{len(result.story_clusters):,}")
    summary.add_row("documents in no story", f"{len(result.singletons):,}")
    kinds = Text(f"{len(conflicts):,}")
    for i, (kind, n) in enumerate(_kinds(c.kind for _, c in conflicts)):
        kinds.append(": " if i == 0 else ", ")
        kinds.append(f"{n} {kind}", style=KIND_STYLES.get(kind, "bold"))
    summary.add_row("conflicts", kinds)
    summary.add_row("name variants", f"{len(result.name_variants):,}")
    summary.add_row("reused passages", f"{len(result.reused_passages):,}")
    con.print(summary)

    clusters = (*result.near_duplicate_clusters, *result.story_clusters)
    shown = [*result.near_duplicate_clusters[:max_rows], *result.story_clusters[:max_rows]]
    for c in shown:
        # Each kind is numbered from 1, in its ranking (largest and strongest first).
        n = (result.near_duplicate_clusters if c.kind == "near_duplicate" else result.story_clusters).index(c) + 1
        label = "near-duplicate cluster" if c.kind == "near_duplicate" else "story"
        con.print()
        title = Text(f"{label} {n}: {_count(len(c.members), 'document')}", style="bold")
        if c.headline:
            title.append(f"  {_excerpt(c.headline, 100)}", style="italic")
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True)
        shown_ev = c.evidence[:max_rows]
        idw = max((len(short(x)) for e in shown_ev for x in (e.a, e.b)), default=1)
        table.add_column("a", no_wrap=True, min_width=idw)
        table.add_column("b", no_wrap=True, min_width=idw)
        table.add_column("link", no_wrap=True, min_width=max((len(_LINK_LABELS.get(e.reason, e.reason)) for e in shown_ev), default=4))
        table.add_column("confidence", justify="right", no_wrap=True)
        table.add_column("Jaccard", justify="right", no_wrap=True)
        table.add_column("evidence", ratio=3)
        for e in shown_ev:
            reason = _LINK_LABELS.get(e.reason, e.reason)
            style = {"near_duplicate": "bold red", "long_passage": "bold blue", "short_passage": "blue"}.get(e.reason, "")
            table.add_row(
                Text(short(e.a)), Text(short(e.b)), Text(reason, style=style), f"{e.confidence:.2f}",
                f"{e.pair.similarity.jaccard:.3f}" if e.pair is not None else "–",
                Text(_evidence(e.pair) if e.pair is not None else f"rare word pairs in common (cosine {e.vocabulary:.2f})"),
            )
        con.print(table)
        members = ", ".join(short(m) for m in c.members)
        if len(c.evidence) > max_rows:
            more(len(c.evidence), "links")
        con.print(Text("members: ", style="bold") + Text(members))
    more(len(result.near_duplicate_clusters), "near-duplicate clusters")
    more(len(result.story_clusters), "stories")

    con.print()
    confident = sorted((pc for pc in conflicts if pc[1].confidence >= min_confidence), key=lambda pc: -pc[1].confidence)
    if confident:
        table = Table(title="Conflicting details across the corpus", title_justify="left", box=box.SIMPLE_HEAD, expand=True)
        table.add_column("kind", no_wrap=True)
        table.add_column("a", no_wrap=True)
        table.add_column("a says", ratio=2)
        table.add_column("b", no_wrap=True)
        table.add_column("b says", ratio=2)
        table.add_column("conf.", no_wrap=True, justify="right")
        for p, c in confident[:max_rows]:
            style = KIND_STYLES.get(c.kind, "bold")
            table.add_row(
                Text(c.kind, style=f"bold {style}"),
                Text(f"{short(p.a)} {c.a.start}–{c.a.end}"),
                Text(c.a_text, style=style),
                Text(f"{short(p.b)} {c.b.start}–{c.b.end}"),
                Text(c.b_text, style=style),
                f"{c.confidence:.2f}",
            )
        con.print(table)
        more(len(confident), "conflicts")
    else:
        con.print(Text("No conflicting details between linked documents.", style="dim"))
    if len(conflicts) > len(confident):
        hidden = len(conflicts) - len(confident)
        con.print(Text(f"{hidden:,} conflict{'s' if hidden != 1 else ''} below confidence {min_confidence:g} not shown "
                       "(--min-confidence 0 or --json shows them).", style="dim"))

    if result.name_variants:
        con.print()
        con.print(Text("Name variants", style="bold"))
        for v in result.name_variants[:max_rows]:
            line = Text("  ")
            for i, sp in enumerate(v.spellings):
                if i:
                    line.append("  |  ")
                line.append(sp.text, style="bold yellow")
                line.append(f" ({len(sp.docs)} doc{'s' if len(sp.docs) != 1 else ''})")
            con.print(line)
        more(len(result.name_variants), "name variants")

    if result.reused_passages:
        con.print()
        table = Table(title="Most reused passages", title_justify="left", box=box.SIMPLE_HEAD, expand=True)
        table.add_column("docs", justify="right", no_wrap=True)
        table.add_column("text", ratio=1)
        for r in result.reused_passages[:max_rows]:
            text = Text(_excerpt(r.text, 240))
            if r.boilerplate:
                text.append("  (boilerplate: does not link stories)", style="dim")
            table.add_row(str(len(r.docs)), text)
        con.print(table)
        con.print(Text(f"Every occurrence of a passage matches its text at similarity >= {REUSE_MIN_SIMILARITY:g}.", style="dim"))
        more(len(result.reused_passages), "reused passages")


def _common_dir(ids: list[str]) -> str:
    """The longest ``.../`` directory prefix shared by all ``ids`` ("" if none or one id)."""
    if len(ids) < 2:
        return ""
    first, last = min(ids), max(ids)  # the common prefix of all is that of the extremes
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[: first.rfind("/", 0, n) + 1] if "/" in first[:n] else ""


_LINK_LABELS = {
    "near_duplicate": "near-dup",
    "long_passage": "long passage",
    "short_passage": "passage",
    "passage": "passage",
    "same_event": "same event",
    "shared_vocabulary": "vocabulary",
}


def _count(n: int, noun: str) -> str:
    """``"1 document"``, ``"2 documents"``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _short_id(doc_id: str, limit: int = 32) -> str:
    """A document id that fits a table cell whole (the columns do not wrap, so no id is
    ever cut mid-name): an id longer than ``limit`` keeps its last path part (the file
    name, which tells documents apart) and as much of its head as fits, around one "…".
    ``--json`` has the full id.

    >>> _short_id("reuters/2017/01/very-long-directory-name/21454551.txt", 24)
    'reuters/20…/21454551.txt'
    >>> _short_id("21454551")
    '21454551'
    """
    if len(doc_id) <= limit:
        return doc_id
    slash = doc_id.rfind("/")
    tail = doc_id[slash:] if slash >= 0 else ""
    if not tail or len(tail) > limit - 4:
        head = (limit - 1) // 3
        return doc_id[:head] + "…" + doc_id[len(doc_id) - (limit - 1 - head) :]
    return doc_id[: limit - 1 - len(tail)] + "…" + tail


def _excerpt(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def _evidence(pair: Any) -> str:
    """Why a pair is linked, in a few words."""
    if pair.passages:
        shared = sum(len(x.a) for x in pair.passages)
        n = len(pair.passages)
        out = f"{n} shared passage{'s' if n != 1 else ''}, {shared:,} chars"
        if pair.conflicts:
            out += f"; {len(pair.conflicts)} conflict{'s' if len(pair.conflicts) != 1 else ''}"
        return out
    ev = getattr(pair, "same_event", None)
    if ev is not None:
        return "same names " + ", ".join(ev.names[:5]) + ("; same date " + ", ".join(ev.dates) if ev.dates else "")
    return ""
