"""``overlap dedup``: options to ``DedupOptions``, one ``overlap.dedup_io`` call (files
in, files out), then the summary line.  Thin: the work is in ``overlap.deduplication``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .cli_common import UsageError, add_glob_flags, count, field_list, fraction

__all__ = ["register"]


def _cmd_dedup(args: argparse.Namespace) -> int:
    from .dedup_io import dedup_files, dedup_saved
    from .deduplication import DedupOptions

    if not args.output and not args.removed and not args.save_signatures and args.fail_on is None:
        raise UsageError("overlap dedup: nothing to write; give -o OUTPUT, --removed FILE or --save-signatures DIR")
    to_stdout = [name for name, v in (("-o", args.output), ("--removed", args.removed)) if v == "-"]
    if args.json and to_stdout:
        raise UsageError(f"overlap dedup: --json and {to_stdout[0]} - both write to standard output; give a file name")
    if len(to_stdout) > 1:
        raise UsageError("overlap dedup: only one of -o and --removed can be - (standard output)")
    if args.keep == "earliest" and not args.date_field and not args.from_dir:
        raise UsageError("overlap dedup: --keep earliest needs --date-field F")
    opts = dict(threshold=args.threshold, mode=args.mode, keep=args.keep)
    if args.from_dir:
        if args.paths:
            raise UsageError("overlap dedup: give either INPUT... or --from DIR, not both")
        result = dedup_saved(args.from_dir, args.output, removed=args.removed, removed_format=args.removed_format,
                             options=DedupOptions(**opts))
    else:
        if not args.paths:
            raise UsageError("overlap dedup: no INPUT given (or --from DIR)")

        def warn(e: Exception) -> None:
            sys.stderr.write(f"overlap: skipped {e}\n".replace("\n", " ").rstrip() + "\n")

        options = DedupOptions(num_perm=args.num_perm, seed=args.seed, shingle_size=args.shingle_size,
                               method=args.method, **opts)
        result = dedup_files(
            args.paths, args.output, removed=args.removed, removed_format=args.removed_format, options=options,
            text_field=args.text_field, id_field=args.id_field or None, date_field=args.date_field,
            encoding=args.encoding, fmt=args.input_format, on_bad=warn if args.skip_bad else None,
            save_signatures=args.save_signatures, include=args.include, exclude=args.exclude,
            keep_fields=args.keep_fields, engine=args.engine, master=args.master,
        )
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    if not args.quiet:
        exact = sum(r.reason == "exact" for r in result.removed)
        sys.stderr.write(f"overlap: {result.documents:,} documents, kept {result.documents - len(result.removed):,}, "
                         f"removed {len(result.removed):,} ({exact:,} exact, {len(result.removed) - exact:,} near)\n")
    return 1 if args.fail_on == "duplicate" and result.removed else 0


def register(sub: Any) -> None:
    from .signatures import DEFAULT_METHOD, METHODS  # loaded with the full parser already (overlap.corpus)

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
    p.add_argument("-o", "--output", metavar="OUTPUT", help="where to write the kept documents (- for stdout: JSONL and CSV)")
    p.add_argument("--removed", metavar="FILE", help="write the removal list (JSONL; CSV with --format csv or a .csv name; - for stdout)")
    p.add_argument("--format", dest="removed_format", choices=("jsonl", "csv"), help="format of the removal list")
    p.add_argument("--save-signatures", metavar="DIR", help="save the signatures to DIR for re-thresholding with --from")
    p.add_argument("--from", dest="from_dir", metavar="DIR", help="decide again from signatures saved with --save-signatures")
    p.add_argument("--fail-on", choices=("duplicate",), help="exit with status 1 when any duplicate was found (like diff)")
    p.add_argument("--json", action="store_true", help="print the result (removals and clusters) as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    g = p.add_argument_group("input")
    g.add_argument("--text-field", default="text", metavar="F", help="JSONL/CSV/Parquet field holding the text (default text)")
    g.add_argument("--id-field", default="id", metavar="F", help="field holding the id (default id; '' for file:line)")
    g.add_argument("--date-field", metavar="F",
                   help="field holding an ISO 8601 date: for --keep earliest, and each removal says which copy was first")
    g.add_argument("--keep-fields", type=field_list, default=(), metavar="F,G",
                   help="copy these record fields (e.g. title,url,date) of both documents into each removal")
    g.add_argument("--input-format", choices=("dir", "txt", "jsonl", "csv", "parquet"),
                   help="input format of every INPUT (default: from the extension)")
    g.add_argument("--encoding", default="utf-8", help="input encoding (default utf-8)")
    g.add_argument("--skip-bad", action="store_true", help="skip bad records with a warning instead of stopping")
    add_glob_flags(g)
    g = p.add_argument_group("matching")
    g.add_argument("--threshold", type=fraction("--threshold"), default=0.8, metavar="S",
                   help="exact similarity at or above which documents are duplicates (default 0.8)")
    g.add_argument("--mode", choices=("jaccard", "containment"), default="jaccard",
                   help="jaccard: shared / union of shingles; containment: shared / the smaller text's (default jaccard)")
    g.add_argument("--keep", choices=("first", "longest", "earliest"), default="first",
                   help="which copy stays: first in input order, longest, or earliest --date-field (default first)")
    g.add_argument("--num-perm", type=count("--num-perm", 2, 1024), default=128, metavar="N", help="MinHash permutations (default 128)")
    g.add_argument("--seed", type=count("--seed", 0, 2**63), default=1, metavar="N", help="MinHash seed (default 1)")
    g.add_argument("--shingle-size", type=count("--shingle-size"), default=5, metavar="K", help="tokens per shingle (default 5)")
    g.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD,
                   help=f"MinHash scheme: fss (the most accurate), minmax (what scan and index use), oph "
                   f"(the fastest); default {DEFAULT_METHOD}; --from DIR keeps the saved one")
    g = p.add_argument_group("engine")
    g.add_argument("--engine", choices=("local", "spark"), default="local",
                   help="local (default) or spark: documents are signed by Spark tasks, same result "
                   "(needs pip install 'overlap[spark]' and Java 17+)")
    g.add_argument("--master", default=None, metavar="URL",
                   help="Spark master for --engine spark: local[N], spark://host:7077... (default local[*])")
    p.set_defaults(run=_cmd_dedup)
