-- bench/merge/baseline_pair.sql -- the baseline of case (a): the bare
-- statements an application would run to re-point the merged client's rows
-- to the survivor and delete it, in one transaction, with every trigger of
-- the extension on (row rules, primary flags, balances, foreign keys, the
-- delete guard), as the table owner.  psql variables: keep, merged.
-- What it does NOT do (the merge does): look for duplicates to fold or
-- clashes, demote primaries, fill the card, journal anything, hash rows.
BEGIN;
UPDATE client_registry.invoice SET client_id = :keep WHERE tenant_id = 1 AND client_id = :merged;
UPDATE client_registry.payment SET client_id = :keep WHERE tenant_id = 1 AND client_id = :merged;
UPDATE client_registry.client_address SET client_id = :keep WHERE tenant_id = 1 AND client_id = :merged;
UPDATE client_registry.client_bank_account SET client_id = :keep WHERE tenant_id = 1 AND client_id = :merged;
UPDATE client_registry.client_contact SET client_id = :keep WHERE tenant_id = 1 AND client_id = :merged;
UPDATE client_registry.client_label SET client_id = :keep WHERE tenant_id = 1 AND client_id = :merged;
UPDATE public.delivery SET client_id = :keep WHERE tenant_id = 1 AND client_id = :merged;
DELETE FROM client_registry.client WHERE id = :merged;
COMMIT;
