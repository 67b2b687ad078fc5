/*
 * wolfSSL backend: error mapping.
 *
 * wolfSSL reports one int per failure (negative: wolfSSL's codes in
 * error-ssl.h, wolfCrypt's in wolfcrypt/error-crypt.h), not a queue; the
 * message is wolfSSL_ERR_error_string_n()'s text for that code, which
 * covers both ranges and never contains key material.
 */
#include <wolfssl/options.h>

#include "wssl_int.h"

#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <stdarg.h>
#include <stdio.h>

void wssl_err_text(int wolf_code, char *buf, size_t cap)
{
	if (cap == 0)
		return;
	buf[0] = '\0';
	if (wolf_code == 0)
		return;
	/* Takes an unsigned long like OpenSSL's; wolfSSL casts it back to
	 * int and looks the negative code up. */
	wolfSSL_ERR_error_string_n((unsigned long)(long)wolf_code, buf,
				   cap > 80 ? 80 : cap);
	buf[cap - 1] = '\0';
}

plugtls_err wssl_error(plugtls_error *err, plugtls_err code, int wolf_code,
		       const char *fmt, ...)
{
	char what[160], text[96];
	va_list ap;
	unsigned long pc;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (wolf_code == 0)
		return plugtls_prov_error(err, code, 0, "%s", what);
	wssl_err_text(wolf_code, text, sizeof(text));
	pc = wolf_code < 0 ? (unsigned long)-(long)wolf_code
			   : (unsigned long)wolf_code;
	return plugtls_prov_error(err, code, pc, "%s: wolfSSL: %s (%d)", what,
				  text[0] ? text : "unknown error", wolf_code);
}

/* Errors of a failed handshake that were not decided by the transport
 * (wssl_conn.c looks at that first) or by the core hook. */
plugtls_err wssl_map_tls_error(int e)
{
	switch (e) {
	case MEMORY_ERROR:
	case MEMORY_E: return PLUGTLS_E_NOMEM;
	/* The peer's certificates failed wolfSSL's own checks in a place the
	 * verify callback does not override, or the peer sent none when one
	 * is required (the core then records no-certificate). */
	case NO_PEER_CERT:
	case VERIFY_CERT_ERROR: return PLUGTLS_E_VERIFY;
	case BAD_FUNC_ARG:
	case BAD_STATE_E:
	case SIDE_ERROR:
	case NOT_READY_ERROR: return PLUGTLS_E_INTERNAL;
	default:
		/* Alerts received (FATAL_ERROR), no shared suite or version
		 * (MATCH_SUITE_ERROR, VERSION_ERROR), ALPN refused
		 * (UNKNOWN_ALPN_PROTOCOL_NAME_E), bad Finished or binder, and
		 * malformed messages: the handshake failed. */
		return PLUGTLS_E_HANDSHAKE;
	}
}
