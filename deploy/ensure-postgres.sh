#!/usr/bin/env bash
# Make sure the PostgreSQL server and database in $TEST_DATABASE_URL are usable
# by the test suite, starting (or, as root with apt-get, installing) a local
# server if needed. Run deploy/bootstrap.sh first (psycopg2 comes from .venv).
# Testing knob: PHF_ASSUME_NO_APT=1 (act as if apt-get were unusable).
set -euo pipefail
cd "$(dirname "$0")/.."

TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}
export TEST_DATABASE_URL

say() { echo "==> $*"; }
die() { echo "ERROR: $*" >&2; exit 1; }
is_root() { [[ $(id -u) == 0 ]]; }
can_apt() { is_root && [[ -z ${PHF_ASSUME_NO_APT:-} ]] && command -v apt-get >/dev/null; }
# Does a PostgreSQL server really answer (2 s timeout)? A bare TCP connect is not
# enough: some networks accept connections to any address. An SSLRequest gets 'S'/'N'.
answers() { # host port
    .venv/bin/python - "$@" 2>/dev/null <<'EOF'
import socket, struct, sys
try:
    with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2) as s:
        s.sendall(struct.pack("!ii", 8, 80877103))
        sys.exit(s.recv(1) not in (b"S", b"N"))
except OSError:
    sys.exit(1)
EOF
}
wait_for() { # seconds host port
    local i
    for ((i = 0; i < $1; i++)); do answers "$2" "$3" && return 0; sleep 1; done
    return 1
}
as_root() { if is_root; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
clusters() { compgen -G '/etc/postgresql/*/main' | cut -d/ -f4; }  # Debian layout: /etc/postgresql/<version>/main

[[ -x .venv/bin/python ]] || die ".venv is missing; run deploy/bootstrap.sh --test first"

# Python helper: `parse` prints host|port|db|safe-url; `check` exits 0 when we can
# connect, 2 when only the database is missing; `createdb` creates it.
pg() {
    .venv/bin/python - "$@" <<'EOF'
import re, sys
from urllib.parse import urlsplit
import psycopg2
from psycopg2 import sql

url = re.sub(r"^postgres(ql)?\+\w+://", "postgresql://", sys.argv[2])  # drop SQLAlchemy driver
u = urlsplit(url)
db = u.path.lstrip("/")
if sys.argv[1] == "parse":
    safe = u._replace(netloc=u.netloc.rpartition("@")[2]).geturl()  # hide credentials
    print(u.hostname or "127.0.0.1", u.port or 5432, db, safe, sep="|")
elif sys.argv[1] == "check":
    try:
        psycopg2.connect(url).close()
    except psycopg2.OperationalError as e:
        print(str(e).strip(), file=sys.stderr)
        sys.exit(2 if f'database "{db}" does not exist' in str(e) else 1)
elif sys.argv[1] == "createdb":
    conn = psycopg2.connect(url, dbname="postgres")
    conn.autocommit = True
    conn.cursor().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
    conn.close()
EOF
}

IFS='|' read -r host port db safe_url < <(pg parse "$TEST_DATABASE_URL")
[[ -n ${host:-} ]] || die "could not parse TEST_DATABASE_URL=$TEST_DATABASE_URL"

missing_msg() {
    cat >&2 <<EOF
ERROR: no PostgreSQL server answers at $host:$port ($safe_url) and $1.
  Install and start one locally:
      sudo apt-get install postgresql
      sudo pg_ctlcluster --skip-systemctl-redirect <version> main start
  (and allow password-less access for the URL's user on 127.0.0.1), or point
  TEST_DATABASE_URL at a reachable server, e.g.
      TEST_DATABASE_URL=postgresql://user:pass@db-host:5432/test make test
EOF
    exit 1
}

start_clusters() {
    local v started=0
    for v in $(clusters); do
        pg_ctlcluster "$v" main status >/dev/null 2>&1 && continue  # already running
        started=1
        say "Starting PostgreSQL cluster $v/main"
        # --skip-systemctl-redirect: there is no systemd in containers.
        as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start \
            || die "could not start PostgreSQL; try: sudo pg_ctlcluster --skip-systemctl-redirect $v main start"
    done
    ((started)) || answers "$host" "$port" || die "PostgreSQL is running but does not answer at $host:$port; check TEST_DATABASE_URL"
    say "Waiting up to 30 s for PostgreSQL on $host:$port"
    wait_for 30 "$host" "$port" || die "PostgreSQL did not answer on $host:$port within 30 s (see /var/log/postgresql/)"
}

local_host=0
case "$host" in 127.0.0.1 | localhost | ::1) local_host=1 ;; esac

if answers "$host" "$port"; then
    say "PostgreSQL answers at $host:$port"
elif ((!local_host)); then
    missing_msg "$host is not local, so it cannot be started from here"
elif command -v pg_ctlcluster >/dev/null && [[ -n $(clusters) ]]; then
    start_clusters
elif can_apt; then
    say "PostgreSQL is not installed; installing postgresql with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
    start_clusters
    # Only for the cluster we just created: let local TCP clients in without a
    # password (Debian defaults to scram for host connections). Existing
    # clusters' auth settings are never changed.
    for v in $(clusters); do
        hba=/etc/postgresql/$v/main/pg_hba.conf
        sed -i '1i host all all 127.0.0.1/32 trust  # added by deploy/ensure-postgres.sh' "$hba"
        pg_ctlcluster --skip-systemctl-redirect "$v" main reload
    done
else
    missing_msg "PostgreSQL is not installed (and we cannot install it: not root or no apt-get)"
fi

rc=0
err=$(pg check "$TEST_DATABASE_URL" 2>&1) || rc=$?
if ((rc == 2)) && ((local_host)) && [[ -n $db ]]; then
    say "Creating database $db"
    pg createdb "$TEST_DATABASE_URL"
    rc=0; pg check "$TEST_DATABASE_URL" || rc=$?
elif ((rc != 0)); then
    echo "$err" >&2
fi
((rc == 0)) || die "cannot connect to $safe_url with psycopg2 (see above).
       Make sure the server allows this user on $host:$port without a prompt, or set TEST_DATABASE_URL."
say "Database $db is reachable"
