"""The family register over HTTP, on the running system with its demo data: staff register
and change families, coordinators and auditors find them by category and village, one
person stays in one family, bad input is a 422 by field, and donors are kept out."""
from datetime import timedelta
from pathlib import Path

from deploy import demo
from deploy.seed import seed
from shared.identity import mask_id_number
from tests.e2e.test_insurance_over_http import new_product, wait_for_status
from tests.family_data import family, member, resident
from tests.insurance_data import TODAY, claim
from tests.support import assert_problem, wait_until
from tests.volunteer_data import volunteer

# People of these tests: numbered apart from the demo's and each other's.
A = 601
B = 602
C = 603
D = 604
E = 605


def test_staff_register_a_family_and_every_answer_masks_its_people(anonymous):
    staff = anonymous.login("staff1")
    response = staff.call("POST", "/api/v1/families", family(A, B, C, category="two_daughters",
                                                             village="341181100009"))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["family_no"].startswith("F-341181-")
    assert [m["id_number"] for m in created["members"]] == \
        [mask_id_number(resident(n)) for n in (A, B, C)]

    coordinator = anonymous.login("coordinator1")
    auditor = anonymous.login("auditor1")
    for reader in (staff, coordinator, auditor):
        one = reader.call("GET", f"/api/v1/families/{created['id']}")
        assert one.status_code == 200, one.text
        assert one.json() == created
        found = reader.call("GET", "/api/v1/families", params={"village_code": "341181100009"})
        assert found.json() == {"items": [created], "total": 1}
        for text in (one.text, found.text):
            assert not any(resident(n) in text for n in (A, B, C))
            assert f"1390550{B:04d}" not in text


def test_the_demo_families_are_found_by_category_and_township(anonymous):
    coordinator = anonymous.login("coordinator1")

    def numbers(**query):
        answer = coordinator.call("GET", "/api/v1/families", params=query)
        assert answer.status_code == 200, answer.text
        return [f["family_no"] for f in answer.json()["items"]], answer.json()["total"]

    everyone, total = numbers(limit=500)
    assert total >= len(demo.FAMILIES)
    for category in ("only_child", "two_daughters", "special_bereaved", "special_disabled",
                     "other"):
        assert numbers(category=category)[1] >= 1
    qinlan, count = numbers(village_code=demo.QINLAN)
    assert count == 3  # the demo's families in that township's villages
    assert numbers(village_code=demo.QINLAN, category="special_bereaved")[1] == 1
    assert numbers(village_code=demo.QINLAN, limit=2) == (qinlan[:2], 3)
    assert numbers(village_code=demo.QINLAN, limit=2, offset=2) == (qinlan[2:], 3)


def test_seeding_again_adds_no_family(running_system, anonymous):
    coordinator = anonymous.login("coordinator1")
    before = coordinator.call("GET", "/api/v1/families", params={"limit": 500}).json()
    var = Path(running_system.env["PHF_VAR_DIR"])
    seed({"AMQP_URI": running_system.env["AMQP_URI"],
          "DATABASE_URLS": {"gateway": f"sqlite:///{var / 'gateway.db'}"}})
    assert coordinator.call("GET", "/api/v1/families", params={"limit": 500}).json() == before


def test_a_person_in_one_family_cannot_join_another(anonymous):
    staff = anonymous.login("staff1")
    first = staff.call("POST", "/api/v1/families", family(D)).json()

    refused = staff.call("POST", "/api/v1/families", family(D + 10, D))
    body = assert_problem(refused, 409, "already_in_family")
    assert first["family_no"] in body["detail"]
    assert body["errors"] == {"members.1.id_number": [f"Already in family {first['family_no']}."]}
    assert resident(D) not in refused.text

    other = staff.call("POST", "/api/v1/families", family(D + 10)).json()
    joined = staff.call("PATCH", f"/api/v1/families/{other['id']}",
                        {"members": [member(D + 10, "head"), member(D)]})
    assert_problem(joined, 409, "already_in_family")


def test_bad_input_is_a_422_naming_the_field(anonymous):
    staff = anonymous.login("staff1")
    bad = staff.call("POST", "/api/v1/families", {
        "category": "rich", "address": "", "village_code": "12",
        "members": [{"name": "王一", "id_number": "110105194912310021", "relation": "head",
                     "phone": "12345678901"}]})
    body = assert_problem(bad, 422, "invalid_input")
    assert set(body["errors"]) == {"category", "address", "village_code",
                                   "members.0.id_number", "members.0.phone"}

    twice = family(701, 702)
    twice["members"].append(member(702, "child"))
    body = assert_problem(staff.call("POST", "/api/v1/families", twice), 422, "invalid_members")
    assert set(body["errors"]) == {"members.2.id_number"}

    headless = {**family(703), "members": [member(703, "spouse")]}
    body = assert_problem(staff.call("POST", "/api/v1/families", headless), 422,
                          "invalid_members")
    assert set(body["errors"]) == {"members"}

    found = staff.call("GET", "/api/v1/families", params={"category": "rich", "limit": "x"})
    assert set(assert_problem(found, 422)["errors"]) == {"category", "limit"}
    assert staff.call("GET", "/api/v1/families", params={"village_code": "341181100999"}
                      ).json() == {"items": [], "total": 0}
    for after in ("x", "0", str(2**31 - 1)):  # not a number, not an id, no such family
        refused = staff.call("GET", "/api/v1/families", params={"after": after})
        assert set(assert_problem(refused, 422)["errors"]) == {"after"}, after


def test_a_list_is_paged_after_the_last_id_seen_as_by_offset(anonymous):
    staff = anonymous.login("staff1")
    by_offset: list[int] = []
    while not by_offset or len(by_offset) % 500 == 0:  # however many other modules made
        page = staff.call("GET", "/api/v1/families",
                          params={"limit": 500, "offset": len(by_offset)}).json()["items"]
        if not page:
            break
        by_offset += [f["id"] for f in page]
    seen, after = [], None
    while True:
        page = staff.call("GET", "/api/v1/families",
                          params={"limit": 500 if len(by_offset) > 600 else 3,
                                  **({"after": after} if after else {})}).json()
        if not page["items"]:
            break
        assert page["total"] == len(by_offset)
        seen += [f["id"] for f in page["items"]]
        after = seen[-1]
    assert seen == by_offset and len(seen) > 3


def test_an_empty_or_mistyped_body_is_refused_by_field_and_writes_nothing(anonymous):
    staff = anonymous.login("staff1")
    before = staff.call("GET", "/api/v1/families").json()["total"]
    empty = assert_problem(staff.call("POST", "/api/v1/families", {}), 422, "invalid_input")
    assert {"category", "address", "village_code", "members"} <= set(empty["errors"])
    typed = assert_problem(staff.call("POST", "/api/v1/families", {
        **family(704), "members": "王一", "village_code": 341181100001}), 422, "invalid_input")
    assert {"members", "village_code"} <= set(typed["errors"])
    assert staff.call("GET", "/api/v1/families").json()["total"] == before


def test_staff_change_a_family_and_other_methods_are_refused(anonymous):
    staff1 = anonymous.login("staff1")
    staff2 = anonymous.login("staff2")
    made = staff1.call("POST", "/api/v1/families", family(801, 802)).json()

    changed = staff2.call("PATCH", f"/api/v1/families/{made['id']}",
                          {"address": "天长市秦栏镇新址1号", "category": "special_disabled"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["address"] == "天长市秦栏镇新址1号"
    assert changed.json()["category"] == "special_disabled"
    assert changed.json()["members"] == made["members"]

    assert_problem(staff1.call("PATCH", f"/api/v1/families/{made['id']}",
                               {"members": []}), 422, "invalid_input")
    assert_problem(staff1.call("PATCH", "/api/v1/families/99999", {"address": "x"}), 404,
                   "family_not_found")
    assert_problem(staff1.call("PUT", f"/api/v1/families/{made['id']}", {}), 405)
    assert_problem(staff1.call("DELETE", f"/api/v1/families/{made['id']}"), 405)


def test_donors_volunteers_and_readers_are_kept_to_their_roles(anonymous):
    made = anonymous.login("staff1").call("POST", "/api/v1/families", family(901)).json()
    for username in ("donor1", "volunteer1"):
        outsider = anonymous.login(username)
        assert_problem(outsider.call("GET", "/api/v1/families"), 403, "role_not_allowed")
        assert_problem(outsider.call("GET", f"/api/v1/families/{made['id']}"), 403)
        assert_problem(outsider.call("POST", "/api/v1/families", family(902)), 403)
    for reader in ("coordinator1", "auditor1"):
        client = anonymous.login(reader)
        assert_problem(client.call("POST", "/api/v1/families", family(903)), 403)
        assert_problem(client.call("PATCH", f"/api/v1/families/{made['id']}",
                                   {"address": "x"}), 403)
    assert_problem(anonymous.call("GET", "/api/v1/families"), 401, "not_authenticated")


def test_a_special_familys_timeline_shows_its_policy_claim_payout_and_visits(anonymous):
    staff, staff2, admin, coordinator = (anonymous.login(u) for u in
                                         ("staff1", "staff2", "admin", "coordinator1"))
    registered = staff.call("POST", "/api/v1/families", family(
        E, category="special_bereaved", address="天长市秦栏镇东庄村3号"))
    assert registered.status_code == 201, registered.text
    family_id = registered.json()["id"]
    product, _ = new_product(admin, "PAYOUT", money=100_000)
    policy = staff.call("POST", "/api/v1/insurance/policies", {
        "product_code": product, "insured": {"name": f"成员{E}", "id_number": resident(E)},
        "family_id": family_id,
        "start_date": (TODAY - timedelta(days=100)).isoformat()})
    assert policy.status_code == 201, policy.text
    assert policy.json()["family_id"] == family_id
    submitted = staff.call("POST", "/api/v1/insurance/claims",
                           claim(policy.json()["policy_no"], 12_000)).json()
    staff2.call("POST", f"/api/v1/insurance/claims/{submitted['id']}/approve",
                {"amount_approved_fen": 12_000})
    wait_for_status(staff, submitted["id"], "paid")

    helper = coordinator.call("POST", "/api/v1/volunteers", volunteer(
        E, skills=["social_work"])).json()
    # Every 5 days from today: today's visit and the one 5 days on fall within the 7 lead
    # days, so both are asked for now, each on its own day.
    plan = staff.call("POST", f"/api/v1/families/{family_id}/care-plan", {
        "every_days": 5, "skills": ["social_work"], "starts_on": TODAY.isoformat()})
    assert plan.status_code == 200, plan.text
    assert plan.json()["next_due_on"] == (TODAY + timedelta(days=10)).isoformat()
    def visits_of_family():
        return sorted((v for v in coordinator.call("GET", "/api/v1/visits", params={
            "limit": 500}).json()["items"] if v["family_id"] == family_id),
            key=lambda v: v["starts_at"])

    wait_until(lambda: len(visits_of_family()) >= 2, timeout=30)
    visits = visits_of_family()
    assert len(visits) == 2, visits
    # Today's visit goes to tomorrow morning: never today, to leave time to assign it.
    assert [v["starts_at"][:10] for v in visits] == [
        (TODAY + timedelta(days=n)).isoformat() for n in (1, 5)]
    for visit in visits:
        assert (visit["family_name"], visit["address"]) == (f"成员{E}", "天长市秦栏镇东庄村3号")
        assigned = coordinator.call("POST", f"/api/v1/visits/{visit['id']}/assign",
                                    {"volunteer_ids": [helper["id"]]})
        assert assigned.status_code == 200, assigned.text
        done = coordinator.call("POST", f"/api/v1/visits/{visit['id']}/complete",
                                {"minutes": 60, "notes": "平安"})
        assert done.status_code == 200, done.text

    def timeline():
        answer = coordinator.call("GET", f"/api/v1/families/{family_id}/timeline")
        assert answer.status_code == 200, answer.text
        items = answer.json()["items"]
        return items if [i["kind"] for i in items].count("visit_completed") == 2 else None

    items = wait_until(timeline, timeout=30)
    assert [i["kind"] for i in items] == [
        "policy_enrolled", "claim_submitted", "claim_approved", "claim_paid",
        "visit_requested", "visit_requested", "visit_completed", "visit_completed"]
    assert items[3]["summary"] == f"claim {submitted['claim_no']} paid ¥120.00"
    assert sorted(i["ref"] for i in items[4:6]) == sorted(f"visit:{v['id']}" for v in visits)
    assert [i["ref"] for i in items[6:]] == [f"visit:{v['id']}" for v in visits]
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    assert anonymous.login("donor1").call(
        "GET", f"/api/v1/families/{family_id}/timeline").status_code == 403


def test_the_demo_special_familys_timeline_shows_its_policy_and_claim(anonymous):
    coordinator = anonymous.login("coordinator1")
    [bereaved] = coordinator.call("GET", "/api/v1/families", params={
        "category": "special_bereaved", "village_code": demo.QINLAN}).json()["items"]

    def kinds():
        answer = coordinator.call("GET", f"/api/v1/families/{bereaved['id']}/timeline")
        found = [i["kind"] for i in answer.json()["items"]]
        return found if "claim_approved" in found else None

    found = wait_until(kinds, timeout=30)
    insurance = [kind for kind in found if kind.startswith(("policy_", "claim_"))]
    assert insurance[:3] == ["policy_enrolled", "claim_submitted", "claim_approved"]
    assert "help_recorded" in found  # the demo's help, on the day it was given
