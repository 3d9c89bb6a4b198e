"""`followup staff ...`: the people who call, visit, own accounts and take escalations."""

from dataclasses import asdict
from typing import Annotated

import typer

from followup_cli.cli.common import Format, FormatOption, WideOption, new_app
from followup_cli.cli.state import checked, open_session
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.staff.records import add_staff, list_staff, validate_staff
from followup_cli.render.output import Column, print_records
from followup_cli.support.i18n import _, label, pgettext

app = new_app(
    "Staff: who calls, visits and takes escalations.",
    "followup staff add 王伟 --role account_manager --department 销售部",
    "followup staff list",
    "followup staff list --role service",
)


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name (unique).")],
    role: Annotated[str, typer.Option("--role", help="Role; see `followup config show`.")],
    department: Annotated[str | None, typer.Option("--department", help="Department.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
) -> None:
    """Add a staff member with a role (clerk, service, account_manager, gm ...).

    \b
    Example:
      followup staff add 王伟 --role account_manager --department 销售部 --phone 13800138001
    """

    session = open_session(ctx)
    data = checked(validate_staff, session, name, role, department, phone)
    member = add_staff(session, data)
    print(
        _("Added staff {name} ({role})").format(name=member.name, role=label("role", member.role))
    )


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    role: Annotated[str | None, typer.Option("--role", help="Only this role.")] = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """List staff by role.

    \b
    Example:
      followup staff list --role service
    """

    session = open_session(ctx)
    if role is not None:
        role = checked(vocab.accept, "staff_role", role, "role", session.config.staff_roles)
    records = [asdict(m) for m in list_staff(session, role)]
    columns = [
        Column("name", pgettext("person", "Name")),
        Column("role", _("Role"), kind="role"),
        Column("department", _("Department"), wrap=True),
        Column("phone", _("Phone")),
    ]
    print_records(
        records, columns, fmt.value, empty=_("No staff yet: add them with `followup staff add`.")
    )
