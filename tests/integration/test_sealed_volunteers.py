"""The volunteers service's personal data sealed at rest, on SQLite and PostgreSQL: the
migration seals what version 0008 kept in clear (volunteers' and applicants' identity numbers
and phones, the addresses of care visits and of the families they go to) and sets the blind
index, a second run changes nothing, and the model reads the clear values back, finds people
by their identity numbers and keeps one person one volunteer and one pending application."""
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.volunteers.models import Application, FamilyHome, Visit, Volunteer
from shared.crypto import blind, seal_table, sealed_key_of
from shared.db import make_engine
from shared.migrate import alembic_config
from tests.family_data import resident

ID = resident(7)
APPLICANT = resident(8)
PHONE = "13905508888"
VISITED = "天长市铜城镇龙岗村77号"
HOME = "天长市秦栏镇胡桥村78号"
NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
def old_volunteers(empty_url):
    """The volunteers database as version 0008 left it, with people in clear: a volunteer,
    a pending application and a declined one of the same person, a visit, a family's home."""
    url = empty_url
    command.upgrade(alembic_config("volunteers", url), "0008")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO volunteers (association_code, name, id_number, phone, status, "
            "grassroots_code) VALUES ('341181', '王五', :id, :phone, 'active', '341181')"),
            {"id": ID, "phone": PHONE})
        for status in ("declined", "pending"):
            connection.execute(text(
                "INSERT INTO applications (association_code, name, id_number, phone, skills, "
                "status) VALUES ('341181', '申请人', :id, :phone, '[]', :status)"),
                {"id": APPLICANT, "phone": PHONE, "status": status})
        connection.execute(text(
            "INSERT INTO visits (id, association_code, trigger_key, trigger_event_id, "
            "family_name, address, reason, required_skills, starts_at, ends_at, status, "
            "volunteer_ids) VALUES (1, '341181', 'care:1', 'e1', '孙七', :address, '探访', "
            "'[]', :at, :at, 'open', '[]')"), {"address": VISITED, "at": NOON})
        connection.execute(text(
            "INSERT INTO family_homes (family_id, association_code, family_no, head_name, "
            "address, announced_at) VALUES (31, '341181', 'F-341181-0031', '李秀英', "
            ":address, :at)"), {"address": HOME, "at": NOON})
    yield url, engine
    engine.dispose()


def test_the_migration_seals_what_was_in_clear_and_the_model_reads_it_back(old_volunteers):
    url, engine = old_volunteers
    command.upgrade(alembic_config("volunteers", url), "head")

    with engine.connect() as connection:
        volunteer = connection.execute(text(
            "SELECT id_number, phone, id_index FROM volunteers")).one()
        applications = connection.execute(text(
            "SELECT id_number, phone, id_index FROM applications")).all()
        visited = connection.execute(text("SELECT address FROM visits")).scalar_one()
        home = connection.execute(text("SELECT address FROM family_homes")).scalar_one()
    for value in (*volunteer[:2], *(v for row in applications for v in row[:2]), visited,
                  home):
        assert sealed_key_of(value), value
    assert volunteer[2] == blind(ID, "id_number")
    assert {row[2] for row in applications} == {blind(APPLICANT, "id_number")}

    with Session(engine) as session:
        person = session.scalars(select(Volunteer).where(
            Volunteer.id_index == blind(ID, "id_number"))).one()
        assert (person.id_number, person.phone) == (ID, PHONE)
        assert {(a.id_number, a.phone) for a in session.scalars(select(Application))} == \
            {(APPLICANT, PHONE)}
        assert session.get(Visit, 1).address == VISITED
        assert session.get(FamilyHome, 31).address == HOME
    with engine.begin() as connection:
        assert seal_table(connection, "volunteers", ("id_number", "phone"),
                          {"id_index": ("id_number", "id_number")}) == 1  # the index again
        assert seal_table(connection, "visits", ("address",)) == 0
        assert connection.execute(text("SELECT phone FROM volunteers")).scalar_one() \
            == volunteer[1]  # sealed once, not again
    command.upgrade(alembic_config("volunteers", url), "head")  # at head: nothing to do


def test_one_volunteer_and_one_pending_application_per_person_hold_on_the_blind_index(
        old_volunteers):
    url, engine = old_volunteers
    command.upgrade(alembic_config("volunteers", url), "head")
    with Session(engine) as session:
        session.add(Volunteer(association_code="341181", name="又一个", id_number=ID,
                              phone=PHONE, grassroots_code="341181"))
        with pytest.raises(Exception, match="id_index"):
            session.commit()
    with Session(engine) as session:
        session.add(Application(association_code="341181", name="又一个",
                                id_number=APPLICANT, phone=PHONE, skills=[],
                                status="pending"))
        with pytest.raises(Exception, match="id_index"):
            session.commit()
    with Session(engine) as session:  # a decided application does not hold the person
        session.add(Application(association_code="341181", name="又一个",
                                id_number=APPLICANT, phone=PHONE, skills=[],
                                status="declined"))
        session.commit()
