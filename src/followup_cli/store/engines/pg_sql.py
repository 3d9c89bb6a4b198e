"""SQLite's dialect as PostgreSQL reads it: small, named rules, each for one construct.

The stores write one SQL text, SQLite's; where a statement could be written once in
standard SQL that both engines accept, it is, in its concept's store. What is left is
SQLite-only and translated here, statement by statement (cached: a store's texts are
few and fixed). Each rule names the construct it handles; `translate` applies them in
order, outside string literals and quoted names.

Schema statements (CREATE TABLE, CREATE TRIGGER, DROP TRIGGER) have rules of their own
(`schema_statements`): SQLite's dynamic types become PostgreSQL's, an `id INTEGER
PRIMARY KEY` an identity column, a trigger body a PL/pgSQL function.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

# -- reading SQL: literals, calls and their arguments ---------------------------------


def _segments(sql: str) -> list[tuple[bool, str]]:
    """The text split into (is_code, piece): string literals '...' and quoted names
    "..." are not code, and no rule touches them."""
    out: list[tuple[bool, str]] = []
    i, start, n = 0, 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            if i > start:
                out.append((True, sql[start:i]))
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            out.append((False, sql[i : j + 1]))
            i = start = j + 1
            continue
        i += 1
    if start < n:
        out.append((True, sql[start:]))
    return out


def _on_code(sql: str, fn: Callable[[str], str]) -> str:
    return "".join(fn(piece) if code else piece for code, piece in _segments(sql))


def _closing(sql: str, open_at: int) -> int:
    """The index of the parenthesis closing the one at `open_at` (literals skipped)."""
    depth, i, quote = 0, open_at, ""
    while i < len(sql):
        ch = sql[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced parentheses in: {sql}")


def _arguments(inner: str) -> list[str]:
    """A call's arguments, split at its top-level commas."""
    args, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(inner):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(inner[start:i])
            start = i + 1
    args.append(inner[start:])
    return [a.strip() for a in args]


def _rewrite_calls(sql: str, name: str, fn: Callable[[list[str]], str | None]) -> str:
    """Each call `name(...)` (innermost first) replaced by fn(arguments), unless None."""
    pattern = re.compile(rf"(?<![\w.]){name}\s*\(", re.IGNORECASE)
    pos = 0
    while True:
        match = pattern.search(sql, pos)
        if match is None or not _is_code_at(sql, match.start()):
            if match is None:
                return sql
            pos = match.end()
            continue
        open_at = match.end() - 1
        close = _closing(sql, open_at)
        inner = _rewrite_calls(sql[open_at + 1 : close], name, fn)
        new = fn(_arguments(inner))
        if new is None:
            new = sql[match.start() : open_at + 1] + inner + ")"
        sql = sql[: match.start()] + new + sql[close + 1 :]
        pos = match.start() + len(new)


def _is_code_at(sql: str, index: int) -> bool:
    seen = 0
    for code, piece in _segments(sql):
        if seen + len(piece) > index:
            return code
        seen += len(piece)
    return True


# -- the rules --------------------------------------------------------------------------


def placeholders(sql: str) -> str:
    """`?` and `:name` parameters become psycopg's `%s` and `%(name)s`; a literal `%`
    is doubled (psycopg reads `%` as the start of a parameter)."""

    def code(piece: str) -> str:
        piece = piece.replace("%", "%%").replace("?", "%s")
        return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", piece)

    # (psycopg reads `%` inside literals too: doubled there as well.)
    return "".join(
        code(piece) if is_code else piece.replace("%", "%%") for is_code, piece in _segments(sql)
    )


def insert_or_ignore(sql: str) -> str:
    """INSERT OR IGNORE INTO ... → INSERT INTO ... ON CONFLICT DO NOTHING."""
    if not re.match(r"\s*INSERT\s+OR\s+IGNORE\s+INTO\b", sql, re.IGNORECASE):
        return sql
    sql = re.sub(r"INSERT\s+OR\s+IGNORE\s+INTO", "INSERT INTO", sql, count=1, flags=re.I)
    return sql.rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"


def indexed_by(sql: str) -> str:
    """`INDEXED BY name` (SQLite's planner hint) is dropped: PostgreSQL's planner has
    the statistics SQLite lacks."""
    return _on_code(sql, lambda s: re.sub(r"\s+INDEXED\s+BY\s+\w+", "", s, flags=re.I))


def schema_names(sql: str) -> str:
    """SQLite's schema names: `temp.t` is `pg_temp.t`, `main.t` is plain `t`."""

    def code(piece: str) -> str:
        piece = re.sub(r"(?<![\w.])temp\.(?=\w)", "pg_temp.", piece)
        return re.sub(r"(?<![\w.])main\.(?=\w)", "", piece)

    return _on_code(sql, code)


def null_safe_comparison(sql: str) -> str:
    """SQLite's `a IS NOT b` / `a IS b` between values: IS [NOT] DISTINCT FROM."""

    def code(piece: str) -> str:
        piece = re.sub(
            r"\bIS\s+NOT\s+(?!NULL\b|TRUE\b|FALSE\b|DISTINCT\b)", "IS DISTINCT FROM ", piece,
            flags=re.I,
        )  # fmt: skip
        return re.sub(
            r"\bIS\s+(?!NOT\b|NULL\b|TRUE\b|FALSE\b|DISTINCT\b)", "IS NOT DISTINCT FROM ", piece,
            flags=re.I,
        )  # fmt: skip

    return _on_code(sql, code)


def renamed_functions(sql: str) -> str:
    """Functions that differ only in name: ifnull → coalesce, LIKE → ILIKE (SQLite's LIKE
    ignores the case of ASCII letters)."""

    def code(piece: str) -> str:
        piece = re.sub(r"\bifnull\s*\(", "coalesce(", piece, flags=re.I)
        return re.sub(r"\bLIKE\b", "ILIKE", piece)

    return _on_code(sql, code)


def json_aggregation(sql: str) -> str:
    """json_group_array(x) → json_agg(x) as text (as SQLite gives it), '[]' over no rows."""
    return _rewrite_calls(
        sql,
        "json_group_array",
        lambda a: f"CAST(coalesce(json_agg({a[0]}), CAST('[]' AS json)) AS TEXT)",
    )


def json_building(sql: str) -> str:
    """json_object / json_array → json_build_object / json_build_array; a subquery's
    JSON text among their values is embedded as JSON, as SQLite embeds it."""

    def values(args: list[str]) -> str:
        return ", ".join(
            f"CAST({a} AS json)" if re.match(r"\(\s*SELECT\b", a, re.I) else a for a in args
        )

    sql = _rewrite_calls(sql, "json_object", lambda a: f"json_build_object({values(a)})")
    return _rewrite_calls(sql, "json_array", lambda a: f"json_build_array({values(a)})")


def json_each_ids(sql: str) -> str:
    """`SELECT value FROM json_each(x)` (a JSON array of ids) → the array's elements."""
    pattern = re.compile(r"SELECT\s+value\s+FROM\s+json_each\s*\(", re.I)
    while (match := pattern.search(sql)) is not None:
        close = _closing(sql, match.end() - 1)
        arg = sql[match.end() : close]
        sql = (
            sql[: match.start()]
            + f"SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST({arg} AS json))"
            " AS each_id(value)" + sql[close + 1 :]
        )
    return sql


def julian_days(sql: str) -> str:
    """julianday(x): the days since the Julian epoch, from x's UTC moment (the session's
    time zone is UTC, as SQLite reads a date without an offset)."""
    return _rewrite_calls(
        sql,
        "julianday",
        lambda a: (
            "(extract(epoch FROM CAST(CAST(" + a[0] + " AS TEXT) AS timestamptz))"
            " / 86400.0 + 2440587.5)"
        ),
    )


def scalar_min_max(sql: str) -> str:
    """SQLite's max(a, b, ...) and min(a, b, ...) of several values: greatest / least."""
    sql = _rewrite_calls(sql, "max", lambda a: f"greatest({', '.join(a)})" if len(a) > 1 else None)
    return _rewrite_calls(sql, "min", lambda a: f"least({', '.join(a)})" if len(a) > 1 else None)


def rounding(sql: str) -> str:
    """round(x, n): PostgreSQL rounds numeric to n places (not double precision)."""
    return _rewrite_calls(
        sql, "round", lambda a: f"round(CAST({a[0]} AS numeric), {a[1]})" if len(a) > 1 else None
    )


def totals(sql: str) -> str:
    """total(x): SQLite's float sum, 0.0 over no rows (a truth value counted as 1)."""
    return _rewrite_calls(
        sql,
        "total",
        lambda a: f"coalesce(sum(CAST(CAST({a[0]} AS numeric) AS double precision)), 0.0)",
    )


def group_concat(sql: str) -> str:
    """group_concat(x) → string_agg(x, ',')."""
    return _rewrite_calls(
        sql,
        "group_concat",
        lambda a: f"string_agg(CAST({a[0]} AS TEXT), {a[1] if len(a) > 1 else repr(',')})",
    )


def subquery_alias(sql: str) -> str:
    """A subquery in FROM or JOIN gets a name (SQLite lets it go unnamed)."""
    pattern = re.compile(r"\b(FROM|JOIN)\s*\(\s*(?=SELECT\b|WITH\b|VALUES\b)", re.I)
    pos, n = 0, 0
    while (match := pattern.search(sql, pos)) is not None:
        pos = match.end()
        if not _is_code_at(sql, match.start()):
            continue
        close = _closing(sql, sql.index("(", match.start()))
        rest = sql[close + 1 :]
        named = re.match(r"\s*(AS\b|(?!(?:WHERE|GROUP|ORDER|LIMIT|UNION|JOIN|LEFT|INNER|CROSS|"
                         r"ON|HAVING|EXCEPT|INTERSECT)\b)[A-Za-z_]\w*)", rest, re.I)  # fmt: skip
        if named is None:
            n += 1
            sql = sql[: close + 1] + f" AS sub{n}" + rest
    return sql


def cross_join_on(sql: str) -> str:
    """`CROSS JOIN t ON ...` (SQLite's way to fix the join order) is a plain JOIN."""
    return _on_code(
        sql,
        lambda s: re.sub(
            r"\bCROSS\s+JOIN\s+([\w.]+(?:\s+(?!ON\b)\w+)?)\s+ON\b", r"JOIN \1 ON", s, flags=re.I
        ),
    )


def in_table(sql: str) -> str:
    """SQLite's `x IN name` (a table or a WITH's name) is `x IN (SELECT * FROM name)`."""
    return _on_code(
        sql,
        lambda s: re.sub(
            r"\bIN\s+(?!\()([A-Za-z_][\w.]*)", r"IN (SELECT * FROM \1)", s, flags=re.I
        ),
    )


def date_modifier(sql: str) -> str:
    """date(x, '+N days' | '+N years' ...): the day x moved by the modifier, as text."""
    return _rewrite_calls(
        sql,
        "date",
        lambda a: "CAST(CAST(CAST(CAST(" + a[0] + " AS TEXT) AS date) + CAST(" + a[1]
        + " AS interval) AS date) AS TEXT)" if len(a) == 2 else None,
    )  # fmt: skip


def characters(sql: str) -> str:
    """char(a, b, ...): the characters of those code points, as one text."""
    return _rewrite_calls(sql, "char", lambda a: "(" + " || ".join(f"chr({x})" for x in a) + ")")


def value_type(sql: str) -> str:
    """typeof(x): the storage class SQLite names (integer, real, text, null)."""
    return _rewrite_calls(
        sql,
        "typeof",
        lambda a: (
            f"CASE WHEN {a[0]} IS NULL THEN 'null' ELSE CASE CAST(pg_typeof({a[0]}) AS"
            " TEXT) WHEN 'bigint' THEN 'integer' WHEN 'integer' THEN 'integer' WHEN 'smallint'"
            " THEN 'integer' WHEN 'double precision' THEN 'real' WHEN 'numeric' THEN 'real'"
            " WHEN 'bytea' THEN 'blob' ELSE 'text' END END"
        ),
    )


CATALOG = (
    "(SELECT 'table' AS type, table_name AS name, table_name AS tbl_name, NULL AS sql"
    " FROM information_schema.tables WHERE table_schema = current_schema()"
    " UNION ALL SELECT 'index', indexname, tablename, indexdef FROM pg_indexes"
    " WHERE schemaname = current_schema()"
    " UNION ALL SELECT 'trigger', t.tgname, c.relname, NULL FROM pg_trigger t"
    " JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal) AS sqlite_master"
)


def sqlite_master(sql: str) -> str:
    """A look-up in SQLite's catalog (sqlite_master: type, name, tbl_name, sql) reads
    the server's: its tables, indexes and triggers by name."""
    return _on_code(
        sql, lambda s: re.sub(r"\bFROM\s+(?:main\.)?sqlite_master\b", "FROM " + CATALOG, s)
    )


def types(sql: str) -> str:
    """SQLite's REAL is a double; CAST(x AS REAL) likewise."""
    return _on_code(sql, lambda s: re.sub(r"\bREAL\b", "DOUBLE PRECISION", s, flags=re.I))


def deferrable_references(sql: str) -> str:
    """A foreign key checked at once, as SQLite's, but deferrable: `db copy` writes
    tables that refer to each other (calls ↔ callbacks ↔ tickets) in one transaction
    with the checks at its end, as SQLite's PRAGMA defer_foreign_keys."""
    return _on_code(
        sql,
        lambda s: re.sub(
            r"(\bREFERENCES\s+\w+\s*\(\s*\w+\s*\))", r"\1 DEFERRABLE INITIALLY IMMEDIATE", s,
            flags=re.I,
        ),
    )  # fmt: skip


QUERY_RULES: tuple[Callable[[str], str], ...] = (
    sqlite_master,
    deferrable_references,
    insert_or_ignore,
    indexed_by,
    schema_names,
    null_safe_comparison,
    renamed_functions,
    json_aggregation,
    json_building,
    json_each_ids,
    julian_days,
    scalar_min_max,
    rounding,
    totals,
    group_concat,
    subquery_alias,
    cross_join_on,
    in_table,
    date_modifier,
    characters,
    value_type,
    types,
)


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """One SQLite statement as PostgreSQL reads it, parameters in psycopg's style."""
    for rule in QUERY_RULES:
        sql = rule(sql)
    return placeholders(sql)


# -- schema statements ------------------------------------------------------------------


NUMBERED = re.compile(r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b", re.I)


def column_types(sql: str) -> str:
    """CREATE TABLE's columns: INTEGER a BIGINT (SQLite's integers are 64-bit); REAL a
    double."""
    return deferrable_references(
        types(_on_code(sql, lambda s: re.sub(r"\bINTEGER\b", "BIGINT", s)))
    )


# The setting a write transaction's kind is told to the numbering triggers by (`SET
# LOCAL`): SHARED_WRITERS when writers on different customers run side by side.
WRITERS_SETTING = "followup.writers"
SHARED_WRITERS = "shared"


def sequence_of(table: str) -> str:
    return f"{table}_ids"


def row_numbering(table: str, natural_keys: Sequence[Sequence[str]] = ()) -> list[str]:
    """SQLite's `id INTEGER PRIMARY KEY`: a row inserted without an id gets the largest
    id + 1, as SQLite gives it, while one writer holds the write lock alone; beside
    other writers (a clerk's write on one customer: WRITERS_SETTING is SHARED_WRITERS)
    it takes the next value of the table's sequence instead, which the lone writer sets
    to the largest id + 1 before it commits (`sync_sequences`), so that writers side by
    side never take the same id. A row whose natural key (`natural_keys`: the table's
    unique constraints) is already taken takes no value (an upsert that updates, an
    insert refused as a duplicate: the id would be a gap SQLite does not leave); it is
    given a negative id no row has, never stored. A sequence behind the table (rows
    written by another program) is moved past its largest id first."""
    seq = sequence_of(table)
    taken = " OR ".join(
        "EXISTS (SELECT 1 FROM {t} WHERE {cond})".format(
            t=table, cond=" AND ".join(f"{c} = NEW.{c}" for c in key)
        )
        for key in natural_keys
    )
    shared = (
        f"IF {taken} THEN NEW.id := -1 - coalesce((SELECT max(id) FROM {table}), 0);"
        f" RETURN NEW; END IF; "
        if taken
        else ""
    )
    return [
        f"CREATE SEQUENCE IF NOT EXISTS {seq} OWNED BY {table}.id",
        f"CREATE OR REPLACE FUNCTION {table}_numbered_fn() RETURNS trigger LANGUAGE plpgsql"
        f" AS $$ DECLARE top bigint; BEGIN IF NEW.id IS NULL THEN"
        f" IF current_setting('{WRITERS_SETTING}', true) = '{SHARED_WRITERS}' THEN"
        f" {shared}NEW.id := nextval('{seq}'); top := (SELECT max(id) FROM {table});"
        f" IF NEW.id <= top THEN PERFORM setval('{seq}', top); NEW.id := nextval('{seq}');"
        f" END IF; ELSE NEW.id := coalesce((SELECT max(id) FROM {table}), 0) + 1; END IF;"
        f" END IF; RETURN NEW; END $$",
        f"DROP TRIGGER IF EXISTS {table}_numbered ON {table}",
        f"CREATE TRIGGER {table}_numbered BEFORE INSERT ON {table} FOR EACH ROW"
        f" EXECUTE FUNCTION {table}_numbered_fn()",
    ]


def sync_sequences(tables: Iterable[str]) -> str | None:
    """One statement setting each table's sequence to give its largest id + 1 next
    (the lone writer's last step before COMMIT), or None for no tables."""
    parts = [
        f"setval('{sequence_of(t)}', coalesce((SELECT max(id) FROM {t}), 0) + 1, false)"
        for t in sorted(tables)
    ]
    return "SELECT " + ", ".join(parts) if parts else None


TRIGGER = re.compile(
    r"\s*CREATE\s+TRIGGER\s+(?P<name>\w+)\s+(?P<when>BEFORE|AFTER)\s+(?P<events>.+?)\s+ON\s+"
    r"(?P<table>\w+)(?:\s+WHEN\s+(?P<cond>.+?))?\s+BEGIN\s+(?P<body>.+)\s+END\s*$",
    re.I | re.S,
)


def trigger_function(sql: str) -> list[str] | None:
    """A SQLite trigger as a PL/pgSQL function and the trigger that runs it per row;
    `SELECT RAISE(ABORT, 'why')` is RAISE EXCEPTION (SQLSTATE 23000, a constraint)."""
    match = TRIGGER.match(sql)
    if match is None:
        return None
    name, table = match["name"], match["table"]
    body = re.sub(
        r"SELECT\s+RAISE\s*\(\s*ABORT\s*,\s*('(?:[^']|'')*')\s*\)",
        r"RAISE EXCEPTION \1 USING ERRCODE = 'integrity_constraint_violation'",
        match["body"],
        flags=re.I,
    )
    body = null_safe_comparison(body).strip()
    if not body.endswith(";"):
        body += ";"
    back = (
        "RETURN NULL;"
        if match["when"].upper() == "AFTER"
        else "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"
    )
    cond = f" WHEN ({null_safe_comparison(match['cond'])})" if match["cond"] else ""
    return [
        f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS"
        f" $$ BEGIN {body} {back} END $$",
        f"CREATE TRIGGER {name} {match['when']} {match['events']} ON {table}"
        f" FOR EACH ROW{cond} EXECUTE FUNCTION {name}_fn()",
    ]


# A staged column named unlike any table's: what it holds.
STAGED_TYPES = {"primary": "bigint", "customer_code": "text", "amount": "double precision"}


def typed_columns(sql: str, known: dict[str, str]) -> str:
    """A temp table's untyped columns (SQLite's stage tables hold any value) typed as
    the tables' columns of the same name, else as STAGED_TYPES or text."""
    open_at = sql.index("(")
    close = _closing(sql, open_at)
    parts = []
    for column in _arguments(sql[open_at + 1 : close]):
        if re.fullmatch(r'"?\w+"?', column):
            name = column.strip('"')
            kind = STAGED_TYPES.get(name) or known.get(name) or "text"
            column = f"{column} {kind}"
        parts.append(column)
    return sql[: open_at + 1] + ", ".join(parts) + sql[close:]


REFERENCE = re.compile(r"\s+REFERENCES\s+(\w+)\s*\((\w+)\)", re.I)
CREATE_TABLE = re.compile(r"\s*CREATE\s+(?:TEMP\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.I)


def split_references(sql: str, known: set[str]) -> tuple[str, list[tuple[str, str, str]]]:
    """CREATE TABLE without the references to tables not created yet (SQLite allows
    them, PostgreSQL does not): those come back as (column, table, column), added once
    the table they refer to exists."""
    later: list[tuple[str, str, str]] = []

    def column_of(text: str, at: int) -> str:
        line = text[:at].rsplit(",", 1)[-1].rsplit("(", 1)[-1]
        return line.split()[0]

    out, pos = "", 0
    for match in REFERENCE.finditer(sql):
        target = match[1].lower()
        if target in known:
            continue
        out += sql[pos : match.start()]
        later.append((column_of(sql, match.start()), target, match[2]))
        pos = match.end()
    return out + sql[pos:], later
