"""Documents kept by their content: `put(bytes)` answers the SHA-256 hex digest, `get(digest)`
gives the bytes back. The same content put twice is stored once. Each is kept sealed with the
data keys (`shared.crypto`), its digest bound in; `reseal()` brings every one under the
current key (the upgrade and `deploy.ops rotate-keys` run it).

The store built in keeps each blob as a file under `BLOB_DIR` (default `var/blobs`), which
serves one machine. In production an S3-compatible object store is the choice (MinIO, a
cloud's object storage), reached with boto3 and named by `BLOB_STORE_URL`
(`s3://bucket/prefix`): a class with the same methods, picked by `blob_store()`. It is
not built yet (boto3 is not among the dependencies), so setting `BLOB_STORE_URL` stops the
service at its first document instead of keeping documents where nobody expects them.

Also here: what kind of file some bytes are, by their first bytes (magic numbers), never by
a name or a declared type."""
import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from shared.crypto import KeyProblem, keyring, sealed_bytes_key_of
from shared.settings import blob_dir, blob_store_url

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


def blob_store() -> BlobStore:
    """The store the settings name."""
    url = blob_store_url()
    if url:
        raise RuntimeError(f"BLOB_STORE_URL is {url!r}, but only the directory store is "
                           "built in (see shared/blobs.py); unset it to use BLOB_DIR")
    return DirectoryStore(blob_dir())
