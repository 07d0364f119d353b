"""Donors and donations from a CSV export: every row validated, bad rows reported with
their line and reason, good rows recorded idempotently (the same file twice adds nothing).

Columns: kind (person|company), name, id_number, credit_code, phone, fund_code, amount_yuan,
channel (cash|bank|wechat|alipay), ref (the old system's receipt number; optional), note."""
import csv
import hashlib
from collections import Counter
from dataclasses import dataclass, field

from marshmallow import ValidationError

from shared.actors import system_actor
from shared.contracts.fund import DonationIn
from shared.errors import flatten_messages
from shared.money import BadAmount, yuan_to_fen

IMPORTER = "csv-import"  # recorded as who entered the imported donations
BATCH = 1_000  # rows per call: the fund writes a batch with one statement per table
DONATION = DonationIn()  # one schema for every row: building one costs more than a load


@dataclass
class Report:
    imported: int = 0
    already_there: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)


def rows_of(path: str):
    """(line number, row) pairs; line 1 is the header."""
    with open(path, newline="", encoding="utf-8-sig") as source:
        yield from enumerate(csv.DictReader(source), start=2)


def donation_of(row: dict) -> dict:
    """The API's donation body for one row; raises ValueError naming the bad fields."""
    try:
        amount = yuan_to_fen(row.get("amount_yuan", ""))
    except BadAmount as bad:
        raise ValueError(f"amount_yuan: {bad}") from None
    donor = {"kind": (row.get("kind") or "person").strip(), "name": row.get("name", "")}
    for column in ("id_number", "credit_code", "phone"):
        if (row.get(column) or "").strip():
            donor[column] = row[column].strip()
    body = {"fund_code": (row.get("fund_code") or "").strip(), "amount_fen": amount,
            "channel": (row.get("channel") or "bank").strip(), "donor": donor,
            "note": (row.get("note") or "").strip() or None}
    try:
        DONATION.load(body)
    except ValidationError as exc:
        raise ValueError(_describe(flatten_messages(exc.messages))) from None
    return body


def key_of(row: dict, seen: Counter) -> str:
    """The old system's reference when there is one; else the row itself and how many
    identical rows came before it, so two equal gifts stay two and a re-import adds none."""
    if (row.get("ref") or "").strip():
        return "import:" + row["ref"].strip()
    digest = hashlib.sha256("\x1f".join(f"{k}={row[k]}" for k in sorted(row)).encode())
    seen[digest.hexdigest()] += 1
    return f"import:{digest.hexdigest()[:32]}:{seen[digest.hexdigest()]}"


def _describe(fields: dict) -> str:
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())


def import_file(path: str, fund_rpc, progress=None) -> Report:
    """One batch is read and checked while the fund records the one before (at most one
    call in flight, so batches are recorded in the file's order)."""
    report = Report()
    seen = Counter()
    batch = []
    read = 0
    pending = None
    for number, row in rows_of(path):
        read += 1
        try:
            batch.append((number, {"donation": donation_of(row), "key": key_of(row, seen)}))
        except ValueError as bad:
            report.bad.append((number, str(bad)))
        if len(batch) == BATCH:
            _settle(pending, report, progress)
            pending = _send(batch, read, fund_rpc)
            batch = []
            read = 0
    _settle(pending, report, progress)
    _settle(_send(batch, read, fund_rpc), report, progress)
    return report


def _send(batch, read: int, fund_rpc):
    """The batch, its call's reply (None for no rows), and how many lines it covers."""
    reply = fund_rpc.import_donations.call_async(
        [item for _, item in batch], system_actor(IMPORTER)) if batch else None
    return batch, reply, read


def _settle(pending, report: Report, progress) -> None:
    """Wait for a batch's answer and count it in; its bad rows by their line."""
    if pending is None:
        return
    batch, reply, read = pending
    answer = reply.result() if reply else {"imported": 0, "already_there": 0, "bad": []}
    report.imported += answer["imported"]
    report.already_there += answer["already_there"]
    for bad in answer["bad"]:
        report.bad.append((batch[bad["row"]][0], _describe(bad["fields"]) or bad["message"]))
    if progress is not None:
        progress.update(read)
