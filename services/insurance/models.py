"""The insurance service's tables. Products are data; money columns are fen."""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from shared.audit import add_audit_tables
from shared.blobs import add_blob_table
from shared.crypto import INDEX_LENGTH, Sealed, SealedText, blind
from shared.history import StateChange
from shared.messaging_tables import add_messaging_tables


class Base(DeclarativeBase):
    pass


OUTBOX, PROCESSED_EVENTS = add_messaging_tables(Base.metadata)
AUDIT = add_audit_tables(Base.metadata)
BLOBS = add_blob_table(Base.metadata)  # the documents, when BLOB_STORE_URL is `database`


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("association_code", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    payout_fund_code: Mapped[str] = mapped_column(String(40))
    per_claim_cap_fen: Mapped[int] = mapped_column(BigInteger)
    per_year_cap_fen: Mapped[int] = mapped_column(BigInteger)
    waiting_days: Mapped[int] = mapped_column(Integer)
    term_days: Mapped[int] = mapped_column(Integer)
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    care_visit: Mapped[bool] = mapped_column(Boolean, default=False)
    care_visit_skills: Mapped[list] = mapped_column(JSON, default=list)
    # Kinds of document a claim must carry before it can be approved.
    required_documents: Mapped[list] = mapped_column(JSON, default=list)
    # What a policy costs, and who pays which part: [{payer, share_pct, fund_code?}].
    premium_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    premium_shares: Mapped[list] = mapped_column(JSON, default=list)
    # The row holds the newest version's terms; older versions stay for their policies.
    version: Mapped[int] = mapped_column(Integer, default=1)


class ProductVersion(Base):
    """A product's terms as defined at one time. A change of terms is a new version, and
    a policy keeps the terms of the version it was enrolled under."""
    __tablename__ = "product_versions"
    __table_args__ = (UniqueConstraint("association_code", "product_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    version: Mapped[int] = mapped_column(Integer)
    terms: Mapped[dict] = mapped_column(JSON)  # the definition as given, its code aside
    defined_by: Mapped[str] = mapped_column(String(100))
    defined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())


class Policy(Base):
    """The insured person's identity number and phone are sealed; the person is found, and
    kept to one active policy of a product, by the identity number's blind index."""
    __tablename__ = "policies"
    # `active_key` is 1 while active and NULL otherwise: one active policy per person and
    # product, enforced by the database (NULLs never collide in a unique index). A renewed
    # policy hands it to its renewal, though it covers to its end.
    __table_args__ = (Index("uq_policies_insured_id_index", "association_code", "product_id",
                            "insured_id_index", "active_key", unique=True),
                      UniqueConstraint("association_code", "renews_policy_id",
                                       name="uq_policies_renews_policy_id"),
                      UniqueConstraint("association_code", "policy_no"),
                      # The association's policies, newest first, without passing others'.
                      Index("ix_policies_association_id", "association_code", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    policy_no: Mapped[str] = mapped_column(String(40))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    insured_name: Mapped[str] = mapped_column(String(200))
    insured_id_number: Mapped[str] = mapped_column(Sealed("policies.insured_id_number"))
    insured_id_index: Mapped[str] = mapped_column(String(INDEX_LENGTH), index=True)
    insured_phone: Mapped[str | None] = mapped_column(Sealed("policies.insured_phone"))
    family_category: Mapped[str | None] = mapped_column(String(40))
    family_code: Mapped[str | None] = mapped_column(String(60), index=True)
    # The family in the families service's register; its claims are that family's too.
    family_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The village it was enrolled in (from the families register), for renewing a village.
    village_code: Mapped[str | None] = mapped_column(String(12), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # The policy of the year before that this one renews; a policy is renewed at most once.
    renews_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("policies.id", name="fk_policies_renews_policy_id"))
    status: Mapped[str] = mapped_column(String(20), default="active")
    active_key: Mapped[int | None] = mapped_column(Integer, default=1)
    enrolled_by: Mapped[str] = mapped_column(String(100))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by: Mapped[str | None] = mapped_column(String(100))
    # When the insured were told the cover ends soon (`insurance.policy_ending`): once.
    ending_told_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
    product: Mapped[Product] = relationship()
    renews: Mapped["Policy | None"] = relationship(remote_side=[id], back_populates="renewal")
    renewal: Mapped["Policy | None"] = relationship(back_populates="renews")
    product_version_id: Mapped[int] = mapped_column(ForeignKey("product_versions.id"))
    product_version: Mapped[ProductVersion] = relationship()
    history: Mapped[list["PolicyHistory"]] = relationship(order_by="PolicyHistory.id",
                                                          cascade="all, delete-orphan")
    shares: Mapped[list["PremiumShare"]] = relationship(order_by="PremiumShare.id",
                                                        cascade="all, delete-orphan",
                                                        back_populates="policy")

    @validates("insured_id_number")
    def _index_id_number(self, key, value):
        self.insured_id_index = blind(value, "id_number")
        return value

    def record_change(self, **change) -> None:
        self.history.append(PolicyHistory(association_code=self.association_code, **change))


class PolicyHistory(StateChange, Base):
    """Every state change of a policy: who, when, from, to, why."""
    __tablename__ = "policy_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)


class PremiumShare(Base):
    """One payer's part of a policy's premium: paid by the fund named (the premium saga)
    or, without a fund, recorded by staff."""
    __tablename__ = "premium_shares"
    __table_args__ = (UniqueConstraint("association_code", "policy_id", "payer"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    payer: Mapped[str] = mapped_column(String(20))
    share_pct: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    fund_code: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    paid_by: Mapped[str | None] = mapped_column(String(100))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disbursement_id: Mapped[int | None] = mapped_column(Integer)
    policy: Mapped[Policy] = relationship(back_populates="shares")
    history: Mapped[list["PremiumShareHistory"]] = relationship(
        order_by="PremiumShareHistory.id", cascade="all, delete-orphan")

    def record_change(self, **change) -> None:
        self.history.append(PremiumShareHistory(association_code=self.association_code, **change))


class PremiumShareHistory(StateChange, Base):
    """Every state change of a premium share: who, when, from, to, why."""
    __tablename__ = "premium_share_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("premium_shares.id"), index=True)


class Claim(Base):
    """The description (the medical facts) and the payee's account number are sealed."""
    __tablename__ = "claims"
    # The review queue: the association's claims in a status, oldest first.
    __table_args__ = (UniqueConstraint("association_code", "claim_no"),
                      Index("ix_claims_association_status", "association_code", "status", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    claim_no: Mapped[str] = mapped_column(String(40))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    incident_date: Mapped[date] = mapped_column(Date)
    amount_claimed_fen: Mapped[int] = mapped_column(BigInteger)
    amount_approved_fen: Mapped[int | None] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(SealedText("claims.description"))
    status: Mapped[str] = mapped_column(String(30))
    flags: Mapped[list] = mapped_column(JSON, default=list)
    registered_by: Mapped[str] = mapped_column(String(100))
    disbursement_id: Mapped[int | None] = mapped_column(Integer)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The bank account the payout goes to; the number leaves this service only masked.
    payee_name: Mapped[str | None] = mapped_column(String(200))
    payee_bank: Mapped[str | None] = mapped_column(String(100))
    payee_account_no: Mapped[str | None] = mapped_column(Sealed("claims.payee_account_no"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    policy: Mapped[Policy] = relationship()
    history: Mapped[list["ClaimHistory"]] = relationship(order_by="ClaimHistory.id")
    documents: Mapped[list["ClaimDocument"]] = relationship(order_by="ClaimDocument.id")
    appeal: Mapped["ClaimAppeal | None"] = relationship()

    def record_change(self, **change) -> None:
        self.history.append(ClaimHistory(association_code=self.association_code, **change))


class ClaimHistory(StateChange, Base):
    """Every state change of a claim: who, when, from, to, why."""
    __tablename__ = "claim_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)


class ClaimDocument(Base):
    """A paper on a claim; its bytes are in the blob store under `sha256`."""
    __tablename__ = "claim_documents"
    __table_args__ = (UniqueConstraint("association_code", "claim_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(50))  # as the content says, not the sender
    filename: Mapped[str | None] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClaimAppeal(Base):
    """The one appeal a rejected claim may have, and its decision."""
    __tablename__ = "claim_appeals"
    __table_args__ = (UniqueConstraint("association_code", "claim_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    # A claim's appeal is loaded with every claim shown: found by the claim alone.
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    appealed_by: Mapped[str] = mapped_column(String(100))
    appealed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rejected_by: Mapped[str] = mapped_column(String(100))  # who may not decide it
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
