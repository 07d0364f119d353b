"""The yearly assessment of grassroots associations (先进基层协会评估) on the real families,
fund and volunteers services together (SQLite and PostgreSQL in turn), talking only by RPC:
the county's criteria (admins only, refused by field), manual scores, and each computed item
of three townships equal to what this test counts of the records it made itself, with their
totals, ranks and grades.

Everything is dated in last year, so the test reads the same on any day (a shift over, a
donation moved into that year); this year's and the year before's records show it counts
only the year asked for."""
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from nameko.exceptions import MethodNotFound
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.utils import get_container, get_extension

from services.families.models import HelpRecord, MemberContact
from services.families.service import FamiliesService
from services.fund import donations, ledger
from services.fund.service import FundService
from services.volunteers.service import VolunteersService
from shared.clock import local_today
from shared.db import Database
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.family_data import family, resident
from tests.service.conftest import config_for
from tests.service.test_families import AUDITOR, COORDINATOR, DONOR, ELSEWHERE
from tests.support import ADMIN, STAFF1
from tests.volunteer_data import shift, volunteer

COUNTY = "341181"
A, B, C = "341181100", "341181101", "341181102"
A_VILLAGE, B_VILLAGE = "341181100001", "341181101001"
YEAR = local_today().year - 1
BEFORE = YEAR - 1


@dataclass
class Assessing:
    families: object
    fund: object
    volunteers: object
    runner: object

    def session(self, service):
        container = get_container(self.runner, service)
        return get_extension(container, Database).session_factory(expire_on_commit=True)


@pytest.fixture
def system(database_url, runner_factory, rabbit_config):
    config = config_for(rabbit_config, database_url, "families", "fund", "volunteers")
    runner = runner_factory(config, FamiliesService, FundService, VolunteersService)
    runner.start()
    with ClusterRpcProxy(config) as rpc:
        yield Assessing(rpc.families, rpc.fund, rpc.volunteers, runner)


def item(key, weight, source, name=None) -> dict:
    return {"key": key, "name": name or f"指标{key}", "weight": weight, "source": source}


CRITERIA = [item("members", 10, "members_per_100_households"),
            item("contacts", 15, "contact_coverage_pct"),
            item("help", 15, "help_records_per_family"),
            item("hours", 15, "volunteer_hours"), item("days", 10, "member_days_held"),
            item("money", 15, "money_raised_fen"), item("work", 20, "manual")]


def set_up_associations(families) -> None:
    for code, name, parent in ((A, "铜城镇计生协会", COUNTY), (B, "秦栏镇计生协会", COUNTY),
                               (C, "汊涧镇计生协会", COUNTY), (A_VILLAGE, "龙岗村计生协会", A),
                               (B_VILLAGE, "胡桥村计生协会", B)):
        families.create_association({"code": code, "name": name, "parent_code": parent}, ADMIN)


def criteria(families, items=CRITERIA, year=YEAR, code=COUNTY, actor=ADMIN):
    return families.set_assessment_criteria(code, {"year": year, "items": items}, actor)


# --- criteria --------------------------------------------------------------------------------
def test_an_admin_sets_the_years_criteria_and_setting_them_again_replaces_them(system):
    families = system.families
    set_criteria = criteria(families)
    assert (set_criteria["code"], set_criteria["year"]) == (COUNTY, YEAR)
    assert set_criteria["items"] == CRITERIA
    again = criteria(families, [item("work", 100, "manual", "工作实绩")])
    assert again["items"] == [item("work", 100, "manual", "工作实绩")]
    read = families.assessment(COUNTY, YEAR, AUDITOR)
    assert read["criteria"] == again["items"]
    assert read["associations"] == []  # nothing set up under the county yet
    assert read["shares"]["n"] == 0


@pytest.mark.parametrize("actor", [STAFF1, COORDINATOR, DONOR, AUDITOR])
def test_only_admins_set_criteria(system, actor):
    with pytest.raises(Forbidden):
        criteria(system.families, actor=actor)


@pytest.mark.parametrize("code", [A, "341182", "341181999", "abc"])
def test_criteria_are_set_at_the_countys_own_code_only(system, code):
    set_up_associations(system.families)
    with pytest.raises(NotFound) as refused:
        criteria(system.families, code=code)
    assert refused.value.code == "association_not_found"


@pytest.mark.parametrize("body, field", [
    ({"year": 1999}, "year"), ({"year": "2026"}, "year"),
    ({"items": []}, "items"),
    ({"items": [item("a", 50, "manual"), item("b", 40, "manual")]}, "items"),
    ({"items": [item("a", 50, "manual"), item("b", 40, "manual"),
                item("c", 10, "members")]}, "items.2.source"),
    ({"items": [item("a", 50, "manual"), {**item("b", 50, "manual"), "weight": 2.5}]},
     "items.1.weight"),
    ({"items": [item("a", 50, "manual"), item("a", 50, "manual")]}, "items.1.key"),
    ({"items": [item("a", 50, "manual"), item("Bad Key", 50, "manual")]}, "items.1.key"),
    ({"items": [item("a", 50, "manual"), item("b", 50, "manual", "  ")]}, "items.1.name"),
    ({"items": [item("a", 50, "manual"), item("b", 50, "manual", "名" * 101)]},
     "items.1.name"),
    ({"items": [item("a", 100, "manual")], "extra": 1}, "extra"),
])
def test_bad_criteria_are_refused_by_field_and_nothing_is_kept(system, body, field):
    with pytest.raises(InvalidInput) as refused:
        system.families.set_assessment_criteria(
            COUNTY, {"year": YEAR, "items": [item("a", 100, "manual")], **body}, ADMIN)
    assert field in refused.value.fields, refused.value.fields
    with pytest.raises(NotFound):
        system.families.assessment(COUNTY, YEAR, AUDITOR)


# --- manual scores -----------------------------------------------------------------------------
def test_a_score_needs_the_years_criteria(system):
    set_up_associations(system.families)
    with pytest.raises(NotFound) as refused:
        system.families.set_assessment_score(COUNTY, YEAR, {"code": A, "key": "work",
                                                            "score": 80}, ADMIN)
    assert refused.value.code == "criteria_not_set"
    with pytest.raises(NotFound) as unread:
        system.families.assessment(COUNTY, YEAR, AUDITOR)
    assert unread.value.code == "criteria_not_set"


@pytest.mark.parametrize("body, field", [
    ({"code": COUNTY}, "code"), ({"code": "341181109"}, "code"), ({"code": "341182100"}, "code"),
    ({"key": "members"}, "key"), ({"key": "nothing"}, "key"),
    ({"score": 100.01}, "score"), ({"score": -1}, "score"), ({"score": 87.555}, "score"),
    ({"score": "abc"}, "score"), ({"score": True}, "score"),
])
def test_a_bad_score_is_refused_by_field(system, body, field):
    set_up_associations(system.families)
    criteria(system.families)
    with pytest.raises(InvalidInput) as refused:
        system.families.set_assessment_score(
            COUNTY, YEAR, {"code": A, "key": "work", "score": 80, **body}, ADMIN)
    assert list(refused.value.fields) == [field], refused.value.fields


def test_scores_are_set_by_admins_and_a_second_score_replaces_the_first(system):
    families = system.families
    set_up_associations(families)
    criteria(families, [item("work", 100, "manual")])
    for actor in (STAFF1, COORDINATOR, DONOR):
        with pytest.raises(Forbidden):
            families.set_assessment_score(COUNTY, YEAR, {"code": A, "key": "work",
                                                         "score": 80}, actor)
    with pytest.raises(NotFound):
        families.set_assessment_score(A, YEAR, {"code": A, "key": "work", "score": 80}, ADMIN)
    families.set_assessment_score(COUNTY, YEAR, {"code": A, "key": "work", "score": 80}, ADMIN)
    given = families.set_assessment_score(COUNTY, YEAR, {"code": B, "key": "work",
                                                         "score": "95.5"}, ADMIN)
    assert given == {"code": B, "year": YEAR, "key": "work", "score": 95.5}
    families.set_assessment_score(COUNTY, YEAR, {"code": A, "key": "work", "score": 60}, ADMIN)
    read = families.assessment(COUNTY, YEAR, COORDINATOR)
    assert [(a["code"], a["items"][0]["score"], a["total"]) for a in read["associations"]] == [
        (B, 95.5, 95.5), (A, 60.0, 60.0), (C, 0.0, 0.0)]
    assert read["associations"][0]["items"][0]["value"] is None
    with pytest.raises(Forbidden):
        families.assessment(COUNTY, YEAR, DONOR)
    with pytest.raises(NotFound):
        families.assessment(COUNTY, YEAR, ELSEWHERE)  # another county's: none set there


# --- the computed items ---------------------------------------------------------------------
def day(month: int, on: int = 10, year: int = YEAR) -> str:
    return f"{year}-{month:02d}-{on:02d}"


def contact(system, member_id: int, family_id: int, on: str) -> None:
    """Through the families service where it records contacts; else as its table keeps
    them."""
    try:
        system.families.record_contact(member_id, {"family_id": family_id, "on": on,
                                                   "way": "visit", "note": "走访"}, STAFF1)
    except MethodNotFound:
        with system.session(FamiliesService) as session, session.begin():
            session.add(MemberContact(association_code=COUNTY, member_id=member_id,
                                      family_id=family_id, way="visit", note="走访",
                                      contacted_on=datetime.fromisoformat(on).date(),
                                      recorded_by="staff1"))


def helped(system, family_id: int, on: str) -> None:
    try:
        system.families.record_help(family_id, {"kind": "living", "on": on, "minutes": 30,
                                                "note": "送米送油"}, STAFF1)
    except MethodNotFound:
        with system.session(FamiliesService) as session, session.begin():
            session.add(HelpRecord(association_code=COUNTY, family_id=family_id, kind="living",
                                   helped_on=datetime.fromisoformat(on).date(),
                                   helper_kind="staff", helper_name="staff1", minutes=30,
                                   note="送米送油", recorded_by="staff1"))


def given(system, amount_fen: int, code: str, year: int = YEAR) -> None:
    """A gift received on 1 June of `year`: posted at that moment, as the fund keeps its
    month totals when money is posted."""
    moment = datetime(year, 6, 1, 4, tzinfo=UTC)
    with pytest.MonkeyPatch.context() as clock:
        for module in (ledger, donations):
            clock.setattr(module, "now_utc", lambda: moment)
        system.fund.record_donation({"fund_code": "GENERAL", "amount_fen": amount_fen,
                                     "channel": "bank", "grassroots_code": code,
                                     "donor": {"kind": "person", "name": "张三",
                                               "phone": "13812345678"}}, None, STAFF1)


def served(system, n: int, code: str, minutes_on: list[tuple[str, int]]) -> None:
    """A volunteer of `code` credited `minutes` for a shift on each day, by a coordinator's
    correction (as for someone who came but did not check in)."""
    volunteers = system.volunteers
    volunteer_id = volunteers.register({**volunteer(n), "grassroots_code": code},
                                       COORDINATOR)["id"]
    activity = volunteers.create_activity({"title": "义诊"}, COORDINATOR)["id"]
    for on, minutes in minutes_on:
        made = volunteers.create_shift(shift(activity, day=on), COORDINATOR)
        volunteers.sign_up(made["id"], {"volunteer_id": volunteer_id}, COORDINATOR)
        volunteers.correct_hours(made["id"], volunteer_id,
                                 {"minutes": minutes, "reason": "现场签到表确认"}, COORDINATOR)


def test_computed_items_count_the_years_records_under_each_township(system):
    families = system.families
    set_up_associations(families)
    system.fund.ensure_fund({"code": "GENERAL", "name": "General", "restricted": False}, ADMIN)
    # Families: four under A (its village), two under B, none under C.
    a_families = [families.register_family(family(900 + n, village=A_VILLAGE), STAFF1)["id"]
                  for n in range(4)]
    b_families = [families.register_family(family(910 + n, village=B_VILLAGE), STAFF1)["id"]
                  for n in range(2)]
    # Members: two under A (one of its village), three of B, one of C.
    people = {}
    for n, code in enumerate([A_VILLAGE, A, B, B_VILLAGE, B, C]):
        people[n] = families.add_member({"name": f"会员{n}", "id_number": resident(950 + n),
                                         "phone": f"1385551{n:04d}",
                                         "grassroots_code": code}, STAFF1)["id"]
    # Contacts: under A, one family twice in the year and one only the year before; under
    # B, one family.
    for family_id in a_families[:2]:
        families.pair_family(people[0], {"family_id": family_id}, STAFF1)
    families.pair_family(people[2], {"family_id": b_families[0]}, STAFF1)
    contact(system, people[0], a_families[0], day(3))
    contact(system, people[0], a_families[0], day(9))
    contact(system, people[0], a_families[1], day(12, 31, BEFORE))
    contact(system, people[2], b_families[0], day(1, 1))
    # Help records: two in the year under A (and one the year before), three under B.
    helped(system, a_families[0], day(4))
    helped(system, a_families[2], day(5))
    helped(system, a_families[2], day(12, 31, BEFORE))
    for month in (2, 6, 12):
        helped(system, b_families[1], day(month, 31 if month == 12 else 10))
    # Member days: one of A's village, one of C; one of A the year before.
    for code, on in ((A_VILLAGE, day(7)), (C, day(8)), (A, day(7, 1, BEFORE))):
        families.hold_member_day(code, {"title": "会员活动日", "held_on": on,
                                        "member_ids": []}, STAFF1)
    # Volunteers' hours: 150 minutes under A (two volunteers), 60 under C (and 60 the year
    # before), none under B.
    served(system, 1, A_VILLAGE, [(day(3), 120)])
    served(system, 2, A, [(day(4), 30)])
    served(system, 3, C, [(day(5), 60), (day(5, 10, BEFORE), 60)])
    # Money: ¥100 to A (¥50 more the year before), ¥350 to B and its village.
    given(system, 10000, A)
    given(system, 5000, A, BEFORE)
    given(system, 30000, B)
    given(system, 5000, B_VILLAGE)

    criteria(families)
    families.set_assessment_score(COUNTY, YEAR, {"code": A, "key": "work", "score": 80}, ADMIN)
    families.set_assessment_score(COUNTY, YEAR, {"code": B, "key": "work", "score": 95.5},
                                  ADMIN)
    read = families.assessment(COUNTY, YEAR, AUDITOR)

    found = {a["code"]: a for a in read["associations"]}
    values = {code: {i["key"]: i["value"] for i in a["items"]} for code, a in found.items()}
    assert values[A] == {"members": 2 / 4 * 100, "contacts": 1 / 4 * 100, "help": 2 / 4,
                         "hours": 150 / 60, "days": 1, "money": 10000, "work": None}
    assert values[B] == {"members": 3 / 2 * 100, "contacts": 1 / 2 * 100, "help": 3 / 2,
                         "hours": 0, "days": 0, "money": 35000, "work": None}
    assert values[C] == {"members": 0, "contacts": 0, "help": 0, "hours": 60 / 60,
                         "days": 1, "money": 0, "work": None}
    scores = {code: {i["key"]: i["score"] for i in a["items"]} for code, a in found.items()}
    assert scores[A] == {"members": 33.33, "contacts": 50, "help": 33.33, "hours": 100,
                         "days": 100, "money": 28.57, "work": 80}
    assert scores[B] == {"members": 100, "contacts": 100, "help": 100, "hours": 0, "days": 0,
                         "money": 100, "work": 95.5}
    assert scores[C] == {"members": 0, "contacts": 0, "help": 0, "hours": 40, "days": 100,
                         "money": 0, "work": 0}
    # Σ weight × score / 100: A 6111.8, B 7410, C 1600 over 100.
    assert [(a["code"], a["total"], a["rank"], a["grade"]) for a in read["associations"]] == [
        (B, 74.1, 1, "advanced"), (A, 61.12, 2, "standard"), (C, 16.0, 3, "standard")]
    assert read["shares"] == {"n": 3, "advanced": 1, "standard": 2, "lagging": 0,
                              "advanced_pct": 33.33, "standard_pct": 66.67, "lagging_pct": 0}

    # A township's own assessment: its one village, on the county's criteria.
    township = families.assessment(A, YEAR, STAFF1)
    assert [(a["code"], a["rank"], a["grade"]) for a in township["associations"]] == [
        (A_VILLAGE, 1, "standard")]
    assert {i["key"]: i["value"] for i in township["associations"][0]["items"]}["hours"] == 2
