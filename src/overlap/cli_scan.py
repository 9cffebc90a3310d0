"""``overlap scan``: options to ``ScanOptions``, one ``overlap.corpus.scan`` (or
``overlap.spark.scan_spark``) call, then the report, JSON or JSON lines.  Thin: the
work is in ``overlap.corpus``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from .cli_common import UsageError, add_input_flags, count, documents, fail, field_list, fraction, html_target, write_html

__all__ = ["register"]


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
    from .allocator import fix_mmap_threshold
    from .corpus import ScanOptions, scan

    fix_mmap_threshold()  # this process is ours: freed stage arrays go back to the system

    if args.paths.count("-") > 1:
        raise UsageError("overlap scan: - (stdin) can be given only once")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if args.workers is not None and args.workers > cores:
        fail(f"overlap: --workers {args.workers} capped at {cores} (the cores available)")
        args.workers = cores
    from .pipeline import CompareOptions

    copts = CompareOptions(
        shingle_size=args.shingle_size, near_duplicate=args.threshold, duplicate_coverage=args.duplicate_coverage,
        seed_size=args.seed_size, max_gap=args.max_gap, min_tokens=args.min_tokens, min_density=args.min_density,
        paraphrase=True if args.reworded else None,
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
        date_field=args.date_field,
        reworded=args.reworded,
    )
    if args.date_field and args.date_field not in args.keep_fields:
        args.keep_fields = (*args.keep_fields, args.date_field)  # read it, to know who was first
    html_path = html_target(args, args.paths)
    show = not args.quiet and sys.stderr.isatty()
    if args.engine == "spark":
        from .spark import scan_spark

        def warn(e: Exception) -> None:
            fail(f"overlap: skipped {e}")

        result = scan_spark(
            args.paths, options=options, master=args.master, text_field=args.text_field, id_field=args.id_field,
            encoding=args.encoding, input_format=args.fmt, on_bad=warn if args.skip_bad else None,
            keep_fields=args.keep_fields, include=args.include, exclude=args.exclude or (),
        )
    else:
        from .sources import document_count

        total = document_count(args.paths, fmt=args.fmt, include=args.include, exclude=args.exclude) if show else None
        with _Progress(show, {"sign": total} if total else None) as progress:
            result = scan(documents(args), options=options, progress=progress)
    if html_path is not None:
        from .html import scan_html

        write_html(html_path, scan_html(result))
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.jsonl:
        for rec in result.records():
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
    elif args.csv:
        result.write_csv("-", args.csv)
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


def register(sub: Any) -> None:
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
    out.add_argument("--csv", choices=("pairs", "conflicts"), metavar="TABLE",
                     help="print one table as CSV: pairs (one row per linked pair) or conflicts (one per conflict); "
                     "with --keep-fields each row has both documents' fields")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report to FILE")
    p.add_argument("--width", type=count("--width", 40, 1000), help="report width in columns (default: terminal)")
    color = p.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None, help="force colour")
    color.add_argument("--no-color", dest="color", action="store_false", help="no colour (also: NO_COLOR=1)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no timing line on stderr")
    add_input_flags(p)
    p.add_argument("--keep-fields", type=field_list, default=(), metavar="F,G",
                   help="carry these record fields (e.g. title,url,date) into the document, pair and cluster records "
                   "(the report names documents by title; the HTML also links their url)")
    p.add_argument("--date-field", metavar="F",
                   help="field holding an ISO 8601 date: each cluster and pair names the document published first")
    g = p.add_argument_group("matching")
    c = d.compare_options
    g.add_argument("--threshold", type=fraction("--threshold"), default=d.near_duplicate, metavar="J",
                   help="Jaccard of word shingles at or above which two documents are near-duplicates, and the "
                   "LSH threshold for finding them (default %(default)s); pairs below it are near-duplicates "
                   "only by --duplicate-coverage, and --json says which rule fired")
    g.add_argument("--duplicate-coverage", type=fraction("--duplicate-coverage"), default=c.duplicate_coverage,
                   metavar="F", help="two documents are near-duplicates also when shared passages cover at least "
                   "this share of both texts, whatever their Jaccard; 1 turns the rule off unless both texts "
                   "are entirely shared (default %(default)s)")
    g.add_argument("--min-tokens", type=count("--min-tokens"), default=c.min_tokens, metavar="N",
                   help="matched tokens a shared passage needs to be reported (default %(default)s)")
    g.add_argument("--max-gap", type=count("--max-gap", 0), default=c.max_gap, metavar="N",
                   help="differing tokens a passage may bridge (default %(default)s)")
    g.add_argument("--seed-size", type=count("--seed-size"), default=c.seed_size, metavar="K",
                   help="tokens in an exact seed match of the passage aligner (default %(default)s)")
    g.add_argument("--min-density", type=fraction("--min-density"), default=c.min_density, metavar="F",
                   help="share of a passage's tokens that must match (default %(default)s)")
    g.add_argument("--max-compares", type=count("--max-compares", 0, 10**9), default=d.max_compares, metavar="N",
                   help="verify at most N candidate pairs with the full comparison; beyond it, the pairs that "
                   "would join stories go first and the rest are linked on their MinHash estimate "
                   "(default %(default)s; 0: no limit)")
    g.add_argument("--num-perm", type=count("--num-perm", 2, 1024), default=d.num_perm, metavar="N",
                   help=f"MinHash permutations per document (default {d.num_perm})")
    g.add_argument("--seed", type=count("--seed", 0, 2**63), default=d.seed, metavar="N",
                   help=f"MinHash seed; results are identical for a fixed seed (default {d.seed})")
    g.add_argument("--shingle-size", type=count("--shingle-size"), default=d.shingle_size, metavar="K",
                   help=f"tokens per shingle (default {d.shingle_size})")
    g.add_argument("--no-same-event", action="store_true",
                   help="link stories only by near-duplicates and shared passages, not by shared names and dates")
    g.add_argument("--reworded", action="store_true",
                   help="also find reworded reuse: sentences sharing most content words become candidates, "
                   "verified with the paraphrase stage (slower)")
    p.add_argument("--min-confidence", type=fraction("--min-confidence"), default=None, metavar="C",
                   help="list conflicts whose confidence is at least C (default 0.7); --json always has all")
    g.add_argument("--top-passages", type=count("--top-passages", 0, 10**9), default=d.top_passages, metavar="N",
                   help=f"how many reused passages to report, 0 for all (default {d.top_passages})")
    g.add_argument("--workers", type=count("--workers", 1, 1024), default=None, metavar="N",
                   help="worker processes (default: all cores)")
    g = p.add_argument_group("engine")
    g.add_argument("--engine", choices=("local", "spark"), default="local",
                   help="local: processes on this machine (default); spark: Apache Spark, same results "
                   "(needs pip install 'overlap[spark]' and Java 17+)")
    g.add_argument("--master", default=None, metavar="URL",
                   help="Spark master for --engine spark: local[N], spark://host:7077, yarn... "
                   "(default: local[*], or what spark-submit gives)")
    p.set_defaults(run=_cmd_scan)

