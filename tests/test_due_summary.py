"""The due list as maintained state (issue 20, domain/callbacks/due_summary.py): the
ranking read from the summary equals the ranking from the callbacks alone, whatever was
written since, by whom, and whichever day, window and filter is asked for."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assertions import ok
from conftest import copy_office, open_db, sqlite_only
from due_queries import finish_callbacks_by_hand, ranked_rows

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]
TODAY = date(2026, 11, 23)
REASONS = ["event", "visit", "yearly", "holiday", "birthday", "second-level", "retry"]


def _connect(path: Path) -> sqlite3.Connection:
    conn = open_db(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def _session(conn: sqlite3.Connection, today: date, factors: dict[str, float] | None = None) -> Any:
    from followup_cli.domain.session import Session
    from followup_cli.support.config import load_config

    config = load_config(None)
    config["urgency"].update(factors or {})
    return Session(conn=conn, config=config, today=today, now=datetime(2026, 11, 23, 10))


COEFFICIENTS = st.sampled_from([0.0, 0.25, 1.0, 2.75, 0.333, 1.1, 0.07, -0.5])


WRITES = st.lists(
    st.one_of(
        st.tuples(
            st.just("add"),
            st.integers(1, 6),  # customer
            st.integers(-45, 10),  # due, days from today
            st.sampled_from(REASONS),
            st.integers(0, 3),  # attempts
        ),
        st.tuples(
            st.just("customer"),
            st.integers(1, 6),  # customer
            st.sampled_from(["grade", "unreachable", "archived", "ticket"]),
            st.integers(1, 5),
            st.just(0),
        ),
        st.tuples(
            st.just("change"),
            st.integers(0, 40),  # which pending callback (by position)
            st.sampled_from(["done", "cancelled", "later", "earlier", "attempt", "book"]),
            st.just(0),
            st.just(0),
        ),
    ),
    max_size=10,
)


def _write(conn: sqlite3.Connection, writes: list[tuple[Any, ...]], tag: str) -> None:
    """Writes straight to the callbacks, as any writer might (the triggers mark them)."""
    for n, (kind, a, b, c, d) in enumerate(writes):
        if kind == "add":
            level = 2 if b == "second-level" else 1
            conn.execute(
                "INSERT OR IGNORE INTO callbacks (customer_id, due_on, reason, source, plan_key,"
                " level, status, attempts, planned_on, created_at, updated_at, assignee, role)"
                " VALUES (?, ?, ?, 'rule', ?, ?, 'pending', ?, '2026-11-01', 'x', 'x', ?, ?)",
                (a, (TODAY + timedelta(days=b)).isoformat(), c, f"{tag}{n}", level, d,
                 "李娜" if b % 2 else "王芳", "clerk" if b % 3 else "service"),
            )  # fmt: skip
            continue
        if kind == "customer":
            if b == "ticket":  # a complaint opened, or one closed again
                conn.execute(
                    "UPDATE tickets SET customer_id = ? WHERE id = (SELECT min(id) FROM tickets)",
                    (a,),
                )
                continue
            value = c if b == "grade" else c % 2
            conn.execute(f"UPDATE customers SET {b} = ? WHERE id = ?", (value, a))
            continue
        ids = [r[0] for r in conn.execute("SELECT id FROM callbacks WHERE status = 'pending'")]
        if not ids:
            continue
        cb = ids[a % len(ids)]
        change = {
            "done": "status = 'done'",
            "cancelled": "status = 'cancelled'",
            "later": "due_on = date(due_on, '+3 days')",
            "earlier": "due_on = date(due_on, '-20 days')",
            "attempt": "attempts = attempts + 1",
            "book": "appointment_at = date(due_on) || 'T09:30:00+08:00'",
        }[b]
        conn.execute(f"UPDATE callbacks SET {change} WHERE id = ?", (cb,))


@sqlite_only("writes rows straight with sqlite3, foreign keys off")
@given(
    before=WRITES,
    settled=st.booleans(),
    after=WRITES,
    summary_day=st.integers(-5, 5),
    on=st.integers(-40, 40),
    days=st.sampled_from([0, 0, 1, 3, 14]),
    factors=st.fixed_dictionaries(
        {name: COEFFICIENTS for name in ("overdue_day", "grade", "open_ticket", "unreachable")}
    ),
    filters=st.fixed_dictionaries(
        {
            "staff": st.sampled_from([None, None, "李娜"]),
            "role": st.sampled_from([None, None, "service"]),
            "grade": st.sampled_from([None, None, 2]),
            "overdue": st.booleans(),
            "limit": st.sampled_from([None, 1, 3, 20000]),
        }
    ),
)
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_ranking_from_the_summary_is_the_ranking_from_the_callbacks(
    office_template: Path, tmp_path: Path, before: list[tuple[Any, ...]], settled: bool,
    after: list[tuple[Any, ...]], summary_day: int, on: int, days: int,
    factors: dict[str, float], filters: dict[str, Any],
) -> None:  # fmt: skip
    """Random writes before and after the summary is rolled to a random day, settled or
    not; then any day (up to 40 away: in and out of the summary's reach), window and
    filter ranks the same rows, in the same order, with the same values."""
    from followup_cli.domain.callbacks import due_summary
    from followup_cli.domain.callbacks.due import DueFilter, ranking_sql

    path = tmp_path / f"s-{abs(hash((str(before), settled, str(after), summary_day, on)))}.db"
    path = copy_office(office_template, path)
    conn = _connect(path)
    try:
        s = _session(conn, TODAY, factors)
        _write(conn, before, "b")
        day = TODAY + timedelta(days=summary_day)
        conn.execute("BEGIN IMMEDIATE")
        due_summary.roll(conn, s.config, day)
        conn.execute("COMMIT")
        if settled:
            from dataclasses import replace

            from followup_cli.domain.callbacks.due_keeping import tidy

            tidy(replace(s, today=day), None)
        _write(conn, after, "a")
        flt = DueFilter(on=TODAY + timedelta(days=on), days=days, **filters)
        summary = due_summary.summary_of(conn, s.config)
        assert summary is not None and summary.day == day
        kept = ranked_rows(conn, *ranking_sql(s, flt, summary=summary))
        live = ranked_rows(conn, *ranking_sql(s, flt, plain=True))
        assert kept == live
        for fmt in ("csv", "json"):
            assert _printed(s, flt, fmt, kept=True) == _printed(s, flt, fmt, kept=False)
    finally:
        conn.close()


def _printed(s: Any, flt: Any, fmt: str, *, kept: bool) -> list[str]:
    """The lines a full csv or json list prints for `flt`: with the kept lines where the
    summary has them, or every row made (DueEntry)."""
    import json as json_module

    from followup_cli.domain.callbacks.due import DueEntries
    from followup_cli.domain.callbacks.due_text import ReasonText, csv_cells
    from followup_cli.render.csv_writer import line_text
    from followup_cli.support.controls import json_visible
    from followup_cli.support.i18n import english

    encode = json_module.JSONEncoder(ensure_ascii=False).encode
    entries = DueEntries(s, flt, counted=False, messages=False)
    printed = []
    with english():
        reasons = ReasonText()
        for e in entries.items(fmt if kept else None):
            if isinstance(e, str):
                printed.append(e)
            elif fmt == "csv":
                printed.append(line_text(csv_cells(e, reasons)))
            else:
                printed.append(json_visible(encode(e.record(False))))
    return printed


def test_every_write_through_followup_keeps_the_summary_settled(
    office: Run, rows: Rows, db_path: Path
) -> None:
    """After `due` has rolled the summary, a clerk's call and an event leave no
    marks behind: each is settled in its own transaction, and the summary's rows are
    what the callbacks say."""
    ok(office("due"))
    assert rows("SELECT count(*) AS n FROM due_dirty")[0]["n"] == 0
    summarised = rows("SELECT count(*) AS n FROM due_summary")[0]["n"]
    assert summarised > 0
    ok(office("log-call", "C001", "-o", "reached", "--by", "李娜", "--at", "2026-11-23 09:00"))
    ok(office("event", "add", "C002", "--kind", "service", "--date", "2026-11-20", "--ref", "R1"))
    assert rows("SELECT count(*) AS n FROM due_dirty")[0]["n"] == 0
    conn = _connect(db_path)
    try:
        from followup_cli.domain.callbacks import due_summary

        s = _session(conn, TODAY)
        expected = {
            r["customer_id"]: (r["first_due"], r["n"])
            for r in conn.execute(
                "SELECT customer_id, min(due_on) AS first_due, count(*) AS n FROM callbacks"
                " WHERE status = 'pending' AND due_on <= ? AND NOT (reason IN"
                " ('holiday', 'birthday') AND due_on < ?) GROUP BY customer_id",
                (TODAY.isoformat(), (TODAY - timedelta(days=3)).isoformat()),
            )
        }
        found = {
            r["customer_id"]: (r["first_due"], r["n"])
            for r in conn.execute("SELECT customer_id, first_due, n FROM due_summary")
        }
        assert found == expected
        assert due_summary.summary_of(conn, s.config) == due_summary.Summary(TODAY)
    finally:
        conn.close()


def test_a_write_from_outside_is_ranked_live_until_settled(
    office: Run, rows: Rows, db_path: Path
) -> None:
    """A callback changed with the sqlite3 shell (no followup code ran) is marked by the
    trigger; `due` shows it at once, and settles it."""
    ok(office("due"))
    first = json.loads(ok(office("due", "--format", "json")).stdout)
    code = first[0]["customer"]["code"]
    finish_callbacks_by_hand(db_path, code)
    assert rows("SELECT count(*) AS n FROM due_dirty")[0]["n"] == 1
    then = json.loads(ok(office("due", "--format", "json")).stdout)
    assert code not in {row["customer"]["code"] for row in then}
    assert [r for r in first if r["customer"]["code"] != code] == then
    assert rows("SELECT count(*) AS n FROM due_dirty")[0]["n"] == 0


def test_changed_rules_rebuild_the_summary(office: Run, rows: Rows, tmp_path: Path) -> None:
    """Other reason weights make the summary's rows unusable: the list is ranked live,
    right at once, and the summary built again under the new rules."""
    ok(office("due"))
    stamp = rows("SELECT value FROM meta WHERE key = 'due_summary'")[0]["value"]
    config = tmp_path / "weights.toml"
    config.write_text("[urgency.reason]\nvisit = 9.0\n", encoding="utf-8")
    plain = json.loads(ok(office("--config", str(config), "due", "--format", "json")).stdout)
    again = json.loads(ok(office("--config", str(config), "due", "--format", "json")).stdout)
    assert plain == again
    assert rows("SELECT value FROM meta WHERE key = 'due_summary'")[0]["value"] != stamp
    visits = [r for r in plain if any(x["reason"] == "visit" for x in r["reasons"])]
    assert visits and all(r["urgency"] >= 9.0 for r in visits)


@sqlite_only("reads SQLite's query plan")
def test_the_clerks_screen_reads_the_summary_not_every_callback(office: Run, db_path: Path) -> None:
    """`due --limit N` on the summary's day reads the summary's candidates in index
    order (due.candidates) and callbacks only through indexes: never a whole table."""
    from followup_cli.domain.callbacks import due_summary
    from followup_cli.domain.callbacks.due import DueFilter, ranking_sql

    ok(office("due"))
    conn = _connect(db_path)
    try:
        s = _session(conn, TODAY)
        sql, params = ranking_sql(
            s, DueFilter(on=TODAY, limit=50), summary=due_summary.summary_of(conn, s.config)
        )
        steps = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    finally:
        conn.close()
    plan = " | ".join(steps)
    assert "SCAN s USING COVERING INDEX due_summary_base" in steps, plan
    assert "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)" in steps, plan  # the candidates
    # Callbacks (cb, p, x) only through an index, never scanned whole.
    assert not [step for step in steps if step.startswith(("SCAN cb", "SCAN p", "SCAN x"))], plan
    assert "SCAN callbacks" not in plan, plan


def test_a_large_import_is_settled_after_its_write_in_batches(
    office: Run, rows: Rows, db_path: Path, tmp_path: Path
) -> None:
    """An import that marks more customers than one transaction settles (2,100 new
    customers, each with callbacks planned) leaves no marks once it is done: they are
    settled after its write, in batches; and the list from the summary is the live one."""
    from followup_cli.domain.callbacks import due_summary
    from followup_cli.domain.callbacks.due import DueFilter, ranking_sql

    ok(office("due"))
    many = due_summary.SETTLE_IN_WRITE + 100
    lines = ["code,name,grade,phone"] + [
        f"N{n:05d},测试客户{n},{1 + n % 5},1380000{n:04d}" for n in range(many)
    ]
    csv_file = tmp_path / "many.csv"
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ok(office("import", "customers", str(csv_file)))
    assert rows("SELECT count(*) AS n FROM due_dirty")[0]["n"] == 0
    conn = _connect(db_path)
    try:
        s = _session(conn, TODAY)
        summary = due_summary.summary_of(conn, s.config)
        assert summary is not None
        for days in (0, 45):
            flt = DueFilter(on=TODAY, days=days, limit=30)
            kept = ranked_rows(conn, *ranking_sql(s, flt, summary=summary))
            assert kept == ranked_rows(conn, *ranking_sql(s, flt, plain=True))
        new = rows(
            "SELECT count(*) AS n FROM due_summary s JOIN customers c ON c.id = s.customer_id"
            " WHERE c.code LIKE 'N%'"
        )[0]["n"]
        assert new == len(
            rows(
                "SELECT DISTINCT cb.customer_id FROM callbacks cb JOIN customers c"
                " ON c.id = cb.customer_id WHERE c.code LIKE 'N%' AND cb.status = 'pending'"
                " AND cb.due_on <= ?",
                TODAY.isoformat(),
            )
        )
    finally:
        conn.close()


def test_a_dropped_trigger_is_restored_by_init_and_the_summary_built_again(
    office: Run, rows: Rows, db_path: Path
) -> None:
    """With a summary trigger dropped (sqlite3), a change to a callback goes unmarked:
    `db check` names the missing trigger, and `init` restores it and drops the summary,
    so the next `due` builds it again and shows the change."""
    ok(office("due"))
    first = json.loads(ok(office("due", "--format", "json")).stdout)
    code = first[0]["customer"]["code"]
    conn = open_db(db_path)
    conn.execute("DROP TRIGGER callbacks_due_changed")
    conn.commit()
    conn.close()
    finish_callbacks_by_hand(db_path, code)
    assert rows("SELECT count(*) AS n FROM due_dirty")[0]["n"] == 0  # unmarked
    check = office("db", "check")
    assert check.exit_code == 1 and "callbacks_due_changed" in check.output
    ok(office("init"))
    assert rows("SELECT count(*) AS n FROM meta WHERE key = 'due_summary'")[0]["n"] == 0
    then = json.loads(ok(office("due", "--format", "json")).stdout)
    assert [r for r in first if r["customer"]["code"] != code] == then


def _many_due(office: Run, db_path: Path, tmp_path: Path, n: int) -> None:
    """`n` more customers (K0000...) due today, each with one event callback."""
    names = ["code,name,grade,phone"] + [
        f'K{i:04d},"=SUM(1),客户{i}",{1 + i % 5},1380000{i:04d}' for i in range(n)
    ]
    csv_file = tmp_path / "kept.csv"
    csv_file.write_text("\n".join(names) + "\n", encoding="utf-8")
    ok(office("import", "customers", str(csv_file)))
    conn = open_db(db_path)
    conn.execute(
        "INSERT INTO callbacks (customer_id, due_on, reason, source, plan_key, level, status,"
        " attempts, planned_on, created_at, updated_at, detail)"
        " SELECT id, '2026-11-20', 'event', 'rule', 'kept-' || id, 1, 'pending', id % 3,"
        " '2026-11-01', 'x', 'x', '换油, \"保养\"' FROM customers WHERE code LIKE 'K%'"
    )
    conn.commit()
    conn.close()


@sqlite_only("compares with a read-only copy of the file, made without a summary")
def test_the_kept_lines_print_what_the_rows_would(
    office: Run, rows: Rows, db_path: Path, tmp_path: Path
) -> None:
    """A full list long enough for one JSON record a line (250 customers due), printed
    from the lines the summary keeps, is byte for byte the list made row by row (the
    lines dropped), in csv, json and the plain table (in English and in Chinese), on the
    summary's day and a week later."""
    _many_due(office, db_path, tmp_path, 250)
    conn = sqlite3.connect(db_path)
    # Rows with a mark, a booked time and a wide cell (the table's widths are kept too).
    conn.execute("UPDATE customers SET unreachable = 1 WHERE code IN ('K0003', 'K0007')")
    conn.execute(
        "UPDATE callbacks SET appointment_at = '2026-11-24T02:30:00+00:00',"
        " appointment_place = '济南项目部工地' WHERE plan_key IN ('kept-5', 'kept-9')"
    )
    conn.commit()
    conn.close()
    kinds = {
        "csv": (["--format", "csv"], {}),
        "json": (["--format", "json"], {}),
        "table": (["--format", "table"], {}),
        "表格": (["--format", "table"], {"FOLLOWUP_LANGUAGE": "zh_CN"}),
    }
    outputs = {}
    for today in ("2026-11-23", "2026-11-30"):
        for kind, (args, env) in kinds.items():
            ok(office("due", *args, today=today, env=env))  # (settles, keeps lines)
            assert rows("SELECT count(*) AS n FROM due_json_lines")[0]["n"] >= 250
            assert rows("SELECT count(*) AS n FROM due_table_lines")[0]["n"] >= 500
            outputs[True, today, kind] = ok(office("due", *args, today=today, env=env)).stdout
    # The same lists made row by row: on a read-only copy without a summary (nothing is
    # rolled or kept there).
    plain = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain)
    conn = sqlite3.connect(plain)
    conn.execute("DELETE FROM meta WHERE key = 'due_summary'")
    conn.commit()
    conn.close()
    plain.chmod(0o400)
    for today in ("2026-11-23", "2026-11-30"):
        for kind, (args, env) in kinds.items():
            made = office("due", *args, today=today, db=plain, env=env)
            outputs[False, today, kind] = ok(made).stdout
    for key, text in outputs.items():
        if key[0]:
            assert text == outputs[False, key[1], key[2]], key
    assert len(json.loads(outputs[True, "2026-11-23", "json"])) > 250
    assert '"\'=SUM(1),客户1"' in outputs[True, "2026-11-23", "csv"]  # neutralised, quoted
    table = outputs[True, "2026-11-23", "表格"]
    assert "=SUM(1),客户1 " in table and "11-24 10:30" in table and " !" in table


def test_a_kept_line_removed_by_hand_is_made_again(office: Run, db_path: Path) -> None:
    """Lines deleted with the sqlite3 shell (the summary still counting them as kept)
    are made from the callbacks when listed: the same output, no crash."""
    ok(office("due"))
    before = ok(office("due", "--format", "csv")).stdout
    conn = open_db(db_path)
    removed = conn.execute("DELETE FROM due_csv_lines").rowcount
    conn.commit()
    conn.close()
    assert removed > 0
    assert ok(office("due", "--format", "csv")).stdout == before


def test_kept_lines_follow_a_config_change_they_depend_on(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    """The kept lines carry the tier of each grade: a config that changes the tiers is
    printed at once, in csv and json (not the lines kept under the old config), and the
    old config's lists come back with it."""
    import csv
    import io

    ok(office("due"))
    before = {fmt: ok(office("due", "--format", fmt)).stdout for fmt in ("csv", "json")}
    assert rows("SELECT count(*) AS n FROM due_csv_lines")[0]["n"] > 0
    tiers = {1: "general", 2: "key", 3: "important", 4: "core", 5: "core"}
    config = tmp_path / "tiers.toml"
    config.write_text(
        "[tiers]\n" + "".join(f'{g} = "{t}"\n' for g, t in tiers.items()), encoding="utf-8"
    )
    shown = ok(office("--config", str(config), "due", "--format", "csv")).stdout
    assert shown == ok(office("--config", str(config), "due", "--format", "csv")).stdout
    lines = list(csv.DictReader(io.StringIO(shown)))
    assert lines and all(r["tier"] == tiers[int(r["grade"])] for r in lines)
    records = json.loads(ok(office("--config", str(config), "due", "--format", "json")).stdout)
    assert all(r["customer"]["tier"] == tiers[r["customer"]["grade"]] for r in records)
    for fmt in ("csv", "json"):
        assert ok(office("due", "--format", fmt)).stdout == before[fmt]


def test_the_summary_rules_name_every_setting_a_kept_line_prints() -> None:
    """The rules print changes with the urgency, the grace, the tiers and the contact
    rule, and with nothing else (another setting keeps the summary)."""
    from followup_cli.domain.callbacks.due_summary import rules_of
    from followup_cli.support.config import load_config

    base = rules_of(load_config(None))
    changes = [
        ("urgency", lambda c: c["urgency"].update(overdue_day=9.5)),
        ("grace", lambda c: c["planning"].update(greeting_grace_days=1)),
        ("tiers", lambda c: c["tiers"].update({"1": "general"})),
        ("order", lambda c: c["contacts"].update(callback_order=["primary"])),
        ("in charge", lambda c: c["contacts"].update(in_charge_reasons=[])),
        ("avoid", lambda c: c["contacts"].update(avoid_roles=["boss"])),
    ]
    for name, change in changes:
        config = load_config(None)
        change(config)
        assert rules_of(config) != base, name
    config = load_config(None)
    config["tickets"]["call_sla_days"] = 3
    assert rules_of(config) == base


def test_a_kept_table_row_removed_or_changed_by_hand_prints_safely(
    office: Run, db_path: Path, tmp_path: Path
) -> None:
    """The plain table's kept rows rewritten with the sqlite3 shell (escape sequences,
    widths that are not numbers, too few cells) are printed with their control
    characters escaped and their cells measured again, padded like every row; rows
    deleted are made again as before. Nothing crashes."""
    from followup_cli.render.wrap import cell_width

    _many_due(office, db_path, tmp_path, 5)
    ok(office("due"))
    before = ok(office("due")).stdout
    conn = open_db(db_path)
    kept = conn.execute(
        "SELECT customer_id FROM due_table_lines WHERE language = 'en' ORDER BY customer_id"
    ).fetchall()
    assert len(kept) >= 3
    rewritten = [
        (
            "C\x1b]0;PWNED\x07X\x1fname\x1f1\x1f\x1f138\x1f2026-11-01\x1fr\x1fa\x1f",
            "1,1,1,0,3,1,1,1,0",
        ),
        ("short\x1fcells", "5,5"),
        ("a\x1fb\x1fc\x1fd\x1fe\x1ff\x1fg\x1fh\x1f很长的名字很长的名字很长的名字", "x,y"),
    ]
    for (customer,), (cells, widths) in zip(kept, rewritten, strict=False):
        conn.execute(
            "UPDATE due_table_lines SET cells = ?, widths = ? WHERE customer_id = ?"
            " AND language = 'en'",
            (cells, widths, customer),
        )
    conn.commit()
    shown = ok(office("due")).stdout
    assert "\x1b" not in shown and "\x07" not in shown and "\x1f" not in shown
    assert "C\\x1b]0;PWNED\\x07X" in shown
    lines = shown.splitlines()
    rule = lines[2]
    assert set(rule) == {"-", " "}
    # Every row fits the columns its cells were padded to (measured again where changed).
    assert all(cell_width(line) <= len(rule) for line in lines[3:] if line.strip())
    assert any(cell_width(line) == len(rule) for line in lines[3:] if "很长的名字" in line)

    conn.execute("DELETE FROM due_table_lines")
    conn.commit()
    conn.close()
    assert ok(office("due")).stdout == before


def test_a_long_list_cut_by_limit_prints_the_kept_lines_too(
    office: Run, db_path: Path, tmp_path: Path
) -> None:
    """`--limit` above the short list's reading (READ_AFTER_RANKING) takes the kept lines
    as a full list does: the same output as without the limit when every row fits (it
    once handed the kept rows over without their reasons, and crashed)."""
    from followup_cli.domain.callbacks.due import READ_AFTER_RANKING

    _many_due(office, db_path, tmp_path, 5)
    ok(office("due"))
    for fmt in ("csv", "json", "table"):
        full = ok(office("due", "--format", fmt)).stdout
        cut = office("due", "--format", fmt, "--limit", str(READ_AFTER_RANKING + 1))
        assert ok(cut).stdout == full, fmt
