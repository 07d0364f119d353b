"""Many rows into a table fast, as the services' own column types store them (sealed
columns sealed, JSON as JSON): PostgreSQL's COPY, else one executemany per table, all in
the caller's transaction."""
import io
from datetime import date

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

CHUNK = 50_000  # rows per COPY: bounds the text held at once
# COPY's text format: these characters are written as escapes (NULL is \N).
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def insert_rows(connection: Connection, table: Table, rows: list[dict]) -> None:
    """`rows` (dicts of one shape: the first row's keys) into `table`; columns left out get
    their Python-side defaults, as an insert gives them."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), CHUNK):
            connection.execute(insert(table), rows[start:start + CHUNK])
        return
    given = [table.c[name] for name in rows[0]]
    defaulted = [c for c in table.c if c.name not in rows[0] and c.default is not None]
    defaults = [_default(c) for c in defaulted]
    processors = [c.type.bind_processor(connection.dialect) for c in given + defaulted]
    cursor = connection.connection.dbapi_connection.cursor()
    names = ", ".join(f'"{c.name}"' for c in given + defaulted)
    statement = f"COPY {table.name} ({names}) FROM STDIN"
    for start in range(0, len(rows), CHUNK):
        text = io.StringIO()
        for row in rows[start:start + CHUNK]:
            values = [row[c.name] for c in given] + defaults
            text.write("\t".join(_copied(process(value) if process else value)
                                 for process, value in zip(processors, values, strict=True)))
            text.write("\n")
        text.seek(0)
        cursor.copy_expert(statement, text)


def _default(column):
    default = column.default
    if default.is_callable:
        return default.arg(None)  # SQLAlchemy wraps a no-argument callable to take a context
    if default.is_scalar:
        return default.arg
    raise ValueError(f"{column.table.name}.{column.name}: a SQL default, not copied")


def _copied(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, date):  # and datetime: ISO 8601 with its offset
        return value.isoformat()
    return str(value).translate(_ESCAPES)

