"""The fund service's tables. Money columns are BigInteger fen."""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from shared.audit import add_audit_tables
from shared.columns import created
from shared.crypto import INDEX_LENGTH, IdNumberIndexed, Sealed, blind
from shared.history import StateChange
from shared.messaging_tables import add_messaging_tables


class Base(DeclarativeBase):
    pass


OUTBOX, PROCESSED_EVENTS = add_messaging_tables(Base.metadata)
AUDIT = add_audit_tables(Base.metadata)


class Fund(Base):
    __tablename__ = "funds"
    __table_args__ = (UniqueConstraint("association_code", "code"),
                      CheckConstraint("balance_fen >= 0", name="fund_balance_not_negative"))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    restricted: Mapped[bool] = mapped_column(Boolean)
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # cash, projects included
    in_kind_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # goods, never spendable
    allowed_categories: Mapped[list] = mapped_column(JSON, default=list)


class Project(Base):
    """Money given for one purpose inside a fund: spendable only through the project."""
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("association_code", "fund_id", "code"),
                      CheckConstraint("balance_fen >= 0", name="project_balance_not_negative"))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    budget_fen: Mapped[int | None] = mapped_column(BigInteger)
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = created()
    fund: Mapped[Fund] = relationship()


EMAIL_SEALED_LENGTH = 500  # an address of 254 characters, sealed


class Donor(IdNumberIndexed, Base):
    """Someone who gives. The identity number and the phone are sealed, found by their blind
    indexes (set with them); an organisation's credit code is public and kept in clear. The
    e-mail, sealed too, is how they hear by mail; nobody is looked up by it."""
    __tablename__ = "donors"
    # One donor per identity number or credit code; phones may be shared by a family.
    __table_args__ = (Index("uq_donors_id_index", "association_code", "id_index", unique=True),
                      UniqueConstraint("association_code", "credit_code"))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(Sealed("donors.id_number"))
    id_index: Mapped[str | None] = mapped_column(String(INDEX_LENGTH))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(Sealed("donors.phone"))
    phone_index: Mapped[str | None] = mapped_column(String(INDEX_LENGTH), index=True)
    email: Mapped[str | None] = mapped_column(Sealed("donors.email", EMAIL_SEALED_LENGTH))
    created_at: Mapped[datetime] = created()

    @validates("phone")
    def _index_phone(self, key, value):
        self.phone_index = blind(value, "phone")
        return value


class LedgerTransaction(Base):
    __tablename__ = "ledger_transactions"
    # A statement's period is a range of posted_at within one association.
    __table_args__ = (Index("ix_ledger_transactions_period", "association_code", "posted_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(30))
    memo: Mapped[str] = mapped_column(String(200))
    posted_at: Mapped[datetime] = created()
    lines: Mapped[list["LedgerLine"]] = relationship(back_populates="transaction")


class LedgerLine(Base):
    __tablename__ = "ledger_lines"
    # A statement joins a fund's accounts to the transactions of its period.
    __table_args__ = (Index("ix_ledger_lines_account_transaction", "account", "transaction_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account: Mapped[str] = mapped_column(String(60), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # debit positive, credit negative
    transaction: Mapped[LedgerTransaction] = relationship(back_populates="lines")


class AccountMonth(Base):
    """What one local month's lines add to an account of a fund (its cash, its projects',
    its goods), kept in the lines' own transaction: a statement's opening balance is a sum
    over months, not over every line since the books began."""
    __tablename__ = "account_months"
    association_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    account: Mapped[str] = mapped_column(String(60), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first local day
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # the lines' sum: debit positive


class FundMovement(Base):
    """What one ledger transaction did to a fund's cash (its projects' included), kept in
    the transaction's own: a statement's line. A statement reads a page of them in order
    from an index, however many lines its period holds."""
    __tablename__ = "fund_movements"
    __table_args__ = (Index("ix_fund_movements_statement", "association_code", "fund_code",
                            "posted_at", "transaction_id", postgresql_include=["change_fen"]),)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"),
                                                primary_key=True)
    fund_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # its transaction's
    change_fen: Mapped[int] = mapped_column(BigInteger)  # money in positive, out negative
    transaction: Mapped[LedgerTransaction] = relationship()


class FundMonth(Base):
    """A fund's money in and out over one local month, and its movements, kept with them:
    a statement's totals add up months, not lines."""
    __tablename__ = "fund_months"
    association_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    fund_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first local day
    in_fen: Mapped[int] = mapped_column(BigInteger)
    out_fen: Mapped[int] = mapped_column(BigInteger)
    movements: Mapped[int] = mapped_column(Integer)


class GrassrootsMonth(Base):
    """Money a grassroots association's code raised (money donations), gave back (their
    refunds) and spent (disbursements paid) over one local month, kept as postings happen:
    the dashboard adds up months, not donations and payouts."""
    __tablename__ = "grassroots_months"
    association_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    grassroots_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first local day
    donated_fen: Mapped[int] = mapped_column(BigInteger)
    refunded_fen: Mapped[int] = mapped_column(BigInteger)
    spent_fen: Mapped[int] = mapped_column(BigInteger)


class ReceiptSeries(Base):
    """One counter row per association and year, locked while a number is taken."""
    __tablename__ = "receipt_series"
    association_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer, default=0)


class Donation(Base):
    __tablename__ = "donations"
    # The association's donations, newest first, read without passing other counties'.
    __table_args__ = (UniqueConstraint("association_code", "receipt_no"),
                      Index("ix_donations_association_id", "association_code", "id"),
                      # The dashboard's money of a year, read from the index alone (see
                      # migration 0017).
                      Index("ix_donations_year_totals", "association_code", "recorded_at",
                            postgresql_include=["grassroots_code", "amount_fen", "channel",
                                                "refund_transaction_id"]))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    receipt_no: Mapped[str] = mapped_column(String(30))
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(10))
    description: Mapped[str | None] = mapped_column(Text)  # goods given in kind
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="recorded")
    recorded_by: Mapped[str] = mapped_column(String(100))
    ledger_transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    refund_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    refund_reason: Mapped[str | None] = mapped_column(Text)
    refunded_by: Mapped[str | None] = mapped_column(String(100))
    # The grassroots association (township or village, or the county itself) it counts for.
    # Every write names it; the server default is there for the migration that added it.
    grassroots_code: Mapped[str] = mapped_column(String(12), server_default="")
    recorded_at: Mapped[datetime] = created()
    fund: Mapped[Fund] = relationship()
    project: Mapped[Project | None] = relationship()
    donor: Mapped[Donor] = relationship()
    history: Mapped[list["DonationHistory"]] = relationship(order_by="DonationHistory.id",
                                                            cascade="all, delete-orphan")

    def record_change(self, **change) -> None:
        self.history.append(DonationHistory(association_code=self.association_code, **change))


class DonationHistory(StateChange, Base):
    """Every state change of a donation (its refund): who, when, from, to, why."""
    __tablename__ = "donation_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), index=True)


class IdempotencyKey(Base):
    """The first answer to a keyed request, kept to answer its retries."""
    __tablename__ = "idempotency_keys"
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created()


class Disbursement(Base):
    __tablename__ = "disbursements"
    # A fund's waiting payouts are looked for after every donation to it.
    # The association's disbursements in a status (those to decide), newest first.
    __table_args__ = (Index("ix_disbursements_fund_status", "fund_id", "status"),
                      Index("ix_disbursements_association_status", "association_code", "status",
                            "id"),
                      UniqueConstraint("association_code", "source_key"))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    category: Mapped[str | None] = mapped_column(String(40))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(Text)
    payee_name: Mapped[str] = mapped_column(String(200))
    payee_id_number: Mapped[str | None] = mapped_column(
        Sealed("disbursements.payee_id_number"))  # shown masked, never looked up
    reference: Mapped[str | None] = mapped_column(String(200))
    # Set when another service opens the disbursement (a claim id): one claim, one payout.
    source_key: Mapped[str | None] = mapped_column(String(200))
    # The family in the families service's register it is paid for, when one is named.
    family_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The grassroots association it is spent for (a claim payout: the association's own).
    grassroots_code: Mapped[str] = mapped_column(String(12), server_default="")
    status: Mapped[str] = mapped_column(String(20), default="requested")
    reason: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    ledger_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    requested_at: Mapped[datetime] = created()
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fund: Mapped[Fund] = relationship()
    project: Mapped[Project | None] = relationship()
    history: Mapped[list["DisbursementHistory"]] = relationship(
        order_by="DisbursementHistory.id", cascade="all, delete-orphan")

    def record_change(self, **change) -> None:
        self.history.append(DisbursementHistory(association_code=self.association_code, **change))


class DisbursementHistory(StateChange, Base):
    """Every state change of a disbursement: who, when, from, to, why."""
    __tablename__ = "disbursement_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    disbursement_id: Mapped[int] = mapped_column(ForeignKey("disbursements.id"), index=True)


class Pledge(Base):
    """A gift promised online. It becomes a donation once, when the money is confirmed."""
    __tablename__ = "pledges"
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6), index=True)
    pledge_no: Mapped[str] = mapped_column(String(40))
    pay_reference: Mapped[str] = mapped_column(String(40))
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(10))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The channel's own id of the payment: one payment confirms one pledge, once.
    channel_txn_id: Mapped[str | None] = mapped_column(String(100))
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"))
    # Passed on to the donation the pledge becomes.
    grassroots_code: Mapped[str] = mapped_column(String(12), server_default="")
    fund: Mapped[Fund] = relationship()
    project: Mapped[Project | None] = relationship()
    donation: Mapped[Donation | None] = relationship()
    history: Mapped[list["PledgeHistory"]] = relationship(order_by="PledgeHistory.id",
                                                          cascade="all, delete-orphan")
    # A month of a recurring plan: each month is made once (the unique key below).
    recurring_plan_id: Mapped[int | None] = mapped_column(ForeignKey("recurring_plans.id"),
                                                          index=True)
    month: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("association_code", "pledge_no"),
                      UniqueConstraint("association_code", "pay_reference"),
                      UniqueConstraint("association_code", "channel_txn_id"),
                      UniqueConstraint("association_code", "recurring_plan_id", "month"))

    def record_change(self, **change) -> None:
        self.history.append(PledgeHistory(association_code=self.association_code, **change))


class PledgeHistory(StateChange, Base):
    """Every state change of a pledge: who, when, from, to, why."""
    __tablename__ = "pledge_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)



class RecurringPlan(Base):
    """A gift a month for `months` months: the first month's pledge is made with the plan,
    each later one on `next_month_on`, until the months are made or the plan cancelled."""
    __tablename__ = "recurring_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6), index=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(10))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    grassroots_code: Mapped[str] = mapped_column(String(12), server_default="")
    months: Mapped[int] = mapped_column(Integer)
    months_made: Mapped[int] = mapped_column(Integer, default=0)
    started_on: Mapped[date] = mapped_column(Date)  # the association's local date
    next_month_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created()
    fund: Mapped[Fund] = relationship()
    project: Mapped[Project | None] = relationship()
    pledges: Mapped[list[Pledge]] = relationship(order_by=Pledge.month)
    history: Mapped[list["RecurringPlanHistory"]] = relationship(
        order_by="RecurringPlanHistory.id", cascade="all, delete-orphan")

    def record_change(self, **change) -> None:
        self.history.append(RecurringPlanHistory(association_code=self.association_code, **change))


class RecurringPlanHistory(StateChange, Base):
    """Every state change of a recurring plan: who, when, from, to, why."""
    __tablename__ = "recurring_plan_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("recurring_plans.id"), index=True)
