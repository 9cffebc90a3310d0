"""overlap.scan on the seeds (concrete story structure, passages, the Fomin variant), its
determinism, its records, and LSH recall against exact all-pairs Jaccard on real articles."""

from __future__ import annotations

import itertools
import json
import os
from collections import defaultdict

import numpy as np
import pytest

from overlap.errors import ConfigError, InputError
from overlap.records import Document
from overlap.corpus import ScanOptions, scan
from overlap.sources import iter_documents

from conftest import SEEDS


def _short(doc_id: str) -> str:
    """'seeds/002_ba34....txt' -> '002'."""
    return os.path.basename(doc_id)[:3]


@pytest.fixture(scope="module")
def seed_scan():
    return scan(iter_documents([str(SEEDS)]), workers=1)


def test_seed_story_structure(seed_scan):
    stories = [sorted(_short(m) for m in c.members) for c in seed_scan.story_clusters]
    # 000, 001, 002 and 004 cover the January 2022 Geneva talks; 003 the December 2021 call.
    # 004 shares only names and dates with 002 (one same-event link): too little to join
    # a story of three (overlap.stories), and five articles are too few for rare words.
    assert stories == [["000", "001", "002"]]
    assert [_short(d) for d in seed_scan.singletons] == ["003", "004"]
    assert seed_scan.near_duplicate_clusters == ()


def test_story_evidence_is_a_sequence_of_links_made_on_access(seed_scan):
    """A story's evidence is a ``LinkRun`` over shared columns: it indexes, slices,
    iterates, compares and pickles like the tuple of its ``Link`` records."""
    import pickle

    from overlap.corpus.records import Link, LinkRun

    (story,) = seed_scan.story_clusters
    ev = story.evidence
    assert isinstance(ev, LinkRun) and len(ev) == 3
    links = tuple(ev)
    assert all(isinstance(e, Link) for e in links)
    assert [ev[k] for k in range(len(ev))] == list(links) and ev[-1] == links[-1]
    assert ev == links and links == ev and hash(ev) == hash(links)
    assert ev[1:] == links[1:] and ev[:0] == () and len(ev[5:]) == 0
    assert ev != links[:2] and ev != links[::-1]
    assert pickle.loads(pickle.dumps(ev)) == links
    with pytest.raises(IndexError):
        ev[3]
    # strongest first, then by input order, as ``Cluster`` documents
    assert [e.confidence for e in links] == sorted((e.confidence for e in links), reverse=True)


def test_seed_story_evidence(seed_scan):
    (story,) = seed_scan.story_clusters
    links = {(_short(e.a), _short(e.b)): e for e in story.evidence}
    assert {k: e.reason for k, e in links.items()} == {
        ("000", "001"): "short_passage",
        ("000", "002"): "short_passage",
        ("001", "002"): "short_passage",
    }
    assert all(0.8 <= e.confidence <= 1.0 for e in links.values())
    assert story.headline and 0.8 <= story.strength <= 1.0
    # 000 and 002 are not near-duplicates, yet share three passages.
    p02 = links[("000", "002")].pair
    assert not p02.near_duplicate and p02.similarity.jaccard < 0.2
    assert len(p02.passages) == 3
    text0 = seed_scan.text(p02.a)
    text2 = seed_scan.text(p02.b)
    quoted = [p.a.of(text0) for p in p02.passages]
    assert any("Dẫn đầu phái đoàn Nga" in q for q in quoted)
    for p in p02.passages:  # spans quote the same words on both sides
        assert p.a.of(text0).split()[:3] == p.b.of(text2).split()[:3]
    (p24,) = [p for p in seed_scan.pairs if (_short(p.a), _short(p.b)) == ("002", "004")]
    assert p24.link == "same_event" and p24.evidence == "same_event" and 0 < p24.confidence < 1
    ev = p24.same_event
    assert "Ned Price" in ev.names and "OSCE" in ev.names
    assert set(ev.dates) & {"12/1", "13/1"}


def test_seed_fomin_variant_reported_once(seed_scan):
    assert len(seed_scan.name_variants) == 1
    (v,) = seed_scan.name_variants
    spelled = {s.text: sorted(_short(d) for d in s.docs) for s in v.spellings}
    assert spelled == {"Alexander Fomin": ["000", "002"], "Alexandr Fomin": ["001"]}
    for s in v.spellings:
        for o in s.occurrences:
            assert o.span.of(seed_scan.text(o.doc)) == s.text


def test_seed_most_reused_passage_is_the_delegation_sentence(seed_scan):
    top = seed_scan.reused_passages[0]
    assert sorted(_short(d) for d in top.docs) == ["000", "001", "002"]
    assert "Sergei Ryabkov" in top.text and not top.boilerplate
    for o in top.occurrences:
        assert "Ryabkov" in o.span.of(seed_scan.text(o.doc))


def test_conflicts_across_the_corpus(seed_scan):
    kinds = {(_short(p.a), _short(p.b), c.kind, c.a_text, c.b_text) for p, c in seed_scan.conflicts}
    assert ("000", "001", "spelling", "Alexander Fomin", "Alexandr Fomin") in kinds


def test_json_is_deterministic_and_independent_of_workers(seed_scan):
    docs = list(iter_documents([str(SEEDS)]))
    a = json.dumps(seed_scan.to_dict(), ensure_ascii=False, sort_keys=True)
    b = json.dumps(scan(docs, workers=2).to_dict(), ensure_ascii=False, sort_keys=True)
    assert a == b
    c = scan(docs, workers=1, seed=7).to_dict()
    assert c["options"]["seed"] == 7  # another seed is a different (valid) run
    assert "timings" not in json.loads(a)["stats"]


def test_json_and_jsonl_shapes(seed_scan):
    d = seed_scan.to_dict()
    assert d["schema"] == 1 and d["type"] == "scan"
    assert set(d) >= {"documents", "pairs", "near_duplicate_clusters", "story_clusters", "name_variants", "reused_passages"}
    story = d["story_clusters"][0]
    assert story["size"] == 3 and story["evidence"][0]["passages"][0]["text"]
    recs = list(seed_scan.records())
    assert recs[0]["type"] == "summary"
    counts = defaultdict(int)
    for r in recs:
        counts[r["type"]] += 1
    assert counts == {"summary": 1, "document": 5, "pair": 4, "cluster": 1, "reused_passage": 3, "name_variant": 1}
    json.dumps(recs)  # every record is JSON-serialisable


def test_near_duplicates_cluster_and_chain():
    base = (
        "Ngày 12/3, Bộ Y tế cho biết đã ghi nhận thêm 120 ca mắc mới tại Hà Nội và TP.HCM. "
        "Các bệnh nhân đều được cách ly và điều trị tại bệnh viện dã chiến. "
        "Theo cơ quan chức năng, số ca mắc trong tuần giảm so với tuần trước nhờ tiêm chủng. "
        "Người dân được khuyến cáo đeo khẩu trang nơi công cộng và hạn chế tụ tập đông người."
    )
    other = (
        "Giá vàng trong nước sáng nay tăng mạnh theo đà tăng của thị trường thế giới, "
        "nhiều cửa hàng ghi nhận lượng khách mua vào tăng đột biến so với hôm trước."
    )
    docs = [
        Document("a", base),
        Document("b", base.replace("120 ca", "121 ca")),
        Document("c", other),
        Document("d", base + " Tin được cập nhật liên tục."),
    ]
    r = scan(docs, workers=1)
    assert [c.members for c in r.near_duplicate_clusters] == [("a", "b", "d")]
    assert r.singletons == ("c",)
    ab = next(p for p in r.pairs if (p.a, p.b) == ("a", "b"))
    assert ab.near_duplicate and ab.link == "near_duplicate"
    assert [(c.kind, c.a_text, c.b_text) for c in ab.conflicts] == [("number", "120 ca", "121 ca")]


def test_lone_surrogates_and_callers_strings_survive_a_scan_in_workers():
    """JSON may carry a lone surrogate ("\\ud83d" cut from an emoji): the text is stored and
    quoted back exactly.  Texts go to the workers as UTF-8 bytes, so the caller's strings do
    not gain CPython's cached UTF-8 copy (``sys.getsizeof`` would grow by the UTF-8 size)."""
    import sys

    seed = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    docs = [Document("a", seed + " \ud83d"), Document("b", seed.replace("Fomin", "Fomine") + " \ud83d"), Document("c", seed[:2000])]
    before = [sys.getsizeof(d.text) for d in docs]
    r = scan(docs, workers=2)
    assert [sys.getsizeof(d.text) for d in docs] == before
    assert r.text("a") == docs[0].text and r.text("a").endswith("\ud83d")
    ab = next(p for p in r.pairs if (p.a, p.b) == ("a", "b"))
    assert ab.near_duplicate
    assert ("Alexander Fomin", "Alexander Fomine") in {(c.a_text, c.b_text) for c in ab.conflicts}


def test_duplicate_ids_are_rejected_with_both_origins():
    docs = [Document("x", "một hai ba bốn năm sáu", "f.jsonl:1"), Document("x", "bảy tám chín", "f.jsonl:9")]
    with pytest.raises(InputError, match=r"f\.jsonl:9: duplicate document id 'x' \(first seen at f\.jsonl:1\)"):
        scan(docs, workers=1)


def test_empty_input_and_bad_options():
    with pytest.raises(InputError, match="no documents"):
        scan([], workers=1)
    with pytest.raises(ConfigError, match="num_perm must be an integer in"):
        ScanOptions(num_perm=0)
    with pytest.raises(ConfigError, match=r"near_duplicate must be in \(0, 1\]: 1.5"):
        ScanOptions(near_duplicate=1.5)
    with pytest.raises(ConfigError, match="unknown option"):
        scan([Document("a", "x y z")], bogus=1)


# --------------------------------------------------------------------------- real data


def _baomoi_sample(data_dir, n=300):
    """300 baomoi articles: every article whose title (first line) another article repeats
    (likely republications), then the first articles in name order to fill up."""
    files = sorted((data_dir / "baomoi").glob("*.txt"))
    by_title = defaultdict(list)
    for f in files:
        by_title[f.read_text(encoding="utf-8").split("\n", 1)[0].strip().lower()].append(f)
    chosen = [f for group in by_title.values() if len(group) >= 2 for f in group][:200]
    rest = [f for f in files if f not in set(chosen)]
    return sorted(set(chosen) | set(rest[: n - len(chosen)]))


def test_lsh_recall_against_exact_all_pairs_jaccard(data_dir):
    """Tolerance: scan must find at least 95% of the pairs whose exact 5-shingle Jaccard is
    >= 0.5 as near-duplicates, and link at least 95% of the pairs where one article's
    shingles are >= 50% inside the other; every Jaccard it reports must be the exact one."""
    from overlap.normalization import normalize
    from overlap.shingle import shingle_set

    files = _baomoi_sample(data_dir)
    docs = list(iter_documents([str(f) for f in files]))
    sets = [np.unique(shingle_set(normalize(d.text).text, 5)) for d in docs]
    jac, cont = {}, {}
    for i, j in itertools.combinations(range(len(docs)), 2):
        inter = len(np.intersect1d(sets[i], sets[j], assume_unique=True))
        if inter:
            jac[i, j] = inter / (len(sets[i]) + len(sets[j]) - inter)
            cont[i, j] = inter / min(len(sets[i]), len(sets[j]))
    r = scan(docs, workers=2)
    index = {d.id: i for i, d in enumerate(docs)}
    found = {(index[p.a], index[p.b]): p for p in r.pairs}
    near = {k for k, v in jac.items() if v >= 0.5}
    contained = {k for k, v in cont.items() if v >= 0.5}
    assert len(near) >= 10, "sample should hold republications"
    nd = {k for k, p in found.items() if p.near_duplicate}
    assert len(near & nd) >= 0.95 * len(near)
    assert nd <= near  # verification is exact: no false near-duplicates
    assert len(contained & set(found)) >= 0.95 * len(contained)
    for k, p in found.items():
        assert p.similarity.jaccard == pytest.approx(jac.get(k, 0.0), abs=1e-9)
    assert r.stats.compared < len(docs) * (len(docs) - 1) // 2 // 20  # far from all pairs


def test_vietnamese_mds_runs_and_finds_same_event_stories(data_dir):
    """Not the official quality numbers (benchmarks/quality/mds.py): a smoke test that
    real same-event clusters come out mostly as stories and rarely mixed."""
    root = data_dir / "vietnamese_mds"
    clusters = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: int(p.name.split("_")[1]))[:60]
    docs, gold = [], {}
    for c in clusters:
        for f in sorted(c.glob("*.body.txt")):
            text = f.read_text(encoding="utf-8")
            if text.strip():
                docs.append(Document(f"{c.name}/{f.name}", text))
                gold[docs[-1].id] = c.name
    r = scan(docs, workers=2)
    pairs = {(a, b) for c in r.story_clusters for a, b in itertools.combinations(c.members, 2)}
    same = sum(1 for a, b in pairs if gold[a] == gold[b])
    assert pairs and same / len(pairs) >= 0.6  # pairwise precision (0.73 on all 200 clusters)
    gold_pairs = sum(len(list(itertools.combinations([d for d in gold if gold[d] == c.name], 2))) for c in clusters)
    assert same / gold_pairs >= 0.25  # pairwise recall (0.43 on all 200 clusters)


def test_result_does_not_depend_on_slice_and_chunk_sizes(data_dir, monkeypatch):
    """Pair codes made a few groups at a time, same-event similarities in tiny worker
    chunks, compares under a budget: the same result as in one piece, on real articles."""
    from overlap.corpus import candidates, local, verify

    texts = [p.read_text(encoding="utf-8") for p in sorted((data_dir / "baomoi").rglob("*.txt"))[:400]]
    if len(texts) < 100:
        pytest.skip("baomoi articles not found as .txt files")
    docs = [Document(str(i), t) for i, t in enumerate(texts)]
    whole = scan(docs, workers=1, max_compares=60).to_dict()
    monkeypatch.setattr(candidates, "PAIRS_PER_SLICE", 3)
    monkeypatch.setattr(local, "SIMILARITY_CHUNK", 2)
    monkeypatch.setattr(verify, "COMPARE_CHUNK", 3)
    sliced = scan(docs, workers=1, max_compares=60).to_dict()
    assert sliced == whole
    assert whole["stats"]["compared"] == 60 and any(p["link"] == "same_event" for p in whole["pairs"])
