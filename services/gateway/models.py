"""The gateway's own tables: the people who log in, tokens logged out or last used,
imports run, failed logins and requests without a login counted."""
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Double,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.crypto import SealedBytes, SealedJSON


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str | None] = mapped_column(String(200))  # null for older logins
    association_code: Mapped[str] = mapped_column(String(6))
    # A donor or volunteer login is tied to that person's record in its service.
    donor_id: Mapped[int | None] = mapped_column(Integer)
    volunteer_id: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A login made with a one-time password: its tokens serve only to choose a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 server_default=func.now())


# One login per volunteer: two coordinators approving at once cannot make two.
Index("uq_users_volunteer_id", User.volunteer_id, unique=True)


class RevokedToken(Base):
    """A token logged out before it expired; kept until then, refused meanwhile."""
    __tablename__ = "revoked_tokens"
    token_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class TokenUse(Base):
    """When a staff-side token was last used, as far as its sessions need to know (written
    at most once a minute: see idle_sessions). Kept in the database, not in a gateway's
    memory, so every replica sees the same; a row goes once its token has expired."""
    __tablename__ = "token_uses"
    token_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


Index("ix_token_uses_expires_at", TokenUse.expires_at)


class ImportRun(Base):
    """A spreadsheet brought in: what it was, how far it got and what it found. It is
    running until finished; a run whose gateway stopped mid-way is told apart by its last
    progress (see imports.runs). The cells of the rows in error are kept for the error
    workbook; the rows that went in are in their services."""
    __tablename__ = "import_runs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    register: Mapped[str] = mapped_column(String(20))
    username: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str | None] = mapped_column(String(200))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    all_or_nothing: Mapped[bool] = mapped_column(Boolean)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)  # rows sent so far (progress)
    to_do: Mapped[int] = mapped_column(Integer, default=0)  # rows to send in all
    report: Mapped[dict | None] = mapped_column(JSON)  # running.Report, once finished
    headers: Mapped[list | None] = mapped_column(JSON)
    # [[row, [cells]], …]: people's identity numbers and phones, so sealed.
    rows_in_error: Mapped[list | None] = mapped_column(SealedJSON("import_runs.rows_in_error"))
    failure: Mapped[str | None] = mapped_column(Text)
    # A dry run's file, kept until the import page's confirmation runs it for real.
    content: Mapped[bytes | None] = mapped_column(SealedBytes("import_runs.content"),
                                                  deferred=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    touched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


Index("ix_import_runs_association", ImportRun.association_code, ImportRun.started_at)


class Throttle(Base):
    """Failed logins or requests without a login counted for one account or address (see
    throttle): kept here, not in a gateway's memory, so every replica counts the same. The
    key is a digest; times are seconds of the wall clock; the row may go after `expires_at`."""
    __tablename__ = "throttles"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    since: Mapped[float] = mapped_column(Double, nullable=False)  # the window's first
    last_at: Mapped[float] = mapped_column(Double, nullable=False)
    wait_until: Mapped[float] = mapped_column(Double, nullable=False)  # no try before
    expires_at: Mapped[float] = mapped_column(Double, nullable=False)


Index("ix_throttles_expires_at", Throttle.expires_at)
