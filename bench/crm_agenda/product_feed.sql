\set k random(:first, :last)
\set c random(2, :clients + 1)
SELECT set_config('role', 'bench_u' || :k, false);
SELECT f.id, f.table_name, f.row_id, f.action, f.changed_at FROM client_registry.activity_feed f
 WHERE f.tenant_id = 1 AND f.client_id = :c ORDER BY f.changed_at DESC;
