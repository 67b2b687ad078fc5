/*
 * GnuTLS provider: private keys. The native is a gnutls_x509_privkey_t
 * (GnuTLS zeroes the key's numbers when it is deinitialised).
 *
 * gnutls_x509_privkey_import2() reads PEM and DER, PKCS#8 (plain and
 * encrypted), the traditional OpenSSL formats (also "Proc-Type: 4,ENCRYPTED")
 * and detects which one it got. Its answers are mapped as follows:
 *   GNUTLS_E_DECRYPTION_FAILED       wrong password, or an encrypted key
 *                                    and no password   -> BAD_PASSWORD
 *   GNUTLS_E_UNKNOWN_CIPHER_TYPE,
 *   GNUTLS_E_UNKNOWN_PK_ALGORITHM,
 *   GNUTLS_E_UNIMPLEMENTED_FEATURE,
 *   GNUTLS_E_UNKNOWN_ALGORITHM,
 *   GNUTLS_E_UNKNOWN_CIPHER_TYPE     an encryption or key type this
 *                                    GnuTLS lacks     -> UNSUPPORTED
 *   anything else                                     -> MALFORMED
 */
#include "gtls_int.h"

#include <string.h>

plugtls_prov_key_type gtls_pk_type(int pk, unsigned *bits)
{
	switch (pk) {
	case GNUTLS_PK_RSA: return PLUGTLS_PROV_KEY_RSA;
	case GNUTLS_PK_RSA_PSS: return PLUGTLS_PROV_KEY_RSA_PSS;
	case GNUTLS_PK_ECDSA:
		/* GnuTLS reports the curve size (256, 384, 521). */
		return PLUGTLS_PROV_KEY_EC;
	case GNUTLS_PK_EDDSA_ED25519:
		*bits = 256;
		return PLUGTLS_PROV_KEY_ED25519;
	case GNUTLS_PK_EDDSA_ED448:
		/* 456 as OpenSSL's EVP_PKEY_get_bits() says for Ed448. */
		*bits = 456;
		return PLUGTLS_PROV_KEY_ED448;
	case GNUTLS_PK_DSA: return PLUGTLS_PROV_KEY_DSA;
	default: return PLUGTLS_PROV_KEY_UNKNOWN;
	}
}

static plugtls_err key_import_code(int ret)
{
	switch (ret) {
	case GNUTLS_E_DECRYPTION_FAILED: return PLUGTLS_E_BAD_PASSWORD;
	case GNUTLS_E_UNKNOWN_CIPHER_TYPE:
	case GNUTLS_E_UNKNOWN_PK_ALGORITHM:
	case GNUTLS_E_UNIMPLEMENTED_FEATURE:
	case GNUTLS_E_UNKNOWN_ALGORITHM:
	case GNUTLS_E_UNKNOWN_HASH_ALGORITHM: return PLUGTLS_E_UNSUPPORTED;
	default: return PLUGTLS_E_MALFORMED;
	}
}

plugtls_err gtls_key_load(const unsigned char *data, size_t len, int is_pem,
			  const char *password, void **out, plugtls_error *err)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_datum_t d;
	unsigned bits = 0;
	plugtls_err rc;
	int ret;

	if (len > UINT32_MAX)
		return plugtls_prov_error(err, PLUGTLS_E_TOO_LARGE, 0,
					  "gnutls: key too large");
	ret = gnutls_x509_privkey_init(&key);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_NOMEM, ret, "x509_privkey_init");
		goto out;
	}
	d.data = (unsigned char *)data;
	d.size = (unsigned)len;
	/* GNUTLS_PKCS_PLAIN is not passed: an unencrypted key loads whatever
	 * the password; an encrypted one needs the right one. No PIN
	 * callback is set, so a missing password cannot prompt. */
	ret = gnutls_x509_privkey_import2(
		key, &d, is_pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER,
		password, 0);
	if (ret < 0) {
		rc = key_import_code(ret);
		if (rc == PLUGTLS_E_BAD_PASSWORD)
			rc = gtls_error(err, rc, ret,
					password ? "private key: the password "
						   "does not decrypt it"
						 : "private key is encrypted "
						   "and no password was given");
		else
			rc = gtls_error(err, rc, ret, "load private key");
		goto out;
	}
	ret = gnutls_x509_privkey_get_pk_algorithm2(key, &bits);
	if (ret < 0 || gtls_pk_type(ret, &bits) == PLUGTLS_PROV_KEY_UNKNOWN) {
		rc = gtls_error(err, PLUGTLS_E_UNSUPPORTED, ret < 0 ? ret : 0,
				"private key type not supported");
		goto out;
	}
	*out = key;
	key = NULL;
	rc = PLUGTLS_OK;
out:
	if (key)
		gnutls_x509_privkey_deinit(key);
	return rc;
}

void gtls_key_free(void *key)
{
	if (key)
		gnutls_x509_privkey_deinit(key);
}

plugtls_err gtls_key_info(void *key, plugtls_prov_key_type *type,
			  unsigned *bits)
{
	unsigned b = 0;
	int ret = gnutls_x509_privkey_get_pk_algorithm2(key, &b);

	if (ret < 0)
		return PLUGTLS_E_INTERNAL;
	*type = gtls_pk_type(ret, &b);
	*bits = b;
	return PLUGTLS_OK;
}
