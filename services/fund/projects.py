"""Projects inside a fund: money given for one purpose, spent only through the project."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from services.fund import ledger, totals
from services.fund.domain import project_account
from services.fund.models import Fund, Project
from shared.errors import Conflict
from shared.paging import Page


@dataclass(frozen=True)
class ProjectMoney:
    """A project with what the ledger says it received (gifts less refunds) and spent."""
    project: Project
    received_fen: int
    spent_fen: int


def create(session: Session, association: str, fund_code: str, details: dict) -> ProjectMoney:
    fund = ledger.find_fund(session, association, fund_code, lock=True)
    project = Project(association_code=association, fund=fund, balance_fen=0, **details)
    try:
        with session.begin_nested():
            session.add(project)
    except IntegrityError:
        raise Conflict(f"Fund {fund.code} already has a project {details['code']}.",
                       "project_exists", {"code": ["Already used in this fund."]}) from None
    return ProjectMoney(project, 0, 0)


def listing(session: Session, association: str, fund_code: str) -> Page[ProjectMoney]:
    fund = ledger.find_fund(session, association, fund_code)
    found = list(session.scalars(select(Project).where(Project.fund_id == fund.id)
                                 .order_by(Project.code)))
    return Page(with_money(session, association, fund.code, found), len(found))


def of_association(session: Session, association: str) -> Page[Project]:
    """Every project of the association's funds, by fund and code, their funds loaded."""
    found = list(session.scalars(select(Project).join(Project.fund)
                                 .where(Project.association_code == association)
                                 .options(contains_eager(Project.fund))
                                 .order_by(Fund.code, Project.code)))
    return Page(found, len(found))


def with_money(session: Session, association: str, fund_code: str,
               found: list[Project]) -> list[ProjectMoney]:
    money = totals.by_account(session, association,
                              accounts=[project_account(fund_code, p.code) for p in found])
    with_totals = []
    for project in found:
        received, spent = totals.of_project(money, fund_code, project.code)
        with_totals.append(ProjectMoney(project, received, spent))
    return with_totals
