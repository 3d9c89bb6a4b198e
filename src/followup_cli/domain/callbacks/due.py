"""The due list: exactly today's work, one row per customer, most urgent first.

Every pending reason of a customer due up to the window is merged into one row, so one
call covers them all. Urgency is a sum of documented terms (config `[urgency]`):

    overdue      overdue_day × min(days overdue, overdue_cap_days)
    grade        grade × (6 − customer grade)
    reason       the highest `urgency.reason` weight among the row's reasons
    reasons      extra_reason × (number of reasons − 1)
    open_tickets open_ticket × open complaints
    level2       level2 if a supervisor's second-level check is among the reasons
    retry        retry × the most failed attempts on one of the reasons
    unreachable  unreachable if the customer is flagged unreachable

The ranking is computed in SQL over the pending callbacks (one indexed pass), so the
cost follows the rows due, not the history. The same query hands over each row's
details (its reasons and contacts, as JSON arrays), so the rows stream out in ranked
order and in constant memory, without reading any callback twice: a long list gathers
the reasons in the ranking's pass; a short one (--limit) reads them for the rows shown.
"""

# No `from __future__ import annotations` here, unlike the other modules: the row types'
# annotations are then evaluated objects, and typing builds a NamedTuple from those
# several times faster than from strings (every `due` pays for it at start-up).

from collections.abc import Generator
from contextlib import closing, nullcontext
from dataclasses import dataclass, replace
from datetime import date, timedelta
from json import loads
from operator import itemgetter
from typing import Any, NamedTuple, cast

from followup_cli.domain.callbacks.due_summary import (
    REASON_FIELDS,
    SUMMARY_COLUMNS,
    Summary,
    aggregate,
    changed_sql,
    gathered,
    grace_days,
    pending,
    reach,
    summary_of,
)
from followup_cli.domain.callbacks.urgency import TERMS, urgency_terms
from followup_cli.domain.contacts.choice import ContactRule, choose_contact
from followup_cli.domain.session import Session
from followup_cli.support.i18n import current_language

FETCH = 1000  # rows taken from the query at a time
# Up to this --limit, a row's reasons are read for it once ranked; past it (and with no
# limit) they are gathered in the ranking's pass over every pending callback.
READ_AFTER_RANKING = 10_000


class RankedRow(NamedTuple):
    """A row of the due query, by name: the customer, its ranking and urgency terms
    (t_overdue ...; None unless asked for), its `reasons` and `contacts` as JSON arrays,
    and `total`, the rows before --limit (None unless a counted limit cuts the list)."""

    customer_id: int
    code: str
    name: str
    grade: int
    phone: str | None
    unreachable: int
    first_due: str
    days_overdue: int
    open_tickets: int
    booked: str | None  # the earliest appointment due by the day listed, if any
    urgency: float
    t_overdue: float | None
    t_grade: float | None
    t_reason: float | None
    t_reasons: float | None
    t_open_tickets: float | None
    t_level2: float | None
    t_retry: float | None
    t_unreachable: float | None
    reasons: str
    contacts: str
    total: int | None
    # 1 when a full list asked for kept lines and this row has one (due_keeping.py): its
    # reasons and contacts are then not read (NULL), the line is.
    lined: int | None


RANKED = RankedRow._fields[: RankedRow._fields.index("t_overdue")]
assert RankedRow._fields[len(RANKED) : len(RANKED) + len(TERMS)] == tuple(f"t_{n}" for n in TERMS)


class DueCallback(NamedTuple):
    """One pending callback of a row: a reason to call."""

    id: int
    due_on: str
    reason: str
    level: int
    detail: str | None
    role: str | None
    assignee: str | None
    attempts: int
    detail_message: str | None  # the detail's message (followup_cli.domain.texts), as stored
    event_id: int | None
    appointment_at: str | None  # booked (`callback book`): a timestamp with offset
    appointment_place: str | None


assert DueCallback._fields == REASON_FIELDS


class DueContact(NamedTuple):
    name: str
    phone: str | None
    role: str
    why: str  # the step of [contacts] callback_order that chose them (contact_choice)


class DueEntry(NamedTuple):
    """One row of the due list, flat and cheap to make (`record` gives it the shape of
    `due --format json`)."""

    customer_id: int
    code: str
    name: str
    grade: int
    tier: str
    contact: DueContact | None
    phone: str | None  # the contact's, else the customer's
    due_on: str  # the earliest reason's
    days_overdue: int
    assignee: str | None  # of the lead reason: the first, or the first for --staff/--role
    role: str | None
    urgency: float
    open_tickets: int
    unreachable: bool
    reasons: list[DueCallback]  # by due date
    terms: tuple[float, ...]  # one per TERMS; empty unless asked for

    def record(self, terms: bool = True) -> dict[str, Any]:
        """The row as `due --format json` prints it (with the urgency terms if `terms`)."""
        contact = self.contact
        data: dict[str, Any] = {
            "customer": {
                "id": self.customer_id,
                "code": self.code,
                "name": self.name,
                "grade": self.grade,
                "tier": self.tier,
            },
            "contact": (
                None
                if contact is None
                else {
                    "name": contact.name,
                    "phone": contact.phone,
                    "role": contact.role,
                    "chosen_as": contact.why,
                }
            ),
            "phone": self.phone,
            "due_on": self.due_on,
            "days_overdue": self.days_overdue,
            "assignee": self.assignee,
            "role": self.role,
            "urgency": self.urgency,
            "open_tickets": self.open_tickets,
            "unreachable": self.unreachable,
            "reasons": [
                {
                    "callback_id": cb_id,
                    "reason": reason,
                    "due_on": due_on,
                    "level": level,
                    "detail": detail,
                    "role": role,
                    "assignee": assignee,
                    "attempts": attempts,
                    "appointment": (
                        None if at is None and place is None else {"at": at, "place": place}
                    ),
                }
                for (
                    cb_id,
                    due_on,
                    reason,
                    level,
                    detail,
                    role,
                    assignee,
                    attempts,
                    _m,
                    _event,
                    at,
                    place,
                ) in self.reasons
            ],
        }
        if terms:
            data["terms"] = dict(zip(TERMS, self.terms, strict=True))
        return data


class KeptCells(NamedTuple):
    """A row of the plain table as the due summary keeps it (due_keeping.py): its cells
    but the day's two, joined by `CELL_SEPARATOR`, each as the table prints it in the
    interface language, with their widths in terminal cells ("7,30,1,..."); the day's
    urgency and days overdue to put in."""

    urgency: float
    days_overdue: int
    cells: str
    widths: str
    unreachable: bool


# Between a kept row's cells: a control character, which no printed cell holds (every
# cell is escaped: support/controls.visible).
CELL_SEPARATOR = "\x1f"


@dataclass
class DueFilter:
    on: date
    days: int = 0
    staff: str | None = None
    role: str | None = None
    grade: int | None = None
    overdue: bool = False
    limit: int | None = None
    # Only the customers in this temp table (customer_id): the due summary's keeping.
    within: str | None = None


# Kept lines of a full list (due_keeping.py): "csv", "json", or "table" (the plain
# table, in the interface language).
LINES = ("csv", "json", "table")


@dataclass
class DueList:
    rows: list[DueEntry]
    total: int  # customers matching, before --limit


@dataclass
class DueEntries:
    """The due list of `flt`, most urgent first, read as it is iterated (read-only; one
    snapshot, one query). Once the iteration is over, `total` holds the customers
    matching before --limit (counted only if `counted`)."""

    session: Session
    flt: DueFilter
    terms: bool = False  # hand over the urgency terms too (--explain)
    counted: bool = True
    messages: bool = True  # read each detail's message (for a table not in English)
    total: int = 0

    def __iter__(self) -> Generator[DueEntry, None, None]:
        """The entries; close the generator if the iteration stops early (it holds a
        read transaction open, unless the caller's transaction is open already)."""
        return cast(Generator[DueEntry, None, None], self.items(None))

    def lines(self, kind: str | None) -> Generator[DueEntry | str, None, None]:
        """`items` of a csv or json list (`kind`; None: the entries only)."""
        assert kind in (None, "csv", "json")
        return cast(Generator[DueEntry | str, None, None], self.items(kind))

    def table_rows(self, kept: bool) -> Generator[DueEntry | KeptCells, None, None]:
        """`items` of the table: with `kept`, the rows the summary keeps as KeptCells."""
        return cast(
            Generator[DueEntry | KeptCells, None, None], self.items("table" if kept else None)
        )

    def items(self, lines: str | None) -> Generator[DueEntry | str | KeptCells, None, None]:
        """The entries, except that with `lines` ("csv", "json") a full list hands over
        a row the summary keeps the line of (due_keeping.py) as that line (a str, the
        day's urgency and days overdue put in, no line end): the same text its DueEntry
        would print, without making it again. With "table", such a row is its KeptCells
        in the interface language."""
        flt, terms = self.flt, self.terms
        tier = self.session.config.tier
        rule = ContactRule.of(self.session.config["contacts"])
        tiers: dict[int, str] = {}
        count = 0
        conn = self.session.conn
        with nullcontext(conn) if conn.in_transaction else self.session.read():
            sql, params = ranking_sql(
                self.session,
                flt,
                total=self.counted,
                messages=self.messages,
                terms=terms,
                summary=summary_of(conn, self.session.config),
                lines=lines,
            )
            cursor = conn.cursor()
            cursor.row_factory = _ranked_row
            cursor.execute(sql, params)
            json, table = lines == "json", lines == "table"
            while rows := cursor.fetchmany(FETCH):
                if count == 0 and flt.limit is not None and self.counted:
                    self.total = rows[0].total or 0
                count += len(rows)
                made = [r.reasons for r in rows if not r.lined]
                found = iter(parse_batch(made)) if made else iter(())
                kept = _kept_lines(conn, lines, [r.customer_id for r in rows if r.lined])
                # A line the table should hold and does not (removed by hand) is made.
                lost = [r.customer_id for r in rows if r.lined and r.customer_id not in kept]
                again = self._made_again(lost) if lost else {}
                for r in rows:
                    if r.lined:
                        if r.customer_id in again:
                            yield again[r.customer_id]
                            continue
                        head, mid, tail = kept[r.customer_id]
                        if table:
                            yield KeptCells(
                                float(r.urgency), int(r.days_overdue), head, mid,
                                bool(r.unreachable),
                            )  # fmt: skip
                            continue
                        days, urgency = int(r.days_overdue), repr(float(r.urgency))
                        yield (
                            f"{head}{days}{mid}{urgency}{tail}"
                            if json
                            else f"{urgency},{head},{days},{tail}"
                        )
                        continue
                    if r.grade not in tiers:
                        tiers[r.grade] = tier(r.grade)
                    yield _entry(r, next(found), flt, tiers[r.grade], terms, rule)
        if flt.limit is None:
            self.total = count

    def _made_again(self, ids: list[int]) -> dict[int, DueEntry]:
        """These customers' entries made from their callbacks (in the open snapshot)."""
        conn = self.session.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS due_made (customer_id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.due_made")
        conn.executemany("INSERT INTO temp.due_made VALUES (?)", [(i,) for i in ids])
        flt = replace(self.flt, within="due_made", limit=None)
        made = DueEntries(self.session, flt, self.terms, counted=False, messages=self.messages)
        return {e.customer_id: e for e in made}


def _kept_lines(conn: Any, lines: str | None, ids: list[int]) -> dict[int, tuple[str, str, str]]:
    """The kept lines of these customers (due_csv_lines, due_json_lines, or the table's
    rows in the interface language: due_table_lines), in three parts (a csv line's
    middle one empty; a table row's cells, widths and nothing)."""
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    params: list[Any] = list(ids)
    if lines == "table":
        source = "cells, widths, '' FROM due_table_lines WHERE language = ? AND"
        params.insert(0, current_language())
    elif lines == "csv":
        source = "head, '', tail FROM due_csv_lines WHERE"
    else:
        source = "head, mid, tail FROM due_json_lines WHERE"
    sql = f"SELECT customer_id, {source} customer_id IN ({marks})"
    return {r[0]: (r[1], r[2], r[3]) for r in conn.execute(sql, params)}


def due_list(session: Session, flt: DueFilter) -> DueList:
    """The rows of the due list for `flt`, ranked (read-only; one snapshot)."""
    entries = DueEntries(session, flt, terms=True)
    with closing(iter(entries)) as read:
        rows = list(read)
    return DueList(rows, entries.total)


# -- the query -----------------------------------------------------------------------


# -- speed tricks, each beside its plain version ---------------------------------------
#
# `ranking_sql(..., plain=True)` builds the query with the plain versions; tests/test_due.py
# holds both queries to the same rows on random data and coefficients.


def pending_source(alias: str, *, plain: bool = False) -> str:
    """The callbacks table for the ranking's pass. Forced through the pending-due index
    (SQLite-only: INDEXED BY), whatever the planner guesses from a small table's missing
    statistics, so the cost follows the rows due, not the history; plainly, the table."""
    return f"callbacks {alias}" if plain else f"callbacks {alias} INDEXED BY callbacks_pending_due"


def parse_batch(texts: list[str]) -> list[Any]:
    """JSON arrays, parsed in one call for the whole batch (one parse per row costs far
    more); `parse_each` is the plain version."""
    return loads("[" + ",".join(texts) + "]")  # type: ignore[no-any-return]


def parse_each(texts: list[str]) -> list[Any]:
    return [loads(text) for text in texts]


def _ranked_row(_cursor: Any, row: tuple[Any, ...]) -> RankedRow:
    return RankedRow._make(row)


def _contacts(row: str, when: str | None = None) -> str:
    """The contacts of the customer of `row` who are still there (not left) as a JSON
    array of objects, in no particular order, each with the ids of the events that name
    them (an indexed lookup, events_contact); only `when` it holds, if given (else
    NULL)."""
    found = (
        "(SELECT json_group_array(json_object('id', k.id, 'name', k.name, 'phone', k.phone,"
        " 'role', k.role, 'is_primary', k.is_primary, 'events', (SELECT json_group_array(e.id)"
        " FROM events e WHERE e.contact_id = k.id))) FROM contacts k"
        f" WHERE k.customer_id = {row}.customer_id AND k.left_on IS NULL)"
    )
    return (
        f"{found} AS contacts" if when is None else f"CASE WHEN {when} THEN {found} END AS contacts"
    )


def ranking_sql(
    session: Session,
    flt: DueFilter,
    *,
    total: bool = True,
    plain: bool = False,
    messages: bool = True,
    terms: bool = True,
    summary: Summary | None = None,
    lines: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """The due list in one query: one row per customer, most urgent first, with the
    columns of RankedRow (the urgency terms if `terms`, `total` counted if `total` and a
    limit cuts the list, each detail's message if `messages`). With `plain`, the speed
    tricks above give way to their plain versions. With a `summary` (due_summary.py)
    that reaches the day, customers it answers for are read from it and the others
    ranked live from their callbacks; without, every customer is ranked live. With
    `lines` ("csv", "json"), a full list hands over the kept lines of the summary's
    customers (line_head ...) instead of their reasons and contacts."""
    u = session.config["urgency"]
    weights = u["reason"]
    end_day = flt.on + timedelta(days=flt.days)
    end = end_day.isoformat()
    grace = grace_days(session.config)
    cut_day = flt.on - timedelta(days=grace)
    greeting_cut = cut_day.isoformat()
    params: dict[str, Any] = {"end": end, "greeting_cut": greeting_cut, "on": flt.on.isoformat()}
    where = ["c.archived = 0"]
    # The same filters over a summary row `s` (which holds the grade; archived customers
    # have none), for choosing the summary's candidates.
    kept_where: list[str] = []
    if flt.grade is not None:
        where.append("c.grade = :grade")
        kept_where.append("s.grade = :grade")
        params["grade"] = flt.grade
    if flt.overdue:
        where.append("d.first_due < :on")
        kept_where.append("s.first_due < :on")
    if flt.staff or flt.role:
        match = []
        if flt.staff:
            match.append("x.assignee = :staff")
            params["staff"] = flt.staff
        if flt.role:
            match.append("x.role = :role")
            params["role"] = flt.role
        for rows, conditions in (("d", where), ("s", kept_where)):
            conditions.append(
                f"EXISTS (SELECT 1 FROM callbacks x WHERE x.customer_id = {rows}.customer_id"
                " AND x.status = 'pending' AND x.due_on <= :end AND " + " AND ".join(match) + ")"
            )
    late = "max(CAST(julianday(:on) - julianday(d.first_due) AS INTEGER), 0)"
    expressions, exact = urgency_terms(u, late, plain=plain)
    summed = " + ".join(f"t_{name}" for name in TERMS)
    ranked = [*RANKED[:-1], f"{summed} AS urgency" if exact else f"round({summed}, 2) AS urgency"]
    # The terms themselves only when asked for (--explain): each selected one is computed
    # again for every row.
    ranked += [f"t_{name}" if terms else f"NULL AS t_{name}" for name in TERMS]
    # Appointments due by the day listed first, by their time (seed 003 预约回访时间和地点:
    # a booked visit keeps its hour); then the rest by urgency.
    order = "ORDER BY booked IS NULL, booked, urgency DESC, first_due, code"
    # A long list gathers each customer's reasons in the ranking's one pass over the
    # pending callbacks; a short one (--limit) reads them for the rows shown only.
    limited = flt.limit is not None
    gather = flt.limit is None or flt.limit > READ_AFTER_RANKING
    reached = (
        None if plain or summary is None or flt.within else reach(summary, end_day, cut_day, grace)
    )
    # The kept lines serve a full list of every row as it is kept: unfiltered by staff or
    # role (they choose the lead reason), without the terms.
    kept_lines = (
        lines in LINES and reached is not None and gather and not (flt.staff or flt.role or terms)
    )
    no_lines = ", NULL AS lined"
    live = (
        f"SELECT cb.customer_id, {aggregate('cb', weights)}"
        + (f", {gathered('cb', messages)} AS reasons" if gather else "")
        + (no_lines if kept_lines else "")
    )
    if flt.within:
        source = (
            f"{live} FROM temp.{flt.within} b CROSS JOIN callbacks cb INDEXED BY"
            f" callbacks_customer ON cb.customer_id = b.customer_id WHERE {pending('cb')}"
            " GROUP BY cb.customer_id"
        )
    elif reached is None:
        source = (
            f"{live} FROM {pending_source('cb', plain=plain)} WHERE {pending('cb')}"
            " GROUP BY cb.customer_id"
        )
    elif kept_lines:
        # A customer of the summary has its line kept unless it waits for one (due_unlined).
        kept = ", ".join(f"s.{name}" for name in ("customer_id", *SUMMARY_COLUMNS))
        unlined = "s.customer_id IN (SELECT customer_id FROM due_unlined)"
        source = (
            f"SELECT {kept}, CASE WHEN {unlined} THEN (SELECT x.reasons FROM due_reasons x"
            f" WHERE x.customer_id = s.customer_id) END AS reasons, CASE WHEN {unlined} THEN 0 ELSE 1 END AS lined"
            " FROM due_summary s WHERE s.customer_id NOT IN ch UNION ALL"
            f" {live} FROM callbacks cb WHERE cb.customer_id IN ch AND {pending('cb')}"
            " GROUP BY cb.customer_id"
        )
        params.update(vars(reached))
    else:
        # The summary's rows for the customers it answers for; the others (`ch`) live.
        # A short list takes from the summary only the candidates for its rows (read in
        # index order: candidates()); a long one every row.
        params.update(vars(reached))
        kept = ", ".join(f"s.{name}" for name in ("customer_id", *SUMMARY_COLUMNS))
        chosen = "s.customer_id NOT IN ch"
        if limited and not gather:
            assert flt.limit is not None
            chosen = f"s.customer_id IN ({candidates(flt, u, kept_where, params)})"
        source = (
            f"SELECT {kept}"
            + (
                " , x.reasons FROM due_summary s JOIN due_reasons x USING (customer_id)"
                if gather
                else " FROM due_summary s"
            )
            + f" WHERE {chosen} UNION ALL"
            f" {live} FROM callbacks cb WHERE cb.customer_id IN ch AND {pending('cb')}"
            " GROUP BY cb.customer_id"
        )
    sql = (
        ("WITH " if reached is None else f"WITH ch AS ({changed_sql()}), ") + f"d AS ({source}),"
        " t AS (SELECT customer_id, count(*) AS n FROM tickets WHERE status != 'closed'"
        " GROUP BY customer_id),"
        " r AS (SELECT d.customer_id, d.first_due, c.code, c.name, c.grade, c.phone,"
        f" c.unreachable, coalesce(t.n, 0) AS open_tickets, {late} AS days_overdue,"
        " CASE WHEN substr(d.booked_at, 1, 10) <= :on THEN d.booked_at END AS booked, "
        + ", ".join(f"{expressions[name]} AS t_{name}" for name in TERMS)
        + (", d.reasons" if gather else "")
        + (", d.lined" if kept_lines else "")
        + " FROM d JOIN customers c ON c.id = d.customer_id"
        " LEFT JOIN t ON t.customer_id = d.customer_id"
        f" WHERE {' AND '.join(where)})"
    )
    if not limited:
        if kept_lines:
            sql += (
                f" SELECT {', '.join(ranked)}, reasons, {_contacts('r', 'coalesce(r.lined, 0) = 0')},"
                f" NULL, lined FROM r {order}"
            )
            return sql, params
        sql += (
            f" SELECT {', '.join(ranked)}, reasons, {_contacts('r')}, NULL{no_lines} FROM r {order}"
        )
        return sql, params
    params["limit"] = flt.limit
    # Counted over `r` as the ranking reads it, not by a window over every row: the sort
    # then keeps only the rows shown.
    count = ", (SELECT count(*) FROM r) AS total" if total else ", NULL AS total"
    if total and reached is not None and not gather:
        # `r` holds only the summary's candidates: the rest are counted in the summary.
        kept_count = (
            " - ".join(
                f"(SELECT count(*) FROM due_summary s WHERE s.customer_id {test})"
                for test in ("IS NOT NULL", "IN ch")
            )
            if not kept_where
            else "(SELECT count(*) FROM due_summary s WHERE "
            + " AND ".join(["s.customer_id NOT IN ch", *kept_where])
            + ")"
        )
        count = f", {kept_count} + (SELECT count(*) FROM r WHERE r.customer_id IN ch) AS total"
    if gather:
        # (A long list cut by --limit takes the kept lines too, as a full one does.)
        contacts = _contacts("r", "coalesce(r.lined, 0) = 0") if kept_lines else _contacts("r")
        sql += (
            f" SELECT {', '.join(ranked)}, reasons, {contacts}{count}"
            f"{', lined' if kept_lines else no_lines} FROM r {order} LIMIT :limit"
        )
        return sql, params
    reasons = (
        f"(SELECT {gathered('p', messages)} FROM callbacks p"
        f" WHERE p.customer_id = top.customer_id AND {pending('p')}) AS reasons"
    )
    sql += (
        f", top AS (SELECT {', '.join(ranked)} FROM r {order} LIMIT :limit)"
        f" SELECT top.*, {reasons}, {_contacts('top')}{count}{no_lines} FROM top {order}"
    )
    return sql, params


def candidates(flt: DueFilter, u: Any, kept_where: list[str], params: dict[str, Any]) -> str:
    """The customers of the summary (not in `ch`) that can be among the first
    `flt.limit` rows, read in index order: all whose booking falls by the day (listed
    first), and in each stretch of the overdue term (capped: fd ≤ on − cap, ordered by
    `base`; growing: on − cap < fd ≤ on, by `slope`; not yet due: fd > on, by base)
    those whose key reaches the stretch's limit-th key, less a margin for the terms'
    rounding. The ranking then orders them exactly."""
    cap = int(u["overdue_cap_days"])
    params.update(
        cap_day=(flt.on - timedelta(days=cap)).isoformat(),
        booked_before=(flt.on + timedelta(days=1)).isoformat(),
        offset=int(flt.limit or 1) - 1,
        margin=CANDIDATE_MARGIN,
    )
    until = "s.first_due < :on" if flt.overdue else "s.first_due <= :on"
    # Where it grows, the overdue term is overdue_day × (on − first due): in order of
    # `slope` (base − overdue_day × first due, kept), whatever the day.
    stretches = [
        ("s.first_due <= :cap_day", "s.base"),
        (f"s.first_due > :cap_day AND {until}", "s.slope"),
    ]
    if flt.days and not flt.overdue:
        stretches.append(("s.first_due > :on AND s.first_due <= :end", "s.base"))
    shared = ["s.customer_id NOT IN ch", *kept_where]
    parts = [
        "SELECT s.customer_id FROM due_summary s WHERE s.booked_at IS NOT NULL"
        f" AND s.booked_at < :booked_before AND {' AND '.join(shared)}"
    ]
    for condition, key in stretches:
        found = " AND ".join([condition, *shared])
        floor = (
            f"coalesce((SELECT {key} AS key FROM due_summary s WHERE {found}"
            " ORDER BY key DESC LIMIT 1 OFFSET :offset), -1e308)"
        )
        parts.append(
            f"SELECT s.customer_id FROM due_summary s WHERE {found} AND {key} >= {floor} - :margin"
        )
    return " UNION ".join(parts)


# The most a candidate's key (the summary's base plus the overdue term, unrounded) can
# differ from its urgency (the sum of terms each rounded to the hundredth, rounded).
CANDIDATE_MARGIN = 0.1


# -- a row ---------------------------------------------------------------------------

_BY_DUE_DATE = itemgetter(1, 0)  # a callback's due_on, then id
_BY_ID = itemgetter("id")
_callback = DueCallback._make


def _entry(
    r: RankedRow,
    reasons_found: list[list[Any]],
    flt: DueFilter,
    tier: str,
    terms: bool,
    rule: ContactRule,
) -> DueEntry:
    """A row of the due query (its reasons as parsed) as a DueEntry."""
    if len(reasons_found) > 1:
        reasons_found.sort(key=_BY_DUE_DATE)
    reasons = list(map(_callback, reasons_found))
    lead = reasons[0] if reasons else None
    if flt.staff or flt.role:
        lead = next(
            (
                x
                for x in reasons
                if (flt.staff is None or x.assignee == flt.staff)
                and (flt.role is None or x.role == flt.role)
            ),
            lead,
        )
    contact = None
    phone = r.phone
    if r.contacts != "[]":
        contacts = loads(r.contacts)
        contacts.sort(key=_BY_ID)
        chosen = choose_contact(contacts, [(x.reason, x.event_id) for x in reasons], rule)
        if chosen is not None:
            c = chosen.contact
            contact = DueContact(c["name"], c["phone"], c["role"], chosen.why)
            if contact.phone:
                phone = contact.phone
    return DueEntry(
        r.customer_id,
        r.code,
        r.name,
        r.grade,
        tier,
        contact,
        phone,
        r.first_due,
        int(r.days_overdue),
        lead.assignee if lead is not None else None,
        lead.role if lead is not None else None,
        float(r.urgency),
        int(r.open_tickets),
        bool(r.unreachable),
        reasons,
        _terms(r) if terms else (),
    )


def _terms(r: RankedRow) -> tuple[float, ...]:
    """The row's urgency terms, in TERMS order (selected only when asked for)."""
    found = (
        r.t_overdue,
        r.t_grade,
        r.t_reason,
        r.t_reasons,
        r.t_open_tickets,
        r.t_level2,
        r.t_retry,
        r.t_unreachable,
    )
    return tuple(float(t or 0.0) for t in found)
