"""The public disclosure kept by the gateways, over HTTP, with two gateway processes on one
system: every answer (the page and the three API answers) carries an ETag and a short
max-age, and a client holding it gets 304 with no body; a reader's second request does not
reach the fund; a payment shows through both gateways within 5 s although each keeps its
answers for a minute here (so only the fund's event can have dropped them); another
association's answers are left as they were and show nothing of it; bad codes and queries
are refused as before, and nothing refused is kept. Each gateway process hears the fund on
a queue of its own, which goes with the process."""
import random
import uuid
from urllib.parse import quote, urlsplit

import pytest
import requests

from deploy.processes import GATEWAY, free_port
from shared.money import yuan
from tests.e2e.conftest import Client
from tests.support import assert_problem, wait_until

RUNS_ALONE = True  # tests/parallel.py: it starts a second gateway and times what it shows

# Answers live a minute here: a change seen within 5 s was seen through the fund's event.
ENV = {"PUBLIC_CACHE_SECONDS": "60"}
ASSOCIATION = "341181"
NEIGHBOUR = "341122"  # the demo's other county
SHOWN_WITHIN_SECONDS = 5


def answers(code: str) -> dict[str, str]:
    return {"page": f"/public/{code}", "funds": f"/api/v1/public/{code}/funds",
            "disbursements": f"/api/v1/public/{code}/disbursements?limit=20",
            "spending": f"/api/v1/public/{code}/spending"}


@pytest.fixture(scope="module")
def gateways(running_system):
    """The system's gateway and a second one on a port of its own."""
    port = free_port()
    running_system.start_one("gateway-2", GATEWAY, {"WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"})
    second = f"http://127.0.0.1:{port}"
    wait_until(lambda: _ready(second), timeout=90, interval=0.3)
    return [running_system.url, second]


def _ready(base: str) -> bool:
    try:
        return requests.get(base + "/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def get(base: str, path: str, **headers) -> requests.Response:
    return requests.get(base + path, headers=headers, timeout=30)


def fund_calls(system, method: str) -> int:
    """How many times the fund answered `method` so far (its work log says each)."""
    lines = (system.log_dir / "fund-1.log").read_text(errors="replace").splitlines()
    return sum(1 for line in lines if line.startswith("{") and f'"handled {method}"' in line)


def test_every_answer_carries_its_etag_and_a_client_holding_it_gets_304(gateways):
    for path in answers(ASSOCIATION).values():
        tags = set()
        for base in gateways:
            first = get(base, path)
            assert first.status_code == 200, first.text
            assert first.headers["Cache-Control"] == "public, max-age=2"
            etag = first.headers["ETag"]
            held = get(base, path, **{"If-None-Match": etag})
            assert held.status_code == 304 and held.content == b"", held.text
            assert held.headers["ETag"] == etag
            assert get(base, path, **{"If-None-Match": '"another"'}).status_code == 200
            tags.add(etag)
        assert len(tags) == 1, (path, tags)  # a digest of the body: the same on every process


def test_a_readers_second_request_does_not_reach_the_fund(running_system, gateways):
    base = gateways[0]
    path = f"/api/v1/public/{ASSOCIATION}/spending?from=2020-01-01"
    assert get(base, path).status_code == 200
    wait_until(lambda: fund_calls(running_system, "public_spending"), timeout=5)
    before = fund_calls(running_system, "public_spending")
    for _ in range(5):
        assert get(base, path).status_code == 200
    assert get(base, path.replace("2020-01-01", "2020-01-02")).status_code == 200
    # Only the other period was asked of the fund.
    wait_until(lambda: fund_calls(running_system, "public_spending") == before + 1, timeout=5,
               failure=lambda: f"{fund_calls(running_system, 'public_spending') - before} calls")


def test_the_page_is_kept_for_each_language(gateways):
    base = gateways[0]
    chinese = get(base, f"/public/{ASSOCIATION}", **{"Accept-Language": "zh-CN"})
    english = get(base, f"/public/{ASSOCIATION}", **{"Accept-Language": "en"})
    assert '<html lang="zh-CN">' in chinese.text and '<html lang="en">' in english.text
    assert "How the money is used" in english.text and "How the money is used" not in chinese.text
    assert chinese.headers["ETag"] != english.headers["ETag"]
    assert "Accept-Language" in english.headers["Vary"] and "Cookie" in english.headers["Vary"]
    by_cookie = requests.get(base + f"/public/{ASSOCIATION}", cookies={"phf_lang": "en"},
                             headers={"Accept-Language": "zh-CN"}, timeout=30)
    assert by_cookie.headers["ETag"] == english.headers["ETag"]


def figures(base: str, code: str) -> dict:
    funds = get(base, f"/api/v1/public/{code}/funds").json()["items"]
    paid = get(base, f"/api/v1/public/{code}/disbursements?limit=20").json()
    spending = get(base, f"/api/v1/public/{code}/spending").json()
    return {"spent_fen": {fund["code"]: fund["spent_fen"] for fund in funds},
            "payments": paid["total"], "amounts": [d["amount_fen"] for d in paid["items"]],
            "by_category": {row["key"]: row["amount_fen"] for row in spending["by_category"]},
            "page": get(base, f"/public/{code}", **{"Accept-Language": "en"}).text}


def test_a_payment_shows_through_every_gateway_within_5_s_and_nowhere_else(anonymous,
                                                                             gateways):
    staff1, staff2 = anonymous.login("staff1"), anonymous.login("staff2")
    before = {base: figures(base, ASSOCIATION) for base in gateways}  # kept now
    neighbour = {base: {name: get(base, path) for name, path in answers(NEIGHBOUR).items()}
                 for base in gateways}
    amount = random.choice([fen for fen in range(1_001, 9_999)
                            if yuan(fen) not in before[gateways[0]]["page"]])

    asked = staff1.call("POST", "/api/v1/disbursements", {
        "fund_code": "GENERAL", "category": "poverty_relief", "amount_fen": amount,
        "purpose": "困难家庭救助 relief", "payee": {"name": "陈公开"},
        "reference": f"public-{uuid.uuid4().hex[:8]}"})
    assert asked.status_code == 201, asked.text
    approved = staff2.call("POST", f"/api/v1/disbursements/{asked.json()['id']}/approve")
    assert approved.json()["status"] == "paid", approved.text

    for base in gateways:
        was = before[base]

        def shown(base=base, was=was):
            now = figures(base, ASSOCIATION)
            return (now["spent_fen"]["GENERAL"] == was["spent_fen"]["GENERAL"] + amount
                    and now["payments"] == was["payments"] + 1
                    and now["amounts"][0] == amount
                    and now["by_category"].get("poverty_relief", 0)
                    == was["by_category"].get("poverty_relief", 0) + amount
                    and yuan(amount) in now["page"])

        wait_until(shown, timeout=SHOWN_WITHIN_SECONDS, interval=0.2,
                   failure=lambda base=base: f"not shown through {base}")

    for base in gateways:  # the other county's answers: as they were, the same ETags
        for name, path in answers(NEIGHBOUR).items():
            etag = neighbour[base][name].headers["ETag"]
            assert get(base, path, **{"If-None-Match": etag}).status_code == 304, (base, name)
            assert yuan(amount) not in get(base, path, **{"Accept-Language": "en"}).text


def test_bad_codes_and_queries_are_refused_as_before_and_not_kept(gateways):
    base = gateways[0]
    for code in ("34118x", "3411811", "３４１１８１"):
        refused = get(base, f"/api/v1/public/{code}/funds")
        body = assert_problem(refused, 404, "association_not_found")
        assert "association_code" in body["errors"]
        assert refused.headers["Cache-Control"] == "no-store" and "ETag" not in refused.headers
        page = get(base, f"/public/{code}")
        assert page.status_code == 404 and "ETag" not in page.headers
    for query, field in (("from=not-a-day", "from"), ("limit=0", "limit"),
                         ("from=2026-02-01&to=2026-01-01", "to")):
        for route in ("disbursements", "spending"):
            refused = get(base, f"/api/v1/public/{ASSOCIATION}/{route}?{query}")
            assert field in assert_problem(refused, 422, "invalid_input")["errors"], query
            assert refused.headers["Cache-Control"] == "no-store"
    nothing = Client(base).call("GET", f"/api/v1/public/{ASSOCIATION}/funds",
                                headers={"If-None-Match": '"not-a-tag"'})
    assert nothing.status_code == 200 and nothing.json()["items"]


def test_each_gateway_process_hears_on_a_queue_of_its_own_gone_with_it(running_system,
                                                                      gateways, request):
    api = urlsplit(request.config.getoption("RABBIT_API_URI"))
    vhost = urlsplit(running_system.env["AMQP_URI"]).path.lstrip("/")

    def queues() -> list[dict]:
        listed = requests.get(f"{api.scheme}://{api.hostname}:{api.port}/api/queues/"
                              f"{quote(vhost, safe='')}", timeout=30,
                              auth=(api.username or "guest", api.password or "guest"))
        listed.raise_for_status()
        return [q for q in listed.json()
                if q["name"].startswith("evt-fund-disbursement_paid--gateway.")]

    heard = queues()
    assert len(heard) == 2, [q["name"] for q in heard]
    assert all((q["durable"], q["auto_delete"], q["exclusive"], q["arguments"]) ==
               (False, True, False, {"x-queue-type": "classic"}) for q in heard), heard
    running_system.kill("gateway-2")
    wait_until(lambda: len(queues()) == 1, timeout=30,
               failure=lambda: str([(q["name"], q.get("consumers"), q.get("owner_pid_details"))
                                    for q in queues()]))
