"""`followup ticket ...`: complaints, closed only when the customer has been told."""

from typing import Annotated, Any

import typer

from followup_cli.cli.common import ByOption, Format, FormatOption, WideOption, new_app
from followup_cli.cli.state import acting_session, checked, open_session
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.complaints.tickets import (
    approve_ticket,
    assign_ticket,
    close_ticket,
    list_tickets,
    note_ticket,
    notify_ticket,
    open_ticket,
    prepared_answer,
    reopen_ticket,
    resolve_ticket,
    show_ticket,
    ticket_id_arg,
    validate_ticket,
)
from followup_cli.domain.session import SYSTEM
from followup_cli.domain.texts import render
from followup_cli.domain.vocabulary import TICKET_STATUSES
from followup_cli.render.output import Column, Section, print_detail, print_records, warn
from followup_cli.support.i18n import ENGLISH, _, current_language, label, pgettext

app = new_app(
    "Complaints: open, resolve, tell the customer, close.",
    'followup ticket open C000012 --category service.late --summary "工程师迟到一天"',
    "followup ticket list --overdue",
    "followup ticket show 12",
)

TicketArg = Annotated[str, typer.Argument(metavar="ID", help="Ticket number (12 or #12).")]


def _id(value: str) -> int:
    return checked(ticket_id_arg, value, arguments=("ticket",))


def _print_ticket(ticket: Any, fmt: str, session: Any) -> None:
    prepared = prepared_answer(session, ticket.category, ticket.return_policy)
    data = ticket.to_dict()
    data["prepared_answer"] = prepared

    def told() -> str:
        if not ticket.notified_at:
            return _("not yet")
        via = label("channel", ticket.notified_via)
        # CSV keeps the stored ISO 8601 time; a screen shows the office's clock.
        at = ticket.notified_at if fmt == "csv" else session.shown_time(ticket.notified_at)
        if ticket.customer_response:
            return _("{at} via {channel} — customer said: {response}").format(
                at=at, channel=via, response=ticket.customer_response
            )
        return _("{at} via {channel}").format(at=at, channel=via)

    def escalated() -> str | None:
        if not ticket.escalated_role:
            return None
        return _("level {level}: {role} {person}").format(
            level=ticket.escalation_level,
            role=label("role", ticket.escalated_role),
            person=ticket.escalated_to or _("(nobody)"),
        )

    def approved() -> str | None:
        if ticket.approved_by:
            at = ticket.approved_at if fmt == "csv" else session.shown_time(ticket.approved_at)
            return _("{name}, {at}").format(name=ticket.approved_by, at=at)
        if ticket.approval_needed and not ticket.told:
            return _("needed before the customer is told — not yet")
        return None

    def answer_shown(answer: str | None) -> str | None:
        policy = render(prepared.get("policy")) or None
        text = _(answer) if answer else None
        return " ".join(t for t in (policy, text) if t) or None

    def fields_shown() -> list[tuple[str, Any]]:
        # Config texts (category label, answer, steps) show translated when they have one.
        status = label("ticket_status", ticket.status)
        steps = [_(step) for step in prepared["steps"]]
        category: str = prepared["label"]
        answer: str | None = prepared["answer"]
        return [
            (
                _("Customer"),
                _("{code} {name} ({tier})").format(
                    code=ticket.customer_code,
                    name=ticket.customer_name,
                    tier=label("tier", ticket.tier),
                ),
            ),
            (
                _("Status"),
                _("{status} — OVERDUE").format(status=status) if ticket.overdue else status,
            ),
            (_("Opened"), ticket.opened_on),
            (
                _("Category"),
                # In Chinese the word a clerk types for it (`--category 服务不守时`); a label
                # may hold brackets, so it follows a dash.
                f"{ticket.category} — {_(category)}"
                if current_language() == ENGLISH
                else label("category", ticket.category),
            ),
            (_("Severity"), label("severity", ticket.severity)),
            (_("Owner"), ticket.owner),
            (_("Due by"), ticket.due_by),
            (_("Escalated to"), escalated()),
            (_("Channel"), label("channel", ticket.channel)),
            (_("Details"), ticket.details),
            (_("Resolution"), ticket.resolution),
            (_("Approved"), approved()),
            (_("Customer told"), told()),
            (_("Prepared answer"), answer_shown(answer)),
            (_("Steps"), " → ".join(steps) if steps else None),
        ]

    sections = [
        Section(
            _("History"),
            ticket.history,
            [
                Column("at", _("At"), value=lambda r: session.shown_time(r["at"]), priority=1),
                Column("actor", _("By"), value=_actor, priority=3),
                Column("action", _("Action"), kind="action", priority=2),
                Column(
                    "before",
                    pgettext("history", "Before"),
                    value=_history_value("before"),
                    wrap=True,
                    priority=6,
                ),
                Column(
                    "after",
                    pgettext("history", "After"),
                    value=_history_value("after"),
                    wrap=True,
                    priority=5,
                ),
                Column("note", _("Note"), value=lambda r: render(r["note"]), wrap=True, priority=4),
            ],
        )
    ]
    title = _("Ticket #{id}: {summary}").format(id=ticket.id, summary=render(ticket.summary))
    print_detail(title, fields_shown, sections, fmt, data, "ticket")


def _actor(r: dict[str, Any]) -> str:
    """Who did it: a staff name as stored, or the system in the reader's language."""
    return _("system") if r["actor"] == SYSTEM else str(r["actor"] or "")


def _history_value(key: str) -> Any:
    """A before/after cell of the history: a status or channel shown in its words."""

    def value(r: dict[str, Any]) -> str:
        text = r[key]
        if text is None:
            return ""
        field = r.get("field")
        if field == "status" or (field is None and text in TICKET_STATUSES):
            return label("ticket_status", text)
        if field == "notified_via":
            return label("channel", text)
        if field == "escalated_to":
            role, _sep, person = str(text).partition(" ")
            return f"{label('role', role)} {person}".strip()
        return str(text)

    return value


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
    by: ByOption = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """Open a complaint; prints the category's prepared answer to give on the spot.

    \b
    Example:
      followup ticket open C000012 --summary "发动机异响，维修后复发" \\
          --category product.failure --severity major --by 李娜
    """

    session = acting_session(ctx, by)
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
    if ticket.owner is None and ticket.escalated_to is None and ticket.escalated_role:
        # Nobody on the whole ladder: the complaint is kept, and the office told whom to add.
        warn(
            _("nobody on staff holds a role on this ticket's ladder; it waits for a {role}").format(
                role=label("role", ticket.escalated_role)
            )
            + "\n"
            + _("Add one with `followup staff add NAME --role {role}`.").format(
                role=ticket.escalated_role
            )
        )
    if fmt == Format.table:
        print(_("Opened ticket #{id} (due by {date})").format(id=ticket.id, date=ticket.due_by))
    _print_ticket(ticket, fmt.value, session)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        str, typer.Option("--status", help="open (not closed), resolved, closed or all.")
    ] = "open",
    overdue: Annotated[bool, typer.Option("--overdue", help="Only past their deadline.")] = False,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Owned by or escalated to STAFF.")
    ] = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """List complaints (by default every one not yet closed).

    \b
    Example:
      followup ticket list --overdue
    """

    status_value = checked(
        vocab.accept, "ticket_status", status, "status", (*vocab.TICKET_STATUSES, "all")
    )
    session = open_session(ctx)
    tickets = list_tickets(session, status_value, overdue, owner)

    columns = [
        Column("id", _("ID"), justify="right", priority=1),
        Column("opened_on", _("Opened"), priority=12),
        Column("customer_code", _("Customer"), priority=2),
        Column("customer_name", _("Name"), wrap=True, priority=7),
        Column("severity", _("Severity"), kind="severity", priority=6),
        Column("category", _("Category"), kind="category", priority=11),
        Column("status", _("Status"), kind="ticket_status", priority=5),
        Column(
            "due_by",
            _("Due by"),
            value=lambda r: (
                _("{date} LATE").format(date=r["due_by"]) if r["overdue"] else r["due_by"]
            ),
            priority=4,
        ),
        # Who handles the complaint, and the person its escalation has reached (the
        # same words on every screen: Owner, Escalated to).
        Column("owner", _("Owner"), priority=8),
        Column(
            "escalated_to",
            _("Escalated to"),
            value=lambda r: r["escalated_to"] or label("role", r["escalated_role"]),
            priority=9,
        ),
        Column(
            "told",
            _("Told"),
            value=lambda r: _("yes") if r["notified_at"] else _("no"),
            priority=10,
        ),
        Column(
            "summary",
            _("Summary"),
            value=lambda r: render(r["summary"]),
            wrap=True,
            min_width=16,
            priority=3,
        ),
    ]
    print_records([t.to_dict() for t in tickets], columns, fmt.value, empty=_("No tickets."))


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """Show a ticket: status, deadline, escalation, the prepared answer, and its history.

    With --format csv, one file: a first column `section` names each row's part (the
    ticket, then each history entry), as in the JSON.

    \b
    Example:
      followup ticket show 12 --format json
    """

    session = open_session(ctx)
    _print_ticket(show_ticket(session, _id(ticket)), fmt.value, session)


@app.command("assign")
def assign_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    staff: Annotated[str, typer.Argument(metavar="STAFF", help="Staff member who takes it.")],
    by: ByOption = None,
) -> None:
    """Give a ticket to a staff member.

    \b
    Example:
      followup ticket assign 12 赵强 --by 刘洋
    """

    ticket_id = _id(ticket)
    t = assign_ticket(acting_session(ctx, by), ticket_id, staff)
    print(_("Ticket #{id} is now owned by {owner}").format(id=t.id, owner=t.owner))


@app.command("note")
def note_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The note.")],
    by: ByOption = None,
) -> None:
    """Add a note to a ticket's history.

    \b
    Example:
      followup ticket note 12 "配件已订，周五到货" --by 赵强
    """

    ticket_id = _id(ticket)
    t = note_ticket(acting_session(ctx, by), ticket_id, text)
    print(_("Noted on ticket #{id}").format(id=t.id))


@app.command("resolve")
def resolve_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    resolution: Annotated[str, typer.Option("--resolution", help="What was done about it.")],
    by: ByOption = None,
) -> None:
    """Record how the problem was solved; next, tell the customer (`ticket notify`).

    \b
    Example:
      followup ticket resolve 12 --resolution "保修期内更换了喷油器" --by 赵强
    """

    ticket_id = _id(ticket)
    t = resolve_ticket(acting_session(ctx, by), ticket_id, resolution)
    if t.approval_needed:
        print(
            _(
                "Ticket #{id} resolved. Its proposed handling needs a leader's approval "
                "before the customer is told: `followup ticket approve {id} --by NAME` (by {date})."
            ).format(id=t.id, date=t.due_by)
        )
        return
    print(
        _(
            "Ticket #{id} resolved. Now tell the customer: "
            "`followup ticket notify {id} --via phone --response TEXT` (by {date})."
        ).format(id=t.id, date=t.due_by)
    )


@app.command("approve")
def approve_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    note: Annotated[
        str | None, typer.Option("--note", help="The leader's instruction (批示), as written.")
    ] = None,
    by: ByOption = None,
) -> None:
    """Approve a ticket's proposed handling (批示): by a leader above its owner.

    Needed before the customer is told for major and critical tickets (and returns
    outside the return window). May approve: anyone whose role is above the owner's on
    the ticket's ladder, and a sales manager or deputy GM unless the owner ranks with or
    above them (`tickets.approver_roles`); never the owner, unless nobody else may.

    \b
    Example:
      followup ticket approve 12 --note "同意更换，费用由厂家承担" --by 吴刚
    """

    ticket_id = _id(ticket)
    t = checked(approve_ticket, acting_session(ctx, by), ticket_id, note, arguments=())
    print(
        _(
            "Ticket #{id} approved by {name}. Now tell the customer: "
            "`followup ticket notify {id} --via phone --response TEXT`."
        ).format(id=t.id, name=t.approved_by)
    )


@app.command("notify")
def notify_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    via: Annotated[str, typer.Option("--via", help="phone, visit, wechat, email, sms...")],
    response: Annotated[
        str | None, typer.Option("--response", help="What the customer said.")
    ] = None,
    by: ByOption = None,
) -> None:
    """Record that the customer has been told the outcome.

    \b
    Example:
      followup ticket notify 12 --via phone --response "满意，谢谢" --by 李娜
    """

    ticket_id = _id(ticket)
    session = acting_session(ctx, by)
    t = checked(notify_ticket, session, ticket_id, via, response, arguments=())
    print(
        _(
            "Ticket #{id}: customer told via {channel}. Close it with `followup ticket close {id}`."
        ).format(id=t.id, channel=label("channel", t.notified_via))
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
    by: ByOption = None,
) -> None:
    """Close a ticket: refused unless it is resolved and the customer has been told.

    A callback 7 days later asks whether the problem stayed solved.

    \b
    Example:
      followup ticket close 12 --notified-via phone --by 李娜
    """

    ticket_id = _id(ticket)
    session = acting_session(ctx, by)
    t = checked(close_ticket, session, ticket_id, notified_via, arguments=())
    print(_("Closed ticket #{id}; a verification callback is planned.").format(id=t.id))


@app.command("reopen")
def reopen_cmd(
    ctx: typer.Context,
    ticket: TicketArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened.")],
    by: ByOption = None,
) -> None:
    """Reopen a resolved or closed ticket (a new resolution and notice are then needed).

    \b
    Example:
      followup ticket reopen 12 --reason "异响又出现了" --by 李娜
    """

    ticket_id = _id(ticket)
    t = reopen_ticket(acting_session(ctx, by), ticket_id, reason)
    print(_("Reopened ticket #{id}; due by {date}").format(id=t.id, date=t.due_by))
