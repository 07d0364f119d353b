"""A fund's statement for a period, written as CSV and as a PNG chart of money in and out
by month."""
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no screen
from matplotlib import pyplot

from shared import statement_formats
from shared.actors import system_actor

EXPORTER = "ops-export"


def export(fund_rpc, code: str, start: str, end: str, folder: Path) -> list[Path]:
    statement = fund_rpc.statement(code, {"from": start, "to": end}, system_actor(EXPORTER))
    folder.mkdir(parents=True, exist_ok=True)
    table = folder / statement_formats.filename(statement, "csv")
    table.write_text(statement_formats.as_csv(statement), encoding="utf-8")
    chart = folder / statement_formats.filename(statement, "png")
    _chart(statement, chart)
    return [table, chart]


def _chart(statement: dict, path: Path) -> None:
    months = statement_formats.by_month(statement["lines"])
    positions = range(len(months["labels"]))
    figure, axes = pyplot.subplots(figsize=(8, 4))
    # Decimal yuan to the plot's numbers only here, for drawing: the CSV keeps exact values.
    money_in = [Decimal(v) for v in months["in"]]
    money_out = [Decimal(v) for v in months["out"]]
    axes.bar([p - 0.2 for p in positions], money_in, width=0.4, label="in", color="#2e7d32")
    axes.bar([p + 0.2 for p in positions], money_out, width=0.4, label="out", color="#c62828")
    axes.set_xticks(list(positions), months["labels"])
    axes.set_ylabel("yuan")
    axes.set_title(f"{statement['fund_code']} {statement['from']} – {statement['to']}")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
