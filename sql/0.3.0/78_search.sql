
-------------------------------------------------------------------------------
-- 0.3.0: client search (R5.3) -- by name, first / last name, company, e-mail,
-- phone, company code, VAT code, IBAN, contact person or label; tolerant of
-- case, Lithuanian (and Latvian, Polish, German...) diacritics and typos;
-- ranked; inactive clients left out unless asked.
--
-- search_fold() (C, IMMUTABLE) folds case and diacritics; the card's and the
-- contacts' searchable text, folded, are indexed with pg_trgm's GIN
-- operator class (fragments: LIKE '%...%'; typos: word similarity).
-------------------------------------------------------------------------------

CREATE FUNCTION search_fold(text) RETURNS text
    AS 'MODULE_PATHNAME', 'cr_search_fold' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION search_fold(text) IS
    'Folds text for search: lower case, diacritics of Latin letters removed (ą č ę ė į š ų ū ž -> a c e e i s u u z, also Latvian, Polish, German letters), quotes and dashes to spaces, white space collapsed. IMMUTABLE (fixed table, no locale).';

CREATE FUNCTION client_search_text(name text, short_name text, first_name text, last_name text,
                                   company_code text, vat_code text, email text, phone text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT client_registry.search_fold(
           COALESCE($1, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($2, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($3, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($4, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($5, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($6, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($7, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($8, ''))
$$;
COMMENT ON FUNCTION client_search_text(text, text, text, text, text, text, text, text) IS
    'The folded searchable text of a card (name, short name, first and last name, company code, VAT code, e-mail, phone); indexed by client_search_idx.';

CREATE INDEX client_search_idx ON client USING gin
    (client_search_text(name, short_name, first_name, last_name, company_code, vat_code, email, phone) gin_trgm_ops);

CREATE FUNCTION contact_search_text(first_name text, last_name text, email text, phone text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT client_registry.search_fold(
           COALESCE($1, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($2, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($3, '') OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
           COALESCE($4, ''))
$$;
COMMENT ON FUNCTION contact_search_text(text, text, text, text) IS
    'The folded searchable text of a contact person (name, e-mail, phone); indexed by client_contact_search_idx.';

CREATE INDEX client_contact_search_idx ON client_contact USING gin
    (contact_search_text(first_name, last_name, email, phone) gin_trgm_ops);

-- Exact company and VAT codes (the commonest search in accounting) without
-- the trigram index: digit trigrams are in every card, so a trigram lookup of
-- a code intersects long posting lists.
CREATE INDEX client_company_code_idx ON client (tenant_id, company_code) WHERE company_code IS NOT NULL;
CREATE INDEX client_vat_code_idx ON client (tenant_id, vat_code) WHERE vat_code IS NOT NULL;

-- Patterns for LIKE: the folded query as a fragment, and the query without
-- spaces and dashes (codes, IBANs, phones typed in groups); %, _ and \ escaped.
CREATE FUNCTION search_like_pattern(query text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT '%' OPERATOR(pg_catalog.||) pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
           client_registry.search_fold($1), '\', '\\'), '%', '\%'), '_', '\_') OPERATOR(pg_catalog.||) '%'
$$;
COMMENT ON FUNCTION search_like_pattern(text) IS 'LIKE pattern of a search: the folded query anywhere in the text (%, _ and \ escaped).';

CREATE FUNCTION search_compact(query text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT pg_catalog.regexp_replace($1, '[[:space:]-]', '', 'g')
$$;
COMMENT ON FUNCTION search_compact(text) IS 'The query without spaces and dashes (codes, IBANs and phones typed in groups).';

-- The bodies are parsed when the functions are created, so pg_trgm's
-- operators are bound whatever schema pg_trgm lives in and whatever the
-- caller's search_path.  Each branch compares an indexed expression with an
-- expression of the parameter only, so the planner uses the GIN trigram
-- indexes (LIKE for fragments, %> word similarity for typos).

CREATE FUNCTION search_hits_exact(query text)
RETURNS TABLE (client_id bigint, name text, company_code text, vat_code text, email text,
               is_active boolean, matched_on text, score real)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'code', 1.0::real
      FROM client_registry.client c
     WHERE c.tenant_id = client_registry.current_tenant()
       AND (c.company_code = upper(client_registry.search_compact(query))
            OR c.vat_code = upper(client_registry.search_compact(query)))
    UNION ALL
    SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'iban', 1.0::real
      FROM client_registry.client_bank_account b
      JOIN client_registry.client c ON c.tenant_id = b.tenant_id AND c.id = b.client_id
     WHERE b.tenant_id = client_registry.current_tenant()
       AND b.iban = upper(client_registry.search_compact(query));
END;
COMMENT ON FUNCTION search_hits_exact(text) IS
    'Search step 1: clients whose company code, VAT code or an IBAN is the query (spaces and dashes ignored), score 1. Used by search_clients().';

CREATE FUNCTION search_hits_matching(query text)
RETURNS TABLE (client_id bigint, name text, company_code text, vat_code text, email text,
               is_active boolean, matched_on text, score real)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active,
           CASE WHEN c.company_code = upper(client_registry.search_compact(query))
                  OR c.vat_code = upper(client_registry.search_compact(query)) THEN 'code' ELSE 'card' END,
           CASE WHEN c.company_code = upper(client_registry.search_compact(query))
                  OR c.vat_code = upper(client_registry.search_compact(query)) THEN 1.0::real
                -- the fragment starts a word: ranked above a fragment inside a word
                WHEN ' ' || client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                         c.company_code, c.vat_code, c.email, c.phone)
                     LIKE '% ' || substr(client_registry.search_like_pattern(query), 2) THEN 0.9::real
                ELSE 0.8::real END
      FROM client_registry.client c
     WHERE c.tenant_id = client_registry.current_tenant()
       AND length(client_registry.search_fold(query)) > 0
       AND client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                c.company_code, c.vat_code, c.email, c.phone) LIKE client_registry.search_like_pattern(query)
    UNION ALL
    -- a code, IBAN or phone typed in groups ("772 433"): its compact form
    -- (this scan is skipped when the query has no space or dash)
    SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'card', 0.8::real
      FROM client_registry.client c
     WHERE client_registry.search_compact(query) <> query
       AND length(client_registry.search_compact(query)) > 0
       AND c.tenant_id = client_registry.current_tenant()
       AND client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                c.company_code, c.vat_code, c.email, c.phone)
           LIKE client_registry.search_like_pattern(client_registry.search_compact(query))
    UNION ALL
    SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'contact', 0.75::real
      FROM client_registry.client_contact k
      JOIN client_registry.client c ON c.tenant_id = k.tenant_id AND c.id = k.client_id
     WHERE k.tenant_id = client_registry.current_tenant()
       AND length(client_registry.search_fold(query)) > 0
       AND client_registry.contact_search_text(k.first_name, k.last_name, k.email, k.phone)
           LIKE client_registry.search_like_pattern(query)
    UNION ALL
    SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'label', 0.7::real
      FROM client_registry.label l
      JOIN client_registry.client_label cl ON cl.tenant_id = l.tenant_id AND cl.label_id = l.id
      JOIN client_registry.client c ON c.tenant_id = cl.tenant_id AND c.id = cl.client_id
     WHERE l.tenant_id = client_registry.current_tenant()
       AND client_registry.search_fold(l.name) = client_registry.search_fold(query);
END;
COMMENT ON FUNCTION search_hits_matching(text) IS
    'Search step 2: clients whose card contains the query (folded) or its compact form, contact persons containing it, labels named so; with a score. Used by search_clients() when step 1 found nothing.';

CREATE FUNCTION search_hits_similar(query text)
RETURNS TABLE (client_id bigint, name text, company_code text, vat_code text, email text,
               is_active boolean, matched_on text, score real)
LANGUAGE sql STABLE PARALLEL SAFE
SET pg_trgm.word_similarity_threshold = 0.6
BEGIN ATOMIC
    SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'card',
           (0.7 * word_similarity(client_registry.search_fold(query),
                client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                    c.company_code, c.vat_code, c.email, c.phone)))::real
      FROM client_registry.client c
     WHERE c.tenant_id = client_registry.current_tenant()
       AND length(client_registry.search_fold(query)) > 0
       AND client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                c.company_code, c.vat_code, c.email, c.phone) %> client_registry.search_fold(query)
    UNION ALL
    SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'contact',
           (0.6 * word_similarity(client_registry.search_fold(query),
                client_registry.contact_search_text(k.first_name, k.last_name, k.email, k.phone)))::real
      FROM client_registry.client_contact k
      JOIN client_registry.client c ON c.tenant_id = k.tenant_id AND c.id = k.client_id
     WHERE k.tenant_id = client_registry.current_tenant()
       AND length(client_registry.search_fold(query)) > 0
       AND client_registry.contact_search_text(k.first_name, k.last_name, k.email, k.phone) %> client_registry.search_fold(query);
END;
COMMENT ON FUNCTION search_hits_similar(text) IS
    'Search step 3 (typos): clients whose card or contact persons have words similar to the query (pg_trgm word similarity >= 0.6), scored 0.7 (card) or 0.6 (contact) x the similarity. Used by search_clients() when steps 1 and 2 found nothing and the query has no digits.';

-- Three steps, each only when the ones before found nothing: (1) exact
-- code, VAT code or IBAN (b-tree indexes); (2) the query inside the card,
-- a contact person or a label name (trigram index, LIKE); (3) similar words,
-- for queries without digits (codes are not guessed at).  Each step is its
-- own statement, so a search plans (and runs) only the steps it needs.  The
-- hits carry the card's columns from the scan that found them.  PL/pgSQL
-- keeps the plan for the session (an SQL function would be planned at every
-- call); the pg_trgm operators are in the helpers above, bound when they
-- were created, so the fixed search_path below needs no schema of pg_trgm.
CREATE FUNCTION search_clients(query text, include_inactive boolean DEFAULT false, max_results integer DEFAULT 20)
RETURNS TABLE (client_id bigint, name text, company_code text, vat_code text, email text,
               is_active boolean, matched_on text, score real)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $function$
DECLARE
    -- everything derived from the query is computed once, here: the
    -- statements below see plain parameters, so their plans are kept for
    -- the session (no re-planning per search) and nothing is recomputed
    -- per row
    v_tenant integer := client_registry.current_tenant();
    v_code text := upper(client_registry.search_compact(query));
    v_fold text := client_registry.search_fold(query);
    v_pattern text := client_registry.search_like_pattern(query);
    v_word text := '% ' || substr(client_registry.search_like_pattern(query), 2);
    v_compact_differs boolean := client_registry.search_compact(query) <> query
                                 AND length(client_registry.search_compact(query)) > 0;
    v_compact_pattern text := client_registry.search_like_pattern(client_registry.search_compact(query));
BEGIN
    -- step 1: exact code, VAT code or IBAN (b-tree indexes); codes and IBANs have digits
    IF v_code ~ '[0-9]' THEN
    RETURN QUERY
    SELECT e.* FROM (
        SELECT DISTINCT ON (h.client_id) h.*
          FROM (SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'code'::text, 1.0::real
                  FROM client_registry.client c
                 WHERE c.tenant_id = v_tenant AND (c.company_code = v_code OR c.vat_code = v_code)
                UNION ALL
                SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'iban'::text, 1.0::real
                  FROM client_registry.client_bank_account b
                  JOIN client_registry.client c ON c.tenant_id = b.tenant_id AND c.id = b.client_id
                 WHERE b.tenant_id = v_tenant AND b.iban = v_code)
               AS h(client_id, name, company_code, vat_code, email, is_active, matched_on, score)
         WHERE include_inactive OR h.is_active
         ORDER BY h.client_id, h.matched_on) e
     ORDER BY e.score DESC, e.name, e.client_id
     LIMIT max_results;
    IF FOUND THEN
        RETURN;
    END IF;
    END IF;
    IF v_fold = '' THEN
        RETURN;
    END IF;
    -- step 2: the query inside the card, a contact person or a label (trigram index)
    RETURN QUERY
    SELECT m.* FROM (
        SELECT DISTINCT ON (h.client_id) h.*
          FROM (SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active,
                       CASE WHEN c.company_code = v_code OR c.vat_code = v_code THEN 'code' ELSE 'card' END,
                       CASE WHEN c.company_code = v_code OR c.vat_code = v_code THEN 1.0::real
                            WHEN ' ' || client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                                            c.company_code, c.vat_code, c.email, c.phone) LIKE v_word THEN 0.9::real
                            ELSE 0.8::real END
                  FROM client_registry.client c
                 WHERE c.tenant_id = v_tenant
                   AND client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                            c.company_code, c.vat_code, c.email, c.phone) LIKE v_pattern
                UNION ALL
                SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'card', 0.8::real
                  FROM client_registry.client c
                 WHERE v_compact_differs AND c.tenant_id = v_tenant
                   AND client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                            c.company_code, c.vat_code, c.email, c.phone) LIKE v_compact_pattern
                UNION ALL
                SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'contact', 0.75::real
                  FROM client_registry.client_contact k
                  JOIN client_registry.client c ON c.tenant_id = k.tenant_id AND c.id = k.client_id
                 WHERE k.tenant_id = v_tenant
                   AND client_registry.contact_search_text(k.first_name, k.last_name, k.email, k.phone) LIKE v_pattern
                UNION ALL
                SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'label', 0.7::real
                  FROM client_registry.label l
                  JOIN client_registry.client_label cl ON cl.tenant_id = l.tenant_id AND cl.label_id = l.id
                  JOIN client_registry.client c ON c.tenant_id = cl.tenant_id AND c.id = cl.client_id
                 WHERE l.tenant_id = v_tenant AND client_registry.search_fold(l.name) = v_fold)
               AS h(client_id, name, company_code, vat_code, email, is_active, matched_on, score)
         WHERE include_inactive OR h.is_active
         ORDER BY h.client_id, h.score DESC, h.matched_on) m
     ORDER BY m.score DESC, m.name, m.client_id
     LIMIT max_results;
    IF FOUND OR query ~ '[0-9]' THEN
        RETURN;
    END IF;
    -- step 3: similar words (typos), never for codes
    RETURN QUERY
    SELECT f.* FROM (SELECT DISTINCT ON (h.client_id) h.*
                       FROM client_registry.search_hits_similar(query) h
                      WHERE include_inactive OR h.is_active
                      ORDER BY h.client_id, h.score DESC, h.matched_on) f
     ORDER BY f.score DESC, f.name, f.client_id
     LIMIT max_results;
END
$function$;
COMMENT ON FUNCTION search_clients(text, boolean, integer) IS
    'R5.3 finds clients of the current tenant by name, first/last name, company, e-mail, phone, company or VAT code, IBAN, contact person or label; case, diacritics and typos tolerated; best first (1 exact code or IBAN, 0.9 fragment at the start of a word, 0.8 inside a word, 0.75 contact person, 0.7 label, below 0.7 similar words; each kind looked for only when the ones before found nothing, similar words only for queries without digits). Inactive clients only with include_inactive.';
