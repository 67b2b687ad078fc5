/*
 * OpenSSL provider: private keys (EVP_PKEY *).
 *
 * PEM goes through PEM_read_bio_PrivateKey_ex, which (in 3.0) runs the
 * OSSL_DECODER chain over the PEM blocks, skipping blocks that are not keys
 * (a certificate before the key in one file, say), and falls back to the
 * legacy readers; it reads PKCS#8, encrypted PKCS#8, traditional and
 * legacy-encrypted ("Proc-Type: 4,ENCRYPTED") keys. DER goes through an
 * OSSL_DECODER for a key pair, which reads PKCS#8 and encrypted PKCS#8.
 *
 * Wrong password or garbage: both make the decoders fail with a mix of
 * errors, so the password callback records whether a password was asked
 * for. Asked and failed: the key is encrypted and the password is missing
 * or wrong (PLUGTLS_E_BAD_PASSWORD). Never asked: the input is not a key
 * we can read (PLUGTLS_E_MALFORMED).
 */
#include "ossl_local.h"

#include <openssl/decoder.h>
#include <openssl/pem.h>

#include <limits.h>
#include <string.h>

struct pw_state {
	const char *password;
	int asked;
};

/* pem_password_cb: copies the password into OpenSSL's buffer (which it
 * wipes after use). No password, or one that does not fit: -1, which the
 * readers report as a failed decryption. */
static int pw_cb(char *buf, int size, int rwflag, void *u)
{
	struct pw_state *ps = u;
	size_t len;

	(void)rwflag;
	ps->asked = 1;
	if (!ps->password || size <= 0)
		return -1;
	len = strlen(ps->password);
	if (len > (size_t)size)
		return -1;
	memcpy(buf, ps->password, len);
	return (int)len;
}

static EVP_PKEY *load_pem(const unsigned char *data, size_t len,
			  struct pw_state *ps)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	EVP_PKEY *pkey = NULL;

	if (!bio)
		return NULL;
	pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, pw_cb, ps, NULL, NULL);
	BIO_free(bio);
	return pkey;
}

static EVP_PKEY *load_der(const unsigned char *data, size_t len,
			  struct pw_state *ps, int *trailing)
{
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p = data;
	size_t left = len;

	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", NULL, NULL,
					     EVP_PKEY_KEYPAIR, NULL, NULL);
	if (!dctx)
		return NULL;
	if (!OSSL_DECODER_CTX_set_pem_password_cb(dctx, pw_cb, ps) ||
	    !OSSL_DECODER_from_data(dctx, &p, &left)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	} else if (left != 0) {
		/* One key and nothing after it. */
		*trailing = 1;
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	return pkey;
}

plugtls_err ossl_key_load(const unsigned char *data, size_t len, int is_pem,
			  const char *password, void **out,
			  plugtls_error *err)
{
	struct pw_state ps = {password, 0};
	EVP_PKEY *pkey;
	int trailing = 0;

	if (!data || len == 0 || len > INT_MAX)
		return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
					  "private key: empty or too large");
	ERR_clear_error();
	pkey = is_pem ? load_pem(data, len, &ps)
		      : load_der(data, len, &ps, &trailing);
	/* A decoder that lost an allocation can return a key without its
	 * size (OpenSSL 3.0 caches it when the key is made). */
	if (pkey && EVP_PKEY_get_bits(pkey) <= 0) {
		EVP_PKEY_free(pkey);
		ERR_clear_error();
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					  "private key: out of memory "
					  "decoding the key");
	}
	if (pkey) {
		*out = pkey;
		return PLUGTLS_OK;
	}
	if (trailing)
		return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
					  "private key: bytes after the key");
	if (ps.asked)
		return ossl_err(err, PLUGTLS_E_BAD_PASSWORD,
				"private key: the key is encrypted and the "
				"password is %s",
				password ? "incorrect" : "missing");
	return ossl_err(err, PLUGTLS_E_MALFORMED,
			"private key: no %s private key found",
			is_pem ? "PEM" : "DER");
}

void ossl_key_free(void *key)
{
	/* OpenSSL wipes private key material when it frees it. */
	EVP_PKEY_free(key);
}

plugtls_err ossl_key_info(void *key, plugtls_prov_key_type *type,
			  unsigned *bits)
{
	ossl_pkey_type(key, type, bits);
	return PLUGTLS_OK;
}
