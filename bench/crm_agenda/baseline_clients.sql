\set k random(:first, :last)
\set d :k % :depts + 1
\set m :k <= :depts
SELECT set_config('role', 'bench_u' || :k, false);
SELECT c.id AS client_id, c.tenant_id, c.name, c.kind, c.is_active, s.name AS crm_status, c.email, c.phone,
       tsk.open_tasks, tsk.overdue_tasks, tsk.next_due_date, ev.next_event_at,
       opp.active_opportunities, opp.active_opportunities_value, act.last_activity_at
  FROM bench_plain.client c
  LEFT JOIN bench_plain.crm_status s ON s.tenant_id = c.tenant_id AND s.id = c.crm_status_id
  CROSS JOIN LATERAL (
        SELECT count(*) AS open_tasks, count(*) FILTER (WHERE t.due_date < CURRENT_DATE) AS overdue_tasks, min(t.due_date) AS next_due_date
          FROM bench_plain.crm_task t
         WHERE t.tenant_id = c.tenant_id AND t.client_id = c.id AND t.status IN ('open', 'in_progress')
           AND (t.visibility = 'everyone' OR t.owner_user_id = :k OR t.assigned_user_id = :k OR (t.department_id = :d AND (t.visibility = 'department' OR :m)))) tsk
  CROSS JOIN LATERAL (
        SELECT min(e.starts_at) AS next_event_at FROM bench_plain.crm_event e
         WHERE e.tenant_id = c.tenant_id AND e.client_id = c.id AND e.starts_at >= now()
           AND (e.visibility = 'everyone' OR e.owner_user_id = :k OR (e.department_id = :d AND (e.visibility = 'department' OR :m)))) ev
  CROSS JOIN LATERAL (
        SELECT count(*) AS active_opportunities, COALESCE(sum(o.value), 0.00) AS active_opportunities_value
          FROM bench_plain.crm_opportunity o
         WHERE o.tenant_id = c.tenant_id AND o.client_id = c.id AND o.stage NOT IN ('won', 'lost')
           AND (o.visibility = 'everyone' OR o.owner_user_id = :k OR (o.department_id = :d AND (o.visibility = 'department' OR :m)))) opp
  CROSS JOIN LATERAL (
        SELECT max(f.changed_at) AS last_activity_at FROM bench_plain.activity_feed f
         WHERE f.tenant_id = c.tenant_id AND f.client_id = c.id
           AND CASE f.table_name
               WHEN 'crm_task' THEN EXISTS (SELECT 1 FROM bench_plain.crm_task t WHERE t.tenant_id = f.tenant_id AND t.id = f.row_id
                    AND (t.visibility = 'everyone' OR t.owner_user_id = :k OR t.assigned_user_id = :k OR (t.department_id = :d AND (t.visibility = 'department' OR :m))))
               WHEN 'crm_event' THEN EXISTS (SELECT 1 FROM bench_plain.crm_event e WHERE e.tenant_id = f.tenant_id AND e.id = f.row_id
                    AND (e.visibility = 'everyone' OR e.owner_user_id = :k OR (e.department_id = :d AND (e.visibility = 'department' OR :m))))
               WHEN 'crm_opportunity' THEN EXISTS (SELECT 1 FROM bench_plain.crm_opportunity o WHERE o.tenant_id = f.tenant_id AND o.id = f.row_id
                    AND (o.visibility = 'everyone' OR o.owner_user_id = :k OR (o.department_id = :d AND (o.visibility = 'department' OR :m))))
               WHEN 'crm_interaction' THEN EXISTS (SELECT 1 FROM bench_plain.crm_interaction i WHERE i.tenant_id = f.tenant_id AND i.id = f.row_id
                    AND (i.visibility = 'everyone' OR i.user_id = :k OR (i.department_id = :d AND (i.visibility = 'department' OR :m))))
               ELSE true END) act
 WHERE c.tenant_id = 1 AND c.assigned_user_id = :k;
