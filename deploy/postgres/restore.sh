#!/usr/bin/env bash
# Point-in-time recovery of the whole cluster from the pgBackRest repository, to the latest
# archived moment or to --target 'YYYY-MM-DD HH:MM:SS+08'. Run it as PostgreSQL's user
# where its data directory is (a lost directory is made again), with PostgreSQL stopped; then
# start PostgreSQL: it replays the archived WAL, then opens.
set -euo pipefail
usage="usage: phf-restore [--target 'YYYY-MM-DD HH:MM:SS+08']"
recover=(--type=default)  # every archived WAL segment: the latest point
case $# in
    0) ;;
    2) [[ $1 == --target ]] || { echo "$usage" >&2; exit 2; }
       recover=(--type=time "--target=$2" --target-action=promote) ;;
    *) echo "$usage" >&2; exit 2 ;;
esac
if [[ $(id -u) == 0 ]]; then
    echo "run as PostgreSQL's user (postgres), not root: it must own what is restored" >&2
    exit 2
fi
if [[ -n ${PGDATA:-} ]]; then
    mkdir -p -m 0700 "$PGDATA"
fi
# --delta: files still there and unchanged stay; PostgreSQL must be stopped (else refused).
exec pgbackrest --stanza=phf --delta "${recover[@]}" restore
