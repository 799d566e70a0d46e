\set k random(:first, :last)
SELECT set_config('role', 'bench_u' || :k, false);
SELECT count(*) FROM client_registry.crm_task;
