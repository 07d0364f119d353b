"""Every service process serves Prometheus metrics: requests handled with their durations,
events published and consumed, and the outbox backlog."""
import requests

from tests.support import wait_until

OWN_SYSTEM = True  # it kills services, which no other module should see


def scrape(system, label) -> str:
    return requests.get(f"http://127.0.0.1:{system.metrics_ports[label]}/metrics",
                        timeout=5).text


def test_each_service_reports_its_work(running_system, anonymous):
    staff = anonymous.login("staff1")
    staff.call("POST", "/api/v1/donations", {"fund_code": "GENERAL", "amount_fen": 100,
                                             "channel": "cash",
                                             "donor": {"kind": "person", "name": "指标"}})

    def published_and_idle():
        # The relay publishes, then samples the backlog when it is idle again.
        text = scrape(running_system, "fund-1")
        return text if "fund.donation_recorded" in text and "phf_outbox_backlog 0.0" in text \
            else None

    fund = wait_until(published_and_idle, timeout=15)
    assert 'phf_worker_total{entrypoint="record_donation",outcome="ok",service="fund"}' in fund
    assert 'phf_worker_seconds_count{entrypoint="record_donation",service="fund"}' in fund
    assert 'phf_events_published_total{event_type="fund.donation_recorded"}' in fund
    assert "phf_outbox_backlog 0.0" in fund
    gateway = scrape(running_system, "gateway")
    assert 'entrypoint="record_donation",outcome="ok",service="gateway"' in gateway
    insurance = scrape(running_system, "insurance-1")
    assert 'phf_events_consumed_total{queue="evt-fund-disbursement_paid' in insurance


def test_healthz_names_the_service_that_does_not_answer(running_system, anonymous):
    running_system.kill("volunteers-1")
    health = anonymous.call("GET", "/healthz")
    assert health.status_code == 503
    services = health.json()["services"]
    assert services["volunteers"].startswith("down")
    assert {services[s] for s in ("gateway", "fund", "insurance")} == {"ok"}
