"""`followup call ...`: logged calls; a supervisor's review of a visit report (seed 003:
"主管领导审阅…对…大客户回访报告表进行审查，并提出指导意见")."""

from typing import Annotated

import typer

from followup_cli.cli.common import ByOption, Format, FormatOption, new_app
from followup_cli.cli.state import acting_session, checked
from followup_cli.domain import fields
from followup_cli.domain.calls.reviews import check_review_note, review_call
from followup_cli.render.output import message, to_json
from followup_cli.support.i18n import _

app = new_app(
    "Logged calls: a supervisor's review of a visit report.",
    'followup call review 12 --by 吴刚 --note "报价前先确认二期工期"',
    "followup call review 12 --by 吴刚 --format json",
)


@app.callback()
def call_group() -> None:
    """Logged calls: a supervisor's review of a visit report."""


def call_id_arg(value: str) -> int:
    """A call's id as typed: 12 or #12."""
    return fields.record_id("call", value, _("a call number like 12 or #12"))


@app.command("review")
def review_cmd(
    ctx: typer.Context,
    call: Annotated[str, typer.Argument(help="The call's id (`followup report visits`).")],
    note: Annotated[
        str | None, typer.Option("--note", help="The reviewer's guidance (指导意见), as written.")
    ] = None,
    by: ByOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Review a visit report: a visit's or a key account's call, with its findings.

    By a staff member holding a reviewing role (`[visit_reports] reviewer_roles`:
    service_supervisor, sales_manager, branch_gm, gm by default), not the caller;
    once per call. `followup report visits` lists the reports waiting for review.

    \b
    Example:
      followup call review 12 --by 吴刚 --note "报价前先确认二期工期"
    """

    call_id = checked(call_id_arg, call, arguments=("call",))
    checked(check_review_note, note)
    session = acting_session(ctx, by)
    review = review_call(session, call_id, note)
    if fmt == Format.json:
        print(to_json(review.to_dict()))
        return
    message(
        _("Call #{id} to {code} {name} reviewed by {person}").format(
            id=review.call_id,
            code=review.customer_code,
            name=review.customer_name,
            person=review.reviewed_by,
        )
    )
