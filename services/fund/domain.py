"""The fund's rules in plain Python: no broker, no database."""
import hashlib
import json
from dataclasses import dataclass, field

from nameko.exceptions import deserialize_to_instance

from shared.errors import Conflict, Forbidden
from shared.money import is_fen

ASSET_ACCOUNTS = {"cash": "asset:cash", "bank": "asset:bank",
                  "wechat": "asset:wechat", "alipay": "asset:alipay"}
PAYOUT_ACCOUNT = "asset:bank"  # disbursements leave through the bank account


@deserialize_to_instance  # crosses RPC as itself, like every DomainError
class InsufficientFunds(Conflict):
    @classmethod
    def of(cls, fund_code: str, balance_fen: int, amount_fen: int) -> "InsufficientFunds":
        return cls(f"Fund {fund_code} holds {balance_fen} fen; {amount_fen} fen cannot be paid.",
                   "insufficient_funds", {"amount_fen": ["More than the fund holds."]})


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
        raise InsufficientFunds.of(fund_code, balance_fen,
                                   -entry.change_to(fund_account(fund_code)))
    return after


def receipt_no(association_code: str, year: int, sequence: int) -> str:
    return f"{association_code}-{year}-{sequence:06d}"


def fingerprint(body: dict) -> str:
    """Same request body, same fingerprint, whatever the key order."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Disbursement:
    """requested → paid (approved and paid at once) | rejected. Four eyes on approval."""

    def __init__(self, status: str, requested_by: str):
        self.status = status
        self.requested_by = requested_by

    def check_can_reject(self) -> None:
        if self.status != "requested":
            raise Conflict(f"The disbursement is already {self.status}.", "not_requested")

    def check_can_approve(self, actor: str) -> None:
        self.check_can_reject()
        if actor == self.requested_by:
            raise Forbidden("Nobody may approve their own request.", "four_eyes")
