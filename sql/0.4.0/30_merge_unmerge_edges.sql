
-------------------------------------------------------------------------------
-- 0.4.0 (issue #14): merge and unmerge edge cases.
--
-- A table without a primary key is journaled by row hashes.  A row that two
-- steps of one merge change (a buyer and a payer column) used to keep only
-- each step's "after" hash, so the first step's rows were "changed" by the
-- second and unmerge refused (R2406).  Each step now also keeps the rows'
-- hashes before it; unmerge follows the chain backwards.
-------------------------------------------------------------------------------

ALTER TABLE client_merge_step ADD COLUMN row_hashes_before text[];
COMMENT ON COLUMN client_merge_step.row_hashes_before IS
    'update of a table without a primary key: md5 of each row''s text before the step, same order as row_hashes (NULL in journals written before 0.4.0, and for tables with a key). A row two steps changed has the first step''s after-hash as the second step''s before-hash.';
COMMENT ON COLUMN client_merge_step.row_hashes IS
    'update: md5 of each row''s text as the merge left it (tables with a key: at the end of the merge, same order as row_keys; tables without: as the step left it); unmerge() refuses when a row no longer matches.';

-- The hashes of a step cover the columns its table had when the merge ran:
-- a column added later (an upgrade adding columns to client or to a CRM
-- table, a user's ALTER TABLE ... ADD COLUMN) changes nothing the merge
-- left, so it must not make unmerge refuse.  row_columns keeps how many
-- columns (in column order) the hashes and row images cover; a count, not
-- attribute numbers, so that a dump and restore (which renumbers columns
-- after dropped ones) keeps it right.  Journals written before 0.4.0 get
-- the count their tables have now: this part runs before the parts of
-- 0.4.0 that add columns (50_ and later).
ALTER TABLE client_merge_step ADD COLUMN row_columns smallint;
COMMENT ON COLUMN client_merge_step.row_columns IS
    'How many columns of the table (in column order, dropped ones not counted) the step''s hashes and row images cover: the columns the table had when the merge ran. Columns added since are left out when unmerge() compares rows and put back with their defaults. NULL: every column.';
UPDATE client_merge_step st
   SET row_columns = (SELECT count(*) FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid = pg_catalog.to_regclass(pg_catalog.quote_ident(st.table_schema)
                                                                 || '.' || pg_catalog.quote_ident(st.table_name))
                         AND a.attnum > 0 AND NOT a.attisdropped)
 WHERE st.row_columns IS NULL;

