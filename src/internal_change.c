/*
 * internal_change.c
 *		Telling the workers' triggers that a change is the registry's own
 *		(issue #17).
 *
 * A merge, an unmerge or an erasure changes rows that the registry's
 * triggers would refuse from a user (a posted invoice's client, a
 * counterparty snapshot past retention).  On one node the triggers ask a
 * backend-local depth counter (cr_merge_depth, cr_erasure_depth,
 * cr_internal_change_depth) that the running function raised.  On Citus the
 * function runs on the coordinator and the triggers on the workers, in other
 * backends: the counter does not reach them, and a setting alone would let
 * any user who can SET it switch the rules off.
 *
 * So the coordinator sets, for its transaction only (SET LOCAL, which Citus
 * propagates with citus.propagate_set_commands = 'local'),
 *
 *     client_registry.internal_change = '<kinds>:<node>:<number>:<stamp>:<hmac>'
 *
 * where node/number/stamp are Citus's distributed transaction id -- the same
 * on the coordinator and on every worker taking part in the transaction --
 * and hmac is HMAC-SHA256 of kinds and that id under the key of
 * client_registry.citus_secret (a reference table only the owner reads).
 * A worker's trigger accepts the token only if the HMAC is right for its own
 * current distributed transaction: a user cannot forge it without the key,
 * and a token seen once (it is readable in the worker's pg_stat_activity
 * while the transaction runs) is worthless in any other transaction.
 *
 * On one node the setting is never set and never read: CrInternalChange()
 * and friends are the depth counters, one comparison each.
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "client_registry.h"
#include "internal_change.h"
#include "shard_map.h"
#include "trigger_support.h"

static char *cr_internal_change = NULL;

/* the last token checked, and its verdict, in this transaction */
static LocalTransactionId verified_in = InvalidLocalTransactionId;
static char verified_token[256];
static bool verified_ok = false;

void
CrDefineInternalChangeSetting(void)
{
	DefineCustomStringVariable("client_registry.internal_change",
							   "Citus only: the token with which the coordinator tells the workers' triggers that a change is the registry's own.",
							   "Set by merge_clients(), unmerge() and erase_personal_data() for their transaction; a value nobody else can forge (an HMAC of the distributed transaction id). Never set it by hand.",
							   &cr_internal_change,
							   "",
							   PGC_USERSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							   NULL, NULL, NULL);
}

/*
 * ReadKey: the key of citus_secret (as the table's owner), or NULL.  SPI
 * connected.
 */
static bytea *
ReadKey(void)
{
	Oid			relid = get_relname_relid("citus_secret", get_namespace_oid(CR_SCHEMA, false));
	CrUserSwitch sw;
	int			ret;
	bytea	   *key = NULL;
	Relation	rel;

	if (!OidIsValid(relid))
		return NULL;
	rel = relation_open(relid, AccessShareLock);
	CrBecomeOwner(rel, &sw);
	ret = SPI_execute("SELECT secret FROM client_registry.citus_secret WHERE id OPERATOR(pg_catalog.=) 1",
					  true, 1);
	CrRestoreUser(&sw);
	relation_close(rel, AccessShareLock);
	if (ret == SPI_OK_SELECT && SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			key = DatumGetByteaPCopy(d);
	}
	return key;
}

/*
 * DistributedTransactionId: Citus's id of the current distributed
 * transaction; false when there is none.  SPI connected.
 */
static bool
DistributedTransactionId(int32 *node, int64 *number, int64 *stamp)
{
	int			ret;
	bool		isnull;

	ret = SPI_execute("SELECT initiator_node_identifier, transaction_number,"
					  " (pg_catalog.date_part('epoch', transaction_stamp) OPERATOR(pg_catalog.*) 1000000)::pg_catalog.int8"
					  " FROM pg_catalog.get_current_transaction_id()", true, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		return false;
	*node = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	*number = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	*stamp = isnull ? 0 : DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	return *number != 0;
}

/* MakeToken: "<kinds>:<node>:<number>:<stamp>:<hex hmac>" */
static char *
MakeToken(const bytea *key, const char *kinds, int32 node, int64 number, int64 stamp)
{
	char	   *message = psprintf("%s:%d:" INT64_FORMAT ":" INT64_FORMAT, kinds, node, number, stamp);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char		hex[PG_SHA256_DIGEST_LENGTH * 2 + 1];
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);
	int			i;

	if (ctx == NULL
		|| pg_hmac_init(ctx, (const uint8 *) VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)) < 0
		|| pg_hmac_update(ctx, (const uint8 *) message, strlen(message)) < 0
		|| pg_hmac_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "computing the internal change token failed");
	pg_hmac_free(ctx);
	for (i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return psprintf("%s:%s", message, hex);
}

/*
 * TokenHas: is the setting a valid token for this distributed transaction
 * that names kind?  The verdict is cached per transaction and token.
 */
static bool
TokenHas(char kind)
{
	const char *token = cr_internal_change;
	const char *colon;

	if (token == NULL || token[0] == '\0')
		return false;
	colon = strchr(token, ':');
	if (colon == NULL || memchr(token, kind, colon - token) == NULL)
		return false;
	if (verified_in != MyProc->lxid || strcmp(verified_token, token) != 0)
	{
		bool		ok = false;
		char		kinds[8];
		int32		node;
		int64		number,
					stamp;

		if (strlen(token) < sizeof(verified_token) && colon - token < (int) sizeof(kinds)
			&& CrCitusLoaded())
		{
			bytea	   *key;

			memcpy(kinds, token, colon - token);
			kinds[colon - token] = '\0';
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			key = ReadKey();
			if (key != NULL && DistributedTransactionId(&node, &number, &stamp))
			{
				char	   *expected = MakeToken(key, kinds, node, number, stamp);
				size_t		n = strlen(expected);
				int			diff = (strlen(token) != n);
				size_t		i;

				for (i = 0; i < n && token[i]; i++)
					diff |= expected[i] ^ token[i];
				ok = (diff == 0);
			}
			SPI_finish();
		}
		if (!ok && strlen(token) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("client_registry.internal_change is not valid in this transaction"),
					 errdetail("Only merge_clients(), unmerge() and erase_personal_data() set it, for their own transaction."),
					 errhint("RESET client_registry.internal_change.")));
		verified_in = MyProc->lxid;
		strlcpy(verified_token, token, sizeof(verified_token));
		verified_ok = ok;
	}
	return verified_ok;
}

bool
CrInternalChange(void)
{
	return cr_internal_change_depth > 0 || TokenHas('i');
}

bool
CrMergeInProgress(void)
{
	return cr_merge_depth > 0 || TokenHas('m');
}

bool
CrErasureInProgress(void)
{
	return cr_erasure_depth > 0 || TokenHas('e');
}

bool
CrInternalChangeBegin(const char *kinds)
{
	int32		node;
	int64		number,
				stamp;
	bytea	   *key;
	char	   *token = NULL;

	if (!CrCitusLoaded())
		return false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	key = ReadKey();
	if (key != NULL)
	{
		if (!DistributedTransactionId(&node, &number, &stamp))
		{
			/*
			 * No distributed transaction yet: give this one its id now (Citus
			 * keeps an id assigned before its first remote command).
			 */
			int			ret = SPI_execute(
				"SELECT pg_catalog.assign_distributed_transaction_id(g.groupid,"
				" (pg_catalog.pg_backend_pid()::pg_catalog.int8 OPERATOR(pg_catalog.<<) 32)"
				"   OPERATOR(pg_catalog.|) (pg_catalog.txid_current() OPERATOR(pg_catalog.&) 4294967295),"
				" pg_catalog.now()) FROM pg_catalog.pg_dist_local_group g", false, 1);

			if (ret != SPI_OK_SELECT || !DistributedTransactionId(&node, &number, &stamp))
				elog(ERROR, "could not assign a distributed transaction id");
		}
		token = MakeToken(key, kinds, node, number, stamp);
	}
	SPI_finish();
	if (token == NULL)
		return false;
	(void) set_config_option("citus.propagate_set_commands", "local", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
	(void) set_config_option("client_registry.internal_change", token, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
	return true;
}

void
CrInternalChangeEnd(bool set)
{
	if (set)
		(void) set_config_option("client_registry.internal_change", "", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);
}
