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
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any, TypeVar

from followup_cli.domain.texts import Message, render
from followup_cli.render import csv_writer as csvout
from followup_cli.render import wrap as wrapping
from followup_cli.render.lines import console as _console
from followup_cli.render.lines import error as error  # (re-exported)
from followup_cli.render.lines import fitted as fitted  # (re-exported)
from followup_cli.render.lines import message as message  # (re-exported)
from followup_cli.render.lines import paragraph as paragraph  # (re-exported)
from followup_cli.render.lines import set_wide as set_wide  # (re-exported)
from followup_cli.render.lines import stdout_is_terminal as stdout_is_terminal  # (re-exported)
from followup_cli.render.lines import stream_is_terminal as stream_is_terminal  # (re-exported)
from followup_cli.render.lines import terminal_width as terminal_width  # (re-exported)
from followup_cli.render.lines import warn as warn  # (re-exported)
from followup_cli.render.lines import wide_tables
from followup_cli.render.wrap import cell_width as cell_width  # (re-exported)
from followup_cli.support.controls import json_visible, raw_stream
from followup_cli.support.controls import visible as visible  # (re-exported)
from followup_cli.support.i18n import ENGLISH, _, english, label

FORMATS = ("table", "csv", "json")
T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    justify: str = "left"  # left | right
    value: Callable[[dict[str, Any]], Any] | None = None
    min_width: int | None = None  # free text: the narrowest it is drawn (when it has more)
    kind: str | None = None  # the vocabulary of a stored value, shown through `label`
    # Free text (names, reasons, notes) wraps between words and phrases; anything else
    # (codes, phones, dates, ids, grades, statuses, counts) is drawn whole on one line.
    wrap: bool = False
    # On a terminal too narrow for every column, columns are kept in this order
    # (lowest first, then as declared) while they fit; the others are left out, and
    # a note under the table names them.
    priority: int = 50
    # A list value on a terminal: one item a line; in plain text, joined by this.
    separator: str | None = None
    # The field of the JSON record this column writes, where its key is another
    # (`d5` for distribution.5): a list's CSV does not write it twice.
    carries: str | None = None

    def text(self, record: dict[str, Any]) -> str:
        raw = self.value(record) if self.value else record.get(self.key)
        if self.separator is not None and isinstance(raw, list | tuple):
            return self.separator.join(display(v) for v in raw)
        if self.kind is not None and raw is not None and not isinstance(raw, bool):
            return visible(label(self.kind, raw))
        return display(raw)

    def lines(self, record: dict[str, Any]) -> str:
        """The cell on a terminal: a list value one item a line."""
        raw = self.value(record) if self.value else record.get(self.key)
        if self.separator is not None and isinstance(raw, list | tuple):
            return "\n".join(display(v) for v in raw)
        return self.text(record)


def display(value: Any) -> str:
    """A value as text for a person; control characters visibly escaped (`\\x1b`),
    whatever the database holds (support/controls.py)."""
    if value.__class__ is str:
        return visible(value)
    if value is None:
        return ""
    if isinstance(value, Message):
        return visible(render(value))  # a generated text, in the interface language
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, list | tuple):
        return ", ".join(display(v) for v in value)
    return visible(str(value))


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

        _console().print(Text(fitted(text), style="bold"))
    else:
        print(text)


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
    rows = [row_cells(columns, r) for r in records]
    return aligned_lines(columns, rows, [[cell_width(t) for t in row] for row in rows])


def row_cells(columns: Sequence[Column], record: dict[str, Any]) -> list[str]:
    """A record's cells as a plain table prints them (escaped, each on one line)."""
    return [_one_line(c.text(record)) for c in columns]


def aligned_lines(
    columns: Sequence[Column], rows: Iterable[Sequence[str]], cells: Sequence[Sequence[int]]
) -> Iterator[str]:
    """Header, a rule and the rows (`row_cells`, read once, after the widths), each cell
    padded to its column; `cells` holds each cell's width in terminal cells, measured
    once."""
    headers = [visible(c.header) for c in columns]
    widths = [cell_width(h) for h in headers]
    for measured in cells:
        widths = list(map(max, widths, measured))
    yield "  ".join(pad(h, widths[i], "left") for i, h in enumerate(headers)).rstrip()
    yield "  ".join("-" * w for w in widths)
    right = [c.justify == "right" for c in columns]
    for row, measured in zip(rows, cells, strict=True):
        yield "  ".join(
            [
                " " * (w - n) + t if r else t + " " * (w - n)
                for t, n, w, r in zip(row, measured, widths, right, strict=True)
            ]
        ).rstrip()


def print_plain_rows(
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    cells: Sequence[Sequence[int]],
    title: str | None,
) -> None:
    """A plain table (not on a terminal: cron mail, a pipe) of rows made already."""
    if title:
        print(title)
    out = raw_stream(sys.stdout)  # every cell is escaped already (display, Column.text)
    lines = aligned_lines(columns, rows, cells)
    while batch := list(islice(lines, 1000)):
        out.write("\n".join(batch) + "\n")


def table_overhead(n: int) -> int:
    """Cells a Rich table of `n` columns takes besides its content: a border each side
    of each column and one cell of padding either side of its content."""
    return 3 * n + 1


@dataclass(frozen=True)
class Layout:
    """Which columns a terminal table shows, and how wide each is drawn."""

    kept: tuple[int, ...]  # indexes into the columns, in their order
    widths: tuple[int, ...]  # content width of each kept column, in cells
    dropped: tuple[int, ...]  # left out for want of room (not the empty ones)

    @property
    def width(self) -> int:
        return sum(self.widths) + table_overhead(len(self.widths))


SHORT_TEXT = 32  # cells: a free text no wider than this is drawn whole when there is room


def plan_layout(
    columns: Sequence[Column], cells: Sequence[Sequence[str]], width: int, wide: bool = False
) -> Layout:
    """Fit a table into `width` cells. A column takes at least its header and its widest
    whole piece (codes and dates entire, free text at its `min_width`); columns that
    have no content are left out; then columns are kept by `priority` while they fit
    (all of them with `wide`); free text shares the room left, the narrowest first."""
    n = len(columns)
    natural = [cell_width(c.header) for c in columns]
    need = list(natural)
    filled = [False] * n
    for row in cells:
        for i, text in enumerate(row):
            if not text:
                continue
            filled[i] = True
            natural[i] = max(natural[i], *(cell_width(line) for line in text.split("\n")))
            if columns[i].wrap:
                need[i] = max(need[i], wrapping.min_width(text))
    for i, c in enumerate(columns):
        if c.wrap:
            floor = c.min_width if c.min_width is not None else 12
            need[i] = max(need[i], min(natural[i], floor))
        else:
            need[i] = natural[i]
    candidates = [i for i in range(n) if filled[i]]
    if wide:
        kept = candidates
    else:
        kept = []
        for i in sorted(candidates, key=lambda i: (columns[i].priority, i)):
            if sum(need[j] for j in kept) + need[i] + table_overhead(len(kept) + 1) <= width:
                kept.append(i)
        kept.sort()
    widths = {i: need[i] for i in kept}
    room = width - sum(widths.values()) - table_overhead(len(kept))
    # A short text (a name, a contact) whole on one line first, by priority, if it can be;
    for i in sorted(kept, key=lambda i: (columns[i].priority, i)):
        if columns[i].wrap and natural[i] <= SHORT_TEXT and natural[i] - widths[i] <= room:
            room -= natural[i] - widths[i]
            widths[i] = natural[i]
    # then free text grows towards its natural width, sharing the room (water filling).
    growing = sorted((i for i in kept if natural[i] > widths[i]), key=lambda i: natural[i])
    while growing and room > 0:
        share = max(room // len(growing), 1)
        i = growing[0]
        step = min(share, natural[i] - widths[i], room)
        widths[i] += step
        room -= step
        if widths[i] >= natural[i]:
            growing.pop(0)
        else:
            growing.append(growing.pop(0))
    dropped = tuple(i for i in candidates if i not in widths)
    return Layout(tuple(kept), tuple(widths[i] for i in kept), dropped)


def dropped_note(headers: Sequence[str]) -> str:
    return _("Not shown: {columns} (--wide, --format csv)").format(columns=_(", ").join(headers))


def rich_table(
    columns: Sequence[Column],
    drawn: Sequence[Sequence[str]],
    layout: Layout,
    title: str | None,
) -> Any:
    """A Rich table of `drawn` (each row's kept cells, free text already wrapped to
    its width: `_drawn_cells`; Rich would split Chinese anywhere) in `layout` (see
    plan_layout), drawn without wrapping."""
    # Rich loads only when a terminal shows a table box_table does not draw itself.
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(visible(title)) if title else None, title_justify="left", show_lines=False
    )
    for i, w in zip(layout.kept, layout.widths, strict=True):
        c = columns[i]
        table.add_column(
            Text(visible(c.header)),
            justify="right" if c.justify == "right" else "left",
            no_wrap=True,
            overflow="fold",
            width=w,
        )
    for row in drawn:
        table.add_row(*(Text(text) for text in row))
    return table


def _drawn_cells(
    columns: Sequence[Column], cells: Sequence[Sequence[str]], layout: Layout
) -> Iterator[list[str]]:
    """Each row's kept cells as drawn: free text wrapped to its column's width."""
    kept = list(zip(layout.kept, layout.widths, strict=True))
    for row in cells:
        yield ["\n".join(wrapping.wrap(row[i], w)) if columns[i].wrap else row[i] for i, w in kept]


def print_rich_table(
    columns: Sequence[Column], records: Sequence[dict[str, Any]], title: str | None
) -> None:
    """A table on the terminal, and the note naming the columns left out. It is drawn
    here (render/box_table.py, the bytes Rich would write) unless it needs Rich."""
    # (box_table loads rich.cells, a small part of Rich, only when a terminal shows a table)
    from followup_cli.render import box_table

    width = terminal_width()
    cells = [[c.lines(r) for c in columns] for r in records]
    layout = plan_layout(columns, cells, width, wide_tables())
    rows = list(_drawn_cells(columns, cells, layout))
    out = raw_stream(sys.stdout)
    drawn = None
    if box_table.draws_here(out):
        drawn = box_table.draw(
            [visible(columns[i].header) for i in layout.kept],
            [columns[i].justify == "right" for i in layout.kept],
            layout.widths,
            rows,
            visible(title) if title else None,
            box_table.rich_draws_styles(out),
        )
    if drawn is None:
        _console(width=max(width, layout.width)).print(rich_table(columns, rows, layout, title))
    else:
        out.write(drawn)
        out.flush()
    if layout.dropped:
        note = dropped_note([columns[i].header for i in layout.dropped])
        print(fitted(note, hang=2))


def _json_default(value: Any) -> Any:
    if isinstance(value, Message):
        return render(value, ENGLISH)  # JSON never changes with the language
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


LONG_LIST = 200  # a JSON list longer than this has one record per line
# One record of a long list on its line (the C encoder, made once).
_json_encode = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode


def _json_line(data: Any) -> str:
    return json_visible(_json_encode(data))


def to_json(data: Any) -> str:
    """Indented JSON; a long list has one record per line instead (the indenting encoder
    is pure Python: a due list of 40,000 customers would take seconds)."""
    if isinstance(data, list) and len(data) > LONG_LIST:
        return "[\n" + ",\n".join(map(_json_line, data)) + "\n]"
    return json_visible(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def print_json_list(
    items: Iterable[T | str], record: Callable[[T], Any], out: IO[str] | None = None
) -> None:
    """What `print(to_json([record(x) for x in items]))` prints, without holding a long
    list: past LONG_LIST items, each record is written as it comes, on its line. An item
    that is a str is a long list's line made already (the due list's kept lines); a
    short list has none."""
    out = out or sys.stdout
    it = iter(items)
    head = list(islice(it, LONG_LIST + 1))
    if len(head) <= LONG_LIST:
        assert not any(isinstance(x, str) for x in head), "a short list is made, not kept"
        out.write(to_json([record(x) for x in head if not isinstance(x, str)]) + "\n")
        return

    def line(x: T | str) -> str:
        return x if isinstance(x, str) else _json_line(record(x))

    out.write("[\n" + ",\n".join(map(line, head)))
    while batch := list(islice(it, 1000)):
        out.write(",\n" + ",\n".join(map(line, batch)))
    out.write("\n]\n")


def flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A JSON record as CSV cells: a nested object's keys as `parent_key`
    (`indicators_overdue`), a list of values in one cell ("; " between them), a list of
    objects as one JSON text (a CSV cell holds no table)."""
    cells: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            cells.update(flat(value, f"{name}_"))
        elif isinstance(value, list | tuple):
            if all(not isinstance(v, dict | list | tuple) for v in value):
                cells[name] = "; ".join(display(v) for v in value)
            else:
                cells[name] = json.dumps(value, ensure_ascii=False, default=_json_default)
        else:
            cells[name] = value
    return cells


def with_every_field(
    columns: Sequence[Column], records: Sequence[dict[str, Any]]
) -> tuple[list[Column], list[dict[str, Any]]]:
    """The columns and records of a list's CSV: the columns declared, then, at the end
    (a reader's existing columns stay where they were), every other field its JSON has,
    as `flat` writes it."""
    known = {c.key for c in columns} | {c.carries for c in columns if c.carries}
    extra: list[str] = []
    rows = []
    for record in records:
        cells = flat(record)
        for key in cells:
            if key not in known:
                known.add(key)
                extra.append(key)
        rows.append({**cells, **record})
    return [*columns, *(Column(k, k) for k in extra)], rows


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
        # What the JSON has, the CSV has: the fields no column shows come at the end.
        shown = csv_columns or columns
        if json_data is None:
            write_csv(*with_every_field(shown, records))
        else:
            write_csv(shown, records)
        return
    if not records:
        if title:
            print(title)
        print(_("Nothing to show.") if empty is None else empty)
        return
    if stdout_is_terminal():
        print_rich_table(columns, records, title)
        return
    rows = [row_cells(columns, r) for r in records]
    print_plain_rows(columns, rows, [[cell_width(t) for t in row] for row in rows], title)


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
    record: str = "record",
) -> None:
    """One record: a title, `label: value` lines, then a table per section. `fields`
    makes the lines, in the interface language. Its CSV is its JSON: see
    `write_detail_csv` (`record` names the record's own part)."""
    if fmt == "json":
        print(to_json(json_data))
        return
    if fmt == "csv":
        write_detail_csv(record, json_data)
        return
    shown = fields()
    terminal = stdout_is_terminal()
    label_width = max((cell_width(name) for name, _value in shown), default=0)
    if terminal:
        # Rich loads only when a terminal shows the output (start-up; cron and pipes skip it).
        from rich.text import Text

        console = _console()
        console.print(Text("\n".join(detail_lines(title, shown, console.width))))
        for section in sections:
            console.print()
            if section.records:
                print_rich_table(section.columns, section.records, section.title)
            else:
                console.print(Text(_empty_section(section)))
        return
    lines = [visible(title), ""]
    for name, value in shown:
        text = display(value)
        if text:
            lines.append(f"  {pad(name, label_width, 'left')}  {text}")
    print("\n".join(lines))
    for section in sections:
        print()
        if section.records:
            print(section.title)
            print(plain_table(section.columns, section.records))
        else:
            print(_empty_section(section))


def detail_parts(record: str, data: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """A record's JSON in parts: the record's own fields (`record`), then each list of
    records it holds (contacts, history...), named by its JSON key."""
    own = {k: v for k, v in data.items() if not _is_table(v)}
    return [(record, [own])] + [(k, list(v)) for k, v in data.items() if _is_table(v)]


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def write_detail_csv(record: str, data: dict[str, Any], out: IO[str] | None = None) -> None:
    """One record as one CSV, every part of its JSON in it: a first column `section`
    naming the part of each row (the record itself, then each list it holds, as
    `report daily --format csv`), then every field any part has (empty where a part has
    none), as `flat` writes them. A list with no record has no row."""
    rows = [
        {"section": name, **flat(item)}
        for name, items in detail_parts(record, data)
        for item in items
    ]
    header = ["section"]
    seen = set(header)
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                header.append(key)
    with english():  # stored values as they are: English, no labels
        csvout.write_rows(
            out or sys.stdout, header, ([_csv_cell(row.get(k)) for k in header] for row in rows)
        )


def detail_lines(title: str, shown: Sequence[tuple[str, Any]], width: int) -> list[str]:
    """The title and `label  value` lines of a record on a terminal of `width` cells: a
    long value wraps between words and phrases, under itself."""
    label_width = max((cell_width(name) for name, _value in shown), default=0)
    indent = 2 + label_width + 2
    lines = wrapping.wrap(visible(title), width) + [""]
    for name, value in shown:
        text = display(value)
        if not text:
            continue
        room = max(width - indent, 20)
        first, *rest = wrapping.wrap(text, room)
        lines.append(f"  {pad(name, label_width, 'left')}  {first}")
        lines.extend(" " * indent + line for line in rest)
    return lines


def _empty_section(section: Section) -> str:
    empty = _("none") if section.empty is None else section.empty
    return visible(_("{title}: {empty}").format(title=section.title, empty=empty))


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
            console=Console(file=raw_stream(sys.stderr)),
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
