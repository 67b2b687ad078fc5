/*
 * OpenSSL provider: certificates (X509 *). Parsing one DER certificate and
 * reporting its raw fields to the core, which formats them the same way for
 * every provider.
 */
#include "ossl_local.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <limits.h>
#include <string.h>
#include <time.h>

/* d2i_X509 keeps a certificate whose public key it cannot decode (a type
 * the library lacks: reported as an unknown key) and drops the decoder's
 * errors, which include allocation failures: a failed allocation there
 * would pass for an unknown key type. When there is no key, decode the
 * SubjectPublicKeyInfo once more: if that works, the first decode failed
 * for lack of resources (1). Errors of this check are dropped. */
int ossl_cert_pubkey_lost(X509 *x)
{
	unsigned char *spki = NULL;
	const unsigned char *p;
	EVP_PKEY *k = NULL;
	int len, lost = 0;

	/* A key decoded without its size is as lost: OpenSSL 3.0 caches the
	 * size when the key is made, and a failed allocation then leaves 0. */
	if (X509_get0_pubkey(x) && EVP_PKEY_get_bits(X509_get0_pubkey(x)) > 0)
		return 0;
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
	if (len <= 0)
		lost = 1; /* it was parsed: only resources can fail here */
	p = spki;
	if (len > 0 && (k = d2i_PUBKEY(NULL, &p, len)) != NULL &&
	    EVP_PKEY_get_bits(k) > 0)
		lost = 1;
	EVP_PKEY_free(k);
	OPENSSL_free(spki);
	ERR_clear_error();
	return lost;
}

plugtls_err ossl_cert_from_der(const unsigned char *der, size_t len,
			       void **out, plugtls_error *err)
{
	const unsigned char *p = der;
	X509 *x = NULL;

	if (!der || len == 0 || len > LONG_MAX)
		return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
					  "certificate: empty or too large");
	ERR_clear_error();
	x = d2i_X509(NULL, &p, (long)len);
	if (!x)
		return ossl_err(err, PLUGTLS_E_MALFORMED,
				"certificate: not a DER X.509 certificate");
	/* One certificate and nothing after it: trailing bytes would make
	 * the DER the core hashes (pins, fingerprints) differ from what was
	 * parsed. */
	if (p != der + len) {
		X509_free(x);
		return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
					  "certificate: %zu bytes after the "
					  "certificate",
					  len - (size_t)(p - der));
	}
	if (ossl_cert_pubkey_lost(x)) {
		X509_free(x);
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					  "certificate: out of memory decoding "
					  "the public key");
	}
	/* Cache the decoded extensions now, while x is private to this
	 * thread. OpenSSL 3.0 caches them on first use, checking its "done"
	 * flag outside the certificate's lock; a certificate shared by many
	 * threads (trust anchors, a context's own chain, a shared chain)
	 * would otherwise be cached by several at once, a data race that
	 * ThreadSanitizer reports (tests/threads). Invalid extensions are
	 * judged at verification, as before: errors of this call are
	 * dropped. */
	ERR_set_mark();
	(void)X509_check_purpose(x, -1, 0);
	ERR_pop_to_mark();
	*out = x;
	return PLUGTLS_OK;
}

void ossl_cert_free(void *cert)
{
	X509_free(cert);
}

void ossl_pkey_type(const EVP_PKEY *pkey, plugtls_prov_key_type *type,
		    unsigned *bits)
{
	int b;

	*type = PLUGTLS_PROV_KEY_UNKNOWN;
	*bits = 0;
	if (!pkey)
		return;
	b = EVP_PKEY_get_bits(pkey);
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		*type = PLUGTLS_PROV_KEY_RSA;
		break;
	case EVP_PKEY_RSA_PSS:
		*type = PLUGTLS_PROV_KEY_RSA_PSS;
		break;
	case EVP_PKEY_EC:
		*type = PLUGTLS_PROV_KEY_EC;
		break;
	case EVP_PKEY_DSA:
		*type = PLUGTLS_PROV_KEY_DSA;
		break;
	case EVP_PKEY_ED25519:
		/* EVP_PKEY_get_bits says 253 (the group order's size); the
		 * plugtls contract, like GnuTLS, says 256. */
		*type = PLUGTLS_PROV_KEY_ED25519;
		b = 256;
		break;
	case EVP_PKEY_ED448:
		*type = PLUGTLS_PROV_KEY_ED448;
		b = 456;
		break;
	default:
		return;
	}
	*bits = b > 0 ? (unsigned)b : 0;
}

static plugtls_err report_der(X509 *x, plugtls_prov_fields *f,
			      plugtls_error *err)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);
	plugtls_err rc;

	if (len <= 0)
		return ossl_err(err, PLUGTLS_E_MALFORMED,
				"certificate: cannot encode");
	rc = plugtls_prov_fields_der(f, der, (size_t)len);
	OPENSSL_free(der);
	return rc;
}

static plugtls_err report_name(const X509_NAME *name, int which,
			       plugtls_prov_fields *f, plugtls_error *err)
{
	const char *label = which == PLUGTLS_PROV_SUBJECT ? "subject"
							  : "issuer";
	int count = X509_NAME_entry_count(name);

	for (int i = 0; i < count; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
		unsigned char *utf8 = NULL;
		char oid[128];
		int rdn = X509_NAME_ENTRY_set(e), len;
		plugtls_err rc;

		if (rdn < 0 ||
		    OBJ_obj2txt(oid, sizeof(oid),
				X509_NAME_ENTRY_get_object(e), 1) <= 0)
			return ossl_err(err, PLUGTLS_E_MALFORMED,
					"certificate: bad %s attribute",
					label);
		/* Strings of every DirectoryString type become UTF-8. An
		 * attribute whose value is not a string type (rare, but
		 * legal ASN.1) goes to the core as its content bytes. */
		len = ASN1_STRING_to_UTF8(&utf8, v);
		if (len >= 0) {
			rc = plugtls_prov_fields_dn(f, which, (unsigned)rdn,
						    oid, utf8, (size_t)len);
			OPENSSL_free(utf8);
		} else {
			ERR_clear_error();
			rc = plugtls_prov_fields_dn(
				f, which, (unsigned)rdn, oid,
				ASN1_STRING_get0_data(v),
				(size_t)ASN1_STRING_length(v));
		}
		if (rc)
			return rc;
	}
	return PLUGTLS_OK;
}

/* X509_get_ext_d2i's crit: -1 absent, -2 present more than once (RFC 5280
 * 4.2 forbids that), >= 0 present (NULL then means it did not decode). */
static plugtls_err ext_status(void *ext, int crit, const char *name,
			      plugtls_error *err)
{
	if (crit == -2)
		return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
					  "certificate: %s appears twice",
					  name);
	if (!ext && crit >= 0)
		return ossl_err(err, PLUGTLS_E_MALFORMED,
				"certificate: %s does not decode", name);
	return PLUGTLS_OK;
}

static plugtls_err report_sans(X509 *x, plugtls_prov_fields *f,
			       plugtls_error *err)
{
	int crit = -1;
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit,
					       NULL);
	plugtls_err rc = ext_status(gens, crit, "subjectAltName", err);

	for (int i = 0; rc == PLUGTLS_OK && i < sk_GENERAL_NAME_num(gens);
	     i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s = NULL;
		plugtls_san_type type;

		switch (g->type) {
		case GEN_DNS:
			type = PLUGTLS_SAN_DNS;
			s = g->d.dNSName;
			break;
		case GEN_EMAIL:
			type = PLUGTLS_SAN_EMAIL;
			s = g->d.rfc822Name;
			break;
		case GEN_URI:
			type = PLUGTLS_SAN_URI;
			s = g->d.uniformResourceIdentifier;
			break;
		case GEN_IPADD:
			type = PLUGTLS_SAN_IP;
			s = g->d.iPAddress;
			/* 4 or 16 bytes; anything else cannot be an
			 * address and is not reported. */
			if (ASN1_STRING_length(s) != 4 &&
			    ASN1_STRING_length(s) != 16)
				s = NULL;
			break;
		default:
			break;
		}
		if (s)
			rc = plugtls_prov_fields_san(
				f, type, ASN1_STRING_get0_data(s),
				(size_t)ASN1_STRING_length(s));
	}
	GENERAL_NAMES_free(gens);
	return rc;
}

static plugtls_err report_eku(X509 *x, plugtls_prov_fields *f,
			      plugtls_error *err)
{
	int crit = -1;
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit,
						   NULL);
	plugtls_err rc = ext_status(eku, crit, "extendedKeyUsage", err);

	for (int i = 0; rc == PLUGTLS_OK && i < sk_ASN1_OBJECT_num(eku); i++) {
		char oid[128];

		if (OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i),
				1) <= 0)
			rc = ossl_err(err, PLUGTLS_E_MALFORMED,
				      "certificate: bad extendedKeyUsage OID");
		else
			rc = plugtls_prov_fields_eku(f, oid);
	}
	EXTENDED_KEY_USAGE_free(eku);
	return rc;
}

static plugtls_err report_basic_constraints(X509 *x, plugtls_prov_fields *f,
					    plugtls_error *err)
{
	int crit = -1, path_len = -1;
	BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints,
						 &crit, NULL);
	plugtls_err rc = ext_status(bc, crit, "basicConstraints", err);

	if (rc || !bc)
		goto out;
	if (bc->pathlen) {
		long v = ASN1_INTEGER_get(bc->pathlen);
		/* -1 is also ASN1_INTEGER_get's error value: a negative
		 * or undecodable length is malformed (RFC 5280 4.2.1.9:
		 * INTEGER (0..MAX)); a huge one is as good as no limit. */
		if (v < 0) {
			ERR_clear_error();
			rc = plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
						"certificate: basicConstraints "
						"pathLenConstraint is "
						"negative or too large");
			goto out;
		}
		path_len = v > INT_MAX ? INT_MAX : (int)v;
	}
	rc = plugtls_prov_fields_basic_constraints(f, bc->ca ? 1 : 0,
						   path_len);
out:
	BASIC_CONSTRAINTS_free(bc);
	return rc;
}

static plugtls_err to_epoch(const ASN1_TIME *t, int64_t *out,
			    const char *what, plugtls_error *err)
{
	struct tm tm;
	time_t v;

	memset(&tm, 0, sizeof(tm));
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return ossl_err(err, PLUGTLS_E_MALFORMED,
				"certificate: bad %s time", what);
	v = timegm(&tm);
	*out = (int64_t)v;
	return PLUGTLS_OK;
}

plugtls_err ossl_cert_fields(void *cert, plugtls_prov_fields *f,
			     plugtls_error *err)
{
	X509 *x = cert;
	unsigned char *spki = NULL;
	const ASN1_INTEGER *serial;
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *sig_obj = NULL;
	plugtls_prov_key_type type;
	unsigned bits;
	int64_t nb = 0, na = 0;
	char oid[128];
	int len;
	plugtls_err rc;

	if (ERR_peek_error())
		ERR_clear_error();
	if (plugtls_prov_fields_wants(f, PLUGTLS_PROV_WANT_DER)) {
		rc = report_der(x, f, err);
		if (rc)
			goto out;
	}
	if (plugtls_prov_fields_wants(f, PLUGTLS_PROV_WANT_NAMES)) {
		rc = report_name(X509_get_subject_name(x), PLUGTLS_PROV_SUBJECT,
				 f, err);
		if (rc)
			goto out;
		rc = report_name(X509_get_issuer_name(x), PLUGTLS_PROV_ISSUER,
				 f, err);
		if (rc)
			goto out;
	}
	rc = report_sans(x, f, err);
	if (rc)
		goto out;
	rc = report_eku(x, f, err);
	if (rc)
		goto out;

	if (plugtls_prov_fields_wants(f, PLUGTLS_PROV_WANT_SPKI)) {
		len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
		if (len <= 0) {
			rc = ossl_err(err, PLUGTLS_E_MALFORMED,
				      "certificate: cannot encode the public "
				      "key");
			goto out;
		}
		rc = plugtls_prov_fields_spki(f, spki, (size_t)len);
		if (rc)
			goto out;
	}

	if (plugtls_prov_fields_wants(f, PLUGTLS_PROV_WANT_SERIAL)) {
		serial = X509_get0_serialNumber(x);
		rc = plugtls_prov_fields_serial(
			f, ASN1_STRING_get0_data(serial),
			(size_t)ASN1_STRING_length(serial));
		if (rc)
			goto out;
	}

	rc = to_epoch(X509_get0_notBefore(x), &nb, "notBefore", err);
	if (rc)
		goto out;
	rc = to_epoch(X509_get0_notAfter(x), &na, "notAfter", err);
	if (rc)
		goto out;
	rc = plugtls_prov_fields_validity(f, nb, na);
	if (rc)
		goto out;

	/* X509_get0_pubkey is NULL for a key type the library cannot load
	 * (GOST without its provider, say): reported as unknown, 0 bits. */
	ossl_pkey_type(X509_get0_pubkey(x), &type, &bits);
	ERR_clear_error();
	rc = plugtls_prov_fields_key(f, type, bits);
	if (rc)
		goto out;

	X509_get0_signature(NULL, &alg, x);
	X509_ALGOR_get0(&sig_obj, NULL, NULL, alg);
	if (!sig_obj || OBJ_obj2txt(oid, sizeof(oid), sig_obj, 1) <= 0) {
		rc = ossl_err(err, PLUGTLS_E_MALFORMED,
			      "certificate: bad signature algorithm");
		goto out;
	}
	rc = plugtls_prov_fields_sig_alg(f, oid);
	if (rc)
		goto out;

	rc = report_basic_constraints(x, f, err);
out:
	OPENSSL_free(spki);
	/* The plugtls_prov_fields_* calls return a code without a record:
	 * name what failed (no effect when a record is already there). */
	if (rc)
		rc = plugtls_prov_error(err, rc, 0,
					"certificate: reporting fields");
	return rc;
}
