"""Unit tests for services.insurance.domain (pure rules: no broker, no database)."""

from dataclasses import replace
from datetime import date

import pytest

from services.insurance.domain import (
    CLAIM,
    HARD_FLAGS,
    ClaimCheck,
    Flag,
    Policy,
    Product,
    eligibility,
    end_date,
    incident_date_refusal,
)
from shared.errors import Conflict, Forbidden
from shared.identity import make_resident_id
from shared.lifecycle import check_four_eyes

TRANSITIONS = CLAIM.transitions
check_transition = CLAIM.check

REGION = "341181"
START = date(2026, 1, 1)
END = date(2026, 12, 31)
CLEAN_DAY = date(2026, 6, 15)

PRODUCT = Product(
    code="FAM",
    per_claim_cap_fen=500_000,
    per_year_cap_fen=1_000_000,
    waiting_days=30,
    term_days=365,
)
POLICY = Policy(
    status="active",
    start_date=START,
    end_date=END,
    id_number=make_resident_id(REGION, date(1980, 5, 20), 12),
    family_category="only_child",
)


def person(born: date) -> str:
    return make_resident_id(REGION, born, 7)


def make_check(product=PRODUCT, policy=POLICY, incident=CLEAN_DAY, amount=100_000,
               ytd=0, duplicates=()) -> ClaimCheck:
    return ClaimCheck(product, policy, incident, amount, ytd, list(duplicates))


def codes(flags: list[Flag]) -> list[str]:
    return [f.code for f in flags]


# --- a clean claim and Flag ----------------------------------------------------------------


def test_clean_claim_has_no_flags_and_no_approval_problems():
    check = make_check()
    assert check.flags() == []
    assert check.approval_problems(100_000) == []


def test_flag_as_dict_shape():
    assert Flag("probable_duplicate", "Same as 4.", 4).as_dict() == {
        "code": "probable_duplicate", "message": "Same as 4.", "claim_id": 4}
    assert Flag("waiting_period", "Too early.").as_dict() == {
        "code": "waiting_period", "message": "Too early.", "claim_id": None}


def test_flags_from_checks_serialise_with_all_three_keys():
    check = make_check(incident=date(2026, 1, 5), duplicates=[9])
    dicts = [f.as_dict() for f in check.flags()]
    assert dicts, "expected flags"
    for d in dicts:
        assert set(d) == {"code", "message", "claim_id"}
        assert isinstance(d["message"], str) and d["message"]
    assert [d["claim_id"] for d in dicts] == [None, 9]


# --- policy_not_active ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "incident"),
    [
        ("active", date(2025, 12, 31)),  # the day before the policy starts
        ("active", date(2027, 1, 1)),  # the day after it ends
        ("active", date(2020, 6, 1)),
        ("cancelled", CLEAN_DAY),  # inside the period, but cancelled
        ("cancelled", START),
    ],
    ids=["day-before-start", "day-after-end", "long-before", "cancelled", "cancelled-start"],
)
def test_policy_not_active(status, incident):
    check = make_check(policy=replace(POLICY, status=status), incident=incident)
    flags = check.flags()
    assert codes(flags) == ["policy_not_active"]
    assert str(incident) in flags[0].message
    assert flags[0].claim_id is None


@pytest.mark.parametrize("incident", [START, END], ids=["first-day", "last-day"])
def test_policy_covers_its_first_and_last_day(incident):
    product = replace(PRODUCT, waiting_days=0)
    assert make_check(product=product, incident=incident).flags() == []


# --- waiting_period ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("waiting_days", "incident", "flagged"),
    [
        (30, date(2026, 1, 30), True),  # day before start + 30
        (30, date(2026, 1, 31), False),  # start + 30: waiting has ended
        (30, START, True),
        (1, START, True),
        (1, date(2026, 1, 2), False),
        (0, START, False),  # no waiting period at all
    ],
)
def test_waiting_period_boundary(waiting_days, incident, flagged):
    product = replace(PRODUCT, waiting_days=waiting_days)
    flags = make_check(product=product, incident=incident).flags()
    assert codes(flags) == (["waiting_period"] if flagged else [])


def test_waiting_period_message_names_the_end_of_waiting():
    (flag,) = make_check(incident=date(2026, 1, 10)).flags()
    assert flag.code == "waiting_period"
    assert "2026-01-31" in flag.message


# --- caps ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1, []),
        (500_000, []),  # exactly the cap
        (500_001, ["over_per_claim_cap"]),
        (900_000, ["over_per_claim_cap"]),
    ],
)
def test_per_claim_cap(amount, expected):
    assert codes(make_check(amount=amount).flags()) == expected


@pytest.mark.parametrize(
    ("ytd", "amount", "expected"),
    [
        (600_000, 400_000, []),  # ytd + amount == yearly cap
        (600_000, 400_001, ["over_per_year_cap"]),  # one fen over
        (0, 500_000, []),
        (1_000_000, 1, ["over_per_year_cap"]),  # cap used up
        (999_999, 1, []),
    ],
)
def test_per_year_cap(ytd, amount, expected):
    assert codes(make_check(amount=amount, ytd=ytd).flags()) == expected


def test_per_year_cap_message_says_how_much_is_left():
    (flag,) = make_check(amount=400_001, ytd=600_000).flags()
    assert "¥4,000.00" in flag.message


def test_per_year_cap_never_reports_a_negative_remainder():
    (flag,) = make_check(amount=1, ytd=1_200_000).flags()
    assert flag.code == "over_per_year_cap"
    assert "Only ¥0.00" in flag.message


def test_both_caps_flagged_together():
    check = make_check(amount=500_001, ytd=600_000)
    assert sorted(codes(check.flags())) == ["over_per_claim_cap", "over_per_year_cap"]


# --- ineligible_age ------------------------------------------------------------------------


# The product covers ages 18 to 49 inclusive; incidents on 2026-03-10 (birthday day).
AGE_PRODUCT = replace(PRODUCT, min_age=18, max_age=49, waiting_days=0)
BIRTHDAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("born", "incident", "eligible"),
    [
        (date(2008, 3, 10), BIRTHDAY, True),  # turns 18 on the incident date
        (date(2008, 3, 11), BIRTHDAY, False),  # turns 18 the day after: still 17
        (date(2008, 3, 10), date(2026, 3, 9), False),  # the day before the 18th birthday
        (date(2010, 1, 1), BIRTHDAY, False),  # well below
        (date(1977, 3, 10), BIRTHDAY, True),  # turns 49 on the day
        (date(1976, 3, 11), BIRTHDAY, True),  # last day of being 49
        (date(1976, 3, 10), BIRTHDAY, False),  # turns 50 on the incident date
        (date(1950, 1, 1), BIRTHDAY, False),  # well above
        (date(2000, 6, 1), BIRTHDAY, True),
    ],
)
def test_age_limits_are_inclusive(born, incident, eligible):
    policy = replace(POLICY, id_number=person(born))
    flags = make_check(product=AGE_PRODUCT, policy=policy, incident=incident).flags()
    assert codes(flags) == ([] if eligible else ["ineligible_age"])


@pytest.mark.parametrize(
    ("incident", "eligible"),
    [(date(2026, 2, 28), False), (date(2026, 3, 1), True)],
)
def test_leap_day_birthday_counts_from_first_of_march(incident, eligible):
    policy = replace(POLICY, id_number=person(date(2008, 2, 29)))
    flags = make_check(product=AGE_PRODUCT, policy=policy, incident=incident).flags()
    assert codes(flags) == ([] if eligible else ["ineligible_age"])


@pytest.mark.parametrize(
    ("min_age", "max_age", "born", "eligible"),
    [
        (None, None, date(1926, 1, 1), True),  # 100 years old, no limits
        (None, None, date(2026, 1, 1), True),  # a baby, no limits
        (None, 49, date(2026, 1, 1), True),  # no lower limit
        (None, 49, date(1970, 1, 1), False),
        (18, None, date(1926, 1, 1), True),  # no upper limit
        (18, None, date(2020, 1, 1), False),
    ],
)
def test_none_age_limit_means_no_limit(min_age, max_age, born, eligible):
    product = replace(PRODUCT, min_age=min_age, max_age=max_age, waiting_days=0)
    policy = replace(POLICY, id_number=person(born))
    flags = make_check(product=product, policy=policy, incident=BIRTHDAY).flags()
    assert codes(flags) == ([] if eligible else ["ineligible_age"])


def test_ineligible_age_message_gives_age_and_range():
    policy = replace(POLICY, id_number=person(date(2010, 1, 1)))
    (flag,) = eligibility(AGE_PRODUCT, policy, BIRTHDAY)
    assert flag.code == "ineligible_age"
    assert "Aged 16" in flag.message
    assert "ages 18 to 49" in flag.message


def test_a_day_before_the_insured_was_born_is_a_flag_not_an_error():
    policy = replace(POLICY, id_number=person(date(2010, 6, 1)))
    (flag,) = eligibility(AGE_PRODUCT, policy, date(2010, 5, 31))
    assert flag.code == "before_birth" and "2010-05-31" in flag.message
    assert eligibility(replace(AGE_PRODUCT, min_age=None, max_age=None), policy,
                       date(2010, 6, 1)) == []


# --- ineligible_category -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("categories", "family_category", "eligible"),
    [
        (("two_daughters", "special_family"), "two_daughters", True),
        (("two_daughters", "special_family"), "special_family", True),
        (("two_daughters", "special_family"), "only_child", False),
        (("two_daughters",), None, False),  # no category, but the product needs one
        ((), "only_child", True),  # empty categories = any
        ((), None, True),
    ],
)
def test_category(categories, family_category, eligible):
    product = replace(PRODUCT, categories=categories)
    policy = replace(POLICY, family_category=family_category)
    flags = make_check(product=product, policy=policy).flags()
    assert codes(flags) == ([] if eligible else ["ineligible_category"])


def test_missing_category_message_says_none():
    product = replace(PRODUCT, categories=("two_daughters",))
    (flag,) = eligibility(product, replace(POLICY, family_category=None), CLEAN_DAY)
    assert "none" in flag.message
    assert "two_daughters" in flag.message


# --- probable_duplicate --------------------------------------------------------------------


@pytest.mark.parametrize("duplicates", [[7], [7, 12], [3, 5, 8]])
def test_one_duplicate_flag_per_other_claim(duplicates):
    flags = make_check(duplicates=duplicates).flags()
    assert codes(flags) == ["probable_duplicate"] * len(duplicates)
    assert [f.claim_id for f in flags] == duplicates
    for flag, other in zip(flags, duplicates, strict=True):
        assert f"claim {other}" in flag.message


def test_non_duplicate_flags_carry_no_claim_id():
    check = make_check(policy=replace(POLICY, status="cancelled"), amount=900_000)
    flags = check.flags()
    assert codes(flags) == ["policy_not_active", "over_per_claim_cap"]
    assert all(f.claim_id is None for f in flags)


# --- approval_problems ---------------------------------------------------------------------


def test_duplicates_are_not_approval_problems():
    check = make_check(duplicates=[4, 5])
    assert codes(check.flags()) == ["probable_duplicate", "probable_duplicate"]
    assert check.approval_problems(100_000) == []


def test_claim_over_per_claim_cap_can_be_approved_within_cap():
    check = make_check(amount=800_000)
    assert codes(check.flags()) == ["over_per_claim_cap"]
    assert check.approval_problems(500_000) == []
    assert codes(check.approval_problems(500_001)) == ["over_per_claim_cap"]


def test_yearly_cap_is_checked_against_the_approved_amount():
    check = make_check(amount=450_000, ytd=700_000)
    assert codes(check.flags()) == ["over_per_year_cap"]
    assert check.approval_problems(300_000) == []
    assert codes(check.approval_problems(300_001)) == ["over_per_year_cap"]


def test_claim_within_caps_refused_for_an_approval_over_them():
    check = make_check(amount=100_000)
    assert check.flags() == []
    # 600k is over the 500k per-claim cap but within the 1M left of the yearly cap.
    assert codes(check.approval_problems(600_000)) == ["over_per_claim_cap"]
    assert codes(check.approval_problems(1_000_001)) == ["over_per_claim_cap",
                                                         "over_per_year_cap"]


def test_hard_flags_are_the_blocking_codes():
    assert {"policy_not_active", "waiting_period", "ineligible_age",
                          "ineligible_category", "before_birth", "premium_unpaid"} == HARD_FLAGS


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"incident": date(2025, 12, 1)}, "policy_not_active"),
        ({"policy": replace(POLICY, status="cancelled")}, "policy_not_active"),
        ({"incident": date(2026, 1, 15)}, "waiting_period"),
        ({"product": replace(PRODUCT, max_age=40)}, "ineligible_age"),
        ({"product": replace(PRODUCT, min_age=50)}, "ineligible_age"),
        ({"product": replace(PRODUCT, categories=("special_family",))}, "ineligible_category"),
        ({"policy": replace(POLICY, family_category=None),
          "product": replace(PRODUCT, categories=("special_family",))}, "ineligible_category"),
    ],
)
def test_hard_flags_remain_approval_problems(kwargs, code):
    check = make_check(duplicates=[1], **kwargs)
    assert codes(check.flags()) == [code, "probable_duplicate"]
    problems = check.approval_problems(1)
    assert codes(problems) == [code]


# --- the claim's states --------------------------------------------------------------------

ALL_STATES = ["submitted", "flagged", "approved", "approved_awaiting_funds", "paid", "rejected",
              "under_appeal"]
EXPECTED_LEGAL = [
    ("submitted", "approved"),
    ("submitted", "rejected"),
    ("flagged", "approved"),
    ("flagged", "rejected"),
    ("approved", "paid"),
    ("approved", "approved_awaiting_funds"),
    ("approved_awaiting_funds", "paid"),
    ("rejected", "under_appeal"),  # once: the claim's appeal record says whether it was
    ("under_appeal", "approved"),  # overturned
    ("under_appeal", "rejected"),  # upheld
]
TABLE_LEGAL = sorted((src, dst) for src, targets in TRANSITIONS.items() for dst in targets)


def test_transition_table_covers_every_state():
    assert sorted(TRANSITIONS) == sorted(ALL_STATES)
    assert sorted(EXPECTED_LEGAL) == TABLE_LEGAL


@pytest.mark.parametrize(("current", "target"), TABLE_LEGAL + EXPECTED_LEGAL)
def test_legal_transitions_pass(current, target):
    assert check_transition(current, target) is None


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("paid", "approved"),
        ("rejected", "approved"),
        ("submitted", "paid"),
        ("submitted", "approved_awaiting_funds"),
        ("flagged", "paid"),
        ("approved", "rejected"),
        ("approved", "submitted"),
        ("approved_awaiting_funds", "rejected"),
        ("approved_awaiting_funds", "approved"),
        ("paid", "paid"),
        ("paid", "rejected"),
        ("rejected", "rejected"),
        ("rejected", "paid"),
        ("under_appeal", "paid"),
        ("under_appeal", "under_appeal"),
        ("submitted", "under_appeal"),
        ("approved", "under_appeal"),
        ("submitted", "submitted"),
        ("submitted", "flagged"),
        ("archived", "approved"),  # unknown current state
        ("submitted", "archived"),  # unknown target state
    ],
)
def test_illegal_transitions_raise(current, target):
    with pytest.raises(Conflict) as caught:
        check_transition(current, target)
    error = caught.value
    assert isinstance(error, Conflict)
    assert error.code == "illegal_transition"
    assert f"is {current}" in error.message
    assert f"become {target}" in error.message
    assert error.fields == {"status": [f"is {current}"]}


@pytest.mark.parametrize("terminal", ["paid"])
def test_terminal_states_have_no_way_out(terminal):
    assert TRANSITIONS[terminal] == frozenset()
    for target in ALL_STATES:
        with pytest.raises(Conflict):
            check_transition(terminal, target)


# --- four eyes -----------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["staff1", "admin"])
def test_same_user_cannot_approve_own_claim(user):
    with pytest.raises(Forbidden) as caught:
        check_four_eyes(user, user, "claim")
    assert caught.value.code == "four_eyes"


@pytest.mark.parametrize(("registered_by", "approver"), [("staff1", "staff2"),
                                                         ("staff1", "admin")])
def test_different_users_pass_four_eyes(registered_by, approver):
    assert check_four_eyes(registered_by, approver, "claim") is None


# --- end_date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term_days", "start", "expected"),
    [
        (365, date(2026, 1, 1), date(2026, 12, 31)),
        (1, date(2026, 1, 1), date(2026, 1, 1)),
        (366, date(2028, 1, 1), date(2028, 12, 31)),  # leap year
        (30, date(2026, 2, 15), date(2026, 3, 16)),
    ],
)
def test_end_date(term_days, start, expected):
    assert end_date(replace(PRODUCT, term_days=term_days), start) == expected


# --- which incident dates can be claimed for at all ------------------------------------
@pytest.mark.parametrize(("incident", "refused"), [
    (CLEAN_DAY, None),
    (START, None),
    (END, None),
    (date(2027, 2, 2), "Must not be in the future."),
    (date(2025, 12, 31), "Must be within the policy's cover, 2026-01-01 to 2026-12-31."),
    (date(2027, 1, 1), "Must be within the policy's cover, 2026-01-01 to 2026-12-31."),
])
def test_an_incident_date_must_be_past_and_covered(incident, refused):
    assert incident_date_refusal(POLICY, incident, date(2027, 2, 1)) == refused


def test_an_incident_before_the_insured_was_born_is_refused_before_the_cover_is_looked_at():
    policy = replace(POLICY, id_number=person(date(2026, 3, 1)))
    assert incident_date_refusal(policy, date(2026, 2, 28), date(2026, 11, 30)) == \
        "Must not be before the insured person was born."
