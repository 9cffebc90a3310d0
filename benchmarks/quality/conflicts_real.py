"""Conflicts on real same-event pairs, judged by hand, and the precision of the confident ones.

Pairs: every pair of articles inside a VietnameseMDS cluster (same event, different
outlets), and the 606 Baomoi pairs in which ``overlap scan`` reported a conflict at
commit 0409958 (listed by id in ``benchmarks/results/conflicts_real_pairs.csv``, so the
population does not move when scan changes).  Every pair goes through
``overlap.compare``; every reported conflict carries a confidence.

Two fixed random samples of the reported conflicts are judged by hand, reading both
texts (``benchmarks/results/conflicts_real_judged.csv``, short value snippets only):

- ``tune``: drawn (seed 1) from what the code reported *before* the confidence work;
  the false-alarm rules and weights were tuned by reading it.
- ``judge``: drawn (seed 2) from the output after the first round, excluding every
  conflict of the tuning sample; held out then (34 of 44 right at the default), but
  its wrong rows were read to write the second and third rounds of rules, so it is
  development data now.
- ``late`` and ``fresh``: smaller samples judged between rounds (development).
- ``heldout``: the held-out figure.  Populations nobody had read: Baomoi pairs in
  none of the lists above (``conflicts_real_pairs_heldout.csv``: pairs inside one of
  scan's story clusters, and pairs sharing a rare word 8-gram), the PAN-13
  training pairs with a summarised news article (05) and with verbatim reuse (02).
  60 of their conflicts drawn at random (seed 3), plus every one at or above the
  default not drawn, judged once after the code was final.

``section`` prints the precision at or above
``overlap.confidence.DEFAULT_MIN_CONFIDENCE`` per sample, with its role.

API:

- ``collect(sources=SOURCES) -> list[Found]``: every conflict reported on the real
  pairs of ``sources`` (``SOURCES``: the tuned-on populations; ``HELDOUT_SOURCES``).
- ``sample(found, n, seed, exclude=()) -> list[Found]``: a fixed random sample.
- ``judgements() -> dict[str, tuple[str, str]]``: key -> (sample, verdict) from the CSV.
- ``section(out) -> list[str]``: the README/quality.md lines, and the CSV of the scores.

Cost: one ``compare`` per pair (about 1,300 tuned-on pairs, well under a minute; the
1,292 held-out pairs about a minute, most of it PAN-13 02's long pages).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from benchmarks.quality import RESULTS_DIR, data_dir

__all__ = ["Found", "collect", "judgements", "key_of", "precision_table", "sample", "section"]

PAIRS_CSV = RESULTS_DIR / "conflicts_real_pairs.csv"
# Baomoi pairs that were *not* in PAIRS_CSV and hold a conflict: pairs inside scan's
# story clusters of at most 40 articles, and pairs sharing at least three word 8-grams
# (an 8-gram in 2-10 articles).  A population drawn after the tuning, for a fresh look.
FRESH_CSV = RESULTS_DIR / "conflicts_real_pairs_fresh.csv"
# Held out after the second tuning round (h/trust): Baomoi pairs in none of the lists
# above that hold a conflict at commit 5eb5a6a, from two populations: every pair inside
# one of scan's story clusters (397c000) and every pair sharing a word 8-gram found in
# 2-10 articles (origin column).  With the PAN-13 pairs below they form the "heldout"
# population, judged once, after the code was final.
HELDOUT_CSV = RESULTS_DIR / "conflicts_real_pairs_heldout.csv"
JUDGED_CSV = RESULTS_DIR / "conflicts_real_judged.csv"
# Where each population comes from: "tuned" ones were read while writing the rules.
SOURCES = ("mds", "baomoi", "baomoi-fresh")
HELDOUT_SOURCES = ("baomoi-heldout", "pan05", "pan02")
_SNIPPET = 40  # characters of a value snippet kept in the judged CSV


@dataclass(frozen=True, slots=True)
class Found:
    """One reported conflict on a real pair: where it is and what overlap said about it."""

    source: str  # "mds" or "baomoi"
    a: str  # article ids ("cluster_16/12234095" or "21454551")
    b: str
    kind: str
    a_start: int
    b_start: int
    a_text: str
    b_text: str
    confidence: float
    reason: str
    a_context: str  # for the person judging, never written out
    b_context: str

    @property
    def key(self) -> str:
        return key_of(self.a, self.b, self.a_start, self.b_start)


def key_of(a: str, b: str, a_start: int, b_start: int) -> str:
    """A stable key for a conflict: both article ids and where it starts on each side."""
    return f"{a}|{b}|{a_start}|{b_start}"


def _pan_pairs(sub: str) -> list[tuple[str, str, str, str]]:
    """(suspicious id, source id, texts) of the PAN-13 training pairs of ``sub`` that hold
    a reuse case: a news article and a text that reuses it (verbatim in 02, summarised
    by a person in 05), so every figure they share is about the same event."""
    root = data_dir("pan13-train")
    if root is None:
        return []
    out = []
    for line in (root / sub / "pairs").read_text(encoding="utf-8").splitlines():
        susp, src = line.split()
        if "plagiarism" not in (root / sub / "gold" / f"{susp[:-4]}-{src[:-4]}.xml").read_text(encoding="utf-8"):
            continue
        ta = (root / "susp" / susp).read_text(encoding="utf-8")
        tb = (root / "src" / src).read_text(encoding="utf-8")
        out.append((f"{sub[:2]}/{susp[:-4]}", src[:-4], ta, tb))
    return out


def _pairs(sources: Sequence[str] = SOURCES) -> list[tuple[str, str, str, str, str]]:
    """(source, a id, b id, a text, b text) for every real same-event pair of ``sources``."""
    out: list[tuple[str, str, str, str, str]] = []
    mds = data_dir("vietnamese_mds") if "mds" in sources else None
    if mds is not None:
        for d in sorted(mds.glob("cluster_*"), key=lambda p: int(p.name.split("_")[1])):
            texts = {f.name.split(".")[0]: f.read_text(encoding="utf-8") for f in sorted(d.glob("*.body.txt"))}
            for x, y in combinations(sorted(texts), 2):
                out.append(("mds", f"{d.name}/{x}", f"{d.name}/{y}", texts[x], texts[y]))
    bm = data_dir("baomoi")
    if bm is not None:
        for source, path in (("baomoi", PAIRS_CSV), ("baomoi-fresh", FRESH_CSV), ("baomoi-heldout", HELDOUT_CSV)):
            if source not in sources:
                continue
            with path.open(encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    ta = (bm / f"{row['a']}.txt").read_text(encoding="utf-8")
                    tb = (bm / f"{row['b']}.txt").read_text(encoding="utf-8")
                    out.append((source, row["a"], row["b"], ta, tb))
    for source, sub in (("pan05", "05-summary-obfuscation"), ("pan02", "02-no-obfuscation")):
        if source in sources:
            out.extend((source, a, b, ta, tb) for a, b, ta, tb in _pan_pairs(sub))
    return out


def _context(text: str, start: int, end: int, width: int = 70) -> str:
    return (text[max(0, start - width) : start] + "[[" + text[start:end] + "]]" + text[end : end + width]).replace("\n", " / ")


def collect(sources: Sequence[str] = SOURCES) -> list[Found]:
    """Every conflict ``overlap.compare`` reports on the real pairs of ``sources``, in pair order."""
    import overlap

    found: list[Found] = []
    for source, a, b, ta, tb in _pairs(sources):
        cmp = overlap.compare(ta, tb)
        for c in cmp.conflicts:
            found.append(Found(
                source, a, b, c.kind, c.a.start, c.b.start, c.a_text, c.b_text,
                float(getattr(c, "confidence", 1.0)), str(getattr(c, "reason", "")),
                _context(ta, c.a.start, c.a.end), _context(tb, c.b.start, c.b.end),
            ))
    return found


def sample(found: Sequence[Found], n: int, seed: int, exclude: Iterable[str] = ()) -> list[Found]:
    """``n`` conflicts drawn at random (``random.Random(seed)``), none whose key is excluded."""
    skip = set(exclude)
    pool = [f for f in found if f.key not in skip]
    return random.Random(seed).sample(pool, min(n, len(pool)))


def judgements() -> dict[str, tuple[str, str]]:
    """Hand verdicts from the judged CSV: key -> (sample, verdict); empty when absent."""
    if not JUDGED_CSV.exists():
        return {}
    with JUDGED_CSV.open(encoding="utf-8") as f:
        return {key_of(r["a"], r["b"], int(r["a_start"]), int(r["b_start"])): (r["sample"], r["verdict"]) for r in csv.DictReader(f)}


def _short(s: str) -> str:
    s = " ".join(s.split())
    return s if len(s) <= _SNIPPET else s[: _SNIPPET - 1] + "…"


def write_sample(rows: Sequence[Found], name: str, path: Path, verdicts: dict[str, str]) -> None:
    """Append judged rows (short snippets only) to the judged CSV."""
    new = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(["sample", "source", "a", "b", "a_start", "b_start", "kind", "a_text", "b_text", "verdict"])
        for r in rows:
            w.writerow([name, r.source, r.a, r.b, r.a_start, r.b_start, r.kind, _short(r.a_text), _short(r.b_text), verdicts[r.key]])


def precision_table(found: Sequence[Found], judged: dict[str, tuple[str, str]], threshold: float) -> dict[str, tuple[int, int, int, int]]:
    """Per judged sample: (conflicts now at or above ``threshold`` and judged, of them
    right, conflicts of the sample no longer reported or below the threshold, of those
    the ones judged right: real conflicts the default report leaves out)."""
    now = {f.key: f for f in found}
    out: dict[str, tuple[int, int, int, int]] = {}
    for name in sorted({s for s, _ in judged.values()}):
        keys = [k for k, (s, _) in judged.items() if s == name]
        shown = [k for k in keys if k in now and now[k].confidence >= threshold]
        right = sum(judged[k][1].startswith("right") for k in shown)
        hidden_right = sum(judged[k][1].startswith("right") for k in keys if k not in shown)
        out[name] = (len(shown), right, len(keys) - len(shown), hidden_right)
    return out


# What each judged sample is worth now: a sample whose wrong rows were read to write a
# rule is development data, whatever it was drawn as.
ROLES = {
    "tune": "development (rules written from it)",
    "judge": "development since h/trust (held out at first: 34 of 44 right)",
    "late": "development",
    "fresh": "development (seen, no rule written from it)",
    "heldout": "held out: drawn and judged once, on the final code",
}


def section(out: Path = RESULTS_DIR) -> list[str]:
    """Markdown lines: conflicts on real pairs by confidence, and the judged precision."""
    from overlap.confidence import DEFAULT_MIN_CONFIDENCE

    if data_dir("vietnamese_mds") is None or data_dir("baomoi") is None:
        return ["Real same-event conflicts: skipped (../shared/data/vietnamese_mds or baomoi not found)."]
    found = collect(SOURCES + HELDOUT_SOURCES)
    judged = judgements()
    lines = [
        "| population | conflicts reported | at confidence >= 0.5 | >= 0.7 (default) | >= 0.8 |",
        "|---|---|---|---|---|",
    ]
    for name, sources in (("tuned on (" + ", ".join(SOURCES) + ")", SOURCES), ("held out (" + ", ".join(HELDOUT_SOURCES) + ")", HELDOUT_SOURCES)):
        fs = [f for f in found if f.source in sources]
        lines.append(
            f"| {name} | {len(fs)} | {sum(f.confidence >= 0.5 for f in fs)} | "
            f"{sum(f.confidence >= DEFAULT_MIN_CONFIDENCE for f in fs)} | {sum(f.confidence >= 0.8 for f in fs)} |"
        )
    lines += [
        "",
        "| judged sample | role | shown at >= default | right | precision | not shown now | real among them |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (shown, right, gone, hidden_right) in precision_table(found, judged, DEFAULT_MIN_CONFIDENCE).items():
        prec = f"{right / shown:.2f}" if shown else "n/a"
        lines.append(f"| {name} | {ROLES.get(name, '')} | {shown} | {right} | {prec} | {gone} | {hidden_right} |")
    return lines


if __name__ == "__main__":
    print("\n".join(section()))
