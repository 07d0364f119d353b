"""The fund's personal data sealed at rest, on SQLite and PostgreSQL: the migration seals what
an older version kept in clear (donors' identity numbers and phones, payees' identity
numbers) and sets the donors' blind indexes, a second run seals nothing twice, and the
service finds the donors it had by identity number or phone, one per identity number still.
An organisation's credit code is public and stays in clear."""

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.fund import donors
from services.fund.models import Disbursement, Donor
from shared.crypto import blind, seal_table, sealed_key_of
from shared.db import make_engine
from shared.migrate import alembic_config
from tests.family_data import resident

ID = resident(7)
PAYEE = resident(8)
PHONE = "13905508888"
CREDIT_CODE = "91350100M000100Y43"
COUNTY = "341181"
STAFF = {"username": "staff1", "role": "staff", "association_code": COUNTY}


@pytest.fixture
def old_fund(empty_url):
    """The fund database as version 0010 left it, migrated to the head, with a person, a
    company and a payee that were in clear."""
    url = empty_url
    command.upgrade(alembic_config("fund", url), "0010")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO donors (id, association_code, kind, name, id_number, phone) "
            "VALUES (1, :county, 'person', '王五', :id, :phone)"),
            {"county": COUNTY, "id": ID, "phone": PHONE})
        connection.execute(text(
            "INSERT INTO donors (id, association_code, kind, name, credit_code, phone) "
            "VALUES (2, :county, 'company', '某公司', :code, NULL)"),
            {"county": COUNTY, "code": CREDIT_CODE})
        connection.execute(text(
            "INSERT INTO funds (id, association_code, code, name, restricted, balance_fen, "
            "in_kind_fen, allowed_categories) VALUES (1, :county, 'general', '综合', false, "
            "0, 0, '[]')"), {"county": COUNTY})
        connection.execute(text(
            "INSERT INTO disbursements (id, association_code, fund_id, amount_fen, purpose, "
            "payee_name, payee_id_number, status, requested_by) VALUES (1, :county, 1, 100, "
            "'帮扶', '赵六', :payee, 'requested', 'staff1')"), {"county": COUNTY, "payee": PAYEE})
    command.upgrade(alembic_config("fund", url), "head")
    yield engine
    engine.dispose()


def test_the_migration_seals_what_was_in_clear_and_the_model_reads_it_back(old_fund):
    with old_fund.connect() as connection:
        person = connection.execute(text(
            "SELECT id_number, phone, id_index, phone_index FROM donors WHERE id = 1")).one()
        company = connection.execute(text(
            "SELECT credit_code, id_index, phone_index FROM donors WHERE id = 2")).one()
        payee = connection.execute(text(
            "SELECT payee_id_number FROM disbursements")).scalar_one()
    for value in (*person[:2], payee):
        assert sealed_key_of(value), value
    assert ID not in person[0] and PHONE not in person[1] and PAYEE not in payee
    assert person[2:] == (blind(ID, "id_number"), blind(PHONE, "phone"))
    assert tuple(company) == (CREDIT_CODE, None, None)

    with Session(old_fund) as session:
        donor = session.scalars(select(Donor).where(
            Donor.id_index == blind(ID, "id_number"))).one()
        assert (donor.id_number, donor.phone) == (ID, PHONE)
        assert session.get(Disbursement, 1).payee_id_number == PAYEE
    with old_fund.begin() as connection:
        seal_table(connection, "donors", ("id_number", "phone"),
                   {"id_index": ("id_number", "id_number"), "phone_index": ("phone", "phone")})
        assert tuple(connection.execute(text(
            "SELECT id_number, phone FROM donors WHERE id = 1")).one()) == tuple(person[:2])


def test_the_donors_it_had_are_found_by_identity_number_or_phone(old_fund):
    with Session(old_fund) as session:
        by_id = donors.ensure(session, COUNTY, {"kind": "person", "name": "王五",
                                                "id_number": ID}, STAFF)
        by_phone = donors.ensure(session, COUNTY, {"kind": "person", "name": "王五",
                                                   "phone": PHONE}, STAFF)
        [in_batch] = donors.find_or_create_many(session, COUNTY, [
            {"kind": "person", "name": "王五", "id_number": ID, "phone": PHONE}], STAFF)
        company = donors.ensure(session, COUNTY, {"kind": "company", "name": "某公司",
                                                  "credit_code": CREDIT_CODE,
                                                  "phone": "05505550000"}, STAFF)
        session.commit()
        assert by_id.id == by_phone.id == in_batch.id == 1 and company.id == 2
        assert session.get(Donor, 2).phone_index == blind("05505550000", "phone")
        assert session.scalar(select(Donor.id).where(donors.holds("phone", "05505550000"))) \
            == 2


def test_one_donor_per_identity_number_still_holds_on_the_blind_index(old_fund):
    with Session(old_fund) as session, session.begin():
        with pytest.raises(Exception, match="(?i)unique|duplicate"), session.begin_nested():
            session.execute(Donor.__table__.insert(), {
                "association_code": COUNTY, "kind": "person", "name": "又一个",
                "id_number": ID, "id_index": blind(ID, "id_number")})
        with pytest.raises(Exception, match="(?i)unique|duplicate"), session.begin_nested():
            session.execute(Donor.__table__.insert(), {
                "association_code": COUNTY, "kind": "company", "name": "又一家",
                "credit_code": CREDIT_CODE})
