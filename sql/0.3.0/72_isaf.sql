
-------------------------------------------------------------------------------
-- 0.3.0: the i.SAF 1.2 export (R6): the register views and the C functions
-- that write the XML files (src/isaf_export.c, src/isaf_writer.c).
-- This part is also in the 0.2.0 -> 0.3.0 upgrade script.
-------------------------------------------------------------------------------

-- The invoices that go into a register, in the order the export writes them:
-- by register date (sales: invoice date; purchases: registration date), then
-- id.  Partial (drafts and unreported invoices are left out) and covering
-- the dates, so a part is one ordered index range scan, no sort, and
-- counting a period's invoices is an index-only scan.  The predicate is the
-- WHERE clause of isaf_register_invoice, word for word.
CREATE INDEX invoice_isaf_register_idx ON invoice
    (tenant_id, direction,
     (CASE WHEN direction = 'sale' THEN invoice_date ELSE COALESCE(registration_date, invoice_date) END),
     id)
    INCLUDE (invoice_date, registration_date)
    WHERE (status = 'posted' OR (status = 'cancelled' AND direction = 'sale' AND posted_at IS NOT NULL))
      AND counterparty_vat_code <> '';

-- One row per invoice that goes into a register.  The rules of R6.1 and of
-- VMI's i.SAF description live here, once; the C export reads this view.
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
       CASE WHEN i.corrected_invoice_id IS NOT NULL AND i.isaf_type IN ('KS', 'DS', 'VK', 'VD')
            THEN (SELECT c.number FROM invoice c
                   WHERE c.tenant_id = i.tenant_id AND c.id = i.corrected_invoice_id) END AS reference_no,
       CASE WHEN i.corrected_invoice_id IS NOT NULL AND i.isaf_type IN ('KS', 'DS', 'VK', 'VD')
            THEN (SELECT c.invoice_date FROM invoice c
                   WHERE c.tenant_id = i.tenant_id AND c.id = i.corrected_invoice_id) END AS reference_date,
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
 WHERE (i.status = 'posted' OR (i.status = 'cancelled' AND i.direction = 'sale' AND i.posted_at IS NOT NULL))
   AND i.counterparty_vat_code <> '';
COMMENT ON VIEW isaf_register_invoice IS
    'i.SAF (R6): one row per invoice that goes into the register of issued (S) or received (P) invoices: posted invoices, and sales invoices cancelled after posting (type AN); counterparties with an empty VAT code are left out (R6.1), ND ones are reported. The export (isaf_file, isaf_files) reads exactly these rows.';
COMMENT ON COLUMN isaf_register_invoice.tenant_id IS 'Tenant.';
COMMENT ON COLUMN isaf_register_invoice.register IS 'S: register of issued (sales) invoices; P: register of received (purchase) invoices.';
COMMENT ON COLUMN isaf_register_invoice.direction IS 'sale (register S) or purchase (register P).';
COMMENT ON COLUMN isaf_register_invoice.register_date IS 'The date that puts the invoice into a period: the invoice date of a sale, the registration date (default: invoice date) of a purchase.';
COMMENT ON COLUMN isaf_register_invoice.invoice_id IS 'The invoice.';
COMMENT ON COLUMN isaf_register_invoice.client_id IS 'Its client (buyer or supplier).';
COMMENT ON COLUMN isaf_register_invoice.invoice_no IS 'InvoiceNo: the invoice number.';
COMMENT ON COLUMN isaf_register_invoice.invoice_date IS 'InvoiceDate.';
COMMENT ON COLUMN isaf_register_invoice.invoice_type IS 'InvoiceType: the invoice''s i.SAF type, AN when it was cancelled after posting.';
COMMENT ON COLUMN isaf_register_invoice.special_taxation IS 'SpecialTaxation: T for special taxation (cash accounting, farmers), else empty.';
COMMENT ON COLUMN isaf_register_invoice.reference_no IS 'References/ReferenceNo: number of the invoice a credit or debit note (KS, DS, VK, VD) corrects; NULL: no reference (empty References).';
COMMENT ON COLUMN isaf_register_invoice.reference_date IS 'References/ReferenceDate: date of the corrected invoice.';
COMMENT ON COLUMN isaf_register_invoice.vat_point_date IS 'VATPointDate (and VATPointDate2 of sales totals); NULL is written xsi:nil.';
COMMENT ON COLUMN isaf_register_invoice.registration_account_date IS 'RegistrationAccountDate of a purchase (registration date, default invoice date); NULL for sales.';
COMMENT ON COLUMN isaf_register_invoice.party_vat_code IS 'VATRegistrationNumber: the counterparty''s VAT code as of the invoice, or ND.';
COMMENT ON COLUMN isaf_register_invoice.party_registration_number IS 'RegistrationNumber: the counterparty''s company code as of the invoice; ND when the VAT code is ND and no code is known; NULL: element left out.';
COMMENT ON COLUMN isaf_register_invoice.party_country IS 'Country: ISO code for ND and foreign (non-LT) counterparties; NULL (xsi:nil) for Lithuanian VAT payers.';
COMMENT ON COLUMN isaf_register_invoice.party_name IS 'Name: the counterparty''s name as of the invoice, ND when none.';
COMMENT ON COLUMN isaf_register_invoice.currency IS 'Invoice currency; amounts in the register are in euro (multiplied by currency_rate).';
COMMENT ON COLUMN isaf_register_invoice.currency_rate IS 'Euro per unit of the invoice currency.';

-- One row per DocumentTotal: the VAT lines of a reported invoice summed per
-- tax code and rate, in euro.  Sum it per register and tax code to reconcile
-- with the VAT return.
CREATE VIEW isaf_register WITH (security_invoker = true) AS
SELECT r.tenant_id, r.register, r.register_date, r.invoice_id, r.client_id, r.invoice_no, r.invoice_date,
       r.invoice_type, r.special_taxation, r.reference_no, r.reference_date, r.vat_point_date,
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
    'i.SAF (R6): one row per DocumentTotal of the register: each reported invoice (isaf_register_invoice) with its VAT lines summed per tax code and rate, in euro. An invoice without VAT lines gives one row with taxable value 0. Sum it per register, period and tax code to reconcile with the VAT return.';
COMMENT ON COLUMN isaf_register.tenant_id IS 'Tenant.';
COMMENT ON COLUMN isaf_register.register IS 'S: issued (sales); P: received (purchases).';
COMMENT ON COLUMN isaf_register.register_date IS 'Date that puts the invoice into a period (sales: invoice date; purchases: registration date).';
COMMENT ON COLUMN isaf_register.invoice_id IS 'The invoice.';
COMMENT ON COLUMN isaf_register.client_id IS 'Its client.';
COMMENT ON COLUMN isaf_register.invoice_no IS 'InvoiceNo.';
COMMENT ON COLUMN isaf_register.invoice_date IS 'InvoiceDate.';
COMMENT ON COLUMN isaf_register.invoice_type IS 'InvoiceType (AN: cancelled after posting).';
COMMENT ON COLUMN isaf_register.special_taxation IS 'SpecialTaxation: T or empty.';
COMMENT ON COLUMN isaf_register.reference_no IS 'ReferenceNo of a credit or debit note.';
COMMENT ON COLUMN isaf_register.reference_date IS 'ReferenceDate of a credit or debit note.';
COMMENT ON COLUMN isaf_register.vat_point_date IS 'VATPointDate / VATPointDate2.';
COMMENT ON COLUMN isaf_register.registration_account_date IS 'RegistrationAccountDate (purchases).';
COMMENT ON COLUMN isaf_register.party_vat_code IS 'VATRegistrationNumber (or ND).';
COMMENT ON COLUMN isaf_register.party_registration_number IS 'RegistrationNumber (NULL: left out).';
COMMENT ON COLUMN isaf_register.party_country IS 'Country (NULL: xsi:nil).';
COMMENT ON COLUMN isaf_register.party_name IS 'Name (ND when none).';
COMMENT ON COLUMN isaf_register.tax_code IS 'TaxCode (NULL: xsi:nil).';
COMMENT ON COLUMN isaf_register.vat_rate IS 'TaxPercentage (0 written 0; NULL only when the invoice has no VAT lines).';
COMMENT ON COLUMN isaf_register.taxable_value IS 'TaxableValue in euro: sum of the lines'' taxable values times the currency rate, rounded to cents.';
COMMENT ON COLUMN isaf_register.vat_amount IS 'Amount in euro: sum of the lines'' VAT times the currency rate, rounded to cents (NULL only without VAT lines).';

-- The export (C, libxml2 xmlTextWriter, streamed through a cursor).
CREATE FUNCTION isaf_file(period_start date, period_end date, data_type text DEFAULT 'F',
                          part integer DEFAULT 1, max_invoices integer DEFAULT 500000,
                          tenant_id integer DEFAULT current_tenant())
    RETURNS text
    AS 'MODULE_PATHNAME', 'cr_isaf_file' LANGUAGE C STABLE;
COMMENT ON FUNCTION isaf_file(date, date, text, integer, integer, integer) IS
    'i.SAF 1.2 XML file (UTF-8, with its XML declaration) of a tenant''s VAT period: data type F (both registers), S (sales) or P (purchases), part number "part" of the split at max_invoices invoices per register (the schema''s cap, 500,000, by default). Reads isaf_register_invoice with the caller''s rights.';

CREATE FUNCTION isaf_files(period_start date, period_end date, data_type text DEFAULT 'F',
                           max_invoices integer DEFAULT 500000,
                           tenant_id integer DEFAULT current_tenant(),
                           OUT part integer, OUT part_id text, OUT number_of_parts integer,
                           OUT sales_invoices integer, OUT purchase_invoices integer,
                           OUT file_name text, OUT xml text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'cr_isaf_files' LANGUAGE C STABLE ROWS 1;
COMMENT ON FUNCTION isaf_files(date, date, text, integer, integer) IS
    'Every part of a tenant''s i.SAF file for a VAT period, one row per part (written one at a time: memory is bounded by the part): part number, the PartNumber written in the header, the number of parts, invoices in each register of the part, a file name and the XML.';

-- Reading the whole period of a tenant's registers is an accounting task:
-- granted explicitly (see README, Security).
REVOKE ALL ON FUNCTION isaf_file(date, date, text, integer, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION isaf_files(date, date, text, integer, integer) FROM PUBLIC;
