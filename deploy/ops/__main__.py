"""The ops command line: `python -m deploy.ops SUBCOMMAND --help`."""
import argparse
import json
import os
import re
import sys
from datetime import date
from pathlib import Path

from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy.exc import DBAPIError
from tqdm import tqdm

from deploy.ops import (
    auditing,
    backups,
    deadletters,
    importing,
    queues,
    reconciling,
    registers,
    rotation,
    statements,
    volunteer_hours,
)
from services.gateway.imports.registers import REGISTERS
from shared import remote_errors  # noqa: F401 (the services' errors arrive as themselves)
from shared.actors import system_actor
from shared.crypto import keyring
from shared.errors import DomainError, NotFound
from shared.settings import amqp_uri

SERVICES = ("fund", "insurance", "volunteers", "families", "notifications")


def import_donations(args) -> int:
    total = sum(1 for _ in importing.rows_of(args.file))
    with ClusterRpcProxy({"AMQP_URI": args.amqp_uri}) as rpc, \
            tqdm(total=total, unit="row", disable=args.quiet) as progress:
        report = importing.import_file(args.file, rpc.fund, progress)
    for line, reason in sorted(report.bad):
        print(f"line {line}: {reason}", file=sys.stderr)
    print(f"imported {report.imported}, already there {report.already_there}, "
          f"bad {len(report.bad)}")
    return 1 if report.bad else 0


def import_register(args) -> int:
    with ClusterRpcProxy({"AMQP_URI": args.amqp_uri}) as rpc, \
            tqdm(unit="row", disable=args.quiet) as bar:
        def progress(done: int, to_do: int) -> None:
            bar.total = to_do
            bar.update(done - bar.n)
        try:
            outcome = registers.bring_in(rpc, args.register, args.file, dry_run=args.dry_run,
                                         all_or_nothing=args.all_or_nothing,
                                         progress=progress)
        except OSError as error:
            print(f"cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
            return 2
    report = outcome.report
    for row, why in sorted(outcome.why(args.lang).items()):
        print(f"row {row}: {why}", file=sys.stderr)
    if report.errors and args.errors:
        outcome.write_errors(args.errors, args.lang)
        print(f"rows in error, with why, in {args.errors}", file=sys.stderr)
    verb = "would be" if args.dry_run or (args.all_or_nothing and not report.written) \
        else "were"
    print(f"{report.rows} rows: {report.valid} valid, {report.invalid} in error; "
          f"{verb} created {report.created}, updated {report.updated}, unchanged "
          f"{report.unchanged}" + ("; nothing written (all or nothing)"
                                   if args.all_or_nothing and report.invalid else ""))
    return 2 if report.invalid else 0


def rotate_keys(args) -> int:
    services = args.only or list(rotation.PARTS)
    for service in services:
        with tqdm(unit="row", desc=service, disable=args.quiet) as bar:
            count = rotation.rotate(service, progress=lambda field, n: bar.update(n))
        print(f"{service}: {count} values re-sealed under key {keyring().current}")
    return 0


def audit_verify(args) -> int:
    broken = False
    for service in args.only or list(auditing.LOGS):
        try:
            verdict = auditing.check(service)
        except DBAPIError as error:  # no such database or table: not migrated, not reachable
            print(f"{service}: its audit log cannot be read: {error.orig}", file=sys.stderr)
            return 2
        if verdict.broken is None:
            print(f"{service}: {verdict.entries} entries, chain intact")
            continue
        broken = True
        print(f"{service}: chain broken at entry {verdict.broken.entry_id}: "
              f"{verdict.broken.why}", file=sys.stderr)
    return 1 if broken else 0


def list_dead_letters(args) -> int:
    for message in deadletters.listing(args.amqp_uri):
        print(json.dumps(message, ensure_ascii=False, default=str))
    return 0


def queues_to_quorum(args) -> int:
    try:
        moved = queues.to_quorum(args.amqp_uri, args.management_uri)
    except queues.Refused as refused:
        print(f"not moved: {refused}", file=sys.stderr)
        return 2
    print(f"{len(moved)} queues moved to quorum queues, "
          f"{sum(m.messages for m in moved)} messages with them")
    return 0


def replay_dead_letters(args) -> int:
    positions = None if args.all else set(args.positions)
    if positions is not None and not positions:
        print("name the positions to replay (from `dead-letters`), or --all", file=sys.stderr)
        return 2
    for replayed in deadletters.replay(args.amqp_uri, positions):
        print(json.dumps(replayed))
    return 0


def move_blobs(args) -> int:
    if backups.store_kind() != "database":
        print("BLOB_STORE_URL is not `database` (nor INSURANCE_DATABASE_URL PostgreSQL): the "
              "documents stay under BLOB_DIR", file=sys.stderr)
        return 2
    added, there = backups.move_blobs()
    print(f"blobs: {added} moved into the insurance database, {there} there already; the "
          f"files under BLOB_DIR are left as they were")
    return 0


def export_statement(args) -> int:
    with ClusterRpcProxy({"AMQP_URI": args.amqp_uri}) as rpc:
        for path in statements.export(rpc.fund, args.fund_code, args.start, args.end,
                                      Path(args.out)):
            print(path)
    return 0


def export_hours(args) -> int:
    if args.start > args.end:
        print(f"--from {args.start} is after --to {args.end}", file=sys.stderr)
        return 2
    with ClusterRpcProxy({"AMQP_URI": args.amqp_uri}) as rpc:
        try:
            count = volunteer_hours.export(rpc.volunteers, args.start, args.end, Path(args.out))
        except OSError as error:
            print(f"cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
            return 2
    print(f"{count} service records, {args.start} to {args.end}, in {args.out} (mode 0600: "
          f"it holds full identity numbers)")
    return 0


def _day(text: str) -> date:
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: YYYY-MM-DD") from None


def reconcile(args) -> int:
    with ClusterRpcProxy({"AMQP_URI": args.amqp_uri}) as rpc:
        report = reconciling.reconcile(args.file, rpc.fund)
    for item in report["matched"]:
        print(f"line {item['line']}: confirmed {item['pledge_no']}, receipt {item['receipt_no']}")
    for item in report["already"]:
        print(f"line {item['line']}: {item['pledge_no']} was confirmed by this line before")
    for item in report["unmatched"]:
        print(f"line {item['line']}: not matched: {item['reason']}", file=sys.stderr)
    print(f"matched {len(report['matched'])}, already {len(report['already'])}, "
          f"unmatched {len(report['unmatched'])}")
    return 1 if report["unmatched"] else 0


def outbox_backlog(args) -> int:
    with ClusterRpcProxy({"AMQP_URI": args.amqp_uri}) as rpc:
        for service in SERVICES:
            print(f"{service}: {getattr(rpc, service).health()['outbox_backlog']}")
    return 0


def back_up(args) -> int:
    try:
        manifest = backups.backup(Path(args.dir), args.only)
    except backups.Refused as refused:
        print(f"no backup: {refused}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"no backup: {error}", file=sys.stderr)
        return 1
    print(f"backup in {args.dir}: {len(manifest['files'])} files sealed with key "
          f"{manifest['key_id']!r}, {backups.MANIFEST} last")
    return 0


def restore(args) -> int:
    try:
        backups.restore(Path(args.dir), args.only, force=args.force)
    except backups.Refused as refused:
        print(f"nothing restored: {refused}", file=sys.stderr)
        return 2
    except OSError as error:  # part-way: what was put back is listed above
        print(f"restore stopped: {error}", file=sys.stderr)
        return 1
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m deploy.ops", description=__doc__)
    top.add_argument("--amqp-uri", default=amqp_uri(), help="broker (default: $AMQP_URI)")
    top.add_argument("--association", type=association, default=None,
                     help="the association (6-digit code) whose records a command reads and "
                          "writes (default: $ASSOCIATION_CODE)")
    commands = top.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import-donations", help=importing.__doc__.splitlines()[0],
                              description=importing.__doc__)
    imp.add_argument("file", help="a UTF-8 CSV export")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(run=import_donations)
    register = commands.add_parser("import", help=registers.__doc__.splitlines()[0],
                                   description=registers.__doc__)
    register.add_argument("register", choices=sorted(REGISTERS))
    register.add_argument("file", help=".xlsx, or CSV in UTF-8 or GB18030")
    register.add_argument("--dry-run", action="store_true", help="check, write nothing")
    register.add_argument("--all-or-nothing", action="store_true",
                          help="write only if no row is in error")
    register.add_argument("--errors", metavar="XLSX", help="write the rows in error here")
    register.add_argument("--lang", choices=("zh", "en"), default="en",
                          help="the errors' language (default: en)")
    register.add_argument("--quiet", action="store_true", help="no progress bar")
    register.set_defaults(run=import_register)
    rotate = commands.add_parser("rotate-keys", help=rotation.__doc__.splitlines()[0],
                                 description=rotation.__doc__)
    rotate.add_argument("--only", action="append", choices=rotation.PARTS,
                        help="one service's database, or the documents (may be given again)")
    rotate.add_argument("--quiet", action="store_true", help="no progress bar")
    rotate.set_defaults(run=rotate_keys)
    verify = commands.add_parser("audit-verify", help=auditing.__doc__.splitlines()[0],
                                 description=auditing.__doc__)
    verify.add_argument("--only", action="append", choices=sorted(auditing.LOGS),
                        help="one service's audit log (may be given again)")
    verify.set_defaults(run=audit_verify)
    dead = commands.add_parser("dead-letters", help="list dead-lettered messages with reasons")
    dead.set_defaults(run=list_dead_letters)
    again = commands.add_parser("replay-dead-letters", help="send messages back to their queue")
    again.add_argument("positions", nargs="*", type=int, help="positions from dead-letters")
    again.add_argument("--all", action="store_true")
    again.set_defaults(run=replay_dead_letters)
    report = commands.add_parser("statement", help=statements.__doc__.splitlines()[0],
                                 description=statements.__doc__)
    report.add_argument("fund_code")
    report.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
    report.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
    report.add_argument("--out", default=".", help="folder for the CSV and the PNG")
    report.set_defaults(run=export_statement)
    bank = commands.add_parser("reconcile", help=reconciling.__doc__.splitlines()[0],
                               description=reconciling.__doc__)
    bank.add_argument("file", help="the bank statement as UTF-8 CSV")
    bank.set_defaults(run=reconcile)
    hours = commands.add_parser("export-hours", help=volunteer_hours.__doc__.splitlines()[0],
                                description=volunteer_hours.__doc__)
    hours.add_argument("--from", dest="start", required=True, type=_day, help="YYYY-MM-DD")
    hours.add_argument("--to", dest="end", required=True, type=_day, help="YYYY-MM-DD")
    hours.add_argument("--out", required=True, help="the CSV file to write")
    hours.set_defaults(run=export_hours)
    keep = commands.add_parser("backup", help="every database and the documents, sealed, "
                               "into a new folder", description=backups.backup.__doc__)
    keep.add_argument("dir", help="a new or empty folder (made 0700)")
    keep.add_argument("--only", action="append", choices=backups.PARTS,
                      help="this part alone (repeat for more)")
    keep.set_defaults(run=back_up)
    back = commands.add_parser("restore", help="put a backup back in place (stop the "
                               "services first)", description=backups.restore.__doc__)
    back.add_argument("dir", help="a folder `backup` wrote")
    back.add_argument("--only", action="append", choices=backups.PARTS,
                      help="this part alone (repeat for more)")
    back.add_argument("--force", action="store_true",
                      help="even though a database seems in use by running services")
    back.set_defaults(run=restore)
    quorum = commands.add_parser("queues-to-quorum", help=queues.__doc__.splitlines()[0],
                                 description=queues.__doc__)
    quorum.add_argument("--management-uri", help="the RabbitMQ management API, e.g. "
                        "http://user:pass@host:15672 (default: from --amqp-uri)")
    quorum.set_defaults(run=queues_to_quorum)
    move = commands.add_parser("move-blobs", help="the documents under BLOB_DIR into the "
                               "insurance database (BLOB_STORE_URL=database)",
                               description=backups.move_blobs.__doc__)
    move.set_defaults(run=move_blobs)
    backlog = commands.add_parser("outbox-backlog", help="unpublished events per service")
    backlog.set_defaults(run=outbox_backlog)
    return top


def association(code: str) -> str:
    if not re.fullmatch(r"[0-9]{6}", code):
        raise argparse.ArgumentTypeError(f"{code!r} is not an association's 6-digit code")
    return code


# The commands that read or write an association's records through the services.
FOR_AN_ASSOCIATION = {import_donations, import_register, export_statement, reconcile,
                      export_hours}


def set_up(args) -> bool:
    """The association named has been set up (a county by the admin above it): records
    written for one that has not would count in no province's figures."""
    above = system_actor("ops", args.association[:2] + "0000")
    with ClusterRpcProxy({"AMQP_URI": args.amqp_uri}) as rpc:
        try:
            rpc.families.get_association(args.association, above)
        except NotFound:
            return False
    return True


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if args.association:
        # Every command's actor is signed for it (shared.actors.system_actor).
        os.environ["ASSOCIATION_CODE"] = args.association
        if args.run in FOR_AN_ASSOCIATION and not set_up(args):
            print(f"association {args.association} has not been set up: an admin of the "
                  "province or city above it sets it up first (POST /api/v1/associations)",
                  file=sys.stderr)
            return 2
    try:
        return args.run(args)
    except DomainError as error:  # a bad fund code or period, said plainly
        print(f"{error.message} {error.fields or ''}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
