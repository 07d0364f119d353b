"""More counties of the same size, copied in SQL from one loaded by `bench.county`: each
copy's rows are the first county's with its code in place of the first's (in numbers such
as receipts and in grassroots codes too) and ids shifted by the copy's place, every id and
reference to one alike (`bench.county` left room for them). Then each table is rewritten in
id order (CLUSTER), so every county's rows lie scattered among the others' as they would
after years of all of them writing at once, not each county's together as loaded."""
from sqlalchemy import Integer, MetaData, String, Table, text
from sqlalchemy.engine import Engine

from bench.county import SPREAD, advance_sequence
from shared import regions
from shared.crypto import INDEX_LENGTH, Sealed, SealedText

# The county's own record (its migration's, with ids of its own): each copy is set up
# as a county of its own by whoever loads them (bench.load).
NOT_COPIED = {"regional_associations"}


def codes(first: str, count: int) -> list[str]:
    """`count` county codes after `first` (341101 -> 341102, ...), a city's (341200) passed
    over."""
    found, code = [], int(first)
    while len(found) < count:
        code += 1
        if regions.is_county(str(code)):
            found.append(str(code))
    return found


def _copied(column, first: str) -> str:
    """The expression giving a copy's value of `column` (`copies.place`: the copy's place,
    `copies.county`: its county code)."""
    name = f'src."{column.name}"'
    if column.name == "association_code":
        return "copies.county"
    if isinstance(column.type, Integer) and (column.name == "id" or column.name.endswith("_id")):
        return f"{name} + copies.place"
    sealed = isinstance(column.type, Sealed | SealedText)
    blind_index = isinstance(column.type, String) and column.type.length == INDEX_LENGTH
    if isinstance(column.type, String) and not (sealed or blind_index):
        return f"replace({name}, '{first}', copies.county)"
    return name


def copy_table(connection, table: Table, first: str, targets: list[str]) -> int:
    """The first county's rows of `table` once for each target county, interleaved."""
    columns = ", ".join(f'"{c.name}"' for c in table.c)
    values = ", ".join(_copied(c, first) for c in table.c)
    order = "src.id, copies.place" if "id" in table.c else "copies.place"
    counties = ", ".join(f"({place}, '{code}')" for place, code in enumerate(targets, 1))
    found = connection.execute(text(
        f"INSERT INTO {table.name} ({columns}) SELECT {values} FROM {table.name} src, "
        f"(VALUES {counties}) AS copies (place, county) WHERE src.association_code = :first "
        f"ORDER BY {order}"), {"first": first})
    return found.rowcount


def copy(engine: Engine, metadata: MetaData, first: str, targets: list[str]) -> int:
    """Every table the first county has rows in, copied for the targets; rows written."""
    if len(targets) >= SPREAD:
        raise ValueError(f"at most {SPREAD - 1} copies fit between the first county's ids")
    written = 0
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if "association_code" in table.c and table.name not in NOT_COPIED:
                written += copy_table(connection, table, first, targets)
                advance_sequence(connection, table)
    return written


def scatter(engine: Engine, metadata: MetaData) -> None:
    """Every table with rows rewritten in id order, then vacuumed and analysed."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in metadata.sorted_tables:
            key = connection.execute(text(
                "SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) "
                "AND contype = 'p'"), {"t": table.name}).scalar()
            if "id" in table.c and key:
                connection.execute(text(f'CLUSTER {table.name} USING "{key}"'))
        connection.execute(text("VACUUM ANALYZE"))


def settle(engine: Engine) -> None:
    """Vacuumed and analysed, as autovacuum leaves tables after a load (SQLite: analysed)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                                else "ANALYZE"))
