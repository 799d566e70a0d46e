\set k random(:first, :last)
SELECT set_config('role', 'bench_u' || :k, false);
SELECT * FROM client_registry.my_clients;
