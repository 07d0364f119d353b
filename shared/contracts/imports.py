"""What a service that owns a register is sent when a spreadsheet of it comes in, and what it
answers. The gateway reads the file and sends its rows a batch at a time, each row as the
cells under the register's columns (text, keyed by the column's name); the service checks
each row with the register's row schema (in its own contract), writes the valid ones as if
typed by hand, and says per row what happened."""
from marshmallow import Schema, fields, validate

from shared.fields import FreeText, Whole
from shared.schemas import Strict, shaped

BATCH_ROWS = 1_000  # rows per call: one transaction, well inside the RPC timeout
OUTCOMES = ("created", "updated", "unchanged")
MAX_CELL = 1_000  # characters in a cell; a longer one is an error of its own


class ImportRowIn(Strict):
    row = Whole(required=True, validate=validate.Range(min=2),
                metadata={"description": "the row's number in the file (1: the headers)"})
    cells = fields.Dict(keys=fields.String(), values=fields.String(
        allow_none=True, validate=validate.Length(max=MAX_CELL)), required=True)


class ImportBatchIn(Strict):
    dry_run = fields.Boolean(required=True, metadata={
        "description": "check and tell, write nothing"})
    rows = fields.List(fields.Nested(ImportRowIn), required=True,
                       validate=validate.Length(min=1, max=BATCH_ROWS))


class RowOutcomeOut(Schema):
    row = Whole()
    outcome = fields.String(metadata={"description": ", ".join(OUTCOMES)})


class RowErrorOut(Schema):
    row = Whole()
    column = fields.String(allow_none=True, metadata={
        "description": "the column's name in the register; null: the row as a whole"})
    code = fields.String()
    message = FreeText()


class ImportBatchOut(Schema):
    outcomes = fields.List(fields.Nested(RowOutcomeOut))
    errors = fields.List(fields.Nested(RowErrorOut))


IMPORTED = ImportBatchOut()


def imported_view(applied) -> dict:
    """A shared.imports.Applied as every register's service answers it."""
    return shaped(IMPORTED, {"outcomes": applied.outcomes, "errors": applied.errors})
