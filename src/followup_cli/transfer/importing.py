"""CSV import: validate every row first, then write the whole file in one transaction.

1. Read (`csv_read`, `columns`): the encoding is detected strictly, headers are matched
   in English or Chinese in any order, and each cell is normalised (full-width digits,
   dates in the accepted formats, phones kept as text, Excel-mangled numbers refused).
2. Stage (`staging`, `cells`): valid rows go into a temporary table (outside the write
   lock), in batches, so memory stays flat whatever the file size. Clean columns are
   checked a batch at a time with C-level passes (`cells.Batched`); any other cell
   goes through its per-cell converter, the one judge of a bad value.
3. Check (`checks`) what needs the database (unknown customers or staff, duplicate
   keys, a known customer code under another company's name, a name two customers
   would share) with set-based SQL. Any error: every bad cell is listed
   (file:line:column), exit 65, nothing is written (`results`). Then `changes` finds
   every field the file changes in a stored row, still before the write lock: the dry
   run and the real run report the same changes.
4. Write (`writing`): one BEGIN IMMEDIATE transaction of set-based upserts, then planning. A file
   imported twice changes nothing the second time. The thinking is done before the
   lock, so that a clerk's command waits the least: events are sorted and their
   callbacks planned first (and plans of a customer archived meanwhile dropped in the
   write phase); calls and customers are written and planned on a private copy of the
   rows they touch (`rehearsal`), and the write phase checks those rows are unchanged
   and applies the result in a few INSERT/UPDATE ... SELECT statements. `--debug`
   prints how long the write lock was held.
"""

from __future__ import annotations

from pathlib import Path

from followup_cli.domain.session import Session
from followup_cli.store.connection import use_import_cache
from followup_cli.transfer.changes import located_changes, staged_changes
from followup_cli.transfer.checks import CHECKS, ImportOptions
from followup_cli.transfer.columns import COLUMNS, RAW_KEPT, STAGED_AS
from followup_cli.transfer.csv_read import (
    detect,
)
from followup_cli.transfer.results import ImportReport, Progress
from followup_cli.transfer.staging import located_errors, stage_rows
from followup_cli.transfer.writing import (
    WRITERS,
    write_calls,
    write_customers,
    write_events_file,
    write_phase,
)

KINDS = ("staff", "customers", "contacts", "events", "calls")


def import_file(
    session: Session,
    kind: str,
    path: Path,
    *,
    encoding: str = "auto",
    dry_run: bool = False,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    source = detect(path, encoding)
    report = ImportReport(kind, str(path), source.label, dry_run=dry_run)
    conn = session.conn
    use_import_cache(conn)
    stage = f"_stage_{kind}"
    names = [c.name for c in COLUMNS[kind]]
    kept = [f"{n}_text" for n in RAW_KEPT.get(kind, ())]
    # SQLite-only: the `temp.` schema name of the stage tables (here and in staging,
    # checks and writing). A second engine creates them as TEMP tables and names them
    # bare (PostgreSQL's schema is pg_temp).
    for table in (stage, f"{stage}_sorted", f"{stage}_sorted_plans", f"{stage}_plans"):
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    conn.execute(
        f"CREATE TEMP TABLE {stage} (line INTEGER PRIMARY KEY, "
        + ", ".join(f'"{STAGED_AS.get(n, n)}"' for n in names + kept)
        + ")"
    )
    try:
        present, errors, total = stage_rows(session, kind, source, stage, names, report, progress)
        found = CHECKS[kind](session, conn, stage, present, options or ImportOptions())
        if errors or found:
            raise located_errors(source, errors + found, total + len(found))
        changes = staged_changes(conn, kind, stage, present)
        writer = WRITERS[kind]
        if dry_run:
            with session.read():
                writer(session, conn, stage, present, report, False, progress)
        elif kind == "events":
            # Sorted and planned before the write lock, so that a clerk waits the least.
            write_events_file(session, conn, stage, present, report, progress)
        elif kind == "calls":
            # Settled on a private copy before the write lock (rehearsal).
            write_calls(session, conn, stage, present, report, progress)
        elif kind == "customers":
            # Written and planned on a private copy before the write lock (rehearsal).
            write_customers(session, conn, stage, present, report, progress)
        else:
            # (a contacts file writes to its customers alone; the staff, to everyone's)
            beside = stage if kind == "contacts" else None
            with write_phase(session, report, customers_in=beside):
                writer(session, conn, stage, present, report, True, progress)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    # A row is updated when it has a changed field (the writers count the same rows).
    report.updated = len({c.line for c in changes if c.line is not None})
    report.unchanged = report.rows - report.inserted - report.updated
    report.changes = located_changes(source, changes)
    # The staged rows stay in the connection's temp database, which SQLite deletes with
    # the connection: dropping them here would only add to a large import's time. The
    # next import on this connection drops them first.
    return report
