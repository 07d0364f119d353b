"""A statement (as the fund service returns it) as CSV, and its money in and out by month."""
import csv
import io
from collections import defaultdict

from shared.money import format_yuan


def as_csv(statement: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["posted_at", "kind", "memo", "in_yuan", "out_yuan", "balance_yuan"])
    for line in statement["lines"]:
        writer.writerow([line["posted_at"], line["kind"], line["memo"],
                         *(format_yuan(line[k]) for k in ("in_fen", "out_fen", "balance_fen"))])
    return "\ufeff" + out.getvalue()  # the BOM lets Excel read the Chinese


def by_month(lines: list[dict]) -> dict:
    """Labels 'YYYY-MM' with yuan in and out, as exact decimal strings."""
    months: dict = defaultdict(lambda: [0, 0])
    for line in lines:
        month = line["posted_at"][:7]
        months[month][0] += line["in_fen"]
        months[month][1] += line["out_fen"]
    keys = sorted(months)
    return {"labels": keys, "in": [format_yuan(months[k][0]) for k in keys],
            "out": [format_yuan(months[k][1]) for k in keys]}


def of_months(months: list[dict]) -> dict:
    """`by_month`'s shape from a statement page's months."""
    return {"labels": [m["month"] for m in months],
            "in": [format_yuan(m["in_fen"]) for m in months],
            "out": [format_yuan(m["out_fen"]) for m in months]}


def filename(statement: dict, suffix: str) -> str:
    return f"{statement['fund_code']}-{statement['from']}-{statement['to']}.{suffix}"
