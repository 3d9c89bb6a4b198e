"""The due list's table, row by row: what each column shows of a row (`due_record`) and
the columns (`due_columns`). `due` prints them; the due summary keeps each row's plain
cells made by them (domain/callbacks/due_keeping.py), so both print the same text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from followup_cli.domain.callbacks.due import CELL_SEPARATOR
from followup_cli.domain.callbacks.urgency import TERMS
from followup_cli.render.output import Column, cell_width
from followup_cli.support.controls import visible
from followup_cli.support.i18n import ENGLISH, N_, _, current_language, label

if TYPE_CHECKING:
    from followup_cli.domain.callbacks.due import DueEntry, KeptCells
    from followup_cli.domain.callbacks.due_text import ContactText, ReasonText

# The table's marker of an unreachable customer (several failed calls in a row), after
# the phone, and the legend under the table that explains it.
UNREACHABLE_MARK = "!"
UNREACHABLE = N_(
    "{mark} unreachable: the last calls did not reach the customer;"
    " check the phone numbers (`followup customer show CODE`)"
)
# The cells that change with the day, by position (the urgency, the days overdue): a
# kept row holds the others.
URGENCY_CELL, DAYS_CELL = 0, 7
KEPT_CELLS = 9  # (of the 11 columns without --explain)


def due_record(
    e: DueEntry, reasons: ReasonText, contact: ContactText, explain: bool
) -> dict[str, Any]:
    """A row as the table's columns read it (flat, not the json record: a cron job may
    print tens of thousands of them), in the interface language current."""
    return {
        "urgency": urgency_text(e.urgency),
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
        "terms": terms_text(dict(zip(TERMS, e.terms, strict=True))) if explain else "",
    }


def days_text(days_overdue: int) -> str:
    """The days-overdue cell as the table prints it (empty when not overdue)."""
    return str(days_overdue) if days_overdue else ""


def urgency_text(urgency: float) -> str:
    return f"{urgency:.1f}"


def due_columns(explain: bool) -> list[Column]:
    """The table's columns, their headers in the interface language current."""
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
    return columns


def terms_text(terms: dict[str, float]) -> str:
    """The urgency's terms: `overdue=3 grade=8` in English (the keys of [urgency] and of
    the JSON), their words in Chinese, as the sum they are ("逾期 3 + 客户等级 8")."""
    if current_language() == ENGLISH:
        return " ".join(f"{k}={v:g}" for k, v in terms.items() if v)
    return " + ".join(f"{label('urgency_term', k)} {v:g}" for k, v in terms.items() if v)


def kept_row(k: KeptCells) -> tuple[list[str], list[int]]:
    """A kept row's cells and their widths, the day's urgency and days overdue put in.
    Whatever the table holds, a cell is printed escaped (a cell changed by hand is
    measured again)."""
    parts = k.cells.split(CELL_SEPARATOR)
    if len(parts) != KEPT_CELLS:  # (a row changed by hand: as many cells as columns)
        parts = (parts + [""] * KEPT_CELLS)[:KEPT_CELLS]
    try:
        widths = list(map(int, k.widths.split(",")))
    except ValueError:
        widths = []
    # (One C-level check of the whole row; each cell escaped only if it fails.)
    if not k.cells.replace(CELL_SEPARATOR, " ").isprintable():
        shown = [visible(p) for p in parts]
        if any(a is not b for a, b in zip(shown, parts, strict=True)):
            widths = []
        parts = shown
    if len(widths) != len(parts):
        widths = [cell_width(p) for p in parts]
    urgency = f"{k.urgency:.1f}"
    days = str(k.days_overdue) if k.days_overdue else ""
    # (The day's cells put back where they were taken out: urgency_text, days_text.)
    parts.insert(DAYS_CELL - 1, days)
    parts.insert(URGENCY_CELL, urgency)
    widths.insert(DAYS_CELL - 1, len(days))
    widths.insert(URGENCY_CELL, len(urgency))
    return parts, widths
