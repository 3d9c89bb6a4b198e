"""Whether a file's bytes are the text they seem to be, and what to tell the user when not.

A byte-order mark is a claim, not proof: "Excel CSV UTF-8" files with rows pasted from a
GBK file are common, so a file with a BOM is decoded strictly as it is read and the first
line that does not decode is named, with "it looks like GBK" when that line reads as GBK.

GB18030 decodes almost any byte sequence, so a Big5 file (Taiwan, Hong Kong) or a
Shift-JIS file (Japan) "decodes" as GB18030 into nonsense. Such text is refused when,
read as GB18030, it holds

- any private-use (U+E000–U+F8FF, planes 15–16) or unassigned code point: Big5's
  punctuation (，。：) and its less common hanzi land there; or
- a share of rare characters above RARE_SHARE (at least RARE_MIN of them): rare means
  outside GB2312, whose 6,763 level-1 and level-2 hanzi, punctuation, full-width forms,
  kana, Greek and Cyrillic cover the text of a mainland office; the share is taken over
  the non-ASCII characters (codes, phones and dates are ASCII).

Measured (tests/test_csv_encodings.py holds the samples): Big5 office text read as
GB18030 has 53–64% rare characters on each line and a third of them private-use;
Shift-JIS Japanese 100% rare (its kana and level-1 kanji land in GBK's extension);
the files in examples/ 0%; a staff list in which every name has a rare character (犇,
骉, 喆, 堃, 𠀀) 30%. The same holds with `--encoding gb18030`: a GBK file written in
traditional characters (rare on the mainland) can always be saved as UTF-8.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from followup_cli.support.errors import DataError
from followup_cli.support.i18n import _
from followup_cli.support.patterns import Pattern

UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
RARE_SHARE = 0.4
RARE_MIN = 4
CHUNK = 1 << 20
# UTF-8 for a character from U+4000 to U+9FFF (nearly all hanzi): 3 bytes, lead E4–E9.
_UTF8_HANZI = Pattern("[\u4000-\u9fff]")


def _odd(char: str) -> bool:
    """A private-use or unassigned code point (what GB18030 gives for foreign bytes)."""
    code = ord(char)
    return 0xE000 <= code <= 0xF8FF or code >= 0xF0000 or unicodedata.category(char) == "Cn"


@dataclass
class Tally:
    """The characters of GB18030-decoded text, added a chunk at a time."""

    non_ascii: int = 0
    rare: int = 0  # outside GB2312
    odd: int = 0  # private-use or unassigned

    def add(self, text: str) -> None:
        if text.isascii():
            return
        # One C-level pass: each character GB2312 lacks becomes one '?', each it has two
        # bytes, ASCII one; so the lengths give both counts.
        encoded = text.encode("gb2312", "replace")
        rare = encoded.count(b"?") - text.count("?")
        self.rare += rare
        self.non_ascii += len(encoded) - len(text) + rare
        if rare:  # private-use and unassigned code points are not in GB2312 either
            self.odd += sum(text.count(c) for c in set(text) if ord(c) > 0x7F and _odd(c))

    def implausible(self) -> bool:
        """Whether the text is not what a GB18030 file holds (see the module's notes)."""
        return bool(self.odd) or (self.rare >= RARE_MIN and self.rare > RARE_SHARE * self.non_ascii)


def foreign_text(path: Path, tally: Tally) -> DataError:
    """The refusal of a file whose GB18030 reading is implausible, naming the first line
    that shows it."""
    line = _first_implausible_line(path)
    count = tally.odd if tally.odd else tally.rare
    hint = _("Save it as UTF-8 (Excel: 'CSV UTF-8') or as GB18030, and import it again.")
    what = (
        _("{count} of its {total} non-ASCII characters are private-use or unassigned")
        if tally.odd
        else _("{count} of its {total} non-ASCII characters are rare in Chinese text")
    )
    return DataError(
        _("{path}:{line}: this looks like Big5 / Shift-JIS, not GB18030 ({what})").format(
            path=path,
            line=line,
            what=what.format(count=count, total=tally.non_ascii),
        ),
        hint,
    )


def _first_implausible_line(path: Path) -> int:
    """The first line that, alone, reads as implausible GB18030 (slow: only on the way to
    an error)."""
    with path.open("r", encoding="gb18030", errors="replace", newline="") as fh:
        for number, text in enumerate(fh, 1):
            tally = Tally()
            tally.add(text)
            if tally.odd or (tally.rare >= 2 and tally.rare > RARE_SHARE * tally.non_ascii):
                return number
    return 1


# -- undecodable bytes -------------------------------------------------------------------


def first_undecodable(
    path: Path, codec: str, skip: int = 0, tally: Tally | None = None
) -> int | None:
    """The byte offset of the first byte that does not decode with `codec` (after `skip`
    bytes), or None when the whole file decodes; the text is counted into `tally` if
    one is given (GB18030's plausibility, in the same pass)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    offset = 0
    with path.open("rb") as fh:
        fh.seek(skip)
        while True:
            chunk = fh.read(CHUNK)
            held = len(decoder.getstate()[0])  # bytes of a character split across reads
            try:
                text = decoder.decode(chunk, final=not chunk)
                if tally is not None:
                    tally.add(text)
            except UnicodeDecodeError as exc:
                return skip + offset - held + exc.start
            if not chunk:
                return None
            offset += len(chunk)


def line_of(path: Path, offset: int, codec: str = "utf-8", skip: int = 0) -> int:
    """The line (from 1) holding byte `offset`. In UTF-8 and GB18030 a newline byte is
    always a newline; UTF-16 is decoded up to the offset."""
    count = 0
    left = offset
    wide = codec.startswith("utf-16")
    decoder = codecs.getincrementaldecoder(codec)(errors="replace") if wide else None
    with path.open("rb") as fh:
        if wide:
            fh.seek(skip)
            left -= skip
        while left > 0:
            chunk = fh.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            count += decoder.decode(chunk).count("\n") if decoder else chunk.count(b"\n")
    return count + 1


def _line_bytes(path: Path, offset: int) -> bytes:
    """The physical line (UTF-8 or GB18030) that holds byte `offset`, at most 64 KiB."""
    with path.open("rb") as fh:
        start = max(0, offset - (1 << 16))
        fh.seek(start)
        before = fh.read(offset - start)
        after = fh.read(1 << 16)
    head = before[before.rfind(b"\n") + 1 :]
    end = after.find(b"\n")
    return head + (after if end < 0 else after[:end])


def looks_like_gbk(line: bytes) -> bool:
    """Whether a line that is not UTF-8 reads as plausible GBK/GB18030 text."""
    try:
        text = line.decode("gb18030")
    except UnicodeDecodeError:
        return False
    tally = Tally()
    tally.add(text)
    return tally.non_ascii > 0 and not tally.implausible()


def utf8_before(path: Path, offset: int) -> bool:
    """Whether the lines before byte `offset` (valid UTF-8) hold hanzi in UTF-8: two or
    more, on a line of their own, so that bytes of a GBK line cannot fake it."""
    with path.open("rb") as fh:
        data = fh.read(min(offset, 1 << 24))
    line_start = data.rfind(b"\n", 0, offset) + 1
    if line_start <= 0:
        return False
    text = data[:line_start].decode("utf-8", errors="replace")
    return next(islice(_UTF8_HANZI.compiled.finditer(text), 1, None), None) is not None


def not_utf8(path: Path, offset: int, *, label: str, bom: bool, mixed: bool) -> DataError:
    """A UTF-8 file (with a BOM, or UTF-8 up to this line) with a line that is not UTF-8."""
    line = line_of(path, offset)
    if looks_like_gbk(_line_bytes(path, offset)):
        return DataError(
            _(
                "{path}:{line}: this line is not UTF-8 like the rest of the file:"
                " it looks like GBK (byte {byte})"
            ).format(path=path, line=line, byte=offset + 1),
            _(
                "Save the whole file as UTF-8 (Excel: 'CSV UTF-8'); rows pasted from a GBK"
                " file keep their encoding until then."
            ),
        )
    if bom:
        message = _(
            "{path}:{line}: not valid {encoding} (undecodable byte {byte}), though the file"
            " starts with a byte-order mark"
        )
    elif mixed:
        message = _(
            "{path}:{line}: not valid {encoding} (undecodable byte {byte}), though the lines"
            " before it are"
        )
    else:
        message = _("{path}:{line}: not valid {encoding} (undecodable byte {byte})")
    return DataError(
        message.format(path=path, line=line, encoding=label, byte=offset + 1),
        _("Save the whole file again as 'CSV UTF-8' and import it again."),
    )


def not_utf16(path: Path, offset: int, codec: str) -> DataError:
    return DataError(
        _(
            "{path}:{line}: not valid UTF-16 (undecodable bytes at byte {byte}), though the"
            " file starts with a UTF-16 byte-order mark"
        ).format(path=path, line=line_of(path, offset, codec, 2), byte=offset + 1),
        _("Save the whole file again as 'CSV UTF-8' and import it again."),
    )
