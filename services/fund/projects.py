"""Projects inside a fund: money given for one purpose, spent only through the project."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.fund import ledger, totals
from services.fund.domain import project_account
from services.fund.models import Project
from services.fund.views import project_view
from shared.errors import Conflict


def create(session: Session, association: str, fund_code: str, body: dict) -> dict:
    fund = ledger.find_fund(session, association, fund_code, lock=True)
    project = Project(association_code=association, fund=fund, balance_fen=0, **body)
    try:
        with session.begin_nested():
            session.add(project)
    except IntegrityError:
        raise Conflict(f"Fund {fund.code} already has a project {body['code']}.",
                       "project_exists", {"code": ["Already used in this fund."]}) from None
    return project_view(project, 0, 0)


def listing(session: Session, association: str, fund_code: str) -> dict:
    fund = ledger.find_fund(session, association, fund_code)
    found = list(session.scalars(select(Project).where(Project.fund_id == fund.id)
                                 .order_by(Project.code)))
    return {"items": views(session, association, fund.code, found), "total": len(found)}


def views(session: Session, association: str, fund_code: str, found: list[Project]) -> list:
    rows = totals.by_account(session, association,
                             accounts=[project_account(fund_code, p.code) for p in found])
    return [project_view(p, *totals.of_project(rows, fund_code, p.code)) for p in found]
