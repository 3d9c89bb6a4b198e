"""Schema migrations, applied on open, append-only and numbered (m001, m002, ...).

Each migration is a function taking a `sqlite_utils.Database`. They run in one
`BEGIN IMMEDIATE` transaction with the version bump, so a failed migration leaves
the database as it was. An existing database is backed up before it is upgraded.
PRAGMA user_version holds the number of migrations applied; `_migrations` names them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from followup_cli.domain.customers.names import name_key
from followup_cli.domain.texts import dumps
from followup_cli.store import legacy_texts as legacy
from followup_cli.store.busy import busy_error, is_busy
from followup_cli.store.files import migration_backup
from followup_cli.store.identity import APPLICATION_ID
from followup_cli.store.meta import DUE_SUMMARY_KEY, delete_meta
from followup_cli.store.schema import SCHEMA_VERSION
from followup_cli.support.errors import StorageError
from followup_cli.support.i18n import _

Migration = Callable[[Any], None]

M001_TABLES = [
    """
    CREATE TABLE staff (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        department TEXT,
        phone TEXT,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """
    CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 5),
        phone TEXT,
        region TEXT,
        industry TEXT,
        owner TEXT,
        department TEXT,
        address TEXT,
        note TEXT,
        archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
        unreachable INTEGER NOT NULL DEFAULT 0 CHECK (unreachable IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX customers_name ON customers (name)",
    "CREATE INDEX customers_owner ON customers (owner)",
    """
    CREATE TABLE contacts (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers (id),
        name TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'other',
        phone TEXT,
        wechat TEXT,
        email TEXT,
        birthday TEXT,
        is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
        note TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (customer_id, name)
    )""",
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers (id),
        kind TEXT NOT NULL,
        date TEXT NOT NULL,
        ref TEXT NOT NULL DEFAULT '',
        machine TEXT,
        staff TEXT,
        result TEXT,
        note TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (customer_id, kind, date, ref)
    )""",
    "CREATE INDEX events_date ON events (date)",
    """
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers (id),
        contact_id INTEGER REFERENCES contacts (id),
        at TEXT NOT NULL,
        day TEXT NOT NULL,
        caller TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL DEFAULT 'phone'
            CHECK (channel IN ('phone', 'visit', 'wechat', 'email', 'sms')),
        outcome TEXT NOT NULL CHECK (outcome IN
            ('reached', 'no-answer', 'busy', 'wrong-number', 'refused', 'left-message')),
        satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
        recommend INTEGER CHECK (recommend BETWEEN 0 AND 10),
        repurchase TEXT CHECK (repurchase IN ('yes', 'no', 'unsure')),
        answers TEXT,
        note TEXT,
        callback_id INTEGER REFERENCES callbacks (id),
        imported INTEGER NOT NULL DEFAULT 0 CHECK (imported IN (0, 1)),
        created_at TEXT NOT NULL,
        UNIQUE (customer_id, at, caller)
    )""",
    "CREATE INDEX calls_customer ON calls (customer_id, at)",
    "CREATE INDEX calls_day ON calls (day)",
    """
    CREATE TABLE callbacks (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers (id),
        due_on TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('event', 'visit', 'yearly', 'holiday',
            'birthday', 'second-level', 'ticket-verify', 'retry')),
        source TEXT NOT NULL CHECK (source IN ('event', 'ticket', 'rule', 'call')),
        event_id INTEGER REFERENCES events (id),
        ticket_id INTEGER REFERENCES tickets (id),
        contact_id INTEGER REFERENCES contacts (id),
        parent_id INTEGER REFERENCES callbacks (id),
        plan_key TEXT NOT NULL UNIQUE,
        level INTEGER NOT NULL DEFAULT 1 CHECK (level IN (1, 2)),
        role TEXT,
        assignee TEXT,
        detail TEXT,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'done', 'skipped', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        call_id INTEGER REFERENCES calls (id),
        planned_on TEXT NOT NULL,
        closed_on TEXT,
        note TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX callbacks_pending_due ON callbacks (due_on) WHERE status = 'pending'",
    "CREATE INDEX callbacks_customer ON callbacks (customer_id, status, due_on)",
    # One pending visit per customer and role, one pending yearly contact per customer.
    """
    CREATE UNIQUE INDEX callbacks_one_pending_rule ON callbacks (customer_id, reason, role)
    WHERE status = 'pending' AND reason IN ('visit', 'yearly')""",
    """
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers (id),
        call_id INTEGER REFERENCES calls (id),
        opened_on TEXT NOT NULL,
        channel TEXT,
        category TEXT NOT NULL,
        severity TEXT NOT NULL DEFAULT 'minor'
            CHECK (severity IN ('minor', 'major', 'critical')),
        summary TEXT NOT NULL,
        details TEXT,
        owner TEXT,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'closed')),
        due_by TEXT,
        resolution TEXT,
        resolved_at TEXT,
        notified_at TEXT,
        notified_via TEXT,
        customer_response TEXT,
        closed_at TEXT,
        escalation_level INTEGER NOT NULL DEFAULT 0,
        escalated_role TEXT,
        escalated_to TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX tickets_status ON tickets (status, due_by)",
    "CREATE INDEX tickets_customer ON tickets (customer_id, status)",
    """
    CREATE TABLE ticket_history (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets (id),
        at TEXT NOT NULL,
        actor TEXT,
        action TEXT NOT NULL,
        field TEXT,
        before TEXT,
        after TEXT,
        note TEXT
    )""",
    "CREATE INDEX ticket_history_ticket ON ticket_history (ticket_id)",
    """
    CREATE TABLE escalations (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('ticket', 'warning')),
        ticket_id INTEGER REFERENCES tickets (id),
        customer_id INTEGER NOT NULL REFERENCES customers (id),
        at TEXT NOT NULL,
        day TEXT NOT NULL,
        level INTEGER,
        role TEXT NOT NULL,
        staff TEXT,
        reason TEXT,
        auto INTEGER NOT NULL DEFAULT 0 CHECK (auto IN (0, 1)),
        warning_key TEXT,
        note TEXT
    )""",
    "CREATE INDEX escalations_ticket ON escalations (ticket_id)",
    "CREATE INDEX escalations_customer ON escalations (customer_id, kind)",
    """
    CREATE TABLE calendar (
        day TEXT PRIMARY KEY,
        working INTEGER NOT NULL CHECK (working IN (0, 1)),
        name TEXT
    )""",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
    # Nothing is ever deleted: complaints, calls and history are the record.
    """
    CREATE TRIGGER tickets_never_deleted BEFORE DELETE ON tickets
    BEGIN SELECT RAISE(ABORT, 'tickets are never deleted'); END""",
    """
    CREATE TRIGGER calls_never_deleted BEFORE DELETE ON calls
    BEGIN SELECT RAISE(ABORT, 'calls are never deleted'); END""",
    """
    CREATE TRIGGER ticket_history_never_deleted BEFORE DELETE ON ticket_history
    BEGIN SELECT RAISE(ABORT, 'ticket history is never deleted'); END""",
    """
    CREATE TRIGGER ticket_history_never_updated BEFORE UPDATE ON ticket_history
    BEGIN SELECT RAISE(ABORT, 'ticket history is never changed'); END""",
]


def m001_initial(db: Any) -> None:
    """Every table of SPEC section 6, with the indexes the due list and reports use."""
    for statement in M001_TABLES:
        db.execute(statement)


def m002_report_indexes(db: Any) -> None:
    """Indexes for the staff and daily reports: calls by caller and day, escalations by
    day, complaints by the call that opened them."""
    db.execute("CREATE INDEX calls_caller ON calls (caller, day)")
    db.execute("CREATE INDEX escalations_day ON escalations (day, kind)")
    db.execute("CREATE INDEX tickets_call ON tickets (call_id)")


def m003_customer_list_index(db: Any) -> None:
    """`customer list` reads customers by grade and code: an index serves it in order, so
    the first page of 100,000 customers needs no sort. (Not led by `archived`: almost every
    customer is active, and without statistics the planner would take it for selective.)"""
    db.execute("CREATE INDEX customers_list ON customers (grade, code)")


# The columns that hold a generated text as a message (followup_cli.domain.texts), beside the
# text column that holds its English rendering.
MESSAGE_COLUMNS = (
    ("callbacks", "detail_message"),
    ("tickets", "summary_message"),
    ("ticket_history", "note_message"),
    ("escalations", "reason_message"),
    ("escalations", "note_message"),
)
HISTORY_NEVER_UPDATED = """
    CREATE TRIGGER ticket_history_never_updated BEFORE UPDATE ON ticket_history
    BEGIN SELECT RAISE(ABORT, 'ticket history is never changed'); END"""


def m004_texts_as_messages(db: Any) -> None:
    """Generated texts (callback details, escalation reasons and notes, the history notes
    of opening and escalating, generated ticket summaries) get a message column: the
    code and parameters that render them in the reader's language. The English stored
    so far is read back once (store.legacy_texts); a text no template gives back
    exactly is a person's and keeps no message. The text columns are left as they are."""
    conn = db.conn
    for table, column in MESSAGE_COLUMNS:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")

    def convert(sql: str, update: str, read: Callable[..., Any]) -> None:
        changes = []
        for key, *values in conn.execute(sql).fetchall():
            stored = [dumps(read(*values))]
            if stored[0] is not None:
                changes.append((*stored, key))
        conn.executemany(update, changes)

    def detail(text: str) -> Any:
        return legacy.read_text(text, legacy.CALLBACK_DETAIL)

    convert(
        "SELECT id, detail FROM callbacks WHERE detail IS NOT NULL",
        "UPDATE callbacks SET detail_message = ? WHERE id = ?",
        detail,
    )
    convert(
        "SELECT id, summary FROM tickets",
        "UPDATE tickets SET summary_message = ? WHERE id = ?",
        lambda text: legacy.read_text(text, legacy.TICKET_SUMMARY),
    )

    def history_note(action: str, text: str) -> Any:
        if action == "open":
            return legacy.read_text(text, legacy.OPENING_NOTE)
        return legacy.read_with_note(text, legacy.ESCALATION_REASON, legacy.ESCALATION_NOTE)

    conn.execute("DROP TRIGGER ticket_history_never_updated")
    convert(
        "SELECT id, action, note FROM ticket_history"
        " WHERE action IN ('open', 'escalate') AND note IS NOT NULL",
        "UPDATE ticket_history SET note_message = ? WHERE id = ?",
        history_note,
    )
    conn.execute(HISTORY_NEVER_UPDATED)

    def reason(kind: str, text: str) -> Any:
        if kind == "warning":
            return legacy.read_warning_reason(text)
        return legacy.read_text(text, legacy.ESCALATION_REASON)

    convert(
        "SELECT id, kind, reason FROM escalations WHERE reason IS NOT NULL",
        "UPDATE escalations SET reason_message = ? WHERE id = ?",
        reason,
    )
    convert(
        "SELECT id, note FROM escalations WHERE note IS NOT NULL",
        "UPDATE escalations SET note_message = ? WHERE id = ?",
        lambda text: legacy.read_text(text, legacy.ESCALATION_NOTE),
    )


def m005_callbacks_workload_index(db: Any) -> None:
    """First periodic callbacks are levelled against each role's pending callbacks per day
    (domain/callbacks/levelling.py): a covering index lets that one GROUP BY read the
    index alone, so a `customer add` on a large office does not scan the callbacks."""
    db.execute(
        "CREATE INDEX callbacks_pending_role_due ON callbacks (role, due_on)"
        " WHERE status = 'pending'"
    )


def m006_who_changed(db: Any) -> None:
    """Who changed data for a person, where no history table says it: the staff member
    who last edited or archived a customer, or moved or skipped a callback
    (`changed_by`), and who recorded an event (`recorded_by`; `staff` is who did the
    job). Empty for rows written before, by an import, or by the system."""
    conn = db.conn
    conn.execute("ALTER TABLE customers ADD COLUMN changed_by TEXT")
    conn.execute("ALTER TABLE callbacks ADD COLUMN changed_by TEXT")
    conn.execute("ALTER TABLE events ADD COLUMN recorded_by TEXT")


def m007_customer_name_key(db: Any) -> None:
    """One name, one customer (issue 14): each customer's name as a person compares it
    (`domain/customers/names.name_key`: NFKC, no spaces, case-folded), stored and
    indexed, so `customer add` finds a namesake with one index lookup instead of folding
    every name of the office."""
    conn = db.conn
    conn.execute("ALTER TABLE customers ADD COLUMN name_key TEXT")
    conn.executemany(
        "UPDATE customers SET name_key = ? WHERE id = ?",
        [(name_key(name), cid) for cid, name in conn.execute("SELECT id, name FROM customers")],
    )
    conn.execute("CREATE INDEX customers_name_key ON customers (name_key)")


# What sqlite3 in a person's hands must not do either (issue 16, defence in depth); each
# allows exactly what followup itself does. A logged call keeps who, whom, when and the
# outcome: an import corrects only satisfaction, recommend, repurchase, answers, note
# and channel (transfer/writing.py). A ticket is closed only once resolved and the
# customer told (domain/complaints/tickets.close_ticket). Escalations are append-only;
# callbacks are cancelled, skipped or done, never deleted.
M008_TRIGGERS = [
    """
    CREATE TRIGGER calls_never_rewritten BEFORE UPDATE ON calls
    WHEN NEW.id IS NOT OLD.id OR NEW.customer_id IS NOT OLD.customer_id
        OR NEW.contact_id IS NOT OLD.contact_id OR NEW.at IS NOT OLD.at
        OR NEW.day IS NOT OLD.day OR NEW.caller IS NOT OLD.caller
        OR NEW.outcome IS NOT OLD.outcome OR NEW.callback_id IS NOT OLD.callback_id
        OR NEW.imported IS NOT OLD.imported OR NEW.created_at IS NOT OLD.created_at
    BEGIN SELECT RAISE(ABORT, 'a logged call is never rewritten'); END""",
    """
    CREATE TRIGGER tickets_close_gate BEFORE UPDATE ON tickets
    WHEN NEW.status = 'closed' AND (NEW.resolution IS NULL OR NEW.notified_at IS NULL
        OR OLD.status = 'open')
    BEGIN SELECT RAISE(ABORT, 'a ticket cannot be closed unless resolved and notified'); END""",
    """
    CREATE TRIGGER tickets_close_gate_new BEFORE INSERT ON tickets
    WHEN NEW.status = 'closed' AND (NEW.resolution IS NULL OR NEW.notified_at IS NULL)
    BEGIN SELECT RAISE(ABORT, 'a ticket cannot be closed unless resolved and notified'); END""",
    """
    CREATE TRIGGER escalations_never_updated BEFORE UPDATE ON escalations
    BEGIN SELECT RAISE(ABORT, 'escalations are never changed'); END""",
    """
    CREATE TRIGGER escalations_never_deleted BEFORE DELETE ON escalations
    BEGIN SELECT RAISE(ABORT, 'escalations are never deleted'); END""",
    """
    CREATE TRIGGER callbacks_never_deleted BEFORE DELETE ON callbacks
    BEGIN SELECT RAISE(ABORT, 'callbacks are never deleted'); END""",
]


def m008_tamper_triggers(db: Any) -> None:
    """Triggers that refuse, whoever writes, what would falsify the record: rewriting a
    logged call, closing a ticket past its gate, changing or deleting an escalation,
    deleting a callback (see M008_TRIGGERS)."""
    for statement in M008_TRIGGERS:
        db.execute(statement)


def m009_ticket_approval(db: Any) -> None:
    """A leader's approval (批示) before the customer is told (issue 17): who approved a
    ticket's proposed handling and when (`approved_by`, `approved_at`, empty until then
    and again after a new resolution or a reopen), and for a return or exchange whether
    the office's policy makes it unconditional or a case for approval (`return_policy`:
    unconditional | approval, empty for other categories)."""
    conn = db.conn
    conn.execute("ALTER TABLE tickets ADD COLUMN approved_by TEXT")
    conn.execute("ALTER TABLE tickets ADD COLUMN approved_at TEXT")
    conn.execute("ALTER TABLE tickets ADD COLUMN return_policy TEXT")


def m010_warnings(db: Any) -> None:
    """Early warnings with a stable id (issue 17, seed 001 客户预警报告制度): each warning
    raised is a row naming its responsible person, so it can be acknowledged with the
    measure taken (`warning ack`), climb once when nobody did, and be counted per month
    or quarter by the routine report. `reported_on`: the day `escalate --auto` sent an
    emergency's report (紧急报告), whoever raised the warning first. At most one open warning per customer (or the
    office, customer_id NULL) and indicator."""
    conn = db.conn
    conn.execute(
        """
        CREATE TABLE warnings (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER REFERENCES customers (id),
            indicator TEXT NOT NULL,
            stage TEXT NOT NULL CHECK (stage IN ('approaching', 'breach')),
            emergency INTEGER NOT NULL DEFAULT 0 CHECK (emergency IN (0, 1)),
            value REAL NOT NULL,
            threshold REAL NOT NULL,
            raised_on TEXT NOT NULL,
            cleared_on TEXT,
            role TEXT,
            responsible TEXT,
            ack_due TEXT,
            reported_on TEXT,
            climbed_on TEXT,
            climbed_from TEXT,
            acknowledged_by TEXT,
            acknowledged_at TEXT,
            action TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    conn.execute(
        "CREATE UNIQUE INDEX warnings_open ON warnings (ifnull(customer_id, 0), indicator)"
        " WHERE cleared_on IS NULL"
    )
    conn.execute("CREATE INDEX warnings_raised ON warnings (raised_on)")
    conn.execute("CREATE INDEX warnings_cleared ON warnings (cleared_on)")
    conn.execute(
        "CREATE TRIGGER warnings_never_deleted BEFORE DELETE ON warnings"
        " BEGIN SELECT RAISE(ABORT, 'warnings are never deleted'); END"
    )


def m011_seed_planning(db: Any) -> None:
    """Planning as the seeds have it (issue 18). `events.in_use`: the day the machine went
    into use, when the event gives it; its callbacks are counted from that day (seed 000:
    call when the customer can judge). `anniversaries`: a customer's important dates
    (seed 003 重要纪念日), month and day (`MM-DD`) with an optional label, each greeted
    on the working day before for the greeted grades."""
    conn = db.conn
    conn.execute("ALTER TABLE events ADD COLUMN in_use TEXT")
    conn.execute(
        """
        CREATE TABLE anniversaries (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers (id),
            day TEXT NOT NULL,
            label TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            UNIQUE (customer_id, day, label)
        )"""
    )


def m012_contacts_in_charge(db: Any) -> None:
    """The person in charge, key people who leave, and appointments (issue 18, seeds 000,
    003, 004): the day a contact left the customer (`contacts.left_on`, empty while they
    are there; 及时掌握大客户单位关键职务的人事变动情况), the customer's person for an event
    (`events.contact_id`, whom its callbacks go to first), and a callback's appointment
    (`callbacks.appointment_at`, a timestamp with offset, and `appointment_place`;
    预约回访时间和地点)."""
    conn = db.conn
    conn.execute("ALTER TABLE contacts ADD COLUMN left_on TEXT")
    conn.execute("ALTER TABLE events ADD COLUMN contact_id INTEGER REFERENCES contacts (id)")
    conn.execute("CREATE INDEX events_contact ON events (contact_id) WHERE contact_id IS NOT NULL")
    conn.execute("ALTER TABLE callbacks ADD COLUMN appointment_at TEXT")
    conn.execute("ALTER TABLE callbacks ADD COLUMN appointment_place TEXT")


def m013_notices(db: Any) -> None:
    """Notices reach people (issue 19): a staff member's `email`, and the outbox
    (`notices`), one row per recipient, channel and cause (`cause_key`: the escalation,
    warning, new ticket or approval that queued it), written in the transaction of its
    cause and delivered later by `notify send`. The text is a message (code and
    parameters, rendered in the reader's language when sent); no secret is stored: a
    channel is named (`email`, or a robot's name in [notify.webhooks]), its URL and
    password stay in the environment."""
    conn = db.conn
    conn.execute("ALTER TABLE staff ADD COLUMN email TEXT")
    conn.execute(
        """
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            cause TEXT NOT NULL
                CHECK (cause IN ('escalation', 'warning', 'ticket', 'approval', 'digest')),
            cause_key TEXT NOT NULL,
            ticket_id INTEGER REFERENCES tickets (id),
            customer_id INTEGER REFERENCES customers (id),
            recipient TEXT NOT NULL,
            channel TEXT NOT NULL,
            address TEXT,
            text TEXT NOT NULL,
            text_message TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_try_at TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            updated_at TEXT NOT NULL,
            UNIQUE (cause_key, recipient, channel)
        )"""
    )
    conn.execute("CREATE INDEX notices_status ON notices (status, next_try_at)")


def m014_visit_reports_and_amounts(db: Any) -> None:
    """Visit reports and grades from value (issue 18, seeds 003 and 004): a call's main
    conclusions (`calls.findings`, 回访结束后…整理大客户回访报告表，从中提炼主要结论), a
    supervisor's review of it (`call_reviews`, one per call, never changed or deleted:
    主管领导审阅), an event's amount in yuan (`events.amount`, 金额: the value customers
    are ranked by, 企业前20%的客户产生约150%的利润), and the customer's history
    (`customer_history`: a grade changed by `customer regrade`, as a message code and
    parameters, never changed or deleted)."""
    conn = db.conn
    conn.execute("ALTER TABLE calls ADD COLUMN findings TEXT")
    conn.execute("ALTER TABLE events ADD COLUMN amount REAL")
    conn.execute(
        """
        CREATE TABLE call_reviews (
            id INTEGER PRIMARY KEY,
            call_id INTEGER NOT NULL UNIQUE REFERENCES calls (id),
            reviewed_by TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    conn.execute(
        """
        CREATE TABLE customer_history (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers (id),
            at TEXT NOT NULL,
            by TEXT,
            field TEXT NOT NULL,
            old_value TEXT,
            new_value TEXT,
            detail TEXT,
            detail_message TEXT
        )"""
    )
    conn.execute("CREATE INDEX customer_history_customer ON customer_history (customer_id, at)")
    for table, what in (("call_reviews", "reviews"), ("customer_history", "history rows")):
        conn.execute(
            f"CREATE TRIGGER {table}_never_updated BEFORE UPDATE ON {table}"
            f" BEGIN SELECT RAISE(ABORT, '{what} are never changed'); END"
        )
        conn.execute(
            f"CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table}"
            f" BEGIN SELECT RAISE(ABORT, '{what} are never deleted'); END"
        )


def m015_due_summary(db: Any) -> None:
    """The due list as maintained state (issue 20): per customer, what its pending
    callbacks due on the summary's day add up to (`due_summary`, narrow, scanned by the
    ranking; `due_reasons`, the reasons as a JSON array, read for the rows shown), and
    the customers whose callbacks changed since (`due_dirty`), marked by triggers on
    every write to callbacks, whoever makes it. The ranking reads a dirty customer live
    from its callbacks, so the summary is never wrong, only sometimes not yet used
    (domain/callbacks/due_summary.py)."""
    conn = db.conn
    conn.execute(
        """
        CREATE TABLE due_summary (
            customer_id INTEGER PRIMARY KEY,
            first_due TEXT NOT NULL,
            n INTEGER NOT NULL,
            max_level INTEGER NOT NULL,
            max_attempts INTEGER NOT NULL,
            booked_at TEXT,
            reason_weight REAL NOT NULL,
            grade INTEGER NOT NULL,
            base REAL NOT NULL,
            slope REAL NOT NULL
        )"""
    )
    # The short list's candidates in order (due.candidates): by base where the overdue
    # term is capped or nil, by slope where it grows, bookings by their time.
    conn.execute("CREATE INDEX due_summary_base ON due_summary (base, first_due)")
    conn.execute("CREATE INDEX due_summary_slope ON due_summary (slope, first_due)")
    conn.execute(
        "CREATE INDEX due_summary_booked ON due_summary (booked_at) WHERE booked_at IS NOT NULL"
    )
    conn.execute(
        "CREATE TABLE due_reasons ( customer_id INTEGER PRIMARY KEY, reasons TEXT NOT NULL)"
    )
    # A full list's line of each summarised customer, kept (due_keeping.py): the csv and
    # json line around the two numbers that change with the day (urgency, days overdue).
    # (One table a format: a list reads only its own lines.)
    conn.execute(
        "CREATE TABLE due_csv_lines (customer_id INTEGER PRIMARY KEY, head TEXT NOT NULL,"
        " tail TEXT NOT NULL)"
    )
    conn.execute(
        "CREATE TABLE due_json_lines (customer_id INTEGER PRIMARY KEY, head TEXT NOT NULL,"
        " mid TEXT NOT NULL, tail TEXT NOT NULL)"
    )
    conn.execute("CREATE TABLE due_unlined (customer_id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TABLE due_dirty (customer_id INTEGER PRIMARY KEY)")
    for statement in M015_TRIGGERS:
        conn.execute(statement)


def _mark_due(row: str, column: str = "customer_id") -> str:
    """Mark the customer `row.column` (NEW or OLD) in due_dirty. Not INSERT OR IGNORE:
    an outer statement's conflict policy (UPDATE OR FAIL ...) would override it."""
    customer = f"{row}.{column}"
    return (
        f"INSERT INTO due_dirty (customer_id) SELECT {customer} WHERE NOT EXISTS"
        f" (SELECT 1 FROM due_dirty WHERE customer_id = {customer});"
    )


M015_TRIGGERS = [
    "CREATE TRIGGER callbacks_due_added AFTER INSERT ON callbacks WHEN NEW.status = 'pending'"
    f" BEGIN {_mark_due('NEW')} END",
    "CREATE TRIGGER callbacks_due_changed AFTER UPDATE ON callbacks"
    " WHEN OLD.status = 'pending' OR NEW.status = 'pending'"
    f" BEGIN {_mark_due('OLD')} {_mark_due('NEW')} END",
    "CREATE TRIGGER callbacks_due_removed AFTER DELETE ON callbacks WHEN OLD.status = 'pending'"
    f" BEGIN {_mark_due('OLD')} END",
    # What the summary's base and lines hold of the customer, its open tickets, its
    # contacts and the events that name them (the contact a row asks for).
    "CREATE TRIGGER customers_due_changed AFTER UPDATE OF grade, unreachable, archived, code,"
    f" name, phone ON customers BEGIN {_mark_due('NEW', 'id')} END",
    f"CREATE TRIGGER contacts_due_added AFTER INSERT ON contacts BEGIN {_mark_due('NEW')} END",
    "CREATE TRIGGER contacts_due_changed AFTER UPDATE ON contacts"
    f" BEGIN {_mark_due('OLD')} {_mark_due('NEW')} END",
    f"CREATE TRIGGER contacts_due_removed AFTER DELETE ON contacts BEGIN {_mark_due('OLD')} END",
    "CREATE TRIGGER events_due_added AFTER INSERT ON events WHEN NEW.contact_id IS NOT NULL"
    f" BEGIN {_mark_due('NEW')} END",
    "CREATE TRIGGER events_due_changed AFTER UPDATE OF contact_id, customer_id ON events"
    f" BEGIN {_mark_due('OLD')} {_mark_due('NEW')} END",
    f"CREATE TRIGGER tickets_due_added AFTER INSERT ON tickets BEGIN {_mark_due('NEW')} END",
    "CREATE TRIGGER tickets_due_changed AFTER UPDATE OF status, customer_id ON tickets"
    f" BEGIN {_mark_due('OLD')} {_mark_due('NEW')} END",
]


def m016_privacy(db: Any) -> None:
    """Personal data handled as China's PIPL expects (issue 22, 个人信息保护法 Art. 19 and
    47): when a contact or a customer was erased (`contacts.erased_at`,
    `customers.erased_at`, empty until then; the row stays, its personal fields replaced
    by a placeholder such as 已删除联系人 #12, so calls, tickets and events keep counting),
    the day a customer was archived (`customers.archived_on`: how long it has been kept,
    for `db prune`; an archived customer from before gets the day of its last change),
    and the erasure log (`erasures`: who, when, why and which record; never the erased
    values; never changed or deleted)."""
    conn = db.conn
    conn.execute("ALTER TABLE contacts ADD COLUMN erased_at TEXT")
    conn.execute("ALTER TABLE customers ADD COLUMN erased_at TEXT")
    conn.execute("ALTER TABLE customers ADD COLUMN archived_on TEXT")
    conn.execute("UPDATE customers SET archived_on = substr(updated_at, 1, 10) WHERE archived = 1")
    conn.execute(
        """
        CREATE TABLE erasures (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('contact', 'customer')),
            customer_id INTEGER NOT NULL REFERENCES customers (id),
            contact_id INTEGER REFERENCES contacts (id),
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            reason TEXT NOT NULL,
            reason_message TEXT,
            changed TEXT NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX erasures_customer ON erasures (customer_id)")
    conn.execute(
        "CREATE TRIGGER erasures_never_updated BEFORE UPDATE ON erasures"
        " BEGIN SELECT RAISE(ABORT, 'the erasure log is never changed'); END"
    )
    conn.execute(
        "CREATE TRIGGER erasures_never_deleted BEFORE DELETE ON erasures"
        " BEGIN SELECT RAISE(ABORT, 'the erasure log is never deleted'); END"
    )


def m017_due_table_lines(db: Any) -> None:
    """The due list's plain table kept too (issue 20: cron mails the whole list as a
    table): per summarised customer and interface language, the row's cells but the two
    that change with the day (urgency, days overdue), each already as the table prints
    it, and their widths in terminal cells (domain/callbacks/due_keeping.py). Kept
    lines are made again from the summary: the summary is dropped, to be built anew."""
    conn = db.conn
    conn.execute(
        "CREATE TABLE due_table_lines (customer_id INTEGER NOT NULL, language TEXT NOT NULL,"
        " cells TEXT NOT NULL, widths TEXT NOT NULL, PRIMARY KEY (customer_id, language))"
    )
    delete_meta(conn, DUE_SUMMARY_KEY)


def m018_one_calls_index_per_customer(db: Any) -> None:
    """calls_customer (customer_id, at) dropped: the table's UNIQUE (customer_id, at,
    caller) index starts with the same columns and serves every query it served (a
    customer's calls in time order, the last reached call). One index fewer to write per
    call: inserting 100k calls (an import's write phase, inside the write lock) took
    0.69 s with it and 0.56 s without (issue 20; bench/README.md)."""
    db.conn.execute("DROP INDEX IF EXISTS calls_customer")


MIGRATIONS: list[Migration] = [
    m001_initial,
    m002_report_indexes,
    m003_customer_list_index,
    m004_texts_as_messages,
    m005_callbacks_workload_index,
    m006_who_changed,
    m007_customer_name_key,
    m008_tamper_triggers,
    m009_ticket_approval,
    m010_warnings,
    m011_seed_planning,
    m012_contacts_in_charge,
    m013_notices,
    m014_visit_reports_and_amounts,
    m015_due_summary,
    m016_privacy,
    m017_due_table_lines,
    m018_one_calls_index_per_customer,
]


def apply_steps(conn: Any, db: Any, current: int) -> None:
    """In the caller's transaction, the migrations after the first `current`, each
    recorded in `_migrations` (made with the first): on a file (`db` its sqlite-utils
    Database) or on a server (store/engines/pg_schema.py)."""
    if current == 0:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
    for number in range(current, len(MIGRATIONS)):
        step = MIGRATIONS[number]
        step(db)
        conn.execute(
            "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
            (step.__name__, datetime.now().astimezone().isoformat(timespec="seconds")),
        )


def migrate(conn: sqlite3.Connection, path: Path, version: int, *, create: bool) -> None:
    """Bring the schema from `version` up to date in one transaction.

    One migrator at a time: the write lock is taken first (waiting the busy timeout),
    then the version read again: a process that waited finds the work done and goes on
    with the new schema. An existing database is copied to `NAME.vN.bak` first (at most
    one per version, see store.files.migration_backup), inside the lock."""
    # sqlite-utils costs start-up: only an upgrade pays for it.
    import sqlite_utils

    _refuse_newer(path, version)
    # SQLite-only: sqlite_master (here and below). A second engine counts the rows of
    # information_schema.tables in its own schema.
    if version == 0 and not create:
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        raise StorageError(
            (
                _("{path} is not a followup database (it holds other tables)")
                if tables
                else _("{path} is not a followup database (it is empty)")
            ).format(path=path),
            _("Run `followup init` to set it up, or point --db at your followup database."),
        )
    if version == 0:
        other = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
        if other:
            raise StorageError(
                _("{path} holds tables of another program").format(path=path),
                _("Choose a new file for followup's database."),
            )
    db = sqlite_utils.Database(conn)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            raise busy_error() from None
        raise
    try:
        # SQLite-only: PRAGMA user_version (read here and set below), the schema version,
        # and application_id, which marks the file as followup's. A second engine keeps
        # the version in a table; `_migrations` already names each step.
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        _refuse_newer(path, current)
        if 0 < current < len(MIGRATIONS):
            migration_backup(path, current)
        apply_steps(conn, db, current)
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    assert len(MIGRATIONS) == SCHEMA_VERSION, "update SCHEMA_VERSION with MIGRATIONS"


def _refuse_newer(path: Path, version: int) -> None:
    if version > len(MIGRATIONS):
        raise StorageError(
            _(
                "{path} was written by a newer followup (schema v{version}, this one knows"
                " v{known})"
            ).format(path=path, version=version, known=len(MIGRATIONS)),
            _("Upgrade followup before using this database."),
        )
