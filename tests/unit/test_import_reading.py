"""Reading a spreadsheet and running it against a register, without a broker: files told by
their content, encodings, cells as typed, refusals, headers matched, coded words, households
kept whole in a batch, duplicates, and all or nothing."""
import io
import zipfile
from datetime import date, datetime

import pytest
import xlsxwriter

from services.gateway.imports import reading, running
from services.gateway.imports.reading import Sheet, read
from services.gateway.imports.registers import REGISTERS
from shared.contracts.imports import BATCH_ROWS
from shared.errors import InvalidInput

FAMILIES = REGISTERS["families"]


def xlsx(rows: list[list], at=(0, 0)) -> bytes:
    made = io.BytesIO()
    book = xlsxwriter.Workbook(made)
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for n, row in enumerate(rows):
        for k, cell in enumerate(row):
            if isinstance(cell, (date, datetime)):
                sheet.write_datetime(at[0] + n, at[1] + k, cell, date_format)
            elif cell is not None:
                sheet.write(at[0] + n, at[1] + k, cell)
    book.close()
    return made.getvalue()


def refused(content: bytes, name="f.xlsx") -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        read(content, name)
    assert caught.value.code == "file_not_accepted"
    return caught.value


def test_a_workbook_is_read_with_the_sheets_own_row_numbers_and_cells_as_typed():
    sheet = read(xlsx([["姓名", "手机号", "起保日期"], [None, None, None],
                       ["张三", 13905501234, date(2026, 1, 1)], ["李四", 1.5, "x"]],
                      at=(2, 1)), "a.xlsx")
    assert sheet.headers == ["", "姓名", "手机号", "起保日期"]
    assert sheet.rows == [(5, [None, "张三", "13905501234", "2026-01-01"]),
                          (6, [None, "李四", "1.5", "x"])]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_a_bom_and_in_gb18030(encoding):
    text = "户编号,姓名\r\nH1,张三\r\n,\r\nH2,\"李,四\"\r\n"
    sheet = read(text.encode(encoding), "a.csv")
    assert sheet.headers == ["户编号", "姓名"]
    assert sheet.rows == [(2, ["H1", "张三"]), (4, ["H2", "李,四"])]


def test_tab_separated_text_is_read_too():
    assert read("姓名\t手机号\n张三\t139\n".encode(), "a.txt").rows == [(2, ["张三", "139"])]


def test_what_is_not_a_spreadsheet_is_refused_naming_the_file():
    assert "photo.xlsx" in refused(b"\x89PNG\r\n\x1a\n" + bytes(40), "photo.xlsx").message
    refused(b"%PDF-1.4\n\x00\x01", "a.csv")
    refused(b"", "empty.csv")  # no header row
    refused("姓名\n".encode("utf-16"), "a.csv")
    made = io.BytesIO()
    with zipfile.ZipFile(made, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    refused(made.getvalue())  # a zip, but not a workbook
    refused(b"PK\x03\x04" + bytes(100))  # a damaged zip
    with zipfile.ZipFile(made := io.BytesIO(), "w") as archive:
        archive.writestr("xl/workbook.xml", "not xml at all")
    refused(made.getvalue())


def test_a_workbook_that_would_expand_past_the_limit_is_refused_before_it_is_unpacked(
        monkeypatch):
    monkeypatch.setattr(reading, "MAX_EXPANDED_BYTES", 1024 * 1024)
    made = io.BytesIO()
    with zipfile.ZipFile(made, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (2 * 1024 * 1024))
    assert len(made.getvalue()) < 20_000
    assert "expand" in refused(made.getvalue()).message


def test_more_rows_than_a_register_holds_are_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    read(("姓名\n" + "张三\n" * 3).encode(), "a.csv")
    assert "split" in refused(("姓名\n" + "张三\n" * 4).encode(), "a.csv").message


def test_headers_in_either_language_in_any_order_are_the_registers_columns():
    headers = ["Identity number", "姓名", "relation", "户编号", "Family category", "地址",
               "village code", "  "]
    found = running.columns_at(FAMILIES, headers)
    assert [c.key if c else None for c in found] == [
        "id_number", "name", "relation", "household_no", "category", "address",
        "village_code", None]


def test_wrong_headers_are_one_error_naming_the_missing_unknown_and_repeated():
    with pytest.raises(InvalidInput) as caught:
        running.columns_of(FAMILIES, ["姓名", "Name", "血型", "身份证号"], "f.xlsx")
    assert caught.value.code == "wrong_columns"
    fields = caught.value.fields
    assert fields["unknown"] == ["血型"] and fields["twice"] == ["姓名"]
    assert set(fields["missing"]) == {"户编号", "家庭类别", "地址", "村(社区)代码", "与户主关系"}


HEADERS = [column.zh for column in FAMILIES.columns]


def household(h: str, n: int, relation="户主", phone=None) -> list:
    return [h, "独生子女家庭", "村1号", "341181001001", f"人{n}", f"ID{n}", relation, phone]


class Service:
    """Takes batches as the families service would, writing each row it gets."""

    def __init__(self, wrong_rows=()):
        self.batches = []
        self.written = []
        self.wrong_rows = set(wrong_rows)

    def __call__(self, batch):
        self.batches.append(batch)
        errors = [{"row": r["row"], "column": "phone", "code": "invalid_value",
                   "message": "Not a mobile number."} for r in batch["rows"]
                  if r["row"] in self.wrong_rows]
        good = [r for r in batch["rows"] if r["row"] not in self.wrong_rows]
        if not batch["dry_run"]:
            self.written += good
        return {"outcomes": [{"row": r["row"], "outcome": "created"} for r in good],
                "errors": errors}


def sheet_of(rows: list[list]) -> Sheet:
    return Sheet(HEADERS, [(n, row) for n, row in enumerate(rows, start=2)])


def test_coded_words_in_either_language_become_codes():
    service = Service()
    rows = [household("H1", 1), household("H1", 2, "Spouse"), household("H1", 3, "child"),
            household("H1", 4, "表亲")]
    running.run(FAMILIES, sheet_of(rows), service, dry_run=True)
    sent = [r["cells"]["relation"] for r in service.batches[0]["rows"]]
    assert sent == ["head", "spouse", "child", "表亲"]  # an unknown word: the service says so
    assert service.batches[0]["rows"][0]["cells"]["category"] == "only_child"


def test_several_codes_in_one_cell_are_split_on_commas_and_enumeration_marks():
    column = REGISTERS["volunteers"].column("skills")
    assert running._coded(column, "general， 心理咨询、social work;x") == \
        "general,psychological_counselling,social_work,x"


def test_a_household_is_never_split_across_batches_and_batches_stay_in_bounds():
    rows = []
    for h in range(BATCH_ROWS // 3 + 10):  # households of three, H0's last person at the end
        rows += [household(f"H{h}", 3 * h + k, "户主" if k == 0 else "子女") for k in range(3)
                 if not (h == 0 and k == 2)]
    rows.append(household("H0", 2, "子女"))
    service = Service()
    report = running.run(FAMILIES, sheet_of(rows), service, dry_run=True)
    assert report.created == len(rows)
    assert all(len(batch["rows"]) <= BATCH_ROWS for batch in service.batches)
    for batch in service.batches:
        households_in = {r["cells"]["household_no"] for r in batch["rows"]}
        for other in service.batches:
            if other is not batch:
                assert not households_in & {r["cells"]["household_no"] for r in other["rows"]}


def test_the_same_person_twice_is_an_error_on_the_later_row_holding_back_its_household():
    rows = [household("H1", 1), household("H1", 2, "子女"), household("H2", 1)]
    service = Service()
    report = running.run(FAMILIES, sheet_of(rows), service, dry_run=False)
    assert [(e["row"], e["code"]) for e in report.errors] == [(4, "duplicate_row")]
    assert [r["row"] for r in service.written] == [2, 3]


def test_a_cell_too_long_holds_back_its_household_here():
    rows = [household("H1", 1), household("H1", 2, "子女"), household("H2", 3)]
    rows[1][2] = "村" * 1001
    service = Service()
    report = running.run(FAMILIES, sheet_of(rows), service, dry_run=False)
    assert {(e["row"], e["column"], e["code"]) for e in report.errors} == {
        (3, "address", "invalid_value"), (2, None, "group_in_error")}
    assert [r["row"] for r in service.written] == [4]


def test_all_or_nothing_writes_nothing_if_a_row_is_wrong_and_everything_if_none_is():
    rows = [household("H1", 1), household("H2", 2), household("H3", 3)]
    wrong = Service(wrong_rows={3})
    report = running.run(FAMILIES, sheet_of(rows), wrong, dry_run=False, all_or_nothing=True)
    assert (report.written, report.created, report.invalid) == (False, 0, 1)
    assert wrong.written == [] and all(b["dry_run"] for b in wrong.batches)

    right = Service()
    done = []
    report = running.run(FAMILIES, sheet_of(rows), right, dry_run=False, all_or_nothing=True,
                         progress=lambda d, t: done.append((d, t)))
    assert (report.written, report.created) == (True, 3)
    assert [r["row"] for r in right.written] == [2, 3, 4]
    assert done[-1] == (6, 6)  # both passes counted


def test_a_dry_run_sends_dry_batches_only():
    service = Service()
    report = running.run(FAMILIES, sheet_of([household("H1", 1)]), service, dry_run=True)
    assert report.created == 1 and report.written and service.written == []
