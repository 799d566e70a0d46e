/* client_registry--0.1.0.sql -- the released 0.1.0 install script (frozen; do not edit) */

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
