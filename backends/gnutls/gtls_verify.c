/*
 * GnuTLS provider: the trust store and chain verification.
 *
 * Division of labour (provider.h, plugtls_prov_verify_params): this file
 * builds the chain and checks signatures, basic constraints and path
 * length, key usage of issuers, name constraints, revocation per crl_mode,
 * and depth. It never rejects for time, EKU, host name or weak algorithms:
 * the core checks those on the chain reported through the sink.
 *
 * How:
 *  1. The chain is built here, the way OpenSSL 3 builds it (trusted-first,
 *     partial chains allowed): from the leaf, at each step an issuer is
 *     looked for in the trust store first, then among the untrusted
 *     certificates; any certificate of the trust store is an anchor, and
 *     a leaf that is itself in the store is trusted as it is; a
 *     self-issued certificate (the same Name bytes as subject and issuer)
 *     ends the chain. Issuers are matched as
 *     GnuTLS's is_issuer() matches them, on names read once from the DER
 *     (struct gtls_names).
 *  2. GnuTLS checks that chain with gnutls_x509_trust_list_verify_crt2()
 *     against a one-certificate trust list holding the chosen anchor, with
 *     time checks and CRL checks off and every signature algorithm allowed
 *     (GnuTLS 3.7 would otherwise refuse SHA-1 and keys below its
 *     "medium" profile: the core decides about weak algorithms).
 *  3. The status bits are mapped (table below), and what GnuTLS reports
 *     differently is supplemented: self-signed leaves, the cause of
 *     GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, revocation per crl_mode and
 *     missing CRLs, and chain length.
 */
#include "gtls_int.h"
#include "ptb_der.h"

#include <string.h>

/* The longest chain ever built (plugtls caps max_depth at 64). */
#define GTLS_CHAIN_MAX 66

/* What chain building compares of a certificate, as GnuTLS's is_issuer()
 * compares it (lib/x509/verify.c, 3.7.9), read from the DER once: the raw
 * subject and issuer Names; their gnutls_x509_rdn_get2() strings, which
 * GnuTLS compares when the bytes differ (_gnutls_x509_compare_raw_dn);
 * and the key identifiers (a certificate without an authority key
 * identifier, or an issuer without a subject key identifier, matches on
 * names alone). gnutls_x509_crt_check_issuer() decodes the key identifiers
 * through libtasn1 on every call and formats both names for every CA
 * whose name bytes differ: with a system trust store, hundreds of
 * formatted names per handshake. */
struct gtls_names {
	gnutls_datum_t der;             /* owned (gnutls_x509_crt_export2) */
	struct ptb_tlv subject, issuer; /* Name TLVs in der */
	struct ptb_tlv skid, akid;      /* key identifiers; len 0: none */
	gnutls_datum_t str[2];          /* rdn_get2 of subject, issuer */
	signed char str_state[2];       /* 0 not yet, 1 made, -1 failed */
};

/* An anchor: our copy, and its names (subject string made when added). */
struct gtls_ca {
	gnutls_x509_crt_t crt;
	struct gtls_names names;
};

struct gtls_trust {
	gnutls_x509_trust_list_t tl; /* holds its own copies */
	struct gtls_ca *cas;
	size_t n_cas, cap_cas;
	gnutls_x509_crl_t *crls;
	size_t n_crls, cap_crls;
};

plugtls_err gtls_trust_new(void **out, plugtls_error *err)
{
	struct gtls_trust *t;
	int ret;

	t = plugtls_prov_calloc(1, sizeof(*t));
	if (!t)
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					  "gnutls: out of memory");
	ret = gnutls_x509_trust_list_init(&t->tl, 0);
	if (ret < 0) {
		plugtls_prov_free(t);
		return gtls_error(err, PLUGTLS_E_NOMEM, ret,
				  "x509_trust_list_init");
	}
	*out = t;
	return PLUGTLS_OK;
}

#define GTLS_SUBJECT 0
#define GTLS_ISSUER 1

static void names_free(struct gtls_names *nm)
{
	gnutls_free(nm->der.data);
	gnutls_free(nm->str[0].data);
	gnutls_free(nm->str[1].data);
	memset(nm, 0, sizeof(*nm));
}

/* A key identifier, empty when absent, malformed or longer than GnuTLS
 * reads (128 bytes): its getters then fail, and is_issuer() matches on
 * names alone. */
static void names_keyid(const struct ptb_x509 *x, bool authority,
			struct ptb_tlv *out)
{
	if (ptb_x509_keyid(x, authority, out) != 1 || out->len > 128)
		memset(out, 0, sizeof(*out));
}

/* 0, or a GnuTLS error code. */
static int names_init(gnutls_x509_crt_t crt, struct gtls_names *nm)
{
	struct ptb_x509 x;
	int ret;

	memset(nm, 0, sizeof(*nm));
	ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &nm->der);
	if (ret < 0)
		return ret;
	if (ptb_x509_split(nm->der.data, nm->der.size, &x) != 0) {
		names_free(nm);
		return GNUTLS_E_ASN1_DER_ERROR;
	}
	nm->subject = x.subject;
	nm->issuer = x.issuer;
	names_keyid(&x, false, &nm->skid);
	names_keyid(&x, true, &nm->akid);
	return 0;
}

/* The rdn_get2 string of a name, made on first use: false when GnuTLS
 * cannot make it (is_issuer() then finds no match). */
static bool names_str(struct gtls_names *nm, int which)
{
	if (nm->str_state[which] == 0) {
		const struct ptb_tlv *n = which ? &nm->issuer : &nm->subject;
		gnutls_datum_t raw = {(unsigned char *)n->hdr,
				      (unsigned)n->total};

		nm->str_state[which] =
			gnutls_x509_rdn_get2(&raw, &nm->str[which], 0) < 0 ? -1
									   : 1;
	}
	return nm->str_state[which] > 0;
}

/* GnuTLS's is_issuer(c, is). is's subject string must already be made
 * when is is shared (a trust store's: made when added). */
static bool names_issued(struct gtls_names *c, struct gtls_names *is)
{
	if (!ptb_tlv_equal(&c->issuer, &is->subject)) {
		if (!names_str(c, GTLS_ISSUER) || !names_str(is, GTLS_SUBJECT))
			return false;
		if (c->str[GTLS_ISSUER].size != is->str[GTLS_SUBJECT].size ||
		    memcmp(c->str[GTLS_ISSUER].data, is->str[GTLS_SUBJECT].data,
			   c->str[GTLS_ISSUER].size) != 0)
			return false;
	}
	return ptb_keyids_agree(&c->akid, &is->skid);
}

/* Self-issued, for ending a chain: the same Name bytes as issuer and
 * subject, and key identifiers that agree. (names_issued(nm, nm) would
 * also format both names whenever their bytes differ, i.e. for nearly
 * every certificate.) */
static bool names_self_issued(const struct gtls_names *nm)
{
	return ptb_tlv_equal(&nm->subject, &nm->issuer) &&
	       ptb_keyids_agree(&nm->akid, &nm->skid);
}

static bool names_same(const struct gtls_names *a, const struct gtls_names *b)
{
	return a->der.size == b->der.size &&
	       memcmp(a->der.data, b->der.data, a->der.size) == 0;
}

void gtls_trust_free(void *trust)
{
	struct gtls_trust *t = trust;

	if (!t)
		return;
	/* all = 1: the list frees the copies it was given. */
	gnutls_x509_trust_list_deinit(t->tl, 1);
	for (size_t i = 0; i < t->n_cas; i++) {
		gnutls_x509_crt_deinit(t->cas[i].crt);
		names_free(&t->cas[i].names);
	}
	for (size_t i = 0; i < t->n_crls; i++)
		gnutls_x509_crl_deinit(t->crls[i]);
	plugtls_prov_free(t->cas);
	plugtls_prov_free(t->crls);
	plugtls_prov_free(t);
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / elem)
		return -1;
	p = plugtls_prov_realloc(*arr, ncap * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

plugtls_err gtls_trust_add_cert(void *trust, void *cert, plugtls_error *err)
{
	struct gtls_trust *t = trust;
	gnutls_x509_crt_t mine = NULL, listed = NULL;
	plugtls_err rc;
	int ret;

	struct gtls_names nm;

	if (grow((void **)&t->cas, &t->cap_cas, t->n_cas, sizeof(*t->cas)) < 0)
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					  "gnutls: out of memory");
	ret = names_init(cert, &nm);
	if (ret < 0)
		return gtls_error(err, PLUGTLS_E_MALFORMED, ret, "read CA");
	/* Made now: verifications read a store from many threads. */
	(void)names_str(&nm, GTLS_SUBJECT);
	ret = gtls_crt_dup(cert, &mine);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_MALFORMED, ret, "copy CA");
		goto out;
	}
	ret = gtls_crt_dup(cert, &listed);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_MALFORMED, ret, "copy CA");
		goto out;
	}
	/* The trust list takes ownership of what it is given; no
	 * GNUTLS_TL_NO_DUPLICATES (it would deinit duplicates behind our
	 * back). */
	ret = gnutls_x509_trust_list_add_cas(t->tl, &listed, 1, 0);
	/* It returns how many it took: 0, not an error code, when its
	 * allocation failed (GnuTLS 3.7.9); the certificate stays ours. */
	if (ret == 0)
		ret = GNUTLS_E_MEMORY_ERROR;
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret, "add CA");
		goto out;
	}
	listed = NULL;
	t->cas[t->n_cas].names = nm;
	memset(&nm, 0, sizeof(nm));
	t->cas[t->n_cas++].crt = mine;
	mine = NULL;
	rc = PLUGTLS_OK;
out:
	names_free(&nm);
	if (listed)
		gnutls_x509_crt_deinit(listed);
	if (mine)
		gnutls_x509_crt_deinit(mine);
	return rc;
}

plugtls_err gtls_trust_add_crl(void *trust, const unsigned char *der,
			       size_t len, plugtls_error *err)
{
	struct gtls_trust *t = trust;
	gnutls_x509_crl_t crl = NULL;
	gnutls_datum_t d;
	plugtls_err rc;
	int ret;

	if (len > UINT32_MAX)
		return plugtls_prov_error(err, PLUGTLS_E_TOO_LARGE, 0,
					  "gnutls: CRL too large");
	if (grow((void **)&t->crls, &t->cap_crls, t->n_crls, sizeof(*t->crls)) <
	    0)
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					  "gnutls: out of memory");
	ret = gnutls_x509_crl_init(&crl);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_NOMEM, ret, "x509_crl_init");
		goto out;
	}
	d.data = (unsigned char *)der;
	d.size = (unsigned)len;
	ret = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_MALFORMED, ret, "parse CRL");
		goto out;
	}
	t->crls[t->n_crls++] = crl;
	crl = NULL;
	rc = PLUGTLS_OK;
out:
	if (crl)
		gnutls_x509_crl_deinit(crl);
	return rc;
}

/* ---- chain building --------------------------------------------------- */

static bool self_issued(gnutls_x509_crt_t c)
{
	/* Name (and, when present, key identifiers) of issuer and subject
	 * agree: OpenSSL's X509_check_issued(x, x). */
	return gnutls_x509_crt_check_issuer(c, c) != 0;
}

/* Index of the trust store's copy of the certificate nm, or of an issuer
 * of nm in the store (is_issuer); -1 when none. */
static long trust_find(const struct gtls_trust *t, struct gtls_names *nm,
		       bool issuer)
{
	for (size_t i = 0; t && i < t->n_cas; i++) {
		/* Not written: a store's subject strings are made when the
		 * certificate is added (gtls_trust_add_cert). */
		struct gtls_names *ca = (struct gtls_names *)&t->cas[i].names;
		if (issuer ? names_issued(nm, ca) : names_same(nm, ca))
			return (long)i;
	}
	return -1;
}

/* Builds chain[0..*len-1] from natives (nn[i]: the names of natives[i]);
 * *anchored when its last element is an anchor of t. */
static void build_chain(const struct gtls_trust *t, void *const *natives,
			struct gtls_names *nn, size_t n,
			gnutls_x509_crt_t *chain, size_t *len, bool *anchored)
{
	size_t l = 1, at[GTLS_CHAIN_MAX]; /* at[k]: index in natives */
	long ca;

	chain[0] = natives[0];
	at[0] = 0;
	*anchored = trust_find(t, &nn[0], false) >= 0;
	while (!*anchored && l < GTLS_CHAIN_MAX) {
		struct gtls_names *cur = &nn[at[l - 1]];
		size_t next = 0;

		/* A self-issued certificate is an anchor only as itself
		 * (checked above for the leaf, and by trusted-first below
		 * for the others): nothing is looked for above it, as in
		 * OpenSSL 3, not even a trusted certificate of the same
		 * name. */
		if (names_self_issued(cur))
			break;
		/* Trusted first (OpenSSL's X509_V_FLAG_TRUSTED_FIRST). */
		ca = trust_find(t, cur, true);
		if (ca >= 0) {
			if (!names_same(&t->cas[ca].names, cur))
				chain[l++] = t->cas[ca].crt;
			*anchored = true;
			break;
		}
		for (size_t i = 1; i < n && !next; i++) {
			bool used = false;
			for (size_t k = 0; k < l && !used; k++)
				used = names_same(&nn[at[k]], &nn[i]);
			if (!used && names_issued(cur, &nn[i]))
				next = i;
		}
		if (!next)
			break;
		at[l] = next;
		chain[l++] = natives[next];
	}
	*len = l;
}

/* ---- status mapping --------------------------------------------------- */

/*
 * gnutls_certificate_status_t -> PLUGTLS_VERIFY_*, for
 * gnutls_x509_trust_list_verify_crt2() run with time, CRL and algorithm
 * checks off and no purpose or host name (GnuTLS 3.7.9):
 *
 *   GNUTLS_CERT_INVALID                      summary bit; alone -> OTHER
 *   GNUTLS_CERT_REVOKED                      REVOKED (not raised: CRL
 *                                            checks are done below)
 *   GNUTLS_CERT_SIGNER_NOT_FOUND             UNKNOWN_ISSUER (SELF_SIGNED
 *                                            for a lone self-issued leaf)
 *   GNUTLS_CERT_SIGNER_NOT_CA                NOT_CA
 *   GNUTLS_CERT_INSECURE_ALGORITHM           ignored: the core decides
 *   GNUTLS_CERT_NOT_ACTIVATED                ignored: the core checks time
 *   GNUTLS_CERT_EXPIRED                      ignored: the core checks time
 *   GNUTLS_CERT_SIGNATURE_FAILURE            BAD_SIGNATURE
 *   GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED   ignored (CRL time)
 *   GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE  ignored (CRL time)
 *   GNUTLS_CERT_UNEXPECTED_OWNER             HOSTNAME (not raised: no host
 *                                            is given to GnuTLS)
 *   GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE   path length or key usage of an
 *                                            issuer -> NOT_CA; otherwise
 *                                            name constraints ->
 *                                            NAME_CONSTRAINTS (GnuTLS uses
 *                                            this one bit for all three;
 *                                            see constraint_cause())
 *   GNUTLS_CERT_MISMATCH                     OTHER (TOFU; not raised)
 *   GNUTLS_CERT_PURPOSE_MISMATCH             ignored: the core checks EKU
 *   GNUTLS_CERT_MISSING_OCSP_STATUS          ignored (no OCSP in plugtls)
 *   GNUTLS_CERT_INVALID_OCSP_STATUS          ignored (no OCSP in plugtls)
 *   GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS      OTHER (OpenSSL:
 *                                            X509_V_ERR_UNHANDLED_CRITICAL_
 *                                            EXTENSION)
 */
static const struct {
	unsigned gnutls;
	uint32_t plugtls;
} status_map[] = {
	{GNUTLS_CERT_REVOKED, PLUGTLS_VERIFY_REVOKED},
	{GNUTLS_CERT_SIGNER_NOT_FOUND, PLUGTLS_VERIFY_UNKNOWN_ISSUER},
	{GNUTLS_CERT_SIGNER_NOT_CA, PLUGTLS_VERIFY_NOT_CA},
	{GNUTLS_CERT_INSECURE_ALGORITHM, 0},
	{GNUTLS_CERT_NOT_ACTIVATED, 0},
	{GNUTLS_CERT_EXPIRED, 0},
	{GNUTLS_CERT_SIGNATURE_FAILURE, PLUGTLS_VERIFY_BAD_SIGNATURE},
	{GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED, 0},
	{GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE, 0},
	{GNUTLS_CERT_UNEXPECTED_OWNER, PLUGTLS_VERIFY_HOSTNAME},
	{GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, 0}, /* constraint_cause() */
	{GNUTLS_CERT_MISMATCH, PLUGTLS_VERIFY_OTHER},
	{GNUTLS_CERT_PURPOSE_MISMATCH, 0},
	{GNUTLS_CERT_MISSING_OCSP_STATUS, 0},
	{GNUTLS_CERT_INVALID_OCSP_STATUS, 0},
	{GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, PLUGTLS_VERIFY_OTHER},
};

static uint32_t map_status(unsigned status)
{
	uint32_t r = 0;
	unsigned known = GNUTLS_CERT_INVALID;

	for (size_t i = 0; i < sizeof(status_map) / sizeof(status_map[0]);
	     i++) {
		known |= status_map[i].gnutls;
		if (status & status_map[i].gnutls)
			r |= status_map[i].plugtls;
	}
	/* A bit a later GnuTLS adds that this table does not know. */
	if (status & ~known)
		r |= PLUGTLS_VERIFY_OTHER;
	return r;
}

/* Path length and keyCertSign of each issuer on the chain (chain[i+1]
 * issued chain[i]), as RFC 5280 6.1.4 counts them: self-issued
 * intermediates do not count against pathLenConstraint. */
static bool issuer_constraints_broken(gnutls_x509_crt_t *chain, size_t len)
{
	for (size_t j = 1; j < len; j++) {
		unsigned critical = 0, ca = 0, usage = 0;
		int pathlen = -1, ret;

		ret = gnutls_x509_crt_get_key_usage(chain[j], &usage,
						    &critical);
		if (ret >= 0 && !(usage & GNUTLS_KEY_KEY_CERT_SIGN))
			return true;
		ret = gnutls_x509_crt_get_basic_constraints(chain[j], &critical,
							    &ca, &pathlen);
		if (ret < 0 || !ca || pathlen < 0)
			continue;
		/* Non-self-issued CA certificates between chain[j] and the
		 * leaf (the leaf itself does not count). */
		size_t below = 0;
		for (size_t k = 1; k < j; k++)
			if (!self_issued(chain[k]))
				below++;
		if (below > (size_t)pathlen)
			return true;
	}
	return false;
}

/* Revocation per crl_mode, done here rather than by GnuTLS because GnuTLS
 * checks every certificate against whatever CRLs it holds and never says
 * that a CRL is missing; OpenSSL (X509_V_FLAG_CRL_CHECK[_ALL]) checks the
 * leaf only, or every certificate, and reports a missing CRL
 * (X509_V_ERR_UNABLE_TO_GET_CRL). CRL validity times are not checked
 * (provider.h: the backend must not reject for time). */
static uint32_t check_crls(const struct gtls_trust *t, gnutls_x509_crt_t *chain,
			   size_t len, plugtls_crl_mode mode)
{
	uint32_t r = 0;
	size_t last;

	if (mode == PLUGTLS_CRL_NONE || len < 2)
		return 0;
	last = mode == PLUGTLS_CRL_LEAF ? 0 : len - 2;
	for (size_t i = 0; i <= last; i++) {
		gnutls_x509_crt_t issuer = chain[i + 1];
		bool found = false;

		for (size_t k = 0; t && k < t->n_crls; k++) {
			gnutls_x509_crl_t crl = t->crls[k];
			unsigned vst = 0;

			if (!gnutls_x509_crl_check_issuer(crl, issuer))
				continue;
			if (gnutls_x509_crl_verify(
				    crl, &issuer, 1,
				    GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
					    GNUTLS_VERIFY_ALLOW_BROKEN |
					    GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1,
				    &vst) < 0 ||
			    (vst & (GNUTLS_CERT_SIGNATURE_FAILURE |
				    GNUTLS_CERT_SIGNER_NOT_FOUND))) {
				/* A CRL that its issuer did not sign is no
				 * CRL for that issuer. */
				continue;
			}
			found = true;
			if (gnutls_x509_crt_check_revocation(chain[i], &crl,
							     1) == 1)
				r |= PLUGTLS_VERIFY_REVOKED;
		}
		if (!found)
			r |= PLUGTLS_VERIFY_CRL_UNAVAILABLE;
	}
	return r;
}

static unsigned verify_flags(void)
{
	return GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	       GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
	       GNUTLS_VERIFY_DISABLE_CRL_CHECKS |
	       GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 | GNUTLS_VERIFY_ALLOW_BROKEN |
	       GNUTLS_PROFILE_TO_VFLAGS(GNUTLS_PROFILE_VERY_WEAK);
}

/* GnuTLS's verdict on chain[0..len-1]; the anchor (when anchored) is the
 * last element and goes into a trust list of its own, so that GnuTLS
 * checks exactly the chain reported to the core. The anchor is one of the
 * trust store's own copies (build_chain), which outlives the call: the
 * list borrows it and is freed with all = 0, so that it is neither copied
 * per verification nor freed with the list (gnutls_x509_trust_list_deinit:
 * "prevent them from being deinitialized"). GnuTLS reads it only, as it
 * reads the CAs of credentials shared by concurrent sessions. */
static int gnutls_status(gnutls_x509_crt_t *chain, size_t len, bool anchored,
			 unsigned *status)
{
	gnutls_x509_trust_list_t tl = NULL;
	int ret;

	ret = gnutls_x509_trust_list_init(&tl, 1);
	if (ret < 0)
		goto out;
	if (anchored) {
		gnutls_x509_crt_t anchor = chain[len - 1];
		ret = gnutls_x509_trust_list_add_cas(tl, &anchor, 1, 0);
		if (ret == 0) /* not added: out of memory (see above) */
			ret = GNUTLS_E_MEMORY_ERROR;
		if (ret < 0)
			goto out;
		len--;
	}
	ret = gnutls_x509_trust_list_verify_crt2(tl, chain, (unsigned)len, NULL,
						 0, verify_flags(), status,
						 NULL);
out:
	if (tl)
		gnutls_x509_trust_list_deinit(tl, 0);
	return ret;
}

plugtls_err gtls_verify(void *trust, void *const *natives, size_t n,
			const plugtls_prov_verify_params *vp, uint32_t *reasons,
			plugtls_prov_chain_sink sink, void *arg,
			plugtls_error *err)
{
	const struct gtls_trust *t = trust;
	gnutls_x509_crt_t chain[GTLS_CHAIN_MAX];
	struct gtls_names *nn;
	size_t len = 0;
	bool anchored = false;
	unsigned status = 0;
	uint32_t r = 0;
	plugtls_err rc;
	int ret;

	if (n == 0 || !natives || !natives[0])
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "gnutls: verify: no certificate");
	nn = plugtls_prov_calloc(n, sizeof(*nn));
	if (!nn)
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					  "gnutls: verify: out of memory");
	for (size_t i = 0; i < n; i++) {
		ret = names_init(natives[i], &nn[i]);
		if (ret < 0) {
			rc = gtls_error(err, PLUGTLS_E_MALFORMED, ret,
					"verify: read certificate %zu", i);
			goto out;
		}
	}
	build_chain(t, natives, nn, n, chain, &len, &anchored);

	if (anchored && len == 1) {
		/* The leaf itself is in the trust store: trusted as it is
		 * (OpenSSL with X509_V_FLAG_PARTIAL_CHAIN). */
		status = 0;
	} else if (!anchored && len == 1 && names_issued(&nn[0], &nn[0])) {
		/* OpenSSL: X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, and
		 * nothing else about this certificate (its self-signature is
		 * not checked unless X509_V_FLAG_CHECK_SS_SIGNATURE). GnuTLS
		 * would say GNUTLS_CERT_SIGNER_NOT_FOUND. */
		r |= PLUGTLS_VERIFY_SELF_SIGNED;
	} else {
		ret = gnutls_status(chain, len, anchored, &status);
		if (ret < 0) {
			rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
					"verify certificate chain");
			goto out;
		}
		r |= map_status(status);
		if (!anchored)
			r |= PLUGTLS_VERIFY_UNKNOWN_ISSUER;
		if (status & GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE)
			r |= issuer_constraints_broken(chain, len)
				     ? PLUGTLS_VERIFY_NOT_CA
				     : PLUGTLS_VERIFY_NAME_CONSTRAINTS;
		if (status && !r)
			r |= PLUGTLS_VERIFY_OTHER;
		/* GNUTLS_CERT_INVALID with only ignored bits (time, weak
		 * algorithm) is no failure for this layer. */
		if ((status &
		     ~(GNUTLS_CERT_INVALID | GNUTLS_CERT_INSECURE_ALGORITHM |
		       GNUTLS_CERT_NOT_ACTIVATED | GNUTLS_CERT_EXPIRED |
		       GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED |
		       GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE |
		       GNUTLS_CERT_PURPOSE_MISMATCH |
		       GNUTLS_CERT_MISSING_OCSP_STATUS |
		       GNUTLS_CERT_INVALID_OCSP_STATUS)) == 0)
			r &= ~PLUGTLS_VERIFY_OTHER;
	}
	if (anchored)
		r |= check_crls(t, chain, len,
				vp ? vp->crl_mode : PLUGTLS_CRL_NONE);
	if (vp && vp->max_depth > 0 && len > (size_t)vp->max_depth)
		r |= PLUGTLS_VERIFY_CHAIN_TOO_LONG;

	for (size_t i = 0; sink && i < len; i++) {
		rc = sink(arg, chain[i]);
		if (rc) {
			rc = plugtls_prov_error(err, rc, 0,
						"gnutls: verify: reporting "
						"the chain failed");
			goto out;
		}
	}
	*reasons = r;
	rc = PLUGTLS_OK;
out:
	for (size_t i = 0; i < n; i++)
		names_free(&nn[i]);
	plugtls_prov_free(nn);
	return rc;
}
