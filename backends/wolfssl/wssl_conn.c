/*
 * wolfSSL backend: connections (WOLFSSL).
 *
 * Transport: wolfSSL's I/O callbacks (wolfSSL_CTX_SetIORecv/SetIOSend, the
 * connection as their context) call the core's plugtls_prov_io_read/write;
 * "would block" becomes WOLFSSL_CBIO_ERR_WANT_READ/WRITE and end of stream
 * WOLFSSL_CBIO_ERR_CONN_CLOSE. The transport's own answer is kept in
 * io_rc, so that a failed call reports E_IO, E_TIMEOUT or E_TRUNCATED
 * (end of stream without close_notify) rather than wolfSSL's generic
 * socket error.
 *
 * Peer verification: see wssl_verify_cb (wssl_verify.c).
 */
#include <wolfssl/options.h>

#include "wssl_int.h"

#include <wolfssl/error-ssl.h>

#include <limits.h>
#include <string.h>

/* ---- transport ----------------------------------------------------------- */

static void note_io(struct wssl_conn *c, plugtls_err rc, bool reading)
{
	if (rc == PLUGTLS_E_CLOSED && reading)
		c->rx_eof = true;
	else if (rc != PLUGTLS_OK && rc != PLUGTLS_WANT_READ &&
		 rc != PLUGTLS_WANT_WRITE && c->io_err == PLUGTLS_OK)
		c->io_err = rc == PLUGTLS_E_CLOSED ? PLUGTLS_E_IO : rc;
}

static void io_reset(struct wssl_conn *c)
{
	c->rx_eof = false;
	c->io_err = PLUGTLS_OK;
}

/* A transport result as wolfSSL's I/O callbacks return it; want is the
 * callback's own WANT code. */
static int io_result(plugtls_err rc, size_t n, int sz, int want)
{
	switch (rc) {
	case PLUGTLS_OK:
		if (n == 0 || n > (size_t)sz)
			return WOLFSSL_CBIO_ERR_GENERAL;
		return (int)n;
	case PLUGTLS_WANT_READ:
	case PLUGTLS_WANT_WRITE: return want;
	case PLUGTLS_E_CLOSED: return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	case PLUGTLS_E_TIMEOUT: return WOLFSSL_CBIO_ERR_TIMEOUT;
	default: return WOLFSSL_CBIO_ERR_GENERAL;
	}
}

int wssl_io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct wssl_conn *c = arg;
	size_t n = 0;
	plugtls_err rc;

	(void)ssl;
	if (c == NULL || sz <= 0)
		return WOLFSSL_CBIO_ERR_GENERAL;
	rc = plugtls_prov_io_read(c->core, buf, (size_t)sz, &n);
	note_io(c, rc, true);
	return io_result(rc, n, sz, WOLFSSL_CBIO_ERR_WANT_READ);
}

int wssl_io_send(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct wssl_conn *c = arg;
	size_t n = 0;
	plugtls_err rc;

	(void)ssl;
	if (c == NULL || sz <= 0)
		return WOLFSSL_CBIO_ERR_GENERAL;
	rc = plugtls_prov_io_write(c->core, buf, (size_t)sz, &n);
	note_io(c, rc, false);
	return io_result(rc, n, sz, WOLFSSL_CBIO_ERR_WANT_WRITE);
}

/* ---- PSK ------------------------------------------------------------------
 */

#if WSSL_HAVE_PSK
static void psk_note_identity(struct wssl_conn *c, const void *id, size_t len)
{
	unsigned char *copy = plugtls_prov_malloc(len + 1);

	if (copy == NULL)
		return; /* only the reported identity is lost */
	memcpy(copy, id, len);
	copy[len] = '\0';
	plugtls_prov_free(c->psk_identity);
	c->psk_identity = copy;
	c->psk_identity_len = len;
}

/* wolfSSL passes identities as C strings (MAX_PSK_ID_LEN = 128 bytes plus
 * a NUL): an identity with a NUL byte cannot be used with wolfSSL. */
unsigned int wssl_psk_client_cb(WOLFSSL *ssl, const char *hint, char *identity,
				unsigned int id_max, unsigned char *key,
				unsigned int key_max)
{
	struct wssl_conn *c = wolfSSL_get_psk_callback_ctx(ssl);
	const unsigned char *id, *k;
	size_t id_len, k_len;

	(void)hint;
	if (c == NULL || plugtls_prov_psk_client(c->core, &id, &id_len, &k,
						 &k_len) != PLUGTLS_OK)
		return 0;
	if (id_len == 0 || id_len > id_max || memchr(id, 0, id_len) ||
	    k_len == 0 || k_len > key_max) {
		plugtls_prov_log(
			c->core, PLUGTLS_LOG_WARNING,
			"PSK: identity or key does not fit wolfSSL's "
			"limits (128-byte text identity, 64-byte key)");
		return 0;
	}
	memcpy(identity, id, id_len);
	identity[id_len] = '\0';
	memcpy(key, k, k_len);
	psk_note_identity(c, id, id_len);
	c->psk_offered = true;
	return (unsigned int)k_len;
}

unsigned int wssl_psk_server_cb(WOLFSSL *ssl, const char *identity,
				unsigned char *key, unsigned int key_max)
{
	struct wssl_conn *c = wolfSSL_get_psk_callback_ctx(ssl);
	const unsigned char *k;
	size_t id_len, k_len;

	if (c == NULL || identity == NULL)
		return 0;
	id_len = strnlen(identity, 129);
	if (id_len == 0 || id_len > 128 ||
	    plugtls_prov_psk_find(c->core, identity, id_len, &k, &k_len) !=
		    PLUGTLS_OK ||
	    k_len == 0 || k_len > key_max)
		return 0;
	memcpy(key, k, k_len);
	psk_note_identity(c, identity, id_len);
	c->psk_offered = true;
	return (unsigned int)k_len;
}

#if WSSL_HAVE_PSK_TLS13
/* An external TLS 1.3 PSK is bound to one hash; the suite comes from the
 * profile: SHA-256 suites unless the profile is aes256-gcm. OpenSSL's
 * psk_client/server callbacks in TLS 1.3 use TLS_AES_128_GCM_SHA256's
 * hash (SHA-256) as well. */
static const char *psk13_suite(const struct wssl_conn *c)
{
	return c->ctx->psk13_suite;
}

unsigned int wssl_psk_client_tls13_cb(WOLFSSL *ssl, const char *hint,
				      char *identity, unsigned int id_max,
				      unsigned char *key, unsigned int key_max,
				      const char **cipher_name)
{
	struct wssl_conn *c = wolfSSL_get_psk_callback_ctx(ssl);
	unsigned int n;

	if (c == NULL)
		return 0;
	n = wssl_psk_client_cb(ssl, hint, identity, id_max, key, key_max);
	if (n)
		*cipher_name = psk13_suite(c);
	return n;
}

unsigned int wssl_psk_server_tls13_cb(WOLFSSL *ssl, const char *identity,
				      unsigned char *key, unsigned int key_max,
				      const char **cipher_name)
{
	struct wssl_conn *c = wolfSSL_get_psk_callback_ctx(ssl);
	unsigned int n;

	if (c == NULL)
		return 0;
	n = wssl_psk_server_cb(ssl, identity, key, key_max);
	if (n)
		*cipher_name = psk13_suite(c);
	return n;
}
#endif
#endif

/* ---- connection ------------------------------------------------------------
 */

#if WSSL_HAVE_SESSION_EXPORT
static plugtls_err set_session(struct wssl_conn *c, const unsigned char *der,
			       size_t len, plugtls_error *err)
{
	const unsigned char *p = der;
	WOLFSSL_SESSION *sess;
	int ret;

	if (len > LONG_MAX)
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "set_session: too large");
	/* wolfSSL 5.5.4 trusts the lengths inside (wssl_session.c). */
	if (!wssl_session_blob_ok(der, len))
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "set_session: not a wolfSSL session");
	sess = wolfSSL_d2i_SSL_SESSION(NULL, &p, (long)len);
	if (sess == NULL)
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "set_session: not a wolfSSL session");
	ret = wolfSSL_set_session(c->ssl, sess);
	wolfSSL_SESSION_free(sess);
	/* A session wolfSSL will not resume (expired, other version) gives
	 * a full handshake, as with the other providers. */
	if (ret != WOLFSSL_SUCCESS)
		plugtls_prov_log(c->core, PLUGTLS_LOG_INFO,
				 "session not resumable: full handshake");
	return PLUGTLS_OK;
}
#else
static plugtls_err set_session(struct wssl_conn *c, const unsigned char *der,
			       size_t len, plugtls_error *err)
{
	return wssl_error(err, PLUGTLS_E_UNSUPPORTED, 0,
			  "set_session: this wolfSSL build cannot import "
			  "sessions");
}
#endif

#if WSSL_HAVE_SNI
static plugtls_err set_sni(struct wssl_conn *c, const char *sni,
			   plugtls_error *err)
{
	size_t len = strlen(sni);
	int ret;

	if (len == 0 || len > 255)
		return wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_servername: bad length");
	ret = wolfSSL_UseSNI(c->ssl, WOLFSSL_SNI_HOST_NAME, sni, (word16)len);
	if (ret != WOLFSSL_SUCCESS)
		return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
				  "set_servername");
	return PLUGTLS_OK;
}

/* Servers: keep the name the client asked for (WOLFSSL_ALWAYS_KEEP_SNI
 * lets wolfSSL record it without a name of our own). */
static void note_sni(struct wssl_conn *c)
{
	void *data = NULL;
	unsigned short len;

	if (c->ctx->role != PLUGTLS_SERVER || c->servername != NULL)
		return;
	len = wolfSSL_SNI_GetRequest(c->ssl, WOLFSSL_SNI_HOST_NAME, &data);
	if (len == 0 || data == NULL || memchr(data, 0, len) != NULL)
		return;
	c->servername = plugtls_prov_malloc((size_t)len + 1);
	if (c->servername == NULL)
		return;
	memcpy(c->servername, data, len);
	c->servername[len] = '\0';
}
#else
static plugtls_err set_sni(struct wssl_conn *c, const char *sni,
			   plugtls_error *err)
{
	return wssl_error(err, PLUGTLS_E_UNSUPPORTED, 0,
			  "set_servername: this wolfSSL build has no SNI");
}

static void note_sni(struct wssl_conn *c)
{
}
#endif

#if WSSL_HAVE_ALPN
static plugtls_err set_alpn(struct wssl_conn *c, plugtls_error *err)
{
	char *list;
	int ret;

	if (c->ctx->alpn_list == NULL)
		return PLUGTLS_OK;
	/* wolfSSL_UseALPN takes a writable list: hand it a copy. A client
	 * carries on when the server picks none. A server needs its own list
	 * set too: wolfSSL 5.5.4 keeps the client's offer (and calls the
	 * selection callback, wssl_alpn_select_cb, which decides) only when
	 * the server uses ALPN. */
	list = plugtls_prov_malloc(c->ctx->alpn_list_len + 1);
	if (list == NULL)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "set_alpn");
	memcpy(list, c->ctx->alpn_list, c->ctx->alpn_list_len + 1);
	ret = wolfSSL_UseALPN(c->ssl, list, (unsigned)c->ctx->alpn_list_len,
			      c->ctx->role == PLUGTLS_SERVER
				      ? WOLFSSL_ALPN_FAILED_ON_MISMATCH
				      : WOLFSSL_ALPN_CONTINUE_ON_MISMATCH);
	plugtls_prov_free(list);
	if (ret != WOLFSSL_SUCCESS)
		return wssl_error(err, PLUGTLS_E_INTERNAL, ret, "set_alpn");
	return PLUGTLS_OK;
}
/*
 * Servers pick by their own preference (RFC 7301 3.2, as the OpenSSL and
 * GnuTLS providers do). wolfSSL 5.5.4's own server-side matching
 * (wolfSSL_UseALPN) walks the client's list first, so the client's order
 * would win; its selection callback (wolfSSL_CTX_set_alpn_select_cb, from
 * the compatibility layer: there is no native way) lets the backend choose.
 * No common protocol: a fatal no_application_protocol alert.
 */
int wssl_alpn_select_cb(WOLFSSL *ssl, const unsigned char **out,
			unsigned char *outlen, const unsigned char *in,
			unsigned int inlen, void *arg)
{
	const struct wssl_ctx *x = arg;
	size_t i = 0;

	(void)ssl;
	if (x == NULL || x->alpn_wire == NULL)
		return noack_return;
	while (i < x->alpn_wire_len) {
		size_t l = x->alpn_wire[i];
		const unsigned char *name = x->alpn_wire + i + 1;
		unsigned int k = 0;

		while (k < inlen) {
			unsigned int cl = in[k];

			if (cl > inlen - k - 1)
				break; /* malformed: stop */
			if (cl == l && memcmp(in + k + 1, name, l) == 0) {
				*out = in + k + 1;
				*outlen = (unsigned char)cl;
				return 0;
			}
			k += cl + 1;
		}
		i += l + 1;
	}
	return fatal_return;
}

#else
static plugtls_err set_alpn(struct wssl_conn *c, plugtls_error *err)
{
	if (c->ctx->alpn_list == NULL)
		return PLUGTLS_OK;
	return wssl_error(err, PLUGTLS_E_UNSUPPORTED, 0,
			  "set_alpn: this wolfSSL build has no ALPN");
}
#endif

#if WSSL_HAVE_PSK
static plugtls_err set_psk_ctx(struct wssl_conn *c, plugtls_error *err)
{
	if (c->ctx->psk &&
	    wolfSSL_set_psk_callback_ctx(c->ssl, c) != WOLFSSL_SUCCESS)
		return wssl_error(err, PLUGTLS_E_INTERNAL, 0, "conn_new: PSK");
	return PLUGTLS_OK;
}
#else
static plugtls_err set_psk_ctx(struct wssl_conn *c, plugtls_error *err)
{
	return PLUGTLS_OK;
}
#endif

#if WSSL_HAVE_RENEG_INDICATION
/* Clients send the RFC 5746 indication, as OpenSSL and GnuTLS clients do
 * (GnuTLS servers refuse a client without it); in this build it enables
 * no renegotiation (wssl_features.h). wolfSSL 5.5.4's
 * wolfSSL_CTX_UseSecureRenegotiation is not carried into new connections
 * (measured: the server's indication is not seen), so it is set on each. */
static plugtls_err set_reneg_info(struct wssl_conn *c, plugtls_error *err)
{
	int ret;

	if (c->ctx->role != PLUGTLS_CLIENT)
		return PLUGTLS_OK;
	ret = wolfSSL_UseSecureRenegotiation(c->ssl);
	if (ret != WOLFSSL_SUCCESS)
		return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
				  "conn_new: renegotiation_info");
	return PLUGTLS_OK;
}
#else
static plugtls_err set_reneg_info(struct wssl_conn *c, plugtls_error *err)
{
	return PLUGTLS_OK;
}
#endif

plugtls_err wssl_conn_new(void *ctx, plugtls_conn *core,
			  const plugtls_prov_conn_params *params, void **out,
			  plugtls_error *err)
{
	struct wssl_ctx *x = ctx;
	struct wssl_conn *c;
	plugtls_err rc = PLUGTLS_E_INTERNAL;

	c = plugtls_prov_calloc(1, sizeof(*c));
	if (c == NULL)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "conn_new");
	c->ctx = x;
	c->core = core;
	c->ssl = wolfSSL_new(x->ctx);
	if (c->ssl == NULL) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "conn_new");
		goto out;
	}
	wolfSSL_SetIOReadCtx(c->ssl, c);
	wolfSSL_SetIOWriteCtx(c->ssl, c);
	wolfSSL_SetCertCbCtx(c->ssl, c);
	if ((rc = set_psk_ctx(c, err)) != PLUGTLS_OK ||
	    (rc = set_reneg_info(c, err)) != PLUGTLS_OK ||
	    (rc = set_alpn(c, err)) != PLUGTLS_OK)
		goto out;
	if (x->role == PLUGTLS_CLIENT && params->sni &&
	    (rc = set_sni(c, params->sni, err)) != PLUGTLS_OK)
		goto out;
	if (x->role == PLUGTLS_CLIENT && params->session &&
	    params->session_len &&
	    (rc = set_session(c, params->session, params->session_len, err)) !=
		    PLUGTLS_OK)
		goto out;
	*out = c;
	c = NULL;
	rc = PLUGTLS_OK;
out:
	wssl_conn_free(c);
	return rc;
}

void wssl_conn_free(void *conn)
{
	struct wssl_conn *c = conn;

	if (c == NULL)
		return;
	wolfSSL_free(c->ssl);
	plugtls_prov_free(c->psk_identity);
	plugtls_prov_free(c->servername);
	plugtls_prov_free(c);
}

/* TLS alerts that mean "the peer refused the handshake" (RFC 8446 6.2):
 * a TLS 1.3 client meets the server's verdict on its certificate only on
 * its first read, and that is still a handshake failure. */
static bool handshake_alert(int code)
{
	switch (code) {
	case 40: /* handshake_failure */
	case 42: /* bad_certificate */
	case 43: /* unsupported_certificate */
	case 44: /* certificate_revoked */
	case 45: /* certificate_expired */
	case 46: /* certificate_unknown */
	case 48: /* unknown_ca */
	case 49: /* access_denied */
	case 116: /* certificate_required */ return true;
	default: return false;
	}
}

static int last_alert_received(WOLFSSL *ssl)
{
	WOLFSSL_ALERT_HISTORY h;

	memset(&h, 0, sizeof(h));
	if (wolfSSL_get_alert_history(ssl, &h) != WOLFSSL_SUCCESS)
		return -1;
	return h.last_rx.level == alert_fatal ? h.last_rx.code : -1;
}

/* Did wolfSSL send a fatal alert on this connection? */
static bool sent_fatal_alert(WOLFSSL *ssl)
{
	WOLFSSL_ALERT_HISTORY h;

	memset(&h, 0, sizeof(h));
	if (wolfSSL_get_alert_history(ssl, &h) != WOLFSSL_SUCCESS)
		return false;
	return h.last_tx.level == alert_fatal;
}

/*
 * wolfSSL 5.5.4 aborts some handshakes without telling the peer: a TLS 1.3
 * PSK binder that does not verify (alert added upstream in 5.7.0, PR 7235),
 * a TLS 1.3 PSK identity it does not know when it has no certificate to
 * fall back to, a TLS 1.2 PSK identity or key that does not match. The
 * peer then waits for a message that never comes (for ever, on a
 * non-blocking transport), where every other provider sends a fatal alert.
 * So when a handshake fails on a protocol error and wolfSSL sent no fatal
 * alert, the backend sends handshake_failure itself, as a plaintext record
 * (RFC 8446 6: alerts before the keys are in use are unprotected; in every
 * case above this side has not yet switched its write keys). Best effort:
 * the transport's answer is not an error of its own.
 */
static void send_missing_alert(struct wssl_conn *c)
{
	static const unsigned char alert[] = {21,   0x03, 0x03, 0x00,
					      0x02, 2,    40};
	size_t off = 0, n;

	if (c->handshake_done || c->alert_sent || sent_fatal_alert(c->ssl))
		return;
	c->alert_sent = true;
	for (int i = 0; i < 4 && off < sizeof(alert); i++) {
		n = 0;
		if (plugtls_prov_io_write(c->core, alert + off,
					  sizeof(alert) - off,
					  &n) != PLUGTLS_OK ||
		    n == 0)
			break;
		off += n;
	}
}

/* The outcome of a failed wolfSSL call (ret <= 0). */
static plugtls_err outcome(struct wssl_conn *c, int ret, const char *what,
			   plugtls_error *err)
{
	int e = wolfSSL_get_error(c->ssl, ret);

	switch (e) {
	case WOLFSSL_ERROR_WANT_READ: return PLUGTLS_WANT_READ;
	case WOLFSSL_ERROR_WANT_WRITE: return PLUGTLS_WANT_WRITE;
	case WOLFSSL_ERROR_ZERO_RETURN: return PLUGTLS_E_CLOSED;
	default: break;
	}
	if (c->hook_called && c->hook_rc != PLUGTLS_OK)
		/* The core refused the peer and recorded why; wolfSSL sent
		 * the alert (bad_certificate). */
		return plugtls_prov_error(err, PLUGTLS_E_VERIFY, 0,
					  "%s: peer verification failed", what);
	if (c->rx_eof)
		return wssl_error(err, PLUGTLS_E_TRUNCATED, e,
				  "%s: the peer closed the connection without "
				  "close_notify",
				  what);
	switch (c->io_err) {
	case PLUGTLS_E_TIMEOUT:
		return wssl_error(err, PLUGTLS_E_TIMEOUT, e,
				  "%s: the transport timed out", what);
	case PLUGTLS_OK: break;
	default:
		return wssl_error(err, PLUGTLS_E_IO, e,
				  "%s: the transport failed", what);
	}
	if (e == SOCKET_PEER_CLOSED_E)
		return wssl_error(err, PLUGTLS_E_TRUNCATED, e,
				  "%s: the peer closed the connection without "
				  "close_notify",
				  what);
	if (!c->handshake_done) {
		send_missing_alert(c);
		return wssl_error(err, wssl_map_tls_error(e), e, "%s", what);
	}
	if (e == FATAL_ERROR) {
		int alert = last_alert_received(c->ssl);

		return wssl_error(err,
				  handshake_alert(alert) ? PLUGTLS_E_HANDSHAKE
							 : PLUGTLS_E_PROTOCOL,
				  e, "%s: fatal alert %d from the peer", what,
				  alert);
	}
	if (e == MEMORY_E || e == MEMORY_ERROR)
		return wssl_error(err, PLUGTLS_E_NOMEM, e, "%s", what);
	return wssl_error(err, PLUGTLS_E_PROTOCOL, e, "%s", what);
}

plugtls_err wssl_conn_handshake(void *conn, plugtls_error *err)
{
	struct wssl_conn *c = conn;
	int ret;

	wssl_thread_note();
	if (c->handshake_done)
		return PLUGTLS_OK;
	io_reset(c);
	ret = c->ctx->role == PLUGTLS_CLIENT ? wolfSSL_connect(c->ssl)
					     : wolfSSL_accept(c->ssl);
	if (ret != WOLFSSL_SUCCESS)
		return outcome(c, ret, "handshake", err);
	c->handshake_done = true;
	note_sni(c);
	return PLUGTLS_OK;
}

plugtls_err wssl_conn_read(void *conn, void *buf, size_t len, size_t *n,
			   plugtls_error *err)
{
	struct wssl_conn *c = conn;
	int ret;

	wssl_thread_note();
	if (len > INT_MAX)
		len = INT_MAX;
	io_reset(c);
	ret = wolfSSL_read(c->ssl, buf, (int)len);
	if (ret > 0) {
		*n = (size_t)ret;
		return PLUGTLS_OK;
	}
	return outcome(c, ret, "read", err);
}

plugtls_err wssl_conn_write(void *conn, const void *buf, size_t len, size_t *n,
			    plugtls_error *err)
{
	struct wssl_conn *c = conn;
	int ret;

	wssl_thread_note();
	/* wolfSSL_write sends all of its input (in records) before it
	 * returns; after WANT_WRITE it must be called again with the same
	 * arguments, which is the core's contract too. */
	if (len > INT_MAX)
		len = INT_MAX;
	io_reset(c);
	ret = wolfSSL_write(c->ssl, buf, (int)len);
	if (ret > 0) {
		*n = (size_t)ret;
		return PLUGTLS_OK;
	}
	return outcome(c, ret, "write", err);
}

plugtls_err wssl_conn_shutdown(void *conn, plugtls_error *err)
{
	struct wssl_conn *c = conn;
	int ret;

	if (c->close_sent)
		return PLUGTLS_OK;
	io_reset(c);
	ret = wolfSSL_shutdown(c->ssl);
	/* WOLFSSL_SHUTDOWN_NOT_DONE: close_notify sent, the peer's not yet
	 * received; we do not wait for it. */
	if (ret == WOLFSSL_SUCCESS || ret == WOLFSSL_SHUTDOWN_NOT_DONE) {
		c->close_sent = true;
		return PLUGTLS_OK;
	}
	return outcome(c, ret, "shutdown", err);
}

#if WSSL_HAVE_ALPN
static void info_alpn(struct wssl_conn *c, plugtls_prov_conn_info *out)
{
	char *name = NULL;
	unsigned short size = 0;

	if (wolfSSL_ALPN_GetProtocol(c->ssl, &name, &size) == WOLFSSL_SUCCESS &&
	    name && size) {
		out->alpn = (const unsigned char *)name;
		out->alpn_len = size;
	}
}
#else
static void info_alpn(struct wssl_conn *c, plugtls_prov_conn_info *out)
{
}
#endif

plugtls_err wssl_conn_info(void *conn, plugtls_prov_conn_info *out)
{
	struct wssl_conn *c = conn;
	int v = wolfSSL_GetVersion(c->ssl);

	memset(out, 0, sizeof(*out));
	out->version = v == WOLFSSL_TLSV1_3   ? PLUGTLS_TLS1_3
		       : v == WOLFSSL_TLSV1_2 ? PLUGTLS_TLS1_2
					      : 0;
	/* (cipherSuite0 << 8) | cipherSuite: the IANA value (0x13 for TLS
	 * 1.3, 0xC0 ECC, 0xCC ChaCha). */
	out->cipher_id = (uint16_t)wolfSSL_get_current_cipher_suite(c->ssl);
	out->resumed = wolfSSL_session_reused(c->ssl) ? 1 : 0;
	info_alpn(c, out);
	out->servername = c->servername;
	/* A PSK identity counts only when the handshake used the PSK: in TLS
	 * 1.3 a PSK handshake has no certificates, and in TLS 1.2 the
	 * negotiated suite is a PSK suite. The callbacks ran either way. */
	if (c->psk_offered && c->psk_identity && !c->hook_called &&
	    !out->resumed) {
		out->psk_identity = c->psk_identity;
		out->psk_identity_len = c->psk_identity_len;
	}
	return PLUGTLS_OK;
}

#if WSSL_HAVE_SESSION_CERTS
plugtls_err wssl_conn_peer_chain(void *conn, plugtls_prov_chain_sink sink,
				 void *arg)
{
	struct wssl_conn *c = conn;
	WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(c->ssl);
	int count = chain ? wolfSSL_get_chain_count(chain) : 0;

	for (int i = 0; i < count; i++) {
		struct wssl_cert cert;
		unsigned char *der = wolfSSL_get_chain_cert(chain, i);
		int len = wolfSSL_get_chain_length(chain, i);
		plugtls_err rc;

		if (der == NULL || len <= 0)
			return PLUGTLS_E_INTERNAL;
		wssl_cert_borrow(&cert, der, (size_t)len);
		rc = sink(arg, &cert);
		if (rc != PLUGTLS_OK)
			return rc;
	}
	return PLUGTLS_OK;
}
#else
plugtls_err wssl_conn_peer_chain(void *conn, plugtls_prov_chain_sink sink,
				 void *arg)
{
	return PLUGTLS_E_UNSUPPORTED;
}
#endif

void *wssl_conn_native(void *conn)
{
	struct wssl_conn *c = conn;

	return c->ssl;
}

#if WSSL_HAVE_SESSION_EXPORT
plugtls_err wssl_conn_session_export(void *conn, unsigned char **out,
				     size_t *out_len, plugtls_error *err)
{
	struct wssl_conn *c = conn;
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	WOLFSSL_SESSION *sess = NULL;
	unsigned char *buf = NULL, *p;
	int len = 0, len2;

	if (!c->handshake_done || c->ctx->role != PLUGTLS_CLIENT)
		return PLUGTLS_E_NOT_FOUND;
	sess = wolfSSL_get1_session(c->ssl);
	if (sess == NULL)
		return PLUGTLS_E_NOT_FOUND;
	/* TLS 1.3 resumes only with a ticket, which arrives after the
	 * handshake (NewSessionTicket, read by wolfSSL_read). */
	if (wolfSSL_GetVersion(c->ssl) == WOLFSSL_TLSV1_3 &&
	    !wolfSSL_SESSION_has_ticket(sess)) {
		rc = PLUGTLS_E_NOT_FOUND;
		goto out;
	}
	len = wolfSSL_i2d_SSL_SESSION(sess, NULL);
	if (len <= 0) {
		rc = wssl_error(err, PLUGTLS_E_INTERNAL, len,
				"session_export: size");
		goto out;
	}
	buf = plugtls_prov_malloc((size_t)len);
	if (buf == NULL) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "session_export");
		goto out;
	}
	p = buf;
	len2 = wolfSSL_i2d_SSL_SESSION(sess, &p);
	if (len2 != len) {
		rc = wssl_error(err, PLUGTLS_E_INTERNAL, len2,
				"session_export: encoding");
		goto out;
	}
	/* Import refuses what the layout check does not recognise: say so
	 * here instead of exporting a session that cannot be imported. */
	if (!wssl_session_blob_ok(buf, (size_t)len)) {
		rc = wssl_error(err, PLUGTLS_E_UNSUPPORTED, 0,
				"session_export: this wolfSSL's session layout "
				"is not the one plugtls checks");
		goto out;
	}
	*out = buf;
	*out_len = (size_t)len;
	buf = NULL;
	rc = PLUGTLS_OK;
out:
	if (buf != NULL) {
		plugtls_prov_wipe(buf, (size_t)len);
		plugtls_prov_free(buf);
	}
	wolfSSL_SESSION_free(sess);
	return rc;
}
#endif
