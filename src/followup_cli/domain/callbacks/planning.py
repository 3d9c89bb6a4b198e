"""Callback planning: from what happened and who the customer is, plan every callback.

Rules (all numbers from config, SPEC section 3):
- event callbacks at offsets from the event date, never chained;
- a level-2 check by a supervisor after the first completed level-1 callback on an event;
- visits per grade and role, chained from the last completed (or skipped) visit;
- a yearly floor, re-anchored by every reached call;
- birthday and festival greetings, planned a few weeks ahead, on the working day before;
- working days: planned dates on weekends and public holidays move to the next working
  day (make-up working days count as working), greetings to the previous one;
- history is not a backlog: nothing that would have fallen due more than
  `stale_after_days` ago is planned;
- no flood: a customer without history gets its first periodic callbacks on the
  working days of the first interval, each on the day with the fewest pending callbacks
  for its role (levelling.py), ties broken by a hash of the customer code:
  deterministic, and levelled against what is already planned.

Planning is idempotent: every callback has a unique `plan_key`; planning the same thing
twice inserts nothing (a callback cancelled by the system is revived instead).
All functions here run inside the caller's write transaction; what they write goes
through store.py, the callbacks table's one writer.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from followup_cli.domain.callbacks import store
from followup_cli.domain.callbacks.store import Planned, id_scope, marks
from followup_cli.domain.session import Session
from followup_cli.domain.staff.roster import Roster
from followup_cli.domain.texts import Message, Text, columns, message
from followup_cli.store.engines import stage_row
from followup_cli.support.dates import Interval, birthday_in_year
from followup_cli.support.workdays import WorkCalendar, load_calendar

if TYPE_CHECKING:
    from followup_cli.domain.callbacks.levelling import Workload


def spread_offset(key: str, days: int) -> int:
    """A deterministic position in [0, days) for `key`: where a first callback looks
    first for the least-loaded working day."""
    return zlib.crc32(key.encode("utf-8")) % max(days, 1)


@dataclass(frozen=True)
class PeriodicReads:
    """What planning some customers' visits and yearly floors reads (`periodic_reads`):
    their records (by id, in id order), the day each was last reached, each chain's
    last closed visit or yearly callback, and the chains still pending."""

    customers: dict[int, sqlite3.Row]
    last_reached: dict[int, str]
    last_visit: dict[tuple[int, str], str]
    last_yearly: dict[int, str]
    pending: set[tuple[int, str, str]]


# A change to a pending callback already written by a call planned after the one being
# planned (domain/calls/waves.py): (that call's place in its wave, the callback's role,
# the day it was due, the day it is due now or None when it is no longer pending).
WrittenAhead = tuple[int, str | None, date, date | None]


@dataclass
class Planner:
    """Plans callbacks for one session inside its write transaction."""

    session: Session
    conn: sqlite3.Connection
    calendar: WorkCalendar = field(init=False)
    roster: Roster = field(init=False)
    _queue: list[Planned] = field(default_factory=list)
    _closed: dict[tuple[int, str, str], int] = field(default_factory=dict)
    _event_dates: dict[tuple[str, str, str], list[tuple[str, date, date]]] = field(
        default_factory=dict
    )
    _workload: Workload | None = None
    _windows: dict[date, list[date]] = field(default_factory=dict)
    # False: planning ahead outside a write transaction (nothing is written).
    writing: bool = True
    # A wave of calls settled together (domain/calls/waves.py): the place of the call
    # being planned, where its plans begin in the queue, and the changes the wave's later
    # calls already wrote; a window of the workload read meanwhile is counted as it
    # would be had the calls been settled one by one (`_pending_between`).
    _call: int = -1
    _call_from: int = 0
    _ahead: list[WrittenAhead] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.calendar = load_calendar(self.conn, self.session.today, store=self.writing)
        self.roster = Roster.load(self.conn)

    # -- configuration -------------------------------------------------------
    @property
    def cfg(self) -> dict[str, Any]:
        return self.session.config["planning"]  # type: ignore[no-any-return]

    @property
    def today(self) -> date:
        return self.session.today

    @property
    def stale_before(self) -> date:
        return self.today - timedelta(days=int(self.cfg["stale_after_days"]))

    def interval(self, text: str, where: str) -> Interval:
        return self.session.config.interval(text, where)

    def has_staff(self, role: str) -> bool:
        return self.roster.has(role)

    def assignee(self, role: str | None, department: str | None, spread: int) -> str | None:
        return self.roster.pick(role, department, spread)

    # -- queue ---------------------------------------------------------------
    def add(self, planned: Planned) -> None:
        self._queue.append(planned)
        if self._workload is not None and planned.role is not None:
            self._workload.add(planned.role, planned.due_on)

    @property
    def workload(self) -> Workload:
        """Pending callbacks per role and day: each window of working days read when it
        is first needed (one indexed GROUP BY over that role and those days), with what
        this planner has not written yet, then counted as it plans."""
        if self._workload is None:
            # Only planning a first periodic callback loads the levelling (log-call's start-up).
            from followup_cli.domain.callbacks.levelling import Workload

            self._workload = Workload(load=self._pending_between)
        return self._workload

    def _pending_between(self, role: str, first: date, last: date) -> dict[date, int]:
        if self._call_from:
            # (a wave: the plans of its calls before this one are written first, as they
            # would have been)
            earlier, self._queue = self._queue[: self._call_from], self._queue[self._call_from :]
            store.insert_planned(self.conn, earlier, self.session.stamp)
            self._call_from = 0
        counts = store.pending_between(self.conn, role, first, last, self.session.copied)
        for p in self._queue:  # planned, not yet written
            if p.role == role and first <= p.due_on <= last:
                counts[p.due_on] = counts.get(p.due_on, 0) + 1
        for call, of, before, after in self._ahead:  # written ahead of their turn: undone
            if call > self._call and of == role:
                if first <= before <= last:
                    counts[before] = counts.get(before, 0) + 1
                if after is not None and first <= after <= last:
                    counts[after] -= 1
        return counts

    def in_wave(self, call: int, ahead: list[WrittenAhead]) -> None:
        """Plan next for the call at `call` of a wave whose calls wrote `ahead`
        (domain/calls/waves.py); `call` -1: the wave is over."""
        self._call, self._ahead = call, ahead
        self._call_from = len(self._queue) if call >= 0 else 0

    def first_interval(self, interval: Interval) -> list[date]:
        """The working days from today to one `interval` later (excluded); the next
        working day when there is none."""
        end = interval.after(self.today)
        days = self._windows.get(end)
        if days is None:
            days = []
            day = self.today
            while day < end:
                if self.calendar.is_working(day):
                    days.append(day)
                day += timedelta(days=1)
            days = days or [self.calendar.next_working(self.today)]
            self._windows[end] = days
        return days

    def flush(self) -> int:
        """Insert what was planned; an existing plan_key is left alone unless the system
        had cancelled it, in which case it is revived with the new date."""
        written = store.insert_planned(self.conn, self._queue, self.session.stamp)
        self._queue.clear()
        return written

    # -- events --------------------------------------------------------------
    def event_dates(self, kind: str, tier: str, day: str) -> list[tuple[str, date, date]]:
        """(offset, anchor, due) of the callbacks an event of `kind` for a customer of
        `tier` anchored on `day` plans, the stale ones left out. Memoised: a large import
        has few distinct (kind, tier, day)."""
        key = (kind, tier, day)
        found = self._event_dates.get(key)
        if found is None:
            start = date.fromisoformat(day)
            stale_before = self.stale_before
            found = []
            for text in self.session.config.event_offsets(kind, tier):
                anchor = self.interval(text, f"planning.event_offsets.{kind}").after(start)
                due = self.calendar.next_working(anchor)
                if due >= stale_before:
                    found.append((text, anchor, due))
            self._event_dates[key] = found
        return found

    def plan_events(self, event_ids: list[int]) -> None:
        """Callbacks at the configured offsets from each event's date (or the day its
        machine went into use)."""
        role = self.cfg["event_role"]
        for chunk in chunks(event_ids):
            rows = self.conn.execute(
                "SELECT e.id, e.customer_id, e.kind, e.date, e.ref, e.machine, c.department,"
                " c.grade, e.in_use FROM events e JOIN customers c ON c.id = e.customer_id"
                f" WHERE c.archived = 0 AND e.id IN ({marks(chunk)})",
                chunk,
            ).fetchall()
            for event_id, customer_id, *event in rows:
                for text, due, anchor, who, detail in self._event_plans(customer_id, *event):
                    self.add(
                        Planned(
                            customer_id=customer_id,
                            due_on=due,
                            reason="event",
                            source="event",
                            plan_key=f"event:{event_id}:{text}",
                            planned_on=anchor,
                            role=role,
                            assignee=who,
                            detail=detail,
                            event_id=event_id,
                        )
                    )
            if len(self._queue) >= FLUSH_AT:
                self.flush()
        self.flush()

    def _event_plans(
        self,
        customer_id: int,
        kind: str,
        day: str,
        ref: str | None,
        machine: str | None,
        department: str | None,
        grade: int,
        in_use: str | None,
    ) -> list[tuple[str, date, date, str | None, Message]]:
        """(offset, due, anchor, assignee, detail) of each callback an event plans: from
        the day its machine went into use when known (seed 000: call when the customer
        can judge), else from the event's date."""
        planned = self.event_dates(kind, self.session.config.tier(grade), in_use or day)
        if not planned:
            return []
        what = " ".join(x for x in (day, ref, machine) if x)
        who = self.assignee(self.cfg["event_role"], department, customer_id)
        if in_use:
            return [
                (
                    text,
                    due,
                    anchor,
                    who,
                    message(
                        "callback.event_in_use", kind=kind, what=what, offset=text, in_use=in_use
                    ),
                )
                for text, anchor, due in planned
            ]
        return [
            (text, due, anchor, who, message("callback.event", kind=kind, what=what, offset=text))
            for text, anchor, due in planned
        ]

    # An import plans its events before it takes the write lock (the rows are staged,
    # without ids yet) and inserts the plans after its events, in one statement.
    def stage_event_plans(self, stage: str, since: date) -> str:
        """Plan the staged events `temp.{stage}` (customer_id, kind, date, ref, machine,
        in_use) anchored `since` or later into a temp table, whose name is returned; its
        rows refer to the stage's rows by number (store.engines.stage_row)."""
        plans = f"{stage}_plans"
        self.conn.execute(f"DROP TABLE IF EXISTS temp.{plans}")
        self.conn.execute(
            f"CREATE TEMP TABLE {plans} (row INTEGER, step TEXT, due_on TEXT,"
            " planned_on TEXT, assignee TEXT, detail TEXT, detail_message TEXT)"
        )
        rows = self.conn.execute(
            f"SELECT {stage_row(self.conn, 's')}, s.customer_id, s.kind, s.date, s.ref, s.machine, c.department,"
            f" c.grade, s.in_use FROM temp.{stage} s JOIN customers c ON c.id = s.customer_id"
            " WHERE c.archived = 0 AND coalesce(s.in_use, s.date) >= ?",
            (since.isoformat(),),
        )
        insert = f"INSERT INTO temp.{plans} VALUES (?, ?, ?, ?, ?, ?, ?)"
        batch: list[tuple[Any, ...]] = []
        for row, customer_id, *event in rows:
            for text, due, anchor, who, detail in self._event_plans(customer_id, *event):
                batch.append(
                    (row, text, due.isoformat(), anchor.isoformat(), who, *columns(detail))
                )
            if len(batch) >= FLUSH_AT:
                self.conn.executemany(insert, batch)
                batch.clear()
        self.conn.executemany(insert, batch)
        return plans

    def insert_event_plans(self, stage: str, plans: str, after_id: int) -> int:
        """Insert the plans of `stage_event_plans` for the events with an id above
        `after_id` (the ones just inserted), matched by their natural key."""
        return store.insert_event_plans(
            self.conn, stage, plans, after_id, self.cfg["event_role"], self.session.stamp
        )

    def plan_second_level(
        self, callback: sqlite3.Row, call_day: date, events: dict[int, sqlite3.Row] | None = None
    ) -> None:
        """A check by the kind's checking role after the first completed level-1 callback
        on an event, whatever its kind (seed 000: at least two levels). `events`: the
        events read already (`events_of`), else read here."""
        rule = self.session.config["planning"]["second_level"]
        if callback["level"] != 1 or callback["event_id"] is None:
            return
        if events is None:
            events = self.events_of([callback["event_id"]])
        event = events.get(callback["event_id"])
        if event is None:
            return
        role = self.session.config.second_level_role(event["kind"])
        if role is None:
            return
        anchor = self.interval(rule["after"], "planning.second_level.after").after(call_day)
        due = self.calendar.next_working(anchor)
        if due < self.stale_before:
            return
        self.add(
            Planned(
                customer_id=callback["customer_id"],
                due_on=due,
                reason="second-level",
                source="event",
                plan_key=f"second-level:event:{callback['event_id']}",
                planned_on=anchor,
                level=2,
                role=role,
                assignee=self.assignee(role, event["department"], callback["customer_id"]),
                detail=message(
                    "callback.second_level",
                    kind=event["kind"],
                    date=event["date"],
                    ref=event["ref"] or "",
                ),
                event_id=callback["event_id"],
                parent_id=callback["id"],
            )
        )

    def events_of(self, event_ids: list[int]) -> dict[int, sqlite3.Row]:
        """The events a level-2 check is planned after (kind, date, ref, department)."""
        found: dict[int, sqlite3.Row] = {}
        for chunk in chunks(event_ids):
            for row in self.conn.execute(
                "SELECT e.id, e.kind, e.date, e.ref, c.department FROM events e"
                f" JOIN customers c ON c.id = e.customer_id WHERE e.id IN ({marks(chunk)})",
                chunk,
            ):
                found[row["id"]] = row
        return found

    # -- calls and tickets ----------------------------------------------------
    def retry_day(self, call_day: date) -> date:
        """When a call that did not reach the customer is tried again: the next
        working day after it."""
        return self.calendar.next_working(call_day + timedelta(days=1))

    def plan_retry(
        self, customer_id: int, call_id: int, caller: str, outcome: str, call_day: date
    ) -> str | None:
        """A retry for a missed call that settled no callback, for the caller, on the
        retry day; returns its plan_key, or None when that day is already stale."""
        retry_on = self.retry_day(call_day)
        if retry_on < self.stale_before:
            return None
        plan_key = f"retry:{call_id}"
        self.add(
            Planned(
                customer_id=customer_id,
                due_on=retry_on,
                reason="retry",
                source="call",
                plan_key=plan_key,
                planned_on=retry_on,
                role=None,
                assignee=caller,
                detail=message("callback.retry", outcome=outcome, date=call_day.isoformat()),
            )
        )
        return plan_key

    def plan_ticket_verify(
        self, ticket_id: int, customer_id: int, closes: int, summary: Text | None
    ) -> None:
        """A check with the customer, `tickets.verify_after` from today, that the fix of a
        closed ticket held; `closes` counts the ticket's closes (a reopened ticket closed
        again is verified again)."""
        anchor = self.interval(
            self.session.config["tickets"]["verify_after"], "tickets.verify_after"
        ).after(self.today)
        role = self.cfg["event_role"]
        self.add(
            Planned(
                customer_id=customer_id,
                due_on=self.calendar.next_working(anchor),
                reason="ticket-verify",
                source="ticket",
                plan_key=f"ticket-verify:{ticket_id}:{closes}",
                planned_on=anchor,
                role=role,
                assignee=self.assignee(role, None, customer_id),
                detail=message("callback.verify", id=ticket_id, summary=summary),
                ticket_id=ticket_id,
            )
        )

    # -- periodic --------------------------------------------------------------
    def plan_customers(self, customer_ids: list[int] | None, *, replan: bool = False) -> None:
        """Visits, the yearly floor and greetings for these customers (None: all)."""
        for chunk in chunks(customer_ids) if customer_ids is not None else [None]:
            self._plan_chunk(chunk, replan)
            if len(self._queue) >= FLUSH_AT:
                self.flush()
        self.flush()

    def _plan_chunk(self, ids: list[int] | None, replan: bool) -> None:
        if replan:
            store.cancel_pending_visits(self.conn, ids, self.today, self.session.stamp)
        reads = self.periodic_reads(ids)
        for c in reads.customers.values():  # (ORDER BY id: the order levelling sees)
            self._plan_periodic(c, reads)
        for planned in self._greetings(ids):
            self.add(planned)

    def periodic_reads(self, ids: list[int] | None) -> PeriodicReads:
        """What planning these customers' visits, yearly floors and greetings reads, in a
        few statements over them all (None: all customers)."""
        scope, params = id_scope("customer_id", ids)
        cscope, _ = id_scope("id", ids)
        customers = {
            r["id"]: r
            for r in self.conn.execute(
                "SELECT id, code, grade, owner, department FROM customers"
                f" WHERE archived = 0 AND {cscope} ORDER BY id",
                params,
            )
        }
        last_reached = dict(
            self.conn.execute(
                "SELECT customer_id, max(day) FROM calls WHERE outcome = 'reached'"
                f" AND {scope} GROUP BY customer_id",
                params,
            ).fetchall()
        )
        last_visit: dict[tuple[int, str], str] = {
            (r[0], r[1]): r[2]
            for r in self.conn.execute(
                "SELECT customer_id, role, max(closed_on) FROM callbacks"
                " WHERE reason = 'visit' AND status IN ('done', 'skipped')"
                f" AND {scope} GROUP BY customer_id, role",
                params,
            )
        }
        last_yearly: dict[int, str] = dict(
            self.conn.execute(
                "SELECT customer_id, max(closed_on) FROM callbacks"
                " WHERE reason = 'yearly' AND status IN ('done', 'skipped')"
                f" AND {scope} GROUP BY customer_id",
                params,
            ).fetchall()
        )
        pending = {
            (r[0], r[1], r[2])
            for r in self.conn.execute(
                "SELECT customer_id, reason, role FROM callbacks WHERE status = 'pending'"
                f" AND reason IN ('visit', 'yearly') AND {scope}",
                params,
            )
        }
        # How many of each chain are closed: part of the next plan_key, so that a chain
        # re-planned on the same anchor date (two calls in a day) gets a new callback.
        self._closed = {
            (r[0], r[1], r[2]): r[3]
            for r in self.conn.execute(
                "SELECT customer_id, reason, role, count(*) FROM callbacks"
                f" WHERE status != 'pending' AND reason IN ('visit', 'yearly') AND {scope}"
                " GROUP BY customer_id, reason, role",
                params,
            )
        }
        return PeriodicReads(customers, last_reached, last_visit, last_yearly, pending)

    def _plan_periodic(self, c: sqlite3.Row, reads: PeriodicReads) -> None:
        """One customer's visits (per role of its grade) and yearly floor."""
        visits = self.session.config["visits"]
        etiquette = self.cfg["visit_etiquette"]  # seed 001 拜访礼节
        yearly_role = self.cfg["yearly_role"]
        cid = c["id"]
        courteous = c["grade"] in self._etiquette_grades
        for role, every in visits.get(str(c["grade"]), {}).items():
            if (cid, "visit", role) in reads.pending:
                continue
            if role == "account_manager" and c["owner"]:
                who: str | None = c["owner"]
            elif self.has_staff(role):
                who = self.assignee(role, c["department"], cid)
            else:
                continue
            interval = self.interval(every, f"visits.{c['grade']}.{role}")
            last = reads.last_visit.get((cid, role))
            detail = message("callback.visit", role=role, offset=every)
            if courteous and role in etiquette["roles"]:
                detail = message("callback.visit_etiquette", visit=detail)
            self._periodic(c, "visit", role, who, interval, last, detail)
        if (cid, "yearly", yearly_role) not in reads.pending:
            last = max(
                (d for d in (reads.last_reached.get(cid), reads.last_yearly.get(cid)) if d),
                default=None,
            )
            who = self.assignee(yearly_role, c["department"], cid)
            self._periodic(
                c, "yearly", yearly_role, who, self.yearly_every, last, message("callback.yearly")
            )

    @cached_property
    def _etiquette_grades(self) -> set[int]:
        return {int(g) for g in self.cfg["visit_etiquette"]["grades"]}

    @cached_property
    def yearly_every(self) -> Interval:
        """The yearly floor's interval (config planning.yearly_interval)."""
        return self.interval(self.cfg["yearly_interval"], "planning.yearly_interval")

    def plan_in_order(
        self, reads: PeriodicReads, greetings: dict[int, list[Planned]], cid: int
    ) -> None:
        """One customer's visits, yearly floor and greetings, from `periodic_reads` and
        `greetings_by_customer` over several: what `plan_customers([cid])` plans, in the
        same order (domain/calls/waves.py plans a wave of calls' customers so)."""
        c = reads.customers.get(cid)
        if c is not None:
            self._plan_periodic(c, reads)
        for planned in greetings.get(cid, ()):
            self.add(planned)

    def greetings_by_customer(self, ids: list[int]) -> dict[int, list[Planned]]:
        """`_greetings` of these customers, each customer's in the order planning it alone
        gives (its festivals, its anniversaries, its contacts' birthdays)."""
        found: dict[int, list[Planned]] = {}
        for planned in self._greetings(ids):
            found.setdefault(planned.customer_id, []).append(planned)
        return found

    def _periodic(
        self,
        customer: sqlite3.Row,
        reason: str,
        role: str,
        who: str | None,
        interval: Interval,
        last: str | None,
        detail: Message,
    ) -> None:
        anchor = interval.after(date.fromisoformat(last)) if last else None
        if anchor is None or anchor < self.stale_before:
            days = self.first_interval(interval)
            position = spread_offset(f"{customer['code']}|{reason}|{role}", len(days))
            # (counted on that day by `add`, as everything planned is)
            due = anchor = self.workload.pick(role, days, position)
        else:
            due = self.calendar.next_working(anchor)
        self.add(
            Planned(
                customer_id=customer["id"],
                due_on=due,
                reason=reason,
                source="rule",
                plan_key=f"{reason}:{customer['id']}:{role}:{anchor.isoformat()}:"
                f"{self._closed.get((customer['id'], reason, role), 0)}",
                planned_on=anchor,
                role=role,
                assignee=who,
                detail=detail,
            )
        )

    def plan_greetings(self, ids: list[int] | None) -> None:
        """Festival greetings (grades in config) and contacts' birthdays, planned when
        they fall within the horizon, on the working day before a non-working day."""
        for planned in self._greetings(ids):
            self.add(planned)

    def _greetings(self, ids: list[int] | None) -> list[Planned]:
        """What `plan_greetings` plans: the festivals of every customer, then the
        anniversaries, then the contacts' birthdays."""
        found: list[Planned] = []
        rule = self.session.config["planning"]["greetings"]
        horizon = self.today + timedelta(days=int(self.cfg["greeting_horizon_days"]))
        role = self.cfg["greeting_role"]
        cscope, params = id_scope("id", ids)
        festivals: list[tuple[str, date, date]] = []
        for name in rule["holidays"]:
            for year in (self.today.year, self.today.year + 1):
                day = self.calendar.festival(name, year)
                if day is None:
                    continue
                due = self.calendar.previous_working(day)
                if self.today <= due <= horizon:
                    festivals.append((name, day, due))
        grades = [int(g) for g in rule["grades"]]
        if festivals and grades:
            rows = self.conn.execute(
                # (+grade: an index on grade is no way to a few customers' rows)
                "SELECT id, department FROM customers WHERE archived = 0"
                f" AND +grade IN ({marks(grades)}) AND {cscope}",
                (*grades, *params),
            ).fetchall()
            for c in rows:
                for name, day, due in festivals:
                    found.append(
                        Planned(
                            customer_id=c["id"],
                            due_on=due,
                            reason="holiday",
                            source="rule",
                            plan_key=f"holiday:{c['id']}:{name}:{day.year}",
                            planned_on=day,
                            role=role,
                            assignee=self.assignee(role, c["department"], c["id"]),
                            detail=message("callback.holiday", holiday=name, date=day.isoformat()),
                        )
                    )
        if rule["anniversary"] and grades:
            found.extend(self._anniversaries(ids, grades, horizon, role))
        if not rule["birthday"]:
            return found
        scope, params = id_scope("ct.customer_id", ids)
        rows = self.conn.execute(
            "SELECT ct.id, ct.customer_id, ct.name, ct.birthday, c.department FROM contacts ct"
            " JOIN customers c ON c.id = ct.customer_id"
            " WHERE c.archived = 0 AND ct.birthday IS NOT NULL AND ct.left_on IS NULL"
            f" AND {scope}",
            params,
        ).fetchall()
        for ct in rows:
            for year, day, due in self._yearly_in_horizon(ct["birthday"], horizon):
                found.append(
                    Planned(
                        customer_id=ct["customer_id"],
                        due_on=due,
                        reason="birthday",
                        source="rule",
                        plan_key=f"birthday:{ct['id']}:{year}",
                        planned_on=day,
                        role=role,
                        assignee=self.assignee(role, ct["department"], ct["customer_id"]),
                        detail=message(
                            "callback.birthday", name=ct["name"], day=day.strftime("%m-%d")
                        ),
                        contact_id=ct["id"],
                    )
                )
        return found

    def _yearly_in_horizon(self, month_day: str, horizon: date) -> list[tuple[int, date, date]]:
        """A yearly day (a birthday, an anniversary: `MM-DD` or a date) this year and
        next, with the working day on or before it, when that is between today and
        `horizon`: (year, the day, the day its greeting is due)."""
        found = []
        for year in (self.today.year, self.today.year + 1):
            day = birthday_in_year(month_day, year)
            due = self.calendar.previous_working(day)
            if self.today <= due <= horizon:
                found.append((year, day, due))
        return found

    def _anniversaries(
        self, ids: list[int] | None, grades: list[int], horizon: date, role: str
    ) -> list[Planned]:
        """A greeting for each anniversary of the greeted grades' customers (seed 003
        重要纪念日), on the working day before it when it falls on a day off, like a
        birthday. Planned as a greeting (reason `holiday`: missed ones are dropped)."""
        scope, params = id_scope("a.customer_id", ids)
        rows = self.conn.execute(
            "SELECT a.id, a.customer_id, a.day, a.label, c.department FROM anniversaries a"
            " JOIN customers c ON c.id = a.customer_id WHERE c.archived = 0"
            f" AND +c.grade IN ({marks(grades)}) AND {scope}",
            (*grades, *params),
        ).fetchall()
        found: list[Planned] = []
        for a in rows:
            for year, day, due in self._yearly_in_horizon(a["day"], horizon):
                detail = (
                    message("callback.anniversary", label=a["label"], day=a["day"])
                    if a["label"]
                    else message("callback.anniversary_unlabelled", day=a["day"])
                )
                found.append(
                    Planned(
                        customer_id=a["customer_id"],
                        due_on=due,
                        reason="holiday",
                        source="rule",
                        plan_key=f"anniversary:{a['id']}:{year}",
                        planned_on=day,
                        role=role,
                        assignee=self.assignee(role, a["department"], a["customer_id"]),
                        detail=detail,
                    )
                )
        return found

    def expire_greetings(self) -> int:
        """Greetings missed by more than the grace days are dropped (a late greeting is
        no greeting); the next occurrence is planned as it comes into the horizon."""
        grace = int(self.cfg["greeting_grace_days"])
        return store.cancel_missed_greetings(
            self.conn, self.today - timedelta(days=grace), self.today, self.session.stamp
        )


def plan_customer(session: Session, customer_id: int, *, replan: bool = False) -> None:
    Planner(session, session.conn).plan_customers([customer_id], replan=replan)


def cancel_customer_callbacks(session: Session, customer_id: int, why: str) -> int:
    return store.cancel_customer(session.conn, customer_id, why, session.today, session.stamp)


# -- helpers -----------------------------------------------------------------

CHUNK = 500
FLUSH_AT = 20_000  # planned callbacks held in memory before they are written


def chunks(ids: Sequence[int] | None) -> list[list[int]]:
    """`ids` in IN lists of at most CHUNK."""
    if not ids:
        return []
    return [list(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)]
