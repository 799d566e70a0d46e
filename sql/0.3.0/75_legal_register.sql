
-------------------------------------------------------------------------------
-- 0.3.0: register of legal entities (Lithuanian JAR open data) and the
-- auto-fill of a client card from it (R1.8)
-------------------------------------------------------------------------------

ALTER TABLE client
    ADD COLUMN legal_form_name text,
    ADD COLUMN register_status text;
COMMENT ON COLUMN client.legal_form_name IS
    'Legal form as registered (e.g. Uždaroji akcinė bendrovė); filled from the register of legal entities (R1.8).';
COMMENT ON COLUMN client.register_status IS
    'Status in the register of legal entities as last filled (e.g. Teisinis statusas neįregistruotas = operating normally; deregistered YYYY-MM-DD).';

CREATE TABLE legal_register (
    tenant_id       integer NOT NULL DEFAULT current_tenant(),
    company_code    text COLLATE "C" NOT NULL,
    name            text NOT NULL,
    address         text,
    registered_on   date,
    form_code       integer,
    form_name       text,
    status_code     integer,
    status_name     text,
    status_since    date,
    deregistered_on date,
    extract_date    date,
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT legal_register_pkey PRIMARY KEY (tenant_id, company_code),
    CONSTRAINT legal_register_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenant (id),
    CONSTRAINT legal_register_name_not_blank CHECK (btrim(name) <> '')
);
COMMENT ON TABLE legal_register IS
    'Register of legal entities (Lithuanian JAR open data, JAR_IREGISTRUOTI.csv and JAR_ISREGISTRUOTI.csv), one row per company code, per tenant. Loaded through legal_register_import and merge_legal_register(); read by fill_client_from_register().';
COMMENT ON COLUMN legal_register.tenant_id IS 'Tenant that loaded the register.';
COMMENT ON COLUMN legal_register.company_code IS 'ja_kodas: company code.';
COMMENT ON COLUMN legal_register.name IS 'ja_pavadinimas: registered name.';
COMMENT ON COLUMN legal_register.address IS 'adresas: registered address on one line (e.g. Vilnius, S. Stanevičiaus g. 95, LT-07114).';
COMMENT ON COLUMN legal_register.registered_on IS 'ja_reg_data: registration date.';
COMMENT ON COLUMN legal_register.form_code IS 'form_kodas: legal form code (310 = UAB, 320 = AB, ...).';
COMMENT ON COLUMN legal_register.form_name IS 'form_pavadinimas: legal form.';
COMMENT ON COLUMN legal_register.status_code IS 'stat_kodas: legal status code (0 = no special status: operating normally).';
COMMENT ON COLUMN legal_register.status_name IS 'stat_pavadinimas: legal status (liquidation, bankruptcy, ... when not 0).';
COMMENT ON COLUMN legal_register.status_since IS 'stat_data_nuo: status valid since.';
COMMENT ON COLUMN legal_register.deregistered_on IS 'isreg_data: deregistration date (rows of JAR_ISREGISTRUOTI.csv); NULL while registered.';
COMMENT ON COLUMN legal_register.extract_date IS 'formavimo_data: date the extract was generated.';
COMMENT ON COLUMN legal_register.loaded_at IS 'When the row was last inserted or changed by merge_legal_register().';

CREATE TABLE legal_register_import (
    tenant_id           integer NOT NULL DEFAULT current_tenant(),
    ja_kodas            text,
    ja_pavadinimas      text,
    adresas             text,
    ja_reg_data         text,
    form_kodas          text,
    form_pavadinimas    text,
    stat_kodas          text,
    stat_pavadinimas    text,
    stat_data_nuo       text,
    isreg_data          text,
    formavimo_data      text
);
COMMENT ON TABLE legal_register_import IS
    'Staging table for the register files: COPY a JAR file into it (pipe-delimited CSV with a header, columns named as the file''s header), then SELECT merge_legal_register(), which merges the current tenant''s rows into legal_register and empties them.';
COMMENT ON COLUMN legal_register_import.tenant_id IS 'Tenant loading (default client_registry.tenant).';
COMMENT ON COLUMN legal_register_import.ja_kodas IS 'Company code, as in the file.';
COMMENT ON COLUMN legal_register_import.ja_pavadinimas IS 'Name, as in the file.';
COMMENT ON COLUMN legal_register_import.adresas IS 'Address, as in the file.';
COMMENT ON COLUMN legal_register_import.ja_reg_data IS 'Registration date (YYYY-MM-DD), as in the file.';
COMMENT ON COLUMN legal_register_import.form_kodas IS 'Legal form code, as in the file.';
COMMENT ON COLUMN legal_register_import.form_pavadinimas IS 'Legal form, as in the file.';
COMMENT ON COLUMN legal_register_import.stat_kodas IS 'Status code (JAR_IREGISTRUOTI only).';
COMMENT ON COLUMN legal_register_import.stat_pavadinimas IS 'Status name (JAR_IREGISTRUOTI only).';
COMMENT ON COLUMN legal_register_import.stat_data_nuo IS 'Status since (JAR_IREGISTRUOTI only).';
COMMENT ON COLUMN legal_register_import.isreg_data IS 'Deregistration date (JAR_ISREGISTRUOTI only).';
COMMENT ON COLUMN legal_register_import.formavimo_data IS 'Extract date, as in the file.';

CREATE TABLE client_register_fill (
    tenant_id       integer NOT NULL DEFAULT current_tenant(),
    client_id       bigint NOT NULL,
    company_code    text COLLATE "C" NOT NULL,
    filled_at       timestamptz NOT NULL DEFAULT now(),
    filled          jsonb NOT NULL DEFAULT '{}',
    CONSTRAINT client_register_fill_pkey PRIMARY KEY (tenant_id, client_id),
    CONSTRAINT client_register_fill_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES client (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT client_register_fill_object CHECK (jsonb_typeof(filled) = 'object')
);
COMMENT ON TABLE client_register_fill IS
    'What fill_client_from_register() last put on a card: a field whose value still equals it was not changed by the user and may be refreshed from the register.';
COMMENT ON COLUMN client_register_fill.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_register_fill.client_id IS 'The client.';
COMMENT ON COLUMN client_register_fill.company_code IS 'The company code the card was filled for.';
COMMENT ON COLUMN client_register_fill.filled_at IS 'When the card was last filled.';
COMMENT ON COLUMN client_register_fill.filled IS 'The values filled: {"name", "legal_form_name", "register_status", "address"}.';

-------------------------------------------------------------------------------
-- Loader: staging rows -> legal_register (re-loadable, no duplicates)
-------------------------------------------------------------------------------

CREATE FUNCTION merge_legal_register(OUT inserted integer, OUT updated integer, OUT unchanged integer,
                                     OUT rejected integer)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    bad record;
BEGIN
    -- one merge per tenant at a time; readers are not blocked
    LOCK TABLE client_registry.legal_register IN SHARE ROW EXCLUSIVE MODE;

    CREATE TEMP TABLE IF NOT EXISTS cr_register_rows (
        company_code text, name text, address text, registered_on date, form_code integer, form_name text,
        status_code integer, status_name text, status_since date, deregistered_on date, extract_date date
    ) ON COMMIT DROP;
    TRUNCATE cr_register_rows;

    SELECT count(*)::int INTO rejected
      FROM client_registry.legal_register_import s
     WHERE s.tenant_id = client_registry.current_tenant()
       AND NOT (btrim(s.ja_kodas) ~ '^[0-9]{7,9}$' AND btrim(coalesce(s.ja_pavadinimas, '')) <> ''
                AND coalesce(btrim(s.ja_reg_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
                AND coalesce(btrim(s.stat_data_nuo), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
                AND coalesce(btrim(s.isreg_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
                AND coalesce(btrim(s.formavimo_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
                AND coalesce(btrim(s.form_kodas), '') ~ '^[0-9]{0,9}$'
                AND coalesce(btrim(s.stat_kodas), '') ~ '^[0-9]{0,9}$');
    IF rejected > 0 THEN
        SELECT s.ja_kodas, s.ja_pavadinimas INTO bad
          FROM client_registry.legal_register_import s
         WHERE s.tenant_id = client_registry.current_tenant()
           AND NOT (btrim(s.ja_kodas) ~ '^[0-9]{7,9}$' AND btrim(coalesce(s.ja_pavadinimas, '')) <> '')
         LIMIT 1;
        RAISE WARNING '% rows of the register file were rejected', rejected
            USING DETAIL = CASE WHEN bad IS NOT NULL
                                THEN format('For example company code %L, name %L: a code is 7 to 9 digits and a name is required; dates are YYYY-MM-DD.', bad.ja_kodas, bad.ja_pavadinimas)
                                ELSE 'Dates are YYYY-MM-DD, form and status codes digits.' END,
                  HINT = 'Check that the file was copied with DELIMITER ''|'', FORMAT csv and HEADER.';
    END IF;

    -- one row per code: a deregistration wins, then the newest extract
    INSERT INTO cr_register_rows
    SELECT DISTINCT ON (btrim(s.ja_kodas))
           btrim(s.ja_kodas), btrim(s.ja_pavadinimas), NULLIF(btrim(s.adresas), ''),
           NULLIF(btrim(s.ja_reg_data), '')::date, NULLIF(btrim(s.form_kodas), '')::integer,
           NULLIF(btrim(s.form_pavadinimas), ''), NULLIF(btrim(s.stat_kodas), '')::integer,
           NULLIF(btrim(s.stat_pavadinimas), ''), NULLIF(btrim(s.stat_data_nuo), '')::date,
           NULLIF(btrim(s.isreg_data), '')::date, NULLIF(btrim(s.formavimo_data), '')::date
      FROM client_registry.legal_register_import s
     WHERE s.tenant_id = client_registry.current_tenant()
       AND btrim(s.ja_kodas) ~ '^[0-9]{7,9}$' AND btrim(coalesce(s.ja_pavadinimas, '')) <> ''
       AND coalesce(btrim(s.ja_reg_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
       AND coalesce(btrim(s.stat_data_nuo), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
       AND coalesce(btrim(s.isreg_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
       AND coalesce(btrim(s.formavimo_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
       AND coalesce(btrim(s.form_kodas), '') ~ '^[0-9]{0,9}$'
       AND coalesce(btrim(s.stat_kodas), '') ~ '^[0-9]{0,9}$'
     ORDER BY btrim(s.ja_kodas), (NULLIF(btrim(s.isreg_data), '') IS NOT NULL) DESC,
              NULLIF(btrim(s.formavimo_data), '') DESC NULLS LAST;

    WITH up AS (
        INSERT INTO client_registry.legal_register AS g
               (tenant_id, company_code, name, address, registered_on, form_code, form_name, status_code,
                status_name, status_since, deregistered_on, extract_date)
        SELECT client_registry.current_tenant(), r.company_code, r.name, r.address, r.registered_on, r.form_code,
               r.form_name, r.status_code, r.status_name, r.status_since, r.deregistered_on, r.extract_date
          FROM cr_register_rows r
        ON CONFLICT (tenant_id, company_code) DO UPDATE
           SET name = EXCLUDED.name, address = EXCLUDED.address, registered_on = EXCLUDED.registered_on,
               form_code = EXCLUDED.form_code, form_name = EXCLUDED.form_name,
               status_code = EXCLUDED.status_code, status_name = EXCLUDED.status_name,
               status_since = EXCLUDED.status_since, deregistered_on = EXCLUDED.deregistered_on,
               extract_date = EXCLUDED.extract_date, loaded_at = now()
         WHERE (g.name, g.address, g.registered_on, g.form_code, g.form_name, g.status_code, g.status_name,
                g.status_since, g.deregistered_on, g.extract_date)
               IS DISTINCT FROM
               (EXCLUDED.name, EXCLUDED.address, EXCLUDED.registered_on, EXCLUDED.form_code, EXCLUDED.form_name,
                EXCLUDED.status_code, EXCLUDED.status_name, EXCLUDED.status_since, EXCLUDED.deregistered_on,
                EXCLUDED.extract_date)
           -- an older extract never undoes a newer one (a deregistration stays)
           AND (g.extract_date IS NULL OR EXCLUDED.extract_date IS NULL OR EXCLUDED.extract_date >= g.extract_date)
        RETURNING (xmax = 0) AS is_new)
    SELECT count(*) FILTER (WHERE is_new)::int, count(*) FILTER (WHERE NOT is_new)::int
      INTO inserted, updated FROM up;
    SELECT count(*)::int - inserted - updated INTO unchanged FROM cr_register_rows;

    DELETE FROM client_registry.legal_register_import s WHERE s.tenant_id = client_registry.current_tenant();
    DROP TABLE cr_register_rows;
END
$fn$;
COMMENT ON FUNCTION merge_legal_register() IS
    'R1.8 loader: merges the current tenant''s rows of legal_register_import (JAR_IREGISTRUOTI and/or JAR_ISREGISTRUOTI) into legal_register by company code -- new codes inserted, changed rows updated unless the row comes from an older extract than the stored one, the rest left alone, so loading the same file again changes nothing -- and empties the staging rows. Rows with an invalid code, a blank name or a malformed date are rejected with a WARNING. Returns the counts.';

-------------------------------------------------------------------------------
-- The "i" button: fill a card from the register
-------------------------------------------------------------------------------

CREATE FUNCTION fill_client_from_register(client_id bigint, overwrite boolean DEFAULT false)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c client_registry.client;
    r client_registry.legal_register;
    f jsonb;
    a client_registry.client_address;
    filled text[] := '{}';
    reg_status text;
    parts text[];
    n int;
    v_street text;
    v_city text;
    v_postal text;
    new_name text;
    new_form text;
    new_status text;
BEGIN
    SELECT * INTO c FROM client_registry.client cl
     WHERE cl.id = fill_client_from_register.client_id AND cl.tenant_id = client_registry.current_tenant()
       FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'client % does not exist in tenant %', client_id, client_registry.current_tenant()
            USING ERRCODE = '23503';
    END IF;
    IF c.company_code IS NULL OR c.legal_form <> 'legal_entity' OR c.country <> 'LT' THEN
        RAISE EXCEPTION 'client % "%" has no Lithuanian company code to look up', c.id, c.name
            USING ERRCODE = '22023',
                  DETAIL = format('Company code %s, country %s, legal form %s.', coalesce(c.company_code, 'none'), c.country, c.legal_form),
                  HINT = 'The register of legal entities covers Lithuanian legal entities: enter the company code first.';
    END IF;
    SELECT * INTO r FROM client_registry.legal_register g
     WHERE g.tenant_id = client_registry.current_tenant() AND g.company_code = c.company_code;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'company code % is not in the register of legal entities', c.company_code
            USING ERRCODE = 'R3402',
                  DETAIL = format('Client %s "%s"; the register of tenant %s has %s companies.', c.id, c.name,
                                  client_registry.current_tenant(),
                                  (SELECT count(*) FROM client_registry.legal_register g
                                    WHERE g.tenant_id = client_registry.current_tenant())),
                  HINT = 'Check the code, or load a newer register extract (legal_register_import, merge_legal_register()).';
    END IF;

    IF r.deregistered_on IS NOT NULL THEN
        RAISE WARNING 'company % "%" was deregistered on %', r.company_code, r.name, to_char(r.deregistered_on, 'YYYY-MM-DD')
            USING DETAIL = format('Register extract of %s.', coalesce(to_char(r.extract_date, 'YYYY-MM-DD'), 'unknown date')),
                  HINT = 'Do not issue new documents to it; deactivate the client (is_active = false) if it is no longer used.';
        reg_status := 'išregistruotas ' || to_char(r.deregistered_on, 'YYYY-MM-DD');
    ELSE
        reg_status := coalesce(r.status_name, 'unknown');
        IF coalesce(r.status_code, 0) <> 0 THEN
            RAISE WARNING 'company % "%" has the register status "%" since %', r.company_code, r.name,
                          r.status_name, coalesce(to_char(r.status_since, 'YYYY-MM-DD'), 'an unknown date')
                USING HINT = 'Check its ability to pay before selling on credit.';
        END IF;
    END IF;

    SELECT rf.filled INTO f FROM client_registry.client_register_fill rf
     WHERE rf.tenant_id = c.tenant_id AND rf.client_id = c.id;
    f := coalesce(f, '{}');

    -- a field is the user's when it is filled and differs from what the
    -- register put there last time (a name equal to the code is a placeholder)
    new_name := CASE WHEN overwrite OR c.name = c.company_code OR c.name = f->>'name' THEN r.name ELSE c.name END;
    new_form := CASE WHEN overwrite OR c.legal_form_name IS NULL OR c.legal_form_name = f->>'legal_form_name'
                     THEN r.form_name ELSE c.legal_form_name END;
    new_status := CASE WHEN overwrite OR c.register_status IS NULL OR c.register_status = f->>'register_status'
                       THEN reg_status ELSE c.register_status END;
    IF new_name IS DISTINCT FROM c.name THEN filled := filled || 'name'::text; END IF;
    IF new_form IS DISTINCT FROM c.legal_form_name THEN filled := filled || 'legal_form_name'::text; END IF;
    IF new_status IS DISTINCT FROM c.register_status THEN filled := filled || 'register_status'::text; END IF;
    IF cardinality(filled) > 0 THEN
        UPDATE client_registry.client cl
           SET name = new_name, legal_form_name = new_form, register_status = new_status
         WHERE cl.id = c.id;
    END IF;

    -- the registration address: "City, street and number, LT-00000"
    IF r.address IS NOT NULL THEN
        parts := regexp_split_to_array(r.address, '\s*,\s*');
        n := cardinality(parts);
        IF n >= 2 AND parts[n] ~ '^LT-?[0-9]{5}$' THEN
            v_postal := parts[n];
            n := n - 1;
        END IF;
        IF n >= 2 THEN
            v_city := parts[1];
            v_street := array_to_string(parts[2:n], ', ');
        ELSE
            v_street := parts[1];
        END IF;
        SELECT * INTO a FROM client_registry.client_address ad
         WHERE ad.tenant_id = c.tenant_id AND ad.client_id = c.id AND ad.is_registration
         ORDER BY ad.is_primary DESC, ad.id LIMIT 1;
        IF NOT FOUND THEN
            INSERT INTO client_registry.client_address (tenant_id, client_id, is_registration, street, city, postal_code, country)
            VALUES (c.tenant_id, c.id, true, v_street, v_city, v_postal, 'LT');
            filled := filled || 'registration_address'::text;
        ELSIF (overwrite OR concat_ws(', ', a.city, a.street, a.postal_code) = f->>'address')
              AND (a.street, a.city, a.postal_code) IS DISTINCT FROM (v_street, v_city, v_postal) THEN
            UPDATE client_registry.client_address ad SET street = v_street, city = v_city, postal_code = v_postal
             WHERE ad.id = a.id;
            filled := filled || 'registration_address'::text;
        END IF;
    END IF;

    INSERT INTO client_registry.client_register_fill AS rf (tenant_id, client_id, company_code, filled_at, filled)
    VALUES (c.tenant_id, c.id, c.company_code, now(),
            jsonb_build_object('name', r.name, 'legal_form_name', r.form_name, 'register_status', reg_status,
                               'address', concat_ws(', ', v_city, v_street, v_postal)))
    ON CONFLICT ON CONSTRAINT client_register_fill_pkey DO UPDATE
       SET company_code = EXCLUDED.company_code, filled_at = EXCLUDED.filled_at, filled = EXCLUDED.filled;
    RETURN filled;
END
$fn$;
COMMENT ON FUNCTION fill_client_from_register(bigint, boolean) IS
    'R1.8 "i" button: fills the card of a Lithuanian legal entity from legal_register by its company code: name, legal_form_name, register_status and the registration address (added when the client has none). A field the user set (filled and different from what the register put there last time; a name equal to the code counts as empty) is kept unless overwrite is true. WARNING when the company is deregistered or has a special status. R3402 for a code not in the register. Returns the fields it changed.';

-------------------------------------------------------------------------------
-- Tenant isolation, dumping, privileges
-------------------------------------------------------------------------------

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['legal_register', 'legal_register_import', 'client_register_fill']
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE client_registry.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format(
            'CREATE POLICY tenant_isolation ON client_registry.%I'
            ' USING (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())'
            ' WITH CHECK (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())', t);
    END LOOP;
END
$do$;

SELECT pg_catalog.pg_extension_config_dump('legal_register', '');
SELECT pg_catalog.pg_extension_config_dump('legal_register_import', '');
SELECT pg_catalog.pg_extension_config_dump('client_register_fill', '');

REVOKE ALL ON FUNCTION merge_legal_register() FROM PUBLIC;
REVOKE ALL ON FUNCTION fill_client_from_register(bigint, boolean) FROM PUBLIC;
