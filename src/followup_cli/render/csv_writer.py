"""The one CSV writer: every `--format csv` list and report, and `export`, write through
`write_rows`, so a cell that Excel would read as a formula is neutralised everywhere.

Text that starts with = + - @ tab or CR gets a leading apostrophe (CSV injection: Excel
runs `=HYPERLINK(...)` in a cell); the importer strips it again (`FORMULA_START` is
shared with it). Numbers are written as they are, a negative one too: only text is
neutralised. Control characters in text are written visibly escaped (`\\x1b`, as on
screen: support/controls.py), whatever is stored; the importer reads that back as text.
No Rich here: `export` writes CSV without loading the terminal layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

from followup_cli.support.controls import raw_stream, visible

# Rows written to the stream at a time.
BATCH_ROWS = 500

# A cell starting with one of these is read by Excel as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class NumberText(str):
    """A number already written as text (a float shown to one decimal, "-2.0"): a figure,
    not text a person typed, so it is written as it is."""

    __slots__ = ()


def cell(value: Any) -> Any:
    """A value as the writer writes it: text neutralised, then its control characters
    visibly escaped (`\\x1b`, as on screen: `cat file.csv` is a terminal too), None as "",
    numbers (and `NumberText`) as they are."""
    if value.__class__ is str:
        return visible("'" + value if value.startswith(FORMULA_START) else value)
    return "" if value is None else value


def fast_cells(row: Sequence[Any]) -> list[Any]:
    """`cell` for every value of a row, inlined (one function call a row, not a cell, on
    lists of thousands of rows); None is left to the csv module, which writes it as "".
    tests/test_csv_output.py holds the written text to the plain `cell`'s."""
    start = FORMULA_START
    return [
        v
        if v.__class__ is not str
        else (("'" + v) if v.startswith(start) else v)
        if v.isprintable()
        else cell(v)
        for v in row
    ]


def line_text(cells: Sequence[Any], line_end: str = "\n") -> str:
    """`cells` as `write_rows` writes them on a line of a file ending lines with
    `line_end`, without the line end (the csv module quotes by the line end)."""
    # Tables, the common output, never load the csv module (start-up).
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerow(fast_cells(cells))
    return buffer.getvalue()[: -len(line_end)]


def write_rows(
    out: IO[str],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    line_end: str = "\n",
    bom: bool = False,
) -> int:
    """Write `header`, then every row with each cell as `cell` gives it; streamed. Returns
    the number of rows. A row that is a str is a line made already (`line_text`), written
    as it is. `bom` and `line_end` are the file's dialect (Excel wants a BOM
    and CRLF; a pipe wants neither)."""
    # Tables, the common output, never load the csv module (start-up).
    import csv
    import io
    from itertools import islice

    # Every cell is escaped as it is made: the rows go to the stream beneath stdout's,
    # a batch of lines at a time (one write per row costs more than making the row).
    out = raw_stream(out)
    if bom:
        out.write("\ufeff")
    batch = io.StringIO()
    writer = csv.writer(batch, lineterminator=line_end)
    writer.writerow(fast_cells(header))
    out.write(batch.getvalue())
    count = 0
    it = iter(rows)
    while chunk := list(islice(it, BATCH_ROWS)):
        batch.seek(0)
        batch.truncate()
        for row in chunk:
            if row.__class__ is str:
                batch.write(row + line_end)
            else:
                writer.writerow(fast_cells(row))
        out.write(batch.getvalue())
        count += len(chunk)
    return count
