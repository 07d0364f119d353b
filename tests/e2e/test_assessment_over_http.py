"""The yearly assessment over HTTP, on the running system: an admin sets the county's
criteria for a year (a counted item and one scored by hand), staff hold member days in two
villages of a township of the test's own, the admin scores the villages by hand, and the
township's assessment answers each item's value and score, the totals, ranks, grades and
shares; the same as a spreadsheet that opens in openpyxl, and as CSV with a BOM. Refusals
come as problem documents naming the field."""
import csv
import io

import openpyxl
import pytest

from shared.clock import local_today
from tests.e2e.conftest import Client
from tests.support import assert_problem

TOWN = "341181108"  # a township of its own: the demo's and other tests' stay apart
EAST, WEST = TOWN + "001", TOWN + "002"
YEAR = local_today().year - 2  # a year no other test records member days in
CRITERIA = [{"key": "days", "name": "会员日活动", "weight": 40, "source": "member_days_held"},
            {"key": "work", "name": "工作实绩", "weight": 60, "source": "manual"}]


@pytest.fixture(scope="module")
def admin(running_system):
    return Client(running_system.url).login("admin")


@pytest.fixture(scope="module")
def assessed(running_system, admin):
    """The township, its two villages, their member days and scores, and the criteria."""
    staff = Client(running_system.url).login("staff1")
    for code, name, parent in ((TOWN, "仁和镇计生协会", "341181"),
                               (EAST, "东湖村计生协会", TOWN), (WEST, "西湖村计生协会", TOWN)):
        made = admin.call("POST", "/api/v1/associations",
                          {"code": code, "name": name, "parent_code": parent})
        assert made.status_code in (201, 409), made.text  # 409: a rerun on the same system
    set_criteria = admin.call("PUT", "/api/v1/associations/341181/assessment/criteria",
                              {"year": YEAR, "items": CRITERIA})
    assert set_criteria.status_code == 200, set_criteria.text
    for code, month in ((EAST, 3), (EAST, 9), (WEST, 5)):
        held = staff.call("POST", f"/api/v1/associations/{code}/member-days",
                          {"title": "会员活动日", "held_on": f"{YEAR}-{month:02d}-10",
                           "member_ids": []})
        assert held.status_code == 201, held.text
    for code, score in ((EAST, 50), (WEST, 100)):
        given = admin.call("PUT", f"/api/v1/associations/341181/assessment/{YEAR}/scores",
                           {"code": code, "key": "work", "score": score})
        assert given.status_code == 200, given.text
    return set_criteria.json()


def test_the_criteria_come_back_as_set(assessed):
    assert (assessed["code"], assessed["year"], assessed["items"]) == ("341181", YEAR,
                                                                       CRITERIA)


def test_a_townships_villages_are_scored_ranked_and_graded(admin, assessed):
    found = admin.call("GET", f"/api/v1/associations/{TOWN}/assessment/{YEAR}")
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["criteria"] == CRITERIA
    # EAST: two member days (100), scored 50: 40 + 30; WEST: one (50), scored 100: 20 + 60.
    assert [(a["code"], [(i["key"], i["value"], i["score"]) for i in a["items"]],
             a["total"], a["rank"], a["grade"]) for a in body["associations"]] == [
        (WEST, [("days", 1, 50), ("work", None, 100)], 80, 1, "advanced"),
        (EAST, [("days", 2, 100), ("work", None, 50)], 70, 2, "standard")]
    assert body["shares"] == {"n": 2, "advanced": 1, "standard": 1, "lagging": 0,
                              "advanced_pct": 50, "standard_pct": 50, "lagging_pct": 0}
    auditor = Client(admin.base).login("auditor1")
    assert auditor.call("GET", f"/api/v1/associations/{TOWN}/assessment/{YEAR}").json() == body


def test_the_assessment_downloads_as_a_spreadsheet_and_as_csv(admin, assessed):
    path = f"/api/v1/associations/{TOWN}/assessment/{YEAR}/export"
    xlsx = admin.call("GET", path, params={"format": "xlsx", "lang": "zh"})
    assert xlsx.status_code == 200, xlsx.text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["代码", "基层协会", "会员日活动（数值）", "会员日活动（得分）",
                       "工作实绩（数值）", "工作实绩（得分）", "总分", "名次", "等级"]
    assert [(r[0], r[6], r[7], r[8]) for r in rows[1:]] == [(WEST, 80, 1, "先进"),
                                                          (EAST, 70, 2, "合格")]
    text = admin.call("GET", path, params={"format": "csv", "lang": "en"})
    assert text.status_code == 200 and text.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert lines[0][-3:] == ["Total", "Rank", "Grade"]
    assert [line[-1] for line in lines[1:]] == ["Advanced", "Standard"]


def test_refusals_name_the_field_and_the_role(running_system, admin, assessed):
    criteria = "/api/v1/associations/341181/assessment/criteria"
    short = admin.call("PUT", criteria, {"year": YEAR, "items": [{**CRITERIA[0], "weight": 30},
                                                                 CRITERIA[1]]})
    assert "90" in assert_problem(short, 422)["errors"]["items"][0]
    bad_source = admin.call("PUT", criteria, {"year": YEAR, "items": [
        CRITERIA[0], {**CRITERIA[1], "source": "votes"}]})
    assert "items.1.source" in assert_problem(bad_source, 422)["errors"]
    assert_problem(admin.call("PUT", f"/api/v1/associations/{TOWN}/assessment/criteria",
                              {"year": YEAR, "items": CRITERIA}), 404, "association_not_found")
    for username in ("staff1", "coordinator1", "donor1"):
        someone = Client(running_system.url).login(username)
        assert_problem(someone.call("PUT", criteria, {"year": YEAR, "items": CRITERIA}), 403)
    scores = f"/api/v1/associations/341181/assessment/{YEAR}/scores"
    assert "key" in assert_problem(admin.call("PUT", scores, {"code": EAST, "key": "days",
                                                              "score": 10}), 422)["errors"]
    assert "score" in assert_problem(admin.call("PUT", scores, {"code": EAST, "key": "work",
                                                                "score": 101}), 422)["errors"]
    assert_problem(admin.call("PUT", f"/api/v1/associations/341181/assessment/{YEAR + 40}"
                                     "/scores", {"code": EAST, "key": "work", "score": 1}),
                   404, "criteria_not_set")
    assert_problem(admin.call("GET", f"/api/v1/associations/{TOWN}/assessment/{YEAR + 40}"),
                   404, "criteria_not_set")
    donor = Client(running_system.url).login("donor1")
    assert_problem(donor.call("GET", f"/api/v1/associations/{TOWN}/assessment/{YEAR}"), 403)
