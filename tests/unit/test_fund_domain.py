"""Unit tests for services.fund.domain (pure rules: no broker, no database)."""

import random
from datetime import date

import pytest

from services.fund.domain import (
    ASSET_ACCOUNTS,
    DISBURSEMENT,
    DONATION,
    PAYOUT_ACCOUNT,
    PLEDGE,
    RECURRING,
    LedgerEntry,
    check_admin_cost_cap,
    check_free_cash,
    check_online_amount,
    check_spending,
    disbursement_entry,
    donation_entry,
    fingerprint,
    fund_account,
    month_on,
    new_balance,
    new_in_kind,
    new_project_balance,
    project_account,
    receipt_no,
    reversal_of,
)
from shared.errors import Conflict, DomainError, Forbidden, InvalidInput

# --- LedgerEntry -----------------------------------------------------------------


def test_balanced_entry_is_accepted_and_keeps_its_lines():
    lines = [("asset:cash", 500), ("fund:GENERAL", -300), ("fund:EDU", -200)]
    entry = LedgerEntry("donation", lines)
    assert entry.kind == "donation"
    assert entry.lines == lines


@pytest.mark.parametrize(
    "lines",
    [
        [("asset:cash", 100), ("fund:GENERAL", -99)],
        [("asset:cash", 100)],
        [("asset:cash", -1), ("fund:GENERAL", -1)],
    ],
)
def test_unbalanced_entry_raises(lines):
    with pytest.raises(ValueError, match="does not balance|at least two lines"):
        LedgerEntry("donation", lines)


@pytest.mark.parametrize(
    "lines",
    [
        [("asset:cash", 0), ("fund:GENERAL", 0)],
        [("asset:cash", 100), ("fund:GENERAL", -100), ("asset:bank", 0)],
        [("asset:cash", 1.5), ("fund:GENERAL", -1.5)],
        [("asset:cash", 100.0), ("fund:GENERAL", -100)],
        [("asset:cash", True), ("fund:GENERAL", -1)],
        [("asset:cash", -1), ("fund:GENERAL", True)],
        [("asset:cash", False), ("fund:GENERAL", 0)],
    ],
    ids=["zeros", "extra-zero-line", "float", "float-and-int", "bool", "bool-credit", "false"],
)
def test_zero_float_and_bool_amounts_are_rejected(lines):
    with pytest.raises(ValueError, match="non-zero integer fen"):
        LedgerEntry("donation", lines)


def test_change_to_reads_a_credit_normal_account():
    entry = LedgerEntry("x", [("asset:cash", 700), ("fund:A", -500), ("fund:B", -200)])
    assert entry.change_to("fund:A") == 500
    assert entry.change_to("fund:B") == 200
    assert entry.change_to("asset:cash") == -700
    assert entry.change_to("fund:ABSENT") == 0


def test_fund_account_name():
    assert fund_account("GENERAL") == "fund:GENERAL"


# --- donation / disbursement / reversal ----------------------------------------------


@pytest.mark.parametrize("channel", sorted(set(ASSET_ACCOUNTS) - {"in_kind"}))
def test_donation_entry_balances_and_credits_the_fund(channel):
    entry = donation_entry("GENERAL", channel, 12345)
    assert entry.kind == "donation"
    assert sum(amount for _, amount in entry.lines) == 0
    assert entry.change_to(fund_account("GENERAL")) == 12345
    # the money lands in the channel's asset account (debit, positive)
    assert dict(entry.lines)[ASSET_ACCOUNTS[channel]] == 12345
    assert entry.change_to(fund_account("OTHER")) == 0


def test_donation_entry_unknown_channel_fails():
    with pytest.raises(KeyError):
        donation_entry("GENERAL", "paypal", 100)


def test_disbursement_entry_balances_and_debits_the_fund():
    entry = disbursement_entry("GENERAL", 4000)
    assert entry.kind == "disbursement"
    assert sum(amount for _, amount in entry.lines) == 0
    assert entry.change_to(fund_account("GENERAL")) == -4000
    assert dict(entry.lines)[PAYOUT_ACCOUNT] == -4000
    assert entry.change_to(fund_account("OTHER")) == 0


def test_reversal_of_a_donation_balances_and_takes_the_money_back():
    original = donation_entry("GENERAL", "wechat", 888)
    reversal = reversal_of(original, "refund")
    assert reversal.kind == "refund"
    assert sum(amount for _, amount in reversal.lines) == 0
    assert reversal.change_to(fund_account("GENERAL")) == -888
    assert reversal.change_to(fund_account("GENERAL")) == -original.change_to(
        fund_account("GENERAL"))
    # every account nets to zero across the pair
    totals: dict[str, int] = {}
    for account, amount in original.lines + reversal.lines:
        totals[account] = totals.get(account, 0) + amount
    assert set(totals.values()) == {0}


def test_reversal_of_a_disbursement_gives_the_money_back_to_the_fund():
    reversal = reversal_of(disbursement_entry("EDU", 250), "disbursement_reversal")
    assert reversal.change_to(fund_account("EDU")) == 250


def test_reversing_a_reversal_gives_the_original_lines():
    original = LedgerEntry("donation", [("asset:bank", 300), ("fund:A", -100), ("fund:B", -200)])
    twice = reversal_of(reversal_of(original, "refund"), "re-refund")
    assert twice.lines == original.lines
    assert reversal_of(original, "refund").lines != original.lines


def test_reversal_does_not_mutate_the_original():
    original = donation_entry("GENERAL", "cash", 100)
    before = list(original.lines)
    reversal_of(original, "refund")
    assert original.lines == before


# --- new_balance -----------------------------------------------------------------


def test_new_balance_after_donation_and_disbursement():
    assert new_balance("GENERAL", 1000, donation_entry("GENERAL", "cash", 250)) == 1250
    assert new_balance("GENERAL", 1000, disbursement_entry("GENERAL", 400)) == 600


def test_new_balance_may_reach_exactly_zero():
    assert new_balance("GENERAL", 400, disbursement_entry("GENERAL", 400)) == 0


def test_new_balance_ignores_entries_for_another_fund():
    assert new_balance("GENERAL", 1000, disbursement_entry("EDU", 5000)) == 1000


def test_new_balance_refuses_to_go_below_zero():
    with pytest.raises(Conflict, match='cannot be paid') as exc:
        new_balance("GENERAL", 399, disbursement_entry("GENERAL", 400))
    err = exc.value
    assert isinstance(err, Conflict)
    assert isinstance(err, DomainError)
    assert err.code == "insufficient_funds"
    assert set(err.fields) == {"amount_fen"}
    assert isinstance(err.fields["amount_fen"], list) and err.fields["amount_fen"]
    assert all(isinstance(m, str) for m in err.fields["amount_fen"])
    assert "GENERAL" in err.message
    assert "¥3.99" in err.message and "¥4.00" in err.message


def test_refund_of_money_already_spent_is_refused():
    donation = donation_entry("GENERAL", "cash", 1000)
    balance = new_balance("GENERAL", 0, donation)
    balance = new_balance("GENERAL", balance, disbursement_entry("GENERAL", 600))
    with pytest.raises(Conflict, match='cannot be paid'):
        new_balance("GENERAL", balance, reversal_of(donation, "refund"))


# --- receipt numbers, fingerprints ---------------------------------------------------


def test_receipt_no_format():
    assert receipt_no("341181", 2026, 7) == "341181-2026-000007"
    assert receipt_no("341181", 2025, 123456) == "341181-2025-123456"


def test_fingerprint_ignores_key_order():
    a = {"fund_code": "GENERAL", "amount_fen": 100, "donor": {"kind": "person", "name": "张三"}}
    b = {"donor": {"name": "张三", "kind": "person"}, "amount_fen": 100, "fund_code": "GENERAL"}
    assert fingerprint(a) == fingerprint(b)
    assert len(fingerprint(a)) == 64
    int(fingerprint(a), 16)


def test_fingerprint_differs_for_a_different_amount():
    a = {"fund_code": "GENERAL", "amount_fen": 100}
    b = {"fund_code": "GENERAL", "amount_fen": 101}
    assert fingerprint(a) != fingerprint(b)


def test_fingerprint_differs_for_a_nested_change():
    a = {"donor": {"name": "张三"}}
    b = {"donor": {"name": "李四"}}
    assert fingerprint(a) != fingerprint(b)


# --- Disbursement state rules ----------------------------------------------------------


class _Thing:
    def __init__(self, status):
        self.status = status
        self.history = []

    def record_change(self, **change):
        self.history.append(change)


def test_someone_else_may_approve_a_request():
    d = _Thing("requested")
    DISBURSEMENT.move(d, "paid", "bob", four_eyes="alice")
    assert d.status == "paid"


def test_requester_may_not_approve_their_own_request():
    d = _Thing("requested")
    with pytest.raises(Forbidden) as exc:
        DISBURSEMENT.move(d, "paid", "alice", four_eyes="alice")
    assert exc.value.code == "four_eyes"
    assert d.status == "requested" and d.history == []


def test_the_one_who_recorded_a_donation_may_not_refund_it():
    donation = _Thing("recorded")
    with pytest.raises(Forbidden):
        DONATION.move(donation, "refunded", "alice", "gift returned", four_eyes="alice")
    DONATION.move(donation, "refunded", "bob", "gift returned", four_eyes="alice")
    assert [(h["from_status"], h["to_status"], h["actor"]) for h in donation.history] == \
        [("recorded", "refunded", "bob")]


def test_a_donation_is_refunded_once():
    with pytest.raises(Conflict):
        DONATION.check("refunded", "refunded")


@pytest.mark.parametrize("status", ["paid", "rejected"])
@pytest.mark.parametrize("target", ["paid", "rejected", "awaiting_funds"])
def test_a_decided_disbursement_cannot_move_again(status, target):
    with pytest.raises(Conflict) as exc:
        DISBURSEMENT.check(status, target)
    assert exc.value.code == "illegal_transition"
    assert status in exc.value.message


def test_a_waiting_payout_can_only_be_paid():
    assert DISBURSEMENT.allows("awaiting_funds", "paid")
    assert not DISBURSEMENT.allows("awaiting_funds", "rejected")


def test_a_move_is_kept_with_who_and_why():
    d = _Thing("requested")
    DISBURSEMENT.move(d, "rejected", "bob", "no receipt attached")
    assert d.status == "rejected"
    assert [(h["from_status"], h["to_status"], h["actor"], h["reason"]) for h in d.history] == \
        [("requested", "rejected", "bob", "no receipt attached")]


def test_a_refused_move_changes_nothing():
    d = _Thing("paid")
    with pytest.raises(Conflict):
        DISBURSEMENT.move(d, "rejected", "bob", "too late")
    assert d.status == "paid" and d.history == []


def test_forbidden_is_not_a_conflict():
    # the gateway maps these to different HTTP statuses
    with pytest.raises(Forbidden) as exc:
        DISBURSEMENT.check("requested", "paid", "alice", four_eyes="alice")
    assert not isinstance(exc.value, Conflict)


# --- property: random sequences never overdraw ----------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 20260101])
def test_random_sequences_never_overdraw_and_balance_is_the_sum_of_accepted(seed):
    rng = random.Random(seed)
    funds = ("GENERAL", "EDU")
    balances = {code: 0 for code in funds}
    model = {code: 0 for code in funds}  # independent arithmetic: donated - paid out
    accepted: list[LedgerEntry] = []
    refused = 0
    paid_out = 0

    for _ in range(400):
        code = rng.choice(funds)
        amount = rng.randint(1, 50_000)
        if rng.random() < 0.45:
            channel = rng.choice(sorted(ASSET_ACCOUNTS))
            entry = donation_entry(code, channel, amount)
            delta = 0 if channel == "in_kind" else amount  # goods are never cash
        else:
            entry = disbursement_entry(code, amount)
            delta = -amount
        before = balances[code]
        try:
            after = new_balance(code, before, entry)
        except Conflict as exc:
            assert exc.code == "insufficient_funds"
            assert delta < 0 and before + delta < 0  # refused only when it would overdraw
            refused += 1
            continue
        assert after == before + delta
        assert after >= 0
        balances[code] = after
        model[code] += delta
        accepted.append(entry)
        if delta < 0:
            paid_out += 1

    # the run was not vacuous: both outcomes happened
    assert refused > 0
    assert paid_out > 0
    for code in funds:
        assert balances[code] >= 0
        assert balances[code] == model[code]
        assert balances[code] == sum(e.change_to(fund_account(code)) for e in accepted)
    # the whole ledger still sums to zero
    assert sum(amount for e in accepted for _, amount in e.lines) == 0


@pytest.mark.parametrize("amount", [0, -100, 1.5, True])
def test_entries_refuse_amounts_that_are_not_positive_fen(amount):
    from services.fund.domain import disbursement_entry as pay
    from services.fund.domain import donation_entry as give
    with pytest.raises(ValueError):
        give("G", "cash", amount)
    with pytest.raises(ValueError):
        pay("G", amount)


def test_an_entry_needs_two_lines_and_integer_amounts():
    with pytest.raises(ValueError):
        LedgerEntry("empty", [])
    with pytest.raises(ValueError):
        LedgerEntry("text", [("a", "1"), ("b", "-1")])


# --- projects, goods, categories, the admin-cost cap ---------------------------------


def test_a_project_gift_is_fund_cash_held_for_the_project():
    entry = donation_entry("SHANGEN", "bank", 5_000, "ELDERLY")
    assert entry.cash_change("SHANGEN") == 5_000
    assert entry.change_to(project_account("SHANGEN", "ELDERLY")) == 5_000
    assert entry.change_to(fund_account("SHANGEN")) == 0
    assert new_project_balance("SHANGEN", "ELDERLY", 0, entry) == 5_000


def test_a_project_pays_no_more_than_it_holds():
    with pytest.raises(Conflict) as refused:
        new_project_balance("SHANGEN", "ELDERLY", 999,
                            disbursement_entry("SHANGEN", 1_000, "ELDERLY"))
    assert refused.value.code == "project_insufficient"


def test_goods_are_receipted_but_never_cash():
    entry = donation_entry("GENERAL", "in_kind", 30_000)
    assert sum(a for _, a in entry.lines) == 0
    assert entry.cash_change("GENERAL") == 0
    assert new_balance("GENERAL", 0, entry) == 0
    assert new_in_kind("GENERAL", 0, entry) == 30_000


def test_project_money_is_not_free_for_other_spending():
    check_free_cash("SHANGEN", 10_000, 6_000, 4_000)
    with pytest.raises(Conflict) as refused:
        check_free_cash("SHANGEN", 10_000, 6_000, 4_001)
    assert refused.value.code == "insufficient_funds"


@pytest.mark.parametrize(("restricted", "allowed", "category", "project", "code"), [
    (True, ["elderly_care"], "admin_cost", "P", "category_not_allowed"),
    (False, ["elderly_care"], "child_care", None, "category_not_allowed"),
    (True, ["elderly_care"], "elderly_care", None, "project_required"),
])
def test_what_a_fund_may_not_pay_for(restricted, allowed, category, project, code):
    with pytest.raises(InvalidInput) as refused:
        check_spending(restricted, allowed, category, project)
    assert refused.value.code == code


def test_what_a_fund_may_pay_for():
    check_spending(True, ["elderly_care"], "elderly_care", "P")
    check_spending(False, ["admin_cost"], "admin_cost", None)
    check_spending(True, ["insurance_payout"], "insurance_payout", None, needs_project=False)


@pytest.mark.parametrize(("admin", "spent", "amount", "allowed"), [
    (0, 0, 1, False),            # the first spending of a year cannot be admin costs
    (0, 9_000, 1_000, True),     # exactly 10%
    (0, 9_000, 1_001, False),
    (500, 20_000, 1_500, True),  # 2 000 of 21 500
    (1_000, 10_000, 1, False),
])
def test_admin_costs_stay_within_a_tenth_of_the_year(admin, spent, amount, allowed):
    if allowed:
        check_admin_cost_cap(admin, spent, amount)
    else:
        with pytest.raises(Conflict) as refused:
            check_admin_cost_cap(admin, spent, amount)
        assert refused.value.code == "admin_cost_cap"


def test_online_gifts_are_capped():
    check_online_amount(5_000_000, 5_000_000)
    with pytest.raises(InvalidInput) as refused:
        check_online_amount(5_000_001, 5_000_000)
    assert refused.value.fields == {"amount_fen": ["At most ¥50,000.00."]}


def test_a_pledge_becomes_a_donation_at_most_once():
    assert PLEDGE.allows("pending", "confirmed") and PLEDGE.allows("flagged", "confirmed")
    assert PLEDGE.allows("expired", "confirmed")  # money arriving late is still a gift
    assert not PLEDGE.allows("confirmed", "confirmed")
    assert not PLEDGE.allows("cancelled", "confirmed")


@pytest.mark.parametrize(("started", "month", "made_on"), [
    (date(2025, 1, 15), 1, date(2025, 1, 15)), (date(2025, 1, 15), 2, date(2025, 2, 15)),
    (date(2025, 1, 31), 2, date(2025, 2, 28)), (date(2024, 1, 31), 2, date(2024, 2, 29)),
    (date(2025, 1, 31), 3, date(2025, 3, 31)), (date(2025, 11, 30), 3, date(2026, 1, 30)),
    (date(2025, 6, 1), 60, date(2030, 5, 1))])
def test_a_plans_month_is_made_on_its_day_or_the_months_last(started, month, made_on):
    assert month_on(started, month) == made_on


def test_a_cancelled_or_completed_plan_moves_no_more():
    assert RECURRING.allows("active", "cancelled") and RECURRING.allows("active", "completed")
    assert not RECURRING.allows("cancelled", "active")
    assert not RECURRING.allows("completed", "cancelled")
