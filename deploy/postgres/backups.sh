#!/usr/bin/env bash
# Takes a full pgBackRest backup of the running cluster every PHF_BACKUP_HOURS hours (24):
# the repository keeps seven (pgbackrest.conf), and the WAL archived between them lets a
# restore reach any moment since the oldest. Runs beside PostgreSQL, as its user, with its
# data directory and socket mounted. Under Patroni every pod runs it and only the primary's
# takes the backup (a standby's is skipped), into the repository they all share.
set -euo pipefail
every=$(( ${PHF_BACKUP_HOURS:-24} * 3600 ))
until pg_isready --quiet; do sleep 5; done
while true; do
    sleep "$every"
    if [[ $(psql --no-psqlrc -tAc "SELECT pg_is_in_recovery()" 2>/dev/null) != f ]]; then
        continue  # a standby, or not answering: the primary's process backs up
    fi
    pgbackrest --stanza=phf --type=full backup || echo "backup failed; next in $every s" >&2
done
