"""Files from unlucky sources (issue 16): text in the wrong encoding is refused, not stored.

Big5 (Taiwan, Hong Kong) and Shift-JIS (Japan) files decode as GB18030 into nonsense;
a BOM is a claim that the rest of the file must bear out ("Excel CSV UTF-8" with rows
pasted from a GBK file); UTF-16 without a BOM or of odd length and UTF-32 are refused
with what to do. Every sample is real text written with Python's codecs, and every
refusal is exit 65 with nothing written.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csv_files import csv_bytes, dump, write
from csv_files import refused_file as refused
from followup_cli.support.errors import DataError
from followup_cli.transfer.csv_read import detect, open_text
from followup_cli.transfer.csv_read import rows as read_rows
from followup_cli.transfer.encodings import RARE_MIN, RARE_SHARE, Tally

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Taiwan / Hong Kong office text: company names, addresses and notes.
BIG5_CUSTOMERS = [
    ["客戶編號", "客戶名稱", "等級", "電話", "地區", "地址", "備註"],
    ["T001", "台灣精密機械股份有限公司", "一級", "02-2345-6789", "台北",
     "台北市信義區松仁路100號12樓", "客戶要求每季保養一次，聯絡窗口為陳經理。"],
    ["T002", "香港聯合工程設備有限公司", "二級", "852-2345-6789", "香港",
     "九龍觀塘道388號創紀之城一期", "付款條件：月結六十天；請先寄報價單。"],
    ["T003", "高雄港灣起重機械廠", "三級", "07-333-1234", "高雄",
     "高雄市前鎮區成功二路25號", "維修後滿意度良好，下次回訪請確認備品庫存。"],
    ["T004", "新竹科學園區自動化設備行", "二級", "03-578-9012", "新竹",
     "新竹市東區園區二路168號", "聯絡人：林小姐（採購）。"],
]  # fmt: skip
# Names and roles whose Big5 bytes all land on assigned code points: English headers,
# no punctuation; only the share of rare characters shows what it is.
BIG5_CONTACTS = [
    ["customer_code", "name", "role", "phone"],
    ["C001", "陳志偉", "總經理", "0912345678"],
    ["C001", "劉德華", "會計", "0923456789"],
    ["C002", "陳德偉", "採購", "0934567890"],
]
JAPANESE_CUSTOMERS = [
    ["顧客コード", "顧客名", "等級", "電話", "地域", "住所", "備考"],
    ["J001", "株式会社山田機械製作所", "1", "03-1234-5678", "東京",
     "東京都千代田区丸の内一丁目1番1号", "定期点検は毎月第一月曜日にお願いします。"],
    ["J002", "大阪精密工業株式会社", "2", "06-6123-4567", "大阪",
     "大阪府大阪市北区梅田二丁目4番9号", "担当者は鈴木様です。見積書を先に送ってください。"],
    ["J003", "名古屋建設機械サービス", "3", "052-123-4567", "名古屋",
     "愛知県名古屋市中村区名駅三丁目", "修理後の満足度は高い。次回は部品の在庫を確認すること。"],
]  # fmt: skip
# Mainland text with rarely used but valid characters: 犇 骉 喆 堃 (GBK), 𠀀 䶮 (GB18030
# four-byte), 鎏 淼 (GB2312).
RARE_CUSTOMERS = [
    ["客户编号", "客户名称", "等级", "电话", "地区", "备注"],
    ["R001", "淄博鎏金机械厂", "一级", "0533-1234567", "淄博", "老板王犇，回访找他"],
    ["R002", "临沂骉达物流有限公司", "二级", "0539-7654321", "临沂", "联系人李喆"],
    ["R003", "潍坊淼鑫农机合作社", "三级", "0536-1112223", "潍坊", "负责人赵堃𠀀"],
    ["R004", "济宁䶮源工程机械", "二级", "0537-3334445", "济宁", "设备两台，保修期内"],
]
# The worst case for the share: a staff list where every name has a rare character.
RARE_STAFF = [["姓名", "角色"], ["张犇", "clerk"], ["王骉", "clerk"], ["李喆", "clerk"]]


def first_bad_utf8(data: bytes) -> int:
    """The first byte (from 1) that is not UTF-8: 泰 in GBK (CC A9) is valid UTF-8 (U+0329),
    so the GBK row fails a little after its start."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start + 1
    raise AssertionError("all UTF-8")


def tally(text: str) -> Tally:
    found = Tally()
    found.add(text)
    return found


def share(found: Tally) -> float:
    return found.rare / found.non_ascii


# -- the measure (encodings.py's notes quote these figures) -----------------------------


def test_big5_read_as_gb18030_is_rare_on_every_line_and_partly_private_use() -> None:
    text = csv_bytes(BIG5_CUSTOMERS, "big5").decode("gb18030")
    for line in text.splitlines():
        assert share(tally(line)) >= 0.5, line
    whole = tally(text)
    assert whole.odd * 3 >= whole.rare  # a third or more private-use (Big5 punctuation)
    assert whole.implausible()
    # Without punctuation no private-use is left; the share alone refuses it.
    names = tally(csv_bytes(BIG5_CONTACTS, "big5").decode("gb18030"))
    assert names.odd == 0
    assert share(names) > RARE_SHARE
    assert names.rare >= RARE_MIN
    assert names.implausible()


@pytest.mark.parametrize("codec", ["shift_jis", "cp932"])
def test_shift_jis_read_as_gb18030_is_all_rare(codec: str) -> None:
    found = tally(csv_bytes(JAPANESE_CUSTOMERS, codec).decode("gb18030"))
    assert share(found) == 1.0
    assert found.implausible()


def test_mainland_text_is_plausible_rare_characters_and_all() -> None:
    for path in sorted(EXAMPLES.glob("*.csv")):
        data = path.read_bytes()
        text = data.decode("utf-8-sig") if data.startswith(codecs.BOM_UTF8) else None
        if text is None:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("gb18030")
        assert tally(text).rare == 0, path.name
        assert not tally(text).implausible()
    rare = tally(csv_bytes(RARE_CUSTOMERS, "gb18030").decode("gb18030"))
    assert (rare.odd, rare.implausible()) == (0, False)
    assert share(rare) < 0.1
    staff = tally(csv_bytes(RARE_STAFF, "gb18030").decode("gb18030"))
    assert share(staff) == 0.3  # 3 of 10: the worst mainland case, under RARE_SHARE
    assert not staff.implausible()


def test_the_tally_counts_chunk_by_chunk_as_the_whole() -> None:
    text = csv_bytes(BIG5_CUSTOMERS * 20, "big5").decode("gb18030")
    whole = tally(text)
    pieces = Tally()
    for start in range(0, len(text), 97):
        pieces.add(text[start : start + 97])
    assert pieces == whole


# -- Big5 and Shift-JIS through the CLI ----------------------------------------------------


def test_a_big5_customer_file_is_refused_and_nothing_written(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    data = csv_bytes(BIG5_CUSTOMERS, "big5")
    data.decode("gb18030")  # it does decode: the old reader stored it
    path = write(tmp_path, "台灣客戶.csv", data)
    found = tally(data.decode("gb18030"))
    before = dump(rows)
    r = office("import", "customers", str(path))
    refused(
        r,
        [
            f"Error: {path}:1: this looks like Big5 / Shift-JIS, not GB18030 ({found.odd} of its"
            f" {found.non_ascii} non-ASCII characters are private-use or unassigned)",
            "Save it as UTF-8 (Excel: 'CSV UTF-8') or as GB18030, and import it again.",
        ],
    )
    assert dump(rows) == before


def test_a_big5_file_without_punctuation_is_refused_by_the_share(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    data = csv_bytes(BIG5_CONTACTS, "big5")
    path = write(tmp_path, "contacts-big5.csv", data)
    found = tally(data.decode("gb18030"))
    before = dump(rows)
    r = office("import", "contacts", str(path))
    refused(
        r,
        [
            f"Error: {path}:2: this looks like Big5 / Shift-JIS, not GB18030 ({found.rare} of"
            f" its {found.non_ascii} non-ASCII characters are rare in Chinese text)",
            "Save it as UTF-8 (Excel: 'CSV UTF-8') or as GB18030, and import it again.",
        ],
    )
    assert dump(rows) == before


@pytest.mark.parametrize("option", [(), ("--encoding", "gb18030")], ids=["auto", "gb18030"])
@pytest.mark.parametrize("codec", ["shift_jis", "cp932"])
def test_a_shift_jis_file_is_refused_even_when_called_gb18030(
    office: Run, rows: Rows, tmp_path: Path, codec: str, option: tuple[str, ...]
) -> None:
    data = csv_bytes(JAPANESE_CUSTOMERS, codec)
    path = write(tmp_path, "顧客.csv", data)
    found = tally(data.decode("gb18030"))
    before = dump(rows)
    r = office("import", "customers", str(path), *option)
    refused(
        r,
        [
            f"Error: {path}:1: this looks like Big5 / Shift-JIS, not GB18030 ({found.rare} of"
            f" its {found.non_ascii} non-ASCII characters are rare in Chinese text)",
            "Save it as UTF-8 (Excel: 'CSV UTF-8') or as GB18030, and import it again.",
        ],
    )
    assert dump(rows) == before


def test_big5_called_gb18030_is_refused_naming_the_first_odd_line(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    """The header is plain ASCII here: the first line read as nonsense is line 2."""
    records = [["code", "name", "address", "note"]] + [
        r[:1] + r[1:2] + r[5:] for r in BIG5_CUSTOMERS[1:]
    ]
    data = csv_bytes(records, "big5")
    path = write(tmp_path, "tw.csv", data)
    before = dump(rows)
    r = office("import", "customers", str(path), "--encoding", "gb18030")
    assert r.exit_code == 65, r.output
    assert r.stderr.startswith(f"Error: {path}:2: this looks like Big5 / Shift-JIS, not GB18030")
    assert dump(rows) == before


def test_the_same_text_saved_as_utf8_imports(office: Run, rows: Rows, tmp_path: Path) -> None:
    """What the refusal tells the user to do works: the Big5 text as UTF-8 imports."""
    header = ["客户编号", "客户名称", "等级", "电话", "地区", "地址", "备注"]
    records = [header] + [[r[0], r[1], "2", *r[3:]] for r in BIG5_CUSTOMERS[1:]]
    path = write(tmp_path, "tw-utf8.csv", codecs.BOM_UTF8 + csv_bytes(records, "utf-8"))
    r = office("import", "customers", str(path))
    assert r.exit_code == 0, r.output
    got = rows("SELECT code, name, address FROM customers WHERE code LIKE 'T%' ORDER BY code")
    assert got[1] == {
        "code": "T002",
        "name": "香港聯合工程設備有限公司",
        "address": "九龍觀塘道388號創紀之城一期",
    }


@pytest.mark.parametrize("codec", ["gbk", "gb18030"])
def test_mainland_files_with_rare_characters_still_import(
    office: Run, rows: Rows, tmp_path: Path, codec: str
) -> None:
    records = RARE_CUSTOMERS
    if codec == "gbk":  # 𠀀 and 䶮 are not in GBK
        records = [[c.replace("𠀀", "").replace("䶮", "鑫") for c in r] for r in RARE_CUSTOMERS]
    path = write(tmp_path, f"rare-{codec}.csv", csv_bytes(records, codec))
    r = office("import", "customers", str(path))
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"Imported customers from {path} (GB18030): 4 rows — 4 new")
    got = rows("SELECT code, name, note FROM customers WHERE code LIKE 'R%' ORDER BY code")
    assert got == [{"code": r[0], "name": r[1], "note": r[5]} for r in records[1:]]


def test_a_staff_list_of_rare_names_imports(initdb: Run, rows: Rows, tmp_path: Path) -> None:
    path = write(tmp_path, "staff.csv", csv_bytes(RARE_STAFF, "gb18030"))
    r = initdb("import", "staff", str(path))
    assert r.exit_code == 0, r.output
    assert [x["name"] for x in rows("SELECT name FROM staff ORDER BY id")] == [
        "张犇",
        "王骉",
        "李喆",
    ]


# -- a BOM is a claim: the rest must decode ---------------------------------------------


def excel_utf8_with_a_gbk_row(line: int) -> bytes:
    """ "CSV UTF-8" from Excel: a BOM, UTF-8 rows, and one row pasted from a GBK file."""
    records = [["客户编号", "客户名称", "地区"]] + [
        [f"M{i:03d}", f"济南第{i}机械厂", "济南"] for i in range(1, 20)
    ]
    lines = csv_bytes(records, "utf-8").split(b"\r\n")
    lines[line - 1] = "M099,泰安宏达建设,泰安".encode("gbk")
    return codecs.BOM_UTF8 + b"\r\n".join(lines)


def test_excel_utf8_with_a_row_pasted_from_gbk_names_the_line(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    data = excel_utf8_with_a_gbk_row(14)
    path = write(tmp_path, "客户.csv", data)
    byte = first_bad_utf8(data)
    before = dump(rows)
    r = office("import", "customers", str(path))
    refused(
        r,
        [
            f"Error: {path}:14: this line is not UTF-8 like the rest of the file: it looks like"
            f" GBK (byte {byte})",
            "Save the whole file as UTF-8 (Excel: 'CSV UTF-8'); rows pasted from a GBK file keep"
            " their encoding until then.",
        ],
    )
    assert dump(rows) == before
    # --dry-run and --encoding utf-8 say the same.
    for option in (("--dry-run",), ("--encoding", "utf-8")):
        again = office("import", "customers", str(path), *option)
        assert again.exit_code == 65, again.output
        assert again.stderr.splitlines()[0] == r.stderr.splitlines()[0]
    assert dump(rows) == before


def test_utf8_without_bom_then_a_gbk_row_is_not_read_as_gb18030(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    """Before: the whole file was read as GB18030, its UTF-8 rows stored as mojibake."""
    data = excel_utf8_with_a_gbk_row(9)[len(codecs.BOM_UTF8) :]
    path = write(tmp_path, "mixed.csv", data)
    before = dump(rows)
    r = office("import", "customers", str(path))
    assert r.exit_code == 65, r.output
    assert r.stderr.splitlines()[0] == (
        f"Error: {path}:9: this line is not UTF-8 like the rest of the file: it looks like"
        f" GBK (byte {first_bad_utf8(data)})"
    )
    assert dump(rows) == before


def test_a_bom_then_bytes_that_are_nothing_is_refused(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    data = codecs.BOM_UTF8 + "客户编号,客户名称\r\nK01,济南\r\n".encode() + b"K02,\xff\xfe\x80\r\n"
    path = write(tmp_path, "bad.csv", data)
    byte = data.index(b"\xff") + 1
    before = dump(rows)
    r = office("import", "customers", str(path))
    refused(
        r,
        [
            f"Error: {path}:3: not valid UTF-8 (undecodable byte {byte}),"
            " though the file starts with a byte-order mark",
            "Save the whole file again as 'CSV UTF-8' and import it again.",
        ],
    )
    assert dump(rows) == before


@pytest.mark.parametrize("bom", ["le", "be"])
def test_a_utf16_bom_then_a_broken_surrogate_is_refused(
    office: Run, rows: Rows, tmp_path: Path, bom: str
) -> None:
    codec = f"utf-16-{bom}"
    mark = codecs.BOM_UTF16_LE if bom == "le" else codecs.BOM_UTF16_BE
    good = "客户编号\t客户名称\r\nK01\t济南\r\n".encode(codec)
    lone = "\ud800".encode(codec, "surrogatepass")  # a high surrogate with no low one
    data = mark + good + "K02\t".encode(codec) + lone + "A\r\n".encode(codec)
    path = write(tmp_path, "unicode.txt", data)
    before = dump(rows)
    r = office("import", "customers", str(path))
    assert r.exit_code == 65, r.output
    assert "Traceback" not in r.output
    assert r.stderr.splitlines()[0] == (
        f"Error: {path}:3: not valid UTF-16 (undecodable bytes at byte"
        f" {len(mark + good) + 9}), though the file starts with a UTF-16 byte-order mark"
    )
    assert dump(rows) == before


# -- UTF-16 without a BOM or of odd length; UTF-32 --------------------------------------


def test_encoding_utf16_on_a_file_without_bom_is_refused(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write(tmp_path, "nobom.csv", csv_bytes([["code", "name"], ["K01", "济南"]], "utf-16-le"))
    before = dump(rows)
    r = office("import", "customers", str(path), "--encoding", "utf-16")
    refused(
        r,
        [
            f"Error: {path}: no UTF-16 byte-order mark at the start of the file",
            "Save it from Excel as 'Unicode Text' (which writes the mark) or as 'CSV UTF-8', and"
            " leave out --encoding.",
        ],
    )
    assert dump(rows) == before


@pytest.mark.parametrize("option", [(), ("--encoding", "utf-16")], ids=["auto", "utf-16"])
def test_utf16_of_odd_length_is_refused(
    office: Run, rows: Rows, tmp_path: Path, option: tuple[str, ...]
) -> None:
    data = codecs.BOM_UTF16_LE + csv_bytes([["code", "name"], ["K01", "济南"]], "utf-16-le")
    path = write(tmp_path, "cut.csv", data[:-1])
    before = dump(rows)
    r = office("import", "customers", str(path), *option)
    refused(
        r,
        [
            f"Error: {path}: {len(data) - 1} bytes, an odd number: UTF-16 text has two bytes per"
            " unit, so the file is cut short or not UTF-16",
            "Save it again from Excel as 'CSV UTF-8' or 'Unicode Text'.",
        ],
    )
    assert dump(rows) == before


@pytest.mark.parametrize("option", [(), ("--encoding", "utf-16")], ids=["auto", "utf-16"])
@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_is_refused_not_read_as_utf16(
    office: Run, rows: Rows, tmp_path: Path, codec: str, option: tuple[str, ...]
) -> None:
    mark = codecs.BOM_UTF32_LE if codec.endswith("le") else codecs.BOM_UTF32_BE
    path = write(
        tmp_path, "u32.csv", mark + csv_bytes([["客户编号", "客户名称"], ["K01", "济南"]], codec)
    )
    before = dump(rows)
    r = office("import", "customers", str(path), *option)
    refused(
        r,
        [
            f"Error: {path}: UTF-32 is not supported",
            "Save it as UTF-8 (Excel: 'CSV UTF-8') and import it again.",
        ],
    )
    assert dump(rows) == before


# -- properties: whatever the bytes, a clean answer -------------------------------------

PREFIXES = [
    b"",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
]
PIECES = st.one_of(
    st.binary(max_size=40),
    st.sampled_from(
        [
            "济南重工".encode("gbk"),
            "台灣精密".encode("big5"),
            "株式会社".encode("shift_jis"),
            "𠀀䶮".encode("gb18030"),
            "客户编号,客户名称\r\n".encode(),
            b'"a\r\nb",c\r\n',
            b";",
            b"\t",
            b"\x00",
        ]
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.sampled_from(PREFIXES),
    pieces=st.lists(PIECES, max_size=8),
    option=st.sampled_from(["auto", "utf-8", "utf-16", "gb18030"]),
)
def test_any_bytes_read_or_raise_a_data_error(
    tmp_path_factory: pytest.TempPathFactory, prefix: bytes, pieces: list[bytes], option: str
) -> None:
    path = tmp_path_factory.mktemp("bytes") / "any.csv"
    path.write_bytes(prefix + b"".join(pieces))
    try:
        source = detect(path, option)
        with open_text(source) as fh:
            for _line, _cells in read_rows(source, fh):
                pass
    except DataError as exc:
        assert exc.exit_code == 65
        assert str(path) in exc.message


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=st.sampled_from(PREFIXES), pieces=st.lists(PIECES, min_size=1, max_size=6))
def test_any_bytes_import_or_exit_65_through_the_cli(
    initdb: Run, rows: Rows, tmp_path: Path, prefix: bytes, pieces: list[bytes]
) -> None:
    path = write(tmp_path, "any.csv", prefix + b"".join(pieces))
    r = initdb("import", "customers", str(path), "--dry-run")
    assert "Traceback" not in r.output
    assert r.exception is None, r.exception
    assert r.exit_code in (0, 65), r.output
    assert rows("SELECT count(*) AS n FROM customers") == [{"n": 0}]
