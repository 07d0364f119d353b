"""The gateway's own table: the people who log in."""
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, false, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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
