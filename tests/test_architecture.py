"""The house rules of STYLE.md that a reader cannot hold in their head: no import cycle
inside the package (imports inside functions count: deferring an import hides a cycle,
it does not remove it), every import inside a function says why it is there, and no SQL
in the CLI or in the reports outside their query module."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "followup_cli"
NAME = "followup_cli"


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, ast.AST]]:
    """The package's modules that `name` imports, anywhere in its file, with the node."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != NAME and target != name and not name.startswith(target + "."):
                yield target, node


def cycles(known: dict[str, Path]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan)."""
    graph = {name: {t for t, _ in imports_of(name, path, known)} for name, path in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_package_has_no_import_cycle() -> None:
    assert cycles(modules()) == []


def test_a_cycle_hidden_in_a_function_is_found(tmp_path: Path) -> None:
    """The check above can fail: two modules importing each other, one of them inside a
    function, are a cycle."""
    root = tmp_path / NAME
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "a.py").write_text("from followup_cli.b import g\n\ndef f():\n    return g()\n")
    (root / "b.py").write_text("def g():\n    from followup_cli import a\n    return a\n")
    (root / "c.py").write_text("from . import a\n")
    assert cycles(modules(root)) == [["followup_cli.a", "followup_cli.b"]]


def uncommented_function_imports(root: Path = PACKAGE) -> list[str]:
    """Imports inside a function with no comment: on the line above the first import of a
    run of imports (blank lines between them allowed), or at the end of the line."""
    found = []
    for path in sorted(root.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for block in ast.walk(function):
                bodies = [getattr(block, name, None) for name in ("body", "orelse", "finalbody")]
                for body in [b for b in bodies if isinstance(b, list)]:
                    found.extend(_uncommented(body, lines, path, root))
    return sorted(set(found))


def _uncommented(body: list[ast.stmt], lines: list[str], path: Path, root: Path) -> list[str]:
    """The imports of one statement list without a reason beside them."""
    found = []
    first = None  # the first import of the current run
    for statement in body:
        if not isinstance(statement, ast.Import | ast.ImportFrom):
            first = None
            continue
        first = first or statement
        above = lines[first.lineno - 2].strip() if first.lineno > 1 else ""
        if above.startswith("#") or "#" in lines[statement.lineno - 1]:
            continue
        found.append(f"{path.relative_to(root.parent)}:{statement.lineno}")
    return found


def test_every_import_inside_a_function_says_why() -> None:
    assert uncommented_function_imports() == []


def test_an_import_inside_a_function_without_a_reason_is_found(tmp_path: Path) -> None:
    root = tmp_path / NAME
    root.mkdir()
    (root / "a.py").write_text(
        "def f():\n    import json\n    return json\n\n\n"
        "def g():\n    # only g needs it\n    import json\n\n    import csv\n    return csv, json\n\n\n"
        "def h():\n    import json  # start-up\n    return json\n\n\n"
        "def k(x):\n    if x:\n        pass\n    else:\n        import json\n"
        "    try:\n        pass\n    finally:\n        import csv\n"
        "    def inner():\n        import json\n    return inner\n"
    )
    assert uncommented_function_imports(root) == [
        f"{NAME}/a.py:2",
        f"{NAME}/a.py:23",
        f"{NAME}/a.py:27",
        f"{NAME}/a.py:29",
    ]


# SQL only in stores (issue 13): cli/ holds none, and domain/reports/ keeps its SQL in
# queries.py, the reports' side of the seam a second database engine will use.
SQL_CALLS = {"execute", "executemany", "executescript"}
SQL_TEXT = re.compile(
    r"\bSELECT\s+\S|\bINSERT\s+(OR\s+[A-Z]+\s+)?INTO\b|\bUPDATE\s+\S+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\bPRAGMA\s+[a-z_]+|\b(CREATE|DROP|ALTER)\s+(TEMP\s+|UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)\b"
    r"|\bBEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED)\b"
)


def sql_outside_stores(root: Path = PACKAGE) -> list[str]:
    """Calls of .execute/.executemany/.executescript and strings that read as SQL (an
    f-string read with its fields as `{}`), in cli/ and in domain/reports/ outside its
    query module."""
    places = [
        *sorted((root / "cli").rglob("*.py")),
        *sorted(p for p in (root / "domain" / "reports").rglob("*.py") if p.name != "queries.py"),
    ]
    found: list[tuple[str, int, str]] = []
    for path in places:
        where = str(path.relative_to(root.parent))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parts = {
            id(part)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        for node in ast.walk(tree):
            text = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in SQL_CALLS:
                    found.append((where, node.lineno, f".{node.func.attr}()"))
            elif isinstance(node, ast.JoinedStr):
                text = "".join(
                    str(part.value) if isinstance(part, ast.Constant) else "{}"
                    for part in node.values
                )
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = None if id(node) in parts else node.value
            if text is not None and SQL_TEXT.search(text):
                found.append((where, node.lineno, "SQL text"))
    return [f"{where}:{line}: {what}" for where, line, what in sorted(found)]


def test_no_sql_in_the_cli_or_in_reports_outside_their_queries() -> None:
    assert sql_outside_stores() == []


def test_sql_in_the_cli_or_a_report_is_found(tmp_path: Path) -> None:
    root = tmp_path / NAME
    (root / "cli").mkdir(parents=True)
    (root / "domain" / "reports").mkdir(parents=True)
    (root / "cli" / "a.py").write_text(
        'def f(conn):\n    return conn.execute("PRAGMA user_version").fetchone()[0]\n'
    )
    (root / "cli" / "b.py").write_text(
        'HELP = "Copy what is readable with `sqlite3 .recover`; select a file."\n'
        'QUERY = "SELECT name FROM staff"\n'
    )
    (root / "domain" / "reports" / "staff.py").write_text(
        "def g(conn, t):\n    return conn.executemany(f'UPDATE {t} SET x = ?', [])\n"
    )
    (root / "domain" / "reports" / "queries.py").write_text(
        'def h(conn):\n    return conn.execute("SELECT 1").fetchall()\n'
    )
    (root / "domain" / "customers.py").write_text(
        'def k(conn):\n    return conn.execute("SELECT 1").fetchall()\n'
    )
    assert sql_outside_stores(root) == [
        f"{NAME}/cli/a.py:2: .execute()",
        f"{NAME}/cli/a.py:2: SQL text",
        f"{NAME}/cli/b.py:2: SQL text",
        f"{NAME}/domain/reports/staff.py:2: .executemany()",
        f"{NAME}/domain/reports/staff.py:2: SQL text",
    ]
