"""Rows written before their tables carried the association's code take it from the row
they belong to when the migration adds it: a history entry, a ledger line, a sign-up or a
pairing of another county's keeps that county's code, not this install's."""
import sqlalchemy as sa
from alembic import command

from shared.migrate import alembic_config

OTHER = "341182"  # not this install's ASSOCIATION_CODE
# service -> (the revision before the codes came, [(table, its parent, its key to it)])
FILLED = {
    "fund": ("0014", [("ledger_lines", "ledger_transactions", "transaction_id"),
                      ("donation_history", "donations", "donation_id"),
                      ("disbursement_history", "disbursements", "disbursement_id"),
                      ("pledge_history", "pledges", "pledge_id"),
                      ("recurring_plan_history", "recurring_plans", "plan_id")]),
    "insurance": ("0013", [("product_versions", "products", "product_id"),
                           ("policy_history", "policies", "policy_id"),
                           ("premium_shares", "policies", "policy_id")]),
    "volunteers": ("0011", [("volunteer_skills", "volunteers", "volunteer_id"),
                            ("application_history", "applications", "application_id"),
                            ("shift_history", "shifts", "shift_id"),
                            ("signups", "shifts", "shift_id"),
                            ("signup_history", "signups", "signup_id"),
                            ("hour_corrections", "signups", "signup_id"),
                            ("visit_history", "visits", "visit_id")]),
    "families": ("0006", [("pairings", "families", "family_id")]),
}


def _value(column: dict):
    kind = column["type"]
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, (sa.Integer, sa.Numeric)):
        return 1
    if isinstance(kind, sa.DateTime):
        return "2025-06-01 08:00:00"
    if isinstance(kind, sa.Date):
        return "2025-06-01"
    if isinstance(kind, sa.JSON):
        return "[]"
    return OTHER if column["name"] == "association_code" else "x"


def _write_one_row(engine, table: str) -> None:
    """A row of `table` (id 1) with every column that must have a value: another county's."""
    columns = [c for c in sa.inspect(engine).get_columns(table)
               if not c["nullable"] or c["name"] == "association_code"]
    values = {c["name"]: _value(c) for c in columns}
    with engine.begin() as connection:
        connection.execute(sa.text(f"INSERT INTO {table} ({', '.join(values)}) VALUES "
                                   f"({', '.join(':' + name for name in values)})"), values)


def _write_with_what_it_names(engine, table: str, written: set[str]) -> None:
    """A row of `table` after a row of each table it refers to (all ids 1)."""
    if table in written:
        return
    written.add(table)
    for key in sa.inspect(engine).get_foreign_keys(table):
        _write_with_what_it_names(engine, key["referred_table"], written)
    _write_one_row(engine, table)


def test_rows_of_another_county_keep_its_code(tmp_path):
    for service, (before, children) in FILLED.items():
        url = f"sqlite:///{tmp_path / service}.db"
        config = alembic_config(service, url)
        command.upgrade(config, before)
        engine = sa.create_engine(url)
        written: set[str] = set()
        for child, parent, _ in children:
            for table in (parent, child):
                _write_with_what_it_names(engine, table, written)
        command.upgrade(config, "head")
        with engine.connect() as connection:
            for child, _, _ in children:
                codes = connection.execute(
                    sa.text(f"SELECT DISTINCT association_code FROM {child}")).scalars().all()
                assert codes == [OTHER], (service, child, codes)
        engine.dispose()
