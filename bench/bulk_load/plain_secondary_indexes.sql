-- bench/bulk_load/plain_secondary_indexes.sql
-- The extension's non-unique indexes on the loaded tables, added to the
-- plain tables in the variant baseline_allidx, so that the baseline has
-- every index the extension keeps (issue #15: "the same indexes kept") and
-- the ratio isolates the cost of the rules: the lookup indexes (client ids
-- of the child tables, IBAN, company, VAT and personal codes, phone key),
-- the partial indexes on CRM columns (empty in a load, as in the
-- extension), the trigram GIN index on the same folded search text, the
-- GIN index of the card's words and the duplicate check's e-mail and name-key
-- indexes (0.4.0), the cards in name order -- the extension's C functions,
-- loaded from its library.  bulk_load.sh compares this index set with the
-- extension's and stops when they differ.
SET search_path = client_registry, pg_catalog;
CREATE INDEX client_address_client_idx ON client_address (tenant_id, client_id);
CREATE INDEX client_bank_account_client_idx ON client_bank_account (tenant_id, client_id);
CREATE INDEX client_bank_account_iban_idx ON client_bank_account (tenant_id, iban);
CREATE INDEX client_company_code_idx ON client (tenant_id, company_code) WHERE company_code IS NOT NULL;
CREATE INDEX client_vat_code_idx ON client (tenant_id, vat_code) WHERE vat_code IS NOT NULL;
CREATE INDEX client_personal_code_idx ON client (tenant_id, personal_code) WHERE personal_code IS NOT NULL;
CREATE INDEX client_assigned_user_idx ON client (tenant_id, assigned_user_id) WHERE assigned_user_id IS NOT NULL;
CREATE INDEX client_crm_status_idx ON client (tenant_id, crm_status_id) WHERE crm_status_id IS NOT NULL;
CREATE FUNCTION client_registry.phone_key(phone text) RETURNS text
    AS '$libdir/client_registry', 'cr_phone_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE INDEX client_phone_key_idx ON client (tenant_id, client_registry.phone_key(phone)) WHERE phone IS NOT NULL;
CREATE FUNCTION client_registry.search_words(name text, short_name text, first_name text, last_name text) RETURNS text[]
    AS '$libdir/client_registry', 'cr_search_words' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 100;
CREATE INDEX client_search_words_idx ON client USING gin (client_registry.search_words(name, short_name, first_name, last_name));
-- the per-card duplicate check's indexes (0.4.0, issue #14): e-mails and the name keys
CREATE INDEX client_email_key_idx ON client (tenant_id, lower(btrim(email))) WHERE email IS NOT NULL;
CREATE FUNCTION client_registry.client_name_keys(name text) RETURNS text[]
    AS '$libdir/client_registry', 'cr_client_name_keys' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
CREATE INDEX client_name_keys_idx ON client USING gin (client_registry.client_name_keys(name));
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE FUNCTION client_registry.client_search_text(name text, short_name text, first_name text, last_name text,
                                                   company_code text, vat_code text, email text, phone text)
RETURNS text AS '$libdir/client_registry', 'cr_search_text_of' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE INDEX client_search_idx ON client USING gin
    (client_registry.client_search_text(name, short_name, first_name, last_name, company_code, vat_code, email, phone)
     public.gin_trgm_ops);
-- the cards in name order, which search_clients() walks for a common fragment (0.4.0)
CREATE INDEX client_name_order_idx ON client (tenant_id, name, id);
