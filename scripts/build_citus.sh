#!/usr/bin/env bash
# scripts/build_citus.sh -- builds Citus from its source and installs it into the PostgreSQL of
# PG_BIN, so that scripts/test.sh also runs the Citus suite (test/citus/run.sh: a coordinator and
# two workers on loopback).  Citus is not packaged for Debian; nothing of it enters this
# repository: the source is cloned into a temporary directory, built, installed, and removed.
#
#   bash scripts/build_citus.sh                      clone citusdata/citus at v13.2.2 from GitHub
#   CITUS_SRC=/path/to/citus bash scripts/build_citus.sh
#                                                    a clone you already have (any git repository
#                                                    holding the tag, or a plain source tree)
#   PG_BIN=/opt/pg/bin bash scripts/build_citus.sh   another PostgreSQL 15 installation
#
# The one change made to Citus's source: PostgreSQL 15.20 and later declare
# have_createdb_privilege() in commands/dbcommands.h, and Citus 13.2's compatibility header
# defines a static inline function of the same name for PostgreSQL 15, which does not compile
# against it.  When the server's header declares the function, the script replaces that
# definition with an extern declaration of the server's function (the two do the same check).
# As root on Debian it installs the build dependencies first.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
CITUS_TAG=${CITUS_TAG:-v13.2.2}
CITUS_REPO=${CITUS_REPO:-https://github.com/citusdata/citus.git}
PG_CONFIG=$PG_BIN/pg_config

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q git make gcc autoconf flex bison \
        libssl-dev libkrb5-dev liblz4-dev libzstd-dev libcurl4-openssl-dev >/dev/null
    [ "$PG_BIN" = /usr/lib/postgresql/15/bin ] &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-server-dev-15 >/dev/null
fi
[ -x "$PG_CONFIG" ] || { echo "build_citus: no pg_config at $PG_CONFIG (set PG_BIN)" >&2; exit 1; }

work=$(mktemp -d /tmp/citus_build.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
src=$work/citus
if [ -z "${CITUS_SRC:-}" ]; then
    git -c advice.detachedHead=false clone -q --depth 1 --branch "$CITUS_TAG" "$CITUS_REPO" "$src"
elif git -C "$CITUS_SRC" rev-parse --git-dir >/dev/null 2>&1; then
    git -c advice.detachedHead=false clone -q --depth 1 --branch "$CITUS_TAG" "file://$(cd "$CITUS_SRC" && pwd)" "$src"
else
    cp -a "$CITUS_SRC" "$src"
fi

compat=$src/src/include/pg_version_compat.h
if grep -q 'extern bool have_createdb_privilege' "$("$PG_CONFIG" --includedir-server)/commands/dbcommands.h" 2>/dev/null \
   && grep -q '^have_createdb_privilege(void)' "$compat"; then
    perl -0pi -e 's/static inline bool\nhave_createdb_privilege\(void\)\n\{.*?\n\}\n/extern bool have_createdb_privilege(void);\n/s' "$compat"
    grep -q '^extern bool have_createdb_privilege(void);' "$compat" ||
        { echo "build_citus: could not adapt $compat" >&2; exit 1; }
    echo "build_citus: have_createdb_privilege() taken from the server ($("$PG_CONFIG" --version))"
fi

cd "$src"
./configure -q PG_CONFIG="$PG_CONFIG" --without-libcurl >/dev/null
make -s -j"$(nproc)" >/dev/null
make -s install >/dev/null
echo "build_citus: Citus $CITUS_TAG installed into $("$PG_CONFIG" --pkglibdir)"
