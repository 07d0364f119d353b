"""The fund's rules in plain Python: no broker, no database."""
import hashlib
import json
from dataclasses import dataclass, field

from shared.errors import Conflict
from shared.lifecycle import Lifecycle
from shared.money import is_fen

ASSET_ACCOUNTS = {"cash": "asset:cash", "bank": "asset:bank",
                  "wechat": "asset:wechat", "alipay": "asset:alipay"}
PAYOUT_ACCOUNT = "asset:bank"  # disbursements leave through the bank account


INSUFFICIENT_FUNDS = "insufficient_funds"


def insufficient_funds(fund_code: str, balance_fen: int, amount_fen: int) -> Conflict:
    return Conflict(f"Fund {fund_code} holds {balance_fen} fen; {amount_fen} fen cannot be paid.",
                    INSUFFICIENT_FUNDS, {"amount_fen": ["More than the fund holds."]})


def is_insufficient_funds(error: Exception) -> bool:
    return isinstance(error, Conflict) and error.code == INSUFFICIENT_FUNDS


def fund_account(code: str) -> str:
    return f"fund:{code}"


@dataclass
class LedgerEntry:
    """One balanced transaction. Amounts are signed fen: debit positive, credit negative."""

    kind: str
    lines: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self):
        if len(self.lines) < 2:
            raise ValueError(f"{self.kind}: an entry needs at least two lines")
        if any(not is_fen(amount) or amount == 0 for _, amount in self.lines):
            raise ValueError(f"{self.kind}: every line must be a non-zero integer fen")
        if sum(amount for _, amount in self.lines) != 0:
            raise ValueError(f"{self.kind} does not balance: {self.lines}")

    def change_to(self, account: str) -> int:
        """What the entry adds to a credit-normal account (a fund's balance)."""
        return -sum(amount for acc, amount in self.lines if acc == account)


def _positive(amount_fen: int) -> int:
    if not is_fen(amount_fen) or amount_fen <= 0:
        raise ValueError(f"an amount must be positive integer fen, got {amount_fen!r}")
    return amount_fen


def donation_entry(fund_code: str, channel: str, amount_fen: int) -> LedgerEntry:
    _positive(amount_fen)
    return LedgerEntry("donation", [(ASSET_ACCOUNTS[channel], amount_fen),
                                    (fund_account(fund_code), -amount_fen)])


def reversal_of(entry: LedgerEntry, kind: str) -> LedgerEntry:
    """A correction is a reversing entry; nothing financial is deleted."""
    return LedgerEntry(kind, [(account, -amount) for account, amount in entry.lines])


def disbursement_entry(fund_code: str, amount_fen: int) -> LedgerEntry:
    _positive(amount_fen)
    return LedgerEntry("disbursement", [(fund_account(fund_code), amount_fen),
                                        (PAYOUT_ACCOUNT, -amount_fen)])


def new_balance(fund_code: str, balance_fen: int, entry: LedgerEntry) -> int:
    """The balance after `entry`; no fund ever goes below zero."""
    after = balance_fen + entry.change_to(fund_account(fund_code))
    if after < 0:
        raise insufficient_funds(fund_code, balance_fen, -entry.change_to(fund_account(fund_code)))
    return after


def receipt_no(association_code: str, year: int, sequence: int) -> str:
    return f"{association_code}-{year}-{sequence:06d}"


def fingerprint(body: dict) -> str:
    """Same request body, same fingerprint, whatever the key order."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# A disbursement is approved and paid in one step; a claim payout the fund cannot cover
# yet waits in the fund's queue and is paid when money arrives.
DISBURSEMENT = Lifecycle.of("disbursement", {
    "requested": {"paid", "rejected", "awaiting_funds"},
    "awaiting_funds": {"paid"},
    "paid": set(),
    "rejected": set(),
})
