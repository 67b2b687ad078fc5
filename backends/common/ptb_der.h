/*
 * A bounded DER reader shared by the backends (compiled into each backend
 * that uses it: backends/common/CMakeLists.txt), and the certificate fields
 * read with it: subjectAltNames of every type in certificate order,
 * extended key usage OIDs and basicConstraints, reported to the core as
 * plugtls_prov_fields_* calls. The GnuTLS and wolfSSL backends read these
 * from the DER because their own field APIs cost more than the walk
 * (GnuTLS: libtasn1 lookups by name; wolfSSL: a whole second parse).
 */
#ifndef PLUGTLS_PTB_DER_H
#define PLUGTLS_PTB_DER_H

#include <plugtls/provider.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

/* One TLV: tag (low-tag-number form only), the whole element (hdr, total)
 * and its contents (val, len). */
struct ptb_tlv {
	unsigned tag;
	const unsigned char *hdr;
	size_t total;
	const unsigned char *val;
	size_t len;
};

struct ptb_der {
	const unsigned char *p;
	size_t len;
	size_t off;
};

void ptb_der_init(struct ptb_der *d, const unsigned char *p, size_t len);
/* Read the next element (definite lengths only, bounded by the reader).
 * Returns 0, or -1 at the end or on malformed input. */
int ptb_der_next(struct ptb_der *d, struct ptb_tlv *t);
/* Like ptb_der_next, but the element must carry tag. */
int ptb_der_expect(struct ptb_der *d, unsigned tag, struct ptb_tlv *t);
/* Peek at the tag of the next element (-1 at the end). */
int ptb_der_peek(const struct ptb_der *d);
bool ptb_der_done(const struct ptb_der *d);
/* A reader over the contents of t. */
void ptb_der_enter(const struct ptb_tlv *t, struct ptb_der *inner);
/* Dotted form of OID contents ("2.5.4.3"). Returns 0, -1 when malformed or
 * cap is too small. */
int ptb_oid_dotted(const unsigned char *oid, size_t len, char *out, size_t cap);

/* The parts of a certificate (RFC 5280 4.1) that the backends read from the
 * DER: each a slice of it. ptb_x509_split: 0, or -1 when der is not one
 * certificate of this shape. */
struct ptb_x509 {
	struct ptb_tlv tbs;
	struct ptb_tlv serial;                /* INTEGER */
	struct ptb_tlv issuer;                /* Name SEQUENCE */
	struct ptb_tlv not_before, not_after; /* Time (UTCTime or
						  GeneralizedTime) */
	struct ptb_tlv subject;               /* Name SEQUENCE */
	struct ptb_tlv spki;    /* SubjectPublicKeyInfo SEQUENCE */
	struct ptb_tlv sig_oid; /* OID of the outer signatureAlgorithm */
	bool has_exts;
	struct ptb_tlv exts; /* the SEQUENCE OF Extension */
};
int ptb_x509_split(const unsigned char *der, size_t len, struct ptb_x509 *x);
/* The contents octets of the id-ce extension OIDs read here (2.5.29.n). */
#define PTB_OID_CE(n) ((const unsigned char[]){0x55, 0x1d, (n)})
#define PTB_CE_SUBJECT_KEY_ID 14
#define PTB_CE_KEY_USAGE 15
#define PTB_CE_SAN 17
#define PTB_CE_BASIC_CONSTRAINTS 19
#define PTB_CE_AUTHORITY_KEY_ID 35
#define PTB_CE_EKU 37
/* Find the extension whose OID has the contents octets oid[0..oid_len-1]
 * (compared as bytes: DER has one encoding per OID); 1 found (value = the
 * OCTET STRING contents, critical set), 0 absent, -1 malformed. */
int ptb_x509_ext(const struct ptb_x509 *x, const unsigned char *oid,
		 size_t oid_len, struct ptb_tlv *value, bool *critical);
bool ptb_tlv_equal(const struct ptb_tlv *a, const struct ptb_tlv *b);
/* An authority key identifier and a subject key identifier (len 0: none)
 * agree: equal, or either is missing (RFC 5280 4.2.1.1: names alone then). */
bool ptb_keyids_agree(const struct ptb_tlv *akid, const struct ptb_tlv *skid);
/* Extensions of x, each: 1 present (values set), 0 absent, -1 malformed.
 * basicConstraints: cA, and pathLenConstraint as written (-1 absent,
 * INT_MAX for a huge one). keyUsage: the first two octets of the bits,
 * bit 0 (digitalSignature) being 0x80 of the first (keyCertSign: 0x04).
 * Key identifiers: the subject's, or the authority's keyIdentifier (0
 * when the extension has none). */
int ptb_x509_basic_constraints(const struct ptb_x509 *x, bool *is_ca,
			       int *path_len);
int ptb_x509_key_usage(const struct ptb_x509 *x, unsigned *bits);
int ptb_x509_keyid(const struct ptb_x509 *x, bool authority,
		   struct ptb_tlv *id);

/* Report the subjectAltName entries the core knows (DNS, EMAIL, URI, IP of
 * 4 or 16 bytes), extended key usage OIDs, and basicConstraints (only when
 * present; pathLenConstraint as written, INT_MAX for a huge one) of x.
 * A malformed extension is PLUGTLS_E_MALFORMED. */
plugtls_err ptb_report_sans(plugtls_prov_fields *f, const struct ptb_x509 *x,
			    plugtls_error *err);
plugtls_err ptb_report_eku(plugtls_prov_fields *f, const struct ptb_x509 *x,
			   plugtls_error *err);
plugtls_err ptb_report_basic_constraints(plugtls_prov_fields *f,
					 const struct ptb_x509 *x,
					 plugtls_error *err);

#pragma GCC visibility pop

#endif
