\set k random(:first, :last)
\set d :k % :depts + 1
\set m :k <= :depts
SELECT set_config('role', 'bench_u' || :k, false);
SELECT count(*) FROM bench_plain.crm_task t
 WHERE t.tenant_id = 1
   AND (t.visibility = 'everyone' OR t.owner_user_id = :k OR t.assigned_user_id = :k OR (t.department_id = :d AND (t.visibility = 'department' OR :m)));
