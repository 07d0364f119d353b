"""The audit log's entries and their chain, in plain functions: what an entry holds, the hash
that links it to the entry before, and where a chain is first broken. Each service keeps one
chain in its own database (shared/audit.py); `python -m deploy.ops audit-verify` walks them.

An entry says who did what to whose record, when and why: the names of the fields it
revealed or changed, never their values, which are the personal data the log is about."""
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64  # what the first entry follows
# reveal: unmasked personal data handed out; register: a person's record made; change: one
# changed (a field, a status, a member gone).
ACTIONS = ("reveal", "register", "change")
# Whose record an entry is about, and the service keeping records of that kind.
SUBJECTS = {"donor": "fund", "policy": "insurance", "claim": "insurance", "volunteer": "volunteers",
            "application": "volunteers", "family": "families", "member": "families"}
HASHED = ("id", "association_code", "at", "actor", "role", "action", "subject_kind",
          "subject_id", "fields", "reason")


@dataclass(frozen=True)
class Entry:
    """What happened to whose record: the caller adds who (the actor), the log when."""
    action: str
    subject_kind: str
    subject_id: int
    fields: tuple[str, ...] = ()
    reason: str | None = None

    def __post_init__(self):
        if self.action not in ACTIONS or self.subject_kind not in SUBJECTS:
            raise ValueError(f"not an audit entry: {self.action} of a {self.subject_kind}")


def moment(at: datetime) -> str:
    """A moment as it is hashed: UTC to the microsecond. SQLite hands back naive datetimes
    (UTC, as written), PostgreSQL aware ones in the session's zone."""
    aware = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: Mapping) -> bytes:
    """The hashed columns of an entry as JSON: keys sorted, no spaces, UTF-8."""
    data = {name: row[name] for name in HASHED}
    data["at"] = moment(row["at"])
    data["fields"] = list(row["fields"])
    return json.dumps(data, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def link(prev_hash: str, row: Mapping) -> str:
    """The entry's hash: SHA-256 over the hash of the entry before and its own content."""
    return hashlib.sha256(prev_hash.encode() + canonical(row)).hexdigest()


@dataclass(frozen=True)
class Break:
    entry_id: int  # the first entry that does not hold (or, entries cut off the end, the
    why: str       # first one missing)


@dataclass(frozen=True)
class Verdict:
    entries: int
    broken: Break | None = None


def verify(rows: Iterable[Mapping], head: tuple[int, str] | None = None) -> Verdict:
    """Walks entries in the order of their ids (1, 2, 3, …), each holding `prev_hash` and
    `hash` beside the hashed columns: the first that is missing, out of place or changed
    since written. `head` (the last id and hash as the chain's head row keeps them) also
    catches entries cut off the end."""
    last_id, last_hash, count = 0, GENESIS, 0
    for row in rows:
        count += 1
        if row["id"] != last_id + 1:
            return Verdict(count, Break(row["id"], f"entries {last_id + 1} to {row['id'] - 1} "
                                                   "before it are missing"))
        if row["prev_hash"] != last_hash:
            return Verdict(count, Break(row["id"], "it does not follow the entry before it"))
        if link(last_hash, row) != row["hash"]:
            return Verdict(count, Break(row["id"], "its content does not match its hash "
                                                   "(changed since it was written)"))
        last_id, last_hash = row["id"], row["hash"]
    if head is None or tuple(head) == (last_id, last_hash):
        return Verdict(count)
    return Verdict(count, _off_the_head(head, last_id))


def _off_the_head(head: tuple[int, str], last_id: int) -> Break:
    head_id = head[0]
    if head_id > last_id:
        return Break(last_id + 1, f"it is missing: the chain's head says {head_id} entries, "
                                  f"{last_id} are there")
    if head_id < last_id:
        return Break(head_id + 1, "it was written past the chain's head, not by the log")
    return Break(last_id, "the chain's head holds another hash for it")
