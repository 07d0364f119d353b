"""A province on one deployment, over HTTP: the province's admin sets up a county and its
first login; the county keeps its own funds, families and numbering; the province's and a
city's logins read every county under them, one at a time or ranked, and change nothing;
nothing of one county reaches another's logins."""
import uuid

import pytest

from tests.e2e.conftest import Client
from tests.e2e.test_association_dashboard import MEASURES, every
from tests.e2e.test_fund_over_http import gift
from tests.family_data import family
from tests.support import assert_problem

COUNTY = "341124"  # 全椒县, under 滁州市 (341100) with the demo's 天长市 (341181)
PASSWORD = "Quanjiao-county-2026!"


def problem_fields(response, status: int) -> set[str]:
    return set(assert_problem(response, status).get("errors", {}))


@pytest.fixture(scope="module")
def county(running_system):
    """The county set up from above and given a little life by its own logins."""
    anonymous = Client(running_system.url)
    above = anonymous.login("province_admin")
    made = above.call("POST", "/api/v1/associations", {
        "code": COUNTY, "name": "全椒县计划生育协会", "parent_code": "341100"})
    assert made.status_code in (201, 409), made.text
    suffix = uuid.uuid4().hex[:6]
    admin_name = f"qj-admin-{suffix}"
    made = above.call("POST", "/api/v1/users", {
        "username": admin_name, "password": PASSWORD, "role": "admin",
        "display_name": "全椒县管理员", "association_code": COUNTY})
    assert made.status_code == 201 and made.json()["association_code"] == COUNTY, made.text
    admin = anonymous.login(admin_name, PASSWORD)
    made = admin.call("POST", "/api/v1/users", {
        "username": f"qj-staff-{suffix}", "password": PASSWORD, "role": "staff",
        "display_name": "全椒县工作人员"})
    assert made.status_code == 201 and made.json()["association_code"] == COUNTY, made.text
    staff = anonymous.login(f"qj-staff-{suffix}", PASSWORD)
    opened = admin.call("POST", "/api/v1/funds", {"code": "GENERAL", "name": "全椒县基金",
                                                  "restricted": False})
    assert opened.status_code in (200, 201), opened.text
    given = staff.call("POST", "/api/v1/donations", gift(4_321))
    assert given.status_code == 201, given.text
    home = staff.call("POST", "/api/v1/families", family(
        41, 42, village=COUNTY + "100001", address="全椒县襄河镇1号"))
    assert home.status_code == 201, home.text
    return {"anonymous": anonymous, "above": above, "admin": admin, "staff": staff,
            "donation": given.json(), "family": home.json()}


def test_a_county_set_up_from_above_numbers_its_own(county):
    assert COUNTY in county["donation"]["receipt_no"]
    assert county["family"]["family_no"].startswith(f"F-{COUNTY}-")
    listed = county["above"].call("GET", "/api/v1/associations").json()["items"]
    levels = {a["code"]: (a["level"], a["parent_code"]) for a in listed}
    assert levels["340000"] == ("province", None)
    assert levels["341100"] == ("city", "340000")
    assert levels[COUNTY] == ("county", "341100") and levels["341181"][0] == "county"
    again = county["above"].call("POST", "/api/v1/associations", {
        "code": COUNTY, "name": "又一个", "parent_code": "341100"})
    assert problem_fields(again, 409) == {"code"}


@pytest.mark.parametrize("who, body, field", [
    ("province_admin", {"code": "350102", "parent_code": "350100"}, "code"),  # elsewhere
    ("province_admin", {"code": "341125", "parent_code": "340000"}, "parent_code"),
    ("province_admin", {"code": "342401", "parent_code": "342400"}, "parent_code"),  # no city
    ("province_admin", {"code": "341181100", "parent_code": "341181"}, "code"),
    ("admin", {"code": "341126", "parent_code": "341100"}, "code"),  # a county's admin
])
def test_a_county_out_of_place_is_refused_by_field(county, who, body, field):
    client = county["anonymous"].login(who)
    answer = client.call("POST", "/api/v1/associations", {"name": "某协会", **body})
    assert problem_fields(answer, 422) == {field}


@pytest.mark.parametrize("who, body, field", [
    ("province_admin", {"role": "province_staff", "association_code": COUNTY}, "role"),
    ("province_admin", {"role": "staff"}, "role"),  # a county's role, at the province
    ("province_admin", {"role": "admin", "association_code": "341199"}, "association_code"),
    ("province_admin", {"role": "admin", "association_code": "350100"}, "association_code"),
    ("admin", {"role": "admin", "association_code": COUNTY}, "association_code"),
    ("admin", {"role": "province_staff"}, "role"),
    ("admin", {"role": "staff", "association_code": "34112"}, "association_code"),
])
def test_a_login_out_of_place_is_refused_by_field(county, who, body, field):
    client = county["anonymous"].login(who)
    answer = client.call("POST", "/api/v1/users", {
        "username": f"misplaced-{uuid.uuid4().hex[:6]}", "password": PASSWORD,
        "display_name": "某人", **body})
    assert problem_fields(answer, 422) == {field}


@pytest.mark.parametrize("reader", ["province1", "province_auditor1"])
def test_the_province_reads_each_county_and_changes_nothing(county, reader):
    province = county["anonymous"].login(reader)
    mine = {d["id"] for d in every(county["staff"], "/api/v1/donations")}
    demo = {d["id"] for d in every(county["anonymous"].login("staff1"), "/api/v1/donations")}
    assert {d["id"] for d in every(province, "/api/v1/donations",
                                   association=COUNTY)} == mine
    assert {d["id"] for d in every(province, "/api/v1/donations",
                                   association="341181")} == demo
    # Read as the county's, a record of the other county is not there.
    other = province.call("GET", f"/api/v1/donations/{county['donation']['id']}",
                          params={"association": "341181"})
    assert_problem(other, 404)
    seen = province.call("GET", f"/api/v1/families/{county['family']['id']}",
                         params={"association": COUNTY})
    assert seen.status_code == 200 and seen.json()["family_no"] == \
        county["family"]["family_no"], seen.text
    # Nothing changes at their hands, in any county.
    for path, body in (("/api/v1/donations", gift(100)),
                       ("/api/v1/families", family(43, village=COUNTY + "100001")),
                       ("/api/v1/funds", {"code": "X", "name": "x", "restricted": False})):
        assert_problem(province.call("POST", path, json=body,
                                     params={"association": COUNTY}), 403)
    assert {d["id"] for d in every(county["staff"], "/api/v1/donations")} == mine
    # Outside the province, or not a county's code.
    assert_problem(province.call("GET", "/api/v1/donations",
                                 params={"association": "350102"}), 404)
    assert problem_fields(province.call("GET", "/api/v1/donations",
                                        params={"association": "34112"}), 422) \
        == {"association"}


def test_a_county_login_names_no_other_county(county):
    staff = county["anonymous"].login("staff1")
    answer = staff.call("GET", "/api/v1/donations", params={"association": COUNTY})
    assert problem_fields(answer, 422) == {"association"}
    assert_problem(county["staff"].call(
        "GET", f"/api/v1/donations/{every(staff, '/api/v1/donations')[0]['id']}"), 404)
    assert_problem(staff.call("GET", f"/api/v1/families/{county['family']['id']}"), 404)


def test_the_province_ranks_its_counties_by_their_own_figures(county):
    province = county["anonymous"].login("province1")
    ranking = province.call("GET", "/api/v1/associations/340000/ranking",
                            params={"by": "donations_fen_year"})
    assert ranking.status_code == 200, ranking.text
    items = {item["code"]: item for item in ranking.json()["items"]}
    assert {COUNTY, "341181"} <= set(items)
    total = {measure: 0 for measure in MEASURES}
    for code, item in items.items():
        # Each county's figures as its own dashboard gives them to the province...
        own = province.call("GET", f"/api/v1/associations/{code}/dashboard")
        assert own.status_code == 200, own.text
        for measure in MEASURES:
            assert item[measure] == own.json()[measure], (code, measure)
            total[measure] += item[measure]
    # ...and as the county's admin reads them.
    theirs = county["admin"].call("GET", f"/api/v1/associations/{COUNTY}/dashboard").json()
    assert {m: theirs[m] for m in MEASURES} == {m: items[COUNTY][m] for m in MEASURES}
    assert items[COUNTY]["families"] == 1 and items[COUNTY]["donations_fen_year"] == 4_321
    ranks = [item["rank"] for item in ranking.json()["items"]]
    assert ranks == sorted(ranks)
    # The province's own figures are its counties' together.
    whole = province.call("GET", "/api/v1/associations/340000/dashboard").json()
    assert {m: whole[m] for m in MEASURES} == total
    # A county's login reads nothing above it.
    assert_problem(county["staff"].call("GET", "/api/v1/associations/340000/dashboard"), 404)


def test_every_association_has_its_public_page(county):
    page = county["anonymous"].call("GET", f"/public/{COUNTY}")
    assert page.status_code == 200 and "全椒县基金" in page.text
    assert "全椒县基金" not in county["anonymous"].call("GET", "/public/341181").text
