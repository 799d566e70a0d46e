/*
 * isaf_writer.c
 *		The XML of an i.SAF 1.2 file, written with libxml2's xmlTextWriter.
 *
 *		No DOM is built: the writer streams through an xmlOutputBuffer whose
 *		write callback appends to one palloc'd buffer that already has room
 *		for a varlena header, so the finished file becomes the returned text
 *		datum without another copy.  Memory is the size of the file (one
 *		part), nothing more.
 *
 *		Safety follows core's xml.c: the caller has called pg_xml_init() and
 *		runs everything here inside PG_TRY, calling IsafWriterAbort() in
 *		PG_CATCH and IsafWriterFinish() on success, so the libxml objects
 *		(malloc'd, not palloc'd) are freed on both paths.  Nothing is parsed,
 *		so no entity is ever loaded.  The output callback never ereports (it
 *		returns -1, which the writer turns into an error we report after the
 *		libxml call returned).
 *
 *		Text: every value arrives here as UTF-8 (IsafTextForXml converts from
 *		the server encoding and replaces the characters XML 1.0 forbids), the
 *		writer escapes & < > " and CR, and the output has no line breaks at
 *		all, so COPY ... (FORMAT csv) writes it to a file byte for byte.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "isaf_writer.h"

#define ISAF_NAMESPACE	"http://www.vmi.lt/cms/imas/isaf"
#define XSI_NAMESPACE	"http://www.w3.org/2001/XMLSchema-instance"
#define ISAF_INITIAL_BUFFER (64 * 1024)

/* ----------------------------------------------------------------------------
 * Output: the buffer that becomes the text datum
 * ----------------------------------------------------------------------------
 */

/* libxml's write callback: append, never ereport. */
static int
IsafOutputWrite(void *context, const char *buffer, int len)
{
	IsafOutput *o = (IsafOutput *) context;

	if (len <= 0)
		return 0;
	if (o->len + (Size) len > o->cap)
	{
		Size		need = o->len + (Size) len;
		Size		newcap = o->cap;
		char	   *grown;

		while (newcap < need)
			newcap *= 2;
		if (newcap > MaxAllocSize)
			newcap = MaxAllocSize;	/* also the largest varlena */
		if (need > newcap)
		{
			o->too_big = true;
			return -1;
		}
		grown = MemoryContextAllocExtended(o->cxt, newcap,
										   MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
		if (grown == NULL)
		{
			o->no_memory = true;
			return -1;
		}
		memcpy(grown, o->data, o->len);
		pfree(o->data);
		o->data = grown;
		o->cap = newcap;
	}
	memcpy(o->data + o->len, buffer, len);
	o->len += len;
	return len;
}

static int
IsafOutputClose(void *context)
{
	return 0;
}

/* A libxml call failed: say why, in the most useful terms. */
static void
IsafWriterFailed(IsafWriter *w)
{
	if (w->out.too_big)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("i.SAF file part would be larger than 1 GB"),
				 errdetail("A text value cannot hold more than 1 GB."),
				 errhint("Split the period into smaller parts with the max_invoices argument.")));
	if (w->out.no_memory)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while writing an i.SAF file"),
				 errdetail("The file had reached %zu bytes.", w->out.len - VARHDRSZ),
				 errhint("Split the period into smaller parts with the max_invoices argument.")));
	xml_ereport(w->xmlerrcxt, ERROR, ERRCODE_INTERNAL_ERROR,
				"could not write the i.SAF XML");
}

static void RawFlush(IsafWriter *w);

#define XW(w, call) \
	do { \
		if ((call) < 0 || pg_xml_error_occurred((w)->xmlerrcxt)) \
			IsafWriterFailed(w); \
	} while (0)

/*
 * Opens the writer.  Must run inside the caller's PG_TRY (after pg_xml_init)
 * so that IsafWriterAbort() frees whatever was created.
 */
void
IsafWriterOpen(IsafWriter *w, PgXmlErrorContext *xmlerrcxt, MemoryContext cxt, Size expected)
{
	xmlOutputBufferPtr outbuf;

	w->writer = NULL;
	w->xmlerrcxt = xmlerrcxt;
	initStringInfo(&w->raw);
	memset(&w->out, 0, sizeof(w->out));
	w->out.cxt = cxt;
	/* room for the expected size at once: no copying while the file grows */
	w->out.cap = Min(Max(expected, (Size) ISAF_INITIAL_BUFFER), (Size) MaxAllocSize);
	w->out.data = MemoryContextAllocHuge(cxt, w->out.cap);
	w->out.len = VARHDRSZ;

	outbuf = xmlOutputBufferCreateIO(IsafOutputWrite, IsafOutputClose, &w->out, NULL);
	if (outbuf == NULL || pg_xml_error_occurred(xmlerrcxt))
		xml_ereport(xmlerrcxt, ERROR, ERRCODE_OUT_OF_MEMORY,
					"could not allocate the XML output buffer");
	w->writer = xmlNewTextWriter(outbuf);	/* takes outbuf, also on failure */
	if (w->writer == NULL || pg_xml_error_occurred(xmlerrcxt))
		xml_ereport(xmlerrcxt, ERROR, ERRCODE_OUT_OF_MEMORY,
					"could not allocate the XML writer");

	/*
	 * The declaration is written as it is: xmlTextWriterStartDocument would
	 * add a line break after it.  Without an encoder the writer passes the
	 * UTF-8 bytes through unchanged.
	 */
	XW(w, xmlTextWriterWriteRaw(w->writer,
								BAD_CAST "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
}

/* Error path: free the libxml objects (the buffer goes with its context). */
void
IsafWriterAbort(IsafWriter *w)
{
	if (w->writer != NULL)
	{
		xmlFreeTextWriter(w->writer);
		w->writer = NULL;
	}
	if (w->out.data != NULL)
	{
		pfree(w->out.data);
		w->out.data = NULL;
	}
}

/* Success path: flush, free the writer, hand the buffer over as text. */
text *
IsafWriterFinish(IsafWriter *w)
{
	text	   *result;

	RawFlush(w);
	XW(w, xmlTextWriterFlush(w->writer));
	xmlFreeTextWriter(w->writer);	/* closes the output buffer */
	w->writer = NULL;
	if (w->out.too_big || w->out.no_memory || pg_xml_error_occurred(w->xmlerrcxt))
		IsafWriterFailed(w);

	result = (text *) w->out.data;
	SET_VARSIZE(result, w->out.len);
	w->out.data = NULL;
	return result;
}

/* ----------------------------------------------------------------------------
 * Values
 * ----------------------------------------------------------------------------
 */

/* YYYY-MM-DD (xs:date); buf has room for 11 bytes. */
char *
IsafFormatDate(DateADT d, char *buf)
{
	int			year,
				month,
				day;

	j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	snprintf(buf, 11, "%04d-%02d-%02d", year, month, day);
	return buf;
}

/*
 * A text value for the file: converted from the server encoding to UTF-8,
 * and every character XML 1.0 forbids (C0 controls other than TAB, LF, CR;
 * U+FFFE, U+FFFF) replaced by a space, as are TAB, LF and CR themselves
 * (a name, number or code on one line; and the file stays one line).
 * Returns the input itself when nothing changes.  *nchars gets the length
 * in characters (the schema's limits count characters).
 */
char *
IsafTextForXml(const char *s, int *nchars)
{
	char	   *utf8 = pg_server_to_any(s, strlen(s), PG_UTF8);
	const unsigned char *p;
	bool		forbidden = false;
	int			n = 0;

	for (p = (const unsigned char *) utf8; *p; p++)
	{
		if ((*p & 0xC0) != 0x80)
			n++;
		if (*p < 0x20 || (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)))
			forbidden = true;
	}
	if (forbidden)
	{
		char	   *clean = palloc(strlen(utf8) + 1);
		char	   *q = clean;

		for (p = (const unsigned char *) utf8; *p;)
		{
			if (*p < 0x20)
			{
				*q++ = ' ';
				p++;
			}
			else if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
			{
				*q++ = ' ';
				p += 3;
			}
			else
				*q++ = (char) *p++;
		}
		*q = '\0';
		utf8 = clean;
	}
	*nchars = n;
	return utf8;
}

/* ----------------------------------------------------------------------------
 * Elements
 * ----------------------------------------------------------------------------
 */

/*
 * Elements whose value has a fixed format that cannot hold markup -- dates
 * (YYYY-MM-DD), decimal numbers, the schema's enumerations, tax codes checked
 * to be PVM + digits, countries checked to be two capital letters, nil
 * elements -- are collected as ready-made fragments and handed to the writer
 * in one xmlTextWriterWriteRawLen() call before its next element.  That
 * saves the allocations and list operations of a start tag, text and end
 * tag for two thirds of the elements.  Every text that comes from users
 * (invoice numbers, names, codes) goes through Element(), which escapes.
 */
static void
RawFlush(IsafWriter *w)
{
	if (w->raw.len > 0)
	{
		XW(w, xmlTextWriterWriteRawLen(w->writer, BAD_CAST w->raw.data, w->raw.len));
		resetStringInfo(&w->raw);
	}
}

static inline void
RawAppend(IsafWriter *w, const char *s)
{
	appendBinaryStringInfo(&w->raw, s, strlen(s));
}

static void
RawElement(IsafWriter *w, const char *name, const char *value)
{
	appendStringInfoChar(&w->raw, '<');
	RawAppend(w, name);
	appendStringInfoChar(&w->raw, '>');
	RawAppend(w, value);
	appendBinaryStringInfo(&w->raw, "</", 2);
	RawAppend(w, name);
	appendStringInfoChar(&w->raw, '>');
}

/* <name xsi:nil="true"/> for a nillable element without a value */
static void
NilElement(IsafWriter *w, const char *name)
{
	appendStringInfoChar(&w->raw, '<');
	RawAppend(w, name);
	RawAppend(w, " xsi:nil=\"true\"/>");
}

static inline void
RawElementOrNil(IsafWriter *w, const char *name, const char *value)
{
	if (value != NULL)
		RawElement(w, name, value);
	else
		NilElement(w, name);
}

static void
DateElement(IsafWriter *w, const char *name, bool present, DateADT d)
{
	char		buf[11];

	if (present)
		RawElement(w, name, IsafFormatDate(d, buf));
	else
		NilElement(w, name);
}

/* A text element: the writer escapes the value (& < > " CR). */
static inline void
Element(IsafWriter *w, const char *name, const char *value)
{
	RawFlush(w);
	XW(w, xmlTextWriterWriteElement(w->writer, BAD_CAST name, BAD_CAST value));
}

void
IsafStartElement(IsafWriter *w, const char *name)
{
	RawFlush(w);
	XW(w, xmlTextWriterStartElement(w->writer, BAD_CAST name));
}

void
IsafEndElement(IsafWriter *w)
{
	RawFlush(w);
	XW(w, xmlTextWriterEndElement(w->writer));
}

/* <iSAFFile> with its namespaces, and the whole Header. */
void
IsafWriteHeader(IsafWriter *w, const IsafHeader *h)
{
	char		buf[32];
	char		datatype[2] = {h->data_type, '\0'};
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;

	IsafStartElement(w, "iSAFFile");
	XW(w, xmlTextWriterWriteAttribute(w->writer, BAD_CAST "xmlns", BAD_CAST ISAF_NAMESPACE));
	XW(w, xmlTextWriterWriteAttribute(w->writer, BAD_CAST "xmlns:xsi", BAD_CAST XSI_NAMESPACE));
	IsafStartElement(w, "Header");
	IsafStartElement(w, "FileDescription");
	Element(w, "FileVersion", "iSAF1.2");
	if (timestamp2tm(h->created, &tz, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d",
			 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	Element(w, "FileDateCreated", buf);
	Element(w, "DataType", datatype);
	Element(w, "SoftwareCompanyName", h->software_company);
	Element(w, "SoftwareName", h->software_name);
	Element(w, "SoftwareVersion", h->software_version);
	Element(w, "RegistrationNumber", h->registration_number);
	snprintf(buf, sizeof(buf), "%d", h->number_of_parts);
	Element(w, "NumberOfParts", buf);
	Element(w, "PartNumber", h->part_id);
	IsafStartElement(w, "SelectionCriteria");
	Element(w, "SelectionStartDate", IsafFormatDate(h->period_start, buf));
	Element(w, "SelectionEndDate", IsafFormatDate(h->period_end, buf));
	IsafEndElement(w);			/* SelectionCriteria */
	IsafEndElement(w);			/* FileDescription */
	IsafEndElement(w);			/* Header */
}

/*
 * One Invoice of PurchaseInvoices (sales = false) or SalesInvoices, its
 * children in the schema's order (docs/isaf-rules.md, section 4).
 */
void
IsafWriteInvoice(IsafWriter *w, const IsafInvoice *inv, bool sales)
{
	char		buf[11];
	int			i;

	IsafStartElement(w, "Invoice");
	Element(w, "InvoiceNo", inv->invoice_no);

	IsafStartElement(w, sales ? "CustomerInfo" : "SupplierInfo");
	Element(w, "VATRegistrationNumber", inv->party_vat_code);
	if (inv->party_registration_number != NULL)
		Element(w, "RegistrationNumber", inv->party_registration_number);
	RawElementOrNil(w, "Country", inv->party_country);
	Element(w, "Name", inv->party_name);
	IsafEndElement(w);

	RawElement(w, "InvoiceDate", IsafFormatDate(inv->invoice_date, buf));
	RawElement(w, "InvoiceType", inv->invoice_type);
	RawElement(w, "SpecialTaxation", inv->special_taxation);

	if (inv->reference_no == NULL)
		RawAppend(w, "<References/>");
	else
	{
		RawAppend(w, "<References><Reference>");
		Element(w, "ReferenceNo", inv->reference_no);
		RawElement(w, "ReferenceDate", IsafFormatDate(inv->reference_date, buf));
		RawAppend(w, "</Reference></References>");
	}

	DateElement(w, "VATPointDate", inv->has_vat_point_date, inv->vat_point_date);
	if (!sales)
		DateElement(w, "RegistrationAccountDate", inv->has_registration_date,
					inv->registration_date);

	RawAppend(w, "<DocumentTotals>");
	for (i = 0; i < inv->ntotals; i++)
	{
		const IsafTotal *t = &inv->totals[i];

		RawAppend(w, "<DocumentTotal>");
		RawElement(w, "TaxableValue", t->taxable_value);
		RawElementOrNil(w, "TaxCode", t->tax_code);
		RawElementOrNil(w, "TaxPercentage", t->tax_percentage);
		RawElementOrNil(w, "Amount", t->amount);
		if (sales)
			DateElement(w, "VATPointDate2", inv->has_vat_point_date, inv->vat_point_date);
		RawAppend(w, "</DocumentTotal>");
	}
	RawAppend(w, "</DocumentTotals>");
	IsafEndElement(w);			/* Invoice */
}
