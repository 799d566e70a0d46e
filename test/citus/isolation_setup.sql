-- Test clusters only (test/citus/run.sh, before the isolation specs): the
-- isolation tester asks pg_catalog.pg_isolation_test_session_is_blocked() on
-- the coordinator whether a step waits, which sees only the coordinator's own
-- lock waits.  A step of a distributed transaction waits on a worker; Citus's
-- citus_isolation_test_session_is_blocked() follows the distributed
-- transaction to the workers and asks the original under the name it expects,
-- old_pg_isolation_test_session_is_blocked.  The original is renamed (so this script
-- runs once per cluster) and a wrapper with its name and signature asks Citus.
-- Never run this on a production cluster.
DO $do$
BEGIN
    IF to_regprocedure('pg_catalog.old_pg_isolation_test_session_is_blocked(integer, integer[])') IS NULL THEN
        ALTER FUNCTION pg_catalog.pg_isolation_test_session_is_blocked(integer, integer[])
            RENAME TO old_pg_isolation_test_session_is_blocked;
        CREATE FUNCTION pg_catalog.pg_isolation_test_session_is_blocked(pid integer, interesting_pids integer[])
        RETURNS boolean LANGUAGE sql
        AS 'SELECT pg_catalog.citus_isolation_test_session_is_blocked(pid, interesting_pids)';
    END IF;
END
$do$;
