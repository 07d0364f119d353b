"""Match a bank statement against pending pledges: a line whose reference holds a pledge's
pay reference and whose amount is the pledge's confirms it (once: the bank's transaction id
is kept), and the lines that match nothing are listed for staff to look at.

Columns (UTF-8 CSV with a header): date, amount_yuan, reference, txn_id. Lines paying money
out (negative amounts) are passed over."""
import csv

from shared.actors import system_actor
from shared.money import BadAmount, yuan_to_fen

RECONCILER = "bank-reconcile"  # recorded as who confirmed the matched pledges


def lines_of(path: str) -> tuple[list[dict], list[tuple[int, str]]]:
    """The statement's credit lines, and the lines that could not be read, by line number."""
    good = []
    bad = []
    with open(path, newline="", encoding="utf-8-sig") as source:
        for number, row in enumerate(csv.DictReader(source), start=2):
            amount = (row.get("amount_yuan") or "").strip()
            if amount.startswith("-"):
                continue  # money going out is not a gift
            try:
                fen = yuan_to_fen(amount)
            except BadAmount as error:
                bad.append((number, f"amount_yuan: {error}"))
                continue
            reference = (row.get("reference") or "").strip()
            txn = (row.get("txn_id") or "").strip()
            if not txn:
                bad.append((number, "txn_id: missing"))
                continue
            good.append({"line": number, "reference": reference[:200], "amount_fen": fen,
                         "txn_id": txn[:100]})
    return good, bad


def reconcile(path: str, fund_rpc) -> dict:
    good, bad = lines_of(path)
    report = fund_rpc.reconcile(good, system_actor(RECONCILER))
    report["unmatched"] += [{"line": n, "reason": reason} for n, reason in bad]
    report["unmatched"].sort(key=lambda item: item["line"])
    return report
