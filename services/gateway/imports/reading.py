"""A file's bytes as a sheet of text cells: an .xlsx workbook's first sheet, or CSV in UTF-8
(with or without a BOM) or GB18030, as Chinese Excel saves it. What the file is comes from
its content, never its name. A workbook is a zip: one that would expand past
`MAX_EXPANDED_BYTES` (a zip bomb) is refused before anything is unpacked."""
import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from python_calamine import CalamineWorkbook

from shared.errors import InvalidInput

MAX_EXPANDED_BYTES = 256 * 1024 * 1024
MAX_ROWS = 200_000  # past any one register of a county; keeps a file of empty lines in bounds
ZIP = b"PK\x03\x04"
TEXT_CONTROLS = set(range(32)) - {9, 10, 13}  # a text file holds no other control bytes


@dataclass
class Sheet:
    headers: list[str]
    # (the row's number as the spreadsheet shows it, its cells); blank rows left out
    rows: list[tuple[int, list[str | None]]]


def read(content: bytes, filename: str | None) -> Sheet:
    grid = _workbook(content, filename) if content.startswith(ZIP) else _csv(content, filename)
    headers = None
    rows = []
    for number, cells in enumerate(grid, start=1):
        if len(rows) >= MAX_ROWS:
            raise _refused(filename, f"The file has more than {MAX_ROWS} rows; split it.")
        cells = [_text(cell) for cell in cells]
        if headers is None:
            if any(cells):
                headers = [cell or "" for cell in cells]
            continue
        if any(cells):
            rows.append((number, cells))
    if headers is None:
        raise _refused(filename, "The file has no header row.")
    return Sheet(headers, rows)


def _workbook(content: bytes, filename: str | None):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.namelist()
        expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
            RuntimeError):
        raise _refused(filename, "The file is a damaged zip, not a workbook.") from None
    if "xl/workbook.xml" not in names:
        raise _refused(filename, "The file is a zip but not an Excel workbook (.xlsx).")
    if expanded > MAX_EXPANDED_BYTES:
        raise _refused(filename, f"The workbook would expand to {expanded} bytes, past the "
                                 f"{MAX_EXPANDED_BYTES} accepted.")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = book.get_sheet_by_index(0)
    except Exception as exc:  # whatever the reader makes of a bad file
        raise _refused(filename, f"The workbook cannot be read: {exc}") from None
    return _rows_of(sheet, filename)


def _rows_of(sheet, filename: str | None):
    """The sheet's rows from row 1, a row at a time, each from column A (the reader starts
    them at the first column used)."""
    start_column = (sheet.start or (0, 0))[1]
    try:
        for cells in sheet.iter_rows():
            yield [None] * start_column + list(cells)
    except Exception as exc:
        raise _refused(filename, f"The workbook cannot be read: {exc}") from None


def _csv(content: bytes, filename: str | None):
    if any(byte in TEXT_CONTROLS for byte in content[:65536]) or b"\x00" in content:
        raise _refused(filename, "The file is neither an Excel workbook (.xlsx) nor CSV text.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refused(filename, "The file is not text in UTF-8 or GB18030.")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return _csv_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), filename)


def _csv_rows(reader, filename: str | None):
    try:
        yield from reader
    except csv.Error as exc:
        raise _refused(filename, f"The file is not valid CSV: {exc}") from None


def _text(cell) -> str | None:
    """A cell as the text a person typed: whole numbers without `.0` (a phone number saved
    as a number), dates as YYYY-MM-DD."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time(0) else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    text = str(cell).strip()
    return text or None


def _refused(filename: str | None, why: str) -> InvalidInput:
    name = filename or "the file"
    return InvalidInput(f"{name}: {why}", "file_not_accepted", {"file": [why]})
