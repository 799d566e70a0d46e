# client_registry -- PGXS build
EXTENSION   = client_registry
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big  = client_registry
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# Every SQL text exists once, in the directory of the version that added it:
# sql/<version>/NN_topic.sql.  The first version's directory is its install
# script; every later directory is the upgrade script from the version before.
# CREATE EXTENSION installs the first version and PostgreSQL chains the
# upgrades up to default_version.  The scripts are built here, never edited;
# sql/released.sha256 holds the checksums of released versions' scripts, and
# scripts/release.sh checks them (a released script never changes).
VERSIONS    := $(shell ls -d sql/[0-9]*/ | sed 's,sql/\(.*\)/,\1,' | sort -V)
FIRST       := $(firstword $(VERSIONS))
UPGRADES    := $(join $(addsuffix --,$(filter-out $(lastword $(VERSIONS)),$(VERSIONS))),$(wordlist 2,999,$(VERSIONS)))
DATA_built  = sql/$(EXTENSION)--$(FIRST).sql $(foreach u,$(UPGRADES),sql/$(EXTENSION)--$(u).sql)

REGRESS      = $(shell cat test/regress_schedule)
REGRESS_OPTS = --inputdir=test --load-extension=pg_trgm --load-extension=client_registry
ISOLATION      = $(notdir $(basename $(sort $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=pg_trgm --load-extension=client_registry

XML2_CONFIG ?= xml2-config
PG_CPPFLAGS += -Isrc $(shell $(XML2_CONFIG) --cflags)
SHLIB_LINK  += $(shell $(XML2_CONFIG) --libs)
EXTRA_CLEAN += results regression.diffs regression.out output_iso

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
ifeq (,$(findstring with-libxml,$(shell $(PG_CONFIG) --configure)))
$(error PostgreSQL was built without --with-libxml)
endif
include $(PGXS)

sql/$(EXTENSION)--$(FIRST).sql: $(sort $(wildcard sql/$(FIRST)/*.sql))
	cat $^ > $@

# sql/client_registry--A--B.sql from sql/B/*.sql
define upgrade_rule
sql/$(EXTENSION)--$(1).sql: $$(sort $$(wildcard sql/$$(lastword $$(subst --, ,$(1)))/*.sql))
	cat $$^ > $$@
endef
$(foreach u,$(UPGRADES),$(eval $(call upgrade_rule,$(u))))

prove:
	pg_prove --pset tuples_only=1 test/pgtap/*.sql
.PHONY: prove
