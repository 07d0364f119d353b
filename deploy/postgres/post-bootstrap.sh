#!/usr/bin/env bash
# Patroni's post_bootstrap: once, on the first primary's new data directory, what the image's
# docker-entrypoint-initdb.d does for compose: backups first, then the services' databases.
set -euo pipefail
/usr/local/share/phf/init-backups.sh
/usr/local/share/phf/init-databases.sh
