/*
 * OpenSSL provider: contexts (struct ossl_ctx around an SSL_CTX).
 *
 * A context is either fully built or not returned; every OpenSSL call is
 * checked and a failure names the setting ("protocols", "profile",
 * "certificate", ...) with OpenSSL's own message.
 *
 * Defaults every context gets: no renegotiation, no compression, read and
 * write buffers released while idle (SSL_MODE_RELEASE_BUFFERS: about a
 * third of the idle memory per connection), partial writes with a moving
 * write buffer (the core retries with the same data, not necessarily the
 * same pointer), groups X25519, P-256, P-384. The security level is
 * OpenSSL's (or the system's) default: it also applies to our own
 * certificate, which OpenSSL refuses at ctx_new when it is too weak for
 * the level (Debian: level 2, no SHA-1, RSA >= 2048).
 */
#include "ossl_local.h"

#include <stdio.h>
#include <string.h>

struct ossl_profile {
	const char *name;
	const char *tls13;     /* SSL_CTX_set_ciphersuites */
	const char *tls12;     /* SSL_CTX_set_cipher_list */
	const char *tls12_psk; /* prepended when a PSK is configured */
	unsigned char psk13_suite[2];
};

/* TLS 1.2: ECDHE with AES-GCM or ChaCha20-Poly1305 only (forward secrecy,
 * AEAD). With a PSK, the PSK suites come first: a TLS 1.2 server picks by
 * cipher suite, and a client that brought a PSK means to use it. OpenSSL
 * has no ECDHE-PSK suite with AES-GCM (RFC 8442), so the AES profiles use
 * plain PSK for those. */
static const struct ossl_profile ossl_profiles[] = {
	{"modern",
	 "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
	 "TLS_CHACHA20_POLY1305_SHA256",
	 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
	 "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
	 "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305",
	 "ECDHE-PSK-CHACHA20-POLY1305:PSK-AES128-GCM-SHA256:"
	 "PSK-AES256-GCM-SHA384:PSK-CHACHA20-POLY1305",
	 {0x13, 0x01}},
	{"aes128-gcm", "TLS_AES_128_GCM_SHA256",
	 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
	 "PSK-AES128-GCM-SHA256", {0x13, 0x01}},
	{"aes256-gcm", "TLS_AES_256_GCM_SHA384",
	 "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384",
	 "PSK-AES256-GCM-SHA384", {0x13, 0x02}},
	{"chacha20", "TLS_CHACHA20_POLY1305_SHA256",
	 "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305",
	 "ECDHE-PSK-CHACHA20-POLY1305:PSK-CHACHA20-POLY1305", {0x13, 0x03}},
};

#define OSSL_GROUPS "X25519:P-256:P-384"
/* Sessions resume only into a context with the same id context; servers
 * that verify clients need one set or resumption fails outright. Tickets
 * are sealed with per-SSL_CTX keys, so one constant does not let a
 * session cross contexts. */
#define OSSL_SID_CTX "plugtls"

static int proto_version(unsigned v)
{
	if (v == PLUGTLS_TLS1_2)
		return TLS1_2_VERSION;
	if (v == PLUGTLS_TLS1_3)
		return TLS1_3_VERSION;
	return 0;
}

/* Server preference among the protocols both sides offer (RFC 7301 3.2).
 * Called only when the client sent ALPN; none in common is fatal
 * (no_application_protocol). A server without ALPN installs no callback
 * and ignores the client's list. */
static int alpn_select_cb(SSL *ssl, const unsigned char **out,
			  unsigned char *outlen, const unsigned char *in,
			  unsigned int inlen, void *arg)
{
	const struct ossl_ctx *oc = arg;

	(void)ssl;
	for (size_t i = 0; i + 1 < oc->alpn_len;) {
		size_t sl = oc->alpn[i];
		const unsigned char *sp = oc->alpn + i + 1;

		if (sl == 0 || i + 1 + sl > oc->alpn_len)
			break;
		for (unsigned int j = 0; j + 1 < inlen;) {
			unsigned int cl = in[j];

			if (cl == 0 || j + 1 + cl > inlen)
				break;
			if (cl == sl && memcmp(in + j + 1, sp, sl) == 0) {
				*out = sp;
				*outlen = (unsigned char)sl;
				return SSL_TLSEXT_ERR_OK;
			}
			j += 1 + cl;
		}
		i += 1 + sl;
	}
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

/* Acknowledge the client's SNI so that a TLS 1.2 session records it and
 * info() can report it; the name is not used to pick anything. */
static int servername_cb(SSL *ssl, int *alert, void *arg)
{
	(void)ssl;
	(void)alert;
	(void)arg;
	return SSL_TLSEXT_ERR_OK;
}

#if HAVE_PSK
/* The PSK callbacks live in ossl_conn.c (they need the connection). */
static plugtls_err setup_psk(SSL_CTX *sc, const struct ossl_ctx *oc,
			     plugtls_error *err)
{
	(void)err;
	if (oc->role == PLUGTLS_CLIENT) {
		SSL_CTX_set_psk_client_callback(sc, ossl_psk12_client_cb);
		SSL_CTX_set_psk_use_session_callback(sc, ossl_psk13_use_cb);
	} else {
		SSL_CTX_set_psk_server_callback(sc, ossl_psk12_server_cb);
		SSL_CTX_set_psk_find_session_callback(sc, ossl_psk13_find_cb);
	}
	return PLUGTLS_OK;
}
#else
static plugtls_err setup_psk(SSL_CTX *sc, const struct ossl_ctx *oc,
			     plugtls_error *err)
{
	(void)sc;
	(void)oc;
	return plugtls_prov_error(err, PLUGTLS_E_UNSUPPORTED, 0,
				  "psk: this OpenSSL was built without PSK");
}
#endif

#if HAVE_KEYLOG
static void setup_keylog(SSL_CTX *sc)
{
	SSL_CTX_set_keylog_callback(sc, ossl_keylog_cb);
}
#else
static void setup_keylog(SSL_CTX *sc)
{
	(void)sc;
}
#endif

static plugtls_err set_profile(SSL_CTX *sc, struct ossl_ctx *oc,
			       const plugtls_prov_ctx_params *params,
			       plugtls_error *err)
{
	const struct ossl_profile *pr = NULL;
	const char *name = params->profile ? params->profile : "modern";
	char list[512];

	for (size_t i = 0; i < sizeof(ossl_profiles) / sizeof(ossl_profiles[0]);
	     i++)
		if (strcmp(ossl_profiles[i].name, name) == 0)
			pr = &ossl_profiles[i];
	if (!pr)
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "profile: unknown profile \"%s\"",
					  name);
	if (params->psk)
		snprintf(list, sizeof(list), "%s:%s", pr->tls12_psk,
			 pr->tls12);
	else
		snprintf(list, sizeof(list), "%s", pr->tls12);
	if (!SSL_CTX_set_ciphersuites(sc, pr->tls13))
		return ossl_err(err, PLUGTLS_E_UNSUPPORTED,
				"profile %s: TLS 1.3 cipher suites", name);
	if (!SSL_CTX_set_cipher_list(sc, list))
		return ossl_err(err, PLUGTLS_E_UNSUPPORTED,
				"profile %s: TLS 1.2 cipher suites", name);
	memcpy(oc->psk13_suite, pr->psk13_suite, 2);
	return PLUGTLS_OK;
}

static plugtls_err set_own_chain(SSL_CTX *sc,
				 const plugtls_prov_ctx_params *params,
				 plugtls_error *err)
{
	if (params->n_chain == 0 && !params->key)
		return PLUGTLS_OK;
	if (params->n_chain == 0 || !params->chain || !params->chain[0] ||
	    !params->key)
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "certificate: a certificate needs "
					  "its key and a key its certificate");
	/* Each call takes its own reference. */
	if (!SSL_CTX_use_certificate(sc, params->chain[0]))
		return ossl_err(err, PLUGTLS_E_INVALID_ARGUMENT,
				"certificate: not usable");
	for (size_t i = 1; i < params->n_chain; i++)
		if (!SSL_CTX_add1_chain_cert(sc, params->chain[i]))
			return ossl_err(err, PLUGTLS_E_INVALID_ARGUMENT,
					"certificate: chain certificate %zu "
					"not usable",
					i);
	if (!SSL_CTX_use_PrivateKey(sc, params->key))
		return ossl_err(err, PLUGTLS_E_INVALID_ARGUMENT,
				"key: not usable");
	if (!SSL_CTX_check_private_key(sc))
		return ossl_err(err, PLUGTLS_E_INVALID_ARGUMENT,
				"key: does not match the certificate");
	return PLUGTLS_OK;
}

static plugtls_err set_verify(SSL_CTX *sc, const struct ossl_ctx *oc)
{
	int mode = SSL_VERIFY_NONE;

	if (oc->role == PLUGTLS_CLIENT) {
		if (oc->verify_peer)
			mode = SSL_VERIFY_PEER;
	} else if (oc->client_cert == PLUGTLS_CLIENT_CERT_REQUEST) {
		mode = SSL_VERIFY_PEER;
	} else if (oc->client_cert == PLUGTLS_CLIENT_CERT_REQUIRE) {
		mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	}
	SSL_CTX_set_verify(sc, mode, NULL);
	/* Replaces X509_verify_cert in the handshake: the core decides (see
	 * ossl_cert_verify_cb). Installed whatever the mode, so that OpenSSL
	 * never spends a chain build whose result nobody reads. */
	SSL_CTX_set_cert_verify_callback(sc, ossl_cert_verify_cb, NULL);
	return PLUGTLS_OK;
}

static plugtls_err set_alpn(SSL_CTX *sc, struct ossl_ctx *oc,
			    const plugtls_prov_ctx_params *params,
			    plugtls_error *err)
{
	if (!params->alpn || params->alpn_len == 0)
		return PLUGTLS_OK;
	if (params->alpn_len > 65535)
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "alpn: list too long");
	if (oc->role == PLUGTLS_CLIENT) {
		/* 0 is success here, unlike most of OpenSSL. */
		if (SSL_CTX_set_alpn_protos(sc, params->alpn,
					    (unsigned int)params->alpn_len) != 0)
			return ossl_err(err, PLUGTLS_E_INVALID_ARGUMENT,
					"alpn: list refused");
		return PLUGTLS_OK;
	}
	oc->alpn = plugtls_prov_malloc(params->alpn_len);
	if (!oc->alpn)
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0, "alpn");
	memcpy(oc->alpn, params->alpn, params->alpn_len);
	oc->alpn_len = params->alpn_len;
	SSL_CTX_set_alpn_select_cb(sc, alpn_select_cb, oc);
	return PLUGTLS_OK;
}

static plugtls_err build(SSL_CTX *sc, struct ossl_ctx *oc,
			 const plugtls_prov_ctx_params *params,
			 plugtls_error *err)
{
	uint64_t opts = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION;
	int minv = proto_version(params->min_version);
	int maxv = proto_version(params->max_version);
	plugtls_err rc;

	if (oc->role == PLUGTLS_SERVER)
		opts |= SSL_OP_CIPHER_SERVER_PREFERENCE;
	if (!params->session_tickets)
		opts |= SSL_OP_NO_TICKET;
	SSL_CTX_set_options(sc, opts);
	SSL_CTX_set_mode(sc, SSL_MODE_RELEASE_BUFFERS |
				     SSL_MODE_ENABLE_PARTIAL_WRITE |
				     SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

	if (!minv || !maxv || minv > maxv)
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "protocols: bad range %#x-%#x",
					  params->min_version,
					  params->max_version);
	if (!SSL_CTX_set_min_proto_version(sc, minv) ||
	    !SSL_CTX_set_max_proto_version(sc, maxv))
		return ossl_err(err, PLUGTLS_E_UNSUPPORTED, "protocols");

	rc = set_profile(sc, oc, params, err);
	if (rc)
		return rc;
	if (!SSL_CTX_set1_groups_list(sc, OSSL_GROUPS))
		return ossl_err(err, PLUGTLS_E_UNSUPPORTED, "groups");
	rc = set_own_chain(sc, params, err);
	if (rc)
		return rc;
	rc = set_verify(sc, oc);
	if (rc)
		return rc;
	rc = set_alpn(sc, oc, params, err);
	if (rc)
		return rc;
	if (params->psk) {
		rc = setup_psk(sc, oc, err);
		if (rc)
			return rc;
	}
	/* TLS 1.3 tickets are separate from SSL_OP_NO_TICKET, which only
	 * makes a 1.3 server issue stateful ones. */
	if (!params->session_tickets && !SSL_CTX_set_num_tickets(sc, 0))
		return ossl_err(err, PLUGTLS_E_INTERNAL, "session tickets");
	if (oc->role == PLUGTLS_CLIENT) {
		/* Keep s->session up to date with tickets so that
		 * session_export finds it; no internal store: the
		 * application holds exported sessions. */
		SSL_CTX_set_session_cache_mode(
			sc, SSL_SESS_CACHE_CLIENT |
				    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	} else {
		if (!SSL_CTX_set_session_id_context(
			    sc, (const unsigned char *)OSSL_SID_CTX,
			    sizeof(OSSL_SID_CTX) - 1))
			return ossl_err(err, PLUGTLS_E_INTERNAL,
					"session id context");
		SSL_CTX_set_tlsext_servername_callback(sc, servername_cb);
	}
	if (params->keylog)
		setup_keylog(sc);
	return PLUGTLS_OK;
}

plugtls_err ossl_ctx_new(const plugtls_prov_ctx_params *params, void *core,
			 void **out, plugtls_error *err)
{
	struct ossl_ctx *oc = NULL;
	SSL_CTX *sc = NULL;
	plugtls_err rc;

	if (!params || !out ||
	    (params->role != PLUGTLS_CLIENT && params->role != PLUGTLS_SERVER))
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "ctx_new: bad parameters");
	ERR_clear_error();
	oc = plugtls_prov_calloc(1, sizeof(*oc));
	if (!oc) {
		rc = plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0, "ctx_new");
		goto out;
	}
	oc->core = core;
	oc->role = params->role;
	oc->verify_peer = params->verify_peer;
	oc->client_cert = params->client_cert;
	oc->psk = params->psk;
	oc->keylog = params->keylog;
	sc = SSL_CTX_new(TLS_method());
	if (!sc) {
		rc = ossl_err(err, PLUGTLS_E_NOMEM, "ctx_new: SSL_CTX_new");
		goto out;
	}
	rc = build(sc, oc, params, err);
	if (rc)
		goto out;
	oc->ssl_ctx = sc;
	sc = NULL;
	*out = oc;
	oc = NULL;
out:
	ERR_clear_error();
	SSL_CTX_free(sc);
	ossl_ctx_free(oc);
	return rc;
}

void ossl_ctx_free(void *ctx)
{
	struct ossl_ctx *oc = ctx;

	if (!oc)
		return;
	SSL_CTX_free(oc->ssl_ctx);
	ossl_ctx_session_cache_free(oc);
	plugtls_prov_free(oc->alpn);
	plugtls_prov_free(oc);
}
