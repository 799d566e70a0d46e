\set k random(:first, :last)
\set c random(2, :clients + 1)
\set d :k % :depts + 1
\set m :k <= :depts
SELECT set_config('role', 'bench_u' || :k, false);
SELECT f.id, f.table_name, f.row_id, f.action, f.changed_at FROM bench_plain.activity_feed f
 WHERE f.tenant_id = 1 AND f.client_id = :c
   AND CASE f.table_name
       WHEN 'crm_task' THEN EXISTS (SELECT 1 FROM bench_plain.crm_task t WHERE t.tenant_id = f.tenant_id AND t.id = f.row_id
            AND (t.visibility = 'everyone' OR t.owner_user_id = :k OR t.assigned_user_id = :k OR (t.department_id = :d AND (t.visibility = 'department' OR :m))))
       WHEN 'crm_event' THEN EXISTS (SELECT 1 FROM bench_plain.crm_event e WHERE e.tenant_id = f.tenant_id AND e.id = f.row_id
            AND (e.visibility = 'everyone' OR e.owner_user_id = :k OR (e.department_id = :d AND (e.visibility = 'department' OR :m))))
       WHEN 'crm_opportunity' THEN EXISTS (SELECT 1 FROM bench_plain.crm_opportunity o WHERE o.tenant_id = f.tenant_id AND o.id = f.row_id
            AND (o.visibility = 'everyone' OR o.owner_user_id = :k OR (o.department_id = :d AND (o.visibility = 'department' OR :m))))
       WHEN 'crm_interaction' THEN EXISTS (SELECT 1 FROM bench_plain.crm_interaction i WHERE i.tenant_id = f.tenant_id AND i.id = f.row_id
            AND (i.visibility = 'everyone' OR i.user_id = :k OR (i.department_id = :d AND (i.visibility = 'department' OR :m))))
       ELSE true END
 ORDER BY f.changed_at DESC;
