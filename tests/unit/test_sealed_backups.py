"""The sealed file format of backups, in memory: what goes in comes out over many chunks,
and a file cut short, lengthened, altered, reordered, renamed or opened with another key is
refused by name. And the documents, backed up and restored into another folder."""
import base64
import io
import os

import pytest

from deploy.ops import backups
from deploy.ops.backups import CHUNK, Refused, SealedReader, SealedWriter
from shared.crypto import keyring

KEY = os.urandom(32)
PLAIN = os.urandom(2 * CHUNK + 1234)


def sealed(plain: bytes = PLAIN, name: str = "fund.sqlite.gz.aes") -> bytes:
    out = io.BytesIO()
    writer = SealedWriter(out, "k1", KEY, name)
    for start in range(0, len(plain), 100_000):  # written in pieces, as gzip writes
        writer.write(plain[start:start + 100_000])
    writer.finish()
    return out.getvalue()


def opened(data: bytes, keys=None, name: str = "fund.sqlite.gz.aes") -> bytes:
    return io.BufferedReader(SealedReader(io.BytesIO(data), keys or {"k1": KEY}, name)).read()


def chunks(data: bytes) -> tuple[bytes, list[bytes]]:
    """The header and each chunk as written."""
    header_size = len(backups.MAGIC) + (1 + len("k1")) + (1 + len("fund.sqlite.gz.aes")) + \
        backups.SALT_BYTES
    at, parts = header_size, []
    while at < len(data):
        size = 5 + int.from_bytes(data[at + 1:at + 5], "big")
        parts.append(data[at:at + size])
        at += size
    return data[:header_size], parts


def test_what_goes_in_comes_out_over_many_chunks():
    data = sealed()
    assert opened(data) == PLAIN
    assert len(chunks(data)[1]) == 3
    assert opened(sealed(b"")) == b""
    assert sealed() != data  # a fresh salt each time: no two files share a chunk key


@pytest.mark.parametrize(("damage", "said"), [
    (lambda d: d[:-1], "cut short"),
    (lambda d: b"".join([chunks(d)[0], *chunks(d)[1][:2]]), "its last chunk is missing"),
    (lambda d: d + b"\0", "bytes after its last chunk"),
    (lambda d: d[:-40] + bytes([d[-40] ^ 1]) + d[-39:], "chunk 2 was altered"),
    (lambda d: b"".join([chunks(d)[0], chunks(d)[1][1], chunks(d)[1][0], chunks(d)[1][2]]),
     "does not open it"),
    (lambda d: d.replace(b"fund.sqlite", b"fund.sqlitf", 1), "holds 'fund.sqlitf.gz.aes'"),
    (lambda d: b"PK" + d[2:], "not a backup file"),
])
def test_a_damaged_file_is_refused_by_name(damage, said):
    with pytest.raises(Refused, match="fund.sqlite.gz.aes") as refused:
        opened(damage(sealed()))
    assert said in str(refused.value)


def test_another_key_is_refused_naming_the_key_id():
    with pytest.raises(Refused, match="key 'k1' does not open it"):
        opened(sealed(), {"k1": os.urandom(32)})
    with pytest.raises(Refused, match="sealed with key 'k1', which the keyring"):
        opened(sealed(), {"k2": KEY})


def test_the_documents_come_back_in_another_folder(tmp_path, monkeypatch):
    for name, path in {"PHF_VAR_DIR": tmp_path / "var", "BLOB_DIR": tmp_path / "blobs"}.items():
        monkeypatch.setenv(name, str(path))
    key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("DATA_KEYS", f"b1:{key}")
    monkeypatch.setenv("DATA_INDEX_KEY", key)
    keyring.cache_clear()
    documents = {"ab" + "0" * 62: b"%PDF-1 one", "cd" + "1" * 62: b"\x89PNG two"}
    for digest, content in documents.items():
        (tmp_path / "blobs" / digest[:2]).mkdir(parents=True)
        (tmp_path / "blobs" / digest[:2] / digest).write_bytes(content)
    (tmp_path / "blobs" / "ab" / ".incoming-x").write_bytes(b"half written")
    try:
        manifest = backups.backup(tmp_path / "out", ["blobs"], say=lambda _: None)
        assert [f["kind"] for f in manifest["files"]] == ["blobs"]
        monkeypatch.setenv("BLOB_DIR", str(tmp_path / "elsewhere"))
        backups.restore(tmp_path / "out", say=lambda _: None)
    finally:
        keyring.cache_clear()
    back = {p.name: p.read_bytes() for p in (tmp_path / "elsewhere").rglob("*") if p.is_file()}
    assert back == documents
