"""Union-find over ``0..n-1``, for clusters of linked documents or overlapping spans.

``UnionFind(n)``: ``union(i, j)``, ``find(i)``, ``groups(min_size=2) -> list[list[int]]``.

Path halving and union by size: near-constant amortised time per operation.  Groups are
returned deterministically (members ascending, groups by their smallest member), so a
result never depends on the order the links arrived in.

>>> uf = UnionFind(5)
>>> uf.union(3, 1); uf.union(4, 3)
>>> uf.groups()
[[1, 3, 4]]
>>> uf.groups(min_size=1)
[[0], [1, 3, 4], [2]]
"""

from __future__ import annotations

__all__ = ["UnionFind"]


class UnionFind:
    """Disjoint sets of the integers ``0..n-1``."""

    __slots__ = ("_parent", "_size")

    def __init__(self, n: int) -> None:
        if n < 0:
            raise ValueError(f"n must be >= 0: {n!r}")
        self._parent = list(range(n))
        self._size = [1] * n

    def __len__(self) -> int:
        return len(self._parent)

    def find(self, i: int) -> int:
        """The representative of ``i``'s set."""
        parent = self._parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        """Merge the sets of ``i`` and ``j``."""
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return
        if self._size[ri] < self._size[rj]:
            ri, rj = rj, ri
        self._parent[rj] = ri
        self._size[ri] += self._size[rj]

    def groups(self, min_size: int = 2) -> list[list[int]]:
        """Sets of at least ``min_size`` members, each ascending, ordered by first member."""
        by_root: dict[int, list[int]] = {}
        for i in range(len(self._parent)):
            by_root.setdefault(self.find(i), []).append(i)
        return [g for g in by_root.values() if len(g) >= min_size]
