"""How associations nest by their codes (shared.regions): a province's two leading digits, a
city's four, a county's six; townships and villages begin with their county's code."""
import pytest
import sqlalchemy as sa

from services.families.dashboard import summed
from shared import regions
from shared.contracts.families import CATEGORIES


@pytest.mark.parametrize("code, level, prefix, parent", [
    ("340000", "province", "34", None),
    ("341100", "city", "3411", "340000"),
    ("341181", "county", "341181", "341100"),
    ("110101", "county", "110101", "110100"),
])
def test_a_region_s_level_prefix_and_parent_come_from_its_code(code, level, prefix, parent):
    assert regions.level_of(code) == level
    assert regions.prefix(code) == prefix
    assert regions.parent_of(code) == parent


@pytest.mark.parametrize("code, association, under", [
    ("341181", "340000", True), ("341181", "341100", True), ("341181", "341181", True),
    ("341181100001", "340000", True), ("341181100001", "341181", True),
    ("341122", "341181", False), ("350102", "340000", False), ("341181", "341200", False),
    ("340000", "341100", False), (341181, "340000", False),
])
def test_what_lies_under_an_association(code, association, under):
    assert regions.under(code, association) is under


def test_an_association_is_not_strictly_under_itself():
    assert not regions.strictly_under("341100", "341100")
    assert regions.strictly_under("341181", "341100")


@pytest.mark.parametrize("code, county", [
    ("341181", True), ("340000", False), ("341100", False), ("341181100", False),
    ("041181", False), ("34118", False), (None, False),
])
def test_only_a_county_s_code_names_a_county(code, county):
    assert regions.is_county(code) is county


def test_codes_are_grouped_for_counting_by_their_prefixes():
    assert regions.by_prefix(["340000", "341181", "341122", "341181100"]) == {
        2: {"34": "340000"}, 6: {"341181": "341181", "341122": "341122"},
        9: {"341181100": "341181100"}}


def test_a_province_s_rows_are_those_of_every_county_under_it():
    column = sa.column("association_code")
    county = regions.within(column, "341181").compile(
        compile_kwargs={"literal_binds": True})
    province = regions.within(column, "340000").compile(
        compile_kwargs={"literal_binds": True})
    assert str(county) == "association_code = '341181'"
    assert str(province) == "association_code LIKE '34' || '%' ESCAPE '/'"


def test_a_province_s_figures_are_its_counties_added_up():
    def figures(n: int) -> dict:
        return {"members": n, "volunteers": n, "families": 2 * n, "low_income_families": n,
                "visits_done_90d": n, "donations_fen_year": 100 * n, "spent_fen_year": n,
                "claims_paid_year": n,
                "families_by_category": {c: n for c in CATEGORIES}}
    total = summed([figures(1), figures(3)])
    assert total["families"] == 8 and total["donations_fen_year"] == 400
    assert total["families_by_category"] == dict.fromkeys(CATEGORIES, 4)
    assert summed([])["families"] == 0 and summed([])["families_by_category"] == \
        dict.fromkeys(CATEGORIES, 0)
