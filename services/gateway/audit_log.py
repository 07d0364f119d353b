"""The audit log as an auditor reads it. Each service keeps its own (shared/audit.py); the
gateway asks those the filters leave (a kind of record names its service) and puts their
entries in one list, the latest first. Merged, a list reaches MERGED_DEPTH entries
deep: past that, one service's log is paged on its own."""
from dataclasses import dataclass
from datetime import datetime

from services.gateway.schemas import AUDITED
from shared.audit_chain import SUBJECTS
from shared.errors import InvalidInput
from shared.paging import Page

MERGED_DEPTH = 500  # the most a service answers with in one page
FILTERS = ("action", "subject_kind", "subject_id")


@dataclass(frozen=True)
class Listed:
    service: str
    entry: dict


def gather(gateway, query: dict, actor: dict) -> Page[Listed]:
    """`query` as AuditListIn loads it."""
    wanted = {name: query[name] for name in FILTERS if query[name] is not None}
    services = _asked(query)
    if len(services) == 1:
        found = _ask(gateway, services, {**wanted, "limit": query["limit"],
                                         "offset": query["offset"]}, actor)[services[0]]
        return Page([Listed(services[0], entry) for entry in found["items"]], found["total"])
    end = query["offset"] + query["limit"]
    if end > MERGED_DEPTH:
        raise InvalidInput("Too far into the log of every service.", "invalid_input", {
            "offset": [f"Choose a service to read past the latest {MERGED_DEPTH} entries."]})
    pages = _ask(gateway, services, {**wanted, "limit": end, "offset": 0}, actor)
    merged = sorted((Listed(service, entry) for service, page in pages.items()
                     for entry in page["items"]), key=_latest_first)
    return Page(merged[query["offset"]:end], sum(page["total"] for page in pages.values()))


def _asked(query: dict) -> list[str]:
    if query["service"]:
        return [query["service"]]
    if query["subject_kind"]:
        return [SUBJECTS[query["subject_kind"]]]
    return list(AUDITED)


def _ask(gateway, services: list[str], query: dict, actor: dict) -> dict[str, dict]:
    return {service: getattr(gateway, service).audit_entries(query, actor)
            for service in services}


def _latest_first(listed: Listed):
    return (-datetime.fromisoformat(listed.entry["at"]).timestamp(), listed.service,
            -listed.entry["id"])
