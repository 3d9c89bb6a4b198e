"""SQLite's dialect as PostgreSQL reads it: each named rule of store/engines/pg_sql.py on
the construct it handles (pure text: no server, no driver needed). What the server
makes of the results is tests/test_postgres.py's."""

from __future__ import annotations

import pytest

from followup_cli.store.engines import pg_sql


@pytest.mark.parametrize(
    ("sqlite", "postgres"),
    [
        ("SELECT ? WHERE a = :day", "SELECT %s WHERE a = %(day)s"),
        ("SELECT 'a?b:c%' WHERE x LIKE '%' || ?", "SELECT 'a?b:c%%' WHERE x ILIKE '%%' || %s"),
        ("SELECT 100 % 7", "SELECT 100 %% 7"),
    ],
)
def test_parameters_become_psycopgs_outside_literals(sqlite: str, postgres: str) -> None:
    assert pg_sql.translate(sqlite) == postgres


def test_insert_or_ignore_is_on_conflict_do_nothing() -> None:
    assert pg_sql.insert_or_ignore("INSERT OR IGNORE INTO t (a) VALUES (1)") == (
        "INSERT INTO t (a) VALUES (1) ON CONFLICT DO NOTHING"
    )


def test_planner_hints_and_schema_names_go() -> None:
    sql = "SELECT * FROM callbacks INDEXED BY callbacks_pending_due JOIN temp.stage s"
    assert pg_sql.schema_names(pg_sql.indexed_by(sql)) == (
        "SELECT * FROM callbacks JOIN pg_temp.stage s"
    )
    assert pg_sql.schema_names("UPDATE main.customers SET a = 1") == "UPDATE customers SET a = 1"


def test_is_and_is_not_between_values_are_null_safe() -> None:
    sql = "a IS NOT b OR c IS d OR e IS NULL OR f IS NOT NULL"
    assert pg_sql.null_safe_comparison(sql) == (
        "a IS DISTINCT FROM b OR c IS NOT DISTINCT FROM d OR e IS NULL OR f IS NOT NULL"
    )


def test_julianday_counts_days_from_the_utc_moment() -> None:
    out = pg_sql.julian_days("julianday(:on) - julianday(d.first_due)")
    assert "CAST(CAST(:on AS TEXT) AS timestamptz)" in out
    assert out.count("2440587.5") == 2


def test_json_functions_nest_as_sqlite_nests_them() -> None:
    out = pg_sql.translate(
        "SELECT json_group_array(json_object('id', k.id, 'events',"
        " (SELECT json_group_array(e.id) FROM events e)))"
    )
    assert out.startswith("SELECT CAST(coalesce(json_agg(json_build_object('id', k.id,")
    assert "CAST((SELECT CAST(coalesce(json_agg(e.id)" in out  # embedded as JSON


def test_scalar_min_and_max_are_least_and_greatest() -> None:
    assert pg_sql.scalar_min_max("max(a, 0) + min(b) + min(c, d, 3)") == (
        "greatest(a, 0) + min(b) + least(c, d, 3)"
    )


def test_round_total_and_group_concat() -> None:
    assert pg_sql.rounding("round(x * 2, 2)") == "round(CAST(x * 2 AS numeric), 2)"
    assert "coalesce(sum(" in pg_sql.totals("total(a = 1)")
    assert pg_sql.group_concat("group_concat(line)") == "string_agg(CAST(line AS TEXT), ',')"


def test_unnamed_subqueries_get_a_name_and_named_ones_keep_theirs() -> None:
    assert pg_sql.subquery_alias("SELECT count(*) FROM (SELECT 1 FROM t LIMIT 2)") == (
        "SELECT count(*) FROM (SELECT 1 FROM t LIMIT 2) AS sub1"
    )
    named = "SELECT * FROM (SELECT 1) d JOIN (SELECT 2) AS e ON true"
    assert pg_sql.subquery_alias(named) == named


def test_cross_join_on_and_in_a_table() -> None:
    assert pg_sql.cross_join_on("FROM b CROSS JOIN callbacks cb ON cb.x = b.x") == (
        "FROM b JOIN callbacks cb ON cb.x = b.x"
    )
    assert pg_sql.in_table("WHERE id NOT IN ch AND k IN (1, 2)") == (
        "WHERE id NOT IN (SELECT * FROM ch) AND k IN (1, 2)"
    )


def test_json_each_of_ids() -> None:
    out = pg_sql.json_each_ids("id IN (SELECT value FROM json_each(?))")
    assert out == (
        "id IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(? AS json))"
        " AS each_id(value))"
    )


def test_a_trigger_is_a_plpgsql_function_and_a_row_trigger() -> None:
    made = pg_sql.trigger_function(
        "CREATE TRIGGER calls_never_rewritten BEFORE UPDATE ON calls"
        " WHEN NEW.at IS NOT OLD.at BEGIN SELECT RAISE(ABORT, 'never rewritten'); END"
    )
    assert made is not None
    function, trigger = made
    assert "RAISE EXCEPTION 'never rewritten'" in function
    assert "RETURNS trigger LANGUAGE plpgsql" in function
    assert trigger == (
        "CREATE TRIGGER calls_never_rewritten BEFORE UPDATE ON calls FOR EACH ROW"
        " WHEN (NEW.at IS DISTINCT FROM OLD.at) EXECUTE FUNCTION calls_never_rewritten_fn()"
    )


def test_tables_types_and_references_not_yet_created() -> None:
    sql = (
        "CREATE TABLE calls (id INTEGER PRIMARY KEY, score REAL,"
        " callback_id INTEGER REFERENCES callbacks (id), customer_id INTEGER"
        " REFERENCES customers (id))"
    )
    text, later = pg_sql.split_references(sql, {"customers", "calls"})
    assert later == [("callback_id", "callbacks", "id")]
    typed = pg_sql.column_types(text)
    assert "id BIGINT PRIMARY KEY" in typed
    assert "score DOUBLE PRECISION" in typed
    assert "REFERENCES customers (id) DEFERRABLE INITIALLY IMMEDIATE" in typed
    assert pg_sql.NUMBERED.search(sql)


def test_untyped_stage_columns_take_the_tables_types() -> None:
    sql = 'CREATE TEMP TABLE s (line INTEGER PRIMARY KEY, "grade", "primary", "note")'
    assert pg_sql.typed_columns(sql, {"grade": "bigint"}) == (
        'CREATE TEMP TABLE s (line INTEGER PRIMARY KEY, "grade" bigint, "primary" bigint,'
        ' "note" text)'
    )


def test_sqlite_master_reads_the_servers_catalog() -> None:
    out = pg_sql.translate("SELECT name FROM sqlite_master WHERE type = 'table'")
    assert "information_schema.tables" in out
    assert out.endswith("AS sqlite_master WHERE type = 'table'")
