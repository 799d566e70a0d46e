-------------------------------------------------------------------------------
-- 0.4.0: external ids (issue #15).  The id a client, an invoice or a payment
-- had in the system it came from (a spreadsheet, B1, Rivile, an old ERP),
-- with the name of that system: unique per tenant and source, indexed.  The
-- import API (import_begin / import_apply) upserts by them and children
-- point at their card by them; applications may set them too.
-------------------------------------------------------------------------------

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['client', 'invoice', 'payment']
    LOOP
        EXECUTE pg_catalog.format(
            'ALTER TABLE client_registry.%1$I ADD COLUMN source text, ADD COLUMN external_id text,'
            ' ADD CONSTRAINT %2$I CHECK ((source IS NULL) = (external_id IS NULL)),'
            ' ADD CONSTRAINT %3$I CHECK (btrim(source) <> %4$L AND btrim(external_id) <> %4$L)',
            t, t || '_external_id_with_source', t || '_external_id_not_blank', '');
        EXECUTE pg_catalog.format(
            'CREATE UNIQUE INDEX %I ON client_registry.%I (tenant_id, source, external_id)'
            ' WHERE external_id IS NOT NULL', t || '_external_id_key', t);
    END LOOP;
END
$do$;

COMMENT ON COLUMN client.source IS
    'The system the client came from (import_apply''s source, e.g. ''rivile'', ''b1-2024''); set together with external_id.';
COMMENT ON COLUMN client.external_id IS
    'The client''s id in that system: unique per tenant and source (client_external_id_key). The import API upserts by it; children and documents in an import point at the card by it.';
COMMENT ON COLUMN invoice.source IS 'The system the invoice came from (set by import_apply, with external_id).';
COMMENT ON COLUMN invoice.external_id IS
    'The invoice''s id in that system: unique per tenant and source (invoice_external_id_key); an import of the same invoice again leaves it as it is.';
COMMENT ON COLUMN payment.source IS 'The system the payment came from (set by import_apply, with external_id).';
COMMENT ON COLUMN payment.external_id IS
    'The payment''s id in that system: unique per tenant and source (payment_external_id_key); an import of the same payment again leaves it as it is.';

