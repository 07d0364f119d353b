"""Whatever a client sends, the answer is never a 5xx: schemathesis generates requests
(valid and invalid) from the served OpenAPI document and sends them to the real system."""
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_OPERATION = 25


def test_no_request_gets_a_server_error(running_system):
    token = requests.post(running_system.url + "/api/v1/auth/token",
                          json={"username": "staff1", "password": "staff1-demo"},
                          timeout=10).json()["access_token"]
    schema = schemathesis.openapi.from_url(running_system.url + "/api/v1/openapi.json")
    tried = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)
        _fuzz(operation, token)
    assert len(tried) >= 15


def _fuzz(operation, token):
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]

    @given(case=st.one_of(*(operation.as_strategy(generation_mode=m) for m in modes)))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def send(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                               checks=[not_a_server_error])

    send()
