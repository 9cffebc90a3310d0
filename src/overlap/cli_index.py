"""``overlap index add|query|stats|remove|list|export|vacuum``: each action opens one
``overlap.index.Index``, makes one call and prints.  Thin: the work is in ``overlap.index``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .cli_common import Parser, UsageError, add_input_flags, count, documents, encoding, field_list, fraction, visible

__all__ = ["register"]


def open_index(path: str, *, create: bool, write: bool = False, reworded: bool | None = None) -> Any:
    """Open for ``add`` (``create=True``), for changes (``write=True``: ``remove``,
    ``vacuum``), or read-only (``query``, ``stats``, ``list``, ``export``)."""
    from .index import Index

    return Index(path, create=create, read_only=not (create or write), reworded=reworded)


def _cmd_index_add(args: argparse.Namespace) -> int:
    with open_index(args.index, create=True, reworded=True if args.reworded else None) as index:
        rep = index.add(documents(args), on_duplicate=args.on_duplicate)
        total = len(index)
    if args.json:
        json.dump({"schema": 1, **rep.to_dict(), "documents": total}, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(f"{visible(args.index)}: added {rep.added:,}, replaced {rep.replaced:,}, skipped {rep.skipped:,}; "
              f"{total:,} documents in the index")
    return 0


def _cmd_index_query(args: argparse.Namespace) -> int:
    from .textio import read_text

    if args.files.count("-") > 1:
        raise UsageError("overlap index query: - (stdin) can be given only once")
    records = args.text_field or any(f.lower().endswith((".jsonl", ".ndjson", ".csv", ".parquet")) for f in args.files)
    texts = _query_texts(args) if records else [(f, read_text(f, encoding=args.encoding)) for f in args.files]
    out = []
    with open_index(args.index, create=False) as index:
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
    with open_index(args.index, create=False) as index:
        st = index.stats()
    if args.json:
        json.dump({"schema": 1, **st.to_dict()}, sys.stdout)
        sys.stdout.write("\n")
    else:
        for k, v in st.to_dict().items():
            print(f"{k:18} {v:,}" if isinstance(v, int) and not isinstance(v, bool) else f"{k:18} {v}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "index",
        help="a persistent index: add documents once, query new texts against it",
        description="A persistent on-disk index (one SQLite file) for near-duplicate and passage-reuse queries.",
    )
    isub = p.add_subparsers(dest="index_command", metavar="ACTION", parser_class=Parser)
    isub.required = True

    a = isub.add_parser("add", help="add documents to INDEX (created if missing)",
                        description="Add documents to INDEX, creating it if missing. PATH as for overlap scan.")
    a.add_argument("index", metavar="INDEX", help="index file")
    a.add_argument("paths", nargs="+", metavar="PATH", help="inputs (directory, .txt, .jsonl, .csv, .parquet, or -)")
    a.add_argument("--on-duplicate", choices=("replace", "reject", "skip"), default="replace",
                   help="what an id already in the index does (default replace)")
    a.add_argument("--json", action="store_true", help="print the counts as JSON")
    a.add_argument("--reworded", action="store_true",
                   help="when creating INDEX: also key each sentence's content words, so queries find "
                   "reworded reuse (slower adds, a larger file)")
    a.add_argument("--keep-fields", type=field_list, default=(), metavar="F,G",
                   help="store these record fields (e.g. title,url,date) with each document; "
                   "list, export and query results show them")
    add_input_flags(a)
    a.set_defaults(run=_cmd_index_add)

    q = isub.add_parser("query", help="find indexed documents sharing text with each FILE",
                        description="Find the indexed documents that share text with each FILE: similarity scores, "
                        "shared passages and conflicting details.")
    q.add_argument("index", metavar="INDEX", help="index file")
    q.add_argument("files", nargs="+", metavar="FILE", help="text files to look up (or - for stdin)")
    q.add_argument("--top", type=count("--top", 1, 10000), default=10, metavar="K", help="matches per file (default 10)")
    q.add_argument("--min-similarity", type=fraction("--min-similarity"), default=0.0, metavar="S",
                   help="keep matches whose Jaccard or containment reaches S (default 0)")
    q.add_argument("--json", action="store_true", help="print JSON (schema in the README)")
    q.add_argument("--encoding", type=encoding, default="utf-8", help="encoding of FILE (default utf-8)")
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
        raise UsageError("overlap index remove: no ids given (ID... or --ids-from FILE)")
    with open_index(args.index, create=False, write=True) as index:
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
    with open_index(args.index, create=False) as index:
        for e in index.entries():
            if args.json:
                sys.stdout.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(f"{e.id}\t{e.length}\t{e.origin}\n")
    return 0


def _cmd_index_export(args: argparse.Namespace) -> int:
    with open_index(args.index, create=False) as index:
        n = index.export(args.output)
    print(f"{args.output}: exported {n:,} documents")
    return 0


def _cmd_index_vacuum(args: argparse.Namespace) -> int:
    with open_index(args.index, create=False, write=True) as index:
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
