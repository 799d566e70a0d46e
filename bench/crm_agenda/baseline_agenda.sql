\set k random(:first, :last)
\set d :k % :depts + 1
\set m :k <= :depts
SELECT set_config('role', 'bench_u' || :k, false);
SELECT 'task' AS item_type, t.id AS item_id, t.tenant_id, t.client_id, c.name AS client_name, t.title, t.status::text AS status,
       t.due_date, NULL::timestamptz AS starts_at, NULL::timestamptz AS ends_at,
       COALESCE(t.due_date < CURRENT_DATE, false) AS is_overdue, 'assigned to me' AS reason,
       t.assigned_user_id AS user_id, t.department_id, t.visibility
  FROM bench_plain.crm_task t JOIN bench_plain.client c ON c.tenant_id = t.tenant_id AND c.id = t.client_id
 WHERE t.tenant_id = 1 AND t.assigned_user_id = :k AND t.status IN ('open', 'in_progress')
   AND (t.visibility = 'everyone' OR t.owner_user_id = :k OR t.assigned_user_id = :k OR (t.department_id = :d AND (t.visibility = 'department' OR :m)))
UNION ALL
SELECT 'task', t.id, t.tenant_id, t.client_id, c.name, t.title, t.status::text, t.due_date, NULL, NULL,
       COALESCE(t.due_date < CURRENT_DATE, false), 'my department', t.assigned_user_id, t.department_id, t.visibility
  FROM bench_plain.crm_task t JOIN bench_plain.client c ON c.tenant_id = t.tenant_id AND c.id = t.client_id
 WHERE t.tenant_id = 1 AND t.department_id = :d AND t.status IN ('open', 'in_progress') AND t.assigned_user_id IS DISTINCT FROM :k
   AND (t.visibility = 'everyone' OR t.owner_user_id = :k OR t.assigned_user_id = :k OR (t.department_id = :d AND (t.visibility = 'department' OR :m)))
UNION ALL
SELECT 'event', e.id, e.tenant_id, e.client_id, c.name, e.title, NULL, e.starts_at::date, e.starts_at, e.ends_at, false, 'mine',
       e.owner_user_id, e.department_id, e.visibility
  FROM bench_plain.crm_event e JOIN bench_plain.client c ON c.tenant_id = e.tenant_id AND c.id = e.client_id
 WHERE e.tenant_id = 1 AND e.owner_user_id = :k AND e.starts_at >= CURRENT_DATE::timestamptz
   AND (e.visibility = 'everyone' OR e.owner_user_id = :k OR (e.department_id = :d AND (e.visibility = 'department' OR :m)))
UNION ALL
SELECT 'event', e.id, e.tenant_id, e.client_id, c.name, e.title, NULL, e.starts_at::date, e.starts_at, e.ends_at, false, 'my department',
       e.owner_user_id, e.department_id, e.visibility
  FROM bench_plain.crm_event e JOIN bench_plain.client c ON c.tenant_id = e.tenant_id AND c.id = e.client_id
 WHERE e.tenant_id = 1 AND e.department_id = :d AND e.starts_at >= CURRENT_DATE::timestamptz AND e.owner_user_id IS DISTINCT FROM :k
   AND (e.visibility = 'everyone' OR e.owner_user_id = :k OR (e.department_id = :d AND (e.visibility = 'department' OR :m)))
UNION ALL
SELECT 'opportunity', o.id, o.tenant_id, o.client_id, c.name, o.title, o.stage::text, o.expected_close, NULL, NULL, true, 'mine',
       o.owner_user_id, o.department_id, o.visibility
  FROM bench_plain.crm_opportunity o JOIN bench_plain.client c ON c.tenant_id = o.tenant_id AND c.id = o.client_id
 WHERE o.tenant_id = 1 AND o.owner_user_id = :k AND o.stage NOT IN ('won', 'lost') AND o.expected_close < CURRENT_DATE
   AND (o.visibility = 'everyone' OR o.owner_user_id = :k OR (o.department_id = :d AND (o.visibility = 'department' OR :m)))
UNION ALL
SELECT 'interaction', i.id, i.tenant_id, i.client_id, c.name, i.subject, i.kind::text, i.occurred_at::date, i.occurred_at, NULL, false, 'mine',
       i.user_id, i.department_id, i.visibility
  FROM bench_plain.crm_interaction i JOIN bench_plain.client c ON c.tenant_id = i.tenant_id AND c.id = i.client_id
 WHERE i.tenant_id = 1 AND i.user_id = :k AND i.is_open
   AND (i.visibility = 'everyone' OR i.user_id = :k OR (i.department_id = :d AND (i.visibility = 'department' OR :m)));
