"""Rows as the JSON the world sees, through the Out schemas of the families contract:
identity numbers and phones masked in every answer."""
from services.families.models import Family, FamilyMember
from shared.clock import iso
from shared.contracts.families import FamilyOut, MemberOut
from shared.identity import mask_id_number, mask_phone
from shared.schemas import shaped

FAMILY, MEMBER = FamilyOut(), MemberOut()


def member_view(member: FamilyMember) -> dict:
    return shaped(MEMBER, {"id": member.id, "name": member.name,
                           "id_number": mask_id_number(member.id_number),
                           "relation": member.relation, "phone": mask_phone(member.phone)})


def family_view(family: Family) -> dict:
    return shaped(FAMILY, {
        "id": family.id, "family_no": family.family_no, "category": family.category,
        "address": family.address, "village_code": family.village_code,
        "members": [member_view(m) for m in family.members],
        "created_at": iso(family.created_at), "updated_at": iso(family.updated_at)})
