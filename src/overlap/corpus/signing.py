"""Signing: per document, its MinHash signature, passage-window band keys and event features.

``SignConfig.from_options(options) -> SignConfig``
    What a signing worker needs, built in one place for both engines.
``sign_batch(texts, config) -> Signed``
    Signatures, window band keys, name hashes, dates, sentence spans and rare-vocabulary
    terms of a batch.
``sign_and_pack(raw_texts, config) -> (Signed, compressed texts)``
    The same from UTF-8 bytes, plus each text compressed for the store.
``BATCH_DOCS``, ``BATCH_CHARS``
    How many documents (or characters) one signing call takes.

Runs in worker processes (local) or executors (Spark).  Linear in the text: normalising,
tokenising (one compiled pass from the raw text), sentence splitting, name phrases and
the MinHash kernels are compiled; dates are Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._arrays import unique
from ..codepoints import CodepointBatch
from ..lsh import band_keys
from ..normalization import NormText, normalize
from ..records import Span
from ..segment import sentences
from ..segment_fast import sentence_rows
from ..shingle import Tokens, shingles_many, tokenize_many
from ..signatures import SCAN_METHOD, signatures_from_shingles
from ..textpass import text_tokens
from ..vocabulary import terms_many
from .events import dates, hash64, name_hashes_many, name_phrases
from .options import ScanOptions
from .reworded import bag_keys, unit_bags
from .store import pack

__all__ = ["BATCH_CHARS", "BATCH_DOCS", "SignConfig", "Signed", "sign_and_pack", "sign_batch"]

BATCH_DOCS = 256
"""Documents per signing call (one compiled-kernel call per batch)."""
BATCH_CHARS = 1 << 20
"""Characters per signing call at most (a batch ends at whichever limit comes first)."""


@dataclass(frozen=True, slots=True)
class SignConfig:
    """The signing settings of a scan, as a worker receives them.

    ``k`` / ``pk``: document / passage shingle sizes; ``win`` / ``stride``: sentences per
    passage window and between window starts; ``pbands`` x ``prows``: the passage LSH;
    ``events``: whether to extract name phrases and dates; ``bag_rows``: rows per band of
    the reworded windows (``overlap.corpus.reworded``; 0: none).
    """

    num_perm: int
    seed: int
    k: int
    pk: int
    win: int
    stride: int
    min_tokens: int
    pnum_perm: int
    pbands: int
    prows: int
    events: bool
    bag_rows: int = 0

    @classmethod
    def from_options(cls, o: ScanOptions) -> SignConfig:
        """The signing settings of ``o``: the same for the local and Spark engines."""
        pbands, prows = o.passage_bands
        return cls(
            num_perm=o.num_perm, seed=o.seed, k=o.shingle_size, pk=o.passage_shingle_size,
            win=o.passage_sentences, stride=o.passage_stride, min_tokens=o.passage_min_tokens,
            pnum_perm=o.passage_num_perm, pbands=pbands, prows=prows, events=o.same_event,
            bag_rows=o.reworded_rows if o.reworded else 0,
        )


Signed = tuple[
    np.ndarray, np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray], list["np.ndarray | None"], list[np.ndarray]
]
"""``(doc_sigs, window_keys, window_doc, name_hashes, dates, sentences, vocabulary)``: see ``sign_batch``."""


def sign_batch(job: tuple[list[str], SignConfig]) -> Signed:
    """Signatures, window band keys and event features of a batch of texts.

    Returns ``(doc_sigs (n, num_perm) uint32, window_keys (m, pbands) uint64,
    window_doc (m,) int32 local index, name_hashes [n arrays uint64], dates [n arrays
    int16], sentences [n arrays (s, 2) int32 of sentence spans, or None when a text is too
    short to be split], vocabulary terms [n arrays uint32, ``overlap.vocabulary.terms``])``;
    ``compare`` reuses the sentences instead of splitting again.
    """
    texts, c = job
    doc_sh: list[np.ndarray] = []
    win_sh: list[np.ndarray] = []
    win_doc: list[int] = []
    bags: list[np.ndarray] = []
    bag_doc: list[int] = []
    names: list[np.ndarray] = []
    date_list: list[np.ndarray] = []
    k = c.k
    sents: list[np.ndarray | None] = [None] * len(texts)  # (start, end) rows, when split
    batch = CodepointBatch.of(texts)  # encoded once for the three compiled passes
    all_toks, views = _tokens(batch)
    all_sh = shingles_many([t.hashes for t in all_toks], k)
    all_psh = all_sh if c.pk == k else shingles_many([t.hashes for t in all_toks], c.pk)
    # Rare-vocabulary terms for story links (overlap.vocabulary): sampled word bigrams.
    all_bi = all_sh if k == 2 else all_psh if c.pk == 2 else shingles_many([t.hashes for t in all_toks], 2)
    vocab = terms_many(all_bi)
    all_rows = sentence_rows(batch)  # compiled; None: split each text in Python below
    all_names = name_hashes_many(batch) if c.events else None  # likewise
    for i, (text, view, toks) in enumerate(zip(texts, views, all_toks)):
        sh = all_sh[i]
        doc_sh.append(sh)
        n = len(toks)
        pk = c.pk
        if n >= max(c.min_tokens, pk):
            psh = all_psh[i]
            starts = toks.starts if view is None else view.orig_starts(toks.starts)
            if all_rows is None:
                rows = np.array([(s.start, s.end) for s in sentences(text)], dtype=np.int32).reshape(-1, 2)
            else:
                rows = all_rows[i]
            sents[i] = rows
            sent_starts = rows[:, 0].astype(np.int64)
            # Token index where each sentence starts; tokens before the first sentence
            # (none, normally) join it, and empty sentences collapse.
            b = unique(np.concatenate(([0], np.searchsorted(starts, sent_starts), [n])))
            b = b[b <= n]
            ns = len(b) - 1
            for s in range(0, max(1, ns - c.win + 1), c.stride):
                lo, hi = int(b[s]), int(b[min(s + c.win, ns)])
                if hi - lo >= c.min_tokens:
                    win_sh.append(psh[lo : hi - pk + 1])
                    win_doc.append(i)
            if c.bag_rows:
                got = unit_bags(text, [Span(a, b) for a, b in rows.tolist()])
                bags.extend(got)
                bag_doc.extend([i] * len(got))
        if c.events:
            if all_names is None:
                names.append(np.array(sorted({hash64(key) for key in name_phrases(text)}), dtype=np.uint64))
            else:
                names.append(all_names[i])
            date_list.append(np.array(sorted(dates(text)), dtype=np.int16))
        else:
            names.append(np.zeros(0, dtype=np.uint64))
            date_list.append(np.zeros(0, dtype=np.int16))
    sigs = signatures_from_shingles(doc_sh, num_perm=c.num_perm, seed=c.seed, method=SCAN_METHOD)
    if win_sh:
        wsig = signatures_from_shingles(win_sh, num_perm=c.pnum_perm, seed=c.seed, method=SCAN_METHOD)
        keys = band_keys(wsig, c.pbands, c.prows)
    else:
        keys = np.zeros((0, c.pbands), dtype=np.uint64)
    wdoc = np.array(win_doc, dtype=np.int32)
    if bags:  # reworded windows join their document's windows (the rows stay in document order)
        keys = np.concatenate([keys, bag_keys(bags, c.pbands, c.bag_rows, c.seed)])
        wdoc = np.concatenate([wdoc, np.array(bag_doc, dtype=np.int32)])
        order = np.argsort(wdoc, kind="stable")
        keys, wdoc = keys[order], wdoc[order]
    return sigs, keys, wdoc, names, date_list, sents, vocab


def _tokens(batch: CodepointBatch) -> tuple[list[Tokens], list[NormText | None]]:
    """Each text's tokens, and its normalised view where that does not keep the text's
    offsets (else None: the tokens' offsets are the text's).  Most texts take the compiled
    text pass (``overlap.textpass.text_tokens``); the rest are normalised in Python and
    tokenised in one compiled call.  Bit-identical to ``tokenize(normalize(t).text)``."""
    fast = text_tokens(batch)
    redo = [i for i, t in enumerate(fast) if t is None]
    views: list[NormText | None] = [None] * len(batch)
    slow = [normalize(batch.texts[i]) for i in redo]
    for i, v in zip(redo, slow):
        views[i] = v
    again = iter(tokenize_many([v.text for v in slow]))
    return [t if t is not None else next(again) for t in fast], views


def sign_and_pack(job: tuple[list[bytes], SignConfig]) -> tuple[Signed, list[bytes]]:
    """``sign_batch`` of texts sent as UTF-8 (``store.utf8``), plus their compressed bytes
    for the store (the worker compresses).

    Bytes, not ``str``: pickling a ``str`` makes CPython keep a UTF-8 copy inside the
    caller's string object for good (memory linear in the whole corpus)."""
    raw, c = job
    return sign_batch(([b.decode("utf-8", "surrogatepass") for b in raw], c)), [pack(b) for b in raw]
