"""`followup log-call`: record a call; on a terminal without --outcome, run the call script."""

import sys
from typing import Annotated

import typer

from followup_cli.cli.call_report import report_call
from followup_cli.cli.numbers import WholeNumber
from followup_cli.cli.state import checked, open_session
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.calls.log import (
    check_call_time,
    log_call,
    parse_answers,
    validate_call,
)
from followup_cli.support.dates import parse_datetime
from followup_cli.support.errors import DataError, InvalidValue, UsageError
from followup_cli.support.i18n import _


def _interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def log_call_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code, id or exact name.")],
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            "-o",
            help="reached, no-answer, busy, wrong-number, refused or left-message.",
        ),
    ] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Who was called.")] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", envvar="FOLLOWUP_STAFF", help="Who called (a staff name)."),
    ] = None,
    channel: Annotated[
        str, typer.Option("--channel", help="phone, visit, wechat, email or sms.")
    ] = "phone",
    at: Annotated[
        str | None, typer.Option("--at", help="When (default: now), e.g. '2026-11-22 14:30'.")
    ] = None,
    satisfaction: Annotated[
        int | None,
        typer.Option("--satisfaction", "-s", min=1, max=5, help="5 高度满意 … 1 极不满意."),
    ] = None,
    recommend: Annotated[
        int | None, typer.Option("--recommend", min=0, max=10, help="Would recommend, 0–10.")
    ] = None,
    repurchase: Annotated[
        str | None, typer.Option("--repurchase", help="Would buy again: yes, no or unsure.")
    ] = None,
    answer: Annotated[
        list[str] | None,
        typer.Option("--answer", "-a", help="Key question answer KEY=yes|no (repeatable)."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was said.")] = None,
    findings: Annotated[
        str | None,
        typer.Option(
            "--findings",
            help="A visit report's main conclusions (主要结论): visits and grades 1–3 only.",
        ),
    ] = None,
    callback: Annotated[
        int | None,
        typer.Option(
            "--callback", click_type=WholeNumber(1), help="The callback this call is for (id)."
        ),
    ] = None,
    complaint: Annotated[
        str | None,
        typer.Option(
            "--complaint",
            help="A complaint told on the call: one ticket, holding the call's no answers.",
        ),
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Complaint category (with --complaint).")
    ] = None,
    severity: Annotated[
        str | None, typer.Option("--severity", help="minor, major or critical (with --complaint).")
    ] = None,
) -> None:
    """Log a call and settle every reason it covers.

    It also plans what follows (the next visit, a supervisor's check, a retry).

    A reached call completes the customer's callbacks due within the merge window; a
    missed one brings them back the next working day. On a terminal, leaving out
    --outcome runs the call script (who to call, why, each question in order).

    \b
    Examples:
      followup log-call C000012 --outcome reached --by 李娜 --satisfaction 4 \\
          --answer fixed=yes --answer on_time=no --note "工程师晚到了一天"
      followup log-call C000012 --outcome no-answer --by 李娜
      followup log-call C000003 --outcome reached --by 王伟 --channel visit \\
          --findings "二期工程需两台挖机，下月报价"
      followup log-call C000012          # on a terminal: the guided call script
    """
    session = open_session(ctx)
    if (category or severity) and not complaint:
        raise UsageError(_("--category and --severity describe a --complaint; give its text too"))
    if complaint:
        # Only a call with --complaint loads the tickets (log-call's start-up).
        from followup_cli.domain.complaints.tickets import check_category, check_severity

        # No --category: the ticket takes that of the first "no" answer, else "other".
        category = checked(check_category, session, category) if category else None
        severity = checked(
            check_severity, severity or session.config["tickets"]["default_severity"]
        )
    answers = checked(parse_answers, answer or [])
    if outcome is None:
        if not _interactive():
            raise UsageError(
                _("--outcome is required when not on a terminal"),
                _("Give --outcome {outcomes}.").format(outcomes="|".join(vocab.OUTCOMES)),
            )

        # Only a call logged at the terminal without --outcome loads the call script.
        from followup_cli.cli.call_script import run_call_script

        run_call_script(ctx, session, customer, by, channel)
        return
    if not by:
        raise UsageError(_("who made the call? Give --by NAME (or set FOLLOWUP_STAFF)"))
    when = session.now
    if at:
        try:
            when = parse_datetime(at, "at", session.now)
        except InvalidValue as exc:
            raise DataError(exc.message) from None
        # A call in the future is bad input data (exit 65), as an event's date is.
        when = checked(check_call_time, session, when, at)
    data = checked(
        validate_call,
        outcome,
        by,
        when,
        channel=channel,
        contact=contact,
        satisfaction=satisfaction,
        recommend=recommend,
        repurchase=repurchase,
        answers=answers,
        note=note,
        findings=findings,
        callback_id=callback,
        complaint=complaint,
        category=category,
        severity=severity,
        arguments=(),
    )
    result = log_call(session, customer, data)
    report_call(result, session)
