"""Human output for the terminal, drawn with rich.

Contents:

- ``make_console(file=None, width=None, color=None) -> rich.console.Console``: a console
  that honours ``NO_COLOR``, a non-TTY output and a width override.
- ``render_comparison(cmp, a_text, b_text, *, console=None, width=None, color=None)``:
  header, summary table, each shared passage as two side-by-side panels (a | b) with the
  differing words highlighted, and a table of conflicts coloured by kind.
- ``render_scan(result, *, console=None, width=None, color=None, max_rows=50, title_field="title")``:
  the corpus view of an ``overlap.scan`` result (summary, clusters with their evidence,
  conflicts across the corpus, name variants, most reused passages), documents named
  by their kept title when they have one; in ``report_scan``.
- ``visible(s) -> str``: ``s`` with every control character (C0 but tab and newline, DEL,
  C1) replaced by one visible stand-in, so text, ids and file names cannot move the
  cursor, clear the screen or set a window title; in ``report_console``, with
  ``make_console``.

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

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .records import Comparison, Conflict, Span, Variant
from .report_console import KIND_STYLES, kind_counts, make_console, plain, visible
from .report_scan import render_scan

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console
    from rich.text import Text

__all__ = ["KIND_STYLES", "make_console", "render_comparison", "render_scan", "visible"]

# Differing words: removed-ish on a, added-ish on b, like a diff; bold+underline survive
# terminals that drop colour.
_EDIT_STYLE = {"a": "bold underline red", "b": "bold underline green"}
_GAP = "‸"


def _name(path: str | None, default: str) -> str:
    if not path:
        return default
    return path.replace("\\", "/").rsplit("/", 1)[-1] or path


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "–"


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
    is_plain: bool,
) -> Text:
    """``text[span]`` as rich Text: differing words styled (and ``[bracketed]`` when
    ``is_plain``), conflicts coloured by kind, and gaps (words only the other side has) shown
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
            if is_plain:
                out.append("]", style=edit_style)
            inside = False
        if pos in gap_at and not (pos in starts):
            out.append("[]" if is_plain else _GAP, style="bold red")
        if pos in starts:
            if is_plain:
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
    for i, (kind, n) in enumerate(kind_counts(c.kind for c in cmp.conflicts)):
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
    from rich.text import Text

    for side, text, length in (("a", a_text, cmp.a_length), ("b", b_text, cmp.b_length)):
        if len(text) != length:
            raise ValueError(
                f"{side}_text has {len(text)} characters but the comparison says {length}: "
                "pass the texts the comparison was made from"
            )
    con = console if console is not None else make_console(width=width, color=color)
    is_plain = plain(con)
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
    if is_plain and any(p.edits for p in cmp.passages):
        con.print(Text("Differing words are shown [in brackets]; [] marks words only the other side has.", style="dim"))
    for pid, p in enumerate(cmp.passages, 1):
        con.print()
        _print_passage(con, cmp, pid, {"a": a_text, "b": b_text}, {"a": a_name, "b": b_name}, is_plain)
    con.print()
    _print_conflicts(con, cmp, a_name, b_name, min_confidence)


def _print_passage(
    con: Console, cmp: Comparison, pid: int, texts: dict[str, str], names: dict[str, str], is_plain: bool
) -> None:
    """Passage ``pid`` (from 1) of ``cmp``: a rule with its figures, then its two sides as
    panels next to each other, differing words and conflicts marked."""
    from rich.panel import Panel
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    p = cmp.passages[pid - 1]
    con.print(
        Rule(Text(f"passage {pid} of {len(cmp.passages)} · score {p.score:.2f} · verbatim {p.verbatim:.0%}",
                  style="bold"), align="left")
    )
    panels = []
    for side in ("a", "b"):
        span: Span = getattr(p, side)
        other = "b" if side == "a" else "a"
        edits = [getattr(e, side) for e in p.edits]
        # Conflicts take their kind's colour; where they cover differing words, the
        # kind's colour wins over the edit's (the later style in rich overrides).
        conflicts = [(getattr(c, side), f"underline {KIND_STYLES.get(c.kind, 'bold')}") for c in cmp.conflicts]
        gaps = [getattr(e, side).start for e in p.edits if len(getattr(e, side)) == 0 and len(getattr(e, other)) > 0]
        body = _passage_text(texts[side], span, edits, _EDIT_STYLE[side], conflicts, gaps, is_plain)
        panels.append(
            Panel(
                body,
                title=Text(f"{side} {span.start}–{span.end} · {names[side]}"),
                title_align="left",
                border_style="blue" if side == "a" else "magenta",
            )
        )
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(*panels)
    con.print(grid)


def _print_conflicts(con: Console, cmp: Comparison, a_name: str, b_name: str, min_confidence: float) -> None:
    """The conflicts at ``min_confidence`` or more, a line on how many are hidden, and
    the details written differently on each side (variants)."""
    from rich.text import Text

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
