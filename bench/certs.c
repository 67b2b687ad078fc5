/*
 * Keys and certificates for the benchmark, generated at run time with
 * OpenSSL's libcrypto (so the bench needs no fixture files and no
 * conformance build): a CA (ECDSA P-256, CA:TRUE), and two server
 * certificates it issues for BENCH_HOST, one ECDSA P-256 and one RSA-2048
 * (SAN DNS:bench.test, EKU serverAuth, valid from yesterday for 30 days).
 */
#include "bench.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static char *bio_text(BIO *b)
{
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	char *s = n >= 0 ? OPENSSL_malloc((size_t)n + 1) : NULL;
	if (!s)
		return NULL;
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

static char *cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;
	if (b && PEM_write_bio_X509(b, x))
		s = bio_text(b);
	BIO_free(b);
	return s;
}

static char *key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;
	if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))
		s = bio_text(b);
	BIO_free(b);
	return s;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!e)
		return 0;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

/* A certificate for key, signed by ca_key (self-signed when ca is NULL). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, long serial, X509 *ca,
		       EVP_PKEY *ca_key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	int ok = x && name;

	ok = ok && X509_set_version(x, 2);
	ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -86400L);
	ok = ok && X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400L);
	ok = ok && X509_set_pubkey(x, key);
	ok = ok && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					      (const unsigned char *)"plugtls bench",
					      -1, -1, 0);
	ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					      (const unsigned char *)cn, -1,
					      -1, 0);
	ok = ok && X509_set_subject_name(x, name);
	ok = ok && X509_set_issuer_name(x, ca ? X509_get_subject_name(ca)
					      : name);
	if (ca) {
		ok = ok && add_ext(x, ca, NID_basic_constraints, "CA:FALSE");
		ok = ok && add_ext(x, ca, NID_key_usage,
				   "critical,digitalSignature,keyEncipherment");
		ok = ok && add_ext(x, ca, NID_ext_key_usage, "serverAuth");
		ok = ok && add_ext(x, ca, NID_subject_alt_name,
				   "DNS:" BENCH_HOST);
		ok = ok && add_ext(x, ca, NID_subject_key_identifier, "hash");
		ok = ok && add_ext(x, ca, NID_authority_key_identifier,
				   "keyid");
	} else {
		ok = ok && add_ext(x, x, NID_basic_constraints,
				   "critical,CA:TRUE");
		ok = ok && add_ext(x, x, NID_key_usage,
				   "critical,keyCertSign,cRLSign");
		ok = ok && add_ext(x, x, NID_subject_key_identifier, "hash");
	}
	ok = ok && X509_sign(x, ca_key, EVP_sha256()) > 0;
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int bench_certs_generate(struct bench_certs *out, char *err, size_t errlen)
{
	EVP_PKEY *ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	X509 *ca = NULL, *ec = NULL, *rsa = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!ca_key || !ec_key || !rsa_key)
		goto out;
	ca = make_cert(ca_key, "plugtls bench CA", 1, NULL, ca_key);
	if (!ca)
		goto out;
	ec = make_cert(ec_key, BENCH_HOST, 2, ca, ca_key);
	rsa = make_cert(rsa_key, BENCH_HOST, 3, ca, ca_key);
	if (!ec || !rsa)
		goto out;
	out->ca_pem = cert_pem(ca);
	out->ecdsa_cert_pem = cert_pem(ec);
	out->ecdsa_key_pem = key_pem(ec_key);
	out->rsa_cert_pem = cert_pem(rsa);
	out->rsa_key_pem = key_pem(rsa_key);
	if (out->ca_pem && out->ecdsa_cert_pem && out->ecdsa_key_pem &&
	    out->rsa_cert_pem && out->rsa_key_pem)
		rc = 0;
out:
	if (rc != 0) {
		snprintf(err, errlen, "generating keys and certificates failed");
		bench_certs_free(out);
	}
	X509_free(ca);
	X509_free(ec);
	X509_free(rsa);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(ec_key);
	EVP_PKEY_free(rsa_key);
	return rc;
}

void bench_certs_free(struct bench_certs *c)
{
	OPENSSL_free(c->ca_pem);
	OPENSSL_free(c->ecdsa_cert_pem);
	OPENSSL_clear_free(c->ecdsa_key_pem,
			   c->ecdsa_key_pem ? strlen(c->ecdsa_key_pem) : 0);
	OPENSSL_free(c->rsa_cert_pem);
	OPENSSL_clear_free(c->rsa_key_pem,
			   c->rsa_key_pem ? strlen(c->rsa_key_pem) : 0);
	memset(c, 0, sizeof(*c));
}
