"""Papers on a claim (invoices, discharge summaries, certificates): kept sealed in the blob
store by their content's hash, accepted only when their first bytes say PDF, JPEG or PNG
(the name and the declared type are the sender's word, not evidence), and required by the
claim's product before it can be approved."""
import base64
import binascii
from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.insurance import domain
from services.insurance.models import AUDIT, Claim, ClaimDocument
from shared import audit, rows
from shared.audit_chain import Entry
from shared.blobs import BlobMissing, blob_store, is_digest, media_type
from shared.clock import now_utc
from shared.errors import Conflict, InvalidInput, NotFound, TooLarge
from shared.settings import document_max_bytes


@dataclass(frozen=True)
class DocumentContent:
    document: ClaimDocument
    content: bytes


def attach(session: Session, association: str, claim_id: int, body: dict,
           actor: dict) -> Claim:
    """The document on the claim, once: the same file again changes nothing."""
    claim = rows.one(session, Claim, association, claim_id, lock=True)
    content = _decoded(body["content"])
    _check_size(len(content))
    name = body.get("filename")
    content_type = media_type(content)
    if content_type is None:
        message = (f"{name} is not a PDF, JPEG or PNG file by its content, whatever its name "
                   f"or declared type say." if name else
                   "The file is not a PDF, JPEG or PNG file by its content.")
        raise InvalidInput(message, "document_not_accepted", {"file": [message]})
    digest = blob_store(session).put(content)  # content-addressed: the same bytes are kept once
    kept = next((d for d in claim.documents if d.sha256 == digest), None)
    if kept is not None and kept.kind != body["kind"]:
        raise Conflict(f"This file is already on the claim as {kept.kind}.",
                       "document_kind_differs", {"kind": [f"Already {kept.kind}."]})
    if kept is None:
        claim.documents.append(ClaimDocument(
            association_code=claim.association_code, kind=body["kind"], sha256=digest,
            size_bytes=len(content), content_type=content_type, filename=name,
            uploaded_by=actor["username"], uploaded_at=now_utc()))
    return claim


def content(session: Session, association: str, claim_id: int, digest: str,
            actor: dict) -> DocumentContent:
    """A paper on a claim, opened: health data, so each reading is in the audit log."""
    claim = rows.one(session, Claim, association, claim_id)
    document = next((d for d in claim.documents if d.sha256 == digest), None) \
        if is_digest(digest) else None
    if document is None:
        raise NotFound("The claim has no document with this hash.", "document_not_found")
    try:
        opened = DocumentContent(document, blob_store(session).get(digest))
    except BlobMissing:
        raise NotFound("The document's content is not in the store.",
                       "document_not_found") from None
    audit.record(session, AUDIT, actor, Entry("reveal", "claim", claim.id, ("documents",)))
    return opened


def missing(claim: Claim) -> list[str]:
    return domain.missing_documents(list(claim.policy.product.required_documents or []),
                                    [d.kind for d in claim.documents])


def check_complete(claim: Claim) -> None:
    lacking = missing(claim)
    if lacking:
        raise Conflict(f"The claim lacks documents its product requires: "
                       f"{', '.join(lacking)}.", "documents_missing",
                       {kind: ["Required by the product; not uploaded yet."]
                        for kind in lacking})


def _decoded(text: str) -> bytes:
    # base64 is a third longer: a body past the limit is refused before it is decoded.
    _check_size(len(text) * 3 // 4 - 2)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("The file's content is not base64.", "invalid_input",
                           {"content": ["Must be base64."]}) from None


def _check_size(size: int) -> None:
    limit = document_max_bytes()
    if size > limit:
        raise TooLarge(f"The document is larger than {limit} bytes.", "document_too_large",
                       {"file": [f"At most {limit} bytes."]})
