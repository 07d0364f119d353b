"""The web pages in a real browser, on the running system, in Chinese and in English (and
on a phone's screen): each flow of tests/e2e/browser_flows.py runs in a process of its own
(see its docstring), checks every page it visits (accessibility, language, names for codes,
yuan for money: tests/e2e/page_checks.py) and leaves its screenshots in
artifacts/screenshots/."""
import os
import subprocess
import sys

import pytest

from shared.settings import PROJECT_ROOT
from tests.e2e.browser_flows import FLOWS

# A page in Chinese must show no English: other modules' records (funds named in English,
# say) would be on a shared system's pages.
OWN_SYSTEM = True


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_in_the_browser(running_system, flow, language):
    # The system's logs: where SMS_PROVIDER=log writes each SMS with its unsubscribe link.
    done = subprocess.run([sys.executable, "-m", "tests.e2e.browser_flows", running_system.url,
                           language, flow], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=180, env={**os.environ,
                                            "PHF_SYSTEM_LOGS": str(running_system.log_dir)})
    assert done.returncode == 0, done.stderr[-4000:]
