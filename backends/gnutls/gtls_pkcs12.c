/*
 * GnuTLS provider: PKCS#12 import and export.
 *
 * Import: gnutls_pkcs12_import() (DER that does not parse: MALFORMED), then
 * gnutls_pkcs12_verify_mac() (a MAC that does not match is BAD_PASSWORD: a
 * wrong password and damaged ciphertext cannot be told apart, and the test
 * suite fixes that answer), then gnutls_pkcs12_simple_parse(), which
 * decrypts the bags, pairs the key with its certificate and orders that
 * certificate's chain.
 *
 * Export: one certificate bag (leaf first, encrypted with PBES2/AES-256),
 * one shrouded key bag (PKCS#8, PBES2/AES-256), both tagged with the key's
 * localKeyId and the friendly name, and a SHA-256 MAC: what OpenSSL 3
 * writes by default, so either provider reads what the other wrote.
 */
#include "gtls_int.h"
#include <gnutls/crypto.h>

#include <string.h>

static plugtls_err import_code(int ret, plugtls_err fallback)
{
	switch (ret) {
	case GNUTLS_E_MAC_VERIFY_FAILED:
	case GNUTLS_E_DECRYPTION_FAILED: return PLUGTLS_E_BAD_PASSWORD;
	case GNUTLS_E_UNKNOWN_CIPHER_TYPE:
	case GNUTLS_E_UNKNOWN_HASH_ALGORITHM:
	case GNUTLS_E_UNKNOWN_ALGORITHM:
	case GNUTLS_E_UNIMPLEMENTED_FEATURE:
	case GNUTLS_E_UNKNOWN_PK_ALGORITHM: return PLUGTLS_E_UNSUPPORTED;
	default: return fallback;
	}
}

plugtls_err gtls_pkcs12_import(const unsigned char *der, size_t len,
			       const char *password, void **key,
			       plugtls_prov_chain_sink sink, void *arg,
			       plugtls_error *err)
{
	gnutls_pkcs12_t p12 = NULL;
	gnutls_x509_privkey_t pk = NULL;
	gnutls_x509_crt_t *chain = NULL, *extra = NULL;
	unsigned n_chain = 0, n_extra = 0, bits = 0;
	gnutls_datum_t d;
	plugtls_err rc;
	int ret;

	if (len > UINT32_MAX)
		return plugtls_prov_error(err, PLUGTLS_E_TOO_LARGE, 0,
					  "gnutls: PKCS#12 too large");
	ret = gnutls_pkcs12_init(&p12);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_NOMEM, ret, "pkcs12_init");
		goto out;
	}
	d.data = (unsigned char *)der;
	d.size = (unsigned)len;
	ret = gnutls_pkcs12_import(p12, &d, GNUTLS_X509_FMT_DER, 0);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_MALFORMED, ret, "parse PKCS#12");
		goto out;
	}
	/* GnuTLS 3.7 returns GNUTLS_E_MAC_VERIFY_FAILED for a wrong
	 * password; a bundle without a MAC (openssl -nomac) gives
	 * GNUTLS_E_INVALID_REQUEST and is then judged by decryption alone. */
	ret = gnutls_pkcs12_verify_mac(p12, password);
	if (ret < 0 && ret != GNUTLS_E_INVALID_REQUEST) {
		rc = import_code(ret, PLUGTLS_E_MALFORMED);
		rc = gtls_error(err, rc, ret,
				rc == PLUGTLS_E_BAD_PASSWORD
					? "PKCS#12: MAC check failed (password "
					  "or damaged file)"
					: "PKCS#12: MAC check");
		goto out;
	}
	ret = gnutls_pkcs12_simple_parse(p12, password, &pk, &chain, &n_chain,
					 &extra, &n_extra, NULL,
					 GNUTLS_PKCS12_SP_INCLUDE_SELF_SIGNED);
	if (ret < 0) {
		/* simple_parse() wants a key: without one it ends with
		 * GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE. */
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			rc = gtls_error(err, PLUGTLS_E_NO_KEY, ret,
					"PKCS#12 holds no private key");
		else
			rc = gtls_error(err,
					import_code(ret, PLUGTLS_E_MALFORMED),
					ret, "PKCS#12: read bags");
		goto out;
	}
	if (!pk) {
		rc = gtls_error(err, PLUGTLS_E_NO_KEY, 0,
				"PKCS#12 holds no private key");
		goto out;
	}
	if (gtls_pk_type(gnutls_x509_privkey_get_pk_algorithm(pk), &bits) ==
	    PLUGTLS_PROV_KEY_UNKNOWN) {
		rc = gtls_error(err, PLUGTLS_E_UNSUPPORTED, 0,
				"PKCS#12: private key type not supported");
		goto out;
	}
	/* The certificate matching the key first, then its chain, then the
	 * other certificates of the bundle. */
	for (unsigned i = 0; i < n_chain; i++) {
		rc = sink(arg, chain[i]);
		if (rc) {
			rc = plugtls_prov_error(err, rc, 0,
						"gnutls: PKCS#12: reporting "
						"certificates failed");
			goto out;
		}
	}
	for (unsigned i = 0; i < n_extra; i++) {
		rc = sink(arg, extra[i]);
		if (rc) {
			rc = plugtls_prov_error(err, rc, 0,
						"gnutls: PKCS#12: reporting "
						"certificates failed");
			goto out;
		}
	}
	*key = pk;
	pk = NULL;
	rc = PLUGTLS_OK;
out:
	for (unsigned i = 0; chain && i < n_chain; i++)
		gnutls_x509_crt_deinit(chain[i]);
	gnutls_free(chain);
	for (unsigned i = 0; extra && i < n_extra; i++)
		gnutls_x509_crt_deinit(extra[i]);
	gnutls_free(extra);
	if (pk)
		gnutls_x509_privkey_deinit(pk);
	if (p12)
		gnutls_pkcs12_deinit(p12);
	return rc;
}

/* Tags bag entry idx with the key id and the friendly name. */
static int tag_entry(gnutls_pkcs12_bag_t bag, int idx, const gnutls_datum_t *id,
		     const char *friendly_name)
{
	int ret = gnutls_pkcs12_bag_set_key_id(bag, (unsigned)idx, id);
	if (ret < 0 || !friendly_name)
		return ret;
	return gnutls_pkcs12_bag_set_friendly_name(bag, (unsigned)idx,
						   friendly_name);
}

plugtls_err gtls_pkcs12_export(void *key, void *const *chain, size_t n,
			       const char *password, const char *friendly_name,
			       unsigned char **out, size_t *out_len,
			       plugtls_error *err)
{
	gnutls_x509_privkey_t pk = key;
	gnutls_pkcs12_t p12 = NULL;
	gnutls_pkcs12_bag_t cbag = NULL, kbag = NULL;
	unsigned char idbuf[64];
	size_t idsize = sizeof(idbuf);
	gnutls_datum_t id, der = {NULL, 0};
	unsigned char *copy;
	plugtls_err rc;
	int ret, idx;

	if (!password)
		return plugtls_prov_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "gnutls: PKCS#12 export needs a "
					  "password");
	ret = gnutls_x509_privkey_get_key_id(pk, GNUTLS_KEYID_USE_SHA1, idbuf,
					     &idsize);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret, "key id");
		goto out;
	}
	id.data = idbuf;
	id.size = (unsigned)idsize;

	ret = gnutls_pkcs12_init(&p12);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_NOMEM, ret, "pkcs12_init");
		goto out;
	}
	if (n > 0) {
		ret = gnutls_pkcs12_bag_init(&cbag);
		if (ret < 0) {
			rc = gtls_error(err, PLUGTLS_E_NOMEM, ret,
					"pkcs12_bag_init");
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			idx = gnutls_pkcs12_bag_set_crt(cbag, chain[i]);
			if (idx < 0) {
				rc = gtls_error(err, PLUGTLS_E_INTERNAL, idx,
						"PKCS#12: add certificate");
				goto out;
			}
			if (i == 0) {
				ret = tag_entry(cbag, idx, &id, friendly_name);
				if (ret < 0) {
					rc = gtls_error(err, PLUGTLS_E_INTERNAL,
							ret,
							"PKCS#12: tag "
							"certificate");
					goto out;
				}
			}
		}
		ret = gnutls_pkcs12_bag_encrypt(cbag, password,
						GNUTLS_PKCS_PBES2_AES_256);
		if (ret < 0) {
			rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
					"PKCS#12: encrypt certificates");
			goto out;
		}
		ret = gnutls_pkcs12_set_bag(p12, cbag);
		if (ret < 0) {
			rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
					"PKCS#12: add certificate bag");
			goto out;
		}
	}
	ret = gnutls_pkcs12_bag_init(&kbag);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_NOMEM, ret, "pkcs12_bag_init");
		goto out;
	}
	idx = gnutls_pkcs12_bag_set_privkey(kbag, pk, password,
					    GNUTLS_PKCS_PBES2_AES_256);
	if (idx < 0) {
		rc = gtls_error(err, PLUGTLS_E_INTERNAL, idx,
				"PKCS#12: add private key");
		goto out;
	}
	ret = tag_entry(kbag, idx, &id, friendly_name);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
				"PKCS#12: tag private key");
		goto out;
	}
	ret = gnutls_pkcs12_set_bag(p12, kbag);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
				"PKCS#12: add key bag");
		goto out;
	}
	ret = gnutls_pkcs12_generate_mac2(p12, GNUTLS_MAC_SHA256, password);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret, "PKCS#12: MAC");
		goto out;
	}
	ret = gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, &der);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
				"PKCS#12: encode");
		goto out;
	}
	copy = plugtls_prov_malloc(der.size ? der.size : 1);
	if (!copy) {
		rc = plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					"gnutls: out of memory");
		goto out;
	}
	memcpy(copy, der.data, der.size);
	*out = copy;
	*out_len = der.size;
	rc = PLUGTLS_OK;
out:
	if (der.data) {
		plugtls_prov_wipe(der.data, der.size);
		gnutls_free(der.data);
	}
	if (kbag)
		gnutls_pkcs12_bag_deinit(kbag);
	if (cbag)
		gnutls_pkcs12_bag_deinit(cbag);
	if (p12)
		gnutls_pkcs12_deinit(p12);
	return rc;
}

/* The legacy PKCS#12 schemes that `openssl pkcs12 -legacy` writes
 * (pbeWithSHAAnd40BitRC2-CBC for the certificates,
 * pbeWithSHAAnd3-KeyTripleDES-CBC for the key) need RC2-40 and 3DES-CBC,
 * which GnuTLS 3.7 has unless it runs in FIPS mode or was built without
 * them. Initialising each cipher tells; encrypting a probe bag would run
 * GnuTLS's default PKCS#12 iteration count (0.3 s at every provider init). */
bool gtls_pkcs12_legacy_probe(void)
{
	static const gnutls_cipher_algorithm_t algs[] = {
		GNUTLS_CIPHER_RC2_40_CBC, GNUTLS_CIPHER_3DES_CBC};
	unsigned char zero[32] = {0};

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		gnutls_cipher_hd_t h;
		gnutls_datum_t key = {zero, (unsigned)gnutls_cipher_get_key_size(algs[i])};
		gnutls_datum_t iv = {zero, (unsigned)gnutls_cipher_get_iv_size(algs[i])};

		if (key.size == 0 || key.size > sizeof(zero) ||
		    iv.size > sizeof(zero) ||
		    gnutls_cipher_init(&h, algs[i], &key, &iv) < 0)
			return false;
		gnutls_cipher_deinit(h);
	}
	return true;
}
