"""Products are data: created or updated by an admin, read by everyone who enrols."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.insurance import domain
from services.insurance.models import Product
from shared import rows
from shared.errors import InvalidInput


def ensure(session: Session, association: str, body: dict) -> Product:
    product = find(session, association, body["code"])
    if product is None:
        product = Product(association_code=association, code=body["code"])
        session.add(product)
    for name, value in body.items():
        setattr(product, name, value)
    session.flush()
    return product


def find(session: Session, association: str, code: str) -> Product | None:
    return session.scalars(select(Product).where(Product.association_code == association,
                                                 Product.code == code)).one_or_none()


def for_input(session: Session, association: str, code: str) -> Product:
    product = find(session, association, code)
    if product is None:
        raise InvalidInput(f"No product {code}.", "unknown_product",
                           {"product_code": ["No such product."]})
    return product


def rules(product: Product) -> domain.Product:
    return domain.Product(product.code, product.per_claim_cap_fen, product.per_year_cap_fen,
                          product.waiting_days, product.term_days, product.min_age,
                          product.max_age, tuple(product.categories or ()))


def listing(session: Session, association: str, page: dict) -> tuple[list[Product], int]:
    found = select(Product).where(Product.association_code == association)
    return rows.page(session, found, [Product.code], page["limit"], page["offset"])
