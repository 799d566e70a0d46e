-- bench/bulk_load/baseline_primary.sql
-- BASELINE has no trigger to make the first address / bank account primary,
-- so the loader states it: every loaded row is its client's only one, hence
-- primary.  Done with a column default so that all variants COPY the very
-- same CSV files and end with the same data (and the same entries in the
-- partial unique indexes *_one_primary).
SET search_path = client_registry, pg_catalog;
ALTER TABLE client_address ALTER COLUMN is_primary SET DEFAULT true;
ALTER TABLE client_bank_account ALTER COLUMN is_primary SET DEFAULT true;
