#!/usr/bin/env python3
"""The second office shape: "the same office after a month of work" (issue 20).

The bench's office is its imported history: every callback planned since the history
went in is still pending, so tens of thousands of customers are due on the bench's date.
An office that has worked for a month has called them: what is due is the day's share.
This module writes the calls that month made, from the database itself (standard
library only: it reads the callbacks with sqlite3 and writes CSV files that `followup
import calls` takes), and imports them through the real CLI:

- every pending callback due before TODAY is settled by a reached call on its due date
  (the latest of a customer's, for each person whose duty it is: a clerk for what any
  call covers, the owner for an account manager's visit, a holder of the role for other
  visits and for a supervisor's second-level check: see domain/calls/log.py role_duty);
- of the customers due on TODAY itself, `keep` (about 2% of the customers: 2,000 of
  100k) stay due; the others were called the day before (the merge window covers it);
- the calls plan what calls plan (second-level checks, the next visits); what of that
  falls due by TODAY is settled in the next round, until nothing is left to settle or
  `ROUNDS` rounds have run.

    .venv/bin/python bench/month.py DB [--keep N]   # writes and imports into DB
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import sqlite3
import subprocess
import sys
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import CALL_HEADER, TODAY  # noqa: E402

ROUNDS = 4
KEEP_SHARE = 0.02  # customers left due on TODAY: ~2,000 of 100k, as a working office has
SATISFACTION = "5544453545"  # reached calls' scores, in turn


@dataclass(frozen=True)
class Pending:
    customer: str  # code
    due_on: str
    caller: str  # who settles it: a clerk (""), a role holder ("role:ROLE") or a name


def keep_for(customers: int) -> int:
    return max(1, round(customers * KEEP_SHARE))


def pending_due(db: Path, today: date = TODAY) -> list[Pending]:
    """Every pending callback due on or before `today`, with whose call settles it."""
    sql = (
        "SELECT c.code, b.due_on, b.level, b.reason, b.role, c.owner FROM callbacks b"
        " JOIN customers c ON c.id = b.customer_id"
        " WHERE b.status = 'pending' AND b.due_on <= ? ORDER BY c.code, b.due_on, b.id"
    )
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        rows = conn.execute(sql, (today.isoformat(),)).fetchall()
    out = []
    for code, due_on, level, reason, role, owner in rows:
        if level == 2:
            caller = f"role:{role or 'service_supervisor'}"
        elif reason == "visit" and role:
            caller = owner if role == "account_manager" and owner else f"role:{role}"
        else:
            caller = ""
        out.append(Pending(code, due_on, caller))
    return out


def staff_by_role(db: Path) -> dict[str, list[str]]:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT name, role FROM staff ORDER BY id").fetchall()
    roles: dict[str, list[str]] = defaultdict(list)
    for name, role in rows:
        roles[role].append(name)
    return roles


def _rank(code: str) -> int:
    """A fixed pseudo-random order of customers (the same on every run)."""
    return zlib.crc32(code.encode("utf-8"))


def choose_kept(pending: Iterable[Pending], keep: int, today: date = TODAY) -> set[str]:
    """The customers due on `today` that nobody has called yet: `keep` of them."""
    due_today = {p.customer for p in pending if p.due_on == today.isoformat()}
    return set(sorted(due_today, key=lambda c: (_rank(c), c))[:keep])


def month_calls(
    pending: Sequence[Pending],
    roles: dict[str, list[str]],
    kept: set[str],
    round_no: int,
    today: date = TODAY,
) -> list[tuple[str, ...]]:
    """One reached call per (customer, caller) of every customer not kept, on the latest
    due date of what that caller settles (the day before `today` at the latest)."""
    latest: dict[tuple[str, str], str] = {}
    for p in pending:
        if p.customer in kept:
            continue
        key = (p.customer, p.caller)
        latest[key] = max(latest.get(key, ""), p.due_on)
    clerks = roles.get("clerk") or [n for names in roles.values() for n in names]
    last_day = (today - timedelta(days=1)).isoformat()
    rows: list[tuple[str, ...]] = []
    for i, ((customer, caller), due_on) in enumerate(sorted(latest.items())):
        if caller == "":
            who = clerks[i % len(clerks)]
        elif caller.startswith("role:"):
            holders = roles.get(caller[5:]) or clerks
            who = holders[i % len(holders)]
        else:
            who = caller
        day = min(due_on, last_day)
        # A time of its own per round and call: (customer, at, caller) never repeats.
        second = 9 * 3600 + round_no * 1800 + (i % 1800)
        at = f"{day} {second // 3600:02d}:{second % 3600 // 60:02d}:{second % 60:02d}"
        score = SATISFACTION[i % len(SATISFACTION)]
        rows.append((customer, at, who, "reached", "phone", score, "", "", ""))
    return rows


def write_calls(path: Path, rows: Sequence[tuple[str, ...]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CALL_HEADER)
        writer.writerows(rows)
    return path


def due_customers(db: Path, today: date = TODAY) -> int:
    return len({p.customer for p in pending_due(db, today)})


def work_a_month(
    db: Path,
    folder: Path,
    keep: int,
    import_calls: Callable[[Path], None],
    today: date = TODAY,
) -> tuple[int, int]:
    """Settle `db` as a month of work would (see the module's text), each round's calls
    imported by `import_calls(file)`. Returns (calls imported, customers due on today)."""
    roles = staff_by_role(db)
    kept: set[str] | None = None
    total = 0
    for round_no in range(ROUNDS):
        pending = pending_due(db, today)
        if kept is None:
            kept = choose_kept(pending, keep, today)
        rows = month_calls(pending, roles, kept, round_no, today)
        if not rows:
            break
        import_calls(write_calls(folder / f"month-calls-{round_no + 1}.csv", rows))
        total += len(rows)
    return total, due_customers(db, today)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--keep", type=int, help="customers left due on TODAY (2%% of them)")
    args = parser.parse_args(argv)
    followup = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "followup"
    with contextlib.closing(sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)) as conn:
        customers = int(conn.execute("SELECT count(*) FROM customers").fetchone()[0])

    def run(path: Path) -> None:
        argv = [str(followup), "--db", str(args.db), "--today", TODAY.isoformat()]
        subprocess.run([*argv, "import", "calls", str(path)], check=True)

    calls, due = work_a_month(args.db, args.db.parent, args.keep or keep_for(customers), run)
    print(f"{calls} calls imported; {due} customers due on {TODAY}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
