"""`followup callback ...`: move or skip one planned callback."""

from typing import Annotated

import typer

from followup_cli.cli.call_target import appointment_text
from followup_cli.cli.common import ByOption, new_app
from followup_cli.cli.numbers import WholeNumber
from followup_cli.cli.state import acting_session, checked, parse_date_option
from followup_cli.domain.callbacks.changes import (
    appointment_moment,
    book_callback,
    reschedule_callback,
    skip_callback,
)
from followup_cli.render.output import warn
from followup_cli.support.i18n import _, label

app = new_app(
    "Move, book or skip one planned callback.",
    "followup callback reschedule 812 2026-12-01 --by 李娜",
    "followup callback book 812 --at '2026-12-03 10:00' --place 济南项目部 --by 李娜",
    'followup callback skip 812 --reason "展会上已当面拜访" --by 李娜',
)


@app.command("reschedule")
def reschedule_cmd(
    ctx: typer.Context,
    callback_id: Annotated[
        int,
        typer.Argument(metavar="ID", click_type=WholeNumber(1), help="Callback id (see `due`)."),
    ],
    date: Annotated[str, typer.Argument(metavar="DATE", help="The new due date.")],
    by: ByOption = None,
) -> None:
    """Move a pending callback to another day.

    \b
    Example:
      followup callback reschedule 812 2026-11-30 --by 李娜
    """

    day = parse_date_option("DATE", date)
    assert day is not None
    session = acting_session(ctx, by)
    change = reschedule_callback(session, callback_id, day)
    print(
        _("Callback #{id} ({reason}, {code} {name}) now due {date}").format(
            id=change.id,
            reason=label("reason", change.reason),
            code=change.customer_code,
            name=change.customer_name,
            date=change.due_on,
        )
    )
    if change.appointment_at is not None or change.appointment_place:
        print(
            "  " + appointment_text(change.appointment_at, change.appointment_place, session.zone)
        )
    if not change.working_day:
        warn(_("{date} is not a working day").format(date=change.due_on))


@app.command("book")
def book_cmd(
    ctx: typer.Context,
    callback_id: Annotated[
        int,
        typer.Argument(metavar="ID", click_type=WholeNumber(1), help="Callback id (see `due`)."),
    ],
    at: Annotated[
        str, typer.Option("--at", help="When, agreed with the customer: '2026-12-03 10:00'.")
    ],
    place: Annotated[
        str | None, typer.Option("--place", help="Where (a site, the customer's office...).")
    ] = None,
    by: ByOption = None,
) -> None:
    """Book an appointment for a pending callback: its day, time and place.

    Seed 003 (大客户回访流程): 预约回访时间和地点. The callback falls due that day; the
    due list shows the time and place (booked ones first, by time) and the call script
    repeats them. Rescheduling it keeps the place and the hour.

    \b
    Example:
      followup callback book 812 --at "2026-12-03 10:00" --place "济南项目部工地" --by 李娜
    """

    session = acting_session(ctx, by)
    moment = checked(appointment_moment, session, at)
    change = checked(book_callback, session, callback_id, moment, place, arguments=())
    print(
        _("Callback #{id} ({reason}, {code} {name}) {appointment}").format(
            id=change.id,
            reason=label("reason", change.reason),
            code=change.customer_code,
            name=change.customer_name,
            appointment=appointment_text(
                change.appointment_at, change.appointment_place, session.zone
            ),
        )
    )
    if not change.working_day:
        warn(_("{date} is not a working day").format(date=change.due_on))


@app.command("skip")
def skip_cmd(
    ctx: typer.Context,
    callback_id: Annotated[
        int,
        typer.Argument(metavar="ID", click_type=WholeNumber(1), help="Callback id (see `due`)."),
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why it is skipped (kept on record).")],
    by: ByOption = None,
) -> None:
    """Skip a pending callback, with the reason on record; visits chain on from today.

    \b
    Example:
      followup callback skip 812 --reason "客户要求本月不要来电" \\
          --by 李娜
    """

    session = acting_session(ctx, by)
    change = checked(skip_callback, session, callback_id, reason, arguments=())
    print(
        _("Skipped callback #{id} ({reason}, {code} {name}): {note}").format(
            id=change.id,
            reason=label("reason", change.reason),
            code=change.customer_code,
            name=change.customer_name,
            note=change.note,
        )
    )
