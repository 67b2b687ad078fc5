/*
 * wolfSSL backend: contexts (WOLFSSL_CTX).
 *
 * Every setting is checked; a context is either fully built or freed, and
 * the error names the setting. Decisions:
 *  - Protocol range through the method: wolfTLSv1_2_*_method() or
 *    wolfTLSv1_3_*_method() for a single version, wolfSSLv23_*_method()
 *    with wolfSSL_CTX_SetMinVersion(TLS 1.2) for 1.2..1.3. This is the
 *    native way: wolfSSL_CTX_set_max_proto_version belongs to the OpenSSL
 *    compatibility layer.
 *  - Cipher suites by profile, in the OpenSSL provider's order (see the
 *    table below).
 *  - Groups X25519, P-256, P-384 (wolfSSL_CTX_set_groups).
 *  - No renegotiation: this backend never calls wolfSSL_UseSecureRenegotiation
 *    or wolfSSL_Rehandshake, and Debian's build has no server-side
 *    renegotiation (HAVE_SECURE_RENEGOTIATION is off; only the
 *    renegotiation_info extension, HAVE_SERVER_RENEGOTIATION_INFO, is sent).
 *    No compression: wolfSSL compresses only when built with HAVE_LIBZ and
 *    asked to (wolfSSL_set_compression), which this backend never does.
 *  - The peer is verified by the core through wssl_verify_cb: wolfSSL's own
 *    CA store in the context stays empty.
 *  - Key-log: wolfSSL 5.5.4 as built by Debian has no secret callback
 *    (HAVE_SECRET_CALLBACK off): a context that asks for one is refused.
 */
#include <wolfssl/options.h>

#include "wssl_int.h"

#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/dh.h>
#include <wolfssl/wolfcrypt/random.h>

#include <string.h>

/* Suites by profile, in the OpenSSL provider's order (ossl_ctx.c) so that
 * the same suite negotiates on both: TLS 1.3 AES-128-GCM, AES-256-GCM,
 * ChaCha20-Poly1305; TLS 1.2 ECDHE with the same AEADs. wolfSSL's names
 * differ from OpenSSL's (TLS13-AES128-GCM-SHA256).
 *
 * TLS 1.2 PSK suites are offered only when a PSK is configured. wolfSSL
 * 5.5.4 has no plain PSK-AES-GCM suites (OpenSSL's choice for the AES
 * profiles); it has DHE-PSK-AES-GCM and ECDHE-PSK-AES128-GCM, which OpenSSL
 * lacks. Shared with OpenSSL: ECDHE-PSK-CHACHA20-POLY1305 and
 * PSK-CHACHA20-POLY1305 (modern, chacha20), DHE-PSK-* (OpenSSL has them
 * but does not offer them). Clients do not offer ECDHE-PSK: a wolfSSL 5.5.4
 * client cannot read an X25519 ECDHE-PSK ServerKeyExchange
 * (ECC_PEERKEY_ERROR, measured) and X25519 is the first group; servers
 * accept it. The external TLS 1.3 PSK is bound to the profile's first
 * suite (its hash), as in the OpenSSL provider. */
static const struct {
	const char *profile;
	const char *tls13;
	const char *tls12;
	const char *tls12_psk;        /* servers */
	const char *tls12_psk_client; /* clients */
	const char *psk13;
} profiles[] = {
	{"modern",
	 "TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:"
	 "TLS13-CHACHA20-POLY1305-SHA256",
	 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
	 "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
	 "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305",
	 "ECDHE-PSK-CHACHA20-POLY1305:DHE-PSK-AES128-GCM-SHA256:"
	 "DHE-PSK-AES256-GCM-SHA384:DHE-PSK-CHACHA20-POLY1305:"
	 "PSK-CHACHA20-POLY1305",
	 "DHE-PSK-AES128-GCM-SHA256:DHE-PSK-AES256-GCM-SHA384:"
	 "DHE-PSK-CHACHA20-POLY1305:PSK-CHACHA20-POLY1305",
	 "TLS13-AES128-GCM-SHA256"},
	{"aes128-gcm", "TLS13-AES128-GCM-SHA256",
	 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
	 "ECDHE-PSK-AES128-GCM-SHA256:DHE-PSK-AES128-GCM-SHA256",
	 "DHE-PSK-AES128-GCM-SHA256", "TLS13-AES128-GCM-SHA256"},
	{"aes256-gcm", "TLS13-AES256-GCM-SHA384",
	 "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384",
	 "DHE-PSK-AES256-GCM-SHA384", "DHE-PSK-AES256-GCM-SHA384",
	 "TLS13-AES256-GCM-SHA384"},
	{"chacha20", "TLS13-CHACHA20-POLY1305-SHA256",
	 "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305",
	 "ECDHE-PSK-CHACHA20-POLY1305:DHE-PSK-CHACHA20-POLY1305:"
	 "PSK-CHACHA20-POLY1305",
	 "DHE-PSK-CHACHA20-POLY1305:PSK-CHACHA20-POLY1305",
	 "TLS13-CHACHA20-POLY1305-SHA256"},
};

static WOLFSSL_METHOD *pick_method(const plugtls_prov_ctx_params *p)
{
	bool client = p->role == PLUGTLS_CLIENT;

	if (p->min_version == PLUGTLS_TLS1_3 &&
	    p->max_version == PLUGTLS_TLS1_3)
		return client ? wolfTLSv1_3_client_method()
			      : wolfTLSv1_3_server_method();
	if (p->min_version == PLUGTLS_TLS1_2 &&
	    p->max_version == PLUGTLS_TLS1_2)
		return client ? wolfTLSv1_2_client_method()
			      : wolfTLSv1_2_server_method();
	return client ? wolfSSLv23_client_method() : wolfSSLv23_server_method();
}

static plugtls_err set_ciphers(struct wssl_ctx *c,
			       const plugtls_prov_ctx_params *p,
			       plugtls_error *err)
{
	char list[512];
	size_t i, n = sizeof(profiles) / sizeof(profiles[0]);
	int ret;

	for (i = 0; i < n; i++)
		if (p->profile && strcmp(p->profile, profiles[i].profile) == 0)
			break;
	if (i == n)
		return wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_profile: unknown profile %s",
				  p->profile ? p->profile : "(null)");
	c->psk13_suite = profiles[i].psk13;
	list[0] = '\0';
	if (p->max_version >= PLUGTLS_TLS1_3)
		snprintf(list, sizeof(list), "%s", profiles[i].tls13);
	if (p->min_version <= PLUGTLS_TLS1_2) {
		size_t off = strlen(list);
		const char *psk = p->role == PLUGTLS_SERVER
					  ? profiles[i].tls12_psk
					  : profiles[i].tls12_psk_client;

		/* With a PSK its suites come first (a client that brought a
		 * PSK means to use it), as in the OpenSSL provider; a server
		 * without a certificate offers nothing else. */
		if (!p->psk)
			snprintf(list + off, sizeof(list) - off, "%s%s",
				 off ? ":" : "", profiles[i].tls12);
		else if (p->role == PLUGTLS_SERVER && p->n_chain == 0)
			snprintf(list + off, sizeof(list) - off, "%s%s",
				 off ? ":" : "", psk);
		else
			snprintf(list + off, sizeof(list) - off, "%s%s:%s",
				 off ? ":" : "", psk, profiles[i].tls12);
	}
	ret = wolfSSL_CTX_set_cipher_list(c->ctx, list);
	if (ret != WOLFSSL_SUCCESS)
		return wssl_error(err, PLUGTLS_E_UNSUPPORTED, ret,
				  "set_profile %s: wolfSSL accepts none of its "
				  "cipher suites",
				  profiles[i].profile);
	return PLUGTLS_OK;
}

#if WSSL_HAVE_X25519
static int groups_x25519(int *groups)
{
	groups[0] = WOLFSSL_ECC_X25519;
	return 1;
}
#else
static int groups_x25519(int *groups)
{
	return 0;
}
#endif

/* TLS 1.2-only contexts: wolfSSL_CTX_set_groups answers BAD_FUNC_ARG for
 * a method without TLS 1.3 (wolfSSL 5.5.4), so the curves are named
 * through the supported_groups extension instead. */
static plugtls_err set_curves12(struct wssl_ctx *c, const int *groups, int n,
				plugtls_error *err)
{
	for (int i = 0; i < n; i++) {
		int ret = wolfSSL_CTX_UseSupportedCurve(c->ctx,
							(word16)groups[i]);

		if (ret != WOLFSSL_SUCCESS)
			return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
					  "ctx_new: key exchange groups");
	}
	return PLUGTLS_OK;
}

#if WSSL_HAVE_SET_GROUPS
static plugtls_err set_groups13(struct wssl_ctx *c, int *groups, int n,
				plugtls_error *err)
{
	int ret = wolfSSL_CTX_set_groups(c->ctx, groups, n);

	if (ret != WOLFSSL_SUCCESS)
		return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
				  "ctx_new: key exchange groups");
	return PLUGTLS_OK;
}
#else
static plugtls_err set_groups13(struct wssl_ctx *c, int *groups, int n,
				plugtls_error *err)
{
	return set_curves12(c, groups, n, err);
}
#endif

static plugtls_err set_groups(struct wssl_ctx *c, plugtls_error *err)
{
	int groups[3];
	int n;

	n = groups_x25519(groups);
	groups[n++] = WOLFSSL_ECC_SECP256R1;
	groups[n++] = WOLFSSL_ECC_SECP384R1;
	if (c->max_version < PLUGTLS_TLS1_3)
		return set_curves12(c, groups, n, err);
	return set_groups13(c, groups, n, err);
}

/* The private key (PKCS#8 DER) is handed over as PEM: wolfSSL 5.5's
 * ProcessBuffer, given DER for a private key, goes on to strip the PKCS#8
 * header of the buffer it failed to allocate (a NULL dereference when an
 * allocation fails); its PEM path checks. Returns wolfSSL's result, or
 * MEMORY_E. The PEM copy is wiped. */
static int use_key_pem(struct wssl_ctx *c, const struct wssl_key *key)
{
	size_t cap = key->len * 2 + 128;
	unsigned char *pem = plugtls_prov_malloc(cap);
	int ret;

	if (pem == NULL)
		return MEMORY_E;
	ret = wc_DerToPem(key->der, (word32)key->len, pem, (word32)cap,
			  PKCS8_PRIVATEKEY_TYPE);
	if (ret > 0)
		ret = wolfSSL_CTX_use_PrivateKey_buffer(c->ctx, pem, ret,
							WOLFSSL_FILETYPE_PEM);
	plugtls_prov_wipe(pem, cap);
	plugtls_prov_free(pem);
	return ret;
}

/* The own chain as one PEM buffer: wolfSSL_CTX_use_certificate_chain_buffer
 * takes the leaf and its intermediates together only as PEM. */
static plugtls_err set_identity(struct wssl_ctx *c,
				const plugtls_prov_ctx_params *p,
				plugtls_error *err)
{
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	unsigned char *pem = NULL;
	size_t cap = 0, len = 0;
	const struct wssl_key *key = p->key;
	int ret;

	for (size_t i = 0; i < p->n_chain; i++) {
		const struct wssl_cert *cert = p->chain[i];

		if (cert->len > (16u << 20))
			return wssl_error(err, PLUGTLS_E_TOO_LARGE, 0,
					  "set_cert: certificate too large");
		/* base64 is 4/3, lines of 64 plus headers. */
		cap += cert->len * 2 + 128;
	}
	pem = plugtls_prov_malloc(cap);
	if (pem == NULL)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "set_cert");
	for (size_t i = 0; i < p->n_chain; i++) {
		const struct wssl_cert *cert = p->chain[i];

		ret = wc_DerToPem(cert->der, (word32)cert->len, pem + len,
				  (word32)(cap - len), CERT_TYPE);
		if (ret <= 0) {
			rc = wssl_error(err, PLUGTLS_E_INTERNAL, ret,
					"set_cert: PEM encoding");
			goto out;
		}
		len += (size_t)ret;
	}
	ret = wolfSSL_CTX_use_certificate_chain_buffer(c->ctx, pem, (long)len);
	if (ret != WOLFSSL_SUCCESS) {
		rc = wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, ret,
				"set_cert: wolfSSL refuses the certificate "
				"chain");
		goto out;
	}
	ret = use_key_pem(c, key);
	if (ret == MEMORY_E) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, ret, "set_key");
		goto out;
	}
	if (ret != WOLFSSL_SUCCESS) {
		rc = wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, ret,
				"set_key: wolfSSL refuses the private key");
		goto out;
	}
	/* The key must belong to the leaf: compare the public halves (the
	 * SPKI of the key, from wssl_key.c, and of the certificate). */
	{
		struct ptb_x509 x;
		const struct wssl_cert *leaf = p->chain[0];

		if (ptb_x509_split(leaf->der, leaf->len, &x) != 0 ||
		    x.spki.total != key->spki_len ||
		    memcmp(x.spki.hdr, key->spki, key->spki_len) != 0) {
			rc = wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					"set_key: the private key does not "
					"match the certificate");
			goto out;
		}
	}
	rc = PLUGTLS_OK;
out:
	plugtls_prov_free(pem);
	return rc;
}

#if WSSL_HAVE_ALPN
static void set_alpn_select(struct wssl_ctx *c)
{
	wolfSSL_CTX_set_alpn_select_cb(c->ctx, wssl_alpn_select_cb, c);
}
#else
static void set_alpn_select(struct wssl_ctx *c)
{
	/* No ALPN in this build: the core refuses ALPN settings (caps). */
}
#endif

/* ALPN wire format (length-prefixed) to wolfSSL_UseALPN's comma list. The
 * core's ALPN syntax cannot contain ',' (it is its separator). */
static plugtls_err set_alpn(struct wssl_ctx *c,
			    const plugtls_prov_ctx_params *p,
			    plugtls_error *err)
{
	size_t i = 0, o = 0;
	char *list;

	if (p->alpn == NULL || p->alpn_len == 0)
		return PLUGTLS_OK;
	list = plugtls_prov_malloc(p->alpn_len + 1);
	if (list == NULL)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "set_alpn");
	while (i < p->alpn_len) {
		size_t l = p->alpn[i++];

		if (l == 0 || l > p->alpn_len - i ||
		    memchr(p->alpn + i, ',', l) != NULL) {
			plugtls_prov_free(list);
			return wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "set_alpn: malformed list");
		}
		if (o)
			list[o++] = ',';
		memcpy(list + o, p->alpn + i, l);
		o += l;
		i += l;
	}
	list[o] = '\0';
	c->alpn_list = list;
	c->alpn_list_len = o;
	if (p->role == PLUGTLS_SERVER) {
		c->alpn_wire = plugtls_prov_malloc(p->alpn_len);
		if (c->alpn_wire == NULL)
			return wssl_error(err, PLUGTLS_E_NOMEM, 0, "set_alpn");
		memcpy(c->alpn_wire, p->alpn, p->alpn_len);
		c->alpn_wire_len = p->alpn_len;
		set_alpn_select(c);
	}
	return PLUGTLS_OK;
}

#if WSSL_HAVE_TLS13
/* wolfSSL's TLS 1.3 calls answer 0 on success. */
static plugtls_err no_ticket_tls13(struct wssl_ctx *c, plugtls_error *err)
{
	int ret = wolfSSL_CTX_no_ticket_TLSv13(c->ctx);

	if (ret != 0)
		return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
				  "set_session_tickets: off (TLS 1.3)");
	return PLUGTLS_OK;
}
#else
static plugtls_err no_ticket_tls13(struct wssl_ctx *c, plugtls_error *err)
{
	return PLUGTLS_OK;
}
#endif

#if WSSL_HAVE_TICKETS
static plugtls_err set_tickets(struct wssl_ctx *c,
			       const plugtls_prov_ctx_params *p,
			       plugtls_error *err)
{
	int ret;

	if (p->role == PLUGTLS_CLIENT) {
		/* TLS 1.2: send the session_ticket extension. TLS 1.3
		 * clients accept tickets without asking. */
		if (p->session_tickets && p->min_version <= PLUGTLS_TLS1_2) {
			ret = wolfSSL_CTX_UseSessionTicket(c->ctx);
			if (ret != WOLFSSL_SUCCESS)
				return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
						  "set_session_tickets");
		}
		return PLUGTLS_OK;
	}
	if (p->session_tickets)
		return PLUGTLS_OK;
	if (p->min_version <= PLUGTLS_TLS1_2) {
		ret = wolfSSL_CTX_NoTicketTLSv12(c->ctx);
		if (ret != WOLFSSL_SUCCESS)
			return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
					  "set_session_tickets: off (TLS 1.2)");
	}
	if (p->max_version >= PLUGTLS_TLS1_3)
		return no_ticket_tls13(c, err);
	return PLUGTLS_OK;
}
#else
static plugtls_err set_tickets(struct wssl_ctx *c,
			       const plugtls_prov_ctx_params *p,
			       plugtls_error *err)
{
	if (p->session_tickets)
		return wssl_error(err, PLUGTLS_E_UNSUPPORTED, 0,
				  "set_session_tickets: this wolfSSL build "
				  "has no session tickets");
	return PLUGTLS_OK;
}
#endif

static int verify_mode(const plugtls_prov_ctx_params *p)
{
	if (p->role == PLUGTLS_CLIENT)
		return p->verify_peer ? WOLFSSL_VERIFY_PEER
				      : WOLFSSL_VERIFY_NONE;
	switch (p->client_cert) {
	case PLUGTLS_CLIENT_CERT_REQUEST: return WOLFSSL_VERIFY_PEER;
	case PLUGTLS_CLIENT_CERT_REQUIRE:
		return WOLFSSL_VERIFY_PEER |
		       WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	default: return WOLFSSL_VERIFY_NONE;
	}
}

#if WSSL_HAVE_PSK_TLS13
static void set_psk13(struct wssl_ctx *c, plugtls_role role)
{
	if (role == PLUGTLS_CLIENT)
		wolfSSL_CTX_set_psk_client_tls13_callback(
			c->ctx, wssl_psk_client_tls13_cb);
	else
		wolfSSL_CTX_set_psk_server_tls13_callback(
			c->ctx, wssl_psk_server_tls13_cb);
}
#else
static void set_psk13(struct wssl_ctx *c, plugtls_role role)
{
}
#endif

#if WSSL_HAVE_FFDHE2048
/* Servers: DHE-PSK (TLS 1.2) needs a DH group; wolfSSL has none by
 * default. The RFC 7919 ffdhe2048 group, as OpenSSL's auto DH picks for
 * 128-bit suites. */
static plugtls_err set_dh(struct wssl_ctx *c, plugtls_error *err)
{
	const DhParams *dh = wc_Dh_ffdhe2048_Get();
	int ret;

	if (dh == NULL)
		return wssl_error(err, PLUGTLS_E_INTERNAL, 0,
				  "ctx_new: DH group");
	ret = wolfSSL_CTX_SetTmpDH(c->ctx, dh->p, (int)dh->p_len, dh->g,
				   (int)dh->g_len);
	if (ret != WOLFSSL_SUCCESS)
		return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
				  "ctx_new: DH group");
	return PLUGTLS_OK;
}
#else
static plugtls_err set_dh(struct wssl_ctx *c, plugtls_error *err)
{
	/* No DHE-PSK in this build: ECDHE-PSK only. */
	return PLUGTLS_OK;
}
#endif

#if WSSL_HAVE_PSK
static plugtls_err set_psk(struct wssl_ctx *c, const plugtls_prov_ctx_params *p,
			   plugtls_error *err)
{
	if (!p->psk)
		return PLUGTLS_OK;
	set_psk13(c, p->role);
	if (p->role == PLUGTLS_CLIENT) {
		wolfSSL_CTX_set_psk_client_callback(c->ctx, wssl_psk_client_cb);
		return PLUGTLS_OK;
	}
	wolfSSL_CTX_set_psk_server_callback(c->ctx, wssl_psk_server_cb);
	return p->min_version <= PLUGTLS_TLS1_2 ? set_dh(c, err) : PLUGTLS_OK;
}
#else
static plugtls_err set_psk(struct wssl_ctx *c, const plugtls_prov_ctx_params *p,
			   plugtls_error *err)
{
	return PLUGTLS_OK;
}
#endif

#if WSSL_HAVE_KEYLOG
#error "wssl: a wolfSSL build with HAVE_SECRET_CALLBACK needs the key-log code (wolfSSL_set_tls13_secret_cb), which this backend does not have yet"
#else
static plugtls_err check_keylog(const plugtls_prov_ctx_params *p,
				plugtls_error *err)
{
	if (p->keylog)
		return wssl_error(err, PLUGTLS_E_UNSUPPORTED, 0,
				  "set_keylog_callback: provider wolfssl lacks "
				  "capability keylog (wolfSSL built without "
				  "HAVE_SECRET_CALLBACK)");
	return PLUGTLS_OK;
}
#endif

#if WSSL_HAVE_ALWAYS_VERIFY_CB
static plugtls_err check_verify_cb(const plugtls_prov_ctx_params *p,
				   plugtls_error *err)
{
	return PLUGTLS_OK;
}
#else
static plugtls_err check_verify_cb(const plugtls_prov_ctx_params *p,
				   plugtls_error *err)
{
	if (p->verify_peer)
		return wssl_error(err, PLUGTLS_E_UNSUPPORTED, 0,
				  "ctx_new: this wolfSSL build does not hand "
				  "accepted chains to the verify callback "
				  "(WOLFSSL_ALWAYS_VERIFY_CB)");
	return PLUGTLS_OK;
}
#endif

/* Sessions of one context must not resume on another (whose trust or
 * client-certificate policy may differ): wolfSSL's server session cache is
 * process-wide, so each context gets its own random session id context.
 * Tickets are already per context (each WOLFSSL_CTX has its own ticket
 * key). */
#if WSSL_HAVE_SESSION_ID_CTX
static plugtls_err set_session_context(struct wssl_ctx *c, plugtls_error *err)
{
	unsigned char id[32];
	WC_RNG rng;
	int ret;

	if (c->role != PLUGTLS_SERVER)
		return PLUGTLS_OK;
	ret = wc_InitRng(&rng);
	if (ret != 0)
		return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
				  "ctx_new: random generator");
	ret = wc_RNG_GenerateBlock(&rng, id, sizeof(id));
	wc_FreeRng(&rng);
	if (ret != 0)
		return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
				  "ctx_new: random session context");
	ret = wolfSSL_CTX_set_session_id_context(c->ctx, id, sizeof(id));
	if (ret != WOLFSSL_SUCCESS)
		return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
				  "ctx_new: session id context");
	return PLUGTLS_OK;
}
#else
/* Without a session id context, the process-wide server cache is turned
 * off: tickets (per-context keys) still resume. */
static plugtls_err set_session_context(struct wssl_ctx *c, plugtls_error *err)
{
	if (c->role == PLUGTLS_SERVER)
		(void)wolfSSL_CTX_set_session_cache_mode(
			c->ctx, WOLFSSL_SESS_CACHE_OFF);
	return PLUGTLS_OK;
}
#endif

plugtls_err wssl_ctx_new(const plugtls_prov_ctx_params *p, void *core,
			 void **out, plugtls_error *err)
{
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	struct wssl_ctx *c = NULL;
	WOLFSSL_METHOD *method;
	int ret;

	plugtls_err rc0;

	if ((rc0 = check_keylog(p, err)) != PLUGTLS_OK ||
	    (rc0 = check_verify_cb(p, err)) != PLUGTLS_OK)
		return rc0;
	if (p->min_version > p->max_version ||
	    p->min_version < PLUGTLS_TLS1_2 || p->max_version > PLUGTLS_TLS1_3)
		return wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_protocols: bad range");
	if ((p->n_chain == 0) != (p->key == NULL))
		return wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_key: a certificate needs its key");

	c = plugtls_prov_calloc(1, sizeof(*c));
	if (c == NULL)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "ctx_new");
	c->core = core;
	c->role = p->role;
	c->min_version = p->min_version;
	c->max_version = p->max_version;
	c->verify_peer = p->verify_peer;
	c->client_cert = p->client_cert;
	c->psk = p->psk;
	c->tickets = p->session_tickets;

	method = pick_method(p);
	if (method == NULL) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "ctx_new: method");
		goto out;
	}
	/* wolfSSL_CTX_new takes the method, also when it fails. */
	c->ctx = wolfSSL_CTX_new(method);
	if (c->ctx == NULL) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "ctx_new");
		goto out;
	}
	if (p->min_version == PLUGTLS_TLS1_2 &&
	    p->max_version == PLUGTLS_TLS1_3) {
		ret = wolfSSL_CTX_SetMinVersion(c->ctx, WOLFSSL_TLSV1_2);
		if (ret != WOLFSSL_SUCCESS) {
			rc = wssl_error(err, PLUGTLS_E_INTERNAL, ret,
					"set_protocols: minimum TLS 1.2");
			goto out;
		}
	}
	if ((rc = set_ciphers(c, p, err)) != PLUGTLS_OK ||
	    (rc = set_groups(c, err)) != PLUGTLS_OK ||
	    (rc = set_alpn(c, p, err)) != PLUGTLS_OK ||
	    (rc = set_tickets(c, p, err)) != PLUGTLS_OK ||
	    (rc = set_session_context(c, err)) != PLUGTLS_OK)
		goto out;
	if (p->n_chain > 0 && (rc = set_identity(c, p, err)) != PLUGTLS_OK)
		goto out;
	if ((rc = set_psk(c, p, err)) != PLUGTLS_OK)
		goto out;
	wolfSSL_CTX_set_verify(c->ctx, verify_mode(p), wssl_verify_cb);
	wolfSSL_CTX_SetIORecv(c->ctx, wssl_io_recv);
	wolfSSL_CTX_SetIOSend(c->ctx, wssl_io_send);
	*out = c;
	c = NULL;
	rc = PLUGTLS_OK;
out:
	wssl_ctx_free(c);
	return rc;
}

void wssl_ctx_free(void *ctx)
{
	struct wssl_ctx *c = ctx;

	if (c == NULL)
		return;
	wolfSSL_CTX_free(c->ctx);
	plugtls_prov_free(c->alpn_list);
	plugtls_prov_free(c->alpn_wire);
	plugtls_prov_free(c);
}
