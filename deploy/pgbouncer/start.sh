#!/usr/bin/env bash
# The logins PgBouncer accepts, one per service role, from <NAME>_DB_PASSWORD (each from its
# own Secret); written 0600 where only PgBouncer reads it, then PgBouncer in the foreground.
set -euo pipefail
names=${PHF_DATABASES:-fund insurance volunteers families notifications gateway}
list=/etc/pgbouncer/run/userlist.txt
umask 077
: > "$list"
for name in $names; do
    variable=${name^^}_DB_PASSWORD
    if [[ -z ${!variable:-} ]]; then
        echo "set $variable: the password of the $name role" >&2
        exit 1
    fi
    password=${!variable//\"/\"\"}
    printf '"%s" "%s"\n' "$name" "$password" >> "$list"
done
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
