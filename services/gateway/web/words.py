"""The words a person reads for the codes in the services' answers: statuses, categories,
channels, skills, roles, flags and ledger kinds. The English word is the catalogue's id, so
both languages come from the catalogue; a code without a word is shown as it is."""


def N_(text: str) -> str:
    """Marks a word for the catalogue; it is translated where it is shown."""
    return text


WORDS = {
    # the registers that come in from spreadsheets, and how an import stands
    "register_families": N_("Families"),
    "register_members": N_("Members"),
    "register_volunteers": N_("Volunteers"),
    "register_policies": N_("Policies"),
    "register_donors": N_("Donors"),
    "import_running": N_("Running"),
    "import_done": N_("Done"),
    "import_failed": N_("Failed"),
    # states of claims, policies, pledges, disbursements, donations, sign-ups, visits
    "submitted": N_("Submitted"),
    "flagged": N_("Needs review"),
    "approved_awaiting_funds": N_("Approved, waiting for funds"),
    "approved": N_("Approved"),
    "paid": N_("Paid"),
    "rejected": N_("Rejected"),
    "under_appeal": N_("Under appeal"),
    "active": N_("Active"),
    "expired": N_("Expired"),
    "lapsed": N_("Lapsed, not renewed"),
    "cancelled": N_("Cancelled"),
    "pending_payment": N_("Waiting for the premium"),
    "due": N_("Due"),
    "pending": N_("Waiting for payment"),
    "confirmed": N_("Confirmed"),
    "requested": N_("Waiting for approval"),
    "awaiting_funds": N_("Waiting for funds"),
    "recorded": N_("Recorded"),
    "refunded": N_("Refunded"),
    "waitlisted": N_("On the waiting list"),
    "no_show": N_("Did not come"),
    "open": N_("Waiting for volunteers"),
    "assigned": N_("Assigned"),
    "completed": N_("Completed"),
    "valid": N_("Valid"),
    "void": N_("Void"),
    # how a message to a person stands
    "queued": N_("Waiting to go"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "failed": N_("Could not be sent"),
    "suppressed": N_("Not sent (opted out or not allowed)"),
    # what money is spent on
    "special_family_assistance": N_("Assistance to special families"),
    "insurance_payout": N_("Insurance payout"),
    "insurance_premium": N_("Insurance premium"),
    "elderly_care": N_("Elderly care"),
    "child_care": N_("Child care"),
    "poverty_relief": N_("Poverty relief"),
    "health_education": N_("Health education"),
    "admin_cost": N_("Administrative costs"),
    "uncategorised": N_("Uncategorised"),
    # how money came
    "cash": N_("Cash"),
    "bank": N_("Bank transfer"),
    "wechat": N_("WeChat Pay"),
    "alipay": N_("Alipay"),
    "in_kind": N_("Goods in kind"),
    # who gave
    "person": N_("Person"),
    "company": N_("Company"),
    "government": N_("Government"),
    "organisation": N_("Organisation"),
    # who pays a part of a premium (besides the government)
    "department": N_("Government department"),
    "society": N_("Society"),
    "family": N_("The family"),
    # families
    "only_child": N_("Only-child family"),
    "two_daughters": N_("Two-daughter family"),
    "special_family": N_("Special family"),
    "sterilisation_complication": N_("Family-planning surgery complication"),
    "special_bereaved": N_("Special family: lost their only child"),
    "special_disabled": N_("Special family: only child disabled"),
    "left_behind_child": N_("Left-behind child"),
    "left_behind_woman": N_("Left-behind woman"),
    "left_behind_elder": N_("Left-behind elder"),
    "other": N_("Other"),
    # a yes/no column of a spreadsheet (a low-income family)
    "yes": N_("Yes"),
    "no": N_("No"),
    # a member's place in the family
    "head": N_("Head of the family"),
    "spouse": N_("Spouse"),
    "child": N_("Child"),
    # the automatic checks on a claim
    "policy_not_active": N_("Policy not in force"),
    "waiting_period": N_("Within the waiting period"),
    "premium_unpaid": N_("Premium not paid in full"),
    "over_per_claim_cap": N_("Over the per-claim cap"),
    "over_per_year_cap": N_("Over the yearly cap"),
    "ineligible_age": N_("Age not covered"),
    "ineligible_category": N_("Family category not covered"),
    "probable_duplicate": N_("Probable duplicate"),
    "before_birth": N_("Before the insured was born"),
    "sampled": N_("Sampled for review at random"),
    # the papers on a claim
    "hospital_invoice": N_("Hospital invoice"),
    "discharge_summary": N_("Discharge summary"),
    "id_copy": N_("Copy of the identity card"),
    "death_certificate": N_("Death certificate"),
    # the decision on a rejected claim's appeal
    "upheld": N_("Rejection upheld"),
    "overturned": N_("Rejection overturned"),
    # why bulk enrolment left someone out (besides the checks' own words above)
    "already_insured": N_("Already insured"),
    # what became of a policy asked to be renewed
    "renewed": N_("Renewed"),
    "already_renewed": N_("Renewed already"),
    "policy_not_found": N_("No such policy"),
    "not_renewable": N_("Ended or cancelled: enrol anew"),
    "ineligible": N_("No longer eligible"),
    # volunteers' skills
    "psychological_counselling": N_("Psychological counselling"),
    "legal_aid": N_("Legal aid"),
    "social_work": N_("Social work"),
    "reproductive_health_counselling": N_("Reproductive-health counselling"),
    "general": N_("Ordinary member"),
    # the kinds of help given to families (精准帮扶; elderly_care is a spending category's
    # word above), and who helped: a member, a volunteer or staff (the roles' words below)
    "living": N_("Help with daily living"),
    "psychological": N_("Psychological support"),
    "companionship": N_("Companionship"),
    "production": N_("Help with work and income"),
    "fertility": N_("Fertility and reproductive health"),
    "health": N_("Health"),
    "legal": N_("Legal help"),
    "member": N_("Association member"),
    # roles
    "donor": N_("Donor"),
    "staff": N_("Staff"),
    "coordinator": N_("Volunteer coordinator"),
    "volunteer": N_("Volunteer"),
    "admin": N_("Administrator"),
    "auditor": N_("Auditor"),
    "province_staff": N_("Province or city staff (reads the counties)"),
    "province_auditor": N_("Province or city auditor (reads the counties)"),
    # fund statement lines
    "donation": N_("Donation"),
    "donation_in_kind": N_("Donation in kind"),
    "disbursement": N_("Disbursement"),
    "refund": N_("Refund"),
    # why a disbursement was refused
    "insufficient_funds": N_("Not enough money in the fund"),
    # the services themselves, where they changed something on their own
    "fund": N_("The fund (automatically)"),
    "insurance": N_("Insurance (automatically)"),
    "volunteers": N_("Volunteer service (automatically)"),
    "payment-channel": N_("The payment channel"),
    # the ops command line's and the demo data's own work
    "import": N_("Import (command line)"),
    "csv-import": N_("Donations import (command line)"),
    "ops-export": N_("Export (command line)"),
    "bank-reconcile": N_("Bank reconciliation (command line)"),
    "demo-loader": N_("Demo data"),
    "public": N_("Someone on the public pages"),
    # the levels of the grassroots associations
    "province": N_("Province association"),
    "city": N_("City association"),
    "county": N_("County association"),
    "township": N_("Township association"),
    "village": N_("Village association"),
}

# A premium share's state: words of their own, as a share is paid in, not paid out.
SHARE_WORDS = {
    "due": N_("Not paid yet"),
    "awaiting_funds": N_("Waiting for the fund's money"),
    "paid": N_("Paid in"),
}

# The figures of an association's dashboard, which its ranking may be by: words of their
# own, as "volunteers" is the volunteers service's code among the WORDS.
FIGURES = {
    "members": N_("Association members"),
    "volunteers": N_("Volunteers registered"),
    "families": N_("Families registered"),
    "visits_done_90d": N_("Visits done in the last 90 days"),
    "donations_fen_year": N_("Donations this year"),
    "spent_fen_year": N_("Spent this year"),
    "claims_paid_year": N_("Claims paid this year"),
}

# How a member kept in touch with a family (会员联系户): words of their own, as "wechat" is a
# way of paying among the WORDS.
WAY_WORDS = {
    "visit": N_("Home visit"),
    "phone": N_("Phone call"),
    "wechat": N_("WeChat message"),
}

# The audit log: the services keeping one, what an entry records, whose record it is about,
# and the fields it names (words of their own: "family" is a premium's payer among the WORDS).
AUDIT_WORDS = {
    "service": {"fund": N_("Fund"), "insurance": N_("Insurance"),
                "volunteers": N_("Volunteers"), "families": N_("Families")},
    "action": {"reveal": N_("Shown in full"), "register": N_("Registered"),
               "change": N_("Changed")},
    "subject_kind": {"donor": N_("Donor"), "policy": N_("Insured person's policy"),
                     "claim": N_("Claim"),
                     "volunteer": N_("Volunteer"), "application": N_("Application to volunteer"),
                     "family": N_("Family"), "member": N_("Association member")},
    "field": {"name": N_("Name"), "id_number": N_("Identity number"),
              "credit_code": N_("Unified social credit code"), "phone": N_("Mobile"),
              "kind": N_("Kind of donor"), "category": N_("Family category"),
              "low_income": N_("Low-income family"),
              "contacts": N_("Contacts with families"),
              "address": N_("Address"), "village_code": N_("Village code"),
              "members": N_("Members"), "grassroots_code": N_("Grassroots association"),
              "skills": N_("Skills"), "availability": N_("Availability"),
              "certificates": N_("Certificates"), "status": N_("Status"),
              "families": N_("Families kept in touch with"),
              "help": N_("Help given"),
              "family_category": N_("Family category"), "family_code": N_("Family number"),
              "family_id": N_("Family in the register"), "documents": N_("Documents")},
}


# Messages to people: by which channel one went, what it is about, and whose inbox it is in
# (words of their own: "paid" is a claim's state among the WORDS; how one stands is there).
MESSAGE_WORDS = {
    "channel": {"sms": N_("SMS"), "email": N_("E-mail"), "inbox": N_("Inbox")},
    "kind": {"claim_submitted": N_("Claim registered"), "claim_approved": N_("Claim approved"),
             "claim_rejected": N_("Claim rejected"), "claim_paid": N_("Claim paid"),
             "premium_due": N_("Premium share due"), "premium_paid": N_("Premium share paid"),
             "policy_ending": N_("Policy ends in 30 days"),
             "pledge_confirmed": N_("Pledge confirmed"),
             "donation_received": N_("Donation received"),
             "visit_assigned": N_("Visit assigned"), "visit_changed": N_("Visit changed"),
             "visit_cancelled": N_("Visit cancelled"), "visit_tomorrow": N_("Visit tomorrow"),
             "shift_confirmed": N_("Shift confirmed"),
             "shift_waitlisted": N_("On a shift's waiting list"),
             "shift_promoted": N_("Moved up from the waiting list"),
             "shift_changed": N_("Shift changed"), "shift_cancelled": N_("Shift cancelled"),
             "shift_reminder": N_("Shift reminder"),
             "application_approved": N_("Application to volunteer approved"),
             "application_declined": N_("Application to volunteer declined")},
    "person_kind": {"insured": N_("Insured person"), "family": N_("Family"), "donor": N_("Donor"),
               "volunteer": N_("Volunteer"), "applicant": N_("Applicant to volunteer"),
               "user": N_("Login")},
}


def word(gettext, code: str | None) -> str:
    """`code` as a person reads it, in the language of `gettext`."""
    if code is None:
        return ""
    return gettext(WORDS[code]) if code in WORDS else code
