/* Error records: per object, first specific error wins, and a copy per
 * thread for functions without a parent object. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static _Thread_local plugtls_error pt_tls_err;

plugtls_error *pt_thread_err(void)
{
	return &pt_tls_err;
}

const plugtls_error *plugtls_thread_error(void)
{
	return &pt_tls_err;
}

void pt_err_clear(plugtls_error *e)
{
	if (!e)
		return;
	e->code = PLUGTLS_OK;
	e->provider_code = 0;
	e->message[0] = '\0';
}

void pt_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	if (!cap)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	if (n < 0)
		buf[0] = '\0';
}

/* Outcomes are not failures and are never recorded (STYLE.md). */
static bool is_outcome(plugtls_err code)
{
	return code == PLUGTLS_OK || code == PLUGTLS_WANT_READ ||
	       code == PLUGTLS_WANT_WRITE || code == PLUGTLS_E_CLOSED;
}

plugtls_err pt_err_setv(plugtls_error *e, plugtls_err code,
			unsigned long provider_code, const char *fmt,
			va_list ap)
{
	char msg[sizeof(e->message)];
	if (is_outcome(code))
		return code;
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	/* The thread record always holds the latest failure. */
	pt_tls_err.code = code;
	pt_tls_err.provider_code = provider_code;
	memcpy(pt_tls_err.message, msg, sizeof(msg));
	if (e && e != &pt_tls_err && e->code == PLUGTLS_OK) {
		e->code = code;
		e->provider_code = provider_code;
		memcpy(e->message, msg, sizeof(msg));
	}
	return code;
}

plugtls_err pt_err_set(plugtls_error *e, plugtls_err code,
		       unsigned long provider_code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	plugtls_err rc = pt_err_setv(e, code, provider_code, fmt, ap);
	va_end(ap);
	return rc;
}

plugtls_err pt_err_wrap(plugtls_error *dst, const plugtls_error *src,
			const char *prefix)
{
	plugtls_err code = src->code;
	if (is_outcome(code))
		code = PLUGTLS_E_INTERNAL;
	if (prefix && *prefix)
		return pt_err_set(dst, code, src->provider_code, "%s: %s",
				  prefix, src->message);
	return pt_err_set(dst, code, src->provider_code, "%s", src->message);
}

plugtls_err plugtls_prov_error(plugtls_error *err, plugtls_err code,
			       unsigned long provider_code, const char *fmt,
			       ...)
{
	va_list ap;
	if (!err || err->code != PLUGTLS_OK || is_outcome(code))
		return code;
	va_start(ap, fmt);
	char msg[sizeof(err->message)];
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	err->code = code;
	err->provider_code = provider_code;
	memcpy(err->message, msg, sizeof(msg));
	return code;
}

const char *plugtls_err_string(plugtls_err code)
{
	switch (code) {
	case PLUGTLS_OK: return "success";
	case PLUGTLS_WANT_READ: return "want read";
	case PLUGTLS_WANT_WRITE: return "want write";
	case PLUGTLS_E_CLOSED: return "connection closed";
	case PLUGTLS_E_INVALID_ARGUMENT: return "invalid argument";
	case PLUGTLS_E_NOMEM: return "out of memory";
	case PLUGTLS_E_HANDSHAKE: return "handshake failed";
	case PLUGTLS_E_VERIFY: return "verification failed";
	case PLUGTLS_E_PROTOCOL: return "protocol error";
	case PLUGTLS_E_IO: return "I/O error";
	case PLUGTLS_E_UNSUPPORTED: return "unsupported by this provider";
	case PLUGTLS_E_VERSION_REFUSED: return "provider version refused";
	case PLUGTLS_E_BAD_PASSWORD: return "wrong password";
	case PLUGTLS_E_MALFORMED: return "malformed input";
	case PLUGTLS_E_INTERNAL: return "internal error";
	case PLUGTLS_E_NOT_FOUND: return "not found";
	case PLUGTLS_E_STATE: return "invalid state";
	case PLUGTLS_E_TRUNCATED: return "connection truncated";
	case PLUGTLS_E_TIMEOUT: return "timed out";
	case PLUGTLS_E_NO_KEY: return "no private key";
	case PLUGTLS_E_TOO_LARGE: return "too large";
	}
	return "unknown error";
}
