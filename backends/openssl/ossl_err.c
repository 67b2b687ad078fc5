/*
 * OpenSSL provider: the one place that turns OpenSSL's error queue into a
 * plugtls error record.
 *
 * OpenSSL keeps errors in a thread-local queue; the first entry is the
 * innermost cause, later ones are the callers that passed it up. We report
 * the first (the cause) and its packed code, and drain the rest so that the
 * next operation on this thread starts clean. The queue cannot be walked
 * without consuming it, so classification (the map) happens during the one
 * drain. Messages carry OpenSSL's reason strings and the "data" some errors
 * attach (names of algorithms or properties): OpenSSL never puts key bytes
 * or passwords there.
 */
#include "ossl_local.h"

#include <stdio.h>
#include <string.h>

#define OSSL_ERR_MAX_SEEN 32

/* Reasons that say "this algorithm is not available", whichever library
 * raised them: OpenSSL 3.0 reports a missing cipher (RC2 without the legacy
 * provider, say) as ERR_R_UNSUPPORTED from the fetch, older code paths as
 * the EVP_R_* reasons below. */
static int is_unsupported(unsigned long e)
{
	int lib = ERR_GET_LIB(e), reason = ERR_GET_REASON(e);

	if (reason == ERR_R_UNSUPPORTED)
		return 1;
	if (lib == ERR_LIB_EVP)
		return reason == EVP_R_UNSUPPORTED_ALGORITHM ||
		       reason == EVP_R_UNSUPPORTED_CIPHER ||
		       reason == EVP_R_UNKNOWN_CIPHER ||
		       reason == EVP_R_UNSUPPORTED_PRF ||
		       reason == EVP_R_UNKNOWN_PBE_ALGORITHM ||
		       reason == EVP_R_UNSUPPORTED_KEYLENGTH;
	return 0;
}

static int row_matches(const struct ossl_err_map *row, unsigned long e)
{
	if (row->lib != OSSL_ERR_ANY && ERR_GET_LIB(e) != row->lib)
		return 0;
	if (row->reason == OSSL_ERR_UNSUPPORTED)
		return is_unsupported(e);
	return ERR_GET_REASON(e) == row->reason;
}

static plugtls_err ossl_err_v(plugtls_error *err, plugtls_err code,
			      const struct ossl_err_map *map, const char *fmt,
			      va_list ap) PLUGTLS_PRINTF(4, 0);

static plugtls_err ossl_err_v(plugtls_error *err, plugtls_err code,
			      const struct ossl_err_map *map, const char *fmt,
			      va_list ap)
{
	char what[160], detail[224];
	unsigned long first = 0, e, seen[OSSL_ERR_MAX_SEEN];
	size_t nseen = 0;
	const char *data = NULL;
	int flags = 0, nomem = 0;

	vsnprintf(what, sizeof(what), fmt, ap);
	detail[0] = '\0';
	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
			nomem = 1;
		if (nseen < OSSL_ERR_MAX_SEEN)
			seen[nseen++] = e;
		if (first != 0)
			continue;
		first = e;
		/* data belongs to the entry just removed and stays valid
		 * until the next ERR call on this thread: format it now. */
		const char *reason = ERR_reason_error_string(e);
		const char *lib = ERR_lib_error_string(e);
		int has_data = (flags & ERR_TXT_STRING) && data && *data;
		snprintf(detail, sizeof(detail), "%s%s%s%s%s%s",
			 lib ? lib : "", lib ? ": " : "",
			 reason ? reason : "unknown error",
			 has_data ? " (" : "", has_data ? data : "",
			 has_data ? ")" : "");
	}
	for (size_t r = 0; map && map[r].code != PLUGTLS_OK; r++) {
		size_t i;
		for (i = 0; i < nseen; i++)
			if (row_matches(&map[r], seen[i]))
				break;
		if (i < nseen) {
			code = map[r].code;
			break;
		}
	}
	if (nomem)
		code = PLUGTLS_E_NOMEM;
	if (first == 0)
		return plugtls_prov_error(err, code, 0, "%s", what);
	return plugtls_prov_error(err, code, first, "%s: %s", what, detail);
}

plugtls_err ossl_err(plugtls_error *err, plugtls_err code, const char *fmt,
		     ...)
{
	va_list ap;
	plugtls_err rc;

	va_start(ap, fmt);
	rc = ossl_err_v(err, code, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

plugtls_err ossl_err_map(plugtls_error *err, plugtls_err code,
			 const struct ossl_err_map *map, const char *fmt, ...)
{
	va_list ap;
	plugtls_err rc;

	va_start(ap, fmt);
	rc = ossl_err_v(err, code, map, fmt, ap);
	va_end(ap);
	return rc;
}
