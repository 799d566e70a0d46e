-- bench/bulk_load/index_set.sql
-- The indexes on the three loaded tables, one line each, without the index
-- name: table, then the definition (unique, method, columns or
-- expressions, predicate).  bulk_load.sh runs it on the extension and on
-- baseline_allidx and stops when the two lists differ.
SET search_path = client_registry, public, pg_catalog;
SELECT i.indrelid::regclass::text || ': ' ||
       regexp_replace(pg_get_indexdef(i.indexrelid), '^CREATE (UNIQUE )?INDEX \S+ ON \S+ ', '\1')
  FROM pg_index i
 WHERE i.indrelid IN ('client_registry.client'::regclass, 'client_registry.client_address'::regclass,
                      'client_registry.client_bank_account'::regclass)
 ORDER BY 1;
