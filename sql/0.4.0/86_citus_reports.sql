-------------------------------------------------------------------------------
-- 0.4.0: the debt reports on a Citus cluster (issue #17).  They are SQL
-- functions: on one node the planner inlines them or runs them with their
-- parameters, fast.  On Citus neither works: a parameterized SQL function
-- cannot be planned for the shards ("parameterized queries for SQL
-- functions referencing distributed tables are not supported"), and a
-- report inlined into a query that names no distributed table (SELECT * FROM
-- aging()) is planned by PostgreSQL alone, over the coordinator's empty
-- shell tables: no rows, no error.  citus_port_reports(), called by
-- citus_distribute(), makes each of them a PL/pgSQL function that runs the
-- same statement (RETURN QUERY, the tenant read once into a variable), which
-- Citus plans per call and routes to the tenant's shards.  The statements
-- are taken from the catalog, so the Citus variant is never a stale copy.
-------------------------------------------------------------------------------

CREATE FUNCTION citus_port_reports() RETURNS SETOF regprocedure
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    f regprocedure;
    body text;
    p record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e WHERE e.extname = 'citus') THEN
        RAISE EXCEPTION 'Citus is not installed in this database'
            USING ERRCODE = '55000', HINT = 'client_registry.citus_distribute() calls it on a Citus coordinator; on one node the reports stay SQL functions.';
    END IF;
    FOREACH f IN ARRAY ARRAY['client_registry.open_items(date, bigint)', 'client_registry.aging(date, bigint)',
                             'client_registry.client_statement(bigint, date, date)',
                             'client_registry.turnover(date, date)', 'client_registry.turnover_by_group(date, date)',
                             'client_registry.turnover_by_label(date, date)', 'client_registry.account_balances(date)',
                             'client_registry.payment_reminders(date, bigint, boolean)']::pg_catalog.regprocedure[]
    LOOP
        SELECT pr.proname, pr.provolatile, l.lanname INTO p
          FROM pg_catalog.pg_proc pr JOIN pg_catalog.pg_language l ON l.oid = pr.prolang
         WHERE pr.oid = f;
        CONTINUE WHEN p.lanname <> 'sql';       -- ported before
        body := pg_catalog.pg_get_function_sqlbody(f);
        IF body IS NULL OR body !~ '^\s*BEGIN ATOMIC' THEN
            RAISE EXCEPTION 'report % has no SQL-standard body', f USING ERRCODE = '55000';
        END IF;
        body := pg_catalog.regexp_replace(body, '^\s*BEGIN ATOMIC\s*', '');
        body := pg_catalog.regexp_replace(body, ';\s*END\s*$', '');
        IF pg_catalog.strpos(body, ';') > 0 THEN
            RAISE EXCEPTION 'report % has more than one statement', f USING ERRCODE = '55000';
        END IF;
        body := pg_catalog.replace(body, 'client_registry.current_tenant()', 'cr_tenant');
        EXECUTE pg_catalog.format(
            'CREATE OR REPLACE FUNCTION client_registry.%I(%s) RETURNS %s LANGUAGE plpgsql %s AS %L',
            p.proname, pg_catalog.pg_get_function_arguments(f), pg_catalog.pg_get_function_result(f),
            CASE p.provolatile WHEN 's' THEN 'STABLE' WHEN 'i' THEN 'IMMUTABLE' ELSE 'VOLATILE' END,
            E'#variable_conflict use_column\nDECLARE\n    cr_tenant integer := client_registry.current_tenant();\nBEGIN\n    RETURN QUERY '
            || body || E';\nEND');
        RETURN NEXT f;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION citus_port_reports() IS
    'Issue #17, called by citus_distribute(): makes the debt reports (open_items, aging, client_statement, turnover, turnover_by_group, turnover_by_label, account_balances, payment_reminders) PL/pgSQL functions running the same statement, which Citus can plan per call and route to the tenant''s shards; returns the functions changed. On one node they stay SQL functions.';
REVOKE ALL ON FUNCTION citus_port_reports() FROM PUBLIC;
