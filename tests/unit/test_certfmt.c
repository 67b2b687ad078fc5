/* Certificate field formatting through the builder (fields.c, certfmt.c):
 * RFC 4514 names, serial, fingerprint, pin, SANs, algorithm names, key
 * types, EKU, basic constraints, name comparison, and the builder's
 * argument checks. No provider: pt_cert_from_fields with p = NULL. */
#include "unit.h"

#include <arpa/inet.h>
#include <stdlib.h>

static plugtls_cert *subject_cert(const char *const *attrs)
{
	/* attrs: triples "rdn", "oid", "value", NULL-terminated */
	plugtls_prov_fields *f = ut_fields();
	for (size_t i = 0; attrs[i]; i += 3)
		ut_dn(f, PLUGTLS_PROV_SUBJECT, (unsigned)atoi(attrs[i]),
		      attrs[i + 1], attrs[i + 2]);
	return ut_cert(f);
}

static void expect_subject(const char *const *attrs, const char *expect)
{
	plugtls_cert *c = subject_cert(attrs);
	cr_assert_str_eq(plugtls_cert_subject(c), expect);
	pt_cert_free(c);
}

/* One CN value (raw bytes) -> its formatted subject. */
static void expect_cn(const void *v, size_t len, const char *expect)
{
	plugtls_prov_fields *f = ut_fields();
	cr_assert_eq(plugtls_prov_fields_dn(f, PLUGTLS_PROV_SUBJECT, 0,
					    "2.5.4.3", v, len),
		     PLUGTLS_OK);
	plugtls_cert *c = ut_cert(f);
	cr_assert_str_eq(plugtls_cert_subject(c), expect);
	pt_cert_free(c);
}

Test(certfmt, rdn_order_reversed)
{
	const char *a[] = {"0", "2.5.4.6", "GB", "1", "2.5.4.10",
			   "plugtls test", "2", "2.5.4.3", "leaf.example",
			   NULL};
	expect_subject(a, "CN=leaf.example,O=plugtls test,C=GB");
}

Test(certfmt, multi_valued_rdn)
{
	const char *a[] = {"0", "0.9.2342.19200300.100.1.25", "com",
			   "1", "0.9.2342.19200300.100.1.25", "example",
			   "2", "2.5.4.11", "Sales",
			   "2", "2.5.4.3", "J. Smith",
			   NULL};
	expect_subject(a, "OU=Sales+CN=J. Smith,DC=example,DC=com");
}

Test(certfmt, short_names_and_dotted_oids)
{
	const char *a[] = {"0", "2.5.4.3", "a",  "1", "2.5.4.7", "b",
			   "2", "2.5.4.8", "c",  "3", "2.5.4.10", "d",
			   "4", "2.5.4.11", "e", "5", "2.5.4.6", "f",
			   "6", "2.5.4.9", "g",  "7", "0.9.2342.19200300.100.1.25", "h",
			   "8", "0.9.2342.19200300.100.1.1", "i",
			   "9", "1.2.840.113549.1.9.1", "j@example",
			   "10", "2.5.4.5", "k", "11", "2.5.4.4", "l",
			   "12", "2.5.4.42", "m", "13", "2.5.4.12", "n",
			   "14", "1.2.3.4", "o", "15", "2.5.4.17", "p",
			   NULL};
	expect_subject(a, "2.5.4.17=p,1.2.3.4=o,title=n,GN=m,SN=l,"
			  "serialNumber=k,emailAddress=j@example,UID=i,DC=h,"
			  "STREET=g,C=f,OU=e,O=d,ST=c,L=b,CN=a");
}

Test(certfmt, escaping_rfc4514_2_4)
{
	static const struct {
		const char *v;
		size_t len;
		const char *expect;
	} rows[] = {
		{"James \"Jim\" Smith, III", 0,
		 "CN=James \\\"Jim\\\" Smith\\, III"},
		{"a+b;c<d>e\\f", 0, "CN=a\\+b\\;c\\<d\\>e\\\\f"},
		{"#hash", 0, "CN=\\#hash"},
		{"a#b", 0, "CN=a#b"},
		{" lead", 0, "CN=\\ lead"},
		{"trail ", 0, "CN=trail\\ "},
		{" ", 0, "CN=\\ "},
		{"  ", 0, "CN=\\ \\ "},
		{"a  b", 0, "CN=a  b"},
		{"a=b", 0, "CN=a=b"},
		{"", 0, "CN="},
		{"a\0b", 3, "CN=a\\00b"},
		{"\0", 1, "CN=\\00"},
		{"Before\rAfter", 0, "CN=Before\\0DAfter"},
		{"tab\there", 0, "CN=tab\\09here"},
		{"del\x7f", 0, "CN=del\\7F"},
		{"\x1f", 0, "CN=\\1F"},
		/* valid UTF-8 is kept: U+010D, U+0107, U+20AC, U+1F600 */
		{"Lu\xc4\x8di\xc4\x87", 0, "CN=Lu\xc4\x8di\xc4\x87"},
		{"\xe2\x82\xac", 0, "CN=\xe2\x82\xac"},
		{"\xf0\x9f\x98\x80", 0, "CN=\xf0\x9f\x98\x80"},
		/* invalid UTF-8 becomes hex */
		{"\xff", 0, "CN=\\FF"},
		{"\xc0\xaf", 0, "CN=\\C0\\AF"},
		{"x\xc4", 0, "CN=x\\C4"},
		{"\xc4x", 0, "CN=\\C4x"},
		{"\xed\xa0\x80", 0, "CN=\\ED\\A0\\80"},
		{"\xf4\x90\x80\x80", 0, "CN=\\F4\\90\\80\\80"},
		{"\xe0\x80\x80", 0, "CN=\\E0\\80\\80"},
		{"\x80", 0, "CN=\\80"},
		/* a '#' or space escaped only where the RFC says */
		{"# #", 0, "CN=\\# #"},
		{"\\ ", 0, "CN=\\\\\\ "},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].v);
		expect_cn(rows[i].v, len, rows[i].expect);
	}
}

Test(certfmt, issuer_and_empty_names)
{
	plugtls_prov_fields *f = ut_fields();
	ut_dn(f, PLUGTLS_PROV_ISSUER, 0, "2.5.4.6", "GB");
	ut_dn(f, PLUGTLS_PROV_ISSUER, 1, "2.5.4.3", "Root, Inc");
	plugtls_cert *c = ut_cert(f);
	cr_assert_str_eq(plugtls_cert_subject(c), "");
	cr_assert_str_eq(plugtls_cert_issuer(c), "CN=Root\\, Inc,C=GB");
	cr_assert_null(c->cn);
	cr_assert_not(c->self_issued);
	pt_cert_free(c);
}

Test(certfmt, formatted_name_too_long)
{
	size_t n = 5000;
	unsigned char *v = malloc(n);
	cr_assert_not_null(v);
	memset(v, 'a', n);
	plugtls_prov_fields *f = ut_fields();
	cr_assert_eq(plugtls_prov_fields_dn(f, PLUGTLS_PROV_SUBJECT, 0,
					    "2.5.4.3", v, n),
		     PLUGTLS_OK);
	plugtls_cert *c = NULL;
	plugtls_error e;
	pt_err_clear(&e);
	cr_assert_eq(pt_cert_from_fields(NULL, f, &c, &e), PLUGTLS_E_TOO_LARGE);
	cr_assert_null(c);
	cr_assert_not_null(strstr(e.message, "subject"), "%s", e.message);
	pt_fields_free(f);

	/* 4095 characters fit. */
	f = ut_fields();
	cr_assert_eq(plugtls_prov_fields_dn(f, PLUGTLS_PROV_SUBJECT, 0,
					    "2.5.4.3", v, 4092),
		     PLUGTLS_OK);
	c = ut_cert(f);
	cr_assert_eq(strlen(plugtls_cert_subject(c)), 4095);
	pt_cert_free(c);
	free(v);
}

Test(certfmt, cn_is_the_last_cn)
{
	const char *a[] = {"0", "2.5.4.3", "first", "1", "2.5.4.10", "O",
			   "2", "2.5.4.3", "last", NULL};
	plugtls_cert *c = subject_cert(a);
	cr_assert_str_eq(c->cn, "last");
	pt_cert_free(c);

	plugtls_prov_fields *f = ut_fields();
	ut_dn(f, PLUGTLS_PROV_SUBJECT, 0, "2.5.4.3", "ok");
	cr_assert_eq(plugtls_prov_fields_dn(f, PLUGTLS_PROV_SUBJECT, 1,
					    "2.5.4.3",
					    (const unsigned char *)"a\0b", 3),
		     PLUGTLS_OK);
	c = ut_cert(f);
	cr_assert_null(c->cn); /* last CN holds a NUL: not kept */
	pt_cert_free(c);
}

static plugtls_cert *names_cert(const char *const *subj, const char *const *iss)
{
	plugtls_prov_fields *f = ut_fields();
	for (size_t i = 0; subj[i]; i += 3)
		ut_dn(f, PLUGTLS_PROV_SUBJECT, (unsigned)atoi(subj[i]),
		      subj[i + 1], subj[i + 2]);
	for (size_t i = 0; iss[i]; i += 3)
		ut_dn(f, PLUGTLS_PROV_ISSUER, (unsigned)atoi(iss[i]),
		      iss[i + 1], iss[i + 2]);
	return ut_cert(f);
}

Test(certfmt, self_issued_canonical_compare)
{
	static const struct {
		const char *s[10], *i[10];
		bool same;
	} rows[] = {
		{{NULL}, {NULL}, true},
		{{"0", "2.5.4.3", "Root CA", NULL},
		 {"0", "2.5.4.3", "Root CA", NULL}, true},
		{{"0", "2.5.4.3", "Root CA", NULL},
		 {"0", "2.5.4.3", "  root   ca ", NULL}, true},
		{{"0", "2.5.4.3", "Root\tCA", NULL},
		 {"0", "2.5.4.3", "ROOT CA", NULL}, true},
		{{"0", "2.5.4.3", "Root CA", NULL},
		 {"0", "2.5.4.3", "RootCA", NULL}, false},
		{{"0", "2.5.4.3", "Root CA", NULL},
		 {"0", "2.5.4.10", "Root CA", NULL}, false},
		{{"0", "2.5.4.3", "Root CA", NULL}, {NULL}, false},
		/* multi-valued RDN: a set, order does not matter */
		{{"0", "2.5.4.3", "a", "0", "2.5.4.10", "b", NULL},
		 {"0", "2.5.4.10", "B", "0", "2.5.4.3", "A", NULL}, true},
		/* same attributes, different RDN structure */
		{{"0", "2.5.4.3", "a", "0", "2.5.4.10", "b", NULL},
		 {"0", "2.5.4.3", "a", "1", "2.5.4.10", "b", NULL}, false},
		/* RDN order matters */
		{{"0", "2.5.4.3", "a", "1", "2.5.4.10", "b", NULL},
		 {"0", "2.5.4.10", "b", "1", "2.5.4.3", "a", NULL}, false},
		/* non-ASCII compared as bytes */
		{{"0", "2.5.4.3", "\xc3\x89", NULL},
		 {"0", "2.5.4.3", "\xc3\xa9", NULL}, false},
	};
	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		plugtls_cert *c = names_cert(rows[k].s, rows[k].i);
		cr_assert_eq(c->self_issued, rows[k].same, "row %zu", k);
		pt_cert_free(c);
	}
}

Test(certfmt, serial)
{
	static const struct {
		const char *be;
		size_t len;
		const char *expect;
	} rows[] = {
		{"\x01", 1, "01"},
		{"\x00\x00\x0a\xbc", 4, "0abc"},
		{"\x00", 1, "0"},
		{"", 0, "0"},
		{"\xff\x01", 2, "ff01"},
		{"\x7f\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		 "\xff\xff\xff\xff\xff",
		 20, "7fffffffffffffffffffffffffffffffffffffff"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		plugtls_prov_fields *f = pt_fields_new(PT_WANT_ALL);
		unsigned char der[UT_DER_LEN];
		ut_der(1, der);
		cr_assert_eq(plugtls_prov_fields_der(f, der, sizeof(der)), 0);
		cr_assert_eq(plugtls_prov_fields_spki(
				     f, (const unsigned char *)"\x30\x00", 2),
			     0);
		cr_assert_eq(plugtls_prov_fields_serial(
				     f, (const unsigned char *)rows[i].be,
				     rows[i].len),
			     0);
		cr_assert_eq(plugtls_prov_fields_validity(f, 0, 0), 0);
		cr_assert_eq(plugtls_prov_fields_sig_alg(f, "1.3.101.112"), 0);
		plugtls_cert *c = ut_cert(f);
		cr_assert_str_eq(plugtls_cert_serial(c), rows[i].expect,
				 "row %zu", i);
		pt_cert_free(c);
	}
}

Test(certfmt, der_spki_fingerprint_pin_validity)
{
	plugtls_cert *c = ut_cert(ut_fields());
	const unsigned char *p;
	size_t n;
	plugtls_cert_der(c, &p, &n);
	cr_assert_eq(n, 5);
	cr_assert_eq(memcmp(p, "\x30\x03\x02\x01\x01", 5), 0);
	plugtls_cert_spki_der(c, &p, &n);
	cr_assert_eq(n, 4);
	cr_assert_eq(memcmp(p, "\x30\x02\x05\x00", 4), 0);
	cr_assert_str_eq(plugtls_cert_fingerprint_sha256(c),
			 "1b:65:f6:8a:52:2c:85:87:15:f5:dd:95:1c:d0:40:2d:"
			 "c1:66:91:77:88:14:bf:07:59:82:2b:7a:25:74:21:d0");
	cr_assert_str_eq(plugtls_cert_pin(c),
			 "sha256//yJNGE5QvV0MPSLUbATDZkjxL/jbmFmurzdt778ZGjwg=");
	cr_assert_eq(plugtls_cert_not_before(c), 1000);
	cr_assert_eq(plugtls_cert_not_after(c), 2000);
	cr_assert_null(c->native);
	cr_assert_null(c->prov);
	for (int i = 0; i < 5; i++)
		cr_assert(c->has_fields[i]);
	cr_assert_not(c->has_fields[PT_F_KEY]);
	pt_cert_free(c);
}

Test(certfmt, sans_in_order)
{
	plugtls_prov_fields *f = ut_fields();
	unsigned char v4[4] = {127, 0, 0, 1}, v6[16] = {0}, m[16] = {0};
	v6[15] = 1;
	m[10] = m[11] = 0xff;
	m[12] = 10;
	m[15] = 1;
	ut_san_dns(f, "www.example.com");
	ut_san(f, PLUGTLS_SAN_IP, v4, 4);
	ut_san(f, PLUGTLS_SAN_IP, v6, 16);
	ut_san(f, PLUGTLS_SAN_IP, m, 16);
	ut_san(f, PLUGTLS_SAN_EMAIL, "a@example.com", 13);
	ut_san(f, PLUGTLS_SAN_URI, "https://example.com/x?y", 23);
	ut_san(f, PLUGTLS_SAN_DNS, "caf\xc3\xa9\\.example", 14);
	ut_san(f, PLUGTLS_SAN_DNS, "", 0);
	plugtls_cert *c = ut_cert(f);
	static const struct {
		plugtls_san_type t;
		const char *v;
	} expect[] = {
		{PLUGTLS_SAN_DNS, "www.example.com"},
		{PLUGTLS_SAN_IP, "127.0.0.1"},
		{PLUGTLS_SAN_IP, "::1"},
		{PLUGTLS_SAN_IP, "::ffff:10.0.0.1"},
		{PLUGTLS_SAN_EMAIL, "a@example.com"},
		{PLUGTLS_SAN_URI, "https://example.com/x?y"},
		{PLUGTLS_SAN_DNS, "caf\\xc3\\xa9\\x5c.example"},
		{PLUGTLS_SAN_DNS, ""},
	};
	cr_assert_eq(plugtls_cert_san_count(c), 8);
	for (size_t i = 0; i < 8; i++) {
		plugtls_san_type t = 0;
		const char *v = NULL;
		cr_assert_eq(plugtls_cert_san(c, i, &t, &v), PLUGTLS_OK);
		cr_assert_eq(t, expect[i].t, "san %zu", i);
		cr_assert_str_eq(v, expect[i].v, "san %zu", i);
	}
	cr_assert_eq(c->sans[1].ip_len, 4);
	cr_assert_eq(memcmp(c->sans[1].ip, v4, 4), 0);
	cr_assert_eq(c->sans[3].ip_len, 16);

	plugtls_san_type t = 0;
	const char *v = "untouched";
	cr_assert_eq(plugtls_cert_san(c, 8, &t, &v), PLUGTLS_E_NOT_FOUND);
	cr_assert_eq(plugtls_thread_error()->code, PLUGTLS_E_NOT_FOUND);
	cr_assert_str_eq(v, "untouched");
	cr_assert_eq(plugtls_cert_san(NULL, 0, &t, &v),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_cert_san(c, 0, NULL, &v),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_cert_san(c, 0, &t, NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_thread_error()->code, PLUGTLS_E_INVALID_ARGUMENT);
	pt_cert_free(c);
}

static plugtls_cert *sig_cert(const char *oid)
{
	plugtls_prov_fields *f = pt_fields_new(PT_WANT_ALL);
	unsigned char der[UT_DER_LEN];
	ut_der(1, der);
	cr_assert_eq(plugtls_prov_fields_der(f, der, sizeof(der)), 0);
	cr_assert_eq(plugtls_prov_fields_spki(f, der, sizeof(der)), 0);
	cr_assert_eq(plugtls_prov_fields_serial(f, der, 1), 0);
	cr_assert_eq(plugtls_prov_fields_validity(f, 0, 0), 0);
	cr_assert_eq(plugtls_prov_fields_sig_alg(f, oid), 0, "%s", oid);
	return ut_cert(f);
}

Test(certfmt, signature_algorithm_names)
{
	static const struct {
		const char *oid, *name;
		bool weak;
	} rows[] = {
		{"1.2.840.113549.1.1.2", "md2WithRSAEncryption", true},
		{"1.2.840.113549.1.1.4", "md5WithRSAEncryption", true},
		{"1.2.840.113549.1.1.5", "sha1WithRSAEncryption", true},
		{"1.2.840.113549.1.1.10", "rsassaPss", false},
		{"1.2.840.113549.1.1.11", "sha256WithRSAEncryption", false},
		{"1.2.840.113549.1.1.12", "sha384WithRSAEncryption", false},
		{"1.2.840.113549.1.1.13", "sha512WithRSAEncryption", false},
		{"1.2.840.113549.1.1.14", "sha224WithRSAEncryption", false},
		{"1.3.14.3.2.29", "sha1WithRSA", true},
		{"1.2.840.10045.4.1", "ecdsa-with-SHA1", true},
		{"1.2.840.10045.4.3.2", "ecdsa-with-SHA256", false},
		{"1.2.840.10045.4.3.3", "ecdsa-with-SHA384", false},
		{"1.2.840.10045.4.3.4", "ecdsa-with-SHA512", false},
		{"1.2.840.10040.4.3", "dsaWithSHA1", true},
		{"2.16.840.1.101.3.4.3.2", "dsa_with_SHA256", false},
		{"1.3.101.112", "ED25519", false},
		{"1.3.101.113", "ED448", false},
		{"2.16.840.1.101.3.4.3.10", "ecdsa_with_SHA3-256", false},
		/* unknown: the dotted OID */
		{"1.2.3.4.5", "1.2.3.4.5", false},
		{"1.2.840.113549.1.1.99", "1.2.840.113549.1.1.99", false},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		plugtls_cert *c = sig_cert(rows[i].oid);
		cr_assert_str_eq(plugtls_cert_sig_alg(c), rows[i].name);
		cr_assert_eq(pt_cert_weak_sig(c), rows[i].weak, "%s",
			     rows[i].oid);
		pt_cert_free(c);
	}
}

Test(certfmt, key_types)
{
	static const struct {
		int type; /* -1: not reported */
		unsigned bits;
		const char *name;
	} rows[] = {
		{PLUGTLS_PROV_KEY_RSA, 2048, "RSA"},
		{PLUGTLS_PROV_KEY_RSA_PSS, 3072, "RSA"},
		{PLUGTLS_PROV_KEY_EC, 256, "EC"},
		{PLUGTLS_PROV_KEY_ED25519, 256, "ED25519"},
		{PLUGTLS_PROV_KEY_ED448, 456, "ED448"},
		{PLUGTLS_PROV_KEY_DSA, 2048, "DSA"},
		{PLUGTLS_PROV_KEY_UNKNOWN, 0, "unknown"},
		{-1, 0, "unknown"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		plugtls_prov_fields *f = ut_fields();
		if (rows[i].type >= 0)
			cr_assert_eq(plugtls_prov_fields_key(
					     f, (plugtls_prov_key_type)rows[i].type,
					     rows[i].bits),
				     0);
		plugtls_cert *c = ut_cert(f);
		cr_assert_str_eq(plugtls_cert_key_type(c), rows[i].name,
				 "row %zu", i);
		cr_assert_eq(plugtls_cert_key_bits(c), rows[i].bits);
		pt_cert_free(c);
	}
}

Test(certfmt, eku_bits)
{
	static const struct {
		const char *oids[4];
		unsigned bits;
	} rows[] = {
		{{NULL}, 0},
		{{"1.3.6.1.5.5.7.3.1", NULL}, PLUGTLS_PURPOSE_SERVER},
		{{"1.3.6.1.5.5.7.3.2", NULL}, PLUGTLS_PURPOSE_CLIENT},
		{{"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2", NULL},
		 PLUGTLS_PURPOSE_SERVER | PLUGTLS_PURPOSE_CLIENT},
		{{"1.3.6.1.5.5.7.3.3", NULL}, PLUGTLS_PURPOSE_CODE_SIGNING},
		{{"1.3.6.1.5.5.7.3.4", NULL}, PLUGTLS_PURPOSE_EMAIL},
		{{"2.5.29.37.0", NULL}, PLUGTLS_PURPOSE_ANY},
		{{"1.3.6.1.5.5.7.3.8", NULL}, PLUGTLS_PURPOSE_OTHER},
		{{"1.3.6.1.5.5.7.3.9", "1.3.6.1.5.5.7.3.1", NULL},
		 PLUGTLS_PURPOSE_OTHER | PLUGTLS_PURPOSE_SERVER},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		plugtls_prov_fields *f = ut_fields();
		for (size_t k = 0; rows[i].oids[k]; k++)
			cr_assert_eq(plugtls_prov_fields_eku(f, rows[i].oids[k]),
				     0);
		plugtls_cert *c = ut_cert(f);
		cr_assert_eq(plugtls_cert_eku(c), rows[i].bits, "row %zu", i);
		cr_assert_eq(c->has_eku, rows[i].oids[0] != NULL);
		pt_cert_free(c);
	}
}

Test(certfmt, basic_constraints)
{
	plugtls_cert *c = ut_cert(ut_fields());
	cr_assert_eq(plugtls_cert_is_ca(c), 0);
	cr_assert_eq(plugtls_cert_path_len(c), -1);
	pt_cert_free(c);

	plugtls_prov_fields *f = ut_fields();
	cr_assert_eq(plugtls_prov_fields_basic_constraints(f, 1, 0), 0);
	c = ut_cert(f);
	cr_assert_eq(plugtls_cert_is_ca(c), 1);
	cr_assert_eq(plugtls_cert_path_len(c), 0);
	pt_cert_free(c);

	f = ut_fields();
	cr_assert_eq(plugtls_prov_fields_basic_constraints(f, 1, -1), 0);
	c = ut_cert(f);
	cr_assert_eq(plugtls_cert_is_ca(c), 1);
	cr_assert_eq(plugtls_cert_path_len(c), -1);
	pt_cert_free(c);

	f = ut_fields();
	cr_assert_eq(plugtls_prov_fields_basic_constraints(f, 0, -1), 0);
	c = ut_cert(f);
	cr_assert_eq(plugtls_cert_is_ca(c), 0);
	cr_assert(c->has_bc);
	pt_cert_free(c);
}

Test(certfmt, getters_accept_null)
{
	cr_assert_null(plugtls_cert_subject(NULL));
	cr_assert_null(plugtls_cert_issuer(NULL));
	cr_assert_null(plugtls_cert_serial(NULL));
	cr_assert_null(plugtls_cert_pin(NULL));
	cr_assert_null(plugtls_cert_fingerprint_sha256(NULL));
	cr_assert_null(plugtls_cert_sig_alg(NULL));
	cr_assert_str_eq(plugtls_cert_key_type(NULL), "unknown");
	cr_assert_eq(plugtls_cert_key_bits(NULL), 0);
	cr_assert_eq(plugtls_cert_not_before(NULL), 0);
	cr_assert_eq(plugtls_cert_not_after(NULL), 0);
	cr_assert_eq(plugtls_cert_san_count(NULL), 0);
	cr_assert_eq(plugtls_cert_is_ca(NULL), 0);
	cr_assert_eq(plugtls_cert_path_len(NULL), -1);
	cr_assert_eq(plugtls_cert_eku(NULL), 0);
	const unsigned char *p = (const unsigned char *)"x";
	size_t n = 9;
	plugtls_cert_der(NULL, &p, &n);
	cr_assert_null(p);
	cr_assert_eq(n, 0);
	plugtls_cert_spki_der(NULL, NULL, NULL);
	pt_cert_free(NULL);
}

/* ---- the builder's own checks ---- */

static void missing(int skip, const char *name)
{
	plugtls_prov_fields *f = pt_fields_new(PT_WANT_ALL);
	unsigned char der[UT_DER_LEN];
	ut_der(1, der);
	if (skip != 0)
		cr_assert_eq(plugtls_prov_fields_der(f, der, sizeof(der)), 0);
	if (skip != 1)
		cr_assert_eq(plugtls_prov_fields_spki(f, der, sizeof(der)), 0);
	if (skip != 2)
		cr_assert_eq(plugtls_prov_fields_serial(f, der, 1), 0);
	if (skip != 3)
		cr_assert_eq(plugtls_prov_fields_validity(f, 0, 0), 0);
	if (skip != 4)
		cr_assert_eq(plugtls_prov_fields_sig_alg(f, "1.3.101.112"), 0);
	plugtls_cert *c = NULL;
	plugtls_error e;
	pt_err_clear(&e);
	cr_assert_eq(pt_cert_from_fields(NULL, f, &c, &e), PLUGTLS_E_INTERNAL);
	cr_assert_null(c);
	cr_assert_not_null(strstr(e.message, name), "%s", e.message);
	pt_fields_free(f);
}

Test(builder, required_fields)
{
	missing(0, "DER");
	missing(1, "SPKI");
	missing(2, "serial number");
	missing(3, "validity");
	missing(4, "signature algorithm");
}

/* Expect one builder call to fail with code, then the failure to stick. */
#define EXPECT_FAIL(call, want)                                                \
	do {                                                                   \
		plugtls_prov_fields *f = ut_fields();                          \
		cr_assert_eq((call), (want), "%s", #call);                     \
		/* sticky: later calls and the final format fail too */        \
		cr_assert_eq(plugtls_prov_fields_eku(f, "2.5.29.37.0"),        \
			     (want));                                          \
		plugtls_cert *c = NULL;                                        \
		plugtls_error e;                                               \
		pt_err_clear(&e);                                              \
		cr_assert_eq(pt_cert_from_fields(NULL, f, &c, &e), (want));    \
		cr_assert_null(c);                                             \
		cr_assert_eq(e.code, (want));                                  \
		pt_fields_free(f);                                             \
	} while (0)

Test(builder, duplicates_are_refused)
{
	const unsigned char b[1] = {1};
	EXPECT_FAIL(plugtls_prov_fields_der(f, b, 1), PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_spki(f, b, 1), PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_serial(f, b, 1),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_validity(f, 1, 2),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_sig_alg(f, "1.3.101.112"),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL((plugtls_prov_fields_key(f, PLUGTLS_PROV_KEY_RSA, 2048),
		     plugtls_prov_fields_key(f, PLUGTLS_PROV_KEY_RSA, 2048)),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL((plugtls_prov_fields_basic_constraints(f, 1, 0),
		     plugtls_prov_fields_basic_constraints(f, 1, 0)),
		    PLUGTLS_E_INVALID_ARGUMENT);
}

Test(builder, bad_arguments)
{
	const unsigned char b[17] = {1, 2, 3, 4, 5};
	char longoid[200];
	memset(longoid, 0, sizeof(longoid));
	strcpy(longoid, "1.2");
	for (size_t i = 3; i < 130; i += 2)
		memcpy(longoid + i, ".1", 2);
	cr_assert(strlen(longoid) > PT_MAX_OID);

	EXPECT_FAIL(plugtls_prov_fields_dn(f, 2, 0, "2.5.4.3", b, 1),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_dn(f, 0, 1, "2.5.4.3", b, 1),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL((plugtls_prov_fields_dn(f, 0, 0, "2.5.4.3", b, 1),
		     plugtls_prov_fields_dn(f, 0, 2, "2.5.4.3", b, 1)),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL((plugtls_prov_fields_dn(f, 0, 0, "2.5.4.3", b, 1),
		     plugtls_prov_fields_dn(f, 0, 1, "2.5.4.3", b, 1),
		     plugtls_prov_fields_dn(f, 0, 0, "2.5.4.3", b, 1)),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_dn(f, 0, 0, NULL, b, 1),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_dn(f, 0, 0, "2.5.4.3", NULL, 1),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_dn(f, 0, 0, longoid, b, 1),
		    PLUGTLS_E_TOO_LARGE);
	EXPECT_FAIL(plugtls_prov_fields_san(f, (plugtls_san_type)9, b, 1),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_san(f, PLUGTLS_SAN_IP, b, 5),
		    PLUGTLS_E_MALFORMED);
	EXPECT_FAIL(plugtls_prov_fields_san(f, PLUGTLS_SAN_IP, b, 0),
		    PLUGTLS_E_MALFORMED);
	EXPECT_FAIL(plugtls_prov_fields_san(f, PLUGTLS_SAN_DNS, NULL, 3),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_eku(f, "serverAuth"),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_eku(f, longoid), PLUGTLS_E_TOO_LARGE);
	EXPECT_FAIL(plugtls_prov_fields_key(f, (plugtls_prov_key_type)7, 1),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_basic_constraints(f, 2, 0),
		    PLUGTLS_E_INVALID_ARGUMENT);
	EXPECT_FAIL(plugtls_prov_fields_basic_constraints(f, 1, -2),
		    PLUGTLS_E_INVALID_ARGUMENT);
}

Test(builder, bad_required_values)
{
	/* Builders without the field yet. */
	plugtls_prov_fields *f = pt_fields_new(PT_WANT_ALL);
	cr_assert_eq(plugtls_prov_fields_der(f, NULL, 0),
		     PLUGTLS_E_INVALID_ARGUMENT);
	pt_fields_free(f);
	f = pt_fields_new(PT_WANT_ALL);
	cr_assert_eq(plugtls_prov_fields_spki(f, (const unsigned char *)"x", 0),
		     PLUGTLS_E_INVALID_ARGUMENT);
	pt_fields_free(f);
	f = pt_fields_new(PT_WANT_ALL);
	cr_assert_eq(plugtls_prov_fields_sig_alg(f, "1.2..3"),
		     PLUGTLS_E_INVALID_ARGUMENT);
	pt_fields_free(f);
	f = pt_fields_new(PT_WANT_ALL);
	/* 64 characters: valid syntax, longer than the cert's buffer */
	cr_assert_eq(plugtls_prov_fields_sig_alg(
			     f, "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18."
				"19.20.21.22.23.24.25"),
		     PLUGTLS_E_TOO_LARGE);
	pt_fields_free(f);
	/* serial: 256 magnitude bytes are fine, 257 are not; leading zeros
	 * do not count */
	unsigned char big[300];
	memset(big, 0x11, sizeof(big));
	f = pt_fields_new(PT_WANT_ALL);
	cr_assert_eq(plugtls_prov_fields_serial(f, big, 257),
		     PLUGTLS_E_MALFORMED);
	pt_fields_free(f);
	f = pt_fields_new(PT_WANT_ALL);
	memset(big, 0, 44);
	cr_assert_eq(plugtls_prov_fields_serial(f, big, 300), PLUGTLS_OK);
	pt_fields_free(f);
	f = pt_fields_new(PT_WANT_ALL);
	cr_assert_eq(plugtls_prov_fields_serial(f, NULL, 1),
		     PLUGTLS_E_INVALID_ARGUMENT);
	pt_fields_free(f);
}

Test(builder, not_a_builder)
{
	char junk[sizeof(plugtls_error) + 64];
	memset(junk, 0, sizeof(junk));
	cr_assert_eq(plugtls_prov_fields_der(NULL, (const unsigned char *)"x",
					     1),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_prov_fields_eku((plugtls_prov_fields *)junk,
					     "2.5.29.37.0"),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_thread_error()->code, PLUGTLS_E_INVALID_ARGUMENT);
	plugtls_cert *c = NULL;
	cr_assert_eq(pt_cert_from_fields(NULL, NULL, &c, NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
	pt_fields_free(NULL);
}

Test(builder, limits)
{
	plugtls_prov_fields *f = ut_fields();
	for (unsigned i = 0; i < PT_MAX_DN_ATTRS; i++)
		cr_assert_eq(plugtls_prov_fields_dn(f, 0, 0, "2.5.4.11",
						    (const unsigned char *)"x",
						    1),
			     0);
	cr_assert_eq(plugtls_prov_fields_dn(f, 0, 0, "2.5.4.11",
					    (const unsigned char *)"x", 1),
		     PLUGTLS_E_TOO_LARGE);
	pt_fields_free(f);

	unsigned char *v = calloc(1, PT_MAX_ATTR_VALUE + 1);
	cr_assert_not_null(v);
	f = ut_fields();
	cr_assert_eq(plugtls_prov_fields_dn(f, 0, 0, "2.5.4.11", v,
					    PT_MAX_ATTR_VALUE + 1),
		     PLUGTLS_E_TOO_LARGE);
	pt_fields_free(f);
	f = ut_fields();
	cr_assert_eq(plugtls_prov_fields_san(f, PLUGTLS_SAN_URI, v,
					     PT_MAX_SAN_VALUE + 1),
		     PLUGTLS_E_TOO_LARGE);
	pt_fields_free(f);
	free(v);

	f = ut_fields();
	for (unsigned i = 0; i < PT_MAX_SANS; i++)
		cr_assert_eq(plugtls_prov_fields_san(f, PLUGTLS_SAN_IP,
						     (const unsigned char *)"\1\2\3\4",
						     4),
			     0);
	cr_assert_eq(plugtls_prov_fields_san(f, PLUGTLS_SAN_IP,
					     (const unsigned char *)"\1\2\3\4",
					     4),
		     PLUGTLS_E_TOO_LARGE);
	pt_fields_free(f);
}

Test(builder, oid_syntax)
{
	static const struct {
		const char *oid;
		bool ok;
	} rows[] = {
		{"2.5.4.3", true},       {"0.9", true},     {"1.0.2", true},
		{"2.999.1234567890", true},
		{"", false},             {"1", false},      {"1.", false},
		{".1", false},           {"1..2", false},   {"01.2", false},
		{"1.02", false},         {"a.b", false},    {"1.2.3a", false},
		{"1.2 ", false},         {"-1.2", false},   {"1.2.", false},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_assert_eq(pt_oid_valid(rows[i].oid), rows[i].ok, "%s",
			     rows[i].oid);
	cr_assert_not(pt_oid_valid(NULL));
}

/* ---- property: any value formats to valid, unambiguous RFC 4514 ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undo RFC 4514 escaping of one value; checks that nothing special is
 * left unescaped. Returns the decoded length. */
static size_t unescape(const char *s, unsigned char *out)
{
	size_t o = 0, n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		cr_assert(c >= 0x20 && c != 0x7f, "control byte in %s", s);
		if (c != '\\') {
			cr_assert_null(strchr(",+\"<>;", c), "unescaped %c", c);
			cr_assert(!(i == 0 && (c == '#' || c == ' ')));
			cr_assert(!(i == n - 1 && c == ' '));
			out[o++] = c;
			continue;
		}
		cr_assert_lt(i + 1, n);
		int h = hexval(s[i + 1]);
		if (h >= 0) {
			int l = hexval(s[i + 2]);
			cr_assert_geq(l, 0, "bad hex escape in %s", s);
			out[o++] = (unsigned char)(h * 16 + l);
			i += 2;
		} else {
			cr_assert_not_null(strchr(",+\"\\<>;# ", s[i + 1]));
			out[o++] = (unsigned char)s[i + 1];
			i++;
		}
	}
	return o;
}

static bool valid_utf8(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t k = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2
				   : c >= 0xe0 && c <= 0xef	 ? 3
				   : c >= 0xf0 && c <= 0xf4	 ? 4
								 : 0;
		if (!k || i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((p[i + j] & 0xc0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

Test(certfmt, random_values_round_trip)
{
	uint32_t s = 7;
	static const unsigned char pool[] = {
		' ', '#', ',', '+', '"', '\\', '<', '>', ';', '=', 'a', 'Z',
		'0', 0, '\n', 0x7f, 0x80, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xed,
		0xa0, 0xf0, 0x9f, 0x98, 0xff};
	for (int iter = 0; iter < 3000; iter++) {
		unsigned char v[24], back[64];
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		size_t len = s % sizeof(v);
		for (size_t i = 0; i < len; i++) {
			s ^= s << 13;
			s ^= s >> 17;
			s ^= s << 5;
			v[i] = pool[s % sizeof(pool)];
		}
		plugtls_prov_fields *f = ut_fields();
		cr_assert_eq(plugtls_prov_fields_dn(f, PLUGTLS_PROV_SUBJECT, 0,
						    "2.5.4.3", v, len),
			     0);
		plugtls_cert *c = ut_cert(f);
		const char *subj = plugtls_cert_subject(c);
		cr_assert_eq(strncmp(subj, "CN=", 3), 0);
		cr_assert(valid_utf8((const unsigned char *)subj, strlen(subj)),
			  "%s", subj);
		size_t n = unescape(subj + 3, back);
		cr_assert_eq(n, len, "iteration %d: %s", iter, subj);
		cr_assert_eq(memcmp(back, v, len), 0, "iteration %d: %s", iter,
			     subj);
		pt_cert_free(c);
	}
}

/* A builder for the checks (pt_cert_for_checks) asks for no names, DER or
 * serial: it does not require them, drops them when a backend reports them
 * anyway, and gives a partial certificate that no chain takes. */
Test(builder, partial_for_checks)
{
	static const unsigned char spki[] = {0x30, 0x02, 0x05, 0x00};
	unsigned char der[UT_DER_LEN];
	plugtls_prov_fields *f = pt_fields_new(PLUGTLS_PROV_WANT_SPKI);
	plugtls_cert *c = NULL;

	cr_assert_not_null(f);
	cr_assert(plugtls_prov_fields_wants(f, PLUGTLS_PROV_WANT_SPKI));
	cr_assert_not(plugtls_prov_fields_wants(f, PLUGTLS_PROV_WANT_NAMES));
	cr_assert_not(plugtls_prov_fields_wants(
		f, PLUGTLS_PROV_WANT_SPKI | PLUGTLS_PROV_WANT_DER));
	cr_assert(plugtls_prov_fields_wants(f, 0));
	cr_assert(plugtls_prov_fields_wants(NULL, PLUGTLS_PROV_WANT_NAMES));
	/* Reported anyway: accepted and dropped. */
	ut_der(1, der);
	cr_assert_eq(plugtls_prov_fields_der(f, der, sizeof(der)), PLUGTLS_OK);
	ut_dn(f, PLUGTLS_PROV_SUBJECT, 0, "2.5.4.3", "leaf");
	ut_dn(f, PLUGTLS_PROV_ISSUER, 0, "2.5.4.3", "leaf");
	/* What the checks read. */
	cr_assert_eq(plugtls_prov_fields_spki(f, spki, sizeof(spki)),
		     PLUGTLS_OK);
	cr_assert_eq(plugtls_prov_fields_validity(f, 1000, 2000), PLUGTLS_OK);
	cr_assert_eq(plugtls_prov_fields_sig_alg(f, "1.2.840.10045.4.3.2"),
		     PLUGTLS_OK);
	cr_assert_eq(plugtls_prov_fields_key(f, PLUGTLS_PROV_KEY_EC, 256),
		     PLUGTLS_OK);
	ut_san_dns(f, "a.example");
	cr_assert_eq(plugtls_prov_fields_eku(f, "1.3.6.1.5.5.7.3.1"),
		     PLUGTLS_OK);
	cr_assert_eq(pt_cert_from_fields(NULL, f, &c, NULL), PLUGTLS_OK);
	pt_fields_free(f);
	cr_assert(c->partial);
	cr_assert_null(c->der);
	cr_assert_null(c->subject);
	cr_assert_null(c->issuer);
	cr_assert_null(c->serial);
	cr_assert_not(c->self_issued);
	cr_assert_eq(c->spki_len, sizeof(spki));
	cr_assert_eq(c->not_before, 1000);
	cr_assert_eq(c->not_after, 2000);
	cr_assert_eq(c->key_bits, 256);
	cr_assert_eq(c->eku, PLUGTLS_PURPOSE_SERVER);
	cr_assert_eq(c->n_sans, 1);
	cr_assert_eq(pt_check_host(c, "a.example"), 0);

	/* Still required: validity and signature algorithm. */
	f = pt_fields_new(0);
	cr_assert_eq(plugtls_prov_fields_validity(f, 1, 2), PLUGTLS_OK);
	plugtls_cert *c2 = NULL;
	cr_assert_eq(pt_cert_from_fields(NULL, f, &c2, NULL),
		     PLUGTLS_E_INTERNAL);
	cr_assert_null(c2);
	pt_fields_free(f);

	/* A partial certificate never reaches an application. */
	plugtls_chain ch = {.prov = NULL};
	cr_assert_eq(pt_chain_push(&ch, c, NULL), PLUGTLS_E_INTERNAL);
	cr_assert_eq(ch.n, 0);
}
