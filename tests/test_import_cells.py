"""The batched fast path of the import's converters (cells.Batched) agrees with the
per-cell converter, the one judge of a value: for any column of cells, each value the
batch settles is the value the cell alone converts to, and a cell the per-cell
converter refuses is never settled by the batch."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup_cli.support.errors import InvalidValue
from followup_cli.transfer.cells import MISSING, Batched, converters
from followup_cli.transfer.importing import KINDS

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "  C000001 ",
            "张三",
            "ＡＢＣ１２３",
            "a\tb",
            "x\ny",
            "\u3000名\u3000",
            "\x07bell",
            "'=1+1",
            "=HYPERLINK(1)",
            "-",
            "Ｃ001",
            "C001",
            " C002 ",
            "c001",
        ]
    ),
    st.text(min_size=190, max_size=260, alphabet="名a "),
)


def one(convert: Batched, cell: str) -> Any:
    try:
        return convert.one(cell)
    except InvalidValue:
        return InvalidValue


@given(column=st.lists(CELLS, min_size=1, max_size=8), data=st.data())
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_batch_settles_each_cell_as_the_cell_alone_converts(
    office: Any, session: Any, column: list[str], data: st.DataObject
) -> None:  # fmt: skip
    s = session()
    kind = data.draw(st.sampled_from(KINDS))
    batched = {n: c for n, c in converters(s, kind).items() if isinstance(c, Batched)}
    if not batched:
        return
    name = data.draw(st.sampled_from(sorted(batched)))
    convert = batched[name]
    settled = convert.many(column)
    if settled is None:
        return
    assert len(settled) == len(column)
    for cell, value in zip(column, settled, strict=True):
        if value is MISSING:
            continue
        assert one(convert, cell) == value, (kind, name, cell)


def test_some_columns_take_the_fast_path(office: Any, session: Any) -> None:
    """The property above is not vacuous: there are batched columns, and clean cells
    are settled by the batch."""
    s = session()
    found = {(kind, n) for kind in KINDS for n, c in converters(s, kind).items()
             if isinstance(c, Batched)}  # fmt: skip
    assert ("customers", "name") in found and ("events", "customer_code") in found
    names = converters(s, "customers")["name"]
    assert isinstance(names, Batched)
    assert names.many(["山东鲁建机械有限公司", " 泰安宏达建设 "]) == [
        "山东鲁建机械有限公司",
        "泰安宏达建设",
    ]
