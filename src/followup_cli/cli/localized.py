"""The command line in the interface language: `--help`, Click's own words, usage errors.

Help texts are written in English in the code (docstrings and `help=`); a command's
help is translated paragraph by paragraph when the command is built (`localize`), so
the English text stays the catalog key: `help_messages` yields the keys the extraction
script collects. An example block (a paragraph opened by \\b) keeps its commands; only
its heading and `# comments` are translated.

Click's words ("Usage:", "Options", "[default: ...]") and its usage errors are
hard-wired English in the vendored Click: the help formatter and `localize_usage_error`
translate them, and wrap text by display width (a Chinese character takes two cells).
In English nothing here runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer._click.formatting import HelpFormatter

from followup_cli.support.i18n import ENGLISH, N_, _, current_language
from followup_cli.support.patterns import Pattern

# -- command help ----------------------------------------------------------------------

EXAMPLE_HEADINGS = (N_("Example:"), N_("Examples:"))
# Section headings of Click's help (translated by the formatter).
HEADINGS = (N_("Options"), N_("Arguments"), N_("Commands"))
_COMMENT = Pattern(r"^(.*?\S)(\s+# )(.+)$")  # compiled when help is shown


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text.strip("\n")) if p.strip()]


def _one_line(paragraph: str) -> str:
    return " ".join(paragraph.split())


def help_messages(text: str | None) -> Iterator[str]:
    """The catalog keys of a help text: each plain paragraph on one line, and the
    `# comments` of example lines."""
    if not text:
        return
    for paragraph in _paragraphs(text):
        if paragraph.lstrip().startswith("\b"):
            for line in paragraph.splitlines()[2:]:
                found = _COMMENT.match(line)
                if found:
                    yield found.group(3).strip()
        else:
            yield _one_line(paragraph)


def translate_help(text: str | None) -> str | None:
    """A help text in the interface language (unchanged in English)."""
    if not text or current_language() == ENGLISH:
        return text
    out: list[str] = []
    for paragraph in _paragraphs(text):
        if paragraph.lstrip().startswith("\b"):
            lines = paragraph.strip().splitlines()
            block = [lines[0]]
            if len(lines) > 1:
                block.append(_(lines[1].strip()) if lines[1].strip() else lines[1])
            for line in lines[2:]:
                found = _COMMENT.match(line)
                block.append(
                    found.group(1) + found.group(2) + _(found.group(3).strip()) if found else line
                )
            out.append("\n".join(block))
        else:
            out.append(_(_one_line(paragraph)))
    return "\n\n".join(out)


def localize(command: Any) -> Any:
    """Translate the help of `command` and of everything under it, from the English kept
    on first sight (so a command can be shown in either language), and give each the
    context whose help formatter speaks the interface language."""
    english = getattr(command, "_followup_help", None)
    if english is None:
        english = command._followup_help = command.help or ""
    command.help = translate_help(english) if english else command.help
    command.context_class = LocalizedContext
    for param in getattr(command, "params", []):
        original = getattr(param, "_followup_help", None)
        if original is None:
            original = param._followup_help = getattr(param, "help", None) or ""
        if original:
            param.help = _(_one_line(original)) if current_language() != ENGLISH else original
    for sub in getattr(command, "commands", {}).values():
        localize(sub)
    return command


# -- Click's words, wrapped by display width ---------------------------------------------

_EXTRA = Pattern(r"^(.*?)\s*\[([^\[\]]*)\]$", re.DOTALL)
_DEFAULT = Pattern(r"^default: (.*)$")
_ENVVAR = Pattern(r"^env var: (.*)$")
_CLOSING = set("，。、；：？！）》」』】,.;:?!)]")
_OPENING = set("（《「『【“([")


def _cell_width(text: str) -> int:
    """Display width (as followup_cli.render.output.cell_width, which costs an import here)."""
    # Help of a Chinese screen only: English help never measures a cell.
    import unicodedata

    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells: breaks at spaces, and between Chinese characters
    (never before closing punctuation)."""
    tokens = re.findall(r"\s+|[\x21-\x7e]+|.", text)
    lines: list[str] = []
    line = ""
    used = 0  # display width of `line`
    for token in tokens:
        if token.isspace():
            if line:
                line += " "
                used += 1
            continue
        size = _cell_width(token)
        if line and used + size > width and token not in _CLOSING:
            carried = ""
            while line and line[-1] in _OPENING:  # an opening bracket goes with what follows
                carried = line[-1] + carried
                line = line[:-1]
            lines.append(line.rstrip())
            line, used = carried, _cell_width(carried)
        line += token
        used += size
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _translate_extra(text: str) -> str:
    """Click's trailing `[default: table; required]`, in the interface language."""
    found = _EXTRA.match(text)
    if not found:
        return _(text) if text else text
    items = []
    for item in found.group(2).split("; "):
        default = _DEFAULT.match(item)
        envvar = _ENVVAR.match(item)
        if default:
            items.append(_("default: {value}").format(value=default.group(1)))
        elif envvar:
            items.append(_("env var: {value}").format(value=envvar.group(1)))
        elif item == "required":
            items.append(_("required"))
        elif re.fullmatch(r"[\dx<=>. -]+", item):
            items.append(item)
        else:
            return _(text)
    body = found.group(1)
    return f"{_(body) if body else ''}  [{'; '.join(items)}]".lstrip()


class LocalizedFormatter(HelpFormatter):
    """Click's help formatter, in the interface language and measuring display width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if current_language() != ENGLISH and prefix is None:
            prefix = _("Usage: ")
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        if current_language() == ENGLISH:
            super().write_heading(heading)
            return
        text = _("{heading}:").format(heading=_(heading))
        self.write(f"{'':>{self.current_indent}}{text}\n")

    def write_text(self, text: str) -> None:
        if current_language() == ENGLISH:
            super().write_text(text)
            return
        indent = " " * self.current_indent
        blocks: list[str] = []
        for paragraph in _paragraphs(text):
            if paragraph.lstrip().startswith("\b"):
                lines = paragraph.strip().splitlines()[1:]
                blocks.append("\n".join(indent + line for line in lines))
            else:
                width = max(self.width - self.current_indent, 20)
                blocks.append("\n".join(indent + line for line in wrap(paragraph, width)))
        self.write("\n\n".join(blocks))
        self.write("\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        if current_language() == ENGLISH:
            super().write_dl(rows, col_max, col_spacing)
            return
        rows = [(first, _translate_extra(second)) for first, second in rows]
        first_width = min(max((_cell_width(f) for f, _s in rows), default=0), col_max)
        column = first_width + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if _cell_width(first) <= first_width:
                self.write(" " * (column - _cell_width(first)))
            else:
                self.write("\n" + " " * (column + self.current_indent))
            lines = wrap(second, max(self.width - column - 2 - self.current_indent, 20))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (column + self.current_indent) + line + "\n")


class LocalizedContext(typer.Context):
    formatter_class = LocalizedFormatter


# -- usage errors ---------------------------------------------------------------------

# (each compiled the first time a usage error is shown)
_VALUE_PATTERNS: tuple[tuple[Pattern, str], ...] = (
    (
        Pattern(r"^(?P<value>.+) is not one of (?P<choices>.+)\.$"),
        N_("{value} is not one of {choices}."),
    ),
    (
        Pattern(r"^(?P<value>.+) is not in the range (?P<range>.+)\.$"),
        N_("{value} is not in the range {range}."),
    ),
    (
        Pattern(r"^(?P<value>.+) is not a valid int range\.$"),
        N_("{value} is not a whole number."),
    ),
    (Pattern(r"^(?P<value>.+) is not a valid integer\.$"), N_("{value} is not a whole number.")),
    (
        Pattern(r"^(?P<value>.+) is not a valid float( range)?\.$"),
        N_("{value} is not a number."),
    ),
    (Pattern(r"^(?P<value>.+) is not a valid boolean\..*$"), N_("{value} is not yes or no.")),
)
_MESSAGE_PATTERNS: tuple[tuple[Pattern, str], ...] = (
    (Pattern(r"^Missing option (?P<name>.+)\.$"), N_("Missing option {name}.")),
    (Pattern(r"^Missing argument (?P<name>.+)\.$"), N_("Missing argument {name}.")),
    (Pattern(r"^Missing parameter (?P<name>.+)\.$"), N_("Missing parameter {name}.")),
    (Pattern(r"^Missing command\.$"), N_("Missing command.")),
    (
        Pattern(r"^No such command (?P<name>'.*')\. Did you mean (?P<matches>.+)\?$"),
        N_("No such command {name}. Did you mean {matches}?"),
    ),
    (Pattern(r"^No such command (?P<name>'.*')\.$"), N_("No such command {name}.")),
    (
        Pattern(r"^No such option: (?P<name>\S+) \(Possible options: (?P<matches>.+)\)$"),
        N_("No such option: {name} (possible options: {matches})"),
    ),
    (Pattern(r"^No such option: (?P<name>.+)$"), N_("No such option: {name}")),
    (
        Pattern(r"^Got unexpected extra argument\(s\) \((?P<args>.*)\)$"),
        N_("Got unexpected extra argument(s) ({args})"),
    ),
    (
        Pattern(r"^Option (?P<name>'.+') requires an argument\.$"),
        N_("Option {name} requires an argument."),
    ),
    (
        Pattern(r"^Option (?P<name>'.+') requires (?P<n>\d+) arguments\.$"),
        N_("Option {name} requires {n} arguments."),
    ),
    (
        Pattern(r"^Option (?P<name>'.+') does not take a value\.$"),
        N_("Option {name} does not take a value."),
    ),
)
_INVALID_FOR = Pattern(r"^Invalid value for (?P<name>.+?): (?P<problem>.+)$", re.DOTALL)
_INVALID = Pattern(r"^Invalid value: (?P<problem>.+)$", re.DOTALL)


def _translate_value_problem(text: str) -> str:
    for pattern, template in _VALUE_PATTERNS:
        found = pattern.match(text)
        if found:
            return _(template).format(**found.groupdict())
    return text


def translate_usage_message(text: str) -> str:
    """One of Click's usage-error messages in the interface language."""
    found = _INVALID_FOR.match(text)
    if found:
        return _("Invalid value for {name}: {problem}").format(
            name=found.group("name"), problem=_translate_value_problem(found.group("problem"))
        )
    found = _INVALID.match(text)
    if found:
        return _("Invalid value: {problem}").format(
            problem=_translate_value_problem(found.group("problem"))
        )
    for pattern, template in _MESSAGE_PATTERNS:
        found = pattern.match(text)
        if found:
            return _(template).format(**found.groupdict())
    return text


class LocalizedUsageError(UsageError):
    """A usage error shown in the interface language (same exit code, 2)."""

    def __init__(self, original: UsageError) -> None:
        super().__init__(translate_usage_message(original.format_message()), original.ctx)
        self.exit_code = original.exit_code

    def format_message(self) -> str:
        return self.message

    def show(self, file: IO[Any] | None = None) -> None:
        # An error's usage text only.
        import sys

        # Fitted to the terminal's width when one shows it (rendering loads only then).
        from followup_cli.render.lines import fitted

        out = file or sys.stderr
        if self.ctx is not None:
            hint = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                hint = _("Try '{command} {option}' for help.").format(
                    command=self.ctx.command_path, option=self.ctx.help_option_names[0]
                )
                hint += "\n"
            print(fitted(f"{self.ctx.get_usage()}\n{hint}", out, hang=2), file=out)
        print(fitted(_("Error: {message}").format(message=self.message), out, hang=2), file=out)


def localize_usage_error(exc: UsageError) -> UsageError:
    """`exc` as the user should see it: translated unless the language is English."""
    if current_language() == ENGLISH or isinstance(exc, LocalizedUsageError | NoArgsIsHelpError):
        return exc
    return LocalizedUsageError(exc)
