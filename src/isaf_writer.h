/*
 * isaf_writer.h
 *		Writing an i.SAF 1.2 file with libxml2's xmlTextWriter, streamed into
 *		a palloc'd buffer that becomes the returned text datum (no DOM, no
 *		second copy).  See isaf_writer.c.
 */
#ifndef CR_ISAF_WRITER_H
#define CR_ISAF_WRITER_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/date.h"
#include "utils/xml.h"

#include <libxml/xmlwriter.h>

/* Limits of the schema (isaf_1.2.xsd) */
#define ISAF_MAX_INVOICES		500000	/* Invoice per PurchaseInvoices / SalesInvoices */
#define ISAF_MAX_TOTALS			100		/* DocumentTotal per invoice */
#define ISAF_MAX_REFERENCES		1000	/* Reference per invoice */

/* Where the writer's bytes go: text datum under construction. */
typedef struct IsafOutput
{
	MemoryContext cxt;			/* holds data */
	char	   *data;			/* VARHDRSZ bytes reserved in front */
	Size		len;			/* bytes used, header included */
	Size		cap;
	bool		too_big;		/* would pass MaxAllocSize: refused */
	bool		no_memory;
} IsafOutput;

typedef struct IsafWriter
{
	xmlTextWriterPtr writer;	/* owns its xmlOutputBuffer */
	PgXmlErrorContext *xmlerrcxt;
	IsafOutput	out;
	StringInfoData raw;			/* fixed-format fragments not yet passed to the writer */
} IsafWriter;

typedef struct IsafHeader
{
	char		data_type;		/* 'F', 'S' or 'P' */
	const char *software_company;
	const char *software_name;
	const char *software_version;
	const char *registration_number;	/* digits only */
	int			number_of_parts;
	const char *part_id;		/* [A-Z0-9_]{1,20} */
	DateADT		period_start;
	DateADT		period_end;
	TimestampTz created;
} IsafHeader;

/* One DocumentTotal (strings already formatted, NULL = xsi:nil) */
typedef struct IsafTotal
{
	const char *tax_code;
	const char *tax_percentage;
	const char *taxable_value;	/* never NULL */
	const char *amount;
} IsafTotal;

/* One Reference of an invoice (number already converted) */
typedef struct IsafReference
{
	const char *reference_no;
	DateADT		reference_date;
} IsafReference;

/* One invoice of a register; text in UTF-8, NULL = absent. */
typedef struct IsafInvoice
{
	int64		id;				/* for messages */
	const char *invoice_no;
	DateADT		invoice_date;
	const char *invoice_type;
	const char *special_taxation;
	int			nrefs;			/* 0: empty References */
	IsafReference *refs;
	bool		has_vat_point_date;
	DateADT		vat_point_date;
	bool		has_registration_date;
	DateADT		registration_date;
	const char *party_vat_code;
	const char *party_registration_number;	/* NULL: left out */
	const char *party_country;	/* NULL: xsi:nil */
	const char *party_name;
	int			ntotals;
	IsafTotal	totals[ISAF_MAX_TOTALS];
} IsafInvoice;

extern void IsafWriterOpen(IsafWriter *w, PgXmlErrorContext *xmlerrcxt, MemoryContext cxt,
						   Size expected);
extern void IsafWriterAbort(IsafWriter *w);
extern text *IsafWriterFinish(IsafWriter *w);

extern void IsafWriteHeader(IsafWriter *w, const IsafHeader *h);
extern void IsafStartElement(IsafWriter *w, const char *name);
extern void IsafEndElement(IsafWriter *w);
extern void IsafWriteInvoice(IsafWriter *w, const IsafInvoice *inv, bool sales);

extern char *IsafFormatDate(DateADT d, char *buf);
extern char *IsafTextForXml(const char *s, int *nchars);
extern char *IsafCutText(const char *utf8, int maxchars);

#endif							/* CR_ISAF_WRITER_H */
