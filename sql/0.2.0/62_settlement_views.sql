
-------------------------------------------------------------------------------
-- 0.2.0: automatic settlement (R4.5) and the debt views (R4.6)
-------------------------------------------------------------------------------

CREATE FUNCTION settle_automatically(client_id bigint DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c record;
    p record;
    i record;
    n integer := 0;
    unused numeric;
    take numeric;
BEGIN
    FOR c IN SELECT cl.id, cl.settlement_mode
               FROM client_registry.client cl
              WHERE cl.tenant_id = client_registry.current_tenant()
                AND cl.settlement_mode <> 'off'
                AND (settle_automatically.client_id IS NULL OR cl.id = settle_automatically.client_id)
              ORDER BY cl.id
    LOOP
        -- one run per client at a time
        PERFORM 1 FROM client_registry.client cl WHERE cl.id = c.id FOR NO KEY UPDATE;
        FOR p IN SELECT pm.id, pm.direction, pm.currency, pm.invoice_id, pm.description,
                        pm.division, pm.cost_object,
                        pm.amount - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                               WHERE s.tenant_id = pm.tenant_id AND s.payment_id = pm.id), 0) AS unused
                   FROM client_registry.payment pm
                  WHERE pm.tenant_id = client_registry.current_tenant() AND pm.client_id = c.id
                  ORDER BY pm.payment_date, pm.id
        LOOP
            unused := p.unused;
            CONTINUE WHEN unused <= 0;
            FOR i IN
                SELECT d.id, d.open_amount
                  FROM (SELECT inv.id, inv.invoice_date,
                               inv.total_gross - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                                            WHERE s.tenant_id = inv.tenant_id AND s.invoice_id = inv.id), 0) AS open_amount,
                               CASE WHEN inv.id = p.invoice_id THEN 1
                                    WHEN p.description IS NOT NULL AND strpos(p.description, inv.number) > 0
                                         AND (p.division IS NULL OR inv.division IS NOT DISTINCT FROM p.division)
                                         AND (p.cost_object IS NULL OR inv.cost_object IS NOT DISTINCT FROM p.cost_object)
                                    THEN 2
                                    ELSE 3 END AS step
                          FROM client_registry.invoice inv
                         WHERE inv.tenant_id = client_registry.current_tenant() AND inv.client_id = c.id
                           AND inv.status = 'posted' AND inv.currency = p.currency
                           AND inv.direction = CASE p.direction WHEN 'in' THEN 'sale' ELSE 'purchase' END
                               ::client_registry.document_direction) d
                 WHERE d.open_amount > 0 AND (d.step < 3 OR c.settlement_mode = 'all_documents')
                 ORDER BY d.step, d.invoice_date, d.id
            LOOP
                EXIT WHEN unused <= 0;
                -- lock the invoice, then the payment (the order of the settlement
                -- trigger), and re-read both: a settlement made meanwhile counts
                PERFORM 1 FROM client_registry.invoice inv WHERE inv.id = i.id FOR NO KEY UPDATE;
                PERFORM 1 FROM client_registry.payment pm WHERE pm.id = p.id FOR NO KEY UPDATE;
                SELECT inv.total_gross - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                                    WHERE s.tenant_id = inv.tenant_id AND s.invoice_id = inv.id), 0)
                  INTO i.open_amount
                  FROM client_registry.invoice inv WHERE inv.id = i.id;
                SELECT pm.amount - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                              WHERE s.tenant_id = pm.tenant_id AND s.payment_id = pm.id), 0)
                  INTO unused
                  FROM client_registry.payment pm WHERE pm.id = p.id;
                EXIT WHEN unused <= 0;
                CONTINUE WHEN i.open_amount <= 0;
                take := least(unused, i.open_amount);
                INSERT INTO client_registry.settlement (tenant_id, payment_id, invoice_id, amount)
                VALUES (client_registry.current_tenant(), p.id, i.id, take);
                unused := unused - take;
                n := n + 1;
            END LOOP;
        END LOOP;
    END LOOP;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION settle_automatically(bigint) IS
    'R4.5 automatic settlement for one client or (NULL) every client of the current tenant whose settlement_mode is not off: each payment''s unused amount goes (1) to the invoice it names (payment.invoice_id), (2) to invoices whose number appears in its remittance text (and whose division and object match the payment''s, when it names them), then (3) only in mode all_documents to the remaining open invoices, oldest first. Same client, currency and direction only. Returns the number of settlements made.';

CREATE VIEW open_item WITH (security_invoker = true) AS
SELECT i.id AS invoice_id, i.tenant_id, i.client_id, c.name AS client_name, i.direction, i.number,
       i.invoice_date, i.due_date, i.currency, i.total_gross, o.open_amount,
       round(o.open_amount * i.currency_rate, 2) AS open_amount_base,
       GREATEST(current_date - COALESCE(i.due_date, i.invoice_date), 0) AS days_overdue
  FROM client_registry.invoice i
  JOIN client_registry.client c ON c.tenant_id = i.tenant_id AND c.id = i.client_id
  CROSS JOIN LATERAL (SELECT i.total_gross - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                                        WHERE s.tenant_id = i.tenant_id AND s.invoice_id = i.id), 0)
                             AS open_amount) o
 WHERE i.status = 'posted' AND o.open_amount <> 0;
COMMENT ON VIEW open_item IS 'Posted invoices not fully settled, with due dates and days overdue (credit notes show a negative open amount).';
COMMENT ON COLUMN open_item.invoice_id IS 'Invoice id.';
COMMENT ON COLUMN open_item.tenant_id IS 'Tenant.';
COMMENT ON COLUMN open_item.client_id IS 'Client id.';
COMMENT ON COLUMN open_item.client_name IS 'Client name.';
COMMENT ON COLUMN open_item.direction IS 'sale (receivable) or purchase (payable).';
COMMENT ON COLUMN open_item.number IS 'Invoice number.';
COMMENT ON COLUMN open_item.invoice_date IS 'Invoice date.';
COMMENT ON COLUMN open_item.due_date IS 'Due date.';
COMMENT ON COLUMN open_item.currency IS 'Currency.';
COMMENT ON COLUMN open_item.total_gross IS 'Gross total.';
COMMENT ON COLUMN open_item.open_amount IS 'Gross total minus settlements (invoice currency).';
COMMENT ON COLUMN open_item.open_amount_base IS 'Open amount in the base currency at the invoice rate.';
COMMENT ON COLUMN open_item.days_overdue IS 'Days past the due date (0 when not yet due).';

CREATE VIEW aging WITH (security_invoker = true) AS
SELECT o.tenant_id, o.client_id, o.client_name, o.direction,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue = 0) AS not_due,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 1 AND 30) AS overdue_1_30,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 31 AND 60) AS overdue_31_60,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 61 AND 90) AS overdue_61_90,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue > 90) AS overdue_over_90,
       sum(o.open_amount_base) AS total_open
  FROM client_registry.open_item o
 GROUP BY o.tenant_id, o.client_id, o.client_name, o.direction;
COMMENT ON VIEW aging IS 'Open items per client and direction in aging buckets (base currency): not due, 1-30, 31-60, 61-90, over 90 days overdue.';
COMMENT ON COLUMN aging.tenant_id IS 'Tenant.';
COMMENT ON COLUMN aging.client_id IS 'Client id.';
COMMENT ON COLUMN aging.client_name IS 'Client name.';
COMMENT ON COLUMN aging.direction IS 'sale (receivable) or purchase (payable).';
COMMENT ON COLUMN aging.not_due IS 'Open, not yet due.';
COMMENT ON COLUMN aging.overdue_1_30 IS 'Open, 1 to 30 days overdue.';
COMMENT ON COLUMN aging.overdue_31_60 IS 'Open, 31 to 60 days overdue.';
COMMENT ON COLUMN aging.overdue_61_90 IS 'Open, 61 to 90 days overdue.';
COMMENT ON COLUMN aging.overdue_over_90 IS 'Open, more than 90 days overdue.';
COMMENT ON COLUMN aging.total_open IS 'All open items.';

CREATE VIEW client_statement WITH (security_invoker = true) AS
SELECT e.tenant_id, e.client_id, e.entry_date, e.entry_kind, e.entry_id, e.reference, e.debit, e.credit,
       sum(e.debit - e.credit) OVER (PARTITION BY e.client_id ORDER BY e.entry_date, e.entry_kind, e.entry_id) AS balance
  FROM (SELECT i.tenant_id, i.client_id, i.invoice_date AS entry_date,
               CASE i.direction WHEN 'sale' THEN 'sales invoice' ELSE 'purchase invoice' END AS entry_kind,
               i.id AS entry_id, i.number AS reference,
               CASE WHEN i.direction = 'sale' THEN i.total_base ELSE 0 END AS debit,
               CASE WHEN i.direction = 'purchase' THEN i.total_base ELSE 0 END AS credit
          FROM client_registry.invoice i WHERE i.status = 'posted'
        UNION ALL
        SELECT p.tenant_id, p.client_id, p.payment_date,
               CASE p.direction WHEN 'in' THEN 'payment received' ELSE 'payment made' END,
               p.id, p.reference,
               CASE WHEN p.direction = 'out' THEN p.amount_base ELSE 0 END,
               CASE WHEN p.direction = 'in' THEN p.amount_base ELSE 0 END
          FROM client_registry.payment p) e;
COMMENT ON VIEW client_statement IS
    'Statement of a client: posted invoices and payments in date order with the running balance (base currency; positive = the client owes us).';
COMMENT ON COLUMN client_statement.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_statement.client_id IS 'Client id.';
COMMENT ON COLUMN client_statement.entry_date IS 'Invoice or payment date.';
COMMENT ON COLUMN client_statement.entry_kind IS 'sales invoice, purchase invoice, payment received or payment made.';
COMMENT ON COLUMN client_statement.entry_id IS 'Invoice or payment id.';
COMMENT ON COLUMN client_statement.reference IS 'Invoice number or bank reference.';
COMMENT ON COLUMN client_statement.debit IS 'Raises what the client owes us (sales, payments we made).';
COMMENT ON COLUMN client_statement.credit IS 'Lowers it (payments received, purchases).';
COMMENT ON COLUMN client_statement.balance IS 'Running balance after this entry.';
