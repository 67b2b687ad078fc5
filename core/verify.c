/* Verification: the provider builds and checks the chain (signatures,
 * constraints, revocation); the core checks what must mean the same on
 * every provider (validity at the chosen time, host name, purpose, weak
 * algorithms, pins) on the chain the provider returns. DESIGN.md,
 * "Verification: who checks what". */
#include "objects.h"

#include <string.h>
#include <time.h>

plugtls_err pt_verify_run(plugtls_ctx *ctx, void *const *natives, size_t n,
			  const plugtls_chain *peer, const char *host,
			  unsigned purpose, uint32_t *reasons,
			  plugtls_error *err)
{
	const pt_policy *pol = &ctx->pol;
	plugtls_chain *built = NULL;
	uint32_t r = 0;
	plugtls_err rc;

	if (n == 0) {
		*reasons = PLUGTLS_VERIFY_NO_CERTIFICATE;
		return PLUGTLS_OK;
	}
	int64_t t = pol->verify_time ? pol->verify_time : (int64_t)time(NULL);
	const plugtls_cert *leaf = peer->certs[0];

	if (!pol->no_verify_chain) {
		uint32_t pr = 0;
		plugtls_prov_verify_params vp = {
			.crl_mode = pol->crl_mode,
			.max_depth = pol->depth,
			.time = t,
			.purpose = purpose,
		};
		rc = pt_chain_new(ctx->prov, &built, err);
		if (rc)
			return rc;
		if (!ctx->trust) {
			pr = PLUGTLS_VERIFY_UNKNOWN_ISSUER;
		} else {
			rc = pt_p_verify(ctx->prov, ctx->trust, natives, n, &vp,
					 &pr, pt_chain_sink, built, err);
			if (rc)
				goto out;
		}
		/* One answer for an untrusted self-signed leaf on every
		 * provider: SELF_SIGNED, not UNKNOWN_ISSUER. */
		if ((pr & (PLUGTLS_VERIFY_UNKNOWN_ISSUER |
			   PLUGTLS_VERIFY_SELF_SIGNED)) &&
		    leaf->self_issued && plugtls_chain_count(built) <= 1) {
			pr &= ~PLUGTLS_VERIFY_UNKNOWN_ISSUER;
			pr |= PLUGTLS_VERIFY_SELF_SIGNED;
		}
		/* A chain cut at the depth limit has no anchor: the missing
		 * issuer is a consequence, not a second reason (OpenSSL 3.0
		 * reports both; the others stop at the depth). */
		if (pr & PLUGTLS_VERIFY_CHAIN_TOO_LONG)
			pr &= ~PLUGTLS_VERIFY_UNKNOWN_ISSUER;
		r |= pr;
		r |= pt_check_policy(plugtls_chain_count(built) ? built : peer,
				     t, purpose);
	}
	if (host && !pol->no_verify_host)
		r |= pt_check_host(leaf, host);
	if (pol->pins.n) {
		/* Pins match the verified chain, or, with chain verification
		 * turned off, the chain the peer sent: fail closed either
		 * way. */
		const plugtls_chain *pc =
			built && plugtls_chain_count(built) ? built : peer;
		if (!pt_pins_match(&pol->pins, pc))
			r |= PLUGTLS_VERIFY_PIN;
	}
	*reasons = r;
	rc = PLUGTLS_OK;
out:
	plugtls_chain_free(built);
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
	if (!ctx || !chain || !reasons || !plugtls_chain_count(chain))
		return pt_err_set(ctx ? &ctx->err : NULL,
				  PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "ctx_verify: ctx, a non-empty chain and "
				  "reasons are required");
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
