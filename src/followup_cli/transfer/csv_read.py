"""Reading CSV files the way offices write them, strictly.

Encodings are detected in a fixed order, never guessed statistically: a UTF-8 BOM, a
UTF-16 BOM, then UTF-8 if the whole file decodes as UTF-8, then GB18030 (what Excel
writes on Chinese Windows) if the whole file decodes as that and reads as Chinese
(`encodings`: Big5 and Shift-JIS files decode as GB18030 too); otherwise an error that
says where the file stops making sense. A file with a BOM is decoded strictly as it is
read: a line that does not decode is named (file:line). UTF-32 is refused.

Only a regular file is read (a device, a FIFO or a folder is refused before it is
opened for reading), and no line or cell may be longer than MAX_LINE characters, so
memory stays bounded whatever the file holds.

The delimiter is a comma, or a tab (Excel's "Unicode Text") when the first record (read
with the csv module's quoting, so a quoted header cell may hold a newline) has tabs and
no comma between its cells; a file separated by semicolons is refused with what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import IO

from followup_cli.support.errors import DataError, UsageError
from followup_cli.support.i18n import N_, _
from followup_cli.transfer.encodings import (
    CHUNK,  # (the size of a read, for tests that straddle it)
    UTF32_BOMS,
    Tally,
    first_undecodable,
    foreign_text,
    line_of,
    not_utf8,
    not_utf16,
    utf8_before,
)

ENCODINGS = ("auto", "utf-8", "utf-16", "gb18030")
# The longest physical line and the longest cell read, in characters: a note is at most
# 20,000 (fields.MAX_TEXT), so anything longer is not an office's CSV (or a quote was
# never closed); memory stays bounded for /dev/zero-like files of any size.
MAX_LINE = 1 << 20

csv.field_size_limit(MAX_LINE)

__all__ = [
    "CHUNK",
    "MAX_LINE",
    "CsvSource",
    "detect",
    "open_text",
    "physical_lines",
    "record_batches",
    "rows",
]


@dataclass
class CsvSource:
    path: Path
    encoding: str  # a Python codec name
    label: str  # what the user is told: UTF-8, UTF-8 with BOM, UTF-16, GB18030
    delimiter: str
    bom: bytes = b""  # the byte-order mark the file starts with


def _decodes(path: Path, codec: str, skip: int = 0, tally: Tally | None = None) -> tuple[bool, int]:
    """Whether the whole file decodes with `codec`; else the byte offset where it fails.
    With `tally`, the decoded text is counted into it (GB18030's plausibility)."""
    where = first_undecodable(path, codec, skip, tally)
    return where is None, where or 0


_KINDS = {
    stat.S_IFCHR: N_("a device"),
    stat.S_IFBLK: N_("a device"),
    stat.S_IFIFO: N_("a FIFO (named pipe)"),
    stat.S_IFSOCK: N_("a socket"),
}


def _regular_head(path: Path) -> tuple[bytes, int]:
    """The first 4 bytes and the size of `path`, refused unless it is a regular file.
    Opened without blocking (a FIFO with no writer would hang) and looked at before any
    read (/dev/zero never ends)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise DataError(_("{path}: no such file").format(path=path)) from None
    except IsADirectoryError:
        raise DataError(_("{path} is a folder, not a CSV file").format(path=path)) from None
    except OSError as exc:
        raise DataError(
            _("{path}: cannot read it ({error})").format(path=path, error=exc.strerror)
        ) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DataError(_("{path} is a folder, not a CSV file").format(path=path))
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), N_("not a regular file"))
            raise DataError(
                _("{path} is {kind}, not a CSV file").format(path=path, kind=_(kind)),
                _("Import reads a regular file: save the data to a .csv file first."),
            )
        try:
            return os.read(fd, 4), info.st_size
        except OSError as exc:
            raise DataError(
                _("{path}: cannot read it ({error})").format(path=path, error=exc.strerror)
            ) from None
    finally:
        os.close(fd)


def _utf16_checks(path: Path, head: bytes, size: int) -> None:
    if not (head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE)):
        raise DataError(
            _("{path}: no UTF-16 byte-order mark at the start of the file").format(path=path),
            _(
                "Save it from Excel as 'Unicode Text' (which writes the mark) or as"
                " 'CSV UTF-8', and leave out --encoding."
            ),
        )
    if size % 2:
        raise DataError(
            _(
                "{path}: {size} bytes, an odd number: UTF-16 text has two bytes per unit,"
                " so the file is cut short or not UTF-16"
            ).format(path=path, size=size),
            _("Save it again from Excel as 'CSV UTF-8' or 'Unicode Text'."),
        )


def detect(path: Path, requested: str = "auto") -> CsvSource:
    """Open `path` for reading as CSV in the detected (or requested) encoding."""
    if requested not in ENCODINGS:
        raise UsageError(
            _("unknown encoding '{encoding}'").format(encoding=requested),
            _("Use auto, utf-8, utf-16 or gb18030."),
        )
    head, size = _regular_head(path)
    if head.startswith(UTF32_BOMS):
        raise DataError(
            _("{path}: UTF-32 is not supported").format(path=path),
            _("Save it as UTF-8 (Excel: 'CSV UTF-8') and import it again."),
        )
    bom8 = head.startswith(codecs.BOM_UTF8)
    bom16 = head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE)
    bom = head[:3] if bom8 else head[:2] if bom16 else b""
    if requested == "auto":
        if bom8:
            # Decoded strictly as it is read (rows): a failing line is named then.
            codec, label = "utf-8-sig", N_("UTF-8 with BOM")
        elif bom16:
            _utf16_checks(path, head, size)
            codec, label = "utf-16", "UTF-16"
        else:
            ok, where = _decodes(path, "utf-8")
            tally = Tally()
            if ok:
                codec, label = "utf-8", "UTF-8"
            elif utf8_before(path, where):  # UTF-8, then lines from somewhere else
                raise not_utf8(path, where, label="UTF-8", bom=False, mixed=True)
            elif _decodes(path, "gb18030", tally=tally)[0]:
                if tally.implausible():
                    raise foreign_text(path, tally)
                codec, label = "gb18030", "GB18030"
            else:
                raise DataError(
                    _(
                        "{path}: not UTF-8, UTF-16 or GB18030 text (undecodable byte at line"
                        " {line}, byte {byte})"
                    ).format(path=path, line=line_of(path, where), byte=where + 1),
                    _("Save it from Excel as 'CSV UTF-8', or give --encoding if you know it."),
                )
    else:
        codec = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "gb18030": "gb18030"}[requested]
        label = {"utf-8": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030"}[requested]
        if requested == "gb18030" and (bom8 or bom16):
            raise DataError(
                _("{path} starts with a Unicode BOM; it is not GB18030").format(path=path),
                _("Leave out --encoding to detect it."),
            )
        if requested == "utf-16":
            _utf16_checks(path, head, size)
        counted = Tally() if requested == "gb18030" else None
        # Checked without the BOM, so that the offset of a bad byte counts from the start.
        strict = {"utf-8": "utf-8", "utf-16": _utf16_codec(bom), "gb18030": "gb18030"}[requested]
        ok, where = _decodes(path, strict, len(bom) if requested != "gb18030" else 0, counted)
        if not ok and bom8:
            raise not_utf8(path, where, label=label, bom=True, mixed=False)
        if not ok and requested == "utf-16":
            raise not_utf16(path, where, strict)
        if not ok:
            raise DataError(
                _(
                    "{path}: not valid {encoding} (undecodable byte at line {line}, byte {byte})"
                ).format(path=path, encoding=label, line=line_of(path, where), byte=where + 1),
                _("Leave out --encoding to detect it, or save the file as 'CSV UTF-8'."),
            )
        if counted is not None and counted.implausible():
            raise foreign_text(path, counted)
    with path.open("rb") as fh:
        head_bytes = fh.read(4096)
    # ASCII text in UTF-16 without a BOM decodes as UTF-8 with a NUL every other byte.
    if codec in ("utf-8", "utf-8-sig", "gb18030") and head_bytes.count(b"\x00") * 4 > len(
        head_bytes
    ):
        raise DataError(
            _(
                "{path}: the file holds NUL bytes; it looks like UTF-16 without a byte-order mark"
            ).format(path=path),
            _("Save it from Excel as 'CSV UTF-8' or 'Unicode Text' (UTF-16 with a BOM)."),
        )
    source = CsvSource(path, codec, label, ",", bom)
    source.delimiter = _sniff(source)
    return source


def _first_record(source: CsvSource, delimiter: str) -> list[str]:
    """The first record that is not blank, read with `delimiter` (empty when the file
    has none or its quoting is broken: the real read reports that, with its line)."""
    with open_text(source) as fh:
        reader = csv.reader(_lines(source, fh), delimiter=delimiter)
        try:
            for record in reader:
                if not _blank(record):
                    return record
        except csv.Error:
            return []
        except UnicodeError:
            raise _undecodable(source) from None
    return []


def _sniff(source: CsvSource) -> str:
    """The delimiter, from the first record (its quoted cells may hold newlines)."""
    for delimiter in (",", "\t", ";"):
        if len(_first_record(source, delimiter)) > 1:
            break
    else:
        return ","  # one column
    if delimiter == ";":
        raise DataError(
            _("{path}: this file uses ';' as separator").format(path=source.path),
            _("Save it as comma-separated (Excel: 'CSV UTF-8') and import it again."),
        )
    return delimiter


def _utf16_codec(bom: bytes) -> str:
    return "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"


def _undecodable(source: CsvSource) -> DataError:
    """The error for bytes that did not decode while the file was read (files with a
    BOM are decoded as they are read): where, and what it looks like."""
    if source.encoding == "utf-16":
        codec = _utf16_codec(source.bom)
        where = first_undecodable(source.path, codec, len(source.bom))
        return not_utf16(source.path, where or 0, codec)
    codec = "utf-8" if source.encoding == "utf-8-sig" else source.encoding
    where = first_undecodable(source.path, codec, len(source.bom))
    if codec == "utf-8":
        return not_utf8(source.path, where or 0, label="UTF-8", bom=bool(source.bom), mixed=False)
    return DataError(
        _("{path}: not valid {encoding} (undecodable byte at line {line}, byte {byte})").format(
            path=source.path,
            encoding=source.label,
            line=line_of(source.path, where or 0),
            byte=(where or 0) + 1,
        ),
        _("Leave out --encoding to detect it, or save the file as 'CSV UTF-8'."),
    )


def _lines(source: CsvSource, fh: IO[str]) -> Iterator[str]:
    """The file's physical lines, none longer than MAX_LINE characters (a file with no
    line end is not read into memory whole)."""
    readline = fh.readline
    number = 0
    while line := readline(MAX_LINE):
        number += 1
        if len(line) == MAX_LINE and line[-1] not in "\r\n":
            raise DataError(
                _("{path}:{line}: a line longer than {n} characters").format(
                    path=source.path, line=number, n=MAX_LINE
                ),
                _("This is not a CSV file as Excel writes it: check that it is the right file."),
            )
        yield line


def open_text(source: CsvSource, raw: IO[bytes] | None = None) -> io.TextIOWrapper:
    """The file's text; over `raw` (the file opened in binary, whose tell() gives the
    progress) when given."""
    return io.TextIOWrapper(raw or source.path.open("rb"), encoding=source.encoding, newline="")


def rows(source: CsvSource, fh: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) for every record, header included.

    Blank lines are skipped. A NUL byte or a broken quote is a DataError naming the line.
    """
    reader = csv.reader(_lines(source, fh), delimiter=source.delimiter, strict=True)
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except UnicodeError:
            raise _undecodable(source) from None
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise DataError(
                    _("{path}:{line}: a cell longer than {n} characters").format(
                        path=source.path, line=line, n=MAX_LINE
                    ),
                    _("Check for a quote that is never closed in the record that starts there."),
                ) from None
            raise DataError(
                _("{path}:{line}: malformed CSV ({error})").format(
                    path=source.path, line=line, error=exc
                ),
                _("Check the quoting of the record that starts on that line."),
            ) from None
        start = line
        line = reader.line_num + 1
        if _blank(record):
            continue
        yield start, record


def _blank(record: list[str]) -> bool:
    return not any(record) or (not record[0].strip() and not any(c.strip() for c in record))


def record_batches(source: CsvSource, fh: IO[str], size: int) -> Iterator[list[list[str]]]:
    """The records after the header, `size` at a time, blank ones left out. Their
    sequence numbers (1, 2, ... after the header) become line numbers only when a message
    needs them (`physical_lines`): counting lines as we go costs a third of the reading."""
    reader = csv.reader(_lines(source, fh), delimiter=source.delimiter, strict=True)
    try:
        header = next(reader, None)
        while header is not None and _blank(header):
            header = next(reader, None)
        if header is None:
            return
        yield [header]
        while True:
            batch = list(islice(reader, size))
            if not batch:
                return
            # (the first cell decides for almost every record; _blank for the rest)
            if all(batch) and all(map(str.strip, map(itemgetter(0), batch))):
                kept = batch
            else:
                kept = [r for r in batch if (r and r[0].strip()) or not _blank(r)]
            if kept:  # a batch of blank lines only is no batch
                yield kept
    except UnicodeError:
        raise _undecodable(source) from None
    except csv.Error:
        # Find where the broken record starts (slow, but only on the way to an error).
        with open_text(source) as again:
            for _ in rows(source, again):
                pass
        raise


def physical_lines(source: CsvSource, sequence: Iterable[int]) -> dict[int, int]:
    """The line where each record (by sequence number, header = 0) starts."""
    wanted = set(sequence)
    found: dict[int, int] = {}
    if not wanted:
        return found
    last = max(wanted)
    with open_text(source) as fh:
        for number, (line, _) in enumerate(rows(source, fh)):
            if number in wanted:
                found[number] = line
            if number >= last:
                break
    return found
