/* client_registry--0.1.0--0.2.0.sql -- built by the Makefile from the parts in sql/0.2.0/ (released: do not edit) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION client_registry UPDATE TO '0.2.0'" to load this file. \quit
