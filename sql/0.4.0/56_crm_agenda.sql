
-------------------------------------------------------------------------------
-- 0.4.0 (issue #19): the user's own day -- my_agenda (open tasks, coming
-- events, overdue opportunities, open inquiries of the current user and of
-- their department) and my_clients (the clients assigned to the current
-- user).  Every branch is an index range scan on (tenant, user or
-- department, date): measured on 1,000,000 CRM rows in bench/crm_agenda.sh.
-------------------------------------------------------------------------------

CREATE INDEX crm_task_open_department_idx ON crm_task (tenant_id, department_id, due_date)
    WHERE status IN ('open', 'in_progress');
CREATE INDEX crm_event_owner_idx ON crm_event (tenant_id, owner_user_id, starts_at);
CREATE INDEX crm_event_department_idx ON crm_event (tenant_id, department_id, starts_at);
CREATE INDEX crm_opportunity_active_owner_idx ON crm_opportunity (tenant_id, owner_user_id, expected_close)
    WHERE stage NOT IN ('won', 'lost');
CREATE INDEX crm_interaction_open_user_idx ON crm_interaction (tenant_id, user_id, occurred_at)
    WHERE is_open;
-- (open tasks assigned to a user: crm_task_assigned_idx of 0.3.0)

CREATE VIEW my_agenda WITH (security_invoker = true) AS
-- open tasks assigned to me
SELECT 'task'::client_registry.crm_item_type AS item_type, t.id AS item_id, t.tenant_id, t.client_id,
       c.name AS client_name, t.title, t.status::text AS status,
       t.due_date, NULL::timestamptz AS starts_at, NULL::timestamptz AS ends_at,
       COALESCE(t.due_date < CURRENT_DATE, false) AS is_overdue, 'assigned to me'::text AS reason,
       t.assigned_user_id AS user_id, t.department_id, t.visibility
  FROM client_registry.crm_task t
  JOIN client_registry.client c ON c.tenant_id = t.tenant_id AND c.id = t.client_id
 WHERE t.tenant_id = client_registry.current_tenant()
   AND t.assigned_user_id = client_registry.current_crm_user_id()
   AND t.status IN ('open', 'in_progress')
UNION ALL
-- open tasks of my department assigned to somebody else or to nobody
SELECT 'task', t.id, t.tenant_id, t.client_id, c.name, t.title, t.status::text,
       t.due_date, NULL, NULL, COALESCE(t.due_date < CURRENT_DATE, false), 'my department',
       t.assigned_user_id, t.department_id, t.visibility
  FROM client_registry.crm_task t
  JOIN client_registry.client c ON c.tenant_id = t.tenant_id AND c.id = t.client_id
 WHERE t.tenant_id = client_registry.current_tenant()
   AND t.department_id = client_registry.current_crm_department_id()
   AND t.status IN ('open', 'in_progress')
   AND t.assigned_user_id IS DISTINCT FROM client_registry.current_crm_user_id()
UNION ALL
-- my events from today on
SELECT 'event', e.id, e.tenant_id, e.client_id, c.name, e.title, NULL,
       e.starts_at::date, e.starts_at, e.ends_at, false, 'mine',
       e.owner_user_id, e.department_id, e.visibility
  FROM client_registry.crm_event e
  JOIN client_registry.client c ON c.tenant_id = e.tenant_id AND c.id = e.client_id
 WHERE e.tenant_id = client_registry.current_tenant()
   AND e.owner_user_id = client_registry.current_crm_user_id()
   AND e.starts_at >= CURRENT_DATE::timestamptz
UNION ALL
-- my department's events from today on, of somebody else
SELECT 'event', e.id, e.tenant_id, e.client_id, c.name, e.title, NULL,
       e.starts_at::date, e.starts_at, e.ends_at, false, 'my department',
       e.owner_user_id, e.department_id, e.visibility
  FROM client_registry.crm_event e
  JOIN client_registry.client c ON c.tenant_id = e.tenant_id AND c.id = e.client_id
 WHERE e.tenant_id = client_registry.current_tenant()
   AND e.department_id = client_registry.current_crm_department_id()
   AND e.starts_at >= CURRENT_DATE::timestamptz
   AND e.owner_user_id IS DISTINCT FROM client_registry.current_crm_user_id()
UNION ALL
-- my active opportunities past their expected close
SELECT 'opportunity', o.id, o.tenant_id, o.client_id, c.name, o.title, o.stage::text,
       o.expected_close, NULL, NULL, true, 'mine',
       o.owner_user_id, o.department_id, o.visibility
  FROM client_registry.crm_opportunity o
  JOIN client_registry.client c ON c.tenant_id = o.tenant_id AND c.id = o.client_id
 WHERE o.tenant_id = client_registry.current_tenant()
   AND o.owner_user_id = client_registry.current_crm_user_id()
   AND o.stage NOT IN ('won', 'lost')
   AND o.expected_close < CURRENT_DATE
UNION ALL
-- inquiries I recorded that still wait for an answer
SELECT 'interaction', i.id, i.tenant_id, i.client_id, c.name, i.subject, i.kind::text,
       i.occurred_at::date, i.occurred_at, NULL, false, 'mine',
       i.user_id, i.department_id, i.visibility
  FROM client_registry.crm_interaction i
  JOIN client_registry.client c ON c.tenant_id = i.tenant_id AND c.id = i.client_id
 WHERE i.tenant_id = client_registry.current_tenant()
   AND i.user_id = client_registry.current_crm_user_id()
   AND i.is_open;
COMMENT ON VIEW my_agenda IS
    'The current user''s day (current_user''s crm_user): open tasks assigned to them or to their department, their own and their department''s events from today on, their active opportunities past the expected close, and the inquiries they recorded that wait for an answer. Row-level security leaves out what they may not see. Typical use: SELECT * FROM my_agenda ORDER BY is_overdue DESC, due_date NULLS LAST.';
COMMENT ON COLUMN my_agenda.item_type IS 'task, event, opportunity or interaction.';
COMMENT ON COLUMN my_agenda.item_id IS 'id in the item''s table.';
COMMENT ON COLUMN my_agenda.tenant_id IS 'Tenant.';
COMMENT ON COLUMN my_agenda.client_id IS 'The client.';
COMMENT ON COLUMN my_agenda.client_name IS 'Client name.';
COMMENT ON COLUMN my_agenda.title IS 'Title (subject of an inquiry).';
COMMENT ON COLUMN my_agenda.status IS 'Task status, opportunity stage or interaction kind; NULL for events.';
COMMENT ON COLUMN my_agenda.due_date IS 'Due date of a task, day of an event, expected close of an opportunity, day of an inquiry.';
COMMENT ON COLUMN my_agenda.starts_at IS 'Start of an event (time of an inquiry).';
COMMENT ON COLUMN my_agenda.ends_at IS 'End of an event.';
COMMENT ON COLUMN my_agenda.is_overdue IS 'A task past its due date, an opportunity past its expected close.';
COMMENT ON COLUMN my_agenda.reason IS 'Why it is on the agenda: assigned to me, mine, my department.';
COMMENT ON COLUMN my_agenda.user_id IS 'The assignee of a task, the owner of an event or opportunity, the author of an inquiry.';
COMMENT ON COLUMN my_agenda.department_id IS 'The item''s department.';
COMMENT ON COLUMN my_agenda.visibility IS 'The item''s visibility.';

CREATE VIEW my_clients WITH (security_invoker = true) AS
SELECT c.id AS client_id, c.tenant_id, c.name, c.kind, c.is_active, s.name AS crm_status,
       c.email, c.phone,
       tsk.open_tasks, tsk.overdue_tasks, tsk.next_due_date,
       ev.next_event_at,
       opp.active_opportunities, opp.active_opportunities_value,
       act.last_activity_at
  FROM client_registry.client c
  LEFT JOIN client_registry.crm_status s ON s.tenant_id = c.tenant_id AND s.id = c.crm_status_id
  CROSS JOIN LATERAL (
        SELECT count(*) AS open_tasks, count(*) FILTER (WHERE t.due_date < CURRENT_DATE) AS overdue_tasks,
               min(t.due_date) AS next_due_date
          FROM client_registry.crm_task t
         WHERE t.tenant_id = c.tenant_id AND t.client_id = c.id AND t.status IN ('open', 'in_progress')) tsk
  CROSS JOIN LATERAL (
        SELECT min(e.starts_at) AS next_event_at
          FROM client_registry.crm_event e
         WHERE e.tenant_id = c.tenant_id AND e.client_id = c.id AND e.starts_at >= now()) ev
  CROSS JOIN LATERAL (
        SELECT count(*) AS active_opportunities, COALESCE(sum(o.value), 0.00) AS active_opportunities_value
          FROM client_registry.crm_opportunity o
         WHERE o.tenant_id = c.tenant_id AND o.client_id = c.id AND o.stage NOT IN ('won', 'lost')) opp
  CROSS JOIN LATERAL (
        SELECT max(f.changed_at) AS last_activity_at
          FROM client_registry.activity_feed f
         WHERE f.tenant_id = c.tenant_id AND f.client_id = c.id) act
 WHERE c.tenant_id = client_registry.current_tenant()
   AND c.assigned_user_id = client_registry.current_crm_user_id();
COMMENT ON VIEW my_clients IS
    'R5.3 the clients assigned to the current user (current_user''s crm_user), with what waits on each: open and overdue tasks, the next event, active opportunities, the last activity. Counts include only what the user may see.';
COMMENT ON COLUMN my_clients.client_id IS 'Client id.';
COMMENT ON COLUMN my_clients.tenant_id IS 'Tenant.';
COMMENT ON COLUMN my_clients.name IS 'Client name.';
COMMENT ON COLUMN my_clients.kind IS 'Kind of client.';
COMMENT ON COLUMN my_clients.is_active IS 'Active flag.';
COMMENT ON COLUMN my_clients.crm_status IS 'CRM status name.';
COMMENT ON COLUMN my_clients.email IS 'E-mail.';
COMMENT ON COLUMN my_clients.phone IS 'Phone.';
COMMENT ON COLUMN my_clients.open_tasks IS 'Open or in-progress tasks of the client the user sees.';
COMMENT ON COLUMN my_clients.overdue_tasks IS 'Those past their due date.';
COMMENT ON COLUMN my_clients.next_due_date IS 'Earliest due date of those tasks.';
COMMENT ON COLUMN my_clients.next_event_at IS 'Start of the next event from now.';
COMMENT ON COLUMN my_clients.active_opportunities IS 'Opportunities not won or lost.';
COMMENT ON COLUMN my_clients.active_opportunities_value IS 'Their total value.';
COMMENT ON COLUMN my_clients.last_activity_at IS 'Time of the newest activity-feed entry of the client the user sees.';
