"""`followup due`: today's work, one row per customer, most urgent first."""

from collections.abc import Iterable, Iterator
from contextlib import closing
from itertools import chain, islice
from typing import TYPE_CHECKING, Annotated, Any

import typer

from followup_cli.cli.call_target import ContactText
from followup_cli.cli.common import DAYS_MAX, Format, FormatOption, WideOption
from followup_cli.cli.numbers import WholeNumber
from followup_cli.cli.state import checked, open_session, parse_date_option
from followup_cli.domain import fields
from followup_cli.domain.callbacks.daily_roll import roll_forward
from followup_cli.domain.callbacks.due import DueEntries, DueFilter
from followup_cli.domain.callbacks.due_keeping import tidy
from followup_cli.domain.callbacks.due_summary import TIDY_SECONDS
from followup_cli.domain.callbacks.due_text import CSV_HEADER, ReasonText, csv_cells
from followup_cli.domain.callbacks.urgency import TERMS
from followup_cli.render.output import (
    LONG_LIST,
    Column,
    paragraph,
    print_json_list,
    print_records,
    stdout_is_terminal,
    write_csv_rows,
)
from followup_cli.support.i18n import (
    ENGLISH,
    N_,
    _,
    current_language,
    english,
    label,
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
        with closing(csv_rows.items(kept)) as rows:
            write_due_csv(rows, explain)
        return
    if fmt == Format.json:
        json_rows = DueEntries(session, flt, terms=explain, counted=False, messages=False)
        with closing(json_rows.items(kept)) as rows:
            head = list(islice(rows, LONG_LIST + 1))
            if len(head) > LONG_LIST or not any(isinstance(x, str) for x in head):
                print_json_list(chain(head, rows), lambda e: e.record(explain))
                return
        # A short list is printed indented, from its entries.
        with closing(iter(json_rows)) as made:
            print_json_list(made, lambda e: e.record(explain))
        return
    entries = DueEntries(session, flt, terms=explain, messages=current_language() != ENGLISH)
    with closing(iter(entries)) as rows:
        shown = render_due_table(rows, explain, on.isoformat(), days, session.zone)
    if entries.total > shown:
        paragraph(
            _("… and {n} more customers due (--limit N to see more, --all for every row)").format(
                n=entries.total - shown
            ),
            hang=2,
        )


def render_due_table(
    entries: Iterable["DueEntry"], explain: bool, on: str, days: int, zone: "tzinfo | None" = None
) -> int:
    """The due list as a table (Rich on a terminal, plain text otherwise); returns the
    number of rows shown."""

    reasons = ReasonText(zone)
    contact = ContactText()
    # Flat rows of what the columns show (not the json records): a cron job may print
    # tens of thousands of them.
    records = [
        {
            "urgency": f"{e.urgency:.1f}",
            "code": e.code,
            "name": e.name,
            "grade": e.grade,
            "contact": contact(e.contact) if e.contact else "",
            # The unreachable flag marks the number that did not work (see UNREACHABLE).
            "phone": f"{e.phone or ''} {UNREACHABLE_MARK}".lstrip() if e.unreachable else e.phone,
            "due_on": e.due_on,
            "days_overdue": e.days_overdue or "",
            "reasons": reasons.items(e.reasons),
            "assignee": e.assignee,
            "open_tickets": e.open_tickets or "",
            "unreachable": e.unreachable,
            "terms": _terms(dict(zip(TERMS, e.terms, strict=True))) if explain else "",
        }
        for e in entries
    ]
    columns = [
        Column("urgency", _("Urg"), justify="right", priority=10),
        Column("code", _("Code"), priority=1),
        Column("name", _("Customer"), wrap=True, priority=2),
        Column("grade", _("G"), justify="right", priority=9),
        Column("contact", _("Contact"), wrap=True, priority=5),
        Column("phone", _("Phone"), priority=3),
        Column("due_on", _("Due"), priority=7),
        Column("days_overdue", _("Late"), justify="right", priority=6),
        # Each reason on its line on a terminal; "; " between them in plain text.
        Column("reasons", _("Reasons"), wrap=True, min_width=24, priority=4, separator="; "),
        Column("assignee", _("Assignee"), priority=8),
        Column("open_tickets", _("Tix"), justify="right", priority=11),
    ]
    if explain:
        columns.append(Column("terms", _("Urgency terms"), wrap=True, priority=4))
    window = on if days == 0 else _("{date} + {n} days").format(date=on, n=days)
    title = ngettext(
        "Due {window}: {n} customer", "Due {window}: {n} customers", len(records)
    ).format(window=window, n=len(records))
    print_records(records, columns, "table", title=title, empty=_("Nothing due."))
    if any(r["unreachable"] for r in records):
        paragraph(_(UNREACHABLE).format(mark=UNREACHABLE_MARK), hang=2)
    return len(records)


# The table's marker of an unreachable customer (several failed calls in a row), after
# the phone, and the legend under the table that explains it.
UNREACHABLE_MARK = "!"
UNREACHABLE = N_(
    "{mark} unreachable: the last calls did not reach the customer;"
    " check the phone numbers (`followup customer show CODE`)"
)


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
                line.append(_terms(dict(zip(TERMS, e.terms, strict=True))))
            yield line

    with english():  # stored values as they are: English, no labels
        write_csv_rows([*CSV_HEADER, "terms"] if explain else CSV_HEADER, lines(ReasonText()))


def _terms(terms: dict[str, float]) -> str:
    """The urgency's terms: `overdue=3 grade=8` in English (the keys of [urgency] and of
    the JSON), their words in Chinese, as the sum they are ("逾期 3 + 客户等级 8")."""
    if current_language() == ENGLISH:
        return " ".join(f"{k}={v:g}" for k, v in terms.items() if v)
    return " + ".join(f"{label('urgency_term', k)} {v:g}" for k, v in terms.items() if v)
