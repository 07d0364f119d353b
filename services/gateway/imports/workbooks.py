"""The workbooks of imports: a register's template (its headers, a drop-down list for each
coded column, identity numbers and phones typed as text so no digit is lost) and a run's
error workbook (the rows in error as they were sent, and a column saying why)."""
import io
import tempfile

import xlsxwriter
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from werkzeug.wrappers import Response
from werkzeug.wsgi import FileWrapper

from services.gateway.exports import CHUNK, SPOOL_BYTES, XLSX, neutral
from services.gateway.imports.registers import Register
from services.gateway.models import ImportRun
from services.gateway.views import error_lines
from services.gateway.web import i18n
from services.gateway.web.words import WORDS

TEMPLATE_ROWS = 5000  # rows the drop-downs and text formats cover
TEXT_COLUMNS = ("id_number", "phone", "credit_code", "village_code", "grassroots_code",
                "household_no", "family_code")


def template_response(register: Register, language: str) -> Response:
    return Response(template(register, language), mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{register.name}-template.xlsx"'})


def errors_response(run: ImportRun, language: str) -> Response:
    """The run's errors workbook, written to a temporary file and sent from it."""
    gettext = i18n.translations(language).gettext
    why: dict[int, list[str]] = {}
    for line in error_lines(run, (run.report or {}).get("errors", []), language):
        said = f"{line['column']}: {line['message']}" if line["column"] else line["message"]
        why.setdefault(line["row"], []).append(said)
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (sent, then closed)
    errors(spooled, run.headers or [], run.rows_in_error or [],
           {row: gettext("; ").join(said) for row, said in why.items()}, language)
    size = spooled.tell()
    spooled.seek(0)
    return Response(FileWrapper(spooled, CHUNK), mimetype=XLSX, direct_passthrough=True,
                    headers={"Content-Disposition":
                             f'attachment; filename="{run.register}-errors.xlsx"',
                             "Content-Length": str(size)})


def template(register: Register, language: str) -> bytes:
    gettext = i18n.translations(language).gettext
    book = Workbook()
    sheet = book.active
    sheet.title = register.name
    codes = book.create_sheet("codes")
    codes.sheet_state = "hidden"
    for number, column in enumerate(register.columns, start=1):
        letter = get_column_letter(number)
        header = sheet.cell(row=1, column=number, value=column.header(language))
        header.font = Font(bold=True, color="C00000" if column.required else "000000")
        sheet.column_dimensions[letter].width = max(14, len(header.value) * 2 + 4)
        if column.note:
            header.comment = Comment(gettext(column.note), "")
        if column.key in TEXT_COLUMNS:
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=number).number_format = "@"
        if column.choices:
            words = [_word(gettext, code) for code in column.choices]
            for row, word in enumerate(words, start=1):
                codes.cell(row=row, column=number, value=word)
            cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
            listed = f"codes!${letter}$1:${letter}${len(words)}"
            if column.many:  # several in one cell: a hint, not a list that allows one
                hint = DataValidation(allow_blank=True, showInputMessage=True,
                                      promptTitle=column.header(language)[:32],
                                      prompt=gettext(", ").join(words)[:255])
            else:
                hint = DataValidation(type="list", formula1=listed, allow_blank=True,
                                      showErrorMessage=True)
            sheet.add_data_validation(hint)
            hint.add(cells)
    sheet.freeze_panes = "A2"
    made = io.BytesIO()
    book.save(made)
    return made.getvalue()


def errors(file, headers: list[str], rows_in_error: list, why: dict[int, str],
           language: str) -> None:
    """The rows in error, each with its number in the file and why, written to `file`."""
    gettext = i18n.translations(language).gettext
    book = xlsxwriter.Workbook(file, {"constant_memory": True, "in_memory": False,
                                      "strings_to_formulas": False, "strings_to_numbers": False,
                                      "strings_to_urls": False})
    sheet = book.add_worksheet(gettext("Rows in error")[:31])
    bold = book.add_format({"bold": True})
    top = [gettext("Row"), *headers, gettext("Why")]
    for number, header in enumerate(top):
        sheet.write_string(0, number, neutral(header), bold)
    sheet.set_column(len(top) - 1, len(top) - 1, 60)
    for line, (row, cells) in enumerate(rows_in_error, start=1):
        sheet.write_number(line, 0, row)
        for number, cell in enumerate(cells, start=1):
            if cell is not None:
                sheet.write_string(line, number, neutral(cell))
        sheet.write_string(line, len(top) - 1, neutral(why.get(row, "")))
    sheet.freeze_panes(1, 0)
    book.close()


def _word(gettext, code: str) -> str:
    return gettext(WORDS[code]) if code in WORDS else code
