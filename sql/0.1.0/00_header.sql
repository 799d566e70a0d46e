/* client_registry--0.1.0.sql -- the 0.1.0 install script, built by the Makefile from the parts in sql/0.1.0/ (released: do not edit) */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION client_registry" to load this file. \quit

CREATE FUNCTION current_tenant() RETURNS integer
    AS 'MODULE_PATHNAME', 'cr_current_tenant_id' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION current_tenant() IS
    'The tenant of this session: the setting client_registry.tenant (default 1).';

CREATE FUNCTION default_country() RETURNS text
    AS 'MODULE_PATHNAME', 'cr_default_country_code' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION default_country() IS
    'The country assumed for new clients and addresses: the setting client_registry.default_country (default LT).';
