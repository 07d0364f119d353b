"""The restore drill on PostgreSQL with pgBackRest. The whole system runs on a cluster of the
test's own, set up as the deployment's image sets up its own (WAL archived, each service's
role and database); a full backup is taken while a till records donations one after another
and claims are approved; then the cluster is stopped and its data directory deleted, the till
still going, restored to the latest archived point with deploy/postgres/restore.sh and
started again, the services running on. Every donation the client was told was recorded is
there, none twice, every claim is paid once, and each consumer's inbox holds each of the
producer's events once. RTO and RPO are printed (pytest -s)."""
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest

from deploy.processes import free_port
from tests.e2e.conftest import Client, whole_system
from tests.e2e.test_insurance_over_http import enrol_and_claim, new_product
from tests.private_postgres import PrivateCluster
from tests.support import wait_until

RUNS_ALONE = True  # tests/parallel.py: it destroys and restores a database while money moves

pytestmark = pytest.mark.postgres

SERVICES = ("fund", "insurance", "volunteers", "families", "notifications", "gateway")
CLAIMS = 3
PAYOUT = 1_000
# (consumer, the producer's database, its event) pairs the drill follows through.
DELIVERIES = (("insurance.on_disbursement_paid", "fund", "disbursement_paid"),
              ("fund.on_claim_approved", "insurance", "claim_approved"))


@pytest.fixture(scope="module")
def cluster():
    assert shutil.which("pgbackrest"), "pgbackrest is missing: deploy/ensure-test-tools.sh"
    cluster = PrivateCluster(free_port())
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def system(cluster, vhost_pipeline, request, tmp_path):
    # Each service as its own role, as in the deployment.
    env = {f"{name.upper()}_DATABASE_URL": cluster.url(name, user=name) for name in SERVICES}
    with whole_system(vhost_pipeline, request.config, tmp_path / "var", env=env) as system:
        yield system


@dataclass
class Till:
    """Records a donation after another, as staff at a till would, keeping each answer."""
    staff: Client
    fund_code: str
    answers: list[tuple[float, float, int, dict]] = field(default_factory=list)
    running: bool = True

    def run(self) -> None:
        while self.running:
            started = time.monotonic()
            try:
                response = self.staff.call(
                    "POST", "/api/v1/donations", {
                        "fund_code": self.fund_code, "amount_fen": 100, "channel": "cash",
                        "donor": {"kind": "person", "name": "李四"}},
                    headers={"Idempotency-Key": uuid.uuid4().hex})
                status, body = response.status_code, response.json()
            except (OSError, ValueError):
                status, body = 0, {}
            self.answers.append((started, time.monotonic(), status, body))
            time.sleep(0.05)

    def recorded(self) -> list[dict]:
        """The donations the client was told were recorded (201)."""
        return [body for _, _, status, body in self.answers if status == 201]

    def first_recorded_after(self, moment: float) -> float:
        return min(done for started, done, status, _ in self.answers
                   if status == 201 and started > moment)


def archive_lag(cluster: PrivateCluster) -> tuple[int, float]:
    """Bytes of WAL written since the end of the last segment archived, and that segment's
    age in seconds: what losing the disk now, without a clean stop, would lose."""
    [(current, last, age, segment)] = cluster.sql(
        "SELECT pg_current_wal_lsn(), last_archived_wal, extract(epoch FROM now() - "
        "last_archived_time), pg_size_bytes(current_setting('wal_segment_size')) "
        "FROM pg_stat_archiver")
    high, low = current.split("/")
    # A segment's name: timeline, then the LSN's high 32 bits, then its segment within them.
    archived_to = (int(last[8:16], 16) << 32) + (int(last[16:24], 16) + 1) * int(segment)
    return max(0, (int(high, 16) << 32) + int(low, 16) - archived_to), float(age)


def delivered(cluster: PrivateCluster, consumer: str, producer: str, event: str) -> tuple:
    """(events of a type the producer published, those the consumer recorded in its inbox):
    equal when each was applied once and none is left behind."""
    [(published,)] = cluster.sql(
        f"SELECT count(*) FROM outbox WHERE event_type LIKE '%{event}'", producer)
    [(seen,)] = cluster.sql(f"SELECT count(*) FROM processed_events WHERE consumer = "
                            f"'{consumer}'", consumer.split(".")[0])
    return published, seen


def applied_once(cluster: PrivateCluster, *delivery: str) -> bool:
    published, seen = delivered(cluster, *delivery)
    return published == seen and int(published) >= CLAIMS


def missing(cluster: PrivateCluster, told: list[dict]) -> list[dict]:
    ids = ",".join(str(donation["id"]) for donation in told)
    found = {id for (id,) in cluster.sql(f"SELECT id FROM donations WHERE id IN ({ids})",
                                         "fund")}
    return [donation for donation in told if str(donation["id"]) not in found]


def books(cluster: PrivateCluster, fund_code: str) -> tuple[int, int, int, int]:
    """The fund's balance, what was given to it, what it paid out, and how many gifts."""
    [row] = cluster.sql(
        "SELECT f.balance_fen, (SELECT coalesce(sum(amount_fen), 0) FROM donations"
        " WHERE fund_id = f.id), (SELECT coalesce(sum(amount_fen), 0) FROM disbursements"
        " WHERE fund_id = f.id AND status = 'paid'), (SELECT count(*) FROM donations"
        f" WHERE fund_id = f.id) FROM funds f WHERE f.code = '{fund_code}'", "fund")
    return tuple(int(value) for value in row)


def claim(staff: Client, claim_id) -> dict:
    return staff.call("GET", f"/api/v1/insurance/claims/{claim_id}").json()


def test_destroyed_and_restored_to_the_latest_point_nothing_told_recorded_is_lost(
        cluster, system):
    anonymous = Client(system.url)
    admin, staff1, staff2 = (anonymous.login(u) for u in ("admin", "staff1", "staff2"))
    product, fund = new_product(admin, "PITR", money=PAYOUT * CLAIMS)
    claims = [enrol_and_claim(staff1, product, 400 + n, PAYOUT)["id"] for n in range(CLAIMS)]
    till = Till(staff1, fund)
    writing = threading.Thread(target=till.run, daemon=True)  # ends with a failed test too
    writing.start()
    cluster.backup()  # the daily full backup, taken while donations come in
    for claim_id in claims:  # the last one approved just before the disk goes
        approved = staff2.call("POST", f"/api/v1/insurance/claims/{claim_id}/approve",
                               {"amount_approved_fen": PAYOUT})
        assert approved.status_code == 200, approved.text
        time.sleep(0.3)
    lag_bytes, lag_seconds = archive_lag(cluster)

    destroyed = time.monotonic()
    cluster.stop()
    shutil.rmtree(cluster.data)
    gone = time.monotonic()
    cluster.restore()
    restored = time.monotonic()
    cluster.start()
    back = time.monotonic()
    wait_until(lambda: [s for started, _, s, _ in till.answers if started > back and s == 201],
               timeout=60, interval=0.2, failure=lambda: f"none recorded: {till.answers[-3:]}")
    till.running = False
    writing.join()
    answered = till.first_recorded_after(gone)

    told = till.recorded()
    lost = missing(cluster, told)
    print(f"\nRTO {answered - destroyed:.1f} s from the loss to a donation recorded again: "
          f"stopped and deleted {gone - destroyed:.1f} s, restored {restored - gone:.1f} s, "
          f"WAL replayed and open {back - restored:.1f} s, the fund answering "
          f"{answered - back:.1f} s.\nRPO: "
          f"{len(lost)} of {len(told)} donations told recorded missing; archive lag when "
          f"destroyed {lag_bytes / 1024:.0f} KiB of WAL, the last segment archived "
          f"{lag_seconds:.1f} s before (a crash, not a clean stop, would lose it).")
    assert not lost, f"{len(lost)} donations told recorded are gone, as {lost[0]}"

    wait_until(lambda: all(claim(staff1, c)["status"] == "paid" for c in claims), timeout=60,
               interval=0.3, failure=lambda: [claim(staff1, c)["status"] for c in claims])
    for claim_id in claims:
        history = [change["to_status"] for change in claim(staff1, claim_id)["history"]]
        assert history.count("paid") == 1, history
    balance, given, paid, gifts = books(cluster, fund)
    assert (balance, paid) == (given - paid, PAYOUT * CLAIMS)
    assert len(told) + 1 <= gifts <= len(till.answers) + 1  # none twice (and the first gift)
    for delivery in DELIVERIES:
        wait_until(lambda d=delivery: applied_once(cluster, *d), timeout=30, interval=0.3,
                   failure=lambda d=delivery: f"{d}: {delivered(cluster, *d)}")
    for name in SERVICES[:-1]:  # the gateway publishes no events
        assert cluster.sql("SELECT count(*) FROM outbox WHERE NOT published", name) == [("0",)]


def test_the_image_leaves_each_role_its_own_database_alone(cluster):
    """init-databases.sh, as the image runs it: the maintenance database is no role's."""
    for name in SERVICES:
        assert cluster.sql("SELECT current_user", name, user=name) == [(name,)]
        with pytest.raises(AssertionError, match='permission denied for database "postgres"'):
            cluster.sql("SELECT 1", "postgres", user=name)
