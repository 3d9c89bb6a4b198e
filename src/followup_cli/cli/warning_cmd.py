"""`followup warning ...`: record the measure taken on an early warning (seed 001:
"各级人员接到各种预警报告后，应及时提出处理办法及措施")."""

from typing import Annotated

import typer

from followup_cli.cli.common import ByOption, Format, FormatOption, new_app
from followup_cli.cli.state import acting_session, checked
from followup_cli.domain import fields
from followup_cli.domain.complaints.early_warning import acknowledge, warning_id_arg
from followup_cli.render.output import message, to_json
from followup_cli.support.i18n import _

app = new_app(
    "Early warnings: record the measure taken (see `followup report warnings`).",
    'followup warning ack 12 --by 吴刚 --action "已安排上门拜访，更换液压泵"',
    'followup warning ack 3 --action "本周内电话回访，确认维修结果" --format json',
)


@app.callback()
def warning_group() -> None:
    """Early warnings: record the measure taken (see `followup report warnings`)."""


@app.command("ack")
def ack_cmd(
    ctx: typer.Context,
    warning: Annotated[str, typer.Argument(help="The warning's id (`followup report warnings`).")],
    action: Annotated[
        str | None, typer.Option("--action", help="The measure taken (处理办法及措施).")
    ] = None,
    by: ByOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Acknowledge a warning: who took it on and the measure taken.

    An emergency nobody acknowledges within the working days the config sets
    (`warnings.ack_days`) climbs to the next person on its route (`escalate --auto`).

    \b
    Example:
      followup warning ack 12 --by 吴刚 --action "已安排上门拜访，更换液压泵"
    """

    warning_id = checked(warning_id_arg, warning, arguments=("warning",))
    measure = checked(fields.required_text, action, "action", max_length=fields.MAX_TEXT)
    session = acting_session(ctx, by)
    row = acknowledge(session, warning_id, measure)
    if fmt == Format.json:
        print(to_json(row))
        return
    message(
        _("Warning #{id} acknowledged by {person}: {action}").format(
            id=warning_id, person=row["acknowledged_by"], action=row["action"]
        )
    )
