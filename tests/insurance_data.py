"""Products, people and claims the insurance tests share."""
from datetime import date, timedelta

from shared.clock import local_today
from shared.identity import make_resident_id

ACCIDENT = {"code": "ACCIDENT", "name": "独生子女意外伤害保险", "payout_fund_code": "PAYOUT",
            "per_claim_cap_fen": 20_000, "per_year_cap_fen": 30_000, "waiting_days": 30,
            "term_days": 365, "min_age": 0, "max_age": 60, "categories": ["only_child"],
            "care_visit": False, "care_visit_skills": []}
TODAY = local_today()


def person(n: int = 1, born: date = date(1990, 5, 1)) -> dict:
    return {"name": f"参保人{n}", "id_number": make_resident_id("341181", born, n)}


def enrolment(n: int = 1, start: date | None = None, **extra) -> dict:
    start = start or TODAY - timedelta(days=100)
    return {"product_code": "ACCIDENT", "insured": person(n), "start_date": start.isoformat(),
            "family_category": "only_child", **extra}


def claim(policy_no: str, amount: int = 5_000, days_ago: int = 10) -> dict:
    return {"policy_no": policy_no, "amount_claimed_fen": amount, "description": "骨折",
            "incident_date": (TODAY - timedelta(days=days_ago)).isoformat()}
