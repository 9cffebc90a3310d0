"""List the source files and functions of ``src/overlap`` that are too long to read whole.

    python -m benchmarks.check_sizes [--lines 600] [--function-lines 80]

A file over ``--lines`` lines or a function (or method) over ``--function-lines`` lines is
printed with its size, longest first; the compiled numba kernels (``kernels*.py``,
``_align_jit.py``, ``_dedup_jit.py``) are left out of the function check, since a kernel
is one loop nest that splitting would slow down.  A function's length counts from its
``def`` (decorators excluded) to its last line, nested functions included; a nested
function is also listed on its own.  Exit status 0 always: this is a report, not a gate.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "overlap"
KERNELS = frozenset({
    "kernels.py", "kernels_dedup.py", "kernels_names.py", "kernels_segment.py", "kernels_stories.py", "kernels_text.py",
    "kernels_vocabulary.py", "_align_jit.py", "_dedup_jit.py",
})


def long_files(root: Path = SRC, limit: int = 600) -> list[tuple[int, str]]:
    """``(lines, path)`` of every ``.py`` file under ``root`` longer than ``limit`` lines."""
    out = []
    for p in sorted(root.rglob("*.py")):
        n = len(p.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append((n, str(p.relative_to(root.parent))))
    return sorted(out, reverse=True)


def long_functions(root: Path = SRC, limit: int = 80) -> list[tuple[int, str]]:
    """``(lines, "path:line qualified.name")`` of every function longer than ``limit`` lines."""
    out = []
    for p in sorted(root.rglob("*.py")):
        if p.name in KERNELS:
            continue
        tree = ast.parse(p.read_text(encoding="utf-8"), filename=str(p))
        rel = str(p.relative_to(root.parent))

        def visit(node: ast.AST, prefix: str) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    name = f"{prefix}{child.name}"
                    size = (child.end_lineno or child.lineno) - child.lineno + 1
                    if size > limit:
                        out.append((size, f"{rel}:{child.lineno} {name}"))
                    visit(child, name + ".")
                elif isinstance(child, ast.ClassDef):
                    visit(child, f"{prefix}{child.name}.")
                else:
                    visit(child, prefix)

        visit(tree, "")
    return sorted(out, reverse=True)


def main(argv: list[str]) -> int:
    lines = int(argv[argv.index("--lines") + 1]) if "--lines" in argv else 600
    flines = int(argv[argv.index("--function-lines") + 1]) if "--function-lines" in argv else 80
    files = long_files(limit=lines)
    funcs = long_functions(limit=flines)
    print(f"files over {lines} lines: {len(files)}")
    for n, name in files:
        print(f"  {n:5d}  {name}")
    print(f"functions over {flines} lines (numba kernels excluded): {len(funcs)}")
    for n, name in funcs:
        print(f"  {n:5d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
