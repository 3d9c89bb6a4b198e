"""Control characters: the ones refused in what a person types or imports, and shown
visibly escaped (`\\x1b`, `\\u202e`) in whatever the tool prints, whatever is stored.

A terminal acts on them: ESC and the C1 CSI (U+009B) start sequences that retitle the
window, clear the screen or recolour text; bidi controls reorder what is read; zero-width
characters hide text or make two equal-looking names differ. Tab and newline are text (a
note's lines); CR only before LF (a line end from Excel). Pure text, no Rich: the domain
(validation), the CSV writer and the error handler all use it.
"""

from __future__ import annotations

from typing import IO, Any

from followup_cli.support.patterns import Pattern

# C0 except tab and newline (CR: see below), DEL, C1, the Arabic letter mark, zero-width
# space/joiners and LRM/RLM, the bidi embeddings and overrides, word joiner, the bidi
# isolates, and the byte order mark (inside text it is a zero-width no-break space).
CONTROL_CLASS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
)
# A control character, or a CR that does not end a line ("\r\n" is a line end).
CONTROL = Pattern(f"[{CONTROL_CLASS}]|\r(?!\n)")
# The quick first look (a plain character class is scanned several times faster): any
# control character or any CR.
_MAYBE = Pattern(f"[{CONTROL_CLASS}\r]")
# The characters JSON leaves raw with ensure_ascii=False (it escapes C0 itself).
_JSON_RAW = Pattern(f"[{CONTROL_CLASS[CONTROL_CLASS.index(chr(0x7F)) :]}]")

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def find_control(text: str) -> str | None:
    """The first control character in `text` (see CONTROL), or None."""
    if text.isprintable() or _MAYBE.search(text) is None:  # the fast paths
        return None
    found = CONTROL.search(text)
    return found.group() if found else None


def escape(char: str) -> str:
    """One control character as it is shown: `\\r`, `\\x1b`, `\\x9b`, `\\u202e`."""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _escaped(found: Any) -> str:
    return escape(found.group())


def visible(text: str) -> str:
    """`text` with every control character shown as an escape (tab, newline and CRLF
    kept). Text without one (nearly all) is returned as it is, after one C-level check."""
    if text.isprintable() or _MAYBE.compiled.search(text) is None:
        return text
    return CONTROL.compiled.sub(_escaped, text)


def visible_slow(text: str) -> str:
    """What `visible` does, a character at a time (tests hold the two to agree)."""
    out = []
    for i, ch in enumerate(text):
        ends_line = ch == "\r" and text[i + 1 : i + 2] == "\n"
        out.append(ch if ends_line or not CONTROL.fullmatch(ch) else escape(ch))
    return "".join(out)


def _json_escaped(found: Any) -> str:
    return f"\\u{ord(found.group()):04x}"


def json_visible(text: str) -> str:
    """JSON text with DEL, C1, bidi and zero-width characters written as \\uXXXX (json
    with ensure_ascii=False leaves them raw; it escapes C0 itself). Outside strings JSON
    has none of them, so the result is the same JSON."""
    if text.isascii() and "\x7f" not in text:
        return text
    return _JSON_RAW.compiled.sub(_json_escaped, text)


class VisibleWriter:
    """A text stream that writes every control character visibly escaped: stdout and
    stderr while a command runs (every print, echo and error), and a CSV file."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        # A line (a table's, a CSV row) is looked at without its line end: one C-level
        # check, and the regular expression only for a line that has more than text.
        if text.__class__ is str:
            if text.endswith("\n"):
                body = text[:-2] if text.endswith("\r\n") else text[:-1]
            else:
                body = text
            if not body.isprintable():
                text = visible(text)
        self.stream.write(text)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def raw_stream(stream: Any) -> Any:
    """The stream under a VisibleWriter (Rich writes its own colour sequences there; what
    it draws is escaped before it is drawn)."""
    return stream.stream if isinstance(stream, VisibleWriter) else stream


def visible_stream(stream: Any) -> Any:
    """`stream` writing control characters escaped (as it is, if it already does)."""
    return stream if isinstance(stream, VisibleWriter) else VisibleWriter(stream)
