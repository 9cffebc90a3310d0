"""``overlap.jsonl_fast``: the compiled JSONL reader of ``dedup_files`` against ``json.loads``.

The kernel must accept a line only when it reads it exactly as ``json.loads`` does, and
decline everything else to the per-line path; the reader as a whole must give the
records, rows, errors and ``on_bad`` calls of ``iter_records`` (the ``OVERLAP_JIT=0``
path), and ``dedup_files`` the same outputs and signatures either way.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from overlap import InputError, jsonl_fast
from overlap.dedup_io import dedup_files, iter_records
from overlap.jit import load_kernels
from overlap.signature_store import SignatureStore, batches

OK, BLANK, DECLINE = 0, 1, 2


def _kernel() -> Any:
    if load_kernels() is None:
        pytest.skip("compiled kernels unavailable (numba missing)")
    from overlap import kernels_jsonl

    return kernels_jsonl


def _scan(lines: list[bytes], text: str = "text", id_: str | None = "id", date: str | None = None) -> list[tuple[int, str, str, bytes]]:
    """``(status, text, id, date bytes)`` of each line, straight from the kernel."""
    kern = _kernel()
    data = b"\n".join(lines) + b"\n"
    n = len(data)
    buf = np.zeros(n + kern.PAD, dtype=np.uint8)
    buf[:n] = np.frombuffer(data, dtype=np.uint8)
    m = n + 2
    line_end, status = np.zeros(m, np.int64), np.zeros(m, np.uint8)
    cps, id_cps = np.zeros(n, np.uint32), np.zeros(n, np.uint32)
    cp_off, id_off, span = np.zeros(m + 1, np.int64), np.zeros(m + 1, np.int64), np.zeros((m, 2), np.int64)

    def key(s: str | None) -> np.ndarray:
        return np.frombuffer((s or "").encode("utf-32-le"), dtype=np.uint32).copy()

    got = kern.jsonl_records_into(buf, n, key(text), key(id_), key(date), jsonl_fast._SPACE, line_end, status, cps,
                                  cp_off, id_cps, id_off, span)
    assert got == len(lines)
    out = []
    for i in range(got):
        t = cps[cp_off[i] : cp_off[i + 1]].tobytes().decode("utf-32-le")
        d = id_cps[id_off[i] : id_off[i + 1]].tobytes().decode("utf-32-le")
        out.append((int(status[i]), t, d, bytes(buf[span[i, 0] : span[i, 1]]) if span[i, 0] >= 0 else b""))
    return out


# Lines the kernel must read exactly as json.loads does (status OK).
ACCEPTED = [
    '{"id": "a", "text": "plain"}',
    '{"text": "order: text first", "id": "b"}',
    '  {  "id"  :  "c" ,"text":"spaces\\tand\\ttabs"  }  \r',
    '{"id": "d", "text": "escapes \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u1EA1 end"}',
    '{"id": "e", "text": "pair \\ud83d\\ude00 and raw \U0001f600 and \\uD834\\uDD1E"}',
    '{"id": "f", "meta": {"text": "nested, not this", "list": [1, {"text": 2}, [], {}]}, "text": "top"}',
    '{"id": "g", "n": -12.5e+3, "z": 0, "f": 1.0E-2, "t": true, "u": false, "v": null, "text": "values"}',
    '{"id": 12345, "text": "integer id"}',
    '{"id": -7, "text": "negative integer id"}',
    '{"ïd": "unicode key", "id": "h", "tëxt": "other", "text": "Tiếng Việt có dấu"}',
    '{"id": "i", "t\\u0065xt": "escaped key"}',
    '{"id": "j", "text": "  leading and trailing spaces  "}',
    '{"id": "k", "text": "\\u0000 NUL escape and \\u001f"}',
    '{"id": "l", "": "empty key", "text": "x"}',
    '{"id": "m", "text": "ends with backslash \\\\"}',
    '{"id": "n", "arr": [[[["deep"]]]], "text": "ok"}',
    '{"id": "o", "text": "white space after the object"}  \t ',
]

# Lines the kernel must decline (json.loads raises, or reads them in a way the kernel leaves to it).
DECLINED = [
    '\ufeff{"id": "a", "text": "BOM"}',
    '{"id": "b", "text": "lone \\ud800 high"}',
    '{"id": "c", "text": "lone \\udc00 low"}',
    '{"id": "d", "text": "high then other \\ud800\\u0041"}',
    '{"id": "e", "text": "one", "text": "two"}',
    '{"id": "f", "id": "g", "text": "dup id"}',
    '{"id": "h", "text": 5}',
    '{"id": "i", "text": null}',
    '{"id": "j", "text": ["a"]}',
    '{"id": "k"}',
    '{"text": "no id"}',
    '{"id": "", "text": "empty id"}',
    '{"id": true, "text": "bool id"}',
    '{"id": 1.5, "text": "float id"}',
    '{"id": -0, "text": "minus zero id"}',
    '{"id": "l", "text": ""}',
    '{"id": "m", "text": " \\n\\t\\u3000 "}',
    '{"id": "n", "text": "x", "v": NaN}',
    '{"id": "o", "text": "x", "v": 01}',
    '{"id": "p", "text": "x", "v": 1.}',
    '{"id": "q", "text": "x",}',
    '{"id": "r", "text": "x"} extra',
    '{"id": "s", "text": "x", "a": [1,]}',
    '{"id": "t", "text": "bad \\x escape"}',
    '{"id": "u", "text": "raw\ttab"}',
    '["id", "text"]',
    '"text"',
    '{"id": "v", "text": "x"',
    '{"id": "w\\u0000", "text": "NUL in id"}',
    '{"id": "x", "text": "x", "a": ' + "[" * 100 + "]" * 100 + "}",
    '{"id": "y", "text": "x", "big": ' + "9" * 1200 + "}",
    "\x0b",
    # cut short: the next line's "\n" comes where the value or the object goes on
    '{"id": "z1", "text": "unterminated',
    '{"id": "z2", "text": "backslash at the end \\',
    '{"id": "z3", "text": "half an escape \\u00',
    '{"id": "z4", "text": "x", "v": -',
    '{"id": "z5", "text": "x", "v": tru',
    '{"id": "z6", "text": "x", "v": 1e',
    '{"id": "z7", "text": "x", "v": [1, 2',
    '{"id": "z8", "text": "x", "v": {"a": 1',
    '{"id": "z9",',
    '"text": "the rest of the line above"}',
    '{"id": "z10", "text": "x"',
    '{"id": "z11", "text": "x", "v"',
]


def test_kernel_reads_accepted_lines_as_json_loads_does() -> None:
    got = _scan([s.encode("utf-8") for s in ACCEPTED])
    for line, (status, text, doc_id, _) in zip(ACCEPTED, got):
        rec = json.loads(line)
        assert status == OK, line
        assert text == rec["text"] and doc_id == str(rec["id"]), line


def test_kernel_declines_what_it_cannot_read_exactly() -> None:
    got = _scan([s.encode("utf-8") for s in DECLINED])
    assert [g[0] for g in got] == [DECLINE] * len(DECLINED), [s for s, g in zip(DECLINED, got) if g[0] != DECLINE]


def test_kernel_declines_invalid_utf8_and_keeps_blank_lines() -> None:
    bad = [b'{"id": "a", "text": "\xff"}', b'{"id": "b", "text": "\xed\xa0\x80 surrogate"}',
           b'{"id": "c", "text": "\xc3"}', b'{"id": "d", "text": "\xe1\x80"}', b'{"id": "e", "text": "\xc0\xaf overlong"}',
           b'{"id": "f", "text": "\xf4\x90\x80\x80 too high"}', b'{"id": "g", "text": "x", "\xe9": 1}']
    blank = [b"", b"   ", b"\r", b" \t \r"]
    got = _scan(bad + blank + [b'{"id": "h", "text": "\xf0\x9f\x98\x80 4-byte"}'])
    assert [g[0] for g in got] == [DECLINE] * len(bad) + [BLANK] * len(blank) + [OK]


def test_kernel_finds_the_date_value_and_ignores_unwanted_ids() -> None:
    lines = [b'{"id": "a", "d": "2017-01-02", "text": "x"}', b'{"d": {"y": [1]}, "text": "no id wanted"}',
             b'{"text": "no date", "id": 3}']
    got = _scan(lines, id_=None, date="d")
    assert [g[0] for g in got] == [OK, OK, OK]
    assert [g[2] for g in got] == ["", "", ""]  # the id is not wanted
    assert [g[3] for g in got] == [b'"2017-01-02"', b'{"y": [1]}', b""]


def test_python_whitespace_table_covers_every_code_point() -> None:
    """``jsonl_fast._SPACE`` holds ``str.isspace`` below U+3001; nothing above is a space."""
    assert not any(chr(c).isspace() for c in range(len(jsonl_fast._SPACE), 0x110000))
    assert jsonl_fast._SPACE.sum() == sum(chr(c).isspace() for c in range(len(jsonl_fast._SPACE)))


def _baomoi_lines(data_dir: Path, ascii_only: bool, n: int = 400) -> list[bytes]:
    files = sorted((data_dir / "baomoi").glob("*.txt"))[:n]
    return [json.dumps({"url": f"u/{f.stem}", "id": f.stem, "tags": {"text": ["x"]}, "text": f.read_text(encoding="utf-8")},
                       ensure_ascii=ascii_only).encode("utf-8") for f in files]


@pytest.mark.parametrize("ascii_only", [False, True])
def test_kernel_equals_json_loads_on_baomoi(data_dir: Path, ascii_only: bool) -> None:
    """Real articles written both as UTF-8 and as \\u escapes (surrogate pairs included)."""
    lines = _baomoi_lines(data_dir, ascii_only)
    got = _scan(lines)
    for line, (status, text, doc_id, _) in zip(lines, got):
        rec = json.loads(line)
        assert status == OK and text == rec["text"] and doc_id == rec["id"]


def _tricky_file(path: Path, data_dir: Path | None = None, unique: bool = False) -> Path:
    """A BOM line, the accepted and declined lines, blank, CRLF and bad UTF-8 lines, a
    repeated line (a duplicate id unless ``unique`` makes every id its own), Baomoi lines
    (the same articles as UTF-8 and as escapes), and a last line without a newline."""
    lines = [s.encode("utf-8") for s in DECLINED[:1] + ACCEPTED + DECLINED[1:]]
    lines += [b"", b"   ", b'{"id": "crlf", "text": "windows line"}\r', b'{"id": "bad", "text": "\xff"}']
    if data_dir is not None:
        lines += _baomoi_lines(data_dir, False, 60) + _baomoi_lines(data_dir, True, 60)[30:]
    lines.insert(6, lines[1])
    lines.append(b'{"id": "last", "text": "no newline"}')
    if unique:
        lines = [x.replace(b'"id": "', b'"id": "L%d-' % i, 1) for i, x in enumerate(lines)]
    path.write_bytes(b"\n".join(lines))
    return path


def _events(paths: list[str], fast: bool, size: int, **fields: Any) -> list[tuple[Any, ...]]:
    """Batches and ``on_bad`` calls in the order they happen, by either reader."""
    events: list[tuple[Any, ...]] = []

    def on_bad(e: InputError) -> None:
        events.append(("bad", str(e)))

    if fast:
        from overlap import dedup_io

        gen = dedup_io._fast_batches(paths, None, "utf-8", on_bad, (fields.get("text_field", "text"), fields.get("id_field", "id"),
                                     fields.get("date_field")), (), (None, ()))
        assert gen is not None
        for b in gen:
            texts = [b.cps[b.offsets[i] : b.offsets[i + 1]].tobytes().decode("utf-32-le", "surrogatepass") for i in range(len(b.ids))]
            events.append(("batch", b.ids.tolist(), texts, [x if not math.isnan(x) else None for x in b.dates.tolist()],
                           b.rows.tolist(), str(b.ids.dtype)))
    else:
        for items in batches(iter_records(paths, on_bad=on_bad, **fields), size):
            ids = np.array([x[0] for x in items], dtype=str)
            events.append(("batch", ids.tolist(), [x[1] for x in items], [x[2] if not math.isnan(x[2]) else None for x in items],
                           [x[3] for x in items], str(ids.dtype)))
    return events


@pytest.mark.parametrize("block", [64, 1 << 22])
def test_reader_gives_iter_records_records_rows_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """Every record, row, id dtype and ``on_bad`` message, in the same order relative to
    the batches, over two files; tiny blocks exercise lines longer than a block."""
    _kernel()
    monkeypatch.setattr(jsonl_fast, "_BLOCK", block)
    a = _tricky_file(tmp_path / "a.jsonl")
    b = tmp_path / "b.jsonl"
    b.write_bytes(b'{"id": 7, "text": "second file"}\n\n{"id": "b2", "text": "x"}\n')
    paths = [str(a), str(b)]
    monkeypatch.setattr(jsonl_fast, "codepoint_batches", _sized(jsonl_fast.codepoint_batches, 4))
    fast = _events(paths, True, 4)
    slow = _events(paths, False, 4)
    assert fast == slow
    assert sum(e[0] == "bad" for e in fast) > 20 and sum(len(e[1]) for e in fast if e[0] == "batch") > 20
    assert _events([str(b)], True, 4, id_field=None) == _events([str(b)], False, 4, id_field=None)


def _sized(f: Any, size: int) -> Any:
    def g(*a: Any, **k: Any) -> Any:
        return f(*a, **{**k, "size": size})
    return g


@pytest.mark.parametrize(("block", "size"), [(1 << 22, 4), (1 << 22, 7), (300, 3), (64, 5)])
def test_reader_takes_clean_blocks_in_place_across_batch_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, size: int
) -> None:
    """Blocks of good and blank lines only are decoded straight into the batch buffer;
    each batch boundary inside a block moves the block's remaining texts to the front.
    Same batches as the per-line reader, with a file mixing clean and tricky blocks."""
    _kernel()
    monkeypatch.setattr(jsonl_fast, "_BLOCK", block)
    monkeypatch.setattr(jsonl_fast, "codepoint_batches", _sized(jsonl_fast.codepoint_batches, size))
    lines = [json.dumps({"id": f"c{i}", "text": f"dòng {i} " + "chữ Việt " * (i % 9)}, ensure_ascii=False) for i in range(60)]
    lines[10:10] = ["", "   "]
    clean = tmp_path / "clean.jsonl"
    clean.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(lines[:30] + ['{"id": "bad", "text": 5}', '{"id": "s", "text": "\\ud83d\\ude00 slow? no"}']
                               + [x.replace('"c', '"m') for x in lines[30:]]) + "\n", encoding="utf-8")
    for paths in ([str(clean)], [str(clean), str(mixed)]):
        fast = _events(paths, True, size)
        assert fast == _events(paths, False, size)
        assert sum(len(e[1]) for e in fast if e[0] == "batch") == 60 * len(paths) + (len(paths) - 1)


def test_reader_dates_and_bad_dates_as_iter_records(tmp_path: Path) -> None:
    _kernel()
    p = tmp_path / "d.jsonl"
    p.write_text("\n".join([
        '{"id": "a", "text": "x", "date": "2017-01-02"}', '{"id": "b", "text": "y", "date": 1483351200.5}',
        '{"id": "c", "text": "z", "date": "yesterday"}', '{"id": "d", "text": "w"}',
        '{"id": "e", "text": "v", "date": null}', '{"id": "f", "text": "u", "date": "2017-01-02T08:00:00Z"}',
        '{"id": "g", "text": "t", "date": [1]}']) + "\n", encoding="utf-8")
    fast, slow = _events([str(p)], True, 4096, date_field="date"), _events([str(p)], False, 4096, date_field="date")
    assert fast == slow and [e[0] for e in fast] == ["bad", "bad", "batch"]


def test_long_line_and_duplicate_id_errors_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _kernel()
    monkeypatch.setattr(jsonl_fast, "MAX_BYTES", 50)
    monkeypatch.setattr("overlap.dedup_io.MAX_BYTES", 50)
    p = tmp_path / "long.jsonl"
    p.write_text('{"id": "a", "text": "short"}\n{"id": "b", "text": "' + "x" * 60 + '"}\n', encoding="utf-8")
    for jit in ("1", "0"):
        monkeypatch.setenv("OVERLAP_JIT", jit)
        with pytest.raises(InputError, match=r"long.jsonl:2: line longer than 50 bytes"):
            dedup_files([str(p)])
    d = tmp_path / "dup.jsonl"
    d.write_text('{"id": "a", "text": "one two"}\n{"id": "a", "text": "three"}\n', encoding="utf-8")
    for jit in ("1", "0"):
        monkeypatch.setenv("OVERLAP_JIT", jit)
        with pytest.raises(InputError, match="duplicate document id 'a'"):
            dedup_files([str(d)])


@pytest.mark.parametrize("on_bad", ["skip", "raise"])
def test_dedup_files_compiled_equals_python_path(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 on_bad: str) -> None:
    """Outputs, removal list, saved store and errors with the compiled reader and with
    ``OVERLAP_JIT=0`` (``json.loads`` per line), on Baomoi lines mixed with tricky ones."""
    _kernel()
    src = _tricky_file(tmp_path / "in.jsonl", data_dir, unique=on_bad == "skip")
    runs = {}
    for jit in ("1", "0"):
        monkeypatch.setenv("OVERLAP_JIT", jit)
        errors: list[str] = []
        out = tmp_path / jit
        out.mkdir()
        try:
            r = dedup_files([str(src)], str(out / "kept.jsonl"), removed=str(out / "removed.jsonl"),
                            save_signatures=str(out / "sigs"), on_bad=(lambda e: errors.append(str(e))) if on_bad == "skip" else None)
            runs[jit] = (r.removed, errors, (out / "kept.jsonl").read_bytes(), (out / "removed.jsonl").read_bytes())
        except InputError as e:
            runs[jit] = (str(e),)
    assert runs["1"] == runs["0"]
    if on_bad == "skip":
        assert len(runs["1"][1]) >= 15 and len(runs["1"][0]) >= 30  # bad lines; the Baomoi repeats
        one, zero = SignatureStore.load(tmp_path / "1" / "sigs"), SignatureStore.load(tmp_path / "0" / "sigs")
        for name in SignatureStore._ARRAYS:
            x, y = getattr(one, name), getattr(zero, name)
            assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), name  # bit for bit
    else:
        assert "duplicate document id" in runs["1"][0] or "must be a non-empty string" in runs["1"][0]


def test_not_used_for_other_encodings_or_kept_fields() -> None:
    assert jsonl_fast.usable("text", "id", None, "UTF8") == (load_kernels() is not None)
    assert not jsonl_fast.usable("text", "id", None, "utf-8-sig")
    assert not jsonl_fast.usable("text", "id", None, "latin-1")
    assert not jsonl_fast.usable("text", "id", None, "utf-8", ["title"])
    assert not jsonl_fast.usable("text", "text", None, "utf-8")
    assert not jsonl_fast.usable("text", "", None, "utf-8")


@pytest.mark.parametrize("jit", ["1", "0"])
def test_shingle_codepoints_equals_shingle_texts(data_dir: Path, monkeypatch: pytest.MonkeyPatch, jit: str) -> None:
    """``textpass.shingle_codepoints`` (what the reader's batches are signed with) equals
    ``shingle_texts`` of the decoded texts, compiled and numpy, with empty texts and texts
    the compiled pass declines (a combining mark: not NFC) among real articles."""
    from overlap.textpass import shingle_codepoints, shingle_texts

    monkeypatch.setenv("OVERLAP_JIT", jit)
    texts = [f.read_text(encoding="utf-8") for f in sorted((data_dir / "baomoi").glob("*.txt"))[:120]]
    texts[3:3] = ["", "Hoa\u0300 bi\u0300nh có dấu rời", " ", "x"]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).copy()
    flat, offs = shingle_codepoints(cps, offsets, 5)
    ref_flat, ref_offs = shingle_texts(texts, 5)
    assert np.array_equal(offs, ref_offs) and np.array_equal(flat, ref_flat) and offs[-1] > 10_000


@pytest.mark.parametrize("jit", ["1", "0"])
def test_shingle_codepoints_scratch_buffer_is_reused_with_the_same_results(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch, jit: str) -> None:
    """With ``scratch`` (dedup's reader keeps one for all its batches) the shingles are
    written into one reused buffer: each call's results equal a call without it, also
    when a later batch is larger than the buffer, or holds texts the compiled pass
    declines (their shingles are copied in), and with batches of one text each."""
    import overlap.textpass as T

    monkeypatch.setenv("OVERLAP_JIT", jit)
    texts = [f.read_text(encoding="utf-8") for f in sorted((data_dir / "baomoi").glob("*.txt"))[:90]]
    texts[5:5] = ["", "Hoa\u0300 bi\u0300nh có dấu rời", "x"]
    scratch: list[np.ndarray] = []
    seen = []
    for lo, hi, batch_chars in ((0, 10, T.BATCH_CHARS), (10, 93, T.BATCH_CHARS), (3, 8, 50), (0, 93, 1 << 30)):
        monkeypatch.setattr(T, "BATCH_CHARS", batch_chars)
        part = texts[lo:hi]
        offsets = np.zeros(len(part) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in part], out=offsets[1:])
        cps = np.frombuffer("".join(part).encode("utf-32-le"), dtype=np.uint32).copy()
        flat, offs = T.shingle_codepoints(cps, offsets, 5, scratch=scratch)
        ref_flat, ref_offs = T.shingle_codepoints(cps, offsets, 5)
        assert np.array_equal(offs, ref_offs) and np.array_equal(flat, ref_flat) and offs[-1] > 0
        assert len(scratch) == 1 and np.shares_memory(flat, scratch[0])
        assert not np.shares_memory(ref_flat, scratch[0])
        seen.append(scratch[0])
    assert seen[0] is not seen[1] and seen[2] is seen[1]  # grown once, then reused
