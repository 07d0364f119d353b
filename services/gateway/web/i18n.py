"""Chinese (the default) and English, from gettext catalogues. Message ids are English;
`locales/zh/LC_MESSAGES/` holds the Chinese: `messages.po` for the pages' own texts,
`services.po` for what the services say (validation messages, history, memos). The .po
files are compiled in memory at start, so there is no build step to forget."""
import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
LOCALES = Path(__file__).parent / "locales"


CATALOGUES = ("messages.po", "services.po")


@cache
def catalogue(language: str) -> Catalog:
    """Every .po of the language as one catalogue (empty for English, the ids' language);
    where two give the same id, the first (the pages' own words) is kept."""
    merged = Catalog(locale=language)
    for name in CATALOGUES:
        po = LOCALES / language / "LC_MESSAGES" / name
        if language == "en" or not po.exists():
            continue
        with po.open("rb") as source:
            for message in read_po(source, locale=language):
                if message.id:
                    merged.add(message.id, message.string)
    return merged


@cache
def translations(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, catalogue(language))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def pick(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie
    if accept_language and accept_language.lower().startswith("en"):
        return "en"
    return DEFAULT
