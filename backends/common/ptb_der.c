/*
 * The backends' bounded DER reader (ptb_der.h), and the certificate fields
 * that the GnuTLS and wolfSSL backends read with it.
 *
 * Every length is checked against the bytes that remain; nothing is
 * allocated. The provider has parsed and checked each certificate before
 * this code looks at it; this reader then finds what the core reads, in
 * certificate order, at the cost of a walk over the bytes.
 */
#include "ptb_der.h"

#include <limits.h>
#include <string.h>

void ptb_der_init(struct ptb_der *d, const unsigned char *p, size_t len)
{
	d->p = p;
	d->len = p ? len : 0;
	d->off = 0;
}

bool ptb_der_done(const struct ptb_der *d)
{
	return d->off >= d->len;
}

int ptb_der_peek(const struct ptb_der *d)
{
	if (d->off >= d->len)
		return -1;
	return d->p[d->off];
}

int ptb_der_next(struct ptb_der *d, struct ptb_tlv *t)
{
	size_t rem, off = d->off, len;
	unsigned tag;

	if (off >= d->len)
		return -1;
	rem = d->len - off;
	if (rem < 2)
		return -1;
	tag = d->p[off];
	/* High-tag-number form does not occur in the structures read here. */
	if ((tag & 0x1f) == 0x1f)
		return -1;
	off++;
	len = d->p[off++];
	if (len & 0x80) {
		size_t nbytes = len & 0x7f;

		/* DER: no indefinite length, at most 4 length bytes here. */
		if (nbytes == 0 || nbytes > 4 || nbytes > d->len - off)
			return -1;
		len = 0;
		for (size_t i = 0; i < nbytes; i++)
			len = (len << 8) | d->p[off++];
		if (len < 0x80)
			return -1; /* not minimal */
	}
	if (len > d->len - off)
		return -1;
	t->tag = tag;
	t->hdr = d->p + d->off;
	t->val = d->p + off;
	t->len = len;
	t->total = (off - d->off) + len;
	d->off = off + len;
	return 0;
}

int ptb_der_expect(struct ptb_der *d, unsigned tag, struct ptb_tlv *t)
{
	struct ptb_der save = *d;

	if (ptb_der_next(d, t) != 0 || t->tag != tag) {
		*d = save;
		return -1;
	}
	return 0;
}

void ptb_der_enter(const struct ptb_tlv *t, struct ptb_der *inner)
{
	ptb_der_init(inner, t->val, t->len);
}

bool ptb_tlv_equal(const struct ptb_tlv *a, const struct ptb_tlv *b)
{
	return a->total == b->total && memcmp(a->hdr, b->hdr, a->total) == 0;
}

bool ptb_keyids_agree(const struct ptb_tlv *akid, const struct ptb_tlv *skid)
{
	if (akid->len == 0 || skid->len == 0)
		return true;
	return akid->len == skid->len &&
	       memcmp(akid->val, skid->val, akid->len) == 0;
}

/* Append v in decimal, with a '.' before it unless first; -1 when it does
 * not fit with the terminating NUL. (No snprintf: a certificate's fields
 * convert some hundred arcs per handshake.) */
static int put_arc(char *out, size_t cap, size_t *pos, uint64_t v, bool first)
{
	char tmp[21];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (cap - *pos < n + (first ? 0 : 1) + 1)
		return -1;
	if (!first)
		out[(*pos)++] = '.';
	while (n)
		out[(*pos)++] = tmp[--n];
	out[*pos] = '\0';
	return 0;
}

int ptb_oid_dotted(const unsigned char *oid, size_t len, char *out, size_t cap)
{
	size_t pos = 0, i = 0;
	bool first = true;

	if (len == 0 || cap == 0)
		return -1;
	while (i < len) {
		uint64_t v = 0;

		/* A subidentifier: base 128, minimal (no leading 0x80). */
		if (oid[i] == 0x80)
			return -1;
		do {
			if (v > (UINT64_MAX >> 7))
				return -1;
			v = (v << 7) | (oid[i] & 0x7f);
		} while ((oid[i++] & 0x80) && i < len);
		if (oid[i - 1] & 0x80)
			return -1; /* truncated */
		if (first) {
			unsigned arc0 = v < 40 ? 0 : v < 80 ? 1 : 2;

			if (put_arc(out, cap, &pos, arc0, true) != 0 ||
			    put_arc(out, cap, &pos, v - 40u * arc0, false) != 0)
				return -1;
			first = false;
		} else if (put_arc(out, cap, &pos, v, false) != 0) {
			return -1;
		}
	}
	return 0;
}

/* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
 * signatureValue } (RFC 5280 4.1). */
int ptb_x509_split(const unsigned char *der, size_t len, struct ptb_x509 *x)
{
	struct ptb_der top, cert, tbs, alg, val;
	struct ptb_tlv t, skip;

	memset(x, 0, sizeof(*x));
	ptb_der_init(&top, der, len);
	if (ptb_der_expect(&top, 0x30, &t) != 0 || !ptb_der_done(&top))
		return -1;
	ptb_der_enter(&t, &cert);
	if (ptb_der_expect(&cert, 0x30, &x->tbs) != 0)
		return -1;
	if (ptb_der_expect(&cert, 0x30, &t) != 0)
		return -1;
	ptb_der_enter(&t, &alg);
	if (ptb_der_expect(&alg, 0x06, &x->sig_oid) != 0)
		return -1;

	ptb_der_enter(&x->tbs, &tbs);
	if (ptb_der_peek(&tbs) == 0xa0 && ptb_der_next(&tbs, &skip) != 0)
		return -1;
	if (ptb_der_expect(&tbs, 0x02, &x->serial) != 0 ||
	    ptb_der_expect(&tbs, 0x30, &skip) != 0 || /* signature */
	    ptb_der_expect(&tbs, 0x30, &x->issuer) != 0 ||
	    ptb_der_expect(&tbs, 0x30, &t) != 0 || /* validity */
	    ptb_der_expect(&tbs, 0x30, &x->subject) != 0 ||
	    ptb_der_expect(&tbs, 0x30, &x->spki) != 0)
		return -1;
	/* Validity ::= SEQUENCE { notBefore Time, notAfter Time }, Time
	 * being UTCTime (0x17) or GeneralizedTime (0x18). */
	ptb_der_enter(&t, &val);
	if (ptb_der_next(&val, &x->not_before) != 0 ||
	    ptb_der_next(&val, &x->not_after) != 0 || !ptb_der_done(&val) ||
	    (x->not_before.tag != 0x17 && x->not_before.tag != 0x18) ||
	    (x->not_after.tag != 0x17 && x->not_after.tag != 0x18))
		return -1;
	while (!ptb_der_done(&tbs)) {
		if (ptb_der_next(&tbs, &t) != 0)
			return -1;
		if (t.tag == 0xa3) {
			struct ptb_der e;

			ptb_der_enter(&t, &e);
			if (ptb_der_expect(&e, 0x30, &x->exts) != 0)
				return -1;
			x->has_exts = true;
		}
	}
	return 0;
}

int ptb_x509_ext(const struct ptb_x509 *x, const unsigned char *oid,
		 size_t oid_len, struct ptb_tlv *value, bool *critical)
{
	struct ptb_der exts;
	struct ptb_tlv ext;

	if (!x->has_exts)
		return 0;
	ptb_der_enter(&x->exts, &exts);
	while (!ptb_der_done(&exts)) {
		struct ptb_der e;
		struct ptb_tlv id, v;
		bool crit = false;

		if (ptb_der_expect(&exts, 0x30, &ext) != 0)
			return -1;
		ptb_der_enter(&ext, &e);
		if (ptb_der_expect(&e, 0x06, &id) != 0)
			return -1;
		if (ptb_der_peek(&e) == 0x01) {
			if (ptb_der_next(&e, &v) != 0 || v.len != 1)
				return -1;
			crit = v.val[0] != 0;
		}
		if (ptb_der_expect(&e, 0x04, &v) != 0)
			return -1;
		if (id.len == oid_len && memcmp(id.val, oid, oid_len) == 0) {
			*value = v;
			if (critical)
				*critical = crit;
			return 1;
		}
	}
	return 0;
}

/* ---- certificate fields ---------------------------------------------------
 */

/* The contents of an extension whose value is a SEQUENCE (OF), as a reader
 * over them: 1, 0 absent, -1 malformed. */
static int ext_seq(const struct ptb_x509 *x, unsigned ce, struct ptb_der *in)
{
	struct ptb_tlv v, seq;
	struct ptb_der d;
	int r = ptb_x509_ext(x, PTB_OID_CE(ce), 3, &v, NULL);

	if (r <= 0)
		return r;
	ptb_der_enter(&v, &d);
	if (ptb_der_expect(&d, 0x30, &seq) != 0 || !ptb_der_done(&d))
		return -1;
	ptb_der_enter(&seq, in);
	return 1;
}

/* GeneralNames (RFC 5280 4.2.1.6): rfc822Name [1], dNSName [2],
 * uniformResourceIdentifier [6] (IA5String), iPAddress [7] (4 or 16 bytes;
 * 8 or 32 are name-constraint forms and not reported). */
plugtls_err ptb_report_sans(plugtls_prov_fields *f, const struct ptb_x509 *x,
			    plugtls_error *err)
{
	struct ptb_tlv gn;
	struct ptb_der names;
	int r = ext_seq(x, PTB_CE_SAN, &names);

	if (r == 0)
		return PLUGTLS_OK;
	if (r < 0)
		goto bad;
	while (!ptb_der_done(&names)) {
		plugtls_san_type type;
		plugtls_err rc;

		if (ptb_der_next(&names, &gn) != 0)
			goto bad;
		switch (gn.tag) {
		case 0x81: type = PLUGTLS_SAN_EMAIL; break;
		case 0x82: type = PLUGTLS_SAN_DNS; break;
		case 0x86: type = PLUGTLS_SAN_URI; break;
		case 0x87:
			if (gn.len != 4 && gn.len != 16)
				continue;
			type = PLUGTLS_SAN_IP;
			break;
		default: continue;
		}
		rc = plugtls_prov_fields_san(f, type, gn.val, gn.len);
		if (rc != PLUGTLS_OK)
			return rc;
	}
	return PLUGTLS_OK;
bad:
	return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
				  "certificate: malformed subjectAltName");
}

/* ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId (RFC 5280 4.2.1.12). */
plugtls_err ptb_report_eku(plugtls_prov_fields *f, const struct ptb_x509 *x,
			   plugtls_error *err)
{
	struct ptb_tlv id;
	struct ptb_der ids;
	int r = ext_seq(x, PTB_CE_EKU, &ids);

	if (r == 0)
		return PLUGTLS_OK;
	if (r < 0)
		goto bad;
	while (!ptb_der_done(&ids)) {
		char oid[96];
		plugtls_err rc;

		if (ptb_der_expect(&ids, 0x06, &id) != 0 ||
		    ptb_oid_dotted(id.val, id.len, oid, sizeof(oid)) != 0)
			goto bad;
		rc = plugtls_prov_fields_eku(f, oid);
		if (rc != PLUGTLS_OK)
			return rc;
	}
	return PLUGTLS_OK;
bad:
	return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
				  "certificate: malformed extendedKeyUsage");
}

/* BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
 * pathLenConstraint INTEGER (0..MAX) OPTIONAL } (RFC 5280 4.2.1.9). */
int ptb_x509_basic_constraints(const struct ptb_x509 *x, bool *is_ca,
			       int *path_len)
{
	struct ptb_tlv t;
	struct ptb_der in;
	int r;

	*is_ca = false;
	*path_len = -1;
	r = ext_seq(x, PTB_CE_BASIC_CONSTRAINTS, &in);
	if (r <= 0)
		return r;
	if (ptb_der_peek(&in) == 0x01) {
		if (ptb_der_next(&in, &t) != 0 || t.len != 1)
			return -1;
		*is_ca = t.val[0] != 0;
	}
	if (!ptb_der_done(&in)) {
		uint64_t n = 0;

		if (ptb_der_expect(&in, 0x02, &t) != 0 || t.len == 0 ||
		    (t.val[0] & 0x80) || !ptb_der_done(&in))
			return -1; /* negative, empty or trailing data */
		for (size_t i = 0; i < t.len && n <= INT_MAX; i++)
			n = (n << 8) | t.val[i];
		*path_len = n > INT_MAX ? INT_MAX : (int)n;
	}
	return 1;
}

/* KeyUsage ::= BIT STRING (RFC 5280 4.2.1.3): the first two octets of
 * bits, bit 0 (digitalSignature) being 0x80 of the first. */
int ptb_x509_key_usage(const struct ptb_x509 *x, unsigned *bits)
{
	struct ptb_tlv v, b;
	struct ptb_der d;
	int r;

	*bits = 0;
	r = ptb_x509_ext(x, PTB_OID_CE(PTB_CE_KEY_USAGE), 3, &v, NULL);
	if (r <= 0)
		return r;
	ptb_der_enter(&v, &d);
	if (ptb_der_expect(&d, 0x03, &b) != 0 || !ptb_der_done(&d) ||
	    b.len < 1 || b.val[0] > 7)
		return -1;
	if (b.len > 1)
		*bits = b.val[1];
	if (b.len > 2)
		*bits |= (unsigned)b.val[2] << 8;
	return 1;
}

/* SubjectKeyIdentifier ::= KeyIdentifier (OCTET STRING);
 * AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT
 * KeyIdentifier OPTIONAL, ... } (RFC 5280 4.2.1.1, 4.2.1.2). */
int ptb_x509_keyid(const struct ptb_x509 *x, bool authority, struct ptb_tlv *id)
{
	struct ptb_tlv v;
	struct ptb_der d, in;
	int r;

	memset(id, 0, sizeof(*id));
	if (authority) {
		r = ext_seq(x, PTB_CE_AUTHORITY_KEY_ID, &in);
		if (r <= 0)
			return r;
		if (ptb_der_peek(&in) != 0x80)
			return 0; /* no keyIdentifier */
		return ptb_der_next(&in, id) == 0 ? 1 : -1;
	}
	r = ptb_x509_ext(x, PTB_OID_CE(PTB_CE_SUBJECT_KEY_ID), 3, &v, NULL);
	if (r <= 0)
		return r;
	ptb_der_enter(&v, &d);
	if (ptb_der_expect(&d, 0x04, id) != 0 || !ptb_der_done(&d))
		return -1;
	return 1;
}

plugtls_err ptb_report_basic_constraints(plugtls_prov_fields *f,
					 const struct ptb_x509 *x,
					 plugtls_error *err)
{
	bool is_ca;
	int path_len;
	int r = ptb_x509_basic_constraints(x, &is_ca, &path_len);

	if (r == 0)
		return PLUGTLS_OK;
	if (r < 0)
		return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 0,
					  "certificate: malformed "
					  "basicConstraints");
	return plugtls_prov_fields_basic_constraints(f, is_ca ? 1 : 0,
						     path_len);
}
