"""Staging a file: every cell converted and every row put in a temporary table, in
batches, outside the write lock; the bad cells collected with their lines."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from followup_cli.domain.session import Session
from followup_cli.support.errors import DataError, InvalidValue
from followup_cli.support.i18n import N_, _, label
from followup_cli.transfer.cells import ColumnReader, constant, converters
from followup_cli.transfer.columns import RAW_KEPT, STAGED_AS, map_headers
from followup_cli.transfer.csv_read import (
    CsvSource,
    open_text,
    physical_lines,
    record_batches,
)
from followup_cli.transfer.results import (
    MAX_ERRORS,
    CellError,
    ImportErrors,
    ImportReport,
    Progress,
)

BATCH = 5000


def stage_rows(
    session: Session,
    kind: str,
    source: CsvSource,
    stage: str,
    names: list[str],
    report: ImportReport,
    progress: Progress | None,
) -> tuple[dict[str, tuple[int, str]], list[CellError], int]:
    """Validate every cell and stage every row (a bad cell staged as NULL).

    Returns the fields present in the file (name -> (column number, header text)), the
    bad cells found (at most MAX_ERRORS) and how many there were in all. Converters are
    pure, so each column remembers the result for the raw values it has seen: dates,
    codes, kinds and staff names repeat a lot in real files.
    """
    conn = session.conn
    convert = converters(session, kind)
    errors: list[CellError] = []
    total_errors = 0
    kept = RAW_KEPT.get(kind, ())
    columns = [STAGED_AS.get(n, n) for n in names] + [f"{n}_text" for n in kept]
    insert = (
        f"INSERT INTO temp.{stage} (line, "
        + ", ".join(f'"{n}"' for n in columns)
        + ") VALUES ("
        + ", ".join("?" for _ in range(len(columns) + 1))
        + ")"
    )
    size = source.path.stat().st_size
    with source.path.open("rb") as binary, open_text(source, binary) as fh:
        batches = record_batches(source, fh, BATCH)
        first = next(batches, None)
        if first is None:
            raise DataError(
                _("{path}: the file is empty").format(path=source.path),
                _("It needs a header line."),
            )
        header = first[0]
        mapping, report.ignored_columns = map_headers(kind, header, source.path)
        present = {name: (index + 1, header[index].strip()) for name, index in mapping.items()}
        plan: list[ColumnReader] = []
        for name in names:
            fn = convert[name]
            index = mapping.get(name)
            if index is None:  # an absent column takes its empty value (ref "", channel phone)
                try:
                    plan.append(ColumnReader(name, None, constant(fn(""))))
                except InvalidValue:
                    plan.append(ColumnReader(name, None, constant(None)))
            else:
                plan.append(ColumnReader(name, index, fn))
        width = len(header)
        sequence = 1
        conn.execute("BEGIN")  # (touches only the temp schema: no lock on the database)
        for records in batches:
            total_errors += _stage_batch(
                conn, insert, sequence, records, plan, kept, mapping, present, width, errors
            )
            sequence += len(records)
            report.rows += len(records)
            if progress:
                progress(N_("checking"), binary.tell(), size)
        conn.execute("COMMIT")
    if kind == "calls":
        extra = _check_call_rows(conn, stage, present)
        total_errors += len(extra)
        errors.extend(extra[: max(MAX_ERRORS - len(errors), 0)])
    return present, errors, total_errors


def _stage_batch(
    conn: sqlite3.Connection,
    insert: str,
    first: int,
    records: list[list[str]],
    plan: list[ColumnReader],
    kept: tuple[str, ...],
    mapping: dict[str, int],
    present: dict[str, tuple[int, str]],
    width: int,
    errors: list[CellError],
) -> int:
    """Validate and stage one batch of records, column by column; returns the number of
    bad cells (recorded in `errors`, by sequence number, up to MAX_ERRORS)."""
    found = 0
    count = len(records)
    if min(map(len, records)) != width or max(map(len, records)) != width:
        for i, record in enumerate(records):
            if len(record) > width and any(cell.strip() for cell in record[width:]):
                found += 1
                if len(errors) < MAX_ERRORS:
                    errors.append(
                        CellError(
                            first + i,
                            width + 1,
                            _("(no header)"),
                            record[width],
                            _("at most {n} cells, as in the header line").format(n=width),
                        )
                    )
        records = [(r + [""] * (width - len(r)))[:width] for r in records]
    cells = list(zip(*records, strict=True))
    columns: list[Sequence[Any]] = [range(first, first + count)]
    for column in plan:
        if column.index is None:
            columns.append([column.convert("")] * count)
            continue
        raw = cells[column.index]
        values, bad = column.values(raw)
        for i in bad:
            found += 1
            if len(errors) < MAX_ERRORS:
                col, head = present[column.name]
                errors.append(CellError(first + i, col, head, raw[i], values[i].expected))
            values[i] = None
        columns.append(values)
    for name in kept:
        index = mapping.get(name)
        columns.append(cells[index] if index is not None else [None] * count)
    conn.executemany(insert, zip(*columns, strict=True))
    return found


def _check_call_rows(
    conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    """Satisfaction, recommend, repurchase and answers only on reached calls."""
    errors: list[CellError] = []
    for name in ("satisfaction", "recommend", "repurchase", "answers"):
        if name not in present:
            continue
        col, head = present[name]
        for line, value, outcome in conn.execute(
            f'SELECT line, "{name}", outcome FROM temp.{stage}'
            f" WHERE \"{name}\" IS NOT NULL AND outcome != 'reached'"
        ):
            errors.append(
                CellError(
                    line,
                    col,
                    head,
                    str(value),
                    _("no value: the call was not reached ({outcome})").format(
                        outcome=label("outcome", outcome)
                    ),
                )
            )
    return errors


def located_errors(source: CsvSource, errors: list[CellError], total: int) -> ImportErrors:
    """The import's errors, with records' sequence numbers turned into line numbers."""
    errors.sort(key=lambda e: (e.line, e.column))
    shown = errors[:MAX_ERRORS]
    lines = physical_lines(
        source, [e.line for e in shown] + [e.other for e in shown if e.other is not None]
    )
    for e in shown:
        e.line = lines.get(e.line, e.line)
        if e.other is not None:
            e.other = lines.get(e.other, e.other)
    return ImportErrors(source.path, shown, total)
