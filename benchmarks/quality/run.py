"""Run the whole quality suite and write ``benchmarks/results/quality.md`` plus CSVs.

``python -m benchmarks.quality.run [--quick] [--only pan,passages,mds,clough,conflicts,edits]``

Sections record their headline figures in a shared ``facts`` dict; the closing
"Recommended defaults" section (``benchmarks.quality.defaults``) quotes them.

Each part is skipped with its reason when its data under ``../shared/data`` is absent.
Quoted texts from the Vietnamese corpora are cut to a few words: publisher text stays
out of the repository (document ids are given so a reader with the data can look).

Cost: about two minutes on a shared 2-core machine (PAN 245 pairs x best-of-3 and a 7-point
min_tokens sweep, the news min_tokens sweep, six scans of VietnameseMDS, 300 injected
articles, 95 Clough answers and the edit sweeps); `--quick` takes about 15 s.
"""

from __future__ import annotations

import argparse
import csv
import math
import platform
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.quality import RESULTS_DIR, data_dir, missing_reason

__all__ = ["main", "section_clough", "section_conflicts", "section_pan"]


def _f(x: float, nd: int = 3) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f}"


def _short(s: str, n: int = 40) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


# --- PAN -------------------------------------------------------------------------------


def section_pan(quick: bool, out: Path, facts: dict | None = None) -> list[str]:
    from benchmarks.quality import pan

    facts = {} if facts is None else facts
    if data_dir("pan13") is None:
        return ["## 1. Passage alignment: PAN-13", "", f"Skipped: {missing_reason('pan13')}.", ""]
    limit = 40 if quick else None
    res = pan.run_pan(limit, repeat=1 if quick else 3)
    s = res.scores
    facts["pan"] = res
    lines = [
        "## 1. Passage alignment: PAN-13 no-obfuscation subset (re-aligned gold)",
        "",
        f"{len(res.pairs)} pairs, {s.cases} cases, {s.detections} detections. Suspicious document = `a`, "
        "source = `b`; one detection per shared passage. Measures per Potthast et al. 2010: "
        "`recall`/`precision` are macro-averaged over cases/detections as in the official PAN "
        "evaluator (what PAN results report); `micro` is the character-union variant.",
        "",
        "| measure | plagdet | recall | precision | granularity |",
        "|---|---|---|---|---|",
        f"| overlap (macro, PAN official) | **{_f(s.plagdet)}** | {_f(s.recall)} | {_f(s.precision)} | {_f(s.granularity, 4)} |",
        f"| overlap (micro) | {_f(s.micro_plagdet)} | {_f(s.micro_recall)} | {_f(s.micro_precision)} | {_f(s.granularity, 4)} |",
        "| goal | >= 0.95 | | | |",
        "| difflib baseline (issue's figure) | 0.90 | 0.83 | 0.98 | |",
        "",
        f"Time per pair (`overlap.compare` only, best of {1 if quick else 3}, shared 2-core machine): "
        f"mean {res.mean_seconds * 1000:.1f} ms, median {res.median_seconds * 1000:.1f} ms, "
        f"max {max(p.seconds for p in res.pairs) * 1000:.1f} ms (goal < 25 ms; difflib baseline 2.5 s).",
        "",
    ]
    _write_csv(
        out / "quality_pan_pairs.csv",
        ["susp", "src", "cases", "detections", "plagdet", "recall", "precision", "granularity", "ms"],
        [
            [p.susp, p.src, p.scores.cases, p.scores.detections, round(p.scores.plagdet, 4), round(p.scores.recall, 4),
             round(p.scores.precision, 4), p.scores.granularity, round(p.seconds * 1000, 2)]
            for p in res.pairs
        ],
    )
    # Worst cases: spurious detections (precision) and clipped cases (recall).
    spurious = [
        (p, d) for p in res.pairs for d in p.detections if not any(pan.detects(c, d) for c in p.cases)
    ]
    lines += [
        "### Where precision is lost",
        "",
        f"{len(spurious)} of {s.detections} detections detect no case; each costs a whole detection in "
        "macro precision. Lengths (suspicious side, chars): "
        + ", ".join(str(d.this_end - d.this_start) for _, d in sorted(spurious, key=lambda x: x[1].this_end - x[1].this_start))
        + ". Gold cases are >= 255 chars.",
        "",
        "| pair | detection (susp / src chars) | suspicious text starts |",
        "|---|---|---|",
    ]
    root = data_dir("pan13")
    for p, d in spurious[:12]:
        text = pan.read_text(root / "susp" / p.susp)[d.this_start : d.this_end]
        lines.append(
            f"| {p.susp[-9:-4]}-{p.src[-9:-4]} | {d.this_start}-{d.this_end} / {d.source_start}-{d.source_end} "
            f"| {_short(text, 70)} |"
        )
    lost = sorted(res.pairs, key=lambda p: p.scores.recall)[:8]
    lines += [
        "",
        "### Where recall is lost (lowest-recall pairs)",
        "",
        "| pair | recall | case (susp) | detections (susp) | chars missed at start / end |",
        "|---|---|---|---|---|",
    ]
    for p in lost:
        for c in p.cases:
            hits = [d for d in p.detections if pan.detects(c, d)]
            if not hits:
                lines.append(f"| {p.susp[-9:-4]}-{p.src[-9:-4]} | {_f(p.scores.recall)} | {c.this_start}-{c.this_end} | none | all |")
                continue
            lo, hi = min(d.this_start for d in hits), max(d.this_end for d in hits)
            lines.append(
                f"| {p.susp[-9:-4]}-{p.src[-9:-4]} | {_f(p.scores.recall)} | {c.this_start}-{c.this_end} | "
                + ", ".join(f"{d.this_start}-{d.this_end}" for d in hits)
                + f" | {max(0, lo - c.this_start)} / {max(0, c.this_end - hi)} |"
            )
    lines.append("")
    if not quick:
        lines += _pan_sweep(pan, facts)
    return lines


def _pan_sweep(pan, facts: dict) -> list[str]:  # noqa: ANN001
    lines = [
        "### Sweep: minimum passage length (`min_tokens`)",
        "",
        "| min_tokens | plagdet | recall | precision | granularity | detections |",
        "|---|---|---|---|---|---|",
    ]
    rows = []
    for mt in (10, 12, 15, 20, 25, 30, 40):
        r = pan.run_pan(detector=lambda a, b, s, t, mt=mt: pan.overlap_detect(a, b, s, t, min_tokens=mt))
        sc = r.scores
        rows.append((mt, sc.plagdet, sc.precision, sc.recall))
        lines.append(
            f"| {mt} | {_f(sc.plagdet)} | {_f(sc.recall)} | {_f(sc.precision)} | {_f(sc.granularity, 4)} | {sc.detections} |"
        )
    lines += [
        "",
        "PAN cases are long (>= 255 chars, ~45 words), so this sweep only shows the precision side: "
        "it cannot show what a higher minimum costs on short shared passages in news (a single "
        "reused sentence is often 15-25 words); the news sweep below shows that side.",
        "",
    ]
    facts["pan_sweep"] = rows
    return lines


# --- conflicts -------------------------------------------------------------------------


def section_conflicts(quick: bool, out: Path, facts: dict | None = None) -> list[str]:
    from benchmarks.quality import conflicts_inject as ci

    facts = {} if facts is None else facts
    if data_dir("baomoi") is None and data_dir("vietnamese_mds") is None:
        return ["## 4. Conflicts", "", f"Skipped: {missing_reason('baomoi')}.", ""]
    n = 100 if quick else 300
    t0 = time.perf_counter()
    cases = ci.build_cases(n, seed=0)
    res = ci.score(cases)
    secs = time.perf_counter() - t0
    facts["conflicts"] = res
    lines = [
        "## 4. Conflicts: labelled edits injected into real articles",
        "",
        f"{len(cases)} articles (baomoi + vietnamese_mds, seed 0), 3 edits each, balanced over "
        f"{len(ci.SUBKINDS)} sub-kinds ({secs:.1f} s). A report matches an edit when their spans overlap on "
        "the edited side; it is correct when the kinds agree. Goal: >= 0.95 for each kind.",
        "",
        "| kind | precision | recall | reports | injected |",
        "|---|---|---|---|---|",
    ]
    for k in ci.KINDS:
        lines.append(
            f"| {k} | {_f(res.precision[k])} | {_f(res.recall[k])} | {res.reports.get(k, 0)} | {res.injected.get(k, 0)} |"
        )
    lines += [
        "",
        "| sub-kind | expected | found (flagged) / rate | reported as a variant | n | reported as |",
        "|---|---|---|---|---|---|",
    ]
    rows = []
    for sub in ci.SUBKINDS:
        if sub not in res.sub_rate:
            continue
        as_kinds = ", ".join(f"{k} {v}" for (s2, k), v in sorted(res.confusion.items()) if s2 == sub) or "-"
        expected = ci.FLAGGED.get(sub, "variant (not flagged)")
        vr = _f(res.variant_rate[sub]) if sub in res.variant_rate else ""
        lines.append(f"| {sub} | {expected} | {_f(res.sub_rate[sub])} | {vr} | {res.sub_total[sub]} | {as_kinds} |")
        rows.append([sub, expected, round(res.sub_rate[sub], 4), res.variant_rate.get(sub, ""), res.sub_total[sub], as_kinds])
    _write_csv(out / "quality_conflicts.csv", ["sub_kind", "expected", "rate", "variant_rate", "n", "reported_as"], rows)
    lines += ["", "### False positives (reported kind, a -> b, the edit it overlaps)", ""]
    seen: dict[tuple[str, str | None], int] = {}
    for r in res.false_positives:
        key = (r.kind, r.matched_sub)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= 3:
            lines.append(
                f"- {r.kind}: `{_short(r.a_text)}` -> `{_short(r.b_text)}` (edit: {r.matched_sub or 'none, spurious'}; {r.doc})"
            )
    lines += ["", "Counts: " + ", ".join(f"{k} on {s or 'spurious'}: {v}" for (k, s), v in sorted(seen.items(), key=str)), ""]
    lines += ["### False negatives (sub-kind, a -> b)", ""]
    shown: dict[str, int] = {}
    for doc, e in res.false_negatives:
        shown[e.sub] = shown.get(e.sub, 0) + 1
        if shown[e.sub] <= 3:
            lines.append(f"- {e.sub}: `{_short(e.a_text)}` -> `{_short(e.b_text)}` ({doc})")
    lines += ["", "Counts: " + ", ".join(f"{k}: {v}" for k, v in sorted(shown.items())), ""]
    return lines


# --- Clough-Stevenson -------------------------------------------------------------------


def section_clough(quick: bool, out: Path, facts: dict | None = None) -> list[str]:
    from benchmarks.quality import clough

    facts = {} if facts is None else facts
    if data_dir("clough_stevenson") is None:
        return ["## 3. Graded reuse: Clough & Stevenson", "", f"Skipped: {missing_reason('clough_stevenson')}.", ""]
    answers, sources = clough.load_corpus()
    scored = clough.score_answers(answers, sources)
    res = clough.evaluate(scored)
    facts["clough"] = res
    _write_csv(
        out / "quality_clough.csv",
        ["file", "category", "jaccard", "containment", "coverage", "reuse"],
        [[s.name, s.category, round(s.jaccard, 4), round(s.containment, 4), round(s.coverage, 4), round(s.reuse, 4)]
         for s in scored],
    )
    lines = [
        "## 3. Graded reuse: Clough & Stevenson",
        "",
        f"{res.n} answers, each compared with its Wikipedia source (answer = `a`). Grade: non 0, heavy 1, "
        "light 2, cut 3. `coverage` = share of the answer's characters inside verbatim passages (the token "
        "aligner's, as the near-duplicate rule counts them); `reuse` = inside any passage, reworded ones "
        "included (how much was taken however rewritten, so heavy rewrites score like light ones).",
        "",
        "| score | Spearman rho vs grade | AUC any reuse vs non | mean cut | light | heavy | non | cut > light > heavy > non |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in clough.SCORES:
        m = res.means[name]
        lines.append(
            f"| {name} | {_f(res.spearman[name])} | {_f(res.auc[name])} | {_f(m['cut'])} | {_f(m['light'])} | "
            f"{_f(m['heavy'])} | {_f(m['non'])} | {'yes' if res.ordered[name] else 'NO'} |"
        )
    lines.append("")
    return lines


# --- driver -----------------------------------------------------------------------------


def _optional(name: str, quick: bool, out: Path, facts: dict, **kw: object) -> list[str]:
    try:
        module = __import__(f"benchmarks.quality.{name}", fromlist=["section"])
    except ImportError as exc:
        return [f"## {name}", "", f"Not run: {exc}.", ""]
    return module.section(quick, out, facts, **kw)


PARTS = ("pan", "passages", "mds", "clough", "conflicts", "edits")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="run the overlap quality suite")
    parser.add_argument("--quick", action="store_true", help="small slices (about 15 s)")
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    t0 = time.perf_counter()
    body: list[str] = []
    facts: dict = {}
    for part in parts:
        t = time.perf_counter()
        if part == "pan":
            body += section_pan(args.quick, args.out, facts)
        elif part == "passages":
            body += _optional(part, args.quick, args.out, facts, pan_rows=facts.get("pan_sweep", ()))
        elif part == "conflicts":
            body += section_conflicts(args.quick, args.out, facts)
        elif part == "clough":
            body += section_clough(args.quick, args.out, facts)
        elif part in ("mds", "edits"):
            body += _optional(part, args.quick, args.out, facts)
        else:
            parser.error(f"unknown part {part!r}; expected one of {', '.join(PARTS)}")
        print(f"{part}: {time.perf_counter() - t:.1f} s")
    try:
        import subprocess

        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except OSError:
        commit = "unknown"
    head = [
        "# overlap: detection quality on real corpora",
        "",
        f"Written by `python -m benchmarks.quality.run{' --quick' if args.quick else ''}` at commit `{commit}` "
        f"(Python {platform.python_version()}, {time.perf_counter() - t0:.0f} s). Data: `../shared/data/` "
        "(not in the repository). CSVs next to this file.",
        "",
    ]
    from benchmarks.quality.defaults import recommendations

    body += recommendations(facts)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "quality.md").write_text("\n".join(head + body) + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'quality.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
