"""Corpus readers: every format, and every bad input named by file and line."""

from __future__ import annotations

import io
import json
import os
import sys

import pytest

from overlap.errors import ConfigError, InputError
from overlap.sources import detect_format, iter_documents

from conftest import SEEDS

ART_A = "Ngày 10/1, đàm phán an ninh Nga-Mỹ tại Geneva kéo dài 7,5 giờ."
ART_B = "Phái đoàn Mỹ do Thứ trưởng Ngoại giao Wendy Sherman dẫn đầu."


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_directory_is_walked_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text(ART_B, encoding="utf-8")
    (tmp_path / "1.txt").write_text(ART_A, encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    docs = list(iter_documents([tmp_path]))
    # Ids: the directory's own name and the path inside it; origins: absolute paths.
    assert [d.id for d in docs] == [f"{tmp_path.name}/1.txt", f"{tmp_path.name}/b/2.txt"]
    assert docs[0].text == ART_A and docs[0].origin == str(tmp_path / "1.txt")


def test_directory_ids_do_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    root = tmp_path / "news"
    (root / "b").mkdir(parents=True)
    (root / "1.txt").write_text(ART_A, encoding="utf-8")
    (root / "b" / "2.txt").write_text(ART_B, encoding="utf-8")
    seen = []
    for cwd, typed in [(tmp_path, "news"), (tmp_path, "./news/"), (root / "b", ".."), (root, "."), ("/", str(root))]:
        monkeypatch.chdir(cwd)
        docs = list(iter_documents([typed]))
        seen.append([(d.id, d.origin) for d in docs])
    assert all(x == seen[0] for x in seen), seen
    assert seen[0] == [("news/1.txt", str(root / "1.txt")), ("news/b/2.txt", str(root / "b" / "2.txt"))]
    # A .txt given by name keeps the name as given; its origin is absolute.
    monkeypatch.chdir(root)
    (d,) = iter_documents(["b/2.txt"])
    assert (d.id, d.origin) == ("b/2.txt", str(root / "b" / "2.txt"))


def test_include_and_exclude_choose_a_directorys_files(tmp_path):
    # The VietnameseMDS layout: article bodies beside .info.txt metadata files.
    for c in (1, 2):
        (tmp_path / f"cluster_{c}").mkdir()
        (tmp_path / f"cluster_{c}" / f"{c}0.body.txt").write_text(ART_A, encoding="utf-8")
        (tmp_path / f"cluster_{c}" / f"{c}0.info.txt").write_text("Link: x\nTitle: y", encoding="utf-8")
        (tmp_path / f"cluster_{c}.info.txt").write_text("event", encoding="utf-8")
    (tmp_path / "notes.md").write_text(ART_B, encoding="utf-8")
    ids = lambda **kw: [d.id.split("/", 1)[1] for d in iter_documents([tmp_path], **kw)]  # noqa: E731
    assert len(ids()) == 6
    assert ids(exclude=["*.info.txt"]) == ["cluster_1/10.body.txt", "cluster_2/20.body.txt"]
    assert ids(include=["*.body.txt"]) == ids(exclude=["*.info.txt"])
    assert ids(include=["*.md", "cluster_2/*"], exclude=["*.info.txt"]) == ["cluster_2/20.body.txt", "notes.md"]
    with pytest.raises(InputError, match="no files matching --include/--exclude"):
        list(iter_documents([tmp_path], include=["*.pdf"]))
    with pytest.raises(ConfigError, match="list of non-empty glob"):
        list(iter_documents([tmp_path], exclude="*.info.txt"))


def test_vietnamese_mds_without_its_metadata_files(data_dir):
    root = data_dir / "vietnamese_mds"
    if not root.is_dir():
        pytest.skip(f"{root} absent (shared evaluation data)")
    bodies = list(iter_documents([root], exclude=["*.info.txt"]))
    assert bodies and all(d.id.endswith(".body.txt") for d in bodies)
    assert len(bodies) == sum(1 for _ in root.rglob("*.body.txt"))
    assert not any(d.text.startswith(("LINK:", "CLUSTER ID:")) for d in bodies)
    everything = list(iter_documents([root]))  # the default reads the metadata files as articles
    assert sum(d.text.startswith(("LINK:", "CLUSTER ID:")) for d in everything) == len(everything) - len(bodies)


def test_seed_directory_gives_five_documents():
    docs = list(iter_documents([str(SEEDS)]))
    assert len(docs) == 5
    assert all(os.path.basename(d.id).startswith(f"{i:03d}_") for i, d in enumerate(docs))


def test_jsonl_fields_and_origins(tmp_path):
    p = _jsonl(tmp_path / "feed.jsonl", [{"id": 7, "body": ART_A}, {"id": "x", "body": ART_B}])
    (tmp_path / "feed.jsonl").write_text(p.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")  # blank lines ok
    docs = list(iter_documents([p], text_field="body"))
    assert [(d.id, d.text, d.origin) for d in docs] == [("7", ART_A, f"{p}:1"), ("x", ART_B, f"{p}:2")]


def test_jsonl_without_ids_numbers_records_by_line(tmp_path):
    p = _jsonl(tmp_path / "feed.ndjson", [{"text": ART_A}, {"text": ART_B}])
    assert [d.id for d in iter_documents([p], id_field="")] == [f"{p}:1", f"{p}:2"]


def test_csv_with_multiline_cells(tmp_path):
    p = tmp_path / "feed.csv"
    p.write_text(f'id,text\n1,"{ART_A}\nDòng hai."\n2,{ART_B}\n', encoding="utf-8")
    docs = list(iter_documents([p]))
    assert [d.id for d in docs] == ["1", "2"]
    assert docs[0].text == ART_A + "\nDòng hai."
    assert docs[1].origin == f"{p}:4"  # the second record starts on line 4


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    p = tmp_path / "feed.parquet"
    pq.write_table(pa.table({"doc": ["a", "b"], "content": [ART_A, ART_B]}), p)
    docs = list(iter_documents([p], text_field="content", id_field="doc"))
    assert [(d.id, d.text, d.origin) for d in docs] == [("a", ART_A, f"{p}:row1"), ("b", ART_B, f"{p}:row2")]


def test_stdin_is_jsonl(monkeypatch, tmp_path):
    p = _jsonl(tmp_path / "in.jsonl", [{"id": "s", "text": ART_A}])
    with open(p, "rb") as f:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(f))
        docs = list(iter_documents(["-"]))
    assert [(d.id, d.origin) for d in docs] == [("s", "<stdin>:1")]


def test_detect_format():
    assert detect_format("a.JSONL") == "jsonl"
    assert detect_format("a.csv") == "csv"
    with pytest.raises(InputError, match=r"x\.docx: unknown input format '\.docx'"):
        detect_format("x.docx")


# --------------------------------------------------------------------------- bad input


def test_malformed_jsonl_line_names_file_and_line(tmp_path):
    p = tmp_path / "feed.jsonl"
    p.write_text(json.dumps({"id": 1, "text": ART_A}) + "\n" + '{"id": 2, "text": "x"\n', encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{p}:2: not valid JSON \(Expecting ',' delimiter"):
        list(iter_documents([p]))


def test_missing_text_field_lists_the_fields(tmp_path):
    p = _jsonl(tmp_path / "feed.jsonl", [{"id": 1, "text": ART_A}, {"id": 2, "title": "t", "body": ART_B}])
    with pytest.raises(InputError, match=rf"^{p}:2: no field 'text' \(fields: body, id, title\)"):
        list(iter_documents([p]))


def test_missing_id_field_suggests_numbering(tmp_path):
    p = _jsonl(tmp_path / "feed.jsonl", [{"text": ART_A}])
    with pytest.raises(InputError, match=r":1: no field 'id' .*--id-field ''"):
        list(iter_documents([p]))


def test_wrong_types_and_empty_text(tmp_path):
    p = _jsonl(tmp_path / "feed.jsonl", [{"id": 1, "text": 5}])
    with pytest.raises(InputError, match=r":1: field 'text' must be a string, got int"):
        list(iter_documents([p]))
    p = _jsonl(tmp_path / "feed2.jsonl", [{"id": [1], "text": ART_A}])
    with pytest.raises(InputError, match=r":1: field 'id' must be a string or integer, got list"):
        list(iter_documents([p]))
    p = _jsonl(tmp_path / "feed3.jsonl", [{"id": 1, "text": "  "}])
    with pytest.raises(InputError, match=r":1: field 'text' is empty"):
        list(iter_documents([p]))


def test_csv_missing_column_is_reported_at_the_header(tmp_path):
    p = tmp_path / "feed.csv"
    p.write_text("id,body\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{p}:1: no column 'text' \(columns: id, body\)"):
        list(iter_documents([p]))


def test_empty_directory(tmp_path):
    with pytest.raises(InputError, match=r"no \.txt files in this directory"):
        list(iter_documents([tmp_path]))


def test_missing_path():
    with pytest.raises(InputError, match=r"nope\.jsonl: no such file or directory"):
        list(iter_documents(["nope.jsonl"]))


def test_unreadable_file_in_directory(tmp_path):
    # Tests run as root here, so chmod 000 does not stop reads: a directory named like a
    # text file is unreadable as a file for everyone.
    (tmp_path / "a.txt").write_text(ART_A, encoding="utf-8")
    (tmp_path / "b.txt").mkdir()
    with pytest.raises(InputError, match=r"b\.txt: not a regular file"):
        list(iter_documents([tmp_path]))


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root can read chmod 000 files")
def test_permission_denied(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(ART_A, encoding="utf-8")
    p.chmod(0)
    with pytest.raises(InputError, match="permission denied"):
        list(iter_documents([tmp_path]))


def test_binary_file_in_directory_fails_by_default_and_is_skipped_on_request(tmp_path):
    (tmp_path / "a.txt").write_text(ART_A, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match=r"b\.txt: binary file"):
        list(iter_documents([tmp_path]))
    skipped: list[InputError] = []
    docs = list(iter_documents([tmp_path], on_bad=skipped.append))
    assert [os.path.basename(d.id) for d in docs] == ["a.txt"]
    assert len(skipped) == 1 and "b.txt: binary file" in str(skipped[0])


def test_skip_bad_records_keeps_the_good_ones(tmp_path):
    p = tmp_path / "feed.jsonl"
    p.write_text(
        json.dumps({"id": 1, "text": ART_A}) + "\n{oops\n" + json.dumps({"id": 3, "text": ART_B}) + "\n",
        encoding="utf-8",
    )
    skipped: list[InputError] = []
    assert [d.id for d in iter_documents([p], on_bad=skipped.append)] == ["1", "3"]
    assert [str(e).split(": ")[0] for e in skipped] == [f"{p}:2"]


def test_invalid_utf8_in_jsonl(tmp_path):
    p = tmp_path / "feed.jsonl"
    p.write_bytes(json.dumps({"id": 1, "text": ART_A}).encode() + b"\n" + b'{"id": 2, "text": "\xff"}\n')
    with pytest.raises(InputError, match=rf"^{p}:2: not valid utf-8"):
        list(iter_documents([p]))


def test_bad_options():
    with pytest.raises(ConfigError, match="unknown format 'xml'"):
        list(iter_documents(["x"], fmt="xml"))
    with pytest.raises(ConfigError, match="no input paths"):
        list(iter_documents([]))
