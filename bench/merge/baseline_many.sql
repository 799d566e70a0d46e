-- bench/merge/baseline_many.sql -- the baseline of case (b): the bare
-- statements re-pointing every row of the duplicates :ids (a bigint[]
-- literal) to :keep and deleting them, in one transaction, every trigger on
-- (see baseline_pair.sql for what it includes and leaves out).
BEGIN;
UPDATE client_registry.invoice SET client_id = :keep WHERE tenant_id = 1 AND client_id = ANY (:'ids'::bigint[]);
UPDATE client_registry.payment SET client_id = :keep WHERE tenant_id = 1 AND client_id = ANY (:'ids'::bigint[]);
UPDATE client_registry.client_address SET client_id = :keep WHERE tenant_id = 1 AND client_id = ANY (:'ids'::bigint[]);
UPDATE client_registry.client_bank_account SET client_id = :keep WHERE tenant_id = 1 AND client_id = ANY (:'ids'::bigint[]);
UPDATE client_registry.client_contact SET client_id = :keep WHERE tenant_id = 1 AND client_id = ANY (:'ids'::bigint[]);
UPDATE client_registry.client_label SET client_id = :keep WHERE tenant_id = 1 AND client_id = ANY (:'ids'::bigint[]);
UPDATE public.delivery SET client_id = :keep WHERE tenant_id = 1 AND client_id = ANY (:'ids'::bigint[]);
DELETE FROM client_registry.client WHERE id = ANY (:'ids'::bigint[]);
COMMIT;
