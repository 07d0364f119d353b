"""What a password chosen for a login must be: 12 characters on the staff side, 10 for donors
and volunteers; never the username, nor one of the 10 000 most common, in any case."""
import re

import pytest

from services.gateway import passwords
from services.gateway.passwords import weaknesses
from services.gateway.schemas import PasswordIn, UserIn
from services.gateway.web import i18n
from services.gateway.web.texts import say
from shared.actors import STAFF_SIDE, load
from shared.errors import InvalidInput

ZH = i18n.translations("zh").gettext
STAFF_ROLES = ("staff", "admin", "coordinator", "auditor", "province_staff", "province_auditor")


def test_the_staff_side_is_every_role_but_donors_and_volunteers():
    assert sorted(STAFF_SIDE) == sorted(STAFF_ROLES)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_staff_side_password_needs_twelve_characters(role):
    assert weaknesses("k7#vq!m2zp9", "li.ming", role) == [
        "At least 12 characters for this role."]
    assert weaknesses("k7#vq!m2zp9w", "li.ming", role) == []


@pytest.mark.parametrize("role", ["donor", "volunteer"])
def test_donors_and_volunteers_keep_ten(role):
    assert weaknesses("k7#vq!m2zp", "li.ming", role) == []
    assert weaknesses("k7#vq!m2z", "li.ming", role) == ["At least 10 characters for this role."]


@pytest.mark.parametrize("password", ["Staff7-harbour-lamp", "my-STAFF7-lamp-post", "staff7staff7"])
def test_a_password_holding_the_username_in_any_case_is_refused(password):
    assert weaknesses(password, "staff7", "staff") == ["Must not contain the username."]


def test_a_volunteers_phone_number_is_no_password():
    assert weaknesses("13912345678", "13912345678", "volunteer") == [
        "Must not contain the username."]


@pytest.mark.parametrize(("password", "role"), [
    ("qwerty123456", "staff"), ("QWERTY123456", "admin"), ("1qaz2wsx3edc", "auditor"),
    ("password123", "donor"), ("1234567890", "volunteer")])
def test_the_most_common_passwords_are_refused_in_any_case(password, role):
    assert weaknesses(password, "li.ming", role) == [
        "One of the most common passwords; choose another."]


def test_the_list_holds_ten_thousand_of_them():
    common = passwords._common()
    assert len(common) > 9_900  # a few differ only in case
    assert {"123456", "password", "qwerty", "dragon"} <= common


def test_every_weakness_is_named_at_once():
    assert weaknesses("admin", "admin", "admin") == [
        "At least 12 characters for this role.", "Must not contain the username.",
        "One of the most common passwords; choose another."]


def test_every_message_reads_in_chinese():
    messages = weaknesses("admin", "admin", "admin") + weaknesses("q", "x", "donor")
    for message in messages:
        assert re.search(r"[\u4e00-\u9fff]", say(ZH, message)), message
    assert say(ZH, "At least 12 characters for this role.") == "此角色的密码至少 12 位。"


def _user(**changes) -> dict:
    return {"username": "li.ming", "password": "k7#vq!m2zp9w", "role": "staff",
            "display_name": "李明", **changes}


@pytest.mark.parametrize("changes", [
    {"password": "k7#vq!m2zp9"}, {"password": "Li.Ming-2026-spring"},
    {"password": "qwertyqwerty"}, {"role": "coordinator", "password": "123qweasdzxc"}])
def test_a_login_made_with_a_weak_password_is_refused_on_that_field(changes):
    with pytest.raises(InvalidInput) as refused:
        load(UserIn(), _user(**changes))
    assert list(refused.value.fields) == ["password"]


def test_a_donor_login_may_have_ten_characters():
    assert load(UserIn(), _user(role="donor", password="k7#vq!m2zp"))["role"] == "donor"


def test_a_new_password_keeps_the_ten_the_schema_always_asked():
    # The rest depends on the login, which change_password knows.
    with pytest.raises(InvalidInput) as refused:
        load(PasswordIn(), {"current_password": "old", "new_password": "k7#vq!m2z"})
    assert list(refused.value.fields) == ["new_password"]
    assert load(PasswordIn(), {"current_password": "old", "new_password": "k7#vq!m2zp"})
