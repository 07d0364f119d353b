"""One county's data as the services write it, for the benchmarks and `python -m bench
load`: families and their members, the association's members and grassroots associations,
timelines; donors, donations, refunds and disbursements with their ledger and month totals;
products, policies and claims in every state; volunteers, shifts and their sign-ups and hours.

Rows go in through the services' own tables and column types (`bench.bulk`: COPY on
PostgreSQL), so sealed columns are sealed and blind indexes made as the services make them.
Ids are explicit multiples of SPREAD: `bench.counties` gives each copy of the county the ids
in between, so the copies' rows interleave with this county's in id order as when every
county writes at once."""
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import MetaData, Table, text
from sqlalchemy.engine import Engine

from bench.bulk import insert_rows
from services.fund.domain import (
    ASSET_ACCOUNTS,
    PAYOUT_ACCOUNT,
    LedgerEntry,
    cash_changes,
    fund_account,
    is_fund_account,
    project_account,
)
from shared.clock import local_date
from shared.contracts.associations import TOWNSHIP, VILLAGE
from shared.contracts.families import CATEGORIES
from shared.crypto import blind
from shared.identity import make_resident_id

SPREAD = 100  # ids per row of the first county: room for it and 99 copies
STAFF = "staff1"
YEARS_OF_BOOKS = 3
TOWNSHIPS = 10
VILLAGES_PER_TOWNSHIP = 10
FUNDS = ("GENERAL", "EDU", "MEDICAL", "ELDER", "DISASTER")
PROJECT_FUND = "EDU"  # its money is given to two projects as well as to the fund


@dataclass(frozen=True)
class Size:
    """A county's rows, scaled from its families. The proportions default to the province
    benchmark's (a county of 5 000 registered families keeps about 110 000 rows across the
    services); `Size.county` gives a county as the page benchmark sizes it."""
    families: int
    policies_per_family: float = 2
    donations_per_family: float = 2
    # Ledger lines wanted per family: paid disbursements make up what the donations' lines
    # leave (none: only the lines the other rows post).
    lines_per_family: float = 0

    @classmethod
    def county(cls, families: int) -> "Size":
        """At 30 000 families: 100 000 policies, 200 000 donations, 1 000 000 ledger lines
        (the donations' 400 000 or so, paid disbursements the rest)."""
        return cls(families, policies_per_family=10 / 3, donations_per_family=20 / 3,
                   lines_per_family=100 / 3)

    @property
    def persons(self) -> int:
        return 3 * self.families

    @property
    def members(self) -> int:
        return self.families // 2

    @property
    def donors(self) -> int:
        return self.families // 2

    @property
    def donations(self) -> int:
        return round(self.donations_per_family * self.families)

    @property
    def disbursements(self) -> int:
        """At least; more where the ledger lines wanted call for them."""
        return self.families // 5

    @property
    def ledger_lines(self) -> int:
        return round(self.lines_per_family * self.families)

    @property
    def policies(self) -> int:
        return round(self.policies_per_family * self.families)

    @property
    def claims(self) -> int:
        return 2 * self.families // 5

    @property
    def volunteers(self) -> int:
        return self.families // 4

    @property
    def shifts(self) -> int:
        return self.families // 2


def ids(count: int) -> list[int]:
    return [n * SPREAD for n in range(1, count + 1)]


def resident(county: str, n: int) -> str:
    """A valid identity number, a different one for each n."""
    return make_resident_id(county, date(1950, 1, 1) + timedelta(days=n // 1000), n % 1000)


def phone(n: int) -> str:
    return f"139{n % 100_000_000:08d}"


def villages(county: str) -> list[str]:
    return [f"{county}{t:03d}{v:03d}" for t in range(1, TOWNSHIPS + 1)
            for v in range(1, VILLAGES_PER_TOWNSHIP + 1)]


class Moments:
    """Times spread over the last years of books, ending a little before now."""

    def __init__(self, now: datetime, rng: random.Random):
        self.now = now
        self.rng = rng

    def past(self, years: float = YEARS_OF_BOOKS) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(3600, years * 365 * 86400))

    def sorted_past(self, count: int) -> list[datetime]:
        return sorted(self.past() for _ in range(count))


def write(engine: Engine, metadata: MetaData, rows: dict[str, list[dict]]) -> int:
    """Insert the tables' rows, parents first, and move each id sequence past them."""
    written = 0
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            found = rows.get(table.name)
            if not found:
                continue
            insert_rows(connection, table, found)
            written += len(found)
            advance_sequence(connection, table)
    return written


def advance_sequence(connection, table: Table) -> None:
    """The table's id sequence past the ids written explicitly, for the rows that follow
    (SQLite numbers a new row past the largest id itself)."""
    if connection.dialect.name == "postgresql" and "id" in table.c \
            and table.c.id.autoincrement:
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT max(id) FROM {table.name}))"))


def families_rows(county: str, size: Size, now: datetime, rng: random.Random) -> dict:
    when = Moments(now, rng)
    places = villages(county)
    townships = sorted({code[:9] for code in places})
    grassroots = [{"association_code": county, "code": code, "name": f"township {code[-3:]}",
                   "level": TOWNSHIP, "parent_code": county, "created_by": STAFF}
                  for code in townships]
    grassroots += [{"association_code": county, "code": code, "name": f"village {code[-6:]}",
                    "level": VILLAGE, "parent_code": code[:9], "created_by": STAFF}
                   for code in places]
    families, persons = [], []
    for n, family_id in enumerate(ids(size.families), start=1):
        families.append({
            "id": family_id, "association_code": county, "family_no": f"F-{county}-{n:04d}",
            "category": CATEGORIES[n % len(CATEGORIES)], "low_income": n % 7 == 0,
            "address": f"{n} Main Street, village {places[n % len(places)][-6:]}",
            "village_code": places[n % len(places)], "registered_by": STAFF,
            "created_at": when.past()})
    for n, person_id in enumerate(ids(size.persons)):
        family_id = families[n // 3]["id"]
        persons.append({
            "id": person_id, "family_id": family_id, "association_code": county,
            "name": f"person {n}", "id_number": (number := resident(county, n)),
            "id_index": blind(number, "id_number"), "relation": ("head", "spouse", "child")[n % 3],
            "phone": phone(n) if n % 3 == 0 else None})
    members = [{"id": member_id, "association_code": county, "name": f"member {n}",
                "id_number": (number := resident(county, 500_000 + n)),
                "id_index": blind(number, "id_number"), "phone": phone(500_000 + n),
                "grassroots_code": places[n % len(places)], "created_by": STAFF,
                "joined_at": when.past()} for n, member_id in enumerate(ids(size.members))]
    timeline = [{"id": entry_id, "event_id": f"{county}-timeline-{n}", "association_code": county,
                 "family_id": families[n % len(families)]["id"],
                 "at": when.past(1), "kind": ("visit_completed", "claim_paid", "policy_enrolled",
                                              "help_recorded")[n % 4],
                 "summary": "recorded for the family", "ref": f"ref-{n}"}
                for n, entry_id in enumerate(ids(2 * size.families))]
    return {"grassroots_associations": [{"id": i, **row} for i, row in
                                        zip(ids(len(grassroots)), grassroots, strict=True)],
            "families": families, "family_members": persons, "members": members,
            "timeline_entries": timeline,
            "family_numbers": [{"association_code": county, "last_no": size.families}]}


class Books:
    """The fund's ledger as postings make it: a transaction, its lines, and the funds' and
    projects' balances moved by them."""

    def __init__(self, county: str):
        self.county = county
        self.transactions: list[dict] = []
        self.lines: list[dict] = []
        self.balances: dict[str, int] = {}  # account -> credit balance

    def post(self, kind: str, memo: str, at: datetime, lines: list[tuple[str, int]]) -> int:
        transaction_id = (len(self.transactions) + 1) * SPREAD
        self.transactions.append({"id": transaction_id, "association_code": self.county,
                                  "kind": kind, "memo": memo, "posted_at": at})
        for account, amount in lines:
            self.lines.append({"id": (len(self.lines) + 1) * SPREAD,
                               "association_code": self.county,
                               "transaction_id": transaction_id, "account": account,
                               "amount_fen": amount})
            self.balances[account] = self.balances.get(account, 0) - amount
        return transaction_id

    def months(self) -> list[dict]:
        """The month totals the postings keep: each local month's lines by account, the
        shared asset accounts left out, as the fund leaves them out."""
        posted_at = {t["id"]: t["posted_at"] for t in self.transactions}
        totals: dict[tuple[str, date], int] = {}
        for line in self.lines:
            if is_fund_account(line["account"]):
                month = local_date(posted_at[line["transaction_id"]]).replace(day=1)
                key = (line["account"], month)
                totals[key] = totals.get(key, 0) + line["amount_fen"]
        return [{"association_code": self.county, "account": account, "month": month,
                 "amount_fen": amount} for (account, month), amount in sorted(totals.items())]

    def movements(self) -> list[dict]:
        """What each transaction did to each fund's cash, as the postings keep it."""
        changes: dict[int, list[tuple[str, int]]] = {}
        for line in self.lines:
            changes.setdefault(line["transaction_id"], []).append(
                (line["account"], line["amount_fen"]))
        return [{"transaction_id": transaction["id"], "fund_code": code,
                 "association_code": self.county, "posted_at": transaction["posted_at"],
                 "change_fen": change}
                for transaction in self.transactions
                for code, change in cash_changes(LedgerEntry(
                    transaction["kind"], changes[transaction["id"]])).items()]

    def fund_months(self, movements: list[dict]) -> list[dict]:
        """Each fund's money in and out by local month, as the postings keep them."""
        totals: dict[tuple[str, date], list[int]] = {}
        for movement in movements:
            month = local_date(movement["posted_at"]).replace(day=1)
            kept = totals.setdefault((movement["fund_code"], month), [0, 0, 0])
            change = movement["change_fen"]
            kept[0] += max(change, 0)
            kept[1] += max(-change, 0)
            kept[2] += 1
        return [{"association_code": self.county, "fund_code": code, "month": month,
                 "in_fen": money_in, "out_fen": money_out, "movements": count}
                for (code, month), (money_in, money_out, count) in sorted(totals.items())]


def fund_rows(county: str, size: Size, now: datetime, rng: random.Random) -> dict:
    when = Moments(now, rng)
    places = villages(county)
    books = Books(county)
    funds = [{"id": fund_id, "association_code": county, "code": code, "name": f"{code} fund",
              "restricted": code != "GENERAL", "allowed_categories": []}
             for fund_id, code in zip(ids(len(FUNDS)), FUNDS, strict=True)]
    fund_id = {fund["code"]: fund["id"] for fund in funds}
    projects = [{"id": project_id, "association_code": county, "fund_id": fund_id[PROJECT_FUND],
                 "code": f"P{n}", "name": f"project {n}", "purpose": "school fees",
                 "budget_fen": None, "created_at": now - timedelta(days=3 * 365)}
                for n, project_id in enumerate(ids(2), start=1)]
    donors = [{"id": donor_id, "association_code": county, "kind": "person",
               "name": f"donor {n}", "id_number": (number := resident(county, 700_000 + n)),
               "id_index": blind(number, "id_number"), "phone": phone(700_000 + n),
               "phone_index": blind(phone(700_000 + n), "phone")}
              for n, donor_id in enumerate(ids(size.donors))]
    donations, series = _donations(county, size, when, books, fund_id, donors, places)
    disbursements = _disbursements(county, disbursement_count(size, len(books.lines)), size,
                                   when, books, fund_id, places)
    for fund in funds:
        code = fund["code"]
        fund["balance_fen"] = sum(amount for account, amount in books.balances.items()
                                  if account == fund_account(code)
                                  or account.startswith(f"project:{code}:"))
        fund["in_kind_fen"] = books.balances.get(f"in_kind:{code}", 0)
    for project in projects:
        project["balance_fen"] = books.balances.get(
            project_account(PROJECT_FUND, project["code"]), 0)
    return {"funds": funds, "projects": projects, "donors": donors,
            "ledger_transactions": books.transactions, "ledger_lines": books.lines,
            "account_months": books.months(), "fund_movements": (moved := books.movements()),
            "fund_months": books.fund_months(moved),
            "grassroots_months": _grassroots_months(county, books, donations, disbursements),
            "donations": donations, "disbursements": disbursements,
            "receipt_series": [{"association_code": county, "year": year, "last_no": last}
                               for year, last in series.items()]}


def _grassroots_months(county: str, books: Books, donations: list[dict],
                       disbursements: list[dict]) -> list[dict]:
    """Money each grassroots code raised, gave back and spent by local month, as the
    postings keep it: a money donation in its posting's month, its refund in the refund's,
    a payout in the month it was paid."""
    posted_at = {t["id"]: t["posted_at"] for t in books.transactions}
    totals: dict[tuple[str, date], list[int]] = {}

    def add(code: str, transaction_id: int, column: int, amount: int) -> None:
        month = local_date(posted_at[transaction_id]).replace(day=1)
        totals.setdefault((code, month), [0, 0, 0])[column] += amount
    for donation in donations:
        if donation["channel"] != "in_kind":
            add(donation["grassroots_code"], donation["ledger_transaction_id"], 0,
                donation["amount_fen"])
            if donation["refund_transaction_id"]:
                add(donation["grassroots_code"], donation["refund_transaction_id"], 1,
                    donation["amount_fen"])
    for paid in disbursements:
        if paid["status"] == "paid":
            add(paid["grassroots_code"], paid["ledger_transaction_id"], 2, paid["amount_fen"])
    return [{"association_code": county, "grassroots_code": code, "month": month,
             "donated_fen": donated, "refunded_fen": refunded, "spent_fen": spent}
            for (code, month), (donated, refunded, spent) in sorted(totals.items())]


def _donations(county, size, when, books, fund_id, donors, places) -> tuple[list, dict]:
    donations, series = [], {}
    for n, (donation_id, at) in enumerate(zip(ids(size.donations),
                                              when.sorted_past(size.donations), strict=True)):
        code = "GENERAL" if n % 2 else FUNDS[1 + n % (len(FUNDS) - 1)]
        project = f"P{1 + n % 2}" if code == PROJECT_FUND and n % 3 == 0 else None
        channel = "in_kind" if n % 20 == 0 else ("cash", "bank", "wechat", "alipay")[n % 4]
        amount = 100 * when.rng.choice((50, 100, 200, 500, 1000, 5000))
        credit = (f"in_kind:{code}" if channel == "in_kind" else
                  project_account(code, project) if project else fund_account(code))
        year = local_date(at).year
        series[year] = series.get(year, 0) + 1
        receipt = f"{county}-{year}-{series[year]:06d}"
        posted = books.post("donation_in_kind" if channel == "in_kind" else "donation",
                            f"donation {receipt}", at,
                            [(ASSET_ACCOUNTS[channel], amount), (credit, -amount)])
        refunded = n % 50 == 7 and channel != "in_kind"
        refund = books.post("refund", f"refund of {receipt}", at + timedelta(days=2),
                            [(ASSET_ACCOUNTS[channel], -amount), (credit, amount)]) \
            if refunded else None
        donations.append({
            "id": donation_id, "association_code": county, "receipt_no": receipt,
            "fund_id": fund_id[code], "project_id": (int(project[1:]) * SPREAD) if project
            else None, "donor_id": donors[n % len(donors)]["id"], "amount_fen": amount,
            "channel": channel, "description": "rice and oil" if channel == "in_kind" else None,
            "anonymous": n % 10 == 0, "note": None,
            "status": "refunded" if refunded else "recorded", "recorded_by": STAFF,
            "ledger_transaction_id": posted, "refund_transaction_id": refund,
            "refund_reason": "given twice" if refunded else None,
            "refunded_by": STAFF if refunded else None,
            "grassroots_code": places[n % len(places)], "recorded_at": at})
    return donations, series


DISBURSEMENT_STATES = ("paid",) * 7 + ("requested", "rejected", "awaiting_funds")


def disbursement_count(size: Size, lines: int) -> int:
    """The size's disbursements, or as many as it takes for the paid ones' two lines each
    to bring the ledger from `lines` to the size's ledger lines."""
    count = size.disbursements
    while lines + 2 * _paid(count) < size.ledger_lines:
        count += 1
    return count


def _paid(count: int) -> int:
    """How many of the first `count` disbursements are paid."""
    cycle = len(DISBURSEMENT_STATES)
    return DISBURSEMENT_STATES.count("paid") * (count // cycle) + \
        DISBURSEMENT_STATES[:count % cycle].count("paid")


def _disbursements(county, count, size, when, books, fund_id, places) -> list[dict]:
    rows = []
    for n, (disbursement_id, at) in enumerate(zip(
            ids(count), when.sorted_past(count), strict=True)):
        status = DISBURSEMENT_STATES[n % len(DISBURSEMENT_STATES)]
        # Small grants: a county's paid ones stay well within what its donors gave.
        amount = 100 * when.rng.choice((50, 100, 200))
        posted = books.post("disbursement", f"disbursement {n}", at,
                            [(fund_account("GENERAL"), amount), (PAYOUT_ACCOUNT, -amount)]) \
            if status == "paid" else None
        rows.append({
            "id": disbursement_id, "association_code": county, "fund_id": fund_id["GENERAL"],
            "project_id": None, "category": "hardship_grant", "amount_fen": amount,
            "purpose": "help for a family in hardship", "payee_name": f"payee {n}",
            # A payee's identity number is optional; one in ten is given (each is sealed).
            "payee_id_number": resident(county, 800_000 + n) if n % 10 == 0 else None,
            "reference": None, "source_key": None,
            "family_id": (1 + n % size.families) * SPREAD,
            "grassroots_code": places[n % len(places)], "status": status,
            "reason": "not eligible" if status == "rejected" else None, "requested_by": STAFF,
            "decided_by": None if status in ("requested", "awaiting_funds") else "admin1",
            "ledger_transaction_id": posted, "requested_at": at,
            "decided_at": at if status in ("paid", "rejected") else None})
    return rows


def insurance_rows(county: str, size: Size, now: datetime, rng: random.Random) -> dict:
    when = Moments(now, rng)
    places = villages(county)
    products, versions = [], []
    for n, (product_id, code) in enumerate(zip(ids(3), ("HEALTH", "ACCIDENT", "ELDER"),
                                               strict=True)):
        terms = {"name": f"{code} cover", "payout_fund_code": "GENERAL",
                 "per_claim_cap_fen": 2_000_000, "per_year_cap_fen": 5_000_000,
                 "waiting_days": 30, "term_days": 365, "min_age": None, "max_age": None,
                 "categories": [], "care_visit": n == 0, "care_visit_skills": [],
                 "required_documents": ["hospital_invoice"] if n == 0 else [],
                 "premium_fen": 10_000, "premium_shares": []}
        products.append({"id": product_id, "association_code": county, "code": code,
                         "version": 1, **terms})
        versions.append({"id": product_id, "association_code": county,
                         "product_id": product_id, "version": 1, "terms": terms,
                         "defined_by": "admin1", "defined_at": now - timedelta(days=4 * 365)})
    policies = []
    for n, (policy_id, at) in enumerate(zip(ids(size.policies), when.sorted_past(size.policies),
                                            strict=True)):
        start = local_date(at)
        ended = start + timedelta(days=364) < local_date(now)
        policies.append({
            "id": policy_id, "association_code": county,
            "policy_no": f"PL-{county}-{at.year}-{n + 1:06d}",
            "product_id": products[n % 3]["id"], "insured_name": f"person {n}",
            "insured_id_number": (number := resident(county, n)),
            "insured_id_index": blind(number, "id_number"), "insured_phone": phone(n),
            "family_category": "only_child", "family_code": f"F-{county}-{n // 3 + 1:04d}",
            "family_id": (n // 3 + 1) * SPREAD, "village_code": places[n % len(places)],
            "start_date": start, "end_date": start + timedelta(days=364),
            "renews_policy_id": None, "status": "expired" if ended else "active",
            "active_key": None if ended else 1, "enrolled_by": STAFF, "enrolled_at": at,
            "product_version_id": products[n % 3]["id"]})
    return {"products": products, "product_versions": versions, "policies": policies,
            **_claims(county, size, when, policies)}


CLAIM_STATES = (("paid",) * 12 + ("rejected",) * 3 + ("submitted",) * 2
                + ("flagged", "approved_awaiting_funds", "approved", "under_appeal"))


def _claims(county, size, when, policies) -> dict:
    claims, history, documents, appeals = [], [], [], []
    for n, (claim_id, at) in enumerate(zip(ids(size.claims), when.sorted_past(size.claims),
                                           strict=True)):
        status = CLAIM_STATES[n % len(CLAIM_STATES)]
        policy = policies[(n * 5) % len(policies)]
        decided = status not in ("submitted", "flagged")
        approved = status in ("paid", "approved", "approved_awaiting_funds")
        claims.append({
            "id": claim_id, "association_code": county,
            "claim_no": f"CL-{county}-{at.year}-{n + 1:06d}", "policy_id": policy["id"],
            "incident_date": local_date(at) - timedelta(days=3), "amount_claimed_fen": 300_000,
            "amount_approved_fen": 250_000 if approved else None,
            "description": "inpatient care after a fall", "status": status,
            "flags": [{"code": "sampled", "message": "sent to review at random",
                       "claim_id": None}] if status == "flagged" else [],
            "registered_by": STAFF,
            "disbursement_id": claim_id if status in ("paid", "approved_awaiting_funds")
            else None, "paid_at": at + timedelta(days=5) if status == "paid" else None,
            "payee_name": f"person {n}", "payee_bank": "rural bank",
            "payee_account_no": f"62220{n:014d}", "created_at": at})
        steps = [(None, "flagged" if status == "flagged" else "submitted")]
        if decided:
            steps.append((steps[0][1], "rejected" if status in ("rejected", "under_appeal")
                          else "approved"))
        if status in ("paid", "approved_awaiting_funds", "under_appeal"):
            steps.append((steps[-1][1], status))
        for step, (before, after) in enumerate(steps):
            history.append({"id": (len(history) + 1) * SPREAD, "association_code": county,
                            "claim_id": claim_id, "at": at + timedelta(days=step),
                            "actor": STAFF, "from_status": before, "to_status": after,
                            "reason": None})
        documents.append({"id": (len(documents) + 1) * SPREAD, "association_code": county,
                          "claim_id": claim_id, "kind": "hospital_invoice",
                          "sha256": f"{n:064x}", "size_bytes": 120_000,
                          "content_type": "application/pdf", "filename": "invoice.pdf",
                          "uploaded_by": STAFF, "uploaded_at": at})
        if status == "under_appeal":
            appeals.append({"id": (len(appeals) + 1) * SPREAD, "association_code": county,
                            "claim_id": claim_id, "reason": "the invoice was sent late",
                            "appealed_by": STAFF, "appealed_at": at + timedelta(days=2),
                            "rejected_by": STAFF})
    return {"claims": claims, "claim_history": history, "claim_documents": documents,
            "claim_appeals": appeals}


def volunteers_rows(county: str, size: Size, now: datetime, rng: random.Random) -> dict:
    places = villages(county)
    volunteers = [{"id": volunteer_id, "association_code": county, "name": f"volunteer {n}",
                   "id_number": (number := resident(county, 900_000 + n)),
                   "id_index": blind(number, "id_number"), "phone": phone(900_000 + n),
                   "status": "active" if n % 10 else "inactive",
                   "grassroots_code": places[n % len(places)]}
                  for n, volunteer_id in enumerate(ids(size.volunteers))]
    activities = [{"id": activity_id, "association_code": county, "title": f"activity {n}",
                   "description": None, "created_by": "coordinator1"}
                  for n, activity_id in enumerate(ids(20))]
    # Two years of shifts, the last few weeks still to come.
    first = now - timedelta(days=2 * 365)
    step = (timedelta(days=2 * 365 + 60)) / size.shifts
    shifts = [{"id": shift_id, "association_code": county,
               "activity_id": activities[n % len(activities)]["id"],
               "starts_at": (start := first + n * step),
               "ends_at": start + timedelta(hours=3), "place": "community hall",
               "capacity": 5, "required_skills": [],
               "status": "cancelled" if n % 25 == 0 else "open"}
              for n, shift_id in enumerate(ids(size.shifts))]
    signups, hours = [], []
    for shift in shifts:
        for seat in range(4):
            volunteer = volunteers[rng.randrange(len(volunteers))]
            past = shift["ends_at"] < now
            status = ("confirmed", "confirmed", "no_show" if past else "waitlisted",
                      "cancelled")[seat]
            signup_id = (len(signups) + 1) * SPREAD
            served = past and status == "confirmed"
            signups.append({
                "id": signup_id, "association_code": county, "shift_id": shift["id"],
                "volunteer_id": volunteer["id"], "status": status,
                "signed_up_by": "coordinator1",
                "signed_up_at": shift["starts_at"] - timedelta(days=7),
                "checked_in_at": shift["starts_at"] if served else None,
                "checked_out_at": shift["ends_at"] if served else None})
            if served:
                hours.append({"id": (len(hours) + 1) * SPREAD, "association_code": county,
                              "volunteer_id": volunteer["id"], "minutes": 180,
                              "source": "shift", "source_id": signup_id,
                              "served_on": local_date(shift["starts_at"])})
    return {"volunteers": volunteers, "activities": activities, "shifts": shifts,
            "signups": signups, "hours": hours}


ROWS = {"families": families_rows, "fund": fund_rows, "insurance": insurance_rows,
        "volunteers": volunteers_rows}


def load(service: str, engine: Engine, metadata: MetaData, county: str, size: Size,
         now: datetime) -> int:
    """The county's rows in one service's database; how many were written. The same
    arguments write the same rows (sealed values aside: each has its own nonce)."""
    rows = ROWS[service](county, size, now, random.Random(f"{county}-{service}"))
    return write(engine, metadata, rows)
