"""Calls: logging a contact attempt, and everything it settles or plans.

A reached call completes every pending callback of the customer due within the merge
window (periodic ones within the cooldown): one call covers every reason, except a
role's own duties (a visit, a supervisor's check: `role_duty`), which only a caller
holding that role settles, or a call naming them with --callback. A call that does not
reach the customer counts an attempt and brings the callbacks back the next working
day; after `max_attempts` failures in a row the customer is flagged unreachable.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from followup_cli.domain import fields
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.callbacks import store as callbacks
from followup_cli.domain.callbacks.planning import Planner
from followup_cli.domain.customers.records import (
    locked_customer_row,
    resolve_customer_row,
    set_unreachable,
)
from followup_cli.domain.session import Session
from followup_cli.domain.staff.records import get_staff
from followup_cli.domain.texts import Text, joined, message, read
from followup_cli.domain.vocabulary import REACHED
from followup_cli.store.compare import columns_differ
from followup_cli.support.errors import Conflict, InvalidValue, NotFound, UsageError
from followup_cli.support.i18n import N_, _, label


@dataclass
class CallInput:
    """A call to record, validated field by field (customer and staff are checked later)."""

    outcome: str
    by: str
    at: datetime
    channel: str = "phone"
    contact: str | None = None
    satisfaction: int | None = None
    recommend: int | None = None
    repurchase: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    callback_id: int | None = None
    complaint: str | None = None
    category: str | None = None
    severity: str | None = None
    # The call's main conclusions (主要结论, seed 003: 整理大客户回访报告表，从中提炼主要结论):
    # a visit's, or a key account's call's (`findings_allowed`).
    findings: str | None = None
    imported: bool = False
    # The office's time zone, which the call's day is read in (a call at 20:00 UTC is
    # on the next day in Shanghai); `record_call` sets it from the session.
    zone: tzinfo | None = None

    @property
    def day(self) -> date:
        return (self.at.astimezone(self.zone) if self.zone else self.at).date()

    @property
    def reached(self) -> bool:
        return self.outcome == REACHED


ANSWER_PAIRS = N_("KEY=yes or KEY=no; several as KEY=yes;KEY=no")


def parse_answers(
    texts: Iterable[str], field: str = "answer", known: Collection[str] | None = None
) -> dict[str, str]:
    """Key question answers into {key: "yes"|"no"}: the one parser of `--answer`
    options, the import's answers column and the call script's replies.

    Each text holds one or more KEY=VALUE pairs, separated by `;` or `,` (the
    full-width `；` `，` `＝` too, as everywhere input is NFKC-normalised): the union
    of what `--answer` (one pair per option) and the answers column (`;`, `；`, `,`)
    took. Empty pairs are skipped. VALUE is yes or no in any form `fields.flag`
    takes (是/否, y/n, 1/0). With `known`, a key outside it is refused. A later
    answer to the same key wins. InvalidValue names the text that is wrong.
    """
    answers: dict[str, str] = {}
    for text in texts:
        for pair in fields.normalise(text).replace(",", ";").split(";"):
            if not pair.strip():
                continue
            key, sep, value = pair.partition("=")
            key = key.strip()
            if not sep or not key:
                raise InvalidValue(field, text, _(ANSWER_PAIRS))
            if known is not None and key not in known:
                raise InvalidValue(
                    field, text, _("keys among {keys}").format(keys=", ".join(sorted(known)))
                )
            answers[key] = answer_value(value, f"{field} {key}")
    return answers


def answer_value(raw: str, field: str = "answer") -> str:
    """One yes/no answer: "yes" or "no" (是/否, y/n, 1/0, true/false...)."""
    return "yes" if fields.flag(raw, field) else "no"


def validate_call(
    outcome: str,
    by: str,
    at: datetime,
    *,
    channel: str | None = None,
    contact: str | None = None,
    satisfaction: int | str | None = None,
    recommend: int | str | None = None,
    repurchase: str | None = None,
    answers: dict[str, str] | None = None,
    note: str | None = None,
    callback_id: int | None = None,
    complaint: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    findings: str | None = None,
) -> CallInput:
    data = CallInput(
        outcome=vocab.accept("outcome", outcome, "outcome"),
        by=fields.name(by, "by"),
        at=at,
        channel=vocab.accept("call_channel", channel or "phone", "channel"),
        contact=fields.text(contact, "contact", max_length=fields.MAX_NAME),
        satisfaction=vocab.satisfaction_score(satisfaction, "satisfaction"),
        recommend=_score(recommend, "recommend", 0, 10),
        repurchase=(
            vocab.accept("repurchase", repurchase, "repurchase")
            if repurchase and repurchase.strip()
            else None
        ),
        answers=dict(answers or {}),
        note=fields.text(note, "note"),
        callback_id=callback_id,
        complaint=fields.text(complaint, "complaint"),
        category=category,
        severity=severity,
        findings=fields.text(findings, "findings"),
    )
    if not data.reached:
        for name in ("satisfaction", "recommend", "repurchase"):
            if getattr(data, name) is not None:
                raise UsageError(
                    _(
                        "--{option} is only recorded when the customer was reached"
                        " (outcome is {outcome})"
                    ).format(option=name, outcome=label("outcome", data.outcome))
                )
        if data.answers:
            raise UsageError(
                _(
                    "answers are only recorded when the customer was reached (outcome is {outcome})"
                ).format(outcome=label("outcome", data.outcome))
            )
    return data


NOT_AFTER_TODAY = N_("a time on or before today ({today})")
NOT_AFTER_NOW = N_("a time no later than now ({now})")


def check_call_time(session: Session, at: datetime, typed: str | None = None) -> datetime:
    """`at`, unless it is after the session's `latest` moment: a call in the future is
    refused (InvalidValue on `at`, naming `typed` or the time), as an event's date is.
    On a day given by --today any time of that day is accepted; on the clock's day, a
    time later than now is refused too."""
    if at <= session.latest:
        return at
    shown = typed if typed is not None else at.strftime("%Y-%m-%d %H:%M")
    if at.astimezone(session.now.tzinfo).date() > session.today:
        raise InvalidValue("at", shown, _(NOT_AFTER_TODAY).format(today=session.today))
    raise InvalidValue(
        "at", shown, _(NOT_AFTER_NOW).format(now=session.now.strftime("%Y-%m-%d %H:%M"))
    )


def _score(value: int | str | None, name: str, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(fields.normalise(value) if isinstance(value, str) else value)
    except ValueError:
        raise InvalidValue(name, value, fields.whole_number(low, high)) from None
    if not low <= number <= high:
        raise InvalidValue(name, value, fields.whole_number(low, high))
    return number


@dataclass
class CallLogged:
    call_id: int
    customer_code: str
    customer_name: str
    reached: bool
    at: str  # when the call was made, as stored (ISO 8601 with offset)
    completed: list[dict[str, Any]] = field(default_factory=list)
    retried: list[dict[str, Any]] = field(default_factory=list)
    planned: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Callbacks in the call's window that are another role's duty (role_duty): pending.
    still_due: list[dict[str, Any]] = field(default_factory=list)
    unreachable: bool = False
    reachable_again: bool = False  # the call cleared the unreachable flag
    attempts: int = 0


def log_call(session: Session, customer_ref: str, data: CallInput) -> CallLogged:
    """Record a call and settle what it covers, in one transaction. A call after now
    (`check_call_time`) is refused before anything is written."""
    check_call_time(session, data.at)
    with session.write(one_customer=True) as conn:
        customer = locked_customer_row(session, conn, customer_ref)
        planner = Planner(session, conn)
        return record_call(session, planner, customer, data)


def questions_for(session: Session, kinds: set[str]) -> list[dict[str, Any]]:
    """The key questions of these event kinds, in configured order, without repeats."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for kind in session.config.event_kinds:
        if kind not in kinds:
            continue
        for q in session.config["questions"].get(kind, []):
            if q["key"] not in seen:
                seen.add(q["key"])
                out.append({**q, "kind": kind})
    return out


def targets_of(
    session: Session,
    conn: sqlite3.Connection,
    customer_id: int,
    day: date,
    reached: bool,
    caller_role: str | None = None,
    caller_name: str | None = None,
) -> list[sqlite3.Row]:
    """The pending callbacks a call on `day` settles: due within the merge window, and
    (for a reached call) periodic ones due within the cooldown.

    Some callbacks are one role's duty (`role_duty`), settled only by a caller holding
    that role (or by naming them with --callback): a supervisor's level-2 check verifies
    the first call, and a visit of the 分级拜访制度 is its role's own.
    """
    return _split_targets(session, conn, customer_id, day, reached, caller_role, caller_name)[0]


def _split_targets(
    session: Session,
    conn: sqlite3.Connection,
    customer_id: int,
    day: date,
    reached: bool,
    caller_role: str | None,
    caller_name: str | None,
) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
    """`targets_of`, and the callbacks in the same window left to their role's holders."""
    cfg = session.config["planning"]
    merge_end = (day + timedelta(days=int(cfg["merge_window_days"]))).isoformat()
    cool_end = (day + timedelta(days=int(cfg["cooldown_days"]))).isoformat()
    periodic = list(cfg["periodic_reasons"])
    marks = ", ".join("?" for _role in periodic)
    if reached:
        sql = (
            "SELECT * FROM callbacks WHERE customer_id = ? AND status = 'pending' AND"
            f" ((reason IN ({marks}) AND due_on <= ?) OR (reason NOT IN ({marks}) AND due_on <= ?))"
            " ORDER BY due_on, id"
        )
        params: tuple[Any, ...] = (customer_id, *periodic, cool_end, *periodic, merge_end)
    else:
        sql = (
            "SELECT * FROM callbacks WHERE customer_id = ? AND status = 'pending'"
            " AND due_on <= ? ORDER BY due_on, id"
        )
        params = (customer_id, merge_end)
    found = conn.execute(sql, params).fetchall()
    owner: str | None = None
    if any(r["reason"] == "visit" for r in found):
        owner = conn.execute("SELECT owner FROM customers WHERE id = ?", (customer_id,)).fetchone()[
            0
        ]
    return _divide(session, found, owner, caller_role, caller_name)


def split_pending(
    session: Session,
    pending: list[sqlite3.Row],
    owner: str | None,
    day: date,
    reached: bool,
    caller_role: str | None,
    caller_name: str | None,
) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
    """`_split_targets` over the customer's pending callbacks read already (in due
    order, then id), its owner with them (domain/calls/waves.py)."""
    cfg = session.config["planning"]
    merge_end = (day + timedelta(days=int(cfg["merge_window_days"]))).isoformat()
    if reached:
        cool_end = (day + timedelta(days=int(cfg["cooldown_days"]))).isoformat()
        periodic = set(cfg["periodic_reasons"])
        found = [
            r
            for r in pending
            if r["due_on"] <= (cool_end if r["reason"] in periodic else merge_end)
        ]
    else:
        found = [r for r in pending if r["due_on"] <= merge_end]
    return _divide(session, found, owner, caller_role, caller_name)


def _divide(
    session: Session,
    found: list[sqlite3.Row],
    owner: str | None,
    caller_role: str | None,
    caller_name: str | None,
) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
    """The callbacks `found` a caller settles, and those left to their duty's holders."""
    targets: list[sqlite3.Row] = []
    left: list[sqlite3.Row] = []
    for r in found:
        duty = role_duty(session, r, owner)
        if duty is None or (caller_name == duty.name if duty.name else caller_role == duty.role):
            targets.append(r)
        else:
            left.append(r)
    return targets, left


@dataclass(frozen=True)
class Duty:
    """Who alone settles a callback without naming it: a role's holders, or one person
    (`name`: the customer's owner, for account_manager visits)."""

    role: str
    name: str | None = None


def role_duty(session: Session, callback: sqlite3.Row, owner: str | None) -> Duty | None:
    """The duty `callback` is, or None when any reached call of the customer covers it
    (event callbacks, yearly, greetings, retries merge across reasons, 多头回访).

    A supervisor's level-2 check is the checking role's; a visit is its role's (seed 001
    分级拜访制度: each role visits on its own rhythm), an account_manager visit the
    owner's when the customer has one."""
    if callback["level"] == 2:
        return Duty(callback["role"] or session.config["planning"]["second_level"]["role"])
    if callback["reason"] == "visit" and callback["role"]:
        if callback["role"] == "account_manager" and owner:
            return Duty("account_manager", owner)
        return Duty(callback["role"])
    return None


def record_call(
    session: Session,
    planner: Planner,
    customer: sqlite3.Row,
    data: CallInput,
) -> CallLogged:
    """The body of log-call (and of each row of a calls import), inside a transaction."""
    data = replace(data, zone=session.zone)
    conn = planner.conn
    caller = get_staff(conn, data.by, "--by")
    contact_id = contact_id_of(conn, customer, data.contact) if data.contact else None
    explicit = _explicit_callback(conn, customer, data.callback_id)
    stamp_at = data.at.isoformat(timespec="seconds")
    refuse_repeat(session, conn, customer, data.by, stamp_at)

    result = CallLogged(0, customer["code"], customer["name"], data.reached, stamp_at)
    targets, left = _split_targets(
        session, conn, customer["id"], data.day, data.reached, caller.role, caller.name
    )
    if explicit is not None:
        left = [r for r in left if r["id"] != explicit["id"]]
        if data.reached:
            if all(t["id"] != explicit["id"] for t in targets):
                targets.append(explicit)
        else:
            targets = [explicit]
    if data.findings and not data.imported:
        # Imported findings are checked row by row with the file (transfer/checks.py).
        visit = next((t for t in targets if t["reason"] == "visit"), explicit)
        check_findings(session, customer, data.channel, visit)

    if data.answers and not data.imported:
        # Imported answers are checked cell by cell against every configured key.
        _check_answers(session, conn, customer["id"], data.day, targets, data.answers)
    if data.reached and not data.imported:
        result.warnings.extend(_called_by_another(session, conn, customer["id"], data))

    lead = explicit["id"] if explicit is not None else (targets[0]["id"] if targets else None)
    call_id = _insert_call(session, conn, customer["id"], contact_id, stamp_at, data, lead)
    result.call_id = call_id
    if data.reached:
        _settle_reached(session, planner, customer, data, call_id, targets, result)
        if not data.imported:
            result.still_due = [
                {**_brief(r), "role": r["role"], "assignee": r["assignee"]} for r in left
            ]
    else:
        _settle_missed(session, planner, customer, data, call_id, targets, result)
    if not data.imported:
        _open_complaints(session, conn, customer, data, call_id, targets, result)
    return result


def findings_allowed(
    session: Session, grade: int, channel: str, callback: sqlite3.Row | None = None
) -> bool:
    """Whether a call may carry findings (主要结论): a visit (its channel, or the visit
    callback it names), or a call to a customer of the report's tiers (大客户, grades 1–3
    by default: [visit_reports] tiers)."""
    if channel == "visit" or (callback is not None and callback["reason"] == "visit"):
        return True
    return session.config.tier(grade) in session.config["visit_reports"]["tiers"]


def check_findings(
    session: Session, customer: sqlite3.Row, channel: str, callback: sqlite3.Row | None
) -> None:
    """Findings on a call that cannot carry them: a usage error (exit 2, as --satisfaction
    on a call that did not reach the customer): the option does not apply to this call,
    whatever its text."""
    if not findings_allowed(session, int(customer["grade"]), channel, callback):
        raise UsageError(
            _(
                "--findings is a visit report's main conclusions: only for a visit"
                " (--channel visit, or a visit callback) or a call to a {tiers} customer;"
                " {code} is grade {grade}"
            ).format(
                tiers="/".join(label("tier", t) for t in session.config["visit_reports"]["tiers"]),
                code=customer["code"],
                grade=customer["grade"],
            ),
            _("Write it with --note instead."),
        )


def contact_id_of(conn: sqlite3.Connection, customer: sqlite3.Row, name: str) -> int:
    """The id of the customer's contact called `name`, or NotFound."""
    row = conn.execute(
        "SELECT id FROM contacts WHERE customer_id = ? AND name = ?", (customer["id"], name)
    ).fetchone()
    if row is None:
        raise NotFound(
            _("{code} {name} has no contact named '{contact}'").format(
                code=customer["code"], name=customer["name"], contact=name
            ),
            _("Add them with `followup contact add {code} NAME`.").format(code=customer["code"]),
        )
    return int(row["id"])


def _explicit_callback(
    conn: sqlite3.Connection, customer: sqlite3.Row, callback_id: int | None
) -> sqlite3.Row | None:
    """The callback named by --callback: the customer's own, and still pending."""
    if callback_id is None:
        return None
    explicit: sqlite3.Row | None = conn.execute(
        "SELECT * FROM callbacks WHERE id = ?", (callback_id,)
    ).fetchone()
    if explicit is None or explicit["customer_id"] != customer["id"]:
        raise NotFound(
            _("callback {id} is not one of {code}'s callbacks").format(
                id=callback_id, code=customer["code"]
            ),
            _("See `followup customer show {code}` for its pending callbacks.").format(
                code=customer["code"]
            ),
        )
    if explicit["status"] != "pending":
        raise Conflict(
            _("callback {id} is already {status}").format(
                id=callback_id, status=label("callback_status", explicit["status"])
            )
        )
    return explicit


def refuse_repeat(
    session: Session, conn: sqlite3.Connection, customer: sqlite3.Row, by: str, at: str
) -> None:
    """One call per customer, caller and moment: the same call logged twice is refused."""
    if conn.execute(
        "SELECT 1 FROM calls WHERE customer_id = ? AND at = ? AND caller = ?",
        (customer["id"], at, by),
    ).fetchone():
        raise Conflict(
            _("a call to {code} by {by} at {at} is already logged").format(
                code=customer["code"], by=by, at=session.shown_time(at)
            )
        )


def _called_by_another(
    session: Session, conn: sqlite3.Connection, customer_id: int, data: CallInput
) -> list[str]:
    """A warning when someone else reached the customer within the cooldown (多头回访)."""
    days = session.config["planning"]["cooldown_days"]
    other = conn.execute(
        "SELECT caller, day FROM calls WHERE customer_id = ? AND outcome = 'reached'"
        " AND caller != ? AND day >= ? AND day <= ? ORDER BY at DESC LIMIT 1",
        (
            customer_id,
            data.by,
            (data.day - timedelta(days=int(days))).isoformat(),
            data.day.isoformat(),
        ),
    ).fetchone()
    if other is None:
        return []
    return [
        _(
            "{caller} already reached this customer on {day} (within {days} days):"
            " coordinate so the customer is not called by several people (多头回访)"
        ).format(caller=other["caller"], day=other["day"], days=days)
    ]


def _insert_call(
    session: Session,
    conn: sqlite3.Connection,
    customer_id: int,
    contact_id: int | None,
    at: str,
    data: CallInput,
    callback_id: int | None,
) -> int:
    cur = conn.execute(
        f"INSERT INTO calls ({CALL_COLUMNS}) VALUES ({CALL_MARKS})",
        call_values(session, customer_id, contact_id, at, data, callback_id),
    )
    return int(cur.lastrowid or 0)


def insert_calls(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """Several calls' rows (`call_values`), numbered in this order."""
    conn.executemany(f"INSERT INTO calls ({CALL_COLUMNS}) VALUES ({CALL_MARKS})", rows)


CALL_COLUMNS = (
    "customer_id, contact_id, at, day, caller, channel, outcome, satisfaction, recommend,"
    " repurchase, answers, note, callback_id, imported, created_at, findings"
)
CALL_MARKS = ", ".join("?" for _ in CALL_COLUMNS.split(","))


def call_values(
    session: Session,
    customer_id: int,
    contact_id: int | None,
    at: str,
    data: CallInput,
    callback_id: int | None,
) -> tuple[Any, ...]:
    """The row of `CALL_COLUMNS` a call is logged as."""
    return (
        customer_id,
        contact_id,
        at,
        data.day.isoformat(),
        data.by,
        data.channel,
        data.outcome,
        data.satisfaction,
        data.recommend,
        data.repurchase,
        json.dumps(data.answers, ensure_ascii=False, sort_keys=True) if data.answers else None,
        data.note,
        callback_id,
        1 if data.imported else 0,
        session.stamp,
        data.findings,
    )


def update_staged(conn: sqlite3.Connection, stage: str, cols: list[str]) -> None:
    """An import's corrections to calls already logged (set-wise, from the temp table
    `stage` that transfer/ filled; a call is known by customer, time and caller): the
    `cols` that differ. New calls go through `record_call`, one by one."""
    conn.execute(
        f"UPDATE calls SET {', '.join(f'{c} = s.{c}' for c in cols)} FROM temp.{stage} s"
        " WHERE calls.customer_id = s.customer_id AND calls.at = s.at"
        f" AND calls.caller = s.by AND ({columns_differ(cols, 's', 'calls')})"
    )


def insert_rehearsed(conn: sqlite3.Connection, rehearsed: str, ids: callbacks.IdShift) -> int:
    """The calls an import settled on a private copy (transfer/rehearsal.py), from
    `temp.{rehearsed}`, with their ids and lead callbacks moved past the rows written
    meanwhile. Read in the temp table's order, which is id order (as
    `callbacks.insert_rehearsed`)."""
    names = [r[1] for r in conn.execute("PRAGMA main.table_info(calls)")]
    moved = {"id": ids.call("d.id"), "callback_id": ids.callback("d.callback_id")}
    values = [moved.get(n, f'd."{n}"') for n in names]
    return conn.execute(
        f"INSERT INTO main.calls ({', '.join(names)})"
        f" SELECT {', '.join(values)} FROM temp.{rehearsed} AS d ORDER BY d.rowid"
    ).rowcount


def _settle_reached(
    session: Session,
    planner: Planner,
    customer: sqlite3.Row,
    data: CallInput,
    call_id: int,
    targets: list[sqlite3.Row],
    result: CallLogged,
) -> None:
    conn = planner.conn
    callbacks.complete(conn, [t["id"] for t in targets], call_id, data.day, session.stamp)
    result.completed.extend(_brief(t) for t in targets)
    first_per_event: set[int] = set()
    for t in targets:
        if t["reason"] == "event" and t["level"] == 1 and t["event_id"] not in first_per_event:
            first_per_event.add(t["event_id"])
            planner.plan_second_level(t, data.day)
    # The yearly floor is re-anchored by any reached contact.
    callbacks.cancel_reanchored_yearly(
        conn, customer["id"], planner.yearly_every.after(data.day), data.day, session.stamp
    )
    set_unreachable(conn, customer["id"], False)
    if not data.imported:  # (an import's rows do not carry the flag: nobody reads it)
        result.reachable_again = bool(customer["unreachable"])
    # (What an imported call planned is not listed: nobody reads it.)
    before = set() if data.imported else _pending_ids(conn, customer["id"])
    planner.flush()
    planner.plan_customers([customer["id"]])
    if data.imported:
        return
    result.planned = [
        _brief(r)
        for r in conn.execute(
            "SELECT * FROM callbacks WHERE customer_id = ? AND status = 'pending' ORDER BY due_on",
            (customer["id"],),
        )
        if r["id"] not in before
    ]


def _settle_missed(
    session: Session,
    planner: Planner,
    customer: sqlite3.Row,
    data: CallInput,
    call_id: int,
    targets: list[sqlite3.Row],
    result: CallLogged,
) -> None:
    conn = planner.conn
    retry_on = planner.retry_day(data.day)
    callbacks.retry(conn, [t["id"] for t in targets], retry_on, session.stamp)
    result.retried.extend({**_brief(t), "due_on": retry_on.isoformat()} for t in targets)
    if not targets:
        plan_key = planner.plan_retry(customer["id"], call_id, data.by, data.outcome, data.day)
        if plan_key is not None:
            planner.flush()
            row = conn.execute("SELECT * FROM callbacks WHERE plan_key = ?", (plan_key,))
            result.retried.extend(_brief(r) for r in row)
    last_reached = conn.execute(
        "SELECT max(at) FROM calls WHERE customer_id = ? AND outcome = 'reached'",
        (customer["id"],),
    ).fetchone()[0]
    streak = conn.execute(
        "SELECT count(*) FROM calls WHERE customer_id = ? AND outcome != 'reached' AND at > ?",
        (customer["id"], last_reached or ""),
    ).fetchone()[0]
    result.attempts = int(streak)
    if streak >= int(session.config["planning"]["max_attempts"]):
        set_unreachable(conn, customer["id"], True)
        result.unreachable = True


def unreachable_after(session: Session, conn: sqlite3.Connection, ids: list[int]) -> list[int]:
    """Of these customers (an IN list's worth), those whose missed calls since the last
    one that reached them (as `_settle_missed` counts them) are `max_attempts` or more."""
    at_most = int(session.config["planning"]["max_attempts"])
    return [
        r[0]
        for r in conn.execute(
            "SELECT k.customer_id, count(*) FROM calls k"
            f" WHERE k.customer_id IN ({callbacks.marks(ids)})"
            " AND k.outcome != 'reached' AND k.at > coalesce((SELECT max(r.at) FROM calls r"
            " WHERE r.customer_id = k.customer_id AND r.outcome = 'reached'), '')"
            " GROUP BY k.customer_id",
            ids,
        )
        if r[1] >= at_most
    ]


def latest_event(conn: sqlite3.Connection, customer_id: int, day: date) -> sqlite3.Row | None:
    """The customer's most recent event on or before `day` (what a call then is about)."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT kind FROM events WHERE customer_id = ? AND date <= ?"
        " ORDER BY date DESC, id DESC LIMIT 1",
        (customer_id, day.isoformat()),
    ).fetchone()
    return row


def _check_answers(
    session: Session,
    conn: sqlite3.Connection,
    customer_id: int,
    day: date,
    targets: list[sqlite3.Row],
    answers: dict[str, str],
) -> None:
    """Answers must be keys configured for the kinds of the events this call is about."""
    event_ids = [t["event_id"] for t in targets if t["event_id"] is not None]
    kinds: set[str] = set()
    if event_ids:
        marks = ", ".join("?" for _id in event_ids)
        kinds = {
            r[0] for r in conn.execute(f"SELECT kind FROM events WHERE id IN ({marks})", event_ids)
        }
    if not kinds:
        row = latest_event(conn, customer_id, day)
        if row is None:
            raise UsageError(
                _("answers are for event callbacks, and this customer has no events"),
                _("Record the event first (`followup event add`), or leave out --answer."),
            )
        kinds = {row[0]}
    allowed = [q["key"] for q in questions_for(session, kinds)]
    for key in answers:
        if key not in allowed:
            raise UsageError(
                _("'{key}' is not a key question for {kinds} events").format(
                    key=key, kinds=", ".join(label("event_kind", k) for k in sorted(kinds))
                ),
                _("Questions asked: {keys}").format(keys=", ".join(allowed))
                if allowed
                else _("Questions asked: none configured"),
            )


def _open_complaints(
    session: Session,
    conn: sqlite3.Connection,
    customer: sqlite3.Row,
    data: CallInput,
    call_id: int,
    targets: list[sqlite3.Row],
    result: CallLogged,
) -> None:
    """The tickets `plan_tickets` gives this call, opened: a complaint's ticket holds the
    call's "no" answers in its history (one entry each, by the caller)."""
    if not data.complaint and not any(v == "no" for v in data.answers.values()):
        return
    planned = plan_tickets(session, data, call_questions(session, conn, customer, data, targets))
    if not planned:
        return
    # Only a call that opens a complaint loads the tickets (log-call's start-up).
    from followup_cli.domain.complaints.tickets import TicketInput, history, insert_ticket

    for plan in planned:
        ticket = TicketInput(
            summary=plan.summary,
            category=plan.category,
            severity=plan.severity,
            channel="callback",
            owner=None,
            details=data.note,
        )
        ticket_id = insert_ticket(session, conn, customer, ticket, call_id, data.by)
        if plan.complaint:
            for q in plan.said_no:
                note = message("ticket.answered_no", question=q["text"])
                history(conn, session, ticket_id, "note", note=note, actor=data.by)
        result.tickets.append(ticket_id)


@dataclass
class PlannedTicket:
    """A ticket a call opens: its summary, category and severity, and the key questions
    answered "no" that it holds (a complaint's ticket holds every one of the call)."""

    summary: Text
    category: str
    severity: str
    said_no: list[dict[str, Any]]
    complaint: bool


def plan_tickets(
    session: Session, data: CallInput, questions: dict[str, dict[str, Any]]
) -> list[PlannedTicket]:
    """The tickets a call opens: at most one per problem.

    A complaint told on the call is the problem: one ticket, which holds the call's "no"
    answers (its category, when the clerk gave none, is that of the first "no"). Without
    a complaint, each category answered "no" is a problem: one ticket per category (two
    "no"s of one category, one ticket). `questions` are the call's key questions by key.
    """
    default_severity = str(session.config["tickets"]["default_severity"])
    said_no = [questions[k] for k, v in data.answers.items() if v == "no" and k in questions]
    if data.complaint:
        category = data.category or (said_no[0]["category"] if said_no else "other")
        return [
            PlannedTicket(
                data.complaint, category, data.severity or default_severity, said_no, True
            )
        ]
    by_category: dict[str, list[dict[str, Any]]] = {}
    for q in said_no:
        by_category.setdefault(q["category"], []).append(q)
    planned = []
    for category, group in by_category.items():
        texts = [message("ticket.answered_no", question=q["text"]) for q in group]
        summary: Text = texts[0] if len(texts) == 1 else joined(texts)
        planned.append(PlannedTicket(summary, category, default_severity, group, False))
    return planned


def call_questions(
    session: Session,
    conn: sqlite3.Connection,
    customer: sqlite3.Row,
    data: CallInput,
    targets: list[sqlite3.Row],
) -> dict[str, dict[str, Any]]:
    """The key questions of the call, by key: those of the events its callbacks are
    about, or of the customer's latest event."""
    event_kinds = {
        r[0]
        for r in conn.execute(
            "SELECT kind FROM events WHERE id IN (SELECT event_id FROM callbacks WHERE id IN"
            f" ({', '.join('?' for _t in targets) or 'NULL'}))",
            [t["id"] for t in targets],
        )
    }
    if not event_kinds:
        row = latest_event(conn, customer["id"], data.day)
        event_kinds = {row[0]} if row else set()
    return {q["key"]: q for q in questions_for(session, event_kinds)}


def preview_tickets(session: Session, customer_ref: str, data: CallInput) -> list[PlannedTicket]:
    """The tickets `log_call` would open for this call, read without writing (what the
    call script's save line promises)."""
    data = replace(data, zone=session.zone)
    with session.read() as conn:
        customer = resolve_customer_row(conn, customer_ref)
        caller = get_staff(conn, data.by, "--by")
        targets = targets_of(
            session, conn, customer["id"], data.day, data.reached, caller.role, caller.name
        )
        return plan_tickets(session, data, call_questions(session, conn, customer, data, targets))


def check_caller(session: Session, name: str, option: str | None = None) -> str:
    """The caller's staff name as stored (the call script checks it before asking
    anything); NotFound names the staff to choose from. `option` names the option the
    name came from, if any."""
    cleaned = fields.name(name, "by")
    with session.read() as conn:
        row = conn.execute("SELECT name FROM staff WHERE name = ?", (cleaned,)).fetchone()
        if row is not None:
            return str(row[0])
        names = [r[0] for r in conn.execute("SELECT name FROM staff WHERE active = 1 ORDER BY id")]
    raise NotFound(
        _("no staff member named '{name}' ({field})").format(
            name=cleaned, field=label("field", option)
        )
        if option
        else _("no staff member named '{name}'").format(name=cleaned),
        _("Staff: {names}").format(names=", ".join(names))
        if names
        else _("Nobody is on staff yet: add them with `followup staff add NAME --role ROLE`."),
    )


def _pending_ids(conn: sqlite3.Connection, customer_id: int) -> set[int]:
    return {
        r[0]
        for r in conn.execute(
            "SELECT id FROM callbacks WHERE customer_id = ? AND status = 'pending'",
            (customer_id,),
        )
    }


def _brief(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "callback_id": row["id"],
        "reason": row["reason"],
        "due_on": row["due_on"],
        "level": row["level"],
        "detail": read(row["detail"], row["detail_message"]),
    }


@dataclass
class CallBrief:
    """What the clerk sees before dialling: who, the number, and every reason."""

    customer: dict[str, Any]
    contact: dict[str, Any] | None
    phone: str | None
    reasons: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    open_tickets: int
    recent: list[dict[str, Any]]


def call_brief(session: Session, customer_ref: str, by: str | None = None) -> CallBrief:
    """What the call script shows before dialling; the reasons are those a reached call
    by `by` (when known) would settle."""
    # Only the call script's brief loads the contact rule (log-call's start-up).
    from followup_cli.domain.contacts.choice import ContactRule, choose_contact

    with session.read() as conn:
        customer = resolve_customer_row(conn, customer_ref)
        cid = customer["id"]
        role = None
        # (An unknown caller is refused when the call is saved, not here.)
        with suppress(NotFound):
            role = get_staff(conn, by, "--by").role if by else None
        targets = targets_of(session, conn, cid, session.today, True, role, by)
        contacts = [
            {**dict(r), "events": json.loads(r["events"])}
            for r in conn.execute(
                "SELECT k.id, k.name, k.phone, k.role, k.is_primary,"
                " (SELECT json_group_array(e.id) FROM events e WHERE e.contact_id = k.id)"
                " AS events FROM contacts k WHERE k.customer_id = ? AND k.left_on IS NULL"
                " ORDER BY k.id",
                (cid,),
            )
        ]
        chosen = choose_contact(
            contacts,
            [(t["reason"], t["event_id"]) for t in targets],
            ContactRule.of(session.config["contacts"]),
        )
        contact = (
            None
            if chosen is None
            else {
                "name": chosen.contact["name"],
                "phone": chosen.contact["phone"],
                "role": chosen.contact["role"],
                "is_primary": chosen.contact["is_primary"],
                "chosen_as": chosen.why,
            }
        )
        event_ids = [t["event_id"] for t in targets if t["event_id"] is not None]
        kinds = {
            r[0]
            for r in conn.execute(
                "SELECT kind FROM events WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(event_ids),),
            )
        }
        open_tickets = conn.execute(
            "SELECT count(*) FROM tickets WHERE customer_id = ? AND status != 'closed'", (cid,)
        ).fetchone()[0]
        recent = [
            dict(r)
            for r in conn.execute(
                "SELECT day, caller, outcome FROM calls WHERE customer_id = ? AND day >= ?"
                " ORDER BY at DESC LIMIT 3",
                (
                    cid,
                    (
                        session.today
                        - timedelta(days=int(session.config["planning"]["cooldown_days"]))
                    ).isoformat(),
                ),
            )
        ]
    return CallBrief(
        customer={
            "id": cid,
            "code": customer["code"],
            "name": customer["name"],
            "grade": customer["grade"],
            "tier": session.config.tier(customer["grade"]),
        },
        contact=contact,
        phone=(contact["phone"] if contact is not None and contact["phone"] else customer["phone"]),
        reasons=[
            {
                **_brief(t),
                "appointment_at": t["appointment_at"],
                "appointment_place": t["appointment_place"],
            }
            for t in targets
        ],
        questions=questions_for(session, kinds),
        open_tickets=int(open_tickets),
        recent=recent,
    )
