"""Lists out as spreadsheets: xlsx, or CSV in UTF-8 with a BOM (as Excel opens it). The list
is fetched from its service a page at a time, with the list's own filters, each page asked for
while the one before is written, and written row by row to a temporary file that the answer
is then sent from: memory stays flat however long the list. Cells are what the API answers
(identity numbers and phones masked); text that a spreadsheet would run as a formula is
written with a leading apostrophe."""
import csv
import io
import os
import tempfile
from collections.abc import Iterator
from functools import cache

import eventlet
from marshmallow import Schema, fields, validate

# rust_xlsxwriter's own writer, in constant memory: about six times faster than XlsxWriter, which
# alone would write fewer rows a second than the lists are read.
from rustpy_xlsxwriter import write_worksheet
from werkzeug.wrappers import Response
from werkzeug.wsgi import FileWrapper

from services.gateway.export_columns import Column, Columns, columns_of
from services.gateway.routes import RPC_TIMEOUT_SECONDS
from services.gateway.web import i18n
from shared.clock import local_date, now_utc

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
SPREADSHEETS = (XLSX, CSV)
FORMATS = ("xlsx", "csv")
PAGE = 500  # the most a list endpoint gives at once
EXPORT_SECONDS = 600  # at 20 000 rows a second, a list of millions of rows
# What makes a spreadsheet read a cell as a formula (OWASP's list: tab and CR too).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SPOOL_BYTES = 1024 * 1024  # a small export stays in memory; a larger one goes to disk
CHUNK = 64 * 1024
NOT_FILTERS = ("format", "lang", "limit", "offset", "after")


@cache  # one schema per report schema, as for the lists
def report_query(report: type[Schema]) -> type[Schema]:
    """A report's query schema: JSON unless `format` asks for a spreadsheet."""
    return type(f"{report.__name__.removesuffix('In')}QueryIn", (export_query(report),), {
        "format": fields.String(load_default="json",
                                validate=validate.OneOf(("json", *FORMATS)))})


@cache  # one schema per list schema: the OpenAPI document names each once
def export_query(listing: type[Schema]) -> type[Schema]:
    """A list's query schema with the export's own: `format` and the headers' `lang`."""
    return type(f"{listing.__name__.removesuffix('In')}ExportIn", (listing,), {
        "format": fields.String(load_default="xlsx", validate=validate.OneOf(FORMATS)),
        "lang": fields.String(load_default=None, allow_none=True,
                              validate=validate.OneOf(i18n.LANGUAGES))})


def answer(call, register: str, listing) -> Response:
    """The whole list `register`, as the request's format asks, sent from a temporary file.
    `listing`: the service's list call (a proxy of it: called a page at a time, the next
    page asked for before this one is written)."""
    filters = {name: value for name, value in call.request.args.to_dict().items()
               if name not in NOT_FILTERS}
    columns = columns_of(register)
    return sent(call, register, columns, _rows(listing, call.actor, filters, columns))


def answer_rows(call, register: str, rows: list[dict]) -> Response:
    """Rows already at hand (a report's), as the request's format asks."""
    return sent(call, register, columns_of(register), iter(rows))


def sent(call, register: str, columns: Columns, rows: Iterator[dict]) -> Response:
    language = language_of(call)
    kind = call.query["format"]
    # Deleted once closed, and closed by the server once sent (FileWrapper closes it).
    made = tempfile.NamedTemporaryFile(suffix=f".{kind}")  # noqa: SIM115
    if kind == "csv":
        write_csv(made, columns, rows, language)
        media = f"{CSV}; charset=utf-8"
    else:
        write_xlsx(made.name, columns, rows, language)
        media = XLSX
    size = os.fstat(made.fileno()).st_size
    made.seek(0)
    name = f"{register}-{local_date(now_utc()).isoformat()}.{kind}"
    return Response(FileWrapper(made, CHUNK), mimetype=media, direct_passthrough=True,
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Content-Length": str(size)})


def language_of(call) -> str:
    """The language the caller asked for (`lang`), else their Accept-Language's."""
    return call.query["lang"] or i18n.pick(None, call.request.headers.get("Accept-Language"))


def _rows(listing, actor: dict, filters: dict, columns: Columns) -> Iterator[dict]:
    """Every item of the list, a page after another, each page the one after the last id
    seen (no page costs more than the first); a list item with several people (a family and
    its members) gives a row each."""
    asked = listing.call_async({**filters, "limit": PAGE}, actor)
    while True:
        with eventlet.Timeout(RPC_TIMEOUT_SECONDS):  # the route's own deadline is the export's
            items = asked.result()["items"]
        if len(items) == PAGE:  # the service works on the next page while this one is written
            asked = listing.call_async({**filters, "limit": PAGE, "after": items[-1]["id"]},
                                       actor)
        for item in items:
            yield from columns.rows_of(item)
        if len(items) < PAGE:
            return


def write_csv(file, columns: Columns, rows: Iterator[dict], language: str) -> None:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(column.header(language) for column in columns.columns)
    for row in rows:
        writer.writerow(neutral(cell(row, column)) for column in columns.columns)
    text.detach()  # the file stays open for the answer


def write_xlsx(target, columns: Columns, rows: Iterator[dict], language: str) -> None:
    """`target`: a file's path, or a binary buffer."""
    headers = [column.header(language) for column in columns.columns]
    lines = ({header: neutral(cell(row, column))
              for header, column in zip(headers, columns.columns, strict=True)} for row in rows)
    write_worksheet(lines, target, sheet_name=columns.title(language)[:31], freeze_row=1,
                    bold_headers=True, column_widths=[column.width for column in columns.columns])


def cell(row: dict, column: Column):
    """The value at the column's path (`insured.name`), lists joined; None when absent."""
    value = row
    for part in column.path:
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


def neutral(value) -> str | int | float | None:
    """Text no spreadsheet runs: one that looks like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
