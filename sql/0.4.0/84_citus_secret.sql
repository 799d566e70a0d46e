-------------------------------------------------------------------------------
-- 0.4.0: the key of the registry's own changes on Citus (issue #17).
--
-- A merge, an unmerge or an erasure runs on the coordinator; the triggers
-- that must let its changes through run on the workers.  The coordinator
-- tells them by a token carried with the transaction (SET LOCAL
-- client_registry.internal_change), an HMAC of Citus's distributed
-- transaction id under this key (src/internal_change.c).  The key is made by
-- citus_distribute() and copied to every node (a reference table); no role
-- but the owner reads it, whatever table privileges it is granted.  Empty on
-- one node, where it is never used.
-------------------------------------------------------------------------------
CREATE TABLE citus_secret (
    id      integer NOT NULL DEFAULT 1 CHECK (id = 1),
    secret  bytea NOT NULL CHECK (pg_catalog.length(secret) >= 16),
    CONSTRAINT citus_secret_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE citus_secret IS
    'Citus only (issue #17): the random key with which the coordinator signs the token that tells the workers'' triggers a change is the registry''s own (merge, unmerge, erasure). Filled by citus_distribute(), a reference table; row-level security hides it from every role but the owner. Empty on one node.';
COMMENT ON COLUMN citus_secret.id IS 'Always 1: one key.';
COMMENT ON COLUMN citus_secret.secret IS 'The key (32 random bytes).';
ALTER TABLE citus_secret ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_only ON citus_secret USING (false) WITH CHECK (false);
REVOKE ALL ON citus_secret FROM PUBLIC;
-- dumped like every table (empty on one node; a dump holds every tenant's data anyway)
SELECT pg_catalog.pg_extension_config_dump('citus_secret', '');
