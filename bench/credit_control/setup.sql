-- bench/credit_control/setup.sql -- the schema and clients of the credit-control benchmark.
-- Tenant 1 (the default of client_registry.tenant).  Buyers, all kind
-- 'buyer', sales tax category PVM1, credit_control 'strict' with a limit
-- no sale here can reach (9,999,999,999,999.00):
--   UAB Mazas   (188772433)  the short history (SMALL posted invoices)
--   UAB Didelis (110443493)  the long history  (BIG posted invoices)
--   UAB Kitas 1..4 (124110246, 112029651, 188710823, 301692533), consecutive
--               ids, SMALL posted invoices each: the contended runs
-- The application role bench_app (the README's registry_app recipe) runs
-- pgbench, so row-level security applies as it would in an application.
CREATE EXTENSION client_registry CASCADE;
INSERT INTO client_registry.client (kind, name, company_code) VALUES ('own_company', 'UAB Bench', '110003978');
INSERT INTO client_registry.client (kind, name, company_code, sales_tax_category, sales_payment_term_days,
                                    credit_control, credit_limit)
VALUES ('buyer', 'UAB Mazas',   '188772433', 'PVM1', 30, 'strict', 9999999999999),
       ('buyer', 'UAB Didelis', '110443493', 'PVM1', 30, 'strict', 9999999999999),
       ('buyer', 'UAB Kitas 1', '124110246', 'PVM1', 30, 'strict', 9999999999999),
       ('buyer', 'UAB Kitas 2', '112029651', 'PVM1', 30, 'strict', 9999999999999),
       ('buyer', 'UAB Kitas 3', '188710823', 'PVM1', 30, 'strict', 9999999999999),
       ('buyer', 'UAB Kitas 4', '301692533', 'PVM1', 30, 'strict', 9999999999999);

CREATE SEQUENCE public.bench_seq;
CREATE ROLE registry_app NOLOGIN;
GRANT USAGE ON SCHEMA client_registry TO registry_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO registry_app;
SELECT client_registry.grant_tenant(1, 'registry_app');   -- 0.4.0: a member of the tenant it works in
CREATE ROLE bench_app LOGIN IN ROLE registry_app;
GRANT USAGE ON SEQUENCE public.bench_seq TO bench_app;
