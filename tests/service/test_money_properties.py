"""Money, as a property: random sequences of gifts (cash and in kind, for a fund or one of its
projects), pledges confirmed or notified with right and wrong amounts, refunds, disbursements
requested and approved under four eyes, and claim payouts that wait for money — straight
against the use-case functions on a migrated SQLite database, each operation in its own
transaction. After every step the ledger, the funds' and projects' balances, the public
totals and a plain-Python model of what should have happened must all agree.

One database per test run. Every hypothesis example runs on one connection inside an outer
transaction that its teardown rolls back, and each operation runs in a session of its own
joined to it through a savepoint (`join_transaction_mode="create_savepoint"`): committed by
the operation, rolled back by its domain error, exactly as its own transaction would be, yet
no example sees another's money, receipt numbers or admin costs, and examples do not slow
down as the run goes on.
The funds' codes still come from a counter, and only those funds are checked."""
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.fund import claim_payouts, disbursements, disclosure, donations, pledges, projects
from services.fund.donations import KeyedGift
from services.fund.models import (
    AccountMonth,
    Disbursement,
    Donation,
    Fund,
    LedgerLine,
    LedgerTransaction,
    Pledge,
    Project,
)
from services.fund.views import (
    disbursement_view,
    donation_view,
    import_report_view,
    pledge_view,
    public_fund_view,
)
from shared.contracts.events import CATALOGUE
from shared.contracts.fund import (
    ADMIN_COST,
    CASH_CHANNELS,
    IN_KIND,
    ONLINE_CHANNELS,
    DisbursementIn,
    DonationIn,
    FundIn,
    PledgeIn,
)
from shared.db import EVENT_CATALOGUE, make_engine
from shared.errors import Conflict, DomainError, Forbidden, InvalidInput

ASSOCIATION = "341181"
# As the service loads them: each of the association (its audit log names it).
STAFF = [{"username": f"staff{n}", "role": "staff", "association_code": ASSOCIATION}
         for n in (1, 2, 3)]
PUBLIC = {"username": "public", "role": "public", "association_code": ASSOCIATION}
DONORS = [{"kind": "person", "name": "张三", "id_number": "11010519491231002X"},
          {"kind": "company", "name": "某公司", "credit_code": "91350100M000100Y43"},
          {"kind": "person", "name": "李梅", "phone": "13900001111"}]
PROJECT_CODES = ("PA", "PB")
RESTRICTED_CATEGORIES = ["elderly_care", "insurance_payout"]
ASKED_CATEGORIES = ("elderly_care", "poverty_relief", "insurance_payout", ADMIN_COST)
RECEIVED_KINDS = ("donation", "refund")
SPENT_KINDS = ("disbursement",)

EXAMPLES = itertools.count(1)  # fund codes of one example: U0001, R0001
SERIALS = itertools.count(1)  # payment ids and claim ids, unique over the run

amounts = st.one_of(st.sampled_from([100, 1_000, 2_500, 5_000]), st.integers(1, 12_000))
# A payment's size: a number, or a share of what its project (or the fund's free cash) holds
# when it is asked for, so that payments are often possible and sometimes just too big.
sizes = st.one_of(st.sampled_from(["half", "all", "all+1"]), amounts)
staff = st.sampled_from(STAFF)
rarely = st.sampled_from([False, False, False, True])  # mostly someone else, as it should be
kinds = st.sampled_from(["U", "R"])
project_choice = st.sampled_from((None,) + PROJECT_CODES)


@dataclass
class FundModel:
    code: str
    restricted: bool
    allowed: list
    balance: int = 0  # cash, its projects' included
    in_kind: int = 0
    projects: dict = field(default_factory=lambda: dict.fromkeys(PROJECT_CODES, 0))
    waiting: list = field(default_factory=list)  # claim payouts, oldest first

    @property
    def free(self) -> int:
        """Cash no project holds: all a payment without a project may use."""
        return self.balance - sum(self.projects.values())


@dataclass
class DonationModel:
    id: int
    fund: FundModel
    project: str | None
    channel: str
    amount: int
    recorded_by: str
    refunded: bool = False


@dataclass
class PledgeModel:
    id: int
    pledge_no: str
    fund: FundModel
    project: str | None
    channel: str
    amount: int
    status: str = "pending"
    txn: str | None = None


@dataclass
class DisbursementModel:
    id: int
    fund: FundModel
    project: str | None
    category: str
    amount: int
    requested_by: str
    status: str


def admin_fits(session, amount: int) -> bool:
    """Whether `amount` more admin cost keeps the association's paid admin costs at most a
    tenth of its paid spending (all its funds; everything here was paid this year)."""
    spent = admin = 0
    for category, total in session.execute(
            select(Disbursement.category, func.sum(Disbursement.amount_fen))
            .where(Disbursement.association_code == ASSOCIATION, Disbursement.status == "paid")
            .group_by(Disbursement.category)):
        spent += total
        admin += total if category == ADMIN_COST else 0
    return (admin + amount) * 10 <= spent + amount


def colleague(username: str, same: bool) -> dict:
    """The staff user who did the first step (`same`), or another one."""
    if same and username in [u["username"] for u in STAFF]:
        return next(u for u in STAFF if u["username"] == username)
    return next(u for u in STAFF if u["username"] != username)


def refused(answer, kind=DomainError, *codes) -> bool:
    return isinstance(answer, kind) and (not codes or answer.code in codes)


def money_arrived(answer, how: str) -> None:
    """Money that has arrived is always recorded, whatever the fund owes (one check, so
    hypothesis shrinks every way of breaking it as one failure)."""
    assert not refused(answer), f"{how} was refused: {show(answer)}"


def show(answer) -> str:
    if isinstance(answer, DomainError):
        return f"{type(answer).__name__}({answer.code}: {answer.message})"
    return repr(answer)


class MoneyMachine(RuleBasedStateMachine):
    engine = None  # set by the test, one migrated database per run

    donations = Bundle("donations")
    pledges = Bundle("pledges")
    disbursements = Bundle("disbursements")

    def __init__(self):
        super().__init__()
        self.connection = self.engine.connect()
        self.example = self.connection.begin()  # rolled back by teardown
        self.funds: dict[str, FundModel] = {}
        self.txns: dict[str, int] = {}  # payment id -> the pledge it confirmed

    def teardown(self):
        self.example.rollback()
        self.connection.close()

    # --- plumbing ------------------------------------------------------------------------
    def session(self) -> Session:
        return Session(self.connection, join_transaction_mode="create_savepoint",
                       info={EVENT_CATALOGUE: CATALOGUE})

    def run(self, work):
        """One operation in its own transaction; a domain error rolls it back and is returned."""
        try:
            with self.session() as session, session.begin():
                session.info["correlation_id"] = "prop"
                return work(session)
        except DomainError as error:
            return error

    def read(self, query):
        with self.session() as session, session.begin():
            return query(session)

    def cash_arrived(self, fund: FundModel):
        """What the fund should do when cash arrives: pay waiting claim payouts oldest
        first, from cash no project holds, stopping at the first that does not fit."""
        while fund.waiting and fund.waiting[0].amount <= fund.free:
            payout = fund.waiting.pop(0)
            payout.status = "paid"
            fund.balance -= payout.amount

    def receive(self, fund: FundModel, project, channel, amount):
        if channel == IN_KIND:
            fund.in_kind += amount
            return
        fund.balance += amount
        if project:
            fund.projects[project] += amount
        self.cash_arrived(fund)

    # --- set-up --------------------------------------------------------------------------
    @initialize(target=donations, opening=st.lists(st.integers(0, 12_000), min_size=6,
                                                   max_size=6))
    def open_funds(self, opening):
        """Two funds, each with two projects, and opening gifts (in fen, 0 for none) to
        each fund's own account and to each project: money that can be spent, refunded
        or wrongly taken from the start."""
        n = next(EXAMPLES)
        wanted = {"U": FundIn().load({"code": f"U{n:04d}", "name": "综合", "restricted": False}),
                  "R": FundIn().load({"code": f"R{n:04d}", "name": "养老", "restricted": True,
                                      "allowed_categories": RESTRICTED_CATEGORIES})}

        def work(session):
            for body in wanted.values():
                session.add(Fund(association_code=ASSOCIATION, balance_fen=0, in_kind_fen=0,
                                 **body))
            session.flush()
            for body in wanted.values():
                for code in PROJECT_CODES:
                    projects.create(session, ASSOCIATION, body["code"], {
                        "code": code, "name": code, "purpose": "项目", "budget_fen": None})

        assert not refused(self.run(work))
        self.funds = {kind: FundModel(body["code"], body["restricted"],
                                      body["allowed_categories"])
                      for kind, body in wanted.items()}
        places = [(kind, project) for kind in ("U", "R") for project in (None,) + PROJECT_CODES]
        return multiple(*[self.donate(kind, project, "bank", amount, STAFF[0], DONORS[1], False)
                          for (kind, project), amount in zip(places, opening, strict=True)
                          if amount])

    # --- gifts ---------------------------------------------------------------------------
    @rule(target=donations, kind=kinds, project=project_choice,
          channel=st.sampled_from(CASH_CHANNELS + (IN_KIND,)), amount=amounts, by=staff,
          donor=st.sampled_from(DONORS), anonymous=st.booleans())
    def donate(self, kind, project, channel, amount, by, donor, anonymous):
        fund = self.funds[kind]
        raw = {"fund_code": fund.code, "project_code": project, "amount_fen": amount,
               "channel": channel, "donor": donor, "anonymous": anonymous}
        if channel == IN_KIND:
            raw["description"] = "大米 10 袋"
        body = DonationIn().load(raw)
        answer = self.run(lambda s: donations.record_once(s, ASSOCIATION, KeyedGift(body, raw),
                                                          by))
        money_arrived(answer, "a gift recorded by staff")
        self.receive(fund, project, channel, amount)
        return DonationModel(answer["id"], fund, project, channel, amount, by["username"])

    @rule(kind=kinds, gifts=st.lists(st.tuples(
              project_choice, st.sampled_from(CASH_CHANNELS + (IN_KIND,)), amounts,
              st.sampled_from(DONORS)), min_size=1, max_size=4), by=staff, again=rarely)
    def import_gifts(self, kind, gifts, by, again):
        """A CSV import's batch, keyed; `again`: the same batch imported once more."""
        fund = self.funds[kind]
        batch = []
        for project, channel, amount, donor in gifts:
            raw = {"fund_code": fund.code, "project_code": project, "amount_fen": amount,
                   "channel": channel, "donor": donor}
            if channel == IN_KIND:
                raw["description"] = "棉被 5 条"
            batch.append(KeyedGift(DonationIn().load(raw), raw, f"import-{next(SERIALS)}"))

        def work(session):
            return import_report_view(donations.import_batch(session, ASSOCIATION, batch, by))

        answer = self.run(work)
        assert answer == {"imported": len(batch), "already_there": 0, "bad": []}, answer
        if again:
            answer = self.run(work)
            assert answer == {"imported": 0, "already_there": len(batch), "bad": []}, answer
        for project, channel, amount, _ in gifts:
            self.receive(fund, project, channel, amount)

    @rule(target=donations, donation=consumes(donations), same_user=rarely)
    def refund(self, donation, same_user):
        """A refund by another staff user (`same_user`: by whoever recorded the gift). A gift
        still refundable goes back to the bundle; a refunded one is tried once more."""
        self.try_refund(donation, same_user)
        if not donation.refunded:
            return donation
        self.try_refund(donation, same_user=False)
        return multiple()

    def try_refund(self, donation, same_user):
        fund = donation.fund
        by = colleague(donation.recorded_by, same_user)
        answer = self.run(lambda s: donation_view(
            donations.refund(s, ASSOCIATION, donation.id, "退回", by)))
        if donation.refunded:
            assert refused(answer, Conflict, "already_refunded"), show(answer)
            return
        if by["username"] == donation.recorded_by:
            assert refused(answer, Forbidden, "refund_four_eyes"), show(answer)
            return
        if donation.channel == IN_KIND:
            affordable = fund.in_kind >= donation.amount
        elif donation.project:
            affordable = fund.projects[donation.project] >= donation.amount
        else:
            affordable = fund.free >= donation.amount
        if not affordable:
            assert refused(answer, Conflict), (
                f"refund of {donation.amount} fen given to {fund.code}"
                f"{'/' + donation.project if donation.project else ''} was paid although "
                f"that money was spent (fund holds {fund.balance}, of which projects "
                f"{fund.projects}): {show(answer)}")
            return
        assert not refused(answer), show(answer)
        donation.refunded = True
        if donation.channel == IN_KIND:
            fund.in_kind -= donation.amount
            return
        fund.balance -= donation.amount
        if donation.project:
            fund.projects[donation.project] -= donation.amount

    # --- pledges -------------------------------------------------------------------------
    @rule(target=pledges, kind=kinds, project=project_choice,
          channel=st.sampled_from(ONLINE_CHANNELS), amount=amounts,
          by=st.sampled_from(STAFF + [PUBLIC]), donor=st.sampled_from(DONORS))
    def pledge(self, kind, project, channel, amount, by, donor):
        fund = self.funds[kind]
        raw = {"fund_code": fund.code, "project_code": project, "amount_fen": amount,
               "channel": channel, "donor": donor}
        body = PledgeIn().load(raw)

        def work(session):
            before = session.scalar(select(func.count()).select_from(LedgerTransaction))
            answer = pledges.create_once(session, ASSOCIATION, KeyedGift(body, raw), by)
            after = session.scalar(select(func.count()).select_from(LedgerTransaction))
            return answer, after - before

        answer = self.run(work)
        assert not refused(answer), show(answer)
        made, posted = answer
        assert (made["status"], made["donation"], posted) == ("pending", None, 0)
        return PledgeModel(made["id"], made["pledge_no"], fund, project, channel, amount)

    def payment_id(self, reuse: bool) -> str:
        if reuse and self.txns:
            return sorted(self.txns)[0]
        return f"prop-txn-{next(SERIALS)}"

    def settled(self, pledge: PledgeModel, txn: str, recorded_by: str):
        pledge.status = "confirmed"
        pledge.txn = txn
        self.txns[txn] = pledge.id
        self.receive(pledge.fund, pledge.project, pledge.channel, pledge.amount)
        return DonationModel(0, pledge.fund, pledge.project, pledge.channel, pledge.amount,
                             recorded_by)

    @rule(target=donations, pledge=pledges, by=staff, reuse_payment=st.booleans())
    def confirm(self, pledge, by, reuse_payment):
        txn = pledge.txn if reuse_payment and pledge.txn else self.payment_id(reuse_payment)

        def work(session):
            view = pledge_view(pledges.confirm(session, ASSOCIATION, pledge.id, txn, by))
            return view, self.donation_id(session, pledge)

        answer = self.run(work)
        if pledge.txn == txn:  # this very payment confirmed it before: the first answer
            assert not refused(answer) and answer[0]["status"] == "confirmed", show(answer)
            return multiple()
        if txn in self.txns:
            assert refused(answer, Conflict, "payment_used"), show(answer)
            return multiple()
        if pledge.status not in ("pending", "flagged", "expired"):
            assert refused(answer, Conflict, "illegal_transition"), show(answer)
            return multiple()
        money_arrived(answer, "a pledge confirmed by staff")
        view, donation_id = answer
        assert view["status"] == "confirmed" and view["donation"]["amount_fen"] == pledge.amount
        donation = self.settled(pledge, txn, by["username"])
        donation.id = donation_id
        return donation

    @staticmethod
    def donation_id(session, pledge: PledgeModel):
        return session.scalar(select(Pledge.donation_id).where(Pledge.id == pledge.id))

    @rule(target=donations, pledge=pledges, right_amount=st.booleans(),
          payment=st.sampled_from(["fresh", "own", "other"]))
    def notify(self, pledge, right_amount, payment):
        txn = pledge.txn if payment == "own" and pledge.txn else \
            self.payment_id(payment == "other")
        body = {"pledge_no": pledge.pledge_no, "channel_txn_id": txn,
                "amount_fen": pledge.amount if right_amount else pledge.amount - 1 or 2}

        def work(session):
            notification = pledges.notify(session, ASSOCIATION, body)
            return (pledge_view(notification.pledge), notification.matched,
                    self.donation_id(session, pledge))

        answer = self.run(work)
        if pledge.txn == txn:  # the same notification again: the first answer
            assert not refused(answer) and answer[1] is True, show(answer)
            assert answer[0]["status"] == "confirmed"
            return multiple()
        if not right_amount:
            assert not refused(answer), show(answer)
            view, matched, _ = answer
            assert matched is False
            if pledge.status in ("pending", "expired"):
                pledge.status = "flagged"
            assert view["status"] == pledge.status
            return multiple()
        if txn in self.txns:
            assert refused(answer, Conflict, "payment_used"), show(answer)
            return multiple()
        if pledge.status not in ("pending", "flagged", "expired"):
            assert refused(answer, Conflict, "illegal_transition"), show(answer)
            return multiple()
        money_arrived(answer, "a pledge the payment channel notified")
        view, matched, donation_id = answer
        assert matched is True and view["status"] == "confirmed"
        donation = self.settled(pledge, txn, f"channel:{pledge.channel}")
        donation.id = donation_id
        return donation

    @rule(pledge=pledges, by=staff)
    def cancel(self, pledge, by):
        answer = self.run(lambda s: pledge_view(pledges.cancel(s, ASSOCIATION, pledge.id, by)))
        if pledge.status in ("pending", "flagged"):
            assert not refused(answer) and answer["status"] == "cancelled", show(answer)
            pledge.status = "cancelled"
        else:
            assert refused(answer, Conflict, "illegal_transition"), show(answer)

    # --- spending ------------------------------------------------------------------------
    @rule(target=disbursements, kind=kinds, project=project_choice,
          category=st.sampled_from(ASKED_CATEGORIES), size=sizes, by=staff)
    def request(self, kind, project, category, size, by):
        fund = self.funds[kind]
        available = fund.projects[project] if project else fund.free
        amount = size if isinstance(size, int) else max(1, {
            "half": available // 2, "all": available, "all+1": available + 1}[size])
        raw = {"fund_code": fund.code, "project_code": project, "category": category,
               "amount_fen": amount, "purpose": "慰问", "payee": {"name": "李四"}}
        body = DisbursementIn().load(raw)
        fits_cap = self.read(lambda s: admin_fits(s, amount))
        answer = self.run(lambda s: disbursements.request(s, ASSOCIATION, body, by).id)
        if category not in fund.allowed or (category == ADMIN_COST and fund.restricted):
            assert refused(answer, InvalidInput, "category_not_allowed"), show(answer)
        elif fund.restricted and not project:
            assert refused(answer, InvalidInput, "project_required"), show(answer)
        elif project and amount > fund.projects[project]:
            assert refused(answer, Conflict, "project_insufficient"), show(answer)
        elif category == ADMIN_COST and not fits_cap:
            assert refused(answer, Conflict, "admin_cost_cap"), show(answer)
        else:
            assert not refused(answer), show(answer)
            return DisbursementModel(answer, fund, project, category, amount, by["username"],
                                     "requested")
        return multiple()

    @rule(target=disbursements, amount=amounts)
    def claim_payout(self, amount):
        """An approved insurance claim opens a payout from the unrestricted fund, paid at
        once if the fund's free cash covers it, else queued until money arrives."""
        fund = self.funds["U"]
        serial = next(SERIALS)
        envelope = {"data": {"association_code": ASSOCIATION, "claim_id": serial,
                             "claim_no": f"CL-{serial}", "payout_fund_code": fund.code,
                             "amount_approved_fen": amount, "product_code": "PROP",
                             "insured_name": "王五", "approved_by": "staff2"}}

        def work(session):
            claim_payouts.open_payout(session, envelope)
            made = disbursements.by_source(session, ASSOCIATION, f"claim:{ASSOCIATION}:{serial}")
            return made.id, made.status

        answer = self.run(work)
        assert not refused(answer), show(answer)
        payout = DisbursementModel(answer[0], fund, None, "insurance_payout", amount,
                                   "insurance:staff2", "awaiting_funds")
        if not fund.waiting and fund.free >= amount:
            payout.status = "paid"
            fund.balance -= amount
        else:
            fund.waiting.append(payout)
        assert answer[1] == payout.status, (answer, fund)
        return payout if payout.status == "awaiting_funds" else multiple()

    @rule(target=disbursements, disbursement=consumes(disbursements), same_user=rarely)
    def approve(self, disbursement, same_user):
        """Approval by another staff user (`same_user`: by the requester). A disbursement
        still open goes back to the bundle; a decided one is tried once more."""
        self.try_approve(disbursement, same_user)
        if disbursement.status in ("requested", "awaiting_funds"):
            return disbursement
        self.try_approve(disbursement, same_user=False)
        return multiple()

    def try_approve(self, disbursement, same_user):
        fund = disbursement.fund
        d = disbursement
        by = colleague(d.requested_by, same_user)
        fits_cap = self.read(lambda s: admin_fits(s, d.amount))
        answer = self.run(lambda s: disbursement_view(
            disbursements.approve(s, ASSOCIATION, d.id, by)))
        if d.status not in ("requested", "awaiting_funds"):
            assert refused(answer, Conflict, "illegal_transition"), show(answer)
            return
        if by["username"] == d.requested_by:
            assert refused(answer, Forbidden, "four_eyes"), show(answer)
            return
        if d.category == ADMIN_COST and not fits_cap:
            assert refused(answer, Conflict, "admin_cost_cap"), show(answer)
            return
        fits = fund.projects[d.project] >= d.amount if d.project else fund.free >= d.amount
        if not fits and d.status == "awaiting_funds":  # a queued payout cannot be rejected
            assert refused(answer, Conflict, "illegal_transition"), show(answer)
            return
        if not fits and d.project:  # a short project is named, and the request stays
            assert refused(answer, Conflict, "project_insufficient"), show(answer)
            return
        if not fits:  # short of free cash: rejected, and nothing moves
            assert not refused(answer), show(answer)
            assert (answer["status"], answer["reason"]) == ("rejected", "insufficient_funds")
            d.status = "rejected"
            return
        assert not refused(answer) and answer["status"] == "paid", show(answer)
        if d.status == "awaiting_funds":
            fund.waiting.remove(d)
        d.status = "paid"
        fund.balance -= d.amount
        if d.project:
            fund.projects[d.project] -= d.amount

    @rule(target=disbursements, kind=kinds, project=project_choice,
          category=st.sampled_from(ASKED_CATEGORIES), size=sizes, by=staff)
    def request_and_approve(self, kind, project, category, size, by):
        """A request another staff user approves at once (two transactions): so that
        money is often actually spent."""
        requested = self.request(kind, project, category, size, by)
        if isinstance(requested, DisbursementModel):
            return self.approve(requested, same_user=False)
        return requested

    # --- what must hold after every step -------------------------------------------------
    @invariant()
    def money_adds_up(self):
        if not self.funds:
            return
        self.read(self.check)

    def check(self, session):
        unbalanced = session.execute(
            select(LedgerLine.transaction_id, func.sum(LedgerLine.amount_fen))
            .group_by(LedgerLine.transaction_id)
            .having(func.sum(LedgerLine.amount_fen) != 0)).all()
        assert unbalanced == [], f"transactions that do not sum to zero: {unbalanced}"
        assert session.scalar(select(func.count()).select_from(Fund)
                              .where(Fund.balance_fen < 0)) == 0
        assert session.scalar(select(func.count()).select_from(Project)
                              .where(Project.balance_fen < 0)) == 0

        codes = [f.code for f in self.funds.values()]
        mine = or_(*[LedgerLine.account.in_([f"fund:{c}", f"in_kind:{c}"]) for c in codes],
                   *[LedgerLine.account.like(f"project:{c}:%") for c in codes])
        sums = defaultdict(int)  # (account, kind) -> sum of lines
        for account, kind, amount in session.execute(
                select(LedgerLine.account, LedgerTransaction.kind, LedgerLine.amount_fen)
                .join(LedgerLine.transaction)
                .where(LedgerTransaction.association_code == ASSOCIATION, mine)):
            sums[account, kind] += amount

        by_month = defaultdict(int)  # account -> its month totals, added up
        for account, amount in session.execute(
                select(AccountMonth.account, AccountMonth.amount_fen)
                .where(AccountMonth.association_code == ASSOCIATION)):
            by_month[account] += amount
        for account in {a for a, _ in sums}:
            assert by_month[account] == sum(v for (a, _), v in sums.items() if a == account), \
                account

        def credit(accounts, kinds=None):
            """What the accounts hold (credit-normal), from lines of `kinds` or of all;
            `accounts` is a list of names or a test on the name."""
            holds = accounts if callable(accounts) else accounts.__contains__
            return -sum(v for (a, k), v in sums.items()
                        if holds(a) and (kinds is None or k in kinds))

        rows = {f.code: f for f in session.scalars(select(Fund).where(Fund.code.in_(codes)))}
        public = {item["code"]: item for item in
                  disclosure.funds(session, ASSOCIATION).shaped(public_fund_view)["items"]}
        for model in self.funds.values():
            code = model.code
            row = rows[model.code]
            project_rows = {p.code: p for p in session.scalars(
                select(Project).where(Project.fund_id == row.id))}
            def cash(account, code=code):
                return account == f"fund:{code}" or account.startswith(f"project:{code}:")
            assert row.balance_fen == credit(cash), code
            assert row.in_kind_fen == credit([f"in_kind:{code}"]), code
            assert credit([f"fund:{code}"]) >= 0, (
                f"{code}: its own account is at {credit([f'fund:{code}'])}; projects' money "
                f"was spent without them")
            for p, project in project_rows.items():
                assert project.balance_fen == credit([f"project:{code}:{p}"]), (code, p)
            assert (row.balance_fen, row.in_kind_fen) == (model.balance, model.in_kind), \
                (code, model)
            assert {p: r.balance_fen for p, r in project_rows.items()} == model.projects, code

            item = public[code]
            received = credit(cash, RECEIVED_KINDS)
            spent = -credit(cash, SPENT_KINDS)
            assert item["received_fen"] - item["spent_fen"] == item["balance_fen"], item
            assert (item["received_fen"], item["spent_fen"], item["balance_fen"]) == \
                (received, spent, row.balance_fen), item
            for shown in item["projects"]:
                account = [f"project:{code}:{shown['code']}"]
                assert (shown["received_fen"], shown["spent_fen"], shown["balance_fen"]) == (
                    credit(account, RECEIVED_KINDS), -credit(account, SPENT_KINDS),
                    project_rows[shown["code"]].balance_fen), shown

        # A pledge has a donation (and so moved money) only once it is confirmed.
        for pledge_id, status, donation_id in session.execute(
                select(Pledge.id, Pledge.status, Pledge.donation_id)
                .where(Pledge.fund_id.in_([r.id for r in rows.values()]))):
            assert (status == "confirmed") == (donation_id is not None), (pledge_id, status)
        # Receipt numbers stay gap-free, rolled-back gifts included.
        numbers = defaultdict(list)
        for (receipt_no,) in session.execute(select(Donation.receipt_no)
                                             .where(Donation.association_code == ASSOCIATION)):
            _, year, number = receipt_no.rsplit("-", 2)
            numbers[year].append(int(number))
        for year, found in numbers.items():
            assert sorted(found) == list(range(1, len(found) + 1)), year


@pytest.mark.timeout(900)  # passing: ~25 s; shrinking a failure can take minutes
def test_money_stays_balanced_restricted_and_disclosed(sqlite_url):
    MoneyMachine.engine = make_engine(sqlite_url("fund"))
    try:
        run_state_machine_as_test(MoneyMachine, settings=settings(
            max_examples=80, stateful_step_count=25, deadline=None,
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
    finally:
        MoneyMachine.engine.dispose()
        MoneyMachine.engine = None
