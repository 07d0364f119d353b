"""The leadership's dashboard over HTTP, on the running system: a township with two
villages gets members, volunteers, families, money given and spent, a claim paid and care
visits done, each through the API as staff would; then every figure of the dashboard (the
township's, a village's, the county's) and the ranking of the villages must equal what the
test sums itself from the services' own listings."""
from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import LOCAL
from shared.contracts.families import CATEGORIES
from tests.e2e.conftest import Client
from tests.e2e.test_fund_over_http import gift
from tests.e2e.test_insurance_over_http import new_product, wait_for_status
from tests.family_data import family, resident
from tests.insurance_data import TODAY, claim
from tests.support import assert_problem, wait_until
from tests.volunteer_data import volunteer

TOWN = "341181109"  # a township of its own: the demo's and other tests' stay apart
EAST = TOWN + "001"
WEST = TOWN + "002"
MEASURES = ("members", "volunteers", "families", "visits_done_90d", "donations_fen_year",
            "spent_fen_year", "claims_paid_year")


def every(client, path: str, **params) -> list[dict]:
    """All the items of a paged listing."""
    items = []
    offset = 0
    while True:
        answer = client.call("GET", path, params={**params, "limit": 500, "offset": offset})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return items


def this_year(moment: str | None) -> bool:
    return moment is not None and \
        datetime.fromisoformat(moment).astimezone(LOCAL).year == datetime.now(LOCAL).year


def when_moved_to(thing: dict, status: str) -> str | None:
    return next((h["at"] for h in thing["history"] if h["to_status"] == status), None)


def sums_from_the_apis(reader, code: str) -> dict:
    """Each figure computed from the listings (an admin may read them all)."""
    under = [f for f in every(reader, "/api/v1/families") if f["village_code"].startswith(code)]
    family_ids = {f["id"] for f in under}
    since = datetime.now(UTC) - timedelta(days=90)
    visits_done = [v for v in every(reader, "/api/v1/visits")
                   if v["family_id"] in family_ids and v["status"] == "completed"
                   and datetime.fromisoformat(when_moved_to(v, "completed")) >= since]
    claims_paid = [c for c in every(reader, "/api/v1/insurance/claims")
                   if c["family_id"] in family_ids and c["status"] == "paid"
                   and this_year(when_moved_to(c, "paid"))]
    donations = [d for d in every(reader, "/api/v1/donations")
                 if d["grassroots_code"].startswith(code) and d["channel"] != "in_kind"
                 and d["status"] == "recorded" and this_year(d["recorded_at"])]
    spent = [d for d in every(reader, "/api/v1/disbursements")
             if d["grassroots_code"].startswith(code) and d["status"] == "paid"
             and this_year(d["decided_at"])]
    volunteers = [v for v in every(reader, "/api/v1/volunteers")
                  if v["grassroots_code"].startswith(code) and v["status"] == "active"]
    return {"members": len(every(reader, "/api/v1/members", grassroots_code=code)),
            "volunteers": len(volunteers), "families": len(under),
            "families_by_category": {c: sum(f["category"] == c for f in under)
                                     for c in CATEGORIES},
            "low_income_families": sum(f["low_income"] for f in under),
            "visits_done_90d": len(visits_done),
            "donations_fen_year": sum(d["amount_fen"] for d in donations),
            "spent_fen_year": sum(d["amount_fen"] for d in spent),
            "claims_paid_year": len(claims_paid)}


@pytest.fixture(scope="module")
def township(running_system):
    """The township's life so far, made over HTTP."""
    anonymous = Client(running_system.url)
    admin, staff, staff2, coordinator = (anonymous.login(u) for u in
                                         ("admin", "staff1", "staff2", "coordinator1"))
    for code, name, parent in ((TOWN, "测试镇计生协会", "341181"),
                               (EAST, "东村计生协会", TOWN), (WEST, "西村计生协会", TOWN)):
        made = admin.call("POST", "/api/v1/associations",
                          {"code": code, "name": name, "parent_code": parent})
        assert made.status_code == 201, made.text

    for n, code in ((1, EAST), (2, EAST), (3, WEST), (4, TOWN)):
        joined = staff.call("POST", "/api/v1/members", {
            "name": f"会员{n}", "id_number": resident(900 + n), "phone": f"1385551{n:04d}",
            "grassroots_code": code})
        assert joined.status_code == 201, joined.text
    helpers = []
    for n, code in ((911, EAST), (912, EAST), (913, WEST)):
        made = coordinator.call("POST", "/api/v1/volunteers", {
            **volunteer(n, skills=["social_work"]), "grassroots_code": code})
        assert made.status_code == 201, made.text
        helpers.append(made.json())

    homes = {}
    for head, village in ((921, EAST), (922, EAST), (923, WEST)):
        made = staff.call("POST", "/api/v1/families", family(
            head, category="special_bereaved", village=village,
            address=f"天长市测试镇{head}号"))
        assert made.status_code == 201, made.text
        homes[head] = made.json()["id"]

    # Money: two gifts to the township's villages, one to the township, one refunded;
    # a disbursement paid for the west village, one only asked for.
    gifts = [staff.call("POST", "/api/v1/donations", {**gift(fen), "grassroots_code": code})
             for fen, code in ((12_300, EAST), (4_500, WEST), (700, TOWN), (9_900, EAST))]
    assert all(g.status_code == 201 for g in gifts), [g.text for g in gifts]
    refunded = staff2.call("POST", f"/api/v1/donations/{gifts[3].json()['id']}/refund",
                           {"reason": "捐赠人撤回"})
    assert refunded.status_code == 200, refunded.text
    for fen, pay in ((2_000, True), (3_000, False)):
        asked = staff.call("POST", "/api/v1/disbursements", {
            "fund_code": "GENERAL", "category": "poverty_relief", "amount_fen": fen,
            "purpose": "困难帮扶", "payee": {"name": "成员923"}, "family_id": homes[923],
            "grassroots_code": WEST})
        assert asked.status_code == 201, asked.text
        if pay:
            paid = staff2.call("POST", f"/api/v1/disbursements/{asked.json()['id']}/approve")
            assert paid.json()["status"] == "paid", paid.text

    # A claim of an east family paid by the saga.
    product, _ = new_product(admin, "TOWN", money=100_000)
    policy = staff.call("POST", "/api/v1/insurance/policies", {
        "product_code": product, "insured": {"name": "成员921", "id_number": resident(921)},
        "family_id": homes[921], "start_date": (TODAY - timedelta(days=100)).isoformat()})
    assert policy.status_code == 201, policy.text
    submitted = staff.call("POST", "/api/v1/insurance/claims",
                           claim(policy.json()["policy_no"], 8_000)).json()
    staff2.call("POST", f"/api/v1/insurance/claims/{submitted['id']}/approve",
                {"amount_approved_fen": 8_000})
    wait_for_status(staff, submitted["id"], "paid")

    # Care visits for an east and a west family, both done.
    for head in (921, 923):
        plan = staff.call("POST", f"/api/v1/families/{homes[head]}/care-plan", {
            "every_days": 30, "skills": ["social_work"], "starts_on": TODAY.isoformat()})
        assert plan.status_code == 200, plan.text

    def their_visits():
        found = [v for v in every(coordinator, "/api/v1/visits")
                 if v["family_id"] in (homes[921], homes[923])]
        return found if len(found) == 2 else None

    visits = wait_until(their_visits, timeout=30)
    for visit in visits:
        assert coordinator.call("POST", f"/api/v1/visits/{visit['id']}/assign",
                                {"volunteer_ids": [helpers[0]["id"]]}).status_code == 200
        done = coordinator.call("POST", f"/api/v1/visits/{visit['id']}/complete",
                                {"minutes": 45, "notes": "平安"})
        assert done.status_code == 200, done.text
    # The dashboard reads visits and claims from the families' timelines: wait until the
    # events have reached them.
    wait_until(lambda: all(any(i["kind"] == "visit_completed" for i in every(
        coordinator, f"/api/v1/families/{homes[h]}/timeline")) for h in (921, 923)),
        timeout=30)
    wait_until(lambda: any(i["kind"] == "claim_paid" for i in every(
        coordinator, f"/api/v1/families/{homes[921]}/timeline")), timeout=30)
    return homes


@pytest.mark.parametrize("code", [TOWN, EAST, WEST, "341181"])
def test_each_figure_equals_the_sum_from_the_services_apis(anonymous, township, code):
    leader = anonymous.login("admin")
    figures = leader.call("GET", f"/api/v1/associations/{code}/dashboard")
    assert figures.status_code == 200, figures.text
    assert figures.json() == sums_from_the_apis(leader, code)


def test_the_townships_figures_are_what_was_done_there(anonymous, township):
    """Known from the fixture, so a figure that is wrong in the same way as the sums above
    would still show."""
    figures = anonymous.login("auditor1").call(
        "GET", f"/api/v1/associations/{TOWN}/dashboard").json()
    assert figures == {"members": 4, "volunteers": 3, "families": 3, "visits_done_90d": 2,
                       "families_by_category": {c: 3 if c == "special_bereaved" else 0
                                                for c in CATEGORIES},
                       "low_income_families": 0,
                       "donations_fen_year": 12_300 + 4_500 + 700, "spent_fen_year": 2_000,
                       "claims_paid_year": 1}


def test_the_villages_are_ranked_by_each_measure_with_their_figures(anonymous, township):
    leader = anonymous.login("staff1")
    admin = anonymous.login("admin")
    for by in MEASURES:
        ranking = leader.call("GET", f"/api/v1/associations/{TOWN}/ranking", params={"by": by})
        assert ranking.status_code == 200, ranking.text
        items = ranking.json()["items"]
        assert {i["code"] for i in items} == {EAST, WEST}
        assert [i[by] for i in items] == sorted((i[by] for i in items), reverse=True)
        for item in items:
            sums = sums_from_the_apis(admin, item["code"])
            assert {m: item[m] for m in sums} == sums
    east = next(i for i in leader.call("GET", f"/api/v1/associations/{TOWN}/ranking",
                                       params={"by": "members"}).json()["items"])
    assert (east["code"], east["rank"], east["members"]) == (EAST, 1, 2)


def test_the_dashboard_is_for_the_leadership_and_known_associations(anonymous, township):
    assert_problem(anonymous.login("donor1").call(
        "GET", f"/api/v1/associations/{TOWN}/dashboard"), 403)
    assert_problem(anonymous.login("volunteer1").call(
        "GET", f"/api/v1/associations/{TOWN}/ranking"), 403)
    staff = anonymous.login("staff1")
    for code in ("341181198", "abc", "3411811090019"):
        assert_problem(staff.call("GET", f"/api/v1/associations/{code}/dashboard"), 404,
                       "association_not_found")
    assert_problem(staff.call("GET", f"/api/v1/associations/{TOWN}/ranking",
                              params={"by": "wealth"}), 422)
