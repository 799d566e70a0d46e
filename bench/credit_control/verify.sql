-- bench/credit_control/verify.sql -- the running balances against a full recomputation
-- (balance_discrepancies(): must return no rows), and per buyer: posted sales, their sum and
-- the balance row.  Run as the owner, tenant 1.
\pset footer off
SELECT count(*) > 0 AS has_discrepancies FROM client_registry.balance_discrepancies() \gset
\if :has_discrepancies
\echo 'ERROR: client_balance differs from the posted invoices:'
SELECT * FROM client_registry.balance_discrepancies();
\else
\echo 'balance_discrepancies(): no rows (client_balance = sum of the posted sales, every buyer)'
\endif
SELECT c.id AS buyer, c.name, c.credit_control AS control, i.posted_sales, i.sum_posted,
       b.receivable AS balance_row
  FROM client_registry.client c
  LEFT JOIN client_registry.client_balance b ON b.client_id = c.id
  LEFT JOIN LATERAL (SELECT count(*) AS posted_sales, sum(total_base) AS sum_posted
                       FROM client_registry.invoice
                      WHERE client_id = c.id AND direction = 'sale' AND status = 'posted') i ON true
 WHERE c.kind = 'buyer'
 ORDER BY c.id;
