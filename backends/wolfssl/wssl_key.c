/*
 * wolfSSL backend: private keys.
 *
 * PEM goes through wc_KeyPemToDer (PKCS#8, encrypted PKCS#8, traditional
 * RSA/EC with or without a legacy DEK-Info header); DER is PKCS#8, plain or
 * encrypted (wc_DecryptPKCS8Key). The key is then decoded by wolfCrypt's
 * own decoder for its type (which checks it really is a usable key) and its
 * public half is encoded as a SubjectPublicKeyInfo, used for the type and
 * size and to pair the key with its certificate in PKCS#12 bundles.
 *
 * wolfSSL 5.5.4 does not tell a wrong password from a corrupt ciphertext:
 * encrypted PKCS#8 with a wrong password fails with ASN_PARSE_E, and a
 * legacy DEK-Info key with a wrong password "decrypts" into garbage that
 * only the key decoder rejects. So the backend decides "encrypted" from the
 * input itself, and any failure to decrypt and decode an encrypted key is
 * PLUGTLS_E_BAD_PASSWORD, as with OpenSSL ("bad decrypt").
 */
#include <wolfssl/options.h>

#include "wssl_int.h"

#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/ed25519.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/rsa.h>

#include <string.h>

#define WSSL_MAX_KEY (1024u * 1024u)
#define WSSL_SPKI_MAX 2048u

static bool contains(const unsigned char *data, size_t len, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; len >= n && i <= len - n; i++)
		if (data[i] == (unsigned char)s[0] &&
		    memcmp(data + i, s, n) == 0)
			return true;
	return false;
}

/* An "-----END ... PRIVATE KEY-----" line is present. */
static bool has_key_end(const unsigned char *data, size_t len)
{
	static const char end[] = "-----END ", tail[] = "PRIVATE KEY-----";

	for (size_t i = 0;
	     len >= sizeof(end) - 1 && i <= len - (sizeof(end) - 1); i++) {
		if (memcmp(data + i, end, sizeof(end) - 1) != 0)
			continue;
		for (size_t k = i + sizeof(end) - 1;
		     k + sizeof(tail) - 1 <= len && k < i + 48; k++)
			if (memcmp(data + k, tail, sizeof(tail) - 1) == 0)
				return true;
	}
	return false;
}

/* PKCS#8 EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier
 * SEQUENCE, OCTET STRING }, where PrivateKeyInfo starts with an INTEGER. */
static bool der_is_encrypted_pkcs8(const unsigned char *der, size_t len)
{
	struct ptb_der d, s;
	struct ptb_tlv t, u;

	ptb_der_init(&d, der, len);
	if (ptb_der_expect(&d, 0x30, &t) != 0)
		return false;
	ptb_der_enter(&t, &s);
	return ptb_der_expect(&s, 0x30, &u) == 0 &&
	       ptb_der_expect(&s, 0x04, &u) == 0 && ptb_der_done(&s);
}

#if WSSL_HAVE_RSA
static int spki_rsa(const unsigned char *der, size_t len, unsigned char *spki,
		    word32 *spki_len)
{
	RsaKey k;
	word32 idx = 0;
	int ret;

	if (wc_InitRsaKey(&k, NULL) != 0)
		return -1;
	ret = wc_RsaPrivateKeyDecode(der, &idx, &k, (word32)len);
	if (ret == 0) {
		ret = wc_RsaKeyToPublicDer(&k, spki, *spki_len);
		if (ret > 0) {
			*spki_len = (word32)ret;
			ret = 0;
		}
	}
	wc_FreeRsaKey(&k);
	return ret == 0 ? 0 : -1;
}
#else
static int spki_rsa(const unsigned char *der, size_t len, unsigned char *spki,
		    word32 *spki_len)
{
	return -1;
}
#endif

#if WSSL_HAVE_ECC
static int spki_ec(const unsigned char *der, size_t len, unsigned char *spki,
		   word32 *spki_len)
{
	ecc_key k;
	word32 idx = 0;
	int ret;

	if (wc_ecc_init(&k) != 0)
		return -1;
	ret = wc_EccPrivateKeyDecode(der, &idx, &k, (word32)len);
	/* A key without its public point: derive it. */
	if (ret == 0 && k.type == ECC_PRIVATEKEY_ONLY)
		ret = wc_ecc_make_pub(&k, NULL);
	if (ret == 0) {
		ret = wc_EccPublicKeyToDer(&k, spki, *spki_len, 1);
		if (ret > 0) {
			*spki_len = (word32)ret;
			ret = 0;
		}
	}
	wc_ecc_free(&k);
	return ret == 0 ? 0 : -1;
}
#else
static int spki_ec(const unsigned char *der, size_t len, unsigned char *spki,
		   word32 *spki_len)
{
	return -1;
}
#endif

#if WSSL_HAVE_ED25519
static int spki_ed25519(const unsigned char *der, size_t len,
			unsigned char *spki, word32 *spki_len)
{
	/* SubjectPublicKeyInfo of an Ed25519 key (RFC 8410 4). */
	static const unsigned char prefix[] = {0x30, 0x2a, 0x30, 0x05,
					       0x06, 0x03, 0x2b, 0x65,
					       0x70, 0x03, 0x21, 0x00};
	ed25519_key k;
	word32 idx = 0;
	int ret;

	if (*spki_len < sizeof(prefix) + ED25519_PUB_KEY_SIZE)
		return -1;
	if (wc_ed25519_init(&k) != 0)
		return -1;
	ret = wc_Ed25519PrivateKeyDecode(der, &idx, &k, (word32)len);
	/* PKCS#8 Ed25519 keys usually carry no public key: derive it. */
	if (ret == 0)
		ret = wc_ed25519_make_public(&k, spki + sizeof(prefix),
					     ED25519_PUB_KEY_SIZE);
	if (ret == 0) {
		memcpy(spki, prefix, sizeof(prefix));
		*spki_len = (word32)(sizeof(prefix) + ED25519_PUB_KEY_SIZE);
	}
	wc_ed25519_free(&k);
	return ret == 0 ? 0 : -1;
}
#else
static int spki_ed25519(const unsigned char *der, size_t len,
			unsigned char *spki, word32 *spki_len)
{
	return -1;
}
#endif

/* The algorithm OID of a PKCS#8 PrivateKeyInfo, or "" for a traditional
 * (algorithm-specific) key. -1 when it is neither. */
static int pkcs8_alg(const unsigned char *der, size_t len, char *oid,
		     size_t cap)
{
	struct ptb_der d, s, a;
	struct ptb_tlv t, v, alg, id;

	oid[0] = '\0';
	ptb_der_init(&d, der, len);
	if (ptb_der_expect(&d, 0x30, &t) != 0)
		return -1;
	ptb_der_enter(&t, &s);
	if (ptb_der_expect(&s, 0x02, &v) != 0)
		return -1;
	if (ptb_der_expect(&s, 0x30, &alg) != 0)
		return 0; /* RSAPrivateKey or ECPrivateKey */
	ptb_der_enter(&alg, &a);
	if (ptb_der_expect(&a, 0x06, &id) != 0 ||
	    ptb_der_expect(&s, 0x04, &v) != 0 ||
	    ptb_oid_dotted(id.val, id.len, oid, cap) != 0)
		return -1;
	return 0;
}

plugtls_err wssl_key_from_der(unsigned char *der, size_t len, bool decrypted,
			      void **out, plugtls_error *err)
{
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	struct wssl_key *k = NULL;
	unsigned char spki[WSSL_SPKI_MAX];
	word32 spki_len = sizeof(spki);
	char oid[96];
	int r = -1;

	wssl_thread_note();
	if (pkcs8_alg(der, len, oid, sizeof(oid)) != 0) {
		rc = decrypted ? wssl_error(err, PLUGTLS_E_BAD_PASSWORD, 0,
					    "key: decryption failed (wrong "
					    "password?)")
			       : wssl_error(err, PLUGTLS_E_MALFORMED, 0,
					    "key: not a private key");
		goto out;
	}
	if (strcmp(oid, "1.2.840.113549.1.1.1") == 0) {
		r = spki_rsa(der, len, spki, &spki_len);
	} else if (strcmp(oid, "1.2.840.10045.2.1") == 0) {
		r = spki_ec(der, len, spki, &spki_len);
	} else if (strcmp(oid, "1.3.101.112") == 0) {
		r = spki_ed25519(der, len, spki, &spki_len);
	} else if (oid[0] == '\0') {
		/* Traditional: RSAPrivateKey or ECPrivateKey. */
		r = spki_rsa(der, len, spki, &spki_len);
		if (r != 0) {
			spki_len = sizeof(spki);
			r = spki_ec(der, len, spki, &spki_len);
		}
	} else {
		rc = wssl_error(err, PLUGTLS_E_UNSUPPORTED, 0,
				"key: algorithm %s is not supported by the "
				"wolfSSL provider",
				oid);
		goto out;
	}
	if (r != 0) {
		/* A legacy (DEK-Info) key decrypted with the wrong password
		 * gives bytes that are no key: the password was wrong. */
		rc = decrypted ? wssl_error(err, PLUGTLS_E_BAD_PASSWORD, 0,
					    "key: decryption failed (wrong "
					    "password?)")
			       : wssl_error(err, PLUGTLS_E_MALFORMED, 0,
					    "key: wolfCrypt cannot decode the "
					    "key");
		goto out;
	}
	k = plugtls_prov_calloc(1, sizeof(*k));
	if (k == NULL) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "key");
		goto out;
	}
	k->spki = plugtls_prov_malloc(spki_len);
	if (k->spki == NULL) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "key");
		goto out;
	}
	memcpy(k->spki, spki, spki_len);
	k->spki_len = spki_len;
	if (wssl_spki_info(k->spki, k->spki_len, &k->type, &k->bits) !=
		    PLUGTLS_OK ||
	    k->type == PLUGTLS_PROV_KEY_UNKNOWN) {
		rc = wssl_error(err, PLUGTLS_E_UNSUPPORTED, 0,
				"key: unknown key type");
		goto out;
	}
	k->der = der;
	k->len = len;
	der = NULL;
	*out = k;
	k = NULL;
	rc = PLUGTLS_OK;
out:
	if (der != NULL) {
		plugtls_prov_wipe(der, len);
		plugtls_prov_free(der);
	}
	wssl_key_free(k);
	return rc;
}

#if WSSL_HAVE_ENCRYPTED_KEYS
static bool can_decrypt(void)
{
	return true;
}
#else
static bool can_decrypt(void)
{
	return false;
}
#endif

plugtls_err wssl_key_load(const unsigned char *data, size_t len, int is_pem,
			  const char *password, void **out, plugtls_error *err)
{
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	unsigned char *der = NULL;
	size_t der_cap = len + 1;
	bool encrypted;
	int n;

	if (data == NULL || len == 0)
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "key: empty input");
	if (len > WSSL_MAX_KEY)
		return wssl_error(err, PLUGTLS_E_TOO_LARGE, 0,
				  "key: %zu bytes is too large", len);
	if (is_pem)
		encrypted = contains(data, len,
				     "-----BEGIN ENCRYPTED PRIVATE "
				     "KEY-----") ||
			    contains(data, len, "Proc-Type: 4,ENCRYPTED");
	else
		encrypted = der_is_encrypted_pkcs8(data, len);
	/* A PEM block cut short is malformed, whatever the password:
	 * wolfSSL's answers for it (BUFFER_E) and for a wrong password
	 * (ASN_PARSE_E) would otherwise both read as "bad password". */
	if (is_pem && encrypted && !has_key_end(data, len))
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "key: the PEM block is not complete");
	if (encrypted && (password == NULL || password[0] == '\0'))
		return wssl_error(err, PLUGTLS_E_BAD_PASSWORD, 0,
				  "key: the key is encrypted and no password "
				  "was given");
	if (encrypted && !can_decrypt())
		return wssl_error(
			err, PLUGTLS_E_UNSUPPORTED, 0,
			"key: this wolfSSL build cannot decrypt keys");

	der = plugtls_prov_malloc(der_cap);
	if (der == NULL)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "key");
	if (is_pem) {
		n = wc_KeyPemToDer(data, (int)len, der, (int)der_cap,
				   encrypted ? password : NULL);
	} else {
		memcpy(der, data, len);
		n = (int)len;
		if (encrypted)
			n = wc_DecryptPKCS8Key(der, (word32)len, password,
					       (int)strlen(password));
		/* wc_DecryptPKCS8Key decrypts in place and returns the
		 * offset-free length of the PrivateKeyInfo. */
	}
	if (n <= 0) {
		rc = encrypted ? wssl_error(err, PLUGTLS_E_BAD_PASSWORD, n,
					    "key: decryption failed (wrong "
					    "password?)")
			       : wssl_error(err, PLUGTLS_E_MALFORMED, n,
					    "key: no private key found");
		goto out;
	}
	if ((size_t)n < der_cap)
		plugtls_prov_wipe(der + n, der_cap - (size_t)n);
	rc = wssl_key_from_der(der, (size_t)n, encrypted, out, err);
	der = NULL; /* taken */
out:
	if (der != NULL) {
		plugtls_prov_wipe(der, der_cap);
		plugtls_prov_free(der);
	}
	return rc;
}

void wssl_key_free(void *key)
{
	struct wssl_key *k = key;

	if (k == NULL)
		return;
	if (k->der != NULL) {
		plugtls_prov_wipe(k->der, k->len);
		plugtls_prov_free(k->der);
	}
	plugtls_prov_free(k->spki);
	plugtls_prov_free(k);
}

plugtls_err wssl_key_info(void *key, plugtls_prov_key_type *type,
			  unsigned *bits)
{
	struct wssl_key *k = key;

	*type = k->type;
	*bits = k->bits;
	return PLUGTLS_OK;
}
