"""The head of a family as messages reach them, in the families service's register events
(version 2): the volunteers service keeps it to tell the family of a care visit. The phone
travels sealed. The families service over real RabbitMQ (SQLite and PostgreSQL in turn)."""
from shared.recipients import open_contact
from tests.family_data import family, member
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
