"""`followup ticket ...`: complaints, closed only when the customer has been told."""

from typing import Annotated, Any

import typer

from followup_cli.cli.common import Format, FormatOption, new_app
from followup_cli.cli.state import checked, open_session

app = new_app(
    "Complaints: open, resolve, tell the customer, close.",
    "followup ticket list --overdue",
)

TicketArg = Annotated[str, typer.Argument(metavar="ID", help="Ticket number (12 or #12).")]


def _id(value: str) -> int:
    from followup_cli.tickets import ticket_id_arg

    return checked(ticket_id_arg, value, arguments=("ticket",))


def _print_ticket(ticket: Any, fmt: str, session: Any) -> None:
    from followup_cli.render import Column, Section, print_detail
    from followup_cli.tickets import prepared_answer

    prepared = prepared_answer(session, ticket.category)
    data = ticket.to_dict()
    data["prepared_answer"] = prepared
    told = (
        f"{ticket.notified_at} via {ticket.notified_via}"
        + (f" — customer said: {ticket.customer_response}" if ticket.customer_response else "")
        if ticket.notified_at
        else "not yet"
    )
    escalated = (
        f"level {ticket.escalation_level}: {ticket.escalated_role} {ticket.escalated_to or '(nobody)'}"
        if ticket.escalated_role
        else None
    )
    fields_shown = [
        ("Customer", f"{ticket.customer_code} {ticket.customer_name} ({ticket.tier})"),
        ("Status", ticket.status + (" — OVERDUE" if ticket.overdue else "")),
        ("Opened", ticket.opened_on),
        ("Category", f"{ticket.category} ({prepared['label']})"),
        ("Severity", ticket.severity),
        ("Owner", ticket.owner),
        ("Due by", ticket.due_by),
        ("Escalation", escalated),
        ("Channel", ticket.channel),
        ("Details", ticket.details),
        ("Resolution", ticket.resolution),
        ("Customer told", told),
        ("Prepared answer", prepared["answer"]),
        ("Steps", " → ".join(prepared["steps"]) if prepared["steps"] else None),
    ]
    sections = [
        Section(
            "History",
            ticket.history,
            [
                Column("at", "At"),
                Column("actor", "By"),
                Column("action", "Action"),
                Column("before", "Before"),
                Column("after", "After"),
                Column("note", "Note"),
            ],
        )
    ]
    print_detail(f"Ticket #{ticket.id}: {ticket.summary}", fields_shown, sections, fmt, data)


@app.command("open")
def open_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code, id or exact name.")],
    summary: Annotated[str, typer.Option("--summary", help="The complaint in one line.")],
    category: Annotated[str, typer.Option("--category", help="e.g. service.late, parts, billing.")],
    severity: Annotated[
        str | None, typer.Option("--severity", help="minor (default), major or critical.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Staff member handling it.")] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="How it came in.")] = None,
    details: Annotated[str | None, typer.Option("--details", help="The full story.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Open a complaint; prints the category's prepared answer to give on the spot.

    \b
    Example:
      followup ticket open C000012 --summary "发动机异响, 维修后复发" \\
          --category product.failure --severity major
    """
    from followup_cli.tickets import open_ticket, validate_ticket

    session = open_session(ctx)
    data = checked(
        validate_ticket,
        session,
        summary,
        category,
        severity=severity,
        channel=channel,
        owner=owner,
        details=details,
        arguments=(),
    )
    ticket = open_ticket(session, customer, data)
    if fmt == Format.table:
        print(f"Opened ticket #{ticket.id} (due by {ticket.due_by})")
    _print_ticket(ticket, fmt.value, session)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        str, typer.Option("--status", help="open (not closed), resolved, closed or all.")
    ] = "open",
    overdue: Annotated[bool, typer.Option("--overdue", help="Only past their deadline.")] = False,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Owned by or escalated to S.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List complaints (by default every one not yet closed).

    \b
    Example:
      followup ticket list --overdue
    """
    from followup_cli import fields
    from followup_cli.render import Column, print_records
    from followup_cli.tickets import list_tickets

    status_value = checked(fields.choice, status, "status", ("open", "resolved", "closed", "all"))
    session = open_session(ctx)
    tickets = list_tickets(session, status_value, overdue, owner)
    columns = [
        Column("id", "ID", justify="right"),
        Column("opened_on", "Opened"),
        Column("customer_code", "Customer"),
        Column("customer_name", "Name"),
        Column("severity", "Severity"),
        Column("category", "Category"),
        Column("status", "Status"),
        Column("due_by", "Due by", value=lambda r: r["due_by"] + (" LATE" if r["overdue"] else "")),
        Column("escalated_to", "With", value=lambda r: r["escalated_to"] or r["escalated_role"]),
        Column("told", "Told", value=lambda r: "yes" if r["notified_at"] else "no"),
        Column("summary", "Summary"),
    ]
    print_records([t.to_dict() for t in tickets], columns, fmt.value, empty="No tickets.")


@app.command("show")
def show_cmd(ctx: typer.Context, ticket: TicketArg, fmt: FormatOption = Format.table) -> None:
    """Show a ticket: status, deadline, escalation, the prepared answer, and its history.

    \b
    Example:
      followup ticket show 12 --format json
    """
    from followup_cli.tickets import show_ticket

    session = open_session(ctx)
    _print_ticket(show_ticket(session, _id(ticket)), fmt.value, session)


@app.command("assign")
def assign_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    staff: Annotated[str, typer.Argument(metavar="STAFF", help="Staff member who takes it.")],
) -> None:
    """Give a ticket to a staff member.

    \b
    Example:
      followup ticket assign 12 赵强
    """
    from followup_cli.tickets import assign_ticket

    t = assign_ticket(open_session(ctx), _id(ticket), staff)
    print(f"Ticket #{t.id} is now owned by {t.owner}")


@app.command("note")
def note_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The note.")],
) -> None:
    """Add a note to a ticket's history.

    \b
    Example:
      followup ticket note 12 "parts ordered, arrive Friday"
    """
    from followup_cli.tickets import note_ticket

    t = note_ticket(open_session(ctx), _id(ticket), text)
    print(f"Noted on ticket #{t.id}")


@app.command("resolve")
def resolve_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    resolution: Annotated[str, typer.Option("--resolution", help="What was done about it.")],
) -> None:
    """Record how the problem was solved; next, tell the customer (`ticket notify`).

    \b
    Example:
      followup ticket resolve 12 --resolution "replaced injector under warranty"
    """
    from followup_cli.tickets import resolve_ticket

    t = resolve_ticket(open_session(ctx), _id(ticket), resolution)
    print(
        f"Ticket #{t.id} resolved. Now tell the customer: "
        f"`followup ticket notify {t.id} --via phone --response TEXT` (by {t.due_by})."
    )


@app.command("notify")
def notify_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    via: Annotated[str, typer.Option("--via", help="phone, visit, wechat, email, sms...")],
    response: Annotated[
        str | None, typer.Option("--response", help="What the customer said.")
    ] = None,
) -> None:
    """Record that the customer has been told the outcome.

    \b
    Example:
      followup ticket notify 12 --via phone --response "满意, 谢谢"
    """
    from followup_cli.tickets import notify_ticket

    t = checked(notify_ticket, open_session(ctx), _id(ticket), via, response, arguments=())
    print(
        f"Ticket #{t.id}: customer told via {t.notified_via}. Close it with "
        f"`followup ticket close {t.id}`."
    )


@app.command("close")
def close_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    notified_via: Annotated[
        str | None,
        typer.Option(
            "--notified-via", help="Record the customer was told, via CHANNEL, and close."
        ),
    ] = None,
) -> None:
    """Close a ticket: refused unless it is resolved and the customer has been told.

    A callback 7 days later asks whether the problem stayed solved.

    \b
    Example:
      followup ticket close 12 --notified-via phone
    """
    from followup_cli.tickets import close_ticket

    t = checked(close_ticket, open_session(ctx), _id(ticket), notified_via, arguments=())
    print(f"Closed ticket #{t.id}; a verification callback is planned.")


@app.command("reopen")
def reopen_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened.")],
) -> None:
    """Reopen a resolved or closed ticket (a new resolution and notice are then needed).

    \b
    Example:
      followup ticket reopen 12 --reason "noise is back"
    """
    from followup_cli.tickets import reopen_ticket

    t = reopen_ticket(open_session(ctx), _id(ticket), reason)
    print(f"Reopened ticket #{t.id}; due by {t.due_by}")
