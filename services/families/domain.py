"""Family register rules in plain Python: who may be listed together, one family per person
in an association, how families are numbered, and what a change changes."""
from dataclasses import dataclass
from datetime import date, timedelta

from shared import regions
from shared.contracts.associations import CODE_LENGTHS
from shared.contracts.families import CHANGEABLE, HEAD
from shared.errors import Conflict, InvalidInput
from shared.money import yuan


@dataclass(frozen=True)
class Member:
    name: str
    id_number: str
    relation: str
    phone: str | None = None


def members_of(listed: list[dict]) -> list[Member]:
    return [Member(m["name"], m["id_number"], m["relation"], m.get("phone")) for m in listed]


def check_village(village_code: str, county: str) -> None:
    """A family lives in a village of the county that registers it."""
    if not village_code.startswith(county):
        raise InvalidInput("The village is not in this county.", "invalid_input",
                           {"village_code": [f"Must be a village's code beginning with the "
                                             f"county's, {county}."]})


def check_members(members: list[Member]) -> None:
    """Each person once, and exactly one head (户主). Errors name the member at fault."""
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    for n, member in enumerate(members):
        if member.id_number in seen:
            problems[f"members.{n}.id_number"] = ["This person is listed twice in the family."]
        seen.add(member.id_number)
    heads = [n for n, member in enumerate(members) if member.relation == HEAD]
    if not heads:
        problems["members"] = ["One member must be the head of the family."]
    for n in heads[1:]:
        problems[f"members.{n}.relation"] = ["Another member is already the head."]
    if problems:
        raise InvalidInput("The members are not a family as listed.", "invalid_members",
                           problems)


def check_not_elsewhere(members: list[Member], family_of: dict[str, str]) -> None:
    """`family_of`: the family number of each listed person already in another family."""
    taken = {n: family_of[m.id_number] for n, m in enumerate(members)
             if m.id_number in family_of}
    if taken:
        numbers = ", ".join(sorted(set(taken.values())))
        raise Conflict(f"A member already belongs to family {numbers}.", "already_in_family",
                       {f"members.{n}.id_number": [f"Already in family {no}."]
                        for n, no in taken.items()})


def family_no(association_code: str, sequence: int) -> str:
    """Readable and unique in the association: F-341181-0001, F-341181-0002, ..."""
    return f"F-{association_code}-{sequence:04d}"


def changes(current: dict, wanted: dict) -> list[str]:
    """The fields of `wanted` that differ from `current`, in a fixed order. Members are
    the same when the same people hold the same places, whatever order they come in."""
    def same(name: str) -> bool:
        if name == "members":
            return sorted(current[name], key=_person) == sorted(wanted[name], key=_person)
        return current[name] == wanted[name]
    return [name for name in CHANGEABLE if name in wanted and not same(name)]


def _person(member: Member) -> str:
    return member.id_number


@dataclass(frozen=True)
class Replacement:
    """How listed members replace the present ones: people kept are updated in place (their
    member ids stay), people gone are removed, new people added."""
    kept: dict[str, Member]
    added: list[Member]
    removed: list[str]


def replace(present: list[str], wanted: list[Member]) -> Replacement:
    """`present`: the id numbers of the family's members now."""
    wanted_ids = {m.id_number for m in wanted}
    return Replacement(kept={m.id_number: m for m in wanted if m.id_number in present},
                       added=[m for m in wanted if m.id_number not in present],
                       removed=[p for p in present if p not in wanted_ids])


def visit_days(next_due: date, every_days: int, today: date,
               lead_days: int) -> tuple[list[date], date]:
    """The days of a care plan to ask visits for now, and the plan's next day after them.
    Days missed while nothing ran are asked for once, as the first one missed, not one by
    one; days falling due within `lead_days` of today are asked for ahead, so that a
    coordinator has time to find and assign volunteers."""
    step = timedelta(days=every_days)
    days = []
    if next_due < today:
        days.append(next_due)
        next_due += step * ((today - next_due).days // every_days + 1)
    while next_due <= today + timedelta(days=lead_days):
        days.append(next_due)
        next_due += step
    return days, next_due


@dataclass(frozen=True)
class Entry:
    """A line of a family's timeline; the summary is an English template the page
    translates."""
    kind: str
    summary: str
    ref: str | None


def entry_of(event_type: str, data: dict) -> Entry | None:
    """What an event that named a family shows on its timeline, or None. A claim's payout
    shows as the claim paid, not again as the disbursement that paid it."""
    kind = event_type.partition(".")[2]
    if event_type.startswith("fund.") and data.get("source_key"):
        return None
    describe = _SUMMARIES.get(event_type)
    return None if describe is None else Entry(kind, *describe(data))


def _summary(text: str, ref: str | None) -> tuple[str, str | None]:
    return text, ref


def _disbursement_ref(data: dict) -> str:
    return f"disbursement:{data['disbursement_id']}"


def _visit_ref(data: dict) -> str:
    return f"visit:{data['visit_id']}"


_SUMMARIES = {
    "insurance.policy_enrolled": lambda d: _summary(
        f"policy {d['policy_no']} enrolled ({d['product_code']})", d["policy_no"]),
    "insurance.claim_submitted": lambda d: _summary(
        f"claim {d['claim_no']} submitted {yuan(d['amount_claimed_fen'])}", d["claim_no"]),
    "insurance.claim_approved": lambda d: _summary(
        f"claim {d['claim_no']} approved {yuan(d['amount_approved_fen'])}", d["claim_no"]),
    "insurance.claim_paid": lambda d: _summary(
        f"claim {d['claim_no']} paid {yuan(d['amount_paid_fen'])}", d["claim_no"]),
    "fund.disbursement_requested": lambda d: _summary(
        f"disbursement {d['disbursement_id']} requested {yuan(d['amount_fen'])}",
        _disbursement_ref(d)),
    "fund.disbursement_paid": lambda d: _summary(
        f"disbursement {d['disbursement_id']} paid {yuan(d['amount_fen'])}",
        _disbursement_ref(d)),
    "volunteers.visit_requested": lambda d: _summary(
        f"visit {d['visit_id']} requested", _visit_ref(d)),
    "volunteers.visit_completed": lambda d: _summary(
        f"visit {d['visit_id']} completed ({d['minutes']} minutes)", _visit_ref(d)),
    "families.help_recorded": lambda d: _summary(
        f"help given ({d['kind']}, {d['minutes']} minutes)", f"help:{d['help_id']}"),
}


# Grassroots associations: where a code sits, and how associations rank.

def level_of(code: str) -> str:
    return CODE_LENGTHS[len(code)]


def check_placement(code: str, parent_code: str, county: str, known: set[str]) -> None:
    """A township sits directly under the county, a village under one of its townships
    (`known`: the codes of the associations there are)."""
    if not code.startswith(county):
        raise InvalidInput("The association is not in this county.", "invalid_input",
                           {"code": [f"Must begin with the county's code {county}."]})
    above = code[:-3] if len(code) == 12 else county
    if parent_code != above:
        raise InvalidInput("The association is not under that parent.", "invalid_input",
                           {"parent_code": [f"Must be {above}, the code this one is under."]})
    if above != county and above not in known:
        raise InvalidInput("The parent association does not exist.", "invalid_input",
                           {"parent_code": ["No association has this code."]})


def check_region_placement(code: str, parent_code: str, association: str,
                           parent_exists: bool) -> None:
    """A city or county (a 6-digit code) is set up by an admin of the province or city
    above it, under the parent its code names, once that parent is set up."""
    if not regions.above_counties(association):
        raise InvalidInput("A city's or county's association is set up by an admin of "
                           "the association above it.", "invalid_input",
                           {"code": [f"Must be a township's or village's code under "
                                     f"{association}."]})
    if not regions.strictly_under(code, association):
        raise InvalidInput(f"The association is not under {association}.", "invalid_input",
                           {"code": [f"Must begin with {regions.prefix(association)}, the "
                                     f"digits of the associations under {association}."]})
    above = regions.parent_of(code)
    if parent_code != above:
        raise InvalidInput("The association is not under that parent.", "invalid_input",
                           {"parent_code": [f"Must be {above}, the code this one is under."]})
    if not parent_exists:
        raise InvalidInput("The parent association does not exist.", "invalid_input",
                           {"parent_code": ["No association has this code; set it up "
                                            "first."]})


def check_grassroots(code: str, county: str, known: set[str], field: str) -> None:
    """`code` names the county's association or one there is under it."""
    if code != county and code not in known:
        raise InvalidInput("No such grassroots association.", "invalid_input",
                           {field: ["No association has this code."]})


def ranked(figures: list[dict], by: str) -> list[dict]:
    """Highest first, ties sharing a rank (1, 2, 2, 4) and listed by code."""
    ordered = sorted(figures, key=lambda f: (-f[by], f["code"]))
    out = []
    rank = 0
    for n, row in enumerate(ordered):
        if n == 0 or row[by] != ordered[n - 1][by]:
            rank = n + 1
        out.append({**row, "rank": rank})
    return out


def household_body(rows: list[dict], household: tuple[str, ...],
                   person: tuple[str, ...]) -> dict:
    """A family's body from its household's rows in a spreadsheet: the household's fields
    from the first row (another row saying otherwise is an error on that row), a member
    from each row, in the rows' order."""
    first = rows[0]
    problems = {f"members.{n}.{name}": ["Differs from the household's first row."]
                for n, row in enumerate(rows[1:], start=1) for name in household
                if row[name] != first[name]}
    if problems:
        raise InvalidInput("The household's rows differ.", "invalid_members", problems)
    return {**{name: first[name] for name in household},
            "members": [{name: row.get(name) for name in person} for row in rows]}


# --- members' contacts with their families (会员联系户) -----------------------------------
def check_contact_day(on: date, today: date) -> None:
    """A contact is recorded once it has happened: never for a day after the association's
    today."""
    if on > today:
        raise InvalidInput("A contact cannot be on a day after today.", "invalid_input",
                           {"on": ["Must not be after today."]})


def days_since_contact(last_contact_on: date | None, paired_on: date, today: date) -> int:
    """Days since the family last heard from its member, or, never, since they were paired."""
    return (today - (last_contact_on or paired_on)).days


def contact_due_since(today: date, due_days: int) -> date:
    """The earliest day a last contact (or a pairing) may be on and not be overdue: exactly
    `due_days` ago is not overdue yet, a day more is."""
    return today - timedelta(days=due_days)


# Help given to families (精准帮扶): what a record may say, and the follow-ups it meets.

def check_help(on: date, follow_up_on: date | None, by_member_id: int | None,
               by_volunteer_id: int | None, today: date) -> None:
    """One helper at most; help given by today (the association's); a follow-up on or
    after the day of the help. Errors name each field at fault."""
    problems: dict[str, list[str]] = {}
    if by_member_id is not None and by_volunteer_id is not None:
        both = ["Give by_member_id or by_volunteer_id, not both."]
        problems.update(by_member_id=both, by_volunteer_id=both)
    if on > today:
        problems["on"] = ["Must not be after today."]
    if follow_up_on is not None and follow_up_on < on:
        problems["follow_up_on"] = ["Must not be before the day of the help."]
    if problems:
        raise InvalidInput("The help record is not valid.", "invalid_input", problems)


@dataclass(frozen=True)
class FollowUp:
    """A help record of the family, as the follow-up rule reads it."""
    id: int
    helped_on: date
    follow_up_on: date | None
    followed_up_by: int | None


def follow_ups_met(earlier: list[FollowUp], on: date) -> list[int]:
    """The records whose open follow-up help given `on` meets: help given on or before that
    day with a follow-up asked for and not met yet. Help recorded late for a day before a
    record cannot be its follow-up."""
    return [r.id for r in earlier if r.follow_up_on is not None and r.followed_up_by is None
            and r.helped_on <= on]


def days_overdue(follow_up_on: date, today: date) -> int:
    return max((today - follow_up_on).days, 0)
