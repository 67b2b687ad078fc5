/*
 * GnuTLS provider: the one helper that turns a GnuTLS error code into a
 * plugtls error record.
 *
 * GnuTLS has no error queue: each call returns a negative int, and
 * gnutls_strerror() names it. The record gets the caller's plugtls code
 * (which knows the context: a bad password, a malformed input, a failed
 * handshake), the caller's description of what failed, GnuTLS's own text,
 * and the magnitude of the GnuTLS code as provider_code (GNUTLS_E_* values
 * are negative; -50 is stored as 50).
 *
 * Messages never carry key bytes, passwords or PSKs: callers pass only the
 * name of the setting or operation, and gnutls_strerror() is static text.
 */
#include "gtls_int.h"

#include <stdarg.h>
#include <stdio.h>

plugtls_err gtls_error(plugtls_error *err, plugtls_err code, int gret,
		       const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	/* An allocation failure inside GnuTLS is an allocation failure,
	 * whatever the caller was doing. */
	if (gret == GNUTLS_E_MEMORY_ERROR)
		code = PLUGTLS_E_NOMEM;
	if (gret < 0)
		return plugtls_prov_error(err, code, (unsigned long)-(long)gret,
					  "gnutls: %s: %s", what,
					  gnutls_strerror(gret));
	return plugtls_prov_error(err, code, 0, "gnutls: %s", what);
}
