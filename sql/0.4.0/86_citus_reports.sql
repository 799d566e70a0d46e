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
--
-- A report that reads another one (open_items reads invoice_closings per
-- invoice; aging and payment_reminders read open_items; turnover_by_group
-- and turnover_by_label read turnover) would have that call run on the
-- worker, where a function over distributed tables cannot run.  Before it is
-- made PL/pgSQL, citus_inline_report_calls() writes such a call out as the
-- callee's own statement, its parameters replaced by the arguments of the
-- call (what PostgreSQL's planner does on one node when it inlines them), so
-- the whole report is one statement over the tenant's co-located shards.
-------------------------------------------------------------------------------

CREATE FUNCTION citus_inline_report_calls(body text, depth integer DEFAULT 0) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    callee regprocedure;
    callee_name text;
    callee_body text;
    call_text text;
    pos integer;
    i integer;
    n integer;
    ch text;
    nesting integer;
    quote text;
    arg_start integer;
    args text[];
    arg text;
    arg_names text[];
    given_args text[];
    arg_name text;
BEGIN
    IF depth > 4 THEN
        RAISE EXCEPTION 'the reports call each other more than 4 deep' USING ERRCODE = '54001',
            DETAIL = 'Each call of invoice_closings, open_items or turnover is written out with the calls in its own statement.';
    END IF;
    FOREACH callee IN ARRAY ARRAY['client_registry.invoice_closings(integer, bigint, date)',
                                  'client_registry.open_items(date, bigint)',
                                  'client_registry.turnover(date, date)']::pg_catalog.regprocedure[]
    LOOP
        -- the callee's name and the names of its input arguments, in order
        SELECT pr.proname,
               (SELECT pg_catalog.array_agg(a.name ORDER BY a.ord)
                  FROM ROWS FROM (pg_catalog.unnest(pr.proargnames), pg_catalog.unnest(pr.proargmodes))
                       WITH ORDINALITY AS a(name, mode, ord)
                 WHERE COALESCE(a.mode, 'i') IN ('i', 'b'))
          INTO callee_name, arg_names
          FROM pg_catalog.pg_proc pr WHERE pr.oid = callee;
        LOOP
            pos := pg_catalog.strpos(body, 'client_registry.' || callee_name || '(');
            EXIT WHEN pos = 0;
            -- the argument list up to its closing parenthesis (quoted
            -- literals and identifiers skipped), split at its own commas
            i := pos + pg_catalog.length('client_registry.' || callee_name || '(');
            arg_start := i;
            nesting := 1;
            quote := NULL;
            args := '{}';
            n := pg_catalog.length(body);
            WHILE i <= n LOOP
                ch := pg_catalog.substr(body, i, 1);
                IF quote IS NOT NULL THEN
                    IF ch = quote THEN
                        quote := NULL;      -- a doubled quote opens again at once
                    END IF;
                ELSIF ch IN ('''', '"') THEN
                    quote := ch;
                ELSIF ch = '(' THEN
                    nesting := nesting + 1;
                ELSIF ch = ')' THEN
                    nesting := nesting - 1;
                    IF nesting = 0 THEN
                        args := args || pg_catalog.btrim(pg_catalog.substr(body, arg_start, i - arg_start), E' \n');
                        EXIT;
                    END IF;
                ELSIF ch = ',' AND nesting = 1 THEN
                    args := args || pg_catalog.btrim(pg_catalog.substr(body, arg_start, i - arg_start), E' \n');
                    arg_start := i + 1;
                END IF;
                i := i + 1;
            END LOOP;
            IF nesting <> 0 THEN
                RAISE EXCEPTION 'cannot read the call of % in a report', callee USING ERRCODE = '55000',
                    DETAIL = pg_catalog.format('No closing parenthesis after: %s', pg_catalog.substr(body, pos, 80));
            END IF;
            call_text := pg_catalog.substr(body, pos, i - pos + 1);
            IF args = ARRAY[''] THEN
                args := '{}';
            END IF;

            callee_body := pg_catalog.pg_get_function_sqlbody(callee);
            IF callee_body IS NULL OR callee_body !~ '^\s*BEGIN ATOMIC' THEN
                RAISE EXCEPTION 'a report calls %, which is not an SQL function with a standard body', callee
                    USING ERRCODE = '55000',
                          DETAIL = 'Its statement is written into the reports that call it; it may have been made PL/pgSQL before.',
                          HINT = 'Re-create the reports from the extension''s scripts (ALTER EXTENSION client_registry UPDATE), then call client_registry.citus_port_reports().';
            END IF;
            callee_body := pg_catalog.regexp_replace(callee_body, '^\s*BEGIN ATOMIC\s*', '');
            callee_body := pg_catalog.regexp_replace(callee_body, ';\s*END\s*$', '');
            callee_body := client_registry.citus_inline_report_calls(callee_body, depth + 1);

            -- each parameter (printed qualified: callee.param) becomes the
            -- argument given for it, by position or by name, else its default
            given_args := pg_catalog.array_fill(NULL::text, ARRAY[pg_catalog.cardinality(arg_names)]);
            FOR i IN 1 .. COALESCE(pg_catalog.cardinality(args), 0) LOOP
                arg := args[i];
                arg_name := pg_catalog.substring(arg, '^"?([a-z_][a-z0-9_]*)"?\s*=>');
                IF arg_name IS NOT NULL THEN
                    given_args[pg_catalog.array_position(arg_names, arg_name)] :=
                        pg_catalog.regexp_replace(arg, '^[^=]*=>\s*', '');
                ELSE
                    given_args[i] := arg;
                END IF;
            END LOOP;
            FOR i IN 1 .. pg_catalog.cardinality(arg_names) LOOP
                arg := COALESCE(given_args[i], pg_catalog.pg_get_function_arg_default(callee, i));
                IF arg IS NULL THEN
                    RAISE EXCEPTION 'the call % gives no argument %', call_text, arg_names[i] USING ERRCODE = '55000',
                        DETAIL = 'The argument has no default.';
                END IF;
                callee_body := pg_catalog.regexp_replace(callee_body,
                    '\m' || callee_name || '\.' || arg_names[i] || '\M',
                    '(' || pg_catalog.replace(arg, '\', '\\') || ')', 'g');
            END LOOP;
            body := pg_catalog.overlay(body, '(' || callee_body || ')', pos, pg_catalog.length(call_text));
        END LOOP;
    END LOOP;
    RETURN body;
END
$fn$;
COMMENT ON FUNCTION citus_inline_report_calls(text, integer) IS
    'Issue #17, used by citus_port_reports(): returns a report''s statement with every call of invoice_closings, open_items or turnover written out as that function''s own statement (its parameters replaced by the arguments of the call), so that Citus plans the report as one statement over the tenant''s shards.';
REVOKE ALL ON FUNCTION citus_inline_report_calls(text, integer) FROM PUBLIC;

CREATE FUNCTION citus_port_reports() RETURNS SETOF regprocedure
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    reports regprocedure[] := ARRAY['client_registry.invoice_closings(integer, bigint, date)',
                                    'client_registry.invoice_open_amount(integer, bigint, date)',
                                    'client_registry.open_items(date, bigint)', 'client_registry.aging(date, bigint)',
                                    'client_registry.client_statement(bigint, date, date)',
                                    'client_registry.turnover(date, date)', 'client_registry.turnover_by_group(date, date)',
                                    'client_registry.turnover_by_label(date, date)', 'client_registry.account_balances(date)',
                                    'client_registry.payment_reminders(date, bigint, boolean)'];
    f regprocedure;
    body text;
    bodies text[] := '{}';
    p record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e WHERE e.extname = 'citus') THEN
        RAISE EXCEPTION 'Citus is not installed in this database'
            USING ERRCODE = '55000', HINT = 'client_registry.citus_distribute() calls it on a Citus coordinator; on one node the reports stay SQL functions.';
    END IF;
    -- every statement first (the reports another one reads are read while
    -- they are still SQL functions), then every function
    FOREACH f IN ARRAY reports
    LOOP
        body := NULL;
        IF (SELECT l.lanname FROM pg_catalog.pg_proc pr JOIN pg_catalog.pg_language l ON l.oid = pr.prolang
             WHERE pr.oid = f) = 'sql' THEN         -- else ported before
            body := pg_catalog.pg_get_function_sqlbody(f);
            IF body IS NULL OR body !~ '^\s*BEGIN ATOMIC' THEN
                RAISE EXCEPTION 'report % has no SQL-standard body', f USING ERRCODE = '55000';
            END IF;
            body := pg_catalog.regexp_replace(body, '^\s*BEGIN ATOMIC\s*', '');
            body := pg_catalog.regexp_replace(body, ';\s*END\s*$', '');
            IF pg_catalog.strpos(body, ';') > 0 THEN
                RAISE EXCEPTION 'report % has more than one statement', f USING ERRCODE = '55000';
            END IF;
            body := client_registry.citus_inline_report_calls(body);
            body := pg_catalog.replace(body, 'client_registry.current_tenant()', 'cr_tenant');
        END IF;
        bodies := bodies || body;
    END LOOP;
    FOR i IN 1 .. pg_catalog.cardinality(reports)
    LOOP
        CONTINUE WHEN bodies[i] IS NULL;
        f := reports[i];
        SELECT pr.proname, pr.provolatile, pr.proretset INTO p FROM pg_catalog.pg_proc pr WHERE pr.oid = f;
        EXECUTE pg_catalog.format(
            'CREATE OR REPLACE FUNCTION client_registry.%I(%s) RETURNS %s LANGUAGE plpgsql %s AS %L',
            p.proname, pg_catalog.pg_get_function_arguments(f), pg_catalog.pg_get_function_result(f),
            CASE p.provolatile WHEN 's' THEN 'STABLE' WHEN 'i' THEN 'IMMUTABLE' ELSE 'VOLATILE' END,
            E'#variable_conflict use_column\nDECLARE\n    cr_tenant integer := client_registry.current_tenant();\nBEGIN\n    '
            || CASE WHEN p.proretset THEN 'RETURN QUERY ' || bodies[i] ELSE 'RETURN (' || bodies[i] || ')' END
            || E';\nEND');
        RETURN NEXT f;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION citus_port_reports() IS
    'Issue #17, called by citus_distribute(): makes the debt reports (invoice_closings, invoice_open_amount, open_items, aging, client_statement, turnover, turnover_by_group, turnover_by_label, account_balances, payment_reminders) PL/pgSQL functions running the same statement, the reports they read written out in it (citus_inline_report_calls), which Citus can plan per call and route to the tenant''s shards; returns the functions changed. On one node they stay SQL functions.';
REVOKE ALL ON FUNCTION citus_port_reports() FROM PUBLIC;
