-- bench/bulk_load/plain_secondary_indexes.sql
-- The extension's non-unique (lookup) indexes, added to the plain tables in
-- the variant baseline_allidx, to tell index
-- maintenance apart from the cost of the rules.
SET search_path = client_registry, pg_catalog;
CREATE INDEX client_address_client_idx ON client_address (tenant_id, client_id);
CREATE INDEX client_bank_account_client_idx ON client_bank_account (tenant_id, client_id);
CREATE INDEX client_bank_account_iban_idx ON client_bank_account (tenant_id, iban);
