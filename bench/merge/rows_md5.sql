-- bench/merge/rows_md5.sql -- md5 of every row of every table the merge may
-- change (client_balance, derived, is checked apart), to show that
-- merge_preview changes nothing and unmerge puts every row back as it was.
SELECT string_agg(tab || '=' || h, ' ' ORDER BY tab) FROM (
    SELECT 'client' AS tab, md5(string_agg(t::text, '|' ORDER BY id)) AS h FROM client_registry.client t
    UNION ALL SELECT 'address', md5(string_agg(t::text, '|' ORDER BY id)) FROM client_registry.client_address t
    UNION ALL SELECT 'bank', md5(string_agg(t::text, '|' ORDER BY id)) FROM client_registry.client_bank_account t
    UNION ALL SELECT 'contact', md5(string_agg(t::text, '|' ORDER BY id)) FROM client_registry.client_contact t
    UNION ALL SELECT 'label', md5(string_agg(t::text, '|' ORDER BY client_id, label_id)) FROM client_registry.client_label t
    UNION ALL SELECT 'invoice', md5(string_agg(t::text, '|' ORDER BY id)) FROM client_registry.invoice t
    UNION ALL SELECT 'payment', md5(string_agg(t::text, '|' ORDER BY id)) FROM client_registry.payment t
    UNION ALL SELECT 'delivery', md5(string_agg(t::text, '|' ORDER BY id)) FROM public.delivery t
    UNION ALL SELECT 'nonzero_balance', md5(string_agg(t::text, '|' ORDER BY client_id)) FROM client_registry.client_balance t
     WHERE receivable <> 0 OR payable <> 0
) s;
