
-------------------------------------------------------------------------------
-- 0.4.0 (issue #16): balances as of any date -- open items, aging, the client
-- statement, turnover for a period per client, group and label, balances
-- per ledger account -- and the running balance checked against everything
-- that moves it.
--
-- Index-backed: open items as of D read only invoices whose closed_on is
-- NULL or after D (invoice_open_idx); turnover and statements compute the
-- opening balance as the running balance (client_balance) minus the entries
-- dated on or after the period's first day, so they read the period and what
-- came after it, not the history before it (date indexes on every source).
-------------------------------------------------------------------------------

-- Every movement of a client's running balance (base currency), dated.
CREATE VIEW debt_entry WITH (security_invoker = true) AS
SELECT i.tenant_id, i.client_id, i.invoice_date AS entry_date,
       CASE WHEN i.direction = 'sale'
            THEN CASE WHEN i.total_gross < 0 THEN 'sales credit note' ELSE 'sales invoice' END
            ELSE CASE WHEN i.total_gross < 0 THEN 'purchase credit note' ELSE 'purchase invoice' END END AS entry_kind,
       i.id AS entry_id, i.number AS reference, NULL::text AS ledger_account,
       CASE WHEN i.direction = 'sale' THEN i.total_base ELSE 0.00 END::numeric AS receivable_change,
       CASE WHEN i.direction = 'purchase' THEN i.total_base ELSE 0.00 END::numeric AS payable_change
  FROM client_registry.invoice i
 WHERE i.status = 'posted'
UNION ALL
SELECT p.tenant_id, p.client_id, p.payment_date,
       CASE p.direction WHEN 'in' THEN 'payment received' ELSE 'payment made' END,
       p.id, p.reference, p.ledger_account::text,
       CASE WHEN p.direction = 'in' THEN -p.amount_base ELSE 0.00 END::numeric,
       CASE WHEN p.direction = 'out' THEN -p.amount_base ELSE 0.00 END::numeric
  FROM client_registry.payment p
UNION ALL
SELECT s.tenant_id, p.client_id, s.settlement_date, 'exchange difference', s.id, i.number, NULL::text,
       CASE WHEN p.direction = 'in' THEN s.payment_amount_base - s.amount_base ELSE 0.00 END::numeric,
       CASE WHEN p.direction = 'out' THEN s.payment_amount_base - s.amount_base ELSE 0.00 END::numeric
  FROM client_registry.settlement s
  JOIN client_registry.payment p ON p.tenant_id = s.tenant_id AND p.id = s.payment_id
  JOIN client_registry.invoice i ON i.tenant_id = s.tenant_id AND i.id = s.invoice_id
 WHERE s.exchange_difference <> 0
UNION ALL
SELECT o.tenant_id, o.client_id, o.offset_date,
       CASE WHEN o.reversal_of IS NOT NULL THEN 'reversal of ' ELSE '' END
       || CASE o.kind WHEN 'credit_note' THEN 'credit note settlement' ELSE 'offset' END,
       o.id, o.number, NULL::text, COALESCE(l.receivable_change, 0), COALESCE(l.payable_change, 0)
  FROM client_registry.debt_offset o
  LEFT JOIN LATERAL (SELECT sum(x.receivable_change) AS receivable_change, sum(x.payable_change) AS payable_change
                       FROM client_registry.debt_offset_line x
                      WHERE x.tenant_id = o.tenant_id AND x.offset_id = o.id) l ON true
UNION ALL
SELECT a.tenant_id, a.client_id, a.entry_date, 'account entry', a.id, a.reference, a.ledger_account::text,
       CASE WHEN a.side = 'receivable' THEN a.amount ELSE 0.00 END::numeric,
       CASE WHEN a.side = 'payable' THEN a.amount ELSE 0.00 END::numeric
  FROM client_registry.account_entry a;
COMMENT ON VIEW debt_entry IS
    'Every movement of a client''s running balance in the base currency, dated: posted invoices and credit notes, payments, exchange differences of settlements, credit-note settlements and offsets (and their reversals), debts on ledger accounts. client_balance is their sum (balance_discrepancies() checks it).';
COMMENT ON COLUMN debt_entry.tenant_id IS 'Tenant.';
COMMENT ON COLUMN debt_entry.client_id IS 'Client id.';
COMMENT ON COLUMN debt_entry.entry_date IS 'Invoice, payment, settlement, operation or entry date.';
COMMENT ON COLUMN debt_entry.entry_kind IS 'sales invoice, sales credit note, purchase invoice, purchase credit note, payment received, payment made, exchange difference, credit note settlement, offset, reversal of ..., account entry.';
COMMENT ON COLUMN debt_entry.entry_id IS 'Id of the invoice, payment, settlement, debt_offset or account_entry.';
COMMENT ON COLUMN debt_entry.reference IS 'Invoice number, bank reference, operation number, entry reference.';
COMMENT ON COLUMN debt_entry.ledger_account IS 'R4.4 ledger account (payments and debts kept on an account).';
COMMENT ON COLUMN debt_entry.receivable_change IS 'Change of what the client owes us.';
COMMENT ON COLUMN debt_entry.payable_change IS 'Change of what we owe the client.';

-------------------------------------------------------------------------------
-- The views of 0.2.0, with what credit notes, offsets and currencies close
-- (the closings written out, as in invoice_closings(): a role with SELECT on
-- the tables reads the views without rights on functions)
-------------------------------------------------------------------------------

CREATE OR REPLACE VIEW invoice_list WITH (security_invoker = true) AS
SELECT i.id, i.tenant_id, i.client_id, c.name AS client_name, i.direction, i.number, i.isaf_type,
       i.status, i.invoice_date, i.due_date, i.currency, i.total_net, i.total_vat, i.total_gross,
       i.total_base, i.total_gross - x.closed_amount AS open_amount,
       i.counterparty_name, i.counterparty_vat_code
  FROM client_registry.invoice i
  JOIN client_registry.client c ON c.tenant_id = i.tenant_id AND c.id = i.client_id
  CROSS JOIN LATERAL (
        SELECT COALESCE(sum(c.a), 0) AS closed_amount, COALESCE(sum(c.b), 0) AS closed_base
          FROM (SELECT s.amount, s.amount_base FROM client_registry.settlement s
                 WHERE s.tenant_id = i.tenant_id AND s.invoice_id = i.id
                UNION ALL
                SELECT l.amount, l.amount_base FROM client_registry.debt_offset_line l
                 WHERE l.tenant_id = i.tenant_id AND l.invoice_id = i.id
                UNION ALL
                SELECT l.against_amount, l.against_amount_base FROM client_registry.debt_offset_line l
                 WHERE l.tenant_id = i.tenant_id AND l.against_invoice_id = i.id) c(a, b)) x;
COMMENT ON VIEW invoice_list IS 'R4.6: every invoice with its client and the amount still open (gross minus what payments, credit notes and offsets closed).';
COMMENT ON COLUMN invoice_list.open_amount IS 'Gross total minus what payments, credit notes and offsets closed (invoice currency).';

CREATE OR REPLACE VIEW open_item WITH (security_invoker = true) AS
SELECT i.id AS invoice_id, i.tenant_id, i.client_id, c.name AS client_name, i.direction, i.number,
       i.invoice_date, i.due_date, i.currency, i.total_gross, i.total_gross - x.closed_amount AS open_amount,
       i.total_base - x.closed_base AS open_amount_base,
       GREATEST(current_date - COALESCE(i.due_date, i.invoice_date), 0) AS days_overdue
  FROM client_registry.invoice i
  JOIN client_registry.client c ON c.tenant_id = i.tenant_id AND c.id = i.client_id
  CROSS JOIN LATERAL (
        SELECT COALESCE(sum(c.a), 0) AS closed_amount, COALESCE(sum(c.b), 0) AS closed_base
          FROM (SELECT s.amount, s.amount_base FROM client_registry.settlement s
                 WHERE s.tenant_id = i.tenant_id AND s.invoice_id = i.id
                UNION ALL
                SELECT l.amount, l.amount_base FROM client_registry.debt_offset_line l
                 WHERE l.tenant_id = i.tenant_id AND l.invoice_id = i.id
                UNION ALL
                SELECT l.against_amount, l.against_amount_base FROM client_registry.debt_offset_line l
                 WHERE l.tenant_id = i.tenant_id AND l.against_invoice_id = i.id) c(a, b)) x
 WHERE i.status = 'posted' AND i.closed_on IS NULL AND i.total_gross <> x.closed_amount;
COMMENT ON VIEW open_item IS 'Posted invoices not fully closed by payments, credit notes or offsets, with due dates and days overdue (an unsettled credit note shows a negative open amount). As of a date: open_items(as_of).';
COMMENT ON COLUMN open_item.open_amount IS 'Gross total minus what payments, credit notes and offsets closed (invoice currency).';
COMMENT ON COLUMN open_item.open_amount_base IS 'Open amount in the base currency: the base total minus the base parts of what closed it (exact: a fully closed invoice leaves 0).';

CREATE OR REPLACE VIEW client_statement WITH (security_invoker = true) AS
SELECT e.tenant_id, e.client_id, e.entry_date, e.entry_kind, e.entry_id, e.reference,
       (GREATEST(e.receivable_change, 0.00) + GREATEST(-e.payable_change, 0.00))::numeric AS debit,
       (GREATEST(-e.receivable_change, 0.00) + GREATEST(e.payable_change, 0.00))::numeric AS credit,
       sum(e.receivable_change - e.payable_change)
           OVER (PARTITION BY e.client_id ORDER BY e.entry_date, e.entry_kind, e.entry_id) AS balance
  FROM client_registry.debt_entry e;
COMMENT ON VIEW client_statement IS
    'Statement of a client: every movement of its balance (debt_entry) in date order with the running balance (base currency; positive = the client owes us). For a period with an opening balance: client_statement(client, from, to).';
COMMENT ON COLUMN client_statement.entry_date IS 'Date of the invoice, payment, settlement, operation or entry.';
COMMENT ON COLUMN client_statement.entry_kind IS 'What moved the balance (see debt_entry.entry_kind).';
COMMENT ON COLUMN client_statement.entry_id IS 'Id of the row (invoice, payment, settlement, debt_offset, account_entry).';
COMMENT ON COLUMN client_statement.reference IS 'Invoice number, bank reference, operation number.';
COMMENT ON COLUMN client_statement.debit IS 'Raises what the client owes us (sales, payments we made, lower payables).';
COMMENT ON COLUMN client_statement.credit IS 'Lowers it (payments received, purchases, credit notes, lower receivables).';

CREATE OR REPLACE VIEW client_balance_expected WITH (security_invoker = true) AS
SELECT c.tenant_id, c.id AS client_id, COALESCE(e.receivable, 0)::numeric AS receivable,
       COALESCE(e.payable, 0)::numeric AS payable
  FROM client_registry.client c
  LEFT JOIN (SELECT d.tenant_id, d.client_id, sum(d.receivable_change) AS receivable, sum(d.payable_change) AS payable
               FROM client_registry.debt_entry d GROUP BY d.tenant_id, d.client_id) e
         ON e.tenant_id = c.tenant_id AND e.client_id = c.id;
COMMENT ON VIEW client_balance_expected IS
    'The balances recomputed from everything that moves them (debt_entry: invoices, payments, exchange differences, credit-note settlements, offsets, debts on ledger accounts); a full scan: for checks, not for credit control.';
COMMENT ON COLUMN client_balance_expected.receivable IS 'Posted sales minus payments received, plus exchange differences, offsets and debts on ledger accounts on the receivable side.';
COMMENT ON COLUMN client_balance_expected.payable IS 'Posted purchases minus payments made, plus the same on the payable side.';

-------------------------------------------------------------------------------
-- As of a date
-------------------------------------------------------------------------------

CREATE FUNCTION open_items(as_of date DEFAULT NULL, for_client bigint DEFAULT NULL)
RETURNS TABLE (invoice_id bigint, client_id bigint, client_name text, direction document_direction,
               number text, invoice_date date, due_date date, currency text, total_gross numeric,
               open_amount numeric, open_amount_base numeric, days_overdue integer)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT i.id, i.client_id, c.name, i.direction, i.number, i.invoice_date, i.due_date, i.currency,
           i.total_gross, i.total_gross - x.closed_amount, i.total_base - x.closed_base,
           GREATEST(COALESCE(open_items.as_of, CURRENT_DATE) - COALESCE(i.due_date, i.invoice_date), 0)
      FROM client_registry.invoice i
      JOIN client_registry.client c ON c.tenant_id = i.tenant_id AND c.id = i.client_id
      CROSS JOIN LATERAL client_registry.invoice_closings(i.tenant_id, i.id, open_items.as_of) x
     WHERE i.tenant_id = client_registry.current_tenant()
       AND i.status = 'posted'
       AND (i.closed_on IS NULL OR i.closed_on > COALESCE(open_items.as_of, 'infinity'::date))
       AND i.invoice_date <= COALESCE(open_items.as_of, 'infinity'::date)
       AND (open_items.for_client IS NULL OR i.client_id = open_items.for_client)
       AND i.total_gross <> x.closed_amount
     ORDER BY i.client_id, i.invoice_date, i.id;
END;
COMMENT ON FUNCTION open_items(date, bigint) IS
    'Open items of the current tenant as of a date (NULL: everything recorded, overdue days counted to today), of one client or all: posted invoices dated up to as_of that payments, credit notes and offsets dated up to as_of did not close in full, with their open amount (invoice currency and base) and the days overdue on as_of. Reads only invoices open on that date or closed after it (invoice.closed_on).';

CREATE FUNCTION aging(as_of date DEFAULT NULL, for_client bigint DEFAULT NULL)
RETURNS TABLE (client_id bigint, client_name text, direction document_direction, not_due numeric,
               overdue_1_30 numeric, overdue_31_60 numeric, overdue_61_90 numeric, overdue_over_90 numeric,
               total_open numeric)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT o.client_id, o.client_name, o.direction,
           sum(o.open_amount_base) FILTER (WHERE o.days_overdue = 0),
           sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 1 AND 30),
           sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 31 AND 60),
           sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 61 AND 90),
           sum(o.open_amount_base) FILTER (WHERE o.days_overdue > 90),
           sum(o.open_amount_base)
      FROM client_registry.open_items(aging.as_of, aging.for_client) o
     GROUP BY o.client_id, o.client_name, o.direction
     ORDER BY o.client_id, o.direction;
END;
COMMENT ON FUNCTION aging(date, bigint) IS
    'Aging of the current tenant''s open items as of a date (NULL: everything recorded, counted to today), per client and direction, in the base currency: not due, 1-30, 31-60, 61-90, over 90 days overdue on as_of.';

CREATE FUNCTION client_statement(for_client bigint, date_from date, date_to date)
RETURNS TABLE (entry_date date, entry_kind text, entry_id bigint, reference text, ledger_account text,
               debit numeric, credit numeric, balance numeric)
LANGUAGE sql STABLE
BEGIN ATOMIC
    WITH opening AS (
        SELECT COALESCE((SELECT b.receivable - b.payable FROM client_registry.client_balance b
                          WHERE b.client_id = client_statement.for_client
                            AND b.tenant_id = client_registry.current_tenant()), 0)
             - COALESCE((SELECT sum(e.receivable_change - e.payable_change) FROM client_registry.debt_entry e
                          WHERE e.tenant_id = client_registry.current_tenant()
                            AND e.client_id = client_statement.for_client
                            AND e.entry_date >= client_statement.date_from), 0) AS balance
    )
    SELECT u.entry_date, u.entry_kind, u.entry_id, u.reference, u.ledger_account, u.debit, u.credit, u.balance
      FROM (SELECT 0 AS k, client_statement.date_from AS entry_date, 'opening balance' AS entry_kind,
                   NULL::bigint AS entry_id, NULL::text AS reference, NULL::text AS ledger_account,
                   NULL::numeric AS debit, NULL::numeric AS credit, o.balance
              FROM opening o
             WHERE EXISTS (SELECT 1 FROM client_registry.client c
                            WHERE c.tenant_id = client_registry.current_tenant() AND c.id = client_statement.for_client)
            UNION ALL
            SELECT 1, s.entry_date, s.entry_kind, s.entry_id, s.reference, s.ledger_account, s.debit, s.credit,
                   o.balance + s.running
              FROM opening o,
                   (SELECT e.entry_date, e.entry_kind, e.entry_id, e.reference, e.ledger_account,
                           GREATEST(e.receivable_change, 0.00) + GREATEST(-e.payable_change, 0.00) AS debit,
                           GREATEST(-e.receivable_change, 0.00) + GREATEST(e.payable_change, 0.00) AS credit,
                           sum(e.receivable_change - e.payable_change)
                               OVER (ORDER BY e.entry_date, e.entry_kind, e.entry_id) AS running
                      FROM client_registry.debt_entry e
                     WHERE e.tenant_id = client_registry.current_tenant()
                       AND e.client_id = client_statement.for_client
                       AND e.entry_date BETWEEN client_statement.date_from AND client_statement.date_to) s) u
     ORDER BY u.entry_date, u.k, u.entry_kind, u.entry_id;
END;
COMMENT ON FUNCTION client_statement(bigint, date, date) IS
    'Statement of one client of the current tenant for a period, as accountants reconcile it: an opening balance on date_from, then every movement (invoices, credit notes, payments, exchange differences, credit-note settlements, offsets and reversals, debts on ledger accounts) with debit, credit and the running balance (base currency; positive = the client owes us). The opening balance is the running balance minus what is dated on or after date_from, so only the period and what followed are read.';

CREATE FUNCTION turnover(date_from date, date_to date)
RETURNS TABLE (client_id bigint, client_name text, opening_balance numeric, debit numeric, credit numeric,
               closing_balance numeric)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT c.id, c.name,
           COALESCE(b.balance, 0.00) - COALESCE(m.after_from, 0.00),
           COALESCE(m.debit, 0.00), COALESCE(m.credit, 0.00),
           COALESCE(b.balance, 0.00) - COALESCE(m.after_to, 0.00)
      FROM (SELECT x.client_id, x.receivable - x.payable AS balance
              FROM client_registry.client_balance x
             WHERE x.tenant_id = client_registry.current_tenant()) b
      FULL JOIN (SELECT e.client_id,
                        sum(e.receivable_change - e.payable_change) AS after_from,
                        sum(e.receivable_change - e.payable_change) FILTER (WHERE e.entry_date > turnover.date_to) AS after_to,
                        sum(GREATEST(e.receivable_change, 0.00) + GREATEST(-e.payable_change, 0.00))
                            FILTER (WHERE e.entry_date <= turnover.date_to) AS debit,
                        sum(GREATEST(-e.receivable_change, 0.00) + GREATEST(e.payable_change, 0.00))
                            FILTER (WHERE e.entry_date <= turnover.date_to) AS credit
                   FROM client_registry.debt_entry e
                  WHERE e.tenant_id = client_registry.current_tenant() AND e.entry_date >= turnover.date_from
                  GROUP BY e.client_id) m ON m.client_id = b.client_id
      JOIN client_registry.client c
        ON c.tenant_id = client_registry.current_tenant() AND c.id = COALESCE(b.client_id, m.client_id)
     WHERE COALESCE(b.balance, 0) - COALESCE(m.after_from, 0) <> 0 OR COALESCE(m.debit, 0) <> 0
        OR COALESCE(m.credit, 0) <> 0 OR COALESCE(b.balance, 0) - COALESCE(m.after_to, 0) <> 0
     ORDER BY c.id;
END;
COMMENT ON FUNCTION turnover(date, date) IS
    'Turnover report of the current tenant for a period, per client (what accountants reconcile with each client monthly): opening balance on date_from, debit and credit turnover from date_from to date_to, closing balance on date_to (base currency; positive = the client owes us). Clients with nothing to show are left out. The opening balance is the running balance minus what is dated on or after date_from: reads the period and what followed, through date indexes.';

CREATE FUNCTION turnover_by_group(date_from date, date_to date)
RETURNS TABLE (group_id bigint, group_name text, clients bigint, opening_balance numeric, debit numeric,
               credit numeric, closing_balance numeric)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT g.id, g.name, count(*), sum(t.opening_balance), sum(t.debit), sum(t.credit), sum(t.closing_balance)
      FROM client_registry.turnover(turnover_by_group.date_from, turnover_by_group.date_to) t
      JOIN client_registry.client_group_member m
        ON m.tenant_id = client_registry.current_tenant() AND m.client_id = t.client_id
      JOIN client_registry.client_group g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
     GROUP BY g.id, g.name
     ORDER BY g.name;
END;
COMMENT ON FUNCTION turnover_by_group(date, date) IS
    'The turnover report (turnover()) summed per client group (R1.7): a client in several groups counts in each; clients in no group are left out.';

CREATE FUNCTION turnover_by_label(date_from date, date_to date)
RETURNS TABLE (label_id bigint, label_name text, clients bigint, opening_balance numeric, debit numeric,
               credit numeric, closing_balance numeric)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT l.id, l.name, count(*), sum(t.opening_balance), sum(t.debit), sum(t.credit), sum(t.closing_balance)
      FROM client_registry.turnover(turnover_by_label.date_from, turnover_by_label.date_to) t
      JOIN client_registry.client_label m
        ON m.tenant_id = client_registry.current_tenant() AND m.client_id = t.client_id
      JOIN client_registry.label l ON l.tenant_id = m.tenant_id AND l.id = m.label_id
     GROUP BY l.id, l.name
     ORDER BY l.name;
END;
COMMENT ON FUNCTION turnover_by_label(date, date) IS
    'The turnover report (turnover()) summed per label (R1.7): a client with several labels counts in each; clients without labels are left out.';

-------------------------------------------------------------------------------
-- R4.4 balances per ledger account
-------------------------------------------------------------------------------

CREATE VIEW account_balance WITH (security_invoker = true) AS
SELECT x.tenant_id, x.client_id, x.ledger_account, sum(x.receivable)::numeric AS receivable,
       sum(x.payable)::numeric AS payable
  FROM (SELECT a.tenant_id, a.client_id, a.ledger_account::text AS ledger_account,
               CASE WHEN a.side = 'receivable' THEN a.amount ELSE 0.00 END AS receivable,
               CASE WHEN a.side = 'payable' THEN a.amount ELSE 0.00 END AS payable
          FROM client_registry.account_entry a
        UNION ALL
        SELECT p.tenant_id, p.client_id, p.ledger_account::text,
               CASE WHEN p.direction = 'in' THEN -p.amount_base ELSE 0 END,
               CASE WHEN p.direction = 'out' THEN -p.amount_base ELSE 0 END
          FROM client_registry.payment p
         WHERE p.ledger_account IS NOT NULL) x
 GROUP BY x.tenant_id, x.client_id, x.ledger_account;
COMMENT ON VIEW account_balance IS
    'R4.4 what is open per client and ledger account for clients settled by accounts (or mixed): debts recorded on the account minus payments booked to it (base currency).';
COMMENT ON COLUMN account_balance.tenant_id IS 'Tenant.';
COMMENT ON COLUMN account_balance.client_id IS 'Client id.';
COMMENT ON COLUMN account_balance.ledger_account IS 'The ledger account.';
COMMENT ON COLUMN account_balance.receivable IS 'What the client owes us on the account.';
COMMENT ON COLUMN account_balance.payable IS 'What we owe the client on the account.';

CREATE FUNCTION account_balances(as_of date DEFAULT NULL)
RETURNS TABLE (client_id bigint, client_name text, ledger_account text, receivable numeric, payable numeric)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT x.client_id, c.name, x.ledger_account, sum(x.receivable), sum(x.payable)
      FROM (SELECT a.client_id, a.ledger_account::text AS ledger_account,
                   CASE WHEN a.side = 'receivable' THEN a.amount ELSE 0.00 END AS receivable,
                   CASE WHEN a.side = 'payable' THEN a.amount ELSE 0.00 END AS payable
              FROM client_registry.account_entry a
             WHERE a.tenant_id = client_registry.current_tenant()
               AND a.entry_date <= COALESCE(account_balances.as_of, 'infinity'::date)
            UNION ALL
            SELECT p.client_id, p.ledger_account::text,
                   CASE WHEN p.direction = 'in' THEN -p.amount_base ELSE 0 END,
                   CASE WHEN p.direction = 'out' THEN -p.amount_base ELSE 0 END
              FROM client_registry.payment p
             WHERE p.tenant_id = client_registry.current_tenant() AND p.ledger_account IS NOT NULL
               AND p.payment_date <= COALESCE(account_balances.as_of, 'infinity'::date)) x
      JOIN client_registry.client c ON c.tenant_id = client_registry.current_tenant() AND c.id = x.client_id
     GROUP BY x.client_id, c.name, x.ledger_account
     ORDER BY x.client_id, x.ledger_account;
END;
COMMENT ON FUNCTION account_balances(date) IS
    'R4.4 balances per client and ledger account of the current tenant as of a date (NULL: everything recorded): debts recorded on each account minus payments booked to it.';

-- The reports read every client's debts of the tenant: granted to the
-- application and reporting roles (docs/documents-and-credit.md, GRANT recipe).
REVOKE ALL ON FUNCTION invoice_closings(integer, bigint, date), invoice_open_amount(integer, bigint, date),
    open_items(date, bigint), aging(date, bigint), client_statement(bigint, date, date), turnover(date, date),
    turnover_by_group(date, date), turnover_by_label(date, date), account_balances(date)
    FROM PUBLIC;
