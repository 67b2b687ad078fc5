/* Verification: the provider builds and checks the chain (signatures,
 * constraints, revocation); the core checks what must mean the same on
 * every provider (validity at the chosen time, host name, purpose, weak
 * algorithms, pins) on the chain the provider returns. DESIGN.md,
 * "Verification: who checks what". */
#include "objects.h"

#include <string.h>
#include <time.h>

/* One verification run. Every native becomes a plugtls certificate at
 * most once: the peer's (peer[i], from natives[i]) on first use, and the
 * built chain borrows them where the provider reports the same native
 * (the leaf, always, on OpenSSL; any peer certificate elsewhere when the
 * backend reports the natives it was given). The peer's certificates are
 * partial (pt_cert_for_checks): the checks read neither names nor serial
 * numbers, and reading those costs a provider more than the checks do. */
struct pt_vrun {
	plugtls_ctx *ctx;
	const plugtls_provider *prov;
	void *const *natives;
	size_t n;
	const plugtls_chain *given; /* plugtls_ctx_verify: already built */
	plugtls_cert **peer;        /* [n], owned, built on demand, partial */
	unsigned want;              /* PLUGTLS_PROV_WANT_* of peer[] */
	plugtls_cert **built;       /* the chain the provider reported */
	bool *built_owned;
	size_t n_built, cap_built;
	plugtls_error *err;
};

static plugtls_err vrun_peer(struct pt_vrun *v, size_t i, plugtls_error *err,
			     plugtls_cert **out)
{
	if (v->given) {
		*out = v->given->certs[i];
		return PLUGTLS_OK;
	}
	if (!v->peer[i]) {
		plugtls_err rc = pt_cert_for_checks(v->prov, v->natives[i],
						    v->want, &v->peer[i], err);
		if (rc)
			return rc;
	}
	*out = v->peer[i];
	return PLUGTLS_OK;
}

/* A certificate of the chain that the peer did not send comes from the
 * trust store, which lives as long as the context and does not change:
 * the provider reports the store's own native, the same pointer every
 * time (provider.h, cert.verify). The first PT_ANCHOR_CACHE such anchors
 * are converted once and kept by the context; *owned tells whether the
 * caller got a certificate of its own instead (cache full). A pointer that
 * matches is the same live object: the context keeps its trust store, and
 * so every native it caches, until it is freed. */
static plugtls_err vrun_anchor(struct pt_vrun *v, void *native,
			       plugtls_cert **out, bool *owned)
{
	plugtls_ctx *ctx = v->ctx;
	plugtls_cert *c = NULL;
	size_t n = __atomic_load_n(&ctx->n_anchors, __ATOMIC_ACQUIRE);
	plugtls_err rc;

	for (size_t i = 0; i < n; i++)
		if (ctx->anchors[i].native == native) {
			*out = ctx->anchors[i].cert;
			*owned = false;
			return PLUGTLS_OK;
		}
	rc = pt_cert_from_native(v->prov, native, false, &c, NULL);
	if (rc)
		return rc;
	*out = c;
	*owned = true;
	pthread_mutex_lock(&ctx->anchors_lock);
	n = ctx->n_anchors;
	for (size_t i = 0; i < n; i++)
		if (ctx->anchors[i].native == native) {
			/* Another thread got there first. */
			pt_cert_free(c);
			*out = ctx->anchors[i].cert;
			*owned = false;
			break;
		}
	if (*owned && n < PT_ANCHOR_CACHE) {
		ctx->anchors[n].native = native;
		ctx->anchors[n].cert = c;
		__atomic_store_n(&ctx->n_anchors, n + 1, __ATOMIC_RELEASE);
		*owned = false;
	}
	pthread_mutex_unlock(&ctx->anchors_lock);
	return PLUGTLS_OK;
}

/* The provider's chain sink. As pt_chain_sink, failures go to the
 * thread's record (the backend adds its own). */
static plugtls_err vrun_sink(void *arg, void *native)
{
	struct pt_vrun *v = arg;
	plugtls_cert *c = NULL;
	bool owned = true;
	plugtls_err rc;

	if (!native)
		return pt_err_set(NULL, PLUGTLS_E_INTERNAL, 0,
				  "chain sink: no certificate");
	if (v->n_built == v->cap_built) {
		size_t ncap = v->cap_built ? v->cap_built * 2 : 4;
		plugtls_cert **nb;
		bool *no;
		if (ncap > PT_MAX_CERTS)
			return pt_err_set(NULL, PLUGTLS_E_TOO_LARGE, 0,
					  "chain sink: too many certificates");
		nb = pt_realloc(v->built, ncap * sizeof(*nb));
		if (!nb)
			return pt_err_set(NULL, PLUGTLS_E_NOMEM, 0,
					  "chain sink: out of memory");
		v->built = nb;
		no = pt_realloc(v->built_owned, ncap * sizeof(*no));
		if (!no)
			return pt_err_set(NULL, PLUGTLS_E_NOMEM, 0,
					  "chain sink: out of memory");
		v->built_owned = no;
		v->cap_built = ncap;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (v->natives[i] != native)
			continue;
		rc = vrun_peer(v, i, NULL, &c);
		if (rc)
			return rc;
		owned = false;
		break;
	}
	if (owned) {
		rc = vrun_anchor(v, native, &c, &owned);
		if (rc)
			return rc;
	}
	v->built[v->n_built] = c;
	v->built_owned[v->n_built] = owned;
	v->n_built++;
	return PLUGTLS_OK;
}

/* A read-only chain over certificates owned elsewhere, for the checks. */
static plugtls_chain vrun_view(const plugtls_provider *p, plugtls_cert **certs,
			       size_t n)
{
	plugtls_chain ch = {.prov = p, .certs = certs, .n = n, .cap = n};
	return ch;
}

/* The peer's chain as sent, every certificate built. */
static plugtls_err vrun_peer_all(struct pt_vrun *v, plugtls_chain *view)
{
	if (v->given) {
		*view = *v->given;
		return PLUGTLS_OK;
	}
	for (size_t i = 0; i < v->n; i++) {
		plugtls_cert *c;
		plugtls_err rc = vrun_peer(v, i, v->err, &c);
		if (rc)
			return rc;
	}
	*view = vrun_view(v->prov, v->peer, v->n);
	return PLUGTLS_OK;
}

/* Whether the leaf names itself as its issuer. A partial leaf has no
 * names: read them now, on this path of a failed verification only. */
static plugtls_err vrun_self_issued(struct pt_vrun *v, const plugtls_cert *leaf,
				    bool *out)
{
	plugtls_cert *full = NULL;
	plugtls_err rc;

	if (!leaf->partial) {
		*out = leaf->self_issued;
		return PLUGTLS_OK;
	}
	rc = pt_cert_from_native(v->prov, v->natives[0], false, &full, v->err);
	if (rc)
		return rc;
	*out = full->self_issued;
	pt_cert_free(full);
	return PLUGTLS_OK;
}

static plugtls_err vrun_checks(plugtls_ctx *ctx, struct pt_vrun *v,
			       const char *host, unsigned purpose,
			       uint32_t *reasons)
{
	const pt_policy *pol = &ctx->pol;
	plugtls_chain built, peer;
	plugtls_cert *leaf = NULL;
	uint32_t r = 0;
	plugtls_err rc;

	int64_t t = pol->verify_time ? pol->verify_time : (int64_t)time(NULL);
	rc = vrun_peer(v, 0, v->err, &leaf);
	if (rc)
		return rc;

	if (!pol->no_verify_chain) {
		uint32_t pr = 0;
		plugtls_prov_verify_params vp = {
			.crl_mode = pol->crl_mode,
			.max_depth = pol->depth,
			.time = t,
			.purpose = purpose,
		};
		if (!ctx->trust) {
			pr = PLUGTLS_VERIFY_UNKNOWN_ISSUER;
		} else {
			rc = pt_p_verify(ctx->prov, ctx->trust, v->natives,
					 v->n, &vp, &pr, vrun_sink, v, v->err);
			if (rc)
				return rc;
		}
		/* One answer for an untrusted self-signed leaf on every
		 * provider: SELF_SIGNED, not UNKNOWN_ISSUER. */
		if ((pr & (PLUGTLS_VERIFY_UNKNOWN_ISSUER |
			   PLUGTLS_VERIFY_SELF_SIGNED)) &&
		    v->n_built <= 1) {
			bool self_issued;
			rc = vrun_self_issued(v, leaf, &self_issued);
			if (rc)
				return rc;
			if (self_issued) {
				pr &= ~PLUGTLS_VERIFY_UNKNOWN_ISSUER;
				pr |= PLUGTLS_VERIFY_SELF_SIGNED;
			}
		}
		/* A chain cut at the depth limit has no anchor: the missing
		 * issuer is a consequence, not a second reason (OpenSSL 3.0
		 * reports both; the others stop at the depth). */
		if (pr & PLUGTLS_VERIFY_CHAIN_TOO_LONG)
			pr &= ~PLUGTLS_VERIFY_UNKNOWN_ISSUER;
		r |= pr;
		if (v->n_built) {
			built = vrun_view(ctx->prov, v->built, v->n_built);
			r |= pt_check_policy(&built, t, purpose);
		} else {
			rc = vrun_peer_all(v, &peer);
			if (rc)
				return rc;
			r |= pt_check_policy(&peer, t, purpose);
		}
	}
	if (host && !pol->no_verify_host)
		r |= pt_check_host(leaf, host);
	if (pol->pins.n) {
		/* Pins match the verified chain, or, with chain verification
		 * turned off, the chain the peer sent: fail closed either
		 * way. */
		if (v->n_built) {
			built = vrun_view(ctx->prov, v->built, v->n_built);
			if (!pt_pins_match(&pol->pins, &built))
				r |= PLUGTLS_VERIFY_PIN;
		} else {
			rc = vrun_peer_all(v, &peer);
			if (rc)
				return rc;
			if (!pt_pins_match(&pol->pins, &peer))
				r |= PLUGTLS_VERIFY_PIN;
		}
	}
	*reasons = r;
	return PLUGTLS_OK;
}

static void vrun_clear(struct pt_vrun *v)
{
	for (size_t i = 0; i < v->n_built; i++)
		if (v->built_owned[i])
			pt_cert_free(v->built[i]);
	pt_free(v->built);
	pt_free(v->built_owned);
	if (v->peer)
		for (size_t i = 0; i < v->n; i++)
			pt_cert_free(v->peer[i]);
	pt_free(v->peer);
}

/* The peer's chain as sent, as an owned chain for the application: every
 * certificate read again in full (the run's own are partial). */
static plugtls_err vrun_take_peer(struct pt_vrun *v, plugtls_chain **out)
{
	plugtls_chain *ch = NULL;
	plugtls_err rc = pt_chain_new(v->prov, &ch, v->err);

	for (size_t i = 0; rc == PLUGTLS_OK && i < v->n; i++) {
		plugtls_cert *c = NULL;
		rc = pt_cert_from_native(v->prov, v->natives[i], false, &c,
					 v->err);
		if (rc)
			break;
		rc = pt_chain_push(ch, c, v->err); /* frees c on failure */
	}
	if (rc) {
		plugtls_chain_free(ch);
		return rc;
	}
	*out = ch;
	return PLUGTLS_OK;
}

plugtls_err pt_verify_natives(plugtls_ctx *ctx, void *const *natives,
			      size_t n, const char *host, unsigned purpose,
			      uint32_t *reasons, plugtls_chain **peer_out,
			      plugtls_error *err)
{
	struct pt_vrun v = {.ctx = ctx,
			    .prov = ctx->prov,
			    .natives = natives,
			    .n = n,
			    .err = err,
			    .want = ctx->pol.pins.n ? PLUGTLS_PROV_WANT_SPKI
						    : 0};
	plugtls_err rc;

	if (n == 0) {
		*reasons = PLUGTLS_VERIFY_NO_CERTIFICATE;
		return PLUGTLS_OK;
	}
	v.peer = pt_calloc(n, sizeof(*v.peer));
	if (!v.peer)
		return pt_err_set(err, PLUGTLS_E_NOMEM, 0,
				  "verify: out of memory");
	rc = vrun_checks(ctx, &v, host, purpose, reasons);
	if (rc == PLUGTLS_OK && *reasons && peer_out)
		rc = vrun_take_peer(&v, peer_out);
	vrun_clear(&v);
	return rc;
}

plugtls_err pt_verify_run(plugtls_ctx *ctx, void *const *natives, size_t n,
			  const plugtls_chain *peer, const char *host,
			  unsigned purpose, uint32_t *reasons,
			  plugtls_error *err)
{
	struct pt_vrun v = {.ctx = ctx, .prov = ctx->prov, .natives = natives,
			    .n = n, .given = peer, .err = err};
	plugtls_err rc;

	if (n == 0) {
		*reasons = PLUGTLS_VERIFY_NO_CERTIFICATE;
		return PLUGTLS_OK;
	}
	if (!peer || peer->n != n)
		return pt_err_set(err, PLUGTLS_E_INTERNAL, 0,
				  "verify: the chain does not match");
	rc = vrun_checks(ctx, &v, host, purpose, reasons);
	vrun_clear(&v);
	return rc;
}

plugtls_err plugtls_ctx_verify(plugtls_ctx *ctx, const plugtls_chain *chain,
			       const char *host, unsigned purpose,
			       uint32_t *reasons)
{
	void **natives = NULL;
	plugtls_error e;
	plugtls_err rc;

	pt_err_clear(&e);
	if (!ctx || !chain || !reasons || !plugtls_chain_count(chain)) {
		/* A context is shared between threads: its record is written
		 * under its lock, as conn_new does. */
		if (ctx)
			pthread_mutex_lock(&ctx->err_lock);
		rc = pt_err_set(ctx ? &ctx->err : NULL,
				PLUGTLS_E_INVALID_ARGUMENT, 0,
				"ctx_verify: ctx, a non-empty chain and "
				"reasons are required");
		if (ctx)
			pthread_mutex_unlock(&ctx->err_lock);
		return rc;
	}
	if (purpose != PLUGTLS_PURPOSE_SERVER &&
	    purpose != PLUGTLS_PURPOSE_CLIENT)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "ctx_verify: purpose must be "
				  "PLUGTLS_PURPOSE_SERVER or _CLIENT");
	if (host && !*host)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "ctx_verify: empty host name");
	if (chain->prov != ctx->prov)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "ctx_verify: chain made by provider %s, "
				  "context by %s",
				  chain->prov->name, ctx->prov->name);
	size_t n = chain->n;
	natives = pt_calloc(n, sizeof(*natives));
	if (!natives)
		return pt_err_set(NULL, PLUGTLS_E_NOMEM, 0,
				  "ctx_verify: out of memory");
	for (size_t i = 0; i < n; i++) {
		rc = pt_cert_native(chain->certs[i], &natives[i], &e);
		if (rc)
			goto out;
	}
	uint32_t r = 0;
	rc = pt_verify_run(ctx, natives, n, chain, host, purpose, &r, &e);
	if (rc)
		goto out;
	*reasons = r;
	rc = r ? PLUGTLS_E_VERIFY : PLUGTLS_OK;
out:
	if (rc && rc != PLUGTLS_E_VERIFY)
		pt_err_wrap(pt_thread_err(), &e, "ctx_verify");
	pt_free(natives);
	return rc;
}
