"""The web pages in a real browser, on the running system, in Chinese and in English (and
on a phone's screen): each flow of tests/e2e/browser_flows.py runs in a fresh browser
context of one browser process kept for the module (see its docstring), checks every page it
visits (accessibility, language, names for codes, yuan for money: tests/e2e/page_checks.py)
and leaves its screenshots in artifacts/screenshots/."""
import json
import os
import subprocess
import sys

import eventlet
import pytest

from shared.settings import PROJECT_ROOT
from tests.e2e.browser_flows import FLOWS

# A page in Chinese must show no English: other modules' records (funds named in English,
# say) would be on a shared system's pages.
OWN_SYSTEM = True
FLOW_SECONDS = 180


class Browser:
    """The flows' process, started when first asked and again after one was stopped for
    taking too long."""

    def __init__(self, system):
        self.system = system
        self.process = None

    def run(self, flow: str, language: str) -> dict:
        if self.process is None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.e2e.browser_flows", "--serve", self.system.url],
                cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=open(self.system.log_dir / "browser.log", "ab"),  # noqa: SIM115
                # The system's logs: where SMS_PROVIDER=log writes each SMS with its
                # unsubscribe link.
                env={**os.environ, "PHF_SYSTEM_LOGS": str(self.system.log_dir)})
        self.process.stdin.write(json.dumps({"flow": flow, "language": language}).encode()
                                 + b"\n")
        self.process.stdin.flush()
        try:
            with eventlet.Timeout(FLOW_SECONDS):
                line = self.process.stdout.readline()
        except eventlet.Timeout:
            self.stop()
            return {"ok": False, "error": f"no answer within {FLOW_SECONDS} s"}
        if not line:
            self.stop()
            return {"ok": False, "error": "the browser's process ended: see browser.log"}
        return json.loads(line)

    def stop(self):
        """Closing its input lets the process close the browser it started; one stuck is
        killed."""
        if self.process is None:
            return
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture(scope="module")
def browser(running_system):
    runner = Browser(running_system)
    yield runner
    runner.stop()


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_in_the_browser(browser, flow, language):
    answer = browser.run(flow, language)
    assert answer["ok"], answer["error"]
