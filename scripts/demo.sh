#!/usr/bin/env bash
# client_registry demo: install what is missing, build, start a throwaway
# PostgreSQL 15 cluster, load a Lithuanian company's client registry, and
# show the rules at work (each refusal prints its SQLSTATE, message and hint).
#
#   sudo bash scripts/demo.sh        (KEEP_CLUSTER=1 leaves the cluster running)
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
cr_install_packages
cr_build_and_install || { echo "build failed"; exit 1; }
cr_start_cluster || exit 1
trap cr_stop_cluster EXIT
psql -qX -d postgres -c "CREATE DATABASE demo"
psql -qX -v ON_ERROR_STOP=1 -d demo -c "CREATE EXTENSION client_registry CASCADE" -f demo/sample_data.sql >/dev/null \
    || { echo "loading the sample data failed"; exit 1; }
psql -X -d demo -f demo/show_rules.sql

# R6: the i.SAF file of November 2026, written with \copy and validated against the schema
isaf_file=$CR_DIR/isaf_2026-11.xml
psql -X -d demo -c "\copy (SELECT client_registry.isaf_file('2026-11-01', '2026-11-30')) TO '$isaf_file' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')" >/dev/null
echo "=== i.SAF file $isaf_file ==="
xmllint --format "$isaf_file" | head -60
xsd=${ISAF_XSD:-$(cr_find_shared isaf/isaf_1.2.xsd)}
if [ -r "$xsd" ]; then
    xmllint --noout --schema "$xsd" "$isaf_file"
else
    echo "!!! i.SAF schema not found (set ISAF_XSD): the file was not validated"
fi
