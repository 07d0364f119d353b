"""Yuan typed into a page become exact fen; every text the pages show has its Chinese."""
import pytest
from babel.messages.extract import extract_from_dir

from services.gateway.web import i18n
from shared.money import BadAmount, yuan_to_fen
from shared.settings import PROJECT_ROOT


@pytest.mark.parametrize("typed, fen", [("12.34", 1234), ("0.01", 1), ("1,000.05", 100005),
                                        ("100", 10000), (" 8.8 ", 880),
                                        ("99999999999.99", 9999999999999)])
def test_yuan_become_exact_fen(typed, fen):
    assert yuan_to_fen(typed) == fen


@pytest.mark.parametrize("typed", ["", "abc", "12.345", "-5", "0", "0.00", "NaN", "Infinity",
                                   "1e3000", "100000000000.01"])
def test_amounts_that_are_not_money_are_refused(typed):
    with pytest.raises(BadAmount):
        yuan_to_fen(typed)


def test_every_text_of_the_pages_has_a_chinese_translation():
    zh = i18n.translations("zh")
    web = PROJECT_ROOT / "services" / "gateway" / "web"
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = {found[2] for found in extract_from_dir(web, method_map)
             if isinstance(found[2], str)}
    assert len(found) > 100
    untranslated = sorted(m for m in found if zh.gettext(m) == m)
    assert untranslated == []
    for message in ("Enter an amount in yuan, like 100 or 12.50.", "At most two decimals (fen).",
                    "Must be more than zero.", "Too large for one amount."):
        assert zh.gettext(message) != message  # the amount checks' own messages


def test_the_language_comes_from_the_cookie_then_the_browser_then_chinese():
    assert i18n.pick("en", "zh-CN") == "en"
    assert i18n.pick(None, "en-US,en;q=0.9") == "en"
    assert i18n.pick("fr", None) == "zh"


@pytest.mark.parametrize("text", ["9e999999", "1e3", "NaN", "Infinity", "-Infinity", "0x10",
                                  "1_000", "１００"])
def test_yuan_are_digits_and_a_point_only(text):
    with pytest.raises(BadAmount) as refused:
        yuan_to_fen(text)
    assert "Enter an amount" in str(refused.value)
