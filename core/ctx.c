/* Contexts: a config bound to one provider. Either fully built or not
 * returned; the error, recorded on the config, names the setting. */
#include "objects.h"

#include <string.h>

/* The provider must have each capability an option needs: fail at once,
 * naming it, rather than ignore the option. */
static plugtls_err check_caps(plugtls_config *cfg, const plugtls_provider *p)
{
	const pt_policy *pol = &cfg->pol;
	uint64_t caps = plugtls_provider_caps(p);
	bool v12 = pol->min_version <= PLUGTLS_TLS1_2;
	bool v13 = pol->max_version >= PLUGTLS_TLS1_3;
	struct {
		bool needed;
		uint64_t cap;
		const char *setting;
	} need[] = {
		{v12, PLUGTLS_CAP_TLS12, "set_protocols"},
		{v13, PLUGTLS_CAP_TLS13, "set_protocols"},
		{pol->alpn_len > 0, PLUGTLS_CAP_ALPN, "set_alpn"},
		{cfg->crls.n > 0, PLUGTLS_CAP_CRL, "add_crl"},
		{pol->keylog != NULL, PLUGTLS_CAP_KEYLOG,
		 "set_keylog_callback"},
		{pol->client_cert != PLUGTLS_CLIENT_CERT_NONE ||
			 (pol->role == PLUGTLS_CLIENT && cfg->cert.len),
		 PLUGTLS_CAP_MTLS, "client certificates"},
		{pol->tickets == 1, PLUGTLS_CAP_TICKETS, "set_session_tickets"},
		{strcmp(pol->profile, "chacha20") == 0, PLUGTLS_CAP_CHACHA20,
		 "set_profile"},
		{cfg->p12.len > 0, PLUGTLS_CAP_PKCS12_IMPORT, "set_pkcs12"},
	};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (need[i].needed && !(caps & need[i].cap))
			return pt_err_set(&cfg->err, PLUGTLS_E_UNSUPPORTED, 0,
					  "%s: provider %s lacks capability %s",
					  need[i].setting, p->name,
					  plugtls_cap_name(need[i].cap));
	if (pol->n_psks) {
		/* PSK needs a PSK-capable protocol version in the range. */
		bool ok = (v12 && (caps & PLUGTLS_CAP_PSK_TLS12)) ||
			  (v13 && (caps & PLUGTLS_CAP_PSK_TLS13));
		if (!ok)
			return pt_err_set(&cfg->err, PLUGTLS_E_UNSUPPORTED, 0,
					  "add_psk: provider %s lacks capability "
					  "%s",
					  p->name,
					  plugtls_cap_name(
						  v13 ? PLUGTLS_CAP_PSK_TLS13
						      : PLUGTLS_CAP_PSK_TLS12));
	}
	return PLUGTLS_OK;
}

typedef struct trust_add {
	plugtls_ctx *ctx;
	plugtls_error *err;
} trust_add;

/* cas: the config's CA sources, or the system bundle read for this
 * context (the config is not changed: it may be shared). */
static plugtls_err load_trust(plugtls_config *cfg, const pt_blobs *cas,
			      plugtls_ctx *ctx)
{
	plugtls_error e;
	plugtls_err rc;
	pt_err_clear(&e);

	rc = pt_p_trust_new(ctx->prov, &ctx->trust, &e);
	if (rc)
		return pt_err_wrap(&cfg->err, &e, "trust store");
	for (size_t i = 0; i < cas->n; i++) {
		const pt_blob *b = &cas->v[i];
		plugtls_chain *ch = NULL;
		rc = pt_chain_new(ctx->prov, &ch, &e);
		if (rc == PLUGTLS_OK)
			rc = pt_chain_add_data(ch, b->data, b->len, &e);
		for (size_t k = 0; rc == PLUGTLS_OK && k < ch->n; k++) {
			void *native = NULL;
			rc = pt_cert_native(ch->certs[k], &native, &e);
			if (rc == PLUGTLS_OK)
				rc = pt_p_trust_add_cert(ctx->prov, ctx->trust,
							 native, &e);
		}
		plugtls_chain_free(ch);
		if (rc)
			return pt_err_wrap(&cfg->err, &e, b->label);
	}
	return PLUGTLS_OK;
}

typedef struct crl_add {
	plugtls_ctx *ctx;
	size_t n;
} crl_add;

static plugtls_err add_crl_block(void *arg, const char *label,
				 const unsigned char *der, size_t len)
{
	crl_add *ca = arg;
	if (strcmp(label, "X509 CRL") != 0)
		return PLUGTLS_OK;
	ca->n++;
	return pt_p_trust_add_crl(ca->ctx->prov, ca->ctx->trust, der, len,
				  pt_thread_err());
}

static plugtls_err load_crls(plugtls_config *cfg, plugtls_ctx *ctx)
{
	for (size_t i = 0; i < cfg->crls.n; i++) {
		const pt_blob *b = &cfg->crls.v[i];
		plugtls_error e;
		plugtls_err rc;
		pt_err_clear(&e);
		if (pt_is_pem(b->data, b->len)) {
			crl_add ca = {ctx, 0};
			size_t blocks = 0;
			pt_err_clear(pt_thread_err());
			rc = pt_pem_each(b->data, b->len, add_crl_block, &ca,
					 &blocks, &e);
			if (rc && e.code == PLUGTLS_OK)
				e = *pt_thread_err();
		} else {
			rc = pt_p_trust_add_crl(ctx->prov, ctx->trust, b->data,
						b->len, &e);
		}
		if (rc)
			return pt_err_wrap(&cfg->err, &e, b->label);
	}
	if (!ctx->pol.crl_mode_set && cfg->crls.n)
		ctx->pol.crl_mode = PLUGTLS_CRL_LEAF;
	return PLUGTLS_OK;
}

static plugtls_err load_identity(plugtls_config *cfg, plugtls_ctx *ctx)
{
	plugtls_error e;
	plugtls_key *key = NULL;
	plugtls_err rc;
	pt_err_clear(&e);

	if (cfg->p12.len) {
		rc = pt_pkcs12_import(ctx->prov, cfg->p12.data, cfg->p12.len,
				      cfg->p12_password, &key, &ctx->own_chain,
				      &e);
		if (rc)
			return pt_err_wrap(&cfg->err, &e, cfg->p12.label);
	} else {
		if (!cfg->cert.len != !cfg->key.len)
			return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT,
					  0,
					  "%s: a certificate needs its key and a "
					  "key its certificate",
					  cfg->cert.len ? cfg->cert.label
							: cfg->key.label);
		if (!cfg->cert.len)
			return PLUGTLS_OK;
		rc = pt_chain_new(ctx->prov, &ctx->own_chain, &e);
		if (rc == PLUGTLS_OK)
			rc = pt_chain_add_data(ctx->own_chain, cfg->cert.data,
					       cfg->cert.len, &e);
		if (rc)
			return pt_err_wrap(&cfg->err, &e, cfg->cert.label);
		rc = pt_key_new(ctx->prov, cfg->key.data, cfg->key.len,
				cfg->key_password, &key, &e);
		if (rc)
			return pt_err_wrap(&cfg->err, &e, cfg->key.label);
	}
	/* The context keeps the native key; the wrapper goes. */
	ctx->own_key = key->native;
	key->native = NULL;
	plugtls_key_free(key);
	return PLUGTLS_OK;
}

static void ctx_destroy(plugtls_ctx *ctx)
{
	pt_p_ctx_free(ctx->prov, ctx->native);
	pt_p_key_free(ctx->prov, ctx->own_key);
	plugtls_chain_free(ctx->own_chain);
	pt_p_trust_free(ctx->prov, ctx->trust);
	pt_policy_clear(&ctx->pol);
	for (size_t i = 0; i < ctx->n_anchors; i++)
		pt_cert_free(ctx->anchors[i].cert);
	pthread_mutex_destroy(&ctx->anchors_lock);
	pthread_mutex_destroy(&ctx->err_lock);
	pt_provider_unref(ctx->prov);
	pt_free(ctx);
}

plugtls_err plugtls_ctx_new(const plugtls_provider *p, plugtls_config *cfg,
			    plugtls_ctx **out)
{
	plugtls_ctx *ctx = NULL;
	void **natives = NULL;
	pt_blobs sys = {0};
	plugtls_error e;
	plugtls_err rc;

	pt_err_clear(&e);
	if (!cfg)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "ctx_new: config is NULL");
	if (!p || !out)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "ctx_new: provider and out are required");
	if (!pt_provider_live(p))
		return pt_err_set(&cfg->err, PLUGTLS_E_STATE, 0,
				  "ctx_new: provider %s is not initialised",
				  p->name);
	rc = check_caps(cfg, p);
	if (rc)
		return rc;
	const pt_policy *pol = &cfg->pol;
	bool verify_client = pol->role == PLUGTLS_SERVER &&
			     pol->client_cert != PLUGTLS_CLIENT_CERT_NONE;
	if (pol->role == PLUGTLS_SERVER && !cfg->cert.len && !cfg->p12.len &&
	    !pol->n_psks)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "ctx_new: a server needs a certificate and "
				  "key, or a PSK");
	if (verify_client && !cfg->cas.n && !pol->no_verify_chain)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_client_cert: client certificates need a "
				  "CA (add_ca_*)");

	ctx = pt_calloc(1, sizeof(*ctx));
	if (!ctx)
		return pt_err_set(&cfg->err, PLUGTLS_E_NOMEM, 0,
				  "ctx_new: out of memory");
	if (pthread_mutex_init(&ctx->err_lock, NULL) != 0) {
		pt_free(ctx);
		return pt_err_set(&cfg->err, PLUGTLS_E_INTERNAL, 0,
				  "ctx_new: mutex init failed");
	}
	if (pthread_mutex_init(&ctx->anchors_lock, NULL) != 0) {
		pthread_mutex_destroy(&ctx->err_lock);
		pt_free(ctx);
		return pt_err_set(&cfg->err, PLUGTLS_E_INTERNAL, 0,
				  "ctx_new: mutex init failed");
	}
	pt_provider_ref(p);
	ctx->prov = p;
	atomic_init(&ctx->refs, 1);
	ctx->hdr.magic = PT_MAGIC_CTX;
	ctx->hdr.logger = &ctx->pol.logger;
	if (pt_policy_copy(&ctx->pol, pol) != PLUGTLS_OK) {
		memset(&ctx->pol, 0, sizeof(ctx->pol));
		rc = pt_err_set(&cfg->err, PLUGTLS_E_NOMEM, 0,
				"ctx_new: out of memory");
		goto fail;
	}

	/* A client that verifies and was given no CA uses the system's. */
	if (pol->role == PLUGTLS_CLIENT && !cfg->cas.n && !pol->no_verify_chain) {
		rc = pt_config_system_cas(cfg, &sys);
		if (rc)
			goto fail;
	}
	if (cfg->cas.n || sys.n || cfg->crls.n) {
		rc = load_trust(cfg, sys.n ? &sys : &cfg->cas, ctx);
		if (rc == PLUGTLS_OK)
			rc = load_crls(cfg, ctx);
		if (rc)
			goto fail;
	}
	rc = load_identity(cfg, ctx);
	if (rc)
		goto fail;

	size_t nchain = ctx->own_chain ? ctx->own_chain->n : 0;
	if (nchain) {
		natives = pt_calloc(nchain, sizeof(*natives));
		if (!natives) {
			rc = pt_err_set(&cfg->err, PLUGTLS_E_NOMEM, 0,
					"ctx_new: out of memory");
			goto fail;
		}
		for (size_t i = 0; i < nchain; i++) {
			rc = pt_cert_native(ctx->own_chain->certs[i],
					    &natives[i], &e);
			if (rc) {
				pt_err_wrap(&cfg->err, &e, "certificate");
				goto fail;
			}
		}
	}
	bool verify_peer = pol->role == PLUGTLS_CLIENT
				   ? !(pol->no_verify_chain &&
				       pol->no_verify_host && !pol->pins.n)
				   : verify_client;
	uint64_t caps = plugtls_provider_caps(p);
	plugtls_prov_ctx_params params = {
		.role = pol->role,
		.min_version = pol->min_version,
		.max_version = pol->max_version,
		.profile = pol->profile,
		.trust = ctx->trust,
		.chain = natives,
		.n_chain = nchain,
		.key = ctx->own_key,
		.verify_peer = verify_peer,
		.client_cert = pol->client_cert,
		.alpn = pol->alpn,
		.alpn_len = pol->alpn_len,
		.psk = pol->n_psks > 0,
		.session_tickets = pol->tickets == -1
					   ? (caps & PLUGTLS_CAP_TICKETS) != 0
					   : pol->tickets,
		.keylog = pol->keylog != NULL,
	};
	rc = pt_p_ctx_new(p, &params, ctx, &ctx->native, &e);
	if (rc) {
		pt_err_wrap(&cfg->err, &e, "ctx_new");
		goto fail;
	}
	pt_free(natives);
	pt_blobs_clear(&sys);
	pt_log(&ctx->pol.logger, PLUGTLS_LOG_INFO,
	       "context ready: provider %s, %s, TLS 0x%04x-0x%04x, profile %s",
	       p->name, pol->role == PLUGTLS_CLIENT ? "client" : "server",
	       pol->min_version, pol->max_version, pol->profile);
	*out = ctx;
	return PLUGTLS_OK;
fail:
	pt_free(natives);
	pt_blobs_clear(&sys);
	ctx_destroy(ctx);
	return rc;
}

void pt_ctx_ref(plugtls_ctx *ctx)
{
	atomic_fetch_add(&ctx->refs, 1);
}

void pt_ctx_unref(plugtls_ctx *ctx)
{
	if (ctx && atomic_fetch_sub(&ctx->refs, 1) == 1)
		ctx_destroy(ctx);
}

void plugtls_ctx_free(plugtls_ctx *ctx)
{
	pt_ctx_unref(ctx);
}

const plugtls_error *plugtls_ctx_error(const plugtls_ctx *ctx)
{
	return ctx ? &ctx->err : NULL;
}

const plugtls_provider *plugtls_ctx_provider(const plugtls_ctx *ctx)
{
	return ctx ? ctx->prov : NULL;
}
