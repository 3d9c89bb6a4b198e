"""`followup contact ...`: the people at a customer."""

from typing import Annotated

import typer

from followup_cli.cli.common import Format, FormatOption, WideOption, new_app
from followup_cli.cli.privacy_cmd import contact_erase_cmd
from followup_cli.cli.state import checked, open_session
from followup_cli.domain.contacts.records import (
    add_contact,
    left_day,
    list_contacts,
    mark_left,
    validate_contact,
)
from followup_cli.render.output import Column, print_records, warn
from followup_cli.support.errors import UsageError
from followup_cli.support.i18n import _, label, pgettext

app = new_app(
    "Contacts: the people at each customer.",
    "followup contact add C000012 张建国 --role decision-maker --primary",
    "followup contact add C000012 李明 --role operator --phone 13905310002",
    "followup contact list C000012",
    "followup contact edit C000012 张建国 --left --date 2026-11-20",
)


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code, id or exact name.")],
    name: Annotated[str, typer.Argument(help="Contact's name.")],
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            help="person-in-charge (业务负责人), decision-maker, influencer, supervisor,"
            " purchaser, operator, finance or other.",
        ),
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
    """Add a contact to a customer; event callbacks go to the person in charge.

    Event callbacks and satisfaction calls go to the event's contact, else the person in
    charge (业务负责人), else the decision-maker, else the primary contact (see
    `followup config show`, [contacts]); visits and greetings to the primary contact.

    \b
    Example:
      followup contact add C000012 张建国 --role person-in-charge --phone 13905310001 \\
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
        Column("left_on", _("Left"), priority=10),
    ]
    print_records(records, columns, fmt.value, empty=_("No contacts."))


@app.command("edit")
def edit_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code, id or exact name.")],
    name: Annotated[str, typer.Argument(help="Contact's name.")],
    left: Annotated[
        bool, typer.Option("--left", help="The contact has left the customer.")
    ] = False,
    date: Annotated[
        str | None, typer.Option("--date", help="The day they left (default: today).")
    ] = None,
) -> None:
    """Mark a contact as gone: callbacks go to the next contact from then on.

    Seed 003: 及时掌握大客户单位关键职务的人事变动情况. The contact stays on record
    (`customer show` lists past contacts apart) and is never called again.

    \b
    Example:
      followup contact edit C000012 张建国 --left --date 2026-11-20
    """

    if not left:
        raise UsageError(
            _("nothing to change"),
            _("Give --left (with --date DATE if not today) to mark the contact as gone."),
        )
    session = open_session(ctx)
    day = checked(left_day, session, date)
    done = mark_left(session, customer, name, day)
    c = done.contact
    print(
        _("{name} ({role}) left {code} {customer} on {date}").format(
            name=c.name,
            role=label("contact_role", c.role),
            code=c.customer_code,
            customer=c.customer_name,
            date=c.left_on,
        )
    )
    if done.new_primary:
        print("  " + _("primary contact now: {name}").format(name=done.new_primary))
    n = done.next_contact
    if n is not None:
        print(
            "  "
            + _("event callbacks now go to: {name} ({role})").format(
                name=n.name, role=label("contact_role", n.role)
            )
        )
    else:
        print("  " + _("no contact is left: callbacks go to the customer's phone"))
    if done.key_people_gone:
        warn(
            _(
                "{code} has none of its key people left (person in charge, decision-maker):"
                " update the contacts (`followup contact add {code} NAME --role ROLE`)"
            ).format(code=c.customer_code)
        )


app.command("erase")(contact_erase_cmd)
