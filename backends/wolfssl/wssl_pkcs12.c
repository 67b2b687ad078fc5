/*
 * wolfSSL backend: PKCS#12 import (wc_d2i_PKCS12 + wc_PKCS12_parse).
 * Export is in wssl_p12out.c.
 *
 * Import: a MAC that does not verify (MAC_CMP_FAILED_E) is
 * PLUGTLS_E_BAD_PASSWORD, wrong password or damaged content alike; DER
 * that does not parse is PLUGTLS_E_MALFORMED. Debian's wolfSSL is built
 * without RC2 (WC_RC2 off), so "legacy" bundles, whose certificates are
 * encrypted with pbeWithSHAAnd40BitRC2-CBC (OpenSSL's -legacy, the default
 * before OpenSSL 3.0), cannot be read: PLUGTLS_CAP_PKCS12_LEGACY is off and
 * such a bundle gives PLUGTLS_E_UNSUPPORTED, saying so.
 */
#include <wolfssl/options.h>

#include "wssl_int.h"

#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/pkcs12.h>

#include <string.h>

#if WSSL_HAVE_PKCS12

#define WSSL_MAX_P12 (16u * 1024u * 1024u)
#define WSSL_MAX_P12_CERTS 1000u

/* pbeWithSHAAnd40BitRC2-CBC and pbeWithSHAAnd128BitRC2-CBC (RFC 7292
 * appendix C), as DER OID bytes. */
static const unsigned char oid_rc2_40[] = {0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86,
					   0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x06};
static const unsigned char oid_rc2_128[] = {0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86,
					    0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x05};

static bool has_bytes(const unsigned char *d, size_t len,
		      const unsigned char *needle, size_t n)
{
	for (size_t i = 0; len >= n && i <= len - n; i++)
		if (d[i] == needle[0] && memcmp(d + i, needle, n) == 0)
			return true;
	return false;
}

#if WSSL_HAVE_PKCS12_RC2
static bool rc2_unreadable(const unsigned char *der, size_t len)
{
	return false;
}
#else
/* The bundle uses RC2, which this build cannot decrypt. */
static bool rc2_unreadable(const unsigned char *der, size_t len)
{
	return has_bytes(der, len, oid_rc2_40, sizeof(oid_rc2_40)) ||
	       has_bytes(der, len, oid_rc2_128, sizeof(oid_rc2_128));
}
#endif

static void free_wolf_buf(byte *p, word32 len, bool secret)
{
	if (p == NULL)
		return;
	if (secret)
		plugtls_prov_wipe(p, len);
	XFREE(p, NULL, DYNAMIC_TYPE_PKCS);
}

static void free_wolf_list(WC_DerCertList *l)
{
	while (l != NULL) {
		WC_DerCertList *next = l->next;

		XFREE(l->buffer, NULL, DYNAMIC_TYPE_PKCS);
		XFREE(l, NULL, DYNAMIC_TYPE_PKCS);
		l = next;
	}
}

static bool spki_matches(const unsigned char *der, size_t len,
			 const struct wssl_key *k)
{
	struct ptb_x509 x;

	return ptb_x509_split(der, len, &x) == 0 &&
	       x.spki.total == k->spki_len &&
	       memcmp(x.spki.hdr, k->spki, k->spki_len) == 0;
}

plugtls_err wssl_p12_import(const unsigned char *der, size_t len,
			    const char *password, void **key_out,
			    plugtls_prov_chain_sink sink, void *arg,
			    plugtls_error *err)
{
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	WC_PKCS12 *p12 = NULL;
	byte *pkey = NULL, *cert = NULL;
	word32 pkey_len = 0, cert_len = 0;
	WC_DerCertList *ca = NULL;
	unsigned char *kcopy = NULL;
	struct wssl_key *key = NULL;
	const unsigned char *certs[WSSL_MAX_P12_CERTS];
	size_t cert_lens[WSSL_MAX_P12_CERTS], n = 0, first = 0;
	int ret;

	if (der == NULL || len == 0)
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "PKCS#12: empty input");
	if (len > WSSL_MAX_P12)
		return wssl_error(err, PLUGTLS_E_TOO_LARGE, 0,
				  "PKCS#12: %zu bytes is too large", len);
	/* wc_d2i_PKCS12 reads the outer structure; it must be the whole
	 * input (a truncated bundle is malformed, not a bad password). */
	{
		struct ptb_der d;
		struct ptb_tlv t;

		ptb_der_init(&d, der, len);
		if (ptb_der_expect(&d, 0x30, &t) != 0 || !ptb_der_done(&d))
			return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
					  "PKCS#12: not a DER PFX");
	}
	p12 = wc_PKCS12_new();
	if (p12 == NULL)
		return wssl_error(err, PLUGTLS_E_NOMEM, 0, "PKCS#12");
	ret = wc_d2i_PKCS12(der, (word32)len, p12);
	if (ret != 0) {
		rc = wssl_error(err,
				ret == MEMORY_E ? PLUGTLS_E_NOMEM
						: PLUGTLS_E_MALFORMED,
				ret, "PKCS#12: not a PFX bundle");
		goto out;
	}
	/* No password: try the empty one (the MAC then decides). */
	ret = wc_PKCS12_parse(p12, password ? password : "", &pkey, &pkey_len,
			      &cert, &cert_len, &ca);
	if (ret == MAC_CMP_FAILED_E) {
		rc = wssl_error(err, PLUGTLS_E_BAD_PASSWORD, ret,
				"PKCS#12: the MAC does not verify (wrong "
				"password or damaged bundle)");
		goto out;
	}
	if (ret == MEMORY_E) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, ret, "PKCS#12");
		goto out;
	}
	if (ret != 0) {
		if (rc2_unreadable(der, len))
			rc = wssl_error(err, PLUGTLS_E_UNSUPPORTED, ret,
					"PKCS#12: the bundle is encrypted with "
					"RC2 (a \"legacy\" bundle), which this "
					"wolfSSL build cannot read (capability "
					"pkcs12-legacy)");
		else
			rc = wssl_error(err, PLUGTLS_E_MALFORMED, ret,
					"PKCS#12: cannot read the bundle");
		goto out;
	}
	/* Every certificate: wolfSSL's match for the key, then the rest. */
	if (cert != NULL) {
		certs[n] = cert;
		cert_lens[n++] = cert_len;
	}
	for (WC_DerCertList *l = ca; l != NULL; l = l->next) {
		if (n == WSSL_MAX_P12_CERTS) {
			rc = wssl_error(err, PLUGTLS_E_TOO_LARGE, 0,
					"PKCS#12: too many certificates");
			goto out;
		}
		certs[n] = l->buffer;
		cert_lens[n++] = l->bufferSz;
	}
	if (pkey == NULL || pkey_len == 0) {
		rc = wssl_error(err, PLUGTLS_E_NO_KEY, 0,
				"PKCS#12: the bundle holds no private key");
		goto out;
	}
	kcopy = plugtls_prov_malloc(pkey_len);
	if (kcopy == NULL) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "PKCS#12");
		goto out;
	}
	memcpy(kcopy, pkey, pkey_len);
	rc = wssl_key_from_der(kcopy, pkey_len, false, (void **)&key, err);
	kcopy = NULL; /* taken */
	if (rc != PLUGTLS_OK)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (spki_matches(certs[i], cert_lens[i], key)) {
			first = i;
			break;
		}
	for (size_t k = 0; k < n; k++) {
		size_t i = k == 0 ? first : (k <= first ? k - 1 : k);
		struct wssl_cert c;

		wssl_cert_borrow(&c, certs[i], cert_lens[i]);
		rc = sink(arg, &c);
		if (rc != PLUGTLS_OK) {
			rc = wssl_error(err, rc, 0, "PKCS#12: certificate %zu",
					i);
			goto out;
		}
	}
	*key_out = key;
	key = NULL;
	rc = PLUGTLS_OK;
out:
	wssl_key_free(key);
	free_wolf_buf(pkey, pkey_len, true);
	free_wolf_buf(cert, cert_len, false);
	free_wolf_list(ca);
	wc_PKCS12_free(p12);
	return rc;
}

#endif
