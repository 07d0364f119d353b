"""Lists out as spreadsheets: xlsx, or CSV in UTF-8 with a BOM (as Excel opens it). The list
is fetched from its service a page at a time, with the list's own filters, and written row by
row to a temporary file that the answer is then sent from: memory stays flat however long
the list. Cells are what the API answers (identity numbers and phones masked); text that a
spreadsheet would run as a formula is written with a leading apostrophe."""
import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from functools import cache

import xlsxwriter
from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response
from werkzeug.wsgi import FileWrapper

from services.gateway.export_columns import Column, Columns, columns_of
from services.gateway.web import i18n
from shared.clock import local_date, now_utc

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
SPREADSHEETS = (XLSX, CSV)
FORMATS = ("xlsx", "csv")
PAGE = 500  # the most a list endpoint gives at once
# What makes a spreadsheet read a cell as a formula (OWASP's list: tab and CR too).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SPOOL_BYTES = 1024 * 1024  # a small export stays in memory; a larger one goes to disk
CHUNK = 64 * 1024
NOT_FILTERS = ("format", "lang", "limit", "offset")


@cache  # one schema per list schema: the OpenAPI document names each once
def export_query(listing: type[Schema]) -> type[Schema]:
    """A list's query schema with the export's own: `format` and the headers' `lang`."""
    return type(f"{listing.__name__.removesuffix('In')}ExportIn", (listing,), {
        "format": fields.String(load_default="xlsx", validate=validate.OneOf(FORMATS)),
        "lang": fields.String(load_default=None, allow_none=True,
                              validate=validate.OneOf(i18n.LANGUAGES))})


def answer(call, register: str, listing: Callable[[dict, dict], dict]) -> Response:
    """The whole list `register`, as the request's format asks, sent from a temporary file.
    `listing(query, actor)`: the service's list call, asked a page at a time."""
    filters = {name: value for name, value in call.request.args.to_dict().items()
               if name not in NOT_FILTERS}
    language = language_of(call)
    columns = columns_of(register)
    rows = _rows(lambda query: listing(query, call.actor), filters, columns)
    # Closed by the server once sent (FileWrapper closes it), so no `with` here.
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    if call.query["format"] == "csv":
        write_csv(spooled, columns, rows, language)
        media = f"{CSV}; charset=utf-8"
    else:
        write_xlsx(spooled, columns, rows, language)
        media = XLSX
    size = spooled.tell()
    spooled.seek(0)
    name = f"{register}-{local_date(now_utc()).isoformat()}.{call.query['format']}"
    return Response(FileWrapper(spooled, CHUNK), mimetype=media, direct_passthrough=True,
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Content-Length": str(size)})


def language_of(call) -> str:
    """The language the caller asked for (`lang`), else their Accept-Language's."""
    return call.query["lang"] or i18n.pick(None, call.request.headers.get("Accept-Language"))


def _rows(fetch: Callable[[dict], dict], filters: dict, columns: Columns) -> Iterator[dict]:
    """Every item of the list, page after page; a list item with several people (a family
    and its members) gives a row each."""
    offset = 0
    while True:
        page = fetch({**filters, "limit": PAGE, "offset": offset})
        for item in page["items"]:
            yield from columns.rows_of(item)
        offset += PAGE
        if offset >= page["total"] or not page["items"]:
            return


def write_csv(file, columns: Columns, rows: Iterator[dict], language: str) -> None:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(column.header(language) for column in columns.columns)
    for row in rows:
        writer.writerow(neutral(cell(row, column)) for column in columns.columns)
    text.detach()  # the file stays open for the answer


def write_xlsx(file, columns: Columns, rows: Iterator[dict], language: str) -> None:
    workbook = xlsxwriter.Workbook(file, {"constant_memory": True, "in_memory": False,
                                          "strings_to_formulas": False,
                                          "strings_to_numbers": False,
                                          "strings_to_urls": False})
    sheet = workbook.add_worksheet(columns.title(language)[:31])
    bold = workbook.add_format({"bold": True})
    for number, column in enumerate(columns.columns):
        sheet.write_string(0, number, column.header(language), bold)
        sheet.set_column(number, number, column.width)
    for line, row in enumerate(rows, start=1):
        for number, column in enumerate(columns.columns):
            value = cell(row, column)
            if isinstance(value, str):
                sheet.write_string(line, number, neutral(value))
            elif value is not None:
                sheet.write_number(line, number, value)
    sheet.freeze_panes(1, 0)
    workbook.close()


def cell(row: dict, column: Column):
    """The value at the column's path (`insured.name`), lists joined; None when absent."""
    value = row
    for part in column.key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, list):
        return "、".join(str(_label(item)) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _label(item):
    if isinstance(item, dict):
        return item.get("name") or item.get("family_no") or item.get("code") or item.get("id") or ""
    return item


def neutral(value) -> str | int | float:
    """Text no spreadsheet runs: one that looks like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
