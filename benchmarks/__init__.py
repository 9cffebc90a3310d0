"""Benchmarks: ``python -m benchmarks.run`` (speed suite) and ``benchmarks.quality`` (quality suite).

Every module is importable and runs its own tables under a ``__main__`` guard; results go
to ``benchmarks/results/``.
"""
