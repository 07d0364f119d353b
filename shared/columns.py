"""Columns every service's tables declare the same way."""
from sqlalchemy import DateTime, func
from sqlalchemy.orm import mapped_column


def created():
    """When the row was written: the database's clock, in UTC."""
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
