
-------------------------------------------------------------------------------
-- 0.4.0: the balance checks of 0.2.0 made to run on Citus (issue #17),
-- unchanged in what they return.  They were SQL functions reading
-- current_tenant() in their statements; Citus plans neither an SQL
-- function's statements nor a tenant it cannot prune by.  As PL/pgSQL they
-- read the tenant once and name it as a value in every statement, and every
-- join of client_balance matches tenant_id too.
-------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION balance_discrepancies()
RETURNS TABLE (client_id bigint, receivable numeric, receivable_expected numeric,
               payable numeric, payable_expected numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RETURN QUERY EXECUTE $q$
    SELECT e.client_id, COALESCE(b.receivable, 0), e.receivable, COALESCE(b.payable, 0), e.payable
      FROM client_registry.client_balance_expected e
      LEFT JOIN client_registry.client_balance b ON b.tenant_id = e.tenant_id AND b.client_id = e.client_id
     WHERE e.tenant_id = $1
       AND (COALESCE(b.receivable, 0) <> e.receivable OR COALESCE(b.payable, 0) <> e.payable)
     ORDER BY e.client_id
    $q$ USING client_registry.current_tenant();
END
$fn$;

CREATE OR REPLACE FUNCTION rebuild_balances() RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_tenant integer := client_registry.current_tenant();
    n bigint;
BEGIN
    EXECUTE 'DELETE FROM client_registry.client_balance WHERE tenant_id = $1' USING v_tenant;
    EXECUTE $q$
    INSERT INTO client_registry.client_balance (tenant_id, client_id, receivable, payable)
    SELECT e.tenant_id, e.client_id, e.receivable, e.payable
      FROM client_registry.client_balance_expected e
     WHERE e.tenant_id = $1 AND (e.receivable <> 0 OR e.payable <> 0)
    $q$ USING v_tenant;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$fn$;
