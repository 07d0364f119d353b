"""Premiums in plain Python: the split of a premium into shares, the policy's and the share's
states, the flag on a claim while the premium is unpaid, and the product's premium rules."""
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.insurance.domain import (
    POLICY,
    PREMIUM_SHARE,
    ClaimCheck,
    Policy,
    Product,
    split_premium,
)
from shared.actors import load
from shared.contracts.insurance import ProductIn, premium_key, share_of_key
from shared.errors import Conflict, InvalidInput
from shared.identity import make_resident_id

PRODUCT = Product("FAM", 500_000, 1_000_000, 30, 365)
PENDING = Policy("pending_payment", date(2026, 1, 1), date(2026, 12, 31),
                 make_resident_id("341181", date(1980, 5, 20), 12), "only_child")


@pytest.mark.parametrize(("premium", "percents", "amounts"), [
    (10_000, [50, 30, 20], [5_000, 3_000, 2_000]),
    (100, [33, 33, 34], [33, 33, 34]),
    (10, [33, 33, 34], [3, 3, 4]),  # 3.3, 3.3, 3.4: the one fen left goes to 3.4
    (1, [50, 50], [1, 0]),  # a tie: the first share first
    (999, [1, 99], [10, 989]),  # 9.99 and 989.01
    (7, [100], [7]),
])
def test_a_premium_is_split_exactly_by_largest_remainder(premium, percents, amounts):
    assert split_premium(premium, percents) == amounts


@st.composite
def percents_of_100(draw) -> list[int]:
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=99), max_size=3)))
    bounds = [0, *cuts, 100]
    return [high - low for low, high in zip(bounds, bounds[1:], strict=False)]


@given(st.integers(min_value=0, max_value=10**13), percents_of_100())
def test_the_shares_always_sum_to_the_premium(premium, percents):
    amounts = split_premium(premium, percents)
    assert sum(amounts) == premium
    assert all(abs(a * 100 - premium * p) < 100 for a, p in zip(amounts, percents, strict=True))


def test_a_pending_policy_becomes_active_or_cancelled_and_nothing_else():
    assert POLICY.transitions["pending_payment"] == {"active", "cancelled"}
    with pytest.raises(Conflict):
        POLICY.check("pending_payment", "expired")


def test_a_paid_share_never_moves_again():
    assert PREMIUM_SHARE.allows("due", "awaiting_funds")
    assert PREMIUM_SHARE.allows("awaiting_funds", "paid")
    for target in ("due", "awaiting_funds", "paid"):
        assert not PREMIUM_SHARE.allows("paid", target)


def test_a_claim_on_a_pending_policy_is_flagged_and_cannot_be_approved():
    check = ClaimCheck(PRODUCT, PENDING, date(2026, 6, 15), 10_000)
    assert [f.code for f in check.flags()] == ["premium_unpaid"]
    assert [f.code for f in check.approval_problems(10_000)] == ["premium_unpaid"]


def test_an_active_policy_has_no_premium_flag():
    active = replace(PENDING, status="active")
    assert ClaimCheck(PRODUCT, active, date(2026, 6, 15), 10_000).flags() == []


def _product(**extra) -> dict:
    return {"code": "FAM", "name": "家庭险", "payout_fund_code": "PAYOUT",
            "per_claim_cap_fen": 100, "per_year_cap_fen": 200, "waiting_days": 0,
            "term_days": 365, **extra}


@pytest.mark.parametrize("shares", [
    [{"payer": "government", "share_pct": 60}, {"payer": "family", "share_pct": 30}],
    [{"payer": "family", "share_pct": 50}, {"payer": "family", "share_pct": 50}],
    [],
])
def test_shares_of_a_premium_are_each_payer_once_summing_to_100(shares):
    with pytest.raises(InvalidInput) as refused:
        load(ProductIn(), _product(premium_fen=1_000, premium_shares=shares))
    assert list(refused.value.fields) == ["premium_shares"]


@pytest.mark.parametrize(("share", "field"), [
    ({"payer": "neighbour", "share_pct": 100}, "premium_shares.0.payer"),
    ({"payer": "family", "share_pct": 0}, "premium_shares.0.share_pct"),
    ({"payer": "family", "share_pct": 101}, "premium_shares.0.share_pct"),
    ({"payer": "family", "share_pct": 100, "fund_code": "bad code"},
     "premium_shares.0.fund_code"),
])
def test_a_bad_share_is_refused_by_its_field(share, field):
    with pytest.raises(InvalidInput) as refused:
        load(ProductIn(), _product(premium_fen=1_000, premium_shares=[share]))
    assert field in refused.value.fields


def test_no_premium_means_no_shares_and_a_free_product_by_default():
    assert load(ProductIn(), _product())["premium_fen"] == 0
    with pytest.raises(InvalidInput) as refused:
        load(ProductIn(), _product(premium_shares=[{"payer": "family", "share_pct": 100}]))
    assert list(refused.value.fields) == ["premium_shares"]
    with pytest.raises(InvalidInput) as negative:
        load(ProductIn(), _product(premium_fen=-1))
    assert list(negative.value.fields) == ["premium_fen"]


def test_a_share_key_names_the_share_and_nothing_else_reads_as_one():
    key = premium_key("341181", 17, "government")
    assert key == "premium:341181:17:government"
    assert share_of_key(key) == ("341181", 17, "government")
    for other in (None, "", "claim:341181:17", "premium:341181:x:family",
                  "premium:341181:17:neighbour"):
        assert share_of_key(other) is None
