"""A terminal table drawn as Rich draws ours, without loading Rich's console.

Every list on a terminal (the clerk's due screen first) is a table whose layout is
already decided (render/output.py: plan_layout): which columns, how wide, each cell
wrapped into lines that fit. What is left is drawing it: a heavy-headed box, one cell
of padding, the header bold where the terminal takes colour, the title above. Rich did
that in ~100 ms for 50 rows of the due list (it measures and renders every cell again,
segment by segment) after ~35 ms of importing; this draws the same bytes in a few
milliseconds. Rich stays for what this does not draw: a title wider than the table (Rich
wraps it), a tab or carriage return in a cell (Rich expands or strips them), a header of
several lines, a stream that is not UTF-8 (Rich's ASCII box) and Windows consoles; for
those, `draw` says None and the caller hands the table to Rich. A test draws random
tables both ways and holds the bytes equal.

Widths are measured here with Rich's own cell table (`rich.cells`, a small module that
loads without the console), so a line is cropped or padded exactly where Rich would.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from rich.cells import cell_len, set_cell_size

from followup_cli.render.lines import rich_dumb_terminal, rich_is_terminal

# Rich's box.HEAVY_HEAD, the default box of rich.table.Table: top, header, the rule
# under the header, body rows, bottom.
TOP = ("┏", "━", "┳", "┓")
HEAD = ("┃", "┃", "┃")
HEAD_RULE = ("┡", "━", "╇", "┩")
BODY = ("│", "│", "│")
BOTTOM = ("└", "─", "┴", "┘")

BOLD_ON, STYLE_OFF = "\x1b[1m", "\x1b[0m"  # Rich's "table.header" style, and its reset


def rich_draws_styles(file: Any, environ: Mapping[str, str] | None = None) -> bool:
    """Would a Rich console on `file` (colour system "auto") write styles, such as the
    bold of a table's header? Rich's own decision (_detect_color_system): a terminal
    that is not dumb."""
    env = os.environ if environ is None else environ
    return rich_is_terminal(file, env) and not rich_dumb_terminal(env)


def draws_here(file: Any) -> bool:
    """Can `draw` stand in for Rich on `file`: a UTF-8 stream (else Rich draws an ASCII
    box), not on Windows (its legacy console has other boxes)?"""
    encoding = (getattr(file, "encoding", "utf-8") or "utf-8").lower()
    return encoding.startswith("utf") and sys.platform != "win32"


def _fitted(line: str, width: int, right: bool) -> str:
    """One line of a cell, `width` cells wide, as Rich's Text justifies it (no wrap,
    overflow fold): left is cropped, then padded; right is stripped, cropped, padded on
    the left."""
    if right:
        line = line.rstrip()
        length = cell_len(line)
        if length > width:
            line = set_cell_size(line, width)
            length = cell_len(line)
        return " " * (width - length) + line
    length = cell_len(line)
    if length > width:
        return set_cell_size(line, width)
    return line + " " * (width - length) if length < width else line


def _plain(text: str) -> bool:
    return "\t" not in text and "\r" not in text


def draw(
    headers: Sequence[str],
    right: Sequence[bool],
    widths: Sequence[int],
    rows: Sequence[Sequence[str]],
    title: str | None,
    styled: bool,
) -> str | None:
    """The table as Rich prints it (Table(title_justify="left"), each column
    `no_wrap`, `overflow="fold"`, `width` its content width; every cell one Text), or
    None when Rich is needed (see the module's note). `rows` hold each cell's text, its
    lines joined by newlines."""
    if not widths or min(widths) < 1:
        return None
    if not all(_plain(h) and "\n" not in h for h in headers):
        return None
    outer = [w + 2 for w in widths]
    table_width = sum(outer) + len(outer) + 1
    out: list[str] = []
    if title:
        if not _plain(title) or "\n" in title:
            return None
        length = cell_len(title)
        if length > table_width or len(title) > table_width:
            return None  # Rich wraps a title wider than its table
        out.append(title + " " * (table_width - length))
    out.append(TOP[0] + TOP[2].join(TOP[1] * w for w in outer) + TOP[3])
    head = []
    for text, w, r in zip(headers, widths, right, strict=True):
        cell = _fitted(text, w, r)
        if styled:
            head.append(f"{BOLD_ON} {STYLE_OFF}{BOLD_ON}{cell}{STYLE_OFF}{BOLD_ON} {STYLE_OFF}")
        else:
            head.append(f" {cell} ")
    out.append(HEAD[0] + HEAD[2].join(head) + HEAD[1])
    out.append(HEAD_RULE[0] + HEAD_RULE[2].join(HEAD_RULE[1] * w for w in outer) + HEAD_RULE[3])
    columns = list(zip(widths, right, outer, strict=True))
    for row in rows:
        cells: list[list[str]] = []
        for text, (w, r, _outer) in zip(row, columns, strict=True):
            if not _plain(text):
                return None
            cells.append([f" {_fitted(line, w, r)} " for line in text.split("\n")])
        height = max(len(c) for c in cells)
        for c, o in zip(cells, outer, strict=True):
            c.extend(" " * o for _ in range(height - len(c)))
        for n in range(height):
            out.append(BODY[0] + BODY[2].join(c[n] for c in cells) + BODY[1])
    out.append(BOTTOM[0] + BOTTOM[2].join(BOTTOM[1] * w for w in outer) + BOTTOM[3])
    return "\n".join(out) + "\n"
