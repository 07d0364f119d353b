#!/usr/bin/env bash
# Takes a full pgBackRest backup of the running cluster every PHF_BACKUP_HOURS hours (24):
# the repository keeps seven (pgbackrest.conf), and the WAL archived between them lets a
# restore reach any moment since the oldest. Runs beside PostgreSQL, as its user, with its
# data directory and socket mounted.
set -euo pipefail
every=$(( ${PHF_BACKUP_HOURS:-24} * 3600 ))
until pg_isready --quiet; do sleep 5; done
while true; do
    sleep "$every"
    pgbackrest --stanza=phf --type=full backup || echo "backup failed; next in $every s" >&2
done
