"""What each option and argument takes, said once: the placeholder `--help` shows
(`--date DATE`, `--by STAFF`, `CUSTOMER`) and what the shell completes it with.

Click's own placeholders are type names (`<str>`, `<int range>`), and Typer writes a
required argument as `{name}`. `describe_values` gives every parameter of a command
tree, when the command is built, the placeholder declared here by its option (or
argument name), or by command and option where one word means two things (`escalate
--to` is a person, `report staff --to` a date); arguments read `CUSTOMER` when required
and `[CUSTOMER]` when not, everywhere. A test walks every command: a parameter missing
here fails it.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument

from followup_cli.cli.completion import (
    complete_category,
    complete_choices,
    complete_customer,
    complete_staff,
    complete_words,
)

_STAFF = ("STAFF", complete_staff)
_DATE = ("DATE", None)
_TEXT = ("TEXT", None)
_CUSTOMER = ("CUSTOMER", complete_customer)
_FILE = ("FILE", None)

# option (or argument name) -> (placeholder, completer or None)
VALUES: dict[str, tuple[str, Any]] = {
    "--db": ("FILE|URL", None),
    "--config": _FILE,
    "--today": _DATE,
    "--date": _DATE,
    "--from": _DATE,
    "--to": _DATE,
    "--at": ("TIME", None),
    "--birthday": _DATE,
    "--in-use": _DATE,
    "--amount": ("YUAN", None),
    "--findings": _TEXT,
    "--months": ("N", None),
    "--anniversary": ("MM-DD[:LABEL]", None),
    "--days": ("N", None),
    "--limit": ("N", None),
    "--callback": ("ID", None),
    "--by": _STAFF,
    "--staff": _STAFF,
    "--owner": _STAFF,
    "--role": ("ROLE", complete_words("staff_role")),
    "--grade": ("GRADE", None),
    "--code": ("CODE", None),
    "--name": ("NAME", None),
    "--phone": ("PHONE", None),
    "--wechat": ("WECHAT", None),
    "--email": ("EMAIL", None),
    "--region": ("REGION", None),
    "--industry": ("INDUSTRY", None),
    "--department": ("DEPARTMENT", None),
    "--address": _TEXT,
    "--note": _TEXT,
    "--details": _TEXT,
    "--summary": _TEXT,
    "--reason": _TEXT,
    "--resolution": _TEXT,
    "--action": _TEXT,
    "--response": _TEXT,
    "--result": _TEXT,
    "--place": _TEXT,
    "--answer": ("KEY=VALUE", None),
    "--search": _TEXT,
    "--contact": ("CONTACT", None),
    "--outcome": ("OUTCOME", complete_words("outcome")),
    "--channel": ("CHANNEL", complete_words("call_channel")),
    "--via": ("CHANNEL", complete_words("call_channel")),
    "--notified-via": ("CHANNEL", complete_words("call_channel")),
    "--satisfaction": ("1-5", None),
    "--recommend": ("0-10", None),
    "--repurchase": ("ANSWER", complete_words("repurchase")),
    "--complaint": _TEXT,
    "--category": ("CATEGORY", complete_category),
    "--severity": ("SEVERITY", complete_words("severity")),
    "--kind": ("KIND", complete_words("event_kind")),
    "--ref": ("REF", None),
    "--machine": ("MACHINE", None),
    "--status": ("STATUS", complete_words("ticket_status")),
    "--period": ("PERIOD", complete_choices("month", "quarter")),
    "--encoding": ("ENCODING", None),
    "--output": _FILE,
    "--headers": ("LANG", complete_choices("en", "zh")),
    # arguments, by name
    "customer": _CUSTOMER,
    "name": ("NAME", None),
    "ticket": ("ID", None),
    "callback_id": ("ID", None),
    "warning": ("ID", None),
    "call": ("ID", None),
    "date": _DATE,
    "staff": _STAFF,
    "text": _TEXT,
    "file": _FILE,
    "dest": _FILE,
    "path": _FILE,
    "kind": ("KIND", None),
    "folder": ("DIR", None),
    "backup": ("BACKUP", None),
    "--keep": ("N", None),
}

# where one word means two things: (command path, option or argument) -> value
OVERRIDES: dict[tuple[str, str], tuple[str, Any]] = {
    ("escalate", "--to"): _STAFF,
    ("db backup", "dest"): ("DIR|FILE", None),
    ("db copy", "source"): ("SRC", None),
    ("db copy", "dest"): ("DEST", None),
    ("contact add", "--role"): ("ROLE", complete_words("contact_role")),
    ("ticket open", "--channel"): ("CHANNEL", complete_words("ticket_channel")),
    ("import", "kind"): (
        "KIND",
        complete_choices("customers", "contacts", "events", "calls", "staff"),
    ),
    ("export", "kind"): (
        "KIND",
        complete_choices(
            "customers", "contacts", "staff", "events", "calls", "tickets", "callbacks"
        ),
    ),
}


class NamedArgument(TyperArgument):
    """An argument shown as `CUSTOMER` (required) or `[CUSTOMER]` (optional) in usage
    lines, as Click writes them, rather than Typer's `{customer}`."""

    def make_metavar(self, ctx: Any, *, usage: bool = False) -> str:
        var = self.metavar or (self.name or "").upper()
        if usage and not self.required and not var.startswith("["):
            return f"[{var}]"
        return var


def _key(param: Any) -> str:
    if param.param_type_name == "argument":
        return str(param.name)
    longs = [opt for opt in param.opts if opt.startswith("--")]
    return longs[0] if longs else str(param.name)


def value_of(path: str, param: Any) -> tuple[str, Any] | None:
    """The (placeholder, completer) declared for `param` of the command at `path`."""
    key = _key(param)
    return OVERRIDES.get((path, key)) or VALUES.get(key)


def describe_values(command: Any, path: str) -> Any:
    """Give every parameter of `command` (and of the commands under it) its declared
    placeholder and completer; choices read `[table|csv|json]`."""
    for param in getattr(command, "params", []):
        if getattr(param, "is_flag", False) or param.name == "help":
            continue
        choices = getattr(param.type, "choices", None)
        declared = value_of(path, param)
        if choices is not None and param.metavar is None:
            param.metavar = "[" + "|".join(str(getattr(c, "value", c)) for c in choices) + "]"
        elif declared is not None:
            placeholder, completer = declared
            if param.param_type_name == "argument":
                if param.metavar is None or not param.metavar.startswith("["):
                    param.metavar = placeholder
                if isinstance(param, TyperArgument):
                    param.__class__ = NamedArgument
            elif param.metavar is None:
                param.metavar = placeholder
            if completer is not None and getattr(param, "_custom_shell_complete", None) is None:
                param._custom_shell_complete = _click_completer(completer)
    for name, sub in getattr(command, "commands", {}).items():
        describe_values(sub, f"{path} {name}".strip())
    return command


def _click_completer(completer: Any) -> Any:
    """A Click `shell_complete` callback from a (ctx, incomplete) -> [(value, help)]
    completer."""

    def complete(ctx: Any, _param: Any, incomplete: str) -> list[Any]:
        # Only a completion request builds completion items.
        from typer._click.shell_completion import CompletionItem

        return [
            CompletionItem(value, help=text or None) for value, text in completer(ctx, incomplete)
        ]

    return complete
