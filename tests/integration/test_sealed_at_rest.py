"""Personal data sealed at rest, on SQLite and PostgreSQL: the migration seals what an older
version kept in clear (identity numbers, phones, addresses, events waiting in the outbox)
and sets the blind index, a second run changes nothing, and the service's model reads the
clear values back and finds people by their identity numbers."""
import json

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.families.models import FamilyMember, Member
from shared.crypto import blind, seal_table, sealed_key_of
from shared.db import make_engine
from shared.migrate import alembic_config
from tests.family_data import resident

ID = resident(5)
PHONE = "13905507777"
ADDRESS = "天长市铜城镇龙岗村99号"


@pytest.fixture
def old_families(empty_url):
    """The families database as version 0003 left it, with people in clear."""
    url = empty_url
    command.upgrade(alembic_config("families", url), "0003")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO families (id, association_code, family_no, category, address, "
            "village_code, registered_by) VALUES (1, '341181', 'F-341181-0001', "
            "'only_child', :address, '341181001001', 'staff1')"), {"address": ADDRESS})
        connection.execute(text(
            "INSERT INTO family_members (id, family_id, association_code, name, id_number, "
            "relation, phone) VALUES (1, 1, '341181', '张三', :id, 'head', :phone)"),
            {"id": ID, "phone": PHONE})
        connection.execute(text(
            "INSERT INTO members (id, association_code, name, id_number, phone, "
            "grassroots_code, created_by) VALUES (1, '341181', '李四', :id, :phone, "
            "'341181', 'staff1')"), {"id": resident(6), "phone": PHONE})
        connection.execute(text(
            "INSERT INTO outbox (event_id, event_type, payload, correlation_id, published) "
            "VALUES ('e1', 'families.family_registered', :payload, 'c', false)"),
            {"payload": json.dumps({"data": {"address": ADDRESS}})})
    yield url, engine
    engine.dispose()


def test_the_migration_seals_what_was_in_clear_and_the_model_reads_it_back(old_families):
    url, engine = old_families
    command.upgrade(alembic_config("families", url), "head")

    with engine.connect() as connection:
        stored = connection.execute(text(
            "SELECT id_number, phone, id_index FROM family_members")).one()
        address = connection.execute(text("SELECT address FROM families")).scalar_one()
        payload = connection.execute(text("SELECT payload FROM outbox")).scalar_one()
    for value in (*stored[:2], address, payload):
        assert sealed_key_of(value), value
    assert ID not in stored[0] and ADDRESS not in payload
    assert stored[2] == blind(ID, "id_number")

    with Session(engine) as session:
        person = session.scalars(select(FamilyMember).where(
            FamilyMember.id_index == blind(ID, "id_number"))).one()
        assert (person.id_number, person.phone) == (ID, PHONE)
        member = session.scalars(select(Member)).one()
        assert member.id_number == resident(6)
    with engine.begin() as connection:
        assert seal_table(connection, "family_members", ("id_number", "phone"),
                          {"id_index": ("id_number", "id_number")}) == 1  # the index again
        assert connection.execute(text("SELECT phone FROM family_members")).scalar_one() \
            == stored[1]  # sealed once, not again


def test_one_person_once_per_association_still_holds_on_the_blind_index(old_families):
    url, engine = old_families
    command.upgrade(alembic_config("families", url), "head")
    with Session(engine) as session:
        session.add(FamilyMember(family_id=1, association_code="341181", name="又一个",
                                 id_number=ID, relation="child"))
        with pytest.raises(Exception, match="(?i)unique|duplicate"):
            session.commit()
