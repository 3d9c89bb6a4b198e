"""Tampering, defence in depth (issue 16): triggers (m008) refuse, whoever writes, what
would falsify the record, and allow exactly what followup itself does; every command
tolerates orphans (rows whose customer was deleted with foreign keys off) and
`db check` lists them with what to do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assertions import ok, refused
from conftest import ENGINE, open_db

COUNTED = ("tickets", "ticket_history", "escalations", "callbacks", "calls")


@contextmanager
def shell(db_path: Path, *, foreign_keys: bool = True) -> Iterator[sqlite3.Connection]:
    """A person at the sqlite3 shell (autocommit)."""
    if not foreign_keys and ENGINE != "sqlite":
        pytest.skip("SQLite only: orphans are made with foreign keys off (a server enforces them)")
    conn = open_db(db_path, isolation_level=None)
    conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    try:
        yield conn
    finally:
        conn.close()


def counts(db_path: Path) -> dict[str, int]:
    with shell(db_path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}


@pytest.fixture
def record(office):
    """The small office with a call, a ticket on C001 (#1) and its escalation."""
    ok(office("log-call", "C001", "--outcome", "reached", "--at", "2026-11-20 09:00"))
    ok(office("ticket", "open", "C001", "--summary", "履带板少发两块", "--category", "parts"))
    ok(office("escalate", "1", "--reason", "客户催了三次"))
    return office


# -- the triggers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        "outcome = 'refused'",
        "at = '2026-11-21T09:00:00+08:00'",
        "caller = '王伟'",
        "customer_id = 2",
        "day = '2026-01-01'",
    ],
)
def test_a_logged_call_is_never_rewritten(record, db_path, change):
    with shell(db_path) as conn:
        before = conn.execute("SELECT * FROM calls").fetchall()
        with pytest.raises(sqlite3.IntegrityError, match="a logged call is never rewritten"):
            conn.execute(f"UPDATE calls SET {change}")
        assert conn.execute("SELECT * FROM calls").fetchall() == before


def test_the_corrections_an_import_makes_to_a_call_are_allowed(record, db_path):
    with shell(db_path) as conn:
        conn.execute(
            "UPDATE calls SET satisfaction = 4, recommend = 9, repurchase = 'yes',"
            " note = '补记', channel = 'visit', answers = NULL"
        )
        assert conn.execute("SELECT satisfaction, note FROM calls").fetchone() == (4, "补记")


@pytest.mark.parametrize(
    "change",
    [
        # open, never resolved, customer not told
        "owner = owner",
        # resolved but the customer not told
        "status = 'resolved', resolution = 'x', resolved_at = '2026-11-23T10:00:00+08:00'",
        # told, but never resolved
        "notified_at = '2026-11-23T10:00:00+08:00', notified_via = 'phone'",
    ],
)
def test_the_close_gate_holds_against_sqlite3(record, db_path, change):
    with shell(db_path) as conn:
        conn.execute(change.join(("UPDATE tickets SET ", " WHERE id = 1")))
        with pytest.raises(sqlite3.IntegrityError, match="cannot be closed unless resolved"):
            conn.execute("UPDATE tickets SET status = 'closed' WHERE id = 1")
        assert conn.execute("SELECT status FROM tickets WHERE id = 1").fetchone()[0] != "closed"


def test_a_ticket_is_not_inserted_closed(record, db_path):
    with shell(db_path) as conn, pytest.raises(sqlite3.IntegrityError, match="cannot be closed"):
        conn.execute(
            "INSERT INTO tickets (customer_id, opened_on, category, summary, status,"
            " created_at, updated_at) VALUES (1, '2026-11-23', 'delivery', 'x', 'closed',"
            " '2026-11-23', '2026-11-23')"
        )


def test_escalations_are_append_only(record, db_path):
    with shell(db_path) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="escalations are never changed"):
            conn.execute("UPDATE escalations SET staff = '吴刚'")
        with pytest.raises(sqlite3.IntegrityError, match="escalations are never deleted"):
            conn.execute("DELETE FROM escalations")
        assert conn.execute("SELECT count(*) FROM escalations").fetchone()[0] == 1


def test_callbacks_are_never_deleted(record, db_path):
    with shell(db_path) as conn:
        n = conn.execute("SELECT count(*) FROM callbacks").fetchone()[0]
        assert n > 0
        with pytest.raises(sqlite3.IntegrityError, match="callbacks are never deleted"):
            conn.execute("DELETE FROM callbacks")
        assert conn.execute("SELECT count(*) FROM callbacks").fetchone()[0] == n


def test_the_tool_meeting_a_trigger_exits_1_and_writes_nothing(record, db_path):
    """A ticket tampered into 'resolved and told' with no resolution: followup's own gate
    lets it close, the trigger refuses, and the user gets a message, not exit 70."""
    ok(record("ticket", "resolve", "1", "--resolution", "补发两块"))
    ok(record("ticket", "notify", "1", "--via", "phone", "--response", "满意"))
    with shell(db_path) as conn:
        conn.execute("UPDATE tickets SET resolution = NULL WHERE id = 1")
    before = counts(db_path)
    r = record("ticket", "close", "1")
    refused(r, 1, "Error: the database refused the change: a ticket cannot be closed")
    assert "Nothing was saved" in r.stderr
    assert counts(db_path) == before
    with shell(db_path) as conn:
        assert conn.execute("SELECT status FROM tickets WHERE id = 1").fetchone()[0] == "resolved"


# -- orphans ------------------------------------------------------------------------------


@pytest.fixture
def orphaned(record, db_path):
    """C001 (id 1) deleted in the sqlite3 shell with foreign keys off: its ticket, call,
    callbacks, contacts and escalation are orphans."""
    with shell(db_path, foreign_keys=False) as conn:
        conn.execute("DELETE FROM customers WHERE code = 'C001'")
    return record


def test_ticket_show_shows_an_orphan_ticket(orphaned):
    r = ok(orphaned("ticket", "show", "1"))
    assert "Ticket #1: 履带板少发两块" in r.stdout
    assert "(missing customer #1)" in r.stdout


def test_ticket_list_keeps_an_orphan_ticket(orphaned):
    r = ok(orphaned("ticket", "list"))
    assert "(missing customer #1)" in r.stdout and "履带板少发两块" in r.stdout


def test_export_keeps_an_orphan_ticket(orphaned):
    r = ok(orphaned("export", "tickets", "--output", "-"))
    lines = r.stdout.lstrip("\ufeff").splitlines()
    assert len(lines) == 2, r.stdout
    assert lines[1].startswith("1,#1,,"), lines[1]


@pytest.mark.parametrize("kind", ["contacts", "calls", "callbacks"])
def test_export_keeps_other_orphans(orphaned, kind):
    r = ok(orphaned("export", kind, "--output", "-"))
    assert "#1," in r.stdout, r.stdout


def test_escalate_auto_passes_over_an_orphan_ticket(orphaned, db_path):
    before = counts(db_path)
    r = orphaned("escalate", "--auto", today="2026-12-20")
    ok(r)
    assert counts(db_path)["escalations"] == before["escalations"]


def test_escalating_an_orphan_ticket_by_hand_is_refused(orphaned, db_path):
    before = counts(db_path)
    r = orphaned("escalate", "1", "--reason", "再催")
    refused(r, 1, "Error: ticket #1 cannot be escalated: its customer #1 is missing")
    assert "followup db check" in r.stderr
    assert counts(db_path) == before


def test_closing_an_orphan_ticket_is_refused_cleanly(orphaned, db_path):
    ok(orphaned("ticket", "resolve", "1", "--resolution", "补发两块"))
    ok(orphaned("ticket", "notify", "1", "--via", "phone", "--response", "满意"))
    before = counts(db_path)
    r = orphaned("ticket", "close", "1")
    refused(r, 1, "Error: this change refers to a row that is missing (deleted outside followup)")
    assert "Run `followup db check`" in r.stderr
    assert counts(db_path) == before


@pytest.mark.parametrize(
    "command", [("due",), ("report", "daily"), ("report", "staff"), ("customer", "list")]
)
def test_views_tolerate_orphans(orphaned, command):
    ok(orphaned(*command))


def test_db_check_lists_orphans_per_table_with_what_to_do(orphaned):
    r = orphaned("db", "check")
    refused(r, 1, "Error: the database has problems (listed above)")
    assert "orphans: tickets: 1 row refers to a missing customers row (row 1)" in r.stdout
    assert "orphans: escalations: 1 row refers to a missing customers row" in r.stdout
    assert "orphans: contacts: 2 rows refer to a missing customers row (rows 1, 2)" in r.stdout
    assert "copy the missing rows back from a backup" in r.stdout
