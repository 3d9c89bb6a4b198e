"""Where free text may break: at spaces, after punctuation, between phrases; never
inside a code, a number or a date. Measured in terminal cells (CJK = 2).

Rich wraps Chinese per character (`有限公│司`, `第 4│次`); a table cell is wrapped
here instead, and Rich is handed lines that already fit. Pure functions, no Rich.

A Chinese run without punctuation (a company name) breaks before the words of
`PHRASE_STARTS`, the parts that company names and office notes are made of
(济南鲁通│工程│机械│有限公司); a run longer than its column with no such word is
folded by character, the last resort.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

# Words a Chinese phrase starts with, longest first where one contains another.
PHRASE_STARTS = tuple(
    sorted(
        (
            "有限责任公司",
            "股份有限公司",
            "有限公司",
            "集团",
            "专业合作社",
            "合作社",
            "工程队",
            "家庭农场",
            "租赁站",
            "工程",
            "机械",
            "建设",
            "租赁",
            "物流",
            "矿业",
            "矿山",
            "重工",
            "重型",
            "设备",
            "市政",
            "路桥",
            "建筑",
            "石材",
            "开采",
            "运输",
            "汽车",
            "农机",
            "果业",
            "果蔬",
            "水利",
            "土石方",
            "服务",
            "回访",
            "拜访",
            "核查",
            "配件",
            "保养",
            "客户",
        ),
        key=len,
        reverse=True,
    )
)
# A place name ends with these (a city's 市 is left out: 市政, 城市).
PLACE_ENDS = set("区县")
# A line may end after these (and never start with them).
CLOSING = set("，。；：、！？）》」』】,.;:!?)%")
# A line may start with these (and never end with them).
OPENING = set("（《「『【(")
# A piece of text without CJK wider than this folds (a URL in a note); codes, phones,
# dates and numbers are shorter and never split.
LONGEST_ATOM = 24
# A Chinese run folds by character into lines no narrower than this.
CJK_FOLD = 8


def is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


class _CharCells(dict[str, int]):
    """Each character's cells, looked up once per character: wide and full-width 2, a
    combining mark 0, anything else 1 (`cell_width_slow`, a character at a time)."""

    def __missing__(self, ch: str) -> int:
        cells = 0 if unicodedata.combining(ch) else 2 if is_wide(ch) else 1
        self[ch] = cells
        return cells


_CELLS = _CharCells()


def cell_width(text: str) -> int:
    """Width in terminal cells: East Asian wide and full-width characters take two. (A
    cron job's due list measures a million cells: ASCII by its length, anything else
    by one C-level pass over the characters' cached widths.)"""
    if text.isascii():
        return len(text)
    return sum(map(_CELLS.__getitem__, text))


def cell_width_slow(text: str) -> int:
    """What `cell_width` does, a character at a time (tests hold the two to agree)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if is_wide(ch) else 1
    return width


def _is_number(word: str) -> bool:
    return word.isdigit() or (word[:1] in "+-#" and word[1:].isdigit())


def _starts_with_number(word: str) -> bool:
    """A number, or a number closed by punctuation (`4；`, `8，`): it ends a phrase."""
    rest = word.lstrip("0123456789")
    return _is_number(word) or (rest != word and rest[:1] in CLOSING)


# A `command` quoted in a text (`followup customer show CODE`) is never broken: its
# spaces are kept while the text is cut, as this one.
_KEPT_SPACE = "\u2063"


def _keep_quoted(text: str) -> str:
    if "`" not in text:
        return text
    parts = text.split("`")
    for i in range(1, len(parts) - 1, 2):
        parts[i] = parts[i].replace(" ", _KEPT_SPACE)
    return "`".join(parts)


# The phrases by their first character: a word's phrase matches are found in one pass.
_PHRASES_BY_FIRST: dict[str, tuple[str, ...]] = {}
for _p in PHRASE_STARTS:
    _PHRASES_BY_FIRST[_p[0]] = (*_PHRASES_BY_FIRST.get(_p[0], ()), _p)
# The longest phrase: one that starts further back than this ends before any break.
_PHRASE_LONGEST = max(map(len, PHRASE_STARTS))


class _Wide(dict[str, bool]):
    """`is_wide` of each character, looked up once per character."""

    def __missing__(self, ch: str) -> bool:
        wide = self[ch] = is_wide(ch)
        return wide


_WIDE = _Wide()


def _phrase_ends(word: str) -> dict[int, tuple[int, ...]]:
    """Where phrases of `PHRASE_STARTS` start in `word`: start -> the ends of each."""
    found: dict[int, tuple[int, ...]] = {}
    for j, ch in enumerate(word):
        candidates = _PHRASES_BY_FIRST.get(ch)
        if candidates:
            ends = tuple(j + len(p) for p in candidates if word.startswith(p, j))
            if ends:
                found[j] = ends
    return found


def _cjk_boundary(word: str, i: int, phrases: dict[int, tuple[int, ...]]) -> bool:
    """May a line break before word[i] (inside one word, no space)? `phrases`: the
    word's `_phrase_ends`, found once for all its characters."""
    before, ch = word[i - 1], word[i]
    if ch in CLOSING or before in OPENING:
        return False
    wide_before, wide = _WIDE[before], _WIDE[ch]
    if before in CLOSING and (wide_before or wide):
        return True  # after punctuation, in Chinese text
    if ch in OPENING:
        return True
    if wide_before and wide:
        if before in PLACE_ENDS and i >= 3 and len(word) - i >= 2:
            return True  # after a district or county: 临沂罗庄区│大力
        # before a phrase, unless a phrase that started before runs past here
        return i in phrases and not any(
            end > i for j in range(max(0, i - _PHRASE_LONGEST + 1), i) for end in phrases.get(j, ())
        )
    return False


def _cjk_boundary_slow(word: str, i: int) -> bool:
    """What `_cjk_boundary` does, every phrase tried at every place (tests hold the two
    to agree)."""
    before, ch = word[i - 1], word[i]
    if ch in CLOSING or before in OPENING:
        return False
    if before in CLOSING and (is_wide(before) or is_wide(ch)):
        return True
    if ch in OPENING:
        return True
    if is_wide(before) and is_wide(ch):
        if before in PLACE_ENDS and i >= 3 and len(word) - i >= 2:
            return True
        return any(word.startswith(p, i) for p in PHRASE_STARTS) and not any(
            word.startswith(p, j) and j + len(p) > i
            for p in PHRASE_STARTS
            for j in range(max(0, i - _PHRASE_LONGEST + 1), i)
        )
    return False


def _word_chunks(word: str) -> list[str]:
    """A word (no space) cut where a line may break inside it."""
    chunks, start = [], 0
    if word.isascii():
        # English, a code, a number: a break only before an opening bracket (what
        # _cjk_boundary finds in ASCII, without asking it at every character)
        for i in range(1, len(word)) if "(" in word[1:] else ():
            if word[i] == "(" and word[i - 1] != "(":
                chunks.append(word[start:i])
                start = i
    else:
        phrases = _phrase_ends(word)
        for i in range(1, len(word)):
            if _cjk_boundary(word, i, phrases):
                chunks.append(word[start:i])
                start = i
    chunks.append(word[start:])
    return chunks


def _word_chunks_slow(word: str) -> list[str]:
    """What `_word_chunks` does, `_cjk_boundary_slow` asked at every character."""
    chunks, start = [], 0
    for i in range(1, len(word)):
        if _cjk_boundary_slow(word, i):
            chunks.append(word[start:i])
            start = i
    chunks.append(word[start:])
    return chunks


def _cut(text: str, chunks_of: Callable[[str], list[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for n, word in enumerate(_keep_quoted(text).split(" ")):
        glue = False
        if n:
            last = out[-1].rsplit(" ", 1)[-1] if out else ""
            # A number between Chinese words stays with them: 第 4 次, 订 4 块, 满意度 4；
            # A number closed by punctuation ends its phrase in any script: satisfaction 4;
            glue = (
                _starts_with_number(word)
                and last[-1:] != ""
                and (_WIDE[last[-1]] or not _is_number(word))
            ) or (_is_number(last) and word[:1] != "" and _WIDE[word[0]])
            if glue:
                out[-1] += " "
            else:
                out.append(" ")
        if not word:
            continue
        chunks = chunks_of(word)
        if glue:
            out[-1] += chunks.pop(0)
        out.extend(chunks)
    return tuple(p.replace(_KEPT_SPACE, " ") for p in out if p)


@lru_cache(maxsize=4096)
def pieces(text: str) -> tuple[str, ...]:
    """`text` cut where a line may break: words and phrases, with the spaces between
    them as pieces of their own (" "), dropped where a line breaks."""
    return _cut(text, _word_chunks)


def pieces_slow(text: str) -> tuple[str, ...]:
    """What `pieces` does, every break asked of `_cjk_boundary_slow` at every character
    (tests hold the two to agree)."""
    return _cut(text, _word_chunks_slow)


def _cjk(text: str) -> bool:
    return not text.isascii() and any(map(_WIDE.__getitem__, text))


def atom_width(piece: str) -> int:
    """The narrowest a line can be for `piece` to stay whole (a long Chinese run and an
    over-long word fold, so they count less)."""
    width = cell_width(piece)
    if _cjk(piece):
        return min(width, CJK_FOLD)
    return min(width, LONGEST_ATOM)


def min_width(text: str) -> int:
    """The narrowest column that shows `text` without splitting a code or number."""
    return max((atom_width(p) for line in text.split("\n") for p in pieces(line)), default=0)


def _fold(piece: str, width: int) -> list[str]:
    """`piece` cut by character into lines of `width` cells; a last line of one
    character takes one more from the line before (没通│知 reads as 没│通知)."""
    lines, line, used = [], "", 0
    for ch in piece:
        w = cell_width(ch)
        if used + w > width and line:
            lines.append(line)
            line, used = "", 0
        line += ch
        used += w
    if line:
        lines.append(line)
    if len(lines) > 1 and len(lines[-1]) == 1 and len(lines[-2]) > 2:
        lines[-2], lines[-1] = lines[-2][:-1], lines[-2][-1] + lines[-1]
    return lines


def _fold_start(piece: str, room: int) -> tuple[str, str]:
    """The start of `piece` that fills `room` cells, and the rest (never empty)."""
    used = 0
    for i, ch in enumerate(piece):
        used += cell_width(ch)
        if used > room:
            return piece[:i], piece[i:]
    return piece[:-1], piece[-1:]


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken only between pieces (a piece
    wider than the line folds); a newline in `text` always breaks."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for piece in pieces(paragraph):
            w = cell_width(piece)
            if piece == " ":
                if line:
                    line, used = line + " ", used + 1
                continue
            if used + w <= width:
                line, used = line + piece, used + w
                continue
            if w > width and line.strip() and width - used >= CJK_FOLD // 2:
                # It folds whatever is done: it starts on this line (服务工程师没来也│没通知),
                # not alone below a short line.
                head, rest = _fold_start(piece, width - used)
                out.append((line + head).rstrip())
                piece, w = rest, cell_width(rest)
            elif line.strip():
                out.append(line.rstrip())
            line, used = "", 0
            if w <= width:
                line, used = piece, w
                continue
            *full, last = _fold(piece, width)
            out.extend(full)
            line, used = last, cell_width(last)
        out.append(line.rstrip())
    return out


def hanging(text: str, width: int, hang: int = 0) -> list[str]:
    """`text` (each of its lines) in lines of at most `width` cells, broken as `wrap`
    breaks: a line's leading spaces start each of its lines, and the lines after its
    first are indented `hang` cells more (an item of a list reads as one)."""
    out: list[str] = []
    for line in text.split("\n"):
        body = line.lstrip(" ")
        indent = " " * (len(line) - len(body))
        room = max(width - len(indent), 1)
        first = wrap(body, room)[0]
        out.append(indent + first)
        rest = body[len(first) :].lstrip(" ")
        if rest:
            more = indent + " " * hang
            out.extend(more + part for part in wrap(rest, max(width - len(more), 1)))
    return out
