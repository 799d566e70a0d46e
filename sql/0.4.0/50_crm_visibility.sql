
-------------------------------------------------------------------------------
-- 0.4.0 (issue #19): visibility on every CRM row.  Documents, interactions
-- and opportunities get the visibility of tasks and events; department
-- managers; and the policies become plain expressions over the row's own
-- columns calling STABLE functions (no sub-queries: issue #17), with the
-- lookups done once per statement in C (src/crm_visibility.c).
-------------------------------------------------------------------------------

COMMENT ON TYPE crm_visibility IS
    'R5.5 who sees a CRM row (task, event, document, interaction, opportunity): user (its owner and, for tasks, the assignee), department (also everyone in the row''s department), everyone. A manager of the row''s department sees it whatever its visibility.';

CREATE TYPE crm_item_type AS ENUM ('task', 'event', 'document', 'opportunity', 'interaction', 'order');
COMMENT ON TYPE crm_item_type IS
    'The kinds of CRM items that can be linked (crm_link) and listed together (crm_item): crm_task, crm_event, crm_document, crm_opportunity, crm_interaction, crm_order.';

ALTER TABLE crm_user ADD COLUMN is_manager boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN crm_user.is_manager IS
    'A manager of the user''s department: sees every task, event, document, interaction and opportunity of that department, whatever its visibility.';

-------------------------------------------------------------------------------
-- The current user, looked up once per statement (C; was SQL in 0.3.0)
-------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION current_crm_user_id() RETURNS bigint
    AS 'MODULE_PATHNAME', 'cr_current_crm_user_id' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION current_crm_user_id() IS
    'The active crm_user whose login is the current role (current_user) in the current tenant, NULL when there is none. Looked up once per statement.';

CREATE OR REPLACE FUNCTION current_crm_department_id() RETURNS bigint
    AS 'MODULE_PATHNAME', 'cr_current_crm_department_id' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION current_crm_department_id() IS 'The department of the current user (current_crm_user_id()), NULL when none.';

CREATE FUNCTION crm_visible(visibility crm_visibility, owner_user_id bigint, assigned_user_id bigint,
                            department_id bigint) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cr_crm_visible' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_visible(crm_visibility, bigint, bigint, bigint) IS
    'R5.5 the visibility rule applied to a row''s columns: true when visibility is everyone; when the current user is the owner or the assignee; when visibility is department and the row''s department is the current user''s; when the current user is a manager of the row''s department. The crm_visibility policies call it.';

CREATE FUNCTION crm_row_visible(tenant_id integer, table_name name, row_id bigint) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cr_crm_row_visible' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_row_visible(integer, name, bigint) IS
    'Whether the current user may see row row_id of a registry table of the session''s tenant: for crm_task, crm_event, crm_document, crm_interaction and crm_opportunity by crm_visible on the row, for crm_comment by its task or event, for crm_link by both ends; rows of other tables are seen. False for another tenant and for a row that does not exist. An index probe, remembered for the statement; used by the policies of crm_comment and activity_feed.';

CREATE FUNCTION crm_item_visible(tenant_id integer, item_type crm_item_type, item_id bigint) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cr_crm_item_visible' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_item_visible(integer, crm_item_type, bigint) IS
    'crm_row_visible for a CRM item named by its type (the ends of a link).';

CREATE FUNCTION crm_visibility_lookups(OUT user_lookups bigint, OUT row_probes bigint)
    AS 'MODULE_PATHNAME', 'cr_crm_visibility_lookups' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crm_visibility_lookups() IS
    'How many times this session looked up its crm_user and probed CRM rows for visibility (the user is read once per statement, not per row).';
REVOKE ALL ON FUNCTION crm_visibility_lookups() FROM PUBLIC;

-------------------------------------------------------------------------------
-- Visibility on documents, interactions and opportunities (as on events).
-- Existing rows stay visible to everyone.
-------------------------------------------------------------------------------

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['crm_document', 'crm_interaction', 'crm_opportunity']
    LOOP
        EXECUTE pg_catalog.format(
            'ALTER TABLE client_registry.%1$I'
            '  ADD COLUMN department_id bigint DEFAULT client_registry.current_crm_department_id(),'
            '  ADD COLUMN visibility client_registry.crm_visibility NOT NULL DEFAULT ''everyone'','
            '  ADD CONSTRAINT %2$I FOREIGN KEY (tenant_id, department_id) REFERENCES client_registry.crm_department (tenant_id, id),'
            '  ADD CONSTRAINT %3$I CHECK (visibility OPERATOR(pg_catalog.<>) ''department'' OR department_id IS NOT NULL)',
            t, t || '_department_fkey', t || '_department_given');
        EXECUTE pg_catalog.format(
            'COMMENT ON COLUMN client_registry.%I.department_id IS %L', t,
            'Department that sees it with visibility department (default: the current user''s).');
    END LOOP;
END
$do$;
COMMENT ON COLUMN crm_document.user_id IS 'Who attached it (default: the current user); always sees it.';
COMMENT ON COLUMN crm_document.visibility IS 'user, department or everyone (default everyone).';
COMMENT ON COLUMN crm_interaction.user_id IS 'The user who recorded it (default: the current user); always sees it.';
COMMENT ON COLUMN crm_interaction.visibility IS 'user (a private call note), department or everyone (default everyone).';
COMMENT ON COLUMN crm_opportunity.owner_user_id IS 'Responsible user (default: the current user); always sees it.';
COMMENT ON COLUMN crm_opportunity.visibility IS 'user, department or everyone (default everyone).';

COMMENT ON TABLE crm_document IS
    'R5.5 documents linked to a client (offers, contracts, scans) by reference, with a document type and visibility user / department / everyone (row-level security).';
COMMENT ON TABLE crm_interaction IS
    'R5.1/R5.2 inquiries from the client, calls and comments on the card, with visibility user / department / everyone (row-level security).';
COMMENT ON TABLE crm_opportunity IS
    'R5.6 sales opportunities of a client, with stage, value and visibility user / department / everyone (row-level security).';
COMMENT ON TABLE crm_task IS
    'R5.5 tasks linked to a client, with status and due date. Row-level security shows a task to its owner and assignee, to its department (visibility department), to a manager of its department, or to everyone. version: optimistic locking (docs/crm.md "Concurrency").';

-------------------------------------------------------------------------------
-- The policies: RESTRICTIVE on top of tenant_isolation, plain expressions
-- over the row's columns (the 0.3.0 ones had sub-selects).
-------------------------------------------------------------------------------

DROP POLICY crm_visibility ON crm_task;
DROP POLICY crm_visibility ON crm_event;
DROP POLICY crm_visibility ON crm_comment;
DROP POLICY crm_visibility ON activity_feed;

CREATE POLICY crm_visibility ON crm_task AS RESTRICTIVE
    USING (client_registry.crm_visible(visibility, owner_user_id, assigned_user_id, department_id))
    WITH CHECK (client_registry.crm_visible(visibility, owner_user_id, assigned_user_id, department_id));
CREATE POLICY crm_visibility ON crm_event AS RESTRICTIVE
    USING (client_registry.crm_visible(visibility, owner_user_id, NULL, department_id))
    WITH CHECK (client_registry.crm_visible(visibility, owner_user_id, NULL, department_id));
CREATE POLICY crm_visibility ON crm_document AS RESTRICTIVE
    USING (client_registry.crm_visible(visibility, user_id, NULL, department_id))
    WITH CHECK (client_registry.crm_visible(visibility, user_id, NULL, department_id));
CREATE POLICY crm_visibility ON crm_interaction AS RESTRICTIVE
    USING (client_registry.crm_visible(visibility, user_id, NULL, department_id))
    WITH CHECK (client_registry.crm_visible(visibility, user_id, NULL, department_id));
CREATE POLICY crm_visibility ON crm_opportunity AS RESTRICTIVE
    USING (client_registry.crm_visible(visibility, owner_user_id, NULL, department_id))
    WITH CHECK (client_registry.crm_visible(visibility, owner_user_id, NULL, department_id));
-- a comment is visible with its task or event
CREATE POLICY crm_visibility ON crm_comment AS RESTRICTIVE
    USING (client_registry.crm_row_visible(tenant_id, 'crm_task', task_id)
           OR client_registry.crm_row_visible(tenant_id, 'crm_event', event_id))
    WITH CHECK (client_registry.crm_row_visible(tenant_id, 'crm_task', task_id)
           OR client_registry.crm_row_visible(tenant_id, 'crm_event', event_id));
-- a feed entry is visible to whoever sees the row it is about (entries of a
-- deleted CRM row only to the owner role, as in 0.3.0)
CREATE POLICY crm_visibility ON activity_feed AS RESTRICTIVE
    USING (client_registry.crm_row_visible(tenant_id, table_name, row_id));
