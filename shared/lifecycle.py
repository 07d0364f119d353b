"""One way to change state. A stateful thing (disbursement, claim, sign-up, visit…) has a
transition table in its domain module; `Lifecycle.move` checks the step against it, sets
the new status and records who made it, when and why in the thing's own history."""
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeAlias

from shared.errors import Conflict, Forbidden


@dataclass(frozen=True)
class Barred:
    """Someone who may not make a step, and what they are told (else the general refusal)."""
    who: str
    refusal: str | None = None
    code: str = "four_eyes"


# Who may not make a step: the one who asked for the thing, or everyone who had a hand in
# it (who registered a claim and who rejected it may not decide its appeal).
FourEyes: TypeAlias = str | Barred | tuple[str | Barred, ...]


@dataclass(frozen=True)
class Lifecycle:
    thing: str  # what a person calls it: "claim", "disbursement"
    transitions: dict[str, frozenset[str]]

    @classmethod
    def of(cls, thing: str, transitions: dict[str, set[str]]) -> "Lifecycle":
        for targets in transitions.values():
            unknown = set(targets) - set(transitions)
            if unknown:
                raise ValueError(f"{thing}: states {unknown} have no row of their own")
        return cls(thing, {state: frozenset(t) for state, t in transitions.items()})

    def allows(self, current: str | None, target: str) -> bool:
        return target in self.transitions.get(current, frozenset())

    def check(self, current: str | None, target: str, actor: str | None = None,
              four_eyes: FourEyes | None = None) -> None:
        """The step is allowed (and, with `four_eyes`, `actor` may make it): for a caller
        that must refuse before doing the work the step stands for, then `move`s."""
        if not self.allows(current, target):
            raise Conflict(f"A {self.thing} that is {current} cannot become {target}.",
                           "illegal_transition", {"status": [f"is {current}"]})
        if four_eyes is not None:
            check_four_eyes(four_eyes, actor, self.thing)

    def move(self, thing, target: str, actor: str, reason: str | None = None,
             four_eyes: FourEyes | None = None) -> None:
        """`thing` has `status` and `record_change(**change)` (its history). `four_eyes`
        names who asked for the thing (one person, or a tuple of several): none of them may
        make this step themselves."""
        self.check(thing.status, target, actor, four_eyes)
        thing.record_change(at=datetime.now(UTC), actor=actor, from_status=thing.status,
                            to_status=target, reason=reason)
        thing.status = target

    def step(self, thing, target: str) -> None:
        """A step of a thing whose columns are its own record (a message's attempts and
        error, a reminder's time): checked against the table, no history written."""
        self.check(thing.status, target)
        thing.status = target

    def note(self, thing, actor: str, reason: str) -> None:
        """An entry in the history that changes no state (a waitlisted volunteer passed
        over, say), so the history tells everything that happened to the thing."""
        thing.record_change(at=datetime.now(UTC), actor=actor, from_status=thing.status,
                            to_status=thing.status, reason=reason)

    def start(self, thing, initial: str, actor: str, reason: str | None = None) -> None:
        """The first entry of a new thing's history."""
        if initial not in self.transitions:
            raise ValueError(f"{self.thing}: no state {initial}")
        thing.record_change(at=datetime.now(UTC), actor=actor, from_status=None,
                            to_status=initial, reason=reason)
        thing.status = initial


def check_four_eyes(four_eyes: FourEyes, actor: str, thing: str) -> None:
    """Nobody approves what they themselves asked for or recorded."""
    for barred in (four_eyes if isinstance(four_eyes, tuple) else (four_eyes,)):
        if isinstance(barred, str):
            barred = Barred(barred)
        if actor == barred.who:
            raise Forbidden(barred.refusal or f"Nobody may approve a {thing} they asked for "
                                              f"or recorded themselves.", barred.code)
