/*
 * OpenSSL provider: PKCS#12 import and export.
 *
 * Import checks the MAC first (PKCS12_verify_mac): a MAC that does not
 * match means a wrong password (PLUGTLS_E_BAD_PASSWORD), one that cannot be
 * computed means a MAC algorithm this library lacks (UNSUPPORTED). Only
 * then PKCS12_parse decrypts; a failure there with a good MAC is an
 * encryption the library cannot do (RC2-40 without the legacy provider, the
 * usual case: UNSUPPORTED) or a corrupt bundle (MALFORMED).
 *
 * Export writes AES-256-CBC with PBKDF2 (PBES2, HMAC-SHA-256 PRF) for the
 * key and the certificates, and a SHA-256 MAC: PKCS12_create_ex would add
 * a SHA-1 MAC by default, so it is asked for none and PKCS12_set_mac adds
 * ours.
 */
#include "ossl_local.h"

#include <openssl/pkcs12.h>

#include <limits.h>
#include <string.h>

/* Iterations for PBKDF2 and the MAC: OpenSSL's PKCS12_DEFAULT_ITER is
 * 2048; NIST SP 800-132 asks for at least 1000, current guidance for much
 * more. 10000 costs a few milliseconds. */
#define OSSL_P12_ITER 10000

/* Returns 1 when the MAC matches pass, 0 when it does not, -1 when it could
 * not be computed (error queue filled). */
static int mac_ok(PKCS12 *p12, const char *pass)
{
	int len = pass ? (int)strlen(pass) : 0;

	if (PKCS12_verify_mac(p12, pass, len))
		return 1;
	/* A mismatch leaves no error; a MAC that cannot be computed (an
	 * unknown digest) raises PKCS12_R_MAC_GENERATION_ERROR. */
	return ERR_peek_error() != 0 ? -1 : 0;
}

plugtls_err ossl_pkcs12_import(const unsigned char *der, size_t len,
			       const char *password, void **key,
			       plugtls_prov_chain_sink sink, void *arg,
			       plugtls_error *err)
{
	static const struct ossl_err_map parse_map[] = {
		{OSSL_ERR_ANY, OSSL_ERR_UNSUPPORTED, PLUGTLS_E_UNSUPPORTED},
		{0, 0, PLUGTLS_OK},
	};
	const unsigned char *p = der;
	PKCS12 *p12 = NULL;
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	const char *pass = password;
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	int m;

	if (!der || len == 0 || len > LONG_MAX)
		return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
					  "PKCS#12: empty or too large");
	ERR_clear_error();
	p12 = d2i_PKCS12(NULL, &p, (long)len);
	if (!p12) {
		rc = ossl_err(err, PLUGTLS_E_MALFORMED,
			      "PKCS#12: not a DER PKCS#12 bundle");
		goto out;
	}
	if (p != der + len) {
		rc = plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
					"PKCS#12: %zu bytes after the bundle",
					len - (size_t)(p - der));
		goto out;
	}
	if (PKCS12_mac_present(p12)) {
		m = mac_ok(p12, pass);
		/* No password: PKCS#12 tools use either no password or the
		 * empty one for "none" (PKCS12_parse tries both too). */
		if (m == 0 && (!pass || !*pass)) {
			pass = pass ? NULL : "";
			m = mac_ok(p12, pass);
		}
		if (m < 0) {
			rc = ossl_err(err, PLUGTLS_E_UNSUPPORTED,
				      "PKCS#12: cannot compute the MAC");
			goto out;
		}
		if (m == 0) {
			rc = plugtls_prov_error(err, PLUGTLS_E_BAD_PASSWORD, 0,
						"PKCS#12: the password is %s "
						"(MAC does not match)",
						password ? "incorrect" : "missing");
			goto out;
		}
	}
	if (!PKCS12_parse(p12, pass, &pkey, &cert, &ca)) {
		rc = ossl_err_map(err, PLUGTLS_E_MALFORMED, parse_map,
				  "PKCS#12: cannot decrypt or parse the "
				  "contents");
		goto out;
	}
	if (!pkey) {
		rc = plugtls_prov_error(err, PLUGTLS_E_NO_KEY, 0,
					"PKCS#12: the bundle holds no private "
					"key");
		goto out;
	}
	/* PKCS12_parse's decoders drop allocation failures: a key or a
	 * certificate's public key may come back without its size. */
	if (EVP_PKEY_get_bits(pkey) <= 0 ||
	    (cert && ossl_cert_pubkey_lost(cert))) {
		rc = plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					"PKCS#12: out of memory decoding a "
					"key");
		goto out;
	}
	for (int i = 0; i < sk_X509_num(ca); i++)
		if (ossl_cert_pubkey_lost(sk_X509_value(ca, i))) {
			rc = plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
						"PKCS#12: out of memory "
						"decoding a key");
			goto out;
		}
	/* The certificate matching the key first, then the others in bundle
	 * order. */
	if (cert) {
		rc = sink(arg, cert);
		if (rc)
			goto sink_failed;
	}
	for (int i = 0; i < sk_X509_num(ca); i++) {
		rc = sink(arg, sk_X509_value(ca, i));
		if (rc)
			goto sink_failed;
	}
	*key = pkey;
	pkey = NULL;
	rc = PLUGTLS_OK;
	goto out;
sink_failed:
	rc = plugtls_prov_error(err, rc, 0, "PKCS#12: reporting certificates");
out:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	PKCS12_free(p12);
	return rc;
}

plugtls_err ossl_pkcs12_export(void *key, void *const *chain, size_t n,
			       const char *password,
			       const char *friendly_name, unsigned char **out,
			       size_t *out_len, plugtls_error *err)
{
	STACK_OF(X509) *ca = NULL;
	PKCS12 *p12 = NULL;
	X509 *leaf = n > 0 ? chain[0] : NULL;
	unsigned char *buf = NULL, *w;
	int len;
	plugtls_err rc = PLUGTLS_E_INTERNAL;

	if (!key || !password || (n > 0 && !chain))
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "PKCS#12 export: a key and a "
					  "password are required");
	ERR_clear_error();
	if (leaf && !X509_check_private_key(leaf, key)) {
		rc = ossl_err(err, PLUGTLS_E_INVALID_ARGUMENT,
			      "PKCS#12 export: the key does not match the "
			      "first certificate");
		goto out;
	}
	if (n > 1) {
		ca = sk_X509_new_reserve(NULL, (int)(n - 1));
		if (!ca) {
			rc = ossl_err(err, PLUGTLS_E_NOMEM, "PKCS#12 export");
			goto out;
		}
		for (size_t i = 1; i < n; i++)
			if (!sk_X509_push(ca, chain[i])) {
				rc = ossl_err(err, PLUGTLS_E_NOMEM,
					      "PKCS#12 export");
				goto out;
			}
	}
	/* A cipher NID (not a PBE one) selects PBES2 with PBKDF2; OpenSSL
	 * 3.0's PBKDF2 PRF default is HMAC-SHA-256. mac_iter -1: no MAC
	 * here, see the file comment. */
	p12 = PKCS12_create_ex(password, friendly_name, key, leaf, ca,
			       NID_aes_256_cbc, NID_aes_256_cbc, OSSL_P12_ITER,
			       -1, 0, NULL, NULL);
	if (!p12) {
		rc = ossl_err(err, PLUGTLS_E_INTERNAL,
			      "PKCS#12 export: creating the bundle");
		goto out;
	}
	if (!PKCS12_set_mac(p12, password, -1, NULL, 0, OSSL_P12_ITER,
			    EVP_sha256())) {
		rc = ossl_err(err, PLUGTLS_E_INTERNAL,
			      "PKCS#12 export: adding the MAC");
		goto out;
	}
	len = i2d_PKCS12(p12, NULL);
	if (len <= 0) {
		rc = ossl_err(err, PLUGTLS_E_INTERNAL,
			      "PKCS#12 export: encoding");
		goto out;
	}
	buf = plugtls_prov_malloc((size_t)len);
	if (!buf) {
		rc = plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					"PKCS#12 export");
		goto out;
	}
	w = buf;
	if (i2d_PKCS12(p12, &w) != len) {
		rc = ossl_err(err, PLUGTLS_E_INTERNAL,
			      "PKCS#12 export: encoding");
		goto out;
	}
	*out = buf;
	*out_len = (size_t)len;
	buf = NULL;
	rc = PLUGTLS_OK;
out:
	plugtls_prov_free(buf);
	PKCS12_free(p12);
	sk_X509_free(ca); /* borrowed certificates */
	return rc;
}
