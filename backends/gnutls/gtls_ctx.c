/*
 * GnuTLS provider: contexts. A context is what GnuTLS shares between
 * sessions: certificate credentials, PSK credentials, one priority cache,
 * the session-ticket key and the ALPN list. All of them are read-only once
 * built, so many sessions of one context may run on many threads.
 *
 * The cipher policy. plugtls names profiles; this file turns them into one
 * GnuTLS priority string that negotiates the same suites as the OpenSSL
 * backend (RFC 8446 suites for TLS 1.3; ECDHE with AEADs for TLS 1.2):
 *
 *   NORMAL                      GnuTLS's sane defaults (signature
 *                               algorithms, no compression, no SSL 3)
 *   -VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2   only the configured range
 *   -CIPHER-ALL:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-GCM
 *                               "modern"; one of them for "aes128-gcm",
 *                               "aes256-gcm", "chacha20". The same names
 *                               pick the TLS 1.3 suites (TLS_AES_*,
 *                               TLS_CHACHA20_*) and the TLS 1.2 AEADs, so
 *                               no CBC, no CCM, no 3DES, no RC4 anywhere
 *   -MAC-ALL:+AEAD              AEAD only (TLS 1.2 suites with a MAC are
 *                               CBC suites)
 *   -KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA   forward secrecy only: no RSA key
 *                               transport, no DHE (OpenSSL's "modern"
 *                               has neither); +ECDHE-PSK:+PSK when a PSK
 *                               is configured (TLS 1.2 PSK suites; in
 *                               TLS 1.3 they enable psk_dhe_ke / psk_ke),
 *                               put first: GnuTLS orders TLS 1.2 suites
 *                               by key exchange first, so after the
 *                               certificate kxs a GnuTLS 3.7.9 server
 *                               with a certificate picked ECDHE-ECDSA
 *                               over a client's PSK, where the OpenSSL
 *                               and wolfSSL servers pick the PSK suite
 *                               (conformance/test_interop.c)
 *   -GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1
 *                               the groups both backends offer
 *   %SAFE_RENEGOTIATION         RFC 5746 required of peers; plugtls never
 *                               renegotiates (gtls_conn.c refuses a
 *                               peer's attempt)
 *   %SERVER_PRECEDENCE          servers pick by their own order
 *
 * The order of the AEADs and the server's precedence are the OpenSSL
 * backend's (backends/openssl/ossl_ctx.c: AES-128-GCM, AES-256-GCM,
 * ChaCha20-Poly1305, SSL_OP_CIPHER_SERVER_PREFERENCE), so that every pair
 * of providers lands on the same suite: TLS_AES_128_GCM_SHA256 /
 * ECDHE-*-AES128-GCM-SHA256 for "modern". With a PSK, TLS 1.2 gives
 * ECDHE-PSK-CHACHA20-POLY1305 first (GnuTLS, like OpenSSL, has no
 * ECDHE-PSK suite with AES-GCM), then PSK-AES*-GCM; the TLS 1.3 external
 * PSK is bound to SHA-256 (GnuTLS's default binder hash, as OpenSSL's
 * psk13_suite), so "aes256-gcm" cannot use a TLS 1.3 PSK on either.
 */
#include "gtls_int.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *profile;
	const char *ciphers;
} profiles[] = {
	{"modern", "+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305"},
	{"aes128-gcm", "+AES-128-GCM"},
	{"aes256-gcm", "+AES-256-GCM"},
	{"chacha20", "+CHACHA20-POLY1305"},
};

static plugtls_err build_priority(const plugtls_prov_ctx_params *p, char *buf,
				  size_t cap, plugtls_error *err)
{
	const char *ciphers = NULL;
	const char *profile = p->profile ? p->profile : "modern";
	int w;

	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].profile, profile) == 0)
			ciphers = profiles[i].ciphers;
	if (!ciphers)
		return plugtls_prov_error(err, PLUGTLS_E_UNSUPPORTED, 0,
					  "gnutls: set_profile: unknown "
					  "profile \"%s\"",
					  profile);
	if (p->min_version > p->max_version ||
	    p->min_version < PLUGTLS_TLS1_2 || p->max_version > PLUGTLS_TLS1_3)
		return plugtls_prov_error(err, PLUGTLS_E_UNSUPPORTED, 0,
					  "gnutls: set_protocols: range "
					  "0x%04x-0x%04x not supported",
					  p->min_version, p->max_version);
	w = snprintf(buf, cap,
		     "NORMAL:-VERS-ALL%s%s:-CIPHER-ALL:%s:-MAC-ALL:+AEAD:"
		     "-KX-ALL%s:+ECDHE-ECDSA:+ECDHE-RSA:-GROUP-ALL:"
		     "+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:"
		     "%%SAFE_RENEGOTIATION%s",
		     p->max_version >= PLUGTLS_TLS1_3 ? ":+VERS-TLS1.3" : "",
		     p->min_version <= PLUGTLS_TLS1_2 ? ":+VERS-TLS1.2" : "",
		     ciphers, p->psk ? ":+ECDHE-PSK:+PSK" : "",
		     p->role == PLUGTLS_SERVER ? ":%SERVER_PRECEDENCE" : "");
	if (w < 0 || (size_t)w >= cap)
		return plugtls_prov_error(err, PLUGTLS_E_INTERNAL, 0,
					  "gnutls: priority string too long");
	return PLUGTLS_OK;
}

/* ---- PSK callbacks ---------------------------------------------------- */

/* Servers: the identity the client offered, looked up in constant time by
 * the core. The key goes to GnuTLS in gnutls_malloc()ed memory, which
 * GnuTLS wipes and frees when the handshake is done with it. */
static int psk_server_cb(gnutls_session_t s, const gnutls_datum_t *username,
			 gnutls_datum_t *key)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	const unsigned char *k = NULL;
	size_t klen = 0;

	if (!c || !username)
		return -1;
	if (plugtls_prov_psk_find(c->core, username->data, username->size, &k,
				  &klen) != PLUGTLS_OK ||
	    klen == 0 || klen > UINT32_MAX)
		return -1; /* unknown identity */
	key->data = gnutls_malloc(klen);
	if (!key->data)
		return -1;
	memcpy(key->data, k, klen);
	key->size = (unsigned)klen;
	return 0;
}

/* Clients: the first PSK of the config. */
static int psk_client_cb(gnutls_session_t s, gnutls_datum_t *username,
			 gnutls_datum_t *key)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	const unsigned char *id = NULL, *k = NULL;
	size_t idlen = 0, klen = 0;

	if (!c)
		return -1;
	if (plugtls_prov_psk_client(c->core, &id, &idlen, &k, &klen) !=
		    PLUGTLS_OK ||
	    idlen == 0 || klen == 0 || idlen > UINT32_MAX - 1 ||
	    klen > UINT32_MAX)
		return -1;
	username->data = gnutls_malloc(idlen + 1);
	key->data = gnutls_malloc(klen);
	if (!username->data || !key->data) {
		gnutls_free(username->data);
		gnutls_free(key->data);
		username->data = key->data = NULL;
		return -1;
	}
	memcpy(username->data, id, idlen);
	username->data[idlen] = 0;
	username->size = (unsigned)idlen;
	memcpy(key->data, k, klen);
	key->size = (unsigned)klen;
	/* Core-owned, valid for the connection's life (provider.h). */
	c->psk_identity = id;
	c->psk_identity_len = idlen;
	return 0;
}

/* ---- ALPN ------------------------------------------------------------- */

static plugtls_err copy_alpn(struct gtls_ctx *ctx, const unsigned char *wire,
			     size_t len, plugtls_error *err)
{
	size_t n = 0, off;

	for (off = 0; off < len; off += 1 + (size_t)wire[off]) {
		if (wire[off] == 0 || off + 1 + wire[off] > len)
			return plugtls_prov_error(err,
						  PLUGTLS_E_INVALID_ARGUMENT, 0,
						  "gnutls: set_alpn: bad list");
		n++;
	}
	ctx->alpn_wire = plugtls_prov_malloc(len);
	ctx->alpn = plugtls_prov_calloc(n, sizeof(*ctx->alpn));
	if (!ctx->alpn_wire || !ctx->alpn)
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					  "gnutls: out of memory");
	memcpy(ctx->alpn_wire, wire, len);
	n = 0;
	for (off = 0; off < len; off += 1 + (size_t)wire[off]) {
		ctx->alpn[n].data = ctx->alpn_wire + off + 1;
		ctx->alpn[n].size = wire[off];
		n++;
	}
	ctx->n_alpn = (unsigned)n;
	return PLUGTLS_OK;
}

/* ---- own certificate and key ------------------------------------------ */

/* The chain as pcerts (sorted leaf first, as GnuTLS does) and a copy of the
 * key, given to the credentials by gnutls_certificate_set_key: they are
 * the credentials' on success and still ours on failure. Not
 * gnutls_certificate_set_x509_key: in GnuTLS 3.7.9 it leaks the key copy
 * it made when a later step fails (e.g. out of memory). `names` is empty
 * on purpose (non-NULL, size 0): the names are only for choosing among
 * several key pairs (there is one), and collecting them leaks in 3.7.9
 * when the next allocation fails. See NOTES.md, "allocation failures". */
static int own_keypair(gnutls_certificate_credentials_t cred,
		       gnutls_x509_crt_t *list, unsigned n,
		       gnutls_x509_privkey_t key)
{
	static const char *no_names[1] = {NULL};
	gnutls_pcert_st *pcerts;
	gnutls_privkey_t pk = NULL;
	unsigned got = n;
	int ret;

	pcerts = plugtls_prov_calloc(n, sizeof(*pcerts));
	if (!pcerts)
		return GNUTLS_E_MEMORY_ERROR;
	ret = gnutls_pcert_import_x509_list(pcerts, list, &got,
					    GNUTLS_X509_CRT_LIST_SORT);
	if (ret < 0) {
		got = 0; /* it deinits what it imported */
		goto out;
	}
	ret = gnutls_privkey_init(&pk);
	if (ret < 0)
		goto out;
	ret = gnutls_privkey_import_x509(pk, key, GNUTLS_PRIVKEY_IMPORT_COPY);
	if (ret < 0)
		goto out;
	ret = gnutls_certificate_set_key(cred, no_names, 0, pcerts, (int)got,
					 pk);
	if (ret >= 0) {
		pk = NULL; /* the credentials' now, as are pcerts' contents */
		got = 0;
	}
out:
	for (unsigned i = 0; i < got; i++)
		gnutls_pcert_deinit(&pcerts[i]);
	plugtls_prov_free(pcerts); /* the credentials keep their own copy */
	if (pk)
		gnutls_privkey_deinit(pk);
	return ret < 0 ? ret : 0;
}

static plugtls_err set_own_cert(struct gtls_ctx *ctx,
				const plugtls_prov_ctx_params *p,
				plugtls_error *err)
{
	gnutls_x509_crt_t *list;
	int ret;

	if (p->n_chain == 0)
		return PLUGTLS_OK;
	if (!p->key)
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "gnutls: set_cert: a certificate "
					  "without a key");
	if (p->n_chain > 64)
		return plugtls_prov_error(err, PLUGTLS_E_TOO_LARGE, 0,
					  "gnutls: set_cert: chain of %zu "
					  "certificates",
					  p->n_chain);
	list = plugtls_prov_calloc(p->n_chain, sizeof(*list));
	if (!list)
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					  "gnutls: out of memory");
	for (size_t i = 0; i < p->n_chain; i++)
		list[i] = p->chain[i];
	/* The credentials get copies (the natives stay the core's); GnuTLS
	 * checks that key and leaf belong together
	 * (GNUTLS_E_CERTIFICATE_KEY_MISMATCH). */
	ret = own_keypair(ctx->cert, list, (unsigned)p->n_chain, p->key);
	plugtls_prov_free(list);
	if (ret < 0)
		return gtls_error(err,
				  ret == GNUTLS_E_CERTIFICATE_KEY_MISMATCH
					  ? PLUGTLS_E_INVALID_ARGUMENT
					  : PLUGTLS_E_INTERNAL,
				  ret,
				  ret == GNUTLS_E_CERTIFICATE_KEY_MISMATCH
					  ? "set_cert/set_key: the key does "
					    "not match the certificate"
					  : "set_cert/set_key");
	return PLUGTLS_OK;
}

plugtls_err gtls_ctx_new(const plugtls_prov_ctx_params *params, void *core,
			 void **out, plugtls_error *err)
{
	struct gtls_ctx *ctx = NULL;
	char prio[512];
	const char *errpos = NULL;
	plugtls_err rc;
	int ret;

	if (!params || !out)
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "gnutls: ctx_new: no parameters");
	rc = build_priority(params, prio, sizeof(prio), err);
	if (rc)
		return rc;
	ctx = plugtls_prov_calloc(1, sizeof(*ctx));
	if (!ctx)
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					  "gnutls: out of memory");
	ctx->core = core;
	ctx->role = params->role;
	ctx->verify_peer = params->verify_peer;
	ctx->client_cert = params->client_cert;
	ctx->tickets = params->session_tickets;
	ctx->keylog = params->keylog;
	ctx->psk = params->psk;

	ret = gnutls_priority_init(&ctx->prio, prio, &errpos);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_UNSUPPORTED, ret,
				"set_profile/set_protocols: priority string "
				"rejected at \"%.40s\"",
				errpos ? errpos : "?");
		goto out;
	}
	ret = gnutls_certificate_allocate_credentials(&ctx->cert);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_NOMEM, ret,
				"certificate credentials");
		goto out;
	}
	/* Peer certificates go to the core (plugtls_prov_verify_peer) from
	 * this callback; GnuTLS's own verification is never asked for
	 * (no gnutls_session_set_verify_cert()). */
	gnutls_certificate_set_verify_function(ctx->cert, gtls_verify_peer_cb);
	rc = set_own_cert(ctx, params, err);
	if (rc)
		goto out;

	if (params->psk) {
		if (params->role == PLUGTLS_SERVER) {
			ret = gnutls_psk_allocate_server_credentials(
				&ctx->psk_srv);
			if (ret < 0) {
				rc = gtls_error(err, PLUGTLS_E_NOMEM, ret,
						"add_psk: PSK credentials");
				goto out;
			}
			gnutls_psk_set_server_credentials_function2(
				ctx->psk_srv, psk_server_cb);
		} else {
			ret = gnutls_psk_allocate_client_credentials(
				&ctx->psk_cli);
			if (ret < 0) {
				rc = gtls_error(err, PLUGTLS_E_NOMEM, ret,
						"add_psk: PSK credentials");
				goto out;
			}
			gnutls_psk_set_client_credentials_function2(
				ctx->psk_cli, psk_client_cb);
		}
	}

	if (params->role == PLUGTLS_SERVER && params->session_tickets) {
		/* One random key per context, never written anywhere; wiped
		 * on free. */
		ret = gnutls_session_ticket_key_generate(&ctx->ticket_key);
		if (ret < 0) {
			rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
					"set_session_tickets: ticket key");
			goto out;
		}
	}
	if (params->alpn && params->alpn_len) {
		rc = copy_alpn(ctx, params->alpn, params->alpn_len, err);
		if (rc)
			goto out;
	}
	if (plugtls_prov_log_enabled(core, PLUGTLS_LOG_DEBUG))
		plugtls_prov_log(core, PLUGTLS_LOG_DEBUG, "gnutls: priority %s",
				 prio);
	*out = ctx;
	ctx = NULL;
	rc = PLUGTLS_OK;
out:
	gtls_ctx_free(ctx);
	return rc;
}

void gtls_ctx_free(void *p)
{
	struct gtls_ctx *ctx = p;

	if (!ctx)
		return;
	if (ctx->ticket_key.data) {
		plugtls_prov_wipe(ctx->ticket_key.data, ctx->ticket_key.size);
		gnutls_free(ctx->ticket_key.data);
	}
	if (ctx->psk_srv)
		gnutls_psk_free_server_credentials(ctx->psk_srv);
	if (ctx->psk_cli)
		gnutls_psk_free_client_credentials(ctx->psk_cli);
	if (ctx->cert)
		gnutls_certificate_free_credentials(ctx->cert);
	if (ctx->prio)
		gnutls_priority_deinit(ctx->prio);
	plugtls_prov_free(ctx->alpn);
	plugtls_prov_free(ctx->alpn_wire);
	plugtls_prov_free(ctx);
}
