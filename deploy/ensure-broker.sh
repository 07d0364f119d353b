#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers at $AMQP_URI, starting (or, as root with
# apt-get, installing) a local one if needed.
# Usage: deploy/ensure-broker.sh [--management]
#   --management: also require the management HTTP API on 127.0.0.1:15672
#                 (the test suite creates a throwaway vhost per test through it).
# Testing knobs: PHF_ASSUME_NO_APT=1 (act as if apt-get were unusable),
#                PHF_SBIN_DIRS (extra dirs searched for rabbitmq-*; default below).
set -euo pipefail
cd "$(dirname "$0")/.."

AMQP_URI=${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}
MGMT_PORT=15672
py=.venv/bin/python; [[ -x $py ]] || py=python3

say() { echo "==> $*"; }
die() { echo "ERROR: $*" >&2; exit 1; }
is_root() { [[ $(id -u) == 0 ]]; }
can_apt() { is_root && [[ -z ${PHF_ASSUME_NO_APT:-} ]] && command -v apt-get >/dev/null; }
# Debian's rabbitmq-* wrappers must run as root (they switch to the rabbitmq user).
as_root() { if is_root; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

# Does the service really answer (2 s timeout)? A bare TCP connect is not enough:
# some networks accept connections to any address. kind: amqp or http.
answers() { # host port kind
    "$py" - "$@" 2>/dev/null <<'EOF'
import socket, sys
host, port, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
send, expect = {"amqp": (b"AMQP\x00\x00\x09\x01", b"\x01"),  # -> Connection.Start frame
                "http": (b"GET / HTTP/1.0\r\n\r\n", b"HTTP/")}[kind]
try:
    with socket.create_connection((host, port), timeout=2) as s:
        s.sendall(send)
        sys.exit(not s.recv(16).startswith(expect))
except OSError:
    sys.exit(1)
EOF
}
wait_for() { # seconds host port kind
    local i
    for ((i = 0; i < $1; i++)); do answers "$2" "$3" "$4" && return 0; sleep 1; done
    return 1
}

mgmt=0
case "${1:-}" in
    --management) mgmt=1 ;;
    "") ;;
    *) die "usage: $0 [--management]" ;;
esac

# rabbitmq-server usually lives in sbin dirs that are not on a normal user's PATH.
for d in ${PHF_SBIN_DIRS-/usr/sbin /usr/lib/rabbitmq/bin}; do PATH="$PATH:$d"; done

IFS='|' read -r host port safe_uri < <("$py" - "$AMQP_URI" <<'EOF'
import sys
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1].split(";")[0])  # a cluster: its first node
port = u.port or (5671 if u.scheme == "amqps" else 5672)
safe = u._replace(netloc=u.netloc.rpartition("@")[2]).geturl()  # hide credentials
print(u.hostname or "127.0.0.1", port, safe, sep="|")
EOF
)
[[ -n ${host:-} ]] || die "could not parse AMQP_URI=$AMQP_URI"

missing_msg() {
    cat >&2 <<EOF
ERROR: no RabbitMQ broker answers at $safe_uri and $1.
  Install and start one locally:
      sudo apt-get install rabbitmq-server
      sudo rabbitmq-server -detached
  or point AMQP_URI at a reachable broker, e.g.
      AMQP_URI=amqp://user:pass@broker-host:5672/ make ...
EOF
    exit 1
}

start_local_broker() {
    local ctl=0
    command -v rabbitmqctl >/dev/null && ctl=1
    # Only start a node if none is running (apt's postinst may have started one).
    if ! ((ctl)) || ! as_root rabbitmqctl -q ping >/dev/null 2>&1; then
        say "Starting RabbitMQ (rabbitmq-server -detached)"
        # No systemd in containers, so start the node by hand. Every virtual host holds
        # about twenty files open; the shell's usual 1 024 would cap a busy node near 40.
        ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
        as_root rabbitmq-server -detached || die "could not start rabbitmq-server; try: sudo rabbitmq-server -detached"
        say "Waiting up to 60 s for RabbitMQ on $host:$port"
        wait_for 60 "$host" "$port" amqp || die "RabbitMQ did not answer on $host:$port within 60 s (see /var/log/rabbitmq/)"
    fi
    if ((ctl)); then
        as_root rabbitmqctl -q await_startup --timeout 60 >/dev/null || die "RabbitMQ did not finish booting (rabbitmqctl await_startup)"
    fi
    answers "$host" "$port" amqp || die "the local RabbitMQ node is running but does not answer at $host:$port; check AMQP_URI"
}

local_host=0
case "$host" in 127.0.0.1 | localhost | ::1) local_host=1 ;; esac

if answers "$host" "$port" amqp; then
    say "RabbitMQ answers at $host:$port"
elif ((!local_host)); then
    missing_msg "$host is not local, so it cannot be started from here"
elif command -v rabbitmq-server >/dev/null; then
    start_local_broker
elif can_apt; then
    say "RabbitMQ is not installed; installing rabbitmq-server with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server
    start_local_broker
else
    missing_msg "rabbitmq-server is not installed (and we cannot install it: not root or no apt-get)"
fi

((mgmt)) || exit 0
if ((!local_host)); then
    say "Broker is remote; assuming its management API is reachable on port $MGMT_PORT"
    exit 0
fi
if answers 127.0.0.1 "$MGMT_PORT" http; then
    say "RabbitMQ management API answers on 127.0.0.1:$MGMT_PORT"
    exit 0
fi
command -v rabbitmq-plugins >/dev/null \
    || die "the RabbitMQ management API is not on 127.0.0.1:$MGMT_PORT and rabbitmq-plugins is not available to enable it"
say "Enabling the rabbitmq_management plugin"
as_root rabbitmq-plugins -q enable rabbitmq_management >/dev/null \
    || die "could not enable the management plugin; try: sudo rabbitmq-plugins enable rabbitmq_management"
say "Waiting up to 60 s for the management API on 127.0.0.1:$MGMT_PORT"
wait_for 60 127.0.0.1 "$MGMT_PORT" http \
    || die "the RabbitMQ management API did not come up on 127.0.0.1:$MGMT_PORT within 60 s"
say "RabbitMQ management API answers on 127.0.0.1:$MGMT_PORT"
