"""The families service's tables."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.audit import add_audit_tables
from shared.columns import created
from shared.crypto import INDEX_LENGTH, IdNumberIndexed, Sealed, SealedText
from shared.messaging_tables import add_messaging_tables


class Base(DeclarativeBase):
    pass


OUTBOX, PROCESSED_EVENTS = add_messaging_tables(Base.metadata)
AUDIT = add_audit_tables(Base.metadata)


class Family(Base):
    __tablename__ = "families"
    # A page of the association's families, in id order, read without passing others'.
    __table_args__ = (UniqueConstraint("association_code", "family_no"),
                      Index("ix_families_search", "association_code", "village_code"),
                      Index("ix_families_association_id", "association_code", "id"),
                      # The dashboard's counts by village, from the index alone.
                      Index("ix_families_counts", "association_code", "village_code",
                            postgresql_include=["category", "low_income"]))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    family_no: Mapped[str] = mapped_column(String(30))
    category: Mapped[str] = mapped_column(String(20))
    low_income: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(Sealed("families.address", 1000))
    village_code: Mapped[str] = mapped_column(String(12))
    registered_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created()
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    members: Mapped[list["FamilyMember"]] = relationship(order_by="FamilyMember.id",
                                                   cascade="all, delete-orphan")


class FamilyMember(IdNumberIndexed, Base):
    """A person in a family. The association's unique key on the id number's blind index
    is what keeps one person in one family, even when two staff register the same person at
    once. The id number and the phone are sealed."""
    __tablename__ = "family_members"
    __table_args__ = (Index("uq_family_members_id_index", "association_code", "id_index",
                            unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    association_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(Sealed("family_members.id_number"))
    id_index: Mapped[str] = mapped_column(String(INDEX_LENGTH))
    relation: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(Sealed("family_members.phone"))


class FamilyNumbers(Base):
    """One counter row per association, locked while a family number is taken."""
    __tablename__ = "family_numbers"
    association_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer, default=0)


class FamilyEvent(Base):
    """Another service's event that named a family, kept whole: the timeline is rebuilt
    from these alone."""
    __tablename__ = "family_events"
    __table_args__ = (Index("ix_family_events_family", "association_code", "family_id"),
                      UniqueConstraint("association_code", "event_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))
    association_code: Mapped[str] = mapped_column(String(6))
    family_id: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    envelope: Mapped[str] = mapped_column(Text)


class TimelineEntry(Base):
    """The family's timeline (一户一档) as read: one entry per event that shows."""
    __tablename__ = "timeline_entries"
    __table_args__ = (Index("ix_timeline_family", "association_code", "family_id", "at"),
                      # The dashboard's visits done and claims paid (migration 0010).
                      Index("ix_timeline_kind_at", "association_code", "kind", "at",
                            postgresql_include=["family_id"]),
                      UniqueConstraint("association_code", "event_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))
    association_code: Mapped[str] = mapped_column(String(6))
    family_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(300))
    ref: Mapped[str | None] = mapped_column(String(60))


class CarePlan(Base):
    """A visit every `every_days` from `starts_on`; `next_due_on` moves on as each is asked
    for. One plan per family: a new one replaces it."""
    __tablename__ = "care_plans"
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    every_days: Mapped[int] = mapped_column(Integer)
    skills: Mapped[list] = mapped_column(JSON, default=list)
    starts_on: Mapped[date] = mapped_column(Date)
    next_due_on: Mapped[date] = mapped_column(Date, index=True)
    planned_by: Mapped[str] = mapped_column(String(100))
    planned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GrassrootsAssociation(Base):
    """A township's or a village's association under the county's. The county's own is
    not a row: it is the association every actor belongs to."""
    __tablename__ = "grassroots_associations"
    __table_args__ = (UniqueConstraint("association_code", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created()


class RegionalAssociation(Base):
    """A province's, city's or county's association (a 6-digit region code): set up by an
    admin of the association above it, the install's own county by the migration. Its
    record is its own, so its association_code is its code."""
    __tablename__ = "regional_associations"
    __table_args__ = (UniqueConstraint("association_code", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(String(6), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = created()


class Member(IdNumberIndexed, Base):
    """A member (会员) of the association, in one of its grassroots associations. The
    unique blind index of the id number keeps one person one member, even when two staff add
    them at once. The id number and the phone are sealed."""
    __tablename__ = "members"
    __table_args__ = (Index("uq_members_id_index", "association_code", "id_index", unique=True),
                      Index("ix_members_grassroots", "association_code", "grassroots_code"))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(Sealed("members.id_number"))
    id_index: Mapped[str] = mapped_column(String(INDEX_LENGTH))
    phone: Mapped[str] = mapped_column(Sealed("members.phone"))
    grassroots_code: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[str] = mapped_column(String(100))
    joined_at: Mapped[datetime] = created()
    pairings: Mapped[list["Pairing"]] = relationship(order_by="Pairing.id",
                                                     back_populates="member")


class Pairing(Base):
    """A family a member keeps in touch with (会员联系户); one member per family."""
    __tablename__ = "pairings"
    __table_args__ = (UniqueConstraint("association_code", "family_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    paired_by: Mapped[str] = mapped_column(String(100))
    paired_at: Mapped[datetime] = created()
    # The latest contact recorded with the family (kept here so "overdue" is one query).
    last_contact_on: Mapped[date | None] = mapped_column(Date)
    member: Mapped[Member] = relationship(back_populates="pairings")
    family: Mapped[Family] = relationship()


class MemberDay(Base):
    """A member-day activity (会员日, 5.29 and others) and who took part."""
    __tablename__ = "member_days"
    __table_args__ = (Index("ix_member_days_grassroots", "association_code",
                            "grassroots_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    grassroots_code: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(100))
    held_on: Mapped[date] = mapped_column(Date)
    member_ids: Mapped[list] = mapped_column(JSON, default=list)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = created()


class HelpRecord(Base):
    """Help given to a family (精准帮扶): by a member, a volunteer or the staff member who
    records it. The note and the outcome may tell of health or money, so they are sealed. A
    follow-up is met by the family's next help record (`followed_up_by`)."""
    __tablename__ = "help_records"
    __table_args__ = (Index("ix_help_records_family", "association_code", "family_id",
                            "helped_on"),
                      Index("ix_help_records_follow_up", "association_code", "follow_up_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    kind: Mapped[str] = mapped_column(String(20))
    helped_on: Mapped[date] = mapped_column(Date)
    helper_kind: Mapped[str] = mapped_column(String(10))  # member | volunteer | staff
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    volunteer_id: Mapped[int | None] = mapped_column(Integer)
    helper_name: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(SealedText("help_records.note"))
    outcome: Mapped[str | None] = mapped_column(SealedText("help_records.outcome"))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    followed_up_by: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = created()


class MemberContact(Base):
    """A member keeping in touch with a family paired with them (会员联系户): a visit, a
    call or a WeChat message. The note is sealed."""
    __tablename__ = "member_contacts"
    __table_args__ = (Index("ix_member_contacts_member", "association_code", "member_id",
                            "contacted_on"),
                      Index("ix_member_contacts_family", "association_code", "family_id",
                            "contacted_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    contacted_on: Mapped[date] = mapped_column(Date)
    way: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(SealedText("member_contacts.note"))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = created()


class AssessmentCriteria(Base):
    """A year's criteria for assessing the grassroots associations (先进基层协会): items
    with weights summing to 100, each computed from the data or scored by hand."""
    __tablename__ = "assessment_criteria"
    __table_args__ = (UniqueConstraint("association_code", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    items: Mapped[list] = mapped_column(JSON)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = created()


class AssessmentScore(Base):
    """A score given by hand (0–100) to a grassroots association on a manual item."""
    __tablename__ = "assessment_scores"
    __table_args__ = (UniqueConstraint("association_code", "year", "code", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(12))
    key: Mapped[str] = mapped_column(String(40))
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = created()
