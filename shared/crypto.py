"""Personal data sealed at rest: AES-256-GCM (a fresh 96-bit nonce per value, the field's
name as associated data, so a value copied into another field does not open), the id of the
key with each value, and a keyed blind index (HMAC-SHA256) for values that are looked up or
kept unique, so a database file, a WAL or a dump holds none of them in clear.

Keys: `DATA_KEYS` is `id:base64,id:base64,…` (32-byte keys; the first seals, every one
opens) and `DATA_INDEX_KEY` (base64, 32 bytes: the blind index's, which is not rotated: an
index made with another key would find nothing); else `var/data-keys`, made once (0600)
with one key of each. A key that is not 32 bytes, or a file that is not the keyring, stops
the process rather than let it write anything in clear."""
import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import String, Text
from sqlalchemy.orm import validates
from sqlalchemy.types import TypeDecorator

from shared.settings import var_dir

PREFIX = "enc1"  # enc1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>
NONCE_BYTES = 12
KEY_BYTES = 32
INDEX_LENGTH = 43  # a blind index: an HMAC-SHA256 in unpadded base64
SEALED_LENGTH = 200  # a sealed identity number or phone: about 70 characters


class KeyProblem(RuntimeError):
    """The keys are missing, malformed or not the ones the data was sealed with."""


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]  # id → key; the first is the one that seals
    index_key: bytes

    @property
    def current(self) -> str:
        return next(iter(self.keys))

    def seal(self, value: str, field: str) -> str:
        return f"{PREFIX}:{self.current}:{_b64(self._encrypt(value.encode(), field))}"

    def open(self, text: str, field: str) -> str:
        try:
            prefix, key_id, body = text.split(":", 2)
        except ValueError:
            raise KeyProblem(f"{field}: not a sealed value") from None
        if prefix != PREFIX:
            raise KeyProblem(f"{field}: not a sealed value")
        # As seal() wrote it: URL-safe, unpadded (a value altered fails the tag, not here).
        return self._decrypt(key_id, base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)),
                             field).decode()

    def seal_bytes(self, data: bytes, field: str) -> bytes:
        """A file sealed as it is kept: `enc1:<key id>:`, then the nonce, ciphertext and tag
        raw (a document stays its size, not a third larger)."""
        return f"{PREFIX}:{self.current}:".encode() + self._encrypt(data, field)

    def open_bytes(self, sealed: bytes, field: str) -> bytes:
        key_id = sealed_bytes_key_of(sealed)
        if key_id is None:
            raise KeyProblem(f"{field}: not sealed")
        return self._decrypt(key_id, sealed[len(PREFIX) + len(key_id) + 2:], field)

    def _encrypt(self, data: bytes, field: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + _cipher(self.keys[self.current]).encrypt(nonce, data, field.encode())

    def _decrypt(self, key_id: str, raw: bytes, field: str) -> bytes:
        key = self.keys.get(key_id)
        if key is None:
            raise KeyProblem(f"{field}: sealed with key {key_id!r}, which DATA_KEYS lacks")
        try:
            return _cipher(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], field.encode())
        except InvalidTag:
            raise KeyProblem(f"{field}: key {key_id!r} does not open it (a wrong key, or the "
                             f"value was altered)") from None

    def index(self, value: str, kind: str) -> str:
        """The same for the same value of the same kind (an identity number wherever it is
        kept), and nothing to anyone without the index key."""
        digest = hmac.new(self.index_key, f"{kind}\x1f{value}".encode(), hashlib.sha256)
        return _b64(digest.digest())


def sealed_key_of(text: str | None) -> str | None:
    """The id of the key a stored value was sealed with (None: not sealed)."""
    if not text or not text.startswith(PREFIX + ":"):
        return None
    return text.split(":", 2)[1]


def sealed_bytes_key_of(data: bytes) -> str | None:
    """The id of the key a stored file was sealed with (None: not sealed)."""
    prefix, _, rest = data[:100].partition(b":")
    key_id, colon, _ = rest.partition(b":")
    if prefix != PREFIX.encode() or not colon or not key_id.isalnum():
        return None
    return key_id.decode()


@cache
def keyring() -> Keyring:
    given = os.environ.get("DATA_KEYS")
    if given:
        return _parse(given, os.environ.get("DATA_INDEX_KEY", ""), "DATA_KEYS")
    return _kept()


def _kept() -> Keyring:
    path = var_dir() / "data-keys"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        made = {"keys": {"k1": _b64(secrets.token_bytes(KEY_BYTES))},
                "index_key": _b64(secrets.token_bytes(KEY_BYTES))}
        try:  # two processes starting at once must end up with the same keys
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                json.dump(made, out)
    for _ in range(50):  # another process may have made it and not yet written it
        text = path.read_text().strip()
        if text:
            break
        time.sleep(0.01)
    try:
        kept = json.loads(text)
        listed = ",".join(f"{key_id}:{key}" for key_id, key in kept["keys"].items())
        return _parse(listed, kept["index_key"], str(path))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise KeyProblem(f"{path} is not a keyring (JSON with keys and index_key)") from None


def _parse(listed: str, index_key: str, where: str) -> Keyring:
    keys = {}
    for item in listed.split(","):
        key_id, _, text = item.strip().partition(":")
        key = _key(text, f"{where}: key {key_id!r}")
        if not key_id or not key_id.isalnum():
            raise KeyProblem(f"{where}: a key id must be letters and digits, not {key_id!r}")
        keys[key_id] = key
    return Keyring(keys, _key(index_key, f"{where}: the index key (DATA_INDEX_KEY)"))


def _key(text: str, what: str) -> bytes:
    try:
        key = _unb64(text.strip())
    except ValueError:
        raise KeyProblem(f"{what} is not base64") from None
    if len(key) != KEY_BYTES:
        raise KeyProblem(f"{what} is {len(key)} bytes, not {KEY_BYTES}")
    return key


@cache
def _cipher(key: bytes) -> AESGCM:
    """One cipher a key: making one costs as much as opening a short value with it."""
    return AESGCM(key)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    """Base64 either way (URL-safe, or with + and / as `openssl rand -base64 32` gives)."""
    text = text.replace("+", "-").replace("/", "_")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (ValueError, TypeError):
        raise ValueError("not base64") from None


class _Sealing:
    def process_bind_param(self, value, dialect):
        return None if value is None else keyring().seal(value, self.field)

    def process_result_value(self, value, dialect):
        return None if value is None else keyring().open(value, self.field)


class Sealed(_Sealing, TypeDecorator):
    """A column holding a personal datum sealed: the model reads and writes it in clear;
    the database holds `enc1:…`. `field` (table.column) is bound into each value."""
    impl = String
    cache_ok = True  # its state (field, length) is its cache key

    def __init__(self, field: str, length: int = SEALED_LENGTH):
        super().__init__(length)
        self.field = field


class SealedText(_Sealing, TypeDecorator):
    """Sealed, for text of any length (an event's payload)."""
    impl = Text
    cache_ok = True

    def __init__(self, field: str):
        super().__init__()
        self.field = field


class SealedJSON(SealedText):
    """Sealed, for what JSON holds (the rows of a file as they were sent)."""
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else super().process_bind_param(
            json.dumps(value, ensure_ascii=False), dialect)

    def process_result_value(self, value, dialect):
        opened = super().process_result_value(value, dialect)
        return None if opened is None else json.loads(opened)


class SealedBytes(SealedText):
    """Sealed, for a file (kept as base64 inside the sealed value)."""
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else super().process_bind_param(
            base64.b64encode(value).decode(), dialect)

    def process_result_value(self, value, dialect):
        opened = super().process_result_value(value, dialect)
        return None if opened is None else base64.b64decode(opened)


def blind(value: str | None, kind: str) -> str | None:
    """The blind index of `value` (None stays None): what a column is looked up by."""
    return None if value is None else keyring().index(value, kind)


class IdNumberIndexed:
    """A model with a sealed `id_number` and its blind index `id_index`, set together: the
    index is what lookups and the unique key use, since the sealed value differs each time
    it is written."""

    @validates("id_number")
    def _index_id_number(self, key, value):
        self.id_index = blind(value, "id_number")
        return value


def seal_table(bind, table: str, fields: tuple[str, ...],
               indexes: dict[str, tuple[str, str]] | None = None, batch: int = 1_000) -> int:
    """For a migration: each row's `fields` sealed where they are still clear (a second run
    seals nothing twice), and each blind index column set from its field, `indexes` being
    {index column: (field, kind)}. Returns how many rows it changed."""
    ring = keyring()
    indexes = indexes or {}
    rows_of = sa.table(table, sa.column("id"), *(sa.column(name) for name in fields),
                       *(sa.column(name) for name in indexes))
    changed = last = 0
    while True:
        rows = bind.execute(sa.select(rows_of.c.id, *(rows_of.c[f] for f in fields))
                            .where(rows_of.c.id > last).order_by(rows_of.c.id)
                            .limit(batch)).all()
        if not rows:
            return changed
        for row in rows:
            stored = row._mapping
            clear = {f: ring.open(stored[f], f"{table}.{f}") if sealed_key_of(stored[f])
                     else stored[f] for f in fields}
            values = {f: ring.seal(stored[f], f"{table}.{f}") for f in fields
                      if stored[f] is not None and not sealed_key_of(stored[f])}
            values.update({column: blind(clear[field], kind)
                           for column, (field, kind) in indexes.items()})
            if values:
                bind.execute(sa.update(rows_of).where(rows_of.c.id == row.id).values(**values))
                changed += 1
        last = rows[-1].id
