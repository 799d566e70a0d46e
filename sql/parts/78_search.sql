
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

-- The body is parsed when the function is created, so pg_trgm's operators
-- are bound whatever schema pg_trgm lives in and whatever the caller's
-- search_path.  Each branch compares an indexed expression with an
-- expression of the parameter only (no join), so the planner uses the GIN
-- trigram indexes: fragments through LIKE, typos through word similarity
-- (%>, threshold 0.5 inside this function).
CREATE FUNCTION search_clients(query text, include_inactive boolean DEFAULT false, max_results integer DEFAULT 20)
RETURNS TABLE (client_id bigint, name text, company_code text, vat_code text, email text,
               is_active boolean, matched_on text, score real)
LANGUAGE sql STABLE PARALLEL SAFE
SET pg_trgm.word_similarity_threshold = 0.5
BEGIN ATOMIC
    WITH hits AS (
        SELECT c.id,
               CASE WHEN c.company_code = upper(client_registry.search_compact(query))
                      OR c.vat_code = upper(client_registry.search_compact(query))
                    THEN 'code' ELSE 'card' END AS matched_on,
               CASE WHEN c.company_code = upper(client_registry.search_compact(query))
                      OR c.vat_code = upper(client_registry.search_compact(query)) THEN 1.0::real
                    WHEN client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                             c.company_code, c.vat_code, c.email, c.phone)
                         LIKE client_registry.search_like_pattern(query)
                      OR client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                             c.company_code, c.vat_code, c.email, c.phone)
                         LIKE client_registry.search_like_pattern(client_registry.search_compact(query))
                    THEN (0.8 + 0.1 * word_similarity(client_registry.search_fold(query),
                             client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                                 c.company_code, c.vat_code, c.email, c.phone)))::real
                    ELSE (0.7 * word_similarity(client_registry.search_fold(query),
                             client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                                 c.company_code, c.vat_code, c.email, c.phone)))::real
               END AS score
          FROM client_registry.client c
         WHERE c.tenant_id = client_registry.current_tenant()
           AND length(client_registry.search_fold(query)) > 0
           AND (client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                    c.company_code, c.vat_code, c.email, c.phone) LIKE client_registry.search_like_pattern(query)
                OR client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                    c.company_code, c.vat_code, c.email, c.phone)
                   LIKE client_registry.search_like_pattern(client_registry.search_compact(query))
                OR client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                    c.company_code, c.vat_code, c.email, c.phone) %> client_registry.search_fold(query))
        UNION ALL
        SELECT b.client_id, 'iban', 1.0::real
          FROM client_registry.client_bank_account b
         WHERE b.tenant_id = client_registry.current_tenant()
           AND b.iban = upper(client_registry.search_compact(query))
        UNION ALL
        SELECT k.client_id, 'contact',
               CASE WHEN client_registry.contact_search_text(k.first_name, k.last_name, k.email, k.phone)
                         LIKE client_registry.search_like_pattern(query)
                    THEN 0.75::real
                    ELSE (0.6 * word_similarity(client_registry.search_fold(query),
                             client_registry.contact_search_text(k.first_name, k.last_name, k.email, k.phone)))::real END
          FROM client_registry.client_contact k
         WHERE k.tenant_id = client_registry.current_tenant()
           AND length(client_registry.search_fold(query)) > 0
           AND (client_registry.contact_search_text(k.first_name, k.last_name, k.email, k.phone)
                    LIKE client_registry.search_like_pattern(query)
                OR client_registry.contact_search_text(k.first_name, k.last_name, k.email, k.phone)
                    %> client_registry.search_fold(query))
        UNION ALL
        SELECT cl.client_id, 'label', 0.7::real
          FROM client_registry.label l
          JOIN client_registry.client_label cl ON cl.tenant_id = l.tenant_id AND cl.label_id = l.id
         WHERE l.tenant_id = client_registry.current_tenant()
           AND client_registry.search_fold(l.name) = client_registry.search_fold(query)
    ), best AS (
        SELECT DISTINCT ON (h.id) h.id, h.matched_on, h.score
          FROM hits h
         ORDER BY h.id, h.score DESC, h.matched_on
    )
    -- one primary-key probe per hit (OFFSET 0 keeps the planner from
    -- turning it into a scan of the whole table)
    SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, b.matched_on, b.score
      FROM best b
     CROSS JOIN LATERAL (SELECT x.id, x.name, x.company_code, x.vat_code, x.email, x.is_active
                           FROM client_registry.client x WHERE x.id = b.id OFFSET 0) c
     WHERE include_inactive OR c.is_active
     ORDER BY b.score DESC, c.name, c.id
     LIMIT max_results;
END;
COMMENT ON FUNCTION search_clients(text, boolean, integer) IS
    'R5.3 finds clients of the current tenant by name, first/last name, company, e-mail, phone, company or VAT code, IBAN, contact person or label; case, diacritics and typos tolerated; best first (score 1 exact code or IBAN, 0.8-0.9 fragment of the card, below: similar words). Inactive clients only with include_inactive.';
