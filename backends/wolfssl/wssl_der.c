/*
 * wolfSSL backend: a small bounded DER reader.
 *
 * wolfSSL parses and checks every certificate (wc_ParseCert) before this
 * code looks at it: at wssl_cert_from_der, or in the handshake for a
 * peer's. This reader then gives the fields the core reads: the attributes
 * of a Name with their RDN index, subjectAltNames of every type in
 * certificate order, extended key usage OIDs, basic constraints, the
 * validity times, the dotted signature OID, the SubjectPublicKeyInfo
 * bytes, and the issuer and serial list of a CRL. Every length is checked
 * against the bytes that remain; nothing is allocated.
 */
#include <wolfssl/options.h>

#include "wssl_int.h"

#include <string.h>

void wssl_der_init(struct wssl_der *d, const unsigned char *p, size_t len)
{
	d->p = p;
	d->len = p ? len : 0;
	d->off = 0;
}

bool wssl_der_done(const struct wssl_der *d)
{
	return d->off >= d->len;
}

int wssl_der_peek(const struct wssl_der *d)
{
	if (d->off >= d->len)
		return -1;
	return d->p[d->off];
}

int wssl_der_next(struct wssl_der *d, struct wssl_tlv *t)
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

int wssl_der_expect(struct wssl_der *d, unsigned tag, struct wssl_tlv *t)
{
	struct wssl_der save = *d;

	if (wssl_der_next(d, t) != 0 || t->tag != tag) {
		*d = save;
		return -1;
	}
	return 0;
}

void wssl_der_enter(const struct wssl_tlv *t, struct wssl_der *inner)
{
	wssl_der_init(inner, t->val, t->len);
}

bool wssl_tlv_equal(const struct wssl_tlv *a, const struct wssl_tlv *b)
{
	return a->total == b->total && memcmp(a->hdr, b->hdr, a->total) == 0;
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

int wssl_oid_dotted(const unsigned char *oid, size_t len, char *out, size_t cap)
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
int wssl_x509_split(const unsigned char *der, size_t len, struct wssl_x509 *x)
{
	struct wssl_der top, cert, tbs, alg, val;
	struct wssl_tlv t, skip;

	memset(x, 0, sizeof(*x));
	wssl_der_init(&top, der, len);
	if (wssl_der_expect(&top, 0x30, &t) != 0 || !wssl_der_done(&top))
		return -1;
	wssl_der_enter(&t, &cert);
	if (wssl_der_expect(&cert, 0x30, &x->tbs) != 0)
		return -1;
	if (wssl_der_expect(&cert, 0x30, &t) != 0)
		return -1;
	wssl_der_enter(&t, &alg);
	if (wssl_der_expect(&alg, 0x06, &x->sig_oid) != 0)
		return -1;

	wssl_der_enter(&x->tbs, &tbs);
	if (wssl_der_peek(&tbs) == 0xa0 && wssl_der_next(&tbs, &skip) != 0)
		return -1;
	if (wssl_der_expect(&tbs, 0x02, &x->serial) != 0 ||
	    wssl_der_expect(&tbs, 0x30, &skip) != 0 || /* signature */
	    wssl_der_expect(&tbs, 0x30, &x->issuer) != 0 ||
	    wssl_der_expect(&tbs, 0x30, &t) != 0 || /* validity */
	    wssl_der_expect(&tbs, 0x30, &x->subject) != 0 ||
	    wssl_der_expect(&tbs, 0x30, &x->spki) != 0)
		return -1;
	/* Validity ::= SEQUENCE { notBefore Time, notAfter Time }, Time
	 * being UTCTime (0x17) or GeneralizedTime (0x18). */
	wssl_der_enter(&t, &val);
	if (wssl_der_next(&val, &x->not_before) != 0 ||
	    wssl_der_next(&val, &x->not_after) != 0 || !wssl_der_done(&val) ||
	    (x->not_before.tag != 0x17 && x->not_before.tag != 0x18) ||
	    (x->not_after.tag != 0x17 && x->not_after.tag != 0x18))
		return -1;
	while (!wssl_der_done(&tbs)) {
		if (wssl_der_next(&tbs, &t) != 0)
			return -1;
		if (t.tag == 0xa3) {
			struct wssl_der e;

			wssl_der_enter(&t, &e);
			if (wssl_der_expect(&e, 0x30, &x->exts) != 0)
				return -1;
			x->has_exts = true;
		}
	}
	return 0;
}

int wssl_x509_ext(const struct wssl_x509 *x, const unsigned char *oid,
		  size_t oid_len, struct wssl_tlv *value, bool *critical)
{
	struct wssl_der exts;
	struct wssl_tlv ext;

	if (!x->has_exts)
		return 0;
	wssl_der_enter(&x->exts, &exts);
	while (!wssl_der_done(&exts)) {
		struct wssl_der e;
		struct wssl_tlv id, v;
		bool crit = false;

		if (wssl_der_expect(&exts, 0x30, &ext) != 0)
			return -1;
		wssl_der_enter(&ext, &e);
		if (wssl_der_expect(&e, 0x06, &id) != 0)
			return -1;
		if (wssl_der_peek(&e) == 0x01) {
			if (wssl_der_next(&e, &v) != 0 || v.len != 1)
				return -1;
			crit = v.val[0] != 0;
		}
		if (wssl_der_expect(&e, 0x04, &v) != 0)
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

/* CertificateList ::= SEQUENCE { tbsCertList SEQUENCE { version INTEGER
 * OPTIONAL, signature, issuer, thisUpdate, nextUpdate OPTIONAL,
 * revokedCertificates SEQUENCE OF … OPTIONAL, [0] crlExtensions
 * OPTIONAL }, … } (RFC 5280 5.1). */
int wssl_crl_split(const unsigned char *der, size_t len, struct wssl_crl *c)
{
	struct wssl_der top, crl, tbs;
	struct wssl_tlv t, skip;
	int tag;

	memset(c, 0, sizeof(*c));
	wssl_der_init(&top, der, len);
	if (wssl_der_expect(&top, 0x30, &t) != 0 || !wssl_der_done(&top))
		return -1;
	wssl_der_enter(&t, &crl);
	if (wssl_der_expect(&crl, 0x30, &t) != 0)
		return -1;
	wssl_der_enter(&t, &tbs);
	if (wssl_der_peek(&tbs) == 0x02 && wssl_der_next(&tbs, &skip) != 0)
		return -1;
	if (wssl_der_expect(&tbs, 0x30, &skip) != 0 ||
	    wssl_der_expect(&tbs, 0x30, &c->issuer) != 0)
		return -1;
	if (wssl_der_next(&tbs, &skip) != 0) /* thisUpdate */
		return -1;
	tag = wssl_der_peek(&tbs);
	if ((tag == 0x17 || tag == 0x18) && wssl_der_next(&tbs, &skip) != 0)
		return -1;
	if (wssl_der_peek(&tbs) == 0x30) {
		if (wssl_der_next(&tbs, &c->revoked) != 0)
			return -1;
		c->has_revoked = true;
	}
	return 0;
}

int wssl_crl_lists(const struct wssl_crl *c, const struct wssl_tlv *serial)
{
	struct wssl_der list;
	struct wssl_tlv entry;

	if (!c->has_revoked)
		return 0;
	wssl_der_enter(&c->revoked, &list);
	while (!wssl_der_done(&list)) {
		struct wssl_der e;
		struct wssl_tlv s;

		if (wssl_der_expect(&list, 0x30, &entry) != 0)
			return -1;
		wssl_der_enter(&entry, &e);
		if (wssl_der_expect(&e, 0x02, &s) != 0)
			return -1;
		if (s.len == serial->len &&
		    memcmp(s.val, serial->val, s.len) == 0)
			return 1;
	}
	return 0;
}
