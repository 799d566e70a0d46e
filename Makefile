# client_registry -- PGXS build
EXTENSION   = client_registry
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big  = client_registry
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script of the current version is assembled from
# sql/parts/NN_*.sql (one part per topic).  The upgrade script from the
# previous version is its header plus the parts that version added.  Install
# scripts of released versions are frozen copies (sql/client_registry--X.Y.Z.sql).
PREV_VERSION = 0.2.0
UPGRADE_PARTS = $(sort $(wildcard sql/parts/7*.sql))
DATA_built  = sql/$(EXTENSION)--$(EXTVERSION).sql sql/$(EXTENSION)--$(PREV_VERSION)--$(EXTVERSION).sql
DATA        = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

REGRESS      = $(shell cat test/regress_schedule)
REGRESS_OPTS = --inputdir=. --load-extension=pg_trgm --load-extension=client_registry
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

sql/$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard sql/parts/*.sql))
	cat $^ > $@

sql/$(EXTENSION)--$(PREV_VERSION)--$(EXTVERSION).sql: sql/upgrade/$(PREV_VERSION)--$(EXTVERSION).header.sql $(UPGRADE_PARTS)
	cat $^ > $@

prove:
	pg_prove --pset tuples_only=1 test/pgtap/*.sql
.PHONY: prove
