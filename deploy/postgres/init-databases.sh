#!/usr/bin/env bash
# Each service's role and database (database.sql beside this): run by the PostgreSQL image
# on a new data directory, and by hand, as a superuser (PGHOST and the like set), to add a
# service to a cluster that has the others. A service is a name in PHF_DATABASES and its
# role's password in <NAME>_DB_PASSWORD.
set -euo pipefail
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
admin=${PGUSER:-${POSTGRES_USER:-postgres}}  # the image's superuser, or whoever runs this
superuser() { psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "$admin" "$@"; }
names=${PHF_DATABASES:-fund insurance volunteers families notifications gateway}
for name in $names; do
    variable=${name^^}_DB_PASSWORD
    if [[ -z ${!variable:-} ]]; then
        echo "set $variable: the password of the $name role" >&2
        exit 1
    fi
done
# The maintenance databases too are the superuser's alone.
superuser --dbname postgres -c "REVOKE ALL ON DATABASE postgres, template1 FROM PUBLIC"
for name in $names; do
    variable=${name^^}_DB_PASSWORD
    PHF_DB_PASSWORD=${!variable} superuser --dbname postgres \
        -v role="$name" -v database="$name" -f "$here/database.sql"
    echo "database $name, owned by the role $name alone"
done
