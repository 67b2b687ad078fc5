/*
 * GnuTLS provider: connections. The native handle is the gnutls_session_t.
 *
 * Transport: GnuTLS's custom transport (push/pull on the struct gtls_conn)
 * over plugtls_prov_io_read/_write. A transport that would block sets
 * EAGAIN with gnutls_transport_set_errno(); GnuTLS then returns
 * GNUTLS_E_AGAIN, which becomes the WANT_* the transport said (falling back
 * to gnutls_record_get_direction()). A custom transport needs a pull-timeout
 * function (GnuTLS 3.7 otherwise fails the handshake timeout logic and
 * gnutls_session_get_data2()'s ticket wait): ours answers "maybe", so the
 * pull that follows tells the truth; the handshake timeout is off (the core
 * owns timeouts).
 *
 * Alerts: GnuTLS does not send an alert when gnutls_handshake() fails; the
 * application must (gnutls_alert_send_appropriate()). Alerts can still be
 * sent on a session GnuTLS has invalidated ("alert messages are sent
 * anyway", lib/record.c). So every local handshake failure sends one here,
 * which is what lets the peer fail with PLUGTLS_E_HANDSHAKE instead of
 * waiting.
 *
 * Renegotiation: never started; a peer's attempt (TLS 1.2 HelloRequest to a
 * client, ClientHello to an established server) is answered with a
 * no_renegotiation warning (RFC 5246 7.2.2), as OpenSSL does with
 * SSL_OP_NO_RENEGOTIATION, and reading continues.
 */
#include "gtls_int.h"

#include <errno.h>
#include <string.h>

/* ---- transport -------------------------------------------------------- */

/* A transport result that is not data, as GnuTLS wants it: -1 with the
 * errno it acts on, the plugtls code kept for the caller. fail_errno is
 * what a failed transport reports (EPIPE writing, EIO reading). */
static ssize_t io_not_data(struct gtls_conn *c, plugtls_err rc, int fail_errno)
{
	switch (rc) {
	case PLUGTLS_WANT_READ:
	case PLUGTLS_WANT_WRITE:
		c->io_rc = rc;
		gnutls_transport_set_errno(c->s, EAGAIN);
		return -1;
	case PLUGTLS_E_TIMEOUT:
		c->io_rc = rc;
		gnutls_transport_set_errno(c->s, ETIMEDOUT);
		return -1;
	default:
		c->io_rc = PLUGTLS_E_IO;
		gnutls_transport_set_errno(c->s, fail_errno);
		return -1;
	}
}

/* Gathered: GnuTLS hands a record's header and body, or a flight of
 * records, as one vector; with a plain push function it would write each
 * piece separately (a system call each on a socket). */
static ssize_t vec_push_cb(gnutls_transport_ptr_t ptr, const giovec_t *iov,
			   int iovcnt)
{
	struct gtls_conn *c = ptr;
	plugtls_prov_iovec v[PLUGTLS_PROV_IOV_MAX];
	size_t nv = 0, total = 0, n = 0;
	plugtls_err rc;

	for (int i = 0; i < iovcnt && nv < PLUGTLS_PROV_IOV_MAX; i++) {
		v[nv].base = iov[i].iov_base;
		v[nv].len = iov[i].iov_len;
		total += iov[i].iov_len;
		nv++;
	}
	if (total == 0)
		return 0;
	rc = plugtls_prov_io_writev(c->core, v, nv, &n);
	if (rc == PLUGTLS_OK && n > 0 && n <= total)
		return (ssize_t)n;
	return io_not_data(c, rc == PLUGTLS_OK ? PLUGTLS_E_IO : rc, EPIPE);
}

/*
 * The peer's first record must carry the first handshake message we
 * expect: a ClientHello (1) for a server, a ServerHello (2, which also
 * covers HelloRetryRequest) for a client. OpenSSL judges the message type
 * from its 4-byte header and fails at once; GnuTLS 3.7 first waits for the
 * whole message of the length the header claims, so a peer that sends
 * garbage with a large length keeps it waiting for more input (or, at end
 * of stream, looks like a truncated connection). Looking at the type byte
 * as it arrives gives one answer: PLUGTLS_E_HANDSHAKE right away
 * (RFC 8446 5.1 and 4: an unexpected message is a fatal error). Records of
 * other types (an alert, or not TLS at all) are left to GnuTLS.
 */
static int first_message_check(struct gtls_conn *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	unsigned char want_type = c->ctx->role == PLUGTLS_SERVER
					  ? 1 /* ClientHello */
					  : 2 /* ServerHello */;

	for (size_t i = 0; i < n && c->rx_head_len < sizeof(c->rx_head); i++)
		c->rx_head[c->rx_head_len++] = p[i];
	if (c->rx_head_len < sizeof(c->rx_head))
		return 0;
	/* rx_head: record type, version (2), length (2), handshake type. */
	if (c->rx_head[0] == 22 && c->rx_head[5] != want_type) {
		c->bad_first_message = true;
		return -1;
	}
	return 0;
}

static ssize_t pull_cb(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct gtls_conn *c = ptr;
	size_t n = 0;
	plugtls_err rc = plugtls_prov_io_read(c->core, data, len, &n);

	if (rc == PLUGTLS_OK && n > 0 && n <= len) {
		if (!c->handshake_done && c->rx_head_len < sizeof(c->rx_head) &&
		    first_message_check(c, data, n) < 0) {
			c->io_rc = PLUGTLS_OK;
			gnutls_transport_set_errno(c->s, EPROTO);
			return -1;
		}
		return (ssize_t)n;
	}
	if (rc == PLUGTLS_E_CLOSED) {
		c->io_eof = true;
		return 0;
	}
	return io_not_data(c, rc == PLUGTLS_OK ? PLUGTLS_E_IO : rc, EIO);
}

/* "Data may be there": the pull that follows reports WANT_READ when not. */
static int pull_timeout_cb(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	(void)ptr;
	(void)ms;
	return 1;
}

/* Did the transport say it would block during the last GnuTLS call? When
 * it did not, GNUTLS_E_AGAIN only means GnuTLS consumed a record that held
 * no application data (a TLS 1.3 NewSessionTicket or KeyUpdate, an empty
 * record): calling again makes progress, and a blocking transport must
 * never see WANT_*. */
static bool transport_blocked(const struct gtls_conn *c)
{
	return c->io_rc == PLUGTLS_WANT_READ || c->io_rc == PLUGTLS_WANT_WRITE;
}

static plugtls_err want(struct gtls_conn *c)
{
	if (transport_blocked(c))
		return c->io_rc;
	return gnutls_record_get_direction(c->s) ? PLUGTLS_WANT_WRITE
						 : PLUGTLS_WANT_READ;
}

static void send_alert(struct gtls_conn *c, gnutls_alert_description_t a)
{
	/* Best effort: a transport that cannot take it now loses it. */
	(void)gnutls_alert_send(c->s, GNUTLS_AL_FATAL, a);
}

/* ---- new / free ------------------------------------------------------- */

/* A GnuTLS packed session (lib/session_pack.c) is checked before
 * gnutls_session_set_data sees it, because GnuTLS 3.7.9 mishandles a
 * malformed one (both found by fuzz/fuzz_session):
 *  - a session of the anonymous credential type that fails to unpack leaks
 *    GnuTLS's copy of the data (the GNUTLS_CRD_ANON case returns without
 *    clearing its buffer; regression input regress-gnutls-anon-leak);
 *  - a certificate session whose certificate count is larger than the data
 *    leaves the count set after a failed allocation or a short read, and
 *    gnutls_deinit then walks a list that is not there (NULL dereference;
 *    regress-gnutls-ncerts-deinit).
 * The packed header is magic, timestamp, expiry (4 bytes each) and the
 * credential type; this backend makes only certificate and PSK sessions,
 * so any other type is refused, and the authentication block of those two
 * (a 32-bit size, then 32-bit numbers and 32-bit-length-prefixed data) must
 * parse exactly to its stated size. What follows (security parameters) is
 * left to GnuTLS, whose failures there do not touch the unpacked block. */
struct sess_cur {
	const unsigned char *p;
	size_t len, off;
	bool bad;
};

static size_t sess_u32(struct sess_cur *c)
{
	size_t v;
	if (c->bad || c->len - c->off < 4) {
		c->bad = true;
		return 0;
	}
	v = (size_t)c->p[c->off] << 24 | (size_t)c->p[c->off + 1] << 16 |
	    (size_t)c->p[c->off + 2] << 8 | c->p[c->off + 3];
	c->off += 4;
	return v;
}

/* A 32-bit length at most max, then that many bytes. */
static void sess_datum(struct sess_cur *c, size_t max)
{
	size_t n = sess_u32(c);
	if (c->bad || n > max || c->len - c->off < n)
		c->bad = true;
	else
		c->off += n;
}

/* PSK user names and hints: char[MAX_USERNAME_SIZE + 1], 128 + 1. */
#define GTLS_SESS_MAX_NAME 129u

static bool session_auth_ok(const unsigned char *data, size_t len)
{
	struct sess_cur c = {.p = data, .len = len, .off = 12};
	size_t size, start, n;
	int type;

	if (len <= 12)
		return false;
	type = data[c.off++];
	if (type != GNUTLS_CRD_CERTIFICATE && type != GNUTLS_CRD_PSK)
		return false;
	size = sess_u32(&c);
	start = c.off;
	if (c.bad || size > len - start)
		return false;
	c.len = start + size; /* the block must fit its stated size */
	if (type == GNUTLS_CRD_PSK) {
		if (size == 0)
			return false;
		sess_datum(&c, GTLS_SESS_MAX_NAME); /* user name */
		sess_datum(&c, GTLS_SESS_MAX_NAME); /* hint */
	} else if (size == 0) {
		return true;
	}
	(void)sess_u32(&c);         /* DH secret bits */
	for (int i = 0; i < 3; i++) /* DH prime, generator, public key */
		sess_datum(&c, SIZE_MAX);
	if (type == GNUTLS_CRD_CERTIFICATE) {
		for (int list = 0; list < 2; list++) { /* certs, then OCSP */
			n = sess_u32(&c);
			for (size_t k = 0; k < n && !c.bad; k++)
				sess_datum(&c, SIZE_MAX);
		}
	}
	return !c.bad && c.off == c.len;
}

plugtls_err gtls_conn_new(void *ctxp, plugtls_conn *core,
			  const plugtls_prov_conn_params *params, void **out,
			  plugtls_error *err)
{
	struct gtls_ctx *ctx = ctxp;
	struct gtls_conn *c;
	unsigned flags;
	plugtls_err rc;
	int ret;

	c = plugtls_prov_calloc(1, sizeof(*c));
	if (!c)
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					  "gnutls: out of memory");
	c->ctx = ctx;
	c->core = core;
	if (ctx->role == PLUGTLS_SERVER)
		flags = GNUTLS_SERVER;
	else
		/* Send our certificate whatever CA names the server lists:
		 * OpenSSL clients do, and the server's verdict must not
		 * depend on which client library asked. */
		flags = GNUTLS_CLIENT | GNUTLS_FORCE_CLIENT_CERT;
	if (!ctx->tickets)
		flags |= GNUTLS_NO_TICKETS;
	ret = gnutls_init(&c->s, flags);
	if (ret < 0) {
		c->s = NULL;
		rc = gtls_error(err, PLUGTLS_E_NOMEM, ret, "gnutls_init");
		goto out;
	}
	gnutls_session_set_ptr(c->s, c);
	ret = gnutls_priority_set(c->s, ctx->prio);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret, "priority_set");
		goto out;
	}
	ret = gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE, ctx->cert);
	if (ret >= 0 && ctx->psk_srv)
		ret = gnutls_credentials_set(c->s, GNUTLS_CRD_PSK,
					     ctx->psk_srv);
	if (ret >= 0 && ctx->psk_cli)
		ret = gnutls_credentials_set(c->s, GNUTLS_CRD_PSK,
					     ctx->psk_cli);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
				"credentials_set");
		goto out;
	}
	gnutls_transport_set_ptr(c->s, c);
	gnutls_transport_set_vec_push_function(c->s, vec_push_cb);
	gnutls_transport_set_pull_function(c->s, pull_cb);
	gnutls_transport_set_pull_timeout_function(c->s, pull_timeout_cb);
	gnutls_handshake_set_timeout(c->s, 0);
	gnutls_session_set_keylog_function(c->s, gtls_keylog_cb);

	if (ctx->role == PLUGTLS_SERVER) {
		if (ctx->client_cert != PLUGTLS_CLIENT_CERT_NONE) {
			/* Always REQUEST: a missing certificate then reaches
			 * the core (REQUIRE is its decision, with the
			 * NO_CERTIFICATE verdict) instead of GnuTLS failing
			 * first with GNUTLS_E_CERTIFICATE_REQUIRED. */
			gnutls_certificate_server_set_request(
				c->s, GNUTLS_CERT_REQUEST);
			/* No CA names in CertificateRequest (as the OpenSSL
			 * backend): clients send their certificate anyway. */
			gnutls_certificate_send_x509_rdn_sequence(c->s, 1);
		}
		if (ctx->tickets && ctx->ticket_key.data) {
			ret = gnutls_session_ticket_enable_server(
				c->s, &ctx->ticket_key);
			if (ret < 0) {
				rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
						"session tickets");
				goto out;
			}
		}
		if (ctx->n_alpn) {
			/* The server's order wins (RFC 7301 3.2); a client
			 * that offers ALPN with nothing in common gets
			 * no_application_protocol; a client without ALPN is
			 * accepted (GnuTLS checks MANDATORY only when the
			 * extension was received). */
			ret = gnutls_alpn_set_protocols(
				c->s, ctx->alpn, ctx->n_alpn,
				GNUTLS_ALPN_SERVER_PRECEDENCE |
					GNUTLS_ALPN_MANDATORY);
			if (ret < 0) {
				rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
						"set_alpn");
				goto out;
			}
		}
	} else {
		if (params && params->sni) {
			ret = gnutls_server_name_set(c->s, GNUTLS_NAME_DNS,
						     params->sni,
						     strlen(params->sni));
			if (ret < 0) {
				rc = gtls_error(err, PLUGTLS_E_INVALID_ARGUMENT,
						ret, "server name (SNI)");
				goto out;
			}
		}
		if (ctx->n_alpn) {
			ret = gnutls_alpn_set_protocols(c->s, ctx->alpn,
							ctx->n_alpn, 0);
			if (ret < 0) {
				rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
						"set_alpn");
				goto out;
			}
		}
		if (params && params->session && params->session_len) {
			if (params->session_len > UINT32_MAX) {
				rc = plugtls_prov_error(err,
							PLUGTLS_E_TOO_LARGE, 0,
							"gnutls: session too "
							"large");
				goto out;
			}
			ret = session_auth_ok(params->session,
					      params->session_len)
				      ? gnutls_session_set_data(
						c->s, params->session,
						params->session_len)
				      : GNUTLS_E_DB_ERROR;
			if (ret < 0) {
				rc = gtls_error(err, PLUGTLS_E_MALFORMED, ret,
						"set_session: not a GnuTLS "
						"session");
				goto out;
			}
		}
	}
	*out = c;
	c = NULL;
	rc = PLUGTLS_OK;
out:
	gtls_conn_free(c);
	return rc;
}

void gtls_conn_free(void *conn)
{
	struct gtls_conn *c = conn;

	if (!c)
		return;
	if (c->s)
		gnutls_deinit(c->s); /* wipes its keys */
	plugtls_prov_free(c);
}

/* ---- handshake -------------------------------------------------------- */

/* Alerts whose receipt means the peer refused the handshake (also when
 * they come after our side completed it: a TLS 1.3 server judges the
 * client's certificate after the client's Finished). */
static bool handshake_alert(int alert)
{
	switch (alert) {
	case GNUTLS_A_HANDSHAKE_FAILURE:
	case GNUTLS_A_BAD_CERTIFICATE:
	case GNUTLS_A_UNSUPPORTED_CERTIFICATE:
	case GNUTLS_A_CERTIFICATE_REVOKED:
	case GNUTLS_A_CERTIFICATE_EXPIRED:
	case GNUTLS_A_CERTIFICATE_UNKNOWN:
	case GNUTLS_A_UNKNOWN_CA:
	case GNUTLS_A_ACCESS_DENIED:
	case GNUTLS_A_INSUFFICIENT_SECURITY:
	case GNUTLS_A_CERTIFICATE_REQUIRED:
	case GNUTLS_A_UNKNOWN_PSK_IDENTITY:
	case GNUTLS_A_NO_APPLICATION_PROTOCOL:
	case GNUTLS_A_PROTOCOL_VERSION:
	case GNUTLS_A_DECRYPT_ERROR: return true;
	default: return false;
	}
}

static plugtls_err io_failure(struct gtls_conn *c, int ret, const char *op,
			      plugtls_error *err)
{
	plugtls_err code = c->io_rc == PLUGTLS_E_TIMEOUT ? PLUGTLS_E_TIMEOUT
							 : PLUGTLS_E_IO;
	c->failed = true;
	return gtls_error(err, code, ret, "%s: the transport failed", op);
}

static plugtls_err handshake_failed(struct gtls_conn *c, int ret,
				    plugtls_error *err)
{
	c->failed = true;
	if (c->hook_called && c->hook_rc != PLUGTLS_OK) {
		/* The core refused the peer (provider.h: bad_certificate, or
		 * certificate_required when none was sent; TLS 1.2 has no
		 * certificate_required, and OpenSSL sends handshake_failure
		 * there). */
		gnutls_alert_description_t a = GNUTLS_A_BAD_CERTIFICATE;
		if (c->hook_n == 0)
			a = gnutls_protocol_get_version(c->s) == GNUTLS_TLS1_3
				    ? GNUTLS_A_CERTIFICATE_REQUIRED
				    : GNUTLS_A_HANDSHAKE_FAILURE;
		send_alert(c, a);
		if (c->hook_rc == PLUGTLS_E_VERIFY)
			return plugtls_prov_error(err, PLUGTLS_E_VERIFY, 0,
						  "gnutls: peer certificate "
						  "rejected");
		return plugtls_prov_error(err, c->hook_rc, 0,
					  "gnutls: peer verification failed");
	}
	if (c->hook_parse_failed) {
		send_alert(c, GNUTLS_A_BAD_CERTIFICATE);
		return gtls_error(err, PLUGTLS_E_HANDSHAKE, ret,
				  "handshake: the peer's certificate does not "
				  "parse");
	}
	if (c->bad_first_message) {
		send_alert(c, GNUTLS_A_UNEXPECTED_MESSAGE);
		return gtls_error(err, PLUGTLS_E_HANDSHAKE, ret,
				  "handshake: the peer's first message is not "
				  "a %s",
				  c->ctx->role == PLUGTLS_SERVER
					  ? "ClientHello"
					  : "ServerHello");
	}
	if (c->hook_rc != PLUGTLS_OK) {
		send_alert(c, GNUTLS_A_INTERNAL_ERROR);
		return plugtls_prov_error(err, c->hook_rc, 0,
					  "gnutls: peer verification failed");
	}
	switch (ret) {
	case GNUTLS_E_PUSH_ERROR:
	case GNUTLS_E_PULL_ERROR: return io_failure(c, ret, "handshake", err);
	case GNUTLS_E_PREMATURE_TERMINATION:
	case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
		if (c->io_eof) {
			c->truncated = true;
			return gtls_error(err, PLUGTLS_E_TRUNCATED, ret,
					  "handshake: the peer closed the "
					  "connection");
		}
		break;
	case GNUTLS_E_FATAL_ALERT_RECEIVED:
		return gtls_error(
			err, PLUGTLS_E_HANDSHAKE, ret,
			"handshake: the peer sent alert %s",
			gnutls_alert_get_name(gnutls_alert_get(c->s)));
	default: break;
	}
	/* A local failure: tell the peer (GnuTLS leaves that to us). */
	if (gnutls_alert_send_appropriate(c->s, ret) < 0 ||
	    ret == GNUTLS_E_INSUFFICIENT_CREDENTIALS)
		send_alert(c, GNUTLS_A_HANDSHAKE_FAILURE);
	return gtls_error(err, PLUGTLS_E_HANDSHAKE, ret, "handshake failed");
}

/* After GnuTLS completed the handshake: the checks the core must see. */
static plugtls_err handshake_finish(struct gtls_conn *c, plugtls_error *err)
{
	bool resumed = gnutls_session_is_resumed(c->s) != 0;
	bool cert_auth = gnutls_auth_get_type(c->s) == GNUTLS_CRD_CERTIFICATE;
	bool need;

	if (c->ctx->role == PLUGTLS_SERVER)
		need = c->ctx->client_cert != PLUGTLS_CLIENT_CERT_NONE;
	else
		need = c->ctx->verify_peer != 0;
	/* GnuTLS does not run the verify callback when a client that was
	 * asked for a certificate sends none (the Certificate message is
	 * empty, or in TLS 1.2 may be left out). The core still decides:
	 * REQUIRE fails with NO_CERTIFICATE. A client always sees the
	 * server's certificate in a certificate handshake; should the hook
	 * not have run, asking with none fails closed. */
	if (need && cert_auth && !resumed && !c->hook_called) {
		plugtls_err rc = plugtls_prov_verify_peer(c->core, NULL, 0);
		c->hook_called = true;
		c->hook_n = 0;
		if (rc != PLUGTLS_OK) {
			c->hook_rc = rc;
			return handshake_failed(c, GNUTLS_E_CERTIFICATE_ERROR,
						err);
		}
	}
	c->handshake_done = true;
	return PLUGTLS_OK;
}

plugtls_err gtls_handshake(void *conn, plugtls_error *err)
{
	struct gtls_conn *c = conn;
	int ret = GNUTLS_E_AGAIN;

	if (c->failed)
		return plugtls_prov_error(err, PLUGTLS_E_STATE, 0,
					  "gnutls: the connection failed "
					  "earlier");
	if (c->handshake_done)
		return PLUGTLS_OK;
	c->io_rc = PLUGTLS_OK;
	/* Warning alerts interrupt gnutls_handshake(); GnuTLS itself gives
	 * up after 16 of them (handshake_suspicious_loops). */
	for (int i = 0; i < 32; i++) {
		ret = gnutls_handshake(c->s);
		if (ret == GNUTLS_E_SUCCESS)
			return handshake_finish(c, err);
		if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) {
			if (!transport_blocked(c) && !c->bad_first_message)
				continue;
			return want(c);
		}
		if (gnutls_error_is_fatal(ret))
			break;
	}
	return handshake_failed(c, ret, err);
}

/* ---- data ------------------------------------------------------------- */

/* A fatal error on an established connection. */
static plugtls_err record_failed(struct gtls_conn *c, int ret, const char *op,
				 plugtls_error *err)
{
	switch (ret) {
	case GNUTLS_E_PUSH_ERROR:
	case GNUTLS_E_PULL_ERROR: return io_failure(c, ret, op, err);
	case GNUTLS_E_PREMATURE_TERMINATION:
	case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
		if (c->io_eof) {
			c->truncated = true;
			return gtls_error(err, PLUGTLS_E_TRUNCATED, ret,
					  "%s: end of stream without "
					  "close_notify",
					  op);
		}
		break;
	case GNUTLS_E_FATAL_ALERT_RECEIVED: {
		int a = gnutls_alert_get(c->s);
		c->failed = true;
		return gtls_error(err,
				  handshake_alert(a) ? PLUGTLS_E_HANDSHAKE
						     : PLUGTLS_E_PROTOCOL,
				  ret, "%s: the peer sent alert %s", op,
				  gnutls_alert_get_name(a));
	}
	default: break;
	}
	c->failed = true;
	(void)gnutls_alert_send_appropriate(c->s, ret);
	return gtls_error(err, PLUGTLS_E_PROTOCOL, ret, "%s failed", op);
}

plugtls_err gtls_read(void *conn, void *buf, size_t len, size_t *n,
		      plugtls_error *err)
{
	struct gtls_conn *c = conn;
	ssize_t r = GNUTLS_E_AGAIN;

	if (c->closed)
		return PLUGTLS_E_CLOSED;
	if (c->truncated)
		return plugtls_prov_error(err, PLUGTLS_E_TRUNCATED, 0,
					  "gnutls: read: end of stream "
					  "without close_notify");
	if (c->failed || !c->handshake_done)
		return plugtls_prov_error(err, PLUGTLS_E_STATE, 0,
					  "gnutls: read: no usable "
					  "connection");
	c->io_rc = PLUGTLS_OK;
	/* Bounded: each pass consumes at least one record. */
	for (int i = 0; i < 64; i++) {
		r = gnutls_record_recv(c->s, buf, len);
		if (r > 0) {
			*n = (size_t)r;
			return PLUGTLS_OK;
		}
		if (r == 0) {
			/* close_notify received (GnuTLS returns 0 only
			 * for it; a bare EOF is PREMATURE_TERMINATION). */
			c->closed = true;
			return PLUGTLS_E_CLOSED;
		}
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
			if (!transport_blocked(c))
				continue;
			return want(c);
		}
		if (r == GNUTLS_E_REHANDSHAKE) {
			/* A TLS 1.2 peer wants to renegotiate: refused. */
			(void)gnutls_alert_send(c->s, GNUTLS_AL_WARNING,
						GNUTLS_A_NO_RENEGOTIATION);
			continue;
		}
		if (r == GNUTLS_E_WARNING_ALERT_RECEIVED)
			continue; /* e.g. user_canceled: not an error */
		if (!gnutls_error_is_fatal((int)r))
			continue;
		return record_failed(c, (int)r, "read", err);
	}
	return want(c);
}

plugtls_err gtls_write(void *conn, const void *buf, size_t len, size_t *n,
		       plugtls_error *err)
{
	struct gtls_conn *c = conn;
	ssize_t r;

	if (c->failed || !c->handshake_done)
		return plugtls_prov_error(err, PLUGTLS_E_STATE, 0,
					  "gnutls: write: no usable "
					  "connection");
	c->io_rc = PLUGTLS_OK;
	/* GnuTLS sends at most one record per call and keeps the rest of an
	 * interrupted record; after GNUTLS_E_AGAIN the caller repeats the
	 * call with the same buffer (plugtls.h), which GnuTLS accepts. */
	for (int i = 0; i < 16; i++) {
		r = gnutls_record_send(c->s, buf, len);
		if (r > 0) {
			*n = (size_t)r;
			return PLUGTLS_OK;
		}
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED ||
		    r == 0) {
			if (!transport_blocked(c))
				continue;
			return want(c);
		}
		return record_failed(c, (int)r, "write", err);
	}
	return want(c);
}

plugtls_err gtls_shutdown(void *conn, plugtls_error *err)
{
	struct gtls_conn *c = conn;
	int ret;

	if (c->failed || !c->handshake_done)
		return plugtls_prov_error(err, PLUGTLS_E_STATE, 0,
					  "gnutls: shutdown: no usable "
					  "connection");
	c->io_rc = PLUGTLS_OK;
	/* SHUT_WR: send close_notify, do not wait for the peer's. */
	ret = gnutls_bye(c->s, GNUTLS_SHUT_WR);
	if (ret == GNUTLS_E_SUCCESS)
		return PLUGTLS_OK;
	if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
		return want(c);
	if (ret == GNUTLS_E_PUSH_ERROR || ret == GNUTLS_E_PULL_ERROR)
		return io_failure(c, ret, "shutdown", err);
	return gtls_error(err, PLUGTLS_E_PROTOCOL, ret, "shutdown");
}
