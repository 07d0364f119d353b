"""Insurance rules in plain Python: eligibility, the automatic checks on a claim (each a
machine-readable reason code), what an approval must satisfy, and the claim's states."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from shared.identity import age_on, birth_date_of
from shared.lifecycle import Lifecycle
from shared.money import yuan

# Soft flags ask a reviewer to look; hard ones also stop an approval.
HARD_FLAGS = {"policy_not_active", "waiting_period", "ineligible_age", "ineligible_category",
              "before_birth", "premium_unpaid"}
PENDING_PAYMENT = "pending_payment"  # a policy whose premium is not paid in full yet


@dataclass(frozen=True)
class Product:
    code: str
    per_claim_cap_fen: int
    per_year_cap_fen: int
    waiting_days: int
    term_days: int
    min_age: int | None = None
    max_age: int | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    status: str
    start_date: date
    end_date: date
    id_number: str
    family_category: str | None
    renewal: bool = False  # it continues last year's cover: no waiting period again


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    claim_id: int | None = None

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "claim_id": self.claim_id}


def end_date(product: Product, start: date) -> date:
    return start + timedelta(days=product.term_days - 1)


def incident_date_refusal(policy: Policy, incident: date, today: date) -> str | None:
    """Why no claim can be registered for an incident on this day, if so: a day in the
    future, before the insured was born, or outside the policy's cover is no claim at all
    (a cancelled policy's claim is registered, and flagged)."""
    if incident > today:
        return "Must not be in the future."
    if incident < birth_date_of(policy.id_number):
        return "Must not be before the insured person was born."
    if not policy.start_date <= incident <= policy.end_date:
        return f"Must be within the policy's cover, {policy.start_date} to {policy.end_date}."
    return None


ENDING_NOTICE_DAYS = 30  # the insured hear this long before their cover ends


def ending_by(today: date) -> date:
    """A policy ending on or before this day is told it ends soon."""
    return today + timedelta(days=ENDING_NOTICE_DAYS)


def eligibility(product: Product, policy: Policy, on: date) -> list[Flag]:
    flags = []
    if on < birth_date_of(policy.id_number):
        return [Flag("before_birth", f"{on} is before the insured person was born.")]
    age = age_on(policy.id_number, on)
    if (product.min_age is not None and age < product.min_age) or \
            (product.max_age is not None and age > product.max_age):
        flags.append(Flag("ineligible_age", _age_message(age, on, product.min_age,
                                                         product.max_age)))
    if product.categories and policy.family_category not in product.categories:
        flags.append(Flag("ineligible_category",
                          f"Family category {policy.family_category or 'none'} is not covered "
                          f"({', '.join(product.categories)})."))
    return flags


def _age_message(age: int, on: date, low: int | None, high: int | None) -> str:
    if high is None:
        return f"Aged {age} on {on}; the product covers ages {low} and over."
    if low is None:
        return f"Aged {age} on {on}; the product covers ages up to {high}."
    return f"Aged {age} on {on}; the product covers ages {low} to {high}."


@dataclass
class ClaimCheck:
    """What the automatic checks need to know about one claim."""
    product: Product
    policy: Policy
    incident_date: date
    amount_fen: int
    year_to_date_fen: int = 0  # approved for this person and product in the incident's year
    duplicate_of: list[int] = field(default_factory=list)

    def flags(self) -> list[Flag]:
        flags = self._cover() + eligibility(self.product, self.policy, self.incident_date)
        flags += self._caps(self.amount_fen)
        flags += [Flag("probable_duplicate", f"Same person, product and incident date as "
                                             f"claim {other}.", other)
                  for other in self.duplicate_of]
        return flags

    def approval_problems(self, amount_fen: int) -> list[Flag]:
        """Hard rules for an approval of `amount_fen` (duplicates are the reviewer's call)."""
        flags = [f for f in self._cover() + eligibility(self.product, self.policy,
                                                        self.incident_date)
                 if f.code in HARD_FLAGS]
        return flags + self._caps(amount_fen)

    def _cover(self) -> list[Flag]:
        policy = self.policy
        day = self.incident_date
        # A claim on a policy still waiting for its premium is registered, and flagged:
        # it can be approved once the premium is paid in full.
        unpaid = [Flag("premium_unpaid", "The premium of the policy is not paid in full yet.")] \
            if policy.status == PENDING_PAYMENT else []
        if policy.status == "cancelled" or not policy.start_date <= day <= policy.end_date:
            return unpaid + [Flag("policy_not_active", f"The policy does not cover {day} "
                                                       f"({policy.start_date} to "
                                                       f"{policy.end_date}, {policy.status}).")]
        waiting_ends = policy.start_date + timedelta(days=self.product.waiting_days)
        if day < waiting_ends and not policy.renewal:
            return unpaid + [Flag("waiting_period", f"Incident on {day}, inside the waiting "
                                                    f"period that ends {waiting_ends}.")]
        return unpaid

    def _caps(self, amount_fen: int) -> list[Flag]:
        flags = []
        if amount_fen > self.product.per_claim_cap_fen:
            cap = self.product.per_claim_cap_fen
            flags.append(Flag("over_per_claim_cap", f"{yuan(amount_fen)} is over the per-claim "
                                                    f"cap of {yuan(cap)}."))
        left = self.product.per_year_cap_fen - self.year_to_date_fen
        if amount_fen > left:
            flags.append(Flag("over_per_year_cap", f"Only {yuan(max(left, 0))} of the yearly cap "
                                                   f"is left for this person."))
        return flags


# --- the claim's states --------------------------------------------------------------------
CLAIM = Lifecycle.of("claim", {
    "submitted": {"approved", "rejected"},
    "flagged": {"approved", "rejected"},
    "approved": {"paid", "approved_awaiting_funds"},
    "approved_awaiting_funds": {"paid"},
    "paid": set(),
    # A rejected claim may be appealed once (the claim's appeal record says whether it
    # was); an overturned appeal approves it, an upheld one rejects it for good.
    "rejected": {"under_appeal"},
    "under_appeal": {"approved", "rejected"},
})


def missing_documents(required: list[str], present: list[str]) -> list[str]:
    """The kinds a product requires that a claim's documents do not include, in order."""
    return [kind for kind in dict.fromkeys(required) if kind not in set(present)]


def sampled(percent: int, rng) -> bool:
    """Whether a claim no check flagged goes to review anyway: `percent` of them, at random
    (`rng` has `random()`, as `random.SystemRandom` and a seeded `random.Random` do)."""
    return rng.random() * 100 < percent


def sample_flag(percent: int) -> Flag:
    return Flag("sampled", f"Chosen at random for review ({percent}% of claims).")

# A policy past its end is expired if renewed, lapsed if not; one whose premium never
# came never covered, and is cancelled.
POLICY = Lifecycle.of("policy", {
    PENDING_PAYMENT: {"active", "cancelled"},
    "active": {"cancelled", "expired", "lapsed"},
    "cancelled": set(),
    "expired": set(),
    "lapsed": set(),
})
RENEWABLE = (PENDING_PAYMENT, "active")


def ended(status: str, renewed: bool) -> str:
    """What a policy of this status becomes once its end has passed."""
    if status == PENDING_PAYMENT:
        return "cancelled"
    return "expired" if renewed else "lapsed"


def renewal_start(end: date) -> date:
    """A renewal covers from the day after the year it renews, without a gap."""
    return end + timedelta(days=1)

# A premium share: paid by hand (staff record it) or by the fund through the premium saga,
# which may wait for the fund's money first.
PREMIUM_SHARE = Lifecycle.of("premium share", {
    "due": {"paid", "awaiting_funds"},
    "awaiting_funds": {"paid"},
    "paid": set(),
})


def split_premium(premium_fen: int, percents: list[int]) -> list[int]:
    """Each share's fen, exactly: the floors of premium × pct / 100, and the fen left over
    one each to the largest remainders (the first share first on a tie). They sum to the
    premium when the percents sum to 100."""
    exact = [premium_fen * pct for pct in percents]
    amounts = [whole // 100 for whole in exact]
    left = premium_fen - sum(amounts)
    by_remainder = sorted(range(len(percents)), key=lambda i: (-(exact[i] % 100), i))
    for i in by_remainder[:left]:
        amounts[i] += 1
    return amounts
