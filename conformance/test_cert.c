/*
 * Certificate parsing and fields, on every provider. Each field is compared
 * with what the openssl command says about the same file (the <name>.serial,
 * .dates, .spki.der and .sha256 files written by gen-fixtures.sh) or with
 * the value the fixture was made with (subjects, SANs, key types), so that
 * every provider must print exactly the same strings.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cr_expect_str_eq that shows both strings, and fails (not crashes) on
 * NULL. The arguments after want are a printf format and its values. */
#define EXPECT_STR(got, want, ...)                                             \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		char m_[256];                                                  \
		snprintf(m_, sizeof(m_), __VA_ARGS__);                         \
		cr_expect(g_ != NULL && w_ != NULL && !strcmp(g_, w_),         \
			  "%s: \"%s\", expected \"%s\"", m_,                   \
			  g_ ? g_ : "(null)", w_ ? w_ : "(null)");             \
	} while (0)

#define ROOT_DN "CN=plugtls Test Root CA,O=plugtls test,C=GB"
#define INT_DN "CN=plugtls Test Intermediate CA,O=plugtls test,C=GB"
#define OTHER_DN "CN=plugtls Other Root CA,O=plugtls test,C=GB"
#define UNKNOWN_DN "CN=plugtls Unknown Root CA,O=plugtls test,C=GB"
#define PATHLEN0_DN "CN=plugtls Pathlen0 CA,O=plugtls test,C=GB"
#define NC_DN "CN=plugtls Constrained CA,O=plugtls test,C=GB"
#define ESC_DN                                                                 \
	"CN=a\\,b\\+c \\\"q\\\" \\<d\\>\\;e\\\\f=g,OU=a+OU=b,O=\\#hash,"       \
	"L=Z\xc3\xbcrich,C=GB"

#define ECDSA256 "ecdsa-with-SHA256"

struct san {
	plugtls_san_type type;
	const char *value;
};

/* clang-format off */
#define SAN_STD                                                                \
	{ { PLUGTLS_SAN_DNS, "localhost" },                                    \
	  { PLUGTLS_SAN_DNS, "server.test" },                                  \
	  { PLUGTLS_SAN_IP, "127.0.0.1" },                                     \
	  { PLUGTLS_SAN_IP, "::1" } }
/* clang-format on */

struct ccase {
	const char *name; /* fixture base name: <name>.pem, .serial, … */
	const char *subject, *issuer;
	const char *key_type;
	unsigned key_bits;
	const char *sig_alg;
	int is_ca, path_len;
	unsigned eku;
	struct san sans[8]; /* terminated by type 0 */
	uint64_t caps;
};

/* clang-format off */
static const struct ccase ccases[] = {
	{ "ca", ROOT_DN, ROOT_DN, "EC", 256, ECDSA256, 1, -1, 0, { { 0 } }, 0 },
	{ "int", INT_DN, ROOT_DN, "EC", 256, ECDSA256, 1, 0, 0, { { 0 } }, 0 },
	{ "server-ec", "CN=localhost", INT_DN, "EC", 256, ECDSA256, 0, -1,
	  PLUGTLS_PURPOSE_SERVER, SAN_STD, 0 },
	{ "server-rsa", "CN=localhost", INT_DN, "RSA", 2048, ECDSA256, 0, -1,
	  PLUGTLS_PURPOSE_SERVER, SAN_STD, PLUGTLS_CAP_RSA },
	{ "server-ed25519", "CN=localhost", INT_DN, "ED25519", 256, ECDSA256,
	  0, -1, PLUGTLS_PURPOSE_SERVER, SAN_STD, PLUGTLS_CAP_ED25519 },
	{ "client", "CN=client.test", INT_DN, "EC", 256, ECDSA256, 0, -1,
	  PLUGTLS_PURPOSE_CLIENT, { { PLUGTLS_SAN_DNS, "client.test" } }, 0 },
	{ "other-ca", OTHER_DN, OTHER_DN, "EC", 256, ECDSA256, 1, -1, 0,
	  { { 0 } }, 0 },
	{ "other-client", "CN=other-client.test", OTHER_DN, "EC", 256,
	  ECDSA256, 0, -1, PLUGTLS_PURPOSE_CLIENT,
	  { { PLUGTLS_SAN_DNS, "other-client.test" } }, 0 },
	{ "unknown-ca", UNKNOWN_DN, UNKNOWN_DN, "EC", 256, ECDSA256, 1, -1, 0,
	  { { 0 } }, 0 },
	{ "selfsigned-rsa", "CN=rsa.test,O=plugtls test,C=GB",
	  "CN=rsa.test,O=plugtls test,C=GB", "RSA", 2048,
	  "sha256WithRSAEncryption", 0, -1, 0,
	  { { PLUGTLS_SAN_DNS, "rsa.test" } }, PLUGTLS_CAP_RSA },
	{ "selfsigned-ed25519", "CN=ed25519.test,O=plugtls test,C=GB",
	  "CN=ed25519.test,O=plugtls test,C=GB", "ED25519", 256, "ED25519", 0,
	  -1, 0, { { PLUGTLS_SAN_DNS, "ed25519.test" } }, PLUGTLS_CAP_ED25519 },
	/* RFC 4514 escaping, a multi-valued RDN (DER order inside it),
	 * UTF-8; every SAN type, a SAN type that is not reported (RID), an
	 * IPv6 address printed in RFC 5952 form. */
	{ "dn-escape", ESC_DN, ESC_DN, "EC", 256, ECDSA256, 0, -1, 0,
	  { { PLUGTLS_SAN_DNS, "esc.test" },
	    { PLUGTLS_SAN_EMAIL, "user@esc.test" },
	    { PLUGTLS_SAN_URI, "https://esc.test/p?q=1" },
	    { PLUGTLS_SAN_IP, "192.0.2.1" },
	    { PLUGTLS_SAN_IP, "2001:db8::1" },
	    { PLUGTLS_SAN_DNS, "*.esc.test" } }, 0 },
	{ "int-nc", NC_DN, ROOT_DN, "EC", 256, ECDSA256, 1, 0, 0, { { 0 } }, 0 },
	{ "int-noca", "CN=plugtls Not A CA,O=plugtls test,C=GB", ROOT_DN, "EC",
	  256, ECDSA256, 0, -1, 0, { { 0 } }, 0 },
	{ "int-pathlen0", PATHLEN0_DN, ROOT_DN, "EC", 256, ECDSA256, 1, 0, 0,
	  { { 0 } }, 0 },
	{ "int-below-pathlen0",
	  "CN=plugtls Below Pathlen0 CA,O=plugtls test,C=GB", PATHLEN0_DN,
	  "EC", 256, ECDSA256, 1, -1, 0, { { 0 } }, 0 },
	{ "leaf-selfsigned", "CN=localhost", "CN=localhost", "EC", 256,
	  ECDSA256, 0, -1, PLUGTLS_PURPOSE_SERVER, SAN_STD, 0 },
	{ "leaf-unknown", "CN=localhost", UNKNOWN_DN, "EC", 256, ECDSA256, 0,
	  -1, PLUGTLS_PURPOSE_SERVER, SAN_STD, 0 },
	{ "leaf-wildcard", "CN=*.wild.test", INT_DN, "EC", 256, ECDSA256, 0,
	  -1, PLUGTLS_PURPOSE_SERVER, { { PLUGTLS_SAN_DNS, "*.wild.test" } },
	  0 },
	{ "leaf-ip", "CN=ip.test", INT_DN, "EC", 256, ECDSA256, 0, -1,
	  PLUGTLS_PURPOSE_SERVER,
	  { { PLUGTLS_SAN_IP, "127.0.0.1" }, { PLUGTLS_SAN_IP, "::1" } }, 0 },
	{ "leaf-ip-as-dns", "CN=127.0.0.1", INT_DN, "EC", 256, ECDSA256, 0, -1,
	  PLUGTLS_PURPOSE_SERVER, { { PLUGTLS_SAN_DNS, "127.0.0.1" } }, 0 },
	{ "leaf-cn-only", "CN=localhost", INT_DN, "EC", 256, ECDSA256, 0, -1,
	  PLUGTLS_PURPOSE_SERVER, { { 0 } }, 0 },
	{ "leaf-clientonly", "CN=localhost", INT_DN, "EC", 256, ECDSA256, 0,
	  -1, PLUGTLS_PURPOSE_CLIENT, SAN_STD, 0 },
	{ "leaf-nc-bad", "CN=evil.test", NC_DN, "EC", 256, ECDSA256, 0, -1,
	  PLUGTLS_PURPOSE_SERVER, { { PLUGTLS_SAN_DNS, "evil.test" } }, 0 },
	{ "leaf-sha1", "CN=localhost", INT_DN, "EC", 256, "ecdsa-with-SHA1", 0,
	  -1, PLUGTLS_PURPOSE_SERVER, SAN_STD, 0 },
	{ "leaf-rsa1024", "CN=localhost", INT_DN, "RSA", 1024, ECDSA256, 0, -1,
	  PLUGTLS_PURPOSE_SERVER, SAN_STD, PLUGTLS_CAP_RSA },
	/* Parsing does not check signatures or dates. */
	{ "leaf-tampered", "CN=localhost", INT_DN, "EC", 256, ECDSA256, 0, -1,
	  PLUGTLS_PURPOSE_SERVER, SAN_STD, 0 },
	{ "leaf-expired", "CN=localhost", INT_DN, "EC", 256, ECDSA256, 0, -1,
	  PLUGTLS_PURPOSE_SERVER, SAN_STD, 0 },
};
/* clang-format on */

#define NCCASES (sizeof(ccases) / sizeof(ccases[0]))

static void fx_path(char *buf, size_t cap, const char *name, const char *ext)
{
	int w = snprintf(buf, cap, "%s/%s%s", PT_FIXTURE_DIR, name, ext);
	cr_assert(w > 0 && (size_t)w < cap, "path too long: %s", name);
}

static unsigned char *read_fx(const char *name, const char *ext, size_t *len)
{
	char path[1024];
	fx_path(path, sizeof(path), name, ext);
	return pt_read_fixture(path, len);
}

static plugtls_chain *parse_ok(const plugtls_provider *p, const void *data,
			       size_t len, const char *what)
{
	plugtls_chain *ch = NULL;
	plugtls_err rc = plugtls_chain_parse(p, data, len, &ch);
	cr_assert_eq(rc, PLUGTLS_OK, "%s: chain_parse: %s (%s)", what,
		     plugtls_err_string(rc), plugtls_thread_error()->message);
	cr_assert_not_null(ch);
	return ch;
}

static const char *san_type_name(plugtls_san_type t)
{
	switch (t) {
	case PLUGTLS_SAN_DNS: return "DNS";
	case PLUGTLS_SAN_IP: return "IP";
	case PLUGTLS_SAN_EMAIL: return "EMAIL";
	case PLUGTLS_SAN_URI: return "URI";
	}
	return "?";
}

PT_PARAMS_CASES(cert, fields, NCCASES)
ParameterizedTest(struct pt_param *prm, cert, fields)
{
	const struct ccase *cc = &ccases[prm->idx];
	const plugtls_provider *p = pt_provider(prm->prov);
	const char *who = cc->name;
	size_t len;

	pt_require_caps(p, cc->caps);
	unsigned char *pem = read_fx(cc->name, ".pem", &len);
	plugtls_chain *ch = parse_ok(p, pem, len, who);
	free(pem);
	cr_assert_eq(plugtls_chain_count(ch), 1u, "%s", who);
	const plugtls_cert *c = plugtls_chain_get(ch, 0);
	cr_assert_not_null(c);

	EXPECT_STR(plugtls_cert_subject(c), cc->subject, "%s: subject", who);
	EXPECT_STR(plugtls_cert_issuer(c), cc->issuer, "%s: issuer", who);

	unsigned char *want = read_fx(cc->name, ".serial", &len);
	EXPECT_STR(plugtls_cert_serial(c), (char *)want, "%s: serial", who);
	free(want);

	want = read_fx(cc->name, ".dates", &len);
	long long nb = 0, na = 0;
	cr_assert_eq(sscanf((char *)want, "%lld %lld", &nb, &na), 2);
	cr_expect_eq(plugtls_cert_not_before(c), (int64_t)nb,
		     "%s: not_before %lld, expected %lld", who,
		     (long long)plugtls_cert_not_before(c), nb);
	cr_expect_eq(plugtls_cert_not_after(c), (int64_t)na,
		     "%s: not_after %lld, expected %lld", who,
		     (long long)plugtls_cert_not_after(c), na);
	free(want);

	want = read_fx(cc->name, ".spki.der", &len);
	const unsigned char *der = NULL;
	size_t der_len = 0;
	plugtls_cert_spki_der(c, &der, &der_len);
	cr_expect_eq(der_len, len, "%s: SPKI length %zu, expected %zu", who,
		     der_len, len);
	cr_expect(der && der_len == len && !memcmp(der, want, len),
		  "%s: SPKI DER differs from openssl's", who);
	free(want);

	want = read_fx(cc->name, ".sha256", &len);
	EXPECT_STR(plugtls_cert_fingerprint_sha256(c), (char *)want,
		   "%s: fingerprint", who);
	free(want);

	const char *pin = plugtls_cert_pin(c);
	cr_assert_not_null(pin);
	cr_expect(!strncmp(pin, "sha256//", 8) && strlen(pin) == 52 &&
			  pin[51] == '=',
		  "%s: pin \"%s\"", who, pin);

	EXPECT_STR(plugtls_cert_key_type(c), cc->key_type, "%s: key type", who);
	cr_expect_eq(plugtls_cert_key_bits(c), cc->key_bits,
		     "%s: key bits %u, expected %u", who,
		     plugtls_cert_key_bits(c), cc->key_bits);
	EXPECT_STR(plugtls_cert_sig_alg(c), cc->sig_alg, "%s: sig alg", who);
	cr_expect_eq(!!plugtls_cert_is_ca(c), cc->is_ca, "%s: is_ca", who);
	cr_expect_eq(plugtls_cert_path_len(c), cc->path_len,
		     "%s: path_len %d, expected %d", who,
		     plugtls_cert_path_len(c), cc->path_len);
	cr_expect_eq(plugtls_cert_eku(c), cc->eku, "%s: eku %#x, expected %#x",
		     who, plugtls_cert_eku(c), cc->eku);

	size_t nsans = 0;
	while (nsans < 8 && cc->sans[nsans].type)
		nsans++;
	cr_expect_eq(plugtls_cert_san_count(c), nsans,
		     "%s: %zu SANs, expected %zu", who,
		     plugtls_cert_san_count(c), nsans);
	for (size_t i = 0; i < nsans && i < plugtls_cert_san_count(c); i++) {
		plugtls_san_type t = 0;
		const char *v = NULL;
		cr_assert_eq(plugtls_cert_san(c, i, &t, &v), PLUGTLS_OK,
			     "%s: san %zu", who, i);
		cr_expect_eq(t, cc->sans[i].type,
			     "%s: SAN %zu type %s, expected %s", who, i,
			     san_type_name(t), san_type_name(cc->sans[i].type));
		EXPECT_STR(v, cc->sans[i].value, "%s: SAN %zu", who, i);
	}
	plugtls_chain_free(ch);
}

/* The certificate DER is the file's, byte for byte, from PEM and from DER
 * input alike. */
PT_PARAMS_PROVIDERS(cert, der_roundtrip)
ParameterizedTest(struct pt_param *prm, cert, der_roundtrip)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	size_t dlen, plen, fplen;
	unsigned char *der = pt_read_fixture(FIXTURE("server-ec.der"), &dlen);
	unsigned char *pem = pt_read_fixture(FIXTURE("server-ec.pem"), &plen);
	unsigned char *fp =
		pt_read_fixture(FIXTURE("server-ec.sha256"), &fplen);

	plugtls_chain *a = parse_ok(p, pem, plen, "server-ec.pem");
	plugtls_chain *b = parse_ok(p, der, dlen, "server-ec.der");
	cr_assert_eq(plugtls_chain_count(b), 1u);
	for (int k = 0; k < 2; k++) {
		const plugtls_cert *c = plugtls_chain_get(k ? b : a, 0);
		const unsigned char *d = NULL;
		size_t l = 0;
		plugtls_cert_der(c, &d, &l);
		cr_expect(l == dlen && d && !memcmp(d, der, dlen),
			  "DER of the %s input differs", k ? "DER" : "PEM");
		EXPECT_STR(plugtls_cert_fingerprint_sha256(c), (char *)fp,
			   "fingerprint");
		EXPECT_STR(plugtls_cert_subject(c), "CN=localhost", "subject");
	}
	/* The DER a cert reports parses back to the same cert. */
	const unsigned char *d = NULL;
	size_t l = 0;
	plugtls_cert_der(plugtls_chain_get(a, 0), &d, &l);
	plugtls_chain *c2 = parse_ok(p, d, l, "cert_der output");
	EXPECT_STR(plugtls_cert_pin(plugtls_chain_get(c2, 0)),
		   plugtls_cert_pin(plugtls_chain_get(a, 0)),
		   "pin after a DER round trip");
	plugtls_chain_free(c2);
	plugtls_chain_free(a);
	plugtls_chain_free(b);
	free(der);
	free(pem);
	free(fp);
}

/* ---- bundles ----------------------------------------------------------- */

static void expect_bundle3(const plugtls_chain *ch, const char *what)
{
	static const char *const subj[] = {"CN=localhost", INT_DN, ROOT_DN};
	static const char *const names[] = {"server-ec", "int", "ca"};
	cr_assert_eq(plugtls_chain_count(ch), 3u, "%s: %zu certs", what,
		     plugtls_chain_count(ch));
	for (size_t i = 0; i < 3; i++) {
		const plugtls_cert *c = plugtls_chain_get(ch, i);
		cr_assert_not_null(c);
		EXPECT_STR(plugtls_cert_subject(c), subj[i], "%s: [%zu]", what,
			   i);
		size_t len;
		unsigned char *fp = read_fx(names[i], ".sha256", &len);
		EXPECT_STR(plugtls_cert_fingerprint_sha256(c), (char *)fp,
			   "%s: [%zu] fingerprint", what, i);
		free(fp);
	}
	cr_expect_null(plugtls_chain_get(ch, 3), "%s: get past the end", what);
	cr_expect_null(plugtls_chain_get(ch, (size_t)-1));
}

PT_PARAMS_PROVIDERS(cert, bundles)
ParameterizedTest(struct pt_param *prm, cert, bundles)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	size_t len;
	unsigned char *d = pt_read_fixture(FIXTURE("bundle3.pem"), &len);
	plugtls_chain *ch = parse_ok(p, d, len, "bundle3.pem");
	expect_bundle3(ch, "bundle3.pem");
	plugtls_chain_free(ch);
	free(d);

	/* Text before, between and after the blocks, CRLF lines, and a
	 * PUBLIC KEY block that must be skipped. */
	d = pt_read_fixture(FIXTURE("junk-bundle.pem"), &len);
	ch = parse_ok(p, d, len, "junk-bundle.pem");
	expect_bundle3(ch, "junk-bundle.pem");
	plugtls_chain_free(ch);
	free(d);

	ch = NULL;
	cr_assert_eq(plugtls_chain_load_file(p, FIXTURE("bundle3.pem"), &ch),
		     PLUGTLS_OK, "%s", plugtls_thread_error()->message);
	expect_bundle3(ch, "chain_load_file bundle3.pem");
	plugtls_chain_free(ch);

	/* A DER file through load_file. */
	ch = NULL;
	cr_assert_eq(plugtls_chain_load_file(p, FIXTURE("server-ec.der"), &ch),
		     PLUGTLS_OK, "%s", plugtls_thread_error()->message);
	cr_expect_eq(plugtls_chain_count(ch), 1u);
	plugtls_chain_free(ch);
}

/* A bundle of exactly 1,000 certificates is accepted; 1,001 is too many. */
PT_PARAMS_PROVIDERS(cert, bundle_count_limit)
ParameterizedTest(struct pt_param *prm, cert, bundle_count_limit)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	size_t len;
	unsigned char *one = pt_read_fixture(FIXTURE("server-ec.pem"), &len);
	unsigned char *many = malloc(len * 1001);
	cr_assert_not_null(many);
	for (size_t i = 0; i < 1001; i++)
		memcpy(many + i * len, one, len);
	plugtls_chain *ch = NULL;
	plugtls_err rc = plugtls_chain_parse(p, many, len * 1000, &ch);
	cr_expect_eq(rc, PLUGTLS_OK, "1000 certs: %s", plugtls_err_string(rc));
	if (rc == PLUGTLS_OK)
		cr_expect_eq(plugtls_chain_count(ch), 1000u);
	plugtls_chain_free(ch);
	ch = NULL;
	rc = plugtls_chain_parse(p, many, len * 1001, &ch);
	cr_expect_eq(rc, PLUGTLS_E_TOO_LARGE, "1001 certs: %s",
		     plugtls_err_string(rc));
	cr_expect_null(ch);
	free(many);
	free(one);
}

/* ---- errors ---------------------------------------------------------------
 */

static void expect_parse_error(const plugtls_provider *p, const void *data,
			       size_t len, plugtls_err want, const char *what)
{
	plugtls_chain *ch = NULL;
	plugtls_err rc = plugtls_chain_parse(p, data, len, &ch);
	cr_expect_eq(rc, want, "%s: %s, expected %s (%s)", what,
		     plugtls_err_string(rc), plugtls_err_string(want),
		     plugtls_thread_error()->message);
	cr_expect_null(ch, "%s: out written on failure", what);
	if (rc != PLUGTLS_OK)
		cr_expect_eq(plugtls_thread_error()->code, rc,
			     "%s: thread error not recorded", what);
	plugtls_chain_free(ch);
}

PT_PARAMS_PROVIDERS(cert, parse_errors)
ParameterizedTest(struct pt_param *prm, cert, parse_errors)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	size_t plen, dlen, klen, ulen;
	unsigned char *pem = pt_read_fixture(FIXTURE("server-ec.pem"), &plen);
	unsigned char *der = pt_read_fixture(FIXTURE("server-ec.der"), &dlen);
	unsigned char *key = pt_read_fixture(FIXTURE("server-ec.key"), &klen);
	unsigned char *pub =
		pt_read_fixture(FIXTURE("server-ec.pub.pem"), &ulen);
	plugtls_chain *ch = NULL;

	cr_expect_eq(plugtls_chain_parse(p, NULL, 10, &ch),
		     PLUGTLS_E_INVALID_ARGUMENT, "NULL data");
	cr_expect_eq(plugtls_chain_parse(p, pem, 0, &ch),
		     PLUGTLS_E_INVALID_ARGUMENT, "empty input");
	cr_expect_eq(plugtls_chain_parse(p, pem, plen, NULL),
		     PLUGTLS_E_INVALID_ARGUMENT, "NULL out");
	cr_expect_eq(plugtls_chain_parse(NULL, pem, plen, &ch),
		     PLUGTLS_E_INVALID_ARGUMENT, "NULL provider");
	cr_expect_null(ch);

	static const char garbage[] = "this is not a certificate\n";
	expect_parse_error(p, garbage, sizeof(garbage) - 1, PLUGTLS_E_MALFORMED,
			   "text garbage");
	static const unsigned char bin[] = {0x30, 0x03, 0x02, 0x01,
					    0x05, 0xff, 0xfe};
	expect_parse_error(p, bin, sizeof(bin), PLUGTLS_E_MALFORMED,
			   "binary garbage");
	static const unsigned char zeros[64] = {0};
	expect_parse_error(p, zeros, sizeof(zeros), PLUGTLS_E_MALFORMED,
			   "zeros");

	/* PEM cut in the middle of the base64: the block is not closed. */
	expect_parse_error(p, pem, plen / 2, PLUGTLS_E_MALFORMED,
			   "truncated PEM");
	/* PEM closed, but a line of its base64 missing: the DER inside is
	 * short. */
	{
		unsigned char *cut = malloc(plen);
		cr_assert_not_null(cut);
		const char *l2 = strchr((char *)pem, '\n');
		cr_assert_not_null(l2);
		l2 = strchr(l2 + 1, '\n'); /* end of the first base64 line */
		cr_assert_not_null(l2);
		const char *l3 = strchr(l2 + 1, '\n');
		cr_assert_not_null(l3);
		size_t a = (size_t)(l2 - (char *)pem) + 1;
		size_t skip = (size_t)(l3 - l2);
		memcpy(cut, pem, a);
		memcpy(cut + a, pem + a + skip, plen - a - skip);
		expect_parse_error(p, cut, plen - skip, PLUGTLS_E_MALFORMED,
				   "PEM with a base64 line missing");
		free(cut);
	}
	/* Bad base64 inside a closed block. */
	{
		unsigned char *bad = malloc(plen);
		cr_assert_not_null(bad);
		memcpy(bad, pem, plen);
		char *body = strchr((char *)bad, '\n');
		cr_assert_not_null(body);
		body[5] = '!';
		expect_parse_error(p, bad, plen, PLUGTLS_E_MALFORMED,
				   "PEM with bad base64");
		free(bad);
	}
	/* A good certificate followed by a truncated one: all or nothing. */
	{
		unsigned char *two = malloc(plen * 2);
		cr_assert_not_null(two);
		memcpy(two, pem, plen);
		memcpy(two + plen, pem, plen);
		expect_parse_error(p, two, plen + plen / 2, PLUGTLS_E_MALFORMED,
				   "second PEM block truncated");
		free(two);
	}
	expect_parse_error(p, der, dlen - 10, PLUGTLS_E_MALFORMED,
			   "truncated DER");
	expect_parse_error(p, der, 4, PLUGTLS_E_MALFORMED, "DER header only");
	expect_parse_error(p, der, 1, PLUGTLS_E_MALFORMED, "one byte");
	expect_parse_error(p, pub, ulen, PLUGTLS_E_MALFORMED,
			   "PEM without a CERTIFICATE block (public key)");
	expect_parse_error(p, key, klen, PLUGTLS_E_MALFORMED,
			   "PEM without a CERTIFICATE block (private key)");
	static const char empty_block[] = "-----BEGIN CERTIFICATE-----\n"
					  "-----END CERTIFICATE-----\n";
	expect_parse_error(p, empty_block, sizeof(empty_block) - 1,
			   PLUGTLS_E_MALFORMED, "empty CERTIFICATE block");

	free(pem);
	free(der);
	free(key);
	free(pub);
}

PT_PARAMS_PROVIDERS(cert, too_large)
ParameterizedTest(struct pt_param *prm, cert, too_large)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	size_t len = 16u * 1024u * 1024u + 1u, plen;
	unsigned char *pem = pt_read_fixture(FIXTURE("server-ec.pem"), &plen);
	unsigned char *big = malloc(len);
	cr_assert_not_null(big);
	/* A valid certificate first, then filler: the size alone decides. */
	memset(big, '\n', len);
	memcpy(big, pem, plen);
	expect_parse_error(p, big, len, PLUGTLS_E_TOO_LARGE, "16 MiB + 1");

	/* The same through a file. */
	char path[] = "/tmp/plugtls-big-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(big, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	plugtls_chain *ch = NULL;
	plugtls_err rc = plugtls_chain_load_file(p, path, &ch);
	remove(path);
	cr_expect_eq(rc, PLUGTLS_E_TOO_LARGE, "file of 16 MiB + 1: %s",
		     plugtls_err_string(rc));
	cr_expect_null(ch);
	free(big);
	free(pem);
}

PT_PARAMS_PROVIDERS(cert, load_file_errors)
ParameterizedTest(struct pt_param *prm, cert, load_file_errors)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	plugtls_chain *ch = NULL;
	plugtls_err rc =
		plugtls_chain_load_file(p, FIXTURE("no-such-file.pem"), &ch);
	cr_expect_eq(rc, PLUGTLS_E_NOT_FOUND, "missing file: %s",
		     plugtls_err_string(rc));
	cr_expect_null(ch);
	cr_expect_eq(plugtls_thread_error()->code, PLUGTLS_E_NOT_FOUND);
	cr_expect_neq(plugtls_thread_error()->message[0], 0);
	cr_expect_eq(plugtls_chain_load_file(p, NULL, &ch),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_expect_eq(plugtls_chain_load_file(p, FIXTURE("server-ec.key"), &ch),
		     PLUGTLS_E_MALFORMED, "key file as certificates");
	cr_expect_null(ch);
}
