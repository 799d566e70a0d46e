-- 0.3.0: merging duplicate clients (R2.3, R2.4): merge_clients, merge_preview,
-- unmerge, the journal, duplicate_candidates.
SET search_path = client_registry, public;
SET client_registry.tenant = 90;
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO client (id, kind, name, company_code) VALUES (9001, 'own_company', 'UAB Savi', '110003978');
-- the survivor and two duplicates of it
INSERT INTO client (id, kind, name, company_code, vat_code, sales_tax_category, phone, credit_control, credit_limit)
VALUES (9002, 'buyer', 'UAB „Žalias namas“', '188772433', 'LT119511515', 'PVM1', NULL, 'strict', 1000);
INSERT INTO client (id, kind, name, email, phone, sales_tax_category, purchase_tax_category, notes, custom_fields)
VALUES (9003, 'supplier', 'Zalias namas, UAB', 'info@zalias.lt', '+370 600 00001', 'PVM1', 'PVM1', 'duplicate 1', '{}'),
       (9004, 'buyer', 'ŽALIAS NAMAS', 'sales@zalias.lt', '+370 600 00002', 'PVM1', NULL, 'duplicate 2', '{}');
INSERT INTO client (id, kind, name, company_code, sales_tax_category)
VALUES (9005, 'buyer', 'UAB Kitas', '301692533', 'PVM1');

-- children: the same IBAN on the survivor and a duplicate, the same address, labels
INSERT INTO client_address (id, client_id, street, city, postal_code) VALUES
    (9101, 9002, 'Gedimino pr. 1', 'Vilnius', 'LT-01103'),
    (9102, 9003, 'gedimino  pr. 1 ', 'VILNIUS', 'LT 01103'),
    (9103, 9003, 'Taikos pr. 3', 'Klaipėda', 'LT-91214'),
    (9104, 9004, 'Laisvės al. 10', 'Kaunas', 'LT-44001');
INSERT INTO client_bank_account (id, client_id, iban, bank_name) VALUES
    (9201, 9002, 'LT12 1000 0111 0100 1000', 'Swedbank'),
    (9202, 9003, 'LT121000011101001000', 'Swedbank AB'),
    (9203, 9003, 'LT92 7300 0101 7717 8794', 'Swedbank'),
    (9204, 9004, 'LT05 7300 0100 0975 7487', 'SEB');
INSERT INTO client_contact (id, client_id, first_name, last_name, email) VALUES
    (9301, 9003, 'Ona', 'Onaitė', 'ona@zalias.lt'),
    (9302, 9004, 'Ona', 'Onaitė', 'ONA@zalias.lt');
INSERT INTO label (id, name) VALUES (9401, 'VIP'), (9402, 'Statyba');
INSERT INTO client_label (client_id, label_id) VALUES (9002, 9401), (9003, 9401), (9003, 9402);

-- documents: a posted sale of a duplicate, a payment, a purchase
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (9501, 9004, 'sale', 'M-1', '2026-11-01');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (9501, 1000, 210);
UPDATE invoice SET status = 'posted' WHERE id = 9501;
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (9502, 9003, 'purchase', 'P-77', '2026-11-02');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (9502, 100, 21);
UPDATE invoice SET status = 'posted' WHERE id = 9502;
INSERT INTO payment (id, client_id, direction, amount, payment_date, reference)
VALUES (9601, 9004, 'in', 210, '2026-11-05', 'MERGE-PAY-1');
INSERT INTO settlement (invoice_id, payment_id, amount) VALUES (9501, 9601, 210);

-- the user's own tables: a composite key to clients, a unique key per client,
-- two keys to clients in one table, a key to a bank account
CREATE TABLE public.merge_loyalty (
    id serial PRIMARY KEY,
    tenant_id integer NOT NULL,
    client_id bigint NOT NULL,
    card_no text NOT NULL,
    points integer NOT NULL DEFAULT 0,
    FOREIGN KEY (tenant_id, client_id) REFERENCES client_registry.client (tenant_id, id),
    UNIQUE (client_id, card_no)
);
CREATE INDEX ON public.merge_loyalty (client_id);
CREATE TABLE public.merge_delivery (
    id bigint PRIMARY KEY,
    buyer_id bigint NOT NULL REFERENCES client_registry.client (id),
    payer_id bigint REFERENCES client_registry.client (id),
    bank_account_id bigint REFERENCES client_registry.client_bank_account (id),
    note text
);
CREATE INDEX ON public.merge_delivery (buyer_id);
CREATE INDEX ON public.merge_delivery (payer_id);
INSERT INTO public.merge_loyalty (tenant_id, client_id, card_no, points) VALUES
    (90, 9002, 'LC-1', 10), (90, 9003, 'LC-1', 10), (90, 9004, 'LC-2', 5);
INSERT INTO public.merge_delivery VALUES
    (1, 9003, 9004, 9202, 'bought by one duplicate, paid by the other'),
    (2, 9002, 9003, 9203, NULL);

SELECT reason, match_key, client_ids FROM duplicate_candidates WHERE tenant_id = 90 ORDER BY 1, 2;

-- Obstacles (R2.4: the reason why)
SELECT merge_clients(9002, 9002);
\echo :SQLSTATE
SELECT merge_clients(9002, 9003, 9003);
\echo :SQLSTATE
SELECT merge_clients(9002, 9001);
\echo :SQLSTATE
SELECT merge_clients(9002, 9005);
\echo :SQLSTATE
SELECT merge_clients(9002, 999999);
\echo :SQLSTATE
SELECT merge_clients(9002, VARIADIC ARRAY[]::bigint[]);
\echo :SQLSTATE
SELECT merge_clients(9002, ARRAY[9003, NULL], false);
\echo :SQLSTATE
SET client_registry.tenant = 91;
INSERT INTO client (id, kind, name, company_code) VALUES (9901, 'own_company', 'UAB Kitas tenantas', '110003978');
INSERT INTO client (id, kind, name) VALUES (9902, 'buyer', 'UAB „Žalias namas“ kitur');
SET client_registry.tenant = 90;
SELECT merge_clients(9002, 9902);
\echo :SQLSTATE

-- The preview changes nothing
SELECT * FROM merge_preview(9002, 9003, 9004, 9005);
SELECT step, action, table_name, constraint_name, from_client, row_count, detail
  FROM merge_preview(9002, 9003, 9004);
SELECT count(*) AS merges_after_preview FROM client_merge;
SELECT id, client_id FROM client_address WHERE id BETWEEN 9101 AND 9104 ORDER BY id;

-- A unique clash of rows that differ is a conflict: nothing is changed
UPDATE public.merge_loyalty SET points = 11 WHERE client_id = 9003;
SELECT merge_clients(9002, 9003, 9004);
\echo :SQLSTATE
SELECT action, table_name, constraint_name, from_client, detail FROM merge_preview(9002, 9003, 9004)
 WHERE action = 'conflict';
SELECT count(*) FROM client WHERE id IN (9003, 9004);
UPDATE public.merge_loyalty SET points = 10 WHERE client_id = 9003;

-- The merge
SELECT balance.client_id, receivable, payable FROM client_balance balance WHERE client_id IN (9002, 9003, 9004) ORDER BY 1;
SELECT merge_clients(9002, 9003, 9004) AS merge_id \gset
SELECT id, kind, name, email, phone, notes, purchase_tax_category, company_code FROM client WHERE id BETWEEN 9002 AND 9004;
SELECT id, client_id, is_primary, street FROM client_address WHERE id BETWEEN 9101 AND 9104 ORDER BY id;
SELECT id, client_id, is_primary, iban FROM client_bank_account WHERE id BETWEEN 9201 AND 9204 ORDER BY id;
SELECT id, client_id, is_primary FROM client_contact WHERE id BETWEEN 9301 AND 9302 ORDER BY id;
SELECT client_id, label_id FROM client_label WHERE client_id BETWEEN 9002 AND 9004 ORDER BY 2;
SELECT id, client_id, status, counterparty_name FROM invoice WHERE id IN (9501, 9502) ORDER BY id;
SELECT id, client_id FROM payment WHERE id = 9601;
SELECT client_id, receivable, payable FROM client_balance WHERE client_id IN (9002, 9003, 9004) ORDER BY 1;
SELECT * FROM balance_discrepancies();
SELECT client_id, card_no, points FROM public.merge_loyalty ORDER BY id;
SELECT * FROM public.merge_delivery ORDER BY id;
SELECT survivor_id, merged_ids, forced, merged_names, rows_changed, undone_at FROM client_merge_history WHERE merge_id = :merge_id;
SELECT step, action, reason, table_name, constraint_name, from_client, row_count
  FROM client_merge_step WHERE merge_id = :merge_id ORDER BY step;

-- A client merged away no longer exists
SELECT merge_clients(9002, 9003);
\echo :SQLSTATE
-- Deleting it would have been refused: it had operations (R2.3)

-- unmerge puts everything back
SELECT unmerge(:merge_id) AS rows_put_back;
SELECT id, kind, name, email, phone, notes, purchase_tax_category FROM client WHERE id BETWEEN 9002 AND 9004 ORDER BY id;
SELECT id, client_id, is_primary, street FROM client_address WHERE id BETWEEN 9101 AND 9104 ORDER BY id;
SELECT id, client_id, is_primary, iban FROM client_bank_account WHERE id BETWEEN 9201 AND 9204 ORDER BY id;
SELECT id, client_id, is_primary FROM client_contact WHERE id BETWEEN 9301 AND 9302 ORDER BY id;
SELECT client_id, label_id FROM client_label WHERE client_id BETWEEN 9002 AND 9004 ORDER BY 1, 2;
SELECT id, client_id FROM invoice WHERE id IN (9501, 9502) ORDER BY id;
SELECT client_id, receivable, payable FROM client_balance WHERE client_id IN (9002, 9003, 9004) ORDER BY 1;
SELECT * FROM balance_discrepancies();
SELECT client_id, card_no, points FROM public.merge_loyalty ORDER BY id;
SELECT * FROM public.merge_delivery ORDER BY id;
SELECT unmerge(:merge_id);
\echo :SQLSTATE
SELECT unmerge(123456789);
\echo :SQLSTATE

-- unmerge refuses after a change to a row the merge moved
SELECT merge_clients(9002, 9004) AS merge_id \gset
UPDATE client_address SET city = 'Kaunas m.' WHERE id = 9104;
SELECT unmerge(:merge_id);
\echo :SQLSTATE
SELECT count(*) FROM client WHERE id = 9004;

-- Different company codes are two legal entities: refused unless forced
SELECT merge_clients(9002, 9005);
\echo :SQLSTATE
SELECT merge_clients(9002, ARRAY[9005], force => true) > 0 AS forced_merge;
SELECT company_code FROM client WHERE id = 9002;
SELECT forced FROM client_merge_history WHERE survivor_id = 9002 ORDER BY merge_id DESC LIMIT 1;

-- Merging into the own company is allowed
INSERT INTO client (id, kind, name) VALUES (9006, 'buyer', 'UAB Savi (dublikatas)');
SELECT merge_clients(9001, 9006) > 0 AS merged_into_own_company;
SELECT kind FROM client WHERE id = 9001;

-- A referencing column without an index: a warning
CREATE TABLE public.merge_unindexed (client_id bigint REFERENCES client_registry.client (id));
INSERT INTO client (id, kind, name) VALUES (9007, 'buyer', 'Dublikatas 7');
INSERT INTO public.merge_unindexed VALUES (9007);
SELECT merge_clients(9002, 9007) > 0 AS merged;
SELECT * FROM public.merge_unindexed;

-- A survivor without children takes the merged client's primaries
INSERT INTO client (id, kind, name) VALUES (9010, 'buyer', 'Be adreso'), (9011, 'buyer', 'Be adreso (2)'), (9012, 'buyer', 'Be adreso (3)');
INSERT INTO client_address (id, client_id, street, city) VALUES (9110, 9011, 'Vilniaus g. 1', 'Vilnius'), (9111, 9011, 'Kauno g. 2', 'Vilnius'),
                                                              (9112, 9012, 'Rygos g. 3', 'Vilnius');
SELECT merge_clients(9010, 9011, 9012) AS merge_a \gset
SELECT id, client_id, is_primary FROM client_address WHERE id BETWEEN 9110 AND 9112 ORDER BY id;
-- a later merge moving the same rows again: the earlier one can no longer be undone
INSERT INTO client (id, kind, name) VALUES (9013, 'buyer', 'Be adreso (4)');
SELECT merge_clients(9013, 9010) > 0 AS merged_again;
SELECT unmerge(:merge_a);
\echo :SQLSTATE

-- What the register last filled describes one card: the merged client's is
-- dropped (journaled), not moved, and comes back with unmerge
INSERT INTO client (id, kind, name) VALUES (9020, 'buyer', 'Registras A'), (9021, 'buyer', 'Registras B');
INSERT INTO client_register_fill (client_id, company_code, filled)
VALUES (9020, '188772433', '{"name": "Registras A"}'), (9021, '188772433', '{"name": "Registras B"}');
SELECT merge_clients(9020, 9021) AS merge_r \gset
SELECT client_id, filled FROM client_register_fill WHERE client_id IN (9020, 9021) ORDER BY 1;
SELECT unmerge(:merge_r) AS rows_put_back;
SELECT client_id, filled FROM client_register_fill WHERE client_id IN (9020, 9021) ORDER BY 1;

-- Privileges: not for PUBLIC
SELECT has_function_privilege('public', 'client_registry.merge_clients(bigint, bigint[])', 'EXECUTE') AS public_merge,
       has_function_privilege('public', 'client_registry.unmerge(bigint)', 'EXECUTE') AS public_unmerge;

DROP TABLE public.merge_loyalty, public.merge_delivery, public.merge_unindexed;
