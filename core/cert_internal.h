/*
 * Private helpers of the certificate stack (cert.c, pem.c, x509check.c,
 * pins.c). Hidden like everything in internal.h; the unit tests reach them
 * through the static core library.
 */
#ifndef PLUGTLS_CORE_CERT_INTERNAL_H
#define PLUGTLS_CORE_CERT_INTERNAL_H

#include "internal.h"

/* Limits on what a backend may report for one certificate. They bound the
 * work done on untrusted input; a certificate over a limit is refused with
 * PLUGTLS_E_TOO_LARGE (or PLUGTLS_E_MALFORMED for a value that cannot be
 * right, such as a 5-byte IP address). */
#define PT_MAX_DN_ATTRS 256u     /* attributes in one distinguished name */
#define PT_MAX_ATTR_VALUE 16384u /* bytes of one attribute value */
#define PT_MAX_SANS 10000u       /* subjectAltName entries */
#define PT_MAX_SAN_VALUE 16384u  /* bytes of one DNS/EMAIL/URI SAN */
#define PT_MAX_SERIAL 256u       /* bytes of a serial number (RFC: 20) */
#define PT_MAX_OID 127u          /* characters of a dotted OID */

/* Indices of plugtls_cert.has_fields[]: which optional or required fields
 * the backend reported. */
enum pt_field {
	PT_F_DER = 0,
	PT_F_SPKI = 1,
	PT_F_SERIAL = 2,
	PT_F_VALIDITY = 3,
	PT_F_SIG_ALG = 4,
	PT_F_KEY = 5,
	PT_F_BASIC_CONSTRAINTS = 6,
	PT_F_EKU = 7
};

/* ---- pem.c ------------------------------------------------------------- */

/* data is exactly one DER SEQUENCE (tag 0x30, definite minimal length) and
 * nothing else: what a DER certificate must look like before a provider
 * sees it. */
PT_HIDDEN bool pt_der_is_sequence(const void *data, size_t len);

/* ---- fields.c: the builder backends fill (plugtls_prov_fields_*) ------- */

/* The builder is private to the certificate stack (fields.c fills it,
 * certfmt.c formats it); backends see only the opaque type. */
#define PT_FIELDS_MAGIC 0x7074666cu /* "ptfl" */

struct pt_attr {
	char *oid;
	unsigned char *value;
	size_t len;
	unsigned rdn;
};

struct pt_dn {
	struct pt_attr *a;
	size_t n, cap;
};

struct plugtls_prov_fields {
	uint32_t magic;
	unsigned want;     /* PLUGTLS_PROV_WANT_*: what the core will read */
	plugtls_error err; /* first failure of a builder call: sticky */
	bool has[8];       /* enum pt_field */
	unsigned char *der;
	size_t der_len;
	struct pt_dn dn[2];
	pt_san *sans;
	size_t n_sans, cap_sans;
	unsigned eku;
	unsigned char *spki;
	size_t spki_len;
	unsigned char *serial;
	size_t serial_len;
	int64_t not_before, not_after;
	plugtls_prov_key_type key_type;
	unsigned key_bits;
	char sig_oid[64];
	bool is_ca;
	int path_len;
};

/* Every field a builder can ask for. */
#define PT_WANT_ALL                                                            \
	(PLUGTLS_PROV_WANT_NAMES | PLUGTLS_PROV_WANT_DER |                     \
	 PLUGTLS_PROV_WANT_SERIAL | PLUGTLS_PROV_WANT_SPKI)

/* A fresh, empty field builder that asks for want (PLUGTLS_PROV_WANT_*;
 * fields it does not ask for are dropped when reported). NULL when out of
 * memory. */
PT_HIDDEN plugtls_prov_fields *pt_fields_new(unsigned want);
PT_HIDDEN void pt_fields_free(plugtls_prov_fields *f);
PT_HIDDEN void pt_sans_free(pt_san *sans, size_t n);
/* Validate a dotted OID: two arcs or more, digits only, no empty arc, no
 * leading zero in an arc, at most PT_MAX_OID characters. */
PT_HIDDEN bool pt_oid_valid(const char *oid);

/* ---- certfmt.c: formatting ---------------------------------------------- */

/* Format the fields collected in f into a new certificate bound to p (p may
 * be NULL in unit tests: the certificate then never gets a native). The
 * DER, SPKI and SANs move from f into the certificate; free f afterwards
 * in every case. Missing required fields give PLUGTLS_E_INTERNAL naming
 * the field; an error a builder call recorded earlier is returned again.
 * A builder that did not want every field gives a partial certificate
 * (plugtls_cert.partial): only for the core's own checks. */
PT_HIDDEN plugtls_err pt_cert_from_fields(const plugtls_provider *p,
					  plugtls_prov_fields *f,
					  plugtls_cert **out,
					  plugtls_error *err);

/* Compute c's pin and fingerprint once, on first use (thread-safe). */
PT_HIDDEN void pt_cert_hashes(const plugtls_cert *c);

/* ---- x509check.c -------------------------------------------------------- */

/* Static name of a signature algorithm OID, or NULL when not in the table;
 * *weak (may be NULL) is set when it hashes with MD2, MD4, MD5, SHA-0 or
 * SHA-1. */
PT_HIDDEN const char *pt_sig_alg_name(const char *oid, bool *weak);
/* "RSA", "EC", "ED25519", "ED448", "DSA" or "unknown". */
PT_HIDDEN const char *pt_cert_key_type_name(plugtls_prov_key_type t);

/* One DNS SAN (printed form) against one DNS host name, by the rules of
 * pt_check_host. Exposed for the host-matching table tests. */
PT_HIDDEN bool pt_dns_match(const char *pattern, const char *host);
/* The signature algorithm of c is weak (see pt_check_policy). */
PT_HIDDEN bool pt_cert_weak_sig(const plugtls_cert *c);
/* The public key of c is too short (RSA/DSA < 2048, EC < 224 bits). */
PT_HIDDEN bool pt_cert_weak_key(const plugtls_cert *c);

#endif
