-- bench/bulk_load/verify.sql
-- After the timed load: row counts, primaries, and a fingerprint of the
-- loaded data that must be the same in every variant (it is printed by
-- bulk_load.sh, which warns when two variants differ).
\set ON_ERROR_STOP on
SELECT (SELECT count(*) FROM client_registry.client) AS clients,
       (SELECT count(*) FROM client_registry.client_address) AS addresses,
       (SELECT count(*) FILTER (WHERE is_primary) FROM client_registry.client_address) AS primary_addresses,
       (SELECT count(*) FROM client_registry.client_bank_account) AS bank_accounts,
       (SELECT count(*) FILTER (WHERE is_primary) FROM client_registry.client_bank_account) AS primary_bank_accounts,
       (SELECT sum(hashtext(concat_ws('|', id, tenant_id, kind, legal_form, name, company_code, vat_code,
                                      email, country)))
          FROM client_registry.client)
     + (SELECT sum(hashtext(concat_ws('|', id, tenant_id, client_id, is_primary, address_type, street, city,
                                      postal_code, country)))
          FROM client_registry.client_address)
     + (SELECT sum(hashtext(concat_ws('|', id, tenant_id, client_id, iban, bic, bank_name, bank_code,
                                      currency, is_primary)))
          FROM client_registry.client_bank_account) AS fingerprint;
