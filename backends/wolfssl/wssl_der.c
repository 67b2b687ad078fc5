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

/* CertificateList ::= SEQUENCE { tbsCertList SEQUENCE { version INTEGER
 * OPTIONAL, signature, issuer, thisUpdate, nextUpdate OPTIONAL,
 * revokedCertificates SEQUENCE OF … OPTIONAL, [0] crlExtensions
 * OPTIONAL }, … } (RFC 5280 5.1). */
int wssl_crl_split(const unsigned char *der, size_t len, struct wssl_crl *c)
{
	struct ptb_der top, crl, tbs;
	struct ptb_tlv t, skip;
	int tag;

	memset(c, 0, sizeof(*c));
	ptb_der_init(&top, der, len);
	if (ptb_der_expect(&top, 0x30, &t) != 0 || !ptb_der_done(&top))
		return -1;
	ptb_der_enter(&t, &crl);
	if (ptb_der_expect(&crl, 0x30, &t) != 0)
		return -1;
	ptb_der_enter(&t, &tbs);
	if (ptb_der_peek(&tbs) == 0x02 && ptb_der_next(&tbs, &skip) != 0)
		return -1;
	if (ptb_der_expect(&tbs, 0x30, &skip) != 0 ||
	    ptb_der_expect(&tbs, 0x30, &c->issuer) != 0)
		return -1;
	if (ptb_der_next(&tbs, &skip) != 0) /* thisUpdate */
		return -1;
	tag = ptb_der_peek(&tbs);
	if ((tag == 0x17 || tag == 0x18) && ptb_der_next(&tbs, &skip) != 0)
		return -1;
	if (ptb_der_peek(&tbs) == 0x30) {
		if (ptb_der_next(&tbs, &c->revoked) != 0)
			return -1;
		c->has_revoked = true;
	}
	return 0;
}

int wssl_crl_lists(const struct wssl_crl *c, const struct ptb_tlv *serial)
{
	struct ptb_der list;
	struct ptb_tlv entry;

	if (!c->has_revoked)
		return 0;
	ptb_der_enter(&c->revoked, &list);
	while (!ptb_der_done(&list)) {
		struct ptb_der e;
		struct ptb_tlv s;

		if (ptb_der_expect(&list, 0x30, &entry) != 0)
			return -1;
		ptb_der_enter(&entry, &e);
		if (ptb_der_expect(&e, 0x02, &s) != 0)
			return -1;
		if (s.len == serial->len &&
		    memcmp(s.val, serial->val, s.len) == 0)
			return 1;
	}
	return 0;
}
