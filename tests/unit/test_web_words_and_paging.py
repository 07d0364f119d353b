"""The pages name every code the services answer with, page every list, and send the
language switch back to a page that exists."""
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway.web import i18n
from services.gateway.web.ui import PAGE_SIZE, Ui, _back
from services.gateway.web.words import WORDS, word
from shared.actors import ROLES
from shared.contracts import fund, insurance, volunteers

CODES = {*fund.CHANNELS, *fund.DONOR_KINDS, *fund.DONATION_STATUSES,
         *fund.DISBURSEMENT_STATUSES, *fund.PLEDGE_STATUSES, *fund.CATEGORIES,
         *insurance.FAMILY_CATEGORIES, *insurance.CLAIM_STATUSES, *insurance.POLICY_STATUSES,
         *insurance.FLAGS, *volunteers.SKILLS, *volunteers.SIGNUP_STATUSES,
         *volunteers.VISIT_STATUSES, *ROLES}


def test_every_code_of_the_contracts_has_a_word_in_both_languages():
    assert sorted(CODES - set(WORDS)) == []
    zh = i18n.translations("zh").gettext
    for code in CODES:
        assert word(zh, code) != WORDS[code]  # the Chinese, from the catalogue
        assert word(i18n.translations("en").gettext, code) == WORDS[code]


def test_a_code_without_a_word_is_shown_as_it_is():
    assert word(i18n.translations("zh").gettext, "something_new") == "something_new"
    assert word(i18n.translations("zh").gettext, None) == ""


def _ui(path: str, method: str = "GET") -> Ui:
    return Ui(Request(EnvironBuilder(path=path, method=method).get_environ()))


@pytest.mark.parametrize("query, offset", [("", 0), ("?recent_page=3", 2 * PAGE_SIZE),
                                           ("?recent_page=0", 0), ("?recent_page=-4", 0),
                                           ("?recent_page=abc", 0), ("?recent_page=1e9", 0),
                                           (f"?recent_page={2**70}", None)])
def test_a_list_shows_the_page_asked_for_and_never_an_offset_out_of_range(query, offset):
    page = _ui("/staff" + query).paged("recent")
    assert page["limit"] == PAGE_SIZE
    assert page["offset"] == offset if offset is not None else page["offset"] < 2**31


def test_a_page_link_keeps_the_rest_of_the_address():
    ui = _ui("/staff/funds/GENERAL/statement?from=2026-01-01&lines_page=2")
    assert ui.page_link("lines", 3) == \
        "/staff/funds/GENERAL/statement?from=2026-01-01&lines_page=3"
    assert ui.page_link("lines", 1) == "/staff/funds/GENERAL/statement?from=2026-01-01"


def test_the_language_switch_goes_back_to_the_form_a_post_came_from():
    get = _ui("/staff?recent_page=2")
    assert _back(get.request, "GET", None, {}) == "/staff?recent_page=2"
    post = _ui("/staff/donations", "POST")
    assert _back(post.request, "POST", None, {}) == "/staff"
    claim = _ui("/insurance/claims/7/approve", "POST")
    assert _back(claim.request, "POST", "/insurance/claims/{claim_id}", {"claim_id": 7}) == \
        "/insurance/claims/7"


def test_moments_on_the_pages_are_the_associations_local_time():
    from services.gateway.web.ui import TEMPLATES
    moment = TEMPLATES.filters["moment"]
    day = TEMPLATES.filters["day"]
    assert moment("2026-05-28T17:30:00+00:00") == "2026-05-29 01:30"
    assert moment("2026-05-29T01:30:00+08:00") == "2026-05-29 01:30"
    assert day("2026-12-31T16:00:00Z") == "2027-01-01"
    assert moment(None) == "" and moment("not a time") == "not a time"
