/*
 * wolfSSL backend: trust stores, chain verification, and the handshake's
 * verify callback.
 *
 * A trust store is a list of anchors (certificate DER) and CRLs (DER); any
 * certificate in it is an anchor. wolfSSL's certificate manager verifies one
 * certificate against the CAs loaded into it and keeps no notion of a chain
 * or of "partial chains", so the backend builds the path itself (leaf ->
 * untrusted intermediates -> anchor, trusted issuers first, subject/issuer
 * names and key identifiers as wolfSSL matches them) and then walks it from
 * the anchor down, with a certificate manager private to the call:
 *
 *   load the top of the path as a CA, then for each certificate below it:
 *   wolfSSL_CertManagerVerifyBuffer (signature, signer's path length and
 *   name constraints), revocation (wolfSSL_CertManagerCheckCRL), then load
 *   it as a CA for the next one, with the CRLs it issued.
 *
 * CAs are loaded with WOLFSSL_LOAD_FLAG_DATE_ERR_OKAY (through a temporary
 * WOLFSSL_CTX, whose loader has the flag): time is the core's, checked at the
 * chosen time; wolfSSL would compare with time() itself.
 *
 * wolfSSL error -> PLUGTLS_VERIFY_* (wolfSSL 5.5.4; verify_reason below):
 *
 *  wolfSSL code                          reason           why
 *  0 / WOLFSSL_SUCCESS                   -
 *  ASN_BEFORE_DATE_E, ASN_AFTER_DATE_E   -                time is the core's
 *  ASN_NO_SIGNER_E                       UNKNOWN_ISSUER   issuer not usable
 *                                                         (not reported when
 * the backend already found the issuer not a CA) ASN_SIG_CONFIRM_E,
 * ASN_SIG_OID_E,     BAD_SIGNATURE    signature does not ASN_SIG_HASH_E,
 * ASN_SIG_KEY_E,                         verify or cannot be SIG_VERIFY_E
 * checked ASN_PATHLEN_INV_E, ASN_PATHLEN_SIZE_E NOT_CA           path length
 *  NOT_CA_ERROR, KEYUSAGE_E              NOT_CA           issuer not a CA / no
 *                                                         keyCertSign
 *  ASN_NAME_INVALID_E                    NAME_CONSTRAINTS
 *  CRL_CERT_REVOKED                      REVOKED
 *  CRL_MISSING, ASN_CRL_CONFIRM_E,       CRL_UNAVAILABLE  no CRL that verifies
 *  ASN_CRL_NO_SIGNER_E                                    for the issuer
 *  MEMORY_E                              (error NOMEM)
 *  anything else (ASN_CRIT_EXT_E, ...)   OTHER
 *
 * Supplements (so that the verdict equals the OpenSSL provider's; wolfSSL
 * 5.5.4):
 *  - untrusted self-signed leaf: wolfSSL says ASN_NO_SIGNER_E; the backend
 *    reports SELF_SIGNED only (OpenSSL: DEPTH_ZERO_SELF_SIGNED_CERT). An
 *    untrusted self-signed certificate higher up is UNKNOWN_ISSUER
 *    (OpenSSL: SELF_SIGNED_CERT_IN_CHAIN);
 *  - issuer not a CA: wolfSSL_CertManagerLoadCABuffer loads any certificate
 *    as a "user CA" (WOLFSSL_USER_CA skips the CA:TRUE check), so the
 *    backend checks basicConstraints CA:TRUE and keyCertSign of every issuer
 *    itself (NOT_CA);
 *  - path length: wolfSSL checks only the direct signer's pathLenConstraint
 *    against the signed CA; the backend counts the intermediates under every
 *    CA as RFC 5280 6.1.4 (l), (m) and OpenSSL do (NOT_CA);
 *  - revocation of a certificate outside its validity: wolfSSL's CRL check
 *    parses the certificate with date checks and answers ASN_AFTER_DATE_E
 *    without looking at the CRL; the backend then looks the serial up itself
 *    in the CRLs wolfSSL accepted (signature verified when loaded);
 *  - depth: counted by the backend (max_depth certificates, leaf and anchor
 *    included): CHAIN_TOO_LONG.
 *  - a self-issued certificate ends the path: it is an anchor only as
 *    itself, never signed by a trusted certificate of the same name
 *    (OpenSSL 3 looks for nothing above it; wolfSSL's signer lookup by
 *    name would pick the trusted one and fail its signature).
 * Not supplemented: wolfSSL checks name constraints against the direct
 * signer only (a constraint in a root does not reach a leaf two levels
 * down); it refuses to load a CRL past its nextUpdate (time is not the
 * backend's to judge, but such a CRL is then unavailable). Both are listed
 * in NOTES.md.
 */
#include <wolfssl/options.h>

#include "wssl_int.h"

#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <string.h>

#define WSSL_MAX_PATH 64

struct wssl_blob {
	unsigned char *der;
	size_t len;
};

struct node {
	const struct wssl_cert *cert; /* borrowed */
	struct ptb_x509 x;
	bool anchor;
	bool used;
	bool is_ca;
	bool ku_set, ku_certsign;
	int path_len; /* -1: none */
	bool self_issued;
	struct ptb_tlv skid, akid; /* key identifiers; len 0: none */
	size_t anchor_idx;         /* anchors: index in the trust store */
};

static plugtls_err node_init(struct node *nd, const struct wssl_cert *c,
			     bool anchor, plugtls_error *err)
{
	unsigned ku;
	int r;

	/* Read from the DER: wolfSSL parsed it before (wssl_cert_from_der,
	 * or the handshake), and parses it again when the path is checked
	 * (wolfSSL_CertManagerVerifyBuffer); a third parse here would make
	 * its X509_NAME objects for nothing. Key identifiers are compared as
	 * they are written (wolfSSL keeps a SHA-1 of those that are not 20
	 * bytes long: equal bytes, equal hashes). */
	memset(nd, 0, sizeof(*nd));
	nd->cert = c;
	nd->anchor = anchor;
	if (ptb_x509_split(c->der, c->len, &nd->x) != 0 ||
	    ptb_x509_basic_constraints(&nd->x, &nd->is_ca, &nd->path_len) < 0 ||
	    (r = ptb_x509_key_usage(&nd->x, &ku)) < 0 ||
	    ptb_x509_keyid(&nd->x, false, &nd->skid) < 0 ||
	    ptb_x509_keyid(&nd->x, true, &nd->akid) < 0)
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "verify: malformed certificate");
	nd->ku_set = r == 1;
	nd->ku_certsign = (ku & 0x04) != 0;
	nd->self_issued = ptb_tlv_equal(&nd->x.subject, &nd->x.issuer);
	return PLUGTLS_OK;
}

/* An anchor, parsed once when added. ctx: a throw-away-style context
 * whose manager holds only this anchor, made on first use by a path of
 * leaf + this anchor without CRLs (check_path), published atomically and
 * shared by concurrent verifications (wolfSSL's manager locks its CA
 * table). */
struct wssl_anchor {
	struct wssl_cert *cert;
	struct node node;
	WOLFSSL_CTX *ctx;
};

struct wssl_trust {
	struct wssl_anchor *anchors;
	size_t n_anchors, cap_anchors;
	struct wssl_blob *crls;
	size_t n_crls, cap_crls;
};

plugtls_err wssl_trust_new(void **out, plugtls_error *err)
{
	struct wssl_trust *t = plugtls_prov_calloc(1, sizeof(*t));

	if (t == NULL)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "trust store");
	*out = t;
	return PLUGTLS_OK;
}

void wssl_trust_free(void *trust)
{
	struct wssl_trust *t = trust;

	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n_anchors; i++) {
		wssl_cert_free(t->anchors[i].cert);
		wolfSSL_CTX_free(t->anchors[i].ctx);
	}
	for (size_t i = 0; i < t->n_crls; i++)
		plugtls_prov_free(t->crls[i].der);
	plugtls_prov_free(t->anchors);
	plugtls_prov_free(t->crls);
	plugtls_prov_free(t);
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 8;
	if (nc > SIZE_MAX / elem)
		return -1;
	p = plugtls_prov_realloc(*arr, nc * elem);
	if (p == NULL)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

plugtls_err wssl_trust_add_cert(void *trust, void *native, plugtls_error *err)
{
	struct wssl_trust *t = trust;
	struct wssl_cert *c = native;
	void *copy = NULL;
	plugtls_err rc;

	struct wssl_anchor *a;

	for (size_t i = 0; i < t->n_anchors; i++)
		if (t->anchors[i].cert->len == c->len &&
		    memcmp(t->anchors[i].cert->der, c->der, c->len) == 0)
			return PLUGTLS_OK; /* already there */
	if (grow((void **)&t->anchors, &t->cap_anchors, t->n_anchors,
		 sizeof(*t->anchors)) != 0)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "trust store");
	rc = wssl_cert_from_der(c->der, c->len, &copy, err);
	if (rc != PLUGTLS_OK)
		return rc;
	a = &t->anchors[t->n_anchors];
	memset(a, 0, sizeof(*a));
	a->cert = copy;
	rc = node_init(&a->node, a->cert, true, err);
	if (rc != PLUGTLS_OK) {
		wssl_cert_free(copy);
		return rc;
	}
	a->node.anchor_idx = t->n_anchors++;
	return PLUGTLS_OK;
}

#if WSSL_HAVE_CRL
plugtls_err wssl_trust_add_crl(void *trust, const unsigned char *der,
			       size_t len, plugtls_error *err)
{
	struct wssl_trust *t = trust;
	struct wssl_crl crl;
	unsigned char *copy;

	/* Checked here for syntax; wolfSSL parses and verifies it against
	 * its issuer when a verification loads it. */
	if (der == NULL || len == 0 || wssl_crl_split(der, len, &crl) != 0)
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "CRL: not a DER certificate revocation list");
	if (grow((void **)&t->crls, &t->cap_crls, t->n_crls,
		 sizeof(*t->crls)) != 0)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "trust store");
	copy = plugtls_prov_malloc(len);
	if (copy == NULL)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "trust store");
	memcpy(copy, der, len);
	t->crls[t->n_crls].der = copy;
	t->crls[t->n_crls].len = len;
	t->n_crls++;
	return PLUGTLS_OK;
}
#endif

/* ---- chain building ------------------------------------------------------ */

/* issuer's name is cert's issuer name, and their key identifiers agree
 * when both have one (RFC 5280 4.2.1.1; wolfSSL's signer lookup). */
static bool may_issue(const struct node *issuer, const struct node *cert)
{
	if (!ptb_tlv_equal(&issuer->x.subject, &cert->x.issuer))
		return false;
	return ptb_keyids_agree(&cert->akid, &issuer->skid);
}

struct vstate {
	struct node *nodes; /* untrusted (leaf first), then anchors */
	size_t n_untrusted, n_nodes;
	struct node *path[WSSL_MAX_PATH];
	size_t len;
	bool anchored;
	uint32_t reasons;
};

static bool is_anchor_cert(const struct wssl_trust *t,
			   const struct wssl_cert *c)
{
	for (size_t i = 0; i < t->n_anchors; i++)
		if (t->anchors[i].cert->len == c->len &&
		    memcmp(t->anchors[i].cert->der, c->der, c->len) == 0)
			return true;
	return false;
}

static void build_path(struct vstate *v, int max_depth)
{
	size_t limit = max_depth > 0 && max_depth < WSSL_MAX_PATH
			       ? (size_t)max_depth
			       : WSSL_MAX_PATH;

	v->path[0] = &v->nodes[0];
	v->nodes[0].used = true;
	v->len = 1;
	for (;;) {
		struct node *cur = v->path[v->len - 1], *next = NULL;

		if (cur->anchor) {
			v->anchored = true;
			return;
		}
		if (v->len >= limit) {
			v->reasons |= PLUGTLS_VERIFY_CHAIN_TOO_LONG;
			return;
		}
		/* A self-issued certificate is an anchor only as itself
		 * (cur->anchor above): nothing is looked for above it, as in
		 * OpenSSL 3, not even a trusted certificate of the same name
		 * (whose signature check would then fail). */
		if (may_issue(cur, cur)) {
			v->reasons |= v->len == 1
					      ? PLUGTLS_VERIFY_SELF_SIGNED
					      : PLUGTLS_VERIFY_UNKNOWN_ISSUER;
			return;
		}
		/* Trusted issuers first (as OpenSSL's TRUSTED_FIRST), then
		 * the certificates the peer sent. */
		for (size_t i = v->n_untrusted; i < v->n_nodes && !next; i++)
			if (may_issue(&v->nodes[i], cur) && &v->nodes[i] != cur)
				next = &v->nodes[i];
		for (size_t i = 0; i < v->n_untrusted && !next; i++)
			if (!v->nodes[i].used && may_issue(&v->nodes[i], cur))
				next = &v->nodes[i];
		if (next == NULL) {
			v->reasons |= cur->self_issued && v->len == 1
					      ? PLUGTLS_VERIFY_SELF_SIGNED
					      : PLUGTLS_VERIFY_UNKNOWN_ISSUER;
			return;
		}
		next->used = true;
		v->path[v->len++] = next;
	}
}

/* ---- checks along the path ----------------------------------------------- */

static uint32_t verify_reason(int e)
{
	switch (e) {
	case 0:
	case WOLFSSL_SUCCESS:
	case ASN_BEFORE_DATE_E:
	case ASN_AFTER_DATE_E: return 0;
	case ASN_NO_SIGNER_E: return PLUGTLS_VERIFY_UNKNOWN_ISSUER;
	case ASN_SIG_CONFIRM_E:
	case ASN_SIG_OID_E:
	case ASN_SIG_HASH_E:
	case ASN_SIG_KEY_E:
	case SIG_VERIFY_E: return PLUGTLS_VERIFY_BAD_SIGNATURE;
	case ASN_PATHLEN_INV_E:
	case ASN_PATHLEN_SIZE_E:
	case NOT_CA_ERROR:
	case KEYUSAGE_E: return PLUGTLS_VERIFY_NOT_CA;
	case ASN_NAME_INVALID_E: return PLUGTLS_VERIFY_NAME_CONSTRAINTS;
	case CRL_CERT_REVOKED: return PLUGTLS_VERIFY_REVOKED;
	case CRL_MISSING:
	case ASN_CRL_CONFIRM_E:
	case ASN_CRL_NO_SIGNER_E: return PLUGTLS_VERIFY_CRL_UNAVAILABLE;
	default: return PLUGTLS_VERIFY_OTHER;
	}
}

/* The issuer constraints OpenSSL checks in check_chain_extensions(), for
 * the issuer at path index j (RFC 5280 6.1.4 (k), (l), (m), (n)). */
static uint32_t issuer_checks(const struct vstate *v, size_t j)
{
	const struct node *is = v->path[j];
	size_t below = 0;

	if (!is->is_ca)
		return PLUGTLS_VERIFY_NOT_CA;
	if (is->ku_set && !is->ku_certsign)
		return PLUGTLS_VERIFY_NOT_CA;
	if (is->path_len >= 0) {
		/* Non-self-issued intermediates between it and the leaf. */
		for (size_t m = 1; m < j; m++)
			if (!v->path[m]->self_issued)
				below++;
		if (below > (size_t)is->path_len)
			return PLUGTLS_VERIFY_NOT_CA;
	}
	return 0;
}

struct crlstate {
	const struct wssl_trust *t;
	bool *loaded; /* per CRL: accepted by wolfSSL (signature verified) */
	struct wssl_crl *parsed;
};

/* Load the CRLs issued by ca (its subject) into the manager; wolfSSL
 * verifies their signatures against the CAs loaded so far. */
static void load_crls_of(WOLFSSL_CERT_MANAGER *cm, struct crlstate *cs,
			 const struct node *ca)
{
	for (size_t i = 0; i < cs->t->n_crls; i++) {
		if (cs->loaded[i] ||
		    !ptb_tlv_equal(&cs->parsed[i].issuer, &ca->x.subject))
			continue;
		if (wolfSSL_CertManagerLoadCRLBuffer(
			    cm, cs->t->crls[i].der, (long)cs->t->crls[i].len,
			    WOLFSSL_FILETYPE_ASN1) == WOLFSSL_SUCCESS)
			cs->loaded[i] = true;
	}
}

/* Revocation of path[i] by the CRLs of its issuer. */
static uint32_t crl_check(WOLFSSL_CERT_MANAGER *cm, struct crlstate *cs,
			  const struct node *nd)
{
	bool have = false;
	int ret;

	for (size_t i = 0; i < cs->t->n_crls; i++)
		if (cs->loaded[i] &&
		    ptb_tlv_equal(&cs->parsed[i].issuer, &nd->x.issuer))
			have = true;
	if (!have)
		return PLUGTLS_VERIFY_CRL_UNAVAILABLE;
	ret = wolfSSL_CertManagerCheckCRL(cm, nd->cert->der,
					  (int)nd->cert->len);
	if (ret == ASN_BEFORE_DATE_E || ret == ASN_AFTER_DATE_E) {
		/* wolfSSL 5.5.4 does not look at the CRL for a certificate
		 * outside its validity (see the top of the file). */
		for (size_t i = 0; i < cs->t->n_crls; i++) {
			if (!cs->loaded[i] ||
			    !ptb_tlv_equal(&cs->parsed[i].issuer,
					   &nd->x.issuer))
				continue;
			int r = wssl_crl_lists(&cs->parsed[i], &nd->x.serial);

			if (r != 0)
				return r > 0 ? PLUGTLS_VERIFY_REVOKED
					     : PLUGTLS_VERIFY_CRL_UNAVAILABLE;
		}
		return 0;
	}
	return verify_reason(ret);
}

/* Load a CA into the call's manager, dates not judged. */
static int load_ca(WOLFSSL_CTX *tmp, const struct node *nd)
{
	return wolfSSL_CTX_load_verify_buffer_ex(
		tmp, nd->cert->der, (long)nd->cert->len, WOLFSSL_FILETYPE_ASN1,
		0, WOLFSSL_LOAD_FLAG_DATE_ERR_OKAY);
}

/* The anchor's shared context (struct wssl_anchor), made on first use;
 * NULL when it cannot be made (check_path then does it the long way and
 * reports why). */
static WOLFSSL_CTX *anchor_ctx(const struct wssl_trust *t, size_t idx)
{
	struct wssl_anchor *a = (struct wssl_anchor *)&t->anchors[idx];
	WOLFSSL_CTX *c = __atomic_load_n(&a->ctx, __ATOMIC_ACQUIRE);
	WOLFSSL_CTX *expected = NULL;

	if (c)
		return c;
	c = wolfSSL_CTX_new(wolfSSLv23_client_method());
	if (c == NULL)
		return NULL;
	if (load_ca(c, &a->node) != WOLFSSL_SUCCESS) {
		wolfSSL_CTX_free(c);
		return NULL;
	}
	if (!__atomic_compare_exchange_n(&a->ctx, &expected, c, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		wolfSSL_CTX_free(c); /* another thread's is in place */
		c = expected;
	}
	return c;
}

static plugtls_err check_path(struct vstate *v, const struct wssl_trust *t,
			      const plugtls_prov_verify_params *vp,
			      plugtls_error *err)
{
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	WOLFSSL_CTX *tmp = NULL, *shared = NULL;
	WOLFSSL_CERT_MANAGER *cm;
	struct crlstate cs = {t, NULL, NULL};
	size_t top = v->len - 1;
	bool crl = vp->crl_mode != PLUGTLS_CRL_NONE;
	int ret;

	if (v->len == 1) {
		/* A lone certificate: trusted itself, or already judged. A
		 * trusted leaf not issued by itself still needs its issuer's
		 * CRL, which cannot be verified here. */
		if (crl && v->anchored && !v->path[0]->self_issued)
			v->reasons |= PLUGTLS_VERIFY_CRL_UNAVAILABLE;
		return PLUGTLS_OK;
	}
	/* A leaf right under an anchor, no CRL to load: the anchor's shared
	 * context, whose manager holds that anchor only. */
	if (v->len == 2 && v->path[top]->anchor && !(crl && t->n_crls)) {
		shared = anchor_ctx(t, v->path[top]->anchor_idx);
		cm = shared ? wolfSSL_CTX_GetCertManager(shared) : NULL;
		if (cm) {
			tmp = shared;
			goto walk;
		}
	}
	/* The manager of a throw-away WOLFSSL_CTX: its CA loader takes the
	 * DATE_ERR_OKAY flag, the manager's own does not. */
	tmp = wolfSSL_CTX_new(wolfSSLv23_client_method());
	if (tmp == NULL)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "verify");
	cm = wolfSSL_CTX_GetCertManager(tmp);
	if (cm == NULL) {
		rc = wssl_error(err, PLUGTLS_E_INTERNAL, 0, "verify: manager");
		goto out;
	}
	if (crl && t->n_crls) {
		cs.loaded = plugtls_prov_calloc(t->n_crls, sizeof(bool));
		cs.parsed = plugtls_prov_calloc(t->n_crls, sizeof(*cs.parsed));
		if (cs.loaded == NULL || cs.parsed == NULL) {
			rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "verify");
			goto out;
		}
		for (size_t i = 0; i < t->n_crls; i++)
			if (wssl_crl_split(t->crls[i].der, t->crls[i].len,
					   &cs.parsed[i]) != 0) {
				rc = wssl_error(err, PLUGTLS_E_MALFORMED, 0,
						"verify: CRL");
				goto out;
			}
	}
	if (cs.loaded &&
	    wolfSSL_CertManagerEnableCRL(cm, 0) != WOLFSSL_SUCCESS) {
		rc = wssl_error(err, PLUGTLS_E_INTERNAL, 0, "verify: CRL");
		goto out;
	}
	ret = load_ca(tmp, v->path[top]);
	if (ret != WOLFSSL_SUCCESS) {
		if (ret == MEMORY_E) {
			rc = wssl_error(err, PLUGTLS_E_NOMEM, ret, "verify");
			goto out;
		}
		/* wolfSSL cannot use it as an issuer (e.g. an unsupported
		 * key): nothing below it verifies. */
		v->reasons |= PLUGTLS_VERIFY_OTHER;
		rc = PLUGTLS_OK;
		goto out;
	}
	if (cs.loaded)
		load_crls_of(cm, &cs, v->path[top]);
	/* The top, when it is not a self-issued root, is covered by a CRL of
	 * an issuer that is not in the path: in chain mode that is "no CRL".
	 * A self-issued top is the root, which no CRL covers. */
walk:
	if (crl && vp->crl_mode == PLUGTLS_CRL_CHAIN &&
	    !v->path[top]->self_issued)
		v->reasons |= PLUGTLS_VERIFY_CRL_UNAVAILABLE;

	for (size_t i = top; i-- > 0;) {
		struct node *nd = v->path[i];
		uint32_t issuer_bad = issuer_checks(v, i + 1);
		uint32_t r;

		v->reasons |= issuer_bad;
		/* The CRL check is wolfSSL_CertManagerCheckCRL, below. */
		if (cs.loaded)
			wolfSSL_CertManagerDisableCRL(cm);
		ret = wolfSSL_CertManagerVerifyBuffer(cm, nd->cert->der,
						      (long)nd->cert->len,
						      WOLFSSL_FILETYPE_ASN1);
		if (cs.loaded)
			wolfSSL_CertManagerEnableCRL(cm, 0);
		if (ret == MEMORY_E) {
			rc = wssl_error(err, PLUGTLS_E_NOMEM, ret, "verify");
			goto out;
		}
		r = verify_reason(ret);
		/* wolfSSL's own view of a bad issuer (path length of the
		 * direct signer, key usage) is already in issuer_bad. */
		if (issuer_bad && (r == PLUGTLS_VERIFY_UNKNOWN_ISSUER ||
				   r == PLUGTLS_VERIFY_NOT_CA))
			r = 0;
		v->reasons |= r;
		if (crl && (vp->crl_mode == PLUGTLS_CRL_CHAIN || i == 0))
			v->reasons |= crl_check(cm, &cs, nd);
		if (i > 0) {
			ret = load_ca(tmp, nd);
			if (ret == MEMORY_E) {
				rc = wssl_error(err, PLUGTLS_E_NOMEM, ret,
						"verify");
				goto out;
			}
			if (ret != WOLFSSL_SUCCESS)
				v->reasons |= PLUGTLS_VERIFY_OTHER;
			else if (cs.loaded)
				load_crls_of(cm, &cs, nd);
		}
	}
	rc = PLUGTLS_OK;
out:
	plugtls_prov_free(cs.loaded);
	plugtls_prov_free(cs.parsed);
	if (tmp != shared)
		wolfSSL_CTX_free(tmp);
	return rc;
}

plugtls_err wssl_verify(void *trust, void *const *natives, size_t n,
			const plugtls_prov_verify_params *vp, uint32_t *reasons,
			plugtls_prov_chain_sink sink, void *arg,
			plugtls_error *err)
{
	struct wssl_trust *t = trust;
	struct vstate v;
	plugtls_err rc = PLUGTLS_E_INTERNAL;

	if (t == NULL || natives == NULL || n == 0 || natives[0] == NULL ||
	    vp == NULL || sink == NULL || reasons == NULL)
		return wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "verify: a leaf is required");
	if (n > 1000)
		return wssl_error(err, PLUGTLS_E_TOO_LARGE, 0,
				  "verify: %zu certificates", n);
	wssl_thread_note();
	memset(&v, 0, sizeof(v));
	v.n_untrusted = n;
	v.n_nodes = n + t->n_anchors;
	v.nodes = plugtls_prov_calloc(v.n_nodes, sizeof(*v.nodes));
	if (v.nodes == NULL)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "verify");
	for (size_t i = 0; i < n; i++) {
		const struct wssl_cert *c = natives[i];

		if (c == NULL) {
			rc = wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					"verify: NULL certificate");
			goto out;
		}
		rc = node_init(&v.nodes[i], c, is_anchor_cert(t, c), err);
		if (rc != PLUGTLS_OK)
			goto out;
	}
	for (size_t i = 0; i < t->n_anchors; i++)
		v.nodes[n + i] = t->anchors[i].node;
	build_path(&v, vp->max_depth);
	rc = check_path(&v, t, vp, err);
	if (rc != PLUGTLS_OK)
		goto out;
	for (size_t i = 0; i < v.len; i++) {
		/* Borrowed natives; the sink copies what it keeps. */
		rc = sink(arg, (void *)v.path[i]->cert);
		if (rc != PLUGTLS_OK) {
			rc = wssl_error(err, rc, 0,
					"verify: reporting the chain");
			goto out;
		}
	}
	*reasons = v.reasons;
	rc = PLUGTLS_OK;
out:
	plugtls_prov_free(v.nodes);
	return rc;
}

/* ---- the handshake's verify callback --------------------------------------
 */

/*
 * Called by wolfSSL for every certificate of the peer's chain (Debian's
 * build: WOLFSSL_ALWAYS_VERIFY_CB and WOLFSSL_VERIFY_CB_ALL_CERTS), from the
 * top down, with wolfSSL's own opinion in preverify. wolfSSL's store in the
 * context is empty, so that opinion is "no signer" and is overridden: the
 * core judges the whole chain once, when the leaf (depth 0) is reached, with
 * the DER of every certificate the peer sent (store->certs, leaf first),
 * through plugtls_prov_verify_peer (which calls cert.verify on the trust
 * store the core built). Its answer is the callback's: returning 0 makes
 * wolfSSL abort with a bad_certificate alert.
 */
int wssl_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
	struct wssl_conn *c;
	struct wssl_cert *certs = NULL;
	void **natives = NULL;
	size_t n;
	plugtls_err rc;

	(void)preverify;
	if (store == NULL || (c = store->userCtx) == NULL)
		return 0; /* fail closed */
	if (store->error_depth > 0 && !c->hook_called)
		return 1;
	if (c->hook_called)
		return c->hook_rc == PLUGTLS_OK;
	n = store->totalCerts > 0 && store->certs ? (size_t)store->totalCerts
						  : 0;
	if (n > 0) {
		certs = plugtls_prov_calloc(n, sizeof(*certs));
		natives = plugtls_prov_calloc(n, sizeof(*natives));
		if (certs == NULL || natives == NULL) {
			c->hook_called = true;
			c->hook_rc = PLUGTLS_E_NOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			wssl_cert_borrow(&certs[i], store->certs[i].buffer,
					 store->certs[i].length);
			natives[i] = &certs[i];
		}
	}
	rc = plugtls_prov_verify_peer(c->core, natives, n);
	c->hook_called = true;
	c->hook_rc = rc;
out:
	plugtls_prov_free(certs);
	plugtls_prov_free(natives);
	return c->hook_rc == PLUGTLS_OK;
}
