--
-- identifiers: IBAN, BIC, VAT, company and personal codes, e-mail, country.
-- Test vectors of every identifier (docs/identifiers.md states the rules
-- and lists a few of them) plus every error path of every normaliser.
-- Columns: the value, the verdict expected, and what the function says.
--
SET search_path = client_registry, public;
\set VERBOSITY default

-- why(call): the DETAIL of the error a normaliser call raises ('' if none),
-- so that each invalid vector shows the reason it was rejected for
CREATE FUNCTION pg_temp.why(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    d text;
BEGIN
    EXECUTE 'SELECT ' || call;
    RETURN '';
EXCEPTION WHEN invalid_parameter_value THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN d;
END $$;

--
-- 1. LT-mod11 company codes (docs/identifiers.md 1, 2.1)
--
SELECT v, expected, lt_company_code_valid(v) AS valid,
       company_code_valid(v, 'LT') AS via_country,
       pg_temp.why(format('normalize_company_code(%L, %L)', v, 'LT'))
FROM (VALUES
    ('110003978', true),   -- JAR CSV sample row; the worked example of section 1
    ('188772433', true),
    ('110443493', true),
    ('124110246', true),
    ('112029651', true),
    ('188710823', true),
    ('301692533', true),
    ('134778710', true),   -- pass-1 remainder 0
    ('188602370', true),
    ('304166570', true),
    ('300000053', true),   -- synthetic, pass 2
    ('300000107', true),   -- synthetic, pass 2
    ('141994523', true),   -- legacy codes whose VAT codes are in section 3
    ('154742821', true),
    ('164767965', true),
    ('111950581', true),
    ('120053794', true),
    ('112025254', true),
    ('180886050', true),
    ('305232614', true),
    ('110 003 978', true), -- spaces are stripped
    ('110003979', false),  -- check digit changed
    ('303123987', false),  -- fake code on a demo site
    ('301294812', false),  -- placeholders/fakes seen in public pages
    ('300111111', false),
    ('306524370', false),
    ('12345678', false),   -- length
    ('1100039780', false),
    ('11000397A', false),
    ('', false)
) t(v, expected);

--
-- 2. LT personal codes (docs/identifiers.md 2.2)
--
SELECT v, expected, lt_personal_code_valid(v) AS valid,
       lt_personal_code_valid(v, false) AS no_date_check,
       pg_temp.why(format('normalize_personal_code(%L, %L)', v, 'LT'))
FROM (VALUES
    ('33309240064', true),
    ('35002125431', true),
    ('48504140959', true),
    ('61205010081', true),
    ('36805280109', true),
    ('96813280109', true),  -- bad date, but starts with 9
    ('38501010087', true),  -- synthetic, pass 2
    ('38501010211', true),  -- synthetic, pass 2
    ('38501011610', true),  -- synthetic, both passes 10, check digit 0
    ('33309240164', false), -- checksum
    ('36813280103', false), -- month 13; valid without the date check
    ('73309240063', false), -- first digit 7 is EE-only (checksum correct)
    ('3330924006', false)
) t(v, expected);

--
-- 3. LT VAT codes (docs/identifiers.md 2.3, and legacy company/VAT code pairs)
--
SELECT v, expected, lt_vat_code_valid(v) AS valid,
       pg_temp.why(format('normalize_vat_code(%L, %L)', v, 'LT'))
FROM (VALUES
    ('119511515', true),
    ('LT 100001919017', true),
    ('100004801610', true),       -- needs pass 2
    ('LT 235449811', true),
    ('LT 250266219', true),
    ('LT 258596610', true),
    ('LT 354991917', true),
    ('LT 616414610', true),
    ('LT 757118413', true),
    ('LT 100001354118', true),
    ('LT100002894215', true),
    ('LT-100000979812', true),
    ('LT290068995116', true),
    ('LT241102419', true),        -- pass 2 (Registru centras)
    ('LT120296515', true),
    ('LT419945219', true),
    ('LT547428219', true),
    ('LT647679610', true),
    ('LT119505811', true),
    ('LT200537917', true),
    ('LT120252515', true),
    ('LT808860515', true),
    ('LT100017540118', true),
    ('lt 119.511.515', true),     -- case, dots
    ('100001919018', false),      -- checksum
    ('LT 100001354', false),      -- 8th digit is 3, not 1
    ('LT 100001509922', false),   -- 11th digit is 2, not 1
    ('LT LT 354991917', false),   -- prefix doubled
    ('LV40003521600', false),     -- valid, but Latvian (so normalize_vat_code accepts it)
    ('ND', false)                 -- accepted by normalize_vat_code as "no VAT code"
) t(v, expected);

--
-- 4. Latvia: PVN and legal-entity registration numbers (docs/identifiers.md 3)
--
SELECT v, expected, lv_pvn_valid(v) AS valid,
       pg_temp.why(format('normalize_vat_code(%L, %L)', v, 'LV'))
FROM (VALUES
    ('LV 4000 3521 600', true),
    ('LV 40003189718', true),
    ('LV 40103077610', true),
    ('LV 43603009384', true),
    ('LV 50003087101', true),
    ('LV 90000528023', true),
    ('LV-42103048183', true),
    ('161175-19997', true),       -- personal, old format
    ('328673-00679', true),       -- personal, new format
    ('40003521601', false),       -- checksum
    ('161375-19997', false),      -- month 13
    ('328673-00677', false),      -- checksum
    ('LV 40003189715', false),
    ('LV 90000528022', false),
    ('LV-10103241337', false),
    ('LV-42103048181', false),
    ('LV LV 40003754957', false)  -- prefix doubled (section 7)
) t(v, expected);

SELECT v, expected, company_code_valid(v, 'LV') AS valid,
       pg_temp.why(format('normalize_company_code(%L, %L)', v, 'LV'))
FROM (VALUES
    ('40003521600', true),
    ('40003189718', true),
    ('90000528023', true),
    ('40003521601', false),       -- checksum
    ('16117519997', false),       -- a personal code, not a legal entity
    ('4000352160', false)
) t(v, expected);

--
-- 5. Estonia: KMKR, registrikood, isikukood (docs/identifiers.md 4)
--
SELECT v, expected, ee_kmkr_valid(v) AS valid,
       pg_temp.why(format('normalize_vat_code(%L, %L)', v, 'EE'))
FROM (VALUES
    ('EE 100 931 558', true),
    ('100594102', true),
    ('EE 100523487', true),
    ('EE 101286639', true),
    ('EE101256753', true),
    ('100594103', false),
    ('EE 100 941 558', false),
    ('EE 100525487', false),
    ('EE 101586639', false),
    ('EE101256754', false)
) t(v, expected);

SELECT v, expected, ee_registrikood_valid(v) AS valid,
       company_code_valid(v, 'ee') AS via_country,
       pg_temp.why(format('normalize_company_code(%L, %L)', v, 'EE'))
FROM (VALUES
    ('12345678', true),
    ('10000024', true),
    ('10000030', true),
    ('10254782', true),
    ('10324169', true),
    ('70000823', true),
    ('75000561', true),
    ('14118923', true),           -- Tuleva Fondid AS
    ('12345679', false),          -- checksum
    ('32345674', false),          -- first digit 3
    ('123456789', false),         -- length
    ('1234567A', false)           -- format
) t(v, expected);

SELECT v, expected, ee_personal_code_valid(v) AS valid,
       pg_temp.why(format('normalize_personal_code(%L, %L)', v, 'EE'))
FROM (VALUES
    ('36805280109', true),
    ('36805280108', false)
) t(v, expected);

--
-- 6. Poland: NIP (docs/identifiers.md 5)
--
SELECT v, expected, pl_nip_valid(v) AS valid,
       pg_temp.why(format('normalize_vat_code(%L, %L)', v, 'PL'))
FROM (VALUES
    ('PL 8567346215', true),
    ('PL 584-030-44-72', true),
    ('PL 687-16-26-585', true),
    ('PL 777 26 68 285', true),
    ('PL-951-157-77-68', true),
    ('PL5261025421', true),
    ('PL 5211355116', true),
    ('1234563218', true),
    ('PL 8567346216', false),
    ('1234567080', false), ('1234567081', false), ('1234567082', false),
    ('1234567083', false), ('1234567084', false), ('1234567085', false),
    ('1234567086', false), ('1234567087', false), ('1234567088', false),
    ('1234567089', false),
    ('PL PL 7671325342', false)
) t(v, expected);

SELECT v, expected, company_code_valid(v, 'PL') AS valid,
       pg_temp.why(format('normalize_company_code(%L, %L)', v, 'PL'))
FROM (VALUES
    ('856-734-62-15', true),      -- NIP
    ('123456785', true),          -- REGON, 9 digits (format only)
    ('12345678512347', true),     -- REGON, 14 digits (format only)
    ('8567346216', false),        -- NIP checksum
    ('12345678901', false)        -- 11 digits
) t(v, expected);

--
-- 7. EU VAT numbers with prefix (docs/identifiers.md 7): one example per prefix, negatives
--
SELECT v, expected, eu_vat_code_valid(v) AS valid, vat_code_valid(v) AS vat_code_valid,
       pg_temp.why(format('normalize_vat_code(%L)', v))
FROM (VALUES
    ('ATU13585627', true),
    ('BE0428759497', true),
    ('BG175074752', true),
    ('CY10259033P', true),
    ('CZ25123891', true),
    ('DE136695976', true),
    ('DK13585628', true),
    ('DK 13 58 56 28', true),
    ('EE100594102', true),
    ('EL094259216', true),
    ('ESB64717838', true),
    ('FI20774740', true),
    ('FR40303265045', true),
    ('HR33392005961', true),
    ('HU12892312', true),
    ('IE6433435F', true),
    ('IE6433435OA', true),
    ('IT00743110157', true),
    ('LT119511515', true),
    ('LU15027442', true),
    ('LV40003521600', true),
    ('MT11679112', true),
    ('NL004495445B01', true),
    ('PL8567346215', true),
    ('PT501964843', true),
    ('RO18547290', true),
    ('SE123456789701', true),
    ('SI50223054', true),
    ('SK2022749619', true),
    ('XI432525179', true),
    ('EU372000041', true),        -- OSS non-Union scheme: EU + 9 digits
    ('QQ 124567', false),         -- unknown prefix
    ('LV LV 40003754957', false), -- doubled prefix
    ('ATU 151592092', false),     -- wrong length
    ('SE 55643359201', false),    -- wrong length
    ('GR094259216', false),       -- Greece uses EL
    ('FRIO303265045', false),     -- I and O not allowed in the French key
    ('119511515', false),         -- no prefix
    ('ND', false)                 -- not a VAT code here (vat_code_valid and normalize_vat_code accept it)
) t(v, expected);

-- prefix taken from the country; ND; non-EU prefix only for its own country
SELECT v, country, vat_code_valid(v, country) AS valid,
       CASE WHEN vat_code_valid(v, country) THEN normalize_vat_code(v, country) END AS normalized
FROM (VALUES
    ('119511515', 'LT'),
    ('094259216', 'GR'),
    ('094259216', 'el'),
    ('B64717838', 'ES'),
    ('40003521600', ' lv '),
    ('nd', NULL),
    ('N.D.', 'LT'),
    ('NO923609016MVA', 'NO'),
    ('CHE-123.456.789 MWST', 'CH'),
    ('GB123456789', 'GB'),
    ('NO923609016MVA', NULL),
    ('NO923609016MVA', 'LT'),
    ('923609016MVA', 'NO'),
    ('LV40003521600', 'LT')
) t(v, country);
SELECT vat_code_valid(NULL), vat_code_valid(NULL, 'LT'), normalize_vat_code(NULL) IS NULL AS null_in_null_out;

--
-- 8. IBAN (docs/identifiers.md 8)
--
SELECT v, expected, iban_valid(v) AS valid,
       pg_temp.why(format('normalize_iban(%L)', v))
FROM (VALUES
    ('AT61 1904 3002 3457 3201', true),
    ('BE31435411161155', true),
    ('BG80 BNBG 9661 1020 3456 78', true),
    ('CY17 0020 0128 0000 0012 0052 7600', true),
    ('CZ65 0800 0000 1920 0014 5399', true),
    ('DE89 3704 0044 0532 0130 00', true),
    ('DK50 0040 0440 1162 43', true),
    ('EE38 2200 2210 2014 5685', true),
    ('ES91 2100 0418 4502 0005 1332', true),
    ('FI21 1234 5600 0007 85', true),
    ('FR14 2004 1010 0505 0001 3M02 606', true),
    ('GB29 NWBK 6016 1331 9268 19', true),
    ('GR16 0110 1250 0000 0001 2300 695', true),
    ('HR12 1001 0051 8630 0016 0', true),
    ('HU42 1177 3016 1111 1018 0000 0000', true),
    ('IE29 AIBK 9311 5212 3456 78', true),
    ('IS14 0159 2600 7654 5510 7303 39', true),
    ('IT60 X054 2811 1010 0000 0123 456', true),
    ('LI21 0881 0000 2324 013A A', true),
    ('LT12 1000 0111 0100 1000', true),
    ('LU28 0019 4006 4475 0000', true),
    ('LV80 BANK 0000 4351 9500 1', true),
    ('MT84 MALT 0110 0001 2345 MTLC AST0 01S', true),
    ('NL91 ABNA 0417 1643 00', true),
    ('NO9386011117947', true),
    ('PL61 1090 1014 0000 0712 1981 2874', true),
    ('PT50 0002 0123 1234 5678 9015 4', true),
    ('RO49 AAAA 1B31 0075 9384 0000', true),
    ('SE45 5000 0000 0583 9825 7466', true),
    ('SI56 1910 0000 0123 438', true),
    ('SK31 1200 0000 1987 4263 7541', true),
    ('CH93 0076 2011 6238 5295 7', true),
    ('AD12 0001 2030 2003 5910 0100', true),
    ('LT927300010177178794', true),
    ('LT057300010009757487', true),
    ('LT647044001231465456', true),
    ('EE637700771011212909', true),
    ('EE062200221055091966', true),
    ('EE442200221092874625', true),
    ('LT55 7300 0100 0000 0036', true),     -- Swedbank's own account (section 8.1: bank code)
    ('lt12-1000-0111-0100-1000', true),     -- lower case and dashes
    ('AL48212110090000000235698741', false), -- checksum (digits mangled)
    ('AD1210012030200359100100', false),
    ('AT611804300234573201', false),
    ('BE68530907547034', false),
    ('BG80BNBG99611020345678', false),
    ('HR1210010052863000160', false),
    ('CY17002001281000001200527600', false),
    ('CZ6508000000129000145399', false),
    ('DK5000400440116342', false),
    ('AD48 0001 2030 2003 5910 01', false),  -- wrong length
    ('AT93 1904 3002 3457 3201 99', false),
    ('BE36 5390 0754 7034 1234', false),
    ('BG93 BNBG 9661 1A20 3456 78', false),  -- letter where a digit belongs
    ('GI22 NW3K 0000 0000 7099 453', false),
    ('NL56 3003 0A17 1643 00', false),
    ('QQ93 1234 5678', false),               -- unknown country
    ('ES2121000418450200051331', false),     -- Spanish national check
    ('LT121000011101001001', false),         -- checksum
    ('LT647044060005976189', false),
    ('LT000000000000000001', false)
) t(v, expected);

SELECT v, normalize_iban(v), format_iban(v), iban_bank_code(v)
FROM (VALUES
    ('LT12 1000 0111 0100 1000'),
    ('lt557300010000000036'),
    ('LV80 BANK 0000 4351 9500 1'),
    ('EE38 2200 2210 2014 5685'),
    ('PL61 1090 1014 0000 0712 1981 2874'),
    ('BE31435411161155'),
    ('NO93.8601.1117.947')
) t(v);

--
-- 9. BIC, e-mail, country
--
SELECT v, expected, bic_valid(v) AS valid,
       pg_temp.why(format('normalize_bic(%L)', v))
FROM (VALUES
    ('HABALT22', true),
    ('habalt22xxx', true),
    ('CBVI LT 2X', true),
    ('HABALT2', false),
    ('HABALT22XX', false),
    ('HAB1LT22', false),
    ('HABAQQ22', false),
    ('HABALT2!', false)
) t(v, expected);

SELECT v, expected, email_valid(v) AS valid,
       pg_temp.why(format('normalize_email(%L)', v))
FROM (VALUES
    ('info@example.com', true),
    ('  Jonas.Jonaitis+saskaitos@Imone.LT ', true),
    ('a@b-c.example.co.uk', true),
    ('info@example', false),
    ('info@@example.com', false),
    ('info example@example.com', false),
    ('info@-example.com', false),
    ('info@example.c', false),
    ('info@example.123', false),
    ('info@exa_mple.com', false),
    ('@example.com', false)
) t(v, expected);

SELECT v, expected, country_code_valid(v) AS valid,
       pg_temp.why(format('normalize_country(%L)', v))
FROM (VALUES
    ('LT', true), (' lt ', true), ('AX', true), ('SS', true), ('ZW', true),
    ('XK', false), ('EL', false), ('UK', false), ('QQ', false), ('LTU', false)
) t(v, expected);

SELECT count(*) AS iso_codes_accepted
FROM generate_series(65, 90) a, generate_series(65, 90) b
WHERE country_code_valid(chr(a) || chr(b));

--
-- 10. Normalisers: successful results
--
SELECT normalize_bic(' habalt22 '), normalize_email('  Jonas@Imone.LT '),
       normalize_country(' lt '), normalize_company_code(' 110 003 978 ', 'lt'),
       normalize_company_code('hrb 12345/b', 'DE'),
       normalize_personal_code('36813280103', 'LT', false),
       normalize_personal_code('ab 123-4', 'US'),
       normalize_vat_code('lt 100-001-919-017');

-- SQLSTATE of the normalisers' errors is invalid_parameter_value (22023)
DO $$
BEGIN
    PERFORM normalize_iban('LT00');
EXCEPTION WHEN invalid_parameter_value THEN
    RAISE NOTICE 'caught invalid_parameter_value (%)', SQLSTATE;
END $$;

-- the boolean checks work in CHECK constraints
CREATE TEMP TABLE acct (iban text CHECK (iban_valid(iban)));
INSERT INTO acct VALUES ('LT121000011101001000');
INSERT INTO acct VALUES ('LT121000011101001001');

--
-- 11. Every error path of every normaliser
--
-- normalize_iban / format_iban / iban_bank_code
SELECT normalize_iban('');
SELECT normalize_iban('LT12 1000 0111 0100 100/');
SELECT normalize_iban('1234567890');
SELECT normalize_iban('LTAB1000011101001000');
SELECT normalize_iban('QQ93 1234 5678');
SELECT normalize_iban('LT12 1000 0111 0100 100');
SELECT normalize_iban('LV80 BANK 0000 4351 9500 12');
SELECT normalize_iban('EE38 2200 2210 2014 568');
SELECT normalize_iban('PL61 1090 1014 0000 0712 1981 287');
SELECT normalize_iban('AT93 1904 3002 3457 3201 99');
SELECT normalize_iban('NL56 3003 0A17 1643 00');
SELECT normalize_iban('GI22 NW3K 0000 0000 7099 453');
SELECT normalize_iban('LT000000000000000001');
SELECT normalize_iban('LT121000011101001001');
SELECT normalize_iban('ES2121000418450200051331');
SELECT format_iban('LT121000011101001001');
SELECT iban_bank_code('LT121000011101001001');
-- normalize_bic
SELECT normalize_bic(' ');
SELECT normalize_bic('HABALT2');
SELECT normalize_bic('HAB1LT22');
SELECT normalize_bic('HABA1T22');
SELECT normalize_bic('HABAQQ22');
SELECT normalize_bic('HABALT2!');
SELECT normalize_bic('HABALT22X!X');
-- normalize_vat_code
SELECT normalize_vat_code('');
SELECT normalize_vat_code('LT119511515/1');
SELECT normalize_vat_code('119511515', 'Lithuania');
SELECT normalize_vat_code('GR094259216');
SELECT normalize_vat_code('LT11951151A');
SELECT normalize_vat_code('LT11951151');
SELECT normalize_vat_code('LT 100001354');
SELECT normalize_vat_code('100001919018', 'LT');
SELECT normalize_vat_code('LT LT 354991917');
SELECT normalize_vat_code('LV4000352160');
SELECT normalize_vat_code('LV 40003521601');
SELECT normalize_vat_code('161375-19997', 'LV');
SELECT normalize_vat_code('EE10059410');
SELECT normalize_vat_code('EE 100594103');
SELECT normalize_vat_code('PL 856734621');
SELECT normalize_vat_code('PL 8567346216');
SELECT normalize_vat_code('ATU 151592092');
SELECT normalize_vat_code('NO1', 'NO');
SELECT normalize_vat_code('QQ 124567');
SELECT normalize_vat_code('NO923609016MVA', 'LT');
SELECT normalize_vat_code('NO923609016MVA');
SELECT normalize_vat_code('119511515');
SELECT normalize_vat_code('923609016MVA', 'NO');
-- normalize_company_code
SELECT normalize_company_code(' ', 'LT');
SELECT normalize_company_code('110003978', 'LTU');
SELECT normalize_company_code('11000397A', 'LT');
SELECT normalize_company_code('12345678', 'LT');
SELECT normalize_company_code('110003979', 'LT');
SELECT normalize_company_code('32345674', 'EE');
SELECT normalize_company_code('12345679', 'EE');
SELECT normalize_company_code('16117519997', 'LV');
SELECT normalize_company_code('40003521601', 'LV');
SELECT normalize_company_code('12345678901', 'PL');
SELECT normalize_company_code('856-734-62-16', 'PL');
SELECT normalize_company_code('123456789012345678901', 'DE');
SELECT normalize_company_code('HRB 12345_B', 'DE');
-- normalize_personal_code
SELECT normalize_personal_code('', 'LT');
SELECT normalize_personal_code('33309240064', 'L');
SELECT normalize_personal_code('3330924006X', 'LT');
SELECT normalize_personal_code('3330924006', 'LT');
SELECT normalize_personal_code('73309240063', 'LT');
SELECT normalize_personal_code('93309240065', 'EE');
SELECT normalize_personal_code('33309240164', 'LT');
SELECT normalize_personal_code('36813280103', 'LT');
SELECT normalize_personal_code('36813280103', 'EE');
SELECT normalize_personal_code('123456789012345678901', 'FI');
SELECT normalize_personal_code('131052+308T', 'FI');
-- normalize_email
SELECT normalize_email('   ');
SELECT normalize_email(repeat('a', 64) || '@' || repeat('b', 63) || '.' || repeat('c', 63) || '.' || repeat('d', 63) || '.com');
SELECT normalize_email('info.example.com');
SELECT normalize_email('info@example@com');
SELECT normalize_email('@example.com');
SELECT normalize_email(repeat('a', 65) || '@example.com');
SELECT normalize_email('in fo@example.com');
SELECT normalize_email('info@');
SELECT normalize_email('info@localhost');
SELECT normalize_email('info@example..com');
SELECT normalize_email('info@' || repeat('b', 64) || '.com');
SELECT normalize_email('info@example-.com');
SELECT normalize_email('info@exa_mple.com');
SELECT normalize_email('info@example.c');
-- normalize_country
SELECT normalize_country('');
SELECT normalize_country('LTU');
SELECT normalize_country('QQ');
