-- bench/bulk_load/plain_secondary_indexes.sql
-- The extension's non-unique indexes on the loaded tables, added to the
-- plain tables in the variant baseline_allidx, so that the baseline has the
-- same indexes as the extension (issue #15) and the ratio isolates the cost
-- of the rules: the lookup indexes (client ids of the child tables, IBAN,
-- company and VAT codes) and the trigram GIN index on the same folded
-- search text (the extension's C folding function, loaded from its library;
-- the partial indexes on CRM columns, empty in a load, are left out).
SET search_path = client_registry, pg_catalog;
CREATE INDEX client_address_client_idx ON client_address (tenant_id, client_id);
CREATE INDEX client_bank_account_client_idx ON client_bank_account (tenant_id, client_id);
CREATE INDEX client_bank_account_iban_idx ON client_bank_account (tenant_id, iban);
CREATE INDEX client_company_code_idx ON client (tenant_id, company_code) WHERE company_code IS NOT NULL;
CREATE INDEX client_vat_code_idx ON client (tenant_id, vat_code) WHERE vat_code IS NOT NULL;
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE FUNCTION client_registry.search_fold(text) RETURNS text
    AS '$libdir/client_registry', 'cr_search_fold' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION client_registry.client_search_text(name text, short_name text, first_name text, last_name text,
                                                   company_code text, vat_code text, email text, phone text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT client_registry.search_fold(
           COALESCE($1, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($2, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($3, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($4, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($5, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($6, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($7, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($8, ''))
$$;
CREATE INDEX client_search_idx ON client USING gin
    (client_registry.client_search_text(name, short_name, first_name, last_name, company_code, vat_code, email, phone)
     public.gin_trgm_ops);
