"""Who writes each table (STYLE.md: each concept's store is the only writer of its
tables), and where a callback to plan is built.

The scan reads every string literal and f-string of the package (docstrings aside) for
SQL that writes a table: INSERT [OR ...] INTO, REPLACE INTO, UPDATE, DELETE FROM,
whatever the case, naming a table the package creates (so that prose such as "update
SCHEMA_VERSION" in a message is not a write). An f-string's placeholders count as `{}`,
so a statement whose table is a placeholder is found too and must be owned under `{}`.
Writes to `temp.` tables (an import's staging) are scratch and not counted. The scan
cannot see SQL glued together from separate variables, nor sqlite-utils' table methods
(only the migrations use sqlite-utils); nobody should write it that way.

The map below is the decision: a new writer of a table is a line added here, in review.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "followup_cli"

# table -> the modules (paths inside the package) allowed to write it. The migrations
# own the schema and may rewrite any table in an upgrade; otherwise each table has one
# writer, its concept's module (an import's set-wise upserts are functions there too,
# called by transfer/writing.py with its temp stage table).
OWNERS: dict[str, set[str]] = {
    "_migrations": {"store/migrations.py"},  # (pg_schema.py through migrations.apply_steps)
    "anniversaries": {"domain/customers/anniversaries.py"},
    "calendar": {"support/workdays.py"},
    "callbacks": {"domain/callbacks/store.py", "store/migrations.py"},
    "calls": {"domain/calls/log.py"},
    "call_reviews": {"domain/calls/reviews.py"},
    "customer_history": {"domain/customers/history.py"},
    "contacts": {"domain/contacts/records.py"},
    "customers": {"domain/customers/records.py", "store/migrations.py"},
    # The due list's maintained state: marked by triggers (written in the migrations),
    # kept by its module.
    "due_dirty": {"domain/callbacks/due_summary.py", "store/migrations.py"},
    "due_reasons": {"domain/callbacks/due_summary.py"},
    "due_csv_lines": {"domain/callbacks/due_summary.py", "domain/callbacks/due_keeping.py"},
    "due_json_lines": {"domain/callbacks/due_summary.py", "domain/callbacks/due_keeping.py"},
    "due_table_lines": {"domain/callbacks/due_summary.py", "domain/callbacks/due_keeping.py"},
    "due_unlined": {"domain/callbacks/due_summary.py", "domain/callbacks/due_keeping.py"},
    "due_summary": {"domain/callbacks/due_summary.py"},
    "erasures": {"domain/privacy/erasure.py"},
    "escalations": {"domain/complaints/escalation_log.py", "store/migrations.py"},
    "warnings": {"domain/complaints/warning_store.py"},
    "events": {"domain/events/records.py"},
    "meta": {"store/meta.py"},
    "notices": {"domain/notify/outbox.py"},
    "staff": {"domain/staff/records.py"},
    "ticket_history": {"domain/complaints/tickets.py", "store/migrations.py"},
    "tickets": {"domain/complaints/tickets.py", "store/migrations.py"},
    # Erasure (PIPL Art. 47) replaces a person's values in the free text of every table
    # about the customer, as a migration rewrites rows: one module, its tables declared
    # in domain/privacy/scrub.py TEXTS. `db copy` writes a whole office into an empty
    # database (store/copying.py), every table as it was.
    "{}": {"domain/privacy/scrub.py", "store/copying.py"},
}

WRITE = re.compile(
    r"\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+"
    r"(?!(?:SET|ON|OF)\b)(?:main\.)?[\"`\[]?(temp\.)?([\w{}]+)",
    re.IGNORECASE,
)
CREATE = re.compile(r"\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"`\[]?(\w+)", re.IGNORECASE)


def literals(tree: ast.AST) -> list[str]:
    """Every string literal and f-string (placeholders as `{}`), docstrings left out."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    inside_fstrings = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in ast.walk(node)
        if part is not node
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in docstrings or id(node) in inside_fstrings:
            continue
        if isinstance(node, ast.JoinedStr):
            found.append(
                "".join(
                    v.value if isinstance(v, ast.Constant) else "{}"
                    for v in node.values
                    if isinstance(v, ast.Constant | ast.FormattedValue)
                )
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
    return found


def tables(root: Path = PACKAGE) -> set[str]:
    """The tables the package creates."""
    return {
        match.group(1).lower()
        for path in root.rglob("*.py")
        for text in literals(ast.parse(path.read_text(encoding="utf-8")))
        for match in CREATE.finditer(text)
    }


def writers(root: Path = PACKAGE) -> dict[str, set[str]]:
    """table (or `{}`, a placeholder) -> the modules whose SQL writes it."""
    known = tables(root) | {"{}"}
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        module = path.relative_to(root).as_posix()
        for text in literals(ast.parse(path.read_text(encoding="utf-8"))):
            for match in WRITE.finditer(text):
                table = match.group(2).lower()
                if match.group(1) is None and table in known:  # temp. tables are scratch
                    found.setdefault(table, set()).add(module)
    return found


def strays(root: Path = PACKAGE) -> dict[str, list[str]]:
    """table -> the modules that write it without owning it."""
    return {
        table: sorted(modules - OWNERS.get(table, set()))
        for table, modules in sorted(writers(root).items())
        if modules - OWNERS.get(table, set())
    }


def test_callbacks_are_written_only_by_their_store() -> None:
    assert writers().get("callbacks") == {"domain/callbacks/store.py", "store/migrations.py"}


def test_every_table_is_written_only_by_its_owners() -> None:
    assert strays() == {}


def test_every_table_has_owners_and_every_owner_writes() -> None:
    """The map lists exactly the tables the package creates, and no module in it has
    stopped writing its table (a stale owner would let a new writer in unseen)."""
    assert set(OWNERS) - {"{}"} == tables()
    assert writers() == OWNERS


def test_a_stray_writer_is_found(tmp_path: Path) -> None:
    """The scan can fail: lower case, INSERT OR REPLACE, REPLACE INTO, DELETE FROM, an
    f-string, a statement split over lines, a placeholder for the table; temp tables,
    docstrings, prose and UPDATE in a trigger or an upsert are not writes."""
    root = tmp_path / "followup_cli"
    (root / "domain" / "callbacks").mkdir(parents=True)
    (root / "schema.py").write_text(
        "".join(
            f'T{i} = "CREATE TABLE {name} (id INTEGER)"\n'
            for i, name in enumerate(("callbacks", "calls", "meta", "customers", "history"))
        )
    )
    (root / "domain" / "callbacks" / "store.py").write_text(
        'SQL = "UPDATE callbacks SET due_on = ?"\n'
    )
    (root / "a.py").write_text(
        '"""UPDATE callbacks in a docstring is prose."""\n'
        "def f(conn, table):\n"
        '    conn.execute("update callbacks set note = ?", ())\n'
        '    conn.execute(f"INSERT OR REPLACE INTO calls VALUES ({table})")\n'
        '    conn.execute(f"DELETE FROM {table} WHERE id = ?")\n'
        '    conn.execute(f"INSERT INTO temp.{table} VALUES (1)")\n'
        '    conn.execute("INSERT INTO meta (k) VALUES (1)"\n'
        '                 " ON CONFLICT (k) DO UPDATE SET v = 1")\n'
    )
    (root / "b.py").write_text(
        'SQL = (\n    "REPLACE INTO"\n    " customers (id) VALUES (1)"\n)\n'
        'TRIGGER = "CREATE TRIGGER t BEFORE UPDATE ON history BEGIN SELECT 1; END"\n'
        'assert True, "update SCHEMA_VERSION when you add a migration"\n'
    )
    assert writers(root) == {
        "callbacks": {"a.py", "domain/callbacks/store.py"},
        "calls": {"a.py"},
        "{}": {"a.py"},
        "meta": {"a.py"},
        "customers": {"b.py"},
    }
    assert strays(root) == {
        "callbacks": ["a.py"],
        "calls": ["a.py"],
        "customers": ["b.py"],
        "meta": ["a.py"],
        "{}": ["a.py"],
    }


# -- where a callback to plan is built ------------------------------------------------


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
