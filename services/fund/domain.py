"""The fund's rules in plain Python: no broker, no database."""
import hashlib
import json
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date

from shared.contracts.fund import ADMIN_COST, IN_KIND
from shared.errors import Conflict, InvalidInput
from shared.lifecycle import Lifecycle
from shared.money import is_fen, yuan

ASSET_ACCOUNTS = {"cash": "asset:cash", "bank": "asset:bank",
                  "wechat": "asset:wechat", "alipay": "asset:alipay",
                  IN_KIND: "asset:in_kind"}
PAYOUT_ACCOUNT = "asset:bank"  # disbursements leave through the bank account
ADMIN_COST_SHARE = (1, 10)  # at most a tenth of the year's spending (慈善法 第六十条)


INSUFFICIENT_FUNDS = "insufficient_funds"
# What became of a good row of a donation import.
IMPORTED = "imported"
ALREADY_THERE = "already_there"  # its key was seen before: nothing new


def insufficient_funds(fund_code: str, balance_fen: int, amount_fen: int) -> Conflict:
    return Conflict(f"Fund {fund_code} holds {yuan(balance_fen)}; {yuan(amount_fen)} cannot be "
                    "paid.",
                    INSUFFICIENT_FUNDS, {"amount_fen": ["More than the fund holds."]})


def is_insufficient_funds(error: Exception) -> bool:
    return isinstance(error, Conflict) and error.code == INSUFFICIENT_FUNDS


def fund_account(code: str) -> str:
    """A fund's cash that no project holds."""
    return f"fund:{code}"


def project_account(fund_code: str, project_code: str) -> str:
    """Cash given for one project of a fund: spendable only through that project."""
    return f"project:{fund_code}:{project_code}"


def in_kind_account(fund_code: str) -> str:
    """Goods given to a fund, at their valuation: receipted, never spendable as cash."""
    return f"in_kind:{fund_code}"


def is_fund_account(account: str) -> bool:
    """An account a fund owns (its cash, a project's, its goods), not a shared asset."""
    return account.startswith(("fund:", "project:", "in_kind:"))


def cash_accounts_of(fund_code: str, account: str) -> bool:
    return account == fund_account(fund_code) or account.startswith(f"project:{fund_code}:")


def cash_fund_of(account: str) -> str | None:
    """The fund whose cash the account holds (its own or a project's), if any."""
    kind, _, rest = account.partition(":")
    if kind == "fund":
        return rest
    if kind == "project":
        return rest.partition(":")[0]
    return None


def cash_changes(entry: "LedgerEntry") -> dict[str, int]:
    """fund code -> what the entry adds to its cash, for each fund whose cash it moves (money
    moved between a fund and its projects nets out)."""
    changes: dict[str, int] = {}
    for account, amount in entry.lines:
        if (code := cash_fund_of(account)) is not None:
            changes[code] = changes.get(code, 0) - amount
    return {code: change for code, change in changes.items() if change}


def _money_account(fund_code: str, project_code: str | None) -> str:
    return project_account(fund_code, project_code) if project_code else fund_account(fund_code)


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

    def cash_change(self, fund_code: str) -> int:
        """What the entry adds to a fund's cash, its projects' included."""
        return -sum(amount for acc, amount in self.lines if cash_accounts_of(fund_code, acc))


def _positive(amount_fen: int) -> int:
    if not is_fen(amount_fen) or amount_fen <= 0:
        raise ValueError(f"an amount must be positive integer fen, got {amount_fen!r}")
    return amount_fen


def donation_entry(fund_code: str, channel: str, amount_fen: int,
                   project_code: str | None = None) -> LedgerEntry:
    _positive(amount_fen)
    if channel == IN_KIND:
        return LedgerEntry("donation_in_kind", [(ASSET_ACCOUNTS[IN_KIND], amount_fen),
                                                (in_kind_account(fund_code), -amount_fen)])
    return LedgerEntry("donation", [(ASSET_ACCOUNTS[channel], amount_fen),
                                    (_money_account(fund_code, project_code), -amount_fen)])


def reversal_of(entry: LedgerEntry, kind: str) -> LedgerEntry:
    """A correction is a reversing entry; nothing financial is deleted."""
    return LedgerEntry(kind, [(account, -amount) for account, amount in entry.lines])


def disbursement_entry(fund_code: str, amount_fen: int,
                       project_code: str | None = None) -> LedgerEntry:
    _positive(amount_fen)
    return LedgerEntry("disbursement", [(_money_account(fund_code, project_code), amount_fen),
                                        (PAYOUT_ACCOUNT, -amount_fen)])


def new_balance(fund_code: str, balance_fen: int, entry: LedgerEntry) -> int:
    """The fund's cash after `entry`; no fund ever goes below zero."""
    after = balance_fen + entry.cash_change(fund_code)
    if after < 0:
        raise insufficient_funds(fund_code, balance_fen, -entry.cash_change(fund_code))
    return after


def check_project_can_pay(project_code: str, balance_fen: int, amount_fen: int) -> None:
    if amount_fen > balance_fen:
        raise Conflict(f"Project {project_code} holds {yuan(balance_fen)}; {yuan(amount_fen)} "
                       f"cannot be paid from it.", "project_insufficient",
                       {"amount_fen": ["More than the project holds."]})


def new_project_balance(fund_code: str, project_code: str, balance_fen: int,
                        entry: LedgerEntry) -> int:
    """A project's cash after `entry`; a project never pays more than it holds."""
    change = entry.change_to(project_account(fund_code, project_code))
    check_project_can_pay(project_code, balance_fen, -change)
    return balance_fen + change


def check_free_cash(fund_code: str, balance_fen: int, held_by_projects_fen: int,
                    amount_fen: int) -> None:
    """Money given for projects is not the fund's to spend elsewhere."""
    free = balance_fen - held_by_projects_fen
    if amount_fen > free:
        raise insufficient_funds(fund_code, max(free, 0), amount_fen)


def new_in_kind(fund_code: str, in_kind_fen: int, entry: LedgerEntry) -> int:
    return in_kind_fen + entry.change_to(in_kind_account(fund_code))


def check_spending(restricted: bool, allowed: list[str], category: str,
                   project_code: str | None, needs_project: bool = True) -> None:
    """What a fund's money may be spent on: its allowed categories; a restricted fund only
    through a project (its purpose is the donors' agreement, 慈善法 第五十五条)."""
    if category == ADMIN_COST and restricted:
        raise InvalidInput("Admin costs come only from unrestricted funds.",
                           "category_not_allowed", {"category": ["Not from a restricted fund."]})
    if category not in allowed:
        raise InvalidInput(f"This fund does not pay for {category}.", "category_not_allowed",
                           {"category": [f"Allowed: {', '.join(allowed)}."]})
    if restricted and needs_project and not project_code:
        raise InvalidInput("A restricted fund spends only through one of its projects.",
                           "project_required", {"project_code": ["Required for this fund."]})


def check_admin_cost_cap(admin_so_far_fen: int, spent_so_far_fen: int, amount_fen: int) -> None:
    """This year's admin costs stay at most a tenth of this year's spending, this one included."""
    share, whole = ADMIN_COST_SHARE
    if (admin_so_far_fen + amount_fen) * whole > (spent_so_far_fen + amount_fen) * share:
        raise Conflict("This would take the year's admin costs above 10% of its spending.",
                       "admin_cost_cap", {"amount_fen": ["Over the admin-cost cap."]})


def check_online_amount(amount_fen: int, limit_fen: int) -> None:
    if amount_fen > limit_fen:
        raise InvalidInput(f"Online gifts are limited to {yuan(limit_fen)}; give more by bank "
                           f"transfer to the association.", "online_gift_too_large",
                           {"amount_fen": [f"At most {yuan(limit_fen)}."]})


def receipt_no(association_code: str, year: int, sequence: int) -> str:
    return f"{association_code}-{year}-{sequence:06d}"


def fingerprint(body: dict) -> str:
    """Same request body, same fingerprint, whatever the key order."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def pledge_no(association_code: str, year: int, pledge_id: int) -> str:
    return f"PG-{association_code}-{year}-{pledge_id:06d}"


def pay_reference(pledge_id: int, secret_part: str) -> str:
    """What the donor quotes with the transfer; hard to guess, easy to type."""
    return f"PHF{pledge_id:06d}{secret_part[:6].upper()}"


@dataclass
class Reconciliation:
    """What became of each bank-statement line, by its line number: which pledge it
    confirmed (and the receipt made), which it had confirmed before, or why none."""
    matched: list[dict] = field(default_factory=list)  # line, pledge_no, receipt_no
    already: list[dict] = field(default_factory=list)  # line, pledge_no
    unmatched: list[dict] = field(default_factory=list)  # line, reason


# A pledge becomes a donation once the money is confirmed; a payment whose amount differs
# is flagged for staff, who confirm what arrived or cancel it.
PLEDGE = Lifecycle.of("pledge", {
    "pending": {"confirmed", "flagged", "cancelled", "expired"},
    "flagged": {"confirmed", "cancelled"},
    "expired": {"confirmed", "flagged"},  # money arriving late is still a gift
    "confirmed": set(),
    "cancelled": set(),
})

# A donation is refunded at most once, by someone other than who recorded it; the money
# goes back through a reversing entry.
DONATION = Lifecycle.of("donation", {
    "recorded": {"refunded"},
    "refunded": set(),
})

# A disbursement is approved and paid in one step; a claim payout the fund cannot cover
# yet waits in the fund's queue and is paid when money arrives.
DISBURSEMENT = Lifecycle.of("disbursement", {
    "requested": {"paid", "rejected", "awaiting_funds"},
    "awaiting_funds": {"paid"},
    "paid": set(),
    "rejected": set(),
})

# A recurring gift's plan: active until its last month's pledge is made, or cancelled (the
# months not yet made are then never made; those made stay pledges like any other).
RECURRING = Lifecycle.of("recurring plan", {
    "active": {"completed", "cancelled"},
    "completed": set(),
    "cancelled": set(),
})


def month_on(started_on: date, month: int) -> date:
    """The day month `month` (1 = the first) of a plan started on `started_on` is made: the
    same day of the month, or that month's last day when it has fewer."""
    index = started_on.month - 1 + month - 1
    year, month_of_year = started_on.year + index // 12, index % 12 + 1
    return date(year, month_of_year, min(started_on.day, monthrange(year, month_of_year)[1]))
