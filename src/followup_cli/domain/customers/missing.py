"""A row whose customer is missing: deleted outside followup (sqlite3 with foreign keys
off). Every view shows the row all the same, its customer named by this text;
`followup db check` lists such orphans and says what to do."""

from __future__ import annotations

from followup_cli.support.i18n import _


def missing_customer(customer_id: int) -> str:
    return _("(missing customer #{id})").format(id=customer_id)
