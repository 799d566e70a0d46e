/* client_registry--0.3.0--0.4.0.sql -- built by the Makefile from the parts in sql/0.4.0/ */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION client_registry UPDATE TO '0.4.0'" to load this file. \quit
