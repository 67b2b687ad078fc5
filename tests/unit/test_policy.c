/* pt_check_policy: validity at t, leaf EKU, weak algorithms and keys, on
 * hand-built chains (leaf first, anchor last). */
#include "unit.h"

#define SHA256_RSA "1.2.840.113549.1.1.11"
#define SHA1_RSA "1.2.840.113549.1.1.5"
#define MD5_RSA "1.2.840.113549.1.1.4"
#define SHA1_ECDSA "1.2.840.10045.4.1"
#define SHA256_ECDSA "1.2.840.10045.4.3.2"
#define SHA1_DSA "1.2.840.10040.4.3"
#define ED25519 "1.3.101.112"
#define PSS "1.2.840.113549.1.1.10"

#define EKU_SERVER "1.3.6.1.5.5.7.3.1"
#define EKU_CLIENT "1.3.6.1.5.5.7.3.2"
#define EKU_ANY "2.5.29.37.0"
#define EKU_OCSP "1.3.6.1.5.5.7.3.9"

struct spec {
	int64_t nb, na;
	const char *sig;
	int key; /* plugtls_prov_key_type, -1 not reported */
	unsigned bits;
	const char *eku[3];
};

static plugtls_cert *mk(const struct spec *s)
{
	plugtls_prov_fields *f = pt_fields_new(PT_WANT_ALL);
	unsigned char der[UT_DER_LEN];
	cr_assert_not_null(f);
	ut_der(1, der);
	cr_assert_eq(plugtls_prov_fields_der(f, der, sizeof(der)), 0);
	cr_assert_eq(plugtls_prov_fields_spki(f, der, sizeof(der)), 0);
	cr_assert_eq(plugtls_prov_fields_serial(f, der, 1), 0);
	cr_assert_eq(plugtls_prov_fields_validity(f, s->nb, s->na), 0);
	cr_assert_eq(plugtls_prov_fields_sig_alg(f, s->sig ? s->sig : SHA256_RSA),
		     0);
	if (s->key >= 0)
		cr_assert_eq(plugtls_prov_fields_key(
				     f, (plugtls_prov_key_type)s->key, s->bits),
			     0);
	for (size_t i = 0; i < 3 && s->eku[i]; i++)
		cr_assert_eq(plugtls_prov_fields_eku(f, s->eku[i]), 0);
	return ut_cert(f);
}

/* A good certificate: valid [1000, 2000], sha256/RSA-2048. */
#define GOOD {1000, 2000, SHA256_RSA, PLUGTLS_PROV_KEY_RSA, 2048, {NULL}}

static uint32_t check(const struct spec *specs, size_t n, int64_t t,
		      unsigned purpose)
{
	plugtls_cert *certs[8];
	plugtls_chain ch = {.certs = certs, .n = n, .cap = 8};
	cr_assert(n <= 8);
	for (size_t i = 0; i < n; i++)
		certs[i] = mk(&specs[i]);
	uint32_t r = pt_check_policy(&ch, t, purpose);
	for (size_t i = 0; i < n; i++)
		pt_cert_free(certs[i]);
	return r;
}

#define S PLUGTLS_PURPOSE_SERVER
#define C PLUGTLS_PURPOSE_CLIENT
#define EXP PLUGTLS_VERIFY_EXPIRED
#define NYV PLUGTLS_VERIFY_NOT_YET_VALID
#define PUR PLUGTLS_VERIFY_PURPOSE
#define WEAK PLUGTLS_VERIFY_WEAK_ALGORITHM

static const struct {
	const char *name;
	struct spec c[3];
	size_t n;
	int64_t t;
	unsigned purpose;
	uint32_t expect;
} rows[] = {
	{"all good", {GOOD, GOOD, GOOD}, 3, 1500, S, 0},
	{"bounds are inclusive (not_before)", {GOOD, GOOD, GOOD}, 3, 1000, S, 0},
	{"bounds are inclusive (not_after)", {GOOD, GOOD, GOOD}, 3, 2000, S, 0},
	{"before all", {GOOD, GOOD, GOOD}, 3, 999, S, NYV},
	{"after all", {GOOD, GOOD, GOOD}, 3, 2001, S, EXP},
	{"leaf expired",
	 {{1000, 1400, SHA256_RSA, 1, 2048, {NULL}}, GOOD, GOOD}, 3, 1500, S, EXP},
	{"intermediate expired",
	 {GOOD, {1000, 1400, SHA256_RSA, 1, 2048, {NULL}}, GOOD}, 3, 1500, S, EXP},
	{"anchor expired",
	 {GOOD, GOOD, {1000, 1400, SHA256_RSA, 1, 2048, {NULL}}}, 3, 1500, S, EXP},
	{"intermediate not yet valid",
	 {GOOD, {1600, 3000, SHA256_RSA, 1, 2048, {NULL}}, GOOD}, 3, 1500, S, NYV},
	{"one expired, one not yet valid",
	 {{1600, 3000, SHA256_RSA, 1, 2048, {NULL}},
	  {1000, 1400, SHA256_RSA, 1, 2048, {NULL}}, GOOD}, 3, 1500, S, EXP | NYV},
	{"inverted validity is both", {{2000, 1000, SHA256_RSA, 1, 2048, {NULL}}},
	 1, 1500, S, EXP | NYV},
	{"negative times", {{-100, -10, ED25519, 3, 256, {NULL}}}, 1, -50, S, 0},
	/* EKU of the leaf */
	{"eku server for server", {{1000, 2000, NULL, 1, 2048, {EKU_SERVER}}},
	 1, 1500, S, 0},
	{"eku server for client", {{1000, 2000, NULL, 1, 2048, {EKU_SERVER}}},
	 1, 1500, C, PUR},
	{"eku client for client", {{1000, 2000, NULL, 1, 2048, {EKU_CLIENT}}},
	 1, 1500, C, 0},
	{"eku both", {{1000, 2000, NULL, 1, 2048, {EKU_SERVER, EKU_CLIENT}}},
	 1, 1500, C, 0},
	{"eku any for server", {{1000, 2000, NULL, 1, 2048, {EKU_ANY}}},
	 1, 1500, S, 0},
	{"eku any for client", {{1000, 2000, NULL, 1, 2048, {EKU_ANY}}},
	 1, 1500, C, 0},
	{"eku other only", {{1000, 2000, NULL, 1, 2048, {EKU_OCSP}}},
	 1, 1500, S, PUR},
	{"eku other and server", {{1000, 2000, NULL, 1, 2048, {EKU_OCSP, EKU_SERVER}}},
	 1, 1500, S, 0},
	{"no eku is any purpose", {GOOD}, 1, 1500, C, 0},
	{"purpose 0 skips the check",
	 {{1000, 2000, NULL, 1, 2048, {EKU_OCSP}}}, 1, 1500, 0, 0},
	{"eku of an intermediate is not checked",
	 {GOOD, {1000, 2000, NULL, 1, 2048, {EKU_CLIENT}}, GOOD}, 3, 1500, S, 0},
	/* weak signatures: any cert but the last */
	{"sha1 leaf", {{1000, 2000, SHA1_RSA, 1, 2048, {NULL}}, GOOD}, 2, 1500, S,
	 WEAK},
	{"md5 intermediate",
	 {GOOD, {1000, 2000, MD5_RSA, 1, 2048, {NULL}}, GOOD}, 3, 1500, S, WEAK},
	{"ecdsa-sha1 leaf", {{1000, 2000, SHA1_ECDSA, 2, 256, {NULL}}, GOOD}, 2,
	 1500, S, WEAK},
	{"dsa-sha1 leaf", {{1000, 2000, SHA1_DSA, 5, 2048, {NULL}}, GOOD}, 2,
	 1500, S, WEAK},
	{"sha1 anchor is not checked",
	 {GOOD, GOOD, {1000, 2000, SHA1_RSA, 1, 2048, {NULL}}}, 3, 1500, S, 0},
	{"sha1 self-signed single cert is the anchor",
	 {{1000, 2000, SHA1_RSA, 1, 2048, {NULL}}}, 1, 1500, S, 0},
	{"pss is not judged", {{1000, 2000, PSS, 1, 2048, {NULL}}, GOOD}, 2, 1500,
	 S, 0},
	{"ecdsa-sha256 ok", {{1000, 2000, SHA256_ECDSA, 2, 256, {NULL}}, GOOD}, 2,
	 1500, S, 0},
	/* weak keys: every cert, anchor included */
	{"rsa 1024 leaf", {{1000, 2000, NULL, 1, 1024, {NULL}}, GOOD}, 2, 1500, S,
	 WEAK},
	{"rsa 2047 leaf", {{1000, 2000, NULL, 1, 2047, {NULL}}, GOOD}, 2, 1500, S,
	 WEAK},
	{"rsa 4096 leaf", {{1000, 2000, NULL, 1, 4096, {NULL}}, GOOD}, 2, 1500, S,
	 0},
	{"rsa 1024 anchor", {GOOD, {1000, 2000, NULL, 1, 1024, {NULL}}}, 2, 1500,
	 S, WEAK},
	{"rsa-pss 1024", {{1000, 2000, PSS, 6, 1024, {NULL}}, GOOD}, 2, 1500, S,
	 WEAK},
	{"dsa 1024", {{1000, 2000, NULL, 5, 1024, {NULL}}, GOOD}, 2, 1500, S,
	 WEAK},
	{"dsa 2048", {{1000, 2000, NULL, 5, 2048, {NULL}}, GOOD}, 2, 1500, S, 0},
	{"ec 192", {{1000, 2000, SHA256_ECDSA, 2, 192, {NULL}}, GOOD}, 2, 1500, S,
	 WEAK},
	{"ec 223", {{1000, 2000, SHA256_ECDSA, 2, 223, {NULL}}, GOOD}, 2, 1500, S,
	 WEAK},
	{"ec 224", {{1000, 2000, SHA256_ECDSA, 2, 224, {NULL}}, GOOD}, 2, 1500, S,
	 0},
	{"ec 256 anchor", {GOOD, {1000, 2000, SHA256_ECDSA, 2, 256, {NULL}}}, 2,
	 1500, S, 0},
	{"ed25519", {{1000, 2000, ED25519, 3, 256, {NULL}}, GOOD}, 2, 1500, S, 0},
	{"ed448", {{1000, 2000, "1.3.101.113", 4, 456, {NULL}}, GOOD}, 2, 1500, S,
	 0},
	{"unknown key type", {{1000, 2000, NULL, 0, 0, {NULL}}, GOOD}, 2, 1500, S,
	 0},
	{"key not reported", {{1000, 2000, NULL, -1, 0, {NULL}}, GOOD}, 2, 1500, S,
	 0},
	/* everything at once */
	{"expired, weak and wrong purpose",
	 {{1000, 1400, SHA1_RSA, 1, 1024, {EKU_CLIENT}}, GOOD}, 2, 1500, S,
	 EXP | WEAK | PUR},
};

Test(policy, table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t r = check(rows[i].c, rows[i].n, rows[i].t,
				   rows[i].purpose);
		cr_assert_eq(r, rows[i].expect, "%s: got 0x%x, want 0x%x",
			     rows[i].name, r, rows[i].expect);
	}
}

Test(policy, empty_chain_fails_closed)
{
	plugtls_chain ch = {0};
	cr_assert_eq(pt_check_policy(&ch, 0, S), PLUGTLS_VERIFY_OTHER);
	cr_assert_eq(pt_check_policy(NULL, 0, S), PLUGTLS_VERIFY_OTHER);
}
