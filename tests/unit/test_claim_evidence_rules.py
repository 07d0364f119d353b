"""The rules behind claim documents, payee accounts, appeals and review sampling, without a
broker or a database: what a file is by its content, the blob store, bank account numbers
and their masking, which kinds a claim lacks, and which claims are sampled."""
import random

import pytest

from services.insurance.domain import CLAIM, missing_documents, sample_flag, sampled
from shared.blobs import BlobMissing, DirectoryStore, digest_of, media_type
from shared.errors import Conflict
from shared.identity import InvalidIdentifier, mask_account_no, validate_bank_account

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.parametrize(("content", "kind"), [(PDF, "application/pdf"), (JPEG, "image/jpeg"),
                                               (PNG, "image/png")])
def test_a_file_is_what_its_first_bytes_say(content, kind):
    assert media_type(content) == kind


@pytest.mark.parametrize("content", [b"", b"plain text named report.pdf", b"<html>%PDF-",
                                     b"GIF89a", b"PK\x03\x04", b" %PDF-1.7", PNG[:7]])
def test_anything_else_is_no_document(content):
    assert media_type(content) is None


def test_the_store_keeps_the_same_content_once(tmp_path):
    store = DirectoryStore(tmp_path)
    first = store.put(PDF)
    again = store.put(PDF)
    assert first == again == digest_of(PDF)
    assert store.get(first) == PDF
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [first]


@pytest.mark.parametrize("digest", ["0" * 64, "../../etc/passwd", "A" * 64, ""])
def test_the_store_answers_only_what_it_holds(tmp_path, digest):
    with pytest.raises(BlobMissing):
        DirectoryStore(tmp_path).get(digest)


@pytest.mark.parametrize(("typed", "kept"), [("6222 0212 3456 7890 123", "6222021234567890123"),
                                             ("621700-1234-5678-9012", "621700123456789012"),
                                             ("1" * 12, "1" * 12), ("9" * 30, "9" * 30)])
def test_a_bank_account_is_its_digits(typed, kept):
    assert validate_bank_account(typed) == kept


@pytest.mark.parametrize("typed", ["1" * 11, "1" * 31, "6222O21234567890",
                                   "６２２２０２１２３４５６", "", "  ", 6222021234567890])
def test_a_bank_account_is_12_to_30_digits(typed):
    with pytest.raises(InvalidIdentifier):
        validate_bank_account(typed)


def test_an_account_shows_its_last_four_digits_only():
    assert mask_account_no("6222021234561234") == "************1234"
    assert mask_account_no(None) is None


def test_a_claim_lacks_the_required_kinds_it_has_no_document_of():
    required = ["hospital_invoice", "id_copy", "hospital_invoice"]
    assert missing_documents(required, []) == ["hospital_invoice", "id_copy"]
    assert missing_documents(required, ["id_copy", "other"]) == ["hospital_invoice"]
    assert missing_documents(required, ["id_copy", "hospital_invoice"]) == []
    assert missing_documents([], ["other"]) == []


def test_sampling_takes_the_share_asked_for():
    rng = random.Random(20260529)
    picks = [sampled(10, rng) for _ in range(10_000)]
    assert 900 < sum(picks) < 1100
    assert all(sampled(100, rng) for _ in range(1000))
    assert not any(sampled(0, rng) for _ in range(1000))
    assert sample_flag(10).code == "sampled"


def test_the_same_seed_samples_the_same_claims():
    one = random.Random(7)
    other = random.Random(7)
    assert [sampled(50, one) for _ in range(50)] == [sampled(50, other) for _ in range(50)]


def test_a_rejected_claim_leaves_only_by_an_appeal():
    assert CLAIM.transitions["rejected"] == {"under_appeal"}
    assert CLAIM.transitions["under_appeal"] == {"approved", "rejected"}
    with pytest.raises(Conflict):
        CLAIM.check("rejected", "approved")
