
-------------------------------------------------------------------------------
-- 0.4.0 (issue #13): the i.SAF registers, faithful on a real month.
--   * AN, one rule for both registers: an invoice that was posted and then
--     cancelled is reported as AN (type "annulled"), sales and purchases
--     alike; drafts cancelled before posting are not reported.  isaf_type
--     'AN' is no longer entered by hand (invoice_rules.c refuses it);
--     invoices stored with it before 0.4.0 are still written AN.
--   * References: every row of invoice_reference (isaf_register_reference).
--   * Values longer than the schema allows: names and registration numbers
--     are cut in the file (isaf_written_text) and listed by
--     isaf_shortened_value; invoice numbers, reference numbers and VAT codes
--     are refused (docs/isaf.md has the table).
-------------------------------------------------------------------------------

-- InvoiceNo holds at most 70 characters: refused when the invoice is
-- entered (not cut in the file: a shortened number names another invoice).
-- NOT VALID: invoices stored before 0.4.0 keep their numbers; the export
-- refuses those with R6001, naming the invoice.
ALTER TABLE invoice ADD CONSTRAINT invoice_number_at_most_70_characters
    CHECK (pg_catalog.char_length(number) OPERATOR(pg_catalog.<=) 70) NOT VALID;

CREATE FUNCTION isaf_written_text(value text, max_length integer) RETURNS text
    AS 'MODULE_PATHNAME', 'cr_isaf_written_text'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isaf_written_text(text, integer) IS
    'A text value as the i.SAF export writes it: characters XML 1.0 forbids (control characters) and tabs and line breaks become spaces, and the value is cut to max_length characters (never inside a multibyte character).';

DROP VIEW isaf_register;
DROP VIEW isaf_register_invoice;
DROP INDEX invoice_isaf_register_idx;

-- Register order, as in 0.3.0; the predicate is again the WHERE clause of
-- isaf_register_invoice word for word (now: cancelled after posting, both
-- directions).
CREATE INDEX invoice_isaf_register_idx ON invoice
    (tenant_id, direction,
     (CASE WHEN direction = 'sale' THEN invoice_date ELSE COALESCE(registration_date, invoice_date) END),
     id)
    INCLUDE (invoice_date, registration_date)
    WHERE (status = 'posted' OR (status = 'cancelled' AND posted_at IS NOT NULL))
      AND counterparty_vat_code <> '';

CREATE VIEW isaf_register_invoice WITH (security_invoker = true) AS
SELECT i.tenant_id,
       (CASE WHEN i.direction = 'sale' THEN 'S' ELSE 'P' END)::text AS register,
       i.direction,
       CASE WHEN i.direction = 'sale' THEN i.invoice_date
            ELSE COALESCE(i.registration_date, i.invoice_date) END AS register_date,
       i.id AS invoice_id,
       i.client_id,
       i.number AS invoice_no,
       i.invoice_date,
       (CASE WHEN i.status = 'cancelled' THEN 'AN' ELSE i.isaf_type::text END)::text AS invoice_type,
       (CASE WHEN i.special_taxation THEN 'T' ELSE '' END)::text AS special_taxation,
       i.vat_point_date,
       CASE WHEN i.direction = 'purchase' THEN COALESCE(i.registration_date, i.invoice_date) END
           AS registration_account_date,
       i.counterparty_vat_code AS party_vat_code,
       COALESCE(NULLIF(btrim(i.counterparty_company_code), ''),
                CASE WHEN i.counterparty_vat_code = 'ND' THEN 'ND' END) AS party_registration_number,
       CASE WHEN i.counterparty_vat_code = 'ND' OR i.counterparty_country IS DISTINCT FROM 'LT'
            THEN upper(i.counterparty_country) END AS party_country,
       COALESCE(NULLIF(btrim(i.counterparty_name), ''), 'ND') AS party_name,
       i.currency,
       i.currency_rate
  FROM invoice i
 WHERE (i.status = 'posted' OR (i.status = 'cancelled' AND i.posted_at IS NOT NULL))
   AND i.counterparty_vat_code <> '';
COMMENT ON VIEW isaf_register_invoice IS
    'i.SAF (R6): one row per invoice that goes into the register of issued (S) or received (P) invoices: posted invoices, and invoices cancelled after posting (type AN), in both registers alike; counterparties with an empty VAT code are left out (R6.1), ND ones are reported. The export (isaf_file, isaf_files) reads exactly these rows; their references are in isaf_register_reference.';
COMMENT ON COLUMN isaf_register_invoice.tenant_id IS 'Tenant.';
COMMENT ON COLUMN isaf_register_invoice.register IS 'S: register of issued (sales) invoices; P: register of received (purchase) invoices.';
COMMENT ON COLUMN isaf_register_invoice.direction IS 'sale (register S) or purchase (register P).';
COMMENT ON COLUMN isaf_register_invoice.register_date IS 'The date that puts the invoice into a period: the invoice date of a sale, the registration date (default: invoice date) of a purchase.';
COMMENT ON COLUMN isaf_register_invoice.invoice_id IS 'The invoice.';
COMMENT ON COLUMN isaf_register_invoice.client_id IS 'Its client (buyer or supplier).';
COMMENT ON COLUMN isaf_register_invoice.invoice_no IS 'InvoiceNo: the invoice number.';
COMMENT ON COLUMN isaf_register_invoice.invoice_date IS 'InvoiceDate.';
COMMENT ON COLUMN isaf_register_invoice.invoice_type IS 'InvoiceType: the invoice''s i.SAF type; AN when it was cancelled after posting (sales and purchases alike).';
COMMENT ON COLUMN isaf_register_invoice.special_taxation IS 'SpecialTaxation: T for special taxation (cash accounting, farmers), else empty.';
COMMENT ON COLUMN isaf_register_invoice.vat_point_date IS 'VATPointDate (and VATPointDate2 of sales totals); NULL is written xsi:nil.';
COMMENT ON COLUMN isaf_register_invoice.registration_account_date IS 'RegistrationAccountDate of a purchase (registration date, default invoice date); NULL for sales.';
COMMENT ON COLUMN isaf_register_invoice.party_vat_code IS 'VATRegistrationNumber: the counterparty''s VAT code as of the invoice, or ND.';
COMMENT ON COLUMN isaf_register_invoice.party_registration_number IS 'RegistrationNumber: the counterparty''s company code as of the invoice; ND when the VAT code is ND and no code is known; NULL: element left out. Cut to 35 characters in the file (isaf_shortened_value).';
COMMENT ON COLUMN isaf_register_invoice.party_country IS 'Country: ISO code for ND and foreign (non-LT) counterparties; NULL (xsi:nil) for Lithuanian VAT payers.';
COMMENT ON COLUMN isaf_register_invoice.party_name IS 'Name: the counterparty''s name as of the invoice, ND when none. Cut to 256 characters in the file (isaf_shortened_value).';
COMMENT ON COLUMN isaf_register_invoice.currency IS 'Invoice currency; amounts in the register are in euro (multiplied by currency_rate).';
COMMENT ON COLUMN isaf_register_invoice.currency_rate IS 'Euro per unit of the invoice currency.';

CREATE VIEW isaf_register_reference WITH (security_invoker = true) AS
SELECT r.tenant_id, r.register, r.register_date, r.invoice_id, r.invoice_no, f.id AS reference_id,
       f.reference_no, f.reference_date, f.referenced_invoice_id
  FROM isaf_register_invoice r
  JOIN invoice_reference f ON f.tenant_id = r.tenant_id AND f.invoice_id = r.invoice_id;
COMMENT ON VIEW isaf_register_reference IS
    'i.SAF (R6): the References/Reference elements of the reported invoices, in the order written (reference id).';
COMMENT ON COLUMN isaf_register_reference.tenant_id IS 'Tenant.';
COMMENT ON COLUMN isaf_register_reference.register IS 'S or P.';
COMMENT ON COLUMN isaf_register_reference.register_date IS 'Register date of the note.';
COMMENT ON COLUMN isaf_register_reference.invoice_id IS 'The credit or debit note.';
COMMENT ON COLUMN isaf_register_reference.invoice_no IS 'Its number (InvoiceNo).';
COMMENT ON COLUMN isaf_register_reference.reference_id IS 'The row of invoice_reference.';
COMMENT ON COLUMN isaf_register_reference.reference_no IS 'ReferenceNo.';
COMMENT ON COLUMN isaf_register_reference.reference_date IS 'ReferenceDate.';
COMMENT ON COLUMN isaf_register_reference.referenced_invoice_id IS 'The corrected invoice when it is in this registry.';

-- One row per DocumentTotal, as in 0.3.0 (without the reference columns).
CREATE VIEW isaf_register WITH (security_invoker = true) AS
SELECT r.tenant_id, r.register, r.register_date, r.invoice_id, r.client_id, r.invoice_no, r.invoice_date,
       r.invoice_type, r.special_taxation, r.vat_point_date,
       r.registration_account_date, r.party_vat_code, r.party_registration_number, r.party_country,
       r.party_name,
       t.tax_code, t.vat_rate,
       COALESCE(t.taxable_value, 0) AS taxable_value,
       t.vat_amount
  FROM isaf_register_invoice r
  LEFT JOIN LATERAL (
        SELECT l.tax_code, l.vat_rate,
               round(sum(l.taxable_value) * r.currency_rate, 2) AS taxable_value,
               round(sum(l.vat_amount) * r.currency_rate, 2) AS vat_amount
          FROM invoice_vat_line l
         WHERE l.tenant_id = r.tenant_id AND l.invoice_id = r.invoice_id
         GROUP BY l.tax_code, l.vat_rate) t ON true;
COMMENT ON VIEW isaf_register IS
    'i.SAF (R6): one row per DocumentTotal of the register: each reported invoice (isaf_register_invoice) with its VAT lines summed per tax code and rate (no rate is a rate of its own), in euro. An invoice without VAT lines gives one row with taxable value 0. Sum it per register, period and tax code to reconcile with the VAT return.';
COMMENT ON COLUMN isaf_register.tenant_id IS 'Tenant.';
COMMENT ON COLUMN isaf_register.register IS 'S: issued (sales); P: received (purchases).';
COMMENT ON COLUMN isaf_register.register_date IS 'Date that puts the invoice into a period (sales: invoice date; purchases: registration date).';
COMMENT ON COLUMN isaf_register.invoice_id IS 'The invoice.';
COMMENT ON COLUMN isaf_register.client_id IS 'Its client.';
COMMENT ON COLUMN isaf_register.invoice_no IS 'InvoiceNo.';
COMMENT ON COLUMN isaf_register.invoice_date IS 'InvoiceDate.';
COMMENT ON COLUMN isaf_register.invoice_type IS 'InvoiceType (AN: cancelled after posting).';
COMMENT ON COLUMN isaf_register.special_taxation IS 'SpecialTaxation: T or empty.';
COMMENT ON COLUMN isaf_register.vat_point_date IS 'VATPointDate / VATPointDate2.';
COMMENT ON COLUMN isaf_register.registration_account_date IS 'RegistrationAccountDate (purchases).';
COMMENT ON COLUMN isaf_register.party_vat_code IS 'VATRegistrationNumber (or ND).';
COMMENT ON COLUMN isaf_register.party_registration_number IS 'RegistrationNumber (NULL: left out).';
COMMENT ON COLUMN isaf_register.party_country IS 'Country (NULL: xsi:nil).';
COMMENT ON COLUMN isaf_register.party_name IS 'Name (ND when none).';
COMMENT ON COLUMN isaf_register.tax_code IS 'TaxCode (NULL: xsi:nil).';
COMMENT ON COLUMN isaf_register.vat_rate IS 'TaxPercentage: the lines'' rate; 0 is written 0; NULL (no rate, or no VAT lines) is written xsi:nil.';
COMMENT ON COLUMN isaf_register.taxable_value IS 'TaxableValue in euro: sum of the lines'' taxable values times the currency rate, rounded to cents.';
COMMENT ON COLUMN isaf_register.vat_amount IS 'Amount in euro: sum of the lines'' VAT times the currency rate, rounded to cents (NULL only without VAT lines).';

-- What the files shorten: one row per value of a reported invoice that is
-- longer than its i.SAF element allows and is cut in the file.
CREATE VIEW isaf_shortened_value WITH (security_invoker = true) AS
SELECT r.tenant_id, r.register, r.register_date, r.invoice_id, r.invoice_no,
       f.element, f.max_length,
       f.value AS value_stored,
       client_registry.isaf_written_text(f.value, f.max_length) AS value_written,
       char_length(f.value) AS stored_length
  FROM isaf_register_invoice r
  CROSS JOIN LATERAL (VALUES ('Name'::text, r.party_name, 256),
                             ('RegistrationNumber'::text, r.party_registration_number, 35))
       f(element, value, max_length)
 WHERE char_length(f.value) > f.max_length;
COMMENT ON VIEW isaf_shortened_value IS
    'i.SAF (R6): the values of reported invoices that the files cut to the schema''s length (Name 256, RegistrationNumber 35 characters), for the accountant to check: the registry keeps the value as entered, the file carries value_written. Filter by register_date for a period; the export warns when it cuts.';
COMMENT ON COLUMN isaf_shortened_value.tenant_id IS 'Tenant.';
COMMENT ON COLUMN isaf_shortened_value.register IS 'S or P.';
COMMENT ON COLUMN isaf_shortened_value.register_date IS 'Date that puts the invoice into a period.';
COMMENT ON COLUMN isaf_shortened_value.invoice_id IS 'The invoice.';
COMMENT ON COLUMN isaf_shortened_value.invoice_no IS 'Its number.';
COMMENT ON COLUMN isaf_shortened_value.element IS 'The i.SAF element (Name or RegistrationNumber of CustomerInfo / SupplierInfo).';
COMMENT ON COLUMN isaf_shortened_value.max_length IS 'The most characters the schema allows in it.';
COMMENT ON COLUMN isaf_shortened_value.value_stored IS 'The value as stored on the invoice (trimmed).';
COMMENT ON COLUMN isaf_shortened_value.value_written IS 'The value as written in the file.';
COMMENT ON COLUMN isaf_shortened_value.stored_length IS 'Characters in the stored value.';
