"""The head of a family as messages reach them, in the families service's register events
(version 2): the volunteers service keeps it to tell the family of a care visit. The phone
travels sealed. The families service over real RabbitMQ (SQLite and PostgreSQL in turn)."""
from sqlalchemy import text

from shared.contracts.events import build_envelope
from shared.recipients import open_contact, recipient
from tests.family_data import family, member
from tests.service.test_families import _deliver
from tests.service.test_family_imports import person
from tests.support import STAFF1, EventTap, of_type

HEAD_PHONE = "13905509999"


def test_registering_and_changing_a_family_names_its_head_with_their_phone_sealed(families):
    body = family(801, 802)
    body["members"][0]["phone"] = HEAD_PHONE
    tap = EventTap(families.config["AMQP_URI"], "families.events")
    try:
        made = families.rpc.register_family(body, STAFF1)
        families.rpc.update_family(made["id"], {"members": [
            member(803, "head"), *body["members"][1:]]}, STAFF1)
        events = tap.take(2)
    finally:
        tap.close()
    [registered] = of_type(events, "families.family_registered")
    [updated] = of_type(events, "families.family_updated")
    assert registered["body"]["version"] == updated["body"]["version"] == 2
    head = registered["body"]["data"]["head"]
    assert (head["person"], head["name"], open_contact(head["phone"], "phone")) == \
        (f"family:{made['id']}", "成员801", HEAD_PHONE)
    assert HEAD_PHONE not in str(registered["body"])
    assert updated["body"]["data"]["head"] == {  # a head without a phone
        "person": f"family:{made['id']}", "name": "成员803", "phone": None, "email": None,
        "language": None}


def test_households_imported_together_name_each_head(families):
    tap = EventTap(families.config["AMQP_URI"], "families.events", "family_registered")
    try:
        families.rpc.import_families({"dry_run": False, "rows": [
            person(2, "H1", 821, phone=HEAD_PHONE), person(3, "H2", 822)]}, STAFF1)
        events = tap.take(2)
    finally:
        tap.close()
    heads = sorted((e["body"]["data"]["head"]["name"], e["body"]["data"]["head"]["phone"]
                    is not None) for e in events)
    assert heads == [("成员821", True), ("成员822", False)]
    assert all(HEAD_PHONE not in str(e["body"]) for e in events)


def test_the_timeline_keeps_a_claim_event_naming_the_insured_and_rebuilds_from_it(families):
    family_id = families.register(831)["id"]
    approved = build_envelope("insurance.claim_approved", {
        "association_code": "341181", "family_id": family_id, "claim_id": 1,
        "claim_no": "CL-1", "policy_no": "PL-1", "product_code": "ONLY_CHILD_ACCIDENT",
        "amount_approved_fen": 300_000, "payout_fund_code": "INSURANCE_PAYOUT",
        "insured_name": "成员831", "insured_id_number_masked": "3411**********0011",
        "approved_by": "staff2",
        "recipients": [recipient("insured:1", "成员831", phone=HEAD_PHONE)]}, "c")
    _deliver(families, "on_claim_approved", "insurance.events", "claim_approved", approved)
    assert families.rpc.rebuild_timeline(family_id, STAFF1) == {"entries": 1}
    with families.session() as session:
        kept = session.execute(text("SELECT envelope FROM family_events")).scalar_one()
    assert HEAD_PHONE not in kept
