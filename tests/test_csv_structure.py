"""CSV files from hostile or unlucky sources (issue 16): what is not a file, what has no
end, what is separated by something else, and headers that do not match.

Only a regular file is read (a device, a FIFO or a folder is refused at once); a line or
a cell longer than MAX_LINE characters is refused instead of read into memory; the
delimiter is sniffed from the first record (a quoted header cell may hold a newline);
';' files are refused with what to do; a missing column lists the headers found, control
characters escaped; an Excel-damaged customer code is called a customer code. Every
refusal: exit 65, the message, nothing written.
"""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import open_db
from csv_files import TABLES, csv_bytes, dump, write
from csv_files import refused_file as refused
from followup_cli.support.errors import DataError
from followup_cli.transfer.csv_read import MAX_LINE, detect, open_text, rows

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]


def counts(db_path: Path) -> dict[str, int]:

    with open_db(db_path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def installed(db_path: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command in a child process with a timeout: a blocking open or an endless read
    shows as a timeout, not as a hung test run."""
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "FOLLOWUP_STAFF": "李娜",
        "FOLLOWUP_LANGUAGE": "en",
        "LANG": "C.UTF-8",
    }
    env.pop("FOLLOWUP_CONFIG", None)
    command = [sys.executable, "-m", "followup_cli", "--db", str(db_path), "--today"]
    return subprocess.run(
        [*command, "2026-11-23", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        stdin=subprocess.DEVNULL,
    )


# -- not a regular file ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "kind"),
    [("/dev/zero", "a device"), ("/dev/null", "a device"), ("fifo", "a FIFO (named pipe)")],
)
def test_a_device_or_a_fifo_is_refused_at_once(
    office: Run, db_path: Path, tmp_path: Path, target: str, kind: str
) -> None:
    """/dev/zero never ends and a FIFO with no writer blocks the open: both hung before."""
    if target == "fifo":
        target = str(tmp_path / "import.fifo")
        os.mkfifo(target)
    before = counts(db_path)
    r = installed(db_path, tmp_path, "import", "customers", target)
    assert r.returncode == 65, r.stderr
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        f"Error: {target} is {kind}, not a CSV file",
        "Import reads a regular file: save the data to a .csv file first.",
    ]
    assert counts(db_path) == before


def test_a_folder_is_refused(office: Run, rows: Rows, tmp_path: Path) -> None:
    before = dump(rows)
    r = office("import", "events", str(tmp_path))
    refused(r, [f"Error: {tmp_path} is a folder, not a CSV file"])
    assert dump(rows) == before


def test_a_link_to_a_regular_file_is_read(office: Run, rows: Rows, tmp_path: Path) -> None:
    target = write(tmp_path, "real.csv", csv_bytes([["客户编号", "客户名称"], ["L01", "链接公司"]]))
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    r = office("import", "customers", str(link))
    assert r.exit_code == 0, r.output
    assert rows("SELECT name FROM customers WHERE code = 'L01'") == [{"name": "链接公司"}]


# -- no end: a line or a cell without bound --------------------------------------------------


def test_a_huge_line_with_no_newline_is_refused(office: Run, rows: Rows, tmp_path: Path) -> None:
    path = write(tmp_path, "huge.csv", b"a" * (MAX_LINE * 3))
    before = dump(rows)
    r = office("import", "customers", str(path))
    refused(
        r,
        [
            f"Error: {path}:1: a line longer than {MAX_LINE} characters",
            "This is not a CSV file as Excel writes it: check that it is the right file.",
        ],
    )
    assert dump(rows) == before


def test_a_huge_line_after_the_header_names_its_line(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    data = csv_bytes([["客户编号", "客户名称"], ["H01", "甲"], ["H02", "乙"]])
    path = write(tmp_path, "late.csv", data + b"H03," + b"x," * MAX_LINE + b"\r\n")
    before = dump(rows)
    r = office("import", "customers", str(path))
    refused(
        r,
        [
            f"Error: {path}:4: a line longer than {MAX_LINE} characters",
            "This is not a CSV file as Excel writes it: check that it is the right file.",
        ],
    )
    assert dump(rows) == before


def test_a_quote_never_closed_over_short_lines_is_capped(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    data = b'code,name\r\nK01,"' + b"line\r\n" * (MAX_LINE // 5)
    path = write(tmp_path, "open-quote.csv", data)
    before = dump(rows)
    r = office("import", "customers", str(path))
    refused(
        r,
        [
            f"Error: {path}:2: a cell longer than {MAX_LINE} characters",
            "Check for a quote that is never closed in the record that starts there.",
        ],
    )
    assert dump(rows) == before


def test_rows_reads_lines_up_to_the_cap(tmp_path: Path) -> None:
    note = "备" * (MAX_LINE - 20)
    path = write(tmp_path, "long.csv", csv_bytes([["code", "note"], ["K01", note]]))
    source = detect(path)
    with open_text(source) as fh:
        assert list(rows(source, fh)) == [(1, ["code", "note"]), (2, ["K01", note])]


# -- the delimiter, from the first record ----------------------------------------------------


def test_a_quoted_header_cell_with_a_newline_in_a_tab_file(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    """Excel "Unicode Text" with a header typed on two lines (Alt+Enter): the first
    physical line has no tab, so the old sniff chose the comma."""
    records = [["客户\n编号", "客户名称", "地区"], ["N01", "淄博机床厂，二分厂", "淄博"]]
    data = codecs.BOM_UTF16_LE + csv_bytes(records, "utf-16-le", "\t")
    path = write(tmp_path, "unicode.txt", data)
    assert detect(path).delimiter == "\t"
    r = office("import", "customers", str(path))
    assert r.exit_code == 0, r.output
    assert r.stderr == ""  # 客户\n编号 is 客户编号: no column left unimported
    assert rows("SELECT name, region FROM customers WHERE code = 'N01'") == [
        {"name": "淄博机床厂，二分厂", "region": "淄博"}
    ]


def test_a_tab_in_a_quoted_first_cell_does_not_make_a_tab_file(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    records = [["备注\t说明\n(选填)", "客户编号", "客户名称"], ["无", "N02", "东营石化设备"]]
    path = write(tmp_path, "comma.csv", csv_bytes(records))
    assert detect(path).delimiter == ","
    r = office("import", "customers", str(path))
    assert r.exit_code == 0, r.output
    assert rows("SELECT name FROM customers WHERE code = 'N02'") == [{"name": "东营石化设备"}]


def test_utf8_tab_separated_files_still_import(office: Run, rows: Rows, tmp_path: Path) -> None:
    records = [["客户编号", "客户名称"], ["N03", "日照港机"]]
    path = write(tmp_path, "tabs.tsv", csv_bytes(records, "utf-8", "\t"))
    r = office("import", "customers", str(path))
    assert r.exit_code == 0, r.output
    assert rows("SELECT name FROM customers WHERE code = 'N03'") == [{"name": "日照港机"}]


@pytest.mark.parametrize("codec", ["utf-8-sig", "gb18030"])
def test_a_semicolon_file_is_refused_saying_so(
    office: Run, rows: Rows, tmp_path: Path, codec: str
) -> None:
    """Excel in a European locale writes ';': before, "missing column: name"."""
    records = [["客户编号", "客户名称", "电话"], ["S01", "青岛重工", "0532-1234567"]]
    path = write(tmp_path, "semi.csv", csv_bytes(records, codec, ";"))
    before = dump(rows)
    r = office("import", "customers", str(path))
    refused(
        r,
        [
            f"Error: {path}: this file uses ';' as separator",
            "Save it as comma-separated (Excel: 'CSV UTF-8') and import it again.",
        ],
    )
    assert dump(rows) == before


def test_a_one_column_file_is_comma_separated(tmp_path: Path) -> None:
    path = write(tmp_path, "one.csv", b"\r\n\r\nname\r\nACME\r\n")
    assert detect(path).delimiter == ","


def test_a_broken_quote_in_the_header_is_reported_by_the_read(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write(tmp_path, "broken.csv", b'code,"name\r\nK01,ACME\r\n')
    before = dump(rows)
    r = office("import", "customers", str(path))
    assert r.exit_code == 65, r.output
    assert r.stderr.startswith(f"Error: {path}:1: malformed CSV"), r.stderr
    assert dump(rows) == before


# -- headers ------------------------------------------------------------------------------


def test_a_missing_column_lists_the_headers_found_escaped(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    header = ["电话", "\x1b[31m客户\x9b", "", "x" * 60]
    path = write(tmp_path, "heads.csv", csv_bytes([header, ["1", "2", "", "3"]]))
    before = dump(rows)
    r = office("import", "contacts", str(path))
    refused(
        r,
        [
            f"Error: {path}: missing columns: customer_code (客户编号/客户代码); name (联系人/姓名)",
            "The header line has: 电话, \\x1b[31m客户\\x9b, " + "x" * 39 + "…. It names the"
            " columns; see `followup import contacts --help`.",
        ],
    )
    assert dump(rows) == before


def test_the_headers_shown_are_escaped_in_the_message_itself(tmp_path: Path) -> None:
    """Escaped in the error's text, not only by the stream it is printed on (JSON)."""
    from followup_cli.transfer.columns import map_headers

    with pytest.raises(DataError) as info:
        map_headers("staff", ["姓名", "\x1b]0;PWNED\x07"], tmp_path / "s.csv")
    assert info.value.hint is not None
    assert "\x1b" not in info.value.hint and "\x07" not in info.value.hint
    assert "\\x1b]0;PWNED\\x07" in info.value.hint


# -- Excel damage in a code ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "form"),
    [("1.23E+11", "scientific notation (1.23E+11)"), ("123456789012.0", "a decimal (12345.0)")],
)
def test_an_excel_damaged_customer_code_is_called_a_customer_code(
    office: Run, rows: Rows, tmp_path: Path, cell: str, form: str
) -> None:
    path = write(tmp_path, "codes.csv", csv_bytes([["客户编号", "客户名称"], [cell, "滨州机械"]]))
    before = dump(rows)
    r = office("import", "customers", str(path))
    assert r.exit_code == 65, r.output
    assert r.stderr.splitlines()[0] == (
        f"{path}:2:1: 客户编号: '{cell}' — expected a customer code as text; this looks like a"
        f" code Excel turned into {form} (format the column as Text in Excel and export again)"
    )
    assert dump(rows) == before


def test_an_excel_damaged_code_in_a_contacts_file(office: Run, rows: Rows, tmp_path: Path) -> None:
    records = [["客户编号", "联系人"], ["1.2E+5", "王建军"]]
    path = write(tmp_path, "contacts.csv", csv_bytes(records))
    before = dump(rows)
    r = office("import", "contacts", str(path))
    assert r.exit_code == 65, r.output
    first = r.stderr.splitlines()[0]
    assert "expected a customer code as text" in first and "phone number" not in first, first
    assert dump(rows) == before
