
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
