"""Service tests of help records (精准帮扶): the real FamiliesService and VolunteersService in
one nameko runner on a vhost of their own, each over a freshly migrated database (SQLite and
PostgreSQL in turn). Tests talk to them only by RPC (the families service asks the volunteers
service a volunteer's name as it would in production), listen on the families' event exchange
as any consumer would, and read the database only to show that the note is sealed."""
from datetime import date, timedelta

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.utils import get_container, get_extension
from sqlalchemy import text

from services.families.service import FamiliesService
from services.volunteers.service import VolunteersService
from shared.actors import sign
from shared.clock import local_date, now_utc
from shared.db import Database
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.family_data import family, resident
from tests.service.conftest import config_for
from tests.support import ADMIN, STAFF1, EventTap
from tests.volunteer_data import volunteer

COORDINATOR = sign({"username": "coordinator1", "role": "coordinator"})
AUDITOR = sign({"username": "auditor1", "role": "auditor"})
DONOR = sign({"username": "donor1", "role": "donor", "donor_id": 1})
VOLUNTEER = sign({"username": "volunteer1", "role": "volunteer", "volunteer_id": 1})
ELSEWHERE = sign({"username": "staff9", "role": "staff", "association_code": "341182"})
TOWNSHIP = "341181100"
UNDER = "341181100201"  # a village of TOWNSHIP
APART = "341181200301"  # a village of another township


class Running:
    def __init__(self, rpc, config, runner):
        self.families = rpc.families
        self.volunteers = rpc.volunteers
        self.config = config
        self.runner = runner

    def family(self, n: int, village: str = UNDER) -> int:
        return self.families.register_family(family(n, village=village), STAFF1)["id"]

    def member(self, n: int, name: str = "会员甲") -> int:
        return self.families.add_member({"name": name, "id_number": resident(n),
                                         "phone": f"1390551{n:04d}",
                                         "grassroots_code": "341181"}, STAFF1)["id"]

    def help(self, family_id: int, actor=STAFF1, **body) -> dict:
        return self.families.record_help(family_id, {**BODY, **body}, actor)

    def listed(self, family_id: int, actor=STAFF1) -> dict:
        return self.families.list_help(family_id, {}, actor)


TODAY = local_date(now_utc())
BODY = {"kind": "living", "on": TODAY.isoformat(), "minutes": 60, "note": "送米送油"}


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def running(database_url, runner_factory, rabbit_config):
    config = config_for(rabbit_config, database_url, "families", "volunteers")
    runner = runner_factory(config, FamiliesService, VolunteersService)
    runner.start()
    with ClusterRpcProxy(config, context_data={"correlation_id": "test-correlation"}) as rpc:
        yield Running(rpc, config, runner)


# 1. Who helped

def test_help_is_recorded_as_given_by_a_member_a_volunteer_or_staff(running):
    family_id = running.family(801)
    member_id = running.member(802, "王会员")
    volunteer_id = running.volunteers.register(volunteer(803), COORDINATOR)["id"]

    by_member = running.help(family_id, kind="psychological", on=day(-3),
                             by_member_id=member_id, outcome="情绪好转")
    by_volunteer = running.help(family_id, COORDINATOR, kind="companionship", on=day(-2),
                                by_volunteer_id=volunteer_id, minutes=120)
    by_staff = running.help(family_id, kind="legal", on=day(-1), minutes=0)

    assert (by_member["helper_kind"], by_member["helper_name"], by_member["member_id"]) == \
        ("member", "王会员", member_id)
    assert (by_volunteer["helper_kind"], by_volunteer["helper_name"],
            by_volunteer["volunteer_id"]) == ("volunteer", "志愿者803", volunteer_id)
    assert (by_staff["helper_kind"], by_staff["helper_name"]) == ("staff", "staff1")
    assert by_member["outcome"] == "情绪好转" and by_member["note"] == "送米送油"
    assert by_volunteer["recorded_by"] == "coordinator1"
    assert by_staff["minutes"] == 0 and by_staff["outcome"] is None
    # Latest first, to every reader of the family.
    for reader in (STAFF1, COORDINATOR, AUDITOR):
        assert running.listed(family_id, reader) == \
            {"items": [by_staff, by_volunteer, by_member], "total": 3}
    # The note and the outcome are sealed at rest.
    container = get_container(running.runner, FamiliesService)
    with get_extension(container, Database).session_factory() as session:
        stored = session.execute(text("SELECT note, outcome FROM help_records")).all()
    assert len(stored) == 3
    assert not any("送米送油" in str(row) or "情绪好转" in str(row) for row in stored)


# 2. Bad input, by field, and nothing written

@pytest.mark.parametrize(("body", "fields"), [
    ({"kind": "money"}, {"kind"}),
    ({"minutes": -1}, {"minutes"}),
    ({"minutes": 1441}, {"minutes"}),
    ({"on": day(1)}, {"on"}),
    ({"on": day(-2), "follow_up_on": day(-3)}, {"follow_up_on"}),
    ({"by_member_id": 1, "by_volunteer_id": 1}, {"by_member_id", "by_volunteer_id"}),
    ({"by_member_id": 99_999}, {"by_member_id"}),
    ({"by_volunteer_id": 99_999}, {"by_volunteer_id"}),
    ({"note": " ", "extra": 1}, {"note", "extra"}),
])
def test_bad_input_is_refused_on_its_field_and_writes_nothing(running, body, fields):
    family_id = running.family(811)
    with pytest.raises(InvalidInput) as refused:
        running.help(family_id, **body)
    assert set(refused.value.fields) == fields
    assert running.listed(family_id)["total"] == 0
    assert running.families.timeline(family_id, {}, STAFF1)["total"] == 0


def test_a_member_or_volunteer_of_another_association_is_unknown(running):
    family_id = running.family(815)
    theirs = running.families.add_member({"name": "外县会员", "id_number": resident(816),
                                          "phone": "13905510816", "grassroots_code": "341182"},
                                         ELSEWHERE)["id"]
    with pytest.raises(InvalidInput) as refused:
        running.help(family_id, by_member_id=theirs)
    assert set(refused.value.fields) == {"by_member_id"}


# 3. Whose family, and who may

def test_a_family_of_another_association_or_none_is_not_found(running):
    family_id = running.family(821)
    with pytest.raises(NotFound):
        running.help(family_id, ELSEWHERE)
    with pytest.raises(NotFound):
        running.listed(family_id, ELSEWHERE)
    with pytest.raises(NotFound):
        running.help(999_999)
    with pytest.raises(NotFound):
        running.listed(999_999)
    assert running.listed(family_id)["total"] == 0


def test_donors_volunteers_and_auditors_record_no_help(running):
    family_id = running.family(822)
    for outsider in (DONOR, VOLUNTEER, AUDITOR):
        with pytest.raises(Forbidden):
            running.help(family_id, outsider)
    for outsider in (DONOR, VOLUNTEER):
        with pytest.raises(Forbidden):
            running.listed(family_id, outsider)
        with pytest.raises(Forbidden):
            running.families.overdue_follow_ups("341181", {}, outsider)
    assert running.help(family_id, ADMIN)["helper_name"] == "admin"


# 4. Follow-ups

def test_a_later_record_meets_the_open_follow_up(running):
    family_id = running.family(831)
    other = running.family(832)
    first = running.help(family_id, on=day(-10), follow_up_on=day(-3))
    elsewhere = running.help(other, on=day(-10), follow_up_on=day(-3))
    second = running.help(family_id, on=day(-1), follow_up_on=day(20))

    listed = {r["id"]: r for r in running.listed(family_id)["items"]}
    assert listed[first["id"]]["followed_up_by"] == second["id"]
    assert listed[second["id"]]["followed_up_by"] is None  # its own is open
    assert running.listed(other)["items"][0]["followed_up_by"] is None
    assert elsewhere["followed_up_by"] is None


def test_help_recorded_late_for_an_earlier_day_meets_no_later_follow_up(running):
    family_id = running.family(833)
    asked = running.help(family_id, on=day(-5), follow_up_on=day(-1))
    running.help(family_id, on=day(-8))
    assert running.listed(family_id)["items"][0]["id"] == asked["id"]
    assert running.listed(family_id)["items"][0]["followed_up_by"] is None


def test_the_overdue_list_is_the_unmet_follow_ups_past_their_day_under_the_code(running):
    for code, parent in ((TOWNSHIP, "341181"), (UNDER, TOWNSHIP)):
        running.families.create_association({"code": code, "name": f"协会{code}",
                                             "parent_code": parent}, ADMIN)
    under = [running.family(841), running.family(842)]
    apart = running.family(843, APART)
    made = [  # (family, on, follow_up_on)
        (under[0], -30, -10), (under[0], -25, None),   # the first met by the second
        (under[1], -20, -2), (under[1], -12, None), (under[1], -1, 5),  # met; not yet due
        (apart, -9, -4),
        (under[1], -3, -3),  # meets none: the open one before it is of later help
    ]
    records = [running.help(f, on=day(on), follow_up_on=None if up is None else day(up),
                            kind="health") for f, on, up in made]
    everything = {r["id"]: r for f in (*under, apart)
                  for r in running.listed(f)["items"]}
    assert len(everything) == len(records)

    def expected(code):
        due = [r for r in everything.values() if r["follow_up_on"] is not None
               and r["follow_up_on"] < TODAY.isoformat() and r["followed_up_by"] is None
               and (UNDER if r["family_id"] in under else APART).startswith(code)]
        return [(r["id"], r["family_id"], r["on"], r["follow_up_on"], r["helper_name"],
                 (TODAY - date.fromisoformat(r["follow_up_on"])).days)
                for r in sorted(due, key=lambda r: (r["follow_up_on"], r["id"]))]

    for code in ("341181", TOWNSHIP, UNDER):
        found = running.families.overdue_follow_ups(code, {}, COORDINATOR)
        assert [(o["help_id"], o["family_id"], o["helped_on"], o["follow_up_on"],
                 o["helper_name"], o["days_overdue"]) for o in found["items"]] == \
            expected(code)
        assert found["total"] == len(expected(code))
    county = running.families.overdue_follow_ups("341181", {}, AUDITOR)["items"]
    assert {o["kind"] for o in county} == {"health"}
    assert {o["family_no"] for o in county} >= {
        running.families.get_family(apart, STAFF1)["family_no"]}
    assert len(expected("341181")) == 2  # the case above as planned: one under, one apart
    paged = running.families.overdue_follow_ups("341181", {"limit": 1, "offset": 1}, STAFF1)
    assert paged["total"] == 2 and len(paged["items"]) == 1
    with pytest.raises(NotFound):
        running.families.overdue_follow_ups("341181999", {}, STAFF1)
    assert running.families.overdue_follow_ups("341182", {}, ELSEWHERE)["total"] == 0


# 5. The family's timeline and the event

def test_help_shows_on_the_timeline_and_a_rebuild_keeps_it(running):
    family_id = running.family(851)
    made = running.help(family_id, kind="elderly_care", minutes=45)
    live = running.families.timeline(family_id, {}, STAFF1)
    assert [(t["kind"], t["summary"], t["ref"]) for t in live["items"]] == \
        [("help_recorded", "help given (elderly_care, 45 minutes)", f"help:{made['id']}")]
    assert running.families.rebuild_timeline(family_id, STAFF1) == {"entries": 1}
    assert running.families.timeline(family_id, {}, STAFF1) == live


def test_the_event_is_published_once_without_the_note_or_outcome(running):
    tap = EventTap(running.config["AMQP_URI"], "families.events", "help_recorded")
    try:
        family_id = running.family(861)
        made = running.help(family_id, kind="production", on=day(-1), minutes=30,
                            outcome="养殖技术已掌握", follow_up_on=day(30))
        events = tap.drain(settle=1.5)
    finally:
        tap.close()
    assert [e["body"]["event_type"] for e in events] == ["families.help_recorded"]
    assert events[0]["body"]["correlation_id"] == "test-correlation"
    assert events[0]["body"]["data"] == {
        "association_code": "341181", "family_id": family_id, "help_id": made["id"],
        "kind": "production", "on": day(-1), "minutes": 30, "helper_kind": "staff"}
