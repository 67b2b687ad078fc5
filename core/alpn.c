/*
 * ALPN list syntax: "h2,http/1.1" -> the wire format of RFC 7301 section
 * 3.1 (each name prefixed by its one-byte length).
 *
 * Each name is 1..255 bytes of printable ASCII other than ',' and space
 * (0x21..0x7e: a space is refused rather than trimmed, so "h2, http/1.1"
 * is an error and not a protocol named " http/1.1"); at most
 * PT_MAX_ALPN names; no empty entry (also no leading or trailing ',').
 * Anything else is PLUGTLS_E_INVALID_ARGUMENT naming the entry (1-based).
 */
#include "internal.h"

#include <string.h>

#define PT_MAX_ALPN 32u
#define PT_MAX_ALPN_NAME 255u

plugtls_err pt_alpn_parse(const char *s, unsigned char **wire,
			  size_t *wire_len, plugtls_error *err)
{
	unsigned char *buf = NULL;
	size_t n = 0, o = 0, len;
	const char *p;

	if (!s || !wire || !wire_len)
		return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "alpn: no protocol list");
	/* First pass: check every entry and size the output. */
	p = s;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (n == PT_MAX_ALPN)
			return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "alpn: more than %u protocols",
					  PT_MAX_ALPN);
		if (l == 0)
			return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "alpn: entry %zu is empty", n + 1);
		if (l > PT_MAX_ALPN_NAME)
			return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "alpn: entry %zu is longer than %u bytes",
					  n + 1, PT_MAX_ALPN_NAME);
		for (size_t i = 0; i < l; i++)
			if ((unsigned char)p[i] < 0x21 ||
			    (unsigned char)p[i] > 0x7e)
				return pt_err_set(err,
						  PLUGTLS_E_INVALID_ARGUMENT, 0,
						  "alpn: entry %zu holds a space or a non-printable character",
						  n + 1);
		o += 1 + l;
		n++;
		if (!end)
			break;
		p = end + 1;
	}
	/* Second pass: write. At most 32 * 256 bytes. */
	len = o;
	buf = pt_malloc(len);
	if (!buf)
		return pt_err_set(err, PLUGTLS_E_NOMEM, 0,
				  "alpn: out of memory");
	o = 0;
	p = s;
	for (size_t k = 0; k < n; k++) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		buf[o++] = (unsigned char)l;
		memcpy(buf + o, p, l);
		o += l;
		p = end ? end + 1 : p + l;
	}
	*wire = buf;
	*wire_len = len;
	return PLUGTLS_OK;
}
