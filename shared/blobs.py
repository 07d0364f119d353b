"""Documents kept by their content: `put(bytes)` answers the SHA-256 hex digest, `get(digest)`
gives the bytes back. The same content put twice is stored once. Each is kept sealed with the
data keys (`shared.crypto`), its digest bound in; `reseal()` brings every one under the
current key (the upgrade and `deploy.ops rotate-keys` run it).

Two stores, chosen by `BLOB_STORE_URL`:
- `database`: a table `blobs` in the insurance service's own database (the service that
  keeps documents), one row per digest holding the sealed bytes. Every replica reads what
  any replica wrote, a document commits with the claim it is attached to, and the
  database's backups, point-in-time recovery and fail-over cover the documents too. The
  default when that database is PostgreSQL.
- `dir`: each blob a file under `BLOB_DIR` (default `var/blobs`): one machine only (a
  pod's disk is its own). The default on SQLite, which is one machine anyway.
Documents kept as files before the database store are moved into it by the insurance
migration 0013, or by `python -m deploy.ops move-blobs` where BLOB_DIR is out of the
migration's reach. An S3-compatible object store is not built in: any other value stops
the service at its first document rather than keep documents where nobody expects them.

Also here: what kind of file some bytes are, by their first bytes (magic numbers), never by
a name or a declared type."""
import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from shared.crypto import KeyProblem, keyring, sealed_bytes_key_of
from shared.db import make_engine
from shared.settings import blob_dir, blob_store_url, database_url

_DIGEST = re.compile(r"[0-9a-f]{64}")
# The signatures of the kinds of file people may send as evidence.
MAGIC = (("application/pdf", b"%PDF-"), ("image/jpeg", b"\xff\xd8\xff"),
         ("image/png", b"\x89PNG\r\n\x1a\n"))


class BlobMissing(KeyError):
    """No blob with this digest."""


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...

    def get(self, digest: str) -> bytes: ...

    def reseal(self, progress: Callable[[str], None] | None = None) -> int: ...


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_digest(text: str) -> bool:
    return bool(_DIGEST.fullmatch(text))


def media_type(data: bytes) -> str | None:
    """`application/pdf`, `image/jpeg` or `image/png` by the content, else None."""
    return next((kind for kind, magic in MAGIC if data.startswith(magic)), None)


class DirectoryStore:
    """Blobs as files `<root>/<first two hex digits>/<digest>`, written whole or not at all,
    each sealed with the current data key and its digest bound in, so a file copied under
    another digest does not open (`enc1:<key id>:` and then the AES-256-GCM bytes)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def put(self, data: bytes) -> str:
        digest = digest_of(data)
        if not self._path(digest).exists():  # else the same content is already here
            # Sealed before anything is written: without a key nothing lands in clear.
            self._write(digest, keyring().seal_bytes(data, _field(digest)))
        return digest

    def get(self, digest: str) -> bytes:
        stored = self._read(digest)
        if sealed_bytes_key_of(stored) is None:
            raise KeyProblem(f"{_field(digest)}: kept in clear, as before documents were "
                             f"sealed; `python -m deploy.ops rotate-keys` seals it")
        return keyring().open_bytes(stored, _field(digest))

    def reseal(self, progress: Callable[[str], None] | None = None) -> int:
        """Every blob under the current key: one an older version kept in clear sealed, one
        sealed with another key sealed again. How many it wrote; run again, none. Each is
        replaced whole, so readers and writers may go on meanwhile."""
        changed = 0
        for path in self.files():
            digest, stored = path.name, path.read_bytes()
            ring = keyring()
            if sealed_bytes_key_of(stored) == ring.current:
                continue
            clear = stored if digest_of(stored) == digest else \
                ring.open_bytes(stored, _field(digest))
            self._write(digest, ring.seal_bytes(clear, _field(digest)))
            changed += 1
            if progress:
                progress(digest)
        return changed

    def files(self) -> list[Path]:
        """Every blob's file (what is half written, or not a blob, left out)."""
        if not self.root.is_dir():
            return []
        return [path for path in sorted(self.root.glob("*/*"))
                if is_digest(path.name) and path.parent.name == path.name[:2] and path.is_file()]

    def _read(self, digest: str) -> bytes:
        if not is_digest(digest):
            raise BlobMissing(digest)
        try:
            return self._path(digest).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(digest) from None

    def _write(self, digest: str, stored: bytes) -> None:
        path = self._path(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(stored)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)  # atomic: a reader never sees half a file
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest


def _field(digest: str) -> str:
    """What a blob is sealed for: its address."""
    return f"blobs/{digest}"


def add_blob_table(metadata: MetaData) -> Table:
    """The database store's table, in the metadata of the service that keeps documents."""
    return Table(
        "blobs", metadata,
        Column("digest", String(64), primary_key=True),
        # `enc1:<key id>:` and the AES-256-GCM bytes, as a file of the directory store holds.
        Column("sealed", LargeBinary, nullable=False),
        Column("size_bytes", Integer, nullable=False),  # of the clear content
        Column("created_at", DateTime(timezone=True), nullable=False,
               server_default=func.now()))


BLOBS = add_blob_table(MetaData())
KEEPER = "insurance"  # the service whose database holds the documents
KINDS = ("database", "dir")


class DatabaseStore:
    """Blobs as rows of `blobs`, each sealed as the directory store seals its files. Given
    a session or connection, it works inside that transaction (a document commits with its
    claim); given an engine, each call is a transaction of its own."""

    def __init__(self, bind):
        self.bind = bind

    def put(self, data: bytes) -> str:
        digest = digest_of(data)
        if not self._has(digest):
            self.add_sealed(digest, keyring().seal_bytes(data, _field(digest)), len(data))
        return digest

    def get(self, digest: str) -> bytes:
        if not is_digest(digest):
            raise BlobMissing(digest)
        stored = self._run(lambda c: c.execute(
            select(BLOBS.c.sealed).where(BLOBS.c.digest == digest)).scalar())
        if stored is None:
            raise BlobMissing(digest)
        return keyring().open_bytes(bytes(stored), _field(digest))

    def add_sealed(self, digest: str, stored: bytes, size: int | None = None) -> bool:
        """A blob already sealed (a file of the directory store, a backup's), unless its
        digest is here: whether it was added. Two replicas adding one at once: one row."""
        if sealed_bytes_key_of(stored) is None:  # kept in clear by an older version
            size, stored = len(stored), keyring().seal_bytes(stored, _field(digest))
        if size is None:
            size = len(keyring().open_bytes(stored, _field(digest)))
        insert = _dialect(self.bind).insert(BLOBS).values(digest=digest, sealed=stored,
                                                          size_bytes=size)
        done = self._run(lambda c: c.execute(
            insert.on_conflict_do_nothing(index_elements=["digest"])))
        return bool(done.rowcount)

    def digests(self) -> list[str]:
        return list(self._run(lambda c: c.execute(
            select(BLOBS.c.digest).order_by(BLOBS.c.digest)).scalars().all()))

    def reseal(self, progress: Callable[[str], None] | None = None) -> int:
        """Every blob under the current key, one row at a time, each written only if it
        still holds what was read. How many it wrote; run again, none."""
        changed = 0
        for digest in self.digests():
            changed += self._run(lambda c, d=digest: _reseal_row(c, d))
            if progress and changed:
                progress(digest)
        return changed

    def _has(self, digest: str) -> bool:
        return self._run(lambda c: c.execute(
            select(BLOBS.c.digest).where(BLOBS.c.digest == digest)).first()) is not None

    def _run(self, work):
        if isinstance(self.bind, Engine):
            with self.bind.begin() as connection:
                return work(connection)
        return work(self.bind)


def _reseal_row(connection, digest: str) -> int:
    stored = connection.execute(select(BLOBS.c.sealed).where(BLOBS.c.digest == digest)).scalar()
    ring = keyring()
    if stored is None or sealed_bytes_key_of(bytes(stored)) == ring.current:
        return 0
    stored = bytes(stored)
    clear = stored if sealed_bytes_key_of(stored) is None else \
        ring.open_bytes(stored, _field(digest))
    return connection.execute(
        update(BLOBS).where(BLOBS.c.digest == digest, BLOBS.c.sealed == stored)
        .values(sealed=ring.seal_bytes(clear, _field(digest)))).rowcount


def _dialect_name(bind) -> str:
    return bind.dialect.name if hasattr(bind, "dialect") else bind.get_bind().dialect.name


def _dialect(bind):
    return postgresql if _dialect_name(bind) == "postgresql" else sqlite


def store_kind(database: str | None = None) -> str:
    """`database` or `dir`: BLOB_STORE_URL, else by the keeper's database (`database`, its
    URL or dialect name; by default the configured URL): `database` on PostgreSQL."""
    url = blob_store_url()
    if url in KINDS:
        return url
    if url:
        raise RuntimeError(f"BLOB_STORE_URL is {url!r}; the stores built in are "
                           f"{' and '.join(KINDS)} (see shared/blobs.py)")
    database = database or database_url(KEEPER)
    return "dir" if database.startswith("sqlite") else "database"


def blob_store(session=None) -> BlobStore:
    """The store the settings name. In the keeper service, pass its session: the database
    store then works in its transaction (and on the database the service is given)."""
    kind = store_kind(_dialect_name(session)) if session is not None else store_kind()
    if kind == "dir":
        return DirectoryStore(blob_dir())
    return DatabaseStore(session if session is not None else make_engine(database_url(KEEPER)))
