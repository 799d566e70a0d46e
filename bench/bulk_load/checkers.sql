-- bench/bulk_load/checkers.sql
-- Identifier checks in PL/pgSQL, created in the first schema of search_path.
-- Used by the PLPGSQL variant's triggers (schema client_registry) and, as an
-- independent checker of the generated data, in the generator database
-- (schema bench).  Algorithms: docs/identifiers.md.

-- LT-mod11 (docs/identifiers.md 1): the last digit of d is the check digit of the others.
-- Weights 1..9,1.. mod 11; if 10, weights 3..9,1,2,3.. mod 11; if 10 again, 0.
CREATE FUNCTION lt_mod11_ok(d text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    n   int := length(d);
    s1  int := 0;
    s2  int := 0;
    v   int;
    c   int;
BEGIN
    IF n < 2 OR d !~ '^[0-9]+$' THEN
        RETURN false;
    END IF;
    FOR i IN 0 .. n - 2 LOOP
        v := ascii(substr(d, i + 1, 1)) - 48;
        s1 := s1 + v * (i % 9 + 1);
        s2 := s2 + v * ((i + 2) % 9 + 1);
    END LOOP;
    c := s1 % 11;
    IF c = 10 THEN
        c := s2 % 11;
        IF c = 10 THEN
            c := 0;
        END IF;
    END IF;
    RETURN c = ascii(substr(d, n, 1)) - 48;
END
$$;

-- IBAN length by country (the countries this registry meets most; others
-- only get the generic 15..34 range).
CREATE FUNCTION iban_length(country text) RETURNS int
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE country
        WHEN 'LT' THEN 20 WHEN 'LV' THEN 21 WHEN 'EE' THEN 20 WHEN 'PL' THEN 28
        WHEN 'DE' THEN 22 WHEN 'FI' THEN 18 WHEN 'SE' THEN 24 WHEN 'DK' THEN 18
        WHEN 'NO' THEN 15 WHEN 'GB' THEN 22 WHEN 'FR' THEN 27 WHEN 'NL' THEN 18
        WHEN 'BE' THEN 16 WHEN 'AT' THEN 20 WHEN 'CH' THEN 21 WHEN 'IE' THEN 22
        WHEN 'ES' THEN 24 WHEN 'IT' THEN 27 WHEN 'CZ' THEN 24 WHEN 'UA' THEN 29
    END
$$;

-- ISO 7064 mod 97 of a compact upper-case IBAN (1 = valid).  Fast path: an
-- all-digit BBAN is rearranged into one number and reduced with numeric
-- arithmetic; otherwise letters are expanded character by character.
CREATE FUNCTION iban_mod97(c text) RETURNS int
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    r   text;
    m   int := 0;
    ch  int;
BEGIN
    IF substr(c, 5) ~ '^[0-9]+$' THEN
        RETURN ((substr(c, 5)
                 || (ascii(substr(c, 1, 1)) - 55)::text
                 || (ascii(substr(c, 2, 1)) - 55)::text
                 || substr(c, 3, 2))::numeric % 97)::int;
    END IF;
    r := substr(c, 5) || left(c, 4);
    FOR i IN 1 .. length(r) LOOP
        ch := ascii(substr(r, i, 1));
        IF ch BETWEEN 48 AND 57 THEN
            m := (m * 10 + ch - 48) % 97;
        ELSE
            m := (m * 100 + ch - 55) % 97;
        END IF;
    END LOOP;
    RETURN m;
END
$$;
