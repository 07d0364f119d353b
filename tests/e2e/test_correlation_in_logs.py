"""One HTTP request's correlation id appears in the structured log lines of every service
the request touched, through RPC and through events."""
import json
import time
import uuid

from tests.e2e.test_volunteers_over_http import approve_special_family_claim


def logged_ids(system, label) -> set:
    ids = set()
    for line in (system.log_dir / f"{label}.log").read_text(errors="replace").splitlines():
        if line.startswith("{"):
            ids.add(json.loads(line).get("correlation_id"))
    return ids


def test_a_requests_correlation_id_is_in_every_service_it_touched(running_system, anonymous):
    staff1 = anonymous.login("staff1")
    staff2 = anonymous.login("staff2")
    trace = f"trace-{uuid.uuid4()}"

    class Traced:
        def call(self, method, path, json=None, headers=None, **kwargs):
            return staff2.call(method, path, json, {**(headers or {}),
                                                    "X-Correlation-ID": trace}, **kwargs)

    approve_special_family_claim(staff1, Traced())  # gateway → insurance → fund, volunteers
    touched = ("gateway", "insurance-1", "fund-1", "volunteers-1")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        missing = [label for label in touched if trace not in logged_ids(running_system, label)]
        if not missing:
            break
        time.sleep(0.3)
    assert missing == []
    line = next(json.loads(raw) for raw in (running_system.log_dir / "fund-1.log")
                .read_text().splitlines() if trace in raw)
    assert {"time", "level", "logger", "message", "correlation_id"} <= set(line)
