"""Every read of every service, asked by county B's logins about county A's records: a lookup
answers NotFound, as for a record that does not exist, and a listing, figure or page shows
B nothing of A's. County B has no records of its own, so anything B is shown is A's.
Each read is first asked by A's twin of the same login (same username, role, donor and
volunteer), who must be shown something: a read that shows nothing to A proves nothing."""
import json

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.seed import seed
from shared.errors import Forbidden, NotFound
from tests.service.conftest import config_for
from tests.service.county_a import CODE, county_a, twin
from tests.service.county_reads import (
    NEVER_FILLED,
    READS,
    SERVICES,
    UNSCOPED,
    WRITES,
    rpc_names,
)

B = "341182"
ROLES = ("staff", "admin", "auditor", "coordinator", "system", "donor", "volunteer")
# Figures that are not counts or money of records: the query's echo and the page's frame.
FRAME = {"year", "limit", "offset", "version", "product_version"}


def test_every_rpc_entrypoint_is_sorted_as_a_read_or_a_write():
    for service in SERVICES:
        sorted_ = set(READS[service.name]) | WRITES[service.name] | UNSCOPED
        assert rpc_names(service) - sorted_ == set(), \
            f"{service.name}: sort the new entrypoints into tests/service/county_reads.py"
        assert sorted_ - UNSCOPED - rpc_names(service) == set()
        assert not set(READS[service.name]) & WRITES[service.name]


@pytest.fixture
def province(postgres_url, runner_factory, rabbit_config):
    """Every service on a vhost of its own, with county A's demo records loaded; on
    PostgreSQL alone, the province's database (the same queries run on SQLite)."""
    config = config_for(rabbit_config, postgres_url, "fund", "insurance", "families",
                        "volunteers", "notifications")
    runner = runner_factory(config, *SERVICES)
    runner.start()
    seed({"AMQP_URI": config["AMQP_URI"], "DATABASE_URLS": {"gateway": postgres_url("gateway")}})
    with ClusterRpcProxy(config) as rpc:
        yield rpc, county_a(rpc)


def test_county_b_reads_nothing_of_county_a(province):
    rpc, a = province
    shown = [f"{service}.{name}: {problem}" for service, reads in READS.items()
             for name, read in reads.items()
             for problem in _asked_by_both(rpc, a, read, (service, name) in NEVER_FILLED)]
    assert not shown, "\n".join(shown)


def _asked_by_both(rpc, a, read, never_filled: bool) -> list[str]:
    """What B was shown of A's, by role; or that no login of A is shown anything."""
    problems, a_shown = [], False
    for role in ROLES:
        def as_(county, role=role):
            return read.call(rpc, a, twin(role, county, donor=a.donor, volunteer=a.volunteer))
        try:
            a_sees = as_(CODE)
        except (Forbidden, NotFound):  # not this role's to read, or not this login's record
            continue
        a_shown = a_shown or read.lookup or _something(a_sees)
        problem = _what_b_sees(lambda: as_(B), read, a_sees)
        if problem:
            problems.append(f"as {role}: {problem}")
    if a_shown or never_filled:
        return problems
    return ["no login of A is shown anything: it checks nothing"]


def _something(answer) -> bool:
    items = answer.get("items") if isinstance(answer, dict) else None
    return bool(items) or any(v for k, v in _numbers(answer) if k not in FRAME)


def _what_b_sees(ask_b, read, a_sees) -> str | None:
    try:
        b_sees = ask_b()
    except read.absent:
        return None
    if read.lookup:
        return f"answered {json.dumps(b_sees, ensure_ascii=False)[:200]}"
    if isinstance(b_sees, dict) and "items" in b_sees:
        b_sees = {**b_sees, "items": [i for i in b_sees["items"] if not read.own(i, B)]}
        b_sees.pop("total", None)
    if _something(b_sees):
        return f"shown {json.dumps(b_sees, ensure_ascii=False)[:300]}"
    return None


def _numbers(answer, key=None):
    """(key, number) for every number in the answer, however deep."""
    if isinstance(answer, dict):
        for k, v in answer.items():
            yield from _numbers(v, k)
    elif isinstance(answer, list):
        for v in answer:
            yield from _numbers(v, key)
    elif isinstance(answer, int | float) and not isinstance(answer, bool):
        yield key, answer
