"""Insurance's personal data sealed at rest, on SQLite and PostgreSQL: the migration seals
what an older version kept in clear (an insured person's identity number and phone, a
claim's description and its payee's account number) and sets the blind index, a second run
changes nothing, and the model reads the clear values back, finds policies by identity
number and still keeps one active policy per person and product. The claim documents it
kept in clear in the blob store are sealed by the same upgrade (on PostgreSQL, moved into the
database store sealed)."""
from datetime import date

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.insurance.models import Claim, Policy
from shared.blobs import DatabaseStore, blob_store, digest_of
from shared.crypto import blind, seal_table, sealed_bytes_key_of, sealed_key_of
from shared.db import make_engine
from shared.migrate import alembic_config
from tests.family_data import resident

ID = resident(15)
PHONE = "13905508888"
DESCRIPTION = "住院治疗：急性阑尾炎，手术切除"
ACCOUNT = "6222021234567890123"


@pytest.fixture
def old_insurance(empty_url):
    """The insurance database as version 0007 left it, with a policy and a claim in clear."""
    url = empty_url
    command.upgrade(alembic_config("insurance", url), "0007")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO products (id, association_code, code, name, payout_fund_code, "
            "per_claim_cap_fen, per_year_cap_fen, waiting_days, term_days, categories, "
            "care_visit, care_visit_skills) VALUES (1, '341181', 'p1', '意外险', 'f1', "
            "100000, 500000, 0, 365, '[]', false, '[]')"))
        connection.execute(text(
            "INSERT INTO product_versions (id, product_id, version, terms, defined_by) "
            "VALUES (1, 1, 1, '{}', 'staff1')"))
        connection.execute(text(
            "INSERT INTO policies (id, association_code, policy_no, product_id, insured_name, "
            "insured_id_number, insured_phone, start_date, end_date, status, active_key, "
            "enrolled_by, product_version_id) VALUES (1, '341181', 'PL-341181-2026-000001', "
            "1, '王五', :id, :phone, '2026-01-01', '2026-12-31', 'active', 1, 'staff1', 1)"),
            {"id": ID, "phone": PHONE})
        connection.execute(text(
            "INSERT INTO claims (id, association_code, claim_no, policy_id, incident_date, "
            "amount_claimed_fen, description, status, flags, registered_by, payee_name, "
            "payee_bank, payee_account_no) VALUES (1, '341181', 'CL-1', 1, '2026-03-01', "
            "50000, :description, 'submitted', '[]', 'staff1', '王五', '工商银行', "
            ":account)"), {"description": DESCRIPTION, "account": ACCOUNT})
    yield url, engine
    engine.dispose()


def test_the_migration_seals_what_was_in_clear_and_the_model_reads_it_back(old_insurance):
    url, engine = old_insurance
    command.upgrade(alembic_config("insurance", url), "head")

    with engine.connect() as connection:
        policy = connection.execute(text(
            "SELECT insured_id_number, insured_phone, insured_id_index FROM policies")).one()
        claim = connection.execute(text(
            "SELECT description, payee_account_no FROM claims")).one()
    for value in (*policy[:2], *claim):
        assert sealed_key_of(value), value
    assert ID not in policy[0] and ACCOUNT not in claim[1]
    assert policy[2] == blind(ID, "id_number")

    with Session(engine) as session:
        found = session.scalars(select(Policy).where(
            Policy.insured_id_index == blind(ID, "id_number"))).one()
        assert (found.insured_id_number, found.insured_phone) == (ID, PHONE)
        read = session.get(Claim, 1)
        assert (read.description, read.payee_account_no) == (DESCRIPTION, ACCOUNT)
    with engine.begin() as connection:
        assert seal_table(connection, "policies", ("insured_id_number", "insured_phone"),
                          {"insured_id_index": ("insured_id_number", "id_number")}) == 1
        assert seal_table(connection, "claims", ("description", "payee_account_no")) == 0
        assert connection.execute(text("SELECT insured_phone FROM policies")).scalar_one() \
            == policy[1]  # sealed once, not again


def test_one_active_policy_per_person_and_product_still_holds_on_the_blind_index(
        old_insurance):
    url, engine = old_insurance
    command.upgrade(alembic_config("insurance", url), "head")
    with Session(engine) as session:
        session.add(Policy(association_code="341181", policy_no="PL-341181-2026-000002",
                           product_id=1, product_version_id=1, insured_name="王五",
                           insured_id_number=ID, start_date=date(2026, 2, 1),
                           end_date=date(2027, 1, 31), status="active", active_key=1,
                           enrolled_by="staff2"))
        with pytest.raises(Exception, match="(?i)unique|duplicate"):
            session.commit()


def test_the_upgrade_seals_the_claim_documents_kept_in_clear(empty_url, tmp_path, monkeypatch):
    monkeypatch.setenv("BLOB_DIR", str(tmp_path / "blobs"))
    command.upgrade(alembic_config("insurance", empty_url), "0008")
    paper = "出院小结：左股骨颈骨折".encode()
    digest = digest_of(paper)
    kept = tmp_path / "blobs" / digest[:2] / digest
    kept.parent.mkdir(parents=True)
    kept.write_bytes(paper)

    command.upgrade(alembic_config("insurance", empty_url), "head")
    if empty_url.startswith("sqlite"):  # the directory store, sealed in place
        assert sealed_bytes_key_of(kept.read_bytes()) and paper not in kept.read_bytes()
        assert blob_store().get(digest) == paper
        return
    engine = make_engine(empty_url)  # the database store, the file moved into it sealed
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT sealed FROM blobs")).scalar_one()
        assert sealed_bytes_key_of(bytes(stored)) and paper not in bytes(stored)
        assert DatabaseStore(engine).get(digest) == paper
    finally:
        engine.dispose()
