
-------------------------------------------------------------------------------
-- 0.4.0 (issue #13): VAT lines without a rate.  A rate is never invented:
-- vat_rate has no default; NULL is "no rate" (written xsi:nil in i.SAF), 0
-- is 0 %.  A line whose tax code carries a percentage and has none is
-- refused by the VAT-line trigger (invoice_rules.c), naming the field.
-- Existing lines keep the rate they have.
-------------------------------------------------------------------------------

ALTER TABLE invoice_vat_line
    ALTER COLUMN vat_rate DROP DEFAULT,
    ALTER COLUMN vat_rate DROP NOT NULL;
COMMENT ON COLUMN invoice_vat_line.vat_rate IS
    'VAT rate in percent, as on the invoice: NULL = no rate applies (exempt, out of scope, foreign; i.SAF writes TaxPercentage xsi:nil), 0 = 0 % (written 0). No default: a line of a tax code that carries a percentage (tax_code_takes_rate) must give it.';

CREATE FUNCTION tax_code_takes_rate(tax_code text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cr_tax_code_takes_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tax_code_takes_rate(text) IS
    'True for the VAT classifier codes whose lines must give a VAT rate (vat_rate NOT NULL): PVM1 (standard rate), PVM2 and PVM3 (reduced rates), PVM12 (export, 0 %) and PVM13 (intra-EU supply of goods, 0 %). Every other code, and a line without a code, may leave vat_rate NULL (no rate: written xsi:nil). See docs/isaf.md.';
