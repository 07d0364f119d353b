"""What the services say reaches a Chinese page in Chinese: every text they write for people
(found in their source), every validation message of the contracts' fields, with the values
in it filled in and the codes among them named."""
import inspect
import re

import pytest
from marshmallow import Schema, fields, validate

import services.gateway.schemas
import shared.contracts.families
import shared.contracts.fund
import shared.contracts.insurance
import shared.contracts.notifications
import shared.contracts.volunteers
import shared.schemas
from services.gateway.web import i18n
from services.gateway.web.texts import say
from shared.errors import InvalidInput
from shared.identity import InvalidIdentifier, validate_resident_id
from tests.service_texts import service_texts

ZH = i18n.translations("zh").gettext
EN = i18n.translations("en").gettext


def test_every_text_the_services_write_for_people_has_its_chinese():
    texts = service_texts()
    assert len(texts) > 100
    assert sorted(t for t in texts if ZH(t) == t) == []


def _contract_messages() -> set[str]:
    """The error messages of every field and validator the contracts' input schemas use,
    as catalogue templates ({max} -> %(max)s)."""
    found: set[str] = set()

    def of_field(field):
        for cls in type(field).__mro__:
            found.update(getattr(cls, "default_error_messages", {}).values())
        for validator in field.validators:
            if isinstance(validator, validate.Range):
                continue  # its messages are built from parts; see the test below
            for attribute in ("message_min", "message_max", "message_all", "message_equal",
                              "default_message", "error"):
                message = getattr(validator, attribute, None)
                if isinstance(message, str):
                    found.add(message)
        if isinstance(field, fields.Nested) and isinstance(field.nested, type):
            of_schema(field.nested)
        if isinstance(field, fields.List):
            of_field(field.inner)

    def of_schema(schema):
        for field in schema._declared_fields.values():
            of_field(field)

    for module in (shared.contracts.fund, shared.contracts.families, shared.contracts.insurance,
                   shared.contracts.volunteers, shared.contracts.notifications, shared.schemas,
                   services.gateway.schemas):
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Schema) and name.endswith("In"):
                of_schema(value)
    found.update(Schema.error_messages.values() if Schema.error_messages else ())
    return {re.sub(r"\{(\w+)\}", r"%(\1)s", m) for m in found
            if "{awareness}" not in m and "{obj_type}" not in m}


def test_every_validation_message_of_the_contracts_has_its_chinese():
    messages = _contract_messages()
    assert "Longer than maximum length %(max)s." in messages
    assert sorted(m for m in messages if ZH(m) == m) == []


@pytest.mark.parametrize(("low", "high"), [(1, 500), (1, None), (None, 500)])
def test_range_messages_as_marshmallow_writes_them_are_translated(low, high):
    from marshmallow import ValidationError
    with pytest.raises(ValidationError) as refused:
        validate.Range(min=low, max=high)(0 if low else 501)
    assert re.search(r"[\u4e00-\u9fff]", say(ZH, str(refused.value.messages[0])))


@pytest.mark.parametrize(("message", "chinese"), [
    ("Longer than maximum length 200.", "超过最大长度 200。"),
    ("approved ¥500.00", "核准 ¥500.00"),
    ("automatic checks: nothing found", "自动检查：未发现问题"),
    ("automatic checks: waiting_period, probable_duplicate", "自动检查：等待期内、疑似重复"),
    ("Must be one of: cash, bank.", "须为以下之一：现金、银行转账。"),
    ("This would take the year's admin costs above 10% of its spending.",
     "这将使本年度管理费用超过支出的 10%。"),
    ("Already booked from 2026-05-29T01:00:00+00:00 to 2026-05-29T03:00:00+00:00.",
     "已在 2026-05-29T01:00:00+00:00 至 2026-05-29T03:00:00+00:00 有安排。"),
])
def test_a_service_message_is_shown_in_chinese_with_its_values(message, chinese):
    assert say(ZH, message) == chinese


def test_states_inside_a_message_read_as_the_pages_name_them():
    assert say(ZH, "A claim that is paid cannot become approved.") == \
        f"状态为「{ZH('paid')}」的{ZH('claim')}不能变为「{ZH('approved')}」。"


def test_codes_among_the_values_become_the_names_the_page_knows():
    names = {"GENERAL": "人口健康基金", "SHANGEN": "善根基金", "ELDERLY_CARE": "善根养老"}
    assert say(ZH, "donation to GENERAL", names) == "捐赠至 人口健康基金"
    assert say(ZH, "donation to SHANGEN/ELDERLY_CARE", names) == "捐赠至 善根基金／善根养老"
    assert say(EN, "donation to GENERAL", names) == "donation to 人口健康基金"


def test_an_english_page_reads_words_not_codes():
    assert say(EN, "automatic checks: waiting_period") == \
        "automatic checks: Within the waiting period"
    assert say(EN, "is some_new_state") == "is some new state"
    assert say(EN, "Longer than maximum length 200.") == "Longer than maximum length 200."


def test_the_identity_checks_speak_chinese_too():
    with pytest.raises(InvalidIdentifier) as refused:
        validate_resident_id("110105194912310021")
    assert say(ZH, str(refused.value)) == "身份证号：校验码不符"


def test_what_no_template_knows_is_left_as_it_was_written():
    for text in ("王芳 paid by hand", "", None):
        assert say(ZH, text) == text
    error = InvalidInput("Some fields are invalid.")
    assert re.fullmatch(r"[\u4e00-\u9fff，。]+", say(ZH, error.message))
