"""An import's calls settled set-wise, a wave at a time, as `log.record_call` settles them
one by one (issue 20: "calls are settled set-wise ... in time order per customer").

The calls, in time order, are cut into waves: a wave ends before the first call of a
customer it already holds, so each customer is in a wave once. Settling a call touches
its customer's rows alone, with two exceptions the wave keeps as one by one would:

- the ids of new rows: calls are numbered in time order, and the callbacks planned are
  queued in the order one by one plans them (each call's level-2 checks or retry, then
  its customer's visits, yearly floor and greetings) and written at the end;
- the workload a first visit is levelled against (levelling.py), read once per window
  when first needed: a window read during a wave is counted as one by one would have
  counted it then (the plans of the wave's earlier calls written first, the changes its
  later calls already wrote undone: `Planner.in_wave`).

Per wave, each kind of read is one statement over all its customers (their pending
callbacks and owners, the events of level-2 checks, what planning reads) and each kind
of write one `executemany`, not one statement per call: that is the saving. A test holds
the rows it leaves equal to settling the same file one by one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from followup_cli.domain.callbacks import store as callbacks
from followup_cli.domain.callbacks.planning import Planner, WrittenAhead, chunks
from followup_cli.domain.callbacks.store import marks
from followup_cli.domain.calls import log
from followup_cli.domain.customers.records import set_unreachable_many
from followup_cli.domain.session import Session
from followup_cli.domain.staff.records import StaffMember, get_staff


@dataclass
class _Call:
    """One call of a wave, and what settling it decided."""

    customer: sqlite3.Row
    data: log.CallInput
    at: str
    day: date
    id: int = 0
    targets: list[sqlite3.Row] = field(default_factory=list)


def waves(rows: Iterable[tuple[sqlite3.Row, log.CallInput]]) -> Iterator[list[_Call]]:
    """The calls (in time order) cut before each call of a customer already in the wave."""
    wave: list[_Call] = []
    held: set[int] = set()
    for customer, data in rows:
        if customer["id"] in held:
            yield wave
            wave, held = [], set()
        held.add(customer["id"])
        at = data.at.isoformat(timespec="seconds")
        wave.append(_Call(customer, data, at, data.day))
    if wave:
        yield wave


def settle_imported(
    session: Session, planner: Planner, rows: Iterable[tuple[sqlite3.Row, log.CallInput]]
) -> None:
    """Record and settle an import's new calls (customer row, call; in time order, each
    `imported`, zoned to the office), as `record_call` would one after another."""
    staff: dict[str, StaffMember] = {}
    for wave in waves(rows):
        _settle_wave(session, planner, wave, staff)


def _settle_wave(
    session: Session, planner: Planner, wave: list[_Call], staff: dict[str, StaffMember]
) -> None:
    conn = planner.conn
    stamp = session.stamp
    ids = [c.customer["id"] for c in wave]
    pending: dict[int, list[sqlite3.Row]] = {}
    owners: dict[int, tuple[str | None, int]] = {}
    for chunk in chunks(ids):
        # (What settling reads of a callback; sorted here, as each customer's are few:
        # an ORDER BY sorts the whole wave's rows in a temporary b-tree.)
        for r in conn.execute(
            "SELECT id, customer_id, due_on, reason, level, role, event_id, planned_on"
            f" FROM callbacks WHERE customer_id IN ({marks(chunk)}) AND status = 'pending'",
            chunk,
        ):
            pending.setdefault(r["customer_id"], []).append(r)
        owners.update(
            (r[0], (r[1], r[2]))
            for r in conn.execute(
                f"SELECT id, owner, unreachable FROM customers WHERE id IN ({marks(chunk)})",
                chunk,
            )
        )
    for mine in pending.values():
        mine.sort(key=_due_order)
    rows: list[tuple[object, ...]] = []
    for call in wave:
        customer, data = call.customer, call.data
        cid = customer["id"]
        caller = staff.get(data.by)
        if caller is None:
            caller = staff[data.by] = get_staff(conn, data.by, "--by")
        contact_id = log.contact_id_of(conn, customer, data.contact) if data.contact else None
        call.targets, _left = log.split_pending(
            session,
            pending.get(cid, []),
            owners.get(cid, (None, 0))[0],
            call.day,
            data.reached,
            caller.role,
            caller.name,
        )
        lead = call.targets[0]["id"] if call.targets else None
        rows.append(log.call_values(session, cid, contact_id, call.at, data, lead))
    keys = {(c.customer["id"], c.at, c.data.by) for c in wave}
    _refuse_repeats(session, conn, wave, ids, keys)
    # Numbered as they are inserted, in time order (on a server, by its sequence).
    top = int(conn.execute("SELECT coalesce(max(id), 0) FROM calls").fetchone()[0])
    log.insert_calls(conn, rows)
    numbered = {
        (r[0], r[1], r[2]): r[3]
        for r in conn.execute("SELECT customer_id, at, caller, id FROM calls WHERE id > ?", (top,))
        if (r[0], r[1], r[2]) in keys
    }
    done: list[tuple[int, str, str, int]] = []
    reanchored: list[tuple[str, str, int]] = []
    retried: list[tuple[str, str, int]] = []
    ahead: list[WrittenAhead] = []
    for place, call in enumerate(wave):
        cid = call.customer["id"]
        call.id = numbered[(cid, call.at, call.data.by)]
        day = call.day.isoformat()
        if call.data.reached:
            for t in call.targets:
                done.append((call.id, day, stamp, t["id"]))
                ahead.append((place, t["role"], date.fromisoformat(t["due_on"]), None))
            # The pending yearly floor not anchored on this call, cancelled (by its id:
            # the rows callbacks.cancel_reanchored_yearly finds).
            keep = planner.yearly_every.after(call.day).isoformat()
            settled = {t["id"] for t in call.targets}
            for r in pending.get(cid, []):
                if r["reason"] == "yearly" and r["id"] not in settled and r["planned_on"] != keep:
                    ahead.append((place, r["role"], date.fromisoformat(r["due_on"]), None))
                    reanchored.append((day, stamp, r["id"]))
        else:
            retry_on = planner.retry_day(call.day)
            for t in call.targets:
                retried.append((retry_on.isoformat(), stamp, t["id"]))
                ahead.append((place, t["role"], date.fromisoformat(t["due_on"]), retry_on))
    callbacks.complete_many(conn, done)
    callbacks.cancel_reanchored_yearly_many(conn, reanchored)
    callbacks.retry_many(conn, retried)
    reached = [c.customer["id"] for c in wave if c.data.reached]
    set_unreachable_many(conn, [i for i in reached if owners.get(i, (None, 0))[1]], False)
    missed = [c.customer["id"] for c in wave if not c.data.reached]
    for chunk in chunks(missed):
        set_unreachable_many(conn, log.unreachable_after(session, conn, chunk), True)
    _plan_wave(session, planner, wave, reached, ahead)


def _due_order(r: sqlite3.Row) -> tuple[str, int]:
    return r["due_on"], r["id"]


def _refuse_repeats(
    session: Session,
    conn: sqlite3.Connection,
    wave: list[_Call],
    ids: list[int],
    keys: set[tuple[int, str, str]],
) -> None:
    """The first of the wave's calls already logged, refused as `record_call` refuses it
    (an import's own checks and staging leave none: this is the rule kept). A wave is a
    slice of time: only its customers' calls within it are read."""
    first, last = min(c.at for c in wave), max(c.at for c in wave)
    logged: set[tuple[int, str, str]] = set()
    for chunk in chunks(ids):
        logged.update(
            (r[0], r[1], r[2])
            for r in conn.execute(
                f"SELECT customer_id, at, caller FROM calls WHERE customer_id IN ({marks(chunk)})"
                " AND at BETWEEN ? AND ?",
                (*chunk, first, last),
            )
            if (r[0], r[1], r[2]) in keys
        )
    for call in wave:
        if (call.customer["id"], call.at, call.data.by) in logged:
            log.refuse_repeat(session, conn, call.customer, call.data.by, call.at)


def _plan_wave(
    session: Session,
    planner: Planner,
    wave: list[_Call],
    reached: list[int],
    ahead: list[WrittenAhead],
) -> None:
    """What the wave's calls plan, queued in the order one by one would plan it."""
    reads = planner.periodic_reads(reached) if reached else None
    greetings = planner.greetings_by_customer(reached) if reached else {}
    event_ids = sorted(
        {
            t["event_id"]
            for c in wave
            if c.data.reached
            for t in c.targets
            if t["reason"] == "event" and t["level"] == 1 and t["event_id"] is not None
        }
    )
    events = planner.events_of(event_ids) if event_ids else {}
    try:
        for place, call in enumerate(wave):
            planner.in_wave(place, ahead)
            cid = call.customer["id"]
            if call.data.reached:
                first_per_event: set[int] = set()
                for t in call.targets:
                    if (
                        t["reason"] == "event"
                        and t["level"] == 1
                        and t["event_id"] not in first_per_event
                    ):
                        first_per_event.add(t["event_id"])
                        planner.plan_second_level(t, call.day, events)
                assert reads is not None
                planner.plan_in_order(reads, greetings, cid)
            elif not call.targets:
                planner.plan_retry(cid, call.id, call.data.by, call.data.outcome, call.day)
    finally:
        planner.in_wave(-1, [])
    planner.flush()
