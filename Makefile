# client_registry -- PGXS build
EXTENSION   = client_registry
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big  = client_registry
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is assembled from sql/parts/NN_*.sql (one part per topic).
DATA_built  = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA        = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

REGRESS      = $(shell cat test/regress_schedule)
REGRESS_OPTS = --inputdir=. --load-extension=client_registry
ISOLATION      = $(notdir $(basename $(sort $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=client_registry

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

prove:
	pg_prove --pset tuples_only=1 test/pgtap/*.sql
.PHONY: prove
