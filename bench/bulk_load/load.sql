-- bench/bulk_load/load.sql
-- The timed part: three COPYs (each its own transaction) from the CSV files
-- written by gen_data.sql.  psql variable: csvdir.  The same statements run
-- against every variant.  bulk_load.sh reads the three "Time:" lines (wall
-- clock) and the "cpu:" lines (CPU time of the backend from /proc, in clock
-- ticks, before and after each COPY; less sensitive to other load on the
-- machine than the wall clock).
\set ON_ERROR_STOP on
SELECT format('COPY client_registry.client (id, tenant_id, kind, name, company_code, vat_code, email, country) FROM %L WITH (FORMAT csv)',
              :'csvdir' || '/client.csv') AS copy_client \gset
SELECT format('COPY client_registry.client_address (id, tenant_id, client_id, address_type, street, city, postal_code, country) FROM %L WITH (FORMAT csv)',
              :'csvdir' || '/client_address.csv') AS copy_address \gset
SELECT format('COPY client_registry.client_bank_account (id, tenant_id, client_id, iban, bank_name, bank_code, currency) FROM %L WITH (FORMAT csv)',
              :'csvdir' || '/client_bank_account.csv') AS copy_bank \gset
SELECT pg_backend_pid() AS backend_pid \gset
\setenv BENCH_BACKEND_PID :backend_pid
\timing on
\! awk '{print "cpu:", $14 + $15}' /proc/$BENCH_BACKEND_PID/stat
:copy_client;
\! awk '{print "cpu:", $14 + $15}' /proc/$BENCH_BACKEND_PID/stat
\! awk '{print "cpu:", $14 + $15}' /proc/$BENCH_BACKEND_PID/stat
:copy_address;
\! awk '{print "cpu:", $14 + $15}' /proc/$BENCH_BACKEND_PID/stat
\! awk '{print "cpu:", $14 + $15}' /proc/$BENCH_BACKEND_PID/stat
:copy_bank;
\! awk '{print "cpu:", $14 + $15}' /proc/$BENCH_BACKEND_PID/stat
