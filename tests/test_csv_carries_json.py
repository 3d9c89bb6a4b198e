"""Every csv carries what its JSON carries (issue 15): for each command that writes both,
on the example office (examples/load.sh, as `make demo` loads it), every field of the
JSON has its column in the csv and its values in that column's cells; a field left out
is listed below with the reason.

How a JSON field is named in the csv: its key in the record it belongs to (a record is
an item of a list, or the JSON itself), a nested object's keys joined by "_"
(`indicators_overdue`, `prepared_answer_steps`), a list of values in one cell. A record
with lists of records (`customer show`, `ticket show`, `report daily`, `report
satisfaction`) writes each as rows named by a first column, `section` or `group`.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from followup_cli.cli.app import app
from test_screens import example_office  # noqa: F401  (the fixture: the example office)

LATER = "2026-11-27"  # load.sh's cron day: escalations, warnings, tickets

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("due",),
    ("due", "--explain"),
    ("customer", "list"),
    ("customer", "show", "C000001"),
    ("contact", "list"),
    ("event", "list"),
    ("staff", "list"),
    ("ticket", "list"),
    ("ticket", "show", "1"),
    ("report", "daily"),
    ("report", "complaints"),
    ("report", "satisfaction", "--from", "2026-09-01", "--period", "month"),
    ("report", "staff"),
    ("report", "categories"),
    ("report", "warnings"),
    ("report", "discrepancies"),
    ("export", "customers"),
    ("export", "contacts"),
    ("export", "events"),
    ("export", "calls"),
    ("export", "staff"),
)

# The report's own parameters, what the command line gave: the csv is that report for
# that day or period (the JSON repeats them to describe itself).
PARAMETERS = {
    "report": "the report's name: the command itself",
    "date": "the report's day: --today",
    "period_from": "the period asked: --from",
    "period_to": "the period asked: --to",
    "unit": "the period's unit: --period",
}
TERMS = ("overdue", "grade", "reason", "reasons", "open_tickets", "level2", "retry", "unreachable")
SATISFACTION_STATS = (
    "responses",
    "average",
    "satisfied_pct",
    "recommend_responses",
    "nps",
)
LEFT_OUT: dict[str, dict[str, str]] = {
    "due": {
        "contact_phone": "the row's `phone` is the contact's number (the customer's if none)",
        "reasons_due_on": "a row is a customer: its `due_on` is its earliest reason's",
        "reasons_assignee": "the row's `assignee` is its lead reason's",
        "reasons_role": "the row's `role` is its lead reason's",
    },
    "report complaints": PARAMETERS,
    "report satisfaction": PARAMETERS,
    "report staff": PARAMETERS,
    "report discrepancies": PARAMETERS,
    "report warnings": PARAMETERS,
    "report daily": PARAMETERS,
    "report categories": {
        **PARAMETERS,
        "previous_period_from": "the period before, its length from --from/--to: the rows' "
        "`previous` counts are for it",
        "previous_period_to": "(as previous_period_from)",
        "total": "the sum of the rows' `count`",
        "previous_total": "the sum of the rows' `previous`",
    },
}
# A JSON field the csv writes under another name.
RENAMED: dict[str, dict[str, str]] = {
    "due": {
        "customer_id": "customer_id",
        "customer_code": "customer_code",
        "customer_name": "customer_name",
        "customer_grade": "grade",
        "customer_tier": "tier",
        "contact_name": "contact",
        "contact_role": "contact_role",
        "reasons_callback_id": "callback_ids",
        # each reason's "#id reason[ L2][ try N]: detail" in one cell
        "reasons_reason": "reasons",
        "reasons_detail": "reasons",
        "reasons_level": "reasons",
        "reasons_attempts": "reasons",
        # a booked reason's appointment (null when none): the row's first, in two cells
        "reasons_appointment": "appointment_at",
        "reasons_appointment_at": "appointment_at",
        "reasons_appointment_place": "appointment_place",
        # the urgency's terms, "overdue=3 grade=8 …", in one cell
        **{f"terms_{t}": "terms" for t in TERMS},
    },
    "report satisfaction": {f"distribution_{k}": f"d{k}" for k in range(1, 6)}
    | {f"total_distribution_{k}": f"d{k}" for k in range(1, 6)}
    | {f"total_{k}": k for k in SATISFACTION_STATS}
    | {"period": "name", "staff": "name", "kind": "name"},
    # the answers as `import calls` reads them: "fixed=yes;on_time=yes"
    "export calls": {f"answers_{k}": "answers" for k in ("fixed", "on_time", "charged_as_quoted")},
}
# A JSON value the csv writes in its own words: `emergency` is EMERGENCY or empty.
# (report warnings' EMERGENCY column gave way to its level column in issue 17: the
# emergency flag is written as yes/no like every other flag.)
WRITTEN_AS: dict[tuple[str, str], dict[Any, str]] = {}


def command_name(args: tuple[str, ...]) -> str:
    return " ".join(a for a in args[:2] if not a.startswith("-") and not a[:1].isupper())


def fields(data: Any, name: tuple[str, ...] = (), depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(csv name, value) of every value in the JSON: the name is its path from the
    record it belongs to, "_" between the keys. The records are the JSON's list items,
    and those of its lists (its sections); a list of records inside a record (a due
    row's reasons) is a part of that record."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from fields(value, (*name, str(key)), depth + 1)
    elif isinstance(data, list) and any(isinstance(v, dict) for v in data):
        own = depth <= 1
        for item in data:
            yield from fields(item, () if own else name, 1 if own else depth)
    elif isinstance(data, list):
        for item in data:
            yield "_".join(name), item
    else:
        yield "_".join(name), data


def texts(value: Any) -> set[str]:
    """How a JSON value may be written in a csv cell."""
    if isinstance(value, bool):
        return {"yes", "no"} & {"yes" if value else "no"}
    if isinstance(value, float):
        return {f"{value:.1f}", f"{value:.2f}", repr(value), f"{value:g}"}
    if isinstance(value, dict):
        return {json.dumps(value, ensure_ascii=False)}
    return {str(value)}


@pytest.fixture(scope="module")
def office_db(example_office: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    db = tmp_path_factory.mktemp("csv-json") / "followup.db"
    shutil.copyfile(example_office, db)
    for suffix in ("-wal", "-shm"):
        if Path(f"{example_office}{suffix}").exists():
            shutil.copyfile(f"{example_office}{suffix}", f"{db}{suffix}")
    return db


def run(db: Path, *args: str) -> str:
    result = CliRunner().invoke(
        app,
        ["--db", str(db), "--today", LATER, *args],
        env={"FOLLOWUP_LANGUAGE": "en", "FOLLOWUP_NOW": "2026-11-27T09:00:00+08:00"},
    )
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return result.stdout


def csv_columns(text: str) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    header, body = rows[0], rows[1:]
    return {name: [row[i] for row in body] for i, name in enumerate(header)}


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_every_json_field_has_its_values_in_the_csv(office_db: Path, args: tuple[str, ...]) -> None:
    data = json.loads(run(office_db, *args, "--format", "json"))
    columns = csv_columns(run(office_db, *args, "--format", "csv"))
    name = command_name(args)
    left_out, renamed = LEFT_OUT.get(name, {}), RENAMED.get(name, {})
    missing: dict[str, Any] = {}
    for field, value in fields(data):
        if field in left_out:
            continue
        column = renamed.get(field, field)
        cells = columns.get(column)
        if cells is None:
            missing[field] = "no column"
            continue
        if value is None or value == "" or value == []:
            continue
        if (name, field) in WRITTEN_AS:
            assert WRITTEN_AS[name, field][value] in cells, (field, value)
            continue
        if not any(t == cell or t in cell for t in texts(value) for cell in cells):
            missing[field] = value
    assert not missing, f"{' '.join(args)}: the csv lacks {missing}"


@pytest.mark.parametrize(
    ("args", "record"),
    [(("customer", "show", "C000001"), "customer"), (("ticket", "show", "1"), "ticket")],
)
def test_a_record_csv_has_a_section_for_each_part_of_its_json(
    office_db: Path, args: tuple[str, ...], record: str
) -> None:
    """`customer show` and `ticket show`: the record's own fields in a `section` row
    named after it, then one row per item of each list, `section` its JSON key; every
    cell is the JSON's value as the csv writes it."""
    data = json.loads(run(office_db, *args, "--format", "json"))
    rows = list(csv.DictReader(io.StringIO(run(office_db, *args, "--format", "csv"))))
    assert list(rows[0])[0] == "section"
    lists = [k for k, v in data.items() if isinstance(v, list)]
    assert lists  # contacts, calls, callbacks, tickets...; history
    assert [r["section"] for r in rows] == [record] + [k for k in lists for _item in data[k]]
    # not vacuous (a customer's history is empty until a regrade: tests/test_value_grades.py)
    assert all(data[k] for k in lists if k == "contacts" or (record, k) == ("ticket", "history"))
    parts = [(record, {k: v for k, v in data.items() if k not in lists})] + [
        (k, item) for k in lists for item in data[k]
    ]
    for row, (section, item) in zip(rows, parts, strict=True):
        assert row["section"] == section
        for field, value in fields(item):
            cell = row[field]
            if value is None:
                assert cell == "", (section, field, cell)
            elif isinstance(value, bool):
                assert cell == ("yes" if value else "no"), (section, field, cell)
            else:
                # (a list of values is in one cell, "; " between them)
                written = {cell, cell.lstrip("'"), *cell.split("; ")}
                assert texts(value) & written, (section, field, cell)
