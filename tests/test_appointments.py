"""Appointments (issue 18; seed 003 大客户回访流程: "预约回访时间和地点"):
`callback book ID --at "DATE TIME" [--place TEXT]`, shown by the due list (booked ones
first on their day, by time), repeated by the call brief, kept by a reschedule.

Office fixture: C001 (grade 1, visits due), C002 (grade 4, no contacts).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from assertions import ok, refused
from followup_cli.domain.callbacks.changes import appointment_moment
from followup_cli.domain.calls.log import call_brief
from followup_cli.support.errors import InvalidValue

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]


def callbacks(rows: Rows) -> list[dict[str, Any]]:
    return rows("SELECT * FROM callbacks ORDER BY id")


def serviced(run: Run, rows: Rows, code: str = "C002", ref: str = "WO-2") -> int:
    """A service event on Friday 2026-11-20; the id of its +7d callback (due 11-27)."""
    ok(run("event", "add", code, "--kind", "service", "--date", "2026-11-20", "--ref", ref))
    found = rows(
        "SELECT cb.id FROM callbacks cb JOIN events e ON e.id = cb.event_id"
        " WHERE e.ref = ? AND cb.planned_on = '2026-11-27'",
        ref,
    )
    return int(found[0]["id"])


def due(run: Run, *args: str) -> list[dict[str, Any]]:
    return json.loads(ok(run("due", "--format", "json", *args)).stdout)  # type: ignore[no-any-return]


def test_book_sets_the_day_time_and_place(office: Run, rows: Rows) -> None:
    cb = serviced(office, rows)
    r = ok(office("callback", "book", str(cb), "--at", "2026-12-03 10:00", "--place", "济南项目部"))
    assert r.stdout == (
        f"Callback #{cb} (event, C002 泰安宏达建设) booked 2026-12-03 10:00 at 济南项目部\n"
    )
    row = rows("SELECT * FROM callbacks WHERE id = ?", cb)[0]
    assert (row["due_on"], row["planned_on"], row["status"]) == (
        "2026-12-03",
        "2026-11-27",
        "pending",
    )
    assert (row["appointment_at"], row["appointment_place"], row["changed_by"]) == (
        "2026-12-03T10:00:00+08:00",
        "济南项目部",
        "李娜",
    )


def test_the_due_list_shows_the_appointment_in_every_format(office: Run, rows: Rows) -> None:
    cb = serviced(office, rows)
    ok(office("callback", "book", str(cb), "--at", "2026-11-24 09:30", "--place", "泰安工地"))
    table = ok(office("due", "--days", "1")).stdout
    assert (
        f"#{cb} event booked 2026-11-24 09:30 at 泰安工地: service 2026-11-20 WO-2 (+7d)" in table
    )
    [row] = [r for r in due(office, "--days", "1") if r["customer"]["code"] == "C002"]
    [reason] = [r for r in row["reasons"] if r["callback_id"] == cb]
    assert reason["appointment"] == {"at": "2026-11-24T09:30:00+08:00", "place": "泰安工地"}
    assert reason["due_on"] == "2026-11-24"
    out = ok(office("due", "--days", "1", "--format", "csv")).stdout
    line = next(r for r in csv.DictReader(io.StringIO(out)) if r["customer_code"] == "C002")
    assert (line["appointment_at"], line["appointment_place"]) == (
        "2026-11-24T09:30:00+08:00",
        "泰安工地",
    )
    zh = ok(office("due", "--days", "1", env={"FOLLOWUP_LANGUAGE": "zh_CN"})).stdout
    assert "已预约 2026-11-24 09:30，地点：泰安工地" in zh


def test_booked_rows_come_first_on_their_day_by_time(office: Run, rows: Rows) -> None:
    ok(office("customer", "add", "临沂小客户", "--code", "C003", "--grade", "5"))
    late = serviced(office, rows, "C002", "WO-2")
    early = serviced(office, rows, "C003", "WO-3")
    plain = [r["customer"]["code"] for r in due(office)]
    assert plain[0] == "C001"  # the most urgent: a core customer's visits
    ok(office("callback", "book", str(late), "--at", "2026-11-23 15:00"))
    ok(office("callback", "book", str(early), "--at", "2026-11-23 10:00"))
    assert [r["customer"]["code"] for r in due(office)] == ["C003", "C002", "C001"]
    table = ok(office("due")).stdout.splitlines()
    order = [next(i for i, x in enumerate(table) if code in x) for code in ("C003", "C002", "C001")]
    assert order == sorted(order)
    # Booked for a later day of the window: by urgency among the rest.
    ok(office("callback", "book", str(early), "--at", "2026-11-25 10:00"))
    assert [r["customer"]["code"] for r in due(office, "--days", "3")][:2] == ["C002", "C001"]


def test_the_call_brief_repeats_the_appointment(
    office: Run, rows: Rows, session: Callable[..., Any]
) -> None:
    cb = serviced(office, rows)
    ok(office("callback", "book", str(cb), "--at", "2026-11-23 16:00", "--place", "泰安工地"))
    brief = call_brief(session(), "C002", "李娜")
    [reason] = [r for r in brief.reasons if r["callback_id"] == cb]
    assert (reason["appointment_at"], reason["appointment_place"]) == (
        "2026-11-23T16:00:00+08:00",
        "泰安工地",
    )


def test_rescheduling_a_booked_callback_keeps_the_place_and_the_hour(
    office: Run, rows: Rows
) -> None:
    cb = serviced(office, rows)
    ok(office("callback", "book", str(cb), "--at", "2026-12-03 10:00", "--place", "济南项目部"))
    r = ok(office("callback", "reschedule", str(cb), "2026-12-07"))
    assert "  booked 2026-12-07 10:00 at 济南项目部\n" in r.stdout
    row = rows("SELECT * FROM callbacks WHERE id = ?", cb)[0]
    assert (row["due_on"], row["appointment_at"], row["appointment_place"]) == (
        "2026-12-07",
        "2026-12-07T10:00:00+08:00",
        "济南项目部",
    )
    # Booked again without --place: the place stays.
    ok(office("callback", "book", str(cb), "--at", "2026-12-08 14:30"))
    row = rows("SELECT * FROM callbacks WHERE id = ?", cb)[0]
    assert (row["appointment_at"], row["appointment_place"]) == (
        "2026-12-08T14:30:00+08:00",
        "济南项目部",
    )


def test_a_missed_appointment_comes_back_without_its_time(office: Run, rows: Rows) -> None:
    cb = serviced(office, rows)
    ok(office("callback", "book", str(cb), "--at", "2026-11-23 10:00", "--place", "泰安工地"))
    ok(
        office(
            "log-call", "C002", "--outcome", "no-answer", "--by", "李娜", "--at", "2026-11-23 10:05"
        )
    )
    row = rows("SELECT * FROM callbacks WHERE id = ?", cb)[0]
    assert (row["due_on"], row["attempts"]) == ("2026-11-24", 1)
    assert (row["appointment_at"], row["appointment_place"]) == (None, "泰安工地")
    table = ok(office("due", "--days", "1")).stdout
    assert f"#{cb} event try 2 at 泰安工地:" in table


def test_a_booking_on_a_non_working_day_warns(office: Run, rows: Rows) -> None:
    cb = serviced(office, rows)
    r = ok(office("callback", "book", str(cb), "--at", "2026-11-29 10:00"))
    assert r.stderr == "Warning: 2026-11-29 is not a working day\n"


def test_the_callbacks_export_carries_the_appointment(office: Run, rows: Rows) -> None:
    cb = serviced(office, rows)
    ok(office("callback", "book", str(cb), "--at", "2026-12-03 10:00", "--place", "济南项目部"))
    out = ok(office("export", "callbacks", "--headers", "zh")).stdout.lstrip("\ufeff")
    records = list(csv.reader(io.StringIO(out)))
    assert records[0][-2:] == ["预约时间", "预约地点"]
    [line] = [r for r in records[1:] if r[0] == str(cb)]
    assert line[-2:] == ["2026-12-03T10:00:00+08:00", "济南项目部"]


# -- bad input: nothing written ------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("--at", "2026-11-20 10:00"),
            65,
            "Error: at: '2026-11-20 10:00' is not valid; expected an appointment on or after"
            " today (2026-11-23)",
        ),
        (("--at", "tomorrow 10:00"), 65, "at: 'tomorrow 10:00' is not valid"),
        (("--at", "2026-12-03 25:00"), 65, "at: '2026-12-03 25:00' is not valid"),
        (
            ("--at", "2026-12-03 10:00", "--place", "工地\x1b[31m"),
            2,
            "expected text without control characters",
        ),
        (
            ("--at", "2026-12-03 10:00", "--place", "工地\n二号门"),
            2,
            "expected a place on one line",
        ),
    ],
)
def test_bad_bookings_are_refused_and_nothing_written(
    office: Run, rows: Rows, args: tuple[str, ...], code: int, message: str
) -> None:
    cb = serviced(office, rows)
    before = callbacks(rows)
    refused(office("callback", "book", str(cb), *args), code, message)
    assert callbacks(rows) == before


def test_booking_an_unknown_or_closed_callback_is_refused(office: Run, rows: Rows) -> None:
    cb = serviced(office, rows)
    before = callbacks(rows)
    refused(office("callback", "book", "9999", "--at", "2026-12-03 10:00"), 1, "no callback #9999")
    assert callbacks(rows) == before
    ok(office("callback", "skip", str(cb), "--reason", "客户要求不再来电"))
    before = callbacks(rows)
    refused(
        office("callback", "book", str(cb), "--at", "2026-12-03 10:00"),
        1,
        f"Error: callback #{cb} is already skipped",
    )
    assert callbacks(rows) == before


def test_an_appointment_earlier_than_now_is_refused_on_the_clocks_day(
    session: Callable[..., Any],
) -> None:
    s = session()  # the clock's day: 2026-11-23 10:00
    s.today_given = False
    assert appointment_moment(s, "2026-11-23 10:30").isoformat() == "2026-11-23T10:30:00+08:00"
    with pytest.raises(InvalidValue) as refused_time:
        appointment_moment(s, "2026-11-23 09:30")
    assert refused_time.value.expected == "an appointment from now on (2026-11-23 10:00 or later)"
    # On a day given by --today the clock's time is unknown: any time of that day.
    s.today_given = True
    assert appointment_moment(s, "2026-11-23 09:30").date() == s.today
    # An offset given is kept as the moment, shown on the office's clock.
    moment = appointment_moment(s, "2026-11-24T02:00:00+00:00")
    assert moment == datetime.fromisoformat("2026-11-24T10:00:00+08:00")
    assert moment.isoformat() == "2026-11-24T10:00:00+08:00"
