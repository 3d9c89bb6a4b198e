"""`followup notify ...`: deliver the notices queued for people (email, group robots)
and look at the outbox."""

from enum import StrEnum
from typing import Annotated

import typer

from followup_cli.cli.common import Format, FormatOption, WideOption, new_app
from followup_cli.cli.state import open_session
from followup_cli.domain.notify.sending import (
    DRY,
    FAILED,
    PENDING,
    SENT,
    SKIPPED,
    notice_records,
    send_due,
    send_test,
)
from followup_cli.render.output import Column, error, message, print_records
from followup_cli.support.errors import EXIT_BUSY, EXIT_REFUSED
from followup_cli.support.i18n import _, ngettext

app = new_app(
    "Notices: deliver what escalation and warnings queued (email, group robots).",
    "followup notify send",
    "followup notify list --status failed",
    "followup notify test 吴刚",
)


@app.callback()
def notify_group() -> None:
    """Notices: deliver what escalation and warnings queued (email, group robots)."""


@app.command("send")
def send_cmd(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; send and change nothing.")
    ] = False,
) -> None:
    """Deliver the notices whose time has come, by email and to each group robot.

    A notice that fails is tried again after the waits of `notify.retry_minutes`, and
    marked failed after `notify.max_attempts` tries. Exit 0: everything due was sent;
    75: a delivery failed and will be retried (cron may run it again); 1: a channel is
    not configured (the setting is named).

    \b
    Examples:
      followup escalate --auto && followup notify send     # cron, each morning
      followup notify send --dry-run
    """

    session = open_session(ctx)
    report = send_due(session, dry_run=dry_run)
    for o in report.outcomes:
        where = f"{o.channel} {o.target}".strip()
        if o.status == SENT:
            line = _("Sent #{id} to {name} ({where}): {title}")
        elif o.status == DRY:
            line = _("Would send #{id} to {name} ({where}): {title}")
        elif o.status == PENDING:
            line = _("Not sent #{id} to {name} ({where}): {error}; next try {at}")
        elif o.status == FAILED:
            line = _("Failed #{id} to {name} ({where}): {error}; no more tries")
        else:
            assert o.status == SKIPPED
            line = _("Not sent #{id} to {name} ({where}): the channel is not configured")
        message(
            line.format(
                id=o.id,
                name=o.recipient,
                where=where,
                title=o.title,
                error=o.error,
                at=session.shown_time(o.next_try_at),
            )
        )
    if not report.outcomes:
        message(_("No notices due."))
    elif not dry_run:
        sent, retry, failed = report.count(SENT), report.count(PENDING), report.count(FAILED)
        message(
            ngettext("{n} notice sent", "{n} notices sent", sent).format(n=sent)
            + _("; {retry} to retry, {failed} failed").format(retry=retry, failed=failed)
        )
    for problem in report.problems:
        error(problem.message, problem.hint)
    if report.problems or report.count(FAILED):
        raise typer.Exit(EXIT_REFUSED)
    if report.count(PENDING):
        raise typer.Exit(EXIT_BUSY)


@app.command("test")
def test_cmd(
    ctx: typer.Context,
    staff: Annotated[str, typer.Argument(metavar="STAFF", help="The staff member to reach.")],
) -> None:
    """Send one test message through every channel that reaches a staff member.

    Nothing is queued or recorded. Exit 0: every channel delivered; 75: one failed (the
    error is shown); 1: a channel is not configured, or none reaches them.

    \b
    Example:
      followup notify test 吴刚
    """

    session = open_session(ctx)
    report = send_test(session, staff)
    for o in report.outcomes:
        where = f"{o.channel} {o.target}".strip()
        if o.status == SENT:
            line = _("Test sent to {name} ({where})")
        elif o.status == PENDING:
            line = _("Test not sent to {name} ({where}): {error}")
        else:
            line = _("Test not sent to {name} ({where}): the channel is not configured")
        message(line.format(name=o.recipient, where=where, error=o.error))
    for problem in report.problems:
        error(problem.message, problem.hint)
    if report.problems:
        raise typer.Exit(EXIT_REFUSED)
    if report.count(PENDING):
        raise typer.Exit(EXIT_BUSY)


class Status(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"
    all = "all"


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        Status, typer.Option("--status", help="pending, sent, failed or all.")
    ] = Status.pending,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """List the notices in the outbox: to whom, by which channel, and how it went.

    \b
    Example:
      followup notify list --status failed --format json
    """

    session = open_session(ctx)
    records = notice_records(session, None if status == Status.all else status.value)
    columns = [
        Column("id", "#", justify="right"),
        Column("cause", _("Cause"), kind="notice_cause"),
        Column("ticket", _("Ticket"), justify="right"),
        Column("customer", _("Customer")),
        Column("recipient", _("Recipient")),
        Column("channel", _("Channel"), kind="channel"),
        Column("status", _("Status"), kind="notice_status"),
        Column("attempts", _("Tries"), justify="right"),
        Column("text", _("Notice"), wrap=True),
        Column("last_error", _("Last error"), wrap=True),
    ]
    print_records(records, columns, fmt.value, empty=_("No notices."))
