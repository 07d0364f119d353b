"""The pages while the notifications service is down (killed; its queue still there, so a
call to it waits rather than fails): each home page still shows, without the unread count,
and only the first waits for it; once the service is back, the inbox works again."""
import time

from deploy.processes import SERVICES
from services.gateway.web.unread import DEADLINE_SECONDS
from tests.e2e.page_forms import TIMEOUT, log_in

OWN_SYSTEM = True  # it kills the notifications service, which no other module should see


def home(running_system, browser):
    started = time.monotonic()
    page = browser.get(running_system.url + browser.home, timeout=TIMEOUT)
    return page, time.monotonic() - started


def test_home_pages_show_without_the_count_while_the_service_is_down(running_system):
    donor, staff = (log_in(running_system.url, username) for username in ("donor1", "staff1"))
    page, _ = home(running_system, donor)
    assert page.status_code == 200 and 'id="unread-notice"' in page.text

    running_system.kill("notifications-1")
    first, waited = home(running_system, donor)
    assert first.status_code == 200 and 'id="unread-notice"' not in first.text
    assert 'id="give"' in first.text  # the page itself is whole
    assert waited < DEADLINE_SECONDS + 5
    second, waited = home(running_system, staff)
    assert second.status_code == 200 and 'id="menu-unread"' not in second.text
    assert waited < DEADLINE_SECONDS  # not asked again for a while

    running_system.start_one("notifications-1", SERVICES["notifications"])
    running_system.wait_healthy()
    inbox = donor.get(running_system.url + "/inbox", timeout=TIMEOUT)
    assert inbox.status_code == 200 and 'id="inbox"' in inbox.text
