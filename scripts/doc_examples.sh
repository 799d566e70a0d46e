#!/usr/bin/env bash
# scripts/doc_examples.sh [FILE.md ...] -- runs the SQL examples of the manual, so that they stay
# runnable.  For each file (default: README.md and docs/*.md), every ```sql block runs in order,
# in psql, in a new database, from the repository's top directory; a block preceded by the line
# <!-- not run --> is skipped (recipes that need roles, files or a server directory).  A block
# must raise exactly as many errors as it shows "-- ERROR" comment lines, and each such line
# must be the server's message (compared up to a trailing "..." or "(SQLSTATE)").  Prints one line per
# file (and the psql output of a failing block); exits non-zero when a file fails.
#
# Uses PGHOST/PGPORT/PGUSER of a running cluster where the extension is installed, for example
#   . scripts/lib.sh; cr_build_and_install && KEEP_CLUSTER=1 cr_start_cluster && bash scripts/doc_examples.sh
# VERBOSE=1 prints the output of every block.
set -uo pipefail
cd "$(dirname "$0")/.."
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(README.md docs/*.md)
db=cr_doc_examples
status=0
work=$(mktemp -d /tmp/cr_doc_examples.XXXXXX)
trap 'rm -rf "$work"' EXIT

for f in "${files[@]}"; do
    # one psql script per file: every block, each announced by a marker line; and per block the
    # line it starts at and the number of "-- ERROR" lines it shows
    awk -v script="$work/script.sql" -v index_file="$work/index" '
        /^<!-- not run -->/ { skip = 1; next }
        /^```sql/ && !inb { inb = 1; if (!skip) { n++; run = 1; line[n] = NR; errs[n] = 0
                                                   printf "\\echo @@@block %d\n", n > script } ; next }
        /^```/ && inb { inb = 0; run = 0; skip = 0; next }
        inb && run { print > script
                     if ($0 ~ /^[ \t]*-- ERROR/) {
                         errs[n]++; t = $0
                         sub(/^[ \t]*-- /, "", t); sub(/[ \t]*\([0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]\)[ \t]*$/, "", t)
                         sub(/[ \t]*(\.\.\.)?[ \t]*$/, "", t)
                         print t > (script "." n ".errors") } }
        END { for (i = 1; i <= n; i++) printf "%d %d %d\n", i, errs[i], line[i] > index_file }
    ' "$f"
    if [ ! -s "$work/index" ]; then echo "skip $f: no SQL example"; rm -f "$work/index" "$work/script.sql"; continue; fi
    PGOPTIONS="-c client_min_messages=warning" psql -qX -d postgres \
        -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
    psql -X -d $db -v ON_ERROR_STOP=0 -f "$work/script.sql" > "$work/out" 2>&1
    bad=0
    while read -r n want line; do
        out=$(awk -v n="$n" '/^@@@block / { cur = $2; next } cur == n' "$work/out")
        got=$(echo "$out" | grep -c 'ERROR:' || true)
        wrong=0
        if [ "$got" -ne "$want" ]; then
            bad=1 wrong=1
            echo "FAIL $f: the block at line $line raised $got errors and shows $want"
        fi
        # each error shown must be the server's message (up to a "..." or a "(SQLSTATE)")
        while IFS= read -r e; do
            if ! echo "$out" | grep -qF -- "$e"; then
                bad=1 wrong=1
                echo "FAIL $f: the block at line $line shows \"$e\", which the server did not say"
            fi
        done < <(cat "$work/script.sql.$n.errors" 2>/dev/null)
        if [ $wrong -eq 1 ] || [ -n "${VERBOSE:-}" ]; then
            [ -n "${VERBOSE:-}" ] && echo "---- $f: block at line $line"
            echo "$out" | sed 's/^/    /'
        fi
    done < "$work/index"
    rm -f "$work/index" "$work/script.sql" "$work"/script.sql.*.errors "$work/out"
    if [ $bad -eq 0 ]; then echo "pass $f"; else status=1; fi
done
PGOPTIONS="-c client_min_messages=warning" psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
exit $status
