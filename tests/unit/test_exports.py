"""Lists written as spreadsheets (pure: files in memory, no service)."""
import csv
import io

import pytest
from openpyxl import load_workbook

from services.gateway.export_columns import REGISTERS, Column, Columns, columns_of
from services.gateway.exports import PAGE, _rows, cell, write_csv, write_xlsx
from shared.errors import NotFound

TINY = Columns("测试", "Test", [Column("name", "姓名", "Name"), Column("n", "数", "N"),
                               Column("insured.name", "被保险人", "Insured"),
                               Column("skills", "专长", "Skills")])
ROWS = [{"name": "=1+2", "n": -5, "insured": {"name": "@SUM(A1)"},
         "skills": [{"code": "legal_aid"}, {"code": "general"}]},
        {"name": "张*", "n": 0, "insured": None, "skills": []}]


@pytest.mark.parametrize("typed", ["=1+2", "+1", "-x", "@A1", "\tx"])
def test_text_a_spreadsheet_would_run_is_written_as_text(typed):
    book = io.BytesIO()
    write_xlsx(book, Columns("t", "t", [Column("v", "v", "v")]), [{"v": typed}], "en")
    sheet = load_workbook(io.BytesIO(book.getvalue())).worksheets[0]
    assert sheet["A2"].value == "'" + typed and sheet["A2"].data_type == "s"


def test_xlsx_has_the_headers_of_the_language_and_a_row_an_item():
    book = io.BytesIO()
    write_xlsx(book, TINY, iter(ROWS), "zh")
    rows = list(load_workbook(io.BytesIO(book.getvalue())).worksheets[0]
                .iter_rows(values_only=True))
    assert rows[0] == ("姓名", "数", "被保险人", "专长")
    assert rows[1] == ("'=1+2", -5, "'@SUM(A1)", "legal_aid、general")
    assert rows[2][:2] == ("张*", 0) and rows[2][2] is None


def test_csv_starts_with_a_bom_and_numbers_stay_numbers():
    written = io.BytesIO()
    write_csv(written, TINY, iter(ROWS), "en")
    assert written.getvalue().startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(written.getvalue().decode("utf-8-sig"))))
    assert lines == [["Name", "N", "Insured", "Skills"],
                     ["'=1+2", "-5", "'@SUM(A1)", "legal_aid、general"],
                     ["张*", "0", "", ""]]


def test_a_family_gives_a_row_per_member():
    family = {"family_no": "F-1", "members": [{"name": "甲"}, {"name": "乙"}]}
    rows = list(columns_of("families").rows_of(family))
    assert [cell(row, Column("member.name", "", "")) for row in rows] == ["甲", "乙"]


def test_every_register_heads_its_columns_in_both_languages():
    for register, columns in REGISTERS.items():
        assert all(c.zh and c.en for c in columns.columns), register
        for language in ("zh", "en"):  # a header twice would merge two columns into one
            headers = [c.header(language) for c in columns.columns]
            assert len(set(headers)) == len(headers), (register, language)
    with pytest.raises(NotFound):
        columns_of("secrets")


class Listing:
    """A list service's call as the gateway's proxy offers it: asked now, answered later."""

    def __init__(self, ids: list[int]):
        self.ids, self.asked = ids, []

    def call_async(self, query: dict, actor: dict):
        self.asked.append(query)
        after = query.get("after")
        start = 0 if after is None else self.ids.index(after) + 1
        page = {"items": [{"id": n, "name": f"n{n}"} for n in
                          self.ids[start:start + query["limit"]]], "total": len(self.ids)}
        return type("Reply", (), {"result": lambda _self: page})()


@pytest.mark.parametrize("count", [0, 1, PAGE, PAGE + 1, 3 * PAGE - 7])
def test_an_export_reads_every_item_once_a_page_after_the_last_id(count):
    ids = list(range(count * 2, 0, -2))  # falling, as most lists are
    listing = Listing(ids)
    names = [row["name"] for row in _rows(listing, {}, {"status": "x"}, TINY)]
    assert names == [f"n{n}" for n in ids]
    assert all(query["status"] == "x" and "offset" not in query for query in listing.asked)
    assert [query.get("after") for query in listing.asked[1:]] == ids[PAGE - 1::PAGE]
