-- issue #17: the debt reports per tenant through the coordinator (tenant
-- 216).  citus_distribute() made them PL/pgSQL functions (citus_port_reports)
-- that Citus routes to the tenant's shards; the reports they read are
-- written out in them.  Their answers on the same data as one node:
-- citus_reports_parity (test/sql/reports_parity.sql).
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET client_min_messages = warning;
SELECT client_registry.grant_tenant(t, 'postgres') FROM generate_series(216, 217) t;
SELECT p.proname, l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'client_registry'::regnamespace
   AND p.proname IN ('invoice_closings', 'invoice_open_amount', 'open_items', 'aging', 'client_statement',
                     'turnover', 'turnover_by_group', 'turnover_by_label', 'account_balances', 'payment_reminders')
 ORDER BY 1;
-- no report calls another one: each is one statement over the shards
SELECT p.proname FROM pg_proc p
 WHERE p.pronamespace = 'client_registry'::regnamespace
   AND p.prosrc ~ 'client_registry\.(invoice_closings|open_items|turnover)\('
   AND p.proname IN ('invoice_closings', 'invoice_open_amount', 'open_items', 'aging', 'client_statement',
                     'turnover', 'turnover_by_group', 'turnover_by_label', 'account_balances', 'payment_reminders');
-- ported once: a second call changes nothing, and a report's callee that is
-- no longer an SQL function cannot be written out
SELECT count(*) AS ported_again FROM client_registry.citus_port_reports();
SELECT client_registry.citus_inline_report_calls('SELECT * FROM client_registry.turnover(''2026-01-01'', ''2026-01-31'') t');
-- debts on ledger accounts of a client settled by accounts (R4.4), in two
-- tenants: each report shows its own tenant's only
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 216;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (216001, 'own_company', 'UAB Savas', '110003978');
INSERT INTO client_registry.client (id, kind, name, settled_by) VALUES (216002, 'buyer', 'UAB Sąskaitos', 'accounts');
INSERT INTO client_registry.account_entry (id, client_id, ledger_account, side, entry_date, amount) VALUES
    (216101, 216002, '2410', 'receivable', '2026-11-03', 150.00),
    (216102, 216002, '2410', 'receivable', '2026-12-02', 50.00),
    (216103, 216002, '4430', 'payable', '2026-12-03', 20.00);
SET LOCAL client_registry.tenant = 217;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (217001, 'own_company', 'UAB Kitas', '110003978');
INSERT INTO client_registry.client (id, kind, name, settled_by) VALUES (217002, 'buyer', 'UAB Kita', 'accounts');
INSERT INTO client_registry.account_entry (id, client_id, ledger_account, side, entry_date, amount) VALUES
    (217101, 217002, '2410', 'receivable', '2026-12-02', 999.00);
COMMIT;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 216;
SELECT client_id, receivable, payable FROM client_registry.client_balance WHERE tenant_id = 216;
SELECT * FROM client_registry.client_statement(216002, '2026-12-01', '2026-12-31');
SELECT * FROM client_registry.turnover('2026-12-01', '2026-12-31');
SELECT * FROM client_registry.account_balances();
SELECT * FROM client_registry.account_balances('2026-11-30');
SELECT client_id, ledger_account, receivable, payable FROM client_registry.account_balance WHERE tenant_id = 216 ORDER BY 1, 2;
SELECT entry_kind, entry_id, receivable_change, payable_change FROM client_registry.debt_entry
 WHERE tenant_id = 216 ORDER BY entry_date, entry_id;
COMMIT;
-- called on their own, through the coordinator
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 216;
SELECT * FROM client_registry.open_items();
SELECT * FROM client_registry.aging();
SELECT * FROM client_registry.turnover_by_label('2026-12-01', '2026-12-31');
SELECT * FROM client_registry.payment_reminders(record => false);
SELECT count(*) > 0 AS credit_exposure_works FROM client_registry.credit_exposure;
ROLLBACK;
