-- Exactly one primary address, bank account and contact per client (R3.2,
-- R3.3, R3.5): the first becomes primary, a new primary demotes the old one,
-- deleting the primary promotes the oldest remaining, the flag cannot be
-- switched off directly, a moved row keeps the destination's primary.
SET search_path = client_registry, public;
SET client_registry.tenant = 20;
\set VERBOSITY default
INSERT INTO client (id, kind, name, company_code) VALUES (2001, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client (id, name, company_code) VALUES (2002, 'UAB Pirkėjas', '188772433'),
                                                   (2003, 'UAB Kitas', '301692533');

-- Addresses.
INSERT INTO client_address (id, client_id, street, city, is_registration) VALUES
    (201, 2002, ' Gedimino pr. 1 ', 'Vilnius', true);
INSERT INTO client_address (id, client_id, street, city, is_branch, address_type) VALUES
    (202, 2002, 'Laisvės al. 2', 'Kaunas', true, 'delivery'),
    (203, 2002, 'Taikos pr. 3', 'Klaipėda', true, 'delivery');
SELECT id, is_primary, street, city, country FROM client_address WHERE client_id = 2002 ORDER BY id;
-- Promote: the old primary is demoted in the same statement.
UPDATE client_address SET is_primary = true WHERE id = 203;
SELECT id, is_primary FROM client_address WHERE client_id = 2002 ORDER BY id;
-- Insert a new primary.
INSERT INTO client_address (id, client_id, street, city, is_primary, address_type, is_correspondence)
VALUES (204, 2002, 'Vokiečių g. 4', 'Vilnius', true, 'invoice', true);
SELECT id, is_primary FROM client_address WHERE client_id = 2002 ORDER BY id;
-- Re-setting the flag on the primary is a no-op.
UPDATE client_address SET is_primary = true WHERE id = 204;
-- Switching it off directly is refused.
UPDATE client_address SET is_primary = false WHERE id = 204;
\echo :SQLSTATE
-- Deleting the primary promotes the oldest remaining one (lowest id).
DELETE FROM client_address WHERE id = 204;
SELECT id, is_primary FROM client_address WHERE client_id = 2002 ORDER BY id;
-- Deleting a non-primary changes nothing.
DELETE FROM client_address WHERE id = 202;
SELECT id, is_primary FROM client_address WHERE client_id = 2002 ORDER BY id;
-- Moving the primary to a client without addresses: it stays primary there,
-- and the old client gets a successor.
UPDATE client_address SET client_id = 2003 WHERE id = 201;
SELECT client_id, id, is_primary FROM client_address WHERE client_id IN (2002, 2003) ORDER BY client_id, id;
-- Moving a row to a client that has a primary: the destination's primary wins.
INSERT INTO client_address (id, client_id, city) VALUES (205, 2002, 'Šiauliai');
UPDATE client_address SET client_id = 2003 WHERE id = 205;
SELECT client_id, id, is_primary FROM client_address WHERE client_id IN (2002, 2003) ORDER BY client_id, id;
-- Deleting the last address leaves no primary (and no error).
DELETE FROM client_address WHERE id = 203;
SELECT count(*) AS addresses_of_2002 FROM client_address WHERE client_id = 2002;
-- Bad addresses.
INSERT INTO client_address (client_id, street, city, postal_code) VALUES (2002, ' ', NULL, '');
\echo :SQLSTATE
INSERT INTO client_address (client_id, city, country) VALUES (2002, 'Atlantis', 'ZZ');
\echo :SQLSTATE
INSERT INTO client_address (client_id, city) VALUES (999999, 'Niekur');
\echo :SQLSTATE

-- Bank accounts: IBAN stored compact, bank code derived, same primary rules.
INSERT INTO client_bank_account (id, client_id, iban, bic, bank_name) VALUES
    (301, 2002, 'lt12 1000 0111 0100 1000', 'habalt22', ' Swedbank ');
INSERT INTO client_bank_account (id, client_id, iban, currency) VALUES
    (302, 2002, 'LT92 7300 0101 7717 8794', 'usd'),
    (303, 2002, 'DE89 3704 0044 0532 0130 00', 'EUR');
SELECT id, iban, bic, bank_name, bank_code, currency, is_primary, show_on_invoice
  FROM client_bank_account WHERE client_id = 2002 ORDER BY id;
UPDATE client_bank_account SET is_primary = true WHERE id = 303;
SELECT id, is_primary FROM client_bank_account WHERE client_id = 2002 ORDER BY id;
DELETE FROM client_bank_account WHERE id = 303;
SELECT id, is_primary FROM client_bank_account WHERE client_id = 2002 ORDER BY id;
UPDATE client_bank_account SET is_primary = false WHERE id = 301;
\echo :SQLSTATE
-- The same IBAN and currency twice for one client is refused by a constraint.
INSERT INTO client_bank_account (client_id, iban) VALUES (2002, 'LT121000011101001000');
\echo :SQLSTATE
-- Bad bank data names the value.
INSERT INTO client_bank_account (client_id, iban) VALUES (2002, 'LT12 1000 0111 0100 1001');
\echo :SQLSTATE
INSERT INTO client_bank_account (client_id, iban) VALUES (2002, 'LT12 1000 0111 0100 100');
\echo :SQLSTATE
INSERT INTO client_bank_account (client_id, iban, bic) VALUES (2002, 'LT647044001231465456', 'HABA');
\echo :SQLSTATE
INSERT INTO client_bank_account (client_id, iban, currency) VALUES (2002, 'LT647044001231465456', 'EURO');
\echo :SQLSTATE

-- Contacts.
INSERT INTO client_contact (id, client_id, first_name, last_name, email, position) VALUES
    (401, 2002, ' Ona ', 'Onaitė', 'Ona@Pirkejas.LT', 'buhalterė'),
    (402, 2002, 'Petras', NULL, NULL, 'direktorius');
SELECT id, first_name, last_name, email, is_primary FROM client_contact WHERE client_id = 2002 ORDER BY id;
INSERT INTO client_contact (id, client_id, last_name, is_primary) VALUES (403, 2002, 'Vadovas', true);
SELECT id, is_primary FROM client_contact WHERE client_id = 2002 ORDER BY id;
INSERT INTO client_contact (client_id, first_name, last_name) VALUES (2002, ' ', NULL);
\echo :SQLSTATE
INSERT INTO client_contact (client_id, first_name, email) VALUES (2002, 'Jonas', 'jonas@');
\echo :SQLSTATE

-- The invariant: one primary per client that has contacts.
SELECT client_id, count(*) FILTER (WHERE is_primary) AS primaries, count(*) AS rows
  FROM client_contact WHERE tenant_id = 20 GROUP BY client_id ORDER BY client_id;

-- Deleting a client removes its addresses, bank accounts and contacts.
DELETE FROM client WHERE id = 2002;
SELECT (SELECT count(*) FROM client_address WHERE client_id = 2002) AS addresses,
       (SELECT count(*) FROM client_bank_account WHERE client_id = 2002) AS bank_accounts,
       (SELECT count(*) FROM client_contact WHERE client_id = 2002) AS contacts;

-- updated_at follows user edits, not the registry's own flag moves.
INSERT INTO client (id, name) VALUES (2004, 'Laiko žymų klientas');
INSERT INTO client_address (id, client_id, city, created_at, updated_at) VALUES
    (206, 2004, 'Panevėžys', '2020-01-01', '2020-01-01'),
    (207, 2004, 'Alytus', '2020-01-01', '2020-01-01');
UPDATE client_address SET is_primary = true WHERE id = 207;
SELECT id, is_primary, updated_at = '2020-01-01' AS untouched FROM client_address WHERE client_id = 2004 ORDER BY id;

-- One statement promoting several rows of one client: when it reaches a row
-- an earlier row has just demoted, PostgreSQL refuses (27000) and nothing changes.
INSERT INTO client (id, name) VALUES (2005, 'Daug adresų');
INSERT INTO client_address (id, client_id, city) VALUES (208, 2005, 'A'), (209, 2005, 'B'), (210, 2005, 'C');
UPDATE client_address SET is_primary = true WHERE id = 210;
UPDATE client_address SET is_primary = true WHERE client_id = 2005;
\echo :SQLSTATE
SELECT id, is_primary FROM client_address WHERE client_id = 2005 ORDER BY id;
