"""Official receipts (捐赠票据): issued only for money (or goods) received, with the amount
in Chinese capitals and a link anyone can follow to see how the fund used it."""
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.fund import donations, donors
from services.fund.models import Donation
from shared.clock import iso, local_date, now_utc, year_bounds
from shared.contracts.fund import AnnualReceiptOut, ReceiptOut
from shared.money import amount_in_words
from shared.schemas import shaped
from shared.settings import association_name, public_url

RECEIPT, ANNUAL = ReceiptOut(), AnnualReceiptOut()


def receipt_view(donation: Donation) -> dict:
    return shaped(RECEIPT, {
        "receipt_no": donation.receipt_no, "amount_fen": donation.amount_fen,
        "amount_in_words": amount_in_words(donation.amount_fen),
        "fund_name": donation.fund.name,
        "project_name": donation.project.name if donation.project else None,
        "donor_name": donation.donor.name, "in_kind_description": donation.description,
        "issued_at": iso(donation.recorded_at), "association_name": association_name(),
        "trace_url": trace_url(donation.receipt_no),
        "status": "void" if donation.status == "refunded" else "valid"})


def trace_url(receipt_no: str) -> str:
    return f"{public_url()}/public/trace/{receipt_no}"


def of_donation(session: Session, association: str, donation_id: int) -> Donation:
    return donations.get(session, association, donation_id)


def annual(session: Session, association: str, donor_id: int, year: int | None) -> dict:
    """One receipt for a donor's year of valid gifts (for tax and for the donor's records)."""
    donor = donors.get(session, association, donor_id)
    year = year or local_date(now_utc()).year
    start, stop = year_bounds(year)
    gifts = list(session.scalars(
        select(Donation).where(Donation.association_code == association,
                               Donation.donor_id == donor.id, Donation.status == "recorded",
                               Donation.recorded_at >= start, Donation.recorded_at < stop)
        .options(selectinload(Donation.fund), selectinload(Donation.project))
        .order_by(Donation.recorded_at, Donation.id)))
    total = sum(g.amount_fen for g in gifts)
    return shaped(ANNUAL, {"donor_id": donor.id, "donor_name": donor.name, "year": year,
                           "total_fen": total,
                           "total_in_words": amount_in_words(total) if total else "零元整",
                           "association_name": association_name(),
                           "receipts": [receipt_view(g) for g in gifts]})
