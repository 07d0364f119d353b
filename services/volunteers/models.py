"""The volunteers service's tables."""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.audit import add_audit_tables
from shared.columns import created
from shared.crypto import INDEX_LENGTH, IdNumberIndexed, Sealed
from shared.history import StateChange
from shared.messaging_tables import add_messaging_tables


class Base(DeclarativeBase):
    pass


OUTBOX, PROCESSED_EVENTS = add_messaging_tables(Base.metadata)
AUDIT = add_audit_tables(Base.metadata)


class Volunteer(IdNumberIndexed, Base):
    """A volunteer of the association. The unique blind index of the id number keeps one
    person one volunteer, even when two coordinators register them at once. The id number
    and the phone are sealed."""
    __tablename__ = "volunteers"
    __table_args__ = (Index("uq_volunteers_id_index", "association_code", "id_index",
                            unique=True),
                      # The dashboard's active volunteers by association (migration 0014).
                      Index("ix_volunteers_counts", "association_code", "status",
                            postgresql_include=["grassroots_code"]))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(Sealed("volunteers.id_number"))
    id_index: Mapped[str] = mapped_column(String(INDEX_LENGTH))
    phone: Mapped[str] = mapped_column(Sealed("volunteers.phone"))
    status: Mapped[str] = mapped_column(String(10), default="active")
    availability: Mapped[str | None] = mapped_column(Text)
    # The grassroots association (township or village, or the county itself) they serve
    # with. Every write names it; the server default is there for the migration that added it.
    grassroots_code: Mapped[str] = mapped_column(String(12), server_default="")
    created_at: Mapped[datetime] = created()
    skills: Mapped[list["VolunteerSkill"]] = relationship(cascade="all, delete-orphan")


class VolunteerSkill(Base):
    __tablename__ = "volunteer_skills"
    __table_args__ = (UniqueConstraint("association_code", "volunteer_id", "skill"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    skill: Mapped[str] = mapped_column(String(40))
    certificate_no: Mapped[str | None] = mapped_column(String(60))
    expires_on: Mapped[date | None] = mapped_column(Date)


class Application(IdNumberIndexed, Base):
    """A person's application to volunteer, from the public pages: pending until a
    coordinator approves it (and it becomes `volunteer_id`) or declines it with a reason.
    The id number and the phone are sealed."""
    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(Sealed("applications.id_number"))
    id_index: Mapped[str] = mapped_column(String(INDEX_LENGTH))
    phone: Mapped[str] = mapped_column(Sealed("applications.phone"))
    # As VolunteerIn takes them: [{code, certificate_no, expires_on (ISO date)}].
    skills: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    created_at: Mapped[datetime] = created()
    history: Mapped[list["ApplicationHistory"]] = relationship(
        order_by="ApplicationHistory.id", cascade="all, delete-orphan")

    def record_change(self, **change) -> None:
        self.history.append(ApplicationHistory(association_code=self.association_code, **change))


# One pending application per person (by the blind index of their id number): the
# database holds it against two sent at once.
Index("uq_applications_pending", Application.association_code, Application.id_index,
      unique=True, postgresql_where=Application.status == "pending",
      sqlite_where=Application.status == "pending")


class ApplicationHistory(StateChange, Base):
    """Every state change of an application: who, when, from, to, why."""
    __tablename__ = "application_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)


class Activity(Base):
    __tablename__ = "activities"
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))


class Shift(Base):
    __tablename__ = "shifts"
    # A page of the association's shifts by start, read without passing other counties'.
    __table_args__ = (Index("ix_shifts_association_start", "association_code", "starts_at",
                            "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    required_skills: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="open", server_default="open")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    activity: Mapped[Activity] = relationship()
    history: Mapped[list["ShiftHistory"]] = relationship(order_by="ShiftHistory.id",
                                                         cascade="all, delete-orphan")

    def record_change(self, **change) -> None:
        self.history.append(ShiftHistory(association_code=self.association_code, **change))


class ShiftHistory(StateChange, Base):
    """A shift called off: who, when, why (a shift is open until then)."""
    __tablename__ = "shift_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"), index=True)


class Signup(Base):
    """A volunteer on a shift: confirmed or waitlisted (in id order), later cancelled, or a
    no-show when the shift ended without them."""
    __tablename__ = "signups"
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    signed_up_by: Mapped[str] = mapped_column(String(100))
    signed_up_at: Mapped[datetime] = created()
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shift: Mapped[Shift] = relationship()
    history: Mapped[list["SignupHistory"]] = relationship(order_by="SignupHistory.id",
                                                          cascade="all, delete-orphan")
    corrections: Mapped[list["HourCorrection"]] = relationship(
        order_by="HourCorrection.id", cascade="all, delete-orphan")

    def record_change(self, **change) -> None:
        self.history.append(SignupHistory(association_code=self.association_code, **change))


class SignupHistory(StateChange, Base):
    """Every state change of a sign-up: who, when, from, to, why."""
    __tablename__ = "signup_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("signups.id"), index=True)


class HourCorrection(Base):
    """A coordinator's correction of the minutes a sign-up credits: who, when, the minutes
    before and after, and why."""
    __tablename__ = "hour_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    signup_id: Mapped[int] = mapped_column(ForeignKey("signups.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    old_minutes: Mapped[int] = mapped_column(Integer)
    new_minutes: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)


class Visit(Base):
    """A care visit to a family, opened by a triggering event (one visit per trigger). The
    address is sealed."""
    __tablename__ = "visits"
    __table_args__ = (UniqueConstraint("association_code", "trigger_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    trigger_key: Mapped[str] = mapped_column(String(120))
    trigger_event_id: Mapped[str] = mapped_column(String(36))
    family_name: Mapped[str] = mapped_column(String(200))
    # Known when the trigger named the family (a care plan, a family's claim or payout).
    family_id: Mapped[int | None] = mapped_column(Integer, index=True)
    address: Mapped[str | None] = mapped_column(Sealed("visits.address", 1000))
    reason: Mapped[str] = mapped_column(Text)
    required_skills: Mapped[list] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12), default="open")
    volunteer_ids: Mapped[list] = mapped_column(JSON, default=list)
    minutes: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created()
    history: Mapped[list["VisitHistory"]] = relationship(order_by="VisitHistory.id",
                                                         cascade="all, delete-orphan")

    def record_change(self, **change) -> None:
        self.history.append(VisitHistory(association_code=self.association_code, **change))


class VisitHistory(StateChange, Base):
    """Every state change of a care visit: who, when, from, to, why."""
    __tablename__ = "visit_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)


class HoursEntry(Base):
    """Minutes served, from a shift's check-out (or a coordinator's correction of it) or a
    completed visit."""
    __tablename__ = "hours"
    __table_args__ = (UniqueConstraint("association_code", "volunteer_id", "source", "source_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))
    source_id: Mapped[int] = mapped_column(Integer)
    served_on: Mapped[date] = mapped_column(Date)


class FamilyHome(Base):
    """Where a family lives and who heads it, as the families service last announced:
    what a care visit to it shows the volunteers, and whom it tells of the visit. The address
    and the head's phone are sealed."""
    __tablename__ = "family_homes"
    family_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    family_no: Mapped[str] = mapped_column(String(30))
    head_name: Mapped[str] = mapped_column(String(200))
    head_phone: Mapped[str | None] = mapped_column(Sealed("family_homes.head_phone"))
    village_code: Mapped[str | None] = mapped_column(String(12))
    address: Mapped[str | None] = mapped_column(Sealed("family_homes.address", 1000))
    announced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
