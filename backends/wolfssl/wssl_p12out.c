/*
 * wolfSSL backend: PKCS#12 export.
 *
 * wolfSSL 5.5.4's own writer, wc_PKCS12_create, is not used (measured on
 * Debian's 5.5.4):
 *  - it cannot encrypt with PBES2/AES (PBE_AES256_CBC makes it fail); its
 *    strongest scheme is pbeWithSHAAnd3-KeyTripleDES-CBC over SHA-1;
 *  - it writes no bag attributes: no friendlyName, no localKeyID;
 *  - it encodes iteration counts of 32768 or more as negative INTEGERs
 *    (OpenSSL then rejects the bundle).
 * So the backend writes the PFX itself (RFC 7292) from wolfCrypt's native
 * primitives, as OpenSSL 3 does by default:
 *  - the key: PKCS#8 EncryptedPrivateKeyInfo with PBES2 (RFC 8018),
 *    PBKDF2-HMAC-SHA256 and AES-256-CBC (wc_PBKDF2, wc_AesCbcEncrypt);
 *  - the certificates: plain (unencrypted) SafeContents. Certificates are
 *    public; OpenSSL encrypts them by default, its -certpbe NONE does not;
 *  - the leaf's and the key's bags carry friendlyName (when given) and
 *    localKeyID = SHA-1 of the leaf certificate, as OpenSSL writes;
 *  - integrity: HMAC-SHA-256 with the PKCS#12 KDF (wc_PKCS12_PBKDF_ex,
 *    id 3) over the BMPString password (RFC 7292 B.1).
 * wc_PKCS12_parse (import) reads the result, as do OpenSSL 3 and GnuTLS.
 */
#include <wolfssl/options.h>

#include "wssl_int.h"

#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/pwdbased.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/sha.h>

#include <string.h>

#if WSSL_HAVE_PKCS12

/* PBKDF2 and MAC iterations: the attacker who guesses passwords can test
 * either, so both get the same count (OpenSSL 3's default is 2048). */
#define P12_ITER 100000
#define P12_SALT 16

/* ---- a small DER writer ----------------------------------------------------
 */

struct dbuf {
	unsigned char *p;
	size_t len, cap;
	bool fail;
	bool secret; /* wipe on growth and free */
};

static void db_free(struct dbuf *b)
{
	if (b->p != NULL && b->secret)
		plugtls_prov_wipe(b->p, b->cap);
	plugtls_prov_free(b->p);
	memset(b, 0, sizeof(*b));
}

static void db_put(struct dbuf *b, const void *v, size_t n)
{
	if (b->fail || n == 0)
		return;
	if (n > SIZE_MAX / 2 - b->len) {
		b->fail = true;
		return;
	}
	if (b->len + n > b->cap) {
		size_t cap = (b->len + n) * 2 + 64;
		unsigned char *p = plugtls_prov_malloc(cap);

		if (p == NULL) {
			b->fail = true;
			return;
		}
		if (b->len)
			memcpy(p, b->p, b->len);
		if (b->p != NULL && b->secret)
			plugtls_prov_wipe(b->p, b->cap);
		plugtls_prov_free(b->p);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

static void db_hdr(struct dbuf *b, unsigned tag, size_t len)
{
	unsigned char h[6];
	size_t n = 0;

	h[n++] = (unsigned char)tag;
	if (len < 0x80) {
		h[n++] = (unsigned char)len;
	} else if (len <= 0xff) {
		h[n++] = 0x81;
		h[n++] = (unsigned char)len;
	} else if (len <= 0xffff) {
		h[n++] = 0x82;
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else if (len <= 0xffffff) {
		h[n++] = 0x83;
		h[n++] = (unsigned char)(len >> 16);
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else {
		b->fail = true;
		return;
	}
	db_put(b, h, n);
}

static void db_tlv(struct dbuf *b, unsigned tag, const void *v, size_t n)
{
	db_hdr(b, tag, n);
	db_put(b, v, n);
}

/* Append in wrapped in a TLV, then release in. */
static void db_wrap(struct dbuf *b, unsigned tag, struct dbuf *in)
{
	if (in->fail)
		b->fail = true;
	else
		db_tlv(b, tag, in->p, in->len);
	db_free(in);
}

static void db_uint(struct dbuf *b, unsigned long v)
{
	unsigned char t[9];
	size_t n = 0;

	/* Big-endian, minimal, with a 00 when the high bit is set. */
	for (int s = 56; s >= 0; s -= 8)
		if (n || (v >> s) & 0xff || s == 0)
			t[n++] = (unsigned char)(v >> s);
	if (t[0] & 0x80) {
		memmove(t + 1, t, n);
		t[0] = 0;
		n++;
	}
	db_tlv(b, 0x02, t, n);
}

#define OID(b, ...)                                                            \
	do {                                                                   \
		static const unsigned char o_[] = {__VA_ARGS__};               \
		db_tlv((b), 0x06, o_, sizeof(o_));                             \
	} while (0)

#define OID_DATA(b) OID(b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01)

/* ---- text -------------------------------------------------------------------
 */

/* UTF-8 to UTF-16BE (surrogate pairs above U+FFFF). -1 on bad UTF-8. */
static int utf8_to_utf16be(const char *s, struct dbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp;
		size_t n;

		if (p[0] < 0x80)
			cp = p[0], n = 1;
		else if ((p[0] & 0xe0) == 0xc0)
			cp = p[0] & 0x1f, n = 2;
		else if ((p[0] & 0xf0) == 0xe0)
			cp = p[0] & 0x0f, n = 3;
		else if ((p[0] & 0xf8) == 0xf0)
			cp = p[0] & 0x07, n = 4;
		else
			return -1;
		for (size_t k = 1; k < n; k++) {
			if ((p[k] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[k] & 0x3f);
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000;
			unsigned char u[4] = {
				(unsigned char)(0xd8 | (v >> 18)),
				(unsigned char)(v >> 10),
				(unsigned char)(0xdc | ((v >> 8) & 3)),
				(unsigned char)v};
			db_put(out, u, 4);
		} else {
			unsigned char u[2] = {(unsigned char)(cp >> 8),
					      (unsigned char)cp};
			db_put(out, u, 2);
		}
		p += n;
	}
	return 0;
}

/* ---- parts
 * ------------------------------------------------------------------- */

/* PrivateKeyInfo of the key: as loaded when it is PKCS#8, else built from
 * the algorithm of its public half (the SPKI's AlgorithmIdentifier is the
 * PKCS#8 one for RSA, EC and Ed25519) around the traditional key. */
static void private_key_info(const struct wssl_key *k, struct dbuf *out)
{
	struct ptb_der d, s;
	struct ptb_tlv t, v, alg;
	struct dbuf body = {.secret = true};

	ptb_der_init(&d, k->der, k->len);
	if (ptb_der_expect(&d, 0x30, &t) == 0) {
		ptb_der_enter(&t, &s);
		if (ptb_der_expect(&s, 0x02, &v) == 0 &&
		    ptb_der_peek(&s) == 0x30) {
			db_put(out, k->der, k->len);
			return;
		}
	}
	ptb_der_init(&d, k->spki, k->spki_len);
	if (ptb_der_expect(&d, 0x30, &t) != 0) {
		out->fail = true;
		return;
	}
	ptb_der_enter(&t, &s);
	if (ptb_der_expect(&s, 0x30, &alg) != 0) {
		out->fail = true;
		return;
	}
	db_uint(&body, 0);
	db_put(&body, alg.hdr, alg.total);
	db_tlv(&body, 0x04, k->der, k->len);
	db_wrap(out, 0x30, &body);
}

/* EncryptedPrivateKeyInfo, PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC. */
static int encrypt_key(const struct wssl_key *k, const char *password,
		       WC_RNG *rng, struct dbuf *out)
{
	struct dbuf pki = {.secret = true}, alg = {0}, kdf = {0}, prm = {0},
		    enc = {0}, pbes2 = {0}, body = {0};
	unsigned char salt[P12_SALT], iv[AES_BLOCK_SIZE], key[32];
	unsigned char *ct = NULL;
	size_t padded;
	Aes aes;
	int ret = -1, aes_init = 0;

	private_key_info(k, &pki);
	if (pki.fail || wc_RNG_GenerateBlock(rng, salt, sizeof(salt)) != 0 ||
	    wc_RNG_GenerateBlock(rng, iv, sizeof(iv)) != 0)
		goto out;
	if (wc_PBKDF2(key, (const byte *)password, (int)strlen(password), salt,
		      sizeof(salt), P12_ITER, sizeof(key), WC_SHA256) != 0)
		goto out;
	/* PKCS#7 padding (RFC 8018 6.2.1). */
	padded = (pki.len / AES_BLOCK_SIZE + 1) * AES_BLOCK_SIZE;
	{
		unsigned char pad = (unsigned char)(padded - pki.len);

		for (size_t i = pki.len; i < padded; i++)
			db_put(&pki, &pad, 1);
	}
	ct = plugtls_prov_malloc(padded);
	if (pki.fail || ct == NULL)
		goto out;
	if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0)
		goto out;
	aes_init = 1;
	if (wc_AesSetKey(&aes, key, sizeof(key), iv, AES_ENCRYPTION) != 0 ||
	    wc_AesCbcEncrypt(&aes, ct, pki.p, (word32)padded) != 0)
		goto out;

	/* PBKDF2-params { salt, iterationCount, prf hmacWithSHA256 } */
	db_tlv(&prm, 0x04, salt, sizeof(salt));
	db_uint(&prm, P12_ITER);
	OID(&alg, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09);
	db_tlv(&alg, 0x05, NULL, 0);
	db_wrap(&prm, 0x30, &alg);
	OID(&kdf, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c);
	db_wrap(&kdf, 0x30, &prm);
	/* encryptionScheme aes256-CBC { iv } */
	OID(&enc, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a);
	db_tlv(&enc, 0x04, iv, sizeof(iv));
	db_wrap(&pbes2, 0x30, &kdf);
	db_wrap(&pbes2, 0x30, &enc);
	OID(&body, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d);
	db_wrap(&body, 0x30, &pbes2);
	{
		struct dbuf epki = {0};

		db_wrap(&epki, 0x30, &body);
		db_tlv(&epki, 0x04, ct, padded);
		db_wrap(out, 0x30, &epki);
	}
	ret = out->fail ? -1 : 0;
out:
	if (aes_init)
		wc_AesFree(&aes);
	plugtls_prov_wipe(key, sizeof(key));
	plugtls_prov_free(ct);
	db_free(&pki);
	db_free(&alg);
	db_free(&kdf);
	db_free(&prm);
	db_free(&enc);
	db_free(&pbes2);
	db_free(&body);
	return ret;
}

/* bagAttributes: friendlyName (when given) and localKeyID. */
static void bag_attributes(const unsigned char *name16, size_t name16_len,
			   const unsigned char *key_id, struct dbuf *out)
{
	struct dbuf set = {0}, a = {0}, v = {0};

	if (name16 != NULL) {
		OID(&a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x14);
		db_tlv(&v, 0x1e, name16, name16_len);
		db_wrap(&a, 0x31, &v);
		db_wrap(&set, 0x30, &a);
	}
	OID(&a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x15);
	db_tlv(&v, 0x04, key_id, WC_SHA_DIGEST_SIZE);
	db_wrap(&a, 0x31, &v);
	db_wrap(&set, 0x30, &a);
	db_wrap(out, 0x31, &set);
}

/* ContentInfo { id-data, [0] OCTET STRING content } */
static void content_info_data(struct dbuf *out, struct dbuf *content)
{
	struct dbuf ci = {0}, oct = {0};

	OID_DATA(&ci);
	db_wrap(&oct, 0x04, content);
	db_wrap(&ci, 0xa0, &oct);
	db_wrap(out, 0x30, &ci);
}

/* The PKCS#12 KDF password: BMPString with two zero bytes (RFC 7292 B.1). */
static int bmp_password(const char *password, struct dbuf *out)
{
	static const unsigned char nul[2] = {0, 0};

	if (utf8_to_utf16be(password, out) != 0)
		return -1;
	db_put(out, nul, 2);
	return out->fail ? -1 : 0;
}

static int mac_data(const struct dbuf *auth_safe, const char *password,
		    WC_RNG *rng, struct dbuf *out)
{
	struct dbuf pw = {.secret = true}, md = {0}, alg = {0}, di = {0};
	unsigned char salt[P12_SALT], key[WC_SHA256_DIGEST_SIZE],
		mac[WC_SHA256_DIGEST_SIZE];
	Hmac hmac;
	int ret = -1, hmac_init = 0;

	if (bmp_password(password, &pw) != 0 ||
	    wc_RNG_GenerateBlock(rng, salt, sizeof(salt)) != 0 ||
	    wc_PKCS12_PBKDF_ex(key, pw.p, (int)pw.len, salt, sizeof(salt),
			       P12_ITER, sizeof(key), WC_SHA256, 3, NULL) != 0)
		goto out;
	if (wc_HmacInit(&hmac, NULL, INVALID_DEVID) != 0)
		goto out;
	hmac_init = 1;
	if (wc_HmacSetKey(&hmac, WC_SHA256, key, sizeof(key)) != 0 ||
	    wc_HmacUpdate(&hmac, auth_safe->p, (word32)auth_safe->len) != 0 ||
	    wc_HmacFinal(&hmac, mac) != 0)
		goto out;
	OID(&alg, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01);
	db_tlv(&alg, 0x05, NULL, 0);
	db_wrap(&di, 0x30, &alg);
	db_tlv(&di, 0x04, mac, sizeof(mac));
	db_wrap(&md, 0x30, &di);
	db_tlv(&md, 0x04, salt, sizeof(salt));
	db_uint(&md, P12_ITER);
	db_wrap(out, 0x30, &md);
	ret = out->fail ? -1 : 0;
out:
	if (hmac_init)
		wc_HmacFree(&hmac);
	plugtls_prov_wipe(key, sizeof(key));
	db_free(&pw);
	db_free(&md);
	db_free(&alg);
	db_free(&di);
	return ret;
}

plugtls_err wssl_p12_export(void *key_native, void *const *chain, size_t n,
			    const char *password, const char *friendly_name,
			    unsigned char **out, size_t *out_len,
			    plugtls_error *err)
{
	const struct wssl_key *key = key_native;
	const struct wssl_cert *leaf;
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	struct dbuf name16 = {0}, epki = {0}, certs = {0}, keys = {0},
		    bag = {0}, auth = {0}, pfx = {0}, body = {0};
	unsigned char key_id[WC_SHA_DIGEST_SIZE];
	WC_RNG rng;
	int rng_init = 0;

	if (key == NULL || chain == NULL || n == 0 || chain[0] == NULL ||
	    password == NULL || password[0] == '\0')
		return wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "PKCS#12 export: key, chain and password "
				  "are required");
	if (n > 1000)
		return wssl_error(err, PLUGTLS_E_TOO_LARGE, 0,
				  "PKCS#12 export: too many certificates");
	leaf = chain[0];
	if (friendly_name != NULL &&
	    (utf8_to_utf16be(friendly_name, &name16) != 0 || name16.fail)) {
		rc = wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				"PKCS#12 export: the friendly name is not "
				"UTF-8");
		goto out;
	}
	{
		struct dbuf pw = {.secret = true};
		int bad = utf8_to_utf16be(password, &pw);

		db_free(&pw);
		if (bad) {
			rc = wssl_error(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					"PKCS#12 export: the password is not "
					"UTF-8");
			goto out;
		}
	}
	if (wc_InitRng(&rng) != 0) {
		rc = wssl_error(err, PLUGTLS_E_INTERNAL, 0,
				"PKCS#12 export: random generator");
		goto out;
	}
	rng_init = 1;
	wssl_thread_note();
	if (wc_ShaHash(leaf->der, (word32)leaf->len, key_id) != 0 ||
	    encrypt_key(key, password, &rng, &epki) != 0) {
		rc = wssl_error(err, PLUGTLS_E_INTERNAL, 0,
				"PKCS#12 export: encrypting the key");
		goto out;
	}

	/* SafeContents of the certificates, leaf first. */
	for (size_t i = 0; i < n; i++) {
		const struct wssl_cert *c = chain[i];
		struct dbuf cb = {0}, cv = {0}, oct = {0};

		OID(&cb, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16,
		    0x01);
		db_tlv(&oct, 0x04, c->der, c->len);
		db_wrap(&cb, 0xa0, &oct);
		OID(&bag, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a,
		    0x01, 0x03);
		db_wrap(&cv, 0x30, &cb);
		db_wrap(&bag, 0xa0, &cv);
		if (i == 0)
			bag_attributes(friendly_name ? name16.p : NULL,
				       name16.len, key_id, &bag);
		db_wrap(&certs, 0x30, &bag);
	}
	/* SafeContents of the key. */
	OID(&bag, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01,
	    0x02);
	db_wrap(&bag, 0xa0, &epki);
	bag_attributes(friendly_name ? name16.p : NULL, name16.len, key_id,
		       &bag);
	db_wrap(&keys, 0x30, &bag);

	{
		struct dbuf sc = {0}, sk = {0}, seq = {0};

		db_wrap(&sc, 0x30, &certs);
		db_wrap(&sk, 0x30, &keys);
		content_info_data(&seq, &sc);
		content_info_data(&seq, &sk);
		db_wrap(&auth, 0x30, &seq);
	}
	if (auth.fail) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "PKCS#12 export");
		goto out;
	}
	db_uint(&body, 3);
	{
		struct dbuf copy = {0};

		db_put(&copy, auth.p, auth.len);
		content_info_data(&body, &copy);
	}
	if (mac_data(&auth, password, &rng, &body) != 0) {
		rc = wssl_error(err, PLUGTLS_E_INTERNAL, 0,
				"PKCS#12 export: MAC");
		goto out;
	}
	db_wrap(&pfx, 0x30, &body);
	if (pfx.fail) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "PKCS#12 export");
		goto out;
	}
	*out = pfx.p;
	*out_len = pfx.len;
	memset(&pfx, 0, sizeof(pfx));
	rc = PLUGTLS_OK;
out:
	if (rng_init)
		wc_FreeRng(&rng);
	db_free(&name16);
	db_free(&epki);
	db_free(&certs);
	db_free(&keys);
	db_free(&bag);
	db_free(&auth);
	db_free(&body);
	db_free(&pfx);
	return rc;
}

#endif
