"""First periodic callbacks are levelled over the working days of the first interval
(SPEC 3 "No flood on import", issue 14 item 6): through `import customers` and
`customer add` on real files, and the levelling rule itself against its plain version.

Today is 2026-10-09: the yearly window (to 2027-10-09) holds the Spring Festival and
National Day 2027, the monthly one the make-up working Saturday 2026-10-10.
"""

from __future__ import annotations

import math
import shutil
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from assertions import ok
from conftest import open_db
from followup_cli.domain.callbacks.levelling import Workload, least_loaded_plain
from followup_cli.support.dates import parse_interval
from followup_cli.support.workdays import WorkCalendar, library_days

Run = Callable[..., Any]

TODAY = "2026-10-09"
DAY = date.fromisoformat(TODAY)
YEARS = range(2024, 2031)
CAL = WorkCalendar(library_days(YEARS), YEARS)
STAFF = [
    ("李娜", "clerk"),
    ("王伟", "account_manager"),
    ("孙丽", "sales_manager"),
    ("周杰", "marketing_director"),
]
# Grade 4 (defaults.toml [visits.4]) and the yearly floor, for the staffed roles.
GRADE4 = {
    ("yearly", "clerk"): "1y",
    ("visit", "account_manager"): "1m",
    ("visit", "sales_manager"): "2m",
    ("visit", "marketing_director"): "1y",
}


def working_days(every: str) -> list[date]:
    """The working days of the first interval `every` from TODAY."""
    end = parse_interval(every).after(DAY)
    days = (DAY + timedelta(days=i) for i in range((end - DAY).days))
    return [d for d in days if CAL.is_working(d)]


def new_office(run: Run, db: Path) -> None:
    ok(run("init", today=TODAY, db=db))
    for name, role in STAFF:
        ok(run("staff", "add", name, "--role", role, today=TODAY, db=db))


def customers_csv(tmp_path: Path, codes: list[str], grade: str = "4") -> Path:
    path = tmp_path / f"customers-{codes[0]}-{len(codes)}.csv"
    lines = ["客户编号,客户名称,等级"]
    lines += [f"{code},测试客户{code}有限公司,{grade}" for code in codes]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def first_callbacks(db: Path, codes: list[str] | None = None) -> list[tuple[str, str, str, str]]:
    """(code, reason, role, due_on) of every pending visit and yearly callback."""
    conn = open_db(db)
    try:
        found = conn.execute(
            "SELECT c.code, cb.reason, cb.role, cb.due_on FROM callbacks cb"
            " JOIN customers c ON c.id = cb.customer_id WHERE cb.status = 'pending'"
            " AND cb.reason IN ('visit', 'yearly') ORDER BY c.code, cb.reason, cb.role"
        ).fetchall()
    finally:
        conn.close()
    return [r for r in found if codes is None or r[0] in codes]


def count(db: Path, sql: str, *params: Any) -> int:
    conn = open_db(db)
    try:
        return int(conn.execute(sql, params).fetchone()[0])
    finally:
        conn.close()


def per_day(found: list[tuple[str, str, str, str]], reason: str, role: str) -> Counter[str]:
    return Counter(due for _, r, ro, due in found if (r, ro) == (reason, role))


# -- import customers ---------------------------------------------------------------------


def check_levelled(run: Run, tmp_path: Path, n: int) -> None:
    db = tmp_path / "a.db"
    new_office(run, db)
    twin = tmp_path / "b.db"
    shutil.copyfile(db, twin)  # a fresh copy of the same database
    codes = [f"K{i:05d}" for i in range(n)]
    path = customers_csv(tmp_path, codes)
    ok(run("import", "customers", str(path), today=TODAY, db=db))
    found = first_callbacks(db)
    assert len(found) == n * len(GRADE4)
    for (reason, role), every in GRADE4.items():
        days = working_days(every)
        load = per_day(found, reason, role)
        assert sum(load.values()) == n
        bound = math.ceil(n / len(days)) + 1
        assert max(load.values()) <= bound, (reason, role, load.most_common(3), bound)
        off = [d for d in load if not CAL.is_working(date.fromisoformat(d))]
        assert off == [], f"{reason}/{role} on non-working days {off}"
        assert set(load) <= {d.isoformat() for d in days}, "inside the first interval"
        if n >= 2 * len(days):  # every working day takes its share
            assert set(load) == {d.isoformat() for d in days}, (reason, role)
    # The same import on the same database gives the same dates.
    ok(run("import", "customers", str(path), today=TODAY, db=twin))
    assert first_callbacks(twin) == found


def test_import_of_365_grade4_customers_levels_first_callbacks(run: Run, tmp_path: Path) -> None:
    check_levelled(run, tmp_path, 365)
    # Not piled up on the first working days after the long holidays, as the hash did.
    load = per_day(first_callbacks(tmp_path / "a.db"), "yearly", "clerk")
    assert load["2027-02-11"] <= 2 and load["2027-10-08"] <= 2, load.most_common(3)
    assert "2026-10-10" in per_day(first_callbacks(tmp_path / "a.db"), "visit", "account_manager")


def test_import_of_1000_grade4_customers_levels_first_callbacks(run: Run, tmp_path: Path) -> None:
    check_levelled(run, tmp_path, 1000)


def test_a_second_import_is_levelled_against_the_first(run: Run, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    new_office(run, db)
    first = [f"A{i:04d}" for i in range(300)]
    second = [f"B{i:04d}" for i in range(300)]
    ok(run("import", "customers", str(customers_csv(tmp_path, first)), today=TODAY, db=db))
    ok(run("import", "customers", str(customers_csv(tmp_path, second)), today=TODAY, db=db))
    found = first_callbacks(db)
    for (reason, role), every in GRADE4.items():
        bound = math.ceil(600 / len(working_days(every))) + 1
        load = per_day(found, reason, role)
        assert max(load.values()) <= bound, (reason, role, load.most_common(3), bound)


def test_first_callbacks_avoid_days_already_busy_for_that_role(run: Run, tmp_path: Path) -> None:
    """100 service events yesterday plan 100 clerk callbacks on each of three days; the
    yearly floor of 250 new customers (also the clerk's) stays off those days."""
    db = tmp_path / "a.db"
    new_office(run, db)
    busy_codes = [f"E{i:03d}" for i in range(100)]
    ok(run("import", "customers", str(customers_csv(tmp_path, busy_codes, "5")),
           today=TODAY, db=db))  # fmt: skip
    events = tmp_path / "events.csv"
    events.write_text(
        "客户编号,类型,日期,单号\r\n"
        + "".join(f"{c},service,2026-10-08,WO{c}\r\n" for c in busy_codes),
        encoding="utf-8",
    )
    ok(run("import", "events", str(events), today=TODAY, db=db))
    busy = {
        r[0]
        for r in open_db(db).execute(
            "SELECT due_on FROM callbacks WHERE status = 'pending' AND role = 'clerk'"
            " GROUP BY due_on HAVING count(*) >= 100"
        )
    }
    assert len(busy) == 3, busy
    codes = [f"N{i:03d}" for i in range(250)]
    before = count(db, "SELECT count(*) FROM callbacks WHERE reason = 'yearly'")
    ok(run("import", "customers", str(customers_csv(tmp_path, codes)), today=TODAY, db=db))
    load = per_day(first_callbacks(db, codes), "yearly", "clerk")
    assert count(db, "SELECT count(*) FROM callbacks WHERE reason = 'yearly'") == before + 250
    assert busy.isdisjoint(load), sorted(busy & set(load))
    days = working_days("1y")
    # Levelled with the first import's 100 yearly callbacks: 350 over the free days.
    total = per_day(first_callbacks(db), "yearly", "clerk")
    assert max(total.values()) <= math.ceil(350 / (len(days) - 3)) + 1, total.most_common(3)


# -- customer add -----------------------------------------------------------------------


def test_customer_add_takes_the_least_loaded_working_day(run: Run, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    new_office(run, db)
    codes = [f"K{i:05d}" for i in range(300)]
    ok(run("import", "customers", str(customers_csv(tmp_path, codes)), today=TODAY, db=db))
    load = per_day(first_callbacks(db), "visit", "account_manager")
    days = working_days("1m")
    least = min(load.get(d.isoformat(), 0) for d in days)
    twin = tmp_path / "b.db"
    shutil.copyfile(db, twin)
    ok(run("customer", "add", "新客户", "--code", "Z001", "--grade", "4", today=TODAY, db=db))
    mine = {(r, ro): due for _, r, ro, due in first_callbacks(db, ["Z001"])}
    assert set(mine) == set(GRADE4)
    assert load.get(mine[("visit", "account_manager")], 0) == least
    assert CAL.is_working(date.fromisoformat(mine[("visit", "account_manager")]))
    ok(run("customer", "add", "新客户", "--code", "Z001", "--grade", "4", today=TODAY, db=twin))
    assert first_callbacks(twin, ["Z001"]) == first_callbacks(db, ["Z001"])


def test_customer_add_in_a_holiday_window_lands_on_a_working_day(run: Run, tmp_path: Path) -> None:
    """Grade 1's account manager visits every 3 days: from the eve of National Day the
    window 09-30..10-02 holds one working day (09-30) only."""
    db = tmp_path / "a.db"
    ok(run("init", today="2026-09-30", db=db))
    ok(run("staff", "add", "王伟", "--role", "account_manager", today="2026-09-30", db=db))
    for i in range(5):
        ok(run("customer", "add", f"客户{i}", "--code", f"G{i}", "--grade", "1",
               today="2026-09-30", db=db))  # fmt: skip
    load = per_day(first_callbacks(db), "visit", "account_manager")
    assert load == {"2026-09-30": 5}


# -- the rule, plainly and bucketed -------------------------------------------------------

DAYS = [date(2026, 10, 9) + timedelta(days=i) for i in range(40)]


@settings(max_examples=200, deadline=None)
@given(
    existing=st.dictionaries(st.sampled_from(DAYS), st.integers(0, 5), max_size=20),
    picks=st.lists(
        st.tuples(st.sampled_from(["clerk", "service"]), st.integers(1, 40), st.integers(0, 99)),
        max_size=60,
    ),
)
def test_bucketed_workload_agrees_with_the_plain_rule(
    existing: dict[date, int], picks: list[tuple[str, int, int]]
) -> None:
    workload = Workload({"clerk": dict(existing)})
    plain: dict[str, dict[date, int]] = {"clerk": dict(existing), "service": {}}
    for role, width, position in picks:
        window = DAYS[:width]
        day = workload.pick(role, window, position)
        assert day == least_loaded_plain(window, plain[role], position)
        workload.add(role, day)
        plain[role][day] = plain[role].get(day, 0) + 1
        if position % 7 == 0:  # something else planned for the role on some day
            other = DAYS[position % len(DAYS)]
            workload.add(role, other)
            plain[role][other] = plain[role].get(other, 0) + 1
    assert workload.counts["clerk"] == plain["clerk"]


def test_levelling_bound_for_n_over_w() -> None:
    for n in (1, 30, 250, 365, 1000):
        workload = Workload()
        window = DAYS[:23]
        for i in range(n):
            workload.add("clerk", workload.pick("clerk", window, (i * 7919) % 23))
        assert max(workload.counts["clerk"].values()) <= math.ceil(n / 23)
