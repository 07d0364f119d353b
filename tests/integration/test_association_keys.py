"""Every unique key includes the association's code, on SQLite and PostgreSQL: two counties
number their first receipt, pledge, policy, claim and family without clashing."""
import pytest
import sqlalchemy as sa

from shared.actors import sign
from shared.db import make_engine
from shared.migrate import SERVICES_WITH_DATABASES
from tests.family_data import family
from tests.insurance_data import ACCIDENT, claim, enrolment
from tests.service.conftest import RunningFamilies, config_for, run, run_saga

COUNTIES = ("341181", "341182")
# The system's own plumbing, keyed by what is unique in the whole install: an event's id
# (outbox, inbox), a chain's entry (audit log), a provider's send key (a UUID), a token, a
# login's name (one login page for every association), a keyed request's scope (it
# names the association already), a stored file's digest (the document naming it carries
# the association) and a throttle's hashed account or address.
PLUMBING = {"outbox", "processed_events", "audit_log", "audit_head", "sends", "users",
            "revoked_tokens", "token_uses", "idempotency_keys", "blobs", "throttles"}


def unique_keys(inspector, table: str) -> list[list[str]]:
    return ([unique["column_names"] for unique in inspector.get_unique_constraints(table)]
            + [index["column_names"] for index in inspector.get_indexes(table)
               if index["unique"]])


@pytest.mark.parametrize("service", SERVICES_WITH_DATABASES)
def test_every_unique_key_of_an_association_row_includes_its_code(service, database_url):
    engine = make_engine(database_url(service))
    inspector = sa.inspect(engine)
    tables = {name for name in inspector.get_table_names()
              if not name.startswith("alembic_version")} - PLUMBING
    for table in tables:
        assert "association_code" in {c["name"] for c in inspector.get_columns(table)}, table
        for columns in unique_keys(inspector, table):
            assert "association_code" in columns, (table, columns)
    engine.dispose()


def staff(county: str, role: str = "staff") -> dict:
    return sign({"username": f"{role}-{county}", "role": role, "association_code": county})


@pytest.fixture
def services(database_url, runner_factory, container_factory, rabbit_config):
    """Fund and insurance together, and families, on a fresh database each."""
    for saga in run_saga(runner_factory, config_for(rabbit_config, database_url, "fund",
                                                    "insurance")):
        for families in run(RunningFamilies, container_factory,
                            config_for(rabbit_config, database_url, "families")):
            yield saga, families


def test_two_counties_number_their_first_things_without_clashing(services):
    saga, families = services
    made = {}
    for county in COUNTIES:
        saga.fund.ensure_fund({"code": "PAYOUT", "name": "Payouts", "restricted": True},
                              staff(county, "admin"))
        donation = saga.fund.record_donation(
            {"fund_code": "PAYOUT", "amount_fen": 50_000, "channel": "bank",
             "donor": {"kind": "company", "name": "某公司",
                       "credit_code": "91350100M000100Y43"}}, None, staff(county))
        pledge = saga.fund.create_pledge(
            {"fund_code": "PAYOUT", "amount_fen": 1_000, "channel": "bank",
             "donor": {"kind": "company", "name": "某公司",
                       "credit_code": "91350100M000100Y43"}}, None, staff(county))
        saga.insurance.ensure_product(ACCIDENT, staff(county, "admin"))
        policy = saga.insurance.enrol(enrolment(1), staff(county))
        claimed = saga.insurance.submit_claim(claim(policy["policy_no"]), staff(county))
        registered = families.rpc.register_family(family(1, village=f"{county}100001"),
                                                 staff(county))
        made[county] = {"receipt": donation["receipt_no"], "pledge": pledge["pledge_no"],
                        "policy": policy["policy_no"], "claim": claimed["claim_no"],
                        "family": registered["family_no"]}
    first, second = (made[county] for county in COUNTIES)
    for kind in first:
        assert COUNTIES[0] in first[kind] and COUNTIES[1] in second[kind], kind
    # Counted per association: each county's first receipt and family are its number one.
    assert first["receipt"].replace(COUNTIES[0], COUNTIES[1]) == second["receipt"]
    assert first["family"].replace(COUNTIES[0], COUNTIES[1]) == second["family"]
