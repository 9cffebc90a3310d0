"""Run the speed suite and write its results: ``python -m benchmarks.run [--quick]``.

Writes into ``benchmarks/results/``:

* ``speed.md``: every table below, each replaced in place (the file's hand-written sections,
  2c-2h and 5b-5h among them, are kept), with the machine they ran on;
* ``speed_signatures.csv``, ``speed_jit.csv``, ``speed_end_to_end.csv``, ``speed_accuracy.csv``,
  ``speed_tradeoff.csv``, ``speed_lsh.csv``, ``speed_scan.csv``, ``speed_compare.csv``: the same rows as CSV;
* ``speed.png``: ms per document of each MinHash engine (log scale);
* ``speed_tradeoff.png``: error against time of each engine and signature size (table 4c).

Sections: (1) signatures per second, overlap vs datasketch vs rensa on the same shingles;
(2) text -> signature stages and the gain from 2 workers; (3) LSH candidate generation;
(4) estimation error against exact Jaccard per engine, and (4c) speed against error at
several signature sizes; (5) corpus scale (1k/10k/100k
documents, throughput and peak RSS; ``overlap.scan`` when it exists); (6) compare latency,
library call and cold CLI.  ``--quick`` stops the scale section at 10k documents.
Needs the ``bench`` extra (``pip install -e .[bench]``) for rensa, matplotlib and psutil.
Data: ``../shared/data/baomoi`` when present, otherwise the seeds (noted in the output).
"""

from __future__ import annotations

import argparse
import os
import time

from benchmarks import bench_compare, bench_minhash, bench_scan, bench_tradeoff
from benchmarks.common import RESULTS, load_corpus, machine, markdown_table, replace_sections, write_csv


def _plot(rows: list[dict], path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("note: matplotlib not installed; no plot")
        return
    labels = [f"{r['engine']}\n{r['api'][:38]}\n{r['cores']} core(s)" for r in rows]
    values = [r["ms_per_doc"] for r in rows]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bars = ax.barh(range(len(rows)), values, color=["#2a7f62" if r["engine"] == "overlap" else "#888" for r in rows])
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("ms per document (log scale), num_perm = 128, same shingles; lower is better")
    for bar, v in zip(bars, values):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {v:.4f}", va="center", fontsize=7)
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scale section up to 10k documents only")
    args = parser.parse_args(argv)
    started = time.time()
    corpus = load_corpus()
    sample = corpus.texts[:2000]
    info = machine()
    sections: list[tuple[str, str]] = []

    def section(name: str, title: str, rows: list[dict], note: str) -> None:
        write_csv(RESULTS / f"speed_{name}.csv", rows)
        stamp = (f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC by `python -m benchmarks.run"
                 f"{' --quick' if args.quick else ''}`; load average {os.getloadavg()[0]:.1f}.")
        sections.append((title, f"{stamp} {note}\n\n{markdown_table(rows)}"))
        print(f"### {title}\n\n{sections[-1][1]}\n")

    notes, titles = bench_minhash.NOTES, bench_minhash.TITLES
    sig_rows = bench_minhash.bench_signatures(sample)
    jit_rows = bench_minhash.bench_jit_startup()
    write_csv(RESULTS / "speed_jit.csv", jit_rows)
    section("signatures", titles["signatures"], sig_rows,
            notes["signatures"].format(n=len(sample), source=corpus.source))
    sections[-1] = (sections[-1][0], sections[-1][1] + f"\n\n{notes['jit']}\n\n{markdown_table(jit_rows)}")
    _plot(sig_rows, RESULTS / "speed.png")
    section("end_to_end", titles["end_to_end"], bench_minhash.bench_end_to_end(sample), notes["end_to_end"])
    section("lsh", "3. LSH candidate pairs from the same signatures (threshold 0.5)",
            bench_minhash.bench_lsh(corpus.texts), "Best of 3 (datasketch: best of 2).")
    section("accuracy", titles["accuracy"], bench_minhash.bench_accuracy(corpus.texts), notes["accuracy"])
    section("accuracy_short", titles["accuracy_short"], bench_minhash.bench_accuracy_short(corpus.texts),
            notes["accuracy_short"].format(n=len(corpus.texts)))
    scored_pairs = bench_minhash.accuracy_pairs(corpus.texts)
    trade_rows = bench_tradeoff.bench_tradeoff(sample, scored_pairs)
    section("tradeoff", bench_tradeoff.TITLE, trade_rows, bench_tradeoff.NOTE.format(
        n=len(sample), source=corpus.source, pairs=len(scored_pairs[1]), seeds=len(bench_tradeoff.SEEDS)))
    sections[-1] = (sections[-1][0], sections[-1][1] + "\n\n![error against time](speed_tradeoff.png)")
    bench_tradeoff.plot(trade_rows, RESULTS / "speed_tradeoff.png")
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    section("scan", "5. Corpus scale: throughput and peak RSS", bench_scan.bench_scan(sizes),
            "Fresh process per row; documents from baomoi scaled up with edits and reorderings "
            "(benchmarks/common.py: scaled_corpus). Single run each. peak_rss_mb is the scanning process; "
            "worker_peak_rss_mb the largest worker, whose RSS also counts the pages it shares with the parent "
            "after fork (the texts).")
    section("compare", "6. Compare latency (seeds 000 vs 001)", bench_compare.bench_compare(),
            "Cold rows start a new interpreter each time; best of 5.")
    header = "\n".join([
        "# Speed suite results",
        "",
        "Written by `python -m benchmarks.run`: every table below is stamped with when it ran; the"
        " sections without a stamp are hand-written measurements, which a re-run keeps.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
    ])
    replace_sections(RESULTS / "speed.md", sections, header)
    print(f"{time.time() - started:.0f} s")
    print(f"wrote {RESULTS / 'speed.md'}, CSV files and speed.png")


if __name__ == "__main__":
    main()
