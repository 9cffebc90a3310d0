"""Connected components on Spark executors (alternating large-star and small-star).

``star_components(edges, partitions, *, max_rounds=200) -> (stars, changes)``
    ``(node, smallest node of its component)`` rows of an edge RDD, computed on the executors.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["CHECKPOINT_EVERY", "star_components"]


CHECKPOINT_EVERY = 4
"""Rounds between lineage cuts in ``star_components``."""


def _large_star(u: int, neighbours: Iterable[int], changed: Any) -> list[tuple[int, int]]:
    """Large-star at ``u``: each strictly larger neighbour is linked to the smallest of ``u`` and its neighbours.

    Adds to ``changed`` the edges rewired: those from larger neighbours when ``u`` has a smaller one.
    """
    nb = set(neighbours)
    m = min(nb | {u})
    out = [(v, m) for v in nb if v > u]
    if m < u and out:
        changed.add(len(out))
    return out


def _small_star(u: int, smaller: Iterable[int], changed: Any) -> list[tuple[int, int]]:
    """Small-star at ``u``: ``u`` and its smaller neighbours are linked to the smallest of them.

    Adds to ``changed`` the edges rewired: all but the one to the smallest.
    """
    nb = set(smaller)
    m = min(nb)
    if len(nb) > 1:
        changed.add(len(nb) - 1)
    return [(v, m) for v in nb | {u} if v != m]


def star_components(edges: Any, partitions: int, *, max_rounds: int = 200) -> tuple[Any, list[int]]:
    """Connected components of an undirected graph, on the executors: ``(stars, changes)``.

    ``edges``: an RDD of ``(u, v)`` integer pairs (any orientation; repeats and
    self-loops are fine).  ``stars``: an RDD with one ``(node, root)`` per node that is
    not the smallest of its component, ``root`` being that smallest node (the root's
    own label is itself); persisted, the caller unpersists it.  ``changes``: the edges
    each round rewired, one entry per round; the last is 0.

    Alternating large-star and small-star (Kiveris, Lattanzi, Mirrokni, Rastogi and
    Vassilvitskii, "Connected Components in MapReduce and Beyond", SoCC 2014).  Edges
    are kept as ``(larger, smaller)``.  Large-star groups each node with all its
    neighbours and links every larger neighbour to the smallest node it sees;
    small-star groups each node with its smaller neighbours and links them and itself
    to the smallest.  Neither changes the components, and the graph converges to one
    star per component centred on its smallest node.  A round is those two shuffles
    in one Spark job; an accumulator counts the edges the round rewired, and the loop
    ends at the first round that rewires none (its output equals its input: a star
    forest).  A retried task can only over-count, so the zero test is safe.  Every
    ``CHECKPOINT_EVERY`` rounds the edge set is checkpointed (reliably when the
    SparkContext has a checkpoint directory, else ``localCheckpoint``) so the lineage
    Spark keeps, and would replay on a lost partition, stays short.

    Cost: O(log^2 n) rounds in the worst case, a handful in practice (counts in
    ``tests/test_spark.py``); each round shuffles the edge set twice (two 16-byte
    pairs per edge).  Only ``(node, component)`` pairs come back, never the graph.
    """
    from pyspark import StorageLevel

    sc = edges.context
    checkpoint_dir = sc.getCheckpointDir()
    cur = edges.filter(lambda e: e[0] != e[1]).map(lambda e: (max(e), min(e)))
    cur.persist(StorageLevel.MEMORY_AND_DISK)
    held = [cur]
    changes: list[int] = []
    while True:
        if len(changes) >= max_rounds:
            raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
        changed = sc.accumulator(0)
        nxt = (
            cur.flatMap(lambda e: (e, (e[1], e[0])))
            .groupByKey(partitions)
            .flatMap(lambda kv: _large_star(kv[0], kv[1], changed))   # (v, m), m < v: keyed by the larger end
            .groupByKey(partitions)
            .flatMap(lambda kv: _small_star(kv[0], kv[1], changed))
        )
        nxt.persist(StorageLevel.MEMORY_AND_DISK)
        if (len(changes) + 1) % CHECKPOINT_EVERY == 0:
            if checkpoint_dir:
                nxt.checkpoint()
            else:
                nxt.localCheckpoint()
        nxt.count()  # one job: both stars; fills the accumulator
        changes.append(int(changed.value))
        for rdd in held:
            rdd.unpersist()
        held, cur = [nxt], nxt
        if changes[-1] == 0:
            break
    # Converged: one star per component, exactly one edge (node, smallest node) per
    # non-root node (large-star emits each leaf once, small-star keys by the leaf).
    return cur, changes
