/*
 * GnuTLS provider: certificates. The native is a gnutls_x509_crt_t.
 *
 * fields() reports the raw fields; the core formats them (RFC 4514, hex
 * serial, printed IP addresses, algorithm names), so that every provider
 * prints the same strings. Two places read the DER directly instead of
 * asking GnuTLS, because GnuTLS would re-encode:
 *  - the SubjectPublicKeyInfo: gnutls_pubkey_export() rebuilds the SPKI
 *    from the parsed key (e.g. it may drop or add RSA NULL parameters), and
 *    pins are a hash of the bytes as sent, so they are cut out of the
 *    certificate's own DER;
 *  - nothing else: DN attributes come from gnutls_x509_dn_get_rdn_ava(),
 *    which points into the original DER and gives the ASN.1 string tag.
 */
#include "gtls_int.h"
#include "ptb_der.h"

#include <stdlib.h>
#include <string.h>

plugtls_err gtls_cert_from_der(const unsigned char *der, size_t len, void **out,
			       plugtls_error *err)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d;
	plugtls_err rc;
	int ret;

	if (len > UINT32_MAX)
		return plugtls_prov_error(err, PLUGTLS_E_TOO_LARGE, 0,
					  "gnutls: certificate too large");
	ret = gnutls_x509_crt_init(&crt);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_NOMEM, ret, "x509_crt_init");
		goto out;
	}
	d.data = (unsigned char *)der;
	d.size = (unsigned)len;
	ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_MALFORMED, ret,
				"parse certificate (DER)");
		goto out;
	}
	*out = crt;
	crt = NULL;
	rc = PLUGTLS_OK;
out:
	if (crt)
		gnutls_x509_crt_deinit(crt);
	return rc;
}

void gtls_cert_free(void *cert)
{
	if (cert)
		gnutls_x509_crt_deinit(cert);
}

int gtls_crt_dup(gnutls_x509_crt_t crt, gnutls_x509_crt_t *out)
{
	gnutls_x509_crt_t copy = NULL;
	gnutls_datum_t der = {NULL, 0};
	int ret;

	ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der);
	if (ret < 0)
		goto out;
	ret = gnutls_x509_crt_init(&copy);
	if (ret < 0)
		goto out;
	ret = gnutls_x509_crt_import(copy, &der, GNUTLS_X509_FMT_DER);
	if (ret < 0)
		goto out;
	*out = copy;
	copy = NULL;
	ret = 0;
out:
	if (copy)
		gnutls_x509_crt_deinit(copy);
	gnutls_free(der.data);
	return ret;
}

/* ---- DN values to UTF-8 ----------------------------------------------- */

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

/*
 * The same conversion as OpenSSL's ASN1_STRING_to_UTF8(), so that both
 * providers report the same bytes:
 *  - UTF8String as it is;
 *  - the one-byte types (NumericString, PrintableString, T61String,
 *    IA5String, VisibleString, and the time types) read as ISO 8859-1,
 *    each byte one code point (OpenSSL's MBSTRING_ASC; T61 is not really
 *    Latin-1, but that is what OpenSSL does, and one answer is the point);
 *  - BMPString as UCS-2 big-endian, UniversalString as UCS-4 big-endian;
 *    surrogates and code points above U+10FFFF are refused, as OpenSSL's
 *    UTF8_putc() refuses them.
 * Any other tag, or a value that does not convert, gives -1: the caller
 * then reports the content bytes as they are, which is what the OpenSSL
 * backend does when ASN1_STRING_to_UTF8() fails.
 */
static int dn_value_utf8(unsigned long tag, const unsigned char *in, size_t len,
			 unsigned char **out, size_t *out_len)
{
	unsigned char *buf, *o;
	size_t width;

	switch (tag) {
	case 12: /* UTF8String */ width = 0; break;
	case 18:
	case 19:
	case 20:
	case 22:
	case 23:
	case 24:
	case 26: width = 1; break;
	case 30: /* BMPString */ width = 2; break;
	case 28: /* UniversalString */ width = 4; break;
	default: return -1;
	}
	if (width > 1 && len % width)
		return -1;
	if (len > SIZE_MAX / 4 - 1)
		return -1;
	buf = plugtls_prov_malloc(len * 4 + 1);
	if (!buf)
		return -2;
	o = buf;
	if (width == 0) {
		memcpy(o, in, len);
		o += len;
	} else {
		for (size_t i = 0; i < len; i += width) {
			uint32_t cp = 0;
			for (size_t k = 0; k < width; k++)
				cp = (cp << 8) | in[i + k];
			if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
				plugtls_prov_free(buf);
				return -1;
			}
			o += utf8_put(o, cp);
		}
	}
	*out = buf;
	*out_len = (size_t)(o - buf);
	return 0;
}

static plugtls_err report_dn(gnutls_x509_crt_t crt, int which,
			     plugtls_prov_fields *f, plugtls_error *err)
{
	gnutls_x509_dn_t dn = NULL;
	plugtls_err rc;
	int ret;

	ret = which == PLUGTLS_PROV_SUBJECT
		      ? gnutls_x509_crt_get_subject(crt, &dn)
		      : gnutls_x509_crt_get_issuer(crt, &dn);
	if (ret < 0)
		return gtls_error(err, PLUGTLS_E_MALFORMED, ret, "read %s name",
				  which == PLUGTLS_PROV_SUBJECT ? "subject"
								: "issuer");
	/* irdn 0 is the first RDN of the DER (gnutls_x509_dn_get_rdn_ava()
	 * reads "rdnSequence.?<irdn+1>.?<iava+1>"). A DN has at most a few
	 * dozen RDNs; the bound only stops a pathological input. */
	for (int irdn = 0; irdn < 4096; irdn++) {
		for (int iava = 0; iava < 4096; iava++) {
			gnutls_x509_ava_st ava;
			char oid[128];
			unsigned char *val = NULL;
			size_t vlen = 0;

			ret = gnutls_x509_dn_get_rdn_ava(dn, irdn, iava, &ava);
			if (ret == GNUTLS_E_ASN1_ELEMENT_NOT_FOUND) {
				if (iava == 0)
					return PLUGTLS_OK; /* no more RDNs */
				break;			   /* next RDN */
			}
			if (ret < 0)
				return gtls_error(err, PLUGTLS_E_MALFORMED, ret,
						  "read distinguished name");
			if (ava.oid.size == 0 || ava.oid.size >= sizeof(oid))
				return gtls_error(err, PLUGTLS_E_MALFORMED, 0,
						  "distinguished name: bad "
						  "attribute type");
			memcpy(oid, ava.oid.data, ava.oid.size);
			oid[ava.oid.size] = '\0';
			ret = dn_value_utf8(ava.value_tag, ava.value.data,
					    ava.value.size, &val, &vlen);
			if (ret == -2)
				return plugtls_prov_error(err, PLUGTLS_E_NOMEM,
							  0,
							  "gnutls: out of "
							  "memory");
			if (ret < 0)
				rc = plugtls_prov_fields_dn(
					f, which, (unsigned)irdn, oid,
					ava.value.data, ava.value.size);
			else
				rc = plugtls_prov_fields_dn(f, which,
							    (unsigned)irdn, oid,
							    val, vlen);
			plugtls_prov_free(val);
			if (rc)
				return rc;
		}
	}
	return gtls_error(err, PLUGTLS_E_TOO_LARGE, 0,
			  "distinguished name too large");
}

static plugtls_err report_serial(gnutls_x509_crt_t crt, plugtls_prov_fields *f,
				 plugtls_error *err)
{
	unsigned char buf[64];
	size_t size = sizeof(buf), off = 0;
	int ret;

	/* RFC 5280 caps serials at 20 octets; 64 leaves room for the
	 * non-conforming ones that are still seen. */
	ret = gnutls_x509_crt_get_serial(crt, buf, &size);
	if (ret < 0)
		return gtls_error(err, PLUGTLS_E_MALFORMED, ret, "read serial");
	/* GnuTLS gives the INTEGER's content octets: drop the sign octet(s)
	 * to report the magnitude. */
	while (off + 1 < size && buf[off] == 0)
		off++;
	return plugtls_prov_fields_serial(f, buf + off, size - off);
}

plugtls_err gtls_cert_fields(void *cert, plugtls_prov_fields *f,
			     plugtls_error *err)
{
	gnutls_x509_crt_t crt = cert;
	gnutls_datum_t der = {NULL, 0};
	struct ptb_x509 x;
	char oid[128];
	size_t oid_size = sizeof(oid);
	unsigned bits = 0;
	time_t nb, na;
	plugtls_prov_key_type kt;
	plugtls_err rc;
	int ret;

	/* The DER GnuTLS keeps (a copy, no encoding). subjectAltName,
	 * extendedKeyUsage and basicConstraints are read from it with the
	 * backends' DER reader: GnuTLS's own calls decode each extension
	 * through libtasn1's lookups by name, several times the cost. */
	ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_INTERNAL, ret,
				"export certificate");
		goto out;
	}
	if (ptb_x509_split(der.data, der.size, &x) != 0) {
		rc = gtls_error(err, PLUGTLS_E_MALFORMED, 0,
				"certificate: malformed DER");
		goto out;
	}
	if ((rc = plugtls_prov_fields_der(f, der.data, der.size)) ||
	    (rc = plugtls_prov_fields_spki(f, x.spki.hdr, x.spki.total)))
		goto out;
	if (plugtls_prov_fields_wants(f, PLUGTLS_PROV_WANT_NAMES)) {
		rc = report_dn(crt, PLUGTLS_PROV_SUBJECT, f, err);
		if (rc)
			goto out;
		rc = report_dn(crt, PLUGTLS_PROV_ISSUER, f, err);
		if (rc)
			goto out;
	}
	if ((rc = ptb_report_sans(f, &x, err)) ||
	    (rc = ptb_report_eku(f, &x, err)) ||
	    (rc = ptb_report_basic_constraints(f, &x, err)))
		goto out;
	if (plugtls_prov_fields_wants(f, PLUGTLS_PROV_WANT_SERIAL)) {
		rc = report_serial(crt, f, err);
		if (rc)
			goto out;
	}

	nb = gnutls_x509_crt_get_activation_time(crt);
	na = gnutls_x509_crt_get_expiration_time(crt);
	if (nb == (time_t)-1 || na == (time_t)-1) {
		rc = gtls_error(err, PLUGTLS_E_MALFORMED, 0,
				"certificate validity cannot be read");
		goto out;
	}
	rc = plugtls_prov_fields_validity(f, (int64_t)nb, (int64_t)na);
	if (rc)
		goto out;

	ret = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_MALFORMED, ret,
				"read public key algorithm");
		goto out;
	}
	kt = gtls_pk_type(ret, &bits);
	rc = plugtls_prov_fields_key(f, kt, bits);
	if (rc)
		goto out;

	ret = gnutls_x509_crt_get_signature_oid(crt, oid, &oid_size);
	if (ret < 0) {
		rc = gtls_error(err, PLUGTLS_E_MALFORMED, ret,
				"read signature algorithm");
		goto out;
	}
	rc = plugtls_prov_fields_sig_alg(f, oid);
out:
	gnutls_free(der.data);
	return rc;
}
