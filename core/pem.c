/*
 * PEM splitting (RFC 7468, with the tolerance real files need).
 *
 * Accepted:
 *  - any text before, between and after blocks (OpenSSL's "subject=…"
 *    lines, comments in CA bundles);
 *  - LF or CRLF line ends, whitespace around and inside the base64 body,
 *    leading whitespace before the BEGIN/END lines;
 *  - RFC 1421 encapsulated headers ("Proc-Type: …", "DEK-Info: …") at the
 *    top of a body, ended by a blank line: they are skipped, so that a file
 *    holding a legacy encrypted key next to certificates still splits.
 * Refused with PLUGTLS_E_MALFORMED:
 *  - a BEGIN line whose label is longer than 64 characters, holds a
 *    non-printable character, or is followed by anything but whitespace;
 *  - a block with no END line (end of data, or another BEGIN first), an
 *    END whose label differs from the BEGIN's;
 *  - a body that is not strict base64 (base64.c) or decodes to nothing.
 * Limits: input over PT_MAX_INPUT bytes or more than PT_MAX_CERTS blocks
 * give PLUGTLS_E_TOO_LARGE.
 */
#include "cert_internal.h"

#include <string.h>

#define PT_PEM_BEGIN "-----BEGIN "
#define PT_PEM_END "-----END "
#define PT_PEM_DASHES "-----"
#define PT_PEM_MAX_LABEL 64u

/* First occurrence of needle in [p, p+len), or NULL. */
static const unsigned char *pt_find(const unsigned char *p, size_t len,
				    const char *needle)
{
	size_t nl = strlen(needle);

	if (nl == 0 || len < nl)
		return NULL;
	for (size_t i = 0; i + nl <= len; i++) {
		const unsigned char *q =
			memchr(p + i, needle[0], len - nl + 1 - i);
		if (!q)
			return NULL;
		i = (size_t)(q - p);
		if (memcmp(q, needle, nl) == 0)
			return q;
	}
	return NULL;
}

static bool pt_starts(const unsigned char *p, size_t len, const char *s)
{
	size_t n = strlen(s);
	return len >= n && memcmp(p, s, n) == 0;
}

static bool pt_hspace(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Only whitespace (space, tab, CR) in [p, p+len). */
static bool pt_blank(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!pt_hspace(p[i]) && p[i] != '\r')
			return false;
	return true;
}

bool pt_der_is_sequence(const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t hdr, body = 0;

	if (!p || len < 2 || p[0] != 0x30)
		return false;
	if (p[1] < 0x80) {
		hdr = 2;
		body = p[1];
	} else {
		/* Long form: 1..4 length bytes, minimal (DER, X.690 10.1). */
		size_t n = p[1] & 0x7fu;
		if (n == 0 || n > 4 || len < 2 + n || p[2] == 0)
			return false;
		for (size_t i = 0; i < n; i++)
			body = body << 8 | p[2 + i];
		if (body < 0x80)
			return false;
		hdr = 2 + n;
	}
	return body <= len - hdr && hdr + body == len;
}

bool pt_is_pem(const void *data, size_t len)
{
	/* A buffer that is exactly one DER SEQUENCE is DER even if the bytes
	 * "-----BEGIN " occur inside one of its strings. */
	if (!data || pt_der_is_sequence(data, len))
		return false;
	return pt_find(data, len, PT_PEM_BEGIN) != NULL;
}

/* One line: [start, end) without its line end; next is where the next line
 * starts. */
struct pt_line {
	const unsigned char *start, *end, *next;
};

static bool pt_next_line(const unsigned char *p, const unsigned char *lim,
			 struct pt_line *l)
{
	const unsigned char *nl;

	if (p >= lim)
		return false;
	nl = memchr(p, '\n', (size_t)(lim - p));
	l->start = p;
	l->next = nl ? nl + 1 : lim;
	l->end = nl ? nl : lim;
	if (l->end > l->start && l->end[-1] == '\r')
		l->end--;
	return true;
}

/* Parse the label after "-----BEGIN " at p (line end lim). On success the
 * label is copied NUL-terminated into label and *after points past the
 * closing dashes. */
static bool pt_parse_label(const unsigned char *p, const unsigned char *lim,
			   char label[PT_PEM_MAX_LABEL + 1],
			   const unsigned char **after)
{
	size_t n = 0;

	while (p < lim && !pt_starts(p, (size_t)(lim - p), PT_PEM_DASHES)) {
		if (*p < 0x20 || *p > 0x7e || n == PT_PEM_MAX_LABEL)
			return false;
		label[n++] = (char)*p++;
	}
	if (p >= lim)
		return false;
	label[n] = '\0';
	*after = p + strlen(PT_PEM_DASHES);
	return true;
}

/* Is [p, lim) "-----END <label>-----" followed only by whitespace?
 * *is_end tells whether it is an END line at all. */
static bool pt_end_line(const unsigned char *p, const unsigned char *lim,
			const char *label, bool *is_end)
{
	size_t ll = strlen(label);

	while (p < lim && pt_hspace(*p))
		p++;
	*is_end = pt_starts(p, (size_t)(lim - p), PT_PEM_END);
	if (!*is_end)
		return false;
	p += strlen(PT_PEM_END);
	if ((size_t)(lim - p) < ll + strlen(PT_PEM_DASHES) ||
	    memcmp(p, label, ll) != 0)
		return false;
	p += ll;
	if (!pt_starts(p, (size_t)(lim - p), PT_PEM_DASHES))
		return false;
	p += strlen(PT_PEM_DASHES);
	return pt_blank(p, (size_t)(lim - p));
}

static bool pt_begin_line(const unsigned char *p, const unsigned char *lim)
{
	while (p < lim && pt_hspace(*p))
		p++;
	return pt_starts(p, (size_t)(lim - p), PT_PEM_BEGIN);
}

/* Skip RFC 1421 headers at the top of a body [*p, lim): when the first
 * non-blank line holds a ':', everything up to the first blank line is
 * header. false when the blank line is missing. */
static bool pt_skip_headers(const unsigned char **p, const unsigned char *lim)
{
	struct pt_line l;
	const unsigned char *q = *p;

	while (pt_next_line(q, lim, &l) &&
	       pt_blank(l.start, (size_t)(l.end - l.start)))
		q = l.next;
	if (!pt_next_line(q, lim, &l) ||
	    !memchr(l.start, ':', (size_t)(l.end - l.start)))
		return true; /* no headers */
	while (pt_next_line(q, lim, &l)) {
		q = l.next;
		if (pt_blank(l.start, (size_t)(l.end - l.start))) {
			*p = q;
			return true;
		}
	}
	return false;
}

plugtls_err pt_pem_each(const void *data, size_t len, pt_pem_fn fn, void *arg,
			size_t *count, plugtls_error *err)
{
	const unsigned char *base = data, *lim, *pos;
	char label[PT_PEM_MAX_LABEL + 1];
	size_t nblocks = 0;
	plugtls_err rc;

	if (!data || !fn)
		return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "PEM: no data");
	if (len > PT_MAX_INPUT)
		return pt_err_set(err, PLUGTLS_E_TOO_LARGE, 0,
				  "PEM: input of %zu bytes is over the limit of %u",
				  len, PT_MAX_INPUT);
	lim = base + len;
	pos = base;
	for (;;) {
		const unsigned char *begin, *after, *body, *body_end = NULL;
		struct pt_line l;
		bool closed = false, is_end;
		unsigned char *der = NULL;
		size_t der_cap, der_len = 0;

		begin = pt_find(pos, (size_t)(lim - pos), PT_PEM_BEGIN);
		if (!begin)
			break;
		if (nblocks == PT_MAX_CERTS)
			return pt_err_set(err, PLUGTLS_E_TOO_LARGE, 0,
					  "PEM: more than %u blocks",
					  PT_MAX_CERTS);
		nblocks++;

		/* The BEGIN line (begin < lim: pt_find found it). */
		if (!pt_next_line(begin, lim, &l) ||
		    !pt_parse_label(begin + strlen(PT_PEM_BEGIN), l.end,
				    label, &after) ||
		    !pt_blank(after, (size_t)(l.end - after)))
			return pt_err_set(err, PLUGTLS_E_MALFORMED, 0,
					  "PEM block %zu: bad BEGIN line",
					  nblocks);

		/* The body, up to the END line. */
		body = l.next;
		pos = body;
		while (pt_next_line(pos, lim, &l)) {
			if (pt_end_line(l.start, l.end, label, &is_end)) {
				body_end = l.start;
				pos = l.next;
				closed = true;
				break;
			}
			if (is_end)
				return pt_err_set(err, PLUGTLS_E_MALFORMED, 0,
						  "PEM block %zu (%s): END label does not match",
						  nblocks, label);
			if (pt_begin_line(l.start, l.end))
				break;
			pos = l.next;
		}
		if (!closed)
			return pt_err_set(err, PLUGTLS_E_MALFORMED, 0,
					  "PEM block %zu (%s): not closed",
					  nblocks, label);
		if (!pt_skip_headers(&body, body_end))
			return pt_err_set(err, PLUGTLS_E_MALFORMED, 0,
					  "PEM block %zu (%s): bad headers",
					  nblocks, label);

		/* Decode. The bytes may be a private key: wiped on free. */
		der_cap = (size_t)(body_end - body) / 4 * 3 + 3;
		der = pt_malloc(der_cap);
		if (!der)
			return pt_err_set(err, PLUGTLS_E_NOMEM, 0,
					  "PEM block %zu: out of memory",
					  nblocks);
		rc = pt_base64_decode((const char *)body,
				      (size_t)(body_end - body), true, der,
				      der_cap, &der_len);
		if (rc == PLUGTLS_OK && der_len == 0)
			rc = PLUGTLS_E_MALFORMED;
		if (rc != PLUGTLS_OK) {
			pt_free_secret(der, der_cap);
			return pt_err_set(err, PLUGTLS_E_MALFORMED, 0,
					  "PEM block %zu (%s): bad base64 body",
					  nblocks, label);
		}
		rc = fn(arg, label, der, der_len);
		pt_free_secret(der, der_cap);
		if (rc != PLUGTLS_OK)
			return rc;
	}
	if (count)
		*count = nblocks;
	return PLUGTLS_OK;
}
