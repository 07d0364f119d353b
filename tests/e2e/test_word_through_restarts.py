"""A claim registered, approved and paid tells the insured person by exactly one SMS a step,
though the broker is restarted after the first and the notifications service is SIGKILLed
while Aliyun holds the second: the whole system on a broker of its own, SMS through Aliyun's
SDK to the local stand-in for its API (tests/fake_providers.py)."""
import time
from datetime import timedelta

import pytest

from deploy.processes import SERVICES, System, free_port
from deploy.seed import seed
from tests.e2e.test_broker_restarts import Api, new_claims_product
from tests.fake_providers import FakeProviders
from tests.insurance_data import TODAY, claim, person
from tests.private_broker import PrivateBroker
from tests.support import wait_until

RUNS_ALONE = True  # tests/parallel.py: it restarts the broker and kills a service mid-send

PHONE = "13912340090"
STEPS = ["SMS_PHF_CLAIM_APPROVED", "SMS_PHF_CLAIM_PAID", "SMS_PHF_CLAIM_SUBMITTED"]


@pytest.fixture(scope="module")
def broker():
    node = PrivateBroker(port=5676, name="phf-word")  # ports of its own, as the others'
    node.start()
    yield node
    node.remove()


@pytest.fixture(scope="module")
def providers():
    fakes = FakeProviders()
    yield fakes
    fakes.stop()


@pytest.fixture(scope="module")
def system(broker, providers, tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    system = System(port=free_port(), log_dir=var / "logs", env={
        "AMQP_URI": broker.uri, "PHF_VAR_DIR": str(var), **providers.env,
        "SEND_TIMEOUT_SECONDS": "1", "QUIET_HOURS": ""})
    system.migrate()
    system.start()
    try:
        system.wait_healthy()
        seed({"AMQP_URI": broker.uri,
              "DATABASE_URLS": {"gateway": f"sqlite:///{var / 'gateway.db'}"}})
        yield system
    finally:
        system.stop(timeout=0.5)


def templates(providers) -> list[str]:
    return sorted(sms["template"] for sms in providers.sms() if sms["phone"] == PHONE)


def answered(call, done_before: str | None = None) -> bool:
    """A call that may meet the broker still coming back (503) until it answers. A call
    answered 503 may still have been done (its request reached the service, the answer was
    lost with the connection): tried again, it is refused with `done_before`'s code."""
    response = call()
    if done_before is not None and response.status_code == 409:
        assert response.json()["code"] == done_before, response.text
        return True
    assert response.status_code in (200, 201, 503), response.text
    return response.status_code != 503


def test_one_sms_a_step_of_a_claim_through_a_broker_restart_and_a_kill(system, broker,
                                                                       providers):
    admin, staff1, staff2 = (Api(system.url, u) for u in ("admin", "staff1", "staff2"))
    product = new_claims_product(admin, staff1)
    policy = staff1.ok("POST", "/api/v1/insurance/policies", 201, json={
        "product_code": product, "insured": {**person(90), "phone": PHONE},
        "start_date": (TODAY - timedelta(days=100)).isoformat()})
    submitted = staff1.ok("POST", "/api/v1/insurance/claims", 201,
                          json=claim(policy["policy_no"], 3_000))
    wait_until(lambda: templates(providers) == ["SMS_PHF_CLAIM_SUBMITTED"], timeout=30)

    broker.stop()
    time.sleep(1.5)  # long enough for every process to notice
    broker.start()
    providers.behave(sms="hold")  # Aliyun takes the next SMS and never answers
    approve = f"/api/v1/insurance/claims/{submitted['id']}/approve"
    wait_until(lambda: answered(lambda: staff2.call("POST", approve,
                                                    json={"amount_approved_fen": 3_000}),
                                done_before="illegal_transition"),
               timeout=60, interval=0.5)
    wait_until(lambda: "SMS_PHF_CLAIM_APPROVED" in templates(providers), timeout=60)
    system.kill("notifications-1")  # between Aliyun taking it and the service recording it
    providers.behave(sms="ok")
    system.start_one("notifications-1", SERVICES["notifications"])

    wait_until(lambda: staff1.ok("GET", f"/api/v1/insurance/claims/{submitted['id']}")
               ["status"] == "paid", timeout=60, interval=0.5)
    wait_until(lambda: templates(providers) == STEPS, timeout=60,
               failure=lambda: f"{templates(providers)}"
                               f"{system.log_tail('notifications-1')}")
    time.sleep(2)  # nothing more comes
    assert templates(providers) == STEPS
