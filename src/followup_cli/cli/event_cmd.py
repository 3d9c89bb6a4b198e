"""`followup event ...`: what happened with a customer (sale, service, parts...)."""

from typing import Annotated

import typer

from followup_cli.cli.common import ByOption, Format, FormatOption, WideOption, new_app
from followup_cli.cli.numbers import WholeNumber
from followup_cli.cli.state import acting_session, checked, open_session, parse_date_option
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.events.records import add_event, list_events, validate_event
from followup_cli.domain.fields import amount_text
from followup_cli.domain.texts import render
from followup_cli.render.output import Column, print_records
from followup_cli.support.i18n import _, label

app = new_app(
    "Events: sales, service jobs, parts... each plans its callbacks.",
    "followup event add C000012 --kind service --date 2026-11-20 --by 李娜",
    "followup event add C000012 --kind sale --machine SY215C --by 王伟",
    "followup event list C000012",
)


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code, id or exact name.")],
    kind: Annotated[
        str, typer.Option("--kind", "-k", help="sale, service, parts, rental or used (二手机).")
    ],
    date: Annotated[
        str | None, typer.Option("--date", help="When it happened (default: today).")
    ] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="Work order / invoice number.")] = None,
    machine: Annotated[
        str | None, typer.Option("--machine", help="Machine model / serial.")
    ] = None,
    staff: Annotated[
        str | None, typer.Option("--staff", help="Staff member who did the job.")
    ] = None,
    result: Annotated[
        str | None, typer.Option("--result", help="What the staff reported, e.g. fixed.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free note.")] = None,
    in_use: Annotated[
        str | None,
        typer.Option(
            "--in-use",
            help="The day the machine went into use (投入使用): callbacks count from it.",
        ),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option(
            "--contact", help="The customer's person for this job (a contact's name): called first."
        ),
    ] = None,
    amount: Annotated[
        str | None,
        typer.Option(
            "--amount",
            help="What it brought in, in yuan (金额): customers are ranked by it (`report value`).",
        ),
    ] = None,
    by: ByOption = None,
) -> None:
    """Record an event and plan its callbacks (service: +2d, +7d, +1m; grades 1–3 also +3m, +6m).

    Its callbacks go to --contact, else the person in charge, else the decision-maker,
    else the primary contact (seed 000: 选择客户负责人进行回访).

    \b
    Example:
      followup event add C000012 --kind service --date 2026-11-20 --ref WO-8812 \\
          --machine "SY215C #3391" --staff 赵强 --result fixed --contact 张建国 --by 李娜
      followup event add C000012 --kind sale --date 2026-11-10 --in-use 2026-11-18 \\
          --amount 385000
    """

    when = parse_date_option("--date", date)
    in_use_day = parse_date_option("--in-use", in_use)
    session = acting_session(ctx, by)
    data = checked(
        validate_event,
        session,
        kind,
        when,
        ref=ref,
        machine=machine,
        staff=staff,
        result=result,
        note=note,
        in_use=in_use_day,
        contact=contact,
        amount=amount,
    )
    added = add_event(session, customer, data)
    e = added.event
    print(
        _("Recorded {kind} event #{id} for {code} {name} on {date}").format(
            kind=label("event_kind", e.kind),
            id=e.id,
            code=e.customer_code,
            name=e.customer_name,
            date=e.date,
        )
    )
    if added.callbacks:
        for cb in added.callbacks:
            print(
                "  "
                + _("callback #{id} due {date}  {detail}").format(
                    id=cb["id"], date=cb["due_on"], detail=render(cb["detail"])
                )
            )
    else:
        print(
            "  " + _("no callbacks planned (all would fall due long ago: history is not a backlog)")
        )


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    customer: Annotated[str | None, typer.Argument(help="Only this customer's events.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="Only this kind.")] = None,
    since: Annotated[str | None, typer.Option("--from", help="From this date.")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Up to this date.")] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", click_type=WholeNumber(1), help="At most N rows.")
    ] = 50,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """List events, newest first.

    \b
    Example:
      followup event list --kind service --from 2026-11-01
    """

    session = open_session(ctx)
    if kind is not None:
        kind = checked(vocab.accept, "event_kind", kind, "kind", session.config.event_kinds)
    events = list_events(
        session,
        customer,
        kind,
        parse_date_option("--from", since),
        parse_date_option("--to", until),
        limit,
    )
    columns = [
        Column("id", _("ID"), justify="right", priority=1),
        Column("date", _("Date"), priority=2),
        Column("customer_code", _("Customer"), priority=3),
        Column("customer_name", _("Name"), wrap=True, priority=5),
        Column("kind", _("Kind"), kind="event_kind", priority=4),
        Column("ref", _("Ref"), priority=6),
        Column("machine", _("Machine"), wrap=True, priority=8),
        Column("staff", _("Staff"), priority=7),
        Column("result", _("Result"), wrap=True, priority=9),
        Column("contact", _("Contact"), priority=10),
        Column("amount", _("Amount"), justify="right", priority=11),
    ]
    records = [e.to_dict() for e in events]
    if fmt.value != "json":
        records = [{**r, "amount": amount_text(r["amount"])} for r in records]
    print_records(records, columns, fmt.value, empty=_("No events."))
