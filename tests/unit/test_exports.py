"""Lists written as spreadsheets (pure: files in memory, no service)."""
import csv
import io

import pytest
from openpyxl import load_workbook

from services.gateway.export_columns import REGISTERS, Column, Columns, columns_of
from services.gateway.exports import cell, write_csv, write_xlsx
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
    with pytest.raises(NotFound):
        columns_of("secrets")
