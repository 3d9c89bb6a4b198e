"""Where a callback to plan is built: only the planner (domain/callbacks/planning.py)
constructs `Planned`; calls and tickets ask it for a retry or a ticket verification."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "followup_cli"


def planned_builders(root: Path = PACKAGE) -> set[str]:
    """The modules that call `Planned(...)` (under any import path)."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name == "Planned":
                    found.add(path.relative_to(root).as_posix())
    return found


def test_planned_callbacks_are_built_only_by_the_planner() -> None:
    assert planned_builders() == {"domain/callbacks/planning.py"}


def test_a_planned_built_elsewhere_is_found(tmp_path: Path) -> None:
    root = tmp_path / "followup_cli"
    root.mkdir()
    (root / "a.py").write_text("from x import Planned\n\nP = Planned(customer_id=1)\n")
    (root / "b.py").write_text("from x import store\n\nP = store.Planned(1)\n")
    (root / "c.py").write_text("class Planned:\n    pass\n")
    assert planned_builders(root) == {"a.py", "b.py"}
