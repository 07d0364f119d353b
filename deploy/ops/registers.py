"""A register brought in from a spreadsheet (families, members, volunteers, policies,
donors), as the import page and POST /api/v1/imports/{register} bring it in, straight to the
services: .xlsx, or CSV in UTF-8 (with or without a BOM) or GB18030; headers in Chinese or
English (GET /api/v1/imports/templates/{register}.xlsx is the template).

A dry run (--dry-run) checks every row and tells what would happen, writing nothing. A real
run writes the valid rows (with --all-or-nothing: all of them, or none if any is in error).
The same file again changes nothing. Exit 0: every row in; 2: rows in error (listed, and
written to --errors as a workbook), or a file that is not a register's spreadsheet."""
from dataclasses import dataclass
from pathlib import Path

from services.gateway.imports import reading, running, workbooks
from services.gateway.imports.registers import REGISTERS
from services.gateway.web import i18n, texts
from shared.actors import system_actor

IMPORTER = "import"  # who the rows were entered by


@dataclass
class Outcome:
    report: running.Report
    sheet: reading.Sheet
    headers: dict[str, str]  # a column's key → the file's header for it

    def why(self, language: str) -> dict[int, str]:
        """Each row in error: what is wrong with it, column by column."""
        gettext = i18n.translations(language).gettext
        said: dict[int, list[str]] = {}
        for error in self.report.errors:
            message = texts.say(gettext, error["message"])
            header = self.headers.get(error["column"]) if error["column"] else None
            said.setdefault(error["row"], []).append(f"{header}: {message}" if header
                                                     else message)
        return {row: gettext("; ").join(lines) for row, lines in said.items()}

    def write_errors(self, path: str, language: str) -> None:
        wrong = {error["row"] for error in self.report.errors}
        with open(path, "wb") as file:
            workbooks.errors(file, self.sheet.headers,
                             [[number, cells] for number, cells in self.sheet.rows
                              if number in wrong], self.why(language), language)


def bring_in(rpc, register: str, path: str, *, dry_run: bool, all_or_nothing: bool,
             progress=None) -> Outcome:
    """Raises shared.errors.InvalidInput for a file that is not the register's."""
    found = REGISTERS[register]
    name = Path(path).name
    sheet = reading.read(Path(path).read_bytes(), name)
    columns = running.columns_of(found, sheet.headers, name)
    call = getattr(getattr(rpc, found.service), found.call)
    actor = system_actor(IMPORTER)
    report = running.run(found, sheet, lambda batch: call(batch, actor), dry_run=dry_run,
                         all_or_nothing=all_or_nothing, progress=progress, filename=name)
    return Outcome(report, sheet, {column.key: header for header, column in
                                   zip(sheet.headers, columns, strict=True) if column})
