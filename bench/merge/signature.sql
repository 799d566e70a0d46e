-- bench/merge/signature.sql -- one line: what the re-pointing left, to compare
-- the merge with the baseline (same clients, same rows per client and table,
-- same primaries, same balances).
SELECT md5(string_agg(x, ';' ORDER BY x)) AS signature, count(*) AS groups
  FROM (SELECT 'client:' || id || ':' || kind FROM client_registry.client
        UNION ALL SELECT format('invoice:%s:%s', client_id, count(*)) FROM client_registry.invoice GROUP BY client_id
        UNION ALL SELECT format('payment:%s:%s', client_id, count(*)) FROM client_registry.payment GROUP BY client_id
        UNION ALL SELECT format('address:%s:%s:%s', client_id, count(*), count(*) FILTER (WHERE is_primary)) FROM client_registry.client_address GROUP BY client_id
        UNION ALL SELECT format('bank:%s:%s:%s', client_id, count(*), count(*) FILTER (WHERE is_primary)) FROM client_registry.client_bank_account GROUP BY client_id
        UNION ALL SELECT format('contact:%s:%s:%s', client_id, count(*), count(*) FILTER (WHERE is_primary)) FROM client_registry.client_contact GROUP BY client_id
        UNION ALL SELECT format('label:%s:%s', client_id, count(*)) FROM client_registry.client_label GROUP BY client_id
        UNION ALL SELECT format('delivery:%s:%s', client_id, count(*)) FROM public.delivery GROUP BY client_id
        UNION ALL SELECT format('balance:%s:%s:%s', client_id, receivable, payable) FROM client_registry.client_balance
       ) s(x);
