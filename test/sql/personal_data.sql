-- 0.4.0 (issue #18): consent, legal holds, erasure of a natural person and of
-- a contact person, retention of documents, the journal.
SET search_path = client_registry, public;
SET client_registry.tenant = 180;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO client (id, kind, name, company_code) VALUES (18001, 'own_company', 'UAB Savi', '110003978');
-- the person, and a duplicate card of the same person merged into it below
INSERT INTO client (id, kind, legal_form, name, first_name, last_name, personal_code, vat_code, email, phone,
                    notes, sales_tax_category, custom_fields)
VALUES (18002, 'buyer', 'natural_person', 'Jonas Jonaitis', 'Jonas', 'Jonaitis', '38501010087', 'LT100001919017',
        'jonas.jonaitis@example.lt', '+370 612 34567', 'Skambinti po 18 val. (Jonaitis)', 'PVM1', '{}'),
       (18003, 'buyer', 'natural_person', 'JONAS JONAITIS', NULL, NULL, NULL, NULL,
        'jonas@home.lt', '+370 698 76543', NULL, 'PVM1', '{}');
INSERT INTO client_private_note (client_id, note) VALUES (18002, 'Skolingas kaimynui, Jonaitis žino');
INSERT INTO client_address (client_id, street, city, postal_code) VALUES
    (18002, 'Ąžuolų g. 7-12', 'Vilnius', 'LT-01100'),
    (18003, 'Beržų g. 99', 'Kaunas', 'LT-44002');
INSERT INTO client_bank_account (client_id, iban) VALUES
    (18002, 'LT92 7300 0101 7717 8794'), (18003, 'LT05 7300 0100 0975 7487');
INSERT INTO client_contact (id, client_id, first_name, last_name, email, phone) VALUES
    (18301, 18002, 'Rūta', 'Jonaitienė', 'ruta.jonaitiene@example.lt', '+370 611 11111');

-- consent: the person and the contact person
SELECT record_consent(18002, 'contact_data', true, 'signed paper form', given_at => '2026-01-10 10:00+02') > 0 AS recorded;
SELECT record_consent(18002, 'marketing_email', true, 'web form', given_at => '2026-01-10 10:05+02') > 0 AS recorded;
SELECT record_consent(18002, 'marketing_phone', true, 'web form', given_at => '2026-01-10 10:05+02') > 0 AS recorded;
SELECT record_consent(18002, 'marketing_phone', false, 'phone call', given_at => '2026-03-01 12:00+02') > 0 AS recorded;
SELECT record_consent(18002, 'marketing_email', true, 'web form', contact_id => 18301, given_at => '2026-02-01 09:00+02') > 0 AS recorded;
SELECT client_id, contact_id, purpose, granted, source FROM consent_current WHERE tenant_id = 180
 ORDER BY client_id, contact_id NULLS FIRST, purpose;
SELECT client_id, contact_id, person_name, channel, address, consent_source FROM marketing_contacts
 WHERE tenant_id = 180 ORDER BY client_id, contact_id NULLS FIRST, channel;
-- the history is append-only
UPDATE consent SET granted = false WHERE client_id = 18002 AND purpose = 'marketing_email' AND contact_id IS NULL;
\echo :SQLSTATE
DELETE FROM consent WHERE client_id = 18002;
\echo :SQLSTATE
\set VERBOSITY terse
SELECT record_consent(18002, 'marketing_email', true, '   ');
\set VERBOSITY default
\echo :SQLSTATE
SELECT record_consent(18003, 'marketing_email', true, 'web form', contact_id => 18301);
\echo :SQLSTATE
SELECT record_consent(999999, 'marketing_email', true, 'web form');
\echo :SQLSTATE

-- the duplicate is merged into the person: its rows live on in the journal
SELECT merge_clients(18002, 18003) AS merge_id \gset
SELECT count(*) > 0 AS journal_has_images FROM client_merge_step
 WHERE merge_id = :merge_id AND row_images::text LIKE '%jonas@home.lt%';

-- documents: a sale of this year (kept 10 years), one of 2014 (past retention), a draft
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES
    (18501, 18002, 'sale', 'GD-1', '2026-11-01'),
    (18502, 18002, 'sale', 'GD-2', '2014-01-10'),
    (18503, 18002, 'sale', 'GD-3', '2026-11-20');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (18501, 100, 21), (18502, 50, 10.5), (18503, 10, 2.1);
UPDATE invoice SET status = 'posted' WHERE id IN (18501, 18502);
INSERT INTO payment (id, client_id, direction, amount, payment_date, reference, description) VALUES
    (18601, 18002, 'in', 121, '2026-11-05', 'GD-PAY-1', 'Jonas Jonaitis už GD-1'),
    (18602, 18002, 'in', 60.5, '2014-01-20', 'GD-PAY-2', 'Jonaitis GD-2');
-- CRM rows about the person
INSERT INTO crm_interaction (client_id, kind, subject, body) VALUES
    (18002, 'call', 'Skambutis Jonui Jonaičiui', 'Jonas Jonaitis klausė apie kainas, tel. +370 612 34567');
INSERT INTO crm_task (client_id, title, description, visibility) VALUES
    (18002, 'Paskambinti Jonas Jonaitis', 'el. paštas jonas.jonaitis@example.lt', 'everyone');
INSERT INTO crm_order (client_id, number, delivery_address, delivery_notes) VALUES
    (18002, 'GD-ORD-1', 'Ąžuolų g. 7-12, Vilnius', 'Jonaitis: palikti kaimynui');
UPDATE client SET phone = '+370 612 34567', website = 'jonaitis.example.lt' WHERE id = 18002;

-- the retention period is a tenant setting (10 years in Lithuania)
\set VERBOSITY terse
UPDATE tenant SET document_retention_years = 0 WHERE id = 180;
\set VERBOSITY default
\echo :SQLSTATE
SELECT document_retention_years FROM tenant WHERE id = 180;

-- a legal hold refuses the erasure, or defers it
SELECT place_legal_hold(18002, 'Teismo byla prieš Jonas Jonaitis 2-55/2026') AS hold_id \gset
SELECT * FROM erase_personal_data(18002);
\echo :SQLSTATE
SELECT table_name, action, row_count FROM erase_personal_data(18002, defer => true);
SELECT table_name, action, row_count FROM erase_personal_data(18002, defer => true);   -- asked again: the same request
SELECT client_id, contact_id, status, cardinality(held_by) AS holds, erased_at IS NULL AS not_yet
  FROM personal_data_erasure WHERE tenant_id = 180;
SELECT table_name, action FROM run_deferred_erasures();                                -- still held
SELECT name, erased_at IS NULL AS not_erased FROM client WHERE id = 18002;
SELECT release_legal_hold(:hold_id) AS released, release_legal_hold(:hold_id) AS released_again;

-- erasure: what was kept, what was anonymised, and the journal row
SELECT table_name, action, row_count, retained_until FROM run_deferred_erasures() ORDER BY table_name, action;
SELECT status, retained_documents, retained_until, report
  FROM personal_data_erasure WHERE tenant_id = 180;

-- the card, its children, documents
SELECT id, kind, legal_form, name, first_name, last_name, personal_code, vat_code, email, phone, website, notes,
       is_active, erased_at IS NOT NULL AS erased
  FROM client WHERE id = 18002;
SELECT count(*) AS private_notes FROM client_private_note WHERE client_id = 18002;
SELECT (SELECT count(*) FROM client_address WHERE client_id = 18002) AS addresses,
       (SELECT count(*) FROM client_bank_account WHERE client_id = 18002) AS bank_accounts;
SELECT id, first_name, last_name, email, phone, erased_at IS NOT NULL AS erased FROM client_contact WHERE client_id = 18002;
SELECT number, status, counterparty_name, counterparty_vat_code FROM invoice WHERE client_id = 18002 ORDER BY number;
SELECT reference, description FROM payment WHERE client_id = 18002 ORDER BY reference;
SELECT subject, body FROM crm_interaction WHERE client_id = 18002;
SELECT title, description FROM crm_task WHERE client_id = 18002;
SELECT number, delivery_address, delivery_notes FROM crm_order WHERE client_id = 18002;
SELECT reason FROM legal_hold WHERE client_id = 18002;
SELECT client_id, contact_id, purpose, granted, source FROM consent_current WHERE tenant_id = 180
 ORDER BY client_id, contact_id NULLS FIRST, purpose;
SELECT count(*) AS marketing_rows FROM marketing_contacts WHERE tenant_id = 180;
SELECT merged_names, erased_at IS NOT NULL AS journal_erased
  FROM client_merge_history h JOIN client_merge m ON m.id = h.merge_id WHERE h.merge_id = :merge_id;

-- nothing of the person is left anywhere but in the retained documents:
-- every table of the database, every row (of tenant 180 where the table has
-- tenants: other tests share the database) as text
CREATE FUNCTION pg_temp.find_person(needles text[])
RETURNS TABLE (table_name text, hits bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    r record;
    n bigint;
BEGIN
    FOR r IN SELECT c.oid::regclass AS tbl FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'p') AND s.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
                AND s.nspname NOT LIKE 'pg_temp%'
              ORDER BY c.oid::regclass::text
    LOOP
        EXECUTE format('SELECT count(*) FROM %s t WHERE %s EXISTS (SELECT 1 FROM unnest($1) v
                         WHERE strpos(lower(t::text), lower(v)) > 0)', r.tbl,
                       CASE WHEN EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = r.tbl
                                            AND a.attname = 'tenant_id' AND NOT a.attisdropped)
                            THEN 't.tenant_id = 180 AND' ELSE '' END) INTO n USING needles;
        IF n > 0 THEN
            table_name := r.tbl::text;
            hits := n;
            RETURN NEXT;
        END IF;
    END LOOP;
END
$fn$;
SELECT * FROM pg_temp.find_person(ARRAY['Jonas Jonaitis', 'Jonaitis', 'Jonaičiui', 'Jonaitienė', '38501010087',
                                        'LT100001919017', '100001919017', 'jonas.jonaitis@example.lt', 'jonas@home.lt',
                                        'ruta.jonaitiene@example.lt', '+370 612 34567', '+370 698 76543',
                                        '+370 611 11111', 'LT927300010177178794', 'LT057300010009757487',
                                        'Ąžuolų g. 7-12', 'Beržų g. 99', 'jonaitis.example.lt']);
-- (the retained rows: the sale of this year and its payment)
SELECT number, counterparty_name FROM invoice
 WHERE client_id = 18002 AND invoice::text LIKE '%Jonas Jonaitis%';

-- an erased merge cannot be undone (the merge id depends on the tests before)
SELECT set_config('cr_test.merge_id', :'merge_id', false) IS NOT NULL AS set;
DO $$
BEGIN
    PERFORM client_registry.unmerge(current_setting('cr_test.merge_id')::bigint);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'SQLSTATE %: %', SQLSTATE, regexp_replace(SQLERRM, '^merge [0-9]+', 'merge <merge>');
END
$$;

-- erasing again changes nothing
SELECT table_name, action, row_count FROM erase_personal_data(18002);

-- refusals
INSERT INTO client (id, kind, name, company_code, sales_tax_category) VALUES (18010, 'buyer', 'UAB Testas', '304110010', 'PVM1');
SELECT * FROM erase_personal_data(18010);
\echo :SQLSTATE
SELECT * FROM erase_personal_data(999999);
\echo :SQLSTATE
SELECT * FROM erasure_run(180, 18010, NULL, false, 'postgres', NULL);
\echo :SQLSTATE
SELECT * FROM erase_contact_personal_data(999999);
\echo :SQLSTATE

-- a contact person of a company
INSERT INTO client_contact (id, client_id, first_name, last_name, email, phone, position) VALUES
    (18311, 18010, 'Ona', 'Onaitė', 'ona@testas.lt', '+370 655 55555', 'buhalterė'),
    (18312, 18010, 'Petras', 'Petraitis', 'petras@testas.lt', NULL, 'direktorius');
SELECT record_consent(18010, 'marketing_email', true, 'conference', contact_id => 18311) > 0 AS recorded;
SELECT record_consent(18010, 'marketing_email', true, 'conference', contact_id => 18312) > 0 AS recorded;
INSERT INTO crm_interaction (client_id, kind, subject, body) VALUES
    (18010, 'call', 'Sąskaitos', 'Ona Onaitė (ona@testas.lt) prašė kopijos; Petras pritarė');
UPDATE client SET notes = 'Buhalterė Ona Onaitė, tel. +370 655 55555' WHERE id = 18010;
INSERT INTO client_private_note (client_id, note) VALUES (18010, 'Ona Onaitė prašė neskambinti');
UPDATE client_contact SET phone = '+370 655 55556' WHERE id = 18311;
SELECT place_legal_hold(18010, 'Mokestinis patikrinimas') AS hold2 \gset
SELECT * FROM erase_contact_personal_data(18311);
\echo :SQLSTATE
SELECT release_legal_hold(:hold2);
SELECT table_name, action, row_count FROM erase_contact_personal_data(18311) ORDER BY table_name, action;
SELECT id, first_name, last_name, email, phone, position, erased_at IS NOT NULL AS erased
  FROM client_contact WHERE client_id = 18010 ORDER BY id;
SELECT notes FROM client WHERE id = 18010;
SELECT note FROM client_private_note WHERE client_id = 18010;
SELECT body FROM crm_interaction WHERE client_id = 18010;
SELECT client_id, contact_id, person_name, channel FROM marketing_contacts WHERE client_id = 18010;
SELECT * FROM pg_temp.find_person(ARRAY['Onaitė', 'ona@testas.lt', '+370 655 55555', '+370 655 55556']);
SELECT * FROM pg_temp.find_person(ARRAY['Petraitis', 'petras@testas.lt']);
SELECT client_id, contact_id, status, retained_documents, report FROM personal_data_erasure
 WHERE tenant_id = 180 AND contact_id IS NOT NULL;

-- a hold keeps a client from being deleted
DELETE FROM crm_interaction WHERE client_id = 18010;
DELETE FROM client WHERE id = 18010;
\echo :SQLSTATE

-- a deferred erasure whose client was merged away since is closed, naming the survivor
INSERT INTO client (id, kind, legal_form, name, sales_tax_category) VALUES
    (18020, 'buyer', 'natural_person', 'Antanas Antanaitis', 'PVM1'),
    (18021, 'buyer', 'natural_person', 'A. Antanaitis', 'PVM1');
SELECT place_legal_hold(18020, 'Skola') > 0 AS held;
SELECT table_name, action FROM erase_personal_data(18020, defer => true);
SELECT merge_clients(18021, 18020) > 0 AS merged;
SELECT table_name, action, row_count FROM run_deferred_erasures();
SELECT client_id, status, report FROM personal_data_erasure WHERE client_id = 18020;
SELECT client_id, released_at IS NULL AS active FROM legal_hold WHERE reason = 'Skola';
