"""Volunteers over HTTP and real events: a special-family claim opens one care visit even
when its event arrives twice; the visit is matched, assigned, completed, and the hours show."""
import json
import random
import re
import time
from datetime import UTC, date, datetime, timedelta

import requests

from shared.identity import make_resident_id
from tests.insurance_data import TODAY
from tests.support import EventTap, assert_problem, publish_raw, wait_until
from tests.volunteer_data import shift, volunteer

SKILLED = {"code": "psychological_counselling", "certificate_no": "PC-1",
           "expires_on": "2099-01-01"}


def wait_for(fetch, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = fetch()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("nothing arrived")


def handled(system, label: str, entrypoint: str) -> float:
    """How many events a process has finished handling at `entrypoint` (its metrics)."""
    text = requests.get(f"http://127.0.0.1:{system.metrics_ports[label]}/metrics",
                        timeout=5).text
    pattern = r'phf_worker_total\{entrypoint="' + entrypoint + r'",outcome="ok",[^}]*\} ([0-9.]+)'
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


def approve_special_family_claim(staff1, staff2):
    # Someone not insured before: the system may be shared with other modules' policies.
    born = date(1950, 1, 1) + timedelta(days=random.randint(0, 7000))
    policy = staff1.call("POST", "/api/v1/insurance/policies", {
        "product_code": "SPECIAL_FAMILY_COMPREHENSIVE", "family_category": "special_family",
        "insured": {"name": "刘桂兰",
                    "id_number": make_resident_id("341181", born, random.randint(1, 999))},
        "start_date": (TODAY - timedelta(days=100)).isoformat()})
    assert policy.status_code == 201, policy.text
    policy = policy.json()
    claim = staff1.call("POST", "/api/v1/insurance/claims", {
        "policy_no": policy["policy_no"], "amount_claimed_fen": 100_000, "description": "住院",
        "incident_date": (TODAY - timedelta(days=10)).isoformat()}).json()
    approved = staff2.call("POST", f"/api/v1/insurance/claims/{claim['id']}/approve",
                           {"amount_approved_fen": 100_000})
    assert approved.status_code == 200, approved.text
    return claim


def test_a_special_family_claim_opens_one_visit_that_ends_in_hours(running_system, anonymous):
    coordinator, staff1, staff2 = (anonymous.login(u) for u in
                                   ("coordinator1", "staff1", "staff2"))
    counsellor = coordinator.call("POST", "/api/v1/volunteers", volunteer(
        901, skills=[SKILLED, "social_work"])).json()
    uri = running_system.env["AMQP_URI"]
    before = handled(running_system, "volunteers-1", "on_claim_approved")
    tap = EventTap(uri, "insurance.events", "claim_approved")
    try:
        claim = approve_special_family_claim(staff1, staff2)
        [event] = tap.take(1)
    finally:
        tap.close()
    for _ in range(2):  # the same event delivered again, twice
        publish_raw(uri, "insurance.events", "claim_approved", json.dumps(event["body"]).encode())

    def mine():
        items = coordinator.call("GET", "/api/v1/visits", params={"limit": 500}).json()["items"]
        return [v for v in items if claim["claim_no"] in v["reason"]]

    # The original and both copies have been handled (not merely the first of them).
    wait_until(lambda: handled(running_system, "volunteers-1", "on_claim_approved")
               >= before + 3, timeout=30)
    [visit] = mine()
    assert set(visit["required_skills"]) == {"psychological_counselling", "social_work"}
    proposed = coordinator.call("GET", f"/api/v1/visits/{visit['id']}/proposals").json()
    assert counsellor["id"] in proposed["volunteer_ids"]
    assigned = coordinator.call("POST", f"/api/v1/visits/{visit['id']}/assign",
                                {"volunteer_ids": [counsellor["id"]]})
    assert assigned.json()["status"] == "assigned", assigned.text
    done = coordinator.call("POST", f"/api/v1/visits/{visit['id']}/complete",
                            {"minutes": 90, "notes": "情绪稳定 calm"}).json()
    assert (done["status"], done["notes"]) == ("completed", "情绪稳定 calm")
    record = coordinator.call("GET", f"/api/v1/volunteers/{counsellor['id']}").json()
    assert (record["minutes_total"], record["hours_total"]) == (90, 1.5)


def test_sign_up_rules_over_http(anonymous):
    coordinator = anonymous.login("coordinator1")
    me = anonymous.login("volunteer1")
    my_id = me.call("GET", "/api/v1/me").json()["volunteer_id"]
    other = coordinator.call("POST", "/api/v1/volunteers", volunteer(902)).json()
    activity = coordinator.call("POST", "/api/v1/activities", {"title": "入户宣传"}).json()
    morning = coordinator.call("POST", "/api/v1/shifts", shift(activity["id"], 1)).json()
    overlapping = coordinator.call("POST", "/api/v1/shifts", shift(
        activity["id"], 5, start="11:00", end="13:00")).json()
    legal = coordinator.call("POST", "/api/v1/shifts", shift(
        activity["id"], 5, day="2027-06-01", skills=["legal_aid"])).json()

    assert morning["starts_at"] == "2027-05-29T09:00:00+08:00"  # the time given is the time kept
    signed = me.call("POST", f"/api/v1/shifts/{morning['id']}/signups", {"volunteer_id": my_id})
    assert (signed.status_code, signed.json()["status"]) == (201, "confirmed")
    clash = me.call("POST", f"/api/v1/shifts/{overlapping['id']}/signups",
                    {"volunteer_id": my_id})
    assert (clash.status_code, clash.json()["code"]) == (409, "overlap")
    unskilled = me.call("POST", f"/api/v1/shifts/{legal['id']}/signups",
                        {"volunteer_id": my_id})
    assert (unskilled.status_code, unskilled.json()["code"]) == (409, "missing_skill")
    queued = coordinator.call("POST", f"/api/v1/shifts/{morning['id']}/signups",
                              {"volunteer_id": other["id"]})
    assert queued.json()["status"] == "waitlisted"
    for_someone_else = me.call("POST", f"/api/v1/shifts/{legal['id']}/signups",
                               {"volunteer_id": other["id"]})
    assert for_someone_else.status_code == 403
    assert me.call("GET", f"/api/v1/volunteers/{other['id']}").status_code == 403
    me.call("DELETE", f"/api/v1/shifts/{morning['id']}/signups/{my_id}")
    after = coordinator.call("GET", f"/api/v1/shifts/{morning['id']}").json()
    assert [c["volunteer_id"] for c in after["confirmed"]] == [other["id"]]


def test_hours_come_from_check_in_and_out_within_the_shifts_window(anonymous):
    coordinator = anonymous.login("coordinator1")
    person = coordinator.call("POST", "/api/v1/volunteers", volunteer(903)).json()
    activity = coordinator.call("POST", "/api/v1/activities", {"title": "义诊"}).json()
    me = {"volunteer_id": person["id"]}
    later = coordinator.call("POST", "/api/v1/shifts", shift(activity["id"], 2,
                                                             day="2030-07-11")).json()
    coordinator.call("POST", f"/api/v1/shifts/{later['id']}/signups", me)
    assert_problem(coordinator.call("POST", f"/api/v1/shifts/{later['id']}/checkin", me),
                   409, "check_in_not_open")
    # A shift that began a moment ago and runs for two hours.
    start = datetime.now(UTC) - timedelta(seconds=5)
    made = coordinator.call("POST", "/api/v1/shifts", {
        "activity_id": activity["id"], "capacity": 2, "required_skills": ["general"],
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
        "place": "社区服务中心"}).json()
    coordinator.call("POST", f"/api/v1/shifts/{made['id']}/signups", me)
    early = coordinator.call("POST", f"/api/v1/shifts/{made['id']}/checkout", me)
    assert early.status_code == 409
    assert coordinator.call("POST", f"/api/v1/shifts/{made['id']}/checkin", me).status_code == 200
    assert coordinator.call("POST", f"/api/v1/shifts/{made['id']}/checkout",
                            me).status_code == 200
    record = coordinator.call("GET", f"/api/v1/volunteers/{person['id']}").json()
    assert record["minutes_total"] == 1  # served under a minute: counted as one
    ranking = coordinator.call("GET", "/api/v1/volunteers/ranking").json()["items"]
    assert person["id"] in [r["volunteer_id"] for r in ranking]
    again = coordinator.call("POST", "/api/v1/volunteers", volunteer(903))
    assert (again.status_code, again.json()["code"]) == (409, "already_registered")


def test_a_coordinator_corrects_hours_over_http_and_the_volunteers_figures_follow(anonymous):
    coordinator = anonymous.login("coordinator1")
    person = coordinator.call("POST", "/api/v1/volunteers", volunteer(941)).json()
    activity = coordinator.call("POST", "/api/v1/activities", {"title": "健康讲座"}).json()
    start = datetime.now(UTC) - timedelta(days=1)  # a shift that is over, three hours long
    over = coordinator.call("POST", "/api/v1/shifts", {
        "activity_id": activity["id"], "capacity": 5, "required_skills": ["general"],
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()})
    assert over.status_code == 201, over.text
    shift_id = over.json()["id"]
    signed = coordinator.call("POST", f"/api/v1/shifts/{shift_id}/signups",
                              {"volunteer_id": person["id"]})
    assert signed.status_code == 201, signed.text
    before = coordinator.call("GET", f"/api/v1/volunteers/{person['id']}").json()
    hours = f"/api/v1/shifts/{shift_id}/signups/{person['id']}/hours"

    for bad, field in (({"minutes": 60, "reason": " "}, "reason"),
                       ({"minutes": 181, "reason": "核实"}, "minutes")):
        refused = assert_problem(coordinator.call("POST", hours, bad), 422)
        assert field in refused["errors"], refused
    assert anonymous.call("POST", hours, {"minutes": 60, "reason": "x"}).status_code == 401
    corrected = coordinator.call("POST", hours, {"minutes": 150, "reason": "忘记签到，现场确认"})
    assert corrected.status_code == 200, corrected.text
    body = corrected.json()
    assert (body["status"], body["minutes"], body["name"]) == ("confirmed", 150, person["name"])
    assert [(c["old_minutes"], c["new_minutes"], c["reason"]) for c in body["corrections"]] == \
        [(0, 150, "忘记签到，现场确认")]
    seen = coordinator.call("GET", f"/api/v1/shifts/{shift_id}/signups/{person['id']}").json()
    assert seen["corrections"] == body["corrections"]
    listed = coordinator.call("GET", f"/api/v1/shifts/{shift_id}/signups").json()
    assert [s["volunteer_id"] for s in listed["items"]] == [person["id"]]

    after = coordinator.call("GET", f"/api/v1/volunteers/{person['id']}").json()
    assert after["minutes_total"] - before["minutes_total"] == 150
    assert after["hours_total"] == round(after["minutes_total"] / 60, 2)
    assert (after["shifts_attended"], after["no_shows"], after["reliability"]) == (1, 0, 1.0)
    assert_problem(coordinator.call("POST", f"/api/v1/shifts/{shift_id}/signups/999999/hours",
                                    {"minutes": 1, "reason": "核实"}), 404, "not_signed_up")


def test_a_coordinator_moves_and_calls_off_a_shift_over_http(anonymous):
    coordinator = anonymous.login("coordinator1")
    me = anonymous.login("volunteer1")
    booked = coordinator.call("POST", "/api/v1/volunteers", volunteer(904)).json()
    activity = coordinator.call("POST", "/api/v1/activities", {"title": "义诊"}).json()
    made = coordinator.call("POST", "/api/v1/shifts", shift(activity["id"], 5,
                                                            day="2027-07-11")).json()
    coordinator.call("POST", f"/api/v1/shifts/{made['id']}/signups",
                     {"volunteer_id": booked["id"]})

    moved = coordinator.call("PATCH", f"/api/v1/shifts/{made['id']}", {"place": "村卫生室"})
    assert (moved.status_code, moved.json()["place"]) == (200, "村卫生室")
    early = coordinator.call("PATCH", f"/api/v1/shifts/{made['id']}",
                             {"ends_at": "2027-07-11T08:00:00+08:00"})
    assert set(assert_problem(early, 422)["errors"]) == {"ends_at"}
    assert me.call("PATCH", f"/api/v1/shifts/{made['id']}", {"place": "x"}).status_code == 403
    off = coordinator.call("POST", f"/api/v1/shifts/{made['id']}/cancel", {"reason": "暴雨"})
    assert (off.status_code, off.json()["status"], off.json()["confirmed"]) == \
        (200, "cancelled", [])
    assert_problem(coordinator.call("POST", f"/api/v1/shifts/{made['id']}/signups",
                                    {"volunteer_id": booked["id"]}), 409, "shift_cancelled")
