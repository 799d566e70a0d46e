-- pgTAP contract: the shape of the client_registry schema.
-- Tables, views, key columns and their types, keys and unique indexes,
-- foreign keys, triggers and their functions, comments, security_invoker
-- views, pg_extension_config_dump registration, and the validators used by
-- CHECK constraints.
BEGIN;
SET search_path = client_registry, public;

SELECT plan(143);

-------------------------------------------------------------------------------
-- Schema, tables, views
-------------------------------------------------------------------------------
SELECT has_schema('client_registry');
SELECT is((SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
            WHERE e.extname = 'client_registry'),
          'client_registry', 'the extension lives in schema client_registry');

SELECT has_table('client_registry', 'tenant', 'table tenant exists');
SELECT has_table('client_registry', 'client', 'table client exists');
SELECT has_table('client_registry', 'client_address', 'table client_address exists');
SELECT has_table('client_registry', 'client_bank_account', 'table client_bank_account exists');
SELECT has_table('client_registry', 'client_contact', 'table client_contact exists');
SELECT has_table('client_registry', 'client_group', 'table client_group exists');
SELECT has_table('client_registry', 'client_group_member', 'table client_group_member exists');
SELECT has_table('client_registry', 'label', 'table label exists');
SELECT has_table('client_registry', 'client_label', 'table client_label exists');

SELECT has_view('client_registry', 'client_card', 'view client_card exists');
SELECT has_view('client_registry', 'client_address_list', 'view client_address_list exists');
SELECT has_view('client_registry', 'client_bank_account_list', 'view client_bank_account_list exists');
SELECT has_view('client_registry', 'client_contact_list', 'view client_contact_list exists');
SELECT has_view('client_registry', 'custom_field', 'view custom_field exists');

-------------------------------------------------------------------------------
-- Key columns and types
-------------------------------------------------------------------------------
SELECT col_type_is('client_registry', 'tenant', 'id', 'integer', 'tenant.id is integer');
SELECT col_type_is('client_registry', 'tenant', 'custom_fields', 'jsonb', 'tenant.custom_fields is jsonb');

SELECT col_type_is('client_registry', 'client', 'id', 'bigint', 'client.id is bigint');
SELECT col_type_is('client_registry', 'client', 'tenant_id', 'integer', 'client.tenant_id is integer');
SELECT col_type_is('client_registry', 'client', 'kind', 'client_registry', 'client_kind', 'client.kind is client_kind');
SELECT col_type_is('client_registry', 'client', 'legal_form', 'client_registry', 'legal_form', 'client.legal_form is legal_form');
SELECT col_type_is('client_registry', 'client', 'name', 'text', 'client.name is text');
SELECT col_type_is('client_registry', 'client', 'company_code', 'text', 'client.company_code is text');
SELECT col_type_is('client_registry', 'client', 'vat_code', 'text', 'client.vat_code is text');
SELECT col_type_is('client_registry', 'client', 'email', 'text', 'client.email is text');
SELECT col_type_is('client_registry', 'client', 'country', 'text', 'client.country is text');
SELECT col_type_is('client_registry', 'client', 'is_active', 'boolean', 'client.is_active is boolean');
SELECT col_type_is('client_registry', 'client', 'custom_fields', 'jsonb', 'client.custom_fields is jsonb');
SELECT col_type_is('client_registry', 'client', 'updated_at', 'timestamp with time zone', 'client.updated_at is timestamptz');
SELECT col_not_null('client_registry', 'client', 'tenant_id', 'client.tenant_id is NOT NULL');
SELECT col_not_null('client_registry', 'client', 'name', 'client.name is NOT NULL');
SELECT col_not_null('client_registry', 'client', 'kind', 'client.kind is NOT NULL');
SELECT col_not_null('client_registry', 'client', 'country', 'client.country is NOT NULL');

SELECT col_type_is('client_registry', 'client_address', 'id', 'bigint', 'client_address.id is bigint');
SELECT col_type_is('client_registry', 'client_address', 'tenant_id', 'integer', 'client_address.tenant_id is integer');
SELECT col_type_is('client_registry', 'client_address', 'client_id', 'bigint', 'client_address.client_id is bigint');
SELECT col_type_is('client_registry', 'client_address', 'is_primary', 'boolean', 'client_address.is_primary is boolean');
SELECT col_type_is('client_registry', 'client_address', 'address_type', 'client_registry', 'address_type', 'client_address.address_type is address_type');

SELECT col_type_is('client_registry', 'client_bank_account', 'id', 'bigint', 'client_bank_account.id is bigint');
SELECT col_type_is('client_registry', 'client_bank_account', 'tenant_id', 'integer', 'client_bank_account.tenant_id is integer');
SELECT col_type_is('client_registry', 'client_bank_account', 'client_id', 'bigint', 'client_bank_account.client_id is bigint');
SELECT col_type_is('client_registry', 'client_bank_account', 'iban', 'text', 'client_bank_account.iban is text');
SELECT col_type_is('client_registry', 'client_bank_account', 'is_primary', 'boolean', 'client_bank_account.is_primary is boolean');

SELECT col_type_is('client_registry', 'client_contact', 'id', 'bigint', 'client_contact.id is bigint');
SELECT col_type_is('client_registry', 'client_contact', 'tenant_id', 'integer', 'client_contact.tenant_id is integer');
SELECT col_type_is('client_registry', 'client_contact', 'client_id', 'bigint', 'client_contact.client_id is bigint');
SELECT col_type_is('client_registry', 'client_contact', 'is_primary', 'boolean', 'client_contact.is_primary is boolean');

SELECT col_type_is('client_registry', 'client_group_member', 'client_id', 'bigint', 'client_group_member.client_id is bigint');
SELECT col_type_is('client_registry', 'client_group_member', 'group_id', 'bigint', 'client_group_member.group_id is bigint');
SELECT col_type_is('client_registry', 'client_label', 'client_id', 'bigint', 'client_label.client_id is bigint');
SELECT col_type_is('client_registry', 'client_label', 'label_id', 'bigint', 'client_label.label_id is bigint');

-------------------------------------------------------------------------------
-- Primary keys
-------------------------------------------------------------------------------
SELECT col_is_pk('client_registry', 'tenant', 'id', 'tenant: primary key id');
SELECT col_is_pk('client_registry', 'client', ARRAY['tenant_id', 'id'], 'client: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'client_address', ARRAY['tenant_id', 'id'], 'client_address: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'client_bank_account', ARRAY['tenant_id', 'id'], 'client_bank_account: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'client_contact', ARRAY['tenant_id', 'id'], 'client_contact: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'client_group', ARRAY['tenant_id', 'id'], 'client_group: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'label', ARRAY['tenant_id', 'id'], 'label: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'client_group_member', ARRAY['tenant_id', 'client_id', 'group_id']::name[],
                 'client_group_member: primary key (tenant_id, client_id, group_id)');
SELECT col_is_pk('client_registry', 'client_label', ARRAY['tenant_id', 'client_id', 'label_id']::name[],
                 'client_label: primary key (tenant_id, client_id, label_id)');

-------------------------------------------------------------------------------
-- Unique indexes
-------------------------------------------------------------------------------
SELECT index_is_unique('client_registry', 'client', 'client_company_code_key',
                       'client_company_code_key is unique');
SELECT has_index('client_registry', 'client', 'client_company_code_key',
                 ARRAY['tenant_id', 'country', 'company_code']::name[],
                 'client_company_code_key is on (tenant_id, country, company_code)');
SELECT ok((SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i
            WHERE i.indexrelid = 'client_registry.client_company_code_key'::regclass)
          ~ 'legal_entity',
          'client_company_code_key covers legal entities only (partial)');
SELECT index_is_unique('client_registry', 'client', 'client_own_company_key',
                       'client_own_company_key is unique');
SELECT ok((SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i
            WHERE i.indexrelid = 'client_registry.client_own_company_key'::regclass)
          ~ 'own_company',
          'client_own_company_key covers own companies only (partial)');
SELECT index_is_unique('client_registry', 'client_address', 'client_address_one_primary',
                       'client_address_one_primary is unique');
SELECT index_is_unique('client_registry', 'client_bank_account', 'client_bank_account_one_primary',
                       'client_bank_account_one_primary is unique');
SELECT index_is_unique('client_registry', 'client_contact', 'client_contact_one_primary',
                       'client_contact_one_primary is unique');
SELECT is((SELECT count(*)::int FROM pg_index i
            WHERE i.indexrelid IN ('client_registry.client_address_one_primary'::regclass,
                                   'client_registry.client_bank_account_one_primary'::regclass,
                                   'client_registry.client_contact_one_primary'::regclass)
              AND pg_get_expr(i.indpred, i.indrelid) = 'is_primary'),
          3, 'the three *_one_primary indexes are partial on is_primary');

-------------------------------------------------------------------------------
-- Foreign keys
-------------------------------------------------------------------------------
SELECT fk_ok('client_registry', 'client', ARRAY['tenant_id']::name[],
             'client_registry', 'tenant', ARRAY['id']::name[], 'client(tenant_id) references tenant(id)');
SELECT fk_ok('client_registry', 'client_address', ARRAY['tenant_id', 'client_id']::name[],
             'client_registry', 'client', ARRAY['tenant_id', 'id']::name[],
             'client_address(tenant_id, client_id) references client(tenant_id, id)');
SELECT fk_ok('client_registry', 'client_bank_account', ARRAY['tenant_id', 'client_id']::name[],
             'client_registry', 'client', ARRAY['tenant_id', 'id']::name[],
             'client_bank_account(tenant_id, client_id) references client(tenant_id, id)');
SELECT fk_ok('client_registry', 'client_contact', ARRAY['tenant_id', 'client_id']::name[],
             'client_registry', 'client', ARRAY['tenant_id', 'id']::name[],
             'client_contact(tenant_id, client_id) references client(tenant_id, id)');
SELECT fk_ok('client_registry', 'client_group_member', ARRAY['tenant_id', 'client_id']::name[],
             'client_registry', 'client', ARRAY['tenant_id', 'id']::name[],
             'client_group_member(tenant_id, client_id) references client(tenant_id, id)');
SELECT fk_ok('client_registry', 'client_label', ARRAY['tenant_id', 'client_id']::name[],
             'client_registry', 'client', ARRAY['tenant_id', 'id']::name[],
             'client_label(tenant_id, client_id) references client(tenant_id, id)');
SELECT fk_ok('client_registry', 'client_group_member', ARRAY['tenant_id', 'group_id']::name[],
             'client_registry', 'client_group', ARRAY['tenant_id', 'id']::name[],
             'client_group_member(tenant_id, group_id) references client_group(tenant_id, id)');
SELECT fk_ok('client_registry', 'client_label', ARRAY['tenant_id', 'label_id']::name[],
             'client_registry', 'label', ARRAY['tenant_id', 'id']::name[],
             'client_label(tenant_id, label_id) references label(tenant_id, id)');
SELECT fk_ok('client_registry', 'client_group', ARRAY['tenant_id']::name[],
             'client_registry', 'tenant', ARRAY['id']::name[], 'client_group(tenant_id) references tenant(id)');
SELECT fk_ok('client_registry', 'label', ARRAY['tenant_id']::name[],
             'client_registry', 'tenant', ARRAY['id']::name[], 'label(tenant_id) references tenant(id)');
-- The card's own rows (and the derived client_balance) cascade; documents
-- (0.2.0: contracts, invoices, payments) are kept and protect their client.
SELECT set_eq($$
    SELECT r.relname::text FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid
     WHERE k.contype = 'f' AND k.confrelid = 'client_registry.client'::regclass
       AND k.connamespace = 'client_registry'::regnamespace AND k.confdeltype <> 'c'
$$, ARRAY['contract', 'invoice', 'payment',
         -- 0.3.0 bank statements keep their client (own company, counterparty)
         'bank_statement', 'bank_entry',
         -- 0.3.0: CRM rows are operations too
         'crm_interaction', 'crm_task', 'crm_event', 'crm_opportunity', 'crm_order', 'crm_document',
         -- 0.4.0: a legal hold protects its client
         'legal_hold',
         -- 0.4.0 debts (issue #16): debt operations, ledger entries and reminders are history
         'debt_offset', 'account_entry', 'payment_reminder',
         -- 0.4.0: the record of a credit override by an import (issue #15)
         'import_credit_override'],
    'every foreign key of the extension to client is ON DELETE CASCADE, except those of contract, invoice, payment, bank_statement, bank_entry, the CRM rows, legal holds, debt operations, ledger entries, reminders and import credit overrides');

-------------------------------------------------------------------------------
-- Triggers and their functions
-------------------------------------------------------------------------------
SELECT trigger_is('client_registry', 'tenant', 'tenant_10_before_write', 'client_registry', 'tenant_before_write');
SELECT trigger_is('client_registry', 'client', 'client_10_before_write', 'client_registry', 'client_before_write');
SELECT trigger_is('client_registry', 'client', 'client_20_before_delete', 'client_registry', 'client_before_delete');
SELECT trigger_is('client_registry', 'client', 'client_30_own_company_first', 'client_registry', 'client_after_insert_statement');
SELECT trigger_is('client_registry', 'client_group', 'client_group_10_ensure_tenant', 'client_registry', 'ensure_tenant');
SELECT trigger_is('client_registry', 'label', 'label_10_ensure_tenant', 'client_registry', 'ensure_tenant');
SELECT trigger_is('client_registry', 'client_address', 'client_address_10_normalize', 'client_registry', 'child_before_write');
SELECT trigger_is('client_registry', 'client_address', 'client_address_20_primary', 'client_registry', 'primary_before_write');
SELECT trigger_is('client_registry', 'client_address', 'client_address_30_successor_on_delete', 'client_registry', 'primary_after_remove');
SELECT trigger_is('client_registry', 'client_address', 'client_address_31_successor_on_move', 'client_registry', 'primary_after_remove');
SELECT trigger_is('client_registry', 'client_bank_account', 'client_bank_account_10_normalize', 'client_registry', 'child_before_write');
SELECT trigger_is('client_registry', 'client_bank_account', 'client_bank_account_20_primary', 'client_registry', 'primary_before_write');
SELECT trigger_is('client_registry', 'client_bank_account', 'client_bank_account_30_successor_on_delete', 'client_registry', 'primary_after_remove');
SELECT trigger_is('client_registry', 'client_bank_account', 'client_bank_account_31_successor_on_move', 'client_registry', 'primary_after_remove');
SELECT trigger_is('client_registry', 'client_contact', 'client_contact_10_normalize', 'client_registry', 'child_before_write');
SELECT trigger_is('client_registry', 'client_contact', 'client_contact_20_primary', 'client_registry', 'primary_before_write');
SELECT trigger_is('client_registry', 'client_contact', 'client_contact_30_successor_on_delete', 'client_registry', 'primary_after_remove');
SELECT trigger_is('client_registry', 'client_contact', 'client_contact_31_successor_on_move', 'client_registry', 'primary_after_remove');
-- The own-company check is one per statement, over a transition table.
SELECT ok((SELECT (t.tgtype & 1) = 0 AND t.tgnewtable = 'cr_new_clients'
             FROM pg_trigger t
            WHERE t.tgrelid = 'client_registry.client'::regclass AND t.tgname = 'client_30_own_company_first'),
          'client_30_own_company_first is FOR EACH STATEMENT with a NEW TABLE');
-- Trigger functions are C functions.
SELECT is_empty($$
    SELECT p.proname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
     WHERE p.pronamespace = 'client_registry'::regnamespace
       AND p.prorettype = 'trigger'::regtype AND l.lanname <> 'c'
$$, 'every trigger function of the extension is written in C');

-------------------------------------------------------------------------------
-- Views: security_invoker, comments
-------------------------------------------------------------------------------
SELECT ok(coalesce((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class
                     WHERE oid = 'client_registry.client_card'::regclass), false),
          'client_card is security_invoker');
SELECT ok(coalesce((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class
                     WHERE oid = 'client_registry.client_address_list'::regclass), false),
          'client_address_list is security_invoker');
SELECT ok(coalesce((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class
                     WHERE oid = 'client_registry.client_bank_account_list'::regclass), false),
          'client_bank_account_list is security_invoker');
SELECT ok(coalesce((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class
                     WHERE oid = 'client_registry.client_contact_list'::regclass), false),
          'client_contact_list is security_invoker');
SELECT ok(coalesce((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class
                     WHERE oid = 'client_registry.custom_field'::regclass), false),
          'custom_field is security_invoker');
SELECT is_empty($$
    SELECT relname FROM pg_class
     WHERE relnamespace = 'client_registry'::regnamespace AND relkind IN ('v', 'm')
       AND NOT coalesce('security_invoker=true' = ANY (reloptions), false)
$$, 'no view of the schema runs with its owner''s rights');

SELECT is_empty($$
    SELECT relname FROM pg_class
     WHERE relnamespace = 'client_registry'::regnamespace AND relkind IN ('r', 'p', 'v', 'm')
       AND obj_description(oid, 'pg_class') IS NULL
$$, 'every table and view has a comment');
SELECT is((SELECT count(*)::int FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = 'client_registry'::regnamespace AND c.relkind IN ('v', 'm')
              AND a.attnum > 0 AND NOT a.attisdropped
              AND col_description(c.oid, a.attnum) IS NULL),
          0, 'every view column has a comment');
SELECT is((SELECT count(*)::int FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = 'client_registry'::regnamespace AND c.relkind IN ('r', 'p')
              AND a.attnum > 0 AND NOT a.attisdropped
              AND col_description(c.oid, a.attnum) IS NULL),
          0, 'every table column has a comment');
SELECT is_empty($$
    SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = 'client_registry'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
       AND a.attnum > 0 AND NOT a.attisdropped
       AND col_description(c.oid, a.attnum) IS NULL
$$, 'no column without a comment (lists the offenders)');
SELECT is_empty($$
    SELECT t.typname FROM pg_type t
     WHERE t.typnamespace = 'client_registry'::regnamespace AND t.typtype = 'e'
       AND obj_description(t.oid, 'pg_type') IS NULL
$$, 'every enum type has a comment');

-------------------------------------------------------------------------------
-- Nothing lost in a dump: pg_extension_config_dump
-------------------------------------------------------------------------------
SELECT set_eq(
    $$ SELECT n.nspname || '.' || c.relname FROM pg_extension e, unnest(e.extconfig) AS x(oid)
        JOIN pg_class c ON c.oid = x.oid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE e.extname = 'client_registry' $$,
    ARRAY['client_registry.tenant', 'client_registry.client', 'client_registry.client_address',
          'client_registry.client_bank_account', 'client_registry.client_contact',
          'client_registry.client_group', 'client_registry.client_group_member',
          'client_registry.label', 'client_registry.client_label',
          'client_registry.client_id_seq', 'client_registry.client_address_id_seq',
          'client_registry.client_bank_account_id_seq', 'client_registry.client_contact_id_seq',
          'client_registry.client_group_id_seq', 'client_registry.label_id_seq',
          -- 0.2.0 (client_balance is derived data: rebuilt on restore, not dumped)
          'client_registry.invoice', 'client_registry.invoice_vat_line', 'client_registry.payment',
          'client_registry.settlement', 'client_registry.contract', 'client_registry.invoice_instalment',
          'client_registry.invoice_id_seq', 'client_registry.invoice_vat_line_id_seq',
          'client_registry.payment_id_seq', 'client_registry.settlement_id_seq',
          'client_registry.contract_id_seq', 'client_registry.invoice_instalment_id_seq',
          -- 0.3.0: merge journal
          'client_registry.client_merge', 'client_registry.client_merge_step',
          'client_registry.client_merge_id_seq',
          -- 0.3.0 bank import and register of legal entities
          'client_registry.bank_statement', 'client_registry.bank_entry',
          'client_registry.bank_statement_id_seq', 'client_registry.bank_entry_id_seq',
          'client_registry.legal_register', 'client_registry.legal_register_import',
          'client_registry.client_register_fill',
          -- 0.3.0 CRM
          'client_registry.crm_department', 'client_registry.crm_user', 'client_registry.crm_status',
          'client_registry.crm_interaction', 'client_registry.crm_task', 'client_registry.crm_event',
          'client_registry.crm_comment', 'client_registry.crm_opportunity', 'client_registry.crm_order',
          'client_registry.crm_order_line', 'client_registry.crm_document', 'client_registry.activity_feed',
          'client_registry.crm_department_id_seq', 'client_registry.crm_user_id_seq', 'client_registry.crm_status_id_seq',
          'client_registry.crm_interaction_id_seq', 'client_registry.crm_task_id_seq', 'client_registry.crm_event_id_seq',
          'client_registry.crm_comment_id_seq', 'client_registry.crm_opportunity_id_seq', 'client_registry.crm_order_id_seq',
          'client_registry.crm_order_line_id_seq', 'client_registry.crm_document_id_seq', 'client_registry.activity_feed_id_seq',
          -- 0.4.0: tenant memberships, private notes
          'client_registry.tenant_access', 'client_registry.client_private_note', 'client_registry.client_private_note_id_seq',
          -- 0.4.0 i.SAF references
          'client_registry.invoice_reference', 'client_registry.invoice_reference_id_seq',
          -- 0.4.0 personal data, VIES, registers of LV and EE
          'client_registry.consent', 'client_registry.consent_id_seq', 'client_registry.legal_hold',
          'client_registry.legal_hold_id_seq', 'client_registry.personal_data_erasure',
          'client_registry.personal_data_erasure_id_seq', 'client_registry.vat_number_check',
          'client_registry.vat_number_check_id_seq', 'client_registry.legal_register_import_lv',
          'client_registry.legal_register_import_ee',
          -- 0.4.0 CRM (issue #19)
          'client_registry.crm_link', 'client_registry.crm_product', 'client_registry.crm_document_type',
          'client_registry.crm_link_id_seq', 'client_registry.crm_product_id_seq', 'client_registry.crm_document_type_id_seq',
          -- 0.4.0 debts (issue #16)
          'client_registry.account_entry', 'client_registry.account_entry_id_seq', 'client_registry.debt_offset',
          'client_registry.debt_offset_id_seq', 'client_registry.debt_offset_line', 'client_registry.debt_offset_line_id_seq',
          'client_registry.reminder_level', 'client_registry.reminder_level_id_seq', 'client_registry.payment_reminder',
          'client_registry.payment_reminder_id_seq',
          -- 0.4.0 import (issue #15)
          'client_registry.import_run', 'client_registry.import_run_id_seq',
          'client_registry.import_credit_override', 'client_registry.import_credit_override_id_seq',
          -- 0.4.0 search dictionary (issue #14)
          'client_registry.search_word', 'client_registry.search_word_id_seq',
          -- 0.4.0 duplicates (issue #14)
          'client_registry.client_not_duplicate', 'client_registry.client_not_duplicate_id_seq',
          -- 0.4.0 Citus (issue #17)
          'client_registry.citus_secret'],
    'extconfig lists every table but client_balance, and every identity sequence');
SELECT is_empty($$
    SELECT c.oid::regclass::text FROM pg_class c
     WHERE c.relnamespace = 'client_registry'::regnamespace AND c.relkind IN ('r', 'p', 'S')
       AND c.oid <> 'client_registry.client_balance'::regclass
       AND NOT EXISTS (SELECT 1 FROM pg_extension e
                        WHERE e.extname = 'client_registry' AND c.oid = ANY (e.extconfig))
$$, 'no table or sequence of the schema is left out of pg_extension_config_dump (but the derived client_balance)');
SELECT is((SELECT count(*)::int FROM pg_extension e, unnest(e.extcondition) AS cond
            WHERE e.extname = 'client_registry' AND cond <> ''),
          0, 'config dump filters are empty (whole tables are dumped)');
SELECT is((SELECT array_length(extconfig, 1) = array_length(extcondition, 1)
             FROM pg_extension WHERE extname = 'client_registry'),
          true, 'extconfig and extcondition have the same length');

-------------------------------------------------------------------------------
-- Functions used by CHECK constraints: exist, IMMUTABLE, STRICT
-------------------------------------------------------------------------------
SELECT has_function('client_registry', 'iban_valid', ARRAY['text'], 'iban_valid(text) exists');
SELECT has_function('client_registry', 'bic_valid', ARRAY['text'], 'bic_valid(text) exists');
SELECT has_function('client_registry', 'email_valid', ARRAY['text'], 'email_valid(text) exists');
SELECT has_function('client_registry', 'country_code_valid', ARRAY['text'], 'country_code_valid(text) exists');
SELECT has_function('client_registry', 'company_code_valid', ARRAY['text', 'text'], 'company_code_valid(text, text) exists');
SELECT has_function('client_registry', 'vat_code_valid', ARRAY['text', 'text'], 'vat_code_valid(text, text) exists');

SELECT volatility_is('client_registry', 'iban_valid', ARRAY['text'], 'immutable', 'iban_valid(text) is IMMUTABLE');
SELECT volatility_is('client_registry', 'bic_valid', ARRAY['text'], 'immutable', 'bic_valid(text) is IMMUTABLE');
SELECT volatility_is('client_registry', 'email_valid', ARRAY['text'], 'immutable', 'email_valid(text) is IMMUTABLE');
SELECT volatility_is('client_registry', 'country_code_valid', ARRAY['text'], 'immutable', 'country_code_valid(text) is IMMUTABLE');
SELECT volatility_is('client_registry', 'company_code_valid', ARRAY['text', 'text'], 'immutable', 'company_code_valid(text, text) is IMMUTABLE');
SELECT volatility_is('client_registry', 'vat_code_valid', ARRAY['text', 'text'], 'immutable', 'vat_code_valid(text, text) is IMMUTABLE');

SELECT is_strict('client_registry', 'iban_valid', ARRAY['text'], 'iban_valid(text) is STRICT');
SELECT is_strict('client_registry', 'bic_valid', ARRAY['text'], 'bic_valid(text) is STRICT');
SELECT is_strict('client_registry', 'email_valid', ARRAY['text'], 'email_valid(text) is STRICT');
SELECT is_strict('client_registry', 'country_code_valid', ARRAY['text'], 'country_code_valid(text) is STRICT');
SELECT is_strict('client_registry', 'company_code_valid', ARRAY['text', 'text'], 'company_code_valid(text, text) is STRICT');
-- vat_code_valid(text, country text DEFAULT NULL) is deliberately not STRICT
-- (a NULL country means "take the country from the prefix"); it must still be
-- NULL for a NULL value, so "vat_code IS NULL OR ..." behaves like the others.
SELECT is(vat_code_valid(NULL, 'LT'), NULL::boolean, 'vat_code_valid(NULL, country) is NULL (NULL in, NULL out)');

-- Every function a CHECK constraint of the schema calls is IMMUTABLE.
SELECT is_empty($$
    SELECT DISTINCT p.oid::regprocedure::text
      FROM pg_constraint c
      JOIN pg_depend d ON d.classid = 'pg_constraint'::regclass AND d.objid = c.oid
                      AND d.refclassid = 'pg_proc'::regclass
      JOIN pg_proc p ON p.oid = d.refobjid
     WHERE c.connamespace = 'client_registry'::regnamespace AND c.contype = 'c'
       AND p.provolatile <> 'i'
$$, 'no CHECK constraint calls a function that is not IMMUTABLE');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'client_registry'::regnamespace
       AND obj_description(p.oid, 'pg_proc') IS NULL
$$, 'every function of the schema has a comment');

-- The helpers the column defaults and policies use.
SELECT has_function('client_registry', 'current_tenant', ARRAY[]::name[], 'current_tenant() exists');
SELECT function_returns('client_registry', 'current_tenant', ARRAY[]::name[], 'integer', 'current_tenant() returns integer');
SELECT volatility_is('client_registry', 'current_tenant', ARRAY[]::name[], 'stable', 'current_tenant() is STABLE');
SELECT has_function('client_registry', 'default_country', ARRAY[]::name[], 'default_country() exists');
SELECT has_function('client_registry', 'assert_client_role', ARRAY['bigint', 'text'], 'assert_client_role(bigint, text) exists');
SELECT has_function('client_registry', 'define_custom_field', ARRAY['text', 'client_registry.custom_field_type', 'text'],
                    'define_custom_field(text, custom_field_type, text) exists');
SELECT has_function('client_registry', 'drop_custom_field', ARRAY['text'], 'drop_custom_field(text) exists');

SELECT * FROM finish();
ROLLBACK;
