"""`followup escalate`: move a stalled complaint up its ladder, by hand or from cron."""

from typing import Annotated, Any

import typer

from followup_cli.cli.common import ByOption, Format, FormatOption, WideOption
from followup_cli.cli.state import acting_session, open_session
from followup_cli.cli.ticket_cmd import _id
from followup_cli.domain.complaints.escalation import escalate_auto, escalate_ticket
from followup_cli.domain.texts import render
from followup_cli.render.output import Column, print_records
from followup_cli.support.errors import UsageError
from followup_cli.support.i18n import _, label


def escalate_cmd(
    ctx: typer.Context,
    ticket: Annotated[
        str | None, typer.Argument(metavar="[TICKET]", help="Ticket to escalate by hand.")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept on record).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Send straight to this role.")] = None,
    auto: Annotated[
        bool, typer.Option("--auto", help="For cron: escalate every SLA breach and emergency.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --auto: show what would happen, change nothing.")
    ] = False,
    by: ByOption = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """Escalate a ticket one rung up its tier's ladder.

    It always lands on a named person: a rung with no staff is passed over; past the last rung a ticket goes on to its
    tier's emergency route, then the gm. --auto does it for every SLA breach and records
    new emergency warnings (cron); its steps are recorded as the system.

    \b
    Examples:
      followup escalate 12 --reason "客户再次来电，非常不满" --by 李娜
      followup escalate --auto              # cron, each morning; prints the notices
    """

    if auto == (ticket is not None):
        raise UsageError(_("give a TICKET to escalate, or --auto (not both)"))
    if (reason or to) and auto:
        raise UsageError(_("--reason and --to are for escalating one ticket by hand"))
    if dry_run and not auto:
        raise UsageError(_("--dry-run goes with --auto"))
    if auto and _typed(ctx, "by"):
        raise UsageError(_("--by is for escalating one ticket by hand; --auto acts as the system"))
    if auto:
        session = open_session(ctx)
        notices = escalate_auto(session, dry_run=dry_run)
        print_notices(notices, fmt.value, dry_run)
        return

    assert ticket is not None
    ticket_id = _id(ticket)
    notice = escalate_ticket(acting_session(ctx, by), ticket_id, reason, to)
    print_notices([notice], fmt.value, False)


def _typed(ctx: typer.Context, name: str) -> bool:
    """The option was given on the command line (not taken from the environment)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def print_notices(notices: list[Any], fmt: str, dry_run: bool) -> None:
    records = [n.to_dict() for n in notices]
    columns = [
        Column("kind", _("Kind"), kind="notice", priority=1),
        Column("ticket_id", _("Ticket"), justify="right", priority=2),
        Column("customer_code", _("Customer"), priority=3),
        Column("customer_name", _("Name"), wrap=True, priority=7),
        Column("tier", _("Tier"), kind="tier", priority=9),
        Column("severity", _("Severity"), kind="severity", priority=8),
        Column("to", _("To"), value=_recipient, wrap=True, priority=4),
        Column("level", _("Level"), justify="right", priority=10),
        Column("due_by", _("New deadline"), priority=5),
        Column("reason", _("Why"), value=_why, wrap=True, priority=6),
        Column(
            "summary", _("Summary"), value=lambda r: render(r["summary"]), wrap=True, priority=11
        ),
    ]
    title = (_("Would escalate: {n}") if dry_run else _("Escalated: {n}")).format(n=len(records))
    print_records(records, columns, fmt, title=title, empty=_("Nothing to escalate."))


def _recipient(r: dict[str, Any]) -> str:
    if not r["person"]:  # nobody at all could take it: Why says who to add
        return _("not sent: no staff")
    role = label("role", r["role"]) if r["role"] else "?"
    return f"{role} {r['person']}"


def _why(r: dict[str, Any]) -> str:
    if r["note"]:
        return _("{reason} — {note}").format(reason=render(r["reason"]), note=render(r["note"]))
    return render(r["reason"])
