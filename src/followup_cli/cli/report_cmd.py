"""`followup report ...`: routine and emergency reports for managers and cron."""

from typing import Annotated, Any

import typer

from followup_cli.cli.common import Format, FormatOption, new_app
from followup_cli.cli.state import open_session, parse_date_option

app = new_app(
    "Reports: daily, complaints, satisfaction, staff, categories...",
    "followup report satisfaction --period quarter",
)

From = Annotated[str | None, typer.Option("--from", help="First day (default: period start).")]
To = Annotated[str | None, typer.Option("--to", help="Last day (default: today).")]
PeriodOpt = Annotated[
    str | None, typer.Option("--period", help="month or quarter: buckets and comparison.")
]


def _period(session: Any, start: str | None, end: str | None, unit: str | None) -> Any:
    from followup_cli.reports.period import resolve_period

    return resolve_period(
        session.today, parse_date_option("--from", start), parse_date_option("--to", end), unit
    )


def _emit_json(data: Any) -> None:
    from followup_cli.render import to_json

    print(to_json(data))


def _csv_or_table(
    records: list[dict[str, Any]], columns: list[Any], fmt: str, title: str, empty: str = "None."
) -> None:
    from followup_cli.render import print_records

    print_records(records, columns, fmt, title=title, empty=empty)


@app.command("daily")
def daily_cmd(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """The morning report for cron mail: work due by assignee, breaches, escalations, warnings.

    \b
    Example:
      followup escalate --auto >/dev/null && followup report daily | mail -s 回访日报 office
    """
    from followup_cli.planning import roll_forward
    from followup_cli.render import Column, heading
    from followup_cli.reports.daily import daily_report

    session = open_session(ctx)
    roll_forward(session)
    report = daily_report(session)
    if fmt == Format.json:
        _emit_json(report.to_dict())
        return
    if fmt == Format.csv:
        _csv_or_table(report.by_assignee, _assignee_columns(Column), "csv", "")
        return
    heading(f"Daily report {report.day.isoformat()}")
    print(
        f"Customers to contact: {report.customers_due}; callbacks due today "
        f"{report.callbacks_due}, overdue {report.callbacks_overdue}; "
        f"emergency warnings open: {report.emergencies_open}"
    )
    print()
    _csv_or_table(
        report.by_assignee, _assignee_columns(Column), "table", "Due by assignee", "Nothing due."
    )
    print()
    _csv_or_table(
        report.breaches,
        [
            Column("ticket_id", "Ticket", justify="right"),
            Column("customer_code", "Customer"),
            Column("customer_name", "Name"),
            Column("severity", "Severity"),
            Column("status", "Status"),
            Column("due_by", "Due by"),
            Column("with", "With"),
            Column("summary", "Summary"),
        ],
        "table",
        "SLA breaches",
        "No SLA breaches.",
    )
    print()
    _csv_or_table(
        report.escalations,
        [
            Column("ticket_id", "Ticket", justify="right"),
            Column("customer_code", "Customer"),
            Column("customer_name", "Name"),
            Column("role", "To role"),
            Column("staff", "Person"),
            Column("reason", "Why"),
        ],
        "table",
        "Escalations today",
        "No escalations today.",
    )
    print()
    _csv_or_table(
        report.warnings,
        [
            Column("customer_code", "Customer"),
            Column("customer_name", "Name"),
            Column("role", "To role"),
            Column("staff", "Person"),
            Column("reason", "Warning"),
        ],
        "table",
        "New emergency warnings",
        "No new emergency warnings.",
    )


def _assignee_columns(Column: Any) -> list[Any]:
    return [
        Column("assignee", "Assignee"),
        Column("customers", "Customers", justify="right"),
        Column("due_today", "Due today", justify="right"),
        Column("overdue", "Overdue", justify="right"),
    ]


@app.command("complaints")
def complaints_cmd(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Unresolved complaints: age, SLA state, escalation, owner, whether the customer was told.

    \b
    Example:
      followup report complaints --format csv > complaints.csv
    """
    from followup_cli.render import Column
    from followup_cli.reports.complaints import complaints_report

    session = open_session(ctx)
    report = complaints_report(session)
    if fmt == Format.json:
        _emit_json(report.to_dict())
        return
    columns = [
        Column("ticket_id", "ID", justify="right"),
        Column("customer_code", "Customer"),
        Column("customer_name", "Name"),
        Column("tier", "Tier"),
        Column("age_days", "Age", justify="right"),
        Column("severity", "Severity"),
        Column("category", "Category"),
        Column("sla", "SLA"),
        Column(
            "escalation",
            "Escalated to",
            value=lambda r: (
                f"L{r['escalation_level']} {r['escalated_role'] or ''} {r['escalated_to'] or ''}"
            ).strip(),
        ),
        Column("owner", "Owner"),
        Column("told", "Told"),
        Column("summary", "Summary"),
    ]
    _csv_or_table(
        report.tickets,
        columns,
        fmt.value,
        f"Unresolved complaints on {report.day.isoformat()}: {len(report.tickets)}",
        "No unresolved complaints.",
    )


@app.command("satisfaction")
def satisfaction_cmd(
    ctx: typer.Context,
    start: From = None,
    end: To = None,
    period: PeriodOpt = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Satisfaction: distribution over the five levels, average, share satisfied, NPS.

    By month (or quarter), by staff and by event kind, with a bar chart.

    \b
    Example:
      followup report satisfaction --from 2026-07-01 --period quarter
    """
    from followup_cli.render import Column, bar, cell_width, heading, pad
    from followup_cli.reports.satisfaction import LEVELS, satisfaction_report

    session = open_session(ctx)
    span = _period(session, start, end, period)
    report = satisfaction_report(session, span, period or "month")
    data = report.to_dict()
    if fmt == Format.json:
        _emit_json(data)
        return
    stat_columns = [
        Column("responses", "Responses", justify="right"),
        *[Column(f"d{k}", str(k), justify="right", value=_level(k)) for k in LEVELS],
        Column(
            "average",
            "Average",
            justify="right",
            value=lambda r: "" if r["average"] is None else f"{r['average']:.2f}",
        ),
        Column("satisfied_pct", "Satisfied %", justify="right"),
        Column("nps", "NPS", justify="right"),
    ]
    if fmt == Format.csv:
        rows = (
            [{"group": "total", "name": "all", **data["total"]}]
            + [{"group": "period", "name": r["period"], **r} for r in data["by_period"]]
            + [{"group": "staff", "name": r["staff"], **r} for r in data["by_staff"]]
            + [{"group": "kind", "name": r["kind"], **r} for r in data["by_kind"]]
        )
        _csv_or_table(
            rows, [Column("group", "group"), Column("name", "name"), *stat_columns], "csv", ""
        )
        return
    heading(f"Satisfaction {span.label}")
    total = data["total"]
    if not total["responses"]:
        print("No satisfaction responses in this period.")
        return
    labels = {5: "5 高度满意", 4: "4 一般满意", 3: "3 无意见", 2: "2 有些不满意", 1: "1 极不满意"}
    most = max(total["distribution"].values())
    width = max(cell_width(v) for v in labels.values())
    for k in LEVELS:
        n = total["distribution"][str(k)]
        print(f"  {pad(labels[k], width)}  {n:>5}  {bar(n, most)}")
    avg = total["average"]
    print(
        f"  responses {total['responses']}, average {avg:.2f}, satisfied "
        f"{total['satisfied_pct']}%" + (f", NPS {total['nps']}" if total["nps"] is not None else "")
    )
    for title, key, rows in (
        ("By period", "period", data["by_period"]),
        ("By staff", "staff", data["by_staff"]),
        ("By event kind", "kind", data["by_kind"]),
    ):
        print()
        _csv_or_table(
            rows,
            [
                Column(key, title.split()[-1].capitalize()),
                *stat_columns,
                Column("bar", "", value=lambda r: bar(r["average"] or 0, 5, 15)),
            ],
            "table",
            title,
        )


def _level(k: int) -> Any:
    return lambda r: r["distribution"][str(k)]


@app.command("categories")
def categories_cmd(
    ctx: typer.Context,
    start: From = None,
    end: To = None,
    period: PeriodOpt = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Complaints by category against the previous period, as a Pareto chart.

    \b
    Example:
      followup report categories --period quarter
    """
    from followup_cli.render import Column
    from followup_cli.reports.categories import categories_report

    session = open_session(ctx)
    span = _period(session, start, end, period)
    report = categories_report(session, span, period)
    if fmt == Format.json:
        _emit_json(report.to_dict())
        return
    from dataclasses import asdict

    from followup_cli.render import bar

    rows = [asdict(r) for r in report.rows]
    top = max((r["count"] for r in rows), default=0)
    columns = [
        Column("category", "Category"),
        Column("count", "Now", justify="right"),
        Column("previous", "Before", justify="right"),
        Column("change", "Change", justify="right", value=lambda r: f"{r['change']:+d}"),
        Column("status", "Trend"),
        Column("share_pct", "Share %", justify="right"),
        Column("cumulative_pct", "Cum. %", justify="right"),
    ]
    if fmt == Format.table:
        columns.append(Column("bar", "", value=lambda r: bar(r["count"], top, 20)))
    _csv_or_table(
        rows,
        columns,
        fmt.value,
        f"Complaints by category {span.label} ({report.total}) vs "
        f"{report.previous.label} ({report.previous_total})",
        "No complaints in either period.",
    )


@app.command("staff")
def staff_cmd(
    ctx: typer.Context,
    start: From = None,
    end: To = None,
    period: PeriodOpt = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Each staff member's callback record: assigned, done, on time, overdue, satisfaction.

    \b
    Example:
      followup report staff --from 2026-10-01 --to 2026-10-31
    """
    from followup_cli.render import Column
    from followup_cli.reports.staff import staff_report

    session = open_session(ctx)
    span = _period(session, start, end, period)
    report = staff_report(session, span)
    if fmt == Format.json:
        _emit_json(report.to_dict())
        return
    columns = [
        Column("staff", "Staff"),
        Column("role", "Role"),
        Column("assigned", "Assigned", justify="right"),
        Column("done", "Done", justify="right"),
        Column("done_on_time", "On time", justify="right"),
        Column("on_time_pct", "On time %", justify="right"),
        Column("overdue_now", "Overdue now", justify="right"),
        Column("calls", "Calls", justify="right"),
        Column("reached", "Reached", justify="right"),
        Column("events", "Jobs", justify="right"),
        Column("avg_satisfaction", "Avg sat.", justify="right"),
        Column("complaints", "Complaints", justify="right"),
    ]
    _csv_or_table(
        report.rows, columns, fmt.value, f"Staff callback record {span.label}", "No staff."
    )


@app.command("warnings")
def warnings_cmd(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Early warnings per customer; core and important customers' are emergencies.

    \b
    Example:
      followup report warnings --format json
    """
    from followup_cli.early_warning import list_warnings
    from followup_cli.render import Column

    session = open_session(ctx)
    warnings = list_warnings(session)
    days = int(session.config["warnings"]["tickets_in_days"])
    records = [{**w.to_dict(), "text": "; ".join(w.describe(days))} for w in warnings]
    if fmt == Format.json:
        _emit_json({"report": "warnings", "date": session.today.isoformat(), "warnings": records})
        return
    columns = [
        Column("emergency", "Emergency", value=lambda r: "EMERGENCY" if r["emergency"] else ""),
        Column("code", "Customer"),
        Column("name", "Name"),
        Column("tier", "Tier"),
        Column("text", "Indicators"),
        Column("route", "Report to", value=lambda r: f"{r['role']} {r['person'] or '(nobody)'}"),
    ]
    _csv_or_table(
        records,
        columns,
        fmt.value,
        f"Early warnings on {session.today.isoformat()}: {len(records)}",
        "No customer trips a warning indicator.",
    )


@app.command("discrepancies")
def discrepancies_cmd(
    ctx: typer.Context,
    start: From = None,
    end: To = None,
    period: PeriodOpt = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Callbacks that contradict the service record, or a level-2 check contradicting level 1.

    \b
    Example:
      followup report discrepancies --from 2026-11-01
    """
    from dataclasses import asdict

    from followup_cli.render import Column
    from followup_cli.reports.discrepancies import discrepancies_report

    session = open_session(ctx)
    span = _period(session, start, end, period)
    report = discrepancies_report(session, span)
    if fmt == Format.json:
        _emit_json(report.to_dict())
        return
    columns = [
        Column("call_day", "Day"),
        Column("kind", "Kind"),
        Column("customer_code", "Customer"),
        Column("customer_name", "Name"),
        Column("event", "Event"),
        Column("staff", "Staff"),
        Column("reported", "Record says"),
        Column("customer_said", "Customer says"),
        Column("caller", "Caller"),
    ]
    _csv_or_table(
        [asdict(r) for r in report.rows],
        columns,
        fmt.value,
        f"Discrepancies {span.label}: {len(report.rows)}",
        "No discrepancies: callbacks agree with the records.",
    )
