"""Messages in words, from the gettext catalogues beside this module
(`locales/<language>/LC_MESSAGES/notifications.po`, one per language, ids the messages'
kinds): the text the inbox shows and the log records, in the person's language, with the
values of the event filled in."""
import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("zh", "en")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def catalogue(language: str) -> dict[str, str]:
    with (LOCALES / language / "LC_MESSAGES" / "notifications.po").open("rb") as source:
        return {message.id: message.string for message in read_po(source, locale=language)
                if message.id}


def say(text_id: str, language: str, values: dict | None = None) -> str:
    return catalogue(language)[text_id] % (values or {})


def placeholders(text_id: str, language: str) -> set[str]:
    """The values a text takes (an SMS template registered at Aliyun takes the same)."""
    return set(PLACEHOLDER.findall(catalogue(language)[text_id]))
