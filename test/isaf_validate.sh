#!/usr/bin/env bash
# test/isaf_validate.sh FILE... -- validate i.SAF files against the official schema.
#
# Called by the pg_regress test sql/isaf.sql (psql \!) for every file it writes, so the
# validation runs inside the test run.  Prints nothing for a valid file (the expected output
# stays the same), and xmllint's complaint for an invalid one (the regression diff shows it).
# Each file is also logged to $ISAF_VALIDATION_LOG ("pass FILE" / "fail FILE" / "skip FILE"),
# which scripts/test.sh counts: one pass or fail per file in the final "N passed, N failed".
#
#   ISAF_XSD  the schema (not part of the repository); default: ../shared/isaf/isaf_1.2.xsd
#             beside the checkout, or beside the main repository of a git worktree.
#             Missing: a failure with CI=true, else "skip" (scripts/test.sh warns loudly).
#   xmllint missing: always a failure, never a skip.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
log=${ISAF_VALIDATION_LOG:-/dev/null}

. "$here/scripts/lib.sh"
xsd=${ISAF_XSD:-$(cr_find_shared isaf/isaf_1.2.xsd)}
status=0
for f in "$@"; do
    if ! command -v xmllint >/dev/null 2>&1; then
        echo "FAIL $f: xmllint not found (install libxml2-utils)"
        echo "fail $f" >> "$log"; status=1; continue
    fi
    if [ ! -r "$xsd" ]; then
        if [ "${CI:-}" = "true" ]; then
            echo "FAIL $f: i.SAF schema not found at $xsd"
            echo "fail $f" >> "$log"; status=1
        else
            echo "skip $f" >> "$log"
        fi
        continue
    fi
    if [ ! -s "$f" ]; then
        echo "FAIL $f: missing or empty"
        echo "fail $f" >> "$log"; status=1; continue
    fi
    if out=$(xmllint --noout --schema "$xsd" "$f" 2>&1); then
        echo "pass $f" >> "$log"
    else
        echo "FAIL $f:"; echo "$out" | grep -v 'fails to validate$' | head -20
        echo "fail $f" >> "$log"; status=1
    fi
done
exit $status
