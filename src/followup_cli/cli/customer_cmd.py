"""`followup customer ...`: the customer file."""

from typing import Annotated, Any

import typer

from followup_cli.cli.call_target import appointment_text
from followup_cli.cli.common import ByOption, Format, FormatOption, WideOption, new_app
from followup_cli.cli.numbers import WholeNumber
from followup_cli.cli.privacy_cmd import customer_erase_cmd
from followup_cli.cli.regrade_cmd import regrade_cmd
from followup_cli.cli.state import acting_session, checked, open_session
from followup_cli.domain import fields
from followup_cli.domain.customers.anniversaries import parse_anniversaries
from followup_cli.domain.customers.profile import customer_profile
from followup_cli.domain.customers.records import (
    add_customer,
    archive_customer,
    edit_customer,
    list_customers,
    validate_customer,
)
from followup_cli.domain.texts import render
from followup_cli.render.output import Column, Section, print_detail, print_records, warn
from followup_cli.support.i18n import N_, _, label, ngettext, pgettext

app = new_app(
    "The customer file: add, list, show, edit, archive.",
    "followup customer add 山东鲁建机械有限公司 --grade 2 --owner 王伟",
    "followup customer list --grade 1",
    "followup customer show C000012",
)

CustomerArg = Annotated[
    str, typer.Argument(help="Customer code, id, or a name matching exactly one customer.")
]
Code = Annotated[
    str | None, typer.Option("--code", help="External key; generated (C000123) if left out.")
]
Grade = Annotated[
    str | None, typer.Option("--grade", help="1 (most important, core) … 5; also 一级 … 五级.")
]
Phone = Annotated[str | None, typer.Option("--phone", help="Main phone number.")]
Region = Annotated[str | None, typer.Option("--region", help="Region / 区域.")]
Industry = Annotated[str | None, typer.Option("--industry", help="Industry / 行业.")]
Owner = Annotated[
    str | None, typer.Option("--owner", help="Account manager (a staff name): gets the visits.")
]
Department = Annotated[str | None, typer.Option("--department", help="Department.")]
Address = Annotated[str | None, typer.Option("--address", help="Address.")]
Note = Annotated[str | None, typer.Option("--note", help="Free note.")]
AllowDuplicateName = Annotated[
    bool,
    typer.Option(
        "--allow-duplicate-name",
        help="Accept a name another customer already has (another company, same name).",
    ),
]


def customer_columns() -> list[Any]:
    return [
        Column("code", _("Code"), priority=1),
        Column("name", _("Name"), wrap=True, priority=2),
        Column("grade", _("Grade"), justify="right", priority=3),
        Column("tier", _("Tier"), kind="tier", priority=6),
        Column("phone", _("Phone"), priority=4),
        Column("region", _("Region"), priority=7),
        Column("industry", _("Industry"), priority=8),
        Column("owner", _("Owner"), priority=5),
    ]


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Customer (company) name.")],
    code: Code = None,
    grade: Grade = None,
    phone: Phone = None,
    region: Region = None,
    industry: Industry = None,
    owner: Owner = None,
    department: Department = None,
    address: Address = None,
    note: Note = None,
    allow_duplicate_name: AllowDuplicateName = False,
) -> None:
    """Add a customer; its periodic callbacks are planned at once.

    \b
    Example:
      followup customer add 山东鲁建机械有限公司 --grade 2 --phone 0531-88886666 \\
          --region 济南 --industry 建筑施工 --owner 王伟
    """

    raw = {
        "code": code,
        "name": name,
        "grade": grade,
        "phone": phone,
        "region": region,
        "industry": industry,
        "owner": owner,
        "department": department,
        "address": address,
        "note": note,
    }
    data = checked(validate_customer, raw)
    session = open_session(ctx)
    customer = add_customer(session, data, allow_duplicate_name=allow_duplicate_name)
    print(
        _("Added customer {code} {name} (grade {grade}, {tier})").format(
            code=customer.code,
            name=customer.name,
            grade=customer.grade,
            tier=label("tier", customer.tier),
        )
    )
    _warn_without_manager(session, customer)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    grade: Grade = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only this owner's customers.")
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Only this region.")] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Text in the name, code, phone or a contact."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", click_type=WholeNumber(1), help="At most N rows.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include archived customers.")] = False,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """List customers, most important first.

    \b
    Example:
      followup customer list --grade 1 --region 济南 --limit 20
    """

    grade_value = checked(fields.grade, grade, "grade") if grade else None
    looked_for = checked(fields.search_text, search, "search")
    session = open_session(ctx)
    customers = list_customers(
        session,
        grade=grade_value,
        owner=owner,
        region=region,
        search=looked_for,
        limit=limit,
        include_archived=all_,
    )
    records = [c.to_dict() for c in customers]
    print_records(records, customer_columns(), fmt.value, empty=_("No customers match."))


def detail_with_appointment(row: dict[str, Any], zone: Any) -> str:
    """A pending callback's detail, and its appointment if booked (seed 003 预约回访)."""
    detail = render(row["detail"])
    if row["appointment_at"] is None and not row["appointment_place"]:
        return detail
    booked = appointment_text(row["appointment_at"], row["appointment_place"], zone)
    return (
        _("{detail} ({appointment})").format(detail=detail, appointment=booked)
        if detail
        else booked
    )


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    customer: CustomerArg,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """Show one customer: details, contacts, recent events, calls, tickets, pending callbacks.

    With --format csv, one file: a first column `section` names each row's part
    (customer, contacts, events, calls, tickets, pending_callbacks), as in the JSON.

    \b
    Example:
      followup customer show C000012
      followup customer show C000012 --format csv > C000012.csv
    """

    session = open_session(ctx)
    profile = customer_profile(session, customer)

    c = profile.customer
    status = "archived" if c.archived else ("unreachable" if c.unreachable else "active")

    def fields_shown() -> list[tuple[str, Any]]:
        shown_status = label("customer_status", status)
        if status == "unreachable":
            # What the flag means, and what to do, where the clerk looks for the number.
            shown_status = ngettext(
                "{status}: the last {n} call did not reach the customer; check the phone numbers",
                "{status}: the last {n} calls did not reach the customer; check the phone numbers",
                profile.failed_in_a_row,
            ).format(status=shown_status, n=profile.failed_in_a_row)
        return [
            (_("Code"), c.code),
            (_("Grade"), _("{grade} ({tier})").format(grade=c.grade, tier=label("tier", c.tier))),
            (_("Phone"), c.phone),
            (_("Region"), c.region),
            (_("Industry"), c.industry),
            (_("Owner"), c.owner),
            (_("Department"), c.department),
            (_("Address"), c.address),
            (_("Note"), c.note),
            (_("Status"), shown_status),
            *([(_("Personal data"), _("erased"))] if c.erased else []),
            *(
                [(_("Anniversaries"), "; ".join(a.shown() for a in profile.anniversaries))]
                if profile.anniversaries
                else []
            ),
        ]

    sections = [
        Section(
            _("Contacts"),
            [x.to_dict() for x in profile.contacts],
            [
                Column("name", pgettext("person", "Name"), priority=1),
                Column("role", _("Role"), kind="contact_role", priority=3),
                Column("phone", _("Phone"), priority=2),
                Column("wechat", _("WeChat"), priority=5),
                Column("email", _("Email"), priority=6),
                Column("birthday", _("Birthday"), priority=7),
                Column("primary", _("Primary"), priority=4),
            ],
        ),
        Section(
            _("Pending callbacks"),
            profile.callbacks,
            [
                Column("id", _("ID"), justify="right", priority=1),
                Column("due_on", _("Due"), priority=2),
                Column("reason", _("Reason"), kind="reason", priority=3),
                Column("level", _("Level"), justify="right", priority=6),
                Column("assignee", _("Assignee"), priority=5),
                Column(
                    "detail",
                    _("Detail"),
                    value=lambda r: detail_with_appointment(r, session.zone),
                    wrap=True,
                    priority=4,
                ),
            ],
        ),
        Section(
            _("Recent events"),
            profile.events,
            [
                Column("date", _("Date"), priority=1),
                Column("kind", _("Kind"), kind="event_kind", priority=2),
                Column("ref", _("Ref"), priority=3),
                Column("machine", _("Machine"), wrap=True, priority=5),
                Column("staff", _("Staff"), priority=6),
                Column("result", _("Result"), wrap=True, priority=4),
            ],
        ),
        Section(
            _("Recent calls"),
            profile.calls,
            [
                Column("at", _("At"), value=lambda r: session.shown_time(r["at"]), priority=1),
                Column("by", _("By"), priority=2),
                Column("contact", _("Contact"), priority=6),
                Column("outcome", _("Outcome"), kind="outcome", priority=3),
                Column("satisfaction", _("Sat."), justify="right", priority=5),
                Column("note", _("Note"), wrap=True, priority=4),
            ],
        ),
        Section(
            _("Tickets"),
            profile.tickets,
            [
                Column("id", _("ID"), justify="right", priority=1),
                Column("opened_on", _("Opened"), priority=2),
                Column("status", _("Status"), kind="ticket_status", priority=3),
                Column("severity", _("Severity"), kind="severity", priority=5),
                Column("category", _("Category"), kind="category", priority=6),
                Column(
                    "summary",
                    _("Summary"),
                    value=lambda r: render(r["summary"]),
                    wrap=True,
                    priority=4,
                ),
            ],
        ),
    ]
    if profile.past_contacts:  # (seed 003 人事变动: shown apart, never called)
        sections.insert(
            1,
            Section(
                _("Past contacts"),
                [x.to_dict() for x in profile.past_contacts],
                [
                    Column("name", pgettext("person", "Name"), priority=1),
                    Column("role", _("Role"), kind="contact_role", priority=3),
                    Column("left_on", _("Left"), priority=2),
                    Column("phone", _("Phone"), priority=4),
                    # (issue 22: personal data erased, `contact erase`)
                    Column(
                        "erased",
                        _("Erased"),
                        value=lambda r: _("erased") if r["erased"] else "",
                        priority=5,
                    ),
                ],
            ),
        )
    if profile.history:  # (a grade set from value: `customer regrade`)
        sections.append(
            Section(
                _("History"),
                profile.history,
                [
                    Column("at", _("At"), value=lambda r: session.shown_time(r["at"]), priority=1),
                    Column("by", _("By"), priority=3),
                    Column(
                        "detail",
                        _("Change"),
                        value=lambda r: render(r["detail"]),
                        wrap=True,
                        priority=2,
                    ),
                ],
            )
        )
    print_detail(f"{c.name}", fields_shown, sections, fmt.value, profile.to_dict(), "customer")


@app.command("edit")
def edit_cmd(
    ctx: typer.Context,
    customer: CustomerArg,
    by: ByOption = None,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    code: Annotated[str | None, typer.Option("--code", help="New code.")] = None,
    grade: Grade = None,
    phone: Phone = None,
    region: Region = None,
    industry: Industry = None,
    owner: Owner = None,
    department: Department = None,
    address: Address = None,
    note: Note = None,
    anniversary: Annotated[
        list[str] | None,
        typer.Option(
            "--anniversary",
            help="MM-DD[:label], e.g. `05-20:合作纪念日`; repeat for several. The customer's"
            " whole list: the ones left out are removed. Grades 1–3 get a greeting.",
        ),
    ] = None,
    clear_anniversaries: Annotated[
        bool, typer.Option("--clear-anniversaries", help="Remove every anniversary.")
    ] = False,
    allow_duplicate_name: AllowDuplicateName = False,
) -> None:
    """Change a customer's fields; pass "" to clear an optional one. A new grade replans visits.

    \b
    Example:
      followup customer edit C000012 --grade 1 --owner 王伟 --by 刘洋
      followup customer edit C000012 --anniversary 05-20:合作纪念日 --anniversary 09-01:公司成立
    """

    raw = {
        "name": name,
        "code": code,
        "grade": grade,
        "phone": phone,
        "region": region,
        "industry": industry,
        "owner": owner,
        "department": department,
        "address": address,
        "note": note,
    }
    given = {k: v for k, v in raw.items() if v is not None}
    if anniversary and clear_anniversaries:
        raise typer.BadParameter(
            _("give --anniversary or --clear-anniversaries, not both"), param_hint="options"
        )
    if not given and not anniversary and not clear_anniversaries:
        raise typer.BadParameter(_("give at least one field to change"), param_hint="options")
    data = checked(validate_customer, given, arguments=())
    if anniversary or clear_anniversaries:
        data.anniversaries = checked(parse_anniversaries, anniversary or [], arguments=())
        data.given.add("anniversary")
    session = acting_session(ctx, by)
    updated, changed = edit_customer(
        session, customer, data, allow_duplicate_name=allow_duplicate_name
    )
    if changed:
        print(
            _("Updated {code} {name}: {fields}").format(
                code=updated.code,
                name=updated.name,
                fields=", ".join(label("field", f) for f in changed),
            )
        )
    else:
        print(_("No change to {code} {name}").format(code=updated.code, name=updated.name))
    _warn_without_manager(session, updated)


def _warn_without_manager(session: Any, customer: Any) -> None:
    """Seed 001: "为每个核心客户和重要客户选派精干的关系经理": a core or important
    customer without an owner is a warning (the command still succeeds)."""
    # Only this check needs the early-warning module (start-up of the other commands).
    from followup_cli.domain.complaints.early_warning import without_relationship_manager

    if without_relationship_manager(session, customer.id):
        warn(
            _(
                "{code} ({tier}) has no relationship manager; set one with"
                " `followup customer edit {code} --owner STAFF`"
            ).format(code=customer.code, tier=label("tier", customer.tier))
        )


@app.command("archive")
def archive_cmd(
    ctx: typer.Context,
    customer: CustomerArg,
    restore: Annotated[
        bool, typer.Option("--restore", help="Bring an archived customer back.")
    ] = False,
    by: ByOption = None,
) -> None:
    """Archive a customer: no more callbacks; history is kept. --restore undoes it.

    \b
    Example:
      followup customer archive C000012 --by 刘洋
    """

    session = acting_session(ctx, by)
    c = archive_customer(session, customer, restore=restore)
    template = N_("Restored {code} {name}") if restore else N_("Archived {code} {name}")
    print(_(template).format(code=c.code, name=c.name))


app.command("regrade")(regrade_cmd)
app.command("erase")(customer_erase_cmd)
