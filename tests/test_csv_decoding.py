"""Reading CSV the way offices write it (SPEC section 5): encodings, line numbers, quoting.

UTF-8, UTF-8 with BOM, UTF-16 with BOM (Excel's tab-separated "Unicode text") and
GB18030 are detected in that order, strictly; anything else is a clear error naming the
line. Every file is written here, as bytes in an explicit encoding.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from followup_cli.support.errors import DataError
from followup_cli.transfer.csv_read import CHUNK, detect, open_text, rows

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TABLES = ("staff", "customers", "contacts", "events", "calls", "callbacks", "tickets")
HEADER = ["客户编号", "客户名称", "等级", "电话", "地区"]
RECORDS = [
    ["K01", "济南重工机械有限公司", "一级", "0531-88886666", "济南"],
    ["K02", "泰安宏达建设（二期）䶮𠀀", "三级", "13800138000", "泰安"],
]
STORED = [
    {"code": "K01", "name": "济南重工机械有限公司", "grade": 1, "phone": "0531-88886666",
     "region": "济南"},
    {"code": "K02", "name": "泰安宏达建设（二期）䶮𠀀", "grade": 3, "phone": "13800138000",
     "region": "泰安"},
]  # fmt: skip

_seq = itertools.count(1)


# -- helpers ----------------------------------------------------------------------------------


def csv_text(records: list[list[str]], delimiter: str = ",", newline: str = "\r\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(records)
    return buf.getvalue()


def encode(text: str, how: str) -> bytes:
    """Bytes as the named program would write them."""
    if how == "utf-8":
        return text.encode("utf-8")
    if how == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if how == "utf-16-le":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if how == "utf-16-be":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    if how == "gb18030":
        return text.encode("gb18030")
    raise AssertionError(how)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / f"file-{next(_seq)}.csv"
    path.write_bytes(data)
    return path


def dump(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    return {t: rows(f"SELECT * FROM {t} ORDER BY id") for t in TABLES}


def customers(rows: Rows) -> list[dict[str, Any]]:
    return rows(
        "SELECT code, name, grade, phone, region FROM customers WHERE code LIKE 'K%' ORDER BY id"
    )


def assert_data_error(r: Any, first_line: str) -> None:
    assert r.exit_code == 65, r.output
    assert r.exception is None, r.exception
    assert "Traceback" not in r.output
    assert r.stdout == ""
    assert r.stderr.splitlines()[0] == first_line, r.stderr


# -- each encoding ------------------------------------------------------------------------------

ENCODINGS = [
    # how, delimiter, newline, label the user is told
    ("utf-8", ",", "\n", "UTF-8"),
    ("utf-8", ",", "\r\n", "UTF-8"),
    ("utf-8-bom", ",", "\r\n", "UTF-8 with BOM"),
    ("utf-16-le", "\t", "\r\n", "UTF-16"),  # Excel "Unicode text"
    ("utf-16-be", "\t", "\r\n", "UTF-16"),
    ("utf-16-le", ",", "\r\n", "UTF-16"),
    ("gb18030", ",", "\r\n", "GB18030"),  # Excel "CSV" on Chinese Windows
    ("gb18030", ",", "\n", "GB18030"),
]
ENCODING_IDS = [f"{how}-{'tab' if d == chr(9) else 'comma'}-{len(n)}" for how, d, n, _ in ENCODINGS]


@pytest.mark.parametrize(("how", "delimiter", "newline", "label"), ENCODINGS, ids=ENCODING_IDS)
def test_each_encoding_imports_and_the_report_names_it(
    initdb: Run, rows: Rows, tmp_path: Path, how: str, delimiter: str, newline: str, label: str
) -> None:
    path = write(tmp_path, encode(csv_text([HEADER, *RECORDS], delimiter, newline), how))
    r = initdb("import", "customers", str(path))
    assert r.exit_code == 0, r.output
    assert r.exception is None
    assert r.stdout.startswith(
        f"Imported customers from {path} ({label}): 2 rows — 2 new, 0 updated, 0 unchanged"
    ), r.stdout
    # no warning about the file (K01, core, has no owner: issue 17's relationship warning)
    assert [line for line in r.stderr.splitlines() if "relationship manager" not in line] == []
    # The BOM is not part of the first header (客户编号 is recognised) and every
    # character came through, including ones outside GBK.
    assert customers(rows) == STORED


@pytest.mark.parametrize(("how", "delimiter", "newline", "label"), ENCODINGS, ids=ENCODING_IDS)
def test_detect_reports_codec_label_and_delimiter(
    tmp_path: Path, how: str, delimiter: str, newline: str, label: str
) -> None:
    path = write(tmp_path, encode(csv_text([HEADER, *RECORDS], delimiter, newline), how))
    source = detect(path)
    assert (source.label, source.delimiter) == (label, delimiter)
    with open_text(source) as fh:
        got = list(rows(source, fh))
    assert got == [(1, HEADER), (2, RECORDS[0]), (3, RECORDS[1])]


@pytest.mark.parametrize(("how", "delimiter", "newline", "label"), ENCODINGS, ids=ENCODING_IDS)
def test_the_same_file_in_another_encoding_changes_nothing(
    initdb: Run, rows: Rows, tmp_path: Path, how: str, delimiter: str, newline: str, label: str
) -> None:
    first = write(tmp_path, encode(csv_text([HEADER, *RECORDS]), "utf-8"))
    assert initdb("import", "customers", str(first)).exit_code == 0
    before = dump(rows)
    path = write(tmp_path, encode(csv_text([HEADER, *RECORDS], delimiter, newline), how))
    r = initdb("import", "customers", str(path))
    assert r.exit_code == 0, r.output
    assert r.stdout == (
        f"Imported customers from {path} ({label}): 2 rows — 0 new, 0 updated, 2 unchanged\n"
        "Nothing changed: this file was already imported.\n"
    )
    assert dump(rows) == before


def test_gb18030_is_detected_when_the_first_megabyte_is_plain_ascii(
    initdb: Run, rows: Rows, tmp_path: Path
) -> None:
    """Detection reads the whole file, not a sample: Chinese only on the last line."""
    records = [["code", "name"]] + [[f"A{i:06d}", f"Company {i}"] for i in range(60_000)]
    records.append(["K99", "潍坊农机合作社"])
    data = encode(csv_text(records), "gb18030")
    assert len(data) > CHUNK
    path = write(tmp_path, data)
    source = detect(path)
    assert source.label == "GB18030"
    r = initdb("import", "customers", str(path), "--dry-run")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"Would import customers from {path} (GB18030): 60001 rows")


def test_gb18030_with_crlf_as_excel_writes_contacts(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    text = csv_text(
        [
            ["客户编号", "联系人", "职务", "手机", "主要联系人"],
            ["C002", "王建军", "老板", "13905380001", "是"],
            ["C002", "孙晓燕", "财务", "13905380002", "否"],
        ]
    )
    assert "\r\n" in text
    path = write(tmp_path, encode(text, "gb18030"))
    r = office("import", "contacts", str(path))
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(
        f"Imported contacts from {path} (GB18030): 2 rows — 2 new, 0 updated, 0 unchanged"
    )
    got = rows(
        "SELECT name, role, phone, is_primary FROM contacts"
        " WHERE customer_id = (SELECT id FROM customers WHERE code = 'C002') ORDER BY id"
    )
    assert got == [
        {"name": "王建军", "role": "decision-maker", "phone": "13905380001", "is_primary": 1},
        {"name": "孙晓燕", "role": "finance", "phone": "13905380002", "is_primary": 0},
    ]
    # No stray carriage return ends up in the last column's values.
    assert rows("SELECT count(*) AS n FROM contacts WHERE name LIKE '%' || char(13) || '%'") == [
        {"n": 0}
    ]


# -- undecodable files and --encoding -------------------------------------------------------------


def test_a_file_in_no_supported_encoding_is_refused_naming_the_line(
    initdb: Run, rows: Rows, tmp_path: Path
) -> None:
    data = b"code,name\r\nK01,ACME\r\nK02,\xff\xfe\xfd\r\n"
    for codec in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(codec)
    path = write(tmp_path, data)
    before = dump(rows)
    r = initdb("import", "customers", str(path))
    byte = data.index(b"\xff") + 1
    assert_data_error(
        r,
        f"Error: {path}: not UTF-8, UTF-16 or GB18030 text (undecodable byte at line 3,"
        f" byte {byte})",
    )
    assert r.stderr.splitlines()[1] == (
        "Save it from Excel as 'CSV UTF-8', or give --encoding if you know it."
    )
    assert dump(rows) == before


def test_an_undecodable_byte_far_into_a_large_file_names_its_line(
    initdb: Run, rows: Rows, tmp_path: Path
) -> None:
    head = b"code,name\n" + b"".join(b"A%06d,Company\n" % i for i in range(90_000))
    assert len(head) > CHUNK
    data = head + b"K01,\x80\x80\n" + b"K02,OK\n"
    path = write(tmp_path, data)
    r = initdb("import", "customers", str(path))
    assert_data_error(
        r,
        f"Error: {path}: not UTF-8, UTF-16 or GB18030 text (undecodable byte at line 90002,"
        f" byte {len(head) + 5})",
    )
    assert dump(rows)["customers"] == []


def test_the_bad_byte_position_is_exact_after_a_character_split_across_reads(
    tmp_path: Path,
) -> None:
    """The file is decoded in 1 MiB chunks; a character that straddles two chunks must
    not shift the line and byte the user is told about."""
    head = b"code,name\n"
    filler = b"x" * (CHUNK - 2 - len(head))  # 济 (3 bytes) starts 2 bytes before the chunk end
    data = head + filler + "济".encode() + b"\xff\nK02,OK\n"
    path = write(tmp_path, data)
    bad = data.index(b"\xff")
    assert data[:bad].count(b"\n") + 1 == 2
    with pytest.raises(DataError) as info:
        detect(path)
    assert info.value.message == (
        f"{path}: not UTF-8, UTF-16 or GB18030 text (undecodable byte at line 2, byte {bad + 1})"
    )


def test_encoding_gb18030_on_a_utf8_bom_file_is_refused(
    initdb: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write(tmp_path, encode(csv_text([HEADER, *RECORDS]), "utf-8-bom"))
    before = dump(rows)
    r = initdb("import", "customers", str(path), "--encoding", "gb18030")
    assert_data_error(r, f"Error: {path} starts with a Unicode BOM; it is not GB18030")
    assert dump(rows) == before


def test_encoding_gb18030_on_a_utf16_file_is_refused(
    initdb: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write(tmp_path, encode(csv_text([HEADER, *RECORDS], "\t"), "utf-16-le"))
    before = dump(rows)
    r = initdb("import", "customers", str(path), "--encoding", "gb18030")
    assert_data_error(r, f"Error: {path} starts with a Unicode BOM; it is not GB18030")
    assert dump(rows) == before


def test_encoding_utf8_on_a_gb18030_file_is_refused(
    initdb: Run, rows: Rows, tmp_path: Path
) -> None:
    data = encode(csv_text([["code", "name"], ["K01", "济南重工"]]), "gb18030")
    path = write(tmp_path, data)
    before = dump(rows)
    r = initdb("import", "customers", str(path), "--encoding", "utf-8")
    first_non_ascii = next(i for i, b in enumerate(data) if b >= 0x80)
    assert_data_error(
        r,
        f"Error: {path}: not valid UTF-8 (undecodable byte at line 2, byte {first_non_ascii + 1})",
    )
    assert dump(rows) == before


@pytest.mark.parametrize(
    ("how", "option", "label"),
    [("gb18030", "gb18030", "GB18030"), ("utf-8", "utf-8", "UTF-8"),
     ("utf-8-bom", "utf-8", "UTF-8"), ("utf-16-le", "utf-16", "UTF-16"),
     ("utf-16-be", "utf-16", "UTF-16"), ("utf-8", "auto", "UTF-8")],
)  # fmt: skip
def test_a_matching_encoding_option_is_honoured(
    initdb: Run, rows: Rows, tmp_path: Path, how: str, option: str, label: str
) -> None:
    path = write(tmp_path, encode(csv_text([HEADER, *RECORDS]), how))
    r = initdb("import", "customers", str(path), "--encoding", option)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"Imported customers from {path} ({label}): 2 rows — 2 new")
    assert customers(rows) == STORED


def test_an_unknown_encoding_option_is_a_usage_error(
    initdb: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write(tmp_path, encode(csv_text([HEADER, *RECORDS]), "utf-8"))
    before = dump(rows)
    r = initdb("import", "customers", str(path), "--encoding", "latin-1")
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert r.stderr.splitlines() == [
        "Error: unknown encoding 'latin-1'",
        "Use auto, utf-8, utf-16 or gb18030.",
    ]
    assert dump(rows) == before


def test_utf16_without_a_bom_is_refused_with_a_clear_message(
    initdb: Run, rows: Rows, tmp_path: Path
) -> None:
    """SPEC 5: UTF-16 *with BOM*; otherwise a clear error. NUL-laden text is not UTF-8
    CSV, and "missing column" would send the user looking in the wrong place."""
    text = csv_text([["code", "name", "phone"], ["K01", "ACME Machinery", "13800138000"]])
    path = write(tmp_path, text.encode("utf-16-le"))  # every other byte is NUL
    before = dump(rows)
    r = initdb("import", "customers", str(path))
    assert r.exit_code == 65, r.output
    assert "Traceback" not in r.output
    assert "UTF-16" in r.stderr.splitlines()[0], r.stderr
    assert dump(rows) == before


# -- structure: empty files, quoting, line numbers --------------------------------------------


def test_an_empty_file_is_refused(initdb: Run, rows: Rows, tmp_path: Path) -> None:
    path = write(tmp_path, b"")
    r = initdb("import", "customers", str(path))
    assert_data_error(r, f"Error: {path}: the file is empty")
    assert dump(rows)["customers"] == []


def test_a_file_with_only_a_bom_is_empty(initdb: Run, rows: Rows, tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF8 + b"\r\n\r\n")
    r = initdb("import", "customers", str(path))
    assert_data_error(r, f"Error: {path}: the file is empty")


def test_a_header_only_file_imports_zero_rows(initdb: Run, rows: Rows, tmp_path: Path) -> None:
    path = write(tmp_path, encode(csv_text([HEADER]), "utf-8-bom"))
    before = dump(rows)
    r = initdb("import", "customers", str(path))
    assert r.exit_code == 0, r.output
    assert r.stdout == (
        f"Imported customers from {path} (UTF-8 with BOM): 0 rows — 0 new, 0 updated, 0 unchanged\n"
    )
    assert dump(rows) == before


def test_a_missing_file_is_named_without_a_traceback(initdb: Run, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    r = initdb("import", "customers", str(path))
    assert r.exit_code != 0
    assert "Traceback" not in r.output
    assert r.stderr.splitlines()[0] == f"Error: {path}: no such file"


def test_an_unclosed_quote_names_the_line_where_the_record_starts(
    initdb: Run, rows: Rows, tmp_path: Path
) -> None:
    lines = ["code,name"] + [f"Q{i},Name {i}" for i in range(50)]
    lines[5] = 'Q5,"broken name'
    path = write(tmp_path, ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    before = dump(rows)
    r = initdb("import", "customers", str(path))
    assert r.exit_code == 65, r.output
    assert "Traceback" not in r.output
    first = r.stderr.splitlines()[0]
    assert first.startswith(f"Error: {path}:6: malformed CSV"), first
    assert dump(rows) == before


def test_text_after_a_closing_quote_is_malformed(initdb: Run, rows: Rows, tmp_path: Path) -> None:
    path = write(tmp_path, b'code,name\r\nQ1,ok\r\nQ2,"ab"c\r\n')
    r = initdb("import", "customers", str(path))
    assert r.exit_code == 65, r.output
    assert r.stderr.splitlines()[0].startswith(f"Error: {path}:3: malformed CSV")
    assert r.stderr.splitlines()[1] == "Check the quoting of the record that starts on that line."
    assert dump(rows)["customers"] == []


def test_line_numbers_count_physical_lines_with_blank_lines_and_multiline_cells(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    text = (
        "客户编号,类型,日期,备注,单号\r\n"  # 1
        "\r\n"  # 2: blank, skipped
        'C001,维修,2026-11-20,"第一行\r\n第二行\r\n第三行",R1\r\n'  # 3-5
        ",,,,\r\n"  # 6: only empty cells, skipped
        "C002,维修,2026-13-01,,R2\r\n"  # 7
    )
    path = write(tmp_path, text.encode("utf-8"))
    before = dump(rows)
    r = office("import", "events", str(path))
    assert r.exit_code == 65, r.output
    assert r.stderr.splitlines()[0] == (
        f"{path}:7:3: 日期: '2026-13-01' — expected a date like 2026-11-22"
        " (also 2026/11/22, 2026.11.22, 2026年11月22日, 20261122)"
    )
    assert dump(rows) == before


def test_a_multiline_cell_is_kept_whole(office: Run, rows: Rows, tmp_path: Path) -> None:
    text = (
        '单号,客户编号,类型,日期,备注\r\nR1,C001,维修,2026-11-20,"换了油封，\r\n客户说""还行"""\r\n'
    )
    path = write(tmp_path, encode(text, "gb18030"))
    r = office("import", "events", str(path))
    assert r.exit_code == 0, r.output
    assert rows("SELECT note FROM events") == [{"note": '换了油封，\r\n客户说"还行"'}]


def test_a_nul_byte_in_a_cell_is_a_cell_error(initdb: Run, rows: Rows, tmp_path: Path) -> None:
    path = write(tmp_path, b"code,name\r\nK01,AC\x00ME\r\n")
    r = initdb("import", "customers", str(path))
    assert r.exit_code == 65, r.output
    assert r.stderr.splitlines()[0] == (
        f"{path}:2:2: name: 'AC\\x00ME' — expected text without control characters (NUL...)"
    )
    assert dump(rows)["customers"] == []


# -- properties ---------------------------------------------------------------------------------

CELL_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    records=st.lists(st.lists(CELL_TEXT, min_size=3, max_size=3), min_size=1, max_size=6),
    how=st.sampled_from(["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be"]),
)
def test_unicode_encodings_read_back_exactly_what_was_written(
    tmp_path: Path, records: list[list[str]], how: str
) -> None:
    header = ["a", "b", "c"]
    path = write(tmp_path, encode(csv_text([header, *records]), how))
    source = detect(path)
    with open_text(source) as fh:
        got = [cells for _, cells in rows(source, fh)]
    kept = [r for r in records if any(cell.strip() for cell in r)]
    assert got == [header, *kept]


NOTES = st.one_of(
    st.text(max_size=300),
    st.text(
        alphabet=st.sampled_from(
            list(
                "ＡＢＣ１２３　＂，．\"',;\t\r\n 中文😀👍🏽\u200f\u200e\u202e\u202c\u0627\u05d0\ufeff\u2028"
            )
        ),
        max_size=400,
    ),
    st.text(min_size=1, max_size=8).map(lambda s: (s * 5000)[:5000]),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(note=NOTES, how=st.sampled_from(["utf-8", "utf-8-bom", "utf-16-le"]))
@example(note="x" * 5000, how="utf-8")
@example(note='"引号", 逗号\r\n换行\n第三行', how="utf-8")
@example(note="\u202eRTL \u200fמשהו\u200e 😀 ＡＢＣ１２３", how="utf-16-le")
@example(note="\x00", how="utf-8")
@example(note="\x00" * 40, how="utf-8")  # a file mostly NUL: refused as a whole
@example(note="   ", how="utf-8")
@example(note="'\t", how="utf-8")  # an apostrophe the export never writes before a tab
def test_any_note_imports_whole_or_fails_cleanly(
    office: Run, rows: Rows, tmp_path: Path, note: str, how: str
) -> None:
    ref = f"P{next(_seq)}"
    header = ["客户编号", "类型", "日期", "单号", "备注"]
    text = csv_text([header, ["C002", "维修", "2026-11-20", ref, note]])
    path = write(tmp_path, encode(text, how))
    before = dump(rows)
    r = office("import", "events", str(path))
    assert "Traceback" not in r.output
    assert r.exception is None, r.exception
    assert r.exit_code in (0, 65), r.output
    if r.exit_code == 0:
        got = rows("SELECT note FROM events WHERE ref = ?", ref)
        assert got == [{"note": note.strip() or None}]
        assert len(dump(rows)["events"]) == len(before["events"]) + 1
    elif how != "utf-16-le" and (head := encode(text, how)[:4096]).count(b"\x00") * 4 > len(head):
        # Mostly NUL bytes: the whole file is refused first, as UTF-16 saved without a BOM.
        assert r.stderr.startswith(f"Error: {path}: the file holds NUL bytes"), r.stderr
        assert dump(rows) == before
    else:
        assert r.stderr.startswith(f"{path}:2:5: 备注: "), r.stderr
        assert f"Error: {path}: 1 error; nothing was imported" in r.stderr
        assert dump(rows) == before
    # C0 but tab/newline (CR only before LF), DEL, C1, bidi and zero-width controls are
    # refused since issue 16 (support/controls.py).
    from followup_cli.support.controls import find_control

    if find_control(note.strip()) is None:
        assert r.exit_code == 0, r.output
