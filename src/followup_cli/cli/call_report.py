"""What `log-call` and the call script print once a call is logged."""

from typing import Any

from followup_cli.domain.texts import render
from followup_cli.render.lines import message, warn
from followup_cli.support.i18n import _, label


def report_call(result: Any, session: Any) -> None:
    """What a logged call did, one line each: done, try again, planned, tickets opened.
    The head says when the call was made, on the office's clock (`today 14:30`)."""
    for text in result.warnings:
        warn(text)
    head = (
        _("Logged call #{id} to {code} {name} at {time} (reached)")
        if result.reached
        else _("Logged call #{id} to {code} {name} at {time} (not reached)")
    )
    message(
        head.format(
            id=result.call_id,
            code=result.customer_code,
            name=result.customer_name,
            time=session.shown_time(result.at),
        )
    )
    for cb in result.completed:
        message(
            "  "
            + _("done: #{id} {reason} (due {date})").format(
                id=cb["callback_id"], reason=label("reason", cb["reason"]), date=cb["due_on"]
            )
        )
    for cb in result.still_due:
        values = {
            "id": cb["callback_id"],
            "reason": label("reason", cb["reason"]),
            "role": label("role", cb["role"]),
            "who": cb["assignee"],
        }
        if cb["assignee"]:
            message("  " + _("still due: #{id} {reason} for {role} ({who})").format(**values))
        else:
            message("  " + _("still due: #{id} {reason} for {role}").format(**values))
    for cb in result.retried:
        message(
            "  "
            + _("try again {date}: #{id} {reason}").format(
                date=cb["due_on"], id=cb["callback_id"], reason=label("reason", cb["reason"])
            )
        )
    for cb in result.planned:
        values = {
            "id": cb["callback_id"],
            "reason": label("reason", cb["reason"]),
            "date": cb["due_on"],
            "detail": render(cb["detail"]),
        }
        if cb["detail"]:
            message("  " + _("planned: #{id} {reason} due {date} ({detail})").format(**values))
        else:
            message("  " + _("planned: #{id} {reason} due {date}").format(**values))
    for ticket_id in result.tickets:
        message(
            "  " + _("opened ticket #{id} (see `followup ticket show {id}`)").format(id=ticket_id)
        )
    if not result.reached and result.attempts:
        message("  " + _("{n} failed attempt(s) in a row").format(n=result.attempts))
    if result.reachable_again:
        message(
            "  "
            + _("{code} is reachable again: its unreachable flag is cleared").format(
                code=result.customer_code
            )
        )
    if result.unreachable:
        warn(
            _("{code} is now flagged unreachable: check the phone numbers").format(
                code=result.customer_code
            )
        )
