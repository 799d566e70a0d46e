#!/usr/bin/env bash
# Upgrade paths: for every shipped upgrade script client_registry--A--B.sql
# whose start version A has a full install script, install A, run
# ALTER EXTENSION client_registry UPDATE, and compare the schema with a fresh
# install of the default version (pg_dump --schema-only of the extension's
# schema).  Prints "upgrade: N paths checked" and exits non-zero on a
# difference.  Uses PGHOST/PGPORT/PGUSER.
set -euo pipefail
cd "$(dirname "$0")/.."
sharedir=$(pg_config --sharedir)/extension
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" client_registry.control)
checked=0 status=0
schema_of() {
    pg_dump -s -n client_registry -d "$1" 2>/dev/null \
        | grep -vE '^--|^$|^SET |^SELECT pg_catalog.set_config|^\\(un)?restrict ' | sort
}
for up in "$sharedir"/client_registry--*--*.sql; do
    [ -e "$up" ] || continue
    from=$(basename "$up" .sql | sed -E 's/^client_registry--([^-]+)--.*/\1/')
    [ -e "$sharedir/client_registry--$from.sql" ] || continue
    psql -qX -d postgres -c "DROP DATABASE IF EXISTS cr_up_old" -c "DROP DATABASE IF EXISTS cr_up_new" \
        -c "CREATE DATABASE cr_up_old" -c "CREATE DATABASE cr_up_new" >/dev/null 2>&1
    psql -qX -v ON_ERROR_STOP=1 -d cr_up_old -c "CREATE EXTENSION client_registry VERSION '$from'" \
        -c "ALTER EXTENSION client_registry UPDATE" >/dev/null
    psql -qX -v ON_ERROR_STOP=1 -d cr_up_new -c "CREATE EXTENSION client_registry" >/dev/null
    if ! diff <(schema_of cr_up_old) <(schema_of cr_up_new) > /tmp/cr_upgrade.diff; then
        echo "upgrade from $from to $default differs from a fresh install:"; head -50 /tmp/cr_upgrade.diff; status=1
    fi
    checked=$((checked + 1))
    psql -qX -d postgres -c "DROP DATABASE cr_up_old" -c "DROP DATABASE cr_up_new" >/dev/null
done
echo "upgrade: $checked paths checked (default version $default)"
exit $status
