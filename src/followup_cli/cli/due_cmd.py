"""`followup due`: today's work, one row per customer, most urgent first."""

from collections.abc import Iterable, Iterator
from contextlib import closing
from itertools import chain, islice
from typing import TYPE_CHECKING, Annotated, Any

import typer

from followup_cli.cli.common import DAYS_MAX, Format, FormatOption, WideOption
from followup_cli.cli.numbers import WholeNumber
from followup_cli.cli.state import checked, open_session, parse_date_option
from followup_cli.domain import fields
from followup_cli.domain.callbacks.daily_roll import roll_forward
from followup_cli.domain.callbacks.due import CELL_SEPARATOR, DueEntries, DueFilter, KeptCells
from followup_cli.domain.callbacks.due_keeping import tidy
from followup_cli.domain.callbacks.due_summary import TIDY_SECONDS
from followup_cli.domain.callbacks.due_text import CSV_HEADER, ContactText, ReasonText, csv_cells
from followup_cli.domain.callbacks.urgency import TERMS
from followup_cli.render.due_rows import (
    UNREACHABLE,
    UNREACHABLE_MARK,
    due_columns,
    due_record,
    kept_row,
    terms_text,
)
from followup_cli.render.output import (
    LONG_LIST,
    cell_width,
    paragraph,
    print_json_list,
    print_plain_rows,
    print_records,
    row_cells,
    stdout_is_terminal,
    write_csv_rows,
)
from followup_cli.support.i18n import (
    ENGLISH,
    _,
    current_language,
    english,
    ngettext,
)

if TYPE_CHECKING:
    from datetime import tzinfo

    from followup_cli.domain.callbacks.due import DueEntry

TERMINAL_ROWS = 50


def due_cmd(
    ctx: typer.Context,
    date: Annotated[
        str | None, typer.Option("--date", help="The day to plan (default: today).")
    ] = None,
    days: Annotated[
        int,
        typer.Option("--days", min=0, max=DAYS_MAX, help="Also what falls due in the next N days."),
    ] = 0,
    staff: Annotated[
        str | None, typer.Option("--staff", help="Only rows with work for STAFF.")
    ] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="Only rows with work for ROLE.")
    ] = None,
    grade: Annotated[str | None, typer.Option("--grade", help="Only customers of GRADE.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only rows already overdue.")] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", click_type=WholeNumber(1), help="At most N rows.")
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show each row's urgency terms.")
    ] = False,
    all_: Annotated[
        bool,
        typer.Option("--all", help=f"On a terminal, every row (default: the top {TERMINAL_ROWS})."),
    ] = False,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """Show the callbacks and visits due: one row per customer.

    Every pending reason of a customer is merged into one row.

    Ordered by urgency (see `followup config show`, [urgency]). Off a terminal the
    table is plain, stable text for cron mail.

    \b
    Examples:
      followup due
      followup due --staff 李娜 --days 3
      followup due --format json | jq '.[0].reasons'
    """
    session = open_session(ctx)
    on = parse_date_option("--date", date) or session.today
    flt = DueFilter(
        on=on,
        days=days,
        staff=staff,
        role=role,
        grade=checked(fields.grade, grade, "grade") if grade else None,
        overdue=overdue,
        limit=limit,
    )
    if staff:
        # Only --staff loads the staff records (the due list's start-up).
        from followup_cli.domain.staff.records import get_staff

        get_staff(session.conn, staff, "--staff")

    # On a terminal nobody reads thousands of rows: the most urgent first, and a count.
    if limit is None and not all_ and fmt == Format.table and stdout_is_terminal():
        flt.limit = TERMINAL_ROWS
    roll_forward(session)
    tidy(session, TIDY_SECONDS)
    # csv and json are written as the rows are read; a reader that goes away (`| head`)
    # ends the reading there, and its transaction with it.
    # A full list takes the lines the due summary keeps, where it has them.
    kept = None if explain else fmt.value
    if fmt == Format.csv:
        csv_rows = DueEntries(session, flt, terms=explain, counted=False, messages=False)
        with closing(csv_rows.lines(kept)) as rows:
            write_due_csv(rows, explain)
        return
    if fmt == Format.json:
        json_rows = DueEntries(session, flt, terms=explain, counted=False, messages=False)
        with closing(json_rows.lines(kept)) as rows:
            head = list(islice(rows, LONG_LIST + 1))
            if len(head) > LONG_LIST or not any(isinstance(x, str) for x in head):
                print_json_list(chain(head, rows), lambda e: e.record(explain))
                return
        # A short list is printed indented, from its entries.
        with closing(iter(json_rows)) as made:
            print_json_list(made, lambda e: e.record(explain))
        return
    entries = DueEntries(session, flt, terms=explain, messages=current_language() != ENGLISH)
    # A full plain table (cron mail) takes the cells the due summary keeps, where it has them.
    with closing(entries.table_rows(not explain and not stdout_is_terminal())) as rows:
        shown = render_due_table(rows, explain, on.isoformat(), days, session.zone)
    if entries.total > shown:
        paragraph(
            _("… and {n} more customers due (--limit N to see more, --all for every row)").format(
                n=entries.total - shown
            ),
            hang=2,
        )


def render_due_table(
    entries: Iterable["DueEntry | KeptCells"],
    explain: bool,
    on: str,
    days: int,
    zone: "tzinfo | None" = None,
) -> int:
    """The due list as a table (Rich on a terminal, plain text otherwise); returns the
    number of rows shown. A row the due summary keeps the cells of (plain text only) is
    printed from them."""
    reasons = ReasonText(zone)
    contact = ContactText()
    columns = due_columns(explain)
    window = on if days == 0 else _("{date} + {n} days").format(date=on, n=days)

    def title(n: int) -> str:
        return ngettext("Due {window}: {n} customer", "Due {window}: {n} customers", n).format(
            window=window, n=n
        )

    if stdout_is_terminal():
        records = []
        for e in entries:
            assert not isinstance(e, KeptCells)  # (a terminal's list is made, never kept)
            records.append(due_record(e, reasons, contact, explain))
        print_records(records, columns, "table", title=title(len(records)), empty=_("Nothing due."))
        unreachable = any(r["unreachable"] for r in records)
        shown = len(records)
    else:
        # Every row is held until the last is read (the columns' widths come first): each
        # as one UTF-8 text and its cells' widths as bytes (`_held_widths`), a third of
        # the room of lists of cells (47,000 rows of a cron job's mail).
        rows: list[bytes] = []
        cells: list[bytes | tuple[int, ...]] = []
        unreachable = False
        for e in entries:
            if isinstance(e, KeptCells):
                row, measured = kept_row(e)
            else:
                row = row_cells(columns, due_record(e, reasons, contact, explain))
                measured = [cell_width(t) for t in row]
            unreachable = unreachable or bool(e.unreachable)
            rows.append(CELL_SEPARATOR.join(row).encode())  # (no printed cell holds it)
            cells.append(_held_widths(measured))
        shown = len(rows)
        if rows:
            split = (r.decode().split(CELL_SEPARATOR) for r in rows)
            print_plain_rows(columns, split, cells, title(shown))
        else:
            print(title(0))
            print(_("Nothing due."))
    if unreachable:
        paragraph(_(UNREACHABLE).format(mark=UNREACHABLE_MARK), hang=2)
    return shown


def _held_widths(measured: list[int]) -> bytes | tuple[int, ...]:
    """A row's cell widths, held: a byte each (a tuple if one is 256 cells or more)."""
    try:
        return bytes(measured)
    except ValueError:
        return tuple(measured)


def write_due_csv(entries: Iterable["DueEntry | str"], explain: bool) -> None:
    """One line per row, streamed; in English whatever the interface language. A row
    that is a str is its line as the due summary keeps it."""

    def lines(reasons: ReasonText) -> Iterator[list[Any] | str]:
        for e in entries:
            if isinstance(e, str):
                yield e
                continue
            line = csv_cells(e, reasons)
            if explain:
                line.append(terms_text(dict(zip(TERMS, e.terms, strict=True))))
            yield line

    with english():  # stored values as they are: English, no labels
        write_csv_rows([*CSV_HEADER, "terms"] if explain else CSV_HEADER, lines(ReasonText()))
