"""`followup customer regrade`: grades from value (seed 004, "这前20%的客户就是关键客户"),
registered in the customer group (cli/customer_cmd.py)."""

from typing import Annotated

import typer

from followup_cli.cli.common import ByOption, Format, FormatOption
from followup_cli.cli.state import acting_session
from followup_cli.cli.value_reports import Months
from followup_cli.domain.fields import amount_text
from followup_cli.render.output import Column, print_records
from followup_cli.support.errors import UsageError
from followup_cli.support.i18n import _


def regrade_cmd(
    ctx: typer.Context,
    apply: Annotated[
        bool, typer.Option("--apply", help="Set the suggested grades and plan again.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the changes without writing anything.")
    ] = False,
    months: Months = None,
    by: ByOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Set each customer's grade to the one their value suggests (`report value`).

    Give --dry-run to list the changes, --apply to make them: each is written in the
    customer's history, and their visits and greetings are planned again for the new
    grade, as `customer edit --grade` does. Refused when no event in the window has an
    amount.

    \b
    Example:
      followup customer regrade --dry-run
      followup customer regrade --apply --by 吴刚
    """

    if apply == dry_run:
        raise UsageError(
            _("give --apply to change the grades or --dry-run to list the changes (one of them)")
        )
    # Only a regrade loads the value report and the planner behind it.
    from followup_cli.domain.customers.regrade import regrade_customers

    session = acting_session(ctx, by)
    result = regrade_customers(session, apply=apply, months=months)
    records = [
        {
            **c.to_dict(),
            "amount": c.amount
            if fmt == Format.json
            else (amount_text(c.amount) if c.rank else None),
        }
        for c in result.changes
    ]
    columns = [
        Column("code", _("Customer"), priority=1),
        Column("name", _("Name"), wrap=True, priority=6),
        Column("old", _("Grade"), justify="right", priority=2),
        Column("new", _("New grade"), justify="right", priority=3),
        Column("rank", _("Rank"), justify="right", priority=5),
        Column("amount", _("Amount"), justify="right", priority=4),
    ]
    report = result.report
    window = {"start": report.since, "end": report.until}
    if result.applied:
        title = _("Grades set from value {start} – {end}: {n} changed").format(
            n=len(records), **window
        )
    else:
        title = _("Grades value suggests {start} – {end}: {n} would change (dry run)").format(
            n=len(records), **window
        )
    print_records(
        records, columns, fmt.value, title=title, empty=_("Every grade already fits the value.")
    )
