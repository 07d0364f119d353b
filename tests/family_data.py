"""Families the family tests share: people with valid identity numbers, numbered so that
no two tests' people collide."""
from datetime import date

from shared.identity import make_resident_id

VILLAGE = "341181100001"  # a village of a township of 天长市 (plausible, not official)


def resident(n: int, born: date = date(1975, 4, 1)) -> str:
    return make_resident_id("341181", born, n)


def member(n: int, relation: str = "child", phone: str | None = None) -> dict:
    found = {"name": f"成员{n}", "id_number": resident(n), "relation": relation}
    return {**found, "phone": phone} if phone else found


def family(*people: int, category: str = "only_child", village: str = VILLAGE,
           address: str = "天长市铜城镇龙岗村12号") -> dict:
    """The first person is the head, the second (if any) has a phone."""
    members = [member(people[0], "head")] + [
        member(n, "spouse" if i == 0 else "child", f"1390550{n:04d}" if i == 0 else None)
        for i, n in enumerate(people[1:])]
    return {"category": category, "address": address, "village_code": village,
            "members": members}
