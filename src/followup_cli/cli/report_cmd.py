"""`followup report ...`: routine and emergency reports for managers and cron."""

from dataclasses import asdict
from typing import Annotated, Any

import typer

from followup_cli.cli.common import Format, FormatOption, WideOption, new_app
from followup_cli.cli.state import open_session, parse_date_option
from followup_cli.cli.value_reports import value_cmd, visits_cmd
from followup_cli.domain.callbacks.daily_roll import roll_forward
from followup_cli.domain.reports.categories import categories_report
from followup_cli.domain.reports.complaints import complaints_report
from followup_cli.domain.reports.daily import daily_report
from followup_cli.domain.reports.discrepancies import discrepancies_report
from followup_cli.domain.reports.period import resolve_period
from followup_cli.domain.reports.satisfaction import LEVELS, satisfaction_report
from followup_cli.domain.reports.staff import staff_report
from followup_cli.domain.reports.warnings import current_warnings, routine_report
from followup_cli.domain.texts import render
from followup_cli.domain.vocabulary import satisfaction_label
from followup_cli.render.csv_writer import NumberText
from followup_cli.render.output import (
    Column,
    bar,
    cell_width,
    heading,
    message,
    pad,
    paragraph,
    print_records,
    to_json,
)
from followup_cli.support.i18n import _, label

app = new_app(
    "Reports: daily, complaints, satisfaction, staff, categories...",
    "followup report daily",
    "followup report complaints --format csv > complaints.csv",
    "followup report satisfaction --period quarter",
)

From = Annotated[str | None, typer.Option("--from", help="First day (default: period start).")]
To = Annotated[str | None, typer.Option("--to", help="Last day (default: today).")]
PeriodOpt = Annotated[
    str | None, typer.Option("--period", help="month or quarter: buckets and comparison.")
]


def _period(session: Any, start: str | None, end: str | None, unit: str | None) -> Any:
    return resolve_period(
        session.today, parse_date_option("--from", start), parse_date_option("--to", end), unit
    )


def _emit_json(data: Any) -> None:
    print(to_json(data))


def _csv_or_table(
    records: list[dict[str, Any]],
    columns: list[Any],
    fmt: str,
    title: str,
    empty: str | None = None,
) -> None:
    print_records(records, columns, fmt, title=title, empty=_("None.") if empty is None else empty)


def _localized(key: str) -> Any:
    """A column value: a generated text (a reason, a warning) rendered in the interface
    language; a text a person typed, as typed."""

    return lambda r: render(r[key])


@app.command("daily")
def daily_cmd(
    ctx: typer.Context, fmt: FormatOption = Format.table, wide: WideOption = False
) -> None:
    """The morning report for cron mail: work due by assignee, breaches, escalations, warnings.

    With --format csv every part is in one file: its first column, section, says which
    part a row belongs to (summary, assignee, breach, escalation, reported or warning), as the
    JSON's keys do.

    \b
    Example:
      followup escalate --auto >/dev/null && followup report daily | mail -s 回访日报 office
    """

    session = open_session(ctx)
    roll_forward(session)
    report = daily_report(session)
    if fmt == Format.json:
        _emit_json(report.to_dict())
        return
    if fmt == Format.csv:
        rows, columns = _daily_sections(report)
        _csv_or_table(rows, columns, "csv", "")
        return
    heading(_("Daily report {date}").format(date=report.day.isoformat()))
    paragraph(
        _(
            "Customers to contact: {customers}; callbacks due today {due}, overdue {overdue}; "
            "emergency warnings open: {emergencies}"
        ).format(
            customers=report.customers_due,
            due=report.callbacks_due,
            overdue=report.callbacks_overdue,
            emergencies=report.emergencies_open,
        )
    )
    print()
    _csv_or_table(
        report.by_assignee,
        _assignee_columns(Column),
        "table",
        _("Due by assignee"),
        _("Nothing due."),
    )
    print()
    _csv_or_table(
        report.breaches,
        [
            Column("ticket_id", _("Ticket"), justify="right", priority=1),
            Column("customer_code", _("Customer"), priority=2),
            Column("customer_name", _("Name"), wrap=True, priority=5),
            Column("severity", _("Severity"), kind="severity", priority=6),
            Column("status", _("Status"), kind="ticket_status", priority=7),
            Column("due_by", _("Due by"), priority=3),
            Column("with", _("Escalated to"), value=lambda r: label("role", r["with"]), priority=4),
            Column("summary", _("Summary"), value=_localized("summary"), wrap=True, priority=8),
        ],
        "table",
        _("SLA breaches"),
        _("No SLA breaches."),
    )
    print()
    _csv_or_table(
        report.escalations,
        [
            Column("ticket_id", _("Ticket"), justify="right", priority=1),
            Column("customer_code", _("Customer"), priority=2),
            Column("customer_name", _("Name"), wrap=True, priority=6),
            Column("role", _("Role"), kind="role", priority=4),
            Column("staff", _("Escalated to"), priority=3),
            Column("reason", _("Why"), value=_localized("reason"), wrap=True, priority=5),
        ],
        "table",
        _("Escalations today"),
        _("No escalations today."),
    )
    print()
    _csv_or_table(
        report.reported,
        [
            Column("ticket_id", _("Ticket"), justify="right", priority=1),
            Column("customer_code", _("Customer"), priority=2),
            Column("customer_name", _("Name"), wrap=True, priority=6),
            Column("severity", _("Severity"), kind="severity", priority=5),
            Column(
                "reported_to",
                _("Reported to"),
                value=lambda r: r["reported_to"] or render(r["note"]),
                wrap=True,
                priority=3,
            ),
            Column("owner", _("Owner"), priority=4),
            Column("summary", _("Summary"), value=_localized("summary"), wrap=True, priority=7),
        ],
        "table",
        _("New complaints, reported at once"),
        _("No new complaints today."),
    )
    print()
    _csv_or_table(
        report.warnings,
        [
            Column("customer_code", _("Customer"), priority=1),
            Column("customer_name", _("Name"), wrap=True, priority=5),
            Column("role", _("To role"), kind="role", priority=4),
            Column("staff", _("Person"), priority=2),
            Column("reason", _("Warning"), value=_localized("reason"), wrap=True, priority=3),
        ],
        "table",
        _("New emergency warnings"),
        _("No new emergency warnings."),
    )
    if report.failed_notices:  # (a section only when some notice gave up)
        print()
        _csv_or_table(
            report.failed_notices,
            [
                Column("id", "#", justify="right", priority=1),
                Column("recipient", _("Recipient"), priority=2),
                Column("channel", _("Channel"), kind="channel", priority=3),
                Column("text", _("Notice"), value=_localized("text"), wrap=True, priority=4),
                Column("last_error", _("Last error"), wrap=True, priority=5),
            ],
            "table",
            _("Notices that failed (nobody heard of them: `followup notify list --status failed`)"),
            "",
        )


# The daily report as one CSV: every section of its JSON, each row saying which it
# belongs to in its first column, `section` (as `report satisfaction` says `group`).
DAILY_SECTIONS = (
    (
        "summary",
        ("date", "customers_due", "callbacks_due", "callbacks_overdue", "emergencies_open"),
    ),
    ("assignee", ("assignee", "customers", "due_today", "overdue")),
    (
        "breach",
        ("ticket_id", "customer_code", "customer_name", "severity", "status", "due_by", "with"),
    ),
    ("escalation", ("ticket_id", "customer_code", "customer_name", "role", "staff", "reason")),
    (
        "reported",
        ("ticket_id", "customer_code", "customer_name", "severity", "reported_to", "owner", "note"),
    ),
    ("warning", ("customer_code", "customer_name", "role", "staff", "reason")),
    (
        "failed_notice",
        (
            "notice_id",
            "cause",
            "ticket_id",
            "customer_code",
            "recipient",
            "channel",
            "attempts",
            "last_error",
            "text",
        ),
    ),  # fmt: skip
)
_GENERATED = {"assignee", "summary", "reason", "note"}  # texts stored as message codes


def _daily_sections(report: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    """The rows and columns of `report daily --format csv`: a `section` column, then
    every column any section has (empty where a section has none)."""
    data = report.to_dict()
    summary = {key: data[key] for key in DAILY_SECTIONS[0][1]}
    sections = {
        "summary": [summary],
        "assignee": report.by_assignee,
        "breach": report.breaches,
        "escalation": report.escalations,
        "reported": report.reported,
        "warning": report.warnings,
        # (the JSON's names: id, ticket, customer; here as the other sections name them)
        "failed_notice": [
            {"notice_id": n["id"], "ticket_id": n["ticket"], "customer_code": n["customer"], **n}
            for n in report.failed_notices
        ],
    }
    keys: list[str] = []
    for _name, names in DAILY_SECTIONS:
        keys += [k for k in names if k not in keys]
    keys.insert(keys.index("with") + 1, "summary")
    rows = [{"section": name, **row} for name, _names in DAILY_SECTIONS for row in sections[name]]

    def cell(key: str) -> Any:
        def value(r: dict[str, Any]) -> Any:
            found = r.get(key)
            if found is None:
                return ""
            return render(found) if key in _GENERATED else found

        return value

    return rows, [Column("section", "section")] + [Column(k, k, value=cell(k)) for k in keys]


def _assignee_columns(Column: Any) -> list[Any]:
    return [
        Column("assignee", _("Assignee"), value=_localized("assignee"), wrap=True),
        Column("customers", _("Customers"), justify="right"),
        Column("due_today", _("Due today"), justify="right"),
        Column("overdue", _("Overdue"), justify="right"),
    ]


@app.command("complaints")
def complaints_cmd(
    ctx: typer.Context, fmt: FormatOption = Format.table, wide: WideOption = False
) -> None:
    """Unresolved complaints: age, SLA state, escalation, owner, whether the customer was told.

    \b
    Example:
      followup report complaints --format csv > complaints.csv
    """

    session = open_session(ctx)
    report = complaints_report(session)
    if fmt == Format.json:
        _emit_json(report.to_dict())
        return
    columns = [
        Column("ticket_id", _("ID"), justify="right", priority=1),
        Column("customer_code", _("Customer"), priority=2),
        Column("customer_name", _("Name"), wrap=True, priority=9),
        Column("tier", _("Tier"), kind="tier", priority=12),
        Column("age_days", _("Age"), justify="right", priority=3),
        Column("severity", _("Severity"), kind="severity", priority=5),
        Column("category", _("Category"), kind="category", priority=11),
        Column("sla", _("SLA"), value=_localized("sla"), wrap=True, priority=4),
        Column(
            "escalation",
            _("Escalated to"),
            value=lambda r: (
                f"L{r['escalation_level']} {label('role', r['escalated_role'])}"
                f" {r['escalated_to'] or ''}"
            ).strip(),
            wrap=True,
            priority=8,
        ),
        Column("owner", _("Owner"), priority=7),
        Column("told", _("Told"), priority=10),
        Column("summary", _("Summary"), value=_localized("summary"), wrap=True, priority=6),
    ]
    _csv_or_table(
        report.tickets,
        columns,
        fmt.value,
        _("Unresolved complaints on {date}: {n}").format(
            date=report.day.isoformat(), n=len(report.tickets)
        ),
        _("No unresolved complaints."),
    )


@app.command("satisfaction")
def satisfaction_cmd(
    ctx: typer.Context,
    start: From = None,
    end: To = None,
    period: PeriodOpt = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """Satisfaction: distribution over the five levels, average, share satisfied, NPS.

    By month (or quarter), by staff and by event kind, with a bar chart.

    \b
    Example:
      followup report satisfaction --from 2026-07-01 --period quarter
    """

    session = open_session(ctx)
    span = _period(session, start, end, period)
    report = satisfaction_report(session, span, period or "month")
    data = report.to_dict()
    if fmt == Format.json:
        _emit_json(data)
        return
    stat_columns = [
        Column("responses", _("Responses"), justify="right", priority=2),
        *[
            Column(
                f"d{k}",
                str(k),
                justify="right",
                value=_level(k),
                priority=10 - k,
                carries=f"distribution_{k}",
            )
            for k in LEVELS
        ],
        Column(
            "average",
            _("Average"),
            justify="right",
            value=lambda r: "" if r["average"] is None else f"{r['average']:.2f}",
            priority=3,
        ),
        Column("satisfied_pct", _("Satisfied %"), justify="right", priority=4),
        Column("nps", _("NPS"), justify="right", priority=10),
    ]
    if fmt == Format.csv:
        # Each group's own key (period, staff, kind) is its row's `name`.
        rows = [{"group": "total", "name": "all", **data["total"]}] + [
            {"group": group, "name": r[group], **{k: v for k, v in r.items() if k != group}}
            for group in ("period", "staff", "kind")
            for r in data[f"by_{group}"]
        ]
        _csv_or_table(
            rows, [Column("group", "group"), Column("name", "name"), *stat_columns], "csv", ""
        )
        return
    heading(_("Satisfaction {period}").format(period=span.label))
    total = data["total"]
    if not total["responses"]:
        message(_("No satisfaction responses in this period."))
        return
    labels = {k: satisfaction_label(k) for k in LEVELS}
    most = max(total["distribution"].values())
    width = max(cell_width(v) for v in labels.values())
    for k in LEVELS:
        n = total["distribution"][str(k)]
        print(f"  {pad(labels[k], width)}  {n:>5}  {bar(n, most)}")
    avg = total["average"]
    summary = _("responses {n}, average {average}, satisfied {pct}%").format(
        n=total["responses"], average=f"{avg:.2f}", pct=total["satisfied_pct"]
    )
    if total["nps"] is not None:
        summary = _("{summary}, NPS {nps}").format(summary=summary, nps=total["nps"])
    message(f"  {summary}")
    # NPS needs recommend answers (log-call --recommend): without any, no NPS column.
    if total["nps"] is None:
        stat_columns = [c for c in stat_columns if c.key != "nps"]
    for title, key, header, kind in (
        (_("By period"), "period", _("Period"), None),
        (_("By staff"), "staff", _("Staff"), None),
        (_("By event kind"), "kind", _("Kind"), "event_kind"),
    ):
        print()
        _csv_or_table(
            data[f"by_{key}"],
            [
                Column(key, header, kind=kind, wrap=True, priority=1),
                *stat_columns,
                Column(
                    "bar",
                    _("Average (chart)"),
                    value=lambda r: bar(r["average"] or 0, 5, 15),
                    priority=11,
                ),
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
    wide: WideOption = False,
) -> None:
    """Complaints by category against the previous period, as a Pareto chart.

    \b
    Example:
      followup report categories --period quarter
    """

    session = open_session(ctx)
    span = _period(session, start, end, period)
    report = categories_report(session, span, period)
    if fmt == Format.json:
        _emit_json(report.to_dict())
        return

    rows = [asdict(r) for r in report.rows]
    top = max((r["count"] for r in rows), default=0)
    columns = [
        Column("category", _("Category"), kind="category", priority=1),
        Column("count", _("Now"), justify="right", priority=2),
        Column("previous", _("Before"), justify="right", priority=3),
        Column(
            "change",
            _("Change"),
            justify="right",
            value=lambda r: NumberText(f"{r['change']:+d}"),  # a signed figure, not a formula
            priority=4,
        ),
        Column("status", _("Trend"), kind="trend", priority=5),
        Column("share_pct", _("Share %"), justify="right", priority=6),
        Column("cumulative_pct", _("Cum. %"), justify="right", priority=7),
    ]
    if fmt == Format.table:
        columns.append(
            Column("bar", _("Count (chart)"), value=lambda r: bar(r["count"], top, 20), priority=8)
        )
    _csv_or_table(
        rows,
        columns,
        fmt.value,
        _("Complaints by category {period} ({n}) vs {previous} ({previous_n})").format(
            period=span.label,
            n=report.total,
            previous=report.previous.label,
            previous_n=report.previous_total,
        ),
        _("No complaints in either period."),
    )


@app.command("staff")
def staff_cmd(
    ctx: typer.Context,
    start: From = None,
    end: To = None,
    period: PeriodOpt = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """Each staff member's callback record: assigned, done, on time, overdue, satisfaction.

    \b
    Example:
      followup report staff --from 2026-10-01 --to 2026-10-31
    """

    session = open_session(ctx)
    span = _period(session, start, end, period)
    report = staff_report(session, span)
    if fmt == Format.json:
        _emit_json(report.to_dict())
        return
    columns = [
        Column("staff", _("Staff"), priority=1),
        Column("role", _("Role"), kind="role", priority=12),
        Column("assigned", _("Assigned"), justify="right", priority=2),
        Column("done", _("Done"), justify="right", priority=3),
        Column("done_on_time", _("On time"), justify="right", priority=10),
        Column("on_time_pct", _("On time %"), justify="right", priority=4),
        Column("overdue_now", _("Overdue now"), justify="right", priority=5),
        Column("calls", _("Calls"), justify="right", priority=6),
        Column("reached", _("Reached"), justify="right", priority=7),
        Column("events", _("Jobs"), justify="right", priority=11),
        Column("avg_satisfaction", _("Avg sat."), justify="right", priority=8),
        Column("complaints", _("Complaints"), justify="right", priority=9),
    ]
    _csv_or_table(
        report.rows,
        columns,
        fmt.value,
        _("Staff callback record {period}").format(period=span.label),
        _("No staff."),
    )


@app.command("warnings")
def warnings_cmd(
    ctx: typer.Context,
    start: From = None,
    end: To = None,
    period: PeriodOpt = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """Early warnings: office-wide indicators first, then each customer's, with an id.

    Each names its level (approaching, breach, emergency), who must act and what was
    done (`followup warning ack`). With --period (or --from/--to) it is the routine
    report: per month or quarter, the breaches and approaches raised and cleared.

    \b
    Examples:
      followup report warnings --format json
      followup report warnings --period quarter
    """

    session = open_session(ctx)
    if period is not None or start is not None or end is not None:
        _routine_warnings(session, _period(session, start, end, period), period or "month", fmt)
        return
    records = current_warnings(session)
    if fmt == Format.json:
        _emit_json({"report": "warnings", "date": session.today.isoformat(), "warnings": records})
        return
    _csv_or_table(
        records,
        _warning_columns(),
        fmt.value,
        _("Early warnings on {date}: {n}").format(date=session.today.isoformat(), n=len(records)),
        _("No customer trips a warning indicator."),
    )


def _warning_columns(*first: Column) -> list[Column]:
    return [
        *first,
        Column("id", _("ID"), justify="right", priority=1),
        Column("level", _("Level"), kind="warning_level", priority=2),
        Column("code", _("Customer"), value=lambda r: r["code"] or _("(office)"), priority=3),
        Column("name", _("Name"), wrap=True, priority=9),
        Column("tier", _("Tier"), kind="tier", priority=10),
        Column("text", _("Indicator"), value=_localized("text"), wrap=True, priority=4),
        Column("route", _("Responsible"), value=_responsible, wrap=True, priority=5),
        Column("status", _("Status"), kind="warning_status", priority=6),
        Column("action", _("Measure taken"), value=_measure, wrap=True, priority=8),
    ]


def _responsible(r: dict[str, Any]) -> str:
    role = label("role", r["role"]) if r["role"] else ""
    return f"{role} {r['responsible'] or _('(nobody)')}".strip()


def _measure(r: dict[str, Any]) -> str:
    if not r["acknowledged_by"]:
        return ""
    return f"{r['acknowledged_by']}: {r['action']}"


def _routine_warnings(session: Any, span: Any, unit: str, fmt: Format) -> None:
    periods = routine_report(session, span, unit)
    if fmt == Format.json:
        _emit_json(
            {
                "report": "warnings",
                "date": session.today.isoformat(),
                "period": span.as_dict(),
                "unit": unit,
                "periods": [p.to_dict() for p in periods],
            }
        )
        return
    rows = [{**w, "period": p.label} for p in periods for w in p.warnings]
    if fmt == Format.table:
        for p in periods:
            print(
                _("{period}: breaches {nb} new, {cb} cleared; approaches {na} new, {ca} cleared")
                .format(
                    period=p.label,
                    nb=p.counts["new_breaches"],
                    cb=p.counts["cleared_breaches"],
                    na=p.counts["new_approaches"],
                    ca=p.counts["cleared_approaches"],
                )
            )  # fmt: skip
    _csv_or_table(
        rows,
        _warning_columns(
            Column("period", _("Period"), priority=1),
            Column("change", _("Change"), kind="warning_change", priority=1),
        ),
        fmt.value,
        _("Routine warning report {period}").format(period=span.label),
        _("No warning raised or cleared in the period."),
    )


@app.command("discrepancies")
def discrepancies_cmd(
    ctx: typer.Context,
    start: From = None,
    end: To = None,
    period: PeriodOpt = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """Callbacks that contradict the service record, or a level-2 check contradicting level 1.

    \b
    Example:
      followup report discrepancies --from 2026-11-01
    """

    session = open_session(ctx)
    span = _period(session, start, end, period)
    report = discrepancies_report(session, span)
    if fmt == Format.json:
        _emit_json(report.to_dict())
        return
    columns = [
        Column("call_day", _("Day"), priority=1),
        Column("kind", _("Kind"), kind="discrepancy", priority=3),
        Column("customer_code", _("Customer"), priority=2),
        Column("customer_name", _("Name"), wrap=True, priority=8),
        Column("event", _("Event"), value=_event_text, wrap=True, priority=6),
        Column("staff", _("Staff"), priority=7),
        Column("reported", _("Record says"), value=_localized("reported"), wrap=True, priority=4),
        Column(
            "customer_said",
            _("Customer says"),
            value=_localized("customer_said"),
            wrap=True,
            priority=5,
        ),
        Column("caller", _("Caller"), priority=9),
    ]
    _csv_or_table(
        [asdict(r) for r in report.rows],
        columns,
        fmt.value,
        _("Discrepancies {period}: {n}").format(period=span.label, n=len(report.rows)),
        _("No discrepancies: callbacks agree with the records."),
    )


def _event_text(r: dict[str, Any]) -> str:
    """`service 2026-11-20 WO-8812`, its kind in the interface language."""
    text = r["event"] or ""
    kind, _sep, rest = text.partition(" ")
    return f"{label('event_kind', kind)} {rest}".strip() if kind else text


app.command("visits")(visits_cmd)
app.command("value")(value_cmd)
