"""Products are data: created or updated by an admin, read by everyone who enrols. Every
change of a product's terms is a new version of it; a policy keeps the version it was
enrolled under."""
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.insurance import domain
from services.insurance.models import Product, ProductVersion
from shared import rows
from shared.errors import InvalidInput
from shared.paging import Page


def ensure(session: Session, association: str, body: dict, actor: dict) -> Product:
    """The first definition is version 1; the same terms again change nothing; other terms
    are the next version. The row is locked, so two admins cannot both make version n+1."""
    terms = {name: value for name, value in body.items() if name != "code"}
    product = find(session, association, body["code"], lock=True)
    if product is not None and newest(session, product).terms == terms:
        return product
    if product is None:
        product = Product(association_code=association, code=body["code"], version=0)
        session.add(product)
    for name, value in terms.items():
        setattr(product, name, value)
    product.version += 1
    session.flush()
    session.add(ProductVersion(association_code=product.association_code,
                               product_id=product.id, version=product.version, terms=terms,
                               defined_by=actor["username"]))
    session.flush()
    return product


def newest(session: Session, product: Product) -> ProductVersion:
    return session.scalars(select(ProductVersion).where(
        ProductVersion.product_id == product.id,
        ProductVersion.version == product.version)).one()


def check_share_funds(check_fund: Callable[[str], None], shares: list[dict]) -> None:
    """Each share paid by a fund names one that can pay premiums; otherwise every policy's
    premium would fail later, out of sight. `check_fund` is the fund service's check."""
    for index, share in enumerate(shares):
        if not share.get("fund_code"):
            continue
        try:
            check_fund(share["fund_code"])
        except InvalidInput as refused:
            messages = [m for ms in refused.fields.values() for m in ms] or [refused.message]
            raise InvalidInput(refused.message, refused.code,
                               {f"premium_shares.{index}.fund_code": messages}) from None


def find(session: Session, association: str, code: str, lock: bool = False) -> Product | None:
    return session.scalars(rows.locked(select(Product).where(
        Product.association_code == association, Product.code == code), lock)).one_or_none()


def for_input(session: Session, association: str, code: str) -> Product:
    product = find(session, association, code)
    if product is None:
        raise InvalidInput(f"No product {code}.", "unknown_product",
                           {"product_code": ["No such product."]})
    return product


def rules(code: str, terms: dict) -> domain.Product:
    """The rules of one version's terms."""
    return domain.Product(code, terms["per_claim_cap_fen"], terms["per_year_cap_fen"],
                          terms["waiting_days"], terms["term_days"], terms.get("min_age"),
                          terms.get("max_age"), tuple(terms.get("categories") or ()))


def listing(session: Session, association: str, page: dict) -> Page[Product]:
    query = select(Product).where(Product.association_code == association)
    return rows.page(session, query, [Product.code], page)
