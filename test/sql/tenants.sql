-- Tenants: every row carries tenant_id; the setting client_registry.tenant
-- picks the tenant (default 1); row-level security keeps tenants apart for
-- every role but the owner.
SET search_path = client_registry, public;
\set VERBOSITY default
SELECT current_tenant(), default_country();
SHOW client_registry.tenant;
SET client_registry.tenant = 0;
SET client_registry.default_country = 'lt';
SET client_registry.default_country = 'LV';
SELECT default_country();
RESET client_registry.default_country;

-- The owner sets up two tenants.
SET client_registry.tenant = 50;
INSERT INTO client (id, kind, name, company_code) VALUES (5001, 'own_company', 'UAB Penkiasdešimt', '110003978');
INSERT INTO client (id, name) VALUES (5002, 'Penkiasdešimties klientas');
SET client_registry.tenant = 51;
INSERT INTO client (id, kind, name, company_code) VALUES (5101, 'own_company', 'UAB Penkiasdešimt vienas', '110003978');
INSERT INTO client (id, name) VALUES (5102, 'Penkiasdešimt vieno klientas');

-- An application role without ownership.
CREATE ROLE cr_regress_clerk NOLOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_regress_clerk;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO cr_regress_clerk;
-- 0.4.0: table privileges alone give no tenant; the owner makes the role a
-- member of tenant 50 (docs/security.md; test tenant_boundary has the rest).
SELECT grant_tenant(50, 'cr_regress_clerk');
SET ROLE cr_regress_clerk;

SET client_registry.tenant = 50;
SELECT id, tenant_id, name FROM client WHERE id IN (5001, 5002, 5101, 5102) ORDER BY id;
SELECT id FROM tenant WHERE id IN (50, 51);
-- Rows of another tenant can be neither written nor seen.
INSERT INTO client (tenant_id, name) VALUES (51, 'Įsibrovėlis');
\echo :SQLSTATE
-- ... and nothing of the other tenant leaks through the rules' messages
-- (110003978 is tenant 51's own company code).
INSERT INTO client (tenant_id, name, company_code) VALUES (51, 'Zondas', '110003978');
\echo :SQLSTATE
INSERT INTO client_address (tenant_id, client_id, city) VALUES (51, 5102, 'Vilnius');
\echo :SQLSTATE
INSERT INTO client_group (tenant_id, name) VALUES (51, 'Svetima grupė');
\echo :SQLSTATE
UPDATE client SET name = 'Pakeista' WHERE id = 5102;
DELETE FROM client WHERE id = 5102;
-- New rows land in the session's tenant.
INSERT INTO client (id, name) VALUES (5003, 'Naujas penkiasdešimties');
SELECT id, tenant_id FROM client WHERE id = 5003;
-- Children follow their client's tenant (composite foreign key).
INSERT INTO client_address (tenant_id, client_id, city) VALUES (50, 5102, 'Vilnius');
\echo :SQLSTATE
-- A new tenant is created on its first client, without rights on the tenant
-- table, for a role that is a member of every tenant (a pooled application).
RESET ROLE;
SELECT grant_all_tenants('cr_regress_clerk');
SET ROLE cr_regress_clerk;
SET client_registry.tenant = 52;
INSERT INTO client (id, kind, name) VALUES (5201, 'own_company', 'UAB Naujas nuomininkas');
SELECT id FROM tenant;
RESET ROLE;

SET client_registry.tenant = 51;
SELECT id, name FROM client WHERE id IN (5101, 5102) ORDER BY id;
SELECT count(*) AS rows_seen_by_owner FROM client WHERE id IN (5001, 5002, 5003, 5101, 5102, 5201);

-- The same company code may live in two tenants, but never twice in one.
SELECT tenant_id, company_code FROM client WHERE company_code = '110003978' AND tenant_id IN (50, 51) ORDER BY 1;

SELECT revoke_all_tenants('cr_regress_clerk'), revoke_tenant(50, 'cr_regress_clerk');
DROP OWNED BY cr_regress_clerk;
DROP ROLE cr_regress_clerk;
