"""Every event type and the schema of its `data`, by version.
Never rename a type that shipped; a change of shape is a new version (a consumer still on the
old schema refuses unknown fields, so even an added optional field is a new version).
Producers publish the newest version; consumers accept every version listed.
Events never carry a full identity number: ids and masked numbers only."""
from datetime import UTC

from marshmallow import Schema, fields, validate

from shared.contracts.families import CATEGORIES as FAMILY_CATEGORIES
from shared.contracts.families import CHANGEABLE as FAMILY_FIELDS
from shared.contracts.families import RELATIONS
from shared.contracts.fund import CATEGORIES as SPENDING_CATEGORIES
from shared.contracts.fund import CHANNELS
from shared.contracts.help import HELPERS
from shared.contracts.help import KINDS as HELP_KINDS
from shared.contracts.insurance import PAYERS
from shared.contracts.volunteers import SKILLS
from shared.events.envelope import Catalogue, Envelopes
from shared.money import Fen


class _Data(Schema):
    association_code = fields.String(required=True, validate=validate.Length(equal=6))


LANGUAGES = ("zh", "en")
# Sealed contact details (shared.recipients.seal_contact): a value in clear is refused, so no
# broker copy or outbox row of an event ever holds one.
_SEALED = validate.Regexp(r"^enc1:", error="must be sealed (shared.recipients.seal_contact)")


class Recipient(Schema):
    """A person an event concerns, for the messages it sends. `person` is their stable key
    in the association (a donor login's inbox is `donor:<donor_id>`, a volunteer's
    `volunteer:<volunteer_id>`). Never an identity number, bank account or diagnosis here."""
    person = fields.String(required=True, validate=validate.Regexp(
        r"^(insured|family|donor|volunteer|applicant):[1-9][0-9]*$"))
    name = fields.String(required=True, validate=validate.Length(min=1))
    phone = fields.String(load_default=None, allow_none=True, validate=_SEALED)
    email = fields.String(load_default=None, allow_none=True, validate=_SEALED)
    language = fields.String(load_default=None, allow_none=True,
                             validate=validate.OneOf(LANGUAGES))


class _ToPeople(Schema):
    """For the new versions of the events a person hears of. Producers always name them;
    an event built without (a tool's, a test's) simply tells nobody."""
    recipients = fields.List(fields.Nested(Recipient), load_default=list)


class DonationRecorded(_Data):
    donation_id = fields.Integer(required=True, strict=True)
    receipt_no = fields.String(required=True)
    fund_code = fields.String(required=True)
    amount_fen = Fen(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    donor_id = fields.Integer(required=True, strict=True)
    anonymous = fields.Boolean(required=True)
    recorded_at = fields.String(required=True)


class DonationRefunded(_Data):
    donation_id = fields.Integer(required=True, strict=True)
    receipt_no = fields.String(required=True)
    fund_code = fields.String(required=True)
    amount_fen = Fen(required=True)
    reason = fields.String(required=True)
    refunded_by = fields.String(required=True)


class _Disbursement(_Data):
    disbursement_id = fields.Integer(required=True, strict=True)
    fund_code = fields.String(required=True)
    amount_fen = Fen(required=True)
    reference = fields.String(required=True, allow_none=True)
    # Set when another service opened the disbursement, e.g. `claim:341181:17`.
    source_key = fields.String(load_default=None, allow_none=True)


class DisbursementRequested(_Disbursement):
    purpose = fields.String(required=True)
    payee_name = fields.String(required=True)
    payee_id_number_masked = fields.String(required=True, allow_none=True)
    requested_by = fields.String(required=True)


class DisbursementApproved(_Disbursement):
    approved_by = fields.String(required=True)


class DisbursementPaid(_Disbursement):
    paid_at = fields.String(required=True)


class DisbursementRejected(_Disbursement):
    reason = fields.String(required=True)
    detail = fields.String(load_default=None, allow_none=True)
    # True when the fund keeps it and pays it, oldest first, once money arrives.
    will_retry = fields.Boolean(load_default=False)


class PolicyEnrolled(_Data):
    policy_id = fields.Integer(required=True, strict=True)
    policy_no = fields.String(required=True)
    product_code = fields.String(required=True)
    insured_name = fields.String(required=True)
    insured_id_number_masked = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)


class _Claim(_Data):
    claim_id = fields.Integer(required=True, strict=True)
    claim_no = fields.String(required=True)
    policy_no = fields.String(required=True)
    product_code = fields.String(required=True)


class ClaimSubmitted(_Claim):
    incident_date = fields.Date(required=True)
    amount_claimed_fen = Fen(required=True)
    flags = fields.List(fields.String(), required=True)


class ClaimApproved(_Claim):
    amount_approved_fen = Fen(required=True)
    payout_fund_code = fields.String(required=True)
    insured_name = fields.String(required=True)
    insured_id_number_masked = fields.String(required=True)
    family_category = fields.String(load_default=None, allow_none=True)
    care_visit = fields.Boolean(load_default=False)
    care_visit_skills = fields.List(fields.String(validate=validate.OneOf(SKILLS)), load_default=[])
    approved_by = fields.String(required=True)


class ClaimRejected(_Claim):
    reason = fields.String(required=True)
    rejected_by = fields.String(required=True)


class ClaimPaid(_Claim):
    amount_paid_fen = Fen(required=True)
    disbursement_id = fields.Integer(required=True, strict=True)


class VolunteerRegistered(_Data):
    volunteer_id = fields.Integer(required=True, strict=True)
    name = fields.String(required=True)
    skills = fields.List(fields.String(validate=validate.OneOf(SKILLS)), required=True)


class ShiftSignedUp(_Data):
    shift_id = fields.Integer(required=True, strict=True)
    volunteer_id = fields.Integer(required=True, strict=True)
    status = fields.String(required=True, validate=validate.OneOf(("confirmed", "waitlisted")))


class VisitRequested(_Data):
    visit_id = fields.Integer(required=True, strict=True)
    required_skills = fields.List(fields.String(validate=validate.OneOf(SKILLS)), required=True)
    trigger_event_id = fields.String(required=True)


class VisitCompleted(_Data):
    visit_id = fields.Integer(required=True, strict=True)
    volunteer_ids = fields.List(fields.Integer(strict=True), required=True)
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class HoursRecorded(_Data):
    volunteer_id = fields.Integer(required=True, strict=True)
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    source = fields.String(required=True, validate=validate.OneOf(("shift", "visit")))
    source_id = fields.Integer(required=True, strict=True)


class NoShow(_Data):
    """A confirmed volunteer never checked in to a shift now over; the place stays taken."""
    shift_id = fields.Integer(required=True, strict=True)
    signup_id = fields.Integer(required=True, strict=True)
    volunteer_id = fields.Integer(required=True, strict=True)


class HoursCorrected(_Data):
    """A coordinator set the minutes a source credits: `minutes` replaces what
    hours_recorded (or an earlier correction) said for that source; 0 takes them away."""
    volunteer_id = fields.Integer(required=True, strict=True)
    old_minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    source = fields.String(required=True, validate=validate.OneOf(("shift",)))
    source_id = fields.Integer(required=True, strict=True)
    corrected_by = fields.String(required=True)


class FamilyMember(Schema):
    member_id = fields.Integer(required=True, strict=True)
    name = fields.String(required=True)
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    id_number_masked = fields.String(required=True)


class _Family(_Data):
    """The family as it now stands; consumers keep their own copy of what they need."""
    family_id = fields.Integer(required=True, strict=True)
    family_no = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf(FAMILY_CATEGORIES))
    village_code = fields.String(required=True)
    # Where volunteers go on a care visit; optional, so that events without it still load.
    address = fields.String(load_default=None, allow_none=True)
    members = fields.List(fields.Nested(FamilyMember), required=True)


class FamilyRegistered(_Family):
    registered_by = fields.String(required=True)


class FamilyUpdated(_Family):
    changed = fields.List(fields.String(validate=validate.OneOf(FAMILY_FIELDS)), required=True)
    updated_by = fields.String(required=True)


class _OfFamily(Schema):
    """Version 2 of the events a family's timeline is built from: the family they are for,
    when one was named."""
    family_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                               validate=validate.Range(min=1))


class DisbursementRequestedV2(DisbursementRequested, _OfFamily):
    pass


class DisbursementApprovedV2(DisbursementApproved, _OfFamily):
    pass


class DisbursementPaidV2(DisbursementPaid, _OfFamily):
    pass


class DisbursementRejectedV2(DisbursementRejected, _OfFamily):
    pass


class DisbursementPaidV3(DisbursementPaidV2):
    """Version 3: what the money was spent on, so that a consumer acts on the purpose of a
    payment, not on the fund that made it. None for a disbursement older than categories."""
    category = fields.String(load_default=None, allow_none=True,
                             validate=validate.OneOf(SPENDING_CATEGORIES))


class PolicyEnrolledV2(PolicyEnrolled, _OfFamily):
    pass


class ClaimSubmittedV2(ClaimSubmitted, _OfFamily):
    pass


class ClaimApprovedV2(ClaimApproved, _OfFamily):
    pass


class ClaimApprovedV3(ClaimApprovedV2):
    """Version 3: the bank account the payout goes to, when the claim names one. The number
    travels masked only: the fund's books name the account by its last digits, and the full
    number stays in the insurance service, the one place that needs it."""
    payee_name = fields.String(load_default=None, allow_none=True)
    payee_bank = fields.String(load_default=None, allow_none=True)
    payee_account_masked = fields.String(load_default=None, allow_none=True)


class ClaimRejectedV2(ClaimRejected, _OfFamily):
    pass


class ClaimAppealed(_Claim, _OfFamily):
    reason = fields.String(required=True)
    appealed_by = fields.String(required=True)


class ClaimPaidV2(ClaimPaid, _OfFamily):
    pass


class VisitRequestedV2(VisitRequested, _OfFamily):
    pass


class VisitCompletedV2(VisitCompleted, _OfFamily):
    pass


class PremiumDue(_Data):
    """A premium share a fund pays: the fund opens one disbursement per `share_key`."""
    policy_id = fields.Integer(required=True, strict=True)
    policy_no = fields.String(required=True)
    product_code = fields.String(required=True)
    payer = fields.String(required=True, validate=validate.OneOf(PAYERS))
    fund_code = fields.String(required=True)
    amount_fen = Fen(required=True)
    insured_name = fields.String(required=True)
    family_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                               validate=validate.Range(min=1))
    enrolled_by = fields.String(required=True)
    share_key = fields.String(required=True)  # e.g. premium:341181:17:government


class VisitDue(_Data):
    family_id = fields.Integer(required=True, strict=True)
    family_no = fields.String(required=True)
    family_name = fields.String(required=True)
    address = fields.String(required=True)
    skills = fields.List(fields.String(validate=validate.OneOf(SKILLS)), required=True)
    due_on = fields.Date(required=True)


# --- Who hears: the versions of events that name the people they concern (`recipients`),
# for the messages sent to them. A person's identity number, bank account or diagnosis is
# never among what these carry.

def _moment(**options) -> fields.AwareDateTime:
    """A moment as ISO text in UTC (`starts_at`: when a reminder is due)."""
    return fields.AwareDateTime(format="iso", default_timezone=UTC, **options)


class FamilyRegisteredV2(FamilyRegistered):
    """Version 2: the head of the family as messages reach them (None: no head listed)."""
    head = fields.Nested(Recipient, load_default=None, allow_none=True)


class FamilyUpdatedV2(FamilyUpdated):
    head = fields.Nested(Recipient, load_default=None, allow_none=True)


class ClaimSubmittedV3(ClaimSubmittedV2, _ToPeople):
    pass


class ClaimApprovedV4(ClaimApprovedV3, _ToPeople):
    pass


class ClaimRejectedV3(ClaimRejectedV2, _ToPeople):
    pass


class ClaimPaidV3(ClaimPaidV2, _ToPeople):
    pass


class PremiumDueV2(PremiumDue, _ToPeople):
    """Version 2: every share due, the insured told of it; a share its payer pays by hand
    (the family's) has no fund, and no fund opens anything for it."""
    fund_code = fields.String(required=True, allow_none=True)


class _PolicyOf(_Data, _ToPeople):
    policy_id = fields.Integer(required=True, strict=True)
    policy_no = fields.String(required=True)
    product_code = fields.String(required=True)
    family_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                               validate=validate.Range(min=1))


class PremiumPaid(_PolicyOf):
    """A share of a policy's premium paid; `in_force`: the policy is now active."""
    payer = fields.String(required=True, validate=validate.OneOf(PAYERS))
    amount_fen = Fen(required=True)
    in_force = fields.Boolean(required=True)


class PolicyEnding(_PolicyOf):
    """Once per policy, some days before its cover ends."""
    end_date = fields.Date(required=True)


class DonationRecordedV2(DonationRecorded, _ToPeople):
    """Version 2: the donor as messages reach them (anonymous or not: anonymity is about
    what is disclosed); `pledge_no` when the gift was a pledge now confirmed."""
    pledge_no = fields.String(load_default=None, allow_none=True)


class _Shift(_Data, _ToPeople):
    shift_id = fields.Integer(required=True, strict=True)
    title = fields.String(required=True)  # the activity's
    starts_at = _moment(required=True)
    ends_at = _moment(required=True)
    place = fields.String(required=True, allow_none=True)


class ShiftSignedUpV2(ShiftSignedUp, _Shift):
    pass


class ShiftPromoted(_Shift):
    """A waitlisted volunteer confirmed on a place that was freed."""
    volunteer_id = fields.Integer(required=True, strict=True)


class ShiftChanged(_Shift):
    """The shift's time or place changed; to everyone booked on it."""
    changed = fields.List(fields.String(validate=validate.OneOf(
        ("starts_at", "ends_at", "place"))), required=True)
    changed_by = fields.String(required=True)


class ShiftCancelled(_Shift):
    reason = fields.String(required=True)
    cancelled_by = fields.String(required=True)


class _Visit(_Data, _ToPeople, _OfFamily):
    """A care visit, to its team and the family's head (the village named, never the
    address: a message may be read by anyone near the phone)."""
    visit_id = fields.Integer(required=True, strict=True)
    village_code = fields.String(required=True, allow_none=True)
    starts_at = _moment(required=True)
    ends_at = _moment(required=True)
    volunteer_ids = fields.List(fields.Integer(strict=True), required=True)


class VisitAssigned(_Visit):
    assigned_by = fields.String(required=True)


class VisitChanged(_Visit):
    """A new time or team; `recipients` also name those taken off the team."""
    changed = fields.List(fields.String(validate=validate.OneOf(
        ("starts_at", "ends_at", "volunteer_ids"))), required=True)
    changed_by = fields.String(required=True)


class VisitCancelled(_Visit):
    reason = fields.String(required=True)
    cancelled_by = fields.String(required=True)


class HelpRecorded(_Data):
    """Help given to a family (精准帮扶). The note and the outcome stay in the families
    service: they may tell of health or money."""
    family_id = fields.Integer(required=True, strict=True)
    help_id = fields.Integer(required=True, strict=True)
    kind = fields.String(required=True, validate=validate.OneOf(HELP_KINDS))
    on = fields.Date(required=True)
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    helper_kind = fields.String(required=True, validate=validate.OneOf(HELPERS))


class ApplicationDecided(_Data, _ToPeople):
    application_id = fields.Integer(required=True, strict=True)
    decision = fields.String(required=True, validate=validate.OneOf(("approved", "declined")))
    reason = fields.String(required=True, allow_none=True)  # a decline's
    volunteer_id = fields.Integer(required=True, allow_none=True, strict=True)


CATALOGUE: Catalogue = {
    "fund.donation_recorded": {1: DonationRecorded, 2: DonationRecordedV2},
    "fund.donation_refunded": {1: DonationRefunded},
    "fund.disbursement_requested": {1: DisbursementRequested, 2: DisbursementRequestedV2},
    "fund.disbursement_approved": {1: DisbursementApproved, 2: DisbursementApprovedV2},
    "fund.disbursement_paid": {1: DisbursementPaid, 2: DisbursementPaidV2,
                               3: DisbursementPaidV3},
    "fund.disbursement_rejected": {1: DisbursementRejected, 2: DisbursementRejectedV2},
    "insurance.policy_enrolled": {1: PolicyEnrolled, 2: PolicyEnrolledV2},
    "insurance.claim_submitted": {1: ClaimSubmitted, 2: ClaimSubmittedV2,
                                  3: ClaimSubmittedV3},
    "insurance.claim_approved": {1: ClaimApproved, 2: ClaimApprovedV2, 3: ClaimApprovedV3,
                                 4: ClaimApprovedV4},
    "insurance.claim_rejected": {1: ClaimRejected, 2: ClaimRejectedV2, 3: ClaimRejectedV3},
    "insurance.claim_paid": {1: ClaimPaid, 2: ClaimPaidV2, 3: ClaimPaidV3},
    "insurance.premium_due": {1: PremiumDue, 2: PremiumDueV2},
    "insurance.premium_paid": {1: PremiumPaid},
    "insurance.policy_ending": {1: PolicyEnding},
    "insurance.claim_appealed": {1: ClaimAppealed},
    "volunteers.volunteer_registered": {1: VolunteerRegistered},
    "volunteers.shift_signed_up": {1: ShiftSignedUp, 2: ShiftSignedUpV2},
    "volunteers.shift_promoted": {1: ShiftPromoted},
    "volunteers.shift_changed": {1: ShiftChanged},
    "volunteers.shift_cancelled": {1: ShiftCancelled},
    "volunteers.visit_assigned": {1: VisitAssigned},
    "volunteers.visit_changed": {1: VisitChanged},
    "volunteers.visit_cancelled": {1: VisitCancelled},
    "volunteers.application_decided": {1: ApplicationDecided},
    "volunteers.visit_requested": {1: VisitRequested, 2: VisitRequestedV2},
    "volunteers.visit_completed": {1: VisitCompleted, 2: VisitCompletedV2},
    "volunteers.hours_recorded": {1: HoursRecorded},
    "volunteers.hours_corrected": {1: HoursCorrected},
    "volunteers.no_show": {1: NoShow},
    "families.family_registered": {1: FamilyRegistered, 2: FamilyRegisteredV2},
    "families.family_updated": {1: FamilyUpdated, 2: FamilyUpdatedV2},
    "families.visit_due": {1: VisitDue},
    "families.help_recorded": {1: HelpRecorded},
}


# For what is not a service (tools, tests, a family's timeline rebuilt from stored events);
# a service names CATALOGUE on its class, and its outbox and subscribers use that.
_ENVELOPES = Envelopes(CATALOGUE)
build_envelope = _ENVELOPES.build
load_envelope = _ENVELOPES.load
