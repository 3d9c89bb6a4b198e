"""`followup due`: today's work, one row per customer, most urgent first."""

from typing import Annotated, Any

import typer

from followup_cli.cli.common import Format, FormatOption
from followup_cli.cli.state import checked, open_session, parse_date_option
from followup_cli.i18n import _, label, ngettext

TERMINAL_ROWS = 50


def due_cmd(
    ctx: typer.Context,
    date: Annotated[
        str | None, typer.Option("--date", help="The day to plan (default: today).")
    ] = None,
    days: Annotated[
        int, typer.Option("--days", min=0, help="Also what falls due in the next N days.")
    ] = 0,
    staff: Annotated[str | None, typer.Option("--staff", help="Only rows with work for S.")] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="Only rows with work for role R.")
    ] = None,
    grade: Annotated[str | None, typer.Option("--grade", help="Only customers of grade G.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only rows already overdue.")] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="At most N rows.")
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show each row's urgency terms.")
    ] = False,
    all_: Annotated[
        bool,
        typer.Option("--all", help=f"On a terminal, every row (default: the top {TERMINAL_ROWS})."),
    ] = False,
    fmt: FormatOption = Format.table,
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
    from followup_cli import fields
    from followup_cli.due import DueFilter, due_list
    from followup_cli.planning import roll_forward

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
        from followup_cli.staff import get_staff

        get_staff(session.conn, staff, "--staff")
    from followup_cli.render import stdout_is_terminal

    # On a terminal nobody reads thousands of rows: the most urgent first, and a count.
    if limit is None and not all_ and fmt == Format.table and stdout_is_terminal():
        flt.limit = TERMINAL_ROWS
    roll_forward(session)
    result = due_list(session, flt)
    render_due(result.rows, fmt.value, explain, on.isoformat(), days)
    shown = len(result.rows)
    if fmt == Format.table and result.total > shown:
        print(
            _("… and {n} more customers due (--limit N to see more, --all for every row)").format(
                n=result.total - shown
            )
        )


def render_due(rows: list[Any], fmt: str, explain: bool, on: str, days: int) -> None:
    from followup_cli.render import Column, print_records

    records = [r.to_dict() for r in rows]
    if fmt == "json":
        if not explain:
            for rec in records:
                rec.pop("terms", None)
        print_records(records, [], fmt)
        return
    columns = [
        Column("urgency", _("Urg"), justify="right", value=lambda r: f"{r['urgency']:.1f}"),
        Column("code", _("Code"), value=lambda r: r["customer"]["code"]),
        Column("name", _("Customer"), value=lambda r: r["customer"]["name"]),
        Column("grade", _("G"), justify="right", value=lambda r: r["customer"]["grade"]),
        Column("contact", _("Contact"), value=_contact),
        Column("phone", _("Phone")),
        Column("due_on", _("Due")),
        Column("days_overdue", _("Late"), justify="right", value=lambda r: r["days_overdue"] or ""),
        Column("reasons", _("Reasons"), value=_reasons),
        Column("assignee", _("Assignee")),
        Column("open_tickets", _("Tix"), justify="right", value=lambda r: r["open_tickets"] or ""),
    ]
    if explain:
        columns.append(Column("terms", _("Urgency terms"), value=_terms))
    csv_columns = [
        Column("urgency", "urgency"),
        Column("customer_code", "", value=lambda r: r["customer"]["code"]),
        Column("customer_name", "", value=lambda r: r["customer"]["name"]),
        Column("grade", "", value=lambda r: r["customer"]["grade"]),
        Column("contact", "", value=lambda r: (r["contact"] or {}).get("name")),
        Column("contact_role", "", value=lambda r: (r["contact"] or {}).get("role")),
        Column("phone", ""),
        Column("due_on", ""),
        Column("days_overdue", ""),
        Column("assignee", ""),
        Column("open_tickets", ""),
        Column("reasons", "", value=_reasons),
        Column(
            "callback_ids",
            "",
            value=lambda r: " ".join(str(x["callback_id"]) for x in r["reasons"]),
        ),
    ]
    if explain:
        csv_columns.append(Column("terms", "", value=_terms))
    window = on if days == 0 else _("{date} + {n} days").format(date=on, n=days)
    title = ngettext(
        "Due {window}: {n} customer", "Due {window}: {n} customers", len(records)
    ).format(window=window, n=len(records))
    print_records(
        records, columns, fmt, title=title, empty=_("Nothing due."), csv_columns=csv_columns
    )


def _contact(r: dict[str, Any]) -> str:
    c = r["contact"]
    if not c:
        return ""
    return f"{c['name']} ({label('contact_role', c['role'])})"


def _reasons(r: dict[str, Any]) -> str:
    from followup_cli.wording import localize

    parts = []
    for x in r["reasons"]:
        text = label("reason", x["reason"])
        if x["level"] == 2 and x["reason"] != "second-level":  # (that one says it already)
            text += " " + _("L2")
        if x["attempts"]:
            text += " " + _("try {n}").format(n=x["attempts"] + 1)
        if x["detail"]:
            text = _("{reason}: {detail}").format(reason=text, detail=localize(x["detail"]))
        parts.append(f"#{x['callback_id']} {text}")
    return "; ".join(parts)


def _terms(r: dict[str, Any]) -> str:
    return " ".join(f"{k}={v:g}" for k, v in r["terms"].items() if v)
