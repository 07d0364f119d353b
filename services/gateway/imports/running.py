"""An import run: a sheet's headers matched to the register's columns, what only the whole
file shows checked here (the same person on two rows, a cell too long), then the rows sent
a batch at a time to the service that owns the register, which checks each row and writes
the valid ones. A household's rows always travel in one batch.

All or nothing: the whole file is first run dry; only if no row is in error is it run for
real. Killed half-way, a run has written whole batches (each is one transaction in the
service) and the rest not at all; the same file again finishes it, since rows already in
are matched and left unchanged."""
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from services.gateway.imports.reading import Sheet
from services.gateway.imports.registers import Column, Register
from services.gateway.routes import not_text
from services.gateway.web import i18n
from services.gateway.web.words import WORDS
from shared.contracts.imports import BATCH_ROWS, MAX_CELL
from shared.errors import InvalidInput
from shared.imports import WITH_ITS_GROUP

Send = Callable[[dict], dict]  # a batch (ImportBatchIn) → the service's ImportBatchOut
Progress = Callable[[int, int], None]  # (rows done, rows to do)
SEPARATORS = re.compile(r"\s*[,，、;；]\s*")


@dataclass
class Report:
    register: str
    dry_run: bool
    all_or_nothing: bool
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False  # whether anything was written (or, run dry, would be)
    # {row, column (the register's key, None for the row), code, message (English)}
    errors: list[dict] = field(default_factory=list)


def columns_of(register: Register, headers: list[str], filename: str | None) -> list:
    """The register's column under each header (None under a blank one). Missing required
    columns and headers that are no column are one error naming them all."""
    found = columns_at(register, headers)
    unknown = [header for header, column in zip(headers, found, strict=True)
               if header.strip() and column is None]
    present = {column.key for column in found if column is not None}
    missing = [column.zh for column in register.columns
               if column.required and column.key not in present]
    twice = sorted({column.zh for column in found if column is not None
                    and sum(other is column for other in found) > 1})
    if missing or unknown or twice:
        fields = {}
        if missing:
            fields["missing"] = missing
        if unknown:
            fields["unknown"] = unknown
        if twice:
            fields["twice"] = twice
        raise InvalidInput(f"{filename or 'The file'}: the columns are not the register's "
                           f"{register.name}.", "wrong_columns", fields)
    return found


def columns_at(register: Register, headers: list[str]) -> list:
    """The register's column each header names (in Chinese, English or the key), or None."""
    known = _headers(register)
    return [known.get(_plain(header)) if header.strip() else None for header in headers]


@cache
def _headers(register: Register) -> dict:
    return {_plain(name): column for column in register.columns
            for name in (column.zh, column.en, column.key)}


def run(register: Register, sheet: Sheet, send: Send, *, dry_run: bool,
        all_or_nothing: bool = False, progress: Progress | None = None,
        filename: str | None = None, offload: Callable = lambda work, *args: work(*args)
        ) -> Report:
    """`offload(work, *args)` runs the checks of every row (all CPU, no waiting): in the
    gateway on a thread of its own, so its other requests are answered meanwhile."""
    columns = columns_of(register, sheet.headers, filename)
    report = Report(register.name, dry_run, all_or_nothing, rows=len(sheet.rows))
    rows, errors, batches = offload(_planned, register, columns, sheet)
    passes = [True] if dry_run else [True, False] if all_or_nothing else [False]
    total = len(rows) * len(passes)
    done = 0
    for dry in passes:
        report.created = report.updated = report.unchanged = 0
        found = list(errors)
        for batch in batches:
            answer = send({"dry_run": dry, "rows": batch})
            found += answer["errors"]
            for outcome in answer["outcomes"]:
                setattr(report, outcome["outcome"], getattr(report, outcome["outcome"]) + 1)
            done += len(batch)
            if progress:
                progress(done, total)
        report.errors = sorted(found, key=lambda error: error["row"])
        if all_or_nothing and dry and not dry_run and found:
            report.created = report.updated = report.unchanged = 0
            break
    report.invalid = len({error["row"] for error in report.errors})
    report.valid = report.rows - report.invalid
    report.written = report.created + report.updated > 0
    if progress and done < total:
        progress(total, total)
    return report


def _planned(register: Register, columns: list, sheet: Sheet) -> tuple:
    rows, errors = _checked(register, columns, sheet)
    return rows, errors, _batches(register, rows)


def _checked(register: Register, columns: list, sheet: Sheet) -> tuple[list[dict], list[dict]]:
    """The rows to send, as the batches carry them, and the errors seen here. A group with
    a row in error here is not sent at all: each of its rows says why."""
    errors = []
    rows = []
    first_of: dict[tuple, int] = {}
    bad_groups: dict[str, int] = {}
    for number, cells in sheet.rows:
        wanted = {}
        found = []
        for column, cell in zip(columns, cells, strict=False):
            if column is None:
                continue
            if cell is not None and (len(cell) > MAX_CELL or not_text(cell)):
                found.append(_error(number, column.key, "invalid_value",
                                    f"Longer than maximum length {MAX_CELL}."
                                    if len(cell) > MAX_CELL else
                                    "Contains a character that is not text (NUL or a lone "
                                    "surrogate)."))
                continue
            wanted[column.key] = _coded(column, cell)
        key = tuple(wanted.get(name) for name in register.key)
        if any(key) and key in first_of:
            named = next(name for name in ("id_number", *register.key)
                         if name in register.key and wanted.get(name))
            found.append(_error(number, named, "duplicate_row",
                                f"The same as row {first_of[key]}."))
        elif any(key):
            first_of[key] = number
        group = wanted.get(register.group) if register.group else None
        if found and group:
            bad_groups.setdefault(group, number)
        errors += found
        if not found:
            rows.append({"row": number, "cells": wanted})
    if bad_groups:
        held = [row for row in rows if row["cells"].get(register.group) in bad_groups]
        errors += [_error(row["row"], None, WITH_ITS_GROUP, "Not written: row "
                          f"{bad_groups[row['cells'][register.group]]} of the same group is "
                          "in error.") for row in held]
        rows = [row for row in rows if row["cells"].get(register.group) not in bad_groups]
    return rows, errors


def _batches(register: Register, rows: list[dict]) -> list[list[dict]]:
    """Batches of at most BATCH_ROWS, a group never split: rows grouped in the order their
    groups first appear."""
    if register.group is None:
        return [rows[start:start + BATCH_ROWS] for start in range(0, len(rows), BATCH_ROWS)]
    groups: dict = {}
    for row in rows:
        groups.setdefault(row["cells"].get(register.group) or ("row", row["row"]),
                          []).append(row)
    batches: list[list[dict]] = [[]]
    for group in groups.values():
        if batches[-1] and len(batches[-1]) + len(group) > BATCH_ROWS:
            batches.append([])
        batches[-1].extend(group)
    return [batch for batch in batches if batch]


def _coded(column: Column, cell: str | None) -> str | None:
    """A coded cell as codes: the word for a code, in either language, stands for it."""
    if cell is None or not column.choices:
        return cell
    words = _words(column.choices)
    if column.many:
        return ",".join(words.get(_plain(part), part) for part in SEPARATORS.split(cell)
                        if part)
    return words.get(_plain(cell), cell)


@cache
def _words(choices: tuple[str, ...]) -> dict[str, str]:
    zh = i18n.translations("zh").gettext
    words = {}
    for code in choices:
        words[_plain(code)] = code
        if code in WORDS:
            words[_plain(WORDS[code])] = code
            words[_plain(zh(WORDS[code]))] = code
    return words


def _plain(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text).strip().lower()


def _error(row: int, column: str | None, code: str, message: str) -> dict:
    return {"row": row, "column": column, "code": code, "message": message}
