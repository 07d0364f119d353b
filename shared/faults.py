"""Which handler errors are worth another try: the database or the broker was away for a
moment (a locked SQLite file, PostgreSQL restarting, a dropped connection, a full pool).
Anything else — a bad event, a domain rule, a bug — fails the same way every time, so it is
dead-lettered at once instead of being tried again."""
import sqlite3

import amqp.exceptions
import kombu.exceptions
import pika.exceptions
import psycopg2
from sqlalchemy import exc as sa

# SQLite reports another writer holding the file, or an I/O hiccup, as OperationalError;
# it also reports schema mistakes and syntax errors that way, and those never heal.
_SQLITE_TRANSIENT = ("locked", "busy", "disk i/o error", "unable to open database file")

# OSErrors about a missing or forbidden path come back the same on every try.
_LASTING_OS_ERRORS = (FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError,
                      NotADirectoryError)

# A connection that is gone can be opened again; channel errors such as NOT_FOUND or
# ACCESS_REFUSED are not in this list because they repeat.
_BROKER_TRANSIENT = (amqp.exceptions.ConnectionError, amqp.exceptions.ResourceLocked,
                     amqp.exceptions.MessageNacked, kombu.exceptions.OperationalError,
                     pika.exceptions.AMQPConnectionError)


def is_transient(exc: BaseException) -> bool:
    """True when the same handler, run again a little later, may well succeed."""
    if isinstance(exc, sa.DBAPIError):
        if exc.connection_invalidated:
            return True
        driver = _driver_error(exc.orig)
        if driver is not None:
            return driver
        return isinstance(exc, (sa.OperationalError, sa.InterfaceError))
    if isinstance(exc, (sa.TimeoutError, sa.DisconnectionError)):  # pool exhausted / ping
        return True
    driver = _driver_error(exc)  # a driver error that reached us unwrapped
    if driver is not None:
        return driver
    if isinstance(exc, _BROKER_TRANSIENT):
        return True
    if isinstance(exc, _LASTING_OS_ERRORS):
        return False
    return isinstance(exc, OSError)  # ConnectionError, TimeoutError, socket errors


def _driver_error(exc) -> bool | None:
    """The DBAPI's own verdict, or None when `exc` is not one of its errors we know."""
    if isinstance(exc, sqlite3.OperationalError):
        return any(word in str(exc).lower() for word in _SQLITE_TRANSIENT)
    if isinstance(exc, sqlite3.Error):
        return False  # InterfaceError there is a bad parameter, not a lost connection
    if isinstance(exc, (psycopg2.OperationalError, psycopg2.InterfaceError)):
        return True  # connection lost or refused, server shutting down, deadlock, serialization
    if isinstance(exc, psycopg2.Error):
        return False
    return None
