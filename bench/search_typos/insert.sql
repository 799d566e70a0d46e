-- bench/search_typos/insert.sql -- what keeping the words costs a new card:
-- u single-row INSERTs (one statement each, as an application adds cards),
-- in a transaction that is rolled back.  psql variables: u (cards), kind
-- ('known': names made of words the registry has; 'new': two words no card
-- has).  Prints the microseconds per card.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = client_registry, public;
BEGIN;
DO $$
DECLARE
    u int := current_setting('bench.u')::int;
    kind text := current_setting('bench.kind');
    nmax bigint := (SELECT max(id) FROM client_registry.client);
    base bigint := nmax + 1000;
    t0 timestamptz := clock_timestamp();
    nm text;
BEGIN
    FOR i IN 1..u LOOP
        IF kind = 'known' THEN
            SELECT c.name INTO nm FROM client_registry.client c WHERE c.id = 2 + (i * 7919) % (nmax - 1);
        ELSE
            -- two new words of 12 letters (no digits: they get their deletion keys)
            nm := 'UAB „Naujas' || translate(left(md5(i::text || 'a'), 6), '0123456789', 'ghijklmnop')
                  || ' Kitas' || translate(left(md5(i::text || 'b'), 7), '0123456789', 'ghijklmnop') || '"';
        END IF;
        INSERT INTO client_registry.client (id, kind, name) VALUES (base + i, 'buyer', nm);
    END LOOP;
    RAISE WARNING 'us_per_card=%', round((extract(epoch FROM clock_timestamp() - t0) * 1e6 / u)::numeric, 1);
END
$$;
ROLLBACK;
