/*
 * OpenSSL provider: connections (struct ossl_conn around an SSL).
 *
 * Transport: a BIO_METHOD whose read and write call the core's
 * plugtls_prov_io_read/write, so bytes go straight between OpenSSL's record
 * buffers and the application's transport. WANT_READ / WANT_WRITE become
 * BIO retry flags, which SSL_get_error turns back into SSL_ERROR_WANT_*;
 * end of stream sets BIO_eof, which OpenSSL 3.0 reports as
 * SSL_R_UNEXPECTED_EOF_WHILE_READING when no close_notify came first
 * (we never set SSL_OP_IGNORE_UNEXPECTED_EOF): PLUGTLS_E_TRUNCATED on read.
 * A transport error is remembered on the connection, because OpenSSL only
 * sees "the BIO failed" (SSL_ERROR_SYSCALL).
 *
 * The handshake callbacks (peer verification through the core, PSK,
 * key-log) are in ossl_conn_cb.c.
 */
#include "ossl_local.h"

#include <openssl/crypto.h>

#include <limits.h>
#include <pthread.h>
#include <string.h>

enum ossl_phase { PH_HANDSHAKE, PH_READ, PH_WRITE, PH_SHUTDOWN };

static const char *const ossl_phase_name[] = {"handshake", "read", "write",
					      "shutdown"};

struct ossl_conn *ossl_conn_of(const SSL *ssl)
{
	return ssl && ossl_conn_index >= 0
		       ? SSL_get_ex_data(ssl, ossl_conn_index)
		       : NULL;
}

plugtls_err ossl_conn_set_psk_id(struct ossl_conn *oc, const void *id,
				 size_t len)
{
	unsigned char *copy = plugtls_prov_malloc(len ? len : 1);

	if (!copy)
		return PLUGTLS_E_NOMEM;
	if (len)
		memcpy(copy, id, len);
	plugtls_prov_free(oc->psk_id);
	oc->psk_id = copy;
	oc->psk_id_len = len;
	return PLUGTLS_OK;
}

/* ---- the transport BIO ------------------------------------------------------ */

int ossl_bio_create(BIO *b)
{
	BIO_set_data(b, NULL);
	BIO_set_init(b, 0);
	return 1;
}

int ossl_bio_destroy(BIO *b)
{
	/* The connection owns the BIO's data, not the other way round. */
	BIO_set_data(b, NULL);
	BIO_set_init(b, 0);
	return 1;
}

int ossl_bio_write(BIO *b, const char *data, size_t len, size_t *written)
{
	struct ossl_conn *oc = BIO_get_data(b);
	size_t n = 0;
	plugtls_err rc;

	BIO_clear_retry_flags(b);
	if (!oc)
		return 0;
	if (len == 0) {
		*written = 0;
		return 1;
	}
	rc = plugtls_prov_io_write(oc->core, data, len, &n);
	switch (rc) {
	case PLUGTLS_OK:
		if (n == 0 || n > len) {
			oc->io_rc = PLUGTLS_E_IO; /* a broken transport */
			return 0;
		}
		*written = n;
		return 1;
	case PLUGTLS_WANT_WRITE:
		BIO_set_retry_write(b);
		return 0;
	case PLUGTLS_WANT_READ:
		BIO_set_retry_read(b);
		return 0;
	default:
		oc->io_rc = rc;
		return 0;
	}
}

int ossl_bio_read(BIO *b, char *data, size_t len, size_t *readbytes)
{
	struct ossl_conn *oc = BIO_get_data(b);
	size_t n = 0;
	plugtls_err rc;

	BIO_clear_retry_flags(b);
	if (!oc)
		return 0;
	if (len == 0) {
		*readbytes = 0;
		return 1;
	}
	if (oc->eof)
		return 0;
	rc = plugtls_prov_io_read(oc->core, data, len, &n);
	switch (rc) {
	case PLUGTLS_OK:
		if (n == 0 || n > len) {
			oc->io_rc = PLUGTLS_E_IO;
			return 0;
		}
		*readbytes = n;
		return 1;
	case PLUGTLS_WANT_READ:
		BIO_set_retry_read(b);
		return 0;
	case PLUGTLS_WANT_WRITE:
		BIO_set_retry_write(b);
		return 0;
	case PLUGTLS_E_CLOSED:
		oc->eof = 1;
		return 0;
	default:
		oc->io_rc = rc;
		return 0;
	}
}

long ossl_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct ossl_conn *oc = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1; /* writes go straight to the transport */
	case BIO_CTRL_EOF:
		return oc ? oc->eof : 1;
	default:
		return 0;
	}
}

/* ---- results ------------------------------------------------------------------ */

static int queue_has_ssl_reason(int reason)
{
	unsigned long first = ERR_peek_error(), last = ERR_peek_last_error();

	return (ERR_GET_LIB(first) == ERR_LIB_SSL &&
		ERR_GET_REASON(first) == reason) ||
	       (ERR_GET_LIB(last) == ERR_LIB_SSL &&
		ERR_GET_REASON(last) == reason);
}

/* A fatal alert the peer sent about our handshake: certificates refused,
 * no agreement, our signature bad. In TLS 1.3 a client finishes before the
 * server has judged the client's certificate (RFC 8446 4.4.4), so such an
 * alert can arrive on the first read after the handshake; it still is a
 * handshake failure, not a protocol error. */
static int is_handshake_alert(unsigned long e)
{
	int reason = ERR_GET_REASON(e);

	if (ERR_GET_LIB(e) != ERR_LIB_SSL || reason < SSL_AD_REASON_OFFSET)
		return 0;
	switch (reason - SSL_AD_REASON_OFFSET) {
	case SSL3_AD_HANDSHAKE_FAILURE:
	case SSL3_AD_BAD_CERTIFICATE:
	case SSL3_AD_UNSUPPORTED_CERTIFICATE:
	case SSL3_AD_CERTIFICATE_REVOKED:
	case SSL3_AD_CERTIFICATE_EXPIRED:
	case SSL3_AD_CERTIFICATE_UNKNOWN:
	case TLS1_AD_UNKNOWN_CA:
	case TLS1_AD_ACCESS_DENIED:
	case TLS1_AD_DECRYPT_ERROR:
	case TLS13_AD_CERTIFICATE_REQUIRED:
		return 1;
	default:
		return 0;
	}
}

/* Turns the result of an SSL call that did not succeed into a plugtls
 * code, filling err for failures. */
static plugtls_err map_result(struct ossl_conn *oc, int ret,
			      enum ossl_phase ph, plugtls_error *err)
{
	const char *what = ossl_phase_name[ph];
	int e = SSL_get_error(oc->ssl, ret);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		return PLUGTLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return PLUGTLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		/* close_notify received: an outcome, not a failure. */
		ERR_clear_error();
		return PLUGTLS_E_CLOSED;
	case SSL_ERROR_SYSCALL:
	case SSL_ERROR_SSL:
		break;
	default:
		return ossl_err(err, PLUGTLS_E_INTERNAL,
				"%s: unexpected SSL_get_error %d", what, e);
	}
	/* The core refused the peer (its verdict is recorded already):
	 * OpenSSL has sent bad_certificate. */
	if (oc->verify_rc != PLUGTLS_OK)
		return ossl_err(err, oc->verify_rc,
				"%s: the peer's certificate was refused", what);
	if (oc->io_rc == PLUGTLS_E_IO || oc->io_rc == PLUGTLS_E_TIMEOUT)
		return ossl_err(err, oc->io_rc, "%s: the transport %s", what,
				oc->io_rc == PLUGTLS_E_TIMEOUT ? "timed out"
							       : "failed");
	if (oc->eof || oc->io_rc == PLUGTLS_E_CLOSED ||
	    queue_has_ssl_reason(SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
		ERR_clear_error();
		if (ph == PH_READ)
			return plugtls_prov_error(err, PLUGTLS_E_TRUNCATED, 0,
						  "read: the peer closed the "
						  "connection without "
						  "close_notify");
		return plugtls_prov_error(err, PLUGTLS_E_CLOSED, 0,
					  "%s: the peer closed the connection",
					  what);
	}
	/* A server that requires a client certificate and got none: OpenSSL
	 * has sent certificate_required (TLS 1.3) or handshake_failure (1.2)
	 * without asking the verify callback; the core still must record
	 * the verdict (no-certificate), so it is called with n == 0. */
	if (ph == PH_HANDSHAKE && SSL_is_server(oc->ssl) &&
	    queue_has_ssl_reason(SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)) {
		if (!oc->verify_called) {
			oc->verify_called = 1;
			(void)plugtls_prov_verify_peer(oc->core, NULL, 0);
		}
		return ossl_err(err, PLUGTLS_E_VERIFY,
				"handshake: the client sent no certificate");
	}
	if (ph == PH_SHUTDOWN &&
	    queue_has_ssl_reason(SSL_R_SHUTDOWN_WHILE_IN_INIT))
		return ossl_err(err, PLUGTLS_E_STATE,
				"shutdown: the handshake is not complete");
	if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
		return plugtls_prov_error(err, PLUGTLS_E_IO, 0,
					  "%s: the transport failed", what);
	/* The phase, not SSL_is_init_finished(): OpenSSL 3.0 puts a
	 * connection back "in init" on any fatal error (SSLfatal), so a bad
	 * record after the handshake (e.g. a header claiming 64 KiB,
	 * conformance/test_hostile.c) would read as a handshake failure.
	 * After the handshake, a handshake-family alert still means the
	 * handshake failed for a client (a TLS 1.3 server refuses the
	 * client's certificate after the client has finished). A server
	 * gets one only when a client gives up a renegotiation that plugtls
	 * refused (no_renegotiation warning): a protocol error, as on the
	 * other providers, whose servers refuse it with a fatal alert. */
	if (ph == PH_HANDSHAKE ||
	    (!SSL_is_server(oc->ssl) &&
	     (is_handshake_alert(ERR_peek_error()) ||
	      is_handshake_alert(ERR_peek_last_error()))))
		return ossl_err(err, PLUGTLS_E_HANDSHAKE, "%s", what);
	return ossl_err(err, PLUGTLS_E_PROTOCOL, "%s", what);
}

static void call_begin(struct ossl_conn *oc)
{
	/* SSL_get_error needs an empty queue. Clearing an empty one still
	 * walks all its slots: about 800 instructions a record on the bulk
	 * path, for nothing. */
	if (ERR_peek_error() != 0)
		ERR_clear_error();
	oc->io_rc = PLUGTLS_OK;
}

/* ---- sessions to resume -------------------------------------------------------- */

/* Guards every context's session cache; held only to compare and swap. */
static pthread_mutex_t ossl_sess_lock = PTHREAD_MUTEX_INITIALIZER;

static void sess_cache_clear(unsigned char *der, size_t len,
			     SSL_SESSION *sess)
{
	if (der) {
		plugtls_prov_wipe(der, len);
		plugtls_prov_free(der);
	}
	SSL_SESSION_free(sess);
}

void ossl_ctx_session_cache_free(struct ossl_ctx *octx)
{
	sess_cache_clear(octx->sess_der, octx->sess_len, octx->sess);
	octx->sess_der = NULL;
	octx->sess_len = 0;
	octx->sess = NULL;
}

/* Remember parsed (one more reference taken) as the context's session
 * for the bytes der; best effort: out of memory only skips the cache. */
static void sess_cache_put(struct ossl_ctx *octx, const unsigned char *der,
			   size_t len, SSL_SESSION *parsed)
{
	unsigned char *copy = plugtls_prov_malloc(len);
	unsigned char *old_der;
	size_t old_len;
	SSL_SESSION *old;

	if (!copy)
		return;
	if (!SSL_SESSION_up_ref(parsed)) {
		plugtls_prov_free(copy);
		return;
	}
	memcpy(copy, der, len);
	pthread_mutex_lock(&ossl_sess_lock);
	old_der = octx->sess_der;
	old_len = octx->sess_len;
	old = octx->sess;
	octx->sess_der = copy;
	octx->sess_len = len;
	octx->sess = parsed;
	pthread_mutex_unlock(&ossl_sess_lock);
	sess_cache_clear(old_der, old_len, old);
}

/* The session encoded in der (from conn.session_export), as a new
 * SSL_SESSION of the caller's. Applications resume many connections from
 * one exported session, and d2i_SSL_SESSION (which parses the peer's
 * certificates again) costs more than the rest of the client's resumed
 * handshake: the context keeps the last one parsed, keyed by its exact
 * bytes, and each connection gets its own copy (SSL_SESSION_dup: OpenSSL
 * changes a session it resumes from, and marks TLS 1.3 ones used). */
static plugtls_err sess_from_der(struct ossl_ctx *octx,
				 const unsigned char *der, size_t len,
				 SSL_SESSION **out, plugtls_error *err)
{
	SSL_SESSION *base = NULL, *copy;

	pthread_mutex_lock(&ossl_sess_lock);
	if (octx->sess && octx->sess_len == len &&
	    CRYPTO_memcmp(octx->sess_der, der, len) == 0 &&
	    SSL_SESSION_up_ref(octx->sess))
		base = octx->sess;
	pthread_mutex_unlock(&ossl_sess_lock);
	if (!base) {
		const unsigned char *p = der;
		if (len > LONG_MAX ||
		    !(base = d2i_SSL_SESSION(NULL, &p, (long)len)) ||
		    p != der + len) {
			SSL_SESSION_free(base);
			return ossl_err(err, PLUGTLS_E_MALFORMED,
					"conn_new: session is not an OpenSSL "
					"session");
		}
		sess_cache_put(octx, der, len, base);
	}
	copy = SSL_SESSION_dup(base);
	SSL_SESSION_free(base);
	if (!copy)
		return ossl_err(err, PLUGTLS_E_NOMEM,
				"conn_new: session copy");
	*out = copy;
	return PLUGTLS_OK;
}

/* ---- operations --------------------------------------------------------------- */

plugtls_err ossl_conn_new(void *ctx, plugtls_conn *core,
			  const plugtls_prov_conn_params *params, void **out,
			  plugtls_error *err)
{
	struct ossl_ctx *octx = ctx;
	struct ossl_conn *oc = NULL;
	SSL_SESSION *sess = NULL;
	BIO *bio = NULL;
	plugtls_err rc = PLUGTLS_E_INTERNAL;

	if (!octx || !core || !out || !ossl_bio_method)
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "conn_new: bad parameters");
	ERR_clear_error();
	oc = plugtls_prov_calloc(1, sizeof(*oc));
	if (!oc) {
		rc = plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0, "conn_new");
		goto out;
	}
	oc->core = core;
	oc->ctx = octx;
	oc->ssl = SSL_new(octx->ssl_ctx);
	if (!oc->ssl) {
		rc = ossl_err(err, PLUGTLS_E_NOMEM, "conn_new: SSL_new");
		goto out;
	}
	if (!SSL_set_ex_data(oc->ssl, ossl_conn_index, oc)) {
		rc = ossl_err(err, PLUGTLS_E_NOMEM, "conn_new: ex_data");
		goto out;
	}
	bio = BIO_new(ossl_bio_method);
	if (!bio) {
		rc = ossl_err(err, PLUGTLS_E_NOMEM, "conn_new: BIO_new");
		goto out;
	}
	BIO_set_data(bio, oc);
	BIO_set_init(bio, 1);
	/* One BIO both ways: SSL_set_bio takes the one reference. */
	SSL_set_bio(oc->ssl, bio, bio);
	bio = NULL;

	if (octx->role == PLUGTLS_CLIENT) {
		SSL_set_connect_state(oc->ssl);
		if (params && params->sni &&
		    !SSL_set_tlsext_host_name(oc->ssl, params->sni)) {
			rc = ossl_err(err, PLUGTLS_E_INVALID_ARGUMENT,
				      "conn_new: server name");
			goto out;
		}
		if (params && params->session && params->session_len) {
			rc = sess_from_der(octx, params->session,
					   params->session_len, &sess, err);
			if (rc)
				goto out;
			rc = PLUGTLS_E_INTERNAL;
			if (!SSL_set_session(oc->ssl, sess)) {
				rc = ossl_err(err, PLUGTLS_E_INVALID_ARGUMENT,
					      "conn_new: session refused");
				goto out;
			}
		}
	} else {
		SSL_set_accept_state(oc->ssl);
	}
	*out = oc;
	oc = NULL;
	rc = PLUGTLS_OK;
out:
	ERR_clear_error();
	SSL_SESSION_free(sess);
	BIO_free(bio);
	ossl_conn_free(oc);
	return rc;
}

void ossl_conn_free(void *conn)
{
	struct ossl_conn *oc = conn;

	if (!oc)
		return;
	/* The core sent close_notify before, when the handshake completed;
	 * SSL_free also frees the BIO. */
	SSL_free(oc->ssl);
	plugtls_prov_free(oc->psk_id);
	plugtls_prov_free(oc);
}

plugtls_err ossl_conn_handshake(void *conn, plugtls_error *err)
{
	struct ossl_conn *oc = conn;
	int ret;

	call_begin(oc);
	ret = SSL_do_handshake(oc->ssl);
	if (ret == 1)
		return PLUGTLS_OK;
	return map_result(oc, ret, PH_HANDSHAKE, err);
}

plugtls_err ossl_conn_read(void *conn, void *buf, size_t len, size_t *n,
			   plugtls_error *err)
{
	struct ossl_conn *oc = conn;
	size_t got = 0;
	int ret;

	if (len == 0) {
		*n = 0;
		return PLUGTLS_OK;
	}
	call_begin(oc);
	ret = SSL_read_ex(oc->ssl, buf, len, &got);
	if (ret == 1) {
		*n = got;
		return PLUGTLS_OK;
	}
	return map_result(oc, ret, PH_READ, err);
}

plugtls_err ossl_conn_write(void *conn, const void *buf, size_t len,
			    size_t *n, plugtls_error *err)
{
	struct ossl_conn *oc = conn;
	size_t put = 0;
	int ret;

	if (len == 0) {
		*n = 0;
		return PLUGTLS_OK;
	}
	call_begin(oc);
	ret = SSL_write_ex(oc->ssl, buf, len, &put);
	if (ret == 1) {
		*n = put;
		return PLUGTLS_OK;
	}
	return map_result(oc, ret, PH_WRITE, err);
}

plugtls_err ossl_conn_shutdown(void *conn, plugtls_error *err)
{
	struct ossl_conn *oc = conn;
	int ret;

	if (oc->close_sent)
		return PLUGTLS_OK;
	call_begin(oc);
	/* 0: our close_notify is out, the peer's not yet seen; 1: both.
	 * We do not wait for the peer's (the contract is "send"). */
	ret = SSL_shutdown(oc->ssl);
	if (ret >= 0) {
		oc->close_sent = 1;
		return PLUGTLS_OK;
	}
	if (SSL_get_error(oc->ssl, ret) == SSL_ERROR_WANT_READ &&
	    (SSL_get_shutdown(oc->ssl) & SSL_SENT_SHUTDOWN)) {
		/* Sent; OpenSSL went on to look for the peer's. */
		ERR_clear_error();
		oc->close_sent = 1;
		return PLUGTLS_OK;
	}
	return map_result(oc, ret, PH_SHUTDOWN, err);
}

plugtls_err ossl_conn_info(void *conn, plugtls_prov_conn_info *out)
{
	struct ossl_conn *oc = conn;
	const SSL_CIPHER *cipher = SSL_get_current_cipher(oc->ssl);
	const unsigned char *alpn = NULL;
	unsigned int alpn_len = 0;
	int v = SSL_version(oc->ssl), reused, psk = 0;

	memset(out, 0, sizeof(*out));
	if (!cipher || !SSL_is_init_finished(oc->ssl))
		return PLUGTLS_E_STATE;
	out->version = v == TLS1_3_VERSION   ? PLUGTLS_TLS1_3
		       : v == TLS1_2_VERSION ? PLUGTLS_TLS1_2
					     : 0;
	out->cipher_id = SSL_CIPHER_get_protocol_id(cipher);
	reused = SSL_session_reused(oc->ssl);
	/* An external PSK handshake counts as "reused" to OpenSSL (TLS 1.3);
	 * to plugtls it is a PSK handshake, not a resumption. A TLS 1.2 PSK
	 * handshake shows in its cipher suite. */
	if (v == TLS1_3_VERSION)
		psk = reused && oc->psk_offered;
	else
		psk = SSL_CIPHER_get_auth_nid(cipher) == NID_auth_psk;
	out->resumed = reused && !(psk && v == TLS1_3_VERSION);
	if (psk && oc->psk_id) {
		out->psk_identity = oc->psk_id;
		out->psk_identity_len = oc->psk_id_len;
	} else if (psk) {
		/* TLS 1.2 resumption of a PSK session: no callback ran;
		 * the identity travels in the session. */
		const char *id = SSL_get_psk_identity(oc->ssl);
		if (id) {
			out->psk_identity = (const unsigned char *)id;
			out->psk_identity_len = strlen(id);
		}
	}
	SSL_get0_alpn_selected(oc->ssl, &alpn, &alpn_len);
	if (alpn && alpn_len) {
		out->alpn = alpn;
		out->alpn_len = alpn_len;
	}
	if (SSL_is_server(oc->ssl))
		out->servername =
			SSL_get_servername(oc->ssl, TLSEXT_NAMETYPE_host_name);
	return PLUGTLS_OK;
}

plugtls_err ossl_conn_peer_chain(void *conn, plugtls_prov_chain_sink sink,
				 void *arg)
{
	struct ossl_conn *oc = conn;
	X509 *leaf = SSL_get0_peer_certificate(oc->ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(oc->ssl);
	plugtls_err rc;

	if (!leaf)
		return PLUGTLS_OK;
	rc = sink(arg, leaf);
	/* A client's chain starts with the leaf; a server's leaves it out. */
	for (int i = 0; rc == PLUGTLS_OK && i < sk_X509_num(chain); i++) {
		X509 *x = sk_X509_value(chain, i);
		if (i == 0 && x == leaf)
			continue;
		rc = sink(arg, x);
	}
	return rc;
}

void *ossl_conn_native_handle(void *conn)
{
	struct ossl_conn *oc = conn;

	return oc ? oc->ssl : NULL;
}

plugtls_err ossl_conn_session_export(void *conn, unsigned char **out,
				     size_t *out_len, plugtls_error *err)
{
	struct ossl_conn *oc = conn;
	SSL_SESSION *sess = NULL;
	unsigned char *buf = NULL, *w;
	int len;
	plugtls_err rc;

	ERR_clear_error();
	if (!SSL_is_server(oc->ssl))
		sess = SSL_get1_session(oc->ssl);
	/* TLS 1.3 sessions become resumable when a ticket arrives, after
	 * the handshake (the first read that saw it). */
	if (!sess || !SSL_SESSION_is_resumable(sess)) {
		rc = plugtls_prov_error(err, PLUGTLS_E_NOT_FOUND, 0,
					"session export: no resumable session "
					"yet");
		goto out;
	}
	len = i2d_SSL_SESSION(sess, NULL);
	if (len <= 0) {
		rc = ossl_err(err, PLUGTLS_E_INTERNAL,
			      "session export: encoding");
		goto out;
	}
	buf = plugtls_prov_malloc((size_t)len);
	if (!buf) {
		rc = plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					"session export");
		goto out;
	}
	w = buf;
	if (i2d_SSL_SESSION(sess, &w) != len) {
		rc = ossl_err(err, PLUGTLS_E_INTERNAL,
			      "session export: encoding");
		goto out;
	}
	*out = buf;
	*out_len = (size_t)len;
	buf = NULL;
	rc = PLUGTLS_OK;
out:
	/* The encoding holds the session's secrets. */
	if (buf) {
		plugtls_prov_wipe(buf, (size_t)len);
		plugtls_prov_free(buf);
	}
	SSL_SESSION_free(sess);
	return rc;
}
