-- User-defined client fields (R1.2): typed, defined per tenant, checked.
SET search_path = client_registry, public;
SET client_registry.tenant = 40;
\set VERBOSITY default
INSERT INTO client (id, kind, name) VALUES (4001, 'own_company', 'UAB Savi');
SELECT define_custom_field('loyalty_card', 'text', 'Loyalty card number');
SELECT define_custom_field('discount_percent', 'numeric');
SELECT define_custom_field('visits', 'integer');
SELECT define_custom_field('vip', 'boolean');
SELECT define_custom_field('signed_on', 'date', 'Framework contract signed');
SELECT * FROM custom_field WHERE tenant_id = 40 ORDER BY name;

INSERT INTO client (id, name, custom_fields) VALUES
    (4002, 'UAB Lojalus', '{"loyalty_card": "LC-1", "discount_percent": 7.5, "visits": 12, "vip": true, "signed_on": "2026-02-28"}');
INSERT INTO client (id, name, custom_fields) VALUES (4003, 'UAB Tuščias', '{"vip": null}');
SELECT id, custom_fields FROM client WHERE tenant_id = 40 AND id > 4001 ORDER BY id;

-- Wrong types and unknown keys name the field and the value.
UPDATE client SET custom_fields = '{"signed_on": "2026-02-30"}' WHERE id = 4002;
\echo :SQLSTATE
UPDATE client SET custom_fields = '{"visits": 1.5}' WHERE id = 4002;
\echo :SQLSTATE
UPDATE client SET custom_fields = '{"vip": "yes"}' WHERE id = 4002;
\echo :SQLSTATE
UPDATE client SET custom_fields = '{"discount_percent": "7"}' WHERE id = 4002;
\echo :SQLSTATE
UPDATE client SET custom_fields = '{"loyalty_card": 1}' WHERE id = 4002;
\echo :SQLSTATE
UPDATE client SET custom_fields = '{"colour": "red"}' WHERE id = 4002;
\echo :SQLSTATE
UPDATE client SET custom_fields = '[1, 2]' WHERE id = 4002;
\echo :SQLSTATE

-- Definitions are checked; a field in use cannot be dropped or retyped.
SELECT define_custom_field('Bad Name', 'text');
\echo :SQLSTATE
UPDATE tenant SET custom_fields = '{"x": {"type": "money"}}' WHERE id = 40;
\echo :SQLSTATE
SELECT drop_custom_field('signed_on');
\echo :SQLSTATE
SELECT define_custom_field('visits', 'text');
\echo :SQLSTATE
-- Redefining the description keeps the type: allowed.
SELECT define_custom_field('visits', 'integer', 'Visits this year');
-- An unused field can be dropped.
UPDATE client SET custom_fields = custom_fields - 'signed_on' WHERE custom_fields ? 'signed_on';
SELECT drop_custom_field('signed_on');
SELECT name, data_type, description FROM custom_field WHERE tenant_id = 40 ORDER BY name;
-- Definitions of one tenant do not apply to another.
SET client_registry.tenant = 41;
INSERT INTO client (kind, name, custom_fields) VALUES ('own_company', 'UAB Kitas', '{"vip": true}');
\echo :SQLSTATE
