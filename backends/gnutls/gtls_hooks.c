/*
 * GnuTLS provider: the hooks GnuTLS calls during a handshake.
 *
 *  - gtls_verify_peer_cb (gnutls_certificate_set_verify_function, on the
 *    credentials): hands the certificates the peer sent to the core
 *    (plugtls_prov_verify_peer), which verifies them through cert.verify
 *    and its own checks. GnuTLS's own verification is never asked for.
 *    A non-zero return makes gnutls_handshake() fail with
 *    GNUTLS_E_CERTIFICATE_ERROR without invalidating the session
 *    (lib/handshake.c, STATE8 / STATE12), and gtls_conn.c then sends
 *    bad_certificate, or certificate_required (TLS 1.3) / handshake_failure
 *    (TLS 1.2) when the peer sent none.
 *  - gtls_keylog_cb (gnutls_session_set_keylog_function, on every
 *    session): NSS key-log lines to the core when the application asked
 *    for them, and nothing otherwise.
 */
#include "gtls_int.h"

/* The most certificates handed to the core from one Certificate message
 * (a bound on our allocation; GnuTLS 3.7 limits chains itself). */
#define GTLS_PEER_MAX 128

int gtls_verify_peer_cb(gnutls_session_t s)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	gnutls_x509_crt_t *crts = NULL;
	const gnutls_datum_t *peers;
	unsigned n = 0, parsed = 0;
	plugtls_err rc;
	int ret = -1;

	if (!c)
		return -1;
	if (c->ctx->role == PLUGTLS_CLIENT
		    ? !c->ctx->verify_peer
		    : c->ctx->client_cert == PLUGTLS_CLIENT_CERT_NONE)
		return 0; /* nothing to verify: the core asked for no check */
	peers = gnutls_certificate_get_peers(s, &n);
	if (!peers)
		n = 0;
	if (n > GTLS_PEER_MAX) {
		c->hook_parse_failed = true;
		return -1;
	}
	if (n) {
		crts = plugtls_prov_calloc(n, sizeof(*crts));
		if (!crts) {
			c->hook_rc = PLUGTLS_E_NOMEM;
			return -1;
		}
	}
	for (parsed = 0; parsed < n; parsed++) {
		if (gnutls_x509_crt_init(&crts[parsed]) < 0)
			goto out;
		if (gnutls_x509_crt_import(crts[parsed], &peers[parsed],
					   GNUTLS_X509_FMT_DER) < 0) {
			parsed++; /* deinit this one too */
			c->hook_parse_failed = true;
			goto out;
		}
	}
	rc = plugtls_prov_verify_peer(c->core, (void *const *)crts, n);
	c->hook_called = true;
	c->hook_n = n;
	if (rc != PLUGTLS_OK) {
		c->hook_rc = rc;
		goto out;
	}
	ret = 0;
out:
	for (unsigned i = 0; i < parsed; i++)
		gnutls_x509_crt_deinit(crts[i]);
	plugtls_prov_free(crts);
	if (ret && c->hook_rc == PLUGTLS_OK && !c->hook_parse_failed)
		c->hook_rc = PLUGTLS_E_NOMEM;
	return ret;
}

int gtls_keylog_cb(gnutls_session_t s, const char *label,
		   const gnutls_datum_t *secret)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	gnutls_datum_t cr = {NULL, 0}, sr = {NULL, 0};

	/* Installed on every session so that GnuTLS's own $SSLKEYLOGFILE
	 * writer (the default keylog function) never runs: a key log exists
	 * only when the application asked for one (DESIGN.md). */
	if (!c || !c->ctx->keylog || !label || !secret)
		return 0;
	gnutls_session_get_random(s, &cr, &sr);
	plugtls_prov_keylog_parts(c->core, label, cr.data, cr.size,
				  secret->data, secret->size);
	return 0;
}
