"""What every page a browser flow visits is checked for, as a person would read it:
axe-core finds no serious or critical accessibility problem (nor headings out of order), a
Chinese page has no English on it beyond what people typed (names, codes, numbers), no page
shows a code where a word belongs, and money is always yuan, never fen. Each check returns
the problems it found, as lines a reader can act on."""
import re

from axe_playwright_python.base import AXE_SCRIPT

from deploy import demo

# Beside the serious and critical ones: the page structure a screen reader navigates by.
AXE_ALSO = {"heading-order", "page-has-heading-one", "landmark-one-main"}
AXE_IMPACTS = {"serious", "critical"}
# Latin letters a Chinese page may show: the language switch's own name, a file format,
# the logins' usernames.
LATIN_ALLOWED = ["English", "CSV", *(username for username, _ in demo.USERS)]
# Receipt, pledge, policy and claim numbers, payment references, certificate numbers: a
# token with a digit in it is a number people quote, not words.
NUMBERED = re.compile(r"[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*")
ADDRESS = re.compile(r"https?://\S+")  # a link written out, as receipts print theirs
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Codes where a word belongs: `approved_awaiting_funds`, `STERILISATION_COMPLICATION`,
# and the demo's fund, project and product codes.
CODE = re.compile(r"\b(?:[a-z]+(?:_[a-z]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")
DEMO_CODES = {f["code"] for f in demo.FUNDS} | {p["code"] for _, p in demo.PROJECTS} | \
    {p["code"] for p in demo.PRODUCTS}
YUAN = re.compile(r"-?¥\d{1,3}(,\d{3})*\.\d{2}")
FEN_WORD = re.compile(r"\d\s*(fen\b|分(?!钟))")
# Every amount the demo data holds, in fen: shown bare, it is fen read as yuan.
DEMO_FEN = {gift[3] for gift in demo.DONATIONS} | {demo.PLEDGE["amount_fen"]} | \
    {p[k] for p in demo.PRODUCTS for k in ("per_claim_cap_fen", "per_year_cap_fen")} | \
    {p["budget_fen"] for _, p in demo.PROJECTS}

# What a person reads on a page besides its text: names given to controls and images.
READ_TEXT = """() => [document.title, document.body.innerText,
  ...Array.from(document.querySelectorAll('[placeholder],[aria-label],[title],[alt]'))
     .flatMap(e => ['placeholder', 'aria-label', 'title', 'alt']
       .map(a => e.getAttribute(a)).filter(Boolean))].join('\\n')"""
MONEY = "() => Array.from(document.querySelectorAll('.money:not(th)'), e => e.innerText.trim())"


def accessibility(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"axe {v['impact']} {v['id']}: {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:5]}"
            for v in found["violations"] if v["impact"] in AXE_IMPACTS or v["id"] in AXE_ALSO]


def read(page) -> str:
    return page.evaluate(READ_TEXT)


def english_on_chinese(text: str, typed: list[str]) -> list[str]:
    """The lines of a Chinese page with English in them, beyond what was typed."""
    problems = []
    for line in text.splitlines():
        rest = line
        for allowed in sorted({*typed, *LATIN_ALLOWED}, key=len, reverse=True):
            rest = rest.replace(allowed, " ")
        words = LATIN_WORD.findall(NUMBERED.sub(" ", ADDRESS.sub(" ", rest)))
        if words:
            problems.append(f"English {words} in: {line.strip()}")
    return problems


def codes(text: str, typed: list[str]) -> list[str]:
    problems = []
    for line in text.splitlines():
        rest = line
        for allowed in sorted(typed, key=len, reverse=True):
            rest = rest.replace(allowed, " ")
        found = set(CODE.findall(rest)) | {c for c in DEMO_CODES
                                           if re.search(rf"\b{c}\b", rest)}
        if found:
            problems.append(f"code {sorted(found)} in: {line.strip()}")
    return problems


def fen(page, text: str, amounts: set[int]) -> list[str]:
    """Money shown as anything but yuan: a money cell not in yuan, a number with 'fen'
    after it, or a known amount's fen as a bare number."""
    problems = [f"money cell not in yuan: {shown!r}" for shown in page.evaluate(MONEY)
                if shown and not YUAN.fullmatch(shown)]
    for line in text.splitlines():
        if FEN_WORD.search(line):
            problems.append(f"fen in: {line.strip()}")
        bare = [n for n in amounts | DEMO_FEN
                if n >= 1000 and re.search(rf"(?<![\d.,]){n}(?![\d.,])", line)]
        if bare:
            problems.append(f"amounts {sorted(bare)} shown in fen in: {line.strip()}")
    return problems


def overflow(page) -> list[str]:
    """A phone's page that scrolls sideways (wide tables scroll inside their own box)."""
    # Against the screen's width: a phone's browser widens its window to a page too wide.
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    screen = page.viewport_size["width"]
    return [f"page is {wide}px wide on a {screen}px screen"] if wide > screen else []
