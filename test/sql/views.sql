-- Reporting views: client_card and the address, bank account and contact lists.
SET search_path = client_registry, public;
SET client_registry.tenant = 60;
INSERT INTO client (id, kind, name, company_code, vat_code) VALUES (6001, 'own_company', 'UAB Ataskaitos', '110003978', 'LT100001919017');
INSERT INTO client (id, name, company_code, vat_code, email, sales_tax_category)
VALUES (6002, 'UAB Pirkėjas', '188772433', 'LT119511515', 'info@pirkejas.lt', 'PVM1');
INSERT INTO client_address (client_id, street, city, postal_code, is_registration) VALUES (6002, 'Gedimino pr. 1', 'Vilnius', 'LT-01103', true);
INSERT INTO client_address (client_id, street, city, is_branch, address_type) VALUES (6002, 'Laisvės al. 2', 'Kaunas', true, 'delivery');
INSERT INTO client_bank_account (client_id, iban, bic, bank_name) VALUES (6002, 'LT121000011101001000', 'HABALT22', 'Swedbank');
INSERT INTO client_contact (client_id, first_name, last_name, email) VALUES (6002, 'Ona', 'Onaitė', 'ona@pirkejas.lt');
INSERT INTO client_group (id, name) VALUES (61, 'Didmena'), (62, 'Vilnius');
INSERT INTO client_group_member (client_id, group_id) VALUES (6002, 61), (6002, 62);
INSERT INTO label (id, name) VALUES (63, 'VIP');
INSERT INTO client_label (client_id, label_id) VALUES (6002, 63);

\x on
SELECT id, kind, name, company_code, vat_code, email, country, is_active, address_street, address_city,
       address_postal_code, address_country, iban, bic, bank_name, contact_name, contact_email,
       groups, labels
  FROM client_card WHERE tenant_id = 60 ORDER BY id;
\x off
SELECT client_name, is_primary, is_registration, is_branch, address_type, full_address
  FROM client_address_list WHERE tenant_id = 60 ORDER BY id;
SELECT client_name, is_primary, iban, iban_formatted, bank_code, currency FROM client_bank_account_list WHERE tenant_id = 60;
SELECT client_name, is_primary, full_name, email FROM client_contact_list WHERE tenant_id = 60;

-- Every view is security_invoker and documented down to the column.
SELECT c.relname, c.reloptions
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'client_registry' AND c.relkind = 'v' ORDER BY 1;
SELECT c.relname, a.attname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname = 'client_registry' AND c.relkind IN ('r', 'v')
   AND (col_description(c.oid, a.attnum) IS NULL OR obj_description(c.oid, 'pg_class') IS NULL)
 ORDER BY 1, 2;
