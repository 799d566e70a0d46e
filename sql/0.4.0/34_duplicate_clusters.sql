-------------------------------------------------------------------------------
-- 0.4.0 (issue #14): finding the same client.  duplicate_clusters() is the
-- DBA's queue (groups of clients that are probably one party, with the
-- evidence of each link and a score), client_duplicates() and
-- card_duplicates() check one card (an existing one, or one being typed),
-- client_not_duplicate keeps the groups dismissed as "not duplicates".
-- The rules (what links two cards, what says they are different) are in
-- src/client_names.c, the queue in src/duplicate_clusters.c.
-------------------------------------------------------------------------------

CREATE FUNCTION client_name_parts(name text, OUT legal_form text, OUT core text, OUT sound text)
    AS 'MODULE_PATHNAME', 'cr_client_name_parts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION client_name_parts(text) IS
    'A name as the duplicate rules compare it: legal_form (the legal-form words at its start or end, canonical: uab, ab, mb, ii, vsi, sia, ou, spzoo, gmbh ...; NULL when none), core (folded -- case, diacritics, quotes, punctuation -- without the legal form, words glued: "UAB „Žalias namas“" and "Zaliasnamas, UAB" both give zaliasnamas) and sound (the core spelled by sound: x and cs = ks, y = i, w = v, ph = f, doubled letters single).';

CREATE FUNCTION phone_key(phone text) RETURNS text
    AS 'MODULE_PATHNAME', 'cr_phone_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION phone_key(text) IS
    'The digits that identify a phone number: its last 8 digits ("+370 600 12345", "8 600 12345" and "860012345" give 60012345); NULL for fewer than 7 digits. Indexed by client_phone_key_idx.';

-- Lookups of the per-card check (codes and VAT codes have their indexes
-- since 0.3.0; e-mails are found through client_search_idx).
CREATE INDEX client_personal_code_idx ON client (tenant_id, personal_code) WHERE personal_code IS NOT NULL;
CREATE INDEX client_phone_key_idx ON client (tenant_id, phone_key(phone)) WHERE phone IS NOT NULL;

-- Name candidates of the per-card check: clients whose words match every
-- word of the name (exactly, as a prefix, or with the typos search allows:
-- search_word dictionary and client_search_words_idx), or the name glued
-- into one word; and clients whose search text has words similar to the
-- name's when it has one word (pg_trgm word similarity >= 0.5, trigram
-- index: other spellings of spaces and punctuation; a name of several words
-- is matched word by word, the trigrams of a common first name would bring
-- hundreds of candidates).  A SQL function so that pg_trgm's operator is
-- bound when it is created, whatever schema pg_trgm lives in.
CREATE FUNCTION client_name_candidates(tenant integer, name text) RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET pg_trgm.word_similarity_threshold = 0.5
BEGIN ATOMIC
    WITH q AS (
        SELECT w.words, (client_registry.client_name_parts(name)).core AS glued
          FROM (SELECT client_registry.search_query_words(name) AS words) w),
    dict AS (
        SELECT coalesce(array_agg(DISTINCT s.word COLLATE "default"), '{}') AS words
          FROM client_registry.search_word s
         WHERE s.tenant_id = tenant
           AND s.key = ANY ((SELECT q.words || client_registry.search_query_keys(q.words) FROM q)::text[])),
    m AS (
        SELECT client_registry.search_word_matches(q.words[1], dict.words, false)
               || client_registry.search_word_matches(q.words[1], dict.words, true) || q.words[1] AS m1,
               CASE WHEN cardinality(q.words) >= 2
                    THEN client_registry.search_word_matches(q.words[2], dict.words, false)
                         || client_registry.search_word_matches(q.words[2], dict.words, true) || q.words[2] END AS m2
          FROM q, dict)
    -- the words as scalar subqueries (values known when the scan starts:
    -- the GIN index of the card words is used), not joined
    SELECT x.id FROM (
        (SELECT c.id FROM client_registry.client c
          WHERE c.tenant_id = tenant AND (SELECT cardinality(q.words) BETWEEN 1 AND 4 FROM q)
            AND client_registry.search_words(c.name, c.short_name, c.first_name, c.last_name) && (SELECT m.m1 FROM m)
            AND client_registry.search_words(c.name, c.short_name, c.first_name, c.last_name)
                && (SELECT coalesce(m.m2, m.m1) FROM m)
          LIMIT 1000)
        UNION
        (SELECT c.id FROM client_registry.client c
          WHERE c.tenant_id = tenant
            AND client_registry.search_words(c.name, c.short_name, c.first_name, c.last_name) && ARRAY[(SELECT q.glued FROM q)]
          LIMIT 1000)
        UNION
        (SELECT c.id FROM client_registry.client c
          WHERE c.tenant_id = tenant AND (SELECT cardinality(q.words) = 1 FROM q)
            AND client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                    c.company_code, c.vat_code, c.email, c.phone)
                %> (SELECT q.words[1] FROM q)
          LIMIT 1000)) x;
END;
COMMENT ON FUNCTION client_name_candidates(integer, text) IS
    'Clients of a tenant whose name may be the given one: the first two words matched as search_clients() matches words (exactly or with typos), the name glued into one word a word of the card, or, for a name of one word, words similar by trigrams (pg_trgm word similarity >= 0.5); at most 1,000 per way. The name candidates of client_duplicates() and card_duplicates(), which score each one.';

CREATE TABLE client_not_duplicate (
    tenant_id   integer NOT NULL DEFAULT current_tenant(),
    id          bigint GENERATED BY DEFAULT AS IDENTITY,
    client_ids  bigint[] NOT NULL,
    note        text,
    marked_at   timestamptz NOT NULL DEFAULT now(),
    marked_by   text NOT NULL DEFAULT session_user,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT client_not_duplicate_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenant (id),
    CONSTRAINT client_not_duplicate_two_clients
        CHECK (cardinality(client_ids) >= 2 AND array_position(client_ids, NULL) IS NULL)
);
COMMENT ON TABLE client_not_duplicate IS
    'Groups of clients a person looked at and found to be different parties ("not duplicates"): no two clients of a group are ever linked again by duplicate_clusters(), client_duplicates() or card_duplicates(), whatever evidence appears later. The ids are history, not foreign keys: a mark outlives the clients, and follows a client merged into another (the survivor inherits its marks).';
COMMENT ON COLUMN client_not_duplicate.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_not_duplicate.id IS 'Mark id (argument of unmark_not_duplicates).';
COMMENT ON COLUMN client_not_duplicate.client_ids IS 'The clients found to be different parties, lowest id first.';
COMMENT ON COLUMN client_not_duplicate.note IS 'Why (free text).';
COMMENT ON COLUMN client_not_duplicate.marked_at IS 'When.';
COMMENT ON COLUMN client_not_duplicate.marked_by IS 'Who (session user).';

ALTER TABLE client_not_duplicate ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON client_not_duplicate
    USING (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())
    WITH CHECK (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant());
SELECT pg_catalog.pg_extension_config_dump('client_not_duplicate', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.client_not_duplicate', 'id'), '');

CREATE FUNCTION duplicate_clusters(min_score real DEFAULT 0.5)
RETURNS TABLE (cluster integer, score real, strength text, client_ids bigint[], names text[],
               suggested_survivor bigint, evidence text[], links jsonb)
    AS 'MODULE_PATHNAME', 'cr_duplicate_clusters' LANGUAGE C STABLE ROWS 100;
COMMENT ON FUNCTION duplicate_clusters(real) IS
    'The duplicate queue of the current tenant (R2.3, R2.4): one row per group of clients that are probably one party, best first. Clients are linked by the same company, personal or VAT code, IBAN, e-mail, phone, or name (folded: case, diacritics, quotes, punctuation, legal-form words, spaces; the same by sound; one letter away), never when the rules say they differ (two different company or personal codes, different VAT codes, a person and a company, different legal forms -- unless a code or IBAN links them --, persons sharing only a name (R2.2), a "not duplicates" mark). Strong links (score >= 0.8) join groups; weak ones only small groups. score is the weakest joining link, strength strong or weak, links every link inside the group ({a, b, score, evidence, name_similarity}), suggested_survivor the own company, else the lowest id with a code, else the lowest id. Links below min_score are ignored.';

CREATE FUNCTION client_duplicates(client_id bigint, min_score real DEFAULT 0.5)
RETURNS TABLE (duplicate_id bigint, duplicate_name text, score real, strength text, evidence text[], name_similarity real)
    AS 'MODULE_PATHNAME', 'cr_client_duplicates' LANGUAGE C STABLE ROWS 10;
COMMENT ON FUNCTION client_duplicates(bigint, real) IS
    'The clients of the current tenant probably the same party as client client_id, with the score and evidence of each link (the rules of duplicate_clusters), through indexes: a few milliseconds. R2400 when the client is not visible.';

CREATE FUNCTION card_duplicates(name text, company_code text DEFAULT NULL, vat_code text DEFAULT NULL,
                                email text DEFAULT NULL, phone text DEFAULT NULL, iban text DEFAULT NULL,
                                personal_code text DEFAULT NULL, legal_form text DEFAULT 'legal_entity',
                                country text DEFAULT NULL, min_score real DEFAULT 0.5)
RETURNS TABLE (duplicate_id bigint, duplicate_name text, score real, strength text, evidence text[], name_similarity real)
    AS 'MODULE_PATHNAME', 'cr_card_duplicates' LANGUAGE C STABLE ROWS 10;
COMMENT ON FUNCTION card_duplicates(text, text, text, text, text, text, text, text, text, real) IS
    'The clients of the current tenant probably the same party as a card that is not (yet) in the registry -- for an application to warn "this client probably exists already" while a user types: name (required), codes, e-mail, phone, an IBAN, legal_form (legal_entity or natural_person), country (default client_registry.default_country). The rules of duplicate_clusters; a few milliseconds.';

CREATE FUNCTION mark_not_duplicates(client_ids bigint[], note text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    v_ids bigint[];
    v_found bigint[];
    v_missing bigint;
    v_id bigint;
    v_tenant integer := client_registry.current_tenant();
BEGIN
    SELECT array_agg(DISTINCT u ORDER BY u) INTO v_ids FROM unnest(client_ids) AS u WHERE u IS NOT NULL;
    IF coalesce(cardinality(v_ids), 0) < 2 THEN
        RAISE EXCEPTION 'a "not duplicates" mark needs at least two different clients, not %', coalesce(client_ids::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the client_ids of a cluster of client_registry.duplicate_clusters().';
    END IF;
    -- the clients found, then the first missing one: no correlated subquery,
    -- so that Citus routes the lookup to the tenant's shard (issue #17)
    v_found := ARRAY(SELECT c.id FROM client_registry.client c
                      WHERE c.tenant_id = v_tenant AND c.id = ANY (v_ids));
    SELECT min(u) INTO v_missing FROM unnest(v_ids) AS u WHERE u <> ALL (v_found);
    IF v_missing IS NOT NULL THEN
        RAISE EXCEPTION 'client % does not exist', v_missing
            USING ERRCODE = 'R2400',
                  DETAIL = format('No client %s is visible in the current tenant.', v_missing),
                  HINT = 'Check the ids (client_registry.client_merge_history lists merged clients).';
    END IF;
    INSERT INTO client_registry.client_not_duplicate (client_ids, note) VALUES (v_ids, note)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$function$;
COMMENT ON FUNCTION mark_not_duplicates(bigint[], text) IS
    'Marks clients as different parties: no two of them are proposed as duplicates again (duplicate_clusters, client_duplicates, card_duplicates). Returns the mark id. 22023 for fewer than two clients, R2400 for a client not visible in the tenant.';

CREATE FUNCTION unmark_not_duplicates(mark_id bigint) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $function$
BEGIN
    DELETE FROM client_registry.client_not_duplicate n
     WHERE n.tenant_id = client_registry.current_tenant() AND n.id = mark_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION '"not duplicates" mark % does not exist', mark_id
            USING ERRCODE = 'R2400',
                  HINT = 'client_registry.client_not_duplicate lists the marks of the tenant.';
    END IF;
END
$function$;
COMMENT ON FUNCTION unmark_not_duplicates(bigint) IS
    'Removes a "not duplicates" mark: its clients may be proposed as duplicates again. R2400 for an unknown mark.';

-- Marking is a decision of the DBA working through the queue; the queue
-- and the checks read the tenant's cards: granted one by one like the rest
-- (docs/security.md, "Functions granted one by one").
REVOKE ALL ON FUNCTION mark_not_duplicates(bigint[], text), unmark_not_duplicates(bigint),
    duplicate_clusters(real), client_duplicates(bigint, real),
    card_duplicates(text, text, text, text, text, text, text, text, text, real),
    client_name_candidates(integer, text) FROM PUBLIC;
