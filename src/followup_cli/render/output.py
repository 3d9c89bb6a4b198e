"""The output layer: tables, key/value blocks, CSV and JSON. The only module that imports Rich.

- On a terminal, `table` draws a Rich table: user data is never read as markup
  (cells are `Text` objects), long Chinese text wraps instead of being cut, and
  NO_COLOR is honoured.
- Off a terminal (cron mail, pipes), `table` prints plain aligned text: no colour,
  no box drawing, column widths measured in terminal cells (CJK = 2), nothing cut.
  Rich is not even imported then.
- `csv` and `json` never carry colour or markup; JSON keeps numbers as numbers. CSV goes
  through the one csv writer (followup_cli.render.csv_writer): formula-like text is neutralised
  there, as `export` does.
- Tables speak the interface language (headers, and stored values through a column's
  `kind`: see followup_cli.support.i18n.label); CSV is written in English whatever it is.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any, TypeVar

from followup_cli.domain.texts import Message, render
from followup_cli.render import csv_writer as csvout
from followup_cli.support.i18n import ENGLISH, _, english, label

FORMATS = ("table", "csv", "json")
T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    justify: str = "left"  # left | right
    value: Callable[[dict[str, Any]], Any] | None = None
    min_width: int | None = None
    kind: str | None = None  # the vocabulary of a stored value, shown through `label`

    def text(self, record: dict[str, Any]) -> str:
        raw = self.value(record) if self.value else record.get(self.key)
        if self.kind is not None and raw is not None and not isinstance(raw, bool):
            return label(self.kind, raw)
        return display(raw)


def display(value: Any) -> str:
    if value.__class__ is str:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, Message):
        return render(value)  # a generated text, in the interface language
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, list | tuple):
        return ", ".join(display(v) for v in value)
    return str(value)


BAR_PARTS = " ▏▎▍▌▋▊▉█"


def bar(value: float, maximum: float, width: int = 24) -> str:
    """A horizontal bar of `width` cells for value/maximum (eighths of a cell)."""
    if maximum <= 0 or value <= 0:
        return ""
    eighths = round(8 * width * min(value / maximum, 1.0))
    full, part = divmod(eighths, 8)
    return "█" * full + (BAR_PARTS[part] if part else "")


def heading(text: str) -> None:
    """A section heading in a report (plain text; bold on a terminal)."""
    if stdout_is_terminal():
        # Rich loads only when a terminal shows the output (start-up; cron and pipes skip it).
        from rich.text import Text

        _console().print(Text(text, style="bold"))
    else:
        print(text)


def stdout_is_terminal() -> bool:
    if os.environ.get("FOLLOWUP_FORCE_TERMINAL"):
        return True
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def cell_width(text: str) -> int:
    """Width in terminal cells: East Asian wide and full-width characters take two."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, justify: str = "left") -> str:
    """`text` padded to `width` terminal cells."""
    gap = width - cell_width(text)
    return (" " * gap + text) if justify == "right" else (text + " " * gap)


def _one_line(text: str) -> str:
    return " ".join(text.split()) if ("\n" in text or "\r" in text or "\t" in text) else text


def plain_table(columns: Sequence[Column], records: Sequence[dict[str, Any]]) -> str:
    """Aligned plain text: header, a rule, one line per record; stable for cron mail."""
    return "\n".join(plain_lines(columns, records))


def plain_lines(columns: Sequence[Column], records: Sequence[dict[str, Any]]) -> Iterator[str]:
    """The lines of `plain_table`, made as they are written (a cron job's due list may
    have tens of thousands)."""
    rows = [[_one_line(c.text(r)) for c in columns] for r in records]
    widths = [cell_width(c.header) for c in columns]
    for row in rows:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], cell_width(text))
    yield "  ".join(pad(c.header, widths[i], "left") for i, c in enumerate(columns)).rstrip()
    yield "  ".join("-" * w for w in widths)
    for row in rows:
        yield "  ".join(pad(t, widths[i], columns[i].justify) for i, t in enumerate(row)).rstrip()


def _console(file: IO[str] | None = None) -> Any:
    # Rich loads only when a terminal shows the output (start-up; cron and pipes skip it).
    from rich.console import Console

    return Console(file=file or sys.stdout, highlight=False, emoji=False, markup=False)


def rich_table(
    columns: Sequence[Column], records: Sequence[dict[str, Any]], title: str | None
) -> Any:
    # Rich loads only when a terminal shows the output (start-up; cron and pipes skip it).
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, title_justify="left", show_lines=False)
    for c in columns:
        table.add_column(
            Text(c.header),
            justify="right" if c.justify == "right" else "left",
            overflow="fold",
            min_width=c.min_width,
        )
    for r in records:
        table.add_row(*(Text(c.text(r)) for c in columns))
    return table


def _json_default(value: Any) -> Any:
    if isinstance(value, Message):
        return render(value, ENGLISH)  # JSON never changes with the language
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


LONG_LIST = 200  # a JSON list longer than this has one record per line
# One record of a long list on its line (the C encoder, made once).
_json_line = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode


def to_json(data: Any) -> str:
    """Indented JSON; a long list has one record per line instead (the indenting encoder
    is pure Python: a due list of 40,000 customers would take seconds)."""
    if isinstance(data, list) and len(data) > LONG_LIST:
        return "[\n" + ",\n".join(map(_json_line, data)) + "\n]"
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)


def print_json_list(
    items: Iterable[T], record: Callable[[T], Any], out: IO[str] | None = None
) -> None:
    """What `print(to_json([record(x) for x in items]))` prints, without holding a long
    list: past LONG_LIST items, each record is written as it comes, on its line."""
    out = out or sys.stdout
    it = iter(items)
    head = list(islice(it, LONG_LIST + 1))
    if len(head) <= LONG_LIST:
        out.write(to_json([record(x) for x in head]) + "\n")
        return

    def line(x: T) -> str:
        return _json_line(record(x))

    out.write("[\n" + ",\n".join(map(line, head)))
    while batch := list(islice(it, 1000)):
        out.write(",\n" + ",\n".join(map(line, batch)))
    out.write("\n]\n")


def write_csv(
    columns: Sequence[Column], records: Iterable[dict[str, Any]], out: IO[str] | None = None
) -> None:
    getters = [c.value or itemgetter_default(c.key) for c in columns]
    with english():  # stored values as they are: English, no labels
        csvout.write_rows(
            out or sys.stdout,
            [c.key for c in columns],
            ([_csv_cell(get(r)) for get in getters] for r in records),
        )


def write_csv_rows(
    header: Sequence[str], rows: Iterable[Sequence[Any]], out: IO[str] | None = None
) -> None:
    """CSV of rows whose cells are ready to write (strings and integers as they are,
    None as ""), streamed: what `write_csv` writes, for a caller that made the cells."""
    csvout.write_rows(out or sys.stdout, header, rows)


def itemgetter_default(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda record: record.get(key)


def _csv_cell(value: Any) -> Any:
    """Strings and numbers as they are (the writer writes None as ""); the rest as
    `display` shows them (a float's one decimal is a figure: never neutralised)."""
    if value.__class__ in (str, int, csvout.NumberText) or value is None:
        return value
    if isinstance(value, float):
        return csvout.NumberText(display(value))
    return display(value)


def print_records(
    records: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    fmt: str,
    *,
    title: str | None = None,
    empty: str | None = None,
    json_data: Any = None,
    csv_columns: Sequence[Column] | None = None,
) -> None:
    """Print a list in the chosen format. `json_data` replaces `records` for JSON."""
    if fmt == "json":
        print(to_json(records if json_data is None else json_data))
        return
    if fmt == "csv":
        write_csv(csv_columns or columns, records)
        return
    if not records:
        if title:
            print(title)
        print(_("Nothing to show.") if empty is None else empty)
        return
    if stdout_is_terminal():
        _console().print(rich_table(columns, records, title))
        return
    if title:
        print(title)
    out = sys.stdout
    for line in plain_lines(columns, records):
        out.write(line + "\n")


@dataclass
class Section:
    title: str
    records: Sequence[dict[str, Any]]
    columns: Sequence[Column]
    empty: str | None = None  # default: "none"


def print_detail(
    title: str,
    fields: Callable[[], Sequence[tuple[str, Any]]],
    sections: Sequence[Section],
    fmt: str,
    json_data: Any,
) -> None:
    """One record: a title, `label: value` lines, then a table per section. `fields`
    makes the lines (in English for CSV, in the interface language for a table)."""
    if fmt == "json":
        print(to_json(json_data))
        return
    if fmt == "csv":
        with english():
            csvout.write_rows(
                sys.stdout, ["field", "value"], [[name, _csv_cell(v)] for name, v in fields()]
            )
        return
    shown = fields()
    terminal = stdout_is_terminal()
    label_width = max((cell_width(name) for name, _value in shown), default=0)
    lines = [title, ""]
    for name, value in shown:
        text = display(value)
        if text:
            lines.append(f"  {pad(name, label_width, 'left')}  {text}")
    if terminal:
        # Rich loads only when a terminal shows the output (start-up; cron and pipes skip it).
        from rich.text import Text

        console = _console()
        console.print(Text("\n".join(lines)))
        for section in sections:
            console.print()
            if section.records:
                console.print(rich_table(section.columns, section.records, section.title))
            else:
                console.print(Text(_empty_section(section)))
        return
    print("\n".join(lines))
    for section in sections:
        print()
        if section.records:
            print(section.title)
            print(plain_table(section.columns, section.records))
        else:
            print(_empty_section(section))


def _empty_section(section: Section) -> str:
    empty = _("none") if section.empty is None else section.empty
    return _("{title}: {empty}").format(title=section.title, empty=empty)


def message(text: str) -> None:
    """A confirmation for the user, on stdout."""
    print(text)


def warn(text: str) -> None:
    print(_("Warning: {message}").format(message=text), file=sys.stderr)


def error(text: str, hint: str | None = None) -> None:
    print(_("Error: {message}").format(message=text), file=sys.stderr)
    if hint:
        print(hint, file=sys.stderr)


class ProgressBar:
    """A Rich progress bar on stderr, called as progress(phase, done, total)."""

    def __init__(self) -> None:
        # Rich loads only when a terminal shows the output (start-up; cron and pipes skip it).
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self._progress.start()
        self._tasks: dict[str, Any] = {}

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        task = self._tasks.get(phase)
        if task is None:
            task = self._tasks[phase] = self._progress.add_task(_(phase), total=total)
        self._progress.update(task, completed=done, total=total)

    def close(self) -> None:
        self._progress.stop()
