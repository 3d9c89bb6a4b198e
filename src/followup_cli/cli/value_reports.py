"""`followup report visits` and `followup report value` (issue 18, seeds 003 and 004):
key accounts' visit reports and their review; customers ranked by value with the grade
it suggests. Registered in the report group (cli/report_cmd.py)."""

from typing import Annotated, Any

import typer

from followup_cli.cli.common import Format, FormatOption, WideOption
from followup_cli.cli.state import open_session, parse_date_option
from followup_cli.domain.fields import amount_text
from followup_cli.render.output import Column, print_records
from followup_cli.support.i18n import _

Months = Annotated[
    int | None,
    typer.Option(
        "--months",
        min=1,
        max=120,
        help="The window: the last N months (default: `[value] months`, 12).",
    ),
]


def visits_cmd(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="First day (default: 30 days ago).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (default: today).")] = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """Key accounts' visit reports: findings, and who reviewed them (seed 003).

    Visits and calls with findings to grades 1–3 (`[visit_reports] tiers`), oldest
    first; a report nobody reviewed within a week of the call (`review_within_days`) is
    overdue. Review one with `followup call review ID --by STAFF`.

    \b
    Example:
      followup report visits --from 2026-11-01 --to 2026-11-30
    """

    # Only this report loads its module (the report group loads all its commands).
    from followup_cli.domain.reports.visits import visits_report

    session = open_session(ctx)
    report = visits_report(
        session, parse_date_option("--from", start), parse_date_option("--to", end)
    )
    columns = [
        Column("call_id", _("Call"), justify="right", priority=1),
        Column("at", _("At"), value=lambda r: session.shown_time(r["at"]), priority=2),
        Column("customer_code", _("Customer"), priority=3),
        Column("customer_name", _("Name"), wrap=True, priority=8),
        Column("grade", _("Grade"), justify="right", priority=9),
        Column("caller", _("By"), priority=6),
        Column("channel", _("Channel"), kind="call_channel", priority=10),
        Column("findings", _("Findings"), wrap=True, priority=5),
        Column("review", _("Review"), kind="review", priority=4),
        Column("reviewed_by", _("Reviewer"), priority=7),
        Column("review_note", _("Guidance"), wrap=True, priority=11),
    ]
    title = _(
        "Visit reports {start} – {end}: {n}, {waiting} waiting for review, {overdue} overdue"
        " (over {days} days)"
    ).format(
        start=report.since,
        end=report.until,
        n=len(report.rows),
        waiting=report.waiting,
        overdue=report.overdue,
        days=report.review_within_days,
    )
    print_records(
        [r.to_dict() for r in report.rows],
        columns,
        fmt.value,
        title=title,
        empty=_("No key-account visits in this period."),
        json_data=report.to_dict(),
    )


def value_cmd(
    ctx: typer.Context,
    months: Months = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """Customers ranked by the amount of their events, with a suggested grade (seed 004).

    The top 5 percent of the customers with an amount get grade 1, the next 15 percent
    grade 2, the next 20 percent grade 3, the rest grade 4, and those with none in the
    window grade 5 (`[value]` in the config). `followup customer regrade` applies the suggestions.

    \b
    Example:
      followup report value --months 12
    """

    # Only this report loads its module (the report group loads all its commands).
    from followup_cli.domain.reports.value import value_report

    session = open_session(ctx)
    report = value_report(session, months)
    columns = value_columns()
    title = _(
        "Customers by value {start} – {end} ({months} months): {n} with an amount, {total} yuan"
    ).format(
        start=report.since,
        end=report.until,
        months=report.months,
        n=report.ranked,
        total=amount_text(report.total),
    )
    records = [r.to_dict() for r in report.rows]
    if fmt == Format.table and not report.ranked:
        title += "\n" + _(
            "No event in the window has an amount: record them with `event add --amount`."
        )
    print_records(
        records,
        columns,
        fmt.value,
        title=title,
        empty=_("No customers."),
        json_data=report.to_dict(),
    )


def value_columns() -> list[Column]:
    def change(r: dict[str, Any]) -> str:
        """↑ a better grade (a smaller number), ↓ a lower one."""
        if not r["changes"]:
            return ""
        return "↑" if r["suggested"] < r["grade"] else "↓"

    return [
        Column("rank", _("Rank"), justify="right", priority=1),
        Column("code", _("Customer"), priority=2),
        Column("name", _("Name"), wrap=True, priority=7),
        Column(
            "amount",
            _("Amount"),
            value=lambda r: amount_text(r["amount"]) if r["rank"] else "",
            justify="right",
            priority=3,
        ),
        Column("share_pct", _("Share %"), justify="right", priority=6),
        Column("cumulative_pct", _("Cum. %"), justify="right", priority=8),
        Column("grade", _("Grade"), justify="right", priority=4),
        Column("suggested", _("Suggested"), justify="right", priority=5),
        Column("changes", _("Change"), value=change, priority=5),
    ]
