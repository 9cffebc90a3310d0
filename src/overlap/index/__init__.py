"""A persistent near-duplicate index in one SQLite file: add articles, ask "seen before?".

``Index(path, *, create=True, read_only=False, num_perm=None, seed=None, shingle_size=None, threshold=None)``
    Open (or create) the index file at ``path``.  ``None`` settings mean "the stored value"
    for an existing index and the defaults (128, 1, 5, 0.5) for a new one.  ``read_only``
    opens an existing index for ``query``/``stats`` without writing anything, so a
    read-only file or directory works.  SQLite errors (full disk, read-only file, damaged
    pages, tampered settings or texts) surface as one-line ``InputError``s.
``Index.add(documents, *, on_duplicate="replace", batch_size=500) -> AddReport``
    Add ``Document`` records, one transaction per batch.
``Index.query(text, *, top=10, min_similarity=0.0, passages=True) -> tuple[Match, ...]``
    Stored documents that share text with ``text``: exact scores, shared passages, conflicts.
``Index.stats() -> IndexStats``
    Document count, LSH and MinHash settings, file size, schema version.
``Index.remove(ids) -> RemoveReport``, ``Index.entries() -> Iterator[IndexEntry]``,
``Index.export(path) -> int``, ``Index.vacuum() -> tuple[int, int]``
    The lifecycle: delete documents (one transaction), list them, write them all as
    JSONL that ``add`` reads back, and give the space of deleted rows back to the disk.
``len(index)``, ``id in index``, ``Index.close()``, ``with Index(...) as index:``
``AddReport``, ``Match``, ``IndexStats``, ``RemoveReport``, ``IndexEntry``
    The frozen result records; each has ``to_dict()``.

What is stored.  Table ``meta`` holds the settings and the schema version; ``docs`` one
row per document (``id`` unique, ``origin``, length in characters, ``added_at`` in Unix
seconds, the ``uint32`` MinHash signature, its passage band keys so a replace can
delete their rows, and the text as zlib-compressed UTF-8); ``bands`` and ``passages`` map
LSH band keys to documents.

Two levels of LSH.  *Document* keys: the whole text's signature (``num_perm`` positions,
``overlap.signatures``) cut into ``bands x rows`` from ``overlap.lsh.optimal_params(threshold,
num_perm)``; they find near-duplicates (whole-text Jaccard around ``threshold`` and up).
*Passage* keys: the stored text is cut at sentence boundaries (``overlap.segment``) into
consecutive blocks of at least 3 sentences and 30 tokens; each block gets a 32-position
signature cut into 8 bands of 4 rows.  A query forms the block starting at *every* one
of its sentences, so any run of stored sentences long enough to contain a whole stored
block (3 to 5 sentences, depending on where the run starts), reused in an article that
adds, drops or rewrites the rest, is found even when the whole-text Jaccard is low: a
news agency's paragraphs inside a longer local story.  A block reused with one word in
20 changed (block Jaccard about 0.8) shares a given band with probability 0.8**4 = 0.41,
one of the 8 with 0.985.  Shorter reuse (one or two sentences) is reported only when the
document is found some other way; ``compare`` then shows every shared passage.

Band keys are unsigned 64-bit (``overlap.lsh.band_keys``); SQLite integers are signed, so
they are stored as the same 64 bits read as ``int64``.  ``band_keys`` mixes the band
number into the key, so one ``(key, doc)`` table per level needs no band column.

Writes.  WAL journal, ``synchronous=FULL`` (each committed batch is fsynced: it survives
power loss too, for one fsync per batch of 500), ``busy_timeout`` 30 s.  All hashing is
done before a batch's transaction opens (``BEGIN IMMEDIATE``), so the write lock is held
only for the inserts.  A process killed during ``add`` loses at most the batch in
flight; every committed batch is complete and the file opens and answers.  Two
processes adding at once take turns per batch.

Re-adding an id (``on_duplicate``): ``"replace"`` (default) deletes the old document and
its band keys and inserts the new one in the same transaction; ``"skip"`` keeps the old
one and counts the new one as skipped; ``"reject"`` commits every document before the
offending one, writes nothing from it on, and raises ``InputError`` naming the id.  The
same rules apply to an id repeated within one call.

Queries.  The query's band keys (one per document band, eight per sentence block) are
looked up in the B-trees: the cost is ``O((bands + 8 * sentences) log N)`` plus the
candidates found, never a scan of the index.  Candidates are ranked by the MinHash
estimate and the share of query blocks that hit them; the best ``max(4 * top, 40)`` are
verified exactly from their stored texts (``jaccard`` and ``containment`` are exact
shingle-set scores, the same as ``overlap.compare``), and the ``top`` best run through
``overlap.compare`` for shared passages and conflicting details.  Buckets holding more
than 1000 documents (boilerplate) are skipped.

Size.  About 4.9 KB per news article of 2,600 characters (3.4 KB of UTF-8) at the
defaults, measured on baomoi: the zlib-compressed text (about 1.4 KB, 42% of the UTF-8;
kept because passages, conflicts and exact scores need it), 512 bytes of signature, 25
document band rows and about 55 passage band rows (with their B-tree overhead).

Modules, in data-flow order: ``storage`` (schema, settings, opening, row writes),
``features`` (hashes of texts), ``core`` (the ``Index`` class and batched ``add``),
``query`` (lookups, ranking, verification), ``lifecycle`` (remove, list, export, vacuum),
``records`` (the result records).

>>> import tempfile, os
>>> from overlap.records import Document
>>> path = os.path.join(tempfile.mkdtemp(), "news.db")
>>> with Index(path) as index:
...     r = index.add([Document("a", "Ông Ryabkov nói cuộc gặp với phái đoàn Mỹ kéo dài 7,5 giờ tại Geneva.")])
...     [(m.id, m.jaccard) for m in index.query("Ông Ryabkov nói cuộc gặp với phái đoàn Mỹ kéo dài 7,5 giờ tại Geneva.")]
[('a', 1.0)]
"""

from __future__ import annotations

from .core import Index
from .records import AddReport, IndexEntry, IndexStats, Match, RemoveReport
from .storage import DEFAULTS, FORMAT, SCHEMA_VERSION

__all__ = [
    "DEFAULTS", "FORMAT", "SCHEMA_VERSION", "AddReport", "Index", "IndexEntry", "IndexStats", "Match", "RemoveReport",
]
