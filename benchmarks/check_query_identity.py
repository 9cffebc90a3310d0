"""Save or compare the CLI's ``index query --json`` and ``compare --json`` outputs.

A memory or speed change to the query path must not change any output.  Run this on
the old code with ``save``, then on the new code with ``check``:

    python -m benchmarks.check_query_identity save  <dir> [--big]
    python -m benchmarks.check_query_identity check <dir> [--big]

``<dir>`` (outside the repository) receives the inputs (``in/``, built once from the
shared data and kept), the reference outputs (``ref/``) and the new ones (``new/``).
The runs, each a fresh ``python -m overlap`` process with ``<dir>`` as working
directory (so the outputs name the same relative paths every time):

- ``index add`` of the seeds, 300 Baomoi articles (fixed random sample), NFD and
  edited copies of 10 of them each, and the first two bodies of 15 VietnameseMDS
  clusters; then one ``index query --json`` of every fourth of those files (90);
- ``compare --json`` of each NFD and edited copy with its article, of the two bodies
  of each cluster, and of two seeds;
- the growth inputs (``bench_growth.one_line_document``): a 6.25 MB one-line document
  queried against an index holding it, compared with itself, and compared with a copy
  with 20 words changed; ``--big`` adds the 25 MB query (about a minute of CPU).

Without the shared data only the seeds and growth inputs run (a notice says so).
``check`` prints each output that differs and exits 1 when any does.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

from benchmarks.bench_growth import _one_line_file
from benchmarks.common import DATA, SEEDS


def _inputs(root: Path) -> None:
    """Write the input files under ``root / "in"`` (once)."""
    ind = root / "in"
    if ind.is_dir():
        return
    ind.mkdir(parents=True)
    for p in sorted(SEEDS.glob("*.txt")):
        shutil.copy(p, ind / p.name)
    bm = sorted((DATA / "baomoi").glob("*.txt"))
    if not bm:
        print(f"note: shared data not found under {DATA}: seeds and growth inputs only", file=sys.stderr)
    pick = random.Random(7).sample(bm, min(300, len(bm)))
    for p in pick:
        shutil.copy(p, ind / f"bm_{p.name}")
    for p in pick[:10]:
        (ind / f"nfd_{p.name}").write_text(unicodedata.normalize("NFD", p.read_text(encoding="utf-8")), encoding="utf-8")
    for p in pick[10:20]:
        words = p.read_text(encoding="utf-8").split(" ")
        for k in range(5, len(words), 37):
            words[k] = "2017" if k % 2 else "Hà Nội"
        (ind / f"ed_{p.name}").write_text(" ".join(words), encoding="utf-8")
    for c in sorted((DATA / "vietnamese_mds").glob("cluster_*"))[:15]:
        for p in sorted(c.glob("*.body.txt"))[:2]:
            shutil.copy(p, ind / f"mds_{c.name}_{p.name}")
    big = root / "big"
    big.mkdir(exist_ok=True)
    for mb in (6.25, 25.0):
        _one_line_file(big / f"doc{mb:g}.txt", mb)
    text = (big / "doc6.25.txt").read_text(encoding="utf-8")
    (big / "near6.25.txt").write_text(text.replace(" và ", " với ", 20), encoding="utf-8")


def _runs(root: Path, big: bool) -> list[tuple[str, list[str]]]:
    """(output name, overlap arguments) of every run, paths relative to ``root``."""
    names = sorted(p.name for p in (root / "in").iterdir())
    runs: list[tuple[str, list[str]]] = [("add.txt", ["index", "add", "{out}/i.db", "in"])]
    queried = [f"in/{n}" for n in names[::4][:90]]
    runs.append(("query.json", ["index", "query", "--json", "{out}/i.db", *queried]))
    for n in names:
        for prefix in ("nfd_", "ed_"):
            if n.startswith(prefix):
                runs.append((f"cmp_{n}.json", ["compare", "--json", f"in/{n}", f"in/bm_{n[len(prefix):]}"]))
    clusters = sorted({n.rsplit("_", 1)[0] for n in names if n.startswith("mds_")})
    for c in clusters:
        pair = [f"in/{n}" for n in names if n.startswith(c + "_")][:2]
        runs.append((f"cmp_{c}.json", ["compare", "--json", *pair]))
    seeds = [f"in/{n}" for n in names if n[:1].isdigit()][:2]
    runs.append(("cmp_seeds.json", ["compare", "--json", *seeds]))
    runs.append(("add6.txt", ["index", "add", "{out}/big6.db", "big/doc6.25.txt"]))
    runs.append(("q6.json", ["index", "query", "--json", "{out}/big6.db", "big/doc6.25.txt"]))
    runs.append(("c6.json", ["compare", "--json", "big/doc6.25.txt", "big/doc6.25.txt"]))
    runs.append(("n6.json", ["compare", "--json", "big/near6.25.txt", "big/doc6.25.txt"]))
    if big:
        runs.append(("add25.txt", ["index", "add", "{out}/big25.db", "big/doc25.txt"]))
        runs.append(("q25.json", ["index", "query", "--json", "{out}/big25.db", "big/doc25.txt"]))
    return runs


def run(root: Path, out: str, big: bool) -> None:
    """Every run of ``_runs``, outputs written to ``root / out``; the indexes are built
    afresh in ``root / "work"`` (one name for every run: the outputs quote it)."""
    dest, work = root / out, root / "work"
    for d in (dest, work):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    for name, args in _runs(root, big):
        argv = [sys.executable, "-m", "overlap", *(a.format(out="work") for a in args)]
        p = subprocess.run(argv, cwd=root, capture_output=True, text=True)
        (dest / name).write_text(f"exit {p.returncode}\n{p.stdout}{p.stderr}", encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("save", "check"):
        print(__doc__)
        return 2
    root, big = Path(argv[1]).resolve(), "--big" in argv
    _inputs(root)
    if argv[0] == "save":
        run(root, "ref", big)
        print(f"saved {len(list((root / 'ref').iterdir()))} outputs under {root / 'ref'}")
        return 0
    run(root, "new", big)
    names = sorted(n for n, _ in _runs(root, big))
    differ = [n for n in names if (root / "ref" / n).read_bytes() != (root / "new" / n).read_bytes()]
    for n in differ:
        print(f"DIFFERENT: {n}")
    print(f"{len(names) - len(differ)} of {len(names)} outputs identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
