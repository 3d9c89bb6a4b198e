"""`followup callback reschedule | skip` (SPEC 4): moving or skipping one planned callback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from assertions import ok, refused
from followup_cli.domain.callbacks.changes import reschedule_callback, skip_callback
from followup_cli.support.errors import NotFound, Refused

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]


def all_callbacks(rows: Rows) -> list[dict[str, Any]]:
    return rows("SELECT * FROM callbacks ORDER BY id")


def get_cb(rows: Rows, callback_id: int) -> dict[str, Any]:
    return rows("SELECT * FROM callbacks WHERE id = ?", callback_id)[0]


def pending(rows: Rows, code: str, reason: str, role: str) -> list[dict[str, Any]]:
    return rows(
        "SELECT cb.* FROM callbacks cb JOIN customers c ON c.id = cb.customer_id"
        " WHERE c.code = ? AND cb.reason = ? AND cb.role = ? AND cb.status = 'pending'",
        code,
        reason,
        role,
    )


@pytest.fixture
def service_cb(office: Run, rows: Rows) -> int:
    """The +7d callback (due Fri 27 Nov) of a service event for C001."""
    ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-11-20", "--ref", "W"))
    found = rows("SELECT id FROM callbacks WHERE reason = 'event' AND planned_on = '2026-11-27'")
    return int(found[0]["id"])


# -- reschedule -------------------------------------------------------------------------------


def test_reschedule_moves_the_due_date(office: Run, rows: Rows, service_cb: int) -> None:
    r = ok(office("callback", "reschedule", str(service_cb), "2026-11-30"))
    assert (
        f"Callback #{service_cb} (event, C001 山东鲁建机械有限公司) now due 2026-11-30" in r.stdout
    )
    assert r.stderr == ""
    cb = get_cb(rows, service_cb)
    assert (cb["due_on"], cb["status"], cb["planned_on"]) == ("2026-11-30", "pending", "2026-11-27")


def test_reschedule_accepts_today_and_other_date_formats(
    office: Run, rows: Rows, service_cb: int
) -> None:
    ok(office("callback", "reschedule", str(service_cb), "2026-11-23"))
    assert get_cb(rows, service_cb)["due_on"] == "2026-11-23"
    ok(office("callback", "reschedule", str(service_cb), "2026年12月1日"))
    assert get_cb(rows, service_cb)["due_on"] == "2026-12-01"


@pytest.mark.parametrize(("day", "weekday"), [("2026-11-29", "Sunday"), ("2027-01-01", "holiday")])
def test_reschedule_to_a_non_working_day_warns(
    office: Run, rows: Rows, service_cb: int, day: str, weekday: str
) -> None:
    r = ok(office("callback", "reschedule", str(service_cb), day))
    assert f"Warning: {day} is not a working day" in r.stderr
    assert get_cb(rows, service_cb)["due_on"] == day


def test_reschedule_into_the_past_is_refused(office: Run, rows: Rows, service_cb: int) -> None:
    before = all_callbacks(rows)
    refused(
        office("callback", "reschedule", str(service_cb), "2026-11-20"),
        1,
        "Error: 2026-11-20 is in the past; a callback can only be moved to today or later",
    )
    assert all_callbacks(rows) == before


@pytest.mark.parametrize("bad", ["2026-02-30", "30/11/2026", "next week"])
def test_reschedule_to_a_bad_date_is_bad_data(
    office: Run, rows: Rows, service_cb: int, bad: str
) -> None:
    before = all_callbacks(rows)
    refused(office("callback", "reschedule", str(service_cb), bad), 65, f"'{bad}' is not a date")
    assert all_callbacks(rows) == before


def test_reschedule_unknown_id(office: Run, rows: Rows) -> None:
    before = all_callbacks(rows)
    refused(office("callback", "reschedule", "9999", "2026-11-30"), 1, "Error: no callback #9999")
    assert all_callbacks(rows) == before


def test_reschedule_a_done_callback_is_refused(office: Run, rows: Rows, service_cb: int) -> None:
    first = rows("SELECT id FROM callbacks WHERE reason = 'event' ORDER BY due_on LIMIT 1")
    ok(
        office(
            "log-call", "C001", "--outcome", "reached", "--by", "李娜", "--at", "2026-11-23 9:00"
        )
    )
    done = first[0]["id"]
    assert get_cb(rows, done)["status"] == "done"
    before = all_callbacks(rows)
    refused(
        office("callback", "reschedule", str(done), "2026-11-30"),
        1,
        f"Error: callback #{done} is already done",
    )
    refused(
        office("callback", "skip", str(done), "--reason", "x"),
        1,
        f"Error: callback #{done} is already done",
    )
    assert all_callbacks(rows) == before


# -- skip -------------------------------------------------------------------------------------


def test_skip_records_the_reason(office: Run, rows: Rows, service_cb: int) -> None:
    r = ok(office("callback", "skip", str(service_cb), "--reason", "客户出差"))
    assert (
        f"Skipped callback #{service_cb} (event, C001 山东鲁建机械有限公司): 客户出差" in r.stdout
    )
    cb = get_cb(rows, service_cb)
    assert (cb["status"], cb["note"], cb["closed_on"]) == ("skipped", "客户出差", "2026-11-23")


def test_skip_needs_a_reason(office: Run, rows: Rows, service_cb: int) -> None:
    before = all_callbacks(rows)
    refused(office("callback", "skip", str(service_cb)), 2, "Missing option '--reason'")
    assert all_callbacks(rows) == before


def test_skip_with_an_empty_reason_is_a_usage_error(
    office: Run, rows: Rows, service_cb: int
) -> None:
    before = all_callbacks(rows)
    refused(office("callback", "skip", str(service_cb), "--reason", "  "), 2, "cannot be empty")
    assert all_callbacks(rows) == before


def test_skip_unknown_id(office: Run, rows: Rows) -> None:
    before = all_callbacks(rows)
    refused(office("callback", "skip", "9999", "--reason", "x"), 1, "Error: no callback #9999")
    assert all_callbacks(rows) == before


def test_skipping_a_visit_plans_the_next_one_interval_after_today(office: Run, rows: Rows) -> None:
    visit = pending(rows, "C001", "visit", "account_manager")[0]
    ok(office("callback", "skip", str(visit["id"]), "--reason", "客户要求改期", today="2026-11-24"))
    assert get_cb(rows, visit["id"])["status"] == "skipped"
    nxt = pending(rows, "C001", "visit", "account_manager")
    assert [(v["planned_on"], v["due_on"], v["assignee"]) for v in nxt] == [
        ("2026-11-27", "2026-11-27", "王伟")  # grade 1: every 3 days, from today
    ]


def test_skipping_the_yearly_contact_plans_next_year(office: Run, rows: Rows) -> None:
    yearly = pending(rows, "C002", "yearly", "clerk")[0]
    ok(office("callback", "skip", str(yearly["id"]), "--reason", "合同到期"))
    nxt = pending(rows, "C002", "yearly", "clerk")
    assert [v["planned_on"] for v in nxt] == ["2027-11-23"]


def test_skipping_an_event_callback_plans_nothing_new(
    office: Run, rows: Rows, service_cb: int
) -> None:
    count = len(all_callbacks(rows))
    ok(office("callback", "skip", str(service_cb), "--reason", "已上门"))
    assert len(all_callbacks(rows)) == count


# -- domain -----------------------------------------------------------------------------------


def test_domain_functions(
    office: Run, rows: Rows, service_cb: int, session: Callable[..., Any]
) -> None:
    s = session()
    change = reschedule_callback(s, service_cb, date(2026, 11, 28))
    assert (change.due_on, change.working_day) == ("2026-11-28", False)
    with pytest.raises(Refused):
        reschedule_callback(s, service_cb, date(2026, 11, 22))
    with pytest.raises(NotFound):
        skip_callback(s, 424242, "x")
    change = skip_callback(s, service_cb, "not needed")
    assert (change.status, change.note) == ("skipped", "not needed")
    with pytest.raises(Refused):
        skip_callback(s, service_cb, "again")
