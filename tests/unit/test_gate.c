/* The version gate is a pure function: exercise it over many versions. */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"

#define V PLUGTLS_VERSION_NUM

static const plugtls_vuln_range ranges[] = {
	{V(3, 0, 0), V(3, 0, 6), "CVE-2022-3602", "punycode overflow"},
	{V(3, 0, 4), V(3, 0, 4), "CVE-2022-2274", "RSA AVX512"},
	{V(3, 0, 0), V(3, 0, 7), "CVE-2023-0286", "X.400 type confusion"},
	{V(3, 1, 0), V(3, 1, 0), "CVE-2023-0286", "X.400 type confusion"},
};

static const char *accept_list;

static bool accepted(void *arg, const char *cve)
{
	return accept_list && pt_accept_list_match(accept_list, arg, cve);
}

static pt_gate_verdict decide(uint32_t run, uint32_t hdr, char *why,
			      size_t cap)
{
	pt_gate_input in = {
		.runtime = run,
		.headers = hdr,
		.minimum = V(3, 0, 0),
		.ranges = ranges,
		.n_ranges = sizeof(ranges) / sizeof(ranges[0]),
		.accepted = accepted,
		.arg = (void *)"openssl",
	};
	return pt_gate_decide(&in, "openssl", why, cap);
}

Test(gate, every_patch_release_of_3_0)
{
	char why[256];
	accept_list = NULL;
	for (unsigned p = 0; p <= 30; p++) {
		pt_gate_verdict v = decide(V(3, 0, p), V(3, 0, 0), why,
					   sizeof(why));
		pt_gate_verdict want = p <= 7 ? PT_GATE_VULNERABLE : PT_GATE_OK;
		cr_assert_eq(v, want, "3.0.%u: got %d want %d (%s)", p, v, want,
			     why);
		if (v == PT_GATE_VULNERABLE) {
			cr_assert(strstr(why, "CVE-") != NULL, "%s", why);
			char ver[16];
			pt_version_format(V(3, 0, p), ver, sizeof(ver));
			cr_assert(strstr(why, ver) != NULL,
				  "reason names the version: %s", why);
		}
	}
}

Test(gate, other_lines)
{
	char why[256];
	accept_list = NULL;
	cr_assert_eq(decide(V(3, 1, 0), V(3, 0, 0), why, sizeof(why)),
		     PT_GATE_VULNERABLE);
	for (unsigned mi = 1; mi <= 5; mi++)
		for (unsigned p = (mi == 1); p <= 20; p++)
			cr_assert_eq(decide(V(3, mi, p), V(3, 0, 0), why,
					    sizeof(why)),
				     PT_GATE_OK, "3.%u.%u", mi, p);
	cr_assert_eq(decide(V(4, 0, 0), V(3, 0, 0), why, sizeof(why)),
		     PT_GATE_OK);
}

Test(gate, too_old_and_older_than_headers)
{
	char why[256];
	accept_list = NULL;
	cr_assert_eq(decide(V(1, 1, 1), V(3, 0, 0), why, sizeof(why)),
		     PT_GATE_TOO_OLD);
	cr_assert(strstr(why, "1.1.1") && strstr(why, "minimum"), "%s", why);
	cr_assert_eq(decide(V(2, 255, 255), V(3, 0, 0), why, sizeof(why)),
		     PT_GATE_TOO_OLD);
	cr_assert_eq(decide(V(3, 0, 10), V(3, 0, 12), why, sizeof(why)),
		     PT_GATE_OLDER_THAN_HEADERS);
	cr_assert(strstr(why, "3.0.10") && strstr(why, "3.0.12"), "%s", why);
	cr_assert_eq(decide(V(3, 0, 12), V(3, 0, 12), why, sizeof(why)),
		     PT_GATE_OK);
	/* Too old wins over vulnerable ranges. */
	cr_assert_eq(decide(V(3, 0, 5), V(3, 0, 9), why, sizeof(why)),
		     PT_GATE_OLDER_THAN_HEADERS);
}

Test(gate, override_accepts_named_cves_only)
{
	char why[256];
	accept_list = "openssl:CVE-2022-3602";
	/* 3.0.5 is in two ranges: accepting one is not enough. */
	cr_assert_eq(decide(V(3, 0, 5), V(3, 0, 0), why, sizeof(why)),
		     PT_GATE_VULNERABLE);
	cr_assert(strstr(why, "CVE-2023-0286"), "%s", why);
	accept_list = "openssl:CVE-2022-3602, openssl:CVE-2023-0286";
	cr_assert_eq(decide(V(3, 0, 5), V(3, 0, 0), why, sizeof(why)),
		     PT_GATE_ACCEPTED);
	cr_assert(strstr(why, "CVE-2022-3602") && strstr(why, "CVE-2023-0286"),
		  "%s", why);
	/* 3.0.4 is also in CVE-2022-2274. */
	cr_assert_eq(decide(V(3, 0, 4), V(3, 0, 0), why, sizeof(why)),
		     PT_GATE_VULNERABLE);
	accept_list = "openssl:*";
	cr_assert_eq(decide(V(3, 0, 4), V(3, 0, 0), why, sizeof(why)),
		     PT_GATE_ACCEPTED);
	/* Another provider's acceptance does not count. */
	accept_list = "gnutls:*,wolfssl:CVE-2022-3602";
	cr_assert_eq(decide(V(3, 0, 7), V(3, 0, 0), why, sizeof(why)),
		     PT_GATE_VULNERABLE);
	/* Overrides never rescue a too-old library. */
	accept_list = "openssl:*";
	cr_assert_eq(decide(V(1, 1, 1), V(3, 0, 0), why, sizeof(why)),
		     PT_GATE_TOO_OLD);
}

Test(gate, accept_list_parsing)
{
	cr_assert(pt_accept_list_match("openssl:CVE-1", "openssl", "CVE-1"));
	cr_assert(pt_accept_list_match(" OpenSSL:cve-1 ", "openssl", "CVE-1"));
	cr_assert(!pt_accept_list_match("openssl:CVE-12", "openssl", "CVE-1"));
	cr_assert(!pt_accept_list_match("openssl:CVE-1", "openssl", "CVE-12"));
	cr_assert(!pt_accept_list_match("openssl", "openssl", "CVE-1"));
	cr_assert(!pt_accept_list_match("openssl:", "openssl", "CVE-1"));
	cr_assert(!pt_accept_list_match("opens:*", "openssl", "CVE-1"));
	cr_assert(!pt_accept_list_match("", "openssl", "CVE-1"));
	cr_assert(!pt_accept_list_match(",,,", "openssl", "CVE-1"));
	cr_assert(pt_accept_list_match("a:b,,openssl:*", "openssl", "CVE-9"));
}

Test(gate, version_format)
{
	char buf[16];
	pt_version_format(V(3, 0, 19), buf, sizeof(buf));
	cr_assert_str_eq(buf, "3.0.19");
	pt_version_format(V(5, 5, 4), buf, sizeof(buf));
	cr_assert_str_eq(buf, "5.5.4");
}
