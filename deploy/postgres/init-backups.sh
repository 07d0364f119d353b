#!/usr/bin/env bash
# On a new data directory: the pgBackRest stanza and a first full backup, so WAL is archived
# from the start and a restore has a backup to begin from. A repository that holds another
# cluster's backups is refused by stanza-create: restore from it (phf-restore) instead.
set -euo pipefail
pgbackrest --stanza=phf stanza-create
pgbackrest --stanza=phf --type=full backup
