"""Planning rules (SPEC 3) and `event add` (SPEC 4): event offsets, working days, the stale
rule, visits by grade and role, the yearly floor, the spread of first callbacks, greetings,
chained visits, and planning invariants as property tests.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assertions import ok, refused
from conftest import copy_office, open_db
from followup_cli.domain.callbacks.planning import Planner
from followup_cli.domain.calls.log import log_call, validate_call
from followup_cli.domain.customers.records import add_customer, validate_customer
from followup_cli.domain.events.records import EventInput, add_event
from followup_cli.domain.session import Session
from followup_cli.domain.staff.records import add_staff, validate_staff
from followup_cli.store import open_database
from followup_cli.support.config import load_config
from followup_cli.support.dates import parse_interval
from followup_cli.support.workdays import WorkCalendar, library_days

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TODAY = date(2026, 11, 23)
YEARS = range(2024, 2031)
CAL = WorkCalendar(library_days(YEARS), YEARS)
CONFIG = load_config(None)

STAFF = [
    ("李娜", "clerk"),
    ("王伟", "account_manager"),
    ("赵强", "service"),
    ("陈静", "service_supervisor"),
    ("刘洋", "service_manager"),
    ("孙丽", "sales_manager"),
    ("周杰", "marketing_director"),
    ("吴刚", "gm"),
]


def build_office(run: Run, today: str, db: Path | None = None) -> None:
    """The conftest office, but created on `today` (and optionally in another file)."""
    kw: dict[str, Any] = {"today": today, "db": db}
    ok(run("init", **kw))
    for name, role in STAFF:
        ok(run("staff", "add", name, "--role", role, **kw))
    ok(run("customer", "add", "山东鲁建机械有限公司", "--code", "C001", "--grade", "1",
           "--phone", "0531-88886666", "--owner", "王伟", **kw))  # fmt: skip
    ok(run("customer", "add", "泰安宏达建设", "--code", "C002", "--grade", "4",
           "--phone", "13800138000", **kw))  # fmt: skip
    ok(run("contact", "add", "C001", "张建国", "--role", "decision-maker", **kw))
    ok(run("contact", "add", "C001", "李明", "--role", "operator", "--primary", **kw))


def snapshot(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    return {
        table: rows(f"SELECT * FROM {table} ORDER BY id")
        for table in ("events", "callbacks", "calls", "tickets", "customers", "contacts")
    }


def event_callbacks(rows: Rows, ref: str) -> list[dict[str, Any]]:
    return rows(
        "SELECT cb.* FROM callbacks cb JOIN events e ON e.id = cb.event_id"
        " WHERE e.ref = ? AND cb.reason = 'event' ORDER BY cb.planned_on, cb.id",
        ref,
    )


def dates_of(cbs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(anchor, due) of each callback."""
    return [(cb["planned_on"], cb["due_on"]) for cb in cbs]


def pending(rows: Rows, code: str, reason: str) -> list[dict[str, Any]]:
    return rows(
        "SELECT cb.* FROM callbacks cb JOIN customers c ON c.id = cb.customer_id"
        " WHERE c.code = ? AND cb.reason = ? AND cb.status = 'pending' ORDER BY cb.role",
        code,
        reason,
    )


# -- event callbacks -------------------------------------------------------------------


def test_service_event_of_a_core_customer_plans_2d_7d_1m_3m_6m_on_working_days(
    office: Run, rows: Rows
) -> None:
    r = ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-11-20",
                  "--ref", "WO-1", "--staff", "赵强", "--result", "fixed"))  # fmt: skip
    assert "Recorded service event #1 for C001 山东鲁建机械有限公司 on 2026-11-20" in r.stdout
    assert "due 2026-11-23  service 2026-11-20 WO-1 (+2d)" in r.stdout
    assert "due 2026-12-21  service 2026-11-20 WO-1 (+1m)" in r.stdout
    cbs = event_callbacks(rows, "WO-1")
    # +2d is a Sunday -> Monday; +1m is a Sunday -> Monday; +3m a Saturday -> Monday.
    # C001 is grade 1 (core): the key-account schedule of seed 003 adds 3m and 6m.
    assert dates_of(cbs) == [
        ("2026-11-22", "2026-11-23"),
        ("2026-11-27", "2026-11-27"),
        ("2026-12-20", "2026-12-21"),
        ("2027-02-20", "2027-02-22"),
        ("2027-05-20", "2027-05-20"),
    ]
    for cb in cbs:
        assert (cb["reason"], cb["source"], cb["level"], cb["status"]) == (
            "event",
            "event",
            1,
            "pending",
        )
        assert (cb["role"], cb["assignee"], cb["attempts"]) == ("clerk", "李娜", 0)
    event = rows("SELECT * FROM events")[0]
    assert (event["kind"], event["date"], event["staff"], event["result"]) == (
        "service",
        "2026-11-20",
        "赵强",
        "fixed",
    )


def test_event_callbacks_skip_national_day_week(run: Run, rows: Rows) -> None:
    build_office(run, "2026-10-08")
    ok(run("event", "add", "C002", "--kind", "service", "--date", "2026-09-29", "--ref", "WO-9",
           today="2026-10-08"))  # fmt: skip
    # +2d = 1 Oct and +7d = 6 Oct are both inside the holiday: first working day is 8 Oct.
    assert dates_of(event_callbacks(rows, "WO-9")) == [
        ("2026-10-01", "2026-10-08"),
        ("2026-10-06", "2026-10-08"),
        ("2026-10-29", "2026-10-29"),
    ]


def test_sale_event_plans_2d_7d_1m_3m_6m(office: Run, rows: Rows) -> None:
    ok(office("event", "add", "C002", "--kind", "sale", "--date", "2026-11-23", "--ref", "S-1"))
    assert dates_of(event_callbacks(rows, "S-1")) == [
        ("2026-11-25", "2026-11-25"),
        ("2026-11-30", "2026-11-30"),
        ("2026-12-23", "2026-12-23"),
        ("2027-02-23", "2027-02-23"),
        ("2027-05-23", "2027-05-24"),  # a Sunday -> Monday
    ]


@pytest.mark.parametrize(
    ("kind", "count"), [("parts", 1), ("rental", 2), ("used", 3), ("维修", 3), ("销售", 5)]
)
def test_every_kind_plans_its_configured_offsets(
    office: Run, rows: Rows, kind: str, count: int
) -> None:
    ok(office("event", "add", "C002", "--kind", kind, "--date", "2026-11-23", "--ref", "K"))
    assert len(event_callbacks(rows, "K")) == count


def test_month_offset_clips_to_month_end_and_make_up_day_counts(run: Run, rows: Rows) -> None:
    build_office(run, "2026-02-02")
    ok(run("event", "add", "C002", "--kind", "service", "--date", "2026-01-31", "--ref", "JAN",
           today="2026-02-02"))  # fmt: skip
    # 31 Jan + 1m = 28 Feb 2026, a Saturday that is a make-up working day: kept.
    assert dates_of(event_callbacks(rows, "JAN")) == [
        ("2026-02-02", "2026-02-02"),
        ("2026-02-07", "2026-02-09"),
        ("2026-02-28", "2026-02-28"),
    ]


def test_month_offset_clips_and_moves_to_the_next_working_day(run: Run, rows: Rows) -> None:
    build_office(run, "2027-02-01")
    ok(run("event", "add", "C002", "--kind", "service", "--date", "2027-01-31", "--ref", "J27",
           today="2027-02-01"))  # fmt: skip
    month = event_callbacks(rows, "J27")[-1]
    assert (month["planned_on"], month["due_on"]) == ("2027-02-28", "2027-03-01")


def test_offsets_are_from_the_event_date_not_chained(office: Run, rows: Rows) -> None:
    ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-11-20", "--ref", "W"))
    first = event_callbacks(rows, "W")[0]
    # The first callback is done late; the others keep their dates.
    ok(office("callback", "reschedule", str(first["id"]), "2026-11-24"))
    ok(office("log-call", "C001", "--outcome", "reached", "--by", "李娜",
              "--at", "2026-11-24 10:00", today="2026-11-24"))  # fmt: skip
    cbs = event_callbacks(rows, "W")
    assert cbs[0]["status"] == "done"
    assert dates_of(cbs[1:]) == [
        ("2026-11-27", "2026-11-27"),
        ("2026-12-20", "2026-12-21"),
        ("2027-02-20", "2027-02-22"),
        ("2027-05-20", "2027-05-20"),
    ]


def test_stale_callbacks_of_a_past_event_are_not_planned(office: Run, rows: Rows) -> None:
    # Sale on 20 Sep: +2d, +7d and +1m fell due before 24 Oct (30 days ago).
    r = ok(office("event", "add", "C001", "--kind", "sale", "--date", "2026-09-20", "--ref", "OLD"))
    assert dates_of(event_callbacks(rows, "OLD")) == [
        ("2026-12-20", "2026-12-21"),
        ("2027-03-20", "2027-03-22"),
    ]
    assert r.stdout.count("  callback #") == 2


def test_an_old_event_plans_nothing_and_says_so(office: Run, rows: Rows) -> None:
    before = rows("SELECT count(*) AS n FROM callbacks")[0]["n"]
    r = ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-01-05"))
    assert "no callbacks planned (all would fall due long ago: history is not a backlog)" in (
        r.stdout
    )
    assert rows("SELECT count(*) AS n FROM events")[0]["n"] == 1
    assert rows("SELECT count(*) AS n FROM callbacks")[0]["n"] == before


def test_stale_limit_is_thirty_days_before_today(office: Run, rows: Rows) -> None:
    # Today 25 Nov: due 26 Oct (30 days ago) is planned, due 23 Oct (33 days) is not.
    ok(office("event", "add", "C002", "--kind", "parts", "--date", "2026-10-19", "--ref", "P30",
              today="2026-11-25"))  # fmt: skip
    ok(office("event", "add", "C002", "--kind", "parts", "--date", "2026-10-16", "--ref", "P33",
              today="2026-11-25"))  # fmt: skip
    assert dates_of(event_callbacks(rows, "P30")) == [("2026-10-26", "2026-10-26")]
    assert event_callbacks(rows, "P33") == []


# -- event add: bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--kind", "repair", "--date", "2026-11-20"), 2, "'repair' is not valid; expected one of"),
        (("--kind", "service", "--date", "2026-02-30"), 65,
         "Error: --date: '2026-02-30' is not a date"),
        (("--kind", "service", "--date", "yesterday"), 65,
         "Error: --date: 'yesterday' is not a date"),
        (("--kind", "service", "--date", "22/11/2026"), 65,
         "Error: --date: '22/11/2026' is not a date"),
        (("--kind", "service", "--date", "2026-11-24"), 65,
         "Error: date: '2026-11-24' is not valid; expected a date on or before today (2026-11-23)"),
        (("--kind", "service", "--date", "2026-11-20", "--staff", "无名"), 1,
         "Error: no staff member named '无名' (--staff)"),
    ],
)  # fmt: skip
def test_event_add_bad_input_writes_nothing(
    office: Run, rows: Rows, args: tuple[str, ...], code: int, message: str
) -> None:
    before = snapshot(rows)
    refused(office("event", "add", "C001", *args), code, message)
    assert snapshot(rows) == before


def test_unknown_customer_is_refused(office: Run, rows: Rows) -> None:
    before = snapshot(rows)
    refused(
        office("event", "add", "C999", "--kind", "sale"), 1, "Error: no customer matches 'C999'"
    )
    assert snapshot(rows) == before


def test_duplicate_event_is_refused_and_writes_nothing(office: Run, rows: Rows) -> None:
    args = ("event", "add", "C001", "--kind", "service", "--date", "2026-11-20", "--ref", "WO-1")
    ok(office(*args))
    before = snapshot(rows)
    refused(
        office(*args),
        1,
        "Error: this service event on 2026-11-20 (ref 'WO-1') is already recorded",
    )
    assert snapshot(rows) == before


# -- visits by grade and role ---------------------------------------------------------------


def test_visit_matrix_plans_only_roles_that_have_staff(office: Run, rows: Rows) -> None:
    visits = {code: pending(rows, code, "visit") for code in ("C001", "C002")}
    assert [(v["role"], v["assignee"]) for v in visits["C001"]] == [
        ("account_manager", "王伟"),
        ("marketing_director", "周杰"),
        ("sales_manager", "孙丽"),
    ]
    assert {v["role"] for v in visits["C002"]} == {
        "account_manager",
        "marketing_director",
        "sales_manager",
    }
    assert rows("SELECT * FROM callbacks WHERE role IN ('branch_gm', 'regional_manager')") == []
    # Grade 1: account manager every 3 days, so the first visit lies within 3 days.
    am = visits["C001"][0]
    anchor = date.fromisoformat(am["planned_on"])
    assert TODAY <= anchor < TODAY + timedelta(days=3)
    assert am["due_on"] == CAL.next_working(anchor).isoformat()
    assert am["detail"] == "account_manager visit (every 3d)"


def test_account_manager_visits_go_to_the_customers_owner(office: Run, rows: Rows) -> None:
    ok(office("staff", "add", "钱进", "--role", "account_manager"))
    ok(office("customer", "add", "济宁重工", "--code", "C003", "--grade", "1", "--owner", "钱进"))
    am = [v for v in pending(rows, "C003", "visit") if v["role"] == "account_manager"]
    assert [v["assignee"] for v in am] == ["钱进"]
    c001 = [v for v in pending(rows, "C001", "visit") if v["role"] == "account_manager"]
    assert [v["assignee"] for v in c001] == ["王伟"]


def test_a_new_role_gets_its_visits_planned(office: Run, rows: Rows) -> None:
    assert rows("SELECT * FROM callbacks WHERE role = 'branch_gm'") == []
    ok(office("staff", "add", "郑总", "--role", "branch_gm"))
    got = rows(
        "SELECT c.code, c.grade, cb.assignee, cb.planned_on, cb.status FROM callbacks cb"
        " JOIN customers c ON c.id = cb.customer_id WHERE cb.role = 'branch_gm' ORDER BY c.code"
    )
    assert [(g["code"], g["assignee"], g["status"]) for g in got] == [
        ("C001", "郑总", "pending"),
        ("C002", "郑总", "pending"),
    ]
    for g in got:
        every = parse_interval(CONFIG["visits"][str(g["grade"])]["branch_gm"])
        anchor = date.fromisoformat(g["planned_on"])
        assert TODAY <= anchor < TODAY + timedelta(days=every.approx_days)


def test_yearly_floor_for_every_customer(office: Run, rows: Rows) -> None:
    for code in ("C001", "C002"):
        yearly = pending(rows, code, "yearly")
        assert len(yearly) == 1
        anchor = date.fromisoformat(yearly[0]["planned_on"])
        assert TODAY <= anchor < TODAY + timedelta(days=365)
        assert yearly[0]["role"] == "clerk"


def add_many(session: Session, codes: list[str], grade: int = 5) -> None:
    for code in codes:
        add_customer(session, validate_customer({"name": f"客户{code}", "code": code,
                                                 "grade": str(grade)}))  # fmt: skip


def first_dates(rows: Rows, reason: str, role: str, codes: list[str]) -> dict[str, str]:
    found = rows(
        "SELECT c.code, cb.planned_on FROM callbacks cb JOIN customers c ON c.id = cb.customer_id"
        " WHERE cb.reason = ? AND cb.role = ? AND cb.status = 'pending'",
        reason,
        role,
    )
    return {r["code"]: r["planned_on"] for r in found if r["code"] in codes}


def test_first_periodic_callbacks_are_spread_evenly(
    office: Run, rows: Rows, session: Callable[..., Session]
) -> None:
    codes = [f"S{i:03d}" for i in range(60)]
    add_many(session(), codes)
    yearly = first_dates(rows, "yearly", "clerk", codes)
    assert sorted(yearly) == codes, "every customer has its yearly floor"
    per_day = Counter(yearly.values())
    assert len(per_day) >= 40, per_day
    assert max(per_day.values()) <= 4, per_day
    assert len({d[:7] for d in yearly.values()}) >= 10, "spread over the whole year"
    assert all(TODAY.isoformat() <= d < "2027-11-23" for d in yearly.values())
    visits = first_dates(rows, "visit", "account_manager", codes)  # grade 5: monthly
    assert len(visits) == 60
    assert len(set(visits.values())) >= 15
    assert all(TODAY.isoformat() <= d < "2026-12-23" for d in visits.values())


def test_spread_is_deterministic_on_the_same_database(
    office: Run, run: Run, rows: Rows, db_path: Path, tmp_path: Path
) -> None:
    """The first callbacks are levelled against what is planned (issue 14 item 6), so
    the same add on a copy of the same database gives the same dates."""
    for i in range(5):  # a workload to level against
        ok(office("customer", "add", f"填充{i}", "--grade", "3"))
    other = tmp_path / "other.db"
    other = copy_office(db_path, other)
    ok(office("customer", "add", "菏泽农机", "--code", "S042", "--grade", "5"))
    here = {
        r["reason"] + ":" + r["role"]: r["planned_on"]
        for r in rows(
            "SELECT cb.reason, cb.role, cb.planned_on FROM callbacks cb"
            " JOIN customers c ON c.id = cb.customer_id WHERE c.code = 'S042'"
        )
    }
    ok(run("customer", "add", "菏泽农机", "--code", "S042", "--grade", "5", db=other))
    conn = open_db(other)
    try:
        there = {
            f"{reason}:{role}": planned
            for reason, role, planned in conn.execute(
                "SELECT cb.reason, cb.role, cb.planned_on FROM callbacks cb"
                " JOIN customers c ON c.id = cb.customer_id WHERE c.code = 'S042'"
            )
        }
    finally:
        conn.close()
    assert "yearly:clerk" in here
    assert all(CAL.is_working(date.fromisoformat(d)) for d in here.values())
    assert here == there


# -- greetings ---------------------------------------------------------------------------


def test_birthday_greeting_on_the_working_day_before(office: Run, rows: Rows) -> None:
    ok(office("contact", "add", "C002", "王芳", "--birthday", "1975-12-05"))  # a Saturday
    ok(office("contact", "add", "C002", "赵敏", "--birthday", "12-08"))  # a Tuesday
    ok(office("contact", "add", "C002", "孙悦", "--birthday", "1980-03-01"))  # beyond 45 days
    r = ok(office("due", "--days", "20", "--format", "json"))
    assert "birthday of 王芳 (12-05)" in r.stdout
    got = rows(
        "SELECT ct.name, cb.planned_on, cb.due_on, cb.role FROM callbacks cb"
        " JOIN contacts ct ON ct.id = cb.contact_id WHERE cb.reason = 'birthday' ORDER BY ct.name"
    )
    assert [(g["name"], g["planned_on"], g["due_on"]) for g in got] == [
        ("王芳", "2026-12-05", "2026-12-04"),
        ("赵敏", "2026-12-08", "2026-12-08"),
    ]


def test_birthday_added_after_the_daily_roll_is_still_planned(office: Run, rows: Rows) -> None:
    ok(office("due"))  # the day's greetings are rolled forward here
    ok(office("contact", "add", "C002", "王芳", "--birthday", "11-27"))
    r = ok(office("due", "--days", "7", "--format", "json"))
    assert "birthday of 王芳 (11-27)" in r.stdout
    assert len(rows("SELECT * FROM callbacks WHERE reason = 'birthday'")) == 1


def test_holiday_greetings_only_for_grades_1_to_3(office: Run, rows: Rows) -> None:
    """Seed 003 "节日回访…回访大客户": core, important and key customers, not general."""
    ok(office("customer", "add", "聊城路桥", "--code", "C003", "--grade", "2", today="2026-12-01"))
    ok(office("customer", "add", "德州物流", "--code", "C004", "--grade", "3", today="2026-12-01"))
    ok(office("customer", "add", "滨州农机", "--code", "C005", "--grade", "4", today="2026-12-01"))
    r = ok(office("due", "--days", "30", "--format", "json", today="2026-12-01"))
    assert "New Year's Day greeting (2027-01-01)" in r.stdout
    got = rows(
        "SELECT c.code, cb.due_on, cb.planned_on, cb.detail FROM callbacks cb"
        " JOIN customers c ON c.id = cb.customer_id"
        " WHERE cb.reason = 'holiday' AND cb.status = 'pending' ORDER BY c.code"
    )
    assert [(g["code"], g["due_on"], g["planned_on"]) for g in got] == [
        ("C001", "2026-12-31", "2027-01-01"),
        ("C003", "2026-12-31", "2027-01-01"),
        ("C004", "2026-12-31", "2027-01-01"),
    ]


def test_spring_festival_greeting_falls_on_the_make_up_saturday(run: Run, rows: Rows) -> None:
    build_office(run, "2026-01-10")
    got = rows(
        "SELECT cb.due_on, cb.planned_on, cb.detail FROM callbacks cb"
        " JOIN customers c ON c.id = cb.customer_id"
        " WHERE c.code = 'C001' AND cb.reason = 'holiday'"
    )
    # 17 Feb is the festival; 16 Feb (eve) and the weekend are off; 14 Feb is worked.
    assert [(g["planned_on"], g["due_on"]) for g in got] == [("2026-02-17", "2026-02-14")]
    assert "Chinese New Year (Spring Festival)" in got[0]["detail"]
    assert rows("SELECT * FROM callbacks WHERE reason = 'holiday' AND customer_id = 2") == []


# -- chained visits ------------------------------------------------------------------------


def test_next_visit_is_chained_from_the_reached_call(office: Run, rows: Rows) -> None:
    before = [v for v in pending(rows, "C001", "visit") if v["role"] == "account_manager"]
    ok(office("log-call", "C001", "--outcome", "reached", "--by", "王伟",
              "--at", "2026-11-26 10:00", today="2026-11-26"))  # fmt: skip
    done = rows("SELECT * FROM callbacks WHERE id = ?", before[0]["id"])[0]
    assert (done["status"], done["closed_on"]) == ("done", "2026-11-26")
    after = [v for v in pending(rows, "C001", "visit") if v["role"] == "account_manager"]
    # 26 Nov + 3 days = Sunday 29 Nov -> Monday 30 Nov.
    assert [(v["planned_on"], v["due_on"], v["assignee"]) for v in after] == [
        ("2026-11-29", "2026-11-30", "王伟")
    ]


def test_a_second_reached_call_the_same_day_keeps_a_visit_planned(office: Run, rows: Rows) -> None:
    for at in ("2026-11-23 09:00", "2026-11-23 15:00"):
        ok(office("log-call", "C001", "--outcome", "reached", "--by", "王伟", "--at", at))
    am = [v for v in pending(rows, "C001", "visit") if v["role"] == "account_manager"]
    assert [(v["planned_on"], v["due_on"]) for v in am] == [("2026-11-26", "2026-11-26")]


# -- property tests: planning invariants ----------------------------------------------------


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with staff and one grade-3 customer, reused as a template."""
    path = tmp_path_factory.mktemp("template") / "followup.db"
    with opened(path, TODAY, create=True) as s:
        for name, role in STAFF:
            add_staff(s, validate_staff(s, name, role))
        add_customer(s, validate_customer({"name": "济南重工", "code": "C001", "grade": "3"}))
    return path


@contextmanager
def opened(path: Path, today: date, *, create: bool = False) -> Iterator[Session]:
    conn = open_database(path, create=create)
    try:
        now = datetime.fromisoformat(f"{today.isoformat()}T10:00:00+08:00")
        yield Session(conn=conn, config=CONFIG, today=today, now=now)
    finally:
        conn.close()


@contextmanager
def fresh_copy(template: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "followup.db"
        shutil.copy(template, path)
        yield path


KINDS = list(CONFIG["planning"]["event_offsets"])
EVENTS = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=400),  # days before today
        st.sampled_from(["", "A", "B"]),
    ),
    min_size=1,
    max_size=6,
    unique=True,
)
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("event"), EVENTS),
        st.tuples(st.just("call"), st.sampled_from(["reached", "no-answer"])),
    ),
    min_size=1,
    max_size=4,
)


def check_event_callbacks(conn: sqlite3.Connection) -> None:
    stale_before = TODAY - timedelta(days=int(CONFIG["planning"]["stale_after_days"]))
    keys = [r[0] for r in conn.execute("SELECT plan_key FROM callbacks")]
    assert len(keys) == len(set(keys))
    for event in conn.execute("SELECT id, kind, date FROM events").fetchall():
        day = date.fromisoformat(event["date"])
        expected = {}
        grade = conn.execute(
            "SELECT grade FROM customers c JOIN events e ON e.customer_id = c.id WHERE e.id = ?",
            (event["id"],),
        ).fetchone()[0]
        for text in CONFIG.event_offsets(event["kind"], CONFIG.tier(grade)):
            anchor = parse_interval(text).after(day)
            if CAL.next_working(anchor) >= stale_before:
                expected[f"event:{event['id']}:{text}"] = anchor
        got = {
            r["plan_key"]: r
            for r in conn.execute(
                "SELECT * FROM callbacks WHERE event_id = ? AND reason = 'event'", (event["id"],)
            )
        }
        assert set(got) == set(expected)
        for key, anchor in expected.items():
            cb = got[key]
            assert cb["planned_on"] == anchor.isoformat(), "offset measured from the event date"
            if cb["attempts"] == 0:
                due = date.fromisoformat(cb["due_on"])
                assert due == CAL.next_working(anchor)
                assert due >= anchor and CAL.is_working(due)


@settings(max_examples=25, deadline=None)
@given(actions=ACTIONS)
def test_events_never_duplicate_callbacks_and_replanning_adds_nothing(
    template_db: Path, actions: list[tuple[str, Any]]
) -> None:
    with fresh_copy(template_db) as path, opened(path, TODAY) as s:
        minute = 0
        seen: set[tuple[str, int, str]] = set()
        for action, value in actions:
            if action == "call":
                minute += 1
                at = datetime.fromisoformat(f"2026-11-23T09:{minute:02d}:00+08:00")
                log_call(s, "C001", validate_call(value, "李娜", at))
                continue
            for kind, ago, ref in value:
                if (kind, ago, ref) in seen:
                    continue
                seen.add((kind, ago, ref))
                add_event(s, "C001", EventInput(kind, TODAY - timedelta(days=ago), ref))
        check_event_callbacks(s.conn)
        before = [dict(r) for r in s.conn.execute("SELECT * FROM callbacks ORDER BY id")]
        ids = [r[0] for r in s.conn.execute("SELECT id FROM events")]
        with s.write() as conn:
            Planner(s, conn).plan_events(ids)
            Planner(s, conn).plan_customers(None)
        after = [dict(r) for r in s.conn.execute("SELECT * FROM callbacks ORDER BY id")]
        assert after == before
        pending_rules = [
            (r[0], r[1])
            for r in s.conn.execute(
                "SELECT reason, role FROM callbacks WHERE status = 'pending'"
                " AND reason IN ('visit', 'yearly')"
            )
        ]
        assert len(pending_rules) == len(set(pending_rules))
        for (due_on,) in s.conn.execute("SELECT due_on FROM callbacks WHERE status = 'pending'"):
            assert CAL.is_working(date.fromisoformat(due_on)), due_on


@settings(max_examples=25, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    day=st.dates(min_value=date(2025, 9, 1), max_value=TODAY),
)
def test_every_event_callback_is_on_a_working_day_after_its_anchor(
    template_db: Path, kind: str, day: date
) -> None:
    with fresh_copy(template_db) as path, opened(path, TODAY) as s:
        added = add_event(s, "C001", EventInput(kind, day, "P"))
        for cb in added.callbacks:
            due = date.fromisoformat(cb["due_on"])
            assert CAL.is_working(due)
            assert due >= day + timedelta(days=2)
        check_event_callbacks(s.conn)
