"""`followup staff ...`: the people who call, visit, own accounts and take escalations."""

from dataclasses import asdict
from typing import Annotated

import typer

from followup_cli.cli.common import Format, FormatOption, WideOption, new_app
from followup_cli.cli.state import checked, open_session
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.staff.records import (
    add_staff,
    edit_staff,
    list_staff,
    validate_staff,
    validate_staff_edit,
)
from followup_cli.render.output import Column, print_records
from followup_cli.support.i18n import _, label, pgettext

app = new_app(
    "Staff: who calls, visits and takes escalations.",
    "followup staff add 王伟 --role account_manager --department 销售部",
    "followup staff list",
    "followup staff list --role service",
    "followup staff edit 王伟 --email wangwei@example.cn",
)


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name (unique).")],
    role: Annotated[str, typer.Option("--role", help="Role; see `followup config show`.")],
    department: Annotated[str | None, typer.Option("--department", help="Department.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Email address (where notices reach them).")
    ] = None,
) -> None:
    """Add a staff member with a role (clerk, service, account_manager, gm ...).

    \b
    Example:
      followup staff add 王伟 --role account_manager --department 销售部 --phone 13800138001
    """

    session = open_session(ctx)
    data = checked(validate_staff, session, name, role, department, phone, email)
    member = add_staff(session, data)
    print(
        _("Added staff {name} ({role})").format(name=member.name, role=label("role", member.role))
    )


@app.command("edit")
def edit_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The staff member's name.")],
    department: Annotated[str | None, typer.Option("--department", help="Department.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", help='Email address (where notices reach them); "" clears it.'),
    ] = None,
) -> None:
    """Change a staff member's department, phone or email.

    \b
    Example:
      followup staff edit 王伟 --email wangwei@example.cn
    """

    changes = checked(
        validate_staff_edit, {"department": department, "phone": phone, "email": email}
    )
    session = open_session(ctx)
    member = edit_staff(session, name, changes)
    print(_("Updated staff {name}").format(name=member.name))


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
