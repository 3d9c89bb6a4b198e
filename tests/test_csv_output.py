"""One CSV writer (issue 13): every `--format csv` list and report, and `export`, write
through followup_cli.render.csv_writer, so a cell Excel would run as a formula is neutralised the
same way everywhere (SPEC 5: = + - @ tab or CR get a leading apostrophe).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

FORMULA = '=HYPERLINK("http://x")'
SUMMARY = "@SUM(A1) engine noise"
PACKAGE = Path(__file__).resolve().parent.parent / "src" / "followup_cli"


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def parse_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


@pytest.fixture
def hostile(office):
    """The small office plus a customer named like a formula, with a service job two
    days ago (a callback due today) and an open complaint whose summary is a formula."""
    steps = [
        (
            "customer",
            "add",
            FORMULA,
            "--code",
            "C009",
            "--grade",
            "2",
            "--phone",
            "13800138009",
            "--note",
            FORMULA,
        ),
        ("event", "add", "C009", "--kind", "service", "--date", "2026-11-21", "--ref", "WO-1"),
        (
            "ticket",
            "open",
            "C009",
            "--summary",
            SUMMARY,
            "--category",
            "service.late",
            "--severity",
            "minor",
        ),
    ]
    for args in steps:
        r = office(*args)
        assert r.exit_code == 0, r.output
    return office


def exported(run, kind: str, field: str, code: str = "C009") -> str:
    """The cell `export KIND` writes for the customer's row: the reference behaviour."""
    r = run("export", kind)
    assert r.exit_code == 0, r.output
    key = "code" if kind == "customers" else "customer_code"
    (row,) = [row for row in parse(r.stdout) if row[key] == code]
    return row[field]


def test_export_neutralises_the_formula(hostile) -> None:
    assert exported(hostile, "customers", "name") == "'" + FORMULA
    assert exported(hostile, "tickets", "summary") == "'" + SUMMARY


@pytest.mark.parametrize(
    ("args", "code_key", "name_key"),
    [
        (("customer", "list"), "code", "name"),
        (("due",), "customer_code", "customer_name"),
        (("ticket", "list"), "customer_code", "customer_name"),
        (("report", "complaints"), "customer_code", "customer_name"),
    ],
)
def test_csv_lists_neutralise_a_formula_as_export_does(hostile, args, code_key, name_key):
    expected = exported(hostile, "customers", "name")
    r = hostile(*args, "--format", "csv")
    assert r.exit_code == 0, r.output
    assert r.exception is None
    (row,) = [row for row in parse(r.stdout) if row[code_key] == "C009"]
    assert row[name_key] == expected == "'" + FORMULA
    assert not re.search(r'(^|,)"?=HYPERLINK', r.stdout, re.MULTILINE)


@pytest.mark.parametrize("args", [("ticket", "list"), ("report", "complaints")])
def test_a_typed_summary_is_neutralised_as_export_does(hostile, args) -> None:
    expected = exported(hostile, "tickets", "summary")
    r = hostile(*args, "--format", "csv")
    assert r.exit_code == 0, r.output
    (row,) = [row for row in parse(r.stdout) if row["customer_code"] == "C009"]
    assert row["summary"] == expected == "'" + SUMMARY


def test_customer_show_csv_neutralises_a_field(hostile) -> None:
    expected = exported(hostile, "customers", "note")
    r = hostile("customer", "show", "C009", "--format", "csv")
    assert r.exit_code == 0, r.output
    (customer,) = [row for row in parse(r.stdout) if row["section"] == "customer"]
    assert customer["note"] == expected == "'" + FORMULA


def test_the_writer_neutralises_text_and_keeps_numbers() -> None:
    """export's rule, kept: text starting = + - @ tab CR is neutralised, numbers (a
    negative one too) are written as they are, None as ""."""
    from followup_cli.render import csv_writer as csvout

    out = io.StringIO()
    rows = [
        ["=1+1", "+86 138", "-1", "@x", "\tx", "\rx", "a=b", "", None],
        [-2, -2.5, csvout.NumberText("-2.5"), 0, "'=already", "中文", True, 3, "x"],
    ]
    assert csvout.write_rows(out, list("abcdefghi"), rows, line_end="\r\n", bom=True) == 2
    assert out.getvalue().startswith("\ufeffa,b,c")
    assert parse_rows(out.getvalue()) == [
        list("abcdefghi"),
        # A lone CR is a control character: written visibly escaped (issue 16).
        ["'=1+1", "'+86 138", "'-1", "'@x", "'\tx", "'\\rx", "a=b", "", ""],
        ["-2", "-2.5", "-2.5", "0", "'=already", "中文", "True", "3", "x"],
    ]


def test_export_still_writes_bom_and_crlf(hostile, tmp_path: Path) -> None:
    out = tmp_path / "staff.csv"
    r = hostile("export", "staff", "--output", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith("\ufeffname,role,department,phone,email\r\n李娜".encode())


ALLOWED_CSV_IMPORTS = {
    "render/csv_writer.py",  # the one writer
    "transfer/csv_read.py",  # the reader behind `import`
}


def test_only_the_writer_and_the_import_reader_use_the_csv_module() -> None:
    """Any other `import csv` in the package would be a second writer (or reader)."""
    pattern = re.compile(r"^\s*(import\s+csv\b|from\s+csv\s+import\b)", re.MULTILINE)
    users = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    }
    assert users == ALLOWED_CSV_IMPORTS


def test_the_import_side_does_not_import_export() -> None:
    """FORMULA_START lives in the csv writer: no module of the import imports the export
    (the cycle exporting → importing → exporting is gone)."""
    for path in (PACKAGE / "transfer").glob("*.py"):
        if path.name == "exporting.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(
            r"^\s*(from followup_cli\.transfer(\.exporting| import exporting)"
            r"|import followup_cli\.transfer\.exporting)",
            text,
            re.MULTILINE,
        ), path.name
    from followup_cli.render import csv_writer as csvout
    from followup_cli.transfer import cells

    assert cells.FORMULA_START is csvout.FORMULA_START


@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(-5, 5),
                st.floats(allow_nan=False, width=32),
                st.text(alphabet="=+-@\t\r'a中 1", max_size=5),
            ),
            min_size=1,
            max_size=6,
        ),
        max_size=5,
    )
)
def test_the_fast_cells_write_what_the_plain_cell_writes(rows: list[list[Any]]) -> None:
    from followup_cli.render import csv_writer as csvout

    fast = io.StringIO()
    csvout.write_rows(fast, ["h"], rows)
    plain = io.StringIO()
    writer = csv.writer(plain, lineterminator="\n")
    writer.writerow(["h"])
    for row in rows:
        writer.writerow([csvout.cell(v) for v in row])
    assert fast.getvalue() == plain.getvalue()
