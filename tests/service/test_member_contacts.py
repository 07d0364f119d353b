"""Service tests of members' contacts with the families paired with them (会员联系户) and of
the families' new categories and low-income mark: the real FamiliesService (with the fund
and the volunteers for the dashboard) on a vhost of its own, over a freshly migrated
database (SQLite and PostgreSQL in turn). What is overdue and what the dashboard counts are
computed here, independently, from what the test made."""
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import select, update

from services.families.models import OUTBOX, Pairing
from services.families.service import FamiliesService
from services.fund.service import FundService
from services.volunteers.service import VolunteersService
from shared.clock import local_date, now_utc
from shared.contracts.associations import MAX_CONTACT_NOTE
from shared.contracts.families import CATEGORIES
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.family_data import VILLAGE, family, resident
from tests.service.conftest import config_for
from tests.service.test_associations import OTHER_TOWN, OTHER_VILLAGE, TOWN, set_up
from tests.service.test_families import AUDITOR, COORDINATOR, DONOR, ELSEWHERE, VOLUNTEER
from tests.support import ADMIN, STAFF1, STAFF2

DUE_DAYS = 30


def today():
    return local_date(now_utc())


def ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


def add_member(families, n: int, code: str = VILLAGE) -> dict:
    return families.rpc.add_member({"name": f"联系会员{n}", "id_number": resident(800 + n),
                                    "phone": f"1385551{n:04d}", "grassroots_code": code},
                                   STAFF1)


def paired(families, member: dict, person: int, **options) -> int:
    family_id = families.register(person, **options)["id"]
    families.rpc.pair_family(member["id"], {"family_id": family_id}, STAFF1)
    return family_id


def contact(family_id: int, on: str, way: str = "visit", note: str = "上门看望，身体尚好") -> dict:
    return {"family_id": family_id, "on": on, "way": way, "note": note}


# 1. Recording and listing

def test_a_contact_is_recorded_listed_latest_first_and_shown_on_the_member(families):
    set_up(families)
    keeper = add_member(families, 1)
    home = paired(families, keeper, 901)

    first = families.rpc.record_contact(keeper["id"], contact(home, ago(9), "phone"), STAFF1)
    second = families.rpc.record_contact(keeper["id"], contact(home, ago(2), "wechat",
                                                               "微信问候"), STAFF2)

    assert (first["member_id"], first["family_id"], first["on"], first["way"]) == \
        (keeper["id"], home, ago(9), "phone")
    assert first["family_no"].startswith("F-341181-") and first["recorded_by"] == "staff1"
    assert first["note"] == "上门看望，身体尚好"
    listed = families.rpc.list_contacts(keeper["id"], {}, AUDITOR)
    assert [c["id"] for c in listed["items"]] == [second["id"], first["id"]]
    assert listed["total"] == 2
    assert families.rpc.list_contacts(keeper["id"], {"limit": 1, "offset": 1},
                                      COORDINATOR)["items"] == [first]
    shown = families.rpc.get_member(keeper["id"], COORDINATOR)["families"]
    assert [(f["family_id"], f["last_contact_on"]) for f in shown] == [(home, ago(2))]


def test_a_contact_is_in_the_audit_log_of_the_member(families):
    set_up(families)
    keeper = add_member(families, 2)
    home = paired(families, keeper, 902)
    families.rpc.record_contact(keeper["id"], contact(home, ago(0)), STAFF1)
    entries = families.rpc.audit_entries({"subject_kind": "member",
                                          "subject_id": keeper["id"]}, ADMIN)["items"]
    assert ["contacts"] in [e["fields"] for e in entries if e["actor"] == "staff1"]


@pytest.mark.parametrize("change, field", [
    ({"way": "fax"}, "way"),
    ({"way": None}, "way"),
    ({"on": "tomorrow"}, "on"),
    ({"on": "2026-02-30"}, "on"),
    ({"note": "   "}, "note"),
    ({"note": "字" * (MAX_CONTACT_NOTE + 1)}, "note"),
    ({"note": 12}, "note"),
    ({"family_id": "1"}, "family_id"),
    ({"family_id": 0}, "family_id"),
    ({"extra": 1}, "extra"),
])
def test_bad_input_is_refused_by_field_and_nothing_is_written(families, change, field):
    set_up(families)
    keeper = add_member(families, 3)
    home = paired(families, keeper, 903)
    with pytest.raises(InvalidInput) as refused:
        families.rpc.record_contact(keeper["id"], {**contact(home, ago(1)), **change}, STAFF1)
    assert field in refused.value.fields, refused.value.fields
    assert families.rpc.list_contacts(keeper["id"], {}, STAFF1)["total"] == 0


@pytest.mark.parametrize("missing", ["family_id", "on", "way", "note"])
def test_each_field_is_required(families, missing):
    set_up(families)
    keeper = add_member(families, 4)
    body = contact(paired(families, keeper, 904), ago(1))
    del body[missing]
    with pytest.raises(InvalidInput) as refused:
        families.rpc.record_contact(keeper["id"], body, STAFF1)
    assert missing in refused.value.fields


def test_a_day_after_the_associations_today_is_refused_on_on(families):
    set_up(families)
    keeper = add_member(families, 5)
    home = paired(families, keeper, 905)
    with pytest.raises(InvalidInput) as refused:
        families.rpc.record_contact(keeper["id"], contact(home, ago(-1)), STAFF1)
    assert list(refused.value.fields) == ["on"]
    assert families.rpc.record_contact(keeper["id"], contact(home, ago(0)), STAFF1)["on"] == \
        ago(0)


def test_a_family_the_member_is_not_paired_with_is_a_conflict_naming_family_id(families):
    set_up(families)
    keeper, other = add_member(families, 6), add_member(families, 7)
    others = paired(families, other, 906)
    unpaired = families.register(907)["id"]
    for family_id in (others, unpaired, 999_999):
        with pytest.raises(Conflict) as refused:
            families.rpc.record_contact(keeper["id"], contact(family_id, ago(1)), STAFF1)
        assert refused.value.code == "not_paired"
        assert list(refused.value.fields) == ["family_id"]
    assert families.rpc.list_contacts(keeper["id"], {}, STAFF1)["total"] == 0
    assert families.rpc.get_member(other["id"], STAFF1)["families"][0]["last_contact_on"] \
        is None


def test_an_unknown_member_or_another_associations_is_not_found(families):
    set_up(families)
    keeper = add_member(families, 8)
    home = paired(families, keeper, 908)
    for member_id, actor in ((999_999, STAFF1), (keeper["id"], ELSEWHERE)):
        with pytest.raises(NotFound):
            families.rpc.record_contact(member_id, contact(home, ago(1)), actor)
        with pytest.raises(NotFound):
            families.rpc.list_contacts(member_id, {}, actor)
    for code, actor in (("341181109", STAFF1), ("341181", ELSEWHERE)):
        with pytest.raises(NotFound):
            families.rpc.overdue_contacts(code, {}, actor)
    assert families.rpc.overdue_contacts("341182", {}, ELSEWHERE)["total"] == 0


def test_staff_record_the_leadership_reads_donors_and_volunteers_do_neither(families):
    set_up(families)
    keeper = add_member(families, 9)
    home = paired(families, keeper, 909)
    for actor in (COORDINATOR, AUDITOR, DONOR, VOLUNTEER):
        with pytest.raises(Forbidden):
            families.rpc.record_contact(keeper["id"], contact(home, ago(1)), actor)
    for actor in (DONOR, VOLUNTEER):
        with pytest.raises(Forbidden):
            families.rpc.list_contacts(keeper["id"], {}, actor)
        with pytest.raises(Forbidden):
            families.rpc.overdue_contacts(VILLAGE, {}, actor)
    families.rpc.record_contact(keeper["id"], contact(home, ago(1)), ADMIN)
    assert families.rpc.list_contacts(keeper["id"], {}, COORDINATOR)["total"] == 1


# 2. The last contact only moves forward

def last_contact(families, member: dict, family_id: int) -> str | None:
    return next(f["last_contact_on"] for f in families.rpc.get_member(
        member["id"], STAFF1)["families"] if f["family_id"] == family_id)


def test_an_older_contact_recorded_after_a_newer_one_leaves_the_newer_day(families):
    set_up(families)
    keeper = add_member(families, 10)
    home = paired(families, keeper, 910)
    families.rpc.record_contact(keeper["id"], contact(home, ago(3)), STAFF1)
    families.rpc.record_contact(keeper["id"], contact(home, ago(20)), STAFF1)
    assert last_contact(families, keeper, home) == ago(3)
    families.rpc.record_contact(keeper["id"], contact(home, ago(1)), STAFF1)
    assert last_contact(families, keeper, home) == ago(1)


def test_contacts_recorded_at_once_leave_the_latest_day(families):
    set_up(families)
    keeper = add_member(families, 11)
    home = paired(families, keeper, 911)
    days = [ago(d) for d in (12, 2, 30, 7, 5, 40, 3, 25)]
    asked = [families.rpc.record_contact.call_async(keeper["id"], contact(home, day), STAFF1)
             for day in days]
    assert all(answer.result()["id"] for answer in asked)
    assert last_contact(families, keeper, home) == max(days)
    assert families.rpc.list_contacts(keeper["id"], {}, STAFF1)["total"] == len(days)


# 3. Overdue pairs

def test_the_overdue_pairs_are_those_the_test_computes(families):
    """Pairings made now, contacts dated back; one pair never contacted has its pairing
    moved back in the database (what the API cannot do)."""
    set_up(families)
    east, west, away = (add_member(families, 12, VILLAGE),
                        add_member(families, 13, OTHER_VILLAGE),
                        add_member(families, 14, OTHER_TOWN))
    pairs = {}  # family id -> (member, contact days ago, or None; days the pairing is old)

    def pair(member, person, *contacted):
        family_id = paired(families, member, person)
        for days in contacted:
            families.rpc.record_contact(member["id"], contact(family_id, ago(days)), STAFF1)
        pairs[family_id] = (member, min(contacted) if contacted else None, 0)
        return family_id

    pair(east, 920, DUE_DAYS + 1)  # overdue by a day
    pair(east, 921, DUE_DAYS)  # due today: not overdue yet
    pair(west, 922, 45, 5)  # contacted again since
    pair(west, 923)  # paired now, never contacted
    pair(away, 924, 60, DUE_DAYS + 2)
    pair(east, 925, 100)
    never = pair(east, 926)
    with families.session() as session, session.begin():
        session.execute(update(Pairing).where(Pairing.family_id == never).values(
            paired_at=now_utc() - timedelta(days=DUE_DAYS + 10)))
    pairs[never] = (east, None, DUE_DAYS + 10)

    def expected(code: str) -> set:
        found = set()
        for family_id, (member, contacted, paired_days) in pairs.items():
            days_since = contacted if contacted is not None else paired_days
            if days_since > DUE_DAYS and member["grassroots_code"].startswith(code):
                found.add((member["id"], member["name"], family_id,
                           None if contacted is None else ago(contacted),
                           ago(paired_days), days_since))
        return found

    for code in ("341181", TOWN, VILLAGE, OTHER_VILLAGE, OTHER_TOWN):
        answer = families.rpc.overdue_contacts(code, {"limit": 500}, COORDINATOR)
        got = {(i["member_id"], i["member_name"], i["family_id"], i["last_contact_on"],
                i["paired_on"], i["days_since"]) for i in answer["items"]}
        assert got == expected(code), code
        assert answer["total"] == len(got)
    assert len(expected("341181")) == 4
    first = families.rpc.overdue_contacts("341181", {"limit": 2}, STAFF1)
    rest = families.rpc.overdue_contacts("341181", {"limit": 2, "offset": 2}, STAFF1)
    assert len({i["family_id"] for i in first["items"] + rest["items"]}) == 4
    item = first["items"][0]
    assert item["member_no"] == f"M-341181-{item['member_id']:05d}"
    assert item["family_no"].startswith("F-341181-")


def test_contact_due_days_comes_from_the_environment(families, monkeypatch):
    set_up(families)
    keeper = add_member(families, 15)
    home = paired(families, keeper, 930)
    families.rpc.record_contact(keeper["id"], contact(home, ago(11)), STAFF1)
    assert families.rpc.overdue_contacts(VILLAGE, {}, STAFF1)["total"] == 0
    monkeypatch.setenv("CONTACT_DUE_DAYS", "10")
    [item] = families.rpc.overdue_contacts(VILLAGE, {}, STAFF1)["items"]
    assert (item["family_id"], item["days_since"]) == (home, 11)


# 4. Families: the new categories and the low-income mark

def test_new_categories_and_low_income_are_registered_updated_and_named(families):
    plain = families.register(940)
    assert plain["low_income"] is False
    left = families.rpc.register_family(
        {**_family(941, "left_behind_child"), "low_income": True}, STAFF1)
    assert (left["category"], left["low_income"]) == ("left_behind_child", True)
    changed = families.rpc.update_family(plain["id"], {"low_income": True,
                                                       "category": "left_behind_elder"}, STAFF1)
    assert (changed["category"], changed["low_income"]) == ("left_behind_elder", True)
    assert families.rpc.get_family(plain["id"], AUDITOR)["low_income"] is True
    with pytest.raises(InvalidInput) as refused:
        families.rpc.update_family(plain["id"], {"low_income": "perhaps"}, STAFF1)
    assert "low_income" in refused.value.fields
    with families.session() as session:
        updates = [row.payload for row in session.execute(select(OUTBOX)).all()
                   if row.event_type == "families.family_updated"]
    assert any('"low_income"' in payload and '"changed"' in payload for payload in updates)


def _family(person: int, category: str, village: str = VILLAGE) -> dict:
    return family(person, category=category, village=village)


def test_families_are_listed_by_low_income_beside_category(families):
    made = []
    for n, (category, low) in enumerate([("left_behind_child", True),
                                         ("left_behind_child", False),
                                         ("left_behind_woman", True),
                                         ("only_child", False)]):
        made.append((families.rpc.register_family(
            {**_family(950 + n, category), "low_income": low}, STAFF1)["id"], category, low))
    for query in ({"low_income": "true"}, {"low_income": "false"},
                  {"low_income": "true", "category": "left_behind_child"},
                  {"category": "left_behind_woman"}):
        listed = families.rpc.list_families(query, COORDINATOR)
        wanted = {i for i, category, low in made
                  if str(low).lower() == query.get("low_income", str(low).lower())
                  and category == query.get("category", category)}
        assert {f["id"] for f in listed["items"]} == wanted, query
    with pytest.raises(InvalidInput) as refused:
        families.rpc.list_families({"low_income": "often"}, STAFF1)
    assert "low_income" in refused.value.fields


def test_an_imported_household_may_be_low_income(families):
    def row(number, household, person, **cells):
        return {"row": number, "cells": {
            "household_no": household, "category": "left_behind_elder", "address": "龙岗村",
            "village_code": VILLAGE, "name": f"成员{person}", "id_number": resident(person),
            "relation": "head", "phone": None, **cells}}
    answer = families.rpc.import_families({"dry_run": False, "rows": [
        row(2, "H1", 60, low_income="yes"), row(3, "H2", 61, low_income="no"),
        row(4, "H3", 62), row(5, "H4", 63, low_income="sometimes")]}, STAFF1)
    assert [e["column"] for e in answer["errors"]] == ["low_income"]
    listed = families.rpc.list_families({}, STAFF1)["items"]
    assert sorted((f["members"][0]["name"], f["low_income"]) for f in listed) == [
        ("成员60", True), ("成员61", False), ("成员62", False)]


@pytest.fixture
def dashboard(database_url, runner_factory, rabbit_config):
    """The families service with the fund and the volunteers, whose figures it joins."""
    config = config_for(rabbit_config, database_url, "families", "fund", "volunteers")
    runner = runner_factory(config, FamiliesService, FundService, VolunteersService)
    runner.start()
    with ClusterRpcProxy(config) as rpc:
        yield rpc.families


def test_the_dashboard_counts_families_by_category_and_low_income(dashboard):
    set_up(SimpleNamespace(rpc=dashboard))
    kept = {code: Counter() for code in ("341181", TOWN, VILLAGE, OTHER_VILLAGE, OTHER_TOWN)}
    low = Counter()
    made = [("left_behind_child", True, VILLAGE), ("left_behind_child", False, VILLAGE),
            ("left_behind_woman", True, OTHER_VILLAGE), ("left_behind_elder", True, VILLAGE),
            ("special_bereaved", False, OTHER_TOWN + "001"), ("only_child", True, OTHER_TOWN)]
    for n, (category, low_income, village) in enumerate(made):
        dashboard.register_family({**_family(970 + n, category, village),
                                   "low_income": low_income}, STAFF1)
        for code in kept:
            if village.startswith(code):
                kept[code][category] += 1
                low[code] += low_income
    for code, counted in kept.items():
        figures = dashboard.dashboard(code, AUDITOR)
        assert figures["families_by_category"] == {c: counted[c] for c in CATEGORIES}, code
        assert figures["low_income_families"] == low[code], code
        assert figures["families"] == sum(counted.values())
    ranked = dashboard.ranking(TOWN, {"by": "families"}, STAFF1)["items"]
    assert {r["code"]: r["low_income_families"] for r in ranked} == {
        VILLAGE: low[VILLAGE], OTHER_VILLAGE: low[OTHER_VILLAGE]}

