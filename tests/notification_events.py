"""Events as the services publish them for the notifications service, with their
recipients' contact details sealed as producers seal them."""
from datetime import UTC, datetime, timedelta

from shared.contracts.events import build_envelope
from shared.recipients import recipient

PHONE = "13800138000"
EMAIL = "zhang.san@example.com"


def insured(n: int = 1, phone: str | None = PHONE, email: str | None = None,
            language: str | None = None, name: str = "张三丰") -> dict:
    return recipient(f"insured:{n}", name, phone, email, language)


def volunteer(n: int, phone: str | None = PHONE) -> dict:
    return recipient(f"volunteer:{n}", "李四", phone)


def claim(event: str, *recipients: dict, claim_id: int = 7, **data) -> dict:
    """insurance.claim_<event>, its data as the event's newest version wants it."""
    base = {"association_code": "341181", "claim_id": claim_id, "claim_no": f"CL-{claim_id}",
            "policy_no": "P-1", "product_code": "ONLY_CHILD_ACCIDENT",
            "recipients": list(recipients)}
    more = {"approved": {"amount_approved_fen": 50_000, "payout_fund_code": "INSURANCE_PAYOUT",
                         "insured_name": "张三丰", "insured_id_number_masked": "3411**********1234",
                         "approved_by": "staff2"},
            "paid": {"amount_paid_fen": 50_000, "disbursement_id": 3},
            "rejected": {"reason": "不在保险期间内", "rejected_by": "staff2"},
            "submitted": {"incident_date": "2026-11-01", "amount_claimed_fen": 50_000,
                          "flags": []}}[event]
    return build_envelope(f"insurance.claim_{event}", {**base, **more, **data}, "test")


def shift_signed_up(*recipients: dict, shift_id: int = 5, status: str = "confirmed",
                    starts_at: datetime | None = None) -> dict:
    starts_at = starts_at or datetime.now(UTC) + timedelta(days=3)
    return build_envelope("volunteers.shift_signed_up", {
        "association_code": "341181", "shift_id": shift_id, "volunteer_id": 1,
        "status": status, "title": "5.29 会员活动日", "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=3)).isoformat(), "place": "天长市人民广场",
        "recipients": list(recipients)}, "test")


def family(n: int, phone: str | None = PHONE) -> dict:
    return recipient(f"family:{n}", "王五", phone)


def visit(event: str, *recipients: dict, starts_at: datetime, visit_id: int = 9,
          volunteer_ids: tuple[int, ...] = (3,)) -> dict:
    """volunteers.visit_<event> (assigned, changed or cancelled)."""
    more = {"assigned": {"assigned_by": "coordinator1"},
            "changed": {"changed": ["starts_at"], "changed_by": "coordinator1"},
            "cancelled": {"reason": "家中有事", "cancelled_by": "coordinator1"}}[event]
    return build_envelope(f"volunteers.visit_{event}", {
        "association_code": "341181", "visit_id": visit_id, "family_id": 1,
        "village_code": "341181001001", "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=1)).isoformat(),
        "volunteer_ids": list(volunteer_ids), "recipients": list(recipients), **more}, "test")
