"""The due summary: the due list as maintained state (issue 20).

Ranking every pending callback on every `due` costs a pass over all of them (90,000 in
a big office) before the first row prints. Most of that work gives the same answer
every time: what a customer's pending callbacks due by a day add up to (the earliest
date, how many, the highest level, attempts and reason weight, the booking) changes
only when one of its callbacks is written or a day passes. So it is kept, one row per
customer (`due_summary`, with the reasons as JSON in `due_reasons`), as of one day
(meta `due_summary`: the day and the rules it was computed under).

It is never wrong, only sometimes not yet used:

- triggers on `callbacks` mark a customer in `due_dirty` on every write that can change
  its due state, whoever writes (followup, an import, the sqlite3 shell);
- the ranking reads from the summary only customers that are not marked and whose due
  set is the same on the day asked as on the summary's day; the others (marked, or with
  a callback falling due, or a greeting's grace running out, between the two days) are
  ranked live from their callbacks, in the same query (`due.ranking_sql`);
- marks are settled (the rows computed again) at the end of every action that made a
  few (`settle_after_write`, same transaction), and in short batches after one that
  made many (an import) and by the day's first `due` (`tidy`), each batch its own
  transaction so nobody waits behind it.

A change to the rules behind it (the reason weights, the greetings' grace; for the kept
lines, the tiers, the contact rule, the time zone and the release) makes the summary
unusable until it is built again; every day away from the summary's day adds
the customers whose due set changed meanwhile to the live part, and a day more than
`REACH_DAYS` away is ranked wholly live.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from followup_cli import __version__
from followup_cli.domain.callbacks.urgency import num, reason_case, urgency_terms
from followup_cli.domain.vocabulary import GREETING_REASONS
from followup_cli.store.meta import DUE_SUMMARY_KEY, get_meta, set_meta

if TYPE_CHECKING:
    from followup_cli.support.config import Config

STATE_KEY = DUE_SUMMARY_KEY  # meta: "<day> <rules>"
# A day further than this from the summary's is ranked wholly from the callbacks: the
# customers whose due set changed in between would be most of them.
REACH_DAYS = 31
# Marks settled in the transaction of the action that made them, at most; more (an
# import's) are settled afterwards, in batches of BATCH, one short transaction each.
SETTLE_IN_WRITE = 2000
BATCH = 2000
# What a read (`due`) spends at most on settling marks before it ranks.
TIDY_SECONDS = 1.0

# The fields of a reason (a pending callback) as the due list hands them over, in this
# order (due.DueCallback).
REASON_FIELDS = (
    "id",
    "due_on",
    "reason",
    "level",
    "detail",
    "role",
    "assignee",
    "attempts",
    "detail_message",
    "event_id",
    "appointment_at",
    "appointment_place",
)
SUMMARY_COLUMNS = ("first_due", "n", "max_level", "max_attempts", "booked_at", "reason_weight")


def pending(alias: str) -> str:
    """The callbacks of the due list: pending and due up to the window's end (`:end`),
    except greetings whose day is before the grace's cut (`:greeting_cut`)."""
    return (
        f"{alias}.status = 'pending' AND {alias}.due_on <= :end AND NOT ({alias}.reason"
        f" IN {_greetings()} AND {alias}.due_on < :greeting_cut)"
    )


def gathered(alias: str, messages: bool = True) -> str:
    """The callbacks of a group as a JSON array of arrays (REASON_FIELDS), in no
    particular order; without `messages`, the detail's message is left NULL."""
    fields = ", ".join(
        f"{alias}.{name}" if messages or name != "detail_message" else "NULL"
        for name in REASON_FIELDS
    )
    return f"json_group_array(json_array({fields}))"


def aggregate(alias: str, weights: Any) -> str:
    """A customer's due state from its callbacks `alias` (grouped), as SUMMARY_COLUMNS."""
    return (
        f"min({alias}.due_on) AS first_due, count(*) AS n, max({alias}.level) AS max_level,"
        f" max({alias}.attempts) AS max_attempts, min({alias}.appointment_at) AS booked_at,"
        f" max({reason_case(weights, alias)}) AS reason_weight"
    )


def _greetings() -> str:
    return "(" + ", ".join(f"'{r}'" for r in GREETING_REASONS) + ")"


def grace_days(config: Config) -> int:
    return int(config["planning"]["greeting_grace_days"])


# The settings a kept line (due_keeping.py) prints the result of besides the data: the
# tier of each grade, the rule that chooses the contact to call, and the office's time
# zone (a booked appointment's time in the table).
LINE_CONTACT_RULES = ("callback_order", "in_charge_reasons", "avoid_roles")


def rules_of(config: Config) -> str:
    """What the summary's rows and kept lines depend on besides the data, as a short
    print: the urgency's coefficients, the greetings' grace, the tiers, the contact rule,
    the time zone, and the release (whose code and translations make the lines). A
    change to any makes the summary unusable until it is built again."""
    contacts = config["contacts"]
    rules = {
        "urgency": config["urgency"],
        "grace": grace_days(config),
        "tiers": config["tiers"],
        "contacts": {key: contacts[key] for key in LINE_CONTACT_RULES},
        "timezone": config["timezone"],
        "release": __version__,
    }
    text = json.dumps(rules, sort_keys=True, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


@dataclass(frozen=True)
class Summary:
    day: date  # the day the summary's rows hold for


def summary_of(conn: sqlite3.Connection, config: Config) -> Summary | None:
    """The summary, if it holds under today's rules (read in the caller's snapshot)."""
    state = get_meta(conn, STATE_KEY)
    if state is None:
        return None
    day, _sep, rules = state.partition(" ")
    if rules != rules_of(config):
        return None
    try:
        return Summary(date.fromisoformat(day))
    except ValueError:
        return None


@dataclass(frozen=True)
class Reach:
    """How the summary of `day` serves a list ending on `end` with greetings cut at
    `cut`: the customers it cannot answer for are those marked and those with a pending
    callback due in (`due_from`, `due_to`] or a greeting due in [`cut_from`, `cut_to`)."""

    due_from: str
    due_to: str
    cut_from: str
    cut_to: str


def reach(summary: Summary, end: date, cut: date, grace: int) -> Reach | None:
    """The summary's reach for a list ending on `end` (None: out of reach)."""
    own_cut = summary.day - timedelta(days=grace)
    if abs((end - summary.day).days) > REACH_DAYS or abs((cut - own_cut).days) > REACH_DAYS:
        return None
    due = sorted((summary.day, end))
    cuts = sorted((own_cut, cut))
    return Reach(due[0].isoformat(), due[1].isoformat(), cuts[0].isoformat(), cuts[1].isoformat())


def changed_sql() -> str:
    """The customers the summary cannot answer for (see Reach; params :due_from ...)."""
    return "SELECT customer_id FROM due_dirty UNION " + _changed_between()


def _changed_between() -> str:
    """The customers whose due set differs between two days (params as Reach's)."""
    return (
        "SELECT customer_id FROM callbacks INDEXED BY callbacks_pending_due"
        " WHERE status = 'pending' AND due_on > :due_from AND due_on <= :due_to"
        " UNION SELECT customer_id FROM callbacks INDEXED BY callbacks_pending_due"
        " WHERE status = 'pending' AND due_on >= :cut_from AND due_on < :cut_to"
        f" AND reason IN {_greetings()}"
    )


# -- keeping it --------------------------------------------------------------------


def settle(
    conn: sqlite3.Connection,
    config: Config,
    day: date,
    most: int | None,
    only: list[int] | None = None,
) -> int:
    """Compute again (in the caller's write transaction) the rows of up to `most` marked
    customers (all if None; of `only` these customers, if given), as of `day`, and clear
    their marks; returns how many."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS due_batch (customer_id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.due_batch")
    limit = "" if most is None else f" LIMIT {int(most)}"
    among = (
        "" if only is None else f" WHERE customer_id IN ({', '.join(str(int(i)) for i in only)})"
    )
    taken = conn.execute(
        f"INSERT INTO temp.due_batch SELECT customer_id FROM due_dirty{among}{limit}"
    ).rowcount
    if taken <= 0:
        return 0
    batch = "SELECT customer_id FROM temp.due_batch"
    params = {
        "end": day.isoformat(),
        "greeting_cut": (day - timedelta(days=grace_days(config))).isoformat(),
    }
    weights = config["urgency"]["reason"]
    conn.execute(f"DELETE FROM due_summary WHERE customer_id IN ({batch})")
    conn.execute(f"DELETE FROM due_reasons WHERE customer_id IN ({batch})")
    conn.execute(f"DELETE FROM due_csv_lines WHERE customer_id IN ({batch})")
    conn.execute(f"DELETE FROM due_json_lines WHERE customer_id IN ({batch})")
    conn.execute(f"DELETE FROM due_table_lines WHERE customer_id IN ({batch})")
    grouped = (
        f"SELECT cb.customer_id, {aggregate('cb', weights)} FROM temp.due_batch b"
        " CROSS JOIN callbacks cb INDEXED BY callbacks_customer ON cb.customer_id = b.customer_id"
        f" WHERE {pending('cb')} GROUP BY cb.customer_id"
    )
    terms, _exact = urgency_terms(config["urgency"], "0", plain=True)
    base = "(" + " + ".join(terms[name] for name in terms if name != "overdue") + ")"
    slope = f"{base} - {num(config['urgency']['overdue_day'])} * julianday(d.first_due)"
    conn.execute(
        f"INSERT INTO due_summary (customer_id, {', '.join(SUMMARY_COLUMNS)}, grade, base,"
        f" slope) SELECT d.customer_id, {', '.join(f'd.{name}' for name in SUMMARY_COLUMNS)},"
        f" c.grade, {base}, {slope} FROM ({grouped}) d"
        " JOIN customers c ON c.id = d.customer_id AND c.archived = 0"
        " LEFT JOIN (SELECT customer_id, count(*) AS n FROM tickets WHERE status != 'closed'"
        f" AND customer_id IN ({batch}) GROUP BY customer_id) t ON t.customer_id = d.customer_id",
        params,
    )
    conn.execute(
        f"INSERT INTO due_reasons (customer_id, reasons) SELECT cb.customer_id,"
        f" {gathered('cb')} FROM temp.due_batch b"
        " JOIN due_summary s ON s.customer_id = b.customer_id"
        " CROSS JOIN callbacks cb INDEXED BY callbacks_customer ON cb.customer_id = b.customer_id"
        f" WHERE {pending('cb')} GROUP BY cb.customer_id",
        params,
    )
    # Their full-list lines are made again by due_keeping.py (Python), outside this.
    conn.execute(
        "INSERT INTO due_unlined (customer_id) SELECT b.customer_id FROM temp.due_batch b"
        " JOIN due_summary s ON s.customer_id = b.customer_id"
        " WHERE b.customer_id NOT IN (SELECT customer_id FROM due_unlined)"
    )
    conn.execute(f"DELETE FROM due_dirty WHERE customer_id IN ({batch})")
    conn.execute("DELETE FROM temp.due_batch")
    return taken


def settle_after_write(
    conn: sqlite3.Connection, config: Config, only: list[int] | None = None
) -> None:
    """At the end of an action's write transaction: settle the marks it made, unless
    they are many (an import's: `tidy` settles those afterwards, in batches). `only`:
    a write beside others (a server) settles the marks of the customers it holds, no
    other's."""
    if only is not None and not only:
        return
    marked = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM due_dirty LIMIT {SETTLE_IN_WRITE + 1})"
    ).fetchone()[0]
    if not marked or (only is None and marked > SETTLE_IN_WRITE):
        return
    summary = summary_of(conn, config)
    if summary is not None:
        settle(conn, config, summary.day, None, only)


def roll(conn: sqlite3.Connection, config: Config, today: date) -> bool:
    """Bring the summary to `today` (in the caller's write transaction): built anew if
    there is none or its rules changed, else the customers whose due set changed since
    its day marked; never back to an earlier day (a list of an earlier day ranks those
    customers live). Returns whether it changed anything."""
    summary = summary_of(conn, config)
    grace = grace_days(config)
    if summary is None:
        conn.execute("DELETE FROM due_summary")
        conn.execute("DELETE FROM due_reasons")
        conn.execute("DELETE FROM due_csv_lines")
        conn.execute("DELETE FROM due_json_lines")
        conn.execute("DELETE FROM due_table_lines")
        conn.execute("DELETE FROM due_unlined")
        conn.execute(
            "INSERT OR IGNORE INTO due_dirty (customer_id) SELECT customer_id"
            " FROM callbacks INDEXED BY callbacks_pending_due"
            " WHERE status = 'pending' AND due_on <= ?",
            (today.isoformat(),),
        )
    elif summary.day < today:
        conn.execute(
            "INSERT OR IGNORE INTO due_dirty (customer_id) " + _changed_between(),
            {
                "due_from": summary.day.isoformat(),
                "due_to": today.isoformat(),
                "cut_from": (summary.day - timedelta(days=grace)).isoformat(),
                "cut_to": (today - timedelta(days=grace)).isoformat(),
            },
        )
    else:
        return False
    set_meta(conn, STATE_KEY, f"{today.isoformat()} {rules_of(config)}")
    return True
