/* IP literal parsing and RFC 6125 host matching (x509check.c). */
#include "unit.h"

#include <arpa/inet.h>

Test(host, parse_ip_table)
{
	static const struct {
		const char *s;
		size_t len;
		const char *bytes;
	} rows[] = {
		{"127.0.0.1", 4, "\x7f\x00\x00\x01"},
		{"0.0.0.0", 4, "\x00\x00\x00\x00"},
		{"255.255.255.255", 4, "\xff\xff\xff\xff"},
		{"::1", 16, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"},
		{"::", 16, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"},
		{"2001:db8::1", 16, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"},
		{"2001:DB8::1", 16, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"},
		{"::ffff:127.0.0.1", 16,
		 "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\x00\x00\x01"},
		/* not IP literals */
		{"", 0, NULL},
		{"localhost", 0, NULL},
		{"127.1", 0, NULL},
		{"127.0.1", 0, NULL},
		{"0x7f.0.0.1", 0, NULL},
		{"127.0.0.01", 0, NULL},
		{"127.0.0.1.", 0, NULL},
		{"127.0.0.256", 0, NULL},
		{" 127.0.0.1", 0, NULL},
		{"127.0.0.1 ", 0, NULL},
		{"2130706433", 0, NULL},
		{"[::1]", 0, NULL},
		{"fe80::1%eth0", 0, NULL},
		{"1::2::3", 0, NULL},
		{"example.com", 0, NULL},
		{"1.2.3.4.example.com", 0, NULL},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned char out[16];
		size_t n = pt_parse_ip(rows[i].s, out);
		cr_assert_eq(n, rows[i].len, "row %zu (%s): %zu", i, rows[i].s,
			     n);
		if (n)
			cr_assert_eq(memcmp(out, rows[i].bytes, n), 0,
				     "row %zu", i);
	}
	unsigned char out[16];
	cr_assert_eq(pt_parse_ip(NULL, out), 0);
}

/* One DNS SAN pattern against one host. */
static const struct {
	const char *pattern, *host;
	bool match;
} dns_rows[] = {
	/* exact, case-insensitive */
	{"example.com", "example.com", true},
	{"EXAMPLE.com", "example.COM", true},
	{"www.example.com", "WWW.Example.Com", true},
	{"example.com", "example.org", false},
	{"example.com", "www.example.com", false},
	{"www.example.com", "example.com", false},
	{"example.com", "example.co", false},
	{"example.co", "example.com", false},
	{"a-b_c.example", "A-B_C.EXAMPLE", true},
	{"localhost", "localhost", true},
	/* one trailing dot ignored on either side, never two */
	{"example.com.", "example.com", true},
	{"example.com", "example.com.", true},
	{"example.com.", "example.com.", true},
	{"example.com..", "example.com", false},
	{"example.com", "example.com..", false},
	{".", ".", false},
	{"", "", false},
	{"example.com", "", false},
	{"", "example.com", false},
	/* empty labels */
	{"a..example.com", "a..example.com", false},
	{".example.com", ".example.com", false},
	/* wildcard: whole left-most label, exactly one non-empty label */
	{"*.example.com", "www.example.com", true},
	{"*.example.com", "WWW.EXAMPLE.COM", true},
	{"*.Example.Com", "a.example.com", true},
	{"*.example.com", "example.com", false},
	{"*.example.com", "a.b.example.com", false},
	{"*.example.com", ".example.com", false},
	{"*.example.com", "www.example.org", false},
	{"*.example.com", "wwwexample.com", false},
	{"*.example.com.", "www.example.com", true},
	{"*.example.com", "www.example.com.", true},
	{"*.a.b.c", "x.a.b.c", true},
	/* fewer than two labels after the wildcard */
	{"*.com", "example.com", false},
	{"*.local", "host.local", false},
	{"*", "example", false},
	{"*", "example.com", false},
	{"*.", "example.", false},
	/* partial and misplaced wildcards */
	{"f*.example.com", "foo.example.com", false},
	{"*o.example.com", "foo.example.com", false},
	{"f*o.example.com", "foo.example.com", false},
	{"**.example.com", "foo.example.com", false},
	{"www.*.example.com", "www.a.example.com", false},
	{"www.example.*", "www.example.com", false},
	{"*.*.example.com", "a.b.example.com", false},
	/* a wildcard does not match a literal '*' host, nor a host with one */
	{"*.example.com", "*.example.com", false},
	{"example.com", "*.example.com", false},
	/* not DNS syntax */
	{"exa mple.com", "exa mple.com", false},
	{"example.com\\x00.evil.com", "example.com", false},
	{"ex\\x41mple.com", "exAmple.com", false},
	{"caf\xc3\xa9.example", "caf\xc3\xa9.example", false},
	{"xn--caf-dma.example", "XN--CAF-DMA.example", true},
	{"*.xn--caf-dma.example", "a.xn--caf-dma.example", true},
	/* IP-looking DNS SANs match as names (pt_check_host never sends an
	 * IP host here) */
	{"1.2.3.4", "1.2.3.4", true},
};

Test(host, dns_match_table)
{
	for (size_t i = 0; i < sizeof(dns_rows) / sizeof(dns_rows[0]); i++)
		cr_assert_eq(pt_dns_match(dns_rows[i].pattern, dns_rows[i].host),
			     dns_rows[i].match, "row %zu: %s vs %s", i,
			     dns_rows[i].pattern, dns_rows[i].host);
	cr_assert_not(pt_dns_match(NULL, "a.b"));
	cr_assert_not(pt_dns_match("a.b", NULL));
}

static void add_ip(plugtls_prov_fields *f, const char *text)
{
	unsigned char b[16];
	int af = strchr(text, ':') ? AF_INET6 : AF_INET;
	cr_assert_eq(inet_pton(af, text, b), 1);
	ut_san(f, PLUGTLS_SAN_IP, b, af == AF_INET ? 4 : 16);
}

/* A leaf with DNS, IP, email and URI SANs and a CN. */
static plugtls_cert *leaf(void)
{
	plugtls_prov_fields *f = ut_fields();
	ut_dn(f, PLUGTLS_PROV_SUBJECT, 0, "2.5.4.3", "cn.example.com");
	ut_san_dns(f, "www.example.com");
	ut_san_dns(f, "*.api.example.com");
	ut_san(f, PLUGTLS_SAN_EMAIL, "admin@mail.example.com", 22);
	ut_san(f, PLUGTLS_SAN_URI, "https://uri.example.com/", 24);
	add_ip(f, "192.0.2.7");
	add_ip(f, "2001:db8::7");
	add_ip(f, "::ffff:198.51.100.1");
	return ut_cert(f);
}

Test(host, check_host_table)
{
	static const struct {
		const char *host;
		uint32_t r;
	} rows[] = {
		{"www.example.com", 0},
		{"WWW.EXAMPLE.COM.", 0},
		{"v1.api.example.com", 0},
		{"api.example.com", PLUGTLS_VERIFY_HOSTNAME},
		{"a.v1.api.example.com", PLUGTLS_VERIFY_HOSTNAME},
		{"example.com", PLUGTLS_VERIFY_HOSTNAME},
		/* CN is never used */
		{"cn.example.com", PLUGTLS_VERIFY_HOSTNAME},
		/* email and URI SANs are not host names */
		{"mail.example.com", PLUGTLS_VERIFY_HOSTNAME},
		{"uri.example.com", PLUGTLS_VERIFY_HOSTNAME},
		{"admin@mail.example.com", PLUGTLS_VERIFY_HOSTNAME},
		/* IP hosts only against IP SANs, byte equal */
		{"192.0.2.7", 0},
		{"192.0.2.8", PLUGTLS_VERIFY_HOSTNAME},
		{"2001:db8::7", 0},
		{"2001:0db8:0:0:0:0:0:7", 0},
		{"2001:DB8::7", 0},
		{"2001:db8::8", PLUGTLS_VERIFY_HOSTNAME},
		{"::ffff:192.0.2.7", PLUGTLS_VERIFY_HOSTNAME},
		{"198.51.100.1", PLUGTLS_VERIFY_HOSTNAME},
		{"::ffff:198.51.100.1", 0},
		{"", PLUGTLS_VERIFY_HOSTNAME},
	};
	plugtls_cert *c = leaf();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_assert_eq(pt_check_host(c, rows[i].host), rows[i].r,
			     "row %zu: %s", i, rows[i].host);
	cr_assert_eq(pt_check_host(c, NULL), PLUGTLS_VERIFY_HOSTNAME);
	cr_assert_eq(pt_check_host(NULL, "www.example.com"),
		     PLUGTLS_VERIFY_HOSTNAME);
	pt_cert_free(c);
}

Test(host, cn_only_certificate_never_matches)
{
	plugtls_prov_fields *f = ut_fields();
	ut_dn(f, PLUGTLS_PROV_SUBJECT, 0, "2.5.4.3", "example.com");
	plugtls_cert *c = ut_cert(f);
	cr_assert_str_eq(c->cn, "example.com");
	cr_assert_eq(pt_check_host(c, "example.com"), PLUGTLS_VERIFY_HOSTNAME);
	pt_cert_free(c);

	/* CN as an IP address: no match either. */
	f = ut_fields();
	ut_dn(f, PLUGTLS_PROV_SUBJECT, 0, "2.5.4.3", "127.0.0.1");
	c = ut_cert(f);
	cr_assert_eq(pt_check_host(c, "127.0.0.1"), PLUGTLS_VERIFY_HOSTNAME);
	pt_cert_free(c);
}

Test(host, wildcard_never_matches_ip)
{
	plugtls_prov_fields *f = ut_fields();
	ut_san_dns(f, "*.0.0.1");
	ut_san_dns(f, "127.0.0.1");
	plugtls_cert *c = ut_cert(f);
	cr_assert_eq(pt_check_host(c, "127.0.0.1"), PLUGTLS_VERIFY_HOSTNAME);
	pt_cert_free(c);
}

Test(host, nul_in_dns_san_never_matches)
{
	plugtls_prov_fields *f = ut_fields();
	ut_san(f, PLUGTLS_SAN_DNS, "www.example.com\0.evil.com", 25);
	plugtls_cert *c = ut_cert(f);
	plugtls_san_type t;
	const char *v;
	cr_assert_eq(plugtls_cert_san(c, 0, &t, &v), PLUGTLS_OK);
	cr_assert_eq(t, PLUGTLS_SAN_DNS);
	cr_assert_str_eq(v, "www.example.com\\x00.evil.com");
	cr_assert_eq(pt_check_host(c, "www.example.com"),
		     PLUGTLS_VERIFY_HOSTNAME);
	cr_assert_eq(pt_check_host(c, "www.example.com\\x00.evil.com"),
		     PLUGTLS_VERIFY_HOSTNAME);
	pt_cert_free(c);
}

Test(host, no_sans_at_all)
{
	plugtls_cert *c = ut_cert(ut_fields());
	cr_assert_eq(pt_check_host(c, "example.com"), PLUGTLS_VERIFY_HOSTNAME);
	cr_assert_eq(pt_check_host(c, "::1"), PLUGTLS_VERIFY_HOSTNAME);
	pt_cert_free(c);
}
