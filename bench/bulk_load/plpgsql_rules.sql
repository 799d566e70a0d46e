-- bench/bulk_load/plpgsql_rules.sql
-- PLPGSQL variant: the plain tables (plain_schema.sql) plus PL/pgSQL BEFORE
-- triggers doing the same checks and normalisation as the extension's C
-- triggers on the bulk-load path:
--   client:        trim name (never blank), country format, LT company code
--                  (9 digits, LT-mod11), VAT code normalisation (compact,
--                  upper-case, country prefix, LT: 9/12 digits, digit before
--                  the check digit is 1, LT-mod11; ND allowed), e-mail shape
--                  (domain lower-cased), duplicate company-code probe with a
--                  friendly error naming the existing client, updated_at;
--   address:       trim texts, not empty, country format;
--   bank account:  IBAN compact/upper-case, country length and mod 97,
--                  currency format, LT bank code derived from the IBAN;
--   address and bank account: first row of a client becomes primary, a new
--                  primary demotes the old one; client row locked with
--                  SELECT ... FOR NO KEY UPDATE, then a probe for an
--                  existing primary.
-- One trigger per table (a competent hand-written version would not split
-- normalisation and the primary rule into two trigger calls per row).
-- Plans inside PL/pgSQL are cached per session, like the C triggers' saved
-- SPI plans.

SET search_path = client_registry, pg_catalog;
\ir checkers.sql

CREATE FUNCTION client_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    other_id    bigint;
    other_name  text;
    at_pos      int;
BEGIN
    -- name: required, trimmed
    NEW.name := nullif(btrim(NEW.name), '');
    IF NEW.name IS NULL THEN
        RAISE EXCEPTION 'client name must not be blank'
            USING ERRCODE = 'check_violation', COLUMN = 'name';
    END IF;

    -- country
    NEW.country := upper(btrim(NEW.country));
    IF NEW.country !~ '^[A-Z]{2}$' THEN
        RAISE EXCEPTION 'invalid country code "%" for client "%"', NEW.country, NEW.name
            USING ERRCODE = 'check_violation', COLUMN = 'country';
    END IF;

    -- company code
    IF NEW.company_code IS NOT NULL THEN
        NEW.company_code := nullif(translate(NEW.company_code, E' -.\t', ''), '');
        IF NEW.company_code IS NOT NULL AND NEW.country = 'LT'
           AND NOT (length(NEW.company_code) = 9 AND client_registry.lt_mod11_ok(NEW.company_code)) THEN
            RAISE EXCEPTION 'invalid company code "%" for client "%"', NEW.company_code, NEW.name
                USING ERRCODE = 'check_violation', COLUMN = 'company_code',
                      DETAIL = 'Check failed: must be 9 digits with a valid check digit.',
                      HINT = 'A Lithuanian company code has 9 digits, the last one a check digit (for example 110003978).';
        END IF;
    END IF;

    -- VAT code
    IF NEW.vat_code IS NOT NULL THEN
        NEW.vat_code := nullif(upper(translate(NEW.vat_code, E' -.\t', '')), '');
        IF NEW.vat_code ~ '^[0-9]' THEN
            NEW.vat_code := NEW.country || NEW.vat_code;
        END IF;
        IF NEW.vat_code = 'ND' THEN
            NULL;
        ELSIF left(NEW.vat_code, 2) = 'LT' THEN
            IF NOT (NEW.vat_code ~ '^LT([0-9]{7}|[0-9]{10})1[0-9]$'
                    AND client_registry.lt_mod11_ok(substr(NEW.vat_code, 3))) THEN
                RAISE EXCEPTION 'invalid VAT code "%" for client "%"', NEW.vat_code, NEW.name
                    USING ERRCODE = 'check_violation', COLUMN = 'vat_code',
                          DETAIL = 'Check failed: LT + 9 or 12 digits, the one before the check digit 1, valid check digit.';
            END IF;
        ELSIF NEW.vat_code !~ '^[A-Z]{2}[0-9A-Z+*]{2,12}$' THEN
            RAISE EXCEPTION 'invalid VAT code "%" for client "%"', NEW.vat_code, NEW.name
                USING ERRCODE = 'check_violation', COLUMN = 'vat_code';
        END IF;
    END IF;

    -- e-mail
    IF NEW.email IS NOT NULL THEN
        NEW.email := nullif(btrim(NEW.email), '');
        IF NEW.email !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:].]+$' THEN
            RAISE EXCEPTION 'invalid e-mail "%" for client "%"', NEW.email, NEW.name
                USING ERRCODE = 'check_violation', COLUMN = 'email';
        END IF;
        at_pos := strpos(NEW.email, '@');
        NEW.email := left(NEW.email, at_pos) || lower(substr(NEW.email, at_pos + 1));
    END IF;

    -- duplicate company code, with the existing client's id and name
    IF NEW.company_code IS NOT NULL AND NEW.legal_form = 'legal_entity'
       AND (TG_OP = 'INSERT'
            OR (OLD.company_code, OLD.country, OLD.legal_form)
               IS DISTINCT FROM (NEW.company_code, NEW.country, NEW.legal_form)) THEN
        SELECT c.id, c.name INTO other_id, other_name
          FROM client_registry.client c
         WHERE c.tenant_id = NEW.tenant_id AND c.country = NEW.country
           AND c.company_code = NEW.company_code AND c.legal_form = 'legal_entity'
           AND c.id <> NEW.id
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'company code "%" is already used by client % "%"',
                            NEW.company_code, other_id, other_name
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'client_company_code_key',
                      HINT = 'Use the existing client, or deactivate one of them.';
        END IF;
    END IF;

    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER client_10_before_write BEFORE INSERT OR UPDATE ON client
    FOR EACH ROW EXECUTE FUNCTION client_before_write();

CREATE FUNCTION address_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN NEW;                 -- our own demotion UPDATE
    END IF;
    NEW.label := nullif(btrim(NEW.label), '');
    NEW.street := nullif(btrim(NEW.street), '');
    NEW.city := nullif(btrim(NEW.city), '');
    NEW.postal_code := nullif(btrim(NEW.postal_code), '');
    NEW.region := nullif(btrim(NEW.region), '');
    IF NEW.street IS NULL AND NEW.city IS NULL AND NEW.postal_code IS NULL THEN
        RAISE EXCEPTION 'address of client % has no street, city or postal code', NEW.client_id
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.country := upper(btrim(NEW.country));
    IF NEW.country !~ '^[A-Z]{2}$' THEN
        RAISE EXCEPTION 'invalid address country code "%" for client %', NEW.country, NEW.client_id
            USING ERRCODE = 'check_violation', COLUMN = 'country';
    END IF;

    -- one primary per client
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
        IF OLD.client_id = NEW.client_id THEN
            IF OLD.is_primary = NEW.is_primary THEN
                RETURN NEW;
            ELSIF OLD.is_primary THEN
                RAISE EXCEPTION 'cannot unset the primary flag of address % of client %', NEW.id, NEW.client_id
                    USING ERRCODE = 'check_violation', HINT = 'Mark another address of the client as primary.';
            END IF;
        END IF;
    END IF;
    PERFORM 1 FROM client_registry.client WHERE id = NEW.client_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NEW;                 -- the foreign key reports it
    END IF;
    IF NEW.is_primary AND (TG_OP = 'INSERT' OR OLD.client_id = NEW.client_id) THEN
        UPDATE client_registry.client_address SET is_primary = false
         WHERE client_id = NEW.client_id AND is_primary AND id <> NEW.id;
    ELSE
        NEW.is_primary := NOT EXISTS (SELECT 1 FROM client_registry.client_address
                                       WHERE client_id = NEW.client_id AND is_primary AND id <> NEW.id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER client_address_10_before_write BEFORE INSERT OR UPDATE ON client_address
    FOR EACH ROW EXECUTE FUNCTION address_before_write();

CREATE FUNCTION bank_account_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    want_len int;
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN NEW;                 -- our own demotion UPDATE
    END IF;
    NEW.bank_name := nullif(btrim(NEW.bank_name), '');
    NEW.ledger_account := nullif(btrim(NEW.ledger_account), '');

    -- IBAN: compact, upper-case, country length, mod 97
    NEW.iban := upper(translate(NEW.iban, E' -.\t', ''));
    IF NEW.iban !~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$' THEN
        RAISE EXCEPTION 'invalid IBAN "%" for client %', NEW.iban, NEW.client_id
            USING ERRCODE = 'check_violation', COLUMN = 'iban',
                  DETAIL = 'Check failed: country code, two check digits and 11 to 30 letters or digits.';
    END IF;
    want_len := client_registry.iban_length(left(NEW.iban, 2));
    IF want_len IS NOT NULL AND length(NEW.iban) <> want_len THEN
        RAISE EXCEPTION 'invalid IBAN "%" for client %', NEW.iban, NEW.client_id
            USING ERRCODE = 'check_violation', COLUMN = 'iban',
                  DETAIL = format('Check failed: must have %s characters for country %s.', want_len, left(NEW.iban, 2));
    END IF;
    IF client_registry.iban_mod97(NEW.iban) <> 1 THEN
        RAISE EXCEPTION 'invalid IBAN "%" for client %', NEW.iban, NEW.client_id
            USING ERRCODE = 'check_violation', COLUMN = 'iban', DETAIL = 'Check failed: checksum does not match.';
    END IF;

    NEW.bic := nullif(upper(translate(NEW.bic, E' -.\t', '')), '');
    IF NEW.bic !~ '^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$' THEN
        RAISE EXCEPTION 'invalid BIC "%" for client %', NEW.bic, NEW.client_id
            USING ERRCODE = 'check_violation', COLUMN = 'bic';
    END IF;
    NEW.currency := upper(btrim(NEW.currency));
    IF NEW.currency !~ '^[A-Z]{3}$' THEN
        RAISE EXCEPTION 'invalid currency "%" for client %', NEW.currency, NEW.client_id
            USING ERRCODE = 'check_violation', COLUMN = 'currency';
    END IF;
    NEW.bank_code := nullif(btrim(NEW.bank_code), '');
    IF NEW.bank_code IS NULL AND left(NEW.iban, 2) = 'LT' THEN
        NEW.bank_code := substr(NEW.iban, 5, 5);
    END IF;

    -- one primary per client
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
        IF OLD.client_id = NEW.client_id THEN
            IF OLD.is_primary = NEW.is_primary THEN
                RETURN NEW;
            ELSIF OLD.is_primary THEN
                RAISE EXCEPTION 'cannot unset the primary flag of bank account % of client %', NEW.id, NEW.client_id
                    USING ERRCODE = 'check_violation', HINT = 'Mark another bank account of the client as primary.';
            END IF;
        END IF;
    END IF;
    PERFORM 1 FROM client_registry.client WHERE id = NEW.client_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NEW;                 -- the foreign key reports it
    END IF;
    IF NEW.is_primary AND (TG_OP = 'INSERT' OR OLD.client_id = NEW.client_id) THEN
        UPDATE client_registry.client_bank_account SET is_primary = false
         WHERE client_id = NEW.client_id AND is_primary AND id <> NEW.id;
    ELSE
        NEW.is_primary := NOT EXISTS (SELECT 1 FROM client_registry.client_bank_account
                                       WHERE client_id = NEW.client_id AND is_primary AND id <> NEW.id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER client_bank_account_10_before_write BEFORE INSERT OR UPDATE ON client_bank_account
    FOR EACH ROW EXECUTE FUNCTION bank_account_before_write();
