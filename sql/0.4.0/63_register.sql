
-------------------------------------------------------------------------------
-- 0.4.0: the register of legal entities with VAT codes and countries
-- (issue #18).  legal_register gets a country (LT, LV, EE) and a VAT code;
-- the loader takes the Lithuanian JAR files as before plus a VAT code column
-- (pvm_kodas: the VMI register of VAT payers, joined by company code), and
-- staging tables shaped as the Latvian (UR register.csv) and Estonian (RIK
-- "lihtandmed") open-data files; fill_client_from_register() looks a card
-- up by company code or VAT code and fills the VAT code.
-------------------------------------------------------------------------------

ALTER TABLE legal_register
    ADD COLUMN country text COLLATE "C" NOT NULL DEFAULT 'LT',
    ADD COLUMN vat_code text COLLATE "C",
    ADD CONSTRAINT legal_register_country_supported CHECK (country IN ('LT', 'LV', 'EE'));
ALTER TABLE legal_register DROP CONSTRAINT legal_register_pkey,
    ADD CONSTRAINT legal_register_pkey PRIMARY KEY (tenant_id, country, company_code);
CREATE INDEX legal_register_vat_code_idx ON legal_register (tenant_id, vat_code) WHERE vat_code IS NOT NULL;
COMMENT ON TABLE legal_register IS
    'Registers of legal entities (open data), one row per country and company code, per tenant: Lithuania (JAR_IREGISTRUOTI.csv, JAR_ISREGISTRUOTI.csv, VAT codes from the VMI register of VAT payers), Latvia (UR register.csv) and Estonia (RIK ettevotja_rekvisiidid__lihtandmed.csv). Loaded through the legal_register_import* staging tables and merge_legal_register(); read by fill_client_from_register() and legal_register_lookup().';
COMMENT ON COLUMN legal_register.country IS 'Country of the register: LT, LV or EE.';
COMMENT ON COLUMN legal_register.vat_code IS 'VAT code with its prefix where the open data has it (LT: pvm_kodas of the VMI file; EE: kmkr_nr; the Latvian file has none); kept when a later file has no VAT column.';
COMMENT ON COLUMN legal_register.company_code IS 'Company code: ja_kodas (LT), regcode (LV), ariregistri_kood (EE, leading zeros kept).';
COMMENT ON COLUMN legal_register.status_code IS 'LT: stat_kodas (0 = no special status: operating normally). LV and EE: 0 = registered and active, 1 = any other status (see status_name).';

ALTER TABLE legal_register_import ADD COLUMN pvm_kodas text;
COMMENT ON COLUMN legal_register_import.pvm_kodas IS
    'VAT code (PVM mokėtojo kodas) of the company, with or without LT: from the VMI register of VAT payers joined by ja_kodas. A row with only ja_kodas and pvm_kodas sets the VAT code of a company already in the register.';

CREATE TABLE legal_register_import_lv (
    tenant_id               integer NOT NULL DEFAULT current_tenant(),
    regcode                 text,
    sepa                    text,
    name                    text,
    name_before_quotes      text,
    name_in_quotes          text,
    name_after_quotes       text,
    without_quotes          text,
    regtype                 text,
    regtype_text            text,
    type                    text,
    type_text               text,
    registered              text,
    terminated              text,
    closed                  text,
    address                 text,
    index                   text,
    addressid               text,
    region                  text,
    city                    text,
    atvk                    text,
    reregistration_term     text
);
COMMENT ON TABLE legal_register_import_lv IS
    'Staging table for the Latvian Register of Enterprises open data (register.csv, ";"-separated, UTF-8, with a header; columns named as its header): COPY it in, then SELECT merge_legal_register().';
COMMENT ON COLUMN legal_register_import_lv.tenant_id IS 'Tenant loading.';
COMMENT ON COLUMN legal_register_import_lv.regcode IS 'Registration number (11 digits).';
COMMENT ON COLUMN legal_register_import_lv.sepa IS 'SEPA identifier (not loaded).';
COMMENT ON COLUMN legal_register_import_lv.name IS 'Name.';
COMMENT ON COLUMN legal_register_import_lv.name_before_quotes IS 'Name part before the quotes (not loaded).';
COMMENT ON COLUMN legal_register_import_lv.name_in_quotes IS 'Name part in quotes (not loaded).';
COMMENT ON COLUMN legal_register_import_lv.name_after_quotes IS 'Name part after the quotes (not loaded).';
COMMENT ON COLUMN legal_register_import_lv.without_quotes IS 'Name without quotes (not loaded).';
COMMENT ON COLUMN legal_register_import_lv.regtype IS 'Register type code (not loaded).';
COMMENT ON COLUMN legal_register_import_lv.regtype_text IS 'Register type (not loaded).';
COMMENT ON COLUMN legal_register_import_lv.type IS 'Legal form code (loaded into form_name with type_text).';
COMMENT ON COLUMN legal_register_import_lv.type_text IS 'Legal form.';
COMMENT ON COLUMN legal_register_import_lv.registered IS 'Registration date (YYYY-MM-DD).';
COMMENT ON COLUMN legal_register_import_lv.terminated IS 'Date the entity was struck off (YYYY-MM-DD), empty while registered.';
COMMENT ON COLUMN legal_register_import_lv.closed IS 'Status letter when not active (e.g. L = liquidated, R = reorganised), empty while active.';
COMMENT ON COLUMN legal_register_import_lv.address IS 'Legal address on one line.';
COMMENT ON COLUMN legal_register_import_lv.index IS 'Postal code (LV-0000).';
COMMENT ON COLUMN legal_register_import_lv.addressid IS 'Address register id (not loaded).';
COMMENT ON COLUMN legal_register_import_lv.region IS 'Region code (not loaded).';
COMMENT ON COLUMN legal_register_import_lv.city IS 'City code (not loaded).';
COMMENT ON COLUMN legal_register_import_lv.atvk IS 'Territorial code (not loaded).';
COMMENT ON COLUMN legal_register_import_lv.reregistration_term IS 'Re-registration term (not loaded).';

CREATE TABLE legal_register_import_ee (
    tenant_id                           integer NOT NULL DEFAULT current_tenant(),
    nimi                                text,
    ariregistri_kood                    text,
    ettevotja_oiguslik_vorm             text,
    ettevotja_oigusliku_vormi_alaliik   text,
    kmkr_nr                             text,
    ettevotja_staatus                   text,
    ettevotja_staatus_tekstina          text,
    ettevotja_esmakande_kpv             text,
    ettevotja_aadress                   text,
    asukoht_ettevotja_aadressis         text,
    asukoha_ehak_kood                   text,
    asukoha_ehak_tekstina               text
);
COMMENT ON TABLE legal_register_import_ee IS
    'Staging table for the Estonian e-Business Register open data (ettevotja_rekvisiidid__lihtandmed.csv, ";"-separated, UTF-8 with BOM, with a header; columns named as its header): COPY it in, then SELECT merge_legal_register().';
COMMENT ON COLUMN legal_register_import_ee.tenant_id IS 'Tenant loading.';
COMMENT ON COLUMN legal_register_import_ee.nimi IS 'Name.';
COMMENT ON COLUMN legal_register_import_ee.ariregistri_kood IS 'Register code (8 digits, leading zeros kept).';
COMMENT ON COLUMN legal_register_import_ee.ettevotja_oiguslik_vorm IS 'Legal form.';
COMMENT ON COLUMN legal_register_import_ee.ettevotja_oigusliku_vormi_alaliik IS 'Legal form subtype (not loaded).';
COMMENT ON COLUMN legal_register_import_ee.kmkr_nr IS 'VAT number (KMKR), with or without EE.';
COMMENT ON COLUMN legal_register_import_ee.ettevotja_staatus IS 'Status letter (R = entered in the register, L = in liquidation, N = bankrupt, K = deleted).';
COMMENT ON COLUMN legal_register_import_ee.ettevotja_staatus_tekstina IS 'Status as text.';
COMMENT ON COLUMN legal_register_import_ee.ettevotja_esmakande_kpv IS 'Date of the first entry (DD.MM.YYYY).';
COMMENT ON COLUMN legal_register_import_ee.ettevotja_aadress IS 'Address.';
COMMENT ON COLUMN legal_register_import_ee.asukoht_ettevotja_aadressis IS 'Location part of the address (not loaded).';
COMMENT ON COLUMN legal_register_import_ee.asukoha_ehak_kood IS 'EHAK code of the location (not loaded).';
COMMENT ON COLUMN legal_register_import_ee.asukoha_ehak_tekstina IS 'Location as text (city / municipality).';

-------------------------------------------------------------------------------
-- Loader: every country's staging rows -> legal_register
-------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION merge_legal_register(OUT inserted integer, OUT updated integer, OUT unchanged integer,
                                                OUT rejected integer)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    bad record;
    n integer;
    vat_set integer;
BEGIN
    -- one merge per tenant at a time; readers are not blocked
    LOCK TABLE client_registry.legal_register IN SHARE ROW EXCLUSIVE MODE;

    CREATE TEMP TABLE IF NOT EXISTS cr_register_rows (
        country text, company_code text, name text, address text, registered_on date, form_code integer,
        form_name text, status_code integer, status_name text, status_since date, deregistered_on date,
        extract_date date, vat_code text, vat_given boolean
    ) ON COMMIT DROP;
    TRUNCATE cr_register_rows;

    ---- Lithuania: JAR files, optionally with pvm_kodas
    SELECT count(*)::int INTO rejected
      FROM client_registry.legal_register_import s
     WHERE s.tenant_id = client_registry.current_tenant()
       AND NOT (btrim(s.ja_kodas) ~ '^[0-9]{7,9}$'
                AND (btrim(coalesce(s.ja_pavadinimas, '')) <> '' OR btrim(coalesce(s.pvm_kodas, '')) <> '')
                AND coalesce(btrim(s.ja_reg_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
                AND coalesce(btrim(s.stat_data_nuo), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
                AND coalesce(btrim(s.isreg_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
                AND coalesce(btrim(s.formavimo_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
                AND coalesce(btrim(s.form_kodas), '') ~ '^[0-9]{0,9}$'
                AND coalesce(btrim(s.stat_kodas), '') ~ '^[0-9]{0,9}$'
                AND (btrim(coalesce(s.pvm_kodas, '')) = ''
                     OR (client_registry.vat_code_valid(btrim(s.pvm_kodas), 'LT') AND upper(btrim(s.pvm_kodas)) <> 'ND')));
    IF rejected > 0 THEN
        SELECT s.ja_kodas, s.ja_pavadinimas, s.pvm_kodas INTO bad
          FROM client_registry.legal_register_import s
         WHERE s.tenant_id = client_registry.current_tenant()
           AND NOT (btrim(s.ja_kodas) ~ '^[0-9]{7,9}$'
                    AND (btrim(coalesce(s.ja_pavadinimas, '')) <> '' OR btrim(coalesce(s.pvm_kodas, '')) <> '')
                    AND (btrim(coalesce(s.pvm_kodas, '')) = ''
                         OR (client_registry.vat_code_valid(btrim(s.pvm_kodas), 'LT') AND upper(btrim(s.pvm_kodas)) <> 'ND')))
         LIMIT 1;
        RAISE WARNING '% rows of the register file were rejected', rejected
            USING DETAIL = CASE WHEN bad.ja_kodas IS NOT NULL OR bad.ja_pavadinimas IS NOT NULL OR bad.pvm_kodas IS NOT NULL
                                THEN format('For example company code %L, name %L%s: a code is 7 to 9 digits and a name is required%s; dates are YYYY-MM-DD.',
                                            bad.ja_kodas, bad.ja_pavadinimas,
                                            CASE WHEN bad.pvm_kodas IS NOT NULL THEN format(', VAT code %L', bad.pvm_kodas) ELSE '' END,
                                            CASE WHEN bad.pvm_kodas IS NOT NULL THEN ' (or a VAT code alone), a VAT code a valid Lithuanian one' ELSE '' END)
                                ELSE 'Dates are YYYY-MM-DD, form and status codes digits.' END,
                  HINT = 'Check that the file was copied with DELIMITER ''|'', FORMAT csv and HEADER.';
    END IF;

    -- one row per code: a deregistration wins, then the newest extract
    INSERT INTO cr_register_rows
    SELECT DISTINCT ON (btrim(s.ja_kodas))
           'LT', btrim(s.ja_kodas), NULLIF(btrim(s.ja_pavadinimas), ''), NULLIF(btrim(s.adresas), ''),
           NULLIF(btrim(s.ja_reg_data), '')::date, NULLIF(btrim(s.form_kodas), '')::integer,
           NULLIF(btrim(s.form_pavadinimas), ''), NULLIF(btrim(s.stat_kodas), '')::integer,
           NULLIF(btrim(s.stat_pavadinimas), ''), NULLIF(btrim(s.stat_data_nuo), '')::date,
           NULLIF(btrim(s.isreg_data), '')::date, NULLIF(btrim(s.formavimo_data), '')::date,
           CASE WHEN btrim(coalesce(s.pvm_kodas, '')) <> '' THEN client_registry.normalize_vat_code(btrim(s.pvm_kodas), 'LT') END,
           btrim(coalesce(s.pvm_kodas, '')) <> ''
      FROM client_registry.legal_register_import s
     WHERE s.tenant_id = client_registry.current_tenant()
       AND btrim(s.ja_kodas) ~ '^[0-9]{7,9}$'
       AND (btrim(coalesce(s.ja_pavadinimas, '')) <> '' OR btrim(coalesce(s.pvm_kodas, '')) <> '')
       AND coalesce(btrim(s.ja_reg_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
       AND coalesce(btrim(s.stat_data_nuo), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
       AND coalesce(btrim(s.isreg_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
       AND coalesce(btrim(s.formavimo_data), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
       AND coalesce(btrim(s.form_kodas), '') ~ '^[0-9]{0,9}$'
       AND coalesce(btrim(s.stat_kodas), '') ~ '^[0-9]{0,9}$'
       AND (btrim(coalesce(s.pvm_kodas, '')) = ''
            OR (client_registry.vat_code_valid(btrim(s.pvm_kodas), 'LT') AND upper(btrim(s.pvm_kodas)) <> 'ND'))
     ORDER BY btrim(s.ja_kodas), (btrim(coalesce(s.ja_pavadinimas, '')) <> '') DESC,
              (NULLIF(btrim(s.isreg_data), '') IS NOT NULL) DESC,
              NULLIF(btrim(s.formavimo_data), '') DESC NULLS LAST;
    -- a VAT-only row and a full row of the same code: the VAT code joins the full row
    UPDATE cr_register_rows r
       SET vat_code = v.vat_code, vat_given = true
      FROM (SELECT DISTINCT ON (btrim(s.ja_kodas)) btrim(s.ja_kodas) AS code,
                   client_registry.normalize_vat_code(btrim(s.pvm_kodas), 'LT') AS vat_code
              FROM client_registry.legal_register_import s
             WHERE s.tenant_id = client_registry.current_tenant() AND btrim(s.ja_kodas) ~ '^[0-9]{7,9}$'
               AND btrim(coalesce(s.pvm_kodas, '')) <> ''
               AND client_registry.vat_code_valid(btrim(s.pvm_kodas), 'LT') AND upper(btrim(s.pvm_kodas)) <> 'ND'
             ORDER BY btrim(s.ja_kodas), NULLIF(btrim(s.formavimo_data), '') DESC NULLS LAST) v
     WHERE r.country = 'LT' AND r.company_code = v.code AND NOT r.vat_given;

    ---- Latvia: register.csv
    SELECT count(*)::int INTO n
      FROM client_registry.legal_register_import_lv s
     WHERE s.tenant_id = client_registry.current_tenant()
       AND NOT (btrim(s.regcode) ~ '^[0-9]{11}$' AND btrim(coalesce(s.name, '')) <> ''
                AND coalesce(btrim(s.registered), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
                AND coalesce(btrim(s.terminated), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$');
    IF n > 0 THEN
        RAISE WARNING '% rows of the Latvian register file were rejected', n
            USING DETAIL = 'A registration number is 11 digits, a name is required, dates are YYYY-MM-DD.',
                  HINT = 'Check that the file was copied with DELIMITER '';'', FORMAT csv and HEADER.';
        rejected := rejected + n;
    END IF;
    INSERT INTO cr_register_rows
    SELECT DISTINCT ON (btrim(s.regcode))
           'LV', btrim(s.regcode), btrim(s.name),
           NULLIF(concat_ws(', ', NULLIF(btrim(s.address), ''), NULLIF(btrim(s.index), '')), ''),
           NULLIF(btrim(s.registered), '')::date, NULL, NULLIF(btrim(s.type_text), ''),
           CASE WHEN coalesce(btrim(s.closed), '') = '' AND coalesce(btrim(s.terminated), '') = '' THEN 0 ELSE 1 END,
           CASE WHEN coalesce(btrim(s.closed), '') = '' AND coalesce(btrim(s.terminated), '') = '' THEN 'active'
                ELSE 'closed ' || coalesce(NULLIF(btrim(s.closed), ''), '') END,
           NULL, NULLIF(btrim(s.terminated), '')::date, NULL, NULL, false
      FROM client_registry.legal_register_import_lv s
     WHERE s.tenant_id = client_registry.current_tenant()
       AND btrim(s.regcode) ~ '^[0-9]{11}$' AND btrim(coalesce(s.name, '')) <> ''
       AND coalesce(btrim(s.registered), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
       AND coalesce(btrim(s.terminated), '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
     ORDER BY btrim(s.regcode), NULLIF(btrim(s.terminated), '') DESC NULLS LAST;

    ---- Estonia: ettevotja_rekvisiidid__lihtandmed.csv
    SELECT count(*)::int INTO n
      FROM client_registry.legal_register_import_ee s
     WHERE s.tenant_id = client_registry.current_tenant()
       AND NOT (btrim(s.ariregistri_kood) ~ '^[0-9]{8}$' AND btrim(coalesce(s.nimi, '')) <> ''
                AND coalesce(btrim(s.ettevotja_esmakande_kpv), '') ~ '^([0-9]{2}\.[0-9]{2}\.[0-9]{4})?$'
                AND (btrim(coalesce(s.kmkr_nr, '')) = '' OR client_registry.vat_code_valid(btrim(s.kmkr_nr), 'EE')));
    IF n > 0 THEN
        RAISE WARNING '% rows of the Estonian register file were rejected', n
            USING DETAIL = 'A register code is 8 digits, a name is required, the first entry date is DD.MM.YYYY, a VAT number a valid Estonian one.',
                  HINT = 'Check that the file was copied with DELIMITER '';'', FORMAT csv and HEADER.';
        rejected := rejected + n;
    END IF;
    INSERT INTO cr_register_rows
    SELECT DISTINCT ON (btrim(s.ariregistri_kood))
           'EE', btrim(s.ariregistri_kood), btrim(s.nimi),
           NULLIF(btrim(s.ettevotja_aadress), ''),
           to_date(NULLIF(btrim(s.ettevotja_esmakande_kpv), ''), 'DD.MM.YYYY'), NULL,
           NULLIF(btrim(s.ettevotja_oiguslik_vorm), ''),
           CASE WHEN btrim(coalesce(s.ettevotja_staatus, '')) IN ('', 'R') THEN 0 ELSE 1 END,
           NULLIF(btrim(s.ettevotja_staatus_tekstina), ''), NULL, NULL, NULL,
           CASE WHEN btrim(coalesce(s.kmkr_nr, '')) <> '' THEN client_registry.normalize_vat_code(btrim(s.kmkr_nr), 'EE') END,
           true
      FROM client_registry.legal_register_import_ee s
     WHERE s.tenant_id = client_registry.current_tenant()
       AND btrim(s.ariregistri_kood) ~ '^[0-9]{8}$' AND btrim(coalesce(s.nimi, '')) <> ''
       AND coalesce(btrim(s.ettevotja_esmakande_kpv), '') ~ '^([0-9]{2}\.[0-9]{2}\.[0-9]{4})?$'
       AND (btrim(coalesce(s.kmkr_nr, '')) = '' OR client_registry.vat_code_valid(btrim(s.kmkr_nr), 'EE'))
     ORDER BY btrim(s.ariregistri_kood);

    -- VAT-only rows (Lithuania): set the code of companies already loaded
    WITH v AS (
        UPDATE client_registry.legal_register g SET vat_code = r.vat_code, loaded_at = now()
          FROM cr_register_rows r
         WHERE r.name IS NULL AND g.tenant_id = client_registry.current_tenant() AND g.country = r.country
           AND g.company_code = r.company_code AND g.vat_code IS DISTINCT FROM r.vat_code
        RETURNING 1)
    SELECT count(*)::int INTO vat_set FROM v;

    WITH up AS (
        INSERT INTO client_registry.legal_register AS g
               (tenant_id, country, company_code, name, address, registered_on, form_code, form_name, status_code,
                status_name, status_since, deregistered_on, extract_date, vat_code)
        SELECT client_registry.current_tenant(), r.country, r.company_code, r.name, r.address, r.registered_on,
               r.form_code, r.form_name, r.status_code, r.status_name, r.status_since, r.deregistered_on,
               r.extract_date, r.vat_code
          FROM cr_register_rows r
         WHERE r.name IS NOT NULL
        ON CONFLICT (tenant_id, country, company_code) DO UPDATE
           SET name = EXCLUDED.name, address = EXCLUDED.address, registered_on = EXCLUDED.registered_on,
               form_code = EXCLUDED.form_code, form_name = EXCLUDED.form_name,
               status_code = EXCLUDED.status_code, status_name = EXCLUDED.status_name,
               status_since = EXCLUDED.status_since, deregistered_on = EXCLUDED.deregistered_on,
               extract_date = EXCLUDED.extract_date,
               vat_code = CASE WHEN EXCLUDED.vat_code IS NOT NULL OR EXCLUDED.country = 'EE' THEN EXCLUDED.vat_code
                               ELSE g.vat_code END,
               loaded_at = now()
         WHERE (g.name, g.address, g.registered_on, g.form_code, g.form_name, g.status_code, g.status_name,
                g.status_since, g.deregistered_on, g.extract_date, g.vat_code)
               IS DISTINCT FROM
               (EXCLUDED.name, EXCLUDED.address, EXCLUDED.registered_on, EXCLUDED.form_code, EXCLUDED.form_name,
                EXCLUDED.status_code, EXCLUDED.status_name, EXCLUDED.status_since, EXCLUDED.deregistered_on,
                EXCLUDED.extract_date,
                CASE WHEN EXCLUDED.vat_code IS NOT NULL OR EXCLUDED.country = 'EE' THEN EXCLUDED.vat_code ELSE g.vat_code END)
           -- an older extract never undoes a newer one (a deregistration stays)
           AND (g.extract_date IS NULL OR EXCLUDED.extract_date IS NULL OR EXCLUDED.extract_date >= g.extract_date)
        RETURNING (xmax = 0) AS is_new)
    SELECT count(*) FILTER (WHERE is_new)::int, count(*) FILTER (WHERE NOT is_new)::int
      INTO inserted, updated FROM up;
    updated := updated + vat_set;
    SELECT count(*)::int - inserted - updated INTO unchanged FROM cr_register_rows;

    DELETE FROM client_registry.legal_register_import s WHERE s.tenant_id = client_registry.current_tenant();
    DELETE FROM client_registry.legal_register_import_lv s WHERE s.tenant_id = client_registry.current_tenant();
    DELETE FROM client_registry.legal_register_import_ee s WHERE s.tenant_id = client_registry.current_tenant();
    DROP TABLE cr_register_rows;
END
$fn$;
COMMENT ON FUNCTION merge_legal_register() IS
    'R1.8 loader: merges the current tenant''s staging rows -- legal_register_import (Lithuanian JAR_IREGISTRUOTI / JAR_ISREGISTRUOTI, optionally with pvm_kodas; a row with only ja_kodas and pvm_kodas sets the VAT code of a loaded company), legal_register_import_lv (Latvian register.csv), legal_register_import_ee (Estonian lihtandmed) -- into legal_register by country and company code: new codes inserted, changed rows updated unless the row comes from an older extract than the stored one, the rest left alone, so loading the same file again changes nothing; a file without VAT codes keeps the VAT codes loaded before. Empties the staging rows. Rows with an invalid code, a blank name, a malformed date or an invalid VAT code are rejected with a WARNING. Returns the counts.';

-------------------------------------------------------------------------------
-- Look-up by company code or VAT code, and the "i" button with the VAT code
-------------------------------------------------------------------------------

CREATE FUNCTION legal_register_lookup(code text, country text DEFAULT NULL)
RETURNS SETOF legal_register
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT g.* FROM client_registry.legal_register g
     WHERE g.tenant_id = client_registry.current_tenant()
       AND (legal_register_lookup.country IS NULL OR g.country = upper(btrim(legal_register_lookup.country)))
       AND (g.company_code = upper(regexp_replace(legal_register_lookup.code, '[\s.-]', '', 'g'))
            OR g.vat_code = upper(regexp_replace(legal_register_lookup.code, '[\s.-]', '', 'g'))
            OR g.vat_code = upper(coalesce(legal_register_lookup.country, '')) || upper(regexp_replace(legal_register_lookup.code, '[\s.-]', '', 'g')))
     ORDER BY g.country, g.company_code;
END;
COMMENT ON FUNCTION legal_register_lookup(text, text) IS
    'The register entries whose company code or VAT code is the given code (spaces, dots and dashes ignored; a VAT code with or without its prefix when country is given), optionally in one country (LT, LV, EE).';

CREATE OR REPLACE FUNCTION fill_client_from_register(client_id bigint, overwrite boolean DEFAULT false)
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
    new_vat text;
    new_code text;
    by_vat boolean := false;
BEGIN
    SELECT * INTO c FROM client_registry.client cl
     WHERE cl.id = fill_client_from_register.client_id AND cl.tenant_id = client_registry.current_tenant()
       FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'client % does not exist in tenant %', client_id, client_registry.current_tenant()
            USING ERRCODE = '23503';
    END IF;
    IF c.legal_form <> 'legal_entity' OR c.country NOT IN ('LT', 'LV', 'EE')
       OR (c.company_code IS NULL AND (c.vat_code IS NULL OR c.vat_code = 'ND')) THEN
        RAISE EXCEPTION 'client % "%" has no Lithuanian, Latvian or Estonian company code or VAT code to look up', c.id, c.name
            USING ERRCODE = '22023',
                  DETAIL = format('Company code %s, VAT code %s, country %s, legal form %s.', coalesce(c.company_code, 'none'),
                                  coalesce(c.vat_code, 'none'), c.country, c.legal_form),
                  HINT = 'The registers of legal entities loaded are those of LT, LV and EE: enter the company code or the VAT code first.';
    END IF;
    IF c.company_code IS NOT NULL THEN
        SELECT * INTO r FROM client_registry.legal_register g
         WHERE g.tenant_id = client_registry.current_tenant() AND g.country = c.country AND g.company_code = c.company_code;
    ELSE
        by_vat := true;
        SELECT * INTO r FROM client_registry.legal_register g
         WHERE g.tenant_id = client_registry.current_tenant() AND g.country = c.country AND g.vat_code = c.vat_code
         ORDER BY g.deregistered_on IS NOT NULL, g.company_code LIMIT 1;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% % is not in the register of legal entities',
                        CASE WHEN by_vat THEN 'VAT code' ELSE 'company code' END,
                        CASE WHEN by_vat THEN c.vat_code ELSE c.company_code END
            USING ERRCODE = 'R3402',
                  DETAIL = format('Client %s "%s"; the %s register of tenant %s has %s companies.', c.id, c.name, c.country,
                                  client_registry.current_tenant(),
                                  (SELECT count(*) FROM client_registry.legal_register g
                                    WHERE g.tenant_id = client_registry.current_tenant() AND g.country = c.country)),
                  HINT = 'Check the code, or load a newer register extract (legal_register_import, merge_legal_register()).';
    END IF;

    IF r.deregistered_on IS NOT NULL THEN
        RAISE WARNING 'company % "%" was deregistered on %', r.company_code, r.name, to_char(r.deregistered_on, 'YYYY-MM-DD')
            USING DETAIL = format('Register extract of %s.', coalesce(to_char(r.extract_date, 'YYYY-MM-DD'), 'unknown date')),
                  HINT = 'Do not issue new documents to it; deactivate the client (is_active = false) if it is no longer used.';
        reg_status := CASE r.country WHEN 'LT' THEN 'išregistruotas ' ELSE 'deregistered ' END
                      || to_char(r.deregistered_on, 'YYYY-MM-DD');
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
    -- register put there last time (a name equal to a code is a placeholder)
    new_name := CASE WHEN overwrite OR c.name = c.company_code OR c.name = c.vat_code OR c.name = f->>'name'
                     THEN r.name ELSE c.name END;
    new_form := CASE WHEN overwrite OR c.legal_form_name IS NULL OR c.legal_form_name = f->>'legal_form_name'
                     THEN r.form_name ELSE c.legal_form_name END;
    new_status := CASE WHEN overwrite OR c.register_status IS NULL OR c.register_status = f->>'register_status'
                       THEN reg_status ELSE c.register_status END;
    new_vat := CASE WHEN r.vat_code IS NOT NULL
                         AND (overwrite OR c.vat_code IS NULL OR c.vat_code = 'ND' OR c.vat_code = f->>'vat_code')
                    THEN r.vat_code ELSE c.vat_code END;
    new_code := coalesce(c.company_code, r.company_code);
    IF new_name IS DISTINCT FROM c.name THEN filled := filled || 'name'::text; END IF;
    IF new_code IS DISTINCT FROM c.company_code THEN filled := filled || 'company_code'::text; END IF;
    IF new_vat IS DISTINCT FROM c.vat_code THEN filled := filled || 'vat_code'::text; END IF;
    IF new_form IS DISTINCT FROM c.legal_form_name THEN filled := filled || 'legal_form_name'::text; END IF;
    IF new_status IS DISTINCT FROM c.register_status THEN filled := filled || 'register_status'::text; END IF;
    IF cardinality(filled) > 0 THEN
        UPDATE client_registry.client cl
           SET name = new_name, legal_form_name = new_form, register_status = new_status, vat_code = new_vat,
               company_code = new_code
         WHERE cl.id = c.id;
    END IF;

    -- the registration address: LT "City, street and number, LT-00000";
    -- LV and EE as one line in street (postal code split off when last)
    IF r.address IS NOT NULL THEN
        parts := regexp_split_to_array(r.address, '\s*,\s*');
        n := cardinality(parts);
        IF n >= 2 AND (parts[n] ~ '^LT-?[0-9]{5}$' OR parts[n] ~ '^LV-?[0-9]{4}$' OR parts[n] ~ '^[0-9]{5}$') THEN
            v_postal := parts[n];
            n := n - 1;
        END IF;
        IF n >= 2 AND r.country = 'LT' THEN
            v_city := parts[1];
            v_street := array_to_string(parts[2:n], ', ');
        ELSE
            v_street := array_to_string(parts[1:n], ', ');
        END IF;
        SELECT * INTO a FROM client_registry.client_address ad
         WHERE ad.tenant_id = c.tenant_id AND ad.client_id = c.id AND ad.is_registration
         ORDER BY ad.is_primary DESC, ad.id LIMIT 1;
        IF NOT FOUND THEN
            INSERT INTO client_registry.client_address (tenant_id, client_id, is_registration, street, city, postal_code, country)
            VALUES (c.tenant_id, c.id, true, v_street, v_city, v_postal, r.country);
            filled := filled || 'registration_address'::text;
        ELSIF (overwrite OR concat_ws(', ', a.city, a.street, a.postal_code) = f->>'address')
              AND (a.street, a.city, a.postal_code) IS DISTINCT FROM (v_street, v_city, v_postal) THEN
            UPDATE client_registry.client_address ad SET street = v_street, city = v_city, postal_code = v_postal
             WHERE ad.id = a.id;
            filled := filled || 'registration_address'::text;
        END IF;
    END IF;

    INSERT INTO client_registry.client_register_fill AS rf (tenant_id, client_id, company_code, filled_at, filled)
    VALUES (c.tenant_id, c.id, r.company_code, now(),
            jsonb_strip_nulls(jsonb_build_object('name', r.name, 'legal_form_name', r.form_name,
                                                 'register_status', reg_status,
                                                 'address', concat_ws(', ', v_city, v_street, v_postal),
                                                 'vat_code', r.vat_code)))
    ON CONFLICT ON CONSTRAINT client_register_fill_pkey DO UPDATE
       SET company_code = EXCLUDED.company_code, filled_at = EXCLUDED.filled_at, filled = EXCLUDED.filled;
    RETURN filled;
END
$fn$;
COMMENT ON FUNCTION fill_client_from_register(bigint, boolean) IS
    'R1.8 "i" button: fills the card of a Lithuanian, Latvian or Estonian legal entity from legal_register, found by its company code (or, without one, by its VAT code): name, company code (when found by VAT code), VAT code (where the register has it), legal_form_name, register_status and the registration address (added when the client has none). A field the user set (filled and different from what the register put there last time; a name equal to a code counts as empty) is kept unless overwrite is true. WARNING when the company is deregistered or has a special status. R3402 for a code not in the register. Returns the fields it changed.';

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['legal_register_import_lv', 'legal_register_import_ee']
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE client_registry.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format(
            'CREATE POLICY tenant_isolation ON client_registry.%I'
            ' USING (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())'
            ' WITH CHECK (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())', t);
    END LOOP;
END
$do$;

SELECT pg_catalog.pg_extension_config_dump('legal_register_import_lv', '');
SELECT pg_catalog.pg_extension_config_dump('legal_register_import_ee', '');

REVOKE ALL ON FUNCTION legal_register_lookup(text, text) FROM PUBLIC;
