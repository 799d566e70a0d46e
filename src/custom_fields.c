/*
 * custom_fields.c
 *		User-defined client fields (R1.2 "as many as the user wants").
 *
 * client.custom_fields is a JSON object.  Each key must be defined in the
 * tenant's definitions (tenant.custom_fields, {"key": {"type": ...,
 * "description": ...}}), and its value must have the declared type:
 *		text     a JSON string
 *		integer  a JSON number without fraction or exponent, fits in bigint
 *		numeric  a JSON number
 *		boolean  true or false
 *		date     a JSON string YYYY-MM-DD naming a real calendar date
 * JSON null is allowed for every type and means "no value".
 *
 * The definitions live on the tenant row, which every client references, so
 * a dump restores them before the clients whose values they govern.
 * cr_tenant_before_write checks the definitions themselves and refuses to
 * drop or retype a field that a client still uses.
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "client_registry.h"
#include "custom_fields.h"
#include "shard_map.h"
#include "trigger_support.h"

static SPIPlanPtr definitions_plan = NULL;
static SPIPlanPtr usage_plan = NULL;

/*
 * IsIsoDate tells whether s is YYYY-MM-DD and a real calendar date.
 */
static bool
IsIsoDate(const char *s)
{
	int			y,
				m,
				d;
	int			yy,
				mm,
				dd;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char) s[i]))
			return false;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	j2date(date2j(y, m, d), &yy, &mm, &dd);
	return yy == y && mm == m && dd == d;
}

/*
 * IsIntegral tells whether the text of a JSON number is a bigint.
 */
static bool
IsIntegral(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '\0' || strlen(p) > 19)
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char) *p))
			return false;
	if (strlen(s) >= 19)
	{
		char	   *end;

		errno = 0;
		(void) strtoll(s, &end, 10);
		if (errno == ERANGE)
			return false;
	}
	return true;
}

/*
 * CrCheckCustomFields raises check_violation (23514) for an undefined key or
 * a value of the wrong type.
 */
void
CrCheckCustomFields(Relation clientrel, int32 tenant_id, const char *client_name,
					Jsonb *fields)
{
	Datum		args[2];
	SPIPlanPtr	plan;

	if (!JB_ROOT_IS_OBJECT(fields) || JB_ROOT_IS_SCALAR(fields))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("custom fields of client \"%s\" must be a JSON object", client_name),
				 errdetail("Got a JSON %s.", JB_ROOT_IS_ARRAY(fields) && !JB_ROOT_IS_SCALAR(fields) ? "array" : "scalar"),
				 errhint("Write {\"field\": value, ...}; use {} for none."),
				 CrErrTableCol(clientrel, CrAttnum(clientrel, "custom_fields"))));
	if (JB_ROOT_COUNT(fields) == 0)
		return;

	SPI_connect();
	{
		Oid			argtypes[2] = {JSONBOID, INT4OID};

		/* on a Citus worker: the local placement of the tenant reference table */
		plan = CrKeepPlanAt(clientrel, &definitions_plan,
									   "WITH t AS (SELECT custom_fields FROM client_registry.tenant"
									   "            WHERE id OPERATOR(pg_catalog.=) $2 FOR SHARE)"
									   "SELECT k.key, pg_catalog.jsonb_typeof(k.value), k.value OPERATOR(pg_catalog.#>>) '{}'::text[],"
									   "       (SELECT t.custom_fields OPERATOR(pg_catalog.->) k.key OPERATOR(pg_catalog.->>) 'type' FROM t)"
									   "  FROM pg_catalog.jsonb_each($1) AS k",
									   2, argtypes);
	}
	args[0] = JsonbPGetDatum(fields);
	args[1] = Int32GetDatum(tenant_id);

	/*
	 * The tenant row is share-locked while its definitions are read, so a
	 * concurrent drop_custom_field() waits for us and then sees our value
	 * (and refuses), instead of dropping a field we are about to use.  Read
	 * with the owner's rights: FOR SHARE needs more than applications have.
	 */
	CrRunPlan(plan, args, NULL, false, 0, clientrel, SPI_OK_SELECT, "the custom field definitions");

	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	t = SPI_tuptable->vals[r];
		TupleDesc	d = SPI_tuptable->tupdesc;
		char	   *key = SPI_getvalue(t, d, 1);
		char	   *jtype = SPI_getvalue(t, d, 2);
		char	   *value = SPI_getvalue(t, d, 3);
		char	   *dtype = SPI_getvalue(t, d, 4);
		bool		ok;

		if (dtype == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("custom field \"%s\" of client \"%s\" is not defined in tenant %d",
							key, client_name, tenant_id),
					 errdetail("client.custom_fields may only use keys defined for the tenant (tenant.custom_fields)."),
					 errhint("Define it first, for example: SELECT client_registry.define_custom_field('%s', 'text');",
							 key),
					 CrErrTableCol(clientrel, CrAttnum(clientrel, "custom_fields"))));
		if (strcmp(jtype, "null") == 0)
			continue;
		if (strcmp(dtype, "text") == 0)
			ok = strcmp(jtype, "string") == 0;
		else if (strcmp(dtype, "integer") == 0)
			ok = strcmp(jtype, "number") == 0 && IsIntegral(value);
		else if (strcmp(dtype, "numeric") == 0)
			ok = strcmp(jtype, "number") == 0;
		else if (strcmp(dtype, "boolean") == 0)
			ok = strcmp(jtype, "boolean") == 0;
		else
			ok = strcmp(jtype, "string") == 0 && IsIsoDate(value);
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("custom field \"%s\" of client \"%s\" must be of type %s, not %s \"%s\"",
							key, client_name, dtype, jtype, value ? value : "null"),
					 errdetail("The field is defined as %s in tenant %d.", dtype, tenant_id),
					 errhint("%s",
							 strcmp(dtype, "date") == 0 ? "Write dates as JSON strings YYYY-MM-DD, for example \"2026-11-25\"." :
							 strcmp(dtype, "integer") == 0 ? "Write a JSON number without fraction, for example 42." :
							 strcmp(dtype, "numeric") == 0 ? "Write a JSON number, for example 12.50." :
							 strcmp(dtype, "boolean") == 0 ? "Write true or false." :
							 "Write a JSON string in double quotes."),
					 CrErrTableCol(clientrel, CrAttnum(clientrel, "custom_fields"))));
	}
	SPI_finish();
}

static const char *const field_types[] = {"text", "integer", "numeric", "boolean", "date"};

/*
 * DefinitionType returns the "type" of one definition, checking its shape.
 */
static const char *
DefinitionType(const char *key, Jsonb *defs, Relation rel)
{
	JsonbValue	k;
	JsonbValue *def;
	JsonbValue *type;
	bool		name_ok = key[0] >= 'a' && key[0] <= 'z' && strlen(key) <= 63;

	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			name_ok = false;
	if (!name_ok)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("invalid custom field name \"%s\"", key),
				 errdetail("A field name has 1 to 63 lower-case letters, digits and _, starting with a letter."),
				 errhint("For example: loyalty_card, contract_signed_on."),
				 CrErrTableCol(rel, CrAttnum(rel, "custom_fields"))));

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	def = findJsonbValueFromContainer(&defs->root, JB_FOBJECT, &k);
	type = NULL;
	if (def != NULL && def->type == jbvBinary)
	{
		JsonbValue	tk;

		tk.type = jbvString;
		tk.val.string.val = "type";
		tk.val.string.len = 4;
		type = findJsonbValueFromContainer(def->val.binary.data, JB_FOBJECT, &tk);
	}
	if (type != NULL && type->type == jbvString)
	{
		for (size_t i = 0; i < lengthof(field_types); i++)
			if (strlen(field_types[i]) == (size_t) type->val.string.len &&
				strncmp(field_types[i], type->val.string.val, type->val.string.len) == 0)
				return field_types[i];
	}
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("invalid definition of custom field \"%s\"", key),
			 errdetail("A definition is an object {\"type\": \"text|integer|numeric|boolean|date\", \"description\": \"...\"}."),
			 errhint("Use client_registry.define_custom_field(name, type, description)."),
			 CrErrTableCol(rel, CrAttnum(rel, "custom_fields"))));
	return NULL;				/* keep compiler quiet */
}

/*
 * FieldInUse returns the id (as text) of a client of the tenant that has a
 * value for the field, or NULL.  SPI must be connected.
 */
static char *
FieldInUse(Relation tenantrel, int32 tenant_id, const char *key)
{
	Datum		args[2];
	int			ret;

	if (CrIsShard(tenantrel))
	{
		/*
		 * A placement of the tenant reference table on a Citus node: the
		 * tenant's clients are in its shard of client, if that is placed on
		 * this node (each node's placement checks its own shards).
		 */
		Oid			shard = CrTenantShardRelid("client", tenant_id);
		Oid			argtypes[2] = {INT4OID, TEXTOID};

		if (shard == get_relname_relid("client", RelationGetNamespace(tenantrel)))
			return NULL;		/* not placed here */
		args[0] = Int32GetDatum(tenant_id);
		args[1] = CStringGetTextDatum(key);
		ret = SPI_execute_with_args(psprintf("SELECT id FROM %s WHERE tenant_id OPERATOR(pg_catalog.=) $1"
											 "   AND custom_fields OPERATOR(pg_catalog.?) $2 LIMIT 1",
											 quote_qualified_identifier(CR_SCHEMA, get_rel_name(shard))),
									2, argtypes, args, NULL, true, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));
		return SPI_processed > 0 ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : NULL;
	}
	if (usage_plan == NULL)
	{
		Oid			argtypes[2] = {INT4OID, TEXTOID};

		usage_plan = CrKeepPlan(
									   "SELECT id FROM client_registry.client"
									   " WHERE tenant_id OPERATOR(pg_catalog.=) $1"
									   "   AND custom_fields OPERATOR(pg_catalog.?) $2 LIMIT 1",
									   2, argtypes);
	}
	args[0] = Int32GetDatum(tenant_id);
	args[1] = CStringGetTextDatum(key);
	ret = SPI_execute_plan(usage_plan, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	return SPI_processed > 0 ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : NULL;
}

PG_FUNCTION_INFO_V1(cr_tenant_before_write);

/*
 * cr_tenant_before_write is the BEFORE INSERT OR UPDATE trigger of tenant:
 * it checks every custom field definition, and on UPDATE refuses to drop or
 * retype a field that a client of the tenant still uses.
 */
Datum
cr_tenant_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_tenant_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	newtuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	bool		isnull;
	Datum		d = heap_getattr(newtuple, CrAttnum(rel, "custom_fields"), RelationGetDescr(rel), &isnull);
	Jsonb	   *defs = isnull ? NULL : DatumGetJsonbP(d);
	int32		tenant_id = CrGetInt32(newtuple, rel, "id");
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	CrUserSwitch sw;

	if (defs == NULL || !JB_ROOT_IS_OBJECT(defs))
		return PointerGetDatum(newtuple);	/* the CHECK constraint reports it */

	/* every definition well-formed */
	it = JsonbIteratorInit(&defs->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		if (tok == WJB_KEY)
			(void) DefinitionType(pnstrdup(v.val.string.val, v.val.string.len), defs, rel);

	if (is_update)
	{
		Datum		od = heap_getattr(trigdata->tg_trigtuple, CrAttnum(rel, "custom_fields"),
									  RelationGetDescr(rel), &isnull);
		Jsonb	   *olddefs = isnull ? NULL : DatumGetJsonbP(od);
		int32		old_tenant = CrGetInt32(trigdata->tg_trigtuple, rel, "id");

		if (old_tenant != tenant_id)
			ereport(ERROR,
					(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
					 errmsg("tenant %d cannot be renumbered to %d", old_tenant, tenant_id),
					 errhint("Tenant ids are referenced by every row of the tenant; keep the id.")));
		if (olddefs == NULL || !JB_ROOT_IS_OBJECT(olddefs))
			return PointerGetDatum(newtuple);

		SPI_connect();
		it = JsonbIteratorInit(&olddefs->root);
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			char	   *key;
			const char *oldtype;
			JsonbValue	k;
			JsonbValue *still;
			bool		changed;
			char	   *client_id;

			if (tok != WJB_KEY)
				continue;
			key = pnstrdup(v.val.string.val, v.val.string.len);
			oldtype = DefinitionType(key, olddefs, rel);
			k = v;
			still = findJsonbValueFromContainer(&defs->root, JB_FOBJECT, &k);
			changed = still == NULL || strcmp(DefinitionType(key, defs, rel), oldtype) != 0;
			if (!changed)
				continue;
			CrBecomeOwner(rel, &sw);
			client_id = FieldInUse(rel, tenant_id, key);
			CrRestoreUser(&sw);
			if (client_id != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
						 errmsg("custom field \"%s\" is in use and cannot be %s", key,
								still == NULL ? "dropped" : "retyped"),
						 errdetail("Client %s of tenant %d has a value for it.", client_id, tenant_id),
						 errhint("Remove the key from every client first: UPDATE client_registry.client SET custom_fields = custom_fields - '%s' WHERE custom_fields ? '%s';",
								 key, key)));
		}
		SPI_finish();
	}
	return PointerGetDatum(newtuple);
}
