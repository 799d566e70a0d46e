-- pgTAP contract of debts at month-end (0.4.0, issue #16): shapes of the new
-- tables, views and functions; who may run the operations and reports;
-- credit notes, offsets and settlements across currencies keep the running
-- balance exact; tenant isolation with a real role.
--
-- Roles (created in this transaction, removed by the ROLLBACK):
--   tap_debt_app   the application's grants (tables, the debt functions)
--   tap_debt_none  USAGE and table grants only, no EXECUTE on the operations
-- Tenants: 9911, 9912.
BEGIN;
SET search_path = client_registry, public;

SELECT plan(50);

-------------------------------------------------------------------------------
-- Shapes
-------------------------------------------------------------------------------
SELECT has_table('client_registry', t, t || ' exists')
  FROM unnest(ARRAY['account_entry', 'debt_offset', 'debt_offset_line', 'reminder_level', 'payment_reminder']) AS t;
SELECT col_is_pk('client_registry', t, ARRAY['tenant_id', 'id']::name[], t || ': primary key (tenant_id, id)')
  FROM unnest(ARRAY['account_entry', 'debt_offset', 'debt_offset_line', 'reminder_level', 'payment_reminder']) AS t;
SELECT has_column('client_registry', t, c, t || '.' || c || ' exists')
  FROM (VALUES ('client', 'settled_by'), ('client', 'send_reminders'), ('client', 'credit_counts_orders'),
               ('payment', 'ledger_account'), ('invoice', 'closed_on'), ('settlement', 'exchange_difference'),
               ('crm_order', 'currency_rate')) AS x(t, c);
SELECT has_view('client_registry', v, v || ' exists')
  FROM unnest(ARRAY['debt_entry', 'account_balance', 'credit_exposure']) AS v;
SELECT is_empty($$
    SELECT c.relname FROM pg_class c
     WHERE c.relnamespace = 'client_registry'::regnamespace AND c.relkind = 'v'
       AND c.relname IN ('debt_entry', 'account_balance', 'credit_exposure', 'open_item', 'invoice_list',
                         'client_statement', 'client_balance_expected')
       AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'], false)
$$, 'the new and replaced views are security_invoker');
SELECT has_index('client_registry', 'invoice', 'invoice_open_idx', ARRAY['tenant_id', 'closed_on', 'client_id'],
                 'open items as of a date are index-backed (invoice_open_idx)');
SELECT ok((SELECT extconfig @> ARRAY['client_registry.account_entry'::regclass::oid, 'client_registry.debt_offset'::regclass::oid,
                                     'client_registry.debt_offset_line'::regclass::oid, 'client_registry.reminder_level'::regclass::oid,
                                     'client_registry.payment_reminder'::regclass::oid]
             FROM pg_extension WHERE extname = 'client_registry'),
          'the new tables are dumped');
SELECT policies_are('client_registry', t, ARRAY['tenant_isolation'], t || ' has policy tenant_isolation')
  FROM unnest(ARRAY['account_entry', 'debt_offset', 'debt_offset_line']) AS t;
SELECT triggers_are('client_registry', 'debt_offset_line',
                    ARRAY['debt_offset_line_10_before_write', 'debt_offset_line_00_tenant_guard'],
                    'debt_offset_line: the rule trigger (and the tenant guard)');

-------------------------------------------------------------------------------
-- Privileges: operations and reports are granted, not PUBLIC
-------------------------------------------------------------------------------
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'client_registry'::regnamespace
       AND p.proname IN ('settle_credit_note', 'offset_debts', 'reverse_debt_offset', 'invoice_closings',
                         'invoice_open_amount', 'open_items', 'aging', 'client_statement', 'turnover',
                         'turnover_by_group', 'turnover_by_label', 'account_balances', 'payment_reminders',
                         'confirmed_orders', 'order_credit_check', 'account_entry_before_write',
                         'debt_offset_before_write', 'debt_offset_line_before_write')
       AND has_function_privilege('public', p.oid, 'EXECUTE')
$$, 'PUBLIC cannot execute the debt operations, reports and triggers');

-------------------------------------------------------------------------------
-- Behaviour (as the superuser, tenant 9911)
-------------------------------------------------------------------------------
SET client_registry.tenant = 9911;
INSERT INTO client (id, kind, name, company_code) VALUES (991100, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client (id, kind, name, company_code, sales_tax_category, purchase_tax_category)
VALUES (991101, 'buyer_supplier', 'UAB Abu', '188772433', 'PVM1', 'PVM1');
INSERT INTO invoice (id, client_id, direction, number, invoice_date, currency, currency_rate) VALUES
    (991101, 991101, 'sale', 'T-1', '2026-10-01', 'USD', 0.9),
    (991102, 991101, 'sale', 'T-KS', '2026-10-02', 'USD', 0.95),
    (991103, 991101, 'purchase', 'T-P', '2026-10-03', 'USD', 0.92),
    (991104, 991101, 'sale', 'T-2', '2026-10-04', 'EUR', 1);
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES
    (991101, 100, 0), (991102, -33.33, 0), (991103, 40, 0), (991104, 10, 2.1);
UPDATE invoice SET status = 'posted' WHERE tenant_id = 9911;

SELECT lives_ok($$ SELECT settle_credit_note(991102, 991101) $$, 'a credit note in USD settles an invoice at another rate');
SELECT is((SELECT exchange_difference FROM debt_offset_line l JOIN debt_offset o ON o.id = l.offset_id
            WHERE o.tenant_id = 9911 AND o.kind = 'credit_note'),
          round(33.33 * 0.95, 2) - round(33.33 * 0.9, 2), 'the exchange difference of the two rates is recorded');
SELECT lives_ok($$ SELECT offset_debts(991101, 991103) $$, 'an offset of sale against purchase');
SELECT is((SELECT closed_on FROM invoice WHERE id = 991103), '2026-10-03'::date, 'the purchase is closed on the offset date');
SELECT lives_ok($$
    INSERT INTO payment (id, client_id, direction, payment_date, amount, currency, currency_rate)
    VALUES (991101, 991101, 'in', '2026-10-20', 30, 'EUR', 1);
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (991101, 991101, 26.67)
$$, 'a EUR payment settles the rest of the USD invoice');
SELECT is(invoice_open_amount(9911, 991101), 0.00, 'the USD invoice is closed');
SELECT is((SELECT open_amount_base FROM open_item WHERE invoice_id = 991101), NULL, 'and is no open item');
SELECT is_empty($$ SELECT * FROM balance_discrepancies() WHERE client_id = 991101 $$,
                'the running balance equals the recomputation (credit note, offset, currencies)');
SELECT lives_ok($$ SELECT reverse_debt_offset((SELECT id FROM debt_offset WHERE tenant_id = 9911 AND kind = 'offset'), '2026-10-31') $$,
                'an offset is reversed');
SELECT is_empty($$ SELECT * FROM balance_discrepancies() WHERE client_id = 991101 $$,
                'the balance stays exact after a reversal');
SELECT is((SELECT count(*)::int FROM open_items('2026-10-10') WHERE client_id = 991101), 2,
          'as of 2026-10-10: the sale T-1 and T-2 are open (the offset closed the purchase)');
SELECT throws_ok($$ DELETE FROM debt_offset WHERE tenant_id = 9911 $$, '55000', NULL,
                 'an operation with rows is not deleted (55000)');
SELECT throws_ok($$ UPDATE debt_offset_line SET amount = 1 WHERE tenant_id = 9911 $$, '55000', NULL,
                 'rows of an operation do not change (55000)');
SELECT throws_ok($$ SELECT reverse_debt_offset((SELECT id FROM debt_offset WHERE tenant_id = 9911 AND kind = 'offset' AND reversal_of IS NULL)) $$,
                 '23505', NULL, 'an operation is reversed once (23505)');
SELECT throws_ok($$ INSERT INTO account_entry (client_id, ledger_account, side, entry_date, amount)
                    VALUES (991101, '4481', 'payable', '2026-10-01', 1) $$,
                 '23514', NULL, 'no ledger entries for a client settled by documents (23514)');

-------------------------------------------------------------------------------
-- Roles: the operations need the GRANT; the rows stay in the tenant
-------------------------------------------------------------------------------
CREATE ROLE tap_debt_app NOLOGIN;
CREATE ROLE tap_debt_none NOLOGIN;
GRANT USAGE ON SCHEMA client_registry TO tap_debt_app, tap_debt_none;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO tap_debt_app, tap_debt_none;
GRANT EXECUTE ON FUNCTION client_registry.settle_credit_note(bigint, bigint, numeric, date, text, text),
    client_registry.open_items(date, bigint), client_registry.invoice_closings(integer, bigint, date),
    client_registry.turnover(date, date), client_registry.payment_reminders(date, bigint, boolean)
    TO tap_debt_app;
INSERT INTO tenant (id) VALUES (9912);
INSERT INTO tenant_access (member, tenant_id) VALUES ('tap_debt_app', 9912), ('tap_debt_none', 9912);

SET client_registry.tenant = 9912;
INSERT INTO client (id, kind, name, company_code) VALUES (991200, 'own_company', 'UAB Savi 2', '110003978');
INSERT INTO client (id, kind, name, company_code, sales_tax_category) VALUES (991201, 'buyer', 'UAB Vienas', '188772433', 'PVM1');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES
    (991201, 991201, 'sale', 'V-1', '2026-10-01'), (991202, 991201, 'sale', 'V-KS', '2026-10-02');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (991201, 100, 21), (991202, -10, -2.1);
UPDATE invoice SET status = 'posted' WHERE tenant_id = 9912;

SET ROLE tap_debt_none;
SELECT throws_ok($$ SELECT client_registry.settle_credit_note(991202, 991201) $$, '42501', NULL,
                 'without the GRANT a role cannot settle credit notes (42501)');
SELECT throws_ok($$ SELECT * FROM client_registry.turnover('2026-10-01', '2026-10-31') $$, '42501', NULL,
                 'without the GRANT a role cannot read the turnover report (42501)');
RESET ROLE;
SET ROLE tap_debt_app;
SELECT lives_ok($$ SELECT client_registry.settle_credit_note(991202, 991201) $$,
                'the application role settles a credit note of its tenant (without rights on client_balance)');
SELECT is((SELECT count(*)::int FROM client_registry.debt_offset), 1, 'it sees only its tenant''s operations');
SELECT is((SELECT open_amount FROM client_registry.open_items(NULL, 991201)), 108.90::numeric,
          'open items as the role: V-1 121.00 less the credit note 12.10');
SELECT throws_ok($$ SELECT client_registry.settle_credit_note(991102, 991101) $$, '22023', NULL,
                 'another tenant''s documents are unknown (22023)');
RESET ROLE;
SELECT is((SELECT receivable FROM client_balance WHERE client_id = 991201), 108.90::numeric,
          'the balance of tenant 9912 is the open amount');

SELECT * FROM finish();
ROLLBACK;
