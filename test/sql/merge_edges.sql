-- 0.4.0 (issue #14): merge and unmerge edge cases found with hostile schemas.
-- Tenant 185, clients 18500-18599.
SET search_path = client_registry, public;
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_registry.tenant = 185;
-- merge ids depend on the tests before: errors are shown with the id masked
CREATE FUNCTION pg_temp.try_unmerge(merge_id bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_state text; v_msg text; v_detail text; v_hint text;
BEGIN
    PERFORM client_registry.unmerge(merge_id);
    RETURN 'undone';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
                            v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
    RETURN format(E'%s: %s\nDETAIL: %s\nHINT: %s', v_state,
                  regexp_replace(v_msg, 'merge [0-9]+', 'merge <merge>'), v_detail, v_hint);
END
$$;
INSERT INTO client (id, kind, name, company_code) VALUES (18500, 'own_company', 'UAB Kraštai', '110003978');
INSERT INTO client (id, kind, name, sales_tax_category) VALUES
    (18501, 'buyer', 'UAB Beržas', 'PVM1'),
    (18502, 'buyer', 'Beržas UAB', 'PVM1'),
    (18503, 'buyer', 'BERŽAS', 'PVM1');

-- 1. A table without a primary key whose rows reference the merged client
-- twice (buyer and payer): the second re-point changes the rows the first
-- one changed; unmerge of the untouched merge works.
CREATE TABLE public.edge_shipment (
    buyer_id bigint NOT NULL REFERENCES client_registry.client (id),
    payer_id bigint REFERENCES client_registry.client (id),
    note text
);
CREATE INDEX ON public.edge_shipment (buyer_id);
CREATE INDEX ON public.edge_shipment (payer_id);
INSERT INTO public.edge_shipment VALUES
    (18502, 18502, 'bought and paid by the duplicate'),
    (18502, 18502, 'bought and paid by the duplicate'),    -- an identical row
    (18501, 18502, 'paid by the duplicate'),
    (18502, 18503, 'bought by one duplicate, paid by the other'),
    (18501, 18501, 'the survivor''s own');
-- 2. A composite (tenant_id, client_id) key and a single-column key in one
-- table without a primary key.
CREATE TABLE public.edge_visit (
    tenant_id integer NOT NULL,
    client_id bigint NOT NULL,
    escort_id bigint REFERENCES client_registry.client (id),
    at date NOT NULL,
    FOREIGN KEY (tenant_id, client_id) REFERENCES client_registry.client (tenant_id, id)
);
CREATE INDEX ON public.edge_visit (tenant_id, client_id);
CREATE INDEX ON public.edge_visit (escort_id);
INSERT INTO public.edge_visit VALUES
    (185, 18502, 18502, '2026-11-01'),
    (185, 18503, 18502, '2026-11-02'),
    (185, 18501, NULL, '2026-11-03');

SELECT merge_clients(18501, 18502, 18503) AS merge_1 \gset
SELECT * FROM public.edge_shipment ORDER BY note, buyer_id;
SELECT * FROM public.edge_visit ORDER BY at;
-- the journal of a keyless table: after- and before-hashes, a chain
SELECT step, reason, table_name, constraint_name, from_client, row_count,
       cardinality(row_hashes) AS hashes, cardinality(row_hashes_before) AS hashes_before,
       row_columns
  FROM client_merge_step WHERE merge_id = :merge_1 AND table_name IN ('edge_shipment', 'edge_visit')
 ORDER BY step;
-- the second step of a row starts where the first left it
SELECT count(*) AS chained_rows
  FROM client_merge_step a JOIN client_merge_step b
    ON b.merge_id = a.merge_id AND b.table_name = a.table_name AND b.step > a.step
 CROSS JOIN LATERAL unnest(a.row_hashes) ah(h)
 WHERE a.merge_id = :merge_1 AND a.table_name = 'edge_shipment' AND ah.h = ANY (b.row_hashes_before);
SELECT unmerge(:merge_1) > 0 AS undone;
SELECT * FROM public.edge_shipment ORDER BY note, buyer_id;
SELECT * FROM public.edge_visit ORDER BY at;
SELECT count(*) AS clients_back FROM client WHERE id BETWEEN 18501 AND 18503;

-- A row of a keyless table changed after the merge: refused, with the count
SELECT merge_clients(18501, 18502, 18503) AS merge_2 \gset
UPDATE public.edge_shipment SET note = 'edited after the merge' WHERE note = 'paid by the duplicate';
SELECT pg_temp.try_unmerge(:merge_2);
UPDATE public.edge_shipment SET note = 'paid by the duplicate' WHERE note = 'edited after the merge';
-- ... and works again once the row is as the merge left it
SELECT unmerge(:merge_2) > 0 AS undone;
SELECT count(*) AS shipments_of_18502 FROM public.edge_shipment WHERE 18502 IN (buyer_id, payer_id);

-- 3. Columns added after the merge (an upgrade, a user's ALTER TABLE) do
-- not make unmerge refuse; rows put back get the new column's default.
SELECT merge_clients(18501, 18502, 18503) AS merge_3 \gset
ALTER TABLE public.edge_shipment ADD COLUMN priority integer NOT NULL DEFAULT 3;
ALTER TABLE public.edge_visit ADD COLUMN room text DEFAULT 'A';
ALTER TABLE client_registry.client_address ADD COLUMN edge_floor integer DEFAULT 1;
SELECT unmerge(:merge_3) > 0 AS undone_after_new_columns;
SELECT buyer_id, payer_id, priority FROM public.edge_shipment ORDER BY note, buyer_id;
ALTER TABLE client_registry.client_address DROP COLUMN edge_floor;

-- 4. Column names with quotes and commas; a primary key column named
-- "id,amount": both key columns stay keys, the identical-rows comparison
-- leaves out exactly them.
CREATE TABLE public.edge_odd (
    "id,amount" integer NOT NULL,
    "we""ird" text NOT NULL,
    client_id bigint NOT NULL REFERENCES client_registry.client (id),
    "{brace}" text,
    amount numeric NOT NULL DEFAULT 10,
    PRIMARY KEY ("id,amount", "we""ird"),
    UNIQUE (client_id, "{brace}")
);
INSERT INTO public.edge_odd VALUES
    (1, 'a', 18501, 'same'), (2, 'b', 18502, 'same'),     -- identical but for the keys: folded
    (3, 'c', 18501, 'diff'), (4, 'd', 18503, 'diff');
UPDATE public.edge_odd SET "{brace}" = 'diff' WHERE "id,amount" = 4;
SELECT action, table_name, constraint_name, from_client, row_count, detail
  FROM merge_preview(18501, 18502, 18503) WHERE table_name = 'public.edge_odd' ORDER BY step;
SELECT merge_clients(18501, 18502, 18503) AS merge_4 \gset
SELECT * FROM public.edge_odd ORDER BY 1;
SELECT unmerge(:merge_4) > 0 AS undone;
SELECT * FROM public.edge_odd ORDER BY 1;
-- a clash that differs in "amount" (not a key column, whatever the key's
-- column names say) is a conflict
UPDATE public.edge_odd SET amount = 99 WHERE "id,amount" = 2;
SELECT action, constraint_name, from_client, detail
  FROM merge_preview(18501, 18502) WHERE action = 'conflict';
SELECT merge_clients(18501, 18502);
\echo :SQLSTATE
UPDATE public.edge_odd SET amount = 10 WHERE "id,amount" = 2;

-- 5. Addresses fold case, diacritics, punctuation and spaces
INSERT INTO client_address (id, client_id, street, city, postal_code) VALUES
    (18501, 18501, 'Gedimino pr. 1', 'Vilnius', 'LT-01103'),
    (18502, 18502, 'gedimino pr 1', 'VILNIUS', 'LT 01103'),
    (18503, 18503, 'Gedimino  pr.,1', 'Vílnius', '01103');
SELECT action, table_name, constraint_name, from_client
  FROM merge_preview(18501, 18502, 18503) WHERE table_name = 'client_registry.client_address' ORDER BY step;
SELECT merge_clients(18501, 18502, 18503) AS merge_5 \gset
SELECT id, client_id, street FROM client_address WHERE id BETWEEN 18501 AND 18503 ORDER BY id;
SELECT unmerge(:merge_5) > 0 AS undone;
SELECT id, client_id, street FROM client_address WHERE id BETWEEN 18501 AND 18503 ORDER BY id;

-- 6. The kind is widened only when the merged documents need it
INSERT INTO client (id, kind, name, sales_tax_category, purchase_tax_category) VALUES
    (18510, 'buyer', 'UAB Rūta', 'PVM1', NULL),
    (18511, 'supplier', 'Rūta UAB', 'PVM1', 'PVM1'),
    (18512, 'supplier', 'RŪTA', 'PVM1', 'PVM1');
SELECT merge_clients(18510, 18511) AS merge_6 \gset
SELECT id, kind FROM client WHERE id = 18510;
SELECT unmerge(:merge_6) > 0 AS undone;
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (18512, 18512, 'purchase', 'R-1', '2026-11-02');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (18512, 100, 21);
SELECT merge_clients(18510, 18512) AS merge_7 \gset
SELECT id, kind FROM client WHERE id = 18510;
SELECT unmerge(:merge_7) > 0 AS undone;
SELECT id, kind FROM client WHERE id IN (18510, 18512) ORDER BY id;

-- 7. Journals written before 0.4.0 (no before-hashes, no column count)
-- still undo
DROP TABLE public.edge_shipment, public.edge_visit, public.edge_odd;
SELECT merge_clients(18501, 18502) AS merge_8 \gset
UPDATE client_merge_step SET row_hashes_before = NULL, row_columns = NULL WHERE merge_id = :merge_8;
SELECT unmerge(:merge_8) > 0 AS undone_old_journal;

-- 8. issue #17: the twins of the Citus cluster (merge_clients_at, ...) serve
-- the session's tenant only; on one node they run the merge here
\set VERBOSITY default
SELECT merge_clients_at(186, 18501, ARRAY[18502]::bigint[], false);
\echo :SQLSTATE
SELECT * FROM merge_preview_at(186, 18501, ARRAY[18502]::bigint[], false);
\echo :SQLSTATE
SELECT unmerge_at(186, 1);
\echo :SQLSTATE
SELECT count(*) AS preview_rows FROM merge_preview_at(185, 18501, ARRAY[18502]::bigint[], false);
SELECT merge_clients_at(185, 18501, ARRAY[18502]::bigint[], false) AS merge_9 \gset
SELECT count(*) AS merged_away FROM client WHERE id = 18502;
SELECT unmerge_at(185, :merge_9) > 0 AS undone;
SELECT count(*) AS back FROM client WHERE id = 18502;
-- citus_delegate_merge() needs Citus
SELECT citus_delegate_merge();
\echo :SQLSTATE
-- and so does citus_delegate_import()
SELECT citus_delegate_import();
\echo :SQLSTATE
-- citus_port_reports() too; on one node the reports stay SQL functions
SELECT citus_port_reports();
\echo :SQLSTATE
SELECT p.proname, l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.oid IN ('client_registry.open_items(date, bigint)'::regprocedure, 'client_registry.turnover(date, date)'::regprocedure)
 ORDER BY 1;
-- what it does first, on any node: a report's calls of invoice_closings,
-- open_items or turnover written out as their own statements, the
-- parameters replaced by the arguments given (by position, by name, else
-- the default)
SELECT strpos(x, 'client_registry.turnover(') = 0 AS turnover_written_out,
       strpos(x, '(''2026-01-01''::date)') > 0 AS date_from_given, strpos(x, '(d.last)') > 0 AS date_to_given,
       strpos(x, 'FROM client_registry.debt_entry e') > 0 AS reads_debt_entry
  FROM citus_inline_report_calls('SELECT t.* FROM d, LATERAL client_registry.turnover(''2026-01-01''::date, d.last) t(a, b, c, d, e, f)') x;
SELECT strpos(x, 'client_registry.open_items(') = 0 AND strpos(x, 'client_registry.invoice_closings(') = 0 AS both_written_out,
       strpos(x, '(NULL::date)') > 0 AS as_of_default, strpos(x, '(7)') > 0 AS for_client_by_name
  FROM citus_inline_report_calls('SELECT * FROM client_registry.open_items(for_client => 7) o(a, b, c, d, e, f, g, h, i, j, k, l)') x;
SELECT citus_inline_report_calls('SELECT * FROM client_registry.turnover(''2026-01-01'') t');
\echo :SQLSTATE
SELECT citus_inline_report_calls('SELECT * FROM client_registry.turnover(''2026-01-01'', (x) t');
\echo :SQLSTATE
SELECT citus_inline_report_calls('SELECT 1', 5);
\echo :SQLSTATE
