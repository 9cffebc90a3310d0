"""The ``overlap`` command: a thin layer over the library.

``overlap compare A B``, ``overlap scan PATH...``, ``overlap index add|query|stats``,
``overlap dedup INPUT... -o OUTPUT``.

Each subcommand builds its options, makes one library call and prints.  Every error the
library raises on purpose (``OverlapError``) and every usage error becomes one line on
stderr and a non-zero exit: 2 for bad usage or options, 1 for bad input.  No tracebacks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, NoReturn, Sequence

from .errors import ConfigError, InputError, OverlapError

__all__ = ["main"]

EXIT_INPUT = 1
EXIT_USAGE = 2


class _UsageError(Exception):
    """Bad command-line usage; the message is the one line to print."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: {message} (see --help)")


def _fraction(flag: str) -> Callable[[str], float]:
    def parse(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be a number in [0, 1]: {s!r}") from None
        if not 0.0 <= v <= 1.0:
            raise argparse.ArgumentTypeError(f"{flag} must be in [0, 1]: {s}")
        return v

    return parse


def _count(flag: str, lo: int = 1, hi: int = 1000) -> Callable[[str], int]:
    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be an integer in [{lo}, {hi}]: {s!r}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{flag} must be in [{lo}, {hi}]: {s}")
        return v

    return parse


def _encoding(s: str) -> str:
    """``--encoding``: a text codec Python knows (not rot13, hex, base64, zlib_codec...)."""
    from .textio import check_encoding

    try:
        check_encoding(s)
    except ConfigError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return s


def _add_output_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON (schema in the README) instead of the report")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report to FILE")
    p.add_argument("--width", type=_count("--width", 40, 1000), help="report width in columns (default: terminal)")
    color = p.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None, help="force colour")
    color.add_argument("--no-color", dest="color", action="store_false", help="no colour (also: NO_COLOR=1)")


def _add_compare_flags(p: argparse.ArgumentParser) -> None:
    from .language import LANGUAGES
    from .pipeline import CompareOptions

    d = CompareOptions()
    g = p.add_argument_group("matching")
    g.add_argument("--near-duplicate", type=_fraction("--near-duplicate"), default=d.near_duplicate, metavar="J",
                   help=f"Jaccard at or above which texts are near-duplicates (default {d.near_duplicate})")
    g.add_argument("--duplicate-coverage", type=_fraction("--duplicate-coverage"), default=d.duplicate_coverage,
                   metavar="F", help="also near-duplicates when shared passages cover this share of both texts "
                   f"(default {d.duplicate_coverage})")
    g.add_argument("--shingle-size", type=_count("--shingle-size"), default=d.shingle_size, metavar="K",
                   help=f"tokens per shingle for similarity (default {d.shingle_size})")
    g.add_argument("--min-tokens", type=_count("--min-tokens"), default=d.min_tokens, metavar="N",
                   help=f"matched tokens a shared passage needs (default {d.min_tokens})")
    g.add_argument("--max-gap", type=_count("--max-gap", 0), default=d.max_gap, metavar="N",
                   help=f"differing tokens a passage may bridge (default {d.max_gap})")
    g.add_argument("--seed-size", type=_count("--seed-size"), default=d.seed_size, metavar="K",
                   help=f"tokens in an exact seed match (default {d.seed_size})")
    g.add_argument("--min-density", type=_fraction("--min-density"), default=d.min_density, metavar="F",
                   help=f"share of a passage's tokens that must match (default {d.min_density})")
    g.add_argument("--no-paraphrase", dest="paraphrase", action="store_false", default=d.paraphrase,
                   help="verbatim passages only: do not look for reworded reuse")
    g.add_argument("--language", choices=LANGUAGES, default=d.language,
                   help="language of the texts for reworded reuse (default auto: detected per text)")
    p.add_argument("--encoding", type=_encoding, default="utf-8", help="input encoding (default utf-8; e.g. cp1258, latin-1)")


def _compare_options(args: argparse.Namespace) -> Any:
    from .pipeline import CompareOptions

    return CompareOptions(
        shingle_size=args.shingle_size,
        near_duplicate=args.near_duplicate,
        duplicate_coverage=args.duplicate_coverage,
        seed_size=args.seed_size,
        max_gap=args.max_gap,
        min_tokens=args.min_tokens,
        min_density=args.min_density,
        paraphrase=args.paraphrase,
        language=args.language,
    )


def _html_target(args: argparse.Namespace, inputs: Sequence[str]) -> Any:
    """The checked ``--html`` path (``None`` when not asked), validated before any work:
    never empty, an input, an index, a directory or a symbolic link (``overlap.outputs``)."""
    if args.html is None:
        return None
    from .outputs import check_output_path

    return check_output_path(args.html, inputs=inputs, what="HTML report")


def _write_html(path: Any, html: str) -> None:
    """Write via a temporary file and rename (``overlap.outputs``): never half a report."""
    from .outputs import atomic_write_text

    atomic_write_text(path, html)


def _cmd_compare(args: argparse.Namespace) -> int:
    from .pipeline import compare
    from .textio import read_text

    if args.a == "-" and args.b == "-":
        raise _UsageError("overlap compare: only one of A and B can be - (stdin)")
    options = _compare_options(args)
    html_path = _html_target(args, [args.a, args.b])
    a_text = read_text(args.a, encoding=args.encoding)
    b_text = read_text(args.b, encoding=args.encoding)
    cmp = compare(a_text, b_text, options=options)
    from dataclasses import replace

    cmp = replace(cmp, a_path=args.a, b_path=args.b)
    if args.json and args.min_confidence is not None:  # JSON gives every conflict unless asked
        cmp = replace(cmp, conflicts=tuple(c for c in cmp.conflicts if c.confidence >= args.min_confidence))
    if html_path is not None:
        from .html import comparison_html

        _write_html(html_path, comparison_html(cmp, a_text, b_text, a_name=args.a, b_name=args.b))
    if args.json:
        json.dump(cmp.to_dict(a_text), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        from .report import render_comparison

        render_comparison(cmp, a_text, b_text, width=args.width, color=args.color, min_confidence=_shown_confidence(args))
    return _compare_status(cmp, args.fail_on, _shown_confidence(args))


def _shown_confidence(args: argparse.Namespace) -> float:
    """The least confidence of a conflict the report shows (``--min-confidence``, else the default)."""
    from .confidence import DEFAULT_MIN_CONFIDENCE

    return DEFAULT_MIN_CONFIDENCE if args.min_confidence is None else float(args.min_confidence)


def _compare_status(cmp: Any, fail_on: str | None, min_confidence: float) -> int:
    """Exit status of ``compare --fail-on``: 1 when the asked-for finding is present
    (for conflicts: one at or above the confidence the report shows)."""
    if fail_on == "near-duplicate":
        return int(bool(cmp.near_duplicate))
    if fail_on == "conflict":
        return int(any(c.confidence >= min_confidence for c in cmp.conflicts))
    return 0


class _Version(argparse.Action):
    """``--version``, reading the installed version only when asked (the lookup is slow)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from . import __version__

        print(f"overlap {__version__}")
        parser.exit()


def _build_parser(command: str | None = None) -> _Parser:
    """The full parser; for ``command == "compare"`` only that subcommand (the others'
    defaults come from their modules, and importing ``overlap.corpus`` would slow a cold
    ``overlap compare``)."""
    parser = _Parser(
        prog="overlap",
        description="Find shared passages between news texts and the details they disagree on.",
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser(
        "compare",
        help="compare two texts: similarity, shared passages, conflicting details",
        description="Compare two texts: similarity, shared passages with offsets on both sides, "
        "and the details (names, numbers, dates) they disagree on. Use - for stdin.",
    )
    p.add_argument("a", metavar="A", help="first text file (or - for stdin)")
    p.add_argument("b", metavar="B", help="second text file (or - for stdin)")
    _add_output_flags(p)
    _add_compare_flags(p)
    p.add_argument("--min-confidence", type=_fraction("--min-confidence"), default=None, metavar="C",
                   help="show conflicts whose confidence (how sure it is that both sides state the same fact) "
                   "is at least C; default 0.7 in the report, all conflicts in --json")
    p.add_argument("--fail-on", choices=("near-duplicate", "conflict"),
                   help="exit with status 1 when the texts are near-duplicates / have a conflicting detail (like diff)")
    p.set_defaults(run=_cmd_compare)

    if command != "compare":
        for register in _EXTRA_COMMANDS:
            register(sub)
    return parser



# --------------------------------------------------------------------------- scan


def _add_input_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("input")
    g.add_argument("--text-field", default="text", metavar="F", help="JSONL/CSV/Parquet field holding the text (default text)")
    g.add_argument("--id-field", default="id", metavar="F",
                   help="field holding the document id (default id; '' numbers records as file:line)")
    g.add_argument("--format", dest="fmt", choices=("dir", "txt", "jsonl", "csv", "parquet"),
                   help="input format of every PATH (default: from the extension; a directory is searched for .txt)")
    g.add_argument("--encoding", type=_encoding, default="utf-8", help="input encoding (default utf-8; e.g. cp1258, latin-1)")
    g.add_argument("--skip-bad", action="store_true",
                   help="skip bad records and unreadable files with a warning on stderr instead of stopping")


def _documents(args: argparse.Namespace) -> Any:
    from .sources import iter_documents

    def warn(e: Exception) -> None:
        _fail(f"overlap: skipped {e}")

    return iter_documents(
        args.paths,
        text_field=args.text_field,
        id_field=args.id_field,
        encoding=args.encoding,
        fmt=args.fmt,
        on_bad=warn if args.skip_bad else None,
    )


class _Progress:
    """A rich progress bar on stderr, one task per scan stage; a no-op when off.

    ``totals`` gives a stage's total when the scan cannot know it (the number of input
    files, counted up front).  When a stage starts, the stages before it are finished:
    their bars fill and their timers stop.
    """

    def __init__(self, enabled: bool, totals: dict[str, int] | None = None) -> None:
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}
        self._totals = totals or {}
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(file=sys.stderr), transient=True,
            )

    _LABELS = {"sign": "signing documents", "compare": "verifying pairs"}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self._bar is None:
            return
        if total is None:
            total = self._totals.get(stage)
            if total is not None and done > total:
                total = None  # more documents than files counted (records files): no total
        task = self._tasks.get(stage)
        if task is None:
            for t in self._tasks.values():
                self._finish(t)
            task = self._tasks[stage] = self._bar.add_task(self._LABELS.get(stage, stage), total=total)
        self._bar.update(task, completed=done, total=total)

    def _finish(self, task: Any) -> None:
        t = next(x for x in self._bar.tasks if x.id == task)
        if not t.finished:
            self._bar.update(task, total=t.completed)  # a finished task's elapsed time stops
        self._bar.stop_task(task)

    def __enter__(self) -> "_Progress":
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _cmd_scan(args: argparse.Namespace) -> int:
    from .corpus import ScanOptions, scan

    if args.paths.count("-") > 1:
        raise _UsageError("overlap scan: - (stdin) can be given only once")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if args.workers is not None and args.workers > cores:
        _fail(f"overlap: --workers {args.workers} capped at {cores} (the cores available)")
        args.workers = cores
    from .pipeline import CompareOptions

    copts = CompareOptions(
        shingle_size=args.shingle_size, near_duplicate=args.threshold, duplicate_coverage=args.duplicate_coverage,
        seed_size=args.seed_size, max_gap=args.max_gap, min_tokens=args.min_tokens, min_density=args.min_density,
    )
    options = ScanOptions(
        num_perm=args.num_perm,
        seed=args.seed,
        shingle_size=args.shingle_size,
        near_duplicate=args.threshold,
        same_event=not args.no_same_event,
        top_passages=args.top_passages,
        max_compares=args.max_compares or None,
        workers=args.workers,
        compare=copts,
    )
    html_path = _html_target(args, args.paths)
    show = not args.quiet and sys.stderr.isatty()
    if args.engine == "spark":
        from .spark import scan_spark

        def warn(e: Exception) -> None:
            _fail(f"overlap: skipped {e}")

        result = scan_spark(
            args.paths, options=options, master=args.master, text_field=args.text_field, id_field=args.id_field,
            encoding=args.encoding, input_format=args.fmt, on_bad=warn if args.skip_bad else None,
        )
    else:
        from .sources import document_count

        total = document_count(args.paths, fmt=args.fmt) if show else None
        with _Progress(show, {"sign": total} if total else None) as progress:
            result = scan(_documents(args), options=options, progress=progress)
    if html_path is not None:
        from .html import scan_html

        _write_html(html_path, scan_html(result))
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.jsonl:
        for rec in result.records():
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
    else:
        from .confidence import DEFAULT_MIN_CONFIDENCE
        from .report import render_scan

        shown = DEFAULT_MIN_CONFIDENCE if args.min_confidence is None else args.min_confidence
        render_scan(result, width=args.width, color=args.color, min_confidence=shown)
    if not args.quiet:
        st = result.stats
        sys.stderr.write(
            f"overlap: scanned {st.documents:,} documents in {st.seconds:.1f} s "
            f"({st.compared:,} pairs verified, {st.linked_pairs:,} linked)\n"
        )
    return 0


def _register_scan(sub: Any) -> None:
    from .corpus import ScanOptions

    d = ScanOptions()
    p = sub.add_parser(
        "scan",
        help="scan a collection: near-duplicates, shared passages, stories, name variants",
        description="Scan a collection without comparing every pair: near-duplicate clusters, story clusters "
        "(linked by shared passages or same-event names and dates) with their evidence, the most reused passages, "
        "conflicting details and names spelled two ways. PATH is a directory of .txt files (recursive), a .txt, "
        ".jsonl, .csv or .parquet file, or - for JSONL on stdin.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="inputs (directory, .txt, .jsonl, .csv, .parquet, or -)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON document (schema in the README)")
    out.add_argument("--jsonl", action="store_true", help="print JSON lines, one record per line with a \"type\"")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report to FILE")
    p.add_argument("--width", type=_count("--width", 40, 1000), help="report width in columns (default: terminal)")
    color = p.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None, help="force colour")
    color.add_argument("--no-color", dest="color", action="store_false", help="no colour (also: NO_COLOR=1)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no timing line on stderr")
    _add_input_flags(p)
    g = p.add_argument_group("matching")
    c = d.compare_options
    g.add_argument("--threshold", type=_fraction("--threshold"), default=d.near_duplicate, metavar="J",
                   help="Jaccard of word shingles at or above which two documents are near-duplicates, and the "
                   "LSH threshold for finding them (default %(default)s); pairs below it are near-duplicates "
                   "only by --duplicate-coverage, and --json says which rule fired")
    g.add_argument("--duplicate-coverage", type=_fraction("--duplicate-coverage"), default=c.duplicate_coverage,
                   metavar="F", help="two documents are near-duplicates also when shared passages cover at least "
                   "this share of both texts, whatever their Jaccard; 1 turns the rule off unless both texts "
                   "are entirely shared (default %(default)s)")
    g.add_argument("--min-tokens", type=_count("--min-tokens"), default=c.min_tokens, metavar="N",
                   help="matched tokens a shared passage needs to be reported (default %(default)s)")
    g.add_argument("--max-gap", type=_count("--max-gap", 0), default=c.max_gap, metavar="N",
                   help="differing tokens a passage may bridge (default %(default)s)")
    g.add_argument("--seed-size", type=_count("--seed-size"), default=c.seed_size, metavar="K",
                   help="tokens in an exact seed match of the passage aligner (default %(default)s)")
    g.add_argument("--min-density", type=_fraction("--min-density"), default=c.min_density, metavar="F",
                   help="share of a passage's tokens that must match (default %(default)s)")
    g.add_argument("--max-compares", type=_count("--max-compares", 0, 10**9), default=d.max_compares, metavar="N",
                   help="verify at most N candidate pairs with the full comparison; beyond it, the pairs that "
                   "would join stories go first and the rest are linked on their MinHash estimate "
                   "(default %(default)s; 0: no limit)")
    g.add_argument("--num-perm", type=_count("--num-perm", 2, 1024), default=d.num_perm, metavar="N",
                   help=f"MinHash permutations per document (default {d.num_perm})")
    g.add_argument("--seed", type=_count("--seed", 0, 2**63), default=d.seed, metavar="N",
                   help=f"MinHash seed; results are identical for a fixed seed (default {d.seed})")
    g.add_argument("--shingle-size", type=_count("--shingle-size"), default=d.shingle_size, metavar="K",
                   help=f"tokens per shingle (default {d.shingle_size})")
    g.add_argument("--no-same-event", action="store_true",
                   help="link stories only by near-duplicates and shared passages, not by shared names and dates")
    p.add_argument("--min-confidence", type=_fraction("--min-confidence"), default=None, metavar="C",
                   help="list conflicts whose confidence is at least C (default 0.7); --json always has all")
    g.add_argument("--top-passages", type=_count("--top-passages", 0, 10**9), default=d.top_passages, metavar="N",
                   help=f"how many reused passages to report, 0 for all (default {d.top_passages})")
    g.add_argument("--workers", type=_count("--workers", 1, 1024), default=None, metavar="N",
                   help="worker processes (default: all cores)")
    g = p.add_argument_group("engine")
    g.add_argument("--engine", choices=("local", "spark"), default="local",
                   help="local: processes on this machine (default); spark: Apache Spark, same results "
                   "(needs pip install 'overlap[spark]' and Java 17+)")
    g.add_argument("--master", default=None, metavar="URL",
                   help="Spark master for --engine spark: local[N], spark://host:7077, yarn... "
                   "(default: local[*], or what spark-submit gives)")
    p.set_defaults(run=_cmd_scan)


# --------------------------------------------------------------------------- index


def _open_index(path: str, *, create: bool, write: bool = False) -> Any:
    """Open for ``add`` (``create=True``), for changes (``write=True``: ``remove``,
    ``vacuum``), or read-only (``query``, ``stats``, ``list``, ``export``)."""
    from .index import Index

    return Index(path, create=create, read_only=not (create or write))


def _cmd_index_add(args: argparse.Namespace) -> int:
    with _open_index(args.index, create=True) as index:
        rep = index.add(_documents(args), on_duplicate=args.on_duplicate)
        total = len(index)
    if args.json:
        json.dump({"schema": 1, **rep.to_dict(), "documents": total}, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(f"{_visible(args.index)}: added {rep.added:,}, replaced {rep.replaced:,}, skipped {rep.skipped:,}; "
              f"{total:,} documents in the index")
    return 0


def _cmd_index_query(args: argparse.Namespace) -> int:
    from .textio import read_text

    if args.files.count("-") > 1:
        raise _UsageError("overlap index query: - (stdin) can be given only once")
    records = args.text_field or any(f.lower().endswith((".jsonl", ".ndjson", ".csv", ".parquet")) for f in args.files)
    texts = _query_texts(args) if records else [(f, read_text(f, encoding=args.encoding)) for f in args.files]
    out = []
    with _open_index(args.index, create=False) as index:
        for name, text in texts:
            out.append((name, text, index.query(text, top=args.top, min_similarity=args.min_similarity)))
    if args.json:
        doc = {"schema": 1, "queries": [{"file": n, "matches": [m.to_dict() for m in ms]} for n, _, ms in out]}
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    from .report import visible

    for name, text, matches in out:
        name = visible(name)
        print(f"{name}: {len(matches)} match{'es' if len(matches) != 1 else ''}")
        for m in matches:
            shared = sum(len(p.a) for p in m.passages)
            print(f"  {visible(m.id)}  jaccard {m.jaccard:.3f}  containment {m.containment:.3f}  "
                  f"{len(m.passages)} passage{'s' if len(m.passages) != 1 else ''} ({shared:,} chars of the query)"
                  + (f"  {len(m.conflicts)} conflict{'s' if len(m.conflicts) != 1 else ''}" if m.conflicts else ""))
            for pa in m.passages[:3]:
                quoted = " ".join(pa.a.of(text).split())
                if len(quoted) > 100:
                    quoted = quoted[:99] + "\u2026"
                print(f"      \u201c{visible(quoted)}\u201d")
    return 0


def _cmd_index_stats(args: argparse.Namespace) -> int:
    with _open_index(args.index, create=False) as index:
        st = index.stats()
    if args.json:
        json.dump({"schema": 1, **st.to_dict()}, sys.stdout)
        sys.stdout.write("\n")
    else:
        for k, v in st.to_dict().items():
            print(f"{k:18} {v:,}" if isinstance(v, int) else f"{k:18} {v}")
    return 0


def _register_index(sub: Any) -> None:
    p = sub.add_parser(
        "index",
        help="a persistent index: add documents once, query new texts against it",
        description="A persistent on-disk index (one SQLite file) for near-duplicate and passage-reuse queries.",
    )
    isub = p.add_subparsers(dest="index_command", metavar="ACTION", parser_class=_Parser)
    isub.required = True

    a = isub.add_parser("add", help="add documents to INDEX (created if missing)",
                        description="Add documents to INDEX, creating it if missing. PATH as for overlap scan.")
    a.add_argument("index", metavar="INDEX", help="index file")
    a.add_argument("paths", nargs="+", metavar="PATH", help="inputs (directory, .txt, .jsonl, .csv, .parquet, or -)")
    a.add_argument("--on-duplicate", choices=("replace", "reject", "skip"), default="replace",
                   help="what an id already in the index does (default replace)")
    a.add_argument("--json", action="store_true", help="print the counts as JSON")
    _add_input_flags(a)
    a.set_defaults(run=_cmd_index_add)

    q = isub.add_parser("query", help="find indexed documents sharing text with each FILE",
                        description="Find the indexed documents that share text with each FILE: similarity scores, "
                        "shared passages and conflicting details.")
    q.add_argument("index", metavar="INDEX", help="index file")
    q.add_argument("files", nargs="+", metavar="FILE", help="text files to look up (or - for stdin)")
    q.add_argument("--top", type=_count("--top", 1, 10000), default=10, metavar="K", help="matches per file (default 10)")
    q.add_argument("--min-similarity", type=_fraction("--min-similarity"), default=0.0, metavar="S",
                   help="keep matches whose Jaccard or containment reaches S (default 0)")
    q.add_argument("--json", action="store_true", help="print JSON (schema in the README)")
    q.add_argument("--encoding", type=_encoding, default="utf-8", help="encoding of FILE (default utf-8)")
    q.add_argument("--text-field", metavar="F", default=None,
                   help="read FILEs as documents (JSONL, CSV, Parquet; F holds the text) and query each one; "
                   "implied (as text) for .jsonl/.csv/.parquet FILEs")
    q.add_argument("--id-field", metavar="F", default="id", help="with --text-field: field naming each query (default id)")
    q.set_defaults(run=_cmd_index_query)
    _register_index_lifecycle(isub)

    s = isub.add_parser("stats", help="size and settings of INDEX", description="Size and settings of INDEX.")
    s.add_argument("index", metavar="INDEX", help="index file")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(run=_cmd_index_stats)

# --------------------------------------------------------------------------- dedup


def _cmd_dedup(args: argparse.Namespace) -> int:
    from .dedup_io import dedup_files, dedup_saved
    from .deduplication import DedupOptions

    if not args.output and not args.removed and not args.save_signatures and args.fail_on is None:
        raise _UsageError("overlap dedup: nothing to write; give -o OUTPUT, --removed FILE or --save-signatures DIR")
    if args.keep == "earliest" and not args.date_field and not args.from_dir:
        raise _UsageError("overlap dedup: --keep earliest needs --date-field F")
    opts = dict(threshold=args.threshold, mode=args.mode, keep=args.keep)
    if args.from_dir:
        if args.paths:
            raise _UsageError("overlap dedup: give either INPUT... or --from DIR, not both")
        result = dedup_saved(args.from_dir, args.output, removed=args.removed, removed_format=args.removed_format,
                             options=DedupOptions(**opts))
    else:
        if not args.paths:
            raise _UsageError("overlap dedup: no INPUT given (or --from DIR)")

        def warn(e: Exception) -> None:
            sys.stderr.write(f"overlap: skipped {e}\n".replace("\n", " ").rstrip() + "\n")

        options = DedupOptions(num_perm=args.num_perm, seed=args.seed, shingle_size=args.shingle_size, **opts)
        result = dedup_files(
            args.paths, args.output, removed=args.removed, removed_format=args.removed_format, options=options,
            text_field=args.text_field, id_field=args.id_field or None, date_field=args.date_field,
            encoding=args.encoding, fmt=args.input_format, on_bad=warn if args.skip_bad else None,
            save_signatures=args.save_signatures,
        )
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    if not args.quiet:
        exact = sum(r.reason == "exact" for r in result.removed)
        sys.stderr.write(f"overlap: {result.documents:,} documents, kept {result.documents - len(result.removed):,}, "
                         f"removed {len(result.removed):,} ({exact:,} exact, {len(result.removed) - exact:,} near)\n")
    return 1 if args.fail_on == "duplicate" and result.removed else 0


def _register_dedup(sub: Any) -> None:
    p = sub.add_parser(
        "dedup",
        help="deduplicate a corpus: write the kept documents and a removal list with reasons",
        description="Remove exact duplicates (same normalised text) and near-duplicates (shingle-set Jaccard or "
        "containment at or above --threshold) from a corpus. Writes the kept documents to OUTPUT in the input's "
        "format (JSONL and CSV records and Parquet rows unchanged; text files copied into a directory) and, with "
        "--removed, one record per dropped document: the id it duplicates, the exact and estimated similarity, "
        "and the reason.",
    )
    p.add_argument("paths", nargs="*", metavar="INPUT", help="inputs (directory, .txt, .jsonl, .csv, .parquet, or -)")
    p.add_argument("-o", "--output", metavar="OUTPUT", help="where to write the kept documents")
    p.add_argument("--removed", metavar="FILE", help="write the removal list (JSONL; CSV with --format csv or a .csv name)")
    p.add_argument("--format", dest="removed_format", choices=("jsonl", "csv"), help="format of the removal list")
    p.add_argument("--save-signatures", metavar="DIR", help="save the signatures to DIR for re-thresholding with --from")
    p.add_argument("--from", dest="from_dir", metavar="DIR", help="decide again from signatures saved with --save-signatures")
    p.add_argument("--fail-on", choices=("duplicate",), help="exit with status 1 when any duplicate was found (like diff)")
    p.add_argument("--json", action="store_true", help="print the result (removals and clusters) as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    g = p.add_argument_group("input")
    g.add_argument("--text-field", default="text", metavar="F", help="JSONL/CSV/Parquet field holding the text (default text)")
    g.add_argument("--id-field", default="id", metavar="F", help="field holding the id (default id; '' for file:line)")
    g.add_argument("--date-field", metavar="F", help="field holding an ISO 8601 date, for --keep earliest")
    g.add_argument("--input-format", choices=("dir", "txt", "jsonl", "csv", "parquet"),
                   help="input format of every INPUT (default: from the extension)")
    g.add_argument("--encoding", default="utf-8", help="input encoding (default utf-8)")
    g.add_argument("--skip-bad", action="store_true", help="skip bad records with a warning instead of stopping")
    g = p.add_argument_group("matching")
    g.add_argument("--threshold", type=_fraction("--threshold"), default=0.8, metavar="S",
                   help="exact similarity at or above which documents are duplicates (default 0.8)")
    g.add_argument("--mode", choices=("jaccard", "containment"), default="jaccard",
                   help="jaccard: shared / union of shingles; containment: shared / the smaller text's (default jaccard)")
    g.add_argument("--keep", choices=("first", "longest", "earliest"), default="first",
                   help="which copy stays: first in input order, longest, or earliest --date-field (default first)")
    g.add_argument("--num-perm", type=_count("--num-perm", 2, 1024), default=128, metavar="N", help="MinHash permutations (default 128)")
    g.add_argument("--seed", type=_count("--seed", 0, 2**63), default=1, metavar="N", help="MinHash seed (default 1)")
    g.add_argument("--shingle-size", type=_count("--shingle-size"), default=5, metavar="K", help="tokens per shingle (default 5)")
    p.set_defaults(run=_cmd_dedup)


# --------------------------------------------------------------------------- index lifecycle


def _query_texts(args: argparse.Namespace) -> list[tuple[str, str]]:
    """``(name, text)`` of every document in the query FILEs (records, not raw lines)."""
    from .sources import iter_documents

    return [(d.id, d.text) for d in iter_documents(args.files, text_field=args.text_field or "text",
                                                   id_field=args.id_field or None, encoding=args.encoding)]


def _cmd_index_remove(args: argparse.Namespace) -> int:
    ids = list(args.ids)
    if args.ids_from:
        from .textio import read_text

        ids += [line.strip() for line in read_text(args.ids_from).splitlines() if line.strip()]
    if not ids:
        raise _UsageError("overlap index remove: no ids given (ID... or --ids-from FILE)")
    with _open_index(args.index, create=False, write=True) as index:
        rep = index.remove(ids)
        total = len(index)
    if args.json:
        json.dump({"schema": 1, **rep.to_dict(), "documents": total}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(f"{args.index}: removed {rep.removed:,}; {total:,} documents in the index")
    if rep.missing:
        sys.stderr.write(f"overlap: {len(rep.missing):,} id(s) not in the index, e.g. {rep.missing[0]!r}\n")
    return 1 if rep.missing and args.strict else 0


def _cmd_index_list(args: argparse.Namespace) -> int:
    with _open_index(args.index, create=False) as index:
        for e in index.entries():
            if args.json:
                sys.stdout.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(f"{e.id}\t{e.length}\t{e.origin}\n")
    return 0


def _cmd_index_export(args: argparse.Namespace) -> int:
    with _open_index(args.index, create=False) as index:
        n = index.export(args.output)
    print(f"{args.output}: exported {n:,} documents")
    return 0


def _cmd_index_vacuum(args: argparse.Namespace) -> int:
    with _open_index(args.index, create=False, write=True) as index:
        before, after = index.vacuum()
    print(f"{args.index}: {before:,} -> {after:,} bytes")
    return 0


def _register_index_lifecycle(isub: Any) -> None:
    r = isub.add_parser("remove", help="delete documents from INDEX by id",
                        description="Delete documents (and their LSH keys) from INDEX in one transaction.")
    r.add_argument("index", metavar="INDEX", help="index file")
    r.add_argument("ids", nargs="*", metavar="ID", help="ids to delete")
    r.add_argument("--ids-from", metavar="FILE", help="also delete the ids listed in FILE, one per line")
    r.add_argument("--strict", action="store_true", help="exit 1 when an id is not in the index")
    r.add_argument("--json", action="store_true", help="print the counts as JSON")
    r.set_defaults(run=_cmd_index_remove)
    ls = isub.add_parser("list", help="list the documents of INDEX", description="One line per document: id, length, origin.")
    ls.add_argument("index", metavar="INDEX", help="index file")
    ls.add_argument("--json", action="store_true", help="JSON lines (id, origin, length, added_at)")
    ls.set_defaults(run=_cmd_index_list)
    e = isub.add_parser("export", help="write every document of INDEX as JSONL",
                        description="Write every document (id, text, origin, added_at) as JSONL; index add reads it back.")
    e.add_argument("index", metavar="INDEX", help="index file")
    e.add_argument("-o", "--output", required=True, metavar="FILE", help="JSONL file to write")
    e.set_defaults(run=_cmd_index_export)
    v = isub.add_parser("vacuum", help="give the space of removed documents back to the disk",
                        description="Rewrite INDEX without free pages (after remove or replace).")
    v.add_argument("index", metavar="INDEX", help="index file")
    v.set_defaults(run=_cmd_index_vacuum)


# Subcommands defined in other modules register here (kept as a list so the parser is
# built in one place and each command's code stays next to its library stage).
_EXTRA_COMMANDS: list[Callable[[Any], None]] = [_register_scan, _register_index, _register_dedup]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        args = _build_parser(argv[0] if argv else None).parse_args(argv)
        status = int(args.run(args))
        sys.stdout.flush()  # here, not at exit, so a full disk or closed pipe is reported below
        return status
    except _UsageError as e:
        _fail(str(e))
        return EXIT_USAGE
    except ConfigError as e:
        _fail(f"overlap: {e}")
        return EXIT_USAGE
    except OverlapError as e:
        _fail(f"overlap: {e}")
        return EXIT_INPUT
    except KeyboardInterrupt:
        _fail("overlap: interrupted")
        return 130
    except BrokenPipeError:
        # Output went to a closed pipe (`overlap ... | head`): stop quietly, with the status
        # a process stopped by SIGPIPE has in the shell (128 + 13).
        _silence_stdout()
        return 141
    except MemoryError:
        _silence_stdout()
        _fail("overlap: out of memory; split the input or use fewer --workers")
        return EXIT_INPUT
    except RecursionError:
        _fail("overlap: input nested too deeply")
        return EXIT_INPUT
    except OSError as e:
        # An OS error no stage turned into an InputError: most often stdout on a full disk.
        _silence_stdout()
        where = e.filename if e.filename else "output"
        _fail(f"overlap: {where}: {e.strerror or e}")
        return EXIT_INPUT
    except Exception as e:
        if type(e).__name__ == "BrokenProcessPool":
            _fail("overlap: a worker process died (killed, or out of memory); retry with fewer --workers")
            return EXIT_INPUT
        raise


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the flush at interpreter exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _visible(s: str) -> str:
    from .report import visible

    return visible(s)


def _fail(message: str) -> None:
    """One line on stderr; control characters in file names or ids shown visibly."""
    sys.stderr.write(_visible(message.replace("\n", " ").rstrip()) + "\n")
