"""Backups: every service's database and the claim documents, compressed and encrypted,
with a manifest of checksums; and restoring them.

A sealed file: a header (magic, key id, the file's name in the backup, a random salt), then
chunks of at most 1 MiB, each `flag (1: last) ‖ length ‖ AES-GCM(chunk)`. The chunk key is
HKDF-SHA256(data key, salt, header), so the header cannot be altered and no two files share
a key; the nonce is the chunk's index; the index and the flag are the associated data, so
chunks cannot be reordered, and a file cut short, without its last chunk, is refused."""
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from shared.blobs import DatabaseStore, DirectoryStore, store_kind
from shared.crypto import KeyProblem, keyring
from shared.db import make_engine
from shared.migrate import SERVICES_WITH_DATABASES
from shared.settings import blob_dir, database_url, var_dir

MAGIC = b"PHF-BACKUP-1\n"
CHUNK = 1 << 20
SALT_BYTES = 16
FORMAT = 1
MANIFEST = "manifest.json"
BLOBS = "blobs"
PARTS = (*SERVICES_WITH_DATABASES, BLOBS)


class Refused(Exception):
    """A backup or restore that does not go on; the message names the file, key or tool."""


# --- the sealed format -------------------------------------------------------------------

def _chunk_key(key: bytes, salt: bytes, header: bytes) -> AESGCM:
    derived = HKDF(hashes.SHA256(), 32, salt=salt, info=header).derive(key)
    return AESGCM(derived)


def _nonce_and_aad(index: int, last: bool) -> tuple[bytes, bytes]:
    return index.to_bytes(12, "big"), index.to_bytes(8, "big") + bytes([last])


class SealedWriter:
    """A writable stream that seals what it is given, chunk by chunk, into `out`;
    `finish()` seals the last chunk (which may be empty)."""

    def __init__(self, out, key_id: str, key: bytes, name: str):
        salt = os.urandom(SALT_BYTES)
        header = MAGIC + _field(key_id.encode()) + _field(name.encode()) + salt
        out.write(header)
        self._out, self._aead = out, _chunk_key(key, salt, header)
        self._buffer, self._index = bytearray(), 0

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) >= CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        pass  # a chunk is sealed when full; gzip asks for flushes it does not need

    def finish(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _seal(self, plain: bytes, last: bool) -> None:
        nonce, aad = _nonce_and_aad(self._index, last)
        sealed = self._aead.encrypt(nonce, plain, aad)
        self._out.write(bytes([last]) + struct.pack(">I", len(sealed)) + sealed)
        self._index += 1


class SealedReader(io.RawIOBase):
    """The plain bytes of a sealed file, read chunk by chunk; a wrong key, an altered
    chunk or a file cut short raises Refused naming the file."""

    def __init__(self, source, keys: dict[str, bytes], name: str):
        super().__init__()
        self._source, self._name = source, name
        magic = source.read(len(MAGIC))
        if magic != MAGIC:
            raise Refused(f"{name}: not a backup file of this format")
        key_id, inner = _read_field(source, name), _read_field(source, name)
        salt = self._exactly(SALT_BYTES)
        self.key_id = key_id.decode(errors="replace")
        if inner.decode(errors="replace") != name:
            raise Refused(f"{name}: holds {inner.decode(errors='replace')!r}, not this file")
        if self.key_id not in keys:
            raise Refused(f"{name}: sealed with key {self.key_id!r}, which the keyring "
                          f"(DATA_KEYS or var/data-keys) lacks")
        header = MAGIC + _field(key_id) + _field(inner) + salt
        self._aead = _chunk_key(keys[self.key_id], salt, header)
        self._plain, self._index, self._done = b"", 0, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._plain and not self._done:
            self._plain = self._open_next()
        count = min(len(buffer), len(self._plain))
        buffer[:count] = self._plain[:count]
        self._plain = self._plain[count:]
        return count

    def _open_next(self) -> bytes:
        flag = self._source.read(1)
        if not flag:
            raise Refused(f"{self._name}: cut short (its last chunk is missing)")
        (length,) = struct.unpack(">I", self._exactly(4))
        nonce, aad = _nonce_and_aad(self._index, flag == b"\x01")
        try:
            plain = self._aead.decrypt(nonce, self._exactly(length), aad)
        except InvalidTag:
            raise Refused(self._does_not_open()) from None
        self._index += 1
        self._done = flag == b"\x01"
        if self._done and self._source.read(1):
            raise Refused(f"{self._name}: bytes after its last chunk")
        return plain

    def _does_not_open(self) -> str:
        if self._index == 0:
            return (f"{self._name}: key {self.key_id!r} does not open it (a different key "
                    f"under the same id, or the file was altered)")
        return f"{self._name}: chunk {self._index} was altered"

    def _exactly(self, count: int) -> bytes:
        data = self._source.read(count)
        if len(data) != count:
            raise Refused(f"{self._name}: cut short")
        return data


def _field(raw: bytes) -> bytes:
    return bytes([len(raw)]) + raw


def _read_field(source, name: str) -> bytes:
    size = source.read(1)
    raw = source.read(size[0]) if size else b""
    if not size or len(raw) != size[0]:
        raise Refused(f"{name}: cut short")
    return raw


class _Counted:
    """Writes through to a file, counting the bytes and hashing them."""

    def __init__(self, out):
        self.out, self.size, self.sha256 = out, 0, hashlib.sha256()

    def write(self, data) -> int:
        self.out.write(data)
        self.size += len(data)
        self.sha256.update(data)
        return len(data)


# --- backup ------------------------------------------------------------------------------

@dataclass
class Key:
    id: str
    secret: bytes


def backup(target: Path, only: list[str] | None = None, say=print) -> dict:
    """Copies each database while the services run (SQLite's online backup API, or
    `pg_dump --format=custom`) and the documents under BLOB_DIR as one tar archive, into a
    new or empty DIR (made 0700). Each copy is gzipped, then sealed with AES-256-GCM under
    the current data key (DATA_KEYS or var/data-keys; keep the keys apart from the backups)
    and written 0600; manifest.json, written last, lists each file's service, kind, size,
    SHA-256 and key id. A folder without a manifest is no backup."""
    _private_dir(target)
    key = _current_key()
    entries, written = [], []
    try:
        for part in dict.fromkeys(only or PARTS):
            entry = _back_up_part(target, part, key, written, say)
            if entry:
                entries.append(entry)
                say(f"{part}: {entry['kind']}, {entry['bytes']} bytes in {entry['name']}")
        manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(),
                    "key_id": key.id, "files": entries}
        _write_atomically(target / MANIFEST, json.dumps(manifest, indent=2).encode())
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return manifest


def _back_up_part(target: Path, part: str, key: Key, written: list, say) -> dict | None:
    if part == BLOBS:
        if _blob_store_kind() == "database":
            say("blobs: the documents are kept in the insurance database, backed up with it")
            return None
        return _sealed(target, BLOBS, "blobs", "tar", key, written, _tar_blobs)
    url = database_url(part)
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        return _sealed(target, part, "sqlite", "sqlite", key, written,
                       lambda out: _sqlite_copy(part, path, out))
    return _sealed(target, part, "postgresql", "pgdump", key, written,
                   lambda out: _pg_dump(part, url, out))


def _sealed(target: Path, part: str, kind: str, suffix: str, key: Key, written: list,
            fill) -> dict:
    name = f"{part}.{suffix}.gz.aes"
    path = target / name
    with _private_file(path) as out:
        written.append(path)
        counted = _Counted(out)
        sealer = SealedWriter(counted, key.id, key.secret, name)
        with gzip.GzipFile(fileobj=sealer, mode="wb", compresslevel=6, mtime=0) as plain:
            fill(plain)
        sealer.finish()
    return {"name": name, "service": part, "kind": kind, "bytes": counted.size,
            "sha256": counted.sha256.hexdigest(), "key_id": key.id}


def _sqlite_copy(service: str, path: Path, out) -> None:
    copy = _sqlite_snapshot(service, path)
    try:
        with open(copy, "rb") as copied:
            shutil.copyfileobj(copied, out, CHUNK)
    finally:
        copy.unlink(missing_ok=True)


def _sqlite_snapshot(service: str, path: Path) -> Path:
    """A consistent copy of the database while the services write to it: one read
    transaction (WAL lets writers go on). It is as private as the database: it lives beside
    it, for the moment the backup takes."""
    if not path.exists():
        raise Refused(f"{service}: no database at {path}")
    fd, copy = tempfile.mkstemp(prefix=f".{path.name}.backup-", dir=path.parent)
    os.close(fd)
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=60)) as source, \
                closing(sqlite3.connect(copy)) as into:
            source.backup(into)
    except sqlite3.Error as error:
        Path(copy).unlink(missing_ok=True)
        raise Refused(f"{service}: {path}: {error}") from None
    return Path(copy)


def _pg_dump(service: str, url: str, out) -> None:
    conninfo, env = _libpq(url)
    command = [_tool("pg_dump", service), "--format=custom", "--compress=0", "--no-password",
               f"--dbname={conninfo}"]
    with tempfile.TemporaryFile() as errors:
        dump = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env)
        with dump.stdout:
            shutil.copyfileobj(dump.stdout, out, CHUNK)
        if dump.wait():
            raise Refused(f"{service}: pg_dump failed: {_last_line(errors)}")


def _tar_blobs(out) -> None:
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as archive:
        for path in DirectoryStore(blob_dir()).files():  # each sealed as it is kept
            archive.add(path, arcname=f"{path.parent.name}/{path.name}")


# --- restore -----------------------------------------------------------------------------

def restore(source: Path, only: list[str] | None = None, force: bool = False,
            say=print) -> None:
    """Checks every file it will restore against the manifest's SHA-256 before it touches
    anything, opens each with the key the manifest names, and only then puts them in place:
    a SQLite file replaced whole (written beside it, then renamed), a PostgreSQL database by
    `pg_restore --clean --if-exists` in one transaction, the documents added back to
    BLOB_DIR, each sealed under the current key. Stop the services first: a database still in
    use is refused unless --force."""
    manifest = _read_manifest(source)
    entries = _chosen(manifest, only)
    for entry in entries:
        _verify(source, entry)
    keys = _restoring_keys(entries)
    for entry in entries:
        _check_kind(entry)
    if not force:
        _refuse_if_in_use(entries)
    with tempfile.TemporaryDirectory(prefix="phf-restore-") as scratch:
        staged: list[Path] = []
        try:
            for entry in entries:
                staged.append(_stage(source, entry, keys, Path(scratch)))
            if not force:  # again: a service may have been started meanwhile
                _refuse_if_in_use(entries)
            for entry, place in zip(entries, staged, strict=True):
                _put_in_place(entry, place)
                say(f"{entry['service']}: restored from {entry['name']}")
        finally:
            for place in staged:
                _discard(place)


def _read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Refused(f"{source / MANIFEST}: missing; {source} is not a whole backup") from None
    except (ValueError, UnicodeDecodeError):
        raise Refused(f"{source / MANIFEST}: not a manifest (unreadable JSON)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Refused(f"{source / MANIFEST}: not a manifest of format {FORMAT}")
    return manifest


def _chosen(manifest: dict, only: list[str] | None) -> list[dict]:
    entries = manifest.get("files") or []
    held = {entry.get("service") for entry in entries}
    missing = [part for part in only or () if part not in held]
    if missing:
        raise Refused(f"the backup holds no {', '.join(missing)} (it holds "
                      f"{', '.join(sorted(map(str, held)))})")
    return [entry for entry in entries if not only or entry["service"] in only]


def _verify(source: Path, entry: dict) -> None:
    name = str(entry.get("name", ""))
    path = source / name
    blobs = entry.get("service") == BLOBS
    if not name or Path(name).name != name or entry.get("service") not in PARTS or \
            entry.get("kind") not in (("blobs",) if blobs else ("sqlite", "postgresql")):
        raise Refused(f"{source / MANIFEST}: an entry names {name!r}, not a file of a backup")
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as sealed:
            for block in iter(lambda: sealed.read(CHUNK), b""):
                digest.update(block)
    except FileNotFoundError:
        raise Refused(f"{path}: missing") from None
    if digest.hexdigest() != entry.get("sha256"):
        raise Refused(f"{path}: corrupted (its SHA-256 is not the manifest's)")


def _restoring_keys(entries: list[dict]) -> dict[str, bytes]:
    wanted = sorted({str(entry.get("key_id")) for entry in entries})
    if not os.environ.get("DATA_KEYS") and not (var_dir() / "data-keys").exists():
        # keyring() would make a new key here, which opens nothing of the backup.
        raise Refused(f"no keyring: set DATA_KEYS, or put var/data-keys back (the backup "
                      f"was sealed with key {', '.join(map(repr, wanted))})")
    try:
        keys = keyring().keys
    except KeyProblem as problem:
        raise Refused(str(problem)) from None
    lacking = [key_id for key_id in wanted if key_id not in keys]
    if lacking:
        raise Refused(f"the backup was sealed with key {', '.join(map(repr, lacking))}, which "
                      f"the keyring (DATA_KEYS or var/data-keys) lacks")
    return keys


@contextmanager
def _opened(source: Path, entry: dict, keys: dict[str, bytes]) -> Iterator:
    with open(source / entry["name"], "rb") as sealed:
        reader = SealedReader(sealed, keys, entry["name"])
        if reader.key_id != entry["key_id"]:
            raise Refused(f"{entry['name']}: sealed with key {reader.key_id!r}, the manifest "
                          f"says {entry['key_id']!r}")
        with gzip.GzipFile(fileobj=io.BufferedReader(reader, CHUNK), mode="rb") as plain:
            try:
                yield plain
            except (gzip.BadGzipFile, EOFError, zlib.error) as error:
                raise Refused(f"{entry['name']}: not a whole gzip stream ({error})") from None


def _stage(source: Path, entry: dict, keys: dict[str, bytes], scratch: Path) -> Path:
    """The entry's plain content, written where it will be put in place from."""
    if entry["kind"] == "blobs":
        return _stage_blobs(source, entry, keys)
    staged = _staging_file(entry, scratch)
    try:
        with open(staged, "wb") as out, _opened(source, entry, keys) as plain:
            shutil.copyfileobj(plain, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        if entry["kind"] == "sqlite":
            _check_sqlite(entry, staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def _staging_file(entry: dict, scratch: Path) -> Path:
    """A SQLite file is written beside the one it replaces (a rename then puts it in
    place); a dump into the scratch folder, gone after the restore."""
    if entry["kind"] == "sqlite":
        place = _sqlite_path(database_url(entry["service"]))
        place.parent.mkdir(parents=True, exist_ok=True)
        fd, staged = tempfile.mkstemp(prefix=f".{place.name}.restore-", dir=place.parent)
    else:
        fd, staged = tempfile.mkstemp(prefix=f"{entry['service']}-", dir=scratch)
    os.close(fd)
    return Path(staged)


def _check_kind(entry: dict) -> None:
    if entry["kind"] == "blobs":
        _blob_store_kind()  # a backup's files go into either store
        return
    url = database_url(entry["service"])
    kind = "sqlite" if url.startswith("sqlite") else "postgresql"
    if entry["kind"] != kind:
        raise Refused(f"{entry['name']}: a {entry['kind']} backup, but "
                      f"{entry['service'].upper()}_DATABASE_URL is {kind}")


def _check_sqlite(entry: dict, staged: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{staged}?mode=ro&immutable=1", uri=True)) as copy:
            fine = copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        fine = False
    if not fine:
        raise Refused(f"{entry['name']}: does not hold a sound SQLite database")


def _stage_blobs(source: Path, entry: dict, keys: dict[str, bytes]) -> Path:
    root = blob_dir()
    root.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{root.name}.restore-", dir=root.parent))
    try:
        with _opened(source, entry, keys) as plain, \
                tarfile.open(fileobj=plain, mode="r|") as archive:
            archive.extractall(staged, filter="data")
        # Each under the current key before any is put in place: one the keyring cannot
        # open is refused here, and one a backup from before documents were sealed holds
        # in clear is sealed.
        DirectoryStore(staged).reseal()
    except tarfile.TarError as error:
        shutil.rmtree(staged)
        raise Refused(f"{entry['name']}: not a tar archive ({error})") from None
    except KeyProblem as problem:
        shutil.rmtree(staged)
        raise Refused(f"{entry['name']}: {problem}") from None
    except BaseException:
        shutil.rmtree(staged)
        raise
    return staged


def _refuse_if_in_use(entries: list[dict]) -> None:
    for entry in entries:
        kind, service = entry["kind"], entry["service"]
        if kind == "sqlite" and _sqlite_in_use(_sqlite_path(database_url(service))):
            raise Refused(f"{service}: its database is in use; stop the services first (or "
                          f"--force)")
        if kind == "postgresql" and _pg_sessions(service, database_url(service)):
            raise Refused(f"{service}: others are connected to its database; stop the "
                          f"services first (or --force)")


def _sqlite_in_use(path: Path) -> bool:
    """Whether another connection has the database open: none may, while this one holds
    it exclusively (in WAL mode an idle connection keeps its shared lock)."""
    if not path.exists():
        return False
    with closing(sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=0,
                                 isolation_level=None)) as probe:
        try:
            probe.execute("PRAGMA locking_mode=EXCLUSIVE")
            probe.execute("BEGIN EXCLUSIVE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError:
            return True  # locked
        except sqlite3.DatabaseError:
            return False  # not a database at all: nobody uses it
    return False


def _pg_sessions(service: str, url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")).scalar()
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        raise Refused(f"{service}: cannot reach its database: {reason}") from None
    finally:
        engine.dispose()


def _put_in_place(entry: dict, staged: Path) -> None:
    service = entry["service"]
    if entry["kind"] == "blobs":
        _add_blobs(staged)
    elif entry["kind"] == "sqlite":
        place = _sqlite_path(database_url(service))
        # The old database's WAL would be replayed onto the restored file: it goes first.
        for stale in (f"{place}-wal", f"{place}-shm", f"{place}-journal"):
            Path(stale).unlink(missing_ok=True)
        os.replace(staged, place)
        _sync_dir(place.parent)
    else:
        _pg_restore(service, database_url(service), staged)


def _blob_store_kind() -> str:
    try:
        return store_kind()
    except RuntimeError as error:
        raise Refused(str(error)) from None


def _add_blobs(staged: Path) -> None:
    if _blob_store_kind() == "database":  # files of a backup from before, into the table
        move_blobs(staged)
        return
    root = blob_dir()
    for path in DirectoryStore(staged).files():
        (root / path.parent.name).mkdir(parents=True, exist_ok=True)
        os.replace(path, root / path.parent.name / path.name)


def move_blobs(root: Path | None = None, say=None) -> tuple[int, int]:
    """The documents kept as files under `root` (BLOB_DIR) into the database store, each
    as it was sealed (one kept in clear sealed on the way); the files are left in place.
    How many went in, and how many were there already; run again, none goes in."""
    engine = make_engine(database_url("insurance"))
    added = there = 0
    try:
        store = DatabaseStore(engine)
        for path in DirectoryStore(root or blob_dir()).files():
            if store.add_sealed(path.name, path.read_bytes()):
                added += 1
            else:
                there += 1
            if say:
                say(path.name)
    finally:
        engine.dispose()
    return added, there


def _pg_restore(service: str, url: str, dump: Path) -> None:
    conninfo, env = _libpq(url)
    # One transaction: a restore that fails half-way leaves the database as it was.
    done = subprocess.run([_tool("pg_restore", service), "--clean", "--if-exists",
                           "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error",
                           "--no-password", f"--dbname={conninfo}", str(dump)],
                          capture_output=True, env=env)
    if done.returncode:
        line = (done.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        raise Refused(f"{service}: pg_restore failed, the database is unchanged: {line}")


def _discard(staged: Path) -> None:
    if staged.is_dir():
        shutil.rmtree(staged, ignore_errors=True)
    else:
        staged.unlink(missing_ok=True)


# --- files and tools ---------------------------------------------------------------------

def _current_key() -> Key:
    try:
        ring = keyring()
    except KeyProblem as problem:
        raise Refused(str(problem)) from None
    return Key(ring.current, ring.keys[ring.current])


def _private_dir(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise Refused(f"{target}: not an empty folder; a backup goes into a new one")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    target.chmod(0o700)


@contextmanager
def _private_file(path: Path) -> Iterator:
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        yield out
        out.flush()
        os.fsync(out.fileno())


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    with _private_file(partial) as out:
        out.write(data)
    os.replace(partial, path)
    _sync_dir(path.parent)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[-1].split("?", 1)[0])


def _libpq(url: str) -> tuple[str, dict]:
    """The URL as libpq takes it, and an environment with its password (out of the
    command line, where any user could read it)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = parsed._replace(password=None).set(drivername="postgresql")
    return plain.render_as_string(hide_password=False), env


def _tool(name: str, service: str) -> str:
    found = shutil.which(name)
    if not found:
        raise Refused(f"{service}: {name} is not installed (PostgreSQL's client tools, of the "
                      f"server's major version)")
    return found


def _last_line(errors) -> str:
    errors.seek(0)
    lines = errors.read().decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else "no message"

