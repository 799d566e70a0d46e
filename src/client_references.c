/*
 * client_references.c
 *		Finding every foreign key that references the client table.
 *
 * The catalog is the only complete list: tables of this extension, tables
 * of later versions, and the user's own tables in any schema all show up as
 * pg_constraint rows with contype 'f' and confrelid = client.  Keys may be
 * composite (tenant_id, client_id); several keys of one table are separate
 * rows.  For a partitioned table only the parent constraint is returned
 * (conparentid = 0): a query on the parent covers the partitions.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "client_references.h"

/*
 * CrFindClientReferences returns a List of CrClientReference, ordered by
 * schema, table and constraint name (a stable order for messages and locks).
 */
List *
CrFindClientReferences(Oid clientrelid, MemoryContext resultcxt)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(clientrelid)};
	List	   *result = NIL;
	int			ret;

	ret = SPI_execute_with_args(
								"SELECT c.conrelid, r.relowner, n.nspname::text, r.relname::text, c.conname::text,"
								"       c.confdeltype, c.conkey, c.confkey, c.condeferred"
								"  FROM pg_catalog.pg_constraint c"
								"  JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) c.conrelid"
								"  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) r.relnamespace"
								" WHERE c.contype OPERATOR(pg_catalog.=) 'f'"
								"   AND c.confrelid OPERATOR(pg_catalog.=) $1"
								"   AND c.conparentid OPERATOR(pg_catalog.=) 0"
								" ORDER BY 3, 4, 5",
								1, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));

	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(t, d, 1, &isnull));
		ArrayType  *conkey = DatumGetArrayTypeP(SPI_getbinval(t, d, 7, &isnull));
		ArrayType  *confkey = DatumGetArrayTypeP(SPI_getbinval(t, d, 8, &isnull));
		Datum	   *fk;
		Datum	   *pk;
		int			nfk;
		int			npk;
		MemoryContext old;
		CrClientReference *ref;

		deconstruct_array(conkey, INT2OID, 2, true, TYPALIGN_SHORT, &fk, NULL, &nfk);
		deconstruct_array(confkey, INT2OID, 2, true, TYPALIGN_SHORT, &pk, NULL, &npk);
		if (nfk != npk)
			elog(ERROR, "foreign key %s has %d referencing and %d referenced columns",
				 SPI_getvalue(t, d, 5), nfk, npk);

		old = MemoryContextSwitchTo(resultcxt);
		ref = palloc0(sizeof(CrClientReference));
		ref->relid = relid;
		ref->relowner = DatumGetObjectId(SPI_getbinval(t, d, 2, &isnull));
		ref->qualified_name = pstrdup(quote_qualified_identifier(SPI_getvalue(t, d, 3),
																 SPI_getvalue(t, d, 4)));
		ref->constraint_name = pstrdup(SPI_getvalue(t, d, 5));
		ref->on_delete = DatumGetChar(SPI_getbinval(t, d, 6, &isnull));
		ref->initially_deferred = DatumGetBool(SPI_getbinval(t, d, 9, &isnull));
		ref->nkeys = nfk;
		ref->fk_columns = palloc(sizeof(char *) * nfk);
		ref->fk_raw = palloc(sizeof(char *) * nfk);
		ref->fk_attnums = palloc(sizeof(int16) * nfk);
		ref->pk_attnums = palloc(sizeof(int16) * nfk);
		for (int k = 0; k < nfk; k++)
		{
			ref->fk_attnums[k] = DatumGetInt16(fk[k]);
			ref->fk_raw[k] = get_attname(relid, ref->fk_attnums[k], false);
			ref->fk_columns[k] = pstrdup(quote_identifier(ref->fk_raw[k]));
			ref->pk_attnums[k] = DatumGetInt16(pk[k]);
		}
		result = lappend(result, ref);
		MemoryContextSwitchTo(old);
	}
	return result;
}
