"""Load the demo data of the design (users, funds, donors, donations) into a running
system. Safe to run again: users and funds are ensured, donations carry fixed keys."""
import base64
import sys
import time
from datetime import timedelta

from nameko.exceptions import UnknownService
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import select, update

from deploy import demo
from services.gateway.auth import hash_password
from services.gateway.models import User
from shared import remote_errors  # noqa: F401 (the services' errors arrive as themselves)
from shared.actors import public_actor, sign, system_actor
from shared.clock import local_today
from shared.db import make_engine
from shared.errors import Conflict
from shared.settings import amqp_uri, association_code, database_url

DEMO_COUNTY = "341181"  # the demo data is 天长市's (and its neighbour's, 来安县)


def _staff2() -> dict:
    """The second pair of eyes (signed when asked: the service key is read then)."""
    return sign({"username": "staff2", "role": "staff"})


def seed(config: dict | None = None) -> None:
    config = config or {"AMQP_URI": amqp_uri()}
    system = system_actor("demo-loader")
    with ClusterRpcProxy(config) as rpc:
        for fund in demo.FUNDS:
            rpc.fund.ensure_fund(fund, system)
        for fund_code, project in demo.PROJECTS:
            if project["code"] not in {p["code"] for p in
                                       rpc.fund.list_projects(fund_code, system)["items"]}:
                rpc.fund.create_project(fund_code, project, system)
        donor1 = rpc.fund.ensure_donor(demo.DONOR1, system)
        volunteer1 = _volunteers(rpc, system)
        ensure_users(donor1["id"], volunteer1,
                      (config.get("DATABASE_URLS") or {}).get("gateway"))
        staff = sign({"username": "staff1", "role": "staff"})
        for key, fund, project, fen, channel, donor, raised_by in demo.DONATIONS:
            rpc.fund.record_donation({"fund_code": fund, "project_code": project,
                                      "amount_fen": fen, "channel": channel, "donor": donor,
                                      "grassroots_code": raised_by}, key, staff)
        # One gift pledged online by donor1 and not paid yet.
        rpc.fund.create_pledge(demo.PLEDGE, "demo-pledge-1",
                               sign({"username": "donor1", "role": "donor",
                                     "donor_id": donor1["id"]}))
        # Families first: the demo policies and the assistance name theirs, so their
        # timelines have something to show.
        family_of = _families(rpc, staff)
        _associations(rpc, system, staff, family_of)
        _insurance(rpc, staff, system, family_of)
        if association_code() == DEMO_COUNTY:
            _neighbour_county(rpc)
        if rpc.fund.list_disbursements({}, staff)["total"] == 0:
            rpc.fund.request_disbursement({
                "fund_code": "SPECIAL_FAMILY", "project_code": "SPRING_VISITS",
                "category": "special_family_assistance", "amount_fen": 300_000,
                "purpose": "春节慰问计生特殊家庭",
                "payee": {"name": "李秀英"}, "reference": "DEMO-2026-01",
                "family_id": family_of.get(demo.POLICIES[0]["insured"]["id_number"])}, staff)


def _insurance(rpc, staff: dict, system: dict, family_of: dict[str, int]) -> None:
    for product in demo.PRODUCTS:
        rpc.insurance.ensure_product(product, system)
    if not rpc.insurance.list_policies({}, staff)["total"]:
        _first_policies(rpc, staff, family_of)
    # Each of these finds what an earlier loading made, and makes only what is missing.
    documented, unpaid = _premium_policies(rpc, staff, family_of)
    claim = _claim(rpc, staff, documented["policy_no"], demo.DOCUMENTED_CLAIM)
    have = {d["kind"] for d in claim["documents"]}
    for kind, filename, content in demo.DOCUMENTS:
        if kind not in have:
            rpc.insurance.attach_document(claim["id"], {
                "kind": kind, "filename": filename,
                "content": base64.b64encode(content).decode()}, staff)
    _claim(rpc, staff, unpaid["policy_no"], demo.UNPAID_CLAIM)
    _appealed_claim(rpc, staff)


def _first_policies(rpc, staff: dict, family_of: dict[str, int]) -> None:
    start = local_today() - timedelta(days=300)
    policies = [rpc.insurance.enrol({**p, "start_date": start.isoformat(),
                                     "family_id": family_of.get(p["insured"]["id_number"])},
                                    staff) for p in demo.POLICIES]
    incident = (local_today() - timedelta(days=20)).isoformat()
    hospital = rpc.insurance.submit_claim({
        "policy_no": policies[0]["policy_no"], "incident_date": incident,
        "amount_claimed_fen": 800_000, "description": "住院治疗"}, staff)
    # Approved by a second staff member: the fund pays it and a care visit is requested,
    # so the coordinator's page has a visit to assign on first start.
    rpc.insurance.approve_claim(hospital["id"], {"amount_approved_fen": 800_000},
                                _staff2())
    rpc.insurance.submit_claim({"policy_no": policies[1]["policy_no"], "incident_date": incident,
                                "amount_claimed_fen": 2_500_000,
                                "description": "骨折住院（超过单次赔付上限）"}, staff)


def _premium_policies(rpc, staff: dict, family_of: dict[str, int]) -> list[dict]:
    """The policies of the product with a premium (demo.PREMIUM_POLICIES), each enrolled
    once; the family's share recorded where the demo says it is paid. Waits for the fund's
    shares (the premium saga pays them), so their claims find the premium paid."""
    made = []
    for enrolment, days_back, family_paid in demo.PREMIUM_POLICIES:
        number = enrolment["insured"]["id_number"]
        found = rpc.insurance.list_policies({"product_code": enrolment["product_code"],
                                             "id_number": number}, staff)["items"]
        policy = found[0] if found else rpc.insurance.enrol({
            **enrolment, "family_id": family_of.get(number),
            "start_date": (local_today() - timedelta(days=days_back)).isoformat()}, staff)
        family = next((s for s in policy["shares"] if s["payer"] == "family"), None)
        if family_paid and family and family["status"] != "paid" and \
                policy["status"] == "pending_payment":
            policy = rpc.insurance.record_premium_payment(policy["id"], {
                "payer": "family", "amount_fen": family["amount_fen"]}, staff)
        made.append(policy)
    return [_fund_shares_paid(rpc, staff, policy) for policy in made]


def _fund_shares_paid(rpc, staff: dict, policy: dict, timeout: float = 60) -> dict:
    """The policy once the fund has paid its shares (or as it is when `timeout` is up: a
    share waiting for the fund's money is the demo's too)."""
    deadline = time.monotonic() + timeout
    while any(s["fund_code"] and s["status"] != "paid" for s in policy["shares"]) and \
            time.monotonic() < deadline:
        time.sleep(0.3)
        policy = rpc.insurance.get_policy(policy["policy_no"], staff)
    return policy


def _claim(rpc, staff: dict, policy_no: str, spec: dict) -> dict:
    """The demo claim `spec` on the policy: the one registered before, or a new one."""
    for claim in rpc.insurance.list_claims({"limit": 500}, staff)["items"]:
        if claim["policy_no"] == policy_no and claim["description"] == spec["description"]:
            return claim
    incident = local_today() - timedelta(days=spec["incident_days_ago"])
    return rpc.insurance.submit_claim({
        "policy_no": policy_no, "incident_date": incident.isoformat(),
        "amount_claimed_fen": spec["amount_claimed_fen"], "description": spec["description"],
        "payee": spec.get("payee")}, staff)


def _appealed_claim(rpc, staff: dict) -> None:
    """A claim on 李秀英's policy that staff1 registered, staff2 rejected and staff1 appealed:
    under appeal until staff3 (neither of them) decides."""
    insured = demo.POLICIES[0]
    policy = rpc.insurance.list_policies({"product_code": insured["product_code"],
                                          "id_number": insured["insured"]["id_number"]},
                                         staff)["items"][0]
    claim = _claim(rpc, staff, policy["policy_no"], demo.APPEALED_CLAIM)
    if claim["status"] in ("submitted", "flagged"):
        claim = rpc.insurance.reject_claim(claim["id"], {
            "reason": demo.APPEALED_CLAIM["rejected"]}, _staff2())
    if claim["status"] == "rejected" and claim["appeal"] is None:
        rpc.insurance.appeal_claim(claim["id"], {"reason": demo.APPEALED_CLAIM["appealed"]},
                                   staff)


def _neighbour_county(rpc) -> None:
    """The second county, set up from above and given a little to show, once."""
    province = system_actor("demo-loader", DEMO_COUNTY[:2] + "0000")
    if demo.NEIGHBOUR["code"] not in {
            a["code"] for a in rpc.families.list_associations(province)["items"]}:
        rpc.families.create_association(demo.NEIGHBOUR, province)
    county = system_actor("demo-loader", demo.NEIGHBOUR["code"])
    rpc.fund.ensure_fund(demo.FUNDS[0], county)
    for key, fen, donor in demo.NEIGHBOUR_GIFTS:
        rpc.fund.record_donation({"fund_code": demo.FUNDS[0]["code"], "amount_fen": fen,
                                  "channel": "bank", "donor": donor}, key, county)
    try:
        rpc.families.register_family(demo.NEIGHBOUR_FAMILY, county)
    except Conflict as exc:
        if exc.code != "already_in_family":
            raise


def _families(rpc, staff: dict) -> dict[str, int]:
    """Registers each demo family once: its people already registered means it is there.
    Returns the family id of each demo person (by identity number)."""
    _answering(rpc.families.health)
    for family in demo.FAMILIES:
        try:
            rpc.families.register_family(family, staff)
        except Conflict as exc:
            if exc.code != "already_in_family":
                raise
    # Demo addresses are distinct: they find the families again on a second seeding.
    ids = {f["address"]: f["id"]
           for f in rpc.families.list_families({"limit": 500}, staff)["items"]}
    return {m["id_number"]: ids[f["address"]] for f in demo.FAMILIES
            for m in f["members"] if f["address"] in ids}


def _associations(rpc, system: dict, staff: dict, family_of: dict[str, int]) -> None:
    """The grassroots associations, their members paired with the demo families, and one
    member day: each set up once, however often the demo is loaded."""
    there = {a["code"] for a in rpc.families.list_associations(system)["items"]}
    for association in demo.ASSOCIATIONS:
        if association["code"] not in there:
            rpc.families.create_association(association, system)
    if rpc.families.list_members({}, staff)["total"]:
        return
    heads = {m["name"]: m["id_number"] for f in demo.FAMILIES for m in f["members"]
             if m["relation"] == "head"}
    joined = []
    for member, head in demo.MEMBERS:
        added = rpc.families.add_member(member, staff)
        joined.append(added["id"])
        if head in heads and heads[head] in family_of:
            rpc.families.pair_family(added["id"], {"family_id": family_of[heads[head]]},
                                     staff)
    rpc.families.hold_member_day(demo.QINLAN, {**demo.MEMBER_DAY, "member_ids": [
        i for i, (m, _) in zip(joined, demo.MEMBERS, strict=True) if m["grassroots_code"]
        .startswith(demo.QINLAN)]}, staff)
    _help_and_contacts(rpc, staff, family_of, heads, dict(zip(
        [m["name"] for m, _ in demo.MEMBERS], joined, strict=True)))
    year = local_today().year
    rpc.families.set_assessment_criteria("341181", demo.assessment_criteria(year), system)
    for code, score in demo.ASSESSMENT_SCORES:
        rpc.families.set_assessment_score("341181", year, {
            "code": code, "key": "publicity", "score": score}, system)


def _help_and_contacts(rpc, staff: dict, family_of: dict[str, int], heads: dict[str, str],
                       member_of: dict[str, int]) -> None:
    """The members' contacts and the help given, dated back from today."""
    today = local_today()
    head_of = {member["name"]: head for member, head in demo.MEMBERS}
    for member, days, way, note in demo.CONTACTS:
        rpc.families.record_contact(member_of[member], {
            "family_id": family_of[heads[head_of[member]]],
            "on": str(today - timedelta(days=days)), "way": way, "note": note}, staff)
    for head, member, kind, days, minutes, note, outcome, follow_up in demo.HELP:
        rpc.families.record_help(family_of[heads[head]], {
            "kind": kind, "on": str(today - timedelta(days=days)), "minutes": minutes,
            "note": note, "outcome": outcome,
            "by_member_id": member_of[member] if member else None,
            "follow_up_on": str(today - timedelta(days=follow_up)) if follow_up else None},
            staff)


def _answering(probe, timeout: float = 60) -> None:
    # /healthz does not ask the families service yet, so it may still be starting.
    deadline = time.monotonic() + timeout
    while True:
        try:
            probe()
            return
        except UnknownService:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _volunteers(rpc, system: dict) -> int:
    """Registers the demo volunteers once; returns the id of volunteer1's record."""
    known = rpc.volunteers.list_volunteers({"limit": 500}, system)["items"]
    if known:
        return known[0]["id"]
    ids = [rpc.volunteers.register(v, system)["id"] for v in demo.VOLUNTEERS]
    day = local_today() + timedelta(days=7)
    activity = rpc.volunteers.create_activity({"title": "5.29 会员活动日",
                                               "description": "义诊与宣传"}, system)
    shift = rpc.volunteers.create_shift({
        "activity_id": activity["id"], "capacity": 5, "required_skills": ["general"],
        "starts_at": f"{day.isoformat()}T09:00:00+08:00",
        "ends_at": f"{day.isoformat()}T12:00:00+08:00", "place": "天长市人民广场"}, system)
    rpc.volunteers.sign_up(shift["id"], {"volunteer_id": ids[2]}, system)
    # Someone who applied on the public page, waiting for a coordinator's decision.
    rpc.volunteers.submit_application(demo.APPLICATION, public_actor())
    return ids[0]


def ensure_users(donor1_id: int, volunteer1_id: int, url: str | None) -> None:
    """The demo logins of the install's county and its province, those missing made;
    donor1 and volunteer1 are the donor's and volunteer's logins of these records."""
    engine = make_engine(url or database_url("gateway"))
    with engine.begin() as connection:
        existing = set(connection.scalars(select(User.username)))
        province = association_code()[:2] + "0000"
        for username, role in [*demo.USERS, *demo.PROVINCE_USERS]:
            if username in existing:
                # Demo logins made before users had display names get one.
                connection.execute(update(User).where(User.username == username,
                                                      User.display_name.is_(None))
                                   .values(display_name=username))
                continue
            connection.execute(User.__table__.insert().values(
                username=username, role=role, display_name=username,
                association_code=(province if (username, role) in demo.PROVINCE_USERS
                                  else association_code()),
                password_hash=hash_password(username + demo.PASSWORD_SUFFIX), active=True,
                donor_id=donor1_id if role == "donor" else None,
                volunteer_id=volunteer1_id if role == "volunteer" else None))
    engine.dispose()


if __name__ == "__main__":
    seed()
    print("demo data loaded", file=sys.stderr)
