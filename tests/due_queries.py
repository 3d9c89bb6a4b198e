"""The due ranking's rows as tests compare them (tests/test_due.py, test_due_summary.py)."""

from __future__ import annotations

import json
from typing import Any

from conftest import open_db


def ranked_rows(conn: Any, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The query's rows, each row's reasons and contacts (gathered in no particular
    order) sorted."""
    from followup_cli.domain.callbacks.due import RankedRow

    reasons, contacts = RankedRow._fields.index("reasons"), RankedRow._fields.index("contacts")
    found = []
    for row in conn.execute(sql, params):
        values = list(row)
        values[reasons] = sorted(json.loads(values[reasons]))
        values[contacts] = sorted(json.loads(values[contacts]), key=lambda c: c["id"])
        found.append(tuple(values))
    return found


def finish_callbacks_by_hand(db_path: Any, code: str) -> None:
    """Every pending callback of customer `code` set done with the sqlite3 module, as
    a person with the sqlite3 shell would (no followup code runs)."""
    conn = open_db(db_path)
    conn.execute(
        "UPDATE callbacks SET status = 'done' WHERE status = 'pending' AND customer_id ="
        " (SELECT id FROM customers WHERE code = ?)",
        (code,),
    )
    conn.commit()
    conn.close()
