"""One import, as the API, the import page and its confirmation run it: the file read, its
headers checked, the run recorded, its rows sent to the register's service a batch at a
time with the progress recorded after each, and the run's record given back. Reading the
file and checking its rows is all CPU: it runs on a thread of its own (eventlet's tpool),
so the gateway answers its other requests meanwhile."""
from eventlet import tpool

from services.gateway.imports import reading, running, runs
from services.gateway.imports.registers import REGISTERS
from services.gateway.models import ImportRun


def bring_in(gateway, actor: dict, name: str, filename: str | None, content: bytes, *,
             dry_run: bool, all_or_nothing: bool, keep: bool = False) -> ImportRun:
    """`gateway`: what holds the database (`db`) and the services' proxies. `keep`: the
    file is kept with a dry run, for the page's confirmation to run it for real."""
    register = REGISTERS[name]
    sheet = tpool.execute(reading.read, content, filename)
    running.columns_of(register, sheet.headers, filename)  # wrong headers: refused now
    run_id = runs.start(gateway.db, actor, name, filename, sheet, dry_run=dry_run,
                        all_or_nothing=all_or_nothing,
                        content=content if keep and dry_run else None)
    owner = getattr(getattr(gateway, register.service), register.call)
    try:
        report = running.run(
            register, sheet, lambda batch: owner(batch, actor), dry_run=dry_run,
            all_or_nothing=all_or_nothing, filename=filename, offload=tpool.execute,
            progress=lambda done, to_do: runs.progress(gateway.db, run_id, done, to_do))
    except Exception as failed:
        runs.fail(gateway.db, run_id, f"{type(failed).__name__}: {failed}")
        raise
    return runs.finish(gateway.db, run_id, report, sheet)
