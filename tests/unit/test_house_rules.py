"""The shape the code keeps, read from its source: one way to change state, four eyes only
through the lifecycle, a thin gateway whose API mirrors its pages."""
import re
from pathlib import Path

from shared.settings import PROJECT_ROOT

SERVICES = PROJECT_ROOT / "services"
GATEWAY = SERVICES / "gateway"


def _sources(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.py") if "migrations" not in p.parts]


def test_no_state_is_set_by_hand_outside_the_lifecycle():
    found = [f"{p.relative_to(PROJECT_ROOT)}:{n}" for p in _sources(SERVICES)
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if re.search(r"\.status\s*=[^=]", line)]
    assert found == []


def test_four_eyes_are_checked_only_by_the_lifecycle():
    callers = {p.relative_to(PROJECT_ROOT).as_posix()
               for p in [*_sources(SERVICES), *_sources(PROJECT_ROOT / "shared")]
               if "check_four_eyes(" in p.read_text()}
    assert callers == {"shared/lifecycle.py"}


# Each page module and the API module of the same service (the admin's page: logins).
API_OF_PAGES = {"fund": "fund", "insurance": "insurance", "volunteer": "volunteers",
                "family": "families", "association": "associations",
                "application": "applications", "auth": "auth", "admin": "users",
                "import": "imports", "audit": "audit", "notification": "notifications",
                "renewal": "insurance", "assessment": "assessment"}


def test_the_gateway_class_is_thin_and_its_api_mirrors_its_pages():
    assert len((GATEWAY / "service.py").read_text().splitlines()) <= 200
    api = {p.stem for p in (GATEWAY / "api").glob("*.py")}
    # The export page serves every list through the API's own export routes.
    pages = {p.stem.removesuffix("_pages") for p in (GATEWAY / "web").glob("*_pages.py")} - \
        {"export"}
    assert {API_OF_PAGES[name] for name in pages} <= api
