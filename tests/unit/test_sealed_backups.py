"""The sealed file format of backups, in memory: what goes in comes out over many chunks,
and a file cut short, lengthened, altered, reordered, renamed or opened with another key is
refused by name. And the documents, backed up and restored into another folder sealed, or
refused when the keyring cannot open them."""
import io
import os

import pytest

from deploy.ops import backups
from deploy.ops.backups import CHUNK, Refused, SealedReader, SealedWriter
from shared.blobs import DirectoryStore, digest_of

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


@pytest.fixture
def var_and_blobs(tmp_path, monkeypatch):
    for name, path in {"PHF_VAR_DIR": tmp_path / "var", "BLOB_DIR": tmp_path / "blobs"}.items():
        monkeypatch.setenv(name, str(path))


@pytest.mark.usefixtures("var_and_blobs")
def test_the_documents_come_back_in_another_folder_sealed(tmp_path, monkeypatch, data_keys):
    data_keys("b1")
    store = DirectoryStore(tmp_path / "blobs")
    documents = {store.put(content): content for content in (b"%PDF-1 one", b"\x89PNG two")}
    older = b"%PDF-1 kept in clear by a version before documents were sealed"
    (tmp_path / "blobs" / digest_of(older)[:2]).mkdir()
    (tmp_path / "blobs" / digest_of(older)[:2] / digest_of(older)).write_bytes(older)
    (tmp_path / "blobs" / "ab").mkdir()
    (tmp_path / "blobs" / "ab" / ".incoming-x").write_bytes(b"half written")
    manifest = backups.backup(tmp_path / "out", ["blobs"], say=lambda _: None)
    assert [f["kind"] for f in manifest["files"]] == ["blobs"]

    monkeypatch.setenv("BLOB_DIR", str(tmp_path / "elsewhere"))
    backups.restore(tmp_path / "out", say=lambda _: None)
    back = DirectoryStore(tmp_path / "elsewhere")
    assert {path.name: back.get(path.name) for path in back.files()} == \
        {**documents, digest_of(older): older}
    assert all(b"PDF" not in path.read_bytes() for path in back.files())  # the older sealed
    assert [p.name for p in (tmp_path / "elsewhere").rglob(".*")] == []


@pytest.mark.usefixtures("var_and_blobs")
def test_documents_sealed_with_a_key_the_keyring_lacks_are_refused(tmp_path, monkeypatch,
                                                                   data_keys):
    data_keys("gone")
    digest = DirectoryStore(tmp_path / "blobs").put(b"%PDF-1 sealed with a key now lost")
    data_keys("b1")
    backups.backup(tmp_path / "out", ["blobs"], say=lambda _: None)

    monkeypatch.setenv("BLOB_DIR", str(tmp_path / "elsewhere"))
    with pytest.raises(Refused, match=f"blobs.*{digest}: sealed with key 'gone'"):
        backups.restore(tmp_path / "out", say=lambda _: None)
    assert not (tmp_path / "elsewhere").exists()
