"""Models as the JSON the world sees, through the Out schemas of the families, help,
associations and assessment contracts: identity numbers and phones masked in every answer
but the one the insurance service enrols a village from."""
from services.families.assessment import Score, Setting
from services.families.associations import Association
from services.families.contacts import Overdue
from services.families.dashboard import Ranking
from services.families.domain import days_overdue
from services.families.grading import Assessed, Criterion, shares
from services.families.help_records import OverdueFollowUp
from services.families.members import Paired, member_no
from services.families.models import (
    AssessmentCriteria,
    CarePlan,
    Family,
    FamilyMember,
    HelpRecord,
    Member,
    MemberContact,
    MemberDay,
    TimelineEntry,
)
from shared.clock import iso
from shared.contracts.assessment import (
    GRADES,
    AssessedItemOut,
    AssessedOut,
    AssessmentOut,
    CriteriaOut,
    CriterionOut,
    ScoreOut,
    SharesOut,
)
from shared.contracts.associations import (
    AssociationMemberOut,
    AssociationOut,
    ContactOut,
    FiguresOut,
    MemberDayOut,
    OverdueContactOut,
    PairedFamilyOut,
    RankedOut,
    RankingOut,
)
from shared.contracts.families import (
    CarePlanOut,
    FamilyOut,
    InsuredFamilyOut,
    TimelineEntryOut,
)
from shared.contracts.help import HelpOut, OverdueFollowUpOut
from shared.identity import mask_id_number, mask_phone
from shared.schemas import shaped

FAMILY = FamilyOut()
INSURED_FAMILY = InsuredFamilyOut()
CARE_PLAN = CarePlanOut()
TIMELINE_ENTRY = TimelineEntryOut()
ASSOCIATION = AssociationOut()
ASSOCIATION_MEMBER = AssociationMemberOut()
PAIRED_FAMILY = PairedFamilyOut()
MEMBER_DAY = MemberDayOut()
FIGURES = FiguresOut()
RANKED = RankedOut()
RANKING = RankingOut()
HELP = HelpOut()
OVERDUE_FOLLOW_UP = OverdueFollowUpOut()
CONTACT = ContactOut()
OVERDUE_CONTACT = OverdueContactOut()


def _member(member: FamilyMember) -> dict:
    """Dumped as part of its family (FamilyOut nests MemberOut): dumping it on its own too
    would serialise every member twice, a third of what a page of families costs."""
    return {"id": member.id, "name": member.name, "id_number": mask_id_number(member.id_number),
            "relation": member.relation, "phone": mask_phone(member.phone)}


def family_view(family: Family) -> dict:
    return shaped(FAMILY, {
        "id": family.id, "family_no": family.family_no, "category": family.category,
        "low_income": family.low_income, "address": family.address,
        "village_code": family.village_code,
        "members": [_member(m) for m in family.members],
        "created_at": iso(family.created_at), "updated_at": iso(family.updated_at)})


def insured_families_view(families: list[Family]) -> dict:
    """For the insurance service alone: members' identity numbers whole."""
    return {"items": [shaped(INSURED_FAMILY, {
        "family_id": family.id, "family_no": family.family_no, "category": family.category,
        "village_code": family.village_code,
        "members": [{"name": m.name, "id_number": m.id_number, "relation": m.relation,
                     "phone": m.phone} for m in family.members]}) for family in families]}


def care_plan_view(care: CarePlan) -> dict:
    return shaped(CARE_PLAN, {"family_id": care.family_id, "every_days": care.every_days,
                              "skills": list(care.skills),
                              "starts_on": care.starts_on.isoformat(),
                              "next_due_on": care.next_due_on.isoformat()})


def timeline_entry_view(entry: TimelineEntry) -> dict:
    return shaped(TIMELINE_ENTRY, {"at": iso(entry.at), "kind": entry.kind,
                                   "summary": entry.summary, "ref": entry.ref})


def rebuilt_view(entries: int) -> dict:
    return {"entries": entries}


def association_view(association: Association) -> dict:
    return shaped(ASSOCIATION, {"code": association.code, "name": association.name,
                                "level": association.level,
                                "parent_code": association.parent_code})


def association_member_view(member: Member) -> dict:
    return shaped(ASSOCIATION_MEMBER, {
        "id": member.id, "member_no": member_no(member), "name": member.name,
        "id_number": mask_id_number(member.id_number), "phone": mask_phone(member.phone),
        "grassroots_code": member.grassroots_code, "joined_at": iso(member.joined_at),
        "families": [shaped(PAIRED_FAMILY, {"family_id": p.family_id,
                                            "family_no": p.family.family_no,
                                            "paired_at": iso(p.paired_at),
                                            "last_contact_on": _day(p.last_contact_on)})
                     for p in member.pairings]})


def paired_view(paired: Paired) -> dict:
    return {"new": paired.new, "member": association_member_view(paired.member)}


def member_day_view(day: MemberDay) -> dict:
    return shaped(MEMBER_DAY, {"id": day.id, "grassroots_code": day.grassroots_code,
                               "title": day.title, "held_on": day.held_on.isoformat(),
                               "member_ids": list(day.member_ids)})


def figures_view(figures: dict) -> dict:
    return shaped(FIGURES, figures)


def ranking_view(ranking: Ranking) -> dict:
    return shaped(RANKING, {"code": ranking.code, "by": ranking.by,
                            "items": [shaped(RANKED, r) for r in ranking.items]})


def _day(day) -> str | None:
    return None if day is None else day.isoformat()


def contact_view(contact: MemberContact, family_no: str) -> dict:
    return shaped(CONTACT, {"id": contact.id, "member_id": contact.member_id,
                            "family_id": contact.family_id, "family_no": family_no,
                            "on": contact.contacted_on.isoformat(), "way": contact.way,
                            "note": contact.note, "recorded_by": contact.recorded_by,
                            "recorded_at": iso(contact.recorded_at)})


def overdue_contact_view(overdue: Overdue) -> dict:
    pairing = overdue.pairing
    return shaped(OVERDUE_CONTACT, {
        "member_id": pairing.member_id, "member_no": member_no(pairing.member),
        "member_name": pairing.member.name, "grassroots_code": pairing.member.grassroots_code,
        "family_id": pairing.family_id, "family_no": pairing.family.family_no,
        "last_contact_on": _day(pairing.last_contact_on),
        "paired_on": overdue.paired_on.isoformat(), "days_since": overdue.days_since})


def help_view(record: HelpRecord) -> dict:
    return shaped(HELP, {
        "id": record.id, "family_id": record.family_id, "kind": record.kind,
        "on": record.helped_on.isoformat(), "helper_kind": record.helper_kind,
        "member_id": record.member_id, "volunteer_id": record.volunteer_id,
        "helper_name": record.helper_name, "minutes": record.minutes, "note": record.note,
        "outcome": record.outcome, "follow_up_on": _day(record.follow_up_on),
        "followed_up_by": record.followed_up_by, "recorded_by": record.recorded_by,
        "recorded_at": iso(record.recorded_at)})


def overdue_follow_up_view(found: OverdueFollowUp, today) -> dict:
    record = found.record
    return shaped(OVERDUE_FOLLOW_UP, {
        "help_id": record.id, "family_id": record.family_id, "family_no": found.family_no,
        "village_code": found.village_code, "kind": record.kind,
        "helped_on": record.helped_on.isoformat(),
        "follow_up_on": record.follow_up_on.isoformat(), "helper_name": record.helper_name,
        "days_overdue": days_overdue(record.follow_up_on, today)})


def _day(day) -> str | None:
    return None if day is None else day.isoformat()


# --- the yearly assessment ---------------------------------------------------------
CRITERION = CriterionOut()
CRITERIA = CriteriaOut()
SCORE = ScoreOut()
ASSESSED_ITEM = AssessedItemOut()
ASSESSED = AssessedOut()
SHARES = SharesOut()
ASSESSMENT = AssessmentOut()


def _criterion(criterion: Criterion) -> dict:
    return shaped(CRITERION, {"key": criterion.key, "name": criterion.name,
                              "weight": criterion.weight, "source": criterion.source})


def criteria_view(row: AssessmentCriteria) -> dict:
    return shaped(CRITERIA, {"code": row.association_code, "year": row.year,
                             "items": [_criterion(Criterion(**i)) for i in row.items],
                             "set_by": row.set_by})


def score_view(score: Score) -> dict:
    return shaped(SCORE, {"code": score.code, "year": score.year, "key": score.key,
                          "score": score.score})


def _assessed(found: Assessed) -> dict:
    return shaped(ASSESSED, {
        "code": found.code, "name": found.name, "total": found.total, "rank": found.rank,
        "grade": found.grade,
        "items": [shaped(ASSESSED_ITEM, {"key": i.key, "value": i.value, "score": i.score})
                  for i in found.items]})


def assessment_view(setting: Setting, assessed: list[Assessed]) -> dict:
    split = shares([a.grade for a in assessed])
    return shaped(ASSESSMENT, {
        "code": setting.code, "year": setting.year,
        "criteria": [_criterion(c) for c in setting.criteria],
        "associations": [_assessed(a) for a in assessed],
        "shares": shaped(SHARES, {"n": split.n, **split.counts,
                                  **{f"{g}_pct": split.pcts[g] for g in GRADES}})})
