-- bench/credit_control/history.sql -- posted history of one buyer, quickly.
-- psql variables: buyer (client id), n (invoices), prefix (number prefix).
--
-- Restore mode (row_security = off, as pg_dump's scripts run): the invoices
-- are inserted already posted with their totals, one VAT line each, with
-- the counterparty as of the invoice filled in.  The balance trigger still
-- adds every invoice to client_balance (one upsert per invoice, as a post
-- does); credit control does not refuse in restore mode, and the limit is
-- out of reach anyway.  One transaction per BATCH invoices: the upsert of
-- one balance row many times in ONE transaction slows down with the number
-- of row versions it leaves (see the report), so the batches stay small.
SET row_security = off;
SET bench.buyer = :'buyer';
SET bench.n = :'n';
SET bench.prefix = :'prefix';
DO $$
DECLARE
    buyer  bigint := current_setting('bench.buyer')::bigint;
    n      integer := current_setting('bench.n')::integer;
    prefix text := current_setting('bench.prefix');
    batch  constant integer := 250;
    lo     integer := 1;
    c      client_registry.client;
BEGIN
    SELECT * INTO c FROM client_registry.client WHERE id = buyer;
    WHILE lo <= n LOOP
        WITH inv AS (
            INSERT INTO client_registry.invoice
                   (client_id, direction, number, status, invoice_date, due_date, total_net, total_vat,
                    posted_at, counterparty_name, counterparty_company_code, counterparty_vat_code,
                    counterparty_country)
            SELECT buyer, 'sale', prefix || g, 'posted', date '2016-01-01' + g % 3650,
                   date '2016-01-31' + g % 3650, 100 + g % 900, round((100 + g % 900) * 0.21, 2),
                   timestamptz '2016-01-01' + (g % 3650) * interval '1 day', c.name, c.company_code,
                   c.vat_code, c.country
              FROM generate_series(lo, least(lo + batch - 1, n)) g
            RETURNING id, total_net, total_vat)
        INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount)
        SELECT id, total_net, 'PVM1', 21, total_vat FROM inv;
        COMMIT;
        lo := lo + batch;
    END LOOP;
END
$$;
RESET row_security;
