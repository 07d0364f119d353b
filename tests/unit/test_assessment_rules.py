"""The yearly assessment's rules in plain Python (services/families/grading.py): which
criteria are accepted (each refusal named by field), how items are scored and totalled, the
grades at every edge of the 60% and 10% lines, and the shares."""
from decimal import Decimal
from fractions import Fraction

import pytest

from services.families.grading import (
    Criterion,
    assess,
    check_criteria,
    check_score,
    grade,
    relative_scores,
    shares,
    total,
)
from shared.errors import InvalidInput


def item(key="party_building", name="党建工作", weight=100, source="manual") -> dict:
    return {"key": key, "name": name, "weight": weight, "source": source}


def refused_fields(year, items) -> dict:
    with pytest.raises(InvalidInput) as refused:
        check_criteria(year, items)
    return refused.value.fields


# --- criteria ------------------------------------------------------------------------------
def test_criteria_whose_weights_make_100_are_accepted_in_order():
    got = check_criteria(2026, [item("a", weight=40, source="members_per_100_households"),
                                item("b", weight=60)])
    assert got == [Criterion("a", "党建工作", 40, "members_per_100_households"),
                   Criterion("b", "党建工作", 60, "manual")]


@pytest.mark.parametrize("year", [1999, 3000, 0])
def test_a_year_out_of_range_is_refused_on_year(year):
    assert list(refused_fields(year, [item()])) == ["year"]


@pytest.mark.parametrize("items", [[], [item(f"k{n}", weight=5) for n in range(21)]])
def test_none_or_more_than_twenty_items_are_refused_on_items(items):
    assert list(refused_fields(2026, items)) == ["items"]


def test_weights_not_making_100_are_refused_on_items_saying_the_sum():
    fields = refused_fields(2026, [item("a", weight=30), item("b", weight=60)])
    assert list(fields) == ["items"]
    assert "90" in fields["items"][0]


@pytest.mark.parametrize("change, field", [
    ({"key": "Party"}, "items.1.key"), ({"key": "1st"}, "items.1.key"),
    ({"key": "a-b"}, "items.1.key"), ({"key": "k" * 41}, "items.1.key"),
    ({"key": "a"}, "items.1.key"),  # the first item's key again
    ({"name": "名" * 101}, "items.1.name"), ({"name": ""}, "items.1.name"),
    ({"source": "members"}, "items.1.source"), ({"source": ""}, "items.1.source"),
])
def test_a_bad_item_is_refused_on_its_own_field(change, field):
    fields = refused_fields(2026, [item("a", weight=50), {**item("b", weight=50), **change}])
    assert list(fields) == [field], fields


@pytest.mark.parametrize("weight", [0, 101, -5])
def test_a_weight_out_of_range_is_refused_on_that_weight(weight):
    fields = refused_fields(2026, [item("a", weight=100), item("b", weight=weight)])
    assert "items.1.weight" in fields


@pytest.mark.parametrize("score, kept", [(Decimal("0"), Decimal("0.00")),
                                         (Decimal("100"), Decimal("100.00")),
                                         (Decimal("87.5"), Decimal("87.50")),
                                         (Decimal("99.99"), Decimal("99.99"))])
def test_a_manual_score_is_0_to_100_with_two_decimals(score, kept):
    assert check_score(score) == kept


@pytest.mark.parametrize("score", ["-0.01", "100.01", "87.555", "NaN", "Infinity"])
def test_a_manual_score_out_of_range_or_too_precise_is_refused_on_score(score):
    with pytest.raises(InvalidInput) as refused:
        check_score(Decimal(score))
    assert list(refused.value.fields) == ["score"]


# --- scoring -------------------------------------------------------------------------------
def test_a_computed_item_scores_relative_to_the_best():
    assert relative_scores({"a": 50, "b": 100, "c": 0, "d": Fraction(100, 3)}) == {
        "a": Decimal("50.00"), "b": Decimal("100.00"), "c": Decimal("0.00"),
        "d": Decimal("33.33")}


def test_when_the_best_is_zero_every_association_scores_zero():
    assert relative_scores({"a": 0, "b": 0}) == {"a": Decimal("0.00"), "b": Decimal("0.00")}


def test_the_total_weighs_each_item_score():
    criteria = [Criterion("a", "甲", 30, "member_days_held"), Criterion("b", "乙", 70, "manual")]
    assert total(criteria, {"a": Decimal("33.33"), "b": Decimal("87.50")}) == Decimal("71.25")


def test_assess_scores_totals_ranks_and_grades_best_first():
    criteria = [Criterion("days", "会员日", 40, "member_days_held"),
                Criterion("money", "筹资", 40, "money_raised_fen"),
                Criterion("work", "工作", 20, "manual")]
    values = {"member_days_held": {"100": 2, "101": 4, "102": 0},
              "money_raised_fen": {"100": 30000, "101": 10000, "102": 0}}
    manual = {("100", "work"): Decimal("90"), ("102", "work"): Decimal("50")}
    found = assess(criteria, [("100", "甲"), ("101", "乙"), ("102", "丙")], values, manual)
    assert [(a.code, a.total, a.rank, a.grade) for a in found] == [
        ("100", Decimal("78.00"), 1, "advanced"),  # 40×50 + 40×100 + 20×90 over 100
        ("101", Decimal("53.33"), 2, "standard"),  # 40×100 + 40×33.33 + 0
        ("102", Decimal("10.00"), 3, "standard")]
    assert [(i.key, i.value, i.score) for i in found[1].items] == [
        ("days", Decimal("4.00"), Decimal("100.00")),
        ("money", Decimal("10000.00"), Decimal("33.33")), ("work", None, Decimal("0.00"))]


# --- grades --------------------------------------------------------------------------------
def grades_of(totals: list[int]) -> list[tuple[int, str]]:
    criteria = [Criterion("x", "甲", 100, "member_days_held")]
    codes = [f"{n:03d}" for n in range(len(totals))]
    found = assess(criteria, [(c, c) for c in codes],
                   {"member_days_held": dict(zip(codes, totals, strict=True))}, {})
    return [(a.rank, a.grade) for a in found]


@pytest.mark.parametrize("n, advanced, lagging", [
    (1, 0, 0), (2, 1, 0), (5, 3, 0), (9, 5, 0), (10, 6, 1), (11, 6, 1), (20, 12, 2)])
def test_grades_by_rank_for_n_associations_of_distinct_totals(n, advanced, lagging):
    found = [grade(rank, n) for rank in range(1, n + 1)]
    assert found == (["advanced"] * advanced + ["standard"] * (n - advanced - lagging)
                     + ["lagging"] * lagging)
    assert [g for _, g in grades_of(list(range(n, 0, -1)))] == found


def test_a_tie_across_the_60_percent_line_takes_the_better_grade():
    # ten: the 6th and 7th tie, both rank 6, both advanced
    assert grades_of([100, 90, 80, 70, 60, 50, 50, 40, 30, 20]) == [
        (1, "advanced"), (2, "advanced"), (3, "advanced"), (4, "advanced"), (5, "advanced"),
        (6, "advanced"), (6, "advanced"), (8, "standard"), (9, "standard"), (10, "lagging")]


def test_a_tie_across_the_10_percent_line_takes_the_better_grade():
    # ten: the 9th and 10th tie, both rank 9, neither lagging
    assert [g for _, g in grades_of([100, 90, 80, 70, 60, 50, 40, 30, 20, 20])][-2:] == [
        "standard", "standard"]
    # twenty: 18th, 19th and 20th tie at rank 18: none lagging; 19th and 20th tie: both
    assert [g for _, g in grades_of([*range(100, 83, -1), 5, 5, 5])][-3:] == ["standard"] * 3
    assert [g for _, g in grades_of([*range(100, 82, -1), 5, 5])][-2:] == ["lagging"] * 2


def test_all_tied_are_all_advanced_but_one_alone_is_standard():
    assert grades_of([7, 7, 7, 7, 7]) == [(1, "advanced")] * 5
    assert grades_of([0]) == [(1, "standard")]


def test_the_shares_are_of_all_associations_to_two_decimals():
    split = shares(["advanced", "advanced", "standard"])
    assert (split.n, split.counts) == (3, {"advanced": 2, "standard": 1, "lagging": 0})
    assert split.pcts == {"advanced": Decimal("66.67"), "standard": Decimal("33.33"),
                          "lagging": Decimal("0.00")}
    assert shares([]).pcts == {"advanced": Decimal("0.00"), "standard": Decimal("0.00"),
                               "lagging": Decimal("0.00")}
