-------------------------------------------------------------------------------
-- 0.4.0: running on a Citus cluster (issue #17): one call distributes the
-- registry.  docs/citus.md has the whole procedure.
-------------------------------------------------------------------------------

CREATE FUNCTION citus_distribute(shard_count integer DEFAULT NULL)
RETURNS TABLE (table_name text, distribution text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    ext_oid oid := (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'client_registry');
    reference_tables text[] := ARRAY['tenant', 'tenant_access'];
    todo text[] := '{}';
    anchor text;
    t text;
    progress boolean;
    r record;
    undefaulted integer := 0;
    unfixed integer := 0;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e WHERE e.extname = 'citus') THEN
        RAISE EXCEPTION 'Citus is not installed in this database'
            USING ERRCODE = '55000',
                  HINT = 'On the coordinator: shared_preload_libraries = ''citus'', CREATE EXTENSION citus, add the workers (citus_add_node), then call client_registry.citus_distribute() again.';
    END IF;
    IF shard_count IS NOT NULL AND shard_count < 1 THEN
        RAISE EXCEPTION 'shard_count must be positive, not %', shard_count USING ERRCODE = '22023';
    END IF;

    -- the registry's triggers are written for shards (src/shard_map.c); its
    -- reference table is created while tables still reference it locally
    SET LOCAL citus.enable_unsafe_triggers = on;
    SET LOCAL citus.enable_local_reference_table_foreign_keys = off;
    SET LOCAL citus.multi_shard_modify_mode = 'sequential';

    -- The extension's tables: reference tables (no tenant_id, or shared by
    -- every tenant) and tables distributed by tenant_id.
    CREATE TEMP TABLE cr_dist (relname text PRIMARY KEY, reference boolean, done boolean) ON COMMIT DROP;
    INSERT INTO cr_dist
    SELECT c.relname, c.relname = ANY (reference_tables)
                      OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                                      WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
           EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p WHERE p.logicalrelid = c.oid)
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.objid = c.oid AND d.deptype = 'e' AND d.refobjid = ext_oid
     WHERE c.relkind = 'r';

    -- A unique index on id alone cannot be enforced across shards: the ones
    -- kept on one node for lookups by id go (a foreign key of another table
    -- that references id alone has to reference (tenant_id, id) first).
    FOR r IN
        SELECT k.conrelid::pg_catalog.regclass AS tbl, k.conname, k.conindid
          FROM pg_catalog.pg_constraint k
          JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
          JOIN cr_dist d ON d.relname = c.relname AND NOT d.reference AND NOT d.done
         WHERE k.contype IN ('u', 'p') AND c.relnamespace = 'client_registry'::pg_catalog.regnamespace
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                            WHERE a.attrelid = k.conrelid AND a.attname = 'tenant_id' AND a.attnum = ANY (k.conkey))
    LOOP
        FOR t IN SELECT pg_catalog.format('%s (%s)', f.conrelid::pg_catalog.regclass, f.conname)
                   FROM pg_catalog.pg_constraint f
                  WHERE f.contype = 'f' AND f.conindid = r.conindid
        LOOP
            RAISE EXCEPTION 'foreign key % references %.id alone', t, r.tbl
                USING ERRCODE = '0A000',
                      DETAIL = 'On Citus every table is distributed by tenant_id; a key without tenant_id cannot be enforced across shards.',
                      HINT = pg_catalog.format('Make it reference %s (tenant_id, id), then call citus_distribute() again.', r.tbl);
        END LOOP;
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
    END LOOP;

    -- the key of the token that tells the workers a change is the registry's
    -- own (merge, unmerge, erasure: src/internal_change.c), made once
    IF to_regclass('client_registry.citus_secret') IS NOT NULL THEN
        INSERT INTO client_registry.citus_secret (id, secret)
        VALUES (1, pg_catalog.decode(pg_catalog.replace(pg_catalog.gen_random_uuid()::text
                                                        || pg_catalog.gen_random_uuid()::text, '-', ''), 'hex'))
        ON CONFLICT (id) DO NOTHING;
    END IF;

    FOR t IN SELECT d.relname FROM cr_dist d WHERE d.reference AND NOT d.done ORDER BY d.relname = 'tenant' DESC, d.relname
    LOOP
        PERFORM pg_catalog.create_reference_table(pg_catalog.format('client_registry.%I', t)::pg_catalog.regclass);
        UPDATE cr_dist SET done = true WHERE relname = t;
        todo := todo || t;
    END LOOP;

    -- Distributed tables, co-located, each after the tables it references.
    anchor := (SELECT c.relname
                 FROM pg_catalog.pg_dist_partition p JOIN pg_catalog.pg_class c ON c.oid = p.logicalrelid
                WHERE c.relnamespace = 'client_registry'::pg_catalog.regnamespace AND p.partmethod = 'h'
                ORDER BY c.relname = 'client' DESC, c.relname LIMIT 1);
    LOOP
        progress := false;
        FOR t IN
            SELECT d.relname FROM cr_dist d
             WHERE NOT d.done AND NOT d.reference
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint f
                                 JOIN pg_catalog.pg_class rc ON rc.oid = f.confrelid
                                 JOIN cr_dist o ON o.relname = rc.relname AND NOT o.done
                                WHERE f.contype = 'f' AND f.conrelid = pg_catalog.format('client_registry.%I', d.relname)::pg_catalog.regclass
                                  AND rc.relnamespace = 'client_registry'::pg_catalog.regnamespace
                                  AND rc.relname <> d.relname)
             ORDER BY d.relname
        LOOP
            IF anchor IS NULL THEN
                PERFORM pg_catalog.create_distributed_table(pg_catalog.format('client_registry.%I', t)::pg_catalog.regclass,
                                                            'tenant_id', colocate_with => 'none',
                                                            shard_count => shard_count);
                anchor := t;
            ELSE
                PERFORM pg_catalog.create_distributed_table(pg_catalog.format('client_registry.%I', t)::pg_catalog.regclass,
                                                            'tenant_id',
                                                            colocate_with => pg_catalog.format('client_registry.%I', anchor));
            END IF;
            UPDATE cr_dist SET done = true WHERE relname = t;
            todo := todo || t;
            progress := true;
        END LOOP;
        EXIT WHEN NOT progress;
    END LOOP;
    IF EXISTS (SELECT 1 FROM cr_dist WHERE NOT done) THEN
        RAISE EXCEPTION 'tables % could not be distributed', (SELECT pg_catalog.array_agg(relname ORDER BY relname) FROM cr_dist WHERE NOT done)
            USING ERRCODE = '55000', DETAIL = 'Their foreign keys form a cycle.';
    END IF;

    -- Rows that triggers insert on a worker take their ids from the worker's
    -- sequence (a shard has no identity default): each worker gets its own
    -- range, as Citus gives it to the tables it creates itself.
    FOR t IN
        SELECT DISTINCT c.relname
          FROM cr_dist d JOIN pg_catalog.pg_class c ON c.relname = d.relname
               AND c.relnamespace = 'client_registry'::pg_catalog.regnamespace
          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> ''
         WHERE NOT d.reference
    LOOP
        PERFORM pg_catalog.run_command_on_workers(pg_catalog.format(
            'SELECT pg_catalog.worker_adjust_identity_column_seq_ranges(%L::pg_catalog.regclass)',
            pg_catalog.format('client_registry.%I', t)));
    END LOOP;
    -- ... and every shard's identity column defaults to that sequence, so a
    -- trigger's INSERT into a co-located shard (shard_map.c) that does not
    -- name the id gets one from the worker's range, as an INSERT through
    -- the coordinator does.  Every call: shards moved or split since are
    -- given it too.
    FOR r IN
        SELECT x.success, x.result
          FROM pg_catalog.pg_dist_partition dp
          JOIN pg_catalog.pg_class c ON c.oid = dp.logicalrelid
               AND c.relnamespace = 'client_registry'::pg_catalog.regnamespace
          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> '' AND NOT a.attisdropped,
               LATERAL pg_catalog.run_command_on_shards(c.oid::pg_catalog.regclass, pg_catalog.format(
                   'ALTER TABLE %%1$s ALTER COLUMN %I SET DEFAULT pg_catalog.nextval(%L::pg_catalog.regclass)',
                   a.attname,
                   pg_catalog.pg_get_serial_sequence(pg_catalog.format('client_registry.%I', c.relname), a.attname))) AS x
         WHERE dp.partmethod = 'h'
    LOOP
        -- as below: a shard created by this very call is not visible yet
        IF NOT r.success THEN
            undefaulted := undefaulted + 1;
        END IF;
    END LOOP;
    IF undefaulted > 0 THEN
        RAISE WARNING 'the identity defaults of % shards are not set yet', undefaulted
            USING DETAIL = 'Rows that triggers insert on a worker take their ids from these defaults; the shards this transaction created are visible to other connections only after it commits.',
                  HINT = 'Call SELECT client_registry.citus_distribute(); once more, in a transaction of its own.';
    END IF;

    -- Functions whose plans are kept generic on one node (planned once per
    -- session, search_clients) are planned per call on Citus: a generic plan
    -- with parameters cannot be routed to the tenant's shards.
    FOR r IN
        SELECT p.oid::pg_catalog.regprocedure AS fn
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
               AND d.objid = p.oid AND d.deptype = 'e' AND d.refobjid = ext_oid
         WHERE 'plan_cache_mode=force_generic_plan' = ANY (p.proconfig)
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s SET plan_cache_mode = force_custom_plan', r.fn);
    END LOOP;

    -- Citus 13.2 creates the policies of the shards without AS RESTRICTIVE:
    -- a restrictive policy (crm_visibility) would be OR-ed with
    -- tenant_isolation on the workers and let every row through.  Each
    -- shard's restrictive policy is made again as it is on the table (every
    -- call: shards moved or split since are fixed too; the shards this call
    -- creates, by the next call).
    FOR r IN
        SELECT x.success, x.result
          FROM pg_catalog.pg_policy p
          JOIN pg_catalog.pg_dist_partition dp ON dp.logicalrelid = p.polrelid
          JOIN pg_catalog.pg_class c ON c.oid = p.polrelid AND c.relnamespace = 'client_registry'::pg_catalog.regnamespace,
               LATERAL pg_catalog.run_command_on_shards(p.polrelid::pg_catalog.regclass, pg_catalog.format(
                   'DROP POLICY IF EXISTS %I ON %%1$s; CREATE POLICY %I ON %%1$s AS RESTRICTIVE FOR %s TO %s%s%s',
                   p.polname, p.polname,
                   CASE p.polcmd WHEN '*' THEN 'ALL' WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                                 WHEN 'w' THEN 'UPDATE' ELSE 'DELETE' END,
                   (SELECT pg_catalog.string_agg(CASE WHEN o = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(o::pg_catalog.regrole::text) END, ', ')
                      FROM pg_catalog.unnest(p.polroles) AS o),
                   pg_catalog.replace(CASE WHEN p.polqual IS NOT NULL
                                           THEN ' USING (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')' ELSE '' END, '%', '%%'),
                   pg_catalog.replace(CASE WHEN p.polwithcheck IS NOT NULL
                                           THEN ' WITH CHECK (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')' ELSE '' END,
                                      '%', '%%'))) AS x
         WHERE NOT p.polpermissive AND dp.partmethod = 'h'
    LOOP
        -- a shard created by this very call is not visible to the connections
        -- run_command_on_shards opens: it is fixed by the next call
        IF NOT r.success THEN
            unfixed := unfixed + 1;
        END IF;
    END LOOP;
    IF unfixed > 0 THEN
        RAISE WARNING 'the restrictive row-level security policies of % shards are not made yet', unfixed
            USING DETAIL = 'Citus 13.2 creates them permissive on the shards (CRM visibility would not hold); they can be made again only after this transaction commits.',
                  HINT = 'Call SELECT client_registry.citus_distribute(); once more, in a transaction of its own.';
    END IF;

    -- the rows copied into the shards are no longer read from the local tables
    FOREACH t IN ARRAY COALESCE(todo, '{}')
    LOOP
        PERFORM pg_catalog.truncate_local_data_after_distributing_table(
            pg_catalog.format('client_registry.%I', t)::pg_catalog.regclass);
    END LOOP;

    -- merge, preview and unmerge run on the worker that holds the tenant
    -- (85_citus_merge.sql)
    PERFORM client_registry.citus_delegate_merge();
    -- ... and so does an import (87_citus_import.sql)
    PERFORM client_registry.citus_delegate_import();
    -- the debt reports as PL/pgSQL functions Citus can route (86_citus_reports.sql)
    PERFORM client_registry.citus_port_reports();

    RETURN QUERY
    SELECT c.relname::text,
           CASE p.partmethod WHEN 'n' THEN 'reference'
                ELSE pg_catalog.format('distributed by tenant_id, %s shards, co-location group %s',
                                       (SELECT count(*) FROM pg_catalog.pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid),
                                       p.colocationid) END
      FROM pg_catalog.pg_dist_partition p JOIN pg_catalog.pg_class c ON c.oid = p.logicalrelid
     WHERE c.relnamespace = 'client_registry'::pg_catalog.regnamespace
     ORDER BY p.partmethod = 'n' DESC, c.relname;
END
$fn$;
COMMENT ON FUNCTION citus_distribute(integer) IS
    'Issue #17: on a Citus coordinator, makes the registry a distributed one in one call: tenant (and every table shared by all tenants) becomes a reference table, the key of citus_secret is made, every tenant-scoped table is distributed by tenant_id, all co-located (shard_count shards, default citus.shard_count), each after the tables it references; the id-only unique indexes kept on one node are dropped. Tables distributed before are left as they are, so it can be called again after ALTER EXTENSION UPDATE. Returns each table and how it is distributed. See docs/citus.md.';
REVOKE ALL ON FUNCTION citus_distribute(integer) FROM PUBLIC;

