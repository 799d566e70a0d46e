/* client_registry--0.1.0.sql -- assembled from sql/parts/ by the Makefile */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION client_registry" to load this file. \quit

CREATE FUNCTION current_tenant() RETURNS integer
    AS 'MODULE_PATHNAME', 'cr_current_tenant_id' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION current_tenant() IS
    'The tenant of this session: the setting client_registry.tenant (default 1).';

CREATE FUNCTION default_country() RETURNS text
    AS 'MODULE_PATHNAME', 'cr_default_country_code' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION default_country() IS
    'The country assumed for new clients and addresses: the setting client_registry.default_country (default LT).';

-- ---------------------------------------------------------------------------
-- Identifier validators (src/identifiers.c, src/identifiers_sql.c)
--
-- *_valid functions return a boolean and never raise: use them in CHECK
-- constraints.  normalize_* functions return the canonical form and raise
-- invalid_parameter_value (22023) with a reason and a hint on bad input.
-- vat_code_valid and normalize_vat_code are not STRICT, so that their
-- default NULL country works; a NULL value still gives NULL.
-- ---------------------------------------------------------------------------

CREATE FUNCTION iban_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_iban_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION iban_valid(text) IS
    'True if the value is a valid IBAN: known country, its length and account layout, mod-97 check digits (spaces, "-" and "." ignored).';

CREATE FUNCTION bic_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_bic_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bic_valid(text) IS
    'True if the value is a valid BIC (SWIFT code): 4-letter bank code, country, 2-character location, optional 3-character branch.';

CREATE FUNCTION lt_company_code_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_lt_company_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lt_company_code_valid(text) IS
    'True if the value is a valid Lithuanian company code (juridinio asmens kodas): 9 digits with an LT-mod11 check digit.';

CREATE FUNCTION lt_personal_code_valid(text, check_date boolean DEFAULT true) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_lt_personal_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lt_personal_code_valid(text, boolean) IS
    'True if the value is a valid Lithuanian personal code (asmens kodas); the birth date is checked unless check_date is false or the code starts with 9.';

CREATE FUNCTION lt_vat_code_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_lt_vat_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lt_vat_code_valid(text) IS
    'True if the value is a valid Lithuanian VAT code (PVM moketojo kodas), with or without the LT prefix: 9 or 12 digits, LT-mod11.';

CREATE FUNCTION lv_pvn_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_lv_pvn_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lv_pvn_valid(text) IS
    'True if the value is a valid Latvian VAT number (PVN), with or without the LV prefix: 11 digits, legal-entity or personal-code checksum.';

CREATE FUNCTION ee_kmkr_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_ee_kmkr_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ee_kmkr_valid(text) IS
    'True if the value is a valid Estonian VAT number (KMKR), with or without the EE prefix: 9 digits with a check digit.';

CREATE FUNCTION ee_registrikood_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_ee_registrikood_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ee_registrikood_valid(text) IS
    'True if the value is a valid Estonian register code (registrikood): 8 digits starting with 1, 7, 8 or 9, LT-mod11 check digit.';

CREATE FUNCTION ee_personal_code_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_ee_personal_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ee_personal_code_valid(text) IS
    'True if the value is a valid Estonian personal code (isikukood): 11 digits, real birth date, LT-mod11 check digit.';

CREATE FUNCTION pl_nip_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_pl_nip_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pl_nip_valid(text) IS
    'True if the value is a valid Polish NIP, with or without the PL prefix and separators: 10 digits with a check digit.';

CREATE FUNCTION eu_vat_code_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_eu_vat_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION eu_vat_code_valid(text) IS
    'True if the value is an EU VAT number with its prefix (EL for Greece, XI, EU): format checked, checksum for LT, LV, EE and PL.';

CREATE FUNCTION vat_code_valid(text, country text DEFAULT NULL) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_vat_code_valid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION vat_code_valid(text, text) IS
    'True if normalize_vat_code(value, country) would accept the value (ND included); NULL for a NULL value.';

CREATE FUNCTION company_code_valid(text, country text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_company_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION company_code_valid(text, text) IS
    'True if the value is a valid company code of the country (LT, LV, EE and PL checked; other countries: 1 to 20 letters, digits, "/" or "-").';

CREATE FUNCTION email_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_email_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION email_valid(text) IS
    'True if the value is a plausible e-mail address: one "@", a local part of at most 64 characters, a dotted domain with a letter TLD.';

CREATE FUNCTION country_code_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_country_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION country_code_valid(text) IS
    'True if the value is an officially assigned ISO 3166-1 alpha-2 country code (case and surrounding spaces ignored).';

CREATE FUNCTION normalize_iban(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_iban_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_iban(text) IS
    'The IBAN in compact upper-case form, e.g. LT121000011101001000; raises an error if it is not valid.';

CREATE FUNCTION format_iban(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_format_iban_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION format_iban(text) IS
    'The IBAN in printed form, groups of four, e.g. LT12 1000 0111 0100 1000; raises an error if it is not valid.';

CREATE FUNCTION iban_bank_code(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_iban_bank_code' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION iban_bank_code(text) IS
    'The national bank code inside the IBAN (LT: 5 digits, LV: 4 letters, EE: 2 digits, PL: 8 digits), NULL for other countries; raises an error if the IBAN is not valid.';

CREATE FUNCTION normalize_bic(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_bic_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_bic(text) IS
    'The BIC without spaces in upper case; raises an error if it is not valid.';

CREATE FUNCTION normalize_vat_code(text, country text DEFAULT NULL) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_vat_code_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION normalize_vat_code(text, text) IS
    'The VAT code compact, upper case, with its country prefix (taken from country for EU members when missing; ND kept); raises an error if it is not valid.';

CREATE FUNCTION normalize_company_code(text, country text) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_company_code_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_company_code(text, text) IS
    'The company code of the country without spaces in upper case; raises an error if it is not valid.';

CREATE FUNCTION normalize_personal_code(text, country text, check_date boolean DEFAULT true) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_personal_code_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_personal_code(text, text, boolean) IS
    'The personal code of the country without spaces in upper case (LT and EE fully checked); raises an error if it is not valid.';

CREATE FUNCTION normalize_email(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_email_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_email(text) IS
    'The e-mail address trimmed, with the domain in lower case; raises an error if it is not valid.';

CREATE FUNCTION normalize_country(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_country_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_country(text) IS
    'The ISO 3166-1 alpha-2 country code trimmed and in upper case; raises an error if it is not one.';

-------------------------------------------------------------------------------
-- Types
-------------------------------------------------------------------------------

CREATE TYPE client_kind AS ENUM ('buyer', 'supplier', 'buyer_supplier', 'own_company', 'contact');
COMMENT ON TYPE client_kind IS
    'R1.3 kind of a client: buyer, supplier, buyer_supplier, own_company (exactly one per tenant), contact (tax office, social fund and the like).';

CREATE TYPE legal_form AS ENUM ('legal_entity', 'natural_person');
COMMENT ON TYPE legal_form IS 'Legal entity (company code) or natural person (first and last name, personal code).';

CREATE TYPE manager_priority AS ENUM ('client_manager', 'default_manager');
COMMENT ON TYPE manager_priority IS
    'R1.6: which manager flows into documents: the client''s own manager or the document''s default manager.';

CREATE TYPE settlement_mode AS ENUM ('off', 'selected_documents', 'all_documents');
COMMENT ON TYPE settlement_mode IS 'R4.5 automatic settlement of debts and payments for the client.';

CREATE TYPE address_type AS ENUM ('general', 'invoice', 'delivery');
COMMENT ON TYPE address_type IS
    'R3.2 address type: invoice (the address i.SAF and invoices use), delivery (branches selectable in a sale) or general.';

CREATE TYPE custom_field_type AS ENUM ('text', 'integer', 'numeric', 'boolean', 'date');
COMMENT ON TYPE custom_field_type IS 'Data type of a user-defined client field (custom_field.data_type).';

-------------------------------------------------------------------------------
-- Tenants
-------------------------------------------------------------------------------

CREATE TABLE tenant (
    id              integer PRIMARY KEY,
    name            text,
    custom_fields   jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenant_id_positive CHECK (id > 0),
    CONSTRAINT tenant_custom_fields_object CHECK (jsonb_typeof(custom_fields) = 'object')
);
COMMENT ON TABLE tenant IS 'Tenants: one company''s registry each. A row is created automatically by the first client of a tenant; its own company is the client of kind own_company.';
COMMENT ON COLUMN tenant.id IS 'Tenant id: the value of client_registry.tenant (default 1).';
COMMENT ON COLUMN tenant.name IS 'Optional label for the tenant (the legal name lives on the own company''s card).';
COMMENT ON COLUMN tenant.custom_fields IS 'Definitions of the tenant''s user-defined client fields: {"field_name": {"type": "text|integer|numeric|boolean|date", "description": "..."}}. Maintain with define_custom_field() / drop_custom_field().';
COMMENT ON COLUMN tenant.created_at IS 'When the tenant was created.';

-------------------------------------------------------------------------------
-- The client card (R1)
-------------------------------------------------------------------------------

CREATE TABLE client (
    id                  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id           integer NOT NULL DEFAULT current_tenant(),
    kind                client_kind NOT NULL DEFAULT 'buyer',
    legal_form          legal_form NOT NULL DEFAULT 'legal_entity',
    name                text NOT NULL,
    short_name          text,
    first_name          text,
    last_name           text,
    company_code        text COLLATE "C",
    personal_code       text COLLATE "C",
    business_licence    text,
    vat_code            text COLLATE "C",
    default_vat_rate    numeric(5,2),
    phone               text,
    website             text,
    email               text,
    country             text COLLATE "C" NOT NULL DEFAULT default_country(),
    birth_date          date,
    notes               text,
    private_notes       text,
    is_active           boolean NOT NULL DEFAULT true,
    -- R1.4 CRM flags
    crm_partner             boolean NOT NULL DEFAULT false,
    crm_client              boolean NOT NULL DEFAULT false,
    crm_potential_client    boolean NOT NULL DEFAULT false,
    crm_group_member        boolean NOT NULL DEFAULT false,
    -- R1.6 accounting defaults
    accounting_category         text,
    sales_tax_category          text,
    purchase_tax_category       text,
    sales_payment_term_days     integer,
    purchase_payment_term_days  integer,
    price_category              text,
    sales_responsible           text,
    purchase_responsible        text,
    manager                     text,
    manager_priority            manager_priority NOT NULL DEFAULT 'client_manager',
    settlement_mode             settlement_mode NOT NULL DEFAULT 'off',
    intrastat_transaction_nature text,
    intrastat_delivery_terms    text COLLATE "C",
    intrastat_transport_mode    text,
    evrk_code                   text COLLATE "C",
    vat_in_debt                 boolean NOT NULL DEFAULT false,
    custom_fields               jsonb NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT client_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT client_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenant (id),
    CONSTRAINT client_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT client_country_valid CHECK (country_code_valid(country)),
    CONSTRAINT client_company_code_valid CHECK (company_code IS NULL OR company_code_valid(company_code, country)),
    CONSTRAINT client_vat_code_valid CHECK (vat_code IS NULL OR vat_code_valid(vat_code, country)),
    CONSTRAINT client_email_valid CHECK (email IS NULL OR email_valid(email)),
    CONSTRAINT client_default_vat_rate_range CHECK (default_vat_rate BETWEEN 0 AND 100),
    CONSTRAINT client_payment_terms_not_negative
        CHECK (sales_payment_term_days >= 0 AND purchase_payment_term_days >= 0),
    CONSTRAINT client_custom_fields_object CHECK (jsonb_typeof(custom_fields) = 'object'),
    CONSTRAINT client_intrastat_delivery_terms_format
        CHECK (intrastat_delivery_terms ~ '^[A-Z]{3}$')
);

-- R2.1: one legal entity per company code and country in a tenant.  The C
-- trigger reports a duplicate with the existing client's id and name; this
-- index is the race-free backstop.
CREATE UNIQUE INDEX client_company_code_key ON client (tenant_id, country, company_code)
    WHERE legal_form = 'legal_entity' AND company_code IS NOT NULL;
-- R1.5: at most one own company per tenant.
CREATE UNIQUE INDEX client_own_company_key ON client (tenant_id) WHERE kind = 'own_company';

COMMENT ON TABLE client IS 'The client card (R1): every buyer, supplier, the own company, banks, state institutions and contacts of a tenant.';
COMMENT ON COLUMN client.id IS 'Client id, unique in the database.';
COMMENT ON COLUMN client.tenant_id IS 'Tenant (company registry) the client belongs to; defaults to client_registry.tenant.';
COMMENT ON COLUMN client.kind IS 'R1.3 kind: buyer, supplier, buyer_supplier, own_company, contact.';
COMMENT ON COLUMN client.legal_form IS 'legal_entity or natural_person.';
COMMENT ON COLUMN client.name IS 'Name (required, never blank; trimmed). For a natural person without one: first and last name.';
COMMENT ON COLUMN client.short_name IS 'Short name for lists.';
COMMENT ON COLUMN client.first_name IS 'First name of a natural person.';
COMMENT ON COLUMN client.last_name IS 'Last name of a natural person.';
COMMENT ON COLUMN client.company_code IS 'Company (registration) code, normalised; checked by the rules of the client''s country; unique per tenant and country among legal entities.';
COMMENT ON COLUMN client.personal_code IS 'Personal code of a natural person (LT/EE check digit and date checked). Personal data: store only when needed.';
COMMENT ON COLUMN client.business_licence IS 'Individual activity certificate / business licence text, printed verbatim on invoices.';
COMMENT ON COLUMN client.vat_code IS 'VAT code with its country prefix (LT119511515), normalised and checked; ND = reported in i.SAF without a VAT code; NULL = left out of i.SAF.';
COMMENT ON COLUMN client.default_vat_rate IS 'Default VAT rate in percent.';
COMMENT ON COLUMN client.phone IS 'Phone number as entered (trimmed).';
COMMENT ON COLUMN client.website IS 'Website.';
COMMENT ON COLUMN client.email IS 'E-mail used to send invoices; domain lower-cased.';
COMMENT ON COLUMN client.country IS 'ISO 3166-1 alpha-2 country of registration (needed by i.SAF for foreign clients).';
COMMENT ON COLUMN client.birth_date IS 'Date of birth (non-resident natural persons, R1.6).';
COMMENT ON COLUMN client.notes IS 'Notes.';
COMMENT ON COLUMN client.private_notes IS 'Private notes, never printed.';
COMMENT ON COLUMN client.is_active IS 'Inactive clients drop out of default searches; deactivate instead of deleting.';
COMMENT ON COLUMN client.crm_partner IS 'R1.4 CRM flag: supplier / partner.';
COMMENT ON COLUMN client.crm_client IS 'R1.4 CRM flag: client (may be set together with potential client).';
COMMENT ON COLUMN client.crm_potential_client IS 'R1.4 CRM flag: potential client.';
COMMENT ON COLUMN client.crm_group_member IS 'R1.4 CRM flag: member of my group of companies.';
COMMENT ON COLUMN client.accounting_category IS 'R1.6 accounting category (ledger account mapping).';
COMMENT ON COLUMN client.sales_tax_category IS 'R1.3/R1.6 buyer tax (VAT) category; required before the client is used in a sale.';
COMMENT ON COLUMN client.purchase_tax_category IS 'R1.3/R1.6 supplier tax (VAT) category; required before the client is used in a purchase.';
COMMENT ON COLUMN client.sales_payment_term_days IS 'R4.3 buyer payment terms in days (suggested in documents).';
COMMENT ON COLUMN client.purchase_payment_term_days IS 'R4.3 supplier payment terms in days.';
COMMENT ON COLUMN client.price_category IS 'R1.6 price category (retail, wholesale, loyal...); NULL = retail price.';
COMMENT ON COLUMN client.sales_responsible IS 'R1.6 person responsible for sales.';
COMMENT ON COLUMN client.purchase_responsible IS 'R1.6 person responsible for purchases.';
COMMENT ON COLUMN client.manager IS 'R1.6 the client''s manager.';
COMMENT ON COLUMN client.manager_priority IS 'R1.6 whether the client''s manager or the default manager flows into documents.';
COMMENT ON COLUMN client.settlement_mode IS 'R4.5 automatic settlement: off, selected_documents, all_documents.';
COMMENT ON COLUMN client.intrastat_transaction_nature IS 'R1.6 Intrastat default: nature of transaction code.';
COMMENT ON COLUMN client.intrastat_delivery_terms IS 'R1.6 Intrastat default: delivery terms (Incoterms code such as EXW, FCA).';
COMMENT ON COLUMN client.intrastat_transport_mode IS 'R1.6 Intrastat default: mode of transport / delivery type.';
COMMENT ON COLUMN client.evrk_code IS 'R1.6 economic activity code (EVRK / NACE).';
COMMENT ON COLUMN client.vat_in_debt IS 'R1.6 default for "VAT included in debt".';
COMMENT ON COLUMN client.custom_fields IS 'User-defined fields: a JSON object whose keys are defined in tenant.custom_fields (see define_custom_field), with values of the declared type; JSON null = no value.';
COMMENT ON COLUMN client.created_at IS 'When the card was created.';
COMMENT ON COLUMN client.updated_at IS 'When the card was last changed by a user.';

-------------------------------------------------------------------------------
-- Addresses, bank accounts, contact persons (R3)
-------------------------------------------------------------------------------

CREATE TABLE client_address (
    id                  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id           integer NOT NULL DEFAULT current_tenant(),
    client_id           bigint NOT NULL,
    is_primary          boolean NOT NULL DEFAULT false,
    is_registration     boolean NOT NULL DEFAULT false,
    is_correspondence   boolean NOT NULL DEFAULT false,
    is_branch           boolean NOT NULL DEFAULT false,
    address_type        address_type NOT NULL DEFAULT 'general',
    label               text,
    street              text,
    city                text,
    postal_code         text,
    region              text,
    country             text COLLATE "C" NOT NULL DEFAULT default_country(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT client_address_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT client_address_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES client (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT client_address_country_valid CHECK (country_code_valid(country)),
    CONSTRAINT client_address_not_empty
        CHECK (coalesce(btrim(street), '') <> '' OR coalesce(btrim(city), '') <> ''
               OR coalesce(btrim(postal_code), '') <> '')
);
CREATE UNIQUE INDEX client_address_one_primary ON client_address (client_id) WHERE is_primary;
CREATE INDEX client_address_client_idx ON client_address (tenant_id, client_id);
COMMENT ON TABLE client_address IS 'Addresses of a client (R3.1, R3.2). Exactly one is primary while the client has any.';
COMMENT ON COLUMN client_address.id IS 'Address id.';
COMMENT ON COLUMN client_address.tenant_id IS 'Tenant (same as the client''s).';
COMMENT ON COLUMN client_address.client_id IS 'The client.';
COMMENT ON COLUMN client_address.is_primary IS 'The primary address (documents default to it). Exactly one per client; the first added becomes primary; marking another demotes the old one; deleting it promotes the oldest remaining.';
COMMENT ON COLUMN client_address.is_registration IS 'Registration (legal) address; may be combined with the other flags.';
COMMENT ON COLUMN client_address.is_correspondence IS 'Correspondence address.';
COMMENT ON COLUMN client_address.is_branch IS 'Branch / division / retail outlet (delivery address selectable in a sale).';
COMMENT ON COLUMN client_address.address_type IS 'general, invoice (the address i.SAF and invoices use) or delivery.';
COMMENT ON COLUMN client_address.label IS 'Name of the branch or a label.';
COMMENT ON COLUMN client_address.street IS 'Street, house, flat.';
COMMENT ON COLUMN client_address.city IS 'City.';
COMMENT ON COLUMN client_address.postal_code IS 'Postal code (LT-01234 style kept as entered, trimmed).';
COMMENT ON COLUMN client_address.region IS 'Region / municipality.';
COMMENT ON COLUMN client_address.country IS 'ISO 3166-1 alpha-2 country.';
COMMENT ON COLUMN client_address.created_at IS 'When the row was created.';
COMMENT ON COLUMN client_address.updated_at IS 'When a user last changed the row (moves of the primary flag by the registry do not count).';

CREATE TABLE client_bank_account (
    id                  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id           integer NOT NULL DEFAULT current_tenant(),
    client_id           bigint NOT NULL,
    iban                text COLLATE "C" NOT NULL,
    bic                 text COLLATE "C",
    bank_name           text,
    bank_code           text COLLATE "C",
    currency            text COLLATE "C" NOT NULL DEFAULT 'EUR',
    ledger_account      text,
    is_primary          boolean NOT NULL DEFAULT false,
    show_on_invoice     boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT client_bank_account_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT client_bank_account_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES client (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT client_bank_account_iban_key UNIQUE (client_id, iban, currency),
    CONSTRAINT client_bank_account_iban_valid CHECK (iban_valid(iban)),
    CONSTRAINT client_bank_account_bic_valid CHECK (bic IS NULL OR bic_valid(bic)),
    CONSTRAINT client_bank_account_currency_format CHECK (currency ~ '^[A-Z]{3}$')
);
CREATE UNIQUE INDEX client_bank_account_one_primary ON client_bank_account (client_id) WHERE is_primary;
CREATE INDEX client_bank_account_client_idx ON client_bank_account (tenant_id, client_id);
CREATE INDEX client_bank_account_iban_idx ON client_bank_account (tenant_id, iban);
COMMENT ON TABLE client_bank_account IS 'Bank accounts of a client (R3.3). Exactly one is primary while the client has any.';
COMMENT ON COLUMN client_bank_account.id IS 'Bank account id.';
COMMENT ON COLUMN client_bank_account.tenant_id IS 'Tenant (same as the client''s).';
COMMENT ON COLUMN client_bank_account.client_id IS 'The client.';
COMMENT ON COLUMN client_bank_account.iban IS 'IBAN, stored compact and upper-case (mod 97 and the country''s length checked).';
COMMENT ON COLUMN client_bank_account.bic IS 'BIC / SWIFT code, upper-case.';
COMMENT ON COLUMN client_bank_account.bank_name IS 'Bank name.';
COMMENT ON COLUMN client_bank_account.bank_code IS 'National bank code; derived from a Lithuanian IBAN when not given.';
COMMENT ON COLUMN client_bank_account.currency IS 'ISO 4217 currency of the account.';
COMMENT ON COLUMN client_bank_account.ledger_account IS 'Ledger account the bank account maps to (own company''s accounts).';
COMMENT ON COLUMN client_bank_account.is_primary IS 'The primary account (default in payments, printed on invoices). Exactly one per client; same rules as addresses.';
COMMENT ON COLUMN client_bank_account.show_on_invoice IS 'Print this account on invoices.';
COMMENT ON COLUMN client_bank_account.created_at IS 'When the row was created.';
COMMENT ON COLUMN client_bank_account.updated_at IS 'When a user last changed the row.';

CREATE TABLE client_contact (
    id                  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id           integer NOT NULL DEFAULT current_tenant(),
    client_id           bigint NOT NULL,
    first_name          text,
    last_name           text,
    position            text,
    email               text,
    phone               text,
    notes               text,
    is_primary          boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT client_contact_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT client_contact_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES client (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT client_contact_has_name
        CHECK (coalesce(btrim(first_name), '') <> '' OR coalesce(btrim(last_name), '') <> ''),
    CONSTRAINT client_contact_email_valid CHECK (email IS NULL OR email_valid(email))
);
CREATE UNIQUE INDEX client_contact_one_primary ON client_contact (client_id) WHERE is_primary;
CREATE INDEX client_contact_client_idx ON client_contact (tenant_id, client_id);
COMMENT ON TABLE client_contact IS 'Contact persons of a client (R3.5). Exactly one is primary while the client has any.';
COMMENT ON COLUMN client_contact.id IS 'Contact id.';
COMMENT ON COLUMN client_contact.tenant_id IS 'Tenant (same as the client''s).';
COMMENT ON COLUMN client_contact.client_id IS 'The client.';
COMMENT ON COLUMN client_contact.first_name IS 'First name.';
COMMENT ON COLUMN client_contact.last_name IS 'Last name.';
COMMENT ON COLUMN client_contact.position IS 'Position / role at the client.';
COMMENT ON COLUMN client_contact.email IS 'E-mail, domain lower-cased.';
COMMENT ON COLUMN client_contact.phone IS 'Phone.';
COMMENT ON COLUMN client_contact.notes IS 'Notes.';
COMMENT ON COLUMN client_contact.is_primary IS 'The primary contact. Exactly one per client; same rules as addresses.';
COMMENT ON COLUMN client_contact.created_at IS 'When the row was created.';
COMMENT ON COLUMN client_contact.updated_at IS 'When a user last changed the row.';

-------------------------------------------------------------------------------
-- Groups and labels (R1.7)
-------------------------------------------------------------------------------

CREATE TABLE client_group (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id   integer NOT NULL DEFAULT current_tenant(),
    name        text NOT NULL,
    description text,
    CONSTRAINT client_group_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT client_group_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenant (id),
    CONSTRAINT client_group_name_key UNIQUE (tenant_id, name),
    CONSTRAINT client_group_name_not_blank CHECK (btrim(name) <> '')
);
COMMENT ON TABLE client_group IS 'R1.7 client groups of a tenant (used to filter sales, purchases, debts).';
COMMENT ON COLUMN client_group.id IS 'Group id.';
COMMENT ON COLUMN client_group.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_group.name IS 'Group name, unique in the tenant.';
COMMENT ON COLUMN client_group.description IS 'Description.';

CREATE TABLE client_group_member (
    tenant_id   integer NOT NULL DEFAULT current_tenant(),
    client_id   bigint NOT NULL,
    group_id    bigint NOT NULL,
    PRIMARY KEY (tenant_id, client_id, group_id),
    CONSTRAINT client_group_member_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES client (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT client_group_member_group_fkey FOREIGN KEY (tenant_id, group_id)
        REFERENCES client_group (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX client_group_member_group_idx ON client_group_member (tenant_id, group_id);
COMMENT ON TABLE client_group_member IS 'Which groups a client belongs to (several per client).';
COMMENT ON COLUMN client_group_member.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_group_member.client_id IS 'The client.';
COMMENT ON COLUMN client_group_member.group_id IS 'The group.';

CREATE TABLE label (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id   integer NOT NULL DEFAULT current_tenant(),
    name        text NOT NULL,
    CONSTRAINT label_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT label_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenant (id),
    CONSTRAINT label_name_key UNIQUE (tenant_id, name),
    CONSTRAINT label_name_not_blank CHECK (btrim(name) <> '')
);
COMMENT ON TABLE label IS 'R1.7 labels / categories of a tenant (used to target promotions and filter lists).';
COMMENT ON COLUMN label.id IS 'Label id.';
COMMENT ON COLUMN label.tenant_id IS 'Tenant.';
COMMENT ON COLUMN label.name IS 'Label, unique in the tenant.';

CREATE TABLE client_label (
    tenant_id   integer NOT NULL DEFAULT current_tenant(),
    client_id   bigint NOT NULL,
    label_id    bigint NOT NULL,
    PRIMARY KEY (tenant_id, client_id, label_id),
    CONSTRAINT client_label_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES client (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT client_label_label_fkey FOREIGN KEY (tenant_id, label_id)
        REFERENCES label (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX client_label_label_idx ON client_label (tenant_id, label_id);
COMMENT ON TABLE client_label IS 'Which labels a client carries (several per client).';
COMMENT ON COLUMN client_label.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_label.client_id IS 'The client.';
COMMENT ON COLUMN client_label.label_id IS 'The label.';

-------------------------------------------------------------------------------
-- Rules enforced in C, whatever client writes (triggers)
-------------------------------------------------------------------------------

CREATE FUNCTION tenant_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_tenant_before_write' LANGUAGE C;
COMMENT ON FUNCTION tenant_before_write() IS 'Trigger: checks custom field definitions and refuses to drop or retype a field in use.';
CREATE TRIGGER tenant_10_before_write BEFORE INSERT OR UPDATE ON tenant
    FOR EACH ROW EXECUTE FUNCTION tenant_before_write();

CREATE FUNCTION ensure_tenant() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_ensure_tenant' LANGUAGE C;
COMMENT ON FUNCTION ensure_tenant() IS 'Trigger: creates the tenant row on the tenant''s first write.';

CREATE FUNCTION client_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_client_before_write' LANGUAGE C;
COMMENT ON FUNCTION client_before_write() IS
    'Trigger: normalises and validates the client card (name, country, company/personal/VAT codes, e-mail, custom fields), enforces unique company codes with a named duplicate, keeps tenant and own company fixed, stamps updated_at.';
CREATE TRIGGER client_10_before_write BEFORE INSERT OR UPDATE ON client
    FOR EACH ROW EXECUTE FUNCTION client_before_write();

CREATE FUNCTION client_before_delete() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_client_before_delete' LANGUAGE C;
COMMENT ON FUNCTION client_before_delete() IS
    'Trigger: refuses to delete a client that other rows reference (R2.3).';
CREATE TRIGGER client_20_before_delete BEFORE DELETE ON client
    FOR EACH ROW EXECUTE FUNCTION client_before_delete();

CREATE FUNCTION client_after_insert_statement() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_client_after_insert_statement' LANGUAGE C;
COMMENT ON FUNCTION client_after_insert_statement() IS
    'Trigger: a tenant''s clients start with its own company (R1.5); checked once per statement.';
CREATE TRIGGER client_30_own_company_first AFTER INSERT ON client
    REFERENCING NEW TABLE AS cr_new_clients
    FOR EACH STATEMENT EXECUTE FUNCTION client_after_insert_statement();

CREATE FUNCTION client_after_delete_statement() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_client_after_delete_statement' LANGUAGE C;
COMMENT ON FUNCTION client_after_delete_statement() IS
    'Trigger: the own company is deleted only together with or after the last other client of its tenant; checked once per statement with the tenant row locked.';
CREATE TRIGGER client_31_own_company_last AFTER DELETE ON client
    REFERENCING OLD TABLE AS cr_old_clients
    FOR EACH STATEMENT EXECUTE FUNCTION client_after_delete_statement();

CREATE TRIGGER client_group_10_ensure_tenant BEFORE INSERT ON client_group
    FOR EACH ROW EXECUTE FUNCTION ensure_tenant();
CREATE TRIGGER label_10_ensure_tenant BEFORE INSERT ON label
    FOR EACH ROW EXECUTE FUNCTION ensure_tenant();

CREATE FUNCTION child_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_child_before_write' LANGUAGE C;
COMMENT ON FUNCTION child_before_write() IS
    'Trigger: normalises and validates addresses (country), bank accounts (IBAN, BIC, currency, bank code) and contacts (e-mail); stamps updated_at.';

CREATE FUNCTION primary_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_primary_before_write' LANGUAGE C;
COMMENT ON FUNCTION primary_before_write() IS
    'Trigger: one primary per client: the first row becomes primary, a new primary demotes the old one (client row locked), the primary flag cannot be switched off directly.';

CREATE FUNCTION primary_after_remove() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_primary_after_remove' LANGUAGE C;
COMMENT ON FUNCTION primary_after_remove() IS
    'Trigger: when the primary row is deleted or moved to another client, the oldest remaining row becomes primary.';

CREATE TRIGGER client_address_10_normalize BEFORE INSERT OR UPDATE ON client_address
    FOR EACH ROW EXECUTE FUNCTION child_before_write('address');
CREATE TRIGGER client_address_20_primary BEFORE INSERT OR UPDATE OF is_primary, client_id ON client_address
    FOR EACH ROW EXECUTE FUNCTION primary_before_write('address');
CREATE TRIGGER client_address_30_successor_on_delete AFTER DELETE ON client_address
    FOR EACH ROW WHEN (OLD.is_primary) EXECUTE FUNCTION primary_after_remove();
CREATE TRIGGER client_address_31_successor_on_move AFTER UPDATE OF client_id ON client_address
    FOR EACH ROW WHEN (OLD.is_primary AND OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION primary_after_remove();

CREATE TRIGGER client_bank_account_10_normalize BEFORE INSERT OR UPDATE ON client_bank_account
    FOR EACH ROW EXECUTE FUNCTION child_before_write('bank_account');
CREATE TRIGGER client_bank_account_20_primary BEFORE INSERT OR UPDATE OF is_primary, client_id ON client_bank_account
    FOR EACH ROW EXECUTE FUNCTION primary_before_write('bank account');
CREATE TRIGGER client_bank_account_30_successor_on_delete AFTER DELETE ON client_bank_account
    FOR EACH ROW WHEN (OLD.is_primary) EXECUTE FUNCTION primary_after_remove();
CREATE TRIGGER client_bank_account_31_successor_on_move AFTER UPDATE OF client_id ON client_bank_account
    FOR EACH ROW WHEN (OLD.is_primary AND OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION primary_after_remove();

CREATE TRIGGER client_contact_10_normalize BEFORE INSERT OR UPDATE ON client_contact
    FOR EACH ROW EXECUTE FUNCTION child_before_write('contact');
CREATE TRIGGER client_contact_20_primary BEFORE INSERT OR UPDATE OF is_primary, client_id ON client_contact
    FOR EACH ROW EXECUTE FUNCTION primary_before_write('contact');
CREATE TRIGGER client_contact_30_successor_on_delete AFTER DELETE ON client_contact
    FOR EACH ROW WHEN (OLD.is_primary) EXECUTE FUNCTION primary_after_remove();
CREATE TRIGGER client_contact_31_successor_on_move AFTER UPDATE OF client_id ON client_contact
    FOR EACH ROW WHEN (OLD.is_primary AND OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION primary_after_remove();

-------------------------------------------------------------------------------
-- Functions for applications and later document tables
-------------------------------------------------------------------------------

CREATE FUNCTION assert_client_role(client_id bigint, role text) RETURNS void
    AS 'MODULE_PATHNAME', 'cr_assert_client_role' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION assert_client_role(bigint, text) IS
    'R1.3 for documents: raises 23514 unless the client of the current tenant may be used in a ''sale'' (buyer or buyer_supplier with a sales tax category) or a ''purchase'' (supplier or buyer_supplier with a purchase tax category); inactive clients are refused; 23503 for an unknown client.';

CREATE FUNCTION define_custom_field(name text, data_type custom_field_type, description text DEFAULT NULL)
RETURNS void LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO client_registry.tenant (id) VALUES (client_registry.current_tenant()) ON CONFLICT DO NOTHING;
    UPDATE client_registry.tenant
       SET custom_fields = custom_fields
           || jsonb_build_object(define_custom_field.name,
                                 jsonb_strip_nulls(jsonb_build_object('type', define_custom_field.data_type::text,
                                                                      'description', define_custom_field.description)))
     WHERE id = client_registry.current_tenant();
END;
COMMENT ON FUNCTION define_custom_field(text, custom_field_type, text) IS
    'Defines (or redefines the description/type of an unused) user-defined client field for the current tenant.';

CREATE FUNCTION drop_custom_field(name text) RETURNS void LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    UPDATE client_registry.tenant SET custom_fields = custom_fields - drop_custom_field.name
     WHERE id = client_registry.current_tenant();
END;
COMMENT ON FUNCTION drop_custom_field(text) IS
    'Drops a user-defined client field of the current tenant; refused (2BP01) while a client has a value for it.';

CREATE VIEW custom_field WITH (security_invoker = true) AS
SELECT t.id AS tenant_id, d.key AS name, (d.value ->> 'type')::client_registry.custom_field_type AS data_type,
       d.value ->> 'description' AS description
  FROM client_registry.tenant t, LATERAL jsonb_each(t.custom_fields) d;
COMMENT ON VIEW custom_field IS 'The user-defined client fields of each tenant (from tenant.custom_fields).';
COMMENT ON COLUMN custom_field.tenant_id IS 'Tenant.';
COMMENT ON COLUMN custom_field.name IS 'Key in client.custom_fields.';
COMMENT ON COLUMN custom_field.data_type IS 'text, integer, numeric, boolean or date.';
COMMENT ON COLUMN custom_field.description IS 'What the field is for.';

-------------------------------------------------------------------------------
-- Views for reporting tools (security_invoker: the reader's rights and
-- row-level security apply)
-------------------------------------------------------------------------------

CREATE VIEW client_card WITH (security_invoker = true) AS
SELECT c.id, c.tenant_id, c.kind, c.legal_form, c.name, c.short_name, c.first_name, c.last_name,
       c.company_code, c.business_licence, c.vat_code, c.default_vat_rate, c.phone, c.website,
       c.email, c.country, c.is_active,
       c.crm_partner, c.crm_client, c.crm_potential_client, c.crm_group_member,
       c.accounting_category, c.sales_tax_category, c.purchase_tax_category,
       c.sales_payment_term_days, c.purchase_payment_term_days, c.price_category,
       c.sales_responsible, c.purchase_responsible, c.manager, c.manager_priority, c.settlement_mode,
       c.intrastat_transaction_nature, c.intrastat_delivery_terms, c.intrastat_transport_mode,
       c.evrk_code, c.vat_in_debt, c.custom_fields,
       a.id AS primary_address_id, a.street AS address_street, a.city AS address_city,
       a.postal_code AS address_postal_code, a.country AS address_country,
       b.id AS primary_bank_account_id, b.iban, b.bic, b.bank_name,
       p.id AS primary_contact_id, concat_ws(' ', p.first_name, p.last_name) AS contact_name,
       p.email AS contact_email, p.phone AS contact_phone,
       ARRAY(SELECT g.name FROM client_registry.client_group_member m
               JOIN client_registry.client_group g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
              WHERE m.tenant_id = c.tenant_id AND m.client_id = c.id ORDER BY g.name) AS groups,
       ARRAY(SELECT l.name FROM client_registry.client_label cl
               JOIN client_registry.label l ON l.tenant_id = cl.tenant_id AND l.id = cl.label_id
              WHERE cl.tenant_id = c.tenant_id AND cl.client_id = c.id ORDER BY l.name) AS labels,
       c.created_at, c.updated_at
  FROM client_registry.client c
  LEFT JOIN client_registry.client_address a ON a.client_id = c.id AND a.is_primary
  LEFT JOIN client_registry.client_bank_account b ON b.client_id = c.id AND b.is_primary
  LEFT JOIN client_registry.client_contact p ON p.client_id = c.id AND p.is_primary;

COMMENT ON VIEW client_card IS 'One row per client: the card, its primary address, bank account and contact, its groups and labels. Personal codes and private notes are left out.';
COMMENT ON COLUMN client_card.id IS 'Client id.';
COMMENT ON COLUMN client_card.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_card.kind IS 'buyer, supplier, buyer_supplier, own_company or contact.';
COMMENT ON COLUMN client_card.legal_form IS 'legal_entity or natural_person.';
COMMENT ON COLUMN client_card.name IS 'Name.';
COMMENT ON COLUMN client_card.short_name IS 'Short name.';
COMMENT ON COLUMN client_card.first_name IS 'First name (natural person).';
COMMENT ON COLUMN client_card.last_name IS 'Last name (natural person).';
COMMENT ON COLUMN client_card.company_code IS 'Company code (normalised).';
COMMENT ON COLUMN client_card.business_licence IS 'Business licence / individual activity certificate text.';
COMMENT ON COLUMN client_card.vat_code IS 'VAT code with country prefix, ND, or NULL.';
COMMENT ON COLUMN client_card.default_vat_rate IS 'Default VAT rate, percent.';
COMMENT ON COLUMN client_card.phone IS 'Phone.';
COMMENT ON COLUMN client_card.website IS 'Website.';
COMMENT ON COLUMN client_card.email IS 'E-mail for invoices.';
COMMENT ON COLUMN client_card.country IS 'ISO country of registration.';
COMMENT ON COLUMN client_card.is_active IS 'Active flag.';
COMMENT ON COLUMN client_card.crm_partner IS 'CRM: supplier / partner.';
COMMENT ON COLUMN client_card.crm_client IS 'CRM: client.';
COMMENT ON COLUMN client_card.crm_potential_client IS 'CRM: potential client.';
COMMENT ON COLUMN client_card.crm_group_member IS 'CRM: member of my group of companies.';
COMMENT ON COLUMN client_card.accounting_category IS 'Accounting category.';
COMMENT ON COLUMN client_card.sales_tax_category IS 'Buyer tax category.';
COMMENT ON COLUMN client_card.purchase_tax_category IS 'Supplier tax category.';
COMMENT ON COLUMN client_card.sales_payment_term_days IS 'Buyer payment terms, days.';
COMMENT ON COLUMN client_card.purchase_payment_term_days IS 'Supplier payment terms, days.';
COMMENT ON COLUMN client_card.price_category IS 'Price category.';
COMMENT ON COLUMN client_card.sales_responsible IS 'Responsible for sales.';
COMMENT ON COLUMN client_card.purchase_responsible IS 'Responsible for purchases.';
COMMENT ON COLUMN client_card.manager IS 'Manager.';
COMMENT ON COLUMN client_card.manager_priority IS 'client_manager or default_manager.';
COMMENT ON COLUMN client_card.settlement_mode IS 'Automatic settlement mode.';
COMMENT ON COLUMN client_card.intrastat_transaction_nature IS 'Intrastat nature of transaction.';
COMMENT ON COLUMN client_card.intrastat_delivery_terms IS 'Intrastat delivery terms (Incoterms).';
COMMENT ON COLUMN client_card.intrastat_transport_mode IS 'Intrastat mode of transport.';
COMMENT ON COLUMN client_card.evrk_code IS 'Economic activity code (EVRK).';
COMMENT ON COLUMN client_card.vat_in_debt IS 'VAT included in debt by default.';
COMMENT ON COLUMN client_card.custom_fields IS 'User-defined fields (JSON object).';
COMMENT ON COLUMN client_card.primary_address_id IS 'Id of the primary address, NULL when the client has none.';
COMMENT ON COLUMN client_card.address_street IS 'Primary address: street.';
COMMENT ON COLUMN client_card.address_city IS 'Primary address: city.';
COMMENT ON COLUMN client_card.address_postal_code IS 'Primary address: postal code.';
COMMENT ON COLUMN client_card.address_country IS 'Primary address: country.';
COMMENT ON COLUMN client_card.primary_bank_account_id IS 'Id of the primary bank account.';
COMMENT ON COLUMN client_card.iban IS 'Primary bank account: IBAN (compact).';
COMMENT ON COLUMN client_card.bic IS 'Primary bank account: BIC.';
COMMENT ON COLUMN client_card.bank_name IS 'Primary bank account: bank name.';
COMMENT ON COLUMN client_card.primary_contact_id IS 'Id of the primary contact person.';
COMMENT ON COLUMN client_card.contact_name IS 'Primary contact: first and last name.';
COMMENT ON COLUMN client_card.contact_email IS 'Primary contact: e-mail.';
COMMENT ON COLUMN client_card.contact_phone IS 'Primary contact: phone.';
COMMENT ON COLUMN client_card.groups IS 'Names of the client''s groups, sorted.';
COMMENT ON COLUMN client_card.labels IS 'The client''s labels, sorted.';
COMMENT ON COLUMN client_card.created_at IS 'When the card was created.';
COMMENT ON COLUMN client_card.updated_at IS 'When the card was last changed.';

CREATE VIEW client_address_list WITH (security_invoker = true) AS
SELECT a.id, a.tenant_id, a.client_id, c.name AS client_name, c.company_code, a.is_primary,
       a.is_registration, a.is_correspondence, a.is_branch, a.address_type, a.label,
       a.street, a.city, a.postal_code, a.region, a.country,
       concat_ws(', ', a.street, a.city, NULLIF(concat_ws(' ', a.postal_code, a.region), ''), a.country) AS full_address
  FROM client_registry.client_address a
  JOIN client_registry.client c ON c.tenant_id = a.tenant_id AND c.id = a.client_id;
COMMENT ON VIEW client_address_list IS 'Every address with its client; is_primary marks the one documents default to.';
COMMENT ON COLUMN client_address_list.id IS 'Address id.';
COMMENT ON COLUMN client_address_list.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_address_list.client_id IS 'Client id.';
COMMENT ON COLUMN client_address_list.client_name IS 'Client name.';
COMMENT ON COLUMN client_address_list.company_code IS 'Client company code.';
COMMENT ON COLUMN client_address_list.is_primary IS 'Primary address of the client.';
COMMENT ON COLUMN client_address_list.is_registration IS 'Registration address.';
COMMENT ON COLUMN client_address_list.is_correspondence IS 'Correspondence address.';
COMMENT ON COLUMN client_address_list.is_branch IS 'Branch / division.';
COMMENT ON COLUMN client_address_list.address_type IS 'general, invoice or delivery.';
COMMENT ON COLUMN client_address_list.label IS 'Branch name or label.';
COMMENT ON COLUMN client_address_list.street IS 'Street.';
COMMENT ON COLUMN client_address_list.city IS 'City.';
COMMENT ON COLUMN client_address_list.postal_code IS 'Postal code.';
COMMENT ON COLUMN client_address_list.region IS 'Region.';
COMMENT ON COLUMN client_address_list.country IS 'Country.';
COMMENT ON COLUMN client_address_list.full_address IS 'The address on one line.';

CREATE VIEW client_bank_account_list WITH (security_invoker = true) AS
SELECT b.id, b.tenant_id, b.client_id, c.name AS client_name, c.company_code, b.is_primary,
       b.show_on_invoice, b.iban, client_registry.format_iban(b.iban) AS iban_formatted,
       b.bic, b.bank_name, b.bank_code, b.currency, b.ledger_account
  FROM client_registry.client_bank_account b
  JOIN client_registry.client c ON c.tenant_id = b.tenant_id AND c.id = b.client_id;
COMMENT ON VIEW client_bank_account_list IS 'Every bank account with its client.';
COMMENT ON COLUMN client_bank_account_list.id IS 'Bank account id.';
COMMENT ON COLUMN client_bank_account_list.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_bank_account_list.client_id IS 'Client id.';
COMMENT ON COLUMN client_bank_account_list.client_name IS 'Client name.';
COMMENT ON COLUMN client_bank_account_list.company_code IS 'Client company code.';
COMMENT ON COLUMN client_bank_account_list.is_primary IS 'Primary account of the client.';
COMMENT ON COLUMN client_bank_account_list.show_on_invoice IS 'Printed on invoices.';
COMMENT ON COLUMN client_bank_account_list.iban IS 'IBAN, compact.';
COMMENT ON COLUMN client_bank_account_list.iban_formatted IS 'IBAN in groups of four.';
COMMENT ON COLUMN client_bank_account_list.bic IS 'BIC.';
COMMENT ON COLUMN client_bank_account_list.bank_name IS 'Bank name.';
COMMENT ON COLUMN client_bank_account_list.bank_code IS 'National bank code.';
COMMENT ON COLUMN client_bank_account_list.currency IS 'Currency.';
COMMENT ON COLUMN client_bank_account_list.ledger_account IS 'Ledger account.';

CREATE VIEW client_contact_list WITH (security_invoker = true) AS
SELECT p.id, p.tenant_id, p.client_id, c.name AS client_name, p.is_primary,
       concat_ws(' ', p.first_name, p.last_name) AS full_name, p.first_name, p.last_name,
       p.position, p.email, p.phone
  FROM client_registry.client_contact p
  JOIN client_registry.client c ON c.tenant_id = p.tenant_id AND c.id = p.client_id;
COMMENT ON VIEW client_contact_list IS 'Every contact person with its client.';
COMMENT ON COLUMN client_contact_list.id IS 'Contact id.';
COMMENT ON COLUMN client_contact_list.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_contact_list.client_id IS 'Client id.';
COMMENT ON COLUMN client_contact_list.client_name IS 'Client name.';
COMMENT ON COLUMN client_contact_list.is_primary IS 'Primary contact of the client.';
COMMENT ON COLUMN client_contact_list.full_name IS 'First and last name.';
COMMENT ON COLUMN client_contact_list.first_name IS 'First name.';
COMMENT ON COLUMN client_contact_list.last_name IS 'Last name.';
COMMENT ON COLUMN client_contact_list.position IS 'Position.';
COMMENT ON COLUMN client_contact_list.email IS 'E-mail.';
COMMENT ON COLUMN client_contact_list.phone IS 'Phone.';

-------------------------------------------------------------------------------
-- Tenant isolation (row-level security for every role but the owner)
-------------------------------------------------------------------------------

ALTER TABLE tenant ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant
    USING (id OPERATOR(pg_catalog.=) client_registry.current_tenant())
    WITH CHECK (id OPERATOR(pg_catalog.=) client_registry.current_tenant());

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['client', 'client_address', 'client_bank_account', 'client_contact',
                             'client_group', 'client_group_member', 'label', 'client_label']
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE client_registry.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format(
            'CREATE POLICY tenant_isolation ON client_registry.%I'
            ' USING (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())'
            ' WITH CHECK (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())', t);
    END LOOP;
END
$do$;

-------------------------------------------------------------------------------
-- Nothing lost: every table and sequence with user data is dumped
-------------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('tenant', '');
SELECT pg_catalog.pg_extension_config_dump('client', '');
SELECT pg_catalog.pg_extension_config_dump('client_address', '');
SELECT pg_catalog.pg_extension_config_dump('client_bank_account', '');
SELECT pg_catalog.pg_extension_config_dump('client_contact', '');
SELECT pg_catalog.pg_extension_config_dump('client_group', '');
SELECT pg_catalog.pg_extension_config_dump('client_group_member', '');
SELECT pg_catalog.pg_extension_config_dump('label', '');
SELECT pg_catalog.pg_extension_config_dump('client_label', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.client', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.client_address', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.client_bank_account', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.client_contact', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.client_group', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.label', 'id'), '');

-------------------------------------------------------------------------------
-- Privileges.  No role is created here; the README has the GRANT recipe.
-- Trigger functions are not meant to be called directly.
-------------------------------------------------------------------------------

REVOKE ALL ON FUNCTION tenant_before_write(), ensure_tenant(), client_before_write(), client_before_delete(),
    client_after_insert_statement(), client_after_delete_statement(), child_before_write(), primary_before_write(), primary_after_remove()
    FROM PUBLIC;

-------------------------------------------------------------------------------
-- 0.2.0: documents, payments, settlements, running balances, credit control
-- (R4).  This part is also the body of the 0.1.0 -> 0.2.0 upgrade script.
-------------------------------------------------------------------------------

CREATE TYPE credit_control_mode AS ENUM ('none', 'warn', 'strict');
COMMENT ON TYPE credit_control_mode IS
    'R4.1 credit control of a buyer: none; warn (the sale is saved with a WARNING); strict (the sale is refused).';
CREATE TYPE document_direction AS ENUM ('sale', 'purchase');
COMMENT ON TYPE document_direction IS 'A sales invoice (issued) or a purchase invoice (received).';
CREATE TYPE document_status AS ENUM ('draft', 'posted', 'cancelled');
COMMENT ON TYPE document_status IS 'draft (editable, no effect on debts), posted (counts in debts), cancelled (final).';
CREATE TYPE isaf_invoice_type AS ENUM ('SF', 'DS', 'KS', 'VS', 'VD', 'VK', 'AN');
COMMENT ON TYPE isaf_invoice_type IS
    'i.SAF invoice type: SF invoice, DS debit note, KS credit note, VS/VD/VK simplified, AN cancelled.';
CREATE TYPE payment_direction AS ENUM ('in', 'out');
COMMENT ON TYPE payment_direction IS 'in: money received (reduces what the client owes us); out: money paid (reduces what we owe the client).';

ALTER TABLE client
    ADD COLUMN credit_control credit_control_mode NOT NULL DEFAULT 'none',
    ADD COLUMN credit_limit numeric(15,2),
    ADD CONSTRAINT client_credit_limit_not_negative CHECK (credit_limit >= 0),
    ADD CONSTRAINT client_credit_limit_given
        CHECK (credit_control = 'none' OR credit_limit IS NOT NULL);
COMMENT ON COLUMN client.credit_control IS 'R4.1 credit control: none, warn or strict.';
COMMENT ON COLUMN client.credit_limit IS 'R4.1 credit limit in the base currency (required when credit_control is not none).';

-- Running balances: one row per client, maintained by the C triggers in the
-- same transaction as the document or payment that changes it.
CREATE TABLE client_balance (
    tenant_id   integer NOT NULL,
    client_id   bigint PRIMARY KEY,
    receivable  numeric(15,2) NOT NULL DEFAULT 0,
    payable     numeric(15,2) NOT NULL DEFAULT 0,
    CONSTRAINT client_balance_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES client (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE client_balance IS
    'Running balances per client, kept exact by triggers: receivable = posted sales - payments received; payable = posted purchases - payments made (base currency). Derived data: rebuilt on restore; check with balance_discrepancies().';
COMMENT ON COLUMN client_balance.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_balance.client_id IS 'The client.';
COMMENT ON COLUMN client_balance.receivable IS 'What the client owes us: posted sales invoices (gross, base currency) minus payments received.';
COMMENT ON COLUMN client_balance.payable IS 'What we owe the client: posted purchase invoices minus payments made.';

CREATE TABLE invoice (
    id                      bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id               integer NOT NULL DEFAULT current_tenant(),
    client_id               bigint NOT NULL,
    direction               document_direction NOT NULL,
    number                  text NOT NULL,
    isaf_type               isaf_invoice_type NOT NULL DEFAULT 'SF',
    status                  document_status NOT NULL DEFAULT 'draft',
    invoice_date            date NOT NULL,
    vat_point_date          date,
    registration_date       date,
    due_date                date,
    currency                text COLLATE "C" NOT NULL DEFAULT 'EUR',
    currency_rate           numeric(18,6) NOT NULL DEFAULT 1,
    total_net               numeric(15,2) NOT NULL DEFAULT 0,
    total_vat               numeric(15,2) NOT NULL DEFAULT 0,
    total_gross             numeric(15,2) NOT NULL DEFAULT 0,
    total_base              numeric(15,2) NOT NULL DEFAULT 0,
    special_taxation        boolean NOT NULL DEFAULT false,
    corrected_invoice_id    bigint,
    manager                 text,
    counterparty_name           text,
    counterparty_company_code   text COLLATE "C",
    counterparty_vat_code       text COLLATE "C",
    counterparty_country        text COLLATE "C",
    posted_at               timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT invoice_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT invoice_client_fkey FOREIGN KEY (tenant_id, client_id) REFERENCES client (tenant_id, id),
    CONSTRAINT invoice_corrected_fkey FOREIGN KEY (tenant_id, corrected_invoice_id) REFERENCES invoice (tenant_id, id),
    CONSTRAINT invoice_number_not_blank CHECK (btrim(number) <> ''),
    CONSTRAINT invoice_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT invoice_rate_positive CHECK (currency_rate > 0)
);
CREATE UNIQUE INDEX invoice_sales_number_key ON invoice (tenant_id, number) WHERE direction = 'sale';
CREATE UNIQUE INDEX invoice_purchase_number_key ON invoice (tenant_id, client_id, number) WHERE direction = 'purchase';
CREATE INDEX invoice_client_idx ON invoice (tenant_id, client_id, invoice_date);
COMMENT ON TABLE invoice IS
    'Sales and purchase invoices (R4). Totals follow the VAT lines; posted invoices count in the client''s balance; the counterparty as of the invoice is kept on it.';
COMMENT ON COLUMN invoice.id IS 'Invoice id.';
COMMENT ON COLUMN invoice.tenant_id IS 'Tenant.';
COMMENT ON COLUMN invoice.client_id IS 'Buyer (sale) or supplier (purchase); kind checked (R1.3).';
COMMENT ON COLUMN invoice.direction IS 'sale or purchase.';
COMMENT ON COLUMN invoice.number IS 'Invoice number: unique per tenant for sales, per supplier for purchases.';
COMMENT ON COLUMN invoice.isaf_type IS 'i.SAF invoice type (SF, DS, KS, VS, VD, VK, AN).';
COMMENT ON COLUMN invoice.status IS 'draft, posted or cancelled; only drafts can be deleted.';
COMMENT ON COLUMN invoice.invoice_date IS 'Invoice date.';
COMMENT ON COLUMN invoice.vat_point_date IS 'VAT point date when it differs from the invoice date.';
COMMENT ON COLUMN invoice.registration_date IS 'Accounting registration date (purchases; defaults to the invoice date).';
COMMENT ON COLUMN invoice.due_date IS 'Due date; defaults to invoice date + the client''s payment terms (R4.3).';
COMMENT ON COLUMN invoice.currency IS 'ISO 4217 currency.';
COMMENT ON COLUMN invoice.currency_rate IS 'Base-currency units per one unit of the invoice currency.';
COMMENT ON COLUMN invoice.total_net IS 'Sum of the VAT lines'' taxable values (maintained, not writable).';
COMMENT ON COLUMN invoice.total_vat IS 'Sum of the VAT lines'' VAT amounts (maintained).';
COMMENT ON COLUMN invoice.total_gross IS 'total_net + total_vat (maintained).';
COMMENT ON COLUMN invoice.total_base IS 'total_gross in the base currency, rounded to cents (maintained).';
COMMENT ON COLUMN invoice.special_taxation IS 'i.SAF special taxation (e.g. invoices from farmers).';
COMMENT ON COLUMN invoice.corrected_invoice_id IS 'The invoice a credit or debit note corrects.';
COMMENT ON COLUMN invoice.manager IS 'Manager; filled from the client by its manager priority rule.';
COMMENT ON COLUMN invoice.counterparty_name IS 'Client name as of the invoice (kept when the client is renamed or merged).';
COMMENT ON COLUMN invoice.counterparty_company_code IS 'Client company code as of the invoice.';
COMMENT ON COLUMN invoice.counterparty_vat_code IS 'Client VAT code as of the invoice (ND / NULL as on the card).';
COMMENT ON COLUMN invoice.counterparty_country IS 'Client country as of the invoice.';
COMMENT ON COLUMN invoice.posted_at IS 'When the invoice was posted.';
COMMENT ON COLUMN invoice.created_at IS 'When the invoice was created.';
COMMENT ON COLUMN invoice.updated_at IS 'When a user last changed the invoice.';

CREATE TABLE invoice_vat_line (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id       integer NOT NULL DEFAULT current_tenant(),
    invoice_id      bigint NOT NULL,
    taxable_value   numeric(15,2) NOT NULL,
    tax_code        text COLLATE "C",
    vat_rate        numeric(5,2) NOT NULL DEFAULT 21,
    vat_amount      numeric(15,2) NOT NULL,
    CONSTRAINT invoice_vat_line_invoice_fkey FOREIGN KEY (tenant_id, invoice_id)
        REFERENCES invoice (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT invoice_vat_line_rate_range CHECK (vat_rate BETWEEN 0 AND 100)
);
CREATE INDEX invoice_vat_line_invoice_idx ON invoice_vat_line (tenant_id, invoice_id);
COMMENT ON TABLE invoice_vat_line IS 'VAT lines of an invoice; the invoice totals are their sums.';
COMMENT ON COLUMN invoice_vat_line.id IS 'Line id.';
COMMENT ON COLUMN invoice_vat_line.tenant_id IS 'Tenant.';
COMMENT ON COLUMN invoice_vat_line.invoice_id IS 'The invoice.';
COMMENT ON COLUMN invoice_vat_line.taxable_value IS 'Taxable value (negative on credit notes).';
COMMENT ON COLUMN invoice_vat_line.tax_code IS 'Tax code (PVM1, PVM2, ...).';
COMMENT ON COLUMN invoice_vat_line.vat_rate IS 'VAT rate, percent (0 written as 0 in i.SAF).';
COMMENT ON COLUMN invoice_vat_line.vat_amount IS 'VAT amount.';

CREATE TABLE payment (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id       integer NOT NULL DEFAULT current_tenant(),
    client_id       bigint NOT NULL,
    direction       payment_direction NOT NULL,
    payment_date    date NOT NULL,
    amount          numeric(15,2) NOT NULL,
    currency        text COLLATE "C" NOT NULL DEFAULT 'EUR',
    currency_rate   numeric(18,6) NOT NULL DEFAULT 1,
    amount_base     numeric(15,2) NOT NULL DEFAULT 0,
    reference       text,
    description     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payment_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT payment_client_fkey FOREIGN KEY (tenant_id, client_id) REFERENCES client (tenant_id, id),
    CONSTRAINT payment_amount_positive CHECK (amount > 0),
    CONSTRAINT payment_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payment_rate_positive CHECK (currency_rate > 0)
);
CREATE UNIQUE INDEX payment_reference_key ON payment (tenant_id, reference) WHERE reference IS NOT NULL;
CREATE INDEX payment_client_idx ON payment (tenant_id, client_id, payment_date);
COMMENT ON TABLE payment IS 'Payments received from and made to clients; they change the client''s balance.';
COMMENT ON COLUMN payment.id IS 'Payment id.';
COMMENT ON COLUMN payment.tenant_id IS 'Tenant.';
COMMENT ON COLUMN payment.client_id IS 'The client who paid or was paid.';
COMMENT ON COLUMN payment.direction IS 'in (received) or out (paid).';
COMMENT ON COLUMN payment.payment_date IS 'Payment date.';
COMMENT ON COLUMN payment.amount IS 'Amount in the payment currency, positive.';
COMMENT ON COLUMN payment.currency IS 'ISO 4217 currency.';
COMMENT ON COLUMN payment.currency_rate IS 'Base-currency units per one unit of the payment currency.';
COMMENT ON COLUMN payment.amount_base IS 'Amount in the base currency, rounded to cents (maintained).';
COMMENT ON COLUMN payment.reference IS 'Bank reference, unique per tenant (a statement imported twice creates nothing new).';
COMMENT ON COLUMN payment.description IS 'Remittance information.';
COMMENT ON COLUMN payment.created_at IS 'When the payment was recorded.';

CREATE TABLE settlement (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id       integer NOT NULL DEFAULT current_tenant(),
    payment_id      bigint NOT NULL,
    invoice_id      bigint NOT NULL,
    amount          numeric(15,2) NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT settlement_payment_fkey FOREIGN KEY (tenant_id, payment_id)
        REFERENCES payment (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT settlement_invoice_fkey FOREIGN KEY (tenant_id, invoice_id)
        REFERENCES invoice (tenant_id, id),
    CONSTRAINT settlement_amount_positive CHECK (amount > 0)
);
CREATE INDEX settlement_payment_idx ON settlement (tenant_id, payment_id);
CREATE INDEX settlement_invoice_idx ON settlement (tenant_id, invoice_id);
COMMENT ON TABLE settlement IS
    'Which payment settles which invoice, and by how much (partial settlements allowed); never more than the invoice''s open amount or the payment''s unused amount.';
COMMENT ON COLUMN settlement.id IS 'Settlement id.';
COMMENT ON COLUMN settlement.tenant_id IS 'Tenant.';
COMMENT ON COLUMN settlement.payment_id IS 'The payment.';
COMMENT ON COLUMN settlement.invoice_id IS 'The invoice it settles (same client, same currency, posted).';
COMMENT ON COLUMN settlement.amount IS 'Amount settled, in the invoice and payment currency.';
COMMENT ON COLUMN settlement.created_at IS 'When it was recorded.';

-------------------------------------------------------------------------------
-- Rules of documents and payments (C triggers)
-------------------------------------------------------------------------------

CREATE FUNCTION invoice_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_invoice_before_write' LANGUAGE C;
COMMENT ON FUNCTION invoice_before_write() IS
    'Trigger: kind rules (R1.3), counterparty snapshot, suggested due date (R4.3) and manager, status transitions, totals that only the VAT lines change, immutable posted invoices.';
CREATE TRIGGER invoice_10_before_write BEFORE INSERT OR UPDATE ON invoice
    FOR EACH ROW EXECUTE FUNCTION invoice_before_write();

CREATE FUNCTION invoice_before_delete() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_invoice_before_delete' LANGUAGE C;
COMMENT ON FUNCTION invoice_before_delete() IS 'Trigger: only draft invoices can be deleted.';
CREATE TRIGGER invoice_20_before_delete BEFORE DELETE ON invoice
    FOR EACH ROW EXECUTE FUNCTION invoice_before_delete();

CREATE FUNCTION balance_after_statement() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_balance_after_statement' LANGUAGE C;
COMMENT ON FUNCTION balance_after_statement() IS
    'Trigger (per statement, on invoice and payment): one balance change per client for all the rows the statement changed, applied in client order; credit control (R4.1) when sales raise a buyer''s debt.';
CREATE TRIGGER invoice_30_balance_insert AFTER INSERT ON invoice
    REFERENCING NEW TABLE AS cr_new FOR EACH STATEMENT EXECUTE FUNCTION balance_after_statement('invoice');
CREATE TRIGGER invoice_31_balance_update AFTER UPDATE ON invoice
    REFERENCING OLD TABLE AS cr_old NEW TABLE AS cr_new FOR EACH STATEMENT EXECUTE FUNCTION balance_after_statement('invoice');
CREATE TRIGGER invoice_32_balance_delete AFTER DELETE ON invoice
    REFERENCING OLD TABLE AS cr_old FOR EACH STATEMENT EXECUTE FUNCTION balance_after_statement('invoice');

CREATE FUNCTION invoice_vat_line_after_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_invoice_vat_line_after_write' LANGUAGE C;
COMMENT ON FUNCTION invoice_vat_line_after_write() IS
    'Trigger: the invoice totals follow its VAT lines; lines of cancelled invoices cannot change.';
CREATE TRIGGER invoice_vat_line_10_totals AFTER INSERT OR UPDATE OR DELETE ON invoice_vat_line
    FOR EACH ROW EXECUTE FUNCTION invoice_vat_line_after_write();

CREATE FUNCTION payment_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_payment_before_write' LANGUAGE C;
COMMENT ON FUNCTION payment_before_write() IS
    'Trigger: base-currency amount; an amount never below what is already settled.';
CREATE TRIGGER payment_10_before_write BEFORE INSERT OR UPDATE ON payment
    FOR EACH ROW EXECUTE FUNCTION payment_before_write();

CREATE TRIGGER payment_30_balance_insert AFTER INSERT ON payment
    REFERENCING NEW TABLE AS cr_new FOR EACH STATEMENT EXECUTE FUNCTION balance_after_statement('payment');
CREATE TRIGGER payment_31_balance_update AFTER UPDATE ON payment
    REFERENCING OLD TABLE AS cr_old NEW TABLE AS cr_new FOR EACH STATEMENT EXECUTE FUNCTION balance_after_statement('payment');
CREATE TRIGGER payment_32_balance_delete AFTER DELETE ON payment
    REFERENCING OLD TABLE AS cr_old FOR EACH STATEMENT EXECUTE FUNCTION balance_after_statement('payment');

CREATE FUNCTION settlement_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_settlement_before_write' LANGUAGE C;
COMMENT ON FUNCTION settlement_before_write() IS
    'Trigger: a payment settles posted invoices of the same client, direction and currency, never more than the invoice''s open amount or the payment''s unused amount (invoice and payment rows locked).';
CREATE TRIGGER settlement_10_before_write BEFORE INSERT OR UPDATE ON settlement
    FOR EACH ROW EXECUTE FUNCTION settlement_before_write();

-------------------------------------------------------------------------------
-- Views
-------------------------------------------------------------------------------

CREATE VIEW invoice_list WITH (security_invoker = true) AS
SELECT i.id, i.tenant_id, i.client_id, c.name AS client_name, i.direction, i.number, i.isaf_type,
       i.status, i.invoice_date, i.due_date, i.currency, i.total_net, i.total_vat, i.total_gross,
       i.total_base,
       i.total_gross - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                  WHERE s.tenant_id = i.tenant_id AND s.invoice_id = i.id), 0) AS open_amount,
       i.counterparty_name, i.counterparty_vat_code
  FROM client_registry.invoice i
  JOIN client_registry.client c ON c.tenant_id = i.tenant_id AND c.id = i.client_id;
COMMENT ON VIEW invoice_list IS 'R4.6: every invoice with its client and the amount still open (gross minus settlements).';
COMMENT ON COLUMN invoice_list.id IS 'Invoice id.';
COMMENT ON COLUMN invoice_list.tenant_id IS 'Tenant.';
COMMENT ON COLUMN invoice_list.client_id IS 'Client id.';
COMMENT ON COLUMN invoice_list.client_name IS 'Client name today.';
COMMENT ON COLUMN invoice_list.direction IS 'sale or purchase.';
COMMENT ON COLUMN invoice_list.number IS 'Invoice number.';
COMMENT ON COLUMN invoice_list.isaf_type IS 'i.SAF invoice type.';
COMMENT ON COLUMN invoice_list.status IS 'draft, posted or cancelled.';
COMMENT ON COLUMN invoice_list.invoice_date IS 'Invoice date.';
COMMENT ON COLUMN invoice_list.due_date IS 'Due date.';
COMMENT ON COLUMN invoice_list.currency IS 'Currency.';
COMMENT ON COLUMN invoice_list.total_net IS 'Net total.';
COMMENT ON COLUMN invoice_list.total_vat IS 'VAT total.';
COMMENT ON COLUMN invoice_list.total_gross IS 'Gross total.';
COMMENT ON COLUMN invoice_list.total_base IS 'Gross total in the base currency.';
COMMENT ON COLUMN invoice_list.open_amount IS 'Gross total minus settlements (invoice currency).';
COMMENT ON COLUMN invoice_list.counterparty_name IS 'Client name as of the invoice.';
COMMENT ON COLUMN invoice_list.counterparty_vat_code IS 'Client VAT code as of the invoice.';

CREATE VIEW client_debt WITH (security_invoker = true) AS
SELECT c.id AS client_id, c.tenant_id, c.name, c.credit_control, c.credit_limit,
       COALESCE(b.receivable, 0.00) AS receivable, COALESCE(b.payable, 0.00) AS payable,
       CASE WHEN c.credit_control <> 'none' THEN c.credit_limit - COALESCE(b.receivable, 0) END AS credit_available
  FROM client_registry.client c
  LEFT JOIN client_registry.client_balance b ON b.client_id = c.id;
COMMENT ON VIEW client_debt IS 'Per client: running receivable and payable balances (base currency) and the credit still available.';
COMMENT ON COLUMN client_debt.client_id IS 'Client id.';
COMMENT ON COLUMN client_debt.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_debt.name IS 'Client name.';
COMMENT ON COLUMN client_debt.credit_control IS 'none, warn or strict.';
COMMENT ON COLUMN client_debt.credit_limit IS 'Credit limit.';
COMMENT ON COLUMN client_debt.receivable IS 'What the client owes us.';
COMMENT ON COLUMN client_debt.payable IS 'What we owe the client.';
COMMENT ON COLUMN client_debt.credit_available IS 'Credit limit minus receivable (NULL without credit control).';

-------------------------------------------------------------------------------
-- Checking and rebuilding the running balances
-------------------------------------------------------------------------------

CREATE VIEW client_balance_expected WITH (security_invoker = true) AS
SELECT c.tenant_id, c.id AS client_id,
       COALESCE((SELECT sum(i.total_base) FROM client_registry.invoice i
                  WHERE i.tenant_id = c.tenant_id AND i.client_id = c.id
                    AND i.status = 'posted' AND i.direction = 'sale'), 0)
     - COALESCE((SELECT sum(p.amount_base) FROM client_registry.payment p
                  WHERE p.tenant_id = c.tenant_id AND p.client_id = c.id AND p.direction = 'in'), 0) AS receivable,
       COALESCE((SELECT sum(i.total_base) FROM client_registry.invoice i
                  WHERE i.tenant_id = c.tenant_id AND i.client_id = c.id
                    AND i.status = 'posted' AND i.direction = 'purchase'), 0)
     - COALESCE((SELECT sum(p.amount_base) FROM client_registry.payment p
                  WHERE p.tenant_id = c.tenant_id AND p.client_id = c.id AND p.direction = 'out'), 0) AS payable
  FROM client_registry.client c;
COMMENT ON VIEW client_balance_expected IS
    'The balances recomputed from all posted invoices and payments (a full scan: for checks, not for credit control).';
COMMENT ON COLUMN client_balance_expected.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_balance_expected.client_id IS 'Client id.';
COMMENT ON COLUMN client_balance_expected.receivable IS 'Posted sales minus payments received.';
COMMENT ON COLUMN client_balance_expected.payable IS 'Posted purchases minus payments made.';

CREATE FUNCTION balance_discrepancies()
RETURNS TABLE (client_id bigint, receivable numeric, receivable_expected numeric,
               payable numeric, payable_expected numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT e.client_id, COALESCE(b.receivable, 0), e.receivable, COALESCE(b.payable, 0), e.payable
      FROM client_registry.client_balance_expected e
      LEFT JOIN client_registry.client_balance b ON b.client_id = e.client_id
     WHERE e.tenant_id = client_registry.current_tenant()
       AND (COALESCE(b.receivable, 0) <> e.receivable OR COALESCE(b.payable, 0) <> e.payable)
     ORDER BY e.client_id;
END;
COMMENT ON FUNCTION balance_discrepancies() IS
    'Clients of the current tenant whose running balance differs from a full recomputation (should return no rows).';

CREATE FUNCTION rebuild_balances() RETURNS bigint
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    DELETE FROM client_registry.client_balance WHERE tenant_id = client_registry.current_tenant();
    WITH ins AS (
        INSERT INTO client_registry.client_balance (tenant_id, client_id, receivable, payable)
        SELECT e.tenant_id, e.client_id, e.receivable, e.payable
          FROM client_registry.client_balance_expected e
         WHERE e.tenant_id = client_registry.current_tenant()
           AND (e.receivable <> 0 OR e.payable <> 0)
        RETURNING 1)
    SELECT count(*) FROM ins;
END;
COMMENT ON FUNCTION rebuild_balances() IS
    'Recomputes the running balances of the current tenant from its invoices and payments (after triggers were disabled, for example). Returns the number of clients with a balance.';

-------------------------------------------------------------------------------
-- Tenant isolation, dumping, privileges for the new tables
-------------------------------------------------------------------------------

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['client_balance', 'invoice', 'invoice_vat_line', 'payment', 'settlement']
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE client_registry.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format(
            'CREATE POLICY tenant_isolation ON client_registry.%I'
            ' USING (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())'
            ' WITH CHECK (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())', t);
    END LOOP;
END
$do$;

-- client_balance is derived data: not dumped; a restore rebuilds it from the
-- invoices and payments it loads (see "restore mode" in the README).
SELECT pg_catalog.pg_extension_config_dump('invoice', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_vat_line', '');
SELECT pg_catalog.pg_extension_config_dump('payment', '');
SELECT pg_catalog.pg_extension_config_dump('settlement', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.invoice', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.invoice_vat_line', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.payment', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.settlement', 'id'), '');

REVOKE ALL ON FUNCTION invoice_before_write(), invoice_before_delete(), balance_after_statement(),
    invoice_vat_line_after_write(), payment_before_write(), settlement_before_write()
    FROM PUBLIC;
-- rebuild_balances() rewrites a tenant's balances: for the DBA (README, Security)
REVOKE ALL ON FUNCTION rebuild_balances() FROM PUBLIC;

-------------------------------------------------------------------------------
-- 0.2.0: contracts (R4.2), instalments (R4.3), explicit payment links (R4.5)
-------------------------------------------------------------------------------

CREATE TYPE contract_mode AS ENUM ('none', 'required', 'auto');
COMMENT ON TYPE contract_mode IS
    'R4.2: none; required (a document needs a contract of the client valid on its date); auto (the valid contract is picked automatically).';

ALTER TABLE client ADD COLUMN contract_mode contract_mode NOT NULL DEFAULT 'none';
COMMENT ON COLUMN client.contract_mode IS 'R4.2 contract control: none, required or auto.';

CREATE TABLE contract (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id   integer NOT NULL DEFAULT current_tenant(),
    client_id   bigint NOT NULL,
    number      text NOT NULL,
    valid_from  date NOT NULL,
    valid_to    date,
    notes       text,
    CONSTRAINT contract_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT contract_client_fkey FOREIGN KEY (tenant_id, client_id) REFERENCES client (tenant_id, id),
    CONSTRAINT contract_number_key UNIQUE (tenant_id, client_id, number),
    CONSTRAINT contract_validity CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CONSTRAINT contract_number_not_blank CHECK (btrim(number) <> '')
);
CREATE INDEX contract_client_idx ON contract (tenant_id, client_id, valid_from);
COMMENT ON TABLE contract IS 'Contracts with clients and their validity (R4.2).';
COMMENT ON COLUMN contract.id IS 'Contract id.';
COMMENT ON COLUMN contract.tenant_id IS 'Tenant.';
COMMENT ON COLUMN contract.client_id IS 'The client.';
COMMENT ON COLUMN contract.number IS 'Contract number, unique per client.';
COMMENT ON COLUMN contract.valid_from IS 'First day of validity.';
COMMENT ON COLUMN contract.valid_to IS 'Last day of validity (NULL: open-ended).';
COMMENT ON COLUMN contract.notes IS 'Notes.';

ALTER TABLE invoice ADD COLUMN contract_id bigint,
    ADD CONSTRAINT invoice_contract_fkey FOREIGN KEY (tenant_id, contract_id) REFERENCES contract (tenant_id, id);
COMMENT ON COLUMN invoice.contract_id IS 'R4.2 contract: checked to be the client''s and valid on the invoice date; picked automatically in auto mode.';

ALTER TABLE invoice ADD COLUMN division text, ADD COLUMN cost_object text;
COMMENT ON COLUMN invoice.division IS 'Division (padalinys) the document belongs to; automatic settlement matches it (R4.5).';
COMMENT ON COLUMN invoice.cost_object IS 'Object (objektas: project, site) of the document; automatic settlement matches it (R4.5).';

ALTER TABLE payment ADD COLUMN division text, ADD COLUMN cost_object text;

ALTER TABLE payment ADD COLUMN invoice_id bigint,
    ADD CONSTRAINT payment_invoice_fkey FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoice (tenant_id, id);
COMMENT ON COLUMN payment.division IS 'Division the payment is for; when given, automatic settlement step (2) matches it.';
COMMENT ON COLUMN payment.cost_object IS 'Object the payment is for; when given, automatic settlement step (2) matches it.';
COMMENT ON COLUMN payment.invoice_id IS 'R4.5 (1): the invoice this payment is for, when the payer said so; automatic settlement uses it first.';

CREATE TABLE invoice_instalment (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tenant_id   integer NOT NULL DEFAULT current_tenant(),
    invoice_id  bigint NOT NULL,
    due_date    date NOT NULL,
    amount      numeric(15,2) NOT NULL,
    CONSTRAINT invoice_instalment_invoice_fkey FOREIGN KEY (tenant_id, invoice_id)
        REFERENCES invoice (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT invoice_instalment_amount_positive CHECK (amount > 0),
    CONSTRAINT invoice_instalment_due_date_key UNIQUE (invoice_id, due_date)
);
COMMENT ON TABLE invoice_instalment IS
    'R4.3: an invoice''s debt split into instalments with their own due dates; they add up to the invoice''s gross total when it is posted, and change only while it is a draft.';
COMMENT ON COLUMN invoice_instalment.id IS 'Instalment id.';
COMMENT ON COLUMN invoice_instalment.tenant_id IS 'Tenant.';
COMMENT ON COLUMN invoice_instalment.invoice_id IS 'The invoice.';
COMMENT ON COLUMN invoice_instalment.due_date IS 'Due date of this part.';
COMMENT ON COLUMN invoice_instalment.amount IS 'Amount of this part (invoice currency).';

CREATE FUNCTION invoice_instalment_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_invoice_instalment_before_write' LANGUAGE C;
COMMENT ON FUNCTION invoice_instalment_before_write() IS 'Trigger: instalments change only while their invoice is a draft.';
CREATE TRIGGER invoice_instalment_10_draft_only BEFORE INSERT OR UPDATE OR DELETE ON invoice_instalment
    FOR EACH ROW EXECUTE FUNCTION invoice_instalment_before_write();

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contract', 'invoice_instalment']
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE client_registry.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format(
            'CREATE POLICY tenant_isolation ON client_registry.%I'
            ' USING (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())'
            ' WITH CHECK (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())', t);
    END LOOP;
END
$do$;

SELECT pg_catalog.pg_extension_config_dump('contract', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_instalment', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.contract', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.invoice_instalment', 'id'), '');
REVOKE ALL ON FUNCTION invoice_instalment_before_write() FROM PUBLIC;

-------------------------------------------------------------------------------
-- 0.2.0: automatic settlement (R4.5) and the debt views (R4.6)
-------------------------------------------------------------------------------

CREATE FUNCTION settle_automatically(client_id bigint DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c record;
    p record;
    i record;
    n integer := 0;
    unused numeric;
    take numeric;
BEGIN
    FOR c IN SELECT cl.id, cl.settlement_mode
               FROM client_registry.client cl
              WHERE cl.tenant_id = client_registry.current_tenant()
                AND cl.settlement_mode <> 'off'
                AND (settle_automatically.client_id IS NULL OR cl.id = settle_automatically.client_id)
              ORDER BY cl.id
    LOOP
        -- one run per client at a time
        PERFORM 1 FROM client_registry.client cl WHERE cl.id = c.id FOR NO KEY UPDATE;
        FOR p IN SELECT pm.id, pm.direction, pm.currency, pm.invoice_id, pm.description,
                        pm.division, pm.cost_object,
                        pm.amount - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                               WHERE s.tenant_id = pm.tenant_id AND s.payment_id = pm.id), 0) AS unused
                   FROM client_registry.payment pm
                  WHERE pm.tenant_id = client_registry.current_tenant() AND pm.client_id = c.id
                  ORDER BY pm.payment_date, pm.id
        LOOP
            unused := p.unused;
            CONTINUE WHEN unused <= 0;
            FOR i IN
                SELECT d.id, d.open_amount
                  FROM (SELECT inv.id, inv.invoice_date,
                               inv.total_gross - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                                            WHERE s.tenant_id = inv.tenant_id AND s.invoice_id = inv.id), 0) AS open_amount,
                               CASE WHEN inv.id = p.invoice_id THEN 1
                                    WHEN p.description IS NOT NULL AND strpos(p.description, inv.number) > 0
                                         AND (p.division IS NULL OR inv.division IS NOT DISTINCT FROM p.division)
                                         AND (p.cost_object IS NULL OR inv.cost_object IS NOT DISTINCT FROM p.cost_object)
                                    THEN 2
                                    ELSE 3 END AS step
                          FROM client_registry.invoice inv
                         WHERE inv.tenant_id = client_registry.current_tenant() AND inv.client_id = c.id
                           AND inv.status = 'posted' AND inv.currency = p.currency
                           AND inv.direction = CASE p.direction WHEN 'in' THEN 'sale' ELSE 'purchase' END
                               ::client_registry.document_direction) d
                 WHERE d.open_amount > 0 AND (d.step < 3 OR c.settlement_mode = 'all_documents')
                 ORDER BY d.step, d.invoice_date, d.id
            LOOP
                EXIT WHEN unused <= 0;
                -- lock the invoice, then the payment (the order of the settlement
                -- trigger), and re-read both: a settlement made meanwhile counts
                PERFORM 1 FROM client_registry.invoice inv WHERE inv.id = i.id FOR NO KEY UPDATE;
                PERFORM 1 FROM client_registry.payment pm WHERE pm.id = p.id FOR NO KEY UPDATE;
                SELECT inv.total_gross - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                                    WHERE s.tenant_id = inv.tenant_id AND s.invoice_id = inv.id), 0)
                  INTO i.open_amount
                  FROM client_registry.invoice inv WHERE inv.id = i.id;
                SELECT pm.amount - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                              WHERE s.tenant_id = pm.tenant_id AND s.payment_id = pm.id), 0)
                  INTO unused
                  FROM client_registry.payment pm WHERE pm.id = p.id;
                EXIT WHEN unused <= 0;
                CONTINUE WHEN i.open_amount <= 0;
                take := least(unused, i.open_amount);
                INSERT INTO client_registry.settlement (tenant_id, payment_id, invoice_id, amount)
                VALUES (client_registry.current_tenant(), p.id, i.id, take);
                unused := unused - take;
                n := n + 1;
            END LOOP;
        END LOOP;
    END LOOP;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION settle_automatically(bigint) IS
    'R4.5 automatic settlement for one client or (NULL) every client of the current tenant whose settlement_mode is not off: each payment''s unused amount goes (1) to the invoice it names (payment.invoice_id), (2) to invoices whose number appears in its remittance text (and whose division and object match the payment''s, when it names them), then (3) only in mode all_documents to the remaining open invoices, oldest first. Same client, currency and direction only. Returns the number of settlements made.';

CREATE VIEW open_item WITH (security_invoker = true) AS
SELECT i.id AS invoice_id, i.tenant_id, i.client_id, c.name AS client_name, i.direction, i.number,
       i.invoice_date, i.due_date, i.currency, i.total_gross, o.open_amount,
       round(o.open_amount * i.currency_rate, 2) AS open_amount_base,
       GREATEST(current_date - COALESCE(i.due_date, i.invoice_date), 0) AS days_overdue
  FROM client_registry.invoice i
  JOIN client_registry.client c ON c.tenant_id = i.tenant_id AND c.id = i.client_id
  CROSS JOIN LATERAL (SELECT i.total_gross - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                                        WHERE s.tenant_id = i.tenant_id AND s.invoice_id = i.id), 0)
                             AS open_amount) o
 WHERE i.status = 'posted' AND o.open_amount <> 0;
COMMENT ON VIEW open_item IS 'Posted invoices not fully settled, with due dates and days overdue (credit notes show a negative open amount).';
COMMENT ON COLUMN open_item.invoice_id IS 'Invoice id.';
COMMENT ON COLUMN open_item.tenant_id IS 'Tenant.';
COMMENT ON COLUMN open_item.client_id IS 'Client id.';
COMMENT ON COLUMN open_item.client_name IS 'Client name.';
COMMENT ON COLUMN open_item.direction IS 'sale (receivable) or purchase (payable).';
COMMENT ON COLUMN open_item.number IS 'Invoice number.';
COMMENT ON COLUMN open_item.invoice_date IS 'Invoice date.';
COMMENT ON COLUMN open_item.due_date IS 'Due date.';
COMMENT ON COLUMN open_item.currency IS 'Currency.';
COMMENT ON COLUMN open_item.total_gross IS 'Gross total.';
COMMENT ON COLUMN open_item.open_amount IS 'Gross total minus settlements (invoice currency).';
COMMENT ON COLUMN open_item.open_amount_base IS 'Open amount in the base currency at the invoice rate.';
COMMENT ON COLUMN open_item.days_overdue IS 'Days past the due date (0 when not yet due).';

CREATE VIEW aging WITH (security_invoker = true) AS
SELECT o.tenant_id, o.client_id, o.client_name, o.direction,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue = 0) AS not_due,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 1 AND 30) AS overdue_1_30,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 31 AND 60) AS overdue_31_60,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 61 AND 90) AS overdue_61_90,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue > 90) AS overdue_over_90,
       sum(o.open_amount_base) AS total_open
  FROM client_registry.open_item o
 GROUP BY o.tenant_id, o.client_id, o.client_name, o.direction;
COMMENT ON VIEW aging IS 'Open items per client and direction in aging buckets (base currency): not due, 1-30, 31-60, 61-90, over 90 days overdue.';
COMMENT ON COLUMN aging.tenant_id IS 'Tenant.';
COMMENT ON COLUMN aging.client_id IS 'Client id.';
COMMENT ON COLUMN aging.client_name IS 'Client name.';
COMMENT ON COLUMN aging.direction IS 'sale (receivable) or purchase (payable).';
COMMENT ON COLUMN aging.not_due IS 'Open, not yet due.';
COMMENT ON COLUMN aging.overdue_1_30 IS 'Open, 1 to 30 days overdue.';
COMMENT ON COLUMN aging.overdue_31_60 IS 'Open, 31 to 60 days overdue.';
COMMENT ON COLUMN aging.overdue_61_90 IS 'Open, 61 to 90 days overdue.';
COMMENT ON COLUMN aging.overdue_over_90 IS 'Open, more than 90 days overdue.';
COMMENT ON COLUMN aging.total_open IS 'All open items.';

CREATE VIEW client_statement WITH (security_invoker = true) AS
SELECT e.tenant_id, e.client_id, e.entry_date, e.entry_kind, e.entry_id, e.reference, e.debit, e.credit,
       sum(e.debit - e.credit) OVER (PARTITION BY e.client_id ORDER BY e.entry_date, e.entry_kind, e.entry_id) AS balance
  FROM (SELECT i.tenant_id, i.client_id, i.invoice_date AS entry_date,
               CASE i.direction WHEN 'sale' THEN 'sales invoice' ELSE 'purchase invoice' END AS entry_kind,
               i.id AS entry_id, i.number AS reference,
               CASE WHEN i.direction = 'sale' THEN i.total_base ELSE 0 END AS debit,
               CASE WHEN i.direction = 'purchase' THEN i.total_base ELSE 0 END AS credit
          FROM client_registry.invoice i WHERE i.status = 'posted'
        UNION ALL
        SELECT p.tenant_id, p.client_id, p.payment_date,
               CASE p.direction WHEN 'in' THEN 'payment received' ELSE 'payment made' END,
               p.id, p.reference,
               CASE WHEN p.direction = 'out' THEN p.amount_base ELSE 0 END,
               CASE WHEN p.direction = 'in' THEN p.amount_base ELSE 0 END
          FROM client_registry.payment p) e;
COMMENT ON VIEW client_statement IS
    'Statement of a client: posted invoices and payments in date order with the running balance (base currency; positive = the client owes us).';
COMMENT ON COLUMN client_statement.tenant_id IS 'Tenant.';
COMMENT ON COLUMN client_statement.client_id IS 'Client id.';
COMMENT ON COLUMN client_statement.entry_date IS 'Invoice or payment date.';
COMMENT ON COLUMN client_statement.entry_kind IS 'sales invoice, purchase invoice, payment received or payment made.';
COMMENT ON COLUMN client_statement.entry_id IS 'Invoice or payment id.';
COMMENT ON COLUMN client_statement.reference IS 'Invoice number or bank reference.';
COMMENT ON COLUMN client_statement.debit IS 'Raises what the client owes us (sales, payments we made).';
COMMENT ON COLUMN client_statement.credit IS 'Lowers it (payments received, purchases).';
COMMENT ON COLUMN client_statement.balance IS 'Running balance after this entry.';
