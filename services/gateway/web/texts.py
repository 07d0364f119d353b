"""What the services say, in the reader's language. A service's message is English text,
fixed or made from a template with values in it ("Longer than maximum length 200.",
"approved ¥500.00"); the catalogue's message ids with `%(name)s` placeholders are those
templates, so a message is matched against them, its values taken out, and the template's
translation filled in. Codes among the values (a fund's code) become names where the page
knows them."""
import re
from functools import cache

from services.gateway.web import i18n
from services.gateway.web.words import WORDS, word

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def _templates() -> list[tuple[re.Pattern, str]]:
    """(pattern, message id) for every templated id, the longest (most specific) first."""
    ids = {message.id for message in i18n.catalogue(i18n.DEFAULT)
           if isinstance(message.id, str) and ("%" in message.id)}
    found = []
    for template in sorted(ids, key=len, reverse=True):
        parts = _PLACEHOLDER.split(template)
        pattern = ""
        seen = set()
        for n, part in enumerate(parts):
            if n % 2 == 0:
                pattern += re.escape(part.replace("%%", "%"))
            elif part in seen:
                pattern += f"(?P={part})"
            else:
                pattern += f"(?P<{part}>.+?)"
                seen.add(part)
        found.append((re.compile(pattern, re.S), template))
    return found


def say(gettext, message: str | None, names: dict[str, str] | None = None) -> str | None:
    """`message` (from a service) as the page shows it, in the language of `gettext`."""
    if not message:
        return message
    translated = gettext(message)
    if translated != message:
        return translated
    for pattern, template in _templates():
        matched = pattern.fullmatch(message)
        if matched:
            values = {key: _value(gettext, value, names or {})
                      for key, value in matched.groupdict().items()}
            try:
                return gettext(template) % values
            except (KeyError, ValueError, TypeError):  # a translation that lost a placeholder
                return message
    return message


_CODE = re.compile(r"[a-z][a-z0-9]*([_-][a-z0-9]+)*")


def _value(gettext, value: str, names: dict[str, str]) -> str:
    """A value inside a message: a code the page can name (a fund's), a code or word the
    catalogue knows (a status, a flag), each item of a list of those, or a service's text
    itself (a payout's purpose inside a memo); else as it is."""
    if value in names:
        return names[value]
    items = value.split(", ")
    if not all(_CODE.fullmatch(item) for item in items):
        return say(gettext, value, names)  # shorter than the message: this ends
    return gettext(", ").join(_word(gettext, item) for item in items)  # 、 in Chinese


def _word(gettext, code: str) -> str:
    if code in WORDS:
        return word(gettext, code)
    translated = gettext(code)
    return translated if translated != code else code.replace("_", " ")
