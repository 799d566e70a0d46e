-------------------------------------------------------------------------------
-- 0.4.0: the foreign key actions of 80_citus_keys.sql, as triggers
-- (src/linked_rows.c): the same behaviour on one node and on Citus.
-------------------------------------------------------------------------------

CREATE FUNCTION detach_bank_entries() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_detach_bank_entries' LANGUAGE C;
COMMENT ON FUNCTION detach_bank_entries() IS
    'Trigger (BEFORE DELETE of payment and invoice; argument: the column of bank_entry): the bank entries that point at the deleted row lose that link (a payment''s entry goes back to bank_entry_queue).';

CREATE TRIGGER payment_25_detach_bank_entries BEFORE DELETE ON payment
    FOR EACH ROW EXECUTE FUNCTION detach_bank_entries('payment_id');
CREATE TRIGGER invoice_25_detach_bank_entries BEFORE DELETE ON invoice
    FOR EACH ROW EXECUTE FUNCTION detach_bank_entries('matched_invoice_id');

CREATE FUNCTION child_follows_parent() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_child_follows_parent' LANGUAGE C;
COMMENT ON FUNCTION child_follows_parent() IS
    'Trigger (BEFORE INSERT OR UPDATE of crm_comment and crm_order_line; arguments: the parent columns): client_id is the client of the task, event or order (filled in when left out, refused when different).';

CREATE TRIGGER crm_comment_05_follow_parent BEFORE INSERT OR UPDATE OF client_id, task_id, event_id ON crm_comment
    FOR EACH ROW EXECUTE FUNCTION child_follows_parent('task_id', 'event_id');
CREATE TRIGGER crm_order_line_05_follow_parent BEFORE INSERT OR UPDATE OF client_id, order_id ON crm_order_line
    FOR EACH ROW EXECUTE FUNCTION child_follows_parent('order_id');

-- (client_id stays NOT NULL: the trigger fills it in before the constraint is checked)

CREATE FUNCTION parent_client_moved() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_parent_client_moved' LANGUAGE C;
COMMENT ON FUNCTION parent_client_moved() IS
    'Trigger (AFTER UPDATE OF client_id of crm_task, crm_event and crm_order; arguments: child table, its column): the comments or order lines move to the new client with their parent.';

CREATE TRIGGER crm_task_40_children_follow AFTER UPDATE OF client_id ON crm_task
    FOR EACH ROW WHEN (OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION parent_client_moved('crm_comment', 'task_id');
CREATE TRIGGER crm_event_40_children_follow AFTER UPDATE OF client_id ON crm_event
    FOR EACH ROW WHEN (OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION parent_client_moved('crm_comment', 'event_id');
CREATE TRIGGER crm_order_40_children_follow AFTER UPDATE OF client_id ON crm_order
    FOR EACH ROW WHEN (OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION parent_client_moved('crm_order_line', 'order_id');

REVOKE ALL ON FUNCTION detach_bank_entries(), child_follows_parent(), parent_client_moved() FROM PUBLIC;

