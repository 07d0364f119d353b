"""The fund service: entrypoints only. Each loads the actor and its input, opens one
transaction, calls a use case and answers with its view."""
from nameko.timer import timer

from services.fund import (
    claim_payouts,
    disbursements,
    disclosure,
    donations,
    donors,
    grassroots,
    importing,
    ledger,
    pledges,
    premiums,
    projects,
    receipts,
    recurring,
    statements,
)
from services.fund.models import AUDIT, OUTBOX, PROCESSED_EVENTS
from services.fund.views import (
    annual_receipt_view,
    disbursement_view,
    donation_view,
    donor_view,
    fund_project_view,
    fund_view,
    grassroots_totals_view,
    identity_view,
    import_report_view,
    pledge_view,
    project_view,
    public_fund_view,
    public_payment_view,
    public_spending_view,
    receipt_view,
    reconciliation_view,
    recurring_view,
    statement_view,
    trace_view,
)
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
    DonorListIn,
    DonorRowIn,
    FundIn,
    GrassrootsTotalsIn,
    PaymentNotifyIn,
    PledgeIn,
    PledgeListIn,
    ProjectIn,
    PublicPeriodIn,
    ReconcileLineIn,
    RecurringListIn,
    StatementIn,
)
from shared.contracts.imports import ImportBatchIn, imported_view
from shared.errors import DomainError
from shared.grassroots import codes_under
from shared.imports import apply
from shared.rpc import rpc
from shared.schemas import PageIn, ReasonIn
from shared.service import Service
from shared.subscriber import subscribe

PLEDGE_EXPIRY_CHECK_SECONDS = 600
# A month's pledge is due on a day: looking hourly makes it within the hour of the day
# starting (and again after a restart); each month is made once however often it looks.
RECURRING_CHECK_SECONDS = 3600
DONATION_IN = DonationIn()  # reused per call: building a schema copies all its fields
DONOR_ROW = DonorRowIn()
BATCH = ImportBatchIn()


def _imported_row(schema: DonationIn, item: dict) -> donations.KeyedGift:
    """One row of an import: its gift loaded, or why it cannot be."""
    raw = item.get("donation")
    try:
        body = load(schema, raw)
    except DomainError as error:
        body = error
    return donations.KeyedGift(body, raw, item.get("key"))


class FundService(Service):
    name = "fund"

    outbox = OUTBOX
    inbox = PROCESSED_EVENTS
    catalogue = CATALOGUE
    audit = AUDIT

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def list_funds(self, actor, page=None):
        actor = load_actor(actor, ANYONE)
        page = load(PageIn(), page)
        with self.db.transaction() as session:
            return ledger.listing(session, actor["association_code"], page).shaped(fund_view)

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
        actor = load_actor(actor, ADMIN)
        body = load(FundIn(), payload)
        with self.db.transaction() as session:
            return fund_view(ledger.ensure_fund(session, actor["association_code"], body))

    @rpc
    def ensure_donor(self, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(DonorIn(), payload)
        with self.db.transaction() as session:
            return donor_view(donors.ensure(session, actor["association_code"], body, actor))

    @rpc
    def import_donors(self, payload, actor):
        """A batch of a spreadsheet's rows, a donor each."""
        actor = load_actor(actor, STAFF)
        batch = load(BATCH, payload)
        county = actor["association_code"]
        with self.db.transaction() as session:
            return imported_view(apply(
                session, batch, DONOR_ROW,
                lambda session, unit: importing.write(session, county, unit, actor)))

    @rpc
    def list_donors(self, query, actor):
        actor = load_actor(actor, STAFF_READERS)
        query = load(DonorListIn(), query)
        with self.db.transaction() as session:
            return donors.listing(session, actor["association_code"], query).shaped(donor_view)

    @rpc
    def get_donor(self, donor_id, actor):
        actor = load_actor(actor, DONOR_READERS)
        check_own_donation(actor, donor_id)
        with self.db.transaction() as session:
            return donor_view(donors.get(session, actor["association_code"], donor_id))

    @rpc
    def reveal_donor_identity(self, donor_id, payload, actor):
        """The donor's identifiers in full, for a reason (required): the look recorded."""
        actor = load_actor(actor, IDENTITY_REVEALERS)
        body = load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return identity_view(donors.reveal(session, actor["association_code"], donor_id,
                                               body["reason"], actor))

    @rpc
    def record_donation(self, payload, idempotency_key, actor):
        """Money that has arrived, recorded by staff. Donors give through pledges."""
        actor = load_actor(actor, DONORS)
        donations.check_recorder(actor)
        gift = donations.KeyedGift(load(DONATION_IN, payload), payload, idempotency_key)
        with self.db.transaction() as session:
            return donations.record_once(session, actor["association_code"], gift, actor)

    @rpc
    def import_donations(self, items, actor):
        """Many keyed donations at once (a CSV import): a bad row is reported by its
        position and the good ones are kept; a key seen before adds nothing, so importing a
        file twice adds nothing. Answers counts and the bad rows."""
        actor = load_actor(actor, STAFF)
        schema = DonationIn()
        batch = [_imported_row(schema, item) for item in items]
        with self.db.transaction() as session:
            return import_report_view(donations.import_batch(
                session, actor["association_code"], batch, actor))

    @rpc
    def get_donation(self, donation_id, actor):
        actor = load_actor(actor, DONOR_READERS)
        with self.db.transaction() as session:
            donation = donations.get(session, actor["association_code"], donation_id)
            check_own_donation(actor, donation.donor_id)
            return donation_view(donation)

    @rpc
    def list_donations(self, query, actor):
        actor = load_actor(actor, DONOR_READERS)
        query = load(DonationListIn(), query)
        with self.db.transaction() as session:
            return donations.listing(session, actor["association_code"], query, actor
                                     ).shaped(donation_view)

    @rpc
    def refund_donation(self, donation_id, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return donation_view(donations.refund(session, actor["association_code"],
                                                  donation_id, body["reason"], actor))

    @rpc
    def request_disbursement(self, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(DisbursementIn(), payload)
        with self.db.transaction() as session:
            return disbursement_view(disbursements.request(
                session, actor["association_code"], body, actor))

    @rpc
    def approve_disbursement(self, disbursement_id, actor):
        actor = load_actor(actor, STAFF)
        with self.db.transaction() as session:
            return disbursement_view(disbursements.approve(
                session, actor["association_code"], disbursement_id, actor))

    @rpc
    def reject_disbursement(self, disbursement_id, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return disbursement_view(disbursements.reject(
                session, actor["association_code"], disbursement_id, body["reason"], actor))

    @rpc
    def get_disbursement(self, disbursement_id, actor):
        actor = load_actor(actor, STAFF_READERS)
        with self.db.transaction() as session:
            return disbursement_view(
                disbursements.get(session, actor["association_code"], disbursement_id))

    @rpc
    def list_disbursements(self, query, actor):
        actor = load_actor(actor, STAFF_READERS)
        query = load(DisbursementListIn(), query)
        with self.db.transaction() as session:
            return disbursements.listing(session, actor["association_code"], query["status"],
                                         query).shaped(disbursement_view)

    @rpc
    def statement(self, code, query, actor):
        actor = load_actor(actor, STAFF_READERS)
        query = load(StatementIn(), query)
        with self.db.transaction() as session:
            if query["limit"] is not None:
                return statement_view(statements.statement_page(
                    session, actor["association_code"], code, query["from_"], query["to"],
                    query["limit"], query["offset"]))
            return statement_view(statements.statement(
                session, actor["association_code"], code, query["from_"], query["to"]))

    @rpc
    def grassroots_totals(self, query, actor):
        """Money raised and spent in a year by grassroots association (a code counts itself
        and every code under it), for the leadership's dashboard."""
        actor = load_actor(actor, LEADERSHIP)
        query = load(GrassrootsTotalsIn(), query)
        association = actor["association_code"]
        with self.db.transaction() as session:
            return grassroots_totals_view(grassroots.totals(
                session, association, codes_under(query["codes"], association),
                query["year"]))

    # --- projects ---------------------------------------------------------------------
    @rpc
    def create_project(self, fund_code, payload, actor):
        actor = load_actor(actor, ADMIN)
        body = load(ProjectIn(), payload)
        with self.db.transaction() as session:
            return project_view(projects.create(session, actor["association_code"],
                                                fund_code, body))

    @rpc
    def list_projects(self, fund_code, actor):
        actor = load_actor(actor, EVERYONE)
        with self.db.transaction() as session:
            return projects.listing(session, actor["association_code"], fund_code
                                    ).shaped(project_view)

    @rpc
    def list_fund_projects(self, actor):
        """Every project of every fund of the association, named with its fund, without
        the ledger's totals (list_projects adds those up for one fund)."""
        actor = load_actor(actor, EVERYONE)
        with self.db.transaction() as session:
            return projects.of_association(session, actor["association_code"]
                                           ).shaped(fund_project_view)

    # --- pledges -----------------------------------------------------------------------
    @rpc
    def create_pledge(self, payload, idempotency_key, actor):
        actor = load_actor(actor, PLEDGERS)
        pledged = donations.KeyedGift(load(PledgeIn(), payload), payload, idempotency_key)
        with self.db.transaction() as session:
            return pledges.create_once(session, actor["association_code"], pledged, actor)

    @rpc
    def confirm_pledge(self, pledge_id, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(ConfirmIn(), payload)
        with self.db.transaction() as session:
            return pledge_view(pledges.confirm(session, actor["association_code"], pledge_id,
                                               body["channel_txn_id"], actor))

    @rpc
    def payment_notified(self, payload, actor):
        """A payment channel's notification, its signature already checked by the gateway."""
        actor = load_actor(actor, (SYSTEM,))
        body = load(PaymentNotifyIn(), payload)
        with self.db.transaction() as session:
            notification = pledges.notify(session, actor["association_code"], body)
            answer = pledge_view(notification.pledge)
        if not notification.matched:  # the flag is kept; the channel is told the amount
            raise pledges.amount_mismatch(answer["amount_fen"])
        return answer

    @rpc
    def cancel_pledge(self, pledge_id, actor):
        actor = load_actor(actor, DONORS)
        with self.db.transaction() as session:
            return pledge_view(pledges.cancel(session, actor["association_code"], pledge_id,
                                              actor))

    @rpc
    def get_pledge(self, pledge_id, actor):
        actor = load_actor(actor, DONOR_READERS)
        with self.db.transaction() as session:
            return pledge_view(pledges.get(session, actor["association_code"], pledge_id,
                                           actor))

    @rpc
    def list_pledges(self, query, actor):
        actor = load_actor(actor, DONOR_READERS)
        query = load(PledgeListIn(), query)
        with self.db.transaction() as session:
            return pledges.listing(session, actor["association_code"], query, actor
                                   ).shaped(pledge_view)

    @rpc
    def reconcile(self, lines, actor):
        actor = load_actor(actor, STAFF)
        lines = [load(ReconcileLineIn(), line) for line in lines or []]
        with self.db.transaction() as session:
            return reconciliation_view(pledges.reconcile(session, actor["association_code"],
                                                         lines, actor))

    @timer(interval=PLEDGE_EXPIRY_CHECK_SECONDS)
    def expire_pledges(self):
        with self.db.transaction() as session:
            pledges.expire_due(session)

    # --- recurring gifts (started by create_pledge) --------------------------------------
    @rpc
    def get_recurring(self, plan_id, actor):
        actor = load_actor(actor, DONOR_READERS)
        with self.db.transaction() as session:
            return recurring_view(recurring.get(session, actor["association_code"], plan_id,
                                                actor))

    @rpc
    def list_recurring(self, query, actor):
        actor = load_actor(actor, DONOR_READERS)
        query = load(RecurringListIn(), query)
        with self.db.transaction() as session:
            return recurring.listing(session, actor["association_code"], query, actor
                                     ).shaped(recurring_view)

    @rpc
    def cancel_recurring(self, plan_id, actor):
        actor = load_actor(actor, DONORS)
        with self.db.transaction() as session:
            return recurring_view(recurring.cancel(session, actor["association_code"], plan_id,
                                                   actor))

    @timer(interval=RECURRING_CHECK_SECONDS)
    def make_recurring_pledges(self):
        with self.db.transaction() as session:
            pledges.make_months_due(session)

    # --- receipts ----------------------------------------------------------------------
    @rpc
    def get_receipt(self, donation_id, actor):
        actor = load_actor(actor, DONOR_READERS)
        with self.db.transaction() as session:
            donation = donations.get(session, actor["association_code"], donation_id)
            check_own_donation(actor, donation.donor_id)
            return receipt_view(donation)

    @rpc
    def annual_receipt(self, donor_id, query, actor):
        actor = load_actor(actor, DONOR_READERS)
        query = load(AnnualReceiptIn(), query)
        check_own_donation(actor, donor_id)
        with self.db.transaction() as session:
            return annual_receipt_view(receipts.annual(session, actor["association_code"],
                                                       donor_id, query["year"]))

    # --- public disclosure -------------------------------------------------------------
    @rpc
    def public_funds(self, actor):
        actor = load_actor(actor, EVERYONE)
        with self.db.transaction() as session:
            return disclosure.funds(session, actor["association_code"]
                                    ).shaped(public_fund_view)

    @rpc
    def public_disbursements(self, query, actor):
        actor = load_actor(actor, EVERYONE)
        query = load(PublicPeriodIn(), query)
        with self.db.transaction() as session:
            return disclosure.disbursements(session, actor["association_code"], query
                                            ).shaped(public_payment_view)

    @rpc
    def public_spending(self, query, actor):
        actor = load_actor(actor, EVERYONE)
        query = load(PublicPeriodIn(), query)
        with self.db.transaction() as session:
            return public_spending_view(disclosure.spending(
                session, actor["association_code"], query))

    @rpc
    def trace(self, receipt_no, actor):
        actor = load_actor(actor, EVERYONE)
        with self.db.transaction() as session:
            return trace_view(disclosure.trace(session, actor["association_code"], receipt_no))

    @subscribe("insurance", "claim_approved")
    def on_claim_approved(self, envelope):
        self.once("fund.on_claim_approved", envelope, claim_payouts.open_payout)

    @subscribe("insurance", "premium_due")
    def on_premium_due(self, envelope):
        self.once("fund.on_premium_due", envelope, premiums.open_premium)
