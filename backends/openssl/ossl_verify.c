/*
 * OpenSSL provider: trust stores (X509_STORE *) and chain verification.
 *
 * Division of labour (provider.h, plugtls_prov_verify_params): OpenSSL
 * builds the chain and checks signatures, basic constraints and path
 * length, name constraints, key usage of issuers, revocation and depth. It
 * must not judge time, EKU, host names or weak algorithms; the core does
 * those on the chain we report. So:
 *  - X509_V_FLAG_NO_CHECK_TIME: no certificate or CRL validity checks;
 *  - no purpose and no host/IP/email set on the parameters;
 *  - auth level 0: no security-level rejections of keys or digests
 *    (Debian's default level 2 would reject SHA-1 and short keys);
 *  - X509_V_FLAG_PARTIAL_CHAIN: any certificate in the store is an anchor.
 * A verify callback returns 1 for every error so that OpenSSL carries on
 * and the verdict lists all reasons, not just the first.
 *
 * X509_V_ERR_* -> PLUGTLS_VERIFY_* (ossl_verify_reason):
 *
 *  X509_V_ERR_*                          reason           why
 *  UNABLE_TO_GET_ISSUER_CERT             UNKNOWN_ISSUER   no issuer found
 *  UNABLE_TO_GET_ISSUER_CERT_LOCALLY     UNKNOWN_ISSUER   chain does not reach
 *                                                         a trusted cert
 *  UNABLE_TO_VERIFY_LEAF_SIGNATURE       UNKNOWN_ISSUER   lone leaf, issuer
 *                                                         unknown
 *  SELF_SIGNED_CERT_IN_CHAIN             UNKNOWN_ISSUER   chain ends in a root
 *                                                         that is not trusted
 *                                                         (SELF_SIGNED is for
 *                                                         the leaf only)
 *  PATH_LOOP, SUBJECT_ISSUER_MISMATCH,   UNKNOWN_ISSUER   no usable issuer
 *  AKID_SKID_MISMATCH,
 *  AKID_ISSUER_SERIAL_MISMATCH
 *  DEPTH_ZERO_SELF_SIGNED_CERT           SELF_SIGNED      untrusted
 *                                                         self-signed leaf
 *  CERT_SIGNATURE_FAILURE,               BAD_SIGNATURE    signature does not
 *  UNABLE_TO_DECRYPT_CERT_SIGNATURE,                      verify, or cannot be
 *  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY,                    verified
 *  NO_ISSUER_PUBLIC_KEY,
 *  UNSUPPORTED_SIGNATURE_ALGORITHM,
 *  SIGNATURE_ALGORITHM_MISMATCH,
 *  SIGNATURE_ALGORITHM_INCONSISTENCY
 *  CERT_REVOKED                          REVOKED
 *  UNABLE_TO_GET_CRL, UNABLE_TO_GET_     CRL_UNAVAILABLE  no usable CRL for a
 *  CRL_ISSUER, CRL_SIGNATURE_FAILURE,                     certificate the
 *  UNABLE_TO_DECRYPT_CRL_SIGNATURE,                       crl_mode covers (a
 *  KEYUSAGE_NO_CRL_SIGN,                                  CRL that does not
 *  DIFFERENT_CRL_SCOPE,                                   verify is no CRL)
 *  UNHANDLED_CRITICAL_CRL_EXTENSION,
 *  CRL_PATH_VALIDATION_ERROR
 *  INVALID_CA, INVALID_NON_CA,           NOT_CA           issuer not a CA, or
 *  PATH_LENGTH_EXCEEDED,                                  path length, or no
 *  PROXY_PATH_LENGTH_EXCEEDED,                            keyCertSign
 *  KEYUSAGE_NO_CERTSIGN,
 *  PATHLEN_INVALID_FOR_NON_CA,
 *  PATHLEN_WITHOUT_KU_KEY_CERT_SIGN,
 *  KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA
 *  CERT_CHAIN_TOO_LONG                   CHAIN_TOO_LONG
 *  PERMITTED_VIOLATION,                  NAME_CONSTRAINTS
 *  EXCLUDED_VIOLATION, SUBTREE_MINMAX,
 *  UNSUPPORTED_CONSTRAINT_TYPE,
 *  UNSUPPORTED_CONSTRAINT_SYNTAX,
 *  UNSUPPORTED_NAME_SYNTAX,
 *  PROXY_SUBJECT_NAME_VIOLATION
 *  INVALID_PURPOSE,                      PURPOSE          (not reached: no
 *  KEYUSAGE_NO_DIGITAL_SIGNATURE                          purpose is set)
 *  HOSTNAME_MISMATCH, IP_ADDRESS_        HOSTNAME         (not reached: no
 *  MISMATCH, EMAIL_MISMATCH                               host is set)
 *  CERT_NOT_YET_VALID, CERT_HAS_EXPIRED, (none)           time is the core's
 *  ERROR_IN_CERT_NOT_*_FIELD, CRL_NOT_                    (not reached:
 *  YET_VALID, CRL_HAS_EXPIRED,                            NO_CHECK_TIME)
 *  ERROR_IN_CRL_*_UPDATE_FIELD
 *  EE_KEY_TOO_SMALL, CA_KEY_TOO_SMALL,   (none)           weak algorithms are
 *  CA_MD_TOO_WEAK                                         the core's (not
 *                                                         reached: auth
 *                                                         level 0)
 *  OUT_OF_MEM                            (none)           an error, not a
 *                                                         verdict: NOMEM
 *  anything else (UNSPECIFIED,           OTHER
 *  UNHANDLED_CRITICAL_EXTENSION,
 *  INVALID_EXTENSION, policy errors,
 *  CERT_UNTRUSTED, CERT_REJECTED, ...)
 */
#include "ossl_local.h"

#include <openssl/x509v3.h>

#include <limits.h>

plugtls_err ossl_trust_new(void **out, plugtls_error *err)
{
	X509_STORE *st;

	ERR_clear_error();
	st = X509_STORE_new();
	if (!st)
		return ossl_err(err, PLUGTLS_E_NOMEM, "trust store");
	*out = st;
	return PLUGTLS_OK;
}

void ossl_trust_free(void *trust)
{
	X509_STORE_free(trust);
}

plugtls_err ossl_trust_add_cert(void *trust, void *cert, plugtls_error *err)
{
	ERR_clear_error();
	/* Takes its own reference; a certificate already in the store is not
	 * an error (OpenSSL 3.0 answers 1). */
	if (!X509_STORE_add_cert(trust, cert))
		return ossl_err(err, PLUGTLS_E_INTERNAL,
				"trust store: adding a certificate");
	return PLUGTLS_OK;
}

plugtls_err ossl_trust_add_crl(void *trust, const unsigned char *der,
			       size_t len, plugtls_error *err)
{
	const unsigned char *p = der;
	X509_CRL *crl = NULL;
	plugtls_err rc = PLUGTLS_OK;

	if (!der || len == 0 || len > LONG_MAX)
		return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
					  "CRL: empty or too large");
	ERR_clear_error();
	crl = d2i_X509_CRL(NULL, &p, (long)len);
	if (!crl)
		return ossl_err(err, PLUGTLS_E_MALFORMED,
				"CRL: not a DER certificate revocation list");
	if (p != der + len)
		rc = plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
					"CRL: %zu bytes after the CRL",
					len - (size_t)(p - der));
	else if (!X509_STORE_add_crl(trust, crl))
		rc = ossl_err(err, PLUGTLS_E_INTERNAL,
			      "trust store: adding a CRL");
	X509_CRL_free(crl);
	return rc;
}

uint32_t ossl_verify_reason(int e)
{
	switch (e) {
	case X509_V_OK:
	/* Time: the core checks validity at the chosen time. */
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
	case X509_V_ERR_CRL_NOT_YET_VALID:
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
	case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
	/* Weak keys and digests: the core's policy. */
	case X509_V_ERR_EE_KEY_TOO_SMALL:
	case X509_V_ERR_CA_KEY_TOO_SMALL:
	case X509_V_ERR_CA_MD_TOO_WEAK:
	/* Not a verdict (ossl_verify turns it into PLUGTLS_E_NOMEM). */
	case X509_V_ERR_OUT_OF_MEM:
		return 0;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_PATH_LOOP:
	case X509_V_ERR_SUBJECT_ISSUER_MISMATCH:
	case X509_V_ERR_AKID_SKID_MISMATCH:
	case X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH:
		return PLUGTLS_VERIFY_UNKNOWN_ISSUER;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return PLUGTLS_VERIFY_SELF_SIGNED;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
	case X509_V_ERR_NO_ISSUER_PUBLIC_KEY:
	case X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM:
	case X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH:
	case X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY:
		return PLUGTLS_VERIFY_BAD_SIGNATURE;
	case X509_V_ERR_CERT_REVOKED:
		return PLUGTLS_VERIFY_REVOKED;
	case X509_V_ERR_UNABLE_TO_GET_CRL:
	case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
	case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
	case X509_V_ERR_DIFFERENT_CRL_SCOPE:
	case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
	case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
		return PLUGTLS_VERIFY_CRL_UNAVAILABLE;
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_INVALID_NON_CA:
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
	case X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED:
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
	case X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA:
	case X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN:
	case X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA:
		return PLUGTLS_VERIFY_NOT_CA;
	case X509_V_ERR_CERT_CHAIN_TOO_LONG:
		return PLUGTLS_VERIFY_CHAIN_TOO_LONG;
	case X509_V_ERR_PERMITTED_VIOLATION:
	case X509_V_ERR_EXCLUDED_VIOLATION:
	case X509_V_ERR_SUBTREE_MINMAX:
	case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
	case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
	case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
	case X509_V_ERR_PROXY_SUBJECT_NAME_VIOLATION:
		return PLUGTLS_VERIFY_NAME_CONSTRAINTS;
	case X509_V_ERR_INVALID_PURPOSE:
	case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
		return PLUGTLS_VERIFY_PURPOSE;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
	case X509_V_ERR_EMAIL_MISMATCH:
		return PLUGTLS_VERIFY_HOSTNAME;
	default:
		return PLUGTLS_VERIFY_OTHER;
	}
}

struct verify_state {
	uint32_t reasons;
	int nomem;
};

/* Carry on past every error, collecting its reason. */
static int verify_cb(int ok, X509_STORE_CTX *sctx)
{
	struct verify_state *vs = X509_STORE_CTX_get_app_data(sctx);
	int e;

	if (ok)
		return 1;
	e = X509_STORE_CTX_get_error(sctx);
	if (vs) {
		vs->reasons |= ossl_verify_reason(e);
		if (e == X509_V_ERR_OUT_OF_MEM)
			vs->nomem = 1;
	}
	return 1;
}

plugtls_err ossl_verify(void *trust, void *const *natives, size_t n,
			const plugtls_prov_verify_params *vp, uint32_t *reasons,
			plugtls_prov_chain_sink sink, void *arg,
			plugtls_error *err)
{
	X509_STORE_CTX *sctx = NULL;
	STACK_OF(X509) *untrusted = NULL;
	STACK_OF(X509) *chain;
	X509_VERIFY_PARAM *param;
	struct verify_state vs = {0, 0};
	unsigned long flags;
	int depth, ret;
	plugtls_err rc = PLUGTLS_E_INTERNAL;

	if (!trust || !natives || n == 0 || !natives[0] || !vp || !sink)
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "verify: a leaf is required");
	ERR_clear_error();
	sctx = X509_STORE_CTX_new();
	untrusted = sk_X509_new_reserve(NULL, n > 1 ? (int)(n - 1) : 1);
	if (!sctx || !untrusted) {
		rc = ossl_err(err, PLUGTLS_E_NOMEM, "verify");
		goto out;
	}
	for (size_t i = 1; i < n; i++)
		if (natives[i] && !sk_X509_push(untrusted, natives[i])) {
			rc = ossl_err(err, PLUGTLS_E_NOMEM, "verify");
			goto out;
		}
	/* The stack borrows the natives: freed with sk_X509_free only. */
	if (!X509_STORE_CTX_init(sctx, trust, natives[0], untrusted)) {
		rc = ossl_err(err, PLUGTLS_E_INTERNAL, "verify: init");
		goto out;
	}
	param = X509_STORE_CTX_get0_param(sctx);
	flags = X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME;
	if (vp->crl_mode == PLUGTLS_CRL_LEAF)
		flags |= X509_V_FLAG_CRL_CHECK;
	else if (vp->crl_mode == PLUGTLS_CRL_CHAIN)
		flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
	X509_VERIFY_PARAM_set_flags(param, flags);
	X509_VERIFY_PARAM_set_auth_level(param, 0);
	/* OpenSSL's depth counts intermediates only (leaf and anchor are
	 * free); max_depth counts both. max_depth 1 (the leaf must itself be
	 * trusted) cannot be said to OpenSSL: the length check below covers
	 * it. */
	depth = vp->max_depth > 2 ? vp->max_depth - 2 : 0;
	X509_VERIFY_PARAM_set_depth(param, depth);
	X509_STORE_CTX_set_verify_cb(sctx, verify_cb);
	X509_STORE_CTX_set_app_data(sctx, &vs);

	ret = X509_verify_cert(sctx);
	if (vs.nomem || X509_STORE_CTX_get_error(sctx) == X509_V_ERR_OUT_OF_MEM) {
		rc = ossl_err(err, PLUGTLS_E_NOMEM, "verify");
		goto out;
	}
	if (ret < 0) {
		/* Not a verdict: the call itself failed (bad arguments or an
		 * internal error). */
		rc = ossl_err(err, PLUGTLS_E_INTERNAL, "verify: %s",
			      X509_verify_cert_error_string(
				      X509_STORE_CTX_get_error(sctx)));
		goto out;
	}
	if (ret == 0 && vs.reasons == 0) {
		/* Failed without the callback saying why (should not happen
		 * while the callback returns 1): never let that pass. */
		vs.reasons |= ossl_verify_reason(
			X509_STORE_CTX_get_error(sctx));
		if (vs.reasons == 0)
			vs.reasons = PLUGTLS_VERIFY_OTHER;
	}
	ERR_clear_error();

	chain = X509_STORE_CTX_get0_chain(sctx);
	if (vp->max_depth > 0 && sk_X509_num(chain) > vp->max_depth)
		vs.reasons |= PLUGTLS_VERIFY_CHAIN_TOO_LONG;
	if (sk_X509_num(chain) > 0) {
		for (int i = 0; i < sk_X509_num(chain); i++) {
			rc = sink(arg, sk_X509_value(chain, i));
			if (rc)
				goto sink_failed;
		}
	} else {
		rc = sink(arg, natives[0]);
		if (rc)
			goto sink_failed;
	}
	*reasons = vs.reasons;
	rc = PLUGTLS_OK;
	goto out;
sink_failed:
	rc = plugtls_prov_error(err, rc, 0, "verify: reporting the chain");
out:
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(sctx);
	return rc;
}
