"""`followup contact ...`: the people at a customer."""

from typing import Annotated

import typer

from followup_cli.cli.common import Format, FormatOption, WideOption, new_app
from followup_cli.cli.state import checked, open_session
from followup_cli.domain.contacts.records import add_contact, list_contacts, validate_contact
from followup_cli.render.output import Column, print_records
from followup_cli.support.i18n import _, label, pgettext

app = new_app(
    "Contacts: the people at each customer.",
    "followup contact add C000012 张建国 --role decision-maker --primary",
    "followup contact add C000012 李明 --role operator --phone 13905310002",
    "followup contact list C000012",
)


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code, id or exact name.")],
    name: Annotated[str, typer.Argument(help="Contact's name.")],
    role: Annotated[
        str | None,
        typer.Option("--role", help="decision-maker, purchaser, operator, finance or other."),
    ] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
    wechat: Annotated[str | None, typer.Option("--wechat", help="WeChat ID.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Email address.")] = None,
    birthday: Annotated[
        str | None, typer.Option("--birthday", help="1980-05-17, or 05-17 without the year.")
    ] = None,
    primary: Annotated[
        bool, typer.Option("--primary", help="Make this the primary contact (the first one is).")
    ] = False,
) -> None:
    """Add a contact to a customer; callbacks go to the primary contact.

    \b
    Example:
      followup contact add C000012 张建国 --role decision-maker --phone 13905310001 \\
          --birthday 05-17 --primary
    """

    session = open_session(ctx)
    data = checked(
        validate_contact,
        session,
        name,
        role=role,
        phone=phone,
        wechat=wechat,
        email=email,
        birthday=birthday,
        primary=primary,
    )
    contact = add_contact(session, customer, data)
    template = (
        _("Added contact {name} ({role}, primary) to {code} {customer}")
        if contact.primary
        else _("Added contact {name} ({role}) to {code} {customer}")
    )
    print(
        template.format(
            name=contact.name,
            role=label("contact_role", contact.role),
            code=contact.customer_code,
            customer=contact.customer_name,
        )
    )


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    customer: Annotated[
        str | None, typer.Argument(help="Only this customer's contacts.", show_default=False)
    ] = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """List contacts, of one customer or of all.

    \b
    Example:
      followup contact list C000012 --format csv
    """

    session = open_session(ctx)
    records = [c.to_dict() for c in list_contacts(session, customer)]
    columns = [
        Column("customer_code", _("Customer"), priority=1),
        Column("customer_name", _("Customer name"), wrap=True, priority=3),
        Column("name", pgettext("person", "Name"), priority=2),
        Column("role", _("Role"), kind="contact_role", priority=5),
        Column("phone", _("Phone"), priority=4),
        Column("wechat", _("WeChat"), priority=6),
        Column("email", _("Email"), priority=7),
        Column("birthday", _("Birthday"), priority=8),
        Column("primary", _("Primary"), priority=9),
    ]
    print_records(records, columns, fmt.value, empty=_("No contacts."))
