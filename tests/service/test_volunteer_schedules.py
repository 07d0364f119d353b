"""Service tests of a volunteer's calendar, a campaign day's shifts made at once, and the
service records the national volunteer system imports: the real VolunteersService in a
nameko container on a vhost of its own, over SQLite and PostgreSQL in turn, by RPC and by
the events the families service would publish."""
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from nameko.testing.services import entrypoint_waiter

from shared.actors import sign, system_actor
from shared.clock import LOCAL
from shared.contracts.events import build_envelope
from shared.errors import Forbidden, InvalidInput
from shared.identity import make_resident_id
from tests.support import publish_raw
from tests.volunteer_data import COORDINATOR, as_volunteer, shift, volunteer

EXPORTER = system_actor("ops-export")
YEAR = {"from": "2027-01-01T00:00:00+08:00", "to": "2028-01-01T00:00:00+08:00"}


def open_visit(config, container, family_id: int, due_on: str) -> None:
    envelope = build_envelope("families.visit_due", {
        "association_code": "341181", "family_id": family_id, "family_no": f"F-{family_id}",
        "family_name": "孙七", "address": "天长市铜城镇龙岗村8号", "skills": ["social_work"],
        "due_on": due_on}, "care-correlation")
    with entrypoint_waiter(container, "on_visit_due", timeout=10):
        publish_raw(config["AMQP_URI"], "families.events", "visit_due",
                    json.dumps(envelope).encode())


def visit_of(rpc, family_id: int) -> dict:
    return next(v for v in rpc.list_visits({"limit": 500}, COORDINATOR)["items"]
                if v["family_id"] == family_id)


def test_a_campaign_day_is_made_whole_or_not_at_all(volunteers):
    rpc = volunteers.rpc
    activity = rpc.create_activity({"title": "5·29 会员日"}, COORDINATOR)["id"]
    places = ["人民广场", "秦栏镇卫生院", "铜城镇政府"]
    items = [{**shift(activity), "place": place} for place in places]
    for item in items:
        del item["activity_id"]
    bad = [*items[:2], {**items[2], "ends_at": "2027-05-29T08:00:00+08:00"}]
    with pytest.raises(InvalidInput) as refused:
        rpc.create_shifts({"activity_id": activity, "shifts": bad}, COORDINATOR)
    assert list(refused.value.fields) == ["shifts.2.ends_at"]
    with pytest.raises(InvalidInput) as refused:
        rpc.create_shifts({"activity_id": 999_999, "shifts": items}, COORDINATOR)
    assert refused.value.code == "unknown_activity"
    assert rpc.list_shifts({}, COORDINATOR)["total"] == 0

    made = rpc.create_shifts({"activity_id": activity, "shifts": items}, COORDINATOR)
    assert made["total"] == 3
    assert [(s["place"], s["title"], s["starts_at"]) for s in made["items"]] == [
        (place, "5·29 会员日", "2027-05-29T09:00:00+08:00") for place in places]
    assert rpc.list_shifts({}, COORDINATOR)["total"] == 3
    with pytest.raises(Forbidden):
        rpc.create_shifts({"activity_id": activity, "shifts": items}, as_volunteer(1))


def test_a_calendar_holds_the_volunteers_places_and_visits_in_the_window(volunteers):
    rpc = volunteers.rpc
    config = volunteers.config
    container = volunteers.container
    me = rpc.register(volunteer(41, skills=["general", "social_work"]), COORDINATOR)["id"]
    other = rpc.register(volunteer(42), COORDINATOR)["id"]
    activity = rpc.create_activity({"title": "义诊"}, COORDINATOR)["id"]
    held = rpc.create_shift({**shift(activity), "place": "社区服务中心"}, COORDINATOR)["id"]
    full = rpc.create_shift(shift(activity, 1, day="2027-07-11"), COORDINATOR)["id"]
    dropped = rpc.create_shift(shift(activity, day="2027-08-01"), COORDINATOR)["id"]
    later = rpc.create_shift(shift(activity, day="2028-03-01"), COORDINATOR)["id"]
    rpc.sign_up(full, {"volunteer_id": other}, COORDINATOR)
    for shift_id in (held, full, dropped, later):
        rpc.sign_up(shift_id, {"volunteer_id": me}, COORDINATOR)
    rpc.cancel_signup(dropped, me, COORDINATOR)
    open_visit(config, container, 31, "2027-06-01")
    visit = visit_of(rpc, 31)
    rpc.assign(visit["id"], {"volunteer_ids": [me]}, COORDINATOR)

    agenda = rpc.calendar(me, YEAR, as_volunteer(me))
    assert agenda["name"] == "志愿者41"
    assert [(s["id"], s["status"], s["place"]) for s in agenda["shifts"]] == [
        (held, "confirmed", "社区服务中心"), (full, "waitlisted", None)]
    [on_visit] = agenda["visits"]
    assert (on_visit["id"], on_visit["family_name"], on_visit["address"]) == (
        visit["id"], "孙七", "天长市铜城镇龙岗村8号")
    assert on_visit["starts_at"] == "2027-06-01T09:00:00+08:00"
    assert on_visit["volunteers"] == [{"id": me, "name": "志愿者41"}]
    assert rpc.calendar(other, YEAR, as_volunteer(other))["visits"] == []

    with pytest.raises(Forbidden):
        rpc.calendar(me, YEAR, as_volunteer(other))
    with pytest.raises(InvalidInput) as refused:
        rpc.calendar(me, {"from": YEAR["to"], "to": YEAR["from"]}, as_volunteer(me))
    assert list(refused.value.fields) == ["to"]
    with pytest.raises(InvalidInput):
        rpc.calendar(me, {"from": "2027-01-01T00:00:00Z", "to": "2029-01-01T00:00:00Z"},
                     as_volunteer(me))


def test_visits_and_proposals_name_their_volunteers(volunteers):
    rpc = volunteers.rpc
    config = volunteers.config
    container = volunteers.container
    helper = rpc.register(volunteer(43, skills=["social_work"]), COORDINATOR)["id"]
    open_visit(config, container, 32, "2027-06-02")
    visit = visit_of(rpc, 32)
    proposed = rpc.propose(visit["id"], COORDINATOR)
    assert {"id": helper, "name": "志愿者43"} in proposed["volunteers"]
    assert [p["id"] for p in proposed["volunteers"]] == proposed["volunteer_ids"]
    assigned = rpc.assign(visit["id"], {"volunteer_ids": [helper]}, COORDINATOR)
    assert assigned["volunteers"] == [{"id": helper, "name": "志愿者43"}]
    assert visit_of(rpc, 32)["volunteers"] == [{"id": helper, "name": "志愿者43"}]


def test_service_records_carry_who_served_in_full_what_when_and_how_long(volunteers):
    rpc = volunteers.rpc
    config = volunteers.config
    container = volunteers.container
    me = rpc.register(volunteer(44, skills=["general", "social_work"]), COORDINATOR)["id"]
    activity = rpc.create_activity({"title": "7·11 宣传"}, COORDINATOR)["id"]
    start = datetime.now(UTC) - timedelta(seconds=5)
    now_on = rpc.create_shift({
        "activity_id": activity, "capacity": 2, "required_skills": ["general"],
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()},
        COORDINATOR)["id"]
    rpc.sign_up(now_on, {"volunteer_id": me}, COORDINATOR)
    rpc.check_in(now_on, {"volunteer_id": me}, COORDINATOR)
    rpc.check_out(now_on, {"volunteer_id": me}, COORDINATOR)
    open_visit(config, container, 33, "2027-06-03")
    visit = visit_of(rpc, 33)
    rpc.assign(visit["id"], {"volunteer_ids": [me]}, COORDINATOR)
    rpc.complete(visit["id"], {"minutes": 90, "notes": ""}, COORDINATOR)

    today = datetime.now(LOCAL).date().isoformat()
    found = rpc.hours_records({"from": today, "to": today}, EXPORTER)
    mine = [r for r in found["items"] if r["volunteer_id"] == me]
    assert found["total"] == len(found["items"]) == 2
    assert [(r["source"], r["project"], r["minutes"]) for r in mine] == [
        ("shift", "7·11 宣传", 1), ("visit", None, 90)]
    assert {r["id_number"] for r in mine} == {make_resident_id("341181", date(1980, 1, 1), 44)}
    assert {r["phone"] for r in mine} == {"13900000044"}
    assert (mine[1]["starts_at"], mine[1]["ends_at"]) == (
        "2027-06-03T09:00:00+08:00", "2027-06-03T10:30:00+08:00")
    shift_start = datetime.fromisoformat(mine[0]["starts_at"])
    assert start <= shift_start <= datetime.now(UTC)
    assert datetime.fromisoformat(mine[0]["ends_at"]) - shift_start == timedelta(minutes=1)
    page = rpc.hours_records({"from": today, "to": today, "limit": 1, "offset": 1}, EXPORTER)
    assert (page["total"], page["items"]) == (2, found["items"][1:])
    assert rpc.hours_records({"from": "2020-01-01", "to": "2020-12-31"},
                             EXPORTER)["items"] == []

    for reader in (COORDINATOR, sign({"username": "admin", "role": "admin"})):
        with pytest.raises(Forbidden):
            rpc.hours_records({"from": today, "to": today}, reader)
    with pytest.raises(InvalidInput) as refused:
        rpc.hours_records({"from": today, "to": "2020-01-01"}, EXPORTER)
    assert list(refused.value.fields) == ["to"]
