"""The record of each import: started, its progress after every batch (each in a short
transaction of its own, so another request reads how far it is), and its report once
finished. A run's state is not stored but read from it: running until finished; failed
when it ended in an error, or when it has made no progress for `STALLED` (the gateway was
stopped mid-way: the same file again finishes it)."""
import uuid
from dataclasses import asdict
from datetime import timedelta

from sqlalchemy import select, update

from services.gateway.imports.reading import Sheet
from services.gateway.imports.registers import REGISTERS
from services.gateway.imports.running import Report
from services.gateway.models import ImportRun
from shared.clock import now_utc
from shared.errors import Conflict, Forbidden, NotFound

STALLED = timedelta(minutes=5)
INTERRUPTED = "Stopped before it finished; the same file again finishes it."


def start(db, actor: dict, register: str, filename: str | None, sheet: Sheet, *,
          dry_run: bool, all_or_nothing: bool, content: bytes | None = None) -> str:
    now = now_utc()
    run = ImportRun(id=uuid.uuid4().hex, association_code=actor["association_code"],
                    register=register, username=actor["username"], filename=filename,
                    dry_run=dry_run, all_or_nothing=all_or_nothing, rows=len(sheet.rows),
                    done=0, to_do=len(sheet.rows), headers=sheet.headers, content=content,
                    started_at=now, touched_at=now)
    with db.transaction() as session:
        session.add(run)
    return run.id


def progress(db, run_id: str, done: int, to_do: int) -> None:
    with db.transaction() as session:
        session.execute(update(ImportRun).where(ImportRun.id == run_id).values(
            done=done, to_do=to_do, touched_at=now_utc()))


def finish(db, run_id: str, report: Report, sheet: Sheet) -> ImportRun:
    wrong = {error["row"] for error in report.errors}
    with db.transaction() as session:
        run = session.get(ImportRun, run_id)
        run.report = asdict(report)
        run.rows_in_error = [[number, cells] for number, cells in sheet.rows
                             if number in wrong]
        run.finished_at = run.touched_at = now_utc()
        session.flush()
        session.expunge(run)  # read after the session closes
    return run


def fail(db, run_id: str, why: str) -> None:
    with db.transaction() as session:
        session.execute(update(ImportRun).where(ImportRun.id == run_id).values(
            failure=why[:2000], finished_at=now_utc(), touched_at=now_utc()))


def get(db, actor: dict, run_id: str) -> ImportRun:
    """A run of the caller's association, of a register the caller may import."""
    with db.transaction() as session:
        run = session.get(ImportRun, run_id)
        if run is None or run.association_code != actor["association_code"]:
            raise NotFound("No such import.", "import_not_found")
        if actor["role"] not in REGISTERS[run.register].roles:
            raise Forbidden(f"The {actor['role']} role may not read imports of "
                            f"{run.register}.", "role_not_allowed")
        session.expunge(run)
    return run


def status_of(run: ImportRun) -> str:
    if run.failure or run.finished_at is None and now_utc() - _aware(run.touched_at) > STALLED:
        return "failed"
    return "running" if run.finished_at is None else "done"


def failure_of(run: ImportRun) -> str | None:
    return run.failure or (INTERRUPTED if status_of(run) == "failed" else None)


def _aware(moment):
    # SQLite gives back naive times (stored in UTC).
    return moment if moment.tzinfo else moment.replace(tzinfo=now_utc().tzinfo)


def taken(db, actor: dict, run_id: str) -> tuple[ImportRun, bytes]:
    """A dry run's kept file, taken to be run for real (once: the file is let go)."""
    run = get(db, actor, run_id)
    with db.transaction() as session:
        content = session.scalar(select(ImportRun.content).where(ImportRun.id == run_id)
                                 .with_for_update())
        if not run.dry_run or content is None or status_of(run) != "done":
            raise Conflict("This import is not a finished dry run waiting to be confirmed.",
                           "import_not_confirmable")
        session.execute(update(ImportRun).where(ImportRun.id == run_id).values(content=None))
    return run, content


def has_file(db, run_id: str) -> bool:
    """Whether a dry run still keeps its file for confirming."""
    with db.transaction() as session:
        return session.scalar(select(ImportRun.content.is_not(None))
                              .where(ImportRun.id == run_id)) or False


def recent(db, actor: dict, registers: tuple[str, ...], limit: int = 20) -> list[ImportRun]:
    """The association's latest imports of these registers, newest first."""
    with db.transaction() as session:
        found = list(session.scalars(
            select(ImportRun).where(ImportRun.association_code == actor["association_code"],
                                    ImportRun.register.in_(registers))
            .order_by(ImportRun.started_at.desc()).limit(limit)))
        session.expunge_all()
    return found
