"""When two customer names are the same name to a person (issue 14: one name, one
customer). Pure and light: the customers writer stores the key beside the name
(`customers.name_key`, indexed), and migration m007 fills it for older rows."""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """What two customer names share when a person would call them the same name: the
    text NFKC-folded (full-width letters, digits, spaces and brackets to half-width),
    without any space, case-folded. 山东鲁建机械有限公司, "山东鲁建 机械有限公司 " and
    山东鲁建机械有限公司 written in full-width brackets or spaces all share one key."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()
