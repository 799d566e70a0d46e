-- pgTAP contract of 0.2.0: invoices, VAT lines, payments, settlements,
-- running client balances and credit control (R4, R1.3, R4.1, R4.3, R4.5).
--
-- The shape of the new objects (tables, columns and types, keys, unique
-- indexes, foreign keys, triggers and their functions, row security, views,
-- comments, dump registration, privileges), the rules with their SQLSTATEs,
-- the happy paths, and the running balances checked against a full
-- recomputation.
--
-- Tenants used (all created and rolled back here):
--   9201  the main tenant of this file (the owner writes it; later also the
--         application role tap_cr_docs)
--   9202  a second tenant (same sales number; rows the role must not reach)
BEGIN;
SET search_path = client_registry, public;

SELECT plan(280);

-------------------------------------------------------------------------------
-- Tables, views, types
-------------------------------------------------------------------------------
SELECT has_table('client_registry', 'client_balance', 'table client_balance exists');
SELECT has_table('client_registry', 'invoice', 'table invoice exists');
SELECT has_table('client_registry', 'invoice_vat_line', 'table invoice_vat_line exists');
SELECT has_table('client_registry', 'payment', 'table payment exists');
SELECT has_table('client_registry', 'settlement', 'table settlement exists');
SELECT has_view('client_registry', 'invoice_list', 'view invoice_list exists');
SELECT has_view('client_registry', 'client_debt', 'view client_debt exists');
SELECT has_view('client_registry', 'client_balance_expected', 'view client_balance_expected exists');

SELECT enum_has_labels('client_registry', 'credit_control_mode', ARRAY['none', 'warn', 'strict'],
                       'credit_control_mode is none, warn, strict');
SELECT enum_has_labels('client_registry', 'document_direction', ARRAY['sale', 'purchase'],
                       'document_direction is sale, purchase');
SELECT enum_has_labels('client_registry', 'document_status', ARRAY['draft', 'posted', 'cancelled'],
                       'document_status is draft, posted, cancelled');
SELECT enum_has_labels('client_registry', 'isaf_invoice_type', ARRAY['SF', 'DS', 'KS', 'VS', 'VD', 'VK', 'AN'],
                       'isaf_invoice_type is SF, DS, KS, VS, VD, VK, AN');
SELECT enum_has_labels('client_registry', 'payment_direction', ARRAY['in', 'out'],
                       'payment_direction is in, out');

-------------------------------------------------------------------------------
-- Columns and types
-------------------------------------------------------------------------------
SELECT col_type_is('client_registry', 'client', 'credit_control', 'client_registry', 'credit_control_mode',
                   'client.credit_control is credit_control_mode');
SELECT col_type_is('client_registry', 'client', 'credit_limit', 'numeric(15,2)', 'client.credit_limit is numeric(15,2)');
SELECT col_not_null('client_registry', 'client', 'credit_control', 'client.credit_control is NOT NULL');

SELECT columns_are('client_registry', 'client_balance', ARRAY['tenant_id', 'client_id', 'receivable', 'payable'],
                   'client_balance has columns tenant_id, client_id, receivable, payable');
SELECT col_type_is('client_registry', 'client_balance', 'tenant_id', 'integer', 'client_balance.tenant_id is integer');
SELECT col_type_is('client_registry', 'client_balance', 'client_id', 'bigint', 'client_balance.client_id is bigint');
SELECT col_type_is('client_registry', 'client_balance', 'receivable', 'numeric(15,2)', 'client_balance.receivable is numeric(15,2)');
SELECT col_type_is('client_registry', 'client_balance', 'payable', 'numeric(15,2)', 'client_balance.payable is numeric(15,2)');

SELECT col_type_is('client_registry', 'invoice', 'id', 'bigint', 'invoice.id is bigint');
SELECT col_type_is('client_registry', 'invoice', 'tenant_id', 'integer', 'invoice.tenant_id is integer');
SELECT col_type_is('client_registry', 'invoice', 'client_id', 'bigint', 'invoice.client_id is bigint');
SELECT col_type_is('client_registry', 'invoice', 'direction', 'client_registry', 'document_direction', 'invoice.direction is document_direction');
SELECT col_type_is('client_registry', 'invoice', 'number', 'text', 'invoice.number is text');
SELECT col_type_is('client_registry', 'invoice', 'isaf_type', 'client_registry', 'isaf_invoice_type', 'invoice.isaf_type is isaf_invoice_type');
SELECT col_type_is('client_registry', 'invoice', 'status', 'client_registry', 'document_status', 'invoice.status is document_status');
SELECT col_type_is('client_registry', 'invoice', 'invoice_date', 'date', 'invoice.invoice_date is date');
SELECT col_type_is('client_registry', 'invoice', 'due_date', 'date', 'invoice.due_date is date');
SELECT col_type_is('client_registry', 'invoice', 'currency', 'text', 'invoice.currency is text');
SELECT col_type_is('client_registry', 'invoice', 'currency_rate', 'numeric(18,6)', 'invoice.currency_rate is numeric(18,6)');
SELECT col_type_is('client_registry', 'invoice', 'total_net', 'numeric(15,2)', 'invoice.total_net is numeric(15,2)');
SELECT col_type_is('client_registry', 'invoice', 'total_vat', 'numeric(15,2)', 'invoice.total_vat is numeric(15,2)');
SELECT col_type_is('client_registry', 'invoice', 'total_gross', 'numeric(15,2)', 'invoice.total_gross is numeric(15,2)');
SELECT col_type_is('client_registry', 'invoice', 'total_base', 'numeric(15,2)', 'invoice.total_base is numeric(15,2)');
SELECT col_type_is('client_registry', 'invoice', 'corrected_invoice_id', 'bigint', 'invoice.corrected_invoice_id is bigint');
SELECT col_type_is('client_registry', 'invoice', 'manager', 'text', 'invoice.manager is text');
SELECT col_type_is('client_registry', 'invoice', 'counterparty_name', 'text', 'invoice.counterparty_name is text');
SELECT col_type_is('client_registry', 'invoice', 'counterparty_company_code', 'text', 'invoice.counterparty_company_code is text');
SELECT col_type_is('client_registry', 'invoice', 'counterparty_vat_code', 'text', 'invoice.counterparty_vat_code is text');
SELECT col_type_is('client_registry', 'invoice', 'counterparty_country', 'text', 'invoice.counterparty_country is text');
SELECT col_type_is('client_registry', 'invoice', 'posted_at', 'timestamp with time zone', 'invoice.posted_at is timestamptz');
SELECT col_not_null('client_registry', 'invoice', 'client_id', 'invoice.client_id is NOT NULL');
SELECT col_not_null('client_registry', 'invoice', 'direction', 'invoice.direction is NOT NULL');
SELECT col_not_null('client_registry', 'invoice', 'number', 'invoice.number is NOT NULL');
SELECT col_not_null('client_registry', 'invoice', 'status', 'invoice.status is NOT NULL');
SELECT col_not_null('client_registry', 'invoice', 'invoice_date', 'invoice.invoice_date is NOT NULL');
SELECT col_not_null('client_registry', 'invoice', 'total_base', 'invoice.total_base is NOT NULL');

SELECT col_type_is('client_registry', 'invoice_vat_line', 'id', 'bigint', 'invoice_vat_line.id is bigint');
SELECT col_type_is('client_registry', 'invoice_vat_line', 'tenant_id', 'integer', 'invoice_vat_line.tenant_id is integer');
SELECT col_type_is('client_registry', 'invoice_vat_line', 'invoice_id', 'bigint', 'invoice_vat_line.invoice_id is bigint');
SELECT col_type_is('client_registry', 'invoice_vat_line', 'taxable_value', 'numeric(15,2)', 'invoice_vat_line.taxable_value is numeric(15,2)');
SELECT col_type_is('client_registry', 'invoice_vat_line', 'tax_code', 'text', 'invoice_vat_line.tax_code is text');
SELECT col_type_is('client_registry', 'invoice_vat_line', 'vat_rate', 'numeric(5,2)', 'invoice_vat_line.vat_rate is numeric(5,2)');
SELECT col_type_is('client_registry', 'invoice_vat_line', 'vat_amount', 'numeric(15,2)', 'invoice_vat_line.vat_amount is numeric(15,2)');

SELECT col_type_is('client_registry', 'payment', 'id', 'bigint', 'payment.id is bigint');
SELECT col_type_is('client_registry', 'payment', 'tenant_id', 'integer', 'payment.tenant_id is integer');
SELECT col_type_is('client_registry', 'payment', 'client_id', 'bigint', 'payment.client_id is bigint');
SELECT col_type_is('client_registry', 'payment', 'direction', 'client_registry', 'payment_direction', 'payment.direction is payment_direction');
SELECT col_type_is('client_registry', 'payment', 'payment_date', 'date', 'payment.payment_date is date');
SELECT col_type_is('client_registry', 'payment', 'amount', 'numeric(15,2)', 'payment.amount is numeric(15,2)');
SELECT col_type_is('client_registry', 'payment', 'currency', 'text', 'payment.currency is text');
SELECT col_type_is('client_registry', 'payment', 'currency_rate', 'numeric(18,6)', 'payment.currency_rate is numeric(18,6)');
SELECT col_type_is('client_registry', 'payment', 'amount_base', 'numeric(15,2)', 'payment.amount_base is numeric(15,2)');
SELECT col_type_is('client_registry', 'payment', 'reference', 'text', 'payment.reference is text');

SELECT col_type_is('client_registry', 'settlement', 'id', 'bigint', 'settlement.id is bigint');
SELECT col_type_is('client_registry', 'settlement', 'tenant_id', 'integer', 'settlement.tenant_id is integer');
SELECT col_type_is('client_registry', 'settlement', 'payment_id', 'bigint', 'settlement.payment_id is bigint');
SELECT col_type_is('client_registry', 'settlement', 'invoice_id', 'bigint', 'settlement.invoice_id is bigint');
SELECT col_type_is('client_registry', 'settlement', 'amount', 'numeric(15,2)', 'settlement.amount is numeric(15,2)');

-------------------------------------------------------------------------------
-- Keys and unique indexes
-------------------------------------------------------------------------------
SELECT col_is_pk('client_registry', 'client_balance', ARRAY['client_id', 'tenant_id'], 'client_balance: primary key (client_id, tenant_id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'invoice', ARRAY['tenant_id', 'id'], 'invoice: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'invoice_vat_line', ARRAY['tenant_id', 'id'], 'invoice_vat_line: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'payment', ARRAY['tenant_id', 'id'], 'payment: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'settlement', ARRAY['tenant_id', 'id'], 'settlement: primary key (tenant_id, id) (0.4.0, #17)');

SELECT index_is_unique('client_registry', 'invoice', 'invoice_sales_number_key', 'invoice_sales_number_key is unique');
SELECT has_index('client_registry', 'invoice', 'invoice_sales_number_key', ARRAY['tenant_id', 'number']::name[],
                 'invoice_sales_number_key is on (tenant_id, number)');
SELECT matches((SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i
            WHERE i.indexrelid = 'client_registry.invoice_sales_number_key'::regclass),
          '^\(direction = ''sale''::(client_registry\.)?document_direction\)$',
          'invoice_sales_number_key covers sales only (partial)');
SELECT index_is_unique('client_registry', 'invoice', 'invoice_purchase_number_key', 'invoice_purchase_number_key is unique');
SELECT has_index('client_registry', 'invoice', 'invoice_purchase_number_key', ARRAY['tenant_id', 'client_id', 'number']::name[],
                 'invoice_purchase_number_key is on (tenant_id, client_id, number)');
SELECT matches((SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i
            WHERE i.indexrelid = 'client_registry.invoice_purchase_number_key'::regclass),
          '^\(direction = ''purchase''::(client_registry\.)?document_direction\)$',
          'invoice_purchase_number_key covers purchases only (partial)');
SELECT index_is_unique('client_registry', 'payment', 'payment_reference_key', 'payment_reference_key is unique');
SELECT has_index('client_registry', 'payment', 'payment_reference_key', ARRAY['tenant_id', 'reference']::name[],
                 'payment_reference_key is on (tenant_id, reference)');
SELECT is((SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i
            WHERE i.indexrelid = 'client_registry.payment_reference_key'::regclass),
          '(reference IS NOT NULL)', 'payment_reference_key covers payments with a reference only (partial)');

-------------------------------------------------------------------------------
-- Foreign keys and what happens on delete
-------------------------------------------------------------------------------
SELECT fk_ok('client_registry', 'client_balance', ARRAY['tenant_id', 'client_id']::name[],
             'client_registry', 'client', ARRAY['tenant_id', 'id']::name[],
             'client_balance(tenant_id, client_id) references client(tenant_id, id)');
SELECT fk_ok('client_registry', 'invoice', ARRAY['tenant_id', 'client_id']::name[],
             'client_registry', 'client', ARRAY['tenant_id', 'id']::name[],
             'invoice(tenant_id, client_id) references client(tenant_id, id)');
SELECT fk_ok('client_registry', 'invoice', ARRAY['tenant_id', 'corrected_invoice_id']::name[],
             'client_registry', 'invoice', ARRAY['tenant_id', 'id']::name[],
             'invoice(tenant_id, corrected_invoice_id) references invoice(tenant_id, id)');
SELECT fk_ok('client_registry', 'invoice_vat_line', ARRAY['tenant_id', 'invoice_id']::name[],
             'client_registry', 'invoice', ARRAY['tenant_id', 'id']::name[],
             'invoice_vat_line(tenant_id, invoice_id) references invoice(tenant_id, id)');
SELECT fk_ok('client_registry', 'payment', ARRAY['tenant_id', 'client_id']::name[],
             'client_registry', 'client', ARRAY['tenant_id', 'id']::name[],
             'payment(tenant_id, client_id) references client(tenant_id, id)');
SELECT fk_ok('client_registry', 'settlement', ARRAY['tenant_id', 'payment_id']::name[],
             'client_registry', 'payment', ARRAY['tenant_id', 'id']::name[],
             'settlement(tenant_id, payment_id) references payment(tenant_id, id)');
SELECT fk_ok('client_registry', 'settlement', ARRAY['tenant_id', 'invoice_id']::name[],
             'client_registry', 'invoice', ARRAY['tenant_id', 'id']::name[],
             'settlement(tenant_id, invoice_id) references invoice(tenant_id, id)');
-- Lines go with their draft invoice, settlements with their payment, the
-- balance with its client; invoices and payments protect their client, and
-- settlements protect their invoice.
SELECT results_eq($$
    SELECT conname::text COLLATE "default", confdeltype::text FROM pg_constraint
     WHERE contype = 'f' AND connamespace = 'client_registry'::regnamespace
       AND conrelid IN ('client_registry.client_balance'::regclass, 'client_registry.invoice'::regclass,
                        'client_registry.invoice_vat_line'::regclass, 'client_registry.payment'::regclass,
                        'client_registry.settlement'::regclass)
     ORDER BY 1 $$,
    $$ VALUES ('client_balance_client_fkey', 'c'), ('invoice_client_fkey', 'a'), ('invoice_contract_fkey', 'a'),
              ('invoice_corrected_fkey', 'a'), ('invoice_vat_line_invoice_fkey', 'c'), ('payment_client_fkey', 'a'),
              ('payment_invoice_fkey', 'a'),
              ('settlement_invoice_fkey', 'a'), ('settlement_payment_fkey', 'c') $$,
    'the new foreign keys, and which of them cascade');

-------------------------------------------------------------------------------
-- Triggers and their functions
-------------------------------------------------------------------------------
SELECT triggers_are('client_registry', 'invoice',
                    ARRAY['invoice_00_tenant_guard',   -- 0.4.0 (09_tenant_boundary.sql)
                          'invoice_10_before_write', 'invoice_20_before_delete', 'invoice_30_balance_insert',
                          'invoice_31_balance_update', 'invoice_32_balance_delete',
                          -- 0.3.0: activity feed
                          'invoice_90_feed_insert', 'invoice_91_feed_update', 'invoice_92_feed_delete',
                          -- 0.4.0: the corrected_invoice_id shorthand of invoice_reference
                          'invoice_40_corrected_reference_insert', 'invoice_41_corrected_reference_update',
                          -- 0.4.0: bank entries detached by trigger (Citus, #17)
                          'invoice_25_detach_bank_entries'],
                    'invoice has exactly its five triggers (and the three feed triggers of 0.3.0, the two reference triggers of 0.4.0)');
SELECT triggers_are('client_registry', 'invoice_vat_line', ARRAY['invoice_vat_line_00_tenant_guard', 'invoice_vat_line_10_totals'],
                    'invoice_vat_line has exactly its totals trigger');
SELECT triggers_are('client_registry', 'payment', ARRAY['payment_00_tenant_guard', 'payment_10_before_write', 'payment_30_balance_insert',
                                                        'payment_31_balance_update', 'payment_32_balance_delete',
                                                        'payment_90_feed_insert', 'payment_91_feed_update', 'payment_92_feed_delete',
                                                        'payment_25_detach_bank_entries'],   -- 0.4.0 (#17)
                    'payment has exactly its four triggers (and the three feed triggers of 0.3.0)');
SELECT triggers_are('client_registry', 'settlement', ARRAY['settlement_00_tenant_guard', 'settlement_10_before_write'],
                    'settlement has exactly its trigger');
SELECT is((SELECT array_agg(tgname::text) FROM pg_trigger
            WHERE tgrelid = 'client_registry.client_balance'::regclass AND NOT tgisinternal),
          ARRAY['client_balance_00_tenant_guard'], 'client_balance has no trigger of its own but the tenant guard (only the C code writes it)');
SELECT trigger_is('client_registry', 'invoice', 'invoice_10_before_write', 'client_registry', 'invoice_before_write');
SELECT trigger_is('client_registry', 'invoice', 'invoice_20_before_delete', 'client_registry', 'invoice_before_delete');
SELECT trigger_is('client_registry', 'invoice', 'invoice_31_balance_update', 'client_registry', 'balance_after_statement');
SELECT trigger_is('client_registry', 'invoice_vat_line', 'invoice_vat_line_10_totals', 'client_registry', 'invoice_vat_line_after_write');
SELECT trigger_is('client_registry', 'payment', 'payment_10_before_write', 'client_registry', 'payment_before_write');
SELECT trigger_is('client_registry', 'payment', 'payment_30_balance_insert', 'client_registry', 'balance_after_statement');
SELECT trigger_is('client_registry', 'settlement', 'settlement_10_before_write', 'client_registry', 'settlement_before_write');
-- tgtype bits: 1 ROW, 2 BEFORE, 4 INSERT, 8 DELETE, 16 UPDATE
SELECT results_eq($$
    SELECT tgname::text COLLATE "default", tgtype::int FROM pg_trigger
     WHERE tgrelid IN ('client_registry.invoice'::regclass, 'client_registry.invoice_vat_line'::regclass,
                       'client_registry.payment'::regclass, 'client_registry.settlement'::regclass)
       AND NOT tgisinternal AND tgname !~ '_9[0-2]_feed_'   -- 0.3.0 feed triggers: 08_crm.sql
       AND tgname !~ '_00_tenant_guard$'                     -- 0.4.0: 09_tenant_boundary.sql
       AND tgname !~ '_25_detach_bank_entries$'              -- 0.4.0: 07_bank_import.sql (#17)
     ORDER BY 1 $$,
    $$ VALUES ('invoice_10_before_write', 23), ('invoice_20_before_delete', 11), ('invoice_30_balance_insert', 4),
              ('invoice_31_balance_update', 16), ('invoice_32_balance_delete', 8),
              ('invoice_40_corrected_reference_insert', 5), ('invoice_41_corrected_reference_update', 17),
              ('invoice_vat_line_10_totals', 29), ('payment_10_before_write', 23), ('payment_30_balance_insert', 4),
              ('payment_31_balance_update', 16), ('payment_32_balance_delete', 8),
              ('settlement_10_before_write', 31) $$,
    'timing and events: BEFORE INSERT OR UPDATE rules, BEFORE DELETE guard, AFTER ROW totals, AFTER STATEMENT balances (one per event, with transition tables)');

-------------------------------------------------------------------------------
-- Row security
-------------------------------------------------------------------------------
SELECT policies_are('client_registry', 'client_balance', ARRAY['tenant_isolation'], 'client_balance has policy tenant_isolation');
SELECT policies_are('client_registry', 'invoice', ARRAY['tenant_isolation'], 'invoice has policy tenant_isolation');
SELECT policies_are('client_registry', 'invoice_vat_line', ARRAY['tenant_isolation'], 'invoice_vat_line has policy tenant_isolation');
SELECT policies_are('client_registry', 'payment', ARRAY['tenant_isolation'], 'payment has policy tenant_isolation');
SELECT policies_are('client_registry', 'settlement', ARRAY['tenant_isolation'], 'settlement has policy tenant_isolation');
SELECT is((SELECT count(*)::int FROM pg_class
            WHERE oid IN ('client_registry.client_balance'::regclass, 'client_registry.invoice'::regclass,
                          'client_registry.invoice_vat_line'::regclass, 'client_registry.payment'::regclass,
                          'client_registry.settlement'::regclass)
              AND relrowsecurity),
          5, 'row security is enabled on the five new tables');
SELECT is((SELECT count(*)::int FROM pg_policies
            WHERE schemaname = 'client_registry'
              AND tablename IN ('client_balance', 'invoice', 'invoice_vat_line', 'payment', 'settlement')
              AND cmd = 'ALL' AND permissive = 'PERMISSIVE' AND roles = '{public}'
              AND qual ~ 'current_tenant\(\)' AND with_check ~ 'current_tenant\(\)'),
          5, 'each new policy is FOR ALL TO PUBLIC on current_tenant(), with USING and WITH CHECK');

-------------------------------------------------------------------------------
-- Views: security_invoker, comments
-------------------------------------------------------------------------------
SELECT ok(coalesce((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class
                     WHERE oid = 'client_registry.invoice_list'::regclass), false),
          'invoice_list is security_invoker');
SELECT ok(coalesce((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class
                     WHERE oid = 'client_registry.client_debt'::regclass), false),
          'client_debt is security_invoker');
SELECT ok(coalesce((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class
                     WHERE oid = 'client_registry.client_balance_expected'::regclass), false),
          'client_balance_expected is security_invoker');
SELECT is_empty($$
    SELECT relname FROM pg_class
     WHERE oid IN ('client_registry.client_balance'::regclass, 'client_registry.invoice'::regclass,
                   'client_registry.invoice_vat_line'::regclass, 'client_registry.payment'::regclass,
                   'client_registry.settlement'::regclass, 'client_registry.invoice_list'::regclass,
                   'client_registry.client_debt'::regclass, 'client_registry.client_balance_expected'::regclass)
       AND obj_description(oid, 'pg_class') IS NULL
$$, 'every new table and view has a comment');
SELECT is_empty($$
    SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.oid IN ('client_registry.client_balance'::regclass, 'client_registry.invoice'::regclass,
                     'client_registry.invoice_vat_line'::regclass, 'client_registry.payment'::regclass,
                     'client_registry.settlement'::regclass, 'client_registry.invoice_list'::regclass,
                     'client_registry.client_debt'::regclass, 'client_registry.client_balance_expected'::regclass)
       AND a.attnum > 0 AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL
$$, 'every column of the new tables and views has a comment');
SELECT is_empty($$
    SELECT t.typname FROM pg_type t
     WHERE t.oid IN ('client_registry.credit_control_mode'::regtype, 'client_registry.document_direction'::regtype,
                     'client_registry.document_status'::regtype, 'client_registry.isaf_invoice_type'::regtype,
                     'client_registry.payment_direction'::regtype)
       AND obj_description(t.oid, 'pg_type') IS NULL
$$, 'every new enum type has a comment');

-------------------------------------------------------------------------------
-- Dump registration: documents are dumped, the derived balances are not
-------------------------------------------------------------------------------
SELECT ok((SELECT ARRAY['client_registry.invoice', 'client_registry.invoice_vat_line', 'client_registry.payment',
                        'client_registry.settlement', 'client_registry.invoice_id_seq',
                        'client_registry.invoice_vat_line_id_seq', 'client_registry.payment_id_seq',
                        'client_registry.settlement_id_seq']::regclass[]
                  <@ extconfig::regclass[]
             FROM pg_extension WHERE extname = 'client_registry'),
          'invoice, invoice_vat_line, payment, settlement and their sequences are registered with pg_extension_config_dump');
SELECT ok((SELECT NOT ('client_registry.client_balance'::regclass::oid = ANY (extconfig))
             FROM pg_extension WHERE extname = 'client_registry'),
          'client_balance (derived data, rebuilt on restore) is not registered with pg_extension_config_dump');

-------------------------------------------------------------------------------
-- Functions and their privileges
-------------------------------------------------------------------------------
SELECT function_privs_are('client_registry', 'invoice_before_write', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute invoice_before_write()');
SELECT function_privs_are('client_registry', 'invoice_before_delete', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute invoice_before_delete()');
SELECT function_privs_are('client_registry', 'balance_after_statement', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute balance_after_statement()');
SELECT function_privs_are('client_registry', 'invoice_vat_line_after_write', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute invoice_vat_line_after_write()');
SELECT function_privs_are('client_registry', 'payment_before_write', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute payment_before_write()');
SELECT function_privs_are('client_registry', 'invoice_instalment_before_write', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute invoice_instalment_before_write()');
SELECT function_privs_are('client_registry', 'settlement_before_write', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute settlement_before_write()');
SELECT is_empty($$
    SELECT p.proname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
     WHERE p.oid IN ('client_registry.invoice_before_write()'::regprocedure,
                     'client_registry.invoice_before_delete()'::regprocedure,
                     'client_registry.balance_after_statement()'::regprocedure,
                     'client_registry.invoice_vat_line_after_write()'::regprocedure,
                     'client_registry.payment_before_write()'::regprocedure,
                     'client_registry.invoice_instalment_before_write()'::regprocedure,
                     'client_registry.settlement_before_write()'::regprocedure)
       AND (l.lanname <> 'c' OR p.prorettype <> 'trigger'::regtype OR p.prosecdef)
$$, 'the seven new trigger functions are C trigger functions, not SECURITY DEFINER');
SELECT has_function('client_registry', 'balance_discrepancies', ARRAY[]::name[], 'balance_discrepancies() exists');
SELECT has_function('client_registry', 'rebuild_balances', ARRAY[]::name[], 'rebuild_balances() exists');
SELECT function_privs_are('client_registry', 'rebuild_balances', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute rebuild_balances() (it rewrites a tenant''s balances)');

-------------------------------------------------------------------------------
-- Contracts and instalments (also 0.2.0): their shape only; the rules are in
-- the regression test contracts_settlement
-------------------------------------------------------------------------------
SELECT has_table('client_registry', 'contract', 'table contract exists');
SELECT has_table('client_registry', 'invoice_instalment', 'table invoice_instalment exists');
SELECT fk_ok('client_registry', 'invoice', ARRAY['tenant_id', 'contract_id']::name[],
             'client_registry', 'contract', ARRAY['tenant_id', 'id']::name[],
             'invoice(tenant_id, contract_id) references contract(tenant_id, id)');
SELECT fk_ok('client_registry', 'payment', ARRAY['tenant_id', 'invoice_id']::name[],
             'client_registry', 'invoice', ARRAY['tenant_id', 'id']::name[],
             'payment(tenant_id, invoice_id) references invoice(tenant_id, id)');
SELECT policies_are('client_registry', 'contract', ARRAY['tenant_isolation'], 'contract has policy tenant_isolation');
SELECT policies_are('client_registry', 'invoice_instalment', ARRAY['tenant_isolation'], 'invoice_instalment has policy tenant_isolation');
SELECT trigger_is('client_registry', 'invoice_instalment', 'invoice_instalment_10_draft_only',
                  'client_registry', 'invoice_instalment_before_write');
SELECT function_privs_are('client_registry', 'invoice_instalment_before_write', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute invoice_instalment_before_write()');

-------------------------------------------------------------------------------
-- Data: tenant 9201, written by the owner
-------------------------------------------------------------------------------
SET LOCAL client_registry.tenant = 9201;

-- cid(name): a client of tenant 9201 by name; iid(number): a sales invoice of
-- tenant 9201 by number; pid(supplier, number): a purchase invoice;
-- payid(reference): a payment of tenant 9201.
CREATE FUNCTION pg_temp.cid(text) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT id FROM client_registry.client WHERE tenant_id = 9201 AND name = $1 $$;
CREATE FUNCTION pg_temp.iid(text) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT id FROM client_registry.invoice WHERE tenant_id = 9201 AND direction = 'sale' AND number = $1 $$;
CREATE FUNCTION pg_temp.pid(text, text) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT i.id FROM client_registry.invoice i JOIN client_registry.client c ON c.id = i.client_id
           WHERE i.tenant_id = 9201 AND i.direction = 'purchase' AND c.name = $1 AND i.number = $2 $$;
CREATE FUNCTION pg_temp.payid(text) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT id FROM client_registry.payment WHERE tenant_id = 9201 AND reference = $1 $$;
-- attempt(sql): the SQLSTATE the statement fails with ('00000' when it would
-- succeed); its effects are always undone, so a rule that fails to refuse
-- does not change the data the later tests expect.
CREATE FUNCTION pg_temp.attempt(text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE $1;
    RAISE EXCEPTION 'undo' USING ERRCODE = 'P0T01';
EXCEPTION WHEN OTHERS THEN
    RETURN CASE WHEN SQLSTATE = 'P0T01' THEN '00000' ELSE SQLSTATE END;
END
$f$;

SELECT lives_ok($$
    INSERT INTO client (kind, name, company_code, vat_code) VALUES ('own_company', 'UAB Savi', '110003978', 'LT100001919017');
    INSERT INTO client (kind, name, company_code, vat_code, sales_tax_category, sales_payment_term_days,
                        manager, credit_control, credit_limit)
         VALUES ('buyer', 'UAB Pirkejas', '188772433', 'LT119511515', 'PVM1', 30, 'Ona', 'strict', 1000);
    INSERT INTO client (kind, name, company_code, sales_tax_category, manager, manager_priority, credit_control, credit_limit)
         VALUES ('buyer', 'UAB Ispejamas', '110443493', 'PVM1', 'Jonas', 'default_manager', 'warn', 100);
    INSERT INTO client (kind, name, company_code) VALUES ('buyer', 'UAB Be kategorijos', '124110246');
    INSERT INTO client (kind, legal_form, name, sales_tax_category, is_active)
         VALUES ('buyer', 'natural_person', 'Neaktyvus Pirkejas', 'PVM1', false);
    INSERT INTO client (kind, name, company_code, purchase_tax_category, purchase_payment_term_days)
         VALUES ('supplier', 'UAB Tiekejas', '112029651', 'PVM1', 10);
    INSERT INTO client (kind, name, company_code, purchase_tax_category)
         VALUES ('supplier', 'UAB Kitas tiekejas', '188710823', 'PVM1');
    INSERT INTO client (kind, name, company_code, sales_tax_category, purchase_tax_category)
         VALUES ('buyer_supplier', 'UAB Abipusis', '301692533', 'PVM1', 'PVM1')
$$, 'tenant 9201: own company, buyers (strict, warn, no tax category, inactive), suppliers, a buyer/supplier');

-------------------------------------------------------------------------------
-- Kind rules (R1.3) and totals on insert: 23514
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Tiekejas'), 'sale', 'X-1', '2026-11-01') $$,
    '23514', NULL, 'a sale to a supplier is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Pirkejas'), 'purchase', 'X-1', '2026-11-01') $$,
    '23514', NULL, 'a purchase from a buyer is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Savi'), 'sale', 'X-1', '2026-11-01') $$,
    '23514', NULL, 'a sale to the own company is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('Neaktyvus Pirkejas'), 'sale', 'X-1', '2026-11-01') $$,
    '23514', NULL, 'a sale to an inactive client is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Be kategorijos'), 'sale', 'X-1', '2026-11-01') $$,
    '23514', NULL, 'a sale to a buyer without a sales tax category is refused (23514)');
SELECT throws_like(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Be kategorijos'), 'sale', 'X-1', '2026-11-01') $$,
    '%"UAB Be kategorijos" has no sales tax category', 'the refusal names the client and the missing category');
SELECT throws_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date, total_net) VALUES (pg_temp.cid('UAB Pirkejas'), 'sale', 'X-1', '2026-11-01', 5) $$,
    '23514', NULL, 'an invoice inserted with a non-zero total_net is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date, total_gross, total_base) VALUES (pg_temp.cid('UAB Pirkejas'), 'sale', 'X-1', '2026-11-01', 5, 5) $$,
    '23514', NULL, 'an invoice inserted with non-zero total_gross/total_base is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date, status) VALUES (pg_temp.cid('UAB Pirkejas'), 'sale', 'X-1', '2026-11-01', 'cancelled') $$,
    '55000', NULL, 'an invoice cannot be created cancelled (55000)');

-------------------------------------------------------------------------------
-- A draft sale: snapshot, due date, manager, totals from the lines
-------------------------------------------------------------------------------
SELECT lives_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Pirkejas'), 'sale', 'SF-1', '2026-11-02') $$,
    'a draft sale to a buyer is inserted');
SELECT results_eq(
    $$ SELECT tenant_id, status::text, isaf_type::text, currency COLLATE "default", total_net, total_gross FROM invoice WHERE id = pg_temp.iid('SF-1') $$,
    $$ VALUES (9201, 'draft', 'SF', 'EUR', 0::numeric, 0::numeric) $$,
    'defaults: tenant from client_registry.tenant, status draft, type SF, EUR, totals 0');
SELECT is((SELECT due_date FROM invoice WHERE id = pg_temp.iid('SF-1')), '2026-12-02'::date,
          'due_date = invoice_date + the buyer''s sales_payment_term_days (30)');
SELECT is((SELECT manager FROM invoice WHERE id = pg_temp.iid('SF-1')), 'Ona',
          'the client''s manager is copied (manager_priority = client_manager)');
SELECT results_eq(
    $$ SELECT counterparty_name, counterparty_company_code COLLATE "default", counterparty_vat_code COLLATE "default",
              counterparty_country COLLATE "default"
         FROM invoice WHERE id = pg_temp.iid('SF-1') $$,
    $$ VALUES ('UAB Pirkejas'::text, '188772433'::text, 'LT119511515'::text, 'LT'::text) $$,
    'the counterparty (name, codes, country) is taken from the card');
SELECT is((SELECT posted_at FROM invoice WHERE id = pg_temp.iid('SF-1')), NULL::timestamptz, 'a draft has no posted_at');

SELECT lives_ok($$
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount)
    VALUES (pg_temp.iid('SF-1'), 500, 'PVM1', 21, 105), (pg_temp.iid('SF-1'), 100, 'PVM2', 9, 9)
$$, 'two VAT lines are added');
SELECT results_eq(
    $$ SELECT total_net, total_vat, total_gross, total_base FROM invoice WHERE id = pg_temp.iid('SF-1') $$,
    $$ VALUES (600::numeric, 114::numeric, 714::numeric, 714::numeric) $$,
    'totals are the sums of the lines; gross = net + VAT; base = gross at rate 1');
SELECT lives_ok(
    $$ UPDATE invoice_vat_line SET vat_rate = 21, vat_amount = 21 WHERE invoice_id = pg_temp.iid('SF-1') AND tax_code = 'PVM2' $$,
    'a line is updated');
SELECT results_eq(
    $$ SELECT total_net, total_vat, total_gross FROM invoice WHERE id = pg_temp.iid('SF-1') $$,
    $$ VALUES (600::numeric, 126::numeric, 726::numeric) $$, 'totals follow the updated line');
SELECT lives_ok(
    $$ DELETE FROM invoice_vat_line WHERE invoice_id = pg_temp.iid('SF-1') AND tax_code = 'PVM2' $$,
    'a line is deleted');
SELECT results_eq(
    $$ SELECT total_net, total_vat, total_gross FROM invoice WHERE id = pg_temp.iid('SF-1') $$,
    $$ VALUES (500::numeric, 105::numeric, 605::numeric) $$, 'totals follow the deleted line');
SELECT lives_ok(
    $$ INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (pg_temp.iid('SF-1'), 100, 'PVM1', 21, 21) $$,
    'the line is added back');
SELECT is_empty($$
    SELECT i.id FROM invoice i
      LEFT JOIN LATERAL (SELECT COALESCE(sum(l.taxable_value), 0) AS net, COALESCE(sum(l.vat_amount), 0) AS vat
                           FROM invoice_vat_line l WHERE l.invoice_id = i.id) s ON true
     WHERE i.tenant_id = 9201 AND (i.total_net, i.total_vat) IS DISTINCT FROM (s.net, s.vat)
$$, 'every invoice''s totals equal the sums of its lines');
SELECT is((SELECT receivable FROM client_debt WHERE client_id = pg_temp.cid('UAB Pirkejas')), 0::numeric,
          'a draft does not count in the buyer''s receivable');

SELECT throws_ok(
    $$ UPDATE invoice SET total_net = 1 WHERE id = pg_temp.iid('SF-1') $$,
    '23514', NULL, 'setting total_net by hand is refused (23514)');
SELECT throws_ok(
    $$ UPDATE invoice SET total_gross = 1 WHERE id = pg_temp.iid('SF-1') $$,
    '23514', NULL, 'setting total_gross by hand is refused (23514)');
SELECT throws_ok(
    $$ UPDATE invoice SET total_base = 1 WHERE id = pg_temp.iid('SF-1') $$,
    '23514', NULL, 'setting total_base by hand is refused (23514)');
-- R1.3 holds on UPDATE too: a draft's direction is part of its kind rule.
SELECT is(pg_temp.attempt($$ UPDATE invoice SET direction = 'purchase' WHERE id = pg_temp.iid('SF-1') $$),
          '23514', 'turning a draft sale to a (pure) buyer into a purchase is refused (23514)');
SELECT is(pg_temp.attempt($$ UPDATE invoice SET client_id = pg_temp.cid('UAB Tiekejas') WHERE id = pg_temp.iid('SF-1') $$),
          '23514', 'moving a draft sale to a supplier is refused (23514)');

-- Manager and due date: given values are kept, default_manager copies nothing.
SELECT lives_ok($$
    INSERT INTO invoice (client_id, direction, number, invoice_date, manager, due_date)
    VALUES (pg_temp.cid('UAB Pirkejas'), 'sale', 'SF-M', '2026-11-02', 'Petras', '2026-11-10');
    INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Ispejamas'), 'sale', 'W-1', '2026-11-02')
$$, 'a sale with its own manager and due date, and a sale to a default_manager buyer without terms');
SELECT results_eq(
    $$ SELECT manager, due_date FROM invoice WHERE id = pg_temp.iid('SF-M') $$,
    $$ VALUES ('Petras'::text, '2026-11-10'::date) $$, 'a given manager and due date are kept');
SELECT results_eq(
    $$ SELECT manager, due_date FROM invoice WHERE id = pg_temp.iid('W-1') $$,
    $$ VALUES (NULL::text, NULL::date) $$,
    'manager_priority = default_manager copies no manager; no payment terms, no due date');

-- Foreign currency: total_base = round(total_gross * currency_rate, 2).
SELECT lives_ok($$
    INSERT INTO invoice (client_id, direction, number, invoice_date, currency, currency_rate)
    VALUES (pg_temp.cid('UAB Pirkejas'), 'sale', 'USD-1', '2026-11-03', 'USD', 0.923456);
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.iid('USD-1'), 100, 21)
$$, 'a USD sale with one line');
SELECT results_eq(
    $$ SELECT total_gross, total_base, round(total_gross * currency_rate, 2) FROM invoice WHERE id = pg_temp.iid('USD-1') $$,
    $$ VALUES (121::numeric, 111.74::numeric, 111.74::numeric) $$,
    'total_base = round(121 * 0.923456, 2) = 111.74');
SELECT lives_ok($$ UPDATE invoice SET currency_rate = 1.5 WHERE id = pg_temp.iid('USD-1') $$,
                'the rate of a draft can change');
SELECT is((SELECT total_base FROM invoice WHERE id = pg_temp.iid('USD-1')), 181.50::numeric,
          'total_base follows the new rate (121 * 1.5)');

-------------------------------------------------------------------------------
-- Numbers: sales unique per tenant, purchases per supplier
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Ispejamas'), 'sale', 'SF-1', '2026-11-04') $$,
    '23505', NULL, 'a duplicate sales number in the tenant is refused, even for another buyer (23505)');
SELECT lives_ok($$
    INSERT INTO invoice (client_id, direction, number, invoice_date, registration_date)
    VALUES (pg_temp.cid('UAB Tiekejas'), 'purchase', 'A-100', '2026-11-01', '2026-11-03'),
           (pg_temp.cid('UAB Kitas tiekejas'), 'purchase', 'A-100', '2026-11-01', '2026-11-03')
$$, 'the same purchase number from two suppliers is accepted');
SELECT throws_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Tiekejas'), 'purchase', 'A-100', '2026-11-05') $$,
    '23505', NULL, 'the same purchase number twice from one supplier is refused (23505)');
SELECT lives_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Abipusis'), 'purchase', 'SF-1', '2026-11-05') $$,
    'a purchase may carry a number used by a sale');
SELECT is(pg_temp.attempt($$ UPDATE invoice SET direction = 'sale' WHERE id = pg_temp.pid('UAB Kitas tiekejas', 'A-100') $$),
          '23514', 'turning a draft purchase from a (pure) supplier into a sale is refused (23514)');
SELECT is((SELECT due_date FROM invoice WHERE id = pg_temp.pid('UAB Tiekejas', 'A-100')), '2026-11-11'::date,
          'a purchase''s due date = invoice_date + the supplier''s purchase_payment_term_days (10)');

-------------------------------------------------------------------------------
-- Posting and credit control (R4.1)
-------------------------------------------------------------------------------
SELECT lives_ok($$ UPDATE invoice SET status = 'posted' WHERE id = pg_temp.iid('SF-1') $$,
                'SF-1 (726) is posted within the strict limit of 1000');
SELECT ok((SELECT posted_at IS NOT NULL FROM invoice WHERE id = pg_temp.iid('SF-1')), 'posting sets posted_at');
SELECT results_eq(
    $$ SELECT receivable, payable, credit_available FROM client_debt WHERE client_id = pg_temp.cid('UAB Pirkejas') $$,
    $$ VALUES (726::numeric, 0::numeric, 274::numeric) $$,
    'client_debt after posting: receivable 726, credit available 274');
SELECT lives_ok($$
    INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Pirkejas'), 'sale', 'SF-2', '2026-11-04');
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.iid('SF-2'), 400, 84)
$$, 'a second draft sale of 484 is prepared');
SELECT throws_ok(
    $$ UPDATE invoice SET status = 'posted' WHERE id = pg_temp.iid('SF-2') $$,
    'R4001', NULL, 'posting it would take the debt to 1210 > 1000: refused under strict credit control (R4001)');
SELECT throws_like(
    $$ UPDATE invoice SET status = 'posted' WHERE id = pg_temp.iid('SF-2') $$,
    'sale SF-2 to client % "UAB Pirkejas" exceeds its credit limit of 1000%',
    'the refusal names the sale, the client and the limit');
SELECT results_eq(
    $$ SELECT (SELECT status::text FROM invoice WHERE id = pg_temp.iid('SF-2')),
              (SELECT receivable FROM client_balance WHERE client_id = pg_temp.cid('UAB Pirkejas')) $$,
    $$ VALUES ('draft'::text, 726::numeric) $$, 'the refused sale stays a draft and the balance is unchanged');
SELECT throws_ok(
    $$ INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.iid('SF-1'), 300, 63) $$,
    'R4001', NULL, 'a line that takes a posted sale beyond the strict limit is refused (R4001)');
SELECT throws_ok(
    $$ INSERT INTO invoice (client_id, direction, number, invoice_date, status) VALUES (pg_temp.cid('UAB Pirkejas'), 'sale', 'SF-P', '2026-11-04', 'posted');
       INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.iid('SF-P'), 1000, 0) $$,
    'R4001', NULL, 'lines of a sale inserted as posted are credit-checked too (R4001)');
SET LOCAL client_min_messages = error;   -- the expected WARNING would only clutter the TAP output
SELECT lives_ok(
    $$ INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.iid('W-1'), 200, 42);
       UPDATE invoice SET status = 'posted' WHERE id = pg_temp.iid('W-1') $$,
    'under warn credit control a sale of 242 beyond the limit of 100 is saved (with a WARNING)');
SET LOCAL client_min_messages = warning;
SELECT results_eq(
    $$ SELECT status::text, (SELECT receivable FROM client_debt WHERE client_id = pg_temp.cid('UAB Ispejamas')),
              (SELECT credit_available FROM client_debt WHERE client_id = pg_temp.cid('UAB Ispejamas'))
         FROM invoice WHERE id = pg_temp.iid('W-1') $$,
    $$ VALUES ('posted'::text, 242::numeric, -142::numeric) $$,
    'the warned sale is posted; receivable 242, credit available -142');
SELECT is((SELECT credit_available FROM client_debt WHERE client_id = pg_temp.cid('UAB Abipusis')), NULL::numeric,
          'credit_available is NULL without credit control');
SELECT throws_ok(
    $$ UPDATE client SET credit_control = 'strict', credit_limit = NULL WHERE id = pg_temp.cid('UAB Abipusis') $$,
    '23514', NULL, 'credit control without a limit is refused (23514)');
SELECT throws_ok(
    $$ UPDATE client SET credit_limit = -1 WHERE id = pg_temp.cid('UAB Abipusis') $$,
    '23514', NULL, 'a negative credit limit is refused (23514)');

-------------------------------------------------------------------------------
-- A posted invoice keeps its identity: 55000
-------------------------------------------------------------------------------
SELECT throws_ok($$ UPDATE invoice SET status = 'draft' WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'posted -> draft is refused (55000)');
SELECT throws_ok($$ UPDATE invoice SET number = 'SF-1A' WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'changing the number of a posted invoice is refused (55000)');
SELECT throws_ok($$ UPDATE invoice SET client_id = pg_temp.cid('UAB Abipusis') WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'changing the client of a posted invoice is refused (55000)');
SELECT throws_ok($$ UPDATE invoice SET invoice_date = '2026-10-01' WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'changing the date of a posted invoice is refused (55000)');
SELECT throws_ok($$ UPDATE invoice SET currency = 'USD' WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'changing the currency of a posted invoice is refused (55000)');
SELECT throws_ok($$ UPDATE invoice SET currency_rate = 2 WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'changing the rate of a posted invoice is refused (55000)');
SELECT throws_ok($$ DELETE FROM invoice WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'deleting a posted invoice is refused (55000)');
SELECT lives_ok($$ UPDATE invoice SET due_date = '2026-12-15' WHERE id = pg_temp.iid('SF-1') $$,
                'the due date of a posted invoice may change');
SELECT lives_ok($$ DELETE FROM invoice WHERE id = pg_temp.iid('SF-M') $$, 'a draft invoice can be deleted');
SELECT is((SELECT count(*)::int FROM invoice WHERE id = pg_temp.iid('SF-M')), 0, 'the draft is gone');

-- The counterparty as of the invoice survives a rename of the client.
SELECT lives_ok($$ UPDATE client SET name = 'UAB Pirkejas Naujas' WHERE id = pg_temp.cid('UAB Pirkejas') $$,
                'the buyer is renamed');
SELECT results_eq(
    $$ SELECT counterparty_name, client_name FROM invoice_list WHERE id = pg_temp.iid('SF-1') $$,
    $$ VALUES ('UAB Pirkejas'::text, 'UAB Pirkejas Naujas'::text) $$,
    'the invoice keeps the old name as its counterparty; invoice_list shows the client''s name today');
SELECT lives_ok($$ UPDATE client SET name = 'UAB Pirkejas' WHERE id = pg_temp.cid('UAB Pirkejas Naujas') $$,
                'the buyer gets its name back');

-- Invoices protect their client (R2.3).
SELECT throws_ok($$ DELETE FROM client WHERE id = pg_temp.cid('UAB Ispejamas') $$,
                 '23503', NULL, 'a client with invoices cannot be deleted (23503)');

-------------------------------------------------------------------------------
-- Purchases and the payable
-------------------------------------------------------------------------------
SELECT lives_ok($$
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.pid('UAB Tiekejas', 'A-100'), 1000, 210);
    UPDATE invoice SET status = 'posted' WHERE id = pg_temp.pid('UAB Tiekejas', 'A-100')
$$, 'a purchase of 1210 is posted');
SELECT results_eq(
    $$ SELECT receivable, payable FROM client_debt WHERE client_id = pg_temp.cid('UAB Tiekejas') $$,
    $$ VALUES (0::numeric, 1210::numeric) $$, 'client_debt after a posted purchase: payable 1210');

-------------------------------------------------------------------------------
-- Payments
-------------------------------------------------------------------------------
SELECT lives_ok($$
    INSERT INTO payment (client_id, direction, payment_date, amount, reference)
    VALUES (pg_temp.cid('UAB Pirkejas'), 'in', '2026-11-20', 700, 'BANK-1')
$$, 'a payment of 700 is received from the buyer');
SELECT is((SELECT receivable FROM client_debt WHERE client_id = pg_temp.cid('UAB Pirkejas')), 26::numeric,
          'a payment received lowers the receivable (726 - 700)');
SELECT lives_ok($$
    INSERT INTO payment (client_id, direction, payment_date, amount, reference)
    VALUES (pg_temp.cid('UAB Tiekejas'), 'out', '2026-11-20', 500, 'BANK-OUT-1')
$$, 'a payment of 500 is made to the supplier');
SELECT is((SELECT payable FROM client_debt WHERE client_id = pg_temp.cid('UAB Tiekejas')), 710::numeric,
          'a payment made lowers the payable (1210 - 500)');
SELECT lives_ok($$
    INSERT INTO payment (client_id, direction, payment_date, amount, currency, currency_rate, reference)
    VALUES (pg_temp.cid('UAB Pirkejas'), 'in', '2026-11-21', 50, 'USD', 0.9, 'BANK-USD')
$$, 'a USD payment of 50 at 0.9 is received');
SELECT is((SELECT amount_base FROM payment WHERE id = pg_temp.payid('BANK-USD')), 45.00::numeric,
          'amount_base = round(amount * rate, 2)');
SELECT is((SELECT receivable FROM client_debt WHERE client_id = pg_temp.cid('UAB Pirkejas')), -19::numeric,
          'the base amount lowers the receivable (26 - 45)');
SELECT throws_ok($$
    INSERT INTO payment (client_id, direction, payment_date, amount, reference)
    VALUES (pg_temp.cid('UAB Pirkejas'), 'in', '2026-11-22', 1, 'BANK-1')
$$, '23505', NULL, 'a duplicate payment reference in the tenant is refused (23505)');
SELECT lives_ok($$ DELETE FROM payment WHERE id = pg_temp.payid('BANK-USD') $$, 'the USD payment is deleted');
SELECT is((SELECT receivable FROM client_debt WHERE client_id = pg_temp.cid('UAB Pirkejas')), 26::numeric,
          'deleting a payment restores the receivable');

-------------------------------------------------------------------------------
-- Settlements (R4.5)
-------------------------------------------------------------------------------
SELECT lives_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('BANK-1'), pg_temp.iid('SF-1'), 500)
$$, 'BANK-1 settles 500 of SF-1');
SELECT is((SELECT open_amount FROM invoice_list WHERE id = pg_temp.iid('SF-1')), 226::numeric,
          'invoice_list: open amount of SF-1 is 726 - 500');
SELECT is((SELECT receivable FROM client_debt WHERE client_id = pg_temp.cid('UAB Pirkejas')), 26::numeric,
          'a settlement does not move the balance (the payment already did)');
SELECT lives_ok($$
    INSERT INTO payment (client_id, direction, payment_date, amount, reference) VALUES
        (pg_temp.cid('UAB Pirkejas'), 'in', '2026-11-21', 600, 'BANK-2'),
        (pg_temp.cid('UAB Pirkejas'), 'in', '2026-11-21', 50, 'BANK-3'),
        (pg_temp.cid('UAB Pirkejas'), 'out', '2026-11-21', 10, 'REFUND-1'),
        (pg_temp.cid('UAB Ispejamas'), 'in', '2026-11-21', 100, 'BANK-W');
    INSERT INTO payment (client_id, direction, payment_date, amount, currency, currency_rate, reference)
    VALUES (pg_temp.cid('UAB Pirkejas'), 'in', '2026-11-21', 50, 'USD', 0.9, 'BANK-USD2');
    INSERT INTO payment (client_id, direction, payment_date, amount, reference)
    VALUES (pg_temp.cid('UAB Tiekejas'), 'in', '2026-11-21', 20, 'BANK-S')
$$, 'more payments for the settlement rules');
SELECT throws_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('BANK-2'), pg_temp.iid('SF-1'), 300)
$$, '23514', NULL, 'settling beyond the invoice''s open amount (300 > 226) is refused (23514)');
SELECT throws_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('BANK-3'), pg_temp.iid('SF-1'), 60)
$$, '23514', NULL, 'settling beyond the payment''s unused amount (60 > 50) is refused (23514)');
SELECT throws_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('BANK-1'), pg_temp.iid('SF-1'), 201)
$$, '23514', NULL, 'settling beyond what is left of a partly used payment (201 > 200) is refused (23514)');
SELECT throws_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('REFUND-1'), pg_temp.iid('SF-1'), 10)
$$, '23514', NULL, 'a payment made cannot settle a sales invoice (wrong direction, 23514)');
SELECT throws_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('BANK-S'), pg_temp.pid('UAB Tiekejas', 'A-100'), 10)
$$, '23514', NULL, 'a payment received cannot settle a purchase invoice (wrong direction, 23514)');
SELECT throws_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('BANK-W'), pg_temp.iid('SF-1'), 10)
$$, '23514', NULL, 'a payment of another client cannot settle the invoice (23514)');
SELECT throws_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount, payment_amount) VALUES (pg_temp.payid('BANK-USD2'), pg_temp.iid('SF-1'), 10, 0.001)
$$, '23514', NULL, 'a payment in another currency that would use less than a cent of it is refused (23514; 0.4.0 settles across currencies: 11_debts.sql)');
SELECT throws_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('BANK-2'), pg_temp.iid('SF-2'), 10)
$$, '23514', NULL, 'a draft invoice cannot be settled (23514)');
SELECT throws_ok($$
    UPDATE settlement SET amount = 727 WHERE payment_id = pg_temp.payid('BANK-1')
$$, '23514', NULL, 'raising a settlement beyond the open amount by UPDATE (727 > 726) is refused (23514)');
SELECT throws_ok($$ UPDATE payment SET amount = 400 WHERE id = pg_temp.payid('BANK-1') $$,
                 '23514', NULL, 'a payment amount below what it settles (400 < 500) is refused (23514)');
SELECT throws_ok($$ UPDATE payment SET client_id = pg_temp.cid('UAB Ispejamas') WHERE id = pg_temp.payid('BANK-1') $$,
                 '23514', NULL, 'a payment that settles invoices cannot move to another client (23514)');
SELECT lives_ok($$ UPDATE payment SET amount = 500 WHERE id = pg_temp.payid('BANK-1') $$,
                'a payment amount down to exactly what it settles is accepted');
SELECT is((SELECT receivable FROM client_debt WHERE client_id = pg_temp.cid('UAB Pirkejas')), 726 - 500 - 600 - 50 - 45::numeric,
          'changing a payment amount moves the receivable (726 - 500 - 600 - 50 - 45)');
SELECT lives_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('BANK-2'), pg_temp.iid('SF-1'), 226)
$$, 'BANK-2 settles the rest of SF-1 (226)');
SELECT is((SELECT open_amount FROM invoice_list WHERE id = pg_temp.iid('SF-1')), 0::numeric, 'SF-1 is fully settled');
SELECT lives_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('BANK-OUT-1'), pg_temp.pid('UAB Tiekejas', 'A-100'), 500)
$$, 'a payment made settles a purchase invoice');

-------------------------------------------------------------------------------
-- Cancelling; a cancelled invoice is final
-------------------------------------------------------------------------------
SELECT throws_ok($$ UPDATE invoice SET status = 'cancelled' WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'cancelling an invoice that payments settle is refused (55000)');
SELECT throws_ok($$ UPDATE invoice SET status = 'cancelled' WHERE id = pg_temp.pid('UAB Tiekejas', 'A-100') $$,
                 '55000', NULL, 'cancelling a settled purchase invoice is refused (55000)');
SELECT lives_ok($$
    DELETE FROM settlement WHERE invoice_id = pg_temp.iid('SF-1');
    UPDATE invoice SET status = 'cancelled' WHERE id = pg_temp.iid('SF-1')
$$, 'after its settlements are deleted SF-1 is cancelled');
SELECT is((SELECT receivable FROM client_debt WHERE client_id = pg_temp.cid('UAB Pirkejas')), -1195::numeric,
          'cancelling a posted sale takes it out of the receivable (-469 - 726)');
SELECT throws_ok($$ UPDATE invoice SET due_date = '2027-01-01' WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'any change to a cancelled invoice is refused (due date, 55000)');
SELECT throws_ok($$ UPDATE invoice SET status = 'posted' WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'a cancelled invoice cannot be posted again (55000)');
SELECT throws_ok($$ UPDATE invoice SET status = 'cancelled' WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'even a no-op update of a cancelled invoice is refused (55000)');
SELECT throws_ok($$ INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.iid('SF-1'), 1, 0) $$,
                 '55000', NULL, 'a VAT line cannot be added to a cancelled invoice (55000)');
SELECT throws_ok($$ DELETE FROM invoice_vat_line WHERE invoice_id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'a VAT line of a cancelled invoice cannot be deleted (55000)');
SELECT throws_ok($$ DELETE FROM invoice WHERE id = pg_temp.iid('SF-1') $$,
                 '55000', NULL, 'a cancelled invoice cannot be deleted (55000)');
SELECT lives_ok($$ UPDATE invoice SET status = 'cancelled' WHERE id = pg_temp.iid('SF-2') $$,
                'a draft can be cancelled');
SELECT results_eq(
    $$ SELECT receivable, payable FROM client_debt WHERE client_id = pg_temp.cid('UAB Pirkejas') $$,
    $$ VALUES (-1195::numeric, -10::numeric) $$,
    'cancelling a draft does not move the balance; the refund paid out to the buyer is in its payable');

-------------------------------------------------------------------------------
-- A mix of operations, then the running balances against a full recomputation
-------------------------------------------------------------------------------
SELECT lives_ok($$
    -- a posted sale in USD to the buyer/supplier, a line changed after posting
    INSERT INTO invoice (client_id, direction, number, invoice_date, currency, currency_rate)
    VALUES (pg_temp.cid('UAB Abipusis'), 'sale', 'MIX-1', '2026-11-10', 'USD', 0.923456);
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount)
    VALUES (pg_temp.iid('MIX-1'), 333.33, 70), (pg_temp.iid('MIX-1'), 0.01, 0);
    UPDATE invoice SET status = 'posted' WHERE id = pg_temp.iid('MIX-1');
    UPDATE invoice_vat_line SET taxable_value = 12.34 WHERE invoice_id = pg_temp.iid('MIX-1') AND taxable_value = 0.01;
    -- a purchase from the same buyer/supplier, posted with lines added later
    INSERT INTO invoice (client_id, direction, number, invoice_date, status)
    VALUES (pg_temp.cid('UAB Abipusis'), 'purchase', 'B-7', '2026-11-10', 'posted');
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.pid('UAB Abipusis', 'B-7'), 80, 16.8);
    DELETE FROM invoice_vat_line WHERE invoice_id = pg_temp.pid('UAB Abipusis', 'B-7') AND taxable_value = 80;
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.pid('UAB Abipusis', 'B-7'), 90, 18.9);
    -- a posted purchase from the other supplier, then cancelled
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.pid('UAB Kitas tiekejas', 'A-100'), 50, 10.5);
    UPDATE invoice SET status = 'posted' WHERE id = pg_temp.pid('UAB Kitas tiekejas', 'A-100');
    UPDATE invoice SET status = 'cancelled' WHERE id = pg_temp.pid('UAB Kitas tiekejas', 'A-100');
    -- payments: in and out, changed amount, changed direction, changed client, deleted
    INSERT INTO payment (client_id, direction, payment_date, amount, currency, currency_rate, reference)
    VALUES (pg_temp.cid('UAB Abipusis'), 'in', '2026-11-12', 99.99, 'USD', 0.923456, 'MIX-P1'),
           (pg_temp.cid('UAB Abipusis'), 'out', '2026-11-12', 40, 'EUR', 1, 'MIX-P2'),
           (pg_temp.cid('UAB Abipusis'), 'in', '2026-11-12', 5, 'EUR', 1, 'MIX-P3'),
           (pg_temp.cid('UAB Abipusis'), 'in', '2026-11-12', 7, 'EUR', 1, 'MIX-P4');
    UPDATE payment SET amount = 120.5 WHERE reference = 'MIX-P1';
    UPDATE payment SET direction = 'out' WHERE reference = 'MIX-P3';
    UPDATE payment SET client_id = pg_temp.cid('UAB Ispejamas') WHERE reference = 'MIX-P4';
    DELETE FROM payment WHERE reference = 'BANK-3';
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('MIX-P1'), pg_temp.iid('MIX-1'), 100);
    DELETE FROM payment WHERE reference = 'MIX-P1';
    -- a draft deleted with its lines
    INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Pirkejas'), 'sale', 'MIX-D', '2026-11-12');
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.iid('MIX-D'), 10, 2.1);
    DELETE FROM invoice WHERE id = pg_temp.iid('MIX-D')
$$, 'a mix of postings, line changes, cancellations, payment changes and deletions runs');
SELECT is((SELECT total_base FROM invoice WHERE id = pg_temp.iid('MIX-1')),
          round((333.33 + 70 + 12.34) * 0.923456, 2),
          'MIX-1: total_base = round(gross * rate, 2) after a line changed on the posted invoice');
-- An independent recomputation of every client of tenant 9201.
SELECT is_empty($$
    WITH expected AS (
        SELECT c.id AS client_id,
               COALESCE((SELECT sum(round((i.total_net + i.total_vat) * i.currency_rate, 2)) FROM invoice i
                          WHERE i.client_id = c.id AND i.status = 'posted' AND i.direction = 'sale'), 0)
             - COALESCE((SELECT sum(round(p.amount * p.currency_rate, 2)) FROM payment p
                          WHERE p.client_id = c.id AND p.direction = 'in'), 0) AS receivable,
               COALESCE((SELECT sum(round((i.total_net + i.total_vat) * i.currency_rate, 2)) FROM invoice i
                          WHERE i.client_id = c.id AND i.status = 'posted' AND i.direction = 'purchase'), 0)
             - COALESCE((SELECT sum(round(p.amount * p.currency_rate, 2)) FROM payment p
                          WHERE p.client_id = c.id AND p.direction = 'out'), 0) AS payable
          FROM client c WHERE c.tenant_id = 9201)
    SELECT e.client_id, e.receivable, e.payable, b.receivable, b.payable
      FROM expected e LEFT JOIN client_balance b ON b.client_id = e.client_id
     WHERE COALESCE(b.receivable, 0) <> e.receivable OR COALESCE(b.payable, 0) <> e.payable
$$, 'client_balance equals a full recomputation from posted invoices and payments');
SELECT is_empty($$ SELECT * FROM balance_discrepancies() $$, 'balance_discrepancies() finds nothing');
SELECT results_eq(
    $$ SELECT receivable, payable FROM client_debt WHERE client_id = pg_temp.cid('UAB Abipusis') $$,
    $$ VALUES (round((333.33 + 70 + 12.34) * 0.923456, 2), 90 + 18.9 - 40 - 5::numeric) $$,
    'the buyer/supplier: receivable = MIX-1 in base currency; payable = B-7 - 40 - 5');
SELECT is((SELECT count(*)::int FROM client_balance b
            WHERE b.tenant_id = 9201
              AND NOT EXISTS (SELECT 1 FROM client c WHERE c.id = b.client_id AND c.tenant_id = b.tenant_id)),
          0, 'no balance row without its client');

-------------------------------------------------------------------------------
-- A second tenant
-------------------------------------------------------------------------------
SET LOCAL client_registry.tenant = 9202;
SELECT lives_ok($$
    INSERT INTO client (kind, name, company_code) VALUES ('own_company', 'UAB Kita imone', '188772433');
    INSERT INTO client (kind, name, company_code, sales_tax_category) VALUES ('buyer', 'UAB Kito pirkejas', '110003978', 'PVM1');
    INSERT INTO invoice (client_id, direction, number, invoice_date)
         SELECT id, 'sale', n, '2026-11-02' FROM client, unnest(ARRAY['SF-1', 'SECRET-9202']) AS n
          WHERE tenant_id = 9202 AND kind = 'buyer';
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount)
         SELECT id, 100, 21 FROM invoice WHERE tenant_id = 9202;
    UPDATE invoice SET status = 'posted' WHERE tenant_id = 9202
$$, 'tenant 9202 posts its own sales invoices SF-1 (the number is per tenant) and SECRET-9202');
SELECT throws_ok($$
    INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Pirkejas'), 'sale', 'SF-X', '2026-11-02')
$$, '23503', NULL, 'the owner cannot invoice, under tenant 9202, a client of tenant 9201 (23503)');

-------------------------------------------------------------------------------
-- The application role
-------------------------------------------------------------------------------
CREATE TEMP TABLE tap_doc_ids AS
    SELECT 'invoice'::text AS what, tenant_id, id, number AS label FROM client_registry.invoice WHERE tenant_id IN (9201, 9202)
    UNION ALL
    SELECT 'client', tenant_id, id, name FROM client_registry.client WHERE tenant_id IN (9201, 9202)
    UNION ALL
    SELECT 'payment', tenant_id, id, reference FROM client_registry.payment WHERE tenant_id IN (9201, 9202);
CREATE FUNCTION pg_temp.tid(text, integer, text) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT id FROM tap_doc_ids WHERE what = $1 AND tenant_id = $2 AND label = $3 $$;
-- sqlerr(sql): 'SQLSTATE: message' of the failure, NULL when the statement succeeds.
CREATE FUNCTION pg_temp.sqlerr(text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE $1;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$f$;

CREATE ROLE tap_cr_docs NOLOGIN;
DO $$ BEGIN PERFORM client_registry.grant_all_tenants('tap_cr_docs'); END $$;   -- 0.4.0: a member of every tenant it sets
GRANT USAGE ON SCHEMA client_registry TO tap_cr_docs;
GRANT SELECT ON client_registry.tenant, client_registry.client, client_registry.client_balance TO tap_cr_docs;
-- The invoice rules look up contracts and instalments with the caller's rights.
GRANT SELECT ON client_registry.contract, client_registry.invoice_instalment TO tap_cr_docs;
GRANT SELECT, INSERT, UPDATE, DELETE ON client_registry.invoice, client_registry.invoice_vat_line,
    client_registry.payment, client_registry.settlement TO tap_cr_docs;
-- 0.4.0: invoice_list reads what credit notes and offsets closed
GRANT SELECT ON client_registry.debt_offset_line TO tap_cr_docs;
GRANT SELECT ON client_registry.invoice_list, client_registry.client_debt TO tap_cr_docs;
GRANT SELECT ON tap_doc_ids TO tap_cr_docs;

SET LOCAL client_registry.tenant = 9201;
SET ROLE tap_cr_docs;

SELECT is(current_user::text, 'tap_cr_docs', 'running as the application role');
SELECT is((SELECT count(*)::int FROM invoice WHERE tenant_id = 9202), 0, 'the role does not see tenant 9202''s invoices');
SELECT results_eq($$ SELECT DISTINCT tenant_id FROM invoice_list $$, ARRAY[9201],
                  'invoice_list (security_invoker) shows only the current tenant');
SELECT results_eq($$ SELECT DISTINCT tenant_id FROM client_debt $$, ARRAY[9201],
                  'client_debt (security_invoker) shows only the current tenant');
SELECT throws_ok($$
    INSERT INTO invoice (tenant_id, client_id, direction, number, invoice_date)
    VALUES (9202, pg_temp.tid('client', 9202, 'UAB Kito pirkejas'), 'sale', 'SF-HACK', '2026-11-02')
$$, '42501', NULL, 'the role cannot write an invoice of another tenant (42501)');
SELECT throws_ok($$
    UPDATE invoice SET tenant_id = 9202 WHERE id = pg_temp.iid('USD-1')
$$, '42501', NULL, 'the role cannot move its invoice to another tenant (42501)');
SELECT throws_ok($$
    INSERT INTO invoice_vat_line (tenant_id, invoice_id, taxable_value, vat_amount)
    VALUES (9202, pg_temp.tid('invoice', 9202, 'SF-1'), 1, 0)
$$, '42501', NULL, 'the role cannot add a VAT line to another tenant''s invoice (42501)');
SELECT throws_ok($$
    INSERT INTO payment (tenant_id, client_id, direction, payment_date, amount)
    VALUES (9202, pg_temp.tid('client', 9202, 'UAB Kito pirkejas'), 'in', '2026-11-20', 1)
$$, '42501', NULL, 'the role cannot write a payment of another tenant (42501)');
SELECT lives_ok($$
    UPDATE invoice SET due_date = '2030-01-01' WHERE tenant_id = 9202;
    UPDATE invoice SET status = 'cancelled' WHERE id = pg_temp.tid('invoice', 9202, 'SF-1');
    DELETE FROM invoice_vat_line WHERE invoice_id = pg_temp.tid('invoice', 9202, 'SF-1')
$$, 'UPDATE and DELETE aimed at the other tenant run (and touch nothing)');
-- A settlement of the own payment against the other tenant's invoice must be
-- refused as a missing row (23503), without the trigger reading, locking or
-- naming the other tenant's invoice.
SELECT throws_ok($$
    INSERT INTO settlement (payment_id, invoice_id, amount)
    VALUES (pg_temp.payid('BANK-2'), pg_temp.tid('invoice', 9202, 'SECRET-9202'), 1)
$$, '23503', NULL,
    'a settlement pointing at another tenant''s invoice fails as a missing invoice (23503), not with a rule that read it');
SELECT unalike(pg_temp.sqlerr($$
    INSERT INTO settlement (payment_id, invoice_id, amount)
    VALUES (pg_temp.payid('BANK-2'), pg_temp.tid('invoice', 9202, 'SECRET-9202'), 1)
$$), '%SECRET-9202%',
    'the refusal does not reveal the other tenant''s invoice number');
SELECT lives_ok($$
    INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (pg_temp.cid('UAB Abipusis'), 'sale', 'APP-1', '2026-11-15');
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (pg_temp.iid('APP-1'), 10, 2.1);
    UPDATE invoice SET status = 'posted' WHERE id = pg_temp.iid('APP-1');
    INSERT INTO payment (client_id, direction, payment_date, amount, reference) VALUES (pg_temp.cid('UAB Abipusis'), 'in', '2026-11-16', 12.1, 'APP-P');
    INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (pg_temp.payid('APP-P'), pg_temp.iid('APP-1'), 12.1)
$$, 'the role writes, posts, pays and settles an invoice in its own tenant (without rights on client_balance)');
SELECT is((SELECT open_amount FROM invoice_list WHERE id = pg_temp.iid('APP-1')), 0::numeric,
          'the role''s invoice is settled');
SELECT throws_ok($$ SELECT client_registry.balance_after_statement() $$,
                 '42501', NULL, 'the role cannot call a trigger function (42501)');

RESET ROLE;

SELECT results_eq(
    $$ SELECT status::text, due_date, total_gross FROM invoice WHERE tenant_id = 9202 AND number = 'SF-1' $$,
    $$ VALUES ('posted'::text, NULL::date, 121::numeric) $$,
    'tenant 9202''s invoice was not changed by the role');
SELECT is((SELECT receivable FROM client_balance b JOIN client c ON c.id = b.client_id
            WHERE c.tenant_id = 9202 AND c.kind = 'buyer'), 242::numeric,
          'tenant 9202''s balance was not changed by the role');
SET LOCAL client_registry.tenant = 9201;
SELECT is_empty($$ SELECT * FROM balance_discrepancies() $$,
                'tenant 9201''s balances still equal a full recomputation after the role''s work');

SELECT * FROM finish();
ROLLBACK;
