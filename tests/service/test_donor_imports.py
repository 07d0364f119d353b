"""Donors from a spreadsheet, through the fund service's RPC interface (a batch of rows as the
gateway sends it), on both databases: a dry run writes nothing and tells what a real run
would do; a real run adds donors as a gift typed by hand does, publishing nothing (nor does
the hand path); the same rows again change nothing; a donor found by its identifier or by
name and phone takes the identifiers it lacks; a row that gives a known donor other details,
and a bad cell, are that row's errors, the other rows written."""
import pytest
from sqlalchemy import select

from services.fund.models import Donor
from shared.actors import sign
from shared.errors import Forbidden, InvalidInput
from tests.family_data import resident
from tests.service.test_families import DONOR
from tests.support import ADMIN, STAFF1, EventTap
from tests.volunteer_data import COORDINATOR

ELSEWHERE = sign({"username": "staff9", "role": "staff", "association_code": "341182"})
COMPANY_CODE = "91341181MA2N00001F"
OTHER_COMPANY_CODE = "91341181MA2N00002J"
SOCIETY_CODE = "52341181MJB0000036"


def donor(row, kind="person", name=None, **cells):
    return {"row": row, "cells": {"kind": kind, "name": name or f"捐赠人{row}",
                                  "id_number": None, "credit_code": None, "phone": None,
                                  **cells}}


def rows():
    """A person by identity number, a company and a society by credit code, a person
    known only by name and phone, a government office by name alone."""
    return [donor(2, id_number=resident(1), phone="13905500001"),
            donor(3, "company", "某某公司", credit_code=COMPANY_CODE),
            donor(4, "organisation", "某某协会", credit_code=SOCIETY_CODE, phone="13905500004"),
            donor(5, phone="13905500005"),
            donor(6, "government", "某某镇人民政府")]


def send(fund, rows, dry_run=False, actor=STAFF1):
    return fund.rpc.import_donors({"dry_run": dry_run, "rows": rows}, actor)


def outcomes(answer):
    return {outcome["row"]: outcome["outcome"] for outcome in answer["outcomes"]}


def errors(answer):
    return {(error["row"], error["column"]): error["code"] for error in answer["errors"]}


def stored(fund, association="341181"):
    """The association's donors in full, oldest first: (kind, name, id, credit code, phone)."""
    with fund.session() as session:
        return [(d.kind, d.name, d.id_number, d.credit_code, d.phone)
                for d in session.scalars(select(Donor).where(
                    Donor.association_code == association).order_by(Donor.id))]


def test_a_dry_run_tells_what_would_happen_and_writes_nothing(fund):
    answer = send(fund, rows(), dry_run=True)

    assert outcomes(answer) == {2: "created", 3: "created", 4: "created", 5: "created",
                                6: "created"}
    assert answer["errors"] == []
    assert stored(fund) == []


def test_donors_are_added_once_and_the_same_rows_again_change_nothing(fund):
    tap = EventTap(fund.config["AMQP_URI"], "fund.events")
    try:
        first = send(fund, rows())
        again = send(fund, rows())
        fund.rpc.ensure_donor({"kind": "person", "name": "手录捐赠人"}, STAFF1)
        events = tap.drain(settle=1.5)
    finally:
        tap.close()

    assert set(outcomes(first).values()) == {"created"}
    assert outcomes(again) == {2: "unchanged", 3: "unchanged", 4: "unchanged",
                               5: "unchanged", 6: "unchanged"}
    assert again["errors"] == []
    assert stored(fund)[:5] == [
        ("person", "捐赠人2", resident(1), None, "13905500001"),
        ("company", "某某公司", None, COMPANY_CODE, None),
        ("organisation", "某某协会", None, SOCIETY_CODE, "13905500004"),
        ("person", "捐赠人5", None, None, "13905500005"),
        ("government", "某某镇人民政府", None, None, None)]
    assert events == []  # a donor is no event, typed by hand or brought in


def test_cells_are_read_as_typed_ones_are(fund):
    """Identifiers as people type them: spaces around, a lower-case check letter."""
    typed = [donor(2, id_number=f" {resident(3)} "),
             donor(3, "company", "某某公司", credit_code=COMPANY_CODE.lower())]

    answer = send(fund, typed)

    assert outcomes(answer) == {2: "created", 3: "created"}
    assert [(d[2], d[3]) for d in stored(fund)] == [(resident(3), None), (None, COMPANY_CODE)]


def test_a_known_donor_takes_the_details_it_lacks(fund):
    fund.rpc.ensure_donor({"kind": "person", "name": "张三", "id_number": resident(1)}, STAFF1)
    fund.rpc.ensure_donor({"kind": "person", "name": "王五", "phone": "13905500009"}, STAFF1)

    answer = send(fund, [donor(2, name="张三", id_number=resident(1), phone="13905500001"),
                         donor(3, name="王五", id_number=resident(2), phone="13905500009")])
    again = send(fund, [donor(2, name="张三", id_number=resident(1)),
                        donor(3, name="王五", id_number=resident(2), phone="13905500009")])

    assert outcomes(answer) == {2: "updated", 3: "updated"}
    assert outcomes(again) == {2: "unchanged", 3: "unchanged"}
    assert stored(fund) == [("person", "张三", resident(1), None, "13905500001"),
                            ("person", "王五", resident(2), None, "13905500009")]


def test_a_name_alone_gives_no_one_an_identifier_and_a_shared_phone_no_one_a_name(fund):
    """A namesake without a phone to agree is another donor; a family's second person on
    the same phone is a donor of their own (by hand the phone alone would find the first)."""
    fund.rpc.ensure_donor({"kind": "person", "name": "张三"}, STAFF1)
    fund.rpc.ensure_donor({"kind": "person", "name": "王五", "phone": "13905500009"}, STAFF1)

    answer = send(fund, [donor(2, name="张三", id_number=resident(1)),
                         donor(3, name="李四", id_number=resident(2), phone="13905500009"),
                         donor(4, name="王五", phone="13905500008")])

    assert outcomes(answer) == {2: "created", 3: "created", 4: "created"}
    assert stored(fund) == [("person", "张三", None, None, None),
                            ("person", "王五", None, None, "13905500009"),
                            ("person", "张三", resident(1), None, None),
                            ("person", "李四", resident(2), None, "13905500009"),
                            ("person", "王五", None, None, "13905500008")]


def test_a_row_that_gives_a_known_donor_other_details_is_refused_by_column(fund):
    known = fund.rpc.ensure_donor({"kind": "person", "name": "张三", "id_number": resident(1),
                                   "phone": "13905500001"}, STAFF1)
    fund.rpc.ensure_donor({"kind": "company", "name": "某某公司",
                           "credit_code": COMPANY_CODE}, STAFF1)

    answer = send(fund, [donor(2, name="张三丰", id_number=resident(1)),
                         donor(3, name="张三", id_number=resident(1), phone="13905500002"),
                         donor(4, "organisation", "某某公司", credit_code=COMPANY_CODE),
                         donor(5, "company", "新公司", credit_code=OTHER_COMPANY_CODE)])

    assert errors(answer) == {(2, "name"): "donor_differs", (3, "phone"): "donor_differs",
                              (4, "kind"): "donor_differs"}
    assert answer["errors"][0]["message"] == \
        f"Differs from donor {known['id']} (张三), who holds this identity number or credit code."
    assert outcomes(answer) == {5: "created"}
    assert stored(fund)[0] == ("person", "张三", resident(1), None, "13905500001")
    assert len(stored(fund)) == 3


def test_bad_cells_are_their_rows_errors_and_the_other_rows_are_written(fund):
    bad = [donor(2, id_number="110105194912310021"),  # wrong check digit
           donor(3, phone="12345"),
           donor(4, "charity"),
           donor(5, credit_code=COMPANY_CODE),  # a person has an identity number
           donor(6, "company", "某某公司", id_number=resident(6)),
           donor(7, name="   "),
           donor(8, id_number=resident(8))]

    answer = send(fund, bad)

    assert errors(answer) == {(2, "id_number"): "invalid_value", (3, "phone"): "invalid_value",
                              (4, "kind"): "invalid_value", (5, "credit_code"): "invalid_value",
                              (6, "id_number"): "invalid_value", (7, "name"): "invalid_value"}
    assert outcomes(answer) == {8: "created"}
    assert stored(fund) == [("person", "捐赠人8", resident(8), None, None)]


def test_donors_are_matched_within_the_association_only(fund):
    send(fund, rows())

    answer = send(fund, rows(), actor=ELSEWHERE)

    assert set(outcomes(answer).values()) == {"created"}
    assert len(stored(fund)) == len(stored(fund, "341182")) == 5


def test_an_admin_may_import_donors(fund):
    assert outcomes(send(fund, rows()[:1], actor=ADMIN)) == {2: "created"}


@pytest.mark.parametrize("actor", [COORDINATOR, DONOR])
def test_only_staff_import_donors(fund, actor):
    with pytest.raises(Forbidden):
        send(fund, rows(), actor=actor)
    assert stored(fund) == []


def test_a_batch_is_checked_at_the_boundary(fund):
    with pytest.raises(InvalidInput) as refused:
        fund.rpc.import_donors({"dry_run": True, "rows": []}, STAFF1)
    assert "rows" in refused.value.fields
