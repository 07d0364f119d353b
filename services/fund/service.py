"""The fund service: entrypoints only. Each opens one transaction and calls the domain."""
from nameko.timer import timer
from sqlalchemy import select

from services.fund import (
    claim_payouts,
    disbursements,
    disclosure,
    donations,
    donors,
    grassroots,
    ledger,
    pledges,
    premiums,
    projects,
    receipts,
    statements,
)
from services.fund.models import OUTBOX, PROCESSED_EVENTS, Fund, IdentityReveal
from services.fund.views import disbursement_view, donation_view, donor_view, fund_view
from shared.actors import (
    ADMIN,
    ANYONE,
    DONOR_READERS,
    DONORS,
    EVERYONE,
    IDENTITY_REVEALERS,
    LEADERSHIP,
    PLEDGERS,
    STAFF,
    STAFF_READERS,
    SYSTEM,
    check_own_donation,
    load,
    load_actor,
)
from shared.contracts.events import CATALOGUE
from shared.contracts.fund import (
    AnnualReceiptIn,
    ConfirmIn,
    DisbursementIn,
    DisbursementListIn,
    DonationIn,
    DonationListIn,
    DonorIn,
    FundIn,
    GrassrootsTotalsIn,
    IdentityOut,
    PaymentNotifyIn,
    PledgeIn,
    PledgeListIn,
    ProjectIn,
    PublicPeriodIn,
    PublicSpendingOut,
    ReconcileLineIn,
    StatementIn,
    StatementOut,
)
from shared.errors import Conflict, DomainError, Forbidden
from shared.grassroots import codes_under
from shared.money import yuan
from shared.rpc import rpc
from shared.schemas import PageIn, ReasonIn, shaped
from shared.service import Service
from shared.subscriber import subscribe

PLEDGE_EXPIRY_CHECK_SECONDS = 600
DONATION_IN = DonationIn()  # reused per call: building a schema copies all its fields


def _donation_in(schema: DonationIn, raw) -> dict | DomainError:
    try:
        return load(schema, raw)
    except DomainError as error:
        return error


class FundService(Service):
    name = "fund"

    outbox, inbox = OUTBOX, PROCESSED_EVENTS
    catalogue = CATALOGUE

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def list_funds(self, actor, page=None):
        actor, page = load_actor(actor, ANYONE), load(PageIn(), page)
        with self.db.transaction() as session:
            return ledger.listing(session, actor["association_code"], page["limit"],
                                  page["offset"])

    @rpc
    def get_fund(self, code, actor):
        actor = load_actor(actor, ANYONE)
        with self.db.transaction() as session:
            return fund_view(ledger.find_fund(session, actor["association_code"], code))

    @rpc
    def check_payout_fund(self, code, actor):
        actor = load_actor(actor, ADMIN)
        with self.db.transaction() as session:
            claim_payouts.check_payout_fund(session, actor["association_code"], code)

    @rpc
    def check_premium_fund(self, code, actor):
        actor = load_actor(actor, ADMIN)
        with self.db.transaction() as session:
            premiums.check_premium_fund(session, actor["association_code"], code)

    @rpc
    def ensure_fund(self, payload, actor):
        actor, body = load_actor(actor, ADMIN), load(FundIn(), payload)
        with self.db.transaction() as session:
            association = actor["association_code"]
            fund = session.scalars(select(Fund).where(
                Fund.association_code == association, Fund.code == body["code"])).one_or_none()
            if fund is None:
                fund = Fund(association_code=association, balance_fen=0, in_kind_fen=0, **body)
                session.add(fund)
            return fund_view(fund)

    @rpc
    def ensure_donor(self, payload, actor):
        actor, body = load_actor(actor, STAFF), load(DonorIn(), payload)
        with self.db.transaction() as session:
            donor = donors.find_or_create(session, actor["association_code"], body)
            session.flush()
            return donor_view(donor)

    @rpc
    def get_donor(self, donor_id, actor):
        actor = load_actor(actor, DONOR_READERS)
        check_own_donation(actor, donor_id)
        with self.db.transaction() as session:
            return donor_view(donors.get(session, actor["association_code"], donor_id))

    @rpc
    def reveal_donor_identity(self, donor_id, actor):
        actor = load_actor(actor, IDENTITY_REVEALERS)
        with self.db.transaction() as session:
            donor = donors.get(session, actor["association_code"], donor_id)
            session.add(IdentityReveal(donor_id=donor.id, revealed_to=actor["username"]))
            return shaped(IdentityOut(), {"donor_id": donor.id, "id_number": donor.id_number,
                                          "credit_code": donor.credit_code})

    @rpc
    def record_donation(self, payload, idempotency_key, actor):
        """Money that has arrived, recorded by staff. Donors give through pledges."""
        actor = load_actor(actor, DONORS)
        if actor["role"] == "donor":
            raise Forbidden("Give online with a pledge; it becomes a donation, with its "
                            "receipt, once the money has arrived.", "use_pledges")
        body = load(DONATION_IN, payload)
        with self.db.transaction() as session:
            return donations.record(session, actor["association_code"], body, payload, actor,
                                    idempotency_key)

    @rpc
    def import_donations(self, items, actor):
        """Many keyed donations at once (a CSV import): a bad row is reported by its
        position and the good ones are kept; a key seen before adds nothing, so importing a
        file twice adds nothing. Answers counts and the bad rows."""
        actor = load_actor(actor, STAFF)
        schema = DonationIn()
        batch = [(_donation_in(schema, item.get("donation")), item.get("donation"),
                  item.get("key")) for item in items]
        with self.db.transaction() as session:
            return donations.import_batch(session, actor["association_code"], batch, actor)

    @rpc
    def get_donation(self, donation_id, actor):
        actor = load_actor(actor, DONOR_READERS)
        with self.db.transaction() as session:
            donation = donations.get(session, actor["association_code"], donation_id)
            check_own_donation(actor, donation.donor_id)
            return donation_view(donation)

    @rpc
    def list_donations(self, query, actor):
        actor, query = load_actor(actor, DONOR_READERS), load(DonationListIn(), query)
        if actor["role"] == "donor":
            query["donor_id"] = actor["donor_id"] or 0  # a donor sees only their own
        with self.db.transaction() as session:
            return donations.listing(session, actor["association_code"], query["donor_id"],
                                     query["limit"], query["offset"])

    @rpc
    def refund_donation(self, donation_id, payload, actor):
        actor, body = load_actor(actor, STAFF), load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return donations.refund(session, actor["association_code"], donation_id,
                                    body["reason"], actor)

    @rpc
    def request_disbursement(self, payload, actor):
        actor, body = load_actor(actor, STAFF), load(DisbursementIn(), payload)
        with self.db.transaction() as session:
            disbursement = disbursements.request(session, actor["association_code"], body, actor)
            return disbursement_view(disbursement)

    @rpc
    def approve_disbursement(self, disbursement_id, actor):
        actor = load_actor(actor, STAFF)
        with self.db.transaction() as session:
            return disbursements.approve(session, actor["association_code"], disbursement_id,
                                         actor)

    @rpc
    def reject_disbursement(self, disbursement_id, payload, actor):
        actor, body = load_actor(actor, STAFF), load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return disbursements.reject(session, actor["association_code"], disbursement_id,
                                        body["reason"], actor)

    @rpc
    def get_disbursement(self, disbursement_id, actor):
        actor = load_actor(actor, STAFF_READERS)
        with self.db.transaction() as session:
            return disbursement_view(
                disbursements.get(session, actor["association_code"], disbursement_id))

    @rpc
    def list_disbursements(self, query, actor):
        actor, query = load_actor(actor, STAFF_READERS), load(DisbursementListIn(), query)
        with self.db.transaction() as session:
            return disbursements.listing(session, actor["association_code"], query["status"],
                                         query["limit"], query["offset"])

    @rpc
    def statement(self, code, query, actor):
        actor, query = load_actor(actor, STAFF_READERS), load(StatementIn(), query)
        with self.db.transaction() as session:
            return shaped(StatementOut(), statements.statement(
                session, actor["association_code"], code, query["from_"], query["to"]))

    @rpc
    def grassroots_totals(self, query, actor):
        """Money raised and spent in a year by grassroots association (a code counts itself
        and every code under it), for the leadership's dashboard."""
        actor, query = load_actor(actor, LEADERSHIP), load(GrassrootsTotalsIn(), query)
        with self.db.transaction() as session:
            association = actor["association_code"]
            return grassroots.totals(session, association,
                                     codes_under(query["codes"], association), query["year"])

    # --- projects ---------------------------------------------------------------------
    @rpc
    def create_project(self, fund_code, payload, actor):
        actor, body = load_actor(actor, ADMIN), load(ProjectIn(), payload)
        with self.db.transaction() as session:
            return projects.create(session, actor["association_code"], fund_code, body)

    @rpc
    def list_projects(self, fund_code, actor):
        actor = load_actor(actor, EVERYONE)
        with self.db.transaction() as session:
            return projects.listing(session, actor["association_code"], fund_code)

    # --- pledges -----------------------------------------------------------------------
    @rpc
    def create_pledge(self, payload, idempotency_key, actor):
        actor, body = load_actor(actor, PLEDGERS), load(PledgeIn(), payload)
        with self.db.transaction() as session:
            return pledges.create(session, actor["association_code"], body, payload, actor,
                                  idempotency_key)

    @rpc
    def confirm_pledge(self, pledge_id, payload, actor):
        actor, body = load_actor(actor, STAFF), load(ConfirmIn(), payload)
        with self.db.transaction() as session:
            return pledges.confirm(session, actor["association_code"], pledge_id,
                                   body["channel_txn_id"], actor)

    @rpc
    def payment_notified(self, payload, actor):
        """A payment channel's notification, its signature already checked by the gateway."""
        load_actor(actor, (SYSTEM,))
        body = load(PaymentNotifyIn(), payload)
        with self.db.transaction() as session:
            answer, matched = pledges.notify(session, body)
        if not matched:  # the flag is kept; the channel is told the amount is wrong
            raise Conflict("The amount paid differs from the pledge; staff will look at it.",
                           "amount_mismatch", {"amount_fen": [
                               f"The pledge is for {yuan(answer['amount_fen'])}."]})
        return answer

    @rpc
    def cancel_pledge(self, pledge_id, actor):
        actor = load_actor(actor, DONORS)
        with self.db.transaction() as session:
            return pledges.cancel(session, actor["association_code"], pledge_id, actor)

    @rpc
    def get_pledge(self, pledge_id, actor):
        actor = load_actor(actor, DONOR_READERS)
        with self.db.transaction() as session:
            return pledges.get(session, actor["association_code"], pledge_id, actor)

    @rpc
    def list_pledges(self, query, actor):
        actor, query = load_actor(actor, DONOR_READERS), load(PledgeListIn(), query)
        with self.db.transaction() as session:
            return pledges.listing(session, actor["association_code"], query, actor)

    @rpc
    def reconcile(self, lines, actor):
        actor = load_actor(actor, STAFF)
        lines = [load(ReconcileLineIn(), line) for line in lines or []]
        with self.db.transaction() as session:
            return pledges.reconcile(session, actor["association_code"], lines, actor)

    @timer(interval=PLEDGE_EXPIRY_CHECK_SECONDS)
    def expire_pledges(self):
        with self.db.transaction() as session:
            pledges.expire_due(session)

    # --- receipts ----------------------------------------------------------------------
    @rpc
    def get_receipt(self, donation_id, actor):
        actor = load_actor(actor, DONOR_READERS)
        with self.db.transaction() as session:
            donation = receipts.of_donation(session, actor["association_code"], donation_id)
            check_own_donation(actor, donation.donor_id)
            return receipts.receipt_view(donation)

    @rpc
    def annual_receipt(self, donor_id, query, actor):
        actor, query = load_actor(actor, DONOR_READERS), load(AnnualReceiptIn(), query)
        check_own_donation(actor, donor_id)
        with self.db.transaction() as session:
            return receipts.annual(session, actor["association_code"], donor_id, query["year"])

    # --- public disclosure -------------------------------------------------------------
    @rpc
    def public_funds(self, actor):
        actor = load_actor(actor, EVERYONE)
        with self.db.transaction() as session:
            return disclosure.funds(session, actor["association_code"])

    @rpc
    def public_disbursements(self, query, actor):
        actor, query = load_actor(actor, EVERYONE), load(PublicPeriodIn(), query)
        with self.db.transaction() as session:
            return disclosure.disbursements(session, actor["association_code"], query)

    @rpc
    def public_spending(self, query, actor):
        actor, query = load_actor(actor, EVERYONE), load(PublicPeriodIn(), query)
        with self.db.transaction() as session:
            return shaped(PublicSpendingOut(), disclosure.spending(
                session, actor["association_code"], query))

    @rpc
    def trace(self, receipt_no, actor):
        load_actor(actor, EVERYONE)
        with self.db.transaction() as session:
            return disclosure.trace(session, receipt_no)

    @subscribe("insurance", "claim_approved")
    def on_claim_approved(self, envelope):
        self.once("fund.on_claim_approved", envelope, claim_payouts.open_payout)

    @subscribe("insurance", "premium_due")
    def on_premium_due(self, envelope):
        self.once("fund.on_premium_due", envelope, premiums.open_premium)
