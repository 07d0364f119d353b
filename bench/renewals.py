"""Renewing a village: policies renewed per second by `POST /api/v1/insurance/renewals`'s
work, the insurance service's renewals.renew() in one transaction.

    .venv/bin/python -m bench.renewals [--policies 5000]

A throwaway SQLite insurance database migrated to head, a product whose premium is shared by
a fund and the family, and `policies` policies of one village ending within the month
(written straight in SQL), renewed by village code, timed to the commit. `measure()` gives
the figures to `python -m bench`; the target is a village of 5 000 in 30 s."""
import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.insurance import products, renewals
from services.insurance.models import Policy
from shared.clock import local_date, now_utc
from shared.contracts.events import CATALOGUE
from shared.crypto import blind
from shared.db import EVENT_CATALOGUE, make_engine
from shared.identity import make_resident_id
from shared.migrate import upgrade

VILLAGE = "341181100201"
STAFF = {"username": "bench", "role": "staff", "association_code": "341181"}
PRODUCT = {"code": "BENCH", "name": "续保测试险", "payout_fund_code": "PAYOUT",
           "per_claim_cap_fen": 20_000, "per_year_cap_fen": 30_000, "waiting_days": 30,
           "term_days": 365, "premium_fen": 10_000,
           "premium_shares": [{"payer": "government", "share_pct": 60, "fund_code": "PREMIUMS"},
                              {"payer": "family", "share_pct": 40}]}


def measure(policies: int = 5_000) -> dict:
    with tempfile.TemporaryDirectory(prefix="phf-bench-renewals-") as directory:
        url = f"sqlite:///{Path(directory) / 'insurance.db'}"
        upgrade("insurance", url)
        engine = make_engine(url)
        _village(engine, policies)
        started = time.perf_counter()
        with Session(engine, info={EVENT_CATALOGUE: CATALOGUE}) as session, session.begin():
            made = renewals.renew(session, "341181", {"village_code": VILLAGE,
                                                      "product_code": "BENCH"}, STAFF)
        seconds = time.perf_counter() - started
        engine.dispose()
    renewed = sum(outcome.outcome == "renewed" for outcome in made)
    if renewed != policies:
        raise RuntimeError(f"{renewed} renewed of {policies}")
    return {"renewal_policies_per_s": policies / seconds, "renewal_policies": policies,
            "renewal_seconds": seconds}


def _village(engine, policies: int) -> None:
    """The product, and a village's policies ending within the month."""
    ends = local_date(now_utc()) + timedelta(days=20)
    with Session(engine) as session, session.begin():
        product = products.ensure(session, "341181", PRODUCT, STAFF)
        version_id = products.newest(session, product).id
        session.execute(insert(Policy.__table__), [{
            "association_code": "341181", "policy_no": f"PL-341181-2026-{n:06d}",
            "product_id": product.id, "product_version_id": version_id,
            "insured_name": f"参保人{n}", "insured_id_number": number,
            "insured_id_index": blind(number, "id_number"), "village_code": VILLAGE,
            "start_date": ends - timedelta(days=364), "end_date": ends, "status": "active",
            "active_key": 1, "enrolled_by": "bench"}
            for n, number in ((n, make_resident_id("341181", _born(n), n % 1000))
                              for n in range(policies))])


def _born(n: int) -> date:
    return date(1970, 1, 1) + timedelta(days=n // 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=5_000)
    figures = measure(parser.parse_args().policies)
    print(f"{figures['renewal_policies']} policies renewed in "
          f"{figures['renewal_seconds']:.1f} s: {figures['renewal_policies_per_s']:.0f}/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
