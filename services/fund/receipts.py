"""Official receipts (捐赠票据): issued only for money (or goods) received, with the amount
in Chinese capitals and a link anyone can follow to see how the fund used it."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.fund import donors
from services.fund.models import Donation, Donor
from shared.clock import local_date, now_utc, year_bounds


@dataclass(frozen=True)
class AnnualReceipt:
    """A donor's valid gifts of one local year, for tax and for the donor's records."""
    donor: Donor
    year: int
    gifts: list[Donation]

    @property
    def total_fen(self) -> int:
        return sum(gift.amount_fen for gift in self.gifts)


def annual(session: Session, association: str, donor_id: int,
           year: int | None) -> AnnualReceipt:
    donor = donors.get(session, association, donor_id)
    year = year or local_date(now_utc()).year
    start, stop = year_bounds(year)
    gifts = list(session.scalars(
        select(Donation).where(Donation.association_code == association,
                               Donation.donor_id == donor.id, Donation.status == "recorded",
                               Donation.recorded_at >= start, Donation.recorded_at < stop)
        .options(selectinload(Donation.fund), selectinload(Donation.project))
        .order_by(Donation.recorded_at, Donation.id)))
    return AnnualReceipt(donor, year, gifts)
