"""A staff member's email (issue 19: who notices can reach): `staff add/edit --email`,
and the `email` / `邮箱` column of a staff import and export."""

from __future__ import annotations

import csv
import io

from csv_files import csv_bytes, dump, refused_file, write


def emails(rows) -> list[dict]:
    return rows("SELECT name, email FROM staff ORDER BY id")


def test_add_with_an_email(initdb, rows):
    r = initdb("staff", "add", "王伟", "--role", "gm", "--email", " wangwei@example.cn ")
    assert r.exit_code == 0, r.output
    assert emails(rows) == [{"name": "王伟", "email": "wangwei@example.cn"}]


def test_a_malformed_email_is_refused_and_nothing_is_written(initdb, rows):
    """As `contact add --email` refuses one: a usage error naming the option."""
    for bad in ("wangwei", "wang wei@example.cn", "a@b", "王伟@@example.cn"):
        r = initdb("staff", "add", "王伟", "--role", "gm", "--email", bad)
        assert r.exit_code == 2, r.output
        assert "Invalid value for '--email'" in r.stderr
        assert "an email address like name@example.com" in r.stderr
        assert emails(rows) == []


def test_edit_sets_and_clears_the_email(initdb, rows):
    assert initdb("staff", "add", "王伟", "--role", "gm", "--phone", "13800138001").exit_code == 0
    r = initdb("staff", "edit", "王伟", "--email", "ww@example.cn")
    assert r.exit_code == 0, r.output
    assert r.stdout == "Updated staff 王伟\n"
    assert rows("SELECT phone, email FROM staff") == [
        {"phone": "13800138001", "email": "ww@example.cn"}
    ]
    r = initdb("staff", "edit", "王伟", "--email", "")
    assert r.exit_code == 0, r.output
    assert rows("SELECT phone, email FROM staff") == [{"phone": "13800138001", "email": None}]


def test_edit_refuses_a_bad_email_or_an_unknown_name_writing_nothing(initdb, rows):
    assert initdb("staff", "add", "王伟", "--role", "gm", "--email", "ww@example.cn").exit_code == 0
    before = rows("SELECT * FROM staff")
    r = initdb("staff", "edit", "王伟", "--email", "not-an-email")
    assert r.exit_code == 2, r.output
    assert "Invalid value for '--email': 'not-an-email'" in r.stderr
    r = initdb("staff", "edit", "张三", "--email", "zs@example.cn")
    assert r.exit_code == 1, r.output
    assert "no staff member named '张三'" in r.stderr
    assert rows("SELECT * FROM staff") == before


def test_the_email_in_json(initdb):
    assert initdb("staff", "add", "王伟", "--role", "gm", "--email", "ww@example.cn").exit_code == 0
    r = initdb("staff", "list", "--format", "json")
    assert r.exit_code == 0, r.output
    assert '"email": "ww@example.cn"' in r.stdout


def test_import_reads_the_chinese_header_and_export_writes_it_back(initdb, rows, tmp_path):
    path = write(
        tmp_path,
        "staff.csv",
        csv_bytes(
            [
                ["姓名", "角色", "邮箱"],
                ["马国栋", "gm", "maguodong@example.cn"],
                ["张丽", "clerk", ""],
            ]
        ),
    )
    r = initdb("import", "staff", str(path))
    assert r.exit_code == 0, r.output
    assert emails(rows) == [
        {"name": "马国栋", "email": "maguodong@example.cn"},
        {"name": "张丽", "email": None},
    ]
    # A second file changes the address: an update, seen by the import.
    path = write(
        tmp_path, "again.csv", csv_bytes([["name", "role", "email"], ["马国栋", "gm", "m@ex.cn"]])
    )
    r = initdb("import", "staff", str(path))
    assert r.exit_code == 0, r.output
    assert emails(rows)[0] == {"name": "马国栋", "email": "m@ex.cn"}
    out = tmp_path / "out.csv"
    r = initdb("export", "staff", "--output", str(out))
    assert r.exit_code == 0, r.output
    records = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [(rec["name"], rec["email"]) for rec in records] == [
        ("马国栋", "m@ex.cn"),
        ("张丽", ""),
    ]


def test_import_refuses_a_malformed_email_writing_nothing(initdb, rows, tmp_path):
    before = dump(rows)
    path = write(
        tmp_path,
        "staff.csv",
        csv_bytes([["姓名", "角色", "邮箱"], ["马国栋", "gm", "maguodong.example.cn"]]),
    )
    r = initdb("import", "staff", str(path))
    refused_file(
        r,
        [
            f"{path}:2:3: 邮箱: 'maguodong.example.cn' — expected an email address like"
            " name@example.com",
            f"Error: {path}: 1 error; nothing was imported",
            "Fix the cells listed above and import the file again.",
        ],
    )
    assert dump(rows) == before
