/*
 * wolfSSL backend: certificates and their fields.
 *
 * A native is the certificate's DER. wc_ParseCert() (wolfCrypt's own X.509
 * parser, no verification) decides whether a certificate is acceptable.
 * The fields are then read from the DER by the backends' shared reader
 * (backends/common/ptb_der.c): DecodedCert keeps
 * names as fixed per-attribute fields, moves e-mail SANs to a second list,
 * and knows EKUs and signature algorithms only as bits and OID sums; and a
 * second wolfSSL parse per certificate (with the X509_NAME objects Debian's
 * OPENSSL_EXTRA build makes) would cost more than the handshake's own
 * verification of it.
 *
 * The strings are handed to the core as raw UTF-8 exactly as OpenSSL's
 * ASN1_STRING_to_UTF8() makes them, so every provider prints the same:
 * UTF8String as is (validated), BMPString and UniversalString decoded,
 * and the one-byte string types (PrintableString, IA5String, T61String,
 * NumericString, VisibleString) taken as Latin-1.
 */
#include <wolfssl/options.h>

#include "wssl_int.h"

#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <limits.h>
#include <string.h>
#include <time.h>

#define WSSL_MAX_CERT (16u * 1024u * 1024u)

void wssl_cert_borrow(struct wssl_cert *c, const unsigned char *der, size_t len)
{
	c->der = (unsigned char *)der;
	c->len = len;
	c->borrowed = true;
}

/* Parse with wolfCrypt; dc must be freed with wc_FreeDecodedCert. */
static int cert_parse(DecodedCert *dc, const unsigned char *der, size_t len)
{
	wc_InitDecodedCert(dc, der, (word32)len, NULL);
	return wc_ParseCert(dc, CERT_TYPE, NO_VERIFY, NULL);
}

/* A failed allocation is not a malformed certificate. (wolfSSL 5.5 reports
 * some failed allocations inside its name parsing as ASN_PARSE_E, which
 * cannot be told apart from bad input: those stay MALFORMED.) */
static plugtls_err parse_code(int ret)
{
	return ret == MEMORY_E ? PLUGTLS_E_NOMEM : PLUGTLS_E_MALFORMED;
}

plugtls_err wssl_cert_from_der(const unsigned char *der, size_t len, void **out,
			       plugtls_error *err)
{
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	struct wssl_cert *c = NULL;
	DecodedCert *dc = NULL;
	struct ptb_x509 x;
	int ret;

	if (der == NULL || len == 0)
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "certificate: empty input");
	if (len > WSSL_MAX_CERT)
		return wssl_error(err, PLUGTLS_E_TOO_LARGE, 0,
				  "certificate: %zu bytes is too large", len);
	dc = plugtls_prov_malloc(sizeof(*dc));
	c = plugtls_prov_calloc(1, sizeof(*c));
	if (dc == NULL || c == NULL) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "certificate");
		goto out_nodc;
	}
	ret = cert_parse(dc, der, len);
	wc_FreeDecodedCert(dc);
	if (ret != 0) {
		rc = wssl_error(err, parse_code(ret), ret,
				"certificate: parse");
		goto out_nodc;
	}
	/* The DER must be exactly one certificate, and its parts must be
	 * where fields() looks for them. */
	if (ptb_x509_split(der, len, &x) != 0) {
		rc = wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				"certificate: malformed DER");
		goto out_nodc;
	}
	c->der = plugtls_prov_malloc(len);
	if (c->der == NULL) {
		rc = wssl_error(err, PLUGTLS_E_NOMEM, 0, "certificate");
		goto out_nodc;
	}
	memcpy(c->der, der, len);
	c->len = len;
	*out = c;
	c = NULL;
	rc = PLUGTLS_OK;
out_nodc:
	plugtls_prov_free(dc);
	wssl_cert_free(c);
	return rc;
}

void wssl_cert_free(void *native)
{
	struct wssl_cert *c = native;

	if (c == NULL || c->borrowed)
		return;
	plugtls_prov_free(c->der);
	plugtls_prov_free(c);
}

/* ---- string conversion ------------------------------------------------- */

static size_t utf8_put(unsigned char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char b = s[i];
		size_t n;
		uint32_t cp, min;

		if (b < 0x80) {
			i++;
			continue;
		}
		if ((b & 0xe0) == 0xc0) {
			n = 1, cp = b & 0x1f, min = 0x80;
		} else if ((b & 0xf0) == 0xe0) {
			n = 2, cp = b & 0x0f, min = 0x800;
		} else if ((b & 0xf8) == 0xf0) {
			n = 3, cp = b & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (n > len - i - 1)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* Convert a directory string to UTF-8 into a new buffer (at most 2 bytes
 * out per byte in: Latin-1 doubles, BMP x1.5, Universal x1). Returns 0,
 * -1 for a value that is not valid for its type, -2 out of memory. Types
 * that are not strings are passed through unchanged. */
static int dn_utf8(unsigned tag, const unsigned char *v, size_t len,
		   unsigned char **out, size_t *out_len)
{
	unsigned char *o;
	size_t n = 0;

	o = plugtls_prov_malloc(len * 2 + 1);
	if (o == NULL)
		return -2;
	switch (tag) {
	case 0x0c: /* UTF8String */
		if (!utf8_valid(v, len))
			goto bad;
		memcpy(o, v, len);
		n = len;
		break;
	case 0x12: /* NumericString */
	case 0x13: /* PrintableString */
	case 0x14: /* T61String: OpenSSL reads it as Latin-1 too */
	case 0x16: /* IA5String */
	case 0x1a: /* VisibleString */
		for (size_t i = 0; i < len; i++)
			n += utf8_put(o + n, v[i]);
		break;
	case 0x1e: /* BMPString: UCS-2 big-endian */
		if (len % 2)
			goto bad;
		for (size_t i = 0; i < len; i += 2) {
			uint32_t cp = ((uint32_t)v[i] << 8) | v[i + 1];

			if (cp >= 0xd800 && cp <= 0xdfff)
				goto bad;
			n += utf8_put(o + n, cp);
		}
		break;
	case 0x1c: /* UniversalString: UCS-4 big-endian */
		if (len % 4)
			goto bad;
		for (size_t i = 0; i < len; i += 4) {
			uint32_t cp = ((uint32_t)v[i] << 24) |
				      ((uint32_t)v[i + 1] << 16) |
				      ((uint32_t)v[i + 2] << 8) | v[i + 3];

			if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
				goto bad;
			n += utf8_put(o + n, cp);
		}
		break;
	default:
		memcpy(o, v, len);
		n = len;
		break;
	}
	*out = o;
	*out_len = n;
	return 0;
bad:
	plugtls_prov_free(o);
	return -1;
}

/* Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF
 * AttributeTypeAndValue { type OID, value ANY }), reported in DER order. */
static plugtls_err report_name(plugtls_prov_fields *f, int which,
			       const struct ptb_tlv *name, plugtls_error *err)
{
	const char *label =
		which == PLUGTLS_PROV_SUBJECT ? "subject" : "issuer";
	struct ptb_der rdns;
	struct ptb_tlv rdn;
	unsigned idx = 0;

	ptb_der_enter(name, &rdns);
	while (!ptb_der_done(&rdns)) {
		struct ptb_der atvs;
		struct ptb_tlv atv;

		if (ptb_der_expect(&rdns, 0x31, &rdn) != 0)
			return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
					  "certificate %s: malformed name",
					  label);
		ptb_der_enter(&rdn, &atvs);
		while (!ptb_der_done(&atvs)) {
			struct ptb_der a;
			struct ptb_tlv type, value;
			char oid[96];
			unsigned char *utf8 = NULL;
			size_t ulen = 0;
			plugtls_err rc;
			int r;

			if (ptb_der_expect(&atvs, 0x30, &atv) != 0)
				goto bad;
			ptb_der_enter(&atv, &a);
			if (ptb_der_expect(&a, 0x06, &type) != 0 ||
			    ptb_der_next(&a, &value) != 0 ||
			    ptb_oid_dotted(type.val, type.len, oid,
					   sizeof(oid)) != 0)
				goto bad;
			r = dn_utf8(value.tag, value.val, value.len, &utf8,
				    &ulen);
			if (r == -2)
				return wssl_error(err, PLUGTLS_E_NOMEM, 0,
						  "certificate %s", label);
			if (r != 0)
				return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
						  "certificate %s: attribute %s"
						  " is not a valid string",
						  label, oid);
			rc = plugtls_prov_fields_dn(f, which, idx, oid, utf8,
						    ulen);
			plugtls_prov_free(utf8);
			if (rc != PLUGTLS_OK)
				return rc;
		}
		idx++;
	}
	return PLUGTLS_OK;
bad:
	return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
			  "certificate %s: malformed attribute", label);
}

/* Seconds since the epoch of a Time (the whole TLV). */
static int date_to_epoch(const struct ptb_tlv *tm_tlv, int64_t *out)
{
	const byte *raw = tm_tlv->hdr;
	int raw_len = (int)tm_tlv->total;
	const byte *date;
	byte format;
	int len;
	struct tm tm;
	time_t t;

	if (raw == NULL ||
	    wc_GetDateInfo(raw, raw_len, &date, &format, &len) != 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (wc_GetDateAsCalendarTime(date, len, format, &tm) != 0)
		return -1;
	t = timegm(&tm);
	if (t == (time_t)-1 &&
	    !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31 &&
	      tm.tm_hour == 23 && tm.tm_min == 59 && tm.tm_sec == 59))
		return -1;
	*out = (int64_t)t;
	return 0;
}

/* Bit length of a big-endian magnitude. */
static unsigned be_bits(const unsigned char *p, size_t len)
{
	while (len > 0 && *p == 0)
		p++, len--;
	if (len == 0)
		return 0;
	unsigned bits = (unsigned)(len - 1) * 8;
	for (unsigned char b = *p; b; b >>= 1)
		bits++;
	return bits;
}

/* Curve sizes by OID, as OpenSSL reports them (order bits): a table,
 * because wolfCrypt gives curve sizes in bytes (66 for P-521). */
static const struct {
	const char *oid;
	unsigned bits;
} ec_curves[] = {
	{"1.2.840.10045.3.1.7", 256},   /* P-256 */
	{"1.3.132.0.34", 384},          /* P-384 */
	{"1.3.132.0.35", 521},          /* P-521 */
	{"1.3.132.0.33", 224},          /* P-224 */
	{"1.2.840.10045.3.1.1", 192},   /* P-192 */
	{"1.3.132.0.10", 256},          /* secp256k1 */
	{"1.3.36.3.3.2.8.1.1.7", 256},  /* brainpoolP256r1 */
	{"1.3.36.3.3.2.8.1.1.11", 384}, /* brainpoolP384r1 */
	{"1.3.36.3.3.2.8.1.1.13", 512}, /* brainpoolP512r1 */
};

plugtls_err wssl_spki_info(const unsigned char *spki, size_t len,
			   plugtls_prov_key_type *type, unsigned *bits)
{
	struct ptb_der d, s, a;
	struct ptb_tlv t, alg, oid, params, key;
	char dotted[96];

	*type = PLUGTLS_PROV_KEY_UNKNOWN;
	*bits = 0;
	ptb_der_init(&d, spki, len);
	if (ptb_der_expect(&d, 0x30, &t) != 0)
		return PLUGTLS_E_MALFORMED;
	ptb_der_enter(&t, &s);
	if (ptb_der_expect(&s, 0x30, &alg) != 0 ||
	    ptb_der_expect(&s, 0x03, &key) != 0 || key.len < 1)
		return PLUGTLS_E_MALFORMED;
	ptb_der_enter(&alg, &a);
	if (ptb_der_expect(&a, 0x06, &oid) != 0 ||
	    ptb_oid_dotted(oid.val, oid.len, dotted, sizeof(dotted)) != 0)
		return PLUGTLS_E_MALFORMED;
	memset(&params, 0, sizeof(params));
	if (!ptb_der_done(&a) && ptb_der_next(&a, &params) != 0)
		return PLUGTLS_E_MALFORMED;

	if (strcmp(dotted, "1.2.840.113549.1.1.1") == 0 ||
	    strcmp(dotted, "1.2.840.113549.1.1.10") == 0) {
		const byte *n = NULL, *e = NULL;
		word32 idx = 0, n_len = 0, e_len = 0;

		/* The BIT STRING holds RSAPublicKey; wolfCrypt locates the
		 * modulus, whose exact bit length is the key size. */
		if (wc_RsaPublicKeyDecode_ex(key.val + 1, &idx,
					     (word32)(key.len - 1), &n, &n_len,
					     &e, &e_len) != 0)
			return PLUGTLS_E_MALFORMED;
		*type = dotted[20] == '0' ? PLUGTLS_PROV_KEY_RSA_PSS
					  : PLUGTLS_PROV_KEY_RSA;
		*bits = be_bits(n, n_len);
	} else if (strcmp(dotted, "1.2.840.10045.2.1") == 0) {
		char curve[96];

		*type = PLUGTLS_PROV_KEY_EC;
		if (params.tag != 0x06 ||
		    ptb_oid_dotted(params.val, params.len, curve,
				   sizeof(curve)) != 0)
			return PLUGTLS_OK; /* explicit parameters: unknown */
		for (size_t i = 0; i < sizeof(ec_curves) / sizeof(ec_curves[0]);
		     i++)
			if (strcmp(curve, ec_curves[i].oid) == 0)
				*bits = ec_curves[i].bits;
		if (*bits == 0) {
			int id = wc_ecc_get_curve_id_from_oid(
				params.val, (word32)params.len);
			int sz =
				id >= 0 ? wc_ecc_get_curve_size_from_id(id) : 0;

			*bits = sz > 0 ? (unsigned)sz * 8 : 0;
		}
	} else if (strcmp(dotted, "1.3.101.112") == 0) {
		*type = PLUGTLS_PROV_KEY_ED25519;
		*bits = 256;
	} else if (strcmp(dotted, "1.3.101.113") == 0) {
		*type = PLUGTLS_PROV_KEY_ED448;
		*bits = 456;
	} else if (strcmp(dotted, "1.2.840.10040.4.1") == 0) {
		struct ptb_der pq;
		struct ptb_tlv p;

		*type = PLUGTLS_PROV_KEY_DSA;
		if (params.tag == 0x30) {
			ptb_der_enter(&params, &pq);
			if (ptb_der_expect(&pq, 0x02, &p) == 0)
				*bits = be_bits(p.val, p.len);
		}
	}
	return PLUGTLS_OK;
}

plugtls_err wssl_cert_fields(void *native, plugtls_prov_fields *f,
			     plugtls_error *err)
{
	struct wssl_cert *c = native;
	plugtls_err rc;
	struct ptb_x509 x;
	plugtls_prov_key_type kt;
	unsigned bits;
	int64_t nb, na;
	char sig[96];
	const unsigned char *ser;
	size_t ser_len;

	/* wolfSSL parsed and checked this DER before (wssl_cert_from_der,
	 * or the handshake for a peer's certificate, whose chain is then
	 * parsed again by wssl_verify): the fields are read from the DER. */
	if (ptb_x509_split(c->der, c->len, &x) != 0 ||
	    ptb_oid_dotted(x.sig_oid.val, x.sig_oid.len, sig, sizeof(sig)) != 0)
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "certificate: malformed DER");
	if (date_to_epoch(&x.not_before, &nb) != 0 ||
	    date_to_epoch(&x.not_after, &na) != 0)
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "certificate: validity dates");
	if (wssl_spki_info(x.spki.hdr, x.spki.total, &kt, &bits) != PLUGTLS_OK)
		return wssl_error(err, PLUGTLS_E_MALFORMED, 0,
				  "certificate: subjectPublicKeyInfo");
	/* The serial as a magnitude: drop the DER sign byte(s). */
	ser = x.serial.val;
	ser_len = x.serial.len;
	while (ser_len > 1 && ser[0] == 0)
		ser++, ser_len--;

	if (plugtls_prov_fields_wants(f, PLUGTLS_PROV_WANT_NAMES) &&
	    ((rc = report_name(f, PLUGTLS_PROV_SUBJECT, &x.subject, err)) !=
		     PLUGTLS_OK ||
	     (rc = report_name(f, PLUGTLS_PROV_ISSUER, &x.issuer, err)) !=
		     PLUGTLS_OK))
		return rc;
	/* DER, SPKI and serial are slices of the DER: the core copies them
	 * only when it wants them. */
	if ((rc = plugtls_prov_fields_der(f, c->der, c->len)) != PLUGTLS_OK ||
	    (rc = ptb_report_sans(f, &x, err)) != PLUGTLS_OK ||
	    (rc = ptb_report_eku(f, &x, err)) != PLUGTLS_OK ||
	    (rc = plugtls_prov_fields_spki(f, x.spki.hdr, x.spki.total)) !=
		    PLUGTLS_OK ||
	    (rc = plugtls_prov_fields_serial(f, ser, ser_len)) != PLUGTLS_OK ||
	    (rc = plugtls_prov_fields_validity(f, nb, na)) != PLUGTLS_OK ||
	    (rc = plugtls_prov_fields_key(f, kt, bits)) != PLUGTLS_OK ||
	    (rc = plugtls_prov_fields_sig_alg(f, sig)) != PLUGTLS_OK)
		return rc;
	return ptb_report_basic_constraints(f, &x, err);
}
