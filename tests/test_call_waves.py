"""An import's calls settled a wave at a time (domain/calls/waves.py) leave the very rows
of settling them one by one as `log-call` does (issue 20: "calls are settled set-wise
... with a property test that the result equals settling one by one").

Random offices (seeded: a failure names its seed): staff of every visiting role, some
customers with an account manager, contacts with birthdays, events that plan callbacks
and level-2 checks; then a calls file over three years, reached and missed, by callers
of several roles, customers called several times, some today. Old calls re-anchor
visits and yearly floors on days already stale, so the workload levelling runs while
later calls of the same wave have completed, cancelled or moved pending callbacks of
the same role: the case `Planner.in_wave` counts as one by one would.
"""

from __future__ import annotations

import functools
import random
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from assertions import ok
from conftest import open_db
from test_load import dump

Run = Any

ROLES = (
    ("李娜", "clerk"),
    ("王伟", "account_manager"),
    ("周敏", "account_manager"),
    ("赵强", "service"),
    ("陈静", "service_supervisor"),
    ("孙丽", "sales_manager"),
    ("钱军", "branch_gm"),
)
OUTCOMES = ("reached", "reached", "reached", "no-answer", "busy", "left-message")
TODAY = date(2026, 11, 23)


def random_office(run: Run, tmp_path: Path, rng: random.Random, customers: int) -> None:
    """Staff, customers (grades 1-5, some with an owner), contacts with birthdays, and
    events over the last year, imported as an office would."""
    files = {
        "staff": "name,role\n" + "".join(f"{n},{r}\n" for n, r in ROLES),
        "customers": "code,name,grade,phone,owner\n"
        + "".join(
            f"K{i:05d},客户{i}号机械,{rng.randint(1, 5)},1380000{i:04d},"
            f"{rng.choice(['王伟', '周敏', '', ''])}\n"
            for i in range(customers)
        ),
        "contacts": "customer_code,name,birthday\n"
        + "".join(
            f"K{rng.randrange(customers):05d},联系人{i},"
            f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
            for i in range(customers // 2)
        ),
        "events": "customer_code,kind,date,ref,staff\n"
        + "".join(
            f"K{rng.randrange(customers):05d},{rng.choice(['service', 'sale', 'parts'])},"
            f"{TODAY - timedelta(days=rng.randint(0, 360))},WO-{i},赵强\n"
            for i in range(customers * 2)
        ),
    }
    for kind, text in files.items():
        path = tmp_path / f"setup-{kind}.csv"
        path.write_text(text, encoding="utf-8")
        ok(run("import", kind, str(path)))


def random_calls(tmp_path: Path, rng: random.Random, customers: int, n: int) -> Path:
    """`n` calls (unique by customer, time and caller) over three years up to today."""
    seen: set[tuple[int, str, str]] = set()
    lines = ["customer_code,at,by,outcome,satisfaction"]
    while len(lines) <= n:
        who = rng.randrange(customers)
        ago = rng.choice([0, 0, 1, rng.randint(0, 40), rng.randint(0, 1095)])
        day = TODAY - timedelta(days=ago)
        at = f"{day} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
        by = rng.choice(ROLES)[0]
        if (who, at, by) in seen:
            continue
        seen.add((who, at, by))
        outcome = rng.choice(OUTCOMES)
        lines.append(
            f"K{who:05d},{at},{by},{outcome},{rng.randint(1, 5) if outcome == 'reached' else ''}"
        )
    path = tmp_path / "calls.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_by_one(monkeypatch: Any) -> None:
    """Settle every call of an import as log-call does (the rule waves are held to)."""
    from followup_cli.transfer import writing

    monkeypatch.setattr(
        writing, "settle_calls", functools.partial(writing.settle_calls, one_by_one=True)
    )


@pytest.mark.parametrize("seed", range(8))
def test_calls_settled_in_waves_leave_the_rows_of_settling_them_one_by_one(
    seed: int,
    initdb: Run,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: Any,
    request: pytest.FixtureRequest,
) -> None:
    """On either engine: the same office built twice from one seed, its calls file
    imported in waves into one and one by one into the other."""
    if isinstance(db_path, Path):
        reference: Any = tmp_path / "one-by-one.db"
    else:  # (a server: a second database of its own)
        server = request.getfixturevalue("pg_server")
        reference = server.url(server.new_database())
    ok(initdb("init", db=reference))
    for db in (db_path, reference):
        rng = random.Random(seed)
        customers = rng.choice([12, 30, 60])
        random_office(functools.partial(initdb, db=db), tmp_path, rng, customers)
        path = random_calls(tmp_path, rng, customers, rng.choice([40, 150, 400]))
    waves = ok(initdb("import", "calls", str(path)))
    with monkeypatch.context() as patch:
        one_by_one(patch)
        plain = ok(initdb("import", "calls", str(path), db=reference))
    assert waves.stdout == plain.stdout
    assert dump(db_path) == dump(reference), f"seed {seed}"


def test_what_the_waves_are_held_to_was_exercised(
    initdb: Run, db_path: Path, tmp_path: Path
) -> None:
    """The random files reach what settling does, over several waves: callbacks completed
    and brought back, level-2 checks, retries, customers flagged unreachable, first
    visits levelled, customers called more than once."""
    from followup_cli.domain.calls import waves

    rng = random.Random(3)
    random_office(initdb, tmp_path, rng, 30)
    path = random_calls(tmp_path, rng, 30, 400)
    ok(initdb("import", "calls", str(path)))
    if not isinstance(db_path, Path):
        pytest.skip("counted on a SQLite file")
    conn = open_db(db_path)
    seen = dict(
        conn.execute(
            "SELECT reason || ':' || status, count(*) FROM callbacks GROUP BY 1"
        ).fetchall()
    )
    attempts = conn.execute("SELECT count(*) FROM callbacks WHERE attempts > 0").fetchone()[0]
    flagged = conn.execute("SELECT count(*) FROM customers WHERE unreachable = 1").fetchone()[0]
    conn.close()
    assert seen.get("event:done", 0) and seen.get("second-level:pending", 0), seen
    assert seen.get("yearly:cancelled", 0) and seen.get("visit:done", 0), seen
    assert seen.get("retry:pending", 0) + seen.get("retry:done", 0), seen
    assert attempts and flagged
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    codes = [line.split(",")[0] for line in lines]
    assert len(set(codes)) < len(codes)  # customers called more than once
    cut = list(waves.waves(_fake_rows(codes)))
    assert len(cut) > 5 and all(len({c.customer["id"] for c in w}) == len(w) for w in cut)


def _fake_rows(codes: list[str]) -> list[tuple[dict[str, int], Any]]:
    from datetime import datetime

    from followup_cli.domain.calls.log import CallInput

    at = datetime(2026, 11, 23, 9, 0)
    return [({"id": int(code[1:])}, CallInput("reached", "李娜", at)) for code in codes]


def test_the_count_correction_matters(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Without counting a window as one by one would (the wave's later calls' changes
    undone, its earlier calls' plans written first), some random file levels a first
    visit onto another day: the property above can fail, and fails without it."""
    from followup_cli.domain.callbacks.planning import Planner

    if not isinstance(db_path, Path):
        pytest.skip("compared on SQLite files")
    original = Planner.in_wave

    def careless(self: Planner, call: int, ahead: list[Any]) -> None:
        original(self, call, [])
        self._call_from = 0

    differed = []
    for seed in range(8):
        rng = random.Random(seed)
        folder = tmp_path / f"s{seed}"
        folder.mkdir()
        db = folder / "waves.db"
        ok(initdb("init", db=db))
        customers = rng.choice([12, 30, 60])
        random_office(functools.partial(initdb, db=db), folder, rng, customers)
        path = random_calls(folder, rng, customers, rng.choice([40, 150, 400]))
        reference = folder / "one-by-one.db"
        shutil.copyfile(db, reference)
        with monkeypatch.context() as patch:
            patch.setattr(Planner, "in_wave", careless)
            ok(initdb("import", "calls", str(path), db=db))
        with monkeypatch.context() as patch:
            one_by_one(patch)
            ok(initdb("import", "calls", str(path), db=reference))
        differed.append(dump(db) != dump(reference))
    assert any(differed), differed


def _rehearsed_and_plain(
    initdb: Run, folder: Path, seed: int, monkeypatch: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random office's calls file over some of its customers, rehearsed on a private
    copy (the others' pending callbacks counted in the real table) and written the plain
    way inside the lock: the dumps of both databases."""
    from followup_cli.transfer import rehearsal

    rng = random.Random(seed)
    db = folder / "rehearsed.db"
    ok(initdb("init", db=db))
    customers = rng.choice([40, 80])
    random_office(functools.partial(initdb, db=db), folder, rng, customers)
    path = random_calls(folder, rng, customers // 4, rng.choice([20, 60]))
    plain_db = folder / "plain.db"
    shutil.copyfile(db, plain_db)
    rehearsed = ok(initdb("import", "calls", str(path), db=db))
    with monkeypatch.context() as patch:
        patch.setattr(rehearsal, "REHEARSALS", 0)  # straight to the plain way
        plain = ok(initdb("import", "calls", str(path), db=plain_db))
    assert rehearsed.stdout == plain.stdout
    return dump(db), dump(plain_db)


@pytest.mark.parametrize("seed", range(6))
def test_a_rehearsal_of_some_customers_writes_what_the_plain_way_writes(
    seed: int, initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """A calls file of a quarter of the office's customers: its private copy holds their
    rows alone, and a first visit levelled there counts the others' pending callbacks in
    the real table, in the rehearsal's snapshot, as the plain way counts them."""
    if not isinstance(db_path, Path):
        pytest.skip("the rehearsal is SQLite's shadow copy")
    ours, theirs = _rehearsed_and_plain(initdb, tmp_path, seed, monkeypatch)
    assert ours == theirs, f"seed {seed}"


def test_the_others_workload_is_what_makes_them_equal(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Counting only the copy's callbacks (the others' left out) levels some first visit
    of some random file onto another day than the plain way: the test above can fail."""
    from followup_cli.domain.callbacks import store

    if not isinstance(db_path, Path):
        pytest.skip("the rehearsal is SQLite's shadow copy")
    counted = store.pending_between
    monkeypatch.setattr(
        store,
        "pending_between",
        lambda conn, role, first, last, copied=None: counted(conn, role, first, last),
    )
    differed = []
    for seed in range(6):
        folder = tmp_path / f"s{seed}"
        folder.mkdir()
        ours, theirs = _rehearsed_and_plain(initdb, folder, seed, monkeypatch)
        differed.append(ours != theirs)
    assert any(differed), differed


def test_a_wave_refuses_a_call_already_logged_as_log_call_does(initdb: Run, session: Any) -> None:
    """The domain function itself: a call of the wave already logged (same customer,
    moment and caller) is refused with log-call's message, and nothing of the wave is
    left written (the caller's transaction rolls back)."""
    from datetime import datetime

    from followup_cli.domain.callbacks.planning import Planner
    from followup_cli.domain.calls import waves
    from followup_cli.domain.calls.log import CallInput
    from followup_cli.support.errors import Conflict

    ok(initdb("staff", "add", "李娜", "--role", "clerk"))
    ok(initdb("customer", "add", "一号机械", "--code", "K00001", "--grade", "3"))
    ok(initdb("customer", "add", "二号机械", "--code", "K00002", "--grade", "3"))
    ok(initdb("log-call", "K00002", "--outcome", "reached", "--by", "李娜",
              "--at", "2026-11-20 10:00"))  # fmt: skip
    s = session()
    at = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
    rows = [
        (s.conn.execute("SELECT * FROM customers WHERE code = ?", (code,)).fetchone(),
         CallInput("reached", "李娜", at, imported=True, zone=s.zone))
        for code in ("K00001", "K00002")
    ]  # fmt: skip
    before = s.conn.execute("SELECT count(*) FROM calls").fetchone()[0]
    with (
        pytest.raises(Conflict, match="K00002 by 李娜 at .* is already logged"),
        s.write() as conn,
    ):
        waves.settle_imported(s, Planner(s, conn), rows)
    assert s.conn.execute("SELECT count(*) FROM calls").fetchone()[0] == before == 1
