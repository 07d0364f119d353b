"""One import, as the API, the import page and its confirmation run it: the file read and
its headers checked (a file that is not the register's is refused at once), the run
recorded, then its rows sent to the register's service a batch at a time, the progress
recorded after each, on a green thread of its own. The caller waits for it up to
`IMPORT_WAIT_SECONDS` and answers with the finished run, or with the run still going (its
progress then read from its record): a county's register takes longer than one request
may. Reading the file and checking its rows is all CPU: it runs on an OS thread (eventlet's
tpool), so the gateway answers its other requests meanwhile."""
import logging

import eventlet
from eventlet import tpool

from services.gateway.imports import reading, running, runs
from services.gateway.imports.registers import REGISTERS
from services.gateway.models import ImportRun
from shared.settings import import_wait_seconds

log = logging.getLogger(__name__)


def bring_in(gateway, actor: dict, name: str, filename: str | None, content: bytes, *,
             dry_run: bool, all_or_nothing: bool, keep: bool = False) -> ImportRun:
    """`gateway`: what holds the database (`db`) and the services' proxies. `keep`: the
    file is kept with a dry run, for the page's confirmation to run it for real. The run
    as it stands when it finished or the wait ran out."""
    register = REGISTERS[name]
    sheet = tpool.execute(reading.read, content, filename)
    running.columns_of(register, sheet.headers, filename)  # wrong headers: refused now
    run_id = runs.start(gateway.db, actor, name, filename, sheet, dry_run=dry_run,
                        all_or_nothing=all_or_nothing,
                        content=content if keep and dry_run else None)
    owner = getattr(getattr(gateway, register.service), register.call)

    def carry_out() -> ImportRun:
        try:
            report = running.run(
                register, sheet, lambda batch: owner(batch, actor), dry_run=dry_run,
                all_or_nothing=all_or_nothing, filename=filename, offload=tpool.execute,
                progress=lambda done, to_do: runs.progress(gateway.db, run_id, done, to_do))
        except BaseException as failed:  # a timeout, a service away: the run says so
            log.exception("import %s of %s failed", run_id, name)
            runs.fail(gateway.db, run_id, f"{type(failed).__name__}: {failed}")
            raise
        return runs.finish(gateway.db, run_id, report, sheet)

    going = eventlet.spawn(carry_out)
    with eventlet.Timeout(import_wait_seconds(), False):
        return going.wait()
    return runs.get(gateway.db, actor, run_id)
