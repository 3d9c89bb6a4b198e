"""Reading CSV files the way offices write them, strictly.

Encodings are detected in a fixed order, never guessed statistically: a UTF-8 BOM, a
UTF-16 BOM, then UTF-8 if the whole file decodes as UTF-8, then GB18030 (what Excel
writes on Chinese Windows) if the whole file decodes as that; otherwise an error that
says where the file stops making sense. Excel's "Unicode Text" (UTF-16, tab-separated)
is read too: the delimiter is a tab when the header line has tabs and no commas.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import IO

from followup_cli.support.errors import DataError, UsageError
from followup_cli.support.i18n import N_, _

ENCODINGS = ("auto", "utf-8", "utf-16", "gb18030")
CHUNK = 1 << 20

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class CsvSource:
    path: Path
    encoding: str  # a Python codec name
    label: str  # what the user is told: UTF-8, UTF-8 with BOM, UTF-16, GB18030
    delimiter: str


def _decodes(path: Path, codec: str, skip: int = 0) -> tuple[bool, int]:
    """Whether the whole file decodes with `codec`; else the byte offset where it fails."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    offset = 0
    with path.open("rb") as fh:
        fh.seek(skip)
        while True:
            chunk = fh.read(CHUNK)
            held = len(decoder.getstate()[0])  # bytes of a character split across reads
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return False, skip + offset - held + exc.start
            if not chunk:
                return True, 0
            offset += len(chunk)


def _line_of(path: Path, offset: int) -> int:
    with path.open("rb") as fh:
        return fh.read(offset).count(b"\n") + 1


def detect(path: Path, requested: str = "auto") -> CsvSource:
    """Open `path` for reading as CSV in the detected (or requested) encoding."""
    if requested not in ENCODINGS:
        raise UsageError(
            _("unknown encoding '{encoding}'").format(encoding=requested),
            _("Use auto, utf-8, utf-16 or gb18030."),
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except FileNotFoundError:
        raise DataError(_("{path}: no such file").format(path=path)) from None
    except IsADirectoryError:
        raise DataError(_("{path} is a folder, not a CSV file").format(path=path)) from None
    except OSError as exc:
        raise DataError(
            _("{path}: cannot read it ({error})").format(path=path, error=exc.strerror)
        ) from None
    bom8 = head.startswith(codecs.BOM_UTF8)
    bom16 = head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE)
    if requested == "auto":
        if bom8:
            codec, label = "utf-8-sig", N_("UTF-8 with BOM")
        elif bom16:
            codec, label = "utf-16", "UTF-16"
        elif _decodes(path, "utf-8")[0]:
            codec, label = "utf-8", "UTF-8"
        elif _decodes(path, "gb18030")[0]:
            codec, label = "gb18030", "GB18030"
        else:
            ok, where = _decodes(path, "utf-8")
            raise DataError(
                _(
                    "{path}: not UTF-8, UTF-16 or GB18030 text (undecodable byte at line"
                    " {line}, byte {byte})"
                ).format(path=path, line=_line_of(path, where), byte=where + 1),
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
        ok, where = _decodes(path, codec)
        if not ok:
            raise DataError(
                _(
                    "{path}: not valid {encoding} (undecodable byte at line {line}, byte {byte})"
                ).format(path=path, encoding=label, line=_line_of(path, where), byte=where + 1),
                _("Leave out --encoding to detect it, or save the file as 'CSV UTF-8'."),
            )
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
    with path.open("r", encoding=codec, newline="") as fh:
        first = fh.readline()
    delimiter = "\t" if ("\t" in first and "," not in first) else ","
    return CsvSource(path, codec, label, delimiter)


def open_text(source: CsvSource, raw: IO[bytes] | None = None) -> io.TextIOWrapper:
    """The file's text; over `raw` (the file opened in binary, whose tell() gives the
    progress) when given."""
    return io.TextIOWrapper(raw or source.path.open("rb"), encoding=source.encoding, newline="")


def rows(source: CsvSource, fh: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) for every record, header included.

    Blank lines are skipped. A NUL byte or a broken quote is a DataError naming the line.
    """
    reader = csv.reader(fh, delimiter=source.delimiter, strict=True)
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
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
    reader = csv.reader(fh, delimiter=source.delimiter, strict=True)
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
