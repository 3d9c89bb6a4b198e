"""Personal data (个人信息保护法): `contact erase`, `customer erase`, `db prune`."""

import sys
from typing import Annotated, Any

import typer

from followup_cli.cli.common import ByOption
from followup_cli.cli.state import acting_session, checked, open_session
from followup_cli.render.output import warn
from followup_cli.support.errors import UsageError
from followup_cli.support.i18n import N_, _, ngettext

ReasonOption = Annotated[
    str,
    typer.Option(
        "--reason",
        help="Why: the person's request (e.g. 本人电话要求删除), kept in the erasure log.",
    ),
]


# The free texts an erasure rewrites (domain/privacy/scrub.py TEXTS), as a person reads them.
TEXT_PLACES = {
    "calls": N_("calls"),
    "tickets": N_("tickets"),
    "ticket_history": N_("ticket history"),
    "events": N_("events"),
    "callbacks": N_("callbacks"),
    "escalations": N_("escalations"),
    "warnings": N_("warnings"),
    "notices": N_("notices"),
    "call_reviews": N_("visit report reviews"),
    "customer_history": N_("customer history"),
    "anniversaries": N_("anniversaries"),
}


def interactive() -> bool:
    """Whether a person is at the terminal to be asked (stdin and stdout a tty)."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _reason(raw: str) -> str:
    # Only an erasure loads the privacy domain (start-up of the other commands).
    from followup_cli.domain.privacy.erasure import reason_text

    return checked(reason_text, raw, arguments=())


def _tell(session: Any, done: Any, what: str) -> None:
    """What an erasure did, in a few lines; or that it had been done before."""
    if done.already:
        print(
            _("{what} was already erased ({at}, by {by}); nothing changed").format(
                what=what, at=session.shown_time(done.erased_at), by=done.erased_by or "?"
            )
        )
    else:
        print(_("Erased the personal data of {what}").format(what=what))
        if done.contacts and done.kind == "customer":
            print(
                "  "
                + ngettext("{n} contact erased", "{n} contacts erased", done.contacts).format(
                    n=done.contacts
                )
            )
        if done.texts:
            texts = ", ".join(
                f"{_(TEXT_PLACES.get(t, t))} {n}" for t, n in sorted(done.texts.items())
            )
            print("  " + _("mentions replaced in free text: {texts}").format(texts=texts))
        if done.cancelled:
            print(
                "  "
                + ngettext(
                    "{n} pending callback cancelled",
                    "{n} pending callbacks cancelled",
                    done.cancelled,
                ).format(n=done.cancelled)
            )
        if done.rerouted:
            print(
                "  "
                + ngettext(
                    "{n} pending callback goes to the next contact",
                    "{n} pending callbacks go to the next contact",
                    done.rerouted,
                ).format(n=done.rerouted)
            )
        if done.new_primary:
            print("  " + _("primary contact now: {name}").format(name=done.new_primary))
    if not done.wiped:
        _not_wiped()


def _not_wiped() -> None:
    warn(
        _(
            "another process kept the database file from being rebuilt: the erased values"
            " may remain in its free space; run the same command again when nobody is working"
        )
    )


def contact_erase_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code, id or exact name.")],
    name: Annotated[
        str, typer.Argument(help="Contact's name (or an erased one's 已删除联系人 #12).")
    ],
    reason: ReasonOption,
    by: ByOption = None,
) -> None:
    """Erase a contact's personal data at their request (PIPL article 47); statistics stay.

    Name, phone, WeChat, email, birthday and note become the placeholder 已删除联系人 #ID,
    and so does every mention of them in the customer's free text (call notes, ticket
    details: replaced, not deleted). Calls, satisfaction, tickets and events keep
    counting. Pending birthday greetings are cancelled, other callbacks go to the next
    contact. The erasure log keeps who, when, why and which record, never the values;
    the file is rebuilt so the values are gone from its bytes. Erasing again changes
    nothing.

    \b
    Example:
      followup contact erase C000012 张建国 --by 李娜 --reason "本人电话要求删除"
    """

    why = _reason(reason)
    session = acting_session(ctx, by)
    # Only an erasure loads the privacy domain (start-up of the other commands).
    from followup_cli.domain.privacy.erasure import erase_contact

    done = erase_contact(session, customer, name, why)
    _tell(
        session,
        done,
        _("contact #{id} of {code} (now {placeholder})").format(
            id=done.contact_id, code=done.customer_code, placeholder=done.placeholder
        ),
    )


def customer_erase_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code, id or exact name.")],
    reason: ReasonOption,
    by: ByOption = None,
) -> None:
    """Erase a customer's personal data and all its contacts'; statistics stay.

    The name becomes 已删除客户 #ID, the phone, address and note are emptied, every
    contact is erased as by `contact erase`, and the customer is archived (its pending
    callbacks cancelled). Its code, grade, region, industry and owner stay, so every
    report keeps its figures.

    \b
    Example:
      followup customer erase C000012 --by 李娜 --reason "客户要求删除个人信息"
    """

    why = _reason(reason)
    session = acting_session(ctx, by)
    # Only an erasure loads the privacy domain (start-up of the other commands).
    from followup_cli.domain.privacy.erasure import erase_customer

    done = erase_customer(session, customer, why)
    _tell(
        session,
        done,
        _("customer {code} (now {placeholder})").format(
            code=done.customer_code, placeholder=done.placeholder
        ),
    )


def prune_cmd(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list whose data would be erased.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Erase without asking (for scripts).")] = False,
    by: ByOption = None,
) -> None:
    """Erase personal data of customers archived past `privacy.retain_archived_years`.

    Lists them first, then asks (or give --yes); each is erased as by `customer erase`,
    its records kept for the statistics (PIPL Art. 19: no longer than needed).

    \b
    Examples:
      followup db prune --dry-run
      followup db prune --yes --by 李娜
    """

    # Only a prune loads the retention rule (start-up of the other commands).
    from followup_cli.domain.privacy.retention import (
        kept_since,
        prune,
        prune_candidates,
        retention_years,
    )

    session = open_session(ctx) if dry_run else acting_session(ctx, by)
    years = retention_years(session)
    found = prune_candidates(session)
    if not found:
        print(
            _(
                "No customer archived before {day} has personal data left"
                " (kept {years} years: `privacy.retain_archived_years`)"
            ).format(day=kept_since(session), years=years)
        )
        return
    print(
        ngettext(
            "{n} customer archived before {day} (kept {years} years):",
            "{n} customers archived before {day} (kept {years} years):",
            len(found),
        ).format(n=len(found), day=kept_since(session), years=years)
    )
    for c in found:
        print(
            "  "
            + _("{code} {name} (archived on {day})").format(
                code=c.code, name=c.name, day=c.archived_on
            )
        )
    if dry_run:
        print(_("Dry run: nothing was erased."))
        return
    if not yes:
        if not interactive():
            raise UsageError(
                _("erasing personal data needs a confirmation"),
                _("Give --yes to confirm (nothing is asked off a terminal), or --dry-run."),
            )
        if not typer.confirm(_("Erase their personal data? This cannot be undone")):
            print(_("Nothing was erased."))
            return
    done, wiped = prune(session, found)
    print(
        ngettext(
            "Erased the personal data of {n} customer",
            "Erased the personal data of {n} customers",
            len(done),
        ).format(n=len(done))
    )
    if not wiped:
        _not_wiped()
