"""What replicas must share, they share, with real processes: two insurance processes, each
with a BLOB_DIR of its own, on one PostgreSQL database (the documents' store is the
database), and two gateway processes on one gateway database, each on a port of its own.
A document uploaded through either is read through both; failed logins spread over both
gateways are held back together."""
import uuid

import pytest
import requests
from sqlalchemy import text

from deploy.processes import GATEWAY, SERVICES, free_port
from tests.conftest import PG_URL, _drop
from tests.e2e.conftest import Client, whole_system
from tests.e2e.test_claims_documents_over_http import PDF, product_requiring_an_invoice, upload
from tests.e2e.test_insurance_over_http import enrol_and_claim
from tests.support import assert_problem, wait_until

RUNS_ALONE = True  # tests/parallel.py: it starts second processes and waits for them

DOCUMENTS = 12


@pytest.fixture(scope="module")
def replicas(vhost_pipeline, request, tmp_path_factory):
    from shared.db import make_engine
    schema = f"t_insurance_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    var = tmp_path_factory.mktemp("var")
    env = {"INSURANCE_DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{schema}",
           "BLOB_DIR": str(var / "blobs-1"), "LOGIN_FAILURES_PER_ACCOUNT": "3"}
    try:
        with whole_system(vhost_pipeline, request.config, var, env=env) as system:
            system.start_one("insurance-2", SERVICES["insurance"],
                             {"BLOB_DIR": str(var / "blobs-2")})
            port = free_port()
            system.start_one("gateway-2", GATEWAY, {"WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"})
            second = f"http://127.0.0.1:{port}"
            wait_until(lambda: _answers(second), timeout=90, interval=0.3)
            yield system, second, var
    finally:
        _drop(admin, schema)
        admin.dispose()


def _answers(base: str) -> bool:
    try:
        return requests.get(base + "/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def handled(system, label: str, method: str) -> int:
    lines = (system.log_dir / f"{label}.log").read_text(errors="replace").splitlines()
    return sum(1 for line in lines if line.startswith("{") and f"handled {method}" in line)


def test_a_document_uploaded_through_one_replica_is_read_through_the_other(replicas):
    system, _, var = replicas
    anonymous = Client(system.url)
    admin, staff, auditor = (anonymous.login(u) for u in ("admin", "staff1", "auditor1"))
    product, _ = product_requiring_an_invoice(admin)
    claims = [enrol_and_claim(staff, product, 400 + n)["id"] for n in range(DOCUMENTS)]
    papers = {claim: PDF + f"% claim {claim}\n".encode() for claim in claims}
    digests = {}
    for claim, paper in papers.items():
        stored = upload(staff, claim, paper)
        assert stored.status_code == 201, stored.text
        digests[claim] = stored.json()["documents"][0]["sha256"]
    # Each upload went to one replica or the other; both took some.
    assert all(handled(system, label, "attach_document") for label in ("insurance-1",
                                                                       "insurance-2"))
    for _ in range(2):  # each read goes to either replica: every one is found
        for claim, paper in papers.items():
            found = auditor.call("GET",
                                 f"/api/v1/insurance/claims/{claim}/documents/{digests[claim]}")
            assert (found.status_code, found.content) == (200, paper)
    assert all(handled(system, label, "get_document") for label in ("insurance-1",
                                                                    "insurance-2"))
    # Nothing on either replica's own disk.
    assert not [p for d in ("blobs-1", "blobs-2") for p in (var / d).rglob("*") if p.is_file()]


def test_failed_logins_spread_over_two_gateways_are_held_back_together(replicas):
    system, second, _ = replicas
    bases = [system.url, second]

    def login(base, password):
        return requests.post(base + "/api/v1/auth/token", timeout=30,
                             json={"username": "staff3", "password": password})

    for n in range(4):  # two on each: together past the allowance of three
        assert login(bases[n % 2], "wrong").status_code == 401
    for base in bases:
        held = login(base, "staff3-demo")
        assert_problem(held, 429, "too_many_requests")
        assert int(held.headers["Retry-After"]) >= 1
