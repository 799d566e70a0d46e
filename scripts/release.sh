#!/usr/bin/env bash
# Releases of client_registry, mechanically.
#
#   bash scripts/release.sh check         every released script still builds to its recorded
#                                         checksum (sql/released.sha256); the test run calls this
#   bash scripts/release.sh cut           release the version in development (default_version of
#                                         the control file): record its script's checksum, date
#                                         its CHANGELOG section, print the tag command
#   bash scripts/release.sh open X.Y.Z    start the next version: sql/X.Y.Z/00_header.sql, the
#                                         control file's default_version, a CHANGELOG section
#
# Layout (Makefile): sql/<version>/NN_topic.sql holds what that version added; the first
# version's directory is its install script, each later one the upgrade script from the
# version before it.  CREATE EXTENSION installs the first version and chains the upgrades.
set -euo pipefail
cd "$(dirname "$0")/.."
ext=client_registry
sums=sql/released.sha256
current=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" $ext.control)
versions() { ls -d sql/[0-9]*/ | sed 's,sql/\(.*\)/,\1,' | sort -V; }
script_of() {   # the script a version's directory builds
    local v=$1 prev
    prev=$(versions | awk -v v="$v" '$0 == v { print p; exit } { p = $0 }')
    if [ -z "$prev" ]; then echo "sql/$ext--$v.sql"; else echo "sql/$ext--$prev--$v.sql"; fi
}

case "${1:-}" in
check)
    make -s $(for v in $(versions); do script_of "$v"; done) >/dev/null
    status=0 n=0
    while read -r sum file version; do
        [ -n "$sum" ] || continue
        n=$((n + 1))
        actual=$(sha256sum "$file" | cut -d' ' -f1)
        if [ "$actual" != "$sum" ]; then
            echo "released version $version changed: $file no longer matches $sums"
            echo "  (a released script is never edited; put the change in sql/$current/)"
            status=1
        fi
    done < "$sums"
    echo "release check: $n released scripts unchanged"
    exit $status
    ;;
cut)
    if grep -q " $current\$" "$sums"; then echo "$current is already released"; exit 1; fi
    file=$(script_of "$current")
    make -s "$file" >/dev/null
    echo "$(sha256sum "$file" | cut -d' ' -f1) $file $current" >> "$sums"
    sed -i "s/^## $current (unreleased)/## $current ($(date +%Y-%m-%d))/" CHANGELOG.md
    echo "released $current: $file recorded in $sums"
    echo "next: git commit -am 'Release $current' && git tag v$current && bash scripts/release.sh open <next>"
    ;;
open)
    next=${2:?usage: release.sh open X.Y.Z}
    grep -q " $current\$" "$sums" || { echo "$current is not released yet (release.sh cut)"; exit 1; }
    [ ! -e "sql/$next" ] || { echo "sql/$next exists"; exit 1; }
    mkdir "sql/$next"
    cat > "sql/$next/00_header.sql" <<SQL
/* $ext--$current--$next.sql -- built by the Makefile from the parts in sql/$next/ */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\\echo Use "ALTER EXTENSION $ext UPDATE TO '$next'" to load this file. \\quit
SQL
    sed -i "s/^default_version = '.*'/default_version = '$next'/" $ext.control
    sed -i "0,/^## /s//## $next (unreleased)\n\n## /" CHANGELOG.md
    echo "opened $next: sql/$next/, default_version = '$next'"
    ;;
*)
    sed -n '2,12p' "$0"; exit 2 ;;
esac
