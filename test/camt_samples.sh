#!/usr/bin/env bash
# test/camt_samples.sh -- extra check: every camt.053 file of a directory of public samples
# (banks' and libraries' example statements, not part of this repository) is read and
# imported.  The suite's own camt.053 inputs are in test/data/camt053/; this check only
# widens the net to files written by others.
#
# For each *.xml file, in a tenant of its own of a scratch database: read_camt053() reads it;
# the own company gets the statement accounts that are IBANs; import_camt053() imports every
# entry read, and a second import finds every entry a duplicate.  A statement whose account
# is not an IBAN is only read (an own bank account is an IBAN).  Prints one line per file,
# "pass FILE: ..." or "fail FILE: ...", which scripts/test.sh counts.
#
#   CAMT_SAMPLES  the directory; default ../shared/camt053 beside the checkout (or beside
#                 the main repository of a git worktree).  Missing: a loud SKIPPED line, or
#                 a failure when CI=true.
# Uses PGHOST/PGPORT/PGUSER (scripts/test.sh exports them).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lib.sh"
dir=${CAMT_SAMPLES:-$(cr_find_shared camt053)}

if ! ls "$dir"/*.xml >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
        echo "fail camt.053 samples: none found at $dir (set CAMT_SAMPLES); CI requires them"
        exit 1
    fi
    echo "!!! camt.053 samples not found at $dir: the public-sample check is SKIPPED."
    echo "!!! Set CAMT_SAMPLES to a directory of camt.053 statements (*.xml) to run it."
    exit 0
fi

db=cr_camt_samples
PGOPTIONS="-c client_min_messages=warning" psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || {
    echo "fail camt.053 samples: CREATE DATABASE failed"; exit 1; }
psql -qX -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION client_registry CASCADE" >/dev/null 2>&1 || {
    echo "fail camt.053 samples: CREATE EXTENSION failed"; exit 1; }

status=0
tenant=0
for f in "$dir"/*.xml; do
    tenant=$((tenant + 1))
    name=$(basename "$f")
    out=$(psql -qXAt -v ON_ERROR_STOP=1 -v tenant=$tenant -v file="$f" -d $db 2>&1 <<'SQL'
SET client_registry.tenant = :tenant;
\set doc `cat :'file'`
INSERT INTO client_registry.client (kind, name) VALUES ('own_company', 'Owner of the sample accounts');
CREATE TEMP TABLE accounts AS SELECT DISTINCT account FROM client_registry.read_camt053(:'doc');
INSERT INTO client_registry.client_bank_account (client_id, iban)
SELECT c.id, a.account FROM accounts a, client_registry.client c
 WHERE c.kind = 'own_company' AND c.tenant_id = :tenant AND client_registry.iban_valid(a.account);
SELECT 'read ' || count(*) FROM client_registry.read_camt053(:'doc');
SELECT 'non_iban ' || count(*) FROM accounts WHERE NOT client_registry.iban_valid(account);
SELECT (SELECT count(*) FROM accounts WHERE NOT client_registry.iban_valid(account)) = 0 AS importable \gset
\if :importable
SELECT 'first ' || sum(entries) || ' ' || sum(duplicates) FROM client_registry.import_camt053(:'doc');
SELECT 'again ' || sum(entries) || ' ' || sum(duplicates) FROM client_registry.import_camt053(:'doc');
\endif
SQL
    )
    rc=$?
    read_n=$(echo "$out" | sed -n 's/^read //p')
    non_iban=$(echo "$out" | sed -n 's/^non_iban //p')
    first=$(echo "$out" | sed -n 's/^first //p')
    again=$(echo "$out" | sed -n 's/^again //p')
    if [ $rc -ne 0 ] || [ -z "$read_n" ]; then
        echo "fail $name: $(echo "$out" | grep -m1 -E 'ERROR|FATAL' || echo "$out" | head -1)"; status=1
    elif [ "$read_n" -eq 0 ]; then
        echo "fail $name: no entry read"; status=1
    elif [ "${non_iban:-0}" -gt 0 ]; then
        echo "pass $name: $read_n entries read (not imported: $non_iban statement accounts are not IBANs)"
    elif [ "$first" != "$read_n 0" ] || [ "$again" != "$read_n $read_n" ]; then
        echo "fail $name: $read_n entries read, first import gave entries/duplicates '$first', second '$again'"; status=1
    else
        echo "pass $name: $read_n entries read and imported; imported again: all $read_n duplicates"
    fi
done
psql -qX -d postgres -c "DROP DATABASE $db" >/dev/null 2>&1
exit $status
