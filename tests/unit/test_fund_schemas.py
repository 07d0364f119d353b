"""Unit tests for shared.contracts.fund (marshmallow only: no broker, no database)."""

import copy
from datetime import date, timedelta

import pytest
from marshmallow import ValidationError

from shared.clock import local_date, now_utc
from shared.contracts.fund import (
    DisbursementIn,
    DonationIn,
    DonorDonationIn,
    StatementIn,
)
from shared.money import MAX_FEN

GB_SAMPLE_ID = "11010519491231002X"
BAD_CHECK_DIGIT_ID = "110105194912310021"
PUBLISHED_CREDIT_CODE = "91350100M000100Y43"


def person_donation(**overrides):
    body = {
        "fund_code": "GENERAL",
        "amount_fen": 10000,
        "channel": "wechat",
        "donor": {"kind": "person", "name": "张三", "id_number": GB_SAMPLE_ID},
    }
    body.update(overrides)
    return body


def company_donation(**overrides):
    body = {
        "fund_code": "EDU_2026",
        "amount_fen": 500000,
        "channel": "bank",
        "donor": {"kind": "company", "name": "某某有限公司", "credit_code": PUBLISHED_CREDIT_CODE},
    }
    body.update(overrides)
    return body


def load_error(schema, body) -> dict:
    with pytest.raises(ValidationError) as exc:
        schema.load(body)
    return exc.value.messages


# --- DonationIn: accepted -------------------------------------------------------------


def test_person_donation_is_accepted_with_defaults():
    data = DonationIn().load(person_donation())
    assert data["fund_code"] == "GENERAL"
    assert data["amount_fen"] == 10000
    assert type(data["amount_fen"]) is int
    assert data["channel"] == "wechat"
    assert data["donor"]["kind"] == "person"
    assert data["donor"]["id_number"] == GB_SAMPLE_ID
    assert data["donor"]["credit_code"] is None
    assert data["anonymous"] is False
    assert data["note"] is None


def test_company_donation_is_accepted():
    data = DonationIn().load(company_donation(anonymous=True, note="年度捐赠"))
    assert data["donor"]["credit_code"] == PUBLISHED_CREDIT_CODE
    assert data["donor"]["id_number"] is None
    assert data["anonymous"] is True
    assert data["note"] == "年度捐赠"


def test_donor_name_is_trimmed():
    body = person_donation()
    body["donor"]["name"] = "  张三  "
    assert DonationIn().load(body)["donor"]["name"] == "张三"


def test_lower_case_id_check_character_is_normalised():
    body = person_donation()
    body["donor"]["id_number"] = GB_SAMPLE_ID.lower()
    assert DonationIn().load(body)["donor"]["id_number"] == GB_SAMPLE_ID


def test_largest_amount_is_accepted():
    assert DonationIn().load(person_donation(amount_fen=MAX_FEN))["amount_fen"] == MAX_FEN


# --- DonationIn: rejected, and the field is named ---------------------------------------


@pytest.mark.parametrize(
    "amount",
    [10.5, 100.0, "100", 0, -1, -10000, True, False, None, MAX_FEN + 1],
    ids=["float", "whole-float", "string", "zero", "minus-one", "negative", "true", "false",
         "none", "too-large"],
)
def test_bad_amounts_are_rejected_on_amount_fen(amount):
    messages = load_error(DonationIn(), person_donation(amount_fen=amount))
    assert list(messages) == ["amount_fen"]
    assert messages["amount_fen"]


def test_float_amount_message_asks_for_whole_fen():
    messages = load_error(DonationIn(), person_donation(amount_fen=10.5))
    assert messages == {"amount_fen": ["Must be a whole number of fen (an integer)."]}


@pytest.mark.parametrize("channel", ["paypal", "CASH", "", None])
def test_unknown_channel_is_rejected(channel):
    messages = load_error(DonationIn(), person_donation(channel=channel))
    assert list(messages) == ["channel"]


def test_missing_donor_is_rejected():
    body = person_donation()
    del body["donor"]
    messages = load_error(DonationIn(), body)
    assert list(messages) == ["donor"]
    assert messages["donor"] == ["Missing data for required field."]


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_blank_donor_name_is_rejected(name):
    body = person_donation()
    body["donor"]["name"] = name
    messages = load_error(DonationIn(), body)
    assert list(messages) == ["donor"]
    assert list(messages["donor"]) == ["name"]


def test_donor_name_too_long_is_rejected():
    body = person_donation()
    body["donor"]["name"] = "张" * 201
    assert list(load_error(DonationIn(), body)["donor"]) == ["name"]


@pytest.mark.parametrize("id_number", [BAD_CHECK_DIGIT_ID, "1101051949123100", "not-an-id"])
def test_bad_id_number_is_rejected(id_number):
    body = person_donation()
    body["donor"]["id_number"] = id_number
    messages = load_error(DonationIn(), body)
    assert list(messages) == ["donor"]
    assert list(messages["donor"]) == ["id_number"]
    assert messages["donor"]["id_number"]


def test_bad_credit_code_is_rejected():
    body = company_donation()
    body["donor"]["credit_code"] = PUBLISHED_CREDIT_CODE[:-1] + "0"
    assert list(load_error(DonationIn(), body)["donor"]) == ["credit_code"]


def test_person_with_a_credit_code_is_rejected():
    body = person_donation()
    body["donor"]["credit_code"] = PUBLISHED_CREDIT_CODE
    messages = load_error(DonationIn(), body)
    assert messages == {
        "donor": {"credit_code": ["A person has an identity number, not a credit code."]}
    }


def test_company_with_an_id_number_is_rejected():
    body = company_donation()
    body["donor"]["id_number"] = GB_SAMPLE_ID
    messages = load_error(DonationIn(), body)
    assert messages == {
        "donor": {"id_number": ["Only a person has an identity number; give the credit code."]}
    }


def test_unknown_donor_kind_is_rejected():
    body = person_donation()
    body["donor"]["kind"] = "robot"
    assert list(load_error(DonationIn(), body)["donor"]) == ["kind"]


def test_unknown_top_level_field_is_rejected():
    messages = load_error(DonationIn(), person_donation(receipt_no="341181-2026-000001"))
    assert messages == {"receipt_no": ["Unknown field."]}


def test_unknown_donor_field_is_rejected():
    body = person_donation()
    body["donor"]["donor_id"] = 5
    assert load_error(DonationIn(), body) == {"donor": {"donor_id": ["Unknown field."]}}


@pytest.mark.parametrize(
    "code", ["general", "G", "1GENERAL", "GEN-ERAL", "GENERAL ", "A" * 41, ""],
)
def test_bad_fund_code_format_is_rejected(code):
    messages = load_error(DonationIn(), person_donation(fund_code=code))
    assert list(messages) == ["fund_code"]


@pytest.mark.parametrize("code", ["GE", "EDU_2026", "A" * 40])
def test_good_fund_code_formats_are_accepted(code):
    assert DonationIn().load(person_donation(fund_code=code))["fund_code"] == code


def test_several_errors_are_all_reported():
    body = person_donation(amount_fen=10.5, channel="paypal")
    body["donor"]["id_number"] = BAD_CHECK_DIGIT_ID
    messages = load_error(DonationIn(), body)
    assert set(messages) == {"amount_fen", "channel", "donor"}
    assert set(messages["donor"]) == {"id_number"}


def test_load_does_not_mutate_the_body():
    body = person_donation()
    body["donor"]["name"] = "  张三 "
    before = copy.deepcopy(body)
    DonationIn().load(body)
    assert body == before


# --- DonorDonationIn -----------------------------------------------------------------


def test_donor_donation_may_omit_the_donor():
    body = person_donation()
    del body["donor"]
    data = DonorDonationIn().load(body)
    assert data["donor"] is None
    assert data["amount_fen"] == 10000


def test_donor_donation_still_validates_amount_and_unknown_fields():
    body = person_donation(amount_fen=10.5, extra=1)
    del body["donor"]
    messages = load_error(DonorDonationIn(), body)
    assert set(messages) == {"amount_fen", "extra"}


# --- DisbursementIn ---------------------------------------------------------------------


def disbursement(**overrides):
    body = {
        "fund_code": "GENERAL",
        "category": "poverty_relief",
        "amount_fen": 20000,
        "purpose": "Hardship grant",
        "payee": {"name": "李四", "id_number": GB_SAMPLE_ID},
    }
    body.update(overrides)
    return body


def test_disbursement_is_accepted():
    data = DisbursementIn().load(disbursement())
    assert data["payee"] == {"name": "李四", "id_number": GB_SAMPLE_ID}
    assert data["reference"] is None


def test_disbursement_requires_payee_name():
    body = disbursement()
    del body["payee"]["name"]
    assert load_error(DisbursementIn(), body) == {
        "payee": {"name": ["Missing data for required field."]}
    }


def test_disbursement_rejects_blank_payee_name():
    body = disbursement()
    body["payee"]["name"] = "  "
    assert list(load_error(DisbursementIn(), body)["payee"]) == ["name"]


def test_disbursement_requires_payee():
    body = disbursement()
    del body["payee"]
    assert list(load_error(DisbursementIn(), body)) == ["payee"]


@pytest.mark.parametrize("purpose", [None, "", "   "], ids=["missing", "empty", "blank"])
def test_disbursement_requires_purpose(purpose):
    body = disbursement()
    if purpose is None:
        del body["purpose"]
    else:
        body["purpose"] = purpose
    assert list(load_error(DisbursementIn(), body)) == ["purpose"]


def test_disbursement_rejects_float_amount():
    assert list(load_error(DisbursementIn(), disbursement(amount_fen=99.5))) == ["amount_fen"]


# --- StatementIn ------------------------------------------------------------------------


def test_statement_range_is_loaded_as_dates():
    data = StatementIn().load({"from": "2026-01-01", "to": "2026-03-31"})
    assert data == {"from_": date(2026, 1, 1), "to": date(2026, 3, 31), "limit": None,
                    "offset": 0}


def test_statement_single_day_is_allowed():
    data = StatementIn().load({"from": "2026-01-01", "to": "2026-01-01"})
    assert data["from_"] == data["to"]


def test_a_statement_page_larger_than_500_lines_is_an_error_on_limit():
    messages = load_error(StatementIn(), {"limit": "501"})
    assert list(messages) == ["limit"]


def test_statement_to_before_from_is_an_error_on_to():
    messages = load_error(StatementIn(), {"from": "2026-02-01", "to": "2026-01-31"})
    assert list(messages) == ["to"]
    assert messages["to"]


def test_statement_without_dates_is_this_year_up_to_today():
    today = local_date(now_utc())
    data = StatementIn().load({})
    assert (data["from_"], data["to"]) == (date(today.year, 1, 1), today)


def test_statement_from_alone_runs_to_today():
    today = local_date(now_utc())
    assert StatementIn().load({"from": "2026-02-01"})["to"] == today


def test_statement_from_after_today_without_to_is_an_error_on_to():
    later = (local_date(now_utc()) + timedelta(days=3)).isoformat()
    assert list(load_error(StatementIn(), {"from": later})) == ["to"]


def test_a_disbursement_names_a_known_category():
    assert list(load_error(DisbursementIn(), disbursement(category="office_party"))) == \
        ["category"]
    body = disbursement()
    del body["category"]
    assert list(load_error(DisbursementIn(), body)) == ["category"]


@pytest.mark.parametrize("kind", ["government", "organisation", "company"])
def test_institutions_give_with_a_credit_code(kind):
    loaded = DonationIn().load({"fund_code": "GENERAL", "amount_fen": 100, "channel": "bank",
                                "donor": {"kind": kind, "name": "财政局",
                                          "credit_code": "11341181MB1A2B3C4A"}})
    assert loaded["donor"]["kind"] == kind


def test_goods_must_be_described_and_only_goods_are():
    goods = {"fund_code": "GENERAL", "amount_fen": 30000, "channel": "in_kind",
             "donor": {"kind": "company", "name": "某公司"}}
    assert list(load_error(DonationIn(), goods)) == ["description"]
    assert DonationIn().load({**goods, "description": "轮椅 10 台"})["description"] == \
        "轮椅 10 台"
    cash = {**goods, "channel": "bank", "description": "x"}
    assert list(load_error(DonationIn(), cash)) == ["description"]
