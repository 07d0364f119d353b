"""A batch of a register's rows, applied by the service that owns the register.

Each row is checked by the register's row schema; rows are grouped into the units written
together (a household's people; else each row alone); each unit is written in a savepoint
by the same use case as a person typing it, so its events are the same too. A unit with an
error is written not at all, and every row of it says why. A dry run does all of this and
then rolls it back: what it reports is what the real run would do.

What comes back: an outcome per written row (created, updated, unchanged) and the errors by
row and column (the column: the last part of a field's path, e.g. `members.2.id_number`
is column `id_number` of the unit's third row)."""
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from shared.errors import DomainError, flatten_messages

INVALID = "invalid_value"
WITH_ITS_GROUP = "group_in_error"


@dataclass
class Unit:
    """Rows written together: their numbers in the file and their checked values."""
    rows: list[int] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)

    @property
    def first(self) -> dict:
        return self.values[0]


@dataclass
class Applied:
    outcomes: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


Write = Callable[[Session, Unit], str]  # → created, updated or unchanged


def apply(session: Session, batch: dict, schema: Schema, write: Write,
          group: Callable[[dict], Hashable] | None = None,
          prepare: Callable[[Session, list[Unit]], None] | None = None) -> Applied:
    """`batch`: shared.contracts.imports.ImportBatchIn, loaded. `group(cells)`: the unit a
    row belongs to (None: the row alone). `prepare(session, units)`: before any is written,
    with every unit to be written (to look up what the whole batch needs at once)."""
    applied = Applied()
    units: dict[Hashable, Unit] = {}
    bad_units: dict[Hashable, int] = {}  # unit → the first of its rows in error
    for row in batch["rows"]:
        cells = {name: value for name, value in row["cells"].items()
                 if value is not None and value.strip()}
        key = (group(cells) if group else None) or ("row", row["row"])
        try:
            values = schema.load(cells)
        except ValidationError as exc:
            for column, messages in flatten_messages(exc.messages).items():
                applied.errors.append(_error(row["row"], column, INVALID, " ".join(messages)))
            bad_units.setdefault(key, row["row"])
            continue
        unit = units.setdefault(key, Unit())
        unit.rows.append(row["row"])
        unit.values.append(values)
    if prepare is not None:
        prepare(session, [unit for key, unit in units.items() if key not in bad_units])
    for key, unit in units.items():
        if key in bad_units:
            applied.errors.extend(_with_group(number, bad_units[key]) for number in unit.rows)
            continue
        try:
            with session.begin_nested():
                outcome = write(session, unit)
        except DomainError as refused:
            applied.errors.extend(_refused(unit, refused))
            continue
        applied.outcomes.extend({"row": number, "outcome": outcome} for number in unit.rows)
    if batch["dry_run"]:
        session.rollback()
    return applied


def _refused(unit: Unit, refused: DomainError) -> list[dict]:
    """The refusal on the rows its fields name; the unit's other rows point at the first."""
    named: dict[int, list[dict]] = {}
    for path, messages in refused.fields.items():
        parts = path.split(".")
        index = next((int(part) for part in parts if part.isdigit()), None)
        number = unit.rows[index] if index is not None and index < len(unit.rows) \
            else unit.rows[0]
        column = None if parts[-1] in ("_schema", "_body") else parts[-1]
        named.setdefault(number, []).append(
            _error(number, column, refused.code, " ".join(messages)))
    if not named:
        named[unit.rows[0]] = [_error(unit.rows[0], None, refused.code, refused.message)]
    first = min(named)
    errors = [error for number in unit.rows for error in named.get(number, [])]
    errors += [_with_group(number, first) for number in unit.rows if number not in named]
    return sorted(errors, key=lambda error: error["row"])


def _with_group(number: int, culprit: int) -> dict:
    return _error(number, None, WITH_ITS_GROUP,
                  f"Not written: row {culprit} of the same group is in error.")


def _error(row: int, column: str | None, code: str, message: str) -> dict:
    return {"row": row, "column": column, "code": code, "message": message}
