
-------------------------------------------------------------------------------
-- 0.4.0 (issue #16): confirmed CRM orders in the credit exposure (R4.1), as
-- ERPNext and Odoo can: a per-client or tenant setting.  When it is on, a
-- sale is checked against the limit with the client's confirmed orders
-- (status confirmed: not yet delivered and invoiced) added to its debt, and
-- so is confirming an order or adding to a confirmed one.  Race-free: both
-- paths lock the client's balance row first and then read the other with the
-- latest snapshot (src/client_balance.c).
-------------------------------------------------------------------------------

ALTER TABLE tenant ADD COLUMN credit_counts_orders boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN tenant.credit_counts_orders IS
    'R4.1 default of client.credit_counts_orders: confirmed CRM orders count in the credit exposure.';
ALTER TABLE client ADD COLUMN credit_counts_orders boolean;
COMMENT ON COLUMN client.credit_counts_orders IS
    'R4.1: confirmed CRM orders (status confirmed) count in the credit exposure of the client (NULL: the tenant''s setting). Mark an order delivered or cancelled when it is invoiced.';
ALTER TABLE crm_order ADD COLUMN currency_rate numeric(18,6) NOT NULL DEFAULT 1,
    ADD CONSTRAINT crm_order_rate_positive CHECK (currency_rate > 0);
COMMENT ON COLUMN crm_order.currency_rate IS 'Base-currency units per one unit of the order currency (the credit exposure counts orders in the base currency).';
CREATE INDEX crm_order_confirmed_idx ON crm_order (tenant_id, client_id) WHERE status = 'confirmed';

CREATE FUNCTION confirmed_orders(tenant_id integer, client_id bigint)
RETURNS numeric
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT COALESCE(sum(round(l.net_amount * (100 + l.vat_rate) / 100 * o.currency_rate, 2)), 0)
      FROM client_registry.crm_order o
      JOIN client_registry.crm_order_line l
        ON l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.client_id = o.client_id
     WHERE o.tenant_id = confirmed_orders.tenant_id AND o.client_id = confirmed_orders.client_id
       AND o.status = 'confirmed';
END;
COMMENT ON FUNCTION confirmed_orders(integer, bigint) IS
    'The gross of a client''s confirmed CRM orders in the base currency (lines with VAT, at the order''s rate): what the credit exposure adds to the debt when the client counts orders.';

CREATE FUNCTION order_credit_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_order_credit_check' LANGUAGE C;
COMMENT ON FUNCTION order_credit_check() IS
    'Trigger (after an order is confirmed or a confirmed order''s lines grow): for a client that counts orders in its credit exposure, debt plus confirmed orders against the credit limit (R4.1; strict refuses with R4001, warn warns), with the client''s balance row locked.';
CREATE TRIGGER crm_order_40_credit_check AFTER INSERT OR UPDATE ON crm_order
    FOR EACH ROW WHEN (NEW.status = 'confirmed') EXECUTE FUNCTION order_credit_check();
CREATE TRIGGER crm_order_line_40_credit_check AFTER INSERT OR UPDATE ON crm_order_line
    FOR EACH ROW EXECUTE FUNCTION order_credit_check();

CREATE VIEW credit_exposure WITH (security_invoker = true) AS
SELECT c.id AS client_id, c.tenant_id, c.name, c.credit_control, c.credit_limit,
       COALESCE(b.receivable, 0.00) AS receivable,
       COALESCE(c.credit_counts_orders, t.credit_counts_orders) AS counts_orders,
       COALESCE(o.ordered, 0.00) AS confirmed_orders,
       COALESCE(b.receivable, 0.00) + COALESCE(o.ordered, 0.00) AS exposure,
       CASE WHEN c.credit_control <> 'none'
            THEN c.credit_limit - COALESCE(b.receivable, 0.00) - COALESCE(o.ordered, 0.00) END AS credit_available
  FROM client_registry.client c
  JOIN client_registry.tenant t ON t.id = c.tenant_id
  LEFT JOIN client_registry.client_balance b ON b.tenant_id = c.tenant_id AND b.client_id = c.id
  LEFT JOIN LATERAL (
        SELECT sum(round(l.net_amount * (100 + l.vat_rate) / 100 * x.currency_rate, 2)) AS ordered
          FROM client_registry.crm_order x
          JOIN client_registry.crm_order_line l
            ON l.tenant_id = x.tenant_id AND l.order_id = x.id AND l.client_id = x.client_id
         WHERE COALESCE(c.credit_counts_orders, t.credit_counts_orders)
           AND x.tenant_id = c.tenant_id AND x.client_id = c.id AND x.status = 'confirmed') o ON true;
COMMENT ON VIEW credit_exposure IS
    'R4.1 credit exposure per client: the running receivable plus, when the client counts them, its confirmed CRM orders, against the credit limit (client_debt shows the receivable alone).';
COMMENT ON COLUMN credit_exposure.client_id IS 'Client id.';
COMMENT ON COLUMN credit_exposure.tenant_id IS 'Tenant.';
COMMENT ON COLUMN credit_exposure.name IS 'Client name.';
COMMENT ON COLUMN credit_exposure.credit_control IS 'none, warn or strict.';
COMMENT ON COLUMN credit_exposure.credit_limit IS 'Credit limit.';
COMMENT ON COLUMN credit_exposure.receivable IS 'What the client owes us (running balance).';
COMMENT ON COLUMN credit_exposure.counts_orders IS 'Whether confirmed CRM orders count in the exposure (client setting, else the tenant''s).';
COMMENT ON COLUMN credit_exposure.confirmed_orders IS 'Gross of the confirmed orders counted, base currency (0 when the client does not count orders).';
COMMENT ON COLUMN credit_exposure.exposure IS 'Receivable plus the confirmed orders counted: what the credit check compares with the limit.';
COMMENT ON COLUMN credit_exposure.credit_available IS 'Credit limit minus the exposure (NULL without credit control).';

REVOKE ALL ON FUNCTION order_credit_check() FROM PUBLIC;
REVOKE ALL ON FUNCTION confirmed_orders(integer, bigint) FROM PUBLIC;
